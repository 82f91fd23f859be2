/* SPDX-License-Identifier: MIT */
/*
 * Registered file tables: plain, tagged, sparse, updates (with
 * IORING_REGISTER_FILES_SKIP), allocation ranges, and their use through
 * IOSQE_FIXED_FILE reads and the _direct preps.
 */
#include "helpers.h"

#include <sys/resource.h>
#include <sys/wait.h>

#define FSIZE	4096

/* A fixed-file read of len bytes at off from slot idx; returns the CQE res. */
static int fixed_read(struct io_uring *ring, int idx, void *buf, unsigned len,
		      __u64 off)
{
	struct io_uring_sqe *sqe = t_sqe(ring);

	io_uring_prep_read(sqe, idx, buf, len, off);
	sqe->flags |= IOSQE_FIXED_FILE;
	return t_submit_wait(ring, NULL, NULL);
}

/* Reading len bytes at off from slot idx gives the test pattern. */
static void assert_fixed_read_ok(struct io_uring *ring, int idx, __u64 off)
{
	unsigned char buf[256];
	size_t i;

	memset(buf, 0, sizeof(buf));
	assert_int_equal(fixed_read(ring, idx, buf, sizeof(buf), off),
			 sizeof(buf));
	for (i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], t_pattern(off + i));
}

static void assert_slot_empty(struct io_uring *ring, int idx)
{
	char buf[16];

	assert_int_equal(fixed_read(ring, idx, buf, sizeof(buf), 0), -EBADF);
}

static void no_cqe_pending(struct io_uring *ring)
{
	struct io_uring_cqe *cqe;

	io_uring_get_events(ring);
	assert_int_equal(io_uring_peek_cqe(ring, &cqe), -EAGAIN);
}

static void files_plain(void **state)
{
	struct io_uring ring;
	int fd, files[2];

	(void) state;
	t_ring(&ring, 8, 0);
	fd = t_make_file(t_path("plain"), FSIZE);
	files[0] = fd;
	files[1] = fd;
	assert_int_equal(io_uring_register_files(&ring, files, 2), 0);
	/* the table holds its own reference: our fd can go */
	close(fd);
	assert_fixed_read_ok(&ring, 0, 0);
	assert_fixed_read_ok(&ring, 1, 512);
	/* out of the table */
	assert_slot_empty(&ring, 2);
	/* one table per ring */
	assert_int_equal(io_uring_register_files(&ring, files, 2), -EBUSY);
	assert_int_equal(io_uring_unregister_files(&ring), 0);
	assert_slot_empty(&ring, 0);
	assert_int_equal(io_uring_unregister_files(&ring), -ENXIO);
	io_uring_queue_exit(&ring);
}

static void files_errno_untouched(void **state)
{
	struct io_uring ring;
	int bad = 12345;

	(void) state;
	t_ring(&ring, 4, 0);
	errno = 4242;
	assert_int_equal(io_uring_unregister_files(&ring), -ENXIO);
	assert_int_equal(io_uring_register_files(&ring, &bad, 1), -EBADF);
	assert_int_equal(io_uring_register_files_update(&ring, 0, &bad, 1),
			 -ENXIO);
	assert_int_equal(errno, 4242);
	io_uring_queue_exit(&ring);
}

static void files_tags(void **state)
{
	struct io_uring ring;
	__u64 tags[2] = { 100, 200 }, tag3 = 300;
	int fd, fd2, files[2];

	(void) state;
	T_RING_FEAT(&ring, 8, 0, IORING_FEAT_RSRC_TAGS);
	fd = t_make_file(t_path("tags"), FSIZE);
	fd2 = t_make_file(t_path("tags2"), FSIZE);
	files[0] = fd;
	files[1] = fd2;
	assert_int_equal(io_uring_register_files_tags(&ring, files, tags, 2), 0);
	assert_fixed_read_ok(&ring, 0, 0);
	no_cqe_pending(&ring);

	/* replacing slot 0 releases the old file: its tag comes back */
	assert_int_equal(io_uring_register_files_update_tag(&ring, 0, &fd2,
							    &tag3, 1), 1);
	t_expect_tag_cqe(&ring, 100);
	assert_fixed_read_ok(&ring, 0, 100);

	/* SKIP leaves the slot (and its tag) alone */
	files[0] = IORING_REGISTER_FILES_SKIP;
	assert_int_equal(io_uring_register_files_update(&ring, 1, files, 1), 1);
	no_cqe_pending(&ring);
	assert_fixed_read_ok(&ring, 1, 0);

	/* unregistering releases both remaining files */
	assert_int_equal(io_uring_unregister_files(&ring), 0);
	{
		__u64 seen = 0, ud;
		int i, ret, res;

		for (i = 0; i < 2; i++) {
			ud = 0;
			res = -1;
			ret = t_wait_ms(&ring, 2000, &res, NULL, &ud);
			if (ret == -ETIME && !i && t_kernel_older_than(6, 13)) {
				close(fd);
				close(fd2);
				io_uring_queue_exit(&ring);
				T_SKIP("kernel posts no tags for files still registered at unregister (before 6.13); the rest passed");
			}
			assert_int_equal(ret, 0);
			assert_int_equal(res, 0);
			seen += ud;
		}
		assert_int_equal(seen, 300 + 200);
	}
	close(fd);
	close(fd2);
	io_uring_queue_exit(&ring);
}

static void files_sparse_update(void **state)
{
	struct io_uring ring;
	int fd, v;

	(void) state;
	t_ring(&ring, 8, 0);
	fd = t_make_file(t_path("sparse"), FSIZE);
	assert_int_equal(io_uring_register_files_sparse(&ring, 8), 0);
	assert_slot_empty(&ring, 3);

	assert_int_equal(io_uring_register_files_update(&ring, 3, &fd, 1), 1);
	assert_fixed_read_ok(&ring, 3, 0);

	v = IORING_REGISTER_FILES_SKIP;
	assert_int_equal(io_uring_register_files_update(&ring, 3, &v, 1), 1);
	assert_fixed_read_ok(&ring, 3, 64);

	/* through the tagged form, with no tags */
	assert_int_equal(io_uring_register_files_update_tag(&ring, 5, &fd, NULL,
							    1), 1);
	assert_fixed_read_ok(&ring, 5, 128);

	/* -1 empties a slot */
	v = -1;
	assert_int_equal(io_uring_register_files_update(&ring, 3, &v, 1), 1);
	assert_slot_empty(&ring, 3);
	assert_fixed_read_ok(&ring, 5, 0);

	/* past the end of the table */
	assert_int_equal(io_uring_register_files_update(&ring, 8, &fd, 1),
			 -EINVAL);
	close(fd);
	io_uring_queue_exit(&ring);
}

/* A sparse table larger than RLIMIT_NOFILE: the library raises the limit. */
static void files_sparse_over_rlimit(void **state)
{
	struct rlimit old, low, now;
	struct io_uring ring;
	int ret;

	(void) state;
	if (t_under_valgrind())
		T_SKIP("valgrind keeps RLIMIT_NOFILE changes to itself: the kernel "
		       "never sees the low limit this case needs");
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	if (old.rlim_max != RLIM_INFINITY && old.rlim_max < 512)
		T_SKIP("hard RLIMIT_NOFILE %lu is below 512",
		       (unsigned long) old.rlim_max);
	low = old;
	low.rlim_cur = 64;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	t_ring(&ring, 4, 0);
	ret = io_uring_register_files_sparse(&ring, 256);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &now), 0);
	setrlimit(RLIMIT_NOFILE, &old);
	assert_int_equal(ret, 0);
	assert_true(now.rlim_cur >= 256);
	io_uring_queue_exit(&ring);
}

/*
 * The limit is raised for the retry only when the raise reaches the table
 * size, and put back when the retry fails: a soft limit left above 1024
 * breaks select() in the same process.  In a child: the limits are its own.
 */
static int rlimit_child(void)
{
	struct rlimit lim, now;
	struct io_uring ring;
	int fds[100], i;

	if (io_uring_queue_init(4, &ring, 0))
		return 10;
	/* the hard limit is below the table: no raise, nothing changes */
	lim.rlim_cur = 64;
	lim.rlim_max = 150;
	if (setrlimit(RLIMIT_NOFILE, &lim))
		return 77;
	if (io_uring_register_files_sparse(&ring, 200) != -EMFILE)
		return 11;
	if (getrlimit(RLIMIT_NOFILE, &now) || now.rlim_cur != 64 ||
	    now.rlim_max != 150)
		return 12;
	/* raised for the retry, which fails for another reason (a bad fd) */
	for (i = 0; i < 100; i++)
		fds[i] = -1;
	fds[50] = 1 << 29;
	if (io_uring_register_files(&ring, fds, 100) != -EBADF)
		return 13;
	if (getrlimit(RLIMIT_NOFILE, &now) || now.rlim_cur != 64)
		return 14;
	/* and a retry that succeeds keeps what it needed */
	if (io_uring_register_files_sparse(&ring, 100))
		return 15;
	if (getrlimit(RLIMIT_NOFILE, &now) || now.rlim_cur < 100)
		return 16;
	io_uring_queue_exit(&ring);
	return 0;
}

static void files_rlimit_put_back(void **state)
{
	int status;
	pid_t pid;

	(void) state;
	if (t_under_valgrind())
		T_SKIP("valgrind keeps RLIMIT_NOFILE changes to itself");
	pid = fork();
	assert_true(pid >= 0);
	if (!pid)
		_exit(rlimit_child());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77)
		T_SKIP("cannot set RLIMIT_NOFILE here");
	assert_int_equal(WEXITSTATUS(status), 0);
}

/*
 * Two threads whose registrations fail after the raise (a bad fd), with
 * tables of different sizes (the second larger than the first's raised
 * limit): each raise is put back, the limit ends where it started.  Raises
 * that overlap would put back each other's raised limits.
 */
struct racer {
	struct io_uring ring;
	unsigned nr;
	int fails;
};

static void *rlimit_racer(void *arg)
{
	struct racer *r = (struct racer *) arg;
	int fds[256], i;

	for (i = 0; i < (int) r->nr; i++)
		fds[i] = -1;
	fds[r->nr - 1] = 1 << 29;
	for (i = 0; i < 3000; i++)
		if (io_uring_register_files(&r->ring, fds, r->nr) != -EBADF)
			r->fails++;
	return NULL;
}

static int rlimit_race_child(void)
{
	struct racer r[2] = { { .nr = 100 }, { .nr = 200 } };
	struct rlimit lim = { 64, 4096 }, now;
	pthread_t th[2];
	int i;

	if (setrlimit(RLIMIT_NOFILE, &lim))
		return 77;
	for (i = 0; i < 2; i++)
		if (io_uring_queue_init(4, &r[i].ring, 0))
			return 10;
	for (i = 0; i < 2; i++)
		if (pthread_create(&th[i], NULL, rlimit_racer, &r[i]))
			return 11;
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	if (getrlimit(RLIMIT_NOFILE, &now))
		return 12;
	fprintf(stderr, "# soft limit after the race: %lu\n",
		(unsigned long) now.rlim_cur);
	if (r[0].fails || r[1].fails)
		return 13;
	if (now.rlim_cur != 64 || now.rlim_max != 4096)
		return 14;
	return 0;
}

static void files_rlimit_race(void **state)
{
	int rc;

	(void) state;
	if (t_under_valgrind())
		T_SKIP("valgrind keeps RLIMIT_NOFILE changes to itself");
	rc = t_in_child(rlimit_race_child);
	if (rc == 77)
		T_SKIP("cannot set RLIMIT_NOFILE here");
	assert_int_equal(rc, 0);
}

static void files_alloc_range(void **state)
{
	struct io_uring ring;
	const char *path = t_path("alloc");
	int i, slot[4];

	(void) state;
	T_REQUIRE_OP(IORING_OP_OPENAT);
	t_ring(&ring, 8, 0);
	close(t_make_file(path, FSIZE));
	assert_int_equal(io_uring_register_files_sparse(&ring, 16), 0);
	assert_int_equal(io_uring_register_file_alloc_range(&ring, 4, 3), 0);

	for (i = 0; i < 3; i++) {
		struct io_uring_sqe *sqe = t_sqe(&ring);

		io_uring_prep_openat_direct(sqe, AT_FDCWD, path, O_RDONLY, 0,
					    IORING_FILE_INDEX_ALLOC);
		slot[i] = t_submit_wait(&ring, NULL, NULL);
		assert_true(slot[i] >= 4 && slot[i] < 7);
		assert_fixed_read_ok(&ring, slot[i], 256);
	}
	assert_int_not_equal(slot[0], slot[1]);
	assert_int_not_equal(slot[1], slot[2]);
	assert_int_not_equal(slot[0], slot[2]);

	/* the range is full */
	{
		struct io_uring_sqe *sqe = t_sqe(&ring);

		io_uring_prep_openat_direct(sqe, AT_FDCWD, path, O_RDONLY, 0,
					    IORING_FILE_INDEX_ALLOC);
		assert_int_equal(t_submit_wait(&ring, NULL, NULL), -ENFILE);
	}
	/* a range past the table */
	assert_int_equal(io_uring_register_file_alloc_range(&ring, 14, 4),
			 -EINVAL);
	io_uring_queue_exit(&ring);
}

static void files_direct_preps(void **state)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	const char *path = t_path("direct");
	int fd, v;

	(void) state;
	T_REQUIRE_OP(IORING_OP_OPENAT);
	T_REQUIRE_OP(IORING_OP_CLOSE);
	T_REQUIRE_OP(IORING_OP_FILES_UPDATE);
	t_ring(&ring, 8, 0);
	close(t_make_file(path, FSIZE));
	assert_int_equal(io_uring_register_files_sparse(&ring, 4), 0);

	sqe = t_sqe(&ring);
	io_uring_prep_openat_direct(sqe, AT_FDCWD, path, O_RDONLY, 0, 2);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), 0);
	assert_fixed_read_ok(&ring, 2, 0);

	sqe = t_sqe(&ring);
	io_uring_prep_close_direct(sqe, 2);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), 0);
	assert_slot_empty(&ring, 2);

	/* the in-ring update fills a slot from a plain fd */
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	sqe = t_sqe(&ring);
	io_uring_prep_files_update(sqe, &fd, 1, 1);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), 1);
	close(fd);
	assert_fixed_read_ok(&ring, 1, 1000);

	/* ...and the register form sees the same table */
	v = -1;
	assert_int_equal(io_uring_register_files_update(&ring, 1, &v, 1), 1);
	assert_slot_empty(&ring, 1);
	io_uring_queue_exit(&ring);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(files_plain),
		cmocka_unit_test(files_errno_untouched),
		cmocka_unit_test(files_tags),
		cmocka_unit_test(files_sparse_update),
		cmocka_unit_test(files_sparse_over_rlimit),
		cmocka_unit_test(files_rlimit_put_back),
		cmocka_unit_test(files_rlimit_race),
		cmocka_unit_test(files_alloc_range),
		cmocka_unit_test(files_direct_preps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
