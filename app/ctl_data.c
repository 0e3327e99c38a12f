/*
 * ctl_data.c: voicepactctl recordings show and list, events list, show
 * and replay.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "extern.h"
#include "ctl.h"

/* ---------------------------------------------------------------------
 * recordings
 */

int
cmd_recordings_show(struct store *st, const char *id)
{
	struct recording	 r;
	enum app_err		 e;

	if ((e = store_get_recording(st, id, &r)) != APP_OK)
		return store_exit(e, "recording");
	if (ctl_json) {
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

	if (ctl_json) {
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

int
cmd_recordings_list(struct store *st, const struct rec_filter *f)
{
	struct lister	 l = { 0 };
	enum app_err	 e;

	if (!ctl_json)
		printf("%-36s %-11s %8s %-20s %s\n", "ID", "STATUS",
		    "DURATION", "CREATED", "URL");
	e = store_recording_list(st, f, rec_list_one, &l);
	if (ctl_json)
		fputs(l.n == 0 ? "[]\n" : "\n]\n", stdout);
	return store_exit(e, "recordings list");
}

/* ---------------------------------------------------------------------
 * events
 */

static void
ev_list_one(void *arg, const struct event_row *ev)
{
	struct lister	*l = arg;
	char		 t[21], es[4 * VP_SESSION_MAX + 1], er[1024];

	if (ctl_json) {
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

int
cmd_events_list(struct store *st, const struct ev_filter *f)
{
	struct lister	 l = { 0 };
	enum app_err	 e;

	if (!ctl_json)
		printf("%-8s %-20s %-4s %-10s %-10s %-36s %s\n", "ID",
		    "RECEIVED", "HTTP", "OUTCOME", "AUTH", "SESSION", "REASON");
	e = store_event_list(st, f, ev_list_one, &l);
	if (ctl_json)
		fputs(l.n == 0 ? "[]\n" : "\n]\n", stdout);
	return store_exit(e, "events list");
}

static void
ev_show_one(void *arg, const struct event_row *ev)
{
	int	*rc = arg;

	if (ctl_json) {
		ev_json(ev, 1);
		putchar('\n');
	} else if (ev->body_len > 0 &&
	    fwrite(ev->body, 1, ev->body_len, stdout) != ev->body_len)
		*rc = EXIT_FAILURE;
}

int
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

int
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
		fprintf(stderr, "%s: out of memory\n", PROGNAME);
		goto out;
	}
	if (strcmp(src.auth, "signature") != 0 &&
	    strcmp(src.auth, "token") != 0 && strcmp(src.auth, "none") != 0 &&
	    strncmp(src.auth, "replay", 6) != 0) {
		fprintf(stderr, "%s: event %lld did not pass authentication "
		    "(auth %s); it is never replayed\n", PROGNAME,
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
		    "supported; nothing to replay\n", PROGNAME, (long long)id);
		goto out;
	}
	if (e == APP_OK)
		e = event_normalize(&kv, &ev, err, sizeof(err));
	if (e != APP_OK) {
		log_escape(err, strlen(err), esc, sizeof(esc));
		fprintf(stderr, "%s: event %lld is still rejected: %s\n",
		    PROGNAME, (long long)id, err[0] != '\0' ? esc :
		    app_strerror(e));
		goto out;
	}
	if (dry_run) {
		if (ctl_json) {
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
	if (ctl_json) {
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
