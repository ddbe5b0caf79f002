/* Matrix square root mf_sqrtm, its Frechet derivative and condition number,
 * and the private triangular kernels of sqrtm_tri.h: residuals
 * ||S^2 - A|| / (n u ||S||^2), principal branch (eigenvalues of S in the
 * right half-plane), high-precision references (tests/data/gen_sqrtm.py)
 * judged against cond * u, every layout and dtype, in place, singular
 * matrices with and without roots, error paths, allocation failures. */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "data/sqrtm_ref_load.h"
#include "funcs/sqrtm_tri.h"
#include "funcs/trsylv.h"

static const int64_t sizes[] = {0, 1, 2, 5, 24};
#define NSIZES (sizeof sizes / sizeof sizes[0])
static const int32_t combos[][2] = {{MF_F64, MF_F64}, {MF_F64, MF_C128}, {MF_C128, MF_C128}};

/* ---------- helpers ---------- */

/* ||S^2 - A||_F / (n u ||S||_F^2): the residual a backward stable root
 * leaves, O(1) (Higham 2008, section 6.2). */
static double root_residual(int64_t n, const tz *a, const tz *s) {
    if (n == 0)
        return 0.0;
    tz *s2 = tz_alloc(n * n);
    tz_matmul(n, n, n, s, s, s2);
    const double ns = tz_norm_fro(n, n, s);
    const double r = tz_diff_fro(n, n, s2, a) / ((double)n * TEST_U * (ns * ns + 1e-300));
    free(s2);
    return r;
}

/* Every eigenvalue of S has real part >= -tol (principal branch). */
static void assert_principal(int64_t n, const tz *s) {
    if (n == 0)
        return;
    tm S = tm_new(n, n, MF_C128, TL_COLMAJOR), w = tm_new(n, 1, MF_C128, TL_COLMAJOR);
    tm_from_dense(&S, s);
    assert_ok(mf_eig(&S.m, &w.m, NULL));
    const double tol = 1e-6 * (tz_norm_fro(n, n, s) + 1.0);
    for (int64_t k = 0; k < n; k++)
        if (creal(tm_get(&w, k, 0)) < -tol)
            fail_msg("eigenvalue %g%+gi of S is not in the right half-plane",
                     creal(tm_get(&w, k, 0)), cimag(tm_get(&w, k, 0)));
    tm_free(&S);
    tm_free(&w);
}

/* A random n x n matrix shifted so that its eigenvalues lie in the right
 * half-plane (Gaussian entries: spectral radius about sqrt(n)). */
/* Run mf_sqrtm on a (dense) in the given layout and dtypes; check the
 * residual, the branch, untouched input and padding. Returns S (malloc). */
static tz *check_sqrtm(int64_t n, const tz *a, int32_t dtA, int32_t dtS, tlayout lay, bool in_place,
                       double residual_bound) {
    tm A = tm_new(n, n, dtA, lay), S = tm_new(n, n, dtS, lay);
    tm_from_dense(&A, a);
    tz *ad = tm_to_dense(&A);
    double *snap = tm_snapshot(&A);
    mf_matrix *out = in_place ? &A.m : &S.m;
    assert_ok(mf_sqrtm(&A.m, out));
    if (!in_place)
        assert_true(tm_unchanged(&A, snap));
    assert_true(tm_padding_intact(&A) && tm_padding_intact(&S));
    tz *s = tm_to_dense(in_place ? &A : &S);
    if (dtS == MF_F64)
        assert_true(tz_is_real(n * n, s));
    assert_le(root_residual(n, ad, s), residual_bound);
    assert_principal(n, s);
    free(ad);
    free(snap);
    tm_free(&A);
    tm_free(&S);
    return s;
}

/* ---------- general matrices ---------- */

static void test_sqrtm_all_layouts_and_dtypes(void **state) {
    (void)state;
    trng r = trng_new(61);
    for (size_t c = 0; c < 3; c++)
        for (int l = 0; l < TL_COUNT; l++)
            for (size_t k = 0; k < NSIZES; k++) {
                const int64_t n = sizes[k];
                tz *a = tz_random_shifted(n, combos[c][0] == MF_C128, &r);
                free(check_sqrtm(n, a, combos[c][0], combos[c][1], (tlayout)l, false, 20.0));
                free(a);
            }
}

/* Unshifted random matrices have eigenvalues all around the origin: a real
 * one with a negative eigenvalue has a complex principal root only. */
static void test_sqrtm_complex_root_of_real(void **state) {
    (void)state;
    trng r = trng_new(62);
    int refused = 0;
    for (int trial = 0; trial < 6; trial++) {
        const int64_t n = 7 + trial;
        tz *a = tz_random(n, n, false, &r);
        free(check_sqrtm(n, a, MF_F64, MF_C128, (tlayout)(trial % TL_COUNT), false, 200.0));
        tm A = tm_new(n, n, MF_F64, TL_ROWMAJOR), S = tm_new(n, n, MF_F64, TL_COLMAJOR);
        tm_from_dense(&A, a);
        double *snap = tm_snapshot(&S);
        mf_status st = mf_sqrtm(&A.m, &S.m);
        if (st == MF_ENOTREAL) {
            refused++;
            assert_last_error_mentions("negative real axis");
            assert_true(tm_unchanged(&S, snap));
        } else {
            assert_int_equal(st, MF_OK);
        }
        free(snap);
        free(a);
        tm_free(&A);
        tm_free(&S);
    }
    assert_true(refused > 0);
}

static void test_sqrtm_in_place(void **state) {
    (void)state;
    trng r = trng_new(63);
    for (int l = 0; l < TL_COUNT; l++) {
        tz *a = tz_random_shifted(9, false, &r), *c = tz_random_shifted(9, true, &r);
        free(check_sqrtm(9, a, MF_F64, MF_F64, (tlayout)l, true, 20.0));
        free(check_sqrtm(9, c, MF_C128, MF_C128, (tlayout)l, true, 20.0));
        free(a);
        free(c);
    }
}

/* Sizes above MF_SQRTM_BASE run the recursive blocked path. */
static void test_sqrtm_blocked_sizes(void **state) {
    (void)state;
    trng r = trng_new(64);
    const int64_t ns[] = {MF_SQRTM_BASE + 1, 150, 203};
    for (size_t k = 0; k < 3; k++)
        for (size_t c = 0; c < 3; c++) {
            tz *a = tz_random_shifted(ns[k], combos[c][0] == MF_C128, &r);
            free(check_sqrtm(ns[k], a, combos[c][0], combos[c][1], TL_COLMAJOR, false, 20.0));
            free(a);
        }
    /* and a real matrix with negative eigenvalues, complex result */
    tz *a = tz_random(150, 150, false, &r);
    free(check_sqrtm(150, a, MF_F64, MF_C128, TL_ROWMAJOR, false, 200.0));
    free(a);
}

/* ---------- reference data ---------- */

/* ||S - F||_F / ||F||_F <= 10 n (cond + 1) u for the root of the rounded
 * input, as the Schur method's forward error bound suggests (cond u from
 * the backward error, n from the sizes of the sums). */
static void compare_with_reference(const ref_case *c, const tz *s) {
    const double err = tz_diff_fro(c->n, c->n, s, c->f) / tz_norm_fro(c->n, c->n, c->f);
    const double bound = 10.0 * (double)c->n * (c->cond + 1.0) * TEST_U;
    if (!(err <= bound))
        fail_msg("%s: relative error %.3e exceeds %.3e (cond %.3g)", c->name, err, bound, c->cond);
}

static void test_sqrtm_reference_data(void **state) {
    (void)state;
    ref_case cases[32];
    const int count = ref_load("sqrtm", cases, 32);
    for (int k = 0; k < count; k++) {
        const ref_case *c = &cases[k];
        for (int l = 0; l < TL_COUNT; l++) {
            tm A = tm_new(c->n, c->n, c->input, (tlayout)l);
            tm S = tm_new(c->n, c->n, MF_C128, (tlayout)((l + 1) % TL_COUNT));
            tm R = tm_new(c->n, c->n, MF_F64, (tlayout)l);
            tm_from_dense(&A, c->a);
            assert_ok(mf_sqrtm(&A.m, &S.m));
            tz *s = tm_to_dense(&S);
            compare_with_reference(c, s);
            free(s);
            double *snap = tm_snapshot(&R);
            if (c->input == MF_C128) {
                assert_status(mf_sqrtm(&A.m, &R.m), MF_EDTYPE);
            } else if (!c->real_ok) {
                assert_status(mf_sqrtm(&A.m, &R.m), MF_ENOTREAL);
                assert_last_error_mentions("open negative real axis");
                assert_true(tm_unchanged(&R, snap));
            } else {
                assert_ok(mf_sqrtm(&A.m, &R.m));
                s = tm_to_dense(&R);
                compare_with_reference(c, s);
                free(s);
            }
            free(snap);
            tm_free(&A);
            tm_free(&S);
            tm_free(&R);
        }
    }
    ref_free(cases, count);
}

/* ---------- Hermitian input (eigendecomposition path) ---------- */

/* B B^H + shift I (shift < 0 makes it indefinite). */
static tz *gram(int64_t n, int64_t k, bool cplx, double shift, trng *r) {
    tz *b = tz_random(n, k, cplx, r), *bh = tz_conj_transpose(n, k, b), *a = tz_alloc(n * n);
    tz_matmul(n, k, n, b, bh, a);
    for (int64_t i = 0; i < n; i++)
        a[i + i * n] = creal(a[i + i * n]) + shift;
    for (int64_t j = 0; j < n; j++) /* exactly Hermitian */
        for (int64_t i = j + 1; i < n; i++)
            a[j + i * n] = conj(a[i + j * n]);
    free(b);
    free(bh);
    return a;
}

static void test_sqrtm_hermitian(void **state) {
    (void)state;
    trng r = trng_new(65);
    for (int l = 0; l < TL_COUNT; l++) {
        const int64_t n = 12;
        tz *pd = gram(n, n, false, 0.5, &r), *psd = gram(n, 3, false, 0.0, &r);
        tz *hpd = gram(n, n, true, 0.5, &r), *ind = gram(n, n, false, -8.0, &r);
        tz *hind = gram(n, n, true, -8.0, &r);
        tz *s = check_sqrtm(n, pd, MF_F64, MF_F64, (tlayout)l, false, 20.0);
        for (int64_t j = 0; j < n; j++) /* exactly symmetric result */
            for (int64_t i = 0; i < n; i++)
                assert_true(s[i + j * n] == s[j + i * n]);
        free(s);
        free(check_sqrtm(n, psd, MF_F64, MF_F64, (tlayout)l, (l % 2) == 1, 100.0));
        free(check_sqrtm(n, hpd, MF_C128, MF_C128, (tlayout)l, false, 20.0));
        free(check_sqrtm(n, ind, MF_F64, MF_C128, (tlayout)l, false, 20.0));
        free(check_sqrtm(n, hind, MF_C128, MF_C128, (tlayout)l, false, 20.0));
        tm A = tm_new(n, n, MF_F64, (tlayout)l), S = tm_new(n, n, MF_F64, TL_COLMAJOR);
        tm_from_dense(&A, ind);
        double *snap = tm_snapshot(&S);
        assert_status(mf_sqrtm(&A.m, &S.m), MF_ENOTREAL);
        assert_last_error_mentions("symmetric with the eigenvalue");
        assert_true(tm_unchanged(&S, snap));
        free(snap);
        tm_free(&A);
        tm_free(&S);
        free(pd);
        free(psd);
        free(hpd);
        free(ind);
        free(hind);
    }
}

/* ---------- branch cut, singular matrices ---------- */

static void test_sqrtm_branch_cut_tie_break(void **state) {
    (void)state;
    /* -I: symmetric, eigenvalue -1 exactly; sqrt = +i I */
    tz m1[4] = {-1, 0, 0, -1};
    tz *s = check_sqrtm(2, m1, MF_F64, MF_C128, TL_COLMAJOR, false, 20.0);
    assert_le(cabs(s[0] - I) + cabs(s[3] - I) + cabs(s[1]) + cabs(s[2]), 4 * TEST_U);
    free(s);
    /* negative zero imaginary parts on a triangular C128 input: still +i */
    tz t[4] = {CMPLX(-4.0, -0.0), 0, 1, CMPLX(-9.0, -0.0)};
    s = check_sqrtm(2, t, MF_C128, MF_C128, TL_ROWMAJOR, false, 20.0);
    assert_le(cabs(s[0] - 2 * I) + cabs(s[3] - 3 * I), 8 * TEST_U);
    free(s);
    /* a non-normal real one with a defective -1: [[-1, 1], [0, -1]] */
    tz j2[4] = {-1, 0, 1, -1};
    s = check_sqrtm(2, j2, MF_F64, MF_C128, TL_STRIDED, false, 20.0);
    assert_le(cabs(s[0] - I) + cabs(s[3] - I), 4 * TEST_U);
    assert_le(cabs(s[2] - 1.0 / (2.0 * I)), 4 * TEST_U);
    free(s);
}

/* Singular matrices with square roots: zero eigenvalues semisimple. */
static void test_sqrtm_singular_with_root(void **state) {
    (void)state;
    tz zero[9] = {0};
    tz *s = check_sqrtm(3, zero, MF_F64, MF_F64, TL_PADDED_ROW, false, 1.0);
    assert_true(tz_norm_fro(3, 3, s) == 0.0);
    free(s);
    /* [[0 0 1], [0 0 1], [0 0 1]] (column-major below): rank 1, eigenvalues 0, 0, 1 */
    tz r1[9] = {0, 0, 0, 0, 0, 0, 1, 1, 1};
    for (size_t c = 0; c < 3; c++)
        for (int l = 0; l < TL_COUNT; l++)
            free(check_sqrtm(3, r1, combos[c][0], combos[c][1], (tlayout)l, false, 20.0));
    /* upper triangular, eigenvalues 0, 0, 4, 9, the zero block 2 x 2 zero */
    tz u4[16] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 4, 0, 2, 1, 1, 9};
    free(check_sqrtm(4, u4, MF_F64, MF_F64, TL_COLMAJOR, false, 20.0));
    free(check_sqrtm(4, u4, MF_C128, MF_C128, TL_STRIDED, false, 20.0));
    /* blocked size with two zero eigenvalues: the point recurrence path */
    trng r = trng_new(66);
    const int64_t n = 100;
    tz *big = tz_alloc(n * n);
    for (int64_t j = 2; j < n; j++) {
        for (int64_t i = 0; i < j; i++)
            big[i + j * n] = 0.1 * trng_normal(&r);
        big[j + j * n] = 1.0 + trng_uniform(&r);
    }
    free(check_sqrtm(n, big, MF_F64, MF_F64, TL_COLMAJOR, false, 20.0));
    free(check_sqrtm(n, big, MF_C128, MF_C128, TL_COLMAJOR, false, 20.0));
    free(big);
}

/* No square root: a zero eigenvalue in a Jordan block of size > 1. */
static void test_sqrtm_no_root(void **state) {
    (void)state;
    tz j2[4] = {0, 0, 1, 0};                   /* [[0, 1], [0, 0]] */
    tz j3[9] = {0, 0, 0, 1, 0, 0, 0, 1, 0};    /* nilpotent J_3(0) */
    tz m3[9] = {0, 0, 0, 1, 1, 0, 1, 0, 0};    /* [[0 1 1], [0 1 0], [0 0 0]] */
    const tz *cases[] = {j2, j3, m3};
    const int64_t ns[] = {2, 3, 3};
    for (int k = 0; k < 3; k++)
        for (size_t c = 0; c < 3; c++)
            for (int l = 0; l < TL_COUNT; l++) {
                tm A = tm_new(ns[k], ns[k], combos[c][0], (tlayout)l);
                tm S = tm_new(ns[k], ns[k], combos[c][1], (tlayout)((l + 2) % TL_COUNT));
                tm_from_dense(&A, cases[k]);
                double *snap = tm_snapshot(&S), *snapA = tm_snapshot(&A);
                assert_status(mf_sqrtm(&A.m, &S.m), MF_EDOMAIN);
                assert_last_error_mentions("no square root");
                assert_true(tm_unchanged(&S, snap));
                /* in place: A is the output and stays as it was */
                if (combos[c][0] == combos[c][1]) {
                    assert_status(mf_sqrtm(&A.m, &A.m), MF_EDOMAIN);
                    assert_true(tm_unchanged(&A, snapA));
                }
                free(snap);
                free(snapA);
                tm_free(&A);
                tm_free(&S);
            }
}

/* ---------- the triangular kernels directly ---------- */

/* Real quasi-triangular n x n with 2 x 2 blocks at the given rows. */
static double *quasi_triangular(int64_t n, const int64_t *block_rows, int nblocks, trng *r) {
    double *t = calloc((size_t)(n * n), sizeof(double));
    for (int64_t j = 0; j < n; j++) {
        for (int64_t i = 0; i < j; i++)
            t[i + j * n] = 0.2 * trng_normal(r);
        t[j + j * n] = 0.5 + trng_uniform(r);
    }
    for (int b = 0; b < nblocks; b++) {
        const int64_t k = block_rows[b];
        const double a = trng_normal(r), beta = 1.0 + trng_uniform(r), gamma = 0.5 + trng_uniform(r);
        t[k + k * n] = t[(k + 1) + (k + 1) * n] = a; /* eigenvalues a +- i sqrt(beta gamma) */
        t[k + (k + 1) * n] = beta;
        t[(k + 1) + k * n] = -gamma;
    }
    return t;
}

static void test_quasitri_kernel(void **state) {
    (void)state;
    trng r = trng_new(67);
    const int64_t n = 150;
    /* 2 x 2 blocks straddling the first split (74 | 75) and a second-level
     * one (36 | 37), plus a few elsewhere, some with negative real parts */
    const int64_t rows[] = {0, 36, 74, 110, 148};
    double *t = quasi_triangular(n, rows, 5, &r);
    double *u = malloc(sizeof(double) * (size_t)(n * n));
    memcpy(u, t, sizeof(double) * (size_t)(n * n));
    assert_ok(mf__sqrtm_quasitri("test", n, u, n));
    tz *td = tz_alloc(n * n), *ud = tz_alloc(n * n);
    for (int64_t k = 0; k < n * n; k++) {
        td[k] = t[k];
        ud[k] = u[k];
    }
    for (int64_t j = 0; j < n; j++) /* same quasi-triangular structure */
        for (int64_t i = j + 1; i < n; i++)
            assert_true((u[i + j * n] != 0.0) == (t[i + j * n] != 0.0));
    assert_le(root_residual(n, td, ud), 20.0);
    assert_principal(n, ud);
    /* refusals: negative 1 x 1 block, 2 x 2 block with real eigenvalues,
     * nilpotent Jordan block */
    double neg[4] = {1, 0, 2, -3};
    assert_status(mf__sqrtm_quasitri("test", 2, neg, 2), MF_ENOTREAL);
    assert_last_error_mentions("test: the matrix has the eigenvalue -3");
    double realpair[4] = {1, 1, 2, 3}; /* [[1, 2], [1, 3]] */
    assert_status(mf__sqrtm_quasitri("test", 2, realpair, 2), MF_EINVAL);
    assert_last_error_mentions("real eigenvalues");
    double nil[4] = {0, 0, 1, 0};
    assert_status(mf__sqrtm_quasitri("test", 2, nil, 2), MF_EDOMAIN);
    /* a non-standardized 2 x 2 block (unequal diagonal) is fine */
    double ns2[4] = {1, -3, 2, 2}; /* [[1, 2], [-3, 2]]: 1.5 +- i sqrt(5.75) */
    double ns2u[4];
    memcpy(ns2u, ns2, sizeof ns2);
    assert_ok(mf__sqrtm_quasitri("test", 2, ns2u, 2));
    tz a2[4] = {1, -3, 2, 2}, u2[4] = {ns2u[0], ns2u[1], ns2u[2], ns2u[3]};
    assert_le(root_residual(2, a2, u2), 4.0);
    free(t);
    free(u);
    free(td);
    free(ud);
}

static void test_tri_kernel(void **state) {
    (void)state;
    trng r = trng_new(68);
    const int64_t n = 131;
    tz *t = tz_alloc(n * n);
    for (int64_t j = 0; j < n; j++) {
        for (int64_t i = 0; i < j; i++)
            t[i + j * n] = CMPLX(0.2 * trng_normal(&r), 0.2 * trng_normal(&r));
        t[j + j * n] = CMPLX(4.0 * trng_normal(&r), 4.0 * trng_normal(&r)); /* anywhere */
    }
    tz *u = tz_alloc(n * n);
    memcpy(u, t, sizeof(tz) * (size_t)(n * n));
    assert_ok(mf__sqrtm_tri("test", n, (double *)u, n));
    for (int64_t j = 0; j < n; j++)
        for (int64_t i = j + 1; i < n; i++)
            assert_true(u[i + j * n] == 0.0);
    assert_le(root_residual(n, t, u), 20.0);
    assert_principal(n, u);
    tz nil[4] = {0, 0, 1, 0};
    assert_status(mf__sqrtm_tri("test", 2, (double *)nil, 2), MF_EDOMAIN);
    free(t);
    free(u);
}

/* ---------- blocked kernels against the point recurrence ---------- */

/* 2 x 2 block rows of an n x n quasi-triangular matrix in runs (pairs in
 * rows 0..59 and 80..129, singles elsewhere), so that the Sylvester
 * kernel meets tiles of pairs, of singles and of both kinds side by side.
 * Returns the number of blocks written to rows. */
static int runs_of_pairs(int64_t n, int64_t *rows) {
    int count = 0;
    for (int64_t k = 0; k + 1 < n;) {
        if (k < 60 || (k >= 80 && k < 130)) {
            rows[count++] = k;
            k += 2;
        } else {
            k++;
        }
    }
    return count;
}

/* The recursive blocked kernels (Sylvester solves above MF_SQRTM_BASE,
 * tiles below) agree with the entry-by-entry recurrence. Both are stable,
 * so n u cond bounds their difference; they take the same products in
 * another order, and agree far closer here: 10 n u is some 500 times the
 * difference seen, and n u cond about 100 times larger still. */
static void test_blocked_matches_point(void **state) {
    (void)state;
    trng r = trng_new(80);
    const int64_t n = 150;
    int64_t rows[75];
    const int nblocks = runs_of_pairs(n, rows);
    double *t = quasi_triangular(n, rows, nblocks, &r);
    double *blocked = malloc(sizeof(double) * (size_t)(n * n));
    double *point = malloc(sizeof(double) * (size_t)(n * n));
    memcpy(blocked, t, sizeof(double) * (size_t)(n * n));
    memcpy(point, t, sizeof(double) * (size_t)(n * n));
    assert_ok(mf__sqrtm_quasitri("test", n, blocked, n));
    assert_ok(mf__sqrtm_quasitri_point("test", n, point, n));
    tz *bd = tz_alloc(n * n), *pd = tz_alloc(n * n), *td = tz_alloc(n * n);
    for (int64_t k = 0; k < n * n; k++) {
        bd[k] = blocked[k];
        pd[k] = point[k];
        td[k] = t[k];
    }
    tm T = tm_new(n, n, MF_F64, TL_COLMAJOR);
    tm_from_dense(&T, td);
    double cond = 0.0;
    assert_ok(mf_sqrtm_cond(&T.m, &cond));
    const double err = tz_diff_fro(n, n, bd, pd) / tz_norm_fro(n, n, pd);
    assert_le(err, fmin(10.0 * (double)n * TEST_U, (double)n * TEST_U * cond));
    /* complex: a triangular matrix with eigenvalues anywhere */
    const int64_t nc = 131;
    tz *tc = tz_alloc(nc * nc);
    for (int64_t j = 0; j < nc; j++) {
        for (int64_t i = 0; i < j; i++)
            tc[i + j * nc] = CMPLX(0.2 * trng_normal(&r), 0.2 * trng_normal(&r));
        tc[j + j * nc] = CMPLX(4.0 * trng_normal(&r), 4.0 * trng_normal(&r));
    }
    tz *bc = tz_alloc(nc * nc), *pc = tz_alloc(nc * nc);
    memcpy(bc, tc, sizeof(tz) * (size_t)(nc * nc));
    memcpy(pc, tc, sizeof(tz) * (size_t)(nc * nc));
    assert_ok(mf__sqrtm_tri("test", nc, (double *)bc, nc));
    assert_ok(mf__sqrtm_tri_point("test", nc, (double *)pc, nc));
    tm Tc = tm_new(nc, nc, MF_C128, TL_COLMAJOR);
    tm_from_dense(&Tc, tc);
    assert_ok(mf_sqrtm_cond(&Tc.m, &cond));
    const double errc = tz_diff_fro(nc, nc, bc, pc) / tz_norm_fro(nc, nc, pc);
    assert_le(errc, fmin(10.0 * (double)nc * TEST_U, (double)nc * TEST_U * cond));
    tm_free(&T);
    tm_free(&Tc);
    free(t);
    free(blocked);
    free(point);
    free(bd);
    free(pd);
    free(td);
    free(tc);
    free(bc);
    free(pc);
}

/* ||A X + X B - C||_F / ((||A||_F + ||B||_F) ||X||_F u): a Bartels-Stewart
 * type solver leaves O(m + k) at worst (Higham, ASNA 2002, section 16.2);
 * the matrices below give 0.05 (real) and 0.17 (complex), checked at 2. */
static double sylvester_residual(int64_t m, int64_t k, const tz *a, const tz *b, const tz *x,
                                 const tz *c) {
    return tz_sylvester_residual(m, k, a, b, x, c) /
           ((tz_norm_fro(m, m, a) + tz_norm_fro(k, k, b)) * tz_norm_fro(m, k, x) * TEST_U);
}

/* The Sylvester solver under the square roots, on its own: rectangular,
 * padded leading dimensions, every tile shape (runs of 2 x 2 blocks and
 * singles), and its refusal of a zero divisor. */
static void test_trsylv(void **state) {
    (void)state;
    trng r = trng_new(81);
    const int64_t m = 141, k = 97, ld = 150;
    int64_t rows[75];
    double *a = quasi_triangular(m, rows, runs_of_pairs(m, rows), &r);
    double *b = quasi_triangular(k, rows, runs_of_pairs(k, rows), &r);
    double *ap = calloc((size_t)(ld * m), sizeof(double)), *bp = calloc((size_t)(ld * k), sizeof(double));
    double *cp = calloc((size_t)(ld * k), sizeof(double));
    tz *ad = tz_alloc(m * m), *bd = tz_alloc(k * k), *cd = tz_random(m, k, false, &r), *xd = tz_alloc(m * k);
    for (int64_t j = 0; j < m; j++)
        for (int64_t i = 0; i < m; i++)
            ad[i + j * m] = ap[i + j * ld] = a[i + j * m];
    for (int64_t j = 0; j < k; j++)
        for (int64_t i = 0; i < k; i++)
            bd[i + j * k] = bp[i + j * ld] = b[i + j * k];
    for (int64_t j = 0; j < k; j++)
        for (int64_t i = 0; i < m; i++)
            cp[i + j * ld] = creal(cd[i + j * m]);
    assert_true(mf__trsylv_real(m, k, ap, ld, bp, ld, cp, ld));
    for (int64_t j = 0; j < k; j++)
        for (int64_t i = 0; i < m; i++)
            xd[i + j * m] = cp[i + j * ld];
    assert_le(sylvester_residual(m, k, ad, bd, xd, cd), 2.0);
    /* complex, triangular */
    tz *ac = tz_random(m, m, true, &r), *bc = tz_random(k, k, true, &r), *cc = tz_random(m, k, true, &r);
    for (int64_t j = 0; j < m; j++) {
        for (int64_t i = j + 1; i < m; i++)
            ac[i + j * m] = 0.0;
        ac[j + j * m] += 2.0 * sqrt((double)m);
    }
    for (int64_t j = 0; j < k; j++) {
        for (int64_t i = j + 1; i < k; i++)
            bc[i + j * k] = 0.0;
        bc[j + j * k] += 2.0 * sqrt((double)k);
    }
    tz *xc = tz_alloc(m * k);
    memcpy(xc, cc, sizeof(tz) * (size_t)(m * k));
    assert_true(mf__trsylv_complex(m, k, (double *)ac, m, (double *)bc, k, (double *)xc, m));
    assert_le(sylvester_residual(m, k, ac, bc, xc, cc), 2.0);
    /* a_11 + b_11 = 0: no solution to compute */
    double z1 = 0.0, z2 = 0.0, one = 1.0;
    assert_false(mf__trsylv_real(1, 1, &z1, 1, &z2, 1, &one, 1));
    tz zc1 = 0.0, zc2 = 0.0, onec = 1.0;
    assert_false(mf__trsylv_complex(1, 1, (double *)&zc1, 1, (double *)&zc2, 1, (double *)&onec, 1));
    /* a singular 2 x 2 Kronecker system: A = B = [[0, 1], [-1, 0]] (A + B^T = 0) */
    double rot[4] = {0.0, -1.0, 1.0, 0.0}, c4[4] = {1.0, 2.0, 3.0, 4.0};
    assert_false(mf__trsylv_real(2, 2, rot, 2, rot, 2, c4, 2));
    free(a);
    free(b);
    free(ap);
    free(bp);
    free(cp);
    free(ad);
    free(bd);
    free(cd);
    free(xd);
    free(ac);
    free(bc);
    free(cc);
    free(xc);
}

/* A root beyond the double range is MF_EOVERFLOW from either kernel (no
 * ?trsyl3 scaling: the overflow shows as Inf). */
static void test_kernels_overflow(void **state) {
    (void)state;
    double t[4] = {1e-300, 0.0, 1e300, 1e-300}; /* u12 = 1e300 / 2e-150 */
    double u[4];
    memcpy(u, t, sizeof t);
    assert_status(mf__sqrtm_quasitri("test", 2, u, 2), MF_EOVERFLOW);
    assert_last_error_mentions("overflows");
    memcpy(u, t, sizeof t);
    assert_status(mf__sqrtm_quasitri_point("test", 2, u, 2), MF_EOVERFLOW);
    tz tc[4] = {1e-300, 0.0, 1e300, 1e-300}, uc[4];
    memcpy(uc, tc, sizeof tc);
    assert_status(mf__sqrtm_tri("test", 2, (double *)uc, 2), MF_EOVERFLOW);
    memcpy(uc, tc, sizeof tc);
    assert_status(mf__sqrtm_tri_point("test", 2, (double *)uc, 2), MF_EOVERFLOW);
    /* the same in a blocked size: the Sylvester solves overflow */
    const int64_t n = 3 * MF_SQRTM_BASE;
    double *big = calloc((size_t)(n * n), sizeof(double));
    for (int64_t k = 0; k < n; k++)
        big[k + k * n] = 1e-300;
    big[0 + (n - 1) * n] = 1e300;
    assert_status(mf__sqrtm_quasitri("test", n, big, n), MF_EOVERFLOW);
    tz *bigc = tz_alloc(n * n);
    for (int64_t k = 0; k < n; k++)
        bigc[k + k * n] = 1e-300;
    bigc[0 + (n - 1) * n] = 1e300;
    assert_status(mf__sqrtm_tri("test", n, (double *)bigc, n), MF_EOVERFLOW);
    free(big);
    free(bigc);
}

/* ---------- Frechet derivative and condition number ---------- */

static void check_frechet(int64_t n, int32_t dtA, int32_t dtE, int32_t dtL, tlayout lay, trng *r) {
    tz *a = tz_random_shifted(n, dtA == MF_C128, r), *e = tz_random(n, n, dtE == MF_C128, r);
    tm A = tm_new(n, n, dtA, lay), E = tm_new(n, n, dtE, lay), S = tm_new(n, n, dtL, lay),
       L = tm_new(n, n, dtL, lay), S2 = tm_new(n, n, dtL, TL_COLMAJOR);
    tm_from_dense(&A, a);
    tm_from_dense(&E, e);
    assert_ok(mf_sqrtm_frechet(&A.m, &E.m, &S.m, &L.m));
    assert_true(tm_padding_intact(&S) && tm_padding_intact(&L));
    assert_ok(mf_sqrtm(&A.m, &S2.m));
    tz *s = tm_to_dense(&S), *l = tm_to_dense(&L), *s2 = tm_to_dense(&S2);
    assert_le(tz_diff_fro(n, n, s, s2), 100.0 * n * TEST_U * tz_norm_fro(n, n, s));
    /* S L + L S = E */
    tz *sl = tz_alloc(n * n), *ls = tz_alloc(n * n);
    tz_matmul(n, n, n, s, l, sl);
    tz_matmul(n, n, n, l, s, ls);
    for (int64_t k = 0; k < n * n; k++)
        sl[k] += ls[k];
    assert_le(tz_diff_fro(n, n, sl, e),
              50.0 * n * TEST_U * (2.0 * tz_norm_fro(n, n, s) * tz_norm_fro(n, n, l) + 1.0));
    /* central difference (sqrtm(A + hE) - sqrtm(A - hE)) / 2h */
    const double h = 1e-5;
    tz *ap = tz_alloc(n * n), *am = tz_alloc(n * n);
    for (int64_t k = 0; k < n * n; k++) {
        ap[k] = a[k] + h * e[k];
        am[k] = a[k] - h * e[k];
    }
    tm P = tm_new(n, n, MF_C128, TL_COLMAJOR), M = tm_new(n, n, MF_C128, TL_COLMAJOR),
       SP = tm_new(n, n, MF_C128, TL_COLMAJOR), SM = tm_new(n, n, MF_C128, TL_COLMAJOR);
    tm_from_dense(&P, ap);
    tm_from_dense(&M, am);
    assert_ok(mf_sqrtm(&P.m, &SP.m));
    assert_ok(mf_sqrtm(&M.m, &SM.m));
    tz *sp = tm_to_dense(&SP), *sm = tm_to_dense(&SM);
    for (int64_t k = 0; k < n * n; k++)
        sp[k] = (sp[k] - sm[k]) / (2.0 * h);
    assert_le(tz_diff_fro(n, n, sp, l), 1e-6 * tz_norm_fro(n, n, l));
    tz *bufs[] = {a, e, s, l, s2, sl, ls, ap, am, sp, sm};
    for (size_t k = 0; k < sizeof bufs / sizeof bufs[0]; k++)
        free(bufs[k]);
    tm *ms[] = {&A, &E, &S, &L, &S2, &P, &M, &SP, &SM};
    for (size_t k = 0; k < sizeof ms / sizeof ms[0]; k++)
        tm_free(ms[k]);
}

static void test_sqrtm_frechet(void **state) {
    (void)state;
    trng r = trng_new(69);
    for (int l = 0; l < TL_COUNT; l++) {
        check_frechet(6, MF_F64, MF_F64, MF_F64, (tlayout)l, &r);
        check_frechet(6, MF_F64, MF_C128, MF_C128, (tlayout)l, &r);
        check_frechet(7, MF_C128, MF_F64, MF_C128, (tlayout)l, &r);
    }
    check_frechet(80, MF_F64, MF_F64, MF_F64, TL_COLMAJOR, &r);
    check_frechet(70, MF_C128, MF_C128, MF_C128, TL_ROWMAJOR, &r);
    /* S may be omitted; L may be E (in place) */
    tz *a = tz_random_shifted(5, false, &r), *e = tz_random(5, 5, false, &r);
    tm A = tm_new(5, 5, MF_F64, TL_COLMAJOR), E = tm_new(5, 5, MF_F64, TL_STRIDED),
       L = tm_new(5, 5, MF_F64, TL_STRIDED);
    tm_from_dense(&A, a);
    tm_from_dense(&E, e);
    assert_ok(mf_sqrtm_frechet(&A.m, &E.m, NULL, &L.m));
    assert_ok(mf_sqrtm_frechet(&A.m, &E.m, NULL, &E.m));
    tz *l1 = tm_to_dense(&L), *l2 = tm_to_dense(&E);
    assert_le(tz_diff_fro(5, 5, l1, l2), 0.0);
    free(a);
    free(e);
    free(l1);
    free(l2);
    tm_free(&A);
    tm_free(&E);
    tm_free(&L);
}

static void test_sqrtm_cond(void **state) {
    (void)state;
    ref_case cases[32];
    const int count = ref_load("sqrtm", cases, 32);
    for (int k = 0; k < count; k++) {
        const ref_case *c = &cases[k];
        tm A = tm_new(c->n, c->n, c->input, TL_PADDED_ROW);
        tm_from_dense(&A, c->a);
        double cond = -1.0;
        assert_ok(mf_sqrtm_cond(&A.m, &cond));
        /* the 1-norm of the Kronecker form is within a factor n of its
         * 2-norm, and the estimator returns a lower bound of the former */
        const double n = (double)c->n;
        if (!(cond >= c->cond / (3.0 * n) && cond <= c->cond * n * (1.0 + 1e-8)))
            fail_msg("%s: cond estimate %.4g, reference %.4g", c->name, cond, c->cond);
        tm_free(&A);
    }
    ref_free(cases, count);
    tm Z = tm_new(0, 0, MF_F64, TL_COLMAJOR);
    double cond = -1.0;
    assert_ok(mf_sqrtm_cond(&Z.m, &cond));
    assert_true(cond == 0.0);
    tm_free(&Z);
}

static void test_frechet_and_cond_errors(void **state) {
    (void)state;
    trng r = trng_new(70);
    tm A = tm_new(4, 4, MF_F64, TL_COLMAJOR), E = tm_new(4, 4, MF_F64, TL_COLMAJOR),
       C = tm_new(4, 4, MF_C128, TL_COLMAJOR), L = tm_new(4, 4, MF_F64, TL_COLMAJOR),
       Lc = tm_new(4, 4, MF_C128, TL_COLMAJOR), S = tm_new(4, 4, MF_F64, TL_COLMAJOR),
       E3 = tm_new(3, 4, MF_F64, TL_COLMAJOR), Sg = tm_new(4, 4, MF_F64, TL_COLMAJOR);
    tz *a = tz_random_shifted(4, false, &r);
    tm_from_dense(&A, a);
    tm_fill_random(&E, &r);
    tm_fill_random(&C, &r);
    tm_fill(&Sg, 0.0);
    tm_set(&Sg, 0, 2, 1.0);
    tm_set(&Sg, 2, 2, 1.0);
    tm_set(&Sg, 3, 3, 2.0); /* singular with a root: not differentiable */
    tm *outs[] = {&L, &Lc, &S};
    double *snaps[3];
    for (int k = 0; k < 3; k++)
        snaps[k] = tm_snapshot(outs[k]);
    assert_status(mf_sqrtm_frechet(NULL, &E.m, NULL, &L.m), MF_EINVAL);
    assert_status(mf_sqrtm_frechet(&A.m, NULL, NULL, &L.m), MF_EINVAL);
    assert_status(mf_sqrtm_frechet(&A.m, &E.m, NULL, NULL), MF_EINVAL);
    assert_last_error_mentions("L is NULL");
    assert_status(mf_sqrtm_frechet(&A.m, &E3.m, NULL, &L.m), MF_EDIM);
    assert_last_error_mentions("E is 3 x 4");
    assert_status(mf_sqrtm_frechet(&A.m, &C.m, NULL, &L.m), MF_EDTYPE);
    assert_status(mf_sqrtm_frechet(&A.m, &E.m, &S.m, &Lc.m), MF_EDTYPE);
    assert_last_error_mentions("S must have L's dtype");
    assert_status(mf_sqrtm_frechet(&A.m, &E.m, &L.m, &L.m), MF_EALIAS);
    assert_status(mf_sqrtm_frechet(&Sg.m, &E.m, &S.m, &L.m), MF_EDOMAIN);
    assert_last_error_mentions("not differentiable");
    tm_set(&E, 1, 1, NAN);
    assert_status(mf_sqrtm_frechet(&A.m, &E.m, &S.m, &L.m), MF_ENONFINITE);
    for (int k = 0; k < 3; k++) {
        assert_true(tm_unchanged(outs[k], snaps[k]));
        free(snaps[k]);
    }
    double cond = -7.0;
    assert_status(mf_sqrtm_cond(&A.m, NULL), MF_EINVAL);
    assert_status(mf_sqrtm_cond(&E3.m, &cond), MF_EDIM);
    assert_status(mf_sqrtm_cond(&Sg.m, &cond), MF_EDOMAIN);
    assert_status(mf_sqrtm_cond(&E.m, &cond), MF_ENONFINITE);
    assert_true(cond == -7.0);
    free(a);
    tm *all[] = {&A, &E, &C, &L, &Lc, &S, &E3, &Sg};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
        tm_free(all[k]);
}

/*
 * Eigenvalues -1 +- i d of A give the root's eigenvalues d/2 +- i, whose
 * sum d makes U X + X U = C singular to working precision once d is below
 * eps max|u_ij| (about 1): MF_ESINGULAR from both functions, in real and
 * complex arithmetic, while d = 1e-3 still differentiates. A tiny A and a
 * huge E give a derivative beyond the double range: MF_EOVERFLOW. Outputs
 * untouched on failure.
 */
static void test_frechet_singular_and_overflow(void **state) {
    (void)state;
    trng r = trng_new(74);
    tm A = tm_new(3, 3, MF_F64, TL_COLMAJOR), Ac = tm_new(3, 3, MF_C128, TL_ROWMAJOR),
       E = tm_new(3, 3, MF_F64, TL_COLMAJOR), L = tm_new(3, 3, MF_F64, TL_PADDED_COL),
       Lc = tm_new(3, 3, MF_C128, TL_COLMAJOR);
    tm_fill_random(&E, &r);
    tm_fill_random(&L, &r);
    tm_fill_random(&Lc, &r);
    double *snap = tm_snapshot(&L), *snapc = tm_snapshot(&Lc);
    const double gaps[] = {1e-20, 1e-3};
    for (int k = 0; k < 2; k++) {
        const double d = gaps[k];
        const mf_status want = d < 1e-10 ? MF_ESINGULAR : MF_OK;
        tm_fill(&A, 0.0);
        tm_set(&A, 0, 0, -1.0);
        tm_set(&A, 1, 1, -1.0);
        tm_set(&A, 0, 1, d);
        tm_set(&A, 1, 0, -d);
        tm_set(&A, 2, 2, 4.0);
        tm_set(&A, 0, 2, 0.5);
        tm_fill(&Ac, 0.0);
        tm_set(&Ac, 0, 0, CMPLX(-1.0, d));
        tm_set(&Ac, 1, 1, CMPLX(-1.0, -d));
        tm_set(&Ac, 2, 2, 4.0);
        tm_set(&Ac, 0, 1, 0.5);
        tm_set(&Ac, 1, 2, CMPLX(0.0, 0.5));
        double cond = -7.0;
        assert_status(mf_sqrtm_frechet(&A.m, &E.m, NULL, &L.m), want);
        assert_status(mf_sqrtm_cond(&A.m, &cond), want);
        assert_status(mf_sqrtm_frechet(&Ac.m, &E.m, NULL, &Lc.m), want);
        assert_status(mf_sqrtm_cond(&Ac.m, &cond), want);
        if (want == MF_ESINGULAR) {
            assert_last_error_mentions("mf_sqrtm_cond: A is singular to working precision");
            assert_true(cond == -7.0);
            assert_true(tm_unchanged(&L, snap) && tm_unchanged(&Lc, snapc));
        } else {
            assert_true(cond > 1.0 / d && isfinite(cond)); /* ||L|| grows like 1 / d */
        }
    }
    /* sqrt(A) about 1e-150, E 1e200: L about 1e350 */
    tm_fill(&A, 0.0);
    tm_set(&A, 0, 0, 1e-300);
    tm_set(&A, 1, 1, 2e-300);
    tm_set(&A, 2, 2, 3e-300);
    tm_set(&A, 0, 2, 1e-300);
    tm_fill(&E, 1e200);
    tm_fill_random(&L, &r);
    free(snap);
    snap = tm_snapshot(&L);
    assert_status(mf_sqrtm_frechet(&A.m, &E.m, NULL, &L.m), MF_EOVERFLOW);
    assert_last_error_mentions("mf_sqrtm_frechet: the Frechet derivative overflows");
    assert_true(tm_unchanged(&L, snap));
    /* the same with E 1e100 is representable */
    tm_fill(&E, 1e100);
    assert_ok(mf_sqrtm_frechet(&A.m, &E.m, NULL, &L.m));
    free(snap);
    free(snapc);
    tm *all[] = {&A, &Ac, &E, &L, &Lc};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
        tm_free(all[k]);
}

/* ---------- argument errors ---------- */

static void test_sqrtm_error_paths(void **state) {
    (void)state;
    trng r = trng_new(71);
    tm A = tm_new(4, 4, MF_F64, TL_COLMAJOR), C = tm_new(4, 4, MF_C128, TL_COLMAJOR),
       R = tm_new(4, 3, MF_F64, TL_COLMAJOR), S = tm_new(4, 4, MF_F64, TL_COLMAJOR),
       Sbad = tm_new(4, 3, MF_F64, TL_COLMAJOR), Sc = tm_new(4, 4, MF_C128, TL_COLMAJOR);
    tm_fill_random(&A, &r);
    tm_fill_random(&C, &r);
    tm_fill_random(&R, &r);
    tm *outs[] = {&S, &Sbad, &Sc};
    double *snaps[3];
    for (int k = 0; k < 3; k++)
        snaps[k] = tm_snapshot(outs[k]);
    assert_status(mf_sqrtm(NULL, &S.m), MF_EINVAL);
    assert_status(mf_sqrtm(&A.m, NULL), MF_EINVAL);
    assert_last_error_mentions("mf_sqrtm: argument S is NULL");
    mf_matrix bad = A.m;
    bad.flags = 1;
    assert_status(mf_sqrtm(&bad, &S.m), MF_EINVAL);
    bad = A.m;
    bad.rs = 0;
    assert_status(mf_sqrtm(&bad, &S.m), MF_EINVAL);
    assert_status(mf_sqrtm(&R.m, &S.m), MF_EDIM);
    assert_last_error_mentions("square");
    assert_status(mf_sqrtm(&A.m, &Sbad.m), MF_EDIM);
    assert_status(mf_sqrtm(&C.m, &S.m), MF_EDTYPE);
    mf_matrix shifted = A.m, in3 = A.m;
    shifted.data = (double *)A.m.data + 1;
    shifted.rows = shifted.cols = in3.rows = in3.cols = 3;
    double *snapA = tm_snapshot(&A);
    assert_status(mf_sqrtm(&in3, &shifted), MF_EALIAS);
    assert_true(tm_unchanged(&A, snapA));
    tm_set(&A, 2, 1, INFINITY);
    assert_status(mf_sqrtm(&A.m, &S.m), MF_ENONFINITE);
    tm_set(&C, 0, 3, CMPLX(NAN, 0));
    assert_status(mf_sqrtm(&C.m, &Sc.m), MF_ENONFINITE);
    for (int k = 0; k < 3; k++) {
        assert_true(tm_unchanged(outs[k], snaps[k]));
        free(snaps[k]);
    }
    free(snapA);
    tm *all[] = {&A, &C, &R, &S, &Sbad, &Sc};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
        tm_free(all[k]);
}

/* ---------- allocation failures ---------- */

static mf_status call_sqrtm(void *p) {
    tsweep_square_args *c = p;
    return mf_sqrtm(&c->A->m, &c->X->m);
}

static mf_status call_frechet(void *p) {
    tsweep_square_args *c = p;
    return mf_sqrtm_frechet(&c->A->m, &c->E->m, NULL, &c->X->m);
}

static double cond_out;
static mf_status call_cond(void *p) {
    tsweep_square_args *c = p;
    return mf_sqrtm_cond(&c->A->m, &cond_out);
}

static void test_sqrtm_allocation_failures(void **state) {
    (void)state;
    trng r = trng_new(73);
    tz *a = tz_random_shifted(8, false, &r), *c = tz_random_shifted(8, true, &r);
    tz *neg = tz_random(8, 8, false, &r), *big = tz_random_shifted(MF_SQRTM_BASE + 6, false, &r);
    tz *bigc = tz_random_shifted(MF_SQRTM_BASE + 6, true, &r), *sym = gram(8, 8, false, -3.0, &r);
    tz *psd = gram(8, 8, true, 1.0, &r);
    tsweep_square(a, 8, MF_F64, MF_F64, call_sqrtm, 3, 72);
    tsweep_square(c, 8, MF_C128, MF_C128, call_sqrtm, 3, 72);
    tsweep_square(neg, 8, MF_F64, MF_C128, call_sqrtm, 5, 72);     /* real -> complex Schur */
    tsweep_square(big, MF_SQRTM_BASE + 6, MF_F64, MF_F64, call_sqrtm, 5, 72); /* blocked kernel */
    tsweep_square(bigc, MF_SQRTM_BASE + 6, MF_C128, MF_C128, call_sqrtm, 5, 72);
    tsweep_square(sym, 8, MF_F64, MF_C128, call_sqrtm, 4, 72);     /* indefinite symmetric */
    tsweep_square(psd, 8, MF_C128, MF_C128, call_sqrtm, 3, 72);    /* Hermitian positive definite */
    tsweep_square(a, 8, MF_F64, MF_F64, call_frechet, 5, 72);
    tsweep_square(c, 8, MF_C128, MF_C128, call_frechet, 5, 72);
    tsweep_square(a, 8, MF_F64, MF_F64, call_cond, 5, 72);
    free(a);
    free(c);
    free(neg);
    free(big);
    free(bigc);
    free(sym);
    free(psd);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sqrtm_all_layouts_and_dtypes),
        cmocka_unit_test(test_sqrtm_complex_root_of_real),
        cmocka_unit_test(test_sqrtm_in_place),
        cmocka_unit_test(test_sqrtm_blocked_sizes),
        cmocka_unit_test(test_sqrtm_reference_data),
        cmocka_unit_test(test_sqrtm_hermitian),
        cmocka_unit_test(test_sqrtm_branch_cut_tie_break),
        cmocka_unit_test(test_sqrtm_singular_with_root),
        cmocka_unit_test(test_sqrtm_no_root),
        cmocka_unit_test(test_quasitri_kernel),
        cmocka_unit_test(test_tri_kernel),
        cmocka_unit_test(test_blocked_matches_point),
        cmocka_unit_test(test_kernels_overflow),
        cmocka_unit_test(test_trsylv),
        cmocka_unit_test(test_sqrtm_frechet),
        cmocka_unit_test(test_sqrtm_cond),
        cmocka_unit_test(test_frechet_and_cond_errors),
        cmocka_unit_test(test_frechet_singular_and_overflow),
        cmocka_unit_test(test_sqrtm_error_paths),
        cmocka_unit_test(test_sqrtm_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
