/*
 * mf_expm_batch, mf_expm_batch_strided: exp of many same-size matrices,
 * split into parts of some tens of microseconds that the calling thread
 * and the library's parked helper threads (core/pool.c) claim in turn.
 * Members with
 * n <= MF__EXPM_SMALL_N run entirely in our own kernels on the thread's
 * stack (no BLAS, no heap; real n <= 8 in the fixed-size path), so threads
 * never oversubscribe; larger members run one after the other on the
 * calling thread, BLAS threads inside. Real members of order 3 to 8 go
 * eight at a time through the vector lanes of expm_lanes.c (the same
 * result as mf_expm, several times faster); the rest through mf_expm,
 * whose validation of a plain small descriptor is a few comparisons.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "expm.h"

/* Members go to the threads in parts of about this much work, in
 * multiply-adds (n^3 per product, about a dozen products per member): some
 * tens of microseconds, long against the cost of claiming a part, short
 * against the whole batch so the threads finish together. A part is a
 * whole number of lane groups. */
#define WORK_PER_PART (1 << 15)

typedef struct batch {
    int64_t count;
    const mf_matrix *A; /* array form, or NULL */
    mf_matrix *E;
    mf_matrix a0, e0;   /* strided form: member 0 and strides */
    int64_t a_stride, e_stride;
    mf_status *status;
    bool all_lanes; /* every member fits the lanes (checked once, run()) */
} batch;

/* What one worker saw of the members it ran. */
typedef struct outcome {
    int64_t first_fail; /* index of the first failing member, or -1 */
    mf_status fail_status;
    char message[256];  /* mf_last_error() of that failure (thread-local there) */
} outcome;

typedef struct job {
    const batch *b;
    int64_t part_size; /* members per part */
    outcome seen[MF__POOL_MAX_THREADS];
} job;

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
static void record(const batch *b, outcome *o, int64_t k, mf_status s) {
    if (b->status != NULL)
        b->status[k] = s;
    if (s != MF_OK && (o->first_fail < 0 || k < o->first_fail)) {
        o->first_fail = k;
        o->fail_status = s;
        snprintf(o->message, sizeof o->message, "%s", mf_last_error());
    }
}

/* Can member (a, e) go into the vector lanes of expm_lanes.c? */
static bool lane_member(const mf_matrix *a, const mf_matrix *e) {
    return a->dtype == MF_F64 && e->dtype == MF_F64 && a->rows >= 3 &&
           a->rows <= 4 && mf__expm_plain_args(a, e);
}

/* Members grouped for the lanes at most this many at a time. */
#define SLICE 128

/* Run the lane members idx[0 .. m) (their descriptors a, e), eight at a
 * time, grouped by the approximant their norms choose (counting sort on
 * the scheme id, stable); members the lanes hand back go through mf_expm. */
static void run_lane_members(const batch *b, outcome *o, int m, const int64_t *idx,
                             const mf_matrix *a, mf_matrix *e) {
    mf__expm_choice first[SLICE];
    for (int g = 0; g < m; g += MF__EXPM_LANES)
        mf__expm_lanes_first_choices(m - g < MF__EXPM_LANES ? m - g : MF__EXPM_LANES, &a[g],
                                     &first[g]);
    int start[MF__S_COUNT + 1] = {0}, order[SLICE];
    for (int k = 0; k < m; k++)
        start[first[k].id + 1]++;
    for (int s = 0; s < MF__S_COUNT; s++)
        start[s + 1] += start[s];
    for (int k = 0; k < m; k++)
        order[start[first[k].id]++] = k;
    for (int g = 0; g < m; g += MF__EXPM_LANES) {
        const int count = m - g < MF__EXPM_LANES ? m - g : MF__EXPM_LANES;
        mf_matrix ga[MF__EXPM_LANES], ge[MF__EXPM_LANES];
        mf__expm_choice gc[MF__EXPM_LANES];
        for (int l = 0; l < count; l++) {
            ga[l] = a[order[g + l]];
            ge[l] = e[order[g + l]];
            gc[l] = first[order[g + l]];
        }
        bool done[MF__EXPM_LANES];
        mf__expm_lanes(count, ga, ge, gc, done);
        for (int l = 0; l < count; l++)
            record(b, o, idx[order[g + l]], done[l] ? MF_OK : mf_expm(&ga[l], &ge[l]));
    }
}

/* Members [begin, end), a slice at a time: those that fit the lanes go
 * there, the others through mf_expm. Either way a member's result is
 * mf_expm's, bit for bit, whatever group it lands in. */
static void run_members(const batch *b, outcome *o, int64_t begin, int64_t end) {
    const bool lanes = mf__expm_lanes_available();
    for (int64_t k = begin; k < end;) {
        mf_matrix a[SLICE], e[SLICE];
        int64_t idx[SLICE];
        int m = 0;
        for (; k < end && m < SLICE; k++) {
            member(b, k, &a[m], &e[m]);
            if (b->all_lanes || (lanes && lane_member(&a[m], &e[m])))
                idx[m++] = k;
            else
                record(b, o, k, mf_expm(&a[m], &e[m]));
        }
        run_lane_members(b, o, m, idx, a, e);
    }
}

static void run_part(void *ctx, int64_t part, int worker) {
    job *j = ctx;
    const int64_t begin = part * j->part_size;
    const int64_t end = begin + j->part_size < j->b->count ? begin + j->part_size : j->b->count;
    run_members(j->b, &j->seen[worker], begin, end);
}

/* Threads for the batch: members with n <= MF__EXPM_SMALL_N run in our own
 * kernels (no BLAS threads to oversubscribe); larger ones one after the
 * other, BLAS threads inside. threads = 0: one per online CPU. */
static int thread_count(int32_t threads, int64_t n) {
    if (n > MF__EXPM_SMALL_N)
        return 1;
    if (threads > 0)
        return threads;
    const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    return cpus > 1 ? (int)(cpus < MF__POOL_MAX_THREADS ? cpus : MF__POOL_MAX_THREADS) : 1;
}

static mf_status run(const char *fn, const batch *b, int32_t threads) {
    mf_matrix a0, e0;
    member(b, 0, &a0, &e0);
    const int64_t n = a0.rows;
    int64_t part_size = WORK_PER_PART / (12 * n * n * n + 1);
    part_size = part_size < MF__EXPM_LANES ? MF__EXPM_LANES
                                           : part_size / MF__EXPM_LANES * MF__EXPM_LANES;
    const int64_t parts = (b->count + part_size - 1) / part_size;
    int nt = thread_count(threads, n);
    if (nt > parts)
        nt = (int)parts;
    job j; /* only the outcomes of workers 0 .. nt-1 are used */
    j.b = b;
    j.part_size = part_size;
    for (int w = 0; w < nt; w++)
        j.seen[w].first_fail = -1;
    mf__run_parts(parts, nt, run_part, &j);
    int first = -1;
    for (int w = 0; w < nt; w++)
        if (j.seen[w].first_fail >= 0 &&
            (first < 0 || j.seen[w].first_fail < j.seen[first].first_fail))
            first = w;
    if (first >= 0)
        return mf__fail(j.seen[first].fail_status, fn, "member %lld failed: %s",
                        (long long)j.seen[first].first_fail, j.seen[first].message);
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
    const batch b = {count, A, E, {0}, {0}, 0, 0, status, false};
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
    batch b = {count, NULL, NULL, *A, *E, a_stride, e_stride, status, false};
    /* Members differ only in where they start: with equal strides, member
     * k's A and E are as far apart as member 0's, so one check of member 0
     * holds for all (the per-member check was a tenth of a 3 x 3 batch). */
    b.all_lanes = mf__expm_lanes_available() && a_stride == e_stride && lane_member(A, E);
    return run(fn, &b, threads);
}
