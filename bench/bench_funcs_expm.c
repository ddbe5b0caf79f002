/*
 * bench_funcs_expm: the matrix exponential.
 *
 * Part 1, at each size (default 16, 64, 256, 512, 1024): mf_expm on a
 * standard normal A scaled to ||A||_1 = 1 (F64 at every size, C128 up to
 * 256), and to ||A||_1 = 10 (F64, up to 512), column-major; sizes given
 * with --sizes get all four (F64 and C128, ||A||_1 = 1 and 10). The note says
 * what mf_expm_ex reports: approximant family, degree, squarings s and
 * matrix products; the workspace column is the peak heap workspace in
 * units of n^2 elements. Accuracy: the relative residual of the identity
 * exp(A) exp(-A) = I,
 *     ||exp(A) exp(-A) - I||_1 / (n u ||exp(A)||_1 ||exp(-A)||_1),
 * O(1) for a backward-stable evaluation of a modestly conditioned A.
 *
 * Part 2, small matrices (3, 4, 8; with --quick 3 and a smaller batch):
 * single mf_expm calls, and mf_expm_batch_strided over 10,000 F64
 * members with entries N(0, 1/4) (||A||_1 about 1 to 3), on one thread
 * and on every CPU. The note gives microseconds per matrix. Accuracy: the
 * median over 200 sampled members of the relative Frobenius error against
 * a long double evaluation (Taylor degree 24 after scaling to norm 1/8:
 * truncation and rounding near 1e-19), limit 1e-15.
 *
 * GEMM-equivalents of the batch rows compare the whole batch with one
 * n x n GEMM and mean little; read the note.
 */
#define _GNU_SOURCE
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "internal.h"

static const double U64 = 0x1p-53;
/* exp(A) exp(-A) = I residual: rounding gives a modest multiple of n u. */
static const double RESIDUAL_LIMIT = 100.0;
/* Small-matrix batch: median relative error against long double. */
static const double BATCH_ERROR_LIMIT = 1e-15;

/* ------------------------------------------------------------------ */
/* part 1: single calls                                                 */
/* ------------------------------------------------------------------ */

typedef struct expm_ctx {
    mfb_mat *A, *E;
} expm_ctx;

static int run_expm(void *p) {
    expm_ctx *c = p;
    return mf_expm(&c->A->m, &c->E->m);
}

/* Scale a to ||A||_1 = norm (column-major storage, either dtype). */
static void scale_to_norm(mfb_mat *a, double norm) {
    const int64_t n = a->m.rows, parts = a->m.dtype == MF_C128 ? 2 : 1;
    double best = 0.0;
    for (int64_t j = 0; j < n; j++) {
        double s = 0.0;
        for (int64_t i = 0; i < n; i++) {
            const double *e = a->buf + parts * (i + j * n);
            s += parts == 2 ? hypot(e[0], e[1]) : fabs(e[0]);
        }
        best = s > best ? s : best;
    }
    for (int64_t k = 0; k < parts * n * n; k++)
        a->buf[k] *= norm / best;
}

static double norm1_dense(const double *a, int64_t n, int32_t dt) {
    const int64_t parts = dt == MF_C128 ? 2 : 1;
    double best = 0.0;
    for (int64_t j = 0; j < n; j++) {
        double s = 0.0;
        for (int64_t i = 0; i < n; i++) {
            const double *e = a + parts * (i + j * n);
            s += parts == 2 ? hypot(e[0], e[1]) : fabs(e[0]);
        }
        best = s > best ? s : best;
    }
    return best;
}

/* ||exp(A) exp(-A) - I||_1 / (n u ||exp(A)||_1 ||exp(-A)||_1). */
static double inverse_residual(const mfb_mat *A, const mfb_mat *E) {
    const int64_t n = A->m.rows;
    const int32_t dt = A->m.dtype;
    const int64_t parts = dt == MF_C128 ? 2 : 1;
    mfb_mat M = mfb_mat_new(n, n, dt, MFB_COL), F = mfb_mat_new(n, n, dt, MFB_COL);
    double *a = mfb_mat_colmajor(A), *e = mfb_mat_colmajor(E);
    for (int64_t k = 0; k < parts * n * n; k++)
        M.buf[k] = -a[k];
    double *r = calloc((size_t)(parts * n * n), sizeof(double));
    if (r == NULL || mf_expm(&M.m, &F.m) != MF_OK)
        abort();
    for (int64_t i = 0; i < n; i++)
        r[parts * (i + i * n)] = -1.0;
    if (dt == MF_C128) {
        const double one[2] = {1.0, 0.0};
        cblas_zgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)n, (int)n, one, e,
                    (int)n, F.buf, (int)n, one, r, (int)n);
    } else {
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)n, (int)n, 1.0, e,
                    (int)n, F.buf, (int)n, 1.0, r, (int)n);
    }
    const double res = norm1_dense(r, n, dt) /
                       ((double)n * U64 * norm1_dense(e, n, dt) * norm1_dense(F.buf, n, dt));
    free(a), free(e), free(r);
    mfb_mat_free(&M), mfb_mat_free(&F);
    return res;
}

static const char *family_name(int32_t f) {
    switch (f) {
    case MF_EXPM_TAYLOR_BBC: return "taylor-bbc";
    case MF_EXPM_TAYLOR_SID: return "taylor-sid";
    case MF_EXPM_PADE: return "pade";
    default: return "-";
    }
}

static void bench_single(int64_t n, int32_t dt, double norm) {
    mfb_mat A = mfb_mat_new(n, n, dt, MFB_COL), E = mfb_mat_new(n, n, dt, MFB_COL);
    mfb_mat_random(&A, 500 + (uint64_t)n + (uint64_t)(10 * norm));
    scale_to_norm(&A, norm);
    expm_ctx c = {&A, &E};
    mfb_row r;
    char op[48];
    snprintf(op, sizeof op, "mf_expm |A|=%g", norm);
    mfb_row_init(&r, op, dt, MFB_COL, n, 0.0);
    if (mfb_measure(&r, run_expm, &c) == MF_OK) {
        mf_expm_info info;
        if (mf_expm_ex(&A.m, &E.m, NULL, &info) == MF_OK)
            mfb_note(&r, "%s degree %d s=%d products %d", family_name(info.scheme), info.degree,
                     info.squarings, info.products);
        mfb_set_accuracy(&r, inverse_residual(&A, &E), "|e(A)e(-A)-I|/(nu|e(A)||e(-A)|)",
                         RESIDUAL_LIMIT);
    }
    mfb_emit(&r);
    mfb_mat_free(&A), mfb_mat_free(&E);
}

/* ------------------------------------------------------------------ */
/* part 2: small matrices, single calls and batches                     */
/* ------------------------------------------------------------------ */

/* Reference exp of a small real matrix in long double: scale to
 * ||A|| <= 1/8, Taylor degree 24, square back. */
static void expm_ref_ld(int n, const double *a, long double *out) {
    long double x[64], t[64], p[64];
    double nrm = 0;
    for (int j = 0; j < n; j++) {
        double s = 0;
        for (int i = 0; i < n; i++)
            s += fabs(a[i + j * n]);
        nrm = s > nrm ? s : nrm;
    }
    int s = 0;
    while (ldexp(nrm, -s) > 0.125)
        s++;
    for (int k = 0; k < n * n; k++) {
        x[k] = ldexpl((long double)a[k], -s);
        out[k] = p[k] = (k % (n + 1) == 0);
    }
    for (int d = 1; d <= 24; d++) {
        for (int j = 0; j < n; j++)
            for (int i = 0; i < n; i++) {
                long double v = 0;
                for (int k = 0; k < n; k++)
                    v += p[i + k * n] * x[k + j * n];
                t[i + j * n] = v / d;
            }
        for (int k = 0; k < n * n; k++) {
            p[k] = t[k];
            out[k] += p[k];
        }
    }
    for (int q = 0; q < s; q++) {
        for (int j = 0; j < n; j++)
            for (int i = 0; i < n; i++) {
                long double v = 0;
                for (int k = 0; k < n; k++)
                    v += out[i + k * n] * out[k + j * n];
                t[i + j * n] = v;
            }
        for (int k = 0; k < n * n; k++)
            out[k] = t[k];
    }
}

static double rel_err_ld(int n, const double *x, const long double *ref) {
    long double d = 0, r = 0;
    for (int k = 0; k < n * n; k++) {
        d += (x[k] - ref[k]) * (x[k] - ref[k]);
        r += ref[k] * ref[k];
    }
    return (double)sqrtl(d / r);
}

static int cmp_double(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median relative error over (up to) 200 members spread over the batch. */
static double batch_median_error(int n, int64_t count, const double *a, const double *e) {
    double errs[200];
    long double ref[64];
    const int m = count < 200 ? (int)count : 200;
    for (int k = 0; k < m; k++) {
        const int64_t idx = k * (count / m);
        expm_ref_ld(n, a + idx * n * n, ref);
        errs[k] = rel_err_ld(n, e + idx * n * n, ref);
    }
    qsort(errs, (size_t)m, sizeof errs[0], cmp_double);
    return errs[m / 2];
}

typedef struct batch_ctx {
    int64_t count;
    mf_matrix A, E;
    int32_t threads;
    int64_t next; /* single calls: rotate through the members */
} batch_ctx;

static int run_batch(void *p) {
    batch_ctx *b = p;
    const int64_t nn = b->A.rows * b->A.rows;
    return mf_expm_batch_strided(b->count, &b->A, nn, &b->E, nn, NULL, b->threads);
}

static int run_one(void *p) {
    batch_ctx *b = p;
    const int64_t nn = b->A.rows * b->A.rows, k = b->next++ % b->count;
    mf_matrix a = b->A, e = b->E;
    a.data = (double *)a.data + k * nn;
    e.data = (double *)e.data + k * nn;
    return mf_expm(&a, &e);
}

static void bench_small(int n, int64_t count) {
    const int64_t nn = (int64_t)n * n;
    double *a = malloc(sizeof(double) * (size_t)(count * nn)),
           *e = malloc(sizeof(double) * (size_t)(count * nn));
    if (a == NULL || e == NULL)
        abort();
    mfb_mat g = mfb_mat_new(count * nn, 1, MF_F64, MFB_COL);
    mfb_mat_random(&g, 900 + (uint64_t)n);
    for (int64_t k = 0; k < count * nn; k++)
        a[k] = 0.5 * g.buf[k]; /* entries N(0, 1/4) */
    mfb_mat_free(&g);
    batch_ctx b = {count, {0}, {0}, 1, 0};
    mf_view_colmajor(&b.A, a, n, n, n, MF_F64);
    mf_view_colmajor(&b.E, e, n, n, n, MF_F64);

    mfb_row r;
    mfb_row_init(&r, "mf_expm (single calls)", MF_F64, MFB_COL, n, 0.0);
    if (mfb_measure(&r, run_one, &b) == MF_OK) {
        /* every member once, for the error check */
        for (b.next = 0; b.next < count;)
            if (run_one(&b) != MF_OK)
                abort();
        mfb_set_accuracy(&r, batch_median_error(n, count, a, e), "median rel err vs long double",
                         BATCH_ERROR_LIMIT);
        mfb_note(&r, "%.3f us per matrix", 1e6 * r.median_s);
    }
    mfb_emit(&r);

    const int32_t threads[] = {1, 0};
    for (int t = 0; t < 2; t++) {
        b.threads = threads[t];
        memset(e, 0, sizeof(double) * (size_t)(count * nn));
        char op[48];
        snprintf(op, sizeof op, "mf_expm_batch threads=%s", t == 0 ? "1" : "all");
        mfb_row_init(&r, op, MF_F64, MFB_COL, n, 0.0);
        if (mfb_measure(&r, run_batch, &b) == MF_OK) {
            mfb_set_accuracy(&r, batch_median_error(n, count, a, e),
                             "median rel err vs long double", BATCH_ERROR_LIMIT);
            mfb_note(&r, "%.3f us per matrix (best %.3f), count %lld", 1e6 * r.median_s / count,
                     1e6 * r.best_s / count, (long long)count);
        }
        mfb_emit(&r);
    }
    free(a), free(e);
}

int main(int argc, char **argv) {
    static const int64_t sizes[] = {16, 64, 256, 512, 1024};
    mfb_init(argc, argv, "funcs_expm", sizes, 5);
    const int64_t *n;
    const int count = mfb_sizes(&n);
    mfb_section("single calls, random A scaled to ||A||_1 = 1 and 10");
    /* default sizes: complex up to 256, ||A||_1 = 10 up to 512 (bench/run
     * stays short); sizes given with --sizes get every row */
    const bool all = mfb_sizes_given();
    for (int k = 0; k < count; k++) {
        bench_single(n[k], MF_F64, 1.0);
        if (n[k] <= 256 || all)
            bench_single(n[k], MF_C128, 1.0);
        if (n[k] <= 512 || all)
            bench_single(n[k], MF_F64, 10.0);
        if (all)
            bench_single(n[k], MF_C128, 10.0);
    }
    mfb_section("small matrices: single calls and batches of F64 members, entries N(0, 1/4)");
    static const int small[] = {3, 4, 8};
    const int64_t batch = mfb_quick() ? 500 : 10000;
    for (int k = 0; k < (mfb_quick() ? 1 : 3); k++)
        bench_small(small[k], batch);
    return mfb_finish();
}
