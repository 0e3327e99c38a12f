/*
 * test-db.c: the SQLite store (app/db.c) on a temporary directory:
 * migrations, version refusal, the durable write path, folding,
 * re-delivery, lock contention, the rejection log and API keys. TAP.
 * Needs migrations.h (sql/embed.sh) on the include path.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../app/db.c"

#include "tap.h"

#define BUSY_MS		300
#define SESSION		"ATVId_5f1c0a9b"

static char	 dir[64];

/* path of name inside the test directory (static buffer, one at a time) */
static const char *
tpath(const char *name)
{
	static char	 buf[2][256];
	static int	 which;

	which = !which;
	snprintf(buf[which], sizeof(buf[which]), "%s/%s", dir, name);
	return buf[which];
}

/* One integer from sql run on a separate connection; -1 on error. */
static long long
query_int(const char *path, const char *sql)
{
	sqlite3		*db = NULL;
	sqlite3_stmt	*s = NULL;
	long long	 v = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) ==
	    SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

/* One text value from sql, copied into out ("" on error or NULL). */
static const char *
query_text(const char *path, const char *sql)
{
	static char	 out[512];
	sqlite3		*db = NULL;
	sqlite3_stmt	*s = NULL;
	const char	*p;

	out[0] = '\0';
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) ==
	    SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW &&
	    (p = (const char *)sqlite3_column_text(s, 0)) != NULL)
		snprintf(out, sizeof(out), "%s", p);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return out;
}

static int
exec_sql(const char *path, const char *sql)
{
	sqlite3	*db = NULL;
	int	 rc;

	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc;
}

/* 1 if no statement of st is mid-step and no transaction is open. */
static int
store_idle(struct store *st)
{
	size_t	 i;

	for (i = 0; i < STMT__MAX; i++)
		if (sqlite3_stmt_busy(st->stmt[i]))
			return 0;
	return sqlite3_get_autocommit(st->db);
}

static void
make_delivery(struct delivery *d, const char *body, const char *session)
{
	memset(d, 0, sizeof(*d));
	d->received_us = 1772805600000000LL;
	d->request_id = "0123456789abcdef0123456789abcdef";
	d->remote_addr = "127.0.0.1";
	d->content_type = "application/x-www-form-urlencoded";
	d->body = body;
	d->body_len = strlen(body);
	d->auth = "token";
	d->session_id = session;
	d->outcome = NULL;
	d->http_status = 200;
}

static void
make_event(struct event *ev, enum call_status status, const char *url,
    long long duration)
{
	memset(ev, 0, sizeof(*ev));
	ev->dialect = DIALECT_AT;
	ev->is_active = status == ST_IN_PROGRESS;
	ev->status = status;
	ev->session_id = SESSION;
	ev->recording_url = url;
	ev->duration = duration;
	ev->caller_number = "+254711082000";
	ev->destination_number = "+254711082999";
	ev->direction = "Inbound";
	if (status != ST_IN_PROGRESS) {
		ev->hangup_cause = "NORMAL_CLEARING";
		ev->call_session_state = "Completed";
		ev->amount = "0.5";
		ev->currency_code = "KES";
	}
}

/*
 * store_write_batch: several deliveries in one transaction; two for one
 * session fold in order; an item that fails on its own (a status the
 * store cannot write) fails alone and the others are still committed.
 */
static void
test_batch(void)
{
	static const char *const sids[4] = { "ATVId_batch0", "ATVId_batch1",
	    "ATVId_batch2", "ATVId_batch0" };
	static const char *const bodies[4] = { "b=0", "b=1", "b=2", "b=3" };
	const char		*db = tpath("main.db");
	struct store		*st = NULL;
	struct delivery		 d[4];
	struct event		 ev[4];
	struct store_item	 it[4];
	struct recording	 rec;
	char			 err[512];
	size_t			 i;

	if (store_open(db, BUSY_MS, &st, err, sizeof(err)) != APP_OK) {
		ok(0, "open for batch: %s", err);
		return;
	}
	for (i = 0; i < 4; i++) {
		make_delivery(&d[i], bodies[i], sids[i]);
		make_event(&ev[i], i == 3 ? ST_COMPLETED : ST_IN_PROGRESS,
		    i == 3 ? "https://rec.example/b0.mp3" : NULL, i == 3 ? 9 : -1);
		ev[i].session_id = sids[i];
		memset(&it[i], 0, sizeof(it[i]));
		it[i].d = &d[i];
		it[i].ev = &ev[i];
		it[i].now = 2000 + (int64_t)i;
	}
	is_int(store_write_batch(st, it, 4), APP_OK, "batch of 4: committed");
	ok(it[0].err == APP_OK && it[1].err == APP_OK && it[2].err == APP_OK &&
	    it[3].err == APP_OK, "batch of 4: every item ok");
	ok(store_get_recording(st, "ATVId_batch0", &rec) == APP_OK &&
	    rec.status == ST_COMPLETED && rec.duration == 9 &&
	    rec.created_at == 2000 && rec.processed_at == 2003,
	    "two items of one session fold in order within the batch");
	is_int(query_int(db, "SELECT count(*) FROM webhook_events WHERE "
	    "session_id LIKE 'ATVId_batch%'"), 4, "batch: 4 events logged");
	ok(store_idle(st), "batch: statements reset, no transaction");

	/* An item that cannot be written fails alone. */
	for (i = 0; i < 3; i++) {
		static const char *const sids2[3] = { "ATVId_batch5",
		    "ATVId_batch6", "ATVId_batch7" };
		static const char *const bodies2[3] = { "c=0", "c=1", "c=2" };

		make_delivery(&d[i], bodies2[i], sids2[i]);
		make_event(&ev[i], ST_BUSY, NULL, 0);
		ev[i].session_id = sids2[i];
		memset(&it[i], 0, sizeof(it[i]));
		it[i].d = &d[i];
		it[i].ev = &ev[i];
		it[i].now = 3000;
	}
	ev[1].status = ST_NONE;		/* rec_put refuses it */
	is_int(store_write_batch(st, it, 3), APP_OK,
	    "batch with a bad item: the others commit");
	ok(it[0].err == APP_OK && it[1].err != APP_OK && it[2].err == APP_OK,
	    "only the bad item has an error");
	ok(store_get_recording(st, "ATVId_batch5", &rec) == APP_OK &&
	    store_get_recording(st, "ATVId_batch7", &rec) == APP_OK &&
	    store_get_recording(st, "ATVId_batch6", &rec) == APP_ENOTFOUND,
	    "rows 5 and 7 stored, 6 not");
	is_int(query_int(db, "SELECT count(*) FROM webhook_events WHERE "
	    "session_id IN ('ATVId_batch5', 'ATVId_batch6', 'ATVId_batch7')"),
	    2, "two events logged, none for the bad item");
	ok(store_idle(st), "after the fallback: no transaction left open");

	/* A row the schema refuses (a CHECK constraint) fails alone too. */
	make_delivery(&d[0], "e=0", "ATVId_batch8");
	make_event(&ev[0], ST_BUSY, NULL, 0);
	ev[0].session_id = "ATVId_batch8";
	make_delivery(&d[1], "e=1", NULL);
	d[1].outcome = "rejected";
	d[1].http_status = -5;		/* CHECK (http_status BETWEEN ...) */
	memset(it, 0, 2 * sizeof(it[0]));
	it[0].d = &d[0];
	it[0].ev = &ev[0];
	it[0].now = 4000;
	it[1].d = &d[1];
	it[1].ev = NULL;
	is_int(store_write_batch(st, it, 2), APP_OK,
	    "batch with a row the schema refuses: the other commits");
	ok(it[0].err == APP_OK && it[1].err == APP_EINVAL,
	    "the refused row has APP_EINVAL, the other APP_OK");
	ok(store_get_recording(st, "ATVId_batch8", &rec) == APP_OK,
	    "the good delivery is stored");
	store_close(st);
}

/*
 * A refusal at COMMIT (here a deferred foreign key that a trigger
 * breaks) must fail the delivery: never APP_OK without a commit, in a
 * batch of one or of several.
 */
static void
test_commit_refused(void)
{
	const char		*db = tpath("commit.db");
	struct store		*st = NULL;
	struct delivery		 d[2];
	struct event		 ev[2];
	struct store_item	 it[2];
	struct deliver_result	 res;
	char			 err[512];
	enum app_err		 e;
	size_t			 i;

	if (store_migrate(db, err, sizeof(err)) != APP_OK ||
	    exec_sql(db, "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
	    "CREATE TABLE child (pid INTEGER REFERENCES parent (id) "
	    "DEFERRABLE INITIALLY DEFERRED);"
	    "CREATE TRIGGER break_fk AFTER INSERT ON webhook_events "
	    "BEGIN INSERT INTO child VALUES (42); END;") != 0 ||
	    store_open(db, BUSY_MS, &st, err, sizeof(err)) != APP_OK) {
		ok(0, "set up a database that refuses every COMMIT: %s", err);
		return;
	}
	make_delivery(&d[0], "f=0", "ATVId_fk0");
	make_event(&ev[0], ST_COMPLETED, NULL, 5);
	ev[0].session_id = "ATVId_fk0";
	e = store_deliver(st, &d[0], &ev[0], 5000, &res);
	ok(e != APP_OK && e != APP_EINVAL,
	    "COMMIT refused: store_deliver fails (%d), not APP_OK", (int)e);
	for (i = 0; i < 2; i++) {
		make_delivery(&d[i], i == 0 ? "g=0" : "g=1", "ATVId_fk1");
		make_event(&ev[i], ST_COMPLETED, NULL, 5);
		ev[i].session_id = i == 0 ? "ATVId_fk1" : "ATVId_fk2";
		memset(&it[i], 0, sizeof(it[i]));
		it[i].d = &d[i];
		it[i].ev = &ev[i];
		it[i].now = 5000;
	}
	e = store_write_batch(st, it, 2);
	ok(e != APP_OK || (it[0].err != APP_OK && it[1].err != APP_OK),
	    "COMMIT refused: no item of a batch reports APP_OK");
	is_int(query_int(db, "SELECT count(*) FROM recordings"), 0,
	    "COMMIT refused: no recording stored");
	is_int(query_int(db, "SELECT count(*) FROM webhook_events"), 0,
	    "COMMIT refused: no event stored");
	store_close(st);
}

static void
test_migrate_and_versions(void)
{
	struct store	*st = NULL;
	struct stat	 sb;
	char		 err[512];
	enum app_err	 e;
	int		 fd;

	e = store_open(tpath("main.db"), BUSY_MS, &st, err, sizeof(err));
	ok(e == APP_EDB && st == NULL && strstr(err, "does not exist; run "
	    "voicepactctl migrate") != NULL, "open: missing file refused");
	ok(access(tpath("main.db"), F_OK) == -1,
	    "open: missing file not created");

	e = store_migrate(tpath("main.db"), err, sizeof(err));
	is_int(e, APP_OK, "migrate: creates the database");
	is_int(query_int(tpath("main.db"), "PRAGMA user_version"), 1,
	    "migrate: user_version is 1");
	is_str(query_text(tpath("main.db"), "PRAGMA journal_mode"), "wal",
	    "migrate: journal_mode is wal");
	ok(stat(tpath("main.db"), &sb) == 0 && (sb.st_mode & 0777) == 0600,
	    "migrate: new file has mode 0600");
	is_int(query_int(tpath("main.db"), "SELECT count(*) FROM "
	    "sqlite_schema WHERE type = 'index' AND name LIKE "
	    "'webhook_events_%'"), 2,
	    "migrate: two event indexes (session and hash, time)");
	e = store_migrate(tpath("main.db"), err, sizeof(err));
	is_int(e, APP_OK, "migrate twice: still ok");
	is_int(query_int(tpath("main.db"), "PRAGMA user_version"), 1,
	    "migrate twice: still version 1");

	fd = open(tpath("empty.db"), O_CREAT | O_WRONLY, 0600);
	close(fd);
	e = store_open(tpath("empty.db"), BUSY_MS, &st, err, sizeof(err));
	ok(e == APP_EDB && st == NULL && strstr(err, "schema version 0 is "
	    "older than this build's 1: run voicepactctl migrate") != NULL,
	    "open: version 0 refused");
	diag("%s", err);
	ok(stat(tpath("empty.db"), &sb) == 0 && sb.st_size == 0,
	    "open: version 0 file left untouched");

	e = store_migrate(tpath("v2.db"), err, sizeof(err));
	ok(e == APP_OK && exec_sql(tpath("v2.db"),
	    "PRAGMA user_version = 2") == SQLITE_OK, "set up a version 2 file");
	e = store_open(tpath("v2.db"), BUSY_MS, &st, err, sizeof(err));
	ok(e == APP_EDB && st == NULL && strstr(err, "schema version 2 is "
	    "newer than this build's 1: upgrade voicepactd") != NULL,
	    "open: version 2 refused");
	diag("%s", err);
	e = store_migrate(tpath("v2.db"), err, sizeof(err));
	ok(e == APP_EDB && strstr(err, "newer") != NULL,
	    "migrate: version 2 refused");
	is_int(query_int(tpath("v2.db"), "PRAGMA user_version"), 2,
	    "migrate: version 2 left alone");

	fd = open(tpath("junk.db"), O_CREAT | O_WRONLY, 0600);
	ok(fd != -1 && write(fd, "this is not an SQLite database, not at "
	    "all, no no no no no no no no no no no no no no no no no no no "
	    "no no no no\n", 100) == 100, "set up a junk file");
	close(fd);
	e = store_open(tpath("junk.db"), BUSY_MS, &st, err, sizeof(err));
	ok(e == APP_EDB && st == NULL, "open: junk file refused");
	diag("%s", err);
	e = store_migrate(tpath("junk.db"), err, sizeof(err));
	ok(e == APP_EDB, "migrate: junk file refused");

	e = store_migrate(tpath("nodir/x.db"), err, sizeof(err));
	ok(e == APP_EDB && strstr(err, "cannot create") != NULL,
	    "migrate: missing directory refused");

	e = store_open(tpath("main.db"), BUSY_MS, &st, err, sizeof(err));
	ok(e == APP_OK && st != NULL, "open: migrated database");
	ok(st != NULL && store_idle(st), "open: no statement left busy");
	store_close(st);
	store_close(NULL);
}

static void
test_deliver(void)
{
	static const char	 bodyA[] = "isActive=1&sessionId=" SESSION
	    "&direction=Inbound";
	static const char	 bodyB[] = "isActive=0&sessionId=" SESSION
	    "&hangupCause=NORMAL_CLEARING&durationInSeconds=42"
	    "&recordingUrl=https%3A%2F%2Frec.example%2Fa.mp3";
	static const char	 bodyC[] = "isActive=0&sessionId=" SESSION
	    "&hangupCause=NORMAL_CLEARING&recordingUrl=";
	static const char	 bodyD[] = "isActive=1&sessionId=" SESSION
	    "&dtmfDigits=1";
	const char		*db = tpath("main.db");
	struct store		*st = NULL;
	struct delivery		 d;
	struct event		 ev;
	struct deliver_result	 res;
	struct recording	 rec, rec2;
	char			 err[512], sql[256];
	enum app_err		 e;

	if (store_open(db, BUSY_MS, &st, err, sizeof(err)) != APP_OK) {
		ok(0, "open for deliver: %s", err);
		return;
	}
	e = store_get_recording(st, SESSION, &rec);
	is_int(e, APP_ENOTFOUND, "get: unknown recording is ENOTFOUND");

	/* A: live request, new row */
	make_delivery(&d, bodyA, SESSION);
	make_event(&ev, ST_IN_PROGRESS, NULL, -1);
	e = store_deliver(st, &d, &ev, 1000, &res);
	ok(e == APP_OK && res.changed == 1 && res.duplicate == 0,
	    "deliver A (in-progress): new row");
	is_str(d.outcome, "stored", "deliver A: outcome stored");
	ok(store_idle(st), "deliver A: statements reset, no transaction");
	e = store_get_recording(st, SESSION, &rec);
	ok(e == APP_OK && rec.exists && rec.status == ST_IN_PROGRESS &&
	    rec.recording_url[0] == '\0' && rec.duration == -1 &&
	    rec.created_at == 1000 && rec.processed_at == 1000 &&
	    strcmp(rec.id, SESSION) == 0 &&
	    strcmp(rec.caller_number, "+254711082000") == 0,
	    "get after A: in-progress, no URL, no duration");
	ok(store_idle(st), "get: statement reset");

	/* B: final, completed with URL and duration */
	make_delivery(&d, bodyB, SESSION);
	make_event(&ev, ST_COMPLETED, "https://rec.example/a.mp3", 42);
	e = store_deliver(st, &d, &ev, 1060, &res);
	ok(e == APP_OK && res.changed == 1 && res.duplicate == 0,
	    "deliver B (completed): row changed");
	e = store_get_recording(st, SESSION, &rec);
	ok(e == APP_OK && rec.status == ST_COMPLETED &&
	    strcmp(rec.recording_url, "https://rec.example/a.mp3") == 0 &&
	    rec.duration == 42 && rec.created_at == 1000 &&
	    rec.processed_at == 1060 && strcmp(rec.hangup_cause,
	    "NORMAL_CLEARING") == 0 && strcmp(rec.currency_code, "KES") == 0,
	    "get after B: completed, URL, duration 42, created_at kept");

	/* C: final without URL or duration: nothing erased */
	make_delivery(&d, bodyC, SESSION);
	make_event(&ev, ST_COMPLETED, NULL, -1);
	e = store_deliver(st, &d, &ev, 1070, &res);
	ok(e == APP_OK && res.duplicate == 0, "deliver C (no URL): ok");
	e = store_get_recording(st, SESSION, &rec2);
	ok(e == APP_OK && rec2.status == ST_COMPLETED &&
	    strcmp(rec2.recording_url, "https://rec.example/a.mp3") == 0 &&
	    rec2.duration == 42, "get after C: URL and duration kept");

	/* D: a late live request never reopens a terminal row */
	make_delivery(&d, bodyD, SESSION);
	make_event(&ev, ST_IN_PROGRESS, NULL, -1);
	e = store_deliver(st, &d, &ev, 1080, &res);
	ok(e == APP_OK && res.changed == 0 && res.duplicate == 0,
	    "deliver D (late in-progress): changed 0");
	e = store_get_recording(st, SESSION, &rec);
	ok(e == APP_OK && rec.status == ST_COMPLETED &&
	    memcmp(&rec, &rec2, sizeof(rec)) == 0,
	    "get after D: row unchanged, still completed");
	is_int(query_int(db, "SELECT count(*) FROM webhook_events"), 4,
	    "four events logged");

	/* B again, identical body: a re-delivery */
	make_delivery(&d, bodyB, SESSION);
	make_event(&ev, ST_COMPLETED, "https://rec.example/a.mp3", 42);
	e = store_deliver(st, &d, &ev, 1090, &res);
	ok(e == APP_OK && res.duplicate == 1 && res.changed == 0,
	    "redeliver B: duplicate 1, changed 0");
	is_str(d.outcome, "duplicate", "redeliver B: outcome duplicate");
	e = store_get_recording(st, SESSION, &rec);
	ok(e == APP_OK && memcmp(&rec, &rec2, sizeof(rec)) == 0,
	    "redeliver B: row unchanged");
	is_int(query_int(db, "SELECT count(*) FROM webhook_events"), 5,
	    "redeliver B: event count + 1");
	is_str(query_text(db, "SELECT outcome FROM webhook_events "
	    "ORDER BY id DESC LIMIT 1"), "duplicate",
	    "redeliver B: event stored as duplicate");
	is_int(query_int(db, "SELECT count(*) FROM recordings"), 1,
	    "one recording row");
	snprintf(sql, sizeof(sql), "SELECT length(body) = %zu AND "
	    "body = CAST('%s' AS BLOB) FROM webhook_events ORDER BY id DESC "
	    "LIMIT 1", strlen(bodyB), bodyB);
	is_int(query_int(db, sql), 1, "event body stored byte for byte");
	{
		unsigned char	 md[32];
		char		 hex[65];
		size_t		 i;

		sha256(bodyA, strlen(bodyA), md);
		for (i = 0; i < 32; i++)
			snprintf(hex + 2 * i, 3, "%02x", md[i]);
		is_str(query_text(db, "SELECT body_sha256 FROM webhook_events "
		    "WHERE id = 1"), hex, "event body_sha256 is hex SHA-256");
	}
	is_str(query_text(db, "SELECT auth || ' ' || http_status || ' ' || "
	    "remote_addr || ' ' || session_id || ' ' || received_at FROM "
	    "webhook_events WHERE id = 1"), "token 200 127.0.0.1 " SESSION
	    " 1772805600000000", "event columns stored");
	store_close(st);
}

static void
test_busy_and_rejection(void)
{
	static const char	 bodyE[] = "{\"sessionId\":\"seed-1\","
	    "\"status\":\"completed\"}";
	const char		*db = tpath("main.db");
	struct store		*st = NULL;
	struct delivery		 d;
	struct event		 ev;
	struct deliver_result	 res;
	sqlite3			*other = NULL;
	struct timespec		 t0, t1;
	char			 err[512];
	enum app_err		 e;
	long long		 nev, nrec, ms;

	if (store_open(db, BUSY_MS, &st, err, sizeof(err)) != APP_OK) {
		ok(0, "open for busy: %s", err);
		return;
	}
	nev = query_int(db, "SELECT count(*) FROM webhook_events");
	nrec = query_int(db, "SELECT count(*) FROM recordings");

	ok(sqlite3_open_v2(db, &other, SQLITE_OPEN_READWRITE, NULL) ==
	    SQLITE_OK && sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL,
	    NULL) == SQLITE_OK, "second connection holds BEGIN IMMEDIATE");

	make_delivery(&d, bodyE, "seed-1");
	d.content_type = "application/json";
	d.outcome = "before";
	make_event(&ev, ST_COMPLETED, NULL, 7);
	ev.dialect = DIALECT_SEED;
	ev.session_id = "seed-1";
	clock_gettime(CLOCK_MONOTONIC, &t0);
	e = store_deliver(st, &d, &ev, 2000, &res);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000;
	is_int(e, APP_EBUSY, "deliver under a held write lock: APP_EBUSY");
	diag("gave up after %lld ms (busy_ms %d)", ms, BUSY_MS);
	ok(ms < 10 * BUSY_MS, "deliver: bounded wait");
	ok(res.changed == 0 && res.duplicate == 0 &&
	    strcmp(d.outcome, "before") == 0,
	    "deliver busy: result zeroed, outcome restored");
	ok(store_idle(st), "deliver busy: statements reset, no transaction");
	d.outcome = "rejected";
	d.http_status = 503;
	e = store_log_rejection(st, &d);
	is_int(e, APP_EBUSY, "log_rejection under a held lock: APP_EBUSY");

	ok(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL) == SQLITE_OK,
	    "second connection releases the lock");
	sqlite3_close(other);
	is_int(query_int(db, "SELECT count(*) FROM webhook_events"), nev,
	    "busy: no event written");
	is_int(query_int(db, "SELECT count(*) FROM recordings"), nrec,
	    "busy: no row written");

	/* The same body, rejected: logged, but not a prior acceptance. */
	d.auth = "failed";
	d.outcome = "rejected";
	d.http_status = 401;
	d.reason = "signature does not match";
	d.session_id = NULL;
	e = store_log_rejection(st, &d);
	is_int(e, APP_OK, "log_rejection: ok");
	ok(store_idle(st), "log_rejection: statements reset");
	is_str(query_text(db, "SELECT outcome || ' ' || auth || ' ' || "
	    "http_status || ' ' || reason || ' ' || "
	    "coalesce(session_id, 'NULL') FROM webhook_events ORDER BY id "
	    "DESC LIMIT 1"), "rejected failed 401 signature does not match "
	    "NULL", "log_rejection: event columns");

	d.auth = "signature";
	d.outcome = NULL;
	d.http_status = 200;
	d.reason = NULL;
	d.session_id = "seed-1";
	e = store_deliver(st, &d, &ev, 2010, &res);
	ok(e == APP_OK && res.duplicate == 0 && res.changed == 1,
	    "deliver after a rejection of the same body: not a duplicate");
	is_int(query_int(db, "SELECT count(*) FROM webhook_events"), nev + 2,
	    "events: rejection and delivery logged");
	is_int(query_int(db, "SELECT duration FROM recordings WHERE "
	    "recording_id = 'seed-1'"), 7, "seed row stored");

	/* An empty body is logged as an empty blob. */
	make_delivery(&d, "", NULL);
	d.body = NULL;
	d.content_type = NULL;
	d.auth = "none";
	d.outcome = "rejected";
	d.http_status = 400;
	d.reason = "empty body";
	is_int(store_log_rejection(st, &d), APP_OK,
	    "log_rejection: NULL body and content type");
	is_str(query_text(db, "SELECT typeof(body) || length(body) || "
	    "typeof(content_type) FROM webhook_events ORDER BY id DESC "
	    "LIMIT 1"), "blob0null", "empty body stored as an empty blob");
	store_close(st);
}

static void
test_keys(void)
{
	const char	*db = tpath("main.db");
	struct store	*st = NULL;
	unsigned char	 h1[32], h2[32], h3[32];
	char		 err[512], idbuf[32];
	int64_t		 id1 = 0, id2 = 0, id3 = 0;

	if (store_open(db, BUSY_MS, &st, err, sizeof(err)) != APP_OK) {
		ok(0, "open for keys: %s", err);
		return;
	}
	sha256("vpk_one", 7, h1);
	sha256("vpk_two", 7, h2);
	sha256("vpk_three", 9, h3);
	is_int(store_key_valid(st, h1), APP_EAUTH, "key: unknown is EAUTH");
	is_int(store_key_create(st, "ops", "vpk_one", h1, &id1), APP_OK,
	    "key create ops");
	is_int(store_key_create(st, "reports", "vpk_two", h2, &id2), APP_OK,
	    "key create reports");
	ok(id1 > 0 && id2 > id1, "key ids increase");
	is_int(store_key_create(st, "ops", "vpk_thr", h3, &id3), APP_EINVAL,
	    "key create: name taken is EINVAL");
	is_int(store_key_create(st, "12345", "vpk_thr", h3, &id3), APP_EINVAL,
	    "key create: all-digit name is EINVAL");
	is_int(store_key_create(st, "other", "vpk_one", h1, &id3), APP_EINVAL,
	    "key create: same hash is EINVAL");
	ok(store_idle(st), "key create: statements reset, no transaction");
	is_int(store_key_valid(st, h1), APP_OK, "key ops valid");
	is_int(store_key_valid(st, h2), APP_OK, "key reports valid");
	is_int(store_key_valid(st, h3), APP_EAUTH, "key three not valid");
	ok(store_idle(st), "key valid: statements reset");

	is_int(store_key_revoke(st, "ops", 5000), APP_OK, "revoke by name");
	is_int(store_key_valid(st, h1), APP_EAUTH, "revoked key is EAUTH");
	is_int(store_key_valid(st, h2), APP_OK, "other key still valid");
	is_int(store_key_revoke(st, "ops", 6000), APP_OK,
	    "revoke again: ok");
	is_int(query_int(db, "SELECT revoked_at FROM api_keys WHERE "
	    "name = 'ops'"), 5000, "revoke again keeps the first time");
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id2);
	is_int(store_key_revoke(st, idbuf, 7000), APP_OK, "revoke by id");
	is_int(store_key_valid(st, h2), APP_EAUTH, "revoked by id is EAUTH");
	is_int(store_key_revoke(st, "nobody", 7000), APP_ENOTFOUND,
	    "revoke unknown name: ENOTFOUND");
	is_int(store_key_revoke(st, "999999", 7000), APP_ENOTFOUND,
	    "revoke unknown id: ENOTFOUND");
	ok(store_idle(st), "key revoke: statements reset, no transaction");
	store_close(st);
}

struct listacc {
	int	 n;
	char	 text[512];
};

static void
list_cb(void *arg, int64_t id, const char *name, const char *prefix,
    int64_t created_at, int64_t revoked_at)
{
	struct listacc	*a = arg;
	size_t		 len = strlen(a->text);

	a->n++;
	snprintf(a->text + len, sizeof(a->text) - len, "%lld %s %s %d %lld;",
	    (long long)id, name, prefix, created_at > 0,
	    (long long)revoked_at);
}

static void
test_key_list(void)
{
	struct store	*st = NULL;
	struct listacc	 a;
	char		 err[512];

	memset(&a, 0, sizeof(a));
	if (store_open(tpath("main.db"), BUSY_MS, &st, err, sizeof(err)) !=
	    APP_OK) {
		ok(0, "open for key list: %s", err);
		return;
	}
	is_int(store_key_list(st, list_cb, &a), APP_OK, "key list: ok");
	is_int(a.n, 2, "key list: two keys");
	is_str(a.text, "2 reports vpk_two 1 7000;1 ops vpk_one 1 5000;",
	    "key list: newest first, prefix, revoked_at");
	ok(store_idle(st), "key list: statement reset");
	store_close(st);
}

/* SQLITE_FULL, simulated with max_page_count: APP_EDB, nothing kept. */
static void
test_full(void)
{
	const char		*db = tpath("main.db");
	static char		 big[60000];
	struct store		*st = NULL;
	struct delivery		 d;
	struct event		 ev;
	struct deliver_result	 res;
	char			 err[512];
	long long		 nev;
	enum app_err		 e;

	if (store_open(db, BUSY_MS, &st, err, sizeof(err)) != APP_OK) {
		ok(0, "open for full: %s", err);
		return;
	}
	memset(big, 'x', sizeof(big) - 1);
	nev = query_int(db, "SELECT count(*) FROM webhook_events");
	ok(sqlite3_exec(st->db, "PRAGMA max_page_count = 1", NULL, NULL,
	    NULL) == SQLITE_OK, "limit the database to its current size");
	make_delivery(&d, big, "full-1");
	make_event(&ev, ST_COMPLETED, NULL, 1);
	ev.session_id = "full-1";
	e = store_deliver(st, &d, &ev, 3000, &res);
	is_int(e, APP_EDB, "deliver on a full database: APP_EDB");
	ok(store_idle(st), "deliver full: rolled back, statements reset");
	d.outcome = "rejected";
	d.http_status = 503;
	is_int(store_log_rejection(st, &d), APP_EDB,
	    "log_rejection on a full database: APP_EDB");
	d.outcome = NULL;
	d.http_status = 200;
	is_int(query_int(db, "SELECT count(*) FROM webhook_events"), nev,
	    "deliver full: no event written");
	is_int(store_get_recording(st, "full-1", &(struct recording){ 0 }),
	    APP_ENOTFOUND, "deliver full: no row written");
	ok(sqlite3_exec(st->db, "PRAGMA max_page_count = 1073741823", NULL,
	    NULL, NULL) == SQLITE_OK, "space freed");
	e = store_deliver(st, &d, &ev, 3001, &res);
	ok(e == APP_OK && res.changed == 1, "deliver after space freed: ok");
	store_close(st);
}

/* The same delivery from several processes at once: stored once. */
static void
test_concurrent(void)
{
	static const char	 body[] = "isActive=0&sessionId=race-1"
	    "&hangupCause=NORMAL_CLEARING";
	const char		*db = tpath("main.db");
	pid_t			 pids[4];
	int			 i, status, clean = 1;
	long long		 nev;

	nev = query_int(db, "SELECT count(*) FROM webhook_events");
	fflush(stdout);
	for (i = 0; i < 4; i++) {
		if ((pids[i] = fork()) == -1) {
			ok(0, "fork");
			return;
		}
		if (pids[i] == 0) {
			struct store		*st = NULL;
			struct delivery		 d;
			struct event		 ev;
			struct deliver_result	 res;
			char			 err[512], b[64], sid[32];
			int			 j, bad = 0;

			if (store_open(db, 5000, &st, err, sizeof(err)) !=
			    APP_OK)
				_exit(2);
			make_delivery(&d, body, "race-1");
			make_event(&ev, ST_COMPLETED, NULL, -1);
			ev.session_id = "race-1";
			if (store_deliver(st, &d, &ev, 4000, &res) != APP_OK)
				bad = 1;
			for (j = 0; j < 50; j++) {
				snprintf(sid, sizeof(sid), "race-%d-%d", i, j);
				snprintf(b, sizeof(b), "sessionId=%s", sid);
				make_delivery(&d, b, sid);
				make_event(&ev, ST_COMPLETED, NULL, j);
				ev.session_id = sid;
				if (store_deliver(st, &d, &ev, 4000, &res) !=
				    APP_OK || res.changed != 1)
					bad = 1;
			}
			store_close(st);
			_exit(bad);
		}
	}
	for (i = 0; i < 4; i++)
		if (waitpid(pids[i], &status, 0) == -1 ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			clean = 0;
	ok(clean, "4 processes x 51 deliveries, busy_ms 5000: all APP_OK");
	is_int(query_int(db, "SELECT count(*) FROM webhook_events WHERE "
	    "session_id = 'race-1' AND outcome = 'stored'"), 1,
	    "same delivery from 4 processes: stored once");
	is_int(query_int(db, "SELECT count(*) FROM webhook_events WHERE "
	    "session_id = 'race-1' AND outcome = 'duplicate'"), 3,
	    "same delivery from 4 processes: 3 duplicates");
	is_int(query_int(db, "SELECT count(*) FROM webhook_events"),
	    nev + 4 * 51, "every delivery logged");
	is_int(query_int(db, "SELECT count(*) FROM recordings WHERE "
	    "recording_id GLOB 'race-*'"), 1 + 4 * 50, "every row stored");
}

/* A flipped b-tree page type: quick_check fails, open refuses. */
static void
test_corrupt(void)
{
	struct store	*st = NULL;
	char		 err[512], buf[65536];
	ssize_t		 n;
	int		 in, out;
	unsigned char	 z = 0x42;

	in = open(tpath("main.db"), O_RDONLY);
	out = open(tpath("bad.db"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	while (in != -1 && out != -1 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			break;
	ok(in != -1 && out != -1 && pwrite(out, &z, 1, 4096) == 1,
	    "set up a copy with page 2 damaged");
	close(in);
	close(out);
	is_int(store_open(tpath("bad.db"), BUSY_MS, &st, err, sizeof(err)),
	    APP_EDB, "open: damaged database refused");
	diag("%s", err);
	ok(st == NULL, "open: no store for a damaged database");
}

static void
cleanup(void)
{
	static const char *const names[] = { "main.db", "main.db-wal",
	    "main.db-shm", "empty.db", "v2.db", "v2.db-wal", "v2.db-shm",
	    "junk.db", "bad.db", "bad.db-wal", "bad.db-shm", NULL };
	size_t	 i;

	if (getenv("T_LEAVE") != NULL) {
		diag("left %s", dir);
		return;
	}
	for (i = 0; names[i] != NULL; i++)
		(void)unlink(tpath(names[i]));
	if (rmdir(dir) == -1)
		diag("could not remove %s", dir);
}

int
main(void)
{
	snprintf(dir, sizeof(dir), "%s/vp-test-db.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL) {
		printf("Bail out! mkdtemp %s\n", dir);
		return 1;
	}
	test_migrate_and_versions();
	test_deliver();
	test_batch();
	test_commit_refused();
	test_busy_and_rejection();
	test_keys();
	test_key_list();
	test_full();
	test_concurrent();
	test_corrupt();
	cleanup();
	return done_testing();
}
