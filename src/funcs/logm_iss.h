/*
 * Private interface of the matrix logarithm and real powers (names mf__*,
 * never exported): the inverse scaling and squaring machinery that works on
 * Schur factors, shared by logm.c, powm.c and logm_frechet.c.
 *
 * Every routine works on packed column-major n x n workspace with leading
 * dimension n. For dtype MF_F64 a matrix is real upper quasi-triangular (a
 * real Schur form with standardized 2 x 2 blocks, or a function of one,
 * which has the same block structure); for MF_C128 it is complex upper
 * triangular, stored as interleaved (re, im) pairs. A real quasi-triangular
 * input must have no negative 1 x 1 block (the caller switches to the
 * complex form first) and no eigenvalue may be zero.
 *
 * Papers:
 *   AH12  A. H. Al-Mohy and N. J. Higham, Improved inverse scaling and
 *         squaring algorithms for the matrix logarithm, SIAM J. Sci. Comput.
 *         34(4), 2012, C153-C169 (Alg. 4.1, iss_schur_new).
 *   AHR13 A. H. Al-Mohy, N. J. Higham and S. D. Relton, Computing the
 *         Frechet derivative of the matrix logarithm and estimating the
 *         condition number, SIAM J. Sci. Comput. 35(4), 2013, C394-C410
 *         (real arithmetic on quasi-triangular forms).
 *   HL11  N. J. Higham and L. Lin, A Schur-Pade algorithm for fractional
 *         powers of a matrix, SIAM J. Matrix Anal. Appl. 32(3), 2011.
 *   HL13  N. J. Higham and L. Lin, An improved Schur-Pade algorithm for
 *         fractional powers of a matrix and their Frechet derivatives, SIAM
 *         J. Matrix Anal. Appl. 34(3), 2013 (Alg. 5.1).
 *   Al-Mohy 2012  A more accurate Briggs method for the logarithm, Numer.
 *         Algorithms 59, 2012 (Alg. 2: a^(1/2^k) - 1 without cancellation).
 */
#ifndef MF_FUNCS_LOGM_ISS_H
#define MF_FUNCS_LOGM_ISS_H

#include <stdbool.h>
#include <stdint.h>

#include "internal.h"

/* pi (M_PI is POSIX, not C11). */
#define MF__PI 3.14159265358979323846

/* Hard bound on the number of square roots. A nonzero finite eigenvalue
 * needs at most about 12 (|log lambda| <= 745) plus a few extra for
 * non-normality, so reaching it means something is badly wrong: we fail
 * with MF_ENOCONV instead of looping (the Eigen/JAX hang on singular input). */
#define MF__ISS_MAX_SQRT 64

/* Threshold tables theta_1 .. theta_7 (index m - 1); see logm_iss.c. */
extern const double mf__iss_theta_log[7];
extern const double mf__iss_theta_pow[7];

/* Is there a 2 x 2 block starting at row k (F64) ? Always false for C128. */
bool mf__iss_block_at(int32_t dt, int64_t n, const double *t, int64_t k);

/* True if t (ld n) is (block) diagonal: nothing above its diagonal blocks. */
bool mf__iss_is_block_diagonal(int32_t dt, int64_t n, const double *t);

/*
 * Inverse scaling: from the Schur factor t0, r = t0^(1/2^s) - I, with s
 * square roots and the Pade degree m chosen by the AH12 Alg. 4.1 decision
 * tree (also HL13 Alg. 5.1 lines 3-34) on the norm estimates
 * alpha_p = max(||R^p||_1^(1/p), ||R^(p+1)||_1^(1/(p+1))) against the table
 * theta. The diagonal blocks and the superdiagonal of r are then recomputed
 * from t0 without cancellation (AH12 section 5; AHR13 for 2 x 2 blocks).
 */
mf_status mf__iss_reduce(const char *fn, int32_t dt, int64_t n, const double *t0,
                         const double *theta, double *r, int *s, int *m);

/* M X = B for upper (quasi-)triangular M (destroyed: its 2 x 2 blocks are
 * eliminated in place with row pivoting) and upper (quasi-)triangular B
 * (n x n, in place) whose 2 x 2 blocks sit where M's do, or nowhere: the
 * result has that structure too. Recursive level-3 (logm_iss_tri.c). */
void mf__iss_solve(int32_t dt, int64_t n, double *mfac, double *b);

/* c = a b for upper (quasi-)triangular a and b (the upper triangle of a
 * recursively by ?trmm and ?gemm, plus the subdiagonal entries of a's
 * 2 x 2 blocks; logm_iss_tri.c); c must not overlap a or b. */
void mf__iss_tri_mul(int32_t dt, int64_t n, const double *a, const double *b, double *c);

/* l = log(t0): ISS with the Pade approximant in partial fractions, diagonal
 * blocks and superdiagonal recomputed exactly at the end. */
mf_status mf__logm_tri(const char *fn, int32_t dt, int64_t n, const double *t0, double *l);

/* x = t0^p for any real p: integers by binary powering (negative ones
 * through the triangular inverse), |p| < 1 by the Schur-Pade algorithm,
 * other p as t0^k t0^f (HL11 section 5). */
mf_status mf__powm_tri(const char *fn, int32_t dt, int64_t n, const double *t0, double p,
                       double *x);

/* A function of a triangular factor, for the Frechet and condition code. */
typedef mf_status (*mf__tri_fn)(const char *fn, int32_t dt, int64_t n, const double *t0,
                                double *out, const void *ctx);

/*
 * Frechet derivative in Schur coordinates through the block identity
 * f([[T, E], [0, T]]) = [[f(T), L(T, E)], [0, f(T)]] (Higham 2008, Thm. 3.6
 * / eq. (3.16)): the 2n x 2n matrix is already (quasi-)triangular, so only
 * the triangular phase runs at size 2n (about 8x its cost at n, no Schur
 * factorization). e (n x n) is scaled by a power of two before and after.
 * d receives L(T, E); f_t (may be NULL) f(T).
 */
mf_status mf__tri_frechet(const char *fn, int32_t dt, int64_t n, const double *t, const double *e,
                          mf__tri_fn f, const void *ctx, double *d, double *f_t);

/* Back-transformation out = Z U Z^H for quasi-triangular U (w is n x n
 * scratch): ?trmm on the upper triangle plus the subdiagonal entries of
 * real 2 x 2 blocks, then one ?gemm. */
void mf__iss_back_transform(int32_t dt, int64_t n, const double *z, const double *u, double *w,
                            double *out);

/* ------------------------------------------------------------------ */
/* drivers shared by mf_logm, mf_powm and their derivatives (logm.c)   */
/* ------------------------------------------------------------------ */

/* A = Z T Z^H in arithmetic dt (n x n, ld n each). */
typedef struct mf__iss_schur {
    int64_t n;
    int32_t dt;
    double *t, *z;
} mf__iss_schur;

void mf__iss_schur_free(mf__iss_schur *f);

/*
 * Schur factors of A for a function whose result goes to dtype out_dt.
 * F64 A is factored in real arithmetic (dgees); the form is made complex
 * when want_complex, or when a 1 x 1 block is negative and negatives_ok is
 * false (the real algorithm needs positive real eigenvalues): then out_dt
 * F64 is MF_ENOTREAL with a message naming `what`. An exactly zero
 * eigenvalue fails with zero_status unless that is MF_OK.
 */
mf_status mf__iss_schur_compute(const char *fn, const mf_matrix *A, int32_t out_dt,
                                bool want_complex, bool negatives_ok, mf_status zero_status,
                                const char *zero_msg, const char *what, mf__iss_schur *f);

/* out (n x n, dtype dt of v) = sum_{j0 <= j < j1} d_j^2 v_j v_j^H by one
 * ?syrk / ?herk on scaled columns (work: n x (j1 - j0)), exactly Hermitian
 * (the upper triangle mirrors the lower one). */
void mf__iss_gram(int32_t dt, int64_t n, const double *v, int64_t j0, int64_t j1,
                  const double *d, double *work, double *out);


/* ------------------------------------------------------------------ */
/* condition numbers (logm_frechet.c)                                  */
/* ------------------------------------------------------------------ */

/* d = L_f(A, e) = Z L_f(T, Z^H e Z) Z^H for the Schur factors f (e, d:
 * n x n in f's dtype; d may be e); w is n x n scratch. */
mf_status mf__iss_frechet_full(const char *fn, const mf__iss_schur *f, mf__tri_fn fun,
                               const void *ctx, double *e, double *w, double *d);

/* Relative Frobenius condition number estimate
 * est(||L_f(A)||) ||A||_F / ||f(A)||_F from the Schur factors of A
 * (mf_normest1_op with t = 2 on the Frechet operator and its adjoint
 * G -> L_f(A, G^H)^H). a: A packed in f's dtype. */
mf_status mf__iss_cond(const char *fn, const mf__iss_schur *f, mf__tri_fn fun, const void *ctx,
                       const double *a, double *cond);

/* ||a||_F of an n x n workspace of dtype dt by one pass of a scaled sum of
 * squares (no overflow), in plain C: the condition numbers of mf_logm,
 * mf_powm and mf_sqrtm divide by it. Unlike mf__iter_norm_fro it does not
 * go through OpenBLAS's x87 ?nrm2, whose last bits differ and which
 * Valgrind runs inexactly (docs/reliability.md). */
double mf__iss_norm_fro(int32_t dt, int64_t n, const double *a);

#endif /* MF_FUNCS_LOGM_ISS_H */
