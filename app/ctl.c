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
 * An API key is "vpk_" and 43 base64url characters (32 random bytes); it
 * is printed once, alone on a line on stdout, and stored only as the
 * SHA-256 of the whole key string plus its first 12 characters.
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "extern.h"

#ifndef VP_CONFFILE
#define VP_CONFFILE	"/etc/voicepact/voicepact.conf"
#endif

#define EXIT_USAGE	2
#define EXIT_NOTFOUND	3
#define EXIT_BUSY	4
#define EXIT_PROBLEMS	5
#define CTL_BUSY_MS	5000
#define KEY_RANDOM	32
#define KEY_TAG		"vpk_"
#define KEY_LEN		(sizeof(KEY_TAG) - 1 + 43)
#define KEY_PREFIX_LEN	12
#define KEY_NAME_MAX	64
#define LIST_DEFAULT	50
#define LIST_MAX	100000
#define RETENTION	"90d"

static const char	*progname = "voicepactctl";
static int		 json;		/* --json */

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
	    "  -c FILE      configuration file (default %s);\n"
	    "               only its database setting is used\n"
	    "  -d DBFILE    the database file itself\n"
	    "  --json       JSON output\n"
	    "commands:\n", progname, VP_CONFFILE);
	for (i = 0; i < NCMDS; i++)
		fprintf(fp, "  %s %s\n", cmds[i].name, cmds[i].args);
	fprintf(fp, "  help [COMMAND]\n"
	    "\"%s COMMAND --help\" describes a command. Exit status: 0 ok, "
	    "1 failed,\n2 usage, 3 not found, 4 database busy, 5 check found "
	    "problems.\n", progname);
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
			    "%s %s\n%s\n\n", progname, cmds[i].name,
			    cmds[i].args, cmds[i].help);
			n++;
		}
	if (n == 0) {
		fprintf(stderr, "%s: no command %s\n", progname, name);
		return EXIT_USAGE;
	}
	return EXIT_SUCCESS;
}

/* ---------------------------------------------------------------------
 * Output helpers.
 */

/* Writes s (len bytes) as a JSON string, quotes included. */
static void
jstr_n(const char *s, size_t len)
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 i;

	if (s == NULL) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '"':
			fputs("\\\"", stdout);
			break;
		case '\\':
			fputs("\\\\", stdout);
			break;
		case '\n':
			fputs("\\n", stdout);
			break;
		case '\r':
			fputs("\\r", stdout);
			break;
		case '\t':
			fputs("\\t", stdout);
			break;
		default:
			if (c < 0x20 || c == 0x7f)
				printf("\\u00%c%c", hex[c >> 4], hex[c & 0xf]);
			else
				putchar(c);
		}
	}
	putchar('"');
}

/* A JSON string, or null for NULL and "" (how the database stores absence). */
static void
jstr(const char *s)
{
	jstr_n(s != NULL && *s != '\0' ? s : NULL, s != NULL ? strlen(s) : 0);
}

/* RFC 3339 of unix seconds t as a JSON string, or null for 0. */
static void
jtime(int64_t t)
{
	char	 buf[21];

	if (t == 0) {
		fputs("null", stdout);
		return;
	}
	rfc3339(t, buf);
	jstr(buf);
}

/* Text: "-" for NULL or "". */
static const char *
dash(const char *s)
{
	return s != NULL && *s != '\0' ? s : "-";
}

/*
 * Makes untrusted text printable for a terminal (control bytes and
 * non-ASCII escaped), into buf.
 */
static const char *
safe(const char *s, char *buf, size_t bufsz)
{
	if (s == NULL || *s == '\0')
		return "-";
	log_escape(s, strlen(s), buf, bufsz);
	return buf;
}

/* Exit status for a store error, with a message naming what failed. */
static int
store_exit(enum app_err e, const char *what)
{
	switch (e) {
	case APP_OK:
		return EXIT_SUCCESS;
	case APP_ENOTFOUND:
		fprintf(stderr, "%s: %s: not found\n", progname, what);
		return EXIT_NOTFOUND;
	case APP_EBUSY:
		fprintf(stderr, "%s: %s: the database is busy (locked by "
		    "another writer); try again\n", progname, what);
		return EXIT_BUSY;
	default:
		fprintf(stderr, "%s: %s: %s\n", progname, what,
		    app_strerror(e));
		return EXIT_FAILURE;
	}
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
static int64_t
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
			json = 1;
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

	int	*n = arg;

	if (json) {
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

static int
cmd_key_list(struct store *st)
{
	enum app_err	 e;
	int		 n = 0;

	if (!json)
		printf("%-6s %-24s %-13s %-21s %s\n", "ID", "NAME", "PREFIX",
		    "CREATED", "STATUS");
	e = store_key_list(st, list_one, &n);
	if (json)
		fputs(n == 0 ? "[]\n" : "\n]\n", stdout);
	if (e != APP_OK) {
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


/* ---------------------------------------------------------------------
 * recordings
 */

static void
rec_json(const struct recording *r)
{
	printf("{\"recording_id\":");
	jstr(r->id);
	printf(",\"status\":");
	jstr(r->status > ST_NONE && r->status < ST__MAX ?
	    status_name(r->status) : NULL);
	printf(",\"recording_url\":");
	jstr(r->recording_url);
	if (r->duration >= 0)
		printf(",\"duration\":%lld", (long long)r->duration);
	else
		printf(",\"duration\":null");
	printf(",\"phone_number\":");
	jstr(r->phone_number);
	printf(",\"caller_number\":");
	jstr(r->caller_number);
	printf(",\"destination_number\":");
	jstr(r->destination_number);
	printf(",\"direction\":");
	jstr(r->direction);
	printf(",\"hangup_cause\":");
	jstr(r->hangup_cause);
	printf(",\"call_session_state\":");
	jstr(r->call_session_state);
	printf(",\"amount\":");
	jstr(r->amount);
	printf(",\"currency_code\":");
	jstr(r->currency_code);
	printf(",\"call_start_time\":");
	jstr(r->call_start_time);
	printf(",\"created_at\":");
	jtime(r->created_at);
	printf(",\"processed_at\":");
	jtime(r->processed_at);
	printf("}");
}

static void
rec_text(const struct recording *r)
{
	char	 t1[21], t2[21], dur[24], esc[4 * VP_URL_MAX + 1];

	rfc3339(r->created_at, t1);
	rfc3339(r->processed_at, t2);
	if (r->duration >= 0)
		snprintf(dur, sizeof(dur), "%lld", (long long)r->duration);
	else
		vp_strlcpy(dur, "-", sizeof(dur));
	printf("recording_id        %s\n", safe(r->id, esc, sizeof(esc)));
	printf("status              %s\n", r->status > ST_NONE &&
	    r->status < ST__MAX ? status_name(r->status) : "-");
	printf("recording_url       %s\n",
	    safe(r->recording_url, esc, sizeof(esc)));
	printf("duration            %s\n", dur);
	printf("phone_number        %s\n",
	    safe(r->phone_number, esc, sizeof(esc)));
	printf("caller_number       %s\n",
	    safe(r->caller_number, esc, sizeof(esc)));
	printf("destination_number  %s\n",
	    safe(r->destination_number, esc, sizeof(esc)));
	printf("direction           %s\n", safe(r->direction, esc, sizeof(esc)));
	printf("hangup_cause        %s\n",
	    safe(r->hangup_cause, esc, sizeof(esc)));
	printf("call_session_state  %s\n",
	    safe(r->call_session_state, esc, sizeof(esc)));
	printf("amount              %s\n", safe(r->amount, esc, sizeof(esc)));
	printf("currency_code       %s\n",
	    safe(r->currency_code, esc, sizeof(esc)));
	printf("call_start_time     %s\n",
	    safe(r->call_start_time, esc, sizeof(esc)));
	printf("created_at          %s\n", t1);
	printf("processed_at        %s\n", t2);
}

static int
cmd_recordings_show(struct store *st, const char *id)
{
	struct recording	 r;
	enum app_err		 e;

	if ((e = store_get_recording(st, id, &r)) != APP_OK)
		return store_exit(e, "recording");
	if (json) {
		rec_json(&r);
		putchar('\n');
	} else
		rec_text(&r);
	return EXIT_SUCCESS;
}

struct lister {
	int	 n;
};

static void
rec_list_one(void *arg, const struct recording *r)
{
	struct lister	*l = arg;
	char		 t1[21], dur[24], esc[4 * VP_URL_MAX + 1],
			 eid[4 * VP_SESSION_MAX + 1];

	if (json) {
		fputs(l->n == 0 ? "[\n" : ",\n", stdout);
		rec_json(r);
	} else {
		rfc3339(r->created_at, t1);
		if (r->duration >= 0)
			snprintf(dur, sizeof(dur), "%lld",
			    (long long)r->duration);
		else
			vp_strlcpy(dur, "-", sizeof(dur));
		printf("%-36s %-11s %8s %-20s %s\n",
		    safe(r->id, eid, sizeof(eid)),
		    r->status > ST_NONE && r->status < ST__MAX ?
		    status_name(r->status) : "-", dur, t1,
		    safe(r->recording_url, esc, sizeof(esc)));
	}
	l->n++;
}

static int
cmd_recordings_list(struct store *st, const struct rec_filter *f)
{
	struct lister	 l = { 0 };
	enum app_err	 e;

	if (!json)
		printf("%-36s %-11s %8s %-20s %s\n", "ID", "STATUS",
		    "DURATION", "CREATED", "URL");
	e = store_recording_list(st, f, rec_list_one, &l);
	if (json)
		fputs(l.n == 0 ? "[]\n" : "\n]\n", stdout);
	return store_exit(e, "recordings list");
}

/* ---------------------------------------------------------------------
 * events
 */

static void
ev_json(const struct event_row *ev, int with_body)
{
	char	 t[21];

	rfc3339(ev->received_us / 1000000, t);
	printf("{\"id\":%lld,\"received_at\":", (long long)ev->id);
	jstr(t);
	printf(",\"received_us\":%lld,\"request_id\":",
	    (long long)ev->received_us);
	jstr(ev->request_id);
	printf(",\"remote_addr\":");
	jstr(ev->remote_addr);
	printf(",\"content_type\":");
	jstr(ev->content_type);
	printf(",\"session_id\":");
	jstr(ev->session_id);
	printf(",\"auth\":");
	jstr(ev->auth);
	printf(",\"outcome\":");
	jstr(ev->outcome);
	printf(",\"http_status\":%d,\"reason\":", ev->http_status);
	jstr(ev->reason);
	printf(",\"body_sha256\":");
	jstr(ev->body_sha256);
	printf(",\"body_bytes\":%zu", ev->body_len);
	if (with_body) {
		/* Text if it is UTF-8 without NUL, else base64url. */
		if (valid_utf8(ev->body, ev->body_len) &&
		    memchr(ev->body, '\0', ev->body_len) == NULL) {
			printf(",\"body\":");
			jstr_n(ev->body, ev->body_len);
		} else {
			char *b = malloc(4 * (ev->body_len / 3 + 1) + 1);

			if (b != NULL) {
				b64url((const unsigned char *)ev->body,
				    ev->body_len, b);
				printf(",\"body_base64url\":\"%s\"", b);
				free(b);
			}
		}
	}
	printf("}");
}

static void
ev_list_one(void *arg, const struct event_row *ev)
{
	struct lister	*l = arg;
	char		 t[21], es[4 * VP_SESSION_MAX + 1], er[1024];

	if (json) {
		fputs(l->n == 0 ? "[\n" : ",\n", stdout);
		ev_json(ev, 0);
	} else {
		rfc3339(ev->received_us / 1000000, t);
		printf("%-8lld %-20s %-4d %-10s %-10s %-36s %s\n",
		    (long long)ev->id, t, ev->http_status, dash(ev->outcome),
		    dash(ev->auth), safe(ev->session_id, es, sizeof(es)),
		    safe(ev->reason, er, sizeof(er)));
	}
	l->n++;
}

static int
cmd_events_list(struct store *st, const struct ev_filter *f)
{
	struct lister	 l = { 0 };
	enum app_err	 e;

	if (!json)
		printf("%-8s %-20s %-4s %-10s %-10s %-36s %s\n", "ID",
		    "RECEIVED", "HTTP", "OUTCOME", "AUTH", "SESSION", "REASON");
	e = store_event_list(st, f, ev_list_one, &l);
	if (json)
		fputs(l.n == 0 ? "[]\n" : "\n]\n", stdout);
	return store_exit(e, "events list");
}

static void
ev_show_one(void *arg, const struct event_row *ev)
{
	int	*rc = arg;

	if (json) {
		ev_json(ev, 1);
		putchar('\n');
	} else if (ev->body_len > 0 &&
	    fwrite(ev->body, 1, ev->body_len, stdout) != ev->body_len)
		*rc = EXIT_FAILURE;
}

static int
cmd_events_show(struct store *st, int64_t id)
{
	enum app_err	 e;
	int		 rc = EXIT_SUCCESS;

	if ((e = store_event_get(st, id, ev_show_one, &rc)) != APP_OK)
		return store_exit(e, "event");
	return rc;
}

/* A copy of what a replay needs from an event row. */
struct replay_src {
	char		*body;
	size_t		 body_len;
	char		 content_type[256];
	char		 auth[32];
	char		 outcome[32];
	int		 found;
};

static void
ev_copy_one(void *arg, const struct event_row *ev)
{
	struct replay_src	*r = arg;

	r->found = 1;
	vp_strlcpy(r->content_type, ev->content_type != NULL ?
	    ev->content_type : "", sizeof(r->content_type));
	vp_strlcpy(r->auth, ev->auth != NULL ? ev->auth : "", sizeof(r->auth));
	vp_strlcpy(r->outcome, ev->outcome != NULL ? ev->outcome : "",
	    sizeof(r->outcome));
	if ((r->body = malloc(ev->body_len + 1)) != NULL) {
		memcpy(r->body, ev->body, ev->body_len);
		r->body[ev->body_len] = '\0';
		r->body_len = ev->body_len;
	}
}

/* 1 if the media type of ct (before ';', any case) is type. */
static int
media_is(const char *ct, const char *type)
{
	size_t	 len = strlen(type);

	while (*ct == ' ')
		ct++;
	return strncasecmp(ct, type, len) == 0 &&
	    (ct[len] == '\0' || ct[len] == ';' || ct[len] == ' ');
}

static int
cmd_events_replay(struct store *st, int64_t id, int dry_run)
{
	struct replay_src	 src;
	struct kvlist		 kv;
	struct event		 ev;
	struct delivery		 d;
	struct deliver_result	 res;
	char			 err[256], rid[64], reason[64], esc[1024];
	enum app_err		 e;
	int			 rc = EXIT_FAILURE;

	memset(&src, 0, sizeof(src));
	memset(&kv, 0, sizeof(kv));
	memset(&ev, 0, sizeof(ev));
	if ((e = store_event_get(st, id, ev_copy_one, &src)) != APP_OK)
		return store_exit(e, "event");
	if (src.body == NULL) {
		fprintf(stderr, "%s: out of memory\n", progname);
		goto out;
	}
	if (strcmp(src.auth, "signature") != 0 &&
	    strcmp(src.auth, "token") != 0 && strcmp(src.auth, "none") != 0 &&
	    strncmp(src.auth, "replay", 6) != 0) {
		fprintf(stderr, "%s: event %lld did not pass authentication "
		    "(auth %s); it is never replayed\n", progname,
		    (long long)id, src.auth[0] != '\0' ? src.auth : "unknown");
		goto out;
	}
	err[0] = '\0';
	if (media_is(src.content_type, "application/json"))
		e = json_parse_object(src.body, src.body_len, &kv, err,
		    sizeof(err));
	else if (media_is(src.content_type,
	    "application/x-www-form-urlencoded"))
		e = form_parse(src.body, src.body_len, &kv, err, sizeof(err));
	else {
		fprintf(stderr, "%s: event %lld: Content-Type is not "
		    "supported; nothing to replay\n", progname, (long long)id);
		goto out;
	}
	if (e == APP_OK)
		e = event_normalize(&kv, &ev, err, sizeof(err));
	if (e != APP_OK) {
		log_escape(err, strlen(err), esc, sizeof(esc));
		fprintf(stderr, "%s: event %lld is still rejected: %s\n",
		    progname, (long long)id, err[0] != '\0' ? esc :
		    app_strerror(e));
		goto out;
	}
	if (dry_run) {
		if (json) {
			printf("{\"event\":%lld,\"session_id\":",
			    (long long)id);
			jstr(ev.session_id);
			printf(",\"status\":");
			jstr(status_name(ev.status));
			printf(",\"recording_url\":");
			jstr(ev.recording_url);
			if (ev.duration >= 0)
				printf(",\"duration\":%lld",
				    (long long)ev.duration);
			printf(",\"dry_run\":true}\n");
		} else
			printf("event %lld: session %s, status %s, duration "
			    "%lld, recording_url %s (dry run: nothing "
			    "written)\n", (long long)id,
			    safe(ev.session_id, esc, sizeof(esc)),
			    status_name(ev.status), (long long)ev.duration,
			    ev.recording_url != NULL ? "present" : "absent");
		rc = EXIT_SUCCESS;
		goto out;
	}

	memset(&d, 0, sizeof(d));
	snprintf(rid, sizeof(rid), "replay-%lld", (long long)id);
	snprintf(reason, sizeof(reason), "replay of event %lld",
	    (long long)id);
	d.received_us = now_us();
	d.request_id = rid;
	d.remote_addr = "voicepactctl";
	d.content_type = src.content_type[0] != '\0' ? src.content_type : NULL;
	d.body = src.body;
	d.body_len = src.body_len;
	d.auth = "replay";
	d.session_id = ev.session_id;
	d.http_status = 200;
	d.reason = reason;
	e = store_deliver(st, &d, &ev, d.received_us / 1000000, &res);
	if (e != APP_OK) {
		rc = store_exit(e, "replay");
		goto out;
	}
	if (json) {
		printf("{\"event\":%lld,\"session_id\":", (long long)id);
		jstr(ev.session_id);
		printf(",\"outcome\":\"%s\",\"changed\":%s}\n",
		    res.duplicate ? "duplicate" : "stored",
		    res.changed ? "true" : "false");
	} else
		printf("event %lld replayed: %s, recording %s\n",
		    (long long)id, res.duplicate ? "duplicate" : "stored",
		    res.changed ? "changed" : "unchanged");
	rc = EXIT_SUCCESS;
out:
	kvlist_clear(&kv);
	free(src.body);
	return rc;
}

/* ---------------------------------------------------------------------
 * prune, check, backup
 */

static int
cmd_prune(struct store *st, const char *older)
{
	int64_t		 secs, before, deleted = 0;
	char		 t[21];
	enum app_err	 e;

	if ((secs = parse_duration(older)) <= 0) {
		fprintf(stderr, "%s: --older-than must be a duration such as "
		    "90d, 12h or 2w\n", progname);
		return EXIT_USAGE;
	}
	before = (int64_t)time(NULL) - secs;
	e = store_prune_events(st, before * 1000000, &deleted);
	rfc3339(before, t);
	if (e != APP_OK && deleted == 0)
		return store_exit(e, "prune");
	if (json)
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
	if (json)
		fputs(*n == 0 ? "" : ",", stdout);
	if (json)
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

static int
cmd_check(struct store *st, const char *db)
{
	enum app_err	 e;
	int		 version = 0, problems = 0, n = 0;

	if (json)
		printf("{\"problems\":[");
	e = store_check(st, &version, &problems, check_line, &n);
	if (json) {
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

static int
cmd_backup(struct store *st, const char *dest)
{
	char		 err[512];
	enum app_err	 e;

	if ((e = store_backup(st, dest, err, sizeof(err))) != APP_OK) {
		fprintf(stderr, "%s: %s\n", progname, err);
		return e == APP_EBUSY ? EXIT_BUSY : EXIT_FAILURE;
	}
	if (json) {
		printf("{\"backup\":");
		jstr(dest);
		printf(",\"bytes\":%lld}\n", file_size(dest, ""));
	} else
		printf("backup written to %s (%lld bytes)\n", dest,
		    file_size(dest, ""));
	return EXIT_SUCCESS;
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
	log_init(progname, 0);
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
			json = 1;
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
		fprintf(stderr, "%s: unknown command %s%s%s\n", progname,
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
				    "no-answer, rejected\n", progname);
				return EXIT_USAGE;
			}
			rf.status = arg;
			break;
		case 2:
			if (c != C_EV_LIST || !valid_session_id(arg)) {
				fprintf(stderr, "%s: --session must be a session "
				    "id (events list only)\n", progname);
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
				    progname);
				return EXIT_USAGE;
			}
			ef.outcome = arg;
			break;
		case 4:
		case 5:
			if ((t = parse_time(arg)) <= 0) {
				fprintf(stderr, "%s: --%s must be unix seconds, "
				    "YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or a "
				    "duration such as 7d\n", progname,
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
				    progname, LIST_MAX);
				return EXIT_USAGE;
			}
			rf.limit = ef.limit = (int)n;
			break;
		}
	}
	pos = argv + optind;
	npos = argc - optind;
	if (npos != cmd_nargs[c]) {
		fprintf(stderr, "%s: %s takes %s\n", progname, name,
		    cmd_nargs[c] == 0 ? "no argument" : "one argument");
		(void)cmd_help(stderr, name);
		return EXIT_USAGE;
	}
	if (c == C_KEY_CREATE && !valid_key_name(pos[0])) {
		fprintf(stderr, "%s: key name must be 1..%d characters of "
		    "A-Z a-z 0-9 . _ - and not all digits\n", progname,
		    KEY_NAME_MAX);
		return EXIT_USAGE;
	}
	if (c == C_REC_SHOW && !valid_session_id(pos[0])) {
		fprintf(stderr, "%s: a recording id is 1 to %d characters of "
		    "A-Z a-z 0-9 . _ : -\n", progname, VP_SESSION_MAX);
		return EXIT_USAGE;
	}
	if (c == C_EV_SHOW || c == C_EV_REPLAY) {
		if ((n = parse_count(pos[0], 0x7fffffffffffffffLL)) == -1) {
			fprintf(stderr, "%s: an event id is a positive number\n",
			    progname);
			return EXIT_USAGE;
		}
		id = n;
	}
	if (c == C_PRUNE && parse_duration(older) <= 0) {
		fprintf(stderr, "%s: --older-than must be a duration such as "
		    "90d, 12h or 2w\n", progname);
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

	if (c == C_MIGRATE) {
		rc = cmd_migrate(db);
		goto out;
	}
	if (store_open(db, busy_ms, &st, err, sizeof(err)) != APP_OK) {
		fprintf(stderr, "%s: %s\n", progname, err);
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
