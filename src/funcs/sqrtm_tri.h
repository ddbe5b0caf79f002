/*
 * Private square-root kernels for Schur factors (names mf__*, never
 * exported), shared by sqrtm/signm and by the inverse scaling and squaring
 * of logm/powm, which take repeated square roots of a triangular T.
 *
 * Both kernels overwrite an n x n column-major T (leading dimension ldt) by
 * its principal square root U (U^2 = T, every eigenvalue of U in the open
 * right half-plane, or zero). They follow the recursive blocking of Deadman,
 * Higham & Ralha, LNCS 7782, 2013 (DHR13), section 3: split
 * T = [[T11, T12], [0, T22]], take U11 and U22 recursively, then solve the
 * Sylvester equation U11 X + X U22 = T12 by the recursive blocked solver of
 * trsylv.h (GEMM updates around a tiled, vectorized kernel); blocks of at
 * most MF_SQRTM_BASE rows run the point (Bjorck-Hammarling) recurrence
 * column by column through that solver's kernel. Work: about n^3 / 3 flops
 * (real) or complex flops; no workspace.
 *
 * Zero eigenvalues: a T with two or more exactly zero diagonal entries goes
 * through the unblocked point recurrence (the *_point kernels below, whose
 * 0 / 0 steps are decided there, see the .c files): the blocked solver has
 * no way to tell a consistent singular equation from an inconsistent one.
 * A root that overflows (Inf or NaN) is MF_EOVERFLOW.
 * Errors are reported through mf__fail under the caller's name fn.
 */
#ifndef MF_FUNCS_SQRTM_TRI_H
#define MF_FUNCS_SQRTM_TRI_H

#include <stdint.h>

#include "internal.h"

/* Largest diagonal block of the recursion handled by the point recurrence
 * (chosen by measurement, docs/funcs.md). */
#ifndef MF_SQRTM_BASE
#define MF_SQRTM_BASE 16
#endif

/*
 * Real quasi-triangular T (a real Schur form whose 2 x 2 diagonal blocks
 * hold complex conjugate pairs; standardized as ?gees returns it) -> its
 * real principal square root, quasi-triangular with the same block
 * structure (Higham, Linear Algebra Appl. 88/89, 1987). A 2 x 2 block is
 * never split.
 * Errors: MF_ENOTREAL (a 1 x 1 block is negative: the principal square
 * root is not real), MF_EDOMAIN (no square root: a zero eigenvalue in a
 * nontrivial Jordan block, found as a nonzero numerator over a zero
 * denominator), MF_EINVAL (a 2 x 2 block with real eigenvalues),
 * MF_EOVERFLOW. On failure T holds partial results.
 */
mf_status mf__sqrtm_quasitri(const char *fn, int64_t n, double *t, int64_t ldt);

/*
 * Complex upper triangular T (interleaved re, im) -> its principal square
 * root. Diagonal entries take C's csqrt, with one tie-break: an eigenvalue
 * on the negative real axis whose imaginary part is -0.0 is read as +0.0,
 * so that sqrt(-1) = +i whatever the sign of zero the Schur form produced.
 * Errors: MF_EDOMAIN, MF_EOVERFLOW as above.
 */
mf_status mf__sqrtm_tri(const char *fn, int64_t n, double *t, int64_t ldt);

/* The same roots by the unblocked point recurrence alone (entry by entry,
 * Higham 1987 eq. 4.4 / Bjorck & Hammarling 1983): the path for singular T,
 * and the reference the blocked kernels are tested against. */
mf_status mf__sqrtm_quasitri_point(const char *fn, int64_t n, double *t, int64_t ldt);
mf_status mf__sqrtm_tri_point(const char *fn, int64_t n, double *t, int64_t ldt);

#endif /* MF_FUNCS_SQRTM_TRI_H */
