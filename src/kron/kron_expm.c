/*
 * The exponential of a Kronecker sum through its factors.
 *
 * A ⊗ I_p and I_m ⊗ B commute (both products equal A ⊗ B), so
 *
 *     exp(A ⊕ B) = exp(A ⊗ I) exp(I ⊗ B) = (exp(A) ⊗ I)(I ⊗ exp(B))
 *                = exp(A) ⊗ exp(B)
 *
 * for any square A and B, normal or not (Higham, Functions of Matrices,
 * 2008, Thm. 10.9 and its Kronecker corollary). Two exponentials of orders
 * m and p replace one of order m p: O(m^3 + p^3) instead of O(m^3 p^3).
 * mf_kronsum_expm forms exp(A) ⊗ exp(B) only in the caller's output;
 * mf_kronsum_expm_matmul applies it as vec(Y) = vec(exp(B) X exp(A)^T)
 * and never forms it.
 */
#include <float.h>
#include <math.h>

#include "mfcomplex.h"

#include "funcs/expm.h"
#include "kron_internal.h"

/* exp(M) of a validated square input, packed column-major (ld = n) in the
 * arithmetic dt. NULL result with the status in *st on failure (allocation,
 * or exp(M) overflowing, reported by the exponential under fn). */
static double *packed_expm(const char *fn, const mf_matrix *M, int32_t dt, mf_status *st) {
    const int64_t n = M->rows;
    const bool cplx = dt == MF_C128;
    const int64_t mat = n * n * (cplx ? 2 : 1);
    double *a = mf__alloc_array(mat + mf__expm_work_doubles(n, cplx), sizeof(double));
    if (a == NULL) {
        *st = mf__fail(MF_ENOMEM, fn, "cannot allocate exponential workspace (%lld x %lld)",
                       (long long)n, (long long)n);
        return NULL;
    }
    mf__pack(M, a, n > 1 ? n : 1, dt);
    *st = n > 0 ? mf__expm_packed(fn, n, cplx, a, a + mat, NULL, NULL) : MF_OK;
    if (*st != MF_OK) {
        mf__free(a);
        return NULL;
    }
    return a;
}

/* Largest |entry| of a packed count-element buffer. */
static double max_abs(int32_t dt, int64_t count, const double *a) {
    double best = 0.0;
    for (int64_t i = 0; i < count; i++) {
        const double v = dt == MF_C128 ? hypot(a[2 * i], a[2 * i + 1]) : fabs(a[i]);
        best = v > best ? v : best;
    }
    return best;
}

/* The largest entry of exp(A) ⊗ exp(B) is the product of the factors'
 * largest entries: refuse when it is beyond the double range, before any
 * output is written. */
static mf_status check_product_range(const char *fn, int32_t dt, int64_t m, const double *ea,
                                     int64_t p, const double *eb) {
    const double amax = max_abs(dt, m * m, ea), bmax = max_abs(dt, p * p, eb);
    if (amax * bmax > DBL_MAX)
        return mf__fail(MF_EOVERFLOW, fn, "exp(A) ⊗ exp(B) has an entry beyond the double range "
                        "(max |exp(A)| = %.3g, max |exp(B)| = %.3g)", amax, bmax);
    return MF_OK;
}

/* ------------------------------------------------------------------ */
/* Formed: E = exp(A) ⊗ exp(B)                                          */
/* ------------------------------------------------------------------ */

static mf_status check_expm_args(const char *fn, const mf_matrix *A, const mf_matrix *B,
                                 mf_matrix *E) {
    mf_status st = kron__check_square_factors(fn, A, B);
    int64_t order = 0;
    if (st == MF_OK)
        st = kron__shape_product(fn, "the order of A ⊕ B", A->rows, B->rows, &order);
    if (st == MF_OK)
        st = mf__check_output(fn, "E", E, order, order);
    const mf_matrix *ins[] = {A, B};
    if (st == MF_OK)
        st = kron__check_out_dtype(fn, ins, 2, "E", E);
    if (st == MF_OK) {
        const mf__arg outs[] = {{"E", E}}, in_args[] = {{"A", A}, {"B", B}};
        st = mf__check_aliasing(fn, outs, 1, in_args, 2);
    }
    if (st == MF_OK)
        st = kron__check_finite_factors(fn, A, B);
    return st;
}

mf_status mf_kronsum_expm(const mf_matrix *A, const mf_matrix *B, mf_matrix *E) {
    static const char fn[] = "mf_kronsum_expm";
    mf_status st = check_expm_args(fn, A, B, E);
    if (st != MF_OK || mf__is_empty(E))
        return st;
    const mf_matrix *ins[] = {A, B};
    const int32_t dt = kron__arithmetic(ins, 2);
    const int64_t m = A->rows, p = B->rows;
    double *ea = packed_expm(fn, A, dt, &st), *eb = NULL;
    if (st == MF_OK)
        eb = packed_expm(fn, B, dt, &st);
    if (st == MF_OK)
        st = check_product_range(fn, dt, m, ea, p, eb);
    if (st == MF_OK) {
        /* Written last: E may be A itself (p = 1) or B itself (m = 1). */
        const mf_matrix va = {ea, m, m, 1, m, dt, 0}, vb = {eb, p, p, 1, p, dt, 0};
        st = mf_kron(&va, &vb, E);
    }
    mf__free(ea);
    mf__free(eb);
    return st;
}

/* ------------------------------------------------------------------ */
/* Applied: vec(Y) = exp(A ⊕ B) vec(X) = vec(exp(B) X exp(A)^T)        */
/* ------------------------------------------------------------------ */

static mf_status check_apply_args(const char *fn, const mf_matrix *A, const mf_matrix *B,
                                  const mf_matrix *X, mf_matrix *Y) {
    mf_status st = kron__check_square_factors(fn, A, B);
    if (st == MF_OK)
        st = mf__check_input(fn, "X", X);
    if (st == MF_OK && (X->rows != B->rows || X->cols != A->rows))
        st = mf__fail(MF_EDIM, fn, "X is %lld x %lld; with A %lld x %lld and B %lld x %lld it must "
                      "be %lld x %lld (B's order x A's order)", (long long)X->rows,
                      (long long)X->cols, (long long)A->rows, (long long)A->cols,
                      (long long)B->rows, (long long)B->cols, (long long)B->rows,
                      (long long)A->rows);
    if (st == MF_OK)
        st = kron__check_applied_output(fn, A, B, X, Y, X->rows, X->cols);
    return st;
}

/* Any Inf or NaN in the packed result means exp(B) X exp(A)^T overflowed. */
static mf_status check_result_finite(const char *fn, int32_t dt, int64_t count, const double *y) {
    const int64_t parts = dt == MF_C128 ? 2 : 1;
    for (int64_t i = 0; i < parts * count; i++)
        if (!isfinite(y[i]))
            return mf__fail(MF_EOVERFLOW, fn, "exp(B) X exp(A)^T has an entry beyond the double "
                            "range");
    return MF_OK;
}

mf_status mf_kronsum_expm_matmul(const mf_matrix *A, const mf_matrix *B, const mf_matrix *X,
                                 mf_matrix *Y) {
    static const char fn[] = "mf_kronsum_expm_matmul";
    mf_status st = check_apply_args(fn, A, B, X, Y);
    if (st != MF_OK || mf__is_empty(Y))
        return st;
    const mf_matrix *ins[] = {A, B, X};
    const int32_t dt = kron__arithmetic(ins, 3);
    const int m = (int)A->rows, p = (int)B->rows;
    const int64_t len = (int64_t)p * m;
    double *ea = packed_expm(fn, A, dt, &st), *eb = NULL, *x = NULL, *t = NULL, *y = NULL;
    if (st == MF_OK)
        eb = packed_expm(fn, B, dt, &st);
    if (st == MF_OK) {
        x = mf__packed_copy(X, dt);
        t = mf__alloc_array(len, mf__elem_size(dt));
        y = mf__alloc_array(len, mf__elem_size(dt));
        if (x == NULL || t == NULL || y == NULL)
            st = mf__fail(MF_ENOMEM, fn, "cannot allocate %d x %d workspace", p, m);
    }
    if (st == MF_OK) {
        mf__kron_matmul_packed(dt, m, m, p, p, ea, eb, x, t, y);
        st = check_result_finite(fn, dt, len, y);
    }
    if (st == MF_OK)
        mf__unpack(y, p, dt, Y); /* last: Y may be X itself */
    mf__free(ea);
    mf__free(eb);
    mf__free(x);
    mf__free(t);
    mf__free(y);
    return st;
}
