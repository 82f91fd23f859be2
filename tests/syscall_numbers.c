/* SPDX-License-Identifier: MIT */
/*
 * Compiled with tests/no-libc-nr first on the include path, so libc's
 * <sys/syscall.h> lacks the io_uring numbers: the ones <liburing.h> then
 * defines must be the kernel's for the target architecture.
 * tests/syscall-numbers.sh compiles it with every cross compiler it finds.
 */
#include <liburing.h>

_Static_assert(__NR_io_uring_setup == libc_nr_io_uring_setup, "__NR_io_uring_setup");
_Static_assert(__NR_io_uring_enter == libc_nr_io_uring_enter, "__NR_io_uring_enter");
_Static_assert(__NR_io_uring_register == libc_nr_io_uring_register,
	       "__NR_io_uring_register");
