/* SPDX-License-Identifier: MIT */
/*
 * uring-probe: what io_uring can do on this machine, for people (default)
 * or scripts (--json).  Exit status 0 when io_uring is usable, 1 when it
 * is not (the report says why), 2 on a usage error, 3 when rings work but
 * io_uring_register is refused (all or part of it).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <liburing.h>

struct env {
	long disabled;		/* kernel.io_uring_disabled, -1 if absent */
	long group;		/* kernel.io_uring_group, -2 if absent */
	bool have_disabled, have_group;
	struct rlimit memlock;
	bool have_memlock;
	/* io_uring_register refused before the kernel's io_uring sees it */
	int register_error;	/* the first such -errno, or 0 */
	bool denied[64];	/* by register opcode */
	int probe_error;	/* why the opcodes are unknown, or 0 */
};

static bool read_long(const char *path, long *val)
{
	FILE *f = fopen(path, "re");
	bool ok;

	if (!f)
		return false;
	ok = fscanf(f, "%ld", val) == 1;
	fclose(f);
	return ok;
}

/*
 * Is register opcode op refused by a filter (seccomp, a security module)?
 * Its -EPERM / -EACCES / -ENOSYS, or 0: without a filter, the kernel
 * answers fd -1 with -EBADF (or complains about the NULL argument).
 */
static int refused(unsigned op)
{
	int ret = io_uring_register(~0U, op, NULL, 0);

	return ret == -EPERM || ret == -EACCES || ret == -ENOSYS ? ret : 0;
}

static void read_denials(struct env *e, const struct uring_kernel_caps *c)
{
	unsigned op;

	for (op = 0; op < 64; op++) {
		int err = refused(op);

		e->denied[op] = err != 0;
		if (err && !e->register_error)
			e->register_error = err;
	}
	/* the probe (itself a register operation) answered nothing */
	if (c->available && !c->nr_ops) {
		e->probe_error = refused(IORING_REGISTER_PROBE);
		if (!e->probe_error)
			e->probe_error = -EINVAL;
	}
}

static void read_env(struct env *e)
{
	memset(e, 0, sizeof(*e));
	e->have_disabled = read_long("/proc/sys/kernel/io_uring_disabled",
				     &e->disabled);
	e->have_group = read_long("/proc/sys/kernel/io_uring_group", &e->group);
	e->have_memlock = getrlimit(RLIMIT_MEMLOCK, &e->memlock) == 0;
}

/* Opcodes to list: every one we can name, and any newer the kernel has. */
static unsigned nr_ops(const struct uring_kernel_caps *c)
{
	return c->nr_ops > IORING_OP_LAST ? c->nr_ops : IORING_OP_LAST;
}

static unsigned nr_regops(const struct uring_kernel_caps *c)
{
	return c->nr_register_ops > IORING_REGISTER_LAST ?
	       c->nr_register_ops : IORING_REGISTER_LAST;
}

static const char *method_name(int method)
{
	switch (method) {
	case URING_REGOPS_QUERY:	return "query";
	case URING_REGOPS_RESTRICTED:	return "restricted-ring";
	case URING_REGOPS_GUESS:	return "guess";
	case URING_REGOPS_DENIED:	return "denied";
	default:			return "none";
	}
}

/* ---- text ---- */

static void text_limit(const char *what, rlim_t v)
{
	if (v == RLIM_INFINITY)
		printf(" %s unlimited", what);
	else
		printf(" %s %llu bytes", what, (unsigned long long) v);
}

static void print_text(const struct uring_kernel_caps *c, const struct env *e)
{
	unsigned i;

	printf("kernel release: %s\n", c->release);
	if (e->have_disabled)
		printf("sysctl kernel.io_uring_disabled: %ld\n", e->disabled);
	else
		printf("sysctl kernel.io_uring_disabled: (not present)\n");
	if (e->have_group)
		printf("sysctl kernel.io_uring_group: %ld\n", e->group);
	if (e->have_memlock) {
		printf("RLIMIT_MEMLOCK:");
		text_limit("soft", e->memlock.rlim_cur);
		printf(",");
		text_limit("hard", e->memlock.rlim_max);
		printf("\n");
	}
	if (!c->available) {
		char why[1024];

		uring_explain(c->setup_error, 2, NULL, why, sizeof(why));
		printf("io_uring: not available (%s)\n  %s\n",
		       strerror(-c->setup_error), why);
		return;
	}
	printf("io_uring: available\n");

	printf("\nfeatures (0x%x):\n", c->features);
	for (i = 0; i < 32; i++)
		if (uring_feature_name(1U << i))
			printf("  %-20s %s\n", uring_feature_name(1U << i),
			       c->features & (1U << i) ? "yes" : "no");

	printf("\nsetup flags (accepted 0x%x):\n", c->setup_flags);
	for (i = 0; i < 32; i++)
		if (uring_setup_flag_name(1U << i))
			printf("  %-20s %s\n", uring_setup_flag_name(1U << i),
			       c->setup_flags & (1U << i) ? "accepted" : "rejected");

	if (e->probe_error) {
		char why[1024];

		uring_explain_register(e->probe_error, IORING_REGISTER_PROBE,
				       why, sizeof(why));
		printf("\nopcodes: unknown, the probe failed (%s)\n  %s\n",
		       strerror(-e->probe_error), why);
	} else {
		printf("\nopcodes (%u known to the kernel):\n", c->nr_ops);
	}
	for (i = 0; !e->probe_error && i < nr_ops(c); i++) {
		const char *n = uring_opcode_name((int) i);

		if (n)
			printf("  %-20s ", n);
		else
			printf("  op %-17u ", i);
		printf("%s\n", c->op_supported[i] ? "supported" : "not supported");
	}

	if (e->register_error) {
		char why[1024];

		uring_explain_register(e->register_error, IORING_REGISTER_PROBE,
				       why, sizeof(why));
		printf("\nio_uring_register is refused here (%s)\n  %s\n",
		       strerror(-e->register_error), why);
	}
	if (c->register_method == URING_REGOPS_DENIED) {
		printf("\nregister operations: unknown (every call was refused)\n");
		return;
	}
	printf("\nregister operations (%u known to the kernel, found by %s):\n",
	       c->nr_register_ops, method_name(c->register_method));
	for (i = 0; i < nr_regops(c) && i < 64; i++) {
		const char *n = uring_register_op_name(i);

		if (n)
			printf("  %-28s ", n);
		else
			printf("  register op %-16u ", i);
		printf("%s\n", e->denied[i] ? "denied (unknown)" :
		       c->register_op_supported[i] ? "supported" : "not supported");
	}
}

/* ---- JSON ---- */

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char) *s;

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

static void json_limit(rlim_t v)
{
	if (v == RLIM_INFINITY)
		printf("null");
	else
		printf("%llu", (unsigned long long) v);
}

/* [{"name": ..., "value": ..., key: bool}, ...] over the bits of a mask */
static void json_bits(const char *(*name)(unsigned), unsigned mask,
		      const char *key)
{
	bool first = true;
	unsigned i;

	printf("[");
	for (i = 0; i < 32; i++) {
		if (!name(1U << i))
			continue;
		printf("%s\n      {\"name\": ", first ? "" : ",");
		json_str(name(1U << i));
		printf(", \"value\": %u, \"%s\": %s}", 1U << i, key,
		       mask & (1U << i) ? "true" : "false");
		first = false;
	}
	printf("\n    ]");
}

/* supported is null where a filter refused the question (denied) */
static void json_op(unsigned i, const char *n, bool supported, bool denied,
		    bool last)
{
	printf("\n      {\"name\": ");
	if (n)
		json_str(n);
	else
		printf("null");
	printf(", \"value\": %u, \"supported\": %s", i,
	       denied ? "null" : supported ? "true" : "false");
	if (denied)
		printf(", \"denied\": true");
	printf("}%s", last ? "" : ",");
}

/* ,\n "error": -errno, "explanation": "..." of a refused register call */
static void json_error(int err, unsigned op)
{
	char why[1024];

	uring_explain_register(err, op, why, sizeof(why));
	printf(",\n    \"error\": %d,\n    \"explanation\": ", err);
	json_str(why);
}

static void print_json(const struct uring_kernel_caps *c, const struct env *e)
{
	unsigned i, n;

	printf("{\n  \"kernel_release\": ");
	json_str(c->release);
	printf(",\n  \"sysctl\": {\"io_uring_disabled\": ");
	if (e->have_disabled)
		printf("%ld", e->disabled);
	else
		printf("null");
	printf(", \"io_uring_group\": ");
	if (e->have_group)
		printf("%ld", e->group);
	else
		printf("null");
	printf("},\n  \"rlimit_memlock\": ");
	if (e->have_memlock) {
		printf("{\"soft\": ");
		json_limit(e->memlock.rlim_cur);
		printf(", \"hard\": ");
		json_limit(e->memlock.rlim_max);
		printf("}");
	} else {
		printf("null");
	}
	printf(",\n  \"available\": %s", c->available ? "true" : "false");
	if (!c->available) {
		char why[1024];

		uring_explain(c->setup_error, 2, NULL, why, sizeof(why));
		printf(",\n  \"setup_error\": %d,\n  \"explanation\": ",
		       c->setup_error);
		json_str(why);
		printf("\n}\n");
		return;
	}

	printf(",\n  \"features\": {\n    \"mask\": %u,\n    \"bits\": ", c->features);
	json_bits(uring_feature_name, c->features, "supported");
	printf("\n  },\n  \"setup_flags\": {\n    \"mask\": %u,\n    \"bits\": ",
	       c->setup_flags);
	json_bits(uring_setup_flag_name, c->setup_flags, "accepted");

	/* "known": null where the question could not be asked */
	printf("\n  },\n  \"opcodes\": {\n    \"known\": ");
	if (e->probe_error) {
		printf("null");
		json_error(e->probe_error, IORING_REGISTER_PROBE);
	} else {
		printf("%u", c->nr_ops);
	}
	printf(",\n    \"ops\": [");
	for (i = 0, n = e->probe_error ? 0 : nr_ops(c); i < n; i++)
		json_op(i, uring_opcode_name((int) i), c->op_supported[i],
			false, i + 1 == n);

	printf("\n    ]\n  },\n  \"register_ops\": {\n    \"known\": ");
	if (c->register_method == URING_REGOPS_DENIED)
		printf("null");
	else
		printf("%u", c->nr_register_ops);
	printf(",\n    \"method\": ");
	json_str(method_name(c->register_method));
	if (e->register_error)
		json_error(e->register_error, IORING_REGISTER_PROBE);
	printf(",\n    \"ops\": [");
	n = nr_regops(c) < 64 ? nr_regops(c) : 64;
	if (c->register_method == URING_REGOPS_DENIED)
		n = 0;
	for (i = 0; i < n; i++)
		json_op(i, uring_register_op_name(i),
			c->register_op_supported[i], e->denied[i],
			i + 1 == n);
	printf("\n    ]\n  }\n}\n");
}

static void usage(FILE *f, const char *prog)
{
	fprintf(f, "usage: %s [--json]\n"
		"Print what io_uring supports on this machine: kernel release,\n"
		"io_uring sysctls, RLIMIT_MEMLOCK, features, setup flags, opcodes\n"
		"and register operations.  --json prints the same as JSON.\n",
		prog);
}

int main(int argc, char *argv[])
{
	const struct uring_kernel_caps *caps;
	bool json = false;
	struct env e;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout, argv[0]);
			return 0;
		} else {
			usage(stderr, argv[0]);
			return 2;
		}
	}

	read_env(&e);
	caps = uring_kernel_caps();
	read_denials(&e, caps);
	if (json)
		print_json(caps, &e);
	else
		print_text(caps, &e);
	if (!caps->available)
		return 1;
	/* usable, but io_uring_register (or part of it) is refused */
	return e.register_error || e.probe_error ? 3 : 0;
}
