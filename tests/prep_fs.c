/* SPDX-License-Identifier: MIT */
/*
 * Files and paths: every prep helper runs on this kernel and the test checks
 * what it did to the file system (opened, renamed, linked, grew, ...).
 */
#include "prep_util.h"

#include <linux/openat2.h>
#include <sys/mman.h>
#include <sys/xattr.h>

/* ---- small local helpers ---- */

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static off_t size_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_size;
}

static int tmpdir_fd(void)
{
	int fd = open(t_tmpdir(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	assert_true(fd >= 0);
	return fd;
}

/* The first len bytes read from fd at offset 0 follow t_pattern(). */
static void assert_fd_pattern(int fd, size_t len)
{
	unsigned char buf[256];

	assert_true(len <= sizeof(buf));
	assert_int_equal(pread(fd, buf, len, 0), (ssize_t) len);
	t_assert_pattern(buf, len, 0);
}

/* Read through fixed-file slot 'slot' with IOSQE_FIXED_FILE; returns res. */
static int read_fixed_slot(struct io_uring *ring, int slot, void *buf,
			   unsigned len, __u64 off)
{
	struct io_uring_sqe *sqe = t_sqe(ring);

	io_uring_prep_read(sqe, slot, buf, len, off);
	io_uring_sqe_set_flags(sqe, IOSQE_FIXED_FILE);
	return p_submit_wait(ring).res;
}

static void assert_slot_pattern(struct io_uring *ring, int slot)
{
	unsigned char buf[64];

	assert_int_equal(read_fixed_slot(ring, slot, buf, sizeof(buf), 0),
			 (int) sizeof(buf));
	t_assert_pattern(buf, sizeof(buf), 0);
}

/* Fills a file with the pattern and closes it. */
static const char *pattern_file(const char *name, size_t size)
{
	const char *path = t_path(name);

	close(t_make_file(path, size));
	return path;
}

/* ---- open / openat / openat2 ---- */

static void open_plain(void **state)
{
	const char *path = pattern_file("open-plain", 4096);
	struct io_uring ring;
	int fd, dfd;

	(void) state;
	T_REQUIRE_OP(IORING_OP_OPENAT);
	t_ring(&ring, 8, 0);

	io_uring_prep_open(t_sqe(&ring), path, O_RDONLY | O_CLOEXEC, 0);
	fd = p_submit_wait(&ring).res;
	assert_true(fd >= 0);
	assert_fd_pattern(fd, 100);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);

	/* openat: relative to a directory fd; O_CREAT with a mode */
	dfd = tmpdir_fd();
	umask(022);
	io_uring_prep_openat(t_sqe(&ring), dfd, "open-created",
			     O_WRONLY | O_CREAT | O_EXCL, 0640);
	fd = p_submit_wait(&ring).res;
	assert_true(fd >= 0);
	close(fd);
	{
		struct stat st;

		assert_int_equal(stat(t_path("open-created"), &st), 0);
		assert_int_equal(st.st_mode & 0777, 0640);
	}
	/* the open flags are passed: O_EXCL on an existing file fails */
	io_uring_prep_openat(t_sqe(&ring), dfd, "open-created",
			     O_WRONLY | O_CREAT | O_EXCL, 0640);
	assert_int_equal(p_submit_wait(&ring).res, -EEXIST);
	close(dfd);
	io_uring_queue_exit(&ring);
}

static void open_openat2(void **state)
{
	struct open_how how;
	struct io_uring ring;
	int fd, dfd;

	(void) state;
	pattern_file("openat2-file", 4096);
	T_REQUIRE_OP(IORING_OP_OPENAT2);
	t_ring(&ring, 8, 0);
	dfd = tmpdir_fd();

	memset(&how, 0, sizeof(how));
	how.flags = O_RDONLY | O_CLOEXEC;
	how.resolve = RESOLVE_BENEATH;
	io_uring_prep_openat2(t_sqe(&ring), dfd, "openat2-file", &how);
	fd = p_submit_wait(&ring).res;
	assert_true(fd >= 0);
	assert_fd_pattern(fd, 64);
	close(fd);

	/* the open_how is read: RESOLVE_BENEATH refuses to climb out */
	io_uring_prep_openat2(t_sqe(&ring), dfd, "../", &how);
	assert_int_equal(p_submit_wait(&ring).res, -EXDEV);
	close(dfd);
	io_uring_queue_exit(&ring);
}

/* The _direct forms put the file into a fixed slot; reads use the slot. */
static void open_direct_slots(void **state)
{
	const char *path = pattern_file("direct-file", 4096);
	struct open_how how;
	struct io_uring ring;
	struct pcqe c;
	unsigned char buf[16];
	int dfd;

	(void) state;
	T_REQUIRE_OP(IORING_OP_OPENAT2);
	t_ring(&ring, 8, 0);
	assert_int_equal(io_uring_register_files_sparse(&ring, 4), 0);
	dfd = tmpdir_fd();

	io_uring_prep_open_direct(t_sqe(&ring), path, O_RDONLY, 0, 2);
	assert_int_equal(p_submit_wait(&ring).res, 0);
	assert_slot_pattern(&ring, 2);

	io_uring_prep_openat_direct(t_sqe(&ring), dfd, "direct-file", O_RDONLY,
				    0, 1);
	assert_int_equal(p_submit_wait(&ring).res, 0);
	assert_slot_pattern(&ring, 1);

	memset(&how, 0, sizeof(how));
	how.flags = O_RDONLY;
	io_uring_prep_openat2_direct(t_sqe(&ring), dfd, "direct-file", &how, 3);
	assert_int_equal(p_submit_wait(&ring).res, 0);
	assert_slot_pattern(&ring, 3);

	/* IORING_FILE_INDEX_ALLOC: the kernel picks the free slot 0 and says so */
	io_uring_prep_openat_direct(t_sqe(&ring), dfd, "direct-file", O_RDONLY,
				    0, IORING_FILE_INDEX_ALLOC);
	c = p_submit_wait(&ring);
	assert_int_equal(c.res, 0);
	assert_slot_pattern(&ring, 0);
	/* table full now: allocation fails */
	io_uring_prep_openat2_direct(t_sqe(&ring), dfd, "direct-file", &how,
				     IORING_FILE_INDEX_ALLOC);
	assert_int_equal(p_submit_wait(&ring).res, -ENFILE);

	/* close_direct empties the slot: reading it fails afterwards */
	io_uring_prep_close_direct(t_sqe(&ring), 2);
	assert_int_equal(p_submit_wait(&ring).res, 0);
	assert_int_equal(read_fixed_slot(&ring, 2, buf, sizeof(buf), 0), -EBADF);
	/* and the next allocation reuses it */
	io_uring_prep_open_direct(t_sqe(&ring), path, O_RDONLY, 0,
				  IORING_FILE_INDEX_ALLOC);
	assert_int_equal(p_submit_wait(&ring).res, 2);
	assert_slot_pattern(&ring, 2);

	close(dfd);
	io_uring_queue_exit(&ring);
}

/* ---- syncing, space, advice ---- */

static void sync_file_range_op(void **state)
{
	const char *path = t_path("sfr");
	struct io_uring ring;
	int fd = t_make_file(path, 65536);

	(void) state;
	T_REQUIRE_OP(IORING_OP_SYNC_FILE_RANGE);
	t_ring(&ring, 4, 0);
	io_uring_prep_sync_file_range(t_sqe(&ring), fd, 65536, 0,
				      SYNC_FILE_RANGE_WAIT_BEFORE |
				      SYNC_FILE_RANGE_WRITE |
				      SYNC_FILE_RANGE_WAIT_AFTER);
	assert_int_equal(p_submit_wait(&ring).res, 0);
	/* the flags reach sync_file_range(2): unknown bits are rejected */
	io_uring_prep_sync_file_range(t_sqe(&ring), fd, 4096, 0, 0x100);
	assert_int_equal(p_submit_wait(&ring).res, -EINVAL);
	close(fd);
	io_uring_queue_exit(&ring);
}

static void fallocate_op(void **state)
{
	const char *path = t_path("falloc");
	struct io_uring ring;
	struct stat st;
	blkcnt_t blocks;
	int fd = t_make_file(path, 0);

	(void) state;
	T_REQUIRE_OP(IORING_OP_FALLOCATE);
	t_ring(&ring, 4, 0);
	io_uring_prep_fallocate(t_sqe(&ring), fd, 0, 0, 1 << 20);
	assert_int_equal(p_submit_wait(&ring).res, 0);
	assert_int_equal(size_of(path), 1 << 20);

	/* mode is passed: KEEP_SIZE allocates blocks past EOF, size stays */
	assert_int_equal(fstat(fd, &st), 0);
	blocks = st.st_blocks;
	io_uring_prep_fallocate(t_sqe(&ring), fd, FALLOC_FL_KEEP_SIZE,
				1 << 20, 1 << 20);
	assert_int_equal(p_submit_wait(&ring).res, 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_size, 1 << 20);
	assert_true(st.st_blocks > blocks);

	/* the 64-bit offset is passed whole: size grows beyond 4 GiB */
	io_uring_prep_fallocate(t_sqe(&ring), fd, 0, (5ULL << 30), 4096);
	assert_int_equal(p_submit_wait(&ring).res, 0);
	assert_int_equal(size_of(path), (off_t) ((5ULL << 30) + 4096));
	close(fd);
	unlink(path);
	io_uring_queue_exit(&ring);
}

static void ftruncate_op(void **state)
{
	const char *path = t_path("ftrunc");
	struct io_uring ring;
	int fd = t_make_file(path, 8192);

	(void) state;
	T_REQUIRE_OP(IORING_OP_FTRUNCATE);
	t_ring(&ring, 4, 0);
	io_uring_prep_ftruncate(t_sqe(&ring), fd, 100);
	assert_int_equal(p_submit_wait(&ring).res, 0);
	assert_int_equal(size_of(path), 100);
	assert_fd_pattern(fd, 100);

	io_uring_prep_ftruncate(t_sqe(&ring), fd, (loff_t) (6ULL << 30));
	assert_int_equal(p_submit_wait(&ring).res, 0);
	assert_int_equal(size_of(path), (off_t) (6ULL << 30));

	io_uring_prep_ftruncate(t_sqe(&ring), fd, -1);
	assert_int_equal(p_submit_wait(&ring).res, -EINVAL);
	close(fd);
	unlink(path);
	io_uring_queue_exit(&ring);
}

/*
 * 64-bit fadvise/madvise lengths (sqe->off) came with 6.11: older kernels
 * fail a valid madvise64 with -EINVAL (documented), so those parts skip.
 */
static bool advise64_supported(struct io_uring *ring)
{
	size_t len = (size_t) sysconf(_SC_PAGESIZE);
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int res;

	assert_true(p != MAP_FAILED);
	io_uring_prep_madvise64(t_sqe(ring), p, (off_t) len, MADV_NORMAL);
	res = p_submit_wait(ring).res;
	munmap(p, len);
	return res != -EINVAL;
}

static void fadvise_op(void **state)
{
	const char *path = t_path("fadv");
	struct io_uring ring;
	int fd = t_make_file(path, 65536);

	(void) state;
	T_REQUIRE_OP(IORING_OP_FADVISE);
	t_ring(&ring, 4, 0);
	io_uring_prep_fadvise(t_sqe(&ring), fd, 0, 65536, POSIX_FADV_DONTNEED);
	assert_int_equal(p_submit_wait(&ring).res, 0);
	io_uring_prep_fadvise(t_sqe(&ring), fd, 0, 4096, POSIX_FADV_WILLNEED);
	assert_int_equal(p_submit_wait(&ring).res, 0);
	/* the advice is passed: an unknown one is rejected */
	io_uring_prep_fadvise(t_sqe(&ring), fd, 0, 4096, 1234);
	assert_int_equal(p_submit_wait(&ring).res, -EINVAL);

	if (!advise64_supported(&ring)) {
		close(fd);
		io_uring_queue_exit(&ring);
		T_SKIP("kernel lacks 64-bit fadvise lengths (6.11+); 32-bit passed");
	}
	/* fadvise64: a length beyond 32 bits */
	io_uring_prep_fadvise64(t_sqe(&ring), fd, 0, (off_t) (8ULL << 30),
				POSIX_FADV_SEQUENTIAL);
	assert_int_equal(p_submit_wait(&ring).res, 0);
	io_uring_prep_fadvise64(t_sqe(&ring), fd, 0, (off_t) (8ULL << 30), 1234);
	assert_int_equal(p_submit_wait(&ring).res, -EINVAL);
	/* fadvise on a pipe is ESPIPE: the fd is used */
	{
		int p[2];

		assert_int_equal(pipe(p), 0);
		io_uring_prep_fadvise64(t_sqe(&ring), p[0], 0, 4096,
					POSIX_FADV_NORMAL);
		assert_int_equal(p_submit_wait(&ring).res, -ESPIPE);
		t_close_pair(p);
	}
	close(fd);
	io_uring_queue_exit(&ring);
}

/* MADV_DONTNEED on private anonymous memory: the pages read back as zero. */
static void madvise_dontneed(struct io_uring *ring, bool wide)
{
	size_t len = 4 * (size_t) sysconf(_SC_PAGESIZE);
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size_t i;

	assert_true(p != MAP_FAILED);
	memset(p, 0xab, len);
	if (wide)
		io_uring_prep_madvise64(t_sqe(ring), p, (off_t) len,
					MADV_DONTNEED);
	else
		io_uring_prep_madvise(t_sqe(ring), p, (__u32) len,
				      MADV_DONTNEED);
	assert_int_equal(p_submit_wait(ring).res, 0);
	for (i = 0; i < len; i++)
		if (p[i])
			fail_msg("byte %zu still 0x%02x after MADV_DONTNEED",
				 i, p[i]);
	/* an unknown advice is rejected */
	if (wide)
		io_uring_prep_madvise64(t_sqe(ring), p, (off_t) len, 1234);
	else
		io_uring_prep_madvise(t_sqe(ring), p, (__u32) len, 1234);
	assert_int_equal(p_submit_wait(ring).res, -EINVAL);
	munmap(p, len);
}

static void madvise_op(void **state)
{
	struct io_uring ring;

	(void) state;
	T_REQUIRE_OP(IORING_OP_MADVISE);
	t_ring(&ring, 4, 0);
	madvise_dontneed(&ring, false);
	if (!advise64_supported(&ring)) {
		io_uring_queue_exit(&ring);
		T_SKIP("kernel lacks 64-bit madvise lengths (6.11+); 32-bit passed");
	}
	madvise_dontneed(&ring, true);
	io_uring_queue_exit(&ring);
}

/* ---- names in the file system ---- */

static void rename_op(void **state)
{
	const char *a = pattern_file("ren-a", 16);
	const char *b = t_path("ren-b");
	struct io_uring ring;
	int dfd;

	(void) state;
	T_REQUIRE_OP(IORING_OP_RENAMEAT);
	t_ring(&ring, 4, 0);
	io_uring_prep_rename(t_sqe(&ring), a, b);
	assert_int_equal(p_submit_wait(&ring).res, 0);
	assert_false(exists(a));
	assert_int_equal(size_of(b), 16);

	/* renameat relative to directory fds, back to the first name */
	dfd = tmpdir_fd();
	io_uring_prep_renameat(t_sqe(&ring), dfd, "ren-b", dfd, "ren-a", 0);
	assert_int_equal(p_submit_wait(&ring).res, 0);
	assert_true(exists(a));
	assert_false(exists(b));

	/* flags are passed: RENAME_NOREPLACE refuses an existing target */
	pattern_file("ren-c", 8);
	io_uring_prep_renameat(t_sqe(&ring), dfd, "ren-a", dfd, "ren-c",
			       RENAME_NOREPLACE);
	assert_int_equal(p_submit_wait(&ring).res, -EEXIST);
	assert_true(exists(a));
	close(dfd);
	io_uring_queue_exit(&ring);
}

static void unlink_op(void **state)
{
	const char *f = pattern_file("unl-file", 16);
	const char *d = t_path("unl-dir");
	struct io_uring ring;
	int dfd;

	(void) state;
	T_REQUIRE_OP(IORING_OP_UNLINKAT);
	t_ring(&ring, 4, 0);
	io_uring_prep_unlink(t_sqe(&ring), f, 0);
	assert_int_equal(p_submit_wait(&ring).res, 0);
	assert_false(exists(f));
	io_uring_prep_unlink(t_sqe(&ring), f, 0);
	assert_int_equal(p_submit_wait(&ring).res, -ENOENT);

	assert_int_equal(mkdir(d, 0755), 0);
	dfd = tmpdir_fd();
	/* without AT_REMOVEDIR a directory is not unlinked */
	io_uring_prep_unlinkat(t_sqe(&ring), dfd, "unl-dir", 0);
	assert_int_equal(p_submit_wait(&ring).res, -EISDIR);
	assert_true(exists(d));
	io_uring_prep_unlinkat(t_sqe(&ring), dfd, "unl-dir", AT_REMOVEDIR);
	assert_int_equal(p_submit_wait(&ring).res, 0);
	assert_false(exists(d));
	close(dfd);
	io_uring_queue_exit(&ring);
}

static void mkdir_op(void **state)
{
	const char *d = t_path("mk-dir");
	struct io_uring ring;
	struct stat st;
	int dfd;

	(void) state;
	T_REQUIRE_OP(IORING_OP_MKDIRAT);
	umask(022);
	t_ring(&ring, 4, 0);
	io_uring_prep_mkdir(t_sqe(&ring), d, 0750);
	assert_int_equal(p_submit_wait(&ring).res, 0);
	assert_int_equal(stat(d, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0750);

	dfd = tmpdir_fd();
	io_uring_prep_mkdirat(t_sqe(&ring), dfd, "mk-dir/sub", 0700);
	assert_int_equal(p_submit_wait(&ring).res, 0);
	assert_int_equal(stat(t_path("mk-dir/sub"), &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0700);
	io_uring_prep_mkdirat(t_sqe(&ring), dfd, "mk-dir", 0700);
	assert_int_equal(p_submit_wait(&ring).res, -EEXIST);
	close(dfd);
	io_uring_queue_exit(&ring);
}

static void assert_link_target(const char *link, const char *target)
{
	char buf[512];
	ssize_t n = readlink(link, buf, sizeof(buf) - 1);

	assert_true(n > 0);
	buf[n] = 0;
	assert_string_equal(buf, target);
}

static void symlink_op(void **state)
{
	const char *l1 = t_path("sym-1");
	struct io_uring ring;
	int dfd;

	(void) state;
	T_REQUIRE_OP(IORING_OP_SYMLINKAT);
	t_ring(&ring, 4, 0);
	io_uring_prep_symlink(t_sqe(&ring), "some/target", l1);
	assert_int_equal(p_submit_wait(&ring).res, 0);
	assert_link_target(l1, "some/target");

	dfd = tmpdir_fd();
	io_uring_prep_symlinkat(t_sqe(&ring), "/other/target", dfd, "sym-2");
	assert_int_equal(p_submit_wait(&ring).res, 0);
	assert_link_target(t_path("sym-2"), "/other/target");
	io_uring_prep_symlinkat(t_sqe(&ring), "x", dfd, "sym-2");
	assert_int_equal(p_submit_wait(&ring).res, -EEXIST);
	close(dfd);
	io_uring_queue_exit(&ring);
}

static void link_op(void **state)
{
	const char *f = pattern_file("lnk-file", 32);
	const char *h = t_path("lnk-hard");
	struct io_uring ring;
	struct stat st;
	int dfd;

	(void) state;
	T_REQUIRE_OP(IORING_OP_LINKAT);
	t_ring(&ring, 4, 0);
	io_uring_prep_link(t_sqe(&ring), f, h, 0);
	assert_int_equal(p_submit_wait(&ring).res, 0);
	assert_int_equal(stat(f, &st), 0);
	assert_int_equal(st.st_nlink, 2);
	assert_int_equal(size_of(h), 32);

	/* linkat with AT_SYMLINK_FOLLOW links the symlink's target, not the link */
	assert_int_equal(symlink("lnk-file", t_path("lnk-sym")), 0);
	dfd = tmpdir_fd();
	io_uring_prep_linkat(t_sqe(&ring), dfd, "lnk-sym", dfd, "lnk-followed",
			     AT_SYMLINK_FOLLOW);
	assert_int_equal(p_submit_wait(&ring).res, 0);
	assert_int_equal(lstat(t_path("lnk-followed"), &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_nlink, 3);
	/* without the flag the new name is another link to the symlink */
	io_uring_prep_linkat(t_sqe(&ring), dfd, "lnk-sym", dfd, "lnk-nofollow", 0);
	assert_int_equal(p_submit_wait(&ring).res, 0);
	assert_int_equal(lstat(t_path("lnk-nofollow"), &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	close(dfd);
	io_uring_queue_exit(&ring);
}

/* ---- extended attributes ---- */

static void xattr_ops(void **state)
{
	const char *path = pattern_file("xattr-file", 16);
	struct io_uring ring;
	char val[64];
	int fd, res;
	ssize_t n;

	(void) state;
	T_REQUIRE_OP(IORING_OP_SETXATTR);
	T_REQUIRE_OP(IORING_OP_FGETXATTR);
	t_ring(&ring, 4, 0);

	io_uring_prep_setxattr(t_sqe(&ring), "user.uring.a", "hello", path, 0, 5);
	res = p_submit_wait(&ring).res;
	if (res == -EOPNOTSUPP) {
		io_uring_queue_exit(&ring);
		T_SKIP("the temp file system lacks user xattrs (-EOPNOTSUPP)");
	}
	assert_int_equal(res, 0);
	n = getxattr(path, "user.uring.a", val, sizeof(val));
	assert_int_equal(n, 5);
	assert_memory_equal(val, "hello", 5);

	/* flags: XATTR_CREATE on an existing name fails */
	io_uring_prep_setxattr(t_sqe(&ring), "user.uring.a", "again", path,
			       XATTR_CREATE, 5);
	assert_int_equal(p_submit_wait(&ring).res, -EEXIST);

	/* getxattr by path reads what setxattr(2) wrote */
	assert_int_equal(setxattr(path, "user.uring.b", "world!", 6, 0), 0);
	memset(val, 0, sizeof(val));
	io_uring_prep_getxattr(t_sqe(&ring), "user.uring.b", val, path,
			       sizeof(val));
	assert_int_equal(p_submit_wait(&ring).res, 6);
	assert_memory_equal(val, "world!", 6);

	/* on an fd */
	fd = open(path, O_RDWR | O_CLOEXEC);
	assert_true(fd >= 0);
	io_uring_prep_fsetxattr(t_sqe(&ring), fd, "user.uring.c", "fd-val", 0, 6);
	assert_int_equal(p_submit_wait(&ring).res, 0);
	n = getxattr(path, "user.uring.c", val, sizeof(val));
	assert_int_equal(n, 6);
	assert_memory_equal(val, "fd-val", 6);
	io_uring_prep_fsetxattr(t_sqe(&ring), fd, "user.uring.c", "new", XATTR_CREATE, 3);
	assert_int_equal(p_submit_wait(&ring).res, -EEXIST);
	io_uring_prep_fsetxattr(t_sqe(&ring), fd, "user.uring.c", "new", XATTR_REPLACE, 3);
	assert_int_equal(p_submit_wait(&ring).res, 0);

	memset(val, 0, sizeof(val));
	io_uring_prep_fgetxattr(t_sqe(&ring), fd, "user.uring.c", val, sizeof(val));
	assert_int_equal(p_submit_wait(&ring).res, 3);
	assert_memory_equal(val, "new", 3);
	/* len is passed: too small a buffer is ERANGE */
	io_uring_prep_fgetxattr(t_sqe(&ring), fd, "user.uring.b", val, 2);
	assert_int_equal(p_submit_wait(&ring).res, -ERANGE);
	io_uring_prep_fgetxattr(t_sqe(&ring), fd, "user.uring.none", val, sizeof(val));
	assert_int_equal(p_submit_wait(&ring).res, -ENODATA);
	close(fd);
	io_uring_queue_exit(&ring);
}

/* ---- pipes, splice, tee ---- */

static void splice_op(void **state)
{
	const char *src = t_path("splice-src");
	const char *dst = t_path("splice-dst");
	unsigned char buf[1000];
	struct io_uring ring;
	int in = t_make_file(src, 8192);
	int out = t_make_file(dst, 0);
	int p[2];

	(void) state;
	T_REQUIRE_OP(IORING_OP_SPLICE);
	assert_int_equal(pipe(p), 0);
	t_ring(&ring, 4, 0);

	/* file (from offset 1000) -> pipe */
	io_uring_prep_splice(t_sqe(&ring), in, 1000, p[1], -1, 1000, 0);
	assert_int_equal(p_submit_wait(&ring).res, 1000);
	/* pipe -> file at offset 300 */
	io_uring_prep_splice(t_sqe(&ring), p[0], -1, out, 300, 1000, 0);
	assert_int_equal(p_submit_wait(&ring).res, 1000);
	assert_int_equal(size_of(dst), 1300);
	assert_int_equal(pread(out, buf, 1000, 300), 1000);
	t_assert_pattern(buf, 1000, 1000);

	/* off_in -1 uses (and moves) the file position */
	assert_int_equal(lseek(in, 4000, SEEK_SET), 4000);
	io_uring_prep_splice(t_sqe(&ring), in, -1, p[1], -1, 100, 0);
	assert_int_equal(p_submit_wait(&ring).res, 100);
	assert_int_equal(lseek(in, 0, SEEK_CUR), 4100);
	p_read_full(p[0], buf, 100);
	t_assert_pattern(buf, 100, 4000);

	t_close_pair(p);
	close(in);
	close(out);
	io_uring_queue_exit(&ring);
}

static void tee_op(void **state)
{
	struct io_uring ring;
	char buf[32];
	int a[2], b[2];

	(void) state;
	T_REQUIRE_OP(IORING_OP_TEE);
	assert_int_equal(pipe(a), 0);
	assert_int_equal(pipe(b), 0);
	p_write_full(a[1], "duplicate me", 12);
	t_ring(&ring, 4, 0);
	io_uring_prep_tee(t_sqe(&ring), a[0], b[1], 12, 0);
	assert_int_equal(p_submit_wait(&ring).res, 12);
	/* both pipes now hold the data */
	p_read_full(b[0], buf, 12);
	assert_memory_equal(buf, "duplicate me", 12);
	p_read_full(a[0], buf, 12);
	assert_memory_equal(buf, "duplicate me", 12);
	t_close_pair(a);
	t_close_pair(b);
	io_uring_queue_exit(&ring);
}

static void pipe_op(void **state)
{
	struct io_uring ring;
	int fds[2] = { -1, -1 };
	char buf[8];

	(void) state;
	T_REQUIRE_OP(IORING_OP_PIPE);
	t_ring(&ring, 4, 0);
	io_uring_prep_pipe(t_sqe(&ring), fds, O_CLOEXEC);
	assert_int_equal(p_submit_wait(&ring).res, 0);
	assert_true(fds[0] >= 0 && fds[1] >= 0);
	assert_true(fcntl(fds[0], F_GETFD) & FD_CLOEXEC);
	p_write_full(fds[1], "pipe!", 5);
	p_read_full(fds[0], buf, 5);
	assert_memory_equal(buf, "pipe!", 5);
	t_close_pair(fds);

	/* pipe_flags reach pipe2(): O_NONBLOCK */
	io_uring_prep_pipe(t_sqe(&ring), fds, O_NONBLOCK);
	assert_int_equal(p_submit_wait(&ring).res, 0);
	assert_true(fcntl(fds[0], F_GETFL) & O_NONBLOCK);
	assert_false(fcntl(fds[0], F_GETFD) & FD_CLOEXEC);
	assert_int_equal(read(fds[0], buf, 1), -1);
	assert_int_equal(errno, EAGAIN);
	t_close_pair(fds);
	io_uring_queue_exit(&ring);
}

/* Write through fixed slot wslot, read back through rslot. */
static void assert_fixed_pipe(struct io_uring *ring, int rslot, int wslot)
{
	struct io_uring_sqe *sqe;
	char buf[8] = { 0 };

	sqe = t_sqe(ring);
	io_uring_prep_write(sqe, wslot, "fixed", 5, 0);
	io_uring_sqe_set_flags(sqe, IOSQE_FIXED_FILE);
	assert_int_equal(p_submit_wait(ring).res, 5);
	assert_int_equal(read_fixed_slot(ring, rslot, buf, sizeof(buf), 0), 5);
	assert_memory_equal(buf, "fixed", 5);
}

static void pipe_direct_op(void **state)
{
	struct io_uring ring;
	int fds[2] = { -1, -1 };

	(void) state;
	T_REQUIRE_OP(IORING_OP_PIPE);
	t_ring(&ring, 4, 0);
	assert_int_equal(io_uring_register_files_sparse(&ring, 8), 0);

	/* both ends land in consecutive slots starting at the one given */
	io_uring_prep_pipe_direct(t_sqe(&ring), fds, 0, 4);
	assert_int_equal(p_submit_wait(&ring).res, 0);
	assert_int_equal(fds[0], 4);
	assert_int_equal(fds[1], 5);
	assert_fixed_pipe(&ring, fds[0], fds[1]);

	/* IORING_FILE_INDEX_ALLOC: the kernel picks free slots (its own order) */
	fds[0] = fds[1] = -1;
	io_uring_prep_pipe_direct(t_sqe(&ring), fds, 0, IORING_FILE_INDEX_ALLOC);
	assert_int_equal(p_submit_wait(&ring).res, 0);
	assert_true(fds[0] >= 0 && fds[0] < 8 && fds[0] != 4 && fds[0] != 5);
	assert_true(fds[1] >= 0 && fds[1] < 8 && fds[1] != 4 && fds[1] != 5);
	assert_int_not_equal(fds[0], fds[1]);
	assert_fixed_pipe(&ring, fds[0], fds[1]);
	io_uring_queue_exit(&ring);
}

/* ---- the fixed file table ---- */

static void files_update_op(void **state)
{
	const char *path = pattern_file("fupd", 4096);
	struct io_uring ring;
	unsigned char buf[16];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int fds[2];

	(void) state;
	T_REQUIRE_OP(IORING_OP_FILES_UPDATE);
	assert_true(fd >= 0);
	t_ring(&ring, 4, 0);
	assert_int_equal(io_uring_register_files_sparse(&ring, 4), 0);
	assert_int_equal(read_fixed_slot(&ring, 3, buf, sizeof(buf), 0), -EBADF);

	/* put fd into slots 2 and 3: res is the number updated */
	fds[0] = fds[1] = fd;
	io_uring_prep_files_update(t_sqe(&ring), fds, 2, 2);
	assert_int_equal(p_submit_wait(&ring).res, 2);
	assert_slot_pattern(&ring, 2);
	assert_slot_pattern(&ring, 3);

	/* -1 clears a slot */
	fds[0] = -1;
	io_uring_prep_files_update(t_sqe(&ring), fds, 1, 3);
	assert_int_equal(p_submit_wait(&ring).res, 1);
	assert_int_equal(read_fixed_slot(&ring, 3, buf, sizeof(buf), 0), -EBADF);
	assert_slot_pattern(&ring, 2);

	/* offset IORING_FILE_INDEX_ALLOC: the chosen slot is written back */
	fds[0] = fd;
	io_uring_prep_files_update(t_sqe(&ring), fds, 1,
				   (int) IORING_FILE_INDEX_ALLOC);
	assert_int_equal(p_submit_wait(&ring).res, 1);
	assert_true(fds[0] == 0 || fds[0] == 1 || fds[0] == 3);
	assert_slot_pattern(&ring, fds[0]);
	close(fd);
	io_uring_queue_exit(&ring);
}

static void fixed_fd_install_op(void **state)
{
	const char *path = pattern_file("install", 4096);
	struct io_uring ring;
	int fd;

	(void) state;
	T_REQUIRE_OP(IORING_OP_FIXED_FD_INSTALL);
	t_ring(&ring, 4, 0);
	assert_int_equal(io_uring_register_files_sparse(&ring, 2), 0);
	io_uring_prep_open_direct(t_sqe(&ring), path, O_RDONLY, 0, 1);
	assert_int_equal(p_submit_wait(&ring).res, 0);

	/* the fixed file becomes a normal fd (close-on-exec by default) */
	io_uring_prep_fixed_fd_install(t_sqe(&ring), 1, 0);
	fd = p_submit_wait(&ring).res;
	assert_true(fd >= 0);
	assert_fd_pattern(fd, 128);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);

	io_uring_prep_fixed_fd_install(t_sqe(&ring), 1, IORING_FIXED_FD_NO_CLOEXEC);
	fd = p_submit_wait(&ring).res;
	assert_true(fd >= 0);
	assert_false(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_fd_pattern(fd, 16);
	close(fd);

	/* an empty slot has nothing to install */
	io_uring_prep_fixed_fd_install(t_sqe(&ring), 0, 0);
	assert_int_equal(p_submit_wait(&ring).res, -EBADF);
	io_uring_queue_exit(&ring);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(open_plain),
		cmocka_unit_test(open_openat2),
		cmocka_unit_test(open_direct_slots),
		cmocka_unit_test(sync_file_range_op),
		cmocka_unit_test(fallocate_op),
		cmocka_unit_test(ftruncate_op),
		cmocka_unit_test(fadvise_op),
		cmocka_unit_test(madvise_op),
		cmocka_unit_test(rename_op),
		cmocka_unit_test(unlink_op),
		cmocka_unit_test(mkdir_op),
		cmocka_unit_test(symlink_op),
		cmocka_unit_test(link_op),
		cmocka_unit_test(xattr_ops),
		cmocka_unit_test(splice_op),
		cmocka_unit_test(tee_op),
		cmocka_unit_test(pipe_op),
		cmocka_unit_test(pipe_direct_op),
		cmocka_unit_test(files_update_op),
		cmocka_unit_test(fixed_fd_install_op),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
