/* SPDX-License-Identifier: MIT */
#ifndef URING_INT_FLAGS_H
#define URING_INT_FLAGS_H

/*
 * ring->int_flags: the library's private state in struct io_uring.  The
 * public header only reserves the byte; the bits are ours alone (programs
 * compiled against liburing's header never read them).  The library's
 * sources and its white-box tests include this header; nothing installs it.
 */
#define INT_FLAG_REG_RING	0x01	/* enter_ring_fd is a registered index */
#define INT_FLAG_REG_REG_RING	0x02	/* ...and io_uring_register() takes it too */
#define INT_FLAG_APP_MEM	0x04	/* rings live in caller memory */
#define INT_FLAG_CQ_ENTER	0x08	/* reaping needs io_uring_enter() */
#define INT_FLAG_NO_IOWAIT	0x10	/* waits do not count as iowait */
/* 16-byte CQEs and IORING_FEAT_EXT_ARG: the header's peek and wait read the
 * head CQE directly (the header names it __IO_URING_INT_CQ_PLAIN) */
#define INT_FLAG_CQ_PLAIN	__IO_URING_INT_CQ_PLAIN
/* neither SQPOLL nor SQ_REWIND, no registered index, iowait on: submit()
 * flushes and enters with no more tests (kept by ring_note_submit()) */
#define INT_FLAG_SUBMIT_PLAIN	0x40

#endif
