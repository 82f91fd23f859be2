/* SPDX-License-Identifier: MIT */
/*
 * uring extensions: what the running kernel supports (learned once, with
 * scratch rings that are thrown away), and ring setup that drops the
 * optional flags the kernel refuses.
 */
#define LIBURING_INTERNAL
#include "lib.h"
#include "ext.h"

#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

/* ---- small helpers shared by the extension sources ---- */

void uring_msg_add(struct uring_msg *m, const char *fmt, ...)
{
	size_t room = m->pos < m->len ? m->len - m->pos : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? m->buf + m->pos : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		m->pos += (size_t) n;
}

int uring_read_proc_long(const char *path, long *val)
{
	char line[64];
	FILE *f = fopen(path, "re");
	int ret = -ENOENT;

	if (!f)
		return -errno;
	if (fgets(line, sizeof(line), f)) {
		char *end;

		*val = strtol(line, &end, 10);
		ret = end == line ? -EINVAL : 0;
	}
	fclose(f);
	return ret;
}

/* The text after "key:" on its line of /proc/self/status. */
static int proc_status_str(const char *key, char *out, size_t len)
{
	size_t klen = strlen(key);
	char line[256];
	FILE *f = fopen("/proc/self/status", "re");
	int ret = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, klen) || line[klen] != ':')
			continue;
		snprintf(out, len, "%s", line + klen + 1);
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

int uring_proc_status(const char *key, long *val)
{
	char s[128], *end;
	int ret = proc_status_str(key, s, sizeof(s));

	if (ret)
		return ret;
	*val = strtol(s, &end, 10);
	return end == s ? -EINVAL : 0;
}

bool uring_has_cap(unsigned cap)
{
	char s[128];

	if (proc_status_str("CapEff", s, sizeof(s)))
		return false;
	return (strtoull(s, NULL, 16) >> cap) & 1;
}

/* ---- setup flag dependencies ---- */

struct uring_flag_deps uring_setup_flag_deps(unsigned flag)
{
	struct uring_flag_deps d = { 0, 0 };

	switch (flag) {
	case IORING_SETUP_SQ_AFF:
		d.all = IORING_SETUP_SQPOLL;
		break;
	case IORING_SETUP_HYBRID_IOPOLL:
		d.all = IORING_SETUP_IOPOLL;
		break;
	case IORING_SETUP_DEFER_TASKRUN:
		d.all = IORING_SETUP_SINGLE_ISSUER;
		break;
	case IORING_SETUP_TASKRUN_FLAG:
		d.any = IORING_SETUP_COOP_TASKRUN | IORING_SETUP_DEFER_TASKRUN;
		break;
	case IORING_SETUP_REGISTERED_FD_ONLY:
		d.all = IORING_SETUP_NO_MMAP;
		break;
	case IORING_SETUP_SQ_REWIND:
		d.all = IORING_SETUP_NO_SQARRAY;
		break;
	}
	return d;
}

static bool deps_met(unsigned flag, unsigned have)
{
	struct uring_flag_deps d = uring_setup_flag_deps(flag);

	return (have & d.all) == d.all && (!d.any || (have & d.any));
}

/* The flags flag needs, closed over their own needs (the first of any). */
static unsigned flag_with_deps(unsigned flag)
{
	struct uring_flag_deps d = uring_setup_flag_deps(flag);
	unsigned need = flag | d.all;

	if (d.any)
		need |= 1U << __builtin_ctz(d.any);
	if (need & IORING_SETUP_DEFER_TASKRUN)
		need |= IORING_SETUP_SINGLE_ISSUER;
	return need;
}

/* ---- the kernel's capabilities ---- */

/*
 * One gathering of the answers.  provisional: a failure that can pass
 * (EMFILE, ENOMEM...) spoiled some answer, so it is not kept for good.
 * denied: register opcodes a filter refused (neither known nor unknown).
 */
struct caps_run {
	struct uring_kernel_caps c;
	bool provisional;
	unsigned denied;
};

/* Errors that say something about this moment, not about the kernel. */
static bool error_passes(int err)
{
	return err == -EMFILE || err == -ENFILE || err == -ENOMEM ||
	       err == -EAGAIN || err == -EINTR || err == -EBUSY;
}

/*
 * Errors that come from a filter in front of io_uring (seccomp, LSM).
 * io_uring_register itself never answers -ENOSYS where rings can be set
 * up: a filter that hides the system call does.
 */
static bool error_denied(int err)
{
	return err == -EPERM || err == -EACCES || err == -ENOSYS;
}

int uring_register_refused(unsigned opcode)
{
	/* without a filter the kernel answers -EBADF (or, for the calls that
	 * take no ring, some other complaint about the NULL argument) */
	int ret = io_uring_register(~0U, opcode, NULL, 0);

	return error_denied(ret) ? ret : 0;
}

static int caps_note(struct caps_run *r, int err)
{
	if (error_passes(err))
		r->provisional = true;
	return err;
}

/* A CPU this thread may run on, for IORING_SETUP_SQ_AFF. */
static unsigned allowed_cpu(void)
{
	cpu_set_t set;
	unsigned cpu;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
			if (CPU_ISSET(cpu, &set))
				return cpu;
	return 0;
}

/*
 * Set up one of the scratch rings, flags in p.  From Linux 6.14 on each is
 * charged to RLIMIT_MEMLOCK (processes without CAP_IPC_LOCK), and the
 * kernel gives the charge of a ring just destroyed back only a moment
 * later, from a worker: under a tight limit, -ENOMEM can be the scratch
 * rings closed a moment ago.  Where ring memory is charged at all, wait for
 * them, from 0.1 ms doubling to 25 ms a step, 1 s in all (the worker and
 * the RCU grace period it waits for took 230 ms on a loaded 2-core
 * machine), before believing it.
 */
static int scratch_ring(struct caps_run *r, unsigned entries,
			struct io_uring *ring, struct io_uring_params *p)
{
	const struct io_uring_params asked = *p;
	struct timespec pause = { 0, 100 * 1000 };
	long waited = 0;
	int ret;

	for (;;) {
		ret = io_uring_queue_init_params(entries, ring, p);
		if (ret != -ENOMEM || waited >= 1000 * 1000 * 1000 ||
		    io_uring_mlock_size_params(entries, (struct io_uring_params *)
					       &asked) <= 0)
			return caps_note(r, ret);
		*p = asked;
		nanosleep(&pause, NULL);
		waited += pause.tv_nsec;
		if (pause.tv_nsec < 25 * 1000 * 1000)
			pause.tv_nsec *= 2;
	}
}

/* scratch_ring() with these flags alone. */
static int scratch_ring_flags(struct caps_run *r, unsigned entries,
			      struct io_uring *ring, unsigned flags)
{
	struct io_uring_params p;

	memset(&p, 0, sizeof(p));
	p.flags = flags;
	return scratch_ring(r, entries, ring, &p);
}

/* Does a tiny ring with these flags (and what they need) set up? */
static bool setup_flags_work(struct caps_run *r, unsigned flags, int wq_fd)
{
	struct io_uring_params p;
	struct io_uring ring;

	memset(&p, 0, sizeof(p));
	p.flags = flags;
	if (flags & IORING_SETUP_CQSIZE)
		p.cq_entries = 8;
	if (flags & IORING_SETUP_SQPOLL)
		p.sq_thread_idle = 1;
	if (flags & IORING_SETUP_SQ_AFF)
		p.sq_thread_cpu = allowed_cpu();
	if (flags & IORING_SETUP_ATTACH_WQ)
		p.wq_fd = (__u32) wq_fd;
	if (scratch_ring(r, 2, &ring, &p))
		return false;
	io_uring_queue_exit(&ring);
	return true;
}

static void caps_setup_flags(struct caps_run *r, int wq_fd)
{
	unsigned bit;

	for (bit = 0; bit < 32; bit++) {
		unsigned f = 1U << bit;

		if (!(f & URING_KNOWN_SETUP_FLAGS))
			continue;
		if (setup_flags_work(r, flag_with_deps(f), wq_fd))
			r->c.setup_flags |= f;
	}
}

static void caps_opcodes(struct caps_run *r, struct io_uring *ring)
{
	size_t len = sizeof(struct io_uring_probe) +
		     256 * sizeof(struct io_uring_probe_op);
	struct io_uring_probe *probe = (struct io_uring_probe *) calloc(1, len);
	unsigned i;
	int ret;

	/* nr_ops stays 0 (opcodes unknown) where the probe fails */
	if (!probe) {
		caps_note(r, -ENOMEM);
		return;
	}
	ret = io_uring_register_probe(ring, probe, 256);
	if (ret < 0) {
		caps_note(r, ret);
		free(probe);
		return;
	}
	r->c.nr_ops = probe->last_op + 1U;
	for (i = 0; i < probe->ops_len && i < 256; i++)
		if (probe->ops[i].flags & IO_URING_OP_SUPPORTED)
			r->c.op_supported[probe->ops[i].op] = true;
	free(probe);
}

static void caps_query(struct caps_run *r)
{
	struct io_uring_query_opcode op;
	struct io_uring_query_hdr hdr;
	int ret;

	memset(&op, 0, sizeof(op));
	memset(&hdr, 0, sizeof(hdr));
	hdr.query_op = IO_URING_QUERY_OPCODES;
	hdr.query_data = (__u64) (uintptr_t) &op;
	hdr.size = sizeof(op);
	ret = caps_note(r, io_uring_register_query(&hdr));
	if (ret || hdr.result)
		return;
	r->c.has_query = true;
	r->c.query_features = op.feature_flags;
	r->c.query_setup_flags = op.ring_setup_flags;
	r->c.query_enter_flags = op.enter_flags;
	r->c.query_sqe_flags = op.sqe_flags;
	r->c.nr_register_ops = op.nr_register_opcodes;
	r->c.register_method = URING_REGOPS_QUERY;
}

/* What one register opcode answered: known, unknown, or refused by a filter. */
static void regop_answer(struct caps_run *r, unsigned op, int ret, bool known)
{
	if (known)
		r->c.register_op_supported[op] = true;
	else if (error_denied(ret))
		r->denied++;
}

/*
 * On a ring whose restrictions allow no register opcode, the kernel
 * answers -EACCES for every opcode it knows and -EINVAL for the others,
 * before looking at the arguments: nothing can change.  -EPERM or -ENOSYS
 * there, or an -EACCES that fd -1 gets too, comes from a filter in front
 * of the kernel (seccomp, a security module).
 */
static int regops_restricted(struct caps_run *r)
{
	struct io_uring_restriction res;
	struct io_uring ring;
	unsigned op;
	int ret;

	ret = scratch_ring_flags(r, 1, &ring, IORING_SETUP_R_DISABLED);
	if (ret)
		return ret;
	memset(&res, 0, sizeof(res));
	res.opcode = IORING_RESTRICTION_SQE_OP;
	res.sqe_op = IORING_OP_NOP;
	ret = io_uring_register_restrictions(&ring, &res, 1);
	if (!ret)
		ret = io_uring_enable_rings(&ring);
	for (op = 0; !ret && op < 64; op++) {
		int a = io_uring_register((unsigned) ring.ring_fd, op, NULL, 0);

		/* a filter may refuse some opcodes only, with any errno:
		 * the kernel would answer the same call on fd -1 -EBADF */
		if (a == -EACCES && !uring_register_refused(op))
			regop_answer(r, op, a, true);
		else if (a == -EINVAL || error_denied(a))
			regop_answer(r, op, a, false);
		else
			ret = -EPROTO;		/* not the behaviour we rely on */
	}
	io_uring_queue_exit(&ring);
	return ret;
}

/*
 * Kernels before 5.10 have no restrictions: call each opcode without
 * arguments on a scratch ring and take anything but -EINVAL as known, and
 * -EPERM / -EACCES / -ENOSYS as refused by a filter (the kernel's own
 * answer is not seen).  PERSONALITY would act on no arguments: it came with PROBE (5.6).
 */
static void regops_guess(struct caps_run *r)
{
	struct io_uring ring;
	unsigned op;
	int ret;

	if (scratch_ring_flags(r, 1, &ring, 0))
		return;
	for (op = 0; op < 64; op++) {
		if (op == IORING_REGISTER_PERSONALITY)
			continue;
		ret = io_uring_register((unsigned) ring.ring_fd, op, NULL, 0);
		regop_answer(r, op, ret, ret != -EINVAL && !error_denied(ret));
	}
	r->c.register_op_supported[IORING_REGISTER_PERSONALITY] =
		r->c.register_op_supported[IORING_REGISTER_PROBE];
	io_uring_queue_exit(&ring);
}

static void caps_register_ops(struct caps_run *r)
{
	struct uring_kernel_caps *c = &r->c;
	unsigned op;

	if (c->register_method == URING_REGOPS_QUERY) {
		for (op = 0; op < c->nr_register_ops && op < 64; op++)
			c->register_op_supported[op] = true;
	} else if (!regops_restricted(r)) {
		c->register_method = URING_REGOPS_RESTRICTED;
	} else {
		memset(c->register_op_supported, 0,
		       sizeof(c->register_op_supported));
		r->denied = 0;
		regops_guess(r);
		c->register_method = URING_REGOPS_GUESS;
	}
	c->nr_register_ops = 0;
	for (op = 0; op < 64; op++)
		if (c->register_op_supported[op])
			c->nr_register_ops = op + 1;
	/* nothing got through to the kernel: what it knows stays unknown */
	if (!c->nr_register_ops && r->denied)
		c->register_method = URING_REGOPS_DENIED;
}

/* Gather every answer; runs on a thread of its own (see features.c). */
static void caps_gather(void *arg)
{
	struct caps_run *r = (struct caps_run *) arg;
	struct io_uring_params p;
	struct io_uring ring;
	struct utsname u;
	int ret;

	if (uname(&u) == 0)
		snprintf(r->c.release, sizeof(r->c.release), "%s", u.release);

	memset(&p, 0, sizeof(p));
	ret = scratch_ring(r, 2, &ring, &p);
	if (ret) {
		r->c.setup_error = ret;
		return;
	}
	r->c.available = true;
	r->c.features = p.features;
	caps_opcodes(r, &ring);
	caps_setup_flags(r, ring.ring_fd);
	io_uring_queue_exit(&ring);
	caps_query(r);
	caps_register_ops(r);
}

/*
 * The answers, kept for good once a gathering met no passing failure.
 * Until then each call gathers again; its provisional answer is kept in a
 * list (one copy per distinct answer), so every pointer handed out stays
 * valid and unchanged for the life of the process.
 */
struct caps_provisional {
	struct uring_kernel_caps c;
	struct caps_provisional *next;
};

static pthread_mutex_t caps_lock = PTHREAD_MUTEX_INITIALIZER;
static const struct uring_kernel_caps *caps_final;
static struct uring_kernel_caps caps_kept;
static struct caps_provisional *caps_provisionals;
static const struct uring_kernel_caps caps_no_memory = {
	.setup_error = -ENOMEM,
};

static const struct uring_kernel_caps *caps_publish(const struct caps_run *r)
{
	struct caps_provisional *n;

	if (!r->provisional) {
		memcpy(&caps_kept, &r->c, sizeof(caps_kept));
		/* release: pairs with the acquire in uring_kernel_caps() */
		__atomic_store_n(&caps_final, &caps_kept, __ATOMIC_RELEASE);
		return &caps_kept;
	}
	for (n = caps_provisionals; n; n = n->next)
		if (!memcmp(&n->c, &r->c, sizeof(n->c)))
			return &n->c;
	n = (struct caps_provisional *) malloc(sizeof(*n));
	if (!n)
		return &caps_no_memory;
	memcpy(&n->c, &r->c, sizeof(n->c));
	n->next = caps_provisionals;
	caps_provisionals = n;
	return &n->c;
}

const struct uring_kernel_caps *uring_kernel_caps(void)
{
	/* acquire: pairs with the release in caps_publish() */
	const struct uring_kernel_caps *c =
		__atomic_load_n(&caps_final, __ATOMIC_ACQUIRE);
	struct caps_run run;

	if (c)
		return c;
	pthread_mutex_lock(&caps_lock);
	c = caps_final;
	if (!c) {
		memset(&run, 0, sizeof(run));
		uring_run_on_own_thread(caps_gather, &run);
		c = caps_publish(&run);
	}
	pthread_mutex_unlock(&caps_lock);
	return c;
}

/* ---- setup that adapts to the kernel ---- */

/* The order optional flags are added in: every flag after those it needs. */
static const unsigned adaptive_order[] = {
	IORING_SETUP_IOPOLL, IORING_SETUP_SQPOLL, IORING_SETUP_SQ_AFF,
	IORING_SETUP_CQSIZE, IORING_SETUP_CLAMP, IORING_SETUP_ATTACH_WQ,
	IORING_SETUP_R_DISABLED, IORING_SETUP_SUBMIT_ALL,
	IORING_SETUP_COOP_TASKRUN, IORING_SETUP_SINGLE_ISSUER,
	IORING_SETUP_DEFER_TASKRUN, IORING_SETUP_TASKRUN_FLAG,
	IORING_SETUP_SQE128, IORING_SETUP_CQE32, IORING_SETUP_NO_MMAP,
	IORING_SETUP_REGISTERED_FD_ONLY, IORING_SETUP_NO_SQARRAY,
	IORING_SETUP_HYBRID_IOPOLL, IORING_SETUP_CQE_MIXED,
	IORING_SETUP_SQE_MIXED, IORING_SETUP_SQ_REWIND,
};

/* Optional flags whose needs are met by the other flags asked for. */
static unsigned prune_unmet(unsigned required, unsigned optional)
{
	unsigned changed = 1, bit;

	while (changed) {
		changed = 0;
		for (bit = 0; bit < 32; bit++) {
			unsigned f = 1U << bit;

			if ((optional & f) && !deps_met(f, required | optional)) {
				optional &= ~f;
				changed = 1;
			}
		}
	}
	return optional;
}

/* Set up a ring with these flags and the caller's other parameters. */
static int try_setup(unsigned entries, struct io_uring *ring,
		     const struct io_uring_params *in, unsigned flags,
		     struct io_uring_params *out)
{
	*out = *in;
	out->flags = flags;
	return io_uring_queue_init_params(entries, ring, out);
}

/*
 * Slow path: start from the required flags and add the optional ones one
 * at a time, keeping each the kernel accepts.  The best ring so far stays
 * set up, so the last success is the answer.
 */
static int adaptive_build(unsigned entries, struct io_uring *ring,
			  const struct io_uring_params *in, unsigned optional,
			  struct io_uring_params *out, unsigned *kept)
{
	struct io_uring best, trial;
	struct io_uring_params bp, tp;
	unsigned flags = in->flags, i, rest, bit;
	int ret;

	ret = try_setup(entries, &best, in, flags, &bp);
	if (ret)
		return ret;
	rest = optional;
	for (i = 0; i < sizeof(adaptive_order) / sizeof(adaptive_order[0]) + 32; i++) {
		unsigned f;

		if (i < sizeof(adaptive_order) / sizeof(adaptive_order[0])) {
			f = adaptive_order[i];
		} else {
			/* flags this library has no name for, lowest first */
			bit = i - sizeof(adaptive_order) / sizeof(adaptive_order[0]);
			f = 1U << bit;
		}
		if (!(rest & f))
			continue;
		rest &= ~f;
		if (!deps_met(f, flags))
			continue;
		if (try_setup(entries, &trial, in, flags | f, &tp))
			continue;
		io_uring_queue_exit(&best);
		best = trial;
		bp = tp;
		flags |= f;
	}
	*ring = best;
	*out = bp;
	*kept = flags & optional;
	return 0;
}

int uring_queue_init_adaptive(unsigned entries, struct io_uring *ring,
			      struct io_uring_params *p, unsigned optional_flags,
			      unsigned *kept_flags)
{
	struct io_uring_params in, out;
	unsigned optional, kept = 0;
	int ret;

	if (!ring)
		return -EINVAL;
	memset(&in, 0, sizeof(in));
	if (p)
		in = *p;
	optional = optional_flags & ~in.flags;

	/* fast path: everything asked for that can work together */
	kept = prune_unmet(in.flags, optional);
	ret = try_setup(entries, ring, &in, in.flags | kept, &out);
	if (ret)
		ret = adaptive_build(entries, ring, &in, optional, &out, &kept);
	if (ret)
		return ret;
	if (p)
		*p = out;
	if (kept_flags)
		*kept_flags = kept;
	return 0;
}
