/* SPDX-License-Identifier: MIT */
/*
 * uring-bench: micro-benchmarks of the io_uring fast paths.
 *
 * Written against the liburing API only, so the same source builds against
 * this tree's header and library and against another liburing (Debian's 2.3
 * in bench/compare.sh).  One program, one workload per run:
 *
 *	uring-bench [-n OPS | -t SECONDS] [-c] [-f FILE] WORKLOAD
 *	uring-bench info	which header and which liburing.so this is
 *	uring-bench list	the workloads
 *
 * A run sets the workload up, warms it up, then measures one loop and prints
 * one line of key=value pairs: ops done, CPU time of the whole process
 * (CLOCK_PROCESS_CPUTIME_ID, user + system, every thread), ops per
 * CPU-second, and with -c the system calls the loop made (counted by perf
 * tracepoints, so the count is exact; -1 when tracefs is not available).
 *
 * Only the measured loop runs with callgrind instrumentation on: under
 * `valgrind --tool=callgrind --instr-atstart=no` the total Ir is the
 * user-space instructions of exactly that loop.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dlfcn.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/perf_event.h>

#include <liburing.h>

/* callgrind's client requests; without valgrind's headers, no-ops */
#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#endif
#endif
#ifndef CALLGRIND_START_INSTRUMENTATION
#define CALLGRIND_START_INSTRUMENTATION	do { } while (0)
#define CALLGRIND_STOP_INSTRUMENTATION	do { } while (0)
#define CALLGRIND_TOGGLE_COLLECT	do { } while (0)
#endif

#define RING_ENTRIES	64
#define QD		32
#define BLOCK		4096
#define FILE_SIZE	(32U << 20)

struct ctx {
	struct io_uring ring;
	int fd;			/* read workloads: the data file */
	int efd;		/* poll workload: the eventfd */
	unsigned pages;		/* read workloads: 4 KiB blocks in the file */
	uint64_t rng;
	char *bufs;		/* QD buffers of BLOCK bytes */
	const char *path;	/* -f, or NULL: make a temporary file */
	char tmp[64];
	/* raw floor workload: a ring driven without any library */
	struct raw_ring *raw;
};

struct workload {
	const char *name;
	const char *what;
	int (*setup)(struct ctx *c);
	/* run about n ops, return how many were done */
	unsigned long (*run)(struct ctx *c, unsigned long n);
	void (*teardown)(struct ctx *c);
	unsigned long chunk;	/* ops per timed chunk */
};

static void __attribute__((noreturn)) die(const char *what, int err)
{
	fprintf(stderr, "uring-bench: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

/* The library's io_uring_get_sqe(), inlined into every loop alike. */
static inline __attribute__((always_inline))
struct io_uring_sqe *get_sqe(struct io_uring *ring)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (!sqe)
		die("io_uring_get_sqe", EBUSY);
	return sqe;
}

static void check_res(const struct io_uring_cqe *cqe, int want)
{
	if (cqe->res != want)
		die("unexpected cqe->res", cqe->res < 0 ? cqe->res : EIO);
}

/* ---- plain ring setup ---- */

static int setup_ring(struct ctx *c)
{
	return io_uring_queue_init(RING_ENTRIES, &c->ring, 0);
}

static void teardown_ring(struct ctx *c)
{
	io_uring_queue_exit(&c->ring);
}

/* ---- NOP batches: get_sqe + prep + submit_and_wait, reap with for_each ---- */

static unsigned reap_batch(struct io_uring *ring, unsigned want)
{
	struct io_uring_cqe *cqe;
	unsigned head, seen = 0;

	while (seen < want) {
		unsigned n = 0;

		io_uring_for_each_cqe(ring, head, cqe) {
			check_res(cqe, 0);
			n++;
		}
		io_uring_cq_advance(ring, n);
		seen += n;
		if (seen < want) {
			struct io_uring_cqe *wait;
			int ret = io_uring_wait_cqe(ring, &wait);

			if (ret < 0)
				die("io_uring_wait_cqe", ret);
		}
	}
	return seen;
}

static unsigned long run_nop_batch(struct ctx *c, unsigned long n,
				   unsigned batch)
{
	struct io_uring *ring = &c->ring;
	unsigned long done = 0;

	while (done < n) {
		unsigned i;
		int ret;

		for (i = 0; i < batch; i++) {
			struct io_uring_sqe *sqe = get_sqe(ring);

			io_uring_prep_nop(sqe);
			io_uring_sqe_set_data64(sqe, i);
		}
		ret = io_uring_submit_and_wait(ring, batch);
		if (ret != (int) batch)
			die("io_uring_submit_and_wait", ret < 0 ? ret : EIO);
		done += reap_batch(ring, batch);
	}
	return done;
}

static unsigned long run_nop1(struct ctx *c, unsigned long n)
{
	return run_nop_batch(c, n, 1);
}

static unsigned long run_nop8(struct ctx *c, unsigned long n)
{
	return run_nop_batch(c, n, 8);
}

static unsigned long run_nop32(struct ctx *c, unsigned long n)
{
	return run_nop_batch(c, n, 32);
}

/* ---- one NOP: submit, wait_cqe, cqe_seen ---- */

static unsigned long run_submit_wait(struct ctx *c, unsigned long n)
{
	struct io_uring *ring = &c->ring;
	struct io_uring_cqe *cqe;
	unsigned long done;
	int ret;

	for (done = 0; done < n; done++) {
		io_uring_prep_nop(get_sqe(ring));
		ret = io_uring_submit(ring);
		if (ret != 1)
			die("io_uring_submit", ret < 0 ? ret : EIO);
		ret = io_uring_wait_cqe(ring, &cqe);
		if (ret < 0)
			die("io_uring_wait_cqe", ret);
		check_res(cqe, 0);
		io_uring_cqe_seen(ring, cqe);
	}
	return done;
}

/* ---- 32 NOPs submitted, reaped one by one with peek_cqe + cqe_seen ---- */

static unsigned long run_peek32(struct ctx *c, unsigned long n)
{
	struct io_uring *ring = &c->ring;
	struct io_uring_cqe *cqe;
	unsigned long done = 0;
	unsigned i;
	int ret;

	while (done < n) {
		for (i = 0; i < 32; i++) {
			struct io_uring_sqe *sqe = get_sqe(ring);

			io_uring_prep_nop(sqe);
			io_uring_sqe_set_data64(sqe, i);
		}
		ret = io_uring_submit(ring);
		if (ret != 32)
			die("io_uring_submit", ret < 0 ? ret : EIO);
		for (i = 0; i < 32; i++) {
			ret = io_uring_peek_cqe(ring, &cqe);
			if (ret == -EAGAIN)
				ret = io_uring_wait_cqe(ring, &cqe);
			if (ret < 0)
				die("io_uring_peek_cqe", ret);
			check_res(cqe, 0);
			io_uring_cqe_seen(ring, cqe);
		}
		done += 32;
	}
	return done;
}

/* ---- one NOP: submit, wait_cqe_timeout with a zero timeout, seen ---- */

static unsigned long run_timeout0(struct ctx *c, unsigned long n)
{
	struct io_uring *ring = &c->ring;
	struct __kernel_timespec ts = { 0, 0 };
	struct io_uring_cqe *cqe;
	unsigned long done;
	int ret;

	for (done = 0; done < n; done++) {
		io_uring_prep_nop(get_sqe(ring));
		ret = io_uring_submit(ring);
		if (ret != 1)
			die("io_uring_submit", ret < 0 ? ret : EIO);
		ret = io_uring_wait_cqe_timeout(ring, &cqe, &ts);
		if (ret < 0)
			die("io_uring_wait_cqe_timeout", ret);
		check_res(cqe, 0);
		io_uring_cqe_seen(ring, cqe);
	}
	return done;
}

/* ---- 4 KiB random reads at QD32 from a page-cache-warm file ---- */

static uint64_t rnd(struct ctx *c)
{
	/* xorshift64 */
	c->rng ^= c->rng << 13;
	c->rng ^= c->rng >> 7;
	c->rng ^= c->rng << 17;
	return c->rng;
}

static int make_file(struct ctx *c)
{
	char *buf;
	unsigned off;
	int fd;

	snprintf(c->tmp, sizeof(c->tmp), "/var/tmp/uring-bench.XXXXXX");
	fd = mkstemp(c->tmp);
	if (fd < 0)
		return -errno;
	unlink(c->tmp);
	buf = malloc(1 << 20);
	if (!buf)
		return -ENOMEM;
	memset(buf, 0x5a, 1 << 20);
	for (off = 0; off < FILE_SIZE; off += 1 << 20)
		if (pwrite(fd, buf, 1 << 20, off) != 1 << 20)
			die("pwrite", errno);
	free(buf);
	return fd;
}

/* Read the whole file once so every block is in the page cache. */
static void warm_file(int fd)
{
	char *buf = malloc(1 << 20);
	ssize_t r;
	off_t off = 0;

	if (!buf)
		die("malloc", ENOMEM);
	while ((r = pread(fd, buf, 1 << 20, off)) > 0)
		off += r;
	free(buf);
}

static int setup_read(struct ctx *c)
{
	struct stat st;

	c->fd = c->path ? open(c->path, O_RDONLY) : make_file(c);
	if (c->fd < 0)
		return c->path ? -errno : c->fd;
	if (fstat(c->fd, &st) < 0)
		return -errno;
	c->pages = (unsigned) (st.st_size / BLOCK);
	if (c->pages < QD)
		return -EINVAL;
	warm_file(c->fd);
	c->rng = 0x9e3779b97f4a7c15ULL;
	if (posix_memalign((void **) &c->bufs, BLOCK, QD * BLOCK))
		return -ENOMEM;
	return setup_ring(c);
}

static void queue_read(struct ctx *c, unsigned idx, int fixed)
{
	struct io_uring_sqe *sqe = get_sqe(&c->ring);
	__u64 off = (rnd(c) % c->pages) * BLOCK;
	char *buf = c->bufs + idx * BLOCK;

	if (fixed)
		io_uring_prep_read_fixed(sqe, c->fd, buf, BLOCK, off, (int) idx);
	else
		io_uring_prep_read(sqe, c->fd, buf, BLOCK, off);
	io_uring_sqe_set_data64(sqe, idx);
}

/* QD reads queued (not submitted): run_reads() keeps them in flight. */
static int prime_reads(struct ctx *c, int fixed)
{
	unsigned i;

	for (i = 0; i < QD; i++)
		queue_read(c, i, fixed);
	return 0;
}

static int setup_read_plain(struct ctx *c)
{
	int ret = setup_read(c);

	return ret ? ret : prime_reads(c, 0);
}

static int setup_read_fixed(struct ctx *c)
{
	struct iovec iov[QD];
	int i, ret;

	ret = setup_read(c);
	if (ret)
		return ret;
	for (i = 0; i < QD; i++) {
		iov[i].iov_base = c->bufs + i * BLOCK;
		iov[i].iov_len = BLOCK;
	}
	ret = io_uring_register_buffers(&c->ring, iov, QD);
	return ret ? ret : prime_reads(c, 1);
}

/* Keep QD reads in flight: wait for one, reap all ready, requeue as many. */
static unsigned long run_reads(struct ctx *c, unsigned long n, int fixed)
{
	struct io_uring *ring = &c->ring;
	struct io_uring_cqe *cqe;
	unsigned long done = 0;
	unsigned head;
	int ret;

	while (done < n) {
		unsigned seen = 0;

		ret = io_uring_submit_and_wait(ring, 1);
		if (ret < 0)
			die("io_uring_submit_and_wait", ret);
		io_uring_for_each_cqe(ring, head, cqe) {
			check_res(cqe, BLOCK);
			queue_read(c, (unsigned) cqe->user_data, fixed);
			seen++;
		}
		io_uring_cq_advance(ring, seen);
		done += seen;
	}
	return done;
}

static unsigned long run_read(struct ctx *c, unsigned long n)
{
	return run_reads(c, n, 0);
}

static unsigned long run_read_fixed(struct ctx *c, unsigned long n)
{
	return run_reads(c, n, 1);
}

static void teardown_read(struct ctx *c)
{
	/* QD reads are queued or in flight: let them finish before the
	 * buffers go away */
	io_uring_submit_and_wait(&c->ring, QD);
	io_uring_queue_exit(&c->ring);
	close(c->fd);
	free(c->bufs);
}

/* ---- multishot poll on an eventfd: one write, one CQE ---- */

static void arm_poll(struct ctx *c)
{
	struct io_uring_sqe *sqe = get_sqe(&c->ring);
	int ret;

	io_uring_prep_poll_multishot(sqe, c->efd, POLLIN);
	io_uring_sqe_set_data64(sqe, 1);
	ret = io_uring_submit(&c->ring);
	if (ret != 1)
		die("io_uring_submit", ret < 0 ? ret : EIO);
}

static int setup_poll(struct ctx *c)
{
	int ret = setup_ring(c);

	if (ret)
		return ret;
	c->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (c->efd < 0)
		return -errno;
	arm_poll(c);
	return 0;
}

static unsigned long run_poll(struct ctx *c, unsigned long n)
{
	struct io_uring *ring = &c->ring;
	struct io_uring_cqe *cqe;
	const uint64_t one = 1;
	unsigned long done;
	int ret;

	for (done = 0; done < n; done++) {
		if (write(c->efd, &one, sizeof(one)) != sizeof(one))
			die("eventfd write", errno);
		ret = io_uring_wait_cqe(ring, &cqe);
		if (ret < 0)
			die("io_uring_wait_cqe", ret);
		if (!(cqe->res & POLLIN))
			die("poll result", cqe->res < 0 ? cqe->res : EIO);
		/* the kernel ends a multishot poll now and then: re-arm it */
		if (!(cqe->flags & IORING_CQE_F_MORE)) {
			io_uring_cqe_seen(ring, cqe);
			arm_poll(c);
			continue;
		}
		io_uring_cqe_seen(ring, cqe);
	}
	return done;
}

static void teardown_poll(struct ctx *c)
{
	io_uring_queue_exit(&c->ring);
	close(c->efd);
}

/* ---- SQPOLL: 32 NOPs per submit, no syscall while the thread is awake ---- */

static int setup_sqpoll(struct ctx *c)
{
	struct io_uring_params p;
	cpu_set_t set;
	int cpu;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SQPOLL;
	p.sq_thread_idle = 1000;
	/* put the SQ thread on a CPU this process may not run on, if any */
	if (sched_getaffinity(0, sizeof(set), &set) == 0) {
		for (cpu = 0; cpu < CPU_SETSIZE && cpu < sysconf(_SC_NPROCESSORS_ONLN); cpu++) {
			if (!CPU_ISSET(cpu, &set)) {
				p.flags |= IORING_SETUP_SQ_AFF;
				p.sq_thread_cpu = (unsigned) cpu;
				break;
			}
		}
	}
	return io_uring_queue_init_params(RING_ENTRIES, &c->ring, &p);
}

static unsigned long run_sqpoll(struct ctx *c, unsigned long n)
{
	struct io_uring *ring = &c->ring;
	struct io_uring_cqe *cqe;
	unsigned long done = 0;
	unsigned i;
	int ret;

	while (done < n) {
		/*
		 * Room for 32 SQEs is certain: the last batch completed, so the
		 * thread has committed the head past every batch before it,
		 * and the ring has 64 entries.
		 */
		for (i = 0; i < 32; i++) {
			struct io_uring_sqe *sqe = get_sqe(ring);

			io_uring_prep_nop(sqe);
			io_uring_sqe_set_data64(sqe, i);
		}
		/* counts only what the thread has not consumed yet */
		ret = io_uring_submit(ring);
		if (ret < 0)
			die("io_uring_submit", ret);
		/*
		 * Wait for the SQ thread to complete the batch.  The spin is
		 * left out of the instruction count: how long it takes is the
		 * kernel thread's business, not the library's.
		 */
		CALLGRIND_TOGGLE_COLLECT;
		while (io_uring_cq_ready(ring) < 32)
			;
		CALLGRIND_TOGGLE_COLLECT;
		for (i = 0; i < 32; i++) {
			ret = io_uring_peek_cqe(ring, &cqe);
			if (ret < 0)
				die("io_uring_peek_cqe", ret);
			check_res(cqe, 0);
			io_uring_cqe_seen(ring, cqe);
		}
		done += 32;
	}
	return done;
}

/* ---- ring init + exit ---- */

static int setup_none(struct ctx *c)
{
	(void) c;
	return 0;
}

static void teardown_none(struct ctx *c)
{
	(void) c;
}

static unsigned long run_init_exit(struct ctx *c, unsigned long n)
{
	unsigned long done;
	int ret;

	for (done = 0; done < n; done++) {
		ret = io_uring_queue_init(RING_ENTRIES, &c->ring, 0);
		if (ret < 0)
			die("io_uring_queue_init", ret);
		io_uring_queue_exit(&c->ring);
	}
	return done;
}

/* ---- the floor: 32 NOPs per io_uring_enter() with no library at all ---- */

struct raw_ring {
	int fd;
	unsigned *sq_tail, *sq_mask, *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
	unsigned tail;
	void *rings;
	size_t rings_sz, sqes_sz;
};

static int setup_raw(struct ctx *c)
{
	struct io_uring_params p;
	struct raw_ring *r = calloc(1, sizeof(*r));
	unsigned *array, i;
	char *ptr;

	if (!r)
		return -ENOMEM;
	memset(&p, 0, sizeof(p));
	r->fd = (int) syscall(__NR_io_uring_setup, RING_ENTRIES, &p);
	if (r->fd < 0)
		return -errno;
	if (!(p.features & IORING_FEAT_SINGLE_MMAP))
		return -EOPNOTSUPP;
	r->rings_sz = p.sq_off.array + p.sq_entries * sizeof(unsigned);
	if (p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe) > r->rings_sz)
		r->rings_sz = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	ptr = mmap(NULL, r->rings_sz, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQ_RING);
	if (ptr == MAP_FAILED)
		return -errno;
	r->rings = ptr;
	r->sqes_sz = p.sq_entries * sizeof(struct io_uring_sqe);
	r->sqes = mmap(NULL, r->sqes_sz, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
	if (r->sqes == MAP_FAILED)
		return -errno;
	r->sq_tail = (unsigned *) (ptr + p.sq_off.tail);
	r->sq_mask = (unsigned *) (ptr + p.sq_off.ring_mask);
	array = (unsigned *) (ptr + p.sq_off.array);
	for (i = 0; i < p.sq_entries; i++)
		array[i] = i;
	r->cq_head = (unsigned *) (ptr + p.cq_off.head);
	r->cq_tail = (unsigned *) (ptr + p.cq_off.tail);
	r->cq_mask = (unsigned *) (ptr + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *) (ptr + p.cq_off.cqes);
	r->tail = *r->sq_tail;
	c->raw = r;
	return 0;
}

static unsigned long run_raw(struct ctx *c, unsigned long n)
{
	struct raw_ring *r = c->raw;
	unsigned sq_mask = *r->sq_mask, cq_mask = *r->cq_mask;
	unsigned long done = 0;
	unsigned i, head, tail;
	long ret;

	while (done < n) {
		for (i = 0; i < 32; i++) {
			struct io_uring_sqe *sqe = &r->sqes[r->tail++ & sq_mask];

			memset(sqe, 0, sizeof(*sqe));
			sqe->opcode = IORING_OP_NOP;
			sqe->fd = -1;
			sqe->user_data = i;
		}
		/* release: pairs with the kernel's acquire of sq.tail */
		__atomic_store_n(r->sq_tail, r->tail, __ATOMIC_RELEASE);
		ret = syscall(__NR_io_uring_enter, r->fd, 32, 32,
			      IORING_ENTER_GETEVENTS, NULL, 0);
		if (ret != 32)
			die("io_uring_enter", ret < 0 ? errno : EIO);
		head = *r->cq_head;
		/* acquire: pairs with the kernel's release of cq.tail */
		tail = __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE);
		for (; head != tail; head++)
			check_res(&r->cqes[head & cq_mask], 0);
		/* release: pairs with the kernel's acquire of cq.head */
		__atomic_store_n(r->cq_head, head, __ATOMIC_RELEASE);
		done += 32;
	}
	return done;
}

static void teardown_raw(struct ctx *c)
{
	munmap(c->raw->sqes, c->raw->sqes_sz);
	munmap(c->raw->rings, c->raw->rings_sz);
	close(c->raw->fd);
	free(c->raw);
}

static const struct workload workloads[] = {
	{ "nop1", "NOP batch 1: get_sqe+prep, submit_and_wait, for_each_cqe+cq_advance",
	  setup_ring, run_nop1, teardown_ring, 1024 },
	{ "nop8", "NOP batch 8",
	  setup_ring, run_nop8, teardown_ring, 1024 },
	{ "nop32", "NOP batch 32",
	  setup_ring, run_nop32, teardown_ring, 4096 },
	{ "submit-wait", "1 NOP: submit, wait_cqe, cqe_seen",
	  setup_ring, run_submit_wait, teardown_ring, 1024 },
	{ "peek32", "32 NOPs, submit, reap with peek_cqe+cqe_seen",
	  setup_ring, run_peek32, teardown_ring, 4096 },
	{ "read4k", "4 KiB random buffered reads, QD32, page-cache-warm file",
	  setup_read_plain, run_read, teardown_read, 4096 },
	{ "read-fixed", "as read4k with read_fixed and registered buffers",
	  setup_read_fixed, run_read_fixed, teardown_read, 4096 },
	{ "poll-multishot", "eventfd write, multishot poll CQE via wait_cqe+seen",
	  setup_poll, run_poll, teardown_poll, 1024 },
	{ "timeout0", "1 NOP: submit, wait_cqe_timeout(0), cqe_seen",
	  setup_ring, run_timeout0, teardown_ring, 1024 },
	{ "sqpoll32", "SQPOLL: 32 NOPs per submit, reap with peek_cqe",
	  setup_sqpoll, run_sqpoll, teardown_ring, 4096 },
	{ "init-exit", "io_uring_queue_init(64) + io_uring_queue_exit",
	  setup_none, run_init_exit, teardown_none, 64 },
	{ "raw-nop32", "floor: 32 NOPs per enter, hand-written ring, no library",
	  setup_raw, run_raw, teardown_raw, 4096 },
};

#define NR_WORKLOADS (sizeof(workloads) / sizeof(workloads[0]))

/* ---- measurement ---- */

static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t) ts.tv_sec * 1000000000ULL + (uint64_t) ts.tv_nsec;
}

/* A perf counter on a syscall tracepoint of this thread, or -1. */
static int open_tracepoint(const char *event)
{
	static const char *const roots[] = {
		"/sys/kernel/tracing/events", "/sys/kernel/debug/tracing/events",
	};
	struct perf_event_attr attr;
	char path[256];
	unsigned i;
	FILE *f;
	int id = -1;

	for (i = 0; i < 2 && id < 0; i++) {
		snprintf(path, sizeof(path), "%s/%s/id", roots[i], event);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fscanf(f, "%d", &id) != 1)
			id = -1;
		fclose(f);
	}
	if (id < 0)
		return -1;
	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_TRACEPOINT;
	attr.size = sizeof(attr);
	attr.config = (__u64) id;
	attr.disabled = 1;
	return (int) syscall(__NR_perf_event_open, &attr, 0, -1, -1, 0);
}

struct counters {
	int enter_fd, all_fd;
};

static void counters_start(struct counters *k)
{
	if (k->enter_fd >= 0) {
		ioctl(k->enter_fd, PERF_EVENT_IOC_RESET, 0);
		ioctl(k->enter_fd, PERF_EVENT_IOC_ENABLE, 0);
	}
	if (k->all_fd >= 0) {
		ioctl(k->all_fd, PERF_EVENT_IOC_RESET, 0);
		ioctl(k->all_fd, PERF_EVENT_IOC_ENABLE, 0);
	}
}

/* Syscalls counted since counters_start(), minus the counters' own ioctls. */
static void counters_stop(struct counters *k, long *enters, long *all)
{
	uint64_t v;

	*enters = *all = -1;
	if (k->all_fd >= 0) {
		ioctl(k->all_fd, PERF_EVENT_IOC_DISABLE, 0);
		if (read(k->all_fd, &v, sizeof(v)) == sizeof(v))
			/* the disable itself entered while counting */
			*all = (long) v - 1;
	}
	if (k->enter_fd >= 0) {
		ioctl(k->enter_fd, PERF_EVENT_IOC_DISABLE, 0);
		if (read(k->enter_fd, &v, sizeof(v)) == sizeof(v))
			*enters = (long) v;
	}
}

/*
 * Run the measured loop: n ops, or chunks until secs of CPU time went by.
 * With counters (n mode only), they count exactly the loop's syscalls.
 */
static unsigned long measure(const struct workload *w, struct ctx *c,
			     unsigned long n, double secs, uint64_t *ns,
			     struct counters *k, long *enters, long *all)
{
	unsigned long done = 0;
	uint64_t t0, t1, budget = (uint64_t) (secs * 1e9);

	CALLGRIND_START_INSTRUMENTATION;
	t0 = cpu_ns();
	if (n) {
		if (k)
			counters_start(k);
		done = w->run(c, n);
		if (k)
			counters_stop(k, enters, all);
		t1 = cpu_ns();
	} else {
		do {
			done += w->run(c, w->chunk);
			t1 = cpu_ns();
		} while (t1 - t0 < budget);
	}
	CALLGRIND_STOP_INSTRUMENTATION;
	*ns = t1 - t0;
	return done;
}

/* ---- which header, which library ---- */

static void print_info(void)
{
	char line[512], last[512] = "";
	FILE *f;

#if defined(URING_H)
	printf("header=uring");
#else
	printf("header=liburing");
#endif
#ifdef IO_URING_VERSION_MAJOR
	printf(" header_version=%d.%d", IO_URING_VERSION_MAJOR, IO_URING_VERSION_MINOR);
#else
	printf(" header_version=pre-2.4");
#endif
	printf(" lib_has_io_uring_minor_version=%s",
	       dlsym(RTLD_DEFAULT, "io_uring_minor_version") ? "yes" : "no");
	f = fopen("/proc/self/maps", "r");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			char *p = strchr(line, '/');

			if (!p || !strstr(p, "liburing"))
				continue;
			p[strcspn(p, "\n")] = 0;
			if (strcmp(p, last)) {
				printf(" lib=%s", p);
				snprintf(last, sizeof(last), "%s", p);
			}
		}
		fclose(f);
	}
	printf("\n");
}

static void usage(void)
{
	unsigned i;

	fprintf(stderr, "usage: uring-bench [-n OPS | -t SECONDS] [-c] [-f FILE] WORKLOAD\n"
			"       uring-bench info | list\nworkloads:\n");
	for (i = 0; i < NR_WORKLOADS; i++)
		fprintf(stderr, "  %-15s %s\n", workloads[i].name, workloads[i].what);
	exit(2);
}

int main(int argc, char **argv)
{
	const struct workload *w = NULL;
	struct counters k = { -1, -1 };
	unsigned long n = 0, done;
	double secs = 0.2;
	long enters = -1, all = -1;
	struct ctx c;
	uint64_t ns;
	int opt, count = 0, ret;
	unsigned i;

	memset(&c, 0, sizeof(c));
	while ((opt = getopt(argc, argv, "n:t:cf:")) != -1) {
		switch (opt) {
		case 'n': n = strtoul(optarg, NULL, 0); break;
		case 't': secs = strtod(optarg, NULL); break;
		case 'c': count = 1; break;
		case 'f': c.path = optarg; break;
		default: usage();
		}
	}
	if (optind != argc - 1)
		usage();
	if (!strcmp(argv[optind], "info")) {
		print_info();
		return 0;
	}
	if (!strcmp(argv[optind], "list")) {
		for (i = 0; i < NR_WORKLOADS; i++)
			printf("%s\n", workloads[i].name);
		return 0;
	}
	for (i = 0; i < NR_WORKLOADS; i++)
		if (!strcmp(argv[optind], workloads[i].name))
			w = &workloads[i];
	if (!w)
		usage();

	ret = w->setup(&c);
	if (ret < 0)
		die(w->name, ret);
	if (count && !n)
		n = w->chunk * 16;
	/* warm up: caches, branch predictors, the SQPOLL thread */
	w->run(&c, n ? (n / 10 ? n / 10 : 1) : w->chunk * 4);
	if (count) {
		k.enter_fd = open_tracepoint("syscalls/sys_enter_io_uring_enter");
		k.all_fd = open_tracepoint("raw_syscalls/sys_enter");
	}
	done = measure(w, &c, n, secs, &ns, count ? &k : NULL, &enters, &all);
	w->teardown(&c);

	printf("workload=%s ops=%lu cpu_ns=%" PRIu64 " ops_per_cpu_s=%.0f",
	       w->name, done, ns, ns ? done * 1e9 / (double) ns : 0.0);
	if (count)
		printf(" enters=%ld syscalls=%ld enters_per_op=%.4f syscalls_per_op=%.4f",
		       enters, all, enters < 0 ? -1.0 : (double) enters / (double) done,
		       all < 0 ? -1.0 : (double) all / (double) done);
	printf("\n");
	return 0;
}
