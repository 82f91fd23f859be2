/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness: the input is a ring configuration (one of the list the
 * matrix suite runs over, tests/matrix_rings.c) followed by a program of API
 * calls and requests on that ring (NOPs, tiny timeouts, reads of a memfd,
 * pipe polls and reads, links, link timeouts, cancels, register/unregister
 * of files and buffers, peek/wait/advance, submit, resize).  Every request
 * the harness submits is tracked by user_data; at the end of each input the
 * ring is drained (everything still pending is cancelled) and each user_data
 * must have completed exactly once, reads with the right bytes.  A violation
 * aborts, which libFuzzer reports as a crash.
 *
 * Nothing can block: waits always carry a timeout of at most a few ms,
 * timeouts last at most 1 ms, and pipe reads/polls are cancelled at the end.
 *
 * Built and run by fuzz/run.sh.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "liburing.h"
#include "matrix_rings.h"

#define MAX_OPS		512
#define BUF_LEN		256
#define FILE_LEN	8192
#define FIXED_SLOTS	256
#define FIXED_LEN	((FIXED_SLOTS + 1) * BUF_LEN)	/* + a junk slot */
#define DRAIN_MS	3000

/* ---- input cursor ---- */

struct input {
	const uint8_t *p;
	size_t left;
};

static uint8_t in_u8(struct input *in)
{
	if (!in->left)
		return 0;
	in->left--;
	return *in->p++;
}

static unsigned in_u16(struct input *in)
{
	return in_u8(in) | (unsigned) in_u8(in) << 8;
}

/* ---- fixed resources, made once ---- */

static int memfd = -1;
static int pipefd[2] = { -1, -1 };
static unsigned char file_data[FILE_LEN];
static unsigned char fixed_mem[FIXED_LEN] __attribute__((aligned(4096)));

static unsigned char pattern(size_t i)
{
	return (unsigned char) (i * 13 + 5);
}

static void setup_once(void)
{
	size_t i;

	if (memfd >= 0)
		return;
	memfd = memfd_create("fuzz", 0);
	for (i = 0; i < FILE_LEN; i++)
		file_data[i] = pattern(i);
	if (memfd < 0 || pwrite(memfd, file_data, FILE_LEN, 0) != FILE_LEN ||
	    pipe(pipefd))
		abort();
}

static void drain_pipe(void)
{
	char junk[256];
	int avail = 0;

	while (!ioctl(pipefd[0], FIONREAD, &avail) && avail > 0) {
		if (read(pipefd[0], junk, avail > 256 ? 256 : avail) <= 0)
			break;
	}
}

/* ---- per-input state ---- */

enum kind { K_OTHER, K_READ, K_READ_FIXED };

struct req {
	unsigned char kind;
	unsigned char completions;
	unsigned off, len;
	unsigned char *dst;	/* K_READ_FIXED: where in fixed_mem */
	unsigned char opcode, flags;	/* as queued, for reports */
	int res;
};

static struct req reqs[MAX_OPS + 8];
static unsigned char bufs[MAX_OPS + 8][BUF_LEN];
static struct __kernel_timespec tss[MAX_OPS + 8];

struct state {
	struct io_uring ring;
	struct rc_mem mem;	/* caller memory of a NO_MMAP configuration */
	unsigned next_ud;	/* user_data = index into reqs[] */
	struct io_uring_sqe *last;	/* the SQE queued last (for links) */
	unsigned last_idx;	/* its SQ index */
	bool files, buffers;
	int pending_flags;	/* IOSQE_* for the next SQE */
	bool slot_used[FIXED_SLOTS];	/* fixed_mem slots read into */
};

/* The SQE queued last, if the kernel has not been handed it yet. */
static struct io_uring_sqe *last_sqe(struct state *s)
{
	if (!s->last || (int) (s->last_idx - s->ring.sq.sqe_head) < 0)
		return NULL;
	return s->last;
}

static void violation(const char *what, unsigned long long ud, int res)
{
	fprintf(stderr, "fuzz invariant: %s (user_data %llu, res %d)\n", what,
		ud, res);
	abort();
}

/* A CQE: exactly once per user_data, reads with the file's bytes. */
static void complete(struct state *s, const struct io_uring_cqe *cqe)
{
	unsigned long long ud = cqe->user_data;
	struct req *r;
	unsigned i;

	if (ud >= s->next_ud)
		violation("unknown user_data", ud, cqe->res);
	r = &reqs[ud];
	if (r->completions++)
		violation("completed twice", ud, cqe->res);
	r->res = cqe->res;
	if (r->kind == K_READ && cqe->res > 0) {
		if ((unsigned) cqe->res > r->len)
			violation("read more than asked", ud, cqe->res);
		for (i = 0; i < (unsigned) cqe->res; i++)
			if (bufs[ud][i] != pattern(r->off + i))
				violation("read wrong bytes", ud, (int) i);
	}
	if (r->kind == K_READ_FIXED && cqe->res > 0) {
		if ((unsigned) cqe->res > r->len)
			violation("fixed read more than asked", ud, cqe->res);
		for (i = 0; i < (unsigned) cqe->res; i++)
			if (r->dst[i] != pattern(r->off + i))
				violation("fixed read wrong bytes", ud, (int) i);
	}
}

/* Up to max CQEs by for_each; advance by the slots they take (CQE_MIXED). */
static unsigned reap(struct state *s, unsigned max)
{
	struct io_uring_cqe *cqe;
	unsigned head, n = 0, slots = 0;

	io_uring_for_each_cqe(&s->ring, head, cqe) {
		if (n == max)
			break;
		complete(s, cqe);
		slots += io_uring_cqe_nr(cqe);
		n++;
	}
	io_uring_cq_advance(&s->ring, slots);
	return n;
}

/* A new SQE for a tracked request, or NULL when out of SQEs or user_data. */
static struct io_uring_sqe *new_sqe(struct state *s, enum kind kind)
{
	struct io_uring_sqe *sqe;

	if (s->next_ud >= MAX_OPS)
		return NULL;
	sqe = io_uring_get_sqe(&s->ring);
	if (!sqe) {
		io_uring_submit(&s->ring);
		sqe = io_uring_get_sqe(&s->ring);
		if (!sqe)
			return NULL;
	}
	memset(&reqs[s->next_ud], 0, sizeof(reqs[0]));
	reqs[s->next_ud].kind = (unsigned char) kind;
	return sqe;
}

/* Finish a prepared SQE: its user_data and any pending flags. */
static void queued(struct state *s, struct io_uring_sqe *sqe)
{
	sqe->flags |= (__u8) s->pending_flags;
	s->pending_flags = 0;
	reqs[s->next_ud].opcode = sqe->opcode;
	reqs[s->next_ud].flags = sqe->flags;
	io_uring_sqe_set_data64(sqe, s->next_ud++);
	s->last = sqe;
	s->last_idx = s->ring.sq.sqe_tail - 1;
}

static unsigned prior_ud(struct state *s, struct input *in)
{
	return s->next_ud ? in_u8(in) % s->next_ud : 0;
}

static struct __kernel_timespec *tiny_ts(struct state *s, struct input *in)
{
	struct __kernel_timespec *ts = &tss[s->next_ud];

	ts->tv_sec = 0;
	ts->tv_nsec = (long long) (in_u8(in) % 200) * 5000;	/* < 1 ms */
	return ts;
}

/* ---- operations ---- */

static void op_nop(struct state *s, struct input *in)
{
	struct io_uring_sqe *sqe = new_sqe(s, K_OTHER);
	uint8_t b = in_u8(in);

	if (!sqe)
		return;
	io_uring_prep_nop(sqe);
	if (b & 1) {
		sqe->nop_flags = IORING_NOP_INJECT_RESULT;
		sqe->len = (__u32) -(int) (1 + b % 40);
	}
	/*
	 * A 32-byte CQE on a CQE32 ring.  Not on CQE_MIXED rings: when a
	 * 32-byte CQE overflows at the ring's last slot, Linux 6.18 writes
	 * the next CQE into the padding slot yet counts one slot more, so the
	 * tail runs ring_entries + 1 ahead of the head and a stale CQE shows
	 * again (a kernel defect; tests/matrix.c covers CQE_MIXED rings
	 * without overflowing them).
	 */
	if (b & 2 && s->ring.flags & IORING_SETUP_CQE32)
		sqe->nop_flags |= IORING_NOP_CQE32;
	queued(s, sqe);
}

static void op_timeout(struct state *s, struct input *in)
{
	struct io_uring_sqe *sqe = new_sqe(s, K_OTHER);
	uint8_t b = in_u8(in);

	if (!sqe)
		return;
	io_uring_prep_timeout(sqe, tiny_ts(s, in), b & 3,
			      b & 4 ? IORING_TIMEOUT_ETIME_SUCCESS : 0);
	queued(s, sqe);
}

static void op_read(struct state *s, struct input *in)
{
	struct io_uring_sqe *sqe = new_sqe(s, K_READ);
	unsigned off = in_u16(in) % (FILE_LEN + 64);
	unsigned len = 1 + in_u8(in) % BUF_LEN;
	uint8_t b = in_u8(in);
	unsigned ud = s->next_ud;

	if (!sqe)
		return;
	reqs[ud].off = off;
	reqs[ud].len = len;
	memset(bufs[ud], 0, BUF_LEN);
	if (b & 1) {
		/* fixed file: slot 0 is the memfd once files are registered */
		io_uring_prep_read(sqe, b & 2 ? 0 : 1, bufs[ud], len, off);
		sqe->flags |= IOSQE_FIXED_FILE;
		if (b & 2)
			reqs[ud].kind = K_READ;
		else
			reqs[ud].kind = K_OTHER;	/* slot 1 is a pipe */
	} else {
		io_uring_prep_read(sqe, memfd, bufs[ud], len, off);
	}
	if (b & 4)
		sqe->flags |= IOSQE_ASYNC;
	queued(s, sqe);
}

static void op_read_fixed(struct state *s, struct input *in)
{
	struct io_uring_sqe *sqe = new_sqe(s, K_READ_FIXED);
	unsigned off = in_u16(in) % FILE_LEN;
	unsigned len = 1 + in_u8(in) % BUF_LEN;
	unsigned slot = in_u8(in) % FIXED_SLOTS;
	uint8_t b = in_u8(in);
	unsigned ud = s->next_ud, idx;
	unsigned char *dst;

	if (!sqe)
		return;
	/* each slot is checked once per input; repeats go to the junk slot */
	if (s->slot_used[slot]) {
		reqs[ud].kind = K_OTHER;
		dst = fixed_mem + FIXED_SLOTS * BUF_LEN;
	} else {
		s->slot_used[slot] = true;
		dst = fixed_mem + slot * BUF_LEN;
	}
	reqs[ud].off = off;
	reqs[ud].len = len;
	reqs[ud].dst = dst;
	/* buffer 0 is the first half of fixed_mem, 1 the second: sometimes
	 * name the wrong one (-EFAULT) */
	idx = dst + len > fixed_mem + FIXED_LEN / 2;
	if (b & 1)
		idx ^= 1;
	io_uring_prep_read_fixed(sqe, memfd, dst, len, off, (int) idx);
	queued(s, sqe);
}

static void op_pipe(struct state *s, struct input *in)
{
	struct io_uring_sqe *sqe = new_sqe(s, K_OTHER);
	uint8_t b = in_u8(in);
	unsigned ud = s->next_ud;

	if (!sqe)
		return;
	switch (b % 3) {
	case 0:
		io_uring_prep_poll_add(sqe, pipefd[0], POLLIN);
		break;
	case 1:
		io_uring_prep_read(sqe, pipefd[0], bufs[ud], 1 + b % 8, 0);
		break;
	default:
		io_uring_prep_write(sqe, pipefd[1], "abcdefgh", 1 + b % 8, 0);
		break;
	}
	queued(s, sqe);
}

static void op_link(struct state *s, struct input *in)
{
	uint8_t b = in_u8(in);

	if (b & 1) {
		/* link the SQE just queued to the next one */
		if (last_sqe(s)) {
			s->last->flags |= b & 2 ? IOSQE_IO_HARDLINK : IOSQE_IO_LINK;
			reqs[s->next_ud - 1].flags = s->last->flags;
		}
	} else {
		s->pending_flags |= b & 2 ? IOSQE_IO_DRAIN : IOSQE_IO_LINK;
	}
}

static void op_link_timeout(struct state *s, struct input *in)
{
	struct io_uring_sqe *sqe;

	if (last_sqe(s)) {
		s->last->flags |= IOSQE_IO_LINK;
		reqs[s->next_ud - 1].flags = s->last->flags;
	}
	sqe = new_sqe(s, K_OTHER);
	if (!sqe)
		return;
	io_uring_prep_link_timeout(sqe, tiny_ts(s, in), 0);
	queued(s, sqe);
}

static void op_cancel(struct state *s, struct input *in)
{
	uint8_t b = in_u8(in);
	unsigned target = prior_ud(s, in);
	struct io_uring_sqe *sqe = new_sqe(s, K_OTHER);

	if (!sqe)
		return;
	switch (b % 4) {
	case 0:
		io_uring_prep_cancel64(sqe, target, 0);
		break;
	case 1:
		io_uring_prep_cancel64(sqe, target, IORING_ASYNC_CANCEL_ALL);
		break;
	case 2:
		io_uring_prep_timeout_remove(sqe, target, 0);
		break;
	default:
		io_uring_prep_poll_remove(sqe, target);
		break;
	}
	queued(s, sqe);
}

static void op_register(struct state *s, struct input *in)
{
	uint8_t b = in_u8(in);

	switch (b % 4) {
	case 0: {
		int fds[3] = { memfd, pipefd[0], pipefd[1] };

		if (!io_uring_register_files(&s->ring, fds, 3))
			s->files = true;
		break;
	}
	case 1:
		if (!io_uring_unregister_files(&s->ring))
			s->files = false;
		break;
	case 2: {
		struct iovec iov[2] = {
			{ fixed_mem, FIXED_LEN / 2 },
			{ fixed_mem + FIXED_LEN / 2, FIXED_LEN / 2 },
		};

		if (!io_uring_register_buffers(&s->ring, iov, 2))
			s->buffers = true;
		break;
	}
	default:
		if (!io_uring_unregister_buffers(&s->ring))
			s->buffers = false;
		break;
	}
}

static void op_reap(struct state *s, struct input *in)
{
	uint8_t b = in_u8(in);
	struct io_uring_cqe *cqe, *cqes[8];
	struct __kernel_timespec ts = { 0, (long long) (b % 8) * 100000 };
	unsigned got;

	switch (b % 5) {
	case 0:
		if (!io_uring_peek_cqe(&s->ring, &cqe)) {
			complete(s, cqe);
			io_uring_cqe_seen(&s->ring, cqe);
		}
		break;
	case 1:
		got = io_uring_peek_batch_cqe(&s->ring, cqes, 1 + b % 8);
		for (unsigned i = 0; i < got; i++) {
			complete(s, cqes[i]);
			io_uring_cqe_seen(&s->ring, cqes[i]);
		}
		break;
	case 2:
		if (!io_uring_wait_cqe_timeout(&s->ring, &cqe, &ts)) {
			complete(s, cqe);
			io_uring_cqe_seen(&s->ring, cqe);
		}
		break;
	case 3:
		reap(s, b / 5);
		break;
	default:
		if (io_uring_submit_and_wait_timeout(&s->ring, &cqe, 1 + b % 3,
						     &ts, NULL) >= 0)
			reap(s, ~0U);
		break;
	}
}

static void op_submit(struct state *s, struct input *in)
{
	uint8_t b = in_u8(in);

	switch (b % 3) {
	case 0:
		io_uring_submit(&s->ring);
		break;
	case 1:
		io_uring_submit_and_get_events(&s->ring);
		break;
	default:
		io_uring_get_events(&s->ring);
		break;
	}
}

static void op_resize(struct state *s, struct input *in)
{
	struct io_uring_params p;
	uint8_t b = in_u8(in);

	if (!(s->ring.flags & IORING_SETUP_DEFER_TASKRUN))
		return;
	memset(&p, 0, sizeof(p));
	p.sq_entries = 1U << (b % 6);
	p.cq_entries = 1U << (b / 6 % 8);
	if (b & 0x80)
		p.flags = IORING_SETUP_CQSIZE;
	/* SQEs queued before stay queued, at the same SQ indices of the new
	 * SQE array: a pointer into the old one must not be used */
	if (!io_uring_resize_rings(&s->ring, &p) && s->last)
		s->last = s->ring.sq.sqes + ((s->last_idx & s->ring.sq.ring_mask)
					     << io_uring_sqe_shift(&s->ring));
	else if (!s->ring.sq.sqes)
		s->last = NULL;
}

static void op_sync_cancel(struct state *s, struct input *in)
{
	struct io_uring_sync_cancel_reg reg;

	memset(&reg, 0, sizeof(reg));
	reg.addr = prior_ud(s, in);
	reg.fd = -1;
	reg.timeout.tv_sec = 0;
	reg.timeout.tv_nsec = 1000000;
	io_uring_register_sync_cancel(&s->ring, &reg);
}

typedef void (*op_fn)(struct state *s, struct input *in);

static const op_fn ops[] = {
	op_nop, op_nop, op_timeout, op_read, op_read, op_read_fixed, op_pipe,
	op_link, op_link_timeout, op_cancel, op_register, op_reap, op_reap,
	op_submit, op_resize, op_sync_cancel,
};

/* ---- setup and drain ---- */

/* The configuration, from the matrix's list; a kernel that lacks it: next input. */
static int ring_setup(struct state *s, struct input *in)
{
	uint8_t b = in_u8(in);
	unsigned entries = 1 + in_u8(in) % 32;

	return rc_setup(&s->ring, &s->mem, &ring_configs[b % ring_configs_nr],
			entries, NULL, 0);
}

static unsigned long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (unsigned long long) t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static unsigned outstanding(struct state *s)
{
	unsigned i, n = 0;

	for (i = 0; i < s->next_ud; i++)
		n += !reqs[i].completions;
	return n;
}

/*
 * Cancel everything still pending.  Synchronously, through register: an
 * async cancel SQE could be stuck behind an IOSQE_IO_DRAIN request that
 * itself waits for a pipe read.  Then feed the pipe, which completes any
 * read or poll the cancel raced with.
 */
static void unblock(struct state *s)
{
	struct io_uring_sync_cancel_reg reg;

	memset(&reg, 0, sizeof(reg));
	reg.fd = -1;
	reg.flags = IORING_ASYNC_CANCEL_ANY | IORING_ASYNC_CANCEL_ALL;
	reg.timeout.tv_sec = 0;
	reg.timeout.tv_nsec = 2000000;
	io_uring_register_sync_cancel(&s->ring, &reg);
	if (write(pipefd[1], "0123456789abcdef", 16) != 16)
		abort();
}

/*
 * Submit what is left (a batch stopped by a bad request leaves SQEs in
 * the ring), unblock whatever still waits (polls, pipe reads), and reap
 * until every user_data completed, within DRAIN_MS.
 */
static void drain(struct state *s)
{
	struct __kernel_timespec ts = { 0, 2000000 };
	struct io_uring_cqe *cqe;
	unsigned long long end = now_ms() + DRAIN_MS;
	unsigned tries = 0;

	s->pending_flags = 0;
	if (last_sqe(s))
		s->last->flags &= (__u8) ~(IOSQE_IO_LINK | IOSQE_IO_HARDLINK);
	while (io_uring_sq_ready(&s->ring) && tries++ < 64)
		if (io_uring_submit(&s->ring) < 0)
			break;
	tries = 0;
	while (outstanding(s)) {
		if (now_ms() > end) {
			unsigned i;

			fprintf(stderr, "fuzz: %u requests never completed:",
				outstanding(s));
			for (i = 0; i < s->next_ud; i++)
				if (!reqs[i].completions)
					fprintf(stderr, " %u(op %u flags 0x%x)", i,
						reqs[i].opcode, reqs[i].flags);
			fprintf(stderr, "; sq ready %u, ring flags 0x%x\n",
				io_uring_sq_ready(&s->ring), s->ring.flags);
			violation("requests lost", s->next_ud, 0);
		}
		if (!(tries++ % 4))
			unblock(s);
		io_uring_submit(&s->ring);
		if (!io_uring_wait_cqe_timeout(&s->ring, &cqe, &ts))
			reap(s, ~0U);
	}
	/* nothing more may arrive */
	reap(s, ~0U);
	if (io_uring_cq_ready(&s->ring))
		violation("stray CQE", 0, 0);
	if (*s->ring.cq.koverflow)
		violation("CQEs dropped", *s->ring.cq.koverflow, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	struct state s;
	unsigned steps = 0;

	setup_once();
	memset(&s, 0, sizeof(s));
	if (ring_setup(&s, &in))
		return 0;
	while (in.left && steps++ < 4 * MAX_OPS)
		ops[in_u8(&in) % (sizeof(ops) / sizeof(ops[0]))](&s, &in);
	drain(&s);
	rc_teardown(&s.ring, &s.mem);
	drain_pipe();
	return 0;
}
