/* SPDX-License-Identifier: MIT */
/*
 * Reads and writes beyond plain read/write: the generic prep_rw, the RWF_*
 * flags of readv2/writev2, vectored fixed buffers, multishot reads from a
 * buffer ring and the legacy provided buffers.
 */
#include "prep_util.h"

#include <sys/uio.h>

static void prep_rw_generic(void **state)
{
	const char *path = t_path("rw-generic");
	unsigned char buf[512];
	struct io_uring ring;
	int fd = t_make_file(path, 8192);

	(void) state;
	t_ring(&ring, 4, 0);
	/* opcode, fd, addr, len and offset all land where the kernel reads them */
	io_uring_prep_rw(IORING_OP_READ, t_sqe(&ring), fd, buf, sizeof(buf), 1000);
	assert_int_equal(p_submit_wait(&ring).res, (int) sizeof(buf));
	t_assert_pattern(buf, sizeof(buf), 1000);

	memset(buf, 0x5a, sizeof(buf));
	io_uring_prep_rw(IORING_OP_WRITE, t_sqe(&ring), fd, buf, 100, 8192);
	assert_int_equal(p_submit_wait(&ring).res, 100);
	{
		struct stat st;

		assert_int_equal(fstat(fd, &st), 0);
		assert_int_equal(st.st_size, 8292);
	}
	close(fd);
	io_uring_queue_exit(&ring);
}

static void readv2_writev2_flags(void **state)
{
	const char *path = t_path("rw-flags");
	unsigned char a[100], b[50], buf[150];
	struct iovec iov[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
	struct io_uring ring;
	struct stat st;
	int fd = t_make_file(path, 1000);
	int p[2], res;
	bool nowait_pipe;

	(void) state;
	t_ring(&ring, 4, 0);
	memset(a, 'a', sizeof(a));
	memset(b, 'b', sizeof(b));

	/* RWF_APPEND: the offset is ignored, data goes to the end of the file */
	io_uring_prep_writev2(t_sqe(&ring), fd, iov, 2, 0, RWF_APPEND);
	assert_int_equal(p_submit_wait(&ring).res, 150);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_size, 1150);
	assert_int_equal(pread(fd, buf, 150, 1000), 150);
	assert_memory_equal(buf, a, 100);
	assert_memory_equal(buf + 100, b, 50);
	/* the start of the file is untouched */
	assert_int_equal(pread(fd, buf, 100, 0), 100);
	t_assert_pattern(buf, 100, 0);

	/* readv2 with flags 0 reads both vectors */
	io_uring_prep_readv2(t_sqe(&ring), fd, iov, 2, 10, 0);
	assert_int_equal(p_submit_wait(&ring).res, 150);
	t_assert_pattern(a, 100, 10);
	t_assert_pattern(b, 50, 110);

	/* RWF_NOWAIT on an empty pipe: -EAGAIN instead of waiting */
	assert_int_equal(pipe(p), 0);
	io_uring_prep_readv2(t_sqe(&ring), p[0], iov, 1, (__u64) -1, RWF_NOWAIT);
	res = p_submit_wait(&ring).res;
	/* 6.1's pipes lack FMODE_NOWAIT: io_uring refuses RWF_NOWAIT there */
	nowait_pipe = res != -EOPNOTSUPP;
	if (nowait_pipe) {
		assert_int_equal(res, -EAGAIN);
		/* ...and with data available it reads */
		p_write_full(p[1], "now", 3);
		io_uring_prep_readv2(t_sqe(&ring), p[0], iov, 1, (__u64) -1,
				     RWF_NOWAIT);
		assert_int_equal(p_submit_wait(&ring).res, 3);
		assert_memory_equal(a, "now", 3);
	}
	/* unknown RWF bits are rejected */
	io_uring_prep_readv2(t_sqe(&ring), fd, iov, 1, 0, 0x40000000);
	assert_int_equal(p_submit_wait(&ring).res, -EOPNOTSUPP);
	t_close_pair(p);
	close(fd);
	io_uring_queue_exit(&ring);
	if (!nowait_pipe)
		T_SKIP("kernel lacks RWF_NOWAIT on pipes (-EOPNOTSUPP); the rest passed");
}

static void readv_writev_fixed(void **state)
{
	const char *path = t_path("rw-vfixed");
	struct io_uring ring;
	struct iovec reg;
	struct iovec iov[3];
	unsigned char *mem;
	size_t i;
	int fd = t_make_file(path, 0), ret;

	(void) state;
	T_REQUIRE_OP(IORING_OP_READV_FIXED);
	T_REQUIRE_OP(IORING_OP_WRITEV_FIXED);
	t_ring(&ring, 4, 0);
	mem = aligned_alloc(4096, 65536);
	assert_non_null(mem);
	reg.iov_base = mem;
	reg.iov_len = 65536;
	ret = io_uring_register_buffers(&ring, &reg, 1);
	if (ret) {
		free(mem);
		close(fd);
		io_uring_queue_exit(&ring);
		T_SKIP("io_uring_register_buffers: %s", strerror(-ret));
	}
	for (i = 0; i < 65536; i++)
		mem[i] = t_pattern(i);

	/* three pieces of the registered buffer, written back to back */
	iov[0].iov_base = mem;
	iov[0].iov_len = 1000;
	iov[1].iov_base = mem + 1000;
	iov[1].iov_len = 3000;
	iov[2].iov_base = mem + 4000;
	iov[2].iov_len = 96;
	io_uring_prep_writev_fixed(t_sqe(&ring), fd, iov, 3, 0, 0, 0);
	ret = p_submit_wait(&ring).res;
	assert_int_equal(ret, 4096);
	{
		unsigned char buf[4096];

		assert_int_equal(pread(fd, buf, sizeof(buf), 0), 4096);
		t_assert_pattern(buf, sizeof(buf), 0);
	}

	/* read back into a different part of the registered buffer */
	memset(mem + 32768, 0, 4096);
	iov[0].iov_base = mem + 32768;
	iov[0].iov_len = 2048;
	iov[1].iov_base = mem + 32768 + 2048;
	iov[1].iov_len = 2048;
	io_uring_prep_readv_fixed(t_sqe(&ring), fd, iov, 2, 0, 0, 0);
	assert_int_equal(p_submit_wait(&ring).res, 4096);
	t_assert_pattern(mem + 32768, 4096, 0);

	/* buf_index is used: index 1 is not registered */
	io_uring_prep_readv_fixed(t_sqe(&ring), fd, iov, 2, 0, 0, 1);
	assert_int_equal(p_submit_wait(&ring).res, -EFAULT);
	/* and the vectors must lie inside the registered buffer */
	{
		unsigned char outside[16];

		iov[0].iov_base = outside;
		iov[0].iov_len = sizeof(outside);
		io_uring_prep_readv_fixed(t_sqe(&ring), fd, iov, 1, 0, 0, 0);
		assert_int_equal(p_submit_wait(&ring).res, -EFAULT);
	}
	/* the flags reach the kernel too: RWF_APPEND on the write side */
	iov[0].iov_base = mem;
	iov[0].iov_len = 10;
	io_uring_prep_writev_fixed(t_sqe(&ring), fd, iov, 1, 0, RWF_APPEND, 0);
	assert_int_equal(p_submit_wait(&ring).res, 10);
	{
		struct stat st;

		assert_int_equal(fstat(fd, &st), 0);
		assert_int_equal(st.st_size, 4106);
	}
	assert_int_equal(io_uring_unregister_buffers(&ring), 0);
	free(mem);
	close(fd);
	io_uring_queue_exit(&ring);
}

/* A pipe p, a ring with buffer group bgid, a multishot read of p[0] from it. */
static void read_multishot_start(struct io_uring *ring, struct p_bufring *b,
				 int p[2], unsigned n, unsigned sz, int bgid)
{
	assert_int_equal(pipe(p), 0);
	p_ring_bufring(ring, b, n, sz, bgid);
	io_uring_prep_read_multishot(t_sqe(ring), p[0], 0, 0, bgid);
	assert_int_equal(io_uring_submit(ring), 1);
}

/* Every chunk written to the pipe comes back in its own ring buffer. */
static void read_multishot_pipe(void **state)
{
	static const char *const chunks[] = { "first", "second chunk", "3" };
	struct p_bufring b;
	struct io_uring ring;
	int p[2];

	(void) state;
	T_REQUIRE_OP(IORING_OP_READ_MULTISHOT);
	read_multishot_start(&ring, &b, p, 8, 64, 3);
	p_assert_no_cqe(&ring, 20);

	p_multishot_chunks(&ring, &b, p[1], chunks, 3, NULL);
	/* the writer goes away: EOF ends the multishot read */
	close(p[1]);
	p_multishot_end(&ring, 0);
	p_bufring_free(&ring, &b);
	close(p[0]);
	io_uring_queue_exit(&ring);
}

/* Buffers run out: the multishot read stops with -ENOBUFS, F_MORE clear. */
static void read_multishot_nobufs(void **state)
{
	static const char *const fills[] = { "0123456789abcdef",
					     "0123456789abcdef" };
	struct p_bufring b;
	struct io_uring ring;
	int p[2];

	(void) state;
	T_REQUIRE_OP(IORING_OP_READ_MULTISHOT);
	read_multishot_start(&ring, &b, p, 2, 16, 4);
	p_multishot_chunks(&ring, NULL, p[1], fills, 2, NULL);
	p_write_full(p[1], "x", 1);
	p_multishot_end(&ring, -ENOBUFS);
	p_bufring_free(&ring, &b);
	t_close_pair(p);
	io_uring_queue_exit(&ring);
}

/* Legacy provided buffers: reads pick a buffer from the group. */
static void provide_remove_buffers(void **state)
{
	const char *path = t_path("rw-provided");
	unsigned char mem[4 * 32];
	bool used[4] = { false, false, false, false };
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	struct pcqe c;
	int fd = t_make_file(path, 4096), i;

	(void) state;
	T_REQUIRE_OP(IORING_OP_PROVIDE_BUFFERS);
	T_REQUIRE_OP(IORING_OP_REMOVE_BUFFERS);
	t_ring(&ring, 8, 0);
	memset(mem, 0, sizeof(mem));
	/* 4 buffers of 32 bytes, ids 10..13, group 7 */
	io_uring_prep_provide_buffers(t_sqe(&ring), mem, 32, 4, 7, 10);
	c = p_submit_wait(&ring);
	assert_true(c.res >= 0);

	for (i = 0; i < 2; i++) {
		unsigned bid;

		sqe = t_sqe(&ring);
		io_uring_prep_read(sqe, fd, NULL, 32, (__u64) i * 32);
		io_uring_sqe_set_flags(sqe, IOSQE_BUFFER_SELECT);
		sqe->buf_group = 7;
		c = p_submit_wait(&ring);
		assert_int_equal(c.res, 32);
		bid = p_bid(&c);
		assert_true(bid >= 10 && bid <= 13);
		assert_false(used[bid - 10]);
		used[bid - 10] = true;
		t_assert_pattern(mem + (bid - 10) * 32, 32, (size_t) i * 32);
	}

	/* remove: res is how many buffers were left to remove */
	io_uring_prep_remove_buffers(t_sqe(&ring), 8, 7);
	assert_int_equal(p_submit_wait(&ring).res, 2);
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, fd, NULL, 32, 0);
	io_uring_sqe_set_flags(sqe, IOSQE_BUFFER_SELECT);
	io_uring_sqe_set_buf_group(sqe, 7);
	assert_int_equal(p_submit_wait(&ring).res, -ENOBUFS);
	/* a group that never existed */
	io_uring_prep_remove_buffers(t_sqe(&ring), 1, 99);
	assert_int_equal(p_submit_wait(&ring).res, -ENOENT);
	close(fd);
	io_uring_queue_exit(&ring);
}

/* A recv with IOSQE_BUFFER_SELECT picks a legacy provided buffer too. */
static void provided_buffers_recv(void **state)
{
	char mem[2][64];
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	struct pcqe c;
	unsigned bid;
	int s[2];

	(void) state;
	T_REQUIRE_OP(IORING_OP_PROVIDE_BUFFERS);
	p_tcp_pair(s);
	t_ring(&ring, 8, 0);
	io_uring_prep_provide_buffers(t_sqe(&ring), mem, 64, 2, 9, 0);
	assert_true(p_submit_wait(&ring).res >= 0);
	p_write_full(s[1], "over the socket", 15);
	sqe = t_sqe(&ring);
	io_uring_prep_recv(sqe, s[0], NULL, 64, 0);
	io_uring_sqe_set_flags(sqe, IOSQE_BUFFER_SELECT);
	io_uring_sqe_set_buf_group(sqe, 9);
	c = p_submit_wait(&ring);
	assert_int_equal(c.res, 15);
	bid = p_bid(&c);
	assert_true(bid < 2);
	assert_memory_equal(mem[bid], "over the socket", 15);
	t_close_pair(s);
	io_uring_queue_exit(&ring);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(prep_rw_generic),
		cmocka_unit_test(readv2_writev2_flags),
		cmocka_unit_test(readv_writev_fixed),
		cmocka_unit_test(read_multishot_pipe),
		cmocka_unit_test(read_multishot_nobufs),
		cmocka_unit_test(provide_remove_buffers),
		cmocka_unit_test(provided_buffers_recv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
