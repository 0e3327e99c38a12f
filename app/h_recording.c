/*
 * h_recording.c: GET /api/v1/voice/recordings/{recording_id}
 * (spec/API.md). Bearer API keys: the presented key is hashed with
 * SHA-256 and looked up by hash, so the comparison never depends on how
 * much of a key matches.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "extern.h"

#define KEY_MAX	256

/*
 * Extracts the key from an Authorization value "Bearer <key>" (scheme
 * case-insensitive, RFC 7235). Returns the key (borrowed, points into
 * value) and its length, or NULL if the value is malformed.
 */
static const char *
bearer_key(const char *value, size_t *len)
{
	const char	*p, *key;

	if (value == NULL || strncasecmp(value, "Bearer", 6) != 0)
		return NULL;
	p = value + 6;
	if (*p != ' ' && *p != '\t')
		return NULL;
	while (*p == ' ' || *p == '\t')
		p++;
	key = p;
	while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
	    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.')
		p++;
	*len = (size_t)(p - key);
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '\0' || *len == 0 || *len > KEY_MAX)
		return NULL;
	return key;
}

/* 1 if the query string seems to carry a credential. */
static int
query_has_key(const char *q)
{
	static const char *const names[] = { "api_key=", "apikey=", "key=",
	    "token=", "access_token=" };
	const char	*p;
	size_t		 i, n;

	if (q == NULL)
		return 0;
	for (p = q; p != NULL && *p != '\0'; p = strchr(p, '&')) {
		if (*p == '&')
			p++;
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			n = strlen(names[i]);
			if (strncasecmp(p, names[i], n) == 0)
				return 1;
		}
	}
	return 0;
}

/*
 * Handles the lookup. Statuses: 200, 400 (two Authorization headers),
 * 401 (with WWW-Authenticate: Bearer), 404, 405, 503.
 */
void
h_recording(struct worker *w, const struct req *r, const char *id,
    struct resp *rs)
{
	struct recording	 rec;
	unsigned char		 hash[32];
	const char		*key;
	size_t			 keylen;
	enum app_err		 e;

	if (r->method == NULL || (strcmp(r->method, "GET") != 0 &&
	    strcmp(r->method, "HEAD") != 0)) {
		resp_detail(rs, APP_EMETHOD, "Method Not Allowed");
		return;
	}
	if (r->dup_authorization) {
		resp_detail(rs, APP_EAMBIG,
		    "Authorization header given more than once");
		return;
	}
	if (query_has_key(r->query)) {
		resp_detail(rs, APP_EAUTH, "API keys are not accepted in the "
		    "query string; use the Authorization header");
		return;
	}
	if (r->authorization == NULL) {
		resp_detail(rs, APP_EAUTH, "Not authenticated");
		return;
	}
	if ((key = bearer_key(r->authorization, &keylen)) == NULL) {
		resp_detail(rs, APP_EAUTH, "Authorization must be "
		    "'Bearer <api key>'");
		return;
	}
	sha256(key, keylen, hash);
	if ((e = store_key_valid(w->st, hash)) != APP_OK) {
		resp_detail(rs, e, e == APP_EAUTH ?
		    "Invalid or revoked API key" : NULL);
		return;
	}

	if (id == NULL || !valid_session_id(id)) {
		resp_detail(rs, APP_ENOTFOUND, "Recording not found");
		return;
	}
	vp_strlcpy(rs->session_id, id, sizeof(rs->session_id));
	memset(&rec, 0, sizeof(rec));
	if ((e = store_get_recording(w->st, id, &rec)) != APP_OK) {
		resp_detail(rs, e, e == APP_ENOTFOUND ?
		    "Recording not found" : NULL);
		return;
	}
	rs->status = 200;
	rs->outcome = "found";
	rs->content_type = "application/json";
	if ((rs->body = json_recording(&rec)) == NULL) {
		resp_detail(rs, APP_ENOMEM, NULL);
		return;
	}
	rs->len = strlen(rs->body);
}
