/*
 * single-commit: measures the one-commit-per-request SQLite rate, the
 * figure a webhook service that commits each delivery on its own would
 * be bounded by. PROCS processes (as many as voicepactd has workers)
 * each loop for SECONDS: BEGIN IMMEDIATE, one upsert into a table shaped
 * like voicepact's recordings, COMMIT; in WAL mode with synchronous=FULL,
 * as voicepactd opens its database.
 *
 * usage: single-commit -d DBFILE [-p PROCS] [-t SECONDS]
 *
 * DBFILE is created (it must not exist; put it on the filesystem the
 * service's database is on). Prints one line:
 *   commits=N seconds=S commits_per_s=R busy=B
 * A bench tool, not part of the service: it may use SQLite directly.
 */

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#define MAX_PROCS	64

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS recordings ("
    " recording_id TEXT PRIMARY KEY NOT NULL"
    "  CHECK (length(recording_id) BETWEEN 1 AND 128),"
    " processing_status TEXT NOT NULL,"
    " recording_url TEXT, duration INTEGER, phone_number TEXT,"
    " caller_number TEXT, destination_number TEXT, direction TEXT,"
    " hangup_cause TEXT, call_session_state TEXT, amount TEXT,"
    " currency_code TEXT, call_start_time TEXT,"
    " created_at INTEGER NOT NULL, processed_at INTEGER NOT NULL)";

static const char upsert[] =
    "INSERT INTO recordings (recording_id, processing_status,"
    " recording_url, duration, phone_number, caller_number,"
    " destination_number, direction, hangup_cause, call_session_state,"
    " amount, currency_code, call_start_time, created_at, processed_at)"
    " VALUES (?1, 'completed',"
    " 'https://recordings.example-at.test/voice/' || ?1 || '.mp3', 187,"
    " NULL, '+254700000001', '+254700000100', 'Inbound',"
    " 'NORMAL_CLEARING', 'Completed', 'KES 7.4800', 'KES',"
    " '2024-05-14 09:12:03', ?2, ?2)"
    " ON CONFLICT (recording_id) DO UPDATE SET"
    " processing_status = excluded.processing_status,"
    " recording_url = excluded.recording_url,"
    " duration = excluded.duration,"
    " processed_at = excluded.processed_at";

struct result {
	uint64_t	commits;
	uint64_t	busy;
};

static double
now_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
usage(void)
{
	fprintf(stderr, "usage: single-commit -d DBFILE [-p PROCS] "
	    "[-t SECONDS]\n");
	exit(2);
}

static int
exec_ok(sqlite3 *db, const char *sql)
{
	char	*msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "single-commit: %s: %s\n", sql,
		    msg != NULL ? msg : "?");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static sqlite3 *
open_db(const char *path)
{
	sqlite3	*db = NULL;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		fprintf(stderr, "single-commit: open %s: %s\n", path,
		    db != NULL ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 2000);
	if (exec_ok(db, "PRAGMA journal_mode = WAL") == -1 ||
	    exec_ok(db, "PRAGMA synchronous = FULL") == -1) {
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

/* One process: commits until the deadline; writes its result to wfd. */
static void
run(const char *path, int id, double deadline, int wfd)
{
	struct result	 r = { 0, 0 };
	sqlite3		*db;
	sqlite3_stmt	*st = NULL;
	char		 rid[64];
	uint64_t	 n = 0;
	int		 rc;

	if ((db = open_db(path)) == NULL)
		_exit(1);
	if (sqlite3_prepare_v2(db, upsert, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "single-commit: prepare: %s\n",
		    sqlite3_errmsg(db));
		_exit(1);
	}
	while (now_s() < deadline) {
		snprintf(rid, sizeof(rid), "ATVId_sc%dn%" PRIu64, id, n++);
		if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
		    SQLITE_OK) {
			r.busy++;
			continue;
		}
		sqlite3_bind_text(st, 1, rid, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			fprintf(stderr, "single-commit: step: %s\n",
			    sqlite3_errmsg(db));
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			_exit(1);
		}
		if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) !=
		    SQLITE_OK) {
			r.busy++;
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			continue;
		}
		r.commits++;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	if (write(wfd, &r, sizeof(r)) != (ssize_t)sizeof(r))
		_exit(1);
	_exit(0);
}

int
main(int argc, char *argv[])
{
	struct result	 r, sum = { 0, 0 };
	sqlite3		*db;
	pid_t		 pids[MAX_PROCS];
	const char	*path = NULL;
	char		*end;
	double		 secs = 5.0, start, elapsed;
	long		 n;
	int		 ch, i, procs = 2, pfd[2], status, failed = 0;

	while ((ch = getopt(argc, argv, "d:p:t:")) != -1) {
		switch (ch) {
		case 'd':
			path = optarg;
			break;
		case 'p':
			n = strtol(optarg, &end, 10);
			if (*end != '\0' || n < 1 || n > MAX_PROCS)
				usage();
			procs = (int)n;
			break;
		case 't':
			secs = strtod(optarg, &end);
			if (*end != '\0' || secs <= 0 || secs > 600)
				usage();
			break;
		default:
			usage();
		}
	}
	if (path == NULL || optind != argc)
		usage();
	if (access(path, F_OK) == 0) {
		fprintf(stderr, "single-commit: %s exists\n", path);
		return 1;
	}

	if ((db = open_db(path)) == NULL || exec_ok(db, schema) == -1)
		return 1;
	sqlite3_close(db);

	if (pipe(pfd) == -1) {
		perror("single-commit: pipe");
		return 1;
	}
	start = now_s();
	for (i = 0; i < procs; i++) {
		if ((pids[i] = fork()) == -1) {
			perror("single-commit: fork");
			return 1;
		}
		if (pids[i] == 0) {
			close(pfd[0]);
			run(path, i, start + secs, pfd[1]);
		}
	}
	close(pfd[1]);
	for (i = 0; i < procs; i++) {
		if (waitpid(pids[i], &status, 0) == -1 ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed++;
	}
	elapsed = now_s() - start;
	while (read(pfd[0], &r, sizeof(r)) == (ssize_t)sizeof(r)) {
		sum.commits += r.commits;
		sum.busy += r.busy;
	}
	close(pfd[0]);
	if (failed) {
		fprintf(stderr, "single-commit: %d process(es) failed\n",
		    failed);
		return 1;
	}
	printf("commits=%" PRIu64 " seconds=%.3f commits_per_s=%.1f "
	    "busy=%" PRIu64 "\n", sum.commits, elapsed,
	    (double)sum.commits / elapsed, sum.busy);
	return 0;
}
