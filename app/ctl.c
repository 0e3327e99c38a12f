/*
 * ctl.c: voicepactctl, the operator's tool.
 *
 *	voicepactctl [-c FILE | -d DBFILE] [--json] command [options]
 *
 *	migrate				create or upgrade the schema
 *	key create NAME | key list | key revoke ID|NAME
 *	recordings show ID
 *	recordings list [--status S] [--since T] [--until T] [--limit N]
 *	events list [--session ID] [--outcome O] [--since T] [--until T]
 *	    [--limit N]
 *	events show ID			the raw body as received
 *	events replay ID [--dry-run]	normalise a stored delivery again
 *	prune [--older-than DURATION]	event-log retention (default 90d)
 *	check				integrity and schema version
 *	backup FILE			online backup into a new file
 *
 * Every command takes --help and --json. Exit status (EXIT STATUS in
 * voicepactctl(8)): 0 done, 1 the operation failed (stderr says why),
 * 2 usage, 3 not found, 4 the database stayed busy (try again), 5 check
 * found problems.
 *
 * This file: main(), the command table, option parsing, usage, help and
 * dispatch. The commands are in ctl_keys.c, ctl_data.c and ctl_maint.c,
 * the output helpers in ctl_out.c; ctl.h is their interface.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "extern.h"
#include "ctl.h"

#ifndef VP_CONFFILE
#define VP_CONFFILE	"/etc/voicepact/voicepact.conf"
#endif

#define CTL_BUSY_MS	5000
#define KEY_NAME_MAX	64
#define LIST_DEFAULT	50
#define LIST_MAX	100000
#define RETENTION	"90d"

int	 ctl_json;		/* --json */

struct cmd {
	const char	*name;		/* "recordings list" */
	const char	*args;		/* synopsis of its arguments */
	const char	*help;		/* what it does, and its options */
};

static const struct cmd cmds[] = {
	{ "migrate", "",
	    "Creates the database, or upgrades its schema (idempotent)." },
	{ "key create", "NAME",
	    "Creates an API key and prints it on stdout (shown only once)." },
	{ "key list", "",
	    "Lists API keys: id, name, prefix, created, status (never the "
	    "keys)." },
	{ "key revoke", "ID|NAME", "Revokes an API key." },
	{ "recordings show", "ID",
	    "Shows every stored field of one recording (call session)." },
	{ "recordings list",
	    "[--status S] [--since T] [--until T] [--limit N]",
	    "Lists recordings, newest first (created_at).\n"
	    "  --status S   in-progress, completed, failed, busy, no-answer "
	    "or rejected\n"
	    "  --since T    created at or after T; --until T: before T\n"
	    "  --limit N    at most N rows (default 50)\n"
	    "T is unix seconds, YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ, or a "
	    "duration\nsuch as 30m, 12h, 7d, 2w (that long ago)." },
	{ "events list",
	    "[--session ID] [--outcome O] [--since T] [--until T] [--limit N]",
	    "Lists event-log entries (every delivery), newest first.\n"
	    "  --session ID  one call session\n"
	    "  --outcome O   stored, duplicate or rejected\n"
	    "  --since T, --until T, --limit N  as for recordings list" },
	{ "events show", "ID",
	    "Writes the raw body of event ID to stdout, byte for byte.\n"
	    "With --json: the whole entry, the body as text (or base64)." },
	{ "events replay", "ID [--dry-run]",
	    "Runs a stored delivery through decoding, normalisation and "
	    "folding\nagain, for a bug fixed after it arrived, and logs it as "
	    "a new event.\nOnly deliveries that passed authentication are "
	    "replayed. An accepted\ndelivery replays as a duplicate.\n"
	    "  --dry-run  show the normalised event, write nothing" },
	{ "prune", "[--older-than DURATION]",
	    "Deletes event-log entries older than DURATION (default 90d;\n"
	    "units s, m, h, d, w), in short transactions. Recordings stay." },
	{ "check", "",
	    "Full integrity check, schema version, and the sizes of the "
	    "database\nand its -wal file." },
	{ "backup", "FILE",
	    "Copies the live database into the new FILE (SQLite online "
	    "backup:\na consistent snapshot, safe while voicepactd runs), "
	    "then checks the copy." },
};
#define NCMDS	(sizeof(cmds) / sizeof(cmds[0]))

static void
usage(FILE *fp)
{
	size_t	 i;

	fprintf(fp, "usage: %s [-c FILE | -d DBFILE] [--json] command "
	    "[args]\n"
	    "  -c FILE      configuration file (default %s),\n"
	    "               read whole: its secret files must be readable\n"
	    "  -d DBFILE    the database file itself\n"
	    "  --json       JSON output\n"
	    "commands:\n", PROGNAME, VP_CONFFILE);
	for (i = 0; i < NCMDS; i++)
		fprintf(fp, "  %s%s%s\n", cmds[i].name,
		    cmds[i].args[0] != '\0' ? " " : "", cmds[i].args);
	fprintf(fp, "  help [COMMAND]\n"
	    "\"%s COMMAND --help\" describes a command. Exit status: 0 ok, "
	    "1 failed,\n2 usage, 3 not found, 4 database busy, 5 check found "
	    "problems.\n", PROGNAME);
}

/* Prints the help of the command named name (may be a group). */
static int
cmd_help(FILE *fp, const char *name)
{
	size_t	 i, n = 0, len = strlen(name);

	for (i = 0; i < NCMDS; i++)
		if (strncmp(cmds[i].name, name, len) == 0 &&
		    (cmds[i].name[len] == '\0' || cmds[i].name[len] == ' ')) {
			fprintf(fp, "usage: %s [-c FILE | -d DBFILE] [--json] "
			    "%s %s\n%s\n\n", PROGNAME, cmds[i].name,
			    cmds[i].args, cmds[i].help);
			n++;
		}
	if (n == 0) {
		fprintf(stderr, "%s: no command %s\n", PROGNAME, name);
		return EXIT_USAGE;
	}
	return EXIT_SUCCESS;
}

/* ---------------------------------------------------------------------
 * Argument parsing.
 */

/* Digits only, 1..max; -1 otherwise. */
static long long
parse_count(const char *s, long long max)
{
	const char	*errstr;
	long long	 v;

	v = strtonum_digits(s, 1, max, &errstr);
	return errstr != NULL ? -1 : v;
}

/*
 * A duration: digits and one unit of s, m, h, d, w (e.g. "90d").
 * Returns seconds, or -1.
 */
int64_t
parse_duration(const char *s)
{
	char		 num[20];
	size_t		 len = strlen(s);
	long long	 v, mul;

	if (len < 2 || len > sizeof(num))
		return -1;
	switch (s[len - 1]) {
	case 's': mul = 1; break;
	case 'm': mul = 60; break;
	case 'h': mul = 3600; break;
	case 'd': mul = 86400; break;
	case 'w': mul = 7 * 86400; break;
	default: return -1;
	}
	memcpy(num, s, len - 1);
	num[len - 1] = '\0';
	if ((v = parse_count(num, 100LL * 365 * 86400)) == -1 ||
	    v > 100LL * 365 * 86400 / mul)
		return -1;
	return v * mul;
}

/*
 * A point in time: unix seconds (digits), YYYY-MM-DD,
 * YYYY-MM-DDTHH:MM:SSZ (UTC), or a duration before now. Returns unix
 * seconds, or -1.
 */
static int64_t
parse_time(const char *s)
{
	struct tm	 tm;
	const char	*end;
	int64_t		 d;
	long long	 v;

	if ((d = parse_duration(s)) != -1)
		return (int64_t)time(NULL) - d;
	if ((v = parse_count(s, 0x7fffffffffLL)) != -1)
		return v;
	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm)) == NULL ||
	    *end != '\0') {
		memset(&tm, 0, sizeof(tm));
		if ((end = strptime(s, "%Y-%m-%d", &tm)) == NULL ||
		    *end != '\0')
			return -1;
	}
	return (int64_t)timegm(&tm);
}

/*
 * Parses a command's options. opts: the long options it takes (NULL
 * terminated), each with val 'a'.. ; every command takes --help and
 * --json. Returns the option index in opts (>= 0) per call, -1 at the
 * end, -2 on --help (printed), -3 on an error (usage printed).
 */
static int
next_opt(int argc, char *argv[], const struct option *opts, const char **arg,
    const char *name)
{
	struct option	 all[16];
	size_t		 n = 0;
	int		 ch, idx = -1;

	for (; opts != NULL && opts[n].name != NULL && n < 13; n++)
		all[n] = opts[n];
	all[n].name = "help"; all[n].has_arg = no_argument;
	all[n].flag = NULL; all[n].val = 'H'; n++;
	all[n].name = "json"; all[n].has_arg = no_argument;
	all[n].flag = NULL; all[n].val = 'J'; n++;
	memset(&all[n], 0, sizeof(all[n]));
	for (;;) {
		ch = getopt_long(argc, argv, "", all, &idx);
		if (ch == -1)
			return -1;
		if (ch == 'H') {
			(void)cmd_help(stdout, name);
			return -2;
		}
		if (ch == 'J') {
			ctl_json = 1;
			continue;
		}
		if (ch == '?' || idx < 0) {
			(void)cmd_help(stderr, name);
			return -3;
		}
		*arg = optarg;
		return idx;
	}
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

/* ---------------------------------------------------------------------
 * main
 */

enum cmd_id {
	C_MIGRATE, C_KEY_CREATE, C_KEY_LIST, C_KEY_REVOKE, C_REC_SHOW,
	C_REC_LIST, C_EV_LIST, C_EV_SHOW, C_EV_REPLAY, C_PRUNE, C_CHECK,
	C_BACKUP
};

/* Positional arguments each command takes, in cmds[] order. */
static const int cmd_nargs[] = { 0, 1, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1 };
_Static_assert(sizeof(cmd_nargs) / sizeof(cmd_nargs[0]) == NCMDS,
    "cmd_nargs and cmds disagree");

static const struct option list_opts[] = {
	{ "status", required_argument, NULL, 1 },
	{ "session", required_argument, NULL, 2 },
	{ "outcome", required_argument, NULL, 3 },
	{ "since", required_argument, NULL, 4 },
	{ "until", required_argument, NULL, 5 },
	{ "limit", required_argument, NULL, 6 },
	{ NULL, 0, NULL, 0 }
};
static const struct option replay_opts[] = {
	{ "dry-run", no_argument, NULL, 1 },
	{ NULL, 0, NULL, 0 }
};
static const struct option prune_opts[] = {
	{ "older-than", required_argument, NULL, 1 },
	{ NULL, 0, NULL, 0 }
};

/* Finds the command that argv starts with; sets *words (1 or 2). */
static int
find_cmd(int argc, char *argv[], int *words)
{
	char	 name[64];
	size_t	 i;

	for (i = 0; i < NCMDS; i++) {
		if (strchr(cmds[i].name, ' ') == NULL) {
			if (strcmp(argv[0], cmds[i].name) == 0) {
				*words = 1;
				return (int)i;
			}
			continue;
		}
		if (argc < 2)
			continue;
		snprintf(name, sizeof(name), "%s %s", argv[0], argv[1]);
		if (strcmp(name, cmds[i].name) == 0) {
			*words = 2;
			return (int)i;
		}
	}
	return -1;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	const struct option	*opts = NULL;
	struct config		 cf;
	struct store		*st = NULL;
	struct rec_filter	 rf;
	struct ev_filter	 ef;
	const char		*conffile = NULL, *db = NULL, *arg = NULL;
	const char		*older = RETENTION, *name;
	char			 err[512], **pos;
	int64_t			 t, id = 0;
	long long		 n;
	int			 ch, busy_ms = CTL_BUSY_MS, rc = EXIT_FAILURE;
	int			 c, words = 0, o, npos, dry_run = 0;

	memset(&cf, 0, sizeof(cf));
	memset(&rf, 0, sizeof(rf));
	memset(&ef, 0, sizeof(ef));
	rf.limit = ef.limit = LIST_DEFAULT;
	log_init(PROGNAME, 0);
	while ((ch = getopt_long(argc, argv, "+c:d:hj", longopts,
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
		case 'j':
			ctl_json = 1;
			break;
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
	if (strcmp(argv[0], "help") == 0) {
		if (argc == 1) {
			usage(stdout);
			return EXIT_SUCCESS;
		}
		if (argc == 2)
			return cmd_help(stdout, argv[1]);
		snprintf(err, sizeof(err), "%s %s", argv[1], argv[2]);
		return cmd_help(stdout, err);
	}
	if ((c = find_cmd(argc, argv, &words)) == -1) {
		if (argc >= 2 && strcmp(argv[1], "--help") == 0)
			return cmd_help(stdout, argv[0]);
		fprintf(stderr, "%s: unknown command %s%s%s\n", PROGNAME,
		    argv[0], argc >= 2 ? " " : "", argc >= 2 ? argv[1] : "");
		usage(stderr);
		return EXIT_USAGE;
	}
	name = cmds[c].name;

	/* The command's own options; argv[0] is its last word. */
	argc -= words - 1;
	argv += words - 1;
	if (c == C_REC_LIST || c == C_EV_LIST)
		opts = list_opts;
	else if (c == C_EV_REPLAY)
		opts = replay_opts;
	else if (c == C_PRUNE)
		opts = prune_opts;
	optind = 0;
	while ((o = next_opt(argc, argv, opts, &arg, name)) != -1) {
		if (o == -2)
			return EXIT_SUCCESS;
		if (o == -3)
			return EXIT_USAGE;
		if (opts == replay_opts) {
			dry_run = 1;
			continue;
		}
		if (opts == prune_opts) {
			older = arg;
			continue;
		}
		switch (opts[o].val) {
		case 1:
			if (c != C_REC_LIST || status_from_name(arg) == ST_NONE) {
				fprintf(stderr, "%s: --status must be one of "
				    "in-progress, completed, failed, busy, "
				    "no-answer, rejected\n", PROGNAME);
				return EXIT_USAGE;
			}
			rf.status = arg;
			break;
		case 2:
			if (c != C_EV_LIST || !valid_session_id(arg)) {
				fprintf(stderr, "%s: --session must be a session "
				    "id (events list only)\n", PROGNAME);
				return EXIT_USAGE;
			}
			ef.session_id = arg;
			break;
		case 3:
			if (c != C_EV_LIST || (strcmp(arg, "stored") != 0 &&
			    strcmp(arg, "duplicate") != 0 &&
			    strcmp(arg, "rejected") != 0)) {
				fprintf(stderr, "%s: --outcome must be stored, "
				    "duplicate or rejected (events list only)\n",
				    PROGNAME);
				return EXIT_USAGE;
			}
			ef.outcome = arg;
			break;
		case 4:
		case 5:
			if ((t = parse_time(arg)) <= 0) {
				fprintf(stderr, "%s: --%s must be unix seconds, "
				    "YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or a "
				    "duration such as 7d\n", PROGNAME,
				    opts[o].name);
				return EXIT_USAGE;
			}
			if (opts[o].val == 4) {
				rf.since = t;
				ef.since_us = t * 1000000;
			} else {
				rf.until = t;
				ef.until_us = t * 1000000;
			}
			break;
		case 6:
			if ((n = parse_count(arg, LIST_MAX)) == -1) {
				fprintf(stderr, "%s: --limit must be 1 to %d\n",
				    PROGNAME, LIST_MAX);
				return EXIT_USAGE;
			}
			rf.limit = ef.limit = (int)n;
			break;
		}
	}
	pos = argv + optind;
	npos = argc - optind;
	if (npos != cmd_nargs[c]) {
		fprintf(stderr, "%s: %s takes %s\n", PROGNAME, name,
		    cmd_nargs[c] == 0 ? "no argument" : "one argument");
		(void)cmd_help(stderr, name);
		return EXIT_USAGE;
	}
	if (c == C_KEY_CREATE && !valid_key_name(pos[0])) {
		fprintf(stderr, "%s: key name must be 1..%d characters of "
		    "A-Z a-z 0-9 . _ - and not all digits\n", PROGNAME,
		    KEY_NAME_MAX);
		return EXIT_USAGE;
	}
	if (c == C_REC_SHOW && !valid_session_id(pos[0])) {
		fprintf(stderr, "%s: a recording id is 1 to %d characters of "
		    "A-Z a-z 0-9 . _ : -\n", PROGNAME, VP_SESSION_MAX);
		return EXIT_USAGE;
	}
	if (c == C_EV_SHOW || c == C_EV_REPLAY) {
		if ((n = parse_count(pos[0], 0x7fffffffffffffffLL)) == -1) {
			fprintf(stderr, "%s: an event id is a positive number\n",
			    PROGNAME);
			return EXIT_USAGE;
		}
		id = n;
	}
	if (c == C_PRUNE && parse_duration(older) <= 0) {
		fprintf(stderr, "%s: --older-than must be a duration such as "
		    "90d, 12h or 2w\n", PROGNAME);
		return EXIT_USAGE;
	}

	if (db == NULL) {
		if (conffile == NULL)
			conffile = VP_CONFFILE;
		if (conf_load(conffile, &cf, err, sizeof(err)) == -1) {
			fprintf(stderr, "%s: %s\n", PROGNAME, err);
			goto out;
		}
		if (cf.database == NULL) {
			fprintf(stderr, "%s: %s: no database setting\n",
			    PROGNAME, conffile);
			goto out;
		}
		db = cf.database;
		if (cf.busy_timeout_ms > 0)
			busy_ms = cf.busy_timeout_ms;
	}

	if (c == C_MIGRATE) {
		rc = cmd_migrate(db);
		goto out;
	}
	if (store_open(db, busy_ms, &st, err, sizeof(err)) != APP_OK) {
		fprintf(stderr, "%s: %s\n", PROGNAME, err);
		goto out;
	}
	switch (c) {
	case C_KEY_CREATE:
		rc = cmd_key_create(st, pos[0]);
		break;
	case C_KEY_LIST:
		rc = cmd_key_list(st);
		break;
	case C_KEY_REVOKE:
		rc = cmd_key_revoke(st, pos[0]);
		break;
	case C_REC_SHOW:
		rc = cmd_recordings_show(st, pos[0]);
		break;
	case C_REC_LIST:
		rc = cmd_recordings_list(st, &rf);
		break;
	case C_EV_LIST:
		rc = cmd_events_list(st, &ef);
		break;
	case C_EV_SHOW:
		rc = cmd_events_show(st, id);
		break;
	case C_EV_REPLAY:
		rc = cmd_events_replay(st, id, dry_run);
		break;
	case C_PRUNE:
		rc = cmd_prune(st, older);
		break;
	case C_CHECK:
		rc = cmd_check(st, db);
		break;
	case C_BACKUP:
		rc = cmd_backup(st, pos[0]);
		break;
	default:
		abort();
	}
out:
	store_close(st);
	conf_clear(&cf);
	if (fflush(stdout) == EOF && rc == EXIT_SUCCESS)
		rc = EXIT_FAILURE;
	return rc;
}
