/* SPDX-License-Identifier: MIT */
/*
 * Provided buffer rings: setup/free with our memory and kernel memory,
 * register/unregister by hand, the inline ring helpers, head/available,
 * incremental consumption, and feeding reads and a multishot recv.
 */
#include "helpers.h"

#include <sys/mman.h>
#include <sys/socket.h>

#define BGID	7
#define BLEN	64

struct pool {
	struct io_uring_buf_ring *br;
	unsigned entries;
	unsigned char *mem;	/* entries * BLEN bytes */
};

/* Stage and publish every buffer of the pool, bid i at mem + i * BLEN. */
static void pool_fill(struct pool *p)
{
	int mask = io_uring_buf_ring_mask(p->entries);
	unsigned i;

	for (i = 0; i < p->entries; i++)
		io_uring_buf_ring_add(p->br, p->mem + i * BLEN, BLEN,
				      (unsigned short) i, mask, (int) i);
	io_uring_buf_ring_advance(p->br, (int) p->entries);
}

static void pool_setup(struct io_uring *ring, struct pool *p, unsigned entries,
		       unsigned flags)
{
	int err = 1;

	p->entries = entries;
	p->br = io_uring_setup_buf_ring(ring, entries, BGID, flags, &err);
	if (!p->br)
		fail_msg("io_uring_setup_buf_ring: %s", strerror(-err));
	assert_int_equal(err, 0);
	p->mem = malloc((size_t) entries * BLEN);
	assert_non_null(p->mem);
	memset(p->mem, 0, (size_t) entries * BLEN);
}

static void pool_free(struct io_uring *ring, struct pool *p)
{
	assert_int_equal(io_uring_free_buf_ring(ring, p->br, p->entries, BGID),
			 0);
	free(p->mem);
}

/* Queue a buffer-select read of len bytes at off from fd. */
static void queue_select_read(struct io_uring *ring, int fd, unsigned len,
			      __u64 off, int bgid)
{
	struct io_uring_sqe *sqe = t_sqe(ring);

	io_uring_prep_read(sqe, fd, NULL, len, off);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = (__u16) bgid;
}

static unsigned cqe_bid(unsigned flags)
{
	assert_true(flags & IORING_CQE_F_BUFFER);
	return flags >> IORING_CQE_BUFFER_SHIFT;
}

/*
 * Head queries (IORING_REGISTER_PBUF_STATUS, behind io_uring_buf_ring_head()
 * and _available()) came with 6.8: where the kernel refuses them (-EINVAL)
 * those checks are left out and the test reports a skip at its end.
 */
static bool no_pbuf_status;

static void assert_head(struct io_uring *ring, int bgid, unsigned want)
{
	uint16_t head = 0xffff;
	int ret = io_uring_buf_ring_head(ring, bgid, &head);

	if (ret == -EINVAL) {
		no_pbuf_status = true;
		return;
	}
	assert_int_equal(ret, 0);
	assert_int_equal(head, want);
}

static void assert_available(struct io_uring *ring,
			     struct io_uring_buf_ring *br, int bgid, int want)
{
	int ret = io_uring_buf_ring_available(ring, br, (unsigned short) bgid);

	if (ret == -EINVAL) {
		no_pbuf_status = true;
		return;
	}
	assert_int_equal(ret, want);
}

static void skip_if_no_pbuf_status(void)
{
	if (no_pbuf_status)
		T_SKIP("kernel lacks IORING_REGISTER_PBUF_STATUS (6.8+): head/available checks left out, the rest passed");
}

/* Reads pick buffers in ring order; recycling them makes them usable again. */
static void use_pool(struct io_uring *ring, struct pool *p, int fd)
{
	struct io_uring_cqe *cqe;
	unsigned i, flags, bid;
	int mask = io_uring_buf_ring_mask(p->entries);

	assert_available(ring, p->br, BGID, 0);
	pool_fill(p);
	assert_available(ring, p->br, BGID, p->entries);
	assert_head(ring, BGID, 0);

	for (i = 0; i < p->entries; i++) {
		queue_select_read(ring, fd, BLEN, i * 10, BGID);
		assert_int_equal(t_submit_wait(ring, &flags, NULL), BLEN);
		bid = cqe_bid(flags);
		assert_int_equal(bid, i);
		t_assert_pattern(p->mem + bid * BLEN, BLEN, i * 10);
	}
	assert_head(ring, BGID, p->entries);
	assert_available(ring, p->br, BGID, 0);

	/* none left */
	queue_select_read(ring, fd, BLEN, 0, BGID);
	assert_int_equal(t_submit_wait(ring, NULL, NULL), -ENOBUFS);

	/* give buffer 2 back while retiring the CQE that used it */
	queue_select_read(ring, fd, BLEN, 0, BGID);
	assert_int_equal(io_uring_submit(ring), 1);
	io_uring_buf_ring_add(p->br, p->mem + 2 * BLEN, BLEN, 2, mask, 0);
	io_uring_buf_ring_advance(p->br, 1);
	assert_int_equal(io_uring_wait_cqe(ring, &cqe), 0);
	assert_int_equal(cqe->res, -ENOBUFS);	/* it ran before the refill */
	io_uring_cqe_seen(ring, cqe);

	queue_select_read(ring, fd, BLEN, 640, BGID);
	assert_int_equal(io_uring_submit(ring), 1);
	assert_int_equal(io_uring_wait_cqe(ring, &cqe), 0);
	assert_int_equal(cqe->res, BLEN);
	bid = cqe_bid(cqe->flags);
	assert_int_equal(bid, 2);
	t_assert_pattern(p->mem + bid * BLEN, BLEN, 640);
	io_uring_buf_ring_add(p->br, p->mem + bid * BLEN, BLEN,
			      (unsigned short) bid, mask, 0);
	io_uring_buf_ring_cq_advance(ring, p->br, 1);
	assert_int_equal(io_uring_cq_ready(ring), 0);
	assert_available(ring, p->br, BGID, 1);
}

static void bufring_our_memory(void **state)
{
	struct io_uring ring;
	struct pool p;
	uint16_t head;
	int fd, err = 0;

	(void) state;
	T_REQUIRE_OP(IORING_OP_READ);
	t_ring(&ring, 8, 0);
	fd = t_make_file(t_path("ours"), 4096);
	pool_setup(&ring, &p, 8, 0);
	use_pool(&ring, &p, fd);

	/* one ring per group */
	assert_null(io_uring_setup_buf_ring(&ring, 8, BGID, 0, &err));
	assert_int_equal(err, -EEXIST);
	pool_free(&ring, &p);

	/* the group is gone */
	queue_select_read(&ring, fd, BLEN, 0, BGID);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), -ENOBUFS);
	if (!no_pbuf_status)
		assert_int_equal(io_uring_buf_ring_head(&ring, BGID, &head),
				 -ENOENT);
	close(fd);
	io_uring_queue_exit(&ring);
	skip_if_no_pbuf_status();
}

static void bufring_kernel_memory(void **state)
{
	struct io_uring ring;
	struct io_uring_buf_ring *br;
	struct pool p;
	int fd, err = 0;

	(void) state;
	T_REQUIRE_OP(IORING_OP_READ);
	t_ring(&ring, 8, 0);
	br = io_uring_setup_buf_ring(&ring, 4, BGID, IOU_PBUF_RING_MMAP, &err);
	if (!br && err == -EINVAL) {
		io_uring_queue_exit(&ring);
		T_SKIP("kernel lacks IOU_PBUF_RING_MMAP");
	}
	assert_non_null(br);
	assert_int_equal(io_uring_free_buf_ring(&ring, br, 4, BGID), 0);

	fd = t_make_file(t_path("kernel"), 4096);
	pool_setup(&ring, &p, 16, IOU_PBUF_RING_MMAP);
	use_pool(&ring, &p, fd);
	pool_free(&ring, &p);
	close(fd);
	io_uring_queue_exit(&ring);
}

static void bufring_bad_args(void **state)
{
	struct io_uring ring;
	struct io_uring_buf_reg reg;
	int err = 0;

	(void) state;
	t_ring(&ring, 4, 0);
	assert_null(io_uring_setup_buf_ring(&ring, 3, BGID, 0, &err));
	assert_int_equal(err, -EINVAL);
	err = 0;
	assert_null(io_uring_setup_buf_ring(&ring, 65536, BGID, 0, &err));
	assert_int_equal(err, -EINVAL);
	assert_null(io_uring_setup_buf_ring(&ring, 0, BGID, 0, NULL));

	errno = 555;
	assert_int_equal(io_uring_unregister_buf_ring(&ring, 99), -ENOENT);
	assert_int_equal(errno, 555);
	/* a ring address that is not page aligned */
	memset(&reg, 0, sizeof(reg));
	reg.ring_addr = 8;
	reg.ring_entries = 4;
	reg.bgid = 1;
	assert_true(io_uring_register_buf_ring(&ring, &reg, 0) < 0);
	assert_int_equal(io_uring_register_buf_ring(&ring, NULL, 0), -EFAULT);
	io_uring_queue_exit(&ring);
}

/* Register a ring of our own by hand; check mask, init and the cq helpers. */
static void bufring_manual(void **state)
{
	struct io_uring ring;
	struct io_uring_buf_reg reg;
	struct io_uring_buf_ring *br;
	struct io_uring_cqe *cqe;
	unsigned char mem[4 * BLEN];
	size_t sz = 4 * sizeof(struct io_uring_buf);
	int fd, i, mask;

	(void) state;
	T_REQUIRE_OP(IORING_OP_READ);
	assert_int_equal(io_uring_buf_ring_mask(4), 3);
	assert_int_equal(io_uring_buf_ring_mask(32768), 32767);
	t_ring(&ring, 8, 0);
	fd = t_make_file(t_path("manual"), 4096);
	br = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		  -1, 0);
	assert_true(br != MAP_FAILED);
	/* defined bytes (valgrind cannot see the kernel pick a buffer and
	 * fill it); zeros are not the pattern the reads must bring */
	memset(mem, 0, sizeof(mem));
	memset(&reg, 0, sizeof(reg));
	reg.ring_addr = (unsigned long) br;
	reg.ring_entries = 4;
	reg.bgid = 3;
	assert_int_equal(io_uring_register_buf_ring(&ring, &reg, 0), 0);
	br->tail = 1234;	/* init resets what we scribbled */
	io_uring_buf_ring_init(br);
	assert_int_equal(br->tail, 0);
	mask = io_uring_buf_ring_mask(4);

	/* lap the 4-entry ring three times: the tail wraps through the mask */
	for (i = 0; i < 12; i++) {
		io_uring_buf_ring_add(br, mem + (i % 4) * BLEN, BLEN,
				      (unsigned short) (100 + i), mask, 0);
		io_uring_buf_ring_advance(br, 1);
		queue_select_read(&ring, fd, 16, (__u64) i, 3);
		assert_int_equal(io_uring_submit(&ring), 1);
		assert_int_equal(io_uring_wait_cqe(&ring, &cqe), 0);
		assert_int_equal(cqe->res, 16);
		assert_int_equal(cqe_bid(cqe->flags), 100 + i);
		t_assert_pattern(mem + (i % 4) * BLEN, 16, (size_t) i);
		io_uring_cqe_seen(&ring, cqe);
	}
	assert_head(&ring, 3, 12);

	/* two CQEs retired, one buffer given back, in one call */
	for (i = 0; i < 2; i++) {
		io_uring_buf_ring_add(br, mem + i * BLEN, BLEN,
				      (unsigned short) i, mask, i);
	}
	io_uring_buf_ring_advance(br, 2);
	for (i = 0; i < 2; i++)
		queue_select_read(&ring, fd, 8, 0, 3);
	assert_int_equal(io_uring_submit_and_wait(&ring, 2), 2);
	assert_int_equal(io_uring_cq_ready(&ring), 2);
	io_uring_buf_ring_add(br, mem, BLEN, 0, mask, 0);
	__io_uring_buf_ring_cq_advance(&ring, br, 2, 1);
	assert_int_equal(io_uring_cq_ready(&ring), 0);
	assert_available(&ring, br, 3, 1);

	assert_int_equal(io_uring_unregister_buf_ring(&ring, 3), 0);
	/* before 6.9 the list of a low group id (< 64) outlives it: -EINVAL */
	assert_int_equal(io_uring_unregister_buf_ring(&ring, 3),
			 t_kernel_older_than(6, 9) ? -EINVAL : -ENOENT);
	munmap(br, sz);
	close(fd);
	io_uring_queue_exit(&ring);
	skip_if_no_pbuf_status();
}

/* IOU_PBUF_RING_INC: one large buffer consumed piece by piece. */
static void bufring_incremental(void **state)
{
	struct io_uring ring;
	struct io_uring_buf_ring *br;
	unsigned char big[256];
	unsigned flags;
	int fd, err = 0;

	(void) state;
	T_REQUIRE_OP(IORING_OP_READ);
	t_ring(&ring, 8, 0);
	br = io_uring_setup_buf_ring(&ring, 2, BGID, IOU_PBUF_RING_INC, &err);
	if (!br && err == -EINVAL) {
		io_uring_queue_exit(&ring);
		T_SKIP("kernel lacks IOU_PBUF_RING_INC");
	}
	assert_non_null(br);
	fd = t_make_file(t_path("inc"), 4096);
	memset(big, 0, sizeof(big));
	io_uring_buf_ring_add(br, big, sizeof(big), 5,
			      io_uring_buf_ring_mask(2), 0);
	io_uring_buf_ring_advance(br, 1);

	/* 100 + 100 bytes: same buffer, more room left */
	queue_select_read(&ring, fd, 100, 0, BGID);
	assert_int_equal(t_submit_wait(&ring, &flags, NULL), 100);
	assert_int_equal(cqe_bid(flags), 5);
	assert_true(flags & IORING_CQE_F_BUF_MORE);
	queue_select_read(&ring, fd, 100, 100, BGID);
	assert_int_equal(t_submit_wait(&ring, &flags, NULL), 100);
	assert_int_equal(cqe_bid(flags), 5);
	assert_true(flags & IORING_CQE_F_BUF_MORE);
	assert_head(&ring, BGID, 0);

	/* the last 56 bytes use it up */
	queue_select_read(&ring, fd, 100, 200, BGID);
	assert_int_equal(t_submit_wait(&ring, &flags, NULL), 56);
	assert_int_equal(cqe_bid(flags), 5);
	assert_false(flags & IORING_CQE_F_BUF_MORE);
	assert_head(&ring, BGID, 1);
	/* consecutive pieces of the file, in consecutive pieces of the buffer */
	t_assert_pattern(big, sizeof(big), 0);

	queue_select_read(&ring, fd, 100, 0, BGID);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), -ENOBUFS);
	assert_int_equal(io_uring_free_buf_ring(&ring, br, 2, BGID), 0);
	close(fd);
	io_uring_queue_exit(&ring);
}

/* A multishot recv on a socketpair takes one buffer per message. */
static void bufring_recv_multishot(void **state)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	struct pool p;
	char msg[BLEN];
	int sv[2], i;

	(void) state;
	T_REQUIRE_OP(IORING_OP_RECV);
	t_ring(&ring, 8, 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	pool_setup(&ring, &p, 4, 0);
	pool_fill(&p);

	sqe = t_sqe(&ring);
	io_uring_prep_recv_multishot(sqe, sv[0], NULL, 0, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = BGID;
	io_uring_sqe_set_data64(sqe, 77);
	assert_int_equal(io_uring_submit(&ring), 1);

	for (i = 0; i < 4; i++) {
		int len = 10 + i;

		memset(msg, 'a' + i, sizeof(msg));
		assert_int_equal(write(sv[1], msg, (size_t) len), len);
		assert_int_equal(io_uring_wait_cqe(&ring, &cqe), 0);
		if (cqe->res == -EINVAL && i == 0) {
			io_uring_cqe_seen(&ring, cqe);
			T_SKIP("kernel lacks multishot recv");
		}
		assert_int_equal(cqe->user_data, 77);
		assert_int_equal(cqe->res, len);
		assert_true(cqe->flags & IORING_CQE_F_MORE);
		assert_int_equal(cqe_bid(cqe->flags), i);
		assert_int_equal(p.mem[i * BLEN], 'a' + i);
		assert_int_equal(p.mem[i * BLEN + len - 1], 'a' + i);
		assert_int_equal(p.mem[i * BLEN + len], 0);
		io_uring_cqe_seen(&ring, cqe);
	}
	assert_available(&ring, p.br, BGID, 0);

	/* out of buffers: the multishot ends with -ENOBUFS */
	assert_int_equal(write(sv[1], "z", 1), 1);
	assert_int_equal(io_uring_wait_cqe(&ring, &cqe), 0);
	assert_int_equal(cqe->res, -ENOBUFS);
	assert_false(cqe->flags & IORING_CQE_F_MORE);
	io_uring_cqe_seen(&ring, cqe);

	pool_free(&ring, &p);
	t_close_pair(sv);
	io_uring_queue_exit(&ring);
	skip_if_no_pbuf_status();
}

/* Incremental buffers under a multishot recv: several messages, one buffer. */
static void bufring_recv_incremental(void **state)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	struct io_uring_buf_ring *br;
	char big[64];
	int sv[2], i, err = 0;

	(void) state;
	T_REQUIRE_OP(IORING_OP_RECV);
	t_ring(&ring, 8, 0);
	br = io_uring_setup_buf_ring(&ring, 2, BGID,
				     IOU_PBUF_RING_INC | IOU_PBUF_RING_MMAP, &err);
	if (!br && err == -EINVAL) {
		io_uring_queue_exit(&ring);
		T_SKIP("kernel lacks IOU_PBUF_RING_INC");
	}
	assert_non_null(br);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	memset(big, 0, sizeof(big));
	io_uring_buf_ring_add(br, big, sizeof(big), 9, io_uring_buf_ring_mask(2), 0);
	io_uring_buf_ring_advance(br, 1);

	sqe = t_sqe(&ring);
	io_uring_prep_recv_multishot(sqe, sv[0], NULL, 0, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = BGID;
	assert_int_equal(io_uring_submit(&ring), 1);

	/* 3 x 16 bytes: same buffer, consecutive pieces, more room each time */
	for (i = 0; i < 3; i++) {
		char msg[16];

		memset(msg, '0' + i, sizeof(msg));
		assert_int_equal(write(sv[1], msg, sizeof(msg)), sizeof(msg));
		assert_int_equal(io_uring_wait_cqe(&ring, &cqe), 0);
		assert_int_equal(cqe->res, 16);
		assert_int_equal(cqe_bid(cqe->flags), 9);
		assert_true(cqe->flags & IORING_CQE_F_BUF_MORE);
		assert_true(cqe->flags & IORING_CQE_F_MORE);
		assert_int_equal(big[i * 16], '0' + i);
		assert_int_equal(big[i * 16 + 15], '0' + i);
		io_uring_cqe_seen(&ring, cqe);
	}
	close(sv[1]);
	close(sv[0]);
	/* drain what the closing produced (EOF / cancel) */
	while (!t_wait_ms(&ring, 200, NULL, NULL, NULL))
		;
	assert_int_equal(io_uring_free_buf_ring(&ring, br, 2, BGID), 0);
	io_uring_queue_exit(&ring);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bufring_our_memory),
		cmocka_unit_test(bufring_kernel_memory),
		cmocka_unit_test(bufring_bad_args),
		cmocka_unit_test(bufring_manual),
		cmocka_unit_test(bufring_incremental),
		cmocka_unit_test(bufring_recv_multishot),
		cmocka_unit_test(bufring_recv_incremental),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
