/* SPDX-License-Identifier: MIT */
/*
 * What the submit-and-wait entry points return, where a program written
 * against liburing 2.15 can tell: each case runs on a plain ring, a
 * DEFER_TASKRUN ring, an SQPOLL ring and a ring with a registered fd.
 *
 * - SQEs submitted, then the wait times out (or was for 0 CQEs): the
 *   number submitted, with *cqe_ptr NULL when no CQE is there and at the
 *   first one when some are (as liburing; with SQPOLL only what went
 *   through io_uring_enter() is counted).
 * - SQEs submitted and a CQE already there: the number submitted (as
 *   liburing's page says; liburing itself returns 0 there).
 * - io_uring_submit_and_wait_min_timeout() without ts: min_wait is not
 *   used, the wait is for wait_nr CQEs (as liburing).
 * - io_uring_submit_and_wait_reg() with a negative index: -EFAULT (as
 *   liburing, from the kernel), and the SQ is not touched.
 */
#include "helpers.h"

#include <limits.h>
#include <poll.h>

struct wcfg {
	const char *name;
	unsigned flags;
	bool regfd;
};

static const struct wcfg wcfgs[] = {
	{ "default", 0, false },
	{ "defer_taskrun", IORING_SETUP_SINGLE_ISSUER |
			   IORING_SETUP_DEFER_TASKRUN, false },
	{ "sqpoll", IORING_SETUP_SQPOLL, false },
	{ "regfd", 0, true },
};
#define NR_WCFGS	(sizeof(wcfgs) / sizeof(wcfgs[0]))

static void wring(const struct wcfg *c, struct io_uring *ring)
{
	t_ring(ring, 8, c->flags);
	if (c->regfd)
		assert_int_equal(io_uring_register_ring_fd(ring), 1);
}

/*
 * ret is the count n the first io_uring_enter() submitted.  With SQPOLL
 * and wait_nr 0, an awake SQ thread takes the SQEs with no system call at
 * all: nothing was entered, nothing counted (0), as in liburing.
 */
static bool submit_count_ok(const struct io_uring *ring, int ret, int n,
			    unsigned wait_nr)
{
	if (ret == n)
		return true;
	if ((ring->flags & IORING_SETUP_SQPOLL) && !wait_nr && ret == 0)
		return true;
	print_message("# returned %d, not %d\n", ret, n);
	return false;
}

/* The kernel took every SQE (an SQPOLL thread may take a moment). */
static void sq_drained(struct io_uring *ring)
{
	int i;

	for (i = 0; i < 2000 && io_uring_sq_ready(ring); i++)
		usleep(1000);
	assert_int_equal(io_uring_sq_ready(ring), 0);
}

/* A POLLIN on an empty pipe: submitted, completes only when written to. */
static void queue_idle_poll(struct io_uring *ring, int pfd[2], __u64 ud)
{
	struct io_uring_sqe *sqe;

	assert_int_equal(pipe(pfd), 0);
	sqe = t_sqe(ring);
	io_uring_prep_poll_add(sqe, pfd[0], POLLIN);
	io_uring_sqe_set_data64(sqe, ud);
}

/* Let the poll complete, reap it, close the pipe; the ring is empty after. */
static void finish_idle_poll(struct io_uring *ring, int pfd[2], __u64 ud)
{
	__u64 got;

	assert_int_equal(write(pfd[1], "x", 1), 1);
	assert_true(t_wait_bounded(ring, NULL, &got) >= 0);
	assert_int_equal(got, ud);
	t_close_pair(pfd);
	assert_int_equal(io_uring_cq_ready(ring), 0);
}

/* The timed forms, 30 ms, with wait_nr CQEs asked for: which == 0 plain, 1 min_timeout. */
static int timed_submit(struct io_uring *ring, struct io_uring_cqe **cqe,
			unsigned wait_nr, int which)
{
	struct __kernel_timespec ts = t_ms_ts(30);

	if (which)
		return io_uring_submit_and_wait_min_timeout(ring, cqe, wait_nr,
							    &ts, 1000, NULL);
	return io_uring_submit_and_wait_timeout(ring, cqe, wait_nr, &ts, NULL);
}

/* SQEs submitted, no CQE in time: the count, *cqe_ptr NULL; for wait_nr 1 and 0. */
static void submitted_then_timed_out(void **state)
{
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	unsigned i, wait_nr;
	int pfd[2], which;

	(void) state;
	for (i = 0; i < NR_WCFGS; i++)
		for (which = 0; which < 2; which++)
			for (wait_nr = 0; wait_nr < 2; wait_nr++) {
				wring(&wcfgs[i], &ring);
				if (which && !(ring.features & IORING_FEAT_MIN_TIMEOUT)) {
					io_uring_queue_exit(&ring);
					continue;
				}
				print_message("# %s, %s, wait_nr %u\n", wcfgs[i].name,
					      which ? "min_timeout" : "timeout", wait_nr);
				queue_idle_poll(&ring, pfd, 9);
				cqe = (struct io_uring_cqe *) 1;
				assert_true(submit_count_ok(&ring, timed_submit(&ring,
						&cqe, wait_nr, which), 1, wait_nr));
				assert_null(cqe);
				sq_drained(&ring);
				/* nothing queued: the wait's own answer */
				cqe = (struct io_uring_cqe *) 1;
				assert_int_equal(timed_submit(&ring, &cqe, wait_nr, which),
						 wait_nr ? -ETIME : -EAGAIN);
				assert_null(cqe);
				finish_idle_poll(&ring, pfd, 9);
				io_uring_queue_exit(&ring);
			}
}

/*
 * SQEs submitted, the wait times out with fewer CQEs than asked for: the
 * count, and *cqe_ptr at the first CQE there (the page: NULL only if none).
 */
static void submitted_timed_out_with_some(void **state)
{
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	unsigned i;
	int pfd[2];

	(void) state;
	for (i = 0; i < NR_WCFGS; i++) {
		wring(&wcfgs[i], &ring);
		t_nop(&ring, 4);
		queue_idle_poll(&ring, pfd, 9);
		cqe = NULL;
		assert_true(submit_count_ok(&ring, timed_submit(&ring, &cqe, 2, 0),
					    2, 2));
		assert_non_null(cqe);
		assert_int_equal(cqe->user_data, 4);
		io_uring_cqe_seen(&ring, cqe);
		finish_idle_poll(&ring, pfd, 9);
		io_uring_queue_exit(&ring);
	}
}

/* The untimed form with wait_nr 0: the count, no CQE. */
static void submitted_nothing_asked(void **state)
{
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	unsigned i;
	int pfd[2];

	(void) state;
	for (i = 0; i < NR_WCFGS; i++) {
		wring(&wcfgs[i], &ring);
		queue_idle_poll(&ring, pfd, 5);
		cqe = (struct io_uring_cqe *) 1;
		assert_true(submit_count_ok(&ring, io_uring_submit_and_wait_timeout(
				&ring, &cqe, 0, NULL, NULL), 1, 0));
		assert_null(cqe);
		finish_idle_poll(&ring, pfd, 5);
		io_uring_queue_exit(&ring);
	}
}

/*
 * A CQE already there and SQEs queued: they are submitted, the CQE comes
 * back, and the answer is their number (liburing 2.15 answers 0 here,
 * against its own page; the count is what the caller needs).  With SQPOLL
 * the thread may take them without io_uring_enter(): 0 then, as liburing.
 */
static void cqe_ready_and_submitted(void **state)
{
	struct __kernel_timespec ts = t_ms_ts(1000);
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	unsigned i;
	__u64 ud;
	int ret;

	(void) state;
	for (i = 0; i < NR_WCFGS; i++) {
		wring(&wcfgs[i], &ring);
		t_nop(&ring, 1);
		assert_int_equal(io_uring_submit_and_wait(&ring, 1), 1);
		assert_int_equal(io_uring_cq_ready(&ring), 1);
		t_nop(&ring, 2);
		t_nop(&ring, 3);
		ret = io_uring_submit_and_wait_timeout(&ring, &cqe, 1, &ts, NULL);
		if (ring.flags & IORING_SETUP_SQPOLL)
			assert_true(ret == 2 || ret == 0);
		else
			assert_int_equal(ret, 2);
		assert_non_null(cqe);
		assert_int_equal(cqe->user_data, 1);
		io_uring_cqe_seen(&ring, cqe);
		assert_int_equal(t_wait_bounded(&ring, NULL, &ud), 0);
		assert_int_equal(ud, 2);
		assert_int_equal(t_wait_bounded(&ring, NULL, &ud), 0);
		assert_int_equal(ud, 3);
		io_uring_queue_exit(&ring);
	}
}

/*
 * io_uring_submit_and_wait_min_timeout() without ts: min_wait is not
 * used; the wait lasts until wait_nr CQEs are there (a timeout request
 * completing after 150 ms), not min_wait (10 ms).
 */
static void min_timeout_without_ts(void **state)
{
	struct __kernel_timespec ts = t_ms_ts(150);
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	long long t0, dt;
	unsigned i;
	int ret;

	(void) state;
	for (i = 0; i < NR_WCFGS; i++) {
		wring(&wcfgs[i], &ring);
		if (!(ring.features & IORING_FEAT_MIN_TIMEOUT)) {
			io_uring_queue_exit(&ring);
			T_SKIP("kernel lacks IORING_FEAT_MIN_TIMEOUT (6.12+)");
		}
		sqe = t_sqe(&ring);
		io_uring_prep_timeout(sqe, &ts, 0, 0);
		io_uring_sqe_set_data64(sqe, 77);
		t0 = t_now_ms();
		cqe = NULL;
		ret = io_uring_submit_and_wait_min_timeout(&ring, &cqe, 1, NULL,
							   10000, NULL);
		dt = t_now_ms() - t0;
		print_message("# %s: %d after %lld ms\n", wcfgs[i].name, ret, dt);
		assert_true(ret == 1 || ((ring.flags & IORING_SETUP_SQPOLL) && !ret));
		assert_non_null(cqe);
		assert_int_equal(cqe->user_data, 77);
		assert_int_equal(cqe->res, -ETIME);
		assert_true(dt >= 120);
		io_uring_cqe_seen(&ring, cqe);
		io_uring_queue_exit(&ring);
	}
}

/* A negative wait-region index: -EFAULT before anything is submitted. */
static void wait_reg_negative_index(void **state)
{
	static const int bad[] = { -1, -2, INT_MIN };
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	unsigned i, j, tail;
	__u64 ud;

	(void) state;
	for (i = 0; i < NR_WCFGS; i++) {
		wring(&wcfgs[i], &ring);
		t_nop(&ring, 1);
		t_nop(&ring, 2);
		tail = *ring.sq.ktail;
		for (j = 0; j < sizeof(bad) / sizeof(bad[0]); j++) {
			cqe = (struct io_uring_cqe *) 1;
			assert_int_equal(io_uring_submit_and_wait_reg(&ring, &cqe, 1,
								      bad[j]),
					 -EFAULT);
			/* the queued SQEs are still ours, unpublished */
			assert_int_equal(*ring.sq.ktail, tail);
			assert_int_equal(io_uring_sq_ready(&ring), 2);
		}
		assert_int_equal(io_uring_submit(&ring), 2);
		assert_int_equal(t_wait_bounded(&ring, NULL, &ud), 0);
		assert_int_equal(ud, 1);
		assert_int_equal(t_wait_bounded(&ring, NULL, &ud), 0);
		assert_int_equal(ud, 2);
		io_uring_queue_exit(&ring);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(submitted_then_timed_out),
		cmocka_unit_test(submitted_timed_out_with_some),
		cmocka_unit_test(submitted_nothing_asked),
		cmocka_unit_test(cqe_ready_and_submitted),
		cmocka_unit_test(min_timeout_without_ts),
		cmocka_unit_test(wait_reg_negative_index),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
