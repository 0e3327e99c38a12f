/*
 * writer.c: group commit. One writer process owns every database write;
 * workers hand it their deliveries over a local socket and wait for the
 * answer. Whatever arrives while a COMMIT (and its fsync) is running is
 * written in the next transaction, together: under load many requests
 * share one fsync, and each is still answered only after the COMMIT that
 * holds its data (store_write_batch() in db.c).
 *
 * Transport: a SOCK_SEQPACKET unix socket in the abstract namespace
 * whose name carries the master's pid and 64 random bits. The master
 * creates and listens on it before forking anything, so it outlives a
 * writer restart (connections wait in the backlog); the writer accepts
 * only peers with its own uid (SO_PEERCRED). A worker connects on first
 * use and again after any failure. Each request carries a sequence
 * number (a reply to an earlier, abandoned request is discarded) and
 * the worker's deadline (a request that arrives too late to be answered
 * in time is refused, not written). A bare header of kind WIRE_PING is
 * answered at once (/healthz).
 *
 * Ownership: a worker's message is encoded into a static buffer of this
 * file; the writer decodes messages into its arena, and the decoded
 * struct delivery / struct event point into the arena until the batch
 * has been answered.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "extern.h"

#define WIRE_MAGIC	0x56505731U	/* "VPW1" */
#define WIRE_SLACK	32768		/* metadata beyond the body */
#define WIRE_MAX	(VP_MAX_BODY + WIRE_SLACK)
#define BATCH_MAX	128		/* items in one transaction */
#define ARENA_SIZE	(4 * WIRE_MAX)	/* bytes of messages per batch */
#define CONN_MAX	(2 * 256 + 16)	/* workers, old ones, spare */
#define REPLY_SLACK_MS	2000		/* beyond busy_timeout_ms */
#define ACCEPT_ROUND	16		/* connections accepted per round */
#define GIVEUP_MARGIN_NS 200000000LL	/* too close to a worker's deadline */

enum wire_kind { WIRE_DELIVER = 1, WIRE_REJECTION = 2, WIRE_PING = 3 };

struct wire_hdr {
	uint32_t	 magic;
	uint32_t	 seq;
	uint32_t	 kind;
	int32_t		 http_status;
	int64_t		 received_us;
	int64_t		 now;
	int64_t		 duration;
	int32_t		 dialect;
	int32_t		 is_active;
	int32_t		 status;
	uint32_t	 body_len;
	int64_t		 deadline_ns;	/* mono_ns() when the worker gives up */
};

struct wire_reply {
	uint32_t	 magic;
	uint32_t	 seq;
	int32_t		 err;
	int32_t		 changed;
	int32_t		 duplicate;
};

/* The string members that travel, in wire order. */
static const size_t dstr[] = {
	offsetof(struct delivery, request_id),
	offsetof(struct delivery, remote_addr),
	offsetof(struct delivery, content_type),
	offsetof(struct delivery, auth),
	offsetof(struct delivery, session_id),
	offsetof(struct delivery, outcome),
	offsetof(struct delivery, reason),
};
static const size_t estr[] = {
	offsetof(struct event, session_id),
	offsetof(struct event, recording_url),
	offsetof(struct event, phone_number),
	offsetof(struct event, caller_number),
	offsetof(struct event, destination_number),
	offsetof(struct event, direction),
	offsetof(struct event, hangup_cause),
	offsetof(struct event, call_session_state),
	offsetof(struct event, amount),
	offsetof(struct event, currency_code),
	offsetof(struct event, call_start_time),
	offsetof(struct event, dtmf_digits),
};
#define NDSTR	(sizeof(dstr) / sizeof(dstr[0]))
#define NESTR	(sizeof(estr) / sizeof(estr[0]))
#define STRP(base, off)	((const char **)((char *)(base) + (off)))
#define CSTRP(base, off) \
	((const char *const *)((const char *)(base) + (off)))

static struct sockaddr_un	 waddr;		/* set by writer_setup() */
static socklen_t		 waddrlen;
static int			 wlisten = -1;	/* master and writer */
static volatile sig_atomic_t	 wstop;

/* Worker side. */
static int			 wfd = -1;
static uint32_t			 wseq;
static int			 wtimeout_ms = 4000;

/* ------------------------------------------------------------------
 * Encoding. A message: struct wire_hdr, then each string as a uint32
 * length (UINT32_MAX: NULL) and its bytes plus a NUL, then the body.
 */

static int
put_str(char *buf, size_t cap, size_t *off, const char *s)
{
	uint32_t	 len = s == NULL ? UINT32_MAX : (uint32_t)strlen(s);
	size_t		 need = sizeof(len) + (s == NULL ? 0 : len + 1);

	if (s != NULL && strlen(s) >= UINT32_MAX)
		return -1;
	if (*off + need > cap)
		return -1;
	memcpy(buf + *off, &len, sizeof(len));
	*off += sizeof(len);
	if (s != NULL) {
		memcpy(buf + *off, s, len + 1);
		*off += len + 1;
	}
	return 0;
}

static int
get_str(char *buf, size_t len, size_t *off, const char **out)
{
	uint32_t	 n;

	if (*off + sizeof(n) > len)
		return -1;
	memcpy(&n, buf + *off, sizeof(n));
	*off += sizeof(n);
	if (n == UINT32_MAX) {
		*out = NULL;
		return 0;
	}
	if ((size_t)n + 1 > len - *off || buf[*off + n] != '\0' ||
	    memchr(buf + *off, '\0', n) != NULL)
		return -1;
	*out = buf + *off;
	*off += (size_t)n + 1;
	return 0;
}

/* Encodes one request into buf; returns its length or 0 if too big. */
static size_t
encode(char *buf, size_t cap, uint32_t seq, const struct delivery *d,
    const struct event *ev, int64_t now, int64_t deadline_ns)
{
	struct wire_hdr	 h;
	struct event	 none;
	size_t		 off = sizeof(h), i;

	memset(&none, 0, sizeof(none));
	if (ev == NULL)
		ev = &none;
	memset(&h, 0, sizeof(h));
	h.magic = WIRE_MAGIC;
	h.seq = seq;
	h.kind = ev == &none ? WIRE_REJECTION : WIRE_DELIVER;
	h.http_status = d->http_status;
	h.received_us = d->received_us;
	h.now = now;
	h.deadline_ns = deadline_ns;
	h.duration = ev->duration;
	h.dialect = (int32_t)ev->dialect;
	h.is_active = ev->is_active;
	h.status = (int32_t)ev->status;
	h.body_len = d->body != NULL ? (uint32_t)d->body_len : 0;
	if (h.body_len > VP_MAX_BODY)
		h.body_len = VP_MAX_BODY;
	for (i = 0; i < NDSTR; i++)
		if (put_str(buf, cap, &off, *CSTRP(d, dstr[i])) == -1)
			return 0;
	for (i = 0; i < NESTR; i++)
		if (put_str(buf, cap, &off, *CSTRP(ev, estr[i])) == -1)
			return 0;
	if (off + h.body_len > cap)
		return 0;
	if (h.body_len > 0)
		memcpy(buf + off, d->body, h.body_len);
	off += h.body_len;
	memcpy(buf, &h, sizeof(h));
	return off;
}

/*
 * Decodes a message of len bytes in buf into d and ev (pointing into
 * buf). Returns the header's kind, or 0 if the message is malformed.
 */
static int
decode(char *buf, size_t len, struct wire_hdr *h, struct delivery *d,
    struct event *ev)
{
	size_t	 off = sizeof(*h), i;

	if (len < sizeof(*h))
		return 0;
	memcpy(h, buf, sizeof(*h));
	if (h->magic != WIRE_MAGIC || (h->kind != WIRE_DELIVER &&
	    h->kind != WIRE_REJECTION))
		return 0;
	memset(d, 0, sizeof(*d));
	memset(ev, 0, sizeof(*ev));
	for (i = 0; i < NDSTR; i++)
		if (get_str(buf, len, &off, STRP(d, dstr[i])) == -1)
			return 0;
	for (i = 0; i < NESTR; i++)
		if (get_str(buf, len, &off, STRP(ev, estr[i])) == -1)
			return 0;
	if (len - off != h->body_len)
		return 0;
	d->body = buf + off;
	d->body_len = h->body_len;
	d->http_status = h->http_status;
	d->received_us = h->received_us;
	ev->duration = h->duration;
	ev->dialect = h->dialect == DIALECT_AT ? DIALECT_AT : DIALECT_SEED;
	ev->is_active = h->is_active != 0;
	if (h->status <= ST_NONE || h->status >= ST__MAX) {
		if (h->kind == WIRE_DELIVER)
			return 0;
		h->status = ST_NONE;
	}
	ev->status = (enum call_status)h->status;
	return (int)h->kind;
}

/* ------------------------------------------------------------------
 * Master side.
 */

/*
 * Creates the writer's listening socket (call once, in the master,
 * before any fork). Returns 0, or -1 with the reason logged.
 */
int
writer_setup(void)
{
	unsigned char	 rnd[8];
	char		 name[64];
	int		 n;

	if (!random_bytes(rnd, sizeof(rnd))) {
		log_warnx("%s: no random bytes", __func__);
		return -1;
	}
	n = snprintf(name, sizeof(name),
	    "voicepact-writer-%ld-%02x%02x%02x%02x%02x%02x%02x%02x",
	    (long)getpid(), rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5],
	    rnd[6], rnd[7]);
	memset(&waddr, 0, sizeof(waddr));
	waddr.sun_family = AF_UNIX;
	memcpy(waddr.sun_path + 1, name, (size_t)n);	/* abstract: NUL first */
	waddrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
	    (size_t)n);

	if ((wlisten = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0)) == -1) {
		log_warn("%s: socket", __func__);
		return -1;
	}
	if (bind(wlisten, (struct sockaddr *)&waddr, waddrlen) == -1 ||
	    listen(wlisten, 1024) == -1) {
		log_warn("%s: bind/listen", __func__);
		close(wlisten);
		wlisten = -1;
		return -1;
	}
	return 0;
}

/* In a forked worker: the listening socket is the writer's alone. */
void
writer_child_init(int timeout_ms)
{
	if (wlisten != -1) {
		close(wlisten);
		wlisten = -1;
	}
	wfd = -1;
	wtimeout_ms = timeout_ms + REPLY_SLACK_MS;
}

/* ------------------------------------------------------------------
 * Worker side.
 */

static int
client_connect(void)
{
	int	 fd, sz = 2 * WIRE_MAX;

	if ((fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0)) == -1) {
		log_warn("%s: socket", __func__);
		return -1;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	if (connect(fd, (struct sockaddr *)&waddr, waddrlen) == -1) {
		log_warn("%s: connect to the writer", __func__);
		close(fd);
		return -1;
	}
	return fd;
}

static void
client_reset(void)
{
	if (wfd != -1)
		close(wfd);
	wfd = -1;
}

/*
 * Sends the message buf[0..len) (sequence number seq) to the writer and
 * waits until deadline (mono_ns()) for its reply into *rp. Returns APP_OK with
 * *rp filled, APP_EBUSY when no answer came in time, APP_EDB when the
 * writer cannot be reached.
 */
static enum app_err
client_roundtrip(const char *buf, size_t len, uint32_t seq, int64_t deadline,
    struct wire_reply *rp)
{
	struct pollfd		 pfd;
	int64_t			 left;
	ssize_t			 n;
	int			 tries;

	for (tries = 0; ; tries++) {
		if (wfd == -1 && (wfd = client_connect()) == -1)
			return APP_EDB;
		if (send(wfd, buf, len, MSG_NOSIGNAL) == (ssize_t)len)
			break;
		log_warn("%s: send to the writer", __func__);
		client_reset();
		/* Nothing was sent: one more try on a new connection. */
		if (tries > 0)
			return APP_EDB;
	}

	for (;;) {
		left = (deadline - mono_ns()) / 1000000;
		if (left <= 0) {
			log_warnx("%s: no answer from the writer in time",
			    __func__);
			return APP_EBUSY;
		}
		pfd.fd = wfd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, (int)left) == -1) {
			if (errno == EINTR)
				continue;
			log_warn("%s: poll", __func__);
			client_reset();
			return APP_EDB;
		}
		if (pfd.revents == 0)
			continue;
		n = recv(wfd, rp, sizeof(*rp), 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof(*rp) || rp->magic != WIRE_MAGIC) {
			log_warnx("%s: the writer went away", __func__);
			client_reset();
			return APP_EDB;
		}
		if (rp->seq == seq)
			return APP_OK;
		/* else: the answer to an abandoned request */
	}
}

/*
 * Sends one delivery to the writer and waits for its reply, at most
 * busy_timeout_ms plus a margin. Same contract as store_deliver() (ev
 * NULL: a rejection to log). APP_EBUSY when the writer did not answer
 * in time, APP_EDB when the writer cannot be reached.
 */
static enum app_err
client_call(struct delivery *d, const struct event *ev, int64_t now,
    struct deliver_result *res)
{
	static char		 buf[WIRE_MAX];
	struct wire_reply	 rp;
	enum app_err		 e;
	int64_t			 deadline;
	size_t			 len;
	uint32_t		 seq;

	memset(res, 0, sizeof(*res));
	seq = ++wseq;
	/*
	 * The writer is told when we give up: it does not write a delivery
	 * it gets too late to answer (we would have said 503 for it).
	 */
	deadline = mono_ns() + (int64_t)wtimeout_ms * 1000000;
	if ((len = encode(buf, sizeof(buf), seq, d, ev, now, deadline)) == 0) {
		log_warnx("%s: request too large for the writer", __func__);
		return APP_EINVAL;
	}
	if ((e = client_roundtrip(buf, len, seq, deadline, &rp)) != APP_OK)
		return e;
	if (rp.err < 0 || rp.err >= APP_ERR__MAX)
		return APP_ESYSTEM;
	res->changed = rp.changed;
	res->duplicate = rp.duplicate;
	if (rp.err == APP_OK && ev != NULL)
		d->outcome = rp.duplicate ? "duplicate" : "stored";
	return (enum app_err)rp.err;
}

/*
 * Asks the writer process to answer at once (a ping, no database work).
 * Returns APP_OK when it did within timeout_ms, APP_EBUSY when it did
 * not (stopped, or stuck in a write), APP_EDB when it cannot be reached;
 * APP_OK without a writer process.
 */
enum app_err
writer_ping(int timeout_ms)
{
	struct wire_hdr		 h;
	struct wire_reply	 rp;

	if (waddrlen == 0)
		return APP_OK;
	memset(&h, 0, sizeof(h));
	h.magic = WIRE_MAGIC;
	h.seq = ++wseq;
	h.kind = WIRE_PING;
	return client_roundtrip((const char *)&h, sizeof(h), h.seq,
	    mono_ns() + (int64_t)timeout_ms * 1000000, &rp);
}

/*
 * The durable write of one delivery from a worker: through the writer
 * process when there is one, else directly (store_deliver). ev NULL
 * logs a rejected delivery. Returns APP_OK only once committed.
 */
enum app_err
worker_store(struct worker *w, struct delivery *d, const struct event *ev,
    int64_t now, struct deliver_result *res)
{
	struct deliver_result	 ignored;

	if (res == NULL)
		res = &ignored;
	memset(res, 0, sizeof(*res));
	if (waddrlen == 0)
		return ev != NULL ? store_deliver(w->st, d, ev, now, res) :
		    store_log_rejection(w->st, d);
	return client_call(d, ev, now, res);
}

/* ------------------------------------------------------------------
 * The writer process.
 */

struct conn {
	int		 fd;
};

struct pending {
	struct wire_hdr		 h;
	struct delivery		 d;
	struct event		 ev;
	int			 conn;	/* index into conns */
};

static void
writer_onstop(int sig)
{
	(void)sig;
	wstop = 1;
}

/*
 * Accepts up to ACCEPT_ROUND waiting connections from processes of our
 * own uid, so that a flood of connections cannot keep the writer from
 * its batches. Refusals are logged for the first and every 1000th.
 */
static void
accept_all(struct conn *conns, int *nconns)
{
	static unsigned long	 refused;
	struct ucred		 cred;
	socklen_t		 len;
	int			 fd, k;

	for (k = 0; k < ACCEPT_ROUND && (fd = accept4(wlisten, NULL, NULL,
	    SOCK_CLOEXEC | SOCK_NONBLOCK)) != -1; k++) {
		len = sizeof(cred);
		memset(&cred, 0, sizeof(cred));
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1 ||
		    cred.uid != geteuid()) {
			if (refused++ % 1000 == 0)
				log_warnx("writer: refused a connection from "
				    "uid %ld (%lu refused so far)",
				    (long)cred.uid, refused);
			close(fd);
			continue;
		}
		if (*nconns >= CONN_MAX) {
			log_warnx("writer: too many connections");
			close(fd);
			continue;
		}
		conns[(*nconns)++].fd = fd;
	}
}

/* Answers a ping (a bare header of kind WIRE_PING) at once: 1, else 0. */
static int
pong(int fd, const char *msg)
{
	struct wire_hdr		 h;
	struct wire_reply	 rp;

	memcpy(&h, msg, sizeof(h));
	if (h.magic != WIRE_MAGIC || h.kind != WIRE_PING)
		return 0;
	memset(&rp, 0, sizeof(rp));
	rp.magic = WIRE_MAGIC;
	rp.seq = h.seq;
	(void)send(fd, &rp, sizeof(rp), MSG_NOSIGNAL | MSG_DONTWAIT);
	return 1;
}

/* Answers a request that came too late to be written: APP_EBUSY. */
static void
late(int fd, const struct wire_hdr *h)
{
	struct wire_reply	 rp;

	memset(&rp, 0, sizeof(rp));
	rp.magic = WIRE_MAGIC;
	rp.seq = h->seq;
	rp.err = APP_EBUSY;
	(void)send(fd, &rp, sizeof(rp), MSG_NOSIGNAL | MSG_DONTWAIT);
}

static void
reply(int fd, const struct pending *p, const struct store_item *it)
{
	struct wire_reply	 rp;

	memset(&rp, 0, sizeof(rp));
	rp.magic = WIRE_MAGIC;
	rp.seq = p->h.seq;
	rp.err = (int32_t)it->err;
	rp.changed = it->res.changed;
	rp.duplicate = it->res.duplicate;
	/* A worker that went away just misses its answer. */
	(void)send(fd, &rp, sizeof(rp), MSG_NOSIGNAL | MSG_DONTWAIT);
}

/*
 * The writer's loop: collect whatever requests are waiting (up to
 * BATCH_MAX or the arena), write them in one transaction, answer each.
 * On SIGTERM it answers what it has and exits; the master sends SIGTERM
 * only once the workers have stopped.
 */
static void
writer_loop(struct store *st)
{
	static struct conn	 conns[CONN_MAX];
	static struct pending	 pend[BATCH_MAX];
	static struct store_item items[BATCH_MAX];
	static struct pollfd	 pfds[CONN_MAX + 1];
	char			*arena;
	size_t			 used, n, i;
	ssize_t			 got;
	int			 nconns = 0, npoll, c, start = 0, k, closed;

	if ((arena = malloc(ARENA_SIZE)) == NULL)
		fatal("writer: malloc");
	while (!wstop) {
		pfds[0].fd = wlisten;
		pfds[0].events = POLLIN;
		for (c = 0; c < nconns; c++) {
			pfds[c + 1].fd = conns[c].fd;
			pfds[c + 1].events = POLLIN;
			pfds[c + 1].revents = 0;
		}
		npoll = nconns;
		if (poll(pfds, (nfds_t)npoll + 1, 1000) == -1) {
			if (errno != EINTR)
				log_warn("writer: poll");
			continue;
		}
		if (pfds[0].revents & POLLIN)
			accept_all(conns, &nconns);

		/* Collect: round robin over the connections polled. */
		n = 0;
		used = 0;
		closed = 0;
		for (k = 0; k < npoll && n < BATCH_MAX; k++) {
			c = (start + k) % npoll;
			if (pfds[c + 1].revents == 0)
				continue;
			while (n < BATCH_MAX && used + WIRE_MAX <= ARENA_SIZE) {
				got = recv(conns[c].fd, arena + used, WIRE_MAX,
				    MSG_DONTWAIT | MSG_TRUNC);
				if (got == -1 && (errno == EAGAIN ||
				    errno == EINTR))
					break;
				if (got <= 0) {
					close(conns[c].fd);
					conns[c].fd = -1;
					closed = 1;
					break;
				}
				if (got == (ssize_t)sizeof(struct wire_hdr) &&
				    pong(conns[c].fd, arena + used))
					continue;
				if (got > WIRE_MAX || decode(arena + used,
				    (size_t)got, &pend[n].h, &pend[n].d,
				    &pend[n].ev) == 0) {
					log_warnx("writer: malformed request "
					    "(%zd bytes) dropped", got);
					continue;
				}
				if (pend[n].h.deadline_ns != 0 && mono_ns() >
				    pend[n].h.deadline_ns - GIVEUP_MARGIN_NS) {
					/* Its worker has answered 503 (or is
					 * about to): writing it now would log
					 * a 200 the sender never saw. */
					late(conns[c].fd, &pend[n].h);
					continue;
				}
				pend[n].conn = c;
				memset(&items[n], 0, sizeof(items[n]));
				items[n].d = &pend[n].d;
				items[n].ev = pend[n].h.kind == WIRE_DELIVER ?
				    &pend[n].ev : NULL;
				items[n].now = pend[n].h.now;
				used += (size_t)got;
				n++;
			}
		}
		if (npoll > 0)
			start = (start + 1) % npoll;

		if (n > 0) {
			int64_t	 t0 = mono_ns();

			(void)store_write_batch(st, items, n);
			metrics_commit(n, mono_ns() - t0);
			for (i = 0; i < n; i++)
				if (conns[pend[i].conn].fd != -1)
					reply(conns[pend[i].conn].fd, &pend[i],
					    &items[i]);
		}
		if (closed) {
			for (c = 0; c < nconns; )
				if (conns[c].fd == -1)
					conns[c] = conns[--nconns];
				else
					c++;
		}
	}
	free(arena);
	for (c = 0; c < nconns; c++)
		close(conns[c].fd);
}

/*
 * Forks the writer process. It opens its own database connection after
 * the fork. Returns the pid, or -1.
 */
pid_t
writer_spawn(const struct config *cf, int close_fd)
{
	struct sigaction	 sa;
	struct store		*st = NULL;
	sigset_t		 none;
	char			 err[256];
	pid_t			 pid, parent = getpid();

	if ((pid = fork()) != 0) {
		if (pid == -1)
			log_warn("%s: fork", __func__);
		return pid;
	}

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);	/* the master says when to stop */
	sa.sa_handler = writer_onstop;
	sigaction(SIGTERM, &sa, NULL);
	/* The FastCGI socket is the workers': nginx must not queue on us. */
	if (close_fd >= 0)
		close(close_fd);
	/* Do not outlive a master killed with SIGKILL (even before prctl). */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1)
		log_warn("writer: prctl");
	if (getppid() != parent)
		_exit(0);
	/* ps and /proc/PID/comm tell the writer from the workers. */
	(void)prctl(PR_SET_NAME, "vpd-writer", 0, 0, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	if (store_open(cf->database, cf->busy_timeout_ms, &st, err,
	    sizeof(err)) != APP_OK) {
		log_warnx("writer: database: %s", err);
		_exit(1);
	}
	writer_loop(st);
	store_close(st);
	_exit(0);
}
