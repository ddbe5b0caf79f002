/*
 * Private: the GEMM-rich square root path of mf_sqrtm (sqrtm_iter.c) and
 * its test hooks.
 */
#ifndef MF_FUNCS_SQRTM_ITER_H
#define MF_FUNCS_SQRTM_ITER_H

#include <stdbool.h>

#include "internal.h"

/*
 * Try the scaled product-form Denman-Beavers / Newton-Schulz iteration on
 * the validated, non-Hermitian, finite square A (n >= 1). On success S is
 * written and *done is set. MF_OK with *done false means the path declined
 * A or its result failed the accuracy check: nothing was written and the
 * caller must take the Schur route. Other statuses (MF_ENOMEM,
 * MF_EBACKEND) are failures of the call.
 */
mf_status mf__sqrtm_iterative(const char *fn, const mf_matrix *A, mf_matrix *S, bool *done);

/* What the last mf__sqrtm_iterative call on this thread did. */
typedef enum mf__sqrtm_iter_outcome {
    MF__SQRTM_ITER_NOT_RUN = 0,     /* not called (Hermitian input, bad arguments) */
    MF__SQRTM_ITER_SMALL,           /* declined: n below the size threshold */
    MF__SQRTM_ITER_NOT_DEFINITE,    /* declined: (A + A^H)/2 not positive definite */
    MF__SQRTM_ITER_ILL_CONDITIONED, /* declined after the first LU: kappa_1(A) too large */
    MF__SQRTM_ITER_NO_CONVERGENCE,  /* fell back: too many steps, singular or overflowing iterate */
    MF__SQRTM_ITER_RESIDUAL,        /* fell back: ||S^2 - A|| above the acceptance bound */
    MF__SQRTM_ITER_ACCEPTED         /* the iteration's result was returned */
} mf__sqrtm_iter_outcome;
mf__sqrtm_iter_outcome mf__sqrtm_iter_last(void);

/* Test hook (thread-local; library code never changes it): AUTO applies the
 * documented rule; NEVER skips the iteration (the Schur route only);
 * ALWAYS runs it whatever the size and screening say, so that its fallback
 * paths can be exercised on small and unsuitable matrices. */
typedef enum mf__sqrtm_iter_mode {
    MF__SQRTM_ITER_AUTO = 0,
    MF__SQRTM_ITER_NEVER = 1,
    MF__SQRTM_ITER_ALWAYS = 2
} mf__sqrtm_iter_mode;
void mf__sqrtm_iter_set_mode(mf__sqrtm_iter_mode mode);

#endif /* MF_FUNCS_SQRTM_ITER_H */
