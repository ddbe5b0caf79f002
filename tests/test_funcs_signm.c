/* Matrix sign function mf_signm: identities S^2 = I, S A = A S and
 * trace(S) = (number of eigenvalues in the right half-plane) - (left),
 * high-precision references judged against cond * u, every layout and
 * dtype, in place, the Hermitian path, the imaginary-axis domain errors
 * (eigenvalues on, within roundoff of the axis, singular A, Jordan blocks
 * at i), the route taken (domain certificate or eigenvalue check, the
 * Newton-Schulz finish), argument errors, allocation and backend faults. */
#include "testutil.h"

#include "funcs/signm.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "data/iterations_ref.h"
#include "data/sqrtm_ref_load.h"

static const int32_t combos[][2] = {{MF_F64, MF_F64}, {MF_F64, MF_C128}, {MF_C128, MF_C128}};

/* A = H T H with H a Householder reflector and T upper triangular with
 * eigenvalues +-(1..3) (npos of them positive; for real A some 2 x 2
 * rotation blocks, eigenvalues re +- i im), off-diagonal scale `coupling`. */
static tz *matrix_with_signs(int64_t n, int64_t npos, bool cplx, double coupling, trng *r) {
    tz *t = tz_alloc(n * n);
    for (int64_t j = 0; j < n; j++) {
        for (int64_t i = 0; i < j; i++)
            t[i + j * n] = coupling * CMPLX(trng_normal(r), cplx ? trng_normal(r) : 0.0);
        const double mag = 1.0 + 2.0 * trng_uniform(r);
        t[j + j * n] = j < npos ? mag : -mag;
        if (cplx)
            t[j + j * n] += CMPLX(0.0, trng_normal(r));
    }
    if (!cplx && n >= 4) { /* a complex pair on the negative side: rows n-2, n-1 */
        t[(n - 1) + (n - 2) * n] = -1.5;
        t[(n - 2) + (n - 1) * n] = 2.0;
        t[(n - 1) + (n - 1) * n] = t[(n - 2) + (n - 2) * n];
    }
    tz *v = tz_random(n, 1, cplx, r), *h = tz_identity(n), *ht = tz_alloc(n * n),
       *a = tz_alloc(n * n);
    const double vv = tz_norm_fro(n, 1, v) * tz_norm_fro(n, 1, v);
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < n; j++)
            h[i + j * n] -= 2.0 * v[i] * conj(v[j]) / vv;
    tz_matmul(n, n, n, h, t, ht);
    tz_matmul(n, n, n, ht, h, a);
    free(t);
    free(v);
    free(h);
    free(ht);
    return a;
}

/* S^2 = I, S A = A S, trace S = npos - nneg, all scaled by the norms. */
static void check_sign_identities(int64_t n, const tz *a, const tz *s, int64_t npos) {
    if (n == 0)
        return;
    tz *s2 = tz_alloc(n * n), *sa = tz_alloc(n * n), *as = tz_alloc(n * n), *id = tz_identity(n);
    tz_matmul(n, n, n, s, s, s2);
    tz_matmul(n, n, n, s, a, sa);
    tz_matmul(n, n, n, a, s, as);
    const double ns = tz_norm_fro(n, n, s), na = tz_norm_fro(n, n, a);
    assert_le(tz_diff_fro(n, n, s2, id), 100.0 * n * TEST_U * ns * ns);
    assert_le(tz_diff_fro(n, n, sa, as), 100.0 * n * TEST_U * ns * na);
    tz tr = 0;
    for (int64_t i = 0; i < n; i++)
        tr += s[i + i * n];
    assert_le(cabs(tr - (double)(2 * npos - n)), 100.0 * n * TEST_U * ns);
    free(s2);
    free(sa);
    free(as);
    free(id);
}

static tz *run_signm(int64_t n, const tz *a, int32_t dtA, int32_t dtS, tlayout lay, bool in_place) {
    tm A = tm_new(n, n, dtA, lay), S = tm_new(n, n, dtS, (tlayout)((lay + 1) % TL_COUNT));
    tm_from_dense(&A, a);
    double *snap = tm_snapshot(&A);
    assert_ok(mf_signm(&A.m, in_place ? &A.m : &S.m));
    if (!in_place)
        assert_true(tm_unchanged(&A, snap));
    assert_true(tm_padding_intact(&A) && tm_padding_intact(&S));
    tz *s = tm_to_dense(in_place ? &A : &S);
    if (dtS == MF_F64 || dtA == MF_F64) /* the sign of a real matrix is real */
        for (int64_t k = 0; k < n * n; k++)
            assert_true(cimag(s[k]) == 0.0);
    free(snap);
    tm_free(&A);
    tm_free(&S);
    return s;
}

static void test_signm_all_layouts_and_dtypes(void **state) {
    (void)state;
    trng r = trng_new(81);
    const int64_t sizes[] = {0, 1, 2, 5, 24};
    for (size_t c = 0; c < 3; c++)
        for (int l = 0; l < TL_COUNT; l++)
            for (size_t k = 0; k < 5; k++) {
                const int64_t n = sizes[k], npos = n / 2;
                tz *a = matrix_with_signs(n, npos, combos[c][0] == MF_C128, 0.5, &r);
                tz *s = run_signm(n, a, combos[c][0], combos[c][1], (tlayout)l, false);
                check_sign_identities(n, a, s, npos);
                free(s);
                if (combos[c][0] == combos[c][1]) {
                    s = run_signm(n, a, combos[c][0], combos[c][1], (tlayout)l, true);
                    check_sign_identities(n, a, s, npos);
                    free(s);
                }
                free(a);
            }
}

static void test_signm_larger_and_nonnormal(void **state) {
    (void)state;
    trng r = trng_new(82);
    for (int cplx = 0; cplx < 2; cplx++) {
        tz *a = matrix_with_signs(120, 70, cplx, 0.05, &r);
        tz *s = run_signm(120, a, cplx ? MF_C128 : MF_F64, cplx ? MF_C128 : MF_F64, TL_COLMAJOR,
                          false);
        check_sign_identities(120, a, s, 70);
        free(a);
        free(s);
        /* strongly non-normal: large coupling */
        a = matrix_with_signs(30, 10, cplx, 1.0, &r);
        s = run_signm(30, a, cplx ? MF_C128 : MF_F64, MF_C128, TL_ROWMAJOR, false);
        check_sign_identities(30, a, s, 10);
        free(a);
        free(s);
    }
    /* the Schur method's recursive blocking (blocks of 16): Gaussian
     * matrices, real ones full of 2 x 2 blocks, signs mixed at random */
    for (int cplx = 0; cplx < 2; cplx++) {
        const int64_t n = 150;
        tz *g = tz_random(n, n, cplx, &r);
        tm G = tm_new(n, n, cplx ? MF_C128 : MF_F64, TL_COLMAJOR), W = tm_new(n, 1, MF_C128, TL_COLMAJOR);
        tm_from_dense(&G, g);
        assert_ok(mf_eig(&G.m, &W.m, NULL));
        tz *w = tm_to_dense(&W);
        int64_t npos = 0;
        for (int64_t i = 0; i < n; i++)
            npos += creal(w[i]) > 0.0;
        mf__signm_set_route(MF__SIGNM_SCHUR);
        tz *s = run_signm(n, g, cplx ? MF_C128 : MF_F64, cplx ? MF_C128 : MF_F64, TL_ROWMAJOR,
                          false);
        mf__signm_set_route(MF__SIGNM_AUTO);
        check_sign_identities(n, g, s, npos);
        free(s);
        free(w);
        free(g);
        tm_free(&G);
        tm_free(&W);
    }
    /* all eigenvalues on one side: sign = +-I exactly up to roundoff */
    tz *a = matrix_with_signs(10, 10, false, 0.5, &r);
    tz *s = run_signm(10, a, MF_F64, MF_F64, TL_STRIDED, false);
    tz *id = tz_identity(10);
    assert_le(tz_diff_fro(10, 10, s, id), 1e-13);
    free(a);
    free(s);
    free(id);
}

/* Every layout and result dtype against the references; for the cases of
 * gen_iterations.py also the route their names promise (sign_newton_*:
 * the Newton iteration, sign_schur_*: kappa_1(A) > 1e3, the Schur method). */
static void check_references(const char *const *lines) {
    ref_case cases[32];
    const int count = ref_load_lines(lines, "signm", cases, 32);
    for (int k = 0; k < count; k++) {
        const ref_case *c = &cases[k];
        for (int l = 0; l < TL_COUNT; l++) {
            const int32_t outs[2] = {MF_C128, MF_F64};
            for (int o = 0; o < (c->input == MF_F64 ? 2 : 1); o++) {
                tz *s = run_signm(c->n, c->a, c->input, outs[o], (tlayout)l, false);
                const double err = tz_diff_fro(c->n, c->n, s, c->f) / tz_norm_fro(c->n, c->n, c->f);
                const double bound = 10.0 * (double)c->n * (c->cond + 1.0) * TEST_U;
                if (!(err <= bound))
                    fail_msg("%s: relative error %.3e exceeds %.3e (cond %.3g)", c->name, err,
                             bound, c->cond);
                if (strncmp(c->name, "sign_schur", 10) == 0)
                    assert_true(mf__signm_last().schur_method);
                if (strncmp(c->name, "sign_newton", 11) == 0) {
                    assert_false(mf__signm_last().schur_method);
                    /* the Schur method is as accurate on this class */
                    mf__signm_set_route(MF__SIGNM_SCHUR);
                    tz *s2 = run_signm(c->n, c->a, c->input, outs[o], (tlayout)l, false);
                    mf__signm_set_route(MF__SIGNM_AUTO);
                    assert_true(mf__signm_last().schur_method);
                    assert_le(tz_diff_fro(c->n, c->n, s2, c->f) / tz_norm_fro(c->n, c->n, c->f),
                              bound);
                    free(s2);
                }
                free(s);
            }
        }
    }
    ref_free(cases, count);
}

static void test_signm_reference_data(void **state) {
    (void)state;
    check_references(sqrtm_ref_lines);
    check_references(iterations_ref_lines);
}

static tz *hermitian_indefinite(int64_t n, bool cplx, trng *r) {
    tz *b = tz_random(n, n, cplx, r), *a = tz_alloc(n * n);
    for (int64_t j = 0; j < n; j++)
        for (int64_t i = j; i < n; i++) {
            a[i + j * n] = i == j ? creal(b[i + j * n]) + (i % 2 ? 3.0 : -3.0) : b[i + j * n];
            a[j + i * n] = conj(a[i + j * n]);
        }
    free(b);
    return a;
}

static void test_signm_hermitian(void **state) {
    (void)state;
    trng r = trng_new(83);
    for (int l = 0; l < TL_COUNT; l++)
        for (size_t c = 0; c < 3; c++) {
            const int64_t n = 11;
            tz *a = hermitian_indefinite(n, combos[c][0] == MF_C128, &r);
            tz *s = run_signm(n, a, combos[c][0], combos[c][1], (tlayout)l, (l % 2) == 1 &&
                              combos[c][0] == combos[c][1]);
            /* trace from the eigenvalue count */
            tm A = tm_new(n, n, combos[c][0], TL_COLMAJOR), w = tm_new(n, 1, MF_F64, TL_COLMAJOR);
            tm_from_dense(&A, a);
            assert_ok(mf_eigh(&A.m, &w.m, NULL));
            int64_t npos = 0;
            for (int64_t k = 0; k < n; k++)
                npos += creal(tm_get(&w, k, 0)) > 0.0;
            check_sign_identities(n, a, s, npos);
            for (int64_t j = 0; j < n; j++) /* exactly Hermitian */
                for (int64_t i = 0; i < n; i++)
                    assert_true(s[i + j * n] == conj(s[j + i * n]));
            free(a);
            free(s);
            tm_free(&A);
            tm_free(&w);
        }
}

/* Eigenvalues on or within roundoff of the imaginary axis. */
static void test_signm_domain(void **state) {
    (void)state;
    tz rot[4] = {0, -1, 1, 0};            /* [[0, 1], [-1, 0]]: +-i */
    tz sing[4] = {1, 0, 1, 0};            /* [[1, 1], [0, 0]]: 0 */
    tz zero[9] = {0};                     /* symmetric: Hermitian path */
    tz near[4] = {1e-20, 0, 5, 2};        /* [[1e-20, 5], [0, 2]] */
    tz herm[4] = {1, 1, 1, 1};            /* eigenvalues 0, 2 */
    tz cimagv[4] = {CMPLX(1e-19, 1), 0, 1, CMPLX(-1, 0)};
    const tz *cases[] = {rot, sing, zero, near, herm, cimagv};
    const int64_t ns[] = {2, 2, 3, 2, 2, 2};
    const bool complex_only[] = {false, false, false, false, false, true};
    for (int k = 0; k < 6; k++)
        for (size_t c = complex_only[k] ? 2 : 0; c < 3; c++)
            for (int l = 0; l < TL_COUNT; l += 2) {
                tm A = tm_new(ns[k], ns[k], combos[c][0], (tlayout)l),
                   S = tm_new(ns[k], ns[k], combos[c][1], (tlayout)l);
                tm_from_dense(&A, cases[k]);
                double *snap = tm_snapshot(&S), *snapA = tm_snapshot(&A);
                assert_status(mf_signm(&A.m, &S.m), MF_EDOMAIN);
                assert_last_error_mentions("sign(A) is not defined");
                assert_true(tm_unchanged(&S, snap));
                if (combos[c][0] == combos[c][1]) {
                    assert_status(mf_signm(&A.m, &A.m), MF_EDOMAIN);
                    assert_true(tm_unchanged(&A, snapA));
                }
                free(snap);
                free(snapA);
                tm_free(&A);
                tm_free(&S);
            }
}


/* x t x^-1 with x = I + scale G (an ill-conditioned similarity when scale
 * is large), through mf_inv. */
static tz *similar(int64_t n, const tz *t, double scale, bool cplx, trng *r) {
    tz *x = tz_random(n, n, cplx, r), *xt = tz_alloc(n * n), *a = tz_alloc(n * n);
    for (int64_t k = 0; k < n * n; k++)
        x[k] = (k % (n + 1) == 0 ? 1.0 : 0.0) + scale * x[k];
    tm X = tm_new(n, n, MF_C128, TL_COLMAJOR), Xi = tm_new(n, n, MF_C128, TL_COLMAJOR);
    tm_from_dense(&X, x);
    assert_ok(mf_inv(&X.m, &Xi.m));
    tz *xi = tm_to_dense(&Xi);
    tz_matmul(n, n, n, x, t, xt);
    tz_matmul(n, n, n, xt, xi, a);
    if (!cplx) /* the product of real matrices is real: drop the rounding noise */
        for (int64_t k = 0; k < n * n; k++)
            a[k] = creal(a[k]);
    free(x);
    free(xt);
    free(xi);
    tm_free(&X);
    tm_free(&Xi);
    return a;
}

/* Block diagonal: a Jordan block J_m(i y) (complex) or its real form (2 x 2
 * blocks [[0, y], [-y, 0]] with identity coupling) of size n0, then the
 * diagonal entries d[0..nd-1]. */
static tz *jordan_at_axis(int64_t m, double y, bool real_form, const double *d, int64_t nd,
                          int64_t *n_out) {
    const int64_t n0 = real_form ? 2 * m : m, n = n0 + nd;
    tz *t = tz_alloc(n * n);
    for (int64_t k = 0; k < m; k++) {
        if (real_form) {
            t[2 * k + (2 * k + 1) * n] = y;
            t[2 * k + 1 + 2 * k * n] = -y;
            if (k + 1 < m) {
                t[2 * k + (2 * k + 2) * n] = 1.0;
                t[2 * k + 1 + (2 * k + 3) * n] = 1.0;
            }
        } else {
            t[k + k * n] = CMPLX(0.0, y);
            if (k + 1 < m)
                t[k + (k + 1) * n] = 1.0;
        }
    }
    for (int64_t k = 0; k < nd; k++)
        t[(n0 + k) * (n + 1)] = d[k];
    *n_out = n;
    return t;
}

static void expect_domain_error(int64_t n, const tz *a, int32_t dt) {
    const int32_t outs[2] = {dt, MF_C128};
    for (int o = 0; o < (dt == MF_F64 ? 2 : 1); o++) {
        tm A = tm_new(n, n, dt, TL_ROWMAJOR), S = tm_new(n, n, outs[o], TL_COLMAJOR);
        tm_from_dense(&A, a);
        double *snap = tm_snapshot(&S);
        assert_status(mf_signm(&A.m, &S.m), MF_EDOMAIN);
        assert_last_error_mentions("imaginary axis");
        assert_true(tm_unchanged(&S, snap));
        free(snap);
        tm_free(&A);
        tm_free(&S);
    }
}

/* Larger matrices with eigenvalues on the imaginary axis (after a
 * similarity: within roundoff of it), a singular matrix, and Jordan blocks
 * at i y: whichever detector fires (the eigenvalue check, a Newton iterate
 * singular to working precision, the final S^2 = I check), the answer is
 * MF_EDOMAIN. */
static void test_signm_domain_larger(void **state) {
    (void)state;
    trng r = trng_new(86);
    const double others[] = {-2.0, 1.5, -0.7, 3.0, 1.1};
    for (int cplx = 0; cplx < 2; cplx++) {
        const int32_t dt = cplx ? MF_C128 : MF_F64;
        for (int64_t m = 1; m <= 8; m *= 2)
            for (int real_form = 0; real_form <= !cplx; real_form++) {
                if (!cplx && !real_form)
                    continue; /* a complex Jordan block is not a real matrix */
                const double y = m == 1 ? 1.3 : (m == 2 ? 0.7 : 1.0);
                int64_t n = 0;
                tz *t = jordan_at_axis(m, y, real_form, others, 5, &n);
                /* a simple eigenvalue on the axis stays within the roundoff
                 * tolerance only under a well-conditioned similarity */
                for (int s = 0; s < (m == 1 ? 1 : 2); s++) {
                    tz *a = similar(n, t, s ? 0.5 : 0.05, cplx, &r);
                    expect_domain_error(n, a, dt);
                    free(a);
                }
                free(t);
            }
        /* singular: a column repeated in a random 30 x 30 matrix */
        tz *a = tz_random(30, 30, cplx, &r);
        for (int64_t i = 0; i < 30; i++)
            a[i + 7 * 30] = a[i + 3 * 30];
        expect_domain_error(30, a, dt);
        free(a);
    }
}

/* A complex pair (real A) or an eigenvalue (complex A) 2e-14 + i, the
 * others +-(0.7..3): 2e-14 is beyond the roundoff tolerance n u ||A||_1
 * (sign(A) is defined) but too close for the certificate, so the
 * eigenvalue check runs. */
static tz *near_axis(bool cplx, trng *r, int64_t *n) {
    const double others[] = {-2.0, 1.5, -0.7, 3.0};
    tz *t = jordan_at_axis(1, 1.0, !cplx, others, 4, n);
    for (int64_t k = 0; k < (cplx ? 1 : 2); k++)
        t[k * (*n + 1)] += 2e-14;
    tz *a = similar(*n, t, 0.05, cplx, r);
    free(t);
    return a;
}

/* D a D^-1 with D = diag(scale, 1, ..., 1): the eigenvalues stay, kappa_1
 * grows by about scale^2. */
static void scale_first_row(int64_t n, tz *a, double scale) {
    for (int64_t j = 1; j < n; j++) {
        a[j * n] *= scale;
        a[j] /= scale;
    }
}

/* The route: Gaussian-like matrices are certified (no eigenvalue check) and
 * finish with Newton-Schulz; near_axis() defeats the certificate, so the
 * eigenvalues are checked, and the result is still right; an ill-conditioned
 * matrix goes to the Schur method; A = [[1, t], [0, -1]] is its own sign
 * (A^2 = I) and is computed (by the Schur method) for t = 1e3, refused for
 * t = 1e9 (kappa_1(A) = 1e18: A is within roundoff of a singular matrix). */
static void test_signm_route(void **state) {
    (void)state;
    trng r = trng_new(87);
    for (int cplx = 0; cplx < 2; cplx++) {
        const int32_t dt = cplx ? MF_C128 : MF_F64;
        tz *a = matrix_with_signs(64, 30, cplx, 0.1, &r);
        free(run_signm(64, a, dt, dt, TL_COLMAJOR, false));
        mf__signm_info info = mf__signm_last();
        assert_false(info.eigenvalues_checked);
        assert_true(info.newton_steps >= 2 && info.newton_schulz_steps >= 1);
        free(a);

        int64_t n = 0;
        a = near_axis(cplx, &r, &n);
        tz *s = run_signm(n, a, dt, dt, TL_COLMAJOR, false);
        info = mf__signm_last();
        assert_true(info.eigenvalues_checked);
        check_sign_identities(n, a, s, cplx ? 3 : 4);
        free(s);
        free(a);

        /* kappa_1 beyond 1e3: the Schur method */
        a = matrix_with_signs(40, 15, cplx, 0.2, &r);
        scale_first_row(40, a, 1e3);
        s = run_signm(40, a, dt, dt, TL_ROWMAJOR, false);
        assert_true(mf__signm_last().schur_method);
        check_sign_identities(40, a, s, 15);
        free(s);
        free(a);
    }
    for (int k = 0; k < 2; k++) {
        const double tt = k ? 1e9 : 1e3;
        tz a[4] = {1.0, 0.0, tt, -1.0};
        if (k) {
            expect_domain_error(2, a, MF_F64);
            continue;
        }
        tz *s = run_signm(2, a, MF_F64, MF_F64, TL_COLMAJOR, false);
        assert_true(mf__signm_last().schur_method);
        assert_le(tz_diff_fro(2, 2, s, a), 10.0 * TEST_U * tt * tt);
        free(s);
    }
}

static void test_signm_error_paths(void **state) {
    (void)state;
    trng r = trng_new(84);
    tm A = tm_new(4, 4, MF_F64, TL_COLMAJOR), C = tm_new(4, 4, MF_C128, TL_COLMAJOR),
       R = tm_new(4, 3, MF_F64, TL_COLMAJOR), S = tm_new(4, 4, MF_F64, TL_COLMAJOR),
       Sbad = tm_new(3, 4, MF_F64, TL_COLMAJOR), Sc = tm_new(4, 4, MF_C128, TL_COLMAJOR);
    tm_fill_random(&A, &r);
    tm_fill_random(&C, &r);
    tm *outs[] = {&S, &Sbad, &Sc};
    double *snaps[3];
    for (int k = 0; k < 3; k++)
        snaps[k] = tm_snapshot(outs[k]);
    assert_status(mf_signm(NULL, &S.m), MF_EINVAL);
    assert_status(mf_signm(&A.m, NULL), MF_EINVAL);
    assert_last_error_mentions("mf_signm: argument S is NULL");
    mf_matrix bad = A.m;
    bad.dtype = 7;
    assert_status(mf_signm(&bad, &S.m), MF_EINVAL);
    assert_status(mf_signm(&R.m, &S.m), MF_EDIM);
    assert_status(mf_signm(&A.m, &Sbad.m), MF_EDIM);
    assert_status(mf_signm(&C.m, &S.m), MF_EDTYPE);
    mf_matrix shifted = A.m, in3 = A.m;
    shifted.data = (double *)A.m.data + 1;
    shifted.rows = shifted.cols = in3.rows = in3.cols = 3;
    assert_status(mf_signm(&in3, &shifted), MF_EALIAS);
    tm_set(&A, 3, 3, NAN);
    assert_status(mf_signm(&A.m, &S.m), MF_ENONFINITE);
    for (int k = 0; k < 3; k++) {
        assert_true(tm_unchanged(outs[k], snaps[k]));
        free(snaps[k]);
    }
    tm *all[] = {&A, &C, &R, &S, &Sbad, &Sc};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
        tm_free(all[k]);
}

typedef struct signm_ctx {
    tm *A, *S;
} signm_ctx;

static mf_status call_signm(void *p) {
    signm_ctx *c = p;
    return mf_signm(&c->A->m, &c->S->m);
}

/* Allocation and backend faults on the Hermitian path, the certified
 * iteration, the one with the eigenvalue check and the Schur method. */
static void test_signm_faults(void **state) {
    (void)state;
    trng r = trng_new(85);
    for (size_t c = 0; c < 3; c++)
        for (int kind = 0; kind < 4; kind++) {
            const bool cplx = combos[c][0] == MF_C128;
            int64_t n = 8;
            tz *a = kind == 0 ? hermitian_indefinite(8, cplx, &r)
                    : kind == 2 ? near_axis(cplx, &r, &n)
                                : matrix_with_signs(8, 3, cplx, 0.5, &r);
            if (kind == 3)
                scale_first_row(8, a, 1e3);
            tm A = tm_new(n, n, combos[c][0], TL_PADDED_ROW), S = tm_new(n, n, combos[c][1], TL_STRIDED);
            tm_from_dense(&A, a);
            signm_ctx ctx = {&A, &S};
            tm *outs[] = {&S};
            assert_true(tsweep_alloc_failures(call_signm, &ctx, outs, 1) >= 3);
            assert_true(tsweep_lapack_faults(call_signm, &ctx, outs, 1) >= 2);
            free(a);
            tm_free(&A);
            tm_free(&S);
        }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signm_all_layouts_and_dtypes),
        cmocka_unit_test(test_signm_larger_and_nonnormal),
        cmocka_unit_test(test_signm_reference_data),
        cmocka_unit_test(test_signm_hermitian),
        cmocka_unit_test(test_signm_domain),
        cmocka_unit_test(test_signm_error_paths),
        cmocka_unit_test(test_signm_domain_larger),
        cmocka_unit_test(test_signm_route),
        cmocka_unit_test(test_signm_faults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
