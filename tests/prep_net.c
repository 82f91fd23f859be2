/* SPDX-License-Identifier: MIT */
/*
 * Networking prep helpers on 127.0.0.1: each test checks what arrived at
 * the other end, which socket got created or bound, what the kernel wrote.
 */
#include "prep_util.h"

#include <linux/sockios.h>
#include <sys/ioctl.h>

static int sock_opt(int fd, int level, int name)
{
	int val = 0;
	socklen_t len = sizeof(val);

	assert_int_equal(getsockopt(fd, level, name, &val, &len), 0);
	return val;
}

static bool same_addr(const struct sockaddr_in *a, const struct sockaddr_in *b)
{
	return a->sin_family == b->sin_family && a->sin_port == b->sin_port &&
	       a->sin_addr.s_addr == b->sin_addr.s_addr;
}

/* Receive one datagram (bounded wait) and compare it. */
static void assert_datagram(int fd, const char *want, struct sockaddr_in *from)
{
	char buf[256];
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	socklen_t flen = sizeof(*from);
	ssize_t n;

	assert_int_equal(poll(&pfd, 1, 5000), 1);
	n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *) from,
		     from ? &flen : NULL);
	assert_int_equal(n, (ssize_t) strlen(want));
	assert_memory_equal(buf, want, strlen(want));
}

/* Send through fixed slot 'slot' to dst with sendto; returns res. */
static int sendto_fixed(struct io_uring *ring, int slot, const char *msg,
			const struct sockaddr_in *dst)
{
	struct io_uring_sqe *sqe = t_sqe(ring);

	io_uring_prep_sendto(sqe, slot, msg, strlen(msg), 0,
			     (const struct sockaddr *) dst, sizeof(*dst));
	io_uring_sqe_set_flags(sqe, IOSQE_FIXED_FILE);
	return p_submit_wait(ring).res;
}

/* ---- sockets ---- */

static void socket_op(void **state)
{
	struct io_uring ring;
	int fd;

	(void) state;
	T_REQUIRE_OP(IORING_OP_SOCKET);
	t_ring(&ring, 4, 0);
	io_uring_prep_socket(t_sqe(&ring), AF_INET, SOCK_STREAM, 0, 0);
	fd = p_submit_wait(&ring).res;
	assert_true(fd >= 0);
	assert_int_equal(sock_opt(fd, SOL_SOCKET, SO_DOMAIN), AF_INET);
	assert_int_equal(sock_opt(fd, SOL_SOCKET, SO_TYPE), SOCK_STREAM);
	assert_int_equal(sock_opt(fd, SOL_SOCKET, SO_PROTOCOL), IPPROTO_TCP);
	assert_false(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);

	/* domain, type (with its flags) and protocol each reach socket(2) */
	io_uring_prep_socket(t_sqe(&ring), AF_INET6,
			     SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
			     IPPROTO_UDP, 0);
	fd = p_submit_wait(&ring).res;
	assert_true(fd >= 0);
	assert_int_equal(sock_opt(fd, SOL_SOCKET, SO_DOMAIN), AF_INET6);
	assert_int_equal(sock_opt(fd, SOL_SOCKET, SO_TYPE), SOCK_DGRAM);
	assert_int_equal(sock_opt(fd, SOL_SOCKET, SO_PROTOCOL), IPPROTO_UDP);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
	close(fd);

	io_uring_prep_socket(t_sqe(&ring), AF_INET, SOCK_STREAM, IPPROTO_UDP, 0);
	assert_int_equal(p_submit_wait(&ring).res, -EPROTONOSUPPORT);
	/* the flags argument must be 0 for this opcode: it is passed */
	io_uring_prep_socket(t_sqe(&ring), AF_INET, SOCK_STREAM, 0, 1);
	assert_int_equal(p_submit_wait(&ring).res, -EINVAL);
	io_uring_queue_exit(&ring);
}

static void socket_direct_op(void **state)
{
	struct sockaddr_in dst;
	struct io_uring ring;
	int rfd, slot;

	(void) state;
	T_REQUIRE_OP(IORING_OP_SOCKET);
	t_ring(&ring, 4, 0);
	assert_int_equal(io_uring_register_files_sparse(&ring, 4), 0);
	rfd = p_bound_socket(SOCK_DGRAM);
	dst = p_loopback(p_port_of(rfd));

	/* a UDP socket in slot 2, used through the slot */
	io_uring_prep_socket_direct(t_sqe(&ring), AF_INET, SOCK_DGRAM, 0, 2, 0);
	assert_int_equal(p_submit_wait(&ring).res, 0);
	assert_int_equal(sendto_fixed(&ring, 2, "via slot 2", &dst), 10);
	assert_datagram(rfd, "via slot 2", NULL);

	/* allocation: res names the slot */
	io_uring_prep_socket_direct_alloc(t_sqe(&ring), AF_INET, SOCK_DGRAM, 0, 0);
	slot = p_submit_wait(&ring).res;
	assert_true(slot >= 0 && slot < 4 && slot != 2);
	assert_int_equal(sendto_fixed(&ring, slot, "allocated", &dst), 9);
	assert_datagram(rfd, "allocated", NULL);

	/* a direct socket cannot be close-on-exec */
	io_uring_prep_socket_direct(t_sqe(&ring), AF_INET, SOCK_DGRAM | SOCK_CLOEXEC,
				    0, 3, 0);
	assert_int_equal(p_submit_wait(&ring).res, -EINVAL);
	close(rfd);
	io_uring_queue_exit(&ring);
}

static void bind_listen_op(void **state)
{
	struct sockaddr_in a = p_loopback(0), got;
	socklen_t len = sizeof(got);
	struct io_uring ring;
	int fd, cfd, afd;

	(void) state;
	T_REQUIRE_OP(IORING_OP_BIND);
	T_REQUIRE_OP(IORING_OP_LISTEN);
	t_ring(&ring, 4, 0);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);

	/* addrlen is passed: too short an address is rejected */
	io_uring_prep_bind(t_sqe(&ring), fd, (struct sockaddr *) &a, 4);
	assert_int_equal(p_submit_wait(&ring).res, -EINVAL);
	io_uring_prep_bind(t_sqe(&ring), fd, (struct sockaddr *) &a, sizeof(a));
	assert_int_equal(p_submit_wait(&ring).res, 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *) &got, &len), 0);
	assert_int_equal(got.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	assert_int_not_equal(got.sin_port, 0);

	io_uring_prep_listen(t_sqe(&ring), fd, 4);
	assert_int_equal(p_submit_wait(&ring).res, 0);
	assert_int_equal(sock_opt(fd, SOL_SOCKET, SO_ACCEPTCONN), 1);
	/* a client can now connect and be accepted */
	cfd = p_connect_to(fd);
	afd = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	assert_true(afd >= 0);
	close(afd);
	close(cfd);
	close(fd);
	io_uring_queue_exit(&ring);
}

/* socket, bind, listen and accept, all on fixed files. */
static void bind_listen_direct(void **state)
{
	struct sockaddr_in a = p_loopback(0);
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	int cfd, fd;

	(void) state;
	T_REQUIRE_OP(IORING_OP_BIND);
	T_REQUIRE_OP(IORING_OP_LISTEN);
	t_ring(&ring, 4, 0);
	assert_int_equal(io_uring_register_files_sparse(&ring, 4), 0);
	io_uring_prep_socket_direct(t_sqe(&ring), AF_INET, SOCK_STREAM, 0, 0, 0);
	assert_int_equal(p_submit_wait(&ring).res, 0);
	sqe = t_sqe(&ring);
	io_uring_prep_bind(sqe, 0, (struct sockaddr *) &a, sizeof(a));
	io_uring_sqe_set_flags(sqe, IOSQE_FIXED_FILE);
	assert_int_equal(p_submit_wait(&ring).res, 0);
	/* learn the port through a real fd for the same socket */
	if (t_op_supported(IORING_OP_FIXED_FD_INSTALL)) {
		io_uring_prep_fixed_fd_install(t_sqe(&ring), 0, 0);
		fd = p_submit_wait(&ring).res;
		assert_true(fd >= 0);
		a.sin_port = htons(p_port_of(fd));
		close(fd);
	} else {
		io_uring_queue_exit(&ring);
		T_SKIP("kernel lacks IORING_OP_FIXED_FD_INSTALL to find the port");
	}
	sqe = t_sqe(&ring);
	io_uring_prep_listen(sqe, 0, 4);
	io_uring_sqe_set_flags(sqe, IOSQE_FIXED_FILE);
	assert_int_equal(p_submit_wait(&ring).res, 0);

	cfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_int_equal(connect(cfd, (struct sockaddr *) &a, sizeof(a)), 0);
	sqe = t_sqe(&ring);
	io_uring_prep_accept_direct(sqe, 0, NULL, NULL, 0, 1);
	io_uring_sqe_set_flags(sqe, IOSQE_FIXED_FILE);
	assert_int_equal(p_submit_wait(&ring).res, 0);
	sqe = t_sqe(&ring);
	io_uring_prep_send(sqe, 1, "direct", 6, 0);
	io_uring_sqe_set_flags(sqe, IOSQE_FIXED_FILE);
	assert_int_equal(p_submit_wait(&ring).res, 6);
	{
		char buf[6];

		p_read_full(cfd, buf, 6);
		assert_memory_equal(buf, "direct", 6);
	}
	close(cfd);
	io_uring_queue_exit(&ring);
}

static void accept_direct_op(void **state)
{
	struct sockaddr_in peer;
	socklen_t plen = sizeof(peer);
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	char buf[8];
	int lfd, cfd;

	(void) state;
	T_REQUIRE_OP(IORING_OP_ACCEPT);
	t_ring(&ring, 4, 0);
	assert_int_equal(io_uring_register_files_sparse(&ring, 4), 0);
	lfd = p_listener();
	cfd = p_connect_to(lfd);

	io_uring_prep_accept_direct(t_sqe(&ring), lfd, (struct sockaddr *) &peer,
				    &plen, 0, 3);
	assert_int_equal(p_submit_wait(&ring).res, 0);
	/* the peer address is the client's */
	assert_int_equal(plen, sizeof(peer));
	assert_int_equal(ntohs(peer.sin_port), p_port_of(cfd));

	sqe = t_sqe(&ring);
	io_uring_prep_send(sqe, 3, "slot3", 5, 0);
	io_uring_sqe_set_flags(sqe, IOSQE_FIXED_FILE);
	assert_int_equal(p_submit_wait(&ring).res, 5);
	p_read_full(cfd, buf, 5);
	assert_memory_equal(buf, "slot3", 5);

	/* with IORING_FILE_INDEX_ALLOC the CQE names the slot */
	close(cfd);
	cfd = p_connect_to(lfd);
	io_uring_prep_accept_direct(t_sqe(&ring), lfd, NULL, NULL, 0,
				    IORING_FILE_INDEX_ALLOC);
	{
		int slot = p_submit_wait(&ring).res;

		assert_true(slot >= 0 && slot < 3);
		sqe = t_sqe(&ring);
		io_uring_prep_send(sqe, slot, "alloc", 5, 0);
		io_uring_sqe_set_flags(sqe, IOSQE_FIXED_FILE);
		assert_int_equal(p_submit_wait(&ring).res, 5);
	}
	p_read_full(cfd, buf, 5);
	assert_memory_equal(buf, "alloc", 5);
	close(cfd);
	close(lfd);
	io_uring_queue_exit(&ring);
}

/* Cancel the multishot request with user_data ud; expect its final CQE. */
static void cancel_multishot(struct io_uring *ring, __u64 ud)
{
	struct io_uring_sqe *sqe = t_sqe(ring);
	struct pcqe c[2];
	unsigned i;

	io_uring_prep_cancel64(sqe, ud, 0);
	io_uring_sqe_set_data64(sqe, 999);
	assert_int_equal(io_uring_submit(ring), 1);
	for (i = 0; i < 2; i++)
		c[i] = p_wait(ring);
	for (i = 0; i < 2; i++) {
		if (c[i].ud == 999) {
			assert_int_equal(c[i].res, 0);
		} else {
			assert_int_equal(c[i].ud, ud);
			assert_int_equal(c[i].res, -ECANCELED);
			assert_false(c[i].flags & IORING_CQE_F_MORE);
		}
	}
}

static void multishot_accept_op(void **state)
{
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	int lfd, cfd[2], afd[2], i;

	(void) state;
	T_REQUIRE_OP(IORING_OP_ACCEPT);
	t_ring(&ring, 8, 0);
	lfd = p_listener();
	sqe = t_sqe(&ring);
	io_uring_prep_multishot_accept(sqe, lfd, NULL, NULL, SOCK_CLOEXEC);
	io_uring_sqe_set_data64(sqe, 7);
	assert_int_equal(io_uring_submit(&ring), 1);

	for (i = 0; i < 2; i++) {
		struct pcqe c;

		cfd[i] = p_connect_to(lfd);
		c = p_wait(&ring);
		assert_int_equal(c.ud, 7);
		assert_true(c.res >= 0);
		assert_true(c.flags & IORING_CQE_F_MORE);
		afd[i] = c.res;
		/* accept flags are passed */
		assert_true(fcntl(afd[i], F_GETFD) & FD_CLOEXEC);
	}
	for (i = 0; i < 2; i++) {
		char b;

		p_write_full(afd[i], i ? "B" : "A", 1);
		p_read_full(cfd[i], &b, 1);
		assert_int_equal(b, i ? 'B' : 'A');
		close(afd[i]);
		close(cfd[i]);
	}
	cancel_multishot(&ring, 7);
	close(lfd);
	io_uring_queue_exit(&ring);
}

static void multishot_accept_direct_op(void **state)
{
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	int lfd, cfd[2], slot[2], i;

	(void) state;
	T_REQUIRE_OP(IORING_OP_ACCEPT);
	t_ring(&ring, 8, 0);
	assert_int_equal(io_uring_register_files_sparse(&ring, 4), 0);
	lfd = p_listener();
	sqe = t_sqe(&ring);
	io_uring_prep_multishot_accept_direct(sqe, lfd, NULL, NULL, 0);
	io_uring_sqe_set_data64(sqe, 8);
	assert_int_equal(io_uring_submit(&ring), 1);

	for (i = 0; i < 2; i++) {
		struct pcqe c;

		cfd[i] = p_connect_to(lfd);
		c = p_wait(&ring);
		assert_int_equal(c.ud, 8);
		assert_true(c.flags & IORING_CQE_F_MORE);
		assert_true(c.res >= 0 && c.res < 4);
		slot[i] = c.res;
	}
	assert_int_not_equal(slot[0], slot[1]);
	for (i = 0; i < 2; i++) {
		char b;

		sqe = t_sqe(&ring);
		io_uring_prep_send(sqe, slot[i], i ? "2" : "1", 1, 0);
		io_uring_sqe_set_flags(sqe, IOSQE_FIXED_FILE);
		assert_int_equal(p_submit_wait(&ring).res, 1);
		p_read_full(cfd[i], &b, 1);
		assert_int_equal(b, i ? '2' : '1');
		close(cfd[i]);
	}
	cancel_multishot(&ring, 8);
	close(lfd);
	io_uring_queue_exit(&ring);
}

/* ---- sending ---- */

static void sendto_set_addr(void **state)
{
	struct sockaddr_in d1, d2, from;
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	int r1, r2, sfd;

	(void) state;
	T_REQUIRE_OP(IORING_OP_SEND);
	t_ring(&ring, 4, 0);
	r1 = p_bound_socket(SOCK_DGRAM);
	r2 = p_bound_socket(SOCK_DGRAM);
	sfd = p_bound_socket(SOCK_DGRAM);
	d1 = p_loopback(p_port_of(r1));
	d2 = p_loopback(p_port_of(r2));

	io_uring_prep_sendto(t_sqe(&ring), sfd, "to r1", 5, 0,
			     (struct sockaddr *) &d1, sizeof(d1));
	assert_int_equal(p_submit_wait(&ring).res, 5);
	assert_datagram(r1, "to r1", &from);
	assert_int_equal(ntohs(from.sin_port), p_port_of(sfd));

	sqe = t_sqe(&ring);
	io_uring_prep_send(sqe, sfd, "to r2!", 6, 0);
	io_uring_prep_send_set_addr(sqe, (struct sockaddr *) &d2, sizeof(d2));
	assert_int_equal(p_submit_wait(&ring).res, 6);
	assert_datagram(r2, "to r2!", NULL);

	/* a send without an address on an unconnected UDP socket fails */
	io_uring_prep_send(t_sqe(&ring), sfd, "x", 1, 0);
	assert_int_equal(p_submit_wait(&ring).res, -EDESTADDRREQ);
	close(r1);
	close(r2);
	close(sfd);
	io_uring_queue_exit(&ring);
}

static void send_bundle_op(void **state)
{
	static const char *parts[] = { "aaa", "bbbb", "cc" };
	struct io_uring_buf_ring *br;
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	struct pcqe c;
	char data[3][8], buf[16];
	int s[2], err, i;

	(void) state;
	T_RING_FEAT(&ring, 8, 0, IORING_FEAT_RECVSEND_BUNDLE);
	br = io_uring_setup_buf_ring(&ring, 4, 5, 0, &err);
	assert_non_null(br);
	for (i = 0; i < 3; i++) {
		memcpy(data[i], parts[i], strlen(parts[i]));
		io_uring_buf_ring_add(br, data[i], (unsigned) strlen(parts[i]),
				      (unsigned short) i,
				      io_uring_buf_ring_mask(4), i);
	}
	io_uring_buf_ring_advance(br, 3);
	p_tcp_pair(s);

	/* one send takes all three buffers of group 5, in order */
	sqe = t_sqe(&ring);
	io_uring_prep_send_bundle(sqe, s[1], 0, 0);
	io_uring_sqe_set_flags(sqe, IOSQE_BUFFER_SELECT);
	io_uring_sqe_set_buf_group(sqe, 5);
	c = p_submit_wait(&ring);
	assert_int_equal(c.res, 9);
	assert_int_equal(p_bid(&c), 0);
	p_read_full(s[0], buf, 9);
	assert_memory_equal(buf, "aaabbbbcc", 9);
	t_close_pair(s);
	assert_int_equal(io_uring_free_buf_ring(&ring, br, 4, 5), 0);
	io_uring_queue_exit(&ring);
}

static void sendmsg_recvmsg_op(void **state)
{
	char a[] = "scatter ", b[] = "gather";
	struct iovec siov[2] = { { a, 8 }, { b, 6 } };
	struct sockaddr_in from;
	struct msghdr msg;
	struct io_uring ring;
	char rbuf[32];
	struct iovec riov = { rbuf, sizeof(rbuf) };
	int s[2], r, sfd;

	(void) state;
	T_REQUIRE_OP(IORING_OP_SENDMSG);
	T_REQUIRE_OP(IORING_OP_RECVMSG);
	t_ring(&ring, 4, 0);

	/* TCP: two vectors arrive as one byte stream */
	p_tcp_pair(s);
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = siov;
	msg.msg_iovlen = 2;
	io_uring_prep_sendmsg(t_sqe(&ring), s[1], &msg, 0);
	assert_int_equal(p_submit_wait(&ring).res, 14);
	p_read_full(s[0], rbuf, 14);
	assert_memory_equal(rbuf, "scatter gather", 14);
	t_close_pair(s);

	/* UDP: recvmsg fills the sender's address; MSG_PEEK leaves the data */
	r = p_bound_socket(SOCK_DGRAM);
	sfd = p_bound_socket(SOCK_DGRAM);
	{
		struct sockaddr_in d = p_loopback(p_port_of(r));

		memset(&msg, 0, sizeof(msg));
		msg.msg_name = &d;
		msg.msg_namelen = sizeof(d);
		msg.msg_iov = siov;
		msg.msg_iovlen = 2;
		io_uring_prep_sendmsg(t_sqe(&ring), sfd, &msg, 0);
		assert_int_equal(p_submit_wait(&ring).res, 14);
	}
	memset(&msg, 0, sizeof(msg));
	memset(&from, 0, sizeof(from));
	msg.msg_name = &from;
	msg.msg_namelen = sizeof(from);
	msg.msg_iov = &riov;
	msg.msg_iovlen = 1;
	io_uring_prep_recvmsg(t_sqe(&ring), r, &msg, MSG_PEEK);
	assert_int_equal(p_submit_wait(&ring).res, 14);
	assert_int_equal(msg.msg_namelen, sizeof(from));
	assert_int_equal(ntohs(from.sin_port), p_port_of(sfd));
	memset(rbuf, 0, sizeof(rbuf));
	io_uring_prep_recvmsg(t_sqe(&ring), r, &msg, 0);
	assert_int_equal(p_submit_wait(&ring).res, 14);
	assert_memory_equal(rbuf, "scatter gather", 14);
	/* nothing left: MSG_DONTWAIT makes that -EAGAIN */
	io_uring_prep_recvmsg(t_sqe(&ring), r, &msg, MSG_DONTWAIT);
	assert_int_equal(p_submit_wait(&ring).res, -EAGAIN);
	close(r);
	close(sfd);
	io_uring_queue_exit(&ring);
}

/* A zero-copy send: the result CQE (F_MORE), then the notification. */
static void expect_zc_cqes(struct io_uring *ring, int len, bool report_usage)
{
	struct pcqe c = p_wait(ring);

	assert_int_equal(c.res, len);
	assert_false(c.flags & IORING_CQE_F_NOTIF);
	assert_true(c.flags & IORING_CQE_F_MORE);
	c = p_wait(ring);
	assert_true(c.flags & IORING_CQE_F_NOTIF);
	assert_false(c.flags & IORING_CQE_F_MORE);
	/* on loopback the kernel has to copy, and says so when asked */
	if (report_usage)
		assert_true((unsigned) c.res & IORING_NOTIF_USAGE_ZC_COPIED);
	else
		assert_int_equal(c.res, 0);
}

static void send_zc_op(void **state)
{
	unsigned char data[4096], buf[4096];
	struct io_uring ring;
	size_t i;
	int s[2];

	(void) state;
	T_REQUIRE_OP(IORING_OP_SEND_ZC);
	for (i = 0; i < sizeof(data); i++)
		data[i] = t_pattern(i);
	t_ring(&ring, 8, 0);
	p_tcp_pair(s);
	io_uring_prep_send_zc(t_sqe(&ring), s[1], data, sizeof(data), 0, 0);
	assert_int_equal(io_uring_submit(&ring), 1);
	expect_zc_cqes(&ring, 4096, false);
	p_read_full(s[0], buf, sizeof(buf));
	t_assert_pattern(buf, sizeof(buf), 0);

	/* zc_flags reach the kernel: IORING_SEND_ZC_REPORT_USAGE */
	io_uring_prep_send_zc(t_sqe(&ring), s[1], data, 100, 0,
			      IORING_SEND_ZC_REPORT_USAGE);
	assert_int_equal(io_uring_submit(&ring), 1);
	expect_zc_cqes(&ring, 100, true);
	p_read_full(s[0], buf, 100);
	t_assert_pattern(buf, 100, 0);
	t_close_pair(s);
	io_uring_queue_exit(&ring);
}

/* A registered buffer of the pattern; false (and a skip) if refused. */
static unsigned char *register_pattern_buf(struct io_uring *ring, size_t len)
{
	unsigned char *mem = aligned_alloc(4096, len);
	struct iovec iov = { mem, len };
	size_t i;
	int ret;

	assert_non_null(mem);
	for (i = 0; i < len; i++)
		mem[i] = t_pattern(i);
	ret = io_uring_register_buffers(ring, &iov, 1);
	if (ret) {
		free(mem);
		print_message("# io_uring_register_buffers: %s\n", strerror(-ret));
		return NULL;
	}
	return mem;
}

/* A ring with a registered 8 KiB pattern buffer (or a skip), a TCP pair. */
static unsigned char *zc_fixed_setup(struct io_uring *ring, int s[2])
{
	unsigned char *mem;

	t_ring(ring, 8, 0);
	mem = register_pattern_buf(ring, 8192);
	if (!mem) {
		io_uring_queue_exit(ring);
		T_SKIP("cannot register buffers");
	}
	p_tcp_pair(s);
	return mem;
}

static void zc_fixed_done(struct io_uring *ring, int s[2], unsigned char *mem)
{
	t_close_pair(s);
	io_uring_unregister_buffers(ring);
	free(mem);
	io_uring_queue_exit(ring);
}

static void send_zc_fixed_op(void **state)
{
	unsigned char *mem, buf[1000];
	struct io_uring ring;
	int s[2];

	(void) state;
	T_REQUIRE_OP(IORING_OP_SEND_ZC);
	mem = zc_fixed_setup(&ring, s);
	io_uring_prep_send_zc_fixed(t_sqe(&ring), s[1], mem + 100, 1000, 0, 0, 0);
	assert_int_equal(io_uring_submit(&ring), 1);
	expect_zc_cqes(&ring, 1000, false);
	p_read_full(s[0], buf, 1000);
	t_assert_pattern(buf, 1000, 100);

	/* buf_index is used: buffer 1 does not exist */
	io_uring_prep_send_zc_fixed(t_sqe(&ring), s[1], mem, 10, 0, 0, 1);
	{
		struct pcqe c = p_submit_wait(&ring);

		assert_true(c.res == -EFAULT || c.res == -EINVAL);
		if (c.flags & IORING_CQE_F_MORE)
			assert_true(p_wait(&ring).flags & IORING_CQE_F_NOTIF);
	}
	zc_fixed_done(&ring, s, mem);
}

static void sendmsg_zc_op(void **state)
{
	char a[] = "zero ", b[] = "copy msg";
	struct iovec iov[2] = { { a, 5 }, { b, 8 } };
	struct msghdr msg;
	struct io_uring ring;
	char buf[16];
	int s[2];

	(void) state;
	T_REQUIRE_OP(IORING_OP_SENDMSG_ZC);
	t_ring(&ring, 8, 0);
	p_tcp_pair(s);
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = iov;
	msg.msg_iovlen = 2;
	io_uring_prep_sendmsg_zc(t_sqe(&ring), s[1], &msg, 0);
	assert_int_equal(io_uring_submit(&ring), 1);
	expect_zc_cqes(&ring, 13, false);
	p_read_full(s[0], buf, 13);
	assert_memory_equal(buf, "zero copy msg", 13);
	t_close_pair(s);
	io_uring_queue_exit(&ring);
}

static void sendmsg_zc_fixed_op(void **state)
{
	unsigned char *mem, buf[600];
	struct iovec iov[2];
	struct msghdr msg;
	struct io_uring ring;
	struct pcqe c;
	int s[2];

	(void) state;
	T_REQUIRE_OP(IORING_OP_SENDMSG_ZC);
	mem = zc_fixed_setup(&ring, s);
	/* the vectors point into registered buffer 0 */
	iov[0].iov_base = mem + 200;
	iov[0].iov_len = 300;
	iov[1].iov_base = mem + 500;
	iov[1].iov_len = 300;
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = iov;
	msg.msg_iovlen = 2;
	io_uring_prep_sendmsg_zc_fixed(t_sqe(&ring), s[1], &msg, 0, 0);
	c = p_submit_wait(&ring);
	if (c.res == -EINVAL || c.res == -EOPNOTSUPP) {
		if (c.flags & IORING_CQE_F_MORE)
			p_wait(&ring);
		zc_fixed_done(&ring, s, mem);
		T_SKIP("kernel lacks registered buffers for SENDMSG_ZC (%d)", c.res);
	}
	assert_int_equal(c.res, 600);
	assert_true(c.flags & IORING_CQE_F_MORE);
	assert_true(p_wait(&ring).flags & IORING_CQE_F_NOTIF);
	p_read_full(s[0], buf, 600);
	t_assert_pattern(buf, 600, 200);
	zc_fixed_done(&ring, s, mem);
}

/* ---- multishot receive ---- */

/* Submit a buffer-select multishot recv on fd from group bgid. */
static void queue_recv_multishot(struct io_uring *ring, int fd, int bgid,
				 __u64 ud)
{
	struct io_uring_sqe *sqe = t_sqe(ring);

	io_uring_prep_recv_multishot(sqe, fd, NULL, 0, 0);
	io_uring_sqe_set_flags(sqe, IOSQE_BUFFER_SELECT);
	io_uring_sqe_set_buf_group(sqe, bgid);
	io_uring_sqe_set_data64(sqe, ud);
	assert_int_equal(io_uring_submit(ring), 1);
}

static void recv_multishot_op(void **state)
{
	static const char *const msgs[] = { "one", "second", "third msg" };
	static const __u64 ud = 11;
	struct p_bufring b;
	struct io_uring ring;
	int s[2];

	(void) state;
	T_REQUIRE_OP(IORING_OP_RECV);
	p_ring_bufring(&ring, &b, 4, 64, 1);
	p_tcp_pair(s);
	queue_recv_multishot(&ring, s[0], 1, ud);
	p_multishot_chunks(&ring, &b, s[1], msgs, 3, &ud);
	/* the peer closes: a final res 0 without F_MORE */
	close(s[1]);
	p_multishot_end(&ring, 0);
	close(s[0]);
	p_bufring_free(&ring, &b);
	io_uring_queue_exit(&ring);
}

static void recv_multishot_nobufs(void **state)
{
	static const char *const fills[] = { "fill", "fill" };
	struct p_bufring b;
	struct io_uring ring;
	int s[2];

	(void) state;
	T_REQUIRE_OP(IORING_OP_RECV);
	p_ring_bufring(&ring, &b, 2, 32, 2);
	p_tcp_pair(s);
	queue_recv_multishot(&ring, s[0], 2, 0);
	p_multishot_chunks(&ring, NULL, s[1], fills, 2, NULL);
	/* both buffers used: the next data ends the request */
	p_write_full(s[1], "more", 4);
	p_multishot_end(&ring, -ENOBUFS);
	t_close_pair(s);
	p_bufring_free(&ring, &b);
	io_uring_queue_exit(&ring);
}

/* Walk the cmsgs of a multishot recvmsg buffer; note what was found. */
static void check_cmsgs(struct io_uring_recvmsg_out *o, struct msghdr *mh,
			bool *pktinfo, bool *ttl)
{
	struct cmsghdr *cm;

	for (cm = io_uring_recvmsg_cmsg_firsthdr(o, mh); cm;
	     cm = io_uring_recvmsg_cmsg_nexthdr(o, mh, cm)) {
		assert_int_equal(cm->cmsg_level, IPPROTO_IP);
		if (cm->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			assert_int_equal(pi.ipi_addr.s_addr, htonl(INADDR_LOOPBACK));
			*pktinfo = true;
		} else if (cm->cmsg_type == IP_TTL) {
			int t;

			memcpy(&t, CMSG_DATA(cm), sizeof(t));
			assert_true(t > 0 && t <= 255);
			*ttl = true;
		}
	}
}

static void recvmsg_multishot_op(void **state)
{
	static const char *msgs[] = { "datagram one", "dg2" };
	struct io_uring_recvmsg_out *o;
	struct io_uring_sqe *sqe;
	struct p_bufring b;
	struct msghdr mh;
	struct io_uring ring;
	struct pcqe c;
	unsigned i;
	int r, sfd, on = 1;

	(void) state;
	T_REQUIRE_OP(IORING_OP_RECVMSG);
	p_ring_bufring(&ring, &b, 4, 256, 3);
	r = p_bound_socket(SOCK_DGRAM);
	sfd = p_bound_socket(SOCK_DGRAM);
	assert_int_equal(setsockopt(r, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on)), 0);
	assert_int_equal(setsockopt(r, IPPROTO_IP, IP_RECVTTL, &on, sizeof(on)), 0);

	memset(&mh, 0, sizeof(mh));
	mh.msg_namelen = sizeof(struct sockaddr_in);
	mh.msg_controllen = CMSG_SPACE(sizeof(struct in_pktinfo)) +
			    CMSG_SPACE(sizeof(int));
	sqe = t_sqe(&ring);
	io_uring_prep_recvmsg_multishot(sqe, r, &mh, 0);
	io_uring_sqe_set_flags(sqe, IOSQE_BUFFER_SELECT);
	io_uring_sqe_set_buf_group(sqe, 3);
	assert_int_equal(io_uring_submit(&ring), 1);

	for (i = 0; i < 2; i++) {
		struct sockaddr_in d = p_loopback(p_port_of(r)), name;
		size_t len = strlen(msgs[i]);
		bool pktinfo = false, ttl = false;
		unsigned char *buf;

		assert_int_equal(sendto(sfd, msgs[i], len, 0,
					(struct sockaddr *) &d, sizeof(d)),
				 (ssize_t) len);
		c = p_wait(&ring);
		assert_true(c.res > 0);
		assert_true(c.flags & IORING_CQE_F_MORE);
		buf = p_buf(&b, p_bid(&c));

		/* a buffer shorter than the headers does not validate */
		assert_null(io_uring_recvmsg_validate(buf, 8, &mh));
		o = io_uring_recvmsg_validate(buf, c.res, &mh);
		assert_non_null(o);
		assert_int_equal(o->namelen, sizeof(struct sockaddr_in));
		memcpy(&name, io_uring_recvmsg_name(o), sizeof(name));
		assert_int_equal(ntohs(name.sin_port), p_port_of(sfd));
		assert_int_equal(name.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
		assert_int_equal(o->payloadlen, len);
		assert_int_equal(io_uring_recvmsg_payload_length(o, c.res, &mh), len);
		assert_memory_equal(io_uring_recvmsg_payload(o, &mh), msgs[i], len);
		assert_true(o->controllen > 0);
		check_cmsgs(o, &mh, &pktinfo, &ttl);
		assert_true(pktinfo);
		assert_true(ttl);
	}
	io_uring_prep_cancel_fd(t_sqe(&ring), r, 0);
	assert_int_equal(io_uring_submit(&ring), 1);
	p_wait(&ring);
	p_wait(&ring);
	close(r);
	close(sfd);
	p_bufring_free(&ring, &b);
	io_uring_queue_exit(&ring);
}

/*
 * The multishot recvmsg buffer helpers never point past the buffer: a
 * buffer too short for its headers, a negative length (an error CQE's res
 * passed through) or header lengths whose sum overflows give no message
 * (validate) and a payload of 0 bytes (payload_length).
 */
static void recvmsg_buffer_bounds(void **state)
{
	static unsigned char buf[256];
	const int hdr = (int) sizeof(struct io_uring_recvmsg_out);
	struct io_uring_recvmsg_out *o = (struct io_uring_recvmsg_out *) buf;
	struct msghdr mh;

	(void) state;
	memset(&mh, 0, sizeof(mh));
	mh.msg_namelen = 16;
	mh.msg_controllen = 32;
	/* exactly the headers: valid, no payload; one byte more: one byte */
	assert_ptr_equal(io_uring_recvmsg_validate(buf, hdr + 48, &mh), o);
	assert_int_equal(io_uring_recvmsg_payload_length(o, hdr + 48, &mh), 0);
	assert_int_equal(io_uring_recvmsg_payload_length(o, hdr + 49, &mh), 1);
	assert_null(io_uring_recvmsg_validate(buf, hdr + 47, &mh));
	/* the payload would start past the end of the buffer */
	assert_int_equal(io_uring_recvmsg_payload_length(o, hdr + 47, &mh), 0);
	assert_int_equal(io_uring_recvmsg_payload_length(o, 8, &mh), 0);
	assert_int_equal(io_uring_recvmsg_payload_length(o, 0, &mh), 0);
	/* an error CQE's res */
	assert_null(io_uring_recvmsg_validate(buf, -ENOBUFS, &mh));
	assert_int_equal(io_uring_recvmsg_payload_length(o, -ENOBUFS, &mh), 0);
	assert_int_equal(io_uring_recvmsg_payload_length(o, -1, &mh), 0);
	/* lengths whose sum wraps around */
	mh.msg_controllen = SIZE_MAX - 15;
	assert_null(io_uring_recvmsg_validate(buf, (int) sizeof(buf), &mh));
	assert_int_equal(io_uring_recvmsg_payload_length(o, (int) sizeof(buf), &mh), 0);
	mh.msg_controllen = SIZE_MAX - (size_t) hdr - 15;
	assert_null(io_uring_recvmsg_validate(buf, (int) sizeof(buf), &mh));
	assert_int_equal(io_uring_recvmsg_payload_length(o, (int) sizeof(buf), &mh), 0);
	mh.msg_controllen = 0;
	mh.msg_namelen = ~0U;
	assert_null(io_uring_recvmsg_validate(buf, (int) sizeof(buf), &mh));
	assert_int_equal(io_uring_recvmsg_payload_length(o, (int) sizeof(buf), &mh), 0);
	assert_null(io_uring_recvmsg_validate(buf, 0x7fffffff, &mh));
}

/*
 * io_uring_recvmsg_cmsg_nexthdr() steps only forward and stays inside the
 * control data whatever a cmsg_len says: lengths whose alignment wraps
 * around (the walk would stay on the same header forever) or that step
 * backwards give NULL, on 32-bit size_t too.
 */
static void recvmsg_cmsg_bounds(void **state)
{
	static union { unsigned char b[256]; size_t align; } u;
	static const size_t bad[] = {
		SIZE_MAX, SIZE_MAX - 2, SIZE_MAX - 63, SIZE_MAX / 2 + 1, 49,
	};
	struct io_uring_recvmsg_out *o = (struct io_uring_recvmsg_out *) u.b;
	struct cmsghdr *first, *second;
	struct msghdr mh;
	unsigned i;

	(void) state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&u, 0, sizeof(u));
		memset(&mh, 0, sizeof(mh));
		mh.msg_namelen = 16;
		mh.msg_controllen = 64;
		o->namelen = 16;
		o->controllen = 64;
		first = io_uring_recvmsg_cmsg_firsthdr(o, &mh);
		assert_ptr_equal(first, u.b + sizeof(*o) + 16);
		first->cmsg_len = CMSG_LEN(4);
		second = io_uring_recvmsg_cmsg_nexthdr(o, &mh, first);
		assert_ptr_equal(second, (unsigned char *) first + CMSG_SPACE(4));
		/* its length reaches past the 64 bytes: not returned */
		second->cmsg_len = bad[i];
		assert_null(io_uring_recvmsg_cmsg_nexthdr(o, &mh, first));
		/* and nothing follows it */
		assert_null(io_uring_recvmsg_cmsg_nexthdr(o, &mh, second));
	}
}

/* ---- shutdown and socket commands ---- */

static void shutdown_op(void **state)
{
	struct io_uring ring;
	char b;
	int s[2];

	(void) state;
	T_REQUIRE_OP(IORING_OP_SHUTDOWN);
	t_ring(&ring, 4, 0);
	p_tcp_pair(s);
	io_uring_prep_shutdown(t_sqe(&ring), s[1], SHUT_WR);
	assert_int_equal(p_submit_wait(&ring).res, 0);
	/* the peer sees EOF */
	{
		struct pollfd pfd = { .fd = s[0], .events = POLLIN };

		assert_int_equal(poll(&pfd, 1, 5000), 1);
		assert_int_equal(read(s[0], &b, 1), 0);
	}
	/* 'how' is passed: only the write side is shut, reading still works */
	p_write_full(s[0], "r", 1);
	p_read_full(s[1], &b, 1);
	assert_int_equal(b, 'r');
	assert_int_equal(write(s[1], "w", 1), -1);
	assert_int_equal(errno, EPIPE);
	t_close_pair(s);
	io_uring_queue_exit(&ring);
}

static void cmd_sock_op(void **state)
{
	struct io_uring ring;
	int s[2], val = 0, res;

	(void) state;
	T_REQUIRE_OP(IORING_OP_URING_CMD);
	t_ring(&ring, 4, 0);
	p_tcp_pair(s);

	/* GETSOCKOPT: res is the option length, the value matches getsockopt(2) */
	io_uring_prep_cmd_sock(t_sqe(&ring), SOCKET_URING_OP_GETSOCKOPT, s[0],
			       SOL_SOCKET, SO_RCVBUF, &val, sizeof(val));
	res = p_submit_wait(&ring).res;
	if (res == -EOPNOTSUPP || res == -EINVAL) {
		t_close_pair(s);
		io_uring_queue_exit(&ring);
		T_SKIP("kernel lacks socket getsockopt via uring_cmd (%d)", res);
	}
	assert_int_equal(res, sizeof(int));
	assert_int_equal(val, sock_opt(s[0], SOL_SOCKET, SO_RCVBUF));

	/* SETSOCKOPT takes effect: the kernel doubles SO_RCVBUF */
	val = 65536;
	io_uring_prep_cmd_sock(t_sqe(&ring), SOCKET_URING_OP_SETSOCKOPT, s[0],
			       SOL_SOCKET, SO_RCVBUF, &val, sizeof(val));
	assert_int_equal(p_submit_wait(&ring).res, 0);
	assert_int_equal(sock_opt(s[0], SOL_SOCKET, SO_RCVBUF), 2 * 65536);
	val = 1;
	io_uring_prep_cmd_sock(t_sqe(&ring), SOCKET_URING_OP_SETSOCKOPT, s[0],
			       IPPROTO_TCP, TCP_NODELAY, &val, sizeof(val));
	assert_int_equal(p_submit_wait(&ring).res, 0);
	assert_int_equal(sock_opt(s[0], IPPROTO_TCP, TCP_NODELAY), 1);

	/* SIOCINQ: bytes waiting to be read */
	p_write_full(s[1], "ten bytes!", 10);
	{
		struct pollfd pfd = { .fd = s[0], .events = POLLIN };

		assert_int_equal(poll(&pfd, 1, 5000), 1);
	}
	io_uring_prep_cmd_sock(t_sqe(&ring), SOCKET_URING_OP_SIOCINQ, s[0], 0, 0,
			       NULL, 0);
	assert_int_equal(p_submit_wait(&ring).res, 10);
	io_uring_prep_cmd_sock(t_sqe(&ring), SOCKET_URING_OP_SIOCOUTQ, s[0], 0, 0,
			       NULL, 0);
	assert_int_equal(p_submit_wait(&ring).res, 0);
	t_close_pair(s);
	io_uring_queue_exit(&ring);
}

static void cmd_getsockname_op(void **state)
{
	struct sockaddr_in got, want;
	socklen_t glen, wlen;
	struct io_uring ring;
	int s[2], peer, res;

	(void) state;
	T_REQUIRE_OP(IORING_OP_URING_CMD);
	t_ring(&ring, 4, 0);
	p_tcp_pair(s);
	for (peer = 0; peer <= 1; peer++) {
		memset(&got, 0xff, sizeof(got));
		glen = sizeof(got);
		wlen = sizeof(want);
		io_uring_prep_cmd_getsockname(t_sqe(&ring), s[1],
					      (struct sockaddr *) &got, &glen,
					      peer);
		res = p_submit_wait(&ring).res;
		if (res == -EOPNOTSUPP || res == -EINVAL) {
			t_close_pair(s);
			io_uring_queue_exit(&ring);
			T_SKIP("kernel lacks SOCKET_URING_OP_GETSOCKNAME (%d)", res);
		}
		assert_int_equal(res, 0);
		if (peer)
			assert_int_equal(getpeername(s[1], (struct sockaddr *) &want,
						     &wlen), 0);
		else
			assert_int_equal(getsockname(s[1], (struct sockaddr *) &want,
						     &wlen), 0);
		assert_int_equal(glen, wlen);
		assert_true(same_addr(&got, &want));
	}
	/* peer=1 and peer=0 differ: the ports of the two ends */
	assert_int_equal(ntohs(got.sin_port), p_port_of(s[0]));
	t_close_pair(s);
	io_uring_queue_exit(&ring);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(socket_op),
		cmocka_unit_test(socket_direct_op),
		cmocka_unit_test(bind_listen_op),
		cmocka_unit_test(bind_listen_direct),
		cmocka_unit_test(accept_direct_op),
		cmocka_unit_test(multishot_accept_op),
		cmocka_unit_test(multishot_accept_direct_op),
		cmocka_unit_test(sendto_set_addr),
		cmocka_unit_test(send_bundle_op),
		cmocka_unit_test(sendmsg_recvmsg_op),
		cmocka_unit_test(send_zc_op),
		cmocka_unit_test(send_zc_fixed_op),
		cmocka_unit_test(sendmsg_zc_op),
		cmocka_unit_test(sendmsg_zc_fixed_op),
		cmocka_unit_test(recv_multishot_op),
		cmocka_unit_test(recv_multishot_nobufs),
		cmocka_unit_test(recvmsg_multishot_op),
		cmocka_unit_test(recvmsg_buffer_bounds),
		cmocka_unit_test(recvmsg_cmsg_bounds),
		cmocka_unit_test(shutdown_op),
		cmocka_unit_test(cmd_sock_op),
		cmocka_unit_test(cmd_getsockname_op),
	};

	/* a peer closing early must not kill the test with SIGPIPE */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
