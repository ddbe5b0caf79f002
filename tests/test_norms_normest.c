/* Block 1-norm estimation: mf_normest1, mf_normest1_op, mf_normest1_pow and
 * the packed power entry points. The estimate is checked against the exact
 * 1-norm (a lower bound up to roundoff, usually within a factor 3), for
 * exactness where the estimator computes the norm directly, determinism over
 * runs and layouts, agreement between the matrix and operator forms, powers
 * against the explicitly formed power, every error path with the output
 * untouched, and allocation failure at every allocation. */
#include "testutil.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "norms/normest.h"

static const double UNTOUCHED = -12345.0;

/* a^p, dense. */
static tz *dense_power(int64_t n, const tz *a, int64_t p) {
    tz *r = tz_identity(n), *t = tz_alloc(n * n);
    for (int64_t k = 0; k < p; k++) {
        tz_matmul(n, n, n, a, r, t);
        tz *s = r;
        r = t;
        t = s;
    }
    free(t);
    return r;
}

/* est / exact must lie in [1/3, 1 + 1e-12] (the estimate is a lower bound). */
static void assert_good_estimate(double est, double exact, const char *what) {
    if (!(est <= exact * (1 + 1e-12)) || !(est >= exact / 3.0))
        fail_msg("%s: estimate %.17g against exact %.17g (ratio %.6f)", what, est, exact,
                 est / exact);
}

/* ---------- the matrix form ---------- */

static void test_random_matrices_lower_bound_within_3(void **state) {
    (void)state;
    trng r = trng_new(101);
    const int64_t sizes[] = {5, 8, 17, 40, 100};
    int cases = 0, exact_hits = 0;
    double worst = 1.0, sum = 0.0;
    for (int dt = MF_F64; dt <= MF_C128; dt++)
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
            for (int64_t t = 1; t <= 3; t++)
                for (int rep = 0; rep < 4; rep++) {
                    const int64_t n = sizes[s];
                    tm A = tm_new(n, n, dt, TL_COLMAJOR);
                    tm_fill_random(&A, &r);
                    tz *a = tm_to_dense(&A);
                    double est = UNTOUCHED, exact = tz_norm1(n, a);
                    assert_ok(mf_normest1(&A.m, t, &est));
                    assert_good_estimate(est, exact, "random");
                    cases++;
                    exact_hits += est >= exact * (1 - 1e-12);
                    worst = est / exact < worst ? est / exact : worst;
                    sum += est / exact;
                    free(a);
                    tm_free(&A);
                }
    /* Gaussian matrices have many columns of nearly equal norm, so exact
     * hits are not the rule; SciPy's onenormest, the same algorithm, gives a
     * mean ratio of about 0.94 with 40% exact hits on this mix. */
    print_message("normest1 random: %d cases, %d exact, mean ratio %.4f, worst %.4f\n", cases,
                  exact_hits, sum / cases, worst);
    assert_true(sum / cases >= 0.9);
}

/* Matrices that defeat the all-ones starting vector: every row and column
 * sums to zero, so A e = 0 and A^T e = 0. */
static tz *doubly_centred(int64_t n, bool cplx, trng *r) {
    tz *a = tz_random(n, n, cplx, r);
    for (int64_t j = 0; j < n; j++) {
        tz m = 0;
        for (int64_t i = 0; i < n; i++)
            m += a[i + j * n];
        for (int64_t i = 0; i < n; i++)
            a[i + j * n] -= m / (double)n;
    }
    for (int64_t i = 0; i < n; i++) {
        tz m = 0;
        for (int64_t j = 0; j < n; j++)
            m += a[i + j * n];
        for (int64_t j = 0; j < n; j++)
            a[i + j * n] -= m / (double)n;
    }
    return a;
}

static void test_hard_cases(void **state) {
    (void)state;
    trng r = trng_new(102);
    for (int dt = MF_F64; dt <= MF_C128; dt++)
        for (int64_t t = 1; t <= 4; t++) {
            const int64_t n = 30;
            tm A = tm_new(n, n, dt, TL_COLMAJOR);
            /* centred: the first block column is useless */
            tz *a = doubly_centred(n, dt == MF_C128, &r);
            tm_from_dense(&A, a);
            double est = UNTOUCHED;
            assert_ok(mf_normest1(&A.m, t, &est));
            assert_good_estimate(est, tz_norm1(n, a), "doubly centred");
            /* one heavy column hidden among small entries, orthogonal to e */
            for (int64_t k = 0; k < n * n; k++)
                a[k] *= 1e-3;
            for (int64_t i = 0; i < n; i++)
                a[i + 17 * n] = (i % 2 ? 1.0 : -1.0) * (1.0 + (double)i / n);
            tm_from_dense(&A, a);
            assert_ok(mf_normest1(&A.m, t, &est));
            assert_good_estimate(est, tz_norm1(n, a), "hidden column");
            /* nonnegative matrices: exact after one adjoint product (S = e) */
            for (int64_t k = 0; k < n * n; k++)
                a[k] = cabs(a[k]) + (double)(k % 7);
            tm_from_dense(&A, a);
            assert_ok(mf_normest1(&A.m, t, &est));
            assert_le(fabs(est - tz_norm1(n, a)), 1e-13 * tz_norm1(n, a));
            /* a Jordan-like bidiagonal with alternating signs */
            for (int64_t k = 0; k < n * n; k++)
                a[k] = 0;
            for (int64_t i = 0; i < n; i++) {
                a[i + i * n] = 1;
                if (i + 1 < n)
                    a[i + (i + 1) * n] = (i % 3 == 0 ? -2.0 : 1.5);
            }
            tm_from_dense(&A, a);
            assert_ok(mf_normest1(&A.m, t, &est));
            assert_good_estimate(est, tz_norm1(n, a), "bidiagonal");
            free(a);
            tm_free(&A);
        }
}

static void test_exact_for_wide_blocks_and_tiny_n(void **state) {
    (void)state;
    trng r = trng_new(103);
    for (int dt = MF_F64; dt <= MF_C128; dt++)
        for (int64_t n = 1; n <= 12; n++) {
            tm A = tm_new(n, n, dt, TL_PADDED_ROW);
            tm_fill_random(&A, &r);
            tz *a = tm_to_dense(&A);
            const double exact = tz_norm1(n, a);
            double est = UNTOUCHED;
            /* t >= n always; t = 1 for n <= 4 as well */
            assert_ok(mf_normest1(&A.m, n, &est));
            assert_le(fabs(est - exact), 4 * n * TEST_U * exact);
            assert_ok(mf_normest1(&A.m, n + 5, &est));
            assert_le(fabs(est - exact), 4 * n * TEST_U * exact);
            if (n <= 4) {
                assert_ok(mf_normest1(&A.m, 1, &est));
                assert_le(fabs(est - exact), 4 * n * TEST_U * exact);
            }
            free(a);
            tm_free(&A);
        }
}

static void test_deterministic_across_runs_and_layouts(void **state) {
    (void)state;
    trng r = trng_new(104);
    for (int dt = MF_F64; dt <= MF_C128; dt++) {
        const int64_t n = 60;
        tz *a = tz_random(n, n, dt == MF_C128, &r);
        double first = UNTOUCHED;
        for (int l = 0; l < TL_COUNT; l++) {
            tm A = tm_new(n, n, dt, (tlayout)l);
            tm_from_dense(&A, a);
            double snap = 0;
            double *sA = tm_snapshot(&A);
            for (int rep = 0; rep < 2; rep++) {
                double est = UNTOUCHED;
                assert_ok(mf_normest1(&A.m, 2, &est));
                if (l == 0 && rep == 0)
                    first = est;
                if (est != first)
                    fail_msg("layout %s run %d: %.17g differs from %.17g", tlayout_name((tlayout)l),
                             rep, est, first);
                assert_ok(mf_normest1_pow(&A.m, 3, &est));
                if (rep == 0)
                    snap = est;
                assert_true(est == snap);
            }
            assert_true(tm_unchanged(&A, sA)); /* never modifies its input */
            free(sA);
            tm_free(&A);
        }
        free(a);
    }
}

static void test_empty_and_zero(void **state) {
    (void)state;
    tm E = tm_new(0, 0, MF_C128, TL_COLMAJOR);
    double est = UNTOUCHED;
    assert_ok(mf_normest1(&E.m, 2, &est));
    assert_true(est == 0.0);
    est = UNTOUCHED;
    assert_ok(mf_normest1_pow(&E.m, 0, &est));
    assert_true(est == 0.0);
    tm Z = tm_new(9, 9, MF_F64, TL_STRIDED);
    tm_fill(&Z, 0.0);
    assert_ok(mf_normest1(&Z.m, 2, &est));
    assert_true(est == 0.0);
    assert_ok(mf_normest1_pow(&Z.m, 4, &est));
    assert_true(est == 0.0);
    assert_ok(mf_normest1_pow(&Z.m, 0, &est)); /* A^0 = I */
    assert_true(est == 1.0);
    tm_free(&E);
    tm_free(&Z);
}

static void test_overflowing_norm(void **state) {
    (void)state;
    for (int64_t n = 3; n <= 9; n += 6) { /* exact path and iteration */
        tm A = tm_new(n, n, MF_F64, TL_COLMAJOR);
        tm_fill(&A, 1.0);
        for (int64_t i = 0; i < n; i++)
            tm_set(&A, i, 1, 1e308);
        double est = UNTOUCHED;
        assert_status(mf_normest1(&A.m, 2, &est), MF_EOVERFLOW);
        assert_last_error_mentions("mf_normest1");
        /* n = 3: the exact column sums overflow; n = 9: S = e, so the
         * product A^H S itself overflows */
        assert_last_error_mentions(n == 3 ? "||A||_1 exceeds" : "overflowed");
        assert_true(est == UNTOUCHED);
        /* the root form fails only when the root itself is out of range:
         * ||A||_1 ~ n 1e308 for p = 1, and ||A^3||^(1/3) ~ n^(1/3) 1e308 */
        tz *a = tm_to_dense(&A);
        double *col = malloc((size_t)(n * n) * sizeof(double));
        for (int64_t k = 0; k < n * n; k++)
            col[k] = creal(a[k]);
        assert_status(mf__normest1_pow_root_packed("t", MF_F64, n, col, n, 1, &est), MF_EOVERFLOW);
        assert_true(est == UNTOUCHED);
        if (n == 9) {
            assert_status(mf__normest1_pow_root_packed("t", MF_F64, n, col, n, 3, &est),
                          MF_EOVERFLOW);
            assert_true(est == UNTOUCHED);
        } else {
            assert_ok(mf__normest1_pow_root_packed("t", MF_F64, n, col, n, 3, &est));
            assert_true(est > 1e308 && est <= DBL_MAX);
        }
        free(col);
        free(a);
        tm_free(&A);
    }
}

/* ---------- the operator form ---------- */

typedef struct dense_op {
    int64_t n;
    const tz *a;
    int32_t dtype;
    int calls;
    int fail_at;        /* return nonzero on this call (1-based), 0 never */
    int poison_at;      /* write a NaN (or Inf) on this call */
    double poison;
    int adjoint_calls;
} dense_op;

static int apply_dense(int64_t n, int64_t t, const double *X, double *Y, int adjoint, void *ctx) {
    dense_op *d = ctx;
    d->calls++;
    d->adjoint_calls += adjoint;
    if (d->calls == d->fail_at)
        return 7;
    const bool cplx = d->dtype == MF_C128;
    for (int64_t j = 0; j < t; j++)
        for (int64_t i = 0; i < n; i++) {
            tz s = 0;
            for (int64_t k = 0; k < n; k++) {
                tz x = cplx ? CMPLX(X[2 * (k + j * n)], X[2 * (k + j * n) + 1]) : X[k + j * n];
                tz m = adjoint ? conj(d->a[k + i * n]) : d->a[i + k * n];
                s += m * x;
            }
            if (cplx) {
                Y[2 * (i + j * n)] = creal(s);
                Y[2 * (i + j * n) + 1] = cimag(s);
            } else {
                Y[i + j * n] = creal(s);
            }
        }
    if (d->calls == d->poison_at)
        Y[cplx ? 2 * n * t - 1 : n * t - 1] = d->poison;
    return 0;
}

static void test_operator_form_equals_matrix_form(void **state) {
    (void)state;
    trng r = trng_new(105);
    for (int dt = MF_F64; dt <= MF_C128; dt++)
        for (int64_t t = 1; t <= 3; t++) {
            const int64_t sizes[] = {0, 3, 12, 50};
            for (size_t s = 0; s < 4; s++) {
                const int64_t n = sizes[s];
                tm A = tm_new(n, n, dt, TL_COLMAJOR);
                tm_fill_random(&A, &r);
                tz *a = tm_to_dense(&A);
                dense_op d = {n, a, dt, 0, 0, 0, 0, 0};
                double e_op = UNTOUCHED, e_mat = UNTOUCHED;
                assert_ok(mf_normest1_op(n, dt, apply_dense, &d, t, &e_op));
                assert_ok(mf_normest1(&A.m, t, &e_mat));
                /* same algorithm, different summation order in the products */
                assert_le(fabs(e_op - e_mat), 1e-13 * e_mat);
                if (n == 0)
                    assert_true(d.calls == 0 && e_op == 0.0);
                if (n == 50)
                    assert_true(d.adjoint_calls >= 1);
                free(a);
                tm_free(&A);
            }
        }
}

static void test_operator_overflowing_norm(void **state) {
    (void)state;
    /* finite products whose column sums leave the double range */
    for (int64_t n = 3; n <= 9; n += 6) {
        tz *a = tz_alloc(n * n);
        for (int64_t i = 0; i < n; i++)
            a[i + 2 * n] = 1e308;
        dense_op d = {n, a, MF_F64, 0, 0, 0, 0, 0};
        double est = UNTOUCHED;
        mf_status st = mf_normest1_op(n, MF_F64, apply_dense, &d, 1, &est);
        /* n = 9: the callback's own A^H S sum overflows, which it reports
         * as a non-finite product */
        assert_true(st == (n == 3 ? MF_EOVERFLOW : MF_ENONFINITE));
        assert_true(est == UNTOUCHED);
        free(a);
    }
}

static void test_operator_failures(void **state) {
    (void)state;
    trng r = trng_new(106);
    for (int dt = MF_F64; dt <= MF_C128; dt++)
        for (int64_t n = 3; n <= 30; n += 27) { /* exact path, iteration */
            tz *a = tz_random(n, n, dt == MF_C128, &r);
            /* fail on the first call (A X) and on the second (A^H S) */
            for (int at = 1; at <= (n > 4 ? 3 : 1); at++) {
                dense_op d = {n, a, dt, 0, at, 0, 0, 0};
                double est = UNTOUCHED;
                assert_status(mf_normest1_op(n, dt, apply_dense, &d, 2, &est), MF_ECALLBACK);
                assert_last_error_mentions("apply returned 7");
                assert_true(est == UNTOUCHED && d.calls == at);
                const double poisons[] = {NAN, INFINITY, -INFINITY};
                for (int p = 0; p < 3; p++) {
                    dense_op q = {n, a, dt, 0, 0, at, poisons[p], 0};
                    assert_status(mf_normest1_op(n, dt, apply_dense, &q, 2, &est), MF_ENONFINITE);
                    assert_last_error_mentions("NaN or Inf");
                    assert_true(est == UNTOUCHED);
                }
            }
            free(a);
        }
}

/* ---------- powers ---------- */

static void test_power_against_formed_power(void **state) {
    (void)state;
    trng r = trng_new(107);
    const int64_t powers[] = {0, 1, 2, 5};
    const int64_t sizes[] = {1, 3, 4, 7, 16, 40};
    for (int dt = MF_F64; dt <= MF_C128; dt++)
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
            for (size_t q = 0; q < 4; q++) {
                const int64_t n = sizes[s], p = powers[q];
                tm A = tm_new(n, n, dt, (tlayout)((s + q) % TL_COUNT));
                tm_fill_random(&A, &r);
                tz *a = tm_to_dense(&A), *ap = dense_power(n, a, p);
                const double exact = tz_norm1(n, ap);
                double est = UNTOUCHED;
                assert_ok(mf_normest1_pow(&A.m, p, &est));
                if (p == 0)
                    assert_true(est == 1.0);
                else if (n <= 4) /* computed exactly */
                    assert_le(fabs(est - exact), 1e-12 * exact);
                else
                    assert_good_estimate(est, exact, "power");
                free(a);
                free(ap);
                tm_free(&A);
            }
}

static void test_power_range(void **state) {
    (void)state;
    trng r = trng_new(108);
    const int64_t n = 12;
    tm A = tm_new(n, n, MF_F64, TL_ROWMAJOR);
    tm_fill_random(&A, &r);
    tz *a = tm_to_dense(&A);
    /* scale by 2^300: ||A^3|| ~ 2^900 is representable, ||A^4|| is not */
    for (int64_t k = 0; k < n * n; k++)
        a[k] = ldexp(creal(a[k]), 300);
    tm_from_dense(&A, a);
    double est = UNTOUCHED;
    assert_ok(mf_normest1_pow(&A.m, 3, &est));
    tz *small = tm_to_dense(&A);
    for (int64_t k = 0; k < n * n; k++)
        small[k] = ldexp(creal(small[k]), -300);
    tz *p3 = dense_power(n, small, 3);
    assert_good_estimate(ldexp(est, -900), tz_norm1(n, p3), "scaled power");
    est = UNTOUCHED;
    assert_status(mf_normest1_pow(&A.m, 4, &est), MF_EOVERFLOW);
    assert_last_error_mentions("mf_normest1_pow");
    assert_true(est == UNTOUCHED);

    /* the root form d_p = ||A^p||^(1/p) never overflows: for p = 6,
     * ||A^6|| ~ 2^1800 but its root ~ 2^300 */
    double root = UNTOUCHED;
    double *col = malloc((size_t)(n * n) * sizeof(double));
    for (int64_t j = 0; j < n; j++)
        for (int64_t i = 0; i < n; i++)
            col[i + j * n] = creal(a[i + j * n]);
    tz *p6 = dense_power(n, small, 6);
    assert_ok(mf__normest1_pow_root_packed("test", MF_F64, n, col, n, 6, &root));
    const double want = ldexp(pow(tz_norm1(n, p6), 1.0 / 6.0), 300);
    assert_true(root <= want * (1 + 1e-12) && root >= want * pow(1.0 / 3.0, 1.0 / 6.0));
    const double root_big = root;
    /* the packed power agrees with the public one on the same data */
    double e1 = UNTOUCHED, e2 = UNTOUCHED;
    assert_ok(mf__normest1_pow_packed("test", MF_F64, n, col, n, 3, &e1));
    assert_ok(mf_normest1_pow(&A.m, 3, &e2));
    assert_true(e1 == e2);
    assert_status(mf__normest1_pow_packed("test", MF_F64, n, col, n, 4, &e1), MF_EOVERFLOW);
    assert_status(mf__normest1_pow_root_packed("test", MF_F64, n, col, n, 0, &e1), MF_EINVAL);
    /* tiny matrices: the powers underflow without scaling, the root does not */
    for (int64_t k = 0; k < n * n; k++)
        col[k] = ldexp(col[k], -900);
    assert_ok(mf__normest1_pow_root_packed("test", MF_F64, n, col, n, 6, &root));
    assert_le(fabs(root - ldexp(root_big, -900)), 1e-14 * ldexp(root_big, -900));
    /* ||A^3|| ~ 2^-1800 underflows to 0 (not an error); its root does not */
    assert_ok(mf__normest1_pow_packed("test", MF_F64, n, col, n, 3, &e1));
    assert_true(e1 == 0.0);
    free(col);
    free(p6);
    free(p3);
    free(small);
    free(a);
    tm_free(&A);
}

/* ---------- errors ---------- */

static void test_error_paths(void **state) {
    (void)state;
    trng r = trng_new(109);
    tm A = tm_new(6, 6, MF_F64, TL_COLMAJOR), R = tm_new(6, 5, MF_C128, TL_COLMAJOR);
    tm_fill_random(&A, &r);
    tm_fill_random(&R, &r);
    double est = UNTOUCHED;
    dense_op d = {6, NULL, MF_F64, 0, 0, 0, 0, 0};

    assert_status(mf_normest1(NULL, 2, &est), MF_EINVAL);
    assert_status(mf_normest1(&A.m, 2, NULL), MF_EINVAL);
    assert_last_error_mentions("est");
    assert_status(mf_normest1(&A.m, 0, &est), MF_EINVAL);
    assert_last_error_mentions("t = 0");
    assert_status(mf_normest1(&A.m, -3, &est), MF_EINVAL);
    assert_status(mf_normest1(&R.m, 2, &est), MF_EDIM);
    assert_last_error_mentions("square");
    assert_status(mf_normest1_pow(&R.m, 2, &est), MF_EDIM);
    assert_status(mf_normest1_pow(NULL, 2, &est), MF_EINVAL);
    assert_status(mf_normest1_pow(&A.m, 2, NULL), MF_EINVAL);
    assert_status(mf_normest1_pow(&A.m, -1, &est), MF_EINVAL);
    assert_last_error_mentions("p = -1");
    mf_matrix bad = A.m;
    bad.dtype = 9;
    assert_status(mf_normest1(&bad, 2, &est), MF_EINVAL);
    assert_last_error_mentions("dtype");
    bad = A.m;
    bad.cs = 0;
    assert_status(mf_normest1_pow(&bad, 2, &est), MF_EINVAL);

    assert_status(mf_normest1_op(-1, MF_F64, apply_dense, &d, 2, &est), MF_EINVAL);
    assert_last_error_mentions("negative");
    assert_status(mf_normest1_op(6, 3, apply_dense, &d, 2, &est), MF_EINVAL);
    assert_last_error_mentions("dtype");
    assert_status(mf_normest1_op(6, MF_F64, NULL, &d, 2, &est), MF_EINVAL);
    assert_last_error_mentions("apply");
    assert_status(mf_normest1_op(6, MF_F64, apply_dense, &d, 2, NULL), MF_EINVAL);
    assert_status(mf_normest1_op(6, MF_F64, apply_dense, &d, 0, &est), MF_EINVAL);
    assert_true(d.calls == 0);

    for (int k = 0; k < 2; k++) {
        tm_set(&A, 4, 2, k == 0 ? NAN : -INFINITY);
        assert_status(mf_normest1(&A.m, 2, &est), MF_ENONFINITE);
        assert_last_error_mentions("non-finite");
        assert_status(mf_normest1_pow(&A.m, 3, &est), MF_ENONFINITE);
        assert_status(mf_normest1_pow(&A.m, 0, &est), MF_ENONFINITE);
    }
    assert_true(est == UNTOUCHED);

    static double one = 1.0;
    mf_matrix huge = {&one, (int64_t)1 << 31, (int64_t)1 << 31, 1, 1, MF_F64, 0};
    assert_status(mf_normest1(&huge, 2, &est), MF_EDIM);
    assert_last_error_mentions("32-bit");
    assert_true(est == UNTOUCHED);
    tm_free(&A);
    tm_free(&R);
}

/* ---------- allocation failure ---------- */

typedef struct sweep_ctx {
    tm *A;
    int which;
    int64_t param;
    dense_op *op;
} sweep_ctx;

static mf_status call_under_test(void *p) {
    sweep_ctx *c = p;
    double est = UNTOUCHED;
    mf_status st;
    switch (c->which) {
    case 0: st = mf_normest1(&c->A->m, c->param, &est); break;
    case 1: st = mf_normest1_pow(&c->A->m, c->param, &est); break;
    default:
        c->op->calls = 0;
        st = mf_normest1_op(c->op->n, c->op->dtype, apply_dense, c->op, c->param, &est);
        break;
    }
    assert_true(st == MF_OK ? est != UNTOUCHED : est == UNTOUCHED);
    return st;
}

static void test_allocation_failures(void **state) {
    (void)state;
    trng r = trng_new(110);
    const struct {
        int which;
        int64_t n, param;
        tlayout lay;
    } cases[] = {
        {0, 20, 2, TL_COLMAJOR}, {0, 20, 3, TL_STRIDED}, {0, 3, 2, TL_ROWMAJOR},
        {0, 6, 9, TL_PADDED_COL}, {1, 20, 5, TL_PADDED_ROW}, {1, 20, 1, TL_COLMAJOR},
        {1, 4, 2, TL_COLMAJOR}, {2, 20, 2, TL_COLMAJOR}, {2, 4, 2, TL_COLMAJOR},
    };
    for (int dt = MF_F64; dt <= MF_C128; dt++)
        for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
            tm A = tm_new(cases[k].n, cases[k].n, dt, cases[k].lay);
            tm_fill_random(&A, &r);
            tz *a = tm_to_dense(&A);
            dense_op d = {cases[k].n, a, dt, 0, 0, 0, 0, 0};
            sweep_ctx c = {&A, cases[k].which, cases[k].param, &d};
            int points = tsweep_alloc_failures(call_under_test, &c, NULL, 0);
            assert_true(points >= 1);
            free(a);
            tm_free(&A);
        }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_matrices_lower_bound_within_3),
        cmocka_unit_test(test_hard_cases),
        cmocka_unit_test(test_exact_for_wide_blocks_and_tiny_n),
        cmocka_unit_test(test_deterministic_across_runs_and_layouts),
        cmocka_unit_test(test_empty_and_zero),
        cmocka_unit_test(test_overflowing_norm),
        cmocka_unit_test(test_operator_form_equals_matrix_form),
        cmocka_unit_test(test_operator_overflowing_norm),
        cmocka_unit_test(test_operator_failures),
        cmocka_unit_test(test_power_against_formed_power),
        cmocka_unit_test(test_power_range),
        cmocka_unit_test(test_error_paths),
        cmocka_unit_test(test_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
