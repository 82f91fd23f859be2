/* SPDX-License-Identifier: MIT */
/*
 * Source compatibility: a program written for liburing 2.15 uses the whole
 * surface of its headers, not just the functions.  This one does so the way
 * such programs do, and tests/header_modes.py compiles it as C (gnu99,
 * gnu11, c99, c11) and C++ (c++11 .. c++20) with -Wall -Wextra -Werror,
 * after compiling each installed header included first and alone, then
 * links and runs it.  It prints "ok" when everything held.
 *
 * What it relies on, each as liburing provides it:
 *   - <liburing/compat.h>'s kernel types, the query and BPF filter structs,
 *     and <linux/filter.h>'s struct sock_fprog, all through <liburing.h>;
 *   - uring_ptr_to_u64(), and the __NR_io_uring_* syscall numbers;
 *   - <stdatomic.h> (C) or <atomic> (C++), brought in by <liburing.h>, and
 *     in C the barrier macros on the program's own _Atomic variables;
 *   - in C++, every function noexcept (LIBURING_NOEXCEPT): checked by hand
 *     for C++11 on, and for every exported function from C++17 on, where
 *     noexcept is part of a function's type;
 *   - no private name of the library in the program's way (INT_FLAG_*),
 *     nor its include guard (the program's own "uring.h", guarded by
 *     URING_H, includes <liburing.h>: tests/app/uring.h), nor
 *     IOURINGINLINE after the header.
 * With -DURING_HAVE_EXPORTED_NAMES, "exported_names.h" (written by the
 * driver from liburing-ffi.so.2) lists every function the library exports:
 * each must be declared by the header.
 */
#include "app/uring.h"		/* the program's own uring.h, first */
#include <liburing.h>
#include <liburing/io_uring/query.h>	/* again, as liburing's own programs do */
#include <liburing/io_uring/bpf_filter.h>

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifdef URING_HAVE_EXPORTED_NAMES
#include "exported_names.h"
#endif

/*
 * <liburing.h> leaves IOURINGINLINE undefined behind it, as liburing's does:
 * a later header of the program may define its own (a C++ module wrapper
 * uses "inline") around an include of <liburing.h> without redefining ours.
 */
#ifdef IOURINGINLINE
#error "<liburing.h> leaves IOURINGINLINE defined"
#endif
#define IOURINGINLINE	static inline
#include <liburing.h>
#undef IOURINGINLINE

/* the library's private state has no names here: the program's own win */
#if defined(INT_FLAG_REG_RING) || defined(INT_FLAG_APP_MEM) || defined(INT_FLAG_CQ_ENTER)
#error "<liburing.h> defines the library's private INT_FLAG_* names"
#endif
enum { INT_FLAG_REG_RING = 3, INT_FLAG_APP_MEM = 5, INT_FLAG_CQ_ENTER = 7 };

#ifndef LIBURING_NOEXCEPT
#error "LIBURING_NOEXCEPT is not defined"
#endif

#if !defined(__NR_io_uring_setup) || !defined(__NR_io_uring_enter) || \
    !defined(__NR_io_uring_register)
#error "<liburing.h> does not provide the io_uring syscall numbers"
#endif

#ifdef __cplusplus
#define CHECK(cond, what)	static_assert(cond, what)
#else
#define CHECK(cond, what)	_Static_assert(cond, what)
#endif

/* the UAPI layouts a program fills by hand */
CHECK(sizeof(struct io_uring_query_hdr) == 40, "io_uring_query_hdr");
CHECK(offsetof(struct io_uring_query_hdr, result) == 24, "query_hdr.result");
CHECK(sizeof(struct io_uring_query_opcode) == 48, "io_uring_query_opcode");
CHECK(sizeof(struct io_uring_query_zcrx) == 40, "io_uring_query_zcrx");
CHECK(sizeof(struct io_uring_query_scq) == 16, "io_uring_query_scq");
CHECK(sizeof(struct io_uring_bpf_ctx) == 40, "io_uring_bpf_ctx");
CHECK(offsetof(struct io_uring_bpf_ctx, socket) == 16, "bpf_ctx.socket");
CHECK(offsetof(struct io_uring_bpf_ctx, open) == 16, "bpf_ctx.open");
CHECK(sizeof(struct io_uring_bpf_filter) == 64, "io_uring_bpf_filter");
CHECK(offsetof(struct io_uring_bpf_filter, filter_ptr) == 16, "bpf_filter.filter_ptr");
CHECK(sizeof(struct io_uring_bpf) == 72, "io_uring_bpf");
CHECK(offsetof(struct io_uring_bpf, filter) == 8, "io_uring_bpf.filter");
CHECK(IO_URING_QUERY_SCQ == 2 && IO_URING_BPF_FILTER_SZ_STRICT == 2 &&
      IO_URING_BPF_CMD_FILTER == 1, "query / BPF constants");
/* <liburing/compat.h> */
CHECK(sizeof(struct __kernel_timespec) == 16, "__kernel_timespec");
CHECK(sizeof(struct open_how) == 24, "open_how");
CHECK(sizeof(struct futex_waitv) == 24, "futex_waitv");
CHECK(sizeof(__kernel_rwf_t) == 4, "__kernel_rwf_t");
CHECK(BLOCK_URING_CMD_DISCARD != BLOCK_URING_CMD_ZONE_RESET_ALL, "BLOCK_URING_CMD_*");

#ifdef __cplusplus
/* noexcept as an operator: C++11 and later */
CHECK(noexcept(io_uring_queue_init(0, nullptr, 0)), "io_uring_queue_init");
CHECK(noexcept(io_uring_submit(nullptr)), "io_uring_submit");
CHECK(noexcept(io_uring_submit_and_wait(nullptr, 0)), "io_uring_submit_and_wait");
CHECK(noexcept(io_uring_wait_cqes(nullptr, nullptr, 0, nullptr, nullptr)),
      "io_uring_wait_cqes");
CHECK(noexcept(io_uring_register_query(nullptr)), "io_uring_register_query");
CHECK(noexcept(io_uring_register_bpf_filter(nullptr, nullptr)),
      "io_uring_register_bpf_filter");
CHECK(noexcept(io_uring_get_probe()), "io_uring_get_probe");
CHECK(noexcept(io_uring_setup(0, nullptr)), "io_uring_setup");
CHECK(noexcept(io_uring_enter(0, 0, 0, 0, nullptr)), "io_uring_enter");
CHECK(noexcept(io_uring_get_sqe(nullptr)), "io_uring_get_sqe");
CHECK(noexcept(io_uring_prep_nop(nullptr)), "io_uring_prep_nop");
CHECK(noexcept(io_uring_cqe_seen(nullptr, nullptr)), "io_uring_cqe_seen");
CHECK(noexcept(uring_ptr_to_u64(nullptr)), "uring_ptr_to_u64");
CHECK(noexcept(uring_opcode_name(0)), "uring_opcode_name");

#if __cplusplus >= 201703L
/* noexcept in the type: a noexcept function pointer takes the address */
template <class T> struct is_noexcept_fn { static const bool value = false; };
template <class R, class... A> struct is_noexcept_fn<R (*)(A...) noexcept> {
	static const bool value = true;
};
static int (*const submit_fn)(struct io_uring *) noexcept = &io_uring_submit;
static void (*const seen_fn)(struct io_uring *, struct io_uring_cqe *) noexcept =
	&io_uring_cqe_seen;
#ifdef URING_HAVE_EXPORTED_NAMES
#define NOEXCEPT_FN(name) \
	static_assert(is_noexcept_fn<decltype(&name)>::value, #name " is not noexcept");
URING_EXPORTED_NAMES(NOEXCEPT_FN)
#endif
#endif
#endif /* __cplusplus */

#if defined(URING_HAVE_EXPORTED_NAMES) && !(defined(__cplusplus) && __cplusplus >= 201703L)
/* each exported function is declared by the header */
#define DECLARED(name)	(void) &name;
static void exported_are_declared(void)
{
	URING_EXPORTED_NAMES(DECLARED)
}
#endif

/* the atomics <liburing.h> brought in, on a counter of our own */
#ifdef __cplusplus
static std::atomic<unsigned> completions(0);
#define count_completion()	completions.fetch_add(1, std::memory_order_relaxed)
#define completions_seen()	completions.load(std::memory_order_acquire)
#else
/* in C, liburing's barrier macros take the program's _Atomic variables too */
static atomic_uint completions;
#define count_completion() \
	io_uring_smp_store_release(&completions, IO_URING_READ_ONCE(completions) + 1)
#define completions_seen()	io_uring_smp_load_acquire(&completions)
#endif

/* A filter program, as a program hands one to the kernel. */
static void fill_bpf_filter(struct io_uring_bpf *bpf, struct sock_fprog *prog)
{
	static struct sock_filter allow[] = {
		BPF_STMT(BPF_RET | BPF_K, 1),
	};

	prog->len = 1;
	prog->filter = allow;
	memset(bpf, 0, sizeof(*bpf));
	bpf->cmd_type = IO_URING_BPF_CMD_FILTER;
	bpf->filter.opcode = IORING_OP_NOP;
	bpf->filter.filter_len = prog->len;
	bpf->filter.filter_ptr = uring_ptr_to_u64(prog->filter);
}

/*
 * The query chain: opcodes, zero-copy receive, SQ/CQ header.  Kernels
 * before 6.18 refuse IORING_REGISTER_QUERY (-EINVAL): nothing to check.
 * A query the kernel does not know gets its own negative result.
 */
static int query_kernel(void)
{
	struct io_uring_query_opcode op;
	struct io_uring_query_zcrx zcrx;
	struct io_uring_query_scq scq;
	struct io_uring_query_hdr hdr[3];
	int ret;

	memset(hdr, 0, sizeof(hdr));
	memset(&op, 0, sizeof(op));
	memset(&zcrx, 0, sizeof(zcrx));
	memset(&scq, 0, sizeof(scq));
	hdr[0].query_op = IO_URING_QUERY_OPCODES;
	hdr[0].query_data = uring_ptr_to_u64(&op);
	hdr[0].size = sizeof(op);
	hdr[0].next_entry = uring_ptr_to_u64(&hdr[1]);
	hdr[1].query_op = IO_URING_QUERY_ZCRX;
	hdr[1].query_data = uring_ptr_to_u64(&zcrx);
	hdr[1].size = sizeof(zcrx);
	hdr[1].next_entry = uring_ptr_to_u64(&hdr[2]);
	hdr[2].query_op = IO_URING_QUERY_SCQ;
	hdr[2].query_data = uring_ptr_to_u64(&scq);
	hdr[2].size = sizeof(scq);

	ret = io_uring_register_query(hdr);
	if (ret == -EINVAL)
		return 0;
	if (ret < 0 || hdr[0].result != 0) {
		fprintf(stderr, "query: %d, opcodes result %d\n", ret, hdr[0].result);
		return 1;
	}
	if (op.nr_request_opcodes <= IORING_OP_NOP ||
	    !(op.feature_flags & IORING_FEAT_NODROP) ||
	    !(op.ring_setup_flags & IORING_SETUP_SQPOLL)) {
		fprintf(stderr, "query: implausible opcode answer\n");
		return 1;
	}
	if (hdr[2].result == 0 && scq.hdr_size == 0) {
		fprintf(stderr, "query: SQ/CQ header of size 0\n");
		return 1;
	}
	return hdr[1].result > 0 || hdr[2].result > 0;
}

/* the helper tests/app/uring.h declares */
int app_submit_nop(struct io_uring *ring, __u64 user_data)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (!sqe)
		return -EBUSY;
	io_uring_prep_nop(sqe);
	io_uring_sqe_set_data64(sqe, user_data);
	return io_uring_submit(ring);
}

/*
 * A ring set up with the raw system calls, as programs that manage the fd
 * themselves do, then handed to io_uring_queue_mmap().
 */
static int raw_syscall_ring(void)
{
	struct io_uring_params p;
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	unsigned head, tail;
	long fd, ret;

	memset(&p, 0, sizeof(p));
	fd = syscall(__NR_io_uring_setup, 4, &p);
	if (fd < 0) {
		perror("io_uring_setup via syscall()");
		return 1;
	}
	/* a plain io_uring_enter() with nothing to do: 0 submitted */
	ret = syscall(__NR_io_uring_enter, (int) fd, 0, 0, 0, NULL, 0);
	if (ret != 0) {
		perror("io_uring_enter via syscall()");
		return 1;
	}
	ret = syscall(__NR_io_uring_register, (int) fd, IORING_REGISTER_PROBE, NULL, 0);
	if (ret != -1) {	/* a probe needs an argument: EINVAL or EFAULT */
		fprintf(stderr, "io_uring_register via syscall(): %ld\n", ret);
		return 1;
	}
	ret = io_uring_queue_mmap((int) fd, &p, &ring);
	if (ret) {
		fprintf(stderr, "io_uring_queue_mmap: %ld\n", ret);
		close((int) fd);
		return 1;
	}
	if (app_submit_nop(&ring, APP_QUEUE_DEPTH) != 1 ||
	    io_uring_submit_and_wait(&ring, 1) != 0)
		return 1;
	/* the ring's words, read the way programs read them */
	head = IO_URING_READ_ONCE(*ring.cq.khead);
	tail = io_uring_smp_load_acquire(ring.cq.ktail);
	if (tail - head != 1)
		return 1;
	io_uring_for_each_cqe(&ring, head, cqe) {
		if (cqe->res != 0 || cqe->user_data != APP_QUEUE_DEPTH)
			return 1;
		count_completion();
	}
	io_uring_cq_advance(&ring, 1);
	io_uring_queue_exit(&ring);
	return completions_seen() != 1;
}

int main(void)
{
	struct io_uring_bpf bpf;
	struct sock_fprog prog;
	int private_names = INT_FLAG_REG_RING + INT_FLAG_APP_MEM + INT_FLAG_CQ_ENTER;

#if defined(URING_HAVE_EXPORTED_NAMES) && !(defined(__cplusplus) && __cplusplus >= 201703L)
	exported_are_declared();
#endif
#if defined(__cplusplus) && __cplusplus >= 201703L
	if (submit_fn != &io_uring_submit || seen_fn != &io_uring_cqe_seen)
		return 1;
#endif
	fill_bpf_filter(&bpf, &prog);
	if (bpf.filter.filter_ptr != (__u64) (uintptr_t) prog.filter ||
	    uring_ptr_to_u64(NULL) != 0 || private_names != 15)
		return 1;
	if (raw_syscall_ring() || query_kernel())
		return 1;
	printf("ok\n");
	return 0;
}
