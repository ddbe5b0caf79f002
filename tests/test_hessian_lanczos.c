/* Matrix-free spectral tools: mf_lanczos, mf_trace_estimate, mf_slq,
 * mf_slq_density. Lanczos against mf_eigh on n = 500 operators (values,
 * vectors, residuals), clusters and multiplicities, restarts; trace
 * estimates within 4 standard errors and bit-identical for a fixed seed;
 * quadrature moments against exact traces; callback failure and NaN with
 * nothing written; every argument error; allocation failure. */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---------- a dense symmetric operator with a known spectrum ---------- */

/* y = A v for a column-major n x n A (the tests keep clear of CBLAS, whose
 * headers pull in struct tm). */
static void matvec(int64_t n, const double *A, const double *v, double *y) {
    for (int64_t i = 0; i < n; i++)
        y[i] = 0.0;
    for (int64_t j = 0; j < n; j++)
        for (int64_t i = 0; i < n; i++)
            y[i] += A[i + j * n] * v[j];
}

typedef struct dense_op {
    int64_t n;
    double *A; /* column-major */
    int64_t calls, fail_at, nan_at;
} dense_op;

static int apply_dense(int64_t n, const double *v, double *y, void *ctx) {
    dense_op *d = ctx;
    d->calls++;
    if (d->calls == d->fail_at)
        return 9;
    matvec(n, d->A, v, y);
    if (d->calls == d->nan_at)
        y[n / 2] = NAN;
    return 0;
}

/* A = Q diag(lambda) Q^T with Q from the QR of a Gaussian matrix (via
 * mf_qr, already tested), exactly symmetric. */
static double *with_spectrum(int64_t n, const double *lambda, trng *r) {
    tm G = tm_new(n, n, MF_F64, TL_COLMAJOR), Q = tm_new(n, n, MF_F64, TL_COLMAJOR),
       R = tm_new(n, n, MF_F64, TL_COLMAJOR);
    tm_fill_random(&G, r);
    assert_ok(mf_qr(&G.m, &Q.m, &R.m));
    double *q = Q.m.data, *B = malloc((size_t)(n * n) * sizeof(double)),
           *A = malloc((size_t)(n * n) * sizeof(double));
    for (int64_t j = 0; j < n; j++)
        for (int64_t i = 0; i < n; i++)
            B[i + j * n] = q[i + j * n] * lambda[j];
    memset(A, 0, (size_t)(n * n) * sizeof(double));
    for (int64_t k = 0; k < n; k++) /* A = B Q^T */
        for (int64_t j = 0; j < n; j++) {
            const double qjk = q[j + k * n];
            for (int64_t i = 0; i < n; i++)
                A[i + j * n] += B[i + k * n] * qjk;
        }
    for (int64_t j = 0; j < n; j++)
        for (int64_t i = j + 1; i < n; i++)
            A[j + i * n] = A[i + j * n];
    free(B);
    tm_free(&G);
    tm_free(&Q);
    tm_free(&R);
    return A;
}

/* Exact eigenvalues of A by mf_eigh (ascending). */
static double *eigh_values(int64_t n, const double *A) {
    mf_matrix Am, W;
    double *w = malloc((size_t)n * sizeof(double));
    assert_ok(mf_view_colmajor(&Am, (void *)A, n, n, n, MF_F64));
    assert_ok(mf_view_colmajor(&W, w, n, 1, n, MF_F64));
    assert_ok(mf_eigh(&Am, &W, NULL));
    return w;
}

static double max_abs_eig(int64_t n, const double *w) { return fmax(fabs(w[0]), fabs(w[n - 1])); }

/* ---------- Lanczos ---------- */

static void check_lanczos(dense_op *d, const double *exact, int which, int64_t k, tlayout lay,
                          const mf_lanczos_options *o, double tol) {
    const int64_t n = d->n;
    d->calls = 0;
    tm W = tm_new(k, 1, MF_F64, lay), V = tm_new(n, k, MF_F64, lay);
    mf_lanczos_info info;
    assert_ok(mf_lanczos_ex(n, apply_dense, d, which, k, o, &W.m, &V.m, &info));
    assert_true(info.matvecs == d->calls && info.krylov_dim <= n);
    const double scale = max_abs_eig(n, exact);
    double *y = malloc((size_t)n * sizeof(double)), *v = malloc((size_t)n * sizeof(double));
    for (int64_t i = 0; i < k; i++) {
        const double want = which == MF_EIGH_LARGEST ? exact[n - k + i] : exact[i];
        const double theta = creal(tm_get(&W, i, 0));
        if (!(fabs(theta - want) <= tol * scale))
            fail_msg("eigenvalue %lld: %.17g, exact %.17g", (long long)i, theta, want);
        if (i > 0)
            assert_true(theta >= creal(tm_get(&W, i - 1, 0)));
        /* residual ||A v - theta v|| and unit norm */
        double nn = 0.0;
        for (int64_t j = 0; j < n; j++) {
            v[j] = creal(tm_get(&V, j, i));
            nn += v[j] * v[j];
        }
        assert_le(fabs(nn - 1.0), 1e-12);
        matvec(n, d->A, v, y);
        double res = 0.0;
        for (int64_t j = 0; j < n; j++)
            res += (y[j] - theta * v[j]) * (y[j] - theta * v[j]);
        assert_le(sqrt(res), fmax(10.0 * info.max_residual, 1e-12 * scale) + 1e-13 * scale);
    }
    /* orthonormal columns */
    for (int64_t a = 0; a < k; a++)
        for (int64_t b = a + 1; b < k; b++) {
            double s = 0.0;
            for (int64_t j = 0; j < n; j++)
                s += creal(tm_get(&V, j, a)) * creal(tm_get(&V, j, b));
            assert_le(fabs(s), 1e-10);
        }
    assert_true(tm_padding_intact(&W) && tm_padding_intact(&V));
    free(y);
    free(v);
    tm_free(&W);
    tm_free(&V);
}

static void test_lanczos_against_eigh_n500(void **state) {
    (void)state;
    trng r = trng_new(401);
    const int64_t n = 500;
    double *lambda = malloc((size_t)n * sizeof(double));
    /* a Hessian-like spectrum: a bulk near 0 of both signs and outliers */
    for (int64_t i = 0; i < n; i++)
        lambda[i] = 0.1 * trng_normal(&r);
    const double outliers[] = {50, 31, 20, 12, 9, -7, -3.5};
    for (int i = 0; i < 7; i++)
        lambda[i] = outliers[i];
    double *A = with_spectrum(n, lambda, &r), *exact = eigh_values(n, A);
    for (int which = MF_EIGH_SMALLEST; which <= MF_EIGH_LARGEST; which++) {
        dense_op d = {n, A, 0, 0, 0};
        check_lanczos(&d, exact, which, 5, which == MF_EIGH_LARGEST ? TL_COLMAJOR : TL_PADDED_ROW,
                      NULL, 1e-10);
        print_message("n = 500 %s 5: %lld products\n", which == MF_EIGH_LARGEST ? "largest" : "smallest",
                      (long long)d.calls);
    }
    free(A);
    free(exact);
    free(lambda);
}

static void test_lanczos_clusters_multiplicity_and_restarts(void **state) {
    (void)state;
    trng r = trng_new(402);
    const int64_t n = 500;
    double *lambda = malloc((size_t)n * sizeof(double));
    /* uniformly spread spectrum: slow convergence, forces restarts with a small basis */
    for (int64_t i = 0; i < n; i++)
        lambda[i] = (double)i / (double)n + 0.3 * (i > n - 3 ? 1.0 : 0.0);
    double *A = with_spectrum(n, lambda, &r), *exact = eigh_values(n, A);
    dense_op d = {n, A, 0, 0, 0};
    mf_lanczos_options o = {1e-8, 40, 200, 7};
    check_lanczos(&d, exact, MF_EIGH_LARGEST, 2, TL_ROWMAJOR, &o, 1e-8);
    /* identity plus a rank-one term: eigenvalue 1 with multiplicity n - 1,
     * found by the breakdown rule */
    const int64_t m = 60;
    double *B1 = calloc((size_t)(m * m), sizeof(double));
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < m; j++)
            B1[i + j * m] = (i == j ? 1.0 : 0.0) + 2.0 / (double)m;
    double *ex2 = eigh_values(m, B1);
    dense_op d2 = {m, B1, 0, 0, 0};
    check_lanczos(&d2, ex2, MF_EIGH_LARGEST, 4, TL_STRIDED, NULL, 1e-12);
    check_lanczos(&d2, ex2, MF_EIGH_SMALLEST, 3, TL_COLMAJOR, NULL, 1e-12);
    /* k = n: everything, exact */
    check_lanczos(&d2, ex2, MF_EIGH_SMALLEST, m, TL_COLMAJOR, NULL, 1e-12);
    /* the zero operator */
    memset(B1, 0, (size_t)(m * m) * sizeof(double));
    double zeros[60] = {0};
    dense_op d3 = {m, B1, 0, 0, 0};
    check_lanczos(&d3, zeros, MF_EIGH_SMALLEST, 2, TL_COLMAJOR, NULL, 0.0);
    free(B1);
    free(ex2);
    free(A);
    free(exact);
    free(lambda);
}

static void test_lanczos_deterministic_and_values_only(void **state) {
    (void)state;
    trng r = trng_new(403);
    const int64_t n = 120;
    double lambda[120];
    for (int64_t i = 0; i < n; i++)
        lambda[i] = trng_normal(&r);
    double *A = with_spectrum(n, lambda, &r);
    double w1[3], w2[3], w3[3];
    mf_matrix W1, W2, W3;
    mf_view_colmajor(&W1, w1, 3, 1, 3, MF_F64);
    mf_view_colmajor(&W2, w2, 3, 1, 3, MF_F64);
    mf_view_rowmajor(&W3, w3, 1, 3, 3, MF_F64);
    dense_op d = {n, A, 0, 0, 0};
    assert_ok(mf_lanczos(n, apply_dense, &d, MF_EIGH_LARGEST, 3, &W1, NULL));
    const int64_t calls = d.calls;
    d.calls = 0;
    assert_ok(mf_lanczos(n, apply_dense, &d, MF_EIGH_LARGEST, 3, &W2, NULL));
    assert_true(d.calls == calls);
    assert_memory_equal(w1, w2, sizeof w1);
    mf_lanczos_options o = {0, 0, 0, 12345};
    assert_ok(mf_lanczos_ex(n, apply_dense, &d, MF_EIGH_LARGEST, 3, &o, &W3, NULL, NULL));
    double *exact = eigh_values(n, A);
    for (int i = 0; i < 3; i++) /* another seed, the same values */
        assert_le(fabs(w3[i] - exact[n - 3 + i]), 1e-9 * max_abs_eig(n, exact));
    /* n = 0 and k = 0 */
    mf_matrix E;
    mf_view_colmajor(&E, NULL, 0, 1, 1, MF_F64);
    assert_ok(mf_lanczos(0, apply_dense, &d, MF_EIGH_LARGEST, 0, &E, NULL));
    d.calls = 0;
    assert_ok(mf_lanczos(n, apply_dense, &d, MF_EIGH_SMALLEST, 0, &E, NULL));
    assert_true(d.calls == 0);
    free(exact);
    free(A);
}

static void test_lanczos_failures_write_nothing(void **state) {
    (void)state;
    trng r = trng_new(404);
    const int64_t n = 80;
    double lambda[80];
    for (int64_t i = 0; i < n; i++)
        lambda[i] = (double)i;
    double *A = with_spectrum(n, lambda, &r);
    tm W = tm_new(2, 1, MF_F64, TL_COLMAJOR), V = tm_new(n, 2, MF_F64, TL_COLMAJOR);
    double *sw = tm_snapshot(&W), *sv = tm_snapshot(&V);
    for (int64_t at = 1; at <= 40; at += 13) {
        dense_op d = {n, A, 0, at, 0};
        assert_status(mf_lanczos(n, apply_dense, &d, MF_EIGH_LARGEST, 2, &W.m, &V.m), MF_ECALLBACK);
        assert_last_error_mentions("returned 9");
        assert_true(d.calls == at);
        dense_op e = {n, A, 0, 0, at};
        assert_status(mf_lanczos(n, apply_dense, &e, MF_EIGH_LARGEST, 2, &W.m, &V.m), MF_ENONFINITE);
        assert_last_error_mentions("NaN or Inf");
    }
    /* not converged: tiny basis, no restarts allowed beyond 1 */
    dense_op d = {n, A, 0, 0, 0};
    mf_lanczos_options o = {1e-14, 3, 1, 0};
    assert_status(mf_lanczos_ex(n, apply_dense, &d, MF_EIGH_LARGEST, 2, &o, &W.m, &V.m, NULL),
                  MF_ENOCONV);
    assert_last_error_mentions("restarts");
    assert_true(tm_unchanged(&W, sw) && tm_unchanged(&V, sv));
    free(sw);
    free(sv);
    tm_free(&W);
    tm_free(&V);
    free(A);
}

/* ---------- trace ---------- */

static void test_trace_within_4_standard_errors(void **state) {
    (void)state;
    trng r = trng_new(405);
    const int64_t n = 300;
    double *lambda = malloc((size_t)n * sizeof(double)), exact = 0.0;
    /* decaying PSD spectrum (where Hutch++ shines) and an indefinite one */
    for (int kind = 0; kind < 2; kind++) {
        exact = 0.0;
        for (int64_t i = 0; i < n; i++) {
            lambda[i] = kind == 0 ? 100.0 / pow((double)(i + 1), 1.5) : trng_normal(&r) + 0.2;
            exact += lambda[i];
        }
        double *A = with_spectrum(n, lambda, &r);
        for (int method = MF_TRACE_HUTCHPP; method <= MF_TRACE_HUTCHINSON; method++)
            for (uint64_t seed = 1; seed <= 5; seed++) {
                dense_op d = {n, A, 0, 0, 0};
                mf_trace_options o = {method, 0, 90, seed};
                mf_trace_info info;
                double t = 0.0;
                assert_ok(mf_trace_estimate_ex(n, apply_dense, &d, &o, &t, &info));
                assert_true(info.matvecs == 90 && d.calls == 90);
                assert_true(info.probes == (method == MF_TRACE_HUTCHPP ? 30 : 90));
                assert_true(info.std_error > 0.0);
                if (!(fabs(t - exact) <= 4.0 * info.std_error))
                    fail_msg("kind %d method %d seed %llu: estimate %.6g, exact %.6g, std error %.3g",
                             kind, method, (unsigned long long)seed, t, exact, info.std_error);
                /* bit-identical for the same seed */
                double t2 = 0.0;
                assert_ok(mf_trace_estimate_ex(n, apply_dense, &d, &o, &t2, NULL));
                assert_true(t2 == t);
            }
        free(A);
    }
    free(lambda);
}

static void test_trace_exact_cases(void **state) {
    (void)state;
    trng r = trng_new(406);
    const int64_t n = 15;
    double lambda[15], exact = 0.0;
    for (int64_t i = 0; i < n; i++) {
        lambda[i] = trng_normal(&r);
        exact += lambda[i];
    }
    double *A = with_spectrum(n, lambda, &r);
    dense_op d = {n, A, 0, 0, 0};
    double t = 0.0, se = -1.0;
    /* default Hutch++ budget 60: sketch of 20 >= n, exact in n products */
    assert_ok(mf_trace_estimate(n, apply_dense, &d, &t, &se));
    assert_le(fabs(t - exact), 1e-12 * n);
    assert_true(se == 0.0 && d.calls == n);
    /* Hutchinson on a diagonal matrix is exact: z^T D z = tr D */
    double D[9] = {1, 0, 0, 0, -2, 0, 0, 0, 5};
    dense_op dd = {3, D, 0, 0, 0};
    mf_trace_options o = {MF_TRACE_HUTCHINSON, 0, 7, 3};
    mf_trace_info info;
    assert_ok(mf_trace_estimate_ex(3, apply_dense, &dd, &o, &t, &info));
    assert_true(t == 4.0 && info.std_error == 0.0 && info.probes == 7);
    /* n = 0 */
    assert_ok(mf_trace_estimate(0, apply_dense, &d, &t, NULL));
    assert_true(t == 0.0);
    free(A);
}

static void test_trace_failures_and_errors(void **state) {
    (void)state;
    double D[16] = {1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 3, 0, 0, 0, 0, 4};
    double t = -99.0, se = -99.0;
    for (int method = MF_TRACE_HUTCHPP; method <= MF_TRACE_HUTCHINSON; method++)
        for (int64_t at = 1; at <= 9; at += 4) {
            mf_trace_options o = {method, 0, 9, 0};
            dense_op d = {4, D, 0, at, 0};
            assert_status(mf_trace_estimate_ex(4, apply_dense, &d, &o, &t, NULL), MF_ECALLBACK);
            dense_op e = {4, D, 0, 0, at};
            assert_status(mf_trace_estimate_ex(4, apply_dense, &e, &o, &t, NULL), MF_ENONFINITE);
        }
    dense_op d = {4, D, 0, 0, 0};
    assert_status(mf_trace_estimate(-1, apply_dense, &d, &t, &se), MF_EINVAL);
    assert_status(mf_trace_estimate(4, NULL, &d, &t, &se), MF_EINVAL);
    assert_status(mf_trace_estimate(4, apply_dense, &d, NULL, &se), MF_EINVAL);
    const mf_trace_options bad[] = {{3, 0, 0, 0}, {0, 1, 0, 0}, {1, 0, 5, 0}, {2, 0, 1, 0},
                                    {0, 0, -4, 0}};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
        assert_status(mf_trace_estimate_ex(4, apply_dense, &d, &bad[k], &t, NULL), MF_EINVAL);
    assert_last_error_mentions("matvecs");
    assert_true(t == -99.0 && se == -99.0 && d.calls == 0);
}

/* ---------- stochastic Lanczos quadrature ---------- */

static void test_slq_moments_and_density(void **state) {
    (void)state;
    trng r = trng_new(407);
    const int64_t n = 400, probes = 12, steps = 25;
    double *lambda = malloc((size_t)n * sizeof(double));
    double tr = 0.0, tr2 = 0.0;
    for (int64_t i = 0; i < n; i++) {
        lambda[i] = i < 5 ? 20.0 + 5.0 * (double)i : 0.5 * trng_normal(&r);
        tr += lambda[i];
        tr2 += lambda[i] * lambda[i];
    }
    double *A = with_spectrum(n, lambda, &r), *exact = eigh_values(n, A);
    dense_op d = {n, A, 0, 0, 0};
    tm N = tm_new(probes * steps, 1, MF_F64, TL_COLMAJOR),
       W = tm_new(1, probes * steps, MF_F64, TL_PADDED_ROW);
    mf_slq_options o = {probes, steps, 77};
    int64_t count = 0;
    assert_ok(mf_slq(n, apply_dense, &d, &o, &N.m, &W.m, &count));
    assert_true(count == probes * steps && d.calls == probes * steps);
    double wsum = 0.0, m1 = 0.0, m2 = 0.0, nmin = INFINITY, nmax = -INFINITY;
    for (int64_t i = 0; i < probes * steps; i++) {
        const double th = creal(tm_get(&N, i, 0)), w = creal(tm_get(&W, 0, i));
        assert_true(w >= 0.0);
        wsum += w;
        m1 += w * th;
        m2 += w * th * th;
        nmin = fmin(nmin, th);
        nmax = fmax(nmax, th);
    }
    assert_le(fabs(wsum - 1.0), 1e-12);
    /* Gauss nodes lie inside the spectrum; the extreme ones converge */
    assert_true(nmin >= exact[0] - 1e-9 && nmax <= exact[n - 1] + 1e-9);
    assert_le(fabs(nmax - exact[n - 1]), 1e-8 * exact[n - 1]);
    /* n m1 and n m2 are Hutchinson estimates of tr A and tr A^2: check them
     * against the exact traces with a generous statistical margin */
    print_message("slq: n m1 = %.4f (tr %.4f), n m2 = %.2f (tr A^2 %.2f)\n", n * m1, tr, n * m2, tr2);
    assert_le(fabs(n * m1 - tr), 0.25 * tr2 / sqrt((double)n));
    assert_le(fabs(n * m2 - tr2), 0.5 * tr2);
    /* deterministic */
    tm N2 = tm_new(probes * steps, 1, MF_F64, TL_COLMAJOR), W2 = tm_new(probes * steps, 1, MF_F64, TL_COLMAJOR);
    assert_ok(mf_slq(n, apply_dense, &d, &o, &N2.m, &W2.m, NULL));
    for (int64_t i = 0; i < probes * steps; i++)
        assert_true(creal(tm_get(&N, i, 0)) == creal(tm_get(&N2, i, 0)) &&
                    creal(tm_get(&W, 0, i)) == creal(tm_get(&W2, i, 0)));
    /* smoothed density integrates to ~1 over a grid covering the spectrum */
    const int64_t g = 2001;
    tm T = tm_new(g, 1, MF_F64, TL_COLMAJOR), Dn = tm_new(g, 1, MF_F64, TL_STRIDED);
    const double lo = exact[0] - 3.0, hi = exact[n - 1] + 3.0, dt = (hi - lo) / (double)(g - 1);
    for (int64_t i = 0; i < g; i++)
        tm_set(&T, i, 0, lo + dt * (double)i);
    assert_ok(mf_slq_density(&N2.m, &W2.m, 0.3, &T.m, &Dn.m));
    double integral = 0.0;
    for (int64_t i = 0; i < g; i++)
        integral += creal(tm_get(&Dn, i, 0)) * dt;
    assert_le(fabs(integral - 1.0), 1e-3);
    /* in place over the grid */
    assert_ok(mf_slq_density(&N2.m, &W2.m, 0.3, &T.m, &T.m));
    for (int64_t i = 0; i < g; i += 100)
        assert_le(fabs(creal(tm_get(&T, i, 0)) - creal(tm_get(&Dn, i, 0))), 1e-15);
    tm *all[] = {&N, &W, &N2, &W2, &T, &Dn};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
        tm_free(all[k]);
    free(A);
    free(exact);
    free(lambda);
}

/* A tiny sigma: at a node the density w / (sigma sqrt(2 pi)) is beyond the
 * double range, which is MF_EOVERFLOW with the density untouched; away from
 * every node it underflows to 0 (not 0 * Inf = NaN), which is success. */
static void test_slq_density_overflow_refused(void **state) {
    (void)state;
    double nodes[2] = {0.0, 1.0}, weights[2] = {0.5, 0.5}, grid[3] = {0.25, 1.0, 0.5};
    double dens[3] = {-1.0, -1.0, -1.0};
    mf_matrix N, W, G, D;
    assert_ok(mf_view_colmajor(&N, nodes, 2, 1, 2, MF_F64));
    assert_ok(mf_view_colmajor(&W, weights, 2, 1, 2, MF_F64));
    assert_ok(mf_view_colmajor(&G, grid, 3, 1, 3, MF_F64));
    assert_ok(mf_view_colmajor(&D, dens, 3, 1, 3, MF_F64));
    assert_status(mf_slq_density(&N, &W, 1e-320, &G, &D), MF_EOVERFLOW);
    assert_last_error_mentions("mf_slq_density");
    assert_last_error_mentions("(1, 0)");
    assert_true(dens[0] == -1.0 && dens[1] == -1.0 && dens[2] == -1.0);
    /* in place over the grid: the grid survives the failure */
    assert_status(mf_slq_density(&N, &W, 1e-320, &G, &G), MF_EOVERFLOW);
    assert_true(grid[0] == 0.25 && grid[1] == 1.0 && grid[2] == 0.5);
    grid[1] = 0.75;
    assert_ok(mf_slq_density(&N, &W, 1e-320, &G, &D));
    assert_true(dens[0] == 0.0 && dens[1] == 0.0 && dens[2] == 0.0);
    assert_ok(mf_slq_density(&N, &W, 0.5, &G, &D));
    for (int i = 0; i < 3; i++)
        assert_true(dens[i] > 0.0 && isfinite(dens[i]));
}

static void test_slq_small_invariant_spaces(void **state) {
    (void)state;
    /* diag(1, 1, 2, 2, 2): every Krylov space has dimension <= 2, so probes
     * stop early and pad with zero weights */
    double D[25] = {0};
    const double diag[5] = {1, 1, 2, 2, 2};
    for (int i = 0; i < 5; i++)
        D[i * 6] = diag[i];
    dense_op d = {5, D, 0, 0, 0};
    double nodes[15], weights[15];
    mf_matrix Nm, Wm;
    mf_view_colmajor(&Nm, nodes, 15, 1, 15, MF_F64);
    mf_view_colmajor(&Wm, weights, 15, 1, 15, MF_F64);
    mf_slq_options o = {3, 5, 0};
    int64_t count = 0;
    assert_ok(mf_slq(5, apply_dense, &d, &o, &Nm, &Wm, &count));
    assert_true(count == 6);
    double wsum = 0.0, m1 = 0.0;
    for (int i = 0; i < 15; i++) {
        wsum += weights[i];
        m1 += weights[i] * nodes[i];
        if (i % 5 >= 2)
            assert_true(nodes[i] == 0.0 && weights[i] == 0.0);
    }
    assert_le(fabs(wsum - 1.0), 1e-14);
    assert_le(fabs(5.0 * m1 - 8.0), 1e-12); /* Rademacher probes: exact trace of a diagonal */
}

static void test_slq_errors(void **state) {
    (void)state;
    double D[4] = {1, 0, 0, 2};
    double buf[8], buf2[8];
    mf_matrix Nm, Wm, Short, Z;
    mf_view_colmajor(&Nm, buf, 4, 1, 4, MF_F64);
    mf_view_colmajor(&Wm, buf2, 4, 1, 4, MF_F64);
    mf_view_colmajor(&Short, buf2, 3, 1, 3, MF_F64);
    mf_view_colmajor(&Z, buf2, 4, 1, 4, MF_C128);
    mf_slq_options o = {2, 2, 0};
    for (int at = 1; at <= 4; at += 3) {
        dense_op d = {2, D, 0, at, 0};
        assert_status(mf_slq(2, apply_dense, &d, &o, &Nm, &Wm, NULL), MF_ECALLBACK);
        dense_op e = {2, D, 0, 0, at};
        assert_status(mf_slq(2, apply_dense, &e, &o, &Nm, &Wm, NULL), MF_ENONFINITE);
    }
    dense_op d = {2, D, 0, 0, 0};
    assert_status(mf_slq(0, apply_dense, &d, &o, &Nm, &Wm, NULL), MF_EINVAL);
    assert_status(mf_slq(2, NULL, &d, &o, &Nm, &Wm, NULL), MF_EINVAL);
    assert_status(mf_slq(2, apply_dense, &d, &o, NULL, &Wm, NULL), MF_EINVAL);
    assert_status(mf_slq(2, apply_dense, &d, &o, &Nm, &Short, NULL), MF_EDIM);
    assert_status(mf_slq(2, apply_dense, &d, &o, &Nm, &Z, NULL), MF_EDTYPE);
    assert_status(mf_slq(2, apply_dense, &d, &o, &Nm, &Nm, NULL), MF_EALIAS);
    const mf_slq_options bad[] = {{-1, 2, 0}, {2, -1, 0}, {2, 3, 0}};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
        assert_status(mf_slq(2, apply_dense, &d, &bad[k], &Nm, &Wm, NULL), MF_EINVAL);
    assert_true(d.calls == 0);
    /* density */
    double g[4] = {0, 1, 2, 3}, out[3] = {7, 7, 7};
    mf_matrix G, O, O2, Gshift;
    mf_view_colmajor(&G, g, 3, 1, 3, MF_F64);
    mf_view_colmajor(&O, out, 3, 1, 3, MF_F64);
    mf_view_colmajor(&O2, out, 2, 1, 2, MF_F64);
    mf_view_colmajor(&Gshift, g + 1, 3, 1, 3, MF_F64);
    buf[0] = buf[1] = buf[2] = buf[3] = 0.5;
    buf2[0] = buf2[1] = buf2[2] = buf2[3] = 0.25;
    assert_status(mf_slq_density(&Nm, &Wm, 0.0, &G, &O), MF_EINVAL);
    assert_status(mf_slq_density(&Nm, &Wm, NAN, &G, &O), MF_EINVAL);
    assert_status(mf_slq_density(&Nm, &Short, 1.0, &G, &O), MF_EDIM);
    assert_status(mf_slq_density(&Nm, &Wm, 1.0, &G, &O2), MF_EDIM);
    assert_status(mf_slq_density(NULL, &Wm, 1.0, &G, &O), MF_EINVAL);
    assert_status(mf_slq_density(&Nm, &Wm, 1.0, &G, NULL), MF_EINVAL);
    assert_status(mf_slq_density(&Nm, &Wm, 1.0, &G, &Gshift), MF_EALIAS);
    buf[1] = INFINITY;
    assert_status(mf_slq_density(&Nm, &Wm, 1.0, &G, &O), MF_ENONFINITE);
    assert_true(out[0] == 7 && out[1] == 7 && out[2] == 7);
}

/* ---------- allocation failure ---------- */

typedef struct sweep_ctx {
    int which;
    dense_op *d;
    tm *W, *V;
} sweep_ctx;

static mf_status call_spectral(void *p) {
    sweep_ctx *s = p;
    s->d->calls = 0;
    const int64_t n = s->d->n;
    switch (s->which) {
    case 0: return mf_lanczos(n, apply_dense, s->d, MF_EIGH_LARGEST, 2, &s->W->m, &s->V->m);
    case 1: {
        mf_lanczos_options o = {1e-8, 6, 100, 0};
        return mf_lanczos_ex(n, apply_dense, s->d, MF_EIGH_SMALLEST, 2, &o, &s->W->m, NULL, NULL);
    }
    case 2: {
        double t;
        mf_trace_options o = {MF_TRACE_HUTCHPP, 0, 12, 0};
        return mf_trace_estimate_ex(n, apply_dense, s->d, &o, &t, NULL);
    }
    case 3: {
        double t;
        mf_trace_options o = {MF_TRACE_HUTCHINSON, 0, 5, 0};
        return mf_trace_estimate_ex(n, apply_dense, s->d, &o, &t, NULL);
    }
    case 4: {
        mf_slq_options o = {2, 5, 0};
        return mf_slq(n, apply_dense, s->d, &o, &s->V->m, &s->W->m, NULL);
    }
    default: {
        double t;
        return mf_trace_estimate(n, apply_dense, s->d, &t, NULL); /* exact path */
    }
    }
}

static void test_allocation_failures(void **state) {
    (void)state;
    trng r = trng_new(408);
    const int64_t n = 16;
    double lambda[16];
    for (int64_t i = 0; i < n; i++)
        lambda[i] = (double)i - 5.0;
    double *A = with_spectrum(n, lambda, &r);
    for (int which = 0; which < 6; which++) {
        dense_op d = {n, A, 0, 0, 0};
        tm W = which == 4 ? tm_new(10, 1, MF_F64, TL_COLMAJOR) : tm_new(2, 1, MF_F64, TL_COLMAJOR);
        tm V = which == 4 ? tm_new(10, 1, MF_F64, TL_STRIDED) : tm_new(n, 2, MF_F64, TL_ROWMAJOR);
        sweep_ctx s = {which, &d, &W, &V};
        tm *outs[] = {&W, &V};
        assert_true(tsweep_alloc_failures(call_spectral, &s, outs, 2) >= 1);
        tm_free(&W);
        tm_free(&V);
    }
    free(A);
}

/* ---------- argument errors of mf_lanczos ---------- */

static void test_lanczos_error_paths(void **state) {
    (void)state;
    double D[9] = {1, 0, 0, 0, 2, 0, 0, 0, 3};
    dense_op d = {3, D, 0, 0, 0};
    tm W = tm_new(2, 1, MF_F64, TL_COLMAJOR), V = tm_new(3, 2, MF_F64, TL_COLMAJOR),
       W3 = tm_new(3, 1, MF_F64, TL_COLMAJOR), V3 = tm_new(3, 3, MF_F64, TL_COLMAJOR),
       Z = tm_new(2, 1, MF_C128, TL_COLMAJOR);
    double *sw = tm_snapshot(&W), *sv = tm_snapshot(&V);
    assert_status(mf_lanczos(-1, apply_dense, &d, MF_EIGH_LARGEST, 2, &W.m, &V.m), MF_EINVAL);
    assert_status(mf_lanczos(3, NULL, &d, MF_EIGH_LARGEST, 2, &W.m, &V.m), MF_EINVAL);
    assert_status(mf_lanczos(3, apply_dense, &d, MF_EIGH_INTERVAL, 2, &W.m, &V.m), MF_EINVAL);
    assert_last_error_mentions("which");
    assert_status(mf_lanczos(3, apply_dense, &d, MF_EIGH_LARGEST, 4, &W.m, &V.m), MF_EINVAL);
    assert_status(mf_lanczos(3, apply_dense, &d, MF_EIGH_LARGEST, -1, &W.m, &V.m), MF_EINVAL);
    assert_status(mf_lanczos(3, apply_dense, &d, MF_EIGH_LARGEST, 2, NULL, &V.m), MF_EINVAL);
    assert_status(mf_lanczos(3, apply_dense, &d, MF_EIGH_LARGEST, 2, &W3.m, &V.m), MF_EDIM);
    assert_status(mf_lanczos(3, apply_dense, &d, MF_EIGH_LARGEST, 2, &W.m, &V3.m), MF_EDIM);
    assert_status(mf_lanczos(3, apply_dense, &d, MF_EIGH_LARGEST, 2, &Z.m, &V.m), MF_EDTYPE);
    mf_matrix vcol = V.m;
    vcol.cols = 1;
    vcol.rows = 2;
    assert_status(mf_lanczos(3, apply_dense, &d, MF_EIGH_LARGEST, 2, &vcol, &V.m), MF_EALIAS);
    const mf_lanczos_options bad[] = {{-1, 0, 0, 0}, {NAN, 0, 0, 0}, {0, -1, 0, 0}, {0, 0, -1, 0},
                                      {0, 2, 0, 0}};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
        assert_status(mf_lanczos_ex(3, apply_dense, &d, MF_EIGH_LARGEST, 2, &bad[k], &W.m, &V.m, NULL),
                      MF_EINVAL);
    assert_true(d.calls == 0);
    assert_true(tm_unchanged(&W, sw) && tm_unchanged(&V, sv));
    free(sw);
    free(sv);
    tm *all[] = {&W, &V, &W3, &V3, &Z};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
        tm_free(all[k]);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lanczos_against_eigh_n500),
        cmocka_unit_test(test_lanczos_clusters_multiplicity_and_restarts),
        cmocka_unit_test(test_lanczos_deterministic_and_values_only),
        cmocka_unit_test(test_lanczos_failures_write_nothing),
        cmocka_unit_test(test_lanczos_error_paths),
        cmocka_unit_test(test_trace_within_4_standard_errors),
        cmocka_unit_test(test_trace_exact_cases),
        cmocka_unit_test(test_trace_failures_and_errors),
        cmocka_unit_test(test_slq_moments_and_density),
        cmocka_unit_test(test_slq_density_overflow_refused),
        cmocka_unit_test(test_slq_small_invariant_spaces),
        cmocka_unit_test(test_slq_errors),
        cmocka_unit_test(test_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
