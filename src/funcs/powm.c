/*
 * Real powers A^p (principal branch): mf_powm and mf_powm_cond.
 *
 * Routing, cheapest exact method first:
 *   p = 0: I; p = 1: A; other integers: binary powering with GEMMs
 *   (negative p on mf_inv(A); singular A is MF_ESINGULAR);
 *   exactly Hermitian A: A = V diag(w) V^H from mf_eigh and
 *   A^p = (V D)(V D)^H with D = diag(w^(p/2)): one eigendecomposition and
 *   one ?syrk (half a GEMM), exactly Hermitian. This is the path of inverse
 *   roots of covariance-like preconditioners (Shampoo, K-FAC);
 *   p = 1/2: mf_sqrtm;
 *   p = +-1/q (2 <= q <= 8) and a well-conditioned A (positive definite
 *   Hermitian part): the coupled Newton iteration of powm_iter.c, GEMMs
 *   only, whenever its checks pass;
 *   otherwise the Schur-Pade algorithm of Higham & Lin (HL11, HL13; see
 *   logm_iss.c) on the real Schur form when the result is real, the complex
 *   one otherwise, X = Z T^p Z^H.
 */
#include "mfcomplex.h"
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <cblas.h>

#include "funcs/hermitian.h"
#include "funcs/logm_iss.h"
#include "funcs/powm_iter.h"
#include "internal.h"

typedef double _Complex zdouble;

/* |p| beyond this is refused (binary powering counts bits in 64 bits). */
#define POWM_MAX_INTEGER 0x1p62

static bool all_finite(int32_t dt, int64_t n, const double *a) {
    const int64_t len = (dt == MF_C128 ? 2 : 1) * n * n;
    for (int64_t k = 0; k < len; k++)
        if (!isfinite(a[k]))
            return false;
    return true;
}

static mf_status overflow(const char *fn, double p) {
    return mf__fail(MF_EOVERFLOW, fn, "A^%.17g has an entry beyond the double range", p);
}

/* Identity or a copy of A into X (in place allowed). */
static mf_status write_identity(const char *fn, const mf_matrix *A, mf_matrix *X) {
    const int64_t n = A->rows;
    double *id = mf__alloc_array(n * n, mf__elem_size(X->dtype));
    if (id == NULL)
        return mf__fail(MF_ENOMEM, fn, "cannot allocate workspace (n = %lld)", (long long)n);
    memset(id, 0, (size_t)(n * n) * mf__elem_size(X->dtype));
    for (int64_t k = 0; k < n; k++)
        id[(X->dtype == MF_C128 ? 2 : 1) * (k + k * n)] = 1.0;
    mf__unpack(id, n, X->dtype, X);
    mf__free(id);
    return MF_OK;
}

static mf_status write_copy(const char *fn, const mf_matrix *A, mf_matrix *X) {
    double *a = mf__packed_copy(A, A->dtype);
    if (a == NULL)
        return mf__fail(MF_ENOMEM, fn, "cannot allocate workspace (n = %lld)", (long long)A->rows);
    mf__unpack(a, A->rows, A->dtype, X);
    mf__free(a);
    return MF_OK;
}

static mf_status write_zero(const char *fn, const mf_matrix *A, mf_matrix *X) {
    const int64_t n = A->rows;
    double *z = mf__alloc_array(n * n, mf__elem_size(X->dtype));
    if (z == NULL)
        return mf__fail(MF_ENOMEM, fn, "cannot allocate workspace (n = %lld)", (long long)n);
    memset(z, 0, (size_t)(n * n) * mf__elem_size(X->dtype));
    mf__unpack(z, n, X->dtype, X);
    mf__free(z);
    return MF_OK;
}

/* p = 1/2 is mf_sqrtm (recursive blocked Schur square root; it also takes
 * singular matrices whose zero eigenvalues are semisimple). Its failures
 * are reported under our name. */
static mf_status powm_sqrt(const char *fn, const mf_matrix *A, mf_matrix *X) {
    const mf_status st = mf_sqrtm(A, X);
    if (st == MF_OK)
        return st;
    char detail[256];
    snprintf(detail, sizeof detail, "%s", mf_last_error());
    return mf__fail(st, fn, "p = 1/2 through %s", detail);
}

/* ------------------------------------------------------------------ */
/* integer powers                                                      */
/* ------------------------------------------------------------------ */

static void gemm(int32_t dt, int64_t n, const double *a, const double *b, double *c) {
    const int ni = (int)n;
    if (dt == MF_C128) {
        const zdouble one = 1.0, zero = 0.0;
        cblas_zgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, ni, ni, ni, &one, a, ni, b, ni,
                    &zero, c, ni);
    } else {
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, ni, ni, ni, 1.0, a, ni, b, ni, 0.0,
                    c, ni);
    }
}

/*
 * A^k by binary powering: floor(log2 k) squarings and popcount(k) - 1
 * products (A^7: 4 GEMMs). Negative k on A^-1 = mf_inv(A) (LU with partial
 * pivoting; exactly singular A is MF_ESINGULAR there).
 */
static mf_status powm_integer(const char *fn, const mf_matrix *A, double p, mf_matrix *X) {
    const int64_t n = A->rows;
    const int32_t dt = A->dtype;
    const size_t bytes = (size_t)(n * n) * mf__elem_size(dt);
    double *base = mf__alloc_array(n * n, mf__elem_size(dt));
    double *acc = mf__alloc_array(n * n, mf__elem_size(dt));
    double *tmp = mf__alloc_array(n * n, mf__elem_size(dt));
    mf_status st = MF_OK;
    if (base == NULL || acc == NULL || tmp == NULL) {
        st = mf__fail(MF_ENOMEM, fn, "cannot allocate workspace (n = %lld)", (long long)n);
        goto done;
    }
    if (p < 0) {
        mf_matrix bv;
        mf_view_colmajor(&bv, base, n, n, n, dt);
        if ((st = mf_inv(A, &bv)) != MF_OK) {
            char detail[256];
            snprintf(detail, sizeof detail, "%s", mf_last_error());
            st = mf__fail(st, fn, "A^%.17g needs A^-1: %s", p, detail);
            goto done;
        }
    } else {
        mf__pack(A, base, n, dt);
    }
    uint64_t k = (uint64_t)fabs(p);
    bool have = false;
    while (k > 0) {
        if (k & 1u) {
            if (have) {
                gemm(dt, n, acc, base, tmp);
                memcpy(acc, tmp, bytes);
            } else {
                memcpy(acc, base, bytes);
                have = true;
            }
        }
        k >>= 1;
        if (k > 0) {
            gemm(dt, n, base, base, tmp);
            memcpy(base, tmp, bytes);
            if (!all_finite(dt, n, base)) {
                st = overflow(fn, p);
                goto done;
            }
        }
    }
    if (!all_finite(dt, n, acc)) {
        st = overflow(fn, p);
        goto done;
    }
    mf__unpack(acc, n, dt, X);
done:
    mf__free(tmp);
    mf__free(acc);
    mf__free(base);
    return st;
}

/* ------------------------------------------------------------------ */
/* Hermitian input                                                     */
/* ------------------------------------------------------------------ */

/*
 * A^p = V_+ diag(w^p) V_+^H + e^(i pi p) V_- diag(|w|^p) V_-^H, each term
 * one ?syrk/?herk on columns scaled by |w|^(p/2). Eigenvalues within
 * n u max|w| of zero are zero: their contribution is 0 for p > 0 and
 * p < 0 is MF_ESINGULAR.
 */
static mf_status powm_hermitian(const char *fn, const mf_matrix *A, double p, mf_matrix *X) {
    const int64_t n = A->rows;
    const int32_t dt = A->dtype;
    double *v = NULL, *w = NULL, *work = NULL, *h = NULL, *hn = NULL, *out = NULL;
    mf_status st = mf__hermitian_eig(fn, A, &v, &w);
    if (st != MF_OK)
        return st;
    const double wmax = fmax(fabs(w[0]), fabs(w[n - 1])), tol = (double)n * MF_U64 * wmax;
    int64_t neg = 0, zero = 0;
    for (int64_t k = 0; k < n; k++) {
        if (fabs(w[k]) <= tol)
            zero++;
        else if (w[k] < 0.0)
            neg++;
    }
    if (zero > 0 && p < 0) {
        st = mf__fail(MF_ESINGULAR, fn, "A is Hermitian and singular to working precision "
                      "(eigenvalue within %.3g of 0): A^%.17g does not exist", tol, p);
        goto done;
    }
    if (neg > 0 && X->dtype == MF_F64) {
        st = mf__fail(MF_ENOTREAL, fn, "A is symmetric with the eigenvalue %.17g on the negative "
                      "real axis, so A^%.17g is not real; ask for a complex (MF_C128) result",
                      w[0], p);
        goto done;
    }
    work = mf__alloc_array(n * n, mf__elem_size(dt));
    h = mf__alloc_array(n * n, mf__elem_size(dt));
    if (neg > 0) {
        hn = mf__alloc_array(n * n, mf__elem_size(dt));
        out = mf__alloc_array(n * n, 2 * sizeof(double));
    }
    if (work == NULL || h == NULL || (neg > 0 && (hn == NULL || out == NULL))) {
        st = mf__fail(MF_ENOMEM, fn, "cannot allocate workspace (n = %lld)", (long long)n);
        goto done;
    }
    for (int64_t k = 0; k < n; k++)
        w[k] = pow(fabs(w[k]), 0.5 * p); /* scale of column k */
    mf__iss_gram(dt, n, v, neg + zero, n, w, work, h);
    if (!all_finite(dt, n, h)) {
        st = overflow(fn, p);
        goto done;
    }
    if (neg == 0) {
        mf__unpack(h, n, dt, X);
        goto done;
    }
    mf__iss_gram(dt, n, v, 0, neg, w, work, hn);
    const double c = cos(MF__PI * p), s = sin(MF__PI * p);
    for (int64_t k = 0; k < n * n; k++) {
        const zdouble hk = dt == MF_C128 ? CMPLX(h[2 * k], h[2 * k + 1]) : h[k];
        const zdouble nk = dt == MF_C128 ? CMPLX(hn[2 * k], hn[2 * k + 1]) : hn[k];
        const zdouble x = hk + CMPLX(c, s) * nk;
        out[2 * k] = creal(x);
        out[2 * k + 1] = cimag(x);
    }
    if (!all_finite(MF_C128, n, out)) {
        st = overflow(fn, p);
        goto done;
    }
    mf__unpack(out, n, MF_C128, X);
done:
    mf__free(out);
    mf__free(hn);
    mf__free(h);
    mf__free(work);
    mf__free(w);
    mf__free(v);
    return st;
}

/* ------------------------------------------------------------------ */
/* Schur-Pade                                                          */
/* ------------------------------------------------------------------ */

static bool is_zero_matrix(const mf_matrix *A) {
    const double *d = A->data;
    const int64_t parts = A->dtype == MF_C128 ? 2 : 1;
    for (int64_t j = 0; j < A->cols; j++)
        for (int64_t i = 0; i < A->rows; i++)
            for (int64_t c = 0; c < parts; c++)
                if (d[parts * (i * A->rs + j * A->cs) + c] != 0.0)
                    return false;
    return true;
}

static mf_status pow_tri_fn(const char *fn, int32_t dt, int64_t n, const double *t0, double *out,
                            const void *ctx) {
    return mf__powm_tri(fn, dt, n, t0, *(const double *)ctx, out);
}

/* Schur factors for A^p: singular A is MF_ESINGULAR for p < 0 and
 * MF_EDOMAIN for other non-integer p (the square roots of the inverse
 * scaling never approach I); integer p needs neither roots nor positive
 * eigenvalues. */
static mf_status power_schur(const char *fn, const mf_matrix *A, double p, int32_t out_dt,
                             mf__iss_schur *f) {
    const bool integer = p == floor(p);
    const mf_status zero_st = p < 0 ? MF_ESINGULAR : integer ? MF_OK : MF_EDOMAIN;
    const char *zero_msg = p < 0 ? "negative powers do not exist"
                                 : "fractional powers of singular matrices are not computed "
                                   "(inverse scaling and squaring needs nonzero eigenvalues)";
    return mf__iss_schur_compute(fn, A, out_dt, false, integer, zero_st, zero_msg, "power", f);
}

static mf_status powm_schur(const char *fn, const mf_matrix *A, double p, mf_matrix *X) {
    const int64_t n = A->rows;
    mf__iss_schur f;
    mf_status st = power_schur(fn, A, p, X->dtype, &f);
    if (st != MF_OK)
        return st;
    double *u = mf__alloc_array(n * n, mf__elem_size(f.dt));
    double *w = mf__alloc_array(n * n, mf__elem_size(f.dt));
    if (u == NULL || w == NULL)
        st = mf__fail(MF_ENOMEM, fn, "cannot allocate workspace (n = %lld)", (long long)n);
    if (st == MF_OK)
        st = mf__powm_tri(fn, f.dt, n, f.t, p, u);
    if (st == MF_OK && !all_finite(f.dt, n, u))
        st = overflow(fn, p);
    if (st == MF_OK) {
        mf__iss_back_transform(f.dt, n, f.z, u, w, f.t); /* T is no longer needed */
        if (!all_finite(f.dt, n, f.t))
            st = overflow(fn, p);
        else
            mf__unpack(f.t, n, f.dt, X);
    }
    mf__free(w);
    mf__free(u);
    mf__iss_schur_free(&f);
    return st;
}

mf_status mf_powm(const mf_matrix *A, double p, mf_matrix *X) {
    static const char fn[] = "mf_powm";
    mf_status st = mf__check_unary_args(fn, A, "X", X);
    if (st == MF_OK && !isfinite(p))
        st = mf__fail(MF_EINVAL, fn, "the exponent p = %g is not finite", p);
    if (st == MF_OK && fabs(p) > POWM_MAX_INTEGER)
        st = mf__fail(MF_EDOMAIN, fn, "|p| = %g exceeds 2^62", p);
    if (st != MF_OK || A->rows == 0)
        return st;
    if (p == 0.0)
        return write_identity(fn, A, X);
    if (p == 1.0)
        return write_copy(fn, A, X);
    if (p == floor(p))
        return powm_integer(fn, A, p, X);
    if (mf__is_hermitian(A))
        return powm_hermitian(fn, A, p, X);
    if (p == 0.5)
        return powm_sqrt(fn, A, X);
    if (p > 0 && is_zero_matrix(A))
        return write_zero(fn, A, X);
    /* Hook: p = +-1/q first tries the GEMM-rich iteration; when it declines
     * A or a check fails, nothing has been written and the Schur route runs. */
    bool done = false;
    if ((st = mf__powm_iterative(fn, A, p, X, &done)) != MF_OK || done)
        return st;
    return powm_schur(fn, A, p, X);
}

/* ------------------------------------------------------------------ */
/* condition number                                                    */
/* ------------------------------------------------------------------ */

mf_status mf_powm_cond(const mf_matrix *A, double p, double *cond) {
    static const char fn[] = "mf_powm_cond";
    mf_status st = mf__check_input(fn, "A", A);
    if (st == MF_OK)
        st = mf__check_square(fn, "A", A);
    if (st == MF_OK && cond == NULL)
        st = mf__fail(MF_EINVAL, fn, "argument cond is NULL");
    if (st == MF_OK && !isfinite(p))
        st = mf__fail(MF_EINVAL, fn, "the exponent p = %g is not finite", p);
    if (st == MF_OK && fabs(p) > POWM_MAX_INTEGER)
        st = mf__fail(MF_EDOMAIN, fn, "|p| = %g exceeds 2^62", p);
    if (st == MF_OK)
        st = mf__check_lapack_dim(fn, "A", A->rows);
    if (st == MF_OK)
        st = mf__check_finite(fn, "A", A);
    if (st != MF_OK)
        return st;
    if (A->rows == 0 || p == 0.0) { /* A^0 = I does not depend on A */
        *cond = 0.0;
        return MF_OK;
    }
    mf__iss_schur f;
    if ((st = power_schur(fn, A, p, MF_C128, &f)) != MF_OK)
        return st;
    double *a = mf__packed_copy(A, f.dt);
    if (a == NULL)
        st = mf__fail(MF_ENOMEM, fn, "cannot allocate workspace (n = %lld)", (long long)A->rows);
    else
        st = mf__iss_cond(fn, &f, pow_tri_fn, &p, a, cond);
    mf__free(a);
    mf__iss_schur_free(&f);
    return st;
}
