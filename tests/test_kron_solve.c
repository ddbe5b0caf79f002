/* Kronecker-structured solves: mf_kron_solve ((A ⊗ B) vec(X) = vec(C)) and
 * mf_kronsum_solve ((A ⊕ B) vec(X) = vec(C)). Residuals against the
 * explicitly formed operators over every layout and dtype combination, in
 * place, singular factors and sums, error paths, allocation failure. */
#include "test_kron_common.h"

/* ||K vec(X) - vec(C)||_F <= c (m p) u ||K||_F ||X||_F with K formed. */
static void assert_formed_residual(int64_t N, const tz *k, const tz *x, const tz *c) {
    tz *kx = tz_alloc(N);
    tz_matmul(N, N, 1, k, x, kx);
    if (N > 0)
        assert_le(tz_diff_fro(N, 1, kx, c),
                  20.0 * (double)N * TEST_U * tz_norm_fro(N, N, k) * tz_norm_fro(N, 1, x));
    free(kx);
}

static void check_solve(bool sum, int64_t m, int64_t p, const int32_t *dt, int lay, bool in_place,
                        trng *r) {
    tz *a, *b, *c;
    tm A = random_tm(m, m, dt[0], (tlayout)lay, r, &a);
    tm B = random_tm(p, p, dt[1], (tlayout)((lay + 1) % TL_COUNT), r, &b);
    const int32_t dc = in_place ? dt[2] : dt[0];
    tm C = random_tm(p, m, dc, (tlayout)((lay + 2) % TL_COUNT), r, &c);
    tm X = tm_new(p, m, dt[2], (tlayout)((lay + 3) % TL_COUNT));
    double *sa = tm_snapshot(&A), *sb = tm_snapshot(&B), *sc = tm_snapshot(&C);
    tm *out = in_place ? &C : &X;
    if (sum)
        assert_ok(mf_kronsum_solve(&A.m, &B.m, &C.m, &out->m));
    else
        assert_ok(mf_kron_solve(&A.m, &B.m, &C.m, &out->m));
    assert_true(tm_unchanged(&A, sa) && tm_unchanged(&B, sb));
    if (!in_place)
        assert_true(tm_unchanged(&C, sc));
    assert_true(tm_padding_intact(out));
    tz *x = tm_to_dense(out);
    tz *k = sum ? ref_kronsum(m, a, p, b) : ref_kron(m, m, a, p, p, b);
    assert_formed_residual(m * p, k, x, c);
    if (dt[0] == MF_F64 && dt[1] == MF_F64 && dc == MF_F64)
        assert_true(tz_is_real(m * p, x));
    free(sa);
    free(sb);
    free(sc);
    free(a);
    free(b);
    free(c);
    free(x);
    free(k);
    tm_free(&A);
    tm_free(&B);
    tm_free(&C);
    tm_free(&X);
}

static void test_kron_solve_residual_all_layouts(void **state) {
    (void)state;
    trng r = trng_new(201);
    const int64_t shapes[][2] = {{0, 0}, {0, 3}, {3, 0}, {1, 1}, {2, 5}, {6, 3}, {9, 9}};
    for (size_t d = 0; d < N_DTYPE_CASES; d++)
        for (int l = 0; l < TL_COUNT; l++)
            for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
                check_solve(false, shapes[s][0], shapes[s][1], dtype_cases[d], l, false, &r);
                check_solve(false, shapes[s][0], shapes[s][1], dtype_cases[d], l, true, &r);
            }
}

static void test_kronsum_solve_residual_all_layouts(void **state) {
    (void)state;
    trng r = trng_new(202);
    const int64_t shapes[][2] = {{0, 0}, {0, 3}, {1, 1}, {2, 5}, {6, 3}, {8, 8}};
    for (size_t d = 0; d < N_DTYPE_CASES; d++)
        for (int l = 0; l < TL_COUNT; l++)
            for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
                check_solve(true, shapes[s][0], shapes[s][1], dtype_cases[d], l, false, &r);
                check_solve(true, shapes[s][0], shapes[s][1], dtype_cases[d], l, true, &r);
            }
}

/* A known solution is recovered: kappa(A ⊗ B) is modest for these. */
static void test_kron_solve_recovers_known_solution(void **state) {
    (void)state;
    trng r = trng_new(203);
    for (int dt = MF_F64; dt <= MF_C128; dt++) {
        tz *a, *b, *x0;
        tm A = random_tm(5, 5, dt, TL_COLMAJOR, &r, &a), B = random_tm(4, 4, dt, TL_ROWMAJOR, &r, &b);
        for (int i = 0; i < 5; i++) /* diagonally dominant: well conditioned */
            tm_set(&A, i, i, tm_get(&A, i, i) + 10.0);
        for (int i = 0; i < 4; i++)
            tm_set(&B, i, i, tm_get(&B, i, i) - 10.0);
        free(a);
        free(b);
        a = tm_to_dense(&A);
        b = tm_to_dense(&B);
        x0 = tz_random(4, 5, dt == MF_C128, &r);
        tz *k = ref_kron(5, 5, a, 4, 4, b), *c = tz_alloc(20);
        tz_matmul(20, 20, 1, k, x0, c);
        tm C = tm_new(4, 5, dt, TL_STRIDED), X = tm_new(4, 5, dt, TL_PADDED_COL);
        tm_from_dense(&C, c);
        assert_ok(mf_kron_solve(&A.m, &B.m, &C.m, &X.m));
        tz *x = tm_to_dense(&X);
        assert_le(tz_diff_fro(4, 5, x, x0), 1e-13 * tz_norm_fro(4, 5, x0));
        free(a);
        free(b);
        free(x0);
        free(k);
        free(c);
        free(x);
        tm_free(&A);
        tm_free(&B);
        tm_free(&C);
        tm_free(&X);
    }
}

static void test_singular_factors_refused(void **state) {
    (void)state;
    trng r = trng_new(204);
    for (int dt = MF_F64; dt <= MF_C128; dt++) {
        tm A = random_tm(4, 4, dt, TL_COLMAJOR, &r, NULL), B = random_tm(3, 3, dt, TL_ROWMAJOR, &r, NULL),
           C = random_tm(3, 4, dt, TL_COLMAJOR, &r, NULL), X = tm_new(3, 4, dt, TL_COLMAJOR);
        double *sx = tm_snapshot(&X), *sc = tm_snapshot(&C);
        /* exactly singular A: a zero column */
        tz *a = tm_to_dense(&A);
        for (int i = 0; i < 4; i++)
            tm_set(&A, i, 1, 0.0);
        assert_status(mf_kron_solve(&A.m, &B.m, &C.m, &X.m), MF_ESINGULAR);
        assert_last_error_mentions("factor A is exactly singular");
        tm_from_dense(&A, a);
        /* numerically singular B: a row scaled by 1e-17 (nonzero pivots) */
        for (int j = 0; j < 3; j++)
            tm_set(&B, 2, j, 1e-17 * tm_get(&B, 2, j));
        assert_status(mf_kron_solve(&A.m, &B.m, &C.m, &C.m), MF_ESINGULAR);
        assert_last_error_mentions("estimate");
        /* each factor fine on its own (kappa 1e9), the product not (1e18) */
        tm_fill(&A, 0.0);
        tm_fill(&B, 0.0);
        for (int i = 0; i < 4; i++)
            tm_set(&A, i, i, i == 0 ? 1e-9 : 1.0);
        for (int i = 0; i < 3; i++)
            tm_set(&B, i, i, i == 2 ? 1e-9 : 1.0);
        assert_status(mf_kron_solve(&A.m, &B.m, &C.m, &X.m), MF_ESINGULAR);
        assert_last_error_mentions("A ⊗ B is singular to working precision");
        tm_set(&B, 2, 2, 1e-3); /* product kappa 1e12: solvable */
        assert_ok(mf_kron_solve(&A.m, &B.m, &C.m, &X.m));
        free(sx);
        sx = tm_snapshot(&X);
        /* A ⊕ B singular: B = -A^T shares every eigenvalue sum λ + (-λ) = 0 */
        tm S = random_tm(3, 3, dt, TL_COLMAJOR, &r, NULL), T = tm_new(3, 3, dt, TL_ROWMAJOR),
           C3 = random_tm(3, 3, dt, TL_COLMAJOR, &r, NULL), X3 = tm_new(3, 3, dt, TL_COLMAJOR);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                tm_set(&S, i, j, tm_get(&S, j, i)); /* symmetric: eigenvalues well conditioned */
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                tm_set(&T, i, j, -tm_get(&S, j, i));
        double *sx3 = tm_snapshot(&X3);
        assert_status(mf_kronsum_solve(&S.m, &T.m, &C3.m, &X3.m), MF_ESINGULAR);
        assert_last_error_mentions("mf_kronsum_solve");
        assert_true(tm_unchanged(&X3, sx3) && tm_unchanged(&X, sx) && tm_unchanged(&C, sc));
        free(a);
        free(sx);
        free(sc);
        free(sx3);
        tm *all[] = {&A, &B, &C, &X, &S, &T, &C3, &X3};
        for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
            tm_free(all[i]);
    }
}

/* Well-conditioned factors do not keep X = B^-1 C A^-T in range: with
 * A = 1e-10 I and C = 1e300 the solution is 1e310. MF_EOVERFLOW, X
 * untouched (also when X is C itself); C = 1 solves. */
static void test_kron_solve_overflow_refused(void **state) {
    (void)state;
    for (int c = 0; c < 2; c++) {
        const int32_t dt = c ? MF_C128 : MF_F64;
        tm A = tm_new(2, 2, dt, TL_COLMAJOR), B = tm_new(3, 3, MF_F64, TL_STRIDED),
           C = tm_new(3, 2, MF_F64, TL_ROWMAJOR), X = tm_new(3, 2, dt, TL_PADDED_COL);
        tz *ia = tz_identity(2), *ib = tz_identity(3);
        for (int k = 0; k < 4; k++)
            ia[k] *= 1e-10;
        tm_from_dense(&A, ia);
        tm_from_dense(&B, ib);
        tm_fill(&C, 1e300);
        tm_fill(&X, 5.0);
        double *sx = tm_snapshot(&X), *sc = tm_snapshot(&C);
        assert_status(mf_kron_solve(&A.m, &B.m, &C.m, &X.m), MF_EOVERFLOW);
        assert_last_error_mentions("mf_kron_solve");
        assert_last_error_mentions("solution");
        assert_true(tm_unchanged(&X, sx));
        if (dt == MF_F64) {
            assert_status(mf_kron_solve(&A.m, &B.m, &C.m, &C.m), MF_EOVERFLOW);
            assert_true(tm_unchanged(&C, sc));
        }
        tm_fill(&C, 1.0);
        assert_ok(mf_kron_solve(&A.m, &B.m, &C.m, &X.m));
        assert_true(creal(tm_get(&X, 2, 1)) == 1e10);
        free(sx);
        free(sc);
        free(ia);
        free(ib);
        tm *all[] = {&A, &B, &C, &X};
        for (int k = 0; k < 4; k++)
            tm_free(all[k]);
    }
}

static void test_error_paths(void **state) {
    (void)state;
    trng r = trng_new(205);
    coupled_operands o = coupled_operands_new(2, 3, &r); /* C: B's order x A's order */
    tm *outs[] = {&o.X, &o.Xbad};
    double *snaps[2] = {tm_snapshot(&o.X), tm_snapshot(&o.Xbad)};
    check_coupled_solve_errors(mf_kron_solve, "mf_kron_solve", &o);
    check_coupled_solve_errors(mf_kronsum_solve, "mf_kronsum_solve", &o);
    static double one = 1.0;
    mf_matrix huge = {&one, (int64_t)1 << 31, (int64_t)1 << 31, 1, 1, MF_F64, 0};
    mf_matrix hc = {&one, 2, (int64_t)1 << 31, 1, 1, MF_F64, 0};
    /* an output far from the inputs' (never dereferenced) address ranges */
    mf_matrix xh = {(void *)(uintptr_t)0x10000000000ull, 2, (int64_t)1 << 31, 1, 2, MF_F64, 0};
    assert_status(mf_kron_solve(&huge, &o.B.m, &hc, &xh), MF_EDIM);
    assert_last_error_mentions("32-bit");
    for (int i = 0; i < 2; i++) {
        assert_true(tm_unchanged(outs[i], snaps[i]));
        free(snaps[i]);
    }
    coupled_operands_free(&o);
}

typedef struct sweep_ctx {
    tm *A, *B, *C, *X;
    bool sum;
} sweep_ctx;

static mf_status call_under_test(void *p) {
    sweep_ctx *c = p;
    return c->sum ? mf_kronsum_solve(&c->A->m, &c->B->m, &c->C->m, &c->X->m)
                  : mf_kron_solve(&c->A->m, &c->B->m, &c->C->m, &c->X->m);
}

static void test_allocation_failures(void **state) {
    (void)state;
    trng r = trng_new(206);
    for (int dt = MF_F64; dt <= MF_C128; dt++)
        for (int sum = 0; sum < 2; sum++) {
            tm A = random_tm(4, 4, dt, TL_ROWMAJOR, &r, NULL), B = random_tm(3, 3, dt, TL_STRIDED, &r, NULL),
               C = random_tm(3, 4, dt, TL_COLMAJOR, &r, NULL), X = tm_new(3, 4, dt, TL_PADDED_ROW);
            sweep_ctx c = {&A, &B, &C, &X, sum == 1};
            tm *outs[] = {&X};
            assert_true(tsweep_alloc_failures(call_under_test, &c, outs, 1) >= 6);
            tm_free(&A);
            tm_free(&B);
            tm_free(&C);
            tm_free(&X);
        }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kron_solve_residual_all_layouts),
        cmocka_unit_test(test_kronsum_solve_residual_all_layouts),
        cmocka_unit_test(test_kron_solve_recovers_known_solution),
        cmocka_unit_test(test_singular_factors_refused),
        cmocka_unit_test(test_kron_solve_overflow_refused),
        cmocka_unit_test(test_error_paths),
        cmocka_unit_test(test_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
