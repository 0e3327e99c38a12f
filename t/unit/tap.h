/*
 * tap.h: a minimal TAP producer for the unit tests (header only).
 *
 *	ok(cond, fmt, ...)	one test; cond true passes
 *	is_int(got, want, name)	integer equality (long long)
 *	is_str(got, want, name)	string equality; NULL equals only NULL
 *	diag(fmt, ...)		a "# " comment line on stdout
 *	done_testing()		prints the plan "1..N"; returns the exit
 *				code for main(): 0 if every test passed
 *
 *	tap_slurp(rel, &len)	reads a fixture file, relative to the test
 *				fixture directory, into a malloc'd buffer
 *				(NUL-terminated) or returns NULL. The
 *				directory is $VP_FIXTURES, else the first of
 *				$VP_SRCDIR/t/fixtures, $srcdir/t/fixtures,
 *				$srcdir/../fixtures, $srcdir/fixtures,
 *				t/fixtures, ../fixtures, ../../t/fixtures
 *				that exists.
 */
#ifndef VP_TAP_H
#define VP_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int tap_count;
static int tap_failed;

static inline int tap_ok(int, const char *, int, const char *, ...)
    __attribute__((format(printf, 4, 5)));
static inline void diag(const char *, ...)
    __attribute__((format(printf, 1, 2)));

static inline int
tap_ok(int cond, const char *file, int line, const char *fmt, ...)
{
	va_list	 ap;

	tap_count++;
	printf("%sok %d - ", cond ? "" : "not ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!cond) {
		tap_failed++;
		printf("#   Failed test at %s line %d.\n", file, line);
	}
	fflush(stdout);
	return cond;
}

static inline void
diag(const char *fmt, ...)
{
	va_list	 ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static inline int
tap_is_int(long long got, long long want, const char *file, int line,
    const char *name)
{
	if (tap_ok(got == want, file, line, "%s", name))
		return 1;
	printf("#          got: %lld\n#     expected: %lld\n", got, want);
	return 0;
}

static inline int
tap_is_str(const char *got, const char *want, const char *file, int line,
    const char *name)
{
	int	 same;

	if (got == NULL || want == NULL)
		same = got == want;
	else
		same = strcmp(got, want) == 0;
	if (tap_ok(same, file, line, "%s", name))
		return 1;
	printf("#          got: %s%s%s\n#     expected: %s%s%s\n",
	    got ? "'" : "", got ? got : "NULL", got ? "'" : "",
	    want ? "'" : "", want ? want : "NULL", want ? "'" : "");
	return 0;
}

static inline int
tap_done(void)
{
	printf("1..%d\n", tap_count);
	if (tap_failed > 0)
		printf("# Looks like you failed %d test%s of %d.\n",
		    tap_failed, tap_failed == 1 ? "" : "s", tap_count);
	fflush(stdout);
	return tap_failed > 0 || tap_count == 0;
}

static inline char *
tap_slurp(const char *rel, size_t *lenp)
{
	static const char *const subs[] = { "/t/fixtures", "/../fixtures",
	    "/fixtures", NULL };
	static const char *const dirs[] = { "t/fixtures", "../fixtures",
	    "../../t/fixtures", NULL };
	char		 dir[1024], path[2048];
	const char	*env;
	struct stat	 st;
	FILE		*f;
	char		*buf;
	size_t		 i, n;
	int		 found = 0;

	if ((env = getenv("VP_FIXTURES")) != NULL) {
		snprintf(dir, sizeof(dir), "%s", env);
		found = 1;
	}
	if (!found && (env = getenv("VP_SRCDIR")) != NULL) {
		snprintf(dir, sizeof(dir), "%s/t/fixtures", env);
		found = stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
	}
	if (!found && (env = getenv("srcdir")) != NULL)
		for (i = 0; subs[i] != NULL && !found; i++) {
			snprintf(dir, sizeof(dir), "%s%s", env, subs[i]);
			found = stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
		}
	for (i = 0; dirs[i] != NULL && !found; i++) {
		snprintf(dir, sizeof(dir), "%s", dirs[i]);
		found = stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
	}
	if (!found)
		return NULL;
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fstat(fileno(f), &st) == -1 || st.st_size < 0 ||
	    (buf = malloc((size_t)st.st_size + 1)) == NULL) {
		fclose(f);
		return NULL;
	}
	n = fread(buf, 1, (size_t)st.st_size, f);
	fclose(f);
	buf[n] = '\0';
	if (lenp != NULL)
		*lenp = n;
	return buf;
}

#define ok(cond, ...)	tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, name) \
	tap_is_int((long long)(got), (long long)(want), __FILE__, __LINE__, \
	    (name))
#define is_str(got, want, name) \
	tap_is_str((got), (want), __FILE__, __LINE__, (name))
#define done_testing()	tap_done()

#endif /* VP_TAP_H */
