/*
 * test-form.c: application/x-www-form-urlencoded decoding (form.c) and
 * the key/value list (kv.c). HARDENING 6.C 24-27 and 35.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extern.h"
#include "tap.h"

static char	 err[256];

/* Parses the NUL-terminated s; returns the result, list in *kv. */
static enum app_err
parse(const char *s, struct kvlist *kv)
{
	kvlist_clear(kv);
	return form_parse(s, strlen(s), kv, err, sizeof(err));
}

static const char *
val(const struct kvlist *kv, const char *key)
{
	const struct kv	*p;

	return (p = kvlist_get(kv, key)) != NULL ? p->val : NULL;
}

/* 1 if err holds only printable ASCII. */
static int
err_printable(void)
{
	const char	*p;

	for (p = err; *p != '\0'; p++)
		if (*p < 0x20 || *p > 0x7e)
			return 0;
	return 1;
}

static void
test_basic(void)
{
	struct kvlist	 kv = { NULL, 0, 0 };

	is_int(parse("a=1&b=2", &kv), APP_OK, "basic: two pairs");
	is_int(kv.n, 2, "basic: n == 2");
	is_str(val(&kv, "a"), "1", "basic: a");
	is_str(val(&kv, "b"), "2", "basic: b");
	ok(kvlist_get(&kv, "c") == NULL, "basic: missing key is NULL");
	is_int(kv.v[0].type, KV_STRING, "basic: type KV_STRING");
	is_int(kv.v[1].vallen, 1, "basic: vallen");

	is_int(parse("phone=+15551234567", &kv), APP_OK, "plus: parses");
	is_str(val(&kv, "phone"), " 15551234567",
	    "plus: unencoded '+' is a space (HARDENING 26)");
	is_int(parse("phone=%2B15551234567", &kv), APP_OK, "%%2B: parses");
	is_str(val(&kv, "phone"), "+15551234567", "%%2B: is '+'");
	is_int(parse("u=%2f%2F%3a%3A", &kv), APP_OK, "hex: both cases");
	is_str(val(&kv, "u"), "//::", "hex: decoded");
	is_int(parse("a+b=c+d", &kv), APP_OK, "plus in key");
	is_str(val(&kv, "a b"), "c d", "plus in key and value");
	is_int(parse("k%41y=v", &kv), APP_OK, "escape in key");
	is_str(val(&kv, "kAy"), "v", "escape in key decoded");
	is_int(parse("flag", &kv), APP_OK, "no '=': key with empty value");
	is_str(val(&kv, "flag"), "", "no '=': value empty");
	is_int(kv.v[0].vallen, 0, "no '=': vallen 0");
	is_int(parse("a=", &kv), APP_OK, "empty value");
	is_str(val(&kv, "a"), "", "empty value is \"\"");
	is_int(parse("a=b=c", &kv), APP_OK, "'=' in value");
	is_str(val(&kv, "a"), "b=c", "'=' in value kept");
	is_int(parse("a=1&&b=2", &kv), APP_OK, "empty segment skipped");
	is_int(kv.n, 2, "empty segment: n == 2");
	is_int(parse("&a=1&", &kv), APP_OK, "leading/trailing '&'");
	is_int(kv.n, 1, "leading/trailing '&': n == 1");
	is_int(parse("n=caf%C3%A9&r=\xe2\x82\xac", &kv), APP_OK,
	    "UTF-8 encoded and raw");
	is_str(val(&kv, "n"), "caf\xc3\xa9", "UTF-8 decoded");
	is_str(val(&kv, "r"), "\xe2\x82\xac", "raw UTF-8 kept");
	is_int(parse("a=%20", &kv), APP_OK, "%%20 is a space");
	is_str(val(&kv, "a"), " ", "%%20 decoded");
	kvlist_clear(&kv);
	kvlist_clear(&kv);
	ok(kv.n == 0 && kv.v == NULL, "clear twice is harmless");
}

static void
test_malformed(void)
{
	static const char *const bad[] = {
		"a=%zz", "a=%4", "a=%", "a=%%", "a=%G0", "a=%0G", "a=1%",
		"a=%%41", "a%=1", "%=1", "a=%-1", "a=% 1", "a=%+1",
		"a=%\xc3\xa9", NULL
	};
	struct kvlist	 kv = { NULL, 0, 0 };
	size_t		 i;

	for (i = 0; bad[i] != NULL; i++) {
		is_int(parse(bad[i], &kv), APP_EINVAL, bad[i]);
		ok(kv.n == 0, "list empty after error (%zu)", i);
	}
	parse("a=%zz", &kv);
	ok(strstr(err, "percent") != NULL && strstr(err, "\"a\"") != NULL,
	    "message names problem and key: %s", err);
	parse("x%zz=1", &kv);
	ok(strstr(err, "x%zz") != NULL, "bad key echoed raw: %s", err);
	/* The error must not lose a half-decoded prefix into the list. */
	is_int(parse("ok=1&bad=%4", &kv), APP_EINVAL, "later bad pair");
	is_int(kv.n, 0, "earlier pairs cleared on error");
}

static void
test_control(void)
{
	static const char *const bad[] = {
		"a=%00", "a=x%00y", "a%00=1", "%00=1", "a=%01", "a=%09",
		"a=%0A", "a=%0d", "a=%1F", "a=%1b", "a=%7F", "a=%7f",
		"a=\t", "a=x\ny", "a\r=1", NULL
	};
	struct kvlist	 kv = { NULL, 0, 0 };
	size_t		 i;
	char		 name[32];

	for (i = 0; bad[i] != NULL; i++) {
		snprintf(name, sizeof(name), "control byte case %zu", i);
		is_int(parse(bad[i], &kv), APP_EINVAL, name);
	}
	parse("a=%00", &kv);
	ok(strstr(err, "control") != NULL && strstr(err, "\"a\"") != NULL,
	    "control message names key: %s", err);
	/* A raw NUL in the body (not NUL-terminated input). */
	is_int(form_parse("a=x\0y", 5, &kv, err, sizeof(err)), APP_EINVAL,
	    "raw NUL byte");
	parse("a\x1b[31m%00=1", &kv);
	ok(err_printable(), "escape sequence in key not echoed: %s", err);
}

static void
test_utf8(void)
{
	static const char *const bad[] = {
		"a=%FF", "a=%C0%80", "a=%ED%A0%80", "a=%F4%90%80%80",
		"a=%C3", "a=\xff", "a=\xc3", "%FF=1", "a=%E2%82", NULL
	};
	struct kvlist	 kv = { NULL, 0, 0 };
	size_t		 i;
	char		 name[32];

	for (i = 0; bad[i] != NULL; i++) {
		snprintf(name, sizeof(name), "invalid UTF-8 case %zu", i);
		is_int(parse(bad[i], &kv), APP_EINVAL, name);
	}
	parse("a=%FF", &kv);
	ok(strstr(err, "UTF-8") != NULL, "UTF-8 message: %s", err);
	parse("\xff\xfe=1", &kv);
	ok(err_printable(), "invalid bytes in key not echoed: %s", err);
}

static void
test_keys(void)
{
	struct kvlist	 kv = { NULL, 0, 0 };
	char		 longkey[300];

	is_int(parse("a=1&a=2", &kv), APP_EAMBIG, "duplicate key (27)");
	ok(strstr(err, "duplicate") != NULL && strstr(err, "\"a\"") != NULL,
	    "duplicate names key: %s", err);
	is_int(kv.n, 0, "duplicate: list cleared");
	is_int(parse("a=1&a=1", &kv), APP_EAMBIG, "duplicate, same value");
	is_int(parse("a=1&b=2&%61=3", &kv), APP_EAMBIG,
	    "duplicate after decoding");
	is_int(parse("a&a", &kv), APP_EAMBIG, "duplicate flags");
	is_int(parse("sessionId=x&sessionid=y", &kv), APP_OK,
	    "keys are case-sensitive");
	is_int(parse("=x", &kv), APP_EINVAL, "empty key");
	ok(strstr(err, "empty key") != NULL, "empty key message: %s", err);
	is_int(parse("a=1&=", &kv), APP_EINVAL, "empty key and value");
	is_int(parse("", &kv), APP_EEMPTY, "empty body");
	is_int(form_parse(NULL, 0, &kv, err, sizeof(err)), APP_EEMPTY,
	    "NULL body");
	is_int(parse("&&&", &kv), APP_EEMPTY, "only separators");

	memset(longkey, 'k', 200);
	strcpy(longkey + 200, "=1&");
	memset(longkey + 203, 'k', 200 - 103);
	longkey[300 - 3] = '\0';
	/* 200 k's, then 97 k's: distinct keys, fine. */
	is_int(parse(longkey, &kv), APP_OK, "long distinct keys");
	memcpy(longkey, "kkkkk=1&", 8);
	strcpy(longkey + 8, "kkkkk");
	is_int(parse(longkey, &kv), APP_EAMBIG, "short duplicate");
	{
		char	 b[400];

		memset(b, 'z', 150);
		memcpy(b + 150, "=1&", 3);
		memset(b + 153, 'z', 150);
		memcpy(b + 303, "=2", 3);
		is_int(parse(b, &kv), APP_EAMBIG, "long duplicate key");
		ok(strlen(err) < 120 && strstr(err, "...") != NULL,
		    "long key echo is bounded: %s", err);
	}
	{
		char	 small[8];

		is_int(form_parse("a=1&a=2", 7, &kv, small, sizeof(small)),
		    APP_EAMBIG, "tiny err buffer");
		ok(strlen(small) == sizeof(small) - 1, "tiny err truncated");
		is_int(form_parse("a=1&a=2", 7, &kv, NULL, 0), APP_EAMBIG,
		    "no err buffer");
	}
	kvlist_clear(&kv);
}

static void
test_many(void)
{
	struct kvlist	 kv = { NULL, 0, 0 };
	const char	*dup;
	char		*body, *p, key[32];
	size_t		 i, len, cap = 1100000;
	int		 good = 1;

	/* HARDENING 35: 100 000 tiny pairs within 1 MB. */
	if ((body = malloc(cap)) == NULL) {
		ok(0, "malloc");
		return;
	}
	p = body;
	for (i = 0; i < 100000; i++)
		p += sprintf(p, "%sk%zu=%zu", i ? "&" : "", i, i % 10);
	len = p - body;
	ok(len <= 1048576, "100000 pairs fit in 1 MB (%zu bytes)", len);
	is_int(form_parse(body, len, &kv, err, sizeof(err)), APP_OK,
	    "100000 pairs parse");
	is_int(kv.n, 100000, "100000 pairs decoded");
	for (i = 0; i < kv.n; i++) {
		snprintf(key, sizeof(key), "k%zu", i);
		if (strcmp(kv.v[i].key, key) != 0 ||
		    kv.v[i].val[0] != (char)('0' + i % 10))
			good = 0;
	}
	ok(good, "every pair in order with its value");
	is_str(val(&kv, "k99999"), "9", "last pair found");
	ok(!kvlist_has_dup(&kv, &dup) && dup == NULL, "has_dup: none");
	kvlist_clear(&kv);

	/* The same with one duplicate at the very end. */
	p += sprintf(p, "&k50000=x");
	len = p - body;
	is_int(form_parse(body, len, &kv, err, sizeof(err)), APP_EAMBIG,
	    "100001 pairs with a duplicate");
	ok(strstr(err, "\"k50000\"") != NULL, "duplicate named: %s", err);
	is_int(kv.n, 0, "cleared after duplicate");

	/* 100 000 copies of the same key. */
	p = body;
	for (i = 0; i < 100000; i++)
		p += sprintf(p, "%sa=1", i ? "&" : "");
	is_int(form_parse(body, p - body, &kv, err, sizeof(err)), APP_EAMBIG,
	    "100000 equal keys");

	/* 100 000 empty segments. */
	memset(body, '&', 100000);
	memcpy(body + 100000, "a=1", 3);
	is_int(form_parse(body, 100003, &kv, err, sizeof(err)), APP_OK,
	    "100000 empty segments then a pair");
	is_int(kv.n, 1, "one pair");
	kvlist_clear(&kv);
	free(body);
}

static void
test_kvlist(void)
{
	struct kvlist	 kv = { NULL, 0, 0 };
	const char	*dup = "x";

	ok(!kvlist_has_dup(&kv, &dup) && dup == NULL, "has_dup: empty list");
	kvlist_add(&kv, strdup("a"), strdup("1"), 1, KV_STRING);
	ok(!kvlist_has_dup(&kv, NULL), "has_dup: one pair, NULL dupkey");
	kvlist_add(&kv, strdup("b"), strdup("2"), 1, KV_INT);
	kvlist_add(&kv, strdup("a"), strdup("3"), 1, KV_STRING);
	ok(kvlist_has_dup(&kv, &dup) && dup != NULL && strcmp(dup, "a") == 0,
	    "has_dup: finds a");
	is_int(kvlist_get(&kv, "b")->type, KV_INT, "get keeps type");
	is_str(kvlist_get(&kv, "a")->val, "1", "get returns the first");
	kvlist_clear(&kv);
	is_int(kv.n, 0, "clear empties");
	is_int(kvlist_add(&kv, strdup("z"), strdup(""), 0, KV_NULL), APP_OK,
	    "reusable after clear");
	kvlist_clear(&kv);
}

static void
test_fixtures(void)
{
	static const char *const files[] = {
		"at/01-inbound-start.form", "at/02-outbound-answered.form",
		"at/04-dtmf-single.form", "at/06-partial-record.form",
		"at/07-final-completed-recorded.form",
		"at/09-final-no-answer.form", "at/10-final-busy.form",
		"at/11-final-rejected.form", "at/12-final-absent-ugx.form",
		"at/13-final-unallocated.form", "at/16-final-minimal.form",
		"at/20-final-busy-redelivery.form", "seed/completed.form",
		"seed/local-test.form", "seed/no-answer.form", NULL
	};
	static const size_t npairs[] = { 9, 9, 7, 7, 17, 13, 13, 14, 14, 13,
	    4, 13, 5, 5, 3 };
	struct kvlist	 kv = { NULL, 0, 0 };
	char		*body;
	size_t		 i, len;

	for (i = 0; files[i] != NULL; i++) {
		if ((body = tap_slurp(files[i], &len)) == NULL) {
			ok(0, "fixture %s readable", files[i]);
			continue;
		}
		is_int(form_parse(body, len, &kv, err, sizeof(err)), APP_OK,
		    files[i]);
		ok(kv.n == npairs[i], "%s: %zu pairs", files[i], kv.n);
		kvlist_clear(&kv);
		free(body);
	}

	body = tap_slurp("at/07-final-completed-recorded.form", &len);
	if (body == NULL) {
		ok(0, "fixture 07 readable");
		return;
	}
	form_parse(body, len, &kv, err, sizeof(err));
	is_str(val(&kv, "callerNumber"), "+254700000001", "07: %%2B decoded");
	is_str(val(&kv, "callStartTime"), "2024-05-14 09:12:03",
	    "07: '+' and %%3A decoded");
	is_str(val(&kv, "recordingUrl"),
	    "https://recordings.example-at.test/voice/3f9a1c0d-full.mp3",
	    "07: URL decoded");
	is_str(val(&kv, "amount"), "7.4800", "07: amount");
	is_str(val(&kv, "isActive"), "0", "07: isActive");
	kvlist_clear(&kv);
	free(body);
}

int
main(void)
{
	test_basic();
	test_malformed();
	test_control();
	test_utf8();
	test_keys();
	test_many();
	test_kvlist();
	test_fixtures();
	return done_testing();
}
