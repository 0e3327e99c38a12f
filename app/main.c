/*
 * main.c: voicepactd's startup; pool.c then runs the master process and
 * its pool of workers.
 *
 * Startup (STYLE.md practice 9, spec/HARDENING.md sections 2.3 and 5):
 *  1. make sure fds 0-2 are open (an open fd 0 is left alone: it may be
 *     the listening socket inherited from spawn-fcgi);
 *  2. load the configuration; refuse root without "user";
 *  3. acquire the listening socket: systemd socket activation (fd 3,
 *     LISTEN_PID/LISTEN_FDS), else the configured unix socket path, else
 *     a listening socket on fd 0;
 *  4. drop privileges (setgroups, setresgid, setresuid) and verify;
 *  5. open and close the database once, as the service user, so a
 *     missing, unwritable or wrong-schema database stops the start;
 *  6. block the master's signals (pool.c takes them with sigtimedwait());
 *  7. fork the writer and the workers (pool_start()); then READY=1.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "extern.h"

static void	 usage(void) __attribute__((noreturn));
static void	 ensure_fds(void);
static int	 parse_long(const char *, long long, long long,
		    long long *);
static int	 is_listening(int);
static int	 acquire_socket(const struct config *, char **);
static void	 drop_privileges(const struct config *);
static void	 master_nop(int);

static void
usage(void)
{
	fprintf(stderr, "usage: voicepactd -c FILE [-f] [-t]\n");
	exit(1);
}

/*
 * Opens /dev/null on any of fds 0-2 that is closed; never touches an
 * open one (fd 0 may be the inherited listening socket).
 */
static void
ensure_fds(void)
{
	int	 fd, n;

	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		if ((n = open("/dev/null", O_RDWR)) == -1)
			exit(1);
		if (n != fd) {
			if (dup2(n, fd) == -1)
				exit(1);
			close(n);
		}
	}
}

/* Decimal digits only, within [min, max]; 0 on success. */
static int
parse_long(const char *s, long long min, long long max, long long *out)
{
	long long	 v = 0;

	if (s == NULL || *s == '\0' || strlen(s) > 18)
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* 1 if fd is a socket in the listening state. */
static int
is_listening(int fd)
{
	int		 v = 0;
	socklen_t	 len = sizeof(v);

	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == -1)
		return 0;
	return v != 0;
}

/*
 * Returns the listening fd: systemd's fd 3 if LISTEN_PID is ours, else
 * a new unix socket at cf->socket_path (*created gets a copy of the path,
 * for unlink at exit), else fd 0 if it is a listening socket. Exits if
 * there is none.
 */
static int
acquire_socket(const struct config *cf, char **created)
{
	long long	 pid, nfds;
	int		 fd;

	if (parse_long(getenv("LISTEN_PID"), 1, 0x7fffffff, &pid) == 0 &&
	    parse_long(getenv("LISTEN_FDS"), 0, 0x7fffffff, &nfds) == 0 &&
	    pid == (long long)getpid() && nfds >= 1) {
		unsetenv("LISTEN_PID");
		unsetenv("LISTEN_FDS");
		unsetenv("LISTEN_FDNAMES");
		if (!is_listening(3))
			fatalx("%s: fd 3 passed by systemd is not a listening "
			    "socket", __func__);
		if (nfds > 1)
			log_warnx("%s: systemd passed %lld sockets; using the "
			    "first (fd 3)", __func__, nfds);
		if (cf->socket_path != NULL)
			log_info("%s: socket activation: ignoring socket = %s",
			    __func__, cf->socket_path);
		if (fcntl(3, F_SETFD, FD_CLOEXEC) == -1)
			fatal("%s: fcntl fd 3", __func__);
		log_info("%s: using the socket passed by systemd (fd 3)",
		    __func__);
		return 3;
	}
	if (cf->socket_path != NULL) {
		fd = fcgi_listen_unix(cf->socket_path, cf->socket_mode,
		    cf->socket_group);
		if (fd == -1)
			fatalx("%s: cannot listen on %s", __func__,
			    cf->socket_path);
		if ((*created = strdup(cf->socket_path)) == NULL)
			fatal("%s: strdup", __func__);
		log_info("%s: listening on %s (mode %04o)", __func__,
		    cf->socket_path, cf->socket_mode);
		return fd;
	}
	if (is_listening(0)) {
		log_info("%s: using the listening socket on fd 0", __func__);
		return 0;
	}
	fatalx("%s: no socket to serve: set \"socket\" in %s, or start "
	    "voicepactd with a listening socket (systemd socket activation, "
	    "or on fd 0 as spawn-fcgi does)", __func__, cf->path);
}

/*
 * If root, becomes cf->user (its uid and primary group only) and
 * verifies that the change holds and cannot be undone. Exits on any
 * failure, and refuses to continue as root without a user.
 */
static void
drop_privileges(const struct config *cf)
{
	struct passwd	*pw;
	uid_t		 uid, ru, eu, su;
	gid_t		 gid, rg, eg, sg, groups[2];
	int		 n;

	if (geteuid() != 0 && getuid() != 0) {
		if (cf->user != NULL)
			log_debug("%s: not started as root; user %s ignored",
			    __func__, cf->user);
		return;
	}
	if (cf->user == NULL)
		fatalx("refusing to run as root; set user");
	if ((pw = getpwnam(cf->user)) == NULL)
		fatalx("%s: unknown user %s", __func__, cf->user);
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	if (uid == 0)
		fatalx("%s: user %s has uid 0; choose an unprivileged user",
		    __func__, cf->user);

	if (setgroups(1, &gid) == -1)
		fatal("%s: setgroups", __func__);
	if (setresgid(gid, gid, gid) == -1)
		fatal("%s: setresgid %u", __func__, (unsigned int)gid);
	if (setresuid(uid, uid, uid) == -1)
		fatal("%s: setresuid %u", __func__, (unsigned int)uid);

	/* Verify: every id changed, no other group, no way back. */
	if (getresuid(&ru, &eu, &su) == -1 || ru != uid || eu != uid ||
	    su != uid)
		fatalx("%s: uids not dropped", __func__);
	if (getresgid(&rg, &eg, &sg) == -1 || rg != gid || eg != gid ||
	    sg != gid)
		fatalx("%s: gids not dropped", __func__);
	n = getgroups(2, groups);
	if (n < 0 || n > 1 || (n == 1 && groups[0] != gid))
		fatalx("%s: supplementary groups not dropped", __func__);
	if (setuid(0) != -1 || seteuid(0) != -1)
		fatalx("%s: could regain root after dropping privileges",
		    __func__);
	if (setgid(0) != -1 && gid != 0)
		fatalx("%s: could regain gid 0", __func__);
	log_info("%s: running as %s (uid %u, gid %u)", __func__, cf->user,
	    (unsigned int)uid, (unsigned int)gid);
}

/*
 * Master SIGCHLD: never runs (blocked, taken by sigtimedwait), but makes
 * sure the signal is not discarded as ignored.
 */
static void
master_nop(int sig)
{
	(void)sig;
}

int
main(int argc, char *argv[])
{
	struct sigaction	 sa;
	struct config		 cf;
	sigset_t		 set;
	const char		*conffile = NULL;
	char			 err[512], *created_socket = NULL;
	long long		 usec, wpid;
	int64_t			 watchdog_ns = 0;
	int			 ch, tflag = 0, listen_fd;

	ensure_fds();
	log_init("voicepactd", 0);

	while ((ch = getopt(argc, argv, "c:ft")) != -1) {
		switch (ch) {
		case 'c':
			conffile = optarg;
			break;
		case 'f':
			break;	/* the foreground is the only mode */
		case 't':
			tflag = 1;
			break;
		default:
			usage();
		}
	}
	if (conffile == NULL || optind != argc)
		usage();

	memset(&cf, 0, sizeof(cf));
	if (conf_load(conffile, &cf, err, sizeof(err)) == -1)
		fatalx("%s", err);
	if (cf.allow_unauthenticated)
		log_warnx("WARNING: allow_unauthenticated = yes: webhooks "
		    "without a valid signature or token may be accepted; for "
		    "local development only");
	if ((geteuid() == 0 || getuid() == 0) && cf.user == NULL)
		fatalx("refusing to run as root; set user");

	if (tflag) {
		if (cf.socket_path != NULL && cf.socket_group != NULL &&
		    getgrnam(cf.socket_group) == NULL)
			fatalx("unknown socket_group %s", cf.socket_group);
		drop_privileges(&cf);
		if (pool_check_database(&cf, err, sizeof(err)) == -1)
			fatalx("database check failed: %s", err);
		printf("configuration ok\n");
		conf_clear(&cf);
		return 0;
	}

	listen_fd = acquire_socket(&cf, &created_socket);
	drop_privileges(&cf);
	if (pool_check_database(&cf, err, sizeof(err)) == -1) {
		if (created_socket != NULL)
			unlink(created_socket);
		fatalx("database check failed: %s", err);
	}
	/* Before any fork: every child shares the counters. */
	if (metrics_init() == -1)
		log_warn("metrics_init: counters will not be shared");

	/* The master takes its signals with sigtimedwait() only. */
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = master_nop;
	sigaction(SIGCHLD, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		fatal("sigprocmask");

	if (parse_long(getenv("WATCHDOG_USEC"), 1, 0x7fffffffffffLL,
	    &usec) == 0 &&
	    (getenv("WATCHDOG_PID") == NULL ||
	    (parse_long(getenv("WATCHDOG_PID"), 1, 0x7fffffff, &wpid) == 0 &&
	    wpid == (long long)getpid())))
		watchdog_ns = usec * 1000 / 2;

	pool_start(&cf, listen_fd, watchdog_ns);
	pool_run();

	if (created_socket != NULL &&
	    unlink(created_socket) == -1 && errno != ENOENT)
		log_warn("unlink %s", created_socket);
	free(created_socket);
	log_info("stopped");
	return 0;
}
