/* SPDX-License-Identifier: MIT */
/* The liburing API version this library implements. */
#define LIBURING_INTERNAL
#include "lib.h"

int io_uring_major_version(void)
{
	return IO_URING_VERSION_MAJOR;
}

int io_uring_minor_version(void)
{
	return IO_URING_VERSION_MINOR;
}

/* True when this library is older than major.minor. */
bool io_uring_check_version(int major, int minor)
{
	return IO_URING_CHECK_VERSION(major, minor);
}
