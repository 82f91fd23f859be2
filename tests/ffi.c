/* SPDX-License-Identifier: MIT */
/*
 * liburing-ffi.so.2 used the way FFI bindings (Python's liburing package)
 * use it: dlopen() the library, find every function with dlsym(), call it.
 * This program does not link against the library; meson passes the path of
 * the built liburing-ffi shared library as argv[1].
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* for the types and the inline reference versions of the prep helpers */
#include <liburing.h>

static const char *ffi_path;
static void *ffi;

/* A function of the FFI library, typed like the header's prototype. */
#define FFI(name) ((__typeof__(&name)) ffi_sym(#name))

static void *ffi_sym(const char *name)
{
	void *p = dlsym(ffi, name);

	if (!p)
		fail_msg("dlsym(%s): %s", name, dlerror());
	return p;
}

static int open_lib(void **state)
{
	(void) state;
	ffi = dlopen(ffi_path, RTLD_NOW | RTLD_LOCAL);
	if (!ffi) {
		fprintf(stderr, "# dlopen(%s): %s\n", ffi_path, dlerror());
		return -1;
	}
	return 0;
}

static int close_lib(void **state)
{
	(void) state;
	return dlclose(ffi);
}

/* The NOP round trip, every step through a dlsym()ed pointer. */
static void nop_roundtrip(void **state)
{
	int (*queue_init)(unsigned, struct io_uring *, unsigned) =
		FFI(io_uring_queue_init);
	struct io_uring_sqe *(*get_sqe)(struct io_uring *) = FFI(io_uring_get_sqe);
	void (*prep_nop)(struct io_uring_sqe *) = FFI(io_uring_prep_nop);
	void (*set_data64)(struct io_uring_sqe *, __u64) =
		FFI(io_uring_sqe_set_data64);
	int (*submit)(struct io_uring *) = FFI(io_uring_submit);
	int (*wait_cqe)(struct io_uring *, struct io_uring_cqe **) =
		FFI(io_uring_wait_cqe);
	__u64 (*get_data64)(const struct io_uring_cqe *) =
		FFI(io_uring_cqe_get_data64);
	void (*cqe_seen)(struct io_uring *, struct io_uring_cqe *) =
		FFI(io_uring_cqe_seen);
	void (*queue_exit)(struct io_uring *) = FFI(io_uring_queue_exit);
	unsigned (*cq_ready)(const struct io_uring *) = FFI(io_uring_cq_ready);
	/* bindings allocate the struct as opaque memory of the right size */
	struct io_uring *ring = calloc(1, sizeof(*ring));
	struct io_uring_cqe *cqe = NULL;
	int i;

	(void) state;
	assert_non_null(ring);
	assert_int_equal(queue_init(8, ring, 0), 0);
	for (i = 0; i < 3; i++) {
		struct io_uring_sqe *sqe = get_sqe(ring);

		assert_non_null(sqe);
		prep_nop(sqe);
		set_data64(sqe, 0xc0ffee00ULL + (unsigned) i);
	}
	assert_int_equal(submit(ring), 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(wait_cqe(ring, &cqe), 0);
		assert_non_null(cqe);
		assert_int_equal(cqe->res, 0);
		assert_true(get_data64(cqe) == 0xc0ffee00ULL + (unsigned) i);
		cqe_seen(ring, cqe);
	}
	assert_int_equal(cq_ready(ring), 0);
	queue_exit(ring);
	free(ring);
}

/* Header-inline helpers that the FFI library must export (a sample). */
static const char *const inline_names[] = {
	"io_uring_get_sqe", "io_uring_get_sqe128", "io_uring_peek_cqe",
	"io_uring_wait_cqe", "io_uring_wait_cqe_nr", "__io_uring_peek_cqe",
	"io_uring_cq_advance", "io_uring_cqe_seen", "io_uring_cq_ready",
	"io_uring_cq_has_overflow", "io_uring_cq_eventfd_enabled",
	"io_uring_cq_eventfd_toggle", "io_uring_cqe_iter_init",
	"io_uring_cqe_iter_next", "io_uring_cqe_nr", "io_uring_sq_ready",
	"io_uring_sq_space_left", "io_uring_sqring_wait",
	"io_uring_sqe_set_data", "io_uring_cqe_get_data",
	"io_uring_sqe_set_flags", "io_uring_sqe_set_buf_group",
	"io_uring_opcode_supported", "io_uring_buf_ring_add",
	"io_uring_buf_ring_advance", "io_uring_buf_ring_cq_advance",
	"__io_uring_buf_ring_cq_advance", "io_uring_buf_ring_init",
	"io_uring_buf_ring_mask", "io_uring_buf_ring_available",
	"io_uring_recvmsg_validate", "io_uring_recvmsg_name",
	"io_uring_recvmsg_payload", "io_uring_recvmsg_payload_length",
	"io_uring_recvmsg_cmsg_firsthdr", "io_uring_recvmsg_cmsg_nexthdr",
	"io_uring_prep_rw", "io_uring_prep_read", "io_uring_prep_writev2",
	"io_uring_prep_readv_fixed", "io_uring_prep_openat2_direct",
	"io_uring_prep_send_zc_fixed", "io_uring_prep_sendmsg_zc_fixed",
	"io_uring_prep_recv_multishot", "io_uring_prep_cmd_sock",
	"io_uring_prep_cmd_getsockname", "io_uring_prep_cmd_zone_reset_all",
	"io_uring_prep_msg_ring_fd_alloc", "io_uring_prep_futex_waitv",
	"io_uring_prep_waitid", "io_uring_prep_pipe_direct",
	"io_uring_prep_nop128", "io_uring_prep_uring_cmd128",
	"io_uring_prep_epoll_wait", "io_uring_prep_bind",
	"io_uring_prep_listen", "io_uring_prep_fixed_fd_install",
	"io_uring_prep_ftruncate", "io_uring_prep_madvise64",
	"io_uring_prep_fadvise64",
};

/* Symbol version nodes liburing 2.15 gives a few of them in the FFI library. */
static const struct {
	const char *name;
	const char *node;
} versioned[] = {
	{ "io_uring_prep_nop", "LIBURING_2.4" },
	{ "io_uring_get_sqe", "LIBURING_2.4" },
	{ "io_uring_queue_init", "LIBURING_2.4" },
	{ "io_uring_prep_ftruncate", "LIBURING_2.6" },
	{ "io_uring_prep_bind", "LIBURING_2.7" },
	{ "io_uring_prep_open", "LIBURING_2.8" },
	{ "io_uring_sqe_set_buf_group", "LIBURING_2.9" },
	{ "io_uring_prep_readv_fixed", "LIBURING_2.10" },
	{ "io_uring_cqe_nr", "LIBURING_2.12" },
	{ "io_uring_get_sqe128", "LIBURING_2.13" },
	{ "io_uring_cqe_iter_next", "LIBURING_2.15" },
	{ "io_uring_prep_cmd_zone_reset_all", "LIBURING_2.16" },
};

/* Inline in liburing 2.15 but not exported by its FFI library. */
static const char *const not_exported[] = {
	"__io_uring_prep_uring_cmd", "io_uring_initialize_sqe",
	"io_uring_load_sq_head", "io_uring_sqe_shift",
	"io_uring_sqe_shift_from_flags", "io_uring_cqe_shift",
	"io_uring_cqe_shift_from_flags",
};

static void inline_symbols(void **state)
{
	size_t i;
	int missing = 0;

	(void) state;
	for (i = 0; i < sizeof(inline_names) / sizeof(inline_names[0]); i++) {
		if (!dlsym(ffi, inline_names[i])) {
			print_message("# missing: %s\n", inline_names[i]);
			missing++;
		}
	}
	for (i = 0; i < sizeof(versioned) / sizeof(versioned[0]); i++) {
		if (!dlvsym(ffi, versioned[i].name, versioned[i].node)) {
			print_message("# no %s@%s\n", versioned[i].name,
				      versioned[i].node);
			missing++;
		}
	}
	for (i = 0; i < sizeof(not_exported) / sizeof(not_exported[0]); i++) {
		if (dlsym(ffi, not_exported[i])) {
			print_message("# exported but should not be: %s\n",
				      not_exported[i]);
			missing++;
		}
	}
	assert_int_equal(missing, 0);
}

/*
 * The exported helpers fill SQEs exactly like the header's inline ones:
 * each pair runs on SQEs pre-filled with the same garbage.
 */
#define SAME_SQE(name, ...)						\
	do {								\
		struct io_uring_sqe a, b;				\
		memset(&a, 0x5c, sizeof(a));				\
		memset(&b, 0x5c, sizeof(b));				\
		name(&a, __VA_ARGS__);					\
		FFI(name)(&b, __VA_ARGS__);				\
		if (memcmp(&a, &b, sizeof(a))) {			\
			print_message("# %s differs\n", #name);		\
			diffs++;					\
		}							\
	} while (0)

static void prep_matches_inline(void **state)
{
	static char buf[16];
	static struct iovec iov = { buf, sizeof(buf) };
	static struct msghdr msg;
	static struct __kernel_timespec ts;
	static struct open_how how;
	static struct sockaddr_storage ss;
	static socklen_t sl = sizeof(ss);
	static uint32_t fu;
	static siginfo_t si;
	static int fds[2];
	int diffs = 0;

	(void) state;
	{
		struct io_uring_sqe a, b;

		memset(&a, 0x5c, sizeof(a));
		memset(&b, 0x5c, sizeof(b));
		io_uring_prep_rw(IORING_OP_READ, &a, 3, buf, 7, 9);
		FFI(io_uring_prep_rw)(IORING_OP_READ, &b, 3, buf, 7, 9);
		diffs += memcmp(&a, &b, sizeof(a)) != 0;
	}
	SAME_SQE(io_uring_prep_readv2, 3, &iov, 1, 11, RWF_NOWAIT);
	SAME_SQE(io_uring_prep_readv_fixed, 3, &iov, 1, 11, 0, 2);
	SAME_SQE(io_uring_prep_read_multishot, 3, 64, 0, 5);
	SAME_SQE(io_uring_prep_fallocate, 3, 1, 4096, 1ULL << 33);
	SAME_SQE(io_uring_prep_fadvise64, 3, 0, (off_t) 1 << 33, 2);
	SAME_SQE(io_uring_prep_madvise64, buf, (off_t) 1 << 33, 4);
	SAME_SQE(io_uring_prep_poll_update, 1, 2, POLLIN, IORING_POLL_UPDATE_EVENTS);
	SAME_SQE(io_uring_prep_timeout_update, &ts, 7, 0);
	SAME_SQE(io_uring_prep_cancel_fd, 3, IORING_ASYNC_CANCEL_ALL);
	SAME_SQE(io_uring_prep_openat_direct, 3, "x", O_RDONLY, 0, IORING_FILE_INDEX_ALLOC);
	SAME_SQE(io_uring_prep_openat2_direct, 3, "x", &how, 5);
	SAME_SQE(io_uring_prep_close_direct, 4);
	SAME_SQE(io_uring_prep_files_update, fds, 2, 1);
	SAME_SQE(io_uring_prep_fixed_fd_install, 1, 0);
	SAME_SQE(io_uring_prep_renameat, 3, "a", 4, "b", 1);
	SAME_SQE(io_uring_prep_linkat, 3, "a", 4, "b", AT_SYMLINK_FOLLOW);
	SAME_SQE(io_uring_prep_getxattr, "user.a", buf, "p", 16);
	SAME_SQE(io_uring_prep_fsetxattr, 3, "user.a", buf, 1, 16);
	SAME_SQE(io_uring_prep_splice, 3, 100, 4, -1, 512, 0);
	SAME_SQE(io_uring_prep_tee, 3, 4, 512, 0);
	SAME_SQE(io_uring_prep_pipe_direct, fds, 0, 6);
	SAME_SQE(io_uring_prep_provide_buffers, buf, 4, 4, 7, 1);
	SAME_SQE(io_uring_prep_socket_direct_alloc, AF_INET, SOCK_DGRAM, 0, 0);
	SAME_SQE(io_uring_prep_multishot_accept_direct, 3, NULL, NULL, 0);
	SAME_SQE(io_uring_prep_sendto, 3, buf, 4, 0, (struct sockaddr *) &ss, sl);
	SAME_SQE(io_uring_prep_send_bundle, 3, 0, 0);
	SAME_SQE(io_uring_prep_send_zc_fixed, 3, buf, 4, 0, 1, 2);
	SAME_SQE(io_uring_prep_sendmsg_zc_fixed, 3, &msg, 0, 2);
	SAME_SQE(io_uring_prep_recvmsg_multishot, 3, &msg, 0);
	SAME_SQE(io_uring_prep_cmd_sock, SOCKET_URING_OP_GETSOCKOPT, 3, 1, 8, buf, 4);
	SAME_SQE(io_uring_prep_cmd_getsockname, 3, (struct sockaddr *) &ss, &sl, 1);
	SAME_SQE(io_uring_prep_cmd_discard, 3, 4096, 8192);
	SAME_SQE(io_uring_prep_msg_ring_cqe_flags, 3, 1, 2, 0, 0x10000);
	SAME_SQE(io_uring_prep_msg_ring_fd_alloc, 3, 4, 5, 0);
	SAME_SQE(io_uring_prep_waitid, P_PID, 12, &si, WEXITED, 0);
	SAME_SQE(io_uring_prep_futex_wait, &fu, 1, 2, 0x82, 0);
	SAME_SQE(io_uring_prep_epoll_wait, 3, NULL, 8, 0);
	SAME_SQE(io_uring_prep_uring_cmd128, 7, 3);
	assert_int_equal(diffs, 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nop_roundtrip),
		cmocka_unit_test(inline_symbols),
		cmocka_unit_test(prep_matches_inline),
	};

	if (argc < 2) {
		fprintf(stderr, "usage: %s path/to/liburing-ffi.so.2\n", argv[0]);
		return 2;
	}
	ffi_path = argv[1];
	return cmocka_run_group_tests(tests, open_lib, close_lib);
}
