/* mf_expm_multiply: X = exp(tA) B against exp(tA) formed by the independent
 * Pade code of mf_expm_frechet (its expA output) times B, over both signs of
 * t, t = 0, one and many columns, small and large norms (the ||A||_1 and the
 * ||A^p||_1-estimate branches of the parameter choice), the shift, every
 * layout and dtype combination, in place, errors and allocation failures. */
#include "testutil.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static tz *random_with_norm(int64_t n, bool cplx, double norm1, trng *r) {
    tz *a = tz_random(n, n, cplx, r);
    const double scale = n > 0 ? norm1 / tz_norm1(n, a) : 1.0;
    for (int64_t k = 0; k < n * n; k++)
        a[k] *= scale;
    return a;
}

/* exp(t a) from mf_expm_frechet (scaling and squaring with Pade, no Taylor). */
static tz *reference_exp(int64_t n, const tz *a, double t) {
    tm A = tm_new(n, n, MF_C128, TL_COLMAJOR), E = tm_new(n, n, MF_C128, TL_COLMAJOR),
       X = tm_new(n, n, MF_C128, TL_COLMAJOR), L = tm_new(n, n, MF_C128, TL_COLMAJOR);
    tz *ta = tz_alloc(n * n);
    for (int64_t k = 0; k < n * n; k++)
        ta[k] = t * a[k];
    tm_from_dense(&A, ta);
    tm_fill(&E, 0.0);
    assert_ok(mf_expm_frechet(&A.m, &E.m, &X.m, &L.m));
    tz *x = tm_to_dense(&X);
    free(ta);
    tm_free(&A);
    tm_free(&E);
    tm_free(&X);
    tm_free(&L);
    return x;
}

/* ||X - exp(tA) B||_F / (||exp(tA)||_F ||B||_F): the error relative to the
 * size of the data the product is made of. Both the Taylor method and the
 * reference have backward errors of order u; the forward errors follow the
 * conditioning of exp(tA), mild for the random matrices used here. */
static double action_error(int64_t n, int64_t r, const tz *a, double t, const tz *b, const tz *x) {
    tz *e = reference_exp(n, a, t), *ref = tz_alloc(n * r);
    tz_matmul(n, n, r, e, b, ref);
    const double err = tz_diff_fro(n, r, x, ref) / (tz_norm_fro(n, n, e) * tz_norm_fro(n, r, b));
    free(e);
    free(ref);
    return err;
}

typedef struct action_case {
    int64_t n, r;
    int32_t dt_a, dt_b, dt_x;
    tlayout lay;
    double norm1, t;
} action_case;

static void check_action(const action_case *c, trng *rng) {
    const int64_t n = c->n, r = c->r;
    tz *a = random_with_norm(n, c->dt_a == MF_C128, c->norm1, rng);
    tz *b = tz_random(n, r, c->dt_b == MF_C128, rng);
    tm A = tm_new(n, n, c->dt_a, c->lay), B = tm_new(n, r, c->dt_b, c->lay),
       X = tm_new(n, r, c->dt_x, c->lay);
    tm_from_dense(&A, a);
    tm_from_dense(&B, b);
    double *sa = tm_snapshot(&A), *sb = tm_snapshot(&B);
    assert_ok(mf_expm_multiply(&A.m, &B.m, c->t, &X.m));
    assert_true(tm_unchanged(&A, sa) && tm_unchanged(&B, sb));
    assert_true(tm_padding_intact(&X));
    tz *x = tm_to_dense(&X);
    if (n * r > 0) {
        const double err = action_error(n, r, a, c->t, b, x);
        const double tol = 1e2 * (double)n * TEST_U * (1.0 + fabs(c->t) * c->norm1);
        if (!(err <= tol))
            fail_msg("n %lld r %lld dtypes %d %d %d %s norm %g t %g: error %.3e > %.3e",
                     (long long)n, (long long)r, c->dt_a, c->dt_b, c->dt_x, tlayout_name(c->lay),
                     c->norm1, c->t, err, tol);
    }
    if (c->dt_x == MF_C128 && c->dt_a == MF_F64 && c->dt_b == MF_F64)
        for (int64_t k = 0; k < n * r; k++)
            assert_true(cimag(x[k]) == 0.0);
    free(sa);
    free(sb);
    free(a);
    free(b);
    free(x);
    tm_free(&A);
    tm_free(&B);
    tm_free(&X);
}

/* Both signs of t and both branches of AH11 Code Fragment 3.1 (the
 * ||A||_1 branch below about 63 / r, the d_p-estimate branch above). */
static void test_action_accuracy(void **state) {
    (void)state;
    trng rng = trng_new(201);
    const double norms[] = {1e-3, 0.7, 5.0, 60.0, 400.0};
    const double ts[] = {1.0, -1.0, 0.3, -2.5};
    const int64_t rs[] = {1, 4};
    for (int dt = MF_F64; dt <= MF_C128; dt++)
        for (size_t k = 0; k < sizeof norms / sizeof norms[0]; k++)
            for (size_t q = 0; q < sizeof ts / sizeof ts[0]; q++)
                for (size_t c = 0; c < 2; c++) {
                    /* keep |t| ||A|| where exp(tA) stays representable */
                    const double t = norms[k] > 100 ? ts[q] / 4 : ts[q];
                    action_case ac = {12, rs[c], dt, dt, dt, TL_COLMAJOR, norms[k], t};
                    check_action(&ac, &rng);
                }
}

static void test_action_layouts_dtypes_sizes(void **state) {
    (void)state;
    trng rng = trng_new(202);
    const int32_t combos[][3] = {{MF_F64, MF_F64, MF_F64},   {MF_F64, MF_F64, MF_C128},
                                 {MF_F64, MF_C128, MF_C128}, {MF_C128, MF_F64, MF_C128},
                                 {MF_C128, MF_C128, MF_C128}};
    const int64_t shapes[][2] = {{0, 0}, {0, 3}, {3, 0}, {1, 1}, {1, 3}, {6, 1}, {6, 5}, {17, 2}};
    for (int lay = 0; lay < TL_COUNT; lay++)
        for (size_t d = 0; d < 5; d++)
            for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
                action_case ac = {shapes[s][0], shapes[s][1], combos[d][0], combos[d][1],
                                  combos[d][2], (tlayout)lay, s % 2 ? 3.0 : 90.0,
                                  s % 3 ? -0.8 : 1.1};
                check_action(&ac, &rng);
            }
}

/* t = 0 gives B exactly; so does A = 0. */
static void test_action_identity_cases(void **state) {
    (void)state;
    trng rng = trng_new(203);
    for (int dt = MF_F64; dt <= MF_C128; dt++) {
        tm A = tm_new(7, 7, dt, TL_ROWMAJOR), B = tm_new(7, 3, dt, TL_STRIDED),
           X = tm_new(7, 3, dt, TL_PADDED_COL);
        tm_fill_random(&A, &rng);
        tm_fill_random(&B, &rng);
        tz *b = tm_to_dense(&B);
        assert_ok(mf_expm_multiply(&A.m, &B.m, 0.0, &X.m));
        tz *x = tm_to_dense(&X);
        assert_true(tz_diff_fro(7, 3, x, b) == 0.0);
        free(x);
        tm_fill(&A, 0.0);
        assert_ok(mf_expm_multiply(&A.m, &B.m, -3.0, &X.m));
        x = tm_to_dense(&X);
        assert_true(tz_diff_fro(7, 3, x, b) == 0.0);
        free(x);
        free(b);
        tm_free(&A);
        tm_free(&B);
        tm_free(&X);
    }
}

/* The shift mu = trace(A)/n (AH11 Alg. 3.2, line 2): for A = c I + N the
 * Taylor steps only see N, and e^{tc} is applied exactly. With c = 750 the
 * factor e^750 alone exceeds the double range, yet exp(A) B is
 * representable for tiny B: the factor must be applied without forming it. */
static void test_action_shift(void **state) {
    (void)state;
    trng rng = trng_new(204);
    const int64_t n = 9, r = 2;
    for (int dt = MF_F64; dt <= MF_C128; dt++) {
        tz *nmat = random_with_norm(n, dt == MF_C128, 0.5, &rng), *b = tz_random(n, r, false, &rng);
        tz *a = tz_alloc(n * n);
        const tz c = dt == MF_C128 ? CMPLX(750.0, 3.0) : 750.0;
        for (int64_t k = 0; k < n * n; k++)
            a[k] = nmat[k];
        for (int64_t i = 0; i < n; i++)
            a[i + i * n] += c;
        tm A = tm_new(n, n, dt, TL_COLMAJOR), B = tm_new(n, r, dt, TL_COLMAJOR),
           X = tm_new(n, r, dt, TL_COLMAJOR);
        tm_from_dense(&A, a);
        for (int64_t j = 0; j < r; j++)
            for (int64_t i = 0; i < n; i++)
                tm_set(&B, i, j, b[i + j * n] * 1e-300);
        assert_ok(mf_expm_multiply(&A.m, &B.m, 1.0, &X.m));
        tz *x = tm_to_dense(&X);
        /* reference: exp(A) B = e^c exp(N) B */
        tz *en = reference_exp(n, nmat, 1.0), *ref = tz_alloc(n * r);
        tz_matmul(n, n, r, en, b, ref);
        const tz ec = cexp(c - 740.0); /* e^c = e^740 e^(c - 740), split to stay finite */
        double num = 0.0, den = 0.0;
        for (int64_t k = 0; k < n * r; k++) {
            const tz want = ref[k] * ec; /* exp(A) B 1e300 / e^740 */
            const tz got = x[k] / exp(740.0 / 2) / exp(740.0 / 2) * 1e300;
            num += cabs(got - want) * cabs(got - want);
            den += cabs(want) * cabs(want);
        }
        assert_le(sqrt(num / den), 1e3 * n * TEST_U);
        free(nmat);
        free(b);
        free(a);
        free(x);
        free(en);
        free(ref);
        tm_free(&A);
        tm_free(&B);
        tm_free(&X);
    }
}

/* A skew-symmetric matrix of norm 200: exp(tA) is orthogonal, so nothing
 * grows, but the Taylor method needs many steps (large-norm branch). */
static void test_action_large_norm_skew(void **state) {
    (void)state;
    trng rng = trng_new(205);
    const int64_t n = 16, r = 3;
    tz *g = tz_random(n, n, false, &rng), *a = tz_alloc(n * n), *b = tz_random(n, r, false, &rng);
    for (int64_t j = 0; j < n; j++)
        for (int64_t i = 0; i < n; i++)
            a[i + j * n] = g[i + j * n] - g[j + i * n];
    const double scale = 200.0 / tz_norm1(n, a);
    for (int64_t k = 0; k < n * n; k++)
        a[k] *= scale;
    for (int sign = -1; sign <= 1; sign += 2) {
        tm A = tm_new(n, n, MF_F64, TL_PADDED_ROW), B = tm_new(n, r, MF_F64, TL_COLMAJOR),
           X = tm_new(n, r, MF_F64, TL_COLMAJOR);
        tm_from_dense(&A, a);
        tm_from_dense(&B, b);
        assert_ok(mf_expm_multiply(&A.m, &B.m, sign * 1.0, &X.m));
        tz *x = tm_to_dense(&X);
        /* orthogonal: column norms are kept */
        assert_le(fabs(tz_norm_fro(n, r, x) - tz_norm_fro(n, r, b)), 1e-11 * tz_norm_fro(n, r, b));
        assert_le(action_error(n, r, a, sign * 1.0, b, x), 1e4 * n * TEST_U);
        free(x);
        tm_free(&A);
        tm_free(&B);
        tm_free(&X);
    }
    free(g);
    free(a);
    free(b);
}

static void test_action_in_place(void **state) {
    (void)state;
    trng rng = trng_new(206);
    const int64_t n = 8;
    for (int dt = MF_F64; dt <= MF_C128; dt++)
        for (int lay = 0; lay < TL_COUNT; lay++) {
            tz *a = random_with_norm(n, dt == MF_C128, 80.0, &rng), *b = tz_random(n, 3, dt == MF_C128, &rng);
            tm A = tm_new(n, n, dt, (tlayout)lay), B = tm_new(n, 3, dt, (tlayout)lay),
               X = tm_new(n, 3, dt, TL_COLMAJOR);
            tm_from_dense(&A, a);
            tm_from_dense(&B, b);
            assert_ok(mf_expm_multiply(&A.m, &B.m, -0.5, &X.m));
            tz *want = tm_to_dense(&X);
            assert_ok(mf_expm_multiply(&A.m, &B.m, -0.5, &B.m)); /* X is B */
            tz *got = tm_to_dense(&B);
            assert_true(tz_diff_fro(n, 3, got, want) == 0.0);
            free(got);
            /* X is A (r = n) */
            tz *bsq = tz_random(n, n, dt == MF_C128, &rng);
            tm Bs = tm_new(n, n, dt, TL_COLMAJOR), Xs = tm_new(n, n, dt, TL_COLMAJOR);
            tm_from_dense(&Bs, bsq);
            assert_ok(mf_expm_multiply(&A.m, &Bs.m, 0.25, &Xs.m));
            assert_ok(mf_expm_multiply(&A.m, &Bs.m, 0.25, &A.m));
            tz *w = tm_to_dense(&Xs), *g = tm_to_dense(&A);
            assert_true(tz_diff_fro(n, n, g, w) == 0.0);
            free(w);
            free(g);
            free(bsq);
            tm_free(&Bs);
            tm_free(&Xs);
            free(a);
            free(b);
            free(want);
            tm_free(&A);
            tm_free(&B);
            tm_free(&X);
        }
}

static void test_action_errors(void **state) {
    (void)state;
    trng rng = trng_new(207);
    tm A = tm_new(4, 4, MF_F64, TL_COLMAJOR), Az = tm_new(4, 4, MF_C128, TL_COLMAJOR),
       R = tm_new(4, 3, MF_F64, TL_COLMAJOR), B = tm_new(4, 2, MF_F64, TL_ROWMAJOR),
       B3 = tm_new(3, 2, MF_F64, TL_COLMAJOR), Bz = tm_new(4, 2, MF_C128, TL_COLMAJOR),
       X = tm_new(4, 2, MF_F64, TL_COLMAJOR), Xbad = tm_new(4, 3, MF_F64, TL_COLMAJOR);
    tm *ins[] = {&A, &Az, &R, &B, &B3, &Bz};
    for (size_t k = 0; k < 6; k++)
        tm_fill_random(ins[k], &rng);
    tm *outs[] = {&X, &Xbad};
    double *snaps[2] = {tm_snapshot(&X), tm_snapshot(&Xbad)};

    assert_status(mf_expm_multiply(NULL, &B.m, 1.0, &X.m), MF_EINVAL);
    assert_status(mf_expm_multiply(&A.m, NULL, 1.0, &X.m), MF_EINVAL);
    assert_status(mf_expm_multiply(&A.m, &B.m, 1.0, NULL), MF_EINVAL);
    assert_status(mf_expm_multiply(&A.m, &B.m, NAN, &X.m), MF_EINVAL);
    assert_last_error_mentions("not finite");
    assert_status(mf_expm_multiply(&A.m, &B.m, -INFINITY, &X.m), MF_EINVAL);
    mf_matrix bad = B.m;
    bad.dtype = 9;
    assert_status(mf_expm_multiply(&A.m, &bad, 1.0, &X.m), MF_EINVAL);

    assert_status(mf_expm_multiply(&R.m, &B.m, 1.0, &X.m), MF_EDIM);
    assert_last_error_mentions("square");
    assert_status(mf_expm_multiply(&A.m, &B3.m, 1.0, &X.m), MF_EDIM);
    assert_last_error_mentions("B has 3 rows");
    assert_status(mf_expm_multiply(&A.m, &B.m, 1.0, &Xbad.m), MF_EDIM);

    assert_status(mf_expm_multiply(&Az.m, &B.m, 1.0, &X.m), MF_EDTYPE);
    assert_status(mf_expm_multiply(&A.m, &Bz.m, 1.0, &X.m), MF_EDTYPE);

    mf_matrix over = X.m; /* X over part of A */
    over.data = (double *)A.m.data + 2;
    assert_status(mf_expm_multiply(&A.m, &B.m, 1.0, &over), MF_EALIAS);

    tm_set(&B, 3, 1, INFINITY);
    assert_status(mf_expm_multiply(&A.m, &B.m, 1.0, &X.m), MF_ENONFINITE);
    assert_last_error_mentions("argument B");
    tm_set(&B, 3, 1, 1.0);
    tm_set(&A, 0, 0, NAN);
    assert_status(mf_expm_multiply(&A.m, &B.m, 1.0, &X.m), MF_ENONFINITE);

    /* overflow of the result: exp(800) B */
    tm_fill(&A, 0.0);
    for (int i = 0; i < 4; i++)
        tm_set(&A, i, i, 800.0);
    assert_status(mf_expm_multiply(&A.m, &B.m, 1.0, &X.m), MF_EOVERFLOW);
    assert_last_error_mentions("overflows");
    /* growth through the Taylor steps rather than the shift */
    tm_fill(&A, 0.0);
    tm_set(&A, 0, 1, 2000.0);
    tm_set(&A, 1, 0, 2000.0);
    assert_status(mf_expm_multiply(&A.m, &B.m, 1.0, &X.m), MF_EOVERFLOW);
    /* a norm needing more than 2^40 products */
    tm_set(&A, 0, 1, 1e300);
    tm_set(&A, 1, 0, -1e300);
    assert_status(mf_expm_multiply(&A.m, &B.m, 1.0, &X.m), MF_EDOMAIN);
    assert_last_error_mentions("mf_expm");

    for (int k = 0; k < 2; k++) {
        assert_true(tm_unchanged(outs[k], snaps[k]));
        free(snaps[k]);
    }
    tm *all[] = {&A, &Az, &R, &B, &B3, &Bz, &X, &Xbad};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
        tm_free(all[k]);
}

typedef struct sweep_ctx {
    tm *A, *B, *X;
    double t;
} sweep_ctx;

static mf_status call_under_test(void *p) {
    sweep_ctx *c = p;
    return mf_expm_multiply(&c->A->m, &c->B->m, c->t, &c->X->m);
}

static void test_allocation_failures(void **state) {
    (void)state;
    trng rng = trng_new(208);
    const int32_t combos[][3] = {{MF_F64, MF_F64, MF_F64},
                                 {MF_F64, MF_C128, MF_C128},
                                 {MF_C128, MF_C128, MF_C128}};
    for (size_t d = 0; d < 3; d++)
        for (int big = 0; big < 2; big++) {
            const int64_t n = 6;
            tz *a = random_with_norm(n, combos[d][0] == MF_C128, big ? 200.0 : 2.0, &rng);
            tm A = tm_new(n, n, combos[d][0], TL_ROWMAJOR), B = tm_new(n, 2, combos[d][1], TL_STRIDED),
               X = tm_new(n, 2, combos[d][2], TL_PADDED_COL);
            tm_from_dense(&A, a);
            tm_fill_random(&B, &rng);
            sweep_ctx c = {&A, &B, &X, big ? -0.5 : 1.0};
            tm *outs[] = {&X};
            assert_true(tsweep_alloc_failures(call_under_test, &c, outs, 1) >= 1);
            free(a);
            tm_free(&A);
            tm_free(&B);
            tm_free(&X);
        }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_action_accuracy),
        cmocka_unit_test(test_action_layouts_dtypes_sizes),
        cmocka_unit_test(test_action_identity_cases),
        cmocka_unit_test(test_action_shift),
        cmocka_unit_test(test_action_large_norm_skew),
        cmocka_unit_test(test_action_in_place),
        cmocka_unit_test(test_action_errors),
        cmocka_unit_test(test_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
