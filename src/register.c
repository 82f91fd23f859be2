/* SPDX-License-Identifier: MIT */
/*
 * io_uring_register() operations: each function fills the argument the
 * kernel expects and makes one call through ring_register(), which uses the
 * registered ring index when the ring has one.
 */
#define LIBURING_INTERNAL
#include "lib.h"

#include <pthread.h>
#include <string.h>
#include <sys/resource.h>

/*
 * The kernel refuses a file table larger than RLIMIT_NOFILE (-EMFILE).
 * Raise the soft limit by nr (to the hard limit at most) for one more try,
 * only when that reaches nr, and put it back if the retry fails: a soft
 * limit left raised above 1024 breaks select() in the same process.
 */
struct nofile_limit {
	__u64 cur, max;
};

static int nofile_limit(struct nofile_limit *get, const struct nofile_limit *set)
{
	return (int) __do_syscall4(__NR_prlimit64, 0, RLIMIT_NOFILE,
				   (long) set, (long) get);
}

enum nofile_raise {
	NOFILE_ENOUGH,		/* the soft limit reaches nr already: just retry */
	NOFILE_RAISED,		/* raised: retry, and put it back on failure */
	NOFILE_NO,		/* no raise reaches nr: -EMFILE stands */
};

/* Raise the soft limit for a table of nr; the limits before and after. */
static enum nofile_raise raise_nofile_limit(unsigned nr,
					    struct nofile_limit *old,
					    struct nofile_limit *raised)
{
	if (nofile_limit(old, NULL))
		return NOFILE_NO;
	if (old->cur >= nr)
		return NOFILE_ENOUGH;
	if (old->max < nr)
		return NOFILE_NO;
	raised->max = old->max;
	raised->cur = old->cur + nr < old->max ? old->cur + nr : old->max;
	return nofile_limit(NULL, raised) ? NOFILE_NO : NOFILE_RAISED;
}

/*
 * One raise at a time in the process: overlapping ones would each put back
 * a limit another had raised (leaving it raised for good), or see another's
 * raise and not retry.
 */
static pthread_mutex_t nofile_lock = PTHREAD_MUTEX_INITIALIZER;

/* A file table registration, retried once with a raised RLIMIT_NOFILE. */
static int register_files_retry(struct io_uring *ring, unsigned opcode,
				const void *arg, unsigned nr_args, unsigned nr)
{
	int ret = ring_register(ring, opcode, arg, nr_args);
	struct nofile_limit old, raised, now;
	enum nofile_raise how;

	if (ret != -EMFILE)
		return ret;
	pthread_mutex_lock(&nofile_lock);
	how = raise_nofile_limit(nr, &old, &raised);
	if (how != NOFILE_NO)
		ret = ring_register(ring, opcode, arg, nr_args);
	/* put back, unless the program set a limit of its own meanwhile */
	if (how == NOFILE_RAISED && ret < 0 && !nofile_limit(&now, NULL) &&
	    now.cur == raised.cur && now.max == raised.max)
		nofile_limit(NULL, &old);
	pthread_mutex_unlock(&nofile_lock);
	return ret;
}

/* ---- buffers ---- */

int io_uring_register_buffers(struct io_uring *ring, const struct iovec *iovecs,
			      unsigned nr_iovecs)
{
	return ring_register(ring, IORING_REGISTER_BUFFERS, iovecs, nr_iovecs);
}

/* IORING_REGISTER_BUFFERS2 / FILES2: a table of nr entries, maybe tagged */
static int register_rsrc(struct io_uring *ring, unsigned opcode,
			 const void *data, const __u64 *tags, unsigned nr,
			 unsigned flags)
{
	struct io_uring_rsrc_register reg;

	memset(&reg, 0, sizeof(reg));
	reg.nr = nr;
	reg.flags = flags;
	reg.data = (__u64) (uintptr_t) data;
	reg.tags = (__u64) (uintptr_t) tags;
	return ring_register(ring, opcode, &reg, sizeof(reg));
}

/* IORING_REGISTER_BUFFERS_UPDATE / FILES_UPDATE2 */
static int update_rsrc(struct io_uring *ring, unsigned opcode, unsigned off,
		       const void *data, const __u64 *tags, unsigned nr)
{
	struct io_uring_rsrc_update2 up;

	memset(&up, 0, sizeof(up));
	up.offset = off;
	up.data = (__u64) (uintptr_t) data;
	up.tags = (__u64) (uintptr_t) tags;
	up.nr = nr;
	return ring_register(ring, opcode, &up, sizeof(up));
}

int io_uring_register_buffers_tags(struct io_uring *ring,
				   const struct iovec *iovecs,
				   const __u64 *tags, unsigned nr)
{
	return register_rsrc(ring, IORING_REGISTER_BUFFERS2, iovecs, tags, nr, 0);
}

int io_uring_register_buffers_sparse(struct io_uring *ring, unsigned nr)
{
	return register_rsrc(ring, IORING_REGISTER_BUFFERS2, NULL, NULL, nr,
			     IORING_RSRC_REGISTER_SPARSE);
}

int io_uring_register_buffers_update_tag(struct io_uring *ring, unsigned off,
					 const struct iovec *iovecs,
					 const __u64 *tags, unsigned nr)
{
	return update_rsrc(ring, IORING_REGISTER_BUFFERS_UPDATE, off, iovecs,
			   tags, nr);
}

int io_uring_unregister_buffers(struct io_uring *ring)
{
	return ring_register(ring, IORING_UNREGISTER_BUFFERS, NULL, 0);
}

int __io_uring_clone_buffers_offset(struct io_uring *dst, struct io_uring *src,
				    unsigned int dst_off, unsigned int src_off,
				    unsigned int nr, unsigned int flags)
{
	struct io_uring_clone_buffers buf;

	memset(&buf, 0, sizeof(buf));
	buf.src_fd = (__u32) src->ring_fd;
	buf.flags = flags;
	buf.src_off = src_off;
	buf.dst_off = dst_off;
	buf.nr = nr;
	/*
	 * The caller's flags as given.  IORING_REGISTER_SRC_REGISTERED names
	 * src by its registered index, which the kernel looks up in the
	 * calling thread's table; for a src without an index it does not
	 * apply, and src's fd is used.
	 */
	if (flags & IORING_REGISTER_SRC_REGISTERED) {
		if (src->int_flags & INT_FLAG_REG_RING)
			buf.src_fd = (__u32) src->enter_ring_fd;
		else
			buf.flags &= ~IORING_REGISTER_SRC_REGISTERED;
	}
	return ring_register(dst, IORING_REGISTER_CLONE_BUFFERS, &buf, 1);
}

/* src's registered index, if it has one: right when this thread registered it */
static unsigned clone_src_flags(const struct io_uring *src)
{
	return (src->int_flags & INT_FLAG_REG_RING) ?
	       IORING_REGISTER_SRC_REGISTERED : 0;
}

int io_uring_clone_buffers_offset(struct io_uring *dst, struct io_uring *src,
				  unsigned int dst_off, unsigned int src_off,
				  unsigned int nr, unsigned int flags)
{
	return __io_uring_clone_buffers_offset(dst, src, dst_off, src_off, nr,
					       flags | clone_src_flags(src));
}

int __io_uring_clone_buffers(struct io_uring *dst, struct io_uring *src,
			     unsigned int flags)
{
	return __io_uring_clone_buffers_offset(dst, src, 0, 0, 0, flags);
}

int io_uring_clone_buffers(struct io_uring *dst, struct io_uring *src)
{
	return __io_uring_clone_buffers(dst, src, clone_src_flags(src));
}

/* ---- files ---- */

int io_uring_register_files(struct io_uring *ring, const int *files,
			    unsigned nr_files)
{
	return register_files_retry(ring, IORING_REGISTER_FILES, files,
				    nr_files, nr_files);
}

/* IORING_REGISTER_FILES2, retried once with a raised RLIMIT_NOFILE */
static int register_files2(struct io_uring *ring, const int *files,
			   const __u64 *tags, unsigned nr, unsigned flags)
{
	struct io_uring_rsrc_register reg;

	memset(&reg, 0, sizeof(reg));
	reg.nr = nr;
	reg.flags = flags;
	reg.data = (__u64) (uintptr_t) files;
	reg.tags = (__u64) (uintptr_t) tags;
	return register_files_retry(ring, IORING_REGISTER_FILES2, &reg,
				    sizeof(reg), nr);
}

int io_uring_register_files_tags(struct io_uring *ring, const int *files,
				 const __u64 *tags, unsigned nr)
{
	return register_files2(ring, files, tags, nr, 0);
}

int io_uring_register_files_sparse(struct io_uring *ring, unsigned nr)
{
	return register_files2(ring, NULL, NULL, nr,
			       IORING_RSRC_REGISTER_SPARSE);
}

int io_uring_register_files_update_tag(struct io_uring *ring, unsigned off,
				       const int *files, const __u64 *tags,
				       unsigned nr_files)
{
	return update_rsrc(ring, IORING_REGISTER_FILES_UPDATE2, off, files, tags,
			   nr_files);
}

int io_uring_register_files_update(struct io_uring *ring, unsigned off,
				   const int *files, unsigned nr_files)
{
	struct io_uring_files_update up;

	memset(&up, 0, sizeof(up));
	up.offset = off;
	up.fds = (__u64) (uintptr_t) files;
	return ring_register(ring, IORING_REGISTER_FILES_UPDATE, &up, nr_files);
}

int io_uring_unregister_files(struct io_uring *ring)
{
	return ring_register(ring, IORING_UNREGISTER_FILES, NULL, 0);
}

int io_uring_register_file_alloc_range(struct io_uring *ring, unsigned off,
				       unsigned len)
{
	struct io_uring_file_index_range range;

	memset(&range, 0, sizeof(range));
	range.off = off;
	range.len = len;
	return ring_register(ring, IORING_REGISTER_FILE_ALLOC_RANGE, &range, 0);
}

/* ---- eventfd, probe, personality, restrictions ---- */

int io_uring_register_eventfd(struct io_uring *ring, int fd)
{
	return ring_register(ring, IORING_REGISTER_EVENTFD, &fd, 1);
}

int io_uring_register_eventfd_async(struct io_uring *ring, int fd)
{
	return ring_register(ring, IORING_REGISTER_EVENTFD_ASYNC, &fd, 1);
}

int io_uring_unregister_eventfd(struct io_uring *ring)
{
	return ring_register(ring, IORING_UNREGISTER_EVENTFD, NULL, 0);
}

int io_uring_register_probe(struct io_uring *ring, struct io_uring_probe *p,
			    unsigned nr)
{
	int ret = ring_register(ring, IORING_REGISTER_PROBE, p, nr);

	if (!ret)
		uring_kernel_wrote(p, sizeof(*p) + nr * sizeof(p->ops[0]));
	return ret;
}

int io_uring_register_personality(struct io_uring *ring)
{
	return ring_register(ring, IORING_REGISTER_PERSONALITY, NULL, 0);
}

int io_uring_unregister_personality(struct io_uring *ring, int id)
{
	return ring_register(ring, IORING_UNREGISTER_PERSONALITY, NULL,
			     (unsigned) id);
}

int io_uring_register_restrictions(struct io_uring *ring,
				   struct io_uring_restriction *res,
				   unsigned int nr_res)
{
	return ring_register(ring, IORING_REGISTER_RESTRICTIONS, res, nr_res);
}

int io_uring_enable_rings(struct io_uring *ring)
{
	return ring_register(ring, IORING_REGISTER_ENABLE_RINGS, NULL, 0);
}

/* ---- io-wq ---- */

int io_uring_register_iowq_aff(struct io_uring *ring, size_t cpusz,
			       const cpu_set_t *mask)
{
	if (cpusz >= (1U << 31))
		return -EINVAL;
	return ring_register(ring, IORING_REGISTER_IOWQ_AFF, mask,
			     (unsigned) cpusz);
}

int io_uring_unregister_iowq_aff(struct io_uring *ring)
{
	return ring_register(ring, IORING_UNREGISTER_IOWQ_AFF, NULL, 0);
}

int io_uring_register_iowq_max_workers(struct io_uring *ring, unsigned int *val)
{
	return ring_register(ring, IORING_REGISTER_IOWQ_MAX_WORKERS, val, 2);
}

/* ---- the ring fd itself ---- */

int io_uring_register_ring_fd(struct io_uring *ring)
{
	struct io_uring_rsrc_update up;
	int ret;

	if (ring->int_flags & INT_FLAG_REG_RING)
		return -EEXIST;
	memset(&up, 0, sizeof(up));
	up.data = (__u64) ring->ring_fd;
	up.offset = -1U;	/* any free slot */
	ret = ring_register(ring, IORING_REGISTER_RING_FDS, &up, 1);
	if (ret == 1) {
		ring->enter_ring_fd = (int) up.offset;
		ring->int_flags |= INT_FLAG_REG_RING;
		if (ring->features & IORING_FEAT_REG_REG_RING)
			ring->int_flags |= INT_FLAG_REG_REG_RING;
		ring_note_submit(ring);
	}
	return ret;
}

/*
 * Drop the registered index (through the index itself when the kernel
 * allows, so this works with the plain fd closed); the caller decides what
 * enter_ring_fd becomes.
 */
int uring_unregister_ring_index(struct io_uring *ring)
{
	struct io_uring_rsrc_update up;

	memset(&up, 0, sizeof(up));
	up.offset = (__u32) ring->enter_ring_fd;
	return ring_register(ring, IORING_UNREGISTER_RING_FDS, &up, 1);
}

int io_uring_unregister_ring_fd(struct io_uring *ring)
{
	int ret;

	if (!(ring->int_flags & INT_FLAG_REG_RING))
		return -EINVAL;
	/*
	 * With the plain fd closed the index is the ring's last reference:
	 * dropping it would destroy the ring under the caller.  Keep it; the
	 * ring is released by io_uring_queue_exit().
	 */
	if (ring->ring_fd < 0)
		return -EBADF;
	ret = uring_unregister_ring_index(ring);
	if (ret == 1) {
		ring->enter_ring_fd = ring->ring_fd;
		ring->int_flags &= (__u8) ~(INT_FLAG_REG_RING |
					    INT_FLAG_REG_REG_RING);
		ring_note_submit(ring);
	}
	return ret;
}

int io_uring_close_ring_fd(struct io_uring *ring)
{
	if (!(ring->features & IORING_FEAT_REG_REG_RING))
		return -EOPNOTSUPP;
	if (!(ring->int_flags & INT_FLAG_REG_RING))
		return -EINVAL;
	if (ring->ring_fd == -1)
		return -EBADF;
	__sys_close(ring->ring_fd);
	ring->ring_fd = -1;
	return 1;
}

/* ---- provided buffer rings ---- */

int io_uring_register_buf_ring(struct io_uring *ring,
			       struct io_uring_buf_reg *reg,
			       unsigned int flags)
{
	if (!reg)
		return -EFAULT;
	reg->flags |= (__u16) flags;
	return ring_register(ring, IORING_REGISTER_PBUF_RING, reg, 1);
}

int io_uring_unregister_buf_ring(struct io_uring *ring, int bgid)
{
	struct io_uring_buf_reg reg;

	memset(&reg, 0, sizeof(reg));
	reg.bgid = (__u16) bgid;
	return ring_register(ring, IORING_UNREGISTER_PBUF_RING, &reg, 1);
}

int io_uring_buf_ring_head(struct io_uring *ring, int buf_group, uint16_t *head)
{
	struct io_uring_buf_status status;
	int ret;

	memset(&status, 0, sizeof(status));
	status.buf_group = (__u32) buf_group;
	ret = ring_register(ring, IORING_REGISTER_PBUF_STATUS, &status, 1);
	if (ret)
		return ret;
	*head = (uint16_t) status.head;
	return 0;
}

/* ---- cancel, messages, napi, clock, regions, wait args ---- */

int io_uring_register_sync_cancel(struct io_uring *ring,
				  struct io_uring_sync_cancel_reg *reg)
{
	return ring_register(ring, IORING_REGISTER_SYNC_CANCEL, reg, 1);
}

/* A MSG_RING SQE run synchronously, without a source ring (fd -1). */
int io_uring_register_sync_msg(struct io_uring_sqe *sqe)
{
	return __sys_io_uring_register(-1U, IORING_REGISTER_SEND_MSG_RING, sqe, 1);
}

int io_uring_register_napi(struct io_uring *ring, struct io_uring_napi *napi)
{
	return ring_register(ring, IORING_REGISTER_NAPI, napi, 1);
}

int io_uring_unregister_napi(struct io_uring *ring, struct io_uring_napi *napi)
{
	int ret = ring_register(ring, IORING_UNREGISTER_NAPI, napi, 1);

	/* the kernel hands back the settings it had */
	if (!ret && napi)
		uring_kernel_wrote(napi, sizeof(*napi));
	return ret;
}

int io_uring_register_clock(struct io_uring *ring,
			    struct io_uring_clock_register *arg)
{
	return ring_register(ring, IORING_REGISTER_CLOCK, arg, 0);
}

int io_uring_register_ifq(struct io_uring *ring,
			  struct io_uring_zcrx_ifq_reg *reg)
{
	return ring_register(ring, IORING_REGISTER_ZCRX_IFQ, reg, 1);
}

int io_uring_register_zcrx_ctrl(struct io_uring *ring, struct zcrx_ctrl *ctrl)
{
	return ring_register(ring, IORING_REGISTER_ZCRX_CTRL, ctrl, 0);
}

int io_uring_register_region(struct io_uring *ring,
			     struct io_uring_mem_region_reg *reg)
{
	return ring_register(ring, IORING_REGISTER_MEM_REGION, reg, 1);
}

/*
 * This belonged to a wait-argument interface that never reached a released
 * kernel.  Like liburing 2.15 it always fails: wait arguments are registered
 * with io_uring_register_region() and IORING_MEM_REGION_REG_WAIT_ARG.
 */
int io_uring_register_wait_reg(struct io_uring *ring,
			       struct io_uring_reg_wait *reg, int nr)
{
	(void) ring;
	(void) reg;
	(void) nr;
	return -EINVAL;
}

int io_uring_set_iowait(struct io_uring *ring, bool enable_iowait)
{
	if (!(ring->features & IORING_FEAT_NO_IOWAIT))
		return -EOPNOTSUPP;
	if (enable_iowait)
		ring->int_flags &= (__u8) ~INT_FLAG_NO_IOWAIT;
	else
		ring->int_flags |= INT_FLAG_NO_IOWAIT;
	ring_note_submit(ring);
	return 0;
}

int io_uring_register_bpf_filter(struct io_uring *ring, struct io_uring_bpf *bpf)
{
	return ring_register(ring, IORING_REGISTER_BPF_FILTER, bpf, 1);
}

/* A filter for the calling task's future rings: no ring fd (-1). */
int io_uring_register_bpf_filter_task(struct io_uring_bpf *bpf)
{
	return __sys_io_uring_register(-1U, IORING_REGISTER_BPF_FILTER, bpf, 1);
}

/* Ask the kernel what it supports; needs no ring (fd -1). */
int io_uring_register_query(struct io_uring_query_hdr *query)
{
	return __sys_io_uring_register(-1U, IORING_REGISTER_QUERY, query, 0);
}
