/*
 * extern.h: the internal header shared by voicepactd and voicepactctl
 * (voicepactctl's own declarations are in ctl.h).
 *
 * Ownership rules that hold everywhere unless a prototype says otherwise:
 *  - A "const char *" argument is borrowed for the duration of the call.
 *  - struct kvlist owns its keys and values; struct event borrows every
 *    string from the kvlist it was normalised from and is valid only while
 *    that kvlist is.
 *  - struct recording holds its strings in fixed arrays: no allocation,
 *    copying one is a plain assignment.
 *  - X_free(NULL) and X_clear() of a zeroed object do nothing.
 *  - "err" / "errsz" output buffers receive a short human-readable reason
 *    that is safe to show to the client (no paths, no SQL, no secrets).
 *
 * Third-party libraries are confined: libfcgi to fcgi.c, SQLite to db.c,
 * json-c to json.c, OpenSSL to crypto.c.
 */
#ifndef VOICEPACT_EXTERN_H
#define VOICEPACT_EXTERN_H

#include <stddef.h>
#include <sys/types.h>

#include <stdint.h>
#include <signal.h>
#include <time.h>

#define VP_MAX_BODY		65536	/* bytes; nginx enforces the same */
#define VP_SESSION_MAX		128	/* sessionId length */
#define VP_URL_MAX		2048	/* recordingUrl length */
#define VP_FIELD_MAX		128	/* numbers, SIP addresses, client ids */
#define VP_SHORT_MAX		64	/* causes, states, direction, amount... */
#define VP_DURATION_MAX		86400
#define VP_SCHEMA_VERSION	1	/* the schema this build knows; see sql/ */
#define VP_ECHO_MAX		64	/* bytes of input echoed in an error */
#define VP_MAX_SECRETS		8	/* signature secrets / path tokens each */

/*
 * The error vocabulary. Mapped to HTTP in exactly one place:
 * http_status() in http.c.
 */
enum app_err {
	APP_OK = 0,
	APP_ENOMEM,	/* allocation failed: 503 (transient) */
	APP_EINVAL,	/* input breaks a rule: 400 */
	APP_EAMBIG,	/* duplicate security header / form key: 400 */
	APP_EEMPTY,	/* no body or empty body: 400 */
	APP_ETOOBIG,	/* body over VP_MAX_BODY: 413 */
	APP_EMEDIA,	/* unsupported Content-Type: 415 */
	APP_EAUTH,	/* missing or wrong signature / token / key: 401 */
	APP_ENOTFOUND,	/* no such route or recording: 404 */
	APP_EMETHOD,	/* wrong method for the route: 405 */
	APP_EINTR,	/* body read short or interrupted: 503 */
	APP_EBUSY,	/* database write lock not had in time: 503 */
	APP_EDB,	/* database I/O error, disk full, read-only: 503 */
	APP_ESYSTEM,	/* bug or unexpected failure: 500 */
	APP_ERR__MAX
};

/* Call status as stored (processing_status). ST_NONE only in memory. */
enum call_status {
	ST_NONE = 0,
	ST_IN_PROGRESS,
	ST_COMPLETED,
	ST_FAILED,
	ST_BUSY,
	ST_NO_ANSWER,
	ST_REJECTED,
	ST__MAX
};

/* ---------------------------------------------------------------------
 * Key/value lists: the decoded form of a request body.
 */
enum kv_type {
	KV_STRING = 0,	/* form value or JSON string */
	KV_INT,		/* JSON integer; val holds its decimal text */
	KV_NULL,	/* JSON null */
	KV_OTHER	/* JSON float, bool, object or array; val is "" but
			   "true" / "false" for a bool */
};

struct kv {
	char		*key;	/* owned, NUL-terminated, no NUL inside */
	char		*val;	/* owned, NUL-terminated, no NUL inside */
	size_t		 vallen;
	enum kv_type	 type;
};

struct kvlist {
	struct kv	*v;
	size_t		 n;
	size_t		 cap;
};

/* kv.c */
/* Appends a pair, taking ownership of key and val (both malloc'd). */
enum app_err	 kvlist_add(struct kvlist *, char *key, char *val,
		    size_t vallen, enum kv_type);
/* Returns the pair named key, or NULL. Borrowed: valid until clear. */
const struct kv	*kvlist_get(const struct kvlist *, const char *key);
/* Frees every pair; the list is empty and reusable afterwards. */
void		 kvlist_clear(struct kvlist *);
/* 1 if any key occurs twice (linear expected time), else 0. */
int		 kvlist_has_dup(const struct kvlist *, const char **dupkey);

/* form.c */
/*
 * Decodes an application/x-www-form-urlencoded body into out.
 * '+' becomes a space; malformed percent-escapes, NUL or control bytes,
 * invalid UTF-8 and repeated keys are errors.
 * Returns APP_OK, APP_EINVAL, APP_EAMBIG or APP_ENOMEM; err names the key.
 */
enum app_err	 form_parse(const char *body, size_t len, struct kvlist *out,
		    char *err, size_t errsz);

/* json.c (the only user of json-c) */
/*
 * Decodes a JSON body that must be one object, strictly: no trailing
 * bytes, no duplicate keys at any depth, no NaN/Infinity, no integer out
 * of int64 range, valid UTF-8, no "\u0000". Top-level members become
 * pairs (nested values become KV_OTHER).
 * Returns APP_OK, APP_EINVAL, APP_EAMBIG, APP_EEMPTY or APP_ENOMEM.
 */
enum app_err	 json_parse_object(const char *body, size_t len,
		    struct kvlist *out, char *err, size_t errsz);
/*
 * Response builders. Each returns a malloc'd NUL-terminated string the
 * caller frees, or NULL on allocation failure.
 */
char		*json_webhook_ok(const char *session_id, int duplicate);
char		*json_webhook_error(const char *reason);
char		*json_detail(const char *detail);
struct recording;
char		*json_recording(const struct recording *);

/* ---------------------------------------------------------------------
 * The normalised event: one per accepted delivery, either dialect.
 */
enum dialect { DIALECT_SEED = 0, DIALECT_AT };

struct event {
	enum dialect	 dialect;
	int		 is_active;	/* AT isActive=1: a live request */
	enum call_status status;	/* never ST_NONE after normalise */
	const char	*session_id;	/* required */
	const char	*recording_url;	/* NULL: absent or empty */
	long long	 duration;	/* -1: absent or empty */
	const char	*phone_number;	/* seed phoneNumber, or NULL */
	const char	*caller_number;	/* AT fields below, NULL if absent */
	const char	*destination_number;
	const char	*direction;
	const char	*hangup_cause;
	const char	*call_session_state;
	const char	*amount;
	const char	*currency_code;
	const char	*call_start_time;	/* NULL for "None" */
	const char	*dtmf_digits;
};

/* validate.c: single-field rules. Each returns 1 if valid, else 0. */
int		 valid_utf8(const char *, size_t);
int		 valid_session_id(const char *);
int		 valid_e164(const char *);
int		 valid_url(const char *);
int		 valid_text(const char *, size_t max);	/* printable, bounded */
/* 1 if UTF-8 text holds a C0, DEL or C1 control character. */
int		 has_control(const char *, size_t len);
/* "YYYY-MM-DD HH:MM:SS", a real date and time, not after max (unix s). */
int		 valid_at_time(const char *, int64_t max);
/* A decimal amount: 1..12 digits, optionally '.' and 1..6 digits. */
int		 valid_amount(const char *);
/* An ISO 4217-shaped currency code: three uppercase letters. */
int		 valid_currency(const char *);
/* Parses digits-only s into [min,max]; returns 0 and sets errstr if not. */
long long	 strtonum_digits(const char *s, long long min, long long max,
		    const char **errstr);

/* normalize.c */
/*
 * Builds ev from the pairs of either dialect (AT if "isActive" is
 * present). ev borrows strings from kv. On APP_EINVAL err names the field
 * and the rule, e.g. "status must be one of completed, failed, ...".
 */
enum app_err	 event_normalize(const struct kvlist *kv, struct event *ev,
		    char *err, size_t errsz);
/* Maps an AT final notification's cause/state to a status. */
enum call_status at_status(const char *hangup_cause,
		    const char *call_session_state);
const char	*status_name(enum call_status);	/* "in-progress", ... */
enum call_status status_from_name(const char *);	/* ST_NONE if unknown */
int		 status_is_terminal(enum call_status);

/* ---------------------------------------------------------------------
 * The stored recording row and state folding.
 */
struct recording {
	int		 exists;	/* 0: no row yet */
	char		 id[VP_SESSION_MAX + 1];
	enum call_status status;
	char		 recording_url[VP_URL_MAX + 1];	/* "" = NULL */
	long long	 duration;			/* -1 = NULL */
	char		 phone_number[VP_FIELD_MAX + 1];
	char		 caller_number[VP_FIELD_MAX + 1];
	char		 destination_number[VP_FIELD_MAX + 1];
	char		 direction[VP_SHORT_MAX + 1];
	char		 hangup_cause[VP_SHORT_MAX + 1];
	char		 call_session_state[VP_SHORT_MAX + 1];
	char		 amount[VP_SHORT_MAX + 1];
	char		 currency_code[VP_SHORT_MAX + 1];
	char		 call_start_time[VP_SHORT_MAX + 1];
	int64_t		 created_at;	/* unix seconds UTC */
	int64_t		 processed_at;	/* time of the latest state change */
};

/* fold.c */
/*
 * Folds ev into rec (in/out). rec->exists == 0 means a new row, which
 * this call initialises from ev (created_at = now). Rules (spec/API.md):
 * a terminal status is never replaced by in-progress, and a live request
 * changes nothing else of a terminal row; a URL or duration is never
 * erased by an event lacking one. Returns 1 if rec changed (then
 * processed_at = now), 0 if the event changes nothing.
 */
int		 fold_event(struct recording *rec, const struct event *ev,
		    int64_t now);

/* ---------------------------------------------------------------------
 * Storage: the only interface to the database (db.c is its SQLite
 * implementation). One struct store per process, opened after fork.
 */
struct store;

/* One delivery as it reached a worker: what the event log records. */
struct delivery {
	int64_t		 received_us;	/* unix microseconds */
	const char	*request_id;	/* nginx's $request_id, or NULL */
	const char	*remote_addr;
	const char	*content_type;	/* NULL if absent */
	const char	*body;		/* raw bytes, not NUL-terminated */
	size_t		 body_len;
	const char	*auth;		/* "signature", "token", "none", "failed" */
	const char	*session_id;	/* NULL if not known */
	const char	*outcome;	/* "stored", "duplicate", "rejected" */
	int		 http_status;
	const char	*reason;	/* why rejected, or NULL */
};

struct deliver_result {
	int		 changed;	/* the recording row changed */
	int		 duplicate;	/* same body was accepted before */
};

/*
 * Opens the database at path for serving. Refuses (APP_EDB, err says
 * why) a file whose schema version is not VP_SCHEMA_VERSION, a failed
 * quick_check, or a read-only / missing database. The quick_check runs
 * once per path in a process tree (children forked after a successful
 * open skip it). Sets WAL, synchronous=FULL and a bounded lock wait of
 * busy_ms.
 */
enum app_err	 store_open(const char *path, int busy_ms, struct store **,
		    char *err, size_t errsz);
void		 store_close(struct store *);
/*
 * The durable write path. In one BEGIN IMMEDIATE transaction: reads the
 * recording, folds ev, writes it if changed, appends the event-log entry
 * d (outcome filled in: "stored" or "duplicate"), commits. Returns APP_OK
 * only after COMMIT returned; APP_EBUSY or APP_EDB otherwise, with
 * nothing written.
 */
enum app_err	 store_deliver(struct store *, struct delivery *d,
		    const struct event *ev, int64_t now,
		    struct deliver_result *res);
/* One item of a batch for store_write_batch(). */
struct store_item {
	struct delivery		*d;	/* borrowed; outcome is set */
	const struct event	*ev;	/* NULL: log a rejected delivery */
	int64_t			 now;
	struct deliver_result	 res;	/* out */
	enum app_err		 err;	/* out: APP_OK once committed */
};
/*
 * The durable write path: writes n items in one transaction with one
 * COMMIT (group commit); see db.c. Returns APP_OK if the transaction
 * committed (each item's own result is in items[i].err), else the error
 * that failed every item.
 */
enum app_err	 store_write_batch(struct store *, struct store_item *,
		    size_t n);
/* Appends a rejected delivery to the event log (its own transaction). */
enum app_err	 store_log_rejection(struct store *, const struct delivery *d);
/* Reads the row for id into out. APP_ENOTFOUND if there is none. */
enum app_err	 store_get_recording(struct store *, const char *id,
		    struct recording *out);
/* APP_OK if hash (SHA-256 of a key) is a live API key, else APP_EAUTH. */
enum app_err	 store_key_valid(struct store *, const unsigned char hash[32]);

/* Administration (voicepactctl). */
/* Creates or upgrades the schema to VP_SCHEMA_VERSION. */
enum app_err	 store_migrate(const char *path, char *err, size_t errsz);
enum app_err	 store_key_create(struct store *, const char *name,
		    const char *prefix, const unsigned char hash[32],
		    int64_t *id);
/* Calls fn once per key, newest first. */
enum app_err	 store_key_list(struct store *, void (*fn)(void *arg,
		    int64_t id, const char *name, const char *prefix,
		    int64_t created_at, int64_t revoked_at), void *arg);
/* Revokes by numeric id or by name; APP_ENOTFOUND if none matched. */
enum app_err	 store_key_revoke(struct store *, const char *id_or_name,
		    int64_t now);

/* writer.c: group commit through one writer process */
struct config;
struct worker;
/* Master, before any fork: the writer's listening socket. 0 or -1. */
int		 writer_setup(void);
/* Forks the writer process (closing close_fd in it); pid or -1. */
pid_t		 writer_spawn(const struct config *, int close_fd);
/* In each forked worker, first: drops the master's listening socket. */
void		 writer_child_init(int busy_timeout_ms);
/*
 * The durable write of one delivery from a worker (ev NULL: log a
 * rejected delivery; res may then be NULL): through the writer process
 * when writer_setup() ran, else directly. Returns APP_OK only once the
 * transaction holding it committed; APP_EBUSY / APP_EDB otherwise.
 */
enum app_err	 worker_store(struct worker *, struct delivery *,
		    const struct event *, int64_t now,
		    struct deliver_result *res);
/* APP_OK if the writer answers a ping within timeout_ms (see writer.c). */
enum app_err	 writer_ping(int timeout_ms);

/* pool.c: the master's supervision of the writer and the workers */
/*
 * Opens and closes cf's database once, as this process, so that a
 * missing, unwritable or wrong-schema database is found before a worker
 * needs it (startup, -t, reload). 0, or -1 with err set.
 */
int		 pool_check_database(const struct config *cf, char *err,
		    size_t errsz);
/*
 * Starts serving on listen_fd: forks the writer and one worker per
 * slot, then sends READY=1. Takes over cf: the pool owns it from now on
 * (a reload replaces it) and *cf is zeroed. The caller has blocked
 * SIGTERM, SIGINT, SIGHUP and SIGCHLD, given SIGCHLD a handler and
 * ignored SIGPIPE. watchdog_ns: the WATCHDOG=1 interval, 0 for none.
 * Exits if the writer's socket cannot be set up.
 */
void		 pool_start(struct config *cf, int listen_fd,
		    int64_t watchdog_ns);
/*
 * The master loop: restarts dead children with backoff, reloads on
 * SIGHUP, and on SIGTERM/SIGINT stops the workers, then the writer.
 * Returns once every child is gone, with the configuration freed.
 */
void		 pool_run(void);

/* crypto.c (the only user of OpenSSL) */
/*
 * Checks an X-Webhook-Signature value (hex, either case, optional
 * "sha256=") against HMAC-SHA256(secret, body) for each secret. Decodes
 * first, then compares with CRYPTO_memcmp over all secrets. Returns 1 on
 * a match, 0 otherwise (malformed values included).
 */
int		 sig_verify(const char *header, const char *body, size_t len,
		    const char *const *secrets, size_t nsecrets);
/* Lowercase hex HMAC-SHA256 into out (65 bytes). For tests and tools. */
void		 sig_hex(const char *secret, const char *body, size_t len,
		    char out[65]);
/* Constant-time equality of two NUL-terminated tokens. */
int		 token_equal(const char *a, const char *b);
void		 sha256(const void *, size_t, unsigned char out[32]);
/* Fills buf with n cryptographically random bytes; 0 on failure. */
int		 random_bytes(unsigned char *buf, size_t n);

/* ---------------------------------------------------------------------
 * Configuration (conf.c). Owned by the process; read-only after load.
 */
struct config {
	char		*path;		/* the file it came from */
	char		*socket_path;	/* NULL: inherit (systemd fd 3 / fd 0) */
	char		*socket_group;	/* NULL: the process's group */
	unsigned int	 socket_mode;	/* default 0660 */
	char		*database;
	char		*user;		/* drop to this user if root */
	char		*answer_file;	/* XML document for live requests */
	char		*answer;	/* its contents, loaded */
	size_t		 answer_len;
	int		 workers;	/* 0: one per CPU */
	int		 busy_timeout_ms;
	int		 auth_signature;	/* enabled methods */
	int		 auth_token;
	int		 allow_unauthenticated;
	char		*secrets[VP_MAX_SECRETS];	/* loaded from files */
	size_t		 nsecrets;
	char		*tokens[VP_MAX_SECRETS];
	size_t		 ntokens;
};

/*
 * Loads path into cf. Returns 0 on success; -1 with err set (naming the
 * line and the problem) otherwise. Secret and token files are read here.
 */
int		 conf_load(const char *path, struct config *cf, char *err,
		    size_t errsz);
void		 conf_clear(struct config *);

/* ---------------------------------------------------------------------
 * One request, as fcgi.c hands it to the router. Params are borrowed
 * from libfcgi until the request is finished; body is owned by fcgi.c.
 */
struct req {
	const char	*method;
	const char	*path;		/* DOCUMENT_URI, decoded by nginx */
	const char	*query;		/* QUERY_STRING */
	const char	*content_type;
	const char	*remote_addr;
	const char	*request_id;
	const char	*signature;	/* X-Webhook-Signature */
	const char	*authorization;
	int		 dup_signature;	/* header seen more than once */
	int		 dup_authorization;
	char		*body;		/* NUL-terminated after body_len */
	size_t		 body_len;
	enum app_err	 body_err;	/* APP_OK, APP_ETOOBIG or APP_EINTR */
	int64_t		 received_us;
	int64_t		 start_ns;	/* monotonic, for latency */
	int		 admin;		/* nginx's admin listener (VP_ADMIN=1) */
};

/* A response; body is owned (malloc'd) and freed by fcgi.c. */
struct resp {
	int		 status;
	const char	*content_type;
	char		*body;
	size_t		 len;
	const char	*allow;		/* Allow: header for 405, or NULL */
	int		 www_auth;	/* send WWW-Authenticate: Bearer */
	int		 retry_after;	/* seconds; 0: no header */
	/* for the request log line */
	const char	*route;
	const char	*outcome;
	const char	*reason;	/* static or points into reason_buf */
	char		 reason_buf[256];
	char		 session_id[VP_SESSION_MAX + 1];
};

struct worker {
	const struct config	*cf;
	struct store		*st;
};

/* route.c */
/* Dispatches r to its handler; always fills rs. */
void		 route_dispatch(struct worker *, const struct req *r,
		    struct resp *rs);

/* h_webhook.c */
/* 200, 400, 401, 405, 413, 415, 503 (see spec/API.md). */
void		 h_webhook(struct worker *, const struct req *,
		    const char *token, struct resp *);
/* h_recording.c */
/* 200, 400, 401, 404, 405, 503. */
void		 h_recording(struct worker *, const struct req *,
		    const char *id, struct resp *);

/* http.c */
int		 http_status(enum app_err);
const char	*http_reason(int status);	/* "OK", "Not Found", ... */
const char	*app_strerror(enum app_err);
/* Fills rs with the webhook's JSON error for e and reason. */
void		 resp_webhook_error(struct resp *, enum app_err,
		    const char *reason);
/* Fills rs with {"detail": reason} and the status for e. */
void		 resp_detail(struct resp *, enum app_err, const char *reason);

/* fcgi.c (the only user of libfcgi) */
/*
 * Serves requests on listen_fd until *stop is set or accept fails.
 * Returns 0 on a clean stop, -1 on error.
 */
int		 fcgi_serve(int listen_fd, struct worker *,
		    volatile sig_atomic_t *stop);
/* Creates a unix listening socket at path (mode, group); -1 on error. */
int		 fcgi_listen_unix(const char *path, unsigned int mode,
		    const char *group);

/* log.c */
void		 log_init(const char *progname, int debug);
void		 log_warn(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
void		 log_warnx(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
void		 log_info(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
void		 log_debug(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void fatal(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void fatalx(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
/* Escapes untrusted bytes for a log line into out (always terminated). */
void		 log_escape(const char *in, size_t len, char *out,
		    size_t outsz);
/* Masks a phone number, keeping the last 3 digits, into out. */
void		 log_mask_number(const char *in, char *out, size_t outsz);
/* The one request log line (key=value). */
void		 log_request(const struct req *, const struct resp *);

/* util.c */
int64_t		 now_us(void);		/* wall clock, microseconds */
int64_t		 mono_ns(void);		/* monotonic clock */
/* strlcpy semantics */
size_t		 vp_strlcpy(char *dst, const char *src, size_t size);
/* Value of the hex digit c (either case), or -1. */
int		 hex_digit(int c);
/* Copies untrusted bytes, made safe and bounded, for an error message. */
void		 echo_safe(const char *s, size_t len, char *out, size_t outsz);
/* Formats unix seconds as RFC 3339 UTC "YYYY-MM-DDTHH:MM:SSZ" (21 B). */
void		 rfc3339(int64_t t, char out[21]);

/* notify.c */
/*
 * Sends msg (e.g. "READY=1\nSTATUS=serving") to the service manager over
 * $NOTIFY_SOCKET, the sd_notify(3) protocol without libsystemd. Does
 * nothing if NOTIFY_SOCKET is unset; failures are ignored. errno is kept.
 */
void		 notify_send(const char *msg);

/* ---------------------------------------------------------------------
 * Operations: metrics, health, and the queries of voicepactctl.
 */

/* metrics.c: counters shared by the master and every child it forks. */
/* Master, before any fork: maps the shared counters. 0, or -1 (errno). */
int		 metrics_init(void);
/* Counts a finished request (route, outcome, status, latency). */
void		 metrics_request(const struct req *, const struct resp *);
/* Counts a database failure: busy != 0 for a lock timeout. */
void		 metrics_db_failure(int busy);
/* Counts a committed event-log entry ("stored", "duplicate", "rejected"). */
void		 metrics_event(const char *outcome);
void		 metrics_worker_restart(void);	/* master */
/* Counts one group commit of the writer: items written in ns. */
void		 metrics_commit(size_t items, int64_t ns);
void		 metrics_reload(void);		/* master */
/* Master, every turn of its loop: the pool's state and a heartbeat. */
void		 metrics_pool(int configured, int alive, int crash_loop,
		    int writer_alive);
void		 metrics_writer_restart(void);	/* master */
/* The -wal file's size for the next render (-1: unknown). */
void		 metrics_wal_bytes(int64_t bytes);
/* 1 if the pool is healthy, else 0 with *why (static text). */
int		 metrics_pool_ok(const char **why, int *configured,
		    int *alive);
/*
 * The Prometheus text exposition of every counter, plus recordings by
 * status from st (may be NULL). Returns a malloc'd string (length in
 * *len) the caller frees, or NULL.
 */
char		*metrics_render(struct store *st, size_t *len);

/* h_admin.c: served only when r->admin (else the router answers 404). */
/* 200 or 503 (database not writable, workers missing), 405. */
void		 h_healthz(struct worker *, const struct req *, struct resp *);
/* 200 (text/plain; version=0.0.4), 405, 503. */
void		 h_metrics(struct worker *, const struct req *, struct resp *);

/* db.c, for health, metrics and voicepactctl. */
/*
 * APP_OK if the write lock can be taken now (waits at most 250 ms or
 * busy_ms, whichever is less; nothing is written); APP_EBUSY or APP_EDB.
 */
enum app_err	 store_health(struct store *);
/* Calls fn once per processing_status with its row count. */
enum app_err	 store_recording_counts(struct store *, void (*fn)(void *arg,
		    const char *status, int64_t n), void *arg);

struct rec_filter {
	const char	*status;	/* NULL: any */
	int64_t		 since;		/* created_at >= since; 0: no bound */
	int64_t		 until;		/* created_at < until; 0: no bound */
	int		 limit;		/* > 0 */
};
/* Calls fn per matching recording, newest first (rec borrowed). */
enum app_err	 store_recording_list(struct store *,
		    const struct rec_filter *, void (*fn)(void *arg,
		    const struct recording *rec), void *arg);

/* One webhook_events row; every pointer is borrowed for one callback. */
struct event_row {
	int64_t		 id;
	int64_t		 received_us;
	const char	*request_id;	/* NULL if absent, as all below */
	const char	*remote_addr;
	const char	*content_type;
	const char	*body;		/* not NUL-terminated */
	size_t		 body_len;
	const char	*body_sha256;
	const char	*session_id;
	const char	*auth;
	const char	*outcome;
	int		 http_status;
	const char	*reason;
};

struct ev_filter {
	const char	*session_id;	/* NULL: any */
	const char	*outcome;	/* NULL: any */
	int64_t		 since_us;	/* received_at >= since_us; 0: none */
	int64_t		 until_us;	/* received_at < until_us; 0: none */
	int		 limit;		/* > 0 */
};
/* Calls fn per matching event, newest first. */
enum app_err	 store_event_list(struct store *, const struct ev_filter *,
		    void (*fn)(void *arg, const struct event_row *), void *arg);
/* Calls fn with event id; APP_ENOTFOUND if there is none. */
enum app_err	 store_event_get(struct store *, int64_t id,
		    void (*fn)(void *arg, const struct event_row *), void *arg);
/*
 * Deletes events received before before_us, in transactions of at most
 * a few thousand rows; *deleted counts them. Recordings are kept.
 */
enum app_err	 store_prune_events(struct store *, int64_t before_us,
		    int64_t *deleted);
/*
 * PRAGMA integrity_check (full) and the schema version. fn gets each
 * problem line (none if the database is sound). *problems counts them.
 */
enum app_err	 store_check(struct store *, int *version, int *problems,
		    void (*fn)(void *arg, const char *line), void *arg);
/*
 * Copies the live database into the new file dest (created 0600, must
 * not exist) with SQLite's online backup API, then checks the copy.
 * APP_OK, or APP_EINVAL/APP_EBUSY/APP_EDB with err set.
 */
enum app_err	 store_backup(struct store *, const char *dest, char *err,
		    size_t errsz);

#endif /* VOICEPACT_EXTERN_H */
