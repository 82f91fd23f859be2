/* SPDX-License-Identifier: MIT */
#include "helpers.h"

#include <dirent.h>
#include <stddef.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <linux/filter.h>
#include <linux/seccomp.h>


#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define T_HAVE_VALGRIND_H 1
#endif
#endif

void t_ring(struct io_uring *ring, unsigned entries, unsigned flags)
{
	int ret = io_uring_queue_init(entries, ring, flags);

	if (ret)
		fail_msg("io_uring_queue_init(%u, 0x%x): %s", entries, flags,
			 strerror(-ret));
}

void t_ring_feat(struct io_uring *ring, unsigned entries, unsigned flags,
		 unsigned feat, const char *name)
{
	t_ring(ring, entries, flags);
	if (!(ring->features & feat)) {
		io_uring_queue_exit(ring);
		T_SKIP("kernel lacks %s", name);
	}
}

bool t_op_supported(int op)
{
	static struct io_uring_probe *probe;

	if (!probe)
		probe = io_uring_get_probe();
	return probe && io_uring_opcode_supported(probe, op);
}

bool t_kernel_older_than(int major, int minor)
{
	struct utsname u;
	int ma, mi;

	if (uname(&u) || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return false;
	return ma < major || (ma == major && mi < minor);
}

bool t_under_valgrind(void)
{
#ifdef T_HAVE_VALGRIND_H
	if (RUNNING_ON_VALGRIND)
		return true;
#endif
	return getenv("URING_UNDER_VALGRIND") != NULL;
}

static char tmpdir[256];

static void rm_tmpdir(void)
{
	char cmd[300];

	if (tmpdir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd)) {}
	}
}

const char *t_tmpdir(void)
{
	if (!tmpdir[0]) {
		const char *base = getenv("TMPDIR");

		snprintf(tmpdir, sizeof(tmpdir), "%s/uring-test.XXXXXX",
			 base ? base : "/tmp");
		if (!mkdtemp(tmpdir))
			fail_msg("mkdtemp: %s", strerror(errno));
		atexit(rm_tmpdir);
	}
	return tmpdir;
}

const char *t_path(const char *name)
{
	static char bufs[8][512];
	static unsigned n;
	char *p = bufs[n++ % 8];

	snprintf(p, 512, "%s/%s", t_tmpdir(), name);
	return p;
}

unsigned char t_pattern(size_t i)
{
	return (unsigned char) (i * 7 + 3);
}

void t_assert_pattern(const unsigned char *buf, size_t len, size_t off)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] != t_pattern(off + i))
			fail_msg("byte %zu (offset %zu): 0x%02x, pattern 0x%02x", i,
				 off + i, buf[i], t_pattern(off + i));
}

int t_make_file(const char *path, size_t size)
{
	unsigned char buf[4096];
	size_t done = 0;
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		fail_msg("open %s: %s", path, strerror(errno));
	while (done < size) {
		size_t n = size - done < sizeof(buf) ? size - done : sizeof(buf);
		size_t i;

		for (i = 0; i < n; i++)
			buf[i] = t_pattern(done + i);
		if (pwrite(fd, buf, n, (off_t) done) != (ssize_t) n)
			fail_msg("pwrite: %s", strerror(errno));
		done += n;
	}
	return fd;
}

/* SQEs published to an SQPOLL thread that it has not given back yet. */
static unsigned sq_held_by_thread(struct io_uring *ring)
{
	if (!(ring->flags & IORING_SETUP_SQPOLL))
		return 0;
	return IO_URING_READ_ONCE(*ring->sq.ktail) - io_uring_load_sq_head(ring);
}

void t_sq_drained(struct io_uring *ring)
{
	long long end = t_now_ms() + 5000;

	while (sq_held_by_thread(ring)) {
		if (t_now_ms() >= end)
			fail_msg("the SQ thread kept %u SQEs for 5 s",
				 sq_held_by_thread(ring));
		usleep(100);
	}
}

/*
 * An SQPOLL thread moves the SQ head after it posted the CQEs of what it
 * took, so a full SQ can be one it has finished with: wait for its head.
 */
struct io_uring_sqe *t_sqe(struct io_uring *ring)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
	long long end = t_now_ms() + 5000;

	while (!sqe && sq_held_by_thread(ring) && t_now_ms() < end) {
		usleep(100);
		sqe = io_uring_get_sqe(ring);
	}
	if (!sqe)
		fail_msg("io_uring_get_sqe: SQ ring full");
	return sqe;
}

int t_wait(struct io_uring *ring, unsigned *cqe_flags, __u64 *user_data)
{
	struct io_uring_cqe *cqe;
	int ret = io_uring_wait_cqe(ring, &cqe);
	int res;

	if (ret)
		fail_msg("io_uring_wait_cqe: %s", strerror(-ret));
	res = cqe->res;
	if (cqe_flags)
		*cqe_flags = cqe->flags;
	if (user_data)
		*user_data = cqe->user_data;
	io_uring_cqe_seen(ring, cqe);
	return res;
}

int t_wait_ms(struct io_uring *ring, int ms, int *res, unsigned *cqe_flags,
	      __u64 *user_data)
{
	struct __kernel_timespec ts = t_ms_ts(ms);
	struct io_uring_cqe *cqe;
	int ret = io_uring_wait_cqe_timeout(ring, &cqe, &ts);

	if (ret)
		return ret;
	if (res)
		*res = cqe->res;
	if (cqe_flags)
		*cqe_flags = cqe->flags;
	if (user_data)
		*user_data = cqe->user_data;
	io_uring_cqe_seen(ring, cqe);
	return 0;
}

int t_wait_bounded(struct io_uring *ring, unsigned *cqe_flags, __u64 *user_data)
{
	int res = 0, ret = t_wait_ms(ring, 5000, &res, cqe_flags, user_data);

	if (ret)
		fail_msg("no CQE within 5 s: %s", strerror(-ret));
	return res;
}

int t_submit_wait(struct io_uring *ring, unsigned *cqe_flags, __u64 *user_data)
{
	int ret = io_uring_submit(ring);

	if (ret < 0)
		fail_msg("io_uring_submit: %s", strerror(-ret));
	return t_wait(ring, cqe_flags, user_data);
}

void t_nop(struct io_uring *ring, __u64 ud)
{
	struct io_uring_sqe *sqe = t_sqe(ring);

	io_uring_prep_nop(sqe);
	io_uring_sqe_set_data64(sqe, ud);
}

void t_nop_roundtrip(struct io_uring *ring, __u64 ud)
{
	__u64 got = 0;

	t_nop(ring, ud);
	assert_int_equal(t_submit_wait(ring, NULL, &got), 0);
	assert_int_equal(got, ud);
}

void t_close_pair(int fds[2])
{
	close(fds[0]);
	close(fds[1]);
}

int t_eventfd(void)
{
	int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	if (efd < 0)
		fail_msg("eventfd: %s", strerror(errno));
	return efd;
}

static void *t_writer_fn(void *arg)
{
	struct t_writer *w = (struct t_writer *) arg;
	unsigned i;

	for (i = 0; i < w->n; i++) {
		usleep(w->delay_us);
		if (write(w->fds[i], "x", 1) != 1)
			abort();
	}
	return NULL;
}

void t_writer_start(struct t_writer *w, const int *fds, unsigned n,
		    unsigned delay_us)
{
	assert_true(n <= T_WRITER_MAX);
	memcpy(w->fds, fds, n * sizeof(*fds));
	w->n = n;
	w->delay_us = delay_us;
	assert_int_equal(pthread_create(&w->th, NULL, t_writer_fn, w), 0);
}

void t_writer_join(struct t_writer *w)
{
	assert_int_equal(pthread_join(w->th, NULL), 0);
}

struct __kernel_timespec t_ms_ts(long ms)
{
	struct __kernel_timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (ms % 1000) * 1000000,
	};

	return ts;
}

long long t_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int t_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		fail_msg("opendir /proc/self/fd: %s", strerror(errno));
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the directory's own fd */
}

bool t_fd_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

void t_expect_tag_cqe(struct io_uring *ring, __u64 tag)
{
	struct __kernel_timespec ts = { .tv_sec = 2 };
	struct io_uring_cqe *cqe;

	assert_int_equal(io_uring_wait_cqe_timeout(ring, &cqe, &ts), 0);
	assert_int_equal(cqe->user_data, tag);
	assert_int_equal(cqe->res, 0);
	io_uring_cqe_seen(ring, cqe);
}

int t_in_child(int (*fn)(void))
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (!pid)
		_exit(fn());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		fail_msg("the child died of signal %d", WTERMSIG(status));
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

int t_seccomp_syscall(unsigned nr, unsigned action, unsigned flags)
{
#ifdef T_AUDIT_ARCH
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, T_AUDIT_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, action),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };
	long ret;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	/* prctl() where it will do: valgrind knows it, not seccomp(2) */
	if (!flags)
		ret = prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
	else
		ret = syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
	return ret < 0 ? -errno : (int) ret;
#else
	(void) nr;
	(void) action;
	(void) flags;
	return -ENOSYS;
#endif
}

int t_block_syscall(unsigned nr, int err)
{
	int ret = t_seccomp_syscall(nr, SECCOMP_RET_ERRNO |
				    ((unsigned) err & SECCOMP_RET_DATA), 0);

	return ret < 0 ? ret : 0;
}

int t_lock_system(const char *name)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "/tmp/uring-tests-%s.lock", name);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd >= 0 && flock(fd, LOCK_EX)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

void t_unlock_system(int fd)
{
	if (fd >= 0)
		close(fd);	/* drops the lock */
}
