/*
 * ctl_out.c: voicepactctl's output helpers: JSON strings and times,
 * terminal-safe text, exit statuses for store errors, base64url, and
 * the printers of a recording and an event-log entry (see ctl.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extern.h"
#include "ctl.h"

/* Writes s (len bytes) as a JSON string, quotes included. */
void
jstr_n(const char *s, size_t len)
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 i;

	if (s == NULL) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '"':
			fputs("\\\"", stdout);
			break;
		case '\\':
			fputs("\\\\", stdout);
			break;
		case '\n':
			fputs("\\n", stdout);
			break;
		case '\r':
			fputs("\\r", stdout);
			break;
		case '\t':
			fputs("\\t", stdout);
			break;
		default:
			if (c < 0x20 || c == 0x7f)
				printf("\\u00%c%c", hex[c >> 4], hex[c & 0xf]);
			else
				putchar(c);
		}
	}
	putchar('"');
}

/* A JSON string, or null for NULL and "" (how the database stores absence). */
void
jstr(const char *s)
{
	jstr_n(s != NULL && *s != '\0' ? s : NULL, s != NULL ? strlen(s) : 0);
}

/* RFC 3339 of unix seconds t as a JSON string, or null for 0. */
void
jtime(int64_t t)
{
	char	 buf[21];

	if (t == 0) {
		fputs("null", stdout);
		return;
	}
	rfc3339(t, buf);
	jstr(buf);
}

/* Text: "-" for NULL or "". */
const char *
dash(const char *s)
{
	return s != NULL && *s != '\0' ? s : "-";
}

/*
 * Makes untrusted text printable for a terminal (control bytes and
 * non-ASCII escaped), into buf.
 */
const char *
safe(const char *s, char *buf, size_t bufsz)
{
	if (s == NULL || *s == '\0')
		return "-";
	log_escape(s, strlen(s), buf, bufsz);
	return buf;
}

/* Exit status for a store error, with a message naming what failed. */
int
store_exit(enum app_err e, const char *what)
{
	switch (e) {
	case APP_OK:
		return EXIT_SUCCESS;
	case APP_ENOTFOUND:
		fprintf(stderr, "%s: %s: not found\n", PROGNAME, what);
		return EXIT_NOTFOUND;
	case APP_EBUSY:
		fprintf(stderr, "%s: %s: the database is busy (locked by "
		    "another writer); try again\n", PROGNAME, what);
		return EXIT_BUSY;
	default:
		fprintf(stderr, "%s: %s: %s\n", PROGNAME, what,
		    app_strerror(e));
		return EXIT_FAILURE;
	}
}

/* base64url without padding of n bytes into out (4 * ceil(n / 3) + 1). */
void
b64url(const unsigned char *in, size_t n, char *out)
{
	static const char	 tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t			 i;
	uint32_t		 v;

	for (i = 0; i + 2 < n; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		*out++ = tab[v >> 18 & 63];
		*out++ = tab[v >> 12 & 63];
		*out++ = tab[v >> 6 & 63];
		*out++ = tab[v & 63];
	}
	if (n - i == 1) {
		v = (uint32_t)in[i] << 16;
		*out++ = tab[v >> 18 & 63];
		*out++ = tab[v >> 12 & 63];
	} else if (n - i == 2) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		*out++ = tab[v >> 18 & 63];
		*out++ = tab[v >> 12 & 63];
		*out++ = tab[v >> 6 & 63];
	}
	*out = '\0';
}

void
rec_json(const struct recording *r)
{
	printf("{\"recording_id\":");
	jstr(r->id);
	printf(",\"status\":");
	jstr(r->status > ST_NONE && r->status < ST__MAX ?
	    status_name(r->status) : NULL);
	printf(",\"recording_url\":");
	jstr(r->recording_url);
	if (r->duration >= 0)
		printf(",\"duration\":%lld", (long long)r->duration);
	else
		printf(",\"duration\":null");
	printf(",\"phone_number\":");
	jstr(r->phone_number);
	printf(",\"caller_number\":");
	jstr(r->caller_number);
	printf(",\"destination_number\":");
	jstr(r->destination_number);
	printf(",\"direction\":");
	jstr(r->direction);
	printf(",\"hangup_cause\":");
	jstr(r->hangup_cause);
	printf(",\"call_session_state\":");
	jstr(r->call_session_state);
	printf(",\"amount\":");
	jstr(r->amount);
	printf(",\"currency_code\":");
	jstr(r->currency_code);
	printf(",\"call_start_time\":");
	jstr(r->call_start_time);
	printf(",\"created_at\":");
	jtime(r->created_at);
	printf(",\"processed_at\":");
	jtime(r->processed_at);
	printf("}");
}

void
rec_text(const struct recording *r)
{
	char	 t1[21], t2[21], dur[24], esc[4 * VP_URL_MAX + 1];

	rfc3339(r->created_at, t1);
	rfc3339(r->processed_at, t2);
	if (r->duration >= 0)
		snprintf(dur, sizeof(dur), "%lld", (long long)r->duration);
	else
		vp_strlcpy(dur, "-", sizeof(dur));
	printf("recording_id        %s\n", safe(r->id, esc, sizeof(esc)));
	printf("status              %s\n", r->status > ST_NONE &&
	    r->status < ST__MAX ? status_name(r->status) : "-");
	printf("recording_url       %s\n",
	    safe(r->recording_url, esc, sizeof(esc)));
	printf("duration            %s\n", dur);
	printf("phone_number        %s\n",
	    safe(r->phone_number, esc, sizeof(esc)));
	printf("caller_number       %s\n",
	    safe(r->caller_number, esc, sizeof(esc)));
	printf("destination_number  %s\n",
	    safe(r->destination_number, esc, sizeof(esc)));
	printf("direction           %s\n", safe(r->direction, esc, sizeof(esc)));
	printf("hangup_cause        %s\n",
	    safe(r->hangup_cause, esc, sizeof(esc)));
	printf("call_session_state  %s\n",
	    safe(r->call_session_state, esc, sizeof(esc)));
	printf("amount              %s\n", safe(r->amount, esc, sizeof(esc)));
	printf("currency_code       %s\n",
	    safe(r->currency_code, esc, sizeof(esc)));
	printf("call_start_time     %s\n",
	    safe(r->call_start_time, esc, sizeof(esc)));
	printf("created_at          %s\n", t1);
	printf("processed_at        %s\n", t2);
}

void
ev_json(const struct event_row *ev, int with_body)
{
	char	 t[21];

	rfc3339(ev->received_us / 1000000, t);
	printf("{\"id\":%lld,\"received_at\":", (long long)ev->id);
	jstr(t);
	printf(",\"received_us\":%lld,\"request_id\":",
	    (long long)ev->received_us);
	jstr(ev->request_id);
	printf(",\"remote_addr\":");
	jstr(ev->remote_addr);
	printf(",\"content_type\":");
	jstr(ev->content_type);
	printf(",\"session_id\":");
	jstr(ev->session_id);
	printf(",\"auth\":");
	jstr(ev->auth);
	printf(",\"outcome\":");
	jstr(ev->outcome);
	printf(",\"http_status\":%d,\"reason\":", ev->http_status);
	jstr(ev->reason);
	printf(",\"body_sha256\":");
	jstr(ev->body_sha256);
	printf(",\"body_bytes\":%zu", ev->body_len);
	if (with_body) {
		/* Text if it is UTF-8 without NUL, else base64url. */
		if (valid_utf8(ev->body, ev->body_len) &&
		    memchr(ev->body, '\0', ev->body_len) == NULL) {
			printf(",\"body\":");
			jstr_n(ev->body, ev->body_len);
		} else {
			char *b = malloc(4 * (ev->body_len / 3 + 1) + 1);

			if (b != NULL) {
				b64url((const unsigned char *)ev->body,
				    ev->body_len, b);
				printf(",\"body_base64url\":\"%s\"", b);
				free(b);
			}
		}
	}
	printf("}");
}
