/*
 * Private triangular Sylvester solvers (names mf__*, never exported), the
 * level-3 engine of the square-root kernels (sqrtm_tri.h) and through them
 * of the inverse scaling and squaring of logm and powm.
 *
 * Both solve A X + X B = C in place of C (m x k), for upper triangular
 * (complex) or upper quasi-triangular (real: 1 x 1 and 2 x 2 diagonal
 * blocks, as in a real Schur form) A (m x m) and B (k x k); column-major,
 * complex as interleaved (re, im) pairs, any leading dimensions. C may
 * share an array with A and B (the square root solves for the block T12
 * between U11 and U22 in place) as long as the three regions are disjoint.
 *
 * Recursive blocking (Jonsson & Kagstrom, "Recursive blocked algorithms for
 * solving triangular systems - Part I", ACM TOMS 28(4), 2002, sec. 3):
 * split the larger of m and k in half (never through a 2 x 2 block), solve
 * for one half of X, remove it from the other half of C by one GEMM, solve
 * for the other half. Blocks of at most MF__TRSYLV_BASE rows and columns go
 * to a kernel that takes the unknowns a tile at a time (at most 4 x 4, whole
 * diagonal blocks of one size): the tile in registers by straight-line
 * code, column tiles left to right and row tiles bottom up, each followed
 * by a register-blocked update of the rest of C (compiled for AVX-512,
 * AVX2+FMA and baseline x86-64; trsylv_kernel.h).
 * Work: m k (m + k) flops (real) or complex flops; no workspace.
 *
 * Unlike LAPACK's ?trsyl3 there is no scaling against overflow: the callers
 * solve only equations whose spectra are well apart (A and -B in the closed
 * and open right half-plane) and check the solution for Inf and NaN.
 * Returns false when a divisor (a_ii + b_jj, or a pivot of a 2 x 2 block's
 * system) is exactly zero or its reciprocal overflows; X is then partly
 * computed.
 */
#ifndef MF_FUNCS_TRSYLV_H
#define MF_FUNCS_TRSYLV_H

#include <stdbool.h>
#include <stdint.h>

/* Largest m and k solved by the kernel (chosen by measurement, see
 * docs/funcs.md; tuning builds may set it with -D). */
#ifndef MF__TRSYLV_BASE
#define MF__TRSYLV_BASE 16
#endif

bool mf__trsylv_real(int64_t m, int64_t k, const double *a, int64_t lda, const double *b,
                     int64_t ldb, double *c, int64_t ldc);

bool mf__trsylv_complex(int64_t m, int64_t k, const double *a, int64_t lda, const double *b,
                        int64_t ldb, double *c, int64_t ldc);

/*
 * A X + X B = C for p x q blocks (p, q in {1, 2}) through the Kronecker
 * form (I_q (x) A + B^T (x) I_p) vec X = vec C, Gaussian elimination with
 * partial pivoting; C is overwritten by X. False on a zero pivot.
 */
bool mf__sylv_small_real(int p, int q, const double *a, int64_t lda, const double *b, int64_t ldb,
                         double *c, int64_t ldc);

#endif /* MF_FUNCS_TRSYLV_H */
