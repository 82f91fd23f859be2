/* SPDX-License-Identifier: MIT */
/*
 * SQ full: producers that run into a full SQ ring (io_uring_get_sqe()
 * returns NULL), submit to make room and go on.  A full SQ must say so
 * consistently (no space left, sq_ready == entries) and lose nothing.
 */
#include "stress.h"

#define SQ_SIZE		4
#define MAX_REQS	8192

static void ring_small_sq(struct io_uring *ring, unsigned flags,
			  unsigned idle_ms)
{
	struct io_uring_params p;
	int ret;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_CQSIZE | flags;
	p.cq_entries = 2 * MAX_REQS;
	p.sq_thread_idle = idle_ms;
	ret = io_uring_queue_init_params(SQ_SIZE, ring, &p);
	if (ret)
		fail_msg("queue_init_params(0x%x): %s", flags, strerror(-ret));
	assert_int_equal(ring->sq.ring_entries, SQ_SIZE);
}

/* get_sqe returned NULL: the ring must really be full. */
static void assert_sq_full(struct io_uring *ring)
{
	assert_int_equal(io_uring_sq_space_left(ring), 0);
	assert_int_equal(io_uring_sq_ready(ring), SQ_SIZE);
}

/*
 * Fill the SQ until get_sqe fails, then submit (sometimes with
 * submit_and_wait, sometimes reaping first) and retry the same request.
 */
static void sq_full_retry(void **state)
{
	static struct __kernel_timespec ts[MAX_REQS];
	struct io_uring ring;
	struct st_track t;
	struct st_clock clk;
	unsigned long long rng = st_seed();
	unsigned long nulls = 0;
	unsigned i, n;
	int ret;

	(void) state;
	ring_small_sq(&ring, 0, 0);
	st_track_init(&t, MAX_REQS);
	st_clock_start(&clk, ST_DEFAULT_MS);
	while (st_more(&clk)) {
		n = st_range(&rng, SQ_SIZE + 1, MAX_REQS);
		st_track_reset(&t);
		for (i = 0; i < n; i++) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

			if (!sqe) {
				nulls++;
				assert_sq_full(&ring);
				switch (st_rand(&rng) % 3) {
				case 0:
					ret = io_uring_submit(&ring);
					break;
				case 1:
					ret = io_uring_submit_and_wait(&ring, 1);
					break;
				default:
					st_reap(&ring, &t);
					ret = io_uring_submit(&ring);
					break;
				}
				assert_int_equal(ret, SQ_SIZE);
				assert_int_equal(io_uring_sq_space_left(&ring),
						 SQ_SIZE);
				sqe = io_uring_get_sqe(&ring);
				assert_non_null(sqe);
			}
			st_prep_nop_or_timeout(sqe, &t, i, &ts[i], &rng, 4);
		}
		ret = io_uring_submit(&ring);
		assert_true(ret >= 0);
		st_drain(&ring, &t, n);
		st_track_assert_all(&t, n);
	}
	print_message("# %lu rounds, %lu requests, SQ full %lu times, %.1fs\n",
		      clk.rounds, t.total, nulls, st_elapsed_s(&clk));
	assert_true(nulls > 0);
	st_track_free(&t);
	io_uring_queue_exit(&ring);
}

/*
 * The same with SQPOLL: the kernel thread drains the SQ on its own, so
 * space comes back without io_uring_enter(); io_uring_sqring_wait() waits
 * for it.  The thread idles after 1 ms, so the producer also has to wake it.
 */
static void sq_full_sqpoll(void **state)
{
	static struct __kernel_timespec ts[MAX_REQS];
	struct io_uring ring;
	struct st_track t;
	struct st_clock clk;
	unsigned long long rng = st_seed();
	unsigned long nulls = 0, waits = 0;
	unsigned i, n;
	int ret;

	(void) state;
	ring_small_sq(&ring, IORING_SETUP_SQPOLL, 1);
	st_track_init(&t, MAX_REQS);
	st_clock_start(&clk, ST_DEFAULT_MS);
	while (st_more(&clk)) {
		n = st_range(&rng, SQ_SIZE + 1, MAX_REQS / 4);
		st_track_reset(&t);
		for (i = 0; i < n; i++) {
			struct io_uring_sqe *sqe;

			while (!(sqe = io_uring_get_sqe(&ring))) {
				nulls++;
				/* publish the tail (waking the thread if it
				 * sleeps), then wait for it to consume */
				ret = io_uring_submit(&ring);
				assert_true(ret >= 0);
				ret = io_uring_sqring_wait(&ring);
				assert_true(ret >= 0);
				waits++;
			}
			st_prep_nop_or_timeout(sqe, &t, i, &ts[i], &rng, 4);
			if (!(st_rand(&rng) % 64))
				st_reap(&ring, &t);
		}
		ret = io_uring_submit(&ring);
		assert_true(ret >= 0);
		st_drain(&ring, &t, n);
		st_track_assert_all(&t, n);
		/* let the thread go idle now and then */
		if (!(clk.rounds % 8))
			usleep(2000);
	}
	print_message("# %lu rounds, %lu requests, SQ full %lu times, %lu sqring waits, %.1fs\n",
		      clk.rounds, t.total, nulls, waits, st_elapsed_s(&clk));
	st_track_free(&t);
	io_uring_queue_exit(&ring);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sq_full_retry),
		cmocka_unit_test(sq_full_sqpoll),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
