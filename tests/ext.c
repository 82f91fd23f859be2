/* SPDX-License-Identifier: MIT */
/*
 * The uring extensions (not in liburing): kernel capability cache,
 * adaptive setup, error explanations, names, and the uring-probe tool.
 */
#include "helpers.h"

#include <grp.h>
#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>


/* Optional flags a plain ring can carry and still do I/O right away. */
#define SAFE_OPTIONAL	(IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN | \
			 IORING_SETUP_TASKRUN_FLAG | IORING_SETUP_SINGLE_ISSUER | \
			 IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_NO_SQARRAY)

/* What each setup flag needs beside itself, spelled out independently. */
static unsigned needs(unsigned f)
{
	switch (f) {
	case IORING_SETUP_SQ_AFF:		return IORING_SETUP_SQPOLL;
	case IORING_SETUP_HYBRID_IOPOLL:	return IORING_SETUP_IOPOLL;
	case IORING_SETUP_DEFER_TASKRUN:	return IORING_SETUP_SINGLE_ISSUER;
	case IORING_SETUP_TASKRUN_FLAG:		return IORING_SETUP_COOP_TASKRUN;
	case IORING_SETUP_REGISTERED_FD_ONLY:	return IORING_SETUP_NO_MMAP;
	case IORING_SETUP_SQ_REWIND:		return IORING_SETUP_NO_SQARRAY;
	default:				return 0;
	}
}

/* Set up a small ring with flags (+ the parameters some flags need). */
static int setup_with(unsigned flags, struct io_uring *ring, int wq_fd)
{
	struct io_uring_params p;

	memset(&p, 0, sizeof(p));
	p.flags = flags;
	p.cq_entries = 16;
	p.sq_thread_idle = 1;
	p.sq_thread_cpu = (unsigned) sched_getcpu();
	p.wq_fd = (unsigned) wq_fd;
	return io_uring_queue_init_params(4, ring, &p);
}

/* A NOP goes through the ring (the ring really works). */
static void nop_works(struct io_uring *ring)
{
	struct io_uring_sqe *sqe = t_sqe(ring);
	__u64 ud = 0;

	io_uring_prep_nop(sqe);
	io_uring_sqe_set_data64(sqe, 7);
	assert_int_equal(t_submit_wait(ring, NULL, &ud), 0);
	assert_int_equal(ud, 7);
}

/* ---- the capability cache ---- */

static void *caps_thread(void *arg)
{
	(void) arg;
	return (void *) uring_kernel_caps();
}

/* Runs first: several threads race to fill the cache and see one result. */
static void caps_thread_safe(void **state)
{
	pthread_t th[4];
	void *got[4];
	int i;

	(void) state;
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, caps_thread, NULL), 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_join(th[i], &got[i]), 0);
	for (i = 1; i < 4; i++)
		assert_ptr_equal(got[i], got[0]);
	assert_ptr_equal(got[0], uring_kernel_caps());
	assert_true(uring_kernel_caps()->available);
	assert_true(uring_kernel_caps()->release[0] != '\0');
}

static void caps_setup_flags_really_work(void **state)
{
	const struct uring_kernel_caps *caps = uring_kernel_caps();
	struct io_uring wq, ring;
	unsigned bit, accepted = 0;

	(void) state;
	t_ring(&wq, 4, 0);
	for (bit = 0; bit < 32; bit++) {
		unsigned f = 1U << bit;
		int ret;

		if (!uring_setup_flag_name(f))
			continue;
		ret = setup_with(f | needs(f), &ring, wq.ring_fd);
		if (caps->setup_flags & f) {
			if (ret)
				fail_msg("%s reported accepted, setup: %s",
					 uring_setup_flag_name(f), strerror(-ret));
			accepted++;
		} else {
			if (!ret)
				fail_msg("%s reported rejected, but sets up",
					 uring_setup_flag_name(f));
		}
		if (!ret)
			io_uring_queue_exit(&ring);
	}
	print_message("# %u setup flags accepted (0x%x)\n", accepted,
		      caps->setup_flags);
	/* the kernel's own answer, where it gives one, agrees */
	if (caps->has_query) {
		assert_int_equal(caps->setup_flags,
				 caps->query_setup_flags & ((IORING_SETUP_SQ_REWIND << 1) - 1));
		assert_int_equal(caps->features, (unsigned) caps->query_features);
	}
	io_uring_queue_exit(&wq);
}

static void caps_opcodes_match_probe(void **state)
{
	const struct uring_kernel_caps *caps = uring_kernel_caps();
	struct io_uring_probe *probe = io_uring_get_probe();
	int op;

	(void) state;
	assert_non_null(probe);
	assert_int_equal(caps->nr_ops, probe->last_op + 1);
	for (op = 0; op < 256; op++)
		assert_int_equal(caps->op_supported[op],
				 io_uring_opcode_supported(probe, op));
	assert_true(caps->op_supported[IORING_OP_NOP]);
	io_uring_free_probe(probe);
}

/*
 * Register opcodes, found again here the independent way: on a ring whose
 * restrictions allow no register opcode, known ones fail -EACCES and
 * unknown ones -EINVAL.
 */
static void caps_register_ops_cross_check(void **state)
{
	const struct uring_kernel_caps *caps = uring_kernel_caps();
	static __u64 zeros[64];
	struct io_uring_restriction res;
	struct io_uring ring;
	/*
	 * No argument: the restriction check fails every opcode before the
	 * kernel looks at it.  valgrind 3.19 still checks REGISTER_EVENTFD's
	 * int at arg (an unnamed parameter no suppression can name), so
	 * under valgrind arg is zeroed memory: the kernel ignores it alike.
	 */
	void *arg = t_under_valgrind() ? zeros : NULL;
	unsigned op;

	(void) state;
	assert_int_not_equal(caps->register_method, URING_REGOPS_NONE);
	t_ring(&ring, 1, IORING_SETUP_R_DISABLED);
	memset(&res, 0, sizeof(res));
	res.opcode = IORING_RESTRICTION_SQE_OP;
	res.sqe_op = IORING_OP_NOP;
	assert_int_equal(io_uring_register_restrictions(&ring, &res, 1), 0);
	assert_int_equal(io_uring_enable_rings(&ring), 0);
	for (op = 0; op < 64; op++) {
		int r = io_uring_register((unsigned) ring.ring_fd, op, arg, 0);

		assert_true(r == -EACCES || r == -EINVAL);
		if (caps->register_op_supported[op] != (r == -EACCES))
			fail_msg("register op %u: caps say %d, kernel %d", op,
				 caps->register_op_supported[op], r);
	}
	assert_true(caps->register_op_supported[IORING_REGISTER_PROBE]);
	io_uring_queue_exit(&ring);
}

/* ---- adaptive setup ---- */

static void adaptive_keeps_every_supported_flag(void **state)
{
	const struct uring_kernel_caps *caps = uring_kernel_caps();
	unsigned want = SAFE_OPTIONAL & caps->setup_flags, kept = ~0U;
	struct io_uring_params p;
	struct io_uring ring;

	(void) state;
	memset(&p, 0, sizeof(p));
	assert_int_equal(uring_queue_init_adaptive(8, &ring, &p, SAFE_OPTIONAL,
						   &kept), 0);
	assert_int_equal(kept, want);
	assert_int_equal(ring.flags & SAFE_OPTIONAL, want);
	assert_int_equal(p.flags, want);
	nop_works(&ring);
	io_uring_queue_exit(&ring);
}

/* A flag the kernel refuses: the first named one it rejects, else an unnamed bit. */
static unsigned rejected_flag(void)
{
	const struct uring_kernel_caps *caps = uring_kernel_caps();
	unsigned bit;

	for (bit = 0; bit < 32; bit++) {
		unsigned f = 1U << bit;

		if (uring_setup_flag_name(f) && !needs(f) && !(caps->setup_flags & f))
			return f;
	}
	return 1U << 30;
}

static void adaptive_drops_rejected_flag(void **state)
{
	const struct uring_kernel_caps *caps = uring_kernel_caps();
	unsigned bad = rejected_flag(), kept = 0;
	unsigned want = SAFE_OPTIONAL & caps->setup_flags;
	struct io_uring_params p;
	struct io_uring ring;

	(void) state;
	print_message("# rejected flag used: 0x%x (%s)\n", bad,
		      uring_setup_flag_name(bad) ? uring_setup_flag_name(bad) : "unnamed");
	/* the kernel really refuses it */
	assert_int_equal(setup_with(bad, &ring, -1), -EINVAL);

	memset(&p, 0, sizeof(p));
	assert_int_equal(uring_queue_init_adaptive(8, &ring, &p,
						   SAFE_OPTIONAL | bad, &kept), 0);
	assert_int_equal(kept, want);		/* dropped, and only it */
	assert_false(ring.flags & bad);
	nop_works(&ring);
	io_uring_queue_exit(&ring);

	/* the same flag as a requirement is an error, not dropped */
	memset(&p, 0, sizeof(p));
	p.flags = bad;
	assert_int_equal(uring_queue_init_adaptive(8, &ring, &p, 0, &kept), -EINVAL);
}

/* Dependencies: a flag without what it needs is dropped; and a pair the
 * kernel refuses together (SQPOLL + DEFER_TASKRUN) loses the optional one. */
static void adaptive_respects_dependencies(void **state)
{
	const struct uring_kernel_caps *caps = uring_kernel_caps();
	struct io_uring_params p;
	struct io_uring ring;
	unsigned kept = ~0U;

	(void) state;
	if ((caps->setup_flags & (IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_SQPOLL)) !=
	    (IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_SQPOLL))
		T_SKIP("kernel lacks DEFER_TASKRUN or SQPOLL");

	memset(&p, 0, sizeof(p));
	assert_int_equal(uring_queue_init_adaptive(4, &ring, &p,
			 IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_TASKRUN_FLAG,
			 &kept), 0);
	assert_int_equal(kept, 0);	/* neither has what it needs */
	io_uring_queue_exit(&ring);

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SQPOLL;
	p.sq_thread_idle = 10;
	assert_int_equal(uring_queue_init_adaptive(4, &ring, &p,
			 IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
			 &kept), 0);
	assert_int_equal(kept, IORING_SETUP_SINGLE_ISSUER);
	assert_true(ring.flags & IORING_SETUP_SQPOLL);
	assert_false(ring.flags & IORING_SETUP_DEFER_TASKRUN);
	nop_works(&ring);
	io_uring_queue_exit(&ring);
}

/* ---- names ---- */

static void names_cover_everything(void **state)
{
	const char *seen[IORING_OP_LAST];
	int op, j;
	unsigned i;

	(void) state;
	for (op = 0; op < IORING_OP_LAST; op++) {
		const char *n = uring_opcode_name(op);

		if (!n)
			fail_msg("opcode %d has no name", op);
		for (j = 0; j < op; j++)
			assert_string_not_equal(n, seen[j]);
		seen[op] = n;
	}
	assert_string_equal(uring_opcode_name(IORING_OP_READ), "READ");
	assert_string_equal(uring_opcode_name(IORING_OP_SEND_ZC), "SEND_ZC");
	assert_string_equal(uring_opcode_name(IORING_OP_URING_CMD128), "URING_CMD128");
	assert_null(uring_opcode_name(-1));
	assert_null(uring_opcode_name(IORING_OP_LAST));

	for (i = 0; i <= 20; i++)
		assert_non_null(uring_setup_flag_name(1U << i));
	assert_string_equal(uring_setup_flag_name(IORING_SETUP_SQPOLL), "SQPOLL");
	assert_null(uring_setup_flag_name(IORING_SETUP_SQPOLL | IORING_SETUP_IOPOLL));
	assert_null(uring_setup_flag_name(0));
	for (i = 0; i <= 17; i++)
		assert_non_null(uring_feature_name(1U << i));
	assert_string_equal(uring_feature_name(IORING_FEAT_NATIVE_WORKERS),
			    "NATIVE_WORKERS");
	for (i = 0; i < IORING_REGISTER_LAST; i++)
		assert_non_null(uring_register_op_name(i));
	assert_string_equal(uring_register_op_name(IORING_UNREGISTER_BUFFERS),
			    "UNREGISTER_BUFFERS");
	assert_null(uring_register_op_name(IORING_REGISTER_LAST));
}

/* ---- explanations ---- */

static void explain_einval_names_the_flag(void **state)
{
	unsigned bad = rejected_flag();
	struct io_uring_params p;
	struct io_uring ring;
	char msg[512];
	int ret;

	(void) state;
	if (!uring_setup_flag_name(bad))
		T_SKIP("the kernel accepts every setup flag this library names");
	memset(&p, 0, sizeof(p));
	p.flags = bad;
	ret = io_uring_queue_init_params(4, &ring, &p);
	assert_int_equal(ret, -EINVAL);
	ret = uring_explain(ret, 4, &p, msg, sizeof(msg));
	print_message("# %s\n", msg);
	assert_int_equal(ret, (int) strlen(msg));
	assert_non_null(strstr(msg, uring_setup_flag_name(bad)));
	assert_non_null(strstr(msg, "does not support"));

	/* a flag without the one it needs */
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SQ_AFF;
	ret = io_uring_queue_init_params(4, &ring, &p);
	assert_int_equal(ret, -EINVAL);
	uring_explain(ret, 4, &p, msg, sizeof(msg));
	print_message("# %s\n", msg);
	assert_non_null(strstr(msg, "SQ_AFF needs SQPOLL"));

	/* sizes */
	memset(&p, 0, sizeof(p));
	ret = io_uring_queue_init_params(0, &ring, &p);
	assert_int_equal(ret, -EINVAL);
	uring_explain(ret, 0, &p, msg, sizeof(msg));
	assert_non_null(strstr(msg, "entries"));
}

/* Return the message; length checks like snprintf. */
static void explain_buffer_semantics(void **state)
{
	char small[16], full[512];
	int n;

	(void) state;
	n = uring_explain(-ENOSYS, 4, NULL, NULL, 0);
	assert_true(n > 20);
	assert_int_equal(uring_explain(ENOSYS, 4, NULL, full, sizeof(full)), n);
	assert_int_equal((int) strlen(full), n);
	memset(small, 'x', sizeof(small));
	assert_int_equal(uring_explain(-ENOSYS, 4, NULL, small, sizeof(small)), n);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_memory_equal(small, full, sizeof(small) - 1);
	assert_int_equal(uring_explain(-EINVAL, 4, NULL, NULL, 5), -EINVAL);
	uring_explain(0, 4, NULL, full, sizeof(full));
	assert_string_equal(full, "no error");
	/* an errno with no special meaning still gives a sentence */
	uring_explain(-ETXTBSY, 4, NULL, full, sizeof(full));
	assert_non_null(strstr(full, strerror(ETXTBSY)));
	uring_explain_register(-EINVAL, 63, full, sizeof(full));
	print_message("# %s\n", full);
	assert_non_null(strstr(full, "does not know"));
	uring_explain_register(-EBUSY, IORING_REGISTER_FILES, full, sizeof(full));
	assert_non_null(strstr(full, "REGISTER_FILES"));
}


/*
 * Run fn in a forked child; it writes a message to fd and returns an exit
 * code (0 = pass, 77 = cannot test here).  The parent prints the message.
 */
static int in_child(int (*fn)(int fd, int arg), int arg, char *msg, size_t len)
{
	int pfd[2], status;
	char chunk[256];
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		close(pfd[0]);
		_exit(fn(pfd[1], arg));
	}
	close(pfd[1]);
	/* read to EOF: closing early would kill a child still writing */
	while ((n = read(pfd[0], chunk, sizeof(chunk))) > 0) {
		size_t take = (size_t) n < len - 1 - got ? (size_t) n : len - 1 - got;

		memcpy(msg + got, chunk, take);
		got += take;
	}
	msg[got] = '\0';
	close(pfd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static int seccomp_child(int fd, int err)
{
#ifdef T_AUDIT_ARCH
	struct io_uring ring;
	char msg[1024];
	int ret;

	if (t_block_syscall(__NR_io_uring_setup, err))
		return 77;
	ret = io_uring_queue_init(4, &ring, 0);
	if (ret != -err) {
		dprintf(fd, "io_uring_queue_init returned %d, not %d", ret, -err);
		return 1;
	}
	uring_explain(ret, 4, NULL, msg, sizeof(msg));
	dprintf(fd, "%s", msg);
	if (!strstr(msg, "seccomp"))
		return 2;
	if (err == ENOSYS && !strstr(msg, "ENOSYS"))
		return 3;
	return 0;
#else
	(void) fd;
	(void) err;
	return 77;
#endif
}

static void explain_seccomp_eperm(void **state)
{
	char msg[1024];
	int rc;

	(void) state;
	rc = in_child(seccomp_child, EPERM, msg, sizeof(msg));
	print_message("# %s\n", msg);
	if (rc == 77)
		T_SKIP("cannot install a seccomp filter here");
	assert_int_equal(rc, 0);
}

static void explain_seccomp_enosys(void **state)
{
	char msg[1024];
	int rc;

	(void) state;
	rc = in_child(seccomp_child, ENOSYS, msg, sizeof(msg));
	print_message("# %s\n", msg);
	if (rc == 77)
		T_SKIP("cannot install a seccomp filter here");
	assert_int_equal(rc, 0);
}

/*
 * kernel.io_uring_disabled, without touching the real sysctl (other
 * programs share it): in a private mount namespace, files with chosen
 * values are bind-mounted over /proc/sys/kernel/io_uring_{disabled,group}.
 */
static const char *sysctl_files[3];

static int fake_sysctl(const char *file, const char *target)
{
	if (access(target, F_OK))
		return -1;
	return mount(file, target, NULL, MS_BIND, NULL);
}

static int sysctl_child(int fd, int arg)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	char msg[1024];

	(void) arg;
	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    fake_sysctl(sysctl_files[0], "/proc/sys/kernel/io_uring_disabled"))
		return 77;
	uring_explain(-EPERM, 4, NULL, msg, sizeof(msg));
	dprintf(fd, "%s\n", msg);
	if (!strstr(msg, "kernel.io_uring_disabled = 2"))
		return 1;

	/* 1: only CAP_SYS_ADMIN and the group may; this process is neither */
	if (fake_sysctl(sysctl_files[1], "/proc/sys/kernel/io_uring_disabled") ||
	    fake_sysctl(sysctl_files[2], "/proc/sys/kernel/io_uring_group") ||
	    syscall(SYS_capget, &hdr, data))
		return 77;
	data[0].effective &= ~(1U << CAP_SYS_ADMIN);
	if (syscall(SYS_capset, &hdr, data))
		return 77;
	uring_explain(-EPERM, 4, NULL, msg, sizeof(msg));
	dprintf(fd, "# %s", msg);
	if (!strstr(msg, "kernel.io_uring_disabled = 1") || !strstr(msg, "gid 4242"))
		return 2;
	return 0;
}

static void put_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t) strlen(text));
	close(fd);
}

static void explain_sysctl_disabled(void **state)
{
	char msg[2048];
	int rc;

	(void) state;
	sysctl_files[0] = t_path("io_uring_disabled.2");
	sysctl_files[1] = t_path("io_uring_disabled.1");
	sysctl_files[2] = t_path("io_uring_group");
	put_file(sysctl_files[0], "2\n");
	put_file(sysctl_files[1], "1\n");
	put_file(sysctl_files[2], "4242\n");
	rc = in_child(sysctl_child, 0, msg, sizeof(msg));
	print_message("# %s\n", msg);
	if (rc == 77)
		T_SKIP("no private mount namespace (or no io_uring sysctls) here");
	assert_int_equal(rc, 0);
}

/*
 * Without CAP_IPC_LOCK, registered buffers count against RLIMIT_MEMLOCK:
 * drop the capability and lower the limit, then register too much.
 */
static int memlock_child(int fd, int arg)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	struct rlimit rl = { 64 * 1024, 64 * 1024 };
	struct io_uring ring;
	struct iovec iov;
	char msg[1024];
	int ret;

	(void) arg;
	if (syscall(SYS_capget, &hdr, data))
		return 77;
	data[0].effective &= ~(1U << CAP_IPC_LOCK);
	if (syscall(SYS_capset, &hdr, data) || setrlimit(RLIMIT_MEMLOCK, &rl))
		return 77;
	/* the kernel decides at setup whether the ring's pins are charged */
	if (io_uring_queue_init(4, &ring, 0))
		return 77;
	iov.iov_len = 1 << 20;
	iov.iov_base = aligned_alloc(4096, iov.iov_len);
	if (!iov.iov_base)
		return 77;
	memset(iov.iov_base, 1, iov.iov_len);
	ret = io_uring_register_buffers(&ring, &iov, 1);
	if (ret != -ENOMEM) {
		dprintf(fd, "register_buffers returned %d, not -ENOMEM", ret);
		return ret ? 1 : 77;
	}
	uring_explain_register(ret, IORING_REGISTER_BUFFERS, msg, sizeof(msg));
	dprintf(fd, "%s", msg);
	io_uring_queue_exit(&ring);
	free(iov.iov_base);
	if (!strstr(msg, "RLIMIT_MEMLOCK") || !strstr(msg, "64 KiB"))
		return 2;
	return 0;
}

static void explain_register_memlock(void **state)
{
	char msg[1024];
	int rc;

	(void) state;
	rc = in_child(memlock_child, 0, msg, sizeof(msg));
	print_message("# %s\n", msg);
	if (rc == 77)
		T_SKIP("cannot drop CAP_IPC_LOCK or buffers are not charged here");
	assert_int_equal(rc, 0);
}

/* ---- the tool ---- */

/* build/tests/test-ext -> build/tools/uring-probe, or $URING_PROBE */
static const char *probe_tool(void)
{
	static char path[PATH_MAX + 32];
	const char *env = getenv("URING_PROBE");
	char self[PATH_MAX];
	ssize_t n;
	char *slash;

	if (env)
		return env;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return NULL;
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	snprintf(path, sizeof(path), "%s/../tools/uring-probe", self);
	return access(path, X_OK) ? NULL : path;
}

static void uring_probe_json_parses(void **state)
{
	const char *tool = probe_tool();
	char cmd[PATH_MAX + 512];

	(void) state;
	if (!tool)
		T_SKIP("uring-probe not found (set URING_PROBE)");
	if (system("python3 -c 1 2>/dev/null"))
		T_SKIP("python3 not available");
	snprintf(cmd, sizeof(cmd),
		 "'%s' --json | python3 -c 'import json, sys; d = json.load(sys.stdin); "
		 "assert d[\"available\"]; "
		 "assert any(o[\"name\"] == \"READ\" and o[\"supported\"] for o in d[\"opcodes\"][\"ops\"]); "
		 "assert d[\"register_ops\"][\"known\"] > 0'", tool);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "'%s' --json | python3 -m json.tool > /dev/null", tool);
	assert_int_equal(system(cmd), 0);
}

/* uring-probe where io_uring_register is refused: --json says unknown/denied, exit 3 */
static int deny_register_tool_child(int fd, int err)
{
#ifdef T_AUDIT_ARCH
	const char *tool = probe_tool();
	char cmd[PATH_MAX + 1024];
	int n;

	if (!tool || system("python3 -c 1 2>/dev/null"))
		return 77;
	/* a truncated command must not run (and gcc -O3 proves it could be) */
	n = snprintf(cmd, sizeof(cmd),
		 "'%s' --json > '%s'; rc=$?; '%s' > /dev/null; text=$?; "
		 "[ $rc -eq 3 ] && [ $text -eq 3 ] && python3 -c 'import json, sys; "
		 "d = json.load(open(sys.argv[1])); r = d[\"register_ops\"]; "
		 "assert d[\"available\"]; "
		 "assert r[\"known\"] is None and r[\"method\"] == \"denied\"; "
		 "assert r[\"error\"] == -%d and \"seccomp\" in r[\"explanation\"]; "
		 "assert r[\"ops\"] == []; "
		 "assert d[\"opcodes\"][\"known\"] is None' '%s'",
		 tool, t_path("probe.json"), tool, err, t_path("probe.json"));
	if (n < 0 || (size_t) n >= sizeof(cmd)) {
		dprintf(fd, "command longer than %zu bytes", sizeof(cmd));
		return 1;
	}
	if (t_block_syscall(__NR_io_uring_register, err))
		return 77;
	dprintf(fd, "%s", cmd);
	return system(cmd) ? 1 : 0;
#else
	(void) fd;
	(void) err;
	return 77;
#endif
}

static void probe_register_denied_with(int err)
{
	char msg[PATH_MAX + 1024];
	int rc;

	rc = in_child(deny_register_tool_child, err, msg, sizeof(msg));
	if (rc == 77)
		T_SKIP("uring-probe, python3 or a seccomp filter not available");
	if (rc)
		print_message("# %s\n", msg);
	assert_int_equal(rc, 0);
}

static void uring_probe_register_denied(void **state)
{
	(void) state;
	probe_register_denied_with(EPERM);
}

/* a filter that hides io_uring_register (ENOSYS) refuses it just the same */
static void uring_probe_register_hidden(void **state)
{
	(void) state;
	probe_register_denied_with(ENOSYS);
}

/*
 * uring-probe as a process without CAP_IPC_LOCK under a 64 KiB locked-memory
 * limit.  From 6.14 on every scratch ring it sets up is charged to that
 * limit, and the kernel gives a closed ring's charge back only a moment
 * later: the setup flags it finds must still be the ones found here.
 */
static int tight_memlock_tool_child(int fd, int mask)
{
	const char *tool = probe_tool();
	uid_t uid = 50000 + (uid_t) (getpid() % 10000);
	struct rlimit lim = { 65536, 65536 };
	char cmd[PATH_MAX + 512];

	if (!tool || system("python3 -c 1 2>/dev/null"))
		return 77;
	if (setgroups(0, NULL) || setgid(uid) || setuid(uid) ||
	    setrlimit(RLIMIT_MEMLOCK, &lim))
		return 77;
	snprintf(cmd, sizeof(cmd),
		 "'%s' --json | python3 -c 'import json, sys; "
		 "m = json.load(sys.stdin)[\"setup_flags\"][\"mask\"]; "
		 "print(\"setup flags 0x%%x, root found 0x%x\" %% m); "
		 "sys.exit(m != %d)' >&%d", tool, (unsigned) mask, mask, fd);
	return system(cmd) ? 1 : 0;
}

static void uring_probe_tight_memlock(void **state)
{
	char msg[PATH_MAX + 1024];
	int rc;

	(void) state;
	if (getuid() != 0)
		T_SKIP("needs root to run a child under a fresh uid");
	/* the fresh uid's processes cannot write valgrind's root-owned logs */
	if (t_under_valgrind())
		T_SKIP("valgrind cannot log for a child under a fresh uid");
	rc = in_child(tight_memlock_tool_child,
		      (int) uring_kernel_caps()->setup_flags, msg, sizeof(msg));
	if (rc == 77)
		T_SKIP("uring-probe, python3 or a fresh uid not available");
	print_message("# %s", msg);
	assert_int_equal(rc, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(caps_thread_safe),
		cmocka_unit_test(caps_setup_flags_really_work),
		cmocka_unit_test(caps_opcodes_match_probe),
		cmocka_unit_test(caps_register_ops_cross_check),
		cmocka_unit_test(adaptive_keeps_every_supported_flag),
		cmocka_unit_test(adaptive_drops_rejected_flag),
		cmocka_unit_test(adaptive_respects_dependencies),
		cmocka_unit_test(names_cover_everything),
		cmocka_unit_test(explain_einval_names_the_flag),
		cmocka_unit_test(explain_buffer_semantics),
		cmocka_unit_test(explain_seccomp_eperm),
		cmocka_unit_test(explain_seccomp_enosys),
		cmocka_unit_test(explain_sysctl_disabled),
		cmocka_unit_test(explain_register_memlock),
		cmocka_unit_test(uring_probe_json_parses),
		cmocka_unit_test(uring_probe_register_denied),
		cmocka_unit_test(uring_probe_register_hidden),
		cmocka_unit_test(uring_probe_tight_memlock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
