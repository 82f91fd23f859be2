/* SPDX-License-Identifier: MIT */
/*
 * probe: list every io_uring opcode this library knows and whether the
 * running kernel supports it.
 *
 *   $ ./probe
 *   NOP                  supported
 *   READV                supported
 *   ...
 */
#include <stdio.h>
#include <liburing.h>

int main(void)
{
	struct io_uring_probe *probe;
	int op;

	/* io_uring_get_probe() sets up a throwaway ring and asks the kernel
	 * (IORING_REGISTER_PROBE) which opcodes it knows. */
	probe = io_uring_get_probe();
	if (!probe) {
		fprintf(stderr, "probe: io_uring is not available here\n");
		return 1;
	}

	for (op = 0; op < IORING_OP_LAST; op++) {
		/* one of this library's extensions (uring.h): NULL if unknown */
		const char *name = uring_opcode_name(op);

		printf("%-20s %s\n", name ? name : "?",
		       io_uring_opcode_supported(probe, op) ?
		       "supported" : "not supported");
	}

	io_uring_free_probe(probe);
	return 0;
}
