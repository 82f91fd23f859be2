/* SPDX-License-Identifier: MIT */
/*
 * Resizing and caller-less NO_MMAP memory across ring configurations.
 *
 * Each configuration of the table below gets two cases: "resize/NAME"
 * (io_uring_resize_rings() with SQEs queued and CQEs unreaped, up and then
 * down, every SQE of several SQ-ring wraps completing once with its own
 * user_data, no mapping left behind) and "nommap/NAME" (the configuration
 * with IORING_SETUP_NO_MMAP in memory the library allocates: plain pages,
 * io_uring_ring_dontfork() works, the ring works and cannot be resized).
 * A configuration the kernel refuses is reported as skipped with the reason.
 *
 * Then the cases that need a process of their own or the system's huge
 * pages: a resize whose new mapping cannot be made (RLIMIT_AS), small NO_MMAP
 * rings with huge pages configured, and the huge-page path for kernels that
 * refuse plain pages (simulated with a seccomp user-notification filter).
 */
#include "helpers.h"

#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>


/* ---- the configurations ---- */

enum cfg_kind {
	CFG_LIB,	/* io_uring_queue_init_params() (asks for NO_SQARRAY) */
	CFG_REGFD,	/* ...and io_uring_register_ring_fd() */
	CFG_SQARRAY,	/* raw io_uring_setup() + io_uring_queue_mmap(): an SQ array */
};

struct rcfg {
	const char *name;
	unsigned flags;
	enum cfg_kind kind;
};

#define DEFER	(IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_SINGLE_ISSUER)

static const struct rcfg configs[] = {
	{ "default", 0, CFG_LIB },
	{ "cqe32", IORING_SETUP_CQE32, CFG_LIB },
	{ "cqe_mixed", IORING_SETUP_CQE_MIXED, CFG_LIB },
	{ "sqe128", IORING_SETUP_SQE128, CFG_LIB },
	{ "sqpoll", IORING_SETUP_SQPOLL, CFG_LIB },
	{ "iopoll", IORING_SETUP_IOPOLL, CFG_LIB },
	{ "defer_taskrun", DEFER, CFG_LIB },
	{ "coop_taskrun", IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG,
	  CFG_LIB },
	{ "regfd", 0, CFG_REGFD },
	{ "regfd_cqe32", IORING_SETUP_CQE32, CFG_REGFD },
	{ "sqarray", 0, CFG_SQARRAY },
	{ "sqarray_cqe32", IORING_SETUP_CQE32, CFG_SQARRAY },
	{ "sqarray_cqe_mixed", IORING_SETUP_CQE_MIXED, CFG_SQARRAY },
	{ "sqarray_sqe128", IORING_SETUP_SQE128, CFG_SQARRAY },
	{ "sqarray_sqe128_cqe32", IORING_SETUP_SQE128 | IORING_SETUP_CQE32,
	  CFG_SQARRAY },
	{ "sqarray_sqpoll", IORING_SETUP_SQPOLL, CFG_SQARRAY },
	{ "sqarray_iopoll", IORING_SETUP_IOPOLL, CFG_SQARRAY },
	{ "no_mmap", IORING_SETUP_NO_MMAP, CFG_LIB },
	{ "no_mmap_regfd_only", IORING_SETUP_NO_MMAP |
	  IORING_SETUP_REGISTERED_FD_ONLY, CFG_LIB },
};
#define NR_CONFIGS	(sizeof(configs) / sizeof(configs[0]))

/*
 * Set up a ring of configuration c with extra flags, entries SQEs and
 * 2 x entries CQEs.  0, -errno from the library, or 1 when the combination
 * cannot be made this way (*why says why).
 */
static int cfg_ring(const struct rcfg *c, unsigned extra, unsigned entries,
		    struct io_uring *ring, const char **why)
{
	struct io_uring_params p;
	int fd, ret;

	memset(&p, 0, sizeof(p));
	p.flags = c->flags | extra;
	if (c->kind == CFG_SQARRAY) {
		if (p.flags & IORING_SETUP_NO_MMAP) {
			*why = "io_uring_queue_mmap() maps rings; NO_MMAP has none to map";
			return 1;
		}
		fd = io_uring_setup(entries, &p);
		if (fd < 0)
			return fd;
		ret = io_uring_queue_mmap(fd, &p, ring);
		if (ret)
			close(fd);
		return ret;
	}
	ret = io_uring_queue_init_params(entries, ring, &p);
	if (ret)
		return ret;
	if (c->kind == CFG_REGFD) {
		ret = io_uring_register_ring_fd(ring);
		if (ret != 1) {
			io_uring_queue_exit(ring);
			return ret < 0 ? ret : -EPROTO;
		}
	}
	return 0;
}

/* cfg_ring(), failing the test on an unexpected error, skipping on a refusal. */
static void cfg_ring_or_skip(const struct rcfg *c, unsigned extra,
			     unsigned entries, struct io_uring *ring)
{
	const char *why = NULL;
	int ret = cfg_ring(c, extra, entries, ring, &why);

	if (ret == 1)
		T_SKIP("%s: %s", c->name, why);
	if (ret == -EINVAL || ret == -EOPNOTSUPP)
		T_SKIP("%s: the kernel refuses setup flags 0x%x (%s)", c->name,
		       c->flags | extra, strerror(-ret));
	if (ret)
		fail_msg("%s: setup: %s", c->name, strerror(-ret));
}

/* ---- small helpers ---- */

/*
 * Mappings of this process; -1 under valgrind or ASan, whose own mappings
 * come and go behind the program's back.
 */
static int count_maps(void)
{
	FILE *f;
	int n = 0, ch;

#if defined(__SANITIZE_ADDRESS__)
	return -1;
#endif
	if (t_under_valgrind())
		return -1;
	f = fopen("/proc/self/maps", "re");
	assert_non_null(f);
	while ((ch = fgetc(f)) != EOF)
		n += ch == '\n';
	fclose(f);
	return n;
}

/* KernelPageSize (bytes) of the mapping that holds addr, 0 if none. */
static size_t kernel_page_size(const void *addr)
{
	FILE *f = fopen("/proc/self/smaps", "re");
	unsigned long lo, hi, a = (unsigned long) addr;
	bool in = false;
	char line[256];
	size_t kb = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		/* a mapping's header line: "lo-hi perms ..." */
		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2) {
			in = a >= lo && a < hi;
			continue;
		}
		if (in && sscanf(line, "KernelPageSize: %zu kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb * 1024;
}

/* A field of /proc/meminfo ("HugePages_Free"), -1 if absent. */
static long meminfo(const char *key)
{
	FILE *f = fopen("/proc/meminfo", "re");
	size_t klen = strlen(key);
	char line[256];
	long v = -1;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			v = strtol(line + klen + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* Queue n NOPs with user_data base + i (submitting as the SQ fills), reap them in order. */
static void nops(struct io_uring *ring, unsigned n, __u64 base)
{
	unsigned i, queued = 0, reaped = 0;
	__u64 ud;

	for (i = 0; i < n; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

		if (!sqe) {
			int ret = io_uring_submit(ring);

			/* SQPOLL counts what its thread had not taken yet:
			 * it may have taken all by the time the library looks */
			assert_true(ret > 0 || (ret == 0 &&
				    (ring->flags & IORING_SETUP_SQPOLL)));
			for (; reaped < queued; reaped++) {
				assert_int_equal(t_wait_bounded(ring, NULL, &ud), 0);
				assert_int_equal(ud, base + reaped);
			}
			sqe = t_sqe(ring);
		}
		io_uring_prep_nop(sqe);
		io_uring_sqe_set_data64(sqe, base + i);
		queued++;
	}
	assert_true(io_uring_submit(ring) >= 0);
	for (; reaped < queued; reaped++) {
		assert_int_equal(t_wait_bounded(ring, NULL, &ud), 0);
		assert_int_equal(ud, base + reaped);
	}
	assert_int_equal(io_uring_cq_ready(ring), 0);
}

/* A child's rings are all gone when it exits. */
#define in_child(fn)		t_in_child(fn)
#define CHILD_CHECK(cond, code)	T_CHILD_CHECK(cond, code)

static int resize(struct io_uring *ring, unsigned sq, unsigned cq)
{
	struct io_uring_params p;

	memset(&p, 0, sizeof(p));
	p.sq_entries = sq;
	p.cq_entries = cq;
	p.flags = IORING_SETUP_CQSIZE;
	return io_uring_resize_rings(ring, &p);
}

/* ---- resize across the configurations ---- */

static void resize_cfg(void **state)
{
	const struct rcfg *c = (const struct rcfg *) *state;
	struct io_uring ring;
	int maps, ret;
	__u64 ud;

	maps = count_maps();
	if (c->flags & IORING_SETUP_SQPOLL)
		T_SKIP("%s: resizing needs DEFER_TASKRUN, which SQPOLL excludes",
		       c->name);
	cfg_ring_or_skip(c, DEFER, 8, &ring);

	if (ring.flags & IORING_SETUP_NO_MMAP) {
		/* the kernel cannot move rings in caller memory */
		assert_int_equal(resize(&ring, 32, 64), -EINVAL);
		nops(&ring, 20, 1);
		io_uring_queue_exit(&ring);
		return;
	}

	/* two CQEs left unreaped, two SQEs queued and not submitted */
	t_nop(&ring, 1);
	t_nop(&ring, 2);
	assert_int_equal(io_uring_submit(&ring), 2);
	t_nop(&ring, 3);
	t_nop(&ring, 4);
	ret = resize(&ring, 32, 64);
	if (ret == -EINVAL) {
		io_uring_queue_exit(&ring);
		T_SKIP("%s: the kernel refuses to resize it (6.13+, DEFER_TASKRUN, "
		       "not IOPOLL)", c->name);
	}
	assert_int_equal(ret, 0);
	assert_int_equal(ring.sq.ring_entries, 32);
	assert_int_equal(ring.cq.ring_entries, 64);
	/* the two queued SQEs were carried over, not submitted */
	assert_int_equal(io_uring_submit(&ring), 2);
	for (ud = 1; ud <= 4; ud++) {
		__u64 got;

		assert_int_equal(t_wait_bounded(&ring, NULL, &got), 0);
		assert_int_equal(got, ud);
	}
	/* each SQE of three wraps of the new SQ ring read as itself */
	nops(&ring, 3 * 32 + 5, 100);

	/* and down again */
	t_nop(&ring, 7);
	assert_int_equal(resize(&ring, 4, 8), 0);
	assert_int_equal(ring.sq.ring_entries, 4);
	assert_int_equal(ring.cq.ring_entries, 8);
	assert_int_equal(io_uring_submit(&ring), 1);
	assert_int_equal(t_wait_bounded(&ring, NULL, &ud), 0);
	assert_int_equal(ud, 7);
	nops(&ring, 3 * 4 + 1, 500);
	assert_int_equal(io_uring_ring_dontfork(&ring), 0);
	io_uring_queue_exit(&ring);
	/* the old rings and the address space set aside are all given back */
	assert_int_equal(count_maps(), maps);
}

/* ---- NO_MMAP in library memory across the configurations ---- */

static void nommap_cfg(void **state)
{
	const struct rcfg *c = (const struct rcfg *) *state;
	size_t pg = (size_t) sysconf(_SC_PAGESIZE);
	struct io_uring ring;
	int maps;

	maps = count_maps();
	cfg_ring_or_skip(c, IORING_SETUP_NO_MMAP, 8, &ring);
	assert_true(ring.flags & IORING_SETUP_NO_MMAP);
	/* small parts: plain pages, never a huge page */
	assert_int_equal(kernel_page_size(ring.sq.sqes), pg);
	assert_int_equal(kernel_page_size(ring.sq.ring_ptr), pg);
	assert_int_equal(io_uring_ring_dontfork(&ring), 0);
	nops(&ring, 3 * 8 + 3, 1);
	assert_int_equal(resize(&ring, 16, 32), -EINVAL);
	nops(&ring, 9, 100);
	io_uring_queue_exit(&ring);

	/* a ring with parts of many pages works the same, in plain pages
	 * where the kernel takes them (6.13 on): no huge page needed */
	cfg_ring_or_skip(c, IORING_SETUP_NO_MMAP, 2048, &ring);
	if (!t_kernel_older_than(6, 13)) {
		assert_int_equal(kernel_page_size(ring.sq.sqes), pg);
		assert_int_equal(kernel_page_size(ring.sq.ring_ptr), pg);
	}
	assert_int_equal(io_uring_ring_dontfork(&ring), 0);
	nops(&ring, 2048 + 7, 1000);
	io_uring_queue_exit(&ring);
	assert_int_equal(count_maps(), maps);
}

/* ---- a refused resize leaves queued SQEs alone ---- */

/*
 * A resize the kernel refuses (an SQPOLL ring: resizing needs
 * DEFER_TASKRUN) must not submit what the caller queued and has not
 * submitted: on an SQPOLL ring, publishing the SQ tail is submitting.
 * The SQEs stay queued and go in with the caller's io_uring_submit().
 */
static void resize_refused_keeps_queue(void **state)
{
	struct io_uring_params p;
	struct io_uring ring;
	__u64 ud;
	int ret;

	(void) state;
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SQPOLL;
	p.sq_thread_idle = 1000;
	ret = io_uring_queue_init_params(8, &ring, &p);
	if (ret)
		T_SKIP("no SQPOLL ring here: %s", strerror(-ret));
	t_nop(&ring, 1);
	t_nop(&ring, 2);
	ret = resize(&ring, 16, 32);
	assert_true(ret < 0);
	usleep(100 * 1000);
	/* nothing went in behind the caller's back */
	assert_int_equal(io_uring_cq_ready(&ring), 0);
	assert_int_equal(io_uring_sq_ready(&ring), 2);
	assert_int_equal(io_uring_submit(&ring), 2);
	assert_int_equal(t_wait_bounded(&ring, NULL, &ud), 0);
	assert_int_equal(ud, 1);
	assert_int_equal(t_wait_bounded(&ring, NULL, &ud), 0);
	assert_int_equal(ud, 2);
	io_uring_queue_exit(&ring);
}

/* ---- a resize whose new mapping cannot be made ---- */

static int resize_rlimit_as_child(void)
{
	struct io_uring_params p;
	struct rlimit lim;
	struct io_uring ring;
	long vm_kb = 0;
	char line[256];
	FILE *f;
	int ret;

	memset(&p, 0, sizeof(p));
	p.flags = DEFER;
	if (io_uring_queue_init_params(8, &ring, &p))
		return 77;
	if (resize(&ring, 8, 16) == -EINVAL)
		return 77;		/* no resizing in this kernel */
	f = fopen("/proc/self/status", "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmSize: %ld kB", &vm_kb) == 1)
			break;
	if (f)
		fclose(f);
	if (!vm_kb)
		return 77;
	/* room for a few pages more, not for 4096 SQEs (256 KiB) */
	lim.rlim_cur = lim.rlim_max = ((rlim_t) vm_kb + 64) * 1024;
	if (setrlimit(RLIMIT_AS, &lim))
		return 77;

	t_nop(&ring, 1);
	ret = resize(&ring, 4096, 8192);
	if (ret != -ENOMEM)
		return 10;
	/* the ring is untouched and works: the queued SQE goes through */
	if (ring.sq.ring_entries != 8 || ring.cq.ring_entries != 16)
		return 11;
	if (io_uring_submit(&ring) != 1)
		return 12;
	{
		struct io_uring_cqe *cqe;

		if (io_uring_wait_cqe(&ring, &cqe) || cqe->user_data != 1)
			return 13;
		io_uring_cqe_seen(&ring, cqe);
	}
	t_nop(&ring, 2);
	if (io_uring_submit_and_wait(&ring, 1) != 1 || io_uring_cq_ready(&ring) != 1)
		return 14;
	io_uring_cq_advance(&ring, 1);
	io_uring_queue_exit(&ring);
	return 0;
}

static void resize_mmap_fails(void **state)
{
	int rc;

	(void) state;
	if (t_under_valgrind())
		T_SKIP("valgrind's own mappings leave no RLIMIT_AS to play with");
	rc = in_child(resize_rlimit_as_child);
	if (rc == 77)
		T_SKIP("kernel lacks IORING_REGISTER_RESIZE_RINGS (6.13+)");
	assert_int_equal(rc, 0);
}

/* ---- huge pages ---- */

static long hp_restore = -1;

/*
 * The huge page pool is the whole system's, and these tests count its free
 * pages: a second run of them at the same time (another build directory's
 * suite, another checkout) would change the counts and the pool under this
 * one.  Runs of this file take turns, by a lock held until hp_teardown().
 */
static int hp_lock_fd = -1;

static bool write_nr_hugepages(long n)
{
	FILE *f = fopen("/proc/sys/vm/nr_hugepages", "we");
	bool ok;

	if (!f)
		return false;
	ok = fprintf(f, "%ld\n", n) > 0;
	ok = !fclose(f) && ok;
	return ok;
}

/* At least n free huge pages (raising vm.nr_hugepages for this test), or skip. */
static void want_huge_pages(long n)
{
	long total;

	if (hp_lock_fd < 0)
		hp_lock_fd = t_lock_system("hugepages");
	total = meminfo("HugePages_Total");
	if (total < 0 || meminfo("Hugepagesize") <= 0)
		T_SKIP("no huge pages in this kernel");
	if (meminfo("HugePages_Free") >= n)
		return;
	if (!write_nr_hugepages(total + n)) {
		T_SKIP("cannot raise vm.nr_hugepages (needs root)");
	}
	hp_restore = total;
	if (meminfo("HugePages_Free") < n)
		T_SKIP("the kernel could not reserve %ld huge pages", n);
}

/* Give the huge pages back (the kernel frees a ring's pages in the background). */
static int hp_teardown(void **state)
{
	int i;

	(void) state;
	for (i = 0; hp_restore >= 0 && i < 200; i++) {
		write_nr_hugepages(hp_restore);
		if (meminfo("HugePages_Total") <= hp_restore)
			break;
		usleep(10000);
	}
	hp_restore = -1;
	t_unlock_system(hp_lock_fd);
	hp_lock_fd = -1;
	return 0;
}

/*
 * Small NO_MMAP rings of the library's own memory take no huge page, even
 * when there are free ones (an 8-entry ring used to take a whole one), and
 * io_uring_ring_dontfork() works on them.  The same for a ring set up by
 * uring_queue_init_adaptive() (its trials take the same path).
 */
static int small_no_huge_child(void)
{
	long free0 = meminfo("HugePages_Free");
	struct io_uring rings[4], ad;
	struct io_uring_params p;
	unsigned i, kept;
	int ret;

	for (i = 0; i < 4; i++) {
		ret = io_uring_queue_init(8, &rings[i], IORING_SETUP_NO_MMAP);
		if (ret == -EINVAL)
			return 77;
		CHILD_CHECK(ret == 0, 10);
		CHILD_CHECK(io_uring_ring_dontfork(&rings[i]) == 0, 11);
	}
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_NO_MMAP;
	CHILD_CHECK(uring_queue_init_adaptive(8, &ad, &p, 1U << 31 |
			IORING_SETUP_COOP_TASKRUN, &kept) == 0, 12);
	fprintf(stderr, "# huge pages free: %ld before, %ld with five 8-entry rings\n",
		free0, meminfo("HugePages_Free"));
	CHILD_CHECK(meminfo("HugePages_Free") == free0, 13);
	CHILD_CHECK(io_uring_ring_dontfork(&ad) == 0, 14);
	for (i = 0; i < 5; i++) {
		struct io_uring *r = i < 4 ? &rings[i] : &ad;

		t_nop(r, i);
		CHILD_CHECK(io_uring_submit_and_wait(r, 1) == 1, 15);
		io_uring_cq_advance(r, 1);
		io_uring_queue_exit(r);
	}
	return 0;
}

static void nommap_small_no_huge_pages(void **state)
{
	int rc;

	(void) state;
	want_huge_pages(8);
	rc = in_child(small_no_huge_child);
	if (rc == 77)
		T_SKIP("kernel lacks IORING_SETUP_NO_MMAP (6.5+)");
	assert_int_equal(rc, 0);
}

#if defined(T_AUDIT_ARCH) && defined(SECCOMP_USER_NOTIF_FLAG_CONTINUE)
/*
 * A kernel before 6.13 refuses a NO_MMAP part of several plain pages with
 * -EINVAL.  Here a seccomp user-notification filter makes the first
 * io_uring_setup() answer so, and lets the next ones through: the library
 * must then take a huge page (of the system's size) for each part of more
 * than a page, size and unmap it by that size, and dontfork must work.
 */
static int notify_fd = -1;

static void *first_setup_einval(void *arg)
{
	unsigned n = 0;

	(void) arg;
	for (;;) {
		struct seccomp_notif req;
		struct seccomp_notif_resp resp;

		memset(&req, 0, sizeof(req));
		if (ioctl(notify_fd, SECCOMP_IOCTL_NOTIF_RECV, &req))
			return NULL;
		memset(&resp, 0, sizeof(resp));
		resp.id = req.id;
		if (n++ == 0)
			resp.error = -EINVAL;
		else
			resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		ioctl(notify_fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
	}
}

static int huge_retry_child(void)
{
	size_t hps = (size_t) meminfo("Hugepagesize") * 1024;
	struct io_uring ring;
	long free0 = meminfo("HugePages_Free");
	void *sqes, *rings;
	pthread_t th;
	int ret;

	notify_fd = t_seccomp_syscall(__NR_io_uring_setup, SECCOMP_RET_USER_NOTIF,
				      SECCOMP_FILTER_FLAG_NEW_LISTENER);
	if (notify_fd < 0)
		return 77;
	if (pthread_create(&th, NULL, first_setup_einval, NULL))
		return 77;

	/* 2048 SQEs (128 KiB) and 4096 CQEs (64 KiB): two parts of many pages */
	ret = io_uring_queue_init(2048, &ring, IORING_SETUP_NO_MMAP);
	if (ret)
		return 20;
	if (ring.sq.sqes_sz != hps || ring.sq.ring_sz != hps)
		return 21;
	if (kernel_page_size(ring.sq.sqes) != hps ||
	    kernel_page_size(ring.sq.ring_ptr) != hps)
		return 22;
	if (meminfo("HugePages_Free") != free0 - 2)
		return 23;
	if (io_uring_ring_dontfork(&ring))
		return 24;
	t_nop(&ring, 5);
	if (io_uring_submit_and_wait(&ring, 1) != 1)
		return 25;
	io_uring_cq_advance(&ring, 1);
	sqes = ring.sq.sqes;
	rings = ring.sq.ring_ptr;
	io_uring_queue_exit(&ring);
	/* both huge mappings gone, the pages given back (once the kernel has
	 * let go of the ring, which it does in the background) */
	if (kernel_page_size(sqes) == hps || kernel_page_size(rings) == hps)
		return 26;
	for (ret = 0; ret < 1000 && meminfo("HugePages_Free") != free0; ret++)
		usleep(10000);
	if (meminfo("HugePages_Free") != free0) {
		fprintf(stderr, "# huge pages free %ld (was %ld)\n",
			meminfo("HugePages_Free"), free0);
		return 27;
	}
	return 0;
}

static void nommap_huge_retry(void **state)
{
	int rc;

	(void) state;
	if (t_under_valgrind())
		T_SKIP("valgrind does not run seccomp user notifications");
	want_huge_pages(2);
	rc = in_child(huge_retry_child);
	if (rc == 77)
		T_SKIP("cannot install a seccomp user-notification filter here");
	if (rc == 20)
		T_SKIP("kernel lacks IORING_SETUP_NO_MMAP (6.5+)");
	assert_int_equal(rc, 0);
}
#else
static void nommap_huge_retry(void **state)
{
	(void) state;
	T_SKIP("no seccomp user notifications on this architecture or header");
}
#endif

/* ---- io_uring_queue_init_mem() without a buffer ---- */

/* As liburing: buf NULL makes the library allocate, and the size is returned. */
static void init_mem_null_buf(void **state)
{
	struct io_uring_params p;
	struct io_uring ring;
	ssize_t need;
	int maps, used;

	(void) state;
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_NO_MMAP;
	need = io_uring_memory_size_params(8, &p);
	assert_true(need > 0);
	used = io_uring_queue_init(8, &ring, IORING_SETUP_NO_MMAP);
	if (used == -EINVAL)
		T_SKIP("kernel lacks IORING_SETUP_NO_MMAP (6.5+)");
	assert_int_equal(used, 0);
	io_uring_queue_exit(&ring);

	maps = count_maps();
	memset(&p, 0, sizeof(p));
	used = io_uring_queue_init_mem(8, &ring, &p, NULL, 0);
	assert_int_equal(used, need);
	assert_true(ring.flags & IORING_SETUP_NO_MMAP);
	assert_int_equal(io_uring_ring_dontfork(&ring), 0);
	nops(&ring, 20, 1);
	io_uring_queue_exit(&ring);
	assert_int_equal(count_maps(), maps);
}

int main(void)
{
	struct CMUnitTest tests[2 * NR_CONFIGS + 5];
	static char names[2 * NR_CONFIGS][48];
	size_t i, n = 0;

	for (i = 0; i < NR_CONFIGS; i++) {
		snprintf(names[n], sizeof(names[n]), "resize/%s", configs[i].name);
		tests[n] = (struct CMUnitTest) {
			names[n], resize_cfg, NULL, NULL, (void *) &configs[i] };
		n++;
	}
	for (i = 0; i < NR_CONFIGS; i++) {
		snprintf(names[n], sizeof(names[n]), "nommap/%s", configs[i].name);
		tests[n] = (struct CMUnitTest) {
			names[n], nommap_cfg, NULL, NULL, (void *) &configs[i] };
		n++;
	}
	tests[n++] = (struct CMUnitTest) cmocka_unit_test(resize_mmap_fails);
	tests[n++] = (struct CMUnitTest) cmocka_unit_test(resize_refused_keeps_queue);
	tests[n++] = (struct CMUnitTest) cmocka_unit_test_teardown(
		nommap_small_no_huge_pages, hp_teardown);
	tests[n++] = (struct CMUnitTest) cmocka_unit_test_teardown(
		nommap_huge_retry, hp_teardown);
	tests[n++] = (struct CMUnitTest) cmocka_unit_test(init_mem_null_buf);
	return _cmocka_run_group_tests("ring_config", tests, n, NULL, NULL);
}
