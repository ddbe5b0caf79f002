/*
 * The worker pool of core/pool.c: every part runs exactly once whatever the
 * thread count, a worker index stays in range, helpers are kept between
 * calls, a nested call or a second caller runs alone and still completes,
 * and a forked child gets a working pool of its own.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "internal.h"

#define PARTS 1000

typedef struct tally {
    _Atomic int runs[PARTS];
    _Atomic int bad_worker;
    int threads;
    _Atomic int nested_runs; /* parts run by nested calls */
    bool nest;
} tally;

static void spin_a_little(void) {
    volatile double x = 0.0;
    for (int k = 0; k < 200; k++)
        x += k;
}

static void count_part(void *ctx, int64_t part, int worker) {
    tally *t = ctx;
    atomic_fetch_add(&t->runs[part], 1);
    if (worker < 0 || worker >= t->threads)
        atomic_store(&t->bad_worker, 1);
    spin_a_little();
}

static void check_each_once(tally *t, int64_t parts) {
    for (int64_t p = 0; p < parts; p++)
        assert_int_equal(atomic_load(&t->runs[p]), 1);
    assert_int_equal(atomic_load(&t->bad_worker), 0);
}

static void test_every_part_once(void **state) {
    (void)state;
    static const int threads[] = {1, 2, 3, 8, MF__POOL_MAX_THREADS, MF__POOL_MAX_THREADS + 5};
    static const int64_t parts[] = {0, 1, 2, 7, PARTS};
    for (size_t i = 0; i < sizeof threads / sizeof threads[0]; i++)
        for (size_t j = 0; j < sizeof parts / sizeof parts[0]; j++) {
            tally *t = calloc(1, sizeof *t);
            t->threads = threads[i] < MF__POOL_MAX_THREADS ? threads[i] : MF__POOL_MAX_THREADS;
            mf__run_parts(parts[j], threads[i], count_part, t);
            check_each_once(t, parts[j]);
            free(t);
        }
}

static void test_helpers_are_kept(void **state) {
    (void)state;
    tally *t = calloc(1, sizeof *t);
    t->threads = 2;
    mf__run_parts(PARTS, 2, count_part, t);
    const int after_first = mf__pool_helpers();
    assert_true(after_first >= 1);
    memset(t, 0, sizeof *t);
    t->threads = 2;
    mf__run_parts(PARTS, 2, count_part, t);
    check_each_once(t, PARTS);
    assert_int_equal(mf__pool_helpers(), after_first); /* none started anew */
    free(t);
}

/* Stopped helpers (as at exit) are started again by the next job. */
static void test_restart_after_stop(void **state) {
    (void)state;
    tally *t = calloc(1, sizeof *t);
    t->threads = 3;
    mf__run_parts(PARTS, 3, count_part, t);
    assert_true(mf__pool_helpers() >= 1);
    mf__pool_stop();
    assert_int_equal(mf__pool_helpers(), 0);
    for (int r = 0; r < 3; r++) {
        memset(t, 0, sizeof *t);
        t->threads = 3;
        mf__run_parts(PARTS, 3, count_part, t);
        check_each_once(t, PARTS);
        assert_true(mf__pool_helpers() >= 1);
    }
    free(t);
}

/* A part that starts a job of its own: the inner job runs alone (the pool
 * is busy with the outer one) and both complete. */
static void nesting_part(void *ctx, int64_t part, int worker) {
    tally *t = ctx;
    count_part(ctx, part, worker);
    if (part % 100 == 0) {
        tally *inner = calloc(1, sizeof *inner);
        inner->threads = 1; /* alone: only worker 0 */
        mf__run_parts(50, 4, count_part, inner);
        check_each_once(inner, 50);
        atomic_fetch_add(&t->nested_runs, 50);
        free(inner);
    }
}

static void test_nested_call_runs_alone(void **state) {
    (void)state;
    tally *t = calloc(1, sizeof *t);
    t->threads = 2;
    mf__run_parts(PARTS, 2, nesting_part, t);
    check_each_once(t, PARTS);
    assert_int_equal(atomic_load(&t->nested_runs), 50 * (PARTS / 100));
    free(t);
}

static void *caller_thread(void *p) {
    tally *t = p;
    for (int r = 0; r < 20; r++) {
        memset(t->runs, 0, sizeof t->runs);
        mf__run_parts(PARTS, t->threads, count_part, t);
        for (int64_t k = 0; k < PARTS; k++)
            if (atomic_load(&t->runs[k]) != 1)
                atomic_store(&t->bad_worker, 1);
    }
    return NULL;
}

static void test_concurrent_callers(void **state) {
    (void)state;
    tally *t[3];
    pthread_t tid[3];
    for (int c = 0; c < 3; c++) {
        t[c] = calloc(1, sizeof *t[c]);
        t[c]->threads = 2 + c;
        assert_int_equal(pthread_create(&tid[c], NULL, caller_thread, t[c]), 0);
    }
    for (int c = 0; c < 3; c++) {
        assert_int_equal(pthread_join(tid[c], NULL), 0);
        assert_int_equal(atomic_load(&t[c]->bad_worker), 0);
        free(t[c]);
    }
}

/* The child of a fork has only the forking thread: the pool must start
 * helpers of its own rather than wait for the parent's. */
static void test_fork_child_has_a_pool(void **state) {
    (void)state;
    tally *t = calloc(1, sizeof *t);
    t->threads = 2;
    mf__run_parts(PARTS, 2, count_part, t); /* helpers exist in the parent */
    const pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        memset(t, 0, sizeof *t);
        t->threads = 2;
        mf__run_parts(PARTS, 2, count_part, t);
        int bad = atomic_load(&t->bad_worker);
        for (int64_t k = 0; k < PARTS; k++)
            bad |= atomic_load(&t->runs[k]) != 1;
        _exit(bad ? 1 : 0);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    free(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_part_once),
        cmocka_unit_test(test_helpers_are_kept),
        cmocka_unit_test(test_restart_after_stop),
        cmocka_unit_test(test_nested_call_runs_alone),
        cmocka_unit_test(test_concurrent_callers),
        cmocka_unit_test(test_fork_child_has_a_pool),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
