/*
 * Private pieces of mf_funm shared between its driver (funm.c) and the
 * triangular phase (funm_triangular.c).
 */
#ifndef MF_FUNCS_FUNM_INTERNAL_H
#define MF_FUNCS_FUNM_INTERNAL_H

#include <stdint.h>

#include "internal.h"
#include "mfcomplex.h"

/* The user's scalar function with the name of the public caller, for
 * error messages. */
typedef struct mf__funm_callback {
    const char *fn;
    mf_scalar_fn f;
    void *ctx;
} mf__funm_callback;

/* Evaluate f^(order) at npts points z into out: MF_ECALLBACK if f returns
 * nonzero, MF_EDOMAIN if a value is NaN or Inf. */
mf_status mf__funm_eval(const mf__funm_callback *cb, int64_t npts, const mf__zdouble *z,
                        int order, mf__zdouble *out);

/* Time spent in each phase, filled when non-NULL (for benchmarks). */
typedef struct mf__funm_timing {
    double schur, reorder, atomic, parlett, back;
} mf__funm_timing;
/* When set (benchmarks only), mf_funm calls on this thread record their
 * phase times here. */
extern _Thread_local mf__funm_timing *mf__funm_timing_sink;

/*
 * F = f(T) for the n x n complex upper triangular T (leading dimension ld)
 * whose diagonal is split into nb contiguous atomic blocks
 * starts[0] = 0 < starts[1] < ... < starts[nb] = n, eigenvalues of
 * different blocks separated by more than the blocking delta. F (leading
 * dimension ld) receives the upper triangle; its strictly lower triangle is
 * zeroed. atomic_seconds and parlett_seconds (may be NULL) receive timings.
 */
mf_status mf__funm_triangular(const mf__funm_callback *cb, int64_t n, const mf__zdouble *t,
                              mf__zdouble *f, int64_t ld, const int64_t *starts, int64_t nb,
                              double *atomic_seconds, double *parlett_seconds);

/*
 * The phases of mf_funm, shared with the Kronecker functions (src/kron),
 * which build the Schur form of A ⊗ B or A ⊕ B from those of the factors.
 */

/* Complex Schur form A = Z T Z^H of a validated square A (n >= 1) into new
 * workspace t, z (n x n, leading dimension n; the caller frees both, also on
 * failure). A real A is factored by dgees and its 2 x 2 blocks
 * triangularized. MF_ENOMEM, MF_ENOCONV. */
mf_status mf__funm_complex_schur(const char *fn, const mf_matrix *A, mf__zdouble **t,
                                 mf__zdouble **z);

/* Steps 2-3 of DH03 Algorithm 5.1 on a complex Schur form A = Z T Z^H
 * (n >= 1, leading dimension n): cluster the eigenvalues (delta = 0.1) and
 * reorder T and Z in place so that clusters are contiguous, then
 * ft = f(T) (upper triangular; strictly lower part zeroed). tm receives the
 * reorder, atomic and Parlett times. */
mf_status mf__funm_schur_parlett(const mf__funm_callback *cb, int64_t n, mf__zdouble *t,
                                 mf__zdouble *z, mf__zdouble *ft, mf__funm_timing *tm);

/* g = Z F Z^H for upper triangular F, all n x n with leading dimension n;
 * w is n x n scratch. g may be f (w must then be distinct). */
void mf__funm_back_transform(int64_t n, const mf__zdouble *z, const mf__zdouble *f,
                             mf__zdouble *w, mf__zdouble *g);

/* A real result (F64 output) must satisfy ||Im F||_F <= MF_FUNM_REAL_TOL
 * ||F||_F: sqrt(u). A real A and an f with f(conj z) = conj f(z) give an
 * exactly real f(A) whose computed imaginary part is rounding error, of
 * order cond(f, A) u; a genuinely complex result (f not real on real
 * arguments, or log/sqrt of a real A with a negative eigenvalue) has an
 * imaginary part of the size of its real part. sqrt(u) separates the two
 * cases without refusing ill-conditioned real results. */
#define MF_FUNM_REAL_TOL 0x1p-26

/* The computed n x n result g named `what` in messages: MF_EOVERFLOW if not
 * finite; with want_real, MF_ENOTREAL unless ||Im g||_F <= MF_FUNM_REAL_TOL
 * ||g||_F. */
mf_status mf__funm_check_result(const char *fn, const char *what, int64_t n, const mf__zdouble *g,
                                bool want_real);

/* Monotonic clock in seconds. */
double mf__funm_now(void);

#endif /* MF_FUNCS_FUNM_INTERNAL_H */
