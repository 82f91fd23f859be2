/* SPDX-License-Identifier: MIT */
/*
 * One translation unit, compiled by tests/header_modes.py as C (gnu99,
 * gnu11, c99, c11) and as C++ (c++11 .. c++20) with -Wall -Wextra -Werror:
 * it includes <liburing.h>, touches a wide set of inline helpers (so each
 * body is instantiated and warned about), and runs a NOP round trip against
 * the built library.  Prints "ok" and exits 0 on success.
 */
#include <liburing.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <linux/futex.h>

#ifndef URING_EXT_VERSION
#error "<liburing.h> did not come from this project"
#endif

#if !IO_URING_CHECK_VERSION(2, 15)
#define VERSION_OK 1
#else
#define VERSION_OK 0
#endif

/* Fill SQEs with (nearly) every prep helper; nothing is submitted. */
static void prep_everything(struct io_uring_sqe *sqe)
{
	static char buf[64];
	static struct iovec iov = { buf, sizeof(buf) };
	static struct msghdr msg;
	static struct sockaddr_storage ss;
	static socklen_t sl = sizeof(ss);
	static struct __kernel_timespec ts;
	static struct open_how how;
	static struct epoll_event ev;
	static uint32_t fu;
	static struct futex_waitv wv;
	static siginfo_t si;
	static int fds[2];

	io_uring_prep_rw(IORING_OP_NOP, sqe, -1, NULL, 0, 0);
	io_uring_prep_read(sqe, 0, buf, sizeof(buf), 0);
	io_uring_prep_write(sqe, 1, buf, sizeof(buf), 0);
	io_uring_prep_readv(sqe, 0, &iov, 1, 0);
	io_uring_prep_writev(sqe, 1, &iov, 1, 0);
	io_uring_prep_readv2(sqe, 0, &iov, 1, 0, 0);
	io_uring_prep_writev2(sqe, 1, &iov, 1, 0, 0);
	io_uring_prep_read_fixed(sqe, 0, buf, 1, 0, 0);
	io_uring_prep_write_fixed(sqe, 1, buf, 1, 0, 0);
	io_uring_prep_readv_fixed(sqe, 0, &iov, 1, 0, 0, 0);
	io_uring_prep_writev_fixed(sqe, 1, &iov, 1, 0, 0, 0);
	io_uring_prep_read_multishot(sqe, 0, 0, 0, 1);
	io_uring_prep_fsync(sqe, 1, IORING_FSYNC_DATASYNC);
	io_uring_prep_sync_file_range(sqe, 1, 1, 0, 0);
	io_uring_prep_fallocate(sqe, 1, 0, 0, 1);
	io_uring_prep_ftruncate(sqe, 1, 0);
	io_uring_prep_fadvise(sqe, 1, 0, 1, 0);
	io_uring_prep_fadvise64(sqe, 1, 0, 1, 0);
	io_uring_prep_madvise(sqe, buf, 1, 0);
	io_uring_prep_madvise64(sqe, buf, 1, 0);
	io_uring_prep_poll_add(sqe, 0, POLLIN);
	io_uring_prep_poll_multishot(sqe, 0, POLLIN);
	io_uring_prep_poll_remove(sqe, 1);
	io_uring_prep_poll_update(sqe, 1, 2, POLLIN, 0);
	io_uring_prep_epoll_ctl(sqe, 0, 1, EPOLL_CTL_ADD, &ev);
	io_uring_prep_epoll_wait(sqe, 0, &ev, 1, 0);
	io_uring_prep_timeout(sqe, &ts, 0, 0);
	io_uring_prep_timeout_remove(sqe, 1, 0);
	io_uring_prep_timeout_update(sqe, &ts, 1, 0);
	io_uring_prep_link_timeout(sqe, &ts, 0);
	io_uring_prep_cancel64(sqe, 1, 0);
	io_uring_prep_cancel(sqe, buf, 0);
	io_uring_prep_cancel_fd(sqe, 0, 0);
	io_uring_prep_openat(sqe, AT_FDCWD, "x", O_RDONLY, 0);
	io_uring_prep_openat_direct(sqe, AT_FDCWD, "x", O_RDONLY, 0, 0);
	io_uring_prep_open(sqe, "x", O_RDONLY, 0);
	io_uring_prep_open_direct(sqe, "x", O_RDONLY, 0, 0);
	io_uring_prep_openat2(sqe, AT_FDCWD, "x", &how);
	io_uring_prep_openat2_direct(sqe, AT_FDCWD, "x", &how, 0);
	io_uring_prep_close(sqe, 0);
	io_uring_prep_close_direct(sqe, 0);
	io_uring_prep_statx(sqe, AT_FDCWD, "x", 0, 0, NULL);
	io_uring_prep_files_update(sqe, fds, 2, 0);
	io_uring_prep_fixed_fd_install(sqe, 0, 0);
	io_uring_prep_unlinkat(sqe, AT_FDCWD, "x", 0);
	io_uring_prep_unlink(sqe, "x", 0);
	io_uring_prep_renameat(sqe, AT_FDCWD, "x", AT_FDCWD, "y", 0);
	io_uring_prep_rename(sqe, "x", "y");
	io_uring_prep_mkdirat(sqe, AT_FDCWD, "x", 0755);
	io_uring_prep_mkdir(sqe, "x", 0755);
	io_uring_prep_symlinkat(sqe, "x", AT_FDCWD, "y");
	io_uring_prep_symlink(sqe, "x", "y");
	io_uring_prep_linkat(sqe, AT_FDCWD, "x", AT_FDCWD, "y", 0);
	io_uring_prep_link(sqe, "x", "y", 0);
	io_uring_prep_fgetxattr(sqe, 0, "user.x", buf, sizeof(buf));
	io_uring_prep_fsetxattr(sqe, 0, "user.x", buf, 0, 1);
	io_uring_prep_getxattr(sqe, "user.x", buf, "x", sizeof(buf));
	io_uring_prep_setxattr(sqe, "user.x", buf, "x", 0, 1);
	io_uring_prep_splice(sqe, 0, -1, 1, -1, 1, 0);
	io_uring_prep_tee(sqe, 0, 1, 1, 0);
	io_uring_prep_pipe(sqe, fds, 0);
	io_uring_prep_pipe_direct(sqe, fds, 0, 0);
	io_uring_prep_provide_buffers(sqe, buf, 8, 8, 1, 0);
	io_uring_prep_remove_buffers(sqe, 8, 1);
	io_uring_prep_socket(sqe, AF_INET, SOCK_STREAM, 0, 0);
	io_uring_prep_socket_direct(sqe, AF_INET, SOCK_STREAM, 0, 0, 0);
	io_uring_prep_socket_direct_alloc(sqe, AF_INET, SOCK_STREAM, 0, 0);
	io_uring_prep_bind(sqe, 0, (struct sockaddr *) &ss, sl);
	io_uring_prep_listen(sqe, 0, 1);
	io_uring_prep_connect(sqe, 0, (struct sockaddr *) &ss, sl);
	io_uring_prep_accept(sqe, 0, (struct sockaddr *) &ss, &sl, 0);
	io_uring_prep_accept_direct(sqe, 0, NULL, NULL, 0, 0);
	io_uring_prep_multishot_accept(sqe, 0, NULL, NULL, 0);
	io_uring_prep_multishot_accept_direct(sqe, 0, NULL, NULL, 0);
	io_uring_prep_shutdown(sqe, 0, SHUT_RDWR);
	io_uring_prep_send(sqe, 0, buf, 1, 0);
	io_uring_prep_send_bundle(sqe, 0, 0, 0);
	io_uring_prep_send_set_addr(sqe, (struct sockaddr *) &ss, 16);
	io_uring_prep_sendto(sqe, 0, buf, 1, 0, (struct sockaddr *) &ss, sl);
	io_uring_prep_send_zc(sqe, 0, buf, 1, 0, 0);
	io_uring_prep_send_zc_fixed(sqe, 0, buf, 1, 0, 0, 0);
	io_uring_prep_sendmsg(sqe, 0, &msg, 0);
	io_uring_prep_sendmsg_zc(sqe, 0, &msg, 0);
	io_uring_prep_sendmsg_zc_fixed(sqe, 0, &msg, 0, 0);
	io_uring_prep_recv(sqe, 0, buf, 1, 0);
	io_uring_prep_recv_multishot(sqe, 0, NULL, 0, 0);
	io_uring_prep_recvmsg(sqe, 0, &msg, 0);
	io_uring_prep_recvmsg_multishot(sqe, 0, &msg, 0);
	io_uring_prep_uring_cmd(sqe, 0, 0);
	io_uring_prep_cmd_sock(sqe, SOCKET_URING_OP_SIOCINQ, 0, 0, 0, NULL, 0);
	io_uring_prep_cmd_getsockname(sqe, 0, (struct sockaddr *) &ss, &sl, 0);
	io_uring_prep_cmd_discard(sqe, 0, 0, 0);
	io_uring_prep_cmd_zone_reset_all(sqe, 0);
	io_uring_prep_msg_ring(sqe, 0, 0, 0, 0);
	io_uring_prep_msg_ring_cqe_flags(sqe, 0, 0, 0, 0, 0);
	io_uring_prep_msg_ring_fd(sqe, 0, 0, 0, 0, 0);
	io_uring_prep_msg_ring_fd_alloc(sqe, 0, 0, 0, 0);
	io_uring_prep_waitid(sqe, P_PID, 1, &si, WEXITED, 0);
	io_uring_prep_futex_wait(sqe, &fu, 0, 0, 0, 0);
	io_uring_prep_futex_wake(sqe, &fu, 0, 0, 0, 0);
	io_uring_prep_futex_waitv(sqe, &wv, 1, 0);
	io_uring_prep_nop128(sqe);
	io_uring_prep_uring_cmd128(sqe, 0, 0);
	io_uring_sqe_set_buf_group(sqe, 1);
	io_uring_sqe_set_flags(sqe, IOSQE_ASYNC);
	io_uring_sqe_set_data(sqe, buf);
	io_uring_initialize_sqe(sqe);
}

/* The recvmsg and buffer ring helpers, on local memory. */
static int local_helpers(void)
{
	static unsigned char mem[256];
	/* like a mapped ring: memory the compiler knows nothing about */
	struct io_uring_buf_ring *br = (struct io_uring_buf_ring *)
		calloc(4, sizeof(struct io_uring_buf));
	struct io_uring_recvmsg_out *o;
	struct msghdr mh;
	int bad = 0;

	memset(&mh, 0, sizeof(mh));
	mh.msg_namelen = 16;
	o = io_uring_recvmsg_validate(mem, (int) sizeof(mem), &mh);
	bad |= o == NULL;
	if (o) {
		bad |= io_uring_recvmsg_name(o) != (void *) (mem + sizeof(*o));
		bad |= io_uring_recvmsg_cmsg_firsthdr(o, &mh) != NULL;
		bad |= io_uring_recvmsg_payload(o, &mh) !=
		       (void *) (mem + sizeof(*o) + 16);
		bad |= io_uring_recvmsg_payload_length(o, (int) sizeof(mem), &mh) !=
		       sizeof(mem) - sizeof(*o) - 16;
	}
	if (!br)
		return 1;
	io_uring_buf_ring_init(br);
	io_uring_buf_ring_add(br, mem, 64, 1, io_uring_buf_ring_mask(4), 0);
	io_uring_buf_ring_advance(br, 1);
	bad |= br->tail != 1 || br->bufs[0].bid != 1;
	free(br);
	return bad;
}

int main(void)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe, scratch;
	struct io_uring_cqe *cqe;
	struct io_uring_probe *probe;
	unsigned head, seen = 0, i;
	int ret;

	memset(&scratch, 0, sizeof(scratch));
	prep_everything(&scratch);
	if (local_helpers() || !VERSION_OK) {
		fprintf(stderr, "local helpers or version check failed\n");
		return 1;
	}
	if (io_uring_sqe_shift_from_flags(IORING_SETUP_SQE128) != 1 ||
	    io_uring_cqe_shift_from_flags(IORING_SETUP_CQE32) != 1)
		return 1;

	ret = io_uring_queue_init(8, &ring, 0);
	if (ret) {
		fprintf(stderr, "io_uring_queue_init: %d\n", ret);
		return 1;
	}
	probe = io_uring_get_probe_ring(&ring);
	if (!probe || !io_uring_opcode_supported(probe, IORING_OP_NOP))
		return 1;
	io_uring_free_probe(probe);

	for (i = 0; i < 3; i++) {
		sqe = io_uring_get_sqe(&ring);
		if (!sqe)
			return 1;
		io_uring_prep_nop(sqe);
		io_uring_sqe_set_data64(sqe, 1000 + i);
	}
	if (io_uring_sq_ready(&ring) != 3 || io_uring_sq_space_left(&ring) != 5)
		return 1;
	ret = io_uring_submit_and_wait(&ring, 3);
	if (ret != 3) {
		fprintf(stderr, "submit: %d\n", ret);
		return 1;
	}
	if (io_uring_cq_ready(&ring) != 3 || io_uring_cq_has_overflow(&ring))
		return 1;
	io_uring_for_each_cqe(&ring, head, cqe) {
		if (cqe->res != 0 || io_uring_cqe_get_data64(cqe) != 1000 + seen)
			return 1;
		seen++;
	}
	/* head may be any integer lvalue, as liburing's macro allows */
	{
		int ihead;
		unsigned long lhead;
		unsigned n1 = 0, n2 = 0;

		io_uring_for_each_cqe(&ring, ihead, cqe)
			n1 += cqe->res == 0;
		io_uring_for_each_cqe(&ring, lhead, cqe)
			n2 += cqe->res == 0;
		if (n1 != 3 || n2 != 3)
			return 1;
	}
	io_uring_cq_advance(&ring, seen);
	if (seen != 3 || io_uring_peek_cqe(&ring, &cqe) != -EAGAIN)
		return 1;

	/* one more through wait_cqe / cqe_seen, with a pointer tag */
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_nop(sqe);
	io_uring_sqe_set_data(sqe, &ring);
	io_uring_submit(&ring);
	if (io_uring_wait_cqe(&ring, &cqe) || io_uring_cqe_get_data(cqe) != &ring)
		return 1;
	io_uring_cqe_seen(&ring, cqe);
	{
		struct io_uring_cqe_iter it = io_uring_cqe_iter_init(&ring);

		if (io_uring_cqe_iter_next(&it, &cqe))
			return 1;
	}
	io_uring_queue_exit(&ring);
	printf("ok\n");
	return 0;
}
