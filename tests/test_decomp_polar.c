/* Polar decomposition: mf_polar, mf_polar_ex.
 * ||U^H U - I||_F <= 10 n u and ||A - U H||_F <= 10 n u ||A||_F, H Hermitian
 * positive semidefinite, on random, graded, rank-deficient, nearly
 * rank-deficient, nearly orthogonal, tall, tiny and zero matrices, over every
 * layout and both dtypes, in place; the path reported for each class; every
 * error path with untouched outputs; allocation failure sweeps. */
#include "testutil.h"

#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---------- test matrices (dense column-major) ---------- */

/* A = W diag(s) V^H with random W (m x n orthonormal) and V (n x n unitary). */
static tz *with_singular_values(int64_t m, int64_t n, const double *s, bool cplx, trng *r) {
    tz *w = tz_random_orthonormal(m, n, cplx, r), *v = tz_random_orthonormal(n, n, cplx, r);
    for (int64_t j = 0; j < n; j++)
        for (int64_t i = 0; i < m; i++)
            w[i + j * m] *= s[j];
    tz *vh = tz_conj_transpose(n, n, v), *a = tz_alloc(m * n);
    tz_matmul(m, n, n, w, vh, a);
    free(w);
    free(v);
    free(vh);
    return a;
}

typedef enum mclass {
    MC_RANDOM,          /* standard normal entries */
    MC_GRADED,          /* random, columns scaled 1 .. 1e-10 */
    MC_RANK_DEFICIENT,  /* rank n/2 */
    MC_NEARLY_DEFICIENT,/* singular values 1 .. 1e-13 */
    MC_NEARLY_ORTHO,    /* singular values in [1/1.2, 1.2]: condition <= 1.44 */
    MC_MODERATE,        /* singular values 1 .. 1e-5, geometric */
    MC_ZERO,
    MC_COUNT
} mclass;

static tz *make_matrix(mclass c, int64_t m, int64_t n, bool cplx, trng *r) {
    double *s = malloc((size_t)(n + 1) * sizeof *s);
    tz *a = NULL;
    for (int64_t j = 0; j < n; j++) {
        const double t = n > 1 ? (double)j / (double)(n - 1) : 0.0;
        switch (c) {
        case MC_RANK_DEFICIENT: s[j] = j < (n + 1) / 2 ? 1.0 + t : 0.0; break;
        case MC_NEARLY_DEFICIENT: s[j] = pow(1e-13, t); break;
        case MC_NEARLY_ORTHO: s[j] = 1.0 / 1.2 + (1.2 - 1.0 / 1.2) * trng_uniform(r); break;
        case MC_MODERATE: s[j] = pow(1e-5, t); break;
        default: s[j] = 1.0;
        }
    }
    if (c == MC_RANDOM || c == MC_GRADED || c == MC_ZERO) {
        a = tz_random(m, n, cplx, r);
        for (int64_t j = 0; j < n; j++)
            for (int64_t i = 0; i < m; i++)
                a[i + j * m] *= c == MC_ZERO ? 0.0
                                : c == MC_GRADED ? pow(1e-10, n > 1 ? (double)j / (double)(n - 1) : 0.0)
                                                 : 1.0;
    } else {
        a = with_singular_values(m, n, s, cplx, r);
    }
    free(s);
    return a;
}

/* ---------- checks ---------- */

/* Smallest eigenvalue of the dense Hermitian n x n h. */
static double min_eigenvalue(int64_t n, const tz *h) {
    lapack_complex_double *c = malloc((size_t)(n * n) * sizeof *c);
    double *w = malloc((size_t)n * sizeof *w);
    memcpy(c, h, (size_t)(n * n) * sizeof *c);
    assert_int_equal(LAPACKE_zheev(LAPACK_COL_MAJOR, 'N', 'L', (int)n, c, (int)n, w), 0);
    const double lo = w[0];
    free(c);
    free(w);
    return lo;
}

/* The accuracy targets for dense a (m x n) and its computed factors. */
static void check_factors(int64_t m, int64_t n, const tz *a, const tz *u, const tz *h) {
    if (n == 0)
        return;
    const double nu = (double)n * TEST_U, anorm = tz_norm_fro(m, n, a);
    tz *uh = tz_conj_transpose(m, n, u), *utu = tz_alloc(n * n), *id = tz_identity(n);
    tz_matmul(n, m, n, uh, u, utu);
    assert_le(tz_diff_fro(n, n, utu, id), 10.0 * nu);
    if (h != NULL) {
        tz *prod = tz_alloc(m * n);
        tz_matmul(m, n, n, u, h, prod);
        assert_le(tz_diff_fro(m, n, a, prod), 10.0 * nu * anorm);
        for (int64_t j = 0; j < n; j++)
            for (int64_t i = 0; i < n; i++)
                assert_true(h[i + j * n] == conj(h[j + i * n]));
        assert_true(min_eigenvalue(n, h) >= -10.0 * nu * anorm);
        free(prod);
    }
    free(uh);
    free(utu);
    free(id);
}

/* Decompose dense a laid out in `lay` with dtype dt (outputs dt_out) and
 * check the result; returns the info. */
static mf_polar_info run_and_check(int64_t m, int64_t n, const tz *a, int32_t dt, int32_t dt_out,
                                   tlayout lay, bool want_h) {
    tm A = tm_new(m, n, dt, lay), U = tm_new(m, n, dt_out, lay), H = tm_new(n, n, dt_out, lay);
    tm_from_dense(&A, a);
    double *snap = tm_snapshot(&A);
    tz *ad = tm_to_dense(&A); /* a as stored (imaginary parts dropped for F64) */
    mf_polar_info info = {0, -1, -1, 0, -1.0};
    assert_ok(mf_polar_ex(&A.m, &U.m, want_h ? &H.m : NULL, &info));
    assert_true(tm_unchanged(&A, snap));
    assert_true(tm_padding_intact(&U) && tm_padding_intact(&H));
    tz *u = tm_to_dense(&U), *h = want_h ? tm_to_dense(&H) : NULL;
    check_factors(m, n, ad, u, h);
    assert_true(info.path >= MF_POLAR_QDWH && info.path <= MF_POLAR_SVD);
    assert_true(info.iterations >= info.qr_iterations && info.qr_iterations >= 0);
    free(snap);
    free(ad);
    free(u);
    free(h);
    tm_free(&A);
    tm_free(&U);
    tm_free(&H);
    return info;
}

static void test_random_all_layouts_both_dtypes(void **state) {
    (void)state;
    trng r = trng_new(31);
    const int64_t shapes[][2] = {{1, 1}, {5, 5}, {24, 24}, {64, 64}, {9, 4}, {80, 64}, {6, 1}};
    for (int dt = MF_F64; dt <= MF_C128; dt++)
        for (int l = 0; l < TL_COUNT; l++)
            for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
                const int64_t m = shapes[s][0], n = shapes[s][1];
                tz *a = make_matrix(MC_RANDOM, m, n, dt == MF_C128, &r);
                run_and_check(m, n, a, dt, dt, (tlayout)l, true);
                run_and_check(m, n, a, dt, dt, (tlayout)l, false);
                free(a);
            }
}

/* Every class of input meets the targets, on the path its estimate calls for. */
static void test_matrix_classes_and_paths(void **state) {
    (void)state;
    trng r = trng_new(32);
    static const int expected[MC_COUNT] = {
        [MC_RANDOM] = MF_POLAR_QDWH,         [MC_GRADED] = MF_POLAR_SVD,
        [MC_RANK_DEFICIENT] = MF_POLAR_SVD,  [MC_NEARLY_DEFICIENT] = MF_POLAR_SVD,
        [MC_NEARLY_ORTHO] = MF_POLAR_NEWTON_SCHULZ, [MC_MODERATE] = MF_POLAR_QDWH,
        [MC_ZERO] = MF_POLAR_SVD,
    };
    const int64_t shapes[][2] = {{64, 64}, {96, 64}};
    for (int dt = MF_F64; dt <= MF_C128; dt++)
        for (int c = 0; c < MC_COUNT; c++)
            for (size_t s = 0; s < 2; s++) {
                const int64_t m = shapes[s][0], n = shapes[s][1];
                tz *a = make_matrix((mclass)c, m, n, dt == MF_C128, &r);
                mf_polar_info info = run_and_check(m, n, a, dt, dt, (tlayout)((c + s) % TL_COUNT), true);
                if (info.path != expected[c])
                    fail_msg("class %d, %lld x %lld, dtype %d: path %d, expected %d (cond est %.3g)",
                             c, (long long)m, (long long)n, dt, info.path, expected[c],
                             info.cond_estimate);
                if (info.path == MF_POLAR_NEWTON_SCHULZ) {
                    assert_true(info.qr_iterations == 0 && info.iterations <= 6);
                    assert_true(info.cond_estimate >= 1.0 && info.cond_estimate <= 2.0);
                }
                if (c == MC_MODERATE) /* kappa = 1e5 needs the QR-based form first */
                    assert_true(info.qr_iterations >= 1 && info.iterations > info.qr_iterations);
                if (c == MC_RANK_DEFICIENT || c == MC_ZERO)
                    assert_true(info.cond_estimate > 1e7);
                free(a);
            }
}

static void test_real_input_complex_outputs(void **state) {
    (void)state;
    trng r = trng_new(33);
    for (int c = MC_RANDOM; c <= MC_NEARLY_ORTHO; c += 4) {
        tz *a = make_matrix((mclass)c, 70, 64, false, &r);
        run_and_check(70, 64, a, MF_F64, MF_C128, TL_PADDED_ROW, true);
        free(a);
    }
}

static void test_tiny_and_empty(void **state) {
    (void)state;
    for (int dt = MF_F64; dt <= MF_C128; dt++) {
        /* 1 x 1: U = a / |a|, H = |a| */
        tm A = tm_new(1, 1, dt, TL_COLMAJOR), U = tm_new(1, 1, dt, TL_COLMAJOR),
           H = tm_new(1, 1, dt, TL_COLMAJOR);
        const tz a = dt == MF_C128 ? CMPLX(-3.0, 4.0) : -2.5;
        tm_set(&A, 0, 0, a);
        assert_ok(mf_polar(&A.m, &U.m, &H.m));
        assert_le(cabs(tm_get(&U, 0, 0) - a / cabs(a)), 2 * TEST_U);
        assert_le(cabs(tm_get(&H, 0, 0) - cabs(a)), 2 * TEST_U * cabs(a));
        /* 0 x 0 and 5 x 0 succeed and write nothing */
        tm E = tm_new(0, 0, dt, TL_COLMAJOR), T = tm_new(5, 0, dt, TL_COLMAJOR),
           TU = tm_new(5, 0, dt, TL_COLMAJOR);
        mf_polar_info info = {0, -1, -1, 0, 0};
        assert_ok(mf_polar_ex(&E.m, &E.m, NULL, &info));
        assert_true(info.iterations == 0);
        assert_ok(mf_polar(&T.m, &TU.m, &E.m));
        assert_true(tm_padding_intact(&TU));
        /* a 1 x 1 zero: H = 0, U a unit scalar */
        tm_set(&A, 0, 0, 0.0);
        assert_ok(mf_polar_ex(&A.m, &U.m, &H.m, &info));
        assert_true(info.path == MF_POLAR_SVD);
        assert_le(fabs(cabs(tm_get(&U, 0, 0)) - 1.0), 2 * TEST_U);
        assert_true(tm_get(&H, 0, 0) == 0.0);
        tm *all[] = {&A, &U, &H, &E, &T, &TU};
        for (size_t k = 0; k < 6; k++)
            tm_free(all[k]);
    }
}

static void test_in_place(void **state) {
    (void)state;
    trng r = trng_new(34);
    for (int dt = MF_F64; dt <= MF_C128; dt++)
        for (int l = 0; l < TL_COUNT; l++)
            for (int c = 0; c < 3; c++) {
                /* U over A (square and tall), or H over a square A */
                const int64_t m = c == 1 ? 72 : 64, n = 64;
                const mclass cls = (l + c) % 2 ? MC_NEARLY_ORTHO : MC_RANDOM;
                tz *a = make_matrix(cls, m, n, dt == MF_C128, &r);
                tm A = tm_new(m, n, dt, (tlayout)l), U = tm_new(m, n, dt, (tlayout)l),
                   H = tm_new(n, n, dt, (tlayout)l);
                tm_from_dense(&A, a);
                tz *ad = tm_to_dense(&A);
                if (c < 2)
                    assert_ok(mf_polar(&A.m, &A.m, &H.m));
                else
                    assert_ok(mf_polar(&A.m, &U.m, &A.m));
                tz *u = tm_to_dense(c < 2 ? &A : &U), *h = tm_to_dense(c < 2 ? &H : &A);
                check_factors(m, n, ad, u, h);
                free(a);
                free(ad);
                free(u);
                free(h);
                tm_free(&A);
                tm_free(&U);
                tm_free(&H);
            }
}

/* Entries near the ends of the double range: the scaling by a power of two
 * keeps 1 / ||A||_F and X^H X finite, and U does not depend on it. */
static void test_extreme_scaling(void **state) {
    (void)state;
    trng r = trng_new(37);
    const int exps[] = {-1000, 1021};
    for (int dt = MF_F64; dt <= MF_C128; dt++)
        for (int c = 0; c < 3; c++)
            for (int e = 0; e < 2; e++) {
                const mclass cls = c == 0 ? MC_RANDOM : c == 1 ? MC_NEARLY_ORTHO : MC_RANK_DEFICIENT;
                const int64_t m = 24, n = 20;
                tz *a = make_matrix(cls, m, n, dt == MF_C128, &r);
                tm A = tm_new(m, n, dt, TL_COLMAJOR), U = tm_new(m, n, dt, TL_ROWMAJOR),
                   H = tm_new(n, n, dt, TL_COLMAJOR);
                for (int64_t k = 0; k < m * n; k++)
                    a[k] = ldexp(creal(a[k]), exps[e]) + I * ldexp(cimag(a[k]), exps[e]);
                tm_from_dense(&A, a);
                assert_ok(mf_polar(&A.m, &U.m, &H.m));
                tz *ad = tm_to_dense(&A), *u = tm_to_dense(&U), *h = tm_to_dense(&H);
                for (int64_t k = 0; k < m * n; k++)
                    ad[k] = ldexp(creal(ad[k]), -exps[e]) + I * ldexp(cimag(ad[k]), -exps[e]);
                for (int64_t k = 0; k < n * n; k++)
                    h[k] = ldexp(creal(h[k]), -exps[e]) + I * ldexp(cimag(h[k]), -exps[e]);
                check_factors(m, n, ad, u, h);
                free(a);
                free(ad);
                free(u);
                free(h);
                tm_free(&A);
                tm_free(&U);
                tm_free(&H);
            }
}

/* ---------- error paths, outputs untouched ---------- */

static void test_error_paths(void **state) {
    (void)state;
    trng r = trng_new(35);
    tm A = tm_new(5, 4, MF_F64, TL_COLMAJOR), Z = tm_new(5, 4, MF_C128, TL_COLMAJOR),
       W = tm_new(4, 5, MF_F64, TL_COLMAJOR), U = tm_new(5, 4, MF_F64, TL_COLMAJOR),
       H = tm_new(4, 4, MF_F64, TL_COLMAJOR), Ubad = tm_new(5, 5, MF_F64, TL_COLMAJOR),
       Hbad = tm_new(4, 3, MF_F64, TL_COLMAJOR), Hz = tm_new(4, 4, MF_C128, TL_COLMAJOR);
    tm_fill_random(&A, &r);
    tm_fill_random(&Z, &r);
    tm_fill_random(&W, &r);
    tm *outs[] = {&U, &H, &Ubad, &Hbad, &Hz};
    double *snaps[5];
    for (int k = 0; k < 5; k++)
        snaps[k] = tm_snapshot(outs[k]);
    mf_polar_info info = {77, 77, 77, 77, 77.0};

    assert_status(mf_polar_ex(NULL, &U.m, &H.m, &info), MF_EINVAL);
    assert_status(mf_polar_ex(&A.m, NULL, &H.m, &info), MF_EINVAL);
    assert_last_error_mentions("U");
    mf_matrix bad = A.m;
    bad.dtype = 9;
    assert_status(mf_polar(&bad, &U.m, &H.m), MF_EINVAL);
    bad = A.m;
    bad.cs = 0;
    assert_status(mf_polar(&bad, &U.m, &H.m), MF_EINVAL);
    /* shapes: m < n, wrong U, wrong H */
    tm WU = tm_new(4, 5, MF_F64, TL_COLMAJOR), WH = tm_new(5, 5, MF_F64, TL_COLMAJOR);
    double *swu = tm_snapshot(&WU), *swh = tm_snapshot(&WH);
    assert_status(mf_polar_ex(&W.m, &WU.m, &WH.m, &info), MF_EDIM);
    assert_last_error_mentions("m >= n");
    assert_status(mf_polar(&A.m, &Ubad.m, &H.m), MF_EDIM);
    assert_status(mf_polar(&A.m, &U.m, &Hbad.m), MF_EDIM);
    /* dtypes: complex A needs complex outputs */
    assert_status(mf_polar(&Z.m, &U.m, NULL), MF_EDTYPE);
    tm Uz = tm_new(5, 4, MF_C128, TL_COLMAJOR);
    double *suz = tm_snapshot(&Uz);
    assert_status(mf_polar(&Z.m, &Uz.m, &H.m), MF_EDTYPE);
    /* aliasing: U over part of A, H inside U, U and H the same memory */
    mf_matrix shifted = A.m;
    shifted.data = (double *)A.m.data + 1;
    shifted.rows = 4;
    shifted.cols = 3;
    mf_matrix a43 = A.m;
    a43.rows = 4;
    a43.cols = 3;
    assert_status(mf_polar(&a43, &shifted, NULL), MF_EALIAS);
    mf_matrix h_in_u = U.m;
    h_in_u.rows = h_in_u.cols = 4;
    assert_status(mf_polar(&A.m, &U.m, &h_in_u), MF_EALIAS);
    tm S = tm_new(4, 4, MF_F64, TL_COLMAJOR), SU = tm_new(4, 4, MF_F64, TL_COLMAJOR);
    tm_fill_random(&S, &r);
    double *ssu = tm_snapshot(&SU);
    assert_status(mf_polar(&S.m, &SU.m, &SU.m), MF_EALIAS);
    /* non-finite */
    tm_set(&A, 3, 2, NAN);
    assert_status(mf_polar_ex(&A.m, &U.m, &H.m, &info), MF_ENONFINITE);
    tm_set(&A, 3, 2, INFINITY);
    assert_status(mf_polar(&A.m, &U.m, NULL), MF_ENONFINITE);
    assert_last_error_mentions("non-finite");

    for (int k = 0; k < 5; k++) {
        assert_true(tm_unchanged(outs[k], snaps[k]));
        free(snaps[k]);
    }
    assert_true(tm_unchanged(&WU, swu) && tm_unchanged(&WH, swh) && tm_unchanged(&Uz, suz) &&
                tm_unchanged(&SU, ssu));
    assert_true(info.path == 77 && info.iterations == 77 && info.cond_estimate == 77.0);
    free(swu);
    free(swh);
    free(suz);
    free(ssu);
    tm *all[] = {&A, &Z, &W, &U, &H, &Ubad, &Hbad, &Hz, &WU, &WH, &Uz, &S, &SU};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
        tm_free(all[k]);
}

/* ---------- allocation failure sweeps, one per path ---------- */

typedef struct sweep_ctx {
    tm *A, *U, *H;
    int32_t expected_path;
} sweep_ctx;

static mf_status call_under_test(void *p) {
    sweep_ctx *c = p;
    mf_polar_info info;
    mf_status st = mf_polar_ex(&c->A->m, &c->U->m, c->H != NULL ? &c->H->m : NULL, &info);
    if (st == MF_OK && info.path != c->expected_path)
        fail_msg("path %d, expected %d", info.path, c->expected_path);
    return st;
}

static void test_allocation_failures(void **state) {
    (void)state;
    trng r = trng_new(36);
    const struct {
        mclass cls;
        int64_t m, n;
        int32_t path;
    } cases[] = {
        {MC_NEARLY_ORTHO, 20, 20, MF_POLAR_NEWTON_SCHULZ},
        {MC_RANDOM, 64, 64, MF_POLAR_QDWH},
        {MC_MODERATE, 70, 64, MF_POLAR_QDWH},
        {MC_RANK_DEFICIENT, 20, 16, MF_POLAR_SVD},
        {MC_ZERO, 9, 9, MF_POLAR_SVD},
        {MC_RANDOM, 5, 3, MF_POLAR_SVD},
    };
    for (int dt = MF_F64; dt <= MF_C128; dt++)
        for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
            const int64_t m = cases[k].m, n = cases[k].n;
            tz *a = make_matrix(cases[k].cls, m, n, dt == MF_C128, &r);
            tm A = tm_new(m, n, dt, TL_ROWMAJOR), U = tm_new(m, n, dt, TL_STRIDED),
               H = tm_new(n, n, dt, TL_PADDED_COL);
            tm_from_dense(&A, a);
            sweep_ctx c = {&A, &U, k % 2 ? NULL : &H, cases[k].path};
            tm *outs[] = {&U, &H};
            assert_true(tsweep_alloc_failures(call_under_test, &c, outs, 2) >= 3);
            free(a);
            tm_free(&A);
            tm_free(&U);
            tm_free(&H);
        }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_all_layouts_both_dtypes),
        cmocka_unit_test(test_matrix_classes_and_paths),
        cmocka_unit_test(test_real_input_complex_outputs),
        cmocka_unit_test(test_tiny_and_empty),
        cmocka_unit_test(test_in_place),
        cmocka_unit_test(test_extreme_scaling),
        cmocka_unit_test(test_error_paths),
        cmocka_unit_test(test_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
