/* SPDX-License-Identifier: MIT */
/*
 * ABI drop-in check.  This file is compiled against the SYSTEM's liburing
 * headers (Debian's liburing 2.3) and linked against the system's
 * liburing.so.2 -- never against anything of ours (see abi-dropin.sh).  It
 * is then run with LD_LIBRARY_PATH pointing at our build, so the dynamic
 * loader binds it to our liburing.so.2: the 2.3 inline helpers in the old
 * header then drive our rings, with our symbol versions.
 *
 * Usage: abi-dropin OUR_LIB_DIR
 * Exit: 0 all good, 1 a check failed, 3 the loaded liburing.so.2 is not ours.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <liburing.h>

#ifdef URING_EXT_VERSION
#error "abi_dropin.c must be built against the system's liburing.h, not ours"
#endif

#define EXIT_NOT_OURS	3

static int failures;

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			printf("# FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
			failures++;					\
		}							\
	} while (0)

#define CHECK_EQ(a, b)							\
	do {								\
		long long _a = (long long) (a), _b = (long long) (b);	\
		if (_a != _b) {						\
			printf("# FAIL %s:%d: %s == %lld, expected %lld\n",	\
			       __FILE__, __LINE__, #a, _a, _b);		\
			failures++;					\
		}							\
	} while (0)

static unsigned char pattern(size_t i)
{
	return (unsigned char) (i * 31 + 7);
}

/* ---- which liburing.so.2 did the loader give us? ---- */

/* realpath of the directory holding path; "" on error */
static void real_dir(const char *path, char *out)
{
	char tmp[PATH_MAX], *slash;

	out[0] = 0;
	if (!realpath(path, tmp))
		return;
	slash = strrchr(tmp, '/');
	if (slash)
		*slash = 0;
	strcpy(out, tmp);
}

/*
 * Every liburing mapping in /proc/self/maps must be a file in our_dir.
 * Returns the number of distinct liburing files mapped, or -1 if any is not
 * ours.
 */
static int check_maps(const char *our_dir)
{
	char line[PATH_MAX + 256], seen[PATH_MAX] = "", dir[PATH_MAX];
	FILE *f = fopen("/proc/self/maps", "r");
	int files = 0, bad = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *path = strchr(line, '/');

		if (!path || !strstr(path, "/liburing"))
			continue;
		path[strcspn(path, "\n")] = 0;
		if (!strcmp(path, seen))
			continue;
		strcpy(seen, path);
		files++;
		printf("# mapped: %s\n", path);
		real_dir(path, dir);
		if (strcmp(dir, our_dir)) {
			printf("# not ours: %s (want a file in %s)\n", path, our_dir);
			bad = 1;
		}
	}
	fclose(f);
	return bad ? -1 : files;
}

/* The object that defines io_uring_queue_init must be in our_dir. */
static int check_dladdr(const char *our_dir)
{
	char dir[PATH_MAX];
	Dl_info info;

	if (!dladdr((void *) io_uring_queue_init, &info) || !info.dli_fname)
		return -1;
	real_dir(info.dli_fname, dir);
	printf("# io_uring_queue_init from %s\n", info.dli_fname);
	return strcmp(dir, our_dir) ? -1 : 0;
}

/* Ours is liburing 2.15: it has the version calls 2.3 lacks. */
static int check_version(void)
{
	int (*major)(void) = (int (*)(void)) dlsym(RTLD_DEFAULT, "io_uring_major_version");
	int (*minor)(void) = (int (*)(void)) dlsym(RTLD_DEFAULT, "io_uring_minor_version");

	if (!major || !minor)
		return -1;
	printf("# loaded library says it is %d.%d\n", major(), minor());
	return major() == 2 && minor() == 15 ? 0 : -1;
}

/* ---- real work through the 2.3 API ---- */

static int make_temp_file(char *path, size_t len)
{
	const char *tmp = getenv("TMPDIR");
	int fd;

	snprintf(path, len, "%s/uring-abi.XXXXXX", tmp ? tmp : "/tmp");
	fd = mkstemp(path);
	if (fd >= 0)
		unlink(path);
	return fd;
}

static void sq_fills_up(struct io_uring *ring)
{
	unsigned i, got = 0;

	for (i = 0; i < 9; i++)
		if (io_uring_get_sqe(ring))
			got++;
	CHECK_EQ(got, 8);
	CHECK_EQ(io_uring_sq_ready(ring), 8);
	CHECK_EQ(io_uring_sq_space_left(ring), 0);
	/* make them NOPs and let them through */
	for (i = 0; i < 8; i++) {
		struct io_uring_sqe *sqe = &ring->sq.sqes[i];

		io_uring_prep_nop(sqe);
		io_uring_sqe_set_data64(sqe, 100 + i);
	}
	CHECK_EQ(io_uring_submit_and_wait(ring, 8), 8);
	CHECK_EQ(io_uring_cq_ready(ring), 8);
	io_uring_cq_advance(ring, 8);
}

static void write_then_read(struct io_uring *ring, int fd)
{
	static unsigned char out[4096], in[3][1024];
	struct io_uring_cqe *cqe, *cqes[8];
	struct io_uring_sqe *sqe;
	unsigned i, n;
	size_t j;

	for (j = 0; j < sizeof(out); j++)
		out[j] = pattern(j);
	sqe = io_uring_get_sqe(ring);
	CHECK(sqe != NULL);
	io_uring_prep_write(sqe, fd, out, sizeof(out), 0);
	io_uring_sqe_set_data64(sqe, 1);
	CHECK_EQ(io_uring_submit_and_wait(ring, 1), 1);
	CHECK_EQ(io_uring_wait_cqe(ring, &cqe), 0);
	CHECK_EQ(cqe->res, sizeof(out));
	CHECK_EQ(io_uring_cqe_get_data64(cqe), 1);
	io_uring_cqe_seen(ring, cqe);

	/* three reads at different offsets, reaped in one batch */
	for (i = 0; i < 3; i++) {
		sqe = io_uring_get_sqe(ring);
		io_uring_prep_read(sqe, fd, in[i], sizeof(in[i]), 1000 * i + 5);
		io_uring_sqe_set_data64(sqe, 10 + i);
	}
	CHECK_EQ(io_uring_submit(ring), 3);
	CHECK_EQ(io_uring_wait_cqe_nr(ring, &cqe, 3), 0);
	n = io_uring_peek_batch_cqe(ring, cqes, 8);
	CHECK_EQ(n, 3);
	for (i = 0; i < n; i++) {
		__u64 k = cqes[i]->user_data - 10;

		CHECK(k < 3);
		CHECK_EQ(cqes[i]->res, sizeof(in[0]));
	}
	io_uring_cq_advance(ring, n);
	for (i = 0; i < 3; i++)
		for (j = 0; j < sizeof(in[i]); j++)
			if (in[i][j] != pattern(1000 * i + 5 + j)) {
				CHECK(!"read data matches what was written");
				return;
			}
}

static void fixed_buffers(struct io_uring *ring, int fd)
{
	static unsigned char buf[8192];
	struct iovec iov = { buf, sizeof(buf) };
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	size_t j;

	CHECK_EQ(io_uring_register_buffers(ring, &iov, 1), 0);
	sqe = io_uring_get_sqe(ring);
	io_uring_prep_read_fixed(sqe, fd, buf + 512, 2000, 100, 0);
	CHECK_EQ(io_uring_submit(ring), 1);
	CHECK_EQ(io_uring_wait_cqe(ring, &cqe), 0);
	CHECK_EQ(cqe->res, 2000);
	io_uring_cqe_seen(ring, cqe);
	for (j = 0; j < 2000; j++)
		if (buf[512 + j] != pattern(100 + j)) {
			CHECK(!"fixed read data matches");
			break;
		}
	CHECK_EQ(io_uring_unregister_buffers(ring), 0);
}

static void probe(void)
{
	struct io_uring_probe *p = io_uring_get_probe();

	CHECK(p != NULL);
	if (!p)
		return;
	CHECK(io_uring_opcode_supported(p, IORING_OP_NOP));
	CHECK(io_uring_opcode_supported(p, IORING_OP_READ));
	CHECK(!io_uring_opcode_supported(p, 255));
	io_uring_free_probe(p);
}

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long) t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void timeouts(struct io_uring *ring)
{
	struct __kernel_timespec ts = { .tv_sec = 0, .tv_nsec = 20000000 };
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	long long t0 = now_ms();

	/* nothing pending: the wait times out */
	CHECK_EQ(io_uring_wait_cqe_timeout(ring, &cqe, &ts), -ETIME);
	CHECK(now_ms() - t0 >= 15);

	/* a timeout request fires */
	sqe = io_uring_get_sqe(ring);
	io_uring_prep_timeout(sqe, &ts, 0, 0);
	io_uring_sqe_set_data64(sqe, 55);
	CHECK_EQ(io_uring_submit(ring), 1);
	ts.tv_sec = 2;
	CHECK_EQ(io_uring_wait_cqe_timeout(ring, &cqe, &ts), 0);
	CHECK_EQ(cqe->user_data, 55);
	CHECK_EQ(cqe->res, -ETIME);
	io_uring_cqe_seen(ring, cqe);

	/* a NOP through submit_and_wait_timeout (2.2) */
	sqe = io_uring_get_sqe(ring);
	io_uring_prep_nop(sqe);
	io_uring_sqe_set_data64(sqe, 56);
	CHECK(io_uring_submit_and_wait_timeout(ring, &cqe, 1, &ts, NULL) >= 0);
	CHECK_EQ(cqe->user_data, 56);
	io_uring_cqe_seen(ring, cqe);
	CHECK_EQ(io_uring_peek_cqe(ring, &cqe), -EAGAIN);
}

int main(int argc, char **argv)
{
	char our_dir[PATH_MAX], path[PATH_MAX];
	struct io_uring ring;
	int fd, files;

	if (argc != 2 || !realpath(argv[1], our_dir)) {
		fprintf(stderr, "usage: %s OUR_LIB_DIR\n", argv[0]);
		return 1;
	}

	files = check_maps(our_dir);
	if (files != 1 || check_dladdr(our_dir) || check_version()) {
		printf("# the liburing.so.2 loaded is not the one in %s\n", our_dir);
		return EXIT_NOT_OURS;
	}
	printf("# loaded our liburing.so.2 from %s\n", our_dir);

	CHECK_EQ(io_uring_queue_init(8, &ring, 0), 0);
	CHECK(ring.ring_fd >= 0);
	CHECK_EQ(ring.sq.ring_entries, 8);
	CHECK_EQ(ring.cq.ring_entries, 16);
	if (failures)
		return 1;
	fd = make_temp_file(path, sizeof(path));
	CHECK(fd >= 0);
	if (fd < 0)
		return 1;

	sq_fills_up(&ring);
	write_then_read(&ring, fd);
	fixed_buffers(&ring, fd);
	probe();
	timeouts(&ring);
	io_uring_queue_exit(&ring);
	close(fd);

	printf("# %s: %d failure(s)\n", failures ? "FAIL" : "PASS", failures);
	return failures ? 1 : 0;
}
