/*
 * ctl_maint.c: voicepactctl prune, check and backup.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "extern.h"
#include "ctl.h"

#define PRUNE_MIN	(7 * 86400)	/* seconds: AT retries are far shorter */

int
cmd_prune(struct store *st, const char *older)
{
	int64_t		 secs, before, deleted = 0;
	char		 t[21];
	enum app_err	 e;

	if ((secs = parse_duration(older)) <= 0) {
		fprintf(stderr, "%s: --older-than must be a duration such as "
		    "90d, 12h or 2w\n", PROGNAME);
		return EXIT_USAGE;
	}
	/*
	 * The event log is also how a re-delivery is recognised: pruning
	 * what a sender may still retry would store a retry twice.
	 */
	if (secs < PRUNE_MIN) {
		fprintf(stderr, "%s: --older-than must be at least 7d: "
		    "recent events recognise re-deliveries\n", PROGNAME);
		return EXIT_USAGE;
	}
	before = (int64_t)time(NULL) - secs;
	e = store_prune_events(st, before * 1000000, &deleted);
	rfc3339(before, t);
	if (e != APP_OK && deleted == 0)
		return store_exit(e, "prune");
	if (ctl_json)
		printf("{\"deleted\":%lld,\"before\":\"%s\",\"complete\":%s}\n",
		    (long long)deleted, t, e == APP_OK ? "true" : "false");
	else
		printf("deleted %lld events received before %s%s\n",
		    (long long)deleted, t, e == APP_OK ? "" :
		    " (stopped early)");
	return store_exit(e, "prune");
}

static void
check_line(void *arg, const char *line)
{
	int	*n = arg;
	char	 esc[1024];

	log_escape(line, strlen(line), esc, sizeof(esc));
	if (ctl_json)
		fputs(*n == 0 ? "" : ",", stdout);
	if (ctl_json)
		jstr(esc);
	else
		printf("problem: %s\n", esc);
	(*n)++;
}

/* Size of path + suffix in bytes, or -1 if it does not exist. */
static long long
file_size(const char *path, const char *suffix)
{
	struct stat	 sb;
	char		 p[4096];

	if ((size_t)snprintf(p, sizeof(p), "%s%s", path, suffix) >= sizeof(p))
		return -1;
	if (stat(p, &sb) == -1)
		return -1;
	return (long long)sb.st_size;
}

int
cmd_check(struct store *st, const char *db)
{
	enum app_err	 e;
	int		 version = 0, problems = 0, n = 0;

	if (ctl_json)
		printf("{\"problems\":[");
	e = store_check(st, &version, &problems, check_line, &n);
	if (ctl_json) {
		printf("],\"schema_version\":%d,\"expected_version\":%d,"
		    "\"integrity\":\"%s\",\"database_bytes\":%lld,"
		    "\"wal_bytes\":%lld}\n", version, VP_SCHEMA_VERSION,
		    e != APP_OK ? "unknown" : problems == 0 ? "ok" : "failed",
		    file_size(db, ""), file_size(db, "-wal"));
	} else if (e == APP_OK) {
		printf("schema version %d (this build: %d)\n", version,
		    VP_SCHEMA_VERSION);
		printf("integrity %s\n", problems == 0 ? "ok" : "FAILED");
		printf("database %lld bytes, -wal %lld bytes\n",
		    file_size(db, ""), file_size(db, "-wal"));
	}
	if (e != APP_OK)
		return store_exit(e, "check");
	return problems == 0 ? EXIT_SUCCESS : EXIT_PROBLEMS;
}

int
cmd_backup(struct store *st, const char *dest)
{
	char		 err[512];
	enum app_err	 e;

	if ((e = store_backup(st, dest, err, sizeof(err))) != APP_OK) {
		fprintf(stderr, "%s: %s\n", PROGNAME, err);
		return e == APP_EBUSY ? EXIT_BUSY : EXIT_FAILURE;
	}
	if (ctl_json) {
		printf("{\"backup\":");
		jstr(dest);
		printf(",\"bytes\":%lld}\n", file_size(dest, ""));
	} else
		printf("backup written to %s (%lld bytes)\n", dest,
		    file_size(dest, ""));
	return EXIT_SUCCESS;
}
