/*
 * fcgi.c: the only file that uses libfcgi.
 *
 * Turns each FastCGI request into a struct req, hands it to the router,
 * and writes the struct resp back. Ownership: the body buffer belongs to
 * this file (one per worker, reused); params point into libfcgi's envp
 * and are valid until FCGX_Finish_r; the response body is freed here
 * after it is written.
 *
 * Pitfalls handled (spec/HARDENING.md section 2): the whole body is
 * always read to EOF, even for early rejections, so a kept connection is
 * never poisoned; a short or interrupted read (libfcgi's handlers lack
 * SA_RESTART) is APP_EINTR and never reaches a handler as a valid body;
 * duplicate security headers are found by scanning envp. SIGTERM and
 * SIGINT are blocked except while the worker waits for a connection, so
 * a stop ends an idle worker at once and a busy one after its request.
 *
 * A peer that connects and then stalls must not hold a worker for ever
 * (libfcgi reads without a timeout): the worker waits for a connection
 * with epoll (EPOLLEXCLUSIVE: one idle worker wakes per connection) on a
 * non-blocking listening socket, then arms SIGALRM READ_TIMEOUT seconds
 * ahead (then every second) around libfcgi's reads of the params and
 * the body. The alarm interrupts a stalled or dripping read (no
 * SA_RESTART), libfcgi drops the connection or reports a short body
 * (503), and the worker goes back to waiting. Connections are never
 * kept between requests.
 */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "extern.h"

#define DRAIN_MAX	(16 * 1024 * 1024)	/* give up draining after this */
#define READ_TIMEOUT	3			/* seconds for params + body */

static int	 read_body(FCGX_Request *, struct req *, char *, size_t);
static int	 count_param(char **, const char *);
static void	 write_resp(FCGX_Request *, const struct req *,
		    const struct resp *);

/*
 * Creates a listening unix socket at path with the given mode and group.
 * A stale socket file at path is removed; any other file there is an
 * error. Returns the fd, or -1 with errno set (the reason is logged).
 */
int
fcgi_listen_unix(const char *path, unsigned int mode, const char *group)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	struct group		*gr;
	mode_t			 old;
	int			 fd = -1, saved;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		log_warnx("%s: socket path too long: %s", __func__, path);
		errno = ENAMETOOLONG;
		return -1;
	}
	vp_strlcpy(sun.sun_path, path, sizeof(sun.sun_path));

	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			log_warnx("%s: %s exists and is not a socket",
			    __func__, path);
			errno = EEXIST;
			return -1;
		}
		if (unlink(path) == -1) {
			log_warn("%s: unlink %s", __func__, path);
			return -1;
		}
	}

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		log_warn("%s: socket", __func__);
		return -1;
	}
	/* Never exist with wider permissions than asked for. */
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		saved = errno;
		umask(old);
		log_warnx("%s: bind %s: %s", __func__, path, strerror(saved));
		goto fail;
	}
	umask(old);
	if (group != NULL && *group != '\0') {
		if ((gr = getgrnam(group)) == NULL) {
			log_warnx("%s: unknown group %s", __func__, group);
			goto fail;
		}
		if (chown(path, (uid_t)-1, gr->gr_gid) == -1) {
			log_warn("%s: chown %s to group %s", __func__, path,
			    group);
			goto fail;
		}
	}
	if (chmod(path, (mode_t)mode) == -1) {
		log_warn("%s: chmod %s", __func__, path);
		goto fail;
	}
	if (listen(fd, 1024) == -1) {
		log_warn("%s: listen", __func__);
		goto fail;
	}
	return fd;
fail:
	saved = errno;
	close(fd);
	unlink(path);
	errno = saved;
	return -1;
}

/*
 * Counts how many envp entries are named name (e.g. a header nginx passed
 * twice arrives as two HTTP_X_... params).
 */
static int
count_param(char **envp, const char *name)
{
	size_t	 len = strlen(name);
	int	 n = 0;

	for (; envp != NULL && *envp != NULL; envp++)
		if (strncmp(*envp, name, len) == 0 && (*envp)[len] == '=')
			n++;
	return n;
}

/*
 * Reads the whole body into buf (size bytes, VP_MAX_BODY + 1 at least)
 * and drains whatever does not fit. Sets r->body, r->body_len and
 * r->body_err: APP_ETOOBIG past VP_MAX_BODY, APP_EINTR if the stream
 * reported an error or ended before CONTENT_LENGTH bytes. Returns 0.
 */
static int
read_body(FCGX_Request *fr, struct req *r, char *buf, size_t size)
{
	const char	*cl;
	char		 scratch[4096];
	long long	 want = -1;
	size_t		 got = 0, total = 0;
	const char	*errstr;
	int		 n;

	r->body = buf;
	r->body_len = 0;
	r->body_err = APP_OK;

	/*
	 * No CONTENT_LENGTH at all (an HTTP/1.0 POST without one): an empty
	 * body, drained. An empty CONTENT_LENGTH (nginx streaming a chunked
	 * body unbuffered): read to EOF under our own limit.
	 */
	cl = FCGX_GetParam("CONTENT_LENGTH", fr->envp);
	if (cl == NULL)
		want = 0;
	else if (*cl != '\0') {
		want = strtonum_digits(cl, 0, 0x7fffffffLL, &errstr);
		if (errstr != NULL) {
			r->body_err = APP_EINVAL;
			want = -1;
		} else if (want > VP_MAX_BODY)
			r->body_err = APP_ETOOBIG;
	}

	/* Read into buf up to VP_MAX_BODY, then drain into scratch. */
	for (;;) {
		if (got < VP_MAX_BODY) {
			n = FCGX_GetStr(buf + got, (int)(VP_MAX_BODY - got),
			    fr->in);
			if (n <= 0)
				break;
			got += (size_t)n;
			total += (size_t)n;
		} else {
			n = FCGX_GetStr(scratch, sizeof(scratch), fr->in);
			if (n <= 0)
				break;
			total += (size_t)n;
			if (total > DRAIN_MAX)
				break;
		}
	}
	if (size > got)
		buf[got] = '\0';
	r->body_len = got;

	if (total > VP_MAX_BODY && r->body_err == APP_OK)
		r->body_err = APP_ETOOBIG;
	if (FCGX_GetError(fr->in) != 0) {
		r->body_err = APP_EINTR;
		return 0;
	}
	if (cl == NULL) {
		r->body_len = 0;	/* undeclared bytes are not a body */
		buf[0] = '\0';
		return 0;
	}
	if (want >= 0 && (size_t)want != total && r->body_err == APP_OK)
		r->body_err = APP_EINTR;
	return 0;
}

static void
on_alarm(int sig)
{
	(void)sig;
}

/*
 * Arms (seconds > 0) or disarms (0) the read deadline: SIGALRM after
 * seconds, then every second until disarmed, so that libfcgi cannot go
 * back to a blocking read after one interrupted read.
 */
static void
read_timer(int seconds)
{
	struct itimerval	 it;

	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = seconds;
	it.it_interval.tv_sec = seconds > 0 ? 1 : 0;
	(void)setitimer(ITIMER_REAL, &it, NULL);
}

/*
 * Waits until a connection may be pending on listen_fd, or a signal
 * arrives: the stop signals, blocked everywhere else, are let in here
 * only (waitmask). Returns 0 to try accepting, -1 on a fatal error.
 */
static int
wait_conn(int ep, const sigset_t *waitmask)
{
	struct epoll_event	 ev;

	if (epoll_pwait(ep, &ev, 1, -1, waitmask) == -1 && errno != EINTR) {
		log_warn("%s: epoll_wait", __func__);
		return -1;
	}
	return 0;
}

/*
 * Writes the status line, headers and body of rs. Header values are
 * ours (never client input), so no folding or escaping is needed.
 */
static void
write_resp(FCGX_Request *fr, const struct req *r, const struct resp *rs)
{
	FCGX_FPrintF(fr->out, "Status: %d %s\r\n", rs->status,
	    http_reason(rs->status));
	FCGX_FPrintF(fr->out, "Content-Type: %s\r\n",
	    rs->content_type != NULL ? rs->content_type :
	    "application/json");
	FCGX_FPrintF(fr->out, "Content-Length: %lu\r\n",
	    (unsigned long)rs->len);
	FCGX_FPrintF(fr->out, "Cache-Control: no-store\r\n");
	if (rs->allow != NULL)
		FCGX_FPrintF(fr->out, "Allow: %s\r\n", rs->allow);
	if (rs->www_auth)
		FCGX_FPrintF(fr->out, "WWW-Authenticate: Bearer\r\n");
	if (rs->retry_after > 0)
		FCGX_FPrintF(fr->out, "Retry-After: %d\r\n",
		    rs->retry_after);
	FCGX_PutS("\r\n", fr->out);
	if (rs->len > 0 && strcmp(r->method != NULL ? r->method : "",
	    "HEAD") != 0)
		FCGX_PutStr(rs->body, (int)rs->len, fr->out);
}

/*
 * Serves requests on listen_fd until *stop is set. Returns 0 on a clean
 * stop, -1 if the library could not be initialised or accept failed for
 * a reason other than a stop request.
 */
int
fcgi_serve(int listen_fd, struct worker *w, volatile sig_atomic_t *stop)
{
	FCGX_Request		 fr;
	struct req		 r;
	struct resp		 rs;
	struct sigaction	 sa;
	struct epoll_event	 ev;
	sigset_t		 stopsigs, waitmask;
	char			*buf;
	int			 rc, ret = 0, ep = -1, fl;

	if ((buf = malloc(VP_MAX_BODY + 1)) == NULL) {
		log_warn("%s: malloc", __func__);
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_alarm;	/* no SA_RESTART: reads return EINTR */
	if (sigaction(SIGALRM, &sa, NULL) == -1 ||
	    (fl = fcntl(listen_fd, F_GETFL)) == -1 ||
	    fcntl(listen_fd, F_SETFL, fl | O_NONBLOCK) == -1 ||
	    (ep = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		log_warn("%s: setting up the accept loop", __func__);
		free(buf);
		return -1;
	}
	/*
	 * SIGTERM/SIGINT stay blocked while a request is read and served,
	 * so that a stop (reload, restart) never cuts a request that libfcgi
	 * has accepted: the worker stops between requests. Stalled reads end
	 * by the alarm instead.
	 */
	sigemptyset(&stopsigs);
	sigaddset(&stopsigs, SIGTERM);
	sigaddset(&stopsigs, SIGINT);
	if (sigprocmask(SIG_BLOCK, &stopsigs, &waitmask) == -1) {
		log_warn("%s: sigprocmask", __func__);
		close(ep);
		free(buf);
		return -1;
	}
	sigdelset(&waitmask, SIGTERM);
	sigdelset(&waitmask, SIGINT);

	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, listen_fd, &ev) == -1) {
		log_warn("%s: epoll_ctl", __func__);
		close(ep);
		free(buf);
		return -1;
	}
	if (FCGX_Init() != 0 ||
	    FCGX_InitRequest(&fr, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		log_warnx("%s: FCGX_Init failed", __func__);
		free(buf);
		return -1;
	}

	while (!*stop) {
		if (wait_conn(ep, &waitmask) == -1) {
			ret = -1;
			break;
		}
		if (*stop)
			break;
		/*
		 * Another worker may have taken the connection (EAGAIN), or
		 * the peer stalled until the alarm (EINTR): wait again.
		 */
		read_timer(READ_TIMEOUT);
		rc = FCGX_Accept_r(&fr);
		if (rc < 0) {
			read_timer(0);
			if (*stop)
				break;
			if (rc != -EBADF && rc != -EINVAL && rc != -ENOTSOCK &&
			    rc != -EMFILE && rc != -ENFILE)
				continue;
			log_warnx("%s: accept failed: %s", __func__,
			    strerror(-rc));
			ret = -1;
			break;
		}

		memset(&r, 0, sizeof(r));
		memset(&rs, 0, sizeof(rs));
		r.start_ns = mono_ns();
		r.received_us = now_us();
		r.method = FCGX_GetParam("REQUEST_METHOD", fr.envp);
		r.path = FCGX_GetParam("DOCUMENT_URI", fr.envp);
		if (r.path == NULL)
			r.path = FCGX_GetParam("SCRIPT_NAME", fr.envp);
		r.query = FCGX_GetParam("QUERY_STRING", fr.envp);
		r.content_type = FCGX_GetParam("CONTENT_TYPE", fr.envp);
		r.remote_addr = FCGX_GetParam("REMOTE_ADDR", fr.envp);
		r.request_id = FCGX_GetParam("REQUEST_ID", fr.envp);
		r.signature = FCGX_GetParam("HTTP_X_WEBHOOK_SIGNATURE",
		    fr.envp);
		r.authorization = FCGX_GetParam("HTTP_AUTHORIZATION",
		    fr.envp);
		r.dup_signature =
		    count_param(fr.envp, "HTTP_X_WEBHOOK_SIGNATURE") > 1;
		r.dup_authorization =
		    count_param(fr.envp, "HTTP_AUTHORIZATION") > 1;
		/* Set only by nginx's admin listener, never by a client. */
		r.admin = FCGX_GetParam("VP_ADMIN", fr.envp) != NULL &&
		    strcmp(FCGX_GetParam("VP_ADMIN", fr.envp), "1") == 0;

		read_body(&fr, &r, buf, VP_MAX_BODY + 1);
		read_timer(0);

		route_dispatch(w, &r, &rs);
		write_resp(&fr, &r, &rs);
		log_request(&r, &rs);
		metrics_request(&r, &rs);
		free(rs.body);
		FCGX_Finish_r(&fr);
		/*
		 * A peer that asked to keep the connection (nginx never does:
		 * fastcgi_keep_conn off) would pin this worker while it waits
		 * on the listening socket: close it.
		 */
		if (fr.ipcFd >= 0)
			FCGX_Free(&fr, 1);
	}

	FCGX_Free(&fr, 0);
	close(ep);
	free(buf);
	return ret;
}
