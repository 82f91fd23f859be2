/* SPDX-License-Identifier: MIT */
/*
 * The rings the library sets up for its own questions (the feature probe
 * behind io_uring_mlock_size(), io_uring_get_probe(), uring_kernel_caps(),
 * the trials of uring_queue_init_adaptive()) leave nothing a program can
 * observe: above all not the size of the calling thread's io-wq, which the
 * first ring a thread sets up fixes (bounded workers = min(SQ entries,
 * 4 x CPUs), read back with io_uring_register_iowq_max_workers()).  And
 * what they learn is kept only when it is a definitive answer: a passing
 * failure (no fd free: EMFILE) is asked again next time.
 *
 * Every case runs in a freshly forked child: this parent process never
 * calls the library, so each child starts with empty caches and a thread
 * without an io-wq.
 */
#include "helpers.h"

#include <grp.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define CHECK(cond, code)	T_CHILD_CHECK(cond, code)
#define in_child(fn)		t_in_child(fn)

/* ---- io-wq size ---- */

#define ENTRIES	64

/*
 * The bounded-worker limit of this thread's io-wq after setting up a ring
 * of ENTRIES SQEs, or -1.
 */
static int bounded_after_ring(void)
{
	unsigned vals[2] = { 0, 0 };
	struct io_uring ring;

	if (io_uring_queue_init(ENTRIES, &ring, 0))
		return -1;
	if (io_uring_register_iowq_max_workers(&ring, vals)) {
		io_uring_queue_exit(&ring);
		return -1;
	}
	io_uring_queue_exit(&ring);
	return (int) vals[0];
}

static int control_child(void)
{
	int b = bounded_after_ring();

	return b < 0 ? 255 : b;
}

/* What the caller's ring gets when it is the first ring of its thread. */
static int expected_bounded(void)
{
	int b = in_child(control_child);

	if (b == 255)
		T_SKIP("cannot read the io-wq limits back");
	print_message("# a first ring of %u entries: %d bounded workers\n",
		      ENTRIES, b);
	return b;
}

static int after_mlock_size(void)
{
	CHECK(io_uring_mlock_size(ENTRIES, 0) >= 0, 250);
	return bounded_after_ring();
}

static void mlock_size_leaves_iowq(void **state)
{
	int want = expected_bounded();

	(void) state;
	assert_int_equal(in_child(after_mlock_size), want);
}

static int after_get_probe(void)
{
	struct io_uring_probe *probe = io_uring_get_probe();

	CHECK(probe, 250);
	CHECK(io_uring_opcode_supported(probe, IORING_OP_NOP), 251);
	io_uring_free_probe(probe);
	return bounded_after_ring();
}

static void get_probe_leaves_iowq(void **state)
{
	int want = expected_bounded();

	(void) state;
	assert_int_equal(in_child(after_get_probe), want);
}

static int after_kernel_caps(void)
{
	CHECK(uring_kernel_caps()->available, 250);
	return bounded_after_ring();
}

static void kernel_caps_leave_iowq(void **state)
{
	int want = expected_bounded();

	(void) state;
	assert_int_equal(in_child(after_kernel_caps), want);
}

static int after_adaptive(void)
{
	struct io_uring_params p;
	unsigned vals[2] = { 0, 0 }, kept = 0;
	struct io_uring ring;

	/* an optional flag no kernel knows forces the trial-by-trial path */
	memset(&p, 0, sizeof(p));
	CHECK(!uring_queue_init_adaptive(ENTRIES, &ring, &p, 1U << 31 |
				IORING_SETUP_COOP_TASKRUN, &kept), 250);
	CHECK(!(kept & (1U << 31)), 251);
	CHECK(!io_uring_register_iowq_max_workers(&ring, vals), 252);
	io_uring_queue_exit(&ring);
	return (int) vals[0];
}

static void adaptive_leaves_iowq(void **state)
{
	int want = expected_bounded();

	(void) state;
	assert_int_equal(in_child(after_adaptive), want);
}

/* ---- only definitive answers are cached ---- */

/* Take every free fd (below a soft limit of 64): the next ring gets EMFILE. */
static int fill_fds(struct rlimit *old)
{
	struct rlimit lim;
	int n = 0;

	if (getrlimit(RLIMIT_NOFILE, old))
		return -1;
	lim = *old;
	lim.rlim_cur = 64;
	if (setrlimit(RLIMIT_NOFILE, &lim))
		return -1;
	while (dup(0) >= 0)
		n++;
	return n;
}

static void free_fds(const struct rlimit *old)
{
	int fd;

	for (fd = 3; fd < 64; fd++)
		close(fd);
	setrlimit(RLIMIT_NOFILE, old);
}

/*
 * The feature probe behind io_uring_mlock_size() meets EMFILE, then not.
 * No ring of the caller's is set up in between: the library has nothing
 * to learn the features from but its own probe.
 */
static int features_retry_child(void)
{
	struct io_uring ring;
	struct rlimit old;
	ssize_t before;

	CHECK(fill_fds(&old) >= 0, 77);
	CHECK(io_uring_queue_init(2, &ring, 0) == -EMFILE, 77);
	/* no io_uring known: the estimate of a kernel without NATIVE_WORKERS,
	 * power-of-two page blocks (128 pages of 4 KiB for 4096 entries) */
	before = io_uring_mlock_size(4096, 0);
	CHECK(before > 0, 10);
	free_fds(&old);
	/* NATIVE_WORKERS learnt: 0 (5.12 to 6.13, or CAP_IPC_LOCK), or on
	 * 6.14+ without it the ring's exact pages (97), never the old blocks */
	CHECK(io_uring_mlock_size(4096, 0) != before, 11);
	return 0;
}

static void feature_cache_not_poisoned(void **state)
{
	int rc;

	(void) state;
	rc = in_child(features_retry_child);
	if (rc == 77)
		T_SKIP("cannot make io_uring_setup fail with EMFILE here");
	assert_int_equal(rc, 0);
}

static int caps_retry_child(void)
{
	const struct uring_kernel_caps *c;
	struct rlimit old;
	char msg[512];

	CHECK(fill_fds(&old) >= 0, 77);
	c = uring_kernel_caps();
	CHECK(!c->available, 77);
	CHECK(c->setup_error == -EMFILE, 10);
	free_fds(&old);
	c = uring_kernel_caps();
	CHECK(c->available, 11);
	CHECK(c->setup_flags & IORING_SETUP_SQPOLL, 12);
	CHECK(c->nr_ops > IORING_OP_NOP, 13);
	/* and now kept: the same answer, at the same place */
	CHECK(uring_kernel_caps() == c, 14);
	/* advice from the real answers: a flag no kernel knows is named */
	{
		struct io_uring_params p;

		memset(&p, 0, sizeof(p));
		p.flags = 1U << 30;
		uring_explain(-EINVAL, 8, &p, msg, sizeof(msg));
		fprintf(stderr, "# %s\n", msg);
		CHECK(strstr(msg, "does not support setup flag"), 15);
	}
	return 0;
}

static void kernel_caps_not_poisoned(void **state)
{
	int rc;

	(void) state;
	rc = in_child(caps_retry_child);
	if (rc == 77)
		T_SKIP("cannot make io_uring_setup fail with EMFILE here");
	assert_int_equal(rc, 0);
}

/* ---- locked memory ---- */

/*
 * From Linux 6.14 on, every ring is charged to RLIMIT_MEMLOCK (processes
 * without CAP_IPC_LOCK), and the kernel gives a destroyed ring's charge back
 * only a moment later.  A process under a 64 KiB limit (16 pages) that can
 * set up a 256-entry ring (13 pages) can still do so right after
 * uring_kernel_caps() (a few dozen scratch rings) and io_uring_get_probe().
 * A fresh uid, so that nothing else of the user is charged.
 */
static int memlock_child(void)
{
	uid_t uid = 50000 + (uid_t) (getpid() % 10000);
	struct rlimit lim = { 65536, 65536 };
	struct io_uring ring;
	int ret;

	if (setgroups(0, NULL) || setgid(uid) || setuid(uid) ||
	    setrlimit(RLIMIT_MEMLOCK, &lim))
		return 77;
	CHECK(uring_kernel_caps()->available, 10);
	ret = io_uring_queue_init(256, &ring, 0);
	fprintf(stderr, "# 256 entries right after uring_kernel_caps(): %d\n", ret);
	CHECK(ret == 0, 11);
	io_uring_queue_exit(&ring);
	free(io_uring_get_probe());
	ret = io_uring_queue_init_params(256, &ring, &(struct io_uring_params) { 0 });
	fprintf(stderr, "# and right after io_uring_get_probe(): %d\n", ret);
	CHECK(ret == 0, 12);
	io_uring_queue_exit(&ring);
	return 0;
}

static void own_rings_leave_memlock(void **state)
{
	int rc;

	(void) state;
	if (getuid() != 0)
		T_SKIP("needs root to run a child under a fresh uid");
	rc = in_child(memlock_child);
	if (rc == 77)
		T_SKIP("cannot switch to a fresh uid here");
	assert_int_equal(rc, 0);
}

/* ---- io_uring_register refused by a filter ---- */

/*
 * Rings allowed, io_uring_register refused by a filter: with EPERM (as
 * container runtimes do), EACCES (as a security module does) or ENOSYS (as
 * a filter that hides the system call does).  The register operations are
 * unknown (denied), not all "known", and the explanations say why (a
 * filter, not the ring's restrictions).  The opcode probe is a register
 * operation: the opcodes are unknown too.
 */
static int deny_register_err;

static int deny_register_child(void)
{
	const struct uring_kernel_caps *c;
	int err = deny_register_err;
	char msg[1024];
	unsigned op;

	CHECK(!t_block_syscall(__NR_io_uring_register, err), 77);
	c = uring_kernel_caps();
	CHECK(c->available, 10);
	fprintf(stderr, "# method %d, %u register ops known, %u opcodes\n",
		c->register_method, c->nr_register_ops, c->nr_ops);
	CHECK(c->register_method == URING_REGOPS_DENIED, 11);
	CHECK(c->nr_register_ops == 0, 12);
	for (op = 0; op < 64; op++)
		CHECK(!c->register_op_supported[op], 13);
	/* the opcode probe is a register operation too: opcodes unknown */
	CHECK(c->nr_ops == 0, 15);
	uring_explain_register(-err, IORING_REGISTER_BUFFERS, msg, sizeof(msg));
	fprintf(stderr, "# %s\n", msg);
	CHECK(strstr(msg, "seccomp"), 16);
	CHECK(!strstr(msg, "restrictions"), 18);
	uring_explain_register(-EINVAL, IORING_REGISTER_BUFFERS, msg, sizeof(msg));
	fprintf(stderr, "# %s\n", msg);
	CHECK(strstr(msg, "could not be found out"), 17);
	return 0;
}

static void register_denied_with(int err)
{
	int rc;

	/* the argument-less calls of the fallback path: valgrind 3.19 checks
	 * an unnamed argument of some opcodes as memory */
	if (t_under_valgrind())
		T_SKIP("valgrind checks argument-less io_uring_register calls");
	deny_register_err = err;
	rc = in_child(deny_register_child);
	if (rc == 77)
		T_SKIP("cannot install a seccomp filter here");
	assert_int_equal(rc, 0);
}

static void kernel_caps_register_denied(void **state)
{
	(void) state;
	register_denied_with(EPERM);
}

static void kernel_caps_register_denied_eacces(void **state)
{
	(void) state;
	register_denied_with(EACCES);
}

static void kernel_caps_register_denied_enosys(void **state)
{
	(void) state;
	register_denied_with(ENOSYS);
}

/* ---- where the library's own thread cannot be created ---- */

/* Apply action to clone() and clone3(): 0, or 77 when no filter goes in. */
static int filter_clone(unsigned action)
{
	if (t_seccomp_syscall(__NR_clone, action, 0) < 0)
		return 77;
#ifdef __NR_clone3
	if (t_seccomp_syscall(__NR_clone3, action, 0) < 0)
		return 77;
#endif
	return 0;
}

static void *nothing(void *arg)
{
	return arg;
}

/*
 * clone() fails with an error (a sandbox's errno filter, RLIMIT_NPROC):
 * the library sets its rings up on the calling thread, every answer is
 * still there, and errno is left as it was.
 */
static int clone_denied_child(void)
{
	struct io_uring_probe *probe;
	pthread_t th;

	CHECK(!filter_clone(SECCOMP_RET_ERRNO | EPERM), 77);
	CHECK(pthread_create(&th, NULL, nothing, NULL) != 0, 10);
	errno = 4242;
	probe = io_uring_get_probe();
	CHECK(probe, 11);
	CHECK(io_uring_opcode_supported(probe, IORING_OP_NOP), 12);
	io_uring_free_probe(probe);
	CHECK(io_uring_mlock_size(64, 0) >= 0, 13);
	CHECK(uring_kernel_caps()->available, 14);
	CHECK(errno == 4242, 15);
	return 0;
}

static void own_thread_clone_denied(void **state)
{
	int rc;

	(void) state;
	if (t_under_valgrind())
		T_SKIP("valgrind creates its threads itself");
	rc = in_child(clone_denied_child);
	if (rc == 77)
		T_SKIP("cannot install a seccomp filter here");
	assert_int_equal(rc, 0);
}

/*
 * clone() kills (SECCOMP_RET_KILL_PROCESS): the caller of
 * io_uring_get_probe() dies of SIGSYS, as io_uring_get_probe(3) and
 * uring_porting(7) say; sandboxes must let clone() fail or succeed.
 */
static void own_thread_clone_killed(void **state)
{
	int status;
	pid_t pid;

	(void) state;
	if (t_under_valgrind())
		T_SKIP("valgrind creates its threads itself");
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		if (filter_clone(SECCOMP_RET_KILL_PROCESS))
			_exit(77);
		io_uring_free_probe(io_uring_get_probe());
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77)
		T_SKIP("cannot install a seccomp filter here");
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mlock_size_leaves_iowq),
		cmocka_unit_test(get_probe_leaves_iowq),
		cmocka_unit_test(kernel_caps_leave_iowq),
		cmocka_unit_test(adaptive_leaves_iowq),
		cmocka_unit_test(feature_cache_not_poisoned),
		cmocka_unit_test(kernel_caps_not_poisoned),
		cmocka_unit_test(own_rings_leave_memlock),
		cmocka_unit_test(kernel_caps_register_denied),
		cmocka_unit_test(kernel_caps_register_denied_eacces),
		cmocka_unit_test(kernel_caps_register_denied_enosys),
		cmocka_unit_test(own_thread_clone_denied),
		cmocka_unit_test(own_thread_clone_killed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
