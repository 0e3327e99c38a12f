/*
 * test-metrics.c: the shared counters (metrics.c): counting by route,
 * outcome and status, the latency histogram, the pool's health verdict,
 * the Prometheus rendering, and that a child forked after metrics_init()
 * updates the parent's counters.
 */
#include "../../app/metrics.c"

#include <sys/wait.h>

#include <unistd.h>

#include "tap.h"

/* The value of the sample line "name value" in text, or -1. */
static double
sample(const char *text, const char *name)
{
	const char	*p = text;
	size_t		 len = strlen(name);

	while ((p = strstr(p, name)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[len] == ' ')
			return strtod(p + len + 1, NULL);
		p += len;
	}
	return -1;
}

int
main(void)
{
	struct req	 r;
	struct resp	 rs;
	const char	*why;
	char		*text, *line, *save;
	size_t		 len;
	pid_t		 pid;
	int		 st, configured, alive, wellformed = 1;

	ok(metrics_init() == 0, "metrics_init maps the shared region");

	memset(&r, 0, sizeof(r));
	memset(&rs, 0, sizeof(rs));
	r.start_ns = mono_ns();
	rs.route = "webhook";
	rs.outcome = "stored";
	rs.status = 200;
	metrics_request(&r, &rs);
	rs.outcome = "no-such-outcome";
	rs.status = 503;
	metrics_request(&r, &rs);
	rs.route = NULL;
	rs.outcome = NULL;
	rs.status = 9999;
	metrics_request(NULL, &rs);
	metrics_db_failure(1);
	metrics_db_failure(0);
	metrics_db_failure(0);
	metrics_event("stored");
	metrics_event("rejected");
	metrics_event("bogus");
	metrics_event(NULL);

	/* A child forked afterwards shares the counters. */
	if ((pid = fork()) == 0) {
		metrics_event("stored");
		metrics_worker_restart();
		_exit(0);
	}
	ok(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st),
	    "a forked child ran");

	/* No pool published: healthy. */
	ok(metrics_pool_ok(&why, &configured, &alive) == 1 && why == NULL,
	    "no pool published: healthy");
	metrics_pool(3, 3, 0, 1);
	ok(metrics_pool_ok(&why, &configured, &alive) == 1 &&
	    configured == 3 && alive == 3, "all workers running: healthy");
	metrics_pool(3, 2, 0, 1);
	ok(metrics_pool_ok(&why, &configured, &alive) == 0 && why != NULL &&
	    strstr(why, "worker") != NULL, "a worker missing: unhealthy");
	metrics_pool(3, 3, 1, 1);
	ok(metrics_pool_ok(&why, &configured, &alive) == 0 && why != NULL &&
	    strstr(why, "crash loop") != NULL, "a crash loop: unhealthy");
	metrics_pool(3, 3, 0, 0);
	ok(metrics_pool_ok(&why, &configured, &alive) == 0 && why != NULL &&
	    strstr(why, "writer") != NULL, "no writer: unhealthy");
	metrics_pool(2, 2, 0, 1);
	__atomic_store_n(&m->heartbeat_ns, mono_ns() - 6000000000LL,
	    __ATOMIC_RELAXED);
	ok(metrics_pool_ok(&why, &configured, &alive) == 0 && why != NULL &&
	    strstr(why, "master") != NULL, "a silent master: unhealthy");
	metrics_pool(2, 2, 0, 1);

	text = metrics_render(NULL, &len);
	ok(text != NULL && strlen(text) == len, "render: a string of len");
	if (text == NULL)
		return done_testing();
	is_int((int)sample(text, "voicepact_requests_total{route=\"webhook\","
	    "outcome=\"stored\"}"), 1, "webhook/stored counted");
	is_int((int)sample(text, "voicepact_requests_total{route=\"webhook\","
	    "outcome=\"other\"}"), 1, "an unknown outcome counts as other");
	is_int((int)sample(text, "voicepact_requests_total{route=\"other\","
	    "outcome=\"other\"}"), 1, "NULL route and outcome: other");
	is_int((int)sample(text, "voicepact_responses_total{status=\"503\"}"),
	    1, "responses by status");
	ok(strstr(text, "status=\"9999\"") == NULL, "an impossible status is "
	    "not a label");
	is_int((int)sample(text, "voicepact_request_duration_seconds_count"
	    "{route=\"webhook\"}"), 2, "histogram count");
	is_int((int)sample(text, "voicepact_request_duration_seconds_bucket"
	    "{route=\"webhook\",le=\"+Inf\"}"), 2, "histogram +Inf bucket");
	ok(sample(text, "voicepact_request_duration_seconds_bucket"
	    "{route=\"webhook\",le=\"10\"}") == 2, "buckets are cumulative");
	is_int((int)sample(text, "voicepact_db_busy_total"), 1, "db busy");
	is_int((int)sample(text, "voicepact_db_errors_total"), 2, "db errors");
	is_int((int)sample(text, "voicepact_events_total{outcome=\"stored\"}"),
	    2, "events stored, the child's included");
	is_int((int)sample(text,
	    "voicepact_events_total{outcome=\"rejected\"}"), 1,
	    "events rejected; unknown outcomes ignored");
	is_int((int)sample(text, "voicepact_worker_restarts_total"), 1,
	    "worker restarts, counted in the child");
	is_int((int)sample(text, "voicepact_workers{state=\"running\"}"), 2,
	    "workers running");
	is_int((int)sample(text, "voicepact_db_scrape_ok"), 0,
	    "no store: the scrape of the database is reported failed");
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		if (strncmp(line, "# HELP voicepact_", 17) != 0 &&
		    strncmp(line, "# TYPE voicepact_", 17) != 0 &&
		    strncmp(line, "voicepact_", 10) != 0)
			wellformed = 0;
	ok(wellformed, "every line is HELP, TYPE or a voicepact_ sample");
	free(text);
	return done_testing();
}
