/*
 * Private: what the last mf_signm call on this thread did, for tests and
 * benchmarks (signm.c). Library code never reads it.
 */
#ifndef MF_FUNCS_SIGNM_INFO_H
#define MF_FUNCS_SIGNM_INFO_H

#include <stdbool.h>

typedef struct mf__signm_info {
    int newton_steps;         /* each one LU inversion */
    int newton_schulz_steps;  /* each two GEMMs */
    bool eigenvalues_checked; /* the domain certificate failed: the Hessenberg QR ran */
    double log2_growth;       /* log2 of the certificate's growth bound at the switch */
} mf__signm_info;

/* Zeros for the Hermitian path, argument errors and n = 0. */
mf__signm_info mf__signm_last(void);

#endif /* MF_FUNCS_SIGNM_INFO_H */
