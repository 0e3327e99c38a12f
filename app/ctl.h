/*
 * ctl.h: the internal header of voicepactctl only (ctl.c, ctl_out.c,
 * ctl_keys.c, ctl_data.c, ctl_maint.c); voicepactd never includes it.
 * Include it after extern.h.
 *
 * Who does what: ctl.c owns main(), the command table, option parsing,
 * usage and help, and opens the database; ctl_out.c the output helpers;
 * the cmd_*() functions, one file per area, do one command each.
 *
 * Contract of every cmd_*(): st is the open database, borrowed (ctl.c
 * closes it); every string argument is borrowed and already checked by
 * ctl.c. The result goes to stdout, as JSON if ctl_json is set, else as
 * text; reasons go to stderr as "voicepactctl: ...". Returns the exit
 * status: EXIT_SUCCESS, EXIT_FAILURE or one of the EXIT_* below.
 *
 * The output helpers write to stdout. Text from the database is
 * untrusted: it reaches a terminal only through safe() and JSON only
 * through jstr() / jstr_n().
 */
#ifndef VOICEPACT_CTL_H
#define VOICEPACT_CTL_H

#define PROGNAME	"voicepactctl"

/* Exit status beyond EXIT_SUCCESS / EXIT_FAILURE (voicepactctl(8)). */
#define EXIT_USAGE	2
#define EXIT_NOTFOUND	3
#define EXIT_BUSY	4
#define EXIT_PROBLEMS	5

extern int	 ctl_json;	/* --json: JSON output */

/* ctl.c */
/* Seconds of a duration: digits and one unit of s, m, h, d, w; or -1. */
int64_t		 parse_duration(const char *);

/* ctl_out.c: output helpers */
/* s (len bytes) as a JSON string, quotes included; null for NULL. */
void		 jstr_n(const char *s, size_t len);
/* A JSON string, or null for NULL and "" (how the database stores it). */
void		 jstr(const char *s);
/* Unix seconds t as an RFC 3339 JSON string, or null for 0. */
void		 jtime(int64_t t);
/* s, or "-" for NULL or "". Borrowed. */
const char	*dash(const char *s);
/*
 * s made printable for a terminal (control bytes and non-ASCII escaped)
 * into buf, which is returned; "-" (static) for NULL or "".
 */
const char	*safe(const char *s, char *buf, size_t bufsz);
/*
 * The exit status for a store error e; prints what failed on stderr
 * unless e is APP_OK.
 */
int		 store_exit(enum app_err e, const char *what);
/* base64url of n bytes, unpadded, into out (4 * ceil(n / 3) + 1 bytes). */
void		 b64url(const unsigned char *in, size_t n, char *out);
/* Every field of a recording as one JSON object (no newline). */
void		 rec_json(const struct recording *);
/* Every field of a recording, one "name  value" line each. */
void		 rec_text(const struct recording *);
/*
 * An event-log entry as one JSON object (no newline); with_body adds
 * the body: as text if it is UTF-8 without NUL, else base64url.
 */
void		 ev_json(const struct event_row *, int with_body);

/* ctl_keys.c: the schema and API keys */
/* Creates or upgrades the schema of the database file db. */
int		 cmd_migrate(const char *db);
/* Creates key name and prints it once, alone on a line. */
int		 cmd_key_create(struct store *st, const char *name);
int		 cmd_key_list(struct store *st);
/* Revokes a key by id or name. */
int		 cmd_key_revoke(struct store *st, const char *which);

/* ctl_data.c: recordings and the event log */
int		 cmd_recordings_show(struct store *st, const char *id);
int		 cmd_recordings_list(struct store *st,
		    const struct rec_filter *f);
int		 cmd_events_list(struct store *st,
		    const struct ev_filter *f);
/* The raw body of event id, byte for byte (JSON: the whole entry). */
int		 cmd_events_show(struct store *st, int64_t id);
/*
 * Runs stored delivery id through decoding, normalisation and folding
 * again and logs it as a new event; dry_run: prints the event, writes
 * nothing. Deliveries that failed authentication are never replayed.
 */
int		 cmd_events_replay(struct store *st, int64_t id,
		    int dry_run);

/* ctl_maint.c: maintenance */
/* Deletes events received longer ago than the duration older. */
int		 cmd_prune(struct store *st, const char *older);
/* Integrity check and schema version of st, sizes of db and its -wal. */
int		 cmd_check(struct store *st, const char *db);
/* Online backup of st into the new file dest. */
int		 cmd_backup(struct store *st, const char *dest);

#endif /* VOICEPACT_CTL_H */
