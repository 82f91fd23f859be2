/* SPDX-License-Identifier: MIT */
/*
 * What differs between ABIs: 64-bit values stay whole on 32-bit ones.
 *
 * user_data, file offsets, timeouts and msg_ring data are 64-bit in the SQE
 * and CQE whatever the size of a pointer or a long; pointers go into 64-bit
 * SQE fields zero-extended, never sign-extended; ring mappings sit at
 * offsets past 2 GiB.  Each test asserts the kernel's effect, so it fails on
 * a 32-bit build (i386 natively, armhf/armel) where any of these is cut to
 * 32 bits, and runs unchanged on 64-bit and big-endian ones.
 */
#include "helpers.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>

_Static_assert(sizeof(off_t) == 8, "the suites build with a 64-bit off_t");

#define GiB	(1ULL << 30)

/* user_data values whose upper or lower half alone would be wrong */
static const __u64 wide_values[] = {
	0, 1, 0xffffffffULL, 0x100000000ULL, 0x100000001ULL,
	0x8000000000000000ULL, 0xdeadbeefcafef00dULL, 0xffffffffffffffffULL,
	0x7fffffff80000000ULL,
};
#define N_WIDE	(sizeof(wide_values) / sizeof(wide_values[0]))

/* every bit of user_data comes back in the CQE, through both accessors */
static void user_data_all_bits(void **state)
{
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	unsigned i, seen = 0;

	(void) state;
	t_ring(&ring, 16, 0);
	for (i = 0; i < N_WIDE; i++)
		t_nop(&ring, wide_values[i]);
	assert_int_equal(io_uring_submit_and_wait(&ring, N_WIDE), N_WIDE);
	for (i = 0; i < N_WIDE; i++) {
		assert_int_equal(io_uring_peek_cqe(&ring, &cqe), 0);
		assert_true(io_uring_cqe_get_data64(cqe) == wide_values[i]);
		assert_true(cqe->user_data == wide_values[i]);
		io_uring_cqe_seen(&ring, cqe);
		seen++;
	}
	assert_int_equal(seen, N_WIDE);
	io_uring_queue_exit(&ring);
}

/*
 * A pointer with its top bit set goes into user_data, and through
 * uring_ptr_to_u64(), zero-extended (on a 32-bit ABI: below 4 GiB, not
 * 0xffffffff........) and comes back equal.
 */
static void user_data_pointer_top_bit(void **state)
{
	void *p = (void *) (UINTPTR_MAX - 0xfff);
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	struct io_uring ring;

	(void) state;
	t_ring(&ring, 4, 0);
	sqe = t_sqe(&ring);
	io_uring_prep_nop(sqe);
	io_uring_sqe_set_data(sqe, p);
	assert_true(sqe->user_data == (__u64) (uintptr_t) p);
	assert_true(uring_ptr_to_u64(p) == sqe->user_data);
	if (sizeof(void *) == 4)
		assert_true(sqe->user_data == 0xfffff000ULL);
	assert_int_equal(io_uring_submit_and_wait(&ring, 1), 1);
	assert_int_equal(io_uring_peek_cqe(&ring, &cqe), 0);
	assert_ptr_equal(io_uring_cqe_get_data(cqe), p);
	assert_true(cqe->user_data == (__u64) (uintptr_t) p);
	io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);
}

/*
 * Pages at an address that needs every bit of a pointer: at or above 2 GiB
 * (the sign bit of a long) on a 32-bit ABI, above 4 GiB on a 64-bit one.
 * NULL when the address space has none free there.
 */
static void *high_pages(size_t len)
{
	static const uint64_t hints[] = {
		0, 0x100000000000ULL, 0xc0000000ULL, 0xa0000000ULL,
		0x90000000ULL, 0x80000000ULL,
	};
	const uint64_t floor = sizeof(void *) == 4 ? 0x80000000ULL : 0x100000000ULL;
	unsigned i;

	for (i = 0; i < sizeof(hints) / sizeof(hints[0]); i++) {
		void *p = mmap((void *) (uintptr_t) hints[i], len,
			       PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			continue;
		if ((uint64_t) (uintptr_t) p >= floor)
			return p;
		munmap(p, len);
	}
	return NULL;
}

/* the kernel reads and writes through pointers with the top bit set */
static void high_address_buffers(void **state)
{
	const size_t len = 4 * 4096;
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	struct iovec *iov;
	unsigned char *m;
	int fds[2], fd;
	size_t i;

	(void) state;
	m = high_pages(len);
	if (!m)
		T_SKIP("no free pages at a high enough address");
	fd = open(t_path("high"), O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	t_ring(&ring, 8, 0);

	/* write from page 0, read back into page 1 */
	for (i = 0; i < 4096; i++)
		m[i] = t_pattern(i);
	sqe = t_sqe(&ring);
	io_uring_prep_write(sqe, fd, m, 4096, 0);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), 4096);
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, fd, m + 4096, 4096, 0);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), 4096);
	t_assert_pattern(m + 4096, 4096, 0);

	/* readv: the iovec array itself sits high too */
	iov = (struct iovec *) (m + 3 * 4096);
	iov[0].iov_base = m + 2 * 4096;
	iov[0].iov_len = 100;
	iov[1].iov_base = m + 2 * 4096 + 1000;
	iov[1].iov_len = 200;
	sqe = t_sqe(&ring);
	io_uring_prep_readv(sqe, fd, iov, 2, 50);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), 300);
	t_assert_pattern(m + 2 * 4096, 100, 50);
	t_assert_pattern(m + 2 * 4096 + 1000, 200, 150);

	/* a registered buffer based high, read into at an offset within it */
	iov[0].iov_base = m + 4096;
	iov[0].iov_len = 2 * 4096;
	assert_int_equal(io_uring_register_buffers(&ring, iov, 1), 0);
	memset(m + 4096, 0, 2 * 4096);
	sqe = t_sqe(&ring);
	io_uring_prep_read_fixed(sqe, fd, m + 4096 + 512, 1024, 7, 0);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), 1024);
	t_assert_pattern(m + 4096 + 512, 1024, 7);
	assert_int_equal(io_uring_unregister_buffers(&ring), 0);

	/* a socket pair: send from high memory, recv into high memory */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
	sqe = t_sqe(&ring);
	io_uring_prep_send(sqe, fds[0], m, 300, 0);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), 300);
	memset(m + 2 * 4096, 0, 300);
	sqe = t_sqe(&ring);
	io_uring_prep_recv(sqe, fds[1], m + 2 * 4096, 300, 0);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), 300);
	t_assert_pattern(m + 2 * 4096, 300, 0);
	t_close_pair(fds);

	io_uring_queue_exit(&ring);
	close(fd);
	munmap(m, len);
}

/* a file holding data past 4 GiB, or a skip when the file system cannot */
static int big_file(const char *name)
{
	int fd = open(t_path(name), O_RDWR | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	if (ftruncate(fd, (off_t) (10 * GiB)) != 0) {
		close(fd);
		T_SKIP("the temp file system cannot hold a 10 GiB sparse file");
	}
	return fd;
}

static void fill(unsigned char *buf, size_t len, unsigned seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (unsigned char) (i * 13 + seed);
}

/* reads and writes at offsets past 4 GiB land where they should */
static void offsets_past_4gib(void **state)
{
	const __u64 off1 = 5 * GiB + 13, off2 = 6 * GiB + 4096 + 7;
	const __u64 across = (1ULL << 32) - 50;	/* 50 bytes each side of 4 GiB */
	unsigned char out[300], in[300];
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	struct iovec iov[2];
	int fd;

	(void) state;
	fd = big_file("big");
	t_ring(&ring, 8, 0);

	/* io_uring write, libc read */
	fill(out, sizeof(out), 1);
	sqe = t_sqe(&ring);
	io_uring_prep_write(sqe, fd, out, sizeof(out), off1);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), sizeof(out));
	assert_int_equal(pread(fd, in, sizeof(in), (off_t) off1), sizeof(in));
	assert_memory_equal(in, out, sizeof(out));
	/* nothing went to the offset cut to 32 bits */
	assert_int_equal(pread(fd, in, sizeof(in), (off_t) (off1 & 0xffffffffULL)),
			 sizeof(in));
	memset(out, 0, sizeof(out));
	assert_memory_equal(in, out, sizeof(in));

	/* libc write, io_uring read */
	fill(out, sizeof(out), 2);
	assert_int_equal(pwrite(fd, out, sizeof(out), (off_t) off2), sizeof(out));
	memset(in, 0, sizeof(in));
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, fd, in, sizeof(in), off2);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), sizeof(in));
	assert_memory_equal(in, out, sizeof(out));

	/* writev across the 4 GiB line, then readv across it */
	fill(out, 100, 3);
	iov[0].iov_base = out;
	iov[0].iov_len = 40;
	iov[1].iov_base = out + 40;
	iov[1].iov_len = 60;
	sqe = t_sqe(&ring);
	io_uring_prep_writev(sqe, fd, iov, 2, across);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), 100);
	assert_int_equal(pread(fd, in, 100, (off_t) across), 100);
	assert_memory_equal(in, out, 100);
	memset(in, 0, sizeof(in));
	iov[0].iov_base = in;
	iov[0].iov_len = 70;
	iov[1].iov_base = in + 70;
	iov[1].iov_len = 30;
	sqe = t_sqe(&ring);
	io_uring_prep_readv(sqe, fd, iov, 2, across);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), 100);
	assert_memory_equal(in, out, 100);

	io_uring_queue_exit(&ring);
	close(fd);
}

/* a byte at off: 'x' for data, 0 for a hole */
static char byte_at(int fd, __u64 off)
{
	char c = 'y';

	assert_int_equal(pread(fd, &c, 1, (off_t) off), 1);
	return c;
}

/* fallocate and statx carry 64-bit offsets, lengths and sizes */
static void sizes_past_4gib(void **state)
{
	const __u64 grow = 11 * GiB + 4096;
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	struct statx stx;
	struct stat st;
	int fd, ret;

	(void) state;
	T_REQUIRE_OP(IORING_OP_FALLOCATE);
	T_REQUIRE_OP(IORING_OP_STATX);
	fd = big_file("falloc");
	t_ring(&ring, 4, 0);
	assert_int_equal(pwrite(fd, "x", 1, (off_t) (1 * GiB + 100)), 1);
	assert_int_equal(pwrite(fd, "x", 1, (off_t) (5 * GiB + GiB / 2)), 1);
	assert_int_equal(pwrite(fd, "x", 1, (off_t) (6 * GiB + GiB / 2)), 1);

	/* a hole 5 GiB long from 1 GiB: cut to 32 bits it would be 1 GiB */
	sqe = t_sqe(&ring);
	io_uring_prep_fallocate(sqe, fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				1 * GiB, 5 * GiB);
	ret = t_submit_wait(&ring, NULL, NULL);
	if (ret == -EOPNOTSUPP) {
		io_uring_queue_exit(&ring);
		close(fd);
		T_SKIP("the temp file system cannot punch holes");
	}
	assert_int_equal(ret, 0);
	assert_int_equal(byte_at(fd, 1 * GiB + 100), 0);
	assert_int_equal(byte_at(fd, 5 * GiB + GiB / 2), 0);
	assert_int_equal(byte_at(fd, 6 * GiB + GiB / 2), 'x');

	/* allocation past the end grows the file to a size past 4 GiB */
	sqe = t_sqe(&ring);
	io_uring_prep_fallocate(sqe, fd, 0, grow - 4096, 4096);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_true((__u64) st.st_size == grow);

	memset(&stx, 0, sizeof(stx));
	sqe = t_sqe(&ring);
	io_uring_prep_statx(sqe, fd, "", AT_EMPTY_PATH, STATX_SIZE, &stx);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), 0);
	assert_true(stx.stx_size == grow);

	io_uring_queue_exit(&ring);
	close(fd);
}

/* cancel by a 64-bit user_data matches all 64 bits, not the low 32 */
static void cancel_matches_all_bits(void **state)
{
	const __u64 hi = 0x500000001ULL, lo = 0x1ULL;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	int p1[2], p2[2], got = 0, i;

	(void) state;
	t_ring(&ring, 8, 0);
	assert_int_equal(pipe(p1), 0);
	assert_int_equal(pipe(p2), 0);
	sqe = t_sqe(&ring);
	io_uring_prep_poll_add(sqe, p1[0], POLLIN);
	io_uring_sqe_set_data64(sqe, hi);
	sqe = t_sqe(&ring);
	io_uring_prep_poll_add(sqe, p2[0], POLLIN);
	io_uring_sqe_set_data64(sqe, lo);
	assert_int_equal(io_uring_submit(&ring), 2);

	sqe = t_sqe(&ring);
	io_uring_prep_cancel64(sqe, hi, 0);
	io_uring_sqe_set_data64(sqe, 77);
	assert_int_equal(io_uring_submit(&ring), 1);
	/* two CQEs: the cancel (0) and the poll it cancelled (-ECANCELED) */
	for (i = 0; i < 2; i++) {
		assert_int_equal(io_uring_wait_cqe(&ring, &cqe), 0);
		if (cqe->user_data == 77) {
			assert_int_equal(cqe->res, 0);
		} else {
			assert_true(cqe->user_data == hi);
			assert_int_equal(cqe->res, -ECANCELED);
		}
		got++;
		io_uring_cqe_seen(&ring, cqe);
	}
	assert_int_equal(got, 2);
	/* the other poll, whose user_data has the same low half, still waits */
	assert_int_equal(io_uring_peek_cqe(&ring, &cqe), -EAGAIN);
	assert_int_equal(write(p2[1], "x", 1), 1);
	assert_int_equal(io_uring_wait_cqe(&ring, &cqe), 0);
	assert_true(cqe->user_data == lo);
	assert_true(cqe->res & POLLIN);
	io_uring_cqe_seen(&ring, cqe);
	t_close_pair(p1);
	t_close_pair(p2);
	io_uring_queue_exit(&ring);
}

/* msg_ring's 64-bit data arrives whole as the target's user_data */
static void msg_ring_data_all_bits(void **state)
{
	struct io_uring src, dst;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	unsigned i;

	(void) state;
	T_REQUIRE_OP(IORING_OP_MSG_RING);
	t_ring(&src, 4, 0);
	t_ring(&dst, 16, 0);
	for (i = 0; i < N_WIDE; i++) {
		sqe = t_sqe(&src);
		io_uring_prep_msg_ring(sqe, dst.ring_fd, 0x7ffffff0u + i,
				       wide_values[i], 0);
		io_uring_sqe_set_data64(sqe, i);
		assert_int_equal(t_submit_wait(&src, NULL, NULL), 0);
		assert_int_equal(io_uring_wait_cqe(&dst, &cqe), 0);
		assert_true(cqe->user_data == wide_values[i]);
		assert_int_equal(cqe->res, 0x7ffffff0 + (int) i);
		io_uring_cqe_seen(&dst, cqe);
	}
	io_uring_queue_exit(&src);
	io_uring_queue_exit(&dst);
}

/*
 * Timeouts take a __kernel_timespec, 64-bit seconds on every ABI: 2^33 s
 * (beyond a 32-bit time_t) must not fire, where its low 32 bits (0 s) would.
 */
static void timeout_64bit_seconds(void **state)
{
	struct __kernel_timespec far = { .tv_sec = 1LL << 33, .tv_nsec = 0 };
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	__u64 ud = 0;
	int res = 0, i;

	(void) state;
	t_ring(&ring, 4, 0);
	sqe = t_sqe(&ring);
	io_uring_prep_timeout(sqe, &far, 0, 0);
	io_uring_sqe_set_data64(sqe, 0x1000000002ULL);
	assert_int_equal(io_uring_submit(&ring), 1);
	assert_int_equal(t_wait_ms(&ring, 100, &res, NULL, &ud), -ETIME);

	/* waits bounded by a timespec past 2^32 s return when CQEs come */
	sqe = t_sqe(&ring);
	io_uring_prep_timeout_remove(sqe, 0x1000000002ULL, 0);
	io_uring_sqe_set_data64(sqe, 3);
	assert_int_equal(io_uring_submit(&ring), 1);
	for (i = 0; i < 2; i++) {
		assert_int_equal(io_uring_wait_cqe_timeout(&ring, &cqe, &far), 0);
		if (cqe->user_data == 3) {
			assert_int_equal(cqe->res, 0);
		} else {
			assert_true(cqe->user_data == 0x1000000002ULL);
			assert_int_equal(cqe->res, -ECANCELED);
		}
		io_uring_cqe_seen(&ring, cqe);
	}
	io_uring_queue_exit(&ring);
}

/*
 * A kernel-allocated buffer ring is mapped at IORING_OFF_PBUF_RING | bgid <<
 * IORING_OFF_PBUF_SHIFT, past 2 GiB: negative in a 32-bit off_t.
 */
static void buf_ring_mapped_past_2gib(void **state)
{
	const int bgid = 0x7ff;	/* the highest group the offset can encode */
	struct io_uring_buf_ring *br;
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	unsigned flags = 0;
	char buf[64];
	int fds[2], err = 0;

	(void) state;
	t_ring(&ring, 4, 0);
	br = io_uring_setup_buf_ring(&ring, 4, bgid, IOU_PBUF_RING_MMAP, &err);
	if (!br) {
		io_uring_queue_exit(&ring);
		/* no probe shows it: 6.4 brought kernel-allocated buffer rings */
		if (err == -EINVAL && t_kernel_older_than(6, 4))
			T_SKIP("kernel lacks IOU_PBUF_RING_MMAP (6.4+)");
		fail_msg("io_uring_setup_buf_ring: %s", strerror(-err));
	}
	memset(buf, 0, sizeof(buf));	/* defined for valgrind: the kernel fills it */
	io_uring_buf_ring_add(br, buf, sizeof(buf), 5, io_uring_buf_ring_mask(4), 0);
	io_uring_buf_ring_advance(br, 1);

	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], "sixty-four bits", 15), 15);
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, fds[0], NULL, sizeof(buf), 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = bgid;
	assert_int_equal(t_submit_wait(&ring, &flags, NULL), 15);
	assert_true(flags & IORING_CQE_F_BUFFER);
	assert_int_equal(flags >> IORING_CQE_BUFFER_SHIFT, 5);
	assert_memory_equal(buf, "sixty-four bits", 15);
	t_close_pair(fds);
	assert_int_equal(io_uring_free_buf_ring(&ring, br, 4, bgid), 0);
	io_uring_queue_exit(&ring);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(user_data_all_bits),
		cmocka_unit_test(user_data_pointer_top_bit),
		cmocka_unit_test(high_address_buffers),
		cmocka_unit_test(offsets_past_4gib),
		cmocka_unit_test(sizes_past_4gib),
		cmocka_unit_test(cancel_matches_all_bits),
		cmocka_unit_test(msg_ring_data_all_bits),
		cmocka_unit_test(timeout_64bit_seconds),
		cmocka_unit_test(buf_ring_mapped_past_2gib),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
