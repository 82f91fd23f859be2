/* SPDX-License-Identifier: MIT */
/*
 * The -errno values the setup, submission and waiting calls document in
 * their ERRORS sections, each made to happen for real:
 *   resource limits (RLIMIT_MEMLOCK without CAP_IPC_LOCK, RLIMIT_NOFILE),
 *   a kernel that refuses io_uring (a seccomp filter gives io_uring_setup(2)
 *   the ENOSYS of a kernel without it and the EPERM of
 *   kernel.io_uring_disabled; the library must pass both back unchanged),
 *   signals during a wait (-EINTR), a disabled ring (-EBADFD), a second
 *   task on a DEFER_TASKRUN ring (-EEXIST) and bad pointers (-EFAULT).
 */
#include "errors_util.h"

/* ---- setup under limits ---- */

static void setup_calls(void *arg, int *res)
{
	struct io_uring_params p;
	struct io_uring ring;
	unsigned kept = 0;
	int ret;

	(void) arg;
	memset(&p, 0, sizeof(p));
	ret = io_uring_setup(8, &p);
	res[0] = ret;
	if (ret >= 0)
		close(ret);
	ret = io_uring_queue_init(8, &ring, 0);
	res[1] = ret;
	if (!ret)
		io_uring_queue_exit(&ring);
	memset(&p, 0, sizeof(p));
	ret = io_uring_queue_init_params(8, &ring, &p);
	res[2] = ret;
	if (!ret)
		io_uring_queue_exit(&ring);
	memset(&p, 0, sizeof(p));
	ret = uring_queue_init_adaptive(8, &ring, &p, IORING_SETUP_SINGLE_ISSUER |
					IORING_SETUP_DEFER_TASKRUN, &kept);
	res[3] = ret;
	if (!ret)
		io_uring_queue_exit(&ring);
}

static void assert_all_setup(const int *res, int err)
{
	int i;

	for (i = 0; i < 4; i++)
		if (res[i] != err)
			fail_msg("setup call %d: %d, want %d", i, res[i], err);
}

/* Ring memory is charged to RLIMIT_MEMLOCK for a caller without
 * CAP_IPC_LOCK (kernels that allocate the rings as regions, 6.13 or so). */
static void setup_enomem(void **state)
{
	struct t_child_opts o = { .unprivileged = true, .set_memlock = true };
	int res[T_CHILD_RES];

	(void) state;
	T_CHILD(&o, setup_calls, NULL, res);
	if (res[0] >= 0)
		T_SKIP("this kernel does not charge ring memory to RLIMIT_MEMLOCK");
	assert_all_setup(res, -ENOMEM);
}

static void setup_emfile(void **state)
{
	struct t_child_opts o = { .nofile = 3 };	/* 0, 1, 2 are open */
	int res[T_CHILD_RES];

	(void) state;
	if (t_under_valgrind())
		T_SKIP("valgrind keeps RLIMIT_NOFILE changes to itself");
	T_CHILD(&o, setup_calls, NULL, res);
	assert_all_setup(res, -EMFILE);
}

static void setup_enosys(void **state)
{
	struct t_child_opts o = { .seccomp_setup_errno = ENOSYS };
	int res[T_CHILD_RES];

	(void) state;
	T_CHILD(&o, setup_calls, NULL, res);
	assert_all_setup(res, -ENOSYS);
}

static void setup_eperm(void **state)
{
	struct t_child_opts o = { .seccomp_setup_errno = EPERM };
	int res[T_CHILD_RES];

	(void) state;
	T_CHILD(&o, setup_calls, NULL, res);
	assert_all_setup(res, -EPERM);
}

static void setup_efault(void **state)
{
	(void) state;
	if (t_under_valgrind())
		T_SKIP("memcheck reports the bad pointer itself");
	assert_int_equal(io_uring_setup(8, t_bad_ptr()), -EFAULT);
}

/* ---- io_uring_enter(2) ---- */

/* A ring set up with IORING_SETUP_R_DISABLED takes no submissions. */
static void enter_ebadfd(void **state)
{
	struct io_uring ring;

	(void) state;
	t_ring(&ring, 4, IORING_SETUP_R_DISABLED);
	io_uring_prep_nop(t_sqe(&ring));
	assert_int_equal(io_uring_submit(&ring), -EBADFD);
	assert_int_equal(io_uring_enter(ring.ring_fd, 1, 0, 0, NULL), -EBADFD);
	assert_int_equal(io_uring_enable_rings(&ring), 0);
	assert_int_equal(io_uring_submit(&ring), 1);
	assert_int_equal(t_wait(&ring, NULL, NULL), 0);
	io_uring_queue_exit(&ring);
}

struct other_task {
	struct io_uring *ring;
	int enter, wait, submit;
};

static void *other_task_fn(void *arg)
{
	struct other_task *t = arg;

	t->enter = io_uring_enter(t->ring->ring_fd, 0, 0,
				  IORING_ENTER_GETEVENTS, NULL);
	t->wait = io_uring_get_events(t->ring);
	io_uring_prep_nop(io_uring_get_sqe(t->ring));
	t->submit = io_uring_submit_and_wait(t->ring, 0);
	return NULL;
}

/* DEFER_TASKRUN runs completions only in the task that set the ring up. */
static void enter_eexist(void **state)
{
	struct io_uring_params p;
	struct other_task t;
	struct io_uring ring;
	pthread_t th;
	int ret;

	(void) state;
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
	ret = io_uring_queue_init_params(4, &ring, &p);
	if (ret == -EINVAL)
		T_SKIP("kernel lacks IORING_SETUP_DEFER_TASKRUN");
	assert_int_equal(ret, 0);
	t.ring = &ring;
	assert_int_equal(pthread_create(&th, NULL, other_task_fn, &t), 0);
	pthread_join(th, NULL);
	assert_int_equal(t.enter, -EEXIST);
	assert_int_equal(t.wait, -EEXIST);
	assert_int_equal(t.submit, -EEXIST);
	/* the owner still can */
	assert_int_equal(io_uring_submit(&ring), 1);
	assert_int_equal(t_wait(&ring, NULL, NULL), 0);
	io_uring_queue_exit(&ring);
}

static void enter_efault(void **state)
{
	struct io_uring ring;

	(void) state;
	if (t_under_valgrind())
		T_SKIP("memcheck reports the bad pointer itself");
	t_ring(&ring, 4, 0);
	assert_int_equal(io_uring_enter2(ring.ring_fd, 0, 1,
					 IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG,
					 t_bad_ptr(), sizeof(struct io_uring_getevents_arg)),
			 -EFAULT);
	io_uring_queue_exit(&ring);
}

/* ---- -EINTR: a signal arrives while the call waits ---- */

enum { W_ENTER, W_WAIT_CQE, W_WAIT_NR, W_GET_CQE, W_WAIT_CQES, W_WAIT_TIMEOUT,
       W_WAIT_MIN, W_SUBMIT_WAIT, W_SUBMIT_TIMEOUT, W_SUBMIT_MIN, W_N };

static int wait_call(struct io_uring *ring, int which)
{
	struct __kernel_timespec ts = { .tv_sec = 10 };
	struct io_uring_cqe *cqe;

	switch (which) {
	case W_ENTER:
		return io_uring_enter(ring->ring_fd, 0, 1, IORING_ENTER_GETEVENTS, NULL);
	case W_WAIT_CQE:
		return io_uring_wait_cqe(ring, &cqe);
	case W_WAIT_NR:
		return io_uring_wait_cqe_nr(ring, &cqe, 2);
	case W_GET_CQE:
		return __io_uring_get_cqe(ring, &cqe, 0, 1, NULL);
	case W_WAIT_CQES:
		return io_uring_wait_cqes(ring, &cqe, 1, NULL, NULL);
	case W_WAIT_TIMEOUT:
		return io_uring_wait_cqe_timeout(ring, &cqe, &ts);
	case W_WAIT_MIN:
		return io_uring_wait_cqes_min_timeout(ring, &cqe, 1, &ts, 0, NULL);
	case W_SUBMIT_WAIT:
		return io_uring_submit_and_wait(ring, 1);
	case W_SUBMIT_TIMEOUT:
		return io_uring_submit_and_wait_timeout(ring, &cqe, 1, &ts, NULL);
	case W_SUBMIT_MIN:
		return io_uring_submit_and_wait_min_timeout(ring, &cqe, 1, &ts, 0, NULL);
	}
	return -EINVAL;
}

static void waits_eintr(void **state)
{
	struct t_pester pester;
	struct io_uring ring;
	int i, ret;

	(void) state;
	if (t_under_valgrind())
		T_SKIP("under valgrind the signal does not interrupt the waits");
	t_ring(&ring, 4, 0);
	for (i = 0; i < W_N; i++) {
		long long t0 = t_now_ms();

		t_pester_start(&pester, 20000, 20000);
		ret = wait_call(&ring, i);
		t_pester_stop(&pester);
		if (ret == -EINVAL && (i == W_WAIT_MIN || i == W_SUBMIT_MIN) &&
		    !(ring.features & IORING_FEAT_MIN_TIMEOUT))
			continue;	/* 6.12 */
		if (ret != -EINTR)
			fail_msg("wait call %d: %d, want -EINTR", i, ret);
		assert_true(t_now_ms() - t0 < 5000);
	}
	/* nothing was lost: the ring still works */
	t_nop_roundtrip(&ring, 5);
	io_uring_queue_exit(&ring);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(setup_enomem),
		cmocka_unit_test(setup_emfile),
		cmocka_unit_test(setup_enosys),
		cmocka_unit_test(setup_eperm),
		cmocka_unit_test(setup_efault),
		cmocka_unit_test(enter_ebadfd),
		cmocka_unit_test(enter_eexist),
		cmocka_unit_test(enter_efault),
		cmocka_unit_test(waits_eintr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
