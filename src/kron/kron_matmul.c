/*
 * Applying Kronecker products without forming them.
 *
 * mf_kron_matmul: (A ⊗ B) vec(X) = vec(B X A^T), two GEMMs.
 * mf_kron_matvec: (A_1 ⊗ ... ⊗ A_k) X by successive mode products: each
 * column of X is a column-major tensor whose fastest index belongs to A_k,
 * and factor i multiplies its own mode (the "shuffle" algorithm of de Boor,
 * ACM TOMS 5(2), 1979; see also Fackler, ACM TOMS 45(2), 2019).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <cblas.h>

#include "kron_internal.h"

/* C = op(A) op(B), column-major, alpha 1 and beta 0, in the arithmetic dt. */
static void gemm(int32_t dt, bool trans_a, bool trans_b, int m, int n, int k, const double *a,
                 int lda, const double *b, int ldb, double *c, int ldc) {
    const enum CBLAS_TRANSPOSE ta = trans_a ? CblasTrans : CblasNoTrans;
    const enum CBLAS_TRANSPOSE tb = trans_b ? CblasTrans : CblasNoTrans;
    if (dt == MF_C128) {
        const double one[2] = {1.0, 0.0}, zero[2] = {0.0, 0.0};
        cblas_zgemm(CblasColMajor, ta, tb, m, n, k, one, a, lda, b, ldb, zero, c, ldc);
    } else {
        cblas_dgemm(CblasColMajor, ta, tb, m, n, k, 1.0, a, lda, b, ldb, 0.0, c, ldc);
    }
}

static int ld_of(int64_t rows) { return rows > 1 ? (int)rows : 1; }

static mf_status check_int_dim(const char *fn, const char *what, int64_t n) {
    return mf__check_lapack_dim(fn, what, n);
}

/* ------------------------------------------------------------------ */
/* Two factors                                                          */
/* ------------------------------------------------------------------ */

static mf_status check_matmul_args(const char *fn, const mf_matrix *A, const mf_matrix *B,
                                   const mf_matrix *X, mf_matrix *Y) {
    mf_status st = mf__check_input(fn, "A", A);
    if (st == MF_OK)
        st = mf__check_input(fn, "B", B);
    if (st == MF_OK)
        st = mf__check_input(fn, "X", X);
    if (st == MF_OK && (X->rows != B->cols || X->cols != A->cols))
        st = mf__fail(MF_EDIM, fn, "X is %lld x %lld; with A %lld x %lld and B %lld x %lld it must "
                      "be %lld x %lld (B's columns x A's columns)", (long long)X->rows,
                      (long long)X->cols, (long long)A->rows, (long long)A->cols,
                      (long long)B->rows, (long long)B->cols, (long long)B->cols,
                      (long long)A->cols);
    if (st == MF_OK)
        st = check_int_dim(fn, "A", A->rows > A->cols ? A->rows : A->cols);
    if (st == MF_OK)
        st = check_int_dim(fn, "B", B->rows > B->cols ? B->rows : B->cols);
    if (st == MF_OK)
        st = kron__check_applied_output(fn, A, B, X, Y, B->rows, A->rows);
    return st;
}

/* y (p x m) = b x a^T for packed a (m x n), b (p x q), x (q x n), choosing
 * the cheaper association; t holds the intermediate product. Shared with
 * kron_expm.c (declared in kron_internal.h). */
void mf__kron_matmul_packed(int32_t dt, int m, int n, int p, int q, const double *a,
                            const double *b, const double *x, double *t, double *y) {
    const double cost_bx_first = (double)p * q * n + (double)p * n * m;
    const double cost_xa_first = (double)q * n * m + (double)p * q * m;
    if (cost_bx_first <= cost_xa_first) {
        gemm(dt, false, false, p, n, q, b, ld_of(p), x, ld_of(q), t, ld_of(p));   /* t = B X */
        gemm(dt, false, true, p, m, n, t, ld_of(p), a, ld_of(m), y, ld_of(p));    /* y = t A^T */
    } else {
        gemm(dt, false, true, q, m, n, x, ld_of(q), a, ld_of(m), t, ld_of(q));    /* t = X A^T */
        gemm(dt, false, false, p, m, q, b, ld_of(p), t, ld_of(q), y, ld_of(p));   /* y = B t */
    }
}

mf_status mf_kron_matmul(const mf_matrix *A, const mf_matrix *B, const mf_matrix *X,
                         mf_matrix *Y) {
    static const char fn[] = "mf_kron_matmul";
    mf_status st = check_matmul_args(fn, A, B, X, Y);
    if (st != MF_OK || mf__is_empty(Y))
        return st;
    const mf_matrix *ins[] = {A, B, X};
    const int32_t dt = kron__arithmetic(ins, 3);
    const int m = (int)A->rows, n = (int)A->cols, p = (int)B->rows, q = (int)B->cols;
    const int64_t t_len = (int64_t)p * n > (int64_t)q * m ? (int64_t)p * n : (int64_t)q * m;
    double *a = mf__packed_copy(A, dt), *b = mf__packed_copy(B, dt), *x = mf__packed_copy(X, dt);
    double *t = mf__alloc_array(t_len > 0 ? t_len : 1, mf__elem_size(dt));
    double *y = mf__alloc_array((int64_t)p * m, mf__elem_size(dt));
    if (a == NULL || b == NULL || x == NULL || t == NULL || y == NULL) {
        st = mf__fail(MF_ENOMEM, fn, "cannot allocate workspace for A %d x %d, B %d x %d", m, n, p,
                      q);
    } else {
        if (n == 0 || q == 0) /* an empty sum: Y = 0 */
            memset(y, 0, (size_t)p * (size_t)m * mf__elem_size(dt));
        else
            mf__kron_matmul_packed(dt, m, n, p, q, a, b, x, t, y);
        mf__unpack(y, ld_of(p), dt, Y);
    }
    mf__free(a);
    mf__free(b);
    mf__free(x);
    mf__free(t);
    mf__free(y);
    return st;
}

/* ------------------------------------------------------------------ */
/* k factors                                                            */
/* ------------------------------------------------------------------ */

static mf_status check_factor(const char *fn, int64_t i, const mf_matrix *F) {
    char name[40];
    snprintf(name, sizeof name, "factors[%lld]", (long long)i);
    mf_status st = mf__check_input(fn, name, F);
    if (st == MF_OK)
        st = check_int_dim(fn, name, F->rows > F->cols ? F->rows : F->cols);
    return st;
}

/* Product of the factors' row (or column) counts, with overflow check. */
static mf_status dims_product(const char *fn, int64_t k, const mf_matrix *factors, bool rows,
                              int64_t *out) {
    int64_t prod = 1;
    for (int64_t i = 0; i < k; i++) {
        mf_status st = kron__shape_product(fn, rows ? "product of factor rows" :
                                           "product of factor columns", prod,
                                           rows ? factors[i].rows : factors[i].cols, &prod);
        if (st != MF_OK)
            return st;
    }
    *out = prod;
    return MF_OK;
}

static mf_status check_matvec_args(const char *fn, int64_t k, const mf_matrix *factors,
                                   const mf_matrix *X, mf_matrix *Y) {
    if (k < 1)
        return mf__fail(MF_EINVAL, fn, "k = %lld; at least one factor is needed", (long long)k);
    if (factors == NULL)
        return mf__fail(MF_EINVAL, fn, "argument factors is NULL");
    mf_status st = MF_OK;
    for (int64_t i = 0; i < k && st == MF_OK; i++)
        st = check_factor(fn, i, &factors[i]);
    if (st == MF_OK)
        st = mf__check_input(fn, "X", X);
    int64_t in_len = 0, out_len = 0;
    if (st == MF_OK)
        st = dims_product(fn, k, factors, false, &in_len);
    if (st == MF_OK)
        st = dims_product(fn, k, factors, true, &out_len);
    if (st == MF_OK && X->rows != in_len)
        st = mf__fail(MF_EDIM, fn, "X has %lld rows; the product of the factors' column counts "
                      "is %lld", (long long)X->rows, (long long)in_len);
    if (st == MF_OK)
        st = mf__check_output(fn, "Y", Y, out_len, X->cols);
    int32_t dt = MF_F64;
    for (int64_t i = 0; i < k && st == MF_OK; i++)
        dt = factors[i].dtype == MF_C128 || X->dtype == MF_C128 ? MF_C128 : dt;
    if (st == MF_OK && dt == MF_C128 && Y->dtype != MF_C128)
        st = mf__fail(MF_EDTYPE, fn, "an input is MF_C128, so output Y must be MF_C128");
    const mf__arg outs[] = {{"Y", Y}}, x_arg[] = {{"X", X}};
    if (st == MF_OK)
        st = mf__check_aliasing(fn, outs, 1, x_arg, 1);
    for (int64_t i = 0; i < k && st == MF_OK; i++) {
        const mf__arg f_arg[] = {{"a factor", &factors[i]}};
        st = mf__check_aliasing(fn, outs, 1, f_arg, 1);
    }
    for (int64_t i = 0; i < k && st == MF_OK; i++) {
        char name[40];
        snprintf(name, sizeof name, "factors[%lld]", (long long)i);
        st = mf__check_finite(fn, name, &factors[i]);
    }
    if (st == MF_OK)
        st = mf__check_finite(fn, "X", X);
    return st;
}

/* Application order: factors with the smallest m_i / n_i first, so the
 * intermediate tensors shrink as early as possible (insertion sort, stable). */
static void order_by_ratio(int64_t k, const mf_matrix *factors, int64_t *order) {
    for (int64_t i = 0; i < k; i++) {
        int64_t j = i;
        const mf_matrix *f = &factors[i];
        while (j > 0) {
            const mf_matrix *g = &factors[order[j - 1]];
            /* f->rows / f->cols < g->rows / g->cols, without division */
            if ((double)f->rows * (double)g->cols >= (double)g->rows * (double)f->cols)
                break;
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
}

/* Current mode sizes: dims[i] is the present extent of factor i's mode. The
 * mode of factor i has stride L = prod_{j>i} dims[j] and the slices number
 * R = r prod_{j<i} dims[j]. */
static void mode_extents(int64_t k, const int64_t *dims, int64_t i, int64_t r, int64_t *L,
                         int64_t *R) {
    int64_t l = 1, rr = r;
    for (int64_t j = i + 1; j < k; j++)
        l *= dims[j];
    for (int64_t j = 0; j < i; j++)
        rr *= dims[j];
    *L = l;
    *R = rr;
}

/* Plan the steps: the largest intermediate (elements) and whether every
 * GEMM dimension fits the BLAS integer. */
static mf_status plan_steps(const char *fn, int64_t k, const mf_matrix *factors,
                            const int64_t *order, int64_t r, int64_t *dims, int64_t *max_len) {
    int64_t size = r;
    for (int64_t i = 0; i < k; i++) {
        dims[i] = factors[i].cols;
        size *= dims[i]; /* bounded by X's element count, validated */
    }
    *max_len = size;
    for (int64_t s = 0; s < k; s++) {
        const int64_t i = order[s];
        int64_t L, R;
        mode_extents(k, dims, i, r, &L, &R);
        mf_status st = check_int_dim(fn, "a mode stride of the intermediate tensor", L);
        if (st == MF_OK)
            st = check_int_dim(fn, "a slice count of the intermediate tensor", R);
        if (st != MF_OK)
            return st;
        size = L * R * factors[i].rows; /* <= max(X, Y) sizes: shrinking first */
        dims[i] = factors[i].rows;
        *max_len = size > *max_len ? size : *max_len;
    }
    return MF_OK;
}

/* out(l, a, s) = sum_b F(a, b) in(l, b, s): the mode product of one factor. */
static void mode_product(int32_t dt, const double *f, int m_i, int n_i, int64_t L, int64_t R,
                         const double *in, double *out) {
    const size_t es = mf__elem_size(dt) / sizeof(double);
    if (L == 1) {
        gemm(dt, false, false, m_i, (int)R, n_i, f, ld_of(m_i), in, ld_of(n_i), out, ld_of(m_i));
        return;
    }
    /* each slice is an L x n_i column-major block: out_s = in_s F^T */
    for (int64_t s = 0; s < R; s++)
        gemm(dt, false, true, (int)L, m_i, n_i, in + es * (size_t)(s * L * n_i), (int)L, f,
             ld_of(m_i), out + es * (size_t)(s * L * m_i), (int)L);
}

typedef struct matvec_work {
    double **packed; /* k packed factors */
    double *buf[2];
    int64_t *order, *dims;
} matvec_work;

static void matvec_release(int64_t k, matvec_work *w) {
    for (int64_t i = 0; w->packed != NULL && i < k; i++)
        mf__free(w->packed[i]);
    mf__free(w->packed);
    mf__free(w->buf[0]);
    mf__free(w->buf[1]);
    mf__free(w->order);
    mf__free(w->dims);
}

static bool matvec_pack_factors(int64_t k, const mf_matrix *factors, int32_t dt, matvec_work *w) {
    w->packed = mf__alloc_array(k, sizeof(double *));
    if (w->packed == NULL)
        return false;
    for (int64_t i = 0; i < k; i++)
        w->packed[i] = NULL;
    for (int64_t i = 0; i < k; i++)
        if ((w->packed[i] = mf__packed_copy(&factors[i], dt)) == NULL)
            return false;
    return true;
}

mf_status mf_kron_matvec(int64_t k, const mf_matrix *factors, const mf_matrix *X, mf_matrix *Y) {
    static const char fn[] = "mf_kron_matvec";
    mf_status st = check_matvec_args(fn, k, factors, X, Y);
    if (st != MF_OK || mf__is_empty(Y))
        return st;
    int32_t dt = X->dtype;
    for (int64_t i = 0; i < k; i++)
        dt = factors[i].dtype == MF_C128 ? MF_C128 : dt;
    const size_t es = mf__elem_size(dt);
    const int64_t r = X->cols;
    matvec_work w = {NULL, {NULL, NULL}, NULL, NULL};
    w.order = mf__alloc_array(k, sizeof(int64_t));
    w.dims = mf__alloc_array(k, sizeof(int64_t));
    if (w.order == NULL || w.dims == NULL || !matvec_pack_factors(k, factors, dt, &w)) {
        matvec_release(k, &w);
        return mf__fail(MF_ENOMEM, fn, "cannot allocate workspace for %lld factors", (long long)k);
    }
    order_by_ratio(k, factors, w.order);
    int64_t max_len = 0;
    if (X->rows == 0) { /* some n_i = 0: an empty sum, Y = 0 */
        w.buf[0] = mf__alloc_array(Y->rows * r, es);
        if (w.buf[0] == NULL)
            st = mf__fail(MF_ENOMEM, fn, "cannot allocate a %lld x %lld result", (long long)Y->rows,
                          (long long)r);
        else
            memset(w.buf[0], 0, (size_t)(Y->rows * r) * es);
    } else if ((st = plan_steps(fn, k, factors, w.order, r, w.dims, &max_len)) == MF_OK) {
        w.buf[0] = mf__alloc_array(max_len, es);
        w.buf[1] = mf__alloc_array(max_len, es);
        if (w.buf[0] == NULL || w.buf[1] == NULL)
            st = mf__fail(MF_ENOMEM, fn, "cannot allocate two %lld-element intermediates",
                          (long long)max_len);
    }
    if (st != MF_OK) {
        matvec_release(k, &w);
        return st;
    }
    int cur = 0;
    if (X->rows > 0) {
        mf__pack(X, w.buf[0], X->rows, dt);
        for (int64_t i = 0; i < k; i++)
            w.dims[i] = factors[i].cols;
        for (int64_t s = 0; s < k; s++) {
            const int64_t i = w.order[s];
            int64_t L, R;
            mode_extents(k, w.dims, i, r, &L, &R);
            mode_product(dt, w.packed[i], (int)factors[i].rows, (int)factors[i].cols, L, R,
                         w.buf[cur], w.buf[1 - cur]);
            w.dims[i] = factors[i].rows;
            cur = 1 - cur;
        }
    }
    mf__unpack(w.buf[cur], Y->rows > 1 ? Y->rows : 1, dt, Y);
    matvec_release(k, &w);
    return MF_OK;
}
