/* SPDX-License-Identifier: MIT */
/*
 * Misuse: bad sizes, flags, fds and pointers given to every public function
 * that takes them.  Each call must fail with the -errno liburing (or the
 * kernel) returns, never crash, leak no fd, and leave the ring usable: a NOP
 * round trip follows every entry of the table.
 *
 * NULL for the ring itself: like liburing, the inline fast paths and the
 * submit/wait/register calls dereference the ring without checking, so a
 * NULL ring there is a caller bug that crashes and is not called here.  The
 * functions that do check (and return -EINVAL, 0 or NULL instead, or do
 * nothing) are: io_uring_queue_init*(), io_uring_queue_exit(),
 * io_uring_free_probe(), io_uring_queue_mmap(),
 * io_uring_ring_dontfork(), io_uring_resize_rings(), io_uring_peek_batch_cqe(),
 * io_uring_get_probe_ring(), io_uring_setup_buf_ring(),
 * io_uring_free_buf_ring(), io_uring_memory_size_params() and
 * io_uring_mlock_size_params(); the tests below assert each.
 *
 * Most register calls given a NULL argument get -EINVAL from the kernel
 * (it checks the pointer before copying), not -EFAULT.
 *
 * After io_uring_queue_exit() a ring is defined to be empty and closed:
 * get_sqe returns NULL, nothing is ready, io_uring_enter() calls fail with
 * -EBADF and io_uring_register() calls with -EINVAL (fd -1), and a second
 * exit does nothing.
 */
#include "helpers.h"

#include <dirent.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>

struct mctx {
	struct io_uring ring;		/* live, plain ring */
	int pipe[2];
	int efd;
};

/* ---- helpers ---- */

/* A NOP goes in and comes back: the ring still works. */
static void nop_roundtrip(struct io_uring *ring, const char *after)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
	struct io_uring_cqe *cqe;
	struct __kernel_timespec ts = { .tv_sec = 2 };
	int ret;

	if (!sqe)
		fail_msg("after %s: no SQE", after);
	io_uring_prep_nop(sqe);
	io_uring_sqe_set_data64(sqe, 0xfeed);
	ret = io_uring_submit(ring);
	if (ret != 1)
		fail_msg("after %s: submit %d", after, ret);
	ret = io_uring_wait_cqe_timeout(ring, &cqe, &ts);
	if (ret)
		fail_msg("after %s: wait %d", after, ret);
	if (cqe->user_data != 0xfeed || cqe->res)
		fail_msg("after %s: CQE %llu/%d", after,
			 (unsigned long long) cqe->user_data, cqe->res);
	io_uring_cqe_seen(ring, cqe);
	if (io_uring_cq_ready(ring))
		fail_msg("after %s: stray CQEs", after);
}

/* ---- the table ---- */

struct misuse {
	const char *what;
	int (*call)(struct mctx *c);
	int want;
	int alt;	/* a second accepted result (kernel versions differ) */
	bool raw_bad_arg;	/* memcheck flags the syscall argument itself */
};

#define MISUSE(name) static int name(struct mctx *c)

/* setup */

static int init_scratch(unsigned entries, unsigned flags)
{
	struct io_uring r;
	int ret = io_uring_queue_init(entries, &r, flags);

	if (!ret)
		io_uring_queue_exit(&r);
	return ret;
}

static int init_params_scratch(unsigned entries, struct io_uring_params *p)
{
	struct io_uring r;
	int ret = io_uring_queue_init_params(entries, &r, p);

	if (!ret)
		io_uring_queue_exit(&r);
	return ret;
}

MISUSE(init_zero_entries) { (void) c; return init_scratch(0, 0); }
MISUSE(init_huge_entries) { (void) c; return init_scratch(1U << 20, 0); }
MISUSE(init_huge_clamped) { (void) c; return init_scratch(1U << 20, IORING_SETUP_CLAMP); }
MISUSE(init_bad_flags) { (void) c; return init_scratch(8, 1U << 31); }
MISUSE(init_sq_aff_no_sqpoll) { (void) c; return init_scratch(8, IORING_SETUP_SQ_AFF); }
MISUSE(init_defer_no_single_issuer) { (void) c; return init_scratch(8, IORING_SETUP_DEFER_TASKRUN); }
MISUSE(init_regfd_only_mmap)
{
	(void) c;
	return init_scratch(8, IORING_SETUP_REGISTERED_FD_ONLY);
}

MISUSE(init_null_ring)
{
	(void) c;
	return io_uring_queue_init(8, NULL, 0);
}

MISUSE(init_params_null)
{
	struct io_uring r;

	(void) c;
	return io_uring_queue_init_params(8, &r, NULL);
}

MISUSE(init_params_resv)
{
	struct io_uring_params p;

	(void) c;
	memset(&p, 0, sizeof(p));
	p.resv[0] = 1;
	return init_params_scratch(8, &p);
}

MISUSE(init_params_cq_zero)
{
	struct io_uring_params p;

	(void) c;
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_CQSIZE;
	return init_params_scratch(8, &p);
}

MISUSE(init_params_cq_smaller)
{
	struct io_uring_params p;

	(void) c;
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_CQSIZE;
	p.cq_entries = 4;
	return init_params_scratch(16, &p);
}

MISUSE(init_attach_bad_wq)
{
	struct io_uring_params p;

	(void) c;
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_ATTACH_WQ;
	p.wq_fd = 1 << 20;
	return init_params_scratch(8, &p);
}

MISUSE(init_attach_not_ring)
{
	struct io_uring_params p;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_ATTACH_WQ;
	p.wq_fd = (__u32) c->pipe[0];
	return init_params_scratch(8, &p);
}

MISUSE(init_mem_tiny)
{
	struct io_uring_params p;
	struct io_uring r;
	char buf[64];

	(void) c;
	memset(&p, 0, sizeof(p));
	return io_uring_queue_init_mem(8, &r, &p, buf, sizeof(buf));
}

MISUSE(init_mem_null_buf)
{
	struct io_uring_params p;
	struct io_uring r;

	(void) c;
	memset(&p, 0, sizeof(p));
	/* buf NULL: the library allocates (as liburing); entries 0 still fail */
	return io_uring_queue_init_mem(0, &r, &p, NULL, 1 << 20);
}

MISUSE(init_mem_null_params)
{
	struct io_uring r;
	char buf[64];

	(void) c;
	return io_uring_queue_init_mem(8, &r, NULL, buf, sizeof(buf));
}

MISUSE(queue_mmap_bad_fd)
{
	struct io_uring_params p;
	struct io_uring r;

	(void) c;
	memset(&p, 0, sizeof(p));
	return io_uring_queue_mmap(-1, &p, &r);
}

MISUSE(queue_mmap_null_params)
{
	struct io_uring r;

	return io_uring_queue_mmap(c->ring.ring_fd, NULL, &r);
}

MISUSE(setup_null_params) { (void) c; return io_uring_setup(8, NULL); }

MISUSE(memory_size_zero) { (void) c; return (int) io_uring_memory_size(0, 0); }
MISUSE(memory_size_params_null) { (void) c; return (int) io_uring_memory_size_params(8, NULL); }
MISUSE(mlock_size_huge) { (void) c; return (int) io_uring_mlock_size(1U << 20, 0); }
MISUSE(mlock_size_params_null) { (void) c; return (int) io_uring_mlock_size_params(8, NULL); }
MISUSE(dontfork_null) { (void) c; return io_uring_ring_dontfork(NULL); }

/* register: files */

MISUSE(files_null) { return io_uring_register_files(&c->ring, NULL, 1); }

MISUSE(files_zero)
{
	int fd = c->pipe[0];

	return io_uring_register_files(&c->ring, &fd, 0);
}

MISUSE(files_huge)
{
	int fd = c->pipe[0];

	/* the kernel checks the count before reading the array */
	return io_uring_register_files(&c->ring, &fd, 1U << 30);
}

MISUSE(files_bad_fd)
{
	int fds[2] = { c->pipe[0], 1 << 20 };

	return io_uring_register_files(&c->ring, fds, 2);
}

MISUSE(files_ring_fd)
{
	/* a ring may not register itself */
	return io_uring_register_files(&c->ring, &c->ring.ring_fd, 1);
}

MISUSE(files_update_none)
{
	int fd = c->pipe[0];

	return io_uring_register_files_update(&c->ring, 0, &fd, 1);
}

MISUSE(files_update_tag_none)
{
	int fd = c->pipe[0];

	return io_uring_register_files_update_tag(&c->ring, 0, &fd, NULL, 1);
}

MISUSE(files_unregister_none) { return io_uring_unregister_files(&c->ring); }
MISUSE(files_sparse_zero) { return io_uring_register_files_sparse(&c->ring, 0); }
MISUSE(files_sparse_huge) { return io_uring_register_files_sparse(&c->ring, 1U << 30); }

MISUSE(files_tags_null_data)
{
	__u64 tag = 1;

	return io_uring_register_files_tags(&c->ring, NULL, &tag, 1);
}

MISUSE(alloc_range_none) { return io_uring_register_file_alloc_range(&c->ring, 0, 1); }

/* register: buffers */

MISUSE(buffers_null) { return io_uring_register_buffers(&c->ring, NULL, 1); }

MISUSE(buffers_zero)
{
	static char b[64];
	struct iovec iov = { b, sizeof(b) };

	return io_uring_register_buffers(&c->ring, &iov, 0);
}

MISUSE(buffers_huge)
{
	static char b[64];
	struct iovec iov = { b, sizeof(b) };

	return io_uring_register_buffers(&c->ring, &iov, 1U << 30);
}

MISUSE(buffers_bad_base)
{
	struct iovec iov = { (void *) 8, 4096 };

	return io_uring_register_buffers(&c->ring, &iov, 1);
}

MISUSE(buffers_too_long)
{
	static char b[64];
	/* past the kernel's 1 GiB limit, and a valid (ssize_t) on 32-bit */
	struct iovec iov = { b, ((size_t) 1 << 30) + 4096 };

	return io_uring_register_buffers(&c->ring, &iov, 1);
}

MISUSE(buffers_unregister_none) { return io_uring_unregister_buffers(&c->ring); }
MISUSE(buffers_sparse_zero) { return io_uring_register_buffers_sparse(&c->ring, 0); }

MISUSE(buffers_update_none)
{
	static char b[64];
	struct iovec iov = { b, sizeof(b) };

	return io_uring_register_buffers_update_tag(&c->ring, 0, &iov, NULL, 1);
}

/* register: eventfd, probe, personality, restrictions, io-wq */

MISUSE(eventfd_bad) { return io_uring_register_eventfd(&c->ring, -1); }
MISUSE(eventfd_not_eventfd) { return io_uring_register_eventfd(&c->ring, c->pipe[0]); }
MISUSE(eventfd_async_bad) { return io_uring_register_eventfd_async(&c->ring, 1 << 20); }
MISUSE(eventfd_unregister_none) { return io_uring_unregister_eventfd(&c->ring); }

MISUSE(eventfd_twice)
{
	int ret = io_uring_register_eventfd(&c->ring, c->efd);

	if (ret)
		return ret;
	ret = io_uring_register_eventfd(&c->ring, c->efd);
	io_uring_unregister_eventfd(&c->ring);
	return ret;
}

MISUSE(probe_null) { return io_uring_register_probe(&c->ring, NULL, 4); }
MISUSE(probe_ring_null) { (void) c; return io_uring_get_probe_ring(NULL) ? 0 : -EINVAL; }
MISUSE(personality_unknown) { return io_uring_unregister_personality(&c->ring, 0x7fff); }
MISUSE(restrictions_enabled_ring)
{
	struct io_uring_restriction r;

	memset(&r, 0, sizeof(r));
	r.opcode = IORING_RESTRICTION_SQE_OP;
	r.sqe_op = IORING_OP_NOP;
	return io_uring_register_restrictions(&c->ring, &r, 1);
}
MISUSE(enable_enabled_ring) { return io_uring_enable_rings(&c->ring); }
MISUSE(iowq_aff_huge) { return io_uring_register_iowq_aff(&c->ring, (size_t) 1 << 31, NULL); }
MISUSE(iowq_aff_null) { return io_uring_register_iowq_aff(&c->ring, sizeof(cpu_set_t), NULL); }
MISUSE(iowq_max_workers_null) { return io_uring_register_iowq_max_workers(&c->ring, NULL); }
MISUSE(iowq_aff_unregister_none) { return io_uring_unregister_iowq_aff(&c->ring); }

/* register: the ring fd */

MISUSE(unregister_ring_fd_none) { return io_uring_unregister_ring_fd(&c->ring); }
MISUSE(close_ring_fd_unregistered) { return io_uring_close_ring_fd(&c->ring); }

MISUSE(register_ring_fd_twice)
{
	int ret = io_uring_register_ring_fd(&c->ring);

	if (ret != 1)
		return ret;
	ret = io_uring_register_ring_fd(&c->ring);
	if (io_uring_unregister_ring_fd(&c->ring) != 1)
		return -EIO;
	return ret;
}

/* provided buffer rings */

MISUSE(buf_ring_not_pow2)
{
	int err = 0;

	return io_uring_setup_buf_ring(&c->ring, 3, 1, 0, &err) ? 0 : err;
}

MISUSE(buf_ring_zero)
{
	int err = 0;

	return io_uring_setup_buf_ring(&c->ring, 0, 1, 0, &err) ? 0 : err;
}

MISUSE(buf_ring_huge)
{
	int err = 0;

	return io_uring_setup_buf_ring(&c->ring, 65536, 1, 0, &err) ? 0 : err;
}

MISUSE(buf_ring_null_ring)
{
	int err = 0;

	(void) c;
	return io_uring_setup_buf_ring(NULL, 8, 1, 0, &err) ? 0 : err;
}

MISUSE(buf_ring_bad_flags)
{
	int err = 0;

	return io_uring_setup_buf_ring(&c->ring, 8, 1, 0x8000, &err) ? 0 : err;
}

MISUSE(buf_ring_twice)
{
	struct io_uring_buf_ring *br;
	int err = 0, ret;

	br = io_uring_setup_buf_ring(&c->ring, 8, 7, 0, &err);
	if (!br)
		return err;
	ret = io_uring_setup_buf_ring(&c->ring, 8, 7, 0, &err) ? 0 : err;
	if (io_uring_free_buf_ring(&c->ring, br, 8, 7))
		return -EIO;
	return ret;
}

MISUSE(register_buf_ring_not_pow2)
{
	struct io_uring_buf_reg reg;
	void *mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int ret;

	memset(&reg, 0, sizeof(reg));
	reg.ring_addr = (__u64) (uintptr_t) mem;
	reg.ring_entries = 3;
	reg.bgid = 2;
	ret = io_uring_register_buf_ring(&c->ring, &reg, 0);
	munmap(mem, 4096);
	return ret;
}

MISUSE(register_buf_ring_unaligned)
{
	static char mem[8192];
	struct io_uring_buf_reg reg;

	memset(&reg, 0, sizeof(reg));
	reg.ring_addr = (__u64) (uintptr_t) (mem + 1);
	reg.ring_entries = 4;
	reg.bgid = 2;
	return io_uring_register_buf_ring(&c->ring, &reg, 0);
}

MISUSE(unregister_buf_ring_unknown) { return io_uring_unregister_buf_ring(&c->ring, 999); }

MISUSE(free_buf_ring_null) { return io_uring_free_buf_ring(&c->ring, NULL, 8, 1); }

MISUSE(buf_ring_head_unknown)
{
	uint16_t head;

	return io_uring_buf_ring_head(&c->ring, 999, &head);
}

/* cancel, napi, clock, regions, raw register */

MISUSE(sync_cancel_nomatch)
{
	struct io_uring_sync_cancel_reg reg;

	memset(&reg, 0, sizeof(reg));
	reg.addr = 0x123456;
	reg.timeout.tv_sec = -1;
	reg.timeout.tv_nsec = -1;
	return io_uring_register_sync_cancel(&c->ring, &reg);
}

MISUSE(sync_cancel_null) { return io_uring_register_sync_cancel(&c->ring, NULL); }
MISUSE(napi_null) { return io_uring_register_napi(&c->ring, NULL); }
MISUSE(clock_null) { return io_uring_register_clock(&c->ring, NULL); }
MISUSE(region_null) { return io_uring_register_region(&c->ring, NULL); }
MISUSE(wait_reg_zero) { return io_uring_register_wait_reg(&c->ring, NULL, 0); }
MISUSE(register_unknown_op) { return io_uring_register((unsigned) c->ring.ring_fd, 999, NULL, 0); }
MISUSE(register_bad_fd) { (void) c; return io_uring_register(1U << 20, IORING_REGISTER_PROBE, NULL, 0); }
MISUSE(register_not_ring) { return io_uring_register((unsigned) c->pipe[0], IORING_REGISTER_PROBE, NULL, 0); }

MISUSE(resize_null) { return io_uring_resize_rings(&c->ring, NULL); }

MISUSE(resize_plain_ring)
{
	struct io_uring_params p;

	/* resizing needs a DEFER_TASKRUN ring */
	memset(&p, 0, sizeof(p));
	p.sq_entries = 16;
	p.cq_entries = 32;
	return io_uring_resize_rings(&c->ring, &p);
}

/* A DEFER_TASKRUN ring with bad sizes: refused, and it still works. */
static int resize_defer(unsigned sq, unsigned cq, unsigned flags)
{
	struct io_uring_params p;
	struct io_uring r;
	int ret;

	ret = io_uring_queue_init(8, &r, IORING_SETUP_SINGLE_ISSUER |
				  IORING_SETUP_DEFER_TASKRUN);
	if (ret)
		return -EIO;
	memset(&p, 0, sizeof(p));
	p.sq_entries = sq;
	p.cq_entries = cq;
	p.flags = flags;
	ret = io_uring_resize_rings(&r, &p);
	nop_roundtrip(&r, "resize");
	io_uring_queue_exit(&r);
	return ret;
}

MISUSE(resize_zero) { (void) c; return resize_defer(0, 0, 0); }
MISUSE(resize_huge) { (void) c; return resize_defer(1U << 20, 0, 0); }
MISUSE(resize_cq_small) { (void) c; return resize_defer(64, 16, IORING_SETUP_CQSIZE); }
MISUSE(resize_bad_flags) { (void) c; return resize_defer(16, 32, IORING_SETUP_SQPOLL); }

/* enter and waiting */

MISUSE(enter_bad_flags)
{
	return io_uring_enter((unsigned) c->ring.ring_fd, 0, 0, 1U << 31, NULL);
}

MISUSE(enter_bad_fd) { (void) c; return io_uring_enter(1U << 20, 0, 0, 0, NULL); }
MISUSE(enter_not_ring) { return io_uring_enter((unsigned) c->pipe[0], 0, 0, 0, NULL); }

MISUSE(enter2_ext_arg_bad_size)
{
	struct io_uring_getevents_arg arg;

	memset(&arg, 0, sizeof(arg));
	return io_uring_enter2((unsigned) c->ring.ring_fd, 0, 0,
			       IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG,
			       &arg, sizeof(arg) - 1);
}

MISUSE(enter2_ext_arg_bad_ts)
{
	struct io_uring_getevents_arg arg;

	memset(&arg, 0, sizeof(arg));
	arg.ts = 8;	/* unmapped */
	return io_uring_enter2((unsigned) c->ring.ring_fd, 0, 1,
			       IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG,
			       &arg, sizeof(arg));
}

MISUSE(wait_zero_ts_empty)
{
	struct io_uring_cqe *cqe;
	struct __kernel_timespec ts = { 0, 0 };

	return io_uring_wait_cqe_timeout(&c->ring, &cqe, &ts);
}

MISUSE(wait_bad_ts)
{
	struct io_uring_cqe *cqe;
	struct __kernel_timespec ts = { 0, -1 };

	return io_uring_wait_cqe_timeout(&c->ring, &cqe, &ts);
}

/* A NULL ts waits without a bound: only with a CQE on its way. */
MISUSE(wait_null_ts_pending)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&c->ring);
	struct io_uring_cqe *cqe;
	int ret;

	io_uring_prep_nop(sqe);
	io_uring_submit(&c->ring);
	ret = io_uring_wait_cqe_timeout(&c->ring, &cqe, NULL);
	if (!ret)
		io_uring_cqe_seen(&c->ring, cqe);
	return ret;
}

MISUSE(wait_cqes_zero_nr)
{
	struct io_uring_cqe *cqe;
	struct __kernel_timespec ts = { 0, 1000000 };

	return io_uring_wait_cqes(&c->ring, &cqe, 0, &ts, NULL);
}

MISUSE(wait_nr_zero_empty)
{
	struct io_uring_cqe *cqe;

	return io_uring_wait_cqe_nr(&c->ring, &cqe, 0);
}

MISUSE(peek_empty)
{
	struct io_uring_cqe *cqe;

	return io_uring_peek_cqe(&c->ring, &cqe);
}

MISUSE(peek_batch_zero)
{
	struct io_uring_cqe *cqes[4];
	struct io_uring_sqe *sqe = io_uring_get_sqe(&c->ring);
	unsigned got;

	/* a CQE is ready, but count 0 asks for none */
	io_uring_prep_nop(sqe);
	io_uring_submit_and_wait(&c->ring, 1);
	got = io_uring_peek_batch_cqe(&c->ring, cqes, 0);
	io_uring_cq_advance(&c->ring, io_uring_cq_ready(&c->ring));
	return (int) got;
}

MISUSE(peek_batch_null)
{
	return (int) io_uring_peek_batch_cqe(&c->ring, NULL, 4);
}

MISUSE(peek_batch_null_ring)
{
	struct io_uring_cqe *cqes[4];

	(void) c;
	return (int) io_uring_peek_batch_cqe(NULL, cqes, 4);
}

MISUSE(submit_wait_reg_negative)
{
	struct io_uring_cqe *cqe;

	return io_uring_submit_and_wait_reg(&c->ring, &cqe, 1, -1);
}

MISUSE(submit_wait_reg_unregistered)
{
	struct io_uring_cqe *cqe;

	/* no wait region registered */
	return io_uring_submit_and_wait_reg(&c->ring, &cqe, 1, 0);
}

MISUSE(submit_nothing) { return io_uring_submit(&c->ring); }
MISUSE(sqring_wait_no_sqpoll) { return io_uring_sqring_wait(&c->ring); }

MISUSE(sync_msg_bad)
{
	struct io_uring_sqe sqe;

	(void) c;
	memset(&sqe, 0, sizeof(sqe));
	io_uring_prep_msg_ring(&sqe, 1 << 20, 0, 0, 0);
	return io_uring_register_sync_msg(&sqe);
}

#define E(name, want) { #name, name, want, want, false }
#define E2(name, want, alt) { #name, name, want, alt, false }
/* The kernel reads past a bad pointer or count: valgrind reports the call
 * (an unnamed io_uring_register parameter, which its suppressions cannot
 * match), so tests/run-valgrind.sh (URING_UNDER_VALGRIND=1) skips these. */
#define EV(name, want) { #name, name, want, want, true }

static const struct misuse table[] = {
	/* setup */
	E(init_zero_entries, -EINVAL),
	E(init_huge_entries, -EINVAL),
	E(init_huge_clamped, 0),
	E(init_bad_flags, -EINVAL),
	E(init_sq_aff_no_sqpoll, -EINVAL),
	E(init_defer_no_single_issuer, -EINVAL),
	E(init_regfd_only_mmap, -EINVAL),
	E(init_null_ring, -EINVAL),
	E(init_params_null, -EINVAL),
	E(init_params_resv, -EINVAL),
	E(init_params_cq_zero, -EINVAL),
	E(init_params_cq_smaller, -EINVAL),
	E(init_attach_bad_wq, -ENXIO),
	E(init_attach_not_ring, -EINVAL),
	E(init_mem_tiny, -ENOMEM),
	E(init_mem_null_buf, -EINVAL),
	E(init_mem_null_params, -EINVAL),
	E(queue_mmap_bad_fd, -EBADF),
	E(queue_mmap_null_params, -EINVAL),
	E(setup_null_params, -EFAULT),
	E(memory_size_zero, -EINVAL),
	E(memory_size_params_null, -EINVAL),
	E(mlock_size_huge, -EINVAL),
	E(mlock_size_params_null, -EINVAL),
	E(dontfork_null, -EINVAL),
	/* files */
	EV(files_null, -EFAULT),
	E(files_zero, -EINVAL),
	EV(files_huge, -EMFILE),
	E(files_bad_fd, -EBADF),
	E(files_ring_fd, -EBADF),
	E(files_update_none, -ENXIO),
	E(files_update_tag_none, -ENXIO),
	E(files_unregister_none, -ENXIO),
	E(files_sparse_zero, -EINVAL),
	E(files_sparse_huge, -EMFILE),
	E(files_tags_null_data, -EINVAL),
	E(alloc_range_none, -EINVAL),
	/* buffers */
	EV(buffers_null, -EFAULT),
	E(buffers_zero, -EINVAL),
	EV(buffers_huge, -EINVAL),
	E(buffers_bad_base, -EFAULT),
	E(buffers_too_long, -EFAULT),
	E(buffers_unregister_none, -ENXIO),
	E(buffers_sparse_zero, -EINVAL),
	E(buffers_update_none, -ENXIO),
	/* eventfd, probe, personality, restrictions, io-wq */
	E(eventfd_bad, -EBADF),
	E(eventfd_not_eventfd, -EINVAL),
	E(eventfd_async_bad, -EBADF),
	E(eventfd_unregister_none, -ENXIO),
	E(eventfd_twice, -EBUSY),
	E(probe_null, -EINVAL),
	E(probe_ring_null, -EINVAL),
	E(personality_unknown, -EINVAL),
	E(restrictions_enabled_ring, -EBADFD),
	E(enable_enabled_ring, -EBADFD),
	E(iowq_aff_huge, -EINVAL),
	E(iowq_aff_null, -EINVAL),
	E(iowq_max_workers_null, -EINVAL),
	E2(iowq_aff_unregister_none, 0, -EINVAL),
	/* the ring fd */
	E(unregister_ring_fd_none, -EINVAL),
	/* before 6.3 (no IORING_FEAT_REG_REG_RING) the feature is checked first */
	E2(close_ring_fd_unregistered, -EINVAL, -EOPNOTSUPP),
	E(register_ring_fd_twice, -EEXIST),
	/* provided buffer rings */
	E(buf_ring_not_pow2, -EINVAL),
	E(buf_ring_zero, -EINVAL),
	E(buf_ring_huge, -EINVAL),
	E(buf_ring_null_ring, -EINVAL),
	E(buf_ring_bad_flags, -EINVAL),
	E(buf_ring_twice, -EEXIST),
	E(register_buf_ring_not_pow2, -EINVAL),
	E(register_buf_ring_unaligned, -EINVAL),
	E(unregister_buf_ring_unknown, -ENOENT),
	E(free_buf_ring_null, -EINVAL),
	/* -EINVAL before 6.8: no IORING_REGISTER_PBUF_STATUS */
	E2(buf_ring_head_unknown, -ENOENT, -EINVAL),
	/* cancel, napi, clock, regions, raw register */
	E(sync_cancel_nomatch, -ENOENT),
	E(sync_cancel_null, -EINVAL),
	E(napi_null, -EINVAL),
	E(clock_null, -EINVAL),
	E(region_null, -EINVAL),
	E(wait_reg_zero, -EINVAL),
	E(register_unknown_op, -EINVAL),
	E(register_bad_fd, -EBADF),
	E(register_not_ring, -EOPNOTSUPP),
	E(resize_null, -EINVAL),
	E(resize_plain_ring, -EINVAL),
	E(resize_zero, -EINVAL),
	E(resize_huge, -EINVAL),
	E(resize_cq_small, -EINVAL),
	E(resize_bad_flags, -EINVAL),
	/* enter and waiting */
	E(enter_bad_flags, -EINVAL),
	E(enter_bad_fd, -EBADF),
	E(enter_not_ring, -EOPNOTSUPP),
	E(enter2_ext_arg_bad_size, -EINVAL),
	E(enter2_ext_arg_bad_ts, -EFAULT),
	E(wait_zero_ts_empty, -ETIME),
	E(wait_bad_ts, -ETIME),
	E(wait_null_ts_pending, 0),
	E(wait_cqes_zero_nr, -EAGAIN),
	E(wait_nr_zero_empty, -EAGAIN),
	E(peek_empty, -EAGAIN),
	E(peek_batch_zero, 0),
	E(peek_batch_null, 0),
	E(peek_batch_null_ring, 0),
	E(submit_wait_reg_negative, -EFAULT),
	/* -EINVAL before 6.13: no registered wait arguments */
	E2(submit_wait_reg_unregistered, -EFAULT, -EINVAL),
	E(submit_nothing, 0),
	E(sqring_wait_no_sqpoll, 0),
	/* -EINVAL before 6.13: no IORING_REGISTER_SEND_MSG_RING */
	E2(sync_msg_bad, -EBADF, -EINVAL),
};

static void misuse_table(void **state)
{
	struct mctx c;
	unsigned i, failures = 0, skipped = 0;
	bool valgrind = getenv("URING_UNDER_VALGRIND") != NULL;
	int fds_before, ret;

	(void) state;
	memset(&c, 0, sizeof(c));
	t_ring(&c.ring, 8, 0);
	assert_int_equal(pipe(c.pipe), 0);
	c.efd = eventfd(0, 0);
	assert_true(c.efd >= 0);
	fds_before = t_count_fds();

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct misuse *m = &table[i];

		if (valgrind && m->raw_bad_arg) {
			skipped++;
			continue;
		}
		ret = m->call(&c);
		if (ret != m->want && ret != m->alt) {
			print_message("# %s: got %d (%s), want %d (%s)\n",
				      m->what, ret, strerror(-ret), m->want,
				      strerror(-m->want));
			failures++;
		}
		nop_roundtrip(&c.ring, m->what);
		if (t_count_fds() != fds_before)
			fail_msg("%s leaked an fd", m->what);
	}
	print_message("# %u misuse cases (%u skipped under valgrind)\n", i,
		      skipped);
	assert_int_equal(failures, 0);
	t_close_pair(c.pipe);
	close(c.efd);
	io_uring_queue_exit(&c.ring);
}

/* ---- exit: twice, use after, with requests in flight ---- */

static void double_exit(void **state)
{
	struct io_uring ring;
	int fds = t_count_fds();

	(void) state;
	t_ring(&ring, 8, 0);
	io_uring_queue_exit(&ring);
	io_uring_queue_exit(&ring);
	io_uring_queue_exit(&ring);
	/* NULL is no ring: nothing to do */
	io_uring_queue_exit(NULL);
	io_uring_free_probe(NULL);
	assert_int_equal(t_count_fds(), fds);
}

static void use_after_exit(void **state)
{
	struct io_uring ring;
	struct io_uring_cqe *cqe, *cqes[4];
	struct __kernel_timespec ts = { 0, 1000 };
	int fd = 0, want;

	(void) state;
	t_ring(&ring, 8, 0);
	io_uring_queue_exit(&ring);

	assert_null(io_uring_get_sqe(&ring));
	assert_int_equal(io_uring_sq_ready(&ring), 0);
	assert_int_equal(io_uring_sq_space_left(&ring), 0);
	assert_int_equal(io_uring_cq_ready(&ring), 0);
	assert_false(io_uring_cq_has_overflow(&ring));
	assert_true(io_uring_submit(&ring) <= 0);
	assert_int_equal(io_uring_submit_and_wait(&ring, 1), -EBADF);
	assert_int_equal(io_uring_wait_cqe(&ring, &cqe), -EBADF);
	assert_int_equal(io_uring_wait_cqe_timeout(&ring, &cqe, &ts), -EBADF);
	assert_int_equal(io_uring_peek_cqe(&ring, &cqe), -EAGAIN);
	assert_int_equal(io_uring_peek_batch_cqe(&ring, cqes, 4), 0);
	assert_int_equal(io_uring_get_events(&ring), -EBADF);
	/* io_uring_register() on fd -1 is the kernel's ring-less form (6.13),
	 * which refuses every other opcode with -EINVAL; before it, -EBADF */
	want = t_kernel_older_than(6, 13) ? -EBADF : -EINVAL;
	assert_int_equal(io_uring_register_files(&ring, &fd, 1), want);
	assert_int_equal(io_uring_register_ring_fd(&ring), want);
	assert_null(io_uring_get_probe_ring(&ring));
	assert_int_equal(io_uring_ring_dontfork(&ring), -EINVAL);
	/* no CQ flags word any more: eventfd notifications count as enabled,
	 * and turning them off is refused */
	assert_true(io_uring_cq_eventfd_enabled(&ring));
	assert_int_equal(io_uring_cq_eventfd_toggle(&ring, true), 0);
	assert_int_equal(io_uring_cq_eventfd_toggle(&ring, false), -EOPNOTSUPP);
	io_uring_queue_exit(&ring);
}

/* What every call answers on an exited ring (see use_after_exit). */
static void assert_exited(struct io_uring *ring)
{
	struct io_uring_cqe *cqe = NULL, *cqes[4];
	struct io_uring_cqe_iter it;
	unsigned head, n = 0;

	assert_null(io_uring_get_sqe(ring));
	assert_null(io_uring_get_sqe128(ring));
	assert_int_equal(io_uring_sq_ready(ring), 0);
	assert_int_equal(io_uring_sq_space_left(ring), 0);
	assert_int_equal(io_uring_cq_ready(ring), 0);
	assert_false(io_uring_cq_has_overflow(ring));
	assert_int_equal(io_uring_peek_cqe(ring, &cqe), -EAGAIN);
	assert_int_equal(io_uring_peek_batch_cqe(ring, cqes, 4), 0);
	io_uring_for_each_cqe(ring, head, cqe)
		n++;
	it = io_uring_cqe_iter_init(ring);
	while (io_uring_cqe_iter_next(&it, &cqe))
		n++;
	assert_int_equal(n, 0);
	assert_true(io_uring_submit(ring) <= 0);
	assert_int_equal(io_uring_wait_cqe(ring, &cqe), -EBADF);
	assert_int_equal(io_uring_sqring_wait(ring), 0);
}

/*
 * Exited rings share nothing: whatever a program does to one exited ring
 * (retiring CQEs it does not have, asking for SQEs), every other exited
 * ring, and the ring itself, still answers as an exited ring.
 */
static void use_after_exit_apart(void **state)
{
	struct io_uring a, b;
	struct io_uring_cqe *cqe = NULL;
	unsigned i;

	(void) state;
	t_ring(&a, 8, 0);
	t_ring(&b, 8, 0);
	io_uring_queue_exit(&a);
	io_uring_queue_exit(&b);
	for (i = 1; i < 70000; i += i) {
		io_uring_cq_advance(&a, i);
		io_uring_cqe_seen(&a, cqe);
		assert_null(io_uring_get_sqe(&a));
		assert_exited(&b);
		assert_exited(&a);
		io_uring_cq_advance(&b, 3 * i);
		assert_exited(&a);
		assert_exited(&b);
	}
	/* a ring set up after them is not disturbed either */
	t_ring(&a, 8, 0);
	io_uring_cq_advance(&b, 1);
	assert_int_equal(io_uring_cq_ready(&a), 0);
	t_nop_roundtrip(&a, 5);
	io_uring_queue_exit(&a);
	assert_exited(&a);
	assert_exited(&b);
}

/*
 * Exit with a poll, a read and a long timeout still pending: exit returns
 * at once, the ring's fd is closed, nothing leaks (ASan/valgrind), and the
 * pipe is untouched.
 */
static void exit_in_flight(void **state)
{
	static char buf[16];
	struct __kernel_timespec ts = { .tv_sec = 30 };
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	int p[2], fds;
	unsigned long long start;
	unsigned i;

	(void) state;
	assert_int_equal(pipe(p), 0);
	fds = t_count_fds();
	for (i = 0; i < 20; i++) {
		t_ring(&ring, 8, i & 1 ? IORING_SETUP_SINGLE_ISSUER |
					 IORING_SETUP_DEFER_TASKRUN : 0);
		sqe = t_sqe(&ring);
		io_uring_prep_poll_add(sqe, p[0], POLLIN);
		sqe = t_sqe(&ring);
		io_uring_prep_read(sqe, p[0], buf, sizeof(buf), 0);
		sqe = t_sqe(&ring);
		io_uring_prep_timeout(sqe, &ts, 0, 0);
		assert_int_equal(io_uring_submit(&ring), 3);
		start = (unsigned long long) time(NULL);
		io_uring_queue_exit(&ring);
		assert_true((unsigned long long) time(NULL) - start < 5);
		assert_int_equal(t_count_fds(), fds);
	}
	/* the pipe still works and nothing consumed a byte written now */
	assert_int_equal(write(p[1], "ab", 2), 2);
	assert_int_equal(read(p[0], buf, sizeof(buf)), 2);
	t_close_pair(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(misuse_table),
		cmocka_unit_test(double_exit),
		cmocka_unit_test(use_after_exit),
		cmocka_unit_test(use_after_exit_apart),
		cmocka_unit_test(exit_in_flight),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
