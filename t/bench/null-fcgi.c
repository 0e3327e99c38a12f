/*
 * null-fcgi: the do-nothing FastCGI handler the benchmark measures
 * voicepactd against. It does what any libfcgi service must do and
 * nothing more: a pre-forked pool on a unix socket, an FCGX accept loop,
 * the whole request body read, a fixed small JSON 200 written with the
 * same headers voicepactd sends. Its throughput behind the same nginx is
 * the ceiling every benchmark figure is divided by.
 *
 * usage: null-fcgi -s SOCKET [-w WORKERS] [-m MODE] [-g GROUP]
 *
 * The socket is created like voicepactd creates its own (mode 0660 by
 * default, group GROUP if given). SIGTERM or SIGINT stops the workers
 * and removes the socket. A bench tool, not part of the service: it may
 * use libfcgi directly.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>

#define MAX_WORKERS	64

static const char reply[] = "{\"status\":\"ok\"}";

static volatile sig_atomic_t stop;

static void	 on_signal(int);
static int	 listen_unix(const char *, mode_t, const char *);
static void	 serve(int);
static void	 usage(void) __attribute__((noreturn));

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void
usage(void)
{
	fprintf(stderr, "usage: null-fcgi -s SOCKET [-w WORKERS] [-m MODE] "
	    "[-g GROUP]\n");
	exit(2);
}

/* Creates the listening socket at path; -1 on error (reported). */
static int
listen_unix(const char *path, mode_t mode, const char *group)
{
	struct sockaddr_un	 sun;
	struct group		*gr;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "null-fcgi: socket path too long\n");
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	(void)unlink(path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1) {
		perror("null-fcgi: socket");
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		perror("null-fcgi: bind");
		goto fail;
	}
	if (group != NULL) {
		if ((gr = getgrnam(group)) == NULL) {
			fprintf(stderr, "null-fcgi: unknown group %s\n", group);
			goto fail;
		}
		if (chown(path, (uid_t)-1, gr->gr_gid) == -1) {
			perror("null-fcgi: chown");
			goto fail;
		}
	}
	if (chmod(path, mode) == -1) {
		perror("null-fcgi: chmod");
		goto fail;
	}
	if (listen(fd, 1024) == -1) {
		perror("null-fcgi: listen");
		goto fail;
	}
	return fd;
fail:
	close(fd);
	(void)unlink(path);
	return -1;
}

/* One worker: accept, read the whole body, answer the fixed reply. */
static void
serve(int fd)
{
	FCGX_Request	 fr;
	char		 buf[16384];

	if (FCGX_Init() != 0 ||
	    FCGX_InitRequest(&fr, fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		fprintf(stderr, "null-fcgi: FCGX_Init failed\n");
		_exit(1);
	}
	while (!stop) {
		if (FCGX_Accept_r(&fr) < 0)
			break;
		while (FCGX_GetStr(buf, (int)sizeof(buf), fr.in) > 0)
			;
		FCGX_FPrintF(fr.out, "Status: 200 OK\r\n"
		    "Content-Type: application/json\r\n"
		    "Content-Length: %lu\r\n"
		    "Cache-Control: no-store\r\n\r\n",
		    (unsigned long)(sizeof(reply) - 1));
		FCGX_PutStr(reply, (int)(sizeof(reply) - 1), fr.out);
		FCGX_Finish_r(&fr);
	}
	FCGX_Free(&fr, 0);
	_exit(0);
}

int
main(int argc, char *argv[])
{
	struct sigaction	 sa;
	pid_t			 pids[MAX_WORKERS];
	const char		*path = NULL, *group = NULL;
	char			*end;
	long			 n;
	mode_t			 mode = 0660;
	int			 ch, fd, i, workers = 2, alive;

	while ((ch = getopt(argc, argv, "s:w:m:g:")) != -1) {
		switch (ch) {
		case 's':
			path = optarg;
			break;
		case 'w':
			n = strtol(optarg, &end, 10);
			if (*end != '\0' || n < 1 || n > MAX_WORKERS)
				usage();
			workers = (int)n;
			break;
		case 'm':
			n = strtol(optarg, &end, 8);
			if (*end != '\0' || n < 0 || n > 0777)
				usage();
			mode = (mode_t)n;
			break;
		case 'g':
			group = optarg;
			break;
		default:
			usage();
		}
	}
	if (path == NULL || optind != argc)
		usage();

	if ((fd = listen_unix(path, mode, group)) == -1)
		return 1;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	for (i = 0; i < workers; i++) {
		if ((pids[i] = fork()) == -1) {
			perror("null-fcgi: fork");
			workers = i;
			stop = 1;
			break;
		}
		if (pids[i] == 0)
			serve(fd);
	}

	alive = workers;
	while (!stop && alive > 0) {
		if (wait(NULL) > 0)
			alive--;
	}
	for (i = 0; i < workers; i++)
		(void)kill(pids[i], SIGTERM);
	while (wait(NULL) > 0 || errno == EINTR)
		;
	(void)unlink(path);
	close(fd);
	return 0;
}
