/*
 * ctl.c: voicepactctl, the operator's tool.
 *
 *	voicepactctl [-c FILE | -d DBFILE] migrate
 *	voicepactctl [-c FILE | -d DBFILE] key create NAME
 *	voicepactctl [-c FILE | -d DBFILE] key list
 *	voicepactctl [-c FILE | -d DBFILE] key revoke ID|NAME
 *
 * Exit status: 0 done, 1 the operation failed (stderr says why), 2 usage.
 * An API key is "vpk_" and 43 base64url characters (32 random bytes); it
 * is printed once, alone on a line on stdout, and stored only as the
 * SHA-256 of the whole key string plus its first 12 characters.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "extern.h"

#ifndef VP_CONFFILE
#define VP_CONFFILE	"/etc/voicepact/voicepact.conf"
#endif

#define EXIT_USAGE	2
#define CTL_BUSY_MS	5000
#define KEY_RANDOM	32
#define KEY_TAG		"vpk_"
#define KEY_LEN		(sizeof(KEY_TAG) - 1 + 43)
#define KEY_PREFIX_LEN	12
#define KEY_NAME_MAX	64

static const char	*progname = "voicepactctl";

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: %s [-c FILE | -d DBFILE] command\n"
	    "  -c FILE             configuration file (default %s);\n"
	    "                      only its database setting is used\n"
	    "  -d DBFILE           the database file itself\n"
	    "commands:\n"
	    "  migrate             create the database or upgrade its "
	    "schema\n"
	    "  key create NAME     create an API key and print it (shown "
	    "once)\n"
	    "  key list            list API keys (never the keys "
	    "themselves)\n"
	    "  key revoke ID|NAME  revoke an API key\n"
	    "  help                show this text\n", progname, VP_CONFFILE);
}

/* base64url without padding of n bytes into out (4 * ceil(n / 3) + 1). */
static void
b64url(const unsigned char *in, size_t n, char *out)
{
	static const char	 tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t			 i;
	uint32_t		 v;

	for (i = 0; i + 2 < n; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		*out++ = tab[v >> 18 & 63];
		*out++ = tab[v >> 12 & 63];
		*out++ = tab[v >> 6 & 63];
		*out++ = tab[v & 63];
	}
	if (n - i == 1) {
		v = (uint32_t)in[i] << 16;
		*out++ = tab[v >> 18 & 63];
		*out++ = tab[v >> 12 & 63];
	} else if (n - i == 2) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		*out++ = tab[v >> 18 & 63];
		*out++ = tab[v >> 12 & 63];
		*out++ = tab[v >> 6 & 63];
	}
	*out = '\0';
}

/* A key name: 1..64 of [A-Za-z0-9._-], not all digits (those are ids). */
static int
valid_key_name(const char *s)
{
	size_t	 i;
	int	 digits = 1;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			continue;
		digits = 0;
		if ((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    s[i] == '.' || s[i] == '_' || s[i] == '-')
			continue;
		return 0;
	}
	return i > 0 && i <= KEY_NAME_MAX && !digits;
}

static int
cmd_migrate(const char *db)
{
	char	 err[512];

	if (store_migrate(db, err, sizeof(err)) != APP_OK) {
		fprintf(stderr, "%s: migrate: %s\n", progname, err);
		return EXIT_FAILURE;
	}
	printf("%s: schema version %d\n", db, VP_SCHEMA_VERSION);
	return EXIT_SUCCESS;
}

static int
cmd_key_create(struct store *st, const char *name)
{
	unsigned char	 raw[KEY_RANDOM], hash[32];
	char		 key[KEY_LEN + 1], prefix[KEY_PREFIX_LEN + 1];
	int64_t		 id;
	enum app_err	 e;
	int		 rc = EXIT_FAILURE;

	if (!random_bytes(raw, sizeof(raw))) {
		fprintf(stderr, "%s: no random bytes available\n", progname);
		goto out;
	}
	memcpy(key, KEY_TAG, sizeof(KEY_TAG) - 1);
	b64url(raw, sizeof(raw), key + sizeof(KEY_TAG) - 1);
	sha256(key, strlen(key), hash);
	memcpy(prefix, key, KEY_PREFIX_LEN);
	prefix[KEY_PREFIX_LEN] = '\0';

	e = store_key_create(st, name, prefix, hash, &id);
	if (e == APP_EINVAL) {
		fprintf(stderr, "%s: a key named %s already exists\n",
		    progname, name);
		goto out;
	}
	if (e != APP_OK) {
		fprintf(stderr, "%s: cannot store the key: %s\n", progname,
		    e == APP_EBUSY ? "database is locked" : "database error");
		goto out;
	}
	printf("%s\n", key);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "%s: could not print the new key; revoke it: "
		    "%s key revoke %s\n", progname, progname, name);
		goto out;
	}
	fprintf(stderr, "%s: created key %lld \"%s\" (%s...); it is shown "
	    "only this once\n", progname, (long long)id, name, prefix);
	rc = EXIT_SUCCESS;
out:
	explicit_bzero(raw, sizeof(raw));
	explicit_bzero(key, sizeof(key));
	return rc;
}

static void
list_one(void *arg, int64_t id, const char *name, const char *prefix,
    int64_t created_at, int64_t revoked_at)
{
	char	 created[21], revoked[21];

	(void)arg;
	rfc3339(created_at, created);
	if (revoked_at != 0) {
		rfc3339(revoked_at, revoked);
		printf("%-6lld %-24s %-13s %-21s revoked %s\n",
		    (long long)id, name, prefix, created, revoked);
	} else
		printf("%-6lld %-24s %-13s %-21s active\n",
		    (long long)id, name, prefix, created);
}

static int
cmd_key_list(struct store *st)
{
	printf("%-6s %-24s %-13s %-21s %s\n", "ID", "NAME", "PREFIX",
	    "CREATED", "STATUS");
	if (store_key_list(st, list_one, NULL) != APP_OK) {
		fprintf(stderr, "%s: cannot list keys: database error\n",
		    progname);
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

static int
cmd_key_revoke(struct store *st, const char *which)
{
	enum app_err	 e;

	e = store_key_revoke(st, which, (int64_t)time(NULL));
	if (e == APP_ENOTFOUND) {
		fprintf(stderr, "%s: no key with id or name %s\n", progname,
		    which);
		return EXIT_FAILURE;
	}
	if (e != APP_OK) {
		fprintf(stderr, "%s: cannot revoke key %s: %s\n", progname,
		    which, e == APP_EBUSY ? "database is locked" :
		    "database error");
		return EXIT_FAILURE;
	}
	fprintf(stderr, "%s: key %s revoked\n", progname, which);
	return EXIT_SUCCESS;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct config	 cf;
	struct store	*st = NULL;
	const char	*conffile = NULL, *db = NULL, *cmd;
	char		 err[512];
	int		 ch, busy_ms = CTL_BUSY_MS, rc = EXIT_FAILURE;

	memset(&cf, 0, sizeof(cf));
	log_init(progname, 0);
	while ((ch = getopt_long(argc, argv, "+c:d:h", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c':
			conffile = optarg;
			break;
		case 'd':
			db = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0 || (conffile != NULL && db != NULL)) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = argv[0];
	if (strcmp(cmd, "help") == 0) {
		usage(stdout);
		return EXIT_SUCCESS;
	}
	if (!((strcmp(cmd, "migrate") == 0 && argc == 1) ||
	    (strcmp(cmd, "key") == 0 && argc == 3 &&
	    (strcmp(argv[1], "create") == 0 ||
	    strcmp(argv[1], "revoke") == 0)) ||
	    (strcmp(cmd, "key") == 0 && argc == 2 &&
	    strcmp(argv[1], "list") == 0))) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(cmd, "key") == 0 && strcmp(argv[1], "create") == 0 &&
	    !valid_key_name(argv[2])) {
		fprintf(stderr, "%s: key name must be 1..%d characters of "
		    "A-Z a-z 0-9 . _ - and not all digits\n", progname,
		    KEY_NAME_MAX);
		return EXIT_USAGE;
	}

	if (db == NULL) {
		if (conffile == NULL)
			conffile = VP_CONFFILE;
		if (conf_load(conffile, &cf, err, sizeof(err)) == -1) {
			fprintf(stderr, "%s: %s\n", progname, err);
			goto out;
		}
		if (cf.database == NULL) {
			fprintf(stderr, "%s: %s: no database setting\n",
			    progname, conffile);
			goto out;
		}
		db = cf.database;
		if (cf.busy_timeout_ms > 0)
			busy_ms = cf.busy_timeout_ms;
	}

	if (strcmp(cmd, "migrate") == 0) {
		rc = cmd_migrate(db);
		goto out;
	}
	if (store_open(db, busy_ms, &st, err, sizeof(err)) != APP_OK) {
		fprintf(stderr, "%s: %s\n", progname, err);
		goto out;
	}
	if (strcmp(argv[1], "create") == 0)
		rc = cmd_key_create(st, argv[2]);
	else if (strcmp(argv[1], "list") == 0)
		rc = cmd_key_list(st);
	else
		rc = cmd_key_revoke(st, argv[2]);
out:
	store_close(st);
	conf_clear(&cf);
	if (fflush(stdout) == EOF && rc == EXIT_SUCCESS)
		rc = EXIT_FAILURE;
	return rc;
}
