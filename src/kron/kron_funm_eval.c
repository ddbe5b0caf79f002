/*
 * The three routes of f(A ⊗ B) and f(A ⊕ B) (see kron_funm.h): the formed
 * (m p) x (m p) result and its action on blocks X_k, from the factors'
 * decompositions made by kron_funm.c. All arithmetic is complex.
 *
 * Notation: the outer factor has order no, eigenvectors Qo and eigenvalues
 * λ_j; the inner one has order ni, Schur form Qi Ti Qi^H. A block X_k is
 * ni x no (p x m, or its transpose when swapped), and
 *
 *     f(K') vec(X_k) = vec( Σ_j H_j [X_k conj(Qo)](:, j) e_j^T Qo^T ),
 *
 * with H_j = f(λ_j ∘ Inner), i.e. Y_k = W Qo^T where column j of W is
 * H_j times column j of X_k conj(Qo).
 */
#include <math.h>
#include <string.h>

#include <cblas.h>

#include "kron_funm.h"

/* ------------------------------------------------------------------ */
/* kernels                                                              */
/* ------------------------------------------------------------------ */

/* c = op(a) op(b), complex column-major, every dimension >= 1. */
static void zmm(enum CBLAS_TRANSPOSE ta, enum CBLAS_TRANSPOSE tb, int64_t m, int64_t n, int64_t k,
                const zdouble *a, int64_t lda, const zdouble *b, int64_t ldb, zdouble *c,
                int64_t ldc) {
    const zdouble one = 1.0, zero = 0.0;
    cblas_zgemm(CblasColMajor, ta, tb, (int)m, (int)n, (int)k, &one, a, (int)lda, b, (int)ldb,
                &zero, c, (int)ldc);
}

static zdouble combine(mf__kf_op op, zdouble x, zdouble y) {
    return op == MF__KF_PRODUCT ? x * y : x + y;
}

static zdouble eigenvalue(const mf__kf_factor *f, int64_t j) {
    return f->t[j * (f->n + 1)];
}

/* Frobenius norm of count complex numbers, safe from overflow of squares. */
static double norm_fro(int64_t count, const zdouble *a) {
    double big = 0.0, ssq = 0.0;
    for (int64_t k = 0; k < count; k++)
        big = fmax(big, fmax(fabs(creal(a[k])), fabs(cimag(a[k]))));
    if (big == 0.0 || !isfinite(big))
        return big;
    for (int64_t k = 0; k < count; k++) {
        const double re = creal(a[k]) / big, im = cimag(a[k]) / big;
        ssq += re * re + im * im;
    }
    return big * sqrt(ssq);
}

static zdouble *alloc_z(int64_t count) {
    return mf__alloc_array(count, sizeof(zdouble));
}

static mf_status no_memory(const mf__kf_plan *pl) {
    return mf__fail(MF_ENOMEM, pl->cb.fn, "cannot allocate workspace for %s (m p = %lld)", pl->what,
                    (long long)(pl->outer->n * pl->inner->n));
}

/* ------------------------------------------------------------------ */
/* the block functions H_j = f(λ_j ∘ Inner)                             */
/* ------------------------------------------------------------------ */

/* g (ni x no) = f(λ_j ∘ μ_i): one callback call on all combined
 * eigenvalues (pts is scratch of the same size). */
static mf_status eigen_values_f(const mf__kf_plan *pl, zdouble *pts, zdouble *g) {
    const int64_t no = pl->outer->n, ni = pl->inner->n;
    for (int64_t j = 0; j < no; j++)
        for (int64_t i = 0; i < ni; i++)
            pts[i + j * ni] = combine(pl->op, eigenvalue(pl->outer, j), eigenvalue(pl->inner, i));
    return mf__funm_eval(&pl->cb, no * ni, pts, 0, g);
}

/* Normal inner factor: H_j = Qi diag(g(:, j)) Qi^H (w: ni^2 scratch). */
static void eigen_block_functions(const mf__kf_plan *pl, const zdouble *g, zdouble *w, zdouble *h) {
    const int64_t no = pl->outer->n, ni = pl->inner->n;
    const zdouble *qi = pl->inner->q;
    for (int64_t j = 0; j < no; j++) {
        for (int64_t l = 0; l < ni; l++)
            for (int64_t i = 0; i < ni; i++)
                w[i + l * ni] = qi[i + l * ni] * g[l + j * ni];
        zmm(CblasNoTrans, CblasConjTrans, ni, ni, ni, w, ni, qi, ni, h + j * ni * ni, ni);
    }
}

/* t = λ ∘ Ti for the inner triangular Ti: λ Ti or Ti + λ I (lower part 0). */
static void shifted_inner(mf__kf_op op, zdouble lambda, const mf__kf_factor *in, zdouble *t) {
    const int64_t n = in->n;
    for (int64_t l = 0; l < n; l++)
        for (int64_t i = 0; i < n; i++) {
            const zdouble v = i <= l ? in->t[i + l * n] : 0.0;
            t[i + l * n] = op == MF__KF_PRODUCT ? lambda * v : v + (i == l ? lambda : 0.0);
        }
}

/* Non-normal inner factor: H_j = Qi f(λ_j ∘ Ti) Qi^H, Schur-Parlett on the
 * triangular λ_j ∘ Ti for each j (no Schur decomposition needed). */
static mf_status schur_block_functions(const mf__kf_plan *pl, zdouble *h) {
    const int64_t no = pl->outer->n, ni = pl->inner->n, nn = ni * ni;
    zdouble *t = alloc_z(nn), *z = alloc_z(nn), *ft = alloc_z(nn);
    mf_status st = t != NULL && z != NULL && ft != NULL ? MF_OK : no_memory(pl);
    mf__funm_timing tm;
    for (int64_t j = 0; j < no && st == MF_OK; j++) {
        shifted_inner(pl->op, eigenvalue(pl->outer, j), pl->inner, t);
        memcpy(z, pl->inner->q, (size_t)nn * sizeof(zdouble));
        st = mf__funm_schur_parlett(&pl->cb, ni, t, z, ft, &tm);
        if (st == MF_OK)
            mf__funm_back_transform(ni, z, ft, t, h + j * nn);
    }
    mf__free(t);
    mf__free(z);
    mf__free(ft);
    return st;
}

/* h (no blocks of ni x ni) = H_j, and for the normal inner factor also
 * g = f(λ_j ∘ μ_i) (ni x no; may be NULL when not wanted). */
static mf_status block_functions(const mf__kf_plan *pl, zdouble *g, zdouble *h) {
    if (pl->route == MF__KF_BLOCKS)
        return schur_block_functions(pl, h);
    const int64_t ni = pl->inner->n, count = ni * pl->outer->n;
    zdouble *pts = alloc_z(count > ni * ni ? count : ni * ni);
    zdouble *gv = g != NULL ? g : alloc_z(count);
    mf_status st = pts != NULL && gv != NULL ? MF_OK : no_memory(pl);
    if (st == MF_OK)
        st = eigen_values_f(pl, pts, gv);
    if (st == MF_OK && h != NULL)
        eigen_block_functions(pl, gv, pts, h);
    mf__free(pts);
    if (g == NULL)
        mf__free(gv);
    return st;
}

/* ------------------------------------------------------------------ */
/* formed result, EIGEN and BLOCKS routes                               */
/* ------------------------------------------------------------------ */

/* Block (r, s) of f(K') = Σ_j Qo(r, j) conj(Qo(s, j)) H_j, stored at
 * column r + s no of the ni^2 x no^2 array fb: for each s one GEMM of the
 * ni^2 x no matrix [vec H_1 ... vec H_no] with c(j, r) = conj(Qo(s, j))
 * Qo(r, j) (c: no^2 scratch). */
static void blocks_from_functions(const mf__kf_plan *pl, const zdouble *h, zdouble *c,
                                  zdouble *fb) {
    const int64_t no = pl->outer->n, nn = pl->inner->n * pl->inner->n;
    const zdouble *qo = pl->outer->q;
    for (int64_t s = 0; s < no; s++) {
        for (int64_t r = 0; r < no; r++)
            for (int64_t j = 0; j < no; j++)
                c[j + r * no] = conj(qo[s + j * no]) * qo[r + j * no];
        zmm(CblasNoTrans, CblasNoTrans, nn, no, no, h, nn, c, no, fb + s * no * nn, nn);
    }
}

/* Block (r, s) of f(K') is F(r ni : (r+1) ni, s ni : (s+1) ni); swapped,
 * f(A ∘ B) = P^T f(B ∘ A) P puts its entry (a, b) at F(a no + r, b no + s),
 * a sub-view with strides no times F's. */
static void unpack_blocks(const mf__kf_plan *pl, const zdouble *fb, mf_matrix *F) {
    const int64_t no = pl->outer->n, ni = pl->inner->n;
    const size_t es = mf__elem_size(F->dtype);
    for (int64_t s = 0; s < no; s++)
        for (int64_t r = 0; r < no; r++) {
            mf_matrix v = *F;
            const int64_t off = pl->swapped ? r * F->rs + s * F->cs : ni * (r * F->rs + s * F->cs);
            v.data = (char *)F->data + (size_t)off * es;
            v.rows = v.cols = ni;
            if (pl->swapped) {
                v.rs = no * F->rs;
                v.cs = no * F->cs;
            }
            mf__unpack((const double *)(fb + (r + s * no) * ni * ni), ni, MF_C128, &v);
        }
}

static mf_status formed_by_blocks(const mf__kf_plan *pl, mf_matrix *F) {
    const int64_t no = pl->outer->n, ni = pl->inner->n, N = no * ni;
    zdouble *h = alloc_z(no * ni * ni), *c = alloc_z(no * no), *fb = alloc_z(N * N);
    mf_status st = h != NULL && c != NULL && fb != NULL ? MF_OK : no_memory(pl);
    if (st == MF_OK)
        st = block_functions(pl, NULL, h);
    if (st == MF_OK) {
        blocks_from_functions(pl, h, c, fb);
        st = mf__funm_check_result(pl->cb.fn, pl->what, N, fb, F->dtype == MF_F64);
    }
    if (st == MF_OK)
        unpack_blocks(pl, fb, F);
    mf__free(h);
    mf__free(c);
    mf__free(fb);
    return st;
}

/* ------------------------------------------------------------------ */
/* SCHUR route: Schur-Parlett on the (m p) x (m p) triangular Ta ∘ Tb   */
/* ------------------------------------------------------------------ */

/* t = Ta ∘ Tb, upper triangular in the order i p + k: (Ta ⊗ Tb) has
 * entries Ta(i, j) Tb(k, l), Ta ⊕ Tb = Ta ⊗ I + I ⊗ Tb. Only the upper
 * triangles of Ta and Tb are read. */
static void triangular_kron(mf__kf_op op, const mf__kf_factor *a, const mf__kf_factor *b,
                            zdouble *t) {
    const int64_t m = a->n, p = b->n, N = m * p;
    memset(t, 0, (size_t)(N * N) * sizeof(zdouble));
    for (int64_t j = 0; j < m; j++)
        for (int64_t i = 0; i <= j; i++) {
            const zdouble aij = a->t[i + j * m];
            for (int64_t l = 0; l < p; l++)
                for (int64_t k = 0; k <= l; k++) {
                    const zdouble bkl = b->t[k + l * p];
                    t[(i * p + k) + (j * p + l) * N] =
                        op == MF__KF_PRODUCT ? aij * bkl
                                             : (k == l ? aij : 0.0) + (i == j ? bkl : 0.0);
                }
        }
}

/* z = Qa ⊗ Qb. */
static void unitary_kron(const mf__kf_factor *a, const mf__kf_factor *b, zdouble *z) {
    const int64_t m = a->n, p = b->n, N = m * p;
    for (int64_t j = 0; j < m; j++)
        for (int64_t i = 0; i < m; i++)
            for (int64_t l = 0; l < p; l++)
                for (int64_t k = 0; k < p; k++)
                    z[(i * p + k) + (j * p + l) * N] = a->q[i + j * m] * b->q[k + l * p];
}

/* f(T) and the Schur vectors Z (reordered) of K = Z T Z^H, in new
 * workspace *z, *ft (freed by the caller). */
static mf_status schur_parlett_of_kron(const mf__kf_plan *pl, zdouble **z, zdouble **ft) {
    const int64_t N = pl->outer->n * pl->inner->n;
    zdouble *t = alloc_z(N * N);
    *z = alloc_z(N * N);
    *ft = alloc_z(N * N);
    mf_status st = t != NULL && *z != NULL && *ft != NULL ? MF_OK : no_memory(pl);
    if (st == MF_OK) {
        mf__funm_timing tm;
        triangular_kron(pl->op, pl->outer, pl->inner, t);
        unitary_kron(pl->outer, pl->inner, *z);
        st = mf__funm_schur_parlett(&pl->cb, N, t, *z, *ft, &tm);
    }
    mf__free(t);
    return st;
}

static mf_status formed_by_schur(const mf__kf_plan *pl, mf_matrix *F) {
    const int64_t N = pl->outer->n * pl->inner->n;
    zdouble *z = NULL, *ft = NULL, *w = NULL;
    mf_status st = schur_parlett_of_kron(pl, &z, &ft);
    if (st == MF_OK && (w = alloc_z(N * N)) == NULL)
        st = no_memory(pl);
    if (st == MF_OK) {
        mf__funm_back_transform(N, z, ft, w, ft);
        st = mf__funm_check_result(pl->cb.fn, pl->what, N, ft, F->dtype == MF_F64);
    }
    if (st == MF_OK)
        mf__unpack((const double *)ft, N, MF_C128, F);
    mf__free(z);
    mf__free(ft);
    mf__free(w);
    return st;
}

mf_status mf__kf_formed(const mf__kf_plan *pl, mf_matrix *F) {
    return pl->route == MF__KF_SCHUR ? formed_by_schur(pl, F) : formed_by_blocks(pl, F);
}

/* ------------------------------------------------------------------ */
/* applied to blocks                                                    */
/* ------------------------------------------------------------------ */

/* Block k (p x m) of the p x (m r) matrix X, transposed (m x p) when the
 * plan is swapped: either way the ni x no block the routes work on. */
static mf_matrix block_view(const mf__kf_plan *pl, const mf_matrix *X, int64_t k) {
    const int64_t m = pl->swapped ? pl->inner->n : pl->outer->n;
    mf_matrix v = *X;
    v.data = (char *)X->data + (size_t)(k * m * X->cs) * mf__elem_size(X->dtype);
    v.cols = m;
    if (pl->swapped) {
        v.rows = m;
        v.cols = X->rows;
        v.rs = X->cs;
        v.cs = X->rs;
    }
    return v;
}

/* dst_k = src_k op(Qo) for every ni x no block; op(Qo) = conj(Qo) is
 * passed as a conjugated copy (qoc), Qo^T as a transposed Qo. */
static void right_multiply(const mf__kf_plan *pl, int64_t r, const zdouble *src, const zdouble *q,
                           enum CBLAS_TRANSPOSE tq, zdouble *dst) {
    const int64_t no = pl->outer->n, ni = pl->inner->n;
    for (int64_t k = 0; k < r; k++)
        zmm(CblasNoTrans, tq, ni, no, no, src + k * ni * no, ni, q, no, dst + k * ni * no, ni);
}

/* Column j of every block times H_j: one GEMM per j over the r blocks
 * (the columns j of consecutive blocks are ni no apart). */
static void block_diagonal_multiply(const mf__kf_plan *pl, int64_t r, const zdouble *h,
                                    const zdouble *src, zdouble *dst) {
    const int64_t no = pl->outer->n, ni = pl->inner->n;
    for (int64_t j = 0; j < no; j++)
        zmm(CblasNoTrans, CblasNoTrans, ni, r, ni, h + j * ni * ni, ni, src + j * ni, ni * no,
            dst + j * ni, ni * no);
}

/* Normal inner factor: src_k -> Qi (G o (Qi^H src_k)), two GEMMs over all
 * blocks; tmp is scratch of src's size; the result is in dst. */
static void eigen_diagonal_multiply(const mf__kf_plan *pl, int64_t r, const zdouble *g,
                                    const zdouble *src, zdouble *tmp, zdouble *dst) {
    const int64_t no = pl->outer->n, ni = pl->inner->n;
    const zdouble *qi = pl->inner->q;
    zmm(CblasConjTrans, CblasNoTrans, ni, no * r, ni, qi, ni, src, ni, tmp, ni);
    for (int64_t k = 0; k < r; k++)
        for (int64_t e = 0; e < ni * no; e++)
            tmp[k * ni * no + e] *= g[e];
    zmm(CblasNoTrans, CblasNoTrans, ni, no * r, ni, qi, ni, tmp, ni, dst, ni);
}

/* Y = f(K') X for the packed blocks x (ni x no r, overwritten); the result
 * ends in x. *fnorm receives ||f(K)||_F (unitarily invariant: ||G||_F or
 * the norm of all H_j). */
static mf_status applied_by_blocks(const mf__kf_plan *pl, int64_t r, zdouble *x, double *fnorm) {
    const int64_t no = pl->outer->n, ni = pl->inner->n, len = ni * no * r;
    const bool eigen = pl->route == MF__KF_EIGEN;
    zdouble *fvals = alloc_z(eigen ? ni * no : no * ni * ni), *t = alloc_z(len),
            *qoc = alloc_z(no * no);
    mf_status st = fvals != NULL && t != NULL && qoc != NULL ? MF_OK : no_memory(pl);
    if (st == MF_OK)
        st = eigen ? block_functions(pl, fvals, NULL) : block_functions(pl, NULL, fvals);
    if (st == MF_OK) {
        *fnorm = norm_fro(eigen ? ni * no : no * ni * ni, fvals);
        for (int64_t e = 0; e < no * no; e++)
            qoc[e] = conj(pl->outer->q[e]);
        /* W_k = X_k conj(Qo), its column j mapped by H_j; then Y_k = W_k Qo^T */
        right_multiply(pl, r, x, qoc, CblasNoTrans, t);
        zdouble *w = x;
        if (eigen) {
            eigen_diagonal_multiply(pl, r, fvals, t, x, t);
            w = t;
        } else {
            block_diagonal_multiply(pl, r, fvals, t, x);
        }
        zdouble *y = w == x ? t : x;
        right_multiply(pl, r, w, pl->outer->q, CblasTrans, y);
        if (y != x)
            memcpy(x, y, (size_t)len * sizeof(zdouble));
    }
    mf__free(fvals);
    mf__free(t);
    mf__free(qoc);
    return st;
}

/* Y = Z f(T) Z^H X for the packed N x r block x: three products with
 * the formed Z and triangular f(T), never Z f(T) Z^H itself. */
static mf_status applied_by_schur(const mf__kf_plan *pl, int64_t r, zdouble *x, double *fnorm) {
    const int64_t N = pl->outer->n * pl->inner->n;
    zdouble *z = NULL, *ft = NULL, *v = NULL;
    mf_status st = schur_parlett_of_kron(pl, &z, &ft);
    if (st == MF_OK && (v = alloc_z(N * r)) == NULL)
        st = no_memory(pl);
    if (st == MF_OK) {
        const zdouble one = 1.0;
        *fnorm = norm_fro(N * N, ft);
        zmm(CblasConjTrans, CblasNoTrans, N, r, N, z, N, x, N, v, N);
        cblas_ztrmm(CblasColMajor, CblasLeft, CblasUpper, CblasNoTrans, CblasNonUnit, (int)N,
                    (int)r, &one, ft, (int)N, v, (int)N);
        zmm(CblasNoTrans, CblasNoTrans, N, r, N, z, N, v, N, x, N);
    }
    mf__free(z);
    mf__free(ft);
    mf__free(v);
    return st;
}

/* A real Y (F64 output) must be real to roundoff at the operator's scale:
 * ||Im Y||_F <= 2^-26 ||f(K)||_F ||X||_F. Relative to ||Y|| instead, a
 * real result with cancellation (Y much smaller than ||f(K)|| ||X||) would
 * be refused for its rounding errors. */
static mf_status check_applied(const mf__kf_plan *pl, int64_t count, const zdouble *y, double fnorm,
                               double xnorm, bool want_real) {
    double im2 = 0.0;
    for (int64_t k = 0; k < count; k++) {
        if (!isfinite(creal(y[k])) || !isfinite(cimag(y[k])))
            return mf__fail(MF_EOVERFLOW, pl->cb.fn,
                            "%s vec(X) has an entry beyond the double "
                            "range",
                            pl->what);
        im2 += cimag(y[k]) * cimag(y[k]);
    }
    const double bound = MF_FUNM_REAL_TOL * fnorm * xnorm;
    if (want_real && sqrt(im2) > bound)
        return mf__fail(MF_ENOTREAL, pl->cb.fn,
                        "%s vec(X) is not real: ||Im Y||_F = %.3g exceeds "
                        "2^-26 ||f||_F ||X||_F = %.3g; use a C128 output for the complex result",
                        pl->what, sqrt(im2), bound);
    return MF_OK;
}

mf_status mf__kf_applied(const mf__kf_plan *pl, const mf_matrix *X, mf_matrix *Y) {
    const int64_t no = pl->outer->n, ni = pl->inner->n, len = no * ni;
    const int64_t r = X->cols / (pl->swapped ? ni : no);
    zdouble *x = alloc_z(len * r);
    if (x == NULL)
        return no_memory(pl);
    for (int64_t k = 0; k < r; k++) {
        const mf_matrix v = block_view(pl, X, k);
        mf__pack(&v, (double *)(x + k * len), ni, MF_C128);
    }
    const double xnorm = norm_fro(len * r, x);
    double fnorm = 0.0;
    mf_status st = pl->route == MF__KF_SCHUR ? applied_by_schur(pl, r, x, &fnorm)
                                             : applied_by_blocks(pl, r, x, &fnorm);
    if (st == MF_OK)
        st = check_applied(pl, len * r, x, fnorm, xnorm, Y->dtype == MF_F64);
    for (int64_t k = 0; k < r && st == MF_OK; k++) { /* last: Y may be X itself */
        mf_matrix v = block_view(pl, Y, k);
        mf__unpack((const double *)(x + k * len), ni, MF_C128, &v);
    }
    mf__free(x);
    return st;
}
