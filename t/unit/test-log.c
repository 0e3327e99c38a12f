/*
 * test-log.c: log_escape() (control bytes, quotes, backslashes, UTF-8
 * bytes, truncation at escape boundaries), log_mask_number(), the line
 * format of log_warn/log_warnx/log_debug, and the request log line,
 * which must never carry the body, path, query, signature or
 * Authorization header.
 */
#include "../../app/log.c"

#include <ctype.h>
#include <fcntl.h>

#include "tap.h"

static int	 saved_stderr = -1;
static FILE	*capf;

static void	 capture_start(void);
static char	*capture_end(void);
static int	 well_escaped(const char *);

/* Sends stderr to a temporary file. */
static void
capture_start(void)
{
	fflush(stderr);
	if ((capf = tmpfile()) == NULL) {
		perror("tmpfile");
		exit(1);
	}
	saved_stderr = dup(STDERR_FILENO);
	dup2(fileno(capf), STDERR_FILENO);
}

/* Restores stderr; returns what was written (malloc'd). */
static char *
capture_end(void)
{
	char	*buf;
	long	 n;

	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	fseek(capf, 0, SEEK_END);
	if ((n = ftell(capf)) < 0)
		n = 0;
	rewind(capf);
	buf = calloc(1, (size_t)n + 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, capf) != (size_t)n) {
		perror("capture");
		exit(1);
	}
	fclose(capf);
	return buf;
}

/* Printable ASCII only, no '"', and every '\' starts "\xHH". */
static int
well_escaped(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e ||
		    *s == '"')
			return 0;
		if (*s == '\\') {
			if (s[1] != 'x' || !isxdigit((unsigned char)s[2]) ||
			    !isxdigit((unsigned char)s[3]))
				return 0;
			s += 3;
		}
	}
	return 1;
}

int
main(void)
{
	static char	 body[] = "sessionId=ATVId_1&BODYSECRET=1";
	static const char nasty[] = "a\"b\\c\n\r\t\x01\x7f\xc3\xa9z=\x00q";
	struct req	 r;
	struct resp	 rs;
	char		 out[512], want[512], *got, *p;
	size_t		 sz;
	int		 allgood, i;

	log_init("voicepactd", 0);

	/* log_escape */
	log_escape("plain text 123", 14, out, sizeof(out));
	is_str(out, "plain text 123", "printable ASCII unchanged");
	log_escape(nasty, sizeof(nasty) - 1, out, sizeof(out));
	is_str(out, "a\\x22b\\x5cc\\x0a\\x0d\\x09\\x01\\x7f\\xc3\\xa9z=\\x00q",
	    "quotes, backslash, controls, DEL, UTF-8 and NUL escaped");
	log_escape("\xff\xfe", 2, out, sizeof(out));
	is_str(out, "\\xff\\xfe", "invalid UTF-8 bytes escaped");
	log_escape(NULL, 5, out, sizeof(out));
	is_str(out, "", "NULL input gives an empty string");
	log_escape("abc", 0, out, sizeof(out));
	is_str(out, "", "len 0 gives an empty string");

	/* Truncation. */
	log_escape("abcdefg", 7, out, 8);
	is_str(out, "abcdefg", "exact fit is not truncated");
	log_escape("abcdefghij", 10, out, 8);
	is_str(out, "abcd...", "truncated with ...");
	log_escape("\n\n\n", 3, out, 8);
	is_str(out, "\\x0a...", "truncation keeps whole escapes");
	log_escape("a\nb", 3, out, 6);
	is_str(out, "a...", "an escape that does not fit is dropped whole");
	log_escape("abcdef", 6, out, 3);
	is_str(out, "..", "tiny buffer still terminated");
	memset(out, 'Z', sizeof(out));
	log_escape("abcdef", 6, out, 1);
	is_int(out[0], '\0', "outsz 1 gives an empty string");
	ok(out[1] == 'Z', "nothing written past outsz");
	log_escape("abc", 3, out, 0);
	ok(out[0] == '\0' && out[1] == 'Z', "outsz 0 writes nothing");

	allgood = 1;
	for (sz = 1; sz < 64; sz++) {
		memset(out, 'Z', sizeof(out));
		log_escape(nasty, sizeof(nasty) - 1, out, sz);
		if (strlen(out) >= sz || out[sz] != 'Z' || !well_escaped(out)) {
			diag("outsz %zu: \"%s\"", sz, out);
			allgood = 0;
		}
	}
	ok(allgood, "every outsz 1..63: terminated, bounded, no split escape");

	/* log_mask_number */
	log_mask_number("+254712345678", out, sizeof(out));
	is_str(out, "+*********678", "E.164 keeps + and the last 3 digits");
	log_mask_number("0712345678", out, sizeof(out));
	is_str(out, "*******678", "national number masked");
	log_mask_number("+12", out, sizeof(out));
	is_str(out, "+12", "3 digits or fewer kept");
	log_mask_number("sip:alice@example.com", out, sizeof(out));
	is_str(out, "******************com", "SIP address: last 3 kept");
	log_mask_number("Browser.client", out, sizeof(out));
	is_str(out, "***********ent", "client id: last 3 kept");
	log_mask_number("x\"\n\x01", out, sizeof(out));
	is_str(out, "*\\x22\\x0a\\x01", "kept bytes are escaped");
	log_mask_number("", out, sizeof(out));
	is_str(out, "", "empty stays empty");
	log_mask_number(NULL, out, sizeof(out));
	is_str(out, "", "NULL gives an empty string");
	log_mask_number("+254712345678", out, 5);
	is_str(out, "+***", "truncated to outsz");

	/* Line format. */
	capture_start();
	errno = ENOENT;
	log_warn("%s: open %s", "func", "x");
	log_warnx("two\nlines\r");
	log_info("info %d", 42);
	log_debug("hidden");
	log_init("voicepactd", 1);
	log_debug("shown");
	log_init("voicepactd", 0);
	got = capture_end();
	snprintf(want, sizeof(want),
	    "voicepactd[%ld]: func: open x: No such file or directory\n"
	    "voicepactd[%ld]: two\\x0alines\\x0d\n"
	    "voicepactd[%ld]: info 42\n"
	    "voicepactd[%ld]: shown\n",
	    (long)getpid(), (long)getpid(), (long)getpid(), (long)getpid());
	is_str(got, want, "prefix, strerror, one line each, debug gated");
	free(got);

	capture_start();
	memset(out, 'a', sizeof(out) - 1);
	out[sizeof(out) - 1] = '\0';
	for (i = 0; i < 8; i++)
		log_warnx("%s%s%s%s", out, out, out, out);
	got = capture_end();
	for (i = 0, p = got; *p != '\0'; p++)
		if (*p == '\n')
			i++;
	ok(i == 8 && strlen(got) <= 8 * (LOG_LINE_MAX + 16),
	    "over-long messages are cut, still one line each");
	free(got);

	/* The request line. */
	memset(&r, 0, sizeof(r));
	memset(&rs, 0, sizeof(rs));
	r.method = "POST";
	r.path = "/api/v1/voice/webhook/SECRETTOKEN0123456789";
	r.query = "key=QUERYSECRET";
	r.content_type = "application/x-www-form-urlencoded";
	r.remote_addr = "127.0.0.1";
	r.request_id = "0123abcd";
	r.signature = "sha256=SIGNATURESECRET";
	r.authorization = "Bearer vpk_APIKEYSECRET";
	r.body = body;
	r.body_len = strlen(r.body);
	r.start_ns = mono_ns() - 1234567;
	rs.status = 200;
	rs.route = "webhook";
	rs.outcome = "stored";
	rs.reason = "bad \"sig\"\n";
	vp_strlcpy(rs.session_id, "ATVId_1", sizeof(rs.session_id));
	capture_start();
	log_request(&r, &rs);
	got = capture_end();
	snprintf(want, sizeof(want), "voicepactd[%ld]: request_id=0123abcd "
	    "method=POST route=webhook status=200 outcome=stored latency_ms=",
	    (long)getpid());
	ok(strncmp(got, want, strlen(want)) == 0, "request line prefix");
	diag("%.*s", (int)strcspn(got, "\n"), got);
	p = got + strlen(want);
	ok(p[0] >= '1' && p[0] <= '9' && strchr(p, '.') != NULL &&
	    strchr(p, '.') - p <= 6 && isdigit((unsigned char)strchr(p, '.')[1])
	    && isdigit((unsigned char)strchr(p, '.')[3]) &&
	    strchr(p, '.')[4] == ' ', "latency_ms is ms with 3 decimals");
	ok(strstr(got, " session=ATVId_1 remote=127.0.0.1 "
	    "reason=\"bad \\x22sig\\x22\\x0a\"\n") != NULL,
	    "session, remote, quoted and escaped reason, one line");
	ok(strstr(got, "SECRETTOKEN") == NULL, "no path token");
	ok(strstr(got, "QUERYSECRET") == NULL, "no query string");
	ok(strstr(got, "SIGNATURESECRET") == NULL, "no signature");
	ok(strstr(got, "APIKEYSECRET") == NULL, "no Authorization");
	ok(strstr(got, "BODYSECRET") == NULL, "no body");
	free(got);

	memset(&r, 0, sizeof(r));
	memset(&rs, 0, sizeof(rs));
	rs.status = 404;
	capture_start();
	log_request(&r, &rs);
	log_request(NULL, NULL);
	got = capture_end();
	snprintf(want, sizeof(want), "voicepactd[%ld]: request_id=- method=- "
	    "route=- status=404 outcome=- latency_ms=- session=- remote=- "
	    "reason=-\nvoicepactd[%ld]: request_id=- method=- route=- "
	    "status=0 outcome=- latency_ms=- session=- remote=- reason=-\n",
	    (long)getpid(), (long)getpid());
	is_str(got, want, "absent values are -");
	free(got);

	r.request_id = "";
	r.method = "GET";
	r.remote_addr = "a=b";
	rs.status = 401;
	capture_start();
	log_request(&r, &rs);
	got = capture_end();
	ok(strstr(got, "request_id=\"\" method=GET") != NULL &&
	    strstr(got, "remote=\"a=b\"") != NULL,
	    "empty values and values with '=' are quoted");
	free(got);

	/* A phone number echoed into a reason is masked; short runs stay. */
	rs.reason = "duplicate key \"+254712345678\" in form body, line 42";
	capture_start();
	log_request(&r, &rs);
	got = capture_end();
	ok(strstr(got, "\\x22+*********678\\x22") != NULL &&
	    strstr(got, "254712345678") == NULL &&
	    strstr(got, "line 42") != NULL,
	    "reason: digit runs of 7+ masked to the last 3, short ones kept");
	free(got);

	/* Written with separators, numbers are masked all the same. */
	rs.reason = "keys \"+254 712 345 678\" \"(254)712-345-678\" "
	    "\"+254.712.345.678\", line 42, 2 of 3";
	capture_start();
	log_request(&r, &rs);
	got = capture_end();
	if (!ok(got != NULL && strstr(got, "+*** *** *** 678") != NULL &&
	    strstr(got, "(***)***-***-678") != NULL &&
	    strstr(got, "+***.***.***.678") != NULL &&
	    strstr(got, "712") == NULL && strstr(got, "line 42, 2 of 3") != NULL,
	    "reason: numbers with spaces, dashes, dots, parentheses masked"))
		diag("%s", got != NULL ? got : "(nothing)");
	free(got);

	return done_testing();
}
