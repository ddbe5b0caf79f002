/*
 * Frechet derivative and condition number of the matrix logarithm
 * (mf_logm_frechet, mf_logm_cond), and the condition-number engine shared
 * with mf_powm_cond.
 *
 * L(A, E) is computed in Schur coordinates: with A = Z T Z^H,
 * L(A, E) = Z L(T, Z^H E Z) Z^H, and L(T, F) is the (1, 2) block of
 * log([[T, F], [0, T]]) (Higham 2008, eq. (3.16)). That 2n x 2n matrix is
 * already (quasi-)triangular, so one derivative costs the triangular phase
 * of mf_logm at size 2n (about 8x its cost at size n) plus four GEMMs, and
 * no second Schur factorization. The inverse scaling and squaring
 * recurrence of AHR13 (their Alg. 5.1, differentiated) would be about
 * twice as fast again; the block form shares all of mf_logm's code and its
 * exact recomputation of diagonal blocks, which is why it was chosen.
 */
#include "mfcomplex.h"
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "decomp/schur.h"
#include "funcs/logm_iss.h"
#include "internal.h"

typedef double _Complex zdouble;

static mf_status log_tri_fn(const char *fn, int32_t dt, int64_t n, const double *t0, double *out,
                            const void *ctx) {
    (void)ctx;
    return mf__logm_tri(fn, dt, n, t0, out);
}

mf_status mf__iss_frechet_full(const char *fn, const mf__iss_schur *f, mf__tri_fn fun,
                               const void *ctx, double *e, double *w, double *d) {
    const int64_t n = f->n;
    mf__schur_coords(f->dt, n, f->z, e, w);
    mf_status st = mf__tri_frechet(fn, f->dt, n, f->t, e, fun, ctx, w, NULL);
    if (st != MF_OK)
        return st;
    mf__schur_coords_back(f->dt, n, f->z, w, e, w);
    memcpy(d, w, (size_t)(n * n) * mf__elem_size(f->dt)); /* d may be e */
    const int64_t len = (f->dt == MF_C128 ? 2 : 1) * n * n;
    for (int64_t k = 0; k < len; k++)
        if (!isfinite(d[k]))
            return mf__fail(MF_EOVERFLOW, fn, "the Frechet derivative overflows");
    return MF_OK;
}

/* ------------------------------------------------------------------ */
/* mf_logm_frechet                                                     */
/* ------------------------------------------------------------------ */

mf_status mf_logm_frechet(const mf_matrix *A, const mf_matrix *E, mf_matrix *L, mf_matrix *D) {
    static const char fn[] = "mf_logm_frechet";
    mf_status st = mf__check_frechet_args(fn, A, E, "L", L, "D", D);
    if (st != MF_OK || A->rows == 0)
        return st;
    const int64_t n = A->rows;
    mf__iss_schur f;
    st = mf__iss_schur_compute(fn, A, D->dtype, E->dtype == MF_C128, false, MF_EDOMAIN,
                               "its logarithm does not exist", "logarithm", &f);
    if (st != MF_OK)
        return st;
    double *e = mf__packed_copy(E, f.dt);
    double *w = mf__alloc_array(n * n, mf__elem_size(f.dt));
    double *l = L != NULL ? mf__alloc_array(n * n, mf__elem_size(f.dt)) : NULL;
    if (e == NULL || w == NULL || (L != NULL && l == NULL)) {
        st = mf__fail(MF_ENOMEM, fn, "cannot allocate workspace (n = %lld)", (long long)n);
        goto done;
    }
    if ((st = mf__iss_frechet_full(fn, &f, log_tri_fn, NULL, e, w, e)) != MF_OK)
        goto done;
    if (L != NULL) {
        if ((st = mf__logm_tri(fn, f.dt, n, f.t, l)) != MF_OK)
            goto done;
        mf__iss_back_transform(f.dt, n, f.z, l, w, f.t);
        mf__unpack(f.t, n, f.dt, L);
    }
    mf__unpack(e, n, f.dt, D); /* both outputs written only after success */
done:
    mf__free(l);
    mf__free(w);
    mf__free(e);
    mf__iss_schur_free(&f);
    return st;
}

/* ------------------------------------------------------------------ */
/* condition number                                                    */
/* ------------------------------------------------------------------ */

typedef struct cond_ctx {
    const mf__iss_schur *f;
    mf__tri_fn fun;
    const void *fctx;
    double *e, *w;
    mf_status st;     /* first failure inside the callback */
    char detail[256]; /* its message (the estimator overwrites the last error) */
} cond_ctx;

/* e := e^H (n x n in place). */
static void conj_transpose(int32_t dt, int64_t n, double *e) {
    for (int64_t j = 0; j < n; j++)
        for (int64_t i = j; i < n; i++) {
            if (dt == MF_C128) {
                zdouble *z = (zdouble *)e;
                const zdouble a = z[i + j * n], b = z[j + i * n];
                z[i + j * n] = conj(b);
                z[j + i * n] = conj(a);
            } else {
                const double a = e[i + j * n];
                e[i + j * n] = e[j + i * n];
                e[j + i * n] = a;
            }
        }
}

/* The Kronecker form of E -> L(A, E) on t columns vec(E); the adjoint is
 * G -> L(A^H, G) = L(A, G^H)^H (f has real Taylor coefficients). */
static int apply_kron(int64_t n2, int64_t t, const double *X, double *Y, int adjoint, void *p) {
    cond_ctx *c = p;
    const int32_t dt = c->f->dt;
    const int64_t n = c->f->n, parts = dt == MF_C128 ? 2 : 1;
    for (int64_t k = 0; k < t; k++) {
        memcpy(c->e, X + parts * k * n2, (size_t)(parts * n2) * sizeof(double));
        if (adjoint)
            conj_transpose(dt, n, c->e);
        c->st = mf__iss_frechet_full("", c->f, c->fun, c->fctx, c->e, c->w, c->e);
        if (c->st != MF_OK) {
            /* mf__fail wrote ": detail" (empty function name); keep the detail */
            snprintf(c->detail, sizeof c->detail, "%s", mf_last_error() + 2);
            return 1;
        }
        if (adjoint)
            conj_transpose(dt, n, c->e);
        memcpy(Y + parts * k * n2, c->e, (size_t)(parts * n2) * sizeof(double));
    }
    return 0;
}

double mf__iss_norm_fro(int32_t dt, int64_t n, const double *a) {
    const int64_t len = dt == MF_C128 ? 2 * n * n : n * n;
    double scale = 0.0, ssq = 1.0;
    for (int64_t k = 0; k < len; k++)
        if (a[k] != 0.0) {
            const double x = fabs(a[k]);
            if (scale < x) {
                ssq = 1.0 + ssq * (scale / x) * (scale / x);
                scale = x;
            } else {
                ssq += (x / scale) * (x / scale);
            }
        }
    return scale * sqrt(ssq);
}

mf_status mf__iss_cond(const char *fn, const mf__iss_schur *f, mf__tri_fn fun, const void *ctx,
                       const double *a, double *cond) {
    const int64_t n = f->n;
    double *e = mf__alloc_array(n * n, mf__elem_size(f->dt));
    double *w = mf__alloc_array(n * n, mf__elem_size(f->dt));
    double *ft = mf__alloc_array(n * n, mf__elem_size(f->dt));
    mf_status st = MF_OK;
    double est = 0.0;
    if (e == NULL || w == NULL || ft == NULL) {
        st = mf__fail(MF_ENOMEM, fn, "cannot allocate workspace (n = %lld)", (long long)n);
        goto done;
    }
    if ((st = fun(fn, f->dt, n, f->t, ft, ctx)) != MF_OK)
        goto done;
    cond_ctx c = {f, fun, ctx, e, w, MF_OK, ""};
    st = mf_normest1_op(n * n, f->dt, apply_kron, &c, 2, &est);
    if (st == MF_ECALLBACK && c.st != MF_OK)
        st = mf__fail(c.st, fn, "%s", c.detail); /* the real cause */
    if (st != MF_OK)
        goto done;
    /* ||f(A)||_F = ||f(T)||_F: Z is unitary */
    const double nf = mf__iss_norm_fro(f->dt, n, ft);
    *cond = nf > 0.0 ? est * mf__iss_norm_fro(f->dt, n, a) / nf : INFINITY;
done:
    mf__free(ft);
    mf__free(w);
    mf__free(e);
    return st;
}

mf_status mf_logm_cond(const mf_matrix *A, double *cond) {
    static const char fn[] = "mf_logm_cond";
    mf_status st = mf__check_cond_args(fn, A, cond);
    if (st != MF_OK)
        return st;
    if (A->rows == 0) {
        *cond = 0.0;
        return MF_OK;
    }
    mf__iss_schur f;
    /* the condition of the principal logarithm, complex when it is not real */
    st = mf__iss_schur_compute(fn, A, MF_C128, false, false, MF_EDOMAIN,
                               "its logarithm does not exist", "logarithm", &f);
    if (st != MF_OK)
        return st;
    double *a = mf__packed_copy(A, f.dt);
    if (a == NULL)
        st = mf__fail(MF_ENOMEM, fn, "cannot allocate workspace (n = %lld)", (long long)A->rows);
    else
        st = mf__iss_cond(fn, &f, log_tri_fn, NULL, a, cond);
    mf__free(a);
    mf__iss_schur_free(&f);
    return st;
}
