/* SPDX-License-Identifier: MIT */
/*
 * A program's own header named uring.h, as programs written for liburing
 * have: guarded by URING_H, it includes <liburing.h> and declares the
 * program's helpers in terms of liburing's types.  tests/source_compat.c
 * includes it first: <liburing.h> must not be skipped because of the
 * program's guard.
 */
#ifndef URING_H
#define URING_H

#include <liburing.h>

#define APP_QUEUE_DEPTH	4

int app_submit_nop(struct io_uring *ring, __u64 user_data);

#endif
