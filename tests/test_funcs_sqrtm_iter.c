/* The GEMM-rich square root path of mf_sqrtm (src/funcs/sqrtm_iter.c): the
 * rule takes it where documented and declines elsewhere; its results match
 * mpmath references (tests/data/gen_iterations.py) and exactly known roots
 * within 10 n (cond + 1) u, like the Schur route's; forced onto unsuitable
 * matrices it falls back and every status stays the Schur route's; it
 * fails cleanly under allocation and backend faults. */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "data/iterations_ref.h"
#include "data/sqrtm_ref_load.h"
#include "funcs/sqrtm_iter.h"

static const int32_t combos[][2] = {{MF_F64, MF_F64}, {MF_F64, MF_C128}, {MF_C128, MF_C128}};

typedef struct run {
    mf_status st;
    mf__sqrtm_iter_outcome outcome;
    tz *s; /* the root (malloc'd), NULL on failure */
} run;

/* mf_sqrtm on the dense a under the given mode; the input must not change
 * and a failure must leave S untouched. */
static run sqrtm_in_mode(int64_t n, const tz *a, int32_t dt_a, int32_t dt_s, tlayout layout,
                         mf__sqrtm_iter_mode mode) {
    tm A = tm_new(n, n, dt_a, layout), S = tm_new(n, n, dt_s, (tlayout)((layout + 2) % TL_COUNT));
    tm_from_dense(&A, a);
    double *snap_a = tm_snapshot(&A), *snap_s = tm_snapshot(&S);
    mf__sqrtm_iter_set_mode(mode);
    run r = {mf_sqrtm(&A.m, &S.m), MF__SQRTM_ITER_NOT_RUN, NULL};
    mf__sqrtm_iter_set_mode(MF__SQRTM_ITER_AUTO);
    r.outcome = mf__sqrtm_iter_last();
    assert_true(tm_unchanged(&A, snap_a));
    assert_true(tm_padding_intact(&S));
    if (r.st == MF_OK)
        r.s = tm_to_dense(&S);
    else
        assert_true(tm_unchanged(&S, snap_s));
    free(snap_a);
    free(snap_s);
    tm_free(&A);
    tm_free(&S);
    return r;
}

/* ||S^2 - A||_F / (n u ||S||_F^2), the Schur method's residual measure. */
static double residual(int64_t n, const tz *a, const tz *s) {
    tz *s2 = tz_alloc(n * n);
    tz_matmul(n, n, n, s, s, s2);
    const double ns = tz_norm_fro(n, n, s);
    const double res = tz_diff_fro(n, n, s2, a) / ((double)n * TEST_U * ns * ns);
    free(s2);
    return res;
}

/* Relative condition number of the root (mf_sqrtm_cond). */
static double root_cond(int64_t n, const tz *a, int32_t dt) {
    tm A = tm_new(n, n, dt, TL_COLMAJOR);
    tm_from_dense(&A, a);
    double cond = 0.0;
    assert_ok(mf_sqrtm_cond(&A.m, &cond));
    tm_free(&A);
    return cond;
}

static void assert_close(int64_t n, const tz *s, const tz *ref, double cond, const char *what) {
    const double err = tz_diff_fro(n, n, s, ref) / tz_norm_fro(n, n, ref);
    const double bound = 10.0 * (double)n * (cond + 1.0) * TEST_U;
    if (!(err <= bound))
        fail_msg("%s: relative error %.3e exceeds %.3e (cond %.3g)", what, err, bound, cond);
}

/* Gaussian plus shift * sqrt(n) I: the Hermitian part is positive definite
 * for shift above about sqrt(2) (real) or 2 (complex). */
static tz *shifted(int64_t n, bool cplx, double shift, trng *r) {
    tz *a = tz_random(n, n, cplx, r);
    for (int64_t i = 0; i < n; i++)
        a[i + i * n] += shift * sqrt((double)n);
    return a;
}

/* ---------- the rule ---------- */

static void expect_outcome(int64_t n, const tz *a, int32_t dt_a, int32_t dt_s,
                           mf__sqrtm_iter_outcome expected) {
    run r = sqrtm_in_mode(n, a, dt_a, dt_s, TL_COLMAJOR, MF__SQRTM_ITER_AUTO);
    assert_ok(r.st);
    if (r.outcome != expected)
        fail_msg("n = %lld: outcome %d, expected %d", (long long)n, r.outcome, expected);
    assert_le(residual(n, a, r.s), 20.0);
    if (dt_a == MF_F64) /* the root of a real matrix is real, also as C128 */
        for (int64_t k = 0; k < n * n; k++)
            assert_true(cimag(r.s[k]) == 0.0);
    free(r.s);
}

static void test_sqrtm_iter_rule(void **state) {
    (void)state;
    trng r = trng_new(91);
    for (size_t c = 0; c < 3; c++) {
        const bool cplx = combos[c][0] == MF_C128;
        tz *a = shifted(150, cplx, 2.5, &r);
        expect_outcome(150, a, combos[c][0], combos[c][1], MF__SQRTM_ITER_ACCEPTED);
        free(a);
        a = shifted(12, cplx, 2.5, &r); /* below the size threshold */
        expect_outcome(12, a, combos[c][0], combos[c][1], MF__SQRTM_ITER_SMALL);
        free(a);
        /* eigenvalues in the right half-plane (the disc of radius sqrt(n),
         * complex: sqrt(2n)), H indefinite (its spectrum reaches sqrt(2n),
         * complex: 2 sqrt(n)) */
        a = shifted(40, cplx, cplx ? 1.7 : 1.25, &r);
        expect_outcome(40, a, combos[c][0], combos[c][1], MF__SQRTM_ITER_NOT_DEFINITE);
        free(a);
        /* H = diag(1 .. 1e6) is definite, but kappa_1(A) is about 1e6 */
        a = tz_random(40, 40, cplx, &r);
        for (int64_t j = 0; j < 40; j++)
            for (int64_t i = 0; i < j; i++) {
                a[i + j * 40] = 0.5 * a[i + j * 40];
                a[j + i * 40] = -conj(a[i + j * 40]);
            }
        for (int64_t i = 0; i < 40; i++)
            a[i + i * 40] = pow(10.0, 6.0 * (double)i / 39.0);
        expect_outcome(40, a, combos[c][0], combos[c][1], MF__SQRTM_ITER_ILL_CONDITIONED);
        free(a);
    }
}

/* In place (S is A), every layout: the same root as into a
 * separate output, and the iteration was used. */
static void test_sqrtm_iter_in_place(void **state) {
    (void)state;
    trng r = trng_new(97);
    for (int cplx = 0; cplx < 2; cplx++)
        for (int l = 0; l < TL_COUNT; l++) {
            const int32_t dt = cplx ? MF_C128 : MF_F64;
            tz *a = shifted(40, cplx, 2.5, &r);
            run ref = sqrtm_in_mode(40, a, dt, dt, (tlayout)l, MF__SQRTM_ITER_AUTO);
            assert_ok(ref.st);
            tm A = tm_new(40, 40, dt, (tlayout)l);
            tm_from_dense(&A, a);
            assert_ok(mf_sqrtm(&A.m, &A.m));
            assert_int_equal(mf__sqrtm_iter_last(), MF__SQRTM_ITER_ACCEPTED);
            assert_true(tm_padding_intact(&A));
            tz *s = tm_to_dense(&A);
            assert_le(tz_diff_fro(40, 40, s, ref.s), 40.0 * TEST_U * tz_norm_fro(40, 40, s));
            free(s);
            free(ref.s);
            free(a);
            tm_free(&A);
        }
}

/* Hermitian input keeps the eigendecomposition route: an exactly Hermitian
 * root, which no iteration would give. */
static void test_sqrtm_iter_hermitian_keeps_eigh(void **state) {
    (void)state;
    trng r = trng_new(92);
    const int64_t n = 60;
    tz *g = tz_random(n, n, true, &r), *a = tz_alloc(n * n);
    tz *gh = tz_conj_transpose(n, n, g);
    tz_matmul(n, n, n, g, gh, a);
    run res = sqrtm_in_mode(n, a, MF_C128, MF_C128, TL_ROWMAJOR, MF__SQRTM_ITER_AUTO);
    assert_ok(res.st);
    for (int64_t j = 0; j < n; j++)
        for (int64_t i = 0; i < n; i++)
            assert_true(res.s[i + j * n] == conj(res.s[j + i * n]));
    free(res.s);
    free(g);
    free(gh);
    free(a);
}

/* ---------- accuracy ---------- */

/* The iteration against the Schur route on the same matrices: both within
 * the residual bound and within 10 n (cond + 1) u of each other. */
static void test_sqrtm_iter_vs_schur(void **state) {
    (void)state;
    trng r = trng_new(93);
    const int64_t sizes[] = {40, 130};
    for (size_t k = 0; k < 2; k++)
        for (int cplx = 0; cplx < 2; cplx++) {
            const int64_t n = sizes[k];
            const int32_t dt = cplx ? MF_C128 : MF_F64;
            tz *a = shifted(n, cplx, 2.5, &r);
            run it = sqrtm_in_mode(n, a, dt, dt, TL_COLMAJOR, MF__SQRTM_ITER_AUTO);
            run sc = sqrtm_in_mode(n, a, dt, dt, TL_COLMAJOR, MF__SQRTM_ITER_NEVER);
            assert_ok(it.st);
            assert_ok(sc.st);
            assert_int_equal(it.outcome, MF__SQRTM_ITER_ACCEPTED);
            assert_le(residual(n, a, it.s), 20.0);
            assert_le(residual(n, a, sc.s), 20.0);
            assert_close(n, it.s, sc.s, root_cond(n, a, dt), "iteration vs Schur route");
            free(it.s);
            free(sc.s);
            free(a);
        }
}

/* S = I + R / 2^13 with integer R in [-128, 128] (complex: both parts):
 * A = S^2 is computed exactly in integers and is exactly a double, and S
 * (eigenvalues near 1) is exactly its principal root. */
static void exact_square(int64_t n, bool cplx, trng *r, tz **a_out, tz **s_out) {
    const int64_t parts = cplx ? 2 : 1;
    int64_t *s = calloc((size_t)(parts * n * n), sizeof(int64_t));
    assert_non_null(s);
    for (int64_t k = 0; k < parts * n * n; k++)
        s[k] = (int64_t)floor(257.0 * trng_uniform(r)) - 128;
    for (int64_t i = 0; i < n; i++)
        s[parts * (i + i * n)] += 8192;
    tz *a = tz_alloc(n * n), *sd = tz_alloc(n * n);
    for (int64_t j = 0; j < n; j++)
        for (int64_t i = 0; i < n; i++) {
            int64_t re = 0, im = 0;
            for (int64_t k = 0; k < n; k++) {
                const int64_t *x = s + parts * (i + k * n), *y = s + parts * (k + j * n);
                re += x[0] * y[0] - (cplx ? x[1] * y[1] : 0);
                im += cplx ? x[0] * y[1] + x[1] * y[0] : 0;
            }
            a[i + j * n] = CMPLX(ldexp((double)re, -26), ldexp((double)im, -26));
            const int64_t *e = s + parts * (i + j * n);
            sd[i + j * n] = CMPLX(ldexp((double)e[0], -13), cplx ? ldexp((double)e[1], -13) : 0.0);
        }
    free(s);
    *a_out = a;
    *s_out = sd;
}

static void test_sqrtm_iter_exact_roots(void **state) {
    (void)state;
    trng r = trng_new(94);
    const int64_t sizes[] = {24, 150};
    for (size_t k = 0; k < 2; k++)
        for (size_t c = 0; c < 3; c++) {
            const int64_t n = sizes[k];
            tz *a, *s;
            exact_square(n, combos[c][0] == MF_C128, &r, &a, &s);
            const double cond = root_cond(n, a, combos[c][0]);
            for (int mode = MF__SQRTM_ITER_AUTO; mode <= MF__SQRTM_ITER_NEVER; mode++) {
                run res = sqrtm_in_mode(n, a, combos[c][0], combos[c][1], (tlayout)(k + c),
                                        (mf__sqrtm_iter_mode)mode);
                assert_ok(res.st);
                if (mode == MF__SQRTM_ITER_AUTO)
                    assert_int_equal(res.outcome, MF__SQRTM_ITER_ACCEPTED);
                assert_close(n, res.s, s, cond, mode == MF__SQRTM_ITER_AUTO ? "iteration" : "Schur");
                free(res.s);
            }
            free(a);
            free(s);
        }
}

/* The mpmath references of gen_iterations.py, every layout, the iteration
 * forced at the small sizes and chosen by the rule from n = 16 on. */
static void test_sqrtm_iter_references(void **state) {
    (void)state;
    ref_case cases[16];
    const int count = ref_load_lines(iterations_ref_lines, "sqrtm", cases, 16);
    for (int k = 0; k < count; k++) {
        const ref_case *c = &cases[k];
        for (int l = 0; l < TL_COUNT; l++) {
            const int32_t dt_s = c->input == MF_F64 && l % 2 ? MF_F64 : MF_C128;
            const mf__sqrtm_iter_mode mode = l < 2 ? MF__SQRTM_ITER_ALWAYS : MF__SQRTM_ITER_AUTO;
            run res = sqrtm_in_mode(c->n, c->a, c->input, dt_s, (tlayout)l, mode);
            assert_ok(res.st);
            if (mode == MF__SQRTM_ITER_ALWAYS || c->n >= 16)
                assert_int_equal(res.outcome, MF__SQRTM_ITER_ACCEPTED);
            assert_close(c->n, res.s, c->f, c->cond, c->name);
            free(res.s);
        }
    }
    ref_free(cases, count);
}

/* ---------- fallback ---------- */

/* Forced onto gen_sqrtm.py's cases (Jordan blocks, eigenvalues near or on
 * the negative real axis, nearly singular, complex): the same status as the
 * Schur route for F64 and C128 results, and the same accuracy. Every reason
 * to fall back occurs: an eigenvalue 1e-10 (kappa_1(A) ~ 1e10), negative
 * eigenvalues (no convergence in real arithmetic), and a pair 1e-6 from
 * the negative axis, whose first Denman-Beavers step is nearly singular
 * (kappa ~ 1e14): it converges to a wrong root that the residual check
 * rejects (||X^2 - A|| about 1e11 times the bound). */
static void test_sqrtm_iter_forced_keeps_statuses(void **state) {
    (void)state;
    ref_case cases[32];
    const int count = ref_load("sqrtm", cases, 32);
    int seen[MF__SQRTM_ITER_ACCEPTED + 1] = {0};
    for (int k = 0; k < count; k++) {
        const ref_case *c = &cases[k];
        for (int o = 0; o < (c->input == MF_F64 ? 2 : 1); o++) {
            const int32_t dt_s = o ? MF_F64 : MF_C128;
            run forced = sqrtm_in_mode(c->n, c->a, c->input, dt_s, TL_COLMAJOR,
                                       MF__SQRTM_ITER_ALWAYS);
            run schur = sqrtm_in_mode(c->n, c->a, c->input, dt_s, TL_COLMAJOR,
                                      MF__SQRTM_ITER_NEVER);
            if (forced.st != schur.st)
                fail_msg("%s: status %d forced, %d on the Schur route", c->name, forced.st,
                         schur.st);
            if (forced.st == MF_OK)
                assert_close(c->n, forced.s, c->f, c->cond, c->name);
            seen[forced.outcome]++;
            free(forced.s);
            free(schur.s);
        }
    }
    assert_true(seen[MF__SQRTM_ITER_ACCEPTED] > 0 && seen[MF__SQRTM_ITER_ILL_CONDITIONED] > 0 &&
                seen[MF__SQRTM_ITER_NO_CONVERGENCE] > 0 && seen[MF__SQRTM_ITER_RESIDUAL] > 0);
    ref_free(cases, count);
}

/* Forced onto matrices it cannot handle, each reason for falling back: a
 * real matrix with negative eigenvalues (no convergence in real arithmetic;
 * F64 result MF_ENOTREAL as on the Schur route, C128 result the complex
 * root), a nilpotent Jordan block (singular: MF_EDOMAIN), an
 * ill-conditioned matrix. */
static void test_sqrtm_iter_fallbacks(void **state) {
    (void)state;
    trng r = trng_new(95);
    const int64_t n = 30;
    tz *a = shifted(n, false, -0.5, &r); /* eigenvalues around -0.5 sqrt(n) */
    run res = sqrtm_in_mode(n, a, MF_F64, MF_F64, TL_COLMAJOR, MF__SQRTM_ITER_ALWAYS);
    assert_int_equal(res.st, MF_ENOTREAL);
    assert_int_equal(res.outcome, MF__SQRTM_ITER_NO_CONVERGENCE);
    res = sqrtm_in_mode(n, a, MF_F64, MF_C128, TL_COLMAJOR, MF__SQRTM_ITER_ALWAYS);
    assert_ok(res.st);
    assert_le(residual(n, a, res.s), 200.0);
    free(res.s);
    free(a);

    tz nil[4] = {0.0, 0.0, 1.0, 0.0};
    res = sqrtm_in_mode(2, nil, MF_F64, MF_F64, TL_COLMAJOR, MF__SQRTM_ITER_ALWAYS);
    assert_int_equal(res.st, MF_EDOMAIN);
    assert_int_equal(res.outcome, MF__SQRTM_ITER_NO_CONVERGENCE);

    a = shifted(n, true, 2.5, &r);
    a[0] = 1e-5; /* one row nearly zero: kappa_1 beyond 1e4 */
    for (int64_t j = 1; j < n; j++)
        a[j * n] *= 1e-6;
    res = sqrtm_in_mode(n, a, MF_C128, MF_C128, TL_COLMAJOR, MF__SQRTM_ITER_ALWAYS);
    assert_ok(res.st);
    assert_int_equal(res.outcome, MF__SQRTM_ITER_ILL_CONDITIONED);
    free(res.s);
    free(a);
}

/* ---------- faults ---------- */

typedef struct call_ctx {
    tm *A, *S;
    mf__sqrtm_iter_mode mode;
} call_ctx;

static mf_status call_sqrtm(void *p) {
    call_ctx *c = p;
    mf__sqrtm_iter_set_mode(c->mode);
    const mf_status st = mf_sqrtm(&c->A->m, &c->S->m);
    mf__sqrtm_iter_set_mode(MF__SQRTM_ITER_AUTO);
    return st;
}

/* The accepted path (the rule, n = 20) and a fallback (forced, negative
 * eigenvalues, complex result): every allocation and backend call fails
 * cleanly. */
static void test_sqrtm_iter_faults(void **state) {
    (void)state;
    trng r = trng_new(96);
    for (size_t c = 0; c < 3; c++)
        for (int fallback = 0; fallback < 2; fallback++) {
            const bool cplx = combos[c][0] == MF_C128;
            const int64_t n = 20;
            tz *a = shifted(n, cplx, fallback ? -0.5 : 2.5, &r);
            tm A = tm_new(n, n, combos[c][0], TL_PADDED_COL),
               S = tm_new(n, n, fallback ? MF_C128 : combos[c][1], TL_STRIDED);
            tm_from_dense(&A, a);
            call_ctx ctx = {&A, &S, fallback ? MF__SQRTM_ITER_ALWAYS : MF__SQRTM_ITER_AUTO};
            tm *outs[] = {&S};
            assert_true(tsweep_alloc_failures(call_sqrtm, &ctx, outs, 1) >= 4);
            assert_true(tsweep_lapack_faults(call_sqrtm, &ctx, outs, 1) >= 4);
            free(a);
            tm_free(&A);
            tm_free(&S);
        }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sqrtm_iter_rule),
        cmocka_unit_test(test_sqrtm_iter_in_place),
        cmocka_unit_test(test_sqrtm_iter_hermitian_keeps_eigh),
        cmocka_unit_test(test_sqrtm_iter_vs_schur),
        cmocka_unit_test(test_sqrtm_iter_exact_roots),
        cmocka_unit_test(test_sqrtm_iter_references),
        cmocka_unit_test(test_sqrtm_iter_forced_keeps_statuses),
        cmocka_unit_test(test_sqrtm_iter_fallbacks),
        cmocka_unit_test(test_sqrtm_iter_faults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
