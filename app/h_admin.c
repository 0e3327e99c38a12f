/*
 * h_admin.c: GET /healthz and GET /metrics, for the operator.
 *
 * The router serves these only on requests that nginx's admin listener
 * marked (fastcgi_param VP_ADMIN 1, see nginx/voicepact-admin.conf);
 * everywhere else they are 404. Neither prints request data.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extern.h"

#define WRITER_PING_MS	1000	/* a busy writer answers in milliseconds */

/* 1 for GET and HEAD; otherwise fills rs with 405 and returns 0. */
static int
admin_method(const struct req *r, struct resp *rs)
{
	if (r->method != NULL && (strcmp(r->method, "GET") == 0 ||
	    strcmp(r->method, "HEAD") == 0))
		return 1;
	resp_detail(rs, APP_EMETHOD, "method not allowed; use GET");
	return 0;
}

/*
 * Healthy means: the database takes the write lock (within a short
 * bound), the writer process answers a ping within WRITER_PING_MS, and
 * every configured worker runs under a live master. 200 or 503 with a
 * small JSON document; 405 for other methods.
 */
void
h_healthz(struct worker *w, const struct req *r, struct resp *rs)
{
	const char	*why = NULL, *dbstate = "ok", *wstate = "ok";
	char		*body;
	int		 configured, alive, ok, n;

	if (!admin_method(r, rs))
		return;
	ok = metrics_pool_ok(&why, &configured, &alive);
	if (w->st == NULL || store_health(w->st) != APP_OK) {
		dbstate = "unavailable";
		if (ok)
			why = "the database cannot be written";
		ok = 0;
	}
	if (writer_ping(WRITER_PING_MS) != APP_OK) {
		wstate = "unavailable";
		if (ok)
			why = "the writer process does not answer";
		ok = 0;
	}
	if ((body = malloc(512)) == NULL) {
		resp_detail(rs, APP_ENOMEM, NULL);
		return;
	}
	n = snprintf(body, 512, "{\"status\":\"%s\",\"database\":\"%s\","
	    "\"writer\":\"%s\",\"workers\":{\"configured\":%d,"
	    "\"running\":%d}%s%s%s}\n",
	    ok ? "ok" : "unavailable", dbstate, wstate, configured, alive,
	    why != NULL ? ",\"reason\":\"" : "", why != NULL ? why : "",
	    why != NULL ? "\"" : "");
	rs->body = body;
	rs->len = n > 0 && n < 512 ? (size_t)n : strlen(body);
	rs->content_type = "application/json";
	rs->status = ok ? 200 : 503;
	rs->outcome = ok ? "ok" : "unavailable";
	if (!ok) {
		rs->retry_after = 1;
		vp_strlcpy(rs->reason_buf, why, sizeof(rs->reason_buf));
		rs->reason = rs->reason_buf;
	}
}

/* The counters in Prometheus text format. 200, 405 or 503 (memory). */
void
h_metrics(struct worker *w, const struct req *r, struct resp *rs)
{
	struct stat	 sb;
	char		 wal[4096];
	size_t		 len = 0;

	if (!admin_method(r, rs))
		return;
	if (snprintf(wal, sizeof(wal), "%s-wal", w->cf->database) <
	    (int)sizeof(wal) && stat(wal, &sb) == 0)
		metrics_wal_bytes((int64_t)sb.st_size);
	else
		metrics_wal_bytes(-1);
	if ((rs->body = metrics_render(w->st, &len)) == NULL) {
		resp_detail(rs, APP_ENOMEM, NULL);
		return;
	}
	rs->len = len;
	rs->content_type = "text/plain; version=0.0.4; charset=utf-8";
	rs->status = 200;
	rs->outcome = "ok";
}
