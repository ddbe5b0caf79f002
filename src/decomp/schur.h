/*
 * Private Schur-form helpers shared by the decomposition and the
 * matrix-function modules (names mf__*, never exported).
 *
 * Every helper works on column-major workspace: T is n x n with leading
 * dimension ldt, Z (optional, NULL to skip) n x n with leading dimension ldz.
 * For dtype MF_F64, T is a real quasi-triangular Schur form with
 * standardized 2 x 2 blocks (as ?gees returns it) and Z is real; for
 * MF_C128, T is complex upper triangular and T, Z hold interleaved
 * (re, im) pairs. Where Z is given, A = Z T Z^H is preserved to roundoff.
 * Errors are reported through mf__fail under the caller's function name fn.
 */
#ifndef MF_DECOMP_SCHUR_H
#define MF_DECOMP_SCHUR_H

#include <stdbool.h>
#include <stdint.h>

#include "internal.h"

/*
 * Schur factorization of the n x n column-major matrix a (dtype MF_F64 or
 * MF_C128), overwritten by T; z (may be NULL) receives the Schur vectors.
 * LAPACK ?gees without ordering. MF_ENOCONV if the QR iteration fails,
 * MF_ENOMEM for workspace.
 */
mf_status mf__schur_factor(const char *fn, int32_t dtype, int64_t n, double *a, int64_t lda,
                           double *z, int64_t ldz);

/*
 * Turn a real Schur form (t, z real, leading dimensions ldt, ldz) into the
 * complex triangular one: tc, zc (complex, leading dimensions ldtc, ldzc;
 * zc may be NULL) receive T and Z with every 2 x 2 block triangularized by
 * a complex Givens rotation; the eigenvalue with positive imaginary part
 * comes first. No allocation; cannot fail.
 */
void mf__schur_real_to_complex(int64_t n, const double *t, int64_t ldt, const double *z,
                               int64_t ldz, double *tc, int64_t ldtc, double *zc, int64_t ldzc);

/*
 * The same conversion for factors held in their own arrays: *t and *z (n x n,
 * leading dimension n, from mf__alloc) are replaced by newly allocated
 * complex ones and freed, and *dtype becomes MF_C128. MF_ENOMEM (through
 * mf__fail under fn) leaves all three as they were.
 */
mf_status mf__schur_make_complex(const char *fn, int64_t n, double **t, double **z,
                                 int32_t *dtype);

/*
 * Similarity by the Schur vectors, for n x n column-major arrays (leading
 * dimension n) of dtype dt, two ?gemm each: into Schur coordinates,
 * e := Z^H e Z (w is n x n scratch), and back, out := Z x Z^H (w is n x n
 * scratch, distinct from x and out; out may be x).
 */
void mf__schur_coords(int32_t dt, int64_t n, const double *z, double *e, double *w);
void mf__schur_coords_back(int32_t dt, int64_t n, const double *z, const double *x, double *w,
                           double *out);

/*
 * Eigenvalues on the diagonal (1 x 1 entries and 2 x 2 blocks) of a Schur
 * form: wr[i] + i wi[i]. A 2 x 2 block gives its pair with the positive
 * imaginary part first.
 */
void mf__schur_eigenvalues(int32_t dtype, int64_t n, const double *t, int64_t ldt, double *wr,
                           double *wi);

/*
 * Reorder the Schur form so that the eigenvalues with select[i] true move to
 * the leading positions, keeping their relative order (LAPACK ?trsen,
 * which swaps adjacent blocks with ?trexc). For MF_F64 both rows of a
 * 2 x 2 block must carry the same selection (a block is never split);
 * otherwise MF_EINVAL. *n_selected (may be NULL) receives the number of
 * leading rows now holding the selected eigenvalues. MF_ENOCONV when a swap
 * was refused because the blocks' eigenvalues are too close (T, Z are then
 * partially reordered but still a valid Schur form of A).
 */
mf_status mf__schur_reorder(const char *fn, int32_t dtype, int64_t n, double *t, int64_t ldt,
                            double *z, int64_t ldz, const bool *select, int64_t *n_selected);

/* Blocking separation of Davies & Higham 2003, section 4 (delta = 0.1). */
#define MF_SCHUR_DELTA 0.1

/*
 * Schur-Parlett blocking (Davies & Higham, SIAM J. Matrix Anal. Appl. 25(2),
 * 2003, section 4): eigenvalues lambda, mu belong to the same cluster if
 * |lambda - mu| <= delta, closed transitively; for MF_F64 the two
 * eigenvalues of a 2 x 2 block always share a cluster. T and Z are then
 * reordered so that each cluster is contiguous, the clusters in increasing
 * order of the mean original position of their members (DH03 section 4:
 * a confluent permutation ordered by average index, a cheap way to keep the
 * number of swaps small).
 *
 * On success *n_blocks receives the number of clusters and starts[0..n_blocks]
 * the block boundaries (cluster b occupies rows and columns starts[b] to
 * starts[b+1] - 1; starts[0] = 0, starts[n_blocks] = n); starts must have
 * room for n + 1 entries. Errors: MF_EINVAL (delta < 0 or NaN), MF_ENOMEM,
 * MF_ENOCONV (as mf__schur_reorder).
 */
mf_status mf__schur_cluster(const char *fn, int32_t dtype, int64_t n, double *t, int64_t ldt,
                            double *z, int64_t ldz, double delta, int64_t *starts,
                            int64_t *n_blocks);

#endif /* MF_DECOMP_SCHUR_H */
