/* SPDX-License-Identifier: MIT */
/* The ring configurations of tests/matrix_rings.h, and how each is set up. */
#include "matrix_rings.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

const struct ring_config ring_configs[] = {
	{ "default", 0, 0, NULL },
	{ "cqe32", IORING_SETUP_CQE32, 0, "IORING_SETUP_CQE32" },
	{ "cqe-mixed", IORING_SETUP_CQE_MIXED, 0, "IORING_SETUP_CQE_MIXED" },
	{ "sqe128", IORING_SETUP_SQE128, 0, "IORING_SETUP_SQE128" },
	{ "sqe-mixed", IORING_SETUP_SQE_MIXED, 0, "IORING_SETUP_SQE_MIXED" },
	{ "sqpoll", IORING_SETUP_SQPOLL, 0, "IORING_SETUP_SQPOLL" },
	{ "sqpoll-iopoll", IORING_SETUP_SQPOLL | IORING_SETUP_IOPOLL, 0,
	  "IORING_SETUP_SQPOLL with IORING_SETUP_IOPOLL" },
	{ "iopoll", IORING_SETUP_IOPOLL, 0, "IORING_SETUP_IOPOLL" },
	{ "defer-taskrun", IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_SINGLE_ISSUER,
	  0, "IORING_SETUP_DEFER_TASKRUN" },
	{ "coop-taskrun", IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG,
	  0, "IORING_SETUP_COOP_TASKRUN" },
	{ "no-sqarray", IORING_SETUP_NO_SQARRAY, 0, "IORING_SETUP_NO_SQARRAY" },
	{ "sqarray", 0, RC_MMAP, "an SQ index array" },
	{ "no-mmap", 0, RC_MEM, "IORING_SETUP_NO_MMAP" },
	{ "reg-fd", 0, RC_REG_FD, "io_uring_register_ring_fd" },
	{ "reg-fd-only", IORING_SETUP_NO_MMAP | IORING_SETUP_REGISTERED_FD_ONLY,
	  0, "IORING_SETUP_REGISTERED_FD_ONLY" },
	{ "r-disabled", IORING_SETUP_R_DISABLED, RC_ENABLE,
	  "IORING_SETUP_R_DISABLED" },
	{ "sq-rewind", IORING_SETUP_SQ_REWIND, 0, "IORING_SETUP_SQ_REWIND" },
	{ "cq-overflow", IORING_SETUP_CQSIZE, RC_OVERFLOW, "IORING_SETUP_CQSIZE" },
};
const unsigned ring_configs_nr = sizeof(ring_configs) / sizeof(ring_configs[0]);

static int say(char *why, size_t len, int err, const char *fmt, const char *arg)
{
	if (why && len) {
		int n = snprintf(why, len, fmt, arg);

		if (n >= 0 && (size_t) n < len)
			snprintf(why + n, len - (size_t) n, ": %s", strerror(-err));
	}
	return err;
}

/* io_uring_setup() and io_uring_queue_mmap(): no NO_SQARRAY asked for */
static int setup_mmap(struct io_uring *ring, unsigned entries,
		      struct io_uring_params *p)
{
	int fd = io_uring_setup(entries, p), ret;

	if (fd < 0)
		return fd;
	ret = io_uring_queue_mmap(fd, p, ring);
	if (ret)
		close(fd);
	return ret;
}

int rc_setup(struct io_uring *ring, struct rc_mem *mem,
	     const struct ring_config *cfg, unsigned sq_entries,
	     char *why, size_t why_len)
{
	struct io_uring_params p;
	int ret;

	memset(&p, 0, sizeof(p));
	memset(mem, 0, sizeof(*mem));
	p.flags = cfg->flags;
	if (cfg->flags & IORING_SETUP_SQPOLL)
		p.sq_thread_idle = RC_SQ_IDLE_MS;
	if (cfg->how & RC_OVERFLOW)
		p.cq_entries = sq_entries;

	if (cfg->how & RC_MMAP) {
		ret = setup_mmap(ring, sq_entries, &p);
	} else if (cfg->how & RC_MEM) {
		ssize_t len = io_uring_memory_size_params(sq_entries, &p);

		if (len < 0)
			return say(why, why_len, (int) len, "io_uring_memory_size_params%s", "");
		mem->len = (size_t) len;
		mem->ptr = mmap(NULL, mem->len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem->ptr == MAP_FAILED) {
			mem->ptr = NULL;
			return say(why, why_len, -ENOMEM, "mmap of %zu bytes", "");
		}
		ret = io_uring_queue_init_mem(sq_entries, ring, &p, mem->ptr,
					      mem->len);
		if (ret > 0)
			ret = 0;
	} else {
		ret = io_uring_queue_init_params(sq_entries, ring, &p);
	}
	if (ret) {
		rc_teardown(NULL, mem);
		if (rc_kernel_lacks(ret))
			return say(why, why_len, ret, "kernel lacks %s", cfg->needs);
		return say(why, why_len, ret, "setup of %s", cfg->name);
	}

	if (cfg->how & RC_REG_FD) {
		ret = io_uring_register_ring_fd(ring);
		if (ret != 1) {
			rc_teardown(ring, mem);
			ret = ret < 0 ? ret : -EIO;
			if (rc_kernel_lacks(ret))
				return say(why, why_len, ret, "kernel lacks %s", cfg->needs);
			return say(why, why_len, ret, "%s", "io_uring_register_ring_fd");
		}
	}
	if (cfg->how & RC_ENABLE) {
		ret = io_uring_enable_rings(ring);
		if (ret) {
			rc_teardown(ring, mem);
			return say(why, why_len, ret, "%s", "io_uring_enable_rings");
		}
	}
	return 0;
}

void rc_teardown(struct io_uring *ring, struct rc_mem *mem)
{
	if (ring)
		io_uring_queue_exit(ring);
	if (mem && mem->ptr) {
		munmap(mem->ptr, mem->len);
		mem->ptr = NULL;
	}
}
