/* Matrix logarithm mf_logm, its Frechet derivative and condition number:
 * committed high-precision references (tests/data/gen_logm.py) judged
 * against cond * u, the identity expm(logm(A)) = A, every layout and
 * dtype, in place, Hermitian input, the branch cut, singular input, error
 * paths with untouched outputs, allocation failures. */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "refdata.h"

static const int32_t combos[][2] = {{MF_F64, MF_F64}, {MF_F64, MF_C128}, {MF_C128, MF_C128}};

/* ---------- helpers ---------- */

/* A random matrix with eigenvalues in the right half-plane (shifted
 * Gaussian: spectral radius about sqrt(n)). */
/* ||expm(L) - A||_F / ||A||_F, expm in C128 through mf_expm. */
static double exp_residual(int64_t n, const tz *l, const tz *a) {
    if (n == 0)
        return 0.0;
    tm L = tm_new(n, n, MF_C128, TL_COLMAJOR), E = tm_new(n, n, MF_C128, TL_COLMAJOR);
    tm_from_dense(&L, l);
    assert_ok(mf_expm(&L.m, &E.m));
    tz *e = tm_to_dense(&E);
    const double r = tz_diff_fro(n, n, e, a) / tz_norm_fro(n, n, a);
    free(e);
    tm_free(&L);
    tm_free(&E);
    return r;
}

/* Run mf_logm in the given layout and dtypes; check untouched input and
 * padding, realness of F64 output, and expm(L) = A to bound * n * u.
 * Returns L (malloc). */
static tz *check_logm(int64_t n, const tz *a, int32_t dtA, int32_t dtL, tlayout lay, bool in_place,
                      double bound) {
    tm A = tm_new(n, n, dtA, lay), L = tm_new(n, n, dtL, (tlayout)((lay + 1) % TL_COUNT));
    tm_from_dense(&A, a);
    tz *ad = tm_to_dense(&A);
    double *snap = tm_snapshot(&A);
    mf_matrix *out = in_place ? &A.m : &L.m;
    assert_ok(mf_logm(&A.m, out));
    if (!in_place)
        assert_true(tm_unchanged(&A, snap));
    assert_true(tm_padding_intact(&A) && tm_padding_intact(&L));
    tz *l = tm_to_dense(in_place ? &A : &L);
    if (dtL == MF_F64)
        assert_true(tz_is_real(n * n, l));
    assert_le(exp_residual(n, l, ad), bound * (double)(n > 0 ? n : 1) * TEST_U);
    free(ad);
    free(snap);
    tm_free(&A);
    tm_free(&L);
    return l;
}

/* ---------- general matrices ---------- */

static void test_logm_layouts_and_dtypes(void **state) {
    (void)state;
    trng r = trng_new(81);
    const int64_t sizes[] = {0, 1, 2, 3, 7, 24};
    for (size_t c = 0; c < 3; c++)
        for (int l = 0; l < TL_COUNT; l++)
            for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
                tz *a = tz_random_shifted(sizes[k], combos[c][0] == MF_C128, &r);
                free(check_logm(sizes[k], a, combos[c][0], combos[c][1], (tlayout)l, false, 50.0));
                free(check_logm(sizes[k], a, combos[c][0], combos[c][1], (tlayout)l,
                                combos[c][0] == combos[c][1], 50.0));
                free(a);
            }
}

/* Unshifted random matrices have eigenvalues all around the origin: real
 * ones with a negative eigenvalue have a complex logarithm only. */
static void test_logm_complex_log_of_real(void **state) {
    (void)state;
    trng r = trng_new(82);
    int refused = 0;
    for (int trial = 0; trial < 6; trial++) {
        const int64_t n = 6 + trial;
        tz *a = tz_random(n, n, false, &r);
        free(check_logm(n, a, MF_F64, MF_C128, (tlayout)(trial % TL_COUNT), false, 500.0));
        tm A = tm_new(n, n, MF_F64, TL_ROWMAJOR), L = tm_new(n, n, MF_F64, TL_COLMAJOR);
        tm_from_dense(&A, a);
        double *snap = tm_snapshot(&L);
        mf_status st = mf_logm(&A.m, &L.m);
        if (st == MF_ENOTREAL) {
            refused++;
            assert_last_error_mentions("negative real axis");
            assert_true(tm_unchanged(&L, snap));
        } else {
            assert_int_equal(st, MF_OK);
        }
        free(snap);
        free(a);
        tm_free(&A);
        tm_free(&L);
    }
    assert_true(refused > 0);
}

/* Sizes above the square-root kernels' base size (64) run their recursive
 * ?trsyl3 path; n = 150 also exercises the blocked triangular solves. */
static void test_logm_blocked_sizes(void **state) {
    (void)state;
    trng r = trng_new(83);
    for (size_t c = 0; c < 3; c++) {
        tz *a = tz_random_shifted(150, combos[c][0] == MF_C128, &r);
        free(check_logm(150, a, combos[c][0], combos[c][1], TL_COLMAJOR, false, 50.0));
        free(a);
    }
    tz *a = tz_random(100, 100, false, &r);
    free(check_logm(100, a, MF_F64, MF_C128, TL_ROWMAJOR, false, 500.0));
    free(a);
}

/* ---------- reference data ---------- */

/* ||L - X||_F / ||X||_F <= 20 n (cond + 1) u (cond u from the backward
 * error of the algorithm, n from the sizes of the sums). */
static void compare(const refcase *c, int64_t n, const tz *l, const tz *x) {
    const double err = tz_diff_fro(n, n, l, x) / tz_norm_fro(n, n, x);
    const double cond = refcase_meta(c, "cond", 1.0);
    const double bound = 20.0 * (double)n * (cond + 1.0) * TEST_U;
    if (!(err <= bound))
        fail_msg("%s: relative error %.3e exceeds %.3e (cond %.3g)", c->name, err, bound, cond);
}

static void test_logm_reference_data(void **state) {
    (void)state;
    refdata *d = refdata_load("logm_ref.txt");
    assert_non_null(d);
    int used = 0;
    for (int k = 0; k < d->count; k++) {
        const refcase *c = &d->cases[k];
        if (refcase_meta(c, "kind", -1) != 0)
            continue;
        used++;
        const refmat *a = refcase_mat(c, "A"), *x = refcase_mat(c, "X");
        const int64_t n = a->rows;
        const bool real_ok = refcase_meta(c, "real_ok", 0) != 0;
        for (int l = 0; l < TL_COUNT; l += 2) {
            tm A = tm_new(n, n, a->dtype, (tlayout)l);
            tm L = tm_new(n, n, MF_C128, (tlayout)((l + 1) % TL_COUNT));
            tm R = tm_new(n, n, MF_F64, (tlayout)l);
            tm_from_dense(&A, a->data);
            assert_ok(mf_logm(&A.m, &L.m));
            tz *ld = tm_to_dense(&L);
            compare(c, n, ld, x->data);
            free(ld);
            double *snap = tm_snapshot(&R);
            if (a->dtype == MF_C128) {
                assert_status(mf_logm(&A.m, &R.m), MF_EDTYPE);
            } else if (!real_ok) {
                assert_status(mf_logm(&A.m, &R.m), MF_ENOTREAL);
                assert_last_error_mentions("negative real axis");
                assert_true(tm_unchanged(&R, snap));
            } else {
                assert_ok(mf_logm(&A.m, &R.m));
                ld = tm_to_dense(&R);
                compare(c, n, ld, x->data);
                free(ld);
            }
            free(snap);
            tm_free(&A);
            tm_free(&L);
            tm_free(&R);
        }
    }
    assert_true(used >= 15);
    refdata_free(d);
}

/* ---------- Hermitian input, branch cut ---------- */

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

static void test_logm_hermitian(void **state) {
    (void)state;
    trng r = trng_new(84);
    const int64_t n = 12;
    for (int l = 0; l < TL_COUNT; l++) {
        tz *pd = gram(n, false, 0.5, &r), *hpd = gram(n, true, 0.5, &r);
        tz *ind = gram(n, false, -8.0, &r), *hind = gram(n, true, -8.0, &r);
        tz *s = check_logm(n, pd, MF_F64, MF_F64, (tlayout)l, (l % 2) == 1, 50.0);
        for (int64_t j = 0; j < n; j++) /* exactly symmetric */
            for (int64_t i = 0; i < n; i++)
                assert_true(s[i + j * n] == s[j + i * n]);
        free(s);
        free(check_logm(n, hpd, MF_C128, MF_C128, (tlayout)l, false, 50.0));
        free(check_logm(n, ind, MF_F64, MF_C128, (tlayout)l, false, 50.0));
        free(check_logm(n, hind, MF_C128, MF_C128, (tlayout)l, false, 50.0));
        tm A = tm_new(n, n, MF_F64, (tlayout)l), L = tm_new(n, n, MF_F64, TL_COLMAJOR);
        tm_from_dense(&A, ind);
        double *snap = tm_snapshot(&L);
        assert_status(mf_logm(&A.m, &L.m), MF_ENOTREAL);
        assert_last_error_mentions("symmetric with the eigenvalue");
        assert_true(tm_unchanged(&L, snap));
        free(snap);
        tm_free(&A);
        tm_free(&L);
        free(pd);
        free(hpd);
        free(ind);
        free(hind);
    }
}

static void test_logm_branch_cut(void **state) {
    (void)state;
    const double pi = 3.14159265358979323846;
    /* -I (symmetric path): log = i pi I */
    tz m1[4] = {-1, 0, 0, -1};
    tz *l = check_logm(2, m1, MF_F64, MF_C128, TL_COLMAJOR, false, 50.0);
    assert_le(cabs(l[0] - I * pi) + cabs(l[3] - I * pi) + cabs(l[1]) + cabs(l[2]), 8 * TEST_U);
    free(l);
    /* -0.0 imaginary parts on triangular C128 input: still +i pi */
    tz t[4] = {CMPLX(-4.0, -0.0), 0, 1, CMPLX(-9.0, -0.0)};
    l = check_logm(2, t, MF_C128, MF_C128, TL_ROWMAJOR, false, 50.0);
    assert_le(cabs(l[0] - (log(4.0) + I * pi)) + cabs(l[3] - (log(9.0) + I * pi)), 16 * TEST_U);
    free(l);
    /* defective -1 (real Schur path, complex result) */
    tz j2[4] = {-1, 0, 1, -1};
    l = check_logm(2, j2, MF_F64, MF_C128, TL_STRIDED, false, 50.0);
    assert_le(cabs(l[0] - I * pi) + cabs(l[3] - I * pi) + cabs(l[2] + 1.0), 8 * TEST_U);
    free(l);
}

/* ---------- singular input ---------- */

static void test_logm_singular(void **state) {
    (void)state;
    tz zero[9] = {0};
    tz j2[4] = {0, 0, 1, 0};                     /* nilpotent */
    tz sym[4] = {1, 2, 2, 4};                    /* symmetric, rank 1 */
    tz tri[9] = {2, 0, 0, 1, 0, 0, 3, 1, 5};     /* triangular, zero on the diagonal */
    tz rank1[9] = {0, 0, 0, 0, 0, 0, 1, 1, 1};   /* eigenvalues 0, 0, 1 */
    const tz *cases[] = {zero, j2, sym, tri, rank1};
    const int64_t ns[] = {3, 2, 2, 3, 3};
    for (int k = 0; k < 5; k++)
        for (size_t c = 0; c < 3; c++) {
            tm A = tm_new(ns[k], ns[k], combos[c][0], (tlayout)(k % TL_COUNT));
            tm L = tm_new(ns[k], ns[k], combos[c][1], TL_PADDED_COL);
            tm_from_dense(&A, cases[k]);
            double *snap = tm_snapshot(&L), *snapA = tm_snapshot(&A);
            assert_status(mf_logm(&A.m, &L.m), MF_EDOMAIN);
            assert_last_error_mentions("singular");
            assert_true(tm_unchanged(&L, snap));
            if (combos[c][0] == combos[c][1]) {
                assert_status(mf_logm(&A.m, &A.m), MF_EDOMAIN);
                assert_true(tm_unchanged(&A, snapA));
            }
            double cond = -1.0; /* cond goes through dgees: rank1 and sym give
                                   tiny nonzero eigenvalues there */
            if (k != 2 && k != 4) {
                assert_status(mf_logm_cond(&A.m, &cond), MF_EDOMAIN);
                assert_true(cond == -1.0);
            }
            free(snap);
            free(snapA);
            tm_free(&A);
            tm_free(&L);
        }
}

/* ---------- Frechet derivative and condition number ---------- */

static void check_frechet(int64_t n, int32_t dtA, int32_t dtE, int32_t dtD, tlayout lay,
                          bool negative, trng *r) {
    tz *a = negative ? tz_random(n, n, dtA == MF_C128, r) : tz_random_shifted(n, dtA == MF_C128, r);
    tz *e = tz_random(n, n, dtE == MF_C128, r);
    tm A = tm_new(n, n, dtA, lay), E = tm_new(n, n, dtE, lay), L = tm_new(n, n, dtD, lay),
       D = tm_new(n, n, dtD, lay), L2 = tm_new(n, n, dtD, TL_COLMAJOR);
    tm_from_dense(&A, a);
    tm_from_dense(&E, e);
    assert_ok(mf_logm_frechet(&A.m, &E.m, &L.m, &D.m));
    assert_true(tm_padding_intact(&L) && tm_padding_intact(&D));
    assert_ok(mf_logm(&A.m, &L2.m));
    tz *l = tm_to_dense(&L), *l2 = tm_to_dense(&L2), *d = tm_to_dense(&D);
    assert_le(tz_diff_fro(n, n, l, l2), 1e3 * n * TEST_U * tz_norm_fro(n, n, l));
    /* central difference (logm(A + hE) - logm(A - hE)) / 2h */
    const double h = 1e-5;
    tz *ap = tz_alloc(n * n), *am = tz_alloc(n * n);
    for (int64_t k = 0; k < n * n; k++) {
        ap[k] = a[k] + h * e[k];
        am[k] = a[k] - h * e[k];
    }
    /* inputs in A's dtype: a C128 copy of a real A with a negative
     * eigenvalue would put it randomly on either side of the cut */
    tm P = tm_new(n, n, dtE == MF_C128 ? MF_C128 : dtA, TL_COLMAJOR),
       M = tm_new(n, n, dtE == MF_C128 ? MF_C128 : dtA, TL_COLMAJOR),
       LP = tm_new(n, n, MF_C128, TL_COLMAJOR), LM = tm_new(n, n, MF_C128, TL_COLMAJOR);
    tm_from_dense(&P, ap);
    tm_from_dense(&M, am);
    assert_ok(mf_logm(&P.m, &LP.m));
    assert_ok(mf_logm(&M.m, &LM.m));
    tz *lp = tm_to_dense(&LP), *lm = tm_to_dense(&LM);
    for (int64_t k = 0; k < n * n; k++)
        lp[k] = (lp[k] - lm[k]) / (2.0 * h);
    assert_le(tz_diff_fro(n, n, lp, d), 1e-5 * tz_norm_fro(n, n, d));
    tz *bufs[] = {a, e, l, l2, d, ap, am, lp, lm};
    for (size_t k = 0; k < sizeof bufs / sizeof bufs[0]; k++)
        free(bufs[k]);
    tm *ms[] = {&A, &E, &L, &D, &L2, &P, &M, &LP, &LM};
    for (size_t k = 0; k < sizeof ms / sizeof ms[0]; k++)
        tm_free(ms[k]);
}

static void test_logm_frechet(void **state) {
    (void)state;
    trng r = trng_new(85);
    for (int l = 0; l < TL_COUNT; l++) {
        check_frechet(6, MF_F64, MF_F64, MF_F64, (tlayout)l, false, &r);
        check_frechet(6, MF_F64, MF_C128, MF_C128, (tlayout)l, false, &r);
        check_frechet(5, MF_C128, MF_F64, MF_C128, (tlayout)l, false, &r);
        check_frechet(5, MF_F64, MF_F64, MF_C128, (tlayout)l, true, &r);
    }
    check_frechet(40, MF_F64, MF_F64, MF_F64, TL_COLMAJOR, false, &r);
    /* L may be NULL; D may be E (in place) */
    tz *a = tz_random_shifted(5, false, &r), *e = tz_random(5, 5, false, &r);
    tm A = tm_new(5, 5, MF_F64, TL_COLMAJOR), E = tm_new(5, 5, MF_F64, TL_STRIDED),
       D = tm_new(5, 5, MF_F64, TL_STRIDED);
    tm_from_dense(&A, a);
    tm_from_dense(&E, e);
    assert_ok(mf_logm_frechet(&A.m, &E.m, NULL, &D.m));
    assert_ok(mf_logm_frechet(&A.m, &E.m, NULL, &E.m));
    tz *d1 = tm_to_dense(&D), *d2 = tm_to_dense(&E);
    assert_le(tz_diff_fro(5, 5, d1, d2), 0.0);
    free(a);
    free(e);
    free(d1);
    free(d2);
    tm_free(&A);
    tm_free(&E);
    tm_free(&D);
}

static void test_logm_cond(void **state) {
    (void)state;
    refdata *d = refdata_load("logm_ref.txt");
    assert_non_null(d);
    for (int k = 0; k < d->count; k++) {
        const refcase *c = &d->cases[k];
        if (refcase_meta(c, "kind", -1) != 0)
            continue;
        const refmat *a = refcase_mat(c, "A");
        tm A = tm_new(a->rows, a->rows, a->dtype, TL_PADDED_ROW);
        tm_from_dense(&A, a->data);
        double cond = -1.0;
        assert_ok(mf_logm_cond(&A.m, &cond));
        /* the 1-norm of the Kronecker form is within a factor n of its
         * 2-norm; the estimator gives a lower bound of the former */
        const double n = (double)a->rows, ref = refcase_meta(c, "cond", 0);
        if (!(cond >= ref / (3.0 * n) && cond <= ref * n * 1.01))
            fail_msg("%s: cond estimate %.4g, reference %.4g", c->name, cond, ref);
        tm_free(&A);
    }
    refdata_free(d);
    tm Z = tm_new(0, 0, MF_F64, TL_COLMAJOR);
    double cond = -1.0;
    assert_ok(mf_logm_cond(&Z.m, &cond));
    assert_true(cond == 0.0);
    tm_free(&Z);
}

/* ---------- argument errors ---------- */

static void test_logm_error_paths(void **state) {
    (void)state;
    trng r = trng_new(86);
    tm A = tm_new(4, 4, MF_F64, TL_COLMAJOR), C = tm_new(4, 4, MF_C128, TL_COLMAJOR),
       R = tm_new(4, 3, MF_F64, TL_COLMAJOR), L = tm_new(4, 4, MF_F64, TL_COLMAJOR),
       Lbad = tm_new(4, 3, MF_F64, TL_COLMAJOR), Lc = tm_new(4, 4, MF_C128, TL_COLMAJOR),
       E = tm_new(4, 4, MF_F64, TL_COLMAJOR), E3 = tm_new(3, 4, MF_F64, TL_COLMAJOR);
    tz *a = tz_random_shifted(4, false, &r);
    tm_from_dense(&A, a);
    tm_fill_random(&C, &r);
    tm_fill_random(&R, &r);
    tm_fill_random(&E, &r);
    tm *outs[] = {&L, &Lbad, &Lc};
    double *snaps[3];
    for (int k = 0; k < 3; k++)
        snaps[k] = tm_snapshot(outs[k]);
    assert_status(mf_logm(NULL, &L.m), MF_EINVAL);
    assert_status(mf_logm(&A.m, NULL), MF_EINVAL);
    assert_last_error_mentions("mf_logm: argument L is NULL");
    mf_matrix bad = A.m;
    bad.flags = 1;
    assert_status(mf_logm(&bad, &L.m), MF_EINVAL);
    bad = A.m;
    bad.dtype = 7;
    assert_status(mf_logm(&bad, &L.m), MF_EINVAL);
    assert_status(mf_logm(&R.m, &L.m), MF_EDIM);
    assert_status(mf_logm(&A.m, &Lbad.m), MF_EDIM);
    assert_status(mf_logm(&C.m, &L.m), MF_EDTYPE);
    mf_matrix shifted = A.m, in3 = A.m;
    shifted.data = (double *)A.m.data + 1;
    shifted.rows = shifted.cols = in3.rows = in3.cols = 3;
    double *snapA = tm_snapshot(&A);
    assert_status(mf_logm(&in3, &shifted), MF_EALIAS);
    assert_true(tm_unchanged(&A, snapA));
    /* Frechet and cond */
    assert_status(mf_logm_frechet(&A.m, NULL, NULL, &L.m), MF_EINVAL);
    assert_status(mf_logm_frechet(&A.m, &E.m, NULL, NULL), MF_EINVAL);
    assert_last_error_mentions("D is NULL");
    assert_status(mf_logm_frechet(&A.m, &E3.m, NULL, &L.m), MF_EDIM);
    assert_status(mf_logm_frechet(&A.m, &C.m, NULL, &L.m), MF_EDTYPE);
    assert_status(mf_logm_frechet(&A.m, &E.m, &L.m, &Lc.m), MF_EDTYPE);
    assert_status(mf_logm_frechet(&A.m, &E.m, &L.m, &L.m), MF_EALIAS);
    double cond = -7.0;
    assert_status(mf_logm_cond(&A.m, NULL), MF_EINVAL);
    assert_status(mf_logm_cond(&R.m, &cond), MF_EDIM);
    tm_set(&A, 2, 1, INFINITY);
    assert_status(mf_logm(&A.m, &L.m), MF_ENONFINITE);
    assert_status(mf_logm_frechet(&A.m, &E.m, NULL, &L.m), MF_ENONFINITE);
    assert_status(mf_logm_cond(&A.m, &cond), MF_ENONFINITE);
    assert_true(cond == -7.0);
    tm_set(&C, 0, 3, CMPLX(NAN, 0));
    assert_status(mf_logm(&C.m, &Lc.m), MF_ENONFINITE);
    for (int k = 0; k < 3; k++) {
        assert_true(tm_unchanged(outs[k], snaps[k]));
        free(snaps[k]);
    }
    free(snapA);
    free(a);
    tm *all[] = {&A, &C, &R, &L, &Lbad, &Lc, &E, &E3};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
        tm_free(all[k]);
}

/* ---------- allocation failures ---------- */

static mf_status call_logm(void *p) {
    tsweep_square_args *c = p;
    return mf_logm(&c->A->m, &c->X->m);
}

static mf_status call_frechet(void *p) {
    tsweep_square_args *c = p;
    return mf_logm_frechet(&c->A->m, &c->E->m, NULL, &c->X->m);
}

static double cond_out;
static mf_status call_cond(void *p) {
    tsweep_square_args *c = p;
    return mf_logm_cond(&c->A->m, &cond_out);
}

static void test_logm_allocation_failures(void **state) {
    (void)state;
    trng r = trng_new(88);
    tz *a = tz_random_shifted(8, false, &r), *c = tz_random_shifted(8, true, &r);
    tz *neg = tz_random(8, 8, false, &r), *big = tz_random_shifted(70, false, &r);
    tz *sym = gram(8, false, -3.0, &r), *hpd = gram(8, true, 1.0, &r);
    tsweep_square(a, 8, MF_F64, MF_F64, call_logm, 5, 87);
    tsweep_square(c, 8, MF_C128, MF_C128, call_logm, 5, 87);
    tsweep_square(neg, 8, MF_F64, MF_C128, call_logm, 5, 87); /* real -> complex Schur */
    tsweep_square(big, 70, MF_F64, MF_F64, call_logm, 6, 87); /* dtrsyl3 workspace */
    tsweep_square(sym, 8, MF_F64, MF_C128, call_logm, 4, 87); /* indefinite symmetric */
    tsweep_square(hpd, 8, MF_C128, MF_C128, call_logm, 3, 87);
    tsweep_square(a, 8, MF_F64, MF_F64, call_frechet, 6, 87);
    tsweep_square(c, 8, MF_C128, MF_C128, call_frechet, 6, 87);
    tsweep_square(a, 8, MF_F64, MF_F64, call_cond, 6, 87);
    free(a);
    free(c);
    free(neg);
    free(big);
    free(sym);
    free(hpd);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_logm_layouts_and_dtypes),
        cmocka_unit_test(test_logm_complex_log_of_real),
        cmocka_unit_test(test_logm_blocked_sizes),
        cmocka_unit_test(test_logm_reference_data),
        cmocka_unit_test(test_logm_hermitian),
        cmocka_unit_test(test_logm_branch_cut),
        cmocka_unit_test(test_logm_singular),
        cmocka_unit_test(test_logm_frechet),
        cmocka_unit_test(test_logm_cond),
        cmocka_unit_test(test_logm_error_paths),
        cmocka_unit_test(test_logm_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
