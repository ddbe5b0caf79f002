/*
 * Private interface of the matrix exponential (src/funcs/expm*.c).
 *
 * The numerical core works on a packed column-major n x n matrix (ld = n)
 * of doubles: real, or complex as interleaved (re, im) pairs. All
 * polynomial coefficients are real, so linear combinations of complex
 * matrices are real combinations of their 2 n^2 doubles; only products,
 * norms and the identity differ between real and complex.
 *
 * Files: expm.c (validation, packing, dispatch), expm_eval.c (approximant
 * tables, the choice of degree and s, the general scaling and squaring),
 * expm_small.c (BLAS-free products for n <= 16 and the fixed-size real
 * path for n <= 8), expm_batch.c (batches over threads).
 */
#ifndef MF_FUNCS_EXPM_H
#define MF_FUNCS_EXPM_H

#include "internal.h"

/* Up to this size everything runs in caller-provided (stack) workspace, no
 * heap (per-call overhead dominates), and products use our own kernels
 * (mf__expm_mm_small), no BLAS. */
#define MF__EXPM_SMALL_N 16

/* Real matrices up to this size with default options take the fixed-size
 * path of expm_small.c. */
#define MF__EXPM_FIXED_MAX_N 8

/* Matrices of n^2 elements of workspace mf__expm_packed needs beside the
 * input buffer. */
#define MF__EXPM_WORK_MATS 6

/* Extra elements of workspace (norm estimation vectors, pivots, diagonal). */
static inline int64_t mf__expm_work_extra(int64_t n) { return 4 * n + 8; }

/* Total workspace in doubles for an n x n problem of the given dtype. */
static inline int64_t mf__expm_work_doubles(int64_t n, bool cplx) {
    return (MF__EXPM_WORK_MATS * n * n + mf__expm_work_extra(n)) * (cplx ? 2 : 1);
}

/* Does the call mf_expm(A, E) pass all of its argument checks but
 * finiteness (the cheap test of the common small case, n <= 16)? When it
 * says no, the call may still be valid: mf_expm's full checks decide. */
bool mf__expm_plain_args(const mf_matrix *A, const mf_matrix *E);

/* exp(a) in place. a: packed n x n (dtype by cplx), finite. work:
 * mf__expm_work_doubles(n, cplx) doubles, 64-byte aligned preferred.
 * opt may be NULL. Fails with MF_EOVERFLOW (a left holding garbage: callers
 * own a copy), MF_ENOMEM / MF_ENOCONV only on the Hermitian path. This is
 * the general path: any n, dtype, option and structure. */
mf_status mf__expm_packed(const char *fn, int64_t n, bool cplx, double *a, double *work,
                          const mf_expm_options *opt, mf_expm_info *info);

/* Workspace of mf__expm_into for n > MF__EXPM_SMALL_N: five matrices,
 * all that the schemes used at these sizes by default need. */
#define MF__EXPM_LARGE_MATS 5
static inline int64_t mf__expm_large_work_doubles(int64_t n, bool cplx) {
    return (MF__EXPM_LARGE_MATS * n * n + mf__expm_work_extra(n)) * (cplx ? 2 : 1);
}

/* exp(a) into out. a: packed n x n (dtype by cplx), finite; overwritten
 * only if a_writable (the caller's own matrix may be passed read-only when
 * mf__expm_needs_copy says no). out: packed n x n, may be a, written only
 * on success; or NULL: *result then points to the result in a or work.
 * work: mats (MF__EXPM_WORK_MATS, or MF__EXPM_LARGE_MATS when n >
 * MF__EXPM_SMALL_N) matrices of n^2 elements and mf__expm_work_extra(n)
 * elements. info must not be NULL. With five matrices, schemes other than
 * the fused ones (Taylor 15+ and 18) allocate a sixth, and on a read-only
 * a squarings may need a scaled copy of A allocated too (MF_ENOMEM if that
 * fails). */
mf_status mf__expm_into(const char *fn, int64_t n, bool cplx, double *a, bool a_writable,
                        double *out, double *work, int mats, const mf_expm_options *opt,
                        mf_expm_info *info, const double **result);

/* Does mf__expm_into need a writable a for this matrix and these options
 * (closed forms, diagonal, lower triangular and Hermitian input)? */
bool mf__expm_needs_copy(int64_t n, bool cplx, const double *a, const mf_expm_options *opt);

/* The "exp(A) has entries beyond the double range" failure. */
mf_status mf__expm_overflow(const char *fn, int64_t n);

/* ------------------------------------------------------------------ */
/* Approximants and the choice of degree and s (expm_eval.c)           */
/* ------------------------------------------------------------------ */

typedef enum mf__expm_scheme_id {
    MF__S_T1, MF__S_T2, MF__S_T4, MF__S_T8_BBC, MF__S_T8_SID, MF__S_T12_BBC, MF__S_T15_SID,
    MF__S_T18_BBC, MF__S_P3, MF__S_P5, MF__S_P7, MF__S_P9, MF__S_P13, MF__S_COUNT
} mf__expm_scheme_id;

typedef struct mf__expm_scheme {
    int32_t family;     /* mf_expm_scheme */
    int32_t degree;
    int32_t products;   /* matrix products of the evaluation, A^2 included */
    int32_t solves;
    int32_t order;      /* l: the backward error series starts at x^l */
    double theta;       /* ||2^-s A|| <= theta => relative backward error <= u */
    double lead;        /* |first coefficient| of the backward error series */
} mf__expm_scheme;

extern const mf__expm_scheme mf__expm_schemes[MF__S_COUNT];

/* Evaluation coefficients (sources at their definitions in expm_eval.c). */
extern const double mf__expm_t8_x[8]; /* x1 .. x7, y2 of Bader, Blanes & Casas' degree 8 */
extern const double mf__expm_t18_b[5][5];
extern const double mf__expm_s15_c[16];

/* The approximant and the number of squarings; eta is the norm bound that
 * chose them. */
typedef struct mf__expm_choice {
    int32_t id; /* an mf__expm_scheme_id */
    int32_t s;
    double eta;
} mf__expm_choice;

/* Highest k of || |A|^k ||_1 the choice may ask for in this family. */
#define MF__EXPM_MAX_ORDER 27

/* The choice is made in two steps so that each caller computes only the
 * norms it needs, in its own storage:
 *   c = mf__expm_cheapest(family, ||A||_1, 0);
 *   if c.s > 0 and mf__expm_alpha_may_help(family, c, ||A^2||_1^(1/2),
 *                                          mf__expm_alpha_min_saving(n)):
 *       nb[k] = || |A|^k ||_1 / ||A||_1^k for k = 1 .. mf__expm_abs_kmax(family),
 *       known[k - 3] = ||A^k||_1^(1/k) (k = 3, 4, 5) if held or estimated, else Inf,
 *       c = mf__expm_alpha_choice(family, c, d1, d2, known, nb).
 * (Al-Mohy & Higham 2009, sec. 4 and eq. (5.1)-(5.2).) */
mf__expm_choice mf__expm_cheapest(int32_t family, double eta, int min_order);
/* The candidates mf__expm_cheapest searches, in its order (for the batch
 * lanes, which run the same search on eight values at once); returns their
 * number. */
int mf__expm_family_ids(int32_t family, const mf__expm_scheme_id **ids);
/* Cost of a candidate with s squarings, in thirds of a matrix product (a
 * solve with n right-hand sides counts as 4/3 of a product), as an
 * integer so that comparisons are exact and cheap. */
static inline int mf__expm_cost3(mf__expm_scheme_id id, int s) {
    return 3 * mf__expm_schemes[id].products + 4 * mf__expm_schemes[id].solves + 3 * s;
}
/* The orders p(p-1) <= l of Al-Mohy & Higham 2009, Thm. 4.2: alpha_3 and
 * alpha_4 are valid bounds only for schemes whose backward error series
 * starts at x^l with l >= 12 (all candidates that ever need squarings). */
#define MF__EXPM_ORDER_FOR_ALPHA4 12
bool mf__expm_alpha_may_help(int32_t family, mf__expm_choice c, double d2, int min_saving);
/* The squarings the refinement must be able to save to be tried: 1, and 2
 * for n <= MF__EXPM_SMALL_N, where the |A|^k chain and its log2/exp2
 * calls cost more than the one squaring they might save (a squaring of a
 * 3 x 3 matrix is 27 multiply-adds), and one squaring more than needed
 * costs no accuracy; overscaling by several, which does, is still
 * prevented. */
int mf__expm_alpha_min_saving(int64_t n);
int mf__expm_abs_kmax(int32_t family);
mf__expm_choice mf__expm_alpha_choice(int32_t family, mf__expm_choice c, double d1, double d2,
                                      const double *known, const double *nb);
/* Can mf__expm_alpha_choice return anything cheaper than c, whatever
 * d2..d5? False only when the ell correction alone rules it out, judged
 * from d1 = ||A||_1 and mincol, the smallest column sum of |A|. */
bool mf__expm_alpha_may_pay(int32_t family, mf__expm_choice c, double d1, double mincol);

/* ------------------------------------------------------------------ */
/* Small sizes (expm_small.c)                                          */
/* ------------------------------------------------------------------ */

/* c = a b for packed real n x n (ld = n), 1 <= n <= MF__EXPM_SMALL_N; c
 * distinct from a and b. Faster than a BLAS call at these sizes. */
void mf__expm_mm_small(int n, const double *a, const double *b, double *c);

/* out = sum_k c[k] m[k] over len doubles, element by element in term order
 * (a term that is out itself first); one pass, vectorized, fused
 * multiply-adds where the CPU has them; two threads for large len when
 * the BLAS may use more than one. count <= MF__EXPM_LINCOMB_MAX. */
#define MF__EXPM_LINCOMB_MAX 8
void mf__expm_lincomb(int64_t len, double *out, int count, const double *c,
                      const double *const *m);

/* out[o] = sum_k c[o][k] m[k] for o < nout <= MF__EXPM_MULTI_OUT_MAX over
 * len doubles, all from one read of the terms (count <=
 * MF__EXPM_LINCOMB_MAX); an output may be one of the terms (element by
 * element every term is read before any output is written). Vectorized,
 * fused multiply-adds, two threads for large len like mf__expm_lincomb. */
#define MF__EXPM_MULTI_OUT_MAX 6
void mf__expm_lincomb_multi(int64_t len, int nout, double *const *out, int count,
                            const double (*c)[MF__EXPM_LINCOMB_MAX], const double *const *m);

/* Test hook: split long combinations over this many threads (0: as many
 * as the BLAS may use), so that the split is exercised on one-thread runs. */
void mf__expm_lincomb_force_threads(int threads);

/* max |m[e]| over len doubles, +Inf if some entry is Inf or NaN. */
double mf__expm_max_abs(int64_t len, const double *m);

/* nb[k] = || |A|^k ||_1 / d1^k, k = 1..kmax, of the n x n matrix a (column
 * stride lda, real), d1 = ||A||_1 > 0. work: n^2 + 2n doubles. */
void mf__expm_abs_power_norms(int64_t n, const double *a, int64_t lda, double d1, int kmax,
                              double *nb, double *work);

/* Are all len doubles finite? (vectorized) */
bool mf__expm_all_finite(int64_t len, const double *m);

/* exp(A) into E for real A, 3 <= n <= MF__EXPM_FIXED_MAX_N, default
 * options, arguments already validated except finiteness. Handles the
 * general (unstructured) case with fixed-size code, with the same choice
 * of approximant and the same arithmetic as mf__expm_packed. Sets *handled
 * to false, touching nothing, when A is structured (triangular, diagonal,
 * quasi-triangular) or not finite: the caller then takes the general path,
 * which also reports non-finite input. */
mf_status mf__expm_fixed(const char *fn, const mf_matrix *A, mf_matrix *E, mf_expm_info *info,
                         bool *handled);

/* Batches (expm_lanes.c): exp of count <= 8 real members of the same order
 * 3 <= n <= MF__EXPM_FIXED_MAX_N at once, member l in vector lane l. Each
 * A[l], E[l] must pass mf__expm_plain_args with F64 dtypes. done[l] is set
 * when E[l] holds exp(A[l]), bit for bit mf_expm's result; members left
 * undone (structured, non-finite, huge, overflowing; every member on a CPU
 * without AVX2) are untouched, for mf_expm to do and report. */
#define MF__EXPM_LANES 8
/* first[l] = the choice by ||A[l]||_1 (mf__expm_cheapest) for count <= 8
 * members as mf__expm_lanes takes them (zeros on a CPU without the lanes).
 * The batch groups members by first[l].id before mf__expm_lanes (a group
 * evaluates every approximant one of its lanes chose, so a mixed group
 * costs up to twice a uniform one; a member whose refined choice differs
 * still comes out right, only in a mixed group), and hands the group's
 * choices on, so they are made once. */
void mf__expm_lanes_first_choices(int count, const mf_matrix *A, mf__expm_choice *first);
/* Test hook: run the code variant of this level (0 plain, 1 AVX2+FMA, 2
 * AVX-512; only levels the CPU supports take effect), -1 the best one. */
void mf__expm_force_cpu_level(int level);
bool mf__expm_lanes_available(void);
/* first: mf__expm_lanes_first_choices of the same count members. */
void mf__expm_lanes(int count, const mf_matrix *A, mf_matrix *E, const mf__expm_choice *first,
                    bool *done);

#endif /* MF_FUNCS_EXPM_H */
