/* SPDX-License-Identifier: MIT */
/*
 * Registered buffers: plain, tagged, sparse, updates, unregistering, and
 * cloning them into another ring, checked through read_fixed/write_fixed.
 */
#include "helpers.h"

#include <sys/mman.h>

#define BSZ	4096
#define NBUF	4

static unsigned char *bufs_alloc(struct iovec *iov, unsigned nr)
{
	unsigned char *mem = mmap(NULL, (size_t) nr * BSZ, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned i;

	assert_true(mem != MAP_FAILED);
	for (i = 0; i < nr; i++) {
		iov[i].iov_base = mem + (size_t) i * BSZ;
		iov[i].iov_len = BSZ;
	}
	return mem;
}

static void bufs_free(unsigned char *mem, unsigned nr)
{
	munmap(mem, (size_t) nr * BSZ);
}

static int read_fixed(struct io_uring *ring, int fd, void *buf, unsigned len,
		      __u64 off, int idx)
{
	struct io_uring_sqe *sqe = t_sqe(ring);

	io_uring_prep_read_fixed(sqe, fd, buf, len, off, idx);
	return t_submit_wait(ring, NULL, NULL);
}

/* read_fixed of len bytes at file offset off into buffer idx lands there */
static void assert_read_fixed_ok(struct io_uring *ring, int fd,
				 const struct iovec *iov, int idx, __u64 off)
{
	memset(iov->iov_base, 0, iov->iov_len);
	assert_int_equal(read_fixed(ring, fd, iov->iov_base, 1024, off, idx),
			 1024);
	t_assert_pattern(iov->iov_base, 1024, off);
}

static void buffers_plain(void **state)
{
	struct iovec iov[NBUF];
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	unsigned char *mem, check[512];
	int fd;

	(void) state;
	t_ring(&ring, 8, 0);
	mem = bufs_alloc(iov, NBUF);
	fd = t_make_file(t_path("plain"), 4 * BSZ);
	assert_int_equal(io_uring_register_buffers(&ring, iov, NBUF), 0);
	assert_int_equal(io_uring_register_buffers(&ring, iov, NBUF), -EBUSY);

	assert_read_fixed_ok(&ring, fd, &iov[2], 2, 512);
	/* an address inside the buffer, not at its start */
	memset(mem, 0, BSZ);
	assert_int_equal(read_fixed(&ring, fd, mem + 100, 200, 0, 0), 200);
	t_assert_pattern(mem + 100, 200, 0);
	/* a range outside buffer 0 */
	assert_int_equal(read_fixed(&ring, fd, mem + BSZ - 10, 100, 0, 0),
			 -EFAULT);
	/* no such buffer */
	assert_int_equal(read_fixed(&ring, fd, mem, 100, 0, NBUF), -EFAULT);

	/* write_fixed from buffer 3 to the file */
	memset(iov[3].iov_base, 0xa5, 512);
	sqe = t_sqe(&ring);
	io_uring_prep_write_fixed(sqe, fd, iov[3].iov_base, 512, 8192, 3);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), 512);
	assert_int_equal(pread(fd, check, 512, 8192), 512);
	assert_int_equal(check[0], 0xa5);
	assert_int_equal(check[511], 0xa5);

	assert_int_equal(io_uring_unregister_buffers(&ring), 0);
	assert_int_equal(read_fixed(&ring, fd, iov[0].iov_base, 100, 0, 0),
			 -EFAULT);
	errno = 777;
	assert_int_equal(io_uring_unregister_buffers(&ring), -ENXIO);
	assert_int_equal(errno, 777);
	close(fd);
	bufs_free(mem, NBUF);
	io_uring_queue_exit(&ring);
}


static void buffers_tags(void **state)
{
	struct iovec iov[NBUF], repl;
	__u64 tags[NBUF] = { 11, 12, 13, 14 }, tag = 99, sum = 0;
	struct io_uring ring;
	unsigned char *mem, *extra;
	int fd, i;

	(void) state;
	T_RING_FEAT(&ring, 16, 0, IORING_FEAT_RSRC_TAGS);
	mem = bufs_alloc(iov, NBUF);
	extra = bufs_alloc(&repl, 1);
	fd = t_make_file(t_path("tags"), 4 * BSZ);
	assert_int_equal(io_uring_register_buffers_tags(&ring, iov, tags, NBUF),
			 0);
	assert_read_fixed_ok(&ring, fd, &iov[1], 1, 0);

	/* replacing buffer 1 posts its tag; the new one is what is used */
	assert_int_equal(io_uring_register_buffers_update_tag(&ring, 1, &repl,
							      &tag, 1), 1);
	t_expect_tag_cqe(&ring, 12);
	assert_read_fixed_ok(&ring, fd, &repl, 1, 2048);
	assert_int_equal(read_fixed(&ring, fd, iov[1].iov_base, 100, 0, 1),
			 -EFAULT);

	assert_int_equal(io_uring_unregister_buffers(&ring), 0);
	for (i = 0; i < NBUF; i++) {
		__u64 ud = 0;
		int res = -1, ret = t_wait_ms(&ring, 2000, &res, NULL, &ud);

		if (ret == -ETIME && !i && t_kernel_older_than(6, 13)) {
			close(fd);
			bufs_free(mem, NBUF);
			bufs_free(extra, 1);
			io_uring_queue_exit(&ring);
			T_SKIP("kernel posts no tags for buffers still registered at unregister (before 6.13); the rest passed");
		}
		assert_int_equal(ret, 0);
		assert_int_equal(res, 0);
		sum += ud;
	}
	assert_int_equal(sum, 11 + 99 + 13 + 14);
	close(fd);
	bufs_free(mem, NBUF);
	bufs_free(extra, 1);
	io_uring_queue_exit(&ring);
}

static void buffers_sparse(void **state)
{
	struct iovec iov[2];
	struct io_uring ring;
	unsigned char *mem;
	int fd;

	(void) state;
	t_ring(&ring, 8, 0);
	mem = bufs_alloc(iov, 2);
	fd = t_make_file(t_path("sparse"), 4 * BSZ);
	assert_int_equal(io_uring_register_buffers_sparse(&ring, 8), 0);
	assert_int_equal(read_fixed(&ring, fd, iov[0].iov_base, 100, 0, 5),
			 -EFAULT);
	assert_int_equal(io_uring_register_buffers_update_tag(&ring, 5, iov,
							      NULL, 2), 2);
	assert_read_fixed_ok(&ring, fd, &iov[0], 5, 0);
	assert_read_fixed_ok(&ring, fd, &iov[1], 6, 3000);
	/* past the table */
	assert_int_equal(io_uring_register_buffers_update_tag(&ring, 7, iov,
							      NULL, 2), -EINVAL);
	close(fd);
	bufs_free(mem, 2);
	io_uring_queue_exit(&ring);
}

/* Set up two rings; skip if the kernel cannot clone (before 6.12). */
static bool clone_supported(struct io_uring *dst, struct io_uring *src)
{
	struct iovec iov;
	unsigned char *mem = bufs_alloc(&iov, 1);
	struct io_uring a, b;
	int ret;

	t_ring(&a, 2, 0);
	t_ring(&b, 2, 0);
	assert_int_equal(io_uring_register_buffers(&a, &iov, 1), 0);
	ret = io_uring_clone_buffers(&b, &a);
	io_uring_queue_exit(&a);
	io_uring_queue_exit(&b);
	bufs_free(mem, 1);
	if (ret == -EINVAL)
		return false;
	assert_int_equal(ret, 0);
	t_ring(dst, 8, 0);
	t_ring(src, 8, 0);
	return true;
}

static void buffers_clone(void **state)
{
	struct iovec iov[NBUF], iov2[2];
	struct io_uring src, dst;
	unsigned char *mem, *mem2;
	int fd, ret;

	(void) state;
	if (!clone_supported(&dst, &src))
		T_SKIP("kernel lacks IORING_REGISTER_CLONE_BUFFERS");
	mem = bufs_alloc(iov, NBUF);
	fd = t_make_file(t_path("clone"), 4 * BSZ);
	/* nothing to clone yet */
	assert_int_equal(io_uring_clone_buffers(&dst, &src), -ENXIO);
	assert_int_equal(io_uring_register_buffers(&src, iov, NBUF), 0);
	assert_int_equal(io_uring_clone_buffers(&dst, &src), 0);

	/* the destination ring reads into the source's memory */
	assert_read_fixed_ok(&dst, fd, &iov[3], 3, 1024);
	/* and the source can let go of its table */
	assert_int_equal(io_uring_unregister_buffers(&src), 0);
	assert_read_fixed_ok(&dst, fd, &iov[0], 0, 0);

	/* a second clone, of other memory, into a ring with a table */
	mem2 = bufs_alloc(iov2, 2);
	assert_int_equal(io_uring_register_buffers(&src, iov2, 2), 0);
	assert_int_equal(io_uring_clone_buffers(&dst, &src), -EBUSY);
	ret = __io_uring_clone_buffers(&dst, &src, IORING_REGISTER_DST_REPLACE);
	if (ret == -EBUSY && t_kernel_older_than(6, 13)) {
		/* 6.12 clones, but looks for a table before at the flags */
		close(fd);
		io_uring_queue_exit(&src);
		io_uring_queue_exit(&dst);
		bufs_free(mem, NBUF);
		bufs_free(mem2, 2);
		T_SKIP("kernel lacks IORING_REGISTER_DST_REPLACE (6.13+)");
	}
	assert_int_equal(ret, 0);
	/* slots 0..1 now come from the new source table, 2..3 are kept */
	assert_read_fixed_ok(&dst, fd, &iov2[1], 1, 0);
	assert_int_equal(read_fixed(&dst, fd, iov[1].iov_base, 100, 0, 1),
			 -EFAULT);
	assert_read_fixed_ok(&dst, fd, &iov[3], 3, 2048);
	assert_int_equal(io_uring_unregister_buffers(&dst), 0);
	assert_int_equal(read_fixed(&dst, fd, iov2[1].iov_base, 100, 0, 1),
			 -EFAULT);
	close(fd);
	io_uring_queue_exit(&src);
	io_uring_queue_exit(&dst);
	bufs_free(mem, NBUF);
	bufs_free(mem2, 2);
}

static void buffers_clone_offset(void **state)
{
	struct iovec iov[NBUF];
	struct io_uring src, dst;
	unsigned char *mem;
	int fd, ret;

	(void) state;
	if (!clone_supported(&dst, &src))
		T_SKIP("kernel lacks IORING_REGISTER_CLONE_BUFFERS");
	mem = bufs_alloc(iov, NBUF);
	fd = t_make_file(t_path("clone_off"), 4 * BSZ);
	assert_int_equal(io_uring_register_buffers(&src, iov, NBUF), 0);
	/* src 1..2 -> dst 4..5 */
	ret = io_uring_clone_buffers_offset(&dst, &src, 4, 1, 2, 0);
	if (ret == -EINVAL) {
		close(fd);
		io_uring_queue_exit(&src);
		io_uring_queue_exit(&dst);
		bufs_free(mem, NBUF);
		T_SKIP("kernel lacks offset clones (6.13+)");
	}
	assert_int_equal(ret, 0);
	assert_read_fixed_ok(&dst, fd, &iov[1], 4, 0);
	assert_read_fixed_ok(&dst, fd, &iov[2], 5, 512);
	/* slots below dst_off stay empty */
	assert_int_equal(read_fixed(&dst, fd, iov[0].iov_base, 100, 0, 0),
			 -EFAULT);
	/* out of range in the source */
	assert_int_equal(__io_uring_clone_buffers_offset(&dst, &src, 0, 3, 2,
				IORING_REGISTER_DST_REPLACE), -EOVERFLOW);
	/* replace slot 0 of dst with src 3 */
	assert_int_equal(__io_uring_clone_buffers_offset(&dst, &src, 0, 3, 1,
				IORING_REGISTER_DST_REPLACE), 0);
	assert_read_fixed_ok(&dst, fd, &iov[3], 0, 100);
	assert_read_fixed_ok(&dst, fd, &iov[1], 4, 0);

	/* a source that uses its registered ring index */
	assert_int_equal(io_uring_register_ring_fd(&src), 1);
	assert_int_equal(__io_uring_clone_buffers_offset(&dst, &src, 6, 0, 1,
				IORING_REGISTER_DST_REPLACE), 0);
	assert_read_fixed_ok(&dst, fd, &iov[0], 6, 0);
	/* the same through the index, asked for by the registering thread */
	assert_int_equal(__io_uring_clone_buffers_offset(&dst, &src, 7, 2, 1,
				IORING_REGISTER_DST_REPLACE |
				IORING_REGISTER_SRC_REGISTERED), 0);
	assert_read_fixed_ok(&dst, fd, &iov[2], 7, 0);
	close(fd);
	io_uring_queue_exit(&src);
	io_uring_queue_exit(&dst);
	bufs_free(mem, NBUF);
}

/*
 * Registered ring indexes belong to the thread that registered them.  A
 * thread that has an index of its own at the same number, cloning from a
 * source registered by another thread: __io_uring_clone_buffers() with no
 * flags must name the source by its fd (the index would pick the thread's
 * own ring), and IORING_REGISTER_SRC_REGISTERED for a source without an
 * index does not apply.
 */
struct clone_thread {
	struct io_uring *dst, *src;
	int ret, ret_flag, other_index, fd;
	const struct iovec *src_iov;
};

static void *clone_from_thread(void *arg)
{
	struct clone_thread *ct = arg;
	struct io_uring other;
	struct iovec iov;
	unsigned char *mem = bufs_alloc(&iov, 1);

	/* this thread's own ring, at the first index of its own table */
	if (io_uring_queue_init(2, &other, 0) == 0) {
		io_uring_register_buffers(&other, &iov, 1);
		io_uring_register_ring_fd(&other);
		ct->other_index = other.enter_ring_fd;
		ct->ret = __io_uring_clone_buffers(ct->dst, ct->src, 0);
		io_uring_queue_exit(&other);
	}
	bufs_free(mem, 1);
	return NULL;
}

static void buffers_clone_flags(void **state)
{
	struct clone_thread ct;
	struct iovec iov[NBUF];
	struct io_uring src, dst, plain;
	unsigned char *mem;
	pthread_t th;
	int fd;

	(void) state;
	if (!clone_supported(&dst, &src))
		T_SKIP("kernel lacks IORING_REGISTER_CLONE_BUFFERS");
	mem = bufs_alloc(iov, NBUF);
	fd = t_make_file(t_path("clone_thread"), 4 * BSZ);
	assert_int_equal(io_uring_register_buffers(&src, iov, NBUF), 0);
	assert_int_equal(io_uring_register_ring_fd(&src), 1);

	memset(&ct, 0, sizeof(ct));
	ct.dst = &dst;
	ct.src = &src;
	ct.ret = ct.other_index = -1;
	assert_int_equal(pthread_create(&th, NULL, clone_from_thread, &ct), 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	/* the same index number names another ring in that thread */
	assert_int_equal(ct.other_index, src.enter_ring_fd);
	assert_int_equal(ct.ret, 0);
	/* dst got src's buffers, not the other ring's */
	assert_read_fixed_ok(&dst, fd, &iov[2], 2, 1024);
	assert_read_fixed_ok(&dst, fd, &iov[0], 0, 0);

	/* the flag for a source with no registered index: its fd is used */
	t_ring(&plain, 2, 0);
	assert_int_equal(__io_uring_clone_buffers_offset(&plain, &dst, 0, 1, 1,
				IORING_REGISTER_SRC_REGISTERED), 0);
	assert_read_fixed_ok(&plain, fd, &iov[1], 0, 2048);
	io_uring_queue_exit(&plain);
	t_ring(&plain, 2, 0);
	assert_int_equal(__io_uring_clone_buffers(&plain, &dst,
				IORING_REGISTER_SRC_REGISTERED), 0);
	assert_read_fixed_ok(&plain, fd, &iov[3], 3, 0);
	io_uring_queue_exit(&plain);
	close(fd);
	io_uring_queue_exit(&src);
	io_uring_queue_exit(&dst);
	bufs_free(mem, NBUF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(buffers_plain),
		cmocka_unit_test(buffers_tags),
		cmocka_unit_test(buffers_sparse),
		cmocka_unit_test(buffers_clone),
		cmocka_unit_test(buffers_clone_offset),
		cmocka_unit_test(buffers_clone_flags),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
