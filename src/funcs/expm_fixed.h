/*
 * What the two fixed-size real paths of the matrix exponential share:
 * expm_small.c (one matrix of order 3..8 per call) and expm_lanes.c (eight
 * such matrices at once, one per vector lane, for batches). Both make the
 * choices of the general path with the same norms and evaluate the same
 * formulas (expm_fixed_eval.inc) in the same order, so all three give the
 * same bits.
 */
#ifndef MF_FUNCS_EXPM_FIXED_H
#define MF_FUNCS_EXPM_FIXED_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "expm.h"

/* Instruction sets: the distribution build targets baseline x86-64, so
 * the vector code is compiled for AVX-512 and for AVX2+FMA as well and
 * picked at run time (mf__expm_cpu_level). Only the hot small-size code
 * gets the extra copies. */
#if defined(__GNUC__) && defined(__x86_64__)
#define MF_X86_VARIANTS 1
#define MF_AVX512                                                                                  \
    __attribute__((target("avx512f,avx512vl,avx512dq,avx512bw,avx2,fma,tune=skylake-avx512")))
#define MF_AVX2 __attribute__((target("avx2,fma,tune=haswell")))
#endif
#define ALWAYS_INLINE static inline __attribute__((always_inline))

enum { MF__CPU_PLAIN, MF__CPU_AVX2, MF__CPU_AVX512 };

/* The best variant this CPU runs (detected once). */
int mf__expm_cpu_level(void);

/* Eight doubles. Vectors are only ever held in local variables and moved
 * with memcpy (never passed by value), so no ABI question arises between
 * the variants. */
typedef double v8 __attribute__((vector_size(64)));

/* The choice of expm_eval.c's choose() for the default family, split so
 * that each path takes the norms in its own storage:
 *   c0 = fx_choice_by_norm(d1), d1 = ||A||_1;
 *   if fx_choice_needs_abs(c0, d2), d2 = ||A^2||_1^(1/2):
 *       nb[k] = || |A|^k ||_1 / d1^k, k = 1 .. mf__expm_abs_kmax(AUTO),
 *       c = fx_choice_refined(c0, d1, d2, ||A^3||_1 or -1 if not held, nb). */
ALWAYS_INLINE mf__expm_choice fx_choice_by_norm(double d1) {
    return mf__expm_cheapest(MF_EXPM_AUTO, d1, 0);
}

ALWAYS_INLINE bool fx_choice_needs_abs(mf__expm_choice c0, double d2) {
    return c0.s != 0 && mf__expm_alpha_may_help(MF_EXPM_AUTO, c0, d2,
                                                mf__expm_alpha_min_saving(MF__EXPM_FIXED_MAX_N));
}

ALWAYS_INLINE mf__expm_choice fx_choice_refined(mf__expm_choice c0, double d1, double d2,
                                                double norm_a3, const double *nb) {
    const double known[3] = {norm_a3 >= 0.0 ? pow(norm_a3, 1.0 / 3) : INFINITY, INFINITY, INFINITY};
    return mf__expm_alpha_choice(MF_EXPM_AUTO, c0, d1, d2, known, nb);
}

/* 2^-s, exactly, for 0 <= s <= 1022 (ldexp without the library call). */
ALWAYS_INLINE double fx_pow2_neg(int s) {
    const uint64_t bits = (uint64_t)(1023 - s) << 52;
    double f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* The fixed path holds powers of A with norms below this without checking
 * them for overflow; above it (or beyond this many squarings, where 2^-s
 * underflows in a power of the factor) it rebuilds them (fx_scale_down). */
#define MF__EXPM_FIXED_HUGE 1e100
#define MF__EXPM_FIXED_MAX_S 300

#endif /* MF_FUNCS_EXPM_FIXED_H */
