/* SPDX-License-Identifier: MIT */
/*
 * SQPOLL going idle and being woken, many times.  With sq_thread_idle = 1 ms
 * the kernel thread sleeps between our bursts and sets IORING_SQ_NEED_WAKEUP;
 * io_uring_submit() must then enter with IORING_ENTER_SQ_WAKEUP.  A missed
 * wakeup leaves SQEs unconsumed and shows up as a CQE that never comes (the
 * waits below give up after ST_HANG_MS and fail the test).
 */
#include "stress.h"

#define SQ_SIZE		16
#define MAX_BURST	64

static void sqpoll_ring(struct io_uring *ring)
{
	struct io_uring_params p;
	int ret;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SQPOLL;
	p.sq_thread_idle = 1;
	ret = io_uring_queue_init_params(SQ_SIZE, ring, &p);
	if (ret)
		fail_msg("SQPOLL queue_init_params: %s", strerror(-ret));
}

static bool sq_needs_wakeup(struct io_uring *ring)
{
	return IO_URING_READ_ONCE(*ring->sq.kflags) & IORING_SQ_NEED_WAKEUP;
}

/*
 * The kernel promises no time by which an idle SQ thread sets NEED_WAKEUP:
 * it must first run, and on a loaded machine it may not for a while.  Wait
 * for the flag (up to ST_HANG_MS) so that the next burst really tests the
 * wakeup; a thread that never sets it is left to the assertion at the end.
 */
static void wait_idle(struct io_uring *ring)
{
	unsigned long long end = st_now_ns() + ST_HANG_MS * 1000000ULL;

	while (!sq_needs_wakeup(ring) && st_now_ns() < end)
		usleep(1000);
}

struct burst {
	struct st_track t;
	struct __kernel_timespec ts[MAX_BURST];
	unsigned long wakeups, bursts, full;
};

/* Queue n NOPs/timeouts (submitting when the SQ is full), then submit. */
static void burst_submit(struct io_uring *ring, struct burst *b, unsigned n,
			 unsigned long long *rng)
{
	unsigned i;
	int ret;

	st_track_reset(&b->t);
	/* the thread sleeps: this submit must wake it */
	if (sq_needs_wakeup(ring))
		b->wakeups++;
	for (i = 0; i < n; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
		unsigned long long end = st_now_ns() + ST_HANG_MS * 1000000ULL;

		/*
		 * SQ full: wake the thread if needed and wait for room.  The
		 * kernel may end the wait once its own head moved, a moment
		 * before it publishes sq.head, so get_sqe can still fail once.
		 */
		while (!sqe) {
			b->full++;
			ret = io_uring_submit(ring);
			assert_true(ret >= 0);
			assert_true(io_uring_sqring_wait(ring) >= 0);
			sqe = io_uring_get_sqe(ring);
			if (st_now_ns() > end)
				fail_msg("SQ stayed full");
		}
		if (st_rand(rng) % 4) {
			io_uring_prep_nop(sqe);
			st_expect(&b->t, i, 0);
		} else {
			b->ts[i] = st_ts_ns(st_range(rng, 1000, 10000));
			io_uring_prep_timeout(sqe, &b->ts[i], 0, 0);
			st_expect(&b->t, i, -ETIME);
		}
		io_uring_sqe_set_data64(sqe, i);
	}
	if (st_rand(rng) & 1)
		ret = io_uring_submit(ring);
	else
		ret = io_uring_submit_and_wait(ring, 1);
	assert_true(ret >= 0);
	b->bursts++;
}

static void burst_run(unsigned min_gap_us, unsigned max_gap_us,
		      const char *name)
{
	struct io_uring ring;
	struct burst *b = calloc(1, sizeof(*b));
	struct st_clock clk;
	unsigned long long rng = st_seed();
	unsigned n;

	assert_non_null(b);
	sqpoll_ring(&ring);
	st_track_init(&b->t, MAX_BURST);
	st_clock_start(&clk, ST_DEFAULT_MS);
	while (st_more(&clk)) {
		n = st_range(&rng, 1, MAX_BURST);
		burst_submit(&ring, b, n, &rng);
		st_drain(&ring, &b->t, n);
		st_track_assert_all(&b->t, n);
		/* let the thread (maybe) go idle */
		usleep(st_range(&rng, min_gap_us, max_gap_us));
		if (min_gap_us >= 9000)
			wait_idle(&ring);
	}
	print_message("# %s: %lu bursts, %lu requests, %lu woken from idle, SQ full %lu times, %.1fs\n",
		      name, b->bursts, b->t.total, b->wakeups, b->full,
		      st_elapsed_s(&clk));
	if (min_gap_us >= 9000)
		assert_true(b->wakeups > b->bursts / 2);
	st_track_free(&b->t);
	free(b);
	io_uring_queue_exit(&ring);
}

/*
 * Gaps well past the idle time (1 ms rounds up to a jiffy, 4 ms at HZ=250,
 * and the thread sleeps only once a full jiffy passed with no work): nearly
 * every burst has to wake the thread.
 */
static void sqpoll_idle_wakeup(void **state)
{
	(void) state;
	burst_run(9000, 12000, "idle gaps");
}

/*
 * Gaps around the idle time: the thread is often just deciding to sleep
 * when the next burst arrives, the race NEED_WAKEUP exists for.
 */
static void sqpoll_wakeup_race(void **state)
{
	(void) state;
	burst_run(0, 9000, "racing gaps");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sqpoll_idle_wakeup),
		cmocka_unit_test(sqpoll_wakeup_race),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
