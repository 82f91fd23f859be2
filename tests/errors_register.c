/* SPDX-License-Identifier: MIT */
/*
 * The -errno values the registration calls document in their ERRORS
 * sections, each made to happen for real: pinned memory beyond
 * RLIMIT_MEMLOCK for a caller without CAP_IPC_LOCK (-ENOMEM), a caller
 * without CAP_NET_ADMIN (-EPERM), pointers the kernel cannot read
 * (-EFAULT), a full table of registered rings (-EBUSY), a signal during a
 * synchronous cancel (-EINTR), and the raw io_uring_register(2) itself.
 */
#include "errors_util.h"

#include <linux/magic.h>
#include <net/if.h>
#include <sys/vfs.h>

/* Enough RLIMIT_MEMLOCK for a 2-entry ring, not for 1 MiB more. */
#define SMALL_MEMLOCK	(64 << 10)

/* ---- pinned memory without CAP_IPC_LOCK ---- */

static void pin_calls(void *arg, int *res)
{
	struct io_uring_buf_reg reg;
	struct io_uring ring;
	struct iovec iov;
	void *mem;
	int err = 0;

	(void) arg;
	res[0] = io_uring_queue_init(2, &ring, 0);
	if (res[0])
		return;
	mem = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return;
	iov.iov_base = mem;
	iov.iov_len = 1 << 20;
	res[1] = io_uring_register_buffers(&ring, &iov, 1);
	res[2] = io_uring_register(ring.ring_fd, IORING_REGISTER_BUFFERS, &iov, 1);
	memset(&reg, 0, sizeof(reg));
	reg.ring_addr = (__u64) (uintptr_t) mem;
	reg.ring_entries = 32768;	/* 512 KiB of ring */
	reg.bgid = 1;
	res[3] = io_uring_register_buf_ring(&ring, &reg, 0);
	if (!io_uring_setup_buf_ring(&ring, 32768, 2, 0, &err))
		res[4] = err;
	else
		res[4] = 0;
	io_uring_queue_exit(&ring);
	/* growing a ring needs more pinned memory too */
	if (io_uring_queue_init(2, &ring, IORING_SETUP_SINGLE_ISSUER |
				IORING_SETUP_DEFER_TASKRUN) == 0) {
		struct io_uring_params p;

		memset(&p, 0, sizeof(p));
		p.sq_entries = 4096;
		p.cq_entries = 8192;
		p.flags = IORING_SETUP_CQSIZE;
		res[5] = io_uring_resize_rings(&ring, &p);
		io_uring_queue_exit(&ring);
	}
}

static void pinned_enomem(void **state)
{
	struct t_child_opts o = { .unprivileged = true, .set_memlock = true,
				  .memlock = SMALL_MEMLOCK };
	int res[T_CHILD_RES], i;

	(void) state;
	T_CHILD(&o, pin_calls, NULL, res);
	assert_int_equal(res[0], 0);
	for (i = 1; i <= 4; i++) {
		/* buffer rings are charged since the region rework (6.13) */
		if (i >= 3 && res[i] == 0 && t_kernel_older_than(6, 13))
			continue;
		if (res[i] != -ENOMEM)
			fail_msg("pin call %d: %d, want -ENOMEM", i, res[i]);
	}
	if (uring_kernel_caps()->register_op_supported[IORING_REGISTER_RESIZE_RINGS])
		assert_int_equal(res[5], -ENOMEM);
}

/* A second buffer ring for the same group. */
static void buf_ring_eexist(void **state)
{
	struct io_uring_buf_reg reg;
	struct io_uring ring;
	void *mem;

	(void) state;
	t_ring(&ring, 4, 0);
	mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(mem != MAP_FAILED);
	memset(&reg, 0, sizeof(reg));
	reg.ring_addr = (__u64) (uintptr_t) mem;
	reg.ring_entries = 8;
	reg.bgid = 5;
	assert_int_equal(io_uring_register_buf_ring(&ring, &reg, 0), 0);
	assert_int_equal(io_uring_register_buf_ring(&ring, &reg, 0), -EEXIST);
	assert_int_equal(io_uring_unregister_buf_ring(&ring, 5), 0);
	io_uring_queue_exit(&ring);
	munmap(mem, 4096);
}

/*
 * Buffers in a shared mapping of a regular file: refused with -EOPNOTSUPP
 * before Linux 6.5, and with -EFAULT since (long-term pins of such pages
 * are refused by the memory manager).  A private mapping of the same file
 * is anonymous memory once written, and is accepted since 6.5.
 */
static void buffers_file_backed(void **state)
{
	struct statfs fs;
	struct io_uring ring;
	struct iovec iov;
	void *mem;
	int fd;

	(void) state;
	t_ring(&ring, 4, 0);
	fd = t_make_file(t_path("mapped"), 1 << 16);
	assert_true(fd >= 0);
	if (fstatfs(fd, &fs) == 0 && fs.f_type == TMPFS_MAGIC) {
		close(fd);
		io_uring_queue_exit(&ring);
		T_SKIP("the temporary directory is on tmpfs (shared memory may be pinned)");
	}
	mem = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(mem != MAP_FAILED);
	iov.iov_base = mem;
	iov.iov_len = 1 << 16;
	assert_int_equal(io_uring_register_buffers(&ring, &iov, 1),
			 t_kernel_older_than(6, 5) ? -EOPNOTSUPP : -EFAULT);
	munmap(mem, 1 << 16);
	close(fd);
	io_uring_queue_exit(&ring);
}

/* ---- capabilities ---- */

static void ifq_call(void *arg, int *res)
{
	struct io_uring_zcrx_ifq_reg reg;
	struct io_uring ring;

	(void) arg;
	res[0] = io_uring_queue_init(2, &ring, IORING_SETUP_SINGLE_ISSUER |
				     IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_CQE32);
	if (res[0])
		return;
	memset(&reg, 0, sizeof(reg));
	res[1] = io_uring_register_ifq(&ring, &reg);
	io_uring_queue_exit(&ring);
}

static bool have_zcrx(void)
{
	const struct uring_kernel_caps *caps = uring_kernel_caps();

	return caps->register_op_supported[IORING_REGISTER_ZCRX_IFQ];
}

static void ifq_eperm(void **state)
{
	struct t_child_opts o = { .unprivileged = true };
	int res[T_CHILD_RES];

	(void) state;
	if (geteuid() != 0)
		print_message("# not root: the caller already lacks CAP_NET_ADMIN\n");
	if (!have_zcrx())
		T_SKIP("kernel lacks IORING_REGISTER_ZCRX_IFQ");
	T_CHILD(&o, ifq_call, NULL, res);
	if (res[0] == -ENOMEM)
		T_SKIP("RLIMIT_MEMLOCK too small for a ring without CAP_IPC_LOCK");
	assert_int_equal(res[0], 0);
	assert_int_equal(res[1], -EPERM);
}

/* An interface index nobody has. */
static void ifq_enodev(void **state)
{
	struct io_uring_zcrx_area_reg area;
	struct io_uring_zcrx_ifq_reg reg;
	struct io_uring_region_desc rd;
	struct io_uring ring;
	void *amem, *rmem;

	(void) state;
	if (geteuid() != 0)
		T_SKIP("needs CAP_NET_ADMIN");
	if (!have_zcrx())
		T_SKIP("kernel lacks IORING_REGISTER_ZCRX_IFQ");
	t_ring(&ring, 8, IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN |
			 IORING_SETUP_CQE32);
	amem = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	rmem = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(amem != MAP_FAILED && rmem != MAP_FAILED);
	memset(&area, 0, sizeof(area));
	area.addr = (__u64) (uintptr_t) amem;
	area.len = 1 << 16;
	memset(&rd, 0, sizeof(rd));
	rd.user_addr = (__u64) (uintptr_t) rmem;
	rd.size = 2 * 4096;
	rd.flags = IORING_MEM_REGION_TYPE_USER;
	memset(&reg, 0, sizeof(reg));
	reg.if_idx = 0x7ffffff0;
	reg.rq_entries = 64;
	reg.area_ptr = (__u64) (uintptr_t) &area;
	reg.region_ptr = (__u64) (uintptr_t) &rd;
	assert_int_equal(io_uring_register_ifq(&ring, &reg), -ENODEV);
	io_uring_queue_exit(&ring);
	munmap(amem, 1 << 16);
	munmap(rmem, 2 * 4096);
}

/* ---- pointers the kernel cannot read ---- */

static void bad_pointers(void **state)
{
	struct io_uring_mem_region_reg mr;
	struct io_uring_region_desc rd;
	struct io_uring_buf_reg reg;
	struct io_uring ring;
	void *bad = t_bad_ptr();

	(void) state;
	t_ring(&ring, 4, 0);
	assert_int_equal(io_uring_register_iowq_aff(&ring, 8, bad), -EFAULT);
	assert_int_equal(io_uring_register_iowq_max_workers(&ring, bad), -EFAULT);
	if (uring_kernel_caps()->register_op_supported[IORING_REGISTER_NAPI]) {
		assert_int_equal(io_uring_register_napi(&ring, bad), -EFAULT);
		assert_int_equal(io_uring_unregister_napi(&ring, bad), -EFAULT);
	}
	assert_int_equal(io_uring_register(ring.ring_fd, IORING_REGISTER_PROBE,
					   bad, 4), -EFAULT);
	assert_int_equal(io_uring_register_probe(&ring, bad, 4), -EFAULT);

	/* a buffer ring in memory that is not there */
	memset(&reg, 0, sizeof(reg));
	reg.ring_addr = (__u64) (uintptr_t) bad;
	reg.ring_entries = 8;
	reg.bgid = 3;
	assert_int_equal(io_uring_register_buf_ring(&ring, &reg, 0), -EFAULT);

	if (uring_kernel_caps()->register_op_supported[IORING_REGISTER_MEM_REGION]) {
		assert_int_equal(io_uring_register_region(&ring, bad), -EFAULT);
		memset(&rd, 0, sizeof(rd));
		rd.user_addr = (__u64) (uintptr_t) bad;
		rd.size = 4096;
		rd.flags = IORING_MEM_REGION_TYPE_USER;
		memset(&mr, 0, sizeof(mr));
		mr.region_uptr = (__u64) (uintptr_t) &rd;
		assert_int_equal(io_uring_register_region(&ring, &mr), -EFAULT);
	} else {
		print_message("# kernel lacks IORING_REGISTER_MEM_REGION\n");
	}
	io_uring_queue_exit(&ring);
}

static void query_errors(void **state)
{
	struct io_uring_query_hdr hdr;

	(void) state;
	if (!uring_kernel_caps()->register_op_supported[IORING_REGISTER_QUERY])
		T_SKIP("kernel lacks IORING_REGISTER_QUERY");
	assert_int_equal(io_uring_register_query(t_bad_ptr()), -EFAULT);
	/* a bad entry is answered in its header, not by the call */
	memset(&hdr, 0, sizeof(hdr));
	hdr.__resv[0] = 1;
	assert_int_equal(io_uring_register_query(&hdr), 0);
	assert_int_equal(hdr.result, -EINVAL);
	memset(&hdr, 0, sizeof(hdr));
	hdr.query_op = 0x7fff;
	assert_int_equal(io_uring_register_query(&hdr), 0);
	assert_int_equal(hdr.result, -EOPNOTSUPP);
	/* a chain that never ends */
	memset(&hdr, 0, sizeof(hdr));
	hdr.query_op = 0x7fff;
	hdr.next_entry = (__u64) (uintptr_t) &hdr;
	assert_int_equal(io_uring_register_query(&hdr), -ERANGE);
}

/* ---- buffer clones ---- */

struct reg_in_thread {
	struct io_uring *ring;
	int ret;
};

static void *register_ring_fd_fn(void *arg)
{
	struct reg_in_thread *r = arg;

	r->ret = io_uring_register_ring_fd(r->ring);
	return NULL;
}

static void clone_errors(void **state)
{
	struct io_uring src, dst;
	struct reg_in_thread r;
	struct iovec iov;
	pthread_t th;
	int pfd[2], fd, ret;
	void *mem;

	(void) state;
	t_ring(&src, 4, 0);
	t_ring(&dst, 4, 0);
	mem = malloc(4096);
	assert_non_null(mem);
	iov.iov_base = mem;
	iov.iov_len = 4096;
	assert_int_equal(io_uring_register_buffers(&src, &iov, 1), 0);
	ret = io_uring_clone_buffers(&dst, &src);
	if (ret == -EINVAL) {
		io_uring_queue_exit(&src);
		io_uring_queue_exit(&dst);
		free(mem);
		T_SKIP("kernel lacks IORING_REGISTER_CLONE_BUFFERS");
	}
	assert_int_equal(ret, 0);
	assert_int_equal(io_uring_unregister_buffers(&dst), 0);

	/* unknown flags */
	assert_int_equal(__io_uring_clone_buffers(&dst, &src, 1U << 20), -EINVAL);

	/* src's descriptor closed and its number reused by a pipe */
	fd = src.ring_fd;
	assert_int_equal(close(fd), 0);
	assert_int_equal(pipe(pfd), 0);
	if (pfd[0] == fd || pfd[1] == fd)
		assert_int_equal(io_uring_clone_buffers(&dst, &src), -EOPNOTSUPP);
	else
		print_message("# pipe did not reuse descriptor %d\n", fd);
	t_close_pair(pfd);
	src.ring_fd = -1;
	io_uring_queue_exit(&src);

	/* src registered by another thread: its index means nothing here */
	t_ring(&src, 4, 0);
	assert_int_equal(io_uring_register_buffers(&src, &iov, 1), 0);
	r.ring = &src;
	assert_int_equal(pthread_create(&th, NULL, register_ring_fd_fn, &r), 0);
	pthread_join(th, NULL);
	assert_int_equal(r.ret, 1);
	assert_int_equal(io_uring_clone_buffers(&dst, &src), -EBADF);
	assert_int_equal(__io_uring_clone_buffers(&dst, &src,
				IORING_REGISTER_SRC_REGISTERED), -EBADF);
	/* without IORING_REGISTER_SRC_REGISTERED, src is named by its fd */
	assert_int_equal(__io_uring_clone_buffers(&dst, &src,
				IORING_REGISTER_DST_REPLACE), 0);
	io_uring_queue_exit(&src);
	io_uring_queue_exit(&dst);
	free(mem);
}

/* ---- tables and ranges ---- */

static void *fill_ring_table_fn(void *arg)
{
	struct reg_in_thread *r = arg;
	struct io_uring rings[17];
	int i, n = 0;

	r->ret = 0;
	for (i = 0; i < 17; i++) {
		if (io_uring_queue_init(2, &rings[i], 0))
			break;
		n = i + 1;
		r->ret = io_uring_register_ring_fd(&rings[i]);
		if (r->ret < 0)
			break;
	}
	for (i = 0; i < n; i++)
		io_uring_queue_exit(&rings[i]);
	return NULL;
}

/* A thread may register at most 16 rings (IO_RINGFD_REG_MAX). */
static void ring_fd_table_full(void **state)
{
	struct reg_in_thread r;
	pthread_t th;

	(void) state;
	assert_int_equal(pthread_create(&th, NULL, fill_ring_table_fn, &r), 0);
	pthread_join(th, NULL);
	assert_int_equal(r.ret, -EBUSY);
}

static void file_alloc_range_errors(void **state)
{
	struct io_uring ring;

	(void) state;
	t_ring(&ring, 4, 0);
	/* no file table: no range fits */
	assert_int_equal(io_uring_register_file_alloc_range(&ring, 0, 1), -EINVAL);
	assert_int_equal(io_uring_register_files_sparse(&ring, 8), 0);
	assert_int_equal(io_uring_register_file_alloc_range(&ring, 4, 8), -EINVAL);
	assert_int_equal(io_uring_register_file_alloc_range(&ring, 0xffffffffU, 2),
			 -EOVERFLOW);
	assert_int_equal(io_uring_register_file_alloc_range(&ring, 2, 4), 0);
	io_uring_queue_exit(&ring);
}

static void restriction_errors(void **state)
{
	struct io_uring_restriction res;
	struct io_uring ring;

	(void) state;
	t_ring(&ring, 4, IORING_SETUP_R_DISABLED);
	memset(&res, 0, sizeof(res));
	res.opcode = 99;	/* no such rule */
	assert_int_equal(io_uring_register_restrictions(&ring, &res, 1), -EINVAL);
	io_uring_queue_exit(&ring);
}

static void setup_buf_ring_errors(void **state)
{
	struct io_uring_buf_ring *br;
	struct io_uring ring;
	int err = 0;

	(void) state;
	t_ring(&ring, 4, 0);
	assert_null(io_uring_setup_buf_ring(&ring, 3, 1, 0, &err));
	assert_int_equal(err, -EINVAL);
	assert_null(io_uring_setup_buf_ring(&ring, 65536, 1, 0, &err));
	assert_int_equal(err, -EINVAL);
	br = io_uring_setup_buf_ring(&ring, 8, 1, 0, &err);
	assert_non_null(br);
	assert_null(io_uring_setup_buf_ring(&ring, 8, 1, 0, &err));
	assert_int_equal(err, -EEXIST);
	/* the wrong group: nothing to unregister, and br stays in use (a
	 * group ID of 64 or more: 6.1 keeps IDs below 64 in an array, where
	 * every ID exists and an unused one gets -EINVAL) */
	assert_int_equal(io_uring_free_buf_ring(&ring, br, 8, 1000), -ENOENT);
	assert_int_equal(io_uring_free_buf_ring(&ring, br, 8, 1), 0);
	io_uring_queue_exit(&ring);
}

/* ---- the raw system call ---- */

static void raw_register_errors(void **state)
{
	struct io_uring ring;
	struct iovec iov;
	char buf[64];

	(void) state;
	t_ring(&ring, 4, 0);
	iov.iov_base = buf;
	iov.iov_len = sizeof(buf);
	assert_int_equal(io_uring_register(ring.ring_fd, IORING_UNREGISTER_BUFFERS,
					   NULL, 0), -ENXIO);
	assert_int_equal(io_uring_register(ring.ring_fd, IORING_REGISTER_BUFFERS,
					   &iov, 1), 0);
	assert_int_equal(io_uring_register(ring.ring_fd, IORING_REGISTER_BUFFERS,
					   &iov, 1), -EBUSY);
	if (!t_under_valgrind())	/* memcheck reports the pointer itself */
		assert_int_equal(io_uring_register(ring.ring_fd, IORING_REGISTER_FILES,
						   t_bad_ptr(), 1), -EFAULT);
	io_uring_queue_exit(&ring);
}

/* ---- a signal while a synchronous cancel waits ---- */

/*
 * An fsync of dirty data runs on an io-wq worker and cannot be
 * interrupted; the cancel waits for it, and a signal ends the wait.
 */
static void sync_cancel_eintr(void **state)
{
	struct io_uring_sync_cancel_reg reg;
	struct t_pester pester;
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	char *buf;
	int fd, i, try, ret = 0;

	(void) state;
	T_REQUIRE_OP(IORING_OP_FSYNC);
	t_ring(&ring, 8, 0);
	buf = malloc(1 << 20);
	assert_non_null(buf);
	memset(buf, 0x5a, 1 << 20);
	fd = open(t_path("dirty"), O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	for (try = 0; try < 10 && ret != -EINTR; try++) {
		for (i = 0; i < 32; i++)
			assert_int_equal(pwrite(fd, buf, 1 << 20,
						(off_t) i << 20), 1 << 20);
		sqe = t_sqe(&ring);
		io_uring_prep_fsync(sqe, fd, 0);
		io_uring_sqe_set_data64(sqe, 77);
		assert_int_equal(io_uring_submit(&ring), 1);
		usleep(3000);	/* let a worker pick it up */
		memset(&reg, 0, sizeof(reg));
		reg.addr = 77;
		reg.timeout.tv_sec = 10;
		t_pester_start(&pester, 500, 1000);
		ret = io_uring_register_sync_cancel(&ring, &reg);
		t_pester_stop(&pester);
		/* the fsync finishes (or was cancelled) either way */
		assert_true(t_wait_bounded(&ring, NULL, NULL) <= 0);
		if (ret != -EINTR)
			assert_true(ret == 0 || ret == -ENOENT);
	}
	close(fd);
	free(buf);
	io_uring_queue_exit(&ring);
	if (ret != -EINTR)
		T_SKIP("the fsync never stayed running long enough (%d)", ret);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pinned_enomem),
		cmocka_unit_test(buf_ring_eexist),
		cmocka_unit_test(buffers_file_backed),
		cmocka_unit_test(ifq_eperm),
		cmocka_unit_test(ifq_enodev),
		cmocka_unit_test(bad_pointers),
		cmocka_unit_test(query_errors),
		cmocka_unit_test(clone_errors),
		cmocka_unit_test(ring_fd_table_full),
		cmocka_unit_test(file_alloc_range_errors),
		cmocka_unit_test(restriction_errors),
		cmocka_unit_test(setup_buf_ring_errors),
		cmocka_unit_test(raw_register_errors),
		cmocka_unit_test(sync_cancel_eintr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
