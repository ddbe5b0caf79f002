/*
 * Matrix sign function mf_signm.
 *
 * Route (measured in bench/bench_funcs_sqrtm.c and the tests):
 *  - exactly Hermitian A: eigendecomposition, S = I - 2 V_- V_-^H or
 *    2 V_+ V_+^H - I (a rank-k update with the smaller eigenvector set);
 *  - otherwise the scaled Newton iteration (Higham, Functions of Matrices,
 *    2008, Alg. 5.14 with determinantal scaling, eq. 5.35), one LU
 *    inversion a step, finished by the inverse-free Newton-Schulz
 *    iteration (two GEMMs a step) once ||I - X^2||_1 <= 1/2, as long as
 *    every iterate has kappa_1 <= SIGN_NEWTON_MAX_COND: Newton's forward
 *    error grows with the conditioning of the matrices it inverts, the
 *    Schur method's (signm_schur.c, which takes over beyond that) does not.
 *    On the Newton route the domain (no eigenvalue within n u ||A||_1 of the
 *    imaginary axis) is proven from the iteration's own scaling factors and
 *    step count (the certificate below), which costs nothing; only when
 *    that fails does a Hessenberg QR compute the eigenvalues (about as
 *    costly as the iteration itself: it was 45% of mf_signm's time when it
 *    always ran).
 */
#include "mfcomplex.h"
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>

#include "funcs/iteration.h"
#include "funcs/signm.h"
#include "internal.h"

typedef double _Complex zdouble;

/* Newton steps allowed; scaled Newton needs about 10 at distance 1e-10
 * from the imaginary axis (relative), so 100 means something is wrong. */
#define SIGN_MAX_STEPS 100
/* Scaling stops once the relative change is below this (Higham 2008,
 * section 5.7: scaling only helps in the early steps). */
#define SIGN_SCALING_OFF 1e-2

/* ------------------------------------------------------------------ */
/* Hermitian input                                                     */
/* s = alpha V_k V_k^H + beta I (lower triangle mirrored), V_k = n x k. */
static void projector_update(int32_t dt, int64_t n, int64_t k, const double *vk, double alpha,
                             double beta, double *s) {
    const int ni = (int)n, ki = (int)k;
    const int64_t parts = dt == MF_C128 ? 2 : 1;
    memset(s, 0, (size_t)(parts * n * n) * sizeof(double));
    for (int64_t i = 0; i < n; i++)
        s[parts * (i + i * n)] = beta;
    if (k > 0) {
        if (dt == MF_C128)
            cblas_zherk(CblasColMajor, CblasLower, CblasNoTrans, ni, ki, alpha, vk, ni, 1.0, s, ni);
        else
            cblas_dsyrk(CblasColMajor, CblasLower, CblasNoTrans, ni, ki, alpha, vk, ni, 1.0, s, ni);
    }
    for (int64_t j = 0; j < n; j++) {
        if (parts == 2)
            s[2 * (j + j * n) + 1] = 0.0;
        for (int64_t i = j + 1; i < n; i++) {
            s[parts * (j + i * n)] = s[parts * (i + j * n)];
            if (parts == 2)
                s[2 * (j + i * n) + 1] = -s[2 * (i + j * n) + 1];
        }
    }
}

static mf_status signm_hermitian(const char *fn, const mf_matrix *A, mf_matrix *S) {
    const int64_t n = A->rows;
    const int32_t dt = A->dtype;
    double *v = mf__alloc_array(n * n, mf__elem_size(dt));
    double *w = mf__alloc_array(n, sizeof(double));
    double *s = mf__alloc_array(n * n, mf__elem_size(dt));
    mf_status st = MF_OK;
    if (v == NULL || w == NULL || s == NULL) {
        st = mf__fail(MF_ENOMEM, fn, "cannot allocate eigenvector workspace (n = %lld)",
                      (long long)n);
        goto done;
    }
    mf_matrix vm, wm;
    mf_view_colmajor(&vm, v, n, n, n, dt);
    mf_view_colmajor(&wm, w, n, 1, n, MF_F64);
    if ((st = mf_eigh(A, &wm, &vm)) != MF_OK)
        goto done;
    const double wmax = fabs(w[0]) > fabs(w[n - 1]) ? fabs(w[0]) : fabs(w[n - 1]);
    const double tol = (double)n * MF_U64 * wmax;
    int64_t negatives = 0;
    for (int64_t k = 0; k < n; k++) {
        if (fabs(w[k]) <= tol) {
            st = mf__fail(MF_EDOMAIN, fn, "A is Hermitian with the eigenvalue %.3g within "
                          "roundoff (%.3g) of zero: sign(A) is not defined", w[k], tol);
            goto done;
        }
        negatives += w[k] < 0.0;
    }
    /* w ascending: the first `negatives` columns span the negative part. */
    const size_t es = mf__elem_size(dt) / sizeof(double);
    if (negatives <= n - negatives)
        projector_update(dt, n, negatives, v, -2.0, 1.0, s);
    else
        projector_update(dt, n, n - negatives, v + es * negatives * n, 2.0, -1.0, s);
    mf__unpack(s, n, dt, S);
done:
    mf__free(s);
    mf__free(w);
    mf__free(v);
    return st;
}

/* ------------------------------------------------------------------ */
/* domain: eigenvalues from the Hessenberg QR algorithm                */
/* ------------------------------------------------------------------ */

static mf_status hessenberg_eigenvalues(const char *fn, int32_t dt, int n, double *h,
                                        double *wr, double *wi) {
    const bool cplx = dt == MF_C128;
    double q1[2] = {0.0, 0.0}, q2[2] = {0.0, 0.0}, dummy[2] = {0.0, 0.0};
    int info = cplx ? LAPACKE_zgehrd_work(LAPACK_COL_MAJOR, n, 1, n, (lapack_complex_double *)h, n,
                                          (lapack_complex_double *)dummy,
                                          (lapack_complex_double *)q1, -1)
                    : LAPACKE_dgehrd_work(LAPACK_COL_MAJOR, n, 1, n, h, n, dummy, q1, -1);
    mf_status st = mf__lapack_info(fn, cplx ? "zgehrd" : "dgehrd", info);
    if (st != MF_OK)
        return st;
    info = cplx ? LAPACKE_zhseqr_work(LAPACK_COL_MAJOR, 'E', 'N', n, 1, n,
                                      (lapack_complex_double *)h, n, (lapack_complex_double *)wr,
                                      (lapack_complex_double *)dummy, 1,
                                      (lapack_complex_double *)q2, -1)
                : LAPACKE_dhseqr_work(LAPACK_COL_MAJOR, 'E', 'N', n, 1, n, h, n, wr, wi, dummy, 1,
                                      q2, -1);
    if ((st = mf__lapack_info(fn, cplx ? "zhseqr" : "dhseqr", info)) != MF_OK)
        return st;
    const int64_t l1 = mf__lwork_from_query(q1[0]), l2 = mf__lwork_from_query(q2[0]);
    const int64_t lwork = (l1 > l2 ? l1 : l2) > n ? (l1 > l2 ? l1 : l2) : n;
    double *work = mf__alloc_array(lwork, mf__elem_size(dt));
    double *tau = mf__alloc_array(n, mf__elem_size(dt));
    if (work == NULL || tau == NULL) {
        st = mf__fail(MF_ENOMEM, fn, "cannot allocate eigenvalue workspace (n = %d)", n);
        goto done;
    }
    info = cplx ? LAPACKE_zgehrd_work(LAPACK_COL_MAJOR, n, 1, n, (lapack_complex_double *)h, n,
                                      (lapack_complex_double *)tau,
                                      (lapack_complex_double *)work, (int)lwork)
                : LAPACKE_dgehrd_work(LAPACK_COL_MAJOR, n, 1, n, h, n, tau, work, (int)lwork);
    if ((st = mf__lapack_info(fn, cplx ? "zgehrd" : "dgehrd", info)) != MF_OK)
        goto done;
    /* The reflectors below the subdiagonal are not part of H. */
    const int64_t parts = cplx ? 2 : 1;
    for (int64_t j = 0; j < n; j++)
        for (int64_t i = j + 2; i < n; i++)
            for (int64_t p = 0; p < parts; p++)
                h[parts * (i + j * (int64_t)n) + p] = 0.0;
    info = cplx ? LAPACKE_zhseqr_work(LAPACK_COL_MAJOR, 'E', 'N', n, 1, n,
                                      (lapack_complex_double *)h, n, (lapack_complex_double *)wr,
                                      (lapack_complex_double *)dummy, 1,
                                      (lapack_complex_double *)work, (int)lwork)
                : LAPACKE_dhseqr_work(LAPACK_COL_MAJOR, 'E', 'N', n, 1, n, h, n, wr, wi, dummy, 1,
                                      work, (int)lwork);
    if ((st = mf__lapack_info(fn, cplx ? "zhseqr" : "dhseqr", info)) == MF_OK && info > 0)
        st = mf__fail(MF_ENOCONV, fn, "%s: the QR iteration failed (%d eigenvalues not converged)",
                      cplx ? "zhseqr" : "dhseqr", info);
done:
    mf__free(tau);
    mf__free(work);
    return st;
}

/*
 * sign(A) is defined iff no eigenvalue lies on the imaginary axis; one
 * within n u ||A||_1 of it (the size of the backward error of the
 * eigenvalue computation) is treated as on it. h (n x n copy of A) is
 * destroyed.
 */
static mf_status check_domain(const char *fn, int32_t dt, int64_t n, double *h, double anorm) {
    double *w = mf__alloc_array(2 * n, sizeof(double));
    if (w == NULL)
        return mf__fail(MF_ENOMEM, fn, "cannot allocate eigenvalue workspace (n = %lld)",
                        (long long)n);
    mf_status st = hessenberg_eigenvalues(fn, dt, (int)n, h, w, w + n);
    const double tol = (double)n * MF_U64 * anorm;
    for (int64_t k = 0; st == MF_OK && k < n; k++) {
        /* zhseqr returns interleaved complex values; dhseqr splits wr, wi. */
        const double re = dt == MF_C128 ? w[2 * k] : w[k];
        const double im = dt == MF_C128 ? w[2 * k + 1] : w[n + k];
        if (fabs(re) <= tol)
            st = mf__fail(MF_EDOMAIN, fn, "A has the eigenvalue %.3g%+.3gi on or within roundoff "
                          "(%.3g) of the imaginary axis: sign(A) is not defined", re, im, tol);
    }
    mf__free(w);
    return st;
}

/* ------------------------------------------------------------------ */
/* scaled Newton iteration, Newton-Schulz finish                       */
/* ------------------------------------------------------------------ */

/*
 * Domain certificate. With z = coth(w), the Newton step z -> (z + 1/z)/2
 * is w -> 2w, and a scaling z -> mu z multiplies a small |Re w| by at most
 * max(mu, 1/mu) (Re w = artanh(2 Re z / (1 + |z|^2)) / 2 near the
 * imaginary axis). An eigenvalue lambda of A has |Re w_0| ~ |Re lambda| /
 * ||A||_1 for z_0 = lambda / ||A||_1 (|z_0| <= 1), so after Newton steps
 * whose growth factors multiply to G, |Re w| <= G |Re lambda| / ||A||_1.
 * Once ||I - X^2||_1 <= theta, every eigenvalue z of X has |z^2 - 1| <=
 * theta, hence |Re w| >= W = log((2 - theta) / theta) / 2. So every
 * eigenvalue of A has |Re lambda| >= W ||A||_1 / G: when G is small enough,
 * no eigenvalue lies within n u ||A||_1 of the axis and the eigenvalue
 * check (a Hessenberg QR, as costly as the iteration itself) is skipped.
 * Rounding errors of the inversions act like perturbations of relative
 * size u kappa(X_k), so the test asks G u max(n, max kappa_1(X_k)) <=
 * W / SIGN_CERT_MARGIN. Measured G: 2^6 to 2^24 on the test and Gaussian
 * matrices (n up to 1024); with kappa_1 <= SIGN_NEWTON_MAX_COND the limit
 * is about 2^38 (n <= 1000). Otherwise the eigenvalues decide.
 */
#define SIGN_THETA 0.5
#define SIGN_CERT_MARGIN 16.0
/* Largest kappa_1 of a Newton iterate: the iteration's forward error grew
 * like 0.01-0.04 u max kappa_1(X_k) on random matrices (n = 64, 128,
 * against the Schur method), the Schur method's stays near cond(sign) u,
 * 4e-15 to 7e-15 there; at kappa_1 <= 1e3 the two agreed. Beyond it the
 * Schur method (signm_schur.c) takes over. */
#define SIGN_NEWTON_MAX_COND 1e3
/* The first try at the Newton-Schulz switch: relative Newton change below
 * this; after a failed try (||I - X^2||_1 > theta, one GEMM lost) the next
 * waits for an 8 times smaller change. */
#define SIGN_NS_TRY 0.1

static _Thread_local mf__signm_info last_info;
static _Thread_local mf__signm_route route = MF__SIGNM_AUTO;

mf__signm_info mf__signm_last(void) { return last_info; }
void mf__signm_set_route(mf__signm_route r) { route = r; }

typedef struct sign_iter {
    const char *fn;
    int32_t dt;
    int64_t n;
    double *x, *y, *z; /* the iterate; its inverse or I - X^2; GEMM scratch */
    mf__inverter inv;
    double anorm;       /* ||A||_1, the unit of the first step's growth factor */
    int steps;          /* Newton and Newton-Schulz steps taken */
    int ns_steps;       /* of which Newton-Schulz */
    bool scaling;       /* determinantal scaling still on */
    bool newton_schulz; /* switched to Newton-Schulz */
    bool singular;      /* A is singular to working precision */
    bool to_schur;      /* an iterate too ill-conditioned for an accurate Newton result */
    bool stalled;       /* stopped because the change stopped shrinking */
    bool done;
    double prev_diff;   /* last unscaled Newton change (stagnation test) */
    double try_below;   /* next Newton-Schulz try: relative change below this */
    double e;           /* ||I - X^2||_1 in the Newton-Schulz phase */
    double log2_growth; /* log2 of the growth bound G over the Newton steps */
    double kappa_max;   /* largest kappa_1 of an inverted iterate */
    bool pinned;        /* ||I - X_k^2||_1 <= theta shown for some iterate */
    double pinned_growth; /* log2 G up to that iterate */
} sign_iter;

static double certificate_slack(const sign_iter *it, double log2_growth) {
    const double w = 0.5 * log((2.0 - SIGN_THETA) / SIGN_THETA);
    const double noise = MF_U64 * fmax((double)it->n, it->kappa_max);
    return log2(w / SIGN_CERT_MARGIN) - log2_growth - log2(noise);
}

/* Is the domain proven (every eigenvalue farther than n u ||A||_1 from
 * the imaginary axis)? */
static bool domain_certified(const sign_iter *it) {
    return it->pinned && certificate_slack(it, it->pinned_growth) >= 0.0;
}

/* Can the run still end certified? */
static bool still_certifiable(const sign_iter *it) {
    return it->pinned ? domain_certified(it) : certificate_slack(it, it->log2_growth) >= 0.0;
}

static void pin(sign_iter *it, double log2_growth) {
    if (!it->pinned) {
        it->pinned = true;
        it->pinned_growth = log2_growth;
    }
}

/* x <- (mu x + y / mu) / 2, returning ||x_new - x_old||_1 and ||x_new||_1. */
static void newton_update(int32_t dt, int64_t n, double mu, double *x, const double *y,
                          double *diff, double *norm) {
    const int64_t parts = dt == MF_C128 ? 2 : 1;
    const double a = 0.5 * mu, b = 0.5 / mu;
    double dmax = 0.0, nmax = 0.0;
    for (int64_t j = 0; j < n; j++) {
        double dsum = 0.0, nsum = 0.0;
        for (int64_t i = 0; i < n; i++) {
            double d2 = 0.0, n2 = 0.0;
            for (int64_t p = 0; p < parts; p++) {
                double *e = x + parts * (i + j * n) + p;
                const double v = a * *e + b * y[parts * (i + j * n) + p];
                d2 += (v - *e) * (v - *e);
                n2 += v * v;
                *e = v;
            }
            dsum += sqrt(d2);
            nsum += sqrt(n2);
        }
        dmax = dsum > dmax ? dsum : dmax;
        nmax = nsum > nmax ? nsum : nmax;
    }
    *diff = dmax;
    *norm = nmax;
}

/* y = I - X^2 and its 1-norm. */
static double involution_defect(sign_iter *it) {
    mf__iter_gemm(it->dt, it->n, 1.0, it->x, it->x, 0.0, it->y);
    mf__iter_scale_shift(it->dt, it->n, -1.0, 1.0, it->y);
    return mf__iter_norm1(it->dt, it->n, it->y);
}

/* Switch to Newton-Schulz if ||I - X^2||_1 <= theta (its convergence needs
 * < 1; at 1/2 the defect drops at least 2.3 times in the first step). */
static void try_newton_schulz(sign_iter *it, double rel_change) {
    const double e = involution_defect(it);
    if (e <= SIGN_THETA) {
        pin(it, it->log2_growth);
        it->newton_schulz = true;
        it->e = e;
    } else {
        it->try_below = rel_change / 8.0;
    }
}

/*
 * One scaled Newton step X <- (mu X + (mu X)^-1) / 2, mu = |det X|^(-1/n)
 * while scaling is on (Higham 2008, Alg. 5.14 with eq. 5.35). Stopping
 * test (Higham 2008, section 5.7): near convergence X_{k+1} - S =
 * X_k^-1 (X_k - S)^2 / 2, so the error of X_{k+1} is about ||X_k^-1||
 * ||X_{k+1} - X_k||^2 / 2; stop when that is below n u ||X_{k+1}||, or when
 * an unscaled step fails to halve the change (rounding level reached).
 */
static mf_status newton_step(sign_iter *it) {
    const int64_t n = it->n;
    double logdet = 0.0;
    bool singular = false;
    mf_status st = mf__invert(it->fn, &it->inv, it->x, it->y, &logdet, &singular);
    if (st != MF_OK)
        return st;
    const double xnorm = mf__iter_norm1(it->dt, n, it->x);
    const double inorm = singular ? INFINITY : mf__iter_norm1(it->dt, n, it->y);
    const double kappa = xnorm * inorm;
    it->kappa_max = fmax(it->kappa_max, kappa);
    /* Singular to working precision: A itself is then within n u ||A||_1
     * of a singular matrix, whose eigenvalue 0 lies on the imaginary axis;
     * a later iterate hands over to the Schur method, which decides. */
    const bool hopeless = singular || !((double)n * MF_U64 * kappa < 1.0);
    const bool newton_only = route == MF__SIGNM_NEWTON;
    if (hopeless || (!newton_only && !(kappa <= SIGN_NEWTON_MAX_COND))) {
        if (hopeless && (it->steps == 0 || newton_only))
            it->singular = true;
        else
            it->to_schur = true;
        it->done = true;
        return MF_OK;
    }
    const bool scaled = it->scaling;
    const double mu = scaled ? exp(-logdet / (double)n) : 1.0;
    const double growth_before = it->log2_growth;
    it->log2_growth += 1.0 + fabs(log2(it->steps == 0 ? mu * it->anorm : mu));
    double diff = 0.0, norm = 0.0;
    newton_update(it->dt, n, mu, it->x, it->y, &diff, &norm);
    it->steps++;
    if (!isfinite(diff) || !isfinite(norm))
        return mf__fail(MF_EOVERFLOW, it->fn, "the Newton iteration overflowed");
    if (diff <= SIGN_SCALING_OFF * norm)
        it->scaling = false;
    if (!scaled) {
        /* I - X_k^2 = 2 X_k (X_{k+1} - X_k) for an unscaled step. */
        if (2.0 * xnorm * diff <= SIGN_THETA)
            pin(it, growth_before);
        it->stalled = diff > 0.5 * it->prev_diff;
        if (0.5 * inorm * diff * diff <= (double)n * MF_U64 * norm || it->stalled) {
            it->done = true;
            return MF_OK;
        }
        it->prev_diff = diff;
    }
    if (diff <= it->try_below * norm)
        try_newton_schulz(it, diff / norm);
    return MF_OK;
}

/*
 * One Newton-Schulz step X <- X (3I - X^2) / 2 = X + X E / 2, E = I - X^2
 * (Higham 2008, section 5.3): two GEMMs, no inversion. E_{k+1} =
 * (3 E^2 + E^3) / 4 exactly, so ||E_{k+1}||_1 <= (3e^2 + e^3) / 4: stop as
 * soon as that bound is below u (the last X^2 is not formed), or when the
 * measured defect stops halving (rounding level).
 */
static mf_status newton_schulz_step(sign_iter *it) {
    const int64_t n = it->n;
    const double e = it->e;
    mf__iter_gemm(it->dt, n, 1.0, it->x, it->y, 0.0, it->z);
    mf__iter_axpy(it->dt, n, 0.5, it->z, it->x);
    it->steps++;
    it->ns_steps++;
    if ((3.0 * e * e + e * e * e) / 4.0 <= MF_U64) {
        it->done = true;
        return MF_OK;
    }
    it->e = involution_defect(it);
    if (!isfinite(it->e))
        return mf__fail(MF_EOVERFLOW, it->fn, "the Newton-Schulz iteration overflowed");
    it->stalled = it->done = it->e > 0.5 * e;
    return MF_OK;
}

/* ||X^2 - I||_1 <= 10 n u max(||X||_1^2, 1) (the rounding level of X^2):
 * a last check, one GEMM, when the certificate did not hold or the
 * iteration stopped by stagnation rather than by its convergence test. */
static mf_status verify_involution(sign_iter *it) {
    const double xnorm = mf__iter_norm1(it->dt, it->n, it->x);
    const double e = involution_defect(it);
    const double tol = 10.0 * (double)it->n * MF_U64 * fmax(xnorm * xnorm, 1.0);
    if (e <= tol)
        return MF_OK;
    return mf__fail(MF_EDOMAIN, it->fn, "the sign iteration ended with ||S^2 - I||_1 = %.3g "
                    "(limit %.3g): A is too close to a matrix with an eigenvalue on the imaginary "
                    "axis for sign(A) to be defined in floating point", e, tol);
}

static void sign_iter_free(sign_iter *it) {
    mf__inverter_free(&it->inv);
    mf__free(it->z);
    mf__free(it->y);
    mf__free(it->x);
}

static mf_status sign_iter_init(const char *fn, const mf_matrix *A, sign_iter *it) {
    const int64_t n = A->rows;
    memset(it, 0, sizeof *it);
    it->fn = fn;
    it->dt = A->dtype; /* the sign of a real matrix is real */
    it->n = n;
    it->scaling = true;
    it->prev_diff = INFINITY;
    it->try_below = SIGN_NS_TRY;
    it->x = mf__packed_copy(A, it->dt);
    it->y = mf__alloc_array(n * n, mf__elem_size(it->dt));
    it->z = mf__alloc_array(n * n, mf__elem_size(it->dt));
    if (it->x == NULL || it->y == NULL || it->z == NULL)
        return mf__fail(MF_ENOMEM, fn, "cannot allocate workspace (n = %lld)", (long long)n);
    it->anorm = mf__iter_norm1(it->dt, n, it->x);
    return mf__inverter_init(fn, it->dt, n, &it->inv);
}

/*
 * Iterate until done; the eigenvalues of A are computed only when the run
 * cannot certify the domain (then S^2 = I is also checked at the end).
 */
static mf_status signm_general(const char *fn, const mf_matrix *A, mf_matrix *S) {
    sign_iter it;
    mf_status st = sign_iter_init(fn, A, &it);
    bool checked = false;
    it.to_schur = it.done = route == MF__SIGNM_SCHUR;
    while (st == MF_OK && !it.done) {
        if (it.steps >= SIGN_MAX_STEPS) {
            st = mf__fail(MF_ENOCONV, fn, "the Newton iteration did not converge in %d steps",
                          SIGN_MAX_STEPS);
            break;
        }
        st = it.newton_schulz ? newton_schulz_step(&it) : newton_step(&it);
        if (st == MF_OK && !checked && !it.singular && !it.to_schur &&
            (!still_certifiable(&it) || it.done)) {
            checked = !domain_certified(&it);
            if (checked) {
                mf__pack(A, it.z, it.n, it.dt); /* z is scratch between steps */
                st = check_domain(fn, it.dt, it.n, it.z, it.anorm);
            }
        }
    }
    if (st == MF_OK && it.singular)
        st = mf__fail(MF_EDOMAIN, fn, "A is singular to working precision (kappa_1(A) >= 1 / (n "
                      "u)): it is within roundoff of a singular matrix, whose eigenvalue 0 lies on "
                      "the imaginary axis, where sign(A) is not defined");
    if (st == MF_OK && it.to_schur)
        st = mf__signm_schur(fn, A, it.x);
    else if (st == MF_OK && (checked || it.stalled))
        st = verify_involution(&it);
    last_info = (mf__signm_info){it.steps - it.ns_steps, it.ns_steps, checked, it.to_schur,
                                 it.pinned ? it.pinned_growth : it.log2_growth};
    if (st == MF_OK)
        mf__unpack(it.x, it.n, it.dt, S);
    sign_iter_free(&it);
    return st;
}

/* ------------------------------------------------------------------ */
/* mf_signm                                                            */
/* ------------------------------------------------------------------ */


mf_status mf_signm(const mf_matrix *A, mf_matrix *S) {
    static const char fn[] = "mf_signm";
    last_info = (mf__signm_info){0, 0, false, false, 0.0};
    mf_status st = mf__check_unary_args(fn, A, "S", S);
    if (st != MF_OK || A->rows == 0)
        return st;
    if (mf__is_hermitian(A))
        return signm_hermitian(fn, A, S);
    return signm_general(fn, A, S);
}
