/* SPDX-License-Identifier: MIT */
/*
 * Shared by the errors_* suites, which make each -errno a man page lists
 * happen for real (scripts/man-errors: man/tools/check-errors.py holds the
 * pages to what the tests observe).  Everything is static: each suite is one
 * program.
 *
 *  - t_child(): run a function in a forked child that first lowers its
 *    limits, gives up root (uid/gid 65534: no CAP_IPC_LOCK, CAP_NET_ADMIN,
 *    CAP_SYS_ADMIN) or installs a seccomp filter, and read back the
 *    results it stored.  The parent asserts them.
 *  - t_pester_start()/t_pester_stop(): a thread that keeps sending SIGUSR1
 *    (whose handler does nothing and is installed without SA_RESTART) to
 *    the calling thread, so a blocking call returns -EINTR.
 */
#ifndef URING_TEST_ERRORS_UTIL_H
#define URING_TEST_ERRORS_UTIL_H

#include "helpers.h"

#include <grp.h>
#include <signal.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define T_CHILD_RES	16

struct t_child_opts {
	bool unprivileged;	/* drop to uid/gid 65534 (when root) */
	bool set_memlock;	/* RLIMIT_MEMLOCK = memlock */
	rlim_t memlock;
	rlim_t nofile;		/* RLIMIT_NOFILE, when not 0 */
	int seccomp_setup_errno;	/* io_uring_setup(2) fails with this */
};

/* Give up root: no capabilities left. */
static inline int t_drop_root(void)
{
	if (geteuid() != 0)
		return 0;
	if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
	    setresuid(65534, 65534, 65534))
		return -errno;
	return 0;
}

/*
 * Fork; the child applies o, runs fn(arg, res) (res: T_CHILD_RES ints,
 * preset to INT_MIN) and sends res back.  Returns 0 with res filled, or a
 * negative error when the child could not be set up (the test skips on it:
 * -EPERM/-EOPNOTSUPP) or died.
 */
static inline int t_child(const struct t_child_opts *o,
			  void (*fn)(void *arg, int *res), void *arg, int *res)
{
	int pfd[2], status, i, setup = 0;
	pid_t pid;
	ssize_t n;

	for (i = 0; i < T_CHILD_RES; i++)
		res[i] = -2147483647 - 1;
	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		struct rlimit r;

		close(pfd[0]);
		if (o->set_memlock) {
			r.rlim_cur = r.rlim_max = o->memlock;
			if (setrlimit(RLIMIT_MEMLOCK, &r))
				setup = -errno;
		}
		if (!setup && o->unprivileged)
			setup = t_drop_root();
		if (!setup && o->seccomp_setup_errno)	/* helpers.c */
			setup = t_block_syscall(__NR_io_uring_setup,
						o->seccomp_setup_errno);
		if (!setup && o->nofile) {
			r.rlim_cur = r.rlim_max = o->nofile;
			if (setrlimit(RLIMIT_NOFILE, &r))
				setup = -errno;
		}
		if (setup) {
			res[0] = setup;
			n = write(pfd[1], res, sizeof(int));
			_exit(2);
		}
		fn(arg, res);
		n = write(pfd[1], res, sizeof(int) * T_CHILD_RES);
		_exit(n == (ssize_t) (sizeof(int) * T_CHILD_RES) ? 0 : 1);
	}
	close(pfd[1]);
	n = read(pfd[0], res, sizeof(int) * T_CHILD_RES);
	close(pfd[0]);
	if (waitpid(pid, &status, 0) != pid)
		return -ECHILD;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 2 && n == sizeof(int))
		return res[0];
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
	    n != (ssize_t) (sizeof(int) * T_CHILD_RES))
		fail_msg("child died (status 0x%x, %zd bytes)", status, n);
	return 0;
}

/* Run t_child(); skip the test when the child could not be set up. */
#define T_CHILD(o, fn, arg, res)					\
	do {								\
		int t_child_ret_ = t_child(o, fn, arg, res);		\
		if (t_child_ret_)					\
			T_SKIP("cannot set the child up: %s",		\
			       strerror(-t_child_ret_));		\
	} while (0)

/* ---- a thread that keeps interrupting the caller with SIGUSR1 ---- */

struct t_pester {
	pthread_t th, target;
	volatile int stop;
	unsigned delay_us, every_us;
};

static inline void t_pester_handler(int sig)
{
	(void) sig;
}

static inline void *t_pester_fn(void *arg)
{
	struct t_pester *p = arg;

	usleep(p->delay_us);
	while (!p->stop) {
		pthread_kill(p->target, SIGUSR1);
		usleep(p->every_us);
	}
	return NULL;
}

/* Start interrupting the calling thread after delay_us, then every every_us. */
static inline void t_pester_start(struct t_pester *p, unsigned delay_us,
				  unsigned every_us)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = t_pester_handler;	/* no SA_RESTART: -EINTR */
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGUSR1, &sa, NULL), 0);
	p->target = pthread_self();
	p->stop = 0;
	p->delay_us = delay_us;
	p->every_us = every_us;
	assert_int_equal(pthread_create(&p->th, NULL, t_pester_fn, p), 0);
}

static inline void t_pester_stop(struct t_pester *p)
{
	p->stop = 1;
	pthread_join(p->th, NULL);
}

/* A page that faults on every access: a pointer the kernel cannot copy. */
static inline void *t_bad_ptr(void)
{
	static void *p;

	if (!p) {
		p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		assert_true(p != MAP_FAILED);
	}
	return p;
}

#endif
