/* SPDX-License-Identifier: MIT */
/*
 * CQ overflow under load: far more requests in flight than the CQ ring
 * holds.  With IORING_FEAT_NODROP the kernel keeps what does not fit and
 * hands it over as we make room; nothing may be lost or doubled, and
 * nothing may count as dropped (cq.koverflow stays 0).
 */
#include "stress.h"

#define CQ_SIZE		8
#define MAX_REQS	4096

static void ring_small_cq(struct io_uring *ring, unsigned flags)
{
	struct io_uring_params p;
	int ret;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_CQSIZE | flags;
	p.cq_entries = CQ_SIZE;
	ret = io_uring_queue_init_params(CQ_SIZE, ring, &p);
	if (ret)
		fail_msg("queue_init_params: %s", strerror(-ret));
	assert_int_equal(ring->cq.ring_entries, CQ_SIZE);
}

/* A small-CQ ring (skip without NODROP), a tracker and the clock. */
static void overflow_begin(struct io_uring *ring, struct st_track *t,
			   struct st_clock *clk)
{
	ring_small_cq(ring, 0);
	if (!(ring->features & IORING_FEAT_NODROP)) {
		io_uring_queue_exit(ring);
		T_SKIP("kernel lacks IORING_FEAT_NODROP");
	}
	st_track_init(t, MAX_REQS);
	st_clock_start(clk, ST_DEFAULT_MS);
}

static void overflow_end(struct io_uring *ring, struct st_track *t)
{
	st_track_free(t);
	io_uring_queue_exit(ring);
}

/* The ring is idle and empty: no overflow held, nothing dropped. */
static void assert_cq_clean(struct io_uring *ring)
{
	assert_int_equal(io_uring_cq_ready(ring), 0);
	assert_false(io_uring_cq_has_overflow(ring));
	assert_int_equal(*ring->cq.koverflow, 0);
}

/* Retire cqe into t, counting any that comes before the last one retired. */
static void take_ordered(struct st_track *t, const struct io_uring_cqe *cqe,
			 unsigned *last, unsigned *disorder)
{
	if (t->done && cqe->user_data <= *last)
		(*disorder)++;
	*last = (unsigned) cqe->user_data;
	st_complete(t, cqe->user_data, cqe->res);
}

/* Reap one at a time with io_uring_peek_cqe(): it must flush the overflow. */
static void drain_peek(struct io_uring *ring, struct st_track *t,
		       unsigned long n, unsigned *last, unsigned *disorder)
{
	struct io_uring_cqe *cqe;
	int ret;

	while (t->done < n) {
		ret = io_uring_peek_cqe(ring, &cqe);
		if (ret)
			fail_msg("peek_cqe: %s with %lu CQEs still held",
				 strerror(-ret), n - t->done);
		take_ordered(t, cqe, last, disorder);
		io_uring_cqe_seen(ring, cqe);
	}
}

/* Reap in batches with io_uring_peek_batch_cqe(): it flushes when empty. */
static void drain_batch(struct io_uring *ring, struct st_track *t,
			unsigned long n, unsigned *last, unsigned *disorder)
{
	struct io_uring_cqe *cqes[16];
	unsigned got, i;

	while (t->done < n) {
		got = io_uring_peek_batch_cqe(ring, cqes, 16);
		if (!got)
			fail_msg("peek_batch_cqe: 0 with %lu CQEs still held",
				 n - t->done);
		for (i = 0; i < got; i++)
			take_ordered(t, cqes[i], last, disorder);
		io_uring_cq_advance(ring, got);
	}
}

/* Reap with io_uring_wait_cqe() and the for_each iterator. */
static void drain_wait(struct io_uring *ring, struct st_track *t,
		       unsigned long n, unsigned *last, unsigned *disorder)
{
	struct io_uring_cqe *cqe;
	unsigned head, seen;
	int ret;

	while (t->done < n) {
		ret = io_uring_wait_cqe(ring, &cqe);
		if (ret)
			fail_msg("wait_cqe: %s", strerror(-ret));
		seen = 0;
		io_uring_for_each_cqe(ring, head, cqe) {
			take_ordered(t, cqe, last, disorder);
			seen++;
		}
		io_uring_cq_advance(ring, seen);
	}
}

/*
 * Thousands of NOPs, never reaped while submitting: all but CQ_SIZE of them
 * go to the overflow list.  Then reap them with each of the three ways of
 * reaping; they come back complete, once each, and in submission order.
 */
static void overflow_nops(void **state)
{
	struct io_uring ring;
	struct st_track t;
	struct st_clock clk;
	unsigned long long rng = st_seed();
	unsigned long busy = 0, overflowed = 0;
	unsigned i, n, last = 0, disorder = 0;

	(void) state;
	overflow_begin(&ring, &t, &clk);
	while (st_more(&clk)) {
		n = st_range(&rng, CQ_SIZE + 1, MAX_REQS);
		st_track_reset(&t);
		for (i = 0; i < n; i++) {
			struct io_uring_sqe *sqe = st_get_sqe(&ring, &t, NULL);

			assert_non_null(sqe);
			io_uring_prep_nop(sqe);
			io_uring_sqe_set_data64(sqe, i);
			st_expect(&t, i, 0);
		}
		assert_true(st_submit(&ring, &t, &busy) >= 0);
		/* nothing reaped yet unless the kernel said -EBUSY */
		if (!busy) {
			assert_int_equal(io_uring_cq_ready(&ring), CQ_SIZE);
			assert_true(io_uring_cq_has_overflow(&ring));
			overflowed += n - CQ_SIZE;
		}
		assert_int_equal(*ring.cq.koverflow, 0);

		switch (clk.rounds % 3) {
		case 0: drain_peek(&ring, &t, n, &last, &disorder); break;
		case 1: drain_batch(&ring, &t, n, &last, &disorder); break;
		default: drain_wait(&ring, &t, n, &last, &disorder); break;
		}
		st_track_assert_all(&t, n);
		assert_cq_clean(&ring);
		assert_int_equal(disorder, 0);
	}
	print_message("# %lu rounds, %lu NOPs, %lu overflowed, %lu -EBUSY, %.1fs\n",
		      clk.rounds, t.total, overflowed, busy, st_elapsed_s(&clk));
	overflow_end(&ring, &t);
}

/*
 * Thousands of timeouts of a few microseconds: they expire while we are
 * still submitting, so CQEs overflow from timer context.  Every one must
 * come back once with -ETIME.
 */
static void overflow_timeouts(void **state)
{
	static struct __kernel_timespec ts[MAX_REQS];
	struct io_uring ring;
	struct st_track t;
	struct st_clock clk;
	unsigned long long rng = st_seed();
	unsigned long busy = 0;
	unsigned i, n, held = 0;

	(void) state;
	overflow_begin(&ring, &t, &clk);
	while (st_more(&clk)) {
		n = st_range(&rng, CQ_SIZE + 1, MAX_REQS / 2);
		st_track_reset(&t);
		for (i = 0; i < n; i++) {
			struct io_uring_sqe *sqe = st_get_sqe(&ring, &t, NULL);

			assert_non_null(sqe);
			ts[i] = st_ts_ns(st_range(&rng, 1000, 50000));
			io_uring_prep_timeout(sqe, &ts[i], 0, 0);
			io_uring_sqe_set_data64(sqe, i);
			st_expect(&t, i, -ETIME);
		}
		assert_true(st_submit(&ring, &t, &busy) >= 0);
		/* let them all fire before reaping, most rounds */
		if (clk.rounds % 4)
			usleep(60);
		if (io_uring_cq_has_overflow(&ring))
			held++;
		st_drain(&ring, &t, n);
		st_track_assert_all(&t, n);
		assert_cq_clean(&ring);
	}
	print_message("# %lu rounds (%u with overflow held), %lu timeouts, %lu -EBUSY, %.1fs\n",
		      clk.rounds, held, t.total, busy, st_elapsed_s(&clk));
	assert_true(held > 0);
	overflow_end(&ring, &t);
}

/*
 * Submitting and reaping interleaved: random batches of NOPs and timeouts,
 * and partial reaps (only some of what is ready), so overflow flushes mix
 * with fresh completions.  Submission refused with -EBUSY is retried after
 * reaping.
 */
static void overflow_interleaved(void **state)
{
	static struct __kernel_timespec ts[MAX_REQS];
	struct io_uring ring;
	struct st_track t;
	struct st_clock clk;
	unsigned long long rng = st_seed();
	unsigned long busy = 0, full = 0;
	unsigned i, n;

	(void) state;
	overflow_begin(&ring, &t, &clk);
	while (st_more(&clk)) {
		n = st_range(&rng, 64, MAX_REQS);
		st_track_reset(&t);
		for (i = 0; i < n; i++) {
			struct io_uring_sqe *sqe = st_get_sqe(&ring, &t, &full);

			assert_non_null(sqe);
			st_prep_nop_or_timeout(sqe, &t, i, &ts[i], &rng, 2);
			if (!(st_rand(&rng) % 16))
				assert_true(st_submit(&ring, &t, &busy) >= 0);
			if (!(st_rand(&rng) % 32)) {
				/* retire only part of what is ready */
				struct io_uring_cqe *cqes[4];
				unsigned k, got = io_uring_peek_batch_cqe(&ring, cqes, 4);

				for (k = 0; k < got; k++)
					st_complete(&t, cqes[k]->user_data,
						    cqes[k]->res);
				io_uring_cq_advance(&ring, got);
			}
		}
		assert_true(st_submit(&ring, &t, &busy) >= 0);
		st_drain(&ring, &t, n);
		st_track_assert_all(&t, n);
		assert_cq_clean(&ring);
	}
	print_message("# %lu rounds, %lu requests, SQ full %lu times, %lu -EBUSY, %.1fs\n",
		      clk.rounds, t.total, full, busy, st_elapsed_s(&clk));
	overflow_end(&ring, &t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(overflow_nops),
		cmocka_unit_test(overflow_timeouts),
		cmocka_unit_test(overflow_interleaved),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
