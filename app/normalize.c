/*
 * normalize.c: turns the pairs of either payload dialect into one event.
 *
 * Seed dialect (VoicePact docs): sessionId, status, phoneNumber,
 * recordingUrl, duration. AT dialect (recognised by "isActive"): see
 * spec/AT-CALLBACKS.md. Unknown fields are ignored. In both dialects an
 * optional field that is absent, JSON null or the empty string is
 * absent; a known field of the wrong JSON type is an error. Every string
 * the event carries has passed a validator of validate.c.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "extern.h"

static const char *const status_names[ST__MAX] = {
	"none",			/* ST_NONE */
	"in-progress",		/* ST_IN_PROGRESS */
	"completed",		/* ST_COMPLETED */
	"failed",		/* ST_FAILED */
	"busy",			/* ST_BUSY */
	"no-answer",		/* ST_NO_ANSWER */
	"rejected",		/* ST_REJECTED */
};

#define SEED_STATUS_RULE	\
	"status must be one of completed, failed, busy, no-answer, rejected"
#define DURATION_RULE		"must be an integer from 0 to 86400"

/*
 * Returns the stored name of s ("in-progress", "completed", ...);
 * "none" for ST_NONE and "unknown" for values out of range. Static.
 */
const char *
status_name(enum call_status s)
{
	if ((int)s < 0 || s >= ST__MAX)
		return "unknown";
	return status_names[s];
}

/*
 * Returns the status named name (exact, as status_name() spells it), or
 * ST_NONE if there is none.
 */
enum call_status
status_from_name(const char *name)
{
	int	 i;

	if (name == NULL)
		return ST_NONE;
	for (i = ST_NONE + 1; i < ST__MAX; i++)
		if (strcmp(name, status_names[i]) == 0)
			return (enum call_status)i;
	return ST_NONE;
}

/*
 * Returns 1 for the final statuses (completed, failed, busy, no-answer,
 * rejected), 0 for in-progress and ST_NONE.
 */
int
status_is_terminal(enum call_status s)
{
	return s > ST_IN_PROGRESS && s < ST__MAX;
}

/*
 * Maps an AT final notification to a status (case-insensitive):
 * NORMAL_CLEARING -> completed; USER_BUSY -> busy; NO_ANSWER,
 * NO_USER_RESPONSE, ORIGINATOR_CANCEL -> no-answer; CALL_REJECTED ->
 * rejected; any other non-empty cause -> failed. Without a cause,
 * callSessionState "Completed" -> completed, otherwise failed.
 */
enum call_status
at_status(const char *cause, const char *state)
{
	if (cause != NULL && *cause != '\0') {
		if (strcasecmp(cause, "NORMAL_CLEARING") == 0)
			return ST_COMPLETED;
		if (strcasecmp(cause, "USER_BUSY") == 0)
			return ST_BUSY;
		if (strcasecmp(cause, "NO_ANSWER") == 0 ||
		    strcasecmp(cause, "NO_USER_RESPONSE") == 0 ||
		    strcasecmp(cause, "ORIGINATOR_CANCEL") == 0)
			return ST_NO_ANSWER;
		if (strcasecmp(cause, "CALL_REJECTED") == 0)
			return ST_REJECTED;
		return ST_FAILED;
	}
	if (state != NULL && strcasecmp(state, "Completed") == 0)
		return ST_COMPLETED;
	return ST_FAILED;
}

/*
 * Fetches the string field name into *out: NULL if absent, null or "".
 * Returns 0, or -1 with err set if the field is not a string.
 */
static int
get_string(const struct kvlist *kv, const char *name, const char **out,
    char *err, size_t errsz)
{
	const struct kv	*p;

	*out = NULL;
	if ((p = kvlist_get(kv, name)) == NULL || p->type == KV_NULL)
		return 0;
	if (p->type != KV_STRING) {
		snprintf(err, errsz, "%s must be a string", name);
		return -1;
	}
	if (strlen(p->val) != p->vallen) {
		snprintf(err, errsz, "%s must not contain NUL bytes", name);
		return -1;
	}
	if (p->val[0] != '\0')
		*out = p->val;
	return 0;
}

/* A string field validated by valid_text(max). */
static int
get_text(const struct kvlist *kv, const char *name, size_t max,
    const char **out, char *err, size_t errsz)
{
	if (get_string(kv, name, out, err, errsz) == -1)
		return -1;
	if (*out != NULL && !valid_text(*out, max)) {
		snprintf(err, errsz, "%s must be printable UTF-8 text of at "
		    "most %zu bytes", name, max);
		return -1;
	}
	return 0;
}

/*
 * A phone number, SIP address or client id: text without spaces (a
 * space usually is a '+' that was not sent as %2B).
 */
static int
get_number(const struct kvlist *kv, const char *name, const char **out,
    char *err, size_t errsz)
{
	if (get_text(kv, name, VP_FIELD_MAX, out, err, errsz) == -1)
		return -1;
	if (*out != NULL && strchr(*out, ' ') != NULL) {
		snprintf(err, errsz, "%s must not contain spaces (send '+' "
		    "as %%2B)", name);
		return -1;
	}
	return 0;
}

static int
get_url(const struct kvlist *kv, const char *name, const char **out,
    char *err, size_t errsz)
{
	if (get_string(kv, name, out, err, errsz) == -1)
		return -1;
	if (*out != NULL && !valid_url(*out)) {
		snprintf(err, errsz, "%s must be an absolute http or https "
		    "URL of at most %d bytes", name, VP_URL_MAX);
		return -1;
	}
	return 0;
}

/*
 * Fetches a duration: a JSON integer or a digit string in
 * 0..VP_DURATION_MAX; -1 if absent, null or "".
 */
static int
get_duration(const struct kvlist *kv, const char *name, long long *out,
    char *err, size_t errsz)
{
	const struct kv	*p;
	const char	*errstr;
	long long	 v;

	*out = -1;
	if ((p = kvlist_get(kv, name)) == NULL || p->type == KV_NULL)
		return 0;
	if (p->type == KV_STRING && p->val[0] == '\0')
		return 0;
	if (p->type != KV_STRING && p->type != KV_INT)
		goto bad;
	if (strlen(p->val) != p->vallen)
		goto bad;
	v = strtonum_digits(p->val, 0, VP_DURATION_MAX, &errstr);
	if (errstr != NULL)
		goto bad;
	*out = v;
	return 0;
bad:
	snprintf(err, errsz, "%s %s", name, DURATION_RULE);
	return -1;
}

static int
get_session_id(const struct kvlist *kv, const char **out, char *err,
    size_t errsz)
{
	if (get_string(kv, "sessionId", out, err, errsz) == -1)
		return -1;
	if (*out == NULL) {
		snprintf(err, errsz, "sessionId is required");
		return -1;
	}
	if (!valid_session_id(*out)) {
		snprintf(err, errsz, "sessionId must be 1 to %d characters "
		    "of A-Z a-z 0-9 . _ : -, starting with a letter or digit",
		    VP_SESSION_MAX);
		return -1;
	}
	return 0;
}

static enum app_err
normalize_seed(const struct kvlist *kv, struct event *ev, char *err,
    size_t errsz)
{
	const char	*status;

	if (get_session_id(kv, &ev->session_id, err, errsz) == -1)
		return APP_EINVAL;
	if (get_string(kv, "status", &status, err, errsz) == -1)
		return APP_EINVAL;
	if (status == NULL) {
		snprintf(err, errsz, "status is required");
		return APP_EINVAL;
	}
	ev->status = status_from_name(status);
	if (!status_is_terminal(ev->status)) {
		snprintf(err, errsz, "%s", SEED_STATUS_RULE);
		return APP_EINVAL;
	}
	if (get_string(kv, "phoneNumber", &ev->phone_number, err, errsz) ==
	    -1)
		return APP_EINVAL;
	if (ev->phone_number != NULL && !valid_e164(ev->phone_number)) {
		snprintf(err, errsz,
		    "phoneNumber must be E.164: + then 7 to 15 digits");
		return APP_EINVAL;
	}
	if (get_url(kv, "recordingUrl", &ev->recording_url, err, errsz) ==
	    -1)
		return APP_EINVAL;
	if (get_duration(kv, "duration", &ev->duration, err, errsz) == -1)
		return APP_EINVAL;
	return APP_OK;
}

static enum app_err
normalize_at(const struct kvlist *kv, const struct kv *active,
    struct event *ev, char *err, size_t errsz)
{
	const char	*dial;

	/* A string, a JSON integer, or a JSON boolean (val "true"). */
	if ((active->type != KV_STRING && active->type != KV_INT &&
	    active->type != KV_OTHER) ||
	    strlen(active->val) != active->vallen)
		goto bad_active;
	if (strcmp(active->val, "1") == 0 ||
	    strcasecmp(active->val, "true") == 0)
		ev->is_active = 1;
	else if (strcmp(active->val, "0") == 0 ||
	    strcasecmp(active->val, "false") == 0)
		ev->is_active = 0;
	else
		goto bad_active;

	if (get_session_id(kv, &ev->session_id, err, errsz) == -1 ||
	    get_duration(kv, "durationInSeconds", &ev->duration, err,
	    errsz) == -1 ||
	    get_url(kv, "recordingUrl", &ev->recording_url, err, errsz) ==
	    -1 ||
	    get_number(kv, "callerNumber", &ev->caller_number, err,
	    errsz) == -1 ||
	    get_number(kv, "destinationNumber", &ev->destination_number, err,
	    errsz) == -1 ||
	    get_number(kv, "dialDestinationNumber", &dial, err, errsz) ==
	    -1 ||
	    get_text(kv, "direction", VP_SHORT_MAX, &ev->direction, err,
	    errsz) == -1 ||
	    get_text(kv, "hangupCause", VP_SHORT_MAX, &ev->hangup_cause, err,
	    errsz) == -1 ||
	    get_text(kv, "callSessionState", VP_SHORT_MAX,
	    &ev->call_session_state, err, errsz) == -1 ||
	    get_text(kv, "amount", VP_SHORT_MAX, &ev->amount, err,
	    errsz) == -1 ||
	    get_text(kv, "currencyCode", VP_SHORT_MAX, &ev->currency_code,
	    err, errsz) == -1 ||
	    get_text(kv, "callStartTime", VP_SHORT_MAX,
	    &ev->call_start_time, err, errsz) == -1 ||
	    get_text(kv, "dtmfDigits", VP_SHORT_MAX, &ev->dtmf_digits, err,
	    errsz) == -1)
		return APP_EINVAL;
	if (ev->call_start_time != NULL &&
	    (strcmp(ev->call_start_time, "None") == 0 ||
	    ev->call_start_time[0] == '\0'))
		ev->call_start_time = NULL;
	/* A day of slack: the time carries no zone. */
	if (ev->call_start_time != NULL &&
	    !valid_at_time(ev->call_start_time,
	    (int64_t)time(NULL) + 86400)) {
		snprintf(err, errsz, "callStartTime must be a past time as "
		    "YYYY-MM-DD HH:MM:SS, or None");
		return APP_EINVAL;
	}
	if (ev->amount != NULL && ev->amount[0] != '\0' &&
	    !valid_amount(ev->amount)) {
		snprintf(err, errsz, "amount must be a decimal number such "
		    "as 7.4800");
		return APP_EINVAL;
	}
	if (ev->currency_code != NULL && ev->currency_code[0] != '\0' &&
	    !valid_currency(ev->currency_code)) {
		snprintf(err, errsz, "currencyCode must be three capital "
		    "letters such as KES");
		return APP_EINVAL;
	}
	ev->status = ev->is_active ? ST_IN_PROGRESS :
	    at_status(ev->hangup_cause, ev->call_session_state);
	return APP_OK;
bad_active:
	snprintf(err, errsz, "isActive must be 1 or 0");
	return APP_EINVAL;
}

/*
 * Builds ev from kv (see extern.h). ev borrows strings from kv.
 * Returns APP_OK, or APP_EINVAL with err naming the field and the rule.
 */
enum app_err
event_normalize(const struct kvlist *kv, struct event *ev, char *err,
    size_t errsz)
{
	const struct kv	*active;

	memset(ev, 0, sizeof(*ev));
	ev->duration = -1;
	if (errsz > 0)
		err[0] = '\0';
	if ((active = kvlist_get(kv, "isActive")) != NULL) {
		ev->dialect = DIALECT_AT;
		return normalize_at(kv, active, ev, err, errsz);
	}
	ev->dialect = DIALECT_SEED;
	return normalize_seed(kv, ev, err, errsz);
}
