/** @file
 * libmatfun matrix functions (principal branches, square A).
 * Conventions: see matfun/core.h. The output dtype selects real or complex
 * arithmetic (F64 -> F64 real, F64 -> C128, C128 -> C128).
 */
#ifndef MATFUN_FUNCS_H
#define MATFUN_FUNCS_H

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Matrix exponential                                                  */
/* ------------------------------------------------------------------ */

/**
 * Matrix exponential exp(A) of a square matrix.
 *
 * @param A  n x n, F64 or C128, any strides; must be finite.
 * @param[out] E  n x n. F64 A: E may be F64 (real result) or C128 (the same
 *                result with zero imaginary parts); C128 A needs C128 E
 *                (otherwise MF_EDTYPE). E may be exactly A (in place); any
 *                other overlap is MF_EALIAS. Written only on success.
 *
 * Algorithm: scaling and squaring with the degree and the number of
 * squarings s chosen by backward-error analysis on eta = min over p of
 * max(||A^p||_1^(1/p), ||A^(p+1)||_1^(1/(p+1))) (Al-Mohy & Higham, SIAM J.
 * Matrix Anal. Appl. 31(3), 2009), so that non-normal matrices are not
 * overscaled. The approximant is a Taylor polynomial evaluated with few
 * matrix products and no linear solve: degree 8 and 18 by Bader, Blanes &
 * Casas (Mathematics 7:1174, 2019), degree "15+" by Sastre, Ibanez & Defez
 * (2019); the cheapest one meeting the bound (unit roundoff) is used. For
 * ||A||_1 about 1 that is 5 matrix products and no squaring.
 * Structure is detected in O(n^2): diagonal A is exact; 1 x 1 and 2 x 2 use
 * closed forms (Higham, Functions of Matrices, 2008, sec. 10.4.3);
 * (quasi-)triangular A gets its diagonal blocks and superdiagonal recomputed
 * exactly after every squaring (Al-Mohy & Higham 2009, sec. 2); symmetric
 * or Hermitian A with n > 16 goes through mf_eigh: V exp(Lambda) V^H.
 *
 * For n > 16 the linear combinations of the degree 15+ and 18 schemes are
 * folded into the products (GEMM with beta = 1) or formed several at a time
 * in one pass over memory, and a column-major A (E) is read (written) in
 * place rather than through a packed copy.
 *
 * Cost: about (products + s) matrix products of size n. Workspace (heap,
 * none for n <= 16): 5 n^2 elements when A is column-major and the degree
 * is 15+ or 18 (every ||A||_1 > 0.05 with the default family), 6 n^2 for
 * other layouts, at most 7 n^2 (other degrees and families), plus mf_eigh's
 * for Hermitian A and the norm estimator's n x 2 blocks.
 * No heap allocation for n <= 16; no BLAS call for n <= 8.
 *
 * @return MF_OK, MF_EINVAL (NULL or invalid descriptor), MF_EDIM (A not
 *         square, E not n x n), MF_EDTYPE, MF_EALIAS, MF_ENONFINITE,
 *         MF_ENOMEM, MF_EOVERFLOW (exp(A) has an entry beyond the double
 *         range; E untouched), MF_ENOCONV (Hermitian path only).
 */
MF_API mf_status mf_expm(const mf_matrix *A, mf_matrix *E);

/** Approximant families for mf_expm_ex() (mf_expm_options.scheme). */
typedef enum mf_expm_scheme {
    MF_EXPM_AUTO = 0,       /**< the cheapest of all Taylor schemes below (mf_expm's choice) */
    MF_EXPM_TAYLOR_BBC = 1, /**< Bader, Blanes & Casas 2019: Taylor degrees 1, 2, 4, 8, 12, 18 */
    MF_EXPM_TAYLOR_SID = 2, /**< Sastre, Ibanez & Defez 2019: degrees 1, 2, 4, 8, 15+ */
    MF_EXPM_PADE = 3        /**< Al-Mohy & Higham 2009: Pade [m/m], m = 3, 5, 7, 9, 13 */
} mf_expm_scheme;

/** How mf_expm_ex() treated the input (mf_expm_info.method). */
typedef enum mf_expm_method {
    MF_EXPM_METHOD_SCALING_SQUARING = 0, /**< general scaling and squaring */
    MF_EXPM_METHOD_TRIANGULAR = 1,       /**< scaling and squaring, (quasi-)triangular recomputation */
    MF_EXPM_METHOD_DIAGONAL = 2,         /**< exact: exp of the diagonal entries */
    MF_EXPM_METHOD_CLOSED_FORM = 3,      /**< 1 x 1 or 2 x 2 closed form */
    MF_EXPM_METHOD_HERMITIAN = 4         /**< V exp(Lambda) V^H through mf_eigh */
} mf_expm_method;

/** Options of mf_expm_ex(); a NULL pointer means all defaults (zeros). */
typedef struct mf_expm_options {
    int32_t scheme;    /**< an mf_expm_scheme; MF_EXPM_AUTO by default */
    int32_t structure; /**< 1: ignore structure (always general scaling and squaring); 0: detect */
    int32_t reserved[6]; /**< must be 0 */
} mf_expm_options;

/** What mf_expm_ex() did. */
typedef struct mf_expm_info {
    int32_t method;    /**< an mf_expm_method */
    int32_t scheme;    /**< family of the approximant used (an mf_expm_scheme), 0 if none */
    int32_t degree;    /**< Taylor/Pade degree (15 means Sastre's "15+"), 0 if none */
    int32_t squarings; /**< number of squarings s */
    int32_t products;  /**< matrix products spent, squarings and norm work included */
    int32_t solves;    /**< linear solves with n right-hand sides (Pade only) */
    double norm1;      /**< ||A||_1 */
    double eta;        /**< the norm bound that chose s (<= norm1; smaller for non-normal A) */
} mf_expm_info;

/**
 * mf_expm() with a choice of approximant family and a report.
 *
 * @param A  n x n, F64 or C128, finite (as in mf_expm()).
 * @param[out] E  n x n, exp(A) (as in mf_expm()).
 * @param opt   options or NULL (defaults: MF_EXPM_AUTO, structure detected).
 * @param[out] info  what was done, or NULL; written on success only.
 * @return as mf_expm(), plus MF_EINVAL for an unknown scheme, a structure
 *         value other than 0 or 1, or nonzero reserved fields.
 */
MF_API mf_status mf_expm_ex(const mf_matrix *A, mf_matrix *E, const mf_expm_options *opt,
                            mf_expm_info *info);

/**
 * exp of each member of a batch of same-size square matrices: E[k] =
 * exp(A[k]) for k = 0 .. count-1, in parallel over the batch.
 *
 * @param count   number of matrices, >= 0.
 * @param A       array of count input descriptors. Every A[k] must be n x n
 *                with the same n and dtype.
 * @param[out] E  array of count output descriptors; each E[k] follows
 *                mf_expm()'s rules (E[k] may be exactly A[k]). Members must not overlap each
 *                other otherwise (not checked across members).
 * @param[out] status  count statuses, one per member, or NULL. A failing
 *                member leaves its E[k] untouched and does not stop the others.
 * @param threads number of threads: 0 = one per online CPU, 1 = the calling
 *                thread only, n = at most n (at most 64). The calling thread
 *                and helper threads the library keeps parked between calls
 *                share the members in parts of some tens of microseconds.
 *                Members with
 *                n <= 16 use no heap (n <= 8: no BLAS either); larger members are done one
 *                after the other on the calling thread with BLAS threads
 *                inside, so that threads never oversubscribe. Real 3 x 3
 *                and 4 x 4 members are computed eight at a time in vector
 *                lanes (AVX2 or AVX-512). Whatever the path, each E[k] is
 *                bit for bit what mf_expm(A[k], E[k]) gives.
 * @return MF_OK if every member succeeded; MF_EINVAL for count < 0, NULL
 *         arrays, threads < 0, or members of different sizes or dtypes (no
 *         E[k] is touched then); otherwise the status of the first failing
 *         member, with mf_last_error() naming it.
 */
MF_API mf_status mf_expm_batch(int64_t count, const mf_matrix *A, mf_matrix *E, mf_status *status,
                               int32_t threads);

/**
 * The batch in a strided 3-D layout (for example a C-contiguous NumPy array
 * of shape (count, n, n)): member k of A is the descriptor *A with data
 * advanced by k * a_stride elements, likewise for E with e_stride.
 * @param count  number of matrices, >= 0.
 * @param A  descriptor of member 0 of the input batch.
 * @param a_stride  element stride between input members, >= 1 when count > 1.
 * @param[out] E  descriptor of member 0 of the output batch.
 * @param e_stride  element stride between output members, >= 1 when
 *        count > 1; e_stride == a_stride with E->data == A->data and equal
 *        strides is in place.
 * @param[out] status  count statuses, one per member, or NULL (as in
 *        mf_expm_batch()).
 * @param threads  number of threads, as in mf_expm_batch().
 * Members must not overlap one another (not checked).
 * @return as mf_expm_batch().
 */
MF_API mf_status mf_expm_batch_strided(int64_t count, const mf_matrix *A, int64_t a_stride,
                                       mf_matrix *E, int64_t e_stride, mf_status *status,
                                       int32_t threads);

/* ------------------------------------------------------------------ */
/* Frechet derivative, condition number, action exp(tA)B              */
/* ------------------------------------------------------------------ */

/**
 * Frechet derivative of the matrix exponential: L = L_exp(A, E), the linear
 * term of exp(A + E) - exp(A), computed together with exp(A).
 *
 * Algorithm: the differentiated scaling-and-squaring Pade scheme of
 * Al-Mohy & Higham, "Computing the Frechet derivative of the matrix
 * exponential, with an application to condition number estimation", SIAM J.
 * Matrix Anal. Appl. 30(4), 2009, Algorithm 6.4: degree m in {3, 5, 7, 9}
 * when ||A||_1 <= ell_m (their Table 6.1), otherwise m = 13 with
 * s = ceil(log2(||A||_1 / ell_13)); then L <- X L + L X while squaring
 * X = r_m(2^-s A). Cost about (3 + 4/3 + 2 s) matrix products for exp(A)
 * plus about 12 more for L (m = 13), i.e. roughly 3x an exponential alone.
 *
 * @param A     input, n x n, F64 or C128, any strides
 * @param E     direction, n x n, F64 or C128, any strides
 * @param[out] expA  exp(A), n x n, or NULL when not wanted
 * @param[out] L     L_exp(A, E), n x n
 * Dtypes: complex arithmetic when A or E is C128 (then both outputs must be
 * C128, else MF_EDTYPE); real A and E give real results, written to F64 or
 * C128 outputs.
 * Aliasing: expA and L may each be exactly A or E (in place); any other
 * overlap is MF_EALIAS.
 * Memory: at most 20 n x n workspaces of the arithmetic dtype.
 * @return MF_OK; MF_EINVAL (NULL A, E or L, bad descriptor); MF_EDIM (A not
 *         square, E or an output not n x n, n beyond LAPACK's 32-bit range);
 *         MF_EDTYPE; MF_EALIAS; MF_ENONFINITE (NaN/Inf in A or E);
 *         MF_ENOMEM; MF_EOVERFLOW (exp(A) or L not representable);
 *         MF_EBACKEND. Outputs are untouched on failure.
 */
MF_API mf_status mf_expm_frechet(const mf_matrix *A, const mf_matrix *E, mf_matrix *expA,
                                 mf_matrix *L);

/**
 * Relative condition number of the matrix exponential in the Frobenius norm,
 * estimated:  cond ~ ||L_exp(A)||_F ||A||_F / ||exp(A)||_F.
 *
 * ||L_exp(A)||_F (the operator norm with Frobenius norms on matrices) equals
 * ||K||_2 for the n^2 x n^2 Kronecker form K of L_exp(A, .). K is never
 * formed (that costs O(n^5)): the block 1-norm estimator (mf_normest1_op,
 * t = 2) is run on the operator E -> L_exp(A, E) and its adjoint
 * G -> L_exp(A^H, G) = L_exp(A, G^H)^H, each application one Frechet
 * derivative (O(n^3)), following Al-Mohy & Higham 2009 (SIMAX 30(4)),
 * Section 7. The scaling, Pade factorization and squares of A are computed
 * once and reused for every direction, so one estimate costs about as much
 * as exp(A) plus 10-20 derivatives.
 *
 * Accuracy: the returned value is eta ||A||_F / ||exp(A)||_F where eta is
 * the estimate of ||K||_1 (eta <= ||K||_1, almost always within a factor 3).
 * For an N x N matrix with N = n^2, ||K||_1 / n <= ||K||_2 <= n ||K||_1, so
 * the result is at most n times the exact Frobenius condition number and, up
 * to the estimator's own factor, at least 1/n of it; in practice it is
 * usually within a small factor.
 *
 * @param A  input, n x n, F64 or C128, any strides
 * @param[out] cond  the estimate (written only on success); 0 for A = 0 or
 *                   n = 0
 * Memory: about 18 + s n x n workspaces (s = number of squarings, the
 * squares are kept for s <= 24) plus the estimator's n^2 x 2 blocks.
 * @return MF_OK; MF_EINVAL (NULL); MF_EDIM (not square, n beyond LAPACK's
 *         32-bit range);
 *         MF_ENONFINITE; MF_ENOMEM; MF_EOVERFLOW (exp(A) or a derivative
 *         overflows, or exp(A) underflows to zero); MF_EBACKEND.
 */
MF_API mf_status mf_expm_cond(const mf_matrix *A, double *cond);

/**
 * Action of the matrix exponential: X = exp(t A) B without forming exp(t A).
 *
 * Algorithm: truncated Taylor series with scaling, Al-Mohy & Higham,
 * "Computing the action of the matrix exponential, with an application to
 * exponential integrators", SIAM J. Sci. Comput. 33(2), 2011, Algorithm 3.2:
 * shift A by mu = trace(A)/n, choose the degree m and the number of steps s
 * by their Code Fragment 3.1 (theta_m table for tolerance 2^-53, m_max = 55,
 * p_max = 8) from ||A||_1 or, for larger norms, estimates of ||A^p||_1
 * (mf_normest1_pow), always with |t| so that negative t is handled right;
 * then s steps of at most m products A * (n x r block), each step stopping
 * early once two consecutive Taylor terms are negligible. Cost about
 * s * m products of A with the whole n x r block (GEMM for r > 1), far below
 * a full exponential when r << n and the norm is moderate.
 *
 * @param A  n x n, F64 or C128, any strides
 * @param B  n x r, F64 or C128, any strides
 * @param t  real scalar, any sign, finite
 * @param[out] X  n x r; C128 when A or B is C128 (else MF_EDTYPE); F64 or
 *                C128 for real A and B. Real A with complex B is done in
 *                real arithmetic on the real and imaginary parts.
 * Aliasing: X may be exactly B (in place) or A (when r = n); other overlap
 * is MF_EALIAS.
 * Memory: a copy of A plus three n x r blocks (of 2r real columns for real A
 * with complex B), and the estimator's O(n) blocks.
 * @return MF_OK; MF_EINVAL (NULL, bad descriptor, t not finite); MF_EDIM (A
 *         not square, B or X with the wrong shape, n beyond LAPACK's 32-bit
 *         range); MF_EDTYPE; MF_EALIAS; MF_ENONFINITE (NaN/Inf in A or B);
 *         MF_ENOMEM; MF_EOVERFLOW (the result is not representable);
 *         MF_EDOMAIN (|t| ||A - mu I||_1 so large that more than 2^40 block
 *         products would be needed: use mf_expm); MF_EBACKEND.
 */
MF_API mf_status mf_expm_multiply(const mf_matrix *A, const mf_matrix *B, double t, mf_matrix *X);

/* ------------------------------------------------------------------ */
/* Square root and sign                                                */
/* ------------------------------------------------------------------ */

/**
 * Principal square root S of A: S^2 = A with every eigenvalue of S in the
 * open right half-plane (or zero for a zero eigenvalue of A).
 *
 * @param A  n x n, F64 or C128, any strides, finite.
 * @param[out] S  n x n. F64 A with F64 S: the real principal root; F64 A
 *           with C128 S: the complex one; C128 A: C128 S only. May exactly
 *           alias A (in place).
 * Branch cut: an eigenvalue on the negative real axis, -x (x > 0), has the
 * square root +i sqrt(x), whatever the sign of its zero imaginary part
 * (C's csqrt with -0.0 read as +0.0), so sqrt(-I) = +i I on every build.
 * Singular A: succeeds when a square root exists (zero eigenvalues
 * semisimple, decided on the computed Schur form: a zero-over-zero step of
 * the recurrence whose numerator is rounding noise contributes 0).
 * Algorithm: exactly Hermitian A (entry by entry): mf_eigh and
 * V sqrt(Lambda) V^H (eigenvalues in [-n u max|lambda|, 0) count as 0).
 * Well-conditioned A (n >= 16, Hermitian part (A + A^H)/2 positive
 * definite by ?potrf, kappa_1(A) <= 1e4 from the first LU inversion): the
 * scaled product-form Denman-Beavers iteration (Higham, Functions of
 * Matrices, 2008, eqs. (6.29)-(6.30), determinantal scaling; Cheng, Higham,
 * Kenney & Laub, SIMAX 22(4), 2001), real arithmetic for real A, finished
 * by its inverse-free Newton-Schulz form once ||I - M_k||_1 <= 1/2; the
 * result is returned only if ||S^2 - A||_F <= 4 n u ||S||_F^2, otherwise
 * (and for every other A) the Schur method runs, so statuses and accuracy
 * are the Schur method's. Typically 1-3 LU inversions and 3-4 steps of
 * three GEMMs, about 20 GEMM-equivalents at n = 512-1024: measured 1.8-3.2
 * times faster than the Schur method (2 threads, n = 256-1024,
 * docs/funcs.md); workspace about 4 n^2 elements.
 * Schur method: real Schur form and real arithmetic for F64 A
 * (Higham, Linear Algebra Appl. 88/89, 1987) unless the root must be
 * complex, complex Schur form otherwise; the triangular root by the
 * recursive blocked algorithm of Deadman, Higham & Ralha (LNCS 7782, 2013)
 * with a recursive blocked triangular Sylvester solver (Jonsson & Kagstrom,
 * ACM TOMS 28(4), 2002). Cost about 25 n^3 (dgees) + n^3 / 3 + 3 n^3 flops;
 * workspace about 3 n^2 elements of the arithmetic's dtype plus ?gees's.
 * @return MF_OK; MF_EINVAL (NULL, bad descriptor), MF_EDIM (A not square,
 *         S not n x n), MF_EDTYPE (C128 A with F64 S), MF_EALIAS (partial
 *         overlap), MF_ENONFINITE, MF_ENOTREAL (F64 S and A has an
 *         eigenvalue on the open negative real axis), MF_EDOMAIN (no square
 *         root exists, e.g. the nilpotent Jordan block [[0, 1], [0, 0]]),
 *         MF_EOVERFLOW, MF_ENOMEM, MF_ENOCONV (Schur QR iteration).
 */
MF_API mf_status mf_sqrtm(const mf_matrix *A, mf_matrix *S);

/**
 * Frechet derivative L of the principal square root at A in direction E:
 * the solution of S L + L S = E, S = sqrtm(A), solved in Schur coordinates
 * (U X + X U = Z^H E Z by the recursive blocked triangular Sylvester
 * solver of the square root, L = Z X Z^H; Higham 2008, section 6.1).
 * About 8 n^3 flops on top of mf_sqrtm's Schur route.
 *
 * @param A  n x n, F64 or C128.   @param E  n x n, F64 or C128.
 * @param[out] S  n x n, or NULL: sqrtm(A) as a by-product; L's dtype.
 * @param[out] L  n x n; F64 only when A and E are both F64 (then real
 *           arithmetic; MF_ENOTREAL as for mf_sqrtm). S and L may exactly
 *           alias A or E.
 * @return as mf_sqrtm(), plus MF_EDIM for E's shape, MF_EDTYPE (S's dtype
 *         differs from L's), MF_EDOMAIN (A has a zero eigenvalue: sqrt is
 *         not differentiable there), MF_ESINGULAR (zero to working
 *         precision).
 */
MF_API mf_status mf_sqrtm_frechet(const mf_matrix *A, const mf_matrix *E, mf_matrix *S,
                                  mf_matrix *L);

/**
 * Relative condition number of the principal square root in the Frobenius
 * norm, cond = ||L(A)|| ||A||_F / ||S||_F, with ||L(A)|| estimated by the
 * block 1-norm estimator (mf_normest1_op, t = 2) applied to the Kronecker
 * form of the Frechet operator and its adjoint (Higham 2008, Alg. 3.22):
 * it agrees with the Frobenius-norm value within a factor n and is usually
 * much closer. The root of a real A is real when it exists, complex
 * otherwise. Each operator application costs one triangular Sylvester solve
 * and four GEMMs; typically about 10 applications.
 * @param A  n x n, F64 or C128.
 * @param[out] cond  written only on success (0 for n = 0).
 * @return as mf_sqrtm_frechet() (no MF_ENOTREAL), plus MF_EINVAL for a NULL
 *         cond.
 */
MF_API mf_status mf_sqrtm_cond(const mf_matrix *A, double *cond);

/**
 * Matrix sign function S = sign(A) = A (A^2)^(-1/2): S^2 = I, S commutes
 * with A, and S has eigenvalue +1 (-1) on the invariant subspace of the
 * eigenvalues of A with positive (negative) real part.
 *
 * @param A  n x n, F64 or C128, finite; no eigenvalue on or within
 *           roundoff of the imaginary axis.
 * @param[out] S  n x n, dtype rule of mf_sqrtm (the sign of a real matrix
 *           is real); may exactly alias A.
 * Algorithm: exactly Hermitian A: mf_eigh and V sign(Lambda) V^H. Otherwise
 * the Newton iteration X <- (mu X + (mu X)^-1) / 2 with determinantal
 * scaling mu = |det X|^(-1/n) (Higham, Functions of Matrices, 2008,
 * section 5.5) while the relative change exceeds 1e-2, one LU inversion
 * (?getrf, ?getri) a step, finished once ||I - X^2||_1 <= 1/2 by the
 * inverse-free Newton-Schulz iteration X <- X (3I - X^2) / 2 (two GEMMs a
 * step, Higham 2008, section 5.3) until its defect bound is below u. It is
 * used while every iterate has kappa_1(X_k) <= 1e3: its forward error grows
 * like u kappa_1(X_k), so beyond that the Schur method takes over (A = Z T
 * Z^H reordered by ?trsen so that the left half-plane eigenvalues come
 * first, the coupling block by ?trsyl3; Higham 2008, section 5.2), accurate
 * to about cond(sign, A) u. Domain on the Newton route: the iteration's
 * scaling factors and step count prove that no eigenvalue lies within
 * n u ||A||_1 of the imaginary axis (the certificate in signm.c); only when
 * they cannot, a Hessenberg QR (?gehrd, ?hseqr) computes the eigenvalues and
 * S^2 = I is checked at the end. MF_EDOMAIN: a (computed) eigenvalue with
 * |Re lambda| <= n u ||A||_1; A singular to working precision (kappa_1(A)
 * >= 1/(n u)); ||S||_1^2 >= 1/(n u) (sign so ill-conditioned that A is
 * within roundoff of a matrix where it is undefined, e.g. a Jordan block at
 * i y); eigenvalues on opposite sides too close to separate. Cost: the
 * Newton route a few inversions (3 plus 2 Newton-Schulz steps on
 * well-separated spectra, 12 GEMM-equivalents at n = 512-1024); the Schur
 * method dgees plus the reordering, 90-115 GEMM-equivalents for Gaussian
 * matrices (docs/funcs.md); workspace about 3 n^2 elements.
 * @return MF_OK, MF_EINVAL, MF_EDIM, MF_EDTYPE, MF_EALIAS, MF_ENONFINITE,
 *         MF_EDOMAIN (an eigenvalue on or near the imaginary axis, A within
 *         roundoff of such a matrix, including singular A), MF_ENOCONV (no
 *         convergence in 100 Newton steps, or the Schur QR iteration),
 *         MF_ENOMEM, MF_EBACKEND.
 */
MF_API mf_status mf_signm(const mf_matrix *A, mf_matrix *S);

/* ------------------------------------------------------------------ */
/* Logarithm and real powers                                           */
/* ------------------------------------------------------------------ */

/**
 * Principal matrix logarithm L = log(A): exp(L) = A with every eigenvalue
 * of L having imaginary part in (-pi, pi].
 *
 * @param A  n x n, F64 or C128, any strides, finite.
 * @param[out] L  n x n. F64 A with F64 L: the real logarithm, which exists
 *           when no eigenvalue of A lies on the closed negative real axis;
 *           F64 A with C128 L, or C128 A (C128 L only): the complex one.
 *           May exactly alias A (in place); other overlap is MF_EALIAS.
 *           Written only on success.
 * Branch cut: an eigenvalue -x (x > 0) on the negative real axis has the
 * logarithm log x + i pi whatever the sign of its zero imaginary part, so
 * log(-I) = i pi I on every build (the tie-break of mf_sqrtm).
 * Singular A: an exactly zero eigenvalue of the computed Schur form (or,
 * for Hermitian A, an eigenvalue within n u max|lambda| of zero) is
 * MF_EDOMAIN; the number of square roots is bounded (64), so no input can
 * make the function loop.
 * Algorithm: exactly Hermitian A (entry by entry): mf_eigh and
 * V diag(log w) V^H, exactly Hermitian. Otherwise inverse scaling and
 * squaring on the Schur form: s square roots T^(1/2^s) (recursive blocked,
 * as mf_sqrtm) chosen with the Pade degree m <= 7 from norm estimates of
 * powers of T^(1/2^s) - I, the [m/m] Pade approximant in partial fractions
 * (Gauss-Legendre nodes on [0, 1]), diagonal blocks and superdiagonal
 * recomputed exactly (Al-Mohy & Higham, SIAM J. Sci. Comput. 34(4), 2012,
 * Alg. 4.1). F64 A with a real logarithm stays in real arithmetic on the
 * quasi-triangular Schur form (Al-Mohy, Higham & Relton, SIAM J. Sci.
 * Comput. 35(4), 2013); otherwise the complex Schur form is used.
 * Cost: Schur factorization (?gees, about 46 GEMMs at n = 1024 real) plus
 * about s / 3 + m / 2 triangular products and 3 GEMMs; T is first scaled by
 * the power of two nearest the geometric mean of its extreme eigenvalue
 * moduli (exact), which lowers s. Workspace: about 9 n^2 elements of the
 * arithmetic's dtype plus ?gees's.
 * @return MF_OK, MF_EINVAL (NULL, bad descriptor), MF_EDIM, MF_EDTYPE (C128
 *         A with F64 L), MF_EALIAS, MF_ENONFINITE, MF_ENOTREAL (F64 L and A
 *         has an eigenvalue on the negative real axis), MF_EDOMAIN
 *         (singular A), MF_ENOCONV (Schur QR iteration; or more than 64
 *         square roots needed), MF_ENOMEM, MF_EBACKEND.
 */
MF_API mf_status mf_logm(const mf_matrix *A, mf_matrix *L);

/**
 * Frechet derivative D = L_log(A, E) of the principal logarithm at A in
 * direction E, with log(A) optionally.
 *
 * Computed in Schur coordinates: A = Z T Z^H, D = Z L(T, Z^H E Z) Z^H with
 * L(T, F) the (1, 2) block of log([[T, F], [0, T]]) (Higham, Functions of
 * Matrices, 2008, eq. (3.16)). That 2n x 2n matrix is (quasi-)triangular
 * already, so only mf_logm's triangular phase runs at size 2n (about 8x
 * its cost at size n) plus four GEMMs; the differentiated recurrence of
 * Al-Mohy, Higham & Relton 2013 would be about twice as fast and is not
 * implemented.
 * @param A  n x n, F64 or C128.   @param E  n x n, F64 or C128.
 * @param[out] L  n x n or NULL: log(A), D's dtype.
 * @param[out] D  n x n; F64 only when A and E are F64 (real arithmetic,
 *           MF_ENOTREAL as mf_logm). L and D may exactly alias A or E.
 * Workspace: about 8 n^2 elements plus 2 (2n)^2 for the block matrix and
 * the triangular phase at size 2n (about 24 n^2 in all).
 * @return as mf_logm(), plus MF_EDIM for E's shape, MF_EDTYPE (L's dtype
 *         differs from D's), MF_EOVERFLOW.
 */
MF_API mf_status mf_logm_frechet(const mf_matrix *A, const mf_matrix *E, mf_matrix *L,
                                 mf_matrix *D);

/**
 * Relative condition number of the principal logarithm in the Frobenius
 * norm, cond = ||L_log(A)|| ||A||_F / ||log A||_F, with ||L_log(A)||
 * estimated by the block 1-norm estimator (mf_normest1_op, t = 2) on the
 * Kronecker form of E -> L_log(A, E) and its adjoint
 * G -> L_log(A, G^H)^H; each application is one mf_logm_frechet-like
 * derivative reusing one Schur factorization (typically 8 to 12
 * applications). Within a factor n of the exact Frobenius-norm value and
 * usually much closer. Complex arithmetic when the logarithm of a real A is
 * not real. log A = 0 (A = I) gives +Inf.
 * @param A  n x n, F64 or C128, any strides, finite.
 * @param[out] cond  written only on success; 0 for n = 0.
 * @return MF_OK, MF_EINVAL (NULL), MF_EDIM, MF_ENONFINITE, MF_EDOMAIN
 *         (singular A), MF_ENOCONV, MF_ENOMEM, MF_EOVERFLOW, MF_EBACKEND.
 */
MF_API mf_status mf_logm_cond(const mf_matrix *A, double *cond);

/**
 * Principal real power X = A^p = exp(p log A) for real p.
 *
 * @param A  n x n, F64 or C128, any strides, finite.
 * @param p  finite, |p| <= 2^62.
 * @param[out] X  n x n; the dtype rule of mf_logm (F64 X: the real power,
 *           MF_ENOTREAL when p is not an integer and A has an eigenvalue
 *           on the negative real axis). May exactly alias A.
 * Branch cut as mf_logm: (-x)^p = x^p e^(i pi p).
 * Routing: p = 0: I (also for singular A); p = 1: a copy; other integers:
 * binary powering with GEMMs (A^7: 4 GEMMs; negative p through mf_inv, so
 * singular A is MF_ESINGULAR). Exactly Hermitian A, non-integer p: mf_eigh
 * and (V D)(V D)^H with D = |Lambda|^(p/2), one ?syrk: the fast, exactly
 * Hermitian path for inverse roots such as A^(-1/4) of positive definite
 * preconditioners (eigenvalues within n u max|lambda| of zero are zero:
 * p < 0 is then MF_ESINGULAR). p = 1/2: mf_sqrtm. A = 0, p > 0: 0.
 * Otherwise the Schur-Pade algorithm (Higham & Lin, SIAM J. Matrix Anal.
 * Appl. 32(3), 2011, and 34(3), 2013, Alg. 5.1): for |p| < 1, s square
 * roots and the [m/m] Pade approximant of (1 - x)^p as a continued
 * fraction, then s squarings, each preceded by the exact recomputation of
 * the diagonal blocks and superdiagonal of T^(p/2^i); for |p| > 1,
 * A^p = A^k A^f with f = p - floor(p) or p - ceil(p) (Higham & Lin 2011,
 * sec. 5). Real arithmetic on the quasi-triangular Schur form when the
 * result is real. A singular non-Hermitian A with non-integer p > 0 (other
 * than p = 1/2 and A = 0) is MF_EDOMAIN: inverse scaling needs nonzero
 * eigenvalues.
 * Workspace: about 8 n^2 elements plus ?gees's (Schur path); 3 n^2 (integer
 * p); 3 n^2 plus mf_eigh's (Hermitian path).
 * @return MF_OK, MF_EINVAL (NULL, bad descriptor, p not finite), MF_EDIM,
 *         MF_EDTYPE, MF_EALIAS, MF_ENONFINITE, MF_ENOTREAL, MF_ESINGULAR
 *         (p < 0 and A singular), MF_EDOMAIN (see above; |p| > 2^62),
 *         MF_EOVERFLOW, MF_ENOCONV, MF_ENOMEM, MF_EBACKEND.
 */
MF_API mf_status mf_powm(const mf_matrix *A, double p, mf_matrix *X);

/**
 * Relative condition number of A^p in the Frobenius norm,
 * cond = ||L_pow(A)|| ||A||_F / ||A^p||_F, estimated as mf_logm_cond()
 * does, the Frechet derivative coming from A^p of the 2n x 2n block
 * triangular matrix [[T, F], [0, T]] in Schur coordinates (documented
 * there). p = 0 gives 0. Complex arithmetic when A^p of a real A is not
 * real.
 * @param A  n x n, F64 or C128, any strides, finite.
 * @param p  the power, finite.
 * @param[out] cond  written only on success; 0 for n = 0.
 * @return MF_OK, MF_EINVAL (NULL cond, p not finite), MF_EDIM,
 *         MF_ENONFINITE, MF_ESINGULAR (p < 0, singular A), MF_EDOMAIN
 *         (non-integer p > 0 and singular A; |p| > 2^62), MF_ENOCONV,
 *         MF_ENOMEM, MF_EOVERFLOW, MF_EBACKEND.
 */
MF_API mf_status mf_powm_cond(const mf_matrix *A, double p, double *cond);

/* ------------------------------------------------------------------ */
/* Trigonometric functions and general f (Schur-Parlett)              */
/* ------------------------------------------------------------------ */

/**
 * Matrix cosine cos(A) (principal and only branch: cos is entire).
 *
 * Scaling, a rational approximant and the double-angle recurrence of
 * Al-Mohy, Higham & Relton, SIAM J. Sci. Comput. 37(1), 2015 (AHR15,
 * sections 4 and 6): cos(X) is approximated by the even part of the
 * [m/m] Pade approximant r_m of e^x at x = iX, whose backward error is
 * that of the exponential's approximant, so the thresholds theta_m of
 * Higham (2005) / AHR15 apply; X = 2^-s A is chosen with
 * alpha(X) <= theta_m from norms of powers of A^2, then
 * cos(2Y) = 2 cos(Y)^2 - I is applied s times (Hargreaves & Higham,
 * SIMAX 27(2), 2005).
 *
 * @param A  n x n, F64 or C128, finite.
 * @param[out] C  n x n. F64 (real A: real arithmetic throughout) or C128.
 *                May exactly alias A.
 * @return MF_OK, MF_EINVAL, MF_EDIM, MF_EDTYPE (C128 A, F64 C),
 *         MF_ENONFINITE, MF_EALIAS, MF_ENOMEM, MF_ESINGULAR (denominator
 *         singular to working precision: cannot happen for alpha <= theta_m
 *         in exact arithmetic), MF_EOVERFLOW (result not finite).
 * Workspace: 12 n^2 elements of the arithmetic's type (real for F64 A).
 */
MF_API mf_status mf_cosm(const mf_matrix *A, mf_matrix *C);

/**
 * Matrix sine sin(A). Same algorithm as mf_cosm(): the odd part of the
 * approximant, then s steps of sin(2Y) = 2 sin(Y) cos(Y) together with
 * cos(2Y) = 2 cos(Y)^2 - I. Arguments, status codes and workspace as
 * mf_cosm(); S may exactly alias A.
 * @param A  n x n, F64 or C128, finite.
 * @param[out] S  n x n, F64 (real A only) or C128.
 * @return as mf_cosm().
 */
MF_API mf_status mf_sinm(const mf_matrix *A, mf_matrix *S);

/**
 * cos(A) and sin(A) together, sharing the powers of A^2, the denominator
 * factorization and the recurrence (cheaper than two calls). Either output
 * may be NULL (not both); each may exactly alias A; C and S must not
 * overlap. Status codes as mf_cosm().
 * @param A  n x n, F64 or C128, finite.
 * @param[out] C  n x n cos(A), F64 (real A only) or C128; or NULL.
 * @param[out] S  n x n sin(A), F64 (real A only) or C128; or NULL.
 * @return as mf_cosm().
 */
MF_API mf_status mf_cossinm(const mf_matrix *A, mf_matrix *C, mf_matrix *S);

/**
 * A scalar function for mf_funm(): write the order-th derivative
 * f^(order)(z_k) of f at the npts complex points z (re, im interleaved,
 * 2 npts doubles) into out (same layout), and return 0; any nonzero return
 * makes mf_funm() fail with MF_ECALLBACK. ctx is passed through untouched.
 */
typedef int (*mf_scalar_fn)(int64_t npts, const double *z, int order, double *out, void *ctx);

/**
 * General matrix function f(A) by the blocked Schur-Parlett algorithm of
 * Davies & Higham, SIAM J. Matrix Anal. Appl. 25(2), 2003 (DH03).
 *
 * A = Z T Z^H (complex Schur form; a real A is factored in real arithmetic
 * and the 2 x 2 blocks triangularized); the eigenvalues are split into
 * clusters (|lambda - mu| <= 0.1, closed transitively) which are reordered
 * to be contiguous; on each cluster (atomic block) f is evaluated by the
 * Taylor series of f about the mean eigenvalue with DH03's truncation test
 * (their Algorithm 2.6), on 1 x 1 blocks directly; the off-diagonal blocks
 * follow from the block Parlett recurrence, a triangular Sylvester equation
 * (LAPACK ztrsyl) per block pair, organised in panels of about 64 rows and
 * columns so that the bulk of the work is matrix multiplication; finally
 * F = Z f(T) Z^H.
 *
 * @param A  n x n, F64 or C128, finite.
 * @param f  the scalar function and its derivatives (see mf_scalar_fn);
 *           ready ones: mf_scalar_exp() and the others below. f is called
 *           with order 0 at the eigenvalues and with orders up to about
 *           (Taylor terms + cluster size) at cluster means and eigenvalues.
 * @param ctx  passed to f.
 * @param[out] F  n x n. C128: the complex result. F64 (F64 A only): the
 *                result is computed in complex arithmetic and must be real
 *                to roundoff: ||Im F||_F <= sqrt(u) ||F||_F with
 *                u = 2^-53 (then the real part is returned), otherwise
 *                MF_ENOTREAL. For f with f(conj z) = conj f(z) (all the
 *                ready functions, away from the branch cuts of log and
 *                sqrt) the exact result is real and the computed imaginary
 *                part is rounding error. May exactly alias A.
 * @return MF_OK, MF_EINVAL (A, f or F NULL; bad descriptor), MF_EDIM,
 *         MF_EDTYPE, MF_ENONFINITE (A not finite), MF_EALIAS, MF_ENOMEM,
 *         MF_ENOCONV (Schur QR iteration, or a Taylor series not converged
 *         within 250 terms), MF_ECALLBACK (f returned nonzero), MF_EDOMAIN
 *         (f returned a NaN or Inf value: f or a derivative is undefined or
 *         overflows at a point where it is needed, e.g. log at an eigenvalue
 *         0), MF_ENOTREAL, MF_EOVERFLOW (the result is not finite).
 *         On failure F is untouched and nothing else has been written.
 * Workspace: 6 n^2 doubles plus O(n), the Schur factorization's LAPACK
 * workspace and m^2-sized Taylor workspace for an m x m atomic block.
 */
MF_API mf_status mf_funm(const mf_matrix *A, mf_scalar_fn f, void *ctx, mf_matrix *F);

/**
 * Ready scalar functions for mf_funm() (ctx is ignored; any derivative
 * order >= 0). log and sqrt are the principal branches; a point on the
 * negative real axis (imaginary part +0 or -0) is taken from above, so
 * log(-1) = i pi and sqrt(-1) = i. log at 0 gives -Inf and the
 * derivatives of sqrt at 0 are not finite, which mf_funm() reports as
 * MF_EDOMAIN. Each returns 0, or -1 if npts < 0, order < 0, or z or out
 * is NULL with npts > 0. The functions, in order: exp, log, cos, sin,
 * cosh, sinh, sqrt.
 *
 * @param npts  number of points, >= 0.
 * @param z  2 npts doubles: the points, real and imaginary parts interleaved.
 * @param order  the derivative to evaluate, >= 0 (0: the function itself).
 * @param[out] out  2 npts doubles, same layout as z.
 * @param ctx  ignored.
 * @return 0, or -1 for bad arguments.
 * @{
 */
MF_API int mf_scalar_exp(int64_t npts, const double *z, int order, double *out, void *ctx);
MF_API int mf_scalar_log(int64_t npts, const double *z, int order, double *out, void *ctx);
MF_API int mf_scalar_cos(int64_t npts, const double *z, int order, double *out, void *ctx);
MF_API int mf_scalar_sin(int64_t npts, const double *z, int order, double *out, void *ctx);
MF_API int mf_scalar_cosh(int64_t npts, const double *z, int order, double *out, void *ctx);
MF_API int mf_scalar_sinh(int64_t npts, const double *z, int order, double *out, void *ctx);
MF_API int mf_scalar_sqrt(int64_t npts, const double *z, int order, double *out, void *ctx);
/** @} */

#ifdef __cplusplus
}
#endif

#endif /* MATFUN_FUNCS_H */
