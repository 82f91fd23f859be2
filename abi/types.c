/* SPDX-License-Identifier: MIT */
/*
 * Every type the public headers define, for abi/check.sh: compiled with
 * -fno-eliminate-unused-debug-types into a small shared object, its debug
 * info carries each struct, union and enum of <liburing.h> (with every
 * enumerator's value), reachable from a library function or not.
 * abi/headers.abi is its baseline.
 */
#include <liburing.h>

int uring_abi_header_types(void);

int uring_abi_header_types(void)
{
	return 0;
}
