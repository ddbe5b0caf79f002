/** @file
 * libmatfun curvature utilities: finite-difference derivatives, inertia and
 * critical-point classification, modified Newton steps, Lanczos extremal
 * eigenpairs of matrix-free symmetric operators, stochastic trace and
 * spectral-density estimation. Conventions: see matfun/core.h.
 *
 * Conventions of this module
 * --------------------------
 * - Everything here is real: every descriptor is MF_F64 (anything else is
 *   MF_EDTYPE). A vector is an n x 1 or 1 x n descriptor with any stride.
 * - User functions are callbacks that take a void *ctx and return 0 on
 *   success; any other value stops the computation with MF_ECALLBACK and
 *   nothing is written. The arrays they receive are contiguous library
 *   workspace: inputs are read-only and valid only during the call, outputs
 *   must be written in full.
 * - A callback value that is NaN or Inf stops the computation with
 *   MF_ENONFINITE (the same rule as a non-finite input; mf_last_error() says
 *   which evaluation produced it). Non-finite input points are MF_ENONFINITE.
 * - Every _ex form takes an options struct and an info struct; NULL options
 *   mean defaults, and inside an options struct a zero field means "the
 *   default" (so `mf_xxx_options o = {0};` is the default configuration).
 *   info may be NULL; it is written only on success.
 * - Randomized estimators draw from a generator with local state seeded by
 *   the options' seed: the same inputs and seed give bit-identical results
 *   on every run and every thread.
 * - Operators (mf_symop_fn) must be symmetric; the library does not check.
 */
#ifndef MATFUN_HESSIAN_H
#define MATFUN_HESSIAN_H

#include "core.h"
#include "decomp.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Callbacks                                                           */
/* ------------------------------------------------------------------ */

/** Objective f: R^n -> R. Write f(x) to *f; return 0 on success. */
typedef int (*mf_objective_fn)(int64_t n, const double *x, double *f, void *ctx);

/** Gradient of an objective: write the n entries of grad f(x) to g; return 0 on success. */
typedef int (*mf_gradient_fn)(int64_t n, const double *x, double *g, void *ctx);

/** Vector function F: R^n -> R^m. Write the m entries of F(x) to F; return 0 on success. */
typedef int (*mf_vector_fn)(int64_t n, const double *x, int64_t m, double *F, void *ctx);

/**
 * Symmetric linear operator, for example a Hessian: write y = H v (n
 * entries). v never overlaps y. Return 0 on success.
 */
typedef int (*mf_symop_fn)(int64_t n, const double *v, double *y, void *ctx);

/* ------------------------------------------------------------------ */
/* Finite differences                                                  */
/* ------------------------------------------------------------------ */

/** Difference schemes (mf_fd_options.method). */
typedef enum mf_fd_method {
    MF_FD_CENTRAL = 1,   /**< central differences, truncation error O(h^2) (default) */
    MF_FD_RICHARDSON = 2 /**< central differences at h and 2h combined by Richardson
                              extrapolation, truncation error O(h^4) */
} mf_fd_method;

/** Options of the finite-difference functions; zero fields mean defaults. */
typedef struct mf_fd_options {
    int32_t method;  /**< an mf_fd_method; 0 = MF_FD_CENTRAL */
    int32_t reserved; /**< must be 0 */
    double rel_step; /**< step h_i = rel_step * max(|x_i|, 1); 0 = the optimal order of u
                          for the scheme (see below); must be >= 0 and finite */
    double f_noise;  /**< relative accuracy of the callback's values, used for the
                          rounding part of the error estimate; 0 = 8 u */
} mf_fd_options;

/** What a finite-difference function did (written only on success). */
typedef struct mf_fd_info {
    int64_t evaluations; /**< callback calls made */
    double max_error;    /**< largest entry of the error estimate (0 if none was computed) */
    double step;         /**< rel_step actually used */
} mf_fd_info;

/**
 * Gradient of an objective by central differences.
 *
 * g_i = (f(x + h_i e_i) - f(x - h_i e_i)) / (2 h_i), with h_i = s max(|x_i|, 1)
 * (see below). The default s balances the
 * O(h^2) truncation against the O(u/h) rounding error: s = u^(1/3) for
 * MF_FD_CENTRAL, u^(1/5) for MF_FD_RICHARDSON (Nocedal & Wright, Numerical
 * Optimization, 2nd ed., 2006, section 8.1). h_i is rounded to a power of
 * two, so x_i +- h_i are exact.
 *
 * Error estimate (err, optional): the difference between the results at
 * steps h and 2h estimates the truncation error (Richardson), to which the
 * rounding bound f_noise (|f(x + h e_i)| + |f(x - h e_i)|) / (2 h_i) is added;
 * in Richardson mode a third level (4h) estimates the extrapolated result's
 * error. Asking for err costs extra evaluations: central 2n (4n with err),
 * Richardson 4n (6n with err). The estimate assumes f is smooth near x and
 * computed to the relative accuracy f_noise.
 *
 * @param f, ctx  the objective
 * @param x       n x 1 (or 1 x n) F64, finite
 * @param[out] g    n x 1 (or 1 x n) F64; may exactly alias x
 * @param[out] err  n x 1 (or 1 x n) F64 error estimate per entry, or NULL
 * @return MF_OK; MF_EINVAL (NULL f, x or g; bad descriptor; bad option);
 *         MF_EDIM (x not a vector, g or err of another length); MF_EDTYPE;
 *         MF_ENONFINITE (x, or a value of f, NaN or Inf); MF_ECALLBACK;
 *         MF_EALIAS; MF_ENOMEM.
 * Workspace: about 2 (levels + 2) n doubles.
 */
MF_API mf_status mf_fd_gradient(mf_objective_fn f, void *ctx, const mf_matrix *x, mf_matrix *g,
                                mf_matrix *err);

/** mf_fd_gradient() with options (NULL: defaults) and info (may be NULL).
 * @param f, ctx  the objective
 * @param x  n x 1 (or 1 x n) F64, finite
 * @param opts  options, or NULL for defaults
 * @param[out] g  as in mf_fd_gradient()
 * @param[out] err  as in mf_fd_gradient(), or NULL
 * @param[out] info  what was done, or NULL
 * @return as mf_fd_gradient(). */
MF_API mf_status mf_fd_gradient_ex(mf_objective_fn f, void *ctx, const mf_matrix *x,
                                   const mf_fd_options *opts, mf_matrix *g, mf_matrix *err,
                                   mf_fd_info *info);

/**
 * Jacobian J (m x n, J_ij = dF_i/dx_j) of a vector function by central
 * differences, one column per pair of evaluations; steps, schemes and the
 * error estimate as mf_fd_gradient() (the rounding term uses |F_i|).
 *
 * @param F, ctx  the function; it is called with the m given here
 * @param x       n x 1 (or 1 x n) F64, finite
 * @param[out] J    m x n F64
 * @param[out] err  m x n F64 error estimate per entry, or NULL
 * @return as mf_fd_gradient(); MF_EDIM when J or err is not m x n.
 * Workspace: (2 levels + 2) m n + 6 m + 2 n doubles.
 */
MF_API mf_status mf_fd_jacobian(mf_vector_fn F, void *ctx, const mf_matrix *x, mf_matrix *J,
                                mf_matrix *err);

/** mf_fd_jacobian() with options (NULL: defaults) and info (may be NULL).
 * @param F, ctx  the function (as in mf_fd_jacobian())
 * @param x  n x 1 (or 1 x n) F64, finite
 * @param opts  options, or NULL for defaults
 * @param[out] J  m x n F64
 * @param[out] err  m x n F64 error estimate, or NULL
 * @param[out] info  what was done, or NULL
 * @return as mf_fd_jacobian(). */
MF_API mf_status mf_fd_jacobian_ex(mf_vector_fn F, void *ctx, const mf_matrix *x,
                                   const mf_fd_options *opts, mf_matrix *J, mf_matrix *err,
                                   mf_fd_info *info);

/**
 * Hessian of an objective by second-order central differences:
 *   H_ii = (f(x + h_i e_i) - 2 f(x) + f(x - h_i e_i)) / h_i^2,
 *   H_ij = (f(x + h_i e_i + h_j e_j) - f(x + h_i e_i - h_j e_j)
 *           - f(x - h_i e_i + h_j e_j) + f(x - h_i e_i - h_j e_j)) / (4 h_i h_j),
 * computed for i < j and mirrored, so H is exactly symmetric. Default step
 * scale s = u^(1/4) (central) or u^(1/6) (Richardson), the optimal order for
 * an O(h^2) or O(h^4) second difference with O(u/h^2) rounding error.
 * Cost: 2 n^2 + 1 evaluations per difference level (central: 1 level,
 * 2 with err; Richardson: 2 levels, 3 with err). Error estimate as
 * mf_fd_gradient(), with rounding terms f_noise sum|f| / h_i^2 (diagonal) and
 * f_noise sum|f| / (4 h_i h_j) (off-diagonal); err is symmetric too.
 *
 * @param f, ctx    the objective
 * @param x        n x 1 (or 1 x n) F64, finite
 * @param[out] H   n x n F64
 * @param[out] err n x n F64 or NULL
 * @return as mf_fd_gradient(); MF_EDIM when H or err is not n x n.
 * Workspace: (2 levels + 2) n^2 + O(n) doubles.
 */
MF_API mf_status mf_fd_hessian(mf_objective_fn f, void *ctx, const mf_matrix *x, mf_matrix *H,
                               mf_matrix *err);

/** mf_fd_hessian() with options (NULL: defaults) and info (may be NULL).
 * @param f, ctx  the objective
 * @param x  n x 1 (or 1 x n) F64, finite
 * @param opts  options, or NULL for defaults
 * @param[out] H  n x n F64
 * @param[out] err  n x n F64 error estimate, or NULL
 * @param[out] info  what was done, or NULL
 * @return as mf_fd_hessian(). */
MF_API mf_status mf_fd_hessian_ex(mf_objective_fn f, void *ctx, const mf_matrix *x,
                                  const mf_fd_options *opts, mf_matrix *H, mf_matrix *err,
                                  mf_fd_info *info);

/**
 * Hessian from a user gradient: the Jacobian of grad f by central
 * differences (as mf_fd_jacobian(), 2n gradient calls per level),
 * symmetrized as (J + J^T) / 2. The error estimate adds |J_ij - J_ji| / 2 to
 * the difference estimate, so an asymmetric gradient shows up in err.
 * @param grad, ctx  the gradient
 * @param x  n x 1 (or 1 x n) F64, finite
 * @param[out] H  n x n F64, symmetric
 * @param[out] err  n x n F64 error estimate, or NULL
 * @return as mf_fd_hessian().
 */
MF_API mf_status mf_fd_hessian_from_gradient(mf_gradient_fn grad, void *ctx, const mf_matrix *x,
                                             mf_matrix *H, mf_matrix *err);

/** mf_fd_hessian_from_gradient() with options (NULL: defaults) and info (may be NULL).
 * @param grad, ctx  the gradient
 * @param x  n x 1 (or 1 x n) F64, finite
 * @param opts  options, or NULL for defaults
 * @param[out] H  n x n F64, symmetric
 * @param[out] err  n x n F64 error estimate, or NULL
 * @param[out] info  what was done, or NULL
 * @return as mf_fd_hessian_from_gradient(). */
MF_API mf_status mf_fd_hessian_from_gradient_ex(mf_gradient_fn grad, void *ctx,
                                                const mf_matrix *x, const mf_fd_options *opts,
                                                mf_matrix *H, mf_matrix *err, mf_fd_info *info);

/* ------------------------------------------------------------------ */
/* Hessian-vector and Gauss-Newton products                            */
/* ------------------------------------------------------------------ */

/** Options of mf_hvp_operator_new(); zero fields mean defaults. */
typedef struct mf_hvp_options {
    int32_t central;  /**< 0: forward difference, one gradient per product (default);
                           1: central difference, two gradients per product, error O(h^2) */
    int32_t reserved; /**< must be 0 */
    double rel_step;  /**< h = rel_step max(||x||_2, 1) / ||v||_2; 0 = sqrt(u) (forward)
                           or u^(1/3) (central); must be >= 0 and finite */
} mf_hvp_options;

/** A Hessian-vector product operator at a fixed point (opaque). */
typedef struct mf_hvp_operator mf_hvp_operator;

/**
 * Prepare Hessian-vector products H(x) v ~ (grad f(x + h v) - grad f(x)) / h
 * at the point x (Nocedal & Wright 2006, section 8.1, eq. 8.10). x is copied
 * and grad f(x) evaluated once here (forward mode), so each product then
 * costs one gradient call (two in central mode).
 *
 * @param grad, ctx  the gradient; ctx must stay valid while the operator is used
 * @param x          n x 1 (or 1 x n) F64, finite
 * @param opts       NULL for defaults
 * @param[out] op    the new operator (written only on success); release it
 *                   with mf_hvp_operator_free()
 * @return MF_OK; MF_EINVAL (NULL argument, bad option); MF_EDIM; MF_EDTYPE;
 *         MF_ENONFINITE (x or grad f(x)); MF_ECALLBACK; MF_ENOMEM.
 * Memory: 5 n doubles, held until mf_hvp_operator_free().
 */
MF_API mf_status mf_hvp_operator_new(mf_gradient_fn grad, void *ctx, const mf_matrix *x,
                                     const mf_hvp_options *opts, mf_hvp_operator **op);

/** Release an operator (NULL is accepted).
 * @param op  from mf_hvp_operator_new(), or NULL */
MF_API void mf_hvp_operator_free(mf_hvp_operator *op);

/**
 * y = H(x) v: an mf_symop_fn, so it can be handed directly (with the
 * operator as ctx) to mf_lanczos(), mf_trace_estimate() or mf_slq().
 * v = 0 gives y = 0 without a gradient call. Returns 0 on success, or the
 * nonzero mf_status of the failure (MF_EINVAL for a NULL operator or a
 * different n, MF_ECALLBACK, MF_ENONFINITE) after recording the detail in
 * mf_last_error(); y is then unchanged. Not thread-safe on one operator
 * (it uses the operator's workspace); use one operator per thread.
 * @param n  length of v and y; must be the operator's n
 * @param v  the direction, n doubles
 * @param[out] y  H(x) v, n doubles; must not overlap v
 * @param op  the mf_hvp_operator
 * @return 0, or a nonzero mf_status.
 */
MF_API int mf_hvp_apply(int64_t n, const double *v, double *y, void *op);

/** Gradient calls made by the operator so far (including the one at x).
 * @param op  the operator, or NULL
 * @return the count; -1 for NULL. */
MF_API int64_t mf_hvp_operator_evaluations(const mf_hvp_operator *op);

/**
 * One Hessian-vector product Hv = H(x) v from descriptors, with default
 * options: two gradient calls (at x and at x + h v).
 * @param grad, ctx  the gradient
 * @param x       n x 1 (or 1 x n) F64, finite
 * @param v       n x 1 (or 1 x n) F64, finite
 * @param[out] Hv same length as x and v; may exactly alias v or x
 * @return as mf_hvp_operator_new(), plus MF_EALIAS.
 */
MF_API mf_status mf_hvp(mf_gradient_fn grad, void *ctx, const mf_matrix *x, const mf_matrix *v,
                        mf_matrix *Hv);

/**
 * Gauss-Newton matrix G = J^T J (n x n) of an m x n Jacobian, by a
 * symmetric rank-k update (?syrk), so G is exactly symmetric.
 * @param J  m x n F64, finite
 * @param[out] G n x n F64; may exactly alias J when m = n
 * @return MF_OK, MF_EINVAL, MF_EDIM, MF_EDTYPE, MF_ENONFINITE, MF_EALIAS, MF_ENOMEM.
 * Workspace: m n + n^2 doubles.
 */
MF_API mf_status mf_gauss_newton(const mf_matrix *J, mf_matrix *G);

/** A Gauss-Newton product operator (opaque). */
typedef struct mf_gn_operator mf_gn_operator;

/**
 * Prepare products y = (J^T J + lambda I) v, computed as J^T (J v) with two
 * matrix-vector products (2 m n flops each), never forming J^T J; lambda is
 * the Levenberg-Marquardt damping (0 for plain Gauss-Newton).
 * @param J       m x n F64, finite (copied: the caller may reuse its storage)
 * @param lambda  finite, >= 0
 * @param[out] op the new operator; release with mf_gn_operator_free()
 * @return MF_OK, MF_EINVAL, MF_EDTYPE, MF_ENONFINITE, MF_EDIM (m or n beyond
 *         the BLAS 32-bit range), MF_ENOMEM.
 * Memory: m n + m doubles, held until mf_gn_operator_free().
 */
MF_API mf_status mf_gn_operator_new(const mf_matrix *J, double lambda, mf_gn_operator **op);

/** Release an operator (NULL is accepted).
 * @param op  from mf_gn_operator_new(), or NULL */
MF_API void mf_gn_operator_free(mf_gn_operator *op);

/**
 * y = (J^T J + lambda I) v: an mf_symop_fn for use with mf_lanczos() and
 * the estimators. Returns 0, or MF_EINVAL (NULL operator, n different from
 * J's column count; y unchanged). Reentrant only with distinct operators.
 * @param n  length of v and y; must be J's column count
 * @param v  the vector, n doubles
 * @param[out] y  the product, n doubles; must not overlap v
 * @param op  the mf_gn_operator
 * @return 0 or MF_EINVAL.
 */
MF_API int mf_gn_apply(int64_t n, const double *v, double *y, void *op);

/* ------------------------------------------------------------------ */
/* Inertia and critical points                                         */
/* ------------------------------------------------------------------ */

/** Counts of positive, negative and zero eigenvalues. */
typedef struct mf_inertia_counts {
    int64_t positive; /**< eigenvalues counted as positive */
    int64_t negative; /**< eigenvalues counted as negative */
    int64_t zero;     /**< eigenvalues counted as zero (within the tolerance) */
} mf_inertia_counts;

/** How the inertia is computed (mf_inertia_options.method). */
typedef enum mf_inertia_method {
    MF_INERTIA_LDLT = 1, /**< Bunch-Kaufman LDL^T (?sytrf), signs of D's blocks (default) */
    MF_INERTIA_EIGH = 2  /**< eigenvalues (?syevd via the same path as mf_eigh) */
} mf_inertia_method;

/** Options of mf_inertia_ex(); zero fields mean defaults. */
typedef struct mf_inertia_options {
    int32_t method;  /**< an mf_inertia_method; 0 = MF_INERTIA_LDLT */
    int32_t reserved; /**< must be 0 */
    double rtol;     /**< relative zero tolerance; 0 = 100 n u; must be >= 0 and finite */
    double atol;     /**< absolute zero tolerance, for example a bound on the error of
                          a finite-difference Hessian; 0 = none; >= 0 and finite */
} mf_inertia_options;

/**
 * Inertia of a symmetric matrix (reads the lower triangle): how many
 * eigenvalues are positive, negative and zero, where a value d counts as
 * zero when |d| <= atol + rtol ||A||_1.
 *
 * MF_INERTIA_LDLT factors P A P^T = L D L^T with Bunch-Kaufman pivoting
 * (Bunch & Kaufman, Math. Comp. 31, 1977; LAPACK ?sytrf) and counts the
 * signs of the eigenvalues of D's 1x1 and 2x2 blocks: by Sylvester's law of
 * inertia A and D have the same inertia (Golub & Van Loan, 4th ed., 2013,
 * section 8.1.2 and 4.4). It costs n^3/3 flops. The tolerance is applied to
 * D's eigenvalues, which are not A's eigenvalues: the positive and negative
 * counts are exact for the computed factorization, but which tiny values are
 * called zero can differ from the eigenvalue method. When zero eigenvalues
 * matter (a degenerate critical point), use MF_INERTIA_EIGH, which applies
 * the tolerance to the eigenvalues themselves (about 9x the cost).
 *
 * @param A  n x n F64, lower triangle finite
 * @param[out] out the counts (written only on success)
 * @return MF_OK, MF_EINVAL (NULL, bad descriptor, bad option), MF_EDIM,
 *         MF_EDTYPE, MF_ENONFINITE, MF_ENOMEM, MF_ENOCONV (eigenvalue
 *         method), MF_EBACKEND.
 * Workspace: n^2 + 65 n doubles (LDL^T); n^2 + 2 n^2 + 6 n for the eigenvalues.
 */
MF_API mf_status mf_inertia(const mf_matrix *A, mf_inertia_counts *out);

/** mf_inertia() with options (NULL: defaults).
 * @param A  n x n F64, lower triangle finite
 * @param opts  options, or NULL for defaults
 * @param[out] out  the counts (written only on success)
 * @return as mf_inertia(). */
MF_API mf_status mf_inertia_ex(const mf_matrix *A, const mf_inertia_options *opts,
                               mf_inertia_counts *out);

/** Kinds of points (mf_critical_info.kind). */
typedef enum mf_critical_kind {
    MF_CRITICAL_MINIMUM = 1,     /**< gradient small, Hessian positive definite */
    MF_CRITICAL_MAXIMUM = 2,     /**< gradient small, Hessian negative definite */
    MF_CRITICAL_SADDLE = 3,      /**< gradient small, Hessian has eigenvalues of both signs */
    MF_CRITICAL_DEGENERATE = 4,  /**< gradient small, Hessian semidefinite and singular:
                                      the second-order test cannot decide */
    MF_CRITICAL_NOT_CRITICAL = 5 /**< the gradient is not small: not a critical point */
} mf_critical_kind;

/** Options of mf_classify_critical_point_ex(); zero fields mean defaults. */
typedef struct mf_critical_options {
    mf_inertia_options inertia; /**< how the Hessian's inertia is taken; the default
                                     method here is MF_INERTIA_EIGH */
    double grad_tol; /**< the point is critical when ||g||_2 <= grad_tol; 0 = u^(1/3)
                          (the accuracy of a central-difference gradient of a
                          unit-scale objective); must be >= 0 and finite */
} mf_critical_options;

/** Result of a classification. */
typedef struct mf_critical_info {
    int32_t kind;              /**< an mf_critical_kind */
    int32_t reserved;          /**< reserved, set to 0 */
    mf_inertia_counts inertia; /**< of the Hessian (filled for every kind) */
    double grad_norm;          /**< ||g||_2 */
} mf_critical_info;

/**
 * Classify a point from its gradient g and Hessian H by the second-order
 * conditions (Nocedal & Wright 2006, Theorems 2.3 and 2.4). A saddle needs
 * eigenvalues of both signs and is reported even when H is also singular;
 * a singular semidefinite H is DEGENERATE (for example the monkey saddle
 * x^3 - 3 x y^2 at the origin, whose Hessian is 0). n = 0 is a MINIMUM (the
 * empty matrix is vacuously positive definite).
 *
 * @param g  n x 1 (or 1 x n) F64, finite
 * @param H  n x n F64 symmetric (lower triangle read), finite
 * @param[out] out  the classification (written only on success)
 * @return as mf_inertia(), plus MF_EDIM when g and H disagree.
 */
MF_API mf_status mf_classify_critical_point(const mf_matrix *g, const mf_matrix *H,
                                            mf_critical_info *out);

/** mf_classify_critical_point() with options (NULL: defaults).
 * @param g  n x 1 (or 1 x n) F64, finite
 * @param H  n x n F64 symmetric (lower triangle read), finite
 * @param opts  options, or NULL for defaults
 * @param[out] out  the classification (written only on success)
 * @return as mf_classify_critical_point(). */
MF_API mf_status mf_classify_critical_point_ex(const mf_matrix *g, const mf_matrix *H,
                                               const mf_critical_options *opts,
                                               mf_critical_info *out);

/* ------------------------------------------------------------------ */
/* Modified Newton step                                                */
/* ------------------------------------------------------------------ */

/** How an indefinite Hessian is modified (mf_newton_options.method). */
typedef enum mf_newton_method {
    MF_NEWTON_SHIFT = 1,      /**< B = H + tau I, tau found by Cholesky attempts (default) */
    MF_NEWTON_EIGEN_FLOOR = 2 /**< B = Q diag(max(|lambda_i|, delta)) Q^T */
} mf_newton_method;

/** Which modification was applied (mf_newton_info.modification). */
typedef enum mf_newton_modification {
    MF_NEWTON_PLAIN = 0,       /**< H was positive definite: the Newton step itself */
    MF_NEWTON_SHIFTED = 1,     /**< B = H + tau I */
    MF_NEWTON_EIGEN_FLOORED = 2 /**< eigenvalues replaced by max(|lambda|, delta) */
} mf_newton_modification;

/** Options of mf_newton_step_ex(); zero fields mean defaults. */
typedef struct mf_newton_options {
    int32_t method;  /**< an mf_newton_method; 0 = MF_NEWTON_SHIFT */
    int32_t max_attempts; /**< Cholesky attempts of the shift method; 0 = 64 */
    double beta;     /**< first nonzero shift; 0 = 1e-3 max|h_ij| (1e-3 if H = 0) */
    double delta;    /**< eigenvalue floor; 0 = sqrt(u) max|lambda_i| (sqrt(u) if H = 0) */
} mf_newton_options;

/** What mf_newton_step_ex() did. */
typedef struct mf_newton_info {
    int32_t modification;  /**< an mf_newton_modification */
    int32_t cholesky_attempts; /**< factorizations tried, the successful one included */
    double shift;          /**< tau of MF_NEWTON_SHIFTED, else 0 */
    double min_eigenvalue; /**< smallest eigenvalue of H (eigen method only; else NaN) */
    double predicted_decrease; /**< -(g^T p + p^T B p / 2) = g^T B^-1 g / 2 >= 0 for
                                    the model matrix B actually used (B = H when plain) */
} mf_newton_info;

/**
 * Solve B p = -g, where B = H when H is positive definite (one Cholesky
 * factorization decides) and otherwise a positive definite modification:
 *
 * - MF_NEWTON_SHIFT: Cholesky with added multiple of the identity (Nocedal &
 *   Wright 2006, Algorithm 3.3): tau_0 = 0 if min h_ii > 0 else
 *   beta - min h_ii, then tau <- max(2 tau, beta) until H + tau I factors.
 *   At most max_attempts factorizations, else MF_ENOCONV.
 * - MF_NEWTON_EIGEN_FLOOR: H = Q diag(lambda) Q^T, B = Q diag(max(|lambda|,
 *   delta)) Q^T (N&W section 3.4; taking |lambda| keeps the size of the
 *   negative curvature, which moves the step away from a saddle, as in the
 *   saddle-free Newton method of Dauphin et al., NeurIPS 2014).
 *
 * The step is a descent direction (g^T p < 0 unless g = 0).
 *
 * @param H  n x n F64 symmetric (lower triangle read), finite
 * @param g  n x 1 (or 1 x n) F64, finite
 * @param[out] p  like g; may exactly alias g
 * @return MF_OK, MF_EINVAL, MF_EDIM, MF_EDTYPE, MF_ENONFINITE, MF_EALIAS,
 *         MF_ENOMEM, MF_ENOCONV, MF_EBACKEND.
 * Workspace: 2 n^2 + O(n) doubles (shift); 3 n^2 + O(n) (eigenvalues).
 */
MF_API mf_status mf_newton_step(const mf_matrix *H, const mf_matrix *g, mf_matrix *p);

/** mf_newton_step() with options (NULL: defaults) and info (may be NULL).
 * @param H  n x n F64 symmetric (lower triangle read), finite
 * @param g  n x 1 (or 1 x n) F64, finite
 * @param opts  options, or NULL for defaults
 * @param[out] p  like g; may exactly alias g
 * @param[out] info  what was done, or NULL
 * @return as mf_newton_step(). */
MF_API mf_status mf_newton_step_ex(const mf_matrix *H, const mf_matrix *g,
                                   const mf_newton_options *opts, mf_matrix *p,
                                   mf_newton_info *info);

/* ------------------------------------------------------------------ */
/* Lanczos extremal eigenpairs of a matrix-free symmetric operator      */
/* ------------------------------------------------------------------ */

/** Options of mf_lanczos_ex(); zero fields mean defaults. */
typedef struct mf_lanczos_options {
    double tol;          /**< a Ritz pair (theta, y) has converged when
                              ||H y - theta y||_2 <= tol max|theta_j|; 0 = 1e-10 */
    int64_t max_dim;     /**< largest Krylov basis kept; 0 = min(n, max(200, 20 k));
                              must be > k unless it is n */
    int64_t max_restarts; /**< explicit restarts after the basis is full; 0 = 20 */
    uint64_t seed;       /**< starting vector (Rademacher signs); 0 = a fixed seed */
} mf_lanczos_options;

/** What mf_lanczos_ex() did. */
typedef struct mf_lanczos_info {
    int64_t matvecs;      /**< operator calls */
    int64_t restarts;     /**< explicit restarts */
    int64_t krylov_dim;   /**< size of the final Krylov basis */
    double max_residual;  /**< largest ||H y - theta y||_2 among the returned pairs */
} mf_lanczos_info;

/**
 * The k largest or smallest eigenvalues (and optionally eigenvectors) of a
 * symmetric operator given only through products y = H v.
 *
 * Lanczos with full reorthogonalization (each new vector is orthogonalized
 * twice against the whole basis by classical Gram-Schmidt; Golub & Van Loan
 * 2013, section 10.3.1), growing the Krylov space and checking the Ritz
 * pairs' residuals beta_m |s_mi| from the tridiagonal eigenproblem (?steqr)
 * every few steps. If the recurrence breaks down (an invariant subspace,
 * for example a repeated eigenvalue), the basis is extended with a fresh
 * random vector orthogonal to it, so multiple eigenvalues are found with
 * their multiplicity in that case. When the basis reaches max_dim first,
 * the method restarts from the sum of the wanted Ritz vectors (explicit
 * restart; Saad, Numerical Methods for Large Eigenvalue Problems, 2011,
 * section 6.4). With max_dim = n the result is exact up to rounding after
 * at most n steps. Caveat of all single-vector Krylov methods: a multiple
 * eigenvalue that the breakdown rule does not reveal is found once.
 *
 * @param n      operator size, >= 0
 * @param op, ctx  the operator
 * @param which  MF_EIGH_LARGEST or MF_EIGH_SMALLEST (the algebraically
 *               largest or smallest); MF_EIGH_INTERVAL is MF_EINVAL
 * @param k      0 <= k <= n
 * @param[out] w k x 1 (or 1 x k) F64, ascending (as mf_eigh_select())
 * @param[out] V n x k F64 orthonormal Ritz vectors, or NULL
 * @return MF_OK; MF_EINVAL (n < 0, NULL op or w, bad which, k out of
 *         range, bad option); MF_EDIM; MF_EDTYPE; MF_EALIAS; MF_ECALLBACK;
 *         MF_ENONFINITE (the operator produced NaN or Inf); MF_ENOMEM;
 *         MF_ENOCONV (not converged after max_restarts); MF_EBACKEND.
 * Workspace: n (max_dim + 3) + 3 max_dim^2 doubles.
 */
MF_API mf_status mf_lanczos(int64_t n, mf_symop_fn op, void *ctx, int which, int64_t k,
                            mf_matrix *w, mf_matrix *V);

/** mf_lanczos() with options (NULL: defaults) and info (may be NULL).
 * @param n  operator size, >= 0
 * @param op, ctx  the operator
 * @param which  MF_EIGH_LARGEST or MF_EIGH_SMALLEST
 * @param k  0 <= k <= n
 * @param opts  options, or NULL for defaults
 * @param[out] w  k x 1 (or 1 x k) F64, ascending
 * @param[out] V  n x k F64 orthonormal Ritz vectors, or NULL
 * @param[out] info  what was done, or NULL
 * @return as mf_lanczos(). */
MF_API mf_status mf_lanczos_ex(int64_t n, mf_symop_fn op, void *ctx, int which, int64_t k,
                               const mf_lanczos_options *opts, mf_matrix *w, mf_matrix *V,
                               mf_lanczos_info *info);

/* ------------------------------------------------------------------ */
/* Stochastic trace estimation                                         */
/* ------------------------------------------------------------------ */

/** Trace estimators (mf_trace_options.method). */
typedef enum mf_trace_method {
    MF_TRACE_HUTCHPP = 1,    /**< Hutch++ (default) */
    MF_TRACE_HUTCHINSON = 2  /**< plain Hutchinson */
} mf_trace_method;

/** Options of mf_trace_estimate_ex(); zero fields mean defaults. */
typedef struct mf_trace_options {
    int32_t method;   /**< an mf_trace_method; 0 = MF_TRACE_HUTCHPP */
    int32_t reserved; /**< must be 0 */
    int64_t matvecs;  /**< operator products to spend; 0 = 60. Hutchinson needs >= 2,
                           Hutch++ >= 6 (a multiple of 3 uses the budget exactly) */
    uint64_t seed;    /**< probe seed; 0 = a fixed seed */
} mf_trace_options;

/** What mf_trace_estimate_ex() did. */
typedef struct mf_trace_info {
    double std_error; /**< estimated standard error of the estimate */
    int64_t matvecs;  /**< operator calls made */
    int64_t probes;   /**< Rademacher probes in the Hutchinson part */
} mf_trace_info;

/**
 * Estimate tr(H) from products with Rademacher (+-1) probes z.
 *
 * Hutchinson: the mean of z^T H z over m probes (Hutchinson 1989); the
 * standard error is the sample standard deviation over sqrt(m).
 * Hutch++ (Meyer, Musco, Musco & Woodruff, SOSA 2021, Algorithm 1): with
 * s = m/3, Q = orth(H S) for s probes S; then tr(Q^T H Q) + the Hutchinson
 * estimate of tr((I - QQ^T) H (I - QQ^T)) with s more probes. The standard
 * error is that of the Hutchinson part (the projected part is exact given
 * Q); when s >= n, Q spans everything and the trace is exact (error 0).
 *
 * @param n   operator size, >= 0 (n = 0 gives 0 without calls)
 * @param op, ctx  the operator
 * @param[out] trace the estimate
 * @param[out] std_error its standard error, or NULL
 * @return MF_OK; MF_EINVAL (n < 0, NULL op or trace, bad option, too few
 *         matvecs); MF_ECALLBACK; MF_ENONFINITE; MF_ENOMEM; MF_EBACKEND.
 * Workspace: Hutchinson 2 n doubles; Hutch++ n (2 s + 2) + O(s) doubles.
 */
MF_API mf_status mf_trace_estimate(int64_t n, mf_symop_fn op, void *ctx, double *trace,
                                   double *std_error);

/** mf_trace_estimate() with options (NULL: defaults) and info (may be NULL).
 * @param n  operator size, >= 0
 * @param op, ctx  the operator
 * @param opts  options, or NULL for defaults
 * @param[out] trace  the estimate
 * @param[out] info  what was done (including the standard error), or NULL
 * @return as mf_trace_estimate(). */
MF_API mf_status mf_trace_estimate_ex(int64_t n, mf_symop_fn op, void *ctx,
                                      const mf_trace_options *opts, double *trace,
                                      mf_trace_info *info);

/* ------------------------------------------------------------------ */
/* Stochastic Lanczos quadrature: approximate spectral density         */
/* ------------------------------------------------------------------ */

/** Options of mf_slq(); zero fields mean defaults. */
typedef struct mf_slq_options {
    int64_t probes; /**< Rademacher probes; 0 = 10 */
    int64_t steps;  /**< Lanczos steps per probe; 0 = min(n, 30) */
    uint64_t seed;  /**< probe seed; 0 = a fixed seed */
} mf_slq_options;

/**
 * Stochastic Lanczos quadrature (Ubaru, Chen & Saad, SIMAX 38(4), 2017;
 * Ghorbani, Krishnan & Xiao, ICML 2019): for each probe z (Rademacher,
 * normalized), m = steps Lanczos steps with full reorthogonalization give
 * a tridiagonal T = S diag(theta) S^T; its Gauss quadrature nodes theta_i
 * with weights tau_i = S_1i^2 / probes approximate the spectral measure
 * (1/n) sum_j delta(t - lambda_j) of H. Sum of the weights is 1, and
 * n sum tau_i f(theta_i) estimates tr f(H).
 *
 * The outputs have probes * steps entries, probe by probe. If a probe's
 * Krylov space is invariant before m steps (exact for it), its remaining
 * entries get node 0 and weight 0; *count (may be NULL) receives the
 * number of entries that are quadrature nodes (the padded ones excluded).
 *
 * @param n        operator size, >= 1
 * @param op, ctx  the operator
 * @param opts     options, or NULL for defaults
 * @param[out] nodes    (probes steps) x 1 F64
 * @param[out] weights  (probes steps) x 1 F64
 * @param[out] count  number of quadrature nodes, or NULL
 * @return MF_OK; MF_EINVAL (n < 1, NULL, bad option, steps > n); MF_EDIM;
 *         MF_EDTYPE; MF_EALIAS; MF_ECALLBACK; MF_ENONFINITE; MF_ENOMEM;
 *         MF_EBACKEND.
 * Workspace: n (steps + 2) + 2 steps^2 doubles.
 */
MF_API mf_status mf_slq(int64_t n, mf_symop_fn op, void *ctx, const mf_slq_options *opts,
                        mf_matrix *nodes, mf_matrix *weights, int64_t *count);

/**
 * Smooth quadrature nodes and weights (from mf_slq()) into a density on a
 * grid: density(t) = sum_i w_i exp(-(t - theta_i)^2 / (2 sigma^2)) /
 * (sigma sqrt(2 pi)) (Ghorbani et al. 2019, section 3.1).
 *
 * @param nodes, weights  vectors of one length, finite
 * @param sigma  Gaussian width, finite and > 0
 * @param grid   points t, a vector, finite
 * @param[out] density  a vector of the grid's length; may exactly alias grid
 * @return MF_OK, MF_EINVAL, MF_EDIM, MF_EDTYPE, MF_ENONFINITE, MF_EALIAS,
 *         MF_EOVERFLOW (a density value beyond the double range, e.g. at a
 *         node with a subnormal sigma; density untouched; values that
 *         underflow are 0), MF_ENOMEM.
 */
MF_API mf_status mf_slq_density(const mf_matrix *nodes, const mf_matrix *weights, double sigma,
                                const mf_matrix *grid, mf_matrix *density);

#ifdef __cplusplus
}
#endif

#endif /* MATFUN_HESSIAN_H */
