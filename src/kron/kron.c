/*
 * Forming Kronecker-type products: mf_kron, mf_kronsum, mf_khatri_rao.
 * These are the only functions of the module that build the big matrix;
 * they write K directly (no workspace), element by element, after checking
 * that every entry will be finite (MF_EOVERFLOW otherwise, K untouched).
 * In-place use is safe because an output can only alias an input when the
 * other factor is 1 x 1 (or a single row), and then every output element
 * depends only on the input element at the same position, which is read
 * before it is written.
 */
#include "mfcomplex.h"
#include <float.h>
#include <math.h>

#include "kron_internal.h"

typedef double _Complex zdouble;

static inline zdouble get(const mf_matrix *m, int64_t i, int64_t j) {
    const double *p = m->data;
    if (m->dtype == MF_C128) {
        const double *e = p + 2 * (i * m->rs + j * m->cs);
        return CMPLX(e[0], e[1]);
    }
    return p[i * m->rs + j * m->cs];
}

static inline void put(mf_matrix *m, int64_t i, int64_t j, zdouble v) {
    double *p = m->data;
    if (m->dtype == MF_C128) {
        double *e = p + 2 * (i * m->rs + j * m->cs);
        e[0] = creal(v);
        e[1] = cimag(v);
    } else {
        p[i * m->rs + j * m->cs] = creal(v);
    }
}

/* Validity of two inputs and the output's shape, dtype and overlap; the
 * (cheap) finiteness scans come last, as in every module. */
static mf_status check_pair(const char *fn, const mf_matrix *A, const mf_matrix *B, mf_matrix *K,
                            int64_t rows, int64_t cols) {
    mf_status st = mf__check_output(fn, "K", K, rows, cols);
    const mf_matrix *ins[] = {A, B};
    if (st == MF_OK)
        st = kron__check_out_dtype(fn, ins, 2, "K", K);
    if (st == MF_OK) {
        const mf__arg outs[] = {{"K", K}}, in_args[] = {{"A", A}, {"B", B}};
        st = mf__check_aliasing(fn, outs, 1, in_args, 2);
    }
    if (st == MF_OK)
        st = mf__check_finite(fn, "A", A);
    if (st == MF_OK)
        st = mf__check_finite(fn, "B", B);
    return st;
}

static mf_status check_inputs(const char *fn, const mf_matrix *A, const mf_matrix *B) {
    mf_status st = mf__check_input(fn, "A", A);
    return st == MF_OK ? mf__check_input(fn, "B", B) : st;
}

/* Largest modulus of an entry (cabs may overflow to Inf for a complex
 * entry near DBL_MAX; the callers then fall back to the exact scan). */
static double max_modulus(const mf_matrix *m) {
    double big = 0.0;
    for (int64_t j = 0; j < m->cols; j++)
        for (int64_t i = 0; i < m->rows; i++) {
            const double v = cabs(get(m, i, j));
            big = v > big ? v : big;
        }
    return big;
}

/* A product of two entries, as the writers compute it, can leave the double
 * range although both are finite; K must then not be touched. Each entry of
 * K is one such product, so |entry| <= max|A| max|B|: below DBL_MAX / 2 no
 * computed product (nor a sum of its two real terms in complex arithmetic)
 * can overflow, which settles the common case in O(size of A + size of B).
 * Otherwise every product is formed exactly as the writer will form it and
 * tested, so MF_EOVERFLOW means that the result really is not representable
 * rather than that a bound was exceeded. Khatri-Rao pairs column j of A with
 * column j of B only (same_column). */
static mf_status check_products(const char *fn, const mf_matrix *A, const mf_matrix *B,
                                bool same_column) {
    if (max_modulus(A) * max_modulus(B) <= DBL_MAX / 2)
        return MF_OK;
    for (int64_t j = 0; j < A->cols; j++)
        for (int64_t l = same_column ? j : 0; l < (same_column ? j + 1 : B->cols); l++)
            for (int64_t i = 0; i < A->rows; i++) {
                const zdouble a = get(A, i, j);
                for (int64_t k = 0; k < B->rows; k++) {
                    const zdouble v = a * get(B, k, l);
                    if (!isfinite(creal(v)) || !isfinite(cimag(v)))
                        return mf__fail(MF_EOVERFLOW, fn, "A(%lld, %lld) B(%lld, %lld) is beyond the "
                                        "double range (moduli %g and %g)", (long long)i,
                                        (long long)j, (long long)k, (long long)l, cabs(a),
                                        cabs(get(B, k, l)));
                }
            }
    return MF_OK;
}

/* K(i p + k, j q + l) = A(i, j) B(k, l) */
static void write_kron(const mf_matrix *A, const mf_matrix *B, mf_matrix *K) {
    const int64_t p = B->rows, q = B->cols;
    for (int64_t j = 0; j < A->cols; j++)
        for (int64_t i = 0; i < A->rows; i++) {
            const zdouble a = get(A, i, j);
            for (int64_t l = 0; l < q; l++)
                for (int64_t k = 0; k < p; k++)
                    put(K, i * p + k, j * q + l, a * get(B, k, l));
        }
}

mf_status mf_kron(const mf_matrix *A, const mf_matrix *B, mf_matrix *K) {
    static const char fn[] = "mf_kron";
    mf_status st = check_inputs(fn, A, B);
    int64_t rows = 0, cols = 0;
    if (st == MF_OK)
        st = kron__shape_product(fn, "rows of K", A->rows, B->rows, &rows);
    if (st == MF_OK)
        st = kron__shape_product(fn, "columns of K", A->cols, B->cols, &cols);
    if (st == MF_OK)
        st = check_pair(fn, A, B, K, rows, cols);
    if (st == MF_OK)
        st = check_products(fn, A, B, false);
    if (st != MF_OK)
        return st;
    write_kron(A, B, K);
    return MF_OK;
}

/* The only sums in A ⊕ B are A(i, i) + B(k, k) on its diagonal (every other
 * entry is one entry of A or B), so checking those m p sums, computed as
 * write_kronsum computes them, is exact and cheap. */
static mf_status check_kronsum_diagonal(const char *fn, const mf_matrix *A, const mf_matrix *B) {
    for (int64_t i = 0; i < A->rows; i++)
        for (int64_t k = 0; k < B->rows; k++) {
            const zdouble v = get(A, i, i) + get(B, k, k);
            if (!isfinite(creal(v)) || !isfinite(cimag(v)))
                return mf__fail(MF_EOVERFLOW, fn, "the diagonal sum A(%lld, %lld) + B(%lld, %lld) "
                                "is beyond the double range", (long long)i, (long long)i,
                                (long long)k, (long long)k);
        }
    return MF_OK;
}

/* K = A ⊗ I_p + I_m ⊗ B: block (i, j) of size p x p is A(i, j) I + [i == j] B. */
static void write_kronsum(const mf_matrix *A, const mf_matrix *B, mf_matrix *K) {
    const int64_t m = A->rows, p = B->rows;
    for (int64_t j = 0; j < m; j++)
        for (int64_t i = 0; i < m; i++) {
            const zdouble a = get(A, i, j);
            for (int64_t l = 0; l < p; l++)
                for (int64_t k = 0; k < p; k++) {
                    zdouble v = (k == l ? a : 0.0) + (i == j ? get(B, k, l) : 0.0);
                    put(K, i * p + k, j * p + l, v);
                }
        }
}

mf_status mf_kronsum(const mf_matrix *A, const mf_matrix *B, mf_matrix *K) {
    static const char fn[] = "mf_kronsum";
    mf_status st = check_inputs(fn, A, B);
    if (st == MF_OK)
        st = mf__check_square(fn, "A", A);
    if (st == MF_OK)
        st = mf__check_square(fn, "B", B);
    int64_t n = 0;
    if (st == MF_OK)
        st = kron__shape_product(fn, "order of K", A->rows, B->rows, &n);
    if (st == MF_OK)
        st = check_pair(fn, A, B, K, n, n);
    if (st == MF_OK)
        st = check_kronsum_diagonal(fn, A, B);
    if (st != MF_OK)
        return st;
    write_kronsum(A, B, K);
    return MF_OK;
}

/* K(i p + k, j) = A(i, j) B(k, j) */
static void write_khatri_rao(const mf_matrix *A, const mf_matrix *B, mf_matrix *K) {
    const int64_t p = B->rows;
    for (int64_t j = 0; j < A->cols; j++)
        for (int64_t i = 0; i < A->rows; i++) {
            const zdouble a = get(A, i, j);
            for (int64_t k = 0; k < p; k++)
                put(K, i * p + k, j, a * get(B, k, j));
        }
}

mf_status mf_khatri_rao(const mf_matrix *A, const mf_matrix *B, mf_matrix *K) {
    static const char fn[] = "mf_khatri_rao";
    mf_status st = check_inputs(fn, A, B);
    if (st == MF_OK && A->cols != B->cols)
        st = mf__fail(MF_EDIM, fn, "A is %lld x %lld and B is %lld x %lld: the column counts "
                      "must agree", (long long)A->rows, (long long)A->cols, (long long)B->rows,
                      (long long)B->cols);
    int64_t rows = 0;
    if (st == MF_OK)
        st = kron__shape_product(fn, "rows of K", A->rows, B->rows, &rows);
    if (st == MF_OK)
        st = check_pair(fn, A, B, K, rows, A->cols);
    if (st == MF_OK)
        st = check_products(fn, A, B, true);
    if (st != MF_OK)
        return st;
    write_khatri_rao(A, B, K);
    return MF_OK;
}
