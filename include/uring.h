/* SPDX-License-Identifier: MIT */
/*
 * uring: a C library for Linux io_uring, source and binary compatible with
 * liburing 2.15.
 *
 * This header is the whole public API.  The ring protocol's fast paths
 * (getting an SQE, peeking and retiring CQEs) and every io_uring_prep_*
 * helper are inline; everything that enters the kernel is out of line.
 * Everything is liburing's interface but two things, both marked: the
 * library's private words in struct io_uring (programs leave them alone),
 * and the uring_* extensions, in one section at the end.  uring(7) says
 * more about both, and about the headers this one includes.
 */
/*
 * The guard is in liburing's namespace, not URING_H: programs written for
 * liburing have headers of their own named uring.h, guarded by URING_H, that
 * include <liburing.h>.
 */
#ifndef LIBURING_URING_H
#define LIBURING_URING_H

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/syscall.h>
#include <linux/swab.h>
#include <linux/filter.h>		/* struct sock_fprog, for BPF filters */

#include "liburing/compat.h"
#include "liburing/io_uring.h"
#include "liburing/io_uring/query.h"
#include "liburing/io_uring/bpf_filter.h"
#include "liburing/io_uring_version.h"
#include "liburing/barrier.h"

#ifndef uring_unlikely
#define uring_unlikely(cond)	__builtin_expect(!!(cond), 0)
#endif
#ifndef uring_likely
#define uring_likely(cond)	__builtin_expect(!!(cond), 1)
#endif

/*
 * The io_uring system call numbers, for programs that make the calls
 * themselves, where libc's <sys/syscall.h> does not know them yet.  They
 * are 425, 426 and 427 on every architecture but alpha and mips (whose
 * numbers count from a per-ABI base); x32 marks its calls with its bit.
 */
#ifndef __NR_io_uring_setup
#if defined(__alpha__)
#define __NR_io_uring_setup	535
#define __NR_io_uring_enter	536
#define __NR_io_uring_register	537
#elif defined(__mips__)
#define __NR_io_uring_setup	(__NR_Linux + 425)
#define __NR_io_uring_enter	(__NR_Linux + 426)
#define __NR_io_uring_register	(__NR_Linux + 427)
#elif defined(__x86_64__) && defined(__ILP32__)
#define __NR_io_uring_setup	(0x40000000 + 425)
#define __NR_io_uring_enter	(0x40000000 + 426)
#define __NR_io_uring_register	(0x40000000 + 427)
#else
#define __NR_io_uring_setup	425
#define __NR_io_uring_enter	426
#define __NR_io_uring_register	427
#endif
#endif

/*
 * Inline helpers are "static inline" for C and C++ users.  src/prep.c
 * defines IOURINGINLINE as empty before including this header, which turns
 * every helper into an external definition: that is what liburing-ffi.so.2
 * exports, with no body written twice.
 */
#ifndef IOURINGINLINE
#define IOURINGINLINE static inline
#endif

/* Every function below is noexcept in C++ (LIBURING_NOEXCEPT, <liburing/barrier.h>). */
#define URING_NOEXCEPT	LIBURING_NOEXCEPT

#ifdef __cplusplus
extern "C" {
#endif

struct statx;
struct epoll_event;
struct futex_waitv;

/* ---- The ring as user space sees it ---- */

struct io_uring_sq {
	unsigned *khead;
	unsigned *ktail;
	unsigned *kring_mask;		/* deprecated: use ring_mask */
	unsigned *kring_entries;	/* deprecated: use ring_entries */
	unsigned *kflags;
	unsigned *kdropped;
	unsigned *array;
	struct io_uring_sqe *sqes;

	unsigned sqe_head;		/* first SQE not yet handed to the kernel */
	unsigned sqe_tail;		/* next SQE io_uring_get_sqe() returns */

	size_t ring_sz;
	void *ring_ptr;

	unsigned ring_mask;
	unsigned ring_entries;
	unsigned sqes_sz;
	unsigned pad;
};

struct io_uring_cq {
	unsigned *khead;
	unsigned *ktail;
	unsigned *kring_mask;		/* deprecated: use ring_mask */
	unsigned *kring_entries;	/* deprecated: use ring_entries */
	unsigned *kflags;
	unsigned *koverflow;
	struct io_uring_cqe *cqes;

	size_t ring_sz;
	void *ring_ptr;

	unsigned ring_mask;
	unsigned ring_entries;
	unsigned pad[2];
};

struct io_uring {
	struct io_uring_sq sq;
	struct io_uring_cq cq;
	unsigned flags;			/* IORING_SETUP_* the ring was made with */
	int ring_fd;
	unsigned features;		/* IORING_FEAT_* */
	int enter_ring_fd;		/* ring_fd, or its registered index */
	__u8 int_flags;			/* private to the library */
	__u8 pad[3];
	unsigned pad2;
};

/*
 * Private state.  int_flags, and the spare words of struct io_uring_sq and
 * struct io_uring, belong to the library: it sets them up in
 * io_uring_queue_init*() and io_uring_queue_mmap() and reads them in its own
 * code (the meaning of each bit is in the library's sources, not here; the
 * few that this header's fast paths read are named below, and a ring where
 * they are not set takes the general paths).  A program neither reads nor
 * writes them, and does not build a struct io_uring by hand.  See uring(7),
 * "Private state".
 */

/*
 * The common CQ ring: 16-byte CQEs (neither CQE32 nor CQE_MIXED), none of
 * them the library has to hide (the kernel has IORING_FEAT_EXT_ARG).  Peek
 * and wait read its head CQE directly.  The library sets this bit of
 * int_flags when it sets the ring up (src/int_flags.h, INT_FLAG_CQ_PLAIN);
 * without it, on a struct io_uring filled in another way, they take the
 * general path, which answers the same.  A bit no liburing release sets
 * (its library uses 0x01, 0x02, 0x04, 0x10 and 0x80), so that a program
 * built with this header and run on liburing's liburing.so.2 never finds
 * it set.
 */
#define __IO_URING_INT_CQ_PLAIN	0x20
#define __io_uring_cq_plain(ring)						\
	((ring)->int_flags & __IO_URING_INT_CQ_PLAIN)

/* Walks the CQEs that are ready without touching the shared head. */
struct io_uring_cqe_iter {
	struct io_uring_cqe *cqes;
	unsigned mask;
	unsigned shift;
	unsigned head;
	unsigned tail;
};

/* The refill queue of a zero-copy receive interface queue. */
struct io_uring_zcrx_rq {
	__u32 *khead;
	__u32 *ktail;
	__u32 rq_tail;
	unsigned ring_entries;
	struct io_uring_zcrx_rqe *rqes;
	void *ring_ptr;
};

/* user_data of the timeout SQE the library adds on kernels without EXT_ARG */
#define LIBURING_UDATA_TIMEOUT	((__u64) -1)

/* The io_uring_sqe_set_data64() / io_uring_cqe_get_data64() pair exists. */
#define LIBURING_HAVE_DATA64

/*
 * A pointer as the __u64 that the kernel's structs carry addresses in
 * (io_uring_query_hdr.query_data, io_uring_bpf_filter.filter_ptr, ...).
 * static inline, like liburing's: neither library exports it.
 */
static inline __u64 uring_ptr_to_u64(const void *ptr) URING_NOEXCEPT
{
	return (__u64) (uintptr_t) ptr;
}

/*
 * Visit the CQEs ready when the loop starts, without consuming them; call
 * io_uring_cq_advance() with the sum of io_uring_cqe_nr() over them (the
 * count, but for 32-byte CQEs of CQE_MIXED rings) afterwards.  The walk is
 * io_uring_cqe_iter_init()'s (__io_uring_cqe_walk()), stepped one slot per
 * CQE as io_uring_cqe_iter_next() does; head is the index of the CQE
 * visited, assigned from the walk's own unsigned index (so that head may
 * be any integer lvalue, as liburing's macro allows: int, uint32_t,
 * unsigned long).  Only that index, the walk's end and the slot shift it
 * found stay live across the loop body: the slot address is formed from
 * the ring each time, with that one shift.
 */
#define io_uring_for_each_cqe(ring, head, cqe)					\
	for (unsigned __uring_sh, __uring_h,					\
	     __uring_end = __io_uring_cqe_walk((ring), &__uring_h, &__uring_sh); \
	     ((head) = __uring_h, (void) (head), __uring_h != __uring_end) ?	\
		((cqe) = __io_uring_cqe_at((ring), __uring_h, __uring_sh), 1) :	\
		((cqe) = NULL, 0);						\
	     __uring_h++)

/* ---- Out-of-line API (src/) ---- */

/* probe */
struct io_uring_probe *io_uring_get_probe_ring(struct io_uring *ring)
	URING_NOEXCEPT;
struct io_uring_probe *io_uring_get_probe(void) URING_NOEXCEPT;
void io_uring_free_probe(struct io_uring_probe *probe) URING_NOEXCEPT;

/* setup and teardown */
int io_uring_queue_init_mem(unsigned entries, struct io_uring *ring,
			    struct io_uring_params *p, void *buf, size_t buf_size)
	URING_NOEXCEPT;
int io_uring_queue_init_params(unsigned entries, struct io_uring *ring,
			       struct io_uring_params *p) URING_NOEXCEPT;
int io_uring_queue_init(unsigned entries, struct io_uring *ring, unsigned flags)
	URING_NOEXCEPT;
int io_uring_queue_mmap(int fd, struct io_uring_params *p, struct io_uring *ring)
	URING_NOEXCEPT;
int io_uring_ring_dontfork(struct io_uring *ring) URING_NOEXCEPT;
void io_uring_queue_exit(struct io_uring *ring) URING_NOEXCEPT;
ssize_t io_uring_mlock_size(unsigned entries, unsigned flags) URING_NOEXCEPT;
ssize_t io_uring_mlock_size_params(unsigned entries, struct io_uring_params *p)
	URING_NOEXCEPT;
ssize_t io_uring_memory_size(unsigned entries, unsigned flags) URING_NOEXCEPT;
ssize_t io_uring_memory_size_params(unsigned entries, struct io_uring_params *p)
	URING_NOEXCEPT;

/* submission and completion */
unsigned io_uring_peek_batch_cqe(struct io_uring *ring,
				 struct io_uring_cqe **cqes, unsigned count)
	URING_NOEXCEPT;
int io_uring_wait_cqes(struct io_uring *ring, struct io_uring_cqe **cqe_ptr,
		       unsigned wait_nr, struct __kernel_timespec *ts,
		       sigset_t *sigmask) URING_NOEXCEPT;
int io_uring_wait_cqes_min_timeout(struct io_uring *ring,
				   struct io_uring_cqe **cqe_ptr, unsigned wait_nr,
				   struct __kernel_timespec *ts,
				   unsigned int min_ts_usec, sigset_t *sigmask)
	URING_NOEXCEPT;
int io_uring_wait_cqe_timeout(struct io_uring *ring,
			      struct io_uring_cqe **cqe_ptr,
			      struct __kernel_timespec *ts) URING_NOEXCEPT;
int io_uring_submit(struct io_uring *ring) URING_NOEXCEPT;
int io_uring_submit_and_wait(struct io_uring *ring, unsigned wait_nr)
	URING_NOEXCEPT;
int io_uring_submit_and_wait_timeout(struct io_uring *ring,
				     struct io_uring_cqe **cqe_ptr,
				     unsigned wait_nr,
				     struct __kernel_timespec *ts,
				     sigset_t *sigmask) URING_NOEXCEPT;
int io_uring_submit_and_wait_min_timeout(struct io_uring *ring,
					 struct io_uring_cqe **cqe_ptr,
					 unsigned wait_nr,
					 struct __kernel_timespec *ts,
					 unsigned min_wait, sigset_t *sigmask)
	URING_NOEXCEPT;
int io_uring_submit_and_wait_reg(struct io_uring *ring,
				 struct io_uring_cqe **cqe_ptr, unsigned wait_nr,
				 int reg_index) URING_NOEXCEPT;
int io_uring_submit_and_get_events(struct io_uring *ring) URING_NOEXCEPT;
int io_uring_get_events(struct io_uring *ring) URING_NOEXCEPT;
int __io_uring_get_cqe(struct io_uring *ring, struct io_uring_cqe **cqe_ptr,
		       unsigned submit, unsigned wait_nr, sigset_t *sigmask)
	URING_NOEXCEPT;
int __io_uring_sqring_wait(struct io_uring *ring) URING_NOEXCEPT;

/* registration */
int io_uring_register_buffers(struct io_uring *ring, const struct iovec *iovecs,
			      unsigned nr_iovecs) URING_NOEXCEPT;
int io_uring_register_buffers_tags(struct io_uring *ring,
				   const struct iovec *iovecs,
				   const __u64 *tags, unsigned nr)
	URING_NOEXCEPT;
int io_uring_register_buffers_sparse(struct io_uring *ring, unsigned nr)
	URING_NOEXCEPT;
int io_uring_register_buffers_update_tag(struct io_uring *ring, unsigned off,
					 const struct iovec *iovecs,
					 const __u64 *tags, unsigned nr)
	URING_NOEXCEPT;
int io_uring_unregister_buffers(struct io_uring *ring) URING_NOEXCEPT;

int io_uring_register_files(struct io_uring *ring, const int *files,
			    unsigned nr_files) URING_NOEXCEPT;
int io_uring_register_files_tags(struct io_uring *ring, const int *files,
				 const __u64 *tags, unsigned nr) URING_NOEXCEPT;
int io_uring_register_files_sparse(struct io_uring *ring, unsigned nr)
	URING_NOEXCEPT;
int io_uring_register_files_update_tag(struct io_uring *ring, unsigned off,
				       const int *files, const __u64 *tags,
				       unsigned nr_files) URING_NOEXCEPT;
int io_uring_unregister_files(struct io_uring *ring) URING_NOEXCEPT;
int io_uring_register_files_update(struct io_uring *ring, unsigned off,
				   const int *files, unsigned nr_files)
	URING_NOEXCEPT;
int io_uring_register_file_alloc_range(struct io_uring *ring,
				       unsigned off, unsigned len)
	URING_NOEXCEPT;

int io_uring_register_eventfd(struct io_uring *ring, int fd) URING_NOEXCEPT;
int io_uring_register_eventfd_async(struct io_uring *ring, int fd)
	URING_NOEXCEPT;
int io_uring_unregister_eventfd(struct io_uring *ring) URING_NOEXCEPT;
int io_uring_register_probe(struct io_uring *ring, struct io_uring_probe *p,
			    unsigned nr) URING_NOEXCEPT;
int io_uring_register_personality(struct io_uring *ring) URING_NOEXCEPT;
int io_uring_unregister_personality(struct io_uring *ring, int id)
	URING_NOEXCEPT;
int io_uring_register_restrictions(struct io_uring *ring,
				   struct io_uring_restriction *res,
				   unsigned int nr_res) URING_NOEXCEPT;
int io_uring_enable_rings(struct io_uring *ring) URING_NOEXCEPT;
int io_uring_register_iowq_aff(struct io_uring *ring, size_t cpusz,
			       const cpu_set_t *mask) URING_NOEXCEPT;
int io_uring_unregister_iowq_aff(struct io_uring *ring) URING_NOEXCEPT;
int io_uring_register_iowq_max_workers(struct io_uring *ring,
				       unsigned int *values) URING_NOEXCEPT;
int io_uring_register_ring_fd(struct io_uring *ring) URING_NOEXCEPT;
int io_uring_unregister_ring_fd(struct io_uring *ring) URING_NOEXCEPT;
int io_uring_close_ring_fd(struct io_uring *ring) URING_NOEXCEPT;
int io_uring_register_buf_ring(struct io_uring *ring,
			       struct io_uring_buf_reg *reg, unsigned int flags)
	URING_NOEXCEPT;
int io_uring_unregister_buf_ring(struct io_uring *ring, int bgid)
	URING_NOEXCEPT;
int io_uring_buf_ring_head(struct io_uring *ring, int buf_group, uint16_t *head)
	URING_NOEXCEPT;
int io_uring_register_sync_cancel(struct io_uring *ring,
				  struct io_uring_sync_cancel_reg *reg)
	URING_NOEXCEPT;
int io_uring_register_sync_msg(struct io_uring_sqe *sqe) URING_NOEXCEPT;
int io_uring_register_napi(struct io_uring *ring, struct io_uring_napi *napi)
	URING_NOEXCEPT;
int io_uring_unregister_napi(struct io_uring *ring, struct io_uring_napi *napi)
	URING_NOEXCEPT;
int io_uring_register_ifq(struct io_uring *ring,
			  struct io_uring_zcrx_ifq_reg *reg) URING_NOEXCEPT;
int io_uring_register_clock(struct io_uring *ring,
			    struct io_uring_clock_register *arg) URING_NOEXCEPT;
int io_uring_get_events(struct io_uring *ring) URING_NOEXCEPT;
int io_uring_resize_rings(struct io_uring *ring, struct io_uring_params *p)
	URING_NOEXCEPT;
int io_uring_clone_buffers_offset(struct io_uring *dst, struct io_uring *src,
				  unsigned int dst_off, unsigned int src_off,
				  unsigned int nr, unsigned int flags)
	URING_NOEXCEPT;
int __io_uring_clone_buffers_offset(struct io_uring *dst, struct io_uring *src,
				    unsigned int dst_off, unsigned int src_off,
				    unsigned int nr, unsigned int flags)
	URING_NOEXCEPT;
int io_uring_clone_buffers(struct io_uring *dst, struct io_uring *src)
	URING_NOEXCEPT;
int __io_uring_clone_buffers(struct io_uring *dst, struct io_uring *src,
			     unsigned int flags) URING_NOEXCEPT;
int io_uring_register_region(struct io_uring *ring,
			     struct io_uring_mem_region_reg *reg)
	URING_NOEXCEPT;
int io_uring_register_wait_reg(struct io_uring *ring,
			       struct io_uring_reg_wait *reg, int nr)
	URING_NOEXCEPT;
int io_uring_set_iowait(struct io_uring *ring, bool enable_iowait)
	URING_NOEXCEPT;
int io_uring_register_zcrx_ctrl(struct io_uring *ring, struct zcrx_ctrl *ctrl)
	URING_NOEXCEPT;
int io_uring_register_bpf_filter(struct io_uring *ring, struct io_uring_bpf *bpf)
	URING_NOEXCEPT;
int io_uring_register_bpf_filter_task(struct io_uring_bpf *bpf) URING_NOEXCEPT;
int io_uring_register_query(struct io_uring_query_hdr *query) URING_NOEXCEPT;

/* provided buffer rings the library allocates */
struct io_uring_buf_ring *io_uring_setup_buf_ring(struct io_uring *ring,
						  unsigned int nentries,
						  int bgid, unsigned int flags,
						  int *err) URING_NOEXCEPT;
int io_uring_free_buf_ring(struct io_uring *ring, struct io_uring_buf_ring *br,
			   unsigned int nentries, int bgid) URING_NOEXCEPT;

/* raw system calls: return -errno, never set errno */
int io_uring_setup(unsigned int entries, struct io_uring_params *p)
	URING_NOEXCEPT;
int io_uring_enter(unsigned int fd, unsigned int to_submit,
		   unsigned int min_complete, unsigned int flags, sigset_t *sig)
	URING_NOEXCEPT;
int io_uring_enter2(unsigned int fd, unsigned int to_submit,
		    unsigned int min_complete, unsigned int flags,
		    void *arg, size_t sz) URING_NOEXCEPT;
int io_uring_register(unsigned int fd, unsigned int opcode, const void *arg,
		      unsigned int nr_args) URING_NOEXCEPT;

/* version of the library actually loaded */
int io_uring_major_version(void) URING_NOEXCEPT;
int io_uring_minor_version(void) URING_NOEXCEPT;
bool io_uring_check_version(int major, int minor) URING_NOEXCEPT;

#define IO_URING_CHECK_VERSION(major, minor)				\
	(major > IO_URING_VERSION_MAJOR ||				\
	 (major == IO_URING_VERSION_MAJOR &&				\
	  minor > IO_URING_VERSION_MINOR))

/* ---- Ring geometry ---- */

/* log2 of an SQE's size in 64-byte units: 1 with IORING_SETUP_SQE128 */
IOURINGINLINE unsigned io_uring_sqe_shift_from_flags(unsigned flags)
	URING_NOEXCEPT
{
	return !!(flags & IORING_SETUP_SQE128);
}

IOURINGINLINE unsigned io_uring_sqe_shift(const struct io_uring *ring)
	URING_NOEXCEPT
{
	return io_uring_sqe_shift_from_flags(ring->flags);
}

/* log2 of a CQE's size in 16-byte units: 1 with IORING_SETUP_CQE32 */
IOURINGINLINE unsigned io_uring_cqe_shift_from_flags(unsigned flags)
	URING_NOEXCEPT
{
	return !!(flags & IORING_SETUP_CQE32);
}

IOURINGINLINE unsigned io_uring_cqe_shift(const struct io_uring *ring)
	URING_NOEXCEPT
{
	return io_uring_cqe_shift_from_flags(ring->flags);
}

#define io_uring_cqe_index(ring, ptr, mask)				\
	(((ptr) & (mask)) << io_uring_cqe_shift(ring))

/* ---- SQE and CQE data ---- */

IOURINGINLINE void io_uring_sqe_set_data(struct io_uring_sqe *sqe, void *data)
	URING_NOEXCEPT
{
	sqe->user_data = (unsigned long) data;
}

IOURINGINLINE void *io_uring_cqe_get_data(const struct io_uring_cqe *cqe)
	URING_NOEXCEPT
{
	return (void *) (uintptr_t) cqe->user_data;
}

IOURINGINLINE void io_uring_sqe_set_data64(struct io_uring_sqe *sqe, __u64 data)
	URING_NOEXCEPT
{
	sqe->user_data = data;
}

IOURINGINLINE __u64 io_uring_cqe_get_data64(const struct io_uring_cqe *cqe)
	URING_NOEXCEPT
{
	return cqe->user_data;
}

IOURINGINLINE void io_uring_sqe_set_flags(struct io_uring_sqe *sqe,
					  unsigned flags)
	URING_NOEXCEPT
{
	sqe->flags = (__u8) flags;
}

IOURINGINLINE void io_uring_sqe_set_buf_group(struct io_uring_sqe *sqe,
					      int bgid)
	URING_NOEXCEPT
{
	sqe->buf_group = (__u16) bgid;
}

/* ---- Completion side: the CQ head/tail protocol ---- */

/* Slots this CQE occupies: 2 for a 32-byte CQE in an IORING_SETUP_CQE_MIXED ring. */
IOURINGINLINE unsigned io_uring_cqe_nr(const struct io_uring_cqe *cqe)
	URING_NOEXCEPT
{
	return 1U + ((cqe->flags & IORING_CQE_F_32) >> 15);
}

/* Retire nr CQEs. */
IOURINGINLINE void io_uring_cq_advance(struct io_uring *ring, unsigned nr)
	URING_NOEXCEPT
{
	if (nr) {
		struct io_uring_cq *cq = &ring->cq;

		/* release: pairs with the kernel's acquire of cq.head, so our
		 * reads of the retired CQEs finish before it reuses the slots */
		io_uring_smp_store_release(cq->khead, *cq->khead + nr);
	}
}

/* Retire one CQE returned by peek or wait. */
IOURINGINLINE void io_uring_cqe_seen(struct io_uring *ring,
				     struct io_uring_cqe *cqe)
	URING_NOEXCEPT
{
	/* only CQE_MIXED rings have CQEs that take two slots; the plain-ring
	 * bit is the one peek and wait have just tested (one test, or none) */
	if (!cqe)
		return;
	if (uring_likely(__io_uring_cq_plain(ring) ||
			 !(ring->flags & IORING_SETUP_CQE_MIXED)))
		io_uring_cq_advance(ring, 1);
	else
		io_uring_cq_advance(ring, io_uring_cqe_nr(cqe));
}

/* CQEs ready to be reaped. */
IOURINGINLINE unsigned io_uring_cq_ready(const struct io_uring *ring)
	URING_NOEXCEPT
{
	/* acquire: pairs with the kernel's release store of cq.tail */
	return io_uring_smp_load_acquire(ring->cq.ktail) - *ring->cq.khead;
}

/* The kernel holds completions that did not fit in the CQ ring. */
IOURINGINLINE bool io_uring_cq_has_overflow(const struct io_uring *ring)
	URING_NOEXCEPT
{
	return IO_URING_READ_ONCE(*ring->sq.kflags) & IORING_SQ_CQ_OVERFLOW;
}

IOURINGINLINE bool io_uring_cq_eventfd_enabled(const struct io_uring *ring)
	URING_NOEXCEPT
{
	if (!ring->cq.kflags)
		return true;
	return !(*ring->cq.kflags & IORING_CQ_EVENTFD_DISABLED);
}

IOURINGINLINE int io_uring_cq_eventfd_toggle(struct io_uring *ring,
					     bool enabled)
	URING_NOEXCEPT
{
	unsigned flags;

	if (enabled == io_uring_cq_eventfd_enabled(ring))
		return 0;
	if (!ring->cq.kflags)
		return -EOPNOTSUPP;
	flags = *ring->cq.kflags;
	if (enabled)
		flags &= ~IORING_CQ_EVENTFD_DISABLED;
	else
		flags |= IORING_CQ_EVENTFD_DISABLED;
	IO_URING_WRITE_ONCE(*ring->cq.kflags, flags);
	return 0;
}

/*
 * CQE_MIXED rings: the ring-wrap padding at the head (IORING_CQE_F_SKIP, no
 * completion) is retired, so that a walk starts at a real CQE.  Returns the
 * head after it.
 */
static inline unsigned __io_uring_cq_retire_pad(const struct io_uring *ring,
						unsigned head, unsigned tail)
	URING_NOEXCEPT
{
	if (head != tail &&
	    ring->cq.cqes[head & ring->cq.ring_mask].flags & IORING_CQE_F_SKIP) {
		head++;
		/* release: pairs with the kernel's acquire of cq.head */
		io_uring_smp_store_release(ring->cq.khead, head);
	}
	return head;
}

/*
 * CQE_MIXED rings: where a walk from head that steps one slot per CQE must
 * end to visit whole CQEs only: after the first 32-byte CQE (its second
 * slot is no CQE), or before padding.
 */
static inline unsigned __io_uring_cq_run_end(const struct io_uring *ring,
					     unsigned head, unsigned tail)
	URING_NOEXCEPT
{
	for (; head != tail; head++) {
		unsigned flags = ring->cq.cqes[head & ring->cq.ring_mask].flags;

		if (flags & IORING_CQE_F_SKIP)
			return head;
		if (flags & IORING_CQE_F_32)
			return head + 1;
	}
	return tail;
}

/*
 * A byte of the library's private state (struct io_uring's pad[0]): the
 * byte shift of a CQ slot, 4 + io_uring_cqe_shift(), on rings that are not
 * CQE_MIXED; 0 on CQE_MIXED rings and wherever the library did not set the
 * ring up, where the walk takes the general path.  Set at init.
 */
#define __io_uring_cq_walk_shift(ring)	((ring)->pad[0])

/*
 * The walk over the ready CQEs that io_uring_cqe_iter_init() and
 * io_uring_for_each_cqe() share: sets *head and *shift (the slot's byte
 * shift), returns where the walk ends.  On a CQE_MIXED ring it retires
 * padding at the head and covers a run of whole CQEs: up to the first
 * 32-byte CQE, or to padding; walk again for more.  Elsewhere it covers
 * every ready CQE.  The common ring costs one test: the cached shift.
 */
static inline __attribute__((__always_inline__)) unsigned
__io_uring_cqe_walk(const struct io_uring *ring, unsigned *head,
		    unsigned *shift)
	URING_NOEXCEPT
{
	unsigned h = *ring->cq.khead;
	/* acquire: pairs with the kernel's release store of cq.tail */
	unsigned end = io_uring_smp_load_acquire(ring->cq.ktail);
	unsigned sh = __io_uring_cq_walk_shift(ring);

	if (uring_unlikely(!sh)) {
		sh = 4 + io_uring_cqe_shift(ring);
		if (ring->flags & IORING_SETUP_CQE_MIXED) {
			h = __io_uring_cq_retire_pad(ring, h, end);
			end = __io_uring_cq_run_end(ring, h, end);
		}
	}
	*head = h;
	*shift = sh;
	return end;
}

/* The CQE at CQ index idx, with sh the slot's byte shift (4 for 16-byte
 * slots, 5 with CQE32); via void *, since the slot size keeps it aligned. */
#define __io_uring_cqe_at(ring, idx, sh)					\
	((struct io_uring_cqe *) (void *) ((char *) (ring)->cq.cqes +		\
		((size_t) ((idx) & (ring)->cq.ring_mask) << (sh))))

/* A snapshot of the ready CQEs to walk with io_uring_cqe_iter_next(). */
IOURINGINLINE struct io_uring_cqe_iter
io_uring_cqe_iter_init(const struct io_uring *ring)
	URING_NOEXCEPT
{
	struct io_uring_cqe_iter it;
	unsigned sh;

	it.cqes = ring->cq.cqes;
	it.mask = ring->cq.ring_mask;
	it.tail = __io_uring_cqe_walk(ring, &it.head, &sh);
	it.shift = sh - 4;
	return it;
}

/* One slot a CQE: iter_init made the walk end where that stays true. */
IOURINGINLINE bool io_uring_cqe_iter_next(struct io_uring_cqe_iter *iter,
					  struct io_uring_cqe **cqe)
	URING_NOEXCEPT
{
	if (uring_unlikely(iter->head == iter->tail))
		return false;
	/* the byte offset with one shift: 16-byte slots, 32 with CQE32 */
	*cqe = (struct io_uring_cqe *) (void *) ((char *) iter->cqes +
		((size_t) (iter->head & iter->mask) << (4 + iter->shift)));
	iter->head++;
	return true;
}

/*
 * Rare CQEs peek must not hand out: the library's own timeout CQE on kernels
 * without IORING_FEAT_EXT_ARG, and ring-wrap padding in CQE_MIXED rings.
 * Returns true when the CQE was consumed here; *err is set from a timeout.
 */
IOURINGINLINE bool __io_uring_cqe_internal(struct io_uring *ring,
					   struct io_uring_cqe *cqe, int *err)
	URING_NOEXCEPT
{
	if (cqe->flags & IORING_CQE_F_SKIP && ring->flags & IORING_SETUP_CQE_MIXED) {
		io_uring_cq_advance(ring, 1);
		return true;
	}
	if (!(ring->features & IORING_FEAT_EXT_ARG) &&
	    cqe->user_data == LIBURING_UDATA_TIMEOUT) {
		if (cqe->res < 0)
			*err = cqe->res;
		io_uring_cq_advance(ring, 1);
		return true;
	}
	return false;
}

/*
 * The one place the fast paths (peek and wait here, the library's waits
 * in src/queue.c) look at a common ring's head: how many CQEs are ready,
 * with *cqe_ptr at the first when there is one; 0, *cqe_ptr untouched,
 * when none is or the ring is not a common one.  Always inlined: on its
 * own the compiler would keep it out of line, and peek and wait are the
 * hottest calls there are.
 */
static inline __attribute__((__always_inline__)) unsigned
__io_uring_ready_cqes(const struct io_uring *ring,
		      struct io_uring_cqe **cqe_ptr)
	URING_NOEXCEPT
{
	unsigned head, ready;

	if (uring_unlikely(!__io_uring_cq_plain(ring)))
		return 0;
	head = *ring->cq.khead;
	/* acquire: pairs with the kernel's release store of cq.tail */
	ready = io_uring_smp_load_acquire(ring->cq.ktail) - head;
	if (ready)
		*cqe_ptr = &ring->cq.cqes[head & ring->cq.ring_mask];
	return ready;
}

/*
 * Find the next CQE without entering the kernel, hiding the CQEs that are
 * not the caller's.  *cqe_ptr is NULL when none is ready; nr_available (if
 * given) is how many CQ slots were ready.
 */
IOURINGINLINE int __io_uring_peek_cqe(struct io_uring *ring,
				      struct io_uring_cqe **cqe_ptr,
				      unsigned *nr_available)
	URING_NOEXCEPT
{
	struct io_uring_cqe *cqe;
	unsigned available;
	int err = 0;

	do {
		/* acquire: pairs with the kernel's release store of cq.tail */
		unsigned tail = io_uring_smp_load_acquire(ring->cq.ktail);
		unsigned head = *ring->cq.khead;

		cqe = NULL;
		available = tail - head;
		if (!available)
			break;
		cqe = &ring->cq.cqes[io_uring_cqe_index(ring, head, ring->cq.ring_mask)];
		if (uring_likely(!(ring->flags & IORING_SETUP_CQE_MIXED) &&
				 ring->features & IORING_FEAT_EXT_ARG))
			break;
		if (!__io_uring_cqe_internal(ring, cqe, &err))
			break;
		cqe = NULL;
	} while (!err);

	*cqe_ptr = cqe;
	if (nr_available)
		*nr_available = available;
	return err;
}

IOURINGINLINE int io_uring_wait_cqe_nr(struct io_uring *ring,
				       struct io_uring_cqe **cqe_ptr,
				       unsigned wait_nr)
	URING_NOEXCEPT
{
	return __io_uring_get_cqe(ring, cqe_ptr, 0, wait_nr, NULL);
}

/* A ready CQE, or -EAGAIN; enters the kernel only to flush an overflow. */
IOURINGINLINE int io_uring_peek_cqe(struct io_uring *ring,
				    struct io_uring_cqe **cqe_ptr)
	URING_NOEXCEPT
{
	struct io_uring_cqe *cqe;
	int ret = 0;

	/* through a local: the caller's pointer never escapes, so it can
	 * stay in a register (__io_uring_get_cqe() always sets cqe) */
	if (!__io_uring_ready_cqes(ring, &cqe))
		ret = io_uring_wait_cqe_nr(ring, &cqe, 0);
	*cqe_ptr = cqe;
	return ret;
}

/* Wait for one CQE. */
IOURINGINLINE int io_uring_wait_cqe(struct io_uring *ring,
				    struct io_uring_cqe **cqe_ptr)
	URING_NOEXCEPT
{
	struct io_uring_cqe *cqe;
	int ret = 0;

	/* through a local, as in io_uring_peek_cqe() */
	if (!__io_uring_ready_cqes(ring, &cqe))
		ret = io_uring_wait_cqe_nr(ring, &cqe, 1);
	*cqe_ptr = cqe;
	return ret;
}

/* ---- Submission side: the SQ head/tail protocol ---- */

/* The kernel's consumer index of the SQ ring. */
IOURINGINLINE unsigned io_uring_load_sq_head(const struct io_uring *ring)
	URING_NOEXCEPT
{
	/* with SQPOLL the kernel thread moves the head concurrently: acquire
	 * pairs with its release store after it has read the SQEs; otherwise
	 * the head only moves inside our own io_uring_enter() */
	if (ring->flags & IORING_SETUP_SQPOLL)
		return io_uring_smp_load_acquire(ring->sq.khead);
	return *ring->sq.khead;
}

/* SQEs filled but not yet consumed by the kernel. */
IOURINGINLINE unsigned io_uring_sq_ready(const struct io_uring *ring)
	URING_NOEXCEPT
{
	return ring->sq.sqe_tail - io_uring_load_sq_head(ring);
}

IOURINGINLINE unsigned io_uring_sq_space_left(const struct io_uring *ring)
	URING_NOEXCEPT
{
	return ring->sq.ring_entries - io_uring_sq_ready(ring);
}

/* With SQPOLL, wait until the SQ ring has room; otherwise return at once. */
IOURINGINLINE int io_uring_sqring_wait(struct io_uring *ring)
	URING_NOEXCEPT
{
	if (!(ring->flags & IORING_SETUP_SQPOLL))
		return 0;
	if (io_uring_sq_space_left(ring))
		return 0;
	return __io_uring_sqring_wait(ring);
}

/* Zero what a prep helper does not set, so an SQE never carries stale state. */
IOURINGINLINE void io_uring_initialize_sqe(struct io_uring_sqe *sqe)
	URING_NOEXCEPT
{
	sqe->flags = 0;
	sqe->ioprio = 0;
	sqe->rw_flags = 0;
	sqe->buf_index = 0;
	sqe->personality = 0;
	sqe->file_index = 0;
	sqe->addr3 = 0;
	sqe->__pad2[0] = 0;
}

/*
 * One word of the public structs is the library's cache for get_sqe: sq.pad
 * is a tail bound up to which the SQ ring surely has room (a head the kernel
 * had reached, plus ring_entries).  The kernel only moves the head forward,
 * so a stale bound is a safe one.  A submit that finds the tail past the
 * bound refreshes it (src/queue.c), so the tail is never more than one ring
 * past it, however many SQEs other code (another header's inline get_sqe)
 * takes and submits: the signed check below is exact.  The fast path knows
 * only 64-byte slots: on an IORING_SETUP_SQE128 ring the bound is kept one
 * behind the head, so that every get_sqe there takes the refresh path,
 * which uses the ring's slot size.
 */
#define __io_uring_sq_room_end(ring)	((ring)->sq.pad)

/*
 * The bound ran out: read the kernel's head again and renew the cache.
 * Whether nr slots past tail are free now.
 */
IOURINGINLINE int __io_uring_sq_refresh_room(struct io_uring *ring,
					     unsigned tail, unsigned nr)
	URING_NOEXCEPT
{
	/* acquire: pairs with the SQ thread's release of the head after
	 * reading the SQEs (SQPOLL), so the slots it frees are ours to
	 * rewrite; without SQPOLL the head moves only inside our own
	 * io_uring_enter(), and one load for both keeps this path short */
	unsigned head = io_uring_smp_load_acquire(ring->sq.khead);
	unsigned entries = ring->sq.ring_entries;
	unsigned end = head + entries;

	if (uring_unlikely(ring->flags & IORING_SETUP_SQE128))
		end = head - 1;
	__io_uring_sq_room_end(ring) = end;
	return tail + nr - head <= entries;
}

/* The slot of SQ index idx: 64 bytes, 128 with IORING_SETUP_SQE128;
 * via void *, since the slot size keeps the SQE aligned. */
#define __io_uring_sqe_at(ring, idx, shift)					\
	((struct io_uring_sqe *) (void *) ((char *) (ring)->sq.sqes +		\
		((size_t) ((idx) & (ring)->sq.ring_mask) << (6 + (shift)))))

/* Take nr consecutive SQ slots, or NULL when the SQ ring lacks room. */
IOURINGINLINE struct io_uring_sqe *_io_uring_get_sqes(struct io_uring *ring,
						      unsigned nr)
	URING_NOEXCEPT
{
	struct io_uring_sq *sq = &ring->sq;
	unsigned tail = sq->sqe_tail;
	struct io_uring_sqe *sqe;

	/* signed: the tail may pass a stale bound, by at most one ring
	 * (another header's inline get_sqe moves it without refreshing the
	 * bound; the next submit renews it) */
	if (uring_likely((int) (__io_uring_sq_room_end(ring) -
				(tail + nr)) >= 0))
		sqe = __io_uring_sqe_at(ring, tail, 0);
	else if (!__io_uring_sq_refresh_room(ring, tail, nr))
		return NULL;
	else if (uring_likely(!(ring->flags & IORING_SETUP_SQE128)))
		sqe = __io_uring_sqe_at(ring, tail, 0);
	else
		sqe = __io_uring_sqe_at(ring, tail, 1);
	sq->sqe_tail = tail + nr;
	io_uring_initialize_sqe(sqe);
	return sqe;
}

/* The next free SQE, zeroed where prep helpers do not write; NULL if full. */
IOURINGINLINE struct io_uring_sqe *_io_uring_get_sqe(struct io_uring *ring)
	URING_NOEXCEPT
{
	return _io_uring_get_sqes(ring, 1);
}

/*
 * liburing.so.2 also exports io_uring_get_sqe for binaries built against
 * older headers; the library's own sources (LIBURING_INTERNAL) see only the
 * declaration of that out-of-line copy.
 */
#ifndef LIBURING_INTERNAL
IOURINGINLINE struct io_uring_sqe *io_uring_get_sqe(struct io_uring *ring)
	URING_NOEXCEPT
{
	return _io_uring_get_sqe(ring);
}
#else
struct io_uring_sqe *io_uring_get_sqe(struct io_uring *ring) URING_NOEXCEPT;
#endif

/* ---- Prep helpers: one generic fill, every helper a thin wrapper ---- */

IOURINGINLINE void io_uring_prep_rw(int op, struct io_uring_sqe *sqe, int fd,
				    const void *addr, unsigned len,
				    __u64 offset)
	URING_NOEXCEPT
{
	sqe->opcode = (__u8) op;
	sqe->fd = fd;
	sqe->off = offset;
	sqe->addr = (unsigned long) addr;
	sqe->len = len;
}

/* file_index for the "_direct" forms: slot + 1, or IORING_FILE_INDEX_ALLOC */
IOURINGINLINE void __io_uring_set_target_fixed_file(struct io_uring_sqe *sqe,
						    unsigned int file_index)
	URING_NOEXCEPT
{
	sqe->file_index = file_index == IORING_FILE_INDEX_ALLOC ?
			  IORING_FILE_INDEX_ALLOC : file_index + 1;
}

IOURINGINLINE void io_uring_prep_nop(struct io_uring_sqe *sqe)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_NOP, sqe, -1, NULL, 0, 0);
}

IOURINGINLINE void io_uring_prep_nop128(struct io_uring_sqe *sqe)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_NOP128, sqe, -1, NULL, 0, 0);
}

/* read / write */

IOURINGINLINE void io_uring_prep_read(struct io_uring_sqe *sqe, int fd,
				      void *buf, unsigned nbytes, __u64 offset)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_READ, sqe, fd, buf, nbytes, offset);
}

IOURINGINLINE void io_uring_prep_write(struct io_uring_sqe *sqe, int fd,
				       const void *buf, unsigned nbytes,
				       __u64 offset)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_WRITE, sqe, fd, buf, nbytes, offset);
}

IOURINGINLINE void io_uring_prep_readv(struct io_uring_sqe *sqe, int fd,
				       const struct iovec *iovecs,
				       unsigned nr_vecs, __u64 offset)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_READV, sqe, fd, iovecs, nr_vecs, offset);
}

IOURINGINLINE void io_uring_prep_writev(struct io_uring_sqe *sqe, int fd,
					const struct iovec *iovecs,
					unsigned nr_vecs, __u64 offset)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_WRITEV, sqe, fd, iovecs, nr_vecs, offset);
}

IOURINGINLINE void io_uring_prep_readv2(struct io_uring_sqe *sqe, int fd,
					const struct iovec *iovecs,
					unsigned nr_vecs, __u64 offset,
					int flags)
	URING_NOEXCEPT
{
	io_uring_prep_readv(sqe, fd, iovecs, nr_vecs, offset);
	sqe->rw_flags = flags;
}

IOURINGINLINE void io_uring_prep_writev2(struct io_uring_sqe *sqe, int fd,
					 const struct iovec *iovecs,
					 unsigned nr_vecs, __u64 offset,
					 int flags)
	URING_NOEXCEPT
{
	io_uring_prep_writev(sqe, fd, iovecs, nr_vecs, offset);
	sqe->rw_flags = flags;
}

IOURINGINLINE void io_uring_prep_read_fixed(struct io_uring_sqe *sqe, int fd,
					    void *buf, unsigned nbytes,
					    __u64 offset, int buf_index)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_READ_FIXED, sqe, fd, buf, nbytes, offset);
	sqe->buf_index = (__u16) buf_index;
}

IOURINGINLINE void io_uring_prep_write_fixed(struct io_uring_sqe *sqe, int fd,
					     const void *buf, unsigned nbytes,
					     __u64 offset, int buf_index)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_WRITE_FIXED, sqe, fd, buf, nbytes, offset);
	sqe->buf_index = (__u16) buf_index;
}

IOURINGINLINE void io_uring_prep_readv_fixed(struct io_uring_sqe *sqe, int fd,
					     const struct iovec *iovecs,
					     unsigned nr_vecs, __u64 offset,
					     int flags, int buf_index)
	URING_NOEXCEPT
{
	io_uring_prep_readv2(sqe, fd, iovecs, nr_vecs, offset, flags);
	sqe->opcode = IORING_OP_READV_FIXED;
	sqe->buf_index = (__u16) buf_index;
}

IOURINGINLINE void io_uring_prep_writev_fixed(struct io_uring_sqe *sqe, int fd,
					      const struct iovec *iovecs,
					      unsigned nr_vecs, __u64 offset,
					      int flags, int buf_index)
	URING_NOEXCEPT
{
	io_uring_prep_writev2(sqe, fd, iovecs, nr_vecs, offset, flags);
	sqe->opcode = IORING_OP_WRITEV_FIXED;
	sqe->buf_index = (__u16) buf_index;
}

/* Reads into buffers picked from buffer group buf_group, until stopped. */
IOURINGINLINE void io_uring_prep_read_multishot(struct io_uring_sqe *sqe,
						int fd, unsigned nbytes,
						__u64 offset, int buf_group)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_READ_MULTISHOT, sqe, fd, NULL, nbytes, offset);
	sqe->buf_group = (__u16) buf_group;
	sqe->flags = IOSQE_BUFFER_SELECT;
}

/* file syncing and space */

IOURINGINLINE void io_uring_prep_fsync(struct io_uring_sqe *sqe, int fd,
				       unsigned fsync_flags)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_FSYNC, sqe, fd, NULL, 0, 0);
	sqe->fsync_flags = fsync_flags;
}

IOURINGINLINE void io_uring_prep_sync_file_range(struct io_uring_sqe *sqe,
						 int fd, unsigned len,
						 __u64 offset, int flags)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_SYNC_FILE_RANGE, sqe, fd, NULL, len, offset);
	sqe->sync_range_flags = (__u32) flags;
}

IOURINGINLINE void io_uring_prep_fallocate(struct io_uring_sqe *sqe, int fd,
					   int mode, __u64 offset, __u64 len)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_FALLOCATE, sqe, fd, NULL, (unsigned) mode,
			 offset);
	sqe->addr = len;
}

IOURINGINLINE void io_uring_prep_ftruncate(struct io_uring_sqe *sqe, int fd,
					   loff_t len)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_FTRUNCATE, sqe, fd, NULL, 0, (__u64) len);
}

IOURINGINLINE void io_uring_prep_fadvise(struct io_uring_sqe *sqe, int fd,
					 __u64 offset, __u32 len, int advice)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_FADVISE, sqe, fd, NULL, len, offset);
	sqe->fadvise_advice = (__u32) advice;
}

/* 64-bit length: the kernel reads it from addr when len is 0 */
IOURINGINLINE void io_uring_prep_fadvise64(struct io_uring_sqe *sqe, int fd,
					   __u64 offset, off_t len, int advice)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_FADVISE, sqe, fd, NULL, 0, offset);
	sqe->addr = (__u64) len;
	sqe->fadvise_advice = (__u32) advice;
}

IOURINGINLINE void io_uring_prep_madvise(struct io_uring_sqe *sqe, void *addr,
					 __u32 length, int advice)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_MADVISE, sqe, -1, addr, length, 0);
	sqe->fadvise_advice = (__u32) advice;
}

/* 64-bit length: the kernel reads it from off when len is 0 */
IOURINGINLINE void io_uring_prep_madvise64(struct io_uring_sqe *sqe, void *addr,
					   off_t length, int advice)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_MADVISE, sqe, -1, addr, 0, (__u64) length);
	sqe->fadvise_advice = (__u32) advice;
}

/* polling */

IOURINGINLINE unsigned __io_uring_prep_poll_mask(unsigned poll_mask)
	URING_NOEXCEPT
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	poll_mask = __swahw32(poll_mask);
#endif
	return poll_mask;
}

IOURINGINLINE void io_uring_prep_poll_add(struct io_uring_sqe *sqe, int fd,
					  unsigned poll_mask)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_POLL_ADD, sqe, fd, NULL, 0, 0);
	sqe->poll32_events = __io_uring_prep_poll_mask(poll_mask);
}

IOURINGINLINE void io_uring_prep_poll_multishot(struct io_uring_sqe *sqe,
						int fd, unsigned poll_mask)
	URING_NOEXCEPT
{
	io_uring_prep_poll_add(sqe, fd, poll_mask);
	sqe->len = IORING_POLL_ADD_MULTI;
}

IOURINGINLINE void io_uring_prep_poll_remove(struct io_uring_sqe *sqe,
					     __u64 user_data)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_POLL_REMOVE, sqe, -1, NULL, 0, 0);
	sqe->addr = user_data;
}

IOURINGINLINE void io_uring_prep_poll_update(struct io_uring_sqe *sqe,
					     __u64 old_user_data,
					     __u64 new_user_data,
					     unsigned poll_mask, unsigned flags)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_POLL_REMOVE, sqe, -1, NULL, flags,
			 new_user_data);
	sqe->addr = old_user_data;
	sqe->poll32_events = __io_uring_prep_poll_mask(poll_mask);
}

IOURINGINLINE void io_uring_prep_epoll_ctl(struct io_uring_sqe *sqe, int epfd,
					   int fd, int op,
					   const struct epoll_event *ev)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_EPOLL_CTL, sqe, epfd, ev, (__u32) op,
			 (__u32) fd);
}

IOURINGINLINE void io_uring_prep_epoll_wait(struct io_uring_sqe *sqe, int fd,
					    struct epoll_event *events,
					    int maxevents, unsigned flags)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_EPOLL_WAIT, sqe, fd, events,
			 (unsigned) maxevents, 0);
	sqe->rw_flags = (__kernel_rwf_t) flags;
}

/* timeouts */

IOURINGINLINE void io_uring_prep_timeout(struct io_uring_sqe *sqe,
					 const struct __kernel_timespec *ts,
					 unsigned count, unsigned flags)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_TIMEOUT, sqe, -1, ts, 1, count);
	sqe->timeout_flags = flags;
}

IOURINGINLINE void io_uring_prep_timeout_remove(struct io_uring_sqe *sqe,
						__u64 user_data, unsigned flags)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_TIMEOUT_REMOVE, sqe, -1, NULL, 0, 0);
	sqe->addr = user_data;
	sqe->timeout_flags = flags;
}

IOURINGINLINE void io_uring_prep_timeout_update(struct io_uring_sqe *sqe,
						const struct __kernel_timespec *ts,
						__u64 user_data, unsigned flags)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_TIMEOUT_REMOVE, sqe, -1, NULL, 0,
			 (uintptr_t) ts);
	sqe->addr = user_data;
	sqe->timeout_flags = flags | IORING_TIMEOUT_UPDATE;
}

IOURINGINLINE void io_uring_prep_link_timeout(struct io_uring_sqe *sqe,
					      const struct __kernel_timespec *ts,
					      unsigned flags)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_LINK_TIMEOUT, sqe, -1, ts, 1, 0);
	sqe->timeout_flags = flags;
}

/* cancellation */

IOURINGINLINE void io_uring_prep_cancel64(struct io_uring_sqe *sqe,
					  __u64 user_data, int flags)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_ASYNC_CANCEL, sqe, -1, NULL, 0, 0);
	sqe->addr = user_data;
	sqe->cancel_flags = (__u32) flags;
}

IOURINGINLINE void io_uring_prep_cancel(struct io_uring_sqe *sqe,
					const void *user_data, int flags)
	URING_NOEXCEPT
{
	io_uring_prep_cancel64(sqe, (__u64) (uintptr_t) user_data, flags);
}

IOURINGINLINE void io_uring_prep_cancel_fd(struct io_uring_sqe *sqe, int fd,
					   unsigned int flags)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_ASYNC_CANCEL, sqe, fd, NULL, 0, 0);
	sqe->cancel_flags = (__u32) flags | IORING_ASYNC_CANCEL_FD;
}

/* files and paths */

IOURINGINLINE void io_uring_prep_openat(struct io_uring_sqe *sqe, int dfd,
					const char *path, int flags,
					mode_t mode)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_OPENAT, sqe, dfd, path, mode, 0);
	sqe->open_flags = (__u32) flags;
}

IOURINGINLINE void io_uring_prep_openat_direct(struct io_uring_sqe *sqe,
					       int dfd, const char *path,
					       int flags, mode_t mode,
					       unsigned file_index)
	URING_NOEXCEPT
{
	io_uring_prep_openat(sqe, dfd, path, flags, mode);
	__io_uring_set_target_fixed_file(sqe, file_index);
}

IOURINGINLINE void io_uring_prep_open(struct io_uring_sqe *sqe,
				      const char *path, int flags, mode_t mode)
	URING_NOEXCEPT
{
	io_uring_prep_openat(sqe, AT_FDCWD, path, flags, mode);
}

IOURINGINLINE void io_uring_prep_open_direct(struct io_uring_sqe *sqe,
					     const char *path, int flags,
					     mode_t mode, unsigned file_index)
	URING_NOEXCEPT
{
	io_uring_prep_openat_direct(sqe, AT_FDCWD, path, flags, mode, file_index);
}

IOURINGINLINE void io_uring_prep_openat2(struct io_uring_sqe *sqe, int dfd,
					 const char *path,
					 const struct open_how *how)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_OPENAT2, sqe, dfd, path, sizeof(*how),
			 (uint64_t) (uintptr_t) how);
}

IOURINGINLINE void io_uring_prep_openat2_direct(struct io_uring_sqe *sqe,
						int dfd, const char *path,
						const struct open_how *how,
						unsigned file_index)
	URING_NOEXCEPT
{
	io_uring_prep_openat2(sqe, dfd, path, how);
	__io_uring_set_target_fixed_file(sqe, file_index);
}

IOURINGINLINE void io_uring_prep_close(struct io_uring_sqe *sqe, int fd)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_CLOSE, sqe, fd, NULL, 0, 0);
}

IOURINGINLINE void io_uring_prep_close_direct(struct io_uring_sqe *sqe,
					      unsigned file_index)
	URING_NOEXCEPT
{
	io_uring_prep_close(sqe, 0);
	__io_uring_set_target_fixed_file(sqe, file_index);
}

IOURINGINLINE void io_uring_prep_statx(struct io_uring_sqe *sqe, int dfd,
				       const char *path, int flags,
				       unsigned mask, struct statx *statxbuf)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_STATX, sqe, dfd, path, mask,
			 (uint64_t) (uintptr_t) statxbuf);
	sqe->statx_flags = (__u32) flags;
}

IOURINGINLINE void io_uring_prep_files_update(struct io_uring_sqe *sqe,
					      int *fds, unsigned nr_fds,
					      int offset)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_FILES_UPDATE, sqe, -1, fds, nr_fds,
			 (__u64) offset);
}

IOURINGINLINE void io_uring_prep_fixed_fd_install(struct io_uring_sqe *sqe,
						  int fd, unsigned int flags)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_FIXED_FD_INSTALL, sqe, fd, NULL, 0, 0);
	sqe->flags = IOSQE_FIXED_FILE;
	sqe->install_fd_flags = flags;
}

IOURINGINLINE void io_uring_prep_unlinkat(struct io_uring_sqe *sqe, int dfd,
					  const char *path, int flags)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_UNLINKAT, sqe, dfd, path, 0, 0);
	sqe->unlink_flags = (__u32) flags;
}

IOURINGINLINE void io_uring_prep_unlink(struct io_uring_sqe *sqe,
					const char *path, int flags)
	URING_NOEXCEPT
{
	io_uring_prep_unlinkat(sqe, AT_FDCWD, path, flags);
}

IOURINGINLINE void io_uring_prep_renameat(struct io_uring_sqe *sqe, int olddfd,
					  const char *oldpath, int newdfd,
					  const char *newpath,
					  unsigned int flags)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_RENAMEAT, sqe, olddfd, oldpath,
			 (__u32) newdfd, (uint64_t) (uintptr_t) newpath);
	sqe->rename_flags = flags;
}

IOURINGINLINE void io_uring_prep_rename(struct io_uring_sqe *sqe,
					const char *oldpath,
					const char *newpath)
	URING_NOEXCEPT
{
	io_uring_prep_renameat(sqe, AT_FDCWD, oldpath, AT_FDCWD, newpath, 0);
}

IOURINGINLINE void io_uring_prep_mkdirat(struct io_uring_sqe *sqe, int dfd,
					 const char *path, mode_t mode)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_MKDIRAT, sqe, dfd, path, mode, 0);
}

IOURINGINLINE void io_uring_prep_mkdir(struct io_uring_sqe *sqe,
				       const char *path, mode_t mode)
	URING_NOEXCEPT
{
	io_uring_prep_mkdirat(sqe, AT_FDCWD, path, mode);
}

IOURINGINLINE void io_uring_prep_symlinkat(struct io_uring_sqe *sqe,
					   const char *target, int newdirfd,
					   const char *linkpath)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_SYMLINKAT, sqe, newdirfd, target, 0,
			 (uint64_t) (uintptr_t) linkpath);
}

IOURINGINLINE void io_uring_prep_symlink(struct io_uring_sqe *sqe,
					 const char *target,
					 const char *linkpath)
	URING_NOEXCEPT
{
	io_uring_prep_symlinkat(sqe, target, AT_FDCWD, linkpath);
}

IOURINGINLINE void io_uring_prep_linkat(struct io_uring_sqe *sqe, int olddfd,
					const char *oldpath, int newdfd,
					const char *newpath, int flags)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_LINKAT, sqe, olddfd, oldpath, (__u32) newdfd,
			 (uint64_t) (uintptr_t) newpath);
	sqe->hardlink_flags = (__u32) flags;
}

IOURINGINLINE void io_uring_prep_link(struct io_uring_sqe *sqe,
				      const char *oldpath, const char *newpath,
				      int flags)
	URING_NOEXCEPT
{
	io_uring_prep_linkat(sqe, AT_FDCWD, oldpath, AT_FDCWD, newpath, flags);
}

/* extended attributes: name in addr, value in off, path in addr3 */

IOURINGINLINE void io_uring_prep_fgetxattr(struct io_uring_sqe *sqe, int fd,
					   const char *name, char *value,
					   unsigned int len)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_FGETXATTR, sqe, fd, name, len,
			 (__u64) (uintptr_t) value);
	sqe->xattr_flags = 0;
}

IOURINGINLINE void io_uring_prep_fsetxattr(struct io_uring_sqe *sqe, int fd,
					   const char *name, const char *value,
					   int flags, unsigned int len)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_FSETXATTR, sqe, fd, name, len,
			 (__u64) (uintptr_t) value);
	sqe->xattr_flags = (__u32) flags;
}

IOURINGINLINE void io_uring_prep_getxattr(struct io_uring_sqe *sqe,
					  const char *name, char *value,
					  const char *path, unsigned int len)
	URING_NOEXCEPT
{
	io_uring_prep_fgetxattr(sqe, 0, name, value, len);
	sqe->opcode = IORING_OP_GETXATTR;
	sqe->addr3 = (__u64) (uintptr_t) path;
}

IOURINGINLINE void io_uring_prep_setxattr(struct io_uring_sqe *sqe,
					  const char *name, const char *value,
					  const char *path, int flags,
					  unsigned int len)
	URING_NOEXCEPT
{
	io_uring_prep_fsetxattr(sqe, 0, name, value, flags, len);
	sqe->opcode = IORING_OP_SETXATTR;
	sqe->addr3 = (__u64) (uintptr_t) path;
}

/* pipes, splice, tee */

IOURINGINLINE void io_uring_prep_splice(struct io_uring_sqe *sqe,
					int fd_in, int64_t off_in,
					int fd_out, int64_t off_out,
					unsigned int nbytes,
					unsigned int splice_flags)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_SPLICE, sqe, fd_out, NULL, nbytes,
			 (__u64) off_out);
	sqe->splice_off_in = (__u64) off_in;
	sqe->splice_fd_in = fd_in;
	sqe->splice_flags = splice_flags;
}

IOURINGINLINE void io_uring_prep_tee(struct io_uring_sqe *sqe,
				     int fd_in, int fd_out,
				     unsigned int nbytes,
				     unsigned int splice_flags)
	URING_NOEXCEPT
{
	io_uring_prep_splice(sqe, fd_in, 0, fd_out, 0, nbytes, splice_flags);
	sqe->opcode = IORING_OP_TEE;
}

IOURINGINLINE void io_uring_prep_pipe(struct io_uring_sqe *sqe, int *fds,
				      int pipe_flags)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_PIPE, sqe, 0, fds, 0, 0);
	sqe->pipe_flags = (__u32) pipe_flags;
}

IOURINGINLINE void io_uring_prep_pipe_direct(struct io_uring_sqe *sqe, int *fds,
					     int pipe_flags,
					     unsigned int file_index)
	URING_NOEXCEPT
{
	io_uring_prep_pipe(sqe, fds, pipe_flags);
	__io_uring_set_target_fixed_file(sqe, file_index);
}

/* legacy provided buffers */

IOURINGINLINE void io_uring_prep_provide_buffers(struct io_uring_sqe *sqe,
						 void *addr, int len, int nr,
						 int bgid, int bid)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_PROVIDE_BUFFERS, sqe, nr, addr, (unsigned) len,
			 (__u64) bid);
	sqe->buf_group = (__u16) bgid;
}

IOURINGINLINE void io_uring_prep_remove_buffers(struct io_uring_sqe *sqe,
						int nr, int bgid)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_REMOVE_BUFFERS, sqe, nr, NULL, 0, 0);
	sqe->buf_group = (__u16) bgid;
}

/* sockets */

IOURINGINLINE void io_uring_prep_socket(struct io_uring_sqe *sqe, int domain,
					int type, int protocol,
					unsigned int flags)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_SOCKET, sqe, domain, NULL, (unsigned) protocol,
			 (__u64) type);
	sqe->rw_flags = (__kernel_rwf_t) flags;
}

IOURINGINLINE void io_uring_prep_socket_direct(struct io_uring_sqe *sqe,
					       int domain, int type,
					       int protocol,
					       unsigned file_index,
					       unsigned int flags)
	URING_NOEXCEPT
{
	io_uring_prep_socket(sqe, domain, type, protocol, flags);
	__io_uring_set_target_fixed_file(sqe, file_index);
}

IOURINGINLINE void io_uring_prep_socket_direct_alloc(struct io_uring_sqe *sqe,
						     int domain, int type,
						     int protocol,
						     unsigned int flags)
	URING_NOEXCEPT
{
	io_uring_prep_socket_direct(sqe, domain, type, protocol,
				    IORING_FILE_INDEX_ALLOC, flags);
}

IOURINGINLINE void io_uring_prep_bind(struct io_uring_sqe *sqe, int fd,
				      const struct sockaddr *addr,
				      socklen_t addrlen)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_BIND, sqe, fd, addr, 0, addrlen);
}

IOURINGINLINE void io_uring_prep_listen(struct io_uring_sqe *sqe, int fd,
					int backlog)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_LISTEN, sqe, fd, NULL, (unsigned) backlog, 0);
}

IOURINGINLINE void io_uring_prep_connect(struct io_uring_sqe *sqe, int fd,
					 const struct sockaddr *addr,
					 socklen_t addrlen)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_CONNECT, sqe, fd, addr, 0, addrlen);
}

IOURINGINLINE void io_uring_prep_accept(struct io_uring_sqe *sqe, int fd,
					struct sockaddr *addr,
					socklen_t *addrlen, int flags)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_ACCEPT, sqe, fd, addr, 0,
			 (uint64_t) (uintptr_t) addrlen);
	sqe->accept_flags = (__u32) flags;
}

IOURINGINLINE void io_uring_prep_accept_direct(struct io_uring_sqe *sqe, int fd,
					       struct sockaddr *addr,
					       socklen_t *addrlen, int flags,
					       unsigned int file_index)
	URING_NOEXCEPT
{
	io_uring_prep_accept(sqe, fd, addr, addrlen, flags);
	__io_uring_set_target_fixed_file(sqe, file_index);
}

IOURINGINLINE void io_uring_prep_multishot_accept(struct io_uring_sqe *sqe,
						  int fd, struct sockaddr *addr,
						  socklen_t *addrlen, int flags)
	URING_NOEXCEPT
{
	io_uring_prep_accept(sqe, fd, addr, addrlen, flags);
	sqe->ioprio |= IORING_ACCEPT_MULTISHOT;
}

IOURINGINLINE void io_uring_prep_multishot_accept_direct(struct io_uring_sqe *sqe,
							 int fd,
							 struct sockaddr *addr,
							 socklen_t *addrlen,
							 int flags)
	URING_NOEXCEPT
{
	io_uring_prep_multishot_accept(sqe, fd, addr, addrlen, flags);
	__io_uring_set_target_fixed_file(sqe, IORING_FILE_INDEX_ALLOC);
}

IOURINGINLINE void io_uring_prep_shutdown(struct io_uring_sqe *sqe, int fd,
					  int how)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_SHUTDOWN, sqe, fd, NULL, (unsigned) how, 0);
}

IOURINGINLINE void io_uring_prep_send(struct io_uring_sqe *sqe, int sockfd,
				      const void *buf, size_t len, int flags)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_SEND, sqe, sockfd, buf, (__u32) len, 0);
	sqe->msg_flags = (__u32) flags;
}

/* Send the buffers of the group set with io_uring_sqe_set_buf_group(). */
IOURINGINLINE void io_uring_prep_send_bundle(struct io_uring_sqe *sqe,
					     int sockfd, size_t len, int flags)
	URING_NOEXCEPT
{
	io_uring_prep_send(sqe, sockfd, NULL, len, flags);
	sqe->ioprio |= IORING_RECVSEND_BUNDLE;
}

IOURINGINLINE void io_uring_prep_send_set_addr(struct io_uring_sqe *sqe,
					       const struct sockaddr *dest_addr,
					       __u16 addr_len)
	URING_NOEXCEPT
{
	sqe->addr2 = (uintptr_t) dest_addr;
	sqe->addr_len = addr_len;
}

IOURINGINLINE void io_uring_prep_sendto(struct io_uring_sqe *sqe, int sockfd,
					const void *buf, size_t len, int flags,
					const struct sockaddr *addr,
					socklen_t addrlen)
	URING_NOEXCEPT
{
	io_uring_prep_send(sqe, sockfd, buf, len, flags);
	io_uring_prep_send_set_addr(sqe, addr, (__u16) addrlen);
}

IOURINGINLINE void io_uring_prep_send_zc(struct io_uring_sqe *sqe, int sockfd,
					 const void *buf, size_t len, int flags,
					 unsigned zc_flags)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_SEND_ZC, sqe, sockfd, buf, (__u32) len, 0);
	sqe->msg_flags = (__u32) flags;
	sqe->ioprio = (__u16) zc_flags;
}

IOURINGINLINE void io_uring_prep_send_zc_fixed(struct io_uring_sqe *sqe,
					       int sockfd, const void *buf,
					       size_t len, int flags,
					       unsigned zc_flags,
					       unsigned buf_index)
	URING_NOEXCEPT
{
	io_uring_prep_send_zc(sqe, sockfd, buf, len, flags, zc_flags);
	sqe->ioprio |= IORING_RECVSEND_FIXED_BUF;
	sqe->buf_index = (__u16) buf_index;
}

IOURINGINLINE void io_uring_prep_sendmsg(struct io_uring_sqe *sqe, int fd,
					 const struct msghdr *msg,
					 unsigned flags)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_SENDMSG, sqe, fd, msg, 1, 0);
	sqe->msg_flags = flags;
}

IOURINGINLINE void io_uring_prep_sendmsg_zc(struct io_uring_sqe *sqe, int fd,
					    const struct msghdr *msg,
					    unsigned flags)
	URING_NOEXCEPT
{
	io_uring_prep_sendmsg(sqe, fd, msg, flags);
	sqe->opcode = IORING_OP_SENDMSG_ZC;
}

IOURINGINLINE void io_uring_prep_sendmsg_zc_fixed(struct io_uring_sqe *sqe,
						  int fd,
						  const struct msghdr *msg,
						  unsigned flags,
						  unsigned buf_index)
	URING_NOEXCEPT
{
	io_uring_prep_sendmsg_zc(sqe, fd, msg, flags);
	sqe->ioprio |= IORING_RECVSEND_FIXED_BUF;
	sqe->buf_index = (__u16) buf_index;
}

IOURINGINLINE void io_uring_prep_recv(struct io_uring_sqe *sqe, int sockfd,
				      void *buf, size_t len, int flags)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_RECV, sqe, sockfd, buf, (__u32) len, 0);
	sqe->msg_flags = (__u32) flags;
}

IOURINGINLINE void io_uring_prep_recv_multishot(struct io_uring_sqe *sqe,
						int sockfd, void *buf,
						size_t len, int flags)
	URING_NOEXCEPT
{
	io_uring_prep_recv(sqe, sockfd, buf, len, flags);
	sqe->ioprio |= IORING_RECV_MULTISHOT;
}

IOURINGINLINE void io_uring_prep_recvmsg(struct io_uring_sqe *sqe, int fd,
					 struct msghdr *msg, unsigned flags)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_RECVMSG, sqe, fd, msg, 1, 0);
	sqe->msg_flags = flags;
}

IOURINGINLINE void io_uring_prep_recvmsg_multishot(struct io_uring_sqe *sqe,
						   int fd, struct msghdr *msg,
						   unsigned flags)
	URING_NOEXCEPT
{
	io_uring_prep_recvmsg(sqe, fd, msg, flags);
	sqe->ioprio |= IORING_RECV_MULTISHOT;
}

/*
 * A multishot recvmsg buffer holds: struct io_uring_recvmsg_out, the name
 * (msg_namelen bytes), the control data (msg_controllen bytes), the payload.
 */
/*
 * Bytes of a buf_len-byte buffer left after those headers, or -1 when they
 * do not fit (a negative buf_len is an error CQE's res: nothing fits).
 * Subtracts one length at a time, so no sum of lengths can wrap.
 */
static inline long __io_uring_recvmsg_room(int buf_len,
					   const struct msghdr *msgh)
	URING_NOEXCEPT
{
	unsigned long left = buf_len > 0 ? (unsigned long) buf_len : 0;

	if (buf_len < 0 || left < sizeof(struct io_uring_recvmsg_out))
		return -1;
	left -= sizeof(struct io_uring_recvmsg_out);
	if (left < msgh->msg_namelen)
		return -1;
	left -= msgh->msg_namelen;
	if (left < msgh->msg_controllen)
		return -1;
	return (long) (left - msgh->msg_controllen);
}

IOURINGINLINE struct io_uring_recvmsg_out *
io_uring_recvmsg_validate(void *buf, int buf_len, struct msghdr *msgh)
	URING_NOEXCEPT
{
	if (__io_uring_recvmsg_room(buf_len, msgh) < 0)
		return NULL;
	return (struct io_uring_recvmsg_out *) buf;
}

IOURINGINLINE void *io_uring_recvmsg_name(struct io_uring_recvmsg_out *o)
	URING_NOEXCEPT
{
	return (void *) &o[1];
}

IOURINGINLINE struct cmsghdr *
io_uring_recvmsg_cmsg_firsthdr(struct io_uring_recvmsg_out *o,
			       struct msghdr *msgh)
	URING_NOEXCEPT
{
	if (o->controllen < sizeof(struct cmsghdr))
		return NULL;
	return (struct cmsghdr *) (void *) ((unsigned char *)
					    io_uring_recvmsg_name(o) +
					    msgh->msg_namelen);
}

IOURINGINLINE struct cmsghdr *
io_uring_recvmsg_cmsg_nexthdr(struct io_uring_recvmsg_out *o,
			      struct msghdr *msgh, struct cmsghdr *cmsg)
	URING_NOEXCEPT
{
	unsigned char *end;
	size_t left;

	if (cmsg->cmsg_len < sizeof(struct cmsghdr))
		return NULL;
	end = (unsigned char *) io_uring_recvmsg_cmsg_firsthdr(o, msgh) +
	      o->controllen;
	/* lengths are checked against the room left before they are
	 * aligned: a huge cmsg_len would wrap CMSG_ALIGN() and step the walk
	 * backwards or nowhere */
	left = (size_t) (end - (unsigned char *) cmsg);
	if (cmsg->cmsg_len > left || CMSG_ALIGN(cmsg->cmsg_len) > left)
		return NULL;
	left -= CMSG_ALIGN(cmsg->cmsg_len);
	cmsg = (struct cmsghdr *) (void *) ((unsigned char *) cmsg +
					    CMSG_ALIGN(cmsg->cmsg_len));
	if (left < sizeof(struct cmsghdr) || cmsg->cmsg_len > left ||
	    CMSG_ALIGN(cmsg->cmsg_len) > left)
		return NULL;
	return cmsg;
}

IOURINGINLINE void *io_uring_recvmsg_payload(struct io_uring_recvmsg_out *o,
					     struct msghdr *msgh)
	URING_NOEXCEPT
{
	return (unsigned char *) io_uring_recvmsg_name(o) +
	       msgh->msg_namelen + msgh->msg_controllen;
}

IOURINGINLINE unsigned int
io_uring_recvmsg_payload_length(struct io_uring_recvmsg_out *o,
				int buf_len, struct msghdr *msgh)
	URING_NOEXCEPT
{
	long room = __io_uring_recvmsg_room(buf_len, msgh);

	(void) o;
	return room > 0 ? (unsigned int) room : 0;
}

/* passthrough commands (IORING_OP_URING_CMD, _CMD128) */

IOURINGINLINE void __io_uring_prep_uring_cmd(struct io_uring_sqe *sqe, int op,
					     __u32 cmd_op, int fd)
	URING_NOEXCEPT
{
	io_uring_prep_rw(op, sqe, fd, NULL, 0, 0);
	sqe->cmd_op = cmd_op;
	sqe->__pad1 = 0;
}

IOURINGINLINE void io_uring_prep_uring_cmd(struct io_uring_sqe *sqe,
					   int cmd_op, int fd)
	URING_NOEXCEPT
{
	__io_uring_prep_uring_cmd(sqe, IORING_OP_URING_CMD, (__u32) cmd_op, fd);
}

IOURINGINLINE void io_uring_prep_uring_cmd128(struct io_uring_sqe *sqe,
					      int cmd_op, int fd)
	URING_NOEXCEPT
{
	__io_uring_prep_uring_cmd(sqe, IORING_OP_URING_CMD128, (__u32) cmd_op, fd);
}

/* getsockopt / setsockopt and friends on a socket */
IOURINGINLINE void io_uring_prep_cmd_sock(struct io_uring_sqe *sqe,
					  int cmd_op, int fd, int level,
					  int optname, void *optval,
					  int optlen)
	URING_NOEXCEPT
{
	io_uring_prep_uring_cmd(sqe, cmd_op, fd);
	sqe->optval = (unsigned long) (uintptr_t) optval;
	sqe->optname = (__u32) optname;
	sqe->optlen = (__u32) optlen;
	sqe->level = (__u32) level;
}

/* getsockname(2), or getpeername(2) when peer is non-zero */
IOURINGINLINE void io_uring_prep_cmd_getsockname(struct io_uring_sqe *sqe,
						 int fd,
						 struct sockaddr *sockaddr,
						 socklen_t *sockaddr_len,
						 int peer)
	URING_NOEXCEPT
{
	io_uring_prep_uring_cmd(sqe, SOCKET_URING_OP_GETSOCKNAME, fd);
	sqe->addr = (uintptr_t) sockaddr;
	sqe->addr3 = (unsigned long) (uintptr_t) sockaddr_len;
	sqe->optlen = (__u32) peer;
}

IOURINGINLINE void io_uring_prep_cmd_discard(struct io_uring_sqe *sqe, int fd,
					     uint64_t offset, uint64_t nbytes)
	URING_NOEXCEPT
{
	io_uring_prep_uring_cmd(sqe, BLOCK_URING_CMD_DISCARD, fd);
	sqe->addr = offset;
	sqe->addr3 = nbytes;
}

IOURINGINLINE void io_uring_prep_cmd_zone_reset_all(struct io_uring_sqe *sqe,
						    int fd)
	URING_NOEXCEPT
{
	io_uring_prep_uring_cmd(sqe, BLOCK_URING_CMD_ZONE_RESET_ALL, fd);
}

/* messages between rings */

IOURINGINLINE void io_uring_prep_msg_ring(struct io_uring_sqe *sqe, int fd,
					  unsigned int len, __u64 data,
					  unsigned int flags)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_MSG_RING, sqe, fd, NULL, len, data);
	sqe->msg_ring_flags = flags;
}

IOURINGINLINE void io_uring_prep_msg_ring_cqe_flags(struct io_uring_sqe *sqe,
						    int fd, unsigned int len,
						    __u64 data,
						    unsigned int flags,
						    unsigned int cqe_flags)
	URING_NOEXCEPT
{
	io_uring_prep_msg_ring(sqe, fd, len, data,
			       IORING_MSG_RING_FLAGS_PASS | flags);
	sqe->file_index = cqe_flags;
}

IOURINGINLINE void io_uring_prep_msg_ring_fd(struct io_uring_sqe *sqe, int fd,
					     int source_fd, int target_fd,
					     __u64 data, unsigned int flags)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_MSG_RING, sqe, fd,
			 (void *) (uintptr_t) IORING_MSG_SEND_FD, 0, data);
	sqe->addr3 = (__u64) source_fd;
	__io_uring_set_target_fixed_file(sqe, (unsigned) target_fd);
	sqe->msg_ring_flags = flags;
}

IOURINGINLINE void io_uring_prep_msg_ring_fd_alloc(struct io_uring_sqe *sqe,
						   int fd, int source_fd,
						   __u64 data,
						   unsigned int flags)
	URING_NOEXCEPT
{
	io_uring_prep_msg_ring_fd(sqe, fd, source_fd,
				  (int) IORING_FILE_INDEX_ALLOC, data, flags);
}

/* processes and futexes */

IOURINGINLINE void io_uring_prep_waitid(struct io_uring_sqe *sqe,
					idtype_t idtype, id_t id,
					siginfo_t *infop, int options,
					unsigned int flags)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_WAITID, sqe, (int) id, NULL,
			 (unsigned) idtype, 0);
	sqe->waitid_flags = flags;
	sqe->file_index = (__u32) options;
	sqe->addr2 = (unsigned long) (uintptr_t) infop;
}

IOURINGINLINE void io_uring_prep_futex_wake(struct io_uring_sqe *sqe,
					    const uint32_t *futex, uint64_t val,
					    uint64_t mask,
					    uint32_t futex_flags,
					    unsigned int flags)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_FUTEX_WAKE, sqe, (int) futex_flags, futex, 0,
			 val);
	sqe->futex_flags = flags;
	sqe->addr3 = mask;
}

IOURINGINLINE void io_uring_prep_futex_wait(struct io_uring_sqe *sqe,
					    const uint32_t *futex, uint64_t val,
					    uint64_t mask,
					    uint32_t futex_flags,
					    unsigned int flags)
	URING_NOEXCEPT
{
	io_uring_prep_futex_wake(sqe, futex, val, mask, futex_flags, flags);
	sqe->opcode = IORING_OP_FUTEX_WAIT;
}

IOURINGINLINE void io_uring_prep_futex_waitv(struct io_uring_sqe *sqe,
					     const struct futex_waitv *futex,
					     uint32_t nr_futex,
					     unsigned int flags)
	URING_NOEXCEPT
{
	io_uring_prep_rw(IORING_OP_FUTEX_WAITV, sqe, 0, futex, nr_futex, 0);
	sqe->futex_flags = flags;
}

/* ---- Probe ---- */

IOURINGINLINE int io_uring_opcode_supported(const struct io_uring_probe *p,
					    int op)
	URING_NOEXCEPT
{
	if (!p || op < 0 || op > p->last_op || op >= p->ops_len)
		return 0;
	return (p->ops[op].flags & IO_URING_OP_SUPPORTED) != 0;
}

/* ---- Provided buffer rings ---- */

IOURINGINLINE int io_uring_buf_ring_mask(__u32 ring_entries)
	URING_NOEXCEPT
{
	return (int) (ring_entries - 1);
}

IOURINGINLINE void io_uring_buf_ring_init(struct io_uring_buf_ring *br)
	URING_NOEXCEPT
{
	br->tail = 0;
}

/* Stage a buffer at position buf_offset past the tail; publish with advance. */
IOURINGINLINE void io_uring_buf_ring_add(struct io_uring_buf_ring *br,
					 void *addr, unsigned int len,
					 unsigned short bid, int mask,
					 int buf_offset)
	URING_NOEXCEPT
{
	struct io_uring_buf *buf = &br->bufs[(br->tail + buf_offset) & mask];

	buf->addr = (unsigned long) (uintptr_t) addr;
	buf->len = len;
	buf->bid = bid;
}

/* Publish count staged buffers to the kernel. */
IOURINGINLINE void io_uring_buf_ring_advance(struct io_uring_buf_ring *br,
					     int count)
	URING_NOEXCEPT
{
	unsigned short new_tail = (unsigned short) (br->tail + count);

	/* release: pairs with the kernel's acquire of the tail before it
	 * reads the buffer entries we just wrote */
	io_uring_smp_store_release(&br->tail, new_tail);
}

IOURINGINLINE void __io_uring_buf_ring_cq_advance(struct io_uring *ring,
						  struct io_uring_buf_ring *br,
						  int cq_count, int buf_count)
	URING_NOEXCEPT
{
	io_uring_buf_ring_advance(br, buf_count);
	io_uring_cq_advance(ring, (unsigned) cq_count);
}

/* Publish count buffers and retire count CQEs in one go. */
IOURINGINLINE void io_uring_buf_ring_cq_advance(struct io_uring *ring,
						struct io_uring_buf_ring *br,
						int count)
	URING_NOEXCEPT
{
	__io_uring_buf_ring_cq_advance(ring, br, count, count);
}

/* Buffers the kernel has not consumed yet, or -errno. */
IOURINGINLINE int io_uring_buf_ring_available(struct io_uring *ring,
					      struct io_uring_buf_ring *br,
					      unsigned short bgid)
	URING_NOEXCEPT
{
	uint16_t head;
	int ret;

	ret = io_uring_buf_ring_head(ring, bgid, &head);
	if (ret)
		return ret;
	return (uint16_t) (br->tail - head);
}

/* ---- 128-byte SQEs ---- */

/*
 * A 128-byte SQE: any SQE of an IORING_SETUP_SQE128 ring, or two adjacent
 * slots of an IORING_SETUP_SQE_MIXED ring (a NOP pads the last slot when
 * the pair would wrap).  NULL when there is no room or the ring has neither.
 */
IOURINGINLINE struct io_uring_sqe *io_uring_get_sqe128(struct io_uring *ring)
	URING_NOEXCEPT
{
	struct io_uring_sqe *sqe;

	if (ring->flags & IORING_SETUP_SQE128)
		return _io_uring_get_sqe(ring);
	if (!(ring->flags & IORING_SETUP_SQE_MIXED))
		return NULL;
	if ((ring->sq.sqe_tail & ring->sq.ring_mask) == ring->sq.ring_mask) {
		if (io_uring_sq_space_left(ring) < 3)
			return NULL;
		sqe = _io_uring_get_sqe(ring);
		io_uring_prep_nop(sqe);
		sqe->flags = IOSQE_CQE_SKIP_SUCCESS;
	}
	sqe = _io_uring_get_sqes(ring, 2);
	return sqe;
}

/*
 * ==== uring extensions ====
 *
 * Not part of liburing: helpers only this library provides.  Every name
 * starts with uring_ (never io_uring_) and is exported in its own symbol
 * version node, URING_1.0, so the liburing ABI above is untouched.
 */
#define URING_EXT_VERSION	1

/* How uring_kernel_caps() learned the register opcodes. */
enum {
	URING_REGOPS_NONE	= 0,	/* not learned: io_uring is unusable */
	URING_REGOPS_QUERY	= 1,	/* IORING_REGISTER_QUERY */
	URING_REGOPS_RESTRICTED	= 2,	/* a restricted scratch ring: -EACCES vs -EINVAL */
	URING_REGOPS_GUESS	= 3,	/* argument-less calls (kernels before 5.10) */
	URING_REGOPS_DENIED	= 4,	/* io_uring_register refused (seccomp, LSM) */
};

/* What the running kernel supports; see uring_kernel_caps(3). */
struct uring_kernel_caps {
	bool available;			/* a ring can be set up at all */
	int setup_error;		/* -errno of a plain setup when !available */
	char release[65];		/* uname -r */
	unsigned features;		/* IORING_FEAT_* */
	unsigned setup_flags;		/* IORING_SETUP_* accepted, each tested */
	unsigned nr_ops;		/* opcodes the kernel knows (probe) */
	unsigned nr_register_ops;	/* register opcodes the kernel knows */
	int register_method;		/* URING_REGOPS_* */
	bool op_supported[256];		/* by IORING_OP_* */
	bool register_op_supported[64];	/* by IORING_REGISTER_* */
	bool has_query;			/* IORING_REGISTER_QUERY answered: */
	__u64 query_features;		/*   IORING_FEAT_* it reports */
	__u64 query_setup_flags;	/*   IORING_SETUP_* it reports */
	__u64 query_enter_flags;	/*   IORING_ENTER_* it reports */
	__u64 query_sqe_flags;		/*   IOSQE_* it reports */
};

/* Learned once per process (thread-safe); never NULL. */
const struct uring_kernel_caps *uring_kernel_caps(void) URING_NOEXCEPT;

/*
 * io_uring_queue_init_params() with p->flags required and optional_flags
 * tried: each optional flag the kernel refuses is dropped (with the flags
 * that depend on it).  *kept_flags gets the optional flags in use.
 */
int uring_queue_init_adaptive(unsigned entries, struct io_uring *ring,
			      struct io_uring_params *p,
			      unsigned optional_flags, unsigned *kept_flags)
	URING_NOEXCEPT;

/*
 * Turn a failed setup (entries and p as passed; p may be NULL) or
 * registration into a sentence saying why and what to do.  Return the
 * length of the full message, like snprintf(), or -EINVAL.
 */
int uring_explain(int err, unsigned entries, const struct io_uring_params *p,
		  char *buf, size_t len) URING_NOEXCEPT;
int uring_explain_register(int err, unsigned opcode, char *buf, size_t len)
	URING_NOEXCEPT;

/* "READ" for IORING_OP_READ, "SQPOLL", "NATIVE_WORKERS",
 * "REGISTER_BUFFERS"; NULL when unknown.  Flag names take a single bit. */
const char *uring_opcode_name(int op) URING_NOEXCEPT;
const char *uring_setup_flag_name(unsigned flag) URING_NOEXCEPT;
const char *uring_feature_name(unsigned feature) URING_NOEXCEPT;
const char *uring_register_op_name(unsigned opcode) URING_NOEXCEPT;

/* ==== end of uring extensions ==== */

#ifdef __cplusplus
}
#endif

/* As liburing's header does: IOURINGINLINE is not left behind for the program. */
#undef IOURINGINLINE

#endif /* LIBURING_URING_H */
