/*
 * http.c: the one place where the error vocabulary meets HTTP.
 *
 * http_status() is the only mapping from enum app_err to a status code;
 * the resp_* helpers fill a struct resp with an owned JSON body.
 */
#include <stdlib.h>
#include <string.h>

#include "extern.h"

static const struct {
	int		 status;
	const char	*text;	/* default reason shown to clients */
} errmap[APP_ERR__MAX] = {
	[APP_OK] =		{ 200, "ok" },
	[APP_ENOMEM] =		{ 503, "out of memory, try again" },
	[APP_EINVAL] =		{ 400, "invalid request" },
	[APP_EAMBIG] =		{ 400, "ambiguous request" },
	[APP_EEMPTY] =		{ 400, "request body is empty" },
	[APP_ETOOBIG] =		{ 413, "request body is larger than 65536 bytes" },
	[APP_EMEDIA] =		{ 415, "unsupported Content-Type" },
	[APP_EAUTH] =		{ 401, "not authenticated" },
	[APP_ENOTFOUND] =	{ 404, "not found" },
	[APP_EMETHOD] =		{ 405, "method not allowed" },
	[APP_EINTR] =		{ 503, "request body was cut short, try again" },
	[APP_EBUSY] =		{ 503, "database is busy, try again" },
	[APP_EDB] =		{ 503, "database cannot take the write, try again" },
	[APP_ESYSTEM] =		{ 500, "internal error" },
};

/* Returns the HTTP status for e; 500 for an out-of-range value. */
int
http_status(enum app_err e)
{
	if ((unsigned int)e >= APP_ERR__MAX)
		return 500;
	return errmap[e].status;
}

/* Returns a short client-safe description of e (static storage). */
const char *
app_strerror(enum app_err e)
{
	if ((unsigned int)e >= APP_ERR__MAX)
		return "internal error";
	return errmap[e].text;
}

/* Returns the reason phrase for an HTTP status (static storage). */
const char *
http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}

/*
 * Common part: status, Retry-After for transient errors, reason for the
 * log. reason NULL means the default text of e.
 */
static const char *
resp_fill(struct resp *rs, enum app_err e, const char *reason)
{
	if (reason == NULL)
		reason = app_strerror(e);
	rs->status = http_status(e);
	rs->content_type = "application/json";
	rs->retry_after = rs->status == 503 ? 1 : 0;
	if (e == APP_EAUTH)
		rs->outcome = "unauthenticated";
	else if (rs->status >= 500)
		rs->outcome = "unavailable";
	else
		rs->outcome = "rejected";
	if (reason != rs->reason_buf)
		vp_strlcpy(rs->reason_buf, reason, sizeof(rs->reason_buf));
	rs->reason = rs->reason_buf;
	return reason;
}

/* Sets the body of rs to the owned string s (NULL: out of memory). */
static void
resp_body(struct resp *rs, char *s)
{
	static char	 fallback[] = "{\"error\":\"out of memory\"}";

	free(rs->body);
	if (s == NULL) {
		/* Never free()d: resp_body owns only heap strings. */
		rs->body = strdup(fallback);
		rs->len = rs->body != NULL ? strlen(rs->body) : 0;
		rs->status = 503;
		rs->retry_after = 1;
		return;
	}
	rs->body = s;
	rs->len = strlen(s);
}

/*
 * Fills rs with {"status":"webhook_error","error":reason} and the status
 * of e (reason NULL: the default text). Sets Allow for 405.
 */
void
resp_webhook_error(struct resp *rs, enum app_err e, const char *reason)
{
	reason = resp_fill(rs, e, reason);
	if (e == APP_EMETHOD)
		rs->allow = "POST";
	resp_body(rs, json_webhook_error(reason));
}

/*
 * Fills rs with {"detail":reason} and the status of e, with
 * WWW-Authenticate for 401 and Allow for 405 (the lookup endpoint).
 */
void
resp_detail(struct resp *rs, enum app_err e, const char *reason)
{
	reason = resp_fill(rs, e, reason);
	if (e == APP_EAUTH)
		rs->www_auth = 1;
	if (e == APP_EMETHOD)
		rs->allow = "GET, HEAD";
	resp_body(rs, json_detail(reason));
}
