/* SPDX-License-Identifier: MIT */
/*
 * open_write_read_close: the life of a file, done entirely through the
 * ring.  Each step is one SQE, submitted and waited for on its own, so the
 * result of one step (the fd from openat) can feed the next.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <liburing.h>

/* Submit the one SQE that was prepared, wait for its CQE, return cqe->res. */
static int run_one(struct io_uring *ring, const char *what)
{
	struct io_uring_cqe *cqe;
	int ret;

	ret = io_uring_submit_and_wait(ring, 1);
	if (ret < 0) {
		fprintf(stderr, "%s: submit: %s\n", what, strerror(-ret));
		return ret;
	}
	ret = io_uring_wait_cqe(ring, &cqe);
	if (ret < 0) {
		fprintf(stderr, "%s: wait: %s\n", what, strerror(-ret));
		return ret;
	}
	ret = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	/* a failed operation reports -errno in res */
	if (ret < 0)
		fprintf(stderr, "%s: %s\n", what, strerror(-ret));
	return ret;
}

int main(void)
{
	static const char msg[] = "hello world";
	const char *tmp = getenv("TMPDIR");
	struct io_uring ring;
	char path[4096], buf[64];
	int fd, ret, status = 1;

	snprintf(path, sizeof(path), "%s/owrc-%d.txt", tmp && *tmp ? tmp : "/tmp",
		 (int) getpid());

	ret = io_uring_queue_init(4, &ring, 0);
	if (ret < 0) {
		fprintf(stderr, "io_uring_queue_init: %s\n", strerror(-ret));
		return 1;
	}

	/* open: the new fd comes back in cqe->res */
	io_uring_prep_openat(io_uring_get_sqe(&ring), AT_FDCWD, path,
			     O_CREAT | O_TRUNC | O_RDWR, 0644);
	fd = run_one(&ring, "openat");
	if (fd < 0)
		goto out;
	printf("opened %s as fd %d\n", path, fd);

	/* write at offset 0; res is the number of bytes written */
	io_uring_prep_write(io_uring_get_sqe(&ring), fd, msg, strlen(msg), 0);
	ret = run_one(&ring, "write");
	if (ret < 0)
		goto close;
	printf("wrote %d bytes\n", ret);

	/* read it back from offset 0 */
	memset(buf, 0, sizeof(buf));
	io_uring_prep_read(io_uring_get_sqe(&ring), fd, buf, sizeof(buf) - 1, 0);
	ret = run_one(&ring, "read");
	if (ret < 0)
		goto close;
	printf("read %d bytes: %.*s\n", ret, ret, buf);
	if (ret == (int) strlen(msg) && !memcmp(buf, msg, strlen(msg)))
		status = 0;
	else
		fprintf(stderr, "read: data differs from what was written\n");

close:
	io_uring_prep_close(io_uring_get_sqe(&ring), fd);
	if (run_one(&ring, "close") < 0)
		status = 1;
	else
		printf("closed\n");
	unlink(path);
out:
	io_uring_queue_exit(&ring);
	return status;
}
