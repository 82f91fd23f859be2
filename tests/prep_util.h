/* SPDX-License-Identifier: MIT */
/*
 * Small helpers shared by the prep_* suites: bounded waits, loopback socket
 * pairs, provided buffer rings.  Everything is static: each suite is one
 * program.
 */
#ifndef URING_TEST_PREP_UTIL_H
#define URING_TEST_PREP_UTIL_H

#include "helpers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>

/* One completion, copied out of the ring. */
struct pcqe {
	int res;
	unsigned flags;
	__u64 ud;
};

/* Wait at most ms milliseconds for a CQE; returns 0 and fills *out, or -ETIME. */
static inline int p_wait_ms(struct io_uring *ring, struct pcqe *out, int ms)
{
	return t_wait_ms(ring, ms, &out->res, &out->flags, &out->ud);
}

/* A CQE must arrive within 5 s. */
static inline struct pcqe p_wait(struct io_uring *ring)
{
	struct pcqe c = { 0, 0, 0 };

	c.res = t_wait_bounded(ring, &c.flags, &c.ud);
	return c;
}

/* Submit, then p_wait(). */
static inline struct pcqe p_submit_wait(struct io_uring *ring)
{
	int ret = io_uring_submit(ring);

	if (ret < 0)
		fail_msg("io_uring_submit: %s", strerror(-ret));
	return p_wait(ring);
}

/* No CQE is ready right now (after a short grace period). */
static inline void p_assert_no_cqe(struct io_uring *ring, int ms)
{
	struct pcqe c = { 0, 0, 0 };
	int ret = p_wait_ms(ring, &c, ms);

	if (ret != -ETIME)
		fail_msg("unexpected CQE: res %d flags 0x%x ud %llu", c.res,
			 c.flags, (unsigned long long) c.ud);
}

/* Wait for n CQEs and store them by user_data (ud must be < n_slots). */
static inline void p_wait_n(struct io_uring *ring, struct pcqe *by_ud,
			    unsigned n_slots, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		struct pcqe c = p_wait(ring);

		if (c.ud >= n_slots)
			fail_msg("unexpected user_data %llu", (unsigned long long) c.ud);
		by_ud[c.ud] = c;
	}
}

static inline struct sockaddr_in p_loopback(unsigned short port)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static inline unsigned short p_port_of(int fd)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	if (getsockname(fd, (struct sockaddr *) &a, &len))
		fail_msg("getsockname: %s", strerror(errno));
	return ntohs(a.sin_port);
}

/* A socket bound to 127.0.0.1 on an ephemeral port. */
static inline int p_bound_socket(int type)
{
	struct sockaddr_in a = p_loopback(0);
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);

	if (fd < 0)
		fail_msg("socket: %s", strerror(errno));
	if (bind(fd, (struct sockaddr *) &a, sizeof(a)))
		fail_msg("bind: %s", strerror(errno));
	return fd;
}

static inline int p_listener(void)
{
	int fd = p_bound_socket(SOCK_STREAM);

	if (listen(fd, 16))
		fail_msg("listen: %s", strerror(errno));
	return fd;
}

static inline int p_connect_to(int listen_fd)
{
	struct sockaddr_in a = p_loopback(p_port_of(listen_fd));
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		fail_msg("socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *) &a, sizeof(a)))
		fail_msg("connect: %s", strerror(errno));
	return fd;
}

/* A connected TCP pair over 127.0.0.1: fds[0] accepted side, fds[1] client. */
static inline void p_tcp_pair(int fds[2])
{
	int lfd = p_listener();

	fds[1] = p_connect_to(lfd);
	fds[0] = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fds[0] < 0)
		fail_msg("accept: %s", strerror(errno));
	close(lfd);
}

/* Read exactly len bytes (blocking, bounded by a 5 s poll). */
static inline void p_read_full(int fd, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, 5000) != 1)
			fail_msg("fd %d: no data within 5 s", fd);
		n = read(fd, (char *) buf + done, len - done);
		if (n <= 0)
			fail_msg("read: %zd (%s)", n, n ? strerror(errno) : "EOF");
		done += (size_t) n;
	}
}

static inline void p_write_full(int fd, const void *buf, size_t len)
{
	if (write(fd, buf, len) != (ssize_t) len)
		fail_msg("write: %s", strerror(errno));
}

/* A registered provided buffer ring of n buffers of size sz, all added. */
struct p_bufring {
	struct io_uring_buf_ring *br;
	unsigned char *mem;
	unsigned n;
	unsigned sz;
	int bgid;
};

/* Returns 0, or -errno from io_uring_setup_buf_ring (caller may skip). */
static inline int p_bufring_setup(struct io_uring *ring, struct p_bufring *b,
				  unsigned n, unsigned sz, int bgid)
{
	unsigned i;
	int err = 0;

	b->mem = NULL;
	b->n = n;
	b->sz = sz;
	b->bgid = bgid;
	b->br = io_uring_setup_buf_ring(ring, n, bgid, 0, &err);
	if (!b->br)
		return err;
	b->mem = (unsigned char *) calloc(n, sz);
	assert_non_null(b->mem);
	for (i = 0; i < n; i++)
		io_uring_buf_ring_add(b->br, b->mem + (size_t) i * sz, sz,
				      (unsigned short) i,
				      io_uring_buf_ring_mask(n), (int) i);
	io_uring_buf_ring_advance(b->br, (int) n);
	return 0;
}

static inline unsigned char *p_buf(struct p_bufring *b, unsigned bid)
{
	assert_true(bid < b->n);
	return b->mem + (size_t) bid * b->sz;
}

static inline void p_bufring_free(struct io_uring *ring, struct p_bufring *b)
{
	assert_int_equal(io_uring_free_buf_ring(ring, b->br, b->n, b->bgid), 0);
	free(b->mem);
}

/* The buffer id a CQE with IORING_CQE_F_BUFFER names. */
static inline unsigned p_bid(const struct pcqe *c)
{
	assert_true(c->flags & IORING_CQE_F_BUFFER);
	return c->flags >> IORING_CQE_BUFFER_SHIFT;
}

/* An 8-entry ring with a provided buffer ring; skips when the kernel has none. */
static inline void p_ring_bufring(struct io_uring *ring, struct p_bufring *b,
				  unsigned n, unsigned sz, int bgid)
{
	int ret;

	t_ring(ring, 8, 0);
	ret = p_bufring_setup(ring, b, n, sz, bgid);
	if (ret) {
		io_uring_queue_exit(ring);
		T_SKIP("io_uring_setup_buf_ring: %s", strerror(-ret));
	}
}

/*
 * Write each of n chunks to wfd; each comes back as one CQE of a multishot
 * request (user_data *ud when ud is set) with F_MORE, its bytes in a buffer of b.
 */
static inline void p_multishot_chunks(struct io_uring *ring, struct p_bufring *b,
				      int wfd, const char *const *chunks,
				      unsigned n, const __u64 *ud)
{
	struct pcqe c;
	unsigned i;

	for (i = 0; i < n; i++) {
		size_t len = strlen(chunks[i]);

		p_write_full(wfd, chunks[i], len);
		c = p_wait(ring);
		if (ud)
			assert_int_equal(c.ud, *ud);
		assert_int_equal(c.res, (int) len);
		assert_true(c.flags & IORING_CQE_F_MORE);
		if (b)
			assert_memory_equal(p_buf(b, p_bid(&c)), chunks[i], len);
	}
}

/* The next CQE ends a multishot request: res, F_MORE clear. */
static inline void p_multishot_end(struct io_uring *ring, int res)
{
	struct pcqe c = p_wait(ring);

	assert_int_equal(c.res, res);
	assert_false(c.flags & IORING_CQE_F_MORE);
}

#endif
