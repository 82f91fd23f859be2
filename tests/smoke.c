/* SPDX-License-Identifier: MIT */
/* The smallest end-to-end check: a NOP goes in, its CQE comes out. */
#include "helpers.h"

static void nop_roundtrip(void **state)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	__u64 ud = 0;

	(void) state;
	t_ring(&ring, 4, 0);
	sqe = t_sqe(&ring);
	io_uring_prep_nop(sqe);
	io_uring_sqe_set_data64(sqe, 42);
	assert_int_equal(t_submit_wait(&ring, NULL, &ud), 0);
	assert_int_equal(ud, 42);
	io_uring_queue_exit(&ring);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nop_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
