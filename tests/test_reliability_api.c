/*
 * The table of every public function (see test_reliability_api.h). Setups
 * choose inputs for which the call is meant to succeed: well-conditioned
 * matrices near the identity for roots, inverses and solves, symmetric
 * positive definite ones for Cholesky, stable ones for Lyapunov, and so on.
 * Storage layouts rotate with the seed and the slot, so every function sees
 * column-major, row-major, padded and general-stride views.
 */
#include "test_reliability_api.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------- slots ---------- */

enum fill { F_RND, F_SMALL, F_WELL, F_SPD, F_STABLE, F_SIGN, F_CONTRACT, F_POS, F_HERM };

static mf_matrix *M(rcase *c, int k) { return &c->slot[k].m; }

static tlayout layout_of(const rcase *c, int k) {
    return (tlayout)((c->seed + (uint64_t)k) % TL_COUNT);
}

static double scale_of(int64_t n) { return 1.0 / sqrt((double)(n > 1 ? n : 1)); }

static tz rnd(rcase *c, int32_t dt) {
    double re = trng_normal(&c->rng);
    double im = dt == MF_C128 ? trng_normal(&c->rng) : 0.0;
    return CMPLX(re, im);
}

static void fill_slot(rcase *c, int k, int kind) {
    tm *t = &c->slot[k];
    const int64_t r = t->m.rows, q = t->m.cols, n = r;
    const int32_t dt = t->m.dtype;
    const double s = scale_of(n);
    if (kind == F_SPD) {
        tz *g = tz_alloc(n * n);
        for (int64_t i = 0; i < n * n; i++)
            g[i] = rnd(c, dt);
        for (int64_t j = 0; j < n; j++)
            for (int64_t i = 0; i < n; i++) {
                tz acc = i == j ? 1.0 : 0.0;
                for (int64_t l = 0; l < n; l++)
                    acc += g[i + l * n] * conj(g[j + l * n]) / (double)n;
                tm_set(t, i, j, acc);
            }
        free(g);
        return;
    }
    if (kind == F_HERM) { /* exactly Hermitian (symmetric), entries as F_SMALL */
        for (int64_t j = 0; j < n; j++)
            for (int64_t i = 0; i <= j; i++) {
                const tz v = 0.5 * s * rnd(c, dt);
                tm_set(t, i, j, i == j ? creal(v) : v);
                tm_set(t, j, i, i == j ? creal(v) : conj(v));
            }
        return;
    }
    for (int64_t j = 0; j < q; j++)
        for (int64_t i = 0; i < r; i++) {
            tz v = rnd(c, dt);
            switch (kind) {
            case F_SMALL: v *= 0.5 * s; break;
            case F_WELL: v = 0.3 * s * v + (i == j ? 1.0 : 0.0); break;
            case F_STABLE: v = 0.3 * s * v - (i == j ? 1.5 : 0.0); break;
            case F_CONTRACT: v *= 0.4 * s; break;
            case F_SIGN:
                v *= 0.2 * s;
                if (i == j)
                    v += (i % 2 ? -1.0 : 1.0) * (1.0 + 0.5 * (double)i / (double)n);
                break;
            case F_POS: v = 0.1 + 0.9 * trng_uniform(&c->rng); break;
            default: break;
            }
            tm_set(t, i, j, v);
        }
}

static void in(rcase *c, int k, int64_t rows, int64_t cols, int32_t dt, int kind) {
    c->slot[k] = tm_new(rows, cols, dt, layout_of(c, k));
    c->used[k] = true;
    fill_slot(c, k, kind);
}

static void out(rcase *c, int k, int64_t rows, int64_t cols, int32_t dt) {
    c->slot[k] = tm_new(rows, cols, dt, layout_of(c, k));
    c->used[k] = c->is_out[k] = true;
}

/* Secondary dimensions that shrink with n, so n = 0 and n = 1 make every
 * operand empty or 1 x 1. */
static int64_t dim1(const rcase *c) { return c->n ? c->n + 1 : 0; }
static int64_t dmin(const rcase *c, int64_t k) { return c->n < k ? c->n : k; }

static mf_status from_int(int rc) { return rc == 0 ? MF_OK : MF_ECALLBACK; }

/* ---------- user callbacks (pure functions of their arguments) ---------- */

static int objective(int64_t n, const double *x, double *f, void *ctx) {
    (void)ctx;
    double acc = n > 0 ? sin(x[0]) : 0.0;
    for (int64_t i = 0; i < n; i++) {
        acc += 0.5 * (double)(i + 1) * x[i] * x[i] + 0.1 * x[i] * x[i] * x[i] * x[i];
        if (i + 1 < n)
            acc += 0.3 * x[i] * x[i + 1];
    }
    *f = acc;
    return 0;
}

static int gradient(int64_t n, const double *x, double *g, void *ctx) {
    (void)ctx;
    for (int64_t i = 0; i < n; i++) {
        g[i] = (double)(i + 1) * x[i] + 0.4 * x[i] * x[i] * x[i];
        if (i > 0)
            g[i] += 0.3 * x[i - 1];
        if (i + 1 < n)
            g[i] += 0.3 * x[i + 1];
    }
    if (n > 0)
        g[0] += cos(x[0]);
    return 0;
}

static int vector_fn(int64_t n, const double *x, int64_t m, double *F, void *ctx) {
    (void)ctx;
    for (int64_t j = 0; j < m; j++) {
        double acc = 0.0;
        for (int64_t i = 0; i < n; i++)
            acc += sin((double)(j + 1) * x[i] / (double)(i + 1));
        F[j] = acc;
    }
    return 0;
}

/* Tridiagonal, diagonally dominant: (2 + i) on the diagonal, -1 beside it. */
static int symop(int64_t n, const double *v, double *y, void *ctx) {
    (void)ctx;
    for (int64_t i = 0; i < n; i++) {
        y[i] = (2.0 + (double)i) * v[i];
        if (i > 0)
            y[i] -= v[i - 1];
        if (i + 1 < n)
            y[i] -= v[i + 1];
    }
    return 0;
}

/* Y = A X or A^T X with A the F64 matrix in slot 0 of the case. */
static int apply_slot0(int64_t n, int64_t t, const double *X, double *Y, int adjoint, void *ctx) {
    const tm *a = &((rcase *)ctx)->slot[0];
    for (int64_t col = 0; col < t; col++)
        for (int64_t i = 0; i < n; i++) {
            double acc = 0.0;
            for (int64_t l = 0; l < n; l++)
                acc += creal(adjoint ? tm_get(a, l, i) : tm_get(a, i, l)) * X[l + col * n];
            Y[i + col * n] = acc;
        }
    return 0;
}

/* ---------- core ---------- */

static void s_none(rcase *c) { (void)c; }

static mf_status f_strerror(rcase *c) {
    for (int s = -1; s <= MF_STATUS_COUNT + 1; s++) {
        const char *t = mf_strerror((mf_status)s);
        if (t == NULL || t[0] == '\0')
            return MF_EINVAL;
        c->p.i[s + 1] = (int64_t)strlen(t);
    }
    return MF_OK;
}

static mf_status f_last_error(rcase *c) {
    const char *t = mf_last_error();
    c->last_error_ok = t != NULL;
    c->p.i[0] = t != NULL;
    return t != NULL ? MF_OK : MF_EINVAL;
}

static mf_status f_version(rcase *c) {
    char want[64];
    snprintf(want, sizeof want, "%d.%d.%d", MF_VERSION_MAJOR, MF_VERSION_MINOR, MF_VERSION_PATCH);
    const char *v = mf_version();
    c->p.i[0] = v != NULL && strcmp(v, want) == 0;
    return c->p.i[0] ? MF_OK : MF_EINVAL;
}

static void s_square(rcase *c) { in(c, 0, c->n, c->n, c->dt, F_RND); }

/* A view is recorded as its shape, strides and offset from slot 0's data, so
 * that runs over different buffers compare equal. */
static void record_view(rcase *c, const mf_matrix *v) {
    const char *base = (const char *)M(c, 0)->data;
    c->p.i[0] = v->data ? (int64_t)((const char *)v->data - base) : -1;
    c->p.i[1] = v->rows;
    c->p.i[2] = v->cols;
    c->p.i[3] = v->rs;
    c->p.i[4] = v->cs;
    c->p.i[5] = v->dtype;
    c->p.i[6] = v->flags;
}

static mf_status f_view(rcase *c) {
    mf_matrix v, *a = M(c, 0);
    mf_status st = mf_view(&v, a->data, a->rows, a->cols, a->rs, a->cs, a->dtype);
    if (st == MF_OK)
        record_view(c, &v);
    return st;
}

static void s_colmajor(rcase *c) {
    c->slot[0] = tm_new(c->n, c->n, c->dt, TL_PADDED_COL);
    c->used[0] = true;
    fill_slot(c, 0, F_RND);
}

static mf_status f_view_colmajor(rcase *c) {
    mf_matrix v, *a = M(c, 0);
    mf_status st = mf_view_colmajor(&v, a->data, a->rows, a->cols, a->cs, a->dtype);
    if (st == MF_OK)
        record_view(c, &v);
    return st;
}

static void s_rowmajor(rcase *c) {
    c->slot[0] = tm_new(c->n, c->n, c->dt, TL_PADDED_ROW);
    c->used[0] = true;
    fill_slot(c, 0, F_RND);
}

static mf_status f_view_rowmajor(rcase *c) {
    mf_matrix v, *a = M(c, 0);
    mf_status st = mf_view_rowmajor(&v, a->data, a->rows, a->cols, a->rs, a->dtype);
    if (st == MF_OK)
        record_view(c, &v);
    return st;
}

static mf_status f_view_block(rcase *c) {
    mf_matrix v, *a = M(c, 0);
    const int64_t i = a->rows / 3, j = a->cols / 2;
    mf_status st = mf_view_block(&v, a, i, j, a->rows - i, a->cols - j);
    if (st == MF_OK)
        record_view(c, &v);
    return st;
}

static mf_status f_view_transpose(rcase *c) {
    mf_matrix v;
    mf_status st = mf_view_transpose(&v, M(c, 0));
    if (st == MF_OK)
        record_view(c, &v);
    return st;
}

/* mf_alloc and mf_free are exercised together: allocate, check, release. */
static mf_status f_alloc_free(rcase *c) {
    mf_matrix m;
    mf_status st = mf_alloc(&m, c->n, dim1(c), c->dt);
    if (st != MF_OK)
        return st;
    const int parts = c->dt == MF_C128 ? 2 : 1;
    int64_t nonzero = 0;
    for (int64_t k = 0; k < m.rows * m.cols * parts; k++)
        nonzero += ((double *)m.data)[k] != 0.0;
    c->p.i[0] = m.rows;
    c->p.i[1] = m.cols;
    c->p.i[2] = m.rs;
    c->p.i[3] = m.cs;
    c->p.i[4] = nonzero;
    mf_free(&m);
    c->p.i[5] = m.data == NULL && m.rows == 0 && m.cols == 0;
    return nonzero == 0 && c->p.i[5] ? MF_OK : MF_EINVAL;
}

static mf_status f_backend(rcase *c) {
    mf_backend_info info;
    mf_status st = mf_backend(&info);
    if (st == MF_OK)
        memcpy(c->p.b, &info, sizeof info);
    return st;
}

/* ---------- decompositions ---------- */

static void s_lu(rcase *c) {
    const int64_t m = dim1(c), n = c->n;
    in(c, 0, m, n, c->dt, F_RND);
    out(c, 1, m, n, c->dt);
    out(c, 2, n, n, c->dt);
}
static mf_status f_lu(rcase *c) { return mf_lu(M(c, 0), M(c, 1), M(c, 2), c->p.i); }

static void s_solve(rcase *c) {
    in(c, 0, c->n, c->n, c->dt, F_WELL);
    in(c, 1, c->n, 2, c->dt, F_RND);
    out(c, 2, c->n, 2, c->dt);
}
static mf_status f_solve(rcase *c) { return mf_solve(M(c, 0), M(c, 1), M(c, 2)); }

static void s_well(rcase *c) { in(c, 0, c->n, c->n, c->dt, F_WELL); }
static mf_status f_det(rcase *c) { return mf_det(M(c, 0), &c->p.d[0], &c->p.d[1]); }
static mf_status f_logdet(rcase *c) {
    return mf_logdet(M(c, 0), &c->p.d[0], &c->p.d[1], &c->p.d[2]);
}

static void s_well_out(rcase *c) {
    in(c, 0, c->n, c->n, c->dt, F_WELL);
    out(c, 1, c->n, c->n, c->dt);
}
static mf_status f_inv(rcase *c) { return mf_inv(M(c, 0), M(c, 1)); }
static mf_status f_rcond(rcase *c) {
    return mf_rcond(M(c, 0), c->n % 2 ? MF_NORM_1 : MF_NORM_INF, &c->p.d[0]);
}
static mf_status f_cond(rcase *c) {
    static const int kinds[4] = {MF_NORM_1, MF_NORM_2, MF_NORM_FRO, MF_NORM_INF};
    return mf_cond(M(c, 0), kinds[c->n % 4], &c->p.d[0]);
}

static void s_qr(rcase *c) {
    const int64_t m = c->n ? c->n + 2 : 0, n = c->n;
    in(c, 0, m, n, c->dt, F_RND);
    out(c, 1, m, n, c->dt);
    out(c, 2, n, n, c->dt);
}
static mf_status f_qr(rcase *c) { return mf_qr(M(c, 0), M(c, 1), M(c, 2)); }

static void s_qr_pivoted(rcase *c) {
    const int64_t m = c->n, n = dim1(c);
    in(c, 0, m, n, c->dt, F_RND);
    out(c, 1, m, m, c->dt);
    out(c, 2, m, n, c->dt);
}
static mf_status f_qr_pivoted(rcase *c) {
    return mf_qr_pivoted(M(c, 0), -1.0, M(c, 1), M(c, 2), c->p.i, &c->p.i[63]);
}

static void s_spd_out(rcase *c) {
    in(c, 0, c->n, c->n, c->dt, F_SPD);
    out(c, 1, c->n, c->n, c->dt);
}
static mf_status f_cholesky(rcase *c) { return mf_cholesky(M(c, 0), M(c, 1)); }

static void s_svd(rcase *c) {
    const int64_t m = dim1(c), n = c->n;
    in(c, 0, m, n, c->dt, F_RND);
    out(c, 1, m, n, c->dt);
    out(c, 2, n, 1, MF_F64);
    out(c, 3, n, n, c->dt);
}
static mf_status f_svd(rcase *c) { return mf_svd(M(c, 0), M(c, 1), M(c, 2), M(c, 3)); }

static void s_polar(rcase *c) {
    const int64_t m = dim1(c), n = c->n;
    in(c, 0, m, n, c->dt, F_RND);
    out(c, 1, m, n, c->dt);
    out(c, 2, n, n, c->dt);
}
static mf_status f_polar(rcase *c) { return mf_polar(M(c, 0), M(c, 1), M(c, 2)); }
static mf_status f_polar_ex(rcase *c) {
    mf_polar_info info;
    mf_status st = mf_polar_ex(M(c, 0), M(c, 1), M(c, 2), &info);
    if (st == MF_OK)
        memcpy(c->p.b, &info, sizeof info);
    return st;
}

static void s_eigh(rcase *c) {
    in(c, 0, c->n, c->n, c->dt, F_RND);
    out(c, 1, c->n, 1, MF_F64);
    out(c, 2, c->n, c->n, c->dt);
}
static mf_status f_eigh(rcase *c) { return mf_eigh(M(c, 0), M(c, 1), M(c, 2)); }

static void s_eigh_select(rcase *c) {
    const int64_t k = c->n / 2;
    in(c, 0, c->n, c->n, c->dt, F_RND);
    out(c, 1, k, 1, MF_F64);
    out(c, 2, c->n, k, c->dt);
}
static mf_status f_eigh_select(rcase *c) {
    return mf_eigh_select(M(c, 0), MF_EIGH_LARGEST, c->n / 2, 0.0, 0.0, M(c, 1), M(c, 2),
                          &c->p.i[0]);
}

static void s_eig(rcase *c) {
    in(c, 0, c->n, c->n, c->dt, F_RND);
    out(c, 1, c->n, 1, MF_C128);
    out(c, 2, c->n, c->n, MF_C128);
    out(c, 3, c->n, c->n, MF_C128);
    out(c, 4, c->n, 1, MF_F64);
}
static mf_status f_eig(rcase *c) { return mf_eig(M(c, 0), M(c, 1), M(c, 2)); }
static mf_status f_eig_ex(rcase *c) { return mf_eig_ex(M(c, 0), M(c, 1), M(c, 2), M(c, 3), M(c, 4)); }

static void s_schur(rcase *c) {
    in(c, 0, c->n, c->n, c->dt, F_RND);
    out(c, 1, c->n, c->n, c->dt);
    out(c, 2, c->n, c->n, c->dt);
}
static mf_status f_schur(rcase *c) { return mf_schur(M(c, 0), M(c, 1), M(c, 2)); }

/* ---------- matrix functions ---------- */

static void s_small_out(rcase *c) {
    in(c, 0, c->n, c->n, c->dt, F_SMALL);
    out(c, 1, c->n, c->n, c->dt);
}
static mf_status f_expm(rcase *c) { return mf_expm(M(c, 0), M(c, 1)); }
static mf_status f_expm_ex(rcase *c) {
    mf_expm_options opt = {0};
    opt.scheme = MF_EXPM_PADE;
    mf_expm_info info;
    mf_status st = mf_expm_ex(M(c, 0), M(c, 1), &opt, &info);
    if (st == MF_OK)
        memcpy(c->p.b, &info, sizeof info);
    return st;
}

/* Three members side by side in one n x 3n slot. */
static void s_batch(rcase *c) {
    const int64_t n = c->n;
    in(c, 0, n, 3 * n, c->dt, F_SMALL);
    out(c, 1, n, 3 * n, c->dt);
    for (int k = 0; k < 3; k++) {
        assert_int_equal(mf_view_block(&c->arr[0][k], M(c, 0), 0, k * n, n, n), MF_OK);
        assert_int_equal(mf_view_block(&c->arr[1][k], M(c, 1), 0, k * n, n, n), MF_OK);
    }
}
static mf_status f_expm_batch(rcase *c) {
    return mf_expm_batch(3, c->arr[0], c->arr[1], c->member_status, 1);
}
static mf_status f_expm_batch_strided(rcase *c) {
    const int64_t n = c->n;
    mf_matrix a = *M(c, 0), e = *M(c, 1);
    a.cols = e.cols = n;
    return mf_expm_batch_strided(3, &a, n > 0 ? n * a.cs : 1, &e, n > 0 ? n * e.cs : 1,
                                 c->member_status, 1);
}

static void s_frechet(rcase *c) {
    in(c, 0, c->n, c->n, c->dt, F_SMALL);
    in(c, 1, c->n, c->n, c->dt, F_RND);
    out(c, 2, c->n, c->n, c->dt);
    out(c, 3, c->n, c->n, c->dt);
}
static mf_status f_expm_frechet(rcase *c) {
    return mf_expm_frechet(M(c, 0), M(c, 1), M(c, 2), M(c, 3));
}

static void s_small(rcase *c) { in(c, 0, c->n, c->n, c->dt, F_SMALL); }
static mf_status f_expm_cond(rcase *c) { return mf_expm_cond(M(c, 0), &c->p.d[0]); }

static void s_expm_multiply(rcase *c) {
    in(c, 0, c->n, c->n, c->dt, F_SMALL);
    in(c, 1, c->n, 2, c->dt, F_RND);
    out(c, 2, c->n, 2, c->dt);
}
static mf_status f_expm_multiply(rcase *c) {
    return mf_expm_multiply(M(c, 0), M(c, 1), -0.7, M(c, 2));
}

static mf_status f_sqrtm(rcase *c) { return mf_sqrtm(M(c, 0), M(c, 1)); }

static void s_sqrtm_frechet(rcase *c) {
    in(c, 0, c->n, c->n, c->dt, F_WELL);
    in(c, 1, c->n, c->n, c->dt, F_RND);
    out(c, 2, c->n, c->n, c->dt);
    out(c, 3, c->n, c->n, c->dt);
}
static mf_status f_sqrtm_frechet(rcase *c) {
    return mf_sqrtm_frechet(M(c, 0), M(c, 1), M(c, 2), M(c, 3));
}
static mf_status f_sqrtm_cond(rcase *c) { return mf_sqrtm_cond(M(c, 0), &c->p.d[0]); }

static mf_status f_logm(rcase *c) { return mf_logm(M(c, 0), M(c, 1)); }
static mf_status f_logm_frechet(rcase *c) {
    return mf_logm_frechet(M(c, 0), M(c, 1), M(c, 2), M(c, 3));
}
static mf_status f_logm_cond(rcase *c) { return mf_logm_cond(M(c, 0), &c->p.d[0]); }
static mf_status f_powm(rcase *c) { return mf_powm(M(c, 0), c->n % 2 ? 0.3 : -1.7, M(c, 1)); }
static mf_status f_powm_cond(rcase *c) {
    return mf_powm_cond(M(c, 0), c->n % 2 ? 0.3 : -1.7, &c->p.d[0]);
}

static void s_sign(rcase *c) {
    in(c, 0, c->n, c->n, c->dt, F_SIGN);
    out(c, 1, c->n, c->n, c->dt);
}
static mf_status f_signm(rcase *c) { return mf_signm(M(c, 0), M(c, 1)); }
static mf_status f_cosm(rcase *c) { return mf_cosm(M(c, 0), M(c, 1)); }
static mf_status f_sinm(rcase *c) { return mf_sinm(M(c, 0), M(c, 1)); }

static void s_cossinm(rcase *c) {
    in(c, 0, c->n, c->n, c->dt, F_SMALL);
    out(c, 1, c->n, c->n, c->dt);
    out(c, 2, c->n, c->n, c->dt);
}
static mf_status f_cossinm(rcase *c) { return mf_cossinm(M(c, 0), M(c, 1), M(c, 2)); }
static mf_status f_funm(rcase *c) {
    return mf_funm(M(c, 0), c->n % 2 ? mf_scalar_cos : mf_scalar_exp, NULL, M(c, 1));
}

/* Scalar callbacks: four points (away from 0) written to p.d. */
static void s_points(rcase *c) {
    for (int k = 0; k < 8; k++)
        c->z[k] = 0.25 + trng_normal(&c->rng);
}
#define SCALAR_ENTRY(fname)                                                                        \
    static mf_status f_##fname(rcase *c) {                                                         \
        return from_int(fname(4, c->z, (int)(c->n % 3), c->p.d, NULL));                            \
    }
SCALAR_ENTRY(mf_scalar_exp)
SCALAR_ENTRY(mf_scalar_log)
SCALAR_ENTRY(mf_scalar_cos)
SCALAR_ENTRY(mf_scalar_sin)
SCALAR_ENTRY(mf_scalar_cosh)
SCALAR_ENTRY(mf_scalar_sinh)
SCALAR_ENTRY(mf_scalar_sqrt)

/* ---------- Kronecker products and structured solves ---------- */

static void s_kron(rcase *c) {
    const int64_t a = dmin(c, 2), b = dmin(c, 3), n = c->n;
    in(c, 0, a, b, c->dt, F_RND);
    in(c, 1, n, n, c->dt, F_RND);
    out(c, 2, a * n, b * n, c->dt);
}
static mf_status f_kron(rcase *c) { return mf_kron(M(c, 0), M(c, 1), M(c, 2)); }

static void s_kronsum(rcase *c) {
    const int64_t a = dmin(c, 2), n = c->n;
    in(c, 0, a, a, c->dt, F_RND);
    in(c, 1, n, n, c->dt, F_RND);
    out(c, 2, a * n, a * n, c->dt);
}
static mf_status f_kronsum(rcase *c) { return mf_kronsum(M(c, 0), M(c, 1), M(c, 2)); }

static void s_khatri_rao(rcase *c) {
    const int64_t a = dmin(c, 3), b = dmin(c, 2), n = c->n;
    in(c, 0, a, n, c->dt, F_RND);
    in(c, 1, b, n, c->dt, F_RND);
    out(c, 2, a * b, n, c->dt);
}
static mf_status f_khatri_rao(rcase *c) { return mf_khatri_rao(M(c, 0), M(c, 1), M(c, 2)); }

/* A m x q, B n x n, X n x q, Y n x m with m = min(n,2), q = min(n,3). */
static void s_kron_matmul(rcase *c) {
    const int64_t m = dmin(c, 2), q = dmin(c, 3), n = c->n;
    in(c, 0, m, q, c->dt, F_RND);
    in(c, 1, n, n, c->dt, F_RND);
    in(c, 2, n, q, c->dt, F_RND);
    out(c, 3, n, m, c->dt);
}
static mf_status f_kron_matmul(rcase *c) {
    return mf_kron_matmul(M(c, 0), M(c, 1), M(c, 2), M(c, 3));
}

static void s_kron_matvec(rcase *c) {
    const int64_t m = dmin(c, 2), q = dmin(c, 3), n = c->n;
    in(c, 0, m, q, c->dt, F_RND);
    in(c, 1, n, n, c->dt, F_RND);
    in(c, 2, q * n, 2, c->dt, F_RND);
    out(c, 3, m * n, 2, c->dt);
    c->arr[0][0] = *M(c, 0);
    c->arr[0][1] = *M(c, 1);
}
static mf_status f_kron_matvec(rcase *c) { return mf_kron_matvec(2, c->arr[0], M(c, 2), M(c, 3)); }

/* A a x a, B n x n, C n x a (the Kronecker solves), both near I. */
static void s_kron_solve(rcase *c) {
    const int64_t a = dmin(c, 3), n = c->n;
    in(c, 0, a, a, c->dt, F_WELL);
    in(c, 1, n, n, c->dt, F_WELL);
    in(c, 2, n, a, c->dt, F_RND);
    out(c, 3, n, a, c->dt);
}
static mf_status f_kron_solve(rcase *c) { return mf_kron_solve(M(c, 0), M(c, 1), M(c, 2), M(c, 3)); }
static mf_status f_kronsum_solve(rcase *c) {
    return mf_kronsum_solve(M(c, 0), M(c, 1), M(c, 2), M(c, 3));
}

static void s_kronsum_expm(rcase *c) {
    const int64_t a = dmin(c, 2), n = c->n;
    in(c, 0, a, a, c->dt, F_SMALL);
    in(c, 1, n, n, c->dt, F_SMALL);
    out(c, 2, a * n, a * n, c->dt);
}
static mf_status f_kronsum_expm(rcase *c) { return mf_kronsum_expm(M(c, 0), M(c, 1), M(c, 2)); }

/* A m x m, B n x n, X n x m, Y n x m with m = min(n, 3). */
static void s_kronsum_expm_matmul(rcase *c) {
    const int64_t a = dmin(c, 3), n = c->n;
    in(c, 0, a, a, c->dt, F_SMALL);
    in(c, 1, n, n, c->dt, F_SMALL);
    in(c, 2, n, a, c->dt, F_RND);
    out(c, 3, n, a, c->dt);
}
static mf_status f_kronsum_expm_matmul(rcase *c) {
    return mf_kronsum_expm_matmul(M(c, 0), M(c, 1), M(c, 2), M(c, 3));
}

/* f(A ⊗ B), f(A ⊕ B): A a x a (a = min(n, 2), or 3 with blocks), B n x n;
 * bit k of the seed makes factor k Hermitian (else general), so the sweeps
 * reach all three routes: both factors normal, one, neither. */
static int kron_funm_fill(const rcase *c, int k) { return (c->seed >> k) & 1 ? F_HERM : F_SMALL; }
static mf_scalar_fn kron_funm_f(const rcase *c) { return c->n % 2 ? mf_scalar_cos : mf_scalar_exp; }

static void s_kron_funm(rcase *c) {
    const int64_t a = dmin(c, 2), n = c->n;
    in(c, 0, a, a, c->dt, kron_funm_fill(c, 0));
    in(c, 1, n, n, c->dt, kron_funm_fill(c, 1));
    out(c, 2, a * n, a * n, c->dt);
}
static mf_status f_kron_funm(rcase *c) {
    return mf_kron_funm(M(c, 0), M(c, 1), kron_funm_f(c), NULL, M(c, 2));
}
static mf_status f_kronsum_funm(rcase *c) {
    return mf_kronsum_funm(M(c, 0), M(c, 1), kron_funm_f(c), NULL, M(c, 2));
}

/* X, Y n x 2a: two blocks. */
static void s_kron_funm_matmul(rcase *c) {
    const int64_t a = dmin(c, 3), n = c->n;
    in(c, 0, a, a, c->dt, kron_funm_fill(c, 0));
    in(c, 1, n, n, c->dt, kron_funm_fill(c, 1));
    in(c, 2, n, 2 * a, c->dt, F_RND);
    out(c, 3, n, 2 * a, c->dt);
}
static mf_status f_kron_funm_matmul(rcase *c) {
    return mf_kron_funm_matmul(M(c, 0), M(c, 1), kron_funm_f(c), NULL, M(c, 2), M(c, 3));
}
static mf_status f_kronsum_funm_matmul(rcase *c) {
    return mf_kronsum_funm_matmul(M(c, 0), M(c, 1), kron_funm_f(c), NULL, M(c, 2), M(c, 3));
}

static void s_sylvester(rcase *c) {
    const int64_t a = dmin(c, 3), n = c->n;
    in(c, 0, n, n, c->dt, F_WELL);
    in(c, 1, a, a, c->dt, F_WELL);
    in(c, 2, n, a, c->dt, F_RND);
    out(c, 3, n, a, c->dt);
}
static mf_status f_sylvester(rcase *c) { return mf_sylvester(M(c, 0), M(c, 1), M(c, 2), M(c, 3)); }

static void s_lyapunov(rcase *c) {
    in(c, 0, c->n, c->n, c->dt, F_STABLE);
    in(c, 1, c->n, c->n, c->dt, F_RND);
    out(c, 2, c->n, c->n, c->dt);
}
static mf_status f_lyapunov(rcase *c) { return mf_lyapunov(M(c, 0), M(c, 1), M(c, 2)); }

static void s_stein(rcase *c) {
    in(c, 0, c->n, c->n, c->dt, F_CONTRACT);
    in(c, 1, c->n, c->n, c->dt, F_RND);
    out(c, 2, c->n, c->n, c->dt);
}
static mf_status f_lyapunov_discrete(rcase *c) {
    return mf_lyapunov_discrete(M(c, 0), M(c, 1), M(c, 2));
}

/* ---------- norms ---------- */

static void s_rect(rcase *c) { in(c, 0, dim1(c), c->n, c->dt, F_RND); }
static mf_status f_norm(rcase *c) { return mf_norm(M(c, 0), (int)(1 + c->n % 6), &c->p.d[0]); }
static mf_status f_normest1(rcase *c) { return mf_normest1(M(c, 0), 2, &c->p.d[0]); }
static mf_status f_normest1_pow(rcase *c) { return mf_normest1_pow(M(c, 0), 3, &c->p.d[0]); }

static void s_real_square(rcase *c) { in(c, 0, c->n, c->n, MF_F64, F_RND); }
static mf_status f_normest1_op(rcase *c) {
    return mf_normest1_op(c->n, MF_F64, apply_slot0, c, 2, &c->p.d[0]);
}

/* ---------- Hessian utilities (F64 only) ---------- */

static void s_x_vec(rcase *c) { in(c, 0, c->n, 1, MF_F64, F_SMALL); }

static void s_grad(rcase *c) {
    s_x_vec(c);
    out(c, 1, c->n, 1, MF_F64);
    out(c, 2, c->n, 1, MF_F64);
}
static mf_status f_fd_gradient(rcase *c) {
    return mf_fd_gradient(objective, NULL, M(c, 0), M(c, 1), M(c, 2));
}
static mf_status f_fd_gradient_ex(rcase *c) {
    mf_fd_options o = {0};
    o.method = MF_FD_RICHARDSON;
    mf_fd_info info;
    mf_status st = mf_fd_gradient_ex(objective, NULL, M(c, 0), &o, M(c, 1), M(c, 2), &info);
    if (st == MF_OK)
        memcpy(c->p.b, &info, sizeof info);
    return st;
}

static void s_jac(rcase *c) {
    s_x_vec(c);
    out(c, 1, dim1(c), c->n, MF_F64);
    out(c, 2, dim1(c), c->n, MF_F64);
}
static mf_status f_fd_jacobian(rcase *c) {
    return mf_fd_jacobian(vector_fn, NULL, M(c, 0), M(c, 1), M(c, 2));
}
static mf_status f_fd_jacobian_ex(rcase *c) {
    mf_fd_options o = {0};
    o.method = MF_FD_RICHARDSON;
    mf_fd_info info;
    mf_status st = mf_fd_jacobian_ex(vector_fn, NULL, M(c, 0), &o, M(c, 1), M(c, 2), &info);
    if (st == MF_OK)
        memcpy(c->p.b, &info, sizeof info);
    return st;
}

static void s_hess(rcase *c) {
    s_x_vec(c);
    out(c, 1, c->n, c->n, MF_F64);
    out(c, 2, c->n, c->n, MF_F64);
}
static mf_status f_fd_hessian(rcase *c) {
    return mf_fd_hessian(objective, NULL, M(c, 0), M(c, 1), M(c, 2));
}
static mf_status f_fd_hessian_ex(rcase *c) {
    mf_fd_options o = {0};
    o.method = MF_FD_RICHARDSON;
    mf_fd_info info;
    mf_status st = mf_fd_hessian_ex(objective, NULL, M(c, 0), &o, M(c, 1), M(c, 2), &info);
    if (st == MF_OK)
        memcpy(c->p.b, &info, sizeof info);
    return st;
}
static mf_status f_fd_hessian_from_gradient(rcase *c) {
    return mf_fd_hessian_from_gradient(gradient, NULL, M(c, 0), M(c, 1), M(c, 2));
}
static mf_status f_fd_hessian_from_gradient_ex(rcase *c) {
    mf_fd_options o = {0};
    o.method = MF_FD_RICHARDSON;
    mf_fd_info info;
    mf_status st =
        mf_fd_hessian_from_gradient_ex(gradient, NULL, M(c, 0), &o, M(c, 1), M(c, 2), &info);
    if (st == MF_OK)
        memcpy(c->p.b, &info, sizeof info);
    return st;
}

static void s_hvp(rcase *c) {
    s_x_vec(c);
    in(c, 1, c->n, 1, MF_F64, F_RND);
    out(c, 2, c->n, 1, MF_F64);
}
static mf_status f_hvp(rcase *c) { return mf_hvp(gradient, NULL, M(c, 0), M(c, 1), M(c, 2)); }

/* Operator construction and release are exercised together. */
static mf_status f_hvp_operator_new_free(rcase *c) {
    mf_hvp_options o = {0};
    o.central = 1;
    mf_hvp_operator *op = NULL;
    mf_status st = mf_hvp_operator_new(gradient, NULL, M(c, 0), &o, &op);
    if (st != MF_OK)
        return st;
    c->p.i[0] = mf_hvp_operator_evaluations(op);
    mf_hvp_operator_free(op);
    return MF_OK;
}

static void free_hvp(void *op) { mf_hvp_operator_free(op); }
static void s_hvp_op(rcase *c) {
    s_hvp(c);
    mf_hvp_operator *op = NULL;
    assert_int_equal(mf_hvp_operator_new(gradient, NULL, M(c, 0), NULL, &op), MF_OK);
    c->handle = op;
    c->handle_free = free_hvp;
}
/* The operator reads contiguous vectors: copy v out of its view first. */
static void gather(rcase *c, int k, double *v) {
    for (int64_t i = 0; i < c->n; i++)
        v[i] = creal(tm_get(&c->slot[k], i, 0));
}
static mf_status f_hvp_apply(rcase *c) {
    double v[64];
    gather(c, 1, v);
    return from_int(mf_hvp_apply(c->n, v, c->p.d, c->handle));
}
static mf_status f_hvp_operator_evaluations(rcase *c) {
    double v[64], y[64];
    gather(c, 1, v);
    const int64_t before = mf_hvp_operator_evaluations(c->handle);
    mf_status st = from_int(mf_hvp_apply(c->n, v, y, c->handle));
    if (st == MF_OK)
        c->p.i[0] = mf_hvp_operator_evaluations(c->handle) - before;
    return st;
}

static void s_gn(rcase *c) {
    in(c, 0, dim1(c), c->n, MF_F64, F_RND);
    out(c, 1, c->n, c->n, MF_F64);
}
static mf_status f_gauss_newton(rcase *c) { return mf_gauss_newton(M(c, 0), M(c, 1)); }
static mf_status f_gn_operator_new_free(rcase *c) {
    mf_gn_operator *op = NULL;
    mf_status st = mf_gn_operator_new(M(c, 0), 0.1, &op);
    if (st != MF_OK)
        return st;
    mf_gn_operator_free(op);
    c->p.i[0] = 1;
    return MF_OK;
}
static void free_gn(void *op) { mf_gn_operator_free(op); }
static void s_gn_op(rcase *c) {
    in(c, 0, dim1(c), c->n, MF_F64, F_RND);
    in(c, 1, c->n, 1, MF_F64, F_RND);
    mf_gn_operator *op = NULL;
    assert_int_equal(mf_gn_operator_new(M(c, 0), 0.1, &op), MF_OK);
    c->handle = op;
    c->handle_free = free_gn;
}
static mf_status f_gn_apply(rcase *c) {
    double v[64];
    gather(c, 1, v);
    return from_int(mf_gn_apply(c->n, v, c->p.d, c->handle));
}

static mf_status f_inertia(rcase *c) {
    mf_inertia_counts k;
    mf_status st = mf_inertia(M(c, 0), &k);
    if (st == MF_OK)
        memcpy(c->p.b, &k, sizeof k);
    return st;
}
static mf_status f_inertia_ex(rcase *c) {
    mf_inertia_options o = {0};
    o.method = MF_INERTIA_EIGH;
    mf_inertia_counts k;
    mf_status st = mf_inertia_ex(M(c, 0), &o, &k);
    if (st == MF_OK)
        memcpy(c->p.b, &k, sizeof k);
    return st;
}

static void s_critical(rcase *c) {
    in(c, 0, c->n, 1, MF_F64, F_SMALL);
    in(c, 1, c->n, c->n, MF_F64, F_RND);
    out(c, 2, c->n, 1, MF_F64);
}
static mf_status f_classify(rcase *c) {
    mf_critical_info info;
    mf_status st = mf_classify_critical_point(M(c, 0), M(c, 1), &info);
    if (st == MF_OK)
        memcpy(c->p.b, &info, sizeof info);
    return st;
}
static mf_status f_classify_ex(rcase *c) {
    mf_critical_options o;
    memset(&o, 0, sizeof o);
    o.grad_tol = 10.0;
    mf_critical_info info;
    mf_status st = mf_classify_critical_point_ex(M(c, 0), M(c, 1), &o, &info);
    if (st == MF_OK)
        memcpy(c->p.b, &info, sizeof info);
    return st;
}
static mf_status f_newton_step(rcase *c) { return mf_newton_step(M(c, 1), M(c, 0), M(c, 2)); }
static mf_status f_newton_step_ex(rcase *c) {
    mf_newton_options o = {0};
    o.method = MF_NEWTON_EIGEN_FLOOR;
    mf_newton_info info;
    mf_status st = mf_newton_step_ex(M(c, 1), M(c, 0), &o, M(c, 2), &info);
    if (st == MF_OK)
        memcpy(c->p.b, &info, sizeof info);
    return st;
}

static void s_lanczos(rcase *c) {
    const int64_t k = dmin(c, 2);
    out(c, 0, k, 1, MF_F64);
    out(c, 1, c->n, k, MF_F64);
}
static mf_status f_lanczos(rcase *c) {
    return mf_lanczos(c->n, symop, NULL, MF_EIGH_LARGEST, dmin(c, 2), M(c, 0), M(c, 1));
}
static mf_status f_lanczos_ex(rcase *c) {
    mf_lanczos_options o;
    memset(&o, 0, sizeof o);
    o.seed = 7;
    mf_lanczos_info info;
    mf_status st =
        mf_lanczos_ex(c->n, symop, NULL, MF_EIGH_SMALLEST, dmin(c, 2), &o, M(c, 0), M(c, 1), &info);
    if (st == MF_OK)
        memcpy(c->p.b, &info, sizeof info);
    return st;
}
static mf_status f_trace_estimate(rcase *c) {
    return mf_trace_estimate(c->n, symop, NULL, &c->p.d[0], &c->p.d[1]);
}
static mf_status f_trace_estimate_ex(rcase *c) {
    mf_trace_options o;
    memset(&o, 0, sizeof o);
    o.seed = 11;
    mf_trace_info info;
    mf_status st = mf_trace_estimate_ex(c->n, symop, NULL, &o, &c->p.d[0], &info);
    if (st == MF_OK)
        memcpy(c->p.b, &info, sizeof info);
    return st;
}

static void s_slq(rcase *c) {
    const int64_t steps = dmin(c, 3);
    out(c, 0, 2 * steps, 1, MF_F64);
    out(c, 1, 2 * steps, 1, MF_F64);
}
static mf_status f_slq(rcase *c) {
    mf_slq_options o;
    memset(&o, 0, sizeof o);
    o.probes = 2;
    o.steps = dmin(c, 3);
    return mf_slq(c->n, symop, NULL, &o, M(c, 0), M(c, 1), &c->p.i[0]);
}

static void s_density(rcase *c) {
    in(c, 0, c->n, 1, MF_F64, F_RND);
    in(c, 1, c->n, 1, MF_F64, F_POS);
    in(c, 2, dim1(c), 1, MF_F64, F_RND);
    out(c, 3, dim1(c), 1, MF_F64);
}
static mf_status f_slq_density(rcase *c) {
    return mf_slq_density(M(c, 0), M(c, 1), 0.5, M(c, 2), M(c, 3));
}

/* ---------- the table ---------- */

#define E(name, setup, call) {#name, setup, call, 0, 0}
const rapi_fn rapi_table[] = {
    /* core */
    E(mf_strerror, s_none, f_strerror),
    E(mf_last_error, s_none, f_last_error),
    E(mf_version, s_none, f_version),
    E(mf_view, s_square, f_view),
    E(mf_view_colmajor, s_colmajor, f_view_colmajor),
    E(mf_view_rowmajor, s_rowmajor, f_view_rowmajor),
    E(mf_view_block, s_square, f_view_block),
    E(mf_view_transpose, s_square, f_view_transpose),
    E(mf_alloc, s_none, f_alloc_free),
    E(mf_free, s_none, f_alloc_free),
    E(mf_backend, s_none, f_backend),
    /* decompositions */
    E(mf_lu, s_lu, f_lu),
    {"mf_solve", s_solve, f_solve, 0, RAPI_BACKEND_LAST_STEP_IN_OUTPUT},
    E(mf_det, s_well, f_det),
    E(mf_logdet, s_square, f_logdet),
    E(mf_inv, s_well_out, f_inv),
    E(mf_rcond, s_square, f_rcond),
    E(mf_cond, s_well, f_cond),
    E(mf_qr, s_qr, f_qr),
    E(mf_qr_pivoted, s_qr_pivoted, f_qr_pivoted),
    E(mf_cholesky, s_spd_out, f_cholesky),
    E(mf_svd, s_svd, f_svd),
    E(mf_polar, s_polar, f_polar),
    E(mf_polar_ex, s_polar, f_polar_ex),
    E(mf_eigh, s_eigh, f_eigh),
    E(mf_eigh_select, s_eigh_select, f_eigh_select),
    E(mf_eig, s_eig, f_eig),
    E(mf_eig_ex, s_eig, f_eig_ex),
    E(mf_schur, s_schur, f_schur),
    /* matrix functions */
    E(mf_expm, s_small_out, f_expm),
    E(mf_expm_ex, s_small_out, f_expm_ex),
    {"mf_expm_batch", s_batch, f_expm_batch, 0, RAPI_BATCH},
    {"mf_expm_batch_strided", s_batch, f_expm_batch_strided, 0, RAPI_BATCH},
    E(mf_expm_frechet, s_frechet, f_expm_frechet),
    E(mf_expm_cond, s_small, f_expm_cond),
    E(mf_expm_multiply, s_expm_multiply, f_expm_multiply),
    E(mf_sqrtm, s_well_out, f_sqrtm),
    E(mf_sqrtm_frechet, s_sqrtm_frechet, f_sqrtm_frechet),
    E(mf_sqrtm_cond, s_well, f_sqrtm_cond),
    E(mf_logm, s_well_out, f_logm),
    E(mf_logm_frechet, s_sqrtm_frechet, f_logm_frechet),
    E(mf_logm_cond, s_well, f_logm_cond),
    E(mf_powm, s_well_out, f_powm),
    E(mf_powm_cond, s_well, f_powm_cond),
    E(mf_signm, s_sign, f_signm),
    E(mf_cosm, s_small_out, f_cosm),
    E(mf_sinm, s_small_out, f_sinm),
    E(mf_cossinm, s_cossinm, f_cossinm),
    E(mf_funm, s_small_out, f_funm),
    E(mf_scalar_exp, s_points, f_mf_scalar_exp),
    E(mf_scalar_log, s_points, f_mf_scalar_log),
    E(mf_scalar_cos, s_points, f_mf_scalar_cos),
    E(mf_scalar_sin, s_points, f_mf_scalar_sin),
    E(mf_scalar_cosh, s_points, f_mf_scalar_cosh),
    E(mf_scalar_sinh, s_points, f_mf_scalar_sinh),
    E(mf_scalar_sqrt, s_points, f_mf_scalar_sqrt),
    /* Kronecker */
    E(mf_kron, s_kron, f_kron),
    E(mf_kronsum, s_kronsum, f_kronsum),
    E(mf_khatri_rao, s_khatri_rao, f_khatri_rao),
    E(mf_kron_matmul, s_kron_matmul, f_kron_matmul),
    E(mf_kron_matvec, s_kron_matvec, f_kron_matvec),
    E(mf_kron_solve, s_kron_solve, f_kron_solve),
    E(mf_kronsum_solve, s_kron_solve, f_kronsum_solve),
    E(mf_kronsum_expm, s_kronsum_expm, f_kronsum_expm),
    E(mf_kronsum_expm_matmul, s_kronsum_expm_matmul, f_kronsum_expm_matmul),
    E(mf_kron_funm, s_kron_funm, f_kron_funm),
    E(mf_kronsum_funm, s_kron_funm, f_kronsum_funm),
    E(mf_kron_funm_matmul, s_kron_funm_matmul, f_kron_funm_matmul),
    E(mf_kronsum_funm_matmul, s_kron_funm_matmul, f_kronsum_funm_matmul),
    E(mf_sylvester, s_sylvester, f_sylvester),
    E(mf_lyapunov, s_lyapunov, f_lyapunov),
    E(mf_lyapunov_discrete, s_stein, f_lyapunov_discrete),
    /* norms */
    E(mf_norm, s_rect, f_norm),
    E(mf_normest1, s_square, f_normest1),
    E(mf_normest1_op, s_real_square, f_normest1_op),
    E(mf_normest1_pow, s_square, f_normest1_pow),
    /* Hessian utilities */
    E(mf_fd_gradient, s_grad, f_fd_gradient),
    E(mf_fd_gradient_ex, s_grad, f_fd_gradient_ex),
    E(mf_fd_jacobian, s_jac, f_fd_jacobian),
    E(mf_fd_jacobian_ex, s_jac, f_fd_jacobian_ex),
    E(mf_fd_hessian, s_hess, f_fd_hessian),
    E(mf_fd_hessian_ex, s_hess, f_fd_hessian_ex),
    E(mf_fd_hessian_from_gradient, s_hess, f_fd_hessian_from_gradient),
    E(mf_fd_hessian_from_gradient_ex, s_hess, f_fd_hessian_from_gradient_ex),
    E(mf_hvp_operator_new, s_hvp, f_hvp_operator_new_free),
    E(mf_hvp_operator_free, s_hvp, f_hvp_operator_new_free),
    E(mf_hvp_apply, s_hvp_op, f_hvp_apply),
    E(mf_hvp_operator_evaluations, s_hvp_op, f_hvp_operator_evaluations),
    E(mf_hvp, s_hvp, f_hvp),
    E(mf_gauss_newton, s_gn, f_gauss_newton),
    E(mf_gn_operator_new, s_gn, f_gn_operator_new_free),
    E(mf_gn_operator_free, s_gn, f_gn_operator_new_free),
    E(mf_gn_apply, s_gn_op, f_gn_apply),
    E(mf_inertia, s_real_square, f_inertia),
    E(mf_inertia_ex, s_real_square, f_inertia_ex),
    E(mf_classify_critical_point, s_critical, f_classify),
    E(mf_classify_critical_point_ex, s_critical, f_classify_ex),
    E(mf_newton_step, s_critical, f_newton_step),
    E(mf_newton_step_ex, s_critical, f_newton_step_ex),
    E(mf_lanczos, s_lanczos, f_lanczos),
    E(mf_lanczos_ex, s_lanczos, f_lanczos_ex),
    E(mf_trace_estimate, s_none, f_trace_estimate),
    E(mf_trace_estimate_ex, s_none, f_trace_estimate_ex),
    {"mf_slq", s_slq, f_slq, 1, 0},
    E(mf_slq_density, s_density, f_slq_density),
};
const int rapi_count = (int)(sizeof rapi_table / sizeof rapi_table[0]);

/* ---------- cases ---------- */

void rcase_init(rcase *c, const rapi_fn *fn, int64_t n, int32_t dt, uint64_t seed) {
    memset(c, 0, sizeof *c);
    c->n = n;
    c->dt = dt;
    c->seed = seed;
    c->rng = trng_new(seed * 7919u + (uint64_t)n);
    memset(&c->p, 0x5A, sizeof c->p);
    fn->setup(c);
}

void rcase_free(rcase *c) {
    if (c->handle && c->handle_free)
        c->handle_free(c->handle);
    c->handle = NULL;
    for (int k = 0; k < RC_SLOTS; k++)
        if (c->used[k])
            tm_free(&c->slot[k]);
    memset(c->used, 0, sizeof c->used);
}

void rc_snapshot_take(const rcase *c, rc_snapshot *s) {
    for (int k = 0; k < RC_SLOTS; k++)
        s->slot[k] = c->used[k] ? tm_snapshot(&c->slot[k]) : NULL;
    s->p = c->p;
}

static bool slots_unchanged(const rcase *c, const rc_snapshot *s, bool outputs) {
    for (int k = 0; k < RC_SLOTS; k++)
        if (s->slot[k] && c->is_out[k] == outputs && !tm_unchanged(&c->slot[k], s->slot[k]))
            return false;
    return true;
}

bool rc_inputs_unchanged(const rcase *c, const rc_snapshot *s) {
    return slots_unchanged(c, s, false);
}

bool rc_outputs_unchanged(const rcase *c, const rc_snapshot *s) {
    return slots_unchanged(c, s, true) && memcmp(&s->p, &c->p, sizeof c->p) == 0;
}

void rc_snapshot_free(rc_snapshot *s) {
    for (int k = 0; k < RC_SLOTS; k++) {
        free(s->slot[k]);
        s->slot[k] = NULL;
    }
}

bool rc_outputs_finite(const rcase *c) {
    for (int k = 0; k < RC_SLOTS; k++) {
        if (!c->used[k] || !c->is_out[k])
            continue;
        const tm *t = &c->slot[k];
        for (int64_t j = 0; j < t->m.cols; j++)
            for (int64_t i = 0; i < t->m.rows; i++) {
                tz v = tm_get(t, i, j);
                if (!isfinite(creal(v)) || !isfinite(cimag(v)))
                    return false;
            }
    }
    return true;
}

const rapi_fn *rapi_find(const char *name) {
    for (int k = 0; k < rapi_count; k++)
        if (strcmp(rapi_table[k].name, name) == 0)
            return &rapi_table[k];
    return NULL;
}

/* ---------- the public headers ---------- */

static const char *const headers[] = {"core.h", "norms.h", "decomp.h",
                                      "funcs.h", "kron.h", "hessian.h"};

int rapi_header_names(const char *include_dir, char ***names) {
    int count = 0, cap = 256;
    char **list = malloc((size_t)cap * sizeof *list);
    assert_non_null(list);
    for (size_t h = 0; h < sizeof headers / sizeof headers[0]; h++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/matfun/%s", include_dir, headers[h]);
        FILE *f = fopen(path, "r");
        if (f == NULL)
            fail_msg("cannot open %s", path);
        char line[1024];
        while (fgets(line, sizeof line, f)) {
            if (strncmp(line, "MF_API ", 7) != 0)
                continue;
            /* The declared name is the identifier right before the first '('. */
            char *paren = strchr(line, '(');
            if (paren == NULL)
                fail_msg("unexpected declaration in %s: %s", path, line);
            char *end = paren;
            while (end > line && end[-1] == ' ')
                end--;
            char *start = end;
            while (start > line && (start[-1] == '_' || (start[-1] >= 'a' && start[-1] <= 'z') ||
                                    (start[-1] >= '0' && start[-1] <= '9')))
                start--;
            if (start[0] == '*')
                start++;
            assert_true(count < cap);
            list[count++] = strndup(start, (size_t)(end - start));
        }
        fclose(f);
    }
    *names = list;
    return count;
}
