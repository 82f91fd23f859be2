/* SPDX-License-Identifier: MIT */
/*
 * Shared by the stress suites (tests/stress_*.c): a time budget per test,
 * an exactly-once tracker of user_data, bounded waits and a small PRNG.
 *
 * Default mode: each test runs rounds for about ST_DEFAULT_MS.  Soak mode:
 * URING_SOAK_SECONDS=N runs every test for N seconds instead (run meson test
 * with -t 0, or a large multiplier, so its per-suite timeout does not fire).
 * URING_STRESS_SEED=N replays the random choices of a run.
 *
 * The tracker records, never asserts: worker threads may use it, and only
 * the main thread calls cmocka (st_track_assert_all()).
 */
#ifndef URING_TEST_STRESS_H
#define URING_TEST_STRESS_H

#include "helpers.h"

#include <limits.h>
#include <pthread.h>
#include <time.h>

#ifndef ST_DEFAULT_MS
#define ST_DEFAULT_MS	1500
#endif

/* No CQE for this long while requests are in flight counts as a hang. */
#define ST_HANG_MS	5000

/* ---- time budget ---- */

static inline unsigned long long st_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long) ts.tv_sec * 1000000000ULL +
	       (unsigned long long) ts.tv_nsec;
}

/* Milliseconds each test runs: URING_SOAK_SECONDS, else def_ms. */
static inline unsigned long st_budget_ms(unsigned long def_ms)
{
	const char *s = getenv("URING_SOAK_SECONDS");

	if (s && atol(s) > 0)
		return (unsigned long) atol(s) * 1000UL;
	return def_ms;
}

struct st_clock {
	unsigned long long start, end;
	unsigned long rounds;
};

static inline void st_clock_start(struct st_clock *c, unsigned long def_ms)
{
	c->start = st_now_ns();
	c->end = c->start + st_budget_ms(def_ms) * 1000000ULL;
	c->rounds = 0;
}

/* Another round? Always at least one; then until the budget is spent. */
static inline bool st_more(struct st_clock *c)
{
	if (c->rounds && st_now_ns() >= c->end)
		return false;
	c->rounds++;
	return true;
}

static inline double st_elapsed_s(const struct st_clock *c)
{
	return (double) (st_now_ns() - c->start) / 1e9;
}

static inline struct __kernel_timespec st_ts_ns(unsigned long long ns)
{
	struct __kernel_timespec ts = {
		.tv_sec = (long long) (ns / 1000000000ULL),
		.tv_nsec = (long long) (ns % 1000000000ULL),
	};
	return ts;
}

/* ---- PRNG (xorshift64*), seeded from URING_STRESS_SEED or the clock ---- */

static inline unsigned long long st_seed(void)
{
	static unsigned long long seed;
	const char *s;

	if (!seed) {
		s = getenv("URING_STRESS_SEED");
		seed = s ? strtoull(s, NULL, 0) : st_now_ns();
		if (!seed)
			seed = 1;
		print_message("# seed %llu (URING_STRESS_SEED to replay)\n", seed);
	}
	return seed;
}

static inline unsigned st_rand(unsigned long long *state)
{
	unsigned long long x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return (unsigned) ((x * 2685821657736338717ULL) >> 32);
}

/* Uniform in [lo, hi]. */
static inline unsigned st_range(unsigned long long *state, unsigned lo,
				unsigned hi)
{
	return lo + st_rand(state) % (hi - lo + 1);
}

/* order[] = a random permutation of 0..n-1 (Fisher-Yates). */
static inline void st_shuffle(unsigned *order, unsigned n,
			      unsigned long long *rng)
{
	unsigned i, j, tmp;

	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = n; i > 1; i--) {
		j = st_rand(rng) % i;
		tmp = order[i - 1];
		order[i - 1] = order[j];
		order[j] = tmp;
	}
}

/* ---- exactly-once tracker ---- */

/* want[] value: any result is accepted (the test checks it itself) */
#define ST_ANY	INT_MIN

struct st_track {
	unsigned nr;
	unsigned *seen;		/* CQEs received per user_data this round */
	int *want;		/* expected res, or ST_ANY */
	int *res;		/* res received */
	unsigned long expected;	/* user_data armed this round */
	unsigned long done;	/* CQEs received this round */
	unsigned long total;	/* CQEs received over the whole test */
	unsigned long errors;
	char first_error[256];
};

static inline void st_track_init(struct st_track *t, unsigned nr)
{
	memset(t, 0, sizeof(*t));
	t->nr = nr;
	t->seen = calloc(nr, sizeof(*t->seen));
	t->want = calloc(nr, sizeof(*t->want));
	t->res = calloc(nr, sizeof(*t->res));
	assert_non_null(t->seen);
	assert_non_null(t->want);
	assert_non_null(t->res);
}

static inline void st_track_free(struct st_track *t)
{
	free(t->seen);
	free(t->want);
	free(t->res);
	memset(t, 0, sizeof(*t));
}

static inline void st_track_error(struct st_track *t, const char *fmt,
				  unsigned long long ud, int a, int b)
{
	if (!t->errors++)
		snprintf(t->first_error, sizeof(t->first_error), fmt, ud, a, b);
}

/* Forget the last round: every user_data unarmed. */
static inline void st_track_reset(struct st_track *t)
{
	memset(t->seen, 0, t->nr * sizeof(*t->seen));
	t->expected = t->done = 0;
}

/* user_data ud is about to be submitted; its CQE must carry res want. */
static inline void st_expect(struct st_track *t, unsigned ud, int want)
{
	if (ud >= t->nr) {
		st_track_error(t, "armed user_data %llu out of range (%d/%d)",
			       ud, 0, 0);
		return;
	}
	t->want[ud] = want;
	t->expected++;
}

/*
 * At random (one in one_in) a timeout of 1-20 us in *ts (expects -ETIME),
 * else a NOP (expects 0), carrying user_data i.
 */
static inline void st_prep_nop_or_timeout(struct io_uring_sqe *sqe,
					  struct st_track *t, unsigned i,
					  struct __kernel_timespec *ts,
					  unsigned long long *rng,
					  unsigned one_in)
{
	if (st_rand(rng) % one_in) {
		io_uring_prep_nop(sqe);
		st_expect(t, i, 0);
	} else {
		*ts = st_ts_ns(st_range(rng, 1000, 20000));
		io_uring_prep_timeout(sqe, ts, 0, 0);
		st_expect(t, i, -ETIME);
	}
	io_uring_sqe_set_data64(sqe, i);
}

/* A CQE arrived. */
static inline void st_complete(struct st_track *t, unsigned long long ud,
			       int res)
{
	if (ud >= t->nr) {
		st_track_error(t, "unknown user_data %llu (res %d)%.0d", ud,
			       res, 0);
		return;
	}
	t->res[ud] = res;
	t->done++;
	t->total++;
	if (t->seen[ud]++) {
		st_track_error(t, "user_data %llu completed twice (res %d, %d)",
			       ud, res, (int) t->seen[ud]);
		return;
	}
	if (t->want[ud] != ST_ANY && t->want[ud] != res)
		st_track_error(t, "user_data %llu: res %d, want %d", ud, res,
			       t->want[ud]);
}

/* Every user_data in [0, nr) completed exactly once, no error seen. */
static inline void st_track_assert_all(struct st_track *t, unsigned nr)
{
	unsigned i;

	if (t->errors)
		fail_msg("%lu tracker errors, first: %s", t->errors,
			 t->first_error);
	for (i = 0; i < nr; i++)
		if (t->seen[i] != 1)
			fail_msg("user_data %u completed %u times (want once)",
				 i, t->seen[i]);
	assert_int_equal(t->done, nr);
}

/* ---- reaping ---- */

/* Hand every ready CQE to the tracker; returns how many. */
static inline unsigned st_reap(struct io_uring *ring, struct st_track *t)
{
	struct io_uring_cqe *cqe;
	unsigned head, n = 0;

	io_uring_for_each_cqe(ring, head, cqe) {
		st_complete(t, cqe->user_data, cqe->res);
		n++;
	}
	io_uring_cq_advance(ring, n);
	return n;
}

/*
 * Wait for at least one CQE, giving up after ST_HANG_MS without one.
 * A timed wait may end early with -ETIME and no CQE: the kernel wakes
 * CQ waiters whenever a timeout request fires, before that request's CQE
 * is posted (by task_work of the task that submitted it), and liburing
 * reports a timed wait that woke without a CQE as -ETIME.  So loop.
 */
static inline int st_wait_cqe(struct io_uring *ring)
{
	unsigned long long now, left, end = st_now_ns() + ST_HANG_MS * 1000000ULL;
	/* valgrind 3.19 holds its big lock across io_uring_enter(), so a
	 * thread waiting there stops all others: poll, sleeping in between */
	bool vg = getenv("URING_UNDER_VALGRIND") != NULL;
	struct io_uring_cqe *cqe;
	struct __kernel_timespec ts;
	int ret;

	for (;;) {
		now = st_now_ns();
		left = now < end ? end - now : 0;
		ts = st_ts_ns(vg ? 0 : left);
		ret = io_uring_wait_cqe_timeout(ring, &cqe, &ts);
		if (ret != -ETIME && ret != -EINTR)
			return ret;
		if (st_now_ns() >= end)
			return ret;
		if (vg)
			usleep(100);
	}
}

/* Wait (bounded) for at least one CQE, then reap all ready. */
static inline int st_wait_reap(struct io_uring *ring, struct st_track *t,
			       unsigned *reaped)
{
	int ret = st_wait_cqe(ring);

	if (ret)
		return ret;
	*reaped = st_reap(ring, t);
	return 0;
}

/* Reap until the tracker has seen want CQEs this round; -ETIME on a hang. */
static inline int st_drain_ret(struct io_uring *ring, struct st_track *t,
			       unsigned long want)
{
	unsigned reaped;
	int ret;

	while (t->done < want) {
		ret = st_wait_reap(ring, t, &reaped);
		if (ret)
			return ret;
	}
	return 0;
}

/* The same from the main thread: a hang fails the test. */
static inline void st_drain(struct io_uring *ring, struct st_track *t,
			    unsigned long want)
{
	int ret = st_drain_ret(ring, t, want);

	if (ret)
		fail_msg("waiting for %lu more CQEs: %s", want - t->done,
			 strerror(-ret));
}

/*
 * Submit what is queued.  A kernel without room for more overflowed CQEs
 * may refuse with -EBUSY (or -EAGAIN when short of memory): reap and retry.
 * *busy counts the refusals.
 */
static inline int st_submit(struct io_uring *ring, struct st_track *t,
			    unsigned long *busy)
{
	unsigned reaped;
	int ret, tries = 0;

	for (;;) {
		ret = io_uring_submit(ring);
		if (ret != -EBUSY && ret != -EAGAIN)
			return ret;
		if (busy)
			(*busy)++;
		if (++tries > 1000)
			return ret;
		if (!st_reap(ring, t))
			st_wait_reap(ring, t, &reaped);
	}
}

/* A fresh SQE, submitting (and reaping on -EBUSY) to make room. */
static inline struct io_uring_sqe *st_get_sqe(struct io_uring *ring,
					      struct st_track *t,
					      unsigned long *full)
{
	struct io_uring_sqe *sqe;
	int i;

	for (i = 0; i < 1000; i++) {
		sqe = io_uring_get_sqe(ring);
		if (sqe)
			return sqe;
		if (full)
			(*full)++;
		if (st_submit(ring, t, NULL) < 0)
			break;
	}
	return NULL;
}

#endif
