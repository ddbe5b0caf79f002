/*
 * Private to mf_signm (signm.c, signm_schur.c): the Schur method, and what
 * the last call on this thread did, for tests and benchmarks.
 */
#ifndef MF_FUNCS_SIGNM_H
#define MF_FUNCS_SIGNM_H

#include <stdbool.h>

#include "internal.h"

/* The Schur method for the validated, non-Hermitian, finite square A
 * (n >= 1): sign(A) into the n x n column-major s, in A's dtype.
 * MF_EDOMAIN (see signm_schur.c), MF_ENOCONV (Schur QR iteration),
 * MF_ENOMEM, MF_EBACKEND. */
mf_status mf__signm_schur(const char *fn, const mf_matrix *A, double *s);

typedef struct mf__signm_info {
    int newton_steps;         /* each one LU inversion */
    int newton_schulz_steps;  /* each two GEMMs */
    bool eigenvalues_checked; /* the domain certificate failed: the Hessenberg QR ran */
    bool schur_method;        /* an iterate had kappa_1 > SIGN_NEWTON_MAX_COND: the Schur
                               * method gave the result */
    double log2_growth;       /* log2 of the certificate's growth bound */
} mf__signm_info;

/* Zeros for the Hermitian path, argument errors and n = 0. Library code
 * never reads it. */
mf__signm_info mf__signm_last(void);

/* Test and benchmark hook (thread-local; library code never changes it):
 * AUTO applies the kappa_1 rule; NEWTON keeps the Newton iteration whatever
 * the conditioning of its iterates (A singular to working precision is
 * still refused); SCHUR uses the Schur method for every non-Hermitian A. */
typedef enum mf__signm_route {
    MF__SIGNM_AUTO = 0,
    MF__SIGNM_NEWTON = 1,
    MF__SIGNM_SCHUR = 2
} mf__signm_route;
void mf__signm_set_route(mf__signm_route route);

#endif /* MF_FUNCS_SIGNM_H */
