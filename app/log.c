/*
 * log.c: logging to stderr, one line per message.
 *
 * Every line is "progname[pid]: message"; under systemd, journald
 * captures stderr. Callers start their text with __func__ where it helps
 * and escape untrusted bytes with log_escape(); as a last defence every
 * control byte left in a formatted message is escaped here too, so a
 * message can never span two lines. Each line is written with a single
 * write(2), so lines from the master and the workers do not interleave.
 *
 * The request log line (log_request) is a stable key=value format that
 * tests assert on; it never carries a body, signature, token, API key,
 * Authorization header, path or query string.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "extern.h"

#define LOG_LINE_MAX	2048	/* one line, prefix and newline included */

static const char	*log_progname = "voicepactd";
static int		 log_debug_on;

static void	 vlog(int, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));
static void	 log_write_line(const char *, size_t);
static size_t	 esc_byte(unsigned char, char *);
static int	 is_phone_like(const char *);
static void	 kv_put(char *, size_t, size_t *, const char *,
		    const char *);
static void	 mask_digit_runs(char *);

/*
 * Sets the program name shown on every line (borrowed: it must outlive
 * all logging, e.g. a string literal or argv[0]) and whether log_debug()
 * prints. NULL keeps the default "voicepactd".
 */
void
log_init(const char *progname, int debug)
{
	if (progname != NULL && *progname != '\0')
		log_progname = progname;
	log_debug_on = debug;
}

/* Writes len bytes in one write(2), retrying on EINTR only. */
static void
log_write_line(const char *buf, size_t len)
{
	ssize_t	 n;

	while (len > 0) {
		n = write(STDERR_FILENO, buf, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

/*
 * Formats one line: prefix, message, optionally ": strerror(errno)".
 * Control bytes in the formatted message become \xHH. errno is kept.
 */
static void
vlog(int with_errno, const char *fmt, va_list ap)
{
	char	 msg[LOG_LINE_MAX], line[LOG_LINE_MAX + 16];
	size_t	 len, i;
	int	 saved = errno, n;

	if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0)
		vp_strlcpy(msg, "(unformattable log message)", sizeof(msg));
	n = snprintf(line, sizeof(line), "%s[%ld]: ", log_progname,
	    (long)getpid());
	len = n < 0 ? 0 : (size_t)n;
	for (i = 0; msg[i] != '\0' && len + 5 < LOG_LINE_MAX; i++) {
		unsigned char c = (unsigned char)msg[i];

		if (c < 0x20 || c == 0x7f)
			len += esc_byte(c, line + len);
		else
			line[len++] = (char)c;
	}
	line[len] = '\0';
	if (with_errno) {
		n = snprintf(line + len, LOG_LINE_MAX - len, ": %s",
		    strerror(saved));
		if (n > 0)
			len += (size_t)n < LOG_LINE_MAX - len ?
			    (size_t)n : LOG_LINE_MAX - len - 1;
	}
	line[len++] = '\n';
	log_write_line(line, len);
	errno = saved;
}

/* Logs the message followed by ": " and strerror(errno). */
void
log_warn(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(1, fmt, ap);
	va_end(ap);
}

/* Logs the message as is. */
void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(0, fmt, ap);
	va_end(ap);
}

/* Logs an informational message. */
void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(0, fmt, ap);
	va_end(ap);
}

/* Logs only if log_init() was called with debug set. */
void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (!log_debug_on)
		return;
	va_start(ap, fmt);
	vlog(0, fmt, ap);
	va_end(ap);
}

/*
 * Logs the message with strerror(errno) and exits 1. For startup and
 * privilege-drop failures only, never for a request.
 */
void
fatal(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(1, fmt, ap);
	va_end(ap);
	exit(1);
}

/* Logs the message and exits 1. Startup only, like fatal(). */
void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(0, fmt, ap);
	va_end(ap);
	exit(1);
}

/* Writes "\xHH" for c into out (4 bytes, not terminated); returns 4. */
static size_t
esc_byte(unsigned char c, char *out)
{
	static const char	 hex[] = "0123456789abcdef";

	out[0] = '\\';
	out[1] = 'x';
	out[2] = hex[c >> 4];
	out[3] = hex[c & 0xf];
	return 4;
}

/*
 * Escapes len bytes of in (NULL: empty) into out, outsz bytes: every byte
 * outside 0x20..0x7e, and '"' and '\\', becomes \xHH, so the result is
 * printable ASCII that can be quoted unambiguously. If the result does
 * not fit, it is cut at an escape boundary and ends in "...". out is
 * always NUL-terminated when outsz > 0.
 */
void
log_escape(const char *in, size_t len, char *out, size_t outsz)
{
	char	 tmp[4];
	size_t	 i, o = 0, w, j, mark = 0;

	if (out == NULL || outsz == 0)
		return;
	if (in == NULL)
		len = 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c < 0x20 || c > 0x7e || c == '"' || c == '\\')
			w = esc_byte(c, tmp);
		else {
			tmp[0] = (char)c;
			w = 1;
		}
		if (o + w + 1 > outsz)
			goto truncate;
		for (j = 0; j < w; j++)
			out[o++] = tmp[j];
		/* The last unit boundary after which "..." still fits. */
		if (o + 4 <= outsz)
			mark = o;
	}
	out[o] = '\0';
	return;

truncate:
	o = mark;
	for (j = 0; j < 3 && o + 1 < outsz; j++)
		out[o++] = '.';
	out[o] = '\0';
}

/* 1 if s is an optional '+' then digits only (at least one), else 0. */
static int
is_phone_like(const char *s)
{
	if (*s == '+')
		s++;
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/*
 * Masks a caller identifier for the log into out (always terminated,
 * truncated if outsz is too small). A phone number keeps its '+' and its
 * last 3 digits ("+254712345678" -> "+*********678"); anything else (a
 * SIP address, a client id) keeps only its last 3 bytes, escaped as by
 * log_escape(). NULL becomes "".
 */
void
log_mask_number(const char *in, char *out, size_t outsz)
{
	char	 tmp[4];
	size_t	 len, i, o = 0, w, j, keep_from, ndig = 0;
	int	 phone;

	if (out == NULL || outsz == 0)
		return;
	out[0] = '\0';
	if (in == NULL)
		return;
	len = strlen(in);
	phone = is_phone_like(in);
	if (phone) {
		for (i = 0; i < len; i++)
			if (in[i] >= '0' && in[i] <= '9')
				ndig++;
		keep_from = ndig > 3 ? ndig - 3 : 0;	/* in digits */
	} else
		keep_from = len > 3 ? len - 3 : 0;	/* in bytes */

	for (i = 0, ndig = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (phone && (c < '0' || c > '9')) {
			tmp[0] = (char)c;	/* the '+' */
			w = 1;
		} else if ((phone ? ndig++ : i) < keep_from) {
			tmp[0] = '*';
			w = 1;
		} else if (c < 0x20 || c > 0x7e || c == '"' || c == '\\')
			w = esc_byte(c, tmp);
		else {
			tmp[0] = (char)c;
			w = 1;
		}
		if (o + w + 1 > outsz)
			break;
		for (j = 0; j < w; j++)
			out[o++] = tmp[j];
	}
	out[o] = '\0';
}

/* Separators seen inside written phone numbers: "+254 712-345.678". */
static int
phone_sep(char c)
{
	return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' ||
	    c == '/';
}

/*
 * Masks, in place, every phone-number-like run in s (7 or more digits,
 * possibly split by up to two separators at a time: spaces, dashes,
 * dots, parentheses, slashes) except its last 3 digits: a number echoed
 * into a reason (a form key, say) never reaches the log in full.
 */
static void
mask_digit_runs(char *s)
{
	size_t	 i, j, k, nd, left;

	for (i = 0; s[i] != '\0'; i = j) {
		if (!(s[i] >= '0' && s[i] <= '9')) {
			j = i + 1;
			continue;
		}
		for (j = i, nd = 0; s[j] != '\0'; ) {
			if (s[j] >= '0' && s[j] <= '9') {
				nd++;
				j++;
			} else if (phone_sep(s[j]) && ((s[j + 1] >= '0' &&
			    s[j + 1] <= '9') || (phone_sep(s[j + 1]) &&
			    s[j + 2] >= '0' && s[j + 2] <= '9')))
				j++;
			else
				break;
		}
		if (nd < 7)
			continue;
		for (k = i, left = nd; k < j && left > 3; k++)
			if (s[k] >= '0' && s[k] <= '9') {
				s[k] = '*';
				left--;
			}
	}
}

/*
 * Appends " key=value" to buf (size bufsz, fill *off). value NULL is "-";
 * the value is escaped and quoted if it is empty or holds a space or '='.
 */
static void
kv_put(char *buf, size_t bufsz, size_t *off, const char *key,
    const char *value)
{
	char	 esc[512];
	int	 n, quote;

	if (value == NULL)
		vp_strlcpy(esc, "-", sizeof(esc));
	else
		log_escape(value, strlen(value), esc, sizeof(esc));
	quote = value != NULL &&
	    (*esc == '\0' || strchr(esc, ' ') != NULL ||
	    strchr(esc, '=') != NULL);
	if (*off >= bufsz)
		return;
	n = snprintf(buf + *off, bufsz - *off, "%s%s=%s%s%s",
	    *off == 0 ? "" : " ", key, quote ? "\"" : "", esc,
	    quote ? "\"" : "");
	if (n > 0)
		*off += (size_t)n;
	if (*off >= bufsz)
		*off = bufsz - 1;
}

/*
 * Logs the one request line:
 *   request_id=.. method=POST route=webhook status=200 outcome=stored
 *   latency_ms=1.234 session=ATVId_.. remote=127.0.0.1 reason="..."
 * Absent values are "-". Latency is mono_ns() - r->start_ns. Only these
 * fields are printed: never the body, path (it may hold the token),
 * query string, signature or Authorization header; digit runs that could
 * be phone numbers are masked in the reason.
 */
void
log_request(const struct req *r, const struct resp *rs)
{
	char		 line[LOG_LINE_MAX - 64], num[32], lat[32];
	char		 reason[sizeof(rs->reason_buf)];
	size_t		 off = 0;
	int64_t		 ns;

	line[0] = '\0';
	kv_put(line, sizeof(line), &off, "request_id",
	    r != NULL ? r->request_id : NULL);
	kv_put(line, sizeof(line), &off, "method",
	    r != NULL ? r->method : NULL);
	kv_put(line, sizeof(line), &off, "route",
	    rs != NULL ? rs->route : NULL);
	snprintf(num, sizeof(num), "%d", rs != NULL ? rs->status : 0);
	kv_put(line, sizeof(line), &off, "status", num);
	kv_put(line, sizeof(line), &off, "outcome",
	    rs != NULL ? rs->outcome : NULL);
	if (r != NULL && r->start_ns > 0) {
		ns = mono_ns() - r->start_ns;
		if (ns < 0)
			ns = 0;
		snprintf(lat, sizeof(lat), "%lld.%03lld",
		    (long long)(ns / 1000000), (long long)(ns / 1000 % 1000));
		kv_put(line, sizeof(line), &off, "latency_ms", lat);
	} else
		kv_put(line, sizeof(line), &off, "latency_ms", NULL);
	kv_put(line, sizeof(line), &off, "session",
	    rs != NULL && rs->session_id[0] != '\0' ? rs->session_id : NULL);
	kv_put(line, sizeof(line), &off, "remote",
	    r != NULL ? r->remote_addr : NULL);
	if (rs != NULL && rs->reason != NULL) {
		vp_strlcpy(reason, rs->reason, sizeof(reason));
		mask_digit_runs(reason);
	}
	kv_put(line, sizeof(line), &off, "reason",
	    rs != NULL && rs->reason != NULL ? reason : NULL);
	log_info("%s", line);
}
