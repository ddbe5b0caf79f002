/*
 * Worker threads kept between calls, for the few places that split their
 * own (non-BLAS) work over cores: the small-matrix batch of mf_expm_batch
 * and the memory-bound linear combinations of mf_expm at large n.
 *
 * Why a pool and not a thread per call: on the 2-core virtual machine we
 * measure on, a freshly created thread was seen to start running about a
 * millisecond after pthread_create, while a parked thread woken through a
 * condition variable ran within about 25 microseconds. A batch of 10,000 3 x 3 exponentials
 * takes two milliseconds on one core, so only parked threads can halve it.
 *
 * Work is split into parts that the caller and the helpers claim one at a
 * time, so a helper that wakes late takes fewer parts instead of delaying
 * the call; the caller never waits for a helper to start. One job runs at a
 * time: a second caller (another thread of the program, or a nested call)
 * does its parts alone. Helpers are started on first need, block every
 * signal, and are stopped and joined when the library is unloaded or the
 * program exits; a forked child starts with no helpers.
 *
 * Everything shared is guarded by one mutex (no lock-free tricks), so the
 * thread checkers of the test suite can follow it.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>

#include "internal.h"

/* Valgrind's Helgrind knows only POSIX synchronization: it is told that
 * `posted` (below) is a hint read without the lock on purpose. The client
 * request is a few no-op instructions outside Valgrind. */
#if defined(__has_include)
#if __has_include(<valgrind/helgrind.h>)
#include <valgrind/helgrind.h>
#endif
#endif
#ifndef VALGRIND_HG_DISABLE_CHECKING
#define VALGRIND_HG_DISABLE_CHECKING(addr, len) ((void)(addr), (void)(len))
#endif

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t job_posted = PTHREAD_COND_INITIALIZER;
static pthread_cond_t job_finished = PTHREAD_COND_INITIALIZER;
/* Held by the one caller whose job the pool runs. */
static pthread_mutex_t owner = PTHREAD_MUTEX_INITIALIZER;

static struct {
    int helpers; /* started and not yet stopped */
    pthread_t tid[MF__POOL_MAX_THREADS - 1];
    bool stopping;
    bool fork_handler_set;
    uint64_t generation; /* incremented with every job */
    /* the current job (guarded by lock) */
    mf__part_fn *body;
    void *ctx;
    int64_t parts, next_part;
    int wanted;  /* helpers that may still join it */
    int working; /* participants, the caller included, not yet done */
    int asleep;  /* helpers waiting on job_posted */
} pool;

/* pool.generation, published for helpers that spin before they sleep. Only
 * a hint: a helper that sees it change takes the lock and reads the job
 * from pool, so nothing depends on when the change becomes visible. */
static _Atomic uint64_t posted;

/* How long an idle helper polls for the next job before it sleeps, in
 * pause instructions (some tens of microseconds). Callers that run jobs
 * back to back (a batch in a loop) then find it awake and skip the wake-up
 * (about 25 microseconds measured; on the idle machine, 3 x 3 batches of
 * 10,000 ran at 0.078 us per matrix with the poll and 0.097 without). */
#define SPIN_PAUSES 1000

static inline void cpu_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* Poll for a job after generation seen; true if one was posted. */
static bool spin_for_job(uint64_t seen) {
    for (int k = 0; k < SPIN_PAUSES; k++) {
        if (atomic_load_explicit(&posted, memory_order_acquire) != seen)
            return true;
        cpu_pause();
    }
    return false;
}

/* Claim and run parts until none is left; called and returns with lock
 * held, released around each part. */
static void claim_parts(int worker) {
    while (pool.next_part < pool.parts) {
        const int64_t part = pool.next_part++;
        mf__part_fn *body = pool.body;
        void *ctx = pool.ctx;
        pthread_mutex_unlock(&lock);
        body(ctx, part, worker);
        pthread_mutex_lock(&lock);
    }
}

static void *helper_main(void *arg) {
    uint64_t seen = (uint64_t)(uintptr_t)arg;
    pthread_mutex_lock(&lock);
    while (!pool.stopping) {
        if (pool.generation == seen || pool.wanted == 0) {
            seen = pool.generation;
            pthread_mutex_unlock(&lock);
            const bool posted_meanwhile = spin_for_job(seen);
            pthread_mutex_lock(&lock);
            if (!posted_meanwhile && pool.generation == seen && !pool.stopping) {
                pool.asleep++;
                pthread_cond_wait(&job_posted, &lock);
                pool.asleep--;
            }
            continue;
        }
        seen = pool.generation;
        const int worker = pool.wanted--; /* helpers are 1, 2, ...; the caller 0 */
        pool.working++;
        claim_parts(worker);
        if (--pool.working == 0)
            pthread_cond_signal(&job_finished);
    }
    pthread_mutex_unlock(&lock);
    return NULL;
}

/* In a forked child only the forking thread exists: forget the helpers. */
static void forget_helpers_in_child(void) {
    pthread_mutex_init(&lock, NULL);
    pthread_mutex_init(&owner, NULL);
    pthread_cond_init(&job_posted, NULL);
    pthread_cond_init(&job_finished, NULL);
    pool.helpers = 0;
    pool.stopping = false;
    pool.wanted = pool.working = pool.asleep = 0;
}

/* Start helpers until there are `count` (fewer if the system refuses);
 * called with lock held. Helpers block all signals: a program's handlers
 * should run on its own threads. */
static void start_helpers(int count) {
    VALGRIND_HG_DISABLE_CHECKING(&posted, sizeof posted);
    if (!pool.fork_handler_set)
        pool.fork_handler_set = pthread_atfork(NULL, NULL, forget_helpers_in_child) == 0;
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    while (pool.helpers < count) {
        void *arg = (void *)(uintptr_t)pool.generation;
        if (pthread_create(&pool.tid[pool.helpers], NULL, helper_main, arg) != 0)
            break;
        pool.helpers++;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void run_alone(int64_t parts, mf__part_fn *body, void *ctx) {
    for (int64_t p = 0; p < parts; p++)
        body(ctx, p, 0);
}

void mf__run_parts(int64_t parts, int threads, mf__part_fn *body, void *ctx) {
    if (threads > MF__POOL_MAX_THREADS)
        threads = MF__POOL_MAX_THREADS;
    if (parts < (int64_t)threads)
        threads = (int)parts;
    if (threads <= 1 || pthread_mutex_trylock(&owner) != 0) {
        run_alone(parts, body, ctx);
        return;
    }
    pthread_mutex_lock(&lock);
    start_helpers(threads - 1);
    pool.body = body;
    pool.ctx = ctx;
    pool.parts = parts;
    pool.next_part = 0;
    pool.wanted = threads - 1 < pool.helpers ? threads - 1 : pool.helpers;
    pool.working = 1;
    pool.generation++;
    atomic_store_explicit(&posted, pool.generation, memory_order_release);
    if (pool.wanted > 0 && pool.asleep > 0)
        pthread_cond_broadcast(&job_posted);
    claim_parts(0);
    pool.wanted = 0; /* a helper waking from now on has nothing to do */
    pool.working--;
    while (pool.working > 0)
        pthread_cond_wait(&job_finished, &lock);
    pthread_mutex_unlock(&lock);
    pthread_mutex_unlock(&owner);
}

int mf__pool_helpers(void) {
    pthread_mutex_lock(&lock);
    const int n = pool.helpers;
    pthread_mutex_unlock(&lock);
    return n;
}

/* Stop and join the helpers when the library is unloaded or the program
 * exits, so that nothing of ours outlives it. Skipped while another thread
 * of the program is inside a job. */
void mf__pool_stop(void) {
    if (pthread_mutex_trylock(&owner) != 0)
        return;
    pthread_mutex_lock(&lock);
    pool.stopping = true;
    atomic_fetch_add_explicit(&posted, 1, memory_order_release); /* wakes spinners */
    pthread_cond_broadcast(&job_posted);
    const int n = pool.helpers;
    pthread_mutex_unlock(&lock);
    for (int k = 0; k < n; k++)
        pthread_join(pool.tid[k], NULL);
    pthread_mutex_lock(&lock);
    pool.helpers = 0;
    pool.stopping = false;
    /* undo the stop signal, or helpers started later would see a job */
    atomic_store_explicit(&posted, pool.generation, memory_order_release);
    pthread_mutex_unlock(&lock);
    pthread_mutex_unlock(&owner);
}

__attribute__((destructor)) static void stop_helpers_at_exit(void) { mf__pool_stop(); }
