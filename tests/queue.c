/* SPDX-License-Identifier: MIT */
/*
 * The submission and completion protocol: getting SQEs, every submit and
 * wait form (with and without timeouts, with and without EXT_ARG), peeking
 * and retiring CQEs, the SQ/CQ accounting helpers, eventfd toggling, the
 * SQE/CQE data accessors, a full SQ and an overflowing CQ that lose nothing,
 * and a registered ring fd.
 */
#include "helpers.h"
#include "../src/int_flags.h"

#include <poll.h>
#include <sched.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <time.h>

#define NOP_UD(i)	(0x1000 + (__u64) (i))

/* ---- small helpers ---- */

/* cqe is set, carries user_data ud; retire it. */
static void retire_ud(struct io_uring *ring, struct io_uring_cqe *cqe, __u64 ud)
{
	assert_non_null(cqe);
	assert_int_equal(cqe->user_data, ud);
	io_uring_cqe_seen(ring, cqe);
}

static void queue_nops(struct io_uring *ring, unsigned n, __u64 base)
{
	unsigned i;

	for (i = 0; i < n; i++)
		t_nop(ring, base + i);
}

/* A POLLIN on a pipe nobody writes to: never completes on its own. */
static void queue_idle_poll(struct io_uring *ring, int pfd[2], __u64 ud)
{
	struct io_uring_sqe *sqe;

	assert_int_equal(pipe(pfd), 0);
	sqe = t_sqe(ring);
	io_uring_prep_poll_add(sqe, pfd[0], POLLIN);
	io_uring_sqe_set_data64(sqe, ud);
}

static void queue_timeout(struct io_uring *ring, struct __kernel_timespec *ts,
			  __u64 ud)
{
	struct io_uring_sqe *sqe = t_sqe(ring);

	io_uring_prep_timeout(sqe, ts, 0, 0);
	io_uring_sqe_set_data64(sqe, ud);
}

/*
 * Completions that take time: n POLLINs on n pipes, made readable one by
 * one by a thread, the i-th after (i + 1) * step_ms.  (Timeout requests
 * would not do: a firing timeout wakes every waiter, whatever wait_nr.)
 */
#define MAX_LATE	4

struct late {
	int pfd[MAX_LATE][2];
	unsigned n, step_ms;
	struct t_writer w;
};

/* Queue the polls (user_data base + i); start the writer after submit. */
static void late_queue(struct io_uring *ring, struct late *l, unsigned n,
		       unsigned step_ms, __u64 base)
{
	unsigned i;

	l->n = n;
	l->step_ms = step_ms;
	for (i = 0; i < n; i++) {
		struct io_uring_sqe *sqe;

		assert_int_equal(pipe(l->pfd[i]), 0);
		sqe = t_sqe(ring);
		io_uring_prep_poll_add(sqe, l->pfd[i][0], POLLIN);
		io_uring_sqe_set_data64(sqe, base + i);
	}
}

/*
 * valgrind 3.19 keeps its big lock while a thread sits in io_uring_enter(),
 * so a writer thread could never run during the wait it should end: there
 * the writer is run to its end first (the completions are ready, or pending
 * task_work the wait runs, and every count the test checks stays the same).
 */
static void late_start(struct late *l)
{
	int wfd[MAX_LATE];
	unsigned i;

	for (i = 0; i < l->n; i++)
		wfd[i] = l->pfd[i][1];
	t_writer_start(&l->w, wfd, l->n, l->step_ms * 1000);
	if (t_under_valgrind())
		t_writer_join(&l->w);
}

/*
 * The first CQE of a batch of late polls: independent requests complete in
 * any order (6.1 runs pending task work newest first, so polls that fire
 * close together can post their CQEs in reverse).
 */
static void assert_late_cqe(const struct io_uring_cqe *cqe, __u64 base, unsigned n)
{
	assert_in_range(cqe->user_data, base, base + n - 1);
}

static void late_finish(struct late *l)
{
	unsigned i;

	if (!t_under_valgrind())
		t_writer_join(&l->w);
	for (i = 0; i < l->n; i++) {
		close(l->pfd[i][0]);
		close(l->pfd[i][1]);
	}
}

/* Retire every ready CQE, checking each against the expected user_data range. */
static unsigned drain(struct io_uring *ring)
{
	struct io_uring_cqe *cqe;
	unsigned n = 0;

	while (io_uring_peek_cqe(ring, &cqe) == 0) {
		io_uring_cqe_seen(ring, cqe);
		n++;
	}
	return n;
}

/* A DEFER_TASKRUN ring, or skip. */
static void defer_ring(struct io_uring *ring)
{
	struct io_uring_params p;
	int ret;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
	ret = io_uring_queue_init_params(8, ring, &p);
	if (ret == -EINVAL)
		T_SKIP("kernel lacks DEFER_TASKRUN");
	assert_int_equal(ret, 0);
}

/* ---- getting SQEs ---- */

static void get_sqe_until_full(void **state)
{
	struct io_uring_sqe *sqes[9];
	struct io_uring ring;
	unsigned i, j;

	(void) state;
	t_ring(&ring, 8, 0);
	assert_int_equal(io_uring_sq_space_left(&ring), 8);
	for (i = 0; i < 8; i++) {
		sqes[i] = io_uring_get_sqe(&ring);
		assert_non_null(sqes[i]);
		for (j = 0; j < i; j++)
			assert_ptr_not_equal(sqes[i], sqes[j]);
		io_uring_prep_nop(sqes[i]);
		sqes[i]->user_data = i;
		assert_int_equal(io_uring_sq_ready(&ring), i + 1);
		assert_int_equal(io_uring_sq_space_left(&ring), 8 - i - 1);
	}
	assert_null(io_uring_get_sqe(&ring));
	assert_null(io_uring_get_sqe(&ring));
	assert_int_equal(io_uring_sq_space_left(&ring), 0);

	assert_int_equal(io_uring_submit(&ring), 8);
	assert_int_equal(io_uring_sq_ready(&ring), 0);
	assert_int_equal(io_uring_sq_space_left(&ring), 8);
	/* room again, and the CQEs are all there */
	assert_non_null(io_uring_get_sqe(&ring));
	assert_int_equal(io_uring_submit(&ring), 1);
	assert_int_equal(drain(&ring), 9);
	/* nothing queued: nothing submitted */
	assert_int_equal(io_uring_submit(&ring), 0);
	io_uring_queue_exit(&ring);
}

/*
 * Take n SQ slots the way an inline get_sqe from another liburing header
 * does in a binary linked with this library: write the SQE, move sqe_tail,
 * never touch this library's cached room bound.
 */
static void foreign_take(struct io_uring *ring, unsigned n, __u64 ud)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		struct io_uring_sqe *sqe;
		unsigned tail = ring->sq.sqe_tail;

		assert_true(tail - *ring->sq.khead < ring->sq.ring_entries);
		sqe = &ring->sq.sqes[(tail & ring->sq.ring_mask) <<
				     io_uring_sqe_shift(ring)];
		memset(sqe, 0, sizeof(*sqe));
		sqe->opcode = IORING_OP_NOP;
		sqe->user_data = ud + i;
		ring->sq.sqe_tail = tail + 1;
	}
}

/* get_sqe stays right when other code has moved the tail past what it knew. */
static void get_sqe_after_foreign_tail(void **state)
{
	struct io_uring ring;

	(void) state;
	t_ring(&ring, 8, 0);
	/* ours learns room up to tail 8; one NOP goes through: head 1 */
	t_nop_roundtrip(&ring, NOP_UD(0));
	/* the foreign code fills the ring: tail 1 -> 9, beyond that bound */
	foreign_take(&ring, 8, NOP_UD(1));
	assert_int_equal(io_uring_sq_space_left(&ring), 0);
	assert_null(io_uring_get_sqe(&ring));
	assert_int_equal(io_uring_submit(&ring), 8);
	assert_int_equal(drain(&ring), 8);
	/* room again: ours and foreign SQEs interleave, all complete */
	t_nop(&ring, NOP_UD(9));
	foreign_take(&ring, 3, NOP_UD(10));
	t_nop(&ring, NOP_UD(13));
	foreign_take(&ring, 3, NOP_UD(14));
	assert_int_equal(io_uring_sq_space_left(&ring), 0);
	assert_null(io_uring_get_sqe(&ring));
	assert_int_equal(io_uring_submit(&ring), 8);
	assert_int_equal(drain(&ring), 8);
	io_uring_queue_exit(&ring);
}

/*
 * The same on a ring laid out in memory (no kernel), over 2^31 and more:
 * other code takes every slot it finds free and submits through this
 * library, and the "kernel" consumes, until the tail has moved that far
 * since this library's get_sqe last looked.  With the SQ then full, get_sqe
 * must not hand out a pending slot, whatever the distance.  (An SQPOLL ring
 * whose thread never sleeps: submitting needs no system call.)
 */
#define LAP_ENTRIES	4096

static void get_sqe_after_foreign_lap(void **state)
{
	static struct io_uring_sqe sqes[LAP_ENTRIES];
	static const unsigned moves[] = {
		8, 1U << 30, 1U << 31, (1U << 31) + 7, 3U << 30, 0xfffff000U,
		0xffffffffU,
	};
	struct io_uring ring;
	unsigned khead, ktail, kflags = 0, i, j;

	(void) state;
	for (i = 0; i < sizeof(moves) / sizeof(moves[0]); i++) {
		unsigned start;

		/*
		 * A move of 2^30 is 2^18 submits, each of whose 4096 SQEs a
		 * valgrind build of the library looks at: the suite took
		 * 262 s of its 600 under valgrind on an idle machine, and
		 * more on a loaded one.  The plain, sanitizer and i386 runs
		 * make every move; valgrind checks memory, not this
		 * arithmetic, and makes the short one.
		 */
		if (t_under_valgrind() && moves[i] > (1U << 20)) {
			print_message("# under valgrind: move %#x left out\n",
				      moves[i]);
			continue;
		}
		memset(&ring, 0, sizeof(ring));
		ring.flags = IORING_SETUP_SQPOLL;
		ring.features = IORING_FEAT_EXT_ARG;
		ring.sq.khead = &khead;
		ring.sq.ktail = &ktail;
		ring.sq.kflags = &kflags;
		ring.sq.sqes = sqes;
		ring.sq.ring_mask = LAP_ENTRIES - 1;
		ring.sq.ring_entries = LAP_ENTRIES;
		ring.cq.khead = ring.cq.ktail = &ktail;
		ring.ring_fd = ring.enter_ring_fd = -1;
		khead = ktail = 0;
		/* ours: one SQE, submitted and consumed */
		assert_ptr_equal(io_uring_get_sqe(&ring), &sqes[0]);
		assert_int_equal(io_uring_submit(&ring), 1);
		khead = ktail;
		/* the others: as many SQEs as fit, submitted, consumed */
		start = ring.sq.sqe_tail;
		while (ring.sq.sqe_tail - start < moves[i]) {
			unsigned n = moves[i] - (ring.sq.sqe_tail - start);

			if (n > LAP_ENTRIES)
				n = LAP_ENTRIES;
			ring.sq.sqe_tail += n;
			assert_int_equal(io_uring_submit(&ring), (int) n);
			khead = ktail;
		}
		/* and a last full ring they submit, which the kernel has not
		 * consumed yet */
		ring.sq.sqe_tail += LAP_ENTRIES;
		assert_int_equal(io_uring_submit(&ring), LAP_ENTRIES);
		assert_int_equal(io_uring_sq_space_left(&ring), 0);
		assert_null(io_uring_get_sqe(&ring));
		/* the kernel takes 3: exactly 3 slots, the right ones */
		khead += 3;
		for (j = 0; j < 3; j++) {
			struct io_uring_sqe *want = &sqes[ring.sq.sqe_tail &
							  (LAP_ENTRIES - 1)];

			assert_ptr_equal(io_uring_get_sqe(&ring), want);
		}
		assert_null(io_uring_get_sqe(&ring));
	}
}

/* 128-byte SQEs: consecutive SQEs are 128 bytes apart and wrap at the mask. */
static void get_sqe_sqe128_slots(void **state)
{
	struct io_uring ring;
	unsigned round, i;

	(void) state;
	t_ring(&ring, 4, IORING_SETUP_SQE128);
	for (round = 0; round < 3; round++) {
		for (i = 0; i < 4; i++) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

			assert_ptr_equal(sqe, (char *) ring.sq.sqes + 128 * i);
			io_uring_prep_nop(sqe);
			sqe->user_data = NOP_UD(round * 4 + i);
		}
		assert_null(io_uring_get_sqe(&ring));
		assert_int_equal(io_uring_submit(&ring), 4);
		assert_int_equal(drain(&ring), 4);
	}
	io_uring_queue_exit(&ring);
}

/* SQPOLL: slots the SQ thread has consumed become available to get_sqe. */
static void get_sqe_sqpoll_refill(void **state)
{
	struct io_uring ring;
	unsigned round, i;
	int ret;

	(void) state;
	t_ring(&ring, 4, IORING_SETUP_SQPOLL);
	for (round = 0; round < 50; round++) {
		/* all four slots are free: the thread consumed the last round */
		for (i = 0; i < 4; i++) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

			assert_non_null(sqe);
			io_uring_prep_nop(sqe);
			sqe->user_data = NOP_UD(i);
		}
		assert_null(io_uring_get_sqe(&ring));
		/* the count is what the thread had not taken yet: it may
		 * take the batch (whole) between the library's store of the
		 * tail and its look at the head */
		ret = io_uring_submit(&ring);
		assert_true(ret == 4 || ret == 0);
		for (i = 0; i < 4; i++)
			assert_int_equal(t_wait_bounded(&ring, NULL, NULL), 0);
		/* the thread publishes the head after posting the CQEs: wait
		 * (bounded) until it has, then the next round needs all four */
		t_sq_drained(&ring);
		assert_int_equal(io_uring_sq_space_left(&ring), 4);
	}
	io_uring_queue_exit(&ring);
}

/*
 * IORING_SETUP_SQ_REWIND (kernels after 6.18): every batch is filled from
 * slot 0, and the kernel takes it from there whatever head and tail say.
 */
static void sq_rewind(void **state)
{
	struct io_uring ring;
	unsigned round, i;
	int ret;

	(void) state;
	ret = io_uring_queue_init(8, &ring, IORING_SETUP_SQ_REWIND);
	if (ret == -EINVAL)
		T_SKIP("kernel lacks IORING_SETUP_SQ_REWIND");
	assert_int_equal(ret, 0);
	for (round = 0; round < 3; round++) {
		for (i = 0; i < 5; i++) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

			assert_ptr_equal(sqe, &ring.sq.sqes[i]);
			io_uring_prep_nop(sqe);
			sqe->user_data = NOP_UD(round * 5 + i);
		}
		assert_int_equal(io_uring_submit(&ring), 5);
		assert_int_equal(*ring.sq.ktail, 0);
		for (i = 0; i < 5; i++) {
			__u64 ud;

			assert_int_equal(t_wait_bounded(&ring, NULL, &ud), 0);
			assert_int_equal(ud, NOP_UD(round * 5 + i));
		}
	}
	io_uring_queue_exit(&ring);
}

/*
 * The library's half of SQ_REWIND, on any kernel: a ring marked SQ_REWIND
 * (the kernel's ring is a plain one) never publishes a tail, and each
 * submit hands over the batch and starts the next one at slot 0.
 */
static void sq_rewind_library_side(void **state)
{
	struct io_uring ring;
	unsigned i;

	(void) state;
	t_ring(&ring, 8, 0);
	if (!(ring.flags & IORING_SETUP_NO_SQARRAY)) {
		io_uring_queue_exit(&ring);
		T_SKIP("kernel lacks IORING_SETUP_NO_SQARRAY, which SQ_REWIND needs");
	}
	/* as io_uring_queue_init() sets up an SQ_REWIND ring: not the
	 * plain submit path */
	ring.flags |= IORING_SETUP_SQ_REWIND;
	ring.int_flags &= (__u8) ~INT_FLAG_SUBMIT_PLAIN;
	for (i = 0; i < 3; i++)
		t_nop(&ring, NOP_UD(i));
	assert_int_equal(io_uring_sq_ready(&ring), 3);
	/* the kernel (a plain ring) sees no published SQE and takes none */
	assert_true(io_uring_submit(&ring) >= 0);
	assert_int_equal(ring.sq.sqe_tail, 0);
	assert_int_equal(*ring.sq.ktail, 0);
	assert_ptr_equal(io_uring_get_sqe(&ring), &ring.sq.sqes[0]);
	ring.flags &= ~IORING_SETUP_SQ_REWIND;
	io_uring_queue_exit(&ring);
}

/* ---- submit forms ---- */

static void submit_and_wait(void **state)
{
	struct io_uring ring;
	struct late l;

	(void) state;
	t_ring(&ring, 8, 0);
	queue_nops(&ring, 4, 0);
	assert_int_equal(io_uring_submit_and_wait(&ring, 4), 4);
	assert_int_equal(io_uring_cq_ready(&ring), 4);
	assert_int_equal(drain(&ring), 4);

	/* completions that take time: it really waits for both */
	late_queue(&ring, &l, 2, 10, 1);
	late_start(&l);
	assert_int_equal(io_uring_submit_and_wait(&ring, 2), 2);
	assert_int_equal(io_uring_cq_ready(&ring), 2);
	assert_int_equal(drain(&ring), 2);
	late_finish(&l);
	io_uring_queue_exit(&ring);
}

static void submit_and_wait_timeout(void **state)
{
	struct __kernel_timespec ts = t_ms_ts(30);
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	long long t0;
	int pfd[2], ret;

	(void) state;
	t_ring(&ring, 8, 0);

	/* nothing queued: -ETIME after the timeout, no CQE */
	cqe = (struct io_uring_cqe *) 1;
	t0 = t_now_ms();
	assert_int_equal(io_uring_submit_and_wait_timeout(&ring, &cqe, 1, &ts, NULL),
			 -ETIME);
	assert_true(t_now_ms() - t0 >= 20);
	assert_null(cqe);

	/* something submitted that never completes: as liburing, the count
	 * submitted, with no CQE */
	queue_idle_poll(&ring, pfd, 9);
	cqe = (struct io_uring_cqe *) 1;
	assert_int_equal(io_uring_submit_and_wait_timeout(&ring, &cqe, 1, &ts, NULL),
			 1);
	assert_null(cqe);
	assert_int_equal(io_uring_cq_ready(&ring), 0);
	assert_int_equal(io_uring_sq_ready(&ring), 0);

	/* something that completes: >= 0 and its CQE */
	t_nop(&ring, 77);
	ts = t_ms_ts(1000);
	ret = io_uring_submit_and_wait_timeout(&ring, &cqe, 1, &ts, NULL);
	assert_true(ret >= 0);
	retire_ud(&ring, cqe, 77);

	/*
	 * Fewer completions than asked for: after the timeout, the one that
	 * did complete is returned, and the wait is not repeated (a second
	 * wait would end at 600 ms: the margin is for a loaded machine).
	 */
	t_nop(&ring, 78);
	ts = t_ms_ts(300);
	t0 = t_now_ms();
	ret = io_uring_submit_and_wait_timeout(&ring, &cqe, 2, &ts, NULL);
	assert_true(t_now_ms() - t0 < 590);
	assert_true(ret >= 0 || ret == -ETIME);
	retire_ud(&ring, cqe, 78);

	close(pfd[1]);	/* POLLIN fires: hangup */
	assert_true(t_wait(&ring, NULL, NULL) & POLLHUP);
	close(pfd[0]);
	io_uring_queue_exit(&ring);
}

static void min_timeout(void **state)
{
	struct __kernel_timespec ts = t_ms_ts(3000);
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	long long t0;
	int ret;

	(void) state;
	T_RING_FEAT(&ring, 8, 0, IORING_FEAT_MIN_TIMEOUT);
	/*
	 * Two asked for, one completes: once min_wait has passed with at
	 * least one CQE the wait ends, long before the overall timeout.
	 */
	t_nop(&ring, 1);
	t0 = t_now_ms();
	ret = io_uring_submit_and_wait_min_timeout(&ring, &cqe, 2, &ts, 20000, NULL);
	assert_true(ret >= 0);
	assert_true(t_now_ms() - t0 < 1500);
	retire_ud(&ring, cqe, 1);

	t_nop(&ring, 2);
	assert_int_equal(io_uring_submit(&ring), 1);
	t0 = t_now_ms();
	ret = io_uring_wait_cqes_min_timeout(&ring, &cqe, 2, &ts, 20000, NULL);
	assert_int_equal(ret, 0);
	assert_true(t_now_ms() - t0 < 1500);
	retire_ud(&ring, cqe, 2);

	/* nothing at all: the overall timeout still applies */
	ts = t_ms_ts(50);
	t0 = t_now_ms();
	assert_int_equal(io_uring_wait_cqes_min_timeout(&ring, &cqe, 1, &ts, 10000,
							NULL), -ETIME);
	assert_true(t_now_ms() - t0 >= 40);

	/* the library refuses where the kernel lacks the feature */
	ring.features &= ~IORING_FEAT_MIN_TIMEOUT;
	assert_int_equal(io_uring_wait_cqes_min_timeout(&ring, &cqe, 1, &ts, 10,
							NULL), -EINVAL);
	assert_int_equal(io_uring_submit_and_wait_min_timeout(&ring, &cqe, 1, &ts,
							      10, NULL), -EINVAL);
	io_uring_queue_exit(&ring);
}

/*
 * Without IORING_FEAT_MIN_TIMEOUT (any kernel, the bit cleared) the minimum
 * wait is not ignored: both calls fail with -EINVAL, as io_uring_wait_cqes(3)
 * says, at once, and submit nothing.
 */
static void min_timeout_needs_feature(void **state)
{
	struct __kernel_timespec ts = t_ms_ts(2000);
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	long long t0;

	(void) state;
	t_ring(&ring, 8, 0);
	ring.features &= ~IORING_FEAT_MIN_TIMEOUT;
	t_nop(&ring, 7);
	t0 = t_now_ms();
	assert_int_equal(io_uring_wait_cqes_min_timeout(&ring, &cqe, 1, &ts, 10,
							NULL), -EINVAL);
	assert_int_equal(io_uring_submit_and_wait_min_timeout(&ring, &cqe, 1, &ts,
							      10, NULL), -EINVAL);
	assert_true(t_now_ms() - t0 < 1000);
	assert_int_equal(io_uring_sq_ready(&ring), 1);
	assert_int_equal(io_uring_submit(&ring), 1);
	assert_int_equal(t_wait(&ring, NULL, NULL), 0);
	io_uring_queue_exit(&ring);
}

static void submit_and_get_events(void **state)
{
	struct io_uring ring;
	int pfd[2];

	(void) state;
	t_ring(&ring, 8, 0);
	queue_nops(&ring, 3, 0);
	assert_int_equal(io_uring_submit_and_get_events(&ring), 3);
	assert_int_equal(io_uring_cq_ready(&ring), 3);
	assert_int_equal(drain(&ring), 3);
	io_uring_queue_exit(&ring);

	/* with DEFER_TASKRUN it is what runs the pending completions */
	defer_ring(&ring);
	queue_idle_poll(&ring, pfd, 5);
	assert_int_equal(io_uring_submit(&ring), 1);
	assert_int_equal(write(pfd[1], "x", 1), 1);
	usleep(2000);
	assert_int_equal(io_uring_cq_ready(&ring), 0);
	assert_int_equal(io_uring_submit_and_get_events(&ring), 0);
	assert_int_equal(io_uring_cq_ready(&ring), 1);
	assert_int_equal(drain(&ring), 1);
	t_close_pair(pfd);
	io_uring_queue_exit(&ring);
}

static void get_events(void **state)
{
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	int pfd[2];

	(void) state;
	defer_ring(&ring);
	queue_idle_poll(&ring, pfd, 5);
	assert_int_equal(io_uring_submit(&ring), 1);
	assert_int_equal(write(pfd[1], "x", 1), 1);
	usleep(2000);
	assert_int_equal(io_uring_cq_ready(&ring), 0);
	/* peek does not enter the kernel for it (no TASKRUN flag asked for) */
	assert_int_equal(io_uring_peek_cqe(&ring, &cqe), -EAGAIN);
	assert_int_equal(io_uring_get_events(&ring), 0);
	assert_int_equal(io_uring_cq_ready(&ring), 1);
	assert_int_equal(io_uring_peek_cqe(&ring, &cqe), 0);
	assert_int_equal(cqe->user_data, 5);
	assert_true(cqe->res & POLLIN);
	io_uring_cqe_seen(&ring, cqe);
	t_close_pair(pfd);
	io_uring_queue_exit(&ring);
}

/* ---- wait forms ---- */

static void wait_cqe_and_nr(void **state)
{
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	struct late l;

	(void) state;
	t_ring(&ring, 8, 0);
	t_nop(&ring, 1);
	assert_int_equal(io_uring_submit(&ring), 1);
	assert_int_equal(io_uring_wait_cqe(&ring, &cqe), 0);
	assert_int_equal(cqe->user_data, 1);
	assert_int_equal(cqe->res, 0);
	io_uring_cqe_seen(&ring, cqe);

	late_queue(&ring, &l, 3, 5, 10);
	assert_int_equal(io_uring_submit(&ring), 3);
	late_start(&l);
	assert_int_equal(io_uring_wait_cqe_nr(&ring, &cqe, 3), 0);
	assert_int_equal(io_uring_cq_ready(&ring), 3);
	assert_late_cqe(cqe, 10, 3);
	assert_true(cqe->res & POLLIN);
	io_uring_cq_advance(&ring, 3);
	late_finish(&l);
	io_uring_queue_exit(&ring);
}

static void wait_cqes(void **state)
{
	struct __kernel_timespec ts, long_t = t_ms_ts(200);
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	struct late l;
	long long t0;

	(void) state;
	t_ring(&ring, 8, 0);
	/* without a timeout */
	late_queue(&ring, &l, 2, 5, 1);
	assert_int_equal(io_uring_submit(&ring), 2);
	late_start(&l);
	assert_int_equal(io_uring_wait_cqes(&ring, &cqe, 2, NULL, NULL), 0);
	assert_int_equal(io_uring_cq_ready(&ring), 2);
	assert_late_cqe(cqe, 1, 2);
	io_uring_cq_advance(&ring, 2);
	late_finish(&l);

	/* with a timeout that is long enough */
	late_queue(&ring, &l, 2, 5, 3);
	assert_int_equal(io_uring_submit(&ring), 2);
	late_start(&l);
	ts = t_ms_ts(2000);
	assert_int_equal(io_uring_wait_cqes(&ring, &cqe, 2, &ts, NULL), 0);
	assert_int_equal(io_uring_cq_ready(&ring), 2);
	assert_late_cqe(cqe, 3, 2);
	io_uring_cq_advance(&ring, 2);
	late_finish(&l);

	/* with one that runs out first */
	queue_timeout(&ring, &long_t, 5);
	assert_int_equal(io_uring_submit(&ring), 1);
	ts = t_ms_ts(20);
	t0 = t_now_ms();
	assert_int_equal(io_uring_wait_cqes(&ring, &cqe, 1, &ts, NULL), -ETIME);
	assert_true(t_now_ms() - t0 < 400);
	assert_int_equal(io_uring_wait_cqes(&ring, &cqe, 1, NULL, NULL), 0);
	assert_int_equal(cqe->user_data, 5);
	io_uring_cqe_seen(&ring, cqe);

	/* wait_cqes does not submit what is queued (the kernel has EXT_ARG) */
	t_nop(&ring, 6);
	assert_int_equal(io_uring_wait_cqes(&ring, &cqe, 1, &ts, NULL), -ETIME);
	assert_int_equal(io_uring_sq_ready(&ring), 1);
	assert_int_equal(io_uring_submit(&ring), 1);
	assert_int_equal(t_wait(&ring, NULL, NULL), 0);
	io_uring_queue_exit(&ring);
}

/*
 * Without IORING_FEAT_EXT_ARG the library bounds a wait with a timeout SQE
 * of its own (user_data LIBURING_UDATA_TIMEOUT).  Its CQE is consumed by the
 * library, never handed out.
 */
static void wait_without_ext_arg(void **state)
{
	struct io_uring_cqe *cqe;
	struct __kernel_timespec ts;
	struct io_uring ring;
	unsigned head;
	long long t0;
	int ret;

	(void) state;
	t_ring(&ring, 8, 0);
	if (!(ring.features & IORING_FEAT_EXT_ARG)) {
		io_uring_queue_exit(&ring);
		T_SKIP("kernel lacks EXT_ARG: nothing to take away");
	}
	/* as on such a kernel: no EXT_ARG, so not the fast paths' plain CQ
	 * ring either (io_uring_queue_init() decides that from features) */
	ring.features &= ~IORING_FEAT_EXT_ARG;
	ring.int_flags &= (__u8) ~INT_FLAG_CQ_PLAIN;

	/* nothing to wait for: -ETIME, and the internal CQE was eaten */
	head = *ring.cq.khead;
	ts = t_ms_ts(20);
	t0 = t_now_ms();
	cqe = (struct io_uring_cqe *) 1;
	assert_int_equal(io_uring_wait_cqes(&ring, &cqe, 1, &ts, NULL), -ETIME);
	assert_true(t_now_ms() - t0 >= 15);
	assert_int_equal(*ring.cq.khead, head + 1);
	assert_int_equal(io_uring_cq_ready(&ring), 0);

	head = *ring.cq.khead;
	assert_int_equal(io_uring_wait_cqe_timeout(&ring, &cqe, &ts), -ETIME);
	assert_int_equal(*ring.cq.khead, head + 1);

	/* a NOP is returned; the timeout's own CQE never is */
	t_nop(&ring, 42);
	ts = t_ms_ts(30);
	assert_int_equal(io_uring_wait_cqes(&ring, &cqe, 1, &ts, NULL), 0);
	retire_ud(&ring, cqe, 42);
	usleep(60000);	/* the internal timeout has fired or completed by now */
	assert_int_equal(io_uring_peek_cqe(&ring, &cqe), -EAGAIN);
	assert_int_equal(io_uring_cq_ready(&ring), 0);

	/* and through submit_and_wait_timeout */
	t_nop(&ring, 43);
	ret = io_uring_submit_and_wait_timeout(&ring, &cqe, 1, &ts, NULL);
	assert_true(ret >= 0);
	retire_ud(&ring, cqe, 43);
	usleep(60000);
	ret = io_uring_wait_cqe_timeout(&ring, &cqe, &ts);
	assert_int_equal(ret, -ETIME);
	assert_int_equal(io_uring_cq_ready(&ring), 0);

	/* min_timeout cannot be emulated */
	assert_int_equal(io_uring_submit_and_wait_min_timeout(&ring, &cqe, 1, &ts,
							      10, NULL), -EINVAL);
	io_uring_queue_exit(&ring);
}

static void wait_cqe_timeout(void **state)
{
	struct __kernel_timespec ts = t_ms_ts(20);
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	long long t0;

	(void) state;
	t_ring(&ring, 8, 0);
	t0 = t_now_ms();
	assert_int_equal(io_uring_wait_cqe_timeout(&ring, &cqe, &ts), -ETIME);
	assert_true(t_now_ms() - t0 >= 15);
	t_nop(&ring, 3);
	assert_int_equal(io_uring_submit(&ring), 1);
	assert_int_equal(io_uring_wait_cqe_timeout(&ring, &cqe, &ts), 0);
	assert_int_equal(cqe->user_data, 3);
	io_uring_cqe_seen(&ring, cqe);
	/* NULL timeout: wait for ever (one is ready) */
	t_nop(&ring, 4);
	assert_int_equal(io_uring_submit(&ring), 1);
	assert_int_equal(io_uring_wait_cqe_timeout(&ring, &cqe, NULL), 0);
	assert_int_equal(cqe->user_data, 4);
	io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);
}

/* ---- reaping ---- */

static void peek_cqe(void **state)
{
	struct io_uring_cqe *cqe;
	struct io_uring ring;

	(void) state;
	t_ring(&ring, 8, 0);
	assert_int_equal(io_uring_peek_cqe(&ring, &cqe), -EAGAIN);
	assert_null(cqe);
	t_nop(&ring, 8);
	assert_int_equal(io_uring_submit(&ring), 1);
	assert_int_equal(io_uring_peek_cqe(&ring, &cqe), 0);
	assert_int_equal(cqe->user_data, 8);
	/* peeking again without seen gives the same CQE */
	assert_int_equal(io_uring_peek_cqe(&ring, &cqe), 0);
	assert_int_equal(cqe->user_data, 8);
	io_uring_cqe_seen(&ring, cqe);
	assert_int_equal(io_uring_peek_cqe(&ring, &cqe), -EAGAIN);
	io_uring_cqe_seen(&ring, NULL);	/* no-op */
	io_uring_queue_exit(&ring);
}

static void peek_batch(void **state)
{
	struct io_uring_cqe *cqes[8];
	struct io_uring ring;
	unsigned i;

	(void) state;
	t_ring(&ring, 8, 0);
	assert_int_equal(io_uring_peek_batch_cqe(&ring, cqes, 8), 0);
	queue_nops(&ring, 5, 20);
	assert_int_equal(io_uring_submit(&ring), 5);
	assert_int_equal(io_uring_peek_batch_cqe(&ring, cqes, 3), 3);
	for (i = 0; i < 3; i++)
		assert_int_equal(cqes[i]->user_data, 20 + i);
	/* peeking consumes nothing */
	assert_int_equal(io_uring_cq_ready(&ring), 5);
	io_uring_cq_advance(&ring, 3);
	assert_int_equal(io_uring_cq_ready(&ring), 2);
	assert_int_equal(io_uring_peek_batch_cqe(&ring, cqes, 8), 2);
	assert_int_equal(cqes[0]->user_data, 23);
	assert_int_equal(cqes[1]->user_data, 24);
	io_uring_cq_advance(&ring, 2);
	assert_int_equal(io_uring_cq_ready(&ring), 0);
	io_uring_cq_advance(&ring, 0);	/* no-op */
	assert_int_equal(io_uring_cq_ready(&ring), 0);
	io_uring_queue_exit(&ring);
}

static void for_each_cqe(void **state)
{
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	unsigned head, n = 0, round;

	(void) state;
	t_ring(&ring, 8, 0);
	for (round = 0; round < 4; round++) {	/* wraps the 16-entry CQ */
		queue_nops(&ring, 6, 100 * round);
		assert_int_equal(io_uring_submit(&ring), 6);
		n = 0;
		io_uring_for_each_cqe(&ring, head, cqe) {
			assert_int_equal(cqe->user_data, 100 * round + n);
			n++;
		}
		assert_int_equal(n, 6);
		assert_int_equal(io_uring_cq_ready(&ring), 6);
		io_uring_cq_advance(&ring, n);
		assert_int_equal(io_uring_cq_ready(&ring), 0);
	}
	n = 0;
	io_uring_for_each_cqe(&ring, head, cqe)
		n++;
	assert_int_equal(n, 0);
	io_uring_queue_exit(&ring);
}

/*
 * The private state the header's fast paths read (include/uring.h): the
 * plain-CQ bit of int_flags (peek, wait, cqe_seen) and the CQ slot shift of
 * pad[0] (for_each_cqe, the CQE iterator), set by every setup path, and a
 * ring where neither is set (a struct io_uring filled in another way)
 * reaped the same through the general path.
 */
static void check_fast_path_state(struct io_uring *ring)
{
	unsigned flags = ring->flags;
	bool plain = !(flags & (IORING_SETUP_CQE32 | IORING_SETUP_CQE_MIXED)) &&
		     (ring->features & IORING_FEAT_EXT_ARG);

	assert_int_equal(!!(ring->int_flags & INT_FLAG_CQ_PLAIN), plain);
	assert_int_equal(ring->pad[0], (flags & IORING_SETUP_CQE_MIXED) ? 0 :
			 4 + io_uring_cqe_shift(ring));
}

static void reap_three(struct io_uring *ring, __u64 base)
{
	struct io_uring_cqe *cqe;
	unsigned head, n = 0;

	queue_nops(ring, 3, base);
	assert_int_equal(io_uring_submit_and_wait(ring, 3), 3);
	io_uring_for_each_cqe(ring, head, cqe) {
		assert_int_equal(cqe->user_data, base + n);
		n += io_uring_cqe_nr(cqe);
	}
	assert_int_equal(n, 3);
	io_uring_cq_advance(ring, n);
	t_nop(ring, base + 3);
	assert_int_equal(io_uring_submit(ring), 1);
	assert_int_equal(io_uring_wait_cqe(ring, &cqe), 0);
	assert_int_equal(cqe->user_data, base + 3);
	io_uring_cqe_seen(ring, cqe);
	assert_int_equal(io_uring_peek_cqe(ring, &cqe), -EAGAIN);
}

/*
 * The plain-submit bit (src/int_flags.h) follows the ring's registered
 * index and its iowait flag, and whatever it says, submits reach the
 * kernel.
 */
static void check_submit_state(struct io_uring *ring)
{
	bool plain = !(ring->flags & (IORING_SETUP_SQPOLL |
				      IORING_SETUP_SQ_REWIND)) &&
		     !(ring->int_flags & (INT_FLAG_REG_RING | INT_FLAG_NO_IOWAIT));

	assert_int_equal(!!(ring->int_flags & INT_FLAG_SUBMIT_PLAIN), plain);
}

static void submit_state(void **state)
{
	struct io_uring ring;
	int ret;

	(void) state;
	t_ring(&ring, 8, 0);
	check_submit_state(&ring);
	assert_int_equal(io_uring_register_ring_fd(&ring), 1);
	check_submit_state(&ring);
	reap_three(&ring, 30);
	assert_int_equal(io_uring_unregister_ring_fd(&ring), 1);
	check_submit_state(&ring);
	reap_three(&ring, 40);
	ret = io_uring_set_iowait(&ring, false);
	if (ret == 0) {
		check_submit_state(&ring);
		reap_three(&ring, 50);
		assert_int_equal(io_uring_set_iowait(&ring, true), 0);
		check_submit_state(&ring);
	} else {
		assert_int_equal(ret, -EOPNOTSUPP);	/* before 6.15 */
	}
	reap_three(&ring, 60);
	io_uring_queue_exit(&ring);
	t_ring(&ring, 8, IORING_SETUP_SQPOLL);
	check_submit_state(&ring);
	io_uring_queue_exit(&ring);
}

static void fast_path_state(void **state)
{
	static const unsigned cfgs[] = {
		0, IORING_SETUP_CQE32, IORING_SETUP_CQE_MIXED,
		IORING_SETUP_SQE128 | IORING_SETUP_CQE32,
	};
	unsigned i, via;

	(void) state;
	for (i = 0; i < sizeof(cfgs) / sizeof(cfgs[0]); i++) {
		for (via = 0; via < 2; via++) {
			struct io_uring_params p;
			struct io_uring ring;
			int ret, fd;

			memset(&p, 0, sizeof(p));
			p.flags = cfgs[i];
			if (via == 0) {
				ret = io_uring_queue_init_params(8, &ring, &p);
			} else {
				fd = io_uring_setup(8, &p);
				if (fd < 0) {
					ret = fd;
				} else {
					ret = io_uring_queue_mmap(fd, &p, &ring);
					if (ret)
						close(fd);
				}
			}
			if (ret == -EINVAL && (cfgs[i] & IORING_SETUP_CQE_MIXED))
				continue;	/* before Linux 6.18 */
			assert_int_equal(ret, 0);
			check_fast_path_state(&ring);
			check_submit_state(&ring);
			reap_three(&ring, 10);
			/* neither set: the general path answers the same */
			ring.int_flags &= (__u8) ~INT_FLAG_CQ_PLAIN;
			ring.pad[0] = 0;
			reap_three(&ring, 20);
			io_uring_queue_exit(&ring);
		}
	}
}

/*
 * A program built with this header may run on liburing's own liburing.so.2,
 * whose int_flags bits mean other things: since 2.8 it keeps
 * IORING_ENTER_NO_IOWAIT (0x80) there after io_uring_set_iowait(ring,
 * false), and never sets pad[0].  The header's fast paths must then take the
 * general path on a 32-byte CQ ring, not read 16-byte slots.
 */
static void fast_path_foreign_int_flags(void **state)
{
	static const unsigned cfgs[] = {
		IORING_SETUP_CQE32, IORING_SETUP_CQE_MIXED,
	};
	unsigned i;

	(void) state;
	for (i = 0; i < sizeof(cfgs) / sizeof(cfgs[0]); i++) {
		struct io_uring_params p;
		struct io_uring ring;
		__u8 ours;
		int ret;

		memset(&p, 0, sizeof(p));
		p.flags = cfgs[i];
		ret = io_uring_queue_init_params(8, &ring, &p);
		if (ret == -EINVAL && (cfgs[i] & IORING_SETUP_CQE_MIXED))
			continue;	/* before Linux 6.18 */
		assert_int_equal(ret, 0);
		ours = ring.int_flags;
		ring.int_flags = (__u8) IORING_ENTER_NO_IOWAIT;
		ring.pad[0] = 0;
		reap_three(&ring, 70);
		reap_three(&ring, 80);
		ring.int_flags = ours;
		io_uring_queue_exit(&ring);
	}
}

static void cqe_iter(void **state)
{
	struct io_uring_cqe_iter it;
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	unsigned n, round;

	(void) state;
	t_ring(&ring, 8, 0);
	it = io_uring_cqe_iter_init(&ring);
	assert_false(io_uring_cqe_iter_next(&it, &cqe));
	for (round = 0; round < 4; round++) {
		queue_nops(&ring, 7, 50 * round);
		assert_int_equal(io_uring_submit(&ring), 7);
		it = io_uring_cqe_iter_init(&ring);
		n = 0;
		while (io_uring_cqe_iter_next(&it, &cqe)) {
			assert_int_equal(cqe->user_data, 50 * round + n);
			n++;
		}
		assert_int_equal(n, 7);
		assert_int_equal(io_uring_cq_ready(&ring), 7);
		io_uring_cq_advance(&ring, n);
	}
	io_uring_queue_exit(&ring);
}

/* ---- CQE_MIXED rings: 32-byte CQEs and the padding at the wrap ---- */

enum walk { WALK_BATCH, WALK_FOR_EACH, WALK_ITER };

/* Hand out what is ready by one walk; advance by the sum of io_uring_cqe_nr(). */
static unsigned mixed_walk(struct io_uring *ring, enum walk how, __u64 *uds,
			   unsigned max)
{
	struct io_uring_cqe *cqe, *cqes[8];
	struct io_uring_cqe_iter it;
	unsigned head, n = 0, slots = 0, i;

	switch (how) {
	case WALK_BATCH:
		n = io_uring_peek_batch_cqe(ring, cqes, 8);
		for (i = 0; i < n; i++) {
			uds[i] = cqes[i]->user_data;
			slots += io_uring_cqe_nr(cqes[i]);
		}
		break;
	case WALK_FOR_EACH:
		io_uring_for_each_cqe(ring, head, cqe) {
			assert_true(n < max);
			uds[n++] = cqe->user_data;
			slots += io_uring_cqe_nr(cqe);
		}
		break;
	case WALK_ITER:
		it = io_uring_cqe_iter_init(ring);
		while (io_uring_cqe_iter_next(&it, &cqe)) {
			assert_true(n < max);
			uds[n++] = cqe->user_data;
			slots += io_uring_cqe_nr(cqe);
		}
		break;
	}
	io_uring_cq_advance(ring, slots);
	/* the head never passes the tail */
	assert_true(io_uring_cq_ready(ring) <= ring->cq.ring_entries);
	return n;
}

/*
 * peek_batch_cqe, for_each_cqe and the CQE iterator on a CQE_MIXED ring of
 * 4 CQ slots, where 32-byte CQEs soon wrap and the kernel pads the last
 * slot: every CQE comes out once, whole (user_data of its own), never the
 * padding or the second half of a 32-byte CQE, and advancing by the sum of
 * io_uring_cqe_nr() keeps the ring consistent (the next wait returns).
 */
static void mixed_walks(void **state)
{
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	enum walk how;
	__u64 uds[16];
	unsigned round, got, i, n, next;

	(void) state;
	for (how = WALK_BATCH; how <= WALK_ITER; how++) {
		if (io_uring_queue_init(2, &ring, IORING_SETUP_CQE_MIXED))
			T_SKIP("kernel lacks IORING_SETUP_CQE_MIXED");
		next = 1;
		for (round = 0; round < 12; round++) {
			struct io_uring_sqe *sqe = t_sqe(&ring);

			io_uring_prep_nop(sqe);
			sqe->user_data = 2 * round + 1;
			sqe = t_sqe(&ring);
			io_uring_prep_nop(sqe);
			sqe->nop_flags = IORING_NOP_CQE32;
			sqe->user_data = 2 * round + 2;
			assert_int_equal(io_uring_submit(&ring), 2);
			for (got = 0; got < 2; got += n) {
				n = mixed_walk(&ring, how, uds, 16);
				for (i = 0; i < n; i++)
					assert_int_equal(uds[i], next++);
				if (!n)
					assert_int_equal(io_uring_wait_cqe(&ring, &cqe), 0);
			}
			assert_int_equal(io_uring_cq_ready(&ring), 0);
		}
		io_uring_queue_exit(&ring);
	}
}

/* ---- SQPOLL ring space ---- */

static void sqring_wait(void **state)
{
	struct io_uring_cqe *cqe;
	struct io_uring_params p;
	struct io_uring ring;
	unsigned i;
	int ret;

	(void) state;
	t_ring(&ring, 4, 0);
	assert_int_equal(io_uring_sqring_wait(&ring), 0);	/* not SQPOLL */
	io_uring_queue_exit(&ring);

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SQPOLL;
	p.sq_thread_idle = 100;
	ret = io_uring_queue_init_params(4, &ring, &p);
	if (ret == -EINVAL || ret == -EPERM)
		T_SKIP("SQPOLL not available");
	assert_int_equal(ret, 0);
	for (i = 0; i < 8; i++) {
		/* fill the SQ, hand it over, wait for room */
		while (io_uring_sq_space_left(&ring))
			t_nop(&ring, i);
		assert_null(io_uring_get_sqe(&ring));
		/* 4, or 0 if the thread already took the batch */
		ret = io_uring_submit(&ring);
		assert_true(ret == 4 || ret == 0);
		ret = io_uring_sqring_wait(&ring);
		assert_true(ret >= 0);
		assert_true(io_uring_sq_space_left(&ring) > 0);
		assert_int_equal(io_uring_wait_cqe_nr(&ring, &cqe, 4), 0);
		assert_int_equal(io_uring_cq_ready(&ring), 4);
		assert_int_equal(cqe->user_data, i);
		io_uring_cq_advance(&ring, 4);
		/* the CQEs come before the head moves: the next round
		 * fills all four slots, so wait for them */
		t_sq_drained(&ring);
	}
	/* the kernel side of the wait, asked for directly */
	assert_true(__io_uring_sqring_wait(&ring) >= 0);
	io_uring_queue_exit(&ring);
}

/* ---- eventfd ---- */

/* Did the eventfd get signalled since the last call? */
static bool eventfd_fired(int efd)
{
	uint64_t v = 0;
	ssize_t n = read(efd, &v, sizeof(v));

	if (n < 0) {
		assert_int_equal(errno, EAGAIN);
		return false;
	}
	assert_int_equal(n, sizeof(v));
	return v > 0;
}

static void cq_eventfd_toggle(void **state)
{
	struct io_uring ring;
	int efd;

	(void) state;
	t_ring(&ring, 4, 0);
	efd = t_eventfd();
	assert_int_equal(io_uring_register_eventfd(&ring, efd), 0);
	assert_true(io_uring_cq_eventfd_enabled(&ring));
	t_nop_roundtrip(&ring, 1);
	assert_true(eventfd_fired(efd));
	assert_false(eventfd_fired(efd));

	assert_int_equal(io_uring_cq_eventfd_toggle(&ring, false), 0);
	assert_false(io_uring_cq_eventfd_enabled(&ring));
	assert_true(*ring.cq.kflags & IORING_CQ_EVENTFD_DISABLED);
	t_nop_roundtrip(&ring, 2);
	assert_false(eventfd_fired(efd));
	assert_int_equal(io_uring_cq_eventfd_toggle(&ring, false), 0);	/* no change */

	assert_int_equal(io_uring_cq_eventfd_toggle(&ring, true), 0);
	assert_true(io_uring_cq_eventfd_enabled(&ring));
	t_nop_roundtrip(&ring, 3);
	assert_true(eventfd_fired(efd));

	assert_int_equal(io_uring_unregister_eventfd(&ring), 0);
	t_nop_roundtrip(&ring, 4);
	assert_false(eventfd_fired(efd));
	close(efd);
	io_uring_queue_exit(&ring);
}

/* ---- SQE / CQE data ---- */

static void data_accessors(void **state)
{
	struct { int x; } token;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	struct io_uring ring;

	(void) state;
	t_ring(&ring, 8, 0);
	sqe = t_sqe(&ring);
	io_uring_prep_nop(sqe);
	io_uring_sqe_set_data(sqe, &token);
	assert_int_equal(io_uring_submit(&ring), 1);
	assert_int_equal(io_uring_wait_cqe(&ring, &cqe), 0);
	assert_ptr_equal(io_uring_cqe_get_data(cqe), &token);
	assert_int_equal(io_uring_cqe_get_data64(cqe), (__u64) (uintptr_t) &token);
	io_uring_cqe_seen(&ring, cqe);

	sqe = t_sqe(&ring);
	io_uring_prep_nop(sqe);
	io_uring_sqe_set_data64(sqe, 0xfedcba9876543210ULL);
	assert_int_equal(io_uring_submit(&ring), 1);
	assert_int_equal(io_uring_wait_cqe(&ring, &cqe), 0);
	assert_int_equal(io_uring_cqe_get_data64(cqe), 0xfedcba9876543210ULL);
	io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);
}

static void sqe_set_flags(void **state)
{
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	__u64 ud;

	(void) state;
	T_RING_FEAT(&ring, 8, 0, IORING_FEAT_CQE_SKIP);
	/* a NOP whose success posts no CQE, then one that does */
	sqe = t_sqe(&ring);
	io_uring_prep_nop(sqe);
	io_uring_sqe_set_flags(sqe, IOSQE_CQE_SKIP_SUCCESS);
	assert_int_equal(sqe->flags, IOSQE_CQE_SKIP_SUCCESS);
	sqe->user_data = 1;
	t_nop(&ring, 2);
	assert_int_equal(io_uring_submit(&ring), 2);
	assert_int_equal(t_wait(&ring, NULL, &ud), 0);
	assert_int_equal(ud, 2);
	assert_int_equal(io_uring_cq_ready(&ring), 0);

	/* flags replace what was there */
	sqe = t_sqe(&ring);
	io_uring_prep_nop(sqe);
	io_uring_sqe_set_flags(sqe, IOSQE_CQE_SKIP_SUCCESS);
	io_uring_sqe_set_flags(sqe, 0);
	sqe->user_data = 3;
	assert_int_equal(t_submit_wait(&ring, NULL, &ud), 0);
	assert_int_equal(ud, 3);
	io_uring_queue_exit(&ring);
}

static void sqe_set_buf_group(void **state)
{
	static char bufs[4][64];
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	unsigned flags, bid, i;
	int fd, res;

	(void) state;
	T_REQUIRE_OP(IORING_OP_PROVIDE_BUFFERS);
	t_ring(&ring, 8, 0);
	memset(bufs, 0, sizeof(bufs));
	sqe = t_sqe(&ring);
	io_uring_prep_provide_buffers(sqe, bufs, 64, 4, 7, 0);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), 0);

	fd = t_make_file(t_path("bufgroup"), 256);
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, fd, NULL, 64, 128);
	io_uring_sqe_set_flags(sqe, IOSQE_BUFFER_SELECT);
	io_uring_sqe_set_buf_group(sqe, 7);
	assert_int_equal(sqe->buf_group, 7);
	res = t_submit_wait(&ring, &flags, NULL);
	assert_int_equal(res, 64);
	assert_true(flags & IORING_CQE_F_BUFFER);
	bid = flags >> IORING_CQE_BUFFER_SHIFT;
	assert_true(bid < 4);
	for (i = 0; i < 64; i++)
		assert_int_equal((unsigned char) bufs[bid][i], t_pattern(128 + i));

	/* a group with no buffers: -ENOBUFS */
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, fd, NULL, 64, 0);
	io_uring_sqe_set_flags(sqe, IOSQE_BUFFER_SELECT);
	io_uring_sqe_set_buf_group(sqe, 8);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), -ENOBUFS);
	close(fd);
	io_uring_queue_exit(&ring);
}

/* ---- nothing is lost ---- */

#define MANY	1000

static void full_sq_loses_nothing(void **state)
{
	static unsigned char seen[MANY];
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	unsigned queued = 0, got = 0;
	int ret;

	(void) state;
	memset(seen, 0, sizeof(seen));
	t_ring(&ring, 8, 0);
	while (got < MANY) {
		struct io_uring_sqe *sqe;

		while (queued < MANY && (sqe = io_uring_get_sqe(&ring))) {
			io_uring_prep_nop(sqe);
			io_uring_sqe_set_data64(sqe, NOP_UD(queued));
			queued++;
		}
		assert_int_equal(io_uring_sq_space_left(&ring) == 0 || queued == MANY, 1);
		ret = io_uring_submit(&ring);
		assert_true(ret >= 0);
		while (io_uring_peek_cqe(&ring, &cqe) == 0) {
			__u64 i = cqe->user_data - NOP_UD(0);

			assert_true(i < MANY);
			assert_int_equal(seen[i], 0);
			assert_int_equal(cqe->res, 0);
			seen[i] = 1;
			got++;
			io_uring_cqe_seen(&ring, cqe);
		}
	}
	assert_int_equal(queued, MANY);
	assert_int_equal(io_uring_cq_ready(&ring), 0);
	io_uring_queue_exit(&ring);
}

#define OVERFLOW_NR	200

/* Submit 200 NOPs into a ring with 8 CQ slots without reaping any. */
static void overflow_ring(struct io_uring *ring)
{
	struct io_uring_params p;
	unsigned i;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_CQSIZE;
	p.cq_entries = 8;
	assert_int_equal(io_uring_queue_init_params(4, ring, &p), 0);
	assert_int_equal(ring->cq.ring_entries, 8);
	if (!(ring->features & IORING_FEAT_NODROP)) {
		io_uring_queue_exit(ring);
		T_SKIP("kernel lacks IORING_FEAT_NODROP");
	}
	assert_false(io_uring_cq_has_overflow(ring));
	for (i = 0; i < OVERFLOW_NR; i += 4) {
		queue_nops(ring, 4, NOP_UD(i));
		assert_int_equal(io_uring_submit(ring), 4);
	}
	assert_int_equal(io_uring_cq_ready(ring), 8);
	assert_true(io_uring_cq_has_overflow(ring));
	assert_int_equal(*ring->cq.koverflow, 0);	/* nothing dropped */
}

static void check_all_seen(const unsigned char *seen)
{
	unsigned i;

	for (i = 0; i < OVERFLOW_NR; i++)
		if (seen[i] != 1)
			fail_msg("user_data %u seen %u times", i, seen[i]);
}

static void note_cqe(unsigned char *seen, const struct io_uring_cqe *cqe)
{
	__u64 i = cqe->user_data - NOP_UD(0);

	assert_true(i < OVERFLOW_NR);
	assert_int_equal(cqe->res, 0);
	seen[i]++;
}

static void cq_overflow_peek(void **state)
{
	unsigned char seen[OVERFLOW_NR];
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	unsigned got = 0;

	(void) state;
	memset(seen, 0, sizeof(seen));
	overflow_ring(&ring);
	/* peek never blocks; it must flush the overflow list as it empties */
	while (io_uring_peek_cqe(&ring, &cqe) == 0) {
		note_cqe(seen, cqe);
		io_uring_cqe_seen(&ring, cqe);
		got++;
	}
	assert_int_equal(got, OVERFLOW_NR);
	check_all_seen(seen);
	assert_false(io_uring_cq_has_overflow(&ring));
	io_uring_queue_exit(&ring);
}

static void cq_overflow_wait(void **state)
{
	unsigned char seen[OVERFLOW_NR];
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	unsigned got;

	(void) state;
	memset(seen, 0, sizeof(seen));
	overflow_ring(&ring);
	for (got = 0; got < OVERFLOW_NR; got++) {
		assert_int_equal(io_uring_wait_cqe(&ring, &cqe), 0);
		note_cqe(seen, cqe);
		io_uring_cqe_seen(&ring, cqe);
	}
	check_all_seen(seen);
	assert_int_equal(io_uring_peek_cqe(&ring, &cqe), -EAGAIN);
	assert_false(io_uring_cq_has_overflow(&ring));
	io_uring_queue_exit(&ring);
}

static void cq_overflow_batch(void **state)
{
	unsigned char seen[OVERFLOW_NR];
	struct io_uring_cqe *cqes[16];
	struct io_uring ring;
	unsigned got = 0, n, i;

	(void) state;
	memset(seen, 0, sizeof(seen));
	overflow_ring(&ring);
	while ((n = io_uring_peek_batch_cqe(&ring, cqes, 16)) > 0) {
		for (i = 0; i < n; i++)
			note_cqe(seen, cqes[i]);
		io_uring_cq_advance(&ring, n);
		got += n;
	}
	assert_int_equal(got, OVERFLOW_NR);
	check_all_seen(seen);
	io_uring_queue_exit(&ring);
}

/* With the overflow flushed explicitly (get_events), for_each sees it all. */
static void cq_overflow_get_events(void **state)
{
	unsigned char seen[OVERFLOW_NR];
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	unsigned got = 0, head, n;

	(void) state;
	memset(seen, 0, sizeof(seen));
	overflow_ring(&ring);
	while (got < OVERFLOW_NR) {
		n = 0;
		io_uring_for_each_cqe(&ring, head, cqe) {
			note_cqe(seen, cqe);
			n++;
		}
		io_uring_cq_advance(&ring, n);
		got += n;
		if (!n)
			assert_true(io_uring_cq_has_overflow(&ring));
		if (io_uring_cq_has_overflow(&ring))
			assert_int_equal(io_uring_get_events(&ring), 0);
		else if (!n)
			break;
	}
	assert_int_equal(got, OVERFLOW_NR);
	check_all_seen(seen);
	io_uring_queue_exit(&ring);
}

/* ---- registered ring fd ---- */

static void registered_ring_fd(void **state)
{
	struct __kernel_timespec ts = t_ms_ts(10);
	struct io_uring_probe *probe;
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	int ret;

	(void) state;
	t_ring(&ring, 8, 0);
	ret = io_uring_register_ring_fd(&ring);
	if (ret == -EINVAL) {
		io_uring_queue_exit(&ring);
		T_SKIP("kernel lacks IORING_REGISTER_RING_FDS");
	}
	assert_int_equal(ret, 1);
	assert_true(ring.int_flags & INT_FLAG_REG_RING);
	assert_int_not_equal(ring.enter_ring_fd, ring.ring_fd);
	assert_int_equal(io_uring_register_ring_fd(&ring), -EEXIST);
	t_nop_roundtrip(&ring, 1);

	/* with the plain fd gone, only the index reaches the ring */
	ret = io_uring_close_ring_fd(&ring);
	if (ret == -EOPNOTSUPP) {
		print_message("# kernel lacks IORING_FEAT_REG_REG_RING: fd kept\n");
	} else {
		assert_int_equal(ret, 1);
		assert_int_equal(ring.ring_fd, -1);
		assert_int_equal(io_uring_close_ring_fd(&ring), -EBADF);
		assert_int_equal(io_uring_unregister_ring_fd(&ring), -EBADF);
	}
	t_nop_roundtrip(&ring, 2);
	queue_nops(&ring, 3, 10);
	assert_int_equal(io_uring_submit_and_wait(&ring, 3), 3);
	assert_int_equal(drain(&ring), 3);
	t_nop(&ring, 20);
	assert_true(io_uring_submit_and_wait_timeout(&ring, &cqe, 1, &ts, NULL) >= 0);
	assert_int_equal(cqe->user_data, 20);
	io_uring_cqe_seen(&ring, cqe);
	assert_int_equal(io_uring_wait_cqe_timeout(&ring, &cqe, &ts), -ETIME);
	assert_int_equal(io_uring_get_events(&ring), 0);
	t_nop(&ring, 21);
	assert_int_equal(io_uring_submit_and_get_events(&ring), 1);
	assert_int_equal(drain(&ring), 1);
	/* registration calls go through the index too */
	probe = io_uring_get_probe_ring(&ring);
	assert_non_null(probe);
	io_uring_free_probe(probe);
	io_uring_queue_exit(&ring);

	/* unregistering hands enter back to the plain fd */
	t_ring(&ring, 8, 0);
	assert_int_equal(io_uring_register_ring_fd(&ring), 1);
	t_nop_roundtrip(&ring, 30);
	assert_int_equal(io_uring_unregister_ring_fd(&ring), 1);
	assert_int_equal(ring.enter_ring_fd, ring.ring_fd);
	assert_false(ring.int_flags & INT_FLAG_REG_RING);
	assert_int_equal(io_uring_unregister_ring_fd(&ring), -EINVAL);
	t_nop_roundtrip(&ring, 31);
	io_uring_queue_exit(&ring);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(get_sqe_until_full),
		cmocka_unit_test(get_sqe_after_foreign_tail),
		cmocka_unit_test(get_sqe_after_foreign_lap),
		cmocka_unit_test(get_sqe_sqe128_slots),
		cmocka_unit_test(get_sqe_sqpoll_refill),
		cmocka_unit_test(sq_rewind),
		cmocka_unit_test(sq_rewind_library_side),
		cmocka_unit_test(submit_and_wait),
		cmocka_unit_test(submit_and_wait_timeout),
		cmocka_unit_test(min_timeout),
		cmocka_unit_test(min_timeout_needs_feature),
		cmocka_unit_test(submit_and_get_events),
		cmocka_unit_test(get_events),
		cmocka_unit_test(wait_cqe_and_nr),
		cmocka_unit_test(wait_cqes),
		cmocka_unit_test(wait_without_ext_arg),
		cmocka_unit_test(wait_cqe_timeout),
		cmocka_unit_test(peek_cqe),
		cmocka_unit_test(peek_batch),
		cmocka_unit_test(for_each_cqe),
		cmocka_unit_test(cqe_iter),
		cmocka_unit_test(fast_path_state),
		cmocka_unit_test(fast_path_foreign_int_flags),
		cmocka_unit_test(submit_state),
		cmocka_unit_test(sqring_wait),
		cmocka_unit_test(cq_eventfd_toggle),
		cmocka_unit_test(data_accessors),
		cmocka_unit_test(sqe_set_flags),
		cmocka_unit_test(sqe_set_buf_group),
		cmocka_unit_test(full_sq_loses_nothing),
		cmocka_unit_test(cq_overflow_peek),
		cmocka_unit_test(cq_overflow_wait),
		cmocka_unit_test(cq_overflow_batch),
		cmocka_unit_test(mixed_walks),
		cmocka_unit_test(cq_overflow_get_events),
		cmocka_unit_test(registered_ring_fd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
