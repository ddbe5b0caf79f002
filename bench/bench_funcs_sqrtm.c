/*
 * bench_funcs_sqrtm: mf_sqrtm and its parts, mf_signm.
 *
 * Per size and dtype, interleaved in one group so machine load hits all
 * alike:
 *   mf_sqrtm   the whole function (its automatic choice: the GEMM-rich
 *              iteration of sqrtm_iter.c for these inputs);
 *   mf_sqrtm (Schur route)  the same call with the iteration switched off
 *              (private test hook): the route every other input takes;
 *              its note gives the parts below in GEMM-equivalents and the
 *              ratio to (Schur + 3 GEMM);
 *   schur      mf_schur with Z (dgees: real Schur form, or zgees): the
 *              floor of the Schur method;
 *   tri        the triangular phase alone (mf__sqrtm_quasitri or
 *              mf__sqrtm_tri on the Schur factor of A, about n^3 / 3 real
 *              or complex flops): level-3 speed shows as its GFLOP/s;
 *   back       the back-transformation S = Z U Z^H (trmm + gemm, counted
 *              as 3 n^3 flops).
 * Then mf_signm (F64, C128): on a Gaussian matrix (the Schur method by its
 * rule) grouped with the Newton route kept and with mf_eig without vectors,
 * then on a well-conditioned matrix (the Newton route); the notes give the
 * path taken (sqrtm) and the route, step counts and whether the eigenvalue
 * check ran (signm). Inputs: Gaussian A shifted by (1.5 sqrt(n) + 1) I for
 * sqrtm F64 (eigenvalues in the right half-plane, a real root, no
 * symmetry) and by 2.5 sqrt(n) I for C128 (complex entries: the Hermitian
 * part is definite from a shift of about 2 sqrt(n)), plain Gaussian A for
 * signm (eigenvalues on both sides).
 * Accuracy: sqrtm ||S^2 - A||_F / (n u ||S||_F^2); signm ||S^2 - I||_F /
 * (n u ||S||_F^2). The peak workspace column (ws_n2) is in n^2 elements.
 */
#define _GNU_SOURCE
#include <cblas.h>
#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decomp/schur.h"
#include "funcs/logm_iss.h"
#include "funcs/signm.h"
#include "funcs/sqrtm_iter.h"
#include "funcs/sqrtm_tri.h"
#include "harness.h"

static const double U64 = 0x1p-53;

typedef struct ctx {
    int64_t n;
    int32_t dt;
    mfb_mat A, S, T, Z;
    double *u, *w; /* working copy of T, scratch */
} ctx;

static int run_sqrtm(void *p) {
    ctx *c = p;
    return mf_sqrtm(&c->A.m, &c->S.m);
}

static int run_sqrtm_schur(void *p) {
    ctx *c = p;
    mf__sqrtm_iter_set_mode(MF__SQRTM_ITER_NEVER);
    const int st = mf_sqrtm(&c->A.m, &c->S.m);
    mf__sqrtm_iter_set_mode(MF__SQRTM_ITER_AUTO);
    return st;
}

static const char *outcome_name(mf__sqrtm_iter_outcome o) {
    static const char *const names[] = {"not run", "Schur (small n)", "Schur (H not definite)",
                                        "Schur (ill-conditioned)", "Schur (no convergence)",
                                        "Schur (residual)", "iteration"};
    return names[o];
}

static int run_signm(void *p) {
    ctx *c = p;
    return mf_signm(&c->A.m, &c->S.m);
}

static int run_schur(void *p) {
    ctx *c = p;
    return mf_schur(&c->A.m, &c->T.m, &c->Z.m);
}

static int run_tri(void *p) {
    ctx *c = p;
    memcpy(c->u, c->T.buf, mf__elem_size(c->dt) * (size_t)(c->n * c->n));
    return c->dt == MF_C128 ? mf__sqrtm_tri("bench", c->n, c->u, c->n)
                            : mf__sqrtm_quasitri("bench", c->n, c->u, c->n);
}

/* S = Z U Z^H (trmm on the upper triangle, the 2 x 2 blocks' subdiagonal
 * as axpys, one GEMM): what mf_sqrtm does after the kernel. */
static int run_back(void *p) {
    ctx *c = p;
    mf__iss_back_transform(c->dt, c->n, c->Z.buf, c->u, c->w, c->S.buf);
    return MF_OK;
}

/* ||S^2 - B||_F / (n u ||S||_F^2), B = A (sqrtm) or I (signm). */
static double residual(const ctx *c, int32_t dt, bool sign) {
    const int n = (int)c->n;
    double *s = mfb_mat_colmajor(&c->S), *a = mfb_mat_colmajor(&c->A);
    const size_t parts = dt == MF_C128 ? 2 : 1;
    double *s2 = malloc(sizeof(double) * parts * (size_t)n * n);
    if (s2 == NULL)
        abort();
    if (dt == MF_C128) {
        const double _Complex one = 1.0, zero = 0.0;
        cblas_zgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, n, n, n, &one, s, n, s, n, &zero, s2, n);
    } else {
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, s, n, s, n, 0.0, s2, n);
    }
    double num = 0.0, den = 0.0;
    for (int64_t k = 0; k < (int64_t)parts * n * n; k++) {
        const int64_t e = k / (int64_t)parts, i = e % n, j = e / n;
        double target = sign ? (i == j && k % (int64_t)parts == 0 ? 1.0 : 0.0) : a[k];
        num += (s2[k] - target) * (s2[k] - target);
        den += s[k] * s[k];
    }
    free(s);
    free(a);
    free(s2);
    return sqrt(num) / ((double)n * U64 * den);
}

static void shift(mfb_mat *a, int64_t n, double by) {
    for (int64_t i = 0; i < n; i++) {
        double *e = (double *)a->m.data + (a->m.dtype == MF_C128 ? 2 : 1) * (i * a->m.rs + i * a->m.cs);
        e[0] += by;
    }
}

/* mf_sqrtm both ways with the Schur route's parts, interleaved, for F64
 * (real Schur form) or C128 input. */
static void bench_sqrtm_parts(int64_t n, int32_t dt) {
    ctx c = {.n = n, .dt = dt};
    c.A = mfb_mat_new(n, n, dt, MFB_COL);
    c.S = mfb_mat_new(n, n, dt, MFB_COL);
    c.T = mfb_mat_new(n, n, dt, MFB_COL);
    c.Z = mfb_mat_new(n, n, dt, MFB_COL);
    mfb_mat_random(&c.A, (dt == MF_C128 ? 2000 : 1000) + (uint64_t)n);
    shift(&c.A, n, dt == MF_C128 ? 2.5 * sqrt((double)n) : 1.5 * sqrt((double)n) + 1.0);
    if (mf_schur(&c.A.m, &c.T.m, &c.Z.m) != MF_OK)
        abort();
    c.u = malloc(mf__elem_size(dt) * (size_t)(n * n));
    c.w = malloc(mf__elem_size(dt) * (size_t)(n * n));
    if (c.u == NULL || c.w == NULL)
        abort();
    /* real flops: n^3 / 3 (real) or n^3 / 3 complex ones, 4 real each */
    const double n3 = (double)n * n * n, cx = dt == MF_C128 ? 4.0 : 1.0;
    mfb_row rs, rt, rb, rq, rr;
    mfb_row_init(&rs, dt == MF_C128 ? "schur (zgees + Z)" : "schur (dgees + Z)", dt, MFB_COL, n,
                 0.0);
    mfb_row_init(&rt, "sqrtm: triangular phase", dt, MFB_NONE, n, cx * n3 / 3.0);
    mfb_row_init(&rb, "sqrtm: back-transform", dt, MFB_NONE, n, cx * 3.0 * n3);
    mfb_row_init(&rq, "mf_sqrtm", dt, MFB_COL, n, 0.0);
    mfb_row_init(&rr, "mf_sqrtm (Schur route)", dt, MFB_COL, n, 0.0);
    mfb_row *rows[] = {&rq, &rr, &rs, &rt, &rb};
    const mfb_fn fns[] = {run_sqrtm, run_sqrtm_schur, run_schur, run_tri, run_back};
    void *ctxs[] = {&c, &c, &c, &c, &c};
    if (mfb_measure_group(5, rows, fns, ctxs) == MF_OK) {
        run_sqrtm_schur(&c);
        mfb_set_accuracy(&rr, residual(&c, dt, false), "|S^2-A|/(nu|S|^2)", 100.0);
        const double g = mfb_gemm_seconds(n, dt);
        mfb_note(&rr, "schur %.1f, tri %.2f, back %.2f GEMM-eq; route/(schur+3 gemm) = %.3f",
                 rs.median_s / g, rt.median_s / g, rb.median_s / g,
                 rr.median_s / (rs.median_s + 3.0 * g));
        run_sqrtm(&c);
        mfb_set_accuracy(&rq, residual(&c, dt, false), "|S^2-A|/(nu|S|^2)", 100.0);
        mfb_note(&rq, "path: %s; time / Schur route = %.2f (best %.2f)",
                 outcome_name(mf__sqrtm_iter_last()), rq.median_s / rr.median_s,
                 rq.best_s / rr.best_s);
    }
    for (int k = 0; k < 5; k++)
        mfb_emit(rows[k]);
    free(c.u);
    free(c.w);
    mfb_mat_free(&c.A);
    mfb_mat_free(&c.S);
    mfb_mat_free(&c.T);
    mfb_mat_free(&c.Z);
}

static int run_eigenvalues(void *p) {
    ctx *c = p;
    return mf_eig(&c->A.m, &c->T.m, NULL);
}

static int run_signm_newton(void *p) {
    mf__signm_set_route(MF__SIGNM_NEWTON);
    const int st = run_signm(p);
    mf__signm_set_route(MF__SIGNM_AUTO);
    return st;
}

static void note_signm_route(mfb_row *r) {
    const mf__signm_info in = mf__signm_last();
    if (in.schur_method)
        mfb_note(r, "Schur method after %d Newton steps", in.newton_steps);
    else
        mfb_note(r, "Newton %d, Newton-Schulz %d steps; eigenvalue check %s",
                 in.newton_steps, in.newton_schulz_steps,
                 in.eigenvalues_checked ? "ran" : "skipped (certified)");
}

/* mf_signm on a Gaussian matrix (kappa_1 beyond 1e3: its rule picks the
 * Schur method), the same call kept on the Newton route (private hook: the
 * speed it would have, at a forward error about u kappa_1), and the
 * eigenvalues alone (mf_eig without vectors: ?gehrd + ?hseqr, what the
 * Newton route's domain check costs when its certificate fails); then a
 * well-conditioned input, diag(+-(1..2)) + 0.3 G / sqrt(n), which the rule
 * keeps on the Newton route. */
static void bench_signm(int64_t n, int32_t dt) {
    ctx c = {.n = n};
    c.A = mfb_mat_new(n, n, dt, MFB_COL);
    c.S = mfb_mat_new(n, n, dt, MFB_COL);
    c.T = mfb_mat_new(n, 1, MF_C128, MFB_COL);
    mfb_mat_random(&c.A, 2000 + (uint64_t)n);
    mfb_row r, rn, re;
    mfb_row_init(&r, "mf_signm (Gaussian)", dt, MFB_COL, n, 0.0);
    mfb_row_init(&rn, "mf_signm (Gaussian, Newton kept)", dt, MFB_COL, n, 0.0);
    mfb_row_init(&re, "signm: eigenvalues (mf_eig)", dt, MFB_COL, n, 0.0);
    mfb_row *rows[] = {&r, &rn, &re};
    const mfb_fn fns[] = {run_signm, run_signm_newton, run_eigenvalues};
    void *ctxs[] = {&c, &c, &c};
    if (mfb_measure_group(3, rows, fns, ctxs) == MF_OK) {
        run_signm_newton(&c);
        mfb_set_accuracy(&rn, residual(&c, dt, true), "|S^2-I|/(nu|S|^2)", 100.0);
        note_signm_route(&rn);
        run_signm(&c);
        mfb_set_accuracy(&r, residual(&c, dt, true), "|S^2-I|/(nu|S|^2)", 100.0);
        note_signm_route(&r);
    }
    for (int k = 0; k < 3; k++)
        mfb_emit(rows[k]);
    /* well-conditioned: the Newton route */
    const double s = 0.3 / sqrt((double)n);
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < n; j++) {
            double *e = (double *)c.A.m.data + (dt == MF_C128 ? 2 : 1) * (i * c.A.m.rs + j * c.A.m.cs);
            e[0] = s * e[0] + (i == j ? (i % 2 ? -1.0 : 1.0) * (1.0 + (double)i / (double)n) : 0.0);
            if (dt == MF_C128)
                e[1] *= s;
        }
    mfb_row rw;
    mfb_row_init(&rw, "mf_signm (well-conditioned)", dt, MFB_COL, n, 0.0);
    if (mfb_measure(&rw, run_signm, &c) == MF_OK) {
        mfb_set_accuracy(&rw, residual(&c, dt, true), "|S^2-I|/(nu|S|^2)", 100.0);
        note_signm_route(&rw);
    }
    mfb_emit(&rw);
    mfb_mat_free(&c.A);
    mfb_mat_free(&c.S);
    mfb_mat_free(&c.T);
}

int main(int argc, char **argv) {
    static const int64_t sizes[] = {256, 512}; /* 1024: --sizes 1024 */
    mfb_init(argc, argv, "funcs_sqrtm", sizes, 2);
    const int64_t *n;
    const int count = mfb_sizes(&n);
    for (int k = 0; k < count; k++) {
        bench_sqrtm_parts(n[k], MF_F64);
        bench_sqrtm_parts(n[k], MF_C128);
        bench_signm(n[k], MF_F64);
        bench_signm(n[k], MF_C128);
    }
    return mfb_finish();
}
