/*
 * f(A ⊗ B) and f(A ⊕ B) for a scalar function f (the mf_scalar_fn of
 * mf_funm), formed or applied to blocks, from the decompositions of the
 * factors instead of the Schur decomposition of the (m p) x (m p) matrix.
 * This file validates the arguments, decomposes each factor (Hermitian:
 * mf_eigh; otherwise its complex Schur form, tested for normality) and
 * picks one of the three routes of kron_funm.h, evaluated in
 * kron_funm_eval.c.
 */
#include <math.h>
#include <string.h>

#include "funcs/hermitian.h"
#include "kron_funm.h"
#include "kron_internal.h"

/*
 * A factor is taken as normal when the strictly upper part of its computed
 * complex Schur form is at rounding level:
 *
 *     ||offdiag(T)||_F <= NORMALITY_TOL_FACTOR n u ||T||_F   (||T||_F = ||A||_F).
 *
 * For a normal A the backward-stable Schur form has offdiag(T) of order
 * u ||A||_F (about 0.1-2.5 n u ||A||_F measured for random orthogonal,
 * skew-symmetric and complex normal matrices of orders 2 to 400, largest
 * at small n); dropping it is then a backward error of at most
 * 10 n u ||A||_F, of the order of the Schur decomposition's own. A truly
 * non-normal factor only takes the slower triangular route.
 */
#define NORMALITY_TOL_FACTOR 10.0

_Thread_local mf__kf_route mf__kf_last_route = MF__KF_EIGEN;

/* ------------------------------------------------------------------ */
/* factor decompositions                                                */
/* ------------------------------------------------------------------ */

static bool schur_form_is_normal(int64_t n, const zdouble *t) {
    double big = 0.0, off2 = 0.0, all2 = 0.0;
    for (int64_t j = 0; j < n; j++)
        for (int64_t i = 0; i <= j; i++)
            big = fmax(big, cabs(t[i + j * n]));
    if (big == 0.0)
        return true;
    for (int64_t j = 0; j < n; j++)
        for (int64_t i = 0; i <= j; i++) {
            const double v = cabs(t[i + j * n]) / big;
            all2 += v * v;
            off2 += i < j ? v * v : 0.0;
        }
    return sqrt(off2) <= NORMALITY_TOL_FACTOR * (double)n * MF_U64 * sqrt(all2);
}

/* Hermitian M = V diag(w) V^H by mf_eigh: real eigenvalues, exactly. */
static mf_status hermitian_factor(const char *fn, const mf_matrix *M, mf__kf_factor *f) {
    const int64_t n = f->n;
    double *v = NULL, *w = NULL;
    mf_status st = mf__hermitian_eig(fn, M, &v, &w);
    if (st != MF_OK)
        return st;
    f->q = mf__alloc_array(n * n, sizeof(zdouble));
    f->t = mf__alloc_array(n * n, sizeof(zdouble));
    if (f->q == NULL || f->t == NULL) {
        st = mf__fail(MF_ENOMEM, fn, "cannot allocate eigenvector workspace (n = %lld)",
                      (long long)n);
    } else {
        for (int64_t k = 0; k < n * n; k++)
            f->q[k] = M->dtype == MF_C128 ? ((const zdouble *)(void *)v)[k] : v[k];
        memset(f->t, 0, (size_t)(n * n) * sizeof(zdouble));
        for (int64_t i = 0; i < n; i++)
            f->t[i * (n + 1)] = w[i];
        f->normal = true;
    }
    mf__free(v);
    mf__free(w);
    return st;
}

/* M = Q T Q^H, complex Schur form (real M through dgees), tested for
 * normality. */
static mf_status schur_factor(const char *fn, const mf_matrix *M, mf__kf_factor *f) {
    mf_status st = mf__funm_complex_schur(fn, M, &f->t, &f->q);
    if (st == MF_OK)
        f->normal = schur_form_is_normal(f->n, f->t);
    return st;
}

/* The factor's decomposition into f (freed by factor_free, also after a
 * failure). */
static mf_status decompose(const char *fn, const mf_matrix *M, mf__kf_factor *f) {
    *f = (mf__kf_factor){M->rows, NULL, NULL, false};
    return mf__is_hermitian(M) ? hermitian_factor(fn, M, f) : schur_factor(fn, M, f);
}

static void factor_free(mf__kf_factor *f) {
    mf__free(f->q);
    mf__free(f->t);
}

/* Both normal: EIGEN. One normal: BLOCKS with it outside (swapped when it
 * is B). Neither: SCHUR. */
static mf__kf_plan make_plan(const char *fn, mf_scalar_fn f, void *ctx, mf__kf_op op,
                             const mf__kf_factor *a, const mf__kf_factor *b) {
    mf__kf_plan pl = {{fn, f, ctx},
                      op,
                      MF__KF_SCHUR,
                      a,
                      b,
                      false,
                      op == MF__KF_PRODUCT ? "f(A ⊗ B)" : "f(A ⊕ B)"};
    if (a->normal && b->normal) {
        pl.route = MF__KF_EIGEN;
    } else if (a->normal) {
        pl.route = MF__KF_BLOCKS;
    } else if (b->normal) {
        pl.route = MF__KF_BLOCKS;
        pl.outer = b;
        pl.inner = a;
        pl.swapped = true;
    }
    return pl;
}

/* ------------------------------------------------------------------ */
/* validation                                                           */
/* ------------------------------------------------------------------ */

static mf_status check_factors_and_f(const char *fn, const mf_matrix *A, const mf_matrix *B,
                                     mf_scalar_fn f, int64_t *order) {
    mf_status st = kron__check_square_factors(fn, A, B);
    if (st == MF_OK && f == NULL)
        st = mf__fail(MF_EINVAL, fn, "argument f (the scalar function) is NULL");
    if (st == MF_OK)
        st = kron__shape_product(fn, "the order m p of the operator", A->rows, B->rows, order);
    return st;
}

static mf_status check_formed_args(const char *fn, const mf_matrix *A, const mf_matrix *B,
                                   mf_scalar_fn f, mf_matrix *F) {
    int64_t order = 0, count = 0;
    mf_status st = check_factors_and_f(fn, A, B, f, &order);
    if (st == MF_OK)
        st = mf__check_output(fn, "F", F, order, order);
    /* the blocks of f(K) are computed as one array indexed by BLAS */
    if (st == MF_OK)
        st = kron__shape_product(fn, "the element count of F", order, order, &count);
    if (st == MF_OK)
        st = mf__check_lapack_dim(fn, "F (its element count (m p)^2)", count);
    const mf_matrix *ins[] = {A, B};
    if (st == MF_OK)
        st = kron__check_out_dtype(fn, ins, 2, "F", F);
    if (st == MF_OK) {
        const mf__arg outs[] = {{"F", F}}, in_args[] = {{"A", A}, {"B", B}};
        st = mf__check_aliasing(fn, outs, 1, in_args, 2);
    }
    if (st == MF_OK)
        st = kron__check_finite_factors(fn, A, B);
    return st;
}

/* X is p x (m r): r >= 0 blocks of B's order x A's order. */
static mf_status check_block_shape(const char *fn, const mf_matrix *A, const mf_matrix *B,
                                   const mf_matrix *X) {
    const int64_t m = A->rows, p = B->rows;
    if (X->rows == p && (m == 0 ? X->cols == 0 : X->cols % m == 0))
        return MF_OK;
    return mf__fail(MF_EDIM, fn,
                    "X is %lld x %lld; with A %lld x %lld and B %lld x %lld it must "
                    "be %lld x (%lld r): r blocks of B's order x A's order",
                    (long long)X->rows, (long long)X->cols, (long long)m, (long long)m,
                    (long long)p, (long long)p, (long long)p, (long long)m);
}

static mf_status check_applied_args(const char *fn, const mf_matrix *A, const mf_matrix *B,
                                    mf_scalar_fn f, const mf_matrix *X, mf_matrix *Y) {
    int64_t order = 0;
    mf_status st = check_factors_and_f(fn, A, B, f, &order);
    if (st == MF_OK)
        st = mf__check_input(fn, "X", X);
    if (st == MF_OK)
        st = check_block_shape(fn, A, B, X);
    if (st == MF_OK)
        st = mf__check_lapack_dim(fn, "m p (the operator's order)", order);
    if (st == MF_OK)
        st = mf__check_lapack_dim(fn, "X", X->cols);
    if (st == MF_OK)
        st = kron__check_applied_output(fn, A, B, X, Y, X->rows, X->cols);
    return st;
}

/* ------------------------------------------------------------------ */
/* drivers                                                              */
/* ------------------------------------------------------------------ */

/* Decompose both factors and evaluate the chosen route: F = f(K) formed
 * into out when X is NULL, else out = f(K) applied to X's blocks. */
static mf_status evaluate(const char *fn, mf__kf_op op, const mf_matrix *A, const mf_matrix *B,
                          mf_scalar_fn f, void *ctx, const mf_matrix *X, mf_matrix *out) {
    mf__kf_factor a, b = {0};
    mf_status st = decompose(fn, A, &a);
    if (st == MF_OK)
        st = decompose(fn, B, &b);
    if (st == MF_OK) {
        const mf__kf_plan pl = make_plan(fn, f, ctx, op, &a, &b);
        mf__kf_last_route = pl.route;
        st = X == NULL ? mf__kf_formed(&pl, out) : mf__kf_applied(&pl, X, out);
    }
    factor_free(&a);
    factor_free(&b);
    return st;
}

static mf_status formed(const char *fn, mf__kf_op op, const mf_matrix *A, const mf_matrix *B,
                        mf_scalar_fn f, void *ctx, mf_matrix *F) {
    mf_status st = check_formed_args(fn, A, B, f, F);
    if (st != MF_OK || mf__is_empty(F))
        return st;
    return evaluate(fn, op, A, B, f, ctx, NULL, F);
}

static mf_status applied(const char *fn, mf__kf_op op, const mf_matrix *A, const mf_matrix *B,
                         mf_scalar_fn f, void *ctx, const mf_matrix *X, mf_matrix *Y) {
    mf_status st = check_applied_args(fn, A, B, f, X, Y);
    if (st != MF_OK || mf__is_empty(Y))
        return st;
    return evaluate(fn, op, A, B, f, ctx, X, Y);
}

mf_status mf_kron_funm(const mf_matrix *A, const mf_matrix *B, mf_scalar_fn f, void *ctx,
                       mf_matrix *F) {
    return formed("mf_kron_funm", MF__KF_PRODUCT, A, B, f, ctx, F);
}

mf_status mf_kronsum_funm(const mf_matrix *A, const mf_matrix *B, mf_scalar_fn f, void *ctx,
                          mf_matrix *F) {
    return formed("mf_kronsum_funm", MF__KF_SUM, A, B, f, ctx, F);
}

mf_status mf_kron_funm_matmul(const mf_matrix *A, const mf_matrix *B, mf_scalar_fn f, void *ctx,
                              const mf_matrix *X, mf_matrix *Y) {
    return applied("mf_kron_funm_matmul", MF__KF_PRODUCT, A, B, f, ctx, X, Y);
}

mf_status mf_kronsum_funm_matmul(const mf_matrix *A, const mf_matrix *B, mf_scalar_fn f, void *ctx,
                                 const mf_matrix *X, mf_matrix *Y) {
    return applied("mf_kronsum_funm_matmul", MF__KF_SUM, A, B, f, ctx, X, Y);
}
