/*
 * test-conf.c: conf_load()/conf_clear() on generated files in a
 * temporary directory: a complete file, the defaults, each error class,
 * relative paths, ${CREDENTIALS_DIRECTORY}, secret file permissions and
 * contents, and the built-in answer document.
 */
#include "../../app/conf.c"

#include <sys/stat.h>

#include "tap.h"

static char	 tmp[PATH_MAX];		/* realpath of the temp dir */
static char	 err[1024];
static struct config cf;

static void	 put(const char *, const char *, mode_t);
static int	 load(const char *);
static int	 load_fails(const char *, const char *, const char *);
static void	 rmtree(void);

/* Writes dir-relative file name with text and mode. */
static void
put(const char *name, const char *text, mode_t mode)
{
	char	 path[PATH_MAX + 64];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", tmp, name);
	if ((f = fopen(path, "w")) == NULL) {
		perror(path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

/* Writes text as voicepact.conf and loads it; returns conf_load's rc. */
static int
load(const char *text)
{
	char	 path[PATH_MAX + 64];

	put("voicepact.conf", text, 0644);
	snprintf(path, sizeof(path), "%s/voicepact.conf", tmp);
	conf_clear(&cf);
	return conf_load(path, &cf, err, sizeof(err));
}

/*
 * One error case: text must fail and err must contain want (and, if
 * secret is not NULL, must not contain it).
 */
static int
load_fails(const char *name, const char *text, const char *want)
{
	int	 rc, good;

	rc = load(text);
	good = rc == -1 && strstr(err, want) != NULL;
	if (!ok(good, "%s", name))
		diag("rc %d, err: %s (wanted \"%s\")", rc, err, want);
	return good;
}

static void
rmtree(void)
{
	char	 cmd[PATH_MAX + 32];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		diag("could not remove %s", tmp);
}

int
main(void)
{
	char		 tmpl[] = "/tmp/test-conf.XXXXXX", want[PATH_MAX + 64];
	char		 big[ANSWER_MAX + 2], *answer_xml, line[256];
	const char	*srcdir;
	size_t		 len;
	int		 i;

	if (mkdtemp(tmpl) == NULL || realpath(tmpl, tmp) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	mkdir(strcat(strcpy(want, tmp), "/secrets"), 0700);
	mkdir(strcat(strcpy(want, tmp), "/creds"), 0700);
	put("secrets/webhook-secret",
	    "0123456789abcdef0123456789abcdef\r\n\r\n   \n"
	    "second-secret-0123456789\n", 0600);
	put("secrets/path-token", "tok_ABCDEFGHIJKLMNOP-xyz\n", 0640);
	put("answer.xml", "<Response><Reject/></Response>\n", 0644);

	/* 1. A complete, valid file. */
	ok(load("# VoicePact\n"
	    "socket = run/fcgi.sock   # trailing comment\n"
	    "socket_group = www-data\n"
	    "socket_mode = 0640\n"
	    "database = voicepact.db\n"
	    "workers = 4\n"
	    "busy_timeout_ms = 60000\n"
	    "user = voicepact\n"
	    "answer_file = answer.xml\n"
	    "\tauth_signature=yes\n"
	    "auth_token = yes\n"
	    "allow_unauthenticated = no\n"
	    "\n"
	    "webhook_secret_file = secrets/webhook-secret\n"
	    "path_token_file = secrets/path-token\n") == 0,
	    "complete file loads");
	if (err[0] != '\0')
		diag("%s", err);
	snprintf(want, sizeof(want), "%s/run/fcgi.sock", tmp);
	is_str(cf.socket_path, want, "socket resolved against the file's dir");
	snprintf(want, sizeof(want), "%s/voicepact.db", tmp);
	is_str(cf.database, want, "database resolved");
	is_str(cf.socket_group, "www-data", "socket_group");
	is_int(cf.socket_mode, 0640, "socket_mode is octal");
	is_int(cf.workers, 4, "workers");
	is_int(cf.busy_timeout_ms, 60000, "busy_timeout_ms upper bound");
	is_str(cf.user, "voicepact", "user");
	is_int(cf.auth_signature, 1, "auth_signature");
	is_int(cf.auth_token, 1, "auth_token");
	is_int(cf.allow_unauthenticated, 0, "allow_unauthenticated");
	is_int(cf.nsecrets, 2, "two secrets, blank lines skipped");
	is_str(cf.secrets[0], "0123456789abcdef0123456789abcdef",
	    "CR LF stripped from a secret");
	is_str(cf.secrets[1], "second-secret-0123456789", "second secret");
	is_int(cf.ntokens, 1, "one token");
	is_str(cf.tokens[0], "tok_ABCDEFGHIJKLMNOP-xyz", "token");
	is_str(cf.answer, "<Response><Reject/></Response>\n",
	    "answer_file loaded");
	is_int(cf.answer_len, strlen("<Response><Reject/></Response>\n"),
	    "answer_len");
	snprintf(want, sizeof(want), "%s/voicepact.conf", tmp);
	is_str(cf.path, want, "path kept");

	/* 2. Defaults and the built-in answer. */
	ok(load("database = /var/lib/voicepact/voicepact.db\n"
	    "webhook_secret_file = secrets/webhook-secret\n") == 0,
	    "minimal file loads");
	is_str(cf.database, "/var/lib/voicepact/voicepact.db",
	    "absolute path kept");
	ok(cf.socket_path == NULL, "socket defaults to inherit (NULL)");
	ok(cf.socket_group == NULL, "socket_group defaults to NULL");
	is_int(cf.socket_mode, 0660, "socket_mode defaults to 0660");
	is_int(cf.workers, 0, "workers defaults to 0");
	is_int(cf.busy_timeout_ms, 2000, "busy_timeout_ms defaults to 2000");
	is_int(cf.auth_signature, 1, "auth_signature defaults to yes");
	is_int(cf.auth_token, 0, "auth_token defaults to no");
	is_int(cf.allow_unauthenticated, 0, "allow_unauthenticated no");
	ok(cf.user == NULL, "user defaults to NULL");
	ok(cf.answer_file == NULL, "no answer_file");
	is_str(cf.answer, default_answer, "built-in answer used");
	is_int(cf.answer_len, strlen(default_answer), "built-in answer_len");
	ok(strstr(cf.answer, "<Record") != NULL &&
	    strncmp(cf.answer, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
	    38) == 0, "built-in answer is XML that records");

	/* The built-in answer is app/etc/answer.xml, byte for byte. */
	answer_xml = NULL;
	if ((srcdir = getenv("srcdir")) != NULL)
		snprintf(want, sizeof(want), "%s/app/etc/answer.xml", srcdir);
	{
		const char *cands[] = { want, "app/etc/answer.xml",
		    "../../app/etc/answer.xml", "../app/etc/answer.xml",
		    NULL };
		struct parse p;

		memset(&p, 0, sizeof(p));
		p.file = "test";
		p.err = err;
		p.errsz = sizeof(err);
		for (i = srcdir != NULL ? 0 : 1; cands[i] != NULL; i++)
			if (read_file(&p, "answer", cands[i], ANSWER_MAX, 0,
			    &answer_xml, &len) == 0)
				break;
	}
	if (answer_xml != NULL)
		is_str(default_answer, answer_xml,
		    "built-in answer equals app/etc/answer.xml");
	else
		printf("ok %d - # SKIP app/etc/answer.xml not found\n",
		    ++tap_count);
	free(answer_xml);

	/* 3. Syntax errors name the line. */
	load_fails("unknown key", "database = x.db\n\n# c\nbogus = 1\n",
	    "voicepact.conf:4: unknown key \"bogus\"");
	load_fails("no '='", "database = x.db\nworkers 4\n",
	    ":2: expected \"key = value\"");
	load_fails("empty value", "socket =   # nothing\n",
	    ":1: socket has no value");
	load_fails("duplicate key", "database = a.db\ndatabase = b.db\n",
	    ":2: database given twice (first on line 1)");
	load_fails("quoted value", "database = \"a.db\"\n",
	    ":1: database: values are not quoted");
	load_fails("malformed key", "Data-base = a\n", ":1: malformed key");

	/* 4. Value rules. */
	load_fails("workers 257", "workers = 257\n",
	    ":1: workers must be a whole number from 0 to 256");
	load_fails("workers -1", "workers = -1\n",
	    ":1: workers must be a whole number from 0 to 256");
	load_fails("workers abc", "workers = 4x\n",
	    ":1: workers must be a whole number from 0 to 256");
	load_fails("busy_timeout_ms 0", "busy_timeout_ms = 0\n",
	    ":1: busy_timeout_ms must be a whole number from 1 to 60000");
	load_fails("busy_timeout_ms 60001", "busy_timeout_ms = 60001\n",
	    ":1: busy_timeout_ms must be a whole number from 1 to 60000");
	load_fails("socket_mode 0778", "socket_mode = 0778\n",
	    ":1: socket_mode must be an octal mode from 0 to 0777");
	load_fails("socket_mode 1777", "socket_mode = 1777\n",
	    ":1: socket_mode must be an octal mode");
	load_fails("socket_mode rw", "socket_mode = rw\n",
	    ":1: socket_mode must be an octal mode");
	load_fails("boolean true", "auth_token = true\n",
	    ":1: auth_token must be yes or no");
	load_fails("boolean Yes", "allow_unauthenticated = Yes\n",
	    ":1: allow_unauthenticated must be yes or no");
	load_fails("user with a space", "user = a b\n",
	    ":1: user must not contain blanks");

	/* 5. Final validation. */
	load_fails("no database", "webhook_secret_file = "
	    "secrets/webhook-secret\n", "voicepact.conf: database is not set");
	load_fails("signature without secrets", "database = x.db\n",
	    "auth_signature is enabled but no secret is configured");
	load_fails("token without tokens", "database = x.db\n"
	    "auth_signature = no\nauth_token = yes\n",
	    "auth_token is enabled but no token is configured");
	load_fails("no authentication", "database = x.db\n"
	    "auth_signature = no\n",
	    "no authentication method enabled; set auth_signature or "
	    "auth_token, or allow_unauthenticated = yes for local "
	    "development only");
	ok(load("database = x.db\nauth_signature = no\n"
	    "allow_unauthenticated = yes\n") == 0,
	    "allow_unauthenticated = yes with no method loads");
	ok(load("database = x.db\nauth_signature = no\nauth_token = yes\n"
	    "path_token_file = secrets/path-token\n") == 0,
	    "token-only authentication loads");

	/* 6. ${CREDENTIALS_DIRECTORY}. */
	put("creds/secret", "credential-secret-0123456789\n", 0400);
	snprintf(want, sizeof(want), "%s/creds", tmp);
	setenv("CREDENTIALS_DIRECTORY", want, 1);
	ok(load("database = x.db\nwebhook_secret_file = "
	    "${CREDENTIALS_DIRECTORY}/secret\n") == 0,
	    "${CREDENTIALS_DIRECTORY} expanded");
	is_str(cf.secrets[0], "credential-secret-0123456789",
	    "secret read from the credentials directory");
	unsetenv("CREDENTIALS_DIRECTORY");
	load_fails("${CREDENTIALS_DIRECTORY} unset", "database = x.db\n"
	    "webhook_secret_file = ${CREDENTIALS_DIRECTORY}/secret\n",
	    ":2: webhook_secret_file uses ${CREDENTIALS_DIRECTORY}, but "
	    "CREDENTIALS_DIRECTORY is not set");
	load_fails("other variables refused", "database = ${HOME}/x.db\n",
	    ":1: database: only ${CREDENTIALS_DIRECTORY} is expanded");

	/* 7. Secret and token files. */
	put("secrets/open", "0123456789abcdef0123456789abcdef\n", 0604);
	load_fails("secret file readable by other", "database = x.db\n"
	    "webhook_secret_file = secrets/open\n",
	    ":2: webhook_secret_file");
	ok(strstr(err, "refusing a secret file that \"other\" can access "
	    "(mode 0604)") != NULL, "permission message is clear");
	ok(strstr(err, "0123456789abcdef") == NULL,
	    "permission error does not print the secret");
	put("secrets/short", "short-secret-15\n", 0600);
	load_fails("secret under 16 bytes", "database = x.db\n"
	    "webhook_secret_file = secrets/short\n",
	    "line 1: a webhook secret must be 16 to 1024 bytes long");
	ok(strstr(err, "short-secret-15") == NULL,
	    "length error does not print the secret");
	put("secrets/badtok", "tok_ABCDEFGHIJKLMNOP\ntok with space 123456\n",
	    0600);
	load_fails("token with a space", "database = x.db\n"
	    "auth_token = yes\npath_token_file = secrets/badtok\n",
	    ":3: path_token_file");
	ok(strstr(err, "line 2: a path token must be 16 to 128 characters "
	    "of A-Z a-z 0-9 _ -") != NULL, "token rule named with its line");
	ok(strstr(err, "tok with space") == NULL,
	    "token error does not print the token");
	memset(big, 'a', 129);
	big[129] = '\n';
	big[130] = '\0';
	put("secrets/longtok", big, 0600);
	load_fails("token of 129 characters", "database = x.db\n"
	    "auth_signature = no\nauth_token = yes\n"
	    "path_token_file = secrets/longtok\n", "a path token must be");
	big[128] = '\n';
	big[129] = '\0';
	put("secrets/longtok", big, 0600);
	ok(load("database = x.db\nauth_signature = no\nauth_token = yes\n"
	    "path_token_file = secrets/longtok\n") == 0 &&
	    strlen(cf.tokens[0]) == 128, "token of 128 characters accepted");
	put("secrets/shorttok", "abcdefghijklmno\n", 0600);
	load_fails("token of 15 characters", "database = x.db\n"
	    "auth_signature = no\nauth_token = yes\n"
	    "path_token_file = secrets/shorttok\n", "a path token must be");
	big[0] = '\0';
	for (i = 0; i < VP_MAX_SECRETS + 1; i++) {
		snprintf(line, sizeof(line), "secret-number-%02d-abcdef\n", i);
		strcat(big, line);
	}
	put("secrets/many", big, 0600);
	load_fails("more than VP_MAX_SECRETS", "database = x.db\n"
	    "webhook_secret_file = secrets/many\n",
	    "line 9: more than 8 webhook secrets in all");
	ok(load("database = x.db\n"
	    "webhook_secret_file = secrets/webhook-secret\n"
	    "webhook_secret_file = secrets/webhook-secret\n") == 0 &&
	    cf.nsecrets == 4, "webhook_secret_file is repeatable");
	load_fails("missing secret file", "database = x.db\n"
	    "webhook_secret_file = secrets/nope\n",
	    ":2: webhook_secret_file");
	ok(strstr(err, "No such file or directory") != NULL,
	    "missing file names the cause");

	/* 8. answer_file. */
	put("empty.xml", "", 0644);
	load_fails("empty answer_file", "database = x.db\n"
	    "webhook_secret_file = secrets/webhook-secret\n"
	    "answer_file = empty.xml\n", ":3: answer_file");
	memset(big, 'x', ANSWER_MAX + 1);
	big[ANSWER_MAX + 1] = '\0';
	put("big.xml", big, 0644);
	load_fails("answer_file over 64 KiB", "database = x.db\n"
	    "webhook_secret_file = secrets/webhook-secret\n"
	    "answer_file = big.xml\n", "larger than 65536 bytes");
	big[ANSWER_MAX] = '\0';
	put("big.xml", big, 0644);
	ok(load("database = x.db\n"
	    "webhook_secret_file = secrets/webhook-secret\n"
	    "answer_file = big.xml\n") == 0 && cf.answer_len == ANSWER_MAX,
	    "answer_file of exactly 64 KiB accepted");

	/* 9. The config file itself. */
	snprintf(want, sizeof(want), "%s/nope.conf", tmp);
	conf_clear(&cf);
	ok(conf_load(want, &cf, err, sizeof(err)) == -1 &&
	    strstr(err, "nope.conf: No such file or directory") != NULL,
	    "missing config file");
	ok(cf.path == NULL && cf.database == NULL, "cf cleared on error");
	conf_clear(&cf);
	conf_clear(&cf);
	ok(1, "conf_clear twice is harmless");

	rmtree();
	return done_testing();
}
