/*
 * mf_expm_batch, mf_expm_batch_strided: exp of many same-size matrices,
 * split into contiguous chunks over POSIX threads, created once per call
 * and only when the batch is large enough to repay them. Members with
 * n <= MF__EXPM_SMALL_N run entirely in our own kernels on the thread's
 * stack (no BLAS, no heap; real n <= 8 in the fixed-size path), so threads
 * never oversubscribe; larger members run one after the other on the
 * calling thread, BLAS threads inside. Real members of order 3 to 8 go
 * eight at a time through the vector lanes of expm_lanes.c (the same
 * result as mf_expm, several times faster); the rest through mf_expm,
 * whose validation of a plain small descriptor is a few comparisons.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "expm.h"

/* A thread is started only for at least this much work, in multiply-adds
 * (n^3 per product, about a dozen products per member): creating and
 * joining one costs some tens of microseconds, which a 3 x 3 member
 * (a fraction of a microsecond) would need thousands of members to repay. */
#define WORK_PER_THREAD (1 << 19)
#define MIN_MEMBERS_PER_THREAD 16
#define MAX_THREADS 256

typedef struct batch {
    int64_t count;
    const mf_matrix *A; /* array form, or NULL */
    mf_matrix *E;
    mf_matrix a0, e0;   /* strided form: member 0 and strides */
    int64_t a_stride, e_stride;
    mf_status *status;
} batch;

typedef struct chunk {
    const batch *b;
    int64_t begin, end;
    int64_t first_fail;   /* index of the first failing member, or -1 */
    mf_status fail_status;
    char message[256];    /* mf_last_error() of that failure (thread-local there) */
} chunk;

static void member(const batch *b, int64_t k, mf_matrix *a, mf_matrix *e) {
    if (b->A != NULL) {
        *a = b->A[k];
        *e = b->E[k];
        return;
    }
    *a = b->a0;
    *e = b->e0;
    a->data = (char *)a->data + (size_t)(k * b->a_stride) * mf__elem_size(a->dtype);
    e->data = (char *)e->data + (size_t)(k * b->e_stride) * mf__elem_size(e->dtype);
}

/* The outcome of member k: its status, and the chunk's first failure. */
static void record(chunk *c, int64_t k, mf_status s) {
    if (c->b->status != NULL)
        c->b->status[k] = s;
    if (s != MF_OK && (c->first_fail < 0 || k < c->first_fail)) {
        c->first_fail = k;
        c->fail_status = s;
        snprintf(c->message, sizeof c->message, "%s", mf_last_error());
    }
}

/* Can member (a, e) go into the vector lanes of expm_lanes.c? */
static bool lane_member(const mf_matrix *a, const mf_matrix *e) {
    return a->dtype == MF_F64 && e->dtype == MF_F64 && a->rows >= 3 &&
           a->rows <= 4 && mf__expm_plain_args(a, e);
}

/* Members that fit the lanes go eight at a time; the others, and those the
 * lanes hand back, through mf_expm. Either way a member's result is
 * mf_expm's, bit for bit. */
static void *run_chunk(void *p) {
    chunk *c = p;
    const bool lanes = mf__expm_lanes_available();
    int64_t k = c->begin;
    while (k < c->end) {
        mf_matrix a[MF__EXPM_LANES], e[MF__EXPM_LANES];
        int64_t index[MF__EXPM_LANES];
        int m = 0;
        for (; k < c->end && m < MF__EXPM_LANES; k++) {
            member(c->b, k, &a[m], &e[m]);
            if (lanes && lane_member(&a[m], &e[m]))
                index[m++] = k;
            else
                record(c, k, mf_expm(&a[m], &e[m]));
        }
        bool done[MF__EXPM_LANES];
        mf__expm_lanes(m, a, e, done);
        for (int l = 0; l < m; l++)
            record(c, index[l], done[l] ? MF_OK : mf_expm(&a[l], &e[l]));
    }
    return NULL;
}

static int thread_count(int32_t threads, int64_t count, int64_t n) {
    if (n > MF__EXPM_SMALL_N || count <= 1)
        return 1;
    long cpus = threads > 0 ? threads : sysconf(_SC_NPROCESSORS_ONLN);
    if (cpus < 1)
        cpus = 1;
    int64_t per = WORK_PER_THREAD / (12 * n * n * n + 1);
    if (per < MIN_MEMBERS_PER_THREAD)
        per = MIN_MEMBERS_PER_THREAD;
    const int64_t useful = threads > 0 ? count : (count + per - 1) / per;
    int64_t t = cpus < useful ? cpus : useful;
    return (int)(t > MAX_THREADS ? MAX_THREADS : t);
}

static mf_status run(const char *fn, const batch *b, int32_t threads) {
    mf_matrix a0, e0;
    member(b, 0, &a0, &e0);
    const int nt = thread_count(threads, b->count, a0.rows);
    chunk chunks[MAX_THREADS];
    pthread_t tid[MAX_THREADS];
    bool started[MAX_THREADS] = {false};
    for (int t = 0; t < nt; t++)
        chunks[t] = (chunk){b, b->count * t / nt, b->count * (t + 1) / nt, -1, MF_OK, {0}};
    for (int t = 1; t < nt; t++)
        started[t] = pthread_create(&tid[t], NULL, run_chunk, &chunks[t]) == 0;
    run_chunk(&chunks[0]);
    for (int t = 1; t < nt; t++) {
        if (started[t])
            pthread_join(tid[t], NULL);
        else
            run_chunk(&chunks[t]); /* no thread to be had: do it here */
    }
    for (int t = 0; t < nt; t++)
        if (chunks[t].first_fail >= 0)
            return mf__fail(chunks[t].fail_status, fn, "member %lld failed: %s",
                            (long long)chunks[t].first_fail, chunks[t].message);
    return MF_OK;
}

static mf_status check_common(const char *fn, int64_t count, int32_t threads) {
    if (count < 0)
        return mf__fail(MF_EINVAL, fn, "count = %lld must be >= 0", (long long)count);
    if (threads < 0)
        return mf__fail(MF_EINVAL, fn, "threads = %d must be >= 0", (int)threads);
    return MF_OK;
}

mf_status mf_expm_batch(int64_t count, const mf_matrix *A, mf_matrix *E, mf_status *status,
                        int32_t threads) {
    static const char fn[] = "mf_expm_batch";
    mf_status st = check_common(fn, count, threads);
    if (st != MF_OK || count == 0)
        return st;
    if (A == NULL || E == NULL)
        return mf__fail(MF_EINVAL, fn, "the descriptor arrays A and E must not be NULL");
    /* same size and dtype everywhere (members are validated fully by mf_expm) */
    for (int64_t k = 0; k < count; k++)
        if (A[k].rows != A[0].rows || A[k].cols != A[0].cols || A[k].dtype != A[0].dtype)
            return mf__fail(MF_EINVAL, fn,
                            "member %lld is %lld x %lld of dtype %d, member 0 is %lld x %lld of dtype %d",
                            (long long)k, (long long)A[k].rows, (long long)A[k].cols, (int)A[k].dtype,
                            (long long)A[0].rows, (long long)A[0].cols, (int)A[0].dtype);
    const batch b = {count, A, E, {0}, {0}, 0, 0, status};
    return run(fn, &b, threads);
}

mf_status mf_expm_batch_strided(int64_t count, const mf_matrix *A, int64_t a_stride, mf_matrix *E,
                                int64_t e_stride, mf_status *status, int32_t threads) {
    static const char fn[] = "mf_expm_batch_strided";
    mf_status st = check_common(fn, count, threads);
    if (st != MF_OK || count == 0)
        return st;
    if (A == NULL || E == NULL)
        return mf__fail(MF_EINVAL, fn, "the descriptors A and E must not be NULL");
    if (count > 1 && (a_stride < 1 || e_stride < 1))
        return mf__fail(MF_EINVAL, fn, "member strides a_stride = %lld, e_stride = %lld must be >= 1",
                        (long long)a_stride, (long long)e_stride);
    if ((st = mf__check_input(fn, "A", A)) != MF_OK || (st = mf__check_input(fn, "E", E)) != MF_OK)
        return st;
    /* the last member's extent must be addressable */
    int64_t off;
    if (__builtin_mul_overflow(count - 1, a_stride > e_stride ? a_stride : e_stride, &off) ||
        off > INT64_MAX / 16)
        return mf__fail(MF_EINVAL, fn, "count * stride overflows");
    const batch b = {count, NULL, NULL, *A, *E, a_stride, e_stride, status};
    return run(fn, &b, threads);
}
