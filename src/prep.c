/* SPDX-License-Identifier: MIT */
/*
 * liburing-ffi.so.2: out-of-line definitions of every inline helper of the
 * public header, for callers that cannot use C inline functions (FFI
 * bindings).  Defining IOURINGINLINE as empty turns each "static inline"
 * body of the header into an external definition: no body is written twice.
 */
#define IOURINGINLINE
#include "lib.h"
