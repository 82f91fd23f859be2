/* SPDX-License-Identifier: MIT */
/*
 * uring-bench: benchmarks of the io_uring paths that programs use.
 *
 * Written against the liburing API only, so the same source builds against
 * this tree's header and library and against another liburing (Debian's 2.3
 * in bench/compare.sh).  One program, one workload per run:
 *
 *	uring-bench [-n OPS | -t SECONDS] [-c] [-f FILE] WORKLOAD
 *	uring-bench info	which header and which liburing.so this is
 *	uring-bench list	the workloads
 *	uring-bench floors	"workload floor" pairs: the same loop on a
 *				hand-written ring, for library-added counts
 *	uring-bench --smoke [WORKLOAD...]
 *				every workload once, briefly, each in a child
 *				process: proves they run (CI), measures nothing
 *
 * A run sets the workload up, warms it up, then measures one loop and prints
 * one line of key=value pairs: ops done, CPU time of the whole process
 * (CLOCK_PROCESS_CPUTIME_ID, user + system, every thread), ops per
 * CPU-second, and with -c the system calls the loop made (counted by perf
 * tracepoints, so the count is exact; -1 when tracefs is not available).
 * Some workloads add their own pairs (rings1000: memory and wall times).
 * A workload the kernel cannot run prints "skipped=REASON" and exits 0.
 *
 * Only the measured loop runs with callgrind instrumentation on: under
 * `valgrind --tool=callgrind --instr-atstart=no` the total Ir is the
 * user-space instructions of exactly that loop.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* dladdr, accept4 */
#endif
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dlfcn.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
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

/* UAPI values older headers (Debian's liburing 2.3) do not define */
#ifndef IORING_RECVSEND_BUNDLE
#define IORING_RECVSEND_BUNDLE		(1U << 4)
#endif
#ifndef IORING_SETUP_NO_SQARRAY
#define IORING_SETUP_NO_SQARRAY		(1U << 16)
#endif
#ifndef IORING_FEAT_RECVSEND_BUNDLE
#define IORING_FEAT_RECVSEND_BUNDLE	(1U << 14)
#endif

#define RING_ENTRIES	64
#define QD		32
#define BLOCK		4096
#define FILE_SIZE	(32U << 20)

/* a setup's answer when the kernel cannot run the workload (c->skip says why) */
#define SKIP		1

struct raw_ring;
struct echo;
struct ffi_api;
struct rings;

struct ctx {
	struct io_uring ring;
	int fd;			/* read workloads: the data file */
	int efd;		/* poll workload: the eventfd */
	unsigned pages;		/* read workloads: 4 KiB blocks in the file */
	unsigned depth;		/* read-qd*: reads kept in flight */
	size_t file_size;	/* the file made when no -f is given */
	uint64_t rng;
	char *bufs;		/* QD buffers of BLOCK bytes */
	const char *path;	/* -f, or NULL: make a temporary file */
	char tmp[64];
	const char *skip;	/* why this kernel cannot run the workload */
	/* floor workloads: a ring driven without any library */
	struct raw_ring *raw;
	struct echo *echo;	/* echo*, recv-bundle */
	struct ffi_api *ffi;	/* ffi-* */
	struct rings *rings;	/* rings1000 */
};

struct workload {
	const char *name;
	const char *what;
	int (*setup)(struct ctx *c);
	/* run about n ops, return how many were done */
	unsigned long (*run)(struct ctx *c, unsigned long n);
	void (*teardown)(struct ctx *c);
	unsigned long chunk;	/* ops per timed chunk */
	/* the same loop on a hand-written ring (library-added = this - floor) */
	const char *floor;
	/* after the measured loop: print more key=value pairs */
	void (*report)(struct ctx *c);
	/* chunks of warm-up before a timed run; 0: 4 */
	unsigned warm_chunks;
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
	for (off = 0; off < c->file_size; off += 1 << 20)
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

/* The data file opened (or made), its blocks counted and cached; buffers. */
static int open_data(struct ctx *c)
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
	return 0;
}

static int setup_read(struct ctx *c)
{
	int ret = open_data(c);

	return ret ? ret : setup_ring(c);
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

/* ---- the floor: rings set up and driven by hand, with no library ---- */

struct raw_ring {
	int fd;
	unsigned *sq_tail, *sq_mask, *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
	unsigned tail;
	void *rings;
	size_t rings_sz, sqes_sz;
	unsigned sqm, cqm;	/* the masks, read once */
	unsigned submitted;	/* SQ tail the kernel has been told about */
};

/*
 * io_uring_setup and both mmaps.  Without an SQ index array where the
 * kernel allows it (6.6+), like this library's rings; else the array is
 * filled once, as the identity.
 */
static int raw_init(struct raw_ring *r, unsigned entries)
{
	struct io_uring_params p;
	unsigned *array, i;
	char *ptr;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_NO_SQARRAY;
	r->fd = (int) syscall(__NR_io_uring_setup, entries, &p);
	if (r->fd < 0 && errno == EINVAL) {
		memset(&p, 0, sizeof(p));
		r->fd = (int) syscall(__NR_io_uring_setup, entries, &p);
	}
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
	if (!(p.flags & IORING_SETUP_NO_SQARRAY)) {
		array = (unsigned *) (ptr + p.sq_off.array);
		for (i = 0; i < p.sq_entries; i++)
			array[i] = i;
	}
	r->cq_head = (unsigned *) (ptr + p.cq_off.head);
	r->cq_tail = (unsigned *) (ptr + p.cq_off.tail);
	r->cq_mask = (unsigned *) (ptr + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *) (ptr + p.cq_off.cqes);
	r->tail = r->submitted = *r->sq_tail;
	r->sqm = *r->sq_mask;
	r->cqm = *r->cq_mask;
	return 0;
}

static void raw_exit(struct raw_ring *r)
{
	munmap(r->sqes, r->sqes_sz);
	munmap(r->rings, r->rings_sz);
	close(r->fd);
}

/* The next SQE, zeroed.  A hand-written loop knows it has room. */
static inline struct io_uring_sqe *raw_sqe(struct raw_ring *r)
{
	struct io_uring_sqe *sqe = &r->sqes[r->tail++ & r->sqm];

	memset(sqe, 0, sizeof(*sqe));
	return sqe;
}

/* Publish the queued SQEs and enter: submit them, wait for want CQEs. */
static inline void raw_enter(struct raw_ring *r, unsigned want)
{
	long ret;

	/* release: pairs with the kernel's acquire of sq.tail */
	__atomic_store_n(r->sq_tail, r->tail, __ATOMIC_RELEASE);
	ret = syscall(__NR_io_uring_enter, r->fd, r->tail - r->submitted, want,
		      want ? IORING_ENTER_GETEVENTS : 0, NULL, 0);
	if (ret < 0)
		die("io_uring_enter", errno);
	r->submitted += (unsigned) ret;
}

static int raw_register(struct raw_ring *r, unsigned op, const void *arg,
			unsigned nr)
{
	return syscall(__NR_io_uring_register, r->fd, op, arg, nr) < 0 ? -errno : 0;
}

static int setup_raw(struct ctx *c)
{
	c->raw = calloc(1, sizeof(*c->raw));
	if (!c->raw)
		return -ENOMEM;
	return raw_init(c->raw, RING_ENTRIES);
}

static void teardown_raw(struct ctx *c)
{
	raw_exit(c->raw);
	free(c->raw);
}

/* 32 NOPs per io_uring_enter(): the floor of nop32 */
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

/* multishot poll on the eventfd, by hand: the floor of poll-multishot */
static void raw_arm_poll(struct ctx *c)
{
	struct io_uring_sqe *sqe = raw_sqe(c->raw);

	sqe->opcode = IORING_OP_POLL_ADD;
	sqe->fd = c->efd;
	sqe->len = IORING_POLL_ADD_MULTI;
	sqe->poll32_events = POLLIN;
	sqe->user_data = 1;
	raw_enter(c->raw, 0);
}

static int setup_raw_poll(struct ctx *c)
{
	int ret = setup_raw(c);

	if (ret)
		return ret;
	c->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (c->efd < 0)
		return -errno;
	raw_arm_poll(c);
	return 0;
}

static unsigned long run_raw_poll(struct ctx *c, unsigned long n)
{
	struct raw_ring *r = c->raw;
	const uint64_t one = 1;
	unsigned long done;

	for (done = 0; done < n; done++) {
		struct io_uring_cqe *cqe;
		unsigned head = *r->cq_head, more;

		if (write(c->efd, &one, sizeof(one)) != sizeof(one))
			die("eventfd write", errno);
		/* acquire: pairs with the kernel's release of cq.tail */
		while (head == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE))
			raw_enter(r, 1);
		cqe = &r->cqes[head & r->cqm];
		if (!(cqe->res & POLLIN))
			die("poll result", cqe->res < 0 ? cqe->res : EIO);
		more = cqe->flags & IORING_CQE_F_MORE;
		/* release: pairs with the kernel's acquire of cq.head */
		__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
		if (!more)
			raw_arm_poll(c);
	}
	return done;
}

static void teardown_raw_poll(struct ctx *c)
{
	teardown_raw(c);
	close(c->efd);
}

/* ---- 4 KiB random reads, registered file + registered buffers, QD1/QD32 ---- */

static void queue_read_reg(struct ctx *c, unsigned idx)
{
	struct io_uring_sqe *sqe = get_sqe(&c->ring);
	__u64 off = (rnd(c) % c->pages) * BLOCK;

	/* fd 0: the index of the data file in the registered file table */
	io_uring_prep_read_fixed(sqe, 0, c->bufs + idx * BLOCK, BLOCK, off, (int) idx);
	io_uring_sqe_set_flags(sqe, IOSQE_FIXED_FILE);
	io_uring_sqe_set_data64(sqe, idx);
}

/* the data file and its buffers registered; c->depth reads queued */
static int setup_read_reg(struct ctx *c, unsigned depth)
{
	struct iovec iov[QD];
	unsigned i;
	int ret;

	c->depth = depth;
	ret = setup_read(c);
	if (ret)
		return ret;
	for (i = 0; i < QD; i++) {
		iov[i].iov_base = c->bufs + i * BLOCK;
		iov[i].iov_len = BLOCK;
	}
	ret = io_uring_register_buffers(&c->ring, iov, QD);
	if (ret)
		return ret;
	ret = io_uring_register_files(&c->ring, &c->fd, 1);
	if (ret)
		return ret;
	for (i = 0; i < depth; i++)
		queue_read_reg(c, i);
	return 0;
}

static int setup_read_qd1(struct ctx *c)
{
	return setup_read_reg(c, 1);
}

static int setup_read_qd32(struct ctx *c)
{
	return setup_read_reg(c, QD);
}

/* Keep depth reads in flight: wait for one, reap all ready, requeue as many. */
static unsigned long run_read_reg(struct ctx *c, unsigned long n)
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
			queue_read_reg(c, (unsigned) cqe->user_data);
			seen++;
		}
		io_uring_cq_advance(ring, seen);
		done += seen;
	}
	return done;
}

static void teardown_read_reg(struct ctx *c)
{
	/* c->depth reads are queued or in flight: let them finish before
	 * the buffers go away */
	io_uring_submit_and_wait(&c->ring, c->depth);
	io_uring_queue_exit(&c->ring);
	close(c->fd);
	free(c->bufs);
}

/* the same by hand: the floor of read-qd1 and read-qd32 */
static void raw_queue_read(struct ctx *c, unsigned idx)
{
	struct io_uring_sqe *sqe = raw_sqe(c->raw);

	sqe->opcode = IORING_OP_READ_FIXED;
	sqe->flags = IOSQE_FIXED_FILE;
	sqe->fd = 0;
	sqe->addr = (uintptr_t) (c->bufs + idx * BLOCK);
	sqe->len = BLOCK;
	sqe->off = (rnd(c) % c->pages) * BLOCK;
	sqe->buf_index = (__u16) idx;
	sqe->user_data = idx;
}

static int setup_raw_read(struct ctx *c, unsigned depth)
{
	struct iovec iov[QD];
	unsigned i;
	int ret;

	c->depth = depth;
	ret = open_data(c);
	if (ret)
		return ret;
	ret = setup_raw(c);
	if (ret)
		return ret;
	for (i = 0; i < QD; i++) {
		iov[i].iov_base = c->bufs + i * BLOCK;
		iov[i].iov_len = BLOCK;
	}
	ret = raw_register(c->raw, IORING_REGISTER_BUFFERS, iov, QD);
	if (ret)
		return ret;
	ret = raw_register(c->raw, IORING_REGISTER_FILES, &c->fd, 1);
	if (ret)
		return ret;
	for (i = 0; i < depth; i++)
		raw_queue_read(c, i);
	return 0;
}

static int setup_raw_read_qd1(struct ctx *c)
{
	return setup_raw_read(c, 1);
}

static int setup_raw_read_qd32(struct ctx *c)
{
	return setup_raw_read(c, QD);
}

static unsigned long run_raw_read(struct ctx *c, unsigned long n)
{
	struct raw_ring *r = c->raw;
	unsigned long done = 0;

	while (done < n) {
		unsigned head, tail;

		raw_enter(r, 1);
		head = *r->cq_head;
		/* acquire: pairs with the kernel's release of cq.tail */
		tail = __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE);
		for (; head != tail; head++) {
			struct io_uring_cqe *cqe = &r->cqes[head & r->cqm];

			check_res(cqe, BLOCK);
			raw_queue_read(c, (unsigned) cqe->user_data);
			done++;
		}
		/* release: pairs with the kernel's acquire of cq.head */
		__atomic_store_n(r->cq_head, head, __ATOMIC_RELEASE);
	}
	return done;
}

static void teardown_raw_read(struct ctx *c)
{
	struct raw_ring *r = c->raw;

	/* the reads in flight finish before the buffers go away */
	while (*r->cq_tail - *r->cq_head < c->depth)
		raw_enter(r, c->depth);
	teardown_raw(c);
	close(c->fd);
	free(c->bufs);
}

/* ---- loopback TCP echo: multishot recv into a buffer ring, send back ---- */

#define ECHO_MAX	64		/* connections, at most */
#define ECHO_MSG	64		/* bytes per echoed message */
#define ECHO_ENTRIES	256		/* SQ entries: a send and a re-arm per socket */
#define EBUF_SIZE	256		/* provided buffers: bytes each */
#define EBUF_COUNT	256		/* provided buffers: how many */
#define EBUF_GROUP	1
#define BUNDLE_MSG	4096		/* recv-bundle: bytes per message, 16 buffers */
#define UD_SEND		(1ULL << 32)	/* sends post CQEs only when they fail */

struct echo {
	unsigned conns;
	unsigned bundle;		/* recv-bundle: 1 */
	int fd[2 * ECHO_MAX];		/* 2i: client end, 2i + 1: server end */
	unsigned got[2 * ECHO_MAX];	/* bytes of the current message so far */
	char tx[2 * ECHO_MAX][ECHO_MSG];	/* server ends: the bytes to echo */
	char msg[BUNDLE_MSG];		/* what clients send */
	unsigned long cqes, msgs;	/* recv-bundle: CQEs per message */
	struct io_uring_buf_ring *br;	/* EBUF_COUNT entries */
	char *bufs;			/* EBUF_COUNT buffers of EBUF_SIZE */
};

/* conns connected TCP pairs over 127.0.0.1, Nagle off on both ends */
static int echo_connect(struct echo *e)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int lfd, one = 1;
	unsigned i;

	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0)
		return -errno;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (struct sockaddr *) &sa, sizeof(sa)) ||
	    listen(lfd, ECHO_MAX) ||
	    getsockname(lfd, (struct sockaddr *) &sa, &len))
		return -errno;
	for (i = 0; i < e->conns; i++) {
		int cfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (cfd < 0 || connect(cfd, (struct sockaddr *) &sa, sizeof(sa)))
			return -errno;
		e->fd[2 * i] = cfd;
		e->fd[2 * i + 1] = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (e->fd[2 * i + 1] < 0)
			return -errno;
		setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		setsockopt(e->fd[2 * i + 1], IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	close(lfd);
	return 0;
}

/* the buffer ring, filled with every buffer (registered separately) */
static int echo_bufs(struct echo *e)
{
	unsigned mask = (unsigned) io_uring_buf_ring_mask(EBUF_COUNT), bid;

	e->br = mmap(NULL, EBUF_COUNT * sizeof(struct io_uring_buf),
		     PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (e->br == MAP_FAILED)
		return -errno;
	if (posix_memalign((void **) &e->bufs, 4096, EBUF_COUNT * EBUF_SIZE))
		return -ENOMEM;
	io_uring_buf_ring_init(e->br);
	for (bid = 0; bid < EBUF_COUNT; bid++)
		io_uring_buf_ring_add(e->br, e->bufs + bid * EBUF_SIZE, EBUF_SIZE,
				      (unsigned short) bid, (int) mask, (int) bid);
	io_uring_buf_ring_advance(e->br, EBUF_COUNT);
	return 0;
}

static void echo_send(struct io_uring *ring, struct echo *e, unsigned i,
		      const void *buf, unsigned len)
{
	struct io_uring_sqe *sqe = get_sqe(ring);

	io_uring_prep_send(sqe, e->fd[i], buf, len, 0);
	io_uring_sqe_set_flags(sqe, IOSQE_CQE_SKIP_SUCCESS);
	io_uring_sqe_set_data64(sqe, UD_SEND | i);
}

/* a multishot recv on socket i, picking buffers from the ring */
static void echo_arm(struct io_uring *ring, struct echo *e, unsigned i)
{
	struct io_uring_sqe *sqe = get_sqe(ring);

	io_uring_prep_recv_multishot(sqe, e->fd[i], NULL, 0, 0);
	io_uring_sqe_set_flags(sqe, IOSQE_BUFFER_SELECT);
	sqe->buf_group = EBUF_GROUP;
	if (e->bundle)
		sqe->ioprio |= IORING_RECVSEND_BUNDLE;
	io_uring_sqe_set_data64(sqe, i);
}

static int setup_echo(struct ctx *c, unsigned conns, unsigned flags, unsigned bundle)
{
	struct io_uring_buf_reg reg;
	struct echo *e;
	unsigned i;
	int ret;

	e = c->echo = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->conns = conns;
	e->bundle = bundle;
	memset(e->msg, 'e', sizeof(e->msg));
	ret = io_uring_queue_init(ECHO_ENTRIES, &c->ring, flags);
	if (ret)
		return ret;
	if (bundle && !(c->ring.features & IORING_FEAT_RECVSEND_BUNDLE)) {
		c->skip = "kernel without IORING_FEAT_RECVSEND_BUNDLE (6.10+)";
		return SKIP;
	}
	ret = echo_connect(e);
	if (!ret)
		ret = echo_bufs(e);
	if (ret)
		return ret;
	memset(&reg, 0, sizeof(reg));
	reg.ring_addr = (uintptr_t) e->br;
	reg.ring_entries = EBUF_COUNT;
	reg.bgid = EBUF_GROUP;
	ret = io_uring_register_buf_ring(&c->ring, &reg, 0);
	if (ret)
		return ret;
	/* echo: every end receives; recv-bundle: the server ends only */
	for (i = bundle; i < 2 * conns; i += 1 + bundle)
		echo_arm(&c->ring, e, i);
	for (i = 0; i < conns; i++)
		echo_send(&c->ring, e, 2 * i, e->msg, bundle ? BUNDLE_MSG : ECHO_MSG);
	return 0;
}

static int setup_echo1(struct ctx *c)
{
	return setup_echo(c, 1, 0, 0);
}

static int setup_echo64(struct ctx *c)
{
	return setup_echo(c, 64, 0, 0);
}

static int setup_echo1_cqe32(struct ctx *c)
{
	return setup_echo(c, 1, IORING_SETUP_CQE32, 0);
}

static int setup_echo64_cqe32(struct ctx *c)
{
	return setup_echo(c, 64, IORING_SETUP_CQE32, 0);
}

/*
 * One op is one message echoed: the client's send, the server's multishot
 * recv CQE, its send back, the client's recv CQE.  Every CQE carries a
 * buffer, returned to the ring at once (the server copies the bytes out
 * first), so one io_uring_buf_ring_cq_advance() retires CQEs and buffers.
 */
static unsigned long run_echo(struct ctx *c, unsigned long n)
{
	struct io_uring *ring = &c->ring;
	struct echo *e = c->echo;
	int mask = io_uring_buf_ring_mask(EBUF_COUNT);
	unsigned long done = 0;

	while (done < n) {
		struct io_uring_cqe *cqe;
		unsigned head, seen = 0;
		int ret = io_uring_submit_and_wait(ring, 1);

		if (ret < 0)
			die("io_uring_submit_and_wait", ret);
		io_uring_for_each_cqe(ring, head, cqe) {
			unsigned i = (unsigned) cqe->user_data, bid, len;
			char *buf;

			/* a failed send, a closed socket, no buffer */
			if (cqe->res <= 0 || cqe->res > ECHO_MSG ||
			    !(cqe->flags & IORING_CQE_F_BUFFER))
				die("echo recv", cqe->res < 0 ? cqe->res : EIO);
			len = (unsigned) cqe->res;
			bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
			buf = e->bufs + bid * EBUF_SIZE;
			if (i & 1) {
				memcpy(e->tx[i], buf, len);
				echo_send(ring, e, i, e->tx[i], len);
			} else if ((e->got[i] += len) >= ECHO_MSG) {
				e->got[i] -= ECHO_MSG;
				echo_send(ring, e, i, e->msg, ECHO_MSG);
				done++;
			}
			io_uring_buf_ring_add(e->br, buf, EBUF_SIZE, (unsigned short) bid,
					      mask, (int) seen);
			seen++;
			/* the kernel ended the multishot recv: arm a new one */
			if (!(cqe->flags & IORING_CQE_F_MORE))
				echo_arm(ring, e, i);
		}
		io_uring_buf_ring_cq_advance(ring, e->br, (int) seen);
	}
	return done;
}

static void teardown_echo(struct ctx *c)
{
	struct echo *e = c->echo;
	unsigned i;

	io_uring_queue_exit(&c->ring);
	for (i = 0; i < 2 * e->conns; i++)
		close(e->fd[i]);
	munmap(e->br, EBUF_COUNT * sizeof(struct io_uring_buf));
	free(e->bufs);
	free(e);
}

/* ---- bundle receive: one recv CQE takes 16 buffers ---- */

static int setup_bundle(struct ctx *c)
{
	return setup_echo(c, 1, 0, 1);
}

/*
 * One op is one 4 KiB message: the client's send, the server's bundle recv
 * CQE covering 16 consecutive buffers of the ring, all 16 returned.  The
 * next message goes out when the last byte of this one has arrived.
 */
static unsigned long run_bundle(struct ctx *c, unsigned long n)
{
	struct io_uring *ring = &c->ring;
	struct echo *e = c->echo;
	int mask = io_uring_buf_ring_mask(EBUF_COUNT);
	unsigned long done = 0;

	while (done < n) {
		struct io_uring_cqe *cqe;
		unsigned head, cqes = 0, bufs = 0;
		int ret = io_uring_submit_and_wait(ring, 1);

		if (ret < 0)
			die("io_uring_submit_and_wait", ret);
		io_uring_for_each_cqe(ring, head, cqe) {
			unsigned bid, left, k;

			if (cqe->res <= 0 || !(cqe->flags & IORING_CQE_F_BUFFER))
				die("bundle recv", cqe->res < 0 ? cqe->res : EIO);
			/* the buffers follow each other in the ring: they
			 * come back in the order they were taken */
			bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
			for (left = (unsigned) cqe->res, k = 0; left; k++, bufs++) {
				unsigned b = (bid + k) & (EBUF_COUNT - 1);

				io_uring_buf_ring_add(e->br, e->bufs + b * EBUF_SIZE, EBUF_SIZE,
						      (unsigned short) b, mask, (int) bufs);
				left -= left < EBUF_SIZE ? left : EBUF_SIZE;
			}
			if ((e->got[1] += (unsigned) cqe->res) >= BUNDLE_MSG) {
				e->got[1] -= BUNDLE_MSG;
				echo_send(ring, e, 0, e->msg, BUNDLE_MSG);
				done++;
			}
			if (!(cqe->flags & IORING_CQE_F_MORE))
				echo_arm(ring, e, 1);
			cqes++;
		}
		io_uring_buf_ring_advance(e->br, (int) bufs);
		io_uring_cq_advance(ring, cqes);
		e->cqes += cqes;
	}
	e->msgs += done;
	return done;
}

/* how many recv CQEs a message took: 1 when the bundle takes all 16 buffers */
static void report_bundle(struct ctx *c)
{
	printf(" cqes_per_msg=%.2f", (double) c->echo->cqes / (double) c->echo->msgs);
}

/* ---- the echo loop by hand: the floor of echo1 and echo64 ---- */

static void raw_echo_send(struct raw_ring *r, struct echo *e, unsigned i,
			  const void *buf, unsigned len)
{
	struct io_uring_sqe *sqe = raw_sqe(r);

	sqe->opcode = IORING_OP_SEND;
	sqe->flags = IOSQE_CQE_SKIP_SUCCESS;
	sqe->fd = e->fd[i];
	sqe->addr = (uintptr_t) buf;
	sqe->len = len;
	sqe->user_data = UD_SEND | i;
}

static void raw_echo_arm(struct raw_ring *r, struct echo *e, unsigned i)
{
	struct io_uring_sqe *sqe = raw_sqe(r);

	sqe->opcode = IORING_OP_RECV;
	sqe->flags = IOSQE_BUFFER_SELECT;
	sqe->ioprio = IORING_RECV_MULTISHOT;
	sqe->fd = e->fd[i];
	sqe->buf_group = EBUF_GROUP;
	sqe->user_data = i;
}

static int setup_raw_echo(struct ctx *c, unsigned conns)
{
	struct io_uring_buf_reg reg;
	struct echo *e;
	unsigned i;
	int ret;

	e = c->echo = calloc(1, sizeof(*e));
	c->raw = calloc(1, sizeof(*c->raw));
	if (!e || !c->raw)
		return -ENOMEM;
	e->conns = conns;
	memset(e->msg, 'e', sizeof(e->msg));
	ret = raw_init(c->raw, ECHO_ENTRIES);
	if (!ret)
		ret = echo_connect(e);
	if (!ret)
		ret = echo_bufs(e);
	if (ret)
		return ret;
	memset(&reg, 0, sizeof(reg));
	reg.ring_addr = (uintptr_t) e->br;
	reg.ring_entries = EBUF_COUNT;
	reg.bgid = EBUF_GROUP;
	ret = raw_register(c->raw, IORING_REGISTER_PBUF_RING, &reg, 1);
	if (ret)
		return ret;
	for (i = 0; i < 2 * conns; i++)
		raw_echo_arm(c->raw, e, i);
	for (i = 0; i < conns; i++)
		raw_echo_send(c->raw, e, 2 * i, e->msg, ECHO_MSG);
	return 0;
}

static int setup_raw_echo1(struct ctx *c)
{
	return setup_raw_echo(c, 1);
}

static int setup_raw_echo64(struct ctx *c)
{
	return setup_raw_echo(c, 64);
}

static unsigned long run_raw_echo(struct ctx *c, unsigned long n)
{
	struct raw_ring *r = c->raw;
	struct echo *e = c->echo;
	unsigned long done = 0;
	__u16 btail = e->br->tail;

	while (done < n) {
		unsigned head, tail;

		raw_enter(r, 1);
		head = *r->cq_head;
		/* acquire: pairs with the kernel's release of cq.tail */
		tail = __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE);
		for (; head != tail; head++) {
			struct io_uring_cqe *cqe = &r->cqes[head & r->cqm];
			unsigned i = (unsigned) cqe->user_data, bid, len;
			struct io_uring_buf *b;
			char *buf;

			if (cqe->res <= 0 || cqe->res > ECHO_MSG ||
			    !(cqe->flags & IORING_CQE_F_BUFFER))
				die("echo recv", cqe->res < 0 ? cqe->res : EIO);
			len = (unsigned) cqe->res;
			bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
			buf = e->bufs + bid * EBUF_SIZE;
			if (i & 1) {
				memcpy(e->tx[i], buf, len);
				raw_echo_send(r, e, i, e->tx[i], len);
			} else if ((e->got[i] += len) >= ECHO_MSG) {
				e->got[i] -= ECHO_MSG;
				raw_echo_send(r, e, i, e->msg, ECHO_MSG);
				done++;
			}
			b = &e->br->bufs[btail++ & (EBUF_COUNT - 1)];
			b->addr = (uintptr_t) buf;
			b->len = EBUF_SIZE;
			b->bid = (__u16) bid;
			if (!(cqe->flags & IORING_CQE_F_MORE))
				raw_echo_arm(r, e, i);
		}
		/* release: pairs with the kernel's acquire of the buffer ring tail */
		__atomic_store_n(&e->br->tail, btail, __ATOMIC_RELEASE);
		/* release: pairs with the kernel's acquire of cq.head */
		__atomic_store_n(r->cq_head, head, __ATOMIC_RELEASE);
	}
	return done;
}

static void teardown_raw_echo(struct ctx *c)
{
	struct echo *e = c->echo;
	unsigned i;

	teardown_raw(c);
	for (i = 0; i < 2 * e->conns; i++)
		close(e->fd[i]);
	munmap(e->br, EBUF_COUNT * sizeof(struct io_uring_buf));
	free(e->bufs);
	free(e);
}

/* ---- an event loop's timers: short timeouts, removals, linked timeouts ---- */

#define TIMER_SETS	8	/* sets of 5 requests per round */
#define TIMER_OPS	(5 * TIMER_SETS)
#define TIMER_FIRE_NS	20000	/* the short timeouts: they expire */

/* user_data: the kind of request in bits 8 and up, its set in bits 0-7 */
enum { T_FIRE = 1, T_IDLE, T_REMOVE, T_NOP, T_LINK };

static const int timer_res[] = {
	[T_FIRE] = -ETIME, [T_IDLE] = -ECANCELED, [T_REMOVE] = 0,
	[T_NOP] = 0, [T_LINK] = -ECANCELED,
};

static void check_timer(const struct io_uring_cqe *cqe)
{
	unsigned kind = (unsigned) (cqe->user_data >> 8);

	if (kind < T_FIRE || kind > T_LINK)
		die("timer user_data", EIO);
	check_res(cqe, timer_res[kind]);
}

/*
 * One round, 40 requests, one op each: per set a 20 us timeout that
 * expires, a 10 s timeout and the removal of it, a NOP with a 10 s linked
 * timeout (which the NOP's completion cancels).  One submit_and_wait for
 * all 40 CQEs, reaped with for_each_cqe.
 */
static unsigned long run_timers(struct ctx *c, unsigned long n)
{
	struct io_uring *ring = &c->ring;
	struct __kernel_timespec fire = { 0, TIMER_FIRE_NS }, idle = { 10, 0 };
	unsigned long done = 0;

	while (done < n) {
		struct io_uring_sqe *sqe;
		struct io_uring_cqe *cqe;
		unsigned head, i, seen = 0;
		int ret;

		for (i = 0; i < TIMER_SETS; i++) {
			sqe = get_sqe(ring);
			io_uring_prep_timeout(sqe, &fire, 0, 0);
			io_uring_sqe_set_data64(sqe, T_FIRE << 8 | i);
			sqe = get_sqe(ring);
			io_uring_prep_timeout(sqe, &idle, 0, 0);
			io_uring_sqe_set_data64(sqe, T_IDLE << 8 | i);
			sqe = get_sqe(ring);
			io_uring_prep_timeout_remove(sqe, T_IDLE << 8 | i, 0);
			io_uring_sqe_set_data64(sqe, T_REMOVE << 8 | i);
			sqe = get_sqe(ring);
			io_uring_prep_nop(sqe);
			io_uring_sqe_set_flags(sqe, IOSQE_IO_LINK);
			io_uring_sqe_set_data64(sqe, T_NOP << 8 | i);
			sqe = get_sqe(ring);
			io_uring_prep_link_timeout(sqe, &idle, 0);
			io_uring_sqe_set_data64(sqe, T_LINK << 8 | i);
		}
		ret = io_uring_submit_and_wait(ring, TIMER_OPS);
		if (ret != TIMER_OPS)
			die("io_uring_submit_and_wait", ret < 0 ? ret : EIO);
		while (seen < TIMER_OPS) {
			unsigned got = 0;

			io_uring_for_each_cqe(ring, head, cqe) {
				check_timer(cqe);
				got++;
			}
			io_uring_cq_advance(ring, got);
			seen += got;
			if (seen < TIMER_OPS) {
				ret = io_uring_wait_cqe(ring, &cqe);
				if (ret < 0)
					die("io_uring_wait_cqe", ret);
			}
		}
		done += TIMER_OPS;
	}
	return done;
}

/* the same by hand: the floor of timers */
static void raw_timeout(struct raw_ring *r, __u8 op, const void *ts, __u64 data)
{
	struct io_uring_sqe *sqe = raw_sqe(r);

	sqe->opcode = op;
	sqe->fd = -1;
	sqe->addr = (uintptr_t) ts;
	sqe->len = 1;
	sqe->user_data = data;
}

static unsigned long run_raw_timers(struct ctx *c, unsigned long n)
{
	struct raw_ring *r = c->raw;
	struct __kernel_timespec fire = { 0, TIMER_FIRE_NS }, idle = { 10, 0 };
	unsigned long done = 0;

	while (done < n) {
		struct io_uring_sqe *sqe;
		unsigned head, tail, i, seen = 0;

		for (i = 0; i < TIMER_SETS; i++) {
			raw_timeout(r, IORING_OP_TIMEOUT, &fire, T_FIRE << 8 | i);
			raw_timeout(r, IORING_OP_TIMEOUT, &idle, T_IDLE << 8 | i);
			sqe = raw_sqe(r);
			sqe->opcode = IORING_OP_TIMEOUT_REMOVE;
			sqe->fd = -1;
			sqe->addr = T_IDLE << 8 | i;
			sqe->user_data = T_REMOVE << 8 | i;
			sqe = raw_sqe(r);
			sqe->opcode = IORING_OP_NOP;
			sqe->flags = IOSQE_IO_LINK;
			sqe->fd = -1;
			sqe->user_data = T_NOP << 8 | i;
			raw_timeout(r, IORING_OP_LINK_TIMEOUT, &idle, T_LINK << 8 | i);
		}
		raw_enter(r, TIMER_OPS);
		while (seen < TIMER_OPS) {
			head = *r->cq_head;
			/* acquire: pairs with the kernel's release of cq.tail */
			tail = __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE);
			for (; head != tail; head++, seen++)
				check_timer(&r->cqes[head & r->cqm]);
			/* release: pairs with the kernel's acquire of cq.head */
			__atomic_store_n(r->cq_head, head, __ATOMIC_RELEASE);
			if (seen < TIMER_OPS)
				raw_enter(r, 1);
		}
		done += TIMER_OPS;
	}
	return done;
}

/* ---- the liburing-ffi path: every call through a dlsym'd pointer ---- */

/*
 * Language bindings cannot expand the header's inline functions; they call
 * liburing-ffi.so.2, which exports every one of them.  These workloads do
 * the nop32 and read4k loops that way: the ring set up and every call made
 * through pointers looked up with dlsym() in liburing-ffi.so.2, and CQEs
 * reaped with io_uring_peek_batch_cqe + io_uring_cq_advance (a binding has
 * no io_uring_for_each_cqe macro).
 *
 * Without a liburing-ffi.so.2 (Debian's 2.3 ships none), a binding calls
 * what liburing.so.2 exports and wraps the header's inline functions in
 * functions of its own: the pointers then come from liburing.so.2 where it
 * has the symbol, else they point at such wrappers compiled here from the
 * header in use.  The "ffi" key of the output says which it was.
 */
typedef int (*queue_init_fn)(unsigned, struct io_uring *, unsigned);
typedef void (*queue_exit_fn)(struct io_uring *);
typedef struct io_uring_sqe *(*get_sqe_fn)(struct io_uring *);
typedef void (*prep_nop_fn)(struct io_uring_sqe *);
typedef void (*prep_read_fn)(struct io_uring_sqe *, int, void *, unsigned, __u64);
typedef void (*set_data64_fn)(struct io_uring_sqe *, __u64);
typedef int (*submit_and_wait_fn)(struct io_uring *, unsigned);
typedef unsigned (*peek_batch_fn)(struct io_uring *, struct io_uring_cqe **, unsigned);
typedef void (*cq_advance_fn)(struct io_uring *, unsigned);

struct ffi_api {
	queue_init_fn queue_init;
	queue_exit_fn queue_exit;
	get_sqe_fn get_sqe;
	prep_nop_fn prep_nop;
	prep_read_fn prep_read;
	set_data64_fn sqe_set_data64;
	submit_and_wait_fn submit_and_wait;
	peek_batch_fn peek_batch_cqe;
	cq_advance_fn cq_advance;
	char from[256];		/* the library the pointers lead to */
};

/* a binding's own wrappers of the header's inline functions */
#define NOINLINE __attribute__((noinline))
static NOINLINE int w_queue_init(unsigned e, struct io_uring *r, unsigned f)
{
	return io_uring_queue_init(e, r, f);
}

static NOINLINE void w_queue_exit(struct io_uring *r)
{
	io_uring_queue_exit(r);
}

static NOINLINE struct io_uring_sqe *w_get_sqe(struct io_uring *r)
{
	return io_uring_get_sqe(r);
}

static NOINLINE void w_prep_nop(struct io_uring_sqe *s)
{
	io_uring_prep_nop(s);
}

static NOINLINE void w_prep_read(struct io_uring_sqe *s, int fd, void *buf,
				 unsigned len, __u64 off)
{
	io_uring_prep_read(s, fd, buf, len, off);
}

static NOINLINE void w_set_data64(struct io_uring_sqe *s, __u64 data)
{
	io_uring_sqe_set_data64(s, data);
}

static NOINLINE int w_submit_and_wait(struct io_uring *r, unsigned nr)
{
	return io_uring_submit_and_wait(r, nr);
}

static NOINLINE unsigned w_peek_batch(struct io_uring *r, struct io_uring_cqe **cqes,
				      unsigned count)
{
	return io_uring_peek_batch_cqe(r, cqes, count);
}

static NOINLINE void w_cq_advance(struct io_uring *r, unsigned nr)
{
	io_uring_cq_advance(r, nr);
}

/* liburing-ffi.so.2 if it loads, else NULL */
static void *ffi_open(void)
{
	return dlopen("liburing-ffi.so.2", RTLD_NOW | RTLD_LOCAL);
}

/* name from the ffi library; without one, from liburing.so.2 or the wrapper */
static void *ffi_sym(void *h, const char *name, void *wrapper)
{
	void *p = dlsym(h ? h : RTLD_DEFAULT, name);

	if (!p && h)
		die(name, ENOSYS);	/* an ffi library must export them all */
	return p ? p : wrapper;
}

static int setup_ffi_api(struct ctx *c)
{
	struct ffi_api *f = c->ffi = calloc(1, sizeof(*c->ffi));
	void *h = ffi_open();
	Dl_info info;

	if (!f)
		return -ENOMEM;
	f->queue_init = (queue_init_fn) ffi_sym(h, "io_uring_queue_init", (void *) w_queue_init);
	f->queue_exit = (queue_exit_fn) ffi_sym(h, "io_uring_queue_exit", (void *) w_queue_exit);
	f->get_sqe = (get_sqe_fn) ffi_sym(h, "io_uring_get_sqe", (void *) w_get_sqe);
	f->prep_nop = (prep_nop_fn) ffi_sym(h, "io_uring_prep_nop", (void *) w_prep_nop);
	f->prep_read = (prep_read_fn) ffi_sym(h, "io_uring_prep_read", (void *) w_prep_read);
	f->sqe_set_data64 = (set_data64_fn) ffi_sym(h, "io_uring_sqe_set_data64",
						    (void *) w_set_data64);
	f->submit_and_wait = (submit_and_wait_fn) ffi_sym(h, "io_uring_submit_and_wait",
							  (void *) w_submit_and_wait);
	f->peek_batch_cqe = (peek_batch_fn) ffi_sym(h, "io_uring_peek_batch_cqe",
						    (void *) w_peek_batch);
	f->cq_advance = (cq_advance_fn) ffi_sym(h, "io_uring_cq_advance", (void *) w_cq_advance);
	if (h && dladdr((void *) f->get_sqe, &info) && info.dli_fname)
		snprintf(f->from, sizeof(f->from), "%s", info.dli_fname);
	else
		snprintf(f->from, sizeof(f->from), "none(liburing.so.2+wrappers)");
	return f->queue_init(RING_ENTRIES, &c->ring, 0);
}

static void report_ffi(struct ctx *c)
{
	printf(" ffi=%s", c->ffi->from);
}

static void ffi_reap(const struct ffi_api *f, struct io_uring *ring, unsigned want)
{
	struct io_uring_cqe *cqes[32];
	unsigned seen = 0, i, got;

	while (seen < want) {
		got = f->peek_batch_cqe(ring, cqes, 32);
		for (i = 0; i < got; i++)
			check_res(cqes[i], 0);
		f->cq_advance(ring, got);
		seen += got;
		if (seen < want && f->submit_and_wait(ring, 1) < 0)
			die("io_uring_submit_and_wait", EIO);
	}
}

static unsigned long run_ffi_nop32(struct ctx *c, unsigned long n)
{
	const struct ffi_api *f = c->ffi;
	struct io_uring *ring = &c->ring;
	unsigned long done = 0;

	while (done < n) {
		unsigned i;
		int ret;

		for (i = 0; i < 32; i++) {
			struct io_uring_sqe *sqe = f->get_sqe(ring);

			if (!sqe)
				die("io_uring_get_sqe", EBUSY);
			f->prep_nop(sqe);
			f->sqe_set_data64(sqe, i);
		}
		ret = f->submit_and_wait(ring, 32);
		if (ret != 32)
			die("io_uring_submit_and_wait", ret < 0 ? ret : EIO);
		ffi_reap(f, ring, 32);
		done += 32;
	}
	return done;
}

static void ffi_queue_read(struct ctx *c, unsigned idx)
{
	const struct ffi_api *f = c->ffi;
	struct io_uring_sqe *sqe = f->get_sqe(&c->ring);

	if (!sqe)
		die("io_uring_get_sqe", EBUSY);
	f->prep_read(sqe, c->fd, c->bufs + idx * BLOCK, BLOCK, (rnd(c) % c->pages) * BLOCK);
	f->sqe_set_data64(sqe, idx);
}

static int setup_ffi_read(struct ctx *c)
{
	unsigned i;
	int ret = open_data(c);

	if (!ret)
		ret = setup_ffi_api(c);
	if (ret)
		return ret;
	for (i = 0; i < QD; i++)
		ffi_queue_read(c, i);
	return 0;
}

/* read4k's loop: QD32 in flight, wait for one, reap all ready, requeue */
static unsigned long run_ffi_read(struct ctx *c, unsigned long n)
{
	const struct ffi_api *f = c->ffi;
	struct io_uring *ring = &c->ring;
	struct io_uring_cqe *cqes[QD];
	unsigned long done = 0;

	while (done < n) {
		unsigned i, got;
		int ret = f->submit_and_wait(ring, 1);

		if (ret < 0)
			die("io_uring_submit_and_wait", ret);
		got = f->peek_batch_cqe(ring, cqes, QD);
		for (i = 0; i < got; i++) {
			check_res(cqes[i], BLOCK);
			ffi_queue_read(c, (unsigned) cqes[i]->user_data);
		}
		f->cq_advance(ring, got);
		done += got;
	}
	return done;
}

static void teardown_ffi(struct ctx *c)
{
	c->ffi->queue_exit(&c->ring);
	free(c->ffi);
}

static void teardown_ffi_read(struct ctx *c)
{
	c->ffi->submit_and_wait(&c->ring, QD);
	teardown_ffi(c);
	close(c->fd);
	free(c->bufs);
}

/* ---- many rings: 1,000 created, all alive at once, then destroyed ---- */

#define RINGS		1000

struct rings {
	unsigned count;		/* RINGS, or fewer if RLIMIT_NOFILE cannot allow it */
	struct io_uring *ring;
	struct raw_ring *raw;
};

/* a key of /proc/self/status in KiB, or -1 */
static long status_kib(const char *key)
{
	char line[256];
	size_t len = strlen(key);
	long v = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == ':') {
			v = strtol(line + len + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static uint64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000000000ULL + (uint64_t) ts.tv_nsec;
}

static int setup_rings(struct ctx *c)
{
	struct rings *rr = c->rings = calloc(1, sizeof(*c->rings));
	struct rlimit rl;

	if (!rr)
		return -ENOMEM;
	/* one fd per ring, and a few for everything else */
	rr->count = RINGS;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < RINGS + 64) {
		rl.rlim_cur = rl.rlim_max < RINGS + 64 ? rl.rlim_max : RINGS + 64;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
		if (rl.rlim_cur < RINGS + 64)
			rr->count = rl.rlim_cur > 64 ? (unsigned) rl.rlim_cur - 64 : 1;
	}
	rr->ring = calloc(rr->count, sizeof(*rr->ring));
	rr->raw = calloc(rr->count, sizeof(*rr->raw));
	return rr->ring && rr->raw ? 0 : -ENOMEM;
}

static void rings_create(struct rings *rr, unsigned k, int raw)
{
	unsigned i;
	int ret;

	for (i = 0; i < k; i++) {
		ret = raw ? raw_init(&rr->raw[i], RING_ENTRIES) :
			    io_uring_queue_init(RING_ENTRIES, &rr->ring[i], 0);
		if (ret < 0)
			die("io_uring_queue_init", ret);
	}
}

static void rings_destroy(struct rings *rr, unsigned k, int raw)
{
	unsigned i;

	for (i = 0; i < k; i++) {
		if (raw)
			raw_exit(&rr->raw[i]);
		else
			io_uring_queue_exit(&rr->ring[i]);
	}
}

/* one op is one ring: created in a run of 1,000, destroyed after all */
static unsigned long rings_run(struct ctx *c, unsigned long n, int raw)
{
	struct rings *rr = c->rings;
	unsigned long done = 0;

	while (done < n) {
		unsigned k = n - done < rr->count ? (unsigned) (n - done) : rr->count;

		rings_create(rr, k, raw);
		rings_destroy(rr, k, raw);
		done += k;
	}
	return done;
}

static unsigned long run_rings(struct ctx *c, unsigned long n)
{
	return rings_run(c, n, 0);
}

static unsigned long run_raw_rings(struct ctx *c, unsigned long n)
{
	return rings_run(c, n, 1);
}

/*
 * One more round, outside the measured loop: wall time to create and to
 * destroy them all, and the memory of the process while all are alive.
 * Rings are not charged to RLIMIT_MEMLOCK since Linux 5.12 (they count
 * against the memory cgroup), so VmLck and VmPin are expected to stay 0.
 */
static void rings_report(struct ctx *c, int raw)
{
	struct rings *rr = c->rings;
	long rss0 = status_kib("VmRSS"), rss, lck, pin;
	uint64_t t0, t1, t2;

	t0 = wall_ns();
	rings_create(rr, rr->count, raw);
	t1 = wall_ns();
	rss = status_kib("VmRSS");
	lck = status_kib("VmLck");
	pin = status_kib("VmPin");
	t2 = wall_ns();
	rings_destroy(rr, rr->count, raw);
	printf(" rings=%u create_ms=%.2f destroy_ms=%.2f rss_kib=%ld vmlck_kib=%ld"
	       " vmpin_kib=%ld vmhwm_kib=%ld", rr->count, (t1 - t0) / 1e6,
	       (wall_ns() - t2) / 1e6, rss - rss0, lck, pin, status_kib("VmHWM"));
}

static void report_rings(struct ctx *c)
{
	rings_report(c, 0);
}

static void report_raw_rings(struct ctx *c)
{
	rings_report(c, 1);
}

static void teardown_rings(struct ctx *c)
{
	free(c->rings->ring);
	free(c->rings->raw);
	free(c->rings);
}

/* ---- the workloads ---- */

/* name, what, setup, run, teardown, chunk; .floor, .report follow if any */
#define W(n, w, s, r, t, ch) \
	.name = n, .what = w, .setup = s, .run = r, .teardown = t, .chunk = ch

static const struct workload workloads[] = {
	{ W("nop1", "NOP batch 1: get_sqe+prep, submit_and_wait, for_each_cqe+cq_advance",
	    setup_ring, run_nop1, teardown_ring, 1024) },
	{ W("nop8", "NOP batch 8",
	    setup_ring, run_nop8, teardown_ring, 1024) },
	{ W("nop32", "NOP batch 32",
	    setup_ring, run_nop32, teardown_ring, 4096), .floor = "raw-nop32" },
	{ W("submit-wait", "1 NOP: submit, wait_cqe, cqe_seen",
	    setup_ring, run_submit_wait, teardown_ring, 1024) },
	{ W("peek32", "32 NOPs, submit, reap with peek_cqe+cqe_seen",
	    setup_ring, run_peek32, teardown_ring, 4096) },
	{ W("read4k", "4 KiB random buffered reads, QD32, page-cache-warm file",
	    setup_read_plain, run_read, teardown_read, 4096) },
	{ W("read-fixed", "as read4k with read_fixed and registered buffers",
	    setup_read_fixed, run_read_fixed, teardown_read, 4096) },
	{ W("read-qd1", "4 KiB random reads, QD1, registered file + registered buffers",
	    setup_read_qd1, run_read_reg, teardown_read_reg, 1024), .floor = "raw-read-qd1" },
	{ W("read-qd32", "4 KiB random reads, QD32, registered file + registered buffers",
	    setup_read_qd32, run_read_reg, teardown_read_reg, 4096), .floor = "raw-read-qd32" },
	{ W("poll-multishot", "eventfd write, multishot poll CQE via wait_cqe+seen",
	    setup_poll, run_poll, teardown_poll, 1024), .floor = "raw-poll" },
	{ W("timeout0", "1 NOP: submit, wait_cqe_timeout(0), cqe_seen",
	    setup_ring, run_timeout0, teardown_ring, 1024) },
	{ W("timers", "timer loop: 20 us timeouts, 10 s timeouts + removals, NOP + link timeout",
	    setup_ring, run_timers, teardown_ring, 400), .floor = "raw-timers" },
	{ W("echo1", "TCP echo, 1 connection: multishot recv, buffer ring, send",
	    setup_echo1, run_echo, teardown_echo, 1024), .floor = "raw-echo1" },
	{ W("echo64", "TCP echo, 64 connections",
	    setup_echo64, run_echo, teardown_echo, 1024), .floor = "raw-echo64" },
	{ W("echo1-cqe32", "echo1 on a CQE32 ring",
	    setup_echo1_cqe32, run_echo, teardown_echo, 1024) },
	{ W("echo64-cqe32", "echo64 on a CQE32 ring",
	    setup_echo64_cqe32, run_echo, teardown_echo, 1024) },
	{ W("recv-bundle", "4 KiB messages, multishot bundle recv of 16 x 256-byte buffers",
	    setup_bundle, run_bundle, teardown_echo, 1024), .report = report_bundle },
	{ W("sqpoll32", "SQPOLL: 32 NOPs per submit, reap with peek_cqe",
	    setup_sqpoll, run_sqpoll, teardown_ring, 4096) },
	{ W("ffi-nop32", "nop32 through dlsym'd liburing-ffi.so.2 pointers, peek_batch_cqe",
	    setup_ffi_api, run_ffi_nop32, teardown_ffi, 4096), .floor = "raw-nop32", .report = report_ffi },
	{ W("ffi-read4k", "read4k through dlsym'd liburing-ffi.so.2 pointers, peek_batch_cqe",
	    setup_ffi_read, run_ffi_read, teardown_ffi_read, 4096), .report = report_ffi },
	{ W("init-exit", "io_uring_queue_init(64) + io_uring_queue_exit",
	    setup_none, run_init_exit, teardown_none, 64) },
	{ W("rings1000", "1,000 rings of 64 created, all alive, then destroyed (per ring)",
	    setup_rings, run_rings, teardown_rings, RINGS), .floor = "raw-rings1000", .report = report_rings, .warm_chunks = 1 },
	/* the floors: the same loops on hand-written rings, no library */
	{ W("raw-nop32", "floor: 32 NOPs per enter, hand-written ring, no library",
	    setup_raw, run_raw, teardown_raw, 4096) },
	{ W("raw-read-qd1", "floor of read-qd1",
	    setup_raw_read_qd1, run_raw_read, teardown_raw_read, 1024) },
	{ W("raw-read-qd32", "floor of read-qd32",
	    setup_raw_read_qd32, run_raw_read, teardown_raw_read, 4096) },
	{ W("raw-poll", "floor of poll-multishot",
	    setup_raw_poll, run_raw_poll, teardown_raw_poll, 1024) },
	{ W("raw-timers", "floor of timers",
	    setup_raw, run_raw_timers, teardown_raw, 400) },
	{ W("raw-echo1", "floor of echo1",
	    setup_raw_echo1, run_raw_echo, teardown_raw_echo, 1024) },
	{ W("raw-echo64", "floor of echo64",
	    setup_raw_echo64, run_raw_echo, teardown_raw_echo, 1024) },
	{ W("raw-rings1000", "floor of rings1000: io_uring_setup, 2 mmap; 2 munmap, close",
	    setup_rings, run_raw_rings, teardown_rings, RINGS), .report = report_raw_rings, .warm_chunks = 1 },
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
	void *ffi = ffi_open();
	FILE *f;

#if defined(URING_EXT_VERSION)
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
				/* lib= the library, ffi= liburing-ffi if it loads */
				printf(" %s=%s", strstr(p, "liburing-ffi") ? "ffi" : "lib", p);
				snprintf(last, sizeof(last), "%s", p);
			}
		}
		fclose(f);
	}
	if (!ffi)
		printf(" ffi=none");
	printf("\n");
}

static void usage(void)
{
	unsigned i;

	fprintf(stderr, "usage: uring-bench [-n OPS | -t SECONDS] [-c] [-f FILE] WORKLOAD\n"
			"       uring-bench info | list | floors\n"
			"       uring-bench [-f FILE] --smoke [WORKLOAD...]\nworkloads:\n");
	for (i = 0; i < NR_WORKLOADS; i++)
		fprintf(stderr, "  %-15s %s\n", workloads[i].name, workloads[i].what);
	exit(2);
}

static const struct workload *find_workload(const char *name)
{
	unsigned i;

	for (i = 0; i < NR_WORKLOADS; i++)
		if (!strcmp(name, workloads[i].name))
			return &workloads[i];
	return NULL;
}

/* ---- smoke: each workload once, briefly, in its own process ---- */

static int smoke_one(const struct workload *w, const struct ctx *proto)
{
	struct ctx c = *proto;
	int ret;

	/* a hang is a failure, not a stuck CI job */
	alarm(30);
	ret = w->setup(&c);
	if (ret == SKIP) {
		printf("skip %-15s %s\n", w->name, c.skip);
		fflush(stdout);
		return 77;
	}
	if (ret < 0)
		die(w->name, ret);
	if (w->run(&c, w->chunk) < w->chunk)
		die(w->name, EIO);
	if (w->report) {
		printf("     %-15s", w->name);
		w->report(&c);
		printf("\n");
	}
	w->teardown(&c);
	fflush(stdout);
	return 0;
}

/* names: the workloads to run, or NULL for all; returns the exit status */
static int smoke(const struct ctx *proto, char **names, int nr)
{
	unsigned i, ok = 0, skipped = 0, failed = 0;
	struct ctx c = *proto;

	/* small files: smoke measures nothing */
	if (!c.path)
		c.file_size = 1U << 20;
	for (i = 0; i < (nr ? (unsigned) nr : NR_WORKLOADS); i++) {
		const struct workload *w = nr ? find_workload(names[i]) : &workloads[i];
		uint64_t t0 = wall_ns();
		int status;
		pid_t pid;

		if (!w)
			usage();
		fflush(stdout);
		pid = fork();
		if (pid < 0)
			die("fork", errno);
		if (pid == 0)
			_exit(smoke_one(w, &c));
		if (waitpid(pid, &status, 0) < 0)
			die("waitpid", errno);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
			skipped++;
			continue;
		}
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			ok++;
			printf("ok   %-15s %.3f s\n", w->name, (wall_ns() - t0) / 1e9);
		} else {
			failed++;
			printf("FAIL %-15s %s %d\n", w->name,
			       WIFEXITED(status) ? "exit status" : "signal",
			       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		}
	}
	printf("smoke: %u ok, %u failed, %u skipped\n", ok, failed, skipped);
	return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	const struct workload *w;
	struct counters k = { -1, -1 };
	unsigned long n = 0, done;
	double secs = 0.2;
	long enters = -1, all = -1;
	struct ctx c;
	uint64_t ns;
	int opt, count = 0, ret, smoke_at;
	unsigned i;

	memset(&c, 0, sizeof(c));
	c.file_size = FILE_SIZE;
	/* the options before --smoke apply to it, the names after it pick */
	for (smoke_at = 1; smoke_at < argc; smoke_at++)
		if (!strcmp(argv[smoke_at], "--smoke"))
			break;
	while ((opt = getopt(smoke_at, argv, "n:t:cf:")) != -1) {
		switch (opt) {
		case 'n': n = strtoul(optarg, NULL, 0); break;
		case 't': secs = strtod(optarg, NULL); break;
		case 'c': count = 1; break;
		case 'f': c.path = optarg; break;
		default: usage();
		}
	}
	if (smoke_at < argc) {
		if (optind != smoke_at)
			usage();
		return smoke(&c, argv + smoke_at + 1, argc - smoke_at - 1);
	}
	if (optind != argc - 1)
		usage();
	if (!strcmp(argv[optind], "info")) {
		print_info();
		return 0;
	}
	if (!strcmp(argv[optind], "list") || !strcmp(argv[optind], "floors")) {
		for (i = 0; i < NR_WORKLOADS; i++) {
			if (argv[optind][0] == 'l')
				printf("%s\n", workloads[i].name);
			else if (workloads[i].floor)
				printf("%s %s\n", workloads[i].name, workloads[i].floor);
		}
		return 0;
	}
	w = find_workload(argv[optind]);
	if (!w)
		usage();

	ret = w->setup(&c);
	if (ret == SKIP) {
		printf("workload=%s skipped=%s\n", w->name, c.skip);
		return 0;
	}
	if (ret < 0)
		die(w->name, ret);
	if (count && !n)
		n = w->chunk * 16;
	/* warm up: caches, branch predictors, the SQPOLL thread */
	w->run(&c, n ? (n / 10 ? n / 10 : 1) :
		   w->chunk * (w->warm_chunks ? w->warm_chunks : 4));
	if (count) {
		k.enter_fd = open_tracepoint("syscalls/sys_enter_io_uring_enter");
		k.all_fd = open_tracepoint("raw_syscalls/sys_enter");
	}
	done = measure(w, &c, n, secs, &ns, count ? &k : NULL, &enters, &all);

	printf("workload=%s ops=%lu cpu_ns=%" PRIu64 " ops_per_cpu_s=%.0f",
	       w->name, done, ns, ns ? done * 1e9 / (double) ns : 0.0);
	if (count)
		printf(" enters=%ld syscalls=%ld enters_per_op=%.4f syscalls_per_op=%.4f",
		       enters, all, enters < 0 ? -1.0 : (double) enters / (double) done,
		       all < 0 ? -1.0 : (double) all / (double) done);
	if (w->report)
		w->report(&c);
	printf("\n");
	w->teardown(&c);
	return 0;
}
