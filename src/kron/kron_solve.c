/*
 * Kronecker-structured solves.
 *
 * mf_kron_solve: (A ⊗ B) vec(X) = vec(C) <=> B X A^T = C, so
 * X = B^-1 C A^-T from LU factorizations of the two factors; the
 * condition number of A ⊗ B is the product of theirs (1-norm, exactly:
 * ||A ⊗ B||_1 = ||A||_1 ||B||_1 and (A ⊗ B)^-1 = A^-1 ⊗ B^-1).
 *
 * mf_kronsum_solve: (A ⊕ B) vec(X) = vec(C) <=> B X + X A^T = C, a
 * Sylvester equation handed to the Bartels-Stewart worker of sylvester.c.
 */
#include <float.h>

#include <lapacke.h>

#include "kron_internal.h"
#include "sylvester_internal.h"

typedef struct lu_factor {
    double *a;
    int *ipiv;
    int n;
    int zero_pivot; /* ?getrf info > 0: first exactly zero pivot, 1-based */
    double anorm;   /* ||factor||_1 before factoring */
} lu_factor;

static void lu_release(lu_factor *f) {
    mf__free(f->a);
    mf__free(f->ipiv);
    f->a = NULL;
    f->ipiv = NULL;
}

static mf_status lu_factorize(const char *fn, const char *arg, const mf_matrix *M, int32_t dt,
                              lu_factor *f) {
    f->n = (int)M->rows;
    f->zero_pivot = 0;
    f->anorm = 0.0;
    f->a = mf__packed_copy(M, dt);
    f->ipiv = mf__alloc_array(f->n > 0 ? f->n : 1, sizeof(int));
    if (f->a == NULL || f->ipiv == NULL) {
        lu_release(f);
        return mf__fail(MF_ENOMEM, fn, "cannot allocate the LU factors of %s (%d x %d)", arg, f->n,
                        f->n);
    }
    if (f->n == 0)
        return MF_OK;
    const int ld = f->n;
    int info;
    if (dt == MF_C128) {
        f->anorm = LAPACKE_zlange_work(LAPACK_COL_MAJOR, '1', f->n, f->n,
                                       (lapack_complex_double *)f->a, ld, NULL);
        info = LAPACKE_zgetrf_work(LAPACK_COL_MAJOR, f->n, f->n, (lapack_complex_double *)f->a, ld,
                                   f->ipiv);
    } else {
        f->anorm = LAPACKE_dlange_work(LAPACK_COL_MAJOR, '1', f->n, f->n, f->a, ld, NULL);
        info = LAPACKE_dgetrf_work(LAPACK_COL_MAJOR, f->n, f->n, f->a, ld, f->ipiv);
    }
    mf_status st = mf__lapack_info(fn, dt == MF_C128 ? "zgetrf" : "dgetrf", info);
    if (st != MF_OK) {
        lu_release(f);
        return st;
    }
    f->zero_pivot = info;
    return MF_OK;
}

/* Reciprocal 1-norm condition estimate of a factored, pivot-nonzero matrix. */
static mf_status lu_rcond(const char *fn, const lu_factor *f, int32_t dt, double *rcond) {
    *rcond = 1.0;
    if (f->n == 0)
        return MF_OK;
    const int n = f->n;
    double *work = mf__alloc_array(4 * (int64_t)n, sizeof(double));
    double *rwork = mf__alloc_array(2 * (int64_t)n, sizeof(double));
    int *iwork = mf__alloc_array(n, sizeof(int));
    mf_status st;
    if (work == NULL || rwork == NULL || iwork == NULL) {
        st = mf__fail(MF_ENOMEM, fn, "cannot allocate condition estimate workspace (n = %d)", n);
    } else {
        int info = dt == MF_C128
            ? LAPACKE_zgecon_work(LAPACK_COL_MAJOR, '1', n, (const lapack_complex_double *)f->a, n,
                                  f->anorm, rcond, (lapack_complex_double *)work, rwork)
            : LAPACKE_dgecon_work(LAPACK_COL_MAJOR, '1', n, f->a, n, f->anorm, rcond, work, iwork);
        st = mf__lapack_info(fn, dt == MF_C128 ? "zgecon" : "dgecon", info);
    }
    mf__free(work);
    mf__free(rwork);
    mf__free(iwork);
    return st;
}

/* The mf_solve rule applied to A ⊗ B: an exactly zero pivot in a factor, or
 * rcond(A) rcond(B) = 1 / kappa_1(A ⊗ B) below the machine epsilon. */
static mf_status require_nonsingular(const char *fn, const lu_factor *fa, const lu_factor *fb,
                                     int32_t dt) {
    const lu_factor *f[2] = {fa, fb};
    const char *names[2] = {"A", "B"};
    for (int i = 0; i < 2; i++)
        if (f[i]->zero_pivot > 0)
            return mf__fail(MF_ESINGULAR, fn, "factor %s is exactly singular: U(%d,%d) = 0 in its "
                            "LU factors", names[i], f[i]->zero_pivot - 1, f[i]->zero_pivot - 1);
    double ra = 1.0, rb = 1.0;
    mf_status st = lu_rcond(fn, fa, dt, &ra);
    if (st == MF_OK)
        st = lu_rcond(fn, fb, dt, &rb);
    if (st != MF_OK)
        return st;
    if (ra * rb < DBL_EPSILON)
        return mf__fail(MF_ESINGULAR, fn, "A ⊗ B is singular to working precision: reciprocal "
                        "1-norm condition estimates %.3g (A) * %.3g (B) = %.3g < %.3g", ra, rb,
                        ra * rb, DBL_EPSILON);
    return MF_OK;
}

/* b <- M^-1 b for an n x nrhs column-major block (ld n). */
static mf_status lu_solve(const char *fn, const lu_factor *f, int32_t dt, double *b, int nrhs) {
    if (f->n == 0 || nrhs == 0)
        return MF_OK;
    int info = dt == MF_C128
        ? LAPACKE_zgetrs_work(LAPACK_COL_MAJOR, 'N', f->n, nrhs, (const lapack_complex_double *)f->a,
                              f->n, f->ipiv, (lapack_complex_double *)b, f->n)
        : LAPACKE_dgetrs_work(LAPACK_COL_MAJOR, 'N', f->n, nrhs, f->a, f->n, f->ipiv, b, f->n);
    return mf__lapack_info(fn, dt == MF_C128 ? "zgetrs" : "dgetrs", info);
}

/* X = B^-1 C A^-T: Z = B^-1 C (p x m), then W = A^-1 Z^T (m x p) and X = W^T,
 * the transposes done by packing through transposed views. */
static mf_status kron_solve_factored(const char *fn, const lu_factor *fa, const lu_factor *fb,
                                     int32_t dt, const mf_matrix *C, mf_matrix *X) {
    const int m = fa->n, p = fb->n;
    double *z = mf__packed_copy(C, dt);
    double *w = mf__alloc_array((int64_t)m * p > 0 ? (int64_t)m * p : 1, mf__elem_size(dt));
    mf_status st = MF_OK;
    if (z == NULL || w == NULL)
        st = mf__fail(MF_ENOMEM, fn, "cannot allocate two %d x %d right-hand side blocks", p, m);
    if (st == MF_OK)
        st = lu_solve(fn, fb, dt, z, m);
    if (st == MF_OK) {
        const mf_matrix zt = {z, m, p, p, 1, dt, 0};
        mf__pack(&zt, w, m > 1 ? m : 1, dt);
        st = lu_solve(fn, fa, dt, w, p);
    }
    if (st == MF_OK) {
        /* Well-conditioned factors can still have inverses beyond the double
         * range (subnormal factors): X is checked here, in w = X^T, before
         * anything is written. */
        const mf_matrix xw = {w, p, m, m > 1 ? m : 1, 1, dt, 0};
        st = mf__check_result_finite(fn, "the solution X = B^-1 C A^-T", &xw);
    }
    if (st == MF_OK) {
        mf_matrix xt = {X->data, m, p, X->cs, X->rs, X->dtype, 0};
        mf__unpack(w, m > 1 ? m : 1, dt, &xt);
    }
    mf__free(z);
    mf__free(w);
    return st;
}

mf_status mf_kron_solve(const mf_matrix *A, const mf_matrix *B, const mf_matrix *C, mf_matrix *X) {
    static const char fn[] = "mf_kron_solve";
    mf_status st = mf__check_coupled_solve_args(fn, A, B, C, X, true); /* C: B order x A order */
    if (st != MF_OK)
        return st;
    const mf_matrix *ins[] = {A, B, C};
    const int32_t dt = kron__arithmetic(ins, 3);
    lu_factor fa = {NULL, NULL, 0, 0, 0.0}, fb = {NULL, NULL, 0, 0, 0.0};
    st = lu_factorize(fn, "A", A, dt, &fa);
    if (st == MF_OK)
        st = lu_factorize(fn, "B", B, dt, &fb);
    if (st == MF_OK)
        st = require_nonsingular(fn, &fa, &fb, dt);
    if (st == MF_OK)
        st = kron_solve_factored(fn, &fa, &fb, dt, C, X);
    lu_release(&fa);
    lu_release(&fb);
    return st;
}

mf_status mf_kronsum_solve(const mf_matrix *A, const mf_matrix *B, const mf_matrix *C,
                           mf_matrix *X) {
    static const char fn[] = "mf_kronsum_solve";
    mf_status st = mf__check_coupled_solve_args(fn, A, B, C, X, true); /* C: B order x A order */
    if (st != MF_OK)
        return st;
    /* B X + X A^T = C: a Sylvester equation with A^T as a view */
    const mf_matrix At = {A->data, A->cols, A->rows, A->cs, A->rs, A->dtype, 0};
    return mf__sylvester_solve(fn, "B and -A", B, &At, C, X);
}
