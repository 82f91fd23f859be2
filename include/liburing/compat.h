/* SPDX-License-Identifier: MIT */
/*
 * The kernel types that the io_uring headers and the library's prototypes
 * use, in one place.  Language bindings include this header directly.
 *
 * Each name comes from the system's kernel headers; where those are too
 * old to have it (all but __kernel_rwf_t), it is defined here with the
 * kernel's layout:
 *   __kernel_rwf_t            <linux/fs.h>
 *   struct __kernel_timespec  <linux/time_types.h>
 *   struct open_how           <linux/openat2.h>
 *   struct futex_waitv        <linux/futex.h>
 *   BLOCK_URING_CMD_*         <linux/blkdev.h>
 */
#ifndef LIBURING_COMPAT_H
#define LIBURING_COMPAT_H

#include <linux/types.h>
#include <linux/ioctl.h>
#include <linux/fs.h>
#include <linux/futex.h>

#ifdef __has_include
#if __has_include(<linux/time_types.h>)
#include <linux/time_types.h>
#define __URING_HAVE_TIME_TYPES_H
#endif
#if __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#define __URING_HAVE_OPENAT2_H
#endif
#if __has_include(<linux/blkdev.h>)
#include <linux/blkdev.h>
#endif
#else
/* without __has_include, assume headers of Linux 5.6 or later */
#include <linux/time_types.h>
#include <linux/openat2.h>
#define __URING_HAVE_TIME_TYPES_H
#define __URING_HAVE_OPENAT2_H
#endif

#ifndef __URING_HAVE_TIME_TYPES_H
struct __kernel_timespec {		/* Linux 5.1 */
	long long	tv_sec;
	long long	tv_nsec;
};
#endif

#ifndef __URING_HAVE_OPENAT2_H
struct open_how {			/* Linux 5.6 */
	__u64	flags;
	__u64	mode;
	__u64	resolve;
};
#endif
#undef __URING_HAVE_TIME_TYPES_H
#undef __URING_HAVE_OPENAT2_H

#ifndef FUTEX_WAITV_MAX
struct futex_waitv {			/* Linux 5.16 */
	__u64	val;
	__u64	uaddr;
	__u32	flags;
	__u32	__reserved;
};
#endif

/* io_uring commands for block devices (IORING_OP_URING_CMD) */
#ifndef BLOCK_URING_CMD_DISCARD
#define BLOCK_URING_CMD_DISCARD		_IO(0x12, 0)
#endif
#ifndef BLOCK_URING_CMD_ZONE_RESET_ALL
#define BLOCK_URING_CMD_ZONE_RESET_ALL	_IO(0x12, 1)
#endif

#endif /* LIBURING_COMPAT_H */
