/*
 * bench_kron: the kron module on the shared harness (harness.h).
 *
 * Part 1, structured against formed (64 x 64 factors, a 4096 x 4096
 * operator; 8 x 8 with --quick), each group timed interleaved:
 *   mf_kron_matmul     against mf_kron + dgemv (forming and multiplying) and
 *                      dgemv with a preformed A ⊗ B; the notes give the ratios
 *   mf_kron_solve      against mf_kron + mf_solve (LU of the formed matrix)
 *   mf_kronsum_expm_matmul (24 x 24 factors, a 576 x 576 operator) against
 *                      mf_kronsum + mf_expm + dgemv
 *   mf_kron_funm_matmul, mf_kronsum_funm_matmul (f = cos, exp): with 64 x 64
 *                      factors (a 4096 x 4096 operator; 6 x 6 with --quick)
 *                      for normal (symmetric) factors and one non-normal
 *                      factor, and mf_kronsum_funm_matmul(exp) against
 *                      mf_kronsum_expm_matmul; the formed alternatives are
 *                      too slow at that size, so at 16 x 16 factors (a
 *                      256 x 256 operator; 4 x 4 with --quick), for each
 *                      route (both factors normal, one, neither; sums for
 *                      the first and last), against mf_kron_funm + dgemv
 *                      and mf_kron + mf_funm + dgemv
 * The n column is the factors' order, so gemm_eq is against an n x n GEMM.
 *
 * Part 2, equations at each size (default 256 and 1024): mf_sylvester,
 * mf_lyapunov, mf_lyapunov_discrete (F64), and mf_sylvester C128 (at
 * n <= 256 unless --sizes asks for more, to keep the default run near two
 * minutes). Inputs are standard normal; the Stein matrix is scaled to a
 * spectral radius below 1.
 *
 * Accuracy columns (u = 2^-53):
 *   kron_matmul          ||vec(Y) - K vec(X)||_F / (2 n u ||A||_F ||B||_F ||X||_F)
 *   kron_solve           ||K vec(X) - vec(C)||_F / (n^2 u ||K||_F ||X||_F), K formed
 *   kronsum_expm_matmul  ||y - exp(K) x||_F / (n^2 u ||exp(K)||_F ||x||_F)
 *   kron_funm_matmul     16 x 16: ||y - f(K) x||_F / (n^2 u ||f(K)||_F ||x||_F),
 *                        f(K) from mf_funm of the formed K; 64 x 64:
 *                        ||cos(K)^2 x + sin(K)^2 x - x||_F / (n^2 u ||x||_F),
 *                        or against mf_kronsum_expm_matmul for exp(A ⊕ B)
 *   sylvester            ||AX + XB - C||_F / (n u (||A||_F + ||B||_F) ||X||_F)
 *   lyapunov             ||AX + XA^H - Q||_F / (2 n u ||A||_F ||X||_F)
 *   lyapunov_discrete    ||AXA^H - X + Q||_F / (n u (||A||_F^2 + 1) ||X||_F)
 */
#define _GNU_SOURCE
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "kron/kron_funm.h"

static const double U64 = 0x1p-53;
/* Scaled residuals of backward-stable methods are O(1); far above is wrong. */
static const double RESIDUAL_LIMIT = 100.0;

/* ------------------------------------------------------------------ */
/* dense helpers                                                        */
/* ------------------------------------------------------------------ */

static int parts_of(int32_t dt) { return dt == MF_C128 ? 2 : 1; }

static double fro(const mf_matrix *m) {
    double v = 0.0;
    return mf_norm(m, MF_NORM_FRO, &v) == MF_OK ? v : NAN;
}

/* ||a - b||_F of two count-element column-major buffers of dtype dt. */
static double diff_fro(int32_t dt, int64_t count, const double *a, const double *b) {
    double s = 0.0;
    for (int64_t i = 0; i < parts_of(dt) * count; i++)
        s += (a[i] - b[i]) * (a[i] - b[i]);
    return sqrt(s);
}

/* c = alpha op(a) op(b) + beta c, n x n column-major, op = ^H when asked. */
static void mm(int32_t dt, int n, bool ha, bool hb, double alpha, const double *a, const double *b,
               double beta, double *c) {
    if (dt == MF_C128) {
        const double al[2] = {alpha, 0.0}, be[2] = {beta, 0.0};
        cblas_zgemm(CblasColMajor, ha ? CblasConjTrans : CblasNoTrans,
                    hb ? CblasConjTrans : CblasNoTrans, n, n, n, al, a, n, b, n, be, c, n);
    } else {
        cblas_dgemm(CblasColMajor, ha ? CblasTrans : CblasNoTrans, hb ? CblasTrans : CblasNoTrans,
                    n, n, n, alpha, a, n, b, n, beta, c, n);
    }
}

static void gemv(int N, const double *k, const double *x, double *y) {
    cblas_dgemv(CblasColMajor, CblasNoTrans, N, N, 1.0, k, N, x, 1, 0.0, y, 1);
}

static void scale(mfb_mat *a, double s) {
    for (int64_t i = 0; i < parts_of(a->m.dtype) * a->m.rows * a->m.cols; i++)
        a->buf[i] *= s;
}

/* ------------------------------------------------------------------ */
/* part 1: structured against formed                                    */
/* ------------------------------------------------------------------ */

/* A, B n x n; X, Y n x n (vec'd: x, y); K (n^2 x n^2) and E (its
 * exponential) are the formed operators. All F64 column-major. */
typedef struct kron_ctx {
    mfb_mat A, B, X, Y, K, E, x, y;
} kron_ctx;

static int run_kron_matmul(void *p) {
    kron_ctx *c = p;
    return mf_kron_matmul(&c->A.m, &c->B.m, &c->X.m, &c->Y.m);
}
static int run_form_and_gemv(void *p) {
    kron_ctx *c = p;
    int st = mf_kron(&c->A.m, &c->B.m, &c->K.m);
    if (st == MF_OK)
        gemv((int)c->K.m.rows, c->K.buf, c->x.buf, c->y.buf);
    return st;
}
static int run_gemv_only(void *p) {
    kron_ctx *c = p;
    gemv((int)c->K.m.rows, c->K.buf, c->x.buf, c->y.buf);
    return MF_OK;
}
static int run_kron_solve(void *p) {
    kron_ctx *c = p;
    return mf_kron_solve(&c->A.m, &c->B.m, &c->X.m, &c->Y.m);
}
static int run_form_and_solve(void *p) {
    kron_ctx *c = p;
    int st = mf_kron(&c->A.m, &c->B.m, &c->K.m);
    return st == MF_OK ? (int)mf_solve(&c->K.m, &c->x.m, &c->y.m) : st;
}
static int run_kronsum_expm_matmul(void *p) {
    kron_ctx *c = p;
    return mf_kronsum_expm_matmul(&c->A.m, &c->B.m, &c->X.m, &c->Y.m);
}
static int run_form_expm_and_gemv(void *p) {
    kron_ctx *c = p;
    int st = mf_kronsum(&c->A.m, &c->B.m, &c->K.m);
    if (st == MF_OK)
        st = mf_expm(&c->K.m, &c->E.m);
    if (st == MF_OK)
        gemv((int)c->E.m.rows, c->E.buf, c->x.buf, c->y.buf);
    return st;
}

static kron_ctx kron_ctx_new(int64_t n, uint64_t seed, bool expm) {
    const int64_t N = n * n;
    kron_ctx c = {mfb_mat_new(n, n, MF_F64, MFB_COL), mfb_mat_new(n, n, MF_F64, MFB_COL),
                  mfb_mat_new(n, n, MF_F64, MFB_COL), mfb_mat_new(n, n, MF_F64, MFB_COL),
                  mfb_mat_new(N, N, MF_F64, MFB_COL), mfb_mat_new(expm ? N : 1, expm ? N : 1, MF_F64, MFB_COL),
                  mfb_mat_new(N, 1, MF_F64, MFB_COL), mfb_mat_new(N, 1, MF_F64, MFB_COL)};
    mfb_mat_random(&c.A, seed);
    mfb_mat_random(&c.B, seed + 1);
    mfb_mat_random(&c.X, seed + 2);
    if (expm) { /* factors of norm about 1: a moderate exponential */
        scale(&c.A, 1.0 / sqrt((double)n));
        scale(&c.B, 1.0 / sqrt((double)n));
    } else { /* diagonally dominant factors: a well-conditioned product */
        for (int64_t i = 0; i < n; i++) {
            c.A.buf[i + i * n] += (double)n;
            c.B.buf[i + i * n] += (double)n;
        }
    }
    memcpy(c.x.buf, c.X.buf, (size_t)N * sizeof(double)); /* x = vec(X) */
    return c;
}

static void kron_ctx_free(kron_ctx *c) {
    mfb_mat *all[] = {&c->A, &c->B, &c->X, &c->Y, &c->K, &c->E, &c->x, &c->y};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        mfb_mat_free(all[i]);
}

static void bench_kron_matmul(int64_t n) {
    kron_ctx c = kron_ctx_new(n, 11, false);
    const double nd = (double)n;
    mfb_row fast, form, mv;
    mfb_row_init(&fast, "mf_kron_matmul", MF_F64, MFB_COL, n, 4.0 * nd * nd * nd);
    mfb_row_init(&form, "mf_kron + dgemv (formed)", MF_F64, MFB_COL, n, 2.0 * nd * nd * nd * nd);
    mfb_row_init(&mv, "dgemv on preformed kron(A,B)", MF_F64, MFB_COL, n, 2.0 * nd * nd * nd * nd);
    mfb_row *rows[] = {&fast, &form, &mv};
    const mfb_fn fns[] = {run_kron_matmul, run_form_and_gemv, run_gemv_only};
    void *ctxs[] = {&c, &c, &c};
    if (mfb_measure_group(3, rows, fns, ctxs) == MF_OK) {
        /* after the group: K holds A ⊗ B, y = K x, Y the structured result */
        const double err = diff_fro(MF_F64, n * n, c.Y.buf, c.y.buf) /
                           (2.0 * nd * U64 * fro(&c.A.m) * fro(&c.B.m) * fro(&c.X.m));
        mfb_set_accuracy(&fast, err, "|Y-Kx|/(2nu|A||B||X|)", RESIDUAL_LIMIT);
        mfb_note(&fast, "%.0fx faster than forming + dgemv, %.0fx than dgemv alone",
                 form.median_s / fast.median_s, mv.median_s / fast.median_s);
        mfb_note(&form, "operator %lld x %lld", (long long)(n * n), (long long)(n * n));
    }
    mfb_emit(&fast);
    mfb_emit(&form);
    mfb_emit(&mv);
    kron_ctx_free(&c);
}

/* ||K vec(X) - vec(C)||_F / (N u ||K||_F ||X||_F), C = x, K formed. */
static double kron_solve_residual(kron_ctx *c) {
    const int64_t N = c->K.m.rows;
    if (mf_kron(&c->A.m, &c->B.m, &c->K.m) != MF_OK)
        return NAN;
    gemv((int)N, c->K.buf, c->Y.buf, c->y.buf); /* Y is column-major: vec(Y) */
    return diff_fro(MF_F64, N, c->y.buf, c->x.buf) /
           ((double)N * U64 * fro(&c->K.m) * fro(&c->Y.m));
}

static void bench_kron_solve(int64_t n) {
    kron_ctx c = kron_ctx_new(n, 21, false);
    const double nd = (double)n;
    mfb_row fast, formed;
    mfb_row_init(&fast, "mf_kron_solve", MF_F64, MFB_COL, n, 4.0 / 3.0 * nd * nd * nd + 4.0 * nd * nd * nd);
    mfb_row_init(&formed, "mf_kron + mf_solve (formed)", MF_F64, MFB_COL, n,
                 2.0 / 3.0 * pow(nd, 6.0));
    if (mfb_measure_pair(&fast, run_kron_solve, &c, &formed, run_form_and_solve, &c) == MF_OK) {
        mfb_set_accuracy(&fast, kron_solve_residual(&c), "|Kx-c|/(Nu|K||x|)", RESIDUAL_LIMIT);
        mfb_note(&fast, "%.0fx faster than an LU solve of the formed %lld x %lld matrix",
                 formed.median_s / fast.median_s, (long long)(n * n), (long long)(n * n));
    }
    mfb_emit(&fast);
    mfb_emit(&formed);
    kron_ctx_free(&c);
}

static void bench_kronsum_expm(int64_t n) {
    kron_ctx c = kron_ctx_new(n, 31, true);
    mfb_row fast, formed;
    mfb_row_init(&fast, "mf_kronsum_expm_matmul", MF_F64, MFB_COL, n, 0.0);
    mfb_row_init(&formed, "mf_expm(kronsum) + dgemv (formed)", MF_F64, MFB_COL, n, 0.0);
    if (mfb_measure_pair(&fast, run_kronsum_expm_matmul, &c, &formed, run_form_expm_and_gemv,
                         &c) == MF_OK) {
        const int64_t N = n * n;
        const double err = diff_fro(MF_F64, N, c.Y.buf, c.y.buf) /
                           ((double)N * U64 * fro(&c.E.m) * fro(&c.x.m));
        mfb_set_accuracy(&fast, err, "|y-exp(K)x|/(Nu|exp(K)||x|)", RESIDUAL_LIMIT);
        mfb_note(&fast, "%.0fx faster than mf_expm of the formed %lld x %lld sum",
                 formed.median_s / fast.median_s, (long long)N, (long long)N);
    }
    mfb_emit(&fast);
    mfb_emit(&formed);
    kron_ctx_free(&c);
}

/* ------------------------------------------------------------------ */
/* part 1b: general f of Kronecker products and sums                    */
/* ------------------------------------------------------------------ */

static const char *const route_names[] = {"both factors normal", "one factor normal",
                                           "neither factor normal"};

/* Factor kinds: symmetric (normal, eigh path) or general (scaled so that
 * the operator has norm about 1). */
static void make_factor(mfb_mat *a, bool symmetric, uint64_t seed) {
    const int64_t n = a->m.rows;
    mfb_mat_random(a, seed);
    scale(a, 1.0 / sqrt((double)n));
    if (symmetric)
        for (int64_t j = 0; j < n; j++)
            for (int64_t i = 0; i < j; i++)
                a->buf[j + i * n] = a->buf[i + j * n];
}

/* A, B n x n; X, Y, Z n x n (x = vec X); the formed operator K, f(K) by
 * mf_funm (F) and by mf_kron_funm (G), and products y = F x, g = G x. */
typedef struct funm_ctx {
    mfb_mat A, B, X, Y, Z, K, F, G, x, y, g;
    bool sum;
    mf_scalar_fn f;
} funm_ctx;

static funm_ctx funm_ctx_new(int64_t n, bool formed, bool sym_a, bool sym_b, uint64_t seed) {
    const int64_t N = formed ? n * n : 1;
    funm_ctx c = {mfb_mat_new(n, n, MF_F64, MFB_COL), mfb_mat_new(n, n, MF_F64, MFB_COL),
                  mfb_mat_new(n, n, MF_F64, MFB_COL), mfb_mat_new(n, n, MF_F64, MFB_COL),
                  mfb_mat_new(n, n, MF_F64, MFB_COL), mfb_mat_new(N, N, MF_F64, MFB_COL),
                  mfb_mat_new(N, N, MF_F64, MFB_COL), mfb_mat_new(N, N, MF_F64, MFB_COL),
                  mfb_mat_new(n * n, 1, MF_F64, MFB_COL), mfb_mat_new(n * n, 1, MF_F64, MFB_COL),
                  mfb_mat_new(n * n, 1, MF_F64, MFB_COL), false, mf_scalar_cos};
    make_factor(&c.A, sym_a, seed);
    make_factor(&c.B, sym_b, seed + 1);
    mfb_mat_random(&c.X, seed + 2);
    memcpy(c.x.buf, c.X.buf, (size_t)(n * n) * sizeof(double));
    return c;
}

static void funm_ctx_free(funm_ctx *c) {
    mfb_mat *all[] = {&c->A, &c->B, &c->X, &c->Y, &c->Z, &c->K, &c->F, &c->G, &c->x, &c->y, &c->g};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        mfb_mat_free(all[i]);
}

static int apply_f(funm_ctx *c, mf_scalar_fn f, const mfb_mat *X, mfb_mat *Y) {
    return (c->sum ? mf_kronsum_funm_matmul : mf_kron_funm_matmul)(&c->A.m, &c->B.m, f, NULL,
                                                                   &X->m, &Y->m);
}
static int run_funm_matmul(void *p) {
    funm_ctx *c = p;
    return apply_f(c, c->f, &c->X, &c->Y);
}
static int run_kron_funm_and_gemv(void *p) {
    funm_ctx *c = p;
    int st = (c->sum ? mf_kronsum_funm : mf_kron_funm)(&c->A.m, &c->B.m, c->f, NULL, &c->G.m);
    if (st == MF_OK)
        gemv((int)c->G.m.rows, c->G.buf, c->x.buf, c->g.buf);
    return st;
}
static int run_funm_of_formed_and_gemv(void *p) {
    funm_ctx *c = p;
    int st = (c->sum ? mf_kronsum : mf_kron)(&c->A.m, &c->B.m, &c->K.m);
    if (st == MF_OK)
        st = mf_funm(&c->K.m, c->f, NULL, &c->F.m);
    if (st == MF_OK)
        gemv((int)c->F.m.rows, c->F.buf, c->x.buf, c->y.buf);
    return st;
}
static int run_kronsum_expm_matmul_z(void *p) {
    funm_ctx *c = p;
    return mf_kronsum_expm_matmul(&c->A.m, &c->B.m, &c->X.m, &c->Z.m);
}

/* 16 x 16 factors: the applied and formed structured functions against
 * mf_funm of the formed operator, timed interleaved. */
static void bench_funm_against_formed(int64_t n, int route, bool sum) {
    funm_ctx c = funm_ctx_new(n, true, route < 2, route == 0, 41 + (uint64_t)route);
    c.sum = sum;
    const int64_t N = n * n;
    mfb_row fast, formed, dense;
    mfb_row_init(&fast, sum ? "mf_kronsum_funm_matmul" : "mf_kron_funm_matmul", MF_F64, MFB_COL,
                 n, 0.0);
    mfb_row_init(&formed, sum ? "mf_kronsum_funm + dgemv" : "mf_kron_funm + dgemv", MF_F64,
                 MFB_COL, n, 0.0);
    mfb_row_init(&dense, "mf_funm(formed) + dgemv", MF_F64, MFB_COL, n, 0.0);
    mfb_row *rows[] = {&fast, &formed, &dense};
    const mfb_fn fns[] = {run_funm_matmul, run_kron_funm_and_gemv, run_funm_of_formed_and_gemv};
    void *ctxs[] = {&c, &c, &c};
    if (mfb_measure_group(3, rows, fns, ctxs) == MF_OK) {
        const double scale = (double)N * U64 * fro(&c.F.m) * fro(&c.x.m);
        mfb_set_accuracy(&fast, diff_fro(MF_F64, N, c.Y.buf, c.y.buf) / scale,
                         "|y-f(K)x|/(Nu|f(K)||x|)", RESIDUAL_LIMIT);
        mfb_set_accuracy(&formed, diff_fro(MF_F64, N, c.g.buf, c.y.buf) / scale,
                         "|y-f(K)x|/(Nu|f(K)||x|)", RESIDUAL_LIMIT);
        mfb_note(&fast, "cos, %s: %.3gx faster than mf_funm of the formed %lld x %lld, "
                 "%.3gx than mf_kron_funm formed", route_names[route],
                 dense.median_s / fast.median_s, (long long)N, (long long)N,
                 formed.median_s / fast.median_s);
        mfb_note(&formed, "%.3gx faster than mf_funm of the formed operator",
                 dense.median_s / formed.median_s);
    }
    mfb_emit(&fast);
    mfb_emit(&formed);
    mfb_emit(&dense);
    funm_ctx_free(&c);
}

/* ||cos(K)^2 x + sin(K)^2 x - x||_F / (N u ||x||_F) with four applications. */
static double cos_sin_identity(funm_ctx *c) {
    const int64_t N = c->A.m.rows * c->B.m.rows;
    mfb_mat T = mfb_mat_new(c->X.m.rows, c->X.m.cols, MF_F64, MFB_COL),
            S = mfb_mat_new(c->X.m.rows, c->X.m.cols, MF_F64, MFB_COL);
    double res = NAN;
    if (apply_f(c, mf_scalar_cos, &c->X, &T) == MF_OK && apply_f(c, mf_scalar_cos, &T, &c->Y) == MF_OK &&
        apply_f(c, mf_scalar_sin, &c->X, &T) == MF_OK && apply_f(c, mf_scalar_sin, &T, &S) == MF_OK) {
        for (int64_t i = 0; i < N; i++)
            c->Y.buf[i] += S.buf[i];
        res = diff_fro(MF_F64, N, c->Y.buf, c->X.buf) / ((double)N * U64 * fro(&c->X.m));
    }
    mfb_mat_free(&T);
    mfb_mat_free(&S);
    return res;
}

/* 64 x 64 factors (a 4096 x 4096 operator): the applied functions alone
 * (the formed ones would take minutes), checked by an identity. */
static void bench_funm_applied(int64_t n, int route) {
    funm_ctx c = funm_ctx_new(n, false, true, route == 0, 51 + (uint64_t)route);
    mfb_row r;
    mfb_row_init(&r, "mf_kron_funm_matmul", MF_F64, MFB_COL, n, 0.0);
    if (mfb_measure(&r, run_funm_matmul, &c) == MF_OK) {
        mfb_note(&r, "cos, %s (%s route), operator %lld x %lld", route_names[route],
                 mf__kf_last_route == MF__KF_EIGEN ? "eigen" : "blocks", (long long)(n * n),
                 (long long)(n * n));
        mfb_set_accuracy(&r, cos_sin_identity(&c), "|cos^2 x+sin^2 x-x|/(Nu|x|)",
                         RESIDUAL_LIMIT);
    }
    mfb_emit(&r);
    funm_ctx_free(&c);
}

/* exp(A ⊕ B) applied by mf_kronsum_funm_matmul against the dedicated
 * mf_kronsum_expm_matmul (exp(B) X exp(A)^T). */
static void bench_funm_kronsum_exp(int64_t n) {
    funm_ctx c = funm_ctx_new(n, false, true, true, 61);
    c.sum = true;
    c.f = mf_scalar_exp;
    mfb_row fast, expm;
    mfb_row_init(&fast, "mf_kronsum_funm_matmul", MF_F64, MFB_COL, n, 0.0);
    mfb_row_init(&expm, "mf_kronsum_expm_matmul", MF_F64, MFB_COL, n, 0.0);
    if (mfb_measure_pair(&fast, run_funm_matmul, &c, &expm, run_kronsum_expm_matmul_z, &c) ==
        MF_OK) {
        mfb_mat ea = mfb_mat_new(n, n, MF_F64, MFB_COL), eb = mfb_mat_new(n, n, MF_F64, MFB_COL);
        const int64_t N = n * n;
        double err = NAN;
        if (mf_expm(&c.A.m, &ea.m) == MF_OK && mf_expm(&c.B.m, &eb.m) == MF_OK)
            err = diff_fro(MF_F64, N, c.Y.buf, c.Z.buf) /
                  ((double)N * U64 * fro(&ea.m) * fro(&eb.m) * fro(&c.X.m));
        mfb_set_accuracy(&fast, err, "|y-exp(K)x|/(Nu|exp(K)||x|)", RESIDUAL_LIMIT);
        mfb_note(&fast, "exp, symmetric factors; %.2fx the time of mf_kronsum_expm_matmul",
                 fast.median_s / expm.median_s);
        mfb_mat_free(&ea);
        mfb_mat_free(&eb);
    }
    mfb_emit(&fast);
    mfb_emit(&expm);
    funm_ctx_free(&c);
}

/* ------------------------------------------------------------------ */
/* part 2: Sylvester and Lyapunov equations                             */
/* ------------------------------------------------------------------ */

typedef enum eq_kind { EQ_SYLVESTER, EQ_LYAPUNOV, EQ_STEIN } eq_kind;

typedef struct eq_ctx {
    mfb_mat A, B, C, X;
    eq_kind kind;
} eq_ctx;

static int run_equation(void *p) {
    eq_ctx *e = p;
    switch (e->kind) {
    case EQ_SYLVESTER: return mf_sylvester(&e->A.m, &e->B.m, &e->C.m, &e->X.m);
    case EQ_LYAPUNOV: return mf_lyapunov(&e->A.m, &e->C.m, &e->X.m);
    default: return mf_lyapunov_discrete(&e->A.m, &e->C.m, &e->X.m);
    }
}

/* The scaled residual of the solved equation (see the file comment). */
static double equation_residual(const eq_ctx *e) {
    const int n = (int)e->A.m.rows;
    const int32_t dt = e->A.m.dtype;
    const size_t bytes = (size_t)n * n * (size_t)parts_of(dt) * sizeof(double);
    mfb_mat R = mfb_mat_new(n, n, dt, MFB_COL), T = mfb_mat_new(n, n, dt, MFB_COL);
    memcpy(R.buf, e->C.buf, bytes);
    const double *a = e->A.buf, *x = e->X.buf;
    double den;
    if (e->kind == EQ_SYLVESTER) {
        mm(dt, n, false, false, 1.0, a, x, -1.0, R.buf);
        mm(dt, n, false, false, 1.0, x, e->B.buf, 1.0, R.buf);
        den = (double)n * (fro(&e->A.m) + fro(&e->B.m)) * fro(&e->X.m);
    } else if (e->kind == EQ_LYAPUNOV) {
        mm(dt, n, false, false, 1.0, a, x, -1.0, R.buf);
        mm(dt, n, false, true, 1.0, x, a, 1.0, R.buf);
        den = 2.0 * (double)n * fro(&e->A.m) * fro(&e->X.m);
    } else {
        mm(dt, n, false, false, 1.0, a, x, 0.0, T.buf);
        mm(dt, n, false, true, 1.0, T.buf, a, 1.0, R.buf);
        for (int64_t i = 0; i < parts_of(dt) * (int64_t)n * n; i++)
            R.buf[i] -= x[i];
        const double na = fro(&e->A.m);
        den = (double)n * (na * na + 1.0) * fro(&e->X.m);
    }
    const double res = fro(&R.m) / (den * U64);
    mfb_mat_free(&R);
    mfb_mat_free(&T);
    return res;
}

static void bench_equation(eq_kind kind, int64_t n, int32_t dt) {
    static const char *const names[] = {"mf_sylvester", "mf_lyapunov", "mf_lyapunov_discrete"};
    static const char *const metrics[] = {"|AX+XB-C|/(nu(|A|+|B|)|X|)", "|AX+XA'-Q|/(2nu|A||X|)",
                                          "|AXA'-X+Q|/(nu(|A|^2+1)|X|)"};
    eq_ctx e = {mfb_mat_new(n, n, dt, MFB_COL), mfb_mat_new(n, n, dt, MFB_COL),
                mfb_mat_new(n, n, dt, MFB_COL), mfb_mat_new(n, n, dt, MFB_COL), kind};
    mfb_mat_random(&e.A, 100 + (uint64_t)n);
    mfb_mat_random(&e.B, 200 + (uint64_t)n);
    mfb_mat_random(&e.C, 300 + (uint64_t)n);
    if (kind == EQ_STEIN) /* a random normal matrix has spectral radius about sqrt(n) */
        scale(&e.A, 0.8 / sqrt((double)n));
    mfb_row r;
    mfb_row_init(&r, names[kind], dt, MFB_COL, n, 0.0);
    if (mfb_measure(&r, run_equation, &e) == MF_OK)
        mfb_set_accuracy(&r, equation_residual(&e), metrics[kind], RESIDUAL_LIMIT);
    mfb_emit(&r);
    mfb_mat *all[] = {&e.A, &e.B, &e.C, &e.X};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        mfb_mat_free(all[i]);
}

int main(int argc, char **argv) {
    static const int64_t sizes[] = {256}; /* 1024: --sizes 1024 */
    mfb_init(argc, argv, "kron", sizes, 1);
    const bool quick = mfb_quick();

    mfb_section("structured against formed (n = factor order)");
    bench_kron_matmul(quick ? 8 : 64);
    bench_kron_solve(quick ? 8 : 64);
    bench_kronsum_expm(quick ? 5 : 24);

    mfb_section("f(A ⊗ B), f(A ⊕ B) applied, large (n = factor order)");
    bench_funm_applied(quick ? 6 : 64, 0);
    bench_funm_applied(quick ? 6 : 64, 1);
    bench_funm_kronsum_exp(quick ? 6 : 64);
    mfb_section("f(A ⊗ B), f(A ⊕ B) against mf_funm of the formed operator");
    for (int route = 0; route < 3; route++)
        bench_funm_against_formed(quick ? 4 : 16, route, false);
    bench_funm_against_formed(quick ? 4 : 16, 0, true);
    bench_funm_against_formed(quick ? 4 : 16, 2, true);

    const int64_t *n;
    const int count = mfb_sizes(&n);
    for (int k = 0; k < count; k++) {
        char title[64];
        snprintf(title, sizeof title, "Sylvester and Lyapunov equations, n = %lld", (long long)n[k]);
        mfb_section(title);
        bench_equation(EQ_SYLVESTER, n[k], MF_F64);
        bench_equation(EQ_LYAPUNOV, n[k], MF_F64);
        bench_equation(EQ_STEIN, n[k], MF_F64);
        if (n[k] <= 256 || mfb_sizes_given())
            bench_equation(EQ_SYLVESTER, n[k], MF_C128);
    }
    return mfb_finish();
}
