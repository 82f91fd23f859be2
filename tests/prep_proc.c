/* SPDX-License-Identifier: MIT */
/*
 * Between rings and processes: messages and file descriptors sent from one
 * ring to another, waitid on a child, futex wait/wake.
 */
#include "prep_util.h"

#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>

#ifndef FUTEX2_SIZE_U32
#define FUTEX2_SIZE_U32		0x02
#endif
#ifndef FUTEX2_PRIVATE
#define FUTEX2_PRIVATE		128
#endif
#ifndef FUTEX_BITSET_MATCH_ANY
#define FUTEX_BITSET_MATCH_ANY	0xffffffff
#endif

/* ---- messages between rings ---- */

static void msg_ring_op(void **state)
{
	struct io_uring src, dst;
	struct pcqe c;

	(void) state;
	T_REQUIRE_OP(IORING_OP_MSG_RING);
	t_ring(&src, 4, 0);
	t_ring(&dst, 4, 0);
	io_uring_prep_msg_ring(t_sqe(&src), dst.ring_fd, 123, 0xfeedULL, 0);
	assert_int_equal(p_submit_wait(&src).res, 0);
	/* len becomes res, data becomes user_data in the target ring */
	c = p_wait(&dst);
	assert_int_equal(c.res, 123);
	assert_true(c.ud == 0xfeedULL);
	assert_int_equal(c.flags, 0);

	/* flags are passed: CQE_SKIP is only for fd messages */
	io_uring_prep_msg_ring(t_sqe(&src), dst.ring_fd, 1, 2,
			       IORING_MSG_RING_CQE_SKIP);
	assert_int_equal(p_submit_wait(&src).res, -EINVAL);
	p_assert_no_cqe(&dst, 20);

	/* the target must be a ring */
	io_uring_prep_msg_ring(t_sqe(&src), 0, 1, 2, 0);
	assert_int_equal(p_submit_wait(&src).res, -EBADFD);
	io_uring_queue_exit(&src);
	io_uring_queue_exit(&dst);
}

static void msg_ring_cqe_flags_op(void **state)
{
	struct io_uring src, dst;
	struct pcqe c;
	int res;

	(void) state;
	T_REQUIRE_OP(IORING_OP_MSG_RING);
	t_ring(&src, 4, 0);
	t_ring(&dst, 4, 0);
	io_uring_prep_msg_ring_cqe_flags(t_sqe(&src), dst.ring_fd, 7, 0xabcULL,
					 0, 0x5a0000);
	res = p_submit_wait(&src).res;
	if (res == -EINVAL) {
		io_uring_queue_exit(&src);
		io_uring_queue_exit(&dst);
		T_SKIP("kernel lacks IORING_MSG_RING_FLAGS_PASS (6.3+)");
	}
	assert_int_equal(res, 0);
	c = p_wait(&dst);
	assert_int_equal(c.res, 7);
	assert_true(c.ud == 0xabcULL);
	assert_int_equal(c.flags, 0x5a0000);
	io_uring_queue_exit(&src);
	io_uring_queue_exit(&dst);
}

/* Read the pattern through fixed slot 'slot' of ring. */
static void assert_slot_reads(struct io_uring *ring, int slot)
{
	struct io_uring_sqe *sqe = t_sqe(ring);
	unsigned char buf[64];

	io_uring_prep_read(sqe, slot, buf, sizeof(buf), 0);
	io_uring_sqe_set_flags(sqe, IOSQE_FIXED_FILE);
	assert_int_equal(p_submit_wait(ring).res, (int) sizeof(buf));
	t_assert_pattern(buf, sizeof(buf), 0);
}

static void msg_ring_fd_op(void **state)
{
	const char *path = t_path("msgfd");
	struct io_uring src, dst;
	struct pcqe c;
	int fd = t_make_file(path, 4096), slot;

	(void) state;
	T_REQUIRE_OP(IORING_OP_MSG_RING);
	t_ring(&src, 4, 0);
	t_ring(&dst, 4, 0);
	assert_int_equal(io_uring_register_files(&src, &fd, 1), 0);
	close(fd);
	assert_int_equal(io_uring_register_files_sparse(&dst, 4), 0);

	/* source slot 0 -> target slot 2 */
	io_uring_prep_msg_ring_fd(t_sqe(&src), dst.ring_fd, 0, 2, 0x77, 0);
	assert_int_equal(p_submit_wait(&src).res, 0);
	c = p_wait(&dst);
	assert_true(c.ud == 0x77);
	assert_int_equal(c.res, 0);
	assert_slot_reads(&dst, 2);

	/* allocated target slot: both CQEs name it */
	io_uring_prep_msg_ring_fd_alloc(t_sqe(&src), dst.ring_fd, 0, 0x78, 0);
	slot = p_submit_wait(&src).res;
	assert_true(slot >= 0 && slot < 4 && slot != 2);
	c = p_wait(&dst);
	assert_true(c.ud == 0x78);
	assert_int_equal(c.res, slot);
	assert_slot_reads(&dst, slot);

	/* IORING_MSG_RING_CQE_SKIP: the fd moves, the target gets no CQE */
	io_uring_prep_msg_ring_fd(t_sqe(&src), dst.ring_fd, 0, 3, 0x7a,
				  IORING_MSG_RING_CQE_SKIP);
	assert_int_equal(p_submit_wait(&src).res, 0);
	p_assert_no_cqe(&dst, 20);
	assert_slot_reads(&dst, 3);

	/* an empty source slot has nothing to send */
	io_uring_prep_msg_ring_fd(t_sqe(&src), dst.ring_fd, 3, 1, 0x79, 0);
	assert_int_equal(p_submit_wait(&src).res, -EBADF);
	io_uring_queue_exit(&src);
	io_uring_queue_exit(&dst);
}

static void register_sync_msg_op(void **state)
{
	struct io_uring_sqe sqe;
	struct io_uring dst;
	struct pcqe c;
	int ret;

	(void) state;
	T_REQUIRE_OP(IORING_OP_MSG_RING);
	t_ring(&dst, 4, 0);
	/* no source ring: an SQE on the stack, sent synchronously */
	memset(&sqe, 0, sizeof(sqe));
	io_uring_prep_msg_ring(&sqe, dst.ring_fd, 55, 0x5151, 0);
	ret = io_uring_register_sync_msg(&sqe);
	if (ret == -EINVAL) {
		io_uring_queue_exit(&dst);
		T_SKIP("kernel lacks IORING_REGISTER_SEND_MSG_RING");
	}
	assert_int_equal(ret, 0);
	c = p_wait(&dst);
	assert_int_equal(c.res, 55);
	assert_true(c.ud == 0x5151);

	/* only plain messages: fd passing needs a source ring */
	memset(&sqe, 0, sizeof(sqe));
	io_uring_prep_msg_ring_fd(&sqe, dst.ring_fd, 0, 0, 1, 0);
	assert_true(io_uring_register_sync_msg(&sqe) < 0);
	io_uring_queue_exit(&dst);
}

/* ---- processes ---- */

static void waitid_op(void **state)
{
	struct io_uring ring;
	siginfo_t si;
	pid_t pid;

	(void) state;
	T_REQUIRE_OP(IORING_OP_WAITID);
	t_ring(&ring, 4, 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		usleep(20000);
		_exit(7);
	}
	memset(&si, 0, sizeof(si));
	io_uring_prep_waitid(t_sqe(&ring), P_PID, (id_t) pid, &si, WEXITED, 0);
	assert_int_equal(p_submit_wait(&ring).res, 0);
	assert_int_equal(si.si_pid, pid);
	assert_int_equal(si.si_code, CLD_EXITED);
	assert_int_equal(si.si_status, 7);
	/* reaped: nothing left to wait for */
	io_uring_prep_waitid(t_sqe(&ring), P_PID, (id_t) pid, &si, WEXITED, 0);
	assert_int_equal(p_submit_wait(&ring).res, -ECHILD);
	/* options are passed: WNOHANG with a live child returns at once */
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		pause();
		_exit(0);
	}
	memset(&si, 0, sizeof(si));
	io_uring_prep_waitid(t_sqe(&ring), P_PID, (id_t) pid, &si,
			     WEXITED | WNOHANG, 0);
	assert_int_equal(p_submit_wait(&ring).res, 0);
	assert_int_equal(si.si_pid, 0);
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	io_uring_queue_exit(&ring);
}

/* ---- futexes ---- */

/* Submit a private 32-bit futex wait (or wake) on f carrying user_data ud. */
static void submit_futex(struct io_uring *ring, bool wake, uint32_t *f,
			 __u64 val, __u64 mask, __u64 ud)
{
	struct io_uring_sqe *sqe = t_sqe(ring);

	if (wake)
		io_uring_prep_futex_wake(sqe, f, val, mask,
					 FUTEX2_SIZE_U32 | FUTEX2_PRIVATE, 0);
	else
		io_uring_prep_futex_wait(sqe, f, val, mask,
					 FUTEX2_SIZE_U32 | FUTEX2_PRIVATE, 0);
	io_uring_sqe_set_data64(sqe, ud);
	assert_int_equal(io_uring_submit(ring), 1);
}

static void futex_wait_wake_op(void **state)
{
	static uint32_t futex;
	struct io_uring ring;
	struct pcqe c[4];

	(void) state;
	T_REQUIRE_OP(IORING_OP_FUTEX_WAIT);
	T_REQUIRE_OP(IORING_OP_FUTEX_WAKE);
	t_ring(&ring, 8, 0);
	futex = 0;

	/* a value mismatch returns at once */
	io_uring_prep_futex_wait(t_sqe(&ring), &futex, 1, FUTEX_BITSET_MATCH_ANY,
				 FUTEX2_SIZE_U32 | FUTEX2_PRIVATE, 0);
	assert_int_equal(p_submit_wait(&ring).res, -EAGAIN);

	submit_futex(&ring, false, &futex, 0, FUTEX_BITSET_MATCH_ANY, 1);
	p_assert_no_cqe(&ring, 20);

	/* a wake for another bitset does not match the waiter's mask... */
	submit_futex(&ring, false, &futex, 0, 0x2, 3);
	memset(c, 0, sizeof(c));
	submit_futex(&ring, true, &futex, 10, 0x1, 2);
	/* ...so only the MATCH_ANY waiter wakes: res 1 */
	p_wait_n(&ring, c, 4, 2);
	assert_int_equal(c[2].res, 1);
	assert_int_equal(c[1].res, 0);
	p_assert_no_cqe(&ring, 20);

	submit_futex(&ring, true, &futex, 1, 0x2, 2);
	p_wait_n(&ring, c, 4, 2);
	assert_int_equal(c[2].res, 1);
	assert_int_equal(c[3].res, 0);
	io_uring_queue_exit(&ring);
}

static uint32_t waitv_words[2];
static int waitv_go[2];

static void *wake_second(void *arg)
{
	char b;

	(void) arg;
	/* wait until the main thread has armed the waitv */
	if (read(waitv_go[0], &b, 1) != 1)
		return NULL;
	usleep(20000);
	__atomic_store_n(&waitv_words[1], 1, __ATOMIC_SEQ_CST);
	syscall(SYS_futex, &waitv_words[1], FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	return NULL;
}

/*
 * p_wait() for a CQE another thread brings about.  valgrind 3.19 keeps its
 * big lock while a thread sits in io_uring_enter(), so there the wait is
 * done in 1 ms slices with sleeps between, in which the other thread runs.
 */
static struct pcqe wait_for_thread(struct io_uring *ring)
{
	struct pcqe c = { 0, 0, 0 };
	int i, ret = -ETIME;

	if (!t_under_valgrind())
		return p_wait(ring);
	for (i = 0; i < 2500 && ret == -ETIME; i++) {
		ret = p_wait_ms(ring, &c, 1);
		if (ret == -ETIME)
			usleep(1000);
	}
	if (ret)
		fail_msg("no CQE within 5 s: %s", strerror(-ret));
	return c;
}

static void futex_waitv_op(void **state)
{
	struct futex_waitv wv[2];
	struct io_uring ring;
	pthread_t th;
	int i;

	(void) state;
	T_REQUIRE_OP(IORING_OP_FUTEX_WAITV);
	/*
	 * Start the waker thread before arming: on 6.18 the first thread of
	 * a process switches it to a private futex hash, and an io_uring
	 * waiter queued before that switch is not found by a later wake.
	 */
	assert_int_equal(pipe(waitv_go), 0);
	assert_int_equal(pthread_create(&th, NULL, wake_second, NULL), 0);
	t_ring(&ring, 4, 0);
	memset(wv, 0, sizeof(wv));
	for (i = 0; i < 2; i++) {
		waitv_words[i] = 0;
		wv[i].val = 0;
		wv[i].uaddr = (__u64) (uintptr_t) &waitv_words[i];
		wv[i].flags = FUTEX2_SIZE_U32 | FUTEX2_PRIVATE;
	}
	io_uring_prep_futex_waitv(t_sqe(&ring), wv, 2, 0);
	assert_int_equal(io_uring_submit(&ring), 1);
	p_assert_no_cqe(&ring, 20);
	/* a futex(2) wake of the second word from another thread: res is its index */
	p_write_full(waitv_go[1], "g", 1);
	assert_int_equal(wait_for_thread(&ring).res, 1);
	pthread_join(th, NULL);
	t_close_pair(waitv_go);

	/* nr_futex is passed: 0 is invalid */
	io_uring_prep_futex_waitv(t_sqe(&ring), wv, 0, 0);
	assert_int_equal(p_submit_wait(&ring).res, -EINVAL);
	io_uring_queue_exit(&ring);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(msg_ring_op),
		cmocka_unit_test(msg_ring_cqe_flags_op),
		cmocka_unit_test(msg_ring_fd_op),
		cmocka_unit_test(register_sync_msg_op),
		cmocka_unit_test(waitid_op),
		cmocka_unit_test(futex_wait_wake_op),
		cmocka_unit_test(futex_waitv_op),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
