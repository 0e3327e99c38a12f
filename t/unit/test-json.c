/*
 * test-json.c: strict JSON request parsing and the response builders
 * (json.c). HARDENING 6.C 27-33.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extern.h"
#include "tap.h"

static char	 err[256];

static enum app_err
parse(const char *s, struct kvlist *kv)
{
	kvlist_clear(kv);
	return json_parse_object(s, strlen(s), kv, err, sizeof(err));
}

/* Expects s to be refused with e and a message containing want. */
static void
refuse(const char *s, enum app_err e, const char *want, const char *name)
{
	struct kvlist	 kv = { NULL, 0, 0 };
	enum app_err	 got;

	got = parse(s, &kv);
	ok(got == e && kv.n == 0 && (want == NULL ||
	    strstr(err, want) != NULL), "%s (got %d, \"%s\")", name,
	    (int)got, err);
	kvlist_clear(&kv);
}

static void
test_accept(void)
{
	struct kvlist	 kv = { NULL, 0, 0 };
	const struct kv	*p;

	is_int(parse("{\"s\":\"x\",\"i\":42,\"n\":null,\"f\":1.5,\"t\":true,"
	    "\"o\":{\"a\":1},\"a\":[1,2],\"neg\":-7,\"big\":"
	    "9223372036854775807,\"small\":-9223372036854775808,"
	    "\"u\":\"caf\\u00e9 \\ud83d\\udcde\",\"e\":\"\"}", &kv), APP_OK,
	    "types: parses");
	is_int(kv.n, 12, "types: 12 members");
	p = kvlist_get(&kv, "s");
	ok(p && p->type == KV_STRING && strcmp(p->val, "x") == 0 &&
	    p->vallen == 1, "string -> KV_STRING");
	p = kvlist_get(&kv, "i");
	ok(p && p->type == KV_INT && strcmp(p->val, "42") == 0,
	    "int -> KV_INT \"42\"");
	p = kvlist_get(&kv, "neg");
	ok(p && p->type == KV_INT && strcmp(p->val, "-7") == 0,
	    "negative int text");
	p = kvlist_get(&kv, "big");
	ok(p && p->type == KV_INT &&
	    strcmp(p->val, "9223372036854775807") == 0, "INT64_MAX accepted");
	p = kvlist_get(&kv, "small");
	ok(p && p->type == KV_INT &&
	    strcmp(p->val, "-9223372036854775808") == 0, "INT64_MIN accepted");
	p = kvlist_get(&kv, "n");
	ok(p && p->type == KV_NULL && p->val[0] == '\0', "null -> KV_NULL");
	p = kvlist_get(&kv, "f");
	ok(p && p->type == KV_OTHER && p->val[0] == '\0', "float -> KV_OTHER");
	p = kvlist_get(&kv, "t");
	ok(p && p->type == KV_OTHER, "bool -> KV_OTHER");
	p = kvlist_get(&kv, "o");
	ok(p && p->type == KV_OTHER, "object -> KV_OTHER");
	p = kvlist_get(&kv, "a");
	ok(p && p->type == KV_OTHER, "array -> KV_OTHER");
	p = kvlist_get(&kv, "u");
	ok(p && strcmp(p->val, "caf\xc3\xa9 \xf0\x9f\x93\x9e") == 0,
	    "escapes and surrogate pair decoded");
	p = kvlist_get(&kv, "e");
	ok(p && p->type == KV_STRING && p->vallen == 0, "empty string");

	is_int(parse("{}", &kv), APP_OK, "empty object");
	is_int(kv.n, 0, "empty object: no pairs");
	is_int(parse(" \t\r\n{\"a\":1}\n\t \r\n", &kv), APP_OK,
	    "surrounding whitespace allowed");
	is_int(parse("{\"a\":{\"a\":{\"a\":1}},\"b\":[{\"a\":1},{\"a\":2}]}",
	    &kv), APP_OK, "same key in different objects is fine");
	is_int(parse("{\"a\":\"x\\\"y\\\\z\\/\"}", &kv), APP_OK,
	    "escaped quote, backslash, slash");
	is_str(kvlist_get(&kv, "a")->val, "x\"y\\z/", "escapes decoded");
	is_int(parse("{\"a\":\"\\u0001\"}", &kv), APP_EINVAL,
	    "escaped control char in a value: 400 (HARDENING 25)");
	is_int(parse("{\"a\\u0085\":\"x\"}", &kv), APP_EINVAL,
	    "escaped C1 control char in a key: 400");
	is_int(parse("{\"a\":true}", &kv), APP_OK, "boolean member");
	is_str(kvlist_get(&kv, "a")->val, "true", "boolean kept as true");
	is_int(parse("{\"k\":\"{\\\":\\\"}\",\"x\":\"[,:]\"}", &kv), APP_OK,
	    "structural characters inside strings do not count");
	is_int(parse("{\"a\":1e3,\"b\":-0.5E-2,\"c\":0,\"d\":-0}", &kv),
	    APP_OK, "numbers");
	is_int(parse("{\"a\":1e-400}", &kv), APP_OK, "underflow to 0 is finite");
	kvlist_clear(&kv);
}

static void
test_refuse(void)
{
	char	 buf[1200];
	int	 i;

	/* 33: top level not an object, empty bodies */
	refuse("", APP_EEMPTY, NULL, "empty body");
	refuse(" \n\t\r ", APP_EEMPTY, NULL, "whitespace only");
	refuse("[1]", APP_EINVAL, "body must be a JSON object", "array");
	refuse("\"s\"", APP_EINVAL, "body must be a JSON object", "string");
	refuse("42", APP_EINVAL, "body must be a JSON object", "number");
	refuse("null", APP_EINVAL, "body must be a JSON object", "null");
	refuse("true", APP_EINVAL, "body must be a JSON object", "true");
	refuse("{", APP_EINVAL, "malformed", "truncated object");
	refuse("{\"a\":", APP_EINVAL, "malformed", "truncated member");
	refuse("{\"a\":\"x", APP_EINVAL, "malformed", "unterminated string");

	/* 27: duplicate keys at any depth */
	refuse("{\"a\":1,\"a\":2}", APP_EAMBIG, "\"a\"", "duplicate key");
	refuse("{\"a\":1,\"b\":2,\"a\":1}", APP_EAMBIG, "duplicate",
	    "duplicate key, same value");
	refuse("{\"o\":{\"x\":1,\"x\":2}}", APP_EAMBIG, "\"x\"",
	    "duplicate nested");
	refuse("{\"o\":[1,{\"y\":{\"z\":1,\"z\":1}}]}", APP_EAMBIG, "\"z\"",
	    "duplicate deep in array");
	refuse("{\"a\":{\"p\":1},\"b\":{\"q\":1,\"q\":2}}", APP_EAMBIG, "\"q\"",
	    "duplicate in second object");
	refuse("{\"a\":1,\"\\u0061\":2}", APP_EAMBIG, "duplicate",
	    "duplicate through an escape");
	refuse("{\"sessionId\":\"a\",\"sessionId\":\"b\"}", APP_EAMBIG,
	    "\"sessionId\"", "duplicate sessionId");
	refuse("{\"a\":{\"k\":1},\"a\":{\"k\":1,\"k\":2}}", APP_EAMBIG,
	    "duplicate", "duplicate objects with inner duplicate");

	/* 28: nesting */
	strcpy(buf, "{\"a\":");
	for (i = 0; i < 31; i++)
		strcat(buf, "[");
	for (i = 0; i < 31; i++)
		strcat(buf, "]");
	strcat(buf, "}");
	{
		struct kvlist	 kv = { NULL, 0, 0 };

		is_int(parse(buf, &kv), APP_OK, "32 levels accepted");
		kvlist_clear(&kv);
	}
	strcpy(buf, "{\"a\":");
	for (i = 0; i < 32; i++)
		strcat(buf, "[");
	for (i = 0; i < 32; i++)
		strcat(buf, "]");
	strcat(buf, "}");
	refuse(buf, APP_EINVAL, "nesting too deep", "33 levels");
	buf[0] = '\0';
	for (i = 0; i < 200; i++)
		strcat(buf, "{\"a\":");
	refuse(buf, APP_EINVAL, "nesting too deep", "200 levels");

	/* 29: numbers */
	refuse("{\"a\":99999999999999999999999}", APP_EINVAL, "range",
	    "huge integer");
	refuse("{\"a\":9223372036854775808}", APP_EINVAL, "range",
	    "INT64_MAX + 1");
	refuse("{\"a\":18446744073709551615}", APP_EINVAL, "range",
	    "UINT64_MAX");
	refuse("{\"a\":-9223372036854775809}", APP_EINVAL, "range",
	    "INT64_MIN - 1");
	refuse("{\"o\":{\"d\":[123456789012345678901234567890]}}", APP_EINVAL,
	    "range", "huge integer nested");
	refuse("{\"a\":1e400}", APP_EINVAL, "finite", "1e400");
	refuse("{\"a\":-1e400}", APP_EINVAL, "finite", "-1e400");
	refuse("{\"a\":NaN}", APP_EINVAL, "NaN", "NaN");
	refuse("{\"a\":Infinity}", APP_EINVAL, "Infinity", "Infinity");
	refuse("{\"a\":-Infinity}", APP_EINVAL, "Infinity", "-Infinity");
	refuse("{\"a\":[NaN]}", APP_EINVAL, "NaN", "NaN in array");

	/* 30: trailing data and syntax extensions */
	refuse("{\"a\":1} xyz", APP_EINVAL, "malformed", "trailing garbage");
	refuse("{\"a\":1}{}", APP_EINVAL, "malformed", "two objects");
	refuse("{\"a\":1}\n{\"b\":2}", APP_EINVAL, "malformed",
	    "two objects on two lines");
	refuse("{\"a\":1,}", APP_EINVAL, "malformed", "trailing comma");
	refuse("{\"a\":[1,]}", APP_EINVAL, "malformed", "trailing comma array");
	refuse("{/*c*/\"a\":1}", APP_EINVAL, "malformed", "comment");
	refuse("{\"a\":1}//c", APP_EINVAL, "malformed", "trailing comment");
	refuse("{\"a\":0123}", APP_EINVAL, "malformed", "leading zero");
	refuse("{'a':1}", APP_EINVAL, "single-quoted", "single quotes");
	refuse("{\"a\":'x'}", APP_EINVAL, "malformed", "single-quoted value");
	refuse("{a:1}", APP_EINVAL, "malformed", "unquoted key");
	refuse("{\"a\":1}\f", APP_EINVAL, "malformed", "form feed after");
	refuse("\f{\"a\":1}", APP_EINVAL, NULL, "form feed before");
	refuse("{\"a\":tru}", APP_EINVAL, "malformed", "bad literal");
	refuse("{\"a\":+1}", APP_EINVAL, "malformed", "plus sign");
	refuse("{\"a\":.5}", APP_EINVAL, "malformed", "bare fraction");
	refuse("{\"a\":0x10}", APP_EINVAL, "malformed", "hex");

	/* 31: UTF-8 */
	refuse("{\"a\":\"\xff\xfe\"}", APP_EINVAL, NULL, "invalid UTF-8 value");
	refuse("{\"\xc0\x80\":1}", APP_EINVAL, NULL, "overlong in key");
	refuse("{\"a\":\"\xed\xa0\x80\"}", APP_EINVAL, NULL,
	    "raw surrogate bytes");
	refuse("{\"a\":\"\\ud800\"}", APP_EINVAL, "surrogate",
	    "lone high surrogate escape");
	refuse("{\"a\":\"\\udc00\"}", APP_EINVAL, "surrogate",
	    "lone low surrogate escape");
	refuse("{\"a\":\"\\ud800\\u0041\"}", APP_EINVAL, "surrogate",
	    "high surrogate then non-surrogate");

	/* 32: NUL */
	refuse("{\"a\":\"x\\u0000y\"}", APP_EINVAL, "\\u0000", "\\u0000 in value");
	refuse("{\"a\\u0000b\":1}", APP_EINVAL, "\\u0000", "\\u0000 in key");
	refuse("{\"o\":[\"\\u0000\"]}", APP_EINVAL, "\\u0000", "nested \\u0000");
	{
		struct kvlist	 kv = { NULL, 0, 0 };

		is_int(json_parse_object("{\"a\":1}\0xx", 10, &kv, err,
		    sizeof(err)), APP_EINVAL, "raw NUL after the object");
		is_int(json_parse_object("{\"a\":\"x\0y\"}", 11, &kv, err,
		    sizeof(err)), APP_EINVAL, "raw NUL in a string");
	}
	refuse("{\"a\":\"x\x01y\"}", APP_EINVAL, "control",
	    "raw control byte in string");
	refuse("{\"a\":\"x\ny\"}", APP_EINVAL, "control",
	    "raw newline in string");
}

static void
test_fixture(void)
{
	struct kvlist	 kv = { NULL, 0, 0 };
	const struct kv	*p;
	char		*body;
	size_t		 len;

	if ((body = tap_slurp("seed/completed.json", &len)) == NULL) {
		ok(0, "seed/completed.json readable");
		return;
	}
	is_int(json_parse_object(body, len, &kv, err, sizeof(err)), APP_OK,
	    "seed/completed.json parses");
	is_int(kv.n, 5, "completed.json: 5 members");
	is_str(kvlist_get(&kv, "sessionId")->val, "ATVoice_a1b2c3d4e5f6",
	    "completed.json: sessionId");
	p = kvlist_get(&kv, "duration");
	ok(p && p->type == KV_INT && strcmp(p->val, "420") == 0,
	    "completed.json: duration KV_INT 420");
	is_str(kvlist_get(&kv, "recordingUrl")->val,
	    "https://voice.africastalking.com/recordings/a1b2c3d4e5f6.mp3",
	    "completed.json: recordingUrl");
	kvlist_clear(&kv);
	free(body);
}

static void
test_build(void)
{
	struct recording	 r;
	char			*s;

	s = json_webhook_ok("ATVoice_a1b2c3d4e5f6", 0);
	is_str(s, "{\"status\":\"webhook_processed\","
	    "\"session_id\":\"ATVoice_a1b2c3d4e5f6\"}", "webhook_ok");
	free(s);
	s = json_webhook_ok("test_session_123", 1);
	is_str(s, "{\"status\":\"webhook_processed\","
	    "\"session_id\":\"test_session_123\",\"duplicate\":true}",
	    "webhook_ok duplicate");
	free(s);
	s = json_webhook_error("status must be one of completed, failed, "
	    "busy, no-answer, rejected");
	is_str(s, "{\"status\":\"webhook_error\",\"error\":\"status must be "
	    "one of completed, failed, busy, no-answer, rejected\"}",
	    "webhook_error");
	free(s);
	s = json_webhook_error("duplicate key \"a\\b\" \x01 /x");
	is_str(s, "{\"status\":\"webhook_error\",\"error\":\"duplicate key "
	    "\\\"a\\\\b\\\" \\u0001 /x\"}", "webhook_error escapes");
	free(s);
	s = json_detail("Recording not found");
	is_str(s, "{\"detail\":\"Recording not found\"}", "detail");
	free(s);

	memset(&r, 0, sizeof(r));
	r.exists = 1;
	strcpy(r.id, "ATVoice_a1b2c3d4e5f6");
	r.status = ST_COMPLETED;
	r.duration = 420;
	strcpy(r.recording_url,
	    "https://voice.africastalking.com/recordings/a1b2c3d4e5f6.mp3");
	r.created_at = 1772805600;	/* 2026-03-06T14:00:00Z */
	r.processed_at = 1772806020;	/* 2026-03-06T14:07:00Z */
	s = json_recording(&r);
	is_str(s, "{\"recording_id\":\"ATVoice_a1b2c3d4e5f6\","
	    "\"status\":\"completed\",\"duration\":420,"
	    "\"recording_url\":\"https://voice.africastalking.com/recordings/"
	    "a1b2c3d4e5f6.mp3\",\"created_at\":\"2026-03-06T14:00:00Z\","
	    "\"processed_at\":\"2026-03-06T14:07:00Z\"}",
	    "recording: full, plain slashes");
	free(s);

	r.status = ST_NO_ANSWER;
	r.duration = -1;
	r.recording_url[0] = '\0';
	s = json_recording(&r);
	is_str(s, "{\"recording_id\":\"ATVoice_a1b2c3d4e5f6\","
	    "\"status\":\"no-answer\",\"duration\":null,"
	    "\"recording_url\":null,\"created_at\":\"2026-03-06T14:00:00Z\","
	    "\"processed_at\":\"2026-03-06T14:07:00Z\"}",
	    "recording: nulls for unknown duration and URL");
	free(s);

	r.status = ST_NONE;
	r.duration = 0;
	r.created_at = r.processed_at = 0;
	s = json_recording(&r);
	is_str(s, "{\"recording_id\":\"ATVoice_a1b2c3d4e5f6\","
	    "\"status\":null,\"duration\":0,\"recording_url\":null,"
	    "\"created_at\":null,\"processed_at\":null}",
	    "recording: status and times null, duration 0 kept");
	free(s);

	r.status = ST_IN_PROGRESS;
	s = json_recording(&r);
	ok(s != NULL && strstr(s, "\"status\":\"in-progress\"") != NULL,
	    "recording: in-progress");
	free(s);
}

static void
test_util(void)
{
	char	 b[21];

	rfc3339(0, b);
	is_str(b, "1970-01-01T00:00:00Z", "rfc3339: epoch");
	rfc3339(1772805600, b);
	is_str(b, "2026-03-06T14:00:00Z", "rfc3339: 2026");
	rfc3339(253402300799LL, b);
	is_str(b, "9999-12-31T23:59:59Z", "rfc3339: year 9999");
	rfc3339(253402300800LL, b);
	is_str(b, "", "rfc3339: year 10000 is empty");
	rfc3339(-1, b);
	is_str(b, "1969-12-31T23:59:59Z", "rfc3339: negative");
	ok(now_us() > 1700000000LL * 1000000, "now_us is plausible");
	{
		int64_t	 a = mono_ns(), c = mono_ns();

		ok(a > 0 && c >= a, "mono_ns is monotonic");
	}
	{
		char	 d[5];

		is_int(vp_strlcpy(d, "abcdefgh", sizeof(d)), 8,
		    "strlcpy returns strlen(src)");
		is_str(d, "abcd", "strlcpy truncates");
		is_int(vp_strlcpy(d, "ab", sizeof(d)), 2, "strlcpy short");
		is_str(d, "ab", "strlcpy copies");
		is_int(vp_strlcpy(d, "xyz", 0), 3, "strlcpy size 0");
		is_str(d, "ab", "strlcpy size 0 writes nothing");
	}
}

int
main(void)
{
	test_accept();
	test_refuse();
	test_fixture();
	test_build();
	test_util();
	return done_testing();
}
