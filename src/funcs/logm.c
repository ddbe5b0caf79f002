/*
 * Matrix logarithm mf_logm, and the driver pieces shared with mf_powm and
 * the Frechet/condition code (Schur factors, Hermitian path, validation).
 *
 * General A: A = Z T Z^H; real Schur form and real arithmetic for F64 A
 * whose eigenvalues avoid the closed negative real axis (AHR13), complex
 * Schur form otherwise (AH12 Alg. 4.1); log T by inverse scaling and
 * squaring (logm_iss.c); L = Z log(T) Z^H.
 * Exactly Hermitian A: A = V diag(w) V^H from mf_eigh, L = V diag(log w) V^H
 * (dsyevd costs about 9 GEMMs at n = 1024 against 46 for dgees, and the
 * result is exactly Hermitian).
 */
#include "mfcomplex.h"
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include <cblas.h>

#include "decomp/schur.h"
#include "funcs/hermitian.h"
#include "funcs/logm_iss.h"
#include "internal.h"

typedef double _Complex zdouble;

/* ------------------------------------------------------------------ */
/* Schur factors                                                       */
/* ------------------------------------------------------------------ */

void mf__iss_schur_free(mf__iss_schur *f) {
    mf__free(f->t);
    mf__free(f->z);
    f->t = f->z = NULL;
}

/* Row of the first 1 x 1 block of t that is negative (sign < 0) or zero
 * (sign == 0), or -1; complex forms: an exactly zero diagonal entry. */
static int64_t find_eigenvalue(int32_t dt, int64_t n, const double *t, int sign) {
    for (int64_t k = 0; k < n; k++) {
        if (dt == MF_C128) {
            if (sign == 0 && t[2 * (k + k * n)] == 0.0 && t[2 * (k + k * n) + 1] == 0.0)
                return k;
            continue;
        }
        if (mf__iss_block_at(dt, n, t, k)) {
            k++;
            continue;
        }
        if (sign == 0 ? t[k + k * n] == 0.0 : t[k + k * n] < 0.0)
            return k;
    }
    return -1;
}

mf_status mf__iss_schur_compute(const char *fn, const mf_matrix *A, int32_t out_dt,
                                bool want_complex, bool negatives_ok, mf_status zero_status,
                                const char *zero_msg, const char *what, mf__iss_schur *f) {
    const int64_t n = A->rows;
    f->n = n;
    f->dt = A->dtype;
    f->t = mf__packed_copy(A, A->dtype);
    f->z = mf__alloc_array(n * n, mf__elem_size(A->dtype));
    mf_status st = MF_OK;
    if (f->t == NULL || f->z == NULL)
        st = mf__fail(MF_ENOMEM, fn, "cannot allocate Schur workspace (n = %lld)", (long long)n);
    if (st == MF_OK)
        st = mf__schur_factor(fn, f->dt, n, f->t, n, f->z, n);
    int64_t k;
    if (st == MF_OK && zero_status != MF_OK && (k = find_eigenvalue(f->dt, n, f->t, 0)) >= 0)
        st = mf__fail(zero_status, fn, "A is singular (zero eigenvalue at row %lld of its Schur "
                      "form): %s", (long long)k, zero_msg);
    if (st == MF_OK && f->dt == MF_F64 && !negatives_ok &&
        (k = find_eigenvalue(f->dt, n, f->t, -1)) >= 0) {
        if (out_dt == MF_F64)
            st = mf__fail(MF_ENOTREAL, fn,
                          "A has the eigenvalue %.17g (row %lld of its Schur form) on the "
                          "negative real axis, so its principal %s is not real; ask for a "
                          "complex (MF_C128) result",
                          f->t[k + k * n], (long long)k, what);
        else
            want_complex = true;
    }
    if (st == MF_OK && f->dt == MF_F64 && want_complex)
        st = mf__schur_make_complex(fn, n, &f->t, &f->z, &f->dt);
    if (st != MF_OK)
        mf__iss_schur_free(f);
    return st;
}

/* ------------------------------------------------------------------ */
/* Hermitian input                                                     */
/* ------------------------------------------------------------------ */


void mf__iss_gram(int32_t dt, int64_t n, const double *v, int64_t j0, int64_t j1,
                  const double *d, double *work, double *out) {
    const int ni = (int)n, k = (int)(j1 - j0);
    const int64_t parts = dt == MF_C128 ? 2 : 1;
    for (int64_t j = j0; j < j1; j++)
        for (int64_t i = 0; i < parts * n; i++)
            work[parts * (j - j0) * n + i] = d[j] * v[parts * j * n + i];
    if (dt == MF_C128)
        cblas_zherk(CblasColMajor, CblasLower, CblasNoTrans, ni, k, 1.0, work, ni, 0.0, out, ni);
    else
        cblas_dsyrk(CblasColMajor, CblasLower, CblasNoTrans, ni, k, 1.0, work, ni, 0.0, out, ni);
    mf__mirror_lower(dt, n, out);
}

/*
 * log A = V diag(log |w|) V^H + i pi V_- V_-^H, V_- the eigenvectors of the
 * negative eigenvalues (log(-x) = log x + i pi, the tie-break of the
 * complex code). The first term by one GEMM on V diag(log |w|), made
 * exactly Hermitian; the second by one ?syrk/?herk.
 */
static mf_status logm_hermitian(const char *fn, const mf_matrix *A, mf_matrix *L) {
    const int64_t n = A->rows;
    const int32_t dt = A->dtype;
    const int64_t parts = dt == MF_C128 ? 2 : 1;
    double *v = NULL, *w = NULL, *work = NULL, *h1 = NULL, *h2 = NULL, *out = NULL;
    mf_status st = mf__hermitian_eig(fn, A, &v, &w);
    if (st != MF_OK)
        return st;
    const double wmax = fmax(fabs(w[0]), fabs(w[n - 1]));
    int64_t neg = 0;
    for (int64_t k = 0; k < n; k++) {
        /* eigenvalues are computed with absolute error about u ||A||_2 */
        if (fabs(w[k]) <= (double)n * MF_U64 * wmax) {
            st = mf__fail(MF_EDOMAIN, fn, "A is Hermitian and singular to working precision "
                          "(eigenvalue %.3g, largest %.3g): its logarithm does not exist",
                          w[k], wmax);
            goto done;
        }
        neg += w[k] < 0.0;
    }
    if (neg > 0 && L->dtype == MF_F64) {
        st = mf__fail(MF_ENOTREAL, fn, "A is symmetric with the eigenvalue %.17g on the negative "
                      "real axis, so its principal logarithm is not real; ask for a complex "
                      "(MF_C128) result", w[0]);
        goto done;
    }
    work = mf__alloc_array(n * n, mf__elem_size(dt));
    h1 = mf__alloc_array(n * n, mf__elem_size(dt));
    if (neg > 0) {
        h2 = mf__alloc_array(n * n, mf__elem_size(dt));
        out = mf__alloc_array(n * n, 2 * sizeof(double));
    }
    if (work == NULL || h1 == NULL || (neg > 0 && (h2 == NULL || out == NULL))) {
        st = mf__fail(MF_ENOMEM, fn, "cannot allocate workspace (n = %lld)", (long long)n);
        goto done;
    }
    for (int64_t j = 0; j < n; j++) {
        const double f = log(fabs(w[j]));
        for (int64_t i = 0; i < parts * n; i++)
            work[parts * j * n + i] = f * v[parts * j * n + i];
    }
    const int ni = (int)n;
    if (dt == MF_C128) {
        const zdouble one = 1.0, zero = 0.0;
        cblas_zgemm(CblasColMajor, CblasNoTrans, CblasConjTrans, ni, ni, ni, &one, work, ni, v, ni,
                    &zero, h1, ni);
    } else {
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, ni, ni, ni, 1.0, work, ni, v, ni, 0.0,
                    h1, ni);
    }
    mf__mirror_lower(dt, n, h1);
    if (neg == 0) {
        mf__unpack(h1, n, dt, L);
        goto done;
    }
    for (int64_t j = 0; j < neg; j++)
        w[j] = 1.0; /* scale factors of V_- (w is no longer needed) */
    mf__iss_gram(dt, n, v, 0, neg, w, work, h2);
    for (int64_t k = 0; k < n * n; k++) {
        if (dt == MF_C128) { /* h1 + i pi h2 */
            out[2 * k] = h1[2 * k] - MF__PI * h2[2 * k + 1];
            out[2 * k + 1] = h1[2 * k + 1] + MF__PI * h2[2 * k];
        } else {
            out[2 * k] = h1[k];
            out[2 * k + 1] = MF__PI * h2[k];
        }
    }
    mf__unpack(out, n, MF_C128, L);
done:
    mf__free(out);
    mf__free(h2);
    mf__free(h1);
    mf__free(work);
    mf__free(w);
    mf__free(v);
    return st;
}

/* ------------------------------------------------------------------ */
/* validation                                                          */
/* ------------------------------------------------------------------ */

/* ------------------------------------------------------------------ */
/* mf_logm                                                             */
/* ------------------------------------------------------------------ */

mf_status mf_logm(const mf_matrix *A, mf_matrix *L) {
    static const char fn[] = "mf_logm";
    mf_status st = mf__check_unary_args(fn, A, "L", L);
    if (st != MF_OK || A->rows == 0)
        return st;
    if (mf__is_hermitian(A))
        return logm_hermitian(fn, A, L);
    const int64_t n = A->rows;
    mf__iss_schur f;
    st = mf__iss_schur_compute(fn, A, L->dtype, false, false, MF_EDOMAIN,
                               "its logarithm does not exist", "logarithm", &f);
    if (st != MF_OK)
        return st;
    double *l = mf__alloc_array(n * n, mf__elem_size(f.dt));
    double *w = mf__alloc_array(n * n, mf__elem_size(f.dt));
    if (l == NULL || w == NULL)
        st = mf__fail(MF_ENOMEM, fn, "cannot allocate workspace (n = %lld)", (long long)n);
    if (st == MF_OK)
        st = mf__logm_tri(fn, f.dt, n, f.t, l);
    if (st == MF_OK) {
        mf__iss_back_transform(f.dt, n, f.z, l, w, f.t); /* T is no longer needed */
        mf__unpack(f.t, n, f.dt, L);
    }
    mf__free(w);
    mf__free(l);
    mf__iss_schur_free(&f);
    return st;
}
