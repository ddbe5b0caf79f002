/*
 * GEMM-rich principal roots A^(1/q) and inverse roots A^(-1/q) for
 * well-conditioned matrices: mf_powm tries it first for p = +-1/q and takes
 * the Schur-Pade route whenever it declines or a check fails, so the
 * statuses of mf_powm, and its accuracy, are those of the Schur route.
 *
 * Rule (cheap tests, in this order; every threshold is a #define below):
 *  1. p = +-1/q exactly, 2 <= q <= POW_ITER_MAX_Q (p = 1/2 never gets here:
 *     mf_powm hands it to mf_sqrtm, which has its own iteration);
 *  2. n >= POW_ITER_MIN_N: below it the Schur method is cheap anyway;
 *  3. H = (A + A^H)/2 is positive definite (?potrf on a copy, n^3/3 flops).
 *     Then the field of values, hence every eigenvalue lambda, lies in the
 *     open right half-plane: the principal root exists (real for real A, so
 *     real arithmetic suffices), its eigenvalues have |arg| < pi/(2q), and
 *     every other q-th root of those eigenvalues has |arg| > 3pi/(2q).
 *
 * Iteration: the coupled Newton iteration for the inverse q-th root (Guo &
 * Higham, A Schur-Newton method for the matrix pth root and its inverse,
 * SIMAX 28(3), 2006, section 3; stable where the uncoupled Newton iteration
 * is not, Iannazzo, SIMAX 28(2), 2006), with X_0 = I / c, M_0 = A / c^q:
 *     T_k = ((q + 1) I - M_k) / q,   X_{k+1} = X_k T_k,   M_{k+1} = T_k^q M_k,
 * so that M_k = X_k^q A, M_k -> I and X_k -> A^(-1/q), one GEMM for X and
 * floor(log2 q) + popcount(q) for M a step, no inversion. Guo & Higham prove
 * quadratic convergence when every eigenvalue of A lies in a wedge-shaped
 * convex set containing the disc |z - c^q| < c^q; we take c^q = Re trace(A)
 * / n, the mean real part of the eigenvalues (positive by rule 3), which
 * centres that disc on the spectrum. Since I - M_{k+1} = P(I - M_k) for the
 * polynomial P(e) = 1 - (1 - e)(1 + e/q)^q, whose coefficients are all
 * non-negative (e^2 (q+1)/(2q) + ...), ||I - M_{k+1}||_1 <= P(||I - M_k||_1)
 * exactly: once ||I - M||_1 <= 1/2 the iteration contracts, and it stops
 * when that bound predicts a defect below u (the last M is not formed).
 * A^(1/q) is then X^(q-1) A.
 *
 * Acceptance of the result Y (= X or X^(q-1) A), all required:
 *  - the iteration reached ||I - M||_1 <= 1/2 within POW_ITER_MAX_STEPS
 *    steps and then converged, with every iterate finite;
 *  - residual: ||Y^q - A||_1 <= POW_ITER_RESIDUAL n u ||Y||_1^q (root) or
 *    ||Y^q A - I||_1 <= POW_ITER_RESIDUAL n u ||Y||_1^q ||A||_1 (inverse
 *    root), the backward error of the Schur method's result; Y is then the
 *    q-th root of a matrix as close to A as that method's;
 *  - principal branch: every iterate is a polynomial in A, so Y = f(A) for
 *    a choice of one q-th root per eigenvalue, and Y is the principal root
 *    iff its eigenvalues lie in |arg z| < pi/(2q) rather than beyond
 *    3pi/(2q) (rule 3). We prove it by showing that the field of values of
 *    Y lies in the sector |arg z| < alpha, alpha = pi/2 for q = 2 and pi/q
 *    otherwise: the Hermitian parts of e^(+-i(pi/2 - alpha)) Y are positive
 *    definite (?potrf; one test for q = 2 or a real Y, whose two rotated
 *    parts are complex conjugates).
 * Otherwise the Schur-Pade route runs.
 */
#include "mfcomplex.h"
#include <math.h>
#include <string.h>

#include <lapacke.h>

#include "funcs/iteration.h"
#include "funcs/logm_iss.h"
#include "funcs/powm_iter.h"

/* Size threshold, as for the square root iteration (sqrtm_iter.c): below
 * it the gain over the Schur route is microseconds. */
#define POW_ITER_MIN_N 16
/* Largest q: the M update costs floor(log2 q) + popcount(q) GEMMs. */
#define POW_ITER_MAX_Q 8
/* Steps allowed to bring ||I - M||_1 down to POW_ITER_THETA: with c^q the
 * mean eigenvalue real part, the shifted Gaussian bench input (n = 512) and
 * the tests' matrices took 5 to 8 steps in all; an eigenvalue at 1/1000 of
 * that mean needs about 8 more (M's small eigenvalues grow by about
 * ((q+1)/q)^q >= 2.25 a step), one at 1e-8 of it more than allowed. */
#define POW_ITER_MAX_STEPS 16
/* Steps allowed after that: quadratic convergence from 1/2 takes at most 6. */
#define POW_ITER_FINISH_STEPS 8
#define POW_ITER_THETA 0.5
/* Acceptance bound on the residual in units of n u ||Y||_1^q (see above).
 * Measured on shifted Gaussian matrices, q = 2..8, roots and inverse roots:
 * the Schur-Pade route gave 0.004-0.7 at n = 200-256 and 0.5-7.1 at n = 40,
 * the iteration 0.001-0.15 and 0.08-3.5 on the same matrices (below the
 * Schur route's on every one). */
#define POW_ITER_RESIDUAL 8.0

static _Thread_local mf__powm_iter_mode mode = MF__POWM_ITER_AUTO;
static _Thread_local mf__powm_iter_outcome last_outcome = MF__POWM_ITER_NOT_RUN;

void mf__powm_iter_set_mode(mf__powm_iter_mode m) { mode = m; }
mf__powm_iter_outcome mf__powm_iter_last(void) { return last_outcome; }

typedef struct pow_iter {
    const char *fn;
    int32_t dt;
    int64_t n;
    int q;
    double *x, *m, *t, *v, *w; /* X_k, M_k, T_k, two GEMM scratch buffers */
    double *h;                 /* n x n complex: Hermitian parts for ?potrf */
    double e;                  /* ||I - M_k||_1 */
    int steps;
} pow_iter;

/* q if p = +-1/q exactly with 2 <= q <= POW_ITER_MAX_Q, else 0. */
static int root_index(double p) {
    const double inv = 1.0 / fabs(p);
    if (!(inv >= 1.5 && inv < POW_ITER_MAX_Q + 0.5))
        return 0;
    const int q = (int)lround(inv);
    return fabs(p) == 1.0 / q ? q : 0;
}

static size_t bytes(const pow_iter *it) { return (size_t)(it->n * it->n) * mf__elem_size(it->dt); }

static void swap(double **a, double **b) {
    double *t = *a;
    *a = *b;
    *b = t;
}

/*
 * Is (e^(i theta) Y + e^(-i theta) Y^H) / 2 positive definite (?potrf on
 * its lower triangle in it->h)? Real arithmetic for real Y and theta = 0;
 * then W(Y) lies in the open right half-plane.
 */
static mf_status rotated_part_definite(pow_iter *it, const double *y, double theta,
                                       bool *definite) {
    const int64_t n = it->n;
    const int ni = (int)n;
    const bool real = it->dt == MF_F64 && theta == 0.0;
    const mf__zdouble rot = CMPLX(cos(theta), sin(theta));
    for (int64_t j = 0; j < n; j++)
        for (int64_t i = j; i < n; i++) {
            if (real) {
                it->h[i + j * n] = 0.5 * (y[i + j * n] + y[j + i * n]);
                continue;
            }
            const mf__zdouble yij = it->dt == MF_C128 ? ((const mf__zdouble *)y)[i + j * n]
                                                       : y[i + j * n];
            const mf__zdouble yji = it->dt == MF_C128 ? ((const mf__zdouble *)y)[j + i * n]
                                                       : y[j + i * n];
            ((mf__zdouble *)it->h)[i + j * n] = 0.5 * (rot * yij + conj(rot * yji));
        }
    const int info = real ? LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, 'L', ni, it->h, ni)
                          : LAPACKE_zpotrf_work(LAPACK_COL_MAJOR, 'L', ni,
                                                (lapack_complex_double *)it->h, ni);
    const mf_status st = mf__lapack_info(it->fn, real ? "dpotrf" : "zpotrf", info);
    *definite = st == MF_OK && info == 0;
    return st;
}

/* Principal branch (see the header comment): W(Y) in |arg z| < alpha. */
static mf_status principal_branch(pow_iter *it, const double *y, bool *principal) {
    const double theta = it->q == 2 ? 0.0 : 0.5 * MF__PI - MF__PI / it->q;
    mf_status st = rotated_part_definite(it, y, theta, principal);
    if (st == MF_OK && *principal && theta != 0.0 && it->dt == MF_C128)
        st = rotated_part_definite(it, y, -theta, principal);
    return st;
}

/* out = b^k (k >= 1) by binary powering; b is destroyed, s is scratch;
 * out, b and s are distinct. */
static void power(pow_iter *it, int k, double *b, double *out, double *s) {
    bool have = false;
    for (;;) {
        if (k & 1) {
            if (have) {
                mf__iter_gemm(it->dt, it->n, 1.0, out, b, 0.0, s);
                memcpy(out, s, bytes(it));
            } else {
                memcpy(out, b, bytes(it));
                have = true;
            }
        }
        k >>= 1;
        if (k == 0)
            return;
        mf__iter_gemm(it->dt, it->n, 1.0, b, b, 0.0, s);
        memcpy(b, s, bytes(it));
    }
}

/* ||I - M||_1 in one pass over M. */
static double defect(const pow_iter *it) {
    const int64_t n = it->n;
    double best = 0.0;
    for (int64_t j = 0; j < n; j++) {
        double sum = 0.0;
        for (int64_t i = 0; i < n; i++) {
            const double delta = i == j ? 1.0 : 0.0;
            sum += it->dt == MF_C128 ? cabs(delta - ((const mf__zdouble *)it->m)[i + j * n])
                                     : fabs(delta - it->m[i + j * n]);
        }
        best = sum > best ? sum : best;
    }
    return best;
}

/* The exact bound P(e) on the next defect (coefficients all >= 0). */
static double next_defect_bound(int q, double e) { return 1.0 - (1.0 - e) * pow(1.0 + e / q, q); }

/* One step. *converged once the predicted defect is below u, or once the
 * measured one stops halving in the contracting phase (rounding level). */
static void step(pow_iter *it, bool *converged) {
    const int64_t n = it->n;
    const double e = it->e;
    memcpy(it->t, it->m, bytes(it));
    mf__iter_scale_shift(it->dt, n, -1.0 / it->q, (it->q + 1.0) / it->q, it->t);
    mf__iter_gemm(it->dt, n, 1.0, it->x, it->t, 0.0, it->w);
    swap(&it->x, &it->w);
    it->steps++;
    if (next_defect_bound(it->q, e) <= MF_U64) {
        *converged = true;
        return;
    }
    power(it, it->q, it->t, it->v, it->w);
    mf__iter_gemm(it->dt, n, 1.0, it->v, it->m, 0.0, it->w);
    swap(&it->m, &it->w);
    it->e = defect(it);
    *converged = e <= POW_ITER_THETA && !(it->e <= 0.5 * e);
}

/* Run the iteration to X ~ A^(-1/q); false if it did not converge. */
static bool iterate(pow_iter *it) {
    bool converged = false;
    int approach = 0, finish = 0;
    while (!converged) {
        if (!isfinite(it->e))
            return false;
        if (it->e > POW_ITER_THETA) {
            /* still approaching (a rise after contraction means trouble) */
            if (finish > 0 || approach == POW_ITER_MAX_STEPS)
                return false;
            approach++;
        } else if (finish++ == POW_ITER_FINISH_STEPS) {
            return false;
        }
        step(it, &converged);
    }
    return mf__iter_finite(it->dt, it->n, it->x);
}

/* The result into it->x: X (inverse root) or X^(q-1) A (root). */
static void form_result(pow_iter *it, const mf_matrix *A, bool inverse) {
    if (inverse)
        return;
    mf__pack(A, it->m, it->n, it->dt);
    if (it->q > 2) {
        memcpy(it->t, it->x, bytes(it));
        power(it, it->q - 1, it->t, it->v, it->w);
    } else {
        memcpy(it->v, it->x, bytes(it));
    }
    mf__iter_gemm(it->dt, it->n, 1.0, it->v, it->m, 0.0, it->x);
}

/* The residual test of the header comment on Y = it->x. */
static bool residual_acceptable(pow_iter *it, const mf_matrix *A, bool inverse) {
    const int64_t n = it->n;
    memcpy(it->t, it->x, bytes(it));
    power(it, it->q, it->t, it->v, it->w); /* v = Y^q */
    mf__pack(A, it->m, n, it->dt);
    double scale = 1.0;
    if (inverse) {
        mf__iter_gemm(it->dt, n, 1.0, it->v, it->m, 0.0, it->w);
        mf__iter_scale_shift(it->dt, n, 1.0, -1.0, it->w);
        scale = mf__iter_norm1(it->dt, n, it->m);
    } else {
        const int64_t len = (it->dt == MF_C128 ? 2 : 1) * n * n;
        for (int64_t k = 0; k < len; k++)
            it->w[k] = it->v[k] - it->m[k];
    }
    const double bound = POW_ITER_RESIDUAL * (double)n * MF_U64 *
                         pow(mf__iter_norm1(it->dt, n, it->x), it->q) * scale;
    return isfinite(bound) && mf__iter_norm1(it->dt, n, it->w) <= bound;
}

static void pow_iter_free(pow_iter *it) {
    mf__free(it->h);
    mf__free(it->w);
    mf__free(it->v);
    mf__free(it->t);
    mf__free(it->m);
    mf__free(it->x);
}

static mf_status pow_iter_init(const char *fn, const mf_matrix *A, int q, pow_iter *it) {
    const int64_t n = A->rows;
    memset(it, 0, sizeof *it);
    it->fn = fn;
    it->dt = A->dtype; /* real arithmetic for real A: rule 3 makes the root real */
    it->n = n;
    it->q = q;
    it->e = INFINITY;
    it->x = mf__alloc_array(n * n, mf__elem_size(it->dt));
    it->m = mf__packed_copy(A, it->dt);
    it->t = mf__alloc_array(n * n, mf__elem_size(it->dt));
    it->v = mf__alloc_array(n * n, mf__elem_size(it->dt));
    it->w = mf__alloc_array(n * n, mf__elem_size(it->dt));
    it->h = mf__alloc_array(n * n, 2 * sizeof(double));
    if (it->x == NULL || it->m == NULL || it->t == NULL || it->v == NULL || it->w == NULL ||
        it->h == NULL)
        return mf__fail(MF_ENOMEM, fn, "cannot allocate iteration workspace (n = %lld)",
                        (long long)n);
    return MF_OK;
}

/* X_0 = I / c, M_0 = A / c^q with c^q the mean real part of the eigenvalues
 * (positive: it is the mean eigenvalue of the definite Hermitian part). */
static void start(pow_iter *it) {
    const int64_t n = it->n, parts = it->dt == MF_C128 ? 2 : 1;
    double trace = 0.0;
    for (int64_t i = 0; i < n; i++)
        trace += it->m[parts * (i + i * n)];
    const double r = trace / (double)n;
    memset(it->x, 0, bytes(it));
    mf__iter_scale_shift(it->dt, n, 1.0, pow(r, -1.0 / it->q), it->x);
    mf__iter_scale_shift(it->dt, n, 1.0 / r, 0.0, it->m);
    it->e = defect(it);
}

/* Screening, iteration and checks; *outcome says which ended it. */
static mf_status attempt(pow_iter *it, const mf_matrix *A, bool inverse,
                         mf__powm_iter_outcome *outcome) {
    bool definite = false;
    mf_status st = rotated_part_definite(it, it->m, 0.0, &definite);
    if (st != MF_OK || !definite) {
        *outcome = MF__POWM_ITER_NOT_DEFINITE;
        return st;
    }
    start(it);
    if (!iterate(it)) {
        *outcome = MF__POWM_ITER_NO_CONVERGENCE;
        return MF_OK;
    }
    form_result(it, A, inverse);
    if (!mf__iter_finite(it->dt, it->n, it->x)) {
        *outcome = MF__POWM_ITER_NO_CONVERGENCE;
        return MF_OK;
    }
    if (!residual_acceptable(it, A, inverse)) {
        *outcome = MF__POWM_ITER_RESIDUAL;
        return MF_OK;
    }
    bool principal = false;
    st = principal_branch(it, it->x, &principal);
    *outcome = principal ? MF__POWM_ITER_ACCEPTED : MF__POWM_ITER_BRANCH;
    return st;
}

mf_status mf__powm_iterative(const char *fn, const mf_matrix *A, double p, mf_matrix *X,
                             bool *done) {
    *done = false;
    last_outcome = MF__POWM_ITER_NOT_RUN;
    if (mode == MF__POWM_ITER_NEVER)
        return MF_OK;
    const int q = root_index(p);
    if (q == 0) {
        last_outcome = MF__POWM_ITER_OTHER_P;
        return MF_OK;
    }
    if (mode == MF__POWM_ITER_AUTO && A->rows < POW_ITER_MIN_N) {
        last_outcome = MF__POWM_ITER_SMALL;
        return MF_OK;
    }
    pow_iter it;
    mf__powm_iter_outcome outcome = MF__POWM_ITER_NOT_RUN;
    mf_status st = pow_iter_init(fn, A, q, &it);
    if (st == MF_OK)
        st = attempt(&it, A, p < 0, &outcome);
    if (st == MF_OK && outcome == MF__POWM_ITER_ACCEPTED) {
        mf__unpack(it.x, it.n, it.dt, X);
        *done = true;
    }
    last_outcome = st == MF_OK ? outcome : MF__POWM_ITER_NOT_RUN;
    pow_iter_free(&it);
    return st;
}
