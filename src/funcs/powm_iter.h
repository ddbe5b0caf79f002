/*
 * Private: the GEMM-rich path of mf_powm for p = +-1/q (powm_iter.c) and
 * its test hooks.
 */
#ifndef MF_FUNCS_POWM_ITER_H
#define MF_FUNCS_POWM_ITER_H

#include <stdbool.h>

#include "internal.h"

/*
 * Try the coupled Newton iteration for A^(+-1/q) on the validated,
 * non-Hermitian, finite square A (n >= 1). On success X is written and
 * *done is set. MF_OK with *done false means the path declined A (or p) or
 * its result failed a check: nothing was written and the caller must take
 * the Schur route. Other statuses (MF_ENOMEM, MF_EBACKEND) are failures of
 * the call.
 */
mf_status mf__powm_iterative(const char *fn, const mf_matrix *A, double p, mf_matrix *X,
                             bool *done);

/* What the last mf__powm_iterative call on this thread did. */
typedef enum mf__powm_iter_outcome {
    MF__POWM_ITER_NOT_RUN = 0,     /* not called (other p, Hermitian input, bad arguments) */
    MF__POWM_ITER_OTHER_P,         /* declined: p is not +-1/q with 2 <= q <= POW_ITER_MAX_Q */
    MF__POWM_ITER_SMALL,           /* declined: n below the size threshold */
    MF__POWM_ITER_NOT_DEFINITE,    /* declined: (A + A^H)/2 not positive definite */
    MF__POWM_ITER_NO_CONVERGENCE,  /* fell back: too many steps, or a non-finite iterate */
    MF__POWM_ITER_RESIDUAL,        /* fell back: residual above the acceptance bound */
    MF__POWM_ITER_BRANCH,          /* fell back: principal branch not proven */
    MF__POWM_ITER_ACCEPTED         /* the iteration's result was returned */
} mf__powm_iter_outcome;
mf__powm_iter_outcome mf__powm_iter_last(void);

/* Test hook (thread-local; library code never changes it): AUTO applies the
 * documented rule; NEVER skips the iteration (the Schur route only);
 * ALWAYS drops the size threshold (every other test stays: they are what
 * makes the result the principal root, as accurate as the Schur route's). */
typedef enum mf__powm_iter_mode {
    MF__POWM_ITER_AUTO = 0,
    MF__POWM_ITER_NEVER = 1,
    MF__POWM_ITER_ALWAYS = 2
} mf__powm_iter_mode;
void mf__powm_iter_set_mode(mf__powm_iter_mode mode);

#endif /* MF_FUNCS_POWM_ITER_H */
