/* SPDX-License-Identifier: MIT */
/*
 * Linked chains under load: many chains in flight at once, each of random
 * length with one link (or none) failing somewhere in the middle.
 *
 * IOSQE_IO_LINK, failure while running (bad fd, short read, an expired
 * timeout, an injected NOP error): the links before it complete normally,
 * the failing one with its error, every later one with -ECANCELED.
 * IOSQE_IO_LINK, failure while the kernel assembles the chain (an unknown
 * opcode): the failing link gets -EINVAL and every other one -ECANCELED.
 * IOSQE_IO_HARDLINK: a failure does not sever the chain; every link
 * completes with its own result.
 */
#include "stress.h"

#include <sys/mman.h>

#define FILE_LEN	4096
#define READ_LEN	64
#define MAX_CHAIN	8
#define MAX_CHAINS	32
#define MAX_REQS	(MAX_CHAIN * MAX_CHAINS)

enum elem {
	E_NOP,		/* ok: 0 */
	E_TIMEOUT_OK,	/* ok: -ETIME, with IORING_TIMEOUT_ETIME_SUCCESS */
	E_READ,		/* ok: READ_LEN */
	E_OK_KINDS,
	/* failing kinds */
	E_BADFD = E_OK_KINDS,	/* -EBADF */
	E_SHORT,	/* a short read: fails a soft link with a count */
	E_TIMEOUT,	/* -ETIME without ETIME_SUCCESS */
	E_INJECT,	/* a NOP told to fail with -EIO */
	E_BADOP,	/* unknown opcode: fails at init, -EINVAL */
	E_KINDS,
};

struct links {
	struct st_track t;
	int memfd;
	bool have_inject;
	struct __kernel_timespec ts[MAX_REQS];
	unsigned off[MAX_REQS];
	unsigned char kind[MAX_REQS];
	unsigned char buf[MAX_REQS][READ_LEN];
	unsigned long chains, failed, by_kind[E_KINDS], stops;
};

static int elem_result(enum elem e)
{
	switch (e) {
	case E_NOP: return 0;
	case E_TIMEOUT_OK: return -ETIME;
	case E_READ: return READ_LEN;
	case E_BADFD: return -EBADF;
	case E_SHORT: return 16;
	case E_TIMEOUT: return -ETIME;
	case E_INJECT: return -EIO;
	case E_BADOP: return -EINVAL;
	default: return ST_ANY;
	}
}

static void prep_elem(struct links *l, struct io_uring_sqe *sqe, unsigned ud,
		      enum elem e, unsigned long long *rng)
{
	l->kind[ud] = (unsigned char) e;
	switch (e) {
	case E_NOP:
		io_uring_prep_nop(sqe);
		break;
	case E_TIMEOUT_OK:
	case E_TIMEOUT:
		l->ts[ud] = st_ts_ns(st_range(rng, 1000, 10000));
		io_uring_prep_timeout(sqe, &l->ts[ud], 0,
				      e == E_TIMEOUT_OK ?
				      IORING_TIMEOUT_ETIME_SUCCESS : 0);
		break;
	case E_READ:
		l->off[ud] = st_range(rng, 0, FILE_LEN - READ_LEN);
		io_uring_prep_read(sqe, l->memfd, l->buf[ud], READ_LEN,
				   l->off[ud]);
		break;
	case E_SHORT:
		l->off[ud] = FILE_LEN - 16;
		io_uring_prep_read(sqe, l->memfd, l->buf[ud], READ_LEN,
				   l->off[ud]);
		break;
	case E_BADFD:
		io_uring_prep_read(sqe, 1 << 20, l->buf[ud], READ_LEN, 0);
		break;
	case E_INJECT:
		io_uring_prep_nop(sqe);
		sqe->nop_flags = IORING_NOP_INJECT_RESULT;
		sqe->len = (__u32) -EIO;
		break;
	default:
		io_uring_prep_nop(sqe);
		sqe->opcode = 0xfe;
		break;
	}
	io_uring_sqe_set_data64(sqe, ud);
}

/* A failing kind this kernel supports (and, for hard links, not BADOP). */
static enum elem pick_failure(struct links *l, bool hard,
			      unsigned long long *rng)
{
	for (;;) {
		enum elem e = (enum elem) st_range(rng, E_OK_KINDS, E_KINDS - 1);

		if (e == E_INJECT && !l->have_inject)
			continue;
		if (e == E_BADOP && hard)
			continue;
		return e;
	}
}

/*
 * Queue one chain of len links starting at user_data base, failing at
 * fail (or nowhere when fail >= len), and arm the expected results.
 */
static void queue_chain(struct io_uring *ring, struct links *l, unsigned base,
			unsigned len, unsigned fail, bool hard,
			unsigned long long *rng)
{
	enum elem kinds[MAX_CHAIN];
	unsigned i;
	bool init_fail = false;

	for (i = 0; i < len; i++) {
		if (i == fail)
			kinds[i] = pick_failure(l, hard, rng);
		else
			kinds[i] = (enum elem) st_range(rng, 0, E_OK_KINDS - 1);
		if (kinds[i] == E_BADOP)
			init_fail = true;
	}
	for (i = 0; i < len; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
		int want = elem_result(kinds[i]);

		assert_non_null(sqe);
		prep_elem(l, sqe, base + i, kinds[i], rng);
		if (i < len - 1)
			sqe->flags |= hard ? IOSQE_IO_HARDLINK : IOSQE_IO_LINK;
		if (!hard && (init_fail ? i != fail : i > fail))
			want = -ECANCELED;
		st_expect(&l->t, base + i, want);
	}
	if (fail < len) {
		l->failed++;
		l->by_kind[kinds[fail]]++;
	}
	l->chains++;
}

/*
 * Submit everything queued.  A chain that fails while being assembled ends
 * the batch (unless the ring has IORING_SETUP_SUBMIT_ALL): the SQEs after
 * it stay in the SQ ring and the next submit picks them up.
 */
static void submit_all(struct io_uring *ring, unsigned long *stops)
{
	unsigned queued, tries = 0;
	int ret;

	while ((queued = io_uring_sq_ready(ring))) {
		ret = io_uring_submit(ring);
		assert_true(ret > 0);
		if ((unsigned) ret < queued) {
			(*stops)++;
			assert_false(ring->flags & IORING_SETUP_SUBMIT_ALL);
		}
		assert_true(++tries < 1000);
	}
}

/* Full reads must have read the file's pattern. */
static void check_reads(struct links *l, unsigned n)
{
	unsigned ud, i;

	for (ud = 0; ud < n; ud++) {
		if (l->kind[ud] != E_READ || l->t.res[ud] != READ_LEN)
			continue;
		for (i = 0; i < READ_LEN; i++)
			if (l->buf[ud][i] != t_pattern(l->off[ud] + i))
				fail_msg("user_data %u: byte %u wrong", ud, i);
	}
}

static void links_run(bool hard, unsigned ring_flags)
{
	struct io_uring ring;
	struct links *l = calloc(1, sizeof(*l));
	struct st_clock clk;
	unsigned long long rng = st_seed();
	unsigned c, nr_chains, len, fail, n;
	unsigned char file[FILE_LEN];
	unsigned i;

	assert_non_null(l);
	t_ring(&ring, 64, ring_flags);
	l->have_inject = true;	/* NOP result injection: kernel 6.10+ */
	{
		struct io_uring_sqe *sqe = t_sqe(&ring);

		io_uring_prep_nop(sqe);
		sqe->nop_flags = IORING_NOP_INJECT_RESULT;
		sqe->len = (__u32) -EIO;
		if (t_submit_wait(&ring, NULL, NULL) != -EIO)
			l->have_inject = false;
	}
	l->memfd = memfd_create("links", 0);
	assert_true(l->memfd >= 0);
	for (i = 0; i < FILE_LEN; i++)
		file[i] = t_pattern(i);
	assert_int_equal(pwrite(l->memfd, file, FILE_LEN, 0), FILE_LEN);
	st_track_init(&l->t, MAX_REQS);

	st_clock_start(&clk, ST_DEFAULT_MS);
	while (st_more(&clk)) {
		st_track_reset(&l->t);
		nr_chains = st_range(&rng, 1, MAX_CHAINS);
		n = 0;
		for (c = 0; c < nr_chains; c++) {
			len = st_range(&rng, 2, MAX_CHAIN);
			/* a quarter of the chains do not fail at all */
			fail = st_range(&rng, 0, len + len / 3);
			/* a chain must not be split across two submits */
			if (io_uring_sq_space_left(&ring) < len)
				submit_all(&ring, &l->stops);
			queue_chain(&ring, l, n, len, fail, hard, &rng);
			n += len;
		}
		submit_all(&ring, &l->stops);
		st_drain(&ring, &l->t, n);
		st_track_assert_all(&l->t, n);
		check_reads(l, n);
	}
	print_message("# %s: %lu rounds, %lu chains (%lu with a failing link: "
		      "badfd %lu short %lu timeout %lu inject %lu badop %lu), %lu requests, "
		      "%lu submits stopped early, %.1fs\n",
		      hard ? "hardlink" : ring_flags ? "link, SUBMIT_ALL" : "link",
		      clk.rounds, l->chains,
		      l->failed, l->by_kind[E_BADFD], l->by_kind[E_SHORT],
		      l->by_kind[E_TIMEOUT], l->by_kind[E_INJECT],
		      l->by_kind[E_BADOP], l->t.total, l->stops,
		      st_elapsed_s(&clk));
	close(l->memfd);
	st_track_free(&l->t);
	free(l);
	io_uring_queue_exit(&ring);
}

static void link_mid_fail(void **state)
{
	(void) state;
	links_run(false, 0);
}

/* The same, but a chain failing at init does not end the batch. */
static void link_mid_fail_submit_all(void **state)
{
	(void) state;
	links_run(false, IORING_SETUP_SUBMIT_ALL);
}

static void hardlink_mid_fail(void **state)
{
	(void) state;
	links_run(true, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(link_mid_fail),
		cmocka_unit_test(link_mid_fail_submit_all),
		cmocka_unit_test(hardlink_mid_fail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
