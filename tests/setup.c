/* SPDX-License-Identifier: MIT */
/*
 * Ring setup and teardown: every io_uring_queue_init* form, mapping an fd
 * from a raw io_uring_setup(), exit and use after exit, dontfork, the
 * memory-size estimates, the raw system call wrappers, and each setup flag
 * with a round trip through the ring it makes.
 */
#include "helpers.h"

#include <dirent.h>
#include <poll.h>
#include <pthread.h>
#include <grp.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#define SENTINEL_ERRNO	4242

static int open_fds_at_start;

/* ---- small helpers ---- */

static size_t pagesz(void)
{
	return (size_t) sysconf(_SC_PAGESIZE);
}

/* Queue n NOPs with user_data base..base+n-1, submit, and reap them in order. */
static void nops_roundtrip(struct io_uring *ring, unsigned n, __u64 base)
{
	unsigned i;
	__u64 ud;

	for (i = 0; i < n; i++) {
		struct io_uring_sqe *sqe = t_sqe(ring);

		io_uring_prep_nop(sqe);
		io_uring_sqe_set_data64(sqe, base + i);
	}
	assert_int_equal(io_uring_submit(ring), (int) n);
	for (i = 0; i < n; i++) {
		assert_int_equal(t_wait_bounded(ring, NULL, &ud), 0);
		assert_int_equal(ud, base + i);
	}
	assert_int_equal(io_uring_cq_ready(ring), 0);
}

static void nop_roundtrip(struct io_uring *ring)
{
	nops_roundtrip(ring, 1, 0x1234);
}

/* Init with params; skip the test when the kernel rejects the flags with -EINVAL. */
static void init_or_skip(unsigned entries, struct io_uring *ring,
			 struct io_uring_params *p, const char *what)
{
	int ret = io_uring_queue_init_params(entries, ring, p);

	if (ret == -EINVAL) {
		print_message("# skip: kernel rejects %s\n", what);
		skip();
	}
	if (ret)
		fail_msg("queue_init_params(%s): %s", what, strerror(-ret));
}

static void *map_anon(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(p != MAP_FAILED);
	return p;
}

/* ---- io_uring_queue_init / _params / _mem / _mmap ---- */

static void init_basic(void **state)
{
	struct io_uring ring;

	(void) state;
	assert_int_equal(io_uring_queue_init(8, &ring, 0), 0);
	assert_true(ring.ring_fd >= 0);
	assert_true(t_fd_open(ring.ring_fd));
	assert_int_equal(ring.enter_ring_fd, ring.ring_fd);
	/* like liburing, the library asks for NO_SQARRAY where the kernel has it */
	assert_int_equal(ring.flags & ~IORING_SETUP_NO_SQARRAY, 0);
	if (t_kernel_older_than(6, 6)) {
		assert_int_equal(ring.flags, 0);
		assert_non_null(ring.sq.array);
	} else {
		assert_int_equal(ring.flags, IORING_SETUP_NO_SQARRAY);
		assert_null(ring.sq.array);
	}
	assert_int_equal(ring.sq.ring_entries, 8);
	assert_int_equal(ring.cq.ring_entries, 16);
	assert_int_equal(ring.sq.ring_mask, 7);
	assert_int_equal(ring.cq.ring_mask, 15);
	assert_int_equal(*ring.sq.kring_entries, 8);
	assert_true(ring.features & IORING_FEAT_NODROP);
	nops_roundtrip(&ring, 8, 100);
	io_uring_queue_exit(&ring);

	/* a size that is not a power of two is rounded up */
	assert_int_equal(io_uring_queue_init(5, &ring, 0), 0);
	assert_int_equal(ring.sq.ring_entries, 8);
	io_uring_queue_exit(&ring);
}

static void init_params(void **state)
{
	struct io_uring_params p;
	struct io_uring ring;

	(void) state;
	memset(&p, 0, sizeof(p));
	assert_int_equal(io_uring_queue_init_params(16, &ring, &p), 0);
	assert_int_equal(p.sq_entries, 16);
	assert_int_equal(p.cq_entries, 32);
	assert_true(p.features & IORING_FEAT_SINGLE_MMAP);
	assert_true(p.features & IORING_FEAT_NODROP);
	assert_int_equal(ring.features, p.features);
	assert_int_equal(ring.flags, p.flags);
	assert_true(ring.ring_fd >= 0 && t_fd_open(ring.ring_fd));
	assert_int_not_equal(p.sq_off.tail, 0);
	assert_int_not_equal(p.cq_off.cqes, 0);
	assert_int_equal(ring.sq.ring_entries, p.sq_entries);
	assert_int_equal(ring.cq.ring_entries, p.cq_entries);
	nop_roundtrip(&ring);
	io_uring_queue_exit(&ring);
}

static void init_mem(void **state)
{
	struct io_uring_params p;
	struct io_uring ring;
	ssize_t need;
	size_t len;
	char *buf;
	int used;

	(void) state;
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_NO_MMAP;
	need = io_uring_memory_size_params(8, &p);
	assert_true(need > 0);
	len = (size_t) need + pagesz();
	buf = map_anon(len);

	memset(&p, 0, sizeof(p));
	used = io_uring_queue_init_mem(8, &ring, &p, buf, len);
	if (used == -EINVAL) {
		munmap(buf, len);
		T_SKIP("kernel lacks IORING_SETUP_NO_MMAP");
	}
	assert_true(used > 0);
	assert_true((size_t) used <= len);
	assert_true(used <= need);
	assert_true(p.flags & IORING_SETUP_NO_MMAP);
	assert_true(ring.flags & IORING_SETUP_NO_MMAP);
	/* the rings and the SQEs live in our buffer */
	assert_true((char *) ring.sq.sqes >= buf && (char *) ring.sq.sqes < buf + used);
	assert_true((char *) ring.cq.cqes >= buf && (char *) ring.cq.cqes < buf + used);
	assert_true((char *) ring.sq.khead >= buf && (char *) ring.sq.khead < buf + used);
	nops_roundtrip(&ring, 8, 1);
	nops_roundtrip(&ring, 8, 9);	/* wraps the SQ ring */
	io_uring_queue_exit(&ring);
	/* exit leaves caller memory mapped */
	buf[0] = 1;
	munmap(buf, len);
}

static void init_mem_too_small(void **state)
{
	struct io_uring_params p;
	struct io_uring ring;
	size_t len = pagesz();
	char *buf = map_anon(len * 4);
	int ret;

	(void) state;
	memset(&p, 0, sizeof(p));
	assert_int_equal(io_uring_queue_init_mem(8, &ring, &p, buf, len), -ENOMEM);
	assert_int_equal(io_uring_queue_init_mem(8, &ring, &p, buf, 0), -ENOMEM);
	memset(&p, 0, sizeof(p));
	assert_int_equal(io_uring_queue_init_mem(8, &ring, NULL, buf, len), -EINVAL);

	/* a big enough buffer then works (where the kernel has NO_MMAP, 6.5) */
	memset(&p, 0, sizeof(p));
	ret = io_uring_queue_init_mem(8, &ring, &p, buf, len * 4);
	if (ret == -EINVAL) {
		munmap(buf, len * 4);
		T_SKIP("kernel rejects NO_MMAP; the size checks passed");
	}
	assert_true(ret > 0);
	nop_roundtrip(&ring);
	io_uring_queue_exit(&ring);
	munmap(buf, len * 4);
}

/* NO_MMAP with memory the library allocates itself. */
static void init_no_mmap_lib_mem(void **state)
{
	struct io_uring_params p;
	struct io_uring ring;

	(void) state;
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_NO_MMAP;
	init_or_skip(64, &ring, &p, "NO_MMAP");
	nops_roundtrip(&ring, 64, 0);
	nops_roundtrip(&ring, 64, 64);
	io_uring_queue_exit(&ring);
}

static void queue_mmap_raw(void **state)
{
	struct io_uring_params p;
	struct io_uring ring;
	int fd;

	(void) state;
	memset(&p, 0, sizeof(p));
	fd = io_uring_setup(4, &p);
	assert_true(fd >= 0);
	assert_int_equal(io_uring_queue_mmap(fd, &p, &ring), 0);
	assert_int_equal(ring.ring_fd, fd);
	assert_int_equal(ring.features, p.features);
	assert_int_equal(ring.sq.ring_entries, 4);
	nops_roundtrip(&ring, 4, 7);
	nops_roundtrip(&ring, 4, 11);
	io_uring_queue_exit(&ring);
	/* exit closes the fd it was given */
	assert_false(t_fd_open(fd));
}

/*
 * Kernels without IORING_FEAT_SINGLE_MMAP need the CQ ring mapped on its own;
 * this kernel accepts that too, so take that path by clearing the bit.
 */
static void queue_mmap_no_single_mmap(void **state)
{
	struct io_uring_params p, cp;
	struct io_uring ring;
	unsigned i;
	int fd;

	(void) state;
	memset(&p, 0, sizeof(p));
	fd = io_uring_setup(8, &p);
	assert_true(fd >= 0);
	cp = p;
	cp.features &= ~IORING_FEAT_SINGLE_MMAP;
	assert_int_equal(io_uring_queue_mmap(fd, &cp, &ring), 0);
	assert_ptr_not_equal(ring.cq.ring_ptr, ring.sq.ring_ptr);
	assert_false(ring.features & IORING_FEAT_SINGLE_MMAP);
	/* both mappings see the same kernel ring */
	assert_int_equal(ring.cq.ring_entries, 16);
	for (i = 0; i < 5; i++)
		nops_roundtrip(&ring, 8, 1000 + 8 * i);
	assert_int_equal(io_uring_ring_dontfork(&ring), 0);
	io_uring_queue_exit(&ring);
	assert_false(t_fd_open(fd));
}

/* ---- exit ---- */

static void exit_twice_and_use_after(void **state)
{
	struct io_uring_cqe *cqe = (struct io_uring_cqe *) 1;
	struct __kernel_timespec ts = { .tv_nsec = 1000000 };
	struct io_uring ring;
	int fd, ret;

	(void) state;
	t_ring(&ring, 4, 0);
	fd = ring.ring_fd;
	io_uring_queue_exit(&ring);
	assert_false(t_fd_open(fd));
	io_uring_queue_exit(&ring);	/* harmless */

	assert_null(io_uring_get_sqe(&ring));
	ret = io_uring_submit(&ring);
	assert_true(ret == 0 || ret == -EBADF);
	ret = io_uring_submit_and_wait(&ring, 1);
	assert_true(ret == 0 || ret == -EBADF);
	assert_int_equal(io_uring_wait_cqe(&ring, &cqe), -EBADF);
	ret = io_uring_peek_cqe(&ring, &cqe);
	assert_true(ret == -EAGAIN || ret == -EBADF);
	/* nothing to wait on: -EBADF, or -EAGAIN where no timeout SQE fits */
	ret = io_uring_wait_cqe_timeout(&ring, &cqe, &ts);
	assert_true(ret == -EBADF || ret == -ETIME || ret == -EAGAIN);
	assert_int_equal(io_uring_cq_ready(&ring), 0);
	assert_int_equal(io_uring_sq_ready(&ring), 0);
	assert_int_equal(io_uring_get_events(&ring), -EBADF);
	/* fd -1 is for ring-less registrations: any other op is refused */
	ret = io_uring_register_eventfd(&ring, 0);
	assert_true(ret == -EBADF || ret == -EINVAL);
	assert_int_equal(io_uring_ring_dontfork(&ring), -EINVAL);
	io_uring_queue_exit(&ring);
}

/* ---- dontfork ---- */

/* Fork; the child reports (exit 0/1) whether addr is mapped in it. */
static int child_sees_mapping(void *addr)
{
	unsigned char vec[1];
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(mincore(addr, pagesz(), vec) == 0 ? 1 : 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void ring_dontfork(void **state)
{
	struct io_uring ring;

	(void) state;
	t_ring(&ring, 4, 0);
	/* control: without dontfork the child inherits the rings */
	assert_int_equal(child_sees_mapping(ring.sq.ring_ptr), 1);
	assert_int_equal(io_uring_ring_dontfork(&ring), 0);
	assert_int_equal(child_sees_mapping(ring.sq.ring_ptr), 0);
	assert_int_equal(child_sees_mapping(ring.sq.sqes), 0);
	/* the parent's ring is untouched */
	nops_roundtrip(&ring, 4, 50);
	io_uring_queue_exit(&ring);
}

/* ---- memory sizes ---- */

/*
 * io_uring_memory_size() is the smallest buffer io_uring_queue_init_mem()
 * accepts: a ring fits in it, and one page less is refused with -ENOMEM.
 */
static void memory_size_is_exact(void **state)
{
	static const unsigned entries[] = { 1, 8, 64, 256, 1024, 4096 };
	static const unsigned flags[] = { 0, IORING_SETUP_SQE128,
					  IORING_SETUP_CQE32 };
	size_t pg = pagesz();
	unsigned i, j;

	(void) state;
	for (i = 0; i < sizeof(entries) / sizeof(entries[0]); i++) {
		for (j = 0; j < sizeof(flags) / sizeof(flags[0]); j++) {
			struct io_uring_params p;
			struct io_uring ring;
			ssize_t need = io_uring_memory_size(entries[i], flags[j]);
			char *buf;
			int used;

			assert_true(need > 0);
			buf = map_anon((size_t) need);
			memset(&p, 0, sizeof(p));
			p.flags = flags[j];
			used = io_uring_queue_init_mem(entries[i], &ring, &p, buf,
						       (size_t) need);
			if (used == -EINVAL) {
				munmap(buf, (size_t) need);
				T_SKIP("kernel lacks IORING_SETUP_NO_MMAP");
			}
			assert_true(used > 0);
			assert_true(used <= need);
			nop_roundtrip(&ring);
			io_uring_queue_exit(&ring);

			memset(&p, 0, sizeof(p));
			p.flags = flags[j];
			assert_int_equal(io_uring_queue_init_mem(entries[i], &ring,
					&p, buf, (size_t) need - pg), -ENOMEM);
			munmap(buf, (size_t) need);
		}
	}
}

static void memory_sizes(void **state)
{
	struct io_uring_params p;
	ssize_t m8, m16, m4k;
	unsigned features;
	struct io_uring ring;

	(void) state;
	t_ring(&ring, 1, 0);
	features = ring.features;
	io_uring_queue_exit(&ring);

	m8 = io_uring_memory_size(8, 0);
	m16 = io_uring_memory_size(16, 0);
	m4k = io_uring_memory_size(4096, 0);
	assert_true(m8 > 0);
	assert_int_equal(m8 % (ssize_t) pagesz(), 0);
	assert_true(m16 >= m8);
	/* 4096 SQEs alone are 256 KiB */
	assert_true(m4k >= 4096 * 64 + 8192 * 16);
	assert_true(m4k > m16);
	/* 5 entries round up to 8 */
	assert_int_equal(io_uring_memory_size(5, 0), m8);
	/* bigger SQEs / CQEs need more */
	assert_true(io_uring_memory_size(4096, IORING_SETUP_SQE128) > m4k);
	assert_true(io_uring_memory_size(4096, IORING_SETUP_CQE32) > m4k);

	memset(&p, 0, sizeof(p));
	assert_int_equal(io_uring_memory_size_params(4096, &p), m4k);
	p.flags = IORING_SETUP_CQSIZE;
	p.cq_entries = 65536;
	assert_true(io_uring_memory_size_params(4096, &p) > m4k);

	/* beyond the kernel's maximum: clamped only when asked */
	assert_int_equal(io_uring_memory_size(1U << 20, 0), -EINVAL);
	assert_int_equal(io_uring_memory_size(1U << 20, IORING_SETUP_CLAMP),
			 io_uring_memory_size(32768, 0));

	/* rings are not charged to RLIMIT_MEMLOCK on kernels with native workers */
	if ((features & IORING_FEAT_NATIVE_WORKERS) && t_kernel_older_than(6, 14)) {
		/* 5.12 to 6.13 charge the memory cgroup, not RLIMIT_MEMLOCK */
		assert_int_equal(io_uring_mlock_size(8, 0), 0);
		assert_int_equal(io_uring_mlock_size(4096, 0), 0);
	} else if (features & IORING_FEAT_NATIVE_WORKERS) {
		/* 6.14+: nothing with CAP_IPC_LOCK (root), else the ring's own
		 * pages (mlock_size_is_what_is_charged asks the kernel) */
		ssize_t l8 = io_uring_mlock_size(8, 0);

		assert_true(l8 == 0 || l8 == m8);
		assert_int_equal(io_uring_mlock_size(4096, 0), l8 ? m4k : 0);
	} else {
		assert_true(io_uring_mlock_size(8, 0) > 0);
		assert_true(io_uring_mlock_size(4096, 0) >= io_uring_mlock_size(8, 0));
	}
	memset(&p, 0, sizeof(p));
	assert_int_equal(io_uring_mlock_size_params(8, &p), io_uring_mlock_size(8, 0));
}

/*
 * io_uring_mlock_size() is what the kernel charges to RLIMIT_MEMLOCK.
 * A process without CAP_IPC_LOCK (a fresh uid, so that nothing else of the
 * user is charged) under a limit of io_uring_mlock_size(512) sets a
 * 512-entry ring up, and a 1024-entry ring up exactly when its own
 * io_uring_mlock_size() fits under the limit too.  (Kernels 5.12 to 6.13
 * charge the memory cgroup instead: 0, and both rings set up; from 6.14 on
 * rings are charged to RLIMIT_MEMLOCK again.)  Root, with CAP_IPC_LOCK, is
 * charged nothing: 0, and a big ring sets up under a limit of 0.
 */
static int mlock_size_root_child(void)
{
	struct rlimit lim = { 0, 0 };
	struct io_uring ring;

	T_CHILD_CHECK(!setrlimit(RLIMIT_MEMLOCK, &lim), 20);
	T_CHILD_CHECK(io_uring_mlock_size(4096, 0) == 0, 21);
	T_CHILD_CHECK(io_uring_queue_init(4096, &ring, 0) == 0, 22);
	io_uring_queue_exit(&ring);
	return 0;
}

/*
 * Root in a user namespace of its own has CAP_IPC_LOCK there, not in the
 * initial namespace, where the kernel asks: it is charged (6.14+), and
 * io_uring_mlock_size() says so.
 */
static int mlock_size_userns_child(void)
{
	struct rlimit lim = { 65536, 65536 };
	struct io_uring ring;
	char msg[1024];
	ssize_t need;
	int fd, ret;

	if (setrlimit(RLIMIT_MEMLOCK, &lim) || unshare(CLONE_NEWUSER))
		return 77;
	fd = open("/proc/self/uid_map", O_WRONLY);
	if (fd < 0 || write(fd, "0 0 1", 5) != 5)
		return 77;
	close(fd);
	need = io_uring_mlock_size(1024, 0);
	ret = io_uring_queue_init(1024, &ring, 0);
	fprintf(stderr, "# in a user namespace: mlock_size(1024) %zd, setup %d\n",
		need, ret);
	if (!ret) {
		io_uring_queue_exit(&ring);
		/* not charged (before 6.14): nothing to say */
		T_CHILD_CHECK(need == 0, 30);
		return 0;
	}
	T_CHILD_CHECK(ret == -ENOMEM, 31);
	T_CHILD_CHECK(need > 65536, 32);
	uring_explain(ret, 1024, NULL, msg, sizeof(msg));
	fprintf(stderr, "# %s\n", msg);
	T_CHILD_CHECK(strstr(msg, "locked-memory limit"), 33);
	return 0;
}

static int mlock_size_unprivileged_child(void)
{
	uid_t uid = 50000 + (uid_t) (getpid() % 10000);
	struct io_uring ring;
	struct rlimit lim;
	ssize_t small, big;
	char msg[1024];
	int ret;

	if (setgroups(0, NULL) || setgid(uid) || setuid(uid))
		return 77;
	small = io_uring_mlock_size(512, 0);
	big = io_uring_mlock_size(1024, 0);
	T_CHILD_CHECK(small >= 0 && big >= small, 10);
	fprintf(stderr, "# mlock_size 512: %zd, 1024: %zd\n", small, big);
	lim.rlim_cur = lim.rlim_max = (rlim_t) small;
	T_CHILD_CHECK(!setrlimit(RLIMIT_MEMLOCK, &lim), 11);
	/* the bigger ring first: a refused setup leaves nothing charged */
	ret = io_uring_queue_init(1024, &ring, 0);
	fprintf(stderr, "# 1024 entries under that limit: %d\n", ret);
	if (big <= small) {
		T_CHILD_CHECK(ret == 0, 13);
		io_uring_queue_exit(&ring);
		return 0;
	}
	T_CHILD_CHECK(ret == -ENOMEM, 14);
	/* and the explanation names the limit, not a shortage of memory */
	uring_explain(ret, 1024, NULL, msg, sizeof(msg));
	fprintf(stderr, "# %s\n", msg);
	T_CHILD_CHECK(strstr(msg, "locked-memory limit"), 16);
	ret = io_uring_queue_init(512, &ring, 0);
	T_CHILD_CHECK(ret == 0, 15);
	io_uring_queue_exit(&ring);
	return 0;
}

static void mlock_size_is_what_is_charged(void **state)
{
	int rc;

	(void) state;
	if (getuid() != 0)
		T_SKIP("needs root to run a child under a fresh uid");
	/* learn the features and capabilities (rings of root's) before
	 * dropping privileges: the child's rings alone count against its limit */
	assert_true(io_uring_mlock_size(8, 0) >= 0);
	assert_true(uring_kernel_caps()->available);
	assert_int_equal(t_in_child(mlock_size_root_child), 0);
	rc = t_in_child(mlock_size_userns_child);
	if (rc != 77)
		assert_int_equal(rc, 0);
	rc = t_in_child(mlock_size_unprivileged_child);
	if (rc == 77)
		T_SKIP("cannot switch to a fresh uid here");
	assert_int_equal(rc, 0);
}

static void memory_sizes_invalid(void **state)
{
	struct io_uring_params p;

	(void) state;
	assert_int_equal(io_uring_memory_size(0, 0), -EINVAL);
	assert_int_equal(io_uring_mlock_size(0, 0), -EINVAL);
	memset(&p, 0, sizeof(p));
	assert_int_equal(io_uring_memory_size_params(0, &p), -EINVAL);
	assert_int_equal(io_uring_mlock_size_params(0, &p), -EINVAL);
	p.flags = IORING_SETUP_CQSIZE;
	p.cq_entries = 0;
	assert_int_equal(io_uring_memory_size_params(8, &p), -EINVAL);
	assert_int_equal(io_uring_mlock_size_params(8, &p), -EINVAL);
	/* a CQ smaller than the SQ */
	p.cq_entries = 2;
	assert_int_equal(io_uring_memory_size_params(8, &p), -EINVAL);
	assert_int_equal(io_uring_memory_size_params(8, NULL), -EINVAL);
	assert_int_equal(io_uring_mlock_size_params(8, NULL), -EINVAL);
}

/* ---- raw system calls ---- */

static void raw_syscalls_ok(void **state)
{
	struct io_uring_params p;
	struct io_uring ring;
	struct io_uring_probe *probe;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	unsigned tail;
	int fd;

	(void) state;
	memset(&p, 0, sizeof(p));
	fd = io_uring_setup(4, &p);
	assert_true(fd >= 0);
	assert_int_equal(p.sq_entries, 4);
	assert_int_equal(io_uring_queue_mmap(fd, &p, &ring), 0);

	/* one NOP by hand: fill the SQE, move the tail, enter */
	sqe = io_uring_get_sqe(&ring);
	assert_non_null(sqe);
	io_uring_prep_nop(sqe);
	sqe->user_data = 77;
	tail = *ring.sq.ktail;
	io_uring_smp_store_release(ring.sq.ktail, tail + 1);
	ring.sq.sqe_head = ring.sq.sqe_tail;
	assert_int_equal(io_uring_enter(fd, 1, 1, IORING_ENTER_GETEVENTS, NULL), 1);
	assert_int_equal(io_uring_cq_ready(&ring), 1);
	assert_int_equal(io_uring_peek_cqe(&ring, &cqe), 0);
	assert_int_equal(cqe->user_data, 77);
	io_uring_cqe_seen(&ring, cqe);

	/* enter2 with a plain sigset argument */
	assert_int_equal(io_uring_enter2(fd, 0, 0, IORING_ENTER_GETEVENTS, NULL,
					 _NSIG / 8), 0);

	probe = calloc(1, sizeof(*probe) + 256 * sizeof(struct io_uring_probe_op));
	assert_non_null(probe);
	assert_int_equal(io_uring_register(fd, IORING_REGISTER_PROBE, probe, 256), 0);
	assert_true(probe->last_op >= IORING_OP_READ);
	free(probe);
	io_uring_queue_exit(&ring);
}

static void raw_syscalls_errno(void **state)
{
	struct io_uring_params p;
	int pfd[2], fd;

	(void) state;
	memset(&p, 0, sizeof(p));
	errno = SENTINEL_ERRNO;
	assert_int_equal(io_uring_setup(0, &p), -EINVAL);
	assert_int_equal(errno, SENTINEL_ERRNO);

	memset(&p, 0, sizeof(p));
	p.flags = 1U << 31;
	assert_int_equal(io_uring_setup(4, &p), -EINVAL);
	assert_int_equal(errno, SENTINEL_ERRNO);

	assert_int_equal(pipe(pfd), 0);
	close(pfd[1]);
	fd = pfd[1];	/* now closed */
	errno = SENTINEL_ERRNO;
	assert_int_equal(io_uring_enter(fd, 1, 0, 0, NULL), -EBADF);
	assert_int_equal(errno, SENTINEL_ERRNO);
	assert_int_equal(io_uring_enter2(fd, 0, 1, IORING_ENTER_GETEVENTS, NULL,
					 _NSIG / 8), -EBADF);
	assert_int_equal(errno, SENTINEL_ERRNO);
	assert_int_equal(io_uring_register(fd, IORING_REGISTER_PROBE, NULL, 0),
			 -EBADF);
	assert_int_equal(errno, SENTINEL_ERRNO);

	/* an fd that is not a ring */
	assert_int_equal(io_uring_enter(pfd[0], 0, 0, 0, NULL), -EOPNOTSUPP);
	assert_int_equal(errno, SENTINEL_ERRNO);
	assert_int_equal(io_uring_register(pfd[0], IORING_REGISTER_PROBE, NULL, 0),
			 -EOPNOTSUPP);
	assert_int_equal(errno, SENTINEL_ERRNO);
	close(pfd[0]);

	/* a ring, an opcode it does not know */
	memset(&p, 0, sizeof(p));
	fd = io_uring_setup(2, &p);
	assert_true(fd >= 0);
	errno = SENTINEL_ERRNO;
	assert_int_equal(io_uring_register(fd, 9999, NULL, 0), -EINVAL);
	assert_int_equal(errno, SENTINEL_ERRNO);
	assert_int_equal(io_uring_enter(fd, 0, 0, 1U << 30, NULL), -EINVAL);
	assert_int_equal(errno, SENTINEL_ERRNO);
	close(fd);
}

/* ---- setup flags ---- */

static void flag_sqe128(void **state)
{
	struct io_uring_params p;
	struct io_uring ring;
	struct io_uring_sqe *a, *b;
	unsigned i;
	__u64 ud;

	(void) state;
	/* a plain ring has no 128-byte SQEs */
	t_ring(&ring, 4, 0);
	assert_null(io_uring_get_sqe128(&ring));
	io_uring_queue_exit(&ring);

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SQE128;
	init_or_skip(8, &ring, &p, "SQE128");
	a = io_uring_get_sqe128(&ring);
	b = io_uring_get_sqe128(&ring);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal((char *) b - (char *) a, 128);
	io_uring_prep_nop(a);
	a->user_data = 1;
	io_uring_prep_nop(b);
	b->user_data = 2;
	assert_int_equal(io_uring_submit(&ring), 2);
	assert_int_equal(t_wait_bounded(&ring, NULL, &ud), 0);
	assert_int_equal(ud, 1);
	assert_int_equal(t_wait_bounded(&ring, NULL, &ud), 0);
	assert_int_equal(ud, 2);
	/* every slot, twice round the ring */
	for (i = 0; i < 2; i++)
		nops_roundtrip(&ring, 8, 10 + 8 * i);

	if (t_op_supported(IORING_OP_NOP128)) {
		a = io_uring_get_sqe128(&ring);
		io_uring_prep_nop128(a);
		a->user_data = 128;
		assert_int_equal(io_uring_submit(&ring), 1);
		assert_int_equal(t_wait_bounded(&ring, NULL, &ud), 0);
		assert_int_equal(ud, 128);
	} else {
		print_message("# kernel lacks IORING_OP_NOP128: nop128 not run\n");
	}
	io_uring_queue_exit(&ring);
}

static void flag_cqe32(void **state)
{
	struct io_uring_cqe *cqes[8];
	struct io_uring_params p;
	struct io_uring ring;
	unsigned i;

	(void) state;
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_CQE32;
	init_or_skip(4, &ring, &p, "CQE32");
	for (i = 0; i < 4; i++)
		nops_roundtrip(&ring, 4, 4 * i);	/* wraps the CQ ring */
	/* batch peek walks 32-byte CQEs */
	for (i = 0; i < 4; i++) {
		struct io_uring_sqe *sqe = t_sqe(&ring);

		io_uring_prep_nop(sqe);
		sqe->user_data = 500 + i;
	}
	assert_int_equal(io_uring_submit_and_wait(&ring, 4), 4);
	assert_int_equal(io_uring_peek_batch_cqe(&ring, cqes, 8), 4);
	for (i = 0; i < 4; i++)
		assert_int_equal(cqes[i]->user_data, 500 + i);
	/* stride is 32 bytes, except where the ring wraps */
	assert_int_equal((char *) cqes[1] - (char *) cqes[0], 32);
	io_uring_cq_advance(&ring, 4);
	io_uring_queue_exit(&ring);
}

static void flag_no_sqarray(void **state)
{
	struct io_uring_params p;
	struct io_uring ring;
	unsigned i;

	(void) state;
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_NO_SQARRAY;
	init_or_skip(4, &ring, &p, "NO_SQARRAY");
	assert_null(ring.sq.array);
	for (i = 0; i < 6; i++)
		nops_roundtrip(&ring, 3, 3 * i);	/* odd batches wrap */
	io_uring_queue_exit(&ring);
}

static void flag_cqsize(void **state)
{
	struct io_uring_params p;
	struct io_uring ring;

	(void) state;
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_CQSIZE;
	p.cq_entries = 100;
	assert_int_equal(io_uring_queue_init_params(4, &ring, &p), 0);
	assert_int_equal(p.sq_entries, 4);
	assert_int_equal(p.cq_entries, 128);
	assert_int_equal(ring.cq.ring_entries, 128);
	nops_roundtrip(&ring, 4, 0);
	io_uring_queue_exit(&ring);

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_CQSIZE;
	p.cq_entries = 0;
	assert_int_equal(io_uring_queue_init_params(4, &ring, &p), -EINVAL);
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_CQSIZE;
	p.cq_entries = 2;	/* smaller than the SQ */
	assert_int_equal(io_uring_queue_init_params(8, &ring, &p), -EINVAL);
}

static void flag_clamp(void **state)
{
	struct io_uring_params p;
	struct io_uring ring;

	(void) state;
	memset(&p, 0, sizeof(p));
	assert_int_equal(io_uring_queue_init_params(100000, &ring, &p), -EINVAL);

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_CLAMP;
	assert_int_equal(io_uring_queue_init_params(100000, &ring, &p), 0);
	assert_int_equal(p.sq_entries, 32768);
	assert_int_equal(p.cq_entries, 65536);
	assert_int_equal(ring.sq.ring_entries, 32768);
	nop_roundtrip(&ring);
	io_uring_queue_exit(&ring);

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_CQSIZE;
	p.cq_entries = 1U << 20;
	assert_int_equal(io_uring_queue_init_params(8, &ring, &p), -EINVAL);
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP;
	p.cq_entries = 1U << 20;
	assert_int_equal(io_uring_queue_init_params(8, &ring, &p), 0);
	assert_int_equal(p.cq_entries, 65536);
	nop_roundtrip(&ring);
	io_uring_queue_exit(&ring);
}

/* Wait (at most 5 s: a loaded machine may not run it for a while) until
 * the SQPOLL thread has gone to sleep. */
static bool sqpoll_went_idle(struct io_uring *ring)
{
	int i;

	for (i = 0; i < 500; i++) {
		if (IO_URING_READ_ONCE(*ring->sq.kflags) & IORING_SQ_NEED_WAKEUP)
			return true;
		usleep(10000);
	}
	return false;
}

static void sqpoll_check(unsigned flags, unsigned cpu)
{
	struct io_uring_params p;
	struct io_uring ring;
	unsigned round;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SQPOLL | flags;
	p.sq_thread_idle = 5;	/* ms */
	p.sq_thread_cpu = cpu;
	init_or_skip(8, &ring, &p, "SQPOLL");
	assert_true(ring.flags & IORING_SETUP_SQPOLL);
	nops_roundtrip(&ring, 8, 0);
	for (round = 0; round < 3; round++) {
		/* the thread sleeps; a submit must wake it */
		assert_true(sqpoll_went_idle(&ring));
		nops_roundtrip(&ring, 2, 100 + 2 * round);
	}
	io_uring_queue_exit(&ring);
}

static void flag_sqpoll(void **state)
{
	(void) state;
	sqpoll_check(0, 0);
}

static void flag_sqpoll_aff(void **state)
{
	struct io_uring_params p;
	struct io_uring ring;

	(void) state;
	sqpoll_check(IORING_SETUP_SQ_AFF, 0);
	/* a CPU that does not exist */
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SQPOLL | IORING_SETUP_SQ_AFF;
	p.sq_thread_cpu = 4095;
	assert_int_equal(io_uring_queue_init_params(4, &ring, &p), -EINVAL);
}

/*
 * IOPOLL: NOPs are allowed, and buffered I/O is refused: a read on a file
 * not opened O_DIRECT completes with -EOPNOTSUPP.
 */
static void flag_iopoll(void **state)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	char buf[64];
	int fd, ret;

	(void) state;
	ret = io_uring_queue_init(4, &ring, IORING_SETUP_IOPOLL);
	if (ret == -EINVAL)
		T_SKIP("kernel rejects IOPOLL");
	assert_int_equal(ret, 0);
	nops_roundtrip(&ring, 4, 0);

	fd = t_make_file(t_path("iopoll"), 4096);
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, fd, buf, sizeof(buf), 0);
	sqe->user_data = 9;
	assert_int_equal(io_uring_submit(&ring), 1);
	assert_int_equal(t_wait_bounded(&ring, NULL, NULL), -EOPNOTSUPP);
	close(fd);
	io_uring_queue_exit(&ring);
}

struct other_thread {
	struct io_uring *ring;
	int ret;
};

static void *submit_from_other_thread(void *arg)
{
	struct other_thread *ot = (struct other_thread *) arg;
	struct io_uring_sqe *sqe = io_uring_get_sqe(ot->ring);

	io_uring_prep_nop(sqe);
	sqe->user_data = 31;
	ot->ret = io_uring_submit(ot->ring);
	return NULL;
}

static void flag_single_issuer(void **state)
{
	struct io_uring_params p;
	struct io_uring ring;
	struct other_thread ot;
	pthread_t th;
	__u64 ud;

	(void) state;
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SINGLE_ISSUER;
	init_or_skip(4, &ring, &p, "SINGLE_ISSUER");
	nops_roundtrip(&ring, 4, 0);
	/* another task may not submit */
	ot.ring = &ring;
	ot.ret = 1;
	assert_int_equal(pthread_create(&th, NULL, submit_from_other_thread, &ot), 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(ot.ret, -EEXIST);
	/* the SQE it queued is still there for the issuer */
	assert_int_equal(io_uring_submit(&ring), 1);
	assert_int_equal(t_wait_bounded(&ring, NULL, &ud), 0);
	assert_int_equal(ud, 31);
	io_uring_queue_exit(&ring);
}

/* Arm a POLLIN on pfd[0], then make it readable. */
static void poll_then_write(struct io_uring *ring, int pfd[2])
{
	struct io_uring_sqe *sqe;

	assert_int_equal(pipe(pfd), 0);
	sqe = t_sqe(ring);
	io_uring_prep_poll_add(sqe, pfd[0], POLLIN);
	sqe->user_data = 5;
	assert_int_equal(io_uring_submit(ring), 1);
	assert_int_equal(io_uring_cq_ready(ring), 0);
	assert_int_equal(write(pfd[1], "x", 1), 1);
}

static void flag_defer_taskrun(void **state)
{
	struct io_uring_params p;
	struct io_uring ring;
	int pfd[2], i;
	__u64 ud;

	(void) state;
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_DEFER_TASKRUN;
	assert_int_equal(io_uring_queue_init_params(4, &ring, &p), -EINVAL);

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_SINGLE_ISSUER;
	init_or_skip(4, &ring, &p, "DEFER_TASKRUN");
	poll_then_write(&ring, pfd);
	/* the completion waits for us to ask for it */
	for (i = 0; i < 5; i++) {
		usleep(2000);
		assert_int_equal(io_uring_cq_ready(&ring), 0);
	}
	assert_true(t_wait_bounded(&ring, NULL, &ud) & POLLIN);
	assert_int_equal(ud, 5);
	t_close_pair(pfd);
	nops_roundtrip(&ring, 4, 0);
	io_uring_queue_exit(&ring);
}

/*
 * Arm a POLLIN, let another thread make the pipe readable, and spin (no
 * system call) until the CQE or IORING_SQ_TASKRUN shows up.  Returns
 * whether the flag was seen with no CQE posted yet.
 */
static bool taskrun_flag_seen(struct io_uring *ring, int pfd[2])
{
	struct io_uring_sqe *sqe;
	struct timespec t0, t;
	struct t_writer w;
	bool seen = false;

	assert_int_equal(pipe(pfd), 0);
	sqe = t_sqe(ring);
	io_uring_prep_poll_add(sqe, pfd[0], POLLIN);
	sqe->user_data = 5;
	assert_int_equal(io_uring_submit(ring), 1);
	t_writer_start(&w, &pfd[1], 1, 1000);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		if (IO_URING_READ_ONCE(*ring->sq.kflags) & IORING_SQ_TASKRUN) {
			seen = io_uring_cq_ready(ring) == 0;
			break;
		}
		if (io_uring_cq_ready(ring))
			break;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < 2);
	t_writer_join(&w);
	return seen;
}

/* Peek must run the pending task work and hand out the poll's CQE. */
static void peek_poll_cqe(struct io_uring *ring, int pfd[2])
{
	struct io_uring_cqe *cqe;

	assert_int_equal(io_uring_peek_cqe(ring, &cqe), 0);
	assert_int_equal(cqe->user_data, 5);
	assert_true(cqe->res & POLLIN);
	io_uring_cqe_seen(ring, cqe);
	assert_false(IO_URING_READ_ONCE(*ring->sq.kflags) & IORING_SQ_TASKRUN);
	t_close_pair(pfd);
}

static void flag_coop_taskrun(void **state)
{
	struct io_uring_params p;
	struct io_uring ring;
	int pfd[2], tries;

	(void) state;
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_TASKRUN_FLAG;
	assert_int_equal(io_uring_queue_init_params(4, &ring, &p), -EINVAL);

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_COOP_TASKRUN;
	init_or_skip(4, &ring, &p, "COOP_TASKRUN");
	poll_then_write(&ring, pfd);
	assert_true(t_wait_bounded(&ring, NULL, NULL) & POLLIN);
	t_close_pair(pfd);
	io_uring_queue_exit(&ring);

	/*
	 * COOP_TASKRUN|TASKRUN_FLAG: the kernel flags pending task work; any
	 * return to user mode (a timer tick) may run it before we look, so
	 * try a few times to catch the flag up, then peek must flush it.
	 */
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG;
	init_or_skip(4, &ring, &p, "COOP_TASKRUN|TASKRUN_FLAG");
	for (tries = 0; tries < 5; tries++) {
		bool seen = taskrun_flag_seen(&ring, pfd);

		peek_poll_cqe(&ring, pfd);
		if (seen)
			break;
	}
	if (tries == 5)
		print_message("# IORING_SQ_TASKRUN never caught before the tick ran the work\n");
	io_uring_queue_exit(&ring);
}

/*
 * DEFER_TASKRUN|TASKRUN_FLAG: the work waits for us, flagged; peek (no
 * wait asked for) must see the flag and enter the kernel to run it.
 */
static void flag_defer_taskrun_flag(void **state)
{
	struct io_uring_params p;
	struct io_uring ring;
	int pfd[2];

	(void) state;
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_SINGLE_ISSUER |
		  IORING_SETUP_TASKRUN_FLAG;
	init_or_skip(4, &ring, &p, "DEFER_TASKRUN|TASKRUN_FLAG");
	poll_then_write(&ring, pfd);
	usleep(2000);
	assert_int_equal(io_uring_cq_ready(&ring), 0);
	assert_true(IO_URING_READ_ONCE(*ring.sq.kflags) & IORING_SQ_TASKRUN);
	peek_poll_cqe(&ring, pfd);
	io_uring_queue_exit(&ring);
}

/* NOP, an SQE with an unknown opcode, NOP. */
static void queue_bad_batch(struct io_uring *ring)
{
	struct io_uring_sqe *sqe;
	unsigned i;

	for (i = 0; i < 3; i++) {
		sqe = t_sqe(ring);
		io_uring_prep_nop(sqe);
		sqe->user_data = i;
		if (i == 1)
			sqe->opcode = 0xfe;
	}
}

/* Reap 3 CQEs: user_data 0 and 2 succeed, 1 fails with -EINVAL. */
static void reap_bad_batch(struct io_uring *ring)
{
	unsigned seen = 0, i;
	__u64 ud;
	int res;

	for (i = 0; i < 3; i++) {
		res = t_wait_bounded(ring, NULL, &ud);
		assert_true(ud < 3);
		assert_int_equal(res, ud == 1 ? -EINVAL : 0);
		seen |= 1U << ud;
	}
	assert_int_equal(seen, 7);
}

static void flag_submit_all(void **state)
{
	struct io_uring_params p;
	struct io_uring ring;

	(void) state;
	/* default: submission stops after the failing SQE */
	t_ring(&ring, 4, 0);
	queue_bad_batch(&ring);
	assert_int_equal(io_uring_submit(&ring), 2);
	assert_int_equal(io_uring_sq_ready(&ring), 1);
	assert_int_equal(io_uring_submit(&ring), 1);
	reap_bad_batch(&ring);
	io_uring_queue_exit(&ring);

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SUBMIT_ALL;
	init_or_skip(4, &ring, &p, "SUBMIT_ALL");
	queue_bad_batch(&ring);
	assert_int_equal(io_uring_submit(&ring), 3);
	assert_int_equal(io_uring_sq_ready(&ring), 0);
	reap_bad_batch(&ring);
	io_uring_queue_exit(&ring);
}

static void flag_r_disabled(void **state)
{
	struct io_uring_params p;
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	__u64 ud;

	(void) state;
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_R_DISABLED;
	init_or_skip(4, &ring, &p, "R_DISABLED");
	sqe = t_sqe(&ring);
	io_uring_prep_nop(sqe);
	sqe->user_data = 3;
	assert_int_equal(io_uring_submit(&ring), -EBADFD);
	assert_int_equal(io_uring_cq_ready(&ring), 0);
	assert_int_equal(io_uring_enable_rings(&ring), 0);
	/* the SQE is still queued and goes in now */
	assert_int_equal(io_uring_submit(&ring), 1);
	assert_int_equal(t_wait_bounded(&ring, NULL, &ud), 0);
	assert_int_equal(ud, 3);
	/* enabling twice is refused */
	assert_int_equal(io_uring_enable_rings(&ring), -EBADFD);
	io_uring_queue_exit(&ring);
}

static void flag_attach_wq(void **state)
{
	struct io_uring_params p;
	struct io_uring a, b;
	struct io_uring_sqe *sqe;
	char buf[100];
	int fd, pfd[2], i;

	(void) state;
	t_ring(&a, 4, 0);
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_ATTACH_WQ;
	p.wq_fd = (unsigned) a.ring_fd;
	init_or_skip(4, &b, &p, "ATTACH_WQ");

	/* forced-async reads go through the shared io-wq */
	fd = t_make_file(t_path("attach"), 4096);
	sqe = t_sqe(&b);
	io_uring_prep_read(sqe, fd, buf, sizeof(buf), 100);
	io_uring_sqe_set_flags(sqe, IOSQE_ASYNC);
	assert_int_equal(io_uring_submit(&b), 1);
	assert_int_equal(t_wait_bounded(&b, NULL, NULL), (int) sizeof(buf));
	for (i = 0; i < (int) sizeof(buf); i++)
		assert_int_equal((unsigned char) buf[i], t_pattern(100 + (size_t) i));
	nop_roundtrip(&a);
	io_uring_queue_exit(&b);
	io_uring_queue_exit(&a);
	close(fd);

	/* wq_fd must be a ring */
	assert_int_equal(pipe(pfd), 0);
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_ATTACH_WQ;
	p.wq_fd = (unsigned) pfd[0];
	assert_int_equal(io_uring_queue_init_params(4, &b, &p), -EINVAL);
	t_close_pair(pfd);
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_ATTACH_WQ;
	p.wq_fd = (unsigned) pfd[0];	/* closed */
	assert_int_equal(io_uring_queue_init_params(4, &b, &p), -ENXIO);
}

static void flag_registered_fd_only(void **state)
{
	struct io_uring_params p;
	struct io_uring ring;
	struct io_uring_probe *probe;
	int before;

	(void) state;
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_REGISTERED_FD_ONLY;
	assert_int_equal(io_uring_queue_init_params(4, &ring, &p), -EINVAL);

	before = t_count_fds();
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_REGISTERED_FD_ONLY | IORING_SETUP_NO_MMAP;
	init_or_skip(4, &ring, &p, "REGISTERED_FD_ONLY|NO_MMAP");
	assert_int_equal(ring.ring_fd, -1);
	assert_true(ring.enter_ring_fd >= 0);
	assert_true(ring.int_flags & INT_FLAG_REG_RING);
	/* no fd was installed in the table */
	assert_int_equal(t_count_fds(), before);
	nops_roundtrip(&ring, 4, 0);
	nops_roundtrip(&ring, 4, 4);
	probe = io_uring_get_probe_ring(&ring);
	assert_non_null(probe);
	assert_true(io_uring_opcode_supported(probe, IORING_OP_NOP));
	io_uring_free_probe(probe);
	io_uring_queue_exit(&ring);
}

static int group_setup(void **state)
{
	(void) state;
	t_tmpdir();
	open_fds_at_start = t_count_fds();
	return 0;
}

/* Every ring and file the suite opened was closed again. */
static int group_teardown(void **state)
{
	int now = t_count_fds();

	(void) state;
	if (now != open_fds_at_start) {
		print_message("# fd leak: %d open at start, %d at end\n",
			      open_fds_at_start, now);
		return -1;
	}
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(init_basic),
		cmocka_unit_test(init_params),
		cmocka_unit_test(init_mem),
		cmocka_unit_test(init_mem_too_small),
		cmocka_unit_test(init_no_mmap_lib_mem),
		cmocka_unit_test(queue_mmap_raw),
		cmocka_unit_test(queue_mmap_no_single_mmap),
		cmocka_unit_test(exit_twice_and_use_after),
		cmocka_unit_test(ring_dontfork),
		cmocka_unit_test(memory_size_is_exact),
		cmocka_unit_test(memory_sizes),
		cmocka_unit_test(memory_sizes_invalid),
		cmocka_unit_test(mlock_size_is_what_is_charged),
		cmocka_unit_test(raw_syscalls_ok),
		cmocka_unit_test(raw_syscalls_errno),
		cmocka_unit_test(flag_sqe128),
		cmocka_unit_test(flag_cqe32),
		cmocka_unit_test(flag_no_sqarray),
		cmocka_unit_test(flag_cqsize),
		cmocka_unit_test(flag_clamp),
		cmocka_unit_test(flag_sqpoll),
		cmocka_unit_test(flag_sqpoll_aff),
		cmocka_unit_test(flag_iopoll),
		cmocka_unit_test(flag_single_issuer),
		cmocka_unit_test(flag_defer_taskrun),
		cmocka_unit_test(flag_coop_taskrun),
		cmocka_unit_test(flag_defer_taskrun_flag),
		cmocka_unit_test(flag_submit_all),
		cmocka_unit_test(flag_r_disabled),
		cmocka_unit_test(flag_attach_wq),
		cmocka_unit_test(flag_registered_fd_only),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
