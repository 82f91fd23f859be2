/* SPDX-License-Identifier: MIT */
/*
 * The error log behind uring-errlog.h (see tests/errlog-gen.py): with
 * URING_ERRLOG=FILE in the environment, every negative result a test gets
 * from a public function is appended to FILE as "function errno program".
 *
 * The file is opened once, before main(), at a high descriptor: tests that
 * count their open fds, lower RLIMIT_NOFILE or expect the lowest free fd
 * see the same picture with and without the log, and the records of a child
 * that ran out of descriptors still get written.  errno is left as it was.
 */
#include "helpers.h"

static int errlog_fd = -1;

__attribute__((constructor)) static void errlog_open(void)
{
	const char *path = getenv("URING_ERRLOG");
	int fd;

	if (!path || !*path)
		return;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	errlog_fd = fcntl(fd, F_DUPFD_CLOEXEC, 900);
	if (errlog_fd < 0)	/* RLIMIT_NOFILE below 901: keep the low one */
		errlog_fd = fd;
	else
		close(fd);
}

void t_errlog_note(const char *fn, long res)
{
	char line[128];
	int saved = errno, n;

	if (errlog_fd < 0)
		return;
	n = snprintf(line, sizeof(line), "%s %ld %s\n", fn, -res,
		     program_invocation_short_name);
	/* one write(2) per record: O_APPEND keeps parallel suites' lines whole */
	if (n > 0 && (size_t) n < sizeof(line) && write(errlog_fd, line, n) < 0)
		(void) 0;
	errno = saved;
}
