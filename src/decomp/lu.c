/*
 * The LU family: mf_lu, mf_solve, mf_det, mf_logdet, mf_inv, mf_rcond, and
 * the private helpers of lu.h (reciprocal condition, inverse) for cond.c.
 * Each packs A into a column-major workspace, factors it with ?getrf and
 * works from the factors. Real and complex share the code; only the LAPACK
 * routine differs (chosen by the workspace dtype).
 */
#include "mfcomplex.h"
#include <float.h>
#include <math.h>
#include <string.h>

#include <lapacke.h>

#include "internal.h"
#include "lu.h"

typedef double _Complex zdouble;

/* A factored copy of a square or rectangular matrix. */
typedef struct lu_factors {
    double *a;     /* column-major m x n, ld = max(m, 1); L below, U on and above */
    int *ipiv;     /* LAPACK pivots (1-based), length min(m, n) */
    int m, n, ld;
    int32_t dtype; /* arithmetic of the factors */
    int zero_pivot;/* ?getrf info: first exactly zero pivot (1-based), or 0 */
    double anorm;  /* ||A||_1 or ||A||_inf of the original, if asked for */
} lu_factors;

static void lu_release(lu_factors *f) {
    mf__free(f->a);
    mf__free(f->ipiv);
    f->a = NULL;
    f->ipiv = NULL;
}

/* Pack A as `dtype`, note its norm of kind norm_char ('1', 'I' or 0 for
 * none) and factor it. */
static mf_status lu_factor(const char *fn, const mf_matrix *A, int32_t dtype, char norm_char,
                           lu_factors *f) {
    memset(f, 0, sizeof *f);
    f->m = (int)A->rows;
    f->n = (int)A->cols;
    f->ld = f->m > 1 ? f->m : 1;
    f->dtype = dtype;
    const int k = f->m < f->n ? f->m : f->n;
    f->a = mf__packed_copy(A, dtype);
    f->ipiv = mf__alloc_array(k > 0 ? k : 1, sizeof(int));
    if (f->a == NULL || f->ipiv == NULL) {
        lu_release(f);
        return mf__fail(MF_ENOMEM, fn, "cannot allocate LU workspace for %d x %d", f->m, f->n);
    }
    const bool cplx = dtype == MF_C128;
    if (norm_char != 0 && f->m > 0 && f->n > 0) {
        /* ?lange needs work only for the infinity norm: m doubles, which the
         * pivot array cannot hold, so compute that norm by hand. */
        f->anorm = cplx ? LAPACKE_zlange_work(LAPACK_COL_MAJOR, '1', f->m, f->n,
                                              (lapack_complex_double *)f->a, f->ld, NULL)
                        : LAPACKE_dlange_work(LAPACK_COL_MAJOR, '1', f->m, f->n, f->a, f->ld, NULL);
        if (norm_char == 'I') {
            double best = 0.0;
            for (int i = 0; i < f->m; i++) {
                double sum = 0.0;
                for (int j = 0; j < f->n; j++)
                    sum += cplx ? cabs(((zdouble *)f->a)[i + (size_t)j * f->ld])
                                : fabs(f->a[i + (size_t)j * f->ld]);
                best = sum > best ? sum : best;
            }
            f->anorm = best;
        }
    }
    if (f->m == 0 || f->n == 0)
        return MF_OK;
    int info = cplx ? LAPACKE_zgetrf_work(LAPACK_COL_MAJOR, f->m, f->n,
                                          (lapack_complex_double *)f->a, f->ld, f->ipiv)
                    : LAPACKE_dgetrf_work(LAPACK_COL_MAJOR, f->m, f->n, f->a, f->ld, f->ipiv);
    mf_status st = mf__lapack_info(fn, cplx ? "zgetrf" : "dgetrf", info);
    if (st != MF_OK) {
        lu_release(f);
        return st;
    }
    f->zero_pivot = info;
    return MF_OK;
}

/* The m x n factors of f, checked before they are written out. */
static mf_status lu_check_finite(const char *fn, const char *what, const lu_factors *f) {
    const mf_matrix w = {f->a, f->m, f->n, 1, f->ld, f->dtype, 0};
    return mf__check_result_finite(fn, what, &w);
}

/* Reciprocal condition estimate of the factored square matrix in the norm
 * f->anorm was taken in. */
static mf_status lu_rcond(const char *fn, const lu_factors *f, char norm_char, double *rcond) {
    const int n = f->n;
    if (n == 0) {
        *rcond = 1.0;
        return MF_OK;
    }
    if (f->zero_pivot > 0 || f->anorm == 0.0) {
        *rcond = 0.0;
        return MF_OK;
    }
    const bool cplx = f->dtype == MF_C128;
    double *work = mf__alloc_array(4 * (int64_t)n, sizeof(double));
    int *iwork = mf__alloc_array(n, sizeof(int));
    mf_status st = MF_OK;
    if (work == NULL || iwork == NULL) {
        st = mf__fail(MF_ENOMEM, fn, "cannot allocate condition estimate workspace (n = %d)", n);
    } else {
        /* zgecon: work is 2n complex = 4n doubles; rwork 2n doubles reuses iwork's
         * room only when large enough, so it gets its own slice below. */
        int info;
        if (cplx) {
            double *rwork = mf__alloc_array(2 * (int64_t)n, sizeof(double));
            if (rwork == NULL) {
                st = mf__fail(MF_ENOMEM, fn, "cannot allocate condition estimate workspace (n = %d)", n);
                goto done;
            }
            info = LAPACKE_zgecon_work(LAPACK_COL_MAJOR, norm_char, n, (lapack_complex_double *)f->a,
                                       f->ld, f->anorm, rcond, (lapack_complex_double *)work, rwork);
            mf__free(rwork);
        } else {
            info = LAPACKE_dgecon_work(LAPACK_COL_MAJOR, norm_char, n, f->a, f->ld, f->anorm, rcond,
                                       work, iwork);
        }
        st = mf__lapack_info(fn, cplx ? "zgecon" : "dgecon", info);
    }
done:
    mf__free(iwork);
    mf__free(work);
    return st;
}

/* The rule behind MF_ESINGULAR for solve and inverse: an exact zero pivot,
 * or a reciprocal 1-norm condition estimate below machine epsilon. */
static mf_status lu_require_nonsingular(const char *fn, const lu_factors *f) {
    if (f->zero_pivot > 0)
        return mf__fail(MF_ESINGULAR, fn, "A is exactly singular: U(%d,%d) = 0 in its LU factors",
                        f->zero_pivot - 1, f->zero_pivot - 1);
    double rcond = 0.0;
    mf_status st = lu_rcond(fn, f, '1', &rcond);
    if (st != MF_OK)
        return st;
    if (rcond < DBL_EPSILON)
        return mf__fail(MF_ESINGULAR, fn,
                        "A is singular to working precision: reciprocal 1-norm condition "
                        "estimate %.3g < %.3g", rcond, DBL_EPSILON);
    return MF_OK;
}

static int32_t arithmetic_of(const mf_matrix *a, const mf_matrix *b) {
    return (a->dtype == MF_C128 || (b != NULL && b->dtype == MF_C128)) ? MF_C128 : MF_F64;
}

/* Common checks of a square input: valid, square, LAPACK-sized, finite. */
static mf_status check_square_input(const char *fn, const mf_matrix *A) {
    mf_status st = mf__check_input(fn, "A", A);
    if (st == MF_OK)
        st = mf__check_square(fn, "A", A);
    if (st == MF_OK)
        st = mf__check_lapack_dim(fn, "A", A->rows);
    if (st == MF_OK)
        st = mf__check_finite(fn, "A", A);
    return st;
}

/* ------------------------------------------------------------------ */

/* Write element (i, j) of out from a complex value (real part for F64). */
static inline void put(mf_matrix *out, int64_t i, int64_t j, zdouble v) {
    double *p = out->data;
    if (out->dtype == MF_C128) {
        double *e = p + 2 * (i * out->rs + j * out->cs);
        e[0] = creal(v);
        e[1] = cimag(v);
    } else {
        p[i * out->rs + j * out->cs] = creal(v);
    }
}

static inline zdouble factor_at(const lu_factors *f, int i, int j) {
    size_t k = (size_t)i + (size_t)j * (size_t)f->ld;
    return f->dtype == MF_C128 ? ((const zdouble *)f->a)[k] : f->a[k];
}

/* L (unit lower, out is m x k) or U (upper, out is k x n) from the packed
 * factors. Real factors into a real output copy doubles directly: this
 * runs once per element of the output, so it matters at large n. */
static void write_factor(const lu_factors *f, mf_matrix *out, bool unit_lower) {
    const bool real_copy = f->dtype == MF_F64 && out->dtype == MF_F64;
    double *o = out->data;
    for (int64_t j = 0; j < out->cols; j++) {
        /* rows [lo, hi) of column j come from the factors, the rest is 0 or
         * L's unit diagonal */
        const int64_t lo = unit_lower ? j + 1 : 0;
        const int64_t hi = unit_lower ? out->rows : (j + 1 < out->rows ? j + 1 : out->rows);
        if (!real_copy) {
            for (int64_t i = 0; i < out->rows; i++)
                put(out, i, j, (i >= lo && i < hi) ? factor_at(f, (int)i, (int)j)
                                                   : (i == j && unit_lower ? 1.0 : 0.0));
            continue;
        }
        const double *src = f->a + j * (int64_t)f->ld;
        double *col = o + j * out->cs;
        for (int64_t i = 0; i < lo && i < out->rows; i++)
            col[i * out->rs] = (i == j && unit_lower) ? 1.0 : 0.0;
        for (int64_t i = lo; i < hi; i++)
            col[i * out->rs] = src[i];
        for (int64_t i = hi > lo ? hi : lo; i < out->rows; i++)
            col[i * out->rs] = 0.0;
    }
}

mf_status mf_lu(const mf_matrix *A, mf_matrix *L, mf_matrix *U, int64_t *perm) {
    static const char fn[] = "mf_lu";
    mf_status st = mf__check_input(fn, "A", A);
    if (st != MF_OK)
        return st;
    const int64_t m = A->rows, n = A->cols, k = m < n ? m : n;
    if ((L != NULL && ((st = mf__check_output(fn, "L", L, m, k)) != MF_OK ||
                       (st = mf__check_result_dtype(fn, "A", A, "L", L)) != MF_OK)) ||
        (U != NULL && ((st = mf__check_output(fn, "U", U, k, n)) != MF_OK ||
                       (st = mf__check_result_dtype(fn, "A", A, "U", U)) != MF_OK)))
        return st;
    const mf__arg outs[] = {{"L", L}, {"U", U}}, ins[] = {{"A", A}};
    if ((st = mf__check_aliasing(fn, outs, 2, ins, 1)) != MF_OK)
        return st;
    if ((st = mf__check_lapack_dim(fn, "A", m > n ? m : n)) != MF_OK ||
        (st = mf__check_finite(fn, "A", A)) != MF_OK)
        return st;

    lu_factors f;
    if ((st = lu_factor(fn, A, A->dtype, 0, &f)) != MF_OK)
        return st;
    /* Element growth can take the factors of a finite A beyond the double
     * range (entries near DBL_MAX); nothing is written then. */
    if ((st = lu_check_finite(fn, "the LU factors of A (element growth)", &f)) != MF_OK) {
        lu_release(&f);
        return st;
    }
    if (perm != NULL) {
        for (int64_t i = 0; i < m; i++)
            perm[i] = i;
        for (int64_t i = 0; i < k; i++) {
            int64_t p = f.ipiv[i] - 1, t = perm[i];
            perm[i] = perm[p];
            perm[p] = t;
        }
    }
    if (L != NULL)
        write_factor(&f, L, true);
    if (U != NULL)
        write_factor(&f, U, false);
    lu_release(&f);
    return MF_OK;
}

/* ?getrs on a column-major right-hand side block. */
static mf_status lu_solve_inplace(const char *fn, const lu_factors *f, double *b, int ldb, int nrhs) {
    if (f->n == 0 || nrhs == 0)
        return MF_OK;
    const bool cplx = f->dtype == MF_C128;
    int info = cplx ? LAPACKE_zgetrs_work(LAPACK_COL_MAJOR, 'N', f->n, nrhs,
                                          (const lapack_complex_double *)f->a, f->ld, f->ipiv,
                                          (lapack_complex_double *)b, ldb)
                    : LAPACKE_dgetrs_work(LAPACK_COL_MAJOR, 'N', f->n, nrhs, f->a, f->ld, f->ipiv, b,
                                          ldb);
    return mf__lapack_info(fn, cplx ? "zgetrs" : "dgetrs", info);
}

static mf_status check_solve_args(const char *fn, const mf_matrix *A, const mf_matrix *B,
                                  const mf_matrix *X) {
    mf_status st = mf__check_input(fn, "A", A);
    if (st == MF_OK)
        st = mf__check_input(fn, "B", B);
    if (st == MF_OK)
        st = mf__check_square(fn, "A", A);
    if (st == MF_OK && B->rows != A->rows)
        st = mf__fail(MF_EDIM, fn, "B has %lld rows but A is %lld x %lld", (long long)B->rows,
                      (long long)A->rows, (long long)A->cols);
    if (st == MF_OK)
        st = mf__check_output(fn, "X", X, B->rows, B->cols);
    if (st == MF_OK && arithmetic_of(A, B) == MF_C128 && X->dtype != MF_C128)
        st = mf__fail(MF_EDTYPE, fn, "A or B is MF_C128, so X must be MF_C128");
    if (st == MF_OK) {
        const mf__arg outs[] = {{"X", X}}, ins[] = {{"A", A}, {"B", B}};
        st = mf__check_aliasing(fn, outs, 1, ins, 2);
    }
    if (st == MF_OK)
        st = mf__check_lapack_dim(fn, "A", A->rows);
    if (st == MF_OK)
        st = mf__check_lapack_dim(fn, "B", B->cols);
    if (st == MF_OK)
        st = mf__check_finite(fn, "A", A);
    if (st == MF_OK)
        st = mf__check_finite(fn, "B", B);
    return st;
}

mf_status mf_solve(const mf_matrix *A, const mf_matrix *B, mf_matrix *X) {
    static const char fn[] = "mf_solve";
    mf_status st = check_solve_args(fn, A, B, X);
    if (st != MF_OK)
        return st;
    const int32_t dt = X->dtype; /* C128 X with real A, B: complex arithmetic */
    lu_factors f;
    if ((st = lu_factor(fn, A, dt, '1', &f)) != MF_OK)
        return st;
    if ((st = lu_require_nonsingular(fn, &f)) != MF_OK) {
        lu_release(&f);
        return st;
    }
    const int nrhs = (int)B->cols;
    if (mf__is_colmajor(X)) {
        /* Solve straight in X: nothing can fail after this point except a
         * backend fault, and the factorization already succeeded. */
        if (mf__overlap_of(X, B) != MF__SAME)
            mf__pack(B, X->data, X->cs, dt);
        st = lu_solve_inplace(fn, &f, X->data, (int)X->cs, nrhs);
    } else {
        double *b = mf__packed_copy(B, dt);
        if (b == NULL) {
            st = mf__fail(MF_ENOMEM, fn, "cannot allocate %lld x %d right-hand sides",
                          (long long)B->rows, nrhs);
        } else {
            st = lu_solve_inplace(fn, &f, b, f.ld, nrhs);
            if (st == MF_OK)
                mf__unpack(b, f.ld, dt, X);
            mf__free(b);
        }
    }
    lu_release(&f);
    return st;
}

/* Product of U's diagonal times the pivot sign, kept as mantissa * 2^exp so
 * that neither overflow nor underflow happens along the way. */
typedef struct scaled {
    zdouble mant;
    int64_t exp2;
} scaled;

static scaled lu_diag_product(const lu_factors *f) {
    scaled r = {1.0, 0};
    for (int i = 0; i < f->n; i++) {
        if (f->ipiv[i] != i + 1)
            r.mant = -r.mant;
        zdouble d = factor_at(f, i, i);
        int e = 0;
        double mag = cabs(d);
        if (mag == 0.0)
            return (scaled){0.0, 0};
        (void)frexp(mag, &e);
        r.mant *= ldexp(1.0, -e) * d; /* |d 2^-e| in [0.5, 1) */
        r.exp2 += e;
        (void)frexp(cabs(r.mant), &e);
        r.mant *= ldexp(1.0, -e);
        r.exp2 += e;
    }
    return r;
}

mf_status mf_det(const mf_matrix *A, double *re, double *im) {
    static const char fn[] = "mf_det";
    mf_status st = check_square_input(fn, A);
    if (st != MF_OK)
        return st;
    if (re == NULL)
        return mf__fail(MF_EINVAL, fn, "argument re is NULL");
    if (im == NULL && A->dtype == MF_C128)
        return mf__fail(MF_EINVAL, fn, "argument im is NULL but A is MF_C128");
    lu_factors f;
    if ((st = lu_factor(fn, A, A->dtype, 0, &f)) != MF_OK)
        return st;
    scaled p = lu_diag_product(&f);
    lu_release(&f);
    if (p.exp2 > DBL_MAX_EXP)
        return mf__fail(MF_EOVERFLOW, fn, "|det A| is about 2^%lld, beyond the double range; "
                        "use mf_logdet", (long long)p.exp2);
    /* Below the subnormal range the result rounds to 0 anyway; clamping keeps
     * the exponent inside int. */
    const int e2 = (int)(p.exp2 < DBL_MIN_EXP - 60 ? DBL_MIN_EXP - 60 : p.exp2);
    double r = ldexp(creal(p.mant), e2), i = ldexp(cimag(p.mant), e2);
    if (!isfinite(r) || !isfinite(i))
        return mf__fail(MF_EOVERFLOW, fn, "|det A| exceeds the double range; use mf_logdet");
    *re = r;
    if (im != NULL)
        *im = i;
    return MF_OK;
}

mf_status mf_logdet(const mf_matrix *A, double *logabsdet, double *sign_re, double *sign_im) {
    static const char fn[] = "mf_logdet";
    mf_status st = check_square_input(fn, A);
    if (st != MF_OK)
        return st;
    if (logabsdet == NULL)
        return mf__fail(MF_EINVAL, fn, "argument logabsdet is NULL");
    lu_factors f;
    if ((st = lu_factor(fn, A, A->dtype, 0, &f)) != MF_OK)
        return st;
    double logabs = 0.0;
    zdouble phase = 1.0;
    for (int i = 0; i < f.n; i++) {
        zdouble d = factor_at(&f, i, i);
        double mag = cabs(d);
        if (mag == 0.0) {
            logabs = -INFINITY;
            phase = 0.0;
            break;
        }
        logabs += log(mag);
        phase *= d / mag;
        if (f.ipiv[i] != i + 1)
            phase = -phase;
    }
    lu_release(&f);
    if (A->dtype == MF_F64) /* exactly +-1 or 0, no rounding drift */
        phase = creal(phase) > 0 ? 1.0 : (creal(phase) < 0 ? -1.0 : 0.0);
    else if (cabs(phase) != 0.0)
        phase /= cabs(phase);
    *logabsdet = logabs;
    if (sign_re != NULL)
        *sign_re = creal(phase);
    if (sign_im != NULL)
        *sign_im = cimag(phase);
    return MF_OK;
}

/* Overwrite the factors of a nonsingular square matrix with its inverse
 * (?getri, after a workspace query). */
static mf_status lu_invert(const char *fn, lu_factors *f) {
    if (f->n == 0)
        return MF_OK;
    const bool cplx = f->dtype == MF_C128;
    double query[2] = {0.0, 0.0};
    int info = cplx ? LAPACKE_zgetri_work(LAPACK_COL_MAJOR, f->n, (lapack_complex_double *)f->a,
                                          f->ld, f->ipiv, (lapack_complex_double *)query, -1)
                    : LAPACKE_dgetri_work(LAPACK_COL_MAJOR, f->n, f->a, f->ld, f->ipiv, query, -1);
    int64_t lwork = mf__lwork_from_query(query[0]);
    double *work = mf__alloc_array(lwork, mf__elem_size(f->dtype));
    mf_status st = mf__lapack_info(fn, cplx ? "zgetri" : "dgetri", info);
    if (st == MF_OK && work == NULL)
        st = mf__fail(MF_ENOMEM, fn, "cannot allocate inversion workspace (n = %d)", f->n);
    if (st == MF_OK) {
        info = cplx ? LAPACKE_zgetri_work(LAPACK_COL_MAJOR, f->n, (lapack_complex_double *)f->a,
                                          f->ld, f->ipiv, (lapack_complex_double *)work, (int)lwork)
                    : LAPACKE_dgetri_work(LAPACK_COL_MAJOR, f->n, f->a, f->ld, f->ipiv, work,
                                          (int)lwork);
        st = mf__lapack_info(fn, cplx ? "zgetri" : "dgetri", info);
    }
    mf__free(work);
    return st;
}

mf_status mf_inv(const mf_matrix *A, mf_matrix *X) {
    static const char fn[] = "mf_inv";
    mf_status st = mf__check_unary_args(fn, A, "X", X);
    if (st != MF_OK)
        return st;
    const int32_t dt = X->dtype;
    lu_factors f;
    if ((st = lu_factor(fn, A, dt, '1', &f)) != MF_OK)
        return st;
    if ((st = lu_require_nonsingular(fn, &f)) != MF_OK || f.n == 0) {
        lu_release(&f);
        return st;
    }
    if ((st = lu_invert(fn, &f)) == MF_OK)
        mf__unpack(f.a, f.ld, dt, X);
    lu_release(&f);
    return st;
}

mf_status mf__lu_inverse(const char *fn, const mf_matrix *A, int32_t dtype, double **inv) {
    lu_factors f;
    mf_status st = lu_factor(fn, A, dtype, 0, &f);
    if (st != MF_OK)
        return st;
    if (f.zero_pivot > 0) {
        lu_release(&f);
        *inv = NULL;
        return MF_OK;
    }
    if ((st = lu_invert(fn, &f)) != MF_OK) {
        lu_release(&f);
        return st;
    }
    mf__free(f.ipiv);
    *inv = f.a;
    return MF_OK;
}

mf_status mf__lu_rcond(const char *fn, const mf_matrix *A, char norm_char, double *rcond) {
    lu_factors f;
    mf_status st = lu_factor(fn, A, A->dtype, norm_char, &f);
    if (st != MF_OK)
        return st;
    st = lu_rcond(fn, &f, norm_char, rcond);
    lu_release(&f);
    return st;
}

mf_status mf_rcond(const mf_matrix *A, int kind, double *rcond) {
    static const char fn[] = "mf_rcond";
    mf_status st = check_square_input(fn, A);
    if (st != MF_OK)
        return st;
    if (rcond == NULL)
        return mf__fail(MF_EINVAL, fn, "argument rcond is NULL");
    if (kind != MF_NORM_1 && kind != MF_NORM_INF)
        return mf__fail(MF_EINVAL, fn, "kind %d not supported: use MF_NORM_1 (1) or MF_NORM_INF (2)",
                        kind);
    double r = 0.0;
    st = mf__lu_rcond(fn, A, kind == MF_NORM_1 ? '1' : 'I', &r);
    if (st == MF_OK)
        *rcond = r;
    return st;
}
