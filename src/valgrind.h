/* SPDX-License-Identifier: MIT */
/*
 * Memcheck support (builds with -DURING_VALGRIND only; see
 * tests/run-valgrind.sh).  The kernel fills the output buffers of requests
 * without valgrind seeing the writes, so data read through io_uring would
 * look uninitialised.  As SQEs are handed to the kernel, mark the memory
 * each one will write as defined.  (Buffers of a provided buffer ring,
 * chosen by the kernel at run time, cannot be marked this way: programs
 * that read them should initialise them first.)  Without URING_VALGRIND this
 * header defines a no-op and pulls in nothing.
 */
#ifndef URING_VALGRIND_H
#define URING_VALGRIND_H

#ifndef URING_VALGRIND

#define uring_valgrind_sqes(ring, from, to)	((void) 0)

#else

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <signal.h>
#include <valgrind/memcheck.h>

static inline void vg_defined(__u64 addr, size_t len)
{
	if (addr && len)
		VALGRIND_MAKE_MEM_DEFINED((void *) (uintptr_t) addr, len);
}

static inline void vg_iovecs(__u64 addr, unsigned nr)
{
	const struct iovec *iov = (const struct iovec *) (uintptr_t) addr;
	unsigned i;

	if (!iov || nr > 1024)
		return;
	for (i = 0; i < nr; i++)
		vg_defined((__u64) (uintptr_t) iov[i].iov_base, iov[i].iov_len);
}

/* What the kernel writes for this SQE, marked defined. */
static inline void vg_sqe(const struct io_uring_sqe *sqe)
{
	bool select = sqe->flags & IOSQE_BUFFER_SELECT;

	switch (sqe->opcode) {
	case IORING_OP_READ:
	case IORING_OP_READ_FIXED:
	case IORING_OP_RECV:
		if (!select)
			vg_defined(sqe->addr, sqe->len);
		break;
	case IORING_OP_READV:
	case IORING_OP_READV_FIXED:
		if (!select)
			vg_iovecs(sqe->addr, sqe->len);
		break;
	case IORING_OP_RECVMSG: {
		struct msghdr *msg = (struct msghdr *) (uintptr_t) sqe->addr;

		if (!msg)
			break;
		vg_defined(sqe->addr, sizeof(*msg));
		vg_defined((__u64) (uintptr_t) msg->msg_name, msg->msg_namelen);
		vg_defined((__u64) (uintptr_t) msg->msg_control,
			   msg->msg_controllen);
		if (!select)
			vg_iovecs((__u64) (uintptr_t) msg->msg_iov,
				  (unsigned) msg->msg_iovlen);
		break;
	}
	case IORING_OP_ACCEPT: {
		socklen_t *len = (socklen_t *) (uintptr_t) sqe->addr2;

		if (len) {
			vg_defined(sqe->addr, *len);
			vg_defined(sqe->addr2, sizeof(*len));
		}
		break;
	}
	case IORING_OP_PROVIDE_BUFFERS:
		/* nr buffers of len bytes each, for the kernel to fill */
		vg_defined(sqe->addr, (size_t) sqe->len * (unsigned) sqe->fd);
		break;
	case IORING_OP_STATX:
		vg_defined(sqe->addr2, sizeof(struct statx));
		break;
	case IORING_OP_GETXATTR:
	case IORING_OP_FGETXATTR:
		vg_defined(sqe->addr2, sqe->len);
		break;
	case IORING_OP_EPOLL_WAIT:
		vg_defined(sqe->addr, (size_t) sqe->len *
				      sizeof(struct epoll_event));
		break;
	case IORING_OP_PIPE:
		vg_defined(sqe->addr, 2 * sizeof(int));
		break;
	case IORING_OP_WAITID:
		vg_defined(sqe->addr2, sizeof(siginfo_t));
		break;
	case IORING_OP_URING_CMD:
		if (sqe->cmd_op == SOCKET_URING_OP_GETSOCKOPT)
			vg_defined(sqe->optval, sqe->optlen);
		break;
	default:
		break;
	}
}

/* SQ slots [from, to) are about to be handed to the kernel. */
static inline void uring_valgrind_sqes(struct io_uring *ring, unsigned from,
				       unsigned to)
{
	unsigned shift = io_uring_sqe_shift(ring);

	for (; from != to; from++)
		vg_sqe(&ring->sq.sqes[(from & ring->sq.ring_mask) << shift]);
}

#endif
#endif
