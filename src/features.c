/* SPDX-License-Identifier: MIT */
/*
 * Feature detection, in one place: the IORING_FEAT_* set of the running
 * kernel (from the first ring set up, or a throwaway one), and the opcode
 * probe.
 *
 * The rings the library sets up for its own questions are set up on a
 * short-lived thread of its own (uring_run_on_own_thread()): the first ring
 * a thread sets up sizes that thread's io-wq (its bounded-worker limit is
 * min(SQ entries, 4 x CPUs)), and a throwaway ring must not be the one that
 * sizes the caller's.
 */
#define LIBURING_INTERNAL
#include "lib.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct own_thread_call {
	void (*fn)(void *);
	void *arg;
};

/*
 * When the library last destroyed rings of its own (CLOCK_MONOTONIC, ms;
 * 0: never).  From Linux 6.14 on each ring is charged to RLIMIT_MEMLOCK
 * (processes without CAP_IPC_LOCK), and the kernel gives the charge of a
 * destroyed ring back a moment later, from a worker.
 */
static unsigned long own_rings_done_ms;

/* CLOCK_MONOTONIC in milliseconds, in a word every arch can load and store
 * atomically without libatomic (armel has no 64-bit atomics); it wraps, so
 * it is only ever compared by unsigned difference, and 0 means "never". */
static unsigned long monotonic_ms(void)
{
	struct timespec t;
	unsigned long ms;

	clock_gettime(CLOCK_MONOTONIC, &t);
	ms = (unsigned long) t.tv_sec * 1000UL + (unsigned long) t.tv_nsec / 1000000UL;
	return ms ? ms : 1;
}

/* How long after its own rings the library waits for their charges. */
#define OWN_RINGS_LINGER_MS	1000UL

bool uring_wait_own_rings_memory(unsigned *round)
{
	unsigned long done = __atomic_load_n(&own_rings_done_ms, __ATOMIC_RELAXED);
	struct timespec pause = { 0, 100 * 1000L << (*round < 7 ? *round : 7) };
	int saved_errno = errno;

	if (!done || monotonic_ms() - done > OWN_RINGS_LINGER_MS)
		return false;
	nanosleep(&pause, NULL);
	errno = saved_errno;
	(*round)++;
	return true;
}

static void *own_thread_main(void *data)
{
	struct own_thread_call *c = (struct own_thread_call *) data;

	c->fn(c->arg);
	return NULL;
}

void uring_run_on_own_thread(void (*fn)(void *), void *arg)
{
	struct own_thread_call c = { fn, arg };
	int ret, saved_errno = errno;
	sigset_t all, old;
	pthread_attr_t attr;
	pthread_t th;

	if (pthread_attr_init(&attr)) {
		fn(arg);
		return;
	}
	/* the rings and probes need little stack; a small one spares RLIMIT_AS */
	pthread_attr_setstacksize(&attr, 256 * 1024);
	/* the thread starts with every signal blocked: none of the caller's
	 * signals is ever delivered on it */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = pthread_create(&th, &attr, own_thread_main, &c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (ret) {
		/* no thread to be had (RLIMIT_NPROC, a sandbox): an answer
		 * is worth more than the io-wq size it may leave behind */
		fn(arg);
	} else {
		pthread_join(th, NULL);
	}
	__atomic_store_n(&own_rings_done_ms, monotonic_ms(), __ATOMIC_RELAXED);
	/* whatever the thread machinery did, the caller's errno is left alone */
	errno = saved_errno;
}

/*
 * 0 = not known yet (the kernel reports at least one feature bit on every
 * kernel we support); UINT_MAX marks "no io_uring in this kernel".
 */
static unsigned kernel_features;

void uring_note_features(unsigned features)
{
	__atomic_store_n(&kernel_features, features, __ATOMIC_RELAXED);
}

struct features_probe {
	struct io_uring_params p;
	int fd;
};

static void features_probe_ring(void *arg)
{
	struct features_probe *f = (struct features_probe *) arg;

	f->fd = __sys_io_uring_setup(1, &f->p);
	if (f->fd >= 0)
		__sys_close(f->fd);
}

unsigned uring_kernel_features(void)
{
	unsigned feat = __atomic_load_n(&kernel_features, __ATOMIC_RELAXED);
	struct features_probe f;

	if (feat)
		return feat == ~0U ? 0 : feat;
	memset(&f, 0, sizeof(f));
	uring_run_on_own_thread(features_probe_ring, &f);
	if (f.fd >= 0) {
		uring_note_features(f.p.features);
		return f.p.features;
	}
	/*
	 * Only a definitive answer is kept: ENOSYS (no io_uring in this
	 * kernel).  A failure that can pass (EMFILE, ENOMEM, EPERM from a
	 * sysctl an administrator may change) is asked again next time.
	 */
	if (f.fd == -ENOSYS)
		uring_note_features(~0U);
	return 0;
}

/* The probe: malloc'd, so plain free() releases it as well as io_uring_free_probe(). */
struct io_uring_probe *io_uring_get_probe_ring(struct io_uring *ring)
{
	size_t len = sizeof(struct io_uring_probe) +
		     256 * sizeof(struct io_uring_probe_op);
	struct io_uring_probe *probe;

	if (!ring)
		return NULL;
	probe = (struct io_uring_probe *) calloc(1, len);
	if (!probe)
		return NULL;
	if (io_uring_register_probe(ring, probe, 256) < 0) {
		free(probe);
		return NULL;
	}
	return probe;
}

/* The probe needs a ring's fd only: no rings to map and unmap. */
static void probe_scratch_ring(void *arg)
{
	struct io_uring_probe **probe = (struct io_uring_probe **) arg;
	struct io_uring_params p;
	struct io_uring ring;
	int fd;

	memset(&p, 0, sizeof(p));
	fd = __sys_io_uring_setup(2, &p);
	if (fd < 0)
		return;
	uring_note_features(p.features);
	memset(&ring, 0, sizeof(ring));
	ring.ring_fd = ring.enter_ring_fd = fd;
	*probe = io_uring_get_probe_ring(&ring);
	__sys_close(fd);
}

struct io_uring_probe *io_uring_get_probe(void)
{
	struct io_uring_probe *probe = NULL;

	uring_run_on_own_thread(probe_scratch_ring, &probe);
	return probe;
}

void io_uring_free_probe(struct io_uring_probe *probe)
{
	free(probe);
}
