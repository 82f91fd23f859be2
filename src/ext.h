/* SPDX-License-Identifier: MIT */
/* What the uring extension sources share; nothing here is exported. */
#ifndef URING_EXT_H
#define URING_EXT_H

#include <stddef.h>

/* A message built piece by piece into a caller's buffer, snprintf-style:
 * pos counts every byte asked for, even past len. */
struct uring_msg {
	char *buf;
	size_t len;
	size_t pos;
};

void uring_msg_add(struct uring_msg *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

int uring_flags_str(unsigned flags, const char *(*name)(unsigned),
		    char *buf, size_t len);

/* The setup flags flag cannot work without (all of them), and the flags of
 * which it needs at least one. */
struct uring_flag_deps {
	unsigned all;
	unsigned any;
};
struct uring_flag_deps uring_setup_flag_deps(unsigned flag);

/* Every IORING_SETUP_* flag this header knows. */
#define URING_KNOWN_SETUP_FLAGS	((IORING_SETUP_SQ_REWIND << 1) - 1)

/* Read a decimal value from a /proc file; -errno when it cannot. */
int uring_read_proc_long(const char *path, long *val);
/* The value of "Key:" in /proc/self/status; -errno when absent. */
int uring_proc_status(const char *key, long *val);
/* Is capability cap in the effective set? */
bool uring_has_cap(unsigned cap);
/*
 * Is io_uring_register opcode refused before the kernel's io_uring sees it
 * (a seccomp filter, a security module)?  Its -EPERM / -EACCES / -ENOSYS,
 * or 0.
 */
int uring_register_refused(unsigned opcode);

#endif
