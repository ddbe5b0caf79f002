/*
 * Principal square root of a complex upper triangular Schur factor
 * (mf__sqrtm_tri, see sqrtm_tri.h): Bjorck & Hammarling's recurrence
 * (Linear Algebra Appl. 52/53, 1983; Higham 2008, Alg. 6.3) for blocks of
 * at most MF_SQRTM_BASE rows, the recursive blocking of Deadman, Higham &
 * Ralha 2013 above that, with the recursive Sylvester solver of
 * trsylv_complex.c.
 */
#include "mfcomplex.h"
#include <math.h>
#include <stdbool.h>

#include "funcs/sqrtm_tri.h"
#include "funcs/trsylv.h"
#include "internal.h"

typedef double _Complex zdouble;

/*
 * Principal square root of a diagonal entry. csqrt maps the negative real
 * axis to +i or -i by the sign of the zero imaginary part; the Schur form
 * can produce either, so an imaginary part of -0.0 is read as +0.0: the
 * documented tie-break sqrt(-x) = +i sqrt(x).
 */
static zdouble principal_sqrt(zdouble z) {
    if (cimag(z) == 0.0)
        z = CMPLX(creal(z), 0.0);
    return csqrt(z);
}

/* See zero_denominator in sqrtm_real.c: 0 x = r is consistent only when r
 * is rounding noise; then x = 0. */
static mf_status zero_denominator(const char *fn, int64_t m, const zdouble *u, int64_t ld,
                                  int64_t i, int64_t j, zdouble *x) {
    double bound = cabs(u[i + j * ld]); /* still T's entry: written after */
    for (int64_t k = i + 1; k < j; k++)
        bound += cabs(u[i + k * ld]) * cabs(u[k + j * ld]);
    if (cabs(*x) <= 4.0 * (double)m * MF_U64 * bound) {
        *x = 0.0;
        return MF_OK;
    }
    return mf__fail(MF_EDOMAIN, fn,
                    "the matrix has no square root: its zero eigenvalue (rows %lld and %lld of "
                    "the Schur form) lies in a Jordan block of size > 1",
                    (long long)i, (long long)j);
}

/* Column by column: u_jj = sqrt(t_jj), then bottom up
 * u_ij = (t_ij - sum_{k=i+1}^{j-1} u_ik u_kj) / (u_ii + u_jj). */
static mf_status point_recurrence(const char *fn, int64_t m, zdouble *u, int64_t ld) {
    for (int64_t j = 0; j < m; j++) {
        u[j + j * ld] = principal_sqrt(u[j + j * ld]);
        for (int64_t i = j - 1; i >= 0; i--) {
            zdouble v = u[i + j * ld];
            for (int64_t k = i + 1; k < j; k++)
                v -= u[i + k * ld] * u[k + j * ld];
            const zdouble den = u[i + i * ld] + u[j + j * ld];
            if (den == 0.0) {
                mf_status st = zero_denominator(fn, m, u, ld, i, j, &v);
                if (st != MF_OK)
                    return st;
            } else {
                v /= den;
            }
            u[i + j * ld] = v;
        }
    }
    return MF_OK;
}

static mf_status singular_sylvester(const char *fn) {
    return mf__fail(MF_EOVERFLOW, fn, "a Sylvester system of the square root is singular to "
                    "working precision (underflow)");
}

/* The point recurrence for a block of at most MF_SQRTM_BASE rows, each
 * column by the Sylvester solver's tiled kernel:
 * U(0:j, 0:j) x + x u_jj = t(0:j, j). */
static mf_status column_recurrence(const char *fn, int64_t m, zdouble *u, int64_t ld) {
    for (int64_t j = 0; j < m; j++) {
        u[j + j * ld] = principal_sqrt(u[j + j * ld]);
        if (!mf__trsylv_complex(j, 1, (double *)u, ld, (double *)(u + j + j * ld), ld,
                                (double *)(u + j * ld), ld))
            return singular_sylvester(fn);
    }
    return MF_OK;
}

static mf_status recurse(const char *fn, int64_t m, zdouble *u, int64_t ld) {
    if (m <= MF_SQRTM_BASE)
        return column_recurrence(fn, m, u, ld);
    const int64_t h = m / 2;
    mf_status st = recurse(fn, h, u, ld);
    if (st == MF_OK)
        st = recurse(fn, m - h, u + h + h * ld, ld);
    if (st == MF_OK && !mf__trsylv_complex(h, m - h, (double *)u, ld, (double *)(u + h + h * ld),
                                           ld, (double *)(u + h * ld), ld))
        st = singular_sylvester(fn);
    return st;
}

/* Without ?trsyl3's scaling an overflowing root shows as Inf or NaN. */
static mf_status require_finite(const char *fn, int64_t n, const zdouble *u, int64_t ld) {
    for (int64_t j = 0; j < n; j++)
        for (int64_t i = 0; i <= j; i++)
            if (!isfinite(creal(u[i + j * ld])) || !isfinite(cimag(u[i + j * ld])))
                return mf__fail(MF_EOVERFLOW, fn, "the square root overflows");
    return MF_OK;
}

mf_status mf__sqrtm_tri(const char *fn, int64_t n, double *t, int64_t ldt) {
    zdouble *u = (zdouble *)t;
    int64_t zeros = 0;
    for (int64_t k = 0; k < n; k++)
        zeros += u[k + k * ldt] == 0.0;
    mf_status st = zeros >= 2 ? point_recurrence(fn, n, u, ldt) : recurse(fn, n, u, ldt);
    return st == MF_OK ? require_finite(fn, n, u, ldt) : st;
}

mf_status mf__sqrtm_tri_point(const char *fn, int64_t n, double *t, int64_t ldt) {
    zdouble *u = (zdouble *)t;
    mf_status st = point_recurrence(fn, n, u, ldt);
    return st == MF_OK ? require_finite(fn, n, u, ldt) : st;
}
