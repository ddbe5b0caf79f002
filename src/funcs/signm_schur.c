/*
 * The Schur method for the matrix sign function (Higham, Functions of
 * Matrices, 2008, section 5.2), mf_signm's route when the Newton iteration
 * would be less accurate (signm.c).
 *
 * A = Z T Z^H (?gees, real Schur form for real A), reordered with ?trsen so
 * that the k eigenvalues in the open left half-plane come first:
 *     T = [T11 T12; 0 T22],   sign(T) = [-I X; 0 I],
 * where T sign(T) = sign(T) T gives the Sylvester equation
 *     T11 X - X T22 = -2 T12   (?trsyl3),
 * and S = Z sign(T) Z^H = (Z2 + Z1 X) Z2^H - Z1 Z1^H with Z = [Z1 Z2]: two
 * GEMMs. The result is backward stable, accurate to about cond(sign, A) u,
 * the standard the Newton route is held to.
 *
 * Domain (MF_EDOMAIN): an eigenvalue of T within n u ||A||_1 of the
 * imaginary axis; eigenvalues on opposite sides too close to be separated
 * (?trsen refuses the swap, or ?trsyl3 perturbs the equation); and
 * ||S||_1^2 >= 1 / (n u): the condition number of sign at A is then at
 * least about ||S||^2 (Higham 2008, section 5.1), so a perturbation of
 * relative size n u can change the answer completely; A is within roundoff
 * of a matrix where sign is not defined (a Jordan block at i y, or a
 * nearly singular A with eigenvalues +-1 such as [[1, 1e8], [0, -1]]).
 */
#include "mfcomplex.h"
#include <math.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>

#include "decomp/schur.h"
#include "funcs/iteration.h"
#include "funcs/signm.h"

typedef struct schur_sign {
    const char *fn;
    int32_t dt;
    int64_t n, k; /* k eigenvalues in the left half-plane, first after reordering */
    double *t, *z;
} schur_sign;

static size_t elem(const schur_sign *f) { return mf__elem_size(f->dt); }

/* Pointer to element (i, j) of an n x n workspace. */
static double *at(const schur_sign *f, double *m, int64_t i, int64_t j) {
    return m + (f->dt == MF_C128 ? 2 : 1) * (i + j * f->n);
}

/* Real parts of T's eigenvalues: the diagonal (a standardized real 2 x 2
 * block has equal diagonal entries, the real part of its pair). Marks the
 * left half-plane ones; MF_EDOMAIN for one within tol of the axis. */
static mf_status select_left(schur_sign *f, double tol, bool *left) {
    f->k = 0;
    for (int64_t i = 0; i < f->n; i++) {
        const double re = *at(f, f->t, i, i);
        if (fabs(re) <= tol)
            return mf__fail(MF_EDOMAIN, f->fn, "A has an eigenvalue with real part %.3g, on or "
                            "within roundoff (%.3g) of the imaginary axis: sign(A) is not defined",
                            re, tol);
        left[i] = re < 0.0;
        f->k += left[i];
    }
    return MF_OK;
}

/* T11 X - X T22 = -2 T12 in place in the T12 block of t. */
static mf_status solve_coupling(schur_sign *f) {
    const int64_t n = f->n, k = f->k;
    const int mi = (int)k, ni = (int)(n - k), ld = (int)n;
    double *t11 = f->t, *t22 = at(f, f->t, k, k), *x = at(f, f->t, 0, k);
    for (int64_t j = 0; j < n - k; j++)
        for (int64_t i = 0; i < k; i++) {
            double *e = at(f, x, i, j);
            e[0] *= -2.0;
            if (f->dt == MF_C128)
                e[1] *= -2.0;
        }
    const bool cplx = f->dt == MF_C128;
    double query[2] = {0.0, 0.0}, scale = 1.0;
    lapack_int iq = 1;
    int info = cplx ? LAPACKE_ztrsyl3_work(LAPACK_COL_MAJOR, 'N', 'N', -1, mi, ni,
                                           (lapack_complex_double *)t11, ld,
                                           (lapack_complex_double *)t22, ld,
                                           (lapack_complex_double *)x, ld, &scale, query, -1)
                    : LAPACKE_dtrsyl3_work(LAPACK_COL_MAJOR, 'N', 'N', -1, mi, ni, t11, ld, t22,
                                           ld, x, ld, &scale, &iq, -1, query, -1);
    mf_status st = mf__lapack_info(f->fn, cplx ? "ztrsyl3" : "dtrsyl3", info);
    if (st != MF_OK)
        return st;
    const lapack_int liwork = iq > 1 ? iq : 1, ldswork = query[0] > 2.0 ? (lapack_int)query[0] : 2;
    const int64_t cols = query[1] > 1.0 ? (int64_t)query[1] : 1;
    lapack_int *iwork = mf__alloc_array(liwork, sizeof(lapack_int));
    double *swork = mf__alloc_array((int64_t)ldswork * cols, sizeof(double));
    if (iwork == NULL || swork == NULL) {
        st = mf__fail(MF_ENOMEM, f->fn, "cannot allocate Sylvester workspace (n = %lld)",
                      (long long)n);
    } else {
        info = cplx ? LAPACKE_ztrsyl3_work(LAPACK_COL_MAJOR, 'N', 'N', -1, mi, ni,
                                           (lapack_complex_double *)t11, ld,
                                           (lapack_complex_double *)t22, ld,
                                           (lapack_complex_double *)x, ld, &scale, swork, ldswork)
                    : LAPACKE_dtrsyl3_work(LAPACK_COL_MAJOR, 'N', 'N', -1, mi, ni, t11, ld, t22,
                                           ld, x, ld, &scale, iwork, liwork, swork, ldswork);
        st = mf__lapack_info(f->fn, cplx ? "ztrsyl3" : "dtrsyl3", info);
        if (st == MF_OK && (info == 1 || !(scale > 0.0)))
            st = mf__fail(MF_EDOMAIN, f->fn, "eigenvalues of A on opposite sides of the "
                          "imaginary axis are too close to separate: sign(A) is not defined to "
                          "working precision");
    }
    mf__free(swork);
    mf__free(iwork);
    for (int64_t j = 0; st == MF_OK && scale != 1.0 && j < n - k; j++)
        for (int64_t i = 0; i < (cplx ? 2 : 1) * k; i++)
            x[i + (cplx ? 2 : 1) * j * n] /= scale;
    return st;
}

/* s = (Z2 + Z1 X) Z2^H - Z1 Z1^H (n x n); t is scratch afterwards. */
static void assemble(schur_sign *f, double *s) {
    const int64_t n = f->n, k = f->k;
    const int ni = (int)n, ki = (int)k, ri = (int)(n - k);
    double *z1 = f->z, *z2 = at(f, f->z, 0, k), *x = at(f, f->t, 0, k);
    /* W = Z2 + Z1 X in the first n - k columns of s */
    double *w = s;
    memcpy(w, z2, (size_t)(n * (n - k)) * elem(f));
    double *out = f->t; /* T is no longer needed once W holds Z1 X */
    if (f->dt == MF_C128) {
        const mf__zdouble one = 1.0, zero = 0.0, minus = -1.0;
        if (k > 0 && k < n)
            cblas_zgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, ni, ri, ki, &one, z1, ni, x,
                        ni, &one, w, ni);
        cblas_zgemm(CblasColMajor, CblasNoTrans, CblasConjTrans, ni, ni, ri, &one, w, ni, z2, ni,
                    &zero, out, ni);
        if (k > 0)
            cblas_zgemm(CblasColMajor, CblasNoTrans, CblasConjTrans, ni, ni, ki, &minus, z1, ni,
                        z1, ni, &one, out, ni);
    } else {
        if (k > 0 && k < n)
            cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, ni, ri, ki, 1.0, z1, ni, x, ni,
                        1.0, w, ni);
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, ni, ni, ri, 1.0, w, ni, z2, ni, 0.0,
                    out, ni);
        if (k > 0)
            cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, ni, ni, ki, -1.0, z1, ni, z1, ni,
                        1.0, out, ni);
    }
    memcpy(s, out, (size_t)(n * n) * elem(f));
}

mf_status mf__signm_schur(const char *fn, const mf_matrix *A, double *s) {
    const int64_t n = A->rows;
    schur_sign f = {fn, A->dtype, n, 0, mf__packed_copy(A, A->dtype),
                    mf__alloc_array(n * n, mf__elem_size(A->dtype))};
    bool *left = mf__alloc_array(n, sizeof(bool));
    mf_status st = MF_OK;
    if (f.t == NULL || f.z == NULL || left == NULL) {
        st = mf__fail(MF_ENOMEM, fn, "cannot allocate Schur workspace (n = %lld)", (long long)n);
        goto done;
    }
    const double tol = (double)n * MF_U64 * mf__iter_norm1(f.dt, n, f.t);
    if ((st = mf__schur_factor(fn, f.dt, n, f.t, n, f.z, n)) != MF_OK)
        goto done;
    if ((st = select_left(&f, tol, left)) != MF_OK)
        goto done;
    st = mf__schur_reorder(fn, f.dt, n, f.t, n, f.z, n, left, NULL);
    if (st == MF_ENOCONV)
        st = mf__fail(MF_EDOMAIN, fn, "eigenvalues of A on opposite sides of the imaginary axis "
                      "are too close to separate (a Schur reordering swap failed): sign(A) is not "
                      "defined to working precision");
    if (st != MF_OK)
        goto done;
    if (f.k > 0 && f.k < n && (st = solve_coupling(&f)) != MF_OK)
        goto done;
    assemble(&f, s);
    const double snorm = mf__iter_norm1(f.dt, n, s);
    if (!(snorm * snorm * (double)n * MF_U64 < 1.0))
        st = mf__fail(MF_EDOMAIN, fn, "||sign(A)||_1 = %.3g: sign(A) is so ill-conditioned that "
                      "it is not defined to working precision (A is within roundoff of a matrix "
                      "with an eigenvalue on the imaginary axis)", snorm);
done:
    mf__free(left);
    mf__free(f.z);
    mf__free(f.t);
    return st;
}
