/* SPDX-License-Identifier: MIT */
#include "helpers.h"

#include <sys/stat.h>
#include <sys/utsname.h>

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

struct io_uring_sqe *t_sqe(struct io_uring *ring)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

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

int t_submit_wait(struct io_uring *ring, unsigned *cqe_flags, __u64 *user_data)
{
	int ret = io_uring_submit(ring);

	if (ret < 0)
		fail_msg("io_uring_submit: %s", strerror(-ret));
	return t_wait(ring, cqe_flags, user_data);
}
