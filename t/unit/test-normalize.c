/*
 * test-normalize.c: both payload dialects into one event (normalize.c),
 * the AT status mapping, every fixture. HARDENING 6.C 26 and 36.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extern.h"
#include "tap.h"

static char		 err[256];
static struct kvlist	 kv;
static struct event	 ev;

/* Parses a form body and normalises it; the event borrows from kv. */
static enum app_err
norm_form(const char *body)
{
	enum app_err	 e;

	kvlist_clear(&kv);
	if ((e = form_parse(body, strlen(body), &kv, err, sizeof(err))) !=
	    APP_OK) {
		diag("form_parse failed: %s", err);
		return APP_ESYSTEM;
	}
	return event_normalize(&kv, &ev, err, sizeof(err));
}

static enum app_err
norm_json(const char *body)
{
	enum app_err	 e;

	kvlist_clear(&kv);
	if ((e = json_parse_object(body, strlen(body), &kv, err,
	    sizeof(err))) != APP_OK) {
		diag("json_parse_object failed: %s", err);
		return APP_ESYSTEM;
	}
	return event_normalize(&kv, &ev, err, sizeof(err));
}

static enum app_err
norm_fixture(const char *name)
{
	enum app_err	 e;
	char		*body;
	size_t		 len;

	kvlist_clear(&kv);
	if ((body = tap_slurp(name, &len)) == NULL) {
		diag("cannot read fixture %s", name);
		return APP_ESYSTEM;
	}
	e = form_parse(body, len, &kv, err, sizeof(err));
	free(body);
	if (e != APP_OK)
		return APP_ESYSTEM;
	return event_normalize(&kv, &ev, err, sizeof(err));
}

/* Expects body (form) to be refused with a message equal to want. */
#define RULE_TAIL	", starting with a letter or digit"

static void
refuse_form(const char *body, const char *want, const char *name)
{
	enum app_err	 e;

	e = norm_form(body);
	ok(e == APP_EINVAL && strcmp(err, want) == 0, "%s (\"%s\")", name,
	    err);
}

/* Expects body (JSON) to be refused with a message containing want. */
static void
refuse_json(const char *body, const char *want, const char *name)
{
	enum app_err	 e;

	e = norm_json(body);
	ok(e == APP_EINVAL && strstr(err, want) != NULL, "%s (\"%s\")", name,
	    err);
}

static void
test_status_names(void)
{
	static const char *const names[] = { "in-progress", "completed",
	    "failed", "busy", "no-answer", "rejected" };
	int	 i;

	for (i = ST_IN_PROGRESS; i < ST__MAX; i++) {
		is_str(status_name(i), names[i - 1], names[i - 1]);
		is_int(status_from_name(names[i - 1]), i, "from_name round trip");
	}
	is_int(status_from_name("Completed"), ST_NONE, "from_name exact case");
	is_int(status_from_name("none"), ST_NONE, "from_name none");
	is_int(status_from_name(""), ST_NONE, "from_name empty");
	is_int(status_from_name(NULL), ST_NONE, "from_name NULL");
	ok(status_name(ST_NONE) != NULL && status_name(ST__MAX) != NULL,
	    "status_name never NULL");
	ok(!status_is_terminal(ST_NONE), "ST_NONE not terminal");
	ok(!status_is_terminal(ST_IN_PROGRESS), "in-progress not terminal");
	for (i = ST_COMPLETED; i < ST__MAX; i++)
		ok(status_is_terminal(i), "%s terminal", status_name(i));
	ok(!status_is_terminal(ST__MAX), "ST__MAX not terminal");
}

static void
test_at_status(void)
{
	static const struct {
		const char		*cause, *state;
		enum call_status	 want;
	} t[] = {
		{ "NORMAL_CLEARING", "Completed", ST_COMPLETED },
		{ "NORMAL_CLEARING", NULL, ST_COMPLETED },
		{ "NORMAL_CLEARING", "NotAnswered", ST_COMPLETED },
		{ "normal_clearing", NULL, ST_COMPLETED },
		{ "USER_BUSY", "NotAnswered", ST_BUSY },
		{ "NO_ANSWER", "NotAnswered", ST_NO_ANSWER },
		{ "NO_USER_RESPONSE", NULL, ST_NO_ANSWER },
		{ "ORIGINATOR_CANCEL", NULL, ST_NO_ANSWER },
		{ "CALL_REJECTED", "NotAnswered", ST_REJECTED },
		{ "NORMAL_TEMPORARY_FAILURE", NULL, ST_FAILED },
		{ "RECOVERY_ON_TIMER_EXPIRE", NULL, ST_FAILED },
		{ "LOSE_RACE", NULL, ST_FAILED },
		{ "SUBSCRIBER_ABSENT", "NotAnswered", ST_FAILED },
		{ "SERVICE_UNAVAILABLE", NULL, ST_FAILED },
		{ "USER_NOT_REGISTERED", NULL, ST_FAILED },
		{ "UNALLOCATED_NUMBER", NULL, ST_FAILED },
		{ "UNSPECIFIED", NULL, ST_FAILED },
		{ "SOMETHING_NEW", "Completed", ST_FAILED },
		{ NULL, "Completed", ST_COMPLETED },
		{ "", "Completed", ST_COMPLETED },
		{ NULL, "completed", ST_COMPLETED },
		{ NULL, "NotAnswered", ST_FAILED },
		{ NULL, "Active", ST_FAILED },
		{ "", "", ST_FAILED },
		{ NULL, NULL, ST_FAILED },
	};
	size_t	 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		ok(at_status(t[i].cause, t[i].state) == t[i].want,
		    "at_status(%s, %s) = %s", t[i].cause ? t[i].cause : "NULL",
		    t[i].state ? t[i].state : "NULL", status_name(t[i].want));
}

static void
test_at_fixtures(void)
{
	static const struct {
		const char		*file;
		int			 active;
		enum call_status	 status;
		long long		 duration;
		const char		*url;
	} t[] = {
		{ "at/01-inbound-start.form", 1, ST_IN_PROGRESS, -1, NULL },
		{ "at/02-outbound-answered.form", 1, ST_IN_PROGRESS, -1, NULL },
		{ "at/04-dtmf-single.form", 1, ST_IN_PROGRESS, -1, NULL },
		{ "at/06-partial-record.form", 1, ST_IN_PROGRESS, -1,
		    "https://recordings.example-at.test/voice/3f9a1c0d.mp3" },
		{ "at/07-final-completed-recorded.form", 0, ST_COMPLETED, 187,
		    "https://recordings.example-at.test/voice/"
		    "3f9a1c0d-full.mp3" },
		{ "at/09-final-no-answer.form", 0, ST_NO_ANSWER, 0, NULL },
		{ "at/10-final-busy.form", 0, ST_BUSY, 0, NULL },
		{ "at/11-final-rejected.form", 0, ST_REJECTED, 0, NULL },
		{ "at/12-final-absent-ugx.form", 0, ST_FAILED, 0, NULL },
		{ "at/13-final-unallocated.form", 0, ST_FAILED, 0, NULL },
		{ "at/16-final-minimal.form", 0, ST_COMPLETED, 42, NULL },
		{ "at/20-final-busy-redelivery.form", 0, ST_BUSY, 0, NULL },
	};
	size_t	 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (!is_int(norm_fixture(t[i].file), APP_OK, t[i].file))
			diag("%s", err);
		ok(ev.dialect == DIALECT_AT && ev.is_active == t[i].active,
		    "%s: AT dialect, isActive %d", t[i].file, t[i].active);
		ok(ev.status == t[i].status, "%s: status %s (got %s)",
		    t[i].file, status_name(t[i].status),
		    status_name(ev.status));
		ok(ev.duration == t[i].duration, "%s: duration %lld (got %lld)",
		    t[i].file, t[i].duration, ev.duration);
		is_str(ev.recording_url, t[i].url, "recording_url");
		ok(ev.session_id != NULL && valid_session_id(ev.session_id),
		    "%s: session id", t[i].file);
	}

	norm_fixture("at/07-final-completed-recorded.form");
	is_str(ev.session_id, "ATVId_3f9a1c0d5e7b4a2c8d6e0f1a2b3c4d5e",
	    "07: session id");
	is_str(ev.caller_number, "+254700000001", "07: callerNumber");
	is_str(ev.destination_number, "+254700000100", "07: destinationNumber");
	is_str(ev.direction, "Inbound", "07: direction");
	is_str(ev.hangup_cause, "NORMAL_CLEARING", "07: hangupCause");
	is_str(ev.call_session_state, "Completed", "07: callSessionState");
	is_str(ev.amount, "7.4800", "07: amount");
	is_str(ev.currency_code, "KES", "07: currencyCode");
	is_str(ev.call_start_time, "2024-05-14 09:12:03", "07: callStartTime");
	ok(ev.phone_number == NULL, "07: no seed phoneNumber");
	ok(ev.dtmf_digits == NULL, "07: no dtmfDigits");

	norm_fixture("at/04-dtmf-single.form");
	is_str(ev.dtmf_digits, "2", "04: dtmfDigits");
	ok(ev.hangup_cause == NULL, "04: no hangupCause");

	norm_fixture("at/09-final-no-answer.form");
	ok(ev.call_start_time == NULL, "09: callStartTime None -> NULL");
	is_str(ev.amount, "0", "09: amount 0");

	norm_fixture("at/16-final-minimal.form");
	ok(ev.caller_number == NULL && ev.direction == NULL &&
	    ev.amount == NULL && ev.currency_code == NULL &&
	    ev.call_start_time == NULL, "16: absent fields are NULL");
}

static void
test_seed_fixtures(void)
{
	is_int(norm_fixture("seed/completed.form"), APP_OK, "seed completed");
	ok(ev.dialect == DIALECT_SEED && !ev.is_active, "seed dialect");
	is_int(ev.status, ST_COMPLETED, "seed completed: status");
	is_int(ev.duration, 420, "seed completed: duration");
	is_str(ev.session_id, "ATVoice_a1b2c3d4e5f6", "seed completed: id");
	is_str(ev.phone_number, "+254712345678", "seed completed: phone");
	is_str(ev.recording_url,
	    "https://voice.africastalking.com/recordings/a1b2c3d4e5f6.mp3",
	    "seed completed: url");
	ok(ev.caller_number == NULL, "seed: no AT fields");

	is_int(norm_fixture("seed/no-answer.form"), APP_OK, "seed no-answer");
	is_int(ev.status, ST_NO_ANSWER, "seed no-answer: status");
	is_int(ev.duration, -1, "seed no-answer: no duration");
	ok(ev.recording_url == NULL, "seed no-answer: no url");

	is_int(norm_fixture("seed/local-test.form"), APP_OK, "seed local-test");
	is_str(ev.session_id, "test_session_123", "local-test: id");
	is_int(ev.status, ST_COMPLETED, "local-test: status");
	is_int(ev.duration, 300, "local-test: duration");

	{
		char	*body;
		size_t	 len;

		kvlist_clear(&kv);
		body = tap_slurp("seed/completed.json", &len);
		ok(body != NULL && json_parse_object(body, len, &kv, err,
		    sizeof(err)) == APP_OK, "completed.json parses");
		free(body);
		is_int(event_normalize(&kv, &ev, err, sizeof(err)), APP_OK,
		    "completed.json normalises");
		ok(ev.status == ST_COMPLETED && ev.duration == 420 &&
		    strcmp(ev.session_id, "ATVoice_a1b2c3d4e5f6") == 0 &&
		    strcmp(ev.recording_url, "https://voice.africastalking.com/"
		    "recordings/a1b2c3d4e5f6.mp3") == 0 &&
		    strcmp(ev.phone_number, "+254712345678") == 0,
		    "completed.json: same event as completed.form");
	}
}

static void
test_seed_rules(void)
{
	static const char *const st[] = { "completed", "failed", "busy",
	    "no-answer", "rejected" };
	char	 b[512];
	size_t	 i;

	for (i = 0; i < 5; i++) {
		snprintf(b, sizeof(b), "sessionId=s1&status=%s", st[i]);
		is_int(norm_form(b), APP_OK, st[i]);
		is_int(ev.status, status_from_name(st[i]), "status mapped");
	}
	refuse_form("sessionId=s1&status=unknown", "status must be one of "
	    "completed, failed, busy, no-answer, rejected", "status unknown");
	refuse_form("sessionId=s1&status=in-progress", "status must be one "
	    "of completed, failed, busy, no-answer, rejected",
	    "seed status in-progress");
	refuse_form("sessionId=s1&status=Completed", "status must be one of "
	    "completed, failed, busy, no-answer, rejected",
	    "status is case-sensitive");
	refuse_form("sessionId=s1&status=completed+", "status must be one of "
	    "completed, failed, busy, no-answer, rejected",
	    "status with trailing space");
	refuse_form("sessionId=s1", "status is required", "status missing");
	refuse_form("sessionId=s1&status=", "status is required",
	    "status empty");
	refuse_form("status=completed", "sessionId is required",
	    "sessionId missing");
	refuse_form("sessionId=&status=completed", "sessionId is required",
	    "sessionId empty");
	refuse_form("sessionId=a+b&status=completed", "sessionId must be 1 "
	    "to 128 characters of A-Z a-z 0-9 . _ : -" RULE_TAIL,
	    "sessionId space");
	memset(b, 0, sizeof(b));
	strcpy(b, "status=completed&sessionId=");
	memset(b + strlen(b), 'x', 129);
	refuse_form(b, "sessionId must be 1 to 128 characters of A-Z a-z 0-9 "
	    ". _ : -" RULE_TAIL, "sessionId over the length limit (36)");

	refuse_form("sessionId=s1&status=completed&phoneNumber=+15551234567",
	    "phoneNumber must be E.164: + then 7 to 15 digits",
	    "unencoded '+' in phoneNumber is refused (26)");
	refuse_form("sessionId=s1&status=completed&phoneNumber=0712345678",
	    "phoneNumber must be E.164: + then 7 to 15 digits",
	    "phoneNumber national format");
	is_int(norm_form("sessionId=s1&status=completed&phoneNumber="
	    "%2B15551234567"), APP_OK, "phoneNumber %%2B accepted");
	is_str(ev.phone_number, "+15551234567", "phoneNumber stored");
	is_int(norm_form("sessionId=s1&status=completed&phoneNumber="),
	    APP_OK, "empty phoneNumber = absent");
	ok(ev.phone_number == NULL, "empty phoneNumber is NULL");

	refuse_form("sessionId=s1&status=completed&recordingUrl="
	    "javascript:alert(1)", "recordingUrl must be an absolute http or "
	    "https URL of at most 2048 bytes", "javascript: URL (36)");
	refuse_form("sessionId=s1&status=completed&recordingUrl=/a.mp3",
	    "recordingUrl must be an absolute http or https URL of at most "
	    "2048 bytes", "relative URL");
	is_int(norm_form("sessionId=s1&status=completed&recordingUrl="),
	    APP_OK, "empty recordingUrl = absent");
	ok(ev.recording_url == NULL, "empty recordingUrl is NULL");

	is_int(norm_form("sessionId=s1&status=completed&duration=0"), APP_OK,
	    "duration 0");
	is_int(ev.duration, 0, "duration 0 kept");
	is_int(norm_form("sessionId=s1&status=completed&duration=86400"),
	    APP_OK, "duration 86400");
	is_int(norm_form("sessionId=s1&status=completed&duration="), APP_OK,
	    "empty duration = absent");
	is_int(ev.duration, -1, "empty duration is -1");
	refuse_form("sessionId=s1&status=completed&duration=86401",
	    "duration must be an integer from 0 to 86400", "duration too big");
	refuse_form("sessionId=s1&status=completed&duration=-1",
	    "duration must be an integer from 0 to 86400", "negative duration");
	refuse_form("sessionId=s1&status=completed&duration=1.5",
	    "duration must be an integer from 0 to 86400", "fractional");
	refuse_form("sessionId=s1&status=completed&duration=+5",
	    "duration must be an integer from 0 to 86400", "' 5'");
	refuse_form("sessionId=s1&status=completed&duration=9999999999999999999"
	    "9999", "duration must be an integer from 0 to 86400", "absurd");
	refuse_form("sessionId=s1&status=completed&duration=abc",
	    "duration must be an integer from 0 to 86400", "not a number");

	is_int(norm_form("sessionId=s1&status=failed&extra=1&isactive=1&"
	    "callerNumber=x+y"), APP_OK, "unknown fields ignored (seed)");
	ok(ev.dialect == DIALECT_SEED && ev.caller_number == NULL,
	    "isactive (wrong case) does not select AT");
}

static void
test_json_types(void)
{
	is_int(norm_json("{\"sessionId\":\"s1\",\"status\":\"completed\","
	    "\"duration\":12}"), APP_OK, "JSON duration integer");
	is_int(ev.duration, 12, "JSON 12");
	is_int(norm_json("{\"sessionId\":\"s1\",\"status\":\"completed\","
	    "\"duration\":\"12\"}"), APP_OK, "JSON duration digit string");
	is_int(ev.duration, 12, "JSON \"12\"");
	refuse_json("{\"sessionId\":\"s1\",\"status\":\"completed\","
	    "\"duration\":\"1x\"}", "duration must be an integer",
	    "JSON duration non-digit string");
	refuse_json("{\"sessionId\":\"s1\",\"status\":\"completed\","
	    "\"duration\":1.5}", "duration must be an integer",
	    "JSON duration float");
	refuse_json("{\"sessionId\":\"s1\",\"status\":\"completed\","
	    "\"duration\":true}", "duration must be an integer",
	    "JSON duration bool");
	refuse_json("{\"sessionId\":\"s1\",\"status\":\"completed\","
	    "\"duration\":-3}", "duration must be an integer",
	    "JSON duration negative");
	refuse_json("{\"sessionId\":\"s1\",\"status\":\"completed\","
	    "\"duration\":[1]}", "duration must be an integer",
	    "JSON duration array");
	is_int(norm_json("{\"sessionId\":\"s1\",\"status\":\"completed\","
	    "\"duration\":null,\"recordingUrl\":null,\"phoneNumber\":null}"),
	    APP_OK, "JSON null optional fields = absent");
	ok(ev.duration == -1 && ev.recording_url == NULL &&
	    ev.phone_number == NULL, "nulls are absent");
	refuse_json("{\"sessionId\":12,\"status\":\"completed\"}",
	    "sessionId must be a string", "sessionId as number (36)");
	refuse_json("{\"sessionId\":{\"a\":1},\"status\":\"completed\"}",
	    "sessionId must be a string", "sessionId as object");
	refuse_json("{\"sessionId\":null,\"status\":\"completed\"}",
	    "sessionId is required", "sessionId null");
	refuse_json("{\"sessionId\":\"s1\",\"status\":1}",
	    "status must be a string", "status as number");
	refuse_json("{\"sessionId\":\"s1\",\"status\":\"completed\","
	    "\"phoneNumber\":254712345678}", "phoneNumber must be a string",
	    "phoneNumber as number");
	refuse_json("{\"sessionId\":\"s1\",\"status\":\"completed\","
	    "\"recordingUrl\":[\"https://a/\"]}",
	    "recordingUrl must be a string", "recordingUrl as array");
	kvlist_clear(&kv);
	is_int(json_parse_object("{\"sessionId\":\"s1\",\"status\":"
	    "\"completed\",\"phoneNumber\":\"+2547\\n12345678\"}", 71, &kv,
	    err, sizeof(err)), APP_EINVAL,
	    "escaped newline in phoneNumber: refused by the JSON layer");
	is_str(err, "control character in the member phoneNumber",
	    "the error names the member");
	is_int(norm_json("{\"sessionId\":\"s1\",\"status\":\"busy\","
	    "\"whatever\":{\"deep\":[1,2,{}]}}"), APP_OK,
	    "JSON unknown nested field ignored");
	is_int(norm_json("{\"isActive\":\"1\",\"sessionId\":\"s1\"}"), APP_OK,
	    "JSON AT dialect");
	is_int(norm_json("{\"isActive\":1,\"sessionId\":\"s1\","
	    "\"durationInSeconds\":5}"), APP_OK, "JSON isActive integer 1");
	ok(ev.is_active == 1 && ev.duration == 5, "integer isActive/duration");
	is_int(norm_json("{\"isActive\":false,\"sessionId\":\"s1\","
	    "\"hangupCause\":\"NORMAL_CLEARING\"}"), APP_OK,
	    "JSON isActive boolean false (AT-CALLBACKS: tolerate it)");
	ok(ev.is_active == 0 && ev.status == ST_COMPLETED,
	    "boolean false: a final notification");
	is_int(norm_json("{\"isActive\":true,\"sessionId\":\"s1\"}"), APP_OK,
	    "JSON isActive boolean true");
	ok(ev.is_active == 1, "boolean true: live");
	refuse_json("{\"isActive\":{},\"sessionId\":\"s1\"}",
	    "isActive must be 1 or 0", "JSON isActive object");
	refuse_json("{\"isActive\":null,\"sessionId\":\"s1\"}",
	    "isActive must be 1 or 0", "JSON isActive null");
	refuse_json("{\"isActive\":\"0\",\"sessionId\":\"s1\","
	    "\"callerNumber\":254700000001}", "callerNumber must be a string",
	    "JSON callerNumber as number");
}

static void
test_at_rules(void)
{
	char	 b[512];

	is_int(norm_form("isActive=1&sessionId=s"), APP_OK, "isActive=1");
	ok(ev.is_active && ev.status == ST_IN_PROGRESS, "-> in-progress");
	is_int(norm_form("isActive=true&sessionId=s"), APP_OK, "isActive=true");
	ok(ev.is_active, "true is active");
	is_int(norm_form("isActive=TRUE&sessionId=s"), APP_OK, "isActive=TRUE");
	is_int(norm_form("isActive=False&sessionId=s&hangupCause=USER_BUSY"),
	    APP_OK, "isActive=False");
	ok(!ev.is_active && ev.status == ST_BUSY, "False is final, busy");
	is_int(norm_form("isActive=1&sessionId=s&hangupCause=USER_BUSY"),
	    APP_OK, "live request with a cause");
	is_int(ev.status, ST_IN_PROGRESS, "isActive=1 wins over the cause");
	refuse_form("isActive=2&sessionId=s", "isActive must be 1 or 0",
	    "isActive=2");
	refuse_form("isActive=&sessionId=s", "isActive must be 1 or 0",
	    "isActive empty");
	refuse_form("isActive=yes&sessionId=s", "isActive must be 1 or 0",
	    "isActive=yes");
	refuse_form("isActive=01&sessionId=s", "isActive must be 1 or 0",
	    "isActive=01");
	refuse_form("isActive=+1&sessionId=s", "isActive must be 1 or 0",
	    "isActive=' 1'");
	refuse_form("isActive=0", "sessionId is required", "AT no sessionId");
	refuse_form("isActive=0&sessionId=a/b", "sessionId must be 1 to 128 "
	    "characters of A-Z a-z 0-9 . _ : -" RULE_TAIL, "AT bad sessionId");

	is_int(norm_form("isActive=0&sessionId=s&durationInSeconds="), APP_OK,
	    "empty durationInSeconds");
	is_int(ev.duration, -1, "empty durationInSeconds is -1");
	refuse_form("isActive=0&sessionId=s&durationInSeconds=-5",
	    "durationInSeconds must be an integer from 0 to 86400",
	    "negative durationInSeconds");
	refuse_form("isActive=0&sessionId=s&durationInSeconds=86401",
	    "durationInSeconds must be an integer from 0 to 86400",
	    "absurd durationInSeconds");
	refuse_form("isActive=0&sessionId=s&durationInSeconds=1e3",
	    "durationInSeconds must be an integer from 0 to 86400",
	    "exponent durationInSeconds");

	is_int(norm_form("isActive=0&sessionId=s&recordingUrl="), APP_OK,
	    "empty recordingUrl (AT: nothing recorded)");
	ok(ev.recording_url == NULL, "empty recordingUrl is NULL");
	refuse_form("isActive=0&sessionId=s&recordingUrl=javascript%3Aalert"
	    "(1)", "recordingUrl must be an absolute http or https URL of at "
	    "most 2048 bytes", "AT javascript: URL");

	is_int(norm_form("isActive=1&sessionId=s&callerNumber=agent%40ke.sip."
	    "africastalking.com&destinationNumber=app.agent"), APP_OK,
	    "SIP address and client id accepted");
	is_str(ev.caller_number, "agent@ke.sip.africastalking.com", "SIP");
	is_str(ev.destination_number, "app.agent", "client id");
	refuse_form("isActive=1&sessionId=s&callerNumber=+254700000001",
	    "callerNumber must not contain spaces (send '+' as %2B)",
	    "unencoded '+' in callerNumber (26)");
	refuse_form("isActive=0&sessionId=s&dialDestinationNumber=+2547",
	    "dialDestinationNumber must not contain spaces (send '+' as %2B)",
	    "unencoded '+' in dialDestinationNumber");
	memset(b, 0, sizeof(b));
	strcpy(b, "isActive=1&sessionId=s&callerNumber=");
	memset(b + strlen(b), '1', 129);
	refuse_form(b, "callerNumber must be printable UTF-8 text of at most "
	    "128 bytes", "callerNumber too long");
	memset(b, 0, sizeof(b));
	strcpy(b, "isActive=0&sessionId=s&hangupCause=");
	memset(b + strlen(b), 'X', 65);
	refuse_form(b, "hangupCause must be printable UTF-8 text of at most "
	    "64 bytes", "hangupCause too long");
	kvlist_clear(&kv);
	is_int(form_parse("isActive=0&sessionId=s&direction=In%C2%85bound",
	    46, &kv, err, sizeof(err)), APP_EINVAL,
	    "C1 control in direction: refused by the form layer");
	is_int(norm_form("isActive=0&sessionId=s&direction=&hangupCause=&"
	    "callSessionState=Completed"), APP_OK, "empty texts = absent");
	ok(ev.direction == NULL && ev.hangup_cause == NULL &&
	    ev.status == ST_COMPLETED, "empty cause: state decides");
	is_int(norm_form("isActive=0&sessionId=s&callStartTime=None"), APP_OK,
	    "callStartTime None");
	ok(ev.call_start_time == NULL, "None -> NULL");
	refuse_form("isActive=0&sessionId=s&callStartTime=none",
	    "callStartTime must be a past time as YYYY-MM-DD HH:MM:SS, or None",
	    "callStartTime none (lowercase): only the literal None");
	refuse_form("isActive=0&sessionId=s&callStartTime=yesterday",
	    "callStartTime must be a past time as YYYY-MM-DD HH:MM:SS, or None",
	    "callStartTime not a time");
	refuse_form("isActive=0&sessionId=s&callStartTime=2099-01-01+00%3A00%3A00",
	    "callStartTime must be a past time as YYYY-MM-DD HH:MM:SS, or None",
	    "callStartTime in the future");
	refuse_form("isActive=0&sessionId=s&callStartTime=2024-02-30+00%3A00%3A00",
	    "callStartTime must be a past time as YYYY-MM-DD HH:MM:SS, or None",
	    "callStartTime not a calendar date");
	is_int(norm_form("isActive=0&sessionId=s&callStartTime=2024-02-29+23%3A59%3A59"),
	    APP_OK, "callStartTime on a leap day");
	refuse_form("isActive=0&sessionId=s&amount=lots",
	    "amount must be a decimal number such as 7.4800", "amount not a number");
	refuse_form("isActive=0&sessionId=s&amount=-1",
	    "amount must be a decimal number such as 7.4800", "negative amount");
	is_int(norm_form("isActive=0&sessionId=s&amount=0"), APP_OK, "amount 0");
	refuse_form("isActive=0&sessionId=s&currencyCode=%3Cscript%3E",
	    "currencyCode must be three capital letters such as KES",
	    "currencyCode not a code");
	refuse_form("isActive=0&sessionId=..&status=completed",
	    "sessionId must be 1 to 128 characters of A-Z a-z 0-9 . _ : -, "
	    "starting with a letter or digit", "sessionId ..");
	is_int(norm_form("isActive=0&sessionId=s&dtmfDigits=12%23%2A"), APP_OK,
	    "dtmfDigits with # and *");
	is_str(ev.dtmf_digits, "12#*", "dtmfDigits kept");
	is_int(norm_form("isActive=0&sessionId=s&status=Success&phoneNumber=x&"
	    "duration=zz&newField=1&dialDurationInSeconds=abc"), APP_OK,
	    "AT: seed fields and unknown fields ignored");
	ok(ev.phone_number == NULL && ev.duration == -1 &&
	    ev.status == ST_FAILED, "AT: seed status/duration/phone unused");
	is_int(norm_form("sessionId=s&isActive=0&durationinSeconds=9"), APP_OK,
	    "durationinSeconds (wrong case) is unknown");
	is_int(ev.duration, -1, "wrong-case field ignored");
}

int
main(void)
{
	test_status_names();
	test_at_status();
	test_at_fixtures();
	test_seed_fixtures();
	test_seed_rules();
	test_json_types();
	test_at_rules();
	kvlist_clear(&kv);
	return done_testing();
}
