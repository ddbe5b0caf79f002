/*
 * Argument validation shared by every public function. All the rules about
 * what a descriptor may look like live here, each with the reason for it.
 */
#include <math.h>
#include <string.h>

#include "internal.h"

/* Largest element offset of a non-empty m, or -1 if it overflows int64.
 * Byte offsets must also fit, so that pointer arithmetic is defined. */
static int64_t last_offset(const mf_matrix *m) {
    int64_t a, b;
    if (__builtin_mul_overflow(m->rows - 1, m->rs, &a) ||
        __builtin_mul_overflow(m->cols - 1, m->cs, &b) || __builtin_add_overflow(a, b, &a))
        return -1;
    if (a > INT64_MAX / (int64_t)(2 * sizeof(double)) - 1)
        return -1;
    return a;
}

mf_status mf__check_input(const char *fn, const char *arg, const mf_matrix *m) {
    if (m == NULL)
        return mf__fail(MF_EINVAL, fn, "argument %s is NULL", arg);
    if (m->dtype != MF_F64 && m->dtype != MF_C128)
        return mf__fail(MF_EINVAL, fn, "argument %s has unknown dtype tag %d (MF_F64 = 1, MF_C128 = 2)",
                        arg, (int)m->dtype);
    /* flags is reserved so that future meaning cannot be misread as today's. */
    if (m->flags != 0)
        return mf__fail(MF_EINVAL, fn, "argument %s has flags %d; reserved, must be 0", arg,
                        (int)m->flags);
    if (m->rows < 0 || m->cols < 0)
        return mf__fail(MF_EINVAL, fn, "argument %s has negative shape %lld x %lld", arg,
                        (long long)m->rows, (long long)m->cols);
    /* Strides >= 1 even for empty or single-row/column views: zero or negative
     * strides would let one element stand for many, which outputs cannot allow. */
    if (m->rs < 1 || m->cs < 1)
        return mf__fail(MF_EINVAL, fn, "argument %s has strides rs = %lld, cs = %lld; both must be >= 1",
                        arg, (long long)m->rs, (long long)m->cs);
    if (mf__is_empty(m))
        return MF_OK;
    if (m->data == NULL)
        return mf__fail(MF_EINVAL, fn, "argument %s (%lld x %lld) has NULL data", arg,
                        (long long)m->rows, (long long)m->cols);
    if (last_offset(m) < 0)
        return mf__fail(MF_EINVAL, fn, "argument %s: shape %lld x %lld with strides (%lld, %lld) "
                        "overflows the address range", arg, (long long)m->rows, (long long)m->cols,
                        (long long)m->rs, (long long)m->cs);
    return MF_OK;
}

/* Elements of m are pairwise distinct when one stride steps over the whole
 * extent of the other dimension (column-major, row-major and their padded
 * forms). Interleaved layouts that happen not to collide are refused too:
 * proving them safe needs number theory no real caller needs. */
static bool elements_distinct(const mf_matrix *m) {
    if (m->rows <= 1 || m->cols <= 1)
        return true;
    return m->cs >= m->rs * m->rows || m->rs >= m->cs * m->cols;
}

mf_status mf__check_output(const char *fn, const char *arg, const mf_matrix *m, int64_t rows,
                           int64_t cols) {
    mf_status s = mf__check_input(fn, arg, m);
    if (s != MF_OK)
        return s;
    if (m->rows != rows || m->cols != cols)
        return mf__fail(MF_EDIM, fn, "output %s is %lld x %lld; expected %lld x %lld", arg,
                        (long long)m->rows, (long long)m->cols, (long long)rows, (long long)cols);
    if (!elements_distinct(m))
        return mf__fail(MF_EINVAL, fn, "output %s: strides (%lld, %lld) make elements overlap", arg,
                        (long long)m->rs, (long long)m->cs);
    return MF_OK;
}

mf_status mf__check_square(const char *fn, const char *arg, const mf_matrix *m) {
    if (m->rows != m->cols)
        return mf__fail(MF_EDIM, fn, "argument %s is %lld x %lld; a square matrix is needed", arg,
                        (long long)m->rows, (long long)m->cols);
    return MF_OK;
}

/* Position of the first NaN or Inf of m in column-major order (false if
 * none), whatever the walk order of the scan, so messages do not depend on
 * the layout. */
static bool find_nonfinite(const mf_matrix *m, int64_t *row, int64_t *col) {
    const double *p = m->data;
    const int64_t parts = m->dtype == MF_C128 ? 2 : 1;
    for (int64_t j = 0; j < m->cols; j++)
        for (int64_t i = 0; i < m->rows; i++) {
            const double *e = p + parts * (i * m->rs + j * m->cs);
            if (!isfinite(e[0]) || (parts == 2 && !isfinite(e[1]))) {
                *row = i;
                *col = j;
                return true;
            }
        }
    return false;
}

/* Inf and NaN are exactly the doubles whose exponent bits are all ones;
 * testing bits with integer OR reductions lets the compiler vectorize the
 * scan, which floating-point reductions would not allow. */
static inline uint64_t nonfinite_bit(double x) {
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return (u & 0x7ff0000000000000ull) == 0x7ff0000000000000ull;
}

/* The scan walks memory in storage order (inner loop along the smaller
 * stride); the slow search for the position runs only when something is
 * wrong. */
static bool all_finite(const mf_matrix *m) {
    const double *p = m->data;
    const int64_t parts = m->dtype == MF_C128 ? 2 : 1;
    const bool by_columns = m->rs <= m->cs;
    const int64_t outer = by_columns ? m->cols : m->rows, inner = by_columns ? m->rows : m->cols;
    const int64_t so = parts * (by_columns ? m->cs : m->rs), si = parts * (by_columns ? m->rs : m->cs);
    uint64_t bad = 0;
    for (int64_t o = 0; o < outer && !bad; o++) {
        const double *line = p + o * so;
        if (si == parts) /* contiguous run of inner elements */
            for (int64_t k = 0; k < inner * parts; k++)
                bad |= nonfinite_bit(line[k]);
        else
            for (int64_t k = 0; k < inner; k++)
                for (int64_t q = 0; q < parts; q++)
                    bad |= nonfinite_bit(line[k * si + q]);
    }
    return !bad;
}

mf_status mf__check_finite(const char *fn, const char *arg, const mf_matrix *m) {
    int64_t i = 0, j = 0;
    if (all_finite(m) || !find_nonfinite(m, &i, &j))
        return MF_OK;
    return mf__fail(MF_ENONFINITE, fn, "argument %s has a non-finite entry at (%lld, %lld)", arg,
                    (long long)i, (long long)j);
}

mf_status mf__check_result_finite(const char *fn, const char *what, const mf_matrix *w) {
    int64_t i = 0, j = 0;
    if (all_finite(w) || !find_nonfinite(w, &i, &j))
        return MF_OK;
    return mf__fail(MF_EOVERFLOW, fn, "%s: entry (%lld, %lld) is beyond the double range",
                    what, (long long)i, (long long)j);
}

/* Exactly Hermitian (symmetric for F64): a_ji == conj(a_ij), real diagonal.
 * Used to route Hermitian input to eigendecomposition-based paths and to
 * keep Hermitian results exactly Hermitian. */
bool mf__is_hermitian(const mf_matrix *A) {
    const double *p = A->data;
    const bool cplx = A->dtype == MF_C128;
    const int64_t parts = cplx ? 2 : 1;
    for (int64_t j = 0; j < A->cols; j++) {
        if (cplx && p[2 * (j * A->rs + j * A->cs) + 1] != 0.0)
            return false;
        for (int64_t i = j + 1; i < A->rows; i++) {
            const double *lo = p + parts * (i * A->rs + j * A->cs);
            const double *up = p + parts * (j * A->rs + i * A->cs);
            if (lo[0] != up[0] || (cplx && lo[1] != -up[1]))
                return false;
        }
    }
    return true;
}

mf_status mf__check_result_dtype(const char *fn, const char *in_arg, const mf_matrix *in,
                                 const char *out_arg, const mf_matrix *out) {
    if (in->dtype == MF_C128 && out->dtype == MF_F64)
        return mf__fail(MF_EDTYPE, fn, "input %s is MF_C128 but output %s is MF_F64; "
                        "a complex input needs a complex output", in_arg, out_arg);
    return MF_OK;
}

mf_status mf__check_dtype(const char *fn, const char *arg, const mf_matrix *m, int32_t dtype) {
    if (m->dtype != dtype)
        return mf__fail(MF_EDTYPE, fn, "argument %s must be %s", arg,
                        dtype == MF_F64 ? "MF_F64" : "MF_C128");
    return MF_OK;
}

/* ---------- overlap ---------- */

typedef struct byte_range {
    uintptr_t lo, hi; /* [lo, hi) */
} byte_range;

static byte_range range_of(const mf_matrix *m) {
    const size_t es = mf__elem_size(m->dtype);
    uintptr_t lo = (uintptr_t)m->data;
    uintptr_t span = (uintptr_t)((m->rows - 1) * m->rs + (m->cols - 1) * m->cs) * es + es;
    return (byte_range){lo, lo + span};
}

static bool same_view(const mf_matrix *a, const mf_matrix *b) {
    return a->data == b->data && a->rows == b->rows && a->cols == b->cols && a->rs == b->rs &&
           a->cs == b->cs && a->dtype == b->dtype;
}

static int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Exact test for two views with the same strides and dtype where the large
 * stride S steps over the small stride's whole extent in both: elements
 * coincide iff d = di * s + dj * S with |di| inside the row ranges. Since
 * |di * s| < S, dj is floor(d / S) or one more. */
static bool lattices_meet(int64_t d, int64_t s, int64_t S, int64_t na_small, int64_t nb_small,
                          int64_t na_big, int64_t nb_big) {
    int64_t q = floor_div(d, S);
    for (int64_t dj = q; dj <= q + 1; dj++) {
        if (dj <= -nb_big || dj >= na_big)
            continue;
        int64_t rest = d - dj * S;
        if (rest % s != 0)
            continue;
        int64_t di = rest / s;
        if (di > -nb_small && di < na_small)
            return true;
    }
    return false;
}

mf__overlap mf__overlap_of(const mf_matrix *a, const mf_matrix *b) {
    if (mf__is_empty(a) || mf__is_empty(b))
        return MF__DISJOINT;
    if (same_view(a, b))
        return MF__SAME;
    byte_range ra = range_of(a), rb = range_of(b);
    if (ra.hi <= rb.lo || rb.hi <= ra.lo)
        return MF__DISJOINT;
    const size_t es = mf__elem_size(a->dtype);
    intptr_t bytes = (intptr_t)rb.lo - (intptr_t)ra.lo;
    if (a->dtype != b->dtype || a->rs != b->rs || a->cs != b->cs || bytes % (intptr_t)es != 0)
        return MF__PARTIAL;
    int64_t d = (int64_t)(bytes / (intptr_t)es);
    bool met;
    if (a->cs >= a->rs * a->rows && b->cs >= b->rs * b->rows)
        met = lattices_meet(d, a->rs, a->cs, a->rows, b->rows, a->cols, b->cols);
    else if (a->rs >= a->cs * a->cols && b->rs >= b->cs * b->cols)
        met = lattices_meet(d, a->cs, a->rs, a->cols, b->cols, a->rows, b->rows);
    else
        met = true;
    return met ? MF__PARTIAL : MF__DISJOINT;
}

mf_status mf__check_aliasing(const char *fn, const mf__arg *outputs, int n_out,
                             const mf__arg *inputs, int n_in) {
    for (int o = 0; o < n_out; o++) {
        const mf_matrix *out = outputs[o].m;
        if (out == NULL)
            continue;
        for (int q = o + 1; q < n_out; q++) {
            if (outputs[q].m != NULL && mf__overlap_of(out, outputs[q].m) != MF__DISJOINT)
                return mf__fail(MF_EALIAS, fn, "outputs %s and %s overlap", outputs[o].name,
                                outputs[q].name);
        }
        for (int i = 0; i < n_in; i++) {
            if (inputs[i].m != NULL && mf__overlap_of(out, inputs[i].m) == MF__PARTIAL)
                return mf__fail(MF_EALIAS, fn,
                                "output %s partially overlaps input %s (only exact in-place "
                                "aliasing is allowed)", outputs[o].name, inputs[i].name);
        }
    }
    return MF_OK;
}

/* The arguments of a Frechet derivative f'(A)[E]: A square, E of A's shape,
 * the derivative D required, the function value F optional (F's dtype
 * then must be D's), both following the real/complex rule for A and E, no
 * partial overlap, finite inputs. */
mf_status mf__check_frechet_args(const char *fn, const mf_matrix *A, const mf_matrix *E,
                                 const char *f_arg, const mf_matrix *F, const char *d_arg,
                                 const mf_matrix *D) {
    mf_status st = mf__check_input(fn, "A", A);
    if (st == MF_OK)
        st = mf__check_square(fn, "A", A);
    if (st == MF_OK)
        st = mf__check_input(fn, "E", E);
    if (st == MF_OK && (E->rows != A->rows || E->cols != A->cols))
        st = mf__fail(MF_EDIM, fn, "E is %lld x %lld, expected A's shape %lld x %lld",
                      (long long)E->rows, (long long)E->cols, (long long)A->rows,
                      (long long)A->cols);
    if (st == MF_OK && D == NULL)
        st = mf__fail(MF_EINVAL, fn, "argument %s is NULL", d_arg);
    if (st == MF_OK)
        st = mf__check_output(fn, d_arg, D, A->rows, A->cols);
    if (st == MF_OK)
        st = mf__check_result_dtype(fn, "A", A, d_arg, D);
    if (st == MF_OK)
        st = mf__check_result_dtype(fn, "E", E, d_arg, D);
    if (st == MF_OK && F != NULL)
        st = mf__check_output(fn, f_arg, F, A->rows, A->cols);
    if (st == MF_OK && F != NULL && F->dtype != D->dtype)
        st = mf__fail(MF_EDTYPE, fn, "%s must have %s's dtype (%s)", f_arg, d_arg,
                      D->dtype == MF_F64 ? "MF_F64" : "MF_C128");
    if (st == MF_OK) {
        const mf__arg outs[] = {{f_arg, F}, {d_arg, D}}, ins[] = {{"A", A}, {"E", E}};
        st = mf__check_aliasing(fn, outs, 2, ins, 2);
    }
    if (st == MF_OK)
        st = mf__check_lapack_dim(fn, "A", A->rows);
    if (st == MF_OK)
        st = mf__check_finite(fn, "A", A);
    if (st == MF_OK)
        st = mf__check_finite(fn, "E", E);
    return st;
}

mf_status mf__check_unary_output(const char *fn, const mf_matrix *A, const char *x_arg,
                                 const mf_matrix *X) {
    mf_status st = mf__check_output(fn, x_arg, X, A->rows, A->cols);
    if (st == MF_OK)
        st = mf__check_result_dtype(fn, "A", A, x_arg, X);
    if (st == MF_OK) {
        const mf__arg outs[] = {{x_arg, X}}, ins[] = {{"A", A}};
        st = mf__check_aliasing(fn, outs, 1, ins, 1);
    }
    if (st == MF_OK)
        st = mf__check_lapack_dim(fn, "A", A->rows);
    if (st == MF_OK)
        st = mf__check_finite(fn, "A", A);
    return st;
}

mf_status mf__check_unary_args(const char *fn, const mf_matrix *A, const char *x_arg,
                               const mf_matrix *X) {
    mf_status st = mf__check_input(fn, "A", A);
    if (st == MF_OK)
        st = mf__check_square(fn, "A", A);
    if (st == MF_OK)
        st = mf__check_unary_output(fn, A, x_arg, X);
    return st;
}

mf_status mf__check_cond_args(const char *fn, const mf_matrix *A, const double *cond) {
    mf_status st = mf__check_input(fn, "A", A);
    if (st == MF_OK)
        st = mf__check_square(fn, "A", A);
    if (st == MF_OK && cond == NULL)
        st = mf__fail(MF_EINVAL, fn, "argument cond is NULL");
    if (st == MF_OK)
        st = mf__check_lapack_dim(fn, "A", A->rows);
    if (st == MF_OK)
        st = mf__check_finite(fn, "A", A);
    return st;
}
