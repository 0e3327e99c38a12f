/*
 * crypto.c: the only user of OpenSSL (libcrypto).
 *
 * HMAC-SHA256 webhook signatures, constant-time token comparison,
 * SHA-256 and random bytes. Only the one-shot HMAC() and EVP_Digest()
 * are used (the HMAC_CTX_* functions are deprecated in OpenSSL 3.0).
 * Comparisons of secret-dependent bytes go through CRYPTO_memcmp, over
 * fixed-size digests, with no early exit.
 */
#include <limits.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "extern.h"

#define SIG_PREFIX	"sha256="
#define SIG_HEXLEN	64

static const char hexdigits[] = "0123456789abcdef";

/*
 * Decodes exactly 64 hex digits at s into out. Returns 1 if s is exactly
 * that, else 0 (out is then zeroed). s is the sender's own value, so
 * branching on it reveals nothing about any secret.
 */
static int
sig_decode(const char *s, unsigned char out[32])
{
	size_t	 i;
	int	 hi, lo;

	memset(out, 0, 32);
	if (strlen(s) != SIG_HEXLEN)
		return 0;
	for (i = 0; i < 32; i++) {
		hi = hex_digit((unsigned char)s[2 * i]);
		lo = hex_digit((unsigned char)s[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			memset(out, 0, 32);
			return 0;
		}
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 1;
}

/* HMAC-SHA256(secret, body) into md. Returns 1 on success, 0 on failure. */
static int
hmac_sha256(const char *secret, const char *body, size_t len,
    unsigned char md[32])
{
	unsigned int	 mdlen = 0;

	if (secret == NULL)
		secret = "";
	if (body == NULL) {
		body = "";
		len = 0;
	}
	if (strlen(secret) > INT_MAX)
		return 0;
	if (HMAC(EVP_sha256(), secret, (int)strlen(secret),
	    (const unsigned char *)body, len, md, &mdlen) == NULL ||
	    mdlen != 32) {
		memset(md, 0, 32);
		return 0;
	}
	return 1;
}

/* SHA-256 into out; returns 1 on success, 0 on failure. */
static int
sha256_ok(const void *p, size_t n, unsigned char out[32])
{
	unsigned int	 outlen = 0;

	if (p == NULL) {
		p = "";
		n = 0;
	}
	if (EVP_Digest(p, n, out, &outlen, EVP_sha256(), NULL) != 1 ||
	    outlen != 32)
		return 0;
	return 1;
}

/*
 * Checks an X-Webhook-Signature value against every secret. The value is
 * decoded first; then every secret's HMAC is computed and compared with
 * CRYPTO_memcmp, results OR-ed, no early exit, the same work done for a
 * malformed value. Returns 1 on a match, else 0.
 */
int
sig_verify(const char *header, const char *body, size_t len,
    const char *const *secrets, size_t nsecrets)
{
	unsigned char	 want[32], md[32];
	const char	*hex;
	size_t		 i;
	int		 wellformed, match = 0;

	if (header == NULL || secrets == NULL)
		return 0;
	hex = header;
	if (strncasecmp(hex, SIG_PREFIX, sizeof(SIG_PREFIX) - 1) == 0)
		hex += sizeof(SIG_PREFIX) - 1;
	wellformed = sig_decode(hex, want);

	for (i = 0; i < nsecrets; i++) {
		if (secrets[i] == NULL || secrets[i][0] == '\0')
			continue;	/* never accept an empty secret */
		if (!hmac_sha256(secrets[i], body, len, md))
			continue;
		match |= CRYPTO_memcmp(md, want, sizeof(md)) == 0;
	}
	OPENSSL_cleanse(md, sizeof(md));
	return wellformed && match;
}

/*
 * Writes the lowercase hex HMAC-SHA256 of body under secret into out
 * (64 digits and a NUL). On an OpenSSL failure out is "".
 */
void
sig_hex(const char *secret, const char *body, size_t len, char out[65])
{
	unsigned char	 md[32];
	size_t		 i;

	if (!hmac_sha256(secret, body, len, md)) {
		out[0] = '\0';
		return;
	}
	for (i = 0; i < 32; i++) {
		out[2 * i] = hexdigits[md[i] >> 4];
		out[2 * i + 1] = hexdigits[md[i] & 0xf];
	}
	out[64] = '\0';
}

/*
 * Constant-time equality of two NUL-terminated tokens: compares their
 * SHA-256 digests, so neither the position of the first difference nor
 * the lengths show in the time taken. Returns 1 if equal, else 0 (also
 * for NULL or on a hashing failure).
 */
int
token_equal(const char *a, const char *b)
{
	unsigned char	 da[32], db[32];
	int		 ok;

	if (a == NULL || b == NULL)
		return 0;
	ok = sha256_ok(a, strlen(a), da);
	ok &= sha256_ok(b, strlen(b), db);
	ok &= CRYPTO_memcmp(da, db, sizeof(da)) == 0;
	return ok;
}

/*
 * SHA-256 of n bytes at p into out. On an OpenSSL failure (allocation)
 * out is set to all 0xff, which matches no stored key hash, and the
 * failure is logged.
 */
void
sha256(const void *p, size_t n, unsigned char out[32])
{
	if (!sha256_ok(p, n, out)) {
		memset(out, 0xff, 32);
		log_warnx("%s: EVP_Digest failed", __func__);
	}
}

/*
 * Fills buf with n bytes from the OpenSSL CSPRNG. Returns 1 on success,
 * 0 on failure (buf is then zeroed).
 */
int
random_bytes(unsigned char *buf, size_t n)
{
	if (n > INT_MAX || RAND_bytes(buf, (int)n) != 1) {
		OPENSSL_cleanse(buf, n);
		return 0;
	}
	return 1;
}
