/* SPDX-License-Identifier: MIT */
/*
 * probe: list every io_uring opcode this header knows and whether the
 * running kernel supports it.
 *
 *   $ ./probe
 *   NOP                  supported
 *   READV                supported
 *   ...
 */
#include <stdio.h>
#include <liburing.h>

/* Opcode names, indexed by IORING_OP_*. */
#define OP(name) [IORING_OP_##name] = #name
static const char *const op_names[IORING_OP_LAST] = {
	OP(NOP), OP(READV), OP(WRITEV), OP(FSYNC), OP(READ_FIXED),
	OP(WRITE_FIXED), OP(POLL_ADD), OP(POLL_REMOVE), OP(SYNC_FILE_RANGE),
	OP(SENDMSG), OP(RECVMSG), OP(TIMEOUT), OP(TIMEOUT_REMOVE), OP(ACCEPT),
	OP(ASYNC_CANCEL), OP(LINK_TIMEOUT), OP(CONNECT), OP(FALLOCATE),
	OP(OPENAT), OP(CLOSE), OP(FILES_UPDATE), OP(STATX), OP(READ), OP(WRITE),
	OP(FADVISE), OP(MADVISE), OP(SEND), OP(RECV), OP(OPENAT2),
	OP(EPOLL_CTL), OP(SPLICE), OP(PROVIDE_BUFFERS), OP(REMOVE_BUFFERS),
	OP(TEE), OP(SHUTDOWN), OP(RENAMEAT), OP(UNLINKAT), OP(MKDIRAT),
	OP(SYMLINKAT), OP(LINKAT), OP(MSG_RING), OP(FSETXATTR), OP(SETXATTR),
	OP(FGETXATTR), OP(GETXATTR), OP(SOCKET), OP(URING_CMD), OP(SEND_ZC),
	OP(SENDMSG_ZC), OP(READ_MULTISHOT), OP(WAITID), OP(FUTEX_WAIT),
	OP(FUTEX_WAKE), OP(FUTEX_WAITV), OP(FIXED_FD_INSTALL), OP(FTRUNCATE),
	OP(BIND), OP(LISTEN), OP(RECV_ZC), OP(EPOLL_WAIT), OP(READV_FIXED),
	OP(WRITEV_FIXED), OP(PIPE), OP(NOP128), OP(URING_CMD128),
};
#undef OP

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

	for (op = 0; op < IORING_OP_LAST; op++)
		printf("%-20s %s\n", op_names[op] ? op_names[op] : "?",
		       io_uring_opcode_supported(probe, op) ?
		       "supported" : "not supported");

	io_uring_free_probe(probe);
	return 0;
}
