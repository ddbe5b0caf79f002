/** @file
 * libmatfun decompositions: LU family (solve, det, inverse, log-determinant,
 * condition estimate), QR, Cholesky, SVD, polar, symmetric and general
 * eigenproblems, Schur. Conventions: see matfun/core.h.
 *
 * All functions accept F64 and C128 inputs with any strides. Outputs have the
 * exact documented shape (else MF_EDIM) and are written only on success.
 * Unless stated otherwise, NaN/Inf input gives MF_ENONFINITE, a complex input
 * with a real output gives MF_EDTYPE, and forbidden overlap gives MF_EALIAS.
 * Dimensions above 2^31 - 1 give MF_EDIM (the LAPACK backend is 32-bit).
 */
#ifndef MATFUN_DECOMP_H
#define MATFUN_DECOMP_H

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* LU family                                                           */
/* ------------------------------------------------------------------ */

/**
 * LU factorization with partial pivoting: P A = L U (LAPACK ?getrf).
 *
 * @param A  m x n, F64 or C128. Singular A is fine (U has zero pivots).
 * @param[out] L  m x k unit lower trapezoidal, k = min(m, n); dtype of A
 *                (or C128 for F64 A). Entries above the diagonal are set to 0
 *                and the diagonal to 1.
 * @param[out] U  k x n upper trapezoidal, zeros below the diagonal.
 * @param[out] perm  length m: perm[i] is the row of A that is row i of P A.
 * L, U may be NULL to skip them; perm may be NULL. L or U may exactly alias A
 * (in place) when shapes match.
 * @return MF_OK, MF_EINVAL, MF_EDIM, MF_EDTYPE, MF_ENONFINITE, MF_EALIAS,
 *         MF_EOVERFLOW (element growth took an entry of L or U beyond the
 *         double range, e.g. entries of A near 1e308; L, U and perm
 *         untouched), MF_ENOMEM. Workspace: m n elements plus min(m,n)
 *         integers.
 */
MF_API mf_status mf_lu(const mf_matrix *A, mf_matrix *L, mf_matrix *U, int64_t *perm);

/**
 * Solve A X = B for square A (LAPACK ?getrf + ?gecon + ?getrs).
 *
 * @param A  n x n, F64 or C128.
 * @param B  n x r right-hand sides (any r >= 0), F64 or C128.
 * @param[out] X  n x r solution. X may exactly alias B (in place). The output dtype must be C128 if A or B
 * is C128; F64 A and B with a C128 X solve in complex arithmetic.
 * @return MF_ESINGULAR when A is exactly singular or its reciprocal
 *         1-norm condition estimate is below the machine epsilon
 *         (2.2e-16); the message gives the estimate. Also MF_EINVAL, MF_EDIM,
 *         MF_EDTYPE, MF_ENONFINITE, MF_EALIAS, MF_ENOMEM.
 * Workspace: n^2 elements, 4n doubles, n integers (plus n r elements when X
 * is not column-major).
 */
MF_API mf_status mf_solve(const mf_matrix *A, const mf_matrix *B, mf_matrix *X);

/**
 * Determinant of square A from its LU factors.
 *
 * @param A  n x n, F64 or C128.
 * @param[out] re  real part (the determinant for F64 A).
 * @param[out] im  imaginary part; may be NULL for F64 A (then it is 0), must
 *                 be non-NULL for C128 A.
 * A singular A gives det = 0 and MF_OK. An empty matrix has det 1.
 * @return MF_EOVERFLOW when |det| exceeds the double range (use
 *         mf_logdet()); MF_EINVAL, MF_EDIM, MF_ENONFINITE, MF_ENOMEM.
 */
MF_API mf_status mf_det(const mf_matrix *A, double *re, double *im);

/**
 * Log-determinant with sign (phase): det A = sign * exp(logabsdet).
 *
 * For F64 A sign is -1, 0 or +1; for C128 A it is det / |det| (unit modulus).
 * A singular A gives logabsdet = -INFINITY and sign 0 with MF_OK. This is the
 * cheap log |det| of LU-parameterized invertible layers; it never overflows.
 *
 * @param A  n x n, F64 or C128.
 * @param[out] logabsdet  log |det A|
 * @param[out] sign_re  real part of the sign.
 * @param[out] sign_im  imaginary part of the sign; may be NULL for F64 A.
 * Any output pointer may be NULL except logabsdet.
 * @return MF_OK, MF_EINVAL, MF_EDIM, MF_ENONFINITE, MF_ENOMEM.
 */
MF_API mf_status mf_logdet(const mf_matrix *A, double *logabsdet, double *sign_re,
                           double *sign_im);

/**
 * Inverse of square A (LAPACK ?getrf + ?gecon + ?getri). X may exactly alias A.
 * @param A  n x n, F64 or C128.
 * @param[out] X  n x n, the inverse (C128 when A is C128).
 * @return MF_ESINGULAR under the same rule as mf_solve(); MF_EINVAL, MF_EDIM,
 *         MF_EDTYPE, MF_ENONFINITE, MF_EALIAS, MF_ENOMEM.
 */
MF_API mf_status mf_inv(const mf_matrix *A, mf_matrix *X);

/**
 * Reciprocal condition number estimate 1 / (||A|| ||A^-1||) in the 1-norm
 * (kind = MF_NORM_1) or the infinity norm (kind = MF_NORM_INF), by LU and
 * LAPACK's ?gecon (Higham's modification of Hager's estimator). Exactly
 * singular A gives 0 with MF_OK. Usually within a factor 3 of the truth.
 * @param A  n x n, F64 or C128.
 * @param kind  MF_NORM_1 or MF_NORM_INF.
 * @param[out] rcond  the estimate, in [0, 1]; written only on success.
 * @return MF_OK, MF_EINVAL (also for other kinds), MF_EDIM, MF_ENONFINITE,
 *         MF_ENOMEM.
 */
MF_API mf_status mf_rcond(const mf_matrix *A, int kind, double *rcond);

/**
 * Condition number kappa(A) = ||A|| ||A^-1|| of square A in the given norm
 * kind.
 *
 * MF_NORM_1 and MF_NORM_INF: estimated, 1 / mf_rcond(): ||A|| times LAPACK
 * ?gecon's estimate of ||A^-1|| from the LU factors (O(n^3) for the
 * factorization, O(n^2) more). That estimate is a lower bound, so the result
 * is <= the true kappa up to roundoff, and usually within a factor 3 of it.
 * MF_NORM_2: exact, sigma_max / sigma_min from the singular values (?gesdd,
 * values only; about 20 times the cost of the LU).
 * MF_NORM_FRO: exact, ||A||_F ||A^-1||_F with the inverse formed by ?getri
 * (O(n^3)); the two norms are combined in scaled form, so kappa(s A) =
 * kappa(A) even near the ends of the double range.
 *
 * Singular A gives +INFINITY with MF_OK: an exactly zero LU pivot (1, inf,
 * Frobenius), an exactly zero smallest singular value (2), or a result
 * beyond the double range. A matrix singular only in exact arithmetic
 * usually gives a large finite value, about 1 / u = 9e15 or more.
 * The empty 0 x 0 matrix gives 1: it is the identity of size 0, and this
 * keeps kappa >= 1 and kappa * mf_rcond() = 1 (NumPy returns 0 instead).
 *
 * @param A  n x n, F64 or C128, any strides; not modified.
 * @param kind  MF_NORM_1, MF_NORM_INF, MF_NORM_FRO or MF_NORM_2.
 * @param[out] out  kappa(A) >= 1, written only on success.
 * @return MF_OK; MF_EINVAL (NULL, bad descriptor, MF_NORM_MAX, MF_NORM_NUC
 *         or an unknown kind); MF_EDIM (non-square, n > 2^31 - 1);
 *         MF_ENONFINITE; MF_ENOMEM; MF_ENOCONV (the SVD for MF_NORM_2).
 * Workspace: one n x n copy plus O(n) (1, inf); the copy plus the ?gesdd
 * work (2); the copy plus the ?getri work (Frobenius).
 */
MF_API mf_status mf_cond(const mf_matrix *A, int kind, double *out);

/* ------------------------------------------------------------------ */
/* QR and Cholesky                                                     */
/* ------------------------------------------------------------------ */

/**
 * QR factorization A = Q R (Householder, LAPACK ?geqrf / ?orgqr / ?ungqr).
 *
 * @param A  m x n, F64 or C128.
 * @param[out] Q  m x k (thin, k = min(m, n)) or m x m (full), orthonormal
 *                (unitary) columns; may be NULL to compute R only. The shape
 *                chooses thin or full (they coincide when m <= n). The full
 *                Q of an m x 0 matrix is the identity.
 * @param[out] R  k x n (with thin Q or NULL Q) or m x n (with full Q), upper
 *                trapezoidal with zeros below the diagonal; must not be NULL.
 * Q and R take the dtype rule of outputs (C128 for C128 A); F64 A is factored
 * in real arithmetic, so C128 outputs of a real A have zero imaginary parts.
 * Either output (not both) may exactly alias A when its shape equals A's.
 * @return MF_OK, MF_EINVAL, MF_EDIM (also R's shape not matching Q's choice),
 *         MF_EDTYPE, MF_ENONFINITE, MF_EALIAS, MF_ENOMEM.
 * Workspace: m n + m q_cols + min(m,n) elements plus LAPACK's blocked work
 * array (about n times the block size).
 */
MF_API mf_status mf_qr(const mf_matrix *A, mf_matrix *Q, mf_matrix *R);

/**
 * Column-pivoted QR, A P = Q R (LAPACK ?geqp3; Quintana-Orti, Sun & Bischof,
 * SIAM J. Sci. Comput. 19(5), 1998), with numerical rank.
 *
 * @param A  m x n, F64 or C128.
 * @param tol  rank tolerance: rank = number of |R(i,i)| > tol * |R(0,0)|;
 *             tol < 0 selects the default max(m, n) * u (u = 2^-53). The
 *             zero matrix has rank 0 for every tol.
 * @param[out] Q  m x k or m x m, or NULL (as in mf_qr()).
 * @param[out] R  k x n or m x n (as in mf_qr()); |R(i,i)| is non-increasing
 *                (up to the sqrt(u) accuracy of ?geqp3's downdated norms).
 * @param[out] perm  length n: perm[j] is the column of A that is column j of
 *                   A P; may be NULL.
 * @param[out] rank  the numerical rank; may be NULL.
 * perm and rank, like Q and R, are written only on success.
 * @return as mf_qr(), plus MF_EINVAL for a NaN tol.
 * Workspace: as mf_qr() plus n integers (and 2n doubles for C128).
 */
MF_API mf_status mf_qr_pivoted(const mf_matrix *A, double tol, mf_matrix *Q, mf_matrix *R,
                               int64_t *perm, int64_t *rank);

/**
 * Cholesky factorization A = L L^H of a symmetric/Hermitian positive
 * definite A (LAPACK ?potrf). Reads only the lower triangle of A (the
 * imaginary parts of its diagonal are ignored); only what is read must be
 * finite, so the upper triangle may hold anything.
 *
 * @param A  n x n, F64 or C128.
 * @param[out] L  n x n lower triangular with positive real diagonal and
 *                zeros above it; may exactly alias A. C128 L for F64 A holds
 *                the real factor.
 * @return MF_EDOMAIN when A is not positive definite, naming the failing
 *         pivot (the leading minor of that order is not positive);
 *         MF_EINVAL, MF_EDIM, MF_EDTYPE, MF_ENONFINITE, MF_EALIAS, MF_ENOMEM.
 * Workspace: n^2 elements.
 */
MF_API mf_status mf_cholesky(const mf_matrix *A, mf_matrix *L);

/* ------------------------------------------------------------------ */
/* SVD                                                                 */
/* ------------------------------------------------------------------ */

/**
 * Singular value decomposition A = U diag(s) Vh.
 *
 * Divide and conquer (?gesdd; Gu & Eisenstat, SIMAX 16(1), 1995), falling
 * back to the QR-iteration driver (?gesvd) when it reports non-convergence;
 * MF_ENOCONV only if both fail.
 *
 * @param A  m x n, F64 or C128; k = min(m, n).
 * @param[out] s   k x 1 F64, singular values in descending order; not NULL.
 * @param[out] U   m x k (thin) or m x m (full), or NULL.
 * @param[out] Vh  k x n (thin) or n x n (full), or NULL.
 * Only the factor on the longer side of A differs between thin and full (the
 * other is k x k either way), so the shapes given always agree on the
 * choice. For an empty A, full U and Vh are identities. Their dtype follows
 * the output rule (C128 for C128 A); F64 A is decomposed in real arithmetic.
 * U may exactly alias A when it has A's shape (m >= n thin, or square), Vh
 * when m <= n and it is thin; not both.
 * @return MF_OK, MF_EINVAL, MF_EDIM, MF_EDTYPE, MF_ENONFINITE, MF_EALIAS,
 *         MF_ENOMEM, MF_ENOCONV.
 * Workspace: m n elements, plus m x (k or m) and (k or n) x n elements when
 * either vector output is asked for (both are computed), plus the driver's
 * work arrays; measured peak for square F64 A: 1.1 n^2 doubles for values
 * only, 6 n^2 with vectors.
 */
MF_API mf_status mf_svd(const mf_matrix *A, mf_matrix *U, mf_matrix *s, mf_matrix *Vh);

/* ------------------------------------------------------------------ */
/* Polar decomposition                                                 */
/* ------------------------------------------------------------------ */

/** Which method produced a polar decomposition (mf_polar_info.path). */
typedef enum mf_polar_path {
    MF_POLAR_QDWH = 1,          /**< QR-based QDWH iterations, Cholesky-based once well conditioned */
    MF_POLAR_NEWTON_SCHULZ = 2, /**< A was close to orthogonal: Newton-Schulz iterations only */
    MF_POLAR_SVD = 3            /**< SVD (rank-deficient, ill-conditioned, or cheaper than QDWH) */
} mf_polar_path;

/** What mf_polar_ex() did. */
typedef struct mf_polar_info {
    int32_t path;          /**< an mf_polar_path */
    int32_t iterations;    /**< total iterations (QR-based + Cholesky-based + Newton-Schulz) */
    int32_t qr_iterations; /**< QR-based QDWH iterations among them */
    int32_t reserved;      /**< reserved, set to 0 */
    double cond_estimate;  /**< the 2-norm condition estimate that set the weights */
} mf_polar_info;

/**
 * Polar decomposition A = U H for m >= n: U m x n with orthonormal columns,
 * H n x n Hermitian positive semidefinite (may be NULL).
 *
 * @param A  m x n, F64 or C128, m >= n.
 * @param[out] U  m x n; dtype rule of outputs (C128 for C128 A). May exactly
 *                alias A.
 * @param[out] H  n x n or NULL; may exactly alias a square A (not together
 *                with U).
 *
 * The path is chosen from the Gram matrix G = X^H X of X = A sqrt(n)/||A||_F
 * (one ?syrk, a power estimate of ||G - I||_2 and, for the QDWH/SVD choice,
 * a Cholesky factor of G with ?trcon):
 *  - nearly orthonormal columns (condition estimate <= 1.6): Newton-Schulz
 *    steps (quintic, then cubic), GEMM only;
 *  - otherwise the QR-based dynamically weighted Halley iteration (QDWH;
 *    Nakatsukasa, Bai & Gygi, SIAM J. Matrix Anal. Appl. 31(5), 2010),
 *    switching to its Cholesky-based form once its weight c_k <= 100; a tall
 *    A is first reduced to its R factor;
 *  - the SVD (?gesdd, ?gesvd if that fails) when A is numerically rank
 *    deficient or its condition estimate exceeds 1e7, when QDWH is predicted
 *    to be slower than the SVD (always for n < 16; with OpenBLAS, for
 *    random A, which need a QR-based step, at every size measured except
 *    around n = 64), or if an iteration stalls.
 * Then H = U^H A, symmetrized (SVD path: H = V S V^H).
 * Accuracy: ||U^H U - I||_F and ||A - U H||_F / ||A||_F within a few n u.
 * Workspace: at most about 3 m n + 6 n^2 elements plus LAPACK's work
 * (measured peak at m = n: 6 n^2 on the Newton-Schulz path, 8-9 n^2 on the
 * others).
 * @return MF_OK, MF_EINVAL, MF_EDIM (m < n or wrong output shape), MF_EDTYPE,
 *         MF_ENONFINITE, MF_EALIAS, MF_ENOMEM, MF_ENOCONV (both SVD drivers
 *         failed).
 */
MF_API mf_status mf_polar(const mf_matrix *A, mf_matrix *U, mf_matrix *H);

/** mf_polar() reporting what it did; info may be NULL and is written only
 * on success. info->cond_estimate is the estimate of kappa_2(A) behind the
 * choice (INFINITY for a numerically singular A, NaN for n < 16, where the
 * SVD path always runs because it is the fastest there).
 * @param A  m x n, F64 or C128, m >= n.
 * @param[out] U  m x n, as in mf_polar().
 * @param[out] H  n x n or NULL, as in mf_polar().
 * @param[out] info  what was done, or NULL.
 * @return as mf_polar(). */
MF_API mf_status mf_polar_ex(const mf_matrix *A, mf_matrix *U, mf_matrix *H, mf_polar_info *info);

/* ------------------------------------------------------------------ */
/* Symmetric/Hermitian and general eigenproblems, Schur form           */
/* ------------------------------------------------------------------ */

/**
 * Eigenvalues (ascending) and optionally eigenvectors of a symmetric or
 * Hermitian matrix; reads only the lower triangle of A.
 *
 * @param A  n x n, F64 or C128.
 * @param[out] w  n x 1 F64, ascending.
 * @param[out] V  n x n orthonormal eigenvectors (columns), or NULL; dtype
 *                rule of outputs. May exactly alias A.
 * Only the lower triangle must be finite. Divide and conquer (dsyevd) for
 * F64 A and MRRR (zheevr) for C128 A: the faster driver of each dtype at
 * n = 256..1024 (measurements in the source, src/decomp/eigh.c).
 * @return MF_OK, MF_EINVAL, MF_EDIM, MF_EDTYPE, MF_ENONFINITE, MF_EALIAS,
 *         MF_ENOMEM, MF_ENOCONV.
 */
MF_API mf_status mf_eigh(const mf_matrix *A, mf_matrix *w, mf_matrix *V);

/** Which eigenvalues mf_eigh_select() computes. */
typedef enum mf_eigh_which {
    MF_EIGH_SMALLEST = 1, /**< the k smallest */
    MF_EIGH_LARGEST = 2,  /**< the k largest */
    MF_EIGH_INTERVAL = 3  /**< all in the half-open interval (lo, hi] */
} mf_eigh_which;

/**
 * A subset of the eigenpairs of a symmetric/Hermitian matrix (LAPACK
 * ?syevr / ?heevr, MRRR), in ascending order.
 *
 * SMALLEST / LARGEST: w is k x 1, V is n x k (or NULL), 0 <= k <= n; lo, hi
 * are ignored. INTERVAL: w is n x 1, V is n x n (or NULL); the first *count
 * entries (columns) hold the eigenpairs in (lo, hi], the rest are set to 0;
 * lo = -INFINITY and hi = INFINITY are allowed.
 * @param A  n x n, F64 or C128; only the lower triangle is read.
 * @param which  an mf_eigh_which.
 * @param k  number of eigenpairs for SMALLEST / LARGEST.
 * @param lo  lower end (excluded) of the interval for INTERVAL.
 * @param hi  upper end (included) of the interval for INTERVAL.
 * @param[out] w  the eigenvalues, ascending (shape above).
 * @param[out] V  the eigenvectors as columns (shape above), or NULL.
 * @param[out] count  number of eigenvalues found; may be NULL.
 * @return as mf_eigh(), plus MF_EINVAL for a bad `which`, k out of range or
 *         lo >= hi.
 */
MF_API mf_status mf_eigh_select(const mf_matrix *A, int which, int64_t k, double lo, double hi,
                                mf_matrix *w, mf_matrix *V, int64_t *count);

/**
 * Eigenvalues and optionally right eigenvectors of a general square matrix
 * (LAPACK ?geev; complex outputs also for real input).
 *
 * @param A  n x n, F64 or C128.
 * @param[out] w  n x 1 C128. Complex conjugate pairs of real input appear
 *                together, positive imaginary part first.
 * @param[out] V  n x n C128 with unit 2-norm columns, or NULL.
 * @return MF_OK, MF_EINVAL, MF_EDIM, MF_EDTYPE (w or V not C128),
 *         MF_ENONFINITE, MF_EALIAS, MF_ENOMEM, MF_ENOCONV.
 */
MF_API mf_status mf_eig(const mf_matrix *A, mf_matrix *w, mf_matrix *V);

/**
 * mf_eig() with optional left eigenvectors and eigenvalue condition numbers
 * (LAPACK ?geevx without scaling, so that the outputs refer to A itself).
 *
 * @param A  n x n, F64 or C128.
 * @param[out] w  n x 1 C128 eigenvalues, as in mf_eig().
 * @param[out] V  n x n C128 right eigenvectors, or NULL, as in mf_eig().
 * @param[out] VL  n x n C128 left eigenvectors (u^H A = lambda u^H), unit
 *                 2-norm columns, or NULL.
 * @param[out] rcond_w  n x 1 F64 reciprocal condition numbers of the
 *                      eigenvalues (|u^H v| for unit u, v), or NULL.
 * @return as mf_eig().
 */
MF_API mf_status mf_eig_ex(const mf_matrix *A, mf_matrix *w, mf_matrix *V, mf_matrix *VL,
                           mf_matrix *rcond_w);

/**
 * Schur decomposition A = Z T Z^H (LAPACK ?gees).
 *
 * F64 T (F64 A only): real quasi-triangular form with standardized 2 x 2
 * blocks (equal diagonal entries, off-diagonal entries of opposite sign) for
 * complex conjugate pairs. C128 T: complex upper triangular form, also from
 * real A (computed as the real Schur form, then each 2 x 2 block
 * triangularized by a complex Givens rotation, which is cheaper than zgees;
 * the eigenvalue with positive imaginary part comes first). Z (n x n,
 * orthogonal/unitary, same dtype as T) may be NULL. T may exactly alias A.
 * @param A  n x n, F64 or C128.
 * @param[out] T  n x n Schur form, F64 or C128 as described.
 * @param[out] Z  n x n Schur vectors, or NULL.
 * @return MF_OK, MF_EINVAL, MF_EDIM, MF_EDTYPE, MF_ENONFINITE, MF_EALIAS,
 *         MF_ENOMEM, MF_ENOCONV.
 */
MF_API mf_status mf_schur(const mf_matrix *A, mf_matrix *T, mf_matrix *Z);

#ifdef __cplusplus
}
#endif

#endif /* MATFUN_DECOMP_H */
