/*
 * ctl_keys.c: voicepactctl migrate and key create, list, revoke.
 *
 * An API key is "vpk_" and 43 base64url characters (32 random bytes); it
 * is printed once, alone on a line on stdout, and stored only as the
 * SHA-256 of the whole key string plus its first 12 characters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "extern.h"
#include "ctl.h"

#define KEY_RANDOM	32
#define KEY_TAG		"vpk_"
#define KEY_LEN		(sizeof(KEY_TAG) - 1 + 43)
#define KEY_PREFIX_LEN	12

int
cmd_migrate(const char *db)
{
	char	 err[512];

	if (store_migrate(db, err, sizeof(err)) != APP_OK) {
		fprintf(stderr, "%s: migrate: %s\n", PROGNAME, err);
		return EXIT_FAILURE;
	}
	printf("%s: schema version %d\n", db, VP_SCHEMA_VERSION);
	return EXIT_SUCCESS;
}

int
cmd_key_create(struct store *st, const char *name)
{
	unsigned char	 raw[KEY_RANDOM], hash[32];
	char		 key[KEY_LEN + 1], prefix[KEY_PREFIX_LEN + 1];
	int64_t		 id;
	enum app_err	 e;
	int		 rc = EXIT_FAILURE;

	if (!random_bytes(raw, sizeof(raw))) {
		fprintf(stderr, "%s: no random bytes available\n", PROGNAME);
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
		    PROGNAME, name);
		goto out;
	}
	if (e != APP_OK) {
		fprintf(stderr, "%s: cannot store the key: %s\n", PROGNAME,
		    e == APP_EBUSY ? "database is locked" : "database error");
		goto out;
	}
	if (ctl_json) {
		printf("{\"id\":%lld,\"name\":", (long long)id);
		jstr(name);
		printf(",\"prefix\":");
		jstr(prefix);
		printf(",\"key\":\"%s\"}\n", key);	/* base64url: no escaping */
	} else
		printf("%s\n", key);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "%s: could not print the new key; revoke it: "
		    "%s key revoke %s\n", PROGNAME, PROGNAME, name);
		goto out;
	}
	fprintf(stderr, "%s: created key %lld \"%s\" (%s...); it is shown "
	    "only this once\n", PROGNAME, (long long)id, name, prefix);
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

	int	*n = arg;

	if (ctl_json) {
		fputs(*n == 0 ? "[\n" : ",\n", stdout);
		printf("{\"id\":%lld,\"name\":", (long long)id);
		jstr(name);
		printf(",\"prefix\":");
		jstr(prefix);
		printf(",\"created_at\":");
		jtime(created_at);
		printf(",\"revoked_at\":");
		jtime(revoked_at);
		printf("}");
		(*n)++;
		return;
	}
	(*n)++;
	rfc3339(created_at, created);
	if (revoked_at != 0) {
		rfc3339(revoked_at, revoked);
		printf("%-6lld %-24s %-13s %-21s revoked %s\n",
		    (long long)id, name, prefix, created, revoked);
	} else
		printf("%-6lld %-24s %-13s %-21s active\n",
		    (long long)id, name, prefix, created);
}

int
cmd_key_list(struct store *st)
{
	enum app_err	 e;
	int		 n = 0;

	if (!ctl_json)
		printf("%-6s %-24s %-13s %-21s %s\n", "ID", "NAME", "PREFIX",
		    "CREATED", "STATUS");
	e = store_key_list(st, list_one, &n);
	if (ctl_json)
		fputs(n == 0 ? "[]\n" : "\n]\n", stdout);
	if (e != APP_OK) {
		fprintf(stderr, "%s: cannot list keys: database error\n",
		    PROGNAME);
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

int
cmd_key_revoke(struct store *st, const char *which)
{
	enum app_err	 e;

	e = store_key_revoke(st, which, (int64_t)time(NULL));
	if (e == APP_ENOTFOUND) {
		fprintf(stderr, "%s: no key with id or name %s\n", PROGNAME,
		    which);
		return EXIT_NOTFOUND;
	}
	if (e != APP_OK) {
		fprintf(stderr, "%s: cannot revoke key %s: %s\n", PROGNAME,
		    which, e == APP_EBUSY ? "database is locked" :
		    "database error");
		return EXIT_FAILURE;
	}
	if (ctl_json) {
		printf("{\"revoked\":");
		jstr(which);
		printf("}\n");
	} else
		fprintf(stderr, "%s: key %s revoked\n", PROGNAME, which);
	return EXIT_SUCCESS;
}
