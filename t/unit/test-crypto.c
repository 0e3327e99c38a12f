/*
 * test-crypto.c: signatures, token comparison, SHA-256, random bytes
 * (app/crypto.c). TAP.
 */
#include <stdio.h>
#include <string.h>

#include "../../app/crypto.c"

#include "tap.h"

/* RFC 4231 test case 2 */
#define RFC_KEY		"Jefe"
#define RFC_DATA	"what do ya want for nothing?"
#define RFC_MAC		\
	"5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
/* GitHub's documented example */
#define GH_KEY		"It's a Secret to Everybody"
#define GH_DATA		"Hello, World!"
#define GH_MAC		\
	"757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"

static int
verify1(const char *hdr, const char *secret, const char *body)
{
	const char	*secrets[1];

	secrets[0] = secret;
	return sig_verify(hdr, body, strlen(body), secrets, 1);
}

static void
upper(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'a' && *s <= 'f')
			*s = (char)(*s - 'a' + 'A');
}

static void
test_vectors(void)
{
	char	 hex[65];
	size_t	 i;

	sig_hex(RFC_KEY, RFC_DATA, strlen(RFC_DATA), hex);
	is_str(hex, RFC_MAC, "sig_hex: RFC 4231 case 2");
	ok(verify1(RFC_MAC, RFC_KEY, RFC_DATA) == 1,
	    "sig_verify: RFC 4231 case 2");
	sig_hex(GH_KEY, GH_DATA, strlen(GH_DATA), hex);
	is_str(hex, GH_MAC, "sig_hex: GitHub vector");
	ok(verify1(GH_MAC, GH_KEY, GH_DATA) == 1, "sig_verify: GitHub vector");
	ok(verify1("sha256=" GH_MAC, GH_KEY, GH_DATA) == 1,
	    "sig_verify: sha256= prefix accepted");
	ok(verify1("SHA256=" GH_MAC, GH_KEY, GH_DATA) == 1,
	    "sig_verify: SHA256= prefix accepted (case-insensitive)");
	snprintf(hex, sizeof(hex), "%s", GH_MAC);
	upper(hex);
	ok(verify1(hex, GH_KEY, GH_DATA) == 1,
	    "sig_verify: uppercase hex accepted");
	for (i = 0; i < 32; i++)	/* first half lower, second upper */
		if (hex[i] >= 'A' && hex[i] <= 'F')
			hex[i] = (char)(hex[i] - 'A' + 'a');
	ok(verify1(hex, GH_KEY, GH_DATA) == 1,
	    "sig_verify: mixed-case hex accepted");
	ok(verify1(GH_MAC, GH_KEY, "") == 0, "sig_verify: empty body");
	sig_hex(GH_KEY, "", 0, hex);
	ok(verify1(hex, GH_KEY, "") == 1,
	    "sig_verify: signature of the empty body verifies");
}

static void
test_malformed(void)
{
	char	 buf[256];

	snprintf(buf, sizeof(buf), "%.63s", GH_MAC);
	ok(verify1(buf, GH_KEY, GH_DATA) == 0, "63 hex digits rejected");
	snprintf(buf, sizeof(buf), "%s0", GH_MAC);
	ok(verify1(buf, GH_KEY, GH_DATA) == 0, "65 hex digits rejected");
	snprintf(buf, sizeof(buf), "%s00", GH_MAC);
	ok(verify1(buf, GH_KEY, GH_DATA) == 0, "66 hex digits rejected");
	ok(verify1("abc", GH_KEY, GH_DATA) == 0, "odd length (3) rejected");
	snprintf(buf, sizeof(buf), "%s", GH_MAC);
	buf[10] = 'g';
	ok(verify1(buf, GH_KEY, GH_DATA) == 0, "non-hex digit rejected");
	ok(verify1("", GH_KEY, GH_DATA) == 0, "empty value rejected");
	ok(verify1("sha256=", GH_KEY, GH_DATA) == 0,
	    "prefix alone rejected");
	ok(verify1("sha256=sha256=" GH_MAC, GH_KEY, GH_DATA) == 0,
	    "doubled prefix rejected");
	ok(verify1("sha1=" GH_MAC, GH_KEY, GH_DATA) == 0,
	    "other prefix rejected");
	snprintf(buf, sizeof(buf), "%s", GH_MAC);
	buf[20] = '\x01';
	ok(verify1(buf, GH_KEY, GH_DATA) == 0, "control byte rejected");
	snprintf(buf, sizeof(buf), "%s ", GH_MAC);
	ok(verify1(buf, GH_KEY, GH_DATA) == 0, "trailing space rejected");
	snprintf(buf, sizeof(buf), " %s", GH_MAC);
	ok(verify1(buf, GH_KEY, GH_DATA) == 0, "leading space rejected");
	snprintf(buf, sizeof(buf), "%s\r\n", GH_MAC);
	ok(verify1(buf, GH_KEY, GH_DATA) == 0, "trailing CRLF rejected");
	snprintf(buf, sizeof(buf), "%.32s\xc3\xa9%s", GH_MAC, GH_MAC + 34);
	ok(verify1(buf, GH_KEY, GH_DATA) == 0, "UTF-8 byte rejected");
	ok(sig_verify(NULL, GH_DATA, strlen(GH_DATA),
	    (const char *const[]){ GH_KEY }, 1) == 0, "NULL header rejected");
}

static void
test_secrets(void)
{
	const char	*two[2], *none[1] = { "" };
	char		 body[] = GH_DATA;

	ok(verify1(GH_MAC, "It's a secret to everybody", GH_DATA) == 0,
	    "wrong secret rejected");
	two[0] = "old-secret";
	two[1] = GH_KEY;
	ok(sig_verify(GH_MAC, GH_DATA, strlen(GH_DATA), two, 2) == 1,
	    "rotation: second of two secrets matches");
	two[0] = GH_KEY;
	two[1] = "new-secret";
	ok(sig_verify(GH_MAC, GH_DATA, strlen(GH_DATA), two, 2) == 1,
	    "rotation: first of two secrets matches");
	two[0] = "old-secret";
	two[1] = "new-secret";
	ok(sig_verify(GH_MAC, GH_DATA, strlen(GH_DATA), two, 2) == 0,
	    "rotation: neither secret matches");
	ok(sig_verify(GH_MAC, GH_DATA, strlen(GH_DATA), two, 0) == 0,
	    "no secrets: rejected");
	body[0] = 'h';
	ok(verify1(GH_MAC, GH_KEY, body) == 0, "one body byte changed");
	body[0] = 'H';
	body[sizeof(body) - 2] = '?';
	ok(verify1(GH_MAC, GH_KEY, body) == 0, "last body byte changed");
	two[0] = GH_KEY;
	ok(sig_verify(GH_MAC, GH_DATA, strlen(GH_DATA) - 1, two, 1) == 0,
	    "truncated body rejected");
	{
		char	 hex[65];

		sig_hex("", GH_DATA, strlen(GH_DATA), hex);
		ok(sig_verify(hex, GH_DATA, strlen(GH_DATA), none, 1) == 0,
		    "an empty secret never verifies");
	}
	{
		/* a body with a NUL inside: the whole length counts */
		static const char	 nulbody[] = { 'a', '\0', 'b' };
		const char		*one[1] = { GH_KEY };
		char			 hex[65];

		sig_hex(GH_KEY, nulbody, sizeof(nulbody), hex);
		ok(sig_verify(hex, nulbody, sizeof(nulbody), one, 1) == 1,
		    "binary body verifies over its full length");
		ok(sig_verify(hex, nulbody, 1, one, 1) == 0,
		    "binary body cut at the NUL rejected");
	}
}

static void
test_tokens(void)
{
	ok(token_equal("abcdefghijklmnop", "abcdefghijklmnop") == 1,
	    "token_equal: equal");
	ok(token_equal("Xbcdefghijklmnop", "abcdefghijklmnop") == 0,
	    "token_equal: first byte differs");
	ok(token_equal("abcdefghijklmnoX", "abcdefghijklmnop") == 0,
	    "token_equal: last byte differs");
	ok(token_equal("abcdefghijklmno", "abcdefghijklmnop") == 0,
	    "token_equal: prefix is not equal");
	ok(token_equal("abcdefghijklmnop", "abcdefghijklmnopq") == 0,
	    "token_equal: longer is not equal");
	ok(token_equal("", "") == 1, "token_equal: empty equals empty");
	ok(token_equal("", "a") == 0, "token_equal: empty vs one byte");
	ok(token_equal(NULL, "a") == 0 && token_equal("a", NULL) == 0 &&
	    token_equal(NULL, NULL) == 0, "token_equal: NULL never equal");
}

static void
test_sha256_random(void)
{
	static const unsigned char abc[32] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea,
		0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
		0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
		0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad
	};
	static const unsigned char empty[32] = {
		0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14,
		0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
		0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c,
		0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55
	};
	unsigned char	 md[32], a[32], b[32];

	sha256("abc", 3, md);
	ok(memcmp(md, abc, 32) == 0, "sha256(\"abc\")");
	sha256(NULL, 0, md);
	ok(memcmp(md, empty, 32) == 0, "sha256 of nothing");
	ok(random_bytes(a, sizeof(a)) == 1 && random_bytes(b, sizeof(b)) == 1,
	    "random_bytes succeeds");
	ok(memcmp(a, b, sizeof(a)) != 0, "random_bytes: two draws differ");
}

int
main(void)
{
	test_vectors();
	test_malformed();
	test_secrets();
	test_tokens();
	test_sha256_random();
	return done_testing();
}
