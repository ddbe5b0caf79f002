/*
 * Private helpers of the kron module (static inline or mf__, nothing exported).
 */
#ifndef MF_KRON_INTERNAL_H
#define MF_KRON_INTERNAL_H

#include "internal.h"

/* Complex arithmetic as soon as one input is complex (NULL entries skipped). */
static inline int32_t kron__arithmetic(const mf_matrix *const *in, int n) {
    for (int i = 0; i < n; i++)
        if (in[i] != NULL && in[i]->dtype == MF_C128)
            return MF_C128;
    return MF_F64;
}

/* The output must be C128 when any input is: a complex result cannot be
 * stored in a real output. */
static inline mf_status kron__check_out_dtype(const char *fn, const mf_matrix *const *in, int n,
                                              const char *out_arg, const mf_matrix *out) {
    if (kron__arithmetic(in, n) == MF_C128 && out->dtype != MF_C128)
        return mf__fail(MF_EDTYPE, fn, "an input is MF_C128, so output %s must be MF_C128",
                        out_arg);
    return MF_OK;
}

/* a * b as a shape, or MF_EDIM when it overflows int64. */
static inline mf_status kron__shape_product(const char *fn, const char *what, int64_t a, int64_t b,
                                            int64_t *out) {
    if (__builtin_mul_overflow(a, b, out))
        return mf__fail(MF_EDIM, fn, "%s = %lld * %lld overflows int64", what, (long long)a,
                        (long long)b);
    return MF_OK;
}

/* Validity of square factors A (m x m) and B (p x p) within the LAPACK
 * range; the finiteness scans are left to the callers' ends
 * (kron__check_finite_factors). */
static inline mf_status kron__check_square_factors(const char *fn, const mf_matrix *A,
                                                   const mf_matrix *B) {
    mf_status st = mf__check_input(fn, "A", A);
    if (st == MF_OK)
        st = mf__check_input(fn, "B", B);
    if (st == MF_OK)
        st = mf__check_square(fn, "A", A);
    if (st == MF_OK)
        st = mf__check_square(fn, "B", B);
    if (st == MF_OK)
        st = mf__check_lapack_dim(fn, "A", A->rows);
    if (st == MF_OK)
        st = mf__check_lapack_dim(fn, "B", B->rows);
    return st;
}

static inline mf_status kron__check_finite_factors(const char *fn, const mf_matrix *A,
                                                   const mf_matrix *B) {
    mf_status st = mf__check_finite(fn, "A", A);
    if (st == MF_OK)
        st = mf__check_finite(fn, "B", B);
    return st;
}

/* The checks that end every vec(Y) = K vec(X) function (K built from A and
 * B): Y rows x cols and complex when an input is, no overlap with an input
 * other than exact aliasing, then A, B and X finite. */
static inline mf_status kron__check_applied_output(const char *fn, const mf_matrix *A,
                                                   const mf_matrix *B, const mf_matrix *X,
                                                   mf_matrix *Y, int64_t rows, int64_t cols) {
    mf_status st = mf__check_output(fn, "Y", Y, rows, cols);
    const mf_matrix *ins[] = {A, B, X};
    if (st == MF_OK)
        st = kron__check_out_dtype(fn, ins, 3, "Y", Y);
    if (st == MF_OK) {
        const mf__arg outs[] = {{"Y", Y}}, in_args[] = {{"A", A}, {"B", B}, {"X", X}};
        st = mf__check_aliasing(fn, outs, 1, in_args, 3);
    }
    if (st == MF_OK)
        st = kron__check_finite_factors(fn, A, B);
    if (st == MF_OK)
        st = mf__check_finite(fn, "X", X);
    return st;
}

/* y (p x m) = b x a^T for packed column-major a (m x n), b (p x q),
 * x (q x n), all dimensions >= 1, by two GEMMs in the cheaper order; t is
 * scratch of max(p n, q m) elements (src/kron/kron_matmul.c). */
void mf__kron_matmul_packed(int32_t dt, int m, int n, int p, int q, const double *a,
                            const double *b, const double *x, double *t, double *y);

#endif /* MF_KRON_INTERNAL_H */
