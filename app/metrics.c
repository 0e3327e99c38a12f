/*
 * metrics.c: counters shared by every process of the pool, and their
 * Prometheus text rendering.
 *
 * The master maps one MAP_SHARED|MAP_ANONYMOUS region with
 * metrics_init() before it forks anything; every child (workers, and any
 * other helper process the master forks) inherits the same pages. All
 * counters are 64-bit and updated with relaxed __atomic builtins, so
 * processes never lock each other and a process killed in the middle of
 * an update cannot leave anything inconsistent (a counter is one
 * atomic add). Gauges about the pool are written by the master only.
 *
 * Without metrics_init() (voicepactctl, unit tests) the counters live in
 * this process's memory: every function still works.
 *
 * The renderer never prints request data: labels come from fixed tables
 * (routes, outcomes, statuses), and an unknown value counts as "other".
 */
#include <sys/mman.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "extern.h"

_Static_assert(__atomic_always_lock_free(sizeof(uint64_t), 0),
    "64-bit atomics must be lock-free to be shared between processes");

static const char *const m_routes[] = {
	"webhook", "recording", "healthz", "metrics", "none", "other"
};
#define M_ROUTES	(sizeof(m_routes) / sizeof(m_routes[0]))

static const char *const m_outcomes[] = {
	"stored", "duplicate", "found", "ok", "rejected", "unauthenticated",
	"unavailable", "other"
};
#define M_OUTCOMES	(sizeof(m_outcomes) / sizeof(m_outcomes[0]))

static const char *const m_events[] = { "stored", "duplicate", "rejected" };
#define M_EVENTS	(sizeof(m_events) / sizeof(m_events[0]))

/* Latency histogram upper bounds, microseconds; +Inf is implicit. */
static const uint64_t m_buckets_us[] = {
	1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000,
	1000000, 2500000, 5000000, 10000000
};
#define M_BUCKETS	(sizeof(m_buckets_us) / sizeof(m_buckets_us[0]))

#define M_STATUS_MIN	100
#define M_STATUS_MAX	599

struct metrics_shm {
	uint64_t	 requests[M_ROUTES][M_OUTCOMES];
	uint64_t	 status[M_STATUS_MAX - M_STATUS_MIN + 1];
	uint64_t	 lat_bucket[M_ROUTES][M_BUCKETS + 1];	/* +Inf last */
	uint64_t	 lat_sum_us[M_ROUTES];
	uint64_t	 lat_count[M_ROUTES];
	uint64_t	 db_busy;
	uint64_t	 db_errors;
	uint64_t	 events[M_EVENTS];
	uint64_t	 worker_restarts;
	uint64_t	 reloads;
	uint64_t	 commits;		/* write transactions */
	uint64_t	 commit_items;		/* deliveries in them */
	uint64_t	 commit_ns;		/* time spent writing them */
	/* Gauges written by the master only. */
	int64_t		 workers_configured;	/* 0: no pool (not published) */
	int64_t		 workers_alive;
	int64_t		 crash_loop;		/* 1 while in a crash loop */
	int64_t		 writer_alive;		/* 1 while the writer runs */
	uint64_t	 writer_restarts;
	int64_t		 heartbeat_ns;		/* mono_ns() of the master */
	int64_t		 start_time;		/* unix seconds */
};

static struct metrics_shm	 m_local;
static int64_t			 wal_bytes = -1;	/* this process's */
static struct metrics_shm	*m = &m_local;

static size_t
index_of(const char *const *tab, size_t n, const char *s)
{
	size_t	 i;

	if (s == NULL)
		return n - 1;
	for (i = 0; i < n - 1; i++)
		if (strcmp(tab[i], s) == 0)
			return i;
	return n - 1;
}

static void
add(uint64_t *p, uint64_t v)
{
	__atomic_fetch_add(p, v, __ATOMIC_RELAXED);
}

static uint64_t
get(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static int64_t
gget(const int64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/*
 * Maps the shared counters. Call once in the master before any fork();
 * children inherit the mapping. Returns 0, or -1 (errno set; the
 * process-local counters stay in use).
 */
int
metrics_init(void)
{
	void	*p;

	p = mmap(NULL, sizeof(struct metrics_shm), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	memset(p, 0, sizeof(struct metrics_shm));
	m = p;
	m->start_time = (int64_t)time(NULL);
	return 0;
}

/*
 * Counts one finished request: by route and outcome, by status, and its
 * latency (mono_ns() - r->start_ns). Either argument may be NULL.
 */
void
metrics_request(const struct req *r, const struct resp *rs)
{
	size_t		 ri, oi, b;
	int64_t		 ns = 0;
	uint64_t	 us;

	ri = index_of(m_routes, M_ROUTES, rs != NULL ? rs->route : NULL);
	oi = index_of(m_outcomes, M_OUTCOMES, rs != NULL ? rs->outcome : NULL);
	add(&m->requests[ri][oi], 1);
	if (rs != NULL && rs->status >= M_STATUS_MIN &&
	    rs->status <= M_STATUS_MAX)
		add(&m->status[rs->status - M_STATUS_MIN], 1);
	if (r != NULL && r->start_ns > 0)
		ns = mono_ns() - r->start_ns;
	if (ns < 0)
		ns = 0;
	us = (uint64_t)ns / 1000;
	for (b = 0; b < M_BUCKETS; b++)
		if (us <= m_buckets_us[b])
			break;
	add(&m->lat_bucket[ri][b], 1);	/* non-cumulative; summed at render */
	add(&m->lat_sum_us[ri], us);
	add(&m->lat_count[ri], 1);
}

/* Counts a database failure: busy (lock not had in time) or an error. */
void
metrics_db_failure(int busy)
{
	add(busy ? &m->db_busy : &m->db_errors, 1);
}

/*
 * Counts one event-log entry written by a committed transaction;
 * outcome is "stored", "duplicate" or "rejected".
 */
void
metrics_event(const char *outcome)
{
	size_t	 i;

	for (i = 0; outcome != NULL && i < M_EVENTS; i++)
		if (strcmp(outcome, m_events[i]) == 0) {
			add(&m->events[i], 1);
			return;
		}
}

/*
 * Counts one write transaction of the writer process: items deliveries
 * written together in ns nanoseconds (BEGIN to COMMIT).
 */
void
metrics_commit(size_t items, int64_t ns)
{
	add(&m->commits, 1);
	add(&m->commit_items, items);
	add(&m->commit_ns, ns > 0 ? (uint64_t)ns : 0);
}

/* Sets the -wal size the next metrics_render() reports (-1: none). */
void
metrics_wal_bytes(int64_t bytes)
{
	wal_bytes = bytes;
}

/* Counts a writer restarted after an unexpected exit (master). */
void
metrics_writer_restart(void)
{
	add(&m->writer_restarts, 1);
}

/* Counts a worker restarted after an unexpected exit (master). */
void
metrics_worker_restart(void)
{
	add(&m->worker_restarts, 1);
}

/* Counts a configuration reload (master). */
void
metrics_reload(void)
{
	add(&m->reloads, 1);
}

/*
 * Publishes the state of the pool (master, at every turn of its loop):
 * workers configured and running, and whether restarts are in a crash
 * loop. Also refreshes the master's heartbeat.
 */
void
metrics_pool(int configured, int alive, int crash_loop, int writer_alive)
{
	__atomic_store_n(&m->writer_alive, (int64_t)(writer_alive != 0),
	    __ATOMIC_RELAXED);
	__atomic_store_n(&m->workers_configured, (int64_t)configured,
	    __ATOMIC_RELAXED);
	__atomic_store_n(&m->workers_alive, (int64_t)alive, __ATOMIC_RELAXED);
	__atomic_store_n(&m->crash_loop, (int64_t)(crash_loop != 0),
	    __ATOMIC_RELAXED);
	__atomic_store_n(&m->heartbeat_ns, mono_ns(), __ATOMIC_RELAXED);
}

/*
 * Judges the pool from what the master published: 1 if healthy, else 0
 * with why set (a short static text). A process without a pool (no
 * metrics_pool() call yet) is healthy.
 */
int
metrics_pool_ok(const char **why, int *configured, int *alive)
{
	int64_t	 hb, now;

	*configured = (int)gget(&m->workers_configured);
	*alive = (int)gget(&m->workers_alive);
	*why = NULL;
	if (*configured == 0)
		return 1;
	hb = gget(&m->heartbeat_ns);
	now = mono_ns();
	if (now - hb > (int64_t)5 * 1000000000) {
		*why = "the master process is not responding";
		return 0;
	}
	if (gget(&m->crash_loop)) {
		*why = "workers are in a crash loop";
		return 0;
	}
	if (!gget(&m->writer_alive)) {
		*why = "the writer process is not running";
		return 0;
	}
	if (*alive < *configured) {
		*why = "not every worker is running";
		return 0;
	}
	return 1;
}

/* ---------------------------------------------------------------------
 * Rendering.
 */

struct buf {
	char	*p;
	size_t	 len;
	size_t	 cap;
	int	 failed;
};

static void	 bprintf(struct buf *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static void
bprintf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	char	*np;
	size_t	 ncap;
	int	 n;

	if (b->failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->failed = 1;
			return;
		}
		if ((size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		ncap = b->cap * 2 + (size_t)n;
		if ((np = realloc(b->p, ncap)) == NULL) {
			b->failed = 1;
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
}

static void
put_recording_count(void *arg, const char *status, int64_t n)
{
	struct buf	*b = arg;

	if (status_from_name(status) == ST_NONE)
		status = "other";
	bprintf(b, "voicepact_recordings{status=\"%s\"} %lld\n", status,
	    (long long)n);
}

/*
 * Renders every metric in the Prometheus text exposition format 0.0.4.
 * With st, the recordings by status are read from the database (a
 * failure there is reported as voicepact_db_scrape_ok 0). Returns a
 * malloc'd NUL-terminated string the caller frees (length in *len), or
 * NULL on allocation failure.
 */
char *
metrics_render(struct store *st, size_t *len)
{
	struct buf	 b;
	size_t		 r, o, i;
	uint64_t	 cum, v;
	int		 configured, alive, scrape_ok = 1;
	const char	*why;

	memset(&b, 0, sizeof(b));
	b.cap = 8192;
	if ((b.p = malloc(b.cap)) == NULL)
		return NULL;
	b.p[0] = '\0';

	bprintf(&b, "# HELP voicepact_requests_total Requests answered by "
	    "the workers, by route and outcome.\n"
	    "# TYPE voicepact_requests_total counter\n");
	for (r = 0; r < M_ROUTES; r++)
		for (o = 0; o < M_OUTCOMES; o++)
			if ((v = get(&m->requests[r][o])) > 0)
				bprintf(&b, "voicepact_requests_total{route="
				    "\"%s\",outcome=\"%s\"} %llu\n",
				    m_routes[r], m_outcomes[o],
				    (unsigned long long)v);

	bprintf(&b, "# HELP voicepact_responses_total Responses by HTTP "
	    "status.\n# TYPE voicepact_responses_total counter\n");
	for (i = 0; i <= M_STATUS_MAX - M_STATUS_MIN; i++)
		if ((v = get(&m->status[i])) > 0)
			bprintf(&b, "voicepact_responses_total{status=\"%zu\"} "
			    "%llu\n", i + M_STATUS_MIN, (unsigned long long)v);

	bprintf(&b, "# HELP voicepact_request_duration_seconds Time from "
	    "the start of a request to its answer, in the worker.\n"
	    "# TYPE voicepact_request_duration_seconds histogram\n");
	for (r = 0; r < M_ROUTES; r++) {
		if (get(&m->lat_count[r]) == 0)
			continue;
		cum = 0;
		for (i = 0; i < M_BUCKETS; i++) {
			cum += get(&m->lat_bucket[r][i]);
			bprintf(&b, "voicepact_request_duration_seconds_bucket"
			    "{route=\"%s\",le=\"%g\"} %llu\n", m_routes[r],
			    (double)m_buckets_us[i] / 1e6,
			    (unsigned long long)cum);
		}
		cum += get(&m->lat_bucket[r][M_BUCKETS]);
		bprintf(&b, "voicepact_request_duration_seconds_bucket"
		    "{route=\"%s\",le=\"+Inf\"} %llu\n", m_routes[r],
		    (unsigned long long)cum);
		bprintf(&b, "voicepact_request_duration_seconds_sum"
		    "{route=\"%s\"} %.6f\n", m_routes[r],
		    (double)get(&m->lat_sum_us[r]) / 1e6);
		/* The count is the +Inf bucket, read once, so they agree. */
		bprintf(&b, "voicepact_request_duration_seconds_count"
		    "{route=\"%s\"} %llu\n", m_routes[r],
		    (unsigned long long)cum);
	}

	bprintf(&b, "# HELP voicepact_db_busy_total Database writes that "
	    "did not get the lock within busy_timeout_ms.\n"
	    "# TYPE voicepact_db_busy_total counter\n"
	    "voicepact_db_busy_total %llu\n",
	    (unsigned long long)get(&m->db_busy));
	bprintf(&b, "# HELP voicepact_db_errors_total Database operations "
	    "that failed for another reason (I/O, disk full, read-only).\n"
	    "# TYPE voicepact_db_errors_total counter\n"
	    "voicepact_db_errors_total %llu\n",
	    (unsigned long long)get(&m->db_errors));

	bprintf(&b, "# HELP voicepact_events_total Deliveries written to the "
	    "event log, by outcome.\n# TYPE voicepact_events_total counter\n");
	for (i = 0; i < M_EVENTS; i++)
		bprintf(&b, "voicepact_events_total{outcome=\"%s\"} %llu\n",
		    m_events[i], (unsigned long long)get(&m->events[i]));

	bprintf(&b, "# HELP voicepact_commits_total Write transactions "
	    "(group commits) of the writer process.\n"
	    "# TYPE voicepact_commits_total counter\n"
	    "voicepact_commits_total %llu\n"
	    "# HELP voicepact_commit_items_total Deliveries written by those "
	    "transactions (items / commits = mean batch size).\n"
	    "# TYPE voicepact_commit_items_total counter\n"
	    "voicepact_commit_items_total %llu\n"
	    "# HELP voicepact_commit_seconds_total Time spent in those "
	    "transactions, fsync included.\n"
	    "# TYPE voicepact_commit_seconds_total counter\n"
	    "voicepact_commit_seconds_total %.6f\n",
	    (unsigned long long)get(&m->commits),
	    (unsigned long long)get(&m->commit_items),
	    (double)get(&m->commit_ns) / 1e9);
	bprintf(&b, "# HELP voicepact_writer_restarts_total Writer "
	    "processes restarted after an unexpected exit.\n"
	    "# TYPE voicepact_writer_restarts_total counter\n"
	    "voicepact_writer_restarts_total %llu\n"
	    "# HELP voicepact_writer_up 1 while the writer process runs.\n"
	    "# TYPE voicepact_writer_up gauge\n"
	    "voicepact_writer_up %lld\n",
	    (unsigned long long)get(&m->writer_restarts),
	    (long long)gget(&m->writer_alive));
	bprintf(&b, "# HELP voicepact_worker_restarts_total Workers "
	    "restarted after an unexpected exit.\n"
	    "# TYPE voicepact_worker_restarts_total counter\n"
	    "voicepact_worker_restarts_total %llu\n",
	    (unsigned long long)get(&m->worker_restarts));
	bprintf(&b, "# HELP voicepact_reloads_total Configuration reloads "
	    "(SIGHUP) accepted.\n# TYPE voicepact_reloads_total counter\n"
	    "voicepact_reloads_total %llu\n",
	    (unsigned long long)get(&m->reloads));

	(void)metrics_pool_ok(&why, &configured, &alive);
	bprintf(&b, "# HELP voicepact_workers Worker processes, configured "
	    "and running.\n# TYPE voicepact_workers gauge\n"
	    "voicepact_workers{state=\"configured\"} %d\n"
	    "voicepact_workers{state=\"running\"} %d\n", configured, alive);
	bprintf(&b, "# HELP voicepact_crash_loop 1 while worker restarts are "
	    "in a crash loop.\n# TYPE voicepact_crash_loop gauge\n"
	    "voicepact_crash_loop %lld\n", (long long)gget(&m->crash_loop));
	bprintf(&b, "# HELP voicepact_start_time_seconds Start time of the "
	    "master, unix seconds.\n# TYPE voicepact_start_time_seconds "
	    "gauge\nvoicepact_start_time_seconds %lld\n",
	    (long long)gget(&m->start_time));

	if (wal_bytes >= 0)
		bprintf(&b, "# HELP voicepact_wal_bytes Size of the database's "
		    "-wal file: it grows while a long reader blocks "
		    "checkpoints (alert above tens of MiB).\n"
		    "# TYPE voicepact_wal_bytes gauge\n"
		    "voicepact_wal_bytes %lld\n", (long long)wal_bytes);

	bprintf(&b, "# HELP voicepact_recordings Recordings in the "
	    "database, by processing status.\n"
	    "# TYPE voicepact_recordings gauge\n");
	if (st == NULL || store_recording_counts(st, put_recording_count,
	    &b) != APP_OK)
		scrape_ok = 0;
	bprintf(&b, "# HELP voicepact_db_scrape_ok 1 if the database could "
	    "be read for this scrape.\n# TYPE voicepact_db_scrape_ok gauge\n"
	    "voicepact_db_scrape_ok %d\n", scrape_ok);

	if (b.failed) {
		free(b.p);
		return NULL;
	}
	*len = b.len;
	return b.p;
}
