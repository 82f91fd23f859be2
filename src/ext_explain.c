/* SPDX-License-Identifier: MIT */
/*
 * uring extensions: turn the -errno of a failed ring setup or registration
 * into a sentence that says what is wrong on this system and what to do.
 */
#define LIBURING_INTERNAL
#include "lib.h"
#include "ext.h"

#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define CAP_SYS_ADMIN_BIT	21

#define KERN_MAX_ENTRIES	32768U
#define KERN_MAX_CQ_ENTRIES	(2 * KERN_MAX_ENTRIES)

static void add_flags(struct uring_msg *m, unsigned flags)
{
	char s[512];

	uring_flags_str(flags, uring_setup_flag_name, s, sizeof(s));
	uring_msg_add(m, "%s", s);
}

/* "4 MiB" style: an exact byte count is not what people type into ulimit. */
static void add_bytes(struct uring_msg *m, unsigned long long b)
{
	if (b == (unsigned long long) RLIM_INFINITY)
		uring_msg_add(m, "unlimited");
	else if (b >= 1024 * 1024 && !(b % (1024 * 1024)))
		uring_msg_add(m, "%llu MiB", b >> 20);
	else if (b >= 1024 && !(b % 1024))
		uring_msg_add(m, "%llu KiB", b >> 10);
	else
		uring_msg_add(m, "%llu bytes", b);
}

static void add_memlock(struct uring_msg *m)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0) {
		uring_msg_add(m, "RLIMIT_MEMLOCK is ");
		add_bytes(m, rl.rlim_cur);
	} else {
		uring_msg_add(m, "RLIMIT_MEMLOCK is unknown");
	}
}

/* ---- -EPERM ---- */

static bool in_group(gid_t gid)
{
	gid_t groups[256];
	int i, n;

	if (getegid() == gid || getgid() == gid)
		return true;
	n = getgroups(256, groups);
	for (i = 0; i < n; i++)
		if (groups[i] == gid)
			return true;
	return false;
}

/* What kernel.io_uring_disabled says about this process; true if it is the cause. */
static bool explain_sysctl(struct uring_msg *m)
{
	long disabled, group = -1;

	if (uring_read_proc_long("/proc/sys/kernel/io_uring_disabled", &disabled) ||
	    disabled == 0)
		return false;
	if (disabled >= 2) {
		uring_msg_add(m, "io_uring is disabled for every process on this "
			      "system (sysctl kernel.io_uring_disabled = %ld); an "
			      "administrator must set it to 0 (or to 1 and add "
			      "this user to kernel.io_uring_group)", disabled);
		return true;
	}
	uring_read_proc_long("/proc/sys/kernel/io_uring_group", &group);
	if (uring_has_cap(CAP_SYS_ADMIN_BIT) || (group >= 0 && in_group((gid_t) group)))
		return false;
	uring_msg_add(m, "sysctl kernel.io_uring_disabled = 1 allows io_uring only "
		      "to CAP_SYS_ADMIN and to members of kernel.io_uring_group");
	if (group >= 0) {
		struct group *g = getgrgid((gid_t) group);

		uring_msg_add(m, " (gid %ld%s%s%s)", group, g ? ", \"" : "",
			      g ? g->gr_name : "", g ? "\"" : "");
	} else {
		uring_msg_add(m, " (which is not set)");
	}
	uring_msg_add(m, ", and this process is neither: add the user to that "
		      "group, or set kernel.io_uring_disabled to 0");
	return true;
}

/* A seccomp filter in force, as the likely cause of err from call; true if there is one. */
static bool explain_seccomp(struct uring_msg *m, int err, const char *call)
{
	long mode = 0, filters = -1;

	if (uring_proc_status("Seccomp", &mode) || mode == 0)
		return false;
	uring_proc_status("Seccomp_filters", &filters);
	if (m->pos)
		uring_msg_add(m, "; also, ");
	if (mode == 1) {
		uring_msg_add(m, "this process runs in strict seccomp mode "
			      "(Seccomp: 1), which allows no io_uring system call");
		return true;
	}
	uring_msg_add(m, "a seccomp filter is in force on this process "
		      "(Seccomp: 2");
	if (filters >= 0)
		uring_msg_add(m, ", %ld filter%s", filters, filters == 1 ? "" : "s");
	uring_msg_add(m, ") and is most likely what returns %s for %s: "
		      "container runtimes and sandboxes often block io_uring; "
		      "allow io_uring_setup, io_uring_enter and io_uring_register "
		      "in the seccomp profile", err == -ENOSYS ? "ENOSYS" :
		      err == -EACCES ? "EACCES" : "EPERM", call);
	return true;
}

static void explain_eperm(struct uring_msg *m, const struct io_uring_params *p)
{
	const struct uring_kernel_caps *caps = uring_kernel_caps();

	explain_sysctl(m);
	explain_seccomp(m, -EPERM, "io_uring_setup");
	if (!m->pos && p && (p->flags & IORING_SETUP_SQPOLL) &&
	    caps->available && !(caps->features & IORING_FEAT_NATIVE_WORKERS))
		uring_msg_add(m, "on this kernel (%s) IORING_SETUP_SQPOLL needs "
			      "CAP_SYS_ADMIN (kernels from 5.11 on do not): run "
			      "privileged or drop SQPOLL", caps->release);
	if (!m->pos)
		uring_msg_add(m, "io_uring_setup was denied (EPERM), but neither "
			      "kernel.io_uring_disabled nor seccomp is the cause: "
			      "check the security modules (SELinux, AppArmor) "
			      "and the container's policy");
}

/* ---- -ENOSYS ---- */

static void explain_enosys(struct uring_msg *m)
{
	const struct uring_kernel_caps *caps = uring_kernel_caps();
	unsigned major = 0, minor = 0;

	if (explain_seccomp(m, -ENOSYS, "io_uring_setup"))
		uring_msg_add(m, "; otherwise, ");
	sscanf(caps->release, "%u.%u", &major, &minor);
	if (major > 5 || (major == 5 && minor >= 1))
		uring_msg_add(m, "kernel %s is new enough for io_uring (5.1+) "
			      "but returns ENOSYS for io_uring_setup: it was "
			      "built without CONFIG_IO_URING, or a filter "
			      "hides the system call", caps->release);
	else
		uring_msg_add(m, "this kernel (%s) has no io_uring: it needs "
			      "Linux 5.1 or later built with CONFIG_IO_URING",
			      caps->release[0] ? caps->release : "unknown");
}

/* ---- -ENOMEM ---- */

static void explain_enomem(struct uring_msg *m, unsigned entries,
			   const struct io_uring_params *p)
{
	const struct uring_kernel_caps *caps = uring_kernel_caps();
	struct io_uring_params q;
	ssize_t need;

	memset(&q, 0, sizeof(q));
	if (p)
		q = *p;
	/*
	 * What the kernel charges this process (0: nothing, or not to it);
	 * before 5.12 the estimate is for anyone, and CAP_IPC_LOCK (in the
	 * initial user namespace, where the kernel asks) exempts.
	 */
	need = io_uring_mlock_size_params(entries ? entries : 1, &q);
	if (caps->available && need > 0 && !uring_memlock_exempt()) {
		if (!(caps->features & IORING_FEAT_NATIVE_WORKERS))
			uring_msg_add(m, "kernel %s (without "
				      "IORING_FEAT_NATIVE_WORKERS) charges ring "
				      "memory to the locked-memory limit: ",
				      caps->release);
		else
			uring_msg_add(m, "kernel %s (6.14 or later) charges "
				      "ring memory to the locked-memory limit of "
				      "processes without CAP_IPC_LOCK (in the "
				      "initial user namespace), per user, with the "
				      "user's other rings and registered buffers: ",
				      caps->release);
		add_memlock(m);
		if (need > 0) {
			uring_msg_add(m, ", and a ring of %u entries with flags ",
				      entries);
			add_flags(m, q.flags);
			uring_msg_add(m, " needs ");
			add_bytes(m, (unsigned long long) need);
			uring_msg_add(m, " (io_uring_mlock_size)");
		}
		uring_msg_add(m, "; raise the limit (ulimit -l, LimitMEMLOCK= "
			      "in systemd, memlock in limits.conf) or use fewer "
			      "entries");
		return;
	}
	if (q.flags & IORING_SETUP_NO_MMAP) {
		need = io_uring_memory_size_params(entries ? entries : 1, &q);
		uring_msg_add(m, "the ring memory could not be had: with "
			      "IORING_SETUP_NO_MMAP a ring of %u entries needs ",
			      entries);
		add_bytes(m, need > 0 ? (unsigned long long) need : 0);
		uring_msg_add(m, " (io_uring_memory_size), so a caller buffer must "
			      "be at least that large");
		return;
	}
	need = io_uring_memory_size_params(entries ? entries : 1, &q);
	uring_msg_add(m, "the kernel could not allocate the ring");
	if (need > 0) {
		uring_msg_add(m, " (%u entries need about ", entries);
		add_bytes(m, (unsigned long long) need);
		uring_msg_add(m, ")");
	}
	uring_msg_add(m, ": the system is short of memory; use fewer entries");
}

/* ---- -EINVAL ---- */

/* Setup flags in flags that are there without what they need. */
static void add_unmet(struct uring_msg *m, unsigned flags, bool *said)
{
	unsigned bit;

	for (bit = 0; bit < 32; bit++) {
		unsigned f = 1U << bit;
		struct uring_flag_deps d;

		if (!(flags & f))
			continue;
		d = uring_setup_flag_deps(f);
		if ((flags & d.all) == d.all && (!d.any || (flags & d.any)))
			continue;
		uring_msg_add(m, "%s%s needs ", *said ? "; " : "",
			      uring_setup_flag_name(f));
		add_flags(m, d.all ? d.all : d.any);
		if (d.any)
			uring_msg_add(m, " (one of them)");
		*said = true;
	}
}

static void add_size_problems(struct uring_msg *m, unsigned entries,
			      const struct io_uring_params *p, bool *said)
{
	bool clamp = p->flags & IORING_SETUP_CLAMP;
	const char *sep = *said ? "; " : "";

	if (!entries) {
		uring_msg_add(m, "%sentries must be at least 1", sep);
		*said = true;
	} else if (entries > KERN_MAX_ENTRIES && !clamp) {
		uring_msg_add(m, "%s%u entries is more than the kernel's %u "
			      "(add IORING_SETUP_CLAMP to have it clamped)",
			      sep, entries, KERN_MAX_ENTRIES);
		*said = true;
	}
	if (!(p->flags & IORING_SETUP_CQSIZE))
		return;
	sep = *said ? "; " : "";
	if (!p->cq_entries) {
		uring_msg_add(m, "%sIORING_SETUP_CQSIZE needs cq_entries > 0", sep);
		*said = true;
	} else if (p->cq_entries > KERN_MAX_CQ_ENTRIES && !clamp) {
		uring_msg_add(m, "%scq_entries %u is more than the kernel's %u",
			      sep, p->cq_entries, KERN_MAX_CQ_ENTRIES);
		*said = true;
	} else if (entries && p->cq_entries < entries) {
		uring_msg_add(m, "%scq_entries (%u) must not be smaller than "
			      "entries (%u)", sep, p->cq_entries, entries);
		*said = true;
	}
}

static void explain_einval(struct uring_msg *m, unsigned entries,
			   const struct io_uring_params *p)
{
	const struct uring_kernel_caps *caps = uring_kernel_caps();
	unsigned flags = p ? p->flags : 0, unsupported;
	bool said = false;
	unsigned i;

	unsupported = caps->available ? flags & ~caps->setup_flags : 0;
	if (unsupported) {
		uring_msg_add(m, "kernel %s does not support setup flag%s ",
			      caps->release,
			      unsupported & (unsupported - 1) ? "s" : "");
		add_flags(m, unsupported);
		uring_msg_add(m, ": drop %s, or set it up with "
			      "uring_queue_init_adaptive() as optional",
			      unsupported & (unsupported - 1) ? "them" : "it");
		said = true;
	}
	add_unmet(m, flags, &said);
	if ((flags & IORING_SETUP_SQPOLL) && (flags & IORING_SETUP_DEFER_TASKRUN)) {
		uring_msg_add(m, "%sDEFER_TASKRUN cannot be used with SQPOLL",
			      said ? "; " : "");
		said = true;
	}
	if ((flags & IORING_SETUP_CQE32) && (flags & IORING_SETUP_CQE_MIXED)) {
		uring_msg_add(m, "%sCQE32 and CQE_MIXED exclude each other",
			      said ? "; " : "");
		said = true;
	}
	if ((flags & IORING_SETUP_SQE128) && (flags & IORING_SETUP_SQE_MIXED)) {
		uring_msg_add(m, "%sSQE128 and SQE_MIXED exclude each other",
			      said ? "; " : "");
		said = true;
	}
	if (p)
		add_size_problems(m, entries, p, &said);
	else if (!entries || entries > KERN_MAX_ENTRIES) {
		uring_msg_add(m, "%sentries must be 1..%u", said ? "; " : "",
			      KERN_MAX_ENTRIES);
		said = true;
	}
	for (i = 0; p && i < 3; i++)
		if (p->resv[i]) {
			uring_msg_add(m, "%sio_uring_params.resv must be zero",
				      said ? "; " : "");
			said = true;
			break;
		}
	if (said)
		return;
	uring_msg_add(m, "the kernel refused the parameters (flags ");
	add_flags(m, flags);
	uring_msg_add(m, "), although each flag is supported on its own: check "
		      "the combination and fields such as sq_thread_cpu and wq_fd");
}

/* ---- entry points ---- */

static void explain_setup(struct uring_msg *m, int err, unsigned entries,
			  const struct io_uring_params *p)
{
	struct rlimit rl;

	switch (err) {
	case -EPERM:
		explain_eperm(m, p);
		break;
	case -ENOSYS:
		explain_enosys(m);
		break;
	case -ENOMEM:
		explain_enomem(m, entries, p);
		break;
	case -EINVAL:
		explain_einval(m, entries, p);
		break;
	case -EMFILE:
	case -ENFILE:
		uring_msg_add(m, "no file descriptor was left for the ring");
		if (err == -EMFILE && getrlimit(RLIMIT_NOFILE, &rl) == 0)
			uring_msg_add(m, " (RLIMIT_NOFILE is %llu): close fds or "
				      "raise the limit (ulimit -n)",
				      (unsigned long long) rl.rlim_cur);
		else
			uring_msg_add(m, ": the system-wide file table is full");
		break;
	case -EFAULT:
		uring_msg_add(m, "the io_uring_params pointer (or the memory it "
			      "names) is not valid");
		break;
	case -EBADF:
		uring_msg_add(m, "wq_fd of IORING_SETUP_ATTACH_WQ is not an open fd");
		break;
	default:
		uring_msg_add(m, "io_uring setup failed: %s", strerror(-err));
		break;
	}
}

/* The full length, snprintf-style; vsnprintf() kept buf terminated. */
static int msg_length(const struct uring_msg *m)
{
	return m->pos > 0x7fffffff ? 0x7fffffff : (int) m->pos;
}

/*
 * The start both explainers share: point m at buf and make err negative.
 * False, with *ret set, when there is nothing more to say: a NULL buffer
 * of non-zero length (-EINVAL), or no error at all.
 */
static bool msg_start(struct uring_msg *m, char *buf, size_t len, int *err,
		      int *ret)
{
	m->buf = buf;
	m->len = len;
	m->pos = 0;
	if (!buf && len) {
		*ret = -EINVAL;
		return false;
	}
	if (len)
		buf[0] = '\0';
	if (*err > 0)
		*err = -*err;
	if (!*err) {
		uring_msg_add(m, "no error");
		*ret = msg_length(m);
		return false;
	}
	return true;
}

int uring_explain(int err, unsigned entries, const struct io_uring_params *p,
		  char *buf, size_t len)
{
	struct uring_msg m;
	int ret;

	if (!msg_start(&m, buf, len, &err, &ret))
		return ret;
	explain_setup(&m, err, entries, p);
	return msg_length(&m);
}

static bool pins_memory(unsigned op)
{
	return op == IORING_REGISTER_BUFFERS || op == IORING_REGISTER_BUFFERS2 ||
	       op == IORING_REGISTER_BUFFERS_UPDATE ||
	       op == IORING_REGISTER_PBUF_RING ||
	       op == IORING_REGISTER_MEM_REGION ||
	       op == IORING_REGISTER_CLONE_BUFFERS;
}

/*
 * err from register opcode op came from a filter in front of io_uring (the
 * same call on fd -1 gets it too): say so; false if it did not.
 */
static bool explain_reg_refused(struct uring_msg *m, int err, unsigned op,
				const char *name)
{
	if (!uring_register_refused(op))
		return false;
	if (!explain_seccomp(m, err, "io_uring_register"))
		uring_msg_add(m, "%s is refused before the kernel's io_uring "
			      "sees it: check the security modules (SELinux, "
			      "AppArmor) and the container's policy", name);
	return true;
}

static void explain_reg(struct uring_msg *m, int err, unsigned op)
{
	const struct uring_kernel_caps *caps = uring_kernel_caps();
	const char *name;
	char unknown[32];

	op &= ~IORING_REGISTER_USE_REGISTERED_RING;
	name = uring_register_op_name(op);
	if (!name) {
		snprintf(unknown, sizeof(unknown), "register opcode %u", op);
		name = unknown;
	}
	switch (err) {
	case -EINVAL:
		if (caps->register_method == URING_REGOPS_DENIED)
			uring_msg_add(m, "the kernel refused the arguments of %s, "
				      "or does not know it: which, could not be "
				      "found out, because io_uring_register is "
				      "refused here", name);
		else if (caps->available && (op >= 64 || !caps->register_op_supported[op]))
			uring_msg_add(m, "kernel %s does not know %s: it needs a "
				      "newer kernel", caps->release, name);
		else
			uring_msg_add(m, "the kernel knows %s but refused its "
				      "arguments (counts, flags, reserved fields "
				      "that must be zero)", name);
		break;
	case -ENOMEM:
		if (pins_memory(op) && !uring_memlock_exempt()) {
			uring_msg_add(m, "%s pins memory, which counts against the "
				      "locked-memory limit (", name);
			add_memlock(m);
			uring_msg_add(m, ") for processes without CAP_IPC_LOCK: "
				      "raise it (ulimit -l, LimitMEMLOCK= in "
				      "systemd, memlock in limits.conf) or "
				      "register less memory");
		} else {
			uring_msg_add(m, "%s could not allocate memory", name);
		}
		break;
	case -EBUSY:
		uring_msg_add(m, "%s: something of that kind is already "
			      "registered on this ring; unregister it first", name);
		break;
	case -EEXIST:
		uring_msg_add(m, "%s was called from a task that is not the "
			      "ring's submitter (IORING_SETUP_SINGLE_ISSUER), or "
			      "it is already registered", name);
		break;
	case -EACCES:
		if (!explain_reg_refused(m, err, op, name))
			uring_msg_add(m, "%s is not allowed on this ring: its "
				      "restrictions (IORING_REGISTER_RESTRICTIONS) "
				      "do not include it", name);
		break;
	case -ENXIO:
		uring_msg_add(m, "%s: nothing of that kind is registered, or "
			      "the ring is going away", name);
		break;
	case -EBADF:
		uring_msg_add(m, "%s: the ring fd (or an fd in the arguments) "
			      "is not open", name);
		break;
	case -EOPNOTSUPP:
		uring_msg_add(m, "%s is not supported for this ring or file "
			      "(the kernel may lack the option it needs)", name);
		break;
	case -EFAULT:
		uring_msg_add(m, "%s: an argument points at memory that is not "
			      "valid", name);
		break;
	case -EPERM:
		if (!explain_reg_refused(m, err, op, name))
			uring_msg_add(m, "%s needs a privilege this process "
				      "lacks", name);
		break;
	case -ENOSYS:
		if (!explain_reg_refused(m, err, op, name))
			uring_msg_add(m, "%s failed: io_uring_register is not "
				      "implemented here", name);
		break;
	default:
		uring_msg_add(m, "%s failed: %s", name, strerror(-err));
		break;
	}
}

int uring_explain_register(int err, unsigned opcode, char *buf, size_t len)
{
	struct uring_msg m;
	int ret;

	if (!msg_start(&m, buf, len, &err, &ret))
		return ret;
	explain_reg(&m, err, opcode);
	return msg_length(&m);
}
