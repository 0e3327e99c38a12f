/*
 * validate.c: single-field rules, each a pure function of its input.
 */
#include <limits.h>
#include <string.h>
#include <strings.h>

#include "extern.h"

/*
 * Returns 1 if s[0..len) is well-formed UTF-8 (RFC 3629): no overlong
 * forms, no surrogates, nothing above U+10FFFF. NUL bytes are allowed
 * here; callers that store text reject them separately.
 */
int
valid_utf8(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0;
	unsigned char		 c, lo, hi;
	int			 n, k;

	while (i < len) {
		c = p[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		lo = 0x80;
		hi = 0xbf;
		if (c >= 0xc2 && c <= 0xdf)
			n = 1;
		else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			if (c == 0xe0)
				lo = 0xa0;	/* overlong */
			else if (c == 0xed)
				hi = 0x9f;	/* surrogates */
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			if (c == 0xf0)
				lo = 0x90;	/* overlong */
			else if (c == 0xf4)
				hi = 0x8f;	/* > U+10FFFF */
		} else
			return 0;
		if (len - i - 1 < (size_t)n)
			return 0;
		if (p[i + 1] < lo || p[i + 1] > hi)
			return 0;
		for (k = 2; k <= n; k++)
			if (p[i + k] < 0x80 || p[i + k] > 0xbf)
				return 0;
		i += n + 1;
	}
	return 1;
}

/*
 * Returns 1 if s is 1..VP_SESSION_MAX characters of [A-Za-z0-9._:-].
 */
int
valid_session_id(const char *s)
{
	size_t	 i;

	if (s == NULL)
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= VP_SESSION_MAX)
			return 0;
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '.' || s[i] == '_' || s[i] == ':' || s[i] == '-'))
			return 0;
	}
	return i > 0;
}

/*
 * Returns 1 if s is E.164: '+' then 7..15 digits, the first not 0.
 */
int
valid_e164(const char *s)
{
	size_t	 i;

	if (s == NULL || s[0] != '+' || s[1] < '1' || s[1] > '9')
		return 0;
	for (i = 1; s[i] != '\0'; i++)
		if (s[i] < '0' || s[i] > '9' || i > 15)
			return 0;
	return i - 1 >= 7;
}

static int
ishex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

/* RFC 3986 unreserved and reserved characters (not '%'). */
static int
url_char(char c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("-._~:/?#[]@!$&'()*+,;=", c) != NULL;
}

/*
 * Returns 1 if s is an absolute http:// or https:// URL (scheme in any
 * case) of at most VP_URL_MAX bytes, with a non-empty host, an optional
 * numeric port, no user information, and only RFC 3986 characters
 * ('%' only as a complete %XX escape). Anything else (spaces, control
 * bytes, '<', '>', '"', '\\', non-ASCII, other schemes) is refused.
 */
int
valid_url(const char *s)
{
	const char	*auth, *end, *host_end, *p;
	size_t		 len, i;
	long		 port;

	if (s == NULL)
		return 0;
	len = strnlen(s, VP_URL_MAX + 1);
	if (len > VP_URL_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '%') {
			if (!ishex(s[i + 1]) || !ishex(s[i + 2]))
				return 0;
			i += 2;
		} else if (!url_char(s[i]))
			return 0;
	}
	if (strncasecmp(s, "http://", 7) == 0)
		auth = s + 7;
	else if (strncasecmp(s, "https://", 8) == 0)
		auth = s + 8;
	else
		return 0;
	end = auth + strcspn(auth, "/?#");
	if (memchr(auth, '@', end - auth) != NULL)
		return 0;
	if (*auth == '[') {
		/* IPv6 literal */
		if ((p = memchr(auth, ']', end - auth)) == NULL || p == auth + 1)
			return 0;
		for (host_end = auth + 1; host_end < p; host_end++)
			if (!ishex(*host_end) && *host_end != ':' &&
			    *host_end != '.')
				return 0;
		host_end = p + 1;
	} else {
		host_end = memchr(auth, ':', end - auth);
		if (host_end == NULL)
			host_end = end;
		if (host_end == auth)
			return 0;
		for (p = auth; p < host_end; p++)
			if (!((*p >= 'A' && *p <= 'Z') ||
			    (*p >= 'a' && *p <= 'z') ||
			    (*p >= '0' && *p <= '9') ||
			    *p == '.' || *p == '-' || *p == '_' || *p == '~' ||
			    *p == '%'))
				return 0;
	}
	if (host_end < end) {
		if (*host_end != ':' || end - host_end < 2 ||
		    end - host_end > 6)
			return 0;
		port = 0;
		for (p = host_end + 1; p < end; p++) {
			if (*p < '0' || *p > '9')
				return 0;
			port = port * 10 + (*p - '0');
		}
		if (port < 1 || port > 65535)
			return 0;
	}
	return 1;
}

/*
 * Returns 1 if s is at most max bytes of valid UTF-8 without C0 or C1
 * control characters or DEL. The empty string is valid.
 */
int
valid_text(const char *s, size_t max)
{
	const unsigned char	*p;
	size_t			 len, i;

	if (s == NULL)
		return 0;
	len = strnlen(s, max + 1);
	if (len > max)
		return 0;
	if (!valid_utf8(s, len))
		return 0;
	p = (const unsigned char *)s;
	for (i = 0; i < len; i++) {
		if (p[i] < 0x20 || p[i] == 0x7f)
			return 0;
		/* U+0080..U+009F are encoded C2 80..C2 9F */
		if (p[i] == 0xc2 && i + 1 < len && p[i + 1] <= 0x9f)
			return 0;
	}
	return 1;
}

/*
 * Parses s, which must be a non-empty string of ASCII digits only (no
 * sign, no spaces), into [min, max]. On success returns the value and
 * sets *errstr to NULL; otherwise returns 0 and sets *errstr to
 * "is not a number", "is too large" or "is too small".
 */
long long
strtonum_digits(const char *s, long long min, long long max,
    const char **errstr)
{
	long long	 v = 0;
	const char	*p;
	int		 big = 0;

	*errstr = NULL;
	if (s == NULL || *s == '\0') {
		*errstr = "is not a number";
		return 0;
	}
	for (p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '9') {
			*errstr = "is not a number";
			return 0;
		}
		if (!big) {
			if (v > (LLONG_MAX - (*p - '0')) / 10)
				big = 1;
			else
				v = v * 10 + (*p - '0');
		}
	}
	if (big || v > max) {
		*errstr = "is too large";
		return 0;
	}
	if (v < min) {
		*errstr = "is too small";
		return 0;
	}
	return v;
}
