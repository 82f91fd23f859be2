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

static struct uring_kernel_caps caps;
static pthread_once_t caps_once = PTHREAD_ONCE_INIT;

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

/* Does a tiny ring with these flags (and what they need) set up? */
static bool setup_flags_work(unsigned flags, int wq_fd)
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
	if (io_uring_queue_init_params(2, &ring, &p))
		return false;
	io_uring_queue_exit(&ring);
	return true;
}

static void caps_setup_flags(int wq_fd)
{
	unsigned bit;

	for (bit = 0; bit < 32; bit++) {
		unsigned f = 1U << bit;

		if (!(f & URING_KNOWN_SETUP_FLAGS))
			continue;
		if (setup_flags_work(flag_with_deps(f), wq_fd))
			caps.setup_flags |= f;
	}
}

static void caps_opcodes(struct io_uring *ring)
{
	struct io_uring_probe *probe = io_uring_get_probe_ring(ring);
	unsigned i;

	if (!probe)
		return;
	caps.nr_ops = probe->last_op + 1U;
	for (i = 0; i < probe->ops_len && i < 256; i++)
		if (probe->ops[i].flags & IO_URING_OP_SUPPORTED)
			caps.op_supported[probe->ops[i].op] = true;
	io_uring_free_probe(probe);
}

static void caps_query(void)
{
	struct io_uring_query_opcode op;
	struct io_uring_query_hdr hdr;

	memset(&op, 0, sizeof(op));
	memset(&hdr, 0, sizeof(hdr));
	hdr.query_op = IO_URING_QUERY_OPCODES;
	hdr.query_data = (__u64) (uintptr_t) &op;
	hdr.size = sizeof(op);
	if (io_uring_register_query(&hdr) || hdr.result)
		return;
	caps.has_query = true;
	caps.query_features = op.feature_flags;
	caps.query_setup_flags = op.ring_setup_flags;
	caps.query_enter_flags = op.enter_flags;
	caps.query_sqe_flags = op.sqe_flags;
	caps.nr_register_ops = op.nr_register_opcodes;
	caps.register_method = URING_REGOPS_QUERY;
}

/*
 * On a ring whose restrictions allow no register opcode, the kernel
 * answers -EACCES for every opcode it knows and -EINVAL for the others,
 * before looking at the arguments: nothing can change.
 */
static int regops_restricted(bool known[64])
{
	struct io_uring_restriction res;
	struct io_uring ring;
	unsigned op;
	int ret;

	ret = io_uring_queue_init(1, &ring, IORING_SETUP_R_DISABLED);
	if (ret)
		return ret;
	memset(&res, 0, sizeof(res));
	res.opcode = IORING_RESTRICTION_SQE_OP;
	res.sqe_op = IORING_OP_NOP;
	ret = io_uring_register_restrictions(&ring, &res, 1);
	if (!ret)
		ret = io_uring_enable_rings(&ring);
	for (op = 0; !ret && op < 64; op++) {
		int r = io_uring_register((unsigned) ring.ring_fd, op, NULL, 0);

		if (r == -EACCES)
			known[op] = true;
		else if (r != -EINVAL)
			ret = -EPROTO;		/* not the behaviour we rely on */
	}
	io_uring_queue_exit(&ring);
	return ret;
}

/*
 * Kernels before 5.10 have no restrictions: call each opcode without
 * arguments on a scratch ring and take anything but -EINVAL as known.
 * PERSONALITY would act on no arguments: it came with PROBE (5.6).
 */
static void regops_guess(bool known[64])
{
	struct io_uring ring;
	unsigned op;

	if (io_uring_queue_init(1, &ring, 0))
		return;
	for (op = 0; op < 64; op++) {
		int r;

		if (op == IORING_REGISTER_PERSONALITY)
			continue;
		r = io_uring_register((unsigned) ring.ring_fd, op, NULL, 0);
		known[op] = r != -EINVAL;
	}
	known[IORING_REGISTER_PERSONALITY] = known[IORING_REGISTER_PROBE];
	io_uring_queue_exit(&ring);
}

static void caps_register_ops(void)
{
	bool known[64];
	unsigned op;

	memset(known, 0, sizeof(known));
	if (caps.register_method == URING_REGOPS_QUERY) {
		for (op = 0; op < caps.nr_register_ops && op < 64; op++)
			known[op] = true;
	} else if (!regops_restricted(known)) {
		caps.register_method = URING_REGOPS_RESTRICTED;
	} else {
		memset(known, 0, sizeof(known));
		regops_guess(known);
		caps.register_method = URING_REGOPS_GUESS;
	}
	caps.nr_register_ops = 0;
	for (op = 0; op < 64; op++) {
		caps.register_op_supported[op] = known[op];
		if (known[op])
			caps.nr_register_ops = op + 1;
	}
}

static void caps_init(void)
{
	struct io_uring_params p;
	struct io_uring ring;
	struct utsname u;
	int ret;

	if (uname(&u) == 0)
		snprintf(caps.release, sizeof(caps.release), "%s", u.release);

	memset(&p, 0, sizeof(p));
	ret = io_uring_queue_init_params(2, &ring, &p);
	if (ret) {
		caps.setup_error = ret;
		return;
	}
	caps.available = true;
	caps.features = p.features;
	caps_opcodes(&ring);
	caps_setup_flags(ring.ring_fd);
	io_uring_queue_exit(&ring);
	caps_query();
	caps_register_ops();
}

const struct uring_kernel_caps *uring_kernel_caps(void)
{
	pthread_once(&caps_once, caps_init);
	return &caps;
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
