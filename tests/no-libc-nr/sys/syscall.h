/* SPDX-License-Identifier: MIT */
/*
 * A libc whose <sys/syscall.h> does not know io_uring: the real header,
 * with the three numbers taken away (and kept, as enum constants, for
 * tests/syscall_numbers.c to compare with the fallback <liburing.h> gives).
 */
#include_next <sys/syscall.h>

enum {
	libc_nr_io_uring_setup = __NR_io_uring_setup,
	libc_nr_io_uring_enter = __NR_io_uring_enter,
	libc_nr_io_uring_register = __NR_io_uring_register,
};
#undef __NR_io_uring_setup
#undef __NR_io_uring_enter
#undef __NR_io_uring_register
