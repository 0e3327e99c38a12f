/*
 * validate.c: single-field rules, each a pure function of its input.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

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
	/* The first character is alphanumeric: no ".", "..", "-x". */
	if (!((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') ||
	    (s[0] >= '0' && s[0] <= '9')))
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
	size_t	 len;

	if (s == NULL)
		return 0;
	len = strnlen(s, max + 1);
	if (len > max)
		return 0;
	return valid_utf8(s, len) && !has_control(s, len);
}

/*
 * Returns 1 if the UTF-8 text s[0..len) holds a control character: C0
 * (U+0000..U+001F), DEL or C1 (U+0080..U+009F, encoded C2 80..C2 9F).
 */
int
has_control(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i;

	for (i = 0; i < len; i++) {
		if (p[i] < 0x20 || p[i] == 0x7f)
			return 1;
		if (p[i] == 0xc2 && i + 1 < len && p[i + 1] >= 0x80 &&
		    p[i + 1] <= 0x9f)
			return 1;
	}
	return 0;
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

/*
 * Returns 1 if s is AT's callStartTime shape "YYYY-MM-DD HH:MM:SS" (no
 * zone), a real calendar date and time, and not later than max (unix
 * seconds, read as UTC: callers pass now plus a day of slack for zones).
 */
int
valid_at_time(const char *s, int64_t max)
{
	static const char	 shape[] = "dddd-dd-dd dd:dd:dd";
	static const int	 mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31,
	    30, 31, 30, 31 };
	struct tm		 tm;
	int			 y, mo, d, h, mi, sec, leap;
	size_t			 i;

	if (s == NULL || strlen(s) != sizeof(shape) - 1)
		return 0;
	for (i = 0; i < sizeof(shape) - 1; i++)
		if (shape[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') :
		    s[i] != shape[i])
			return 0;
	y = atoi(s);
	mo = atoi(s + 5);
	d = atoi(s + 8);
	h = atoi(s + 11);
	mi = atoi(s + 14);
	sec = atoi(s + 17);
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 2000 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    (mo == 2 && d == 29 && !leap) || h > 23 || mi > 59 || sec > 60)
		return 0;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	return (int64_t)timegm(&tm) <= max;
}

/* Returns 1 if s is a decimal amount: 1..12 digits, optionally '.' and 1..6 digits. */
int
valid_amount(const char *s)
{
	size_t	 i = 0, n;

	if (s == NULL)
		return 0;
	for (n = 0; s[i] >= '0' && s[i] <= '9'; i++)
		n++;
	if (n < 1 || n > 12)
		return 0;
	if (s[i] == '\0')
		return 1;
	if (s[i++] != '.')
		return 0;
	for (n = 0; s[i] >= '0' && s[i] <= '9'; i++)
		n++;
	return n >= 1 && n <= 6 && s[i] == '\0';
}

/* Returns 1 if s is three uppercase ASCII letters. */
int
valid_currency(const char *s)
{
	return s != NULL && strlen(s) == 3 &&
	    s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' &&
	    s[2] >= 'A' && s[2] <= 'Z';
}
