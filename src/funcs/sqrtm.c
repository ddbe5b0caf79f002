/*
 * Matrix square root: mf_sqrtm, its Frechet derivative mf_sqrtm_frechet and
 * condition number mf_sqrtm_cond.
 *
 * General A: Schur method. A = Z T Z^H (real Schur form for F64 A unless
 * the result must be complex), U = sqrt(T) by the recursive blocked kernels
 * of sqrtm_real.c / sqrtm_complex.c (Deadman, Higham & Ralha 2013; Higham
 * 1987 for the real form), S = Z U Z^H.
 * Hermitian A (exactly, entry by entry): A = V diag(w) V^H from mf_eigh and
 * S = V diag(sqrt(w)) V^H, which is both cheaper (dsyevd about 9 GEMMs at
 * n = 1024 against 46 for dgees) and exactly Hermitian. Eigenvalues in
 * [-n u max|w|, 0) are rounding noise of a semidefinite matrix and are
 * taken as 0; below that the root is not real.
 */
#include "mfcomplex.h"
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <cblas.h>

#include "decomp/schur.h"
#include "funcs/logm_iss.h"
#include "funcs/sqrtm_iter.h"
#include "funcs/sqrtm_tri.h"
#include "funcs/trsylv.h"
#include "funcs/hermitian.h"
#include "internal.h"

typedef double _Complex zdouble;

/* ------------------------------------------------------------------ */
/* Schur factors with the square root of T                             */
/* ------------------------------------------------------------------ */

/* A = Z T Z^H and U = sqrt(T), in arithmetic dt (n x n, ld n). */
typedef struct sqrt_schur {
    int64_t n;
    int32_t dt;
    double *u, *z;
} sqrt_schur;

static void sqrt_schur_free(sqrt_schur *f) {
    mf__free(f->u);
    mf__free(f->z);
    f->u = f->z = NULL;
}

static bool has_negative_real_eigenvalue(int64_t n, const double *t) {
    for (int64_t k = 0; k < n; k++) {
        if (k + 1 < n && t[(k + 1) + k * n] != 0.0) {
            k++;
            continue;
        }
        if (t[k + k * n] < 0.0)
            return true;
    }
    return false;
}

/*
 * Schur factorization of A and the principal square root of T. The
 * arithmetic is real when A is F64, unless the result dtype out_dt is C128
 * and either A has a negative real eigenvalue (then the real kernel would
 * refuse) or complex arithmetic is wanted anyway (a complex direction E).
 */
static mf_status sqrt_schur_compute(const char *fn, const mf_matrix *A, int32_t out_dt,
                                    bool want_complex, sqrt_schur *f) {
    const int64_t n = A->rows;
    f->n = n;
    f->dt = A->dtype;
    f->u = mf__packed_copy(A, A->dtype);
    f->z = mf__alloc_array(n * n, mf__elem_size(A->dtype));
    mf_status st = MF_OK;
    if (f->u == NULL || f->z == NULL)
        st = mf__fail(MF_ENOMEM, fn, "cannot allocate Schur workspace (n = %lld)", (long long)n);
    if (st == MF_OK)
        st = mf__schur_factor(fn, f->dt, n, f->u, n, f->z, n);
    if (st == MF_OK && f->dt == MF_F64 && out_dt == MF_C128 &&
        (want_complex || has_negative_real_eigenvalue(n, f->u)))
        st = mf__schur_make_complex(fn, n, &f->u, &f->z, &f->dt);
    if (st == MF_OK)
        st = f->dt == MF_F64 ? mf__sqrtm_quasitri(fn, n, f->u, n) : mf__sqrtm_tri(fn, n, f->u, n);
    if (st != MF_OK)
        sqrt_schur_free(f);
    return st;
}

/* ------------------------------------------------------------------ */
/* Hermitian input                                                     */
/* ------------------------------------------------------------------ */


/* Semidefinite: S = (V D^(1/4)) (V D^(1/4))^H by one rank-n update (half a
 * GEMM), exactly Hermitian. v is overwritten. */
static void psd_root(int32_t dt, int64_t n, const double *w, double *v, double *s) {
    const int ni = (int)n;
    for (int64_t k = 0; k < n; k++) {
        const double d = sqrt(sqrt(w[k] > 0.0 ? w[k] : 0.0));
        if (dt == MF_C128)
            cblas_zdscal(ni, d, v + 2 * k * n, 1);
        else
            cblas_dscal(ni, d, v + k * n, 1);
    }
    if (dt == MF_C128)
        cblas_zherk(CblasColMajor, CblasLower, CblasNoTrans, ni, ni, 1.0, v, ni, 0.0, s, ni);
    else
        cblas_dsyrk(CblasColMajor, CblasLower, CblasNoTrans, ni, ni, 1.0, v, ni, 0.0, s, ni);
    mf__mirror_lower(dt, n, s);
}

/* Indefinite, complex result: S = V diag(sqrt(w)) V^H with complex V. */
static void indefinite_root(int64_t n, const double *w, const double *vc, double *wv, double *s) {
    memcpy(wv, vc, (size_t)(n * n) * 2 * sizeof(double));
    for (int64_t k = 0; k < n; k++) {
        const zdouble d = w[k] >= 0.0 ? sqrt(w[k]) : CMPLX(0.0, sqrt(-w[k]));
        cblas_zscal((int)n, &d, wv + 2 * k * n, 1);
    }
    const zdouble one = 1.0, zero = 0.0;
    cblas_zgemm(CblasColMajor, CblasNoTrans, CblasConjTrans, (int)n, (int)n, (int)n, &one, wv,
                (int)n, vc, (int)n, &zero, s, (int)n);
}


/* Are all count elements (of dtype dt) of a column-major result finite? */
static bool all_finite_elems(const double *x, int64_t count, int32_t dt) {
    const int64_t len = count * (dt == MF_C128 ? 2 : 1);
    for (int64_t k = 0; k < len; k++)
        if (!isfinite(x[k]))
            return false;
    return true;
}

static mf_status sqrtm_hermitian(const char *fn, const mf_matrix *A, mf_matrix *S) {
    const int64_t n = A->rows;
    double *v = NULL, *w = NULL, *s = NULL, *vc = NULL, *wv = NULL;
    mf_status st = mf__hermitian_eig(fn, A, &v, &w);
    if (st != MF_OK)
        return st;
    const double wmax = fabs(w[0]) > fabs(w[n - 1]) ? fabs(w[0]) : fabs(w[n - 1]);
    const bool indefinite = w[0] < -(double)n * MF_U64 * wmax;
    if (indefinite && S->dtype == MF_F64) {
        st = mf__fail(MF_ENOTREAL, fn,
                      "A is symmetric with the eigenvalue %.17g on the open negative real axis, "
                      "so its principal square root is not real; ask for a complex (MF_C128) "
                      "result", w[0]);
        goto done;
    }
    const int32_t dt = indefinite ? MF_C128 : A->dtype;
    s = mf__alloc_array(n * n, mf__elem_size(dt));
    if (indefinite) {
        vc = A->dtype == MF_F64 ? mf__alloc_array(n * n, 2 * sizeof(double)) : v;
        wv = mf__alloc_array(n * n, 2 * sizeof(double));
    }
    if (s == NULL || (indefinite && (vc == NULL || wv == NULL))) {
        st = mf__fail(MF_ENOMEM, fn, "cannot allocate workspace (n = %lld)", (long long)n);
        goto done;
    }
    if (!indefinite) {
        psd_root(dt, n, w, v, s);
    } else {
        if (vc != v)
            for (int64_t k = 0; k < n * n; k++) {
                vc[2 * k] = v[k];
                vc[2 * k + 1] = 0.0;
            }
        indefinite_root(n, w, vc, wv, s);
    }
    if (!all_finite_elems(s, n * n, dt)) {
        st = mf__fail(MF_EOVERFLOW, fn, "the square root has entries beyond the double range");
        goto done;
    }
    mf__unpack(s, n, dt, S);
done:
    if (vc != v)
        mf__free(vc);
    mf__free(wv);
    mf__free(s);
    mf__free(w);
    mf__free(v);
    return st;
}

/* ------------------------------------------------------------------ */
/* mf_sqrtm                                                            */
/* ------------------------------------------------------------------ */

mf_status mf_sqrtm(const mf_matrix *A, mf_matrix *S) {
    static const char fn[] = "mf_sqrtm";
    mf_status st = mf__check_unary_args(fn, A, "S", S);
    if (st != MF_OK || A->rows == 0)
        return st;
    if (mf__is_hermitian(A))
        return sqrtm_hermitian(fn, A, S);
    /* Hook: a well-conditioned A (large enough, positive definite Hermitian
     * part) first goes to the GEMM-rich iteration of sqrtm_iter.c; when it
     * declines A or its result fails the residual check, nothing has been
     * written and the Schur route below runs. */
    bool done = false;
    if ((st = mf__sqrtm_iterative(fn, A, S, &done)) != MF_OK || done)
        return st;
    const int64_t n = A->rows;
    sqrt_schur f;
    if ((st = sqrt_schur_compute(fn, A, S->dtype, false, &f)) != MF_OK)
        return st;
    double *w = mf__alloc_array(n * n, mf__elem_size(f.dt));
    double *out = mf__alloc_array(n * n, mf__elem_size(f.dt));
    if (w == NULL || out == NULL) {
        st = mf__fail(MF_ENOMEM, fn, "cannot allocate workspace (n = %lld)", (long long)n);
    } else {
        mf__iss_back_transform(f.dt, n, f.z, f.u, w, out);
        /* Entries near the overflow threshold can make the Schur form or the
         * recurrence overflow to Inf or NaN: never report that as success. */
        if (all_finite_elems(out, n * n, f.dt))
            mf__unpack(out, n, f.dt, S);
        else
            st = mf__fail(MF_EOVERFLOW, fn, "the square root has entries beyond the double range");
    }
    mf__free(out);
    mf__free(w);
    sqrt_schur_free(&f);
    return st;
}

/* ------------------------------------------------------------------ */
/* Frechet derivative: S L + L S = E                                   */
/* ------------------------------------------------------------------ */

/*
 * The equations U X + X U = C, and U^H X + X U^H = C for the adjoint, go
 * to the recursive blocked solvers of trsylv.h that the square root itself
 * uses (GEMM updates around a tiled kernel) rather than to LAPACK's
 * ?trsyl3, which spends its time in level-2 ?trsyl calls on small blocks
 * (the solves are 7 to 20 times faster, docs/funcs.md). Those solvers neither
 * scale against overflow nor perturb small divisors, so the two outcomes
 * that ?trsyl3 reported through its scale factor and info = 1 are decided
 * here: a sum of two eigenvalues of U at or below LAPACK's perturbation
 * threshold eps max|u_ij| before the solve (root_spectrum_separated), Inf
 * or NaN in the solution after it.
 */

/* Largest |u_ij| of the (quasi-)triangular U. */
static double max_abs_entry(const sqrt_schur *f) {
    double big = 0.0;
    for (int64_t j = 0; j < f->n; j++)
        for (int64_t i = 0; i <= j + 1 && i < f->n; i++) {
            const double *u = f->u + (f->dt == MF_C128 ? 2 : 1) * (i + j * f->n);
            big = fmax(big, f->dt == MF_C128 ? hypot(u[0], u[1]) : fabs(u[0]));
        }
    return big;
}

/*
 * Is every sum lambda_i + lambda_j of eigenvalues of U (the operator
 * X -> U X + X U has exactly these eigenvalues) above eps max|u_ij|, the
 * size below which ?trsyl perturbs a divisor and reports info = 1? The
 * eigenvalues lie in the closed right half-plane, so a pair whose real
 * parts already add up to more than the threshold needs no modulus.
 * wr, wi: n doubles each of workspace.
 */
static bool root_spectrum_separated(const sqrt_schur *f, double *wr, double *wi) {
    const int64_t n = f->n;
    const double smin = fmax(DBL_EPSILON * max_abs_entry(f), DBL_MIN);
    mf__schur_eigenvalues(f->dt, n, f->u, n, wr, wi);
    for (int64_t j = 0; j < n; j++)
        for (int64_t i = 0; i <= j; i++)
            if (wr[i] + wr[j] <= smin && hypot(wr[i] + wr[j], wi[i] + wi[j]) <= smin)
                return false;
    return true;
}

static mf_status fail_not_differentiable(const char *fn) {
    return mf__fail(MF_ESINGULAR, fn, "A is singular to working precision: its square root "
                    "is not differentiable there");
}

/* c := c^H (n x n, ld n; the transpose for F64). */
static void adjoint_in_place(int32_t dt, int64_t n, double *c) {
    if (dt == MF_F64) {
        for (int64_t j = 0; j < n; j++)
            for (int64_t i = 0; i < j; i++) {
                const double t = c[i + j * n];
                c[i + j * n] = c[j + i * n];
                c[j + i * n] = t;
            }
        return;
    }
    mf__zdouble *z = (mf__zdouble *)(void *)c;
    for (int64_t j = 0; j < n; j++) {
        for (int64_t i = 0; i < j; i++) {
            const mf__zdouble t = z[i + j * n];
            z[i + j * n] = conj(z[j + i * n]);
            z[j + i * n] = conj(t);
        }
        z[j + j * n] = conj(z[j + j * n]);
    }
}

/*
 * Solve U X + X U = C, or with adjoint U^H X + X U^H = C, in place (n x n,
 * ld n). The adjoint equation is the conjugate transpose of U Y + Y U = C^H
 * with Y = X^H, so both use the one upper (quasi-)triangular solver. The
 * solver fails only on a divisor that is zero or whose reciprocal
 * overflows, which root_spectrum_separated has ruled out short of underflow.
 */
static mf_status solve_root_sylvester(const char *fn, const sqrt_schur *f, bool adjoint,
                                      double *c) {
    const int64_t n = f->n;
    if (adjoint)
        adjoint_in_place(f->dt, n, c);
    const bool ok = f->dt == MF_C128 ? mf__trsylv_complex(n, n, f->u, n, f->u, n, c, n)
                                     : mf__trsylv_real(n, n, f->u, n, f->u, n, c, n);
    if (!ok)
        return fail_not_differentiable(fn);
    if (adjoint)
        adjoint_in_place(f->dt, n, c);
    if (!all_finite_elems(c, n * n, f->dt))
        return mf__fail(MF_EOVERFLOW, fn, "the Frechet derivative overflows");
    return MF_OK;
}

/*
 * Is sqrt differentiable at A, to working precision? An exactly zero
 * eigenvalue is MF_EDOMAIN; eigenvalues of U whose sum is at rounding level
 * (U X + X U = C singular to working precision) MF_ESINGULAR.
 */
static mf_status require_differentiable(const char *fn, const sqrt_schur *f) {
    for (int64_t k = 0; k < f->n; k++) {
        const double *d = f->u + (f->dt == MF_C128 ? 2 : 1) * (k + k * f->n);
        if (d[0] == 0.0 && (f->dt == MF_F64 || d[1] == 0.0))
            return mf__fail(MF_EDOMAIN, fn, "A is singular (zero eigenvalue at row %lld of its "
                            "Schur form): the square root is not differentiable there",
                            (long long)k);
    }
    double *wr = mf__alloc_array(f->n, sizeof(double));
    double *wi = mf__alloc_array(f->n, sizeof(double));
    mf_status st = MF_OK;
    if (wr == NULL || wi == NULL)
        st = mf__fail(MF_ENOMEM, fn, "cannot allocate workspace (n = %lld)", (long long)f->n);
    else if (!root_spectrum_separated(f, wr, wi))
        st = fail_not_differentiable(fn);
    mf__free(wr);
    mf__free(wi);
    return st;
}

/* L = Z sylv(Z^H E Z) Z^H in place on e (n x n); w is scratch. */
static mf_status apply_frechet(const char *fn, const sqrt_schur *f, bool adjoint, double *e,
                               double *w) {
    mf__schur_coords(f->dt, f->n, f->z, e, w);
    mf_status st = solve_root_sylvester(fn, f, adjoint, e);
    if (st != MF_OK)
        return st;
    mf__schur_coords_back(f->dt, f->n, f->z, e, w, e);
    return MF_OK;
}

mf_status mf_sqrtm_frechet(const mf_matrix *A, const mf_matrix *E, mf_matrix *S, mf_matrix *L) {
    static const char fn[] = "mf_sqrtm_frechet";
    mf_status st = mf__check_frechet_args(fn, A, E, "S", S, "L", L);
    if (st != MF_OK || A->rows == 0)
        return st;
    const int64_t n = A->rows;
    sqrt_schur f;
    if ((st = sqrt_schur_compute(fn, A, L->dtype, E->dtype == MF_C128, &f)) != MF_OK)
        return st;
    double *e = mf__packed_copy(E, f.dt);
    double *w = mf__alloc_array(n * n, mf__elem_size(f.dt));
    double *s = S != NULL ? mf__alloc_array(n * n, mf__elem_size(f.dt)) : NULL;
    if (e == NULL || w == NULL || (S != NULL && s == NULL)) {
        st = mf__fail(MF_ENOMEM, fn, "cannot allocate workspace (n = %lld)", (long long)n);
        goto done;
    }
    if ((st = require_differentiable(fn, &f)) != MF_OK)
        goto done;
    if ((st = apply_frechet(fn, &f, false, e, w)) != MF_OK)
        goto done;
    if (S != NULL)
        mf__iss_back_transform(f.dt, n, f.z, f.u, w, s);
    /* S and L are both written only now, after everything succeeded. */
    if (S != NULL)
        mf__unpack(s, n, f.dt, S);
    mf__unpack(e, n, f.dt, L);
done:
    mf__free(s);
    mf__free(w);
    mf__free(e);
    sqrt_schur_free(&f);
    return st;
}

/* ------------------------------------------------------------------ */
/* condition number                                                    */
/* ------------------------------------------------------------------ */

typedef struct cond_ctx {
    const sqrt_schur *f;
    double *w;
    mf_status st;     /* first failure inside the callback */
    char detail[256]; /* and its message, which the estimator overwrites */
} cond_ctx;

/* The Kronecker form K of E -> L(A, E) (n^2 x n^2) applied to t columns:
 * each column is vec(E). */
static int apply_kron(int64_t n2, int64_t t, const double *X, double *Y, int adjoint, void *p) {
    cond_ctx *c = p;
    const size_t bytes = (size_t)n2 * mf__elem_size(c->f->dt);
    const int64_t parts = c->f->dt == MF_C128 ? 2 : 1;
    for (int64_t k = 0; k < t; k++) {
        double *y = Y + parts * k * n2;
        memcpy(y, X + parts * k * n2, bytes);
        c->st = apply_frechet("", c->f, adjoint != 0, y, c->w);
        if (c->st != MF_OK) {
            /* mf__fail wrote ": detail" (empty function name); keep the detail */
            snprintf(c->detail, sizeof c->detail, "%s", mf_last_error() + 2);
            return 1;
        }
    }
    return 0;
}

mf_status mf_sqrtm_cond(const mf_matrix *A, double *cond) {
    static const char fn[] = "mf_sqrtm_cond";
    mf_status st = mf__check_cond_args(fn, A, cond);
    if (st != MF_OK)
        return st;
    const int64_t n = A->rows;
    if (n == 0) {
        *cond = 0.0;
        return MF_OK;
    }
    sqrt_schur f;
    /* The condition of the principal root, complex when it is not real. */
    if ((st = sqrt_schur_compute(fn, A, MF_C128, false, &f)) != MF_OK)
        return st;
    double *w = mf__alloc_array(n * n, mf__elem_size(f.dt));
    double *a = mf__packed_copy(A, A->dtype);
    double est = 0.0;
    if (w == NULL || a == NULL) {
        st = mf__fail(MF_ENOMEM, fn, "cannot allocate workspace (n = %lld)", (long long)n);
        goto done;
    }
    if ((st = require_differentiable(fn, &f)) != MF_OK)
        goto done;
    cond_ctx ctx = {&f, w, MF_OK, ""};
    st = mf_normest1_op(n * n, f.dt, apply_kron, &ctx, 2, &est);
    if (st == MF_ECALLBACK && ctx.st != MF_OK)
        st = mf__fail(ctx.st, fn, "%s", ctx.detail); /* the real cause */
    if (st != MF_OK)
        goto done;
    /* ||S||_F = ||U||_F: Z is unitary. */
    *cond = est * mf__iss_norm_fro(A->dtype, n, a) / mf__iss_norm_fro(f.dt, n, f.u);
done:
    mf__free(a);
    mf__free(w);
    sqrt_schur_free(&f);
    return st;
}
