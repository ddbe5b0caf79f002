/*
 * mf_funm: f(A) for a user scalar function f by the blocked Schur-Parlett
 * algorithm (Davies & Higham, SIAM J. Matrix Anal. Appl. 25(2), 2003;
 * DH03, Algorithm 5.1):
 *
 *   1. A = Z T Z^H, complex triangular T. A real A is factored by dgees
 *      and its 2 x 2 blocks triangularized (schur.h): about half the cost
 *      of zgees on the complex copy.
 *   2. Cluster the eigenvalues with delta = 0.1 and reorder T, Z so each
 *      cluster is a contiguous atomic block (schur.h, DH03 section 4).
 *   3. f(T) by Taylor series on the atomic blocks and the block Parlett
 *      recurrence (funm_triangular.c).
 *   4. F = Z f(T) Z^H.
 *
 * Clustering is done on the complex form, not the real one, so a complex
 * pair lambda, conj(lambda) far apart lands in two atomic blocks: a Taylor
 * series about their (real) mean could diverge (log, sqrt with a pair
 * +-i y). The cost is complex arithmetic for a real result; F64 outputs
 * take the real part after checking the imaginary part is rounding error.
 */
#include "mfcomplex.h"
#include <math.h>
#include <string.h>

#include <cblas.h>

#include "decomp/schur.h"
#include "funm_internal.h"

typedef mf__zdouble zdouble;

_Thread_local mf__funm_timing *mf__funm_timing_sink = NULL;

static mf_status check_funm_args(const char *fn, const mf_matrix *A, mf_scalar_fn f,
                                 const mf_matrix *F) {
    mf_status st = mf__check_input(fn, "A", A);
    if (st == MF_OK)
        st = mf__check_square(fn, "A", A);
    if (st == MF_OK && f == NULL)
        st = mf__fail(MF_EINVAL, fn, "argument f (the scalar function) is NULL");
    if (st == MF_OK)
        st = mf__check_unary_output(fn, A, "F", F);
    return st;
}

mf_status mf__funm_complex_schur(const char *fn, const mf_matrix *A, zdouble **t, zdouble **z) {
    const int64_t n = A->rows;
    *t = *z = NULL;
    if (A->dtype == MF_C128) {
        *t = (zdouble *)mf__packed_copy(A, MF_C128);
        *z = mf__alloc_array(n * n, sizeof(zdouble));
        if (*t == NULL || *z == NULL)
            return mf__fail(MF_ENOMEM, fn, "cannot allocate Schur workspace (n = %lld)",
                            (long long)n);
        return mf__schur_factor(fn, MF_C128, n, (double *)*t, n, (double *)*z, n);
    }
    double *tr = mf__packed_copy(A, MF_F64);
    double *zr = mf__alloc_array(n * n, sizeof(double));
    mf_status st = MF_OK;
    if (tr == NULL || zr == NULL) {
        st = mf__fail(MF_ENOMEM, fn, "cannot allocate Schur workspace (n = %lld)", (long long)n);
        goto done;
    }
    if ((st = mf__schur_factor(fn, MF_F64, n, tr, n, zr, n)) != MF_OK)
        goto done;
    *t = mf__alloc_array(n * n, sizeof(zdouble));
    *z = mf__alloc_array(n * n, sizeof(zdouble));
    if (*t == NULL || *z == NULL) {
        st = mf__fail(MF_ENOMEM, fn, "cannot allocate Schur workspace (n = %lld)", (long long)n);
        goto done;
    }
    mf__schur_real_to_complex(n, tr, n, zr, n, (double *)*t, n, (double *)*z, n);
done:
    mf__free(tr);
    mf__free(zr);
    return st;
}

/* Atomic blocks from the current order of T, without reordering: the
 * smallest contiguous blocks such that every pair of eigenvalues within
 * delta shares a block. Used when ?trsen refused a swap (possible only for
 * real 2 x 2 blocks, so not expected on a complex form) and left T
 * partially reordered: blocks may then be larger than the clusters. */
static int64_t contiguous_blocks(int64_t n, const zdouble *t, double delta, int64_t *starts,
                                 int64_t *reach) {
    for (int64_t i = 0; i < n; i++) {
        reach[i] = i;
        for (int64_t j = n - 1; j > i; j--)
            if (cabs(t[i * (n + 1)] - t[j * (n + 1)]) <= delta) {
                reach[i] = j;
                break;
            }
    }
    int64_t nb = 0;
    starts[0] = 0;
    for (int64_t lo = 0; lo < n;) {
        int64_t end = reach[lo];
        for (int64_t k = lo; k <= end; k++)
            end = reach[k] > end ? reach[k] : end;
        starts[++nb] = end + 1;
        lo = end + 1;
    }
    return nb;
}

static mf_status cluster(const char *fn, int64_t n, zdouble *t, zdouble *z, int64_t *starts,
                         int64_t *nb) {
    mf_status st = mf__schur_cluster(fn, MF_C128, n, (double *)t, n, (double *)z, n,
                                     MF_SCHUR_DELTA, starts, nb);
    if (st != MF_ENOCONV)
        return st;
    int64_t *reach = mf__alloc_array(n, sizeof(int64_t));
    if (reach == NULL)
        return mf__fail(MF_ENOMEM, fn, "cannot allocate blocking workspace (n = %lld)",
                        (long long)n);
    *nb = contiguous_blocks(n, t, MF_SCHUR_DELTA, starts, reach);
    mf__free(reach);
    return MF_OK;
}

void mf__funm_back_transform(int64_t n, const zdouble *z, const zdouble *f, zdouble *w,
                             zdouble *g) {
    const zdouble one = 1.0, zero = 0.0;
    memcpy(w, z, (size_t)(n * n) * sizeof(zdouble));
    cblas_ztrmm(CblasColMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit, (int)n,
                (int)n, &one, f, (int)n, w, (int)n);
    cblas_zgemm(CblasColMajor, CblasNoTrans, CblasConjTrans, (int)n, (int)n, (int)n, &one, w,
                (int)n, z, (int)n, &zero, g, (int)n);
}

mf_status mf__funm_check_result(const char *fn, const char *what, int64_t n, const zdouble *g,
                                bool want_real) {
    double re2 = 0.0, im2 = 0.0;
    for (int64_t k = 0; k < n * n; k++) {
        if (!isfinite(creal(g[k])) || !isfinite(cimag(g[k])))
            return mf__fail(MF_EOVERFLOW, fn, "%s is not finite: it overflows double "
                            "precision (n = %lld)", what, (long long)n);
        re2 += creal(g[k]) * creal(g[k]);
        im2 += cimag(g[k]) * cimag(g[k]);
    }
    if (want_real && sqrt(im2) > MF_FUNM_REAL_TOL * sqrt(re2 + im2))
        return mf__fail(MF_ENOTREAL, fn, "%s is not real: ||Im F||_F / ||F||_F = %.3g exceeds "
                        "2^-26; use a C128 output for the complex result", what,
                        sqrt(im2) / sqrt(re2 + im2));
    return MF_OK;
}

mf_status mf__funm_schur_parlett(const mf__funm_callback *cb, int64_t n, zdouble *t, zdouble *z,
                                 zdouble *ft, mf__funm_timing *tm) {
    const double t0 = mf__funm_now();
    int64_t nb = 0, *starts = mf__alloc_array(n + 1, sizeof(int64_t));
    if (starts == NULL)
        return mf__fail(MF_ENOMEM, cb->fn, "cannot allocate blocking workspace (n = %lld)",
                        (long long)n);
    mf_status st = cluster(cb->fn, n, t, z, starts, &nb);
    tm->reorder = mf__funm_now() - t0;
    if (st == MF_OK)
        st = mf__funm_triangular(cb, n, t, ft, n, starts, nb, &tm->atomic, &tm->parlett);
    mf__free(starts);
    return st;
}

mf_status mf_funm(const mf_matrix *A, mf_scalar_fn f, void *ctx, mf_matrix *F) {
    static const char fn[] = "mf_funm";
    mf_status st = check_funm_args(fn, A, f, F);
    if (st != MF_OK || A->rows == 0)
        return st;
    const int64_t n = A->rows;
    const mf__funm_callback cb = {fn, f, ctx};
    mf__funm_timing tm = {0};
    zdouble *t = NULL, *z = NULL, *fz = NULL;

    double t0 = mf__funm_now();
    if ((st = mf__funm_complex_schur(fn, A, &t, &z)) != MF_OK)
        goto done;
    tm.schur = mf__funm_now() - t0;

    fz = mf__alloc_array(n * n, sizeof(zdouble));
    if (fz == NULL) {
        st = mf__fail(MF_ENOMEM, fn, "cannot allocate f(T) (n = %lld)", (long long)n);
        goto done;
    }
    if ((st = mf__funm_schur_parlett(&cb, n, t, z, fz, &tm)) != MF_OK)
        goto done;

    t0 = mf__funm_now();
    mf__funm_back_transform(n, z, fz, t, fz); /* T is no longer needed: its space holds Z f(T) */
    tm.back = mf__funm_now() - t0;
    if ((st = mf__funm_check_result(fn, "f(A)", n, fz, F->dtype == MF_F64)) != MF_OK)
        goto done;
    mf__unpack((const double *)fz, n, MF_C128, F);
    if (mf__funm_timing_sink != NULL)
        *mf__funm_timing_sink = tm;
done:
    mf__free(t);
    mf__free(z);
    mf__free(fz);
    return st;
}
