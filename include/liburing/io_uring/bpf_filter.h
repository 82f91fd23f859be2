/* SPDX-License-Identifier: MIT */
/*
 * BPF filters on io_uring requests (IORING_REGISTER_BPF_FILTER): a classic
 * BPF program, attached per opcode to a ring or to the calling task, that
 * sees a struct io_uring_bpf_ctx for every request of that opcode and
 * decides whether it may run.
 *
 * The include guard is the kernel's <linux/io_uring/bpf_filter.h> guard, so
 * a program that includes both gets one set of definitions.
 */
#ifndef LINUX_IO_URING_BPF_FILTER_H
#define LINUX_IO_URING_BPF_FILTER_H

#include <linux/types.h>

/* The data a filter program reads, one per request. */
struct io_uring_bpf_ctx {
	__u64	user_data;
	__u8	opcode;			/* IORING_OP_* */
	__u8	sqe_flags;		/* IOSQE_* */
	__u8	pdu_size;		/* bytes of the opcode's union below */
	__u8	pad[5];
	union {
		struct {		/* IORING_OP_SOCKET */
			__u32	family;
			__u32	type;
			__u32	protocol;
		} socket;
		struct {		/* IORING_OP_OPENAT, IORING_OP_OPENAT2 */
			__u64	flags;
			__u64	mode;
			__u64	resolve;
		} open;
	};
};

/* io_uring_bpf_filter.flags */
enum {
	IO_URING_BPF_FILTER_DENY_REST	= 1,	/* opcodes left without a filter are denied */
	IO_URING_BPF_FILTER_SZ_STRICT	= 2,	/* registration fails unless pdu_size is the kernel's */
};

/* One filter: the program for one opcode. */
struct io_uring_bpf_filter {
	__u32	opcode;			/* IORING_OP_* it applies to */
	__u32	flags;			/* IO_URING_BPF_FILTER_* */
	__u32	filter_len;		/* instructions at filter_ptr */
	__u8	pdu_size;		/* bytes of io_uring_bpf_ctx's union it reads */
	__u8	resv[3];
	__u64	filter_ptr;		/* address of a struct sock_filter array */
	__u64	resv2[5];
};

/* io_uring_bpf.cmd_type */
enum {
	IO_URING_BPF_CMD_FILTER	= 1,
};

/* The argument of io_uring_register_bpf_filter{,_task}(). */
struct io_uring_bpf {
	__u16	cmd_type;		/* IO_URING_BPF_CMD_* */
	__u16	cmd_flags;
	__u32	resv;
	union {
		struct io_uring_bpf_filter	filter;
	};
};

#endif /* LINUX_IO_URING_BPF_FILTER_H */
