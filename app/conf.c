/*
 * conf.c: the configuration file.
 *
 * Format: one "key = value" per line; '#' starts a comment anywhere on a
 * line; blank lines are ignored; values are not quoted. Paths are
 * relative to the directory of the configuration file, and the text
 * "${CREDENTIALS_DIRECTORY}" in a path is replaced by that environment
 * variable (systemd LoadCredential=), which must then be set.
 *
 * Secrets and tokens are read from files named by webhook_secret_file and
 * path_token_file (repeatable keys): one per line, blank lines skipped,
 * CR LF tolerated. Such a file must not be accessible by "other". Their
 * contents never appear in an error message.
 *
 * Ownership: struct config owns every string in it; conf_clear() frees
 * them and wipes the secrets. Error texts name the file, the line and the
 * rule; they are for the operator (stderr), not for HTTP clients.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "extern.h"

#define CONF_LINE_MAX	4096
#define ANSWER_MAX	65536
#define SECRET_FILE_MAX	65536
#define SECRET_MIN	16
#define SECRET_MAX	1024
#define TOKEN_MIN	16
#define TOKEN_MAX	128
#define CRED_VAR	"${CREDENTIALS_DIRECTORY}"

/*
 * The built-in answer document for live AT requests when answer_file is
 * not set. Keep it identical to app/etc/answer.xml.
 */
static const char default_answer[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<Response>\n"
    "\t<Say>This call is recorded.</Say>\n"
    "\t<Record/>\n"
    "</Response>\n";

enum key {
	K_SOCKET = 0,
	K_SOCKET_GROUP,
	K_SOCKET_MODE,
	K_DATABASE,
	K_WORKERS,
	K_BUSY_TIMEOUT,
	K_USER,
	K_ANSWER_FILE,
	K_AUTH_SIGNATURE,
	K_AUTH_TOKEN,
	K_ALLOW_UNAUTH,
	K_SECRET_FILE,
	K_TOKEN_FILE,
	K__MAX
};

static const struct keydef {
	const char	*name;
	int		 repeatable;
} keys[K__MAX] = {
	[K_SOCKET] = { "socket", 0 },
	[K_SOCKET_GROUP] = { "socket_group", 0 },
	[K_SOCKET_MODE] = { "socket_mode", 0 },
	[K_DATABASE] = { "database", 0 },
	[K_WORKERS] = { "workers", 0 },
	[K_BUSY_TIMEOUT] = { "busy_timeout_ms", 0 },
	[K_USER] = { "user", 0 },
	[K_ANSWER_FILE] = { "answer_file", 0 },
	[K_AUTH_SIGNATURE] = { "auth_signature", 0 },
	[K_AUTH_TOKEN] = { "auth_token", 0 },
	[K_ALLOW_UNAUTH] = { "allow_unauthenticated", 0 },
	[K_SECRET_FILE] = { "webhook_secret_file", 1 },
	[K_TOKEN_FILE] = { "path_token_file", 1 },
};

struct parse {
	const char	*file;		/* the config path, for messages */
	char		 dir[PATH_MAX];	/* its directory, absolute */
	int		 line;
	int		 seen[K__MAX];	/* line first seen, 0: not yet */
	char		*err;
	size_t		 errsz;
};

static int	 perr(struct parse *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static char	*trim(char *);
static int	 set_path(struct parse *, const char *, const char *,
		    char **);
static int	 set_string(struct parse *, const char *, const char *,
		    char **);
static int	 set_bool(struct parse *, const char *, const char *, int *);
static int	 set_int(struct parse *, const char *, const char *, int,
		    int, int *);
static int	 set_mode(struct parse *, const char *, unsigned int *);
static int	 read_file(struct parse *, const char *, const char *,
		    size_t, int, char **, size_t *);
static int	 load_lines(struct parse *, const char *, const char *,
		    int, char **, size_t *);
static int	 valid_token(const char *);
static int	 parse_line(struct parse *, struct config *, char *);

/* Formats "file:line: message" (or "file: message" if line is 0). */
static int
perr(struct parse *p, const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->err == NULL || p->errsz == 0)
		return -1;
	if (p->line > 0)
		snprintf(p->err, p->errsz, "%s:%d: %s", p->file, p->line,
		    msg);
	else
		snprintf(p->err, p->errsz, "%s: %s", p->file, msg);
	return -1;
}

/* Strips leading and trailing blanks in place; returns the start. */
static char *
trim(char *s)
{
	char	*e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
	    e[-1] == '\n'))
		*--e = '\0';
	return s;
}

/*
 * Expands ${CREDENTIALS_DIRECTORY} in val, makes it absolute against the
 * config file's directory, and stores a malloc'd copy in *out.
 */
static int
set_path(struct parse *p, const char *key, const char *val, char **out)
{
	char		 exp[PATH_MAX], full[PATH_MAX];
	const char	*s, *cred;
	size_t		 o = 0, n;

	for (s = val; *s != '\0'; ) {
		if (strncmp(s, CRED_VAR, sizeof(CRED_VAR) - 1) == 0) {
			cred = getenv("CREDENTIALS_DIRECTORY");
			if (cred == NULL || *cred == '\0')
				return perr(p, "%s uses %s, but "
				    "CREDENTIALS_DIRECTORY is not set "
				    "(systemd LoadCredential= provides it)",
				    key, CRED_VAR);
			n = strlen(cred);
			if (o + n >= sizeof(exp))
				return perr(p, "%s is too long", key);
			memcpy(exp + o, cred, n);
			o += n;
			s += sizeof(CRED_VAR) - 1;
			continue;
		}
		if (s[0] == '$' && s[1] == '{')
			return perr(p, "%s: only %s is expanded in paths",
			    key, CRED_VAR);
		if (o + 1 >= sizeof(exp))
			return perr(p, "%s is too long", key);
		exp[o++] = *s++;
	}
	exp[o] = '\0';
	if (exp[0] == '\0')
		return perr(p, "%s must not be empty", key);

	if (exp[0] == '/')
		n = (size_t)snprintf(full, sizeof(full), "%s", exp);
	else
		n = (size_t)snprintf(full, sizeof(full), "%s/%s", p->dir,
		    exp);
	if (n >= sizeof(full))
		return perr(p, "%s is too long", key);
	free(*out);
	if ((*out = strdup(full)) == NULL)
		return perr(p, "out of memory");
	return 0;
}

/* A plain word: printable ASCII without blanks, at most 64 bytes. */
static int
set_string(struct parse *p, const char *key, const char *val, char **out)
{
	const char	*s;

	if (*val == '\0' || strlen(val) > 64)
		return perr(p, "%s must be 1 to 64 characters", key);
	for (s = val; *s != '\0'; s++)
		if (*s <= ' ' || *s >= 0x7f)
			return perr(p, "%s must not contain blanks or "
			    "control characters", key);
	free(*out);
	if ((*out = strdup(val)) == NULL)
		return perr(p, "out of memory");
	return 0;
}

static int
set_bool(struct parse *p, const char *key, const char *val, int *out)
{
	if (strcmp(val, "yes") == 0)
		*out = 1;
	else if (strcmp(val, "no") == 0)
		*out = 0;
	else
		return perr(p, "%s must be yes or no", key);
	return 0;
}

/* Decimal digits only, in [min, max]. */
static int
set_int(struct parse *p, const char *key, const char *val, int min, int max,
    int *out)
{
	long long	 v = 0;
	const char	*s;

	if (*val == '\0' || strlen(val) > 9)
		goto bad;
	for (s = val; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			goto bad;
		v = v * 10 + (*s - '0');
	}
	if (v < min || v > max)
		goto bad;
	*out = (int)v;
	return 0;
bad:
	return perr(p, "%s must be a whole number from %d to %d", key, min,
	    max);
}

/* Octal digits only, at most 0777. */
static int
set_mode(struct parse *p, const char *val, unsigned int *out)
{
	unsigned int	 v = 0;
	const char	*s;

	if (*val == '\0' || strlen(val) > 4)
		goto bad;
	for (s = val; *s != '\0'; s++) {
		if (*s < '0' || *s > '7')
			goto bad;
		v = v * 8 + (unsigned int)(*s - '0');
	}
	if (v > 0777)
		goto bad;
	*out = v;
	return 0;
bad:
	return perr(p, "socket_mode must be an octal mode from 0 to 0777, "
	    "e.g. 0660");
}

/*
 * Reads the regular file path (named by key) into a malloc'd,
 * NUL-terminated buffer of at most max bytes. If private, refuses a file
 * with any permission for "other". Refuses NUL bytes.
 */
static int
read_file(struct parse *p, const char *key, const char *path, size_t max,
    int private, char **out, size_t *outlen)
{
	struct stat	 st;
	char		*buf = NULL;
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd = -1, saved;

	*out = NULL;
	*outlen = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		saved = errno;
		return perr(p, "%s %s: %s", key, path, strerror(saved));
	}
	if (fstat(fd, &st) == -1) {
		saved = errno;
		perr(p, "%s %s: %s", key, path, strerror(saved));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		perr(p, "%s %s: not a regular file", key, path);
		goto fail;
	}
	if (private && (st.st_mode & 007) != 0) {
		perr(p, "%s %s: refusing a secret file that \"other\" can "
		    "access (mode %04o); run chmod o-rwx on it", key, path,
		    (unsigned int)(st.st_mode & 07777));
		goto fail;
	}
	if (st.st_size < 0 || (size_t)st.st_size > max) {
		perr(p, "%s %s: larger than %zu bytes", key, path, max);
		goto fail;
	}
	if ((buf = malloc(max + 1)) == NULL) {
		perr(p, "out of memory");
		goto fail;
	}
	for (;;) {
		n = read(fd, buf + len, max + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			saved = errno;
			perr(p, "%s %s: %s", key, path, strerror(saved));
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max) {
			perr(p, "%s %s: larger than %zu bytes", key, path,
			    max);
			goto fail;
		}
	}
	buf[len] = '\0';
	if (memchr(buf, '\0', len) != NULL) {
		perr(p, "%s %s: contains a NUL byte", key, path);
		goto fail;
	}
	close(fd);
	*out = buf;
	*outlen = len;
	return 0;
fail:
	if (buf != NULL) {
		explicit_bzero(buf, max + 1);
		free(buf);
	}
	if (fd != -1)
		close(fd);
	return -1;
}

/* 16..128 characters of [A-Za-z0-9_-]. */
static int
valid_token(const char *s)
{
	size_t	 n;

	for (n = 0; s[n] != '\0'; n++)
		if (!(s[n] >= 'a' && s[n] <= 'z') &&
		    !(s[n] >= 'A' && s[n] <= 'Z') &&
		    !(s[n] >= '0' && s[n] <= '9') && s[n] != '_' &&
		    s[n] != '-')
			return 0;
	return n >= TOKEN_MIN && n <= TOKEN_MAX;
}

/*
 * Loads the secrets (tokens if is_token) of the file path into v,
 * appending to *nv (at most VP_MAX_SECRETS in all). The values are never
 * printed.
 */
static int
load_lines(struct parse *p, const char *key, const char *path, int is_token,
    char **v, size_t *nv)
{
	char	*buf = NULL, *line, *next, *e;
	size_t	 len, n;
	int	 lineno = 0, rc = -1, blank;

	if (read_file(p, key, path, SECRET_FILE_MAX, 1, &buf, &len) == -1)
		return -1;
	for (line = buf; line != NULL && *line != '\0'; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		e = line + strlen(line);
		if (e > line && e[-1] == '\r')
			*--e = '\0';
		blank = 1;
		for (e = line; *e != '\0'; e++)
			if (*e != ' ' && *e != '\t')
				blank = 0;
		if (blank)
			continue;
		n = strlen(line);
		if (is_token && !valid_token(line)) {
			perr(p, "%s %s line %d: a path token must be %d to "
			    "%d characters of A-Z a-z 0-9 _ -", key, path,
			    lineno, TOKEN_MIN, TOKEN_MAX);
			goto fail;
		}
		if (!is_token && (n < SECRET_MIN || n > SECRET_MAX)) {
			perr(p, "%s %s line %d: a webhook secret must be %d "
			    "to %d bytes long", key, path, lineno,
			    SECRET_MIN, SECRET_MAX);
			goto fail;
		}
		if (*nv >= VP_MAX_SECRETS) {
			perr(p, "%s %s line %d: more than %d %s in all", key,
			    path, lineno, VP_MAX_SECRETS,
			    is_token ? "path tokens" : "webhook secrets");
			goto fail;
		}
		if ((v[*nv] = strdup(line)) == NULL) {
			perr(p, "out of memory");
			goto fail;
		}
		(*nv)++;
	}
	rc = 0;
fail:
	explicit_bzero(buf, SECRET_FILE_MAX + 1);
	free(buf);
	return rc;
}

/* Parses one line (comment already cut) into cf. */
static int
parse_line(struct parse *p, struct config *cf, char *s)
{
	char		*eq, *key, *val, *path = NULL;
	const char	*c;
	size_t		 len;
	enum key	 k;
	int		 rc;

	s = trim(s);
	if (*s == '\0')
		return 0;
	if ((eq = strchr(s, '=')) == NULL)
		return perr(p, "expected \"key = value\"");
	*eq = '\0';
	key = trim(s);
	val = trim(eq + 1);
	if (*key == '\0')
		return perr(p, "expected \"key = value\"");
	for (c = key; *c != '\0'; c++)
		if (!(*c >= 'a' && *c <= 'z') && *c != '_' &&
		    !(*c >= '0' && *c <= '9'))
			return perr(p, "malformed key (lowercase letters, "
			    "digits and '_' only)");
	for (k = 0; k < K__MAX; k++)
		if (strcmp(key, keys[k].name) == 0)
			break;
	if (k == K__MAX)
		return perr(p, "unknown key \"%.64s\"", key);
	if (p->seen[k] && !keys[k].repeatable)
		return perr(p, "%s given twice (first on line %d)", key,
		    p->seen[k]);
	if (!p->seen[k])
		p->seen[k] = p->line;
	if (*val == '\0')
		return perr(p, "%s has no value", key);
	len = strlen(val);
	if (*val == '"' || *val == '\'' || val[len - 1] == '"' ||
	    val[len - 1] == '\'')
		return perr(p, "%s: values are not quoted", key);
	for (c = val; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return perr(p, "%s contains a control character",
			    key);

	switch (k) {
	case K_SOCKET:
		return set_path(p, key, val, &cf->socket_path);
	case K_SOCKET_GROUP:
		return set_string(p, key, val, &cf->socket_group);
	case K_SOCKET_MODE:
		return set_mode(p, val, &cf->socket_mode);
	case K_DATABASE:
		return set_path(p, key, val, &cf->database);
	case K_WORKERS:
		return set_int(p, key, val, 0, 256, &cf->workers);
	case K_BUSY_TIMEOUT:
		return set_int(p, key, val, 1, 60000, &cf->busy_timeout_ms);
	case K_USER:
		return set_string(p, key, val, &cf->user);
	case K_ANSWER_FILE:
		if (set_path(p, key, val, &cf->answer_file) == -1)
			return -1;
		free(cf->answer);
		cf->answer = NULL;
		if (read_file(p, key, cf->answer_file, ANSWER_MAX, 0,
		    &cf->answer, &cf->answer_len) == -1)
			return -1;
		if (cf->answer_len == 0)
			return perr(p, "answer_file %s is empty",
			    cf->answer_file);
		return 0;
	case K_AUTH_SIGNATURE:
		return set_bool(p, key, val, &cf->auth_signature);
	case K_AUTH_TOKEN:
		return set_bool(p, key, val, &cf->auth_token);
	case K_ALLOW_UNAUTH:
		return set_bool(p, key, val, &cf->allow_unauthenticated);
	case K_SECRET_FILE:
	case K_TOKEN_FILE:
		if (set_path(p, key, val, &path) == -1)
			return -1;
		if (k == K_SECRET_FILE)
			rc = load_lines(p, key, path, 0, cf->secrets,
			    &cf->nsecrets);
		else
			rc = load_lines(p, key, path, 1, cf->tokens,
			    &cf->ntokens);
		free(path);
		return rc;
	case K__MAX:
		break;
	}
	abort();
}

/*
 * Loads the configuration file path into cf (which need not be
 * initialised; its previous contents are not freed). Returns 0, or -1
 * with err naming the file, the line and the rule broken; on error cf is
 * left cleared. Reads the secret, token and answer files it names.
 */
int
conf_load(const char *path, struct config *cf, char *err, size_t errsz)
{
	struct parse	 p;
	FILE		*fp = NULL;
	char		*line = NULL, *hash, *slash, dirbuf[PATH_MAX];
	size_t		 linesz = 0;
	ssize_t		 n;
	int		 saved;

	memset(cf, 0, sizeof(*cf));
	cf->socket_mode = 0660;
	cf->workers = 0;
	cf->busy_timeout_ms = 2000;
	cf->auth_signature = 1;
	cf->auth_token = 0;
	cf->allow_unauthenticated = 0;

	memset(&p, 0, sizeof(p));
	p.file = path;
	p.err = err;
	p.errsz = errsz;
	if (err != NULL && errsz > 0)
		err[0] = '\0';

	if ((cf->path = strdup(path)) == NULL) {
		perr(&p, "out of memory");
		goto fail;
	}
	/* The directory of the file, made absolute. */
	if (snprintf(dirbuf, sizeof(dirbuf), "%s", path) >=
	    (int)sizeof(dirbuf)) {
		perr(&p, "path too long");
		goto fail;
	}
	if ((slash = strrchr(dirbuf, '/')) == NULL)
		snprintf(dirbuf, sizeof(dirbuf), ".");
	else if (slash == dirbuf)
		dirbuf[1] = '\0';
	else
		*slash = '\0';
	if (realpath(dirbuf, p.dir) == NULL) {
		saved = errno;
		perr(&p, "cannot resolve its directory: %s",
		    strerror(saved));
		goto fail;
	}

	if ((fp = fopen(path, "re")) == NULL) {
		saved = errno;
		perr(&p, "%s", strerror(saved));
		goto fail;
	}
	while ((n = getline(&line, &linesz, fp)) != -1) {
		p.line++;
		if (n > CONF_LINE_MAX) {
			perr(&p, "line longer than %d bytes", CONF_LINE_MAX);
			goto fail;
		}
		if ((size_t)n != strlen(line)) {
			perr(&p, "contains a NUL byte");
			goto fail;
		}
		if ((hash = strchr(line, '#')) != NULL)
			*hash = '\0';
		if (parse_line(&p, cf, line) == -1)
			goto fail;
	}
	if (ferror(fp)) {
		saved = errno;
		p.line = 0;
		perr(&p, "read error: %s", strerror(saved));
		goto fail;
	}
	fclose(fp);
	fp = NULL;
	free(line);
	line = NULL;

	p.line = 0;
	if (cf->database == NULL) {
		perr(&p, "database is not set");
		goto fail;
	}
	if (cf->auth_signature && cf->nsecrets == 0) {
		perr(&p, "auth_signature is enabled but no secret is "
		    "configured; set webhook_secret_file");
		goto fail;
	}
	if (cf->auth_token && cf->ntokens == 0) {
		perr(&p, "auth_token is enabled but no token is configured; "
		    "set path_token_file");
		goto fail;
	}
	if (!cf->auth_signature && !cf->auth_token &&
	    !cf->allow_unauthenticated) {
		perr(&p, "no authentication method enabled; set "
		    "auth_signature or auth_token, or allow_unauthenticated "
		    "= yes for local development only");
		goto fail;
	}
	if (cf->answer == NULL) {
		if ((cf->answer = strdup(default_answer)) == NULL) {
			perr(&p, "out of memory");
			goto fail;
		}
		cf->answer_len = sizeof(default_answer) - 1;
	}
	return 0;

fail:
	if (fp != NULL)
		fclose(fp);
	free(line);
	conf_clear(cf);
	return -1;
}

/*
 * Frees everything cf owns and wipes the secrets and tokens from memory;
 * cf is zeroed afterwards. A zeroed cf is fine.
 */
void
conf_clear(struct config *cf)
{
	size_t	 i;

	if (cf == NULL)
		return;
	for (i = 0; i < cf->nsecrets && i < VP_MAX_SECRETS; i++) {
		if (cf->secrets[i] != NULL) {
			explicit_bzero(cf->secrets[i], strlen(cf->secrets[i]));
			free(cf->secrets[i]);
		}
	}
	for (i = 0; i < cf->ntokens && i < VP_MAX_SECRETS; i++) {
		if (cf->tokens[i] != NULL) {
			explicit_bzero(cf->tokens[i], strlen(cf->tokens[i]));
			free(cf->tokens[i]);
		}
	}
	free(cf->path);
	free(cf->socket_path);
	free(cf->socket_group);
	free(cf->database);
	free(cf->user);
	free(cf->answer_file);
	free(cf->answer);
	memset(cf, 0, sizeof(*cf));
}
