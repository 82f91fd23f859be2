/* SPDX-License-Identifier: MIT */
/*
 * IORING_SETUP_DEFER_TASKRUN with SINGLE_ISSUER: completions are posted
 * only when the issuing task enters the kernel to get events.  Reads of
 * pipes that another thread writes at random moments, timeouts, and CQ
 * overflow; every request completes once with the right result and data.
 */
#include "stress.h"

#define NR_PIPES	16
#define MSG_LEN		8
#define MAX_REQS	4096

static int defer_ring(struct io_uring *ring, unsigned entries,
		      unsigned extra_flags, unsigned cq_entries)
{
	struct io_uring_params p;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN |
		  extra_flags;
	if (cq_entries) {
		p.flags |= IORING_SETUP_CQSIZE;
		p.cq_entries = cq_entries;
	}
	return io_uring_queue_init_params(entries, ring, &p);
}

/*
 * Where pipes lack FMODE_NOWAIT (6.1) io_uring reads them in io-wq workers,
 * which finish a little after the writer: their (still deferred)
 * completions may not all be queued yet the first time we ask.  Wait,
 * bounded, for the kernel's flag, or ask again until all have come.
 */
static long long mono_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long) t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void wait_taskrun_flag(struct io_uring *ring)
{
	long long end = mono_ms() + 5000;

	while (!(IO_URING_READ_ONCE(*ring->sq.kflags) & IORING_SQ_TASKRUN) &&
	       mono_ms() < end)
		usleep(100);
}

/*
 * A plain peek runs the pending work.  On 6.1 that work may be only the
 * poll wakeup that hands the read to io-wq (no CQE yet): peek again, each
 * time the kernel flags more work, until a CQE comes (bounded).
 */
static int peek_until_cqe(struct io_uring *ring, struct io_uring_cqe **cqe)
{
	long long end = mono_ms() + 5000;
	int ret;

	for (;;) {
		ret = io_uring_peek_cqe(ring, cqe);
		if (ret != -EAGAIN || mono_ms() >= end)
			return ret;
		wait_taskrun_flag(ring);
	}
}

static void get_events_until(struct io_uring *ring, unsigned want)
{
	long long end = mono_ms() + 5000;

	while (io_uring_cq_ready(ring) < want && mono_ms() < end) {
		usleep(100);
		assert_true(io_uring_get_events(ring) >= 0);
	}
}

/* ---- pipes written by another thread ---- */

struct pipes {
	int fds[NR_PIPES][2];
	unsigned char msg[NR_PIPES][MSG_LEN];	/* what the writer sends */
	unsigned char buf[NR_PIPES][MSG_LEN];	/* where the reads land */
	unsigned long long rng;
	unsigned max_delay_us;
	int err;
};

static void msg_fill(unsigned char *m, unsigned round, unsigned pipe)
{
	unsigned i;

	for (i = 0; i < MSG_LEN; i++)
		m[i] = (unsigned char) (round * 31 + pipe * 7 + i);
}

/* Write each pipe's message, in random order, with random pauses. */
static void *pipe_writer(void *arg)
{
	struct pipes *p = arg;
	unsigned order[NR_PIPES], i;

	st_shuffle(order, NR_PIPES, &p->rng);
	for (i = 0; i < NR_PIPES; i++) {
		unsigned k = order[i];

		if (p->max_delay_us)
			usleep(st_range(&p->rng, 0, p->max_delay_us));
		if (write(p->fds[k][1], p->msg[k], MSG_LEN) != MSG_LEN)
			p->err = errno ? errno : EIO;
	}
	return NULL;
}

/*
 * Each round: a read per pipe plus some timeouts, submitted before the
 * writer starts.  Some rounds check that nothing is posted until we ask
 * for events: the writer finishes, the CQ stays empty, and one
 * io_uring_get_events() posts every read.
 */
static void defer_pipes(unsigned extra_flags, const char *name)
{
	struct __kernel_timespec ts[64];
	struct io_uring ring;
	struct pipes *p = calloc(1, sizeof(*p));
	struct st_track t;
	struct st_clock clk;
	unsigned long long rng = st_seed();
	unsigned long deferred_checks = 0;
	unsigned i, nr_to, n;
	pthread_t th;
	int ret;

	assert_non_null(p);
	ret = defer_ring(&ring, 64, extra_flags, 0);
	if (ret == -EINVAL) {
		free(p);
		T_SKIP("kernel lacks DEFER_TASKRUN");
	}
	assert_int_equal(ret, 0);
	for (i = 0; i < NR_PIPES; i++)
		assert_int_equal(pipe(p->fds[i]), 0);
	st_track_init(&t, NR_PIPES + 64);
	st_clock_start(&clk, ST_DEFAULT_MS);
	while (st_more(&clk)) {
		bool check_deferred = !(clk.rounds % 4);

		st_track_reset(&t);
		for (i = 0; i < NR_PIPES; i++) {
			struct io_uring_sqe *sqe = t_sqe(&ring);

			msg_fill(p->msg[i], (unsigned) clk.rounds, i);
			memset(p->buf[i], 0, MSG_LEN);
			io_uring_prep_read(sqe, p->fds[i][0], p->buf[i], MSG_LEN, 0);
			io_uring_sqe_set_data64(sqe, i);
			st_expect(&t, i, MSG_LEN);
		}
		nr_to = check_deferred ? 0 : st_range(&rng, 0, 48);
		for (i = 0; i < nr_to; i++) {
			struct io_uring_sqe *sqe = t_sqe(&ring);

			ts[i] = st_ts_ns(st_range(&rng, 1000, 100000));
			io_uring_prep_timeout(sqe, &ts[i], 0, 0);
			io_uring_sqe_set_data64(sqe, NR_PIPES + i);
			st_expect(&t, NR_PIPES + i, -ETIME);
		}
		n = NR_PIPES + nr_to;
		assert_int_equal(io_uring_submit(&ring), (int) n);

		p->rng = rng + clk.rounds;
		p->max_delay_us = check_deferred ? 0 : 50;
		assert_int_equal(pthread_create(&th, NULL, pipe_writer, p), 0);
		if (check_deferred) {
			pthread_join(th, NULL);
			usleep(200);
			/* written, but posted only when we ask */
			assert_int_equal(io_uring_cq_ready(&ring), 0);
			if (extra_flags & IORING_SETUP_TASKRUN_FLAG) {
				struct io_uring_cqe *cqe;

				/* the kernel says work is pending, and a
				 * plain peek must run it */
				wait_taskrun_flag(&ring);
				assert_true(IO_URING_READ_ONCE(*ring.sq.kflags) &
					    IORING_SQ_TASKRUN);
				assert_int_equal(peek_until_cqe(&ring, &cqe), 0);
			} else {
				ret = io_uring_get_events(&ring);
				assert_true(ret >= 0);
			}
			get_events_until(&ring, NR_PIPES);
			assert_int_equal(io_uring_cq_ready(&ring), NR_PIPES);
			deferred_checks++;
		}
		st_drain(&ring, &t, n);
		if (!check_deferred)
			pthread_join(th, NULL);
		assert_int_equal(p->err, 0);
		st_track_assert_all(&t, n);
		for (i = 0; i < NR_PIPES; i++)
			assert_memory_equal(p->buf[i], p->msg[i], MSG_LEN);
	}
	print_message("# %s: %lu rounds, %lu requests, %lu deferral checks, %.1fs\n",
		      name, clk.rounds, t.total, deferred_checks,
		      st_elapsed_s(&clk));
	for (i = 0; i < NR_PIPES; i++) {
		close(p->fds[i][0]);
		close(p->fds[i][1]);
	}
	st_track_free(&t);
	free(p);
	io_uring_queue_exit(&ring);
}

static void defer_taskrun_pipes(void **state)
{
	(void) state;
	defer_pipes(0, "defer_taskrun");
}

/* With TASKRUN_FLAG the kernel flags pending work; peek then flushes it. */
static void defer_taskrun_flag_pipes(void **state)
{
	(void) state;
	defer_pipes(IORING_SETUP_TASKRUN_FLAG, "defer_taskrun+taskrun_flag");
}

/* ---- CQ overflow on a DEFER_TASKRUN ring ---- */

static void defer_overflow(void **state)
{
	static struct __kernel_timespec ts[MAX_REQS];
	struct io_uring ring;
	struct st_track t;
	struct st_clock clk;
	unsigned long long rng = st_seed();
	unsigned long busy = 0, held = 0;
	unsigned i, n;
	int ret;

	(void) state;
	ret = defer_ring(&ring, 8, 0, 8);
	if (ret == -EINVAL)
		T_SKIP("kernel lacks DEFER_TASKRUN");
	assert_int_equal(ret, 0);
	st_track_init(&t, MAX_REQS);
	st_clock_start(&clk, ST_DEFAULT_MS);
	while (st_more(&clk)) {
		n = st_range(&rng, 16, MAX_REQS);
		st_track_reset(&t);
		for (i = 0; i < n; i++) {
			struct io_uring_sqe *sqe = st_get_sqe(&ring, &t, NULL);

			assert_non_null(sqe);
			st_prep_nop_or_timeout(sqe, &t, i, &ts[i], &rng, 2);
		}
		assert_true(st_submit(&ring, &t, &busy) >= 0);
		usleep(50);
		/* run the deferred work without reaping: it overflows */
		assert_true(io_uring_get_events(&ring) >= 0);
		if (io_uring_cq_has_overflow(&ring))
			held++;
		st_drain(&ring, &t, n);
		st_track_assert_all(&t, n);
		assert_int_equal(io_uring_cq_ready(&ring), 0);
		assert_false(io_uring_cq_has_overflow(&ring));
		assert_int_equal(*ring.cq.koverflow, 0);
	}
	print_message("# %lu rounds (%lu with overflow held), %lu requests, %lu -EBUSY, %.1fs\n",
		      clk.rounds, held, t.total, busy, st_elapsed_s(&clk));
	assert_true(held > 0);
	st_track_free(&t);
	io_uring_queue_exit(&ring);
}

/* ---- SINGLE_ISSUER: another thread may not submit ---- */

struct intruder {
	struct io_uring *ring;
	int ret;
};

static void *intrude(void *arg)
{
	struct intruder *in = arg;

	in->ret = io_uring_submit(in->ring);
	return NULL;
}

/*
 * A thread that is not the ring's issuer gets -EEXIST from submit; the
 * SQEs it published stay queued and the issuer's next submit runs them,
 * each completing once.
 */
static void defer_other_thread(void **state)
{
	struct io_uring ring;
	struct st_track t;
	struct intruder in;
	struct st_clock clk;
	unsigned long refused = 0;
	unsigned i, n = 8;
	pthread_t th;
	int ret;

	(void) state;
	ret = defer_ring(&ring, 16, 0, 0);
	if (ret == -EINVAL)
		T_SKIP("kernel lacks DEFER_TASKRUN");
	assert_int_equal(ret, 0);
	st_track_init(&t, n);
	st_clock_start(&clk, ST_DEFAULT_MS / 5);
	while (st_more(&clk)) {
		st_track_reset(&t);
		for (i = 0; i < n; i++) {
			struct io_uring_sqe *sqe = t_sqe(&ring);

			io_uring_prep_nop(sqe);
			io_uring_sqe_set_data64(sqe, i);
			st_expect(&t, i, 0);
		}
		in.ring = &ring;
		in.ret = 0;
		assert_int_equal(pthread_create(&th, NULL, intrude, &in), 0);
		pthread_join(th, NULL);
		assert_int_equal(in.ret, -EEXIST);
		refused++;
		/* the issuer's submit picks up what the intruder published */
		ret = io_uring_submit(&ring);
		assert_int_equal(ret, (int) n);
		st_drain(&ring, &t, n);
		st_track_assert_all(&t, n);
	}
	print_message("# %lu foreign submits refused, %lu NOPs completed once\n",
		      refused, t.total);
	st_track_free(&t);
	io_uring_queue_exit(&ring);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defer_taskrun_pipes),
		cmocka_unit_test(defer_taskrun_flag_pipes),
		cmocka_unit_test(defer_overflow),
		cmocka_unit_test(defer_other_thread),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
