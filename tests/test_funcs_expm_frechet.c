/* mf_expm_frechet and mf_expm_cond.
 * The derivative is judged four independent ways: the block-triangular
 * identity exp([[A, E], [0, A]]) = [[exp(A), L], [0, exp(A)]], the exact
 * divided differences of a diagonal A, the identities L(A, I) = exp(A) and
 * L(A, A) = A exp(A), and central finite differences within their own error
 * bound. The condition number is checked against the Kronecker form K built
 * column by column from L(A, E_ij), within the documented factor n. */
#include "testutil.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <lapacke.h>

/* ||A||_1 targets hitting every degree of AH09b Table 6.1 (3, 5, 7, 9) and
 * degree 13 without and with squaring. */
static const double norm_targets[] = {1e-3, 0.1, 0.5, 1.5, 3.0, 30.0, 300.0};
#define NTARGETS (sizeof norm_targets / sizeof norm_targets[0])

/* Random n x n matrix scaled to the given 1-norm. */
static tz *random_with_norm(int64_t n, bool cplx, double norm1, trng *r) {
    tz *a = tz_random(n, n, cplx, r);
    const double scale = n > 0 ? norm1 / tz_norm1(n, a) : 1.0;
    for (int64_t k = 0; k < n * n; k++)
        a[k] *= scale;
    return a;
}

/* exp(A) and L(A, E) through column-major descriptors. */
static void frechet_dense(int64_t n, int32_t dt, const tz *a, const tz *e, tz **expa, tz **l) {
    tm A = tm_new(n, n, dt, TL_COLMAJOR), E = tm_new(n, n, dt, TL_COLMAJOR),
       X = tm_new(n, n, dt, TL_COLMAJOR), L = tm_new(n, n, dt, TL_COLMAJOR);
    tm_from_dense(&A, a);
    tm_from_dense(&E, e);
    assert_ok(mf_expm_frechet(&A.m, &E.m, &X.m, &L.m));
    *expa = tm_to_dense(&X);
    *l = tm_to_dense(&L);
    tm_free(&A);
    tm_free(&E);
    tm_free(&X);
    tm_free(&L);
}

/* Sub-block (i0, j0) of size n of the column-major ld x ld matrix big. */
static tz *sub_block(int64_t ld, const tz *big, int64_t i0, int64_t j0, int64_t n) {
    tz *b = tz_alloc(n * n);
    for (int64_t j = 0; j < n; j++)
        for (int64_t i = 0; i < n; i++)
            b[i + j * n] = big[(i0 + i) + (j0 + j) * ld];
    return b;
}

static double rel_diff(int64_t n, const tz *a, const tz *ref) {
    const double d = tz_diff_fro(n, n, a, ref), s = tz_norm_fro(n, n, ref);
    return s > 0 ? d / s : d;
}

/* ---------- the derivative ---------- */

static void check_block_triangular(int64_t n, int32_t dt, tlayout lay, double norm1, trng *r) {
    const bool cplx = dt == MF_C128;
    tz *a = random_with_norm(n, cplx, norm1, r), *e = random_with_norm(n, cplx, 1.0, r);
    tm A = tm_new(n, n, dt, lay), E = tm_new(n, n, dt, lay), X = tm_new(n, n, dt, lay),
       L = tm_new(n, n, dt, lay);
    tm_from_dense(&A, a);
    tm_from_dense(&E, e);
    double *sa = tm_snapshot(&A), *se = tm_snapshot(&E);
    assert_ok(mf_expm_frechet(&A.m, &E.m, &X.m, &L.m));
    assert_true(tm_unchanged(&A, sa) && tm_unchanged(&E, se));
    assert_true(tm_padding_intact(&X) && tm_padding_intact(&L));
    tz *x = tm_to_dense(&X), *l = tm_to_dense(&L);

    const int64_t n2 = 2 * n;
    tz *big = tz_alloc(n2 * n2), *zero = tz_alloc(n2 * n2);
    for (int64_t j = 0; j < n; j++)
        for (int64_t i = 0; i < n; i++) {
            big[i + j * n2] = big[(n + i) + (n + j) * n2] = a[i + j * n];
            big[i + (n + j) * n2] = e[i + j * n];
        }
    tz *expbig, *unused;
    frechet_dense(n2, dt, big, zero, &expbig, &unused);
    tz *ref_l = sub_block(n2, expbig, 0, n, n), *ref_x = sub_block(n2, expbig, 0, 0, n);
    tz *lower = sub_block(n2, expbig, n, 0, n);
    /* Both sides carry errors of order cond * u; random matrices of these
     * norms have modest conditioning, relative errors seen are below 1e-13. */
    const double tol = 1e3 * (double)n * TEST_U * (1.0 + norm1);
    if (n > 0) {
        assert_le(rel_diff(n, l, ref_l), tol);
        assert_le(rel_diff(n, x, ref_x), tol);
        assert_true(tz_norm_fro(n, n, lower) == 0.0);
        /* exp(A) also against mf_expm, an independent implementation */
        tm Y = tm_new(n, n, dt, TL_COLMAJOR);
        assert_ok(mf_expm(&A.m, &Y.m));
        tz *y = tm_to_dense(&Y);
        assert_le(rel_diff(n, x, y), tol);
        free(y);
        tm_free(&Y);
    }
    free(sa);
    free(se);
    free(a);
    free(e);
    free(x);
    free(l);
    free(big);
    free(zero);
    free(expbig);
    free(unused);
    free(ref_l);
    free(ref_x);
    free(lower);
    tm_free(&A);
    tm_free(&E);
    tm_free(&X);
    tm_free(&L);
}

static void test_frechet_block_triangular_all_degrees(void **state) {
    (void)state;
    trng r = trng_new(101);
    for (int dt = MF_F64; dt <= MF_C128; dt++)
        for (size_t k = 0; k < NTARGETS; k++)
            check_block_triangular(7, dt, TL_COLMAJOR, norm_targets[k], &r);
}

static void test_frechet_all_layouts_and_sizes(void **state) {
    (void)state;
    trng r = trng_new(102);
    const int64_t sizes[] = {0, 1, 2, 9};
    for (int dt = MF_F64; dt <= MF_C128; dt++)
        for (int lay = 0; lay < TL_COUNT; lay++)
            for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
                check_block_triangular(sizes[s], dt, (tlayout)lay, s % 2 ? 2.0 : 20.0, &r);
}

/* Diagonal A: L(A, E)_ij = E_ij (e^{a_i} - e^{a_j}) / (a_i - a_j), or
 * E_ij e^{a_i} when a_i = a_j (Higham 2008, Thm 3.11 via the divided
 * difference); an exact reference independent of any Pade code. */
static tz divided_difference(tz x, tz y) {
    if (x == y)
        return cexp(x);
    return (cexp(x) - cexp(y)) / (x - y);
}

static void test_frechet_diagonal_exact(void **state) {
    (void)state;
    trng r = trng_new(103);
    const tz diag_real[] = {-3.0, -0.5, 0.25, 0.25, 2.0, 7.5};
    const tz diag_cplx[] = {CMPLX(-3, 1), CMPLX(-0.5, -2), CMPLX(0.25, 0.5), CMPLX(0.25, 0.5),
                            CMPLX(2, 0), CMPLX(7.5, -4)};
    const int64_t n = 6;
    for (int dt = MF_F64; dt <= MF_C128; dt++) {
        const tz *d = dt == MF_C128 ? diag_cplx : diag_real;
        tz *a = tz_alloc(n * n), *e = tz_random(n, n, dt == MF_C128, &r), *ref = tz_alloc(n * n);
        for (int64_t i = 0; i < n; i++)
            a[i + i * n] = d[i];
        for (int64_t j = 0; j < n; j++)
            for (int64_t i = 0; i < n; i++)
                ref[i + j * n] = e[i + j * n] * divided_difference(d[i], d[j]);
        tz *x, *l;
        frechet_dense(n, dt, a, e, &x, &l);
        for (int64_t j = 0; j < n; j++)
            for (int64_t i = 0; i < n; i++)
                assert_le(cabs(l[i + j * n] - ref[i + j * n]),
                          50 * TEST_U * cabs(ref[i + j * n]) + 1e3 * TEST_U * tz_norm_fro(n, n, ref));
        for (int64_t i = 0; i < n; i++)
            assert_le(cabs(x[i + i * n] - cexp(d[i])), 50 * TEST_U * cabs(cexp(d[i])));
        free(a);
        free(e);
        free(ref);
        free(x);
        free(l);
    }
}

/* L(A, I) = exp(A) and L(A, A) = A exp(A): A commutes with both directions. */
static void test_frechet_commuting_directions(void **state) {
    (void)state;
    trng r = trng_new(104);
    const int64_t n = 8;
    for (int dt = MF_F64; dt <= MF_C128; dt++)
        for (size_t k = 0; k < NTARGETS; k++) {
            const double norm1 = norm_targets[k];
            tz *a = random_with_norm(n, dt == MF_C128, norm1, &r), *id = tz_identity(n);
            tz *x, *l_id, *x2, *l_a, *ax = tz_alloc(n * n);
            frechet_dense(n, dt, a, id, &x, &l_id);
            frechet_dense(n, dt, a, a, &x2, &l_a);
            tz_matmul(n, n, n, a, x, ax);
            const double tol = 1e3 * n * TEST_U * (1.0 + norm1);
            assert_le(rel_diff(n, l_id, x), tol);
            assert_le(rel_diff(n, l_a, ax), tol);
            assert_true(tz_diff_fro(n, n, x, x2) == 0.0); /* exp(A) does not depend on E */
            free(a);
            free(id);
            free(x);
            free(l_id);
            free(x2);
            free(l_a);
            free(ax);
        }
}

/* Central differences (exp(A + hE) - exp(A - hE)) / 2h differ from L by at
 * most h^2/6 max ||D^3 exp|| <= h^2/6 e^{||A|| + h} ||E||^3 (truncation)
 * plus the rounding of the two exponentials divided by 2h; h = u^(1/3)
 * balances the two. The test asserts the difference is within that bound. */
static void test_frechet_finite_differences(void **state) {
    (void)state;
    trng r = trng_new(105);
    const int64_t n = 6;
    const double targets[] = {0.05, 1.0, 4.0};
    for (int dt = MF_F64; dt <= MF_C128; dt++)
        for (size_t k = 0; k < 3; k++) {
            const bool cplx = dt == MF_C128;
            tz *a = random_with_norm(n, cplx, targets[k], &r), *e = random_with_norm(n, cplx, 1.0, &r);
            const double h = cbrt(TEST_U), norm_a = tz_norm1(n, a), norm_e = tz_norm1(n, e);
            tz *ap = tz_alloc(n * n), *am = tz_alloc(n * n), *fd = tz_alloc(n * n);
            for (int64_t q = 0; q < n * n; q++) {
                ap[q] = a[q] + h * e[q];
                am[q] = a[q] - h * e[q];
            }
            tz *xp, *xm, *x, *l, *junk1, *junk2;
            frechet_dense(n, dt, ap, e, &xp, &junk1);
            frechet_dense(n, dt, am, e, &xm, &junk2);
            frechet_dense(n, dt, a, e, &x, &l);
            for (int64_t q = 0; q < n * n; q++)
                fd[q] = (xp[q] - xm[q]) / (2 * h);
            /* In the Frobenius norm, with sqrt(n) to pass from 1-norms. */
            const double growth = exp(norm_a + h * norm_e) * sqrt((double)n);
            const double truncation = h * h / 6 * growth * norm_e * norm_e * norm_e;
            const double rounding = 2 * 10 * n * TEST_U * growth / (2 * h);
            assert_le(tz_diff_fro(n, n, fd, l), truncation + rounding);
            /* and the bound is informative: far below ||L|| */
            assert_le(truncation + rounding, 1e-6 * tz_norm_fro(n, n, l));
            free(a);
            free(e);
            free(ap);
            free(am);
            free(fd);
            free(xp);
            free(xm);
            free(x);
            free(l);
            free(junk1);
            free(junk2);
        }
}

static void test_frechet_in_place_and_dtypes(void **state) {
    (void)state;
    trng r = trng_new(106);
    const int64_t n = 5;
    for (int dt = MF_F64; dt <= MF_C128; dt++)
        for (int lay = 0; lay < TL_COUNT; lay++) {
            tz *a = random_with_norm(n, dt == MF_C128, 6.0, &r), *e = tz_random(n, n, dt == MF_C128, &r);
            tz *x_ref, *l_ref;
            frechet_dense(n, dt, a, e, &x_ref, &l_ref);
            /* expA over A and L over E */
            tm A = tm_new(n, n, dt, (tlayout)lay), E = tm_new(n, n, dt, (tlayout)lay);
            tm_from_dense(&A, a);
            tm_from_dense(&E, e);
            assert_ok(mf_expm_frechet(&A.m, &E.m, &A.m, &E.m));
            tz *x = tm_to_dense(&A), *l = tm_to_dense(&E);
            assert_le(rel_diff(n, x, x_ref), 4 * TEST_U);
            assert_le(rel_diff(n, l, l_ref), 4 * TEST_U);
            free(x);
            free(l);
            /* L over A, no expA */
            tm_from_dense(&A, a);
            tm_from_dense(&E, e);
            assert_ok(mf_expm_frechet(&A.m, &E.m, NULL, &A.m));
            l = tm_to_dense(&A);
            assert_le(rel_diff(n, l, l_ref), 4 * TEST_U);
            free(l);
            free(a);
            free(e);
            free(x_ref);
            free(l_ref);
            tm_free(&A);
            tm_free(&E);
        }
    /* real A and E, complex outputs: the real result with zero imaginary parts;
     * real A with complex E: complex arithmetic */
    tz *a = random_with_norm(n, false, 2.0, &r), *e = tz_random(n, n, false, &r);
    tz *x_ref, *l_ref;
    frechet_dense(n, MF_F64, a, e, &x_ref, &l_ref);
    tm A = tm_new(n, n, MF_F64, TL_ROWMAJOR), E = tm_new(n, n, MF_F64, TL_COLMAJOR),
       Ez = tm_new(n, n, MF_C128, TL_STRIDED), X = tm_new(n, n, MF_C128, TL_PADDED_COL),
       L = tm_new(n, n, MF_C128, TL_COLMAJOR);
    tm_from_dense(&A, a);
    tm_from_dense(&E, e);
    assert_ok(mf_expm_frechet(&A.m, &E.m, &X.m, &L.m));
    tz *x = tm_to_dense(&X), *l = tm_to_dense(&L);
    assert_true(tz_diff_fro(n, n, x, x_ref) == 0.0 && tz_diff_fro(n, n, l, l_ref) == 0.0);
    free(l);
    tz *ie = tz_alloc(n * n); /* direction i E: L(A, iE) = i L(A, E) */
    for (int64_t q = 0; q < n * n; q++)
        ie[q] = I * e[q];
    tm_from_dense(&Ez, ie);
    assert_ok(mf_expm_frechet(&A.m, &Ez.m, NULL, &L.m));
    l = tm_to_dense(&L);
    for (int64_t q = 0; q < n * n; q++)
        ie[q] = I * l_ref[q];
    assert_le(rel_diff(n, l, ie), 1e3 * n * TEST_U);
    free(ie);
    free(a);
    free(e);
    free(x);
    free(l);
    free(x_ref);
    free(l_ref);
    tm_free(&A);
    tm_free(&E);
    tm_free(&Ez);
    tm_free(&X);
    tm_free(&L);
}

/* ---------- condition number against the Kronecker form ---------- */

/* K (n^2 x n^2) with column i + j n = vec L(A, e_i e_j^T). */
static tz *kronecker_form(int64_t n, int32_t dt, const tz *a) {
    const int64_t nn = n * n;
    tz *k = tz_alloc(nn * nn), *e = tz_alloc(nn);
    for (int64_t c = 0; c < nn; c++) {
        memset(e, 0, (size_t)nn * sizeof(tz));
        e[c] = 1.0;
        tz *x, *l;
        frechet_dense(n, dt, a, e, &x, &l);
        memcpy(k + c * nn, l, (size_t)nn * sizeof(tz));
        free(x);
        free(l);
    }
    free(e);
    return k;
}

static double largest_singular_value(int64_t m, const tz *k) {
    tz *copy = tz_alloc(m * m);
    memcpy(copy, k, (size_t)(m * m) * sizeof(tz));
    double *s = calloc((size_t)m, sizeof(double)), *superb = calloc((size_t)m, sizeof(double));
    int info = LAPACKE_zgesvd(LAPACK_COL_MAJOR, 'N', 'N', (int)m, (int)m,
                              (lapack_complex_double *)copy, (int)m, s, NULL, 1, NULL, 1, superb);
    assert_int_equal(info, 0);
    const double top = s[0];
    free(copy);
    free(s);
    free(superb);
    return top;
}

static void check_cond(int64_t n, int32_t dt, tlayout lay, const tz *a) {
    tm A = tm_new(n, n, dt, lay);
    tm_from_dense(&A, a);
    double *sa = tm_snapshot(&A), cond = -1.0;
    assert_ok(mf_expm_cond(&A.m, &cond));
    assert_true(tm_unchanged(&A, sa));
    tz *x, *l, *zero = tz_alloc(n * n);
    frechet_dense(n, dt, a, zero, &x, &l);
    tz *k = kronecker_form(n, dt, a);
    const int64_t nn = n * n;
    const double norm_k1 = tz_norm1(nn, k), norm_k2 = largest_singular_value(nn, k);
    const double ratio = tz_norm_fro(n, n, a) / tz_norm_fro(n, n, x);
    const double kappa_f = norm_k2 * ratio, eta = cond / ratio;
    /* the estimator never exceeds ||K||_1 and is rarely below a third of it */
    assert_le(eta, norm_k1 * (1 + 1e-12));
    assert_le(norm_k1 / 3, eta);
    /* the documented relation to the exact Frobenius condition number */
    assert_le(cond, (double)n * kappa_f * (1 + 1e-12));
    assert_le(kappa_f / (3.0 * (double)n), cond);
    free(sa);
    free(x);
    free(l);
    free(zero);
    free(k);
    tm_free(&A);
}

static void test_cond_against_kronecker_form(void **state) {
    (void)state;
    trng r = trng_new(107);
    const int64_t sizes[] = {1, 2, 5, 8};
    const double norms[] = {0.3, 4.0, 40.0};
    for (int dt = MF_F64; dt <= MF_C128; dt++)
        for (size_t s = 0; s < 4; s++)
            for (size_t q = 0; q < 3; q++) {
                tz *a = random_with_norm(sizes[s], dt == MF_C128, norms[q], &r);
                check_cond(sizes[s], dt, (tlayout)((s + q) % TL_COUNT), a);
                free(a);
            }
    /* a non-normal matrix: exp is far more sensitive than ||A|| suggests */
    tz *a = tz_alloc(16);
    a[0] = -1.0;
    a[5] = -2.0;
    a[10] = -3.0;
    a[15] = -4.0;
    a[4] = a[9] = a[14] = 30.0;
    check_cond(4, MF_F64, TL_ROWMAJOR, a);
    free(a);
}

static void test_cond_special_cases(void **state) {
    (void)state;
    double cond = -1.0;
    tm Z = tm_new(3, 3, MF_C128, TL_COLMAJOR), E = tm_new(0, 0, MF_F64, TL_COLMAJOR);
    tm_fill(&Z, 0.0);
    assert_ok(mf_expm_cond(&Z.m, &cond));
    assert_true(cond == 0.0);
    cond = -1.0;
    assert_ok(mf_expm_cond(&E.m, &cond));
    assert_true(cond == 0.0);
    /* A = c I: L(A, E) = e^c E, so ||K||_1 = ||K||_2 = e^c, ||A||_F =
     * |c| sqrt(n), ||exp(A)||_F = e^c sqrt(n): the condition number is |c| */
    tm S = tm_new(4, 4, MF_F64, TL_STRIDED);
    tm_fill(&S, 0.0);
    for (int i = 0; i < 4; i++)
        tm_set(&S, i, i, -2.5);
    assert_ok(mf_expm_cond(&S.m, &cond));
    assert_le(fabs(cond - 2.5), 1e-14);
    tm_free(&Z);
    tm_free(&E);
    tm_free(&S);
}

/* ---------- failures ---------- */

static void test_overflow(void **state) {
    (void)state;
    tm A = tm_new(3, 3, MF_F64, TL_COLMAJOR), E = tm_new(3, 3, MF_F64, TL_COLMAJOR),
       X = tm_new(3, 3, MF_F64, TL_COLMAJOR), L = tm_new(3, 3, MF_F64, TL_COLMAJOR);
    trng r = trng_new(108);
    tm_fill_random(&E, &r);
    tm_fill(&A, 0.0);
    for (int i = 0; i < 3; i++)
        tm_set(&A, i, i, 720.0); /* e^720 > DBL_MAX */
    double *sx = tm_snapshot(&X), *sl = tm_snapshot(&L), cond = 7.0;
    assert_status(mf_expm_frechet(&A.m, &E.m, &X.m, &L.m), MF_EOVERFLOW);
    assert_last_error_mentions("mf_expm_frechet");
    assert_status(mf_expm_frechet(&A.m, &E.m, NULL, &L.m), MF_EOVERFLOW);
    assert_status(mf_expm_cond(&A.m, &cond), MF_EOVERFLOW);
    /* ||A||_1 itself beyond the double range */
    tm_fill(&A, 1e308);
    assert_status(mf_expm_frechet(&A.m, &E.m, &X.m, &L.m), MF_EOVERFLOW);
    assert_last_error_mentions("||A||_1");
    /* exp(A) underflowing to zero makes the relative condition number
     * unrepresentable; the derivative itself is fine (zero) */
    tm_fill(&A, 0.0);
    for (int i = 0; i < 3; i++)
        tm_set(&A, i, i, -800.0);
    assert_status(mf_expm_cond(&A.m, &cond), MF_EOVERFLOW);
    assert_last_error_mentions("underflows");
    assert_true(tm_unchanged(&X, sx) && tm_unchanged(&L, sl) && cond == 7.0);
    assert_ok(mf_expm_frechet(&A.m, &E.m, &X.m, &L.m));
    free(sx);
    free(sl);
    /* exp(A) representable, a derivative not: A = 700 I + 1000 e1 e2^T has
     * exp(A) = e^700 (I + 1000 e1 e2^T) ~ 1e307, while the direction
     * e2 e1^T gives L_12 = e^700 1000^2 / 6 ~ 2e309. The estimator meets that
     * direction, so the condition estimate fails with the derivative's status. */
    tm A2 = tm_new(2, 2, MF_F64, TL_COLMAJOR), E2 = tm_new(2, 2, MF_F64, TL_ROWMAJOR),
       X2 = tm_new(2, 2, MF_F64, TL_COLMAJOR), L2 = tm_new(2, 2, MF_F64, TL_COLMAJOR);
    tm_fill(&A2, 0.0);
    tm_set(&A2, 0, 0, 700.0);
    tm_set(&A2, 1, 1, 700.0);
    tm_set(&A2, 0, 1, 1000.0);
    tm_fill(&E2, 0.0);
    assert_ok(mf_expm_frechet(&A2.m, &E2.m, &X2.m, &L2.m));
    sx = tm_snapshot(&X2);
    sl = tm_snapshot(&L2);
    tm_set(&E2, 1, 0, 1.0);
    assert_status(mf_expm_frechet(&A2.m, &E2.m, &X2.m, &L2.m), MF_EOVERFLOW);
    assert_status(mf_expm_cond(&A2.m, &cond), MF_EOVERFLOW);
    assert_last_error_mentions("Frechet derivative overflows");
    assert_true(tm_unchanged(&X2, sx) && tm_unchanged(&L2, sl) && cond == 7.0);
    tm_free(&A2);
    tm_free(&E2);
    tm_free(&X2);
    tm_free(&L2);
    free(sx);
    free(sl);
    tm_free(&A);
    tm_free(&E);
    tm_free(&X);
    tm_free(&L);
}

static void test_error_paths(void **state) {
    (void)state;
    trng r = trng_new(109);
    tm A = tm_new(4, 4, MF_F64, TL_COLMAJOR), Az = tm_new(4, 4, MF_C128, TL_COLMAJOR),
       R = tm_new(4, 3, MF_F64, TL_COLMAJOR), E = tm_new(4, 4, MF_F64, TL_ROWMAJOR),
       E3 = tm_new(3, 4, MF_F64, TL_COLMAJOR), X = tm_new(4, 4, MF_F64, TL_COLMAJOR),
       L = tm_new(4, 4, MF_F64, TL_PADDED_COL), Lbad = tm_new(4, 5, MF_F64, TL_COLMAJOR);
    tm *ins[] = {&A, &Az, &R, &E, &E3};
    for (size_t k = 0; k < 5; k++)
        tm_fill_random(ins[k], &r);
    tm *outs[] = {&X, &L, &Lbad};
    double *snaps[3];
    for (int k = 0; k < 3; k++)
        snaps[k] = tm_snapshot(outs[k]);
    double cond = 3.0;

    assert_status(mf_expm_frechet(NULL, &E.m, &X.m, &L.m), MF_EINVAL);
    assert_status(mf_expm_frechet(&A.m, NULL, &X.m, &L.m), MF_EINVAL);
    assert_status(mf_expm_frechet(&A.m, &E.m, &X.m, NULL), MF_EINVAL);
    assert_last_error_mentions("argument L");
    mf_matrix bad = A.m;
    bad.flags = 1;
    assert_status(mf_expm_frechet(&bad, &E.m, &X.m, &L.m), MF_EINVAL);
    bad = X.m;
    bad.cs = 0;
    assert_status(mf_expm_frechet(&A.m, &E.m, &bad, &L.m), MF_EINVAL);
    assert_status(mf_expm_cond(NULL, &cond), MF_EINVAL);
    assert_status(mf_expm_cond(&A.m, NULL), MF_EINVAL);
    assert_last_error_mentions("cond");

    assert_status(mf_expm_frechet(&R.m, &E.m, &X.m, &L.m), MF_EDIM);
    assert_last_error_mentions("square");
    assert_status(mf_expm_frechet(&A.m, &E3.m, &X.m, &L.m), MF_EDIM);
    assert_last_error_mentions("E is 3 x 4");
    assert_status(mf_expm_frechet(&A.m, &E.m, &X.m, &Lbad.m), MF_EDIM);
    assert_status(mf_expm_frechet(&A.m, &E.m, &Lbad.m, &L.m), MF_EDIM);
    assert_status(mf_expm_cond(&R.m, &cond), MF_EDIM);

    assert_status(mf_expm_frechet(&Az.m, &E.m, &X.m, &L.m), MF_EDTYPE);
    tm Lz = tm_new(4, 4, MF_C128, TL_COLMAJOR);
    double *slz = tm_snapshot(&Lz);
    assert_status(mf_expm_frechet(&A.m, &Az.m, &X.m, &Lz.m), MF_EDTYPE); /* expA F64 */
    assert_last_error_mentions("expA");
    assert_status(mf_expm_frechet(&A.m, &Az.m, NULL, &L.m), MF_EDTYPE);

    assert_status(mf_expm_frechet(&A.m, &E.m, &L.m, &L.m), MF_EALIAS);
    mf_matrix shifted = A.m;
    shifted.data = (double *)A.m.data + 1;
    shifted.rows = shifted.cols = 3;
    mf_matrix a3 = A.m, e3 = E.m;
    a3.rows = a3.cols = e3.rows = e3.cols = 3;
    assert_status(mf_expm_frechet(&a3, &e3, NULL, &shifted), MF_EALIAS);

    tm_set(&E, 1, 2, NAN);
    assert_status(mf_expm_frechet(&A.m, &E.m, &X.m, &L.m), MF_ENONFINITE);
    assert_last_error_mentions("argument E");
    tm_set(&E, 1, 2, 0.0);
    tm_set(&A, 3, 0, -INFINITY);
    assert_status(mf_expm_frechet(&A.m, &E.m, &X.m, &L.m), MF_ENONFINITE);
    assert_status(mf_expm_cond(&A.m, &cond), MF_ENONFINITE);

    static double one = 1.0;
    mf_matrix huge = {&one, (int64_t)1 << 31, (int64_t)1 << 31, 1, 1, MF_F64, 0};
    assert_status(mf_expm_cond(&huge, &cond), MF_EDIM);

    for (int k = 0; k < 3; k++) {
        assert_true(tm_unchanged(outs[k], snaps[k]));
        free(snaps[k]);
    }
    assert_true(tm_unchanged(&Lz, slz) && cond == 3.0);
    free(slz);
    tm *all[] = {&A, &Az, &R, &E, &E3, &X, &L, &Lbad, &Lz};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
        tm_free(all[k]);
}

typedef struct sweep_ctx {
    tm *A, *E, *X, *L;
    bool with_exp, cond;
    double value;
} sweep_ctx;

static mf_status call_under_test(void *p) {
    sweep_ctx *c = p;
    if (c->cond)
        return mf_expm_cond(&c->A->m, &c->value);
    return mf_expm_frechet(&c->A->m, &c->E->m, c->with_exp ? &c->X->m : NULL, &c->L->m);
}

static void test_allocation_failures(void **state) {
    (void)state;
    trng r = trng_new(110);
    for (int dt = MF_F64; dt <= MF_C128; dt++)
        for (int variant = 0; variant < 6; variant++) {
            const int64_t n = 5;
            tz *a = random_with_norm(n, dt == MF_C128, variant % 2 ? 0.05 : 50.0, &r);
            tm A = tm_new(n, n, dt, TL_ROWMAJOR), E = tm_new(n, n, dt, TL_COLMAJOR),
               X = tm_new(n, n, dt, TL_STRIDED), L = tm_new(n, n, dt, TL_PADDED_ROW);
            tm_from_dense(&A, a);
            tm_fill_random(&E, &r);
            sweep_ctx c = {&A, &E, &X, &L, variant < 2, variant >= 4, 0.0};
            tm *outs[] = {&X, &L};
            assert_true(tsweep_alloc_failures(call_under_test, &c, outs, 2) >= 1);
            free(a);
            tm_free(&A);
            tm_free(&E);
            tm_free(&X);
            tm_free(&L);
        }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frechet_block_triangular_all_degrees),
        cmocka_unit_test(test_frechet_all_layouts_and_sizes),
        cmocka_unit_test(test_frechet_diagonal_exact),
        cmocka_unit_test(test_frechet_commuting_directions),
        cmocka_unit_test(test_frechet_finite_differences),
        cmocka_unit_test(test_frechet_in_place_and_dtypes),
        cmocka_unit_test(test_cond_against_kronecker_form),
        cmocka_unit_test(test_cond_special_cases),
        cmocka_unit_test(test_overflow),
        cmocka_unit_test(test_error_paths),
        cmocka_unit_test(test_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
