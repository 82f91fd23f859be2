/* SPDX-License-Identifier: MIT */
/*
 * The opcode probe: io_uring_get_probe(), io_uring_get_probe_ring(),
 * io_uring_register_probe(), io_uring_opcode_supported() and freeing.
 * What the probe says must agree with what the kernel does.
 */
#include "helpers.h"

#define PROBE_OPS	256

static size_t probe_size(unsigned nr)
{
	return sizeof(struct io_uring_probe) + nr * sizeof(struct io_uring_probe_op);
}

/* Submit one SQE with opcode op (fields zeroed, fd -1) and return its res. */
static int run_raw_op(struct io_uring *ring, int op)
{
	struct io_uring_sqe *sqe = t_sqe(ring);

	io_uring_prep_nop(sqe);
	sqe->opcode = (__u8) op;
	return t_submit_wait(ring, NULL, NULL);
}

static void check_probe_shape(const struct io_uring_probe *p)
{
	unsigned i;

	assert_true(p->last_op >= IORING_OP_READ);
	/* last_op and ops_len are 8-bit: they always fit PROBE_OPS entries */
	assert_true(p->ops_len > 0);
	assert_int_equal(p->ops_len, p->last_op + 1);
	for (i = 0; i < p->ops_len; i++)
		assert_int_equal(p->ops[i].op, i);
}

static void get_probe(void **state)
{
	struct io_uring_probe *p;

	(void) state;
	p = io_uring_get_probe();
	assert_non_null(p);
	check_probe_shape(p);
	assert_true(io_uring_opcode_supported(p, IORING_OP_NOP));
	assert_true(io_uring_opcode_supported(p, IORING_OP_READ));
	assert_true(io_uring_opcode_supported(p, IORING_OP_WRITE));
	/* malloc'd: plain free() is enough (ASan checks the pairing) */
	free(p);
}

static void get_probe_ring(void **state)
{
	struct io_uring_probe *a, *b;
	struct io_uring ring;

	(void) state;
	t_ring(&ring, 4, 0);
	a = io_uring_get_probe_ring(&ring);
	b = io_uring_get_probe();
	assert_non_null(a);
	assert_non_null(b);
	check_probe_shape(a);
	/* same kernel, same answer */
	assert_int_equal(a->last_op, b->last_op);
	assert_memory_equal(a->ops, b->ops, a->ops_len * sizeof(a->ops[0]));
	io_uring_free_probe(a);
	io_uring_free_probe(b);
	io_uring_free_probe(NULL);
	io_uring_queue_exit(&ring);
}

/* Ops the probe calls supported really run. */
static void probe_agrees_with_kernel(void **state)
{
	struct io_uring_probe *p;
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	char buf[32];
	int fd;

	(void) state;
	t_ring(&ring, 4, 0);
	p = io_uring_get_probe_ring(&ring);
	assert_non_null(p);

	assert_true(io_uring_opcode_supported(p, IORING_OP_NOP));
	assert_int_equal(run_raw_op(&ring, IORING_OP_NOP), 0);

	assert_true(io_uring_opcode_supported(p, IORING_OP_READ));
	fd = t_make_file(t_path("probe"), 64);
	sqe = t_sqe(&ring);
	io_uring_prep_read(sqe, fd, buf, sizeof(buf), 8);
	assert_int_equal(t_submit_wait(&ring, NULL, NULL), sizeof(buf));
	assert_int_equal((unsigned char) buf[0], t_pattern(8));
	close(fd);

	/* beyond last_op: reported unsupported, and refused by the kernel */
	assert_false(io_uring_opcode_supported(p, p->last_op + 1));
	assert_false(io_uring_opcode_supported(p, IORING_OP_LAST + 1));
	assert_false(io_uring_opcode_supported(p, 255));
	assert_false(io_uring_opcode_supported(p, 1000));
	if (p->last_op + 1 < 256)
		assert_int_equal(run_raw_op(&ring, p->last_op + 1), -EINVAL);
	assert_int_equal(run_raw_op(&ring, 255), -EINVAL);

	/* nonsense arguments */
	assert_false(io_uring_opcode_supported(NULL, IORING_OP_NOP));
	assert_false(io_uring_opcode_supported(NULL, 0));
	assert_false(io_uring_opcode_supported(p, -1));
	assert_false(io_uring_opcode_supported(p, -1000));
	free(p);
	io_uring_queue_exit(&ring);
}

/* Every opcode below IORING_OP_LAST that this kernel lists is known to it. */
static void probe_each_listed_op(void **state)
{
	struct io_uring_probe *p;
	unsigned i, supported = 0;

	(void) state;
	p = io_uring_get_probe();
	assert_non_null(p);
	for (i = 0; i <= p->last_op; i++) {
		bool s = io_uring_opcode_supported(p, (int) i);

		assert_int_equal(s, !!(p->ops[i].flags & IO_URING_OP_SUPPORTED));
		supported += s;
	}
	print_message("# kernel last_op %u, %u opcodes supported\n",
		      p->last_op, supported);
	assert_true(supported > IORING_OP_READ);
	free(p);
}

static void register_probe(void **state)
{
	struct io_uring_probe *p;
	struct io_uring ring;
	unsigned last;

	(void) state;
	t_ring(&ring, 4, 0);
	p = calloc(1, probe_size(PROBE_OPS));
	assert_non_null(p);
	assert_int_equal(io_uring_register_probe(&ring, p, PROBE_OPS), 0);
	check_probe_shape(p);
	last = p->last_op;

	/* the kernel wants a zeroed buffer */
	assert_int_equal(io_uring_register_probe(&ring, p, PROBE_OPS), -EINVAL);

	/* a short buffer: only that many ops are filled, last_op is still true */
	memset(p, 0, probe_size(PROBE_OPS));
	assert_int_equal(io_uring_register_probe(&ring, p, 4), 0);
	assert_int_equal(p->last_op, last);
	assert_int_equal(p->ops_len, 4);
	assert_true(p->ops[IORING_OP_NOP].flags & IO_URING_OP_SUPPORTED);
	assert_int_equal(p->ops[4].flags, 0);
	free(p);
	io_uring_queue_exit(&ring);
}

static void probe_bad_input(void **state)
{
	(void) state;
	assert_null(io_uring_get_probe_ring(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(get_probe),
		cmocka_unit_test(get_probe_ring),
		cmocka_unit_test(probe_agrees_with_kernel),
		cmocka_unit_test(probe_each_listed_op),
		cmocka_unit_test(register_probe),
		cmocka_unit_test(probe_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
