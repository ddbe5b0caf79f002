/* Dense references shared by the kron test programs: formed Kronecker
 * products and sums, and small conveniences over testutil. */
#ifndef MF_TEST_KRON_COMMON_H
#define MF_TEST_KRON_COMMON_H

#include "testutil.h"

#include <math.h>
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

#endif /* MF_TEST_KRON_COMMON_H */
