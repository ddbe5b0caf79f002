/*
 * Shared pieces of the Sylvester/Lyapunov solvers (src/kron/sylvester.c),
 * used by kron_solve.c and stein.c. The public functions validate their
 * arguments with the mf__check_* functions here before any of the others
 * is called.
 */
#ifndef MF_KRON_SYLVESTER_INTERNAL_H
#define MF_KRON_SYLVESTER_INTERNAL_H

#include "mfcomplex.h"

#include "internal.h"

/* A Schur form M = Z T Z^H in column-major workspace (ld = n), with the
 * eigenvalues as complex numbers whatever the arithmetic. */
typedef struct mf__schur {
    double *t;         /* n x n: quasi-triangular (F64) or triangular (C128) */
    double *z;         /* n x n unitary Schur vectors */
    double _Complex *w;/* n eigenvalues, in the order of T's diagonal */
    int n;
    int32_t dt;
} mf__schur;

/* Schur form of M in arithmetic dt by ?gees (MF_ENOCONV if QR fails). */
mf_status mf__schur_compute(const char *fn, const char *arg, const mf_matrix *M, int32_t dt,
                            mf__schur *s);
void mf__schur_release(mf__schur *s);

/* Arguments of a solve (A, B, C) -> X coupling square A and B through C,
 * checked in the order every such public function reports errors: inputs,
 * squareness, C's shape, X, dtypes, aliasing, LAPACK range, finiteness
 * last. C (and X) is A's order x B's order for A X + X B = C; with
 * c_b_by_a, B's order x A's order, for (A ⊗ B) vec(X) = vec(C) and
 * (A ⊕ B) vec(X) = vec(C), whose messages say so. */
mf_status mf__check_coupled_solve_args(const char *fn, const mf_matrix *A, const mf_matrix *B,
                                       const mf_matrix *C, mf_matrix *X, bool c_b_by_a);

/* Arguments of the continuous (A X + X A^H = Q) and discrete
 * (A X A^H - X + Q = 0) Lyapunov equations: A square, Q and X of its
 * shape, X complex when an input is, exact aliasing only, finite inputs. */
mf_status mf__check_lyapunov_args(const char *fn, const mf_matrix *A, const mf_matrix *Q,
                                  mf_matrix *X);

/* Solve A X + X B = C (all validated, X of C's shape with a suitable
 * dtype). `pair` names the matrices whose eigenvalues must not sum to zero
 * in messages (for example "A and -B"). */
mf_status mf__sylvester_solve(const char *fn, const char *pair, const mf_matrix *A,
                              const mf_matrix *B, const mf_matrix *C, mf_matrix *X);

/* y = op(a) b op(c) for column-major a (m x m), b (m x n), c (n x n) in
 * arithmetic dt, op the identity or the conjugate transpose; tmp is m x n
 * scratch. Moves a right-hand side into Schur bases and a solution back. */
void mf__similarity(int32_t dt, int m, int n, const double *a, bool a_adjoint, const double *b,
                    const double *c, bool c_adjoint, double *tmp, double *y);

/* y <- (y + y^H) / 2 for an n x n column-major workspace matrix. */
void mf__symmetrize(int32_t dt, int n, double *y);

#endif /* MF_KRON_SYLVESTER_INTERNAL_H */
