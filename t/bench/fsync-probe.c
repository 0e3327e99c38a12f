/*
 * fsync-probe: the disk's own fdatasync latency, for the benchmark.
 *
 * Rewrites 16 KiB blocks of a 4 MiB file (as a WAL that is reused after
 * checkpoints) and calls fdatasync() after each write, paced at a given
 * rate, for a given time. Prints one line:
 *   fsync_p50_ms=... fsync_p99_ms=... fsync_max_ms=... n=...
 * so that the benchmark can show what part of the service's latency tail
 * is the storage's. No SQLite, no service: only the file system.
 *
 * usage: fsync-probe -f FILE [-r PER_SECOND] [-t SECONDS]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BLOCK	16384
#define BLOCKS	256		/* 4 MiB */
#define MAXN	200000

static double
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
cmp(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char *argv[])
{
	static double	 lat[MAXN];
	static char	 buf[BLOCK];
	const char	*path = NULL;
	double		 start, next, t0, period;
	long		 rate = 2000, secs = 3;
	size_t		 n = 0;
	int		 ch, fd;

	while ((ch = getopt(argc, argv, "f:r:t:")) != -1) {
		switch (ch) {
		case 'f':
			path = optarg;
			break;
		case 'r':
			rate = strtol(optarg, NULL, 10);
			break;
		case 't':
			secs = strtol(optarg, NULL, 10);
			break;
		default:
			fprintf(stderr, "usage: fsync-probe -f FILE [-r N] "
			    "[-t S]\n");
			return 2;
		}
	}
	if (path == NULL || rate < 1 || rate > 100000 || secs < 1 ||
	    secs > 60) {
		fprintf(stderr, "usage: fsync-probe -f FILE [-r N] [-t S]\n");
		return 2;
	}
	if ((fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600)) == -1) {
		fprintf(stderr, "fsync-probe: %s: %s\n", path, strerror(errno));
		return 1;
	}
	memset(buf, 'v', sizeof(buf));
	period = 1000.0 / (double)rate;
	start = next = now_ms();
	while (n < MAXN && now_ms() - start < secs * 1000.0) {
		if (pwrite(fd, buf, sizeof(buf),
		    (off_t)(n % BLOCKS) * BLOCK) != (ssize_t)sizeof(buf)) {
			fprintf(stderr, "fsync-probe: write: %s\n",
			    strerror(errno));
			return 1;
		}
		t0 = now_ms();
		if (fdatasync(fd) == -1) {
			fprintf(stderr, "fsync-probe: fdatasync: %s\n",
			    strerror(errno));
			return 1;
		}
		lat[n++] = now_ms() - t0;
		next += period;
		while (now_ms() < next)
			usleep(50);
	}
	close(fd);
	unlink(path);
	if (n == 0)
		return 1;
	qsort(lat, n, sizeof(lat[0]), cmp);
	printf("fsync_p50_ms=%.3f fsync_p99_ms=%.3f fsync_max_ms=%.3f n=%zu\n",
	    lat[n / 2], lat[n * 99 / 100], lat[n - 1], n);
	return 0;
}
