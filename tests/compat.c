/* SPDX-License-Identifier: MIT */
/*
 * What Linux 6.1 lacks fails cleanly, and what it has works: on the host
 * kernel with the other suites, and on 6.1 in the guests of vm/run.sh (on a
 * newer kernel, the newer calls may simply succeed).
 *
 * A feature introduced in kernel X.Y is "strict" here when the running
 * kernel is older than X.Y: the call must then fail with a clean error
 * (-EINVAL or -EOPNOTSUPP, no crash, no leaked fd) and the ring must still
 * work afterwards.  Introduction versions are the earliest release carrying
 * the feature; where unsure the lower bound is used (lenient on kernels in
 * between, never wrong on 6.1).
 */
#include "helpers.h"

#include <dirent.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <time.h>

#define KV(a, b)	((a) * 1000 + (b))

static int kernel_version(void)
{
	static int v;
	struct utsname u;
	int maj = 0, min = 0;

	if (!v) {
		if (uname(&u) == 0 && sscanf(u.release, "%d.%d", &maj, &min) == 2)
			v = KV(maj, min);
		else
			v = KV(99, 0);
	}
	return v;
}

static bool older_than(int kv)
{
	return kernel_version() < kv;
}

static int fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static bool clean_error(int ret)
{
	return ret == -EINVAL || ret == -EOPNOTSUPP;
}

/* A NOP goes in with user_data ud and comes back with res 0. */
static void nop_roundtrip(struct io_uring *ring, __u64 ud)
{
	struct io_uring_sqe *sqe = t_sqe(ring);
	__u64 got = 0;

	io_uring_prep_nop(sqe);
	io_uring_sqe_set_data64(sqe, ud);
	assert_int_equal(t_submit_wait(ring, NULL, &got), 0);
	assert_int_equal(got, ud);
}

/* Check the outcome of a call needing kernel kv: strict before kv. */
static void check_gated(const char *what, int ret, int kv)
{
	if (ret >= 0)
		assert_false(older_than(kv));
	else if (older_than(kv) && !clean_error(ret))
		fail_msg("%s on %d.%d: %d (%s), want -EINVAL/-EOPNOTSUPP", what,
			 kernel_version() / 1000, kernel_version() % 1000, ret,
			 strerror(-ret));
	print_message("# %s: %d%s\n", what, ret,
		      ret >= 0 ? "" : older_than(kv) ? " (not in this kernel)" : "");
}

struct flag_case {
	const char *name;
	unsigned flags;
};

/* Every setup flag 6.1 has gives a working ring. */
static void setup_flags_of_6_1_work(void **state)
{
	static const struct flag_case cases[] = {
		{ "none", 0 },
		{ "SQPOLL", IORING_SETUP_SQPOLL },
		{ "CQSIZE", IORING_SETUP_CQSIZE },
		{ "CLAMP", IORING_SETUP_CLAMP },
		{ "SUBMIT_ALL", IORING_SETUP_SUBMIT_ALL },
		{ "COOP_TASKRUN|TASKRUN_FLAG",
		  IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG },
		{ "SINGLE_ISSUER", IORING_SETUP_SINGLE_ISSUER },
		{ "SINGLE_ISSUER|DEFER_TASKRUN",
		  IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN },
		{ "SQE128", IORING_SETUP_SQE128 },
		{ "CQE32", IORING_SETUP_CQE32 },
		{ "SQE128|CQE32", IORING_SETUP_SQE128 | IORING_SETUP_CQE32 },
		{ "R_DISABLED", IORING_SETUP_R_DISABLED },
	};
	size_t i;

	(void) state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct io_uring_params p;
		struct io_uring ring;
		unsigned entries = 8;
		int ret;

		memset(&p, 0, sizeof(p));
		p.flags = cases[i].flags;
		if (p.flags & IORING_SETUP_CQSIZE)
			p.cq_entries = 64;
		if (p.flags & IORING_SETUP_CLAMP)
			entries = 1U << 20;
		ret = io_uring_queue_init_params(entries, &ring, &p);
		if (ret)
			fail_msg("setup %s: %s", cases[i].name, strerror(-ret));
		if (p.flags & IORING_SETUP_CQSIZE)
			assert_int_equal(ring.cq.ring_entries, 64);
		if (p.flags & IORING_SETUP_R_DISABLED)
			assert_int_equal(io_uring_enable_rings(&ring), 0);
		nop_roundtrip(&ring, 100 + i);
		io_uring_queue_exit(&ring);
	}
}

/* Setup flags newer than 6.1: -EINVAL there, no fd or mapping left over. */
static void setup_flags_after_6_1_refused(void **state)
{
	static const struct {
		const char *name;
		unsigned flags;
		int kv;
		bool roundtrip;
	} cases[] = {
		{ "NO_SQARRAY", IORING_SETUP_NO_SQARRAY, KV(6, 6), true },
		{ "NO_MMAP", IORING_SETUP_NO_MMAP, KV(6, 5), true },
		{ "NO_MMAP|REGISTERED_FD_ONLY",
		  IORING_SETUP_NO_MMAP | IORING_SETUP_REGISTERED_FD_ONLY,
		  KV(6, 5), false },
		{ "IOPOLL|HYBRID_IOPOLL",
		  IORING_SETUP_IOPOLL | IORING_SETUP_HYBRID_IOPOLL, KV(6, 13),
		  false },
		{ "CQE_MIXED", IORING_SETUP_CQE_MIXED, KV(6, 18), true },
		{ "SQE_MIXED", IORING_SETUP_SQE_MIXED, KV(6, 18), false },
	};
	int fds = fd_count();
	size_t i;

	(void) state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct io_uring_params p;
		struct io_uring ring;
		int ret;

		memset(&p, 0, sizeof(p));
		p.flags = cases[i].flags;
		ret = io_uring_queue_init_params(8, &ring, &p);
		check_gated(cases[i].name, ret, cases[i].kv);
		if (ret < 0)
			continue;
		if (cases[i].roundtrip)
			nop_roundtrip(&ring, 200 + i);
		io_uring_queue_exit(&ring);
	}
	assert_int_equal(fd_count(), fds);
}

/* io_uring_queue_init_mem() (NO_MMAP into caller memory) on 6.1: -EINVAL. */
static void init_mem_refused(void **state)
{
	static char buf[64 * 1024] __attribute__((aligned(4096)));
	struct io_uring_params p;
	struct io_uring ring;
	int fds = fd_count();
	int ret;

	(void) state;
	memset(&p, 0, sizeof(p));
	ret = io_uring_queue_init_mem(8, &ring, &p, buf, sizeof(buf));
	check_gated("io_uring_queue_init_mem", ret, KV(6, 5));
	if (ret >= 0) {
		nop_roundtrip(&ring, 300);
		io_uring_queue_exit(&ring);
	}
	assert_int_equal(fd_count(), fds);
}

/* Register calls newer than 6.1 fail cleanly and leave the ring working. */
static void register_calls_after_6_1_refused(void **state)
{
	struct io_uring ring;
	struct io_uring_params p;
	struct io_uring_clock_register clk;
	struct io_uring_napi napi;
	struct io_uring_region_desc rd;
	struct io_uring_mem_region_reg mr;
	void *mem;
	int ret;

	(void) state;
	memset(&p, 0, sizeof(p));
	/* DEFER_TASKRUN: what ring resizing needs where it exists */
	p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
	ret = io_uring_queue_init_params(8, &ring, &p);
	assert_int_equal(ret, 0);

	memset(&clk, 0, sizeof(clk));
	clk.clockid = CLOCK_BOOTTIME;
	check_gated("io_uring_register_clock", io_uring_register_clock(&ring, &clk),
		    KV(6, 12));
	nop_roundtrip(&ring, 1);

	memset(&p, 0, sizeof(p));
	p.sq_entries = 16;
	p.cq_entries = 32;
	p.flags = IORING_SETUP_CQSIZE;
	check_gated("io_uring_resize_rings", io_uring_resize_rings(&ring, &p),
		    KV(6, 13));
	nop_roundtrip(&ring, 2);

	memset(&napi, 0, sizeof(napi));
	napi.busy_poll_to = 10;
	ret = io_uring_register_napi(&ring, &napi);
	check_gated("io_uring_register_napi", ret, KV(6, 9));
	if (ret == 0)
		assert_int_equal(io_uring_unregister_napi(&ring, &napi), 0);
	nop_roundtrip(&ring, 3);

	ret = io_uring_set_iowait(&ring, false);
	check_gated("io_uring_set_iowait", ret, KV(6, 15));
	if (ret == 0)
		assert_int_equal(io_uring_set_iowait(&ring, true), 0);
	nop_roundtrip(&ring, 4);

	mem = aligned_alloc(4096, 4096);
	assert_non_null(mem);
	memset(mem, 0, 4096);
	memset(&rd, 0, sizeof(rd));
	rd.user_addr = (__u64) (uintptr_t) mem;
	rd.size = 4096;
	rd.flags = IORING_MEM_REGION_TYPE_USER;
	memset(&mr, 0, sizeof(mr));
	mr.region_uptr = (__u64) (uintptr_t) &rd;
	mr.flags = IORING_MEM_REGION_REG_WAIT_ARG;
	/* newer kernels take a wait region only on a disabled ring: either way */
	check_gated("io_uring_register_region", io_uring_register_region(&ring, &mr),
		    KV(6, 13));
	nop_roundtrip(&ring, 5);

	io_uring_queue_exit(&ring);
	free(mem);
}

/* Minimum-timeout waits need IORING_FEAT_MIN_TIMEOUT (6.12). */
static void min_timeout_waits_refused(void **state)
{
	struct __kernel_timespec ts = { .tv_sec = 0, .tv_nsec = 20000000 };
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	int ret;

	(void) state;
	t_ring(&ring, 8, 0);
	io_uring_prep_nop(t_sqe(&ring));
	ret = io_uring_submit_and_wait_min_timeout(&ring, &cqe, 1, &ts, 1000, NULL);
	if (ret >= 0) {
		assert_true(ring.features & IORING_FEAT_MIN_TIMEOUT);
		io_uring_cqe_seen(&ring, cqe);
	} else {
		check_gated("io_uring_submit_and_wait_min_timeout", ret, KV(6, 12));
		/* the NOP is still queued: a plain submit sends it */
		assert_int_equal(t_submit_wait(&ring, NULL, NULL), 0);
	}
	ret = io_uring_wait_cqes_min_timeout(&ring, &cqe, 1, &ts, 1000, NULL);
	if (ring.features & IORING_FEAT_MIN_TIMEOUT)
		assert_int_equal(ret, -ETIME);
	else
		check_gated("io_uring_wait_cqes_min_timeout", ret, KV(6, 12));
	nop_roundtrip(&ring, 6);
	io_uring_queue_exit(&ring);
}

/* Timed waits (IORING_FEAT_EXT_ARG, 5.11) work on 6.1. */
static void timed_waits_work(void **state)
{
	struct __kernel_timespec ts = { .tv_sec = 0, .tv_nsec = 20000000 };
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	struct io_uring ring;

	(void) state;
	t_ring(&ring, 8, 0);
	assert_true(ring.features & IORING_FEAT_EXT_ARG);
	assert_int_equal(io_uring_wait_cqe_timeout(&ring, &cqe, &ts), -ETIME);
	sqe = t_sqe(&ring);
	io_uring_prep_nop(sqe);
	io_uring_sqe_set_data64(sqe, 7);
	assert_int_equal(io_uring_submit_and_wait_timeout(&ring, &cqe, 1, &ts,
							  NULL), 1);
	assert_int_equal(cqe->res, 0);
	assert_int_equal(cqe->user_data, 7);
	io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);
}

/*
 * A registered ring fd works on 6.1 (5.18); closing the plain fd needs
 * IORING_FEAT_REG_REG_RING (6.3), and register calls must keep using the
 * plain fd until then.
 */
static void registered_ring_fd(void **state)
{
	struct io_uring ring;
	int pipefd[2], ret;

	(void) state;
	t_ring(&ring, 8, 0);
	assert_int_equal(io_uring_register_ring_fd(&ring), 1);
	nop_roundtrip(&ring, 8);
	assert_int_equal(pipe(pipefd), 0);
	assert_int_equal(io_uring_register_files(&ring, pipefd, 2), 0);
	ret = io_uring_close_ring_fd(&ring);
	if (ring.features & IORING_FEAT_REG_REG_RING) {
		assert_int_equal(ret, 1);
	} else {
		assert_int_equal(ret, -EOPNOTSUPP);
		assert_true(ring.ring_fd >= 0);
	}
	nop_roundtrip(&ring, 9);
	assert_int_equal(io_uring_unregister_files(&ring), 0);
	io_uring_queue_exit(&ring);
	close(pipefd[0]);
	close(pipefd[1]);
}

/* Provided-buffer rings (5.19) work; their newer flags and status do not. */
static void buf_rings(void **state)
{
	struct io_uring_buf_ring *br;
	struct io_uring ring;
	uint16_t head = 0xffff;
	int err = 0, ret;

	(void) state;
	t_ring(&ring, 8, 0);
	br = io_uring_setup_buf_ring(&ring, 8, 1, 0, &err);
	if (!br)
		fail_msg("io_uring_setup_buf_ring: %s", strerror(-err));
	ret = io_uring_buf_ring_head(&ring, 1, &head);
	check_gated("io_uring_buf_ring_head", ret, KV(6, 8));
	if (ret == 0)
		assert_int_equal(head, 0);
	assert_int_equal(io_uring_free_buf_ring(&ring, br, 8, 1), 0);

	err = 0;
	br = io_uring_setup_buf_ring(&ring, 8, 2, IOU_PBUF_RING_INC, &err);
	check_gated("io_uring_setup_buf_ring(IOU_PBUF_RING_INC)", br ? 0 : err,
		    KV(6, 12));
	if (br)
		assert_int_equal(io_uring_free_buf_ring(&ring, br, 8, 2), 0);
	nop_roundtrip(&ring, 10);
	io_uring_queue_exit(&ring);
}

/* Opcodes the kernel's probe lacks complete with -EINVAL; the ring goes on. */
static void unknown_opcodes_complete_einval(void **state)
{
	static const int ops[] = {
		IORING_OP_READ_MULTISHOT, IORING_OP_WAITID,
		IORING_OP_FUTEX_WAIT, IORING_OP_FIXED_FD_INSTALL,
		IORING_OP_FTRUNCATE, IORING_OP_BIND, IORING_OP_LISTEN,
		IORING_OP_EPOLL_WAIT, IORING_OP_PIPE, IORING_OP_NOP128,
	};
	struct io_uring_probe *probe;
	struct io_uring ring;
	unsigned tried = 0;
	size_t i;

	(void) state;
	t_ring(&ring, 8, 0);
	probe = io_uring_get_probe_ring(&ring);
	assert_non_null(probe);
	print_message("# probe: last_op %u (this header knows %u)\n",
		      probe->last_op, IORING_OP_LAST - 1);
	if (older_than(KV(6, 2)))
		assert_true(probe->last_op < IORING_OP_READ_MULTISHOT);
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		struct io_uring_sqe *sqe;

		if (io_uring_opcode_supported(probe, ops[i]))
			continue;
		sqe = t_sqe(&ring);
		io_uring_prep_rw(ops[i], sqe, -1, NULL, 0, 0);
		assert_int_equal(t_submit_wait(&ring, NULL, NULL), -EINVAL);
		tried++;
	}
	io_uring_free_probe(probe);
	nop_roundtrip(&ring, 11);
	io_uring_queue_exit(&ring);
	if (!tried)
		T_SKIP("this kernel supports every opcode tried");
}

/* What 6.1 reports, for the log; the 6.1 set must be there. */
static void features_of_6_1(void **state)
{
	const unsigned need = IORING_FEAT_SINGLE_MMAP | IORING_FEAT_NODROP |
		IORING_FEAT_SUBMIT_STABLE | IORING_FEAT_RW_CUR_POS |
		IORING_FEAT_CUR_PERSONALITY | IORING_FEAT_FAST_POLL |
		IORING_FEAT_POLL_32BITS | IORING_FEAT_SQPOLL_NONFIXED |
		IORING_FEAT_EXT_ARG | IORING_FEAT_NATIVE_WORKERS |
		IORING_FEAT_RSRC_TAGS | IORING_FEAT_CQE_SKIP |
		IORING_FEAT_LINKED_FILE;
	struct io_uring ring;

	(void) state;
	t_ring(&ring, 4, 0);
	print_message("# kernel %d.%d features 0x%x\n", kernel_version() / 1000,
		      kernel_version() % 1000, ring.features);
	assert_int_equal(ring.features & need, need);
	if (older_than(KV(6, 3)))
		assert_int_equal(ring.features & ~need, 0);
	/* 5.12 to 6.13 charge no ring memory to RLIMIT_MEMLOCK (6.14+ charge
	 * a process without CAP_IPC_LOCK again: tests/setup.c) */
	if (older_than(KV(6, 14)))
		assert_int_equal(io_uring_mlock_size(8, 0), 0);
	io_uring_queue_exit(&ring);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(features_of_6_1),
		cmocka_unit_test(setup_flags_of_6_1_work),
		cmocka_unit_test(setup_flags_after_6_1_refused),
		cmocka_unit_test(init_mem_refused),
		cmocka_unit_test(register_calls_after_6_1_refused),
		cmocka_unit_test(min_timeout_waits_refused),
		cmocka_unit_test(timed_waits_work),
		cmocka_unit_test(registered_ring_fd),
		cmocka_unit_test(buf_rings),
		cmocka_unit_test(unknown_opcodes_complete_einval),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
