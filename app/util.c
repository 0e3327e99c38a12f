/*
 * util.c: clocks, bounded string copy and time formatting.
 */
#include <string.h>
#include <time.h>

#include "extern.h"

/*
 * Returns the wall-clock time in microseconds since the Unix epoch.
 */
int64_t
now_us(void)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
		return 0;
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/*
 * Returns a monotonic time in nanoseconds, for measuring durations only.
 */
int64_t
mono_ns(void)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		return 0;
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * Copies src into dst of size bytes, always terminating dst when size > 0.
 * Returns strlen(src); a result >= size means dst was truncated.
 */
size_t
vp_strlcpy(char *dst, const char *src, size_t size)
{
	size_t	 len;

	len = strlen(src);
	if (size > 0) {
		size_t n = len < size - 1 ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

/*
 * Formats unix seconds t as "YYYY-MM-DDTHH:MM:SSZ" (UTC) into out.
 * A time that cannot be represented in that form yields "".
 */
void
rfc3339(int64_t t, char out[21])
{
	struct tm	 tm;
	time_t		 tt;

	out[0] = '\0';
	tt = (time_t)t;
	if ((int64_t)tt != t || gmtime_r(&tt, &tm) == NULL)
		return;
	if (tm.tm_year < -1900 || tm.tm_year > 9999 - 1900)
		return;
	if (strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) != 20)
		out[0] = '\0';
}

/* Value of the hex digit c (either case), or -1. */
int
hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Copies untrusted s[0..len) into out (always terminated) for a client
 * error message: at most VP_ECHO_MAX bytes, printable ASCII other than
 * '"' and '\\' as is, '?' for anything else, "..." when cut.
 */
void
echo_safe(const char *s, size_t len, char *out, size_t outsz)
{
	size_t	 i, n = 0;

	if (outsz == 0)
		return;
	for (i = 0; i < len && i < VP_ECHO_MAX && n + 1 < outsz; i++)
		out[n++] = (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '"' &&
		    s[i] != '\\') ? s[i] : '?';
	out[n] = '\0';
	if (i < len && n + 4 <= outsz)
		memcpy(out + n, "...", 4);
}
