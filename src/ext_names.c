/* SPDX-License-Identifier: MIT */
/*
 * uring extensions: printable names for opcodes, setup flags, features and
 * register opcodes, as the UAPI spells them without their prefix.
 */
#define LIBURING_INTERNAL
#include "lib.h"
#include "ext.h"

#define OP(x)	[IORING_OP_##x] = #x
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

/* indexed by bit number */
#define BIT(prefix, x)	[__builtin_ctz(prefix##x)] = #x
static const char *const setup_names[32] = {
	BIT(IORING_SETUP_, IOPOLL), BIT(IORING_SETUP_, SQPOLL),
	BIT(IORING_SETUP_, SQ_AFF), BIT(IORING_SETUP_, CQSIZE),
	BIT(IORING_SETUP_, CLAMP), BIT(IORING_SETUP_, ATTACH_WQ),
	BIT(IORING_SETUP_, R_DISABLED), BIT(IORING_SETUP_, SUBMIT_ALL),
	BIT(IORING_SETUP_, COOP_TASKRUN), BIT(IORING_SETUP_, TASKRUN_FLAG),
	BIT(IORING_SETUP_, SQE128), BIT(IORING_SETUP_, CQE32),
	BIT(IORING_SETUP_, SINGLE_ISSUER), BIT(IORING_SETUP_, DEFER_TASKRUN),
	BIT(IORING_SETUP_, NO_MMAP), BIT(IORING_SETUP_, REGISTERED_FD_ONLY),
	BIT(IORING_SETUP_, NO_SQARRAY), BIT(IORING_SETUP_, HYBRID_IOPOLL),
	BIT(IORING_SETUP_, CQE_MIXED), BIT(IORING_SETUP_, SQE_MIXED),
	BIT(IORING_SETUP_, SQ_REWIND),
};

static const char *const feature_names[32] = {
	BIT(IORING_FEAT_, SINGLE_MMAP), BIT(IORING_FEAT_, NODROP),
	BIT(IORING_FEAT_, SUBMIT_STABLE), BIT(IORING_FEAT_, RW_CUR_POS),
	BIT(IORING_FEAT_, CUR_PERSONALITY), BIT(IORING_FEAT_, FAST_POLL),
	BIT(IORING_FEAT_, POLL_32BITS), BIT(IORING_FEAT_, SQPOLL_NONFIXED),
	BIT(IORING_FEAT_, EXT_ARG), BIT(IORING_FEAT_, NATIVE_WORKERS),
	BIT(IORING_FEAT_, RSRC_TAGS), BIT(IORING_FEAT_, CQE_SKIP),
	BIT(IORING_FEAT_, LINKED_FILE), BIT(IORING_FEAT_, REG_REG_RING),
	BIT(IORING_FEAT_, RECVSEND_BUNDLE), BIT(IORING_FEAT_, MIN_TIMEOUT),
	BIT(IORING_FEAT_, RW_ATTR), BIT(IORING_FEAT_, NO_IOWAIT),
};
#undef BIT

#define REG(x)	[IORING_##x] = #x
static const char *const register_names[IORING_REGISTER_LAST] = {
	REG(REGISTER_BUFFERS), REG(UNREGISTER_BUFFERS), REG(REGISTER_FILES),
	REG(UNREGISTER_FILES), REG(REGISTER_EVENTFD), REG(UNREGISTER_EVENTFD),
	REG(REGISTER_FILES_UPDATE), REG(REGISTER_EVENTFD_ASYNC),
	REG(REGISTER_PROBE), REG(REGISTER_PERSONALITY),
	REG(UNREGISTER_PERSONALITY), REG(REGISTER_RESTRICTIONS),
	REG(REGISTER_ENABLE_RINGS), REG(REGISTER_FILES2),
	REG(REGISTER_FILES_UPDATE2), REG(REGISTER_BUFFERS2),
	REG(REGISTER_BUFFERS_UPDATE), REG(REGISTER_IOWQ_AFF),
	REG(UNREGISTER_IOWQ_AFF), REG(REGISTER_IOWQ_MAX_WORKERS),
	REG(REGISTER_RING_FDS), REG(UNREGISTER_RING_FDS),
	REG(REGISTER_PBUF_RING), REG(UNREGISTER_PBUF_RING),
	REG(REGISTER_SYNC_CANCEL), REG(REGISTER_FILE_ALLOC_RANGE),
	REG(REGISTER_PBUF_STATUS), REG(REGISTER_NAPI), REG(UNREGISTER_NAPI),
	REG(REGISTER_CLOCK), REG(REGISTER_CLONE_BUFFERS),
	REG(REGISTER_SEND_MSG_RING), REG(REGISTER_ZCRX_IFQ),
	REG(REGISTER_RESIZE_RINGS), REG(REGISTER_MEM_REGION),
	REG(REGISTER_QUERY), REG(REGISTER_ZCRX_CTRL), REG(REGISTER_BPF_FILTER),
};
#undef REG

/* The name of the single bit flag in a 32-entry table, or NULL. */
static const char *bit_name(const char *const names[32], unsigned flag)
{
	if (!flag || (flag & (flag - 1)))
		return NULL;
	return names[__builtin_ctz(flag)];
}

const char *uring_opcode_name(int op)
{
	if (op < 0 || op >= IORING_OP_LAST)
		return NULL;
	return op_names[op];
}

const char *uring_setup_flag_name(unsigned flag)
{
	return bit_name(setup_names, flag);
}

const char *uring_feature_name(unsigned feature)
{
	return bit_name(feature_names, feature);
}

const char *uring_register_op_name(unsigned opcode)
{
	if (opcode >= IORING_REGISTER_LAST)
		return NULL;
	return register_names[opcode];
}

/* "A|B|0x100000": the names of the bits in flags; returns what snprintf would. */
int uring_flags_str(unsigned flags, const char *(*name)(unsigned),
		    char *buf, size_t len)
{
	struct uring_msg m = { buf, len, 0 };
	unsigned bit, unknown = 0;

	if (len)
		buf[0] = '\0';
	for (bit = 0; bit < 32; bit++) {
		unsigned f = 1U << bit;
		const char *n;

		if (!(flags & f))
			continue;
		n = name(f);
		if (!n) {
			unknown |= f;
			continue;
		}
		uring_msg_add(&m, "%s%s", m.pos ? "|" : "", n);
	}
	if (unknown)
		uring_msg_add(&m, "%s0x%x", m.pos ? "|" : "", unknown);
	if (!flags)
		uring_msg_add(&m, "0");
	return (int) m.pos;
}
