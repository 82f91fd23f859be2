/* SPDX-License-Identifier: MIT */
/*
 * Exit 0 when this build environment lets a process set up an io_uring
 * instance, 1 (with the reason) when it does not: a kernel without io_uring,
 * kernel.io_uring_disabled, or a seccomp filter (containers).  debian/rules
 * runs the test suites only when it can.  Uses the raw system call, so the
 * answer does not depend on the library being tested.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

int main(void)
{
#ifdef __NR_io_uring_setup
	/* struct io_uring_params is 120 bytes; all zero asks for defaults */
	unsigned char params[120];
	long fd;

	memset(params, 0, sizeof(params));
	fd = syscall(__NR_io_uring_setup, 1, params);
	if (fd >= 0) {
		close((int)fd);
		return 0;
	}
	printf("io_uring_setup: %s\n", strerror(errno));
#else
	printf("no io_uring_setup system call number for this architecture\n");
#endif
	return 1;
}
