/*
 * Real principal square root of a real quasi-triangular Schur factor
 * (mf__sqrtm_quasitri, see sqrtm_tri.h).
 *
 * Higham, "Computing real square roots of a real matrix", Linear Algebra
 * Appl. 88/89, 1987: with the real Schur form the whole computation stays
 * in real arithmetic; a 2 x 2 block with eigenvalues theta +- i mu has the
 * real square root alpha I + (B - theta I) / (2 alpha), alpha + i beta the
 * principal square root of theta + i mu (section 4 there: (B - theta I)^2 =
 * -mu^2 I). Off-diagonal blocks solve small Sylvester equations
 * U_ii X + X U_jj = R_ij of size 1 or 2 (Higham 1987, eq. 4.4); the large
 * ones come from the recursive blocking of Deadman, Higham & Ralha 2013,
 * solved by the recursive Sylvester solver of trsylv_real.c.
 */
#include "mfcomplex.h"
#include <math.h>
#include <stdbool.h>

#include "funcs/sqrtm_tri.h"
#include "funcs/trsylv.h"
#include "internal.h"

/* Does a 2 x 2 block start at row k of the m x m quasi-triangular t? */
static inline bool block_starts_at(int64_t m, const double *t, int64_t ldt, int64_t k) {
    return k + 1 < m && t[(k + 1) + k * ldt] != 0.0;
}

/* ------------------------------------------------------------------ */
/* diagonal blocks                                                     */
/* ------------------------------------------------------------------ */

static mf_status sqrt_1x1(const char *fn, double *x, int64_t row) {
    if (*x < 0.0)
        return mf__fail(MF_ENOTREAL, fn,
                        "the matrix has the eigenvalue %.17g (row %lld of its Schur form) on "
                        "the open negative real axis, so its principal square root is not real; "
                        "ask for a complex (MF_C128) result",
                        *x, (long long)row);
    *x = sqrt(*x);
    return MF_OK;
}

/*
 * Square root of the 2 x 2 block B = [[a, b], [c, d]] at row k with complex
 * eigenvalues theta +- i mu: U = alpha I + N / (2 alpha), N = B - theta I,
 * valid because N^2 = -det(N) I = -mu^2 I (Higham 1987, section 4). For a
 * standardized block (a = d) the diagonal of U is exactly alpha.
 */
static mf_status sqrt_2x2(const char *fn, double *t, int64_t ldt, int64_t k) {
    double *pa = t + k + k * ldt, *pb = t + k + (k + 1) * ldt;
    double *pc = t + (k + 1) + k * ldt, *pd = t + (k + 1) + (k + 1) * ldt;
    const double a = *pa, b = *pb, c = *pc, d = *pd;
    const double half_gap = 0.5 * (a - d), theta = 0.5 * (a + d);
    /* mu^2 = det N = -(half_gap^2 + b c); sqrt(|b|) sqrt(|c|) avoids
     * overflow in the standardized case. */
    const double mu2 = -(half_gap * half_gap + b * c);
    if (!(b * c < 0.0) || !(mu2 > 0.0))
        return mf__fail(MF_EINVAL, fn, "the 2 x 2 block at row %lld of T has real eigenvalues "
                        "(not a real Schur form)", (long long)k);
    const double mu = half_gap == 0.0 ? sqrt(fabs(b)) * sqrt(fabs(c)) : sqrt(mu2);
    const double alpha = creal(csqrt(CMPLX(theta, mu)));
    const double s = 0.5 / alpha;
    *pa = alpha + half_gap * s;
    *pd = alpha - half_gap * s;
    *pb = b * s;
    *pc = c * s;
    return MF_OK;
}

/* ------------------------------------------------------------------ */
/* point recurrence (Higham 1987, eq. 4.4, by block columns)           */
/* ------------------------------------------------------------------ */

/*
 * Both diagonal entries are zero (u_ii + u_jj = 0): the equation 0 x = r
 * is consistent only if r vanishes up to the rounding in forming it
 * (bounded by m u (|t_ij| + sum |u_ik| |u_kj|)); then x = 0 gives a square
 * root (one of many). Otherwise the zero eigenvalue sits in a Jordan block
 * of size > 1 that admits no square root.
 */
static mf_status zero_denominator(const char *fn, int64_t m, const double *t, int64_t ldt,
                                  int64_t i, int64_t j, double *x) {
    double bound = fabs(t[i + j * ldt]); /* still T's entry: written after */
    for (int64_t k = i + 1; k < j; k++)
        bound += fabs(t[i + k * ldt]) * fabs(t[k + j * ldt]);
    if (fabs(*x) <= 4.0 * (double)m * MF_U64 * bound) {
        *x = 0.0;
        return MF_OK;
    }
    return mf__fail(MF_EDOMAIN, fn,
                    "the matrix has no square root: its zero eigenvalue (rows %lld and %lld of "
                    "the Schur form) lies in a Jordan block of size > 1",
                    (long long)i, (long long)j);
}

/*
 * In place, block column by block column: U_jj = sqrt(T_jj), then for the
 * block rows i above, bottom up, U_ii X + X U_jj = T_ij - sum_k U_ik U_kj.
 */
static mf_status point_recurrence(const char *fn, int64_t m, double *t, int64_t ldt) {
    mf_status st;
    for (int64_t j = 0; j < m;) {
        const int q = block_starts_at(m, t, ldt, j) ? 2 : 1;
        st = q == 1 ? sqrt_1x1(fn, t + j + j * ldt, j) : sqrt_2x2(fn, t, ldt, j);
        if (st != MF_OK)
            return st;
        for (int64_t i_end = j - 1; i_end >= 0;) {
            const int p = i_end > 0 && t[i_end + (i_end - 1) * ldt] != 0.0 ? 2 : 1;
            const int64_t i = i_end - p + 1;
            double r[4];
            for (int s = 0; s < q; s++)
                for (int l = 0; l < p; l++) {
                    double v = t[(i + l) + (j + s) * ldt];
                    for (int64_t k = i + p; k < j; k++)
                        v -= t[(i + l) + k * ldt] * t[k + (j + s) * ldt];
                    r[l + s * p] = v;
                }
            if (p == 1 && q == 1) {
                const double den = t[i + i * ldt] + t[j + j * ldt];
                if (den == 0.0) {
                    if ((st = zero_denominator(fn, m, t, ldt, i, j, &r[0])) != MF_OK)
                        return st;
                } else {
                    r[0] /= den;
                }
            } else if (!mf__sylv_small_real(p, q, t + i + i * ldt, ldt, t + j + j * ldt, ldt, r,
                                              p)) {
                return mf__fail(MF_EOVERFLOW, fn, "a 2 x 2 Sylvester system of the square root "
                                "is singular to working precision (underflow)");
            }
            for (int s = 0; s < q; s++)
                for (int l = 0; l < p; l++)
                    t[(i + l) + (j + s) * ldt] = r[l + s * p];
            i_end = i - 1;
        }
        j += q;
    }
    return MF_OK;
}

/* ------------------------------------------------------------------ */
/* recursive blocking (DHR13, Alg. 3.1)                                */
/* ------------------------------------------------------------------ */

static mf_status singular_sylvester(const char *fn) {
    return mf__fail(MF_EOVERFLOW, fn, "a Sylvester system of the square root is singular to "
                    "working precision (underflow)");
}

/*
 * The point recurrence by block columns for a block of at most
 * MF_SQRTM_BASE rows: U_jj = sqrt(T_jj), then U(0:j, 0:j) X + X U_jj =
 * T(0:j, j) by the Sylvester solver's tiled kernel (the same flops as
 * point_recurrence, in another order).
 */
static mf_status column_recurrence(const char *fn, int64_t m, double *t, int64_t ldt) {
    for (int64_t j = 0; j < m;) {
        const int q = block_starts_at(m, t, ldt, j) ? 2 : 1;
        mf_status st = q == 1 ? sqrt_1x1(fn, t + j + j * ldt, j) : sqrt_2x2(fn, t, ldt, j);
        if (st != MF_OK)
            return st;
        if (!mf__trsylv_real(j, q, t, ldt, t + j + j * ldt, ldt, t + j * ldt, ldt))
            return singular_sylvester(fn);
        j += q;
    }
    return MF_OK;
}

/* U11 = sqrt(T11), U22 = sqrt(T22), then U11 X + X U22 = T12. */
static mf_status recurse(const char *fn, int64_t m, double *t, int64_t ldt) {
    if (m <= MF_SQRTM_BASE)
        return column_recurrence(fn, m, t, ldt);
    int64_t h = m / 2;
    if (t[h + (h - 1) * ldt] != 0.0) /* never split a 2 x 2 block (DHR13, section 3) */
        h++;
    mf_status st = recurse(fn, h, t, ldt);
    if (st == MF_OK)
        st = recurse(fn, m - h, t + h + h * ldt, ldt);
    if (st == MF_OK && !mf__trsylv_real(h, m - h, t, ldt, t + h + h * ldt, ldt, t + h * ldt, ldt))
        st = singular_sylvester(fn);
    return st;
}

/* Exactly zero 1 x 1 diagonal blocks. */
static int64_t count_zero_eigenvalues(int64_t n, const double *t, int64_t ldt) {
    int64_t zeros = 0;
    for (int64_t k = 0; k < n; k++) {
        if (block_starts_at(n, t, ldt, k))
            k++;
        else
            zeros += t[k + k * ldt] == 0.0;
    }
    return zeros;
}

/* Without ?trsyl3's scaling an overflowing root shows as Inf or NaN. */
static mf_status require_finite(const char *fn, int64_t n, const double *u, int64_t ldu) {
    for (int64_t j = 0; j < n; j++) {
        const int64_t rows = j + 2 < n ? j + 2 : n;
        for (int64_t i = 0; i < rows; i++)
            if (!isfinite(u[i + j * ldu]))
                return mf__fail(MF_EOVERFLOW, fn, "the square root overflows");
    }
    return MF_OK;
}

/* The first negative 1 x 1 block, refused before any work: the principal
 * square root is not real. */
static mf_status refuse_negative(const char *fn, int64_t n, double *t, int64_t ldt) {
    for (int64_t k = 0; k < n; k++) {
        if (block_starts_at(n, t, ldt, k)) {
            k++;
            continue;
        }
        if (t[k + k * ldt] < 0.0)
            return sqrt_1x1(fn, t + k + k * ldt, k);
    }
    return MF_OK;
}

mf_status mf__sqrtm_quasitri(const char *fn, int64_t n, double *t, int64_t ldt) {
    mf_status st = refuse_negative(fn, n, t, ldt);
    if (st != MF_OK)
        return st;
    if (count_zero_eigenvalues(n, t, ldt) >= 2)
        st = point_recurrence(fn, n, t, ldt);
    else
        st = recurse(fn, n, t, ldt);
    return st == MF_OK ? require_finite(fn, n, t, ldt) : st;
}

mf_status mf__sqrtm_quasitri_point(const char *fn, int64_t n, double *t, int64_t ldt) {
    mf_status st = refuse_negative(fn, n, t, ldt);
    if (st == MF_OK)
        st = point_recurrence(fn, n, t, ldt);
    return st == MF_OK ? require_finite(fn, n, t, ldt) : st;
}
