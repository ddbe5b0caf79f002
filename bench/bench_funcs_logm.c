/*
 * bench_funcs_logm: mf_logm and mf_powm with their parts.
 *
 * Per size, each group interleaved so that machine load hits all alike,
 * for F64 (real Schur form) and C128 input:
 *   the function  mf_logm, and mf_powm(A, 1/3), mf_powm(A, -1/4) on the
 *                 Schur-Pade route (the GEMM-rich path of powm_iter.c
 *                 switched off by its private hook), with
 *   schur         mf_schur with Z (dgees / zgees: the floor),
 *   tri           its triangular phase on the Schur factor (mf__logm_tri /
 *                 mf__powm_tri: square roots, norm estimates, Pade step,
 *                 squarings, recomputed diagonals),
 *   back          Z U Z^H (trmm + gemm),
 *   and for powers mf_powm as called (on these inputs the GEMM-rich path:
 *                 coupled Newton for the inverse root);
 *   then mf_powm(S, -1/4) for symmetric positive definite S against
 *   mf_eigh alone (the inverse-root path: one eigh and one dsyrk).
 * Inputs: Gaussian A shifted by (1.5 sqrt(n) + 1) I (eigenvalues in the
 * right half-plane: real results, no symmetry); S = B B^T / n + I / 10.
 * Accuracy: logm ||expm(L) - A||_F / (n u ||A||_F); powm(A, 1/3)
 * ||X^3 - A||_F / (n u ||A||_F); powm(A, -1/4) ||X^4 A - I||_F / (n u cond).
 * The note of each whole-function row gives its parts in GEMM-equivalents
 * and the ratio to (Schur + 3 GEMM). ws_n2 = peak workspace in n^2
 * elements of the row's dtype.
 */
#define _GNU_SOURCE
#include <cblas.h>
#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "funcs/logm_iss.h"
#include "funcs/powm_iter.h"
#include "harness.h"

static const double U64 = 0x1p-53;

typedef struct ctx {
    int64_t n;
    int32_t dt;
    mfb_mat A, X, T, Z, W;
    double *u, *w; /* triangular result, scratch */
    double p;
} ctx;

static int run_logm(void *q) {
    ctx *c = q;
    return mf_logm(&c->A.m, &c->X.m);
}
static int run_powm(void *q) {
    ctx *c = q;
    return mf_powm(&c->A.m, c->p, &c->X.m);
}
static int run_powm_schur(void *q) {
    ctx *c = q;
    mf__powm_iter_set_mode(MF__POWM_ITER_NEVER);
    const int st = mf_powm(&c->A.m, c->p, &c->X.m);
    mf__powm_iter_set_mode(MF__POWM_ITER_AUTO);
    return st;
}
static int run_schur(void *q) {
    ctx *c = q;
    return mf_schur(&c->A.m, &c->T.m, &c->Z.m);
}
static int run_eigh(void *q) {
    ctx *c = q;
    return mf_eigh(&c->A.m, &c->W.m, &c->Z.m);
}
static int run_log_tri(void *q) {
    ctx *c = q;
    return mf__logm_tri("bench", c->dt, c->n, c->T.buf, c->u);
}
static int run_pow_tri(void *q) {
    ctx *c = q;
    return mf__powm_tri("bench", c->dt, c->n, c->T.buf, c->p, c->u);
}
static int run_back(void *q) {
    ctx *c = q;
    mf__iss_back_transform(c->dt, c->n, c->Z.buf, c->u, c->w, c->X.buf);
    return MF_OK;
}

/* dense helpers on column-major buffers */
static double *mul(int32_t dt, int n, const double *a, const double *b) {
    double *c = malloc(sizeof(double) * (dt == MF_C128 ? 2 : 1) * (size_t)n * n);
    if (c == NULL)
        abort();
    if (dt == MF_C128) {
        const double _Complex one = 1.0, zero = 0.0;
        cblas_zgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, n, n, n, &one, a, n, b, n, &zero, c, n);
    } else {
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, a, n, b, n, 0.0, c, n);
    }
    return c;
}

static double diff_ratio(int32_t dt, int n, const double *x, const double *a, bool identity) {
    double num = 0.0, den = 0.0;
    const int64_t parts = dt == MF_C128 ? 2 : 1;
    for (int64_t k = 0; k < parts * n * n; k++) {
        const int64_t e = k / parts;
        const double target = identity ? (e % n == e / n && k % parts == 0 ? 1.0 : 0.0) : a[k];
        num += (x[k] - target) * (x[k] - target);
        den += target * target;
    }
    return sqrt(num / den);
}

/* ||expm(L) - A||_F / (n u ||A||_F) */
static double log_accuracy(ctx *c) {
    const int n = (int)c->n;
    mfb_mat E = mfb_mat_new(c->n, c->n, c->dt, MFB_COL);
    mf_expm(&c->X.m, &E.m);
    double *a = mfb_mat_colmajor(&c->A), *e = mfb_mat_colmajor(&E);
    const double r = diff_ratio(c->dt, n, e, a, false) / (n * U64);
    free(a);
    free(e);
    mfb_mat_free(&E);
    return r;
}

/* ||X^3 - A||_F / (n u ||A||_F) */
static double cube_accuracy(ctx *c) {
    const int n = (int)c->n;
    double *x = mfb_mat_colmajor(&c->X), *a = mfb_mat_colmajor(&c->A);
    double *x2 = mul(c->dt, n, x, x), *x3 = mul(c->dt, n, x2, x);
    const double r = diff_ratio(c->dt, n, x3, a, false) / (n * U64);
    free(x);
    free(a);
    free(x2);
    free(x3);
    return r;
}

static void shift(mfb_mat *a, int64_t n, double by) {
    for (int64_t i = 0; i < n; i++) {
        double *e = (double *)a->m.data + (a->m.dtype == MF_C128 ? 2 : 1) * (i * a->m.rs + i * a->m.cs);
        e[0] += by;
    }
}

static ctx ctx_new(int64_t n, int32_t dt, uint64_t seed) {
    ctx c = {0};
    c.n = n;
    c.dt = dt;
    c.A = mfb_mat_new(n, n, dt, MFB_COL);
    c.X = mfb_mat_new(n, n, dt, MFB_COL);
    c.T = mfb_mat_new(n, n, dt, MFB_COL);
    c.Z = mfb_mat_new(n, n, dt, MFB_COL);
    c.W = mfb_mat_new(n, 1, MF_F64, MFB_COL);
    c.u = malloc(sizeof(double) * (dt == MF_C128 ? 2 : 1) * (size_t)(n * n));
    c.w = malloc(sizeof(double) * (dt == MF_C128 ? 2 : 1) * (size_t)(n * n));
    if (c.u == NULL || c.w == NULL)
        abort();
    mfb_mat_random(&c.A, seed);
    shift(&c.A, n, 1.5 * sqrt((double)n) + 1.0);
    return c;
}

static void ctx_free(ctx *c) {
    mfb_mat_free(&c->A);
    mfb_mat_free(&c->X);
    mfb_mat_free(&c->T);
    mfb_mat_free(&c->Z);
    mfb_mat_free(&c->W);
    free(c->u);
    free(c->w);
}

/* ||X^4 A - I||_F / (n u cond_2(A)) for X = A^(-1/4) */
static double inverse_fourth_root_accuracy(ctx *c) {
    const int n = (int)c->n;
    double *x = mfb_mat_colmajor(&c->X), *a = mfb_mat_colmajor(&c->A);
    double *x2 = mul(c->dt, n, x, x), *x4 = mul(c->dt, n, x2, x2), *r = mul(c->dt, n, x4, a);
    double cond = 0.0;
    mf_cond(&c->A.m, MF_NORM_2, &cond);
    const double acc = diff_ratio(c->dt, n, r, NULL, true) / (n * U64 * cond);
    free(x);
    free(a);
    free(x2);
    free(x4);
    free(r);
    return acc;
}

/* The function behind a parts group: the logarithm (p = 0) or A^p. */
static const char *function_name(double p) {
    return p == 0.0 ? "mf_logm" : p > 0.0 ? "mf_powm(A,1/3) Schur" : "mf_powm(A,-1/4) Schur";
}

static const char *iteration_name(double p) {
    return p > 0.0 ? "mf_powm(A,1/3)" : "mf_powm(A,-1/4)";
}

static const char *powm_route(void) {
    static const char *const names[] = {"not run", "Schur (other p)", "Schur (small n)",
                                        "Schur (H not definite)", "Schur (no convergence)",
                                        "Schur (residual)", "Schur (branch)", "iteration"};
    return names[mf__powm_iter_last()];
}

static void set_power_accuracy(ctx *c, mfb_row *r) {
    if (c->p > 0.0)
        mfb_set_accuracy(r, cube_accuracy(c), "|X^3-A|/(nu|A|)", 1e3);
    else
        mfb_set_accuracy(r, inverse_fourth_root_accuracy(c), "|X^4 A-I|/(nu cond)", 1e3);
}

/* The whole function with its parts, interleaved: Schur, triangular phase
 * (every square root, the Pade step, the squarings and recomputations),
 * back-transformation; for powers also the call as made (the GEMM-rich
 * path where it applies). p = 0: logm; else powm(A, p) with p = 1/3 or
 * -1/4. */
static void bench_parts(int64_t n, int32_t dt, double p) {
    ctx c = ctx_new(n, dt, (dt == MF_C128 ? 4000 : 3000) + (uint64_t)n);
    c.p = p;
    const bool logm = p == 0.0;
    mf_schur(&c.A.m, &c.T.m, &c.Z.m); /* the factor the tri/back rows work on */
    logm ? run_log_tri(&c) : run_pow_tri(&c);
    const double n3 = (double)n * n * n, cx = dt == MF_C128 ? 4.0 : 1.0;
    mfb_row rf, rs, rt, rb, ri;
    mfb_row_init(&rf, function_name(p), dt, MFB_COL, n, 0.0);
    mfb_row_init(&rs, dt == MF_C128 ? "schur (zgees + Z)" : "schur (dgees + Z)", dt, MFB_COL, n,
                 0.0);
    mfb_row_init(&rt, logm ? "logm: triangular phase" : "powm: triangular phase", dt, MFB_NONE, n,
                 0.0);
    mfb_row_init(&rb, "back-transform Z U Z^H", dt, MFB_NONE, n, cx * 3.0 * n3);
    if (!logm)
        mfb_row_init(&ri, iteration_name(p), dt, MFB_COL, n, 0.0);
    mfb_row *rows[] = {&rf, &rs, &rt, &rb, &ri};
    const mfb_fn fns[] = {logm ? run_logm : run_powm_schur, run_schur,
                          logm ? run_log_tri : run_pow_tri, run_back, run_powm};
    void *ctxs[] = {&c, &c, &c, &c, &c};
    const int count = logm ? 4 : 5;
    if (mfb_measure_group(count, rows, fns, ctxs) == MF_OK) {
        (void)fns[0](&c);
        if (logm)
            mfb_set_accuracy(&rf, log_accuracy(&c), "|expm(L)-A|/(nu|A|)", 1e3);
        else
            set_power_accuracy(&c, &rf);
        const double g = mfb_gemm_seconds(n, dt);
        mfb_note(&rf, "schur %.1f, tri %.2f, back %.2f GEMM-eq; /(schur+3 gemm) = %.3f",
                 rs.median_s / g, rt.median_s / g, rb.median_s / g,
                 rf.median_s / (rs.median_s + 3.0 * g));
        if (!logm) {
            (void)run_powm(&c);
            set_power_accuracy(&c, &ri);
            mfb_note(&ri, "%s: %.1f GEMM-eq, %.2f of the Schur route", powm_route(),
                     ri.median_s / g, ri.median_s / rf.median_s);
        }
    }
    for (int k = 0; k < count; k++)
        mfb_emit(rows[k]);
    ctx_free(&c);
}

/* Inverse fourth root of an SPD matrix against mf_eigh alone. */
static void bench_inverse_root(int64_t n) {
    ctx c = ctx_new(n, MF_F64, 5000 + (uint64_t)n);
    mfb_mat B = mfb_mat_new(n, n, MF_F64, MFB_COL);
    mfb_mat_random(&B, 6000 + (uint64_t)n);
    const int ni = (int)n;
    cblas_dsyrk(CblasColMajor, CblasLower, CblasNoTrans, ni, ni, 1.0 / ni, B.buf, ni, 0.0, c.A.buf, ni);
    for (int64_t j = 0; j < n; j++) {
        c.A.buf[j + j * n] += 0.1;
        for (int64_t i = j + 1; i < n; i++)
            c.A.buf[j + i * n] = c.A.buf[i + j * n];
    }
    c.p = -0.25;
    mfb_row rp, re;
    mfb_row_init(&rp, "mf_powm(S,-1/4) spd", MF_F64, MFB_COL, n, 0.0);
    mfb_row_init(&re, "mf_eigh (w and V)", MF_F64, MFB_COL, n, 0.0);
    if (mfb_measure_pair(&rp, run_powm, &c, &re, run_eigh, &c) == MF_OK) {
        double *x = mfb_mat_colmajor(&c.X), *a = mfb_mat_colmajor(&c.A);
        double *x2 = mul(MF_F64, ni, x, x), *x4 = mul(MF_F64, ni, x2, x2), *r = mul(MF_F64, ni, x4, a);
        double cond = 0.0;
        mf_cond(&c.A.m, MF_NORM_2, &cond);
        mfb_set_accuracy(&rp, diff_ratio(MF_F64, ni, r, NULL, true) / (n * U64 * cond),
                         "|X^4 S-I|/(nu cond)", 1e2);
        mfb_set_overhead(&rp, &re);
        mfb_note(&rp, "over eigh: %.0f%%", 100.0 * (rp.median_s / re.median_s - 1.0));
        free(x);
        free(a);
        free(x2);
        free(x4);
        free(r);
    }
    mfb_emit(&rp);
    mfb_emit(&re);
    mfb_mat_free(&B);
    ctx_free(&c);
}

int main(int argc, char **argv) {
    static const int64_t sizes[] = {256, 512}; /* 1024: --sizes 1024 */
    mfb_init(argc, argv, "funcs_logm", sizes, 2);
    const int64_t *n;
    const int count = mfb_sizes(&n);
    for (int k = 0; k < count; k++) {
        mfb_section("logarithm");
        bench_parts(n[k], MF_F64, 0.0);
        bench_parts(n[k], MF_C128, 0.0);
        mfb_section("real powers");
        bench_parts(n[k], MF_F64, 1.0 / 3.0);
        bench_parts(n[k], MF_C128, 1.0 / 3.0);
        bench_parts(n[k], MF_F64, -0.25);
        bench_parts(n[k], MF_C128, -0.25);
        bench_inverse_root(n[k]);
    }
    return mfb_finish();
}
