/* SPDX-License-Identifier: MIT */
/*
 * Rings and threads: one ring per thread on 4 and 8 threads, one ring
 * shared by 4 threads behind a mutex, and one ring split between a
 * submitting thread and a reaping thread (the SQ and CQ sides are
 * independent, so that needs no lock).  Every request is a NOP, a short
 * timeout or a read of a shared file whose bytes are checked.
 *
 * Worker threads never call cmocka: they record errors in their tracker
 * and the main thread asserts once they are joined.
 */
#include "stress.h"

#include <stdatomic.h>

#define FILE_SIZE	(256 * 1024)
#define READ_LEN	64
#define PER_ROUND	256	/* requests per thread per round */
#define MAX_THREADS	8

enum { K_NOP, K_TIMEOUT, K_READ, K_KINDS };

/* Requests of one tracker: what each user_data was and where it reads. */
struct jobs {
	struct st_track t;
	unsigned char *kind;
	unsigned *off;
	struct __kernel_timespec *ts;
	unsigned char (*buf)[READ_LEN];
};

static int data_fd = -1;

static void jobs_init(struct jobs *j, unsigned nr)
{
	st_track_init(&j->t, nr);
	j->kind = calloc(nr, sizeof(*j->kind));
	j->off = calloc(nr, sizeof(*j->off));
	j->ts = calloc(nr, sizeof(*j->ts));
	j->buf = calloc(nr, sizeof(*j->buf));
}

static void jobs_free(struct jobs *j)
{
	st_track_free(&j->t);
	free(j->kind);
	free(j->off);
	free(j->ts);
	free(j->buf);
}

/* Fill sqe with a random request for user_data ud. */
static void jobs_prep(struct jobs *j, struct io_uring_sqe *sqe, unsigned ud,
		      unsigned long long *rng)
{
	unsigned kind = st_rand(rng) % K_KINDS;

	j->kind[ud] = (unsigned char) kind;
	switch (kind) {
	case K_NOP:
		io_uring_prep_nop(sqe);
		st_expect(&j->t, ud, 0);
		break;
	case K_TIMEOUT:
		j->ts[ud] = st_ts_ns(st_range(rng, 1000, 20000));
		io_uring_prep_timeout(sqe, &j->ts[ud], 0, 0);
		st_expect(&j->t, ud, -ETIME);
		break;
	default:
		j->off[ud] = st_range(rng, 0, FILE_SIZE - READ_LEN);
		memset(j->buf[ud], 0, READ_LEN);
		io_uring_prep_read(sqe, data_fd, j->buf[ud], READ_LEN,
				   j->off[ud]);
		st_expect(&j->t, ud, READ_LEN);
		break;
	}
	io_uring_sqe_set_data64(sqe, ud);
}

/* A CQE for one of j's requests: track it, and check what a read read. */
static void jobs_complete(struct jobs *j, __u64 ud, int res)
{
	unsigned i;

	st_complete(&j->t, ud, res);
	if (ud >= j->t.nr || j->kind[ud] != K_READ || res != READ_LEN)
		return;
	for (i = 0; i < READ_LEN; i++) {
		if (j->buf[ud][i] != t_pattern(j->off[ud] + i)) {
			st_track_error(&j->t, "user_data %llu: byte %d wrong (%d)",
				       ud, (int) i, j->buf[ud][i]);
			return;
		}
	}
}

static unsigned jobs_reap(struct io_uring *ring, struct jobs *j)
{
	struct io_uring_cqe *cqe;
	unsigned head, n = 0;

	io_uring_for_each_cqe(ring, head, cqe) {
		jobs_complete(j, cqe->user_data, cqe->res);
		n++;
	}
	io_uring_cq_advance(ring, n);
	return n;
}

/* Reap until want CQEs this round, each wait bounded; 0 or -errno. */
static int jobs_drain(struct io_uring *ring, struct jobs *j, unsigned long want)
{
	int ret;

	while (j->t.done < want) {
		ret = st_wait_cqe(ring);
		if (ret)
			return ret;
		jobs_reap(ring, j);
	}
	return 0;
}

static int setup(void **state)
{
	(void) state;
	data_fd = t_make_file(t_path("data"), FILE_SIZE);
	return 0;
}

static int teardown(void **state)
{
	(void) state;
	close(data_fd);
	return 0;
}

/* ---- one ring per thread ---- */

struct worker {
	pthread_t thread;
	unsigned id;
	unsigned long long end_ns;
	unsigned long long rng;
	unsigned long rounds;
	struct jobs j;
	int ret;		/* setup/submit/wait failure, -errno */
	const char *what;
};

static void *ring_worker(void *arg)
{
	struct worker *w = arg;
	struct io_uring ring;
	unsigned i, n;
	int ret;

	ret = io_uring_queue_init(32, &ring, 0);
	if (ret) {
		w->ret = ret;
		w->what = "queue_init";
		return NULL;
	}
	do {
		n = st_range(&w->rng, 1, PER_ROUND);
		st_track_reset(&w->j.t);
		for (i = 0; i < n; i++) {
			struct io_uring_sqe *sqe = st_get_sqe(&ring, &w->j.t, NULL);

			if (!sqe) {
				w->ret = -EBUSY;
				w->what = "get_sqe";
				goto out;
			}
			jobs_prep(&w->j, sqe, i, &w->rng);
			if (!(st_rand(&w->rng) % 16))
				jobs_reap(&ring, &w->j);
		}
		ret = io_uring_submit(&ring);
		if (ret < 0) {
			w->ret = ret;
			w->what = "submit";
			goto out;
		}
		ret = jobs_drain(&ring, &w->j, n);
		if (ret) {
			w->ret = ret;
			w->what = "drain";
			goto out;
		}
		if (w->j.t.done != n || w->j.t.errors)
			break;
		w->rounds++;
	} while (st_now_ns() < w->end_ns);
out:
	io_uring_queue_exit(&ring);
	return NULL;
}

static void ring_per_thread(unsigned nr_threads)
{
	struct worker w[MAX_THREADS];
	unsigned long long rng = st_seed();
	unsigned long total = 0, rounds = 0;
	struct st_clock clk;
	unsigned i;

	st_clock_start(&clk, ST_DEFAULT_MS);
	for (i = 0; i < nr_threads; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].id = i;
		w[i].end_ns = clk.end;
		w[i].rng = rng + i * 0x9e3779b97f4a7c15ULL;
		jobs_init(&w[i].j, PER_ROUND);
		assert_int_equal(pthread_create(&w[i].thread, NULL, ring_worker,
						&w[i]), 0);
	}
	for (i = 0; i < nr_threads; i++)
		assert_int_equal(pthread_join(w[i].thread, NULL), 0);
	for (i = 0; i < nr_threads; i++) {
		if (w[i].ret)
			fail_msg("thread %u: %s: %s", i, w[i].what,
				 strerror(-w[i].ret));
		if (w[i].j.t.errors)
			fail_msg("thread %u: %lu errors, first: %s", i,
				 w[i].j.t.errors, w[i].j.t.first_error);
		assert_int_equal(w[i].j.t.done, w[i].j.t.expected);
		total += w[i].j.t.total;
		rounds += w[i].rounds;
		jobs_free(&w[i].j);
	}
	print_message("# %u threads: %lu rounds, %lu requests, %.1fs\n",
		      nr_threads, rounds, total, st_elapsed_s(&clk));
}

static void ring_per_thread_4(void **state)
{
	(void) state;
	ring_per_thread(4);
}

static void ring_per_thread_8(void **state)
{
	(void) state;
	ring_per_thread(8);
}

/* ---- one ring, shared by threads behind a mutex ---- */

#define SHARED_THREADS	4

struct shared {
	struct io_uring ring;
	pthread_mutex_t lock;
	pthread_barrier_t barrier;
	struct jobs j;		/* under lock */
	unsigned next_ud;	/* under lock */
	unsigned long full;	/* under lock */
	atomic_bool stop;
	unsigned long long end_ns;
	int ret;		/* under lock */
	const char *what;
};

struct shared_arg {
	struct shared *s;
	unsigned long long rng;
	unsigned id;
};

static void shared_fail(struct shared *s, int ret, const char *what)
{
	if (!s->ret) {
		s->ret = ret;
		s->what = what;
	}
}

/* Submit this thread's share of a round, a few requests per lock hold. */
static void shared_submit(struct shared *s, unsigned long long *rng)
{
	unsigned left = PER_ROUND;

	while (left) {
		unsigned k = st_range(rng, 1, 12);	/* SQ holds 8 */

		if (k > left)
			k = left;
		left -= k;
		pthread_mutex_lock(&s->lock);
		while (k--) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(&s->ring);

			if (!sqe) {
				s->full++;
				if (io_uring_submit(&s->ring) < 0)
					shared_fail(s, -EIO, "submit");
				sqe = io_uring_get_sqe(&s->ring);
			}
			if (!sqe) {
				shared_fail(s, -EBUSY, "get_sqe");
				break;
			}
			jobs_prep(&s->j, sqe, s->next_ud++, rng);
		}
		if (io_uring_submit(&s->ring) < 0)
			shared_fail(s, -EIO, "submit");
		jobs_reap(&s->ring, &s->j);
		pthread_mutex_unlock(&s->lock);
	}
}

static void *shared_worker(void *arg)
{
	struct shared_arg *a = arg;
	struct shared *s = a->s;
	int ret;

	for (;;) {
		pthread_barrier_wait(&s->barrier);	/* round starts */
		if (atomic_load(&s->stop))
			break;
		shared_submit(s, &a->rng);
		pthread_barrier_wait(&s->barrier);	/* all submitted */
		if (a->id == 0) {
			/* one thread drains the rest of the round */
			pthread_mutex_lock(&s->lock);
			ret = jobs_drain(&s->ring, &s->j,
					 SHARED_THREADS * PER_ROUND);
			if (ret)
				shared_fail(s, ret, "drain");
			if (s->ret || s->j.t.errors ||
			    st_now_ns() >= s->end_ns)
				atomic_store(&s->stop, true);
			pthread_mutex_unlock(&s->lock);
		}
		pthread_barrier_wait(&s->barrier);	/* round checked */
		if (a->id == 0 && !atomic_load(&s->stop)) {
			pthread_mutex_lock(&s->lock);
			st_track_reset(&s->j.t);
			s->next_ud = 0;
			pthread_mutex_unlock(&s->lock);
		}
	}
	return NULL;
}

static void shared_ring_mutex(void **state)
{
	struct shared s;
	struct shared_arg args[SHARED_THREADS];
	pthread_t th[SHARED_THREADS];
	unsigned long long rng = st_seed();
	struct st_clock clk;
	unsigned long rounds = 0;
	unsigned i;

	(void) state;
	memset(&s, 0, sizeof(s));
	t_ring(&s.ring, 8, 0);
	pthread_mutex_init(&s.lock, NULL);
	pthread_barrier_init(&s.barrier, NULL, SHARED_THREADS);
	jobs_init(&s.j, SHARED_THREADS * PER_ROUND);
	st_clock_start(&clk, ST_DEFAULT_MS);
	s.end_ns = clk.end;
	for (i = 0; i < SHARED_THREADS; i++) {
		args[i].s = &s;
		args[i].id = i;
		args[i].rng = rng + i * 0x9e3779b97f4a7c15ULL;
		assert_int_equal(pthread_create(&th[i], NULL, shared_worker,
						&args[i]), 0);
	}
	for (i = 0; i < SHARED_THREADS; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	if (s.ret)
		fail_msg("%s: %s", s.what, strerror(-s.ret));
	st_track_assert_all(&s.j.t, SHARED_THREADS * PER_ROUND);
	rounds = s.j.t.total / (SHARED_THREADS * PER_ROUND);
	print_message("# %d threads on one ring: %lu rounds, %lu requests, SQ full %lu times, %.1fs\n",
		      SHARED_THREADS, rounds, s.j.t.total, s.full,
		      st_elapsed_s(&clk));
	jobs_free(&s.j);
	pthread_barrier_destroy(&s.barrier);
	pthread_mutex_destroy(&s.lock);
	io_uring_queue_exit(&s.ring);
}

/* ---- one thread submits, another reaps, no lock ---- */

/*
 * user_data = index << 1 | timeout?: the reaper knows each request's
 * expected result from its user_data alone, so the two threads share no
 * memory but the ring (their only synchronisation is through the kernel).
 */
#define SPLIT_ROUND	2048

struct split {
	struct io_uring ring;
	pthread_barrier_t barrier;
	atomic_bool stop;
	unsigned long long end_ns;
	unsigned long long rng;
	struct __kernel_timespec ts[SPLIT_ROUND];	/* submitter only */
	struct st_track t;				/* reaper only */
	int sub_ret, reap_ret;
	unsigned long rounds;				/* reaper only */
};

static void *split_submitter(void *arg)
{
	struct split *s = arg;
	unsigned i;
	int ret;

	for (;;) {
		pthread_barrier_wait(&s->barrier);	/* round starts */
		if (atomic_load(&s->stop))
			break;
		for (i = 0; i < SPLIT_ROUND && !s->sub_ret; i++) {
			struct io_uring_sqe *sqe;
			unsigned timeout = st_rand(&s->rng) & 1;

			while (!(sqe = io_uring_get_sqe(&s->ring))) {
				ret = io_uring_submit(&s->ring);
				if (ret < 0 && ret != -EBUSY) {
					s->sub_ret = ret;
					break;
				}
			}
			if (!sqe)
				break;
			if (timeout) {
				s->ts[i] = st_ts_ns(st_range(&s->rng, 1000, 20000));
				io_uring_prep_timeout(sqe, &s->ts[i], 0, 0);
			} else {
				io_uring_prep_nop(sqe);
			}
			io_uring_sqe_set_data64(sqe, (__u64) i << 1 | timeout);
			if (!(st_rand(&s->rng) % 8)) {
				ret = io_uring_submit(&s->ring);
				if (ret < 0 && ret != -EBUSY)
					s->sub_ret = ret;
			}
		}
		ret = io_uring_submit(&s->ring);
		if (ret < 0)
			s->sub_ret = ret;
		pthread_barrier_wait(&s->barrier);	/* round done */
	}
	return NULL;
}

static void *split_reaper(void *arg)
{
	struct split *s = arg;
	struct io_uring_cqe *cqe;
	unsigned head, n;
	int ret;

	for (;;) {
		pthread_barrier_wait(&s->barrier);	/* round starts */
		if (atomic_load(&s->stop))
			break;
		st_track_reset(&s->t);
		while (s->t.done < SPLIT_ROUND) {
			ret = st_wait_cqe(&s->ring);
			if (ret) {
				s->reap_ret = ret;
				break;
			}
			n = 0;
			io_uring_for_each_cqe(&s->ring, head, cqe) {
				__u64 ud = cqe->user_data;

				st_expect(&s->t, (unsigned) (ud >> 1),
					  (ud & 1) ? -ETIME : 0);
				st_complete(&s->t, ud >> 1, cqe->res);
				n++;
			}
			io_uring_cq_advance(&s->ring, n);
		}
		pthread_barrier_wait(&s->barrier);	/* round done */
		s->rounds++;
		if (s->reap_ret || s->sub_ret || s->t.errors ||
		    st_now_ns() >= s->end_ns)
			atomic_store(&s->stop, true);
	}
	return NULL;
}

static void split_submit_reap(void **state)
{
	struct split *s = calloc(1, sizeof(*s));
	pthread_t sub, reap;
	struct st_clock clk;

	(void) state;
	assert_non_null(s);
	t_ring(&s->ring, 64, 0);
	pthread_barrier_init(&s->barrier, NULL, 3);
	st_track_init(&s->t, SPLIT_ROUND);
	s->rng = st_seed();
	st_clock_start(&clk, ST_DEFAULT_MS);
	s->end_ns = clk.end;
	assert_int_equal(pthread_create(&sub, NULL, split_submitter, s), 0);
	assert_int_equal(pthread_create(&reap, NULL, split_reaper, s), 0);
	/* the main thread only paces the rounds */
	for (;;) {
		pthread_barrier_wait(&s->barrier);	/* round starts */
		if (atomic_load(&s->stop))
			break;
		pthread_barrier_wait(&s->barrier);	/* round done */
	}
	pthread_join(sub, NULL);
	pthread_join(reap, NULL);
	if (s->sub_ret)
		fail_msg("submitter: %s", strerror(-s->sub_ret));
	if (s->reap_ret)
		fail_msg("reaper: %s", strerror(-s->reap_ret));
	st_track_assert_all(&s->t, SPLIT_ROUND);
	print_message("# submitter + reaper: %lu rounds, %lu requests, %.1fs\n",
		      s->rounds, s->t.total, st_elapsed_s(&clk));
	st_track_free(&s->t);
	pthread_barrier_destroy(&s->barrier);
	io_uring_queue_exit(&s->ring);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ring_per_thread_4),
		cmocka_unit_test(ring_per_thread_8),
		cmocka_unit_test(shared_ring_mutex),
		cmocka_unit_test(split_submit_reap),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
