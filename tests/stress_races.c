/* SPDX-License-Identifier: MIT */
/*
 * Completions racing what is meant to stop them.  In each pair both
 * requests complete exactly once, and the two results form one of the
 * combinations the kernel documents:
 *
 * link_timeout guarding a pipe read, the pipe written at about the same time
 *   read 1 byte  + timeout -ECANCELED      the read won
 *   read 1 byte  + timeout -ETIME          the timer fired as the read was
 *                                          already done
 *   read 1 byte  + timeout -ENOENT/-EALREADY  the timer fired but the read
 *                                          could no longer be cancelled
 *   read -ECANCELED/-EINTR + timeout -ETIME   the timer won
 *
 * ASYNC_CANCEL of a poll on a pipe that is written at the same time
 *   poll POLLIN  + cancel -ENOENT/-EALREADY   the poll won
 *   poll -ECANCELED + cancel 0                the cancel won
 *
 * TIMEOUT_REMOVE of a short timeout
 *   timeout -ETIME + remove -ENOENT/-EALREADY  the timer won
 *   timeout -ECANCELED + remove 0              the remove won
 */
#include "stress.h"

#include <poll.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/ioctl.h>

#define NR_PAIRS	32

struct pairs {
	int fds[NR_PAIRS][2];
	unsigned char buf[NR_PAIRS];
	struct __kernel_timespec ts[NR_PAIRS];
	struct st_track t;
	unsigned long outcome[4];	/* per test, see names[] */
	unsigned long long rng;
};

static void pairs_init(struct pairs *p)
{
	unsigned i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < NR_PAIRS; i++)
		assert_int_equal(pipe(p->fds[i]), 0);
	st_track_init(&p->t, 2 * NR_PAIRS);
	p->rng = st_seed();
}

static void pairs_free(struct pairs *p)
{
	unsigned i;

	for (i = 0; i < NR_PAIRS; i++) {
		close(p->fds[i][0]);
		close(p->fds[i][1]);
	}
	st_track_free(&p->t);
}

/* Empty every pipe (bytes a cancelled read left behind). */
static void pairs_drain_pipes(struct pairs *p)
{
	char junk[16];
	unsigned i;
	int avail;

	for (i = 0; i < NR_PAIRS; i++) {
		assert_int_equal(ioctl(p->fds[i][0], FIONREAD, &avail), 0);
		assert_true(avail >= 0 && avail <= (int) sizeof(junk));
		if (avail)
			assert_int_equal(read(p->fds[i][0], junk, avail), avail);
	}
}

/*
 * A writer thread, started once per test and kicked each round: one byte
 * to each pipe, in random order, with random pauses.  It spins (yielding)
 * between rounds so that a kick starts writing within microseconds.
 */
struct writer {
	struct pairs *p;
	unsigned long long rng;
	unsigned max_delay_us;
	atomic_uint go, done;
	atomic_bool quit;
	pthread_t th;
	int err;
};

static void spin_us(unsigned us)
{
	unsigned long long end = st_now_ns() + us * 1000ULL;

	while (st_now_ns() < end)
		;
}

static void write_round(struct writer *w)
{
	unsigned order[NR_PAIRS], i;

	st_shuffle(order, NR_PAIRS, &w->rng);
	for (i = 0; i < NR_PAIRS; i++) {
		spin_us(st_range(&w->rng, 0, w->max_delay_us));
		if (write(w->p->fds[order[i]][1], "x", 1) != 1)
			w->err = errno;
	}
}

static void *writer_fn(void *arg)
{
	struct writer *w = arg;
	unsigned last = 0, go;

	for (;;) {
		while ((go = atomic_load(&w->go)) == last) {
			if (atomic_load(&w->quit))
				return NULL;
			sched_yield();
		}
		last = go;
		write_round(w);
		atomic_store(&w->done, go);
	}
}

static void writer_start(struct writer *w, struct pairs *p, unsigned max_us)
{
	memset(w, 0, sizeof(*w));
	w->p = p;
	w->rng = st_rand(&p->rng) | 1;
	w->max_delay_us = max_us;
	assert_int_equal(pthread_create(&w->th, NULL, writer_fn, w), 0);
}

/* Start one round of writes. */
static void writer_kick(struct writer *w)
{
	atomic_fetch_add(&w->go, 1);
}

/* Wait for the round to be written. */
static void writer_wait(struct writer *w)
{
	while (atomic_load(&w->done) != atomic_load(&w->go))
		sched_yield();
	assert_int_equal(w->err, 0);
}

static void writer_stop(struct writer *w)
{
	atomic_store(&w->quit, true);
	pthread_join(w->th, NULL);
}

/* Common to every race: pipes, a ring, the writer thread (if w), the clock. */
static void race_begin(struct pairs *p, struct io_uring *ring,
		       struct writer *w, unsigned max_us, struct st_clock *clk)
{
	pairs_init(p);
	t_ring(ring, 2 * NR_PAIRS, 0);
	if (w)
		writer_start(w, p, max_us);
	st_clock_start(clk, ST_DEFAULT_MS);
}

static void race_end(struct pairs *p, struct io_uring *ring, struct writer *w)
{
	if (w)
		writer_stop(w);
	pairs_free(p);
	io_uring_queue_exit(ring);
}

/* sqe (prepared) carries user_data ud, whose CQE the round expects. */
static void race_track(struct pairs *p, struct io_uring_sqe *sqe, __u64 ud)
{
	io_uring_sqe_set_data64(sqe, ud);
	st_expect(&p->t, ud, ST_ANY);
}

/* Reap both CQEs of every pair (and the writer's round, if w). */
static void race_reap(struct pairs *p, struct io_uring *ring, struct writer *w)
{
	st_drain(ring, &p->t, 2 * NR_PAIRS);
	if (w)
		writer_wait(w);
	st_track_assert_all(&p->t, 2 * NR_PAIRS);
}

/* ---- link_timeout vs read ---- */

static void link_timeout_vs_read(void **state)
{
	static struct pairs p;
	struct io_uring ring;
	struct writer w;
	struct st_clock clk;
	unsigned i;

	(void) state;
	race_begin(&p, &ring, &w, 4, &clk);
	while (st_more(&clk)) {
		st_track_reset(&p.t);
		for (i = 0; i < NR_PAIRS; i++) {
			struct io_uring_sqe *sqe = t_sqe(&ring);

			io_uring_prep_read(sqe, p.fds[i][0], &p.buf[i], 1, 0);
			sqe->flags |= IOSQE_IO_LINK;
			race_track(&p, sqe, 2 * i);
			sqe = t_sqe(&ring);
			p.ts[i] = st_ts_ns(st_range(&p.rng, 0, 400000));
			io_uring_prep_link_timeout(sqe, &p.ts[i], 0);
			race_track(&p, sqe, 2 * i + 1);
		}
		assert_int_equal(io_uring_submit(&ring), 2 * NR_PAIRS);
		writer_kick(&w);
		race_reap(&p, &ring, &w);
		for (i = 0; i < NR_PAIRS; i++) {
			int rd = p.t.res[2 * i], to = p.t.res[2 * i + 1];

			if (rd == 1 && to == -ECANCELED) {
				p.outcome[0]++;
			} else if (rd == 1 && to == -ETIME) {
				p.outcome[1]++;
			} else if (rd == 1 && (to == -ENOENT || to == -EALREADY)) {
				p.outcome[2]++;
			} else if ((rd == -ECANCELED || rd == -EINTR) &&
				   to == -ETIME) {
				p.outcome[3]++;
			} else {
				fail_msg("pair %u: read %d, link timeout %d", i,
					 rd, to);
			}
			if (rd == 1)
				assert_int_equal(p.buf[i], 'x');
		}
		pairs_drain_pipes(&p);
	}
	print_message("# %lu pairs: read won %lu, timer late %lu, cancel too late %lu, timer won %lu, %.1fs\n",
		      p.t.total / 2, p.outcome[0], p.outcome[1], p.outcome[2],
		      p.outcome[3], st_elapsed_s(&clk));
	race_end(&p, &ring, &w);
}

/* ---- cancel vs poll ---- */

static void cancel_vs_poll(void **state)
{
	static struct pairs p;
	struct io_uring ring;
	struct writer w;
	struct st_clock clk;
	unsigned i;

	(void) state;
	race_begin(&p, &ring, &w, 6, &clk);
	while (st_more(&clk)) {
		st_track_reset(&p.t);
		for (i = 0; i < NR_PAIRS; i++) {
			struct io_uring_sqe *sqe = t_sqe(&ring);

			io_uring_prep_poll_add(sqe, p.fds[i][0], POLLIN);
			race_track(&p, sqe, 2 * i);
		}
		assert_int_equal(io_uring_submit(&ring), NR_PAIRS);
		writer_kick(&w);
		/* cancel each poll at about the time its pipe is written */
		for (i = 0; i < NR_PAIRS; i++) {
			struct io_uring_sqe *sqe = t_sqe(&ring);
			unsigned k = (i * 7 + (unsigned) clk.rounds) % NR_PAIRS;

			if (st_rand(&p.rng) & 1)
				io_uring_prep_cancel64(sqe, 2 * k, 0);
			else
				io_uring_prep_poll_remove(sqe, 2 * k);
			race_track(&p, sqe, 2 * k + 1);
			assert_int_equal(io_uring_submit(&ring), 1);
			spin_us(st_range(&p.rng, 0, 3));
		}
		race_reap(&p, &ring, &w);
		for (i = 0; i < NR_PAIRS; i++) {
			int poll = p.t.res[2 * i], cancel = p.t.res[2 * i + 1];

			if (poll > 0 && (poll & POLLIN) &&
			    (cancel == -ENOENT || cancel == -EALREADY))
				p.outcome[0]++;
			else if (poll == -ECANCELED && cancel == 0)
				p.outcome[1]++;
			else
				fail_msg("pair %u: poll %d, cancel %d", i, poll,
					 cancel);
		}
		pairs_drain_pipes(&p);
	}
	print_message("# %lu pairs: poll won %lu, cancel won %lu, %.1fs\n",
		      p.t.total / 2, p.outcome[0], p.outcome[1],
		      st_elapsed_s(&clk));
	race_end(&p, &ring, &w);
}

/* ---- timeout_remove vs expiry ---- */

static void timeout_remove_vs_expiry(void **state)
{
	static struct pairs p;
	struct io_uring ring;
	struct st_clock clk;
	unsigned i;

	(void) state;
	race_begin(&p, &ring, NULL, 0, &clk);
	while (st_more(&clk)) {
		st_track_reset(&p.t);
		for (i = 0; i < NR_PAIRS; i++) {
			struct io_uring_sqe *sqe = t_sqe(&ring);

			p.ts[i] = st_ts_ns(st_range(&p.rng, 0, 300000));
			io_uring_prep_timeout(sqe, &p.ts[i], 0, 0);
			race_track(&p, sqe, 2 * i);
		}
		assert_int_equal(io_uring_submit(&ring), NR_PAIRS);
		for (i = 0; i < NR_PAIRS; i++) {
			struct io_uring_sqe *sqe = t_sqe(&ring);

			spin_us(st_range(&p.rng, 0, 2));
			io_uring_prep_timeout_remove(sqe, 2 * i, 0);
			race_track(&p, sqe, 2 * i + 1);
			assert_int_equal(io_uring_submit(&ring), 1);
		}
		race_reap(&p, &ring, NULL);
		for (i = 0; i < NR_PAIRS; i++) {
			int to = p.t.res[2 * i], rm = p.t.res[2 * i + 1];

			if (to == -ETIME && (rm == -ENOENT || rm == -EALREADY))
				p.outcome[0]++;
			else if (to == -ECANCELED && rm == 0)
				p.outcome[1]++;
			else
				fail_msg("pair %u: timeout %d, remove %d", i, to,
					 rm);
		}
	}
	print_message("# %lu pairs: timer won %lu, remove won %lu, %.1fs\n",
		      p.t.total / 2, p.outcome[0], p.outcome[1],
		      st_elapsed_s(&clk));
	race_end(&p, &ring, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(link_timeout_vs_read),
		cmocka_unit_test(cancel_vs_poll),
		cmocka_unit_test(timeout_remove_vs_expiry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
