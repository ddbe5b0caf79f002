/* Dense references shared by the kron test programs: formed Kronecker
 * products and sums, and small conveniences over testutil. */
#ifndef MF_TEST_KRON_COMMON_H
#define MF_TEST_KRON_COMMON_H

#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Dense (m p) x (n q) product of a (m x n) and b (p x q). */
static inline tz *ref_kron(int64_t m, int64_t n, const tz *a, int64_t p, int64_t q, const tz *b) {
    tz *k = tz_alloc(m * p * n * q);
    const int64_t ld = m * p;
    for (int64_t j = 0; j < n; j++)
        for (int64_t i = 0; i < m; i++)
            for (int64_t l = 0; l < q; l++)
                for (int64_t r = 0; r < p; r++)
                    k[(i * p + r) + (j * q + l) * ld] = a[i + j * m] * b[r + l * p];
    return k;
}

/* Dense A ⊕ B = A ⊗ I_p + I_m ⊗ B. */
static inline tz *ref_kronsum(int64_t m, const tz *a, int64_t p, const tz *b) {
    tz *ip = tz_identity(p), *im = tz_identity(m);
    tz *k1 = ref_kron(m, m, a, p, p, ip), *k2 = ref_kron(m, m, im, p, p, b);
    for (int64_t i = 0; i < m * p * m * p; i++)
        k1[i] += k2[i];
    free(ip);
    free(im);
    free(k2);
    return k1;
}

/* A random test matrix in the given layout and its dense copy. */
static inline tm random_tm(int64_t rows, int64_t cols, int32_t dt, tlayout l, trng *r, tz **dense) {
    tm t = tm_new(rows, cols, dt, l);
    tm_fill_random(&t, r);
    if (dense != NULL)
        *dense = tm_to_dense(&t);
    return t;
}

/* The dtype cases every function runs: {A's, B's, output's}. */
static const int32_t dtype_cases[][3] = {
    {MF_F64, MF_F64, MF_F64},
    {MF_C128, MF_C128, MF_C128},
    {MF_F64, MF_C128, MF_C128},
    {MF_F64, MF_F64, MF_C128},
};
#define N_DTYPE_CASES (sizeof dtype_cases / sizeof dtype_cases[0])

/* ---------- argument errors of the solves (A, B, C) -> X ---------- */

typedef mf_status (*coupled_solver)(const mf_matrix *, const mf_matrix *, const mf_matrix *,
                                    mf_matrix *);

/* Real operands of a solve with A 3 x 3, B 2 x 2 and C c_rows x c_cols:
 * R has C's shape (so is not square when C is not), Cz is a complex C, X
 * an output of C's shape and Xbad one of the transposed shape, big (6 x 6)
 * a parent to carve overlapping views from. */
typedef struct coupled_operands {
    tm A, B, C, R, Cz, X, Xbad, big;
} coupled_operands;

static inline coupled_operands coupled_operands_new(int64_t c_rows, int64_t c_cols, trng *r) {
    coupled_operands o;
    o.A = random_tm(3, 3, MF_F64, TL_COLMAJOR, r, NULL);
    o.B = random_tm(2, 2, MF_F64, TL_COLMAJOR, r, NULL);
    o.C = random_tm(c_rows, c_cols, MF_F64, TL_COLMAJOR, r, NULL);
    o.R = random_tm(c_rows, c_cols, MF_F64, TL_COLMAJOR, r, NULL);
    o.Cz = random_tm(c_rows, c_cols, MF_C128, TL_COLMAJOR, r, NULL);
    o.X = tm_new(c_rows, c_cols, MF_F64, TL_COLMAJOR);
    o.Xbad = tm_new(c_cols, c_rows, MF_F64, TL_COLMAJOR);
    o.big = random_tm(6, 6, MF_F64, TL_COLMAJOR, r, NULL);
    return o;
}

static inline void coupled_operands_free(coupled_operands *o) {
    tm *all[] = {&o->A, &o->B, &o->C, &o->R, &o->Cz, &o->X, &o->Xbad, &o->big};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        tm_free(all[i]);
}

/* Every argument error of f (named name in its messages), in the order f
 * checks them, NaN or Inf in each of A, B and C last; f must not write X
 * or Xbad (the caller compares their snapshots). */
static inline void check_coupled_solve_errors(coupled_solver f, const char *name,
                                              coupled_operands *o) {
    tm *A = &o->A, *B = &o->B, *C = &o->C, *X = &o->X;
    assert_status(f(NULL, &B->m, &C->m, &X->m), MF_EINVAL);
    assert_last_error_mentions(name);
    assert_status(f(&A->m, NULL, &C->m, &X->m), MF_EINVAL);
    assert_status(f(&A->m, &B->m, NULL, &X->m), MF_EINVAL);
    assert_status(f(&A->m, &B->m, &C->m, NULL), MF_EINVAL);
    assert_status(f(&o->R.m, &B->m, &C->m, &X->m), MF_EDIM);
    assert_last_error_mentions("square");
    assert_status(f(&A->m, &o->R.m, &C->m, &X->m), MF_EDIM);
    assert_status(f(&A->m, &B->m, &o->Xbad.m, &X->m), MF_EDIM);
    char wrong_c[64];
    snprintf(wrong_c, sizeof wrong_c, "C is %lld x %lld", (long long)o->Xbad.m.rows,
             (long long)o->Xbad.m.cols);
    assert_last_error_mentions(wrong_c);
    assert_status(f(&A->m, &B->m, &C->m, &o->Xbad.m), MF_EDIM);
    assert_status(f(&A->m, &B->m, &o->Cz.m, &X->m), MF_EDTYPE);
    /* C and X as blocks of big, X shifted down by all but one of C's rows:
     * they overlap partly */
    mf_matrix xs = o->big.m, cs = o->big.m;
    xs.rows = cs.rows = C->m.rows;
    xs.cols = cs.cols = C->m.cols;
    xs.data = (double *)o->big.m.data + (C->m.rows - 1);
    assert_status(f(&A->m, &B->m, &cs, &xs), MF_EALIAS);
    tm *inputs[] = {A, B, C};
    const char *messages[] = {"argument A", "argument B", "argument C"};
    for (int k = 0; k < 3; k++) {
        const tz kept = tm_get(inputs[k], 1, 0);
        tm_set(inputs[k], 1, 0, k == 1 ? INFINITY : NAN);
        assert_status(f(&A->m, &B->m, &C->m, &X->m), MF_ENONFINITE);
        assert_last_error_mentions(messages[k]);
        tm_set(inputs[k], 1, 0, kept);
    }
}

#endif /* MF_TEST_KRON_COMMON_H */
