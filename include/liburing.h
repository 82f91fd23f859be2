/* SPDX-License-Identifier: MIT */
/*
 * liburing's include path: <liburing.h> is uring's public API, so programs
 * written for liburing build unchanged.
 */
#ifndef LIB_URING_H
#define LIB_URING_H

#include "uring.h"

#endif
