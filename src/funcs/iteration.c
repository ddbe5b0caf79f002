/*
 * Dense building blocks of the GEMM-rich iterations (see iteration.h).
 *
 * Inversion is ?getrf + ?getri: measured (2 threads, SkylakeX kernels, best
 * of 5-10) at 3.9 GEMM-equivalents for n = 512 and 2.8 for n = 1024,
 * against 6.0 and 3.7 for ?getrf + ?getrs with the identity as right-hand
 * side.
 */
#include "mfcomplex.h"
#include <math.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>

#include "funcs/iteration.h"

typedef double _Complex zdouble;

void mf__inverter_free(mf__inverter *inv) {
    mf__free(inv->ipiv);
    mf__free(inv->work);
    inv->ipiv = NULL;
    inv->work = NULL;
}

mf_status mf__inverter_init(const char *fn, int32_t dt, int64_t n, mf__inverter *inv) {
    memset(inv, 0, sizeof *inv);
    inv->dt = dt;
    inv->n = (int)n;
    const bool cplx = dt == MF_C128;
    double q[2] = {0.0, 0.0}, dummy[2] = {0.0, 0.0};
    int info = cplx ? LAPACKE_zgetri_work(LAPACK_COL_MAJOR, inv->n, (lapack_complex_double *)dummy,
                                          inv->n, NULL, (lapack_complex_double *)q, -1)
                    : LAPACKE_dgetri_work(LAPACK_COL_MAJOR, inv->n, dummy, inv->n, NULL, q, -1);
    mf_status st = mf__lapack_info(fn, cplx ? "zgetri" : "dgetri", info);
    if (st != MF_OK)
        return st;
    const int64_t lwork = mf__lwork_from_query(q[0]);
    inv->lwork = (int)(lwork > n ? lwork : n);
    inv->ipiv = mf__alloc_array(n, sizeof(int));
    inv->work = mf__alloc_array(inv->lwork, mf__elem_size(dt));
    if (inv->ipiv == NULL || inv->work == NULL) {
        mf__inverter_free(inv);
        return mf__fail(MF_ENOMEM, fn, "cannot allocate inversion workspace (n = %lld)",
                        (long long)n);
    }
    return MF_OK;
}

mf_status mf__invert(const char *fn, mf__inverter *inv, const double *x, double *y,
                     double *log_abs_det, bool *singular) {
    const int n = inv->n;
    const bool cplx = inv->dt == MF_C128;
    memcpy(y, x, (size_t)n * (size_t)n * mf__elem_size(inv->dt));
    int info = cplx ? LAPACKE_zgetrf_work(LAPACK_COL_MAJOR, n, n, (lapack_complex_double *)y, n,
                                          inv->ipiv)
                    : LAPACKE_dgetrf_work(LAPACK_COL_MAJOR, n, n, y, n, inv->ipiv);
    mf_status st = mf__lapack_info(fn, cplx ? "zgetrf" : "dgetrf", info);
    *singular = st == MF_OK && info > 0;
    if (st != MF_OK || *singular)
        return st;
    double sum = 0.0;
    for (int64_t i = 0; i < n; i++)
        sum += cplx ? log(cabs(((const zdouble *)y)[i + i * n])) : log(fabs(y[i + i * n]));
    *log_abs_det = sum;
    info = cplx ? LAPACKE_zgetri_work(LAPACK_COL_MAJOR, n, (lapack_complex_double *)y, n,
                                      inv->ipiv, (lapack_complex_double *)inv->work, inv->lwork)
                : LAPACKE_dgetri_work(LAPACK_COL_MAJOR, n, y, n, inv->ipiv, inv->work, inv->lwork);
    return mf__lapack_info(fn, cplx ? "zgetri" : "dgetri", info);
}

void mf__iter_gemm(int32_t dt, int64_t n, double alpha, const double *a, const double *b,
                   double beta, double *c) {
    const int ni = (int)n;
    if (dt == MF_C128) {
        const zdouble za = alpha, zb = beta;
        cblas_zgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, ni, ni, ni, &za, a, ni, b, ni, &zb,
                    c, ni);
    } else {
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, ni, ni, ni, alpha, a, ni, b, ni,
                    beta, c, ni);
    }
}

double mf__iter_norm1(int32_t dt, int64_t n, const double *a) {
    double best = 0.0;
    for (int64_t j = 0; j < n; j++) {
        double sum = 0.0;
        if (dt == MF_C128)
            for (int64_t i = 0; i < n; i++)
                sum += cabs(((const zdouble *)a)[i + j * n]);
        else
            for (int64_t i = 0; i < n; i++)
                sum += fabs(a[i + j * n]);
        best = sum > best ? sum : best;
    }
    return best;
}

double mf__iter_norm_fro(int32_t dt, int64_t n, const double *a) {
    const int64_t col = (dt == MF_C128 ? 2 : 1) * n;
    double r = 0.0;
    for (int64_t j = 0; j < n; j++)
        r = hypot(r, cblas_dnrm2((int)col, a + j * col, 1));
    return r;
}

void mf__iter_axpy(int32_t dt, int64_t n, double alpha, const double *x, double *y) {
    const int64_t col = (dt == MF_C128 ? 2 : 1) * n;
    for (int64_t j = 0; j < n; j++)
        cblas_daxpy((int)col, alpha, x + j * col, 1, y + j * col, 1);
}

void mf__iter_scale_shift(int32_t dt, int64_t n, double s, double t, double *a) {
    const int64_t parts = dt == MF_C128 ? 2 : 1;
    if (s != 1.0)
        for (int64_t k = 0; k < parts * n * n; k++)
            a[k] *= s;
    for (int64_t i = 0; i < n; i++)
        a[parts * (i + i * n)] += t;
}

bool mf__iter_finite(int32_t dt, int64_t n, const double *a) {
    const int64_t len = (dt == MF_C128 ? 2 : 1) * n * n;
    for (int64_t k = 0; k < len; k++)
        if (!isfinite(a[k]))
            return false;
    return true;
}
