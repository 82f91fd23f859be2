/* SPDX-License-Identifier: MIT */
/*
 * Bad input: nonsense sizes, flags and fds, NULL where the library can tell,
 * and requests on closed fds.  Every call returns -errno (errno untouched),
 * nothing crashes, and a ring that saw the bad call still works.
 */
#include "helpers.h"

#include <sys/eventfd.h>
#include <sys/mman.h>

#define SENTINEL_ERRNO	4242

static int closed_fd(void)
{
	int pfd[2];

	assert_int_equal(pipe(pfd), 0);
	t_close_pair(pfd);
	return pfd[1];
}

/* The ring still does a NOP round trip. */
static void ring_works(struct io_uring *ring)
{
	struct io_uring_sqe *sqe = t_sqe(ring);
	__u64 ud;

	io_uring_prep_nop(sqe);
	sqe->user_data = 0xabc;
	assert_int_equal(t_submit_wait(ring, NULL, &ud), 0);
	assert_int_equal(ud, 0xabc);
}

static void bad_entries(void **state)
{
	struct io_uring_params p;
	struct io_uring ring;

	(void) state;
	errno = SENTINEL_ERRNO;
	assert_int_equal(io_uring_queue_init(0, &ring, 0), -EINVAL);
	memset(&p, 0, sizeof(p));
	assert_int_equal(io_uring_queue_init_params(0, &ring, &p), -EINVAL);
	/* above the kernel's maximum, without CLAMP */
	assert_int_equal(io_uring_queue_init(32769, &ring, 0), -EINVAL);
	assert_int_equal(io_uring_queue_init(1U << 31, &ring, 0), -EINVAL);
	assert_int_equal(io_uring_queue_init(~0U, &ring, 0), -EINVAL);
	assert_int_equal(errno, SENTINEL_ERRNO);
	/* the largest allowed size works */
	assert_int_equal(io_uring_queue_init(32768, &ring, 0), 0);
	ring_works(&ring);
	io_uring_queue_exit(&ring);
}

static void bad_flags(void **state)
{
	struct io_uring_params p;
	struct io_uring ring;

	(void) state;
	errno = SENTINEL_ERRNO;
	assert_int_equal(io_uring_queue_init(4, &ring, 1U << 31), -EINVAL);
	assert_int_equal(io_uring_queue_init(4, &ring, 1U << 30), -EINVAL);
	memset(&p, 0, sizeof(p));
	p.flags = 1U << 31;
	assert_int_equal(io_uring_queue_init_params(4, &ring, &p), -EINVAL);
	/* reserved fields must be zero */
	memset(&p, 0, sizeof(p));
	p.resv[0] = 1;
	assert_int_equal(io_uring_queue_init_params(4, &ring, &p), -EINVAL);
	/* SQ_AFF without SQPOLL */
	assert_int_equal(io_uring_queue_init(4, &ring, IORING_SETUP_SQ_AFF), -EINVAL);
	assert_int_equal(errno, SENTINEL_ERRNO);
	/* the ring struct is usable for a proper init afterwards */
	t_ring(&ring, 4, 0);
	ring_works(&ring);
	io_uring_queue_exit(&ring);
}

static void closed_fd_to_syscalls(void **state)
{
	struct io_uring ring;
	int fd = closed_fd();

	(void) state;
	t_ring(&ring, 4, 0);
	errno = SENTINEL_ERRNO;
	assert_int_equal(io_uring_enter(fd, 1, 1, IORING_ENTER_GETEVENTS, NULL), -EBADF);
	assert_int_equal(io_uring_enter2(fd, 0, 0, 0, NULL, 0), -EBADF);
	assert_int_equal(io_uring_register(fd, IORING_REGISTER_PROBE, NULL, 0), -EBADF);
	assert_int_equal(io_uring_register(fd, IORING_UNREGISTER_BUFFERS, NULL, 0),
			 -EBADF);
	assert_int_equal(errno, SENTINEL_ERRNO);
	ring_works(&ring);
	io_uring_queue_exit(&ring);
}

static void bad_queue_mmap(void **state)
{
	struct io_uring_params p;
	struct io_uring ring, other;
	int rfd, efd, pfd[2];

	(void) state;
	memset(&p, 0, sizeof(p));
	rfd = io_uring_setup(4, &p);
	assert_true(rfd >= 0);
	t_ring(&other, 4, 0);

	errno = SENTINEL_ERRNO;
	assert_int_equal(io_uring_queue_mmap(-1, &p, &ring), -EBADF);
	assert_int_equal(io_uring_queue_mmap(closed_fd(), &p, &ring), -EBADF);
	assert_int_equal(io_uring_queue_mmap(rfd, NULL, &ring), -EINVAL);
	assert_int_equal(io_uring_queue_mmap(rfd, &p, NULL), -EINVAL);
	/* fds that cannot be mapped: read-only, and no mmap at all */
	assert_int_equal(pipe(pfd), 0);
	assert_int_equal(io_uring_queue_mmap(pfd[0], &p, &ring), -EACCES);
	t_close_pair(pfd);
	efd = eventfd(0, EFD_CLOEXEC);
	assert_true(efd >= 0);
	assert_int_equal(io_uring_queue_mmap(efd, &p, &ring), -ENODEV);
	close(efd);
	assert_int_equal(errno, SENTINEL_ERRNO);

	/* after all that, the real mapping works */
	assert_int_equal(io_uring_queue_mmap(rfd, &p, &ring), 0);
	ring_works(&ring);
	ring_works(&other);
	io_uring_queue_exit(&ring);
	io_uring_queue_exit(&other);
}

static void null_args(void **state)
{
	struct io_uring_params p;
	struct io_uring_cqe *cqes[4];
	struct io_uring ring, zero;
	char buf[8192];
	int ret;

	(void) state;
	memset(&p, 0, sizeof(p));
	assert_int_equal(io_uring_queue_init_params(4, &ring, NULL), -EINVAL);
	assert_int_equal(io_uring_queue_init_params(4, NULL, &p), -EINVAL);
	assert_int_equal(io_uring_queue_init(4, NULL, 0), -EINVAL);
	assert_int_equal(io_uring_queue_init_mem(4, &ring, NULL, buf, sizeof(buf)),
			 -EINVAL);
	assert_int_equal(io_uring_queue_init_mem(4, NULL, &p, buf, sizeof(buf)),
			 -EINVAL);
	memset(&p, 0, sizeof(p));
	assert_int_equal(io_uring_memory_size_params(4, NULL), -EINVAL);
	assert_int_equal(io_uring_mlock_size_params(4, NULL), -EINVAL);
	assert_null(io_uring_get_probe_ring(NULL));
	io_uring_queue_exit(NULL);

	/* a ring that was never set up */
	memset(&zero, 0, sizeof(zero));
	assert_int_equal(io_uring_ring_dontfork(&zero), -EINVAL);

	t_ring(&ring, 4, 0);
	assert_int_equal(io_uring_peek_batch_cqe(&ring, NULL, 4), 0);
	assert_int_equal(io_uring_peek_batch_cqe(NULL, cqes, 4), 0);
	ret = io_uring_register_probe(&ring, NULL, 4);
	assert_true(ret == -EINVAL || ret == -EFAULT);
	ring_works(&ring);
	io_uring_queue_exit(&ring);
}

/* Requests that fail in the kernel fail in their CQE, not the ring. */
static void bad_requests(void **state)
{
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	char buf[16];
	int fd = closed_fd();

	(void) state;
	t_ring(&ring, 4, 0);
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, fd, buf, sizeof(buf), 0);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), -EBADF);
	ring_works(&ring);

	sqe = t_sqe(&ring);
	io_uring_prep_write(sqe, -1, buf, sizeof(buf), 0);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), -EBADF);
	ring_works(&ring);

	/* a buffer that is not mapped */
	{
		int tfd = t_make_file(t_path("efault"), 64);

		sqe = t_sqe(&ring);
		io_uring_prep_read(sqe, tfd, (void *) 16, 32, 0);
		assert_int_equal(t_submit_wait(&ring, NULL, NULL), -EFAULT);
		close(tfd);
	}
	ring_works(&ring);

	/* unknown opcode, unknown SQE flags */
	sqe = t_sqe(&ring);
	io_uring_prep_nop(sqe);
	sqe->opcode = 0xff;
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), -EINVAL);
	sqe = t_sqe(&ring);
	io_uring_prep_nop(sqe);
	sqe->flags = 0x80;
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), -EINVAL);
	/* a fixed file with no file table */
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, 0, buf, sizeof(buf), 0);
	sqe->flags = IOSQE_FIXED_FILE;
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), -EBADF);
	ring_works(&ring);
	io_uring_queue_exit(&ring);
}

/* Bad arguments to the ring's own calls leave it working. */
static void bad_ring_calls(void **state)
{
	struct io_uring ring;
	struct iovec iov = { NULL, 4096 };
	int fds[1] = { closed_fd() };

	(void) state;
	t_ring(&ring, 4, 0);
	errno = SENTINEL_ERRNO;
	assert_int_equal(io_uring_register_buffers(&ring, &iov, 1), -EFAULT);
	assert_int_equal(io_uring_register_files(&ring, fds, 1), -EBADF);
	assert_int_equal(io_uring_register_eventfd(&ring, fds[0]), -EBADF);
	assert_int_equal(io_uring_unregister_buffers(&ring), -ENXIO);
	assert_int_equal(io_uring_unregister_files(&ring), -ENXIO);
	assert_int_equal(io_uring_unregister_eventfd(&ring), -ENXIO);
	assert_int_equal(io_uring_enter(ring.ring_fd, 0, 0, 1U << 31, NULL), -EINVAL);
	assert_int_equal(errno, SENTINEL_ERRNO);
	ring_works(&ring);
	io_uring_queue_exit(&ring);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bad_entries),
		cmocka_unit_test(bad_flags),
		cmocka_unit_test(closed_fd_to_syscalls),
		cmocka_unit_test(bad_queue_mmap),
		cmocka_unit_test(null_args),
		cmocka_unit_test(bad_requests),
		cmocka_unit_test(bad_ring_calls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
