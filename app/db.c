/*
 * db.c: the only user of SQLite; implements the "Storage" part of
 * extern.h.
 *
 * SQLite ownership and lifetime rules, as this file applies them:
 *  - Every statement the service runs is prepared once, in store_open(),
 *    from the fixed table stmts[] indexed by enum stmt. No SQL is built
 *    at run time. store_close() finalizes them.
 *  - Every statement is reset and its bindings cleared (stmt_done())
 *    before the function that bound or stepped it returns, on every
 *    path. A stepped but un-reset SELECT would hold a read snapshot open
 *    and stop WAL checkpoints. Because of this rule, text and blobs are
 *    bound SQLITE_STATIC: the caller's borrowed data outlives the step
 *    and no pointer to it survives the call.
 *  - sqlite3_column_text/_blob pointers are valid only until the next
 *    step or reset: values are copied into struct recording (bounded)
 *    first, or passed to a callback that is told they are borrowed.
 *  - Every write runs in BEGIN IMMEDIATE .. COMMIT, so that the write
 *    lock is taken (with our bounded busy wait) before anything is read;
 *    a deferred transaction could fail with SQLITE_BUSY_SNAPSHOT instead.
 *  - SQLite result codes stay here: SQLITE_BUSY and SQLITE_LOCKED (all
 *    extended variants) become APP_EBUSY, every other failure APP_EDB.
 *    The extended code is logged.
 *
 * The schema is sql/NNN-*.sql, embedded at build time by sql/embed.sh
 * into migrations.h: migrations[i] takes user_version i to i + 1.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "extern.h"
#include "migrations.h"

#define NMIGRATIONS	(sizeof(migrations) / sizeof(migrations[0]))
_Static_assert(NMIGRATIONS == VP_SCHEMA_VERSION,
    "sql/*.sql migrations and VP_SCHEMA_VERSION disagree");

#define MIGRATE_BUSY_MS		5000
#define BUSY_STEP_NS		1000000L	/* poll the lock every 1 ms */
#define WAL_SIZE_LIMIT		"67108864"	/* truncate the WAL to 64 MiB */

enum stmt {
	STMT_BEGIN,
	STMT_COMMIT,
	STMT_ROLLBACK,
	STMT_REC_GET,
	STMT_REC_PUT,
	STMT_EV_DUP,
	STMT_EV_PUT,
	STMT_KEY_VALID,
	STMT_KEY_CREATE,
	STMT_KEY_LIST,
	STMT_KEY_REVOKE_ID,
	STMT_KEY_REVOKE_NAME,
	STMT_REC_COUNTS,
	STMT_REC_LIST,
	STMT_EV_LIST,
	STMT_EV_GET,
	STMT_EV_PRUNE,
	STMT_INTEGRITY,
	STMT__MAX
};

#define REC_COLUMNS \
	"recording_id, processing_status, recording_url, duration, " \
	"phone_number, caller_number, destination_number, direction, " \
	"hangup_cause, call_session_state, amount, currency_code, " \
	"call_start_time, created_at, processed_at"

/* Column / parameter positions of REC_COLUMNS (0-based columns). */
enum rec_col {
	RC_ID, RC_STATUS, RC_URL, RC_DURATION, RC_PHONE, RC_CALLER,
	RC_DEST, RC_DIRECTION, RC_CAUSE, RC_STATE, RC_AMOUNT, RC_CURRENCY,
	RC_START, RC_CREATED, RC_PROCESSED
};

#define EV_COLUMNS \
	"id, received_at, request_id, remote_addr, content_type, body, " \
	"body_sha256, session_id, auth, outcome, http_status, reason"

/* Column positions of EV_COLUMNS. */
enum ev_col {
	EC_ID, EC_RECEIVED, EC_REQUEST_ID, EC_REMOTE, EC_CTYPE, EC_BODY,
	EC_SHA256, EC_SESSION, EC_AUTH, EC_OUTCOME, EC_STATUS, EC_REASON
};

static const char *const stmts[STMT__MAX] = {
	/* STMT_BEGIN */
	"BEGIN IMMEDIATE",
	/* STMT_COMMIT */
	"COMMIT",
	/* STMT_ROLLBACK */
	"ROLLBACK",
	/* STMT_REC_GET */
	"SELECT " REC_COLUMNS " FROM recordings WHERE recording_id = ?1",
	/* STMT_REC_PUT: created_at is kept from the first insert. */
	"INSERT INTO recordings (" REC_COLUMNS ") VALUES "
	"(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) "
	"ON CONFLICT (recording_id) DO UPDATE SET "
	"processing_status = excluded.processing_status, "
	"recording_url = excluded.recording_url, "
	"duration = excluded.duration, "
	"phone_number = excluded.phone_number, "
	"caller_number = excluded.caller_number, "
	"destination_number = excluded.destination_number, "
	"direction = excluded.direction, "
	"hangup_cause = excluded.hangup_cause, "
	"call_session_state = excluded.call_session_state, "
	"amount = excluded.amount, "
	"currency_code = excluded.currency_code, "
	"call_start_time = excluded.call_start_time, "
	"processed_at = excluded.processed_at",
	/* STMT_EV_DUP */
	"SELECT 1 FROM webhook_events WHERE body_sha256 = ?1 "
	"AND session_id = ?2 AND outcome IN ('stored', 'duplicate') LIMIT 1",
	/* STMT_EV_PUT */
	"INSERT INTO webhook_events (received_at, request_id, remote_addr, "
	"content_type, body, body_sha256, session_id, auth, outcome, "
	"http_status, reason) VALUES "
	"(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	/* STMT_KEY_VALID */
	"SELECT 1 FROM api_keys WHERE key_hash = ?1 AND revoked_at IS NULL",
	/* STMT_KEY_CREATE */
	"INSERT INTO api_keys (name, prefix, key_hash, created_at) "
	"VALUES (?1, ?2, ?3, ?4)",
	/* STMT_KEY_LIST */
	"SELECT id, name, prefix, created_at, revoked_at FROM api_keys "
	"ORDER BY id DESC",
	/* STMT_KEY_REVOKE_ID: revoking twice keeps the first time. */
	"UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?2) "
	"WHERE id = ?1",
	/* STMT_KEY_REVOKE_NAME */
	"UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?2) "
	"WHERE name = ?1",
	/* STMT_REC_COUNTS */
	"SELECT processing_status, count(*) FROM recordings "
	"GROUP BY processing_status ORDER BY processing_status",
	/* STMT_REC_LIST: a NULL parameter is no filter. */
	"SELECT " REC_COLUMNS " FROM recordings "
	"WHERE (?1 IS NULL OR processing_status = ?1) "
	"AND (?2 IS NULL OR created_at >= ?2) "
	"AND (?3 IS NULL OR created_at < ?3) "
	"ORDER BY created_at DESC, recording_id DESC LIMIT ?4",
	/* STMT_EV_LIST */
	"SELECT " EV_COLUMNS " FROM webhook_events "
	"WHERE (?1 IS NULL OR session_id = ?1) "
	"AND (?2 IS NULL OR outcome = ?2) "
	"AND (?3 IS NULL OR received_at >= ?3) "
	"AND (?4 IS NULL OR received_at < ?4) "
	"ORDER BY id DESC LIMIT ?5",
	/* STMT_EV_GET */
	"SELECT " EV_COLUMNS " FROM webhook_events WHERE id = ?1",
	/* STMT_EV_PRUNE: one bounded slice per transaction. */
	"DELETE FROM webhook_events WHERE id IN (SELECT id FROM "
	"webhook_events WHERE received_at < ?1 ORDER BY id LIMIT ?2)",
	/* STMT_INTEGRITY */
	"PRAGMA integrity_check",
};

/* The database this process (or its parent before fork) quick-checked. */
static char	 checked_path[4096];

struct store {
	sqlite3		*db;
	sqlite3_stmt	*stmt[STMT__MAX];
	int		 busy_ms;
	struct timespec	 busy_start;	/* first busy callback of a wait */
};

/*
 * Busy handler: instead of sqlite's 1..100 ms sleeps, polls the lock
 * every millisecond until busy_ms have passed on the monotonic clock
 * since the first callback of this wait. Returns 1 to retry, 0 to give
 * up (the statement then fails with SQLITE_BUSY).
 */
static int
busy_wait(void *arg, int count)
{
	struct store	*st = arg;
	struct timespec	 now, step = { 0, BUSY_STEP_NS };
	int64_t		 waited_ns;

	if (clock_gettime(CLOCK_MONOTONIC, &now) == -1)
		return 0;
	if (count == 0)
		st->busy_start = now;
	waited_ns = (int64_t)(now.tv_sec - st->busy_start.tv_sec) *
	    1000000000 + (now.tv_nsec - st->busy_start.tv_nsec);
	if (waited_ns >= (int64_t)st->busy_ms * 1000000)
		return 0;
	(void)nanosleep(&step, NULL);	/* EINTR: just try again sooner */
	return 1;
}

/*
 * Maps an SQLite result code to the error vocabulary and logs it:
 * APP_EBUSY for a lock not had in time, APP_EINVAL for a value the
 * schema refuses (a constraint: the row, not the connection), APP_EDB
 * for everything else (I/O, disk full, read-only, corruption).
 */
static enum app_err
db_fail(struct store *st, const char *what, int rc)
{
	log_warnx("db: %s: %s (extended code %d): %s", what,
	    sqlite3_errstr(rc), rc, st->db != NULL ?
	    sqlite3_errmsg(st->db) : "no connection");
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		metrics_db_failure(1);
		return APP_EBUSY;
	case SQLITE_CONSTRAINT:
	case SQLITE_MISMATCH:
	case SQLITE_TOOBIG:
	case SQLITE_RANGE:
		/* This one row's values, not the connection. */
		return APP_EINVAL;
	default:
		metrics_db_failure(0);
		return APP_EDB;
	}
}

/* Resets s and clears its bindings: after every use, on every path. */
static void
stmt_done(sqlite3_stmt *s)
{
	(void)sqlite3_reset(s);
	(void)sqlite3_clear_bindings(s);
}

/*
 * Ends a statement whose last step returned rc: resets it (stmt_done)
 * and returns APP_OK if rc is SQLITE_DONE, else the mapped error (what
 * names the operation in the log).
 */
static enum app_err
stmt_end(struct store *st, sqlite3_stmt *s, int rc, const char *what)
{
	enum app_err	 e = APP_OK;

	if (rc != SQLITE_DONE)
		e = db_fail(st, what, rc);
	stmt_done(s);
	return e;
}

/*
 * Binding helpers: each does nothing once *rc is not SQLITE_OK, so a
 * run of binds is checked once. Text and blobs are bound SQLITE_STATIC
 * (see the rules at the top of the file). NULL or "" binds SQL NULL.
 */
static void
bind_text(sqlite3_stmt *s, int i, const char *v, int *rc)
{
	if (*rc != SQLITE_OK)
		return;
	if (v == NULL || v[0] == '\0')
		*rc = sqlite3_bind_null(s, i);
	else
		*rc = sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

static void
bind_int(sqlite3_stmt *s, int i, int64_t v, int *rc)
{
	if (*rc == SQLITE_OK)
		*rc = sqlite3_bind_int64(s, i, v);
}

static void
bind_blob(sqlite3_stmt *s, int i, const void *p, size_t n, int *rc)
{
	if (*rc != SQLITE_OK)
		return;
	if (p == NULL || n == 0)
		*rc = sqlite3_bind_zeroblob(s, i, 0);
	else
		*rc = sqlite3_bind_blob64(s, i, p, n, SQLITE_STATIC);
}

/*
 * Copies text column i into dst (dstsz bytes, always terminated), ""
 * for NULL. Too long a value is cut at a UTF-8 character boundary and
 * logged; the writers bound every field, so this means a foreign write.
 */
static void
col_copy(sqlite3_stmt *s, int i, char *dst, size_t dstsz)
{
	const unsigned char	*p;
	size_t			 n;

	p = sqlite3_column_text(s, i);
	if (p == NULL) {
		dst[0] = '\0';
		return;
	}
	n = (size_t)sqlite3_column_bytes(s, i);
	if (n >= dstsz) {
		log_warnx("db: column %s: %zu bytes cut to %zu",
		    sqlite3_column_name(s, i), n, dstsz - 1);
		n = dstsz - 1;
		while (n > 0 && (p[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(dst, p, n);
	dst[n] = '\0';
}

/* Runs a transaction-control statement. */
static int
tx_step(struct store *st, enum stmt which)
{
	sqlite3_stmt	*s = st->stmt[which];
	int		 rc;

	rc = sqlite3_step(s);
	stmt_done(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Takes the write lock, waiting at most busy_ms. */
static enum app_err
tx_begin(struct store *st)
{
	int	 rc;

	if ((rc = tx_step(st, STMT_BEGIN)) != SQLITE_OK)
		return db_fail(st, "BEGIN IMMEDIATE", rc);
	return APP_OK;
}

/* Rolls back if a transaction is still open (SQLite may have done it). */
static void
tx_rollback(struct store *st)
{
	int	 rc;

	if (sqlite3_get_autocommit(st->db))
		return;
	if ((rc = tx_step(st, STMT_ROLLBACK)) != SQLITE_OK)
		(void)db_fail(st, "ROLLBACK", rc);
}

/* Commits; on failure rolls back. APP_OK only once COMMIT returned. */
static enum app_err
tx_commit(struct store *st)
{
	enum app_err	 e;
	int		 rc;

	if ((rc = tx_step(st, STMT_COMMIT)) != SQLITE_OK) {
		e = db_fail(st, "COMMIT", rc);
		tx_rollback(st);
		return e;
	}
	return APP_OK;
}

/* Copies the current REC_COLUMNS row of s into out (bounded). */
static void
rec_from_row(sqlite3_stmt *s, struct recording *out)
{
	out->exists = 1;
	col_copy(s, RC_ID, out->id, sizeof(out->id));
	out->status = status_from_name((const char *)
	    sqlite3_column_text(s, RC_STATUS));
	if (out->status == ST_NONE)
		log_warnx("db: recording %s: unknown processing_status",
		    out->id);
	col_copy(s, RC_URL, out->recording_url, sizeof(out->recording_url));
	if (sqlite3_column_type(s, RC_DURATION) == SQLITE_NULL)
		out->duration = -1;
	else
		out->duration = sqlite3_column_int64(s, RC_DURATION);
	col_copy(s, RC_PHONE, out->phone_number, sizeof(out->phone_number));
	col_copy(s, RC_CALLER, out->caller_number,
	    sizeof(out->caller_number));
	col_copy(s, RC_DEST, out->destination_number,
	    sizeof(out->destination_number));
	col_copy(s, RC_DIRECTION, out->direction, sizeof(out->direction));
	col_copy(s, RC_CAUSE, out->hangup_cause, sizeof(out->hangup_cause));
	col_copy(s, RC_STATE, out->call_session_state,
	    sizeof(out->call_session_state));
	col_copy(s, RC_AMOUNT, out->amount, sizeof(out->amount));
	col_copy(s, RC_CURRENCY, out->currency_code,
	    sizeof(out->currency_code));
	col_copy(s, RC_START, out->call_start_time,
	    sizeof(out->call_start_time));
	out->created_at = sqlite3_column_int64(s, RC_CREATED);
	out->processed_at = sqlite3_column_int64(s, RC_PROCESSED);
}

/*
 * Steps the bound statement s (unless binding already failed: rc) for
 * one row. APP_OK with the row ready to read (the caller ends s);
 * otherwise s is ended and APP_ENOTFOUND or the mapped error returned.
 */
static enum app_err
step_row(struct store *st, sqlite3_stmt *s, int rc, const char *what)
{
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		return APP_OK;
	if (rc == SQLITE_DONE) {
		stmt_done(s);
		return APP_ENOTFOUND;
	}
	return stmt_end(st, s, rc, what);
}

/*
 * Inside an open transaction: steps the bound statement s (unless
 * binding already failed: rc), ends it, and commits; *changes is the
 * number of rows it changed. On failure rolls back and returns the
 * error.
 */
static enum app_err
step_commit(struct store *st, sqlite3_stmt *s, int rc, const char *what,
    int *changes)
{
	enum app_err	 e;

	*changes = 0;
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	if ((e = stmt_end(st, s, rc, what)) != APP_OK) {
		tx_rollback(st);
		return e;
	}
	*changes = sqlite3_changes(st->db);
	return tx_commit(st);
}

/* Reads the row for id into out; APP_ENOTFOUND if none. */
static enum app_err
rec_get(struct store *st, const char *id, struct recording *out)
{
	sqlite3_stmt	*s = st->stmt[STMT_REC_GET];
	enum app_err	 e;
	int		 rc = SQLITE_OK;

	memset(out, 0, sizeof(*out));
	out->duration = -1;
	bind_text(s, 1, id, &rc);
	if ((e = step_row(st, s, rc, "select recording")) != APP_OK)
		return e;
	rec_from_row(s, out);
	stmt_done(s);
	return APP_OK;
}

/* Inserts or updates the row of rec under id. Inside a transaction. */
static enum app_err
rec_put(struct store *st, const char *id, const struct recording *rec)
{
	sqlite3_stmt	*s = st->stmt[STMT_REC_PUT];
	const char	*status;
	int		 rc = SQLITE_OK;

	if (rec->status <= ST_NONE || rec->status >= ST__MAX ||
	    (status = status_name(rec->status)) == NULL) {
		log_warnx("db: recording %s: no status to store", id);
		return APP_ESYSTEM;
	}
	bind_text(s, RC_ID + 1, id, &rc);
	bind_text(s, RC_STATUS + 1, status, &rc);
	bind_text(s, RC_URL + 1, rec->recording_url, &rc);
	if (rc == SQLITE_OK)
		rc = rec->duration < 0 ? sqlite3_bind_null(s, RC_DURATION + 1) :
		    sqlite3_bind_int64(s, RC_DURATION + 1, rec->duration);
	bind_text(s, RC_PHONE + 1, rec->phone_number, &rc);
	bind_text(s, RC_CALLER + 1, rec->caller_number, &rc);
	bind_text(s, RC_DEST + 1, rec->destination_number, &rc);
	bind_text(s, RC_DIRECTION + 1, rec->direction, &rc);
	bind_text(s, RC_CAUSE + 1, rec->hangup_cause, &rc);
	bind_text(s, RC_STATE + 1, rec->call_session_state, &rc);
	bind_text(s, RC_AMOUNT + 1, rec->amount, &rc);
	bind_text(s, RC_CURRENCY + 1, rec->currency_code, &rc);
	bind_text(s, RC_START + 1, rec->call_start_time, &rc);
	bind_int(s, RC_CREATED + 1, rec->created_at, &rc);
	bind_int(s, RC_PROCESSED + 1, rec->processed_at, &rc);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	return stmt_end(st, s, rc, "upsert recording");
}

/* Sets *dup if an accepted event of session has the body hash hex. */
static enum app_err
event_is_dup(struct store *st, const char *hex, const char *session,
    int *dup)
{
	sqlite3_stmt	*s = st->stmt[STMT_EV_DUP];
	enum app_err	 e;
	int		 rc = SQLITE_OK;

	*dup = 0;
	bind_text(s, 1, hex, &rc);
	bind_text(s, 2, session, &rc);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		e = db_fail(st, "select duplicate", rc);
		stmt_done(s);
		return e;
	}
	*dup = rc == SQLITE_ROW;
	stmt_done(s);
	return APP_OK;
}

/* Lowercase hex SHA-256 of the whole body of d into hex. */
static void
body_hex(const struct delivery *d, char hex[65])
{
	static const char	 digits[] = "0123456789abcdef";
	unsigned char		 md[32];
	size_t			 i;

	sha256(d->body, d->body != NULL ? d->body_len : 0, md);
	for (i = 0; i < sizeof(md); i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 0xf];
	}
	hex[64] = '\0';
}

/*
 * Appends d to the event log (session overrides d->session_id if not
 * NULL). The stored body is bounded by VP_MAX_BODY; hex covers all of it.
 */
static enum app_err
event_put(struct store *st, const struct delivery *d, const char *session,
    const char *hex)
{
	sqlite3_stmt	*s = st->stmt[STMT_EV_PUT];
	size_t		 n;
	int		 rc = SQLITE_OK;

	n = d->body != NULL ? d->body_len : 0;
	if (n > VP_MAX_BODY)
		n = VP_MAX_BODY;
	bind_int(s, 1, d->received_us, &rc);
	bind_text(s, 2, d->request_id, &rc);
	bind_text(s, 3, d->remote_addr, &rc);
	bind_text(s, 4, d->content_type, &rc);
	bind_blob(s, 5, d->body, n, &rc);
	bind_text(s, 6, hex, &rc);
	bind_text(s, 7, session != NULL ? session : d->session_id, &rc);
	bind_text(s, 8, d->auth, &rc);
	bind_text(s, 9, d->outcome, &rc);
	bind_int(s, 10, d->http_status, &rc);
	bind_text(s, 11, d->reason, &rc);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	return stmt_end(st, s, rc, "insert event");
}

/*
 * The body of one delivery inside an open write transaction: read the
 * row, detect a re-delivery, fold, write the row if it changed, append
 * the event. hex is the body's SHA-256, computed before the transaction.
 * A batch version calls this once per delivery between one tx_begin()
 * and one tx_commit().
 */
static enum app_err
deliver_tx(struct store *st, struct delivery *d, const struct event *ev,
    const char *hex, int64_t now, struct deliver_result *res)
{
	struct recording	 rec;
	enum app_err		 e;
	int			 dup, changed = 0;

	e = rec_get(st, ev->session_id, &rec);
	if (e != APP_OK && e != APP_ENOTFOUND)
		return e;
	if ((e = event_is_dup(st, hex, ev->session_id, &dup)) != APP_OK)
		return e;
	/* A re-delivery changes nothing, even after later events. */
	if (!dup)
		changed = fold_event(&rec, ev, now);
	if (changed && (e = rec_put(st, ev->session_id, &rec)) != APP_OK)
		return e;
	d->outcome = dup ? "duplicate" : "stored";
	if ((e = event_put(st, d, ev->session_id, hex)) != APP_OK)
		return e;
	res->changed = changed;
	res->duplicate = dup;
	return APP_OK;
}

/*
 * Writes items[0..n) in one open transaction and commits it. Returns
 * APP_OK once COMMIT returned. If an item fails on its own (not the
 * connection: e.g. a constraint), returns APP_EINVAL with *bad set to its
 * index and its error in items[*bad].err; nothing is committed. Any other
 * error fails the whole transaction. Rolls back on every failure.
 */
static enum app_err
batch_tx(struct store *st, struct store_item *items, size_t n,
    char (*hex)[65], size_t *bad)
{
	struct store_item	*it;
	enum app_err		 e;
	size_t			 i;

	/*
	 * Only an item's own statement may report APP_EINVAL: a refusal at
	 * BEGIN or COMMIT (a deferred constraint) fails the transaction.
	 */
	if ((e = tx_begin(st)) != APP_OK)
		return e == APP_EINVAL ? APP_EDB : e;
	for (i = 0; i < n; i++) {
		it = &items[i];
		if (it->ev != NULL && (it->ev->session_id == NULL ||
		    it->ev->session_id[0] == '\0'))
			e = APP_ESYSTEM;
		else
			e = it->ev != NULL ? deliver_tx(st, it->d, it->ev,
			    hex[i], it->now, &it->res) :
			    event_put(st, it->d, NULL, hex[i]);
		if (e == APP_EBUSY || e == APP_EDB || e == APP_ENOMEM) {
			/* The connection itself failed: nothing commits. */
			tx_rollback(st);
			return e;
		}
		if (e != APP_OK) {
			tx_rollback(st);
			it->err = e;
			*bad = i;
			return APP_EINVAL;
		}
	}
	if ((e = tx_commit(st)) != APP_OK) {
		tx_rollback(st);
		return e == APP_EINVAL ? APP_EDB : e;
	}
	return APP_OK;
}

/*
 * The durable write path, the only one: writes n items in ONE
 * transaction, so that they share one COMMIT and one fsync (group
 * commit). items[i].err is APP_OK only once the COMMIT holding item i
 * returned; d->outcome is then set ("stored" or "duplicate"), and means
 * nothing after a failure. An item that fails on its own (which the
 * validation before should make impossible) costs the batch one
 * rollback: the items are then written one transaction each, so only
 * that item fails. A failure of the connection (busy, I/O, disk full)
 * fails every item and is returned. Bodies are hashed before the write
 * lock is taken.
 */
enum app_err
store_write_batch(struct store *st, struct store_item *items, size_t n)
{
	char		(*hex)[65] = NULL, one[1][65];
	enum app_err	 e = APP_OK;
	size_t		 i, bad = 0;

	if (n == 0)
		return APP_OK;
	hex = n == 1 ? one : calloc(n, sizeof(*hex));
	if (hex == NULL) {
		e = APP_ENOMEM;
		goto fail;
	}
	for (i = 0; i < n; i++) {
		memset(&items[i].res, 0, sizeof(items[i].res));
		items[i].err = APP_OK;
		body_hex(items[i].d, hex[i]);
	}
	e = batch_tx(st, items, n, hex, &bad);
	if (e == APP_EINVAL && items[bad].err == APP_OK)
		e = APP_EDB;	/* never report success without a commit */
	if (e == APP_EINVAL && n > 1) {
		log_warnx("db: item %zu of a batch of %zu failed: %s; writing "
		    "them one by one", bad, n, app_strerror(items[bad].err));
		for (i = 0; i < n; i++) {
			memset(&items[i].res, 0, sizeof(items[i].res));
			items[i].err = APP_OK;
			e = batch_tx(st, &items[i], 1, &hex[i], &bad);
			if (e == APP_EINVAL && items[i].err == APP_OK)
				e = APP_EDB;
			if (e != APP_OK && e != APP_EINVAL) {
				/*
				 * The connection failed: items before i are
				 * committed and keep APP_OK; the rest fail.
				 */
				for (; i < n; i++) {
					items[i].err = e;
					memset(&items[i].res, 0,
					    sizeof(items[i].res));
				}
				break;
			}
			if (e == APP_OK)
				metrics_event(items[i].d->outcome);
		}
		e = APP_OK;
		goto done;
	}
	if (e == APP_EINVAL)
		e = APP_OK;	/* the one item has its error */
	else if (e != APP_OK)
		goto fail;
	else
		for (i = 0; i < n; i++)
			metrics_event(items[i].d->outcome);
done:
	if (hex != one)
		free(hex);
	return e;
fail:
	for (i = 0; i < n; i++) {
		items[i].err = e;
		memset(&items[i].res, 0, sizeof(items[i].res));
	}
	if (hex != one)
		free(hex);
	return e;
}

/*
 * One delivery, on its own (see extern.h): a batch of one. Returns APP_OK
 * only after COMMIT returned; on failure nothing was written.
 */
enum app_err
store_deliver(struct store *st, struct delivery *d, const struct event *ev,
    int64_t now, struct deliver_result *res)
{
	struct store_item	 it;
	const char		*outcome = d->outcome;
	enum app_err		 e;

	memset(&it, 0, sizeof(it));
	it.d = d;
	it.ev = ev;
	it.now = now;
	if ((e = store_write_batch(st, &it, 1)) == APP_OK)
		e = it.err;
	if (e != APP_OK)
		d->outcome = outcome;
	*res = it.res;
	return e;
}

/* Appends a rejected delivery to the event log (a batch of one). */
enum app_err
store_log_rejection(struct store *st, const struct delivery *d)
{
	struct store_item	 it;
	struct delivery		 copy = *d;
	enum app_err		 e;

	memset(&it, 0, sizeof(it));
	it.d = &copy;
	if ((e = store_write_batch(st, &it, 1)) == APP_OK)
		e = it.err;
	return e;
}

/*
 * Reads the row for id into out (bounded copies; the statement is reset
 * before returning). APP_OK, APP_ENOTFOUND, APP_EBUSY or APP_EDB.
 */
enum app_err
store_get_recording(struct store *st, const char *id, struct recording *out)
{
	return rec_get(st, id, out);
}

/* APP_OK if hash is the SHA-256 of a live key, APP_EAUTH if not. */
enum app_err
store_key_valid(struct store *st, const unsigned char hash[32])
{
	sqlite3_stmt	*s = st->stmt[STMT_KEY_VALID];
	enum app_err	 e;
	int		 rc = SQLITE_OK;

	bind_blob(s, 1, hash, 32, &rc);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		e = db_fail(st, "select key", rc);
		stmt_done(s);
		return e;
	}
	stmt_done(s);
	return rc == SQLITE_ROW ? APP_OK : APP_EAUTH;
}

/*
 * Stores a new key (name, prefix and hash borrowed); sets *id. Returns
 * APP_EINVAL if the name is taken or breaks the schema's rules (1..64
 * characters, not all digits), APP_EBUSY or APP_EDB otherwise.
 */
enum app_err
store_key_create(struct store *st, const char *name, const char *prefix,
    const unsigned char hash[32], int64_t *id)
{
	sqlite3_stmt	*s = st->stmt[STMT_KEY_CREATE];
	enum app_err	 e;
	int		 rc = SQLITE_OK;

	if ((e = tx_begin(st)) != APP_OK)
		return e;
	bind_text(s, 1, name, &rc);
	bind_text(s, 2, prefix, &rc);
	bind_blob(s, 3, hash, 32, &rc);
	bind_int(s, 4, (int64_t)time(NULL), &rc);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	if (rc != SQLITE_DONE) {
		e = (rc & 0xff) == SQLITE_CONSTRAINT ? APP_EINVAL :
		    db_fail(st, "insert key", rc);
		stmt_done(s);
		tx_rollback(st);
		return e;
	}
	stmt_done(s);
	*id = sqlite3_last_insert_rowid(st->db);
	return tx_commit(st);
}

/*
 * Calls fn once per key, newest first. The strings passed to fn are
 * borrowed for the duration of that call only; revoked_at is 0 for a
 * live key. fn must not call back into the store.
 */
enum app_err
store_key_list(struct store *st, void (*fn)(void *arg, int64_t id,
    const char *name, const char *prefix, int64_t created_at,
    int64_t revoked_at), void *arg)
{
	sqlite3_stmt	*s = st->stmt[STMT_KEY_LIST];
	const char	*name, *prefix;
	int		 rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		name = (const char *)sqlite3_column_text(s, 1);
		prefix = (const char *)sqlite3_column_text(s, 2);
		fn(arg, sqlite3_column_int64(s, 0),
		    name != NULL ? name : "", prefix != NULL ? prefix : "",
		    sqlite3_column_int64(s, 3), sqlite3_column_int64(s, 4));
	}
	return stmt_end(st, s, rc, "list keys");
}

/* 1 if s is 1..18 decimal digits (a key id; names never are). */
static int
all_digits(const char *s)
{
	size_t	 i;

	for (i = 0; s[i] != '\0'; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return i > 0 && i <= 18;
}

/*
 * Revokes the key whose id (all digits) or name is id_or_name, at now.
 * Revoking a revoked key keeps its first revocation time and succeeds.
 * APP_ENOTFOUND if no key matched.
 */
enum app_err
store_key_revoke(struct store *st, const char *id_or_name, int64_t now)
{
	sqlite3_stmt	*s;
	enum app_err	 e;
	int		 rc = SQLITE_OK, n;

	if ((e = tx_begin(st)) != APP_OK)
		return e;
	if (all_digits(id_or_name)) {
		s = st->stmt[STMT_KEY_REVOKE_ID];
		bind_int(s, 1, strtoll(id_or_name, NULL, 10), &rc);
	} else {
		s = st->stmt[STMT_KEY_REVOKE_NAME];
		bind_text(s, 1, id_or_name, &rc);
	}
	bind_int(s, 2, now, &rc);
	if ((e = step_commit(st, s, rc, "revoke key", &n)) != APP_OK)
		return e;
	return n > 0 ? APP_OK : APP_ENOTFOUND;
}

/* ---------------------------------------------------------------------
 * Opening and migrating.
 */

/*
 * Runs a fixed PRAGMA (or other one-row statement) and copies the first
 * column of its first row into out ("" if no row). Returns an SQLite
 * result code.
 */
static int
pragma_text(sqlite3 *db, const char *sql, char *out, size_t outsz)
{
	sqlite3_stmt	*s = NULL;
	const char	*p;
	int		 rc;

	out[0] = '\0';
	if ((rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL)) != SQLITE_OK)
		return rc;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		if ((p = (const char *)sqlite3_column_text(s, 0)) != NULL)
			snprintf(out, outsz, "%s", p);
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE)
		rc = SQLITE_OK;
	sqlite3_finalize(s);
	return rc;
}

/* Reads PRAGMA user_version into *ver; returns an SQLite result code. */
static int
user_version(sqlite3 *db, int *ver)
{
	char	 buf[32];
	int	 rc;

	*ver = -1;
	if ((rc = pragma_text(db, "PRAGMA user_version", buf,
	    sizeof(buf))) == SQLITE_OK)
		*ver = atoi(buf);
	return rc;
}

/*
 * Formats an SQLite failure on path, with its extended code, into err;
 * the caller reports err (it is not logged here as well).
 */
static void
open_err(sqlite3 *db, const char *path, const char *what, int rc,
    char *err, size_t errsz)
{
	snprintf(err, errsz, "database %s: %s: %s (extended code %d)", path,
	    what, db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc), rc);
}

/*
 * Opens path read-write (never creating it), with extended result codes
 * and our busy handler. st->busy_ms must be set. Returns 0, or -1 with
 * err set and st->db closed.
 */
static int
db_connect(struct store *st, const char *path, char *err, size_t errsz)
{
	struct stat	 sb;
	int		 rc;

	if (stat(path, &sb) == -1) {
		if (errno == ENOENT)
			snprintf(err, errsz, "database %s does not exist; "
			    "run voicepactctl migrate", path);
		else
			snprintf(err, errsz, "database %s: %s", path,
			    strerror(errno));
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		snprintf(err, errsz, "database %s: not a regular file", path);
		return -1;
	}
	rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE, NULL);
	if (rc != SQLITE_OK) {
		open_err(st->db, path, "cannot open", rc, err, errsz);
		goto fail;
	}
	(void)sqlite3_extended_result_codes(st->db, 1);
	if ((rc = sqlite3_busy_handler(st->db, busy_wait, st)) != SQLITE_OK) {
		open_err(st->db, path, "busy handler", rc, err, errsz);
		goto fail;
	}
	/* SQLite silently falls back to read-only if it cannot write. */
	if (sqlite3_db_readonly(st->db, "main") != 0) {
		snprintf(err, errsz, "database %s is read-only", path);
		goto fail;
	}
	return 0;
fail:
	sqlite3_close(st->db);
	st->db = NULL;
	return -1;
}

/* Checks PRAGMA quick_check; 0 if ok, -1 with err set. */
static int
db_quick_check(sqlite3 *db, const char *path, char *err, size_t errsz)
{
	char	 buf[256], *p;
	int	 rc;

	if ((rc = pragma_text(db, "PRAGMA quick_check", buf,
	    sizeof(buf))) != SQLITE_OK) {
		open_err(db, path, "quick_check", rc, err, errsz);
		return -1;
	}
	if (strcmp(buf, "ok") != 0) {
		for (p = buf; *p != '\0'; p++)	/* one log line */
			if ((unsigned char)*p < ' ')
				*p = ' ';
		snprintf(err, errsz, "database %s: quick_check failed: %s",
		    path, buf);
		return -1;
	}
	return 0;
}

/* Switches to WAL and verifies it; 0, or -1 with err set. */
static int
db_wal(sqlite3 *db, const char *path, char *err, size_t errsz)
{
	char	 buf[32];
	int	 rc;

	if ((rc = pragma_text(db, "PRAGMA journal_mode = WAL", buf,
	    sizeof(buf))) != SQLITE_OK) {
		open_err(db, path, "journal_mode", rc, err, errsz);
		return -1;
	}
	if (strcmp(buf, "wal") != 0) {
		snprintf(err, errsz, "database %s: journal_mode is %s, "
		    "not wal", path, buf[0] != '\0' ? buf : "unknown");
		return -1;
	}
	return 0;
}

/*
 * Opens path for serving (see extern.h). On success *stp owns the
 * connection; release it with store_close().
 */
enum app_err
store_open(const char *path, int busy_ms, struct store **stp, char *err,
    size_t errsz)
{
	struct store	*st;
	char		 buf[32];
	size_t		 i;
	int		 rc, ver;

	*stp = NULL;
	if (path == NULL || path[0] == '\0') {
		snprintf(err, errsz, "no database configured");
		return APP_EDB;
	}
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		snprintf(err, errsz, "out of memory");
		return APP_ENOMEM;
	}
	st->busy_ms = busy_ms > 0 ? busy_ms : 0;
	if (db_connect(st, path, err, errsz) == -1)
		goto fail;

	if ((rc = user_version(st->db, &ver)) != SQLITE_OK) {
		open_err(st->db, path, "reading user_version", rc, err,
		    errsz);
		goto fail;
	}
	if (ver < VP_SCHEMA_VERSION) {
		snprintf(err, errsz, "database %s: schema version %d is older "
		    "than this build's %d: run voicepactctl migrate", path,
		    ver, VP_SCHEMA_VERSION);
		goto fail;
	}
	if (ver > VP_SCHEMA_VERSION) {
		snprintf(err, errsz, "database %s: schema version %d is newer "
		    "than this build's %d: upgrade voicepactd", path, ver,
		    VP_SCHEMA_VERSION);
		goto fail;
	}
	/*
	 * quick_check reads every page: once per process tree. The master
	 * checks before it forks; its workers and writer inherit the mark.
	 */
	if (strcmp(checked_path, path) != 0) {
		if (db_quick_check(st->db, path, err, errsz) == -1)
			goto fail;
		vp_strlcpy(checked_path, path, sizeof(checked_path));
	}
	if (db_wal(st->db, path, err, errsz) == -1)
		goto fail;
	if ((rc = pragma_text(st->db, "PRAGMA synchronous = FULL", buf,
	    sizeof(buf))) != SQLITE_OK ||
	    (rc = pragma_text(st->db, "PRAGMA synchronous", buf,
	    sizeof(buf))) != SQLITE_OK) {
		open_err(st->db, path, "synchronous", rc, err, errsz);
		goto fail;
	}
	if (strcmp(buf, "2") != 0 && strcmp(buf, "3") != 0) {
		snprintf(err, errsz, "database %s: synchronous is %s, not "
		    "FULL", path, buf);
		goto fail;
	}
	if ((rc = pragma_text(st->db, "PRAGMA foreign_keys = ON", buf,
	    sizeof(buf))) != SQLITE_OK ||
	    (rc = pragma_text(st->db, "PRAGMA journal_size_limit = "
	    WAL_SIZE_LIMIT, buf, sizeof(buf))) != SQLITE_OK) {
		open_err(st->db, path, "pragma", rc, err, errsz);
		goto fail;
	}

	for (i = 0; i < STMT__MAX; i++) {
		rc = sqlite3_prepare_v3(st->db, stmts[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &st->stmt[i], NULL);
		if (rc != SQLITE_OK) {
			open_err(st->db, path, "prepare", rc, err, errsz);
			goto fail;
		}
	}
	*stp = st;
	return APP_OK;
fail:
	store_close(st);
	return APP_EDB;
}

/* Finalizes every statement and closes the connection; NULL is a no-op. */
void
store_close(struct store *st)
{
	size_t	 i;
	int	 rc;

	if (st == NULL)
		return;
	for (i = 0; i < STMT__MAX; i++)
		sqlite3_finalize(st->stmt[i]);
	if (st->db != NULL && (rc = sqlite3_close(st->db)) != SQLITE_OK)
		log_warnx("db: close: %s (extended code %d)",
		    sqlite3_errstr(rc), rc);
	free(st);
}

/*
 * Applies migration v (1-based) in its own BEGIN IMMEDIATE transaction,
 * which also sets user_version = v. Skips it if another process applied
 * it meanwhile. Returns 0, or -1 with err set and nothing applied.
 */
static int
migrate_one(sqlite3 *db, const char *path, int v, char *err, size_t errsz)
{
	char	*msg = NULL;
	char	 what[64];
	int	 rc, cur;

	snprintf(what, sizeof(what), "migration %03d", v);
	if ((rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL)) !=
	    SQLITE_OK) {
		open_err(db, path, what, rc, err, errsz);
		return -1;
	}
	/* Read again under the write lock: another migrate may have run. */
	if ((rc = user_version(db, &cur)) != SQLITE_OK) {
		open_err(db, path, what, rc, err, errsz);
		goto fail;
	}
	if (cur >= v) {
		(void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return 0;
	}
	if (cur != v - 1) {
		snprintf(err, errsz, "database %s: %s: schema version is %d, "
		    "expected %d", path, what, cur, v - 1);
		goto fail;
	}
	if ((rc = sqlite3_exec(db, migrations[v - 1], NULL, NULL, &msg)) !=
	    SQLITE_OK) {
		snprintf(err, errsz, "database %s: %s failed: %s (extended "
		    "code %d)", path, what, msg != NULL ? msg :
		    sqlite3_errstr(rc), sqlite3_extended_errcode(db));
		sqlite3_free(msg);
		goto fail;
	}
	if (sqlite3_get_autocommit(db)) {
		snprintf(err, errsz, "database %s: %s ended its own "
		    "transaction", path, what);
		goto fail;
	}
	if ((rc = user_version(db, &cur)) != SQLITE_OK) {
		open_err(db, path, what, rc, err, errsz);
		goto fail;
	}
	if (cur != v) {
		snprintf(err, errsz, "database %s: %s set schema version %d, "
		    "not %d", path, what, cur, v);
		goto fail;
	}
	if ((rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL)) !=
	    SQLITE_OK) {
		open_err(db, path, what, rc, err, errsz);
		goto fail;
	}
	return 0;
fail:
	if (!sqlite3_get_autocommit(db))
		(void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/*
 * Creates path (mode 0600) if missing and brings its schema to
 * VP_SCHEMA_VERSION, one embedded migration per transaction. Idempotent.
 * Refuses a database newer than this build. Returns APP_OK, or APP_EDB
 * (APP_ENOMEM) with err set.
 */
enum app_err
store_migrate(const char *path, char *err, size_t errsz)
{
	struct store	 st;
	int		 fd, rc, v, ver;

	memset(&st, 0, sizeof(st));
	st.busy_ms = MIGRATE_BUSY_MS;
	if (path == NULL || path[0] == '\0') {
		snprintf(err, errsz, "no database configured");
		return APP_EDB;
	}
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd == -1 && errno != EEXIST) {
		snprintf(err, errsz, "cannot create database %s: %s", path,
		    strerror(errno));
		return APP_EDB;
	}
	if (fd != -1)
		close(fd);	/* an empty file is an empty database */
	if (db_connect(&st, path, err, errsz) == -1)
		return APP_EDB;

	if ((rc = user_version(st.db, &ver)) != SQLITE_OK) {
		open_err(st.db, path, "reading user_version", rc, err,
		    errsz);
		goto fail;
	}
	if (ver > VP_SCHEMA_VERSION) {
		snprintf(err, errsz, "database %s: schema version %d is newer "
		    "than this build's %d: upgrade voicepactctl", path, ver,
		    VP_SCHEMA_VERSION);
		goto fail;
	}
	if (ver > 0 && db_quick_check(st.db, path, err, errsz) == -1)
		goto fail;
	if (db_wal(st.db, path, err, errsz) == -1)
		goto fail;
	for (v = ver + 1; v <= VP_SCHEMA_VERSION; v++)
		if (migrate_one(st.db, path, v, err, errsz) == -1)
			goto fail;
	sqlite3_close(st.db);
	return APP_OK;
fail:
	sqlite3_close(st.db);
	return APP_EDB;
}

/* ---------------------------------------------------------------------
 * Operations: health, metrics and voicepactctl's queries.
 */

/*
 * Takes the write lock and releases it at once (nothing is written), so
 * a database that is locked, read-only or unreachable reports itself.
 * Waits at most 250 ms (or busy_ms if less).
 */
enum app_err
store_health(struct store *st)
{
	enum app_err	 e;
	int		 saved = st->busy_ms;

	if (st->busy_ms > 250)
		st->busy_ms = 250;
	e = tx_begin(st);
	st->busy_ms = saved;
	if (e != APP_OK)
		return e;
	tx_rollback(st);
	if (sqlite3_db_readonly(st->db, "main") != 0)
		return APP_EDB;
	return APP_OK;
}

/* Calls fn once per processing_status present, with its count. */
enum app_err
store_recording_counts(struct store *st, void (*fn)(void *arg,
    const char *status, int64_t n), void *arg)
{
	sqlite3_stmt	*s = st->stmt[STMT_REC_COUNTS];
	const char	*status;
	int		 rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		status = (const char *)sqlite3_column_text(s, 0);
		fn(arg, status != NULL ? status : "", sqlite3_column_int64(s,
		    1));
	}
	return stmt_end(st, s, rc, "count recordings");
}

/* Binds v, or NULL when v is 0 (no bound). */
static void
bind_bound(sqlite3_stmt *s, int i, int64_t v, int *rc)
{
	if (*rc != SQLITE_OK)
		return;
	if (v == 0)
		*rc = sqlite3_bind_null(s, i);
	else
		*rc = sqlite3_bind_int64(s, i, v);
}

/*
 * Calls fn for each recording matching f, newest first. rec is
 * borrowed for the call; fn must not call back into the store.
 */
enum app_err
store_recording_list(struct store *st, const struct rec_filter *f,
    void (*fn)(void *arg, const struct recording *rec), void *arg)
{
	sqlite3_stmt		*s = st->stmt[STMT_REC_LIST];
	struct recording	 rec;
	int			 rc = SQLITE_OK;

	bind_text(s, 1, f->status, &rc);
	bind_bound(s, 2, f->since, &rc);
	bind_bound(s, 3, f->until, &rc);
	bind_int(s, 4, f->limit > 0 ? f->limit : 1, &rc);
	if (rc == SQLITE_OK)
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			memset(&rec, 0, sizeof(rec));
			rec_from_row(s, &rec);
			fn(arg, &rec);
		}
	return stmt_end(st, s, rc, "list recordings");
}

/* Points row at the current EV_COLUMNS row of s (borrowed until step). */
static void
ev_from_row(sqlite3_stmt *s, struct event_row *row)
{
	memset(row, 0, sizeof(*row));
	row->id = sqlite3_column_int64(s, EC_ID);
	row->received_us = sqlite3_column_int64(s, EC_RECEIVED);
	row->request_id = (const char *)sqlite3_column_text(s, EC_REQUEST_ID);
	row->remote_addr = (const char *)sqlite3_column_text(s, EC_REMOTE);
	row->content_type = (const char *)sqlite3_column_text(s, EC_CTYPE);
	row->body = sqlite3_column_blob(s, EC_BODY);
	row->body_len = (size_t)sqlite3_column_bytes(s, EC_BODY);
	if (row->body == NULL)
		row->body = "";
	row->body_sha256 = (const char *)sqlite3_column_text(s, EC_SHA256);
	row->session_id = (const char *)sqlite3_column_text(s, EC_SESSION);
	row->auth = (const char *)sqlite3_column_text(s, EC_AUTH);
	row->outcome = (const char *)sqlite3_column_text(s, EC_OUTCOME);
	row->http_status = sqlite3_column_int(s, EC_STATUS);
	row->reason = (const char *)sqlite3_column_text(s, EC_REASON);
}

/* Calls fn per event matching f, newest first (rows borrowed per call). */
enum app_err
store_event_list(struct store *st, const struct ev_filter *f,
    void (*fn)(void *arg, const struct event_row *), void *arg)
{
	sqlite3_stmt		*s = st->stmt[STMT_EV_LIST];
	struct event_row	 row;
	int			 rc = SQLITE_OK;

	bind_text(s, 1, f->session_id, &rc);
	bind_text(s, 2, f->outcome, &rc);
	bind_bound(s, 3, f->since_us, &rc);
	bind_bound(s, 4, f->until_us, &rc);
	bind_int(s, 5, f->limit > 0 ? f->limit : 1, &rc);
	if (rc == SQLITE_OK)
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			ev_from_row(s, &row);
			fn(arg, &row);
		}
	return stmt_end(st, s, rc, "list events");
}

/* Calls fn with event id (row borrowed for the call); APP_ENOTFOUND. */
enum app_err
store_event_get(struct store *st, int64_t id,
    void (*fn)(void *arg, const struct event_row *), void *arg)
{
	sqlite3_stmt		*s = st->stmt[STMT_EV_GET];
	struct event_row	 row;
	enum app_err		 e;
	int			 rc = SQLITE_OK;

	bind_int(s, 1, id, &rc);
	if ((e = step_row(st, s, rc, "select event")) != APP_OK)
		return e;
	ev_from_row(s, &row);
	fn(arg, &row);
	stmt_done(s);
	return APP_OK;
}

#define PRUNE_SLICE	2000	/* rows per transaction: short write locks */

/*
 * Deletes events received before before_us, PRUNE_SLICE rows per
 * transaction so that webhooks are never held up long; then asks for a
 * passive checkpoint. Recordings are never touched.
 */
enum app_err
store_prune_events(struct store *st, int64_t before_us, int64_t *deleted)
{
	sqlite3_stmt	*s = st->stmt[STMT_EV_PRUNE];
	enum app_err	 e;
	char		 buf[64];
	int		 rc, n;

	*deleted = 0;
	do {
		if ((e = tx_begin(st)) != APP_OK)
			return e;
		rc = SQLITE_OK;
		bind_int(s, 1, before_us, &rc);
		bind_int(s, 2, PRUNE_SLICE, &rc);
		if ((e = step_commit(st, s, rc, "prune events", &n)) != APP_OK)
			return e;
		*deleted += n;
	} while (n == PRUNE_SLICE);
	(void)pragma_text(st->db, "PRAGMA wal_checkpoint(PASSIVE)", buf,
	    sizeof(buf));
	return APP_OK;
}

/*
 * Full integrity check and schema version. Each line other than "ok"
 * is a problem passed to fn (borrowed for the call).
 */
enum app_err
store_check(struct store *st, int *version, int *problems,
    void (*fn)(void *arg, const char *line), void *arg)
{
	sqlite3_stmt	*s = st->stmt[STMT_INTEGRITY];
	const char	*line;
	int		 rc;

	*problems = 0;
	if ((rc = user_version(st->db, version)) != SQLITE_OK)
		return db_fail(st, "user_version", rc);
	if (*version != VP_SCHEMA_VERSION) {
		(*problems)++;
		fn(arg, "schema version differs from this build's");
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		line = (const char *)sqlite3_column_text(s, 0);
		if (line != NULL && strcmp(line, "ok") == 0)
			continue;
		(*problems)++;
		fn(arg, line != NULL ? line : "(null)");
	}
	return stmt_end(st, s, rc, "integrity_check");
}

/*
 * Online backup into the new file dest: one backup step over the whole
 * database, so the copy is one consistent snapshot, retried while the
 * source is busy (up to busy_ms); then an integrity check of the copy.
 * On any failure dest is removed.
 */
enum app_err
store_backup(struct store *st, const char *dest, char *err, size_t errsz)
{
	sqlite3		*dst = NULL;
	sqlite3_backup	*bk = NULL;
	struct timespec	 pause = { 0, 10 * BUSY_STEP_NS };
	char		 buf[256];
	enum app_err	 e = APP_EDB;
	int		 fd, rc, waited_ms = 0;

	fd = open(dest, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd == -1) {
		snprintf(err, errsz, "cannot create %s: %s", dest,
		    strerror(errno));
		return errno == EEXIST ? APP_EINVAL : APP_EDB;
	}
	close(fd);
	rc = sqlite3_open_v2(dest, &dst, SQLITE_OPEN_READWRITE, NULL);
	if (rc != SQLITE_OK) {
		open_err(dst, dest, "cannot open", rc, err, errsz);
		goto fail;
	}
	if ((bk = sqlite3_backup_init(dst, "main", st->db, "main")) == NULL) {
		open_err(dst, dest, "backup", sqlite3_errcode(dst), err, errsz);
		goto fail;
	}
	for (;;) {
		rc = sqlite3_backup_step(bk, -1);
		if (rc == SQLITE_DONE)
			break;
		if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED) {
			snprintf(err, errsz, "backup of %s failed: %s "
			    "(extended code %d)", dest, sqlite3_errstr(rc), rc);
			goto fail;
		}
		if (waited_ms >= st->busy_ms) {
			snprintf(err, errsz, "backup: the database stayed busy "
			    "for %d ms", waited_ms);
			e = APP_EBUSY;
			goto fail;
		}
		(void)nanosleep(&pause, NULL);
		waited_ms += 10;
	}
	if ((rc = sqlite3_backup_finish(bk)) != SQLITE_OK) {
		bk = NULL;
		open_err(dst, dest, "backup", rc, err, errsz);
		goto fail;
	}
	bk = NULL;
	if ((rc = pragma_text(dst, "PRAGMA integrity_check", buf,
	    sizeof(buf))) != SQLITE_OK || strcmp(buf, "ok") != 0) {
		snprintf(err, errsz, "backup %s: the copy fails its integrity "
		    "check", dest);
		goto fail;
	}
	if ((rc = sqlite3_close(dst)) != SQLITE_OK) {
		dst = NULL;
		snprintf(err, errsz, "backup %s: close: %s", dest,
		    sqlite3_errstr(rc));
		goto fail;
	}
	return APP_OK;
fail:
	if (bk != NULL)
		(void)sqlite3_backup_finish(bk);
	if (dst != NULL)
		sqlite3_close(dst);
	unlink(dest);
	return e;
}
