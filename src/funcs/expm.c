/*
 * mf_expm, mf_expm_ex: validation, workspace and packing around the
 * numerical core in expm_eval.c.
 */
#include <string.h>

#include "expm.h"

/* Stack workspace for n <= MF__EXPM_SMALL_N: the packed matrix plus the
 * core's workspace, complex-sized. */
#define SMALL_DOUBLES                                                                       \
    (2 * MF__EXPM_SMALL_N * MF__EXPM_SMALL_N +                                             \
     2 * (MF__EXPM_WORK_MATS * MF__EXPM_SMALL_N * MF__EXPM_SMALL_N + 4 * MF__EXPM_SMALL_N + 8))

static mf_status check_options(const char *fn, const mf_expm_options *opt) {
    if (opt == NULL)
        return MF_OK;
    if (opt->scheme < MF_EXPM_AUTO || opt->scheme > MF_EXPM_PADE)
        return mf__fail(MF_EINVAL, fn, "opt->scheme = %d is not an mf_expm_scheme", (int)opt->scheme);
    if (opt->structure != 0 && opt->structure != 1)
        return mf__fail(MF_EINVAL, fn, "opt->structure = %d must be 0 or 1", (int)opt->structure);
    for (int k = 0; k < 6; k++)
        if (opt->reserved[k] != 0)
            return mf__fail(MF_EINVAL, fn, "opt->reserved[%d] must be 0", k);
    return MF_OK;
}

static mf_status check_args(const char *fn, const mf_matrix *A, const mf_matrix *E,
                            const mf_expm_options *opt) {
    mf_status st = mf__check_input(fn, "A", A);
    if (st == MF_OK)
        st = mf__check_square(fn, "A", A);
    if (st == MF_OK)
        st = mf__check_output(fn, "E", E, A->rows, A->rows);
    if (st == MF_OK)
        st = mf__check_result_dtype(fn, "A", A, "E", E);
    if (st == MF_OK) {
        const mf__arg outs[] = {{"E", E}}, ins[] = {{"A", A}};
        st = mf__check_aliasing(fn, outs, 1, ins, 1);
    }
    if (st == MF_OK)
        st = check_options(fn, opt);
    if (st == MF_OK && A->rows > MF__EXPM_SMALL_N)
        st = mf__check_lapack_dim(fn, "A", A->rows);
    return st; /* finiteness: expm_checked */
}

/* The common case of a small call, checked with a few comparisons: both
 * descriptors well formed (known dtypes, no flags, positive strides small
 * enough that no extent can overflow, data present), A square and E the
 * same shape with a result dtype allowed for A, E's elements distinct, and
 * E either exactly A or not overlapping it (byte ranges apart). Everything
 * check_args demands but finiteness; when this says no, check_args runs
 * and names the problem (or accepts an unusual valid call). */
bool mf__expm_plain_args(const mf_matrix *A, const mf_matrix *E) {
    if (A == NULL || E == NULL || A->data == NULL || E->data == NULL || A->flags != 0 ||
        E->flags != 0)
        return false;
    const int64_t n = A->rows;
    if (n < 1 || n > MF__EXPM_SMALL_N || A->cols != n || E->rows != n || E->cols != n)
        return false;
    const bool a_ok = A->dtype == MF_F64 || A->dtype == MF_C128;
    const bool e_ok = E->dtype == MF_C128 || (E->dtype == MF_F64 && A->dtype == MF_F64);
    const int64_t big = (int64_t)1 << 40;
    if (!a_ok || !e_ok || A->rs < 1 || A->cs < 1 || E->rs < 1 || E->cs < 1 || A->rs > big ||
        A->cs > big || E->rs > big || E->cs > big)
        return false;
    if (!(E->cs >= E->rs * n || E->rs >= E->cs * n))
        return false;
    if (A->data == E->data && A->rs == E->rs && A->cs == E->cs && A->dtype == E->dtype)
        return true; /* in place */
    const uintptr_t a0 = (uintptr_t)A->data, e0 = (uintptr_t)E->data;
    const uintptr_t a1 = a0 + (uintptr_t)((n - 1) * (A->rs + A->cs) + 1) * mf__elem_size(A->dtype);
    const uintptr_t e1 = e0 + (uintptr_t)((n - 1) * (E->rs + E->cs) + 1) * mf__elem_size(E->dtype);
    return a1 <= e0 || e1 <= a0;
}

/* mf__pack / mf__unpack for n <= MF__EXPM_SMALL_N without their per-column
 * library calls, which cost as much as the copy at these sizes. */
static void pack_small(const mf_matrix *A, double *a) {
    const int64_t n = A->rows, rs = A->rs, cs = A->cs;
    const double *p = A->data;
    if (A->dtype == MF_C128) {
        for (int64_t j = 0; j < n; j++)
            for (int64_t i = 0; i < n; i++) {
                a[2 * (i + j * n)] = p[2 * (i * rs + j * cs)];
                a[2 * (i + j * n) + 1] = p[2 * (i * rs + j * cs) + 1];
            }
        return;
    }
    for (int64_t j = 0; j < n; j++)
        for (int64_t i = 0; i < n; i++)
            a[i + j * n] = p[i * rs + j * cs];
}

static void unpack_small(const double *a, int32_t from, mf_matrix *E) {
    const int64_t n = E->rows, rs = E->rs, cs = E->cs;
    double *p = E->data;
    if (from == MF_F64 && E->dtype == MF_F64) {
        for (int64_t j = 0; j < n; j++)
            for (int64_t i = 0; i < n; i++)
                p[i * rs + j * cs] = a[i + j * n];
        return;
    }
    mf__unpack(a, n, from, E);
}

/* n > MF__EXPM_SMALL_N, BLAS sizes, validated but for finiteness. A
 * column-major A is read where it is (unless its structure needs a
 * writable copy), and a column-major E of A's dtype receives the result
 * directly: packing and unpacking are passes over n^2 elements, each a
 * measurable part of a product's time at n = 1024, and a packed copy is
 * one more n^2 of fresh memory to fault in. Kept out of line: inlined into
 * expm_checked it moved the small path's stack workspace, which made
 * n = 16 calls 5 to 8% slower. */
__attribute__((noinline)) static mf_status expm_large(const char *fn, const mf_matrix *A,
                                                      mf_matrix *E, const mf_expm_options *opt,
                                                      mf_expm_info *info) {
    const int64_t n = A->rows;
    const bool cplx = A->dtype == MF_C128;
    const int64_t mat = n * n * (cplx ? 2 : 1);
    const bool colmajor = A->rs == 1 && A->cs == n;
    /* finiteness before allocating: a contiguous A by the vectorized test,
     * the validator (which names the entry) when that fails or A is not */
    mf_status st = MF_OK;
    if (!colmajor || !mf__expm_all_finite(mat, A->data))
        st = mf__check_finite(fn, "A", A);
    if (st != MF_OK)
        return st;
    const bool in_place = colmajor && !mf__expm_needs_copy(n, cplx, A->data, opt);
    const bool out_direct = E->rs == 1 && E->cs == n && E->dtype == A->dtype;
    double *heap = mf__alloc_array((in_place ? 0 : mat) + mf__expm_large_work_doubles(n, cplx),
                                   sizeof(double));
    if (heap == NULL)
        return mf__fail(MF_ENOMEM, fn, "cannot allocate workspace for %lld x %lld", (long long)n,
                        (long long)n);
    double *a = in_place ? A->data : heap;
    if (!in_place)
        mf__pack(A, a, n, A->dtype);
    mf_expm_info got;
    const double *result;
    st = mf__expm_into(fn, n, cplx, a, !in_place, out_direct ? E->data : NULL,
                       in_place ? heap : heap + mat, MF__EXPM_LARGE_MATS, opt, &got, &result);
    if (st == MF_OK) {
        if (!out_direct)
            mf__unpack(result, n, A->dtype, E);
        if (info != NULL)
            *info = got;
    }
    mf__free(heap);
    return st;
}

/* The work after validation (all of it but finiteness: the fixed path
 * checks that while packing and hands non-finite input to the general
 * path, which reports it). */
static mf_status expm_checked(const char *fn, const mf_matrix *A, mf_matrix *E,
                              const mf_expm_options *opt, mf_expm_info *info) {
    const int64_t n = A->rows;
    const bool cplx = A->dtype == MF_C128;
    const bool defaults = opt == NULL || (opt->scheme == MF_EXPM_AUTO && opt->structure == 0);
    if (!cplx && defaults && n >= 3 && n <= MF__EXPM_FIXED_MAX_N) {
        bool handled;
        const mf_status st = mf__expm_fixed(fn, A, E, info, &handled);
        if (handled)
            return st;
    }
    if (n > MF__EXPM_SMALL_N)
        return expm_large(fn, A, E, opt, info);
    mf_expm_info local;
    if (info == NULL)
        info = &local;
    if (n == 0) {
        memset(info, 0, sizeof *info);
        return MF_OK;
    }
    const int64_t mat = n * n * (cplx ? 2 : 1);
    _Alignas(64) double a[SMALL_DOUBLES];
    pack_small(A, a);
    /* finiteness on the packed copy (vectorized); the validator finds the
     * entry to name */
    mf_status st = MF_OK;
    if (!mf__expm_all_finite(mat, a))
        st = mf__check_finite(fn, "A", A);
    mf_expm_info got;
    if (st == MF_OK)
        st = mf__expm_packed(fn, n, cplx, a, a + mat, opt, &got);
    if (st == MF_OK) {
        unpack_small(a, A->dtype, E);
        *info = got;
    }
    return st;
}

mf_status mf_expm_ex(const mf_matrix *A, mf_matrix *E, const mf_expm_options *opt,
                     mf_expm_info *info) {
    static const char fn[] = "mf_expm_ex";
    if (!(mf__expm_plain_args(A, E) && (opt == NULL || check_options(fn, opt) == MF_OK))) {
        mf_status st = check_args(fn, A, E, opt);
        if (st != MF_OK)
            return st;
    }
    return expm_checked(fn, A, E, opt, info);
}

mf_status mf_expm(const mf_matrix *A, mf_matrix *E) {
    static const char fn[] = "mf_expm";
    if (!mf__expm_plain_args(A, E)) {
        mf_status st = check_args(fn, A, E, NULL);
        if (st != MF_OK)
            return st;
    }
    return expm_checked(fn, A, E, NULL, NULL);
}
