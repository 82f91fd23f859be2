/* SPDX-License-Identifier: MIT */
/*
 * The other register operations: eventfd, probe, personality,
 * restrictions, io-wq affinity and limits, synchronous cancel and
 * MSG_RING, NAPI, clock, zero-copy receive, BPF filters and queries.
 */
#include "helpers.h"

#include <dirent.h>
#include <linux/filter.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int nop_res(struct io_uring *ring, unsigned sqe_flags)
{
	struct io_uring_sqe *sqe = t_sqe(ring);

	io_uring_prep_nop(sqe);
	sqe->flags |= (__u8) sqe_flags;
	return t_submit_wait(ring, NULL, NULL);
}

/* The eventfd counter, or 0 when it has not been signalled. */
static __u64 efd_count(int efd)
{
	eventfd_t v = 0;

	if (eventfd_read(efd, &v) < 0)
		return 0;
	return v;
}

/* ---- the highest register opcode the kernel knows, from a query ---- */

static int query_opcodes(struct io_uring_query_opcode *op)
{
	struct io_uring_query_hdr hdr;
	int ret;

	memset(op, 0, sizeof(*op));
	memset(&hdr, 0, sizeof(hdr));
	hdr.query_op = IO_URING_QUERY_OPCODES;
	hdr.query_data = (__u64) (uintptr_t) op;
	hdr.size = sizeof(*op);
	ret = io_uring_register_query(&hdr);
	if (ret)
		return ret;
	return hdr.result;
}

/* Does the kernel know register opcode reg? (-1: cannot tell) */
static int kernel_has_register_op(unsigned reg)
{
	struct io_uring_query_opcode op;

	if (query_opcodes(&op))
		return -1;
	return reg < op.nr_register_opcodes;
}

/* ---- eventfd ---- */

static void misc_eventfd(void **state)
{
	struct io_uring ring;
	int efd;

	(void) state;
	t_ring(&ring, 8, 0);
	efd = t_eventfd();
	assert_int_equal(io_uring_register_eventfd(&ring, efd), 0);
	assert_int_equal(io_uring_register_eventfd(&ring, efd), -EBUSY);
	assert_true(io_uring_cq_eventfd_enabled(&ring));

	assert_int_equal(nop_res(&ring, 0), 0);
	assert_int_equal(efd_count(efd), 1);
	t_nop(&ring, 1);
	t_nop(&ring, 2);
	assert_int_equal(io_uring_submit_and_wait(&ring, 2), 2);
	io_uring_cq_advance(&ring, 2);
	assert_true(efd_count(efd) >= 1);

	/* the CQ ring flag mutes it */
	assert_int_equal(io_uring_cq_eventfd_toggle(&ring, false), 0);
	assert_false(io_uring_cq_eventfd_enabled(&ring));
	assert_int_equal(nop_res(&ring, 0), 0);
	assert_int_equal(efd_count(efd), 0);
	assert_int_equal(io_uring_cq_eventfd_toggle(&ring, true), 0);
	assert_int_equal(nop_res(&ring, 0), 0);
	assert_int_equal(efd_count(efd), 1);

	assert_int_equal(io_uring_unregister_eventfd(&ring), 0);
	assert_int_equal(nop_res(&ring, 0), 0);
	assert_int_equal(efd_count(efd), 0);
	errno = 1234;
	assert_int_equal(io_uring_unregister_eventfd(&ring), -ENXIO);
	assert_int_equal(io_uring_register_eventfd(&ring, -1), -EBADF);
	assert_int_equal(errno, 1234);
	close(efd);
	io_uring_queue_exit(&ring);
}

/* Async eventfd: only completions from io-wq signal it. */
static void misc_eventfd_async(void **state)
{
	struct io_uring ring;
	int efd;

	(void) state;
	t_ring(&ring, 8, 0);
	efd = t_eventfd();
	assert_int_equal(io_uring_register_eventfd_async(&ring, efd), 0);
	assert_int_equal(nop_res(&ring, 0), 0);		/* inline */
	assert_int_equal(efd_count(efd), 0);
	assert_int_equal(nop_res(&ring, IOSQE_ASYNC), 0);	/* io-wq */
	assert_int_equal(efd_count(efd), 1);
	assert_int_equal(io_uring_unregister_eventfd(&ring), 0);
	assert_int_equal(nop_res(&ring, IOSQE_ASYNC), 0);
	assert_int_equal(efd_count(efd), 0);
	close(efd);
	io_uring_queue_exit(&ring);
}

/* ---- probe ---- */

static void misc_probe(void **state)
{
	struct io_uring_probe *p;
	struct io_uring ring;
	size_t len = sizeof(*p) + 256 * sizeof(struct io_uring_probe_op);

	(void) state;
	t_ring(&ring, 4, 0);
	p = calloc(1, len);
	assert_non_null(p);
	assert_int_equal(io_uring_register_probe(&ring, p, 256), 0);
	assert_true(p->last_op >= IORING_OP_READ);
	assert_int_equal(p->ops_len, p->last_op + 1);
	assert_true(p->ops[IORING_OP_NOP].flags & IO_URING_OP_SUPPORTED);
	/* an unfilled probe (nonzero) is refused */
	assert_int_equal(io_uring_register_probe(&ring, p, 256), -EINVAL);
	free(p);
	io_uring_queue_exit(&ring);
}

/* ---- personality ---- */

static int open_as(struct io_uring *ring, const char *path, int personality)
{
	struct io_uring_sqe *sqe = t_sqe(ring);
	int ret;

	io_uring_prep_openat(sqe, AT_FDCWD, path, O_RDONLY, 0);
	sqe->personality = (__u16) personality;
	ret = t_submit_wait(ring, NULL, NULL);
	if (ret >= 0)
		close(ret);
	return ret;
}

static void misc_personality(void **state)
{
	struct io_uring ring;
	const char *path = t_path("root-only");
	int id, ret, ret2;

	(void) state;
	T_REQUIRE_OP(IORING_OP_OPENAT);
	t_ring(&ring, 8, 0);
	id = io_uring_register_personality(&ring);
	assert_true(id > 0);
	{
		struct io_uring_sqe *sqe = t_sqe(&ring);

		io_uring_prep_nop(sqe);
		sqe->personality = (__u16) id;
		assert_int_equal(t_submit_wait(&ring, NULL, NULL), 0);
	}

	if (geteuid() == 0) {
		/* as nobody the file (mode 0600, in a 0700 dir) is out of
		 * reach; with root's personality the same ring opens it */
		close(t_make_file(path, 16));
		chmod(path, 0600);
		assert_int_equal(seteuid(65534), 0);
		ret = open_as(&ring, path, 0);
		ret2 = open_as(&ring, path, id);
		assert_int_equal(seteuid(0), 0);
		assert_int_equal(ret, -EACCES);
		assert_true(ret2 >= 0);
	} else {
		print_message("# not root: the credential switch is not checked\n");
	}

	assert_int_equal(io_uring_unregister_personality(&ring, id), 0);
	assert_int_equal(io_uring_unregister_personality(&ring, id), -EINVAL);
	{
		struct io_uring_sqe *sqe = t_sqe(&ring);

		io_uring_prep_nop(sqe);
		sqe->personality = (__u16) id;
		assert_int_equal(t_submit_wait(&ring, NULL, NULL), -EINVAL);
	}
	io_uring_queue_exit(&ring);
}

/* ---- restrictions ---- */

static void misc_restrictions(void **state)
{
	struct io_uring_restriction res[5];
	struct io_uring_params p;
	struct io_uring_probe *probe;
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	char buf[8];
	int pfd[2];

	(void) state;
	/* an enabled ring takes no restrictions */
	t_ring(&ring, 4, 0);
	memset(res, 0, sizeof(res));
	res[0].opcode = IORING_RESTRICTION_SQE_OP;
	res[0].sqe_op = IORING_OP_NOP;
	assert_int_equal(io_uring_register_restrictions(&ring, res, 1), -EBADFD);
	assert_int_equal(io_uring_enable_rings(&ring), -EBADFD);
	io_uring_queue_exit(&ring);

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_R_DISABLED;
	assert_int_equal(io_uring_queue_init_params(8, &ring, &p), 0);
	/* nothing runs before the ring is enabled */
	t_nop(&ring, 1);
	assert_int_equal(io_uring_submit(&ring), -EBADFD);

	memset(res, 0, sizeof(res));
	res[0].opcode = IORING_RESTRICTION_SQE_OP;
	res[0].sqe_op = IORING_OP_NOP;
	res[1].opcode = IORING_RESTRICTION_SQE_OP;
	res[1].sqe_op = IORING_OP_READ;
	res[2].opcode = IORING_RESTRICTION_REGISTER_OP;
	res[2].register_op = IORING_REGISTER_PROBE;
	res[3].opcode = IORING_RESTRICTION_SQE_FLAGS_ALLOWED;
	res[3].sqe_flags = IOSQE_IO_LINK;
	assert_int_equal(io_uring_register_restrictions(&ring, res, 4), 0);
	assert_int_equal(io_uring_register_restrictions(&ring, res, 4), -EBUSY);
	assert_int_equal(io_uring_enable_rings(&ring), 0);

	/* the NOP queued while disabled goes now */
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), 0);
	assert_int_equal(nop_res(&ring, 0), 0);
	assert_int_equal(pipe(pfd), 0);
	assert_int_equal(write(pfd[1], "abc", 3), 3);
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, pfd[0], buf, sizeof(buf), 0);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), 3);
	assert_memory_equal(buf, "abc", 3);
	/* not allowed: another opcode, a flag outside the set */
	sqe = t_sqe(&ring);
	io_uring_prep_write(sqe, pfd[1], "x", 1, 0);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), -EACCES);
	assert_int_equal(nop_res(&ring, IOSQE_IO_DRAIN), -EACCES);
	/* an allowed flag */
	sqe = t_sqe(&ring);
	io_uring_prep_nop(sqe);
	sqe->flags |= IOSQE_IO_LINK;
	t_nop(&ring, 3);
	assert_int_equal(io_uring_submit_and_wait(&ring, 2), 2);
	assert_int_equal(t_wait(&ring, NULL, NULL), 0);
	assert_int_equal(t_wait(&ring, NULL, NULL), 0);

	/* register operations: only the probe */
	probe = io_uring_get_probe_ring(&ring);
	assert_non_null(probe);
	io_uring_free_probe(probe);
	assert_int_equal(io_uring_register_files_sparse(&ring, 4), -EACCES);
	assert_int_equal(io_uring_register_personality(&ring), -EACCES);
	assert_true(io_uring_register_restrictions(&ring, res, 1) < 0);
	t_close_pair(pfd);
	io_uring_queue_exit(&ring);
}

/* ---- io-wq: affinity and worker limits, seen on the worker threads ---- */

/* The io-wq worker threads of this process (comm "iou-wrk-*"). */
static int iowq_workers(pid_t *tids, int max)
{
	char path[300], comm[32];
	struct dirent *de;
	DIR *d = opendir("/proc/self/task");
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) && !strncmp(comm, "iou-wrk-", 8)) {
			if (n < max)
				tids[n] = atoi(de->d_name);
			n++;
		}
		fclose(f);
	}
	closedir(d);
	return n;
}

/* Queue nr opens of FIFOs with no writer on io-wq: each one blocks a worker. */
static void block_workers(struct io_uring *ring, const char *tag, int nr)
{
	char name[32];
	int i;

	for (i = 0; i < nr; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
		const char *path;

		snprintf(name, sizeof(name), "fifo-%s-%d", tag, i);
		path = t_path(name);
		unlink(path);
		if (mkfifo(path, 0600))
			_exit(10);
		io_uring_prep_openat(sqe, AT_FDCWD, path, O_RDONLY, 0);
		sqe->flags |= IOSQE_ASYNC;
	}
	if (io_uring_submit(ring) != nr)
		_exit(11);
	usleep(200000);
}

/* A writer for a FIFO whose reader may still be queued: retry for 2 s. */
static int open_writer(const char *path)
{
	int i, fd = -1;

	for (i = 0; i < 2000 && fd < 0; i++) {
		fd = open(path, O_WRONLY | O_NONBLOCK);
		if (fd < 0)
			usleep(1000);
	}
	return fd;
}

/* Release the blocked opens in queue order, and wait for their CQEs. */
static void unblock_workers(struct io_uring *ring, const char *tag, int nr)
{
	char name[32];
	int i, fds[8];

	for (i = 0; i < nr; i++) {
		snprintf(name, sizeof(name), "fifo-%s-%d", tag, i);
		fds[i] = open_writer(t_path(name));
	}
	for (i = 0; i < nr; i++) {
		struct io_uring_cqe *cqe;

		if (io_uring_wait_cqe(ring, &cqe))
			_exit(12);
		if (cqe->res >= 0)
			close(cqe->res);
		io_uring_cqe_seen(ring, cqe);
	}
	for (i = 0; i < nr; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* Run fn in a child (a fresh io-wq); its exit status is the result. */
static int in_child(int (*fn)(void))
{
	int status = 0;
	pid_t pid;

	t_tmpdir();
	pid = fork();
	assert_true(pid >= 0);
	if (!pid)
		_exit(fn());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* 0 if the io-wq workers run only on CPU cpu; 1 if none; 2 if others */
static int iowq_on_cpu(int cpu)
{
	pid_t tids[16];
	int n = iowq_workers(tids, 16), i;

	if (n <= 0)
		return 1;
	for (i = 0; i < n && i < 16; i++) {
		cpu_set_t set;

		CPU_ZERO(&set);
		if (sched_getaffinity(tids[i], sizeof(set), &set))
			return 3;
		if (CPU_COUNT(&set) != 1 || !CPU_ISSET(cpu, &set))
			return 2;
	}
	return 0;
}

static int aff_cpu;

static int child_iowq_aff(void)
{
	struct io_uring ring;
	cpu_set_t set;
	int ret;

	if (io_uring_queue_init(8, &ring, 0))
		return 20;
	CPU_ZERO(&set);
	CPU_SET(aff_cpu, &set);
	if (io_uring_register_iowq_aff(&ring, sizeof(set), &set))
		return 21;
	block_workers(&ring, "aff", 1);
	ret = iowq_on_cpu(aff_cpu);
	unblock_workers(&ring, "aff", 1);
	if (io_uring_unregister_iowq_aff(&ring))
		return 22;
	io_uring_queue_exit(&ring);
	return ret;
}

static void misc_iowq_aff(void **state)
{
	struct io_uring ring;
	cpu_set_t set;
	int ret;

	(void) state;
	T_REQUIRE_OP(IORING_OP_OPENAT);
	assert_int_equal(sched_getaffinity(0, sizeof(set), &set), 0);
	if (CPU_COUNT(&set) < 2)
		T_SKIP("one CPU: an affinity would not show");
	for (aff_cpu = CPU_SETSIZE - 1; !CPU_ISSET(aff_cpu, &set); aff_cpu--)
		;
	ret = in_child(child_iowq_aff);
	if (ret == 1)
		T_SKIP("no io-wq worker thread was seen");
	assert_int_equal(ret, 0);

	t_ring(&ring, 4, 0);
	errno = 5;
	assert_int_equal(io_uring_register_iowq_aff(&ring, 1UL << 31, &set),
			 -EINVAL);
	assert_int_equal(errno, 5);
	assert_int_equal(io_uring_unregister_iowq_aff(&ring), 0);
	io_uring_queue_exit(&ring);
}

/* exit status: the number of workers running 3 blocked opens (bounded work) */
static int child_iowq_max(void)
{
	unsigned vals[2] = { 1, 0 };
	struct io_uring ring;
	pid_t tids[16];
	int n;

	if (io_uring_queue_init(8, &ring, 0))
		return 100;
	if (io_uring_register_iowq_max_workers(&ring, vals))
		return 101;
	block_workers(&ring, "max", 3);
	n = iowq_workers(tids, 16);
	unblock_workers(&ring, "max", 3);
	io_uring_queue_exit(&ring);
	return n;
}

static void misc_iowq_max_workers(void **state)
{
	unsigned vals[2] = { 0, 0 }, old[2];
	struct io_uring ring;
	int n;

	(void) state;
	T_REQUIRE_OP(IORING_OP_OPENAT);
	t_ring(&ring, 4, 0);
	/* zeros read the current limits */
	assert_int_equal(io_uring_register_iowq_max_workers(&ring, vals), 0);
	assert_true(vals[0] > 0 && vals[1] > 0);
	old[0] = vals[0];
	old[1] = vals[1];
	vals[0] = 2;
	vals[1] = 3;
	assert_int_equal(io_uring_register_iowq_max_workers(&ring, vals), 0);
	assert_int_equal(vals[0], old[0]);
	assert_int_equal(vals[1], old[1]);
	vals[0] = vals[1] = 0;
	assert_int_equal(io_uring_register_iowq_max_workers(&ring, vals), 0);
	assert_int_equal(vals[0], 2);
	assert_int_equal(vals[1], 3);
	io_uring_queue_exit(&ring);

	/* the limit is real: one bounded worker for three blocking opens */
	n = in_child(child_iowq_max);
	assert_true(n < 100);
	assert_int_equal(n, 1);
}

/* ---- synchronous cancel ---- */

static void queue_poll(struct io_uring *ring, int fd, __u64 ud)
{
	struct io_uring_sqe *sqe = t_sqe(ring);

	io_uring_prep_poll_add(sqe, fd, POLLIN);
	io_uring_sqe_set_data64(sqe, ud);
	assert_int_equal(io_uring_submit(ring), 1);
}

static void misc_sync_cancel(void **state)
{
	struct io_uring_sync_cancel_reg reg;
	struct io_uring ring;
	__u64 ud;
	int pfd[2];

	(void) state;
	t_ring(&ring, 8, 0);
	assert_int_equal(pipe(pfd), 0);

	/* by user_data, no timeout */
	queue_poll(&ring, pfd[0], 0x1234);
	memset(&reg, 0, sizeof(reg));
	reg.addr = 0x1234;
	reg.timeout.tv_sec = -1;
	reg.timeout.tv_nsec = -1;
	assert_int_equal(io_uring_register_sync_cancel(&ring, &reg), 0);
	assert_int_equal(t_wait(&ring, NULL, &ud), -ECANCELED);
	assert_int_equal(ud, 0x1234);
	/* nothing left to find */
	assert_int_equal(io_uring_register_sync_cancel(&ring, &reg), -ENOENT);

	/* by fd, all of them */
	queue_poll(&ring, pfd[0], 1);
	queue_poll(&ring, pfd[0], 2);
	memset(&reg, 0, sizeof(reg));
	reg.fd = pfd[0];
	reg.flags = IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_ALL;
	reg.timeout.tv_sec = -1;
	reg.timeout.tv_nsec = -1;
	assert_int_equal(io_uring_register_sync_cancel(&ring, &reg), 2);
	assert_int_equal(t_wait(&ring, NULL, NULL), -ECANCELED);
	assert_int_equal(t_wait(&ring, NULL, NULL), -ECANCELED);

	/* a bad flag */
	reg.flags = 1U << 30;
	errno = 3;
	assert_int_equal(io_uring_register_sync_cancel(&ring, &reg), -EINVAL);
	assert_int_equal(errno, 3);
	t_close_pair(pfd);
	io_uring_queue_exit(&ring);
}

/*
 * The timeout: an fsync of dirty data runs on an io-wq worker and cannot
 * be interrupted, so a cancel with a 1 ms timeout gives up with -ETIME.
 */
static void misc_sync_cancel_timeout(void **state)
{
	struct io_uring_sync_cancel_reg reg;
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	long long t0, dt = 0;
	char *buf;
	int fd, i, try, ret = 0;

	(void) state;
	T_REQUIRE_OP(IORING_OP_FSYNC);
	t_ring(&ring, 8, 0);
	buf = malloc(1 << 20);
	assert_non_null(buf);
	memset(buf, 0x5a, 1 << 20);
	fd = open(t_path("dirty"), O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	for (try = 0; try < 3; try++) {
		for (i = 0; i < 32; i++)
			assert_int_equal(pwrite(fd, buf, 1 << 20,
						(off_t) i << 20), 1 << 20);
		sqe = t_sqe(&ring);
		io_uring_prep_fsync(sqe, fd, 0);
		io_uring_sqe_set_data64(sqe, 77);
		assert_int_equal(io_uring_submit(&ring), 1);
		usleep(3000);	/* let a worker pick it up */
		memset(&reg, 0, sizeof(reg));
		reg.addr = 77;
		reg.timeout.tv_nsec = 1000000;
		t0 = now_us();
		ret = io_uring_register_sync_cancel(&ring, &reg);
		dt = now_us() - t0;
		/* the fsync finishes (or was cancelled) either way */
		assert_true(t_wait(&ring, NULL, NULL) <= 0);
		if (ret == -ETIME)
			break;
		assert_true(ret == 0 || ret == -ENOENT);
	}
	close(fd);
	free(buf);
	io_uring_queue_exit(&ring);
	if (ret != -ETIME)
		T_SKIP("the fsync never stayed running long enough (%d)", ret);
	print_message("# sync cancel with 1 ms timeout gave up after %lld us\n",
		      dt);
	assert_true(dt >= 900 && dt < 500000);
}

/* ---- MSG_RING without a source ring ---- */

static void misc_sync_msg(void **state)
{
	struct io_uring_sqe sqe;
	struct io_uring target;
	__u64 ud;
	int ret;

	(void) state;
	T_REQUIRE_OP(IORING_OP_MSG_RING);
	t_ring(&target, 4, 0);
	memset(&sqe, 0, sizeof(sqe));
	io_uring_prep_msg_ring(&sqe, target.ring_fd, 0x55, 0xabc, 0);
	ret = io_uring_register_sync_msg(&sqe);
	if (ret == -EINVAL) {
		io_uring_queue_exit(&target);
		T_SKIP("kernel lacks IORING_REGISTER_SEND_MSG_RING (6.13+)");
	}
	assert_int_equal(ret, 0);
	assert_int_equal(t_wait(&target, NULL, &ud), 0x55);
	assert_int_equal(ud, 0xabc);

	/* a target that is not a ring */
	io_uring_prep_msg_ring(&sqe, 0, 1, 2, 0);
	assert_int_equal(io_uring_register_sync_msg(&sqe), -EBADFD);
	io_uring_prep_msg_ring(&sqe, -1, 1, 2, 0);
	assert_int_equal(io_uring_register_sync_msg(&sqe), -EBADF);
	/* only MSG_RING SQEs */
	io_uring_prep_nop(&sqe);
	assert_int_equal(io_uring_register_sync_msg(&sqe), -EINVAL);
	io_uring_queue_exit(&target);
}

/* ---- NAPI busy polling ---- */

static void misc_napi(void **state)
{
	struct io_uring_napi napi;
	struct io_uring ring;
	int ret;

	(void) state;
	t_ring(&ring, 4, 0);
	memset(&napi, 0, sizeof(napi));
	napi.busy_poll_to = 100;
	napi.prefer_busy_poll = 1;
	ret = io_uring_register_napi(&ring, &napi);
	if (ret == -EINVAL) {
		io_uring_queue_exit(&ring);
		T_SKIP("kernel without NAPI busy poll for io_uring (-EINVAL)");
	}
	assert_int_equal(ret, 0);
	/* the previous settings come back: none */
	assert_int_equal(napi.busy_poll_to, 0);
	assert_int_equal(napi.prefer_busy_poll, 0);

	/* unregistering returns what was in force */
	memset(&napi, 0, sizeof(napi));
	assert_int_equal(io_uring_unregister_napi(&ring, &napi), 0);
	assert_int_equal(napi.busy_poll_to, 100);
	assert_int_equal(napi.prefer_busy_poll, 1);
	memset(&napi, 0, sizeof(napi));
	assert_int_equal(io_uring_unregister_napi(&ring, &napi), 0);
	assert_int_equal(napi.busy_poll_to, 0);
	assert_int_equal(io_uring_unregister_napi(&ring, NULL), 0);

	/* reserved bytes must be zero */
	memset(&napi, 0, sizeof(napi));
	napi.resv = 1ULL << 40;
	assert_int_equal(io_uring_register_napi(&ring, &napi), -EINVAL);
	io_uring_queue_exit(&ring);
}

/* ---- clock for waits ---- */

/* An absolute wait until now(clock) + 50 ms; returns its length in us. */
static long long abs_wait(struct io_uring *ring, clockid_t clock, int *res)
{
	struct io_uring_getevents_arg arg;
	struct __kernel_timespec ts;
	struct timespec now;
	long long t0;

	clock_gettime(clock, &now);
	now.tv_nsec += 50000000;
	if (now.tv_nsec >= 1000000000) {
		now.tv_sec++;
		now.tv_nsec -= 1000000000;
	}
	ts.tv_sec = now.tv_sec;
	ts.tv_nsec = now.tv_nsec;
	memset(&arg, 0, sizeof(arg));
	arg.ts = (__u64) (uintptr_t) &ts;
	t0 = now_us();
	*res = io_uring_enter2((unsigned) ring->ring_fd, 0, 1,
			       IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG |
			       IORING_ENTER_ABS_TIMER, &arg, sizeof(arg));
	return now_us() - t0;
}

static void misc_clock(void **state)
{
	struct io_uring_clock_register clk;
	struct io_uring ring;
	long long dt;
	int ret, res;

	(void) state;
	t_ring(&ring, 4, 0);
	memset(&clk, 0, sizeof(clk));
	clk.clockid = CLOCK_BOOTTIME;
	ret = io_uring_register_clock(&ring, &clk);
	if (ret == -EINVAL) {
		io_uring_queue_exit(&ring);
		T_SKIP("kernel lacks IORING_REGISTER_CLOCK (6.12+)");
	}
	assert_int_equal(ret, 0);
	/* an absolute deadline on the boot clock */
	dt = abs_wait(&ring, CLOCK_BOOTTIME, &res);
	assert_int_equal(res, -ETIME);
	assert_true(dt >= 40000 && dt < 2000000);

	clk.clockid = CLOCK_MONOTONIC;
	assert_int_equal(io_uring_register_clock(&ring, &clk), 0);
	dt = abs_wait(&ring, CLOCK_MONOTONIC, &res);
	assert_int_equal(res, -ETIME);
	assert_true(dt >= 40000 && dt < 2000000);

	clk.clockid = CLOCK_REALTIME;
	assert_int_equal(io_uring_register_clock(&ring, &clk), -EINVAL);
	clk.clockid = 12345;
	assert_int_equal(io_uring_register_clock(&ring, &clk), -EINVAL);
	clk.clockid = CLOCK_BOOTTIME;
	clk.__resv[1] = 1;
	assert_int_equal(io_uring_register_clock(&ring, &clk), -EINVAL);
	io_uring_queue_exit(&ring);
}

/* ---- zero-copy receive ---- */

static void misc_zcrx(void **state)
{
	struct io_uring_zcrx_area_reg area;
	struct io_uring_zcrx_ifq_reg reg;
	struct io_uring_region_desc rd;
	struct zcrx_ctrl ctrl;
	struct io_uring ring;
	void *amem, *rmem;
	int ret, has_ctrl;

	(void) state;
	/* the kernel wants CAP_NET_ADMIN, then DEFER_TASKRUN and big CQEs */
	t_ring(&ring, 8, 0);
	memset(&reg, 0, sizeof(reg));
	ret = io_uring_register_ifq(&ring, &reg);
	io_uring_queue_exit(&ring);
	if (ret == -EPERM && geteuid() != 0)
		T_SKIP("not root: a zero-copy receive queue needs CAP_NET_ADMIN (-EPERM)");
	assert_int_equal(ret, -EINVAL);

	t_ring(&ring, 8, IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN |
			 IORING_SETUP_CQE32);
	amem = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	rmem = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(amem != MAP_FAILED && rmem != MAP_FAILED);
	memset(&area, 0, sizeof(area));
	area.addr = (__u64) (uintptr_t) amem;
	area.len = 1 << 16;
	memset(&rd, 0, sizeof(rd));
	rd.user_addr = (__u64) (uintptr_t) rmem;
	rd.size = 2 * 4096;
	rd.flags = IORING_MEM_REGION_TYPE_USER;
	reg.if_idx = if_nametoindex("lo");
	reg.if_rxq = 0;
	reg.rq_entries = 64;
	reg.area_ptr = (__u64) (uintptr_t) &area;
	reg.region_ptr = (__u64) (uintptr_t) &rd;
	ret = io_uring_register_ifq(&ring, &reg);

	memset(&ctrl, 0, sizeof(ctrl));
	ctrl.zcrx_id = 0;
	ctrl.op = ZCRX_CTRL_FLUSH_RQ;
	has_ctrl = kernel_has_register_op(IORING_REGISTER_ZCRX_CTRL);
	if (ret == 0) {
		/* a capable interface after all: the control op must find it */
		if (has_ctrl == 1)
			assert_int_equal(io_uring_register_zcrx_ctrl(&ring,
								     &ctrl), 0);
		io_uring_queue_exit(&ring);
		munmap(amem, 1 << 16);
		munmap(rmem, 2 * 4096);
		return;
	}
	/* no zcrx queue: nothing to control */
	if (has_ctrl == 1)
		assert_true(io_uring_register_zcrx_ctrl(&ring, &ctrl) < 0);
	else
		assert_int_equal(io_uring_register_zcrx_ctrl(&ring, &ctrl),
				 -EINVAL);
	io_uring_queue_exit(&ring);
	munmap(amem, 1 << 16);
	munmap(rmem, 2 * 4096);
	assert_true(ret == -EOPNOTSUPP || ret == -EINVAL || ret == -ENODEV ||
		    ret == -EPERM);
	T_SKIP("no zero-copy receive queue on lo: register_ifq gives %s%s",
	       strerror(-ret), has_ctrl == 1 ? "" :
	       "; kernel lacks IORING_REGISTER_ZCRX_CTRL (-EINVAL)");
}

/* ---- BPF filters ---- */

/* A filter on opcode op that denies everything (returns 0). */
static void deny_filter(struct io_uring_bpf *bpf, struct sock_filter *prog,
			unsigned op)
{
	struct sock_filter deny = BPF_STMT(BPF_RET | BPF_K, 0);

	*prog = deny;
	memset(bpf, 0, sizeof(*bpf));
	bpf->cmd_type = IO_URING_BPF_CMD_FILTER;
	bpf->filter.opcode = op;
	bpf->filter.filter_len = 1;
	bpf->filter.filter_ptr = (__u64) (uintptr_t) prog;
}

static int child_bpf_task(void)
{
	struct sock_filter prog;
	struct io_uring_bpf bpf;
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	int res;

	deny_filter(&bpf, &prog, IORING_OP_NOP);
	if (io_uring_register_bpf_filter_task(&bpf))
		return 1;
	if (io_uring_queue_init(4, &ring, 0))
		return 2;
	io_uring_prep_nop(io_uring_get_sqe(&ring));
	if (io_uring_submit_and_wait(&ring, 1) != 1 ||
	    io_uring_peek_cqe(&ring, &cqe))
		return 4;
	res = cqe->res;
	io_uring_queue_exit(&ring);
	return res == -EACCES ? 0 : 3;
}

static void misc_bpf_filter(void **state)
{
	struct sock_filter prog;
	struct io_uring_bpf bpf;
	struct io_uring ring;
	int ret;

	(void) state;
	t_ring(&ring, 4, 0);
	deny_filter(&bpf, &prog, IORING_OP_NOP);
	errno = 17;
	ret = io_uring_register_bpf_filter(&ring, &bpf);
	assert_int_equal(errno, 17);
	if (ret == -EINVAL &&
	    kernel_has_register_op(IORING_REGISTER_BPF_FILTER) != 1) {
		io_uring_queue_exit(&ring);
		/* the task form: the kernel refuses it the same way (no ring) */
		assert_int_equal(io_uring_register_bpf_filter_task(&bpf), -EINVAL);
		T_SKIP("kernel lacks IORING_REGISTER_BPF_FILTER (-EINVAL)");
	}
	assert_int_equal(ret, 0);
	/* NOP is denied, other opcodes are not */
	assert_int_equal(nop_res(&ring, 0), -EACCES);
	{
		struct __kernel_timespec ts = { .tv_nsec = 1000000 };
		struct io_uring_sqe *sqe = t_sqe(&ring);

		io_uring_prep_timeout(sqe, &ts, 0, 0);
		assert_int_equal(t_submit_wait(&ring, NULL, NULL), -ETIME);
	}
	io_uring_queue_exit(&ring);
	/* per task: in a child, as it cannot be undone */
	assert_int_equal(in_child(child_bpf_task), 0);
}

/* ---- queries ---- */

static void misc_query(void **state)
{
	struct io_uring_query_opcode op;
	struct io_uring_query_hdr hdr;
	struct io_uring_probe *probe;
	struct io_uring ring;
	int ret;

	(void) state;
	ret = query_opcodes(&op);
	if (ret == -EINVAL)
		T_SKIP("kernel lacks IORING_REGISTER_QUERY (-EINVAL)");
	assert_int_equal(ret, 0);
	probe = io_uring_get_probe();
	assert_non_null(probe);
	assert_int_equal(op.nr_request_opcodes, probe->last_op + 1);
	io_uring_free_probe(probe);
	/* the kernel knows at least the opcode that asked */
	assert_true(op.nr_register_opcodes > IORING_REGISTER_QUERY);
	t_ring(&ring, 4, 0);
	assert_int_equal(op.feature_flags & ring.features, ring.features);
	assert_true(op.ring_setup_flags & IORING_SETUP_DEFER_TASKRUN);
	assert_true(op.enter_flags & IORING_ENTER_GETEVENTS);
	assert_true(op.sqe_flags & IOSQE_FIXED_FILE);
	assert_true(op.nr_query_opcodes >= 1);
	io_uring_queue_exit(&ring);

	/* an unknown query is answered in its header */
	memset(&hdr, 0, sizeof(hdr));
	hdr.query_op = 1000;
	hdr.query_data = (__u64) (uintptr_t) &op;
	hdr.size = sizeof(op);
	assert_int_equal(io_uring_register_query(&hdr), 0);
	assert_true(hdr.result < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(misc_eventfd),
		cmocka_unit_test(misc_eventfd_async),
		cmocka_unit_test(misc_probe),
		cmocka_unit_test(misc_personality),
		cmocka_unit_test(misc_restrictions),
		cmocka_unit_test(misc_iowq_aff),
		cmocka_unit_test(misc_iowq_max_workers),
		cmocka_unit_test(misc_sync_cancel),
		cmocka_unit_test(misc_sync_cancel_timeout),
		cmocka_unit_test(misc_sync_msg),
		cmocka_unit_test(misc_napi),
		cmocka_unit_test(misc_clock),
		cmocka_unit_test(misc_zcrx),
		cmocka_unit_test(misc_bpf_filter),
		cmocka_unit_test(misc_query),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
