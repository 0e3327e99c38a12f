/*
 * test-validate.c: single-field rules of validate.c.
 */
#include <string.h>

#include "extern.h"
#include "tap.h"

#define U8(s)	valid_utf8((s), sizeof(s) - 1)

static void
test_utf8(void)
{
	ok(U8("") == 1, "utf8: empty");
	ok(U8("plain ascii") == 1, "utf8: ascii");
	ok(U8("caf\xc3\xa9") == 1, "utf8: 2-byte");
	ok(U8("\xe2\x82\xac") == 1, "utf8: 3-byte euro");
	ok(U8("\xf0\x9f\x93\x9e") == 1, "utf8: 4-byte emoji");
	ok(U8("\xf4\x8f\xbf\xbf") == 1, "utf8: U+10FFFF");
	ok(U8("\xed\x9f\xbf") == 1, "utf8: U+D7FF");
	ok(U8("\xee\x80\x80") == 1, "utf8: U+E000");
	ok(U8("a\0b") == 1, "utf8: NUL is well-formed (rejected elsewhere)");
	ok(U8("\xc0\x80") == 0, "utf8: overlong NUL C0 80");
	ok(U8("\xc1\xbf") == 0, "utf8: overlong C1");
	ok(U8("\xe0\x80\xaf") == 0, "utf8: overlong 3-byte");
	ok(U8("\xe0\x9f\xbf") == 0, "utf8: overlong 3-byte top");
	ok(U8("\xf0\x80\x80\xaf") == 0, "utf8: overlong 4-byte");
	ok(U8("\xf0\x8f\xbf\xbf") == 0, "utf8: overlong 4-byte top");
	ok(U8("\xed\xa0\x80") == 0, "utf8: surrogate D800");
	ok(U8("\xed\xbf\xbf") == 0, "utf8: surrogate DFFF");
	ok(U8("\xf4\x90\x80\x80") == 0, "utf8: above U+10FFFF");
	ok(U8("\xf5\x80\x80\x80") == 0, "utf8: F5 lead");
	ok(U8("\xff") == 0, "utf8: FF");
	ok(U8("\xfe\xff") == 0, "utf8: FE FF");
	ok(U8("\x80") == 0, "utf8: lone continuation");
	ok(U8("\xc3") == 0, "utf8: truncated 2-byte");
	ok(U8("\xe2\x82") == 0, "utf8: truncated 3-byte");
	ok(U8("\xf0\x9f\x93") == 0, "utf8: truncated 4-byte");
	ok(U8("\xc3\x28") == 0, "utf8: bad continuation");
	ok(U8("\xe2\x28\xa1") == 0, "utf8: bad 2nd of 3");
	ok(U8("\xe2\x82\x28") == 0, "utf8: bad 3rd of 3");
	ok(valid_utf8("\xc3\xa9", 1) == 0, "utf8: length cuts a sequence");
}

static void
test_session_id(void)
{
	char	 buf[VP_SESSION_MAX + 2];

	ok(valid_session_id("ATVId_3f9a1c0d5e7b4a2c8d6e0f1a2b3c4d5e"),
	    "session: AT id");
	ok(valid_session_id("ATVoice_a1b2c3d4e5f6"), "session: seed id");
	ok(valid_session_id("a.b_c:d-e"), "session: all punctuation allowed");
	ok(valid_session_id("x"), "session: one char");
	ok(!valid_session_id(""), "session: empty");
	ok(!valid_session_id(NULL), "session: NULL");
	ok(!valid_session_id("a b"), "session: space");
	ok(!valid_session_id(" ab"), "session: leading space");
	ok(!valid_session_id("a/b"), "session: slash");
	ok(!valid_session_id("a\nb"), "session: newline");
	ok(!valid_session_id("caf\xc3\xa9"), "session: non-ASCII");
	ok(!valid_session_id("a%20b"), "session: percent");
	memset(buf, 'a', VP_SESSION_MAX);
	buf[VP_SESSION_MAX] = '\0';
	ok(valid_session_id(buf), "session: 128 chars");
	buf[VP_SESSION_MAX] = 'a';
	buf[VP_SESSION_MAX + 1] = '\0';
	ok(!valid_session_id(buf), "session: 129 chars");
}

static void
test_e164(void)
{
	ok(valid_e164("+254712345678"), "e164: Kenya");
	ok(valid_e164("+1234567"), "e164: 7 digits");
	ok(valid_e164("+123456789012345"), "e164: 15 digits");
	ok(!valid_e164("+123456"), "e164: 6 digits");
	ok(!valid_e164("+1234567890123456"), "e164: 16 digits");
	ok(!valid_e164("+0254712345678"), "e164: first digit 0");
	ok(!valid_e164("254712345678"), "e164: no plus");
	ok(!valid_e164(" 15551234567"), "e164: '+' decoded as space");
	ok(!valid_e164("+2547 1234567"), "e164: inner space");
	ok(!valid_e164("+254712345678 "), "e164: trailing space");
	ok(!valid_e164("+"), "e164: plus only");
	ok(!valid_e164(""), "e164: empty");
	ok(!valid_e164(NULL), "e164: NULL");
	ok(!valid_e164("++254712345678"), "e164: double plus");
	ok(!valid_e164("+25471234567a"), "e164: letter");
	ok(!valid_e164("agent@ke.sip.africastalking.com"), "e164: SIP");
}

static void
test_url(void)
{
	char	 buf[VP_URL_MAX + 2];
	size_t	 n;

	ok(valid_url("https://voice.africastalking.com/recordings/"
	    "a1b2c3d4e5f6.mp3"), "url: seed URL");
	ok(valid_url("https://recordings.example-at.test/voice/"
	    "3f9a1c0d-full.mp3"), "url: AT fixture URL");
	ok(valid_url("http://example.com"), "url: http, no path");
	ok(valid_url("HTTPS://Example.COM/x"), "url: scheme case-insensitive");
	ok(valid_url("HtTp://example.com/"), "url: mixed-case scheme");
	ok(valid_url("https://example.com:8443/a?b=c&d=e#f"),
	    "url: port, query, fragment");
	ok(valid_url("https://127.0.0.1/a.mp3"), "url: IPv4 host");
	ok(valid_url("https://[::1]:8080/a.mp3"), "url: IPv6 host");
	ok(valid_url("https://example.com/a%20b.mp3"), "url: %%20 escape");
	ok(valid_url("https://example.com?x=1"), "url: query without path");
	ok(!valid_url("javascript:alert(1)"), "url: javascript:");
	ok(!valid_url("JavaScript://example.com/%0Aalert(1)"),
	    "url: javascript:// with host");
	ok(!valid_url("data:text/html,<script>"), "url: data:");
	ok(!valid_url("ftp://example.com/a.mp3"), "url: ftp");
	ok(!valid_url("file:///etc/passwd"), "url: file");
	ok(!valid_url("//example.com/a.mp3"), "url: scheme-relative");
	ok(!valid_url("/recordings/a.mp3"), "url: relative");
	ok(!valid_url("https://"), "url: no host");
	ok(!valid_url("https:///path"), "url: empty host");
	ok(!valid_url("https://:443/"), "url: port without host");
	ok(!valid_url("https://example.com:/"), "url: empty port");
	ok(!valid_url("https://example.com:99999/"), "url: port too large");
	ok(!valid_url("https://example.com:0/"), "url: port 0");
	ok(!valid_url("https://example.com:8a/"), "url: port not numeric");
	ok(!valid_url("https://user:pw@example.com/"), "url: credentials");
	ok(!valid_url("https://example.com/a b"), "url: space");
	ok(!valid_url(" https://example.com/"), "url: leading space");
	ok(!valid_url("https://example.com/\t"), "url: tab");
	ok(!valid_url("https://example.com/\n"), "url: newline");
	ok(!valid_url("https://example.com/\x7f"), "url: DEL");
	ok(!valid_url("https://example.com/<script>"), "url: angle bracket");
	ok(!valid_url("https://example.com/\"x"), "url: double quote");
	ok(!valid_url("https://example.com/a\\b"), "url: backslash");
	ok(!valid_url("https://example.com/`x`"), "url: backtick");
	ok(!valid_url("https://example.com/{x}"), "url: braces");
	ok(!valid_url("https://ex\xc3\xa4mple.com/"), "url: non-ASCII");
	ok(!valid_url("https://example.com/%zz"), "url: bad escape");
	ok(!valid_url("https://example.com/%4"), "url: short escape");
	ok(!valid_url("https://exa<mple.com/"), "url: bad host char");
	ok(!valid_url(""), "url: empty");
	ok(!valid_url(NULL), "url: NULL");

	n = strlen("https://e.com/");
	memcpy(buf, "https://e.com/", n);
	memset(buf + n, 'a', VP_URL_MAX - n);
	buf[VP_URL_MAX] = '\0';
	ok(valid_url(buf), "url: exactly 2048 bytes");
	buf[VP_URL_MAX] = 'a';
	buf[VP_URL_MAX + 1] = '\0';
	ok(!valid_url(buf), "url: 2049 bytes");
}

static void
test_text(void)
{
	ok(valid_text("", 10), "text: empty");
	ok(valid_text("Inbound", VP_SHORT_MAX), "text: word");
	ok(valid_text("2024-05-14 09:12:03", VP_SHORT_MAX), "text: spaces");
	ok(valid_text("agent@ke.sip.africastalking.com", VP_FIELD_MAX),
	    "text: SIP address");
	ok(valid_text("caf\xc3\xa9 \xe2\x82\xac", 20), "text: UTF-8");
	ok(valid_text("12345", 5), "text: exactly max");
	ok(!valid_text("123456", 5), "text: max + 1");
	ok(!valid_text("a\tb", 10), "text: tab");
	ok(!valid_text("a\nb", 10), "text: newline");
	ok(!valid_text("a\rb", 10), "text: CR");
	ok(!valid_text("a\x1b[2J", 10), "text: escape sequence");
	ok(!valid_text("a\x7f", 10), "text: DEL");
	ok(!valid_text("a\xc2\x85", 10), "text: C1 NEL");
	ok(!valid_text("a\xc2\x9b", 10), "text: C1 CSI");
	ok(valid_text("\xc2\xa0", 10), "text: U+00A0 is allowed");
	ok(!valid_text("\xff", 10), "text: invalid UTF-8");
	ok(!valid_text("\xed\xa0\x80", 10), "text: surrogate");
	ok(!valid_text(NULL, 10), "text: NULL");
}

static void
test_strtonum(void)
{
	const char	*es;
	long long	 v;

	v = strtonum_digits("0", 0, 86400, &es);
	ok(v == 0 && es == NULL, "num: 0");
	v = strtonum_digits("187", 0, 86400, &es);
	ok(v == 187 && es == NULL, "num: 187");
	v = strtonum_digits("86400", 0, 86400, &es);
	ok(v == 86400 && es == NULL, "num: max");
	v = strtonum_digits("007", 0, 86400, &es);
	ok(v == 7 && es == NULL, "num: leading zeros");
	v = strtonum_digits("86401", 0, 86400, &es);
	ok(v == 0 && es != NULL && strcmp(es, "is too large") == 0,
	    "num: max + 1 is too large");
	v = strtonum_digits("99999999999999999999999", 0, 86400, &es);
	ok(v == 0 && es != NULL && strcmp(es, "is too large") == 0,
	    "num: overflow is too large");
	v = strtonum_digits("9223372036854775807", 0, 9223372036854775807LL,
	    &es);
	ok(v == 9223372036854775807LL && es == NULL, "num: LLONG_MAX");
	v = strtonum_digits("9223372036854775808", 0, 9223372036854775807LL,
	    &es);
	ok(es != NULL && strcmp(es, "is too large") == 0,
	    "num: LLONG_MAX + 1");
	v = strtonum_digits("5", 10, 20, &es);
	ok(v == 0 && es != NULL && strcmp(es, "is too small") == 0,
	    "num: below min");
	v = strtonum_digits("", 0, 10, &es);
	ok(es != NULL && strcmp(es, "is not a number") == 0, "num: empty");
	v = strtonum_digits(NULL, 0, 10, &es);
	ok(es != NULL && strcmp(es, "is not a number") == 0, "num: NULL");
	(void)strtonum_digits("-1", -10, 10, &es);
	ok(es != NULL, "num: no sign (-)");
	(void)strtonum_digits("+1", 0, 10, &es);
	ok(es != NULL, "num: no sign (+)");
	(void)strtonum_digits(" 1", 0, 10, &es);
	ok(es != NULL, "num: leading space");
	(void)strtonum_digits("1 ", 0, 10, &es);
	ok(es != NULL, "num: trailing space");
	(void)strtonum_digits("1.5", 0, 10, &es);
	ok(es != NULL, "num: decimal");
	(void)strtonum_digits("0x10", 0, 100, &es);
	ok(es != NULL, "num: hex");
	(void)strtonum_digits("1e3", 0, 10000, &es);
	ok(es != NULL, "num: exponent");
}

int
main(void)
{
	test_utf8();
	test_session_id();
	test_e164();
	test_url();
	test_text();
	test_strtonum();
	return done_testing();
}
