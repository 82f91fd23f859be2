/* SPDX-License-Identifier: MIT */
/*
 * The ring protocol's out-of-line half: publishing SQEs to the kernel,
 * deciding when io_uring_enter() is needed, and waiting for CQEs.
 *
 * Who writes what: we own sq.tail and cq.head, the kernel owns sq.head and
 * cq.tail.  Each side publishes with a release store and reads the other's
 * index with an acquire load; each pairing is named where it happens.
 */
#define LIBURING_INTERNAL
#include "lib.h"
#include "valgrind.h"

#include <stdint.h>
#include <string.h>

/*
 * SQPOLL: does the kernel thread need waking to see the SQEs just flushed?
 * Sets IORING_ENTER_SQ_WAKEUP in *flags when it does.
 */
static inline bool sq_thread_needs_wakeup(struct io_uring *ring,
					  unsigned *flags)
{
	/* full barrier: our store of sq.tail must be visible before we read
	 * NEED_WAKEUP; pairs with the SQPOLL thread's barrier between setting
	 * NEED_WAKEUP and its last look at sq.tail before it sleeps */
	io_uring_smp_mb();
	if (uring_unlikely(IO_URING_READ_ONCE(*ring->sq.kflags) &
			   IORING_SQ_NEED_WAKEUP)) {
		*flags |= IORING_ENTER_SQ_WAKEUP;
		return true;
	}
	return false;
}

/*
 * Does submitting need io_uring_enter()?  Without SQPOLL always; with it
 * only to wake the kernel thread.
 */
static inline bool sq_ring_needs_enter(struct io_uring *ring, unsigned submit,
				       unsigned *flags)
{
	if (!submit)
		return false;
	if (!(ring->flags & IORING_SETUP_SQPOLL))
		return true;
	return sq_thread_needs_wakeup(ring, flags);
}

/* Completions wait in the overflow list or in deferred task work. */
static inline bool cq_ring_needs_flush(struct io_uring *ring)
{
	return IO_URING_READ_ONCE(*ring->sq.kflags) &
	       (IORING_SQ_CQ_OVERFLOW | IORING_SQ_TASKRUN);
}

/* Reaping needs io_uring_enter(): IOPOLL rings, or completions held back. */
static inline bool cq_ring_needs_enter(struct io_uring *ring)
{
	return (ring->int_flags & INT_FLAG_CQ_ENTER) || cq_ring_needs_flush(ring);
}

/*
 * A flush renews get_sqe's room bound (include/uring.h) from the head it
 * reads when the tail has passed the bound: other code's inline get_sqe
 * moved it without looking at the bound.  SQEs only reach the kernel
 * through a flush, and that code takes only slots that are free, so after
 * each flush the bound is at most one ring ahead of the tail, and until the
 * next one the tail moves at most one ring: the signed check in get_sqe
 * stays exact however many SQEs other code has submitted, over any number
 * of wraps of the 32-bit indices.
 */
static inline void sq_room_renew(struct io_uring *ring, unsigned tail)
{
	/* get_sqe's own refresh: the bound and the slot size, from the head */
	if (uring_unlikely((int) (__io_uring_sq_room_end(ring) - tail) < 0))
		__io_uring_sq_refresh_room(ring, tail, 0);
}

/*
 * Hand the SQEs filled since the last flush to the kernel by moving sq.tail;
 * returns how many SQEs the kernel has not consumed yet.  This is the plain
 * ring (neither SQPOLL nor SQ_REWIND); the two variants follow.
 */
static inline unsigned flush_sq_plain(struct io_uring *ring)
{
	struct io_uring_sq *sq = &ring->sq;
	unsigned tail = sq->sqe_tail;

	uring_valgrind_sqes(ring, sq->sqe_head, tail);
	/* stored whether or not it moved: cheaper than testing.  Read by the
	 * kernel only inside our io_uring_enter(), and the syscall orders it:
	 * a plain store suffices */
	sq->sqe_head = tail;
	IO_URING_WRITE_ONCE(*sq->ktail, tail);
	sq_room_renew(ring, tail);
	/* no barrier: the head only moves inside io_uring_enter() */
	return tail - *sq->khead;
}

/* The same with SQPOLL, where the kernel thread reads the tail at any time. */
static inline unsigned flush_sq_sqpoll(struct io_uring *ring)
{
	struct io_uring_sq *sq = &ring->sq;
	unsigned tail = sq->sqe_tail;

	uring_valgrind_sqes(ring, sq->sqe_head, tail);
	if (sq->sqe_head != tail) {
		sq->sqe_head = tail;
		/* release: pairs with the SQPOLL thread's acquire of
		 * sq.tail, so it sees the SQE contents we wrote */
		io_uring_smp_store_release(sq->ktail, tail);
	}
	sq_room_renew(ring, tail);
	/* acquire: pairs with the thread's release of sq.head */
	return tail - io_uring_smp_load_acquire(sq->khead);
}

/*
 * IORING_SETUP_SQ_REWIND: the kernel ignores sq.head and sq.tail (both stay
 * 0) and takes as many SQEs as io_uring_enter() is told from slot 0 on; the
 * next batch is filled from slot 0 again.
 */
static inline unsigned flush_sq_rewind(struct io_uring *ring)
{
	unsigned queued = ring->sq.sqe_tail;

	uring_valgrind_sqes(ring, 0, queued);
	ring->sq.sqe_head = ring->sq.sqe_tail = 0;
	return queued;
}

/* Rings that are neither SQPOLL nor SQ_REWIND take the first path alone. */
#define RING_SQ_SPECIAL	(IORING_SETUP_SQPOLL | IORING_SETUP_SQ_REWIND)

enum sq_kind { SQ_PLAIN, SQ_REWIND, SQ_THREAD };

/*
 * The one place that tells the three apart: one flag test for the common
 * ring.  submit() and flush_sq() both dispatch on its answer.
 */
static inline enum sq_kind sq_kind(const struct io_uring *ring)
{
	if (uring_likely(!(ring->flags & RING_SQ_SPECIAL)))
		return SQ_PLAIN;
	return (ring->flags & IORING_SETUP_SQ_REWIND) ? SQ_REWIND : SQ_THREAD;
}

static inline unsigned flush_sq_kind(struct io_uring *ring, enum sq_kind kind)
{
	if (uring_likely(kind == SQ_PLAIN))
		return flush_sq_plain(ring);
	if (kind == SQ_REWIND)
		return flush_sq_rewind(ring);
	return flush_sq_sqpoll(ring);
}

static inline unsigned flush_sq(struct io_uring *ring)
{
	return flush_sq_kind(ring, sq_kind(ring));
}

/* Enter to submit, and to reap when cq_needs_enter. */
static inline int enter_submit(struct io_uring *ring, unsigned submitted,
			       unsigned wait_nr, unsigned flags,
			       bool cq_needs_enter)
{
	flags |= ring_enter_flags(ring);
	if (cq_needs_enter)
		flags |= IORING_ENTER_GETEVENTS;
	return __sys_io_uring_enter((unsigned) ring->enter_ring_fd, submitted,
				    wait_nr, flags, NULL);
}

/* SQPOLL: enter only to wake the thread or to reap. */
static inline __attribute__((always_inline))
int submit_sqpoll(struct io_uring *ring, unsigned wait_nr, bool getevents)
{
	unsigned submitted = flush_sq_sqpoll(ring), flags = 0;
	bool cq_needs_enter = getevents || wait_nr || cq_ring_needs_enter(ring);

	if (!(submitted && sq_thread_needs_wakeup(ring, &flags)) &&
	    !cq_needs_enter)
		return (int) submitted;
	return enter_submit(ring, submitted, wait_nr, flags, cq_needs_enter);
}

/*
 * Flush the SQ and enter the kernel if that is needed to submit or to reap.
 * Inlined into each caller, so wait_nr and getevents fold to constants.
 */
static inline __attribute__((always_inline))
int submit(struct io_uring *ring, unsigned wait_nr, bool getevents)
{
	enum sq_kind kind;
	unsigned submitted;
	bool cq_needs_enter;

	/* the common ring: one test for its kind and its enter flags */
	if (uring_likely(ring->int_flags & INT_FLAG_SUBMIT_PLAIN)) {
		submitted = flush_sq_plain(ring);
		cq_needs_enter = getevents || wait_nr ||
				 cq_ring_needs_enter(ring);
		if (!submitted && !cq_needs_enter)
			return 0;
		return __sys_io_uring_enter((unsigned) ring->enter_ring_fd,
					    submitted, wait_nr,
					    cq_needs_enter ?
					    IORING_ENTER_GETEVENTS : 0, NULL);
	}
	kind = sq_kind(ring);
	if (uring_unlikely(kind == SQ_THREAD))
		return submit_sqpoll(ring, wait_nr, getevents);
	submitted = flush_sq_kind(ring, kind);
	/* without SQPOLL, submitting always needs io_uring_enter() */
	cq_needs_enter = getevents || wait_nr || cq_ring_needs_enter(ring);
	if (!submitted && !cq_needs_enter)
		return 0;
	return enter_submit(ring, submitted, wait_nr, 0, cq_needs_enter);
}

int io_uring_submit(struct io_uring *ring)
{
	return submit(ring, 0, false);
}

int io_uring_submit_and_wait(struct io_uring *ring, unsigned wait_nr)
{
	return submit(ring, wait_nr, false);
}

int io_uring_submit_and_get_events(struct io_uring *ring)
{
	return submit(ring, 0, true);
}

int io_uring_get_events(struct io_uring *ring)
{
	return __sys_io_uring_enter((unsigned) ring->enter_ring_fd, 0, 0,
				    IORING_ENTER_GETEVENTS |
				    ring_enter_flags(ring), NULL);
}

/* The SQ ring as the kernel sees it (the tail we published) is full. */
static bool sq_ring_full(const struct io_uring *ring)
{
	return IO_URING_READ_ONCE(*ring->sq.ktail) -
	       io_uring_load_sq_head(ring) == ring->sq.ring_entries;
}

/*
 * Some kernels (6.1 among them) end the SQ_WAIT as soon as the SQ thread
 * has taken entries, which can be before it publishes the new head: wait
 * again until the head we can see leaves room.
 */
int __io_uring_sqring_wait(struct io_uring *ring)
{
	int ret;

	do {
		ret = __sys_io_uring_enter((unsigned) ring->enter_ring_fd, 0, 0,
					   IORING_ENTER_SQ_WAIT |
					   ring_enter_flags(ring), NULL);
	} while (ret >= 0 && (ring->flags & IORING_SETUP_SQPOLL) &&
		 sq_ring_full(ring));
	return ret;
}

#ifndef URING_FFI
/* For binaries built against headers where io_uring_get_sqe was not inline. */
struct io_uring_sqe *io_uring_get_sqe(struct io_uring *ring)
{
	return _io_uring_get_sqe(ring);
}
#endif

/* ---- Waiting ---- */

/* One wait request: what to submit, how many CQEs to wait for, and how. */
struct wait_req {
	unsigned submit;
	unsigned wait_nr;
	unsigned enter_flags;	/* IORING_ENTER_EXT_ARG[_REG] or 0 */
	bool timed;		/* a timeout bounds the wait */
	void *arg;		/* sigset_t *, io_uring_getevents_arg *, or reg offset */
	size_t arg_sz;
	int submitted;		/* out: what the first io_uring_enter() submitted */
};

/*
 * Peek, entering the kernel as often as needed to submit and to wait.
 * Returns 0 with a CQE in *cqe_ptr; -ETIME when a timed wait found none;
 * -EAGAIN when nothing was asked for and nothing was ready; or the
 * kernel's -errno.  w->submitted gets what the first io_uring_enter()
 * submitted (see submit_result()).
 */
static int get_cqe_slow(struct io_uring *ring, struct io_uring_cqe **cqe_ptr,
			struct wait_req *w)
{
	struct io_uring_cqe *cqe = NULL;
	bool entered = false;
	int submitted = 0, ret;

	for (;;) {
		unsigned flags = 0, nr_available;
		bool need_enter = false;

		ret = __io_uring_peek_cqe(ring, &cqe, &nr_available);
		if (ret)
			break;
		if (!cqe && !w->wait_nr && !w->submit) {
			/* a plain peek: enter only to flush held-back CQEs */
			if (entered || !cq_ring_needs_enter(ring)) {
				ret = -EAGAIN;
				break;
			}
			need_enter = true;
		}
		if (w->wait_nr > nr_available || need_enter) {
			flags |= IORING_ENTER_GETEVENTS | w->enter_flags;
			need_enter = true;
		}
		if (sq_ring_needs_enter(ring, w->submit, &flags))
			need_enter = true;
		if (!need_enter)
			break;
		if (entered && w->timed) {
			/* the timed wait already ran out: hand out what
			 * completed (fewer than wait_nr), never wait again */
			if (!cqe)
				ret = -ETIME;
			break;
		}
		flags |= ring_enter_flags(ring);
		ret = __sys_io_uring_enter2((unsigned) ring->enter_ring_fd,
					    w->submit, w->wait_nr, flags,
					    w->arg, w->arg_sz);
		if (ret < 0)
			break;
		if (!entered)
			submitted = ret;
		/* with SQ_REWIND, SQEs the kernel did not take are dropped:
		 * entering again would take slot 0 on once more */
		w->submit = (ring->flags & IORING_SETUP_SQ_REWIND) ? 0 :
			    w->submit - (unsigned) ret;
		entered = true;
		if (cqe)
			break;
	}
	*cqe_ptr = cqe;
	w->submitted = submitted;
	return ret < 0 ? ret : 0;
}

/*
 * The answer of the forms that submit: as liburing, the number of SQEs
 * the first io_uring_enter() submitted whenever it submitted any, even
 * when the wait then ran out, was not asked for or failed (*cqe_ptr is
 * NULL then): the caller must not lose that count.  Else ret.
 */
static inline int submit_result(const struct wait_req *w, int ret)
{
	return w->submitted > 0 ? w->submitted : ret;
}

/*
 * The common case needs no io_uring_enter(): nothing to submit and the CQEs
 * waited for are already there.  The loop's first round would decide the
 * same; this only spares it its set-up.  Whether *cqe_ptr was set.
 */
static inline bool cqes_ready(struct io_uring *ring,
			      struct io_uring_cqe **cqe_ptr, unsigned wait_nr)
{
	unsigned ready = __io_uring_ready_cqes(ring, cqe_ptr);

	return ready && ready >= wait_nr;
}

static inline int get_cqe(struct io_uring *ring, struct io_uring_cqe **cqe_ptr,
			  struct wait_req *w)
{
	if (!w->submit && cqes_ready(ring, cqe_ptr, w->wait_nr))
		return 0;
	return get_cqe_slow(ring, cqe_ptr, w);
}

static __attribute__((noinline))
int get_cqe_enter(struct io_uring *ring, struct io_uring_cqe **cqe_ptr,
		  unsigned submit, unsigned wait_nr, sigset_t *sigmask)
{
	struct wait_req w = {
		.submit = submit,
		.wait_nr = wait_nr,
		.arg = sigmask,
		.arg_sz = _NSIG / 8,
	};

	return submit_result(&w, get_cqe_slow(ring, cqe_ptr, &w));
}

int __io_uring_get_cqe(struct io_uring *ring, struct io_uring_cqe **cqe_ptr,
		       unsigned submit, unsigned wait_nr, sigset_t *sigmask)
{
	/* get_cqe()'s shortcut, before any wait_req is built */
	if (!submit && cqes_ready(ring, cqe_ptr, wait_nr))
		return 0;
	return get_cqe_enter(ring, cqe_ptr, submit, wait_nr, sigmask);
}

/*
 * Kernels without IORING_FEAT_EXT_ARG cannot bound a wait: queue a timeout
 * SQE (user_data LIBURING_UDATA_TIMEOUT, never shown to the caller) that
 * completes after wait_nr CQEs or at ts.  Returns the SQEs now pending.
 */
static int queue_timeout_sqe(struct io_uring *ring, unsigned wait_nr,
			     struct __kernel_timespec *ts)
{
	struct io_uring_sqe *sqe = _io_uring_get_sqe(ring);
	int ret;

	if (!sqe) {
		/* SQ full: submit what is there to make room */
		ret = io_uring_submit(ring);
		if (ret < 0)
			return ret;
		sqe = _io_uring_get_sqe(ring);
		if (!sqe)
			return -EAGAIN;
	}
	io_uring_prep_timeout(sqe, ts, wait_nr, 0);
	sqe->user_data = LIBURING_UDATA_TIMEOUT;
	return (int) flush_sq(ring);
}

static int wait_ext_arg_slow(struct io_uring *ring,
			     struct io_uring_cqe **cqe_ptr,
			     unsigned submit, unsigned wait_nr,
			     struct __kernel_timespec *ts,
			     unsigned min_wait_usec,
			     sigset_t *sigmask)
{
	struct io_uring_getevents_arg arg = {
		.sigmask = (__u64) (uintptr_t) sigmask,
		.sigmask_sz = _NSIG / 8,
		.min_wait_usec = min_wait_usec,
		.ts = (__u64) (uintptr_t) ts,
	};
	struct wait_req w = {
		.submit = submit,
		.wait_nr = wait_nr,
		.enter_flags = IORING_ENTER_EXT_ARG,
		.timed = ts != NULL,
		.arg = &arg,
		.arg_sz = sizeof(arg),
	};

	return submit_result(&w, get_cqe_slow(ring, cqe_ptr, &w));
}

/* Wait with the timeout, minimum wait and sigmask in one IORING_ENTER_EXT_ARG argument. */
static inline int wait_ext_arg(struct io_uring *ring,
			       struct io_uring_cqe **cqe_ptr, unsigned submit,
			       unsigned wait_nr, struct __kernel_timespec *ts,
			       unsigned min_wait_usec, sigset_t *sigmask)
{
	/* checked before the arguments are built: most waits end here */
	if (!submit && cqes_ready(ring, cqe_ptr, wait_nr))
		return 0;
	return wait_ext_arg_slow(ring, cqe_ptr, submit, wait_nr, ts,
				 min_wait_usec, sigmask);
}

/*
 * Submit what is queued and wait for wait_nr CQEs, bounded by ts (if any)
 * and, with min_wait_usec, by the kernel's minimum-wait batching.
 */
static int submit_and_wait_ext(struct io_uring *ring,
			       struct io_uring_cqe **cqe_ptr, unsigned wait_nr,
			       struct __kernel_timespec *ts,
			       unsigned min_wait_usec, sigset_t *sigmask)
{
	int to_submit;

	if (ring->features & IORING_FEAT_EXT_ARG)
		return wait_ext_arg(ring, cqe_ptr, flush_sq(ring), wait_nr, ts,
				    min_wait_usec, sigmask);
	if (min_wait_usec)
		return -EINVAL;
	if (ts) {
		to_submit = queue_timeout_sqe(ring, wait_nr, ts);
		if (to_submit < 0)
			return to_submit;
	} else {
		to_submit = (int) flush_sq(ring);
	}
	return __io_uring_get_cqe(ring, cqe_ptr, (unsigned) to_submit, wait_nr,
				  sigmask);
}

int io_uring_submit_and_wait_timeout(struct io_uring *ring,
				     struct io_uring_cqe **cqe_ptr,
				     unsigned wait_nr,
				     struct __kernel_timespec *ts,
				     sigset_t *sigmask)
{
	return submit_and_wait_ext(ring, cqe_ptr, wait_nr, ts, 0, sigmask);
}

int io_uring_submit_and_wait_min_timeout(struct io_uring *ring,
					 struct io_uring_cqe **cqe_ptr,
					 unsigned wait_nr,
					 struct __kernel_timespec *ts,
					 unsigned min_wait, sigset_t *sigmask)
{
	if (!(ring->features & IORING_FEAT_MIN_TIMEOUT))
		return -EINVAL;
	/* like liburing: without ts, min_wait is not used (the wait is for
	 * wait_nr CQEs, however long); the kernel would end it at min_wait */
	if (!ts)
		min_wait = 0;
	return submit_and_wait_ext(ring, cqe_ptr, wait_nr, ts, min_wait,
				   sigmask);
}

int io_uring_submit_and_wait_reg(struct io_uring *ring,
				 struct io_uring_cqe **cqe_ptr,
				 unsigned wait_nr, int reg_index)
{
	struct wait_req w = {
		.wait_nr = wait_nr,
		.enter_flags = IORING_ENTER_EXT_ARG | IORING_ENTER_EXT_ARG_REG,
		.timed = true,
		.arg_sz = sizeof(struct io_uring_reg_wait),
	};

	/*
	 * An index with no slot in any wait region: -EFAULT, the kernel's
	 * (and so liburing's) answer, before the SQ is touched.  The bound
	 * also keeps the offset from wrapping where size_t is 32 bits.
	 */
	if (reg_index < 0 || (size_t) reg_index >
	    SIZE_MAX / sizeof(struct io_uring_reg_wait))
		return -EFAULT;
	w.arg = (void *) (uintptr_t) ((size_t) reg_index *
				      sizeof(struct io_uring_reg_wait));
	w.submit = flush_sq(ring);
	return submit_result(&w, get_cqe(ring, cqe_ptr, &w));
}

/*
 * The wait-only forms: 0 with a CQE, or -errno.  Without IORING_FEAT_EXT_ARG
 * (before 5.11) a timeout SQE of the library's own bounds the wait, and goes
 * in with whatever the caller queued; that count is not the answer here.
 * This is that case.
 */
static __attribute__((noinline))
int wait_cqes_timeout_sqe(struct io_uring *ring, struct io_uring_cqe **cqe_ptr,
			  unsigned wait_nr, struct __kernel_timespec *ts,
			  sigset_t *sigmask)
{
	struct wait_req w = {
		.wait_nr = wait_nr,
		.arg = sigmask,
		.arg_sz = _NSIG / 8,
	};
	int to_submit;

	if (ts) {
		to_submit = queue_timeout_sqe(ring, wait_nr, ts);
		if (to_submit < 0)
			return to_submit;
		w.submit = (unsigned) to_submit;
	}
	return get_cqe(ring, cqe_ptr, &w);
}

int io_uring_wait_cqes(struct io_uring *ring, struct io_uring_cqe **cqe_ptr,
		       unsigned wait_nr, struct __kernel_timespec *ts,
		       sigset_t *sigmask)
{
	/* only wait: what the caller queued is not submitted.  The kernels
	 * without EXT_ARG go out of line, so that the common path builds
	 * no wait_req before it knows it needs one */
	if (uring_likely(ring->features & IORING_FEAT_EXT_ARG))
		return wait_ext_arg(ring, cqe_ptr, 0, wait_nr, ts, 0, sigmask);
	return wait_cqes_timeout_sqe(ring, cqe_ptr, wait_nr, ts, sigmask);
}

int io_uring_wait_cqes_min_timeout(struct io_uring *ring,
				   struct io_uring_cqe **cqe_ptr,
				   unsigned wait_nr,
				   struct __kernel_timespec *ts,
				   unsigned int min_ts_usec, sigset_t *sigmask)
{
	if (!(ring->features & IORING_FEAT_MIN_TIMEOUT))
		return -EINVAL;
	return wait_ext_arg(ring, cqe_ptr, 0, wait_nr, ts, min_ts_usec,
			    sigmask);
}

int io_uring_wait_cqe_timeout(struct io_uring *ring,
			      struct io_uring_cqe **cqe_ptr,
			      struct __kernel_timespec *ts)
{
	return io_uring_wait_cqes(ring, cqe_ptr, 1, ts, NULL);
}

/*
 * Fill cqes[] with up to count ready CQEs (not consumed: retire them with
 * io_uring_cq_advance(), by the sum of io_uring_cqe_nr() over them).  If
 * none is ready but the kernel holds overflowed completions, flush them
 * once and look again.  CQE_MIXED rings: whole CQEs only; padding at the
 * head is retired, padding further on ends the batch, so that the slots
 * the batch spans are exactly the sum of io_uring_cqe_nr().
 */
unsigned io_uring_peek_batch_cqe(struct io_uring *ring,
				 struct io_uring_cqe **cqes, unsigned count)
{
	bool flushed = false;
	unsigned head, tail, mask, shift, n;

	if (!ring || !cqes)
		return 0;
	for (;;) {
		head = *ring->cq.khead;
		/* acquire: pairs with the kernel's release store of cq.tail */
		tail = io_uring_smp_load_acquire(ring->cq.ktail);
		if (ring->flags & IORING_SETUP_CQE_MIXED)
			head = __io_uring_cq_retire_pad(ring, head, tail);
		if (head != tail)
			break;
		if (flushed || !cq_ring_needs_flush(ring))
			return 0;
		io_uring_get_events(ring);
		flushed = true;
	}
	mask = ring->cq.ring_mask;
	if (!(ring->flags & IORING_SETUP_CQE_MIXED)) {
		/* one slot a CQE; the byte offset with one shift, from a
		 * local base (the stores to cqes[] may alias the ring's) */
		char *base = (char *) ring->cq.cqes;

		shift = 4 + io_uring_cqe_shift(ring);
		if (count > tail - head)
			count = tail - head;
		for (n = 0; n < count; n++)
			cqes[n] = (struct io_uring_cqe *) (void *) (base +
				((size_t) ((head + n) & mask) << shift));
		return count;
	}
	for (n = 0; n < count && head != tail; n++) {
		struct io_uring_cqe *cqe = &ring->cq.cqes[head & mask];

		if (cqe->flags & IORING_CQE_F_SKIP)
			break;
		cqes[n] = cqe;
		head += io_uring_cqe_nr(cqe);
	}
	return n;
}
