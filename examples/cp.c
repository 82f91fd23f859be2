/* SPDX-License-Identifier: MIT */
/*
 * cp: copy a file through io_uring, keeping up to QD blocks in flight.
 *
 *   cp SRC DST [QD]
 *
 * Each block goes through two phases, read from SRC then write to DST at
 * the same offset, and carries its own progress: a short read or write
 * simply queues the rest of that block again.  Blocks complete in any
 * order; a finished block is reused for the next part of the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <liburing.h>

#define CP_BLOCK	(128 * 1024)
#define DEFAULT_QD	32

struct block {
	off_t off;		/* where the block starts, in both files */
	size_t len;		/* bytes in this block */
	size_t done;		/* bytes of the current phase already done */
	bool writing;		/* phase: false = read SRC, true = write DST */
	char *buf;
};

static int in_fd, out_fd;

/* Queue the remaining part of the block's current phase. */
static void queue_block(struct io_uring *ring, struct block *b)
{
	/* never NULL: the ring has one slot per block and a block has at
	 * most one request in flight */
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (b->writing)
		io_uring_prep_write(sqe, out_fd, b->buf + b->done,
				    b->len - b->done, b->off + b->done);
	else
		io_uring_prep_read(sqe, in_fd, b->buf + b->done,
				   b->len - b->done, b->off + b->done);
	io_uring_sqe_set_data(sqe, b);
}

/*
 * One request of block b finished with result res.  Returns 1 when the
 * block is fully copied, 0 when it was queued again, -errno on failure.
 */
static int block_done(struct io_uring *ring, struct block *b, int res)
{
	if (res == -EAGAIN || res == -EINTR) {
		queue_block(ring, b);		/* transient: just retry */
		return 0;
	}
	if (res < 0)
		return res;
	if (res == 0)				/* SRC shrank, or DST is full */
		return b->writing ? -ENOSPC : -ENODATA;

	b->done += (size_t) res;
	if (b->done < b->len) {			/* short read or write */
		queue_block(ring, b);
		return 0;
	}
	if (b->writing)
		return 1;
	b->writing = true;			/* read complete: now write it */
	b->done = 0;
	queue_block(ring, b);
	return 0;
}

static int copy(struct io_uring *ring, struct block *blocks, unsigned qd,
		off_t size)
{
	struct block **free_blocks = calloc(qd, sizeof(*free_blocks));
	unsigned nr_free = qd, inflight = 0, i;
	off_t next = 0;
	int ret = 0;

	if (!free_blocks)
		return -ENOMEM;
	for (i = 0; i < qd; i++)
		free_blocks[i] = &blocks[i];

	while (next < size || inflight) {
		struct io_uring_cqe *cqe;
		unsigned head, seen = 0;

		/* start reading new blocks while any block is free */
		while (next < size && nr_free) {
			struct block *b = free_blocks[--nr_free];

			b->off = next;
			b->len = size - next < CP_BLOCK ? size - next : CP_BLOCK;
			b->done = 0;
			b->writing = false;
			queue_block(ring, b);
			next += b->len;
			inflight++;
		}

		ret = io_uring_submit_and_wait(ring, 1);
		if (ret < 0) {
			fprintf(stderr, "cp: submit: %s\n", strerror(-ret));
			break;
		}
		ret = 0;

		/* handle every completion that is ready */
		io_uring_for_each_cqe(ring, head, cqe) {
			struct block *b = io_uring_cqe_get_data(cqe);
			int r = block_done(ring, b, cqe->res);

			seen++;
			if (r < 0) {
				fprintf(stderr, "cp: %s at offset %lld: %s\n",
					b->writing ? "write" : "read",
					(long long) (b->off + b->done), strerror(-r));
				ret = r;
				break;
			}
			if (r == 1) {
				free_blocks[nr_free++] = b;
				inflight--;
			}
		}
		io_uring_cq_advance(ring, seen);
		if (ret < 0)
			break;
	}
	free(free_blocks);
	return ret;
}

int main(int argc, char *argv[])
{
	struct io_uring ring;
	struct block *blocks;
	struct stat st;
	unsigned qd = DEFAULT_QD, i;
	int ret;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: %s SRC DST [QD]\n", argv[0]);
		return 2;
	}
	if (argc == 4) {
		qd = (unsigned) strtoul(argv[3], NULL, 0);
		if (qd < 1 || qd > 4096) {
			fprintf(stderr, "cp: QD must be 1..4096\n");
			return 2;
		}
	}

	in_fd = open(argv[1], O_RDONLY);
	if (in_fd < 0 || fstat(in_fd, &st) < 0) {
		perror(argv[1]);
		return 1;
	}
	out_fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (out_fd < 0) {
		perror(argv[2]);
		return 1;
	}

	ret = io_uring_queue_init(qd, &ring, 0);
	if (ret < 0) {
		fprintf(stderr, "cp: io_uring_queue_init: %s\n", strerror(-ret));
		return 1;
	}

	/* one buffer per block, allocated once and reused */
	blocks = calloc(qd, sizeof(*blocks));
	for (i = 0; blocks && i < qd; i++)
		if (!(blocks[i].buf = malloc(CP_BLOCK)))
			break;
	if (!blocks || i < qd) {
		fprintf(stderr, "cp: out of memory\n");
		return 1;
	}

	ret = copy(&ring, blocks, qd, st.st_size);

	io_uring_queue_exit(&ring);
	for (i = 0; i < qd; i++)
		free(blocks[i].buf);
	free(blocks);
	close(in_fd);
	if (close(out_fd) < 0) {
		perror(argv[2]);
		return 1;
	}
	return ret < 0 ? 1 : 0;
}
