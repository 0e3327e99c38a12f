/*
 * pool.c: the master's supervision of voicepactd's children: the writer
 * (group commit, writer.c) and the pool of FastCGI workers.
 *
 * The master never touches a request or keeps a database connection
 * across fork. It takes its signals (blocked by main.c) with
 * sigtimedwait(), so no code runs in signal context; it restarts dead
 * workers with exponential backoff, replaces workers one at a time on
 * SIGHUP, and stops them on SIGTERM/SIGINT, waiting up to STOP_GRACE for
 * requests in flight. Workers install their own SIGTERM/SIGINT handler
 * (no SA_RESTART) before any libfcgi call: libfcgi then leaves it alone
 * and accept() returns on a stop request; the worker stops after its
 * current request.
 */
#include <sys/types.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "extern.h"

#define MAX_WORKERS	256
#define MS		1000000LL		/* ns per ms */
#define SEC		1000000000LL		/* ns per s */
#define BACKOFF_MIN_MS	100
#define BACKOFF_MAX_MS	5000
#define HEALTHY_NS	(10 * SEC)	/* a worker this old resets backoff */
#define LOOP_WINDOW_NS	(10 * SEC)	/* crash loop: more than */
#define LOOP_RESTARTS	10		/* this many restarts in the window */
#define STOP_GRACE_NS	(10 * SEC)	/* then SIGKILL */
#define TICK_NS		(1 * SEC)	/* longest sleep of the master */

struct slot {
	pid_t		 pid;		/* 0: not running */
	unsigned int	 gen;		/* configuration generation */
	int64_t		 started;	/* mono_ns() at fork */
	int64_t		 restart_at;	/* start when pid == 0 and now >= */
	int		 backoff_ms;	/* last restart delay, 0: none */
};

struct retiree {
	pid_t		 pid;
	int64_t		 deadline;	/* SIGKILL after this */
	int		 killed;
};

static struct pool {
	struct config	 cf;		/* the current configuration */
	unsigned int	 gen;
	int		 listen_fd;
	int		 nslots;
	struct slot	 slots[MAX_WORKERS];
	struct retiree	 old[MAX_WORKERS * 2];
	int		 nold;
	int64_t		 restarts[LOOP_RESTARTS + 1];	/* ring */
	size_t		 nrestarts;
	int64_t		 crash_loop_at;	/* last crash-loop detection, 0: none */
	int		 reloading;
	int		 stopping;
	int64_t		 stop_deadline;
	int64_t		 watchdog_ns;	/* 0: no watchdog */
	int64_t		 watchdog_next;
	pid_t		 writer_pid;	/* 0: not running */
	int64_t		 writer_started;
	int64_t		 writer_restart_at;	/* when writer_pid == 0 */
	int		 writer_backoff_ms;
	int		 writer_termed;	/* SIGTERM sent while stopping */
} pool;

static volatile sig_atomic_t	 worker_stop;

static int	 resolve_workers(const struct config *);
static void	 worker_onstop(int);
static void	 worker_main(pid_t) __attribute__((noreturn));
static void	 spawn(int, int64_t);
static void	 retire(pid_t, int64_t);
static void	 describe_status(int, char *, size_t);
static void	 reap(int64_t);
static void	 schedule_restart(struct slot *, int64_t, int64_t);
static void	 start_due(int64_t);
static void	 spawn_writer(int64_t);
static void	 roll(int64_t);
static void	 reload(int64_t);
static void	 begin_stop(int64_t);
static void	 kill_stragglers(void);
static int	 alive(void);
static void	 master_loop(void);
static void	 publish(int64_t);

/*
 * Opens and closes the database of cf once, as this process; 0, or -1
 * with err set.
 */
int
pool_check_database(const struct config *cf, char *err, size_t errsz)
{
	struct store	*st = NULL;

	if (store_open(cf->database, cf->busy_timeout_ms, &st, err,
	    errsz) != APP_OK) {
		if (st != NULL)
			store_close(st);
		return -1;
	}
	store_close(st);
	return 0;
}

static int
resolve_workers(const struct config *cf)
{
	long	 n;

	if (cf->workers > 0)
		n = cf->workers;
	else if ((n = sysconf(_SC_NPROCESSORS_ONLN)) < 1)
		n = 1;
	return n > MAX_WORKERS ? MAX_WORKERS : (int)n;
}

/* Worker SIGTERM/SIGINT: stop after the current request. */
static void
worker_onstop(int sig)
{
	(void)sig;
	worker_stop = 1;
}

/*
 * The worker process. Signals are still blocked (inherited from the
 * master) until its own handlers are in place.
 */
static void
worker_main(pid_t master)
{
	struct sigaction	 sa;
	struct worker		 w;
	struct store		*st = NULL;
	sigset_t		 none;
	char			 err[256];
	int			 rc;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGHUP, &sa, NULL);	/* reload is the master's job */
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = worker_onstop;
	sa.sa_flags = 0;		/* no SA_RESTART: accept() returns */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
#ifdef __linux__
	/* Do not outlive a master killed with SIGKILL. */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1)
		log_warn("%s: prctl", __func__);
#endif
	if (getppid() != master)
		worker_stop = 1;
	writer_child_init(pool.cf.busy_timeout_ms);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (worker_stop)
		exit(0);

	if (store_open(pool.cf.database, pool.cf.busy_timeout_ms, &st, err,
	    sizeof(err)) != APP_OK) {
		log_warnx("%s: database: %s", __func__, err);
		exit(1);
	}
	w.cf = &pool.cf;
	w.st = st;
	rc = fcgi_serve(pool.listen_fd, &w, &worker_stop);
	store_close(st);
	exit(rc == 0 ? 0 : 1);
}

/* Forks a worker into slot i. On fork failure, retries after backoff. */
static void
spawn(int i, int64_t now)
{
	struct slot	*s = &pool.slots[i];
	pid_t		 master = getpid(), pid;

	if ((pid = fork()) == -1) {
		log_warn("%s: fork", __func__);
		s->pid = 0;
		schedule_restart(s, now, now);
		return;
	}
	if (pid == 0)
		worker_main(master);
	s->pid = pid;
	s->gen = pool.gen;
	s->started = now;
	s->restart_at = 0;
	log_debug("%s: worker %ld started", __func__, (long)pid);
}

/* Sends SIGTERM to an old worker and waits for it (SIGKILL later). */
static void
retire(pid_t pid, int64_t now)
{
	kill(pid, SIGTERM);
	if (pool.nold >= (int)(sizeof(pool.old) / sizeof(pool.old[0]))) {
		log_warnx("%s: too many old workers; not tracking %ld",
		    __func__, (long)pid);
		return;
	}
	pool.old[pool.nold].pid = pid;
	pool.old[pool.nold].deadline = now + STOP_GRACE_NS;
	pool.old[pool.nold].killed = 0;
	pool.nold++;
}

/* "exited with status N" or "killed by signal N (name)". */
static void
describe_status(int status, char *buf, size_t bufsz)
{
	if (WIFEXITED(status))
		snprintf(buf, bufsz, "exited with status %d",
		    WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, bufsz, "killed by signal %d (%s)%s",
		    WTERMSIG(status), strsignal(WTERMSIG(status)),
		    WCOREDUMP(status) ? ", core dumped" : "");
	else
		snprintf(buf, bufsz, "stopped (status 0x%x)", (unsigned int)status);
}

/*
 * Decides when slot s restarts after a death at now (started at
 * started): backoff 100 ms doubling to 5 s, reset after a worker that
 * lived 10 s; more than 10 restarts in 10 s is a crash loop, and then
 * the delay is the maximum.
 */
static void
schedule_restart(struct slot *s, int64_t started, int64_t now)
{
	size_t	 cap = LOOP_RESTARTS + 1, oldest;
	int	 delay;

	if (now - started >= HEALTHY_NS)
		s->backoff_ms = 0;
	delay = s->backoff_ms == 0 ? BACKOFF_MIN_MS : s->backoff_ms * 2;
	if (delay > BACKOFF_MAX_MS)
		delay = BACKOFF_MAX_MS;

	pool.restarts[pool.nrestarts % cap] = now;
	pool.nrestarts++;
	if (pool.nrestarts >= cap) {
		oldest = pool.nrestarts % cap;	/* 11th most recent */
		if (now - pool.restarts[oldest] < LOOP_WINDOW_NS) {
			delay = BACKOFF_MAX_MS;
			pool.crash_loop_at = now;
			log_warnx("crash loop: more than %d worker restarts "
			    "in %lld s; next restart in %d ms", LOOP_RESTARTS,
			    LOOP_WINDOW_NS / SEC, delay);
		}
	}
	s->backoff_ms = delay;
	s->restart_at = now + (int64_t)delay * MS;
}

/* Collects every dead child; schedules restarts of pool workers. */
static void
reap(int64_t now)
{
	char	 how[128];
	pid_t	 pid;
	int	 status, i;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		describe_status(status, how, sizeof(how));
		if (pid == pool.writer_pid) {
			pool.writer_pid = 0;
			if (pool.stopping) {
				log_debug("writer %ld %s", (long)pid, how);
				continue;
			}
			pool.writer_backoff_ms = now - pool.writer_started >=
			    HEALTHY_NS || pool.writer_backoff_ms == 0 ?
			    BACKOFF_MIN_MS : pool.writer_backoff_ms * 2;
			if (pool.writer_backoff_ms > BACKOFF_MAX_MS)
				pool.writer_backoff_ms = BACKOFF_MAX_MS;
			pool.writer_restart_at = now +
			    (int64_t)pool.writer_backoff_ms * MS;
			metrics_writer_restart();
			log_warnx("writer %ld %s after %lld ms; restarting in "
			    "%d ms", (long)pid, how,
			    (long long)((now - pool.writer_started) / MS),
			    pool.writer_backoff_ms);
			continue;
		}
		for (i = 0; i < pool.nslots; i++)
			if (pool.slots[i].pid == pid)
				break;
		if (i < pool.nslots) {
			struct slot *s = &pool.slots[i];

			s->pid = 0;
			if (pool.stopping) {
				log_debug("worker %ld %s", (long)pid, how);
				continue;
			}
			schedule_restart(s, s->started, now);
			metrics_worker_restart();
			log_warnx("worker %ld %s after %lld ms; restarting "
			    "in %d ms", (long)pid, how,
			    (long long)((now - s->started) / MS),
			    s->backoff_ms);
			continue;
		}
		for (i = 0; i < pool.nold; i++)
			if (pool.old[i].pid == pid)
				break;
		if (i < pool.nold) {
			log_debug("old worker %ld %s", (long)pid, how);
			pool.old[i] = pool.old[--pool.nold];
			continue;
		}
		log_debug("child %ld %s", (long)pid, how);
	}
}

/* Starts every worker whose restart time has come. */
static void
start_due(int64_t now)
{
	sigset_t	 pending;
	int		 i;

	/* A stop request already waiting wins over a restart. */
	if (sigpending(&pending) == 0 && (sigismember(&pending, SIGTERM) ||
	    sigismember(&pending, SIGINT)))
		return;
	if (pool.writer_pid == 0 && pool.writer_restart_at <= now)
		spawn_writer(now);
	for (i = 0; i < pool.nslots; i++)
		if (pool.slots[i].pid == 0 && pool.slots[i].restart_at <= now)
			spawn(i, now);
}

/* Forks the writer (group commit); on failure, retries after backoff. */
static void
spawn_writer(int64_t now)
{
	pid_t	 pid;

	if ((pid = writer_spawn(&pool.cf, pool.listen_fd)) == -1) {
		pool.writer_pid = 0;
		pool.writer_restart_at = now + BACKOFF_MAX_MS * MS;
		return;
	}
	pool.writer_pid = pid;
	pool.writer_started = now;
	log_debug("%s: writer %ld started", __func__, (long)pid);
}

/*
 * After a reload, replaces old-generation workers one at a time: start
 * the new one, then SIGTERM the old one, and wait for it to exit before
 * the next. Sends READY=1 when all run the new configuration.
 */
static void
roll(int64_t now)
{
	pid_t	 oldpid;
	int	 i;

	if (!pool.reloading || pool.nold > 0)
		return;
	for (i = 0; i < pool.nslots; i++) {
		if (pool.slots[i].pid == 0 || pool.slots[i].gen == pool.gen)
			continue;
		oldpid = pool.slots[i].pid;
		spawn(i, now);
		if (pool.slots[i].pid == 0) {
			pool.slots[i].pid = oldpid;	/* fork failed */
			return;
		}
		log_debug("replacing worker %ld with %ld", (long)oldpid,
		    (long)pool.slots[i].pid);
		retire(oldpid, now);
		return;
	}
	pool.reloading = 0;
	log_info("reload complete: %d workers", pool.nslots);
	notify_send("READY=1\nSTATUS=serving");
}

/* SIGHUP: loads the file again; keeps the old configuration on error. */
static void
reload(int64_t now)
{
	struct config	 ncf;
	char		 err[512], msg[128];
	struct timespec	 ts;
	int		 n, i;

	if (pool.stopping)
		return;
	log_info("reloading %s", pool.cf.path);
	if (conf_load(pool.cf.path, &ncf, err, sizeof(err)) == -1) {
		log_warnx("reload failed, keeping the running configuration: "
		    "%s", err);
		return;
	}
	/*
	 * The writer keeps the database it was started with: workers and
	 * writer must never use two different files.
	 */
	if (strcmp(ncf.database, pool.cf.database) != 0 ||
	    ncf.busy_timeout_ms != pool.cf.busy_timeout_ms) {
		log_warnx("reload failed, keeping the running configuration: "
		    "database and busy_timeout_ms take effect only at the "
		    "next restart");
		conf_clear(&ncf);
		return;
	}
	if (pool_check_database(&ncf, err, sizeof(err)) == -1) {
		log_warnx("reload failed, keeping the running configuration: "
		    "database: %s", err);
		conf_clear(&ncf);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%lld",
	    (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
	notify_send(msg);

#define CHANGED(a, b)	(((a) == NULL) != ((b) == NULL) || \
	((a) != NULL && strcmp((a), (b)) != 0))
	if (CHANGED(ncf.socket_path, pool.cf.socket_path) ||
	    CHANGED(ncf.socket_group, pool.cf.socket_group) ||
	    CHANGED(ncf.user, pool.cf.user) ||
	    ncf.socket_mode != pool.cf.socket_mode)
		log_warnx("reload: socket, socket_group, socket_mode and user "
		    "take effect only at the next restart");
#undef CHANGED
	if (ncf.allow_unauthenticated)
		log_warnx("WARNING: allow_unauthenticated = yes: webhooks "
		    "without a valid signature or token may be accepted; for "
		    "local development only");

	conf_clear(&pool.cf);
	pool.cf = ncf;
	pool.gen++;
	metrics_reload();

	n = resolve_workers(&pool.cf);
	for (i = n; i < pool.nslots; i++) {
		if (pool.slots[i].pid != 0)
			retire(pool.slots[i].pid, now);
		memset(&pool.slots[i], 0, sizeof(pool.slots[i]));
	}
	for (i = pool.nslots; i < n; i++) {
		memset(&pool.slots[i], 0, sizeof(pool.slots[i]));
		pool.slots[i].restart_at = now;
	}
	pool.nslots = n;
	pool.reloading = 1;
}

/* SIGTERM/SIGINT: stop every worker, SIGKILL after STOP_GRACE_NS. */
static void
begin_stop(int64_t now)
{
	int	 i;

	if (pool.stopping)
		return;
	pool.stopping = 1;
	pool.stop_deadline = now + STOP_GRACE_NS;
	notify_send("STOPPING=1");
	log_info("stopping: waiting for %d workers", alive());
	for (i = 0; i < pool.nslots; i++)
		if (pool.slots[i].pid != 0)
			kill(pool.slots[i].pid, SIGTERM);
	for (i = 0; i < pool.nold; i++)
		kill(pool.old[i].pid, SIGTERM);
}

static int
alive(void)
{
	int	 i, n = pool.nold;

	for (i = 0; i < pool.nslots; i++)
		if (pool.slots[i].pid != 0)
			n++;
	return n;
}

/* SIGKILLs every remaining child and collects them. */
static void
kill_stragglers(void)
{
	int	 i, n = 0;

	for (i = 0; i < pool.nslots; i++)
		if (pool.slots[i].pid != 0) {
			kill(pool.slots[i].pid, SIGKILL);
			n++;
		}
	for (i = 0; i < pool.nold; i++) {
		kill(pool.old[i].pid, SIGKILL);
		n++;
	}
	log_warnx("stopping: %d workers still busy after %lld s; killed",
	    n, STOP_GRACE_NS / SEC);
	for (i = 0; i < pool.nslots; i++)
		if (pool.slots[i].pid != 0) {
			waitpid(pool.slots[i].pid, NULL, 0);
			pool.slots[i].pid = 0;
		}
	for (i = 0; i < pool.nold; i++)
		waitpid(pool.old[i].pid, NULL, 0);
	pool.nold = 0;
	if (pool.writer_pid != 0) {
		kill(pool.writer_pid, SIGKILL);
		waitpid(pool.writer_pid, NULL, 0);
		pool.writer_pid = 0;
	}
}

/*
 * Publishes the pool's state for /healthz and /metrics (shared memory,
 * see metrics.c): workers configured and running, and whether a crash
 * loop was seen within the last LOOP_WINDOW_NS.
 */
static void
publish(int64_t now)
{
	int	 i, n = 0;

	for (i = 0; i < pool.nslots; i++)
		if (pool.slots[i].pid != 0)
			n++;
	metrics_pool(pool.nslots, n, pool.crash_loop_at != 0 &&
	    now - pool.crash_loop_at < LOOP_WINDOW_NS, pool.writer_pid != 0);
}

/*
 * The master: waits for signals or the next timed event (a restart, the
 * watchdog, a stop deadline) with sigtimedwait(); no signal handler does
 * any work.
 */
static void
master_loop(void)
{
	struct timespec	 ts;
	sigset_t	 set;
	int64_t		 now, wake;
	int		 sig, i;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);

	for (;;) {
		now = mono_ns();
		reap(now);
		if (pool.stopping) {
			/* Workers first; the writer answers them to the end. */
			if (alive() == 0 && pool.writer_pid == 0)
				break;
			if (alive() == 0 && !pool.writer_termed) {
				kill(pool.writer_pid, SIGTERM);
				pool.writer_termed = 1;
			}
			if (now >= pool.stop_deadline) {
				kill_stragglers();
				break;
			}
		} else {
			start_due(now);
			roll(now);
		}
		publish(now);
		for (i = 0; i < pool.nold; i++)
			if (!pool.old[i].killed && now >= pool.old[i].deadline) {
				log_warnx("old worker %ld did not stop in "
				    "%lld s; killing it", (long)pool.old[i].pid,
				    STOP_GRACE_NS / SEC);
				kill(pool.old[i].pid, SIGKILL);
				pool.old[i].killed = 1;
			}
		if (pool.watchdog_ns > 0 && now >= pool.watchdog_next) {
			notify_send("WATCHDOG=1");
			pool.watchdog_next = now + pool.watchdog_ns;
		}

		wake = now + TICK_NS;
		if (pool.watchdog_ns > 0 && pool.watchdog_next < wake)
			wake = pool.watchdog_next;
		if (pool.stopping && pool.stop_deadline < wake)
			wake = pool.stop_deadline;
		for (i = 0; !pool.stopping && i < pool.nslots; i++)
			if (pool.slots[i].pid == 0 &&
			    pool.slots[i].restart_at < wake)
				wake = pool.slots[i].restart_at;
		if (!pool.stopping && pool.writer_pid == 0 &&
		    pool.writer_restart_at < wake)
			wake = pool.writer_restart_at;
		for (i = 0; i < pool.nold; i++)
			if (!pool.old[i].killed && pool.old[i].deadline < wake)
				wake = pool.old[i].deadline;
		if (wake < now + MS)
			wake = now + MS;
		ts.tv_sec = (wake - now) / SEC;
		ts.tv_nsec = (wake - now) % SEC;

		sig = sigtimedwait(&set, NULL, &ts);
		now = mono_ns();
		switch (sig) {
		case SIGTERM:
		case SIGINT:
			if (pool.stopping)
				log_info("already stopping");
			begin_stop(now);
			break;
		case SIGHUP:
			reload(now);
			break;
		default:	/* SIGCHLD, timeout, EINTR: loop */
			break;
		}
	}
}

/*
 * Takes over cf (*cf is zeroed) and starts serving on listen_fd: forks
 * the writer and the workers, then sends READY=1.
 */
void
pool_start(struct config *cf, int listen_fd, int64_t watchdog_ns)
{
	int	 i;

	pool.cf = *cf;
	memset(cf, 0, sizeof(*cf));
	pool.listen_fd = listen_fd;
	if (watchdog_ns > 0) {
		pool.watchdog_ns = watchdog_ns;
		pool.watchdog_next = mono_ns() + pool.watchdog_ns;
	}
	if (writer_setup() == -1)
		fatalx("cannot set up the writer process");
	spawn_writer(mono_ns());
	pool.nslots = resolve_workers(&pool.cf);
	for (i = 0; i < pool.nslots; i++)
		spawn(i, mono_ns());
	log_info("serving with %d workers", pool.nslots);
	notify_send("READY=1\nSTATUS=serving");
}

/* Runs the master loop until every child is gone; frees the config. */
void
pool_run(void)
{
	master_loop();
	conf_clear(&pool.cf);
}
