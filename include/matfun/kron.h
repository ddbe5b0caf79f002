/** @file
 * libmatfun Kronecker products, Kronecker-structured products and solves,
 * Sylvester and Lyapunov equations. Conventions: see matfun/core.h.
 *
 * The point of this module is to keep Kronecker-structured operators cheap:
 * apart from mf_kron, mf_kronsum, mf_khatri_rao, mf_kronsum_expm,
 * mf_kron_funm and mf_kronsum_funm, which exist to form the big matrix when
 * a caller really wants it, no function here forms a Kronecker product
 * (mf_kron_funm_matmul forms one only for two non-normal factors).
 *
 * vec() is column-major vectorization: vec(X) stacks the columns of X. With
 * it, for A m x n, B p x q and X q x n,
 *
 *     (A ⊗ B) vec(X) = vec(B X A^T)                       (p x m result)
 *     (A ⊕ B) vec(X) = vec(B X + X A^T),  A ⊕ B = A ⊗ I + I ⊗ B
 *
 * (A^T is the plain transpose, also for complex A.)
 *
 * Common rules for every function below:
 * - Inputs F64 or C128 with any strides. The output dtype must be C128 when
 *   any input is C128 (else MF_EDTYPE); F64 inputs may have a C128 output,
 *   which then holds the (real) result with zero imaginary parts.
 * - The arithmetic is real when every input is F64, complex otherwise.
 * - Outputs have exactly the documented shape (else MF_EDIM), may exactly
 *   alias an input of the same shape and dtype (in place), and any other
 *   overlap with an input is MF_EALIAS. Outputs are written only on success.
 * - NaN or Inf in an input gives MF_ENONFINITE. Dimensions beyond the 32-bit
 *   LAPACK/BLAS range, or shape products overflowing int64, give MF_EDIM.
 * - Workspace comes from the library allocator; its failure is MF_ENOMEM.
 */
#ifndef MATFUN_KRON_H
#define MATFUN_KRON_H

#include "core.h"
#include "funcs.h" /* mf_scalar_fn */

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Forming products (src/kron/kron.c)                                  */
/* ------------------------------------------------------------------ */

/**
 * Kronecker product K = A ⊗ B: K(i p + k, j q + l) = A(i, j) B(k, l).
 *
 * @param A  m x n.
 * @param B  p x q.
 * @param[out] K  (m p) x (n q).
 * K may alias A when B is 1 x 1, or B when A is 1 x 1 (the shapes then
 * match). No workspace.
 * @return MF_OK, MF_EINVAL, MF_EDIM, MF_EDTYPE, MF_ENONFINITE, MF_EALIAS,
 *         MF_EOVERFLOW (a product A(i, j) B(k, l) beyond the double range,
 *         e.g. 1e300 * 1e300; K untouched).
 */
MF_API mf_status mf_kron(const mf_matrix *A, const mf_matrix *B, mf_matrix *K);

/**
 * Kronecker sum K = A ⊕ B = A ⊗ I_p + I_m ⊗ B.
 *
 * It is the operator vec(X) -> vec(B X + X A^T) on p x m matrices X; its
 * eigenvalues are the sums λ_i(A) + μ_j(B). To solve with it use
 * mf_kronsum_solve(), which never forms K.
 *
 * @param A  m x m.
 * @param B  p x p.
 * @param[out] K  (m p) x (m p).
 * K may alias B when m = 1, or A when p = 1. No workspace.
 * @return MF_OK, MF_EINVAL, MF_EDIM (non-square A or B, K's shape),
 *         MF_EDTYPE, MF_ENONFINITE, MF_EALIAS, MF_EOVERFLOW (a diagonal
 *         sum A(i, i) + B(k, k) beyond the double range; K untouched).
 */
MF_API mf_status mf_kronsum(const mf_matrix *A, const mf_matrix *B, mf_matrix *K);

/**
 * Khatri-Rao (column-wise Kronecker) product: K(:, j) = A(:, j) ⊗ B(:, j).
 *
 * @param A  m x r.
 * @param B  p x r (same number of columns as A).
 * @param[out] K  (m p) x r.
 * K may alias A when p = 1, or B when m = 1. No workspace.
 * @return MF_OK, MF_EINVAL, MF_EDIM, MF_EDTYPE, MF_ENONFINITE, MF_EALIAS,
 *         MF_EOVERFLOW (a product A(i, j) B(k, j) beyond the double range;
 *         K untouched).
 */
MF_API mf_status mf_khatri_rao(const mf_matrix *A, const mf_matrix *B, mf_matrix *K);

/* ------------------------------------------------------------------ */
/* Applying Kronecker products (src/kron/kron_matmul.c)                */
/* ------------------------------------------------------------------ */

/**
 * vec(Y) = (A ⊗ B) vec(X), computed as Y = B X A^T with two GEMMs and
 * never forming A ⊗ B.
 *
 * @param A  m x n.
 * @param B  p x q.
 * @param X  q x n.
 * @param[out] Y  p x m.
 * The two GEMMs are ordered ((B X) A^T or B (X A^T)) to take fewer flops:
 * 2 min(p q n + p n m, q n m + p q m) real operations (times 4 in complex)
 * instead of 2 m n p q for the formed product. Y may alias X when the shapes
 * agree (p = q, m = n).
 * Workspace: the packed inputs and one intermediate product (at most
 * max(p n, q m) elements).
 * @return MF_OK, MF_EINVAL, MF_EDIM, MF_EDTYPE, MF_ENONFINITE, MF_EALIAS,
 *         MF_ENOMEM.
 */
MF_API mf_status mf_kron_matmul(const mf_matrix *A, const mf_matrix *B, const mf_matrix *X,
                                mf_matrix *Y);

/**
 * Multi-factor product Y = (A_1 ⊗ A_2 ⊗ ... ⊗ A_k) X applied to a block of
 * vectors by successive mode products, never forming the product.
 *
 * @param k        number of factors, >= 1 (k < 1: MF_EINVAL).
 * @param factors  array of k descriptors; factors[i] is m_i x n_i.
 * @param X  (n_1 n_2 ... n_k) x r: each column is one vector.
 * @param[out] Y  (m_1 m_2 ... m_k) x r.
 * Each column of X is viewed as a column-major tensor of shape
 * n_k x ... x n_1 (the last factor's index varies fastest, matching vec and
 * the two-factor mf_kron_matmul); factor i acts on its mode with GEMMs.
 * Factors that shrink their mode (m_i / n_i smallest) are applied first,
 * which never costs more flops than the given order for square factors and
 * keeps intermediates small. Flops: 2 sum_i (size before step i) m_i
 * (real); for square n x n factors, 2 k n^(k+1) r instead of 2 n^(2k) r.
 * Y may alias X when the shapes agree. Factors may be the same matrix.
 * Workspace: two buffers of the largest intermediate size, plus the packed
 * factors.
 * @return MF_OK, MF_EINVAL (k < 1, NULL factors, bad descriptors), MF_EDIM,
 *         MF_EDTYPE, MF_ENONFINITE, MF_EALIAS, MF_ENOMEM.
 */
MF_API mf_status mf_kron_matvec(int64_t k, const mf_matrix *factors, const mf_matrix *X,
                                mf_matrix *Y);

/* ------------------------------------------------------------------ */
/* Kronecker-structured solves (src/kron/kron_solve.c)                 */
/* ------------------------------------------------------------------ */

/**
 * Solve (A ⊗ B) vec(X) = vec(C), i.e. B X A^T = C, as X = B^-1 C A^-T from
 * separate LU factorizations of A and B (LAPACK ?getrf, ?gecon, ?getrs);
 * A ⊗ B is never formed.
 *
 * @param A  m x m.
 * @param B  p x p.
 * @param C  p x m.
 * @param[out] X  p x m; may alias C (in place).
 * Singularity (the mf_solve rule applied to A ⊗ B): MF_ESINGULAR when
 * either factor has an exactly zero LU pivot, or when the product of the two
 * reciprocal 1-norm condition estimates is below the machine epsilon
 * 2.2e-16 (kappa_1(A ⊗ B) = kappa_1(A) kappa_1(B) exactly); the message
 * names the factor or gives both estimates.
 * Flops: about (2/3)(m^3 + p^3) + 2 p m (m + p), against (2/3) (m p)^3 for
 * the formed system. Workspace: m^2 + p^2 + 2 p m elements, 4 max(m, p)
 * doubles, m + p integers.
 * @return MF_OK, MF_EINVAL, MF_EDIM, MF_EDTYPE, MF_ENONFINITE, MF_EALIAS,
 *         MF_ESINGULAR, MF_EOVERFLOW (X beyond the double range, e.g.
 *         subnormal factors or a huge C; X untouched), MF_ENOMEM.
 */
MF_API mf_status mf_kron_solve(const mf_matrix *A, const mf_matrix *B, const mf_matrix *C,
                               mf_matrix *X);

/**
 * Solve (A ⊕ B) vec(X) = vec(C) with the Kronecker sum
 * A ⊕ B = A ⊗ I + I ⊗ B, i.e. the Sylvester equation B X + X A^T = C,
 * routed through the Bartels-Stewart solver of mf_sylvester() (A^T is used
 * as a transposed view, never copied).
 *
 * @param A  m x m.
 * @param B  p x p.
 * @param C  p x m.
 * @param[out] X  p x m; may alias C.
 * MF_ESINGULAR when A ⊕ B is singular to working precision, i.e. when
 * λ_i(A) + μ_j(B) is (nearly) zero for some pair: the rule of mf_sylvester().
 * @return as mf_sylvester().
 */
MF_API mf_status mf_kronsum_solve(const mf_matrix *A, const mf_matrix *B, const mf_matrix *C,
                                  mf_matrix *X);

/* ------------------------------------------------------------------ */
/* Exponential of a Kronecker sum (src/kron/kron_expm.c)               */
/* ------------------------------------------------------------------ */

/**
 * E = exp(A ⊕ B) = exp(A) ⊗ exp(B), through the identity that holds for
 * all square A and B (A ⊗ I and I ⊗ B commute; Higham, Functions of
 * Matrices, SIAM 2008, Thm. 10.9): two exponentials of orders m and p
 * (mf_expm's algorithm) instead of one of order m p, and the big matrix is
 * formed only in E. To apply exp(A ⊕ B) to a vector or a block, use
 * mf_kronsum_expm_matmul(), which never forms it.
 *
 * @param A  m x m.
 * @param B  p x p.
 * @param[out] E  (m p) x (m p); E may alias A when p = 1, or B when m = 1.
 * Accuracy: each factor as mf_expm; the product adds one rounding per
 * entry. Flops: those of two mf_expm calls (about (6 + s) n^3 each) plus
 * m^2 p^2 multiplications to write E. Workspace: 7 (m^2 + p^2) elements.
 * @return MF_OK, MF_EINVAL, MF_EDIM (non-square A or B, E's shape, m p
 *         overflowing int64), MF_EDTYPE, MF_ENONFINITE, MF_EALIAS,
 *         MF_EOVERFLOW (exp(A), exp(B) or an entry of their product beyond
 *         the double range; E untouched), MF_ENOCONV (mf_expm's Hermitian
 *         path), MF_ENOMEM.
 */
MF_API mf_status mf_kronsum_expm(const mf_matrix *A, const mf_matrix *B, mf_matrix *E);

/**
 * vec(Y) = exp(A ⊕ B) vec(X), i.e. Y = exp(B) X exp(A)^T (plain transpose,
 * also for complex A), never forming exp(A ⊕ B): the solution operator of
 * the matrix ODE Y' = B Y + Y A^T after unit time.
 *
 * @param A  m x m.
 * @param B  p x p.
 * @param X  p x m.
 * @param[out] Y  p x m; may alias X (in place).
 * Flops: two exponentials of orders m and p plus two GEMMs,
 * 2 p m (m + p) real (times 4 in complex), against O(m^3 p^3) for the
 * exponential of the formed (m p) x (m p) operator. Workspace:
 * 7 (m^2 + p^2) + 3 p m elements.
 * @return MF_OK, MF_EINVAL, MF_EDIM, MF_EDTYPE, MF_ENONFINITE, MF_EALIAS,
 *         MF_EOVERFLOW (an exponential or the result beyond the double
 *         range; Y untouched), MF_ENOCONV, MF_ENOMEM.
 */
MF_API mf_status mf_kronsum_expm_matmul(const mf_matrix *A, const mf_matrix *B, const mf_matrix *X,
                                        mf_matrix *Y);

/* ------------------------------------------------------------------ */
/* General functions of Kronecker products and sums                    */
/* (src/kron/kron_funm.c, kron_funm_eval.c)                            */
/* ------------------------------------------------------------------ */

/**
 * F = f(A ⊗ B) for a scalar function f (the callback of mf_funm()), from
 * the decompositions of the factors instead of a Schur decomposition of the
 * (m p) x (m p) product.
 *
 * Each factor is decomposed on its own: exactly Hermitian (symmetric)
 * factors by mf_eigh(); the others by their complex Schur form
 * M = Q T Q^H (real M through dgees, as mf_funm), and such a factor counts
 * as normal when ||offdiag(T)||_F <= 10 n u ||M||_F (u = 2^-53; the
 * strictly upper part of T at rounding level, dropping it a backward error
 * of that size), its Schur vectors then being eigenvectors. With
 * A = Qa Ta Qa^H and B = Qb Tb Qb^H,
 *     A ⊗ B = (Qa ⊗ Qb)(Ta ⊗ Tb)(Qa ⊗ Qb)^H, Ta ⊗ Tb upper triangular,
 * and f is applied in one of three ways, using f(X M X^-1) = X f(M) X^-1
 * and that f acts blockwise on a block-diagonal M (Higham, Functions of
 * Matrices, SIAM 2008, ch. 1):
 * - both factors normal: f(A ⊗ B) = (Qa ⊗ Qb) diag(f(λ_i μ_k))
 *   (Qa ⊗ Qb)^H, one call of f (order 0) at the m p products of
 *   eigenvalues; F is assembled blockwise by GEMMs,
 *   about 8 (m p^3 + m^3 p^2) real flops.
 * - one factor normal (say A = Qa diag(λ) Qa^H): Ta ⊗ Tb is block
 *   diagonal with blocks λ_j Tb, so f(A ⊗ B) = (Qa ⊗ I) diag_j(H_j)
 *   (Qa ⊗ I)^H with H_j = f(λ_j B) = Qb f(λ_j Tb) Qb^H: m Schur-Parlett
 *   evaluations of order p on triangular matrices (mf_funm's algorithm
 *   without its Schur decomposition), O(m p^3 + m^3 p^2). A normal B is
 *   handled alike through the perfect shuffle (B ⊗ A = P (A ⊗ B) P^T).
 * - neither normal: the blocked Schur-Parlett algorithm (Davies & Higham,
 *   SIAM J. Matrix Anal. Appl. 25(2), 2003) on the (m p) x (m p)
 *   triangular Ta ⊗ Tb with Schur vectors Qa ⊗ Qb: clustering, reordering,
 *   the Parlett recurrence and F = Z f(T) Z^H cost O((m p)^3), but the
 *   Schur decomposition of A ⊗ B, about 25 (m p)^3 flops for real and
 *   100 (m p)^3 for complex data, is replaced by those of the factors.
 *
 * @param A  m x m, F64 or C128, finite.
 * @param B  p x p, F64 or C128, finite.
 * @param f  the scalar function and its derivatives (mf_scalar_fn; ready
 *           ones: mf_scalar_exp() and the others in funcs.h). Normal
 *           factors need order 0 only.
 * @param ctx  passed to f.
 * @param[out] F  (m p) x (m p). C128 allowed always; F64 only for F64 A
 *                and B, with mf_funm()'s rule: the result, computed in
 *                complex arithmetic, must satisfy ||Im F||_F <= 2^-26
 *                ||F||_F (else MF_ENOTREAL) and its real part is returned.
 *                F may alias A when p = 1, or B when m = 1.
 * Workspace (complex elements): (m p)^2 for F, m p max(m, p) for the
 * blocks f(λ_j B) (or f(μ_j A)), and O(m^2 + p^2) for the decompositions;
 * for two non-normal factors 4 (m p)^2 and mf_funm's triangular workspace.
 * @return MF_OK, MF_EINVAL (A, B, f or F NULL; bad descriptor), MF_EDIM
 *         (non-square A or B; F's shape; m p overflowing int64 or F with
 *         more than 2^31 - 1 elements), MF_EDTYPE, MF_ENONFINITE,
 *         MF_EALIAS, MF_ENOMEM, MF_ENOCONV (a Schur decomposition or a
 *         Taylor series), MF_ECALLBACK (f returned nonzero), MF_EDOMAIN (f
 *         returned NaN or Inf), MF_ENOTREAL, MF_EOVERFLOW (F not finite).
 *         F is written only on success.
 */
MF_API mf_status mf_kron_funm(const mf_matrix *A, const mf_matrix *B, mf_scalar_fn f, void *ctx,
                              mf_matrix *F);

/**
 * F = f(A ⊕ B), A ⊕ B = A ⊗ I_p + I_m ⊗ B: as mf_kron_funm() with the
 * eigenvalue sums λ_i + μ_k in place of the products (A ⊕ B =
 * (Qa ⊗ Qb)(Ta ⊕ Tb)(Qa ⊗ Qb)^H with Ta ⊕ Tb upper triangular; one normal
 * factor A gives the diagonal blocks λ_j I + Tb, so H_j = f(λ_j I + B)).
 * For f = exp, mf_kronsum_expm() is cheaper (exp(A) ⊗ exp(B) for any A, B).
 *
 * @param A  m x m.
 * @param B  p x p.
 * @param f, ctx  as mf_kron_funm().
 * @param[out] F  (m p) x (m p); real/complex rule, aliasing and workspace
 *                as mf_kron_funm().
 * @return as mf_kron_funm().
 */
MF_API mf_status mf_kronsum_funm(const mf_matrix *A, const mf_matrix *B, mf_scalar_fn f,
                                 void *ctx, mf_matrix *F);

/**
 * vec(Y_k) = f(A ⊗ B) vec(X_k) for r blocks X = [X_1 ... X_r] (each
 * p x m, so X is p x (m r); r = 1 is the plain vec(Y) = f(A ⊗ B) vec(X)),
 * without forming f(A ⊗ B) unless both factors are non-normal.
 *
 * Decompositions and the normality test as mf_kron_funm(). Then:
 * - both normal: Y_k = Qb [G o (Qb^H X_k conj(Qa))] Qa^T with
 *   G(k, i) = f(λ_i μ_k): one call of f at the m p points and four GEMMs
 *   of factor size per block, 8 p m (m + p) r real flops (plus the
 *   factors' decompositions, O(m^3 + p^3));
 * - one normal (A): column j of W = X_k conj(Qa) is multiplied by
 *   H_j = f(λ_j B) (as in mf_kron_funm()), then Y_k = W Qa^T:
 *   O(m p^3 + p m (m + p) r);
 * - neither normal: f(T) by Schur-Parlett on the triangular Ta ⊗ Tb as in
 *   mf_kron_funm(), then Y = Z (f(T) (Z^H [vec X_1 ... vec X_r])) with the
 *   formed (m p) x (m p) Z = (Qa ⊗ Qb) times the reordering: O((m p)^3)
 *   for f(T), only 3 (m p)^2 r multiply-adds to apply it.
 *
 * @param A  m x m.
 * @param B  p x p.
 * @param f, ctx  as mf_kron_funm().
 * @param X  p x (m r), r >= 0.
 * @param[out] Y  p x (m r). C128 allowed always; F64 only when A, B and X
 *                are F64 and Y is real to roundoff at the operator's
 *                scale: ||Im Y||_F <= 2^-26 ||f(A ⊗ B)||_F ||X||_F (the
 *                Frobenius norm of f(A ⊗ B) is that of f(T), of
 *                diag(f(λ_i μ_k)) or of the H_j, so known without forming
 *                it), else MF_ENOTREAL. Y may alias X (in place).
 * Workspace (complex elements): 2 p m r plus the decompositions
 * (O(m^2 + p^2)) and the m p values of f, or with one normal factor the
 * blocks H_j (m p max(m, p)); for two non-normal factors 3 (m p)^2 + m p r
 * and mf_funm's triangular workspace.
 * @return as mf_kron_funm(), with MF_EDIM also for X's shape, for m p or
 *         m r beyond the 32-bit BLAS range, and MF_EOVERFLOW for a
 *         non-finite Y.
 */
MF_API mf_status mf_kron_funm_matmul(const mf_matrix *A, const mf_matrix *B, mf_scalar_fn f,
                                     void *ctx, const mf_matrix *X, mf_matrix *Y);

/**
 * vec(Y_k) = f(A ⊕ B) vec(X_k) for r blocks X_k (p x m): as
 * mf_kron_funm_matmul() with the eigenvalue sums λ_i + μ_k
 * (G(k, i) = f(λ_i + μ_k), H_j = f(λ_j I + B)). For f = exp,
 * mf_kronsum_expm_matmul() is cheaper.
 *
 * @param A  m x m.
 * @param B  p x p.
 * @param f, ctx  as mf_kron_funm().
 * @param X  p x (m r).
 * @param[out] Y  p x (m r); rules as mf_kron_funm_matmul().
 * @return as mf_kron_funm_matmul().
 */
MF_API mf_status mf_kronsum_funm_matmul(const mf_matrix *A, const mf_matrix *B, mf_scalar_fn f,
                                        void *ctx, const mf_matrix *X, mf_matrix *Y);

/* ------------------------------------------------------------------ */
/* Sylvester and Lyapunov equations (src/kron/sylvester.c, stein.c)    */
/* ------------------------------------------------------------------ */

/**
 * Solve the Sylvester equation A X + X B = C by the Bartels-Stewart method
 * (Bartels & Stewart, CACM 15(9), 1972): Schur forms A = U S U^H and
 * B = V T V^H (LAPACK ?gees; real quasi-triangular for real input), then
 * S Y + Y T = U^H C V by the level-3 triangular solver ?trsyl3 (Jonsson &
 * Kagstrom, ACM TOMS 28(4), 2002, with overflow-safe scaling), X = U Y V^H.
 *
 * @param A  m x m.
 * @param B  n x n.
 * @param C  m x n.
 * @param[out] X  m x n; may alias C (in place).
 * Real input (all of A, B, C F64) is solved in real arithmetic even for a
 * C128 X. When only some inputs are complex, a real A or B still gets its
 * Schur form from real ?gees (made complex triangular by one rotation per
 * 2 x 2 block) rather than from zgees.
 *
 * When is the equation singular? Its operator X -> A X + X B has the
 * eigenvalues λ_i(A) + μ_j(B). MF_ESINGULAR is returned when
 *   (a) ?trsyl3 reports info = 1 (some |λ_i + μ_j| fell below
 *       eps max(|S|max, |T|max), so LAPACK had to perturb it), or
 *   (b) min_ij |λ_i + μ_j| <= max(m, n) u (||A||_F + ||B||_F), u = 2^-53,
 *       with the computed eigenvalues: a backward-stable Schur form moves
 *       eigenvalues of normal matrices by about that much, so an exactly
 *       shared eigenvalue of A and -B is caught even when rounding separates
 *       the two copies a little.
 * The message gives the smallest |λ_i + μ_j| and the threshold. For highly
 * non-normal A or B an exactly singular equation may escape both tests
 * (eigenvalues then move by much more than u ||A||); the solution is then
 * huge and should be judged by its residual.
 * ?trsyl3 may scale the solution by 0 < scale <= 1 to avoid overflow; the
 * result is divided by scale at the end, and MF_EOVERFLOW is returned when
 * the true solution is not representable.
 * Flops: about 25 m^3 + 25 n^3 for the Schur forms (dominant), plus
 * 2 m n (m + n) for the triangular solve and 4 m n (m + n) for the
 * transformations. Workspace: m^2 + n^2 + 2 m n elements plus the LAPACK
 * workspaces.
 * @return MF_OK, MF_EINVAL, MF_EDIM, MF_EDTYPE, MF_ENONFINITE, MF_EALIAS,
 *         MF_ESINGULAR, MF_EOVERFLOW, MF_ENOCONV (?gees failed to converge),
 *         MF_ENOMEM.
 */
MF_API mf_status mf_sylvester(const mf_matrix *A, const mf_matrix *B, const mf_matrix *C,
                              mf_matrix *X);

/**
 * Solve the continuous Lyapunov equation A X + X A^H = Q (SciPy's
 * solve_continuous_lyapunov convention; A^H = A^T for real A).
 *
 * Bartels-Stewart with a single Schur form A = U S U^H: S Y + Y S^H =
 * U^H Q U by ?trsyl3, X = U Y U^H.
 *
 * @param A  n x n.
 * @param Q  n x n.
 * @param[out] X  n x n; may alias Q.
 * When Q is exactly symmetric (real) or Hermitian (complex), X is returned
 * exactly symmetric/Hermitian: X <- (X + X^H) / 2, which also makes the
 * diagonal of a Hermitian X exactly real.
 * Singular (MF_ESINGULAR) when λ_i + conj(λ_j) is (nearly) zero, for
 * example an eigenvalue on the imaginary axis: the rule of mf_sylvester()
 * with B = A^H. Stable A (all Re λ < 0) and Q Hermitian negative definite
 * give a positive definite X.
 * @return as mf_sylvester().
 */
MF_API mf_status mf_lyapunov(const mf_matrix *A, const mf_matrix *Q, mf_matrix *X);

/**
 * Solve the discrete Lyapunov (Stein) equation A X A^H - X + Q = 0 (SciPy's
 * solve_discrete_lyapunov convention).
 *
 * Complex Schur form A = U T U^H (ZGEES for complex A; for real A the real
 * form of DGEES made triangular by one complex rotation per 2 x 2 block,
 * about 4x fewer flops), then the
 * column recurrence of Kitagawa (Int. J. Control 25(5), 1977) and Barraud
 * (IEEE TAC 22(5), 1977) on T Y T^H - Y = -U^H Q U, from the last column to
 * the first: (conj(t_jj) T - I) y_j = -f_j - T sum_{l>j} conj(t_jl) y_l, one
 * triangular solve per column; X = U Y U^H. No inverse of A or of A + I is
 * used, so singular A is fine (unlike the Cayley transformation to a
 * continuous equation).
 *
 * @param A  n x n.
 * @param Q  n x n.
 * @param[out] X  n x n; may alias Q. Real input gives the real part of the
 *             complex computation (the exact solution is real).
 * Q exactly symmetric/Hermitian: X is symmetrized as in mf_lyapunov().
 * Singular (MF_ESINGULAR) when λ_i conj(λ_j) = 1 for some pair to working
 * precision: min_ij |1 - λ_i conj(λ_j)| <= n u (1 + ||A||_F^2), for example
 * an eigenvalue on the unit circle. A solution beyond the double range is
 * MF_EOVERFLOW.
 * Flops: about 25 n^3 for the Schur form of real A (100 n^3 real for
 * complex A) plus 8 n^3 for the recurrence and 16 n^3 for the
 * transformations (real flops of complex arithmetic). Workspace: 4 n^2 complex
 * elements plus ?gees workspace.
 * @return MF_OK, MF_EINVAL, MF_EDIM, MF_EDTYPE, MF_ENONFINITE, MF_EALIAS,
 *         MF_ESINGULAR, MF_EOVERFLOW, MF_ENOCONV, MF_ENOMEM.
 */
MF_API mf_status mf_lyapunov_discrete(const mf_matrix *A, const mf_matrix *Q, mf_matrix *X);

#ifdef __cplusplus
}
#endif

#endif /* MATFUN_KRON_H */
