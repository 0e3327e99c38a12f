/*
 * h_webhook.c: POST /api/v1/voice/webhook[/{token}] (spec/API.md).
 *
 * Order of checks (the front line of defence comes first, and nothing
 * is parsed for a sender that is not authenticated):
 *   method (405) -> body read errors (413, 503) -> authentication (400 on
 *   a duplicated signature header, 401) -> Content-Type (415) -> empty
 *   body (400) -> decode (400) -> normalise and validate (400) -> store
 *   durably (503 when the database cannot take it) -> answer 200 (JSON,
 *   or the XML answer document for a live AT request).
 * Every delivery, accepted or rejected, is written to the event log;
 * the log entry of an accepted one is part of the same transaction as
 * the recording row.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "extern.h"

enum media { MEDIA_NONE, MEDIA_FORM, MEDIA_JSON };

/*
 * Parses a Content-Type value. Returns MEDIA_FORM or MEDIA_JSON, or
 * MEDIA_NONE with err set (unsupported type or charset).
 */
static enum media
media_parse(const char *ct, char *err, size_t errsz)
{
	static const char	 form[] = "application/x-www-form-urlencoded";
	static const char	 json[] = "application/json";
	enum media		 m;
	const char		*p, *end, *name, *val;
	size_t			 len, nlen, vlen;

	if (ct == NULL || *ct == '\0') {
		vp_strlcpy(err, "Content-Type is missing; use "
		    "application/x-www-form-urlencoded or application/json",
		    errsz);
		return MEDIA_NONE;
	}
	for (end = ct; *end != '\0' && *end != ';'; end++)
		;
	len = (size_t)(end - ct);
	while (len > 0 && (ct[len - 1] == ' ' || ct[len - 1] == '\t'))
		len--;
	if (len == sizeof(form) - 1 && strncasecmp(ct, form, len) == 0)
		m = MEDIA_FORM;
	else if (len == sizeof(json) - 1 && strncasecmp(ct, json, len) == 0)
		m = MEDIA_JSON;
	else {
		vp_strlcpy(err, "Content-Type is not supported; use "
		    "application/x-www-form-urlencoded or application/json",
		    errsz);
		return MEDIA_NONE;
	}

	/* Parameters: only charset matters, and it must be UTF-8. */
	p = end;
	while (*p == ';') {
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		name = p;
		while (*p != '\0' && *p != '=' && *p != ';')
			p++;
		nlen = (size_t)(p - name);
		val = "";
		vlen = 0;
		if (*p == '=') {
			val = ++p;
			while (*p != '\0' && *p != ';')
				p++;
			vlen = (size_t)(p - val);
			while (vlen > 0 && (val[vlen - 1] == ' ' ||
			    val[vlen - 1] == '\t'))
				vlen--;
			if (vlen >= 2 && val[0] == '"' && val[vlen - 1] == '"') {
				val++;
				vlen -= 2;
			}
		}
		if (nlen == 7 && strncasecmp(name, "charset", 7) == 0 &&
		    !((vlen == 5 && strncasecmp(val, "utf-8", 5) == 0) ||
		    (vlen == 4 && strncasecmp(val, "utf8", 4) == 0))) {
			vp_strlcpy(err, "Content-Type charset is not "
			    "supported; use UTF-8", errsz);
			return MEDIA_NONE;
		}
	}
	return m;
}

/*
 * Authenticates r. Returns APP_OK and sets *how ("signature", "token" or
 * "none"), or an error with reason set. A signature that is present is
 * always checked when signatures are enabled, and a wrong one fails the
 * request whatever else it carries.
 */
static enum app_err
authenticate(const struct config *cf, const struct req *r,
    const char *token, const char **how, const char **reason)
{
	int	 sig_ok = 0, tok_ok = 0;
	size_t	 i;

	*how = "failed";
	if (r->dup_signature) {
		*reason = "X-Webhook-Signature header given more than once";
		return APP_EAMBIG;
	}
	if (token != NULL && !cf->auth_token) {
		*reason = "Not Found";
		return APP_ENOTFOUND;
	}
	if (r->signature != NULL && cf->auth_signature) {
		sig_ok = sig_verify(r->signature, r->body, r->body_len,
		    (const char *const *)cf->secrets, cf->nsecrets);
		if (!sig_ok) {
			*reason = "X-Webhook-Signature does not match the body";
			return APP_EAUTH;
		}
	}
	if (token != NULL) {
		for (i = 0; i < cf->ntokens; i++)
			tok_ok |= token_equal(token, cf->tokens[i]);
		if (!tok_ok) {
			*reason = "unknown webhook path token";
			return APP_EAUTH;
		}
	}
	if (sig_ok) {
		*how = "signature";
		return APP_OK;
	}
	if (tok_ok) {
		*how = "token";
		return APP_OK;
	}
	if (cf->allow_unauthenticated) {
		*how = "none";
		return APP_OK;
	}
	*reason = cf->auth_signature ?
	    "missing X-Webhook-Signature header" :
	    "missing webhook path token";
	return APP_EAUTH;
}

/*
 * Handles the webhook. Statuses: 200, 400, 401, 404 (token path with
 * tokens disabled), 405, 413, 415, 503.
 */
void
h_webhook(struct worker *w, const struct req *r, const char *token,
    struct resp *rs)
{
	const struct config	*cf = w->cf;
	struct kvlist		 kv;
	struct event		 ev;
	struct delivery		 d;
	struct deliver_result	 res;
	enum app_err		 e;
	enum media		 m;
	const char		*reason = NULL;
	char			 err[256];

	memset(&kv, 0, sizeof(kv));
	memset(&d, 0, sizeof(d));
	memset(&ev, 0, sizeof(ev));
	err[0] = '\0';
	d.received_us = r->received_us;
	d.request_id = r->request_id;
	d.remote_addr = r->remote_addr;
	d.content_type = r->content_type;
	d.body = r->body;
	d.body_len = r->body_len;
	d.auth = "failed";

	/* Front line: method and the body as read. */
	if (r->method == NULL || strcmp(r->method, "POST") != 0) {
		e = APP_EMETHOD;
		reason = "method not allowed; use POST";
		goto fail;
	}
	switch (r->body_err) {
	case APP_OK:
		break;
	case APP_EINVAL:
		e = APP_EINVAL;
		reason = "Content-Length is not a valid number";
		goto fail;
	default:
		e = r->body_err;
		goto fail;
	}

	if ((e = authenticate(cf, r, token, &d.auth, &reason)) != APP_OK)
		goto fail;

	if ((m = media_parse(r->content_type, err, sizeof(err))) ==
	    MEDIA_NONE) {
		e = APP_EMEDIA;
		reason = err;
		goto fail;
	}
	if (r->body_len == 0) {
		e = APP_EEMPTY;
		goto fail;
	}
	e = m == MEDIA_FORM ?
	    form_parse(r->body, r->body_len, &kv, err, sizeof(err)) :
	    json_parse_object(r->body, r->body_len, &kv, err, sizeof(err));
	if (e != APP_OK) {
		reason = err[0] != '\0' ? err : NULL;
		goto fail;
	}
	if ((e = event_normalize(&kv, &ev, err, sizeof(err))) != APP_OK) {
		reason = err[0] != '\0' ? err : NULL;
		goto fail;
	}
	d.session_id = ev.session_id;
	vp_strlcpy(rs->session_id, ev.session_id, sizeof(rs->session_id));

	/* The durable write: nothing is acknowledged before it returns. */
	d.http_status = 200;
	e = worker_store(w, &d, &ev, r->received_us / 1000000, &res);
	if (e != APP_OK) {
		resp_webhook_error(rs, e, NULL);
		kvlist_clear(&kv);
		return;	/* the database failed: no event-log entry either */
	}

	rs->status = 200;
	rs->outcome = res.duplicate ? "duplicate" : "stored";
	if (ev.is_active) {
		if ((rs->body = malloc(cf->answer_len + 1)) != NULL) {
			memcpy(rs->body, cf->answer, cf->answer_len);
			rs->body[cf->answer_len] = '\0';
			rs->len = cf->answer_len;
			rs->content_type = "application/xml";
		}
	} else {
		if ((rs->body = json_webhook_ok(ev.session_id,
		    res.duplicate)) != NULL) {
			rs->len = strlen(rs->body);
			rs->content_type = "application/json";
		}
	}
	if (rs->body == NULL) {
		/* Stored, but no memory to say so: the sender will retry. */
		resp_webhook_error(rs, APP_ENOMEM, NULL);
	}
	kvlist_clear(&kv);
	return;

fail:
	resp_webhook_error(rs, e, reason);
	d.outcome = "rejected";
	d.http_status = rs->status;
	d.reason = rs->reason;
	if (worker_store(w, &d, NULL, 0, NULL) != APP_OK)
		log_warnx("%s: could not log the rejected delivery",
		    __func__);
	kvlist_clear(&kv);
}
