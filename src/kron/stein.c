/*
 * The discrete Lyapunov (Stein) equation A X A^H - X + Q = 0.
 *
 * With the complex Schur form A = U T U^H and F = U^H Q U the equation
 * becomes T Y T^H - Y = -F, solved column by column from the last
 * (G. Kitagawa, Int. J. Control 25(5), 1977; A. Y. Barraud, IEEE TAC 22(5),
 * 1977): column j of T Y T^H is T (conj(t_jj) y_j + z_j) with
 * z_j = sum_{l>j} conj(t_jl) y_l, so
 *
 *     (conj(t_jj) T - I) y_j = -f_j - T z_j,
 *
 * one upper triangular solve per column. For t_jj != 0 the matrix is
 * conj(t_jj) (T - I / conj(t_jj)): only the diagonal of a copy of T changes
 * from column to column, which keeps the recurrence O(n^3) without
 * rebuilding a matrix per column. Real input goes through the complex Schur
 * form too (the 2 x 2 blocks of a real Schur form would couple columns), but
 * that form is obtained from the real one (real ?gees, then one complex
 * rotation per 2 x 2 block: mf__schur_compute), not by zgees on the real
 * matrix; the solution is real and is returned as the real part.
 */
#include <float.h>
#include <math.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>

#include "kron_internal.h"
#include "sylvester_internal.h"

typedef double _Complex zdouble;

/* Smallest |1 - λ_i conj(λ_j)|: the eigenvalues of X -> A X A^H - X are
 * λ_i conj(λ_j) - 1. */
static double min_stein_gap(const mf__schur *s) {
    double best = INFINITY;
    for (int j = 0; j < s->n; j++)
        for (int i = 0; i < s->n; i++) {
            const zdouble g = 1.0 - s->w[i] * conj(s->w[j]);
            const double re = fabs(creal(g)), im = fabs(cimag(g));
            if ((re > im ? re : im) < best) { /* |g| >= that: skip the hypot otherwise */
                const double d = hypot(re, im);
                best = d < best ? d : best;
            }
        }
    return best;
}

/* y_j from (conj(t_jj) T - I) y = r (r overwritten by y). d is a copy of T
 * whose diagonal is free to change. */
static void solve_column(int n, int j, const zdouble *t, zdouble *d, zdouble *r) {
    const zdouble c = conj(t[j + (size_t)j * n]);
    if (cabs(c) < 0x1p-500) {
        /* Tiny or zero t_jj: 1 / c would overflow, so build conj(t_jj) T - I
         * explicitly (rare; O(n^2)). */
        for (int q = 0; q < n; q++)
            for (int p = 0; p <= q; p++)
                d[p + (size_t)q * n] = c * t[p + (size_t)q * n] - (p == q ? 1.0 : 0.0);
        cblas_ztrsv(CblasColMajor, CblasUpper, CblasNoTrans, CblasNonUnit, n, d, n, r, 1);
        for (int q = 0; q < n; q++)
            for (int p = 0; p <= q; p++)
                d[p + (size_t)q * n] = t[p + (size_t)q * n];
        return;
    }
    const zdouble shift = 1.0 / c;
    for (int i = 0; i < n; i++) {
        d[i + (size_t)i * n] = t[i + (size_t)i * n] - shift;
        r[i] /= c;
    }
    cblas_ztrsv(CblasColMajor, CblasUpper, CblasNoTrans, CblasNonUnit, n, d, n, r, 1);
}

/* T Y T^H - Y = -F for upper triangular T; y holds F on entry, Y on exit.
 * d (n x n) and v, z (n) are scratch. */
static void stein_triangular(int n, const zdouble *t, zdouble *y, zdouble *d, zdouble *v,
                             zdouble *z) {
    const zdouble one = 1.0, zero = 0.0;
    memcpy(d, t, (size_t)n * (size_t)n * sizeof *d);
    for (int j = n - 1; j >= 0; j--) {
        const int rest = n - 1 - j;
        /* z = sum_{l>j} conj(t_jl) y_l, then z <- T z */
        for (int l = 0; l < rest; l++)
            v[l] = conj(t[j + (size_t)(j + 1 + l) * n]);
        if (rest > 0)
            cblas_zgemv(CblasColMajor, CblasNoTrans, n, rest, &one, y + (size_t)(j + 1) * n, n, v,
                        1, &zero, z, 1);
        else
            memset(z, 0, (size_t)n * sizeof *z);
        cblas_ztrmv(CblasColMajor, CblasUpper, CblasNoTrans, CblasNonUnit, n, t, n, z, 1);
        zdouble *yj = y + (size_t)j * n;
        for (int i = 0; i < n; i++)
            yj[i] = -yj[i] - z[i];
        solve_column(n, j, t, d, yj);
    }
}

static mf_status require_regular(const char *fn, const mf__schur *s) {
    const int n = s->n;
    const double anorm = LAPACKE_zlange_work(LAPACK_COL_MAJOR, 'F', n, n,
                                             (const lapack_complex_double *)s->t, n, NULL);
    const double gap = min_stein_gap(s), bound = (double)n * MF_U64 * (1.0 + anorm * anorm);
    if (gap <= bound)
        return mf__fail(MF_ESINGULAR, fn, "the equation is singular to working precision: "
                        "λ_i conj(λ_j) = 1 for eigenvalues of A (min |1 - λ_i conj(λ_j)| = %.3g "
                        "<= %.3g = n u (1 + ||A||_F^2))", gap, bound);
    return MF_OK;
}

static mf_status require_finite_result(const char *fn, int64_t count, const double *y) {
    for (int64_t i = 0; i < 2 * count; i++)
        if (!isfinite(y[i]))
            return mf__fail(MF_EOVERFLOW, fn, "the solution is not representable in double "
                            "precision");
    return MF_OK;
}

mf_status mf_lyapunov_discrete(const mf_matrix *A, const mf_matrix *Q, mf_matrix *X) {
    static const char fn[] = "mf_lyapunov_discrete";
    mf_status st = mf__check_lyapunov_args(fn, A, Q, X);
    if (st != MF_OK || mf__is_empty(X))
        return st;
    const int n = (int)A->rows;
    const int64_t nn = (int64_t)n * n;
    const bool hermitian_q = mf__is_hermitian(Q);
    const bool real_input = A->dtype == MF_F64 && Q->dtype == MF_F64;
    mf__schur s = {NULL, NULL, NULL, 0, MF_C128};
    if ((st = mf__schur_compute(fn, "A", A, MF_C128, &s)) != MF_OK)
        return st;
    double *q = mf__packed_copy(Q, MF_C128), *y = mf__alloc_array(nn, 2 * sizeof(double));
    double *d = mf__alloc_array(nn, 2 * sizeof(double)), *v = mf__alloc_array(2 * n, 2 * sizeof(double));
    if (q == NULL || y == NULL || d == NULL || v == NULL)
        st = mf__fail(MF_ENOMEM, fn, "cannot allocate workspace (n = %d)", n);
    if (st == MF_OK)
        st = require_regular(fn, &s);
    if (st == MF_OK) {
        mf__similarity(MF_C128, n, n, s.z, true, q, s.z, false, d, y); /* F = U^H Q U */
        stein_triangular(n, (const zdouble *)s.t, (zdouble *)y, (zdouble *)d, (zdouble *)v,
                         (zdouble *)v + n);
        mf__similarity(MF_C128, n, n, s.z, false, y, s.z, true, d, q); /* X = U Y U^H */
        st = require_finite_result(fn, nn, q);
    }
    if (st == MF_OK) {
        if (hermitian_q)
            mf__symmetrize(MF_C128, n, q);
        if (real_input) /* the exact solution is real: drop the rounding noise */
            for (int64_t i = 0; i < nn; i++)
                q[2 * i + 1] = 0.0;
        mf__unpack(q, n, MF_C128, X);
    }
    mf__free(q);
    mf__free(y);
    mf__free(d);
    mf__free(v);
    mf__schur_release(&s);
    return st;
}
