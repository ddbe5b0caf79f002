/* Real matrix powers mf_powm and mf_powm_cond: committed high-precision
 * references (tests/data/gen_logm.py) judged against cond * u, the
 * identities powm(powm(A, 1/q), q) = A, powm(A, 1/2) = sqrtm(A),
 * powm(A, -1) = inv(A), every layout and dtype, in place, Hermitian input
 * (inverse roots), singular input, error paths with untouched outputs,
 * allocation failures; the GEMM-rich path for p = +-1/q (powm_iter.c): its
 * rule, agreement with the Schur route, each fallback, the references
 * with the path forced on. */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "funcs/powm_iter.h"
#include "refdata.h"

static const int32_t combos[][2] = {{MF_F64, MF_F64}, {MF_F64, MF_C128}, {MF_C128, MF_C128}};

static tz *shifted_random(int64_t n, bool cplx, trng *r) {
    tz *a = tz_random(n, n, cplx, r);
    for (int64_t i = 0; i < n; i++)
        a[i + i * n] += 1.5 * sqrt((double)n) + 1.0;
    return a;
}

static tz *gram(int64_t n, bool cplx, double shift, trng *r) {
    tz *b = tz_random(n, n, cplx, r), *bh = tz_conj_transpose(n, n, b), *a = tz_alloc(n * n);
    tz_matmul(n, n, n, b, bh, a);
    for (int64_t i = 0; i < n; i++)
        a[i + i * n] = creal(a[i + i * n]) + shift;
    for (int64_t j = 0; j < n; j++)
        for (int64_t i = j + 1; i < n; i++)
            a[j + i * n] = conj(a[i + j * n]);
    free(b);
    free(bh);
    return a;
}

/* mf_powm in the given layout and dtypes; untouched input and padding,
 * real F64 output. Returns X (malloc). */
static tz *run_powm(int64_t n, const tz *a, double p, int32_t dtA, int32_t dtX, tlayout lay,
                    bool in_place) {
    tm A = tm_new(n, n, dtA, lay), X = tm_new(n, n, dtX, (tlayout)((lay + 2) % TL_COUNT));
    tm_from_dense(&A, a);
    double *snap = tm_snapshot(&A);
    assert_ok(mf_powm(&A.m, p, in_place ? &A.m : &X.m));
    if (!in_place)
        assert_true(tm_unchanged(&A, snap));
    assert_true(tm_padding_intact(&A) && tm_padding_intact(&X));
    tz *x = tm_to_dense(in_place ? &A : &X);
    if (dtX == MF_F64)
        for (int64_t k = 0; k < n * n; k++)
            assert_true(cimag(x[k]) == 0.0);
    free(snap);
    tm_free(&A);
    tm_free(&X);
    return x;
}

static double rel_diff(int64_t n, const tz *x, const tz *y) {
    return n == 0 ? 0.0 : tz_diff_fro(n, n, x, y) / tz_norm_fro(n, n, y);
}

/* x^q by repeated products (q >= 1). */
static tz *int_power(int64_t n, const tz *x, int q) {
    tz *acc = tz_alloc(n * n), *tmp = tz_alloc(n * n);
    memcpy(acc, x, sizeof(tz) * (size_t)(n * n));
    for (int k = 1; k < q; k++) {
        tz_matmul(n, n, n, acc, x, tmp);
        memcpy(acc, tmp, sizeof(tz) * (size_t)(n * n));
    }
    free(tmp);
    return acc;
}

/* ---------- identities over layouts and dtypes ---------- */

static void test_powm_root_identities(void **state) {
    (void)state;
    trng r = trng_new(91);
    const int64_t sizes[] = {0, 1, 2, 5, 20};
    const int qs[] = {3, 2, 5};
    for (size_t c = 0; c < 3; c++)
        for (int l = 0; l < TL_COUNT; l++)
            for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
                const int64_t n = sizes[k];
                const int q = qs[(k + (size_t)l) % 3];
                tz *a = shifted_random(n, combos[c][0] == MF_C128, &r);
                tz *x = run_powm(n, a, 1.0 / q, combos[c][0], combos[c][1], (tlayout)l,
                                 combos[c][0] == combos[c][1] && l % 2 == 0);
                if (n > 0) {
                    tz *xq = int_power(n, x, q);
                    assert_le(rel_diff(n, xq, a), 200.0 * n * TEST_U);
                    free(xq);
                }
                free(x);
                free(a);
            }
}

static void test_powm_agrees_with_sqrtm_and_inv(void **state) {
    (void)state;
    trng r = trng_new(92);
    for (size_t c = 0; c < 3; c++)
        for (int l = 0; l < TL_COUNT; l++) {
            const int64_t n = 9;
            tz *a = shifted_random(n, combos[c][0] == MF_C128, &r);
            tm A = tm_new(n, n, combos[c][0], (tlayout)l), S = tm_new(n, n, combos[c][1], TL_COLMAJOR);
            tm_from_dense(&A, a);
            assert_ok(mf_sqrtm(&A.m, &S.m));
            tz *s = tm_to_dense(&S);
            tz *x = run_powm(n, a, 0.5, combos[c][0], combos[c][1], (tlayout)l, false);
            assert_le(rel_diff(n, x, s), 0.0); /* the same routine */
            free(x);
            /* 0.5 + 2^-40: the Schur-Pade path, close to sqrtm */
            x = run_powm(n, a, 0.5 + 0x1p-40, combos[c][0], combos[c][1], (tlayout)l, false);
            assert_le(rel_diff(n, x, s), 1e-10);
            free(x);
            tm_free(&S);
            free(s);
            if (combos[c][0] == combos[c][1]) {
                tm V = tm_new(n, n, combos[c][0], TL_COLMAJOR);
                assert_ok(mf_inv(&A.m, &V.m));
                tz *v = tm_to_dense(&V);
                x = run_powm(n, a, -1.0, combos[c][0], combos[c][1], (tlayout)l, l % 2 == 1);
                assert_le(rel_diff(n, x, v), 0.0);
                free(x);
                free(v);
                tm_free(&V);
            }
            /* A^0 = I, A^1 = A, A^2 = A A */
            x = run_powm(n, a, 0.0, combos[c][0], combos[c][1], (tlayout)l, l % 2 == 0);
            tz *id = tz_identity(n);
            assert_le(rel_diff(n, x, id), 0.0);
            free(x);
            free(id);
            x = run_powm(n, a, 1.0, combos[c][0], combos[c][1], (tlayout)l, false);
            assert_le(rel_diff(n, x, a), 0.0);
            free(x);
            tz *a2 = int_power(n, a, 2);
            x = run_powm(n, a, 2.0, combos[c][0], combos[c][1], (tlayout)l, false);
            assert_le(rel_diff(n, x, a2), 10.0 * n * TEST_U);
            free(x);
            free(a2);
            free(a);
            tm_free(&A);
        }
}

/* Larger than the square-root base size, and p with |p| > 1 (split into an
 * integer and a fractional part). */
static void test_powm_blocked_and_split(void **state) {
    (void)state;
    trng r = trng_new(93);
    for (size_t c = 0; c < 3; c++) {
        const int64_t n = 120;
        tz *a = shifted_random(n, combos[c][0] == MF_C128, &r);
        tz *x = run_powm(n, a, 1.0 / 3.0, combos[c][0], combos[c][1], TL_COLMAJOR, false);
        tz *x3 = int_power(n, x, 3);
        assert_le(rel_diff(n, x3, a), 200.0 * n * TEST_U);
        free(x3);
        tz *y = run_powm(n, a, 7.0 / 3.0, combos[c][0], combos[c][1], TL_ROWMAJOR, false);
        tz *x7 = int_power(n, x, 7);
        assert_le(rel_diff(n, y, x7), 200.0 * n * TEST_U);
        free(x7);
        free(y);
        free(x);
        free(a);
    }
    /* a real matrix with negative eigenvalues: complex result, and F64 refused */
    tz *a = tz_random(30, 30, false, &r);
    tz *x = run_powm(30, a, 0.25, MF_F64, MF_C128, TL_PADDED_ROW, false);
    tz *x4 = int_power(30, x, 4);
    assert_le(rel_diff(30, x4, a), 1e4 * 30 * TEST_U);
    tm A = tm_new(30, 30, MF_F64, TL_COLMAJOR), X = tm_new(30, 30, MF_F64, TL_COLMAJOR);
    tm_from_dense(&A, a);
    double *snap = tm_snapshot(&X);
    assert_status(mf_powm(&A.m, 0.25, &X.m), MF_ENOTREAL);
    assert_last_error_mentions("negative real axis");
    assert_true(tm_unchanged(&X, snap));
    free(snap);
    tm_free(&A);
    tm_free(&X);
    free(x4);
    free(x);
    free(a);
}

/* ---------- reference data ---------- */

static void test_powm_reference_data(void **state) {
    (void)state;
    refdata *d = refdata_load("logm_ref.txt");
    assert_non_null(d);
    int used = 0, forced_accepted = 0;
    for (int k = 0; k < d->count; k++) {
        const refcase *c = &d->cases[k];
        if (refcase_meta(c, "kind", -1) != 1)
            continue;
        used++;
        const refmat *a = refcase_mat(c, "A"), *x = refcase_mat(c, "X");
        const int64_t n = a->rows;
        const double p = refcase_meta(c, "p", 0), cond = refcase_meta(c, "cond", 1);
        const bool real_ok = refcase_meta(c, "real_ok", 0) != 0;
        const double bound = 20.0 * (double)n * (cond + 1.0) * TEST_U;
        for (int l = 1; l < TL_COUNT; l += 2) {
            /* the first layout with the GEMM-rich path forced on (small n) */
            mf__powm_iter_set_mode(l == 1 ? MF__POWM_ITER_ALWAYS : MF__POWM_ITER_AUTO);
            tm A = tm_new(n, n, a->dtype, (tlayout)l), X = tm_new(n, n, MF_C128, TL_COLMAJOR),
               R = tm_new(n, n, MF_F64, (tlayout)l);
            tm_from_dense(&A, a->data);
            assert_ok(mf_powm(&A.m, p, &X.m));
            forced_accepted += l == 1 && mf__powm_iter_last() == MF__POWM_ITER_ACCEPTED;
            tz *xd = tm_to_dense(&X);
            double err = rel_diff(n, xd, x->data);
            if (!(err <= bound))
                fail_msg("%s: relative error %.3e exceeds %.3e (cond %.3g)", c->name, err, bound,
                         cond);
            free(xd);
            double *snap = tm_snapshot(&R);
            if (a->dtype == MF_C128) {
                assert_status(mf_powm(&A.m, p, &R.m), MF_EDTYPE);
            } else if (!real_ok) {
                assert_status(mf_powm(&A.m, p, &R.m), MF_ENOTREAL);
                assert_true(tm_unchanged(&R, snap));
            } else {
                assert_ok(mf_powm(&A.m, p, &R.m));
                xd = tm_to_dense(&R);
                err = rel_diff(n, xd, x->data);
                if (!(err <= bound))
                    fail_msg("%s (real): relative error %.3e exceeds %.3e", c->name, err, bound);
                free(xd);
            }
            free(snap);
            tm_free(&A);
            tm_free(&X);
            tm_free(&R);
            mf__powm_iter_set_mode(MF__POWM_ITER_AUTO);
        }
        /* the condition estimate against the reference value */
        if (k % 3 == 0) {
            tm A = tm_new(n, n, a->dtype, TL_COLMAJOR);
            tm_from_dense(&A, a->data);
            double est = -1.0;
            assert_ok(mf_powm_cond(&A.m, p, &est));
            if (!(est >= cond / (3.0 * n) && est <= cond * n * 1.01))
                fail_msg("%s: cond estimate %.4g, reference %.4g", c->name, est, cond);
            tm_free(&A);
        }
    }
    assert_true(used >= 60);
    if (forced_accepted < 4)
        fail_msg("the forced iteration was accepted on only %d reference cases", forced_accepted);
    refdata_free(d);
}

/* ---------- the GEMM-rich path for p = +-1/q (powm_iter.c) ---------- */

/* Gaussian plus 3 sqrt(n) + 1 times I: the Hermitian part is positive
 * definite (its random part has norm about sqrt(2n), 2 sqrt(n) complex). */
static tz *definite_random(int64_t n, bool cplx, trng *r) {
    tz *a = tz_random(n, n, cplx, r);
    for (int64_t i = 0; i < n; i++)
        a[i + i * n] += 3.0 * sqrt((double)n) + 1.0;
    return a;
}

/* mf_powm under the given mode of the path, column-major; the outcome. */
static tz *powm_with(int64_t n, const tz *a, double p, int32_t dtA, int32_t dtX,
                     mf__powm_iter_mode mode, mf__powm_iter_outcome *outcome) {
    tm A = tm_new(n, n, dtA, TL_COLMAJOR), X = tm_new(n, n, dtX, TL_PADDED_ROW);
    tm_from_dense(&A, a);
    mf__powm_iter_set_mode(mode);
    assert_ok(mf_powm(&A.m, p, &X.m));
    mf__powm_iter_set_mode(MF__POWM_ITER_AUTO);
    *outcome = mf__powm_iter_last();
    assert_true(tm_padding_intact(&X));
    tz *x = tm_to_dense(&X);
    tm_free(&A);
    tm_free(&X);
    return x;
}

static void expect_outcome(int64_t n, const tz *a, double p, int32_t dtA,
                           mf__powm_iter_mode mode, mf__powm_iter_outcome expected) {
    mf__powm_iter_outcome got;
    free(powm_with(n, a, p, dtA, dtA, mode, &got));
    if (got != expected)
        fail_msg("p = %g, n = %lld: outcome %d, expected %d", p, (long long)n, (int)got,
                 (int)expected);
}

/* Who takes the path: p = +-1/q (2 <= q <= 8), n >= 16, a positive definite
 * Hermitian part; the iteration and the Schur route agree within
 * 10 n (cond + 1) u, and Y^q = A (or Y^q A = I) to rounding. */
static void test_powm_iter_rule_and_accuracy(void **state) {
    (void)state;
    trng r = trng_new(97);
    const double ps[] = {1.0 / 3.0, -0.25, -0.5, 0.125, -1.0 / 7.0};
    for (size_t c = 0; c < 3; c++)
        for (size_t k = 0; k < sizeof ps / sizeof ps[0]; k++) {
            const int64_t n = 40;
            const int q = (int)lround(1.0 / fabs(ps[k]));
            tz *a = definite_random(n, combos[c][0] == MF_C128, &r);
            mf__powm_iter_outcome it_out, schur_out;
            tz *y = powm_with(n, a, ps[k], combos[c][0], combos[c][1], MF__POWM_ITER_AUTO, &it_out);
            tz *s = powm_with(n, a, ps[k], combos[c][0], combos[c][1], MF__POWM_ITER_NEVER,
                              &schur_out);
            assert_int_equal(it_out, MF__POWM_ITER_ACCEPTED);
            assert_int_equal(schur_out, MF__POWM_ITER_NOT_RUN);
            tm A = tm_new(n, n, combos[c][0], TL_COLMAJOR);
            tm_from_dense(&A, a);
            double cond = 0.0;
            assert_ok(mf_powm_cond(&A.m, ps[k], &cond));
            const double diff = rel_diff(n, y, s), bound = 10.0 * n * (cond + 1.0) * TEST_U;
            if (!(diff <= bound))
                fail_msg("p = %g: iteration and Schur route differ by %.3e > %.3e", ps[k], diff,
                         bound);
            tz *yq = int_power(n, y, q), *check = tz_alloc(n * n);
            if (ps[k] < 0) {
                tz_matmul(n, n, n, yq, a, check);
                tz *id = tz_identity(n);
                assert_le(rel_diff(n, check, id), 10.0 * n * TEST_U);
                free(id);
            } else {
                assert_le(rel_diff(n, yq, a), 10.0 * n * TEST_U);
            }
            free(yq);
            free(check);
            free(y);
            free(s);
            free(a);
            tm_free(&A);
        }
    tz *a = definite_random(12, false, &r), *b = definite_random(20, true, &r);
    expect_outcome(12, a, 1.0 / 3.0, MF_F64, MF__POWM_ITER_AUTO, MF__POWM_ITER_SMALL);
    expect_outcome(12, a, 1.0 / 3.0, MF_F64, MF__POWM_ITER_ALWAYS, MF__POWM_ITER_ACCEPTED);
    expect_outcome(20, b, 0.3, MF_C128, MF__POWM_ITER_AUTO, MF__POWM_ITER_OTHER_P);
    expect_outcome(20, b, 2.0 / 3.0, MF_C128, MF__POWM_ITER_AUTO, MF__POWM_ITER_OTHER_P);
    expect_outcome(20, b, 1.0 / 9.0, MF_C128, MF__POWM_ITER_AUTO, MF__POWM_ITER_OTHER_P);
    expect_outcome(20, b, -1.0 / 8.0, MF_C128, MF__POWM_ITER_AUTO, MF__POWM_ITER_ACCEPTED);
    free(a);
    free(b);
    /* Gaussian: eigenvalues on both sides, Hermitian part indefinite */
    a = tz_random(24, 24, true, &r);
    expect_outcome(24, a, -0.25, MF_C128, MF__POWM_ITER_AUTO, MF__POWM_ITER_NOT_DEFINITE);
    free(a);
}

/*
 * A normal n x n matrix Q D Q^T with one 2 x 2 block of eigenvalues
 * r (x +- i y) (r = the mean eigenvalue real part, which the iteration
 * scales by) and the rest equal and real: its Hermitian part is positive
 * definite for x > 0, and each eigenvalue's own scalar iteration decides the
 * fate of the matrix one. Returns A; *root gets A^(-1/q) (principal).
 */
static tz *pair_matrix(int64_t n, double x, double y, int q, trng *r, tz **root) {
    const double rest = ((double)n - 2.0 * x) / ((double)n - 2.0); /* mean real part 1 */
    tz *d = tz_alloc(n * n), *f = tz_alloc(n * n);
    d[0] = d[1 + n] = x;
    d[n] = y;
    d[1] = -y;
    const double complex lam = CMPLX(x, y), mu = cpow(lam, -1.0 / q);
    f[0] = f[1 + n] = creal(mu);
    f[n] = cimag(mu);
    f[1] = -cimag(mu);
    for (int64_t i = 2; i < n; i++) {
        d[i + i * n] = rest;
        f[i + i * n] = pow(rest, -1.0 / q);
    }
    tz *qm = tz_random_orthonormal(n, n, false, r), *qt = tz_conj_transpose(n, n, qm);
    tz *tmp = tz_alloc(n * n), *a = tz_alloc(n * n);
    tz_matmul(n, n, n, qm, d, tmp);
    tz_matmul(n, n, n, tmp, qt, a);
    *root = tz_alloc(n * n);
    tz_matmul(n, n, n, qm, f, tmp);
    tz_matmul(n, n, n, tmp, qt, *root);
    free(d);
    free(f);
    free(qm);
    free(qt);
    free(tmp);
    return a;
}

/* Each fallback gives exactly the Schur route's result, the principal root.
 * Scalar Newton from 1 on z = 0.1 + 2i converges to a non-principal fourth
 * root (the branch test), on z = 0.05 + i (q = 3) it diverges, and
 * eigenvalues 1e-8 times the mean need more steps than allowed. */
static void test_powm_iter_fallbacks(void **state) {
    (void)state;
    trng r = trng_new(98);
    const int64_t n = 20;
    const struct {
        double x, y;
        int q;
        mf__powm_iter_outcome outcome;
    } cases[] = {{0.1, 2.0, 4, MF__POWM_ITER_BRANCH},
                 {0.05, 1.0, 3, MF__POWM_ITER_NO_CONVERGENCE},
                 {1e-8, 1e-9, 3, MF__POWM_ITER_NO_CONVERGENCE}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        tz *root = NULL, *a = pair_matrix(n, cases[k].x, cases[k].y, cases[k].q, &r, &root);
        mf__powm_iter_outcome got;
        tz *y = powm_with(n, a, -1.0 / cases[k].q, MF_F64, MF_F64, MF__POWM_ITER_AUTO, &got);
        if (got != cases[k].outcome)
            fail_msg("case %zu: outcome %d, expected %d", k, (int)got, (int)cases[k].outcome);
        tz *s = powm_with(n, a, -1.0 / cases[k].q, MF_F64, MF_F64, MF__POWM_ITER_NEVER, &got);
        assert_true(rel_diff(n, y, s) == 0.0);
        /* (the tiny pair's root is as sensitive as 1e-8 relative) */
        const double err = rel_diff(n, y, root);
        if (!(err <= (k < 2 ? 1e-12 : 1e-6)))
            fail_msg("case %zu: relative error %.3e against the principal root", k, err);
        free(s);
        free(y);
        free(root);
        free(a);
    }
}

/* ---------- Hermitian input: inverse roots ---------- */

static void test_powm_hermitian_inverse_root(void **state) {
    (void)state;
    trng r = trng_new(94);
    const int64_t n = 16;
    for (int l = 0; l < TL_COUNT; l++) {
        tz *pd = gram(n, l % 2 == 1, 0.1, &r);
        const int32_t dt = l % 2 == 1 ? MF_C128 : MF_F64;
        tz *x = run_powm(n, pd, -0.25, dt, dt, (tlayout)l, l == 2);
        for (int64_t j = 0; j < n; j++) /* exactly Hermitian */
            for (int64_t i = 0; i < n; i++)
                assert_true(x[i + j * n] == conj(x[j + i * n]));
        tz *x4 = int_power(n, x, 4), *prod = tz_alloc(n * n), *id = tz_identity(n);
        tz_matmul(n, n, n, x4, pd, prod); /* X^4 A = I */
        assert_le(rel_diff(n, prod, id), 1e4 * n * TEST_U);
        free(x4);
        free(prod);
        free(id);
        free(x);
        /* indefinite: complex result, F64 refused */
        tz *ind = gram(n, false, -5.0, &r);
        x = run_powm(n, ind, 0.5 + 0.25, MF_F64, MF_C128, (tlayout)l, false);
        tz *x4b = int_power(n, x, 4), *i3 = int_power(n, ind, 3);
        assert_le(rel_diff(n, x4b, i3), 1e4 * n * TEST_U);
        free(x4b);
        free(i3);
        free(x);
        tm A = tm_new(n, n, MF_F64, (tlayout)l), X = tm_new(n, n, MF_F64, TL_COLMAJOR);
        tm_from_dense(&A, ind);
        double *snap = tm_snapshot(&X);
        assert_status(mf_powm(&A.m, 0.75, &X.m), MF_ENOTREAL);
        assert_true(tm_unchanged(&X, snap));
        free(snap);
        tm_free(&A);
        tm_free(&X);
        free(ind);
        free(pd);
    }
}

/* ---------- singular input ---------- */

static void test_powm_singular(void **state) {
    (void)state;
    tz zero[9] = {0};
    tz tri[9] = {2, 0, 0, 1, 0, 0, 3, 1, 5};   /* zero on the diagonal */
    tz sym[4] = {1, 2, 2, 4};                  /* symmetric rank 1, eigenvalues 0, 5 */
    for (size_t c = 0; c < 3; c++) {
        const int32_t dA = combos[c][0], dX = combos[c][1];
        /* A = 0, p > 0: 0; p = 0: I */
        tz *x = run_powm(3, zero, 2.5, dA, dX, TL_STRIDED, false);
        assert_true(tz_norm_fro(3, 3, x) == 0.0);
        free(x);
        x = run_powm(3, tri, 0.0, dA, dX, TL_ROWMAJOR, false);
        tz *id = tz_identity(3);
        assert_le(rel_diff(3, x, id), 0.0);
        free(id);
        free(x);
        /* symmetric PSD: A^1.5 = A^(3/2) through eigh (eigenvalue 0 -> 0) */
        x = run_powm(2, sym, 1.5, dA, dX, TL_COLMAJOR, false);
        assert_le(fabs(creal(x[3]) - 4.0 * pow(5.0, 0.5)), 1e-13);
        free(x);
        const mf_status expect[] = {MF_ESINGULAR, MF_ESINGULAR, MF_EDOMAIN};
        const double ps[] = {-0.5, -2.0, 2.5};
        for (int k = 0; k < 3; k++) {
            tm A = tm_new(3, 3, dA, TL_COLMAJOR), X = tm_new(3, 3, dX, TL_PADDED_COL);
            tm_from_dense(&A, tri);
            double *snap = tm_snapshot(&X);
            assert_status(mf_powm(&A.m, ps[k], &X.m), expect[k]);
            assert_true(tm_unchanged(&X, snap));
            double cond = -1.0;
            if (k != 1)
                assert_status(mf_powm_cond(&A.m, ps[k], &cond), expect[k]);
            free(snap);
            tm_free(&A);
            tm_free(&X);
        }
        tm S = tm_new(2, 2, dA, TL_COLMAJOR), X = tm_new(2, 2, dX, TL_COLMAJOR);
        tm_from_dense(&S, sym);
        assert_status(mf_powm(&S.m, -0.25, &X.m), MF_ESINGULAR);
        tm_free(&S);
        tm_free(&X);
    }
}

/* ---------- argument errors ---------- */

static void test_powm_error_paths(void **state) {
    (void)state;
    trng r = trng_new(95);
    tm A = tm_new(4, 4, MF_F64, TL_COLMAJOR), C = tm_new(4, 4, MF_C128, TL_COLMAJOR),
       R = tm_new(4, 3, MF_F64, TL_COLMAJOR), X = tm_new(4, 4, MF_F64, TL_COLMAJOR),
       Xbad = tm_new(4, 3, MF_F64, TL_COLMAJOR);
    tz *a = shifted_random(4, false, &r);
    tm_from_dense(&A, a);
    tm_fill_random(&C, &r);
    tm_fill_random(&R, &r);
    double *snap = tm_snapshot(&X), *snapb = tm_snapshot(&Xbad);
    assert_status(mf_powm(NULL, 0.5, &X.m), MF_EINVAL);
    assert_status(mf_powm(&A.m, 0.5, NULL), MF_EINVAL);
    assert_last_error_mentions("mf_powm: argument X is NULL");
    assert_status(mf_powm(&A.m, NAN, &X.m), MF_EINVAL);
    assert_status(mf_powm(&A.m, INFINITY, &X.m), MF_EINVAL);
    assert_last_error_mentions("not finite");
    assert_status(mf_powm(&A.m, 1e30, &X.m), MF_EDOMAIN);
    assert_status(mf_powm(&R.m, 0.5, &X.m), MF_EDIM);
    assert_status(mf_powm(&A.m, 0.5, &Xbad.m), MF_EDIM);
    assert_status(mf_powm(&C.m, 0.3, &X.m), MF_EDTYPE);
    mf_matrix shifted = A.m, in3 = A.m;
    shifted.data = (double *)A.m.data + 1;
    shifted.rows = shifted.cols = in3.rows = in3.cols = 3;
    assert_status(mf_powm(&in3, 0.3, &shifted), MF_EALIAS);
    double cond = -3.0;
    assert_status(mf_powm_cond(&A.m, 0.3, NULL), MF_EINVAL);
    assert_status(mf_powm_cond(&A.m, NAN, &cond), MF_EINVAL);
    assert_status(mf_powm_cond(&R.m, 0.3, &cond), MF_EDIM);
    tm_set(&A, 1, 1, NAN);
    assert_status(mf_powm(&A.m, 0.3, &X.m), MF_ENONFINITE);
    assert_status(mf_powm(&A.m, 0.0, &X.m), MF_ENONFINITE);
    assert_status(mf_powm_cond(&A.m, 0.3, &cond), MF_ENONFINITE);
    assert_true(cond == -3.0);
    /* overflow of an integer power */
    tm_fill(&A, 0.0);
    for (int64_t k = 0; k < 4; k++)
        tm_set(&A, k, k, 1e200);
    tm_set(&A, 0, 1, 1.0);
    assert_status(mf_powm(&A.m, 3.0, &X.m), MF_EOVERFLOW);
    assert_status(mf_powm(&A.m, 2.5, &X.m), MF_EOVERFLOW);
    assert_true(tm_unchanged(&X, snap) && tm_unchanged(&Xbad, snapb));
    free(snap);
    free(snapb);
    free(a);
    tm *all[] = {&A, &C, &R, &X, &Xbad};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
        tm_free(all[k]);
}

/* ---------- allocation failures ---------- */

typedef struct powm_ctx {
    tm *A, *X;
    double p;
} powm_ctx;

static mf_status call_powm(void *q) {
    powm_ctx *c = q;
    return mf_powm(&c->A->m, c->p, &c->X->m);
}

static double cond_out;
static mf_status call_cond(void *q) {
    powm_ctx *c = q;
    return mf_powm_cond(&c->A->m, c->p, &cond_out);
}

static void sweep(const tz *a, int64_t n, int32_t dtA, int32_t dtX, double p, tsweep_call call,
                  int min_points) {
    tm A = tm_new(n, n, dtA, TL_ROWMAJOR), X = tm_new(n, n, dtX, TL_PADDED_COL);
    tm_from_dense(&A, a);
    powm_ctx ctx = {&A, &X, p};
    tm *outs[] = {&X};
    const int points = tsweep_alloc_failures(call, &ctx, outs, 1);
    if (points < min_points)
        fail_msg("only %d allocation points exercised (p = %g), expected >= %d", points, p,
                 min_points);
    tm_free(&A);
    tm_free(&X);
}

static void test_powm_allocation_failures(void **state) {
    (void)state;
    trng r = trng_new(96);
    tz *a = shifted_random(8, false, &r), *c = shifted_random(8, true, &r);
    tz *neg = tz_random(8, 8, false, &r), *pd = gram(8, false, 0.5, &r);
    tz *ind = gram(8, true, -3.0, &r);
    sweep(a, 8, MF_F64, MF_F64, 1.0 / 3.0, call_powm, 5);
    sweep(a, 8, MF_F64, MF_F64, -2.75, call_powm, 7); /* split into integer and fraction */
    sweep(c, 8, MF_C128, MF_C128, 0.4, call_powm, 5);
    sweep(neg, 8, MF_F64, MF_C128, 0.7, call_powm, 5);
    sweep(a, 8, MF_F64, MF_F64, -3.0, call_powm, 3);  /* integer: mf_inv and GEMMs */
    sweep(a, 8, MF_F64, MF_C128, 0.5, call_powm, 3);  /* mf_sqrtm */
    sweep(pd, 8, MF_F64, MF_F64, -0.25, call_powm, 3); /* Hermitian */
    sweep(ind, 8, MF_C128, MF_C128, 0.3, call_powm, 4);
    sweep(a, 8, MF_F64, MF_F64, 0.0, call_powm, 1);
    sweep(a, 8, MF_F64, MF_F64, 0.6, call_cond, 6);
    /* the GEMM-rich path: accepted, and a fallback after the iteration */
    tz *big = definite_random(16, false, &r), *root = NULL;
    tz *branch = pair_matrix(16, 0.1, 2.0, 4, &r, &root);
    sweep(big, 16, MF_F64, MF_F64, 1.0 / 3.0, call_powm, 6);
    sweep(branch, 16, MF_F64, MF_F64, -0.25, call_powm, 8);
    free(big);
    free(branch);
    free(root);
    free(a);
    free(c);
    free(neg);
    free(pd);
    free(ind);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_powm_root_identities),
        cmocka_unit_test(test_powm_agrees_with_sqrtm_and_inv),
        cmocka_unit_test(test_powm_blocked_and_split),
        cmocka_unit_test(test_powm_reference_data),
        cmocka_unit_test(test_powm_iter_rule_and_accuracy),
        cmocka_unit_test(test_powm_iter_fallbacks),
        cmocka_unit_test(test_powm_hermitian_inverse_root),
        cmocka_unit_test(test_powm_singular),
        cmocka_unit_test(test_powm_error_paths),
        cmocka_unit_test(test_powm_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
