/*
 * route.c: the route table and the one dispatch switch.
 *
 * The worker routes on DOCUMENT_URI (already decoded and normalised by
 * nginx). A trailing segment (token or recording id) is passed to the
 * handler borrowed from the request; it never contains '/'.
 */
#include <stdlib.h>
#include <string.h>

#include "extern.h"

enum route {
	ROUTE_WEBHOOK,		/* POST /api/v1/voice/webhook[/{token}] */
	ROUTE_RECORDING,	/* GET /api/v1/voice/recordings/{id} */
	ROUTE_HEALTHZ,		/* GET /healthz (admin listener only) */
	ROUTE_METRICS,		/* GET /metrics (admin listener only) */
	ROUTE__MAX
};

static const struct {
	const char	*prefix;	/* exact path, or prefix before "/{arg}" */
	int		 arg;		/* 0: no arg; 1: optional; 2: required */
	const char	*name;		/* for the log */
} routes[ROUTE__MAX] = {
	[ROUTE_WEBHOOK] =	{ "/api/v1/voice/webhook", 1, "webhook" },
	[ROUTE_RECORDING] =	{ "/api/v1/voice/recordings", 2, "recording" },
	[ROUTE_HEALTHZ] =	{ "/healthz", 0, "healthz" },
	[ROUTE_METRICS] =	{ "/metrics", 0, "metrics" },
};

/*
 * Matches path against route i. On a match returns 1 and sets *arg to
 * the trailing segment (NULL when there is none).
 */
static int
route_match(int i, const char *path, const char **arg)
{
	size_t	 len = strlen(routes[i].prefix);

	*arg = NULL;
	if (strncmp(path, routes[i].prefix, len) != 0)
		return 0;
	path += len;
	if (*path == '\0')
		return routes[i].arg != 2;
	if (*path != '/' || routes[i].arg == 0)
		return 0;
	path++;
	if (*path == '\0' || strchr(path, '/') != NULL)
		return 0;
	*arg = path;
	return 1;
}

/*
 * Dispatches r to its handler. Unknown paths get 404 {"detail":...}
 * (nginx normally answers those itself).
 */
void
route_dispatch(struct worker *w, const struct req *r, struct resp *rs)
{
	const char	*arg = NULL;
	int		 i;

	for (i = 0; i < ROUTE__MAX; i++)
		if (r->path != NULL && route_match(i, r->path, &arg))
			break;
	/* The admin routes exist only on nginx's admin listener. */
	if ((i == ROUTE_HEALTHZ || i == ROUTE_METRICS) && !r->admin)
		i = ROUTE__MAX;
	rs->route = i < ROUTE__MAX ? routes[i].name : "none";

	switch (i) {
	case ROUTE_WEBHOOK:
		h_webhook(w, r, arg, rs);
		break;
	case ROUTE_RECORDING:
		h_recording(w, r, arg, rs);
		break;
	case ROUTE_HEALTHZ:
		h_healthz(w, r, rs);
		break;
	case ROUTE_METRICS:
		h_metrics(w, r, rs);
		break;
	case ROUTE__MAX:
		resp_detail(rs, APP_ENOTFOUND, "Not Found");
		break;
	default:
		abort();
	}
}
