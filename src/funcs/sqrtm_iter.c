/*
 * GEMM-rich principal square root for well-conditioned matrices: mf_sqrtm
 * tries it first and takes the Schur route whenever it declines or its
 * result fails the accuracy check, so the statuses and the accuracy of
 * mf_sqrtm are those of the Schur route.
 *
 * Rule (cheap tests, in this order; every threshold is a #define below):
 *  1. n >= SQRT_ITER_MIN_N: below it the Schur method is cheap anyway;
 *  2. H = (A + A^H)/2 is positive definite (?potrf on a copy, n^3/3 flops,
 *     about a third of a GEMM). Then the field of values, hence every
 *     eigenvalue, lies in the open right half-plane: the principal root
 *     exists (real for real A, so real arithmetic suffices), and every
 *     eigenvalue of the iteration's sign problem is at least 45 degrees
 *     away from the imaginary axis, so few steps are needed;
 *  3. kappa_1(A) <= SQRT_ITER_MAX_COND, known exactly from the inverse the
 *     first step computes anyway.
 *
 * Iteration: the scaled product-form Denman-Beavers iteration (Higham,
 * Functions of Matrices, 2008, eqs. (6.29)-(6.30); Cheng, Higham, Kenney &
 * Laub, SIMAX 22(4), 2001), M_0 = X_0 = A,
 *     M_{k+1} = (I + (mu^2 M_k + mu^-2 M_k^-1) / 2) / 2,
 *     X_{k+1} = mu X_k (I + mu^-2 M_k^-1) / 2,     mu = |det M_k|^(-1/(2n)),
 * (scaling off once the relative change of X is below 1e-2): X_k =
 * A^(1/2) M_k^(1/2) and M_k -> I. Each step is one LU inversion and one
 * GEMM. Once ||I - M_k||_1 <= 1/2 the inverse-free Newton-Schulz form of
 * the same sign iteration (Higham 2008, section 5.3, applied to M^(1/2))
 * finishes it with three GEMMs a step and no inversion:
 *     T = (3I - M_k) / 2,  X_{k+1} = X_k T,  M_{k+1} = M_k T^2,
 * where I - M_{k+1} = E^2 (3I + E) / 4 for E = I - M_k exactly, so the
 * defect bound (3e^2 + e^3)/4 predicts the stop (below u: the last M is not
 * formed).
 *
 * Acceptance: ||X^2 - A||_F <= SQRT_ITER_RESIDUAL n u ||X||_F^2 (one
 * GEMM), the residual the Schur method guarantees (Higham 2008, section
 * 6.2): the result is then the principal root of a matrix as close to A as
 * the Schur method's backward error. Otherwise, and when the iteration
 * does not reach the Newton-Schulz phase in SQRT_DB_MAX_STEPS steps or
 * meets a singular iterate, the Schur route runs.
 */
#include "mfcomplex.h"
#include <math.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>

#include "funcs/iteration.h"
#include "funcs/sqrtm_iter.h"

/* Size threshold. With it lowered, the iteration took 0.08-0.22 of the
 * Schur route's time at n = 8..128 (bench_funcs_sqrtm, one thread, shifted
 * Gaussian input); below 16 the gain is microseconds and tiny matrices keep
 * the direct route. */
#define SQRT_ITER_MIN_N 16
/* Largest kappa_1(A) for the iteration: in a NumPy prototype of it (n =
 * 256, positive definite Hermitian part) its residual was at or below the
 * Schur method's up to kappa_1 about 3e4, twice as large at 4e5, nine times
 * at 5e6. */
#define SQRT_ITER_MAX_COND 1e4
/* Denman-Beavers steps allowed before Newton-Schulz must take over; with
 * rules 2 and 3 it took 1-5 in the prototype and the tests. */
#define SQRT_DB_MAX_STEPS 12
#define SQRT_NS_MAX_STEPS 12
/* Newton-Schulz takes over once ||I - M||_1 is below this. */
#define SQRT_NS_THETA 0.5
/* Scaling stops when the relative change of X is below this (Higham 2008,
 * section 6.5). */
#define SQRT_SCALING_OFF 1e-2
/* Acceptance bound on ||X^2 - A||_F / (n u ||X||_F^2): on the bench inputs
 * (n = 256..1024) the iteration gave 0.0006-0.007 and the Schur method
 * 0.009-0.05; the tests allow the Schur method 20. */
#define SQRT_ITER_RESIDUAL 4.0

static _Thread_local mf__sqrtm_iter_mode mode = MF__SQRTM_ITER_AUTO;
static _Thread_local mf__sqrtm_iter_outcome last_outcome = MF__SQRTM_ITER_NOT_RUN;

void mf__sqrtm_iter_set_mode(mf__sqrtm_iter_mode m) { mode = m; }
mf__sqrtm_iter_outcome mf__sqrtm_iter_last(void) { return last_outcome; }

typedef struct sqrt_iter {
    const char *fn;
    int32_t dt;
    int64_t n;
    double *x, *m, *y, *w; /* X_k, M_k, the inverse or T, scratch */
    mf__inverter inv;
    int db_steps, ns_steps;
    bool scaling;
    double e; /* ||I - M_k||_1 */
} sqrt_iter;

static int64_t doubles(const sqrt_iter *it) { return (it->dt == MF_C128 ? 2 : 1) * it->n * it->n; }

static void swap(double **a, double **b) {
    double *t = *a;
    *a = *b;
    *b = t;
}

/* ||a - b||_1 for n x n a, b. */
static double diff_norm1(int32_t dt, int64_t n, const double *a, const double *b) {
    const int64_t parts = dt == MF_C128 ? 2 : 1;
    double best = 0.0;
    for (int64_t j = 0; j < n; j++) {
        double sum = 0.0;
        for (int64_t i = 0; i < n; i++) {
            const int64_t k = parts * (i + j * n);
            sum += parts == 2 ? hypot(a[k] - b[k], a[k + 1] - b[k + 1]) : fabs(a[k] - b[k]);
        }
        best = sum > best ? sum : best;
    }
    return best;
}

/* ||I - M||_1 */
static double defect(const sqrt_iter *it) {
    mf__iter_scale_shift(it->dt, it->n, -1.0, 1.0, it->m);
    const double e = mf__iter_norm1(it->dt, it->n, it->m);
    mf__iter_scale_shift(it->dt, it->n, -1.0, 1.0, it->m);
    return e;
}

/* Rule 2: is (A + A^H)/2 positive definite? Uses it->w. */
static mf_status hermitian_part_definite(sqrt_iter *it, const mf_matrix *A, bool *definite) {
    const int64_t n = it->n;
    double *h = it->w;
    mf__pack(A, h, n, it->dt);
    for (int64_t j = 0; j < n; j++)
        for (int64_t i = j; i < n; i++) {
            if (it->dt == MF_C128) {
                mf__zdouble *z = (mf__zdouble *)h;
                z[i + j * n] = 0.5 * (z[i + j * n] + conj(z[j + i * n]));
            } else {
                h[i + j * n] = 0.5 * (h[i + j * n] + h[j + i * n]);
            }
        }
    const int ni = (int)n;
    int info = it->dt == MF_C128
                   ? LAPACKE_zpotrf_work(LAPACK_COL_MAJOR, 'L', ni, (lapack_complex_double *)h, ni)
                   : LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, 'L', ni, h, ni);
    mf_status st = mf__lapack_info(it->fn, it->dt == MF_C128 ? "zpotrf" : "dpotrf", info);
    *definite = st == MF_OK && info == 0;
    return st;
}

/*
 * One scaled Denman-Beavers step in product form. Sets *give_up when the
 * iterate is singular or (first step) A is too ill-conditioned; outcome
 * says which.
 */
static mf_status db_step(sqrt_iter *it, bool *give_up, mf__sqrtm_iter_outcome *outcome) {
    const int64_t n = it->n;
    double logdet = 0.0;
    bool singular = false;
    mf_status st = mf__invert(it->fn, &it->inv, it->m, it->y, &logdet, &singular);
    if (st != MF_OK)
        return st;
    const double kappa = singular ? INFINITY
                                  : mf__iter_norm1(it->dt, n, it->m) *
                                        mf__iter_norm1(it->dt, n, it->y);
    const double limit = it->db_steps == 0 ? SQRT_ITER_MAX_COND : 1.0 / ((double)n * MF_U64);
    if (!(kappa <= limit)) {
        *give_up = true;
        *outcome = it->db_steps == 0 && !singular ? MF__SQRTM_ITER_ILL_CONDITIONED
                                                  : MF__SQRTM_ITER_NO_CONVERGENCE;
        return MF_OK;
    }
    const double mu = it->scaling ? exp(-logdet / (2.0 * (double)n)) : 1.0;
    const double mu2 = mu * mu;
    /* M <- I/2 + mu^2 M / 4 + M^-1 / (4 mu^2) */
    const int64_t len = doubles(it);
    for (int64_t k = 0; k < len; k++)
        it->m[k] = 0.25 * mu2 * it->m[k] + 0.25 / mu2 * it->y[k];
    mf__iter_scale_shift(it->dt, n, 1.0, 0.5, it->m);
    /* X <- (mu / 2) X (I + M^-1 / mu^2) */
    mf__iter_scale_shift(it->dt, n, 1.0 / mu2, 1.0, it->y);
    mf__iter_gemm(it->dt, n, 0.5 * mu, it->x, it->y, 0.0, it->w);
    const double change = diff_norm1(it->dt, n, it->w, it->x);
    const double xnorm = mf__iter_norm1(it->dt, n, it->w);
    swap(&it->x, &it->w);
    it->db_steps++;
    if (change <= SQRT_SCALING_OFF * xnorm)
        it->scaling = false;
    it->e = defect(it);
    if (!isfinite(it->e) || !isfinite(xnorm)) {
        *give_up = true;
        *outcome = MF__SQRTM_ITER_NO_CONVERGENCE;
    }
    return MF_OK;
}

/* One Newton-Schulz step; *converged when the predicted defect is below u. */
static void ns_step(sqrt_iter *it, bool *converged) {
    const int64_t n = it->n;
    const double e = it->e;
    /* T = (3I - M) / 2 in y; X <- X T */
    memcpy(it->y, it->m, (size_t)doubles(it) * sizeof(double));
    mf__iter_scale_shift(it->dt, n, -0.5, 1.5, it->y);
    mf__iter_gemm(it->dt, n, 1.0, it->x, it->y, 0.0, it->w);
    swap(&it->x, &it->w);
    it->ns_steps++;
    if ((3.0 * e * e + e * e * e) / 4.0 <= MF_U64) {
        *converged = true;
        return;
    }
    /* M <- M T^2 */
    mf__iter_gemm(it->dt, n, 1.0, it->y, it->y, 0.0, it->w);
    mf__iter_gemm(it->dt, n, 1.0, it->m, it->w, 0.0, it->y);
    swap(&it->m, &it->y);
    it->e = defect(it);
    /* the defect no longer halves: rounding level */
    *converged = !(it->e <= 0.5 * e);
}

/* ||X^2 - A||_F <= SQRT_ITER_RESIDUAL n u ||X||_F^2 (w, y are scratch). */
static bool residual_acceptable(sqrt_iter *it, const mf_matrix *A) {
    const int64_t n = it->n;
    mf__iter_gemm(it->dt, n, 1.0, it->x, it->x, 0.0, it->w);
    mf__pack(A, it->y, n, it->dt);
    const int64_t len = doubles(it);
    for (int64_t k = 0; k < len; k++)
        it->w[k] -= it->y[k];
    const double xf = mf__iter_norm_fro(it->dt, n, it->x);
    return mf__iter_norm_fro(it->dt, n, it->w) <= SQRT_ITER_RESIDUAL * (double)n * MF_U64 * xf * xf;
}

/* Run the iteration; *outcome is ACCEPTED, or why the Schur route must run. */
static mf_status iterate(sqrt_iter *it, const mf_matrix *A, mf__sqrtm_iter_outcome *outcome) {
    bool give_up = false, converged = false;
    while (!give_up && !(it->e <= SQRT_NS_THETA)) {
        if (it->db_steps == SQRT_DB_MAX_STEPS) {
            *outcome = MF__SQRTM_ITER_NO_CONVERGENCE;
            return MF_OK;
        }
        mf_status st = db_step(it, &give_up, outcome);
        if (st != MF_OK)
            return st;
    }
    if (give_up)
        return MF_OK;
    while (!converged && it->ns_steps < SQRT_NS_MAX_STEPS)
        ns_step(it, &converged);
    if (!converged || !mf__iter_finite(it->dt, it->n, it->x))
        *outcome = MF__SQRTM_ITER_NO_CONVERGENCE;
    else
        *outcome = residual_acceptable(it, A) ? MF__SQRTM_ITER_ACCEPTED : MF__SQRTM_ITER_RESIDUAL;
    return MF_OK;
}

static void sqrt_iter_free(sqrt_iter *it) {
    mf__inverter_free(&it->inv);
    mf__free(it->w);
    mf__free(it->y);
    mf__free(it->m);
    mf__free(it->x);
}

static mf_status sqrt_iter_init(const char *fn, const mf_matrix *A, sqrt_iter *it) {
    const int64_t n = A->rows;
    memset(it, 0, sizeof *it);
    it->fn = fn;
    it->dt = A->dtype; /* real arithmetic for real A: rule 2 makes the root real */
    it->n = n;
    it->scaling = true;
    it->e = INFINITY;
    it->x = mf__packed_copy(A, it->dt);
    it->m = mf__packed_copy(A, it->dt);
    it->y = mf__alloc_array(n * n, mf__elem_size(it->dt));
    it->w = mf__alloc_array(n * n, mf__elem_size(it->dt));
    if (it->x == NULL || it->m == NULL || it->y == NULL || it->w == NULL)
        return mf__fail(MF_ENOMEM, fn, "cannot allocate iteration workspace (n = %lld)",
                        (long long)n);
    return mf__inverter_init(fn, it->dt, n, &it->inv);
}

mf_status mf__sqrtm_iterative(const char *fn, const mf_matrix *A, mf_matrix *S, bool *done) {
    *done = false;
    last_outcome = MF__SQRTM_ITER_NOT_RUN;
    if (mode == MF__SQRTM_ITER_NEVER)
        return MF_OK;
    if (mode == MF__SQRTM_ITER_AUTO && A->rows < SQRT_ITER_MIN_N) {
        last_outcome = MF__SQRTM_ITER_SMALL;
        return MF_OK;
    }
    sqrt_iter it;
    mf_status st = sqrt_iter_init(fn, A, &it);
    bool definite = true;
    if (st == MF_OK && mode == MF__SQRTM_ITER_AUTO)
        st = hermitian_part_definite(&it, A, &definite);
    mf__sqrtm_iter_outcome outcome = MF__SQRTM_ITER_NOT_DEFINITE;
    if (st == MF_OK && definite)
        st = iterate(&it, A, &outcome);
    if (st == MF_OK && outcome == MF__SQRTM_ITER_ACCEPTED) {
        mf__unpack(it.x, it.n, it.dt, S);
        *done = true;
    }
    last_outcome = st == MF_OK ? outcome : MF__SQRTM_ITER_NOT_RUN;
    sqrt_iter_free(&it);
    return st;
}
