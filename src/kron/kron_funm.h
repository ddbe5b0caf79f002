/*
 * Private interface between the drivers of f(A ⊗ B) and f(A ⊕ B)
 * (kron_funm.c: validation, the factors' decompositions, the choice of
 * route) and the evaluation of the three routes (kron_funm_eval.c).
 *
 * K = A ∘ B with ∘ = ⊗ (product) or ⊕ (sum). From Schur forms
 * A = Qa Ta Qa^H and B = Qb Tb Qb^H,
 *
 *     K = (Qa ⊗ Qb) (Ta ∘ Tb) (Qa ⊗ Qb)^H,
 *
 * and Ta ∘ Tb is upper triangular in the index order i p + k. Its diagonal
 * holds λ_i ∘ μ_k (λ_i μ_k or λ_i + μ_k). The routes:
 *
 *   EIGEN   both factors normal (T diagonal): f(K) = (Qa ⊗ Qb)
 *           diag(f(λ_i ∘ μ_k)) (Qa ⊗ Qb)^H, one callback call on the m p
 *           combined eigenvalues and GEMMs of factor size.
 *   BLOCKS  only one factor normal, taken as the outer one (o, with
 *           eigenvalues λ_j): (Qo ⊗ Qi)(Λ ∘ Ti)(Qo ⊗ Qi)^H has the
 *           block-diagonal middle factor diag_j(λ_j ∘ Ti), so
 *           f(K) = (Qo ⊗ I) diag_j(H_j) (Qo ⊗ I)^H with
 *           H_j = f(λ_j ∘ Inner) = Qi f(λ_j ∘ Ti) Qi^H: one Schur-Parlett
 *           evaluation of order n_i per eigenvalue of the outer factor.
 *   SCHUR   neither normal: Schur-Parlett on the (m p) x (m p) triangular
 *           Ta ∘ Tb with Schur vectors Qa ⊗ Qb, which skips the Schur
 *           decomposition of the big matrix (its dominant cost).
 *
 * When the outer factor is B ("swapped"), A ∘ B = P (B ∘ A) P^T with the
 * perfect shuffle P vec(X) = vec(X^T): the routes then work on B ∘ A, with
 * X's blocks transposed and F's blocks scattered with strides.
 */
#ifndef MF_KRON_FUNM_H
#define MF_KRON_FUNM_H

#include <stdbool.h>
#include <stdint.h>

#include "funcs/funm_internal.h"

typedef mf__zdouble zdouble;

/* The combination of eigenvalues: λ μ for A ⊗ B, λ + μ for A ⊕ B. */
typedef enum mf__kf_op { MF__KF_PRODUCT, MF__KF_SUM } mf__kf_op;

/* A factor M = Q T Q^H (both n x n, complex, leading dimension n). For a
 * normal factor T is diagonal to working precision and only its diagonal
 * (the eigenvalues) is used; Q then holds eigenvectors. */
typedef struct mf__kf_factor {
    int64_t n;
    zdouble *q, *t;
    bool normal;
} mf__kf_factor;

typedef enum mf__kf_route { MF__KF_EIGEN, MF__KF_BLOCKS, MF__KF_SCHUR } mf__kf_route;

typedef struct mf__kf_plan {
    mf__funm_callback cb;
    mf__kf_op op;
    mf__kf_route route;
    const mf__kf_factor *outer, *inner; /* K' = outer ∘ inner */
    bool swapped;                       /* outer is B: K' = P K P^T */
    const char *what;                   /* "f(A ⊗ B)" or "f(A ⊕ B)", for messages */
} mf__kf_plan;

/* The route chosen by this thread's last call that got as far as choosing
 * one (for tests and benchmarks). */
extern _Thread_local mf__kf_route mf__kf_last_route;

/* F = f(K) (F validated, (m p) x (m p), not empty): computed in workspace,
 * checked (MF_EOVERFLOW, and MF_ENOTREAL for an F64 F, as mf_funm), then
 * written. */
mf_status mf__kf_formed(const mf__kf_plan *pl, mf_matrix *F);

/* vec(Y_k) = f(K) vec(X_k) for the r = X->cols / m blocks X_k (p x m) of X
 * (validated, not empty); Y written only on success. */
mf_status mf__kf_applied(const mf__kf_plan *pl, const mf_matrix *X, mf_matrix *Y);

#endif /* MF_KRON_FUNM_H */
