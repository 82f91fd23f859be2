/* SPDX-License-Identifier: MIT */
/*
 * The core operations, each checked by its effect: bytes read and written,
 * files created and closed, timeouts firing and removed, polls triggered and
 * cancelled, a TCP connection made on loopback and data sent over it, statx
 * agreeing with stat(2).
 */
#include "helpers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>

/* Wait for n CQEs; res[user_data] = cqe->res for user_data < 16. */
static void reap(struct io_uring *ring, unsigned n, int *res)
{
	unsigned i;
	__u64 ud;
	int r;

	for (i = 0; i < n; i++) {
		r = t_wait(ring, NULL, &ud);
		assert_true(ud < 16);
		res[ud] = r;
	}
}

/* Queue and submit a POLLIN poll on fd carrying user_data ud. */
static void arm_poll(struct io_uring *ring, int fd, __u64 ud)
{
	struct io_uring_sqe *sqe = t_sqe(ring);

	io_uring_prep_poll_add(sqe, fd, POLLIN);
	sqe->user_data = ud;
	assert_int_equal(io_uring_submit(ring), 1);
}

/* Submit the canceller sqe (user_data ud): victim ends -ECANCELED, it 0. */
static void cancel_ok(struct io_uring *ring, struct io_uring_sqe *sqe,
		      __u64 ud, __u64 victim)
{
	int res[16];

	sqe->user_data = ud;
	assert_int_equal(io_uring_submit(ring), 1);
	reap(ring, 2, res);
	assert_int_equal(res[victim], -ECANCELED);
	assert_int_equal(res[ud], 0);
}

/* A POLLIN poll on fd linked to a link timeout of ts: udp and udp + 1. */
static void poll_link_timeout(struct io_uring *ring, int fd,
			      struct __kernel_timespec *ts, __u64 udp, int *res)
{
	struct io_uring_sqe *sqe = t_sqe(ring);

	io_uring_prep_poll_add(sqe, fd, POLLIN);
	io_uring_sqe_set_flags(sqe, IOSQE_IO_LINK);
	sqe->user_data = udp;
	sqe = t_sqe(ring);
	io_uring_prep_link_timeout(sqe, ts, 0);
	sqe->user_data = udp + 1;
	assert_int_equal(io_uring_submit(ring), 2);
	reap(ring, 2, res);
}

static void fill(unsigned char *buf, size_t len, unsigned char seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (unsigned char) (seed + i * 13);
}

/* The file at fd holds len bytes of buf at off (checked with pread). */
static void check_file(int fd, const unsigned char *buf, size_t len, off_t off)
{
	unsigned char got[8192];

	assert_true(len <= sizeof(got));
	assert_int_equal(pread(fd, got, len, off), (ssize_t) len);
	assert_memory_equal(got, buf, len);
}

/* ---- nop, read, write ---- */

static void op_nop(void **state)
{
	struct io_uring ring;
	__u64 ud;

	(void) state;
	t_ring(&ring, 4, 0);
	t_nop(&ring, 99);
	assert_int_equal(t_submit_wait(&ring, NULL, &ud), 0);
	assert_int_equal(ud, 99);
	io_uring_queue_exit(&ring);
}

static void op_read_write(void **state)
{
	unsigned char buf[3000], out[1000];
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	int fd;

	(void) state;
	t_ring(&ring, 4, 0);
	fd = t_make_file(t_path("rw"), 8192);

	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, fd, buf, sizeof(buf), 1000);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), sizeof(buf));
	t_assert_pattern(buf, sizeof(buf), 1000);

	/* a short read at the end of the file */
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, fd, buf, sizeof(buf), 8192 - 100);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), 100);
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, fd, buf, sizeof(buf), 9000);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), 0);

	fill(out, sizeof(out), 5);
	sqe = t_sqe(&ring);
	io_uring_prep_write(sqe, fd, out, sizeof(out), 4000);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), sizeof(out));
	check_file(fd, out, sizeof(out), 4000);

	/* offset -1: the file position, which then advances */
	assert_int_equal(lseek(fd, 10, SEEK_SET), 10);
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, fd, buf, 20, (__u64) -1);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), 20);
	t_assert_pattern(buf, 20, 10);
	assert_int_equal(lseek(fd, 0, SEEK_CUR), 30);
	close(fd);
	io_uring_queue_exit(&ring);
}

static void op_readv_writev(void **state)
{
	unsigned char a[100], b[300], c[50], w1[64], w2[200];
	struct iovec riov[3] = {
		{ a, sizeof(a) }, { b, sizeof(b) }, { c, sizeof(c) },
	};
	struct iovec wiov[2] = { { w1, sizeof(w1) }, { w2, sizeof(w2) } };
	unsigned char both[sizeof(w1) + sizeof(w2)];
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	int fd;

	(void) state;
	t_ring(&ring, 4, 0);
	fd = t_make_file(t_path("rwv"), 4096);

	sqe = t_sqe(&ring);
	io_uring_prep_readv(sqe, fd, riov, 3, 7);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), 450);
	t_assert_pattern(a, sizeof(a), 7);
	t_assert_pattern(b, sizeof(b), 107);
	t_assert_pattern(c, sizeof(c), 407);

	fill(w1, sizeof(w1), 1);
	fill(w2, sizeof(w2), 2);
	sqe = t_sqe(&ring);
	io_uring_prep_writev(sqe, fd, wiov, 2, 2000);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), sizeof(both));
	memcpy(both, w1, sizeof(w1));
	memcpy(both + sizeof(w1), w2, sizeof(w2));
	check_file(fd, both, sizeof(both), 2000);
	close(fd);
	io_uring_queue_exit(&ring);
}

static void op_fixed_buffers(void **state)
{
	/* page aligned: 6.1 refuses a buffer spanning two mappings (.data/.bss) */
	static unsigned char bufs[2][4096] __attribute__((aligned(4096)));
	struct iovec iov[2] = {
		{ bufs[0], sizeof(bufs[0]) }, { bufs[1], sizeof(bufs[1]) },
	};
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	int fd;

	(void) state;
	t_ring(&ring, 4, 0);
	assert_int_equal(io_uring_register_buffers(&ring, iov, 2), 0);
	fd = t_make_file(t_path("fixed"), 16384);

	/* into the middle of buffer 1 */
	sqe = t_sqe(&ring);
	io_uring_prep_read_fixed(sqe, fd, bufs[1] + 100, 1000, 5000, 1);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), 1000);
	t_assert_pattern(bufs[1] + 100, 1000, 5000);

	fill(bufs[0], 2048, 9);
	sqe = t_sqe(&ring);
	io_uring_prep_write_fixed(sqe, fd, bufs[0], 2048, 8192, 0);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), 2048);
	check_file(fd, bufs[0], 2048, 8192);

	/* an address outside the registered buffer is refused */
	sqe = t_sqe(&ring);
	io_uring_prep_read_fixed(sqe, fd, bufs[1], 100, 0, 0);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), -EFAULT);
	/* so is an index past the table */
	sqe = t_sqe(&ring);
	io_uring_prep_read_fixed(sqe, fd, bufs[0], 100, 0, 5);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), -EFAULT);

	assert_int_equal(io_uring_unregister_buffers(&ring), 0);
	sqe = t_sqe(&ring);
	io_uring_prep_read_fixed(sqe, fd, bufs[0], 100, 0, 0);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), -EFAULT);
	close(fd);
	io_uring_queue_exit(&ring);
}

/* ---- files ---- */

static mode_t umask_now(void)
{
	mode_t m = umask(0);

	umask(m);
	return m;
}

static void op_openat_close(void **state)
{
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	const char *path = t_path("created");
	struct stat st;
	int fd;

	(void) state;
	t_ring(&ring, 4, 0);
	unlink(path);
	sqe = t_sqe(&ring);
	io_uring_prep_openat(sqe, AT_FDCWD, path, O_CREAT | O_RDWR | O_EXCL, 0640);
	fd = t_submit_wait(&ring, NULL, NULL);
	assert_true(fd >= 0);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0640 & ~umask_now());
	assert_int_equal(write(fd, "hello", 5), 5);

	/* O_EXCL: it exists now */
	sqe = t_sqe(&ring);
	io_uring_prep_openat(sqe, AT_FDCWD, path, O_CREAT | O_RDWR | O_EXCL, 0640);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), -EEXIST);

	sqe = t_sqe(&ring);
	io_uring_prep_close(sqe, fd);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), 0);
	assert_int_equal(fcntl(fd, F_GETFD), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 5);

	/* closing it again fails */
	sqe = t_sqe(&ring);
	io_uring_prep_close(sqe, fd);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), -EBADF);

	/* relative to a directory fd */
	{
		int dfd = open(t_tmpdir(), O_RDONLY | O_DIRECTORY);

		assert_true(dfd >= 0);
		sqe = t_sqe(&ring);
		io_uring_prep_openat(sqe, dfd, "created", O_RDONLY, 0);
		fd = t_submit_wait(&ring, NULL, NULL);
		assert_true(fd >= 0);
		close(fd);
		close(dfd);
	}
	unlink(path);
	io_uring_queue_exit(&ring);
}

static void op_fsync(void **state)
{
	unsigned char out[512];
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	int fd;

	(void) state;
	t_ring(&ring, 4, 0);
	fd = t_make_file(t_path("fsync"), 0);
	fill(out, sizeof(out), 3);
	/* write, then fsync linked behind it */
	sqe = t_sqe(&ring);
	io_uring_prep_write(sqe, fd, out, sizeof(out), 0);
	io_uring_sqe_set_flags(sqe, IOSQE_IO_LINK);
	sqe->user_data = 1;
	sqe = t_sqe(&ring);
	io_uring_prep_fsync(sqe, fd, 0);
	sqe->user_data = 2;
	assert_int_equal(io_uring_submit(&ring), 2);
	{
		int res[16];

		reap(&ring, 2, res);
		assert_int_equal(res[1], sizeof(out));
		assert_int_equal(res[2], 0);
	}
	sqe = t_sqe(&ring);
	io_uring_prep_fsync(sqe, fd, IORING_FSYNC_DATASYNC);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), 0);
	check_file(fd, out, sizeof(out), 0);
	close(fd);

	/* fsync of a pipe is refused as fsync(2) does */
	{
		int pfd[2];

		assert_int_equal(pipe(pfd), 0);
		sqe = t_sqe(&ring);
		io_uring_prep_fsync(sqe, pfd[1], 0);
		assert_int_equal(t_submit_wait(&ring, NULL, NULL), -EINVAL);
		t_close_pair(pfd);
	}
	io_uring_queue_exit(&ring);
}

static void op_statx(void **state)
{
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	struct statx stx;
	struct stat st;
	const char *path = t_path("statx");
	int fd;

	(void) state;
	T_REQUIRE_OP(IORING_OP_STATX);
	t_ring(&ring, 4, 0);
	fd = t_make_file(path, 12345);
	assert_int_equal(stat(path, &st), 0);
	memset(&stx, 0, sizeof(stx));
	sqe = t_sqe(&ring);
	io_uring_prep_statx(sqe, AT_FDCWD, path, 0, STATX_SIZE | STATX_INO, &stx);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), 0);
	assert_true(stx.stx_mask & STATX_SIZE);
	assert_int_equal(stx.stx_size, 12345);
	assert_int_equal(stx.stx_size, st.st_size);
	assert_int_equal(stx.stx_ino, st.st_ino);

	/* by fd, with AT_EMPTY_PATH */
	memset(&stx, 0, sizeof(stx));
	sqe = t_sqe(&ring);
	io_uring_prep_statx(sqe, fd, "", AT_EMPTY_PATH, STATX_SIZE, &stx);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), 0);
	assert_int_equal(stx.stx_size, 12345);

	sqe = t_sqe(&ring);
	io_uring_prep_statx(sqe, AT_FDCWD, t_path("no-such-file"), 0, STATX_SIZE, &stx);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), -ENOENT);
	close(fd);
	io_uring_queue_exit(&ring);
}

/* ---- timeouts ---- */

static void op_timeout(void **state)
{
	struct __kernel_timespec ts = t_ms_ts(20);
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	struct timespec t0, t1;
	long ms;

	(void) state;
	t_ring(&ring, 4, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	sqe = t_sqe(&ring);
	io_uring_prep_timeout(sqe, &ts, 0, 0);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), -ETIME);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms >= 15);
	assert_true(ms < 2000);
	io_uring_queue_exit(&ring);
}

static void op_timeout_count(void **state)
{
	struct __kernel_timespec ts = t_ms_ts(10000);
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	int res[16];

	(void) state;
	t_ring(&ring, 8, 0);
	/* completes (res 0) once two other CQEs have been posted */
	sqe = t_sqe(&ring);
	io_uring_prep_timeout(sqe, &ts, 2, 0);
	sqe->user_data = 1;
	assert_int_equal(io_uring_submit(&ring), 1);
	assert_int_equal(io_uring_cq_ready(&ring), 0);
	t_nop(&ring, 2);
	assert_int_equal(io_uring_submit(&ring), 1);
	reap(&ring, 1, res);
	assert_int_equal(res[2], 0);
	usleep(5000);
	assert_int_equal(io_uring_cq_ready(&ring), 0);	/* one is not enough */
	t_nop(&ring, 3);
	assert_int_equal(io_uring_submit(&ring), 1);
	reap(&ring, 2, res);
	assert_int_equal(res[3], 0);
	assert_int_equal(res[1], 0);
	io_uring_queue_exit(&ring);
}

static void op_timeout_remove(void **state)
{
	struct __kernel_timespec ts = t_ms_ts(10000);
	struct io_uring_sqe *sqe;
	struct io_uring ring;

	(void) state;
	t_ring(&ring, 4, 0);
	sqe = t_sqe(&ring);
	io_uring_prep_timeout(sqe, &ts, 0, 0);
	sqe->user_data = 1;
	assert_int_equal(io_uring_submit(&ring), 1);
	sqe = t_sqe(&ring);
	io_uring_prep_timeout_remove(sqe, 1, 0);
	cancel_ok(&ring, sqe, 2, 1);

	/* nothing by that user_data any more */
	sqe = t_sqe(&ring);
	io_uring_prep_timeout_remove(sqe, 1, 0);
	sqe->user_data = 3;
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), -ENOENT);
	io_uring_queue_exit(&ring);
}

static void op_link_timeout(void **state)
{
	struct __kernel_timespec ts = t_ms_ts(20);
	struct io_uring ring;
	int pfd[2], res[16];

	(void) state;
	t_ring(&ring, 4, 0);
	assert_int_equal(pipe(pfd), 0);
	poll_link_timeout(&ring, pfd[0], &ts, 1, res);
	assert_int_equal(res[1], -ECANCELED);
	assert_int_equal(res[2], -ETIME);

	/* the linked request finishes first: the timeout is cancelled */
	ts = t_ms_ts(5000);
	assert_int_equal(write(pfd[1], "x", 1), 1);
	poll_link_timeout(&ring, pfd[0], &ts, 3, res);
	assert_true(res[3] & POLLIN);
	assert_int_equal(res[4], -ECANCELED);
	t_close_pair(pfd);
	io_uring_queue_exit(&ring);
}

/* ---- poll and cancel ---- */

static void op_poll_add(void **state)
{
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	int pfd[2], res;

	(void) state;
	t_ring(&ring, 4, 0);
	assert_int_equal(pipe(pfd), 0);
	sqe = t_sqe(&ring);
	io_uring_prep_poll_add(sqe, pfd[0], POLLIN);
	assert_int_equal(io_uring_submit(&ring), 1);
	usleep(5000);
	assert_int_equal(io_uring_cq_ready(&ring), 0);
	assert_int_equal(write(pfd[1], "x", 1), 1);
	res = t_wait(&ring, NULL, NULL);
	assert_true(res & POLLIN);
	assert_false(res & POLLOUT);

	/* already writable: completes at once */
	sqe = t_sqe(&ring);
	io_uring_prep_poll_add(sqe, pfd[1], POLLOUT);
	assert_true(t_submit_wait(&ring, NULL, NULL) & POLLOUT);
	t_close_pair(pfd);
	io_uring_queue_exit(&ring);
}

static void op_poll_remove(void **state)
{
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	int pfd[2];

	(void) state;
	t_ring(&ring, 4, 0);
	assert_int_equal(pipe(pfd), 0);
	arm_poll(&ring, pfd[0], 5);
	sqe = t_sqe(&ring);
	io_uring_prep_poll_remove(sqe, 5);
	cancel_ok(&ring, sqe, 6, 5);

	sqe = t_sqe(&ring);
	io_uring_prep_poll_remove(sqe, 5);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), -ENOENT);
	/* the pipe is unaffected */
	assert_int_equal(write(pfd[1], "x", 1), 1);
	assert_int_equal(io_uring_cq_ready(&ring), 0);
	t_close_pair(pfd);
	io_uring_queue_exit(&ring);
}

static void op_cancel(void **state)
{
	static int token;
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	int pfd[2];
	__u64 ud;
	int r;

	(void) state;
	t_ring(&ring, 4, 0);
	assert_int_equal(pipe(pfd), 0);

	/* cancel64 by user_data */
	arm_poll(&ring, pfd[0], 7);
	sqe = t_sqe(&ring);
	io_uring_prep_cancel64(sqe, 7, 0);
	cancel_ok(&ring, sqe, 8, 7);

	/* cancel by pointer user_data */
	sqe = t_sqe(&ring);
	io_uring_prep_poll_add(sqe, pfd[0], POLLIN);
	io_uring_sqe_set_data(sqe, &token);
	assert_int_equal(io_uring_submit(&ring), 1);
	sqe = t_sqe(&ring);
	io_uring_prep_cancel(sqe, &token, 0);
	sqe->user_data = 9;
	assert_int_equal(io_uring_submit(&ring), 1);
	for (r = 0; r < 2; r++) {
		int v = t_wait(&ring, NULL, &ud);

		if (ud == 9)
			assert_int_equal(v, 0);
		else {
			assert_int_equal(ud, (__u64) (uintptr_t) &token);
			assert_int_equal(v, -ECANCELED);
		}
	}

	/* nothing by that user_data */
	sqe = t_sqe(&ring);
	io_uring_prep_cancel64(sqe, 0xdeadbeef, 0);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), -ENOENT);
	sqe = t_sqe(&ring);
	io_uring_prep_cancel(sqe, &token, 0);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), -ENOENT);
	t_close_pair(pfd);
	io_uring_queue_exit(&ring);
}

/* ---- sockets ---- */

static int tcp_listener(struct sockaddr_in *addr)
{
	socklen_t len = sizeof(*addr);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	memset(addr, 0, sizeof(*addr));
	addr->sin_family = AF_INET;
	addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	addr->sin_port = 0;
	assert_int_equal(bind(fd, (struct sockaddr *) addr, sizeof(*addr)), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *) addr, &len), 0);
	assert_int_not_equal(addr->sin_port, 0);
	return fd;
}

static void op_accept_connect_send_recv(void **state)
{
	struct sockaddr_in addr, peer, local;
	socklen_t peer_len = sizeof(peer), len = sizeof(local);
	char msg[] = "across loopback", got[64];
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	int lfd, cfd, afd = -1, res[16];

	(void) state;
	t_ring(&ring, 8, 0);
	lfd = tcp_listener(&addr);
	cfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(cfd >= 0);

	sqe = t_sqe(&ring);
	io_uring_prep_accept(sqe, lfd, (struct sockaddr *) &peer, &peer_len, 0);
	sqe->user_data = 1;
	sqe = t_sqe(&ring);
	io_uring_prep_connect(sqe, cfd, (struct sockaddr *) &addr, sizeof(addr));
	sqe->user_data = 2;
	assert_int_equal(io_uring_submit(&ring), 2);
	reap(&ring, 2, res);
	assert_int_equal(res[2], 0);
	afd = res[1];
	assert_true(afd >= 0);
	/* the accepted peer is our connecting socket */
	assert_int_equal(peer_len, sizeof(peer));
	assert_int_equal(getsockname(cfd, (struct sockaddr *) &local, &len), 0);
	assert_int_equal(peer.sin_port, local.sin_port);
	assert_int_equal(peer.sin_addr.s_addr, htonl(INADDR_LOOPBACK));

	/* recv posted first, then send: the bytes arrive */
	memset(got, 0, sizeof(got));
	sqe = t_sqe(&ring);
	io_uring_prep_recv(sqe, afd, got, sizeof(got), 0);
	sqe->user_data = 3;
	assert_int_equal(io_uring_submit(&ring), 1);
	sqe = t_sqe(&ring);
	io_uring_prep_send(sqe, cfd, msg, sizeof(msg), 0);
	sqe->user_data = 4;
	assert_int_equal(io_uring_submit(&ring), 1);
	reap(&ring, 2, res);
	assert_int_equal(res[4], sizeof(msg));
	assert_int_equal(res[3], sizeof(msg));
	assert_string_equal(got, msg);

	/* the other way, checked with plain recv(2) */
	sqe = t_sqe(&ring);
	io_uring_prep_send(sqe, afd, "pong", 4, 0);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), 4);
	assert_int_equal(recv(cfd, got, sizeof(got), 0), 4);
	assert_memory_equal(got, "pong", 4);

	/* peer closed: recv returns 0 */
	close(cfd);
	sqe = t_sqe(&ring);
	io_uring_prep_recv(sqe, afd, got, sizeof(got), 0);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), 0);

	/* connect to a port nobody listens on */
	close(lfd);
	cfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	sqe = t_sqe(&ring);
	io_uring_prep_connect(sqe, cfd, (struct sockaddr *) &addr, sizeof(addr));
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), -ECONNREFUSED);
	close(cfd);
	close(afd);
	io_uring_queue_exit(&ring);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(op_nop),
		cmocka_unit_test(op_read_write),
		cmocka_unit_test(op_readv_writev),
		cmocka_unit_test(op_fixed_buffers),
		cmocka_unit_test(op_openat_close),
		cmocka_unit_test(op_fsync),
		cmocka_unit_test(op_statx),
		cmocka_unit_test(op_timeout),
		cmocka_unit_test(op_timeout_count),
		cmocka_unit_test(op_timeout_remove),
		cmocka_unit_test(op_link_timeout),
		cmocka_unit_test(op_poll_add),
		cmocka_unit_test(op_poll_remove),
		cmocka_unit_test(op_cancel),
		cmocka_unit_test(op_accept_connect_send_recv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
