/* SPDX-License-Identifier: MIT */
/*
 * IORING_REGISTER_QUERY (Linux 6.18): ask the kernel what it supports,
 * without a ring.  io_uring_register_query() takes a chain of headers; each
 * names one query, points at the struct that receives the answer and gets
 * the query's own result (0 or -errno) back in 'result'.
 *
 * The include guard is the kernel's <linux/io_uring/query.h> guard, so a
 * program that includes both gets one set of definitions.
 */
#ifndef LINUX_IO_URING_QUERY_H
#define LINUX_IO_URING_QUERY_H

#include <linux/types.h>

/* One link of the query chain. */
struct io_uring_query_hdr {
	__u64	next_entry;	/* address of the next header, 0 ends the chain */
	__u64	query_data;	/* address of the answer struct below */
	__u32	query_op;	/* IO_URING_QUERY_* */
	__u32	size;		/* bytes at query_data */
	__s32	result;		/* written by the kernel: 0 or -errno */
	__u32	__resv[3];
};

/* query_op values, and the answer struct each one fills */
enum {
	IO_URING_QUERY_OPCODES	= 0,	/* struct io_uring_query_opcode */
	IO_URING_QUERY_ZCRX	= 1,	/* struct io_uring_query_zcrx */
	IO_URING_QUERY_SCQ	= 2,	/* struct io_uring_query_scq */

	__IO_URING_QUERY_MAX,
};

/* What the kernel knows, as counts and IORING_* / IOSQE_* masks. */
struct io_uring_query_opcode {
	__u32	nr_request_opcodes;	/* IORING_OP_* below this are known */
	__u32	nr_register_opcodes;	/* IORING_REGISTER_* below this are known */
	__u64	feature_flags;		/* IORING_FEAT_* */
	__u64	ring_setup_flags;	/* IORING_SETUP_* */
	__u64	enter_flags;		/* IORING_ENTER_* */
	__u64	sqe_flags;		/* IOSQE_* */
	__u32	nr_query_opcodes;	/* IO_URING_QUERY_* below this are known */
	__u32	__pad;
};

/* Zero-copy receive: what io_uring_register_ifq() accepts. */
struct io_uring_query_zcrx {
	__u64	register_flags;		/* ZCRX_REG_* */
	__u64	area_flags;		/* IORING_ZCRX_AREA_* */
	__u32	nr_ctrl_opcodes;	/* ZCRX_CTRL_* below this are known */
	__u32	features;		/* ZCRX_FEATURE_* */
	__u32	rq_hdr_size;		/* bytes before the refill queue entries */
	__u32	rq_hdr_alignment;	/* alignment those entries need */
	__u64	__resv2;
};

/* Rings in caller memory: room and alignment the SQ/CQ header needs. */
struct io_uring_query_scq {
	__u64	hdr_size;
	__u64	hdr_alignment;
};

#endif /* LINUX_IO_URING_QUERY_H */
