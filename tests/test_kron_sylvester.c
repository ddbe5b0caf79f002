/* Sylvester and Lyapunov equations: mf_sylvester, mf_lyapunov,
 * mf_lyapunov_discrete. Residuals scaled by norms and unit roundoff,
 *   ||A X + X B - C||_F / ((||A||_F + ||B||_F) ||X||_F u) <= c max(m, n),
 * over every layout and dtype combination, real quasi-triangular Schur
 * forms (complex eigenvalue pairs), in place, exact symmetry of Lyapunov
 * solutions, singular equations, LAPACK's scaling and overflow, error paths
 * and allocation failure. */
#include "test_kron_common.h"

#include <float.h>

static void check_sylvester(int64_t m, int64_t n, const int32_t *dt, int lay, bool in_place,
                            trng *r) {
    tz *a, *b, *c;
    tm A = random_tm(m, m, dt[0], (tlayout)lay, r, &a);
    tm B = random_tm(n, n, dt[1], (tlayout)((lay + 1) % TL_COUNT), r, &b);
    const int32_t dc = in_place ? dt[2] : dt[0];
    tm C = random_tm(m, n, dc, (tlayout)((lay + 2) % TL_COUNT), r, &c);
    tm X = tm_new(m, n, dt[2], (tlayout)((lay + 3) % TL_COUNT));
    double *sa = tm_snapshot(&A), *sb = tm_snapshot(&B);
    tm *out = in_place ? &C : &X;
    assert_ok(mf_sylvester(&A.m, &B.m, &C.m, &out->m));
    assert_true(tm_unchanged(&A, sa) && tm_unchanged(&B, sb) && tm_padding_intact(out));
    tz *x = tm_to_dense(out);
    const double scale = (tz_norm_fro(m, m, a) + tz_norm_fro(n, n, b)) * tz_norm_fro(m, n, x) * TEST_U;
    if (m * n > 0)
        assert_le(tz_sylvester_residual(m, n, a, b, x, c), 10.0 * (double)(m > n ? m : n) * scale);
    if (dt[0] == MF_F64 && dt[1] == MF_F64 && dc == MF_F64)
        assert_true(tz_is_real(m * n, x));
    free(sa);
    free(sb);
    free(a);
    free(b);
    free(c);
    free(x);
    tm_free(&A);
    tm_free(&B);
    tm_free(&C);
    tm_free(&X);
}

static void test_sylvester_residual_all_layouts(void **state) {
    (void)state;
    trng r = trng_new(301);
    /* random real matrices have complex pairs: 2 x 2 blocks in the real Schur form */
    const int64_t shapes[][2] = {{0, 0}, {0, 4}, {4, 0}, {1, 1}, {1, 6}, {5, 2}, {9, 9}, {17, 12}};
    for (size_t d = 0; d < N_DTYPE_CASES; d++)
        for (int l = 0; l < TL_COUNT; l++)
            for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
                check_sylvester(shapes[s][0], shapes[s][1], dtype_cases[d], l, false, &r);
                check_sylvester(shapes[s][0], shapes[s][1], dtype_cases[d], l, true, &r);
            }
}

/* Sizes past ?trsyl3's block size, where the level-3 path and its scaling
 * bookkeeping are used rather than the unblocked fallback. */
static void test_sylvester_blocked_sizes(void **state) {
    (void)state;
    trng r = trng_new(302);
    const int32_t real[3] = {MF_F64, MF_F64, MF_F64}, cplx[3] = {MF_C128, MF_C128, MF_C128};
    check_sylvester(150, 90, real, TL_COLMAJOR, false, &r);
    check_sylvester(90, 150, real, TL_ROWMAJOR, true, &r);
    check_sylvester(100, 70, cplx, TL_COLMAJOR, false, &r);
}

/* A known solution is recovered when the equation is well conditioned. */
static void test_sylvester_recovers_known_solution(void **state) {
    (void)state;
    trng r = trng_new(303);
    for (int dt = MF_F64; dt <= MF_C128; dt++) {
        const int64_t m = 6, n = 4;
        tz *a = tz_random(m, m, dt == MF_C128, &r), *b = tz_random(n, n, dt == MF_C128, &r);
        for (int64_t i = 0; i < m; i++)
            a[i + i * m] += 8.0; /* spectra near +8 and +8: far from each other's negatives */
        for (int64_t i = 0; i < n; i++)
            b[i + i * n] += 8.0;
        tz *x0 = tz_random(m, n, dt == MF_C128, &r), *c = tz_alloc(m * n), *xb = tz_alloc(m * n);
        tz_matmul(m, m, n, a, x0, c);
        tz_matmul(m, n, n, x0, b, xb);
        for (int64_t i = 0; i < m * n; i++)
            c[i] += xb[i];
        tm A = tm_new(m, m, dt, TL_PADDED_ROW), B = tm_new(n, n, dt, TL_STRIDED),
           C = tm_new(m, n, dt, TL_COLMAJOR), X = tm_new(m, n, dt, TL_ROWMAJOR);
        tm_from_dense(&A, a);
        tm_from_dense(&B, b);
        tm_from_dense(&C, c);
        assert_ok(mf_sylvester(&A.m, &B.m, &C.m, &X.m));
        tz *x = tm_to_dense(&X);
        assert_le(tz_diff_fro(m, n, x, x0), 1e-13 * tz_norm_fro(m, n, x0));
        free(a);
        free(b);
        free(x0);
        free(c);
        free(xb);
        free(x);
        tm_free(&A);
        tm_free(&B);
        tm_free(&C);
        tm_free(&X);
    }
}

static void test_sylvester_singular(void **state) {
    (void)state;
    trng r = trng_new(304);
    for (int dt = MF_F64; dt <= MF_C128; dt++) {
        /* B = -A for symmetric (Hermitian) A: every λ_i(A) + μ_i(B) = 0, and
         * the eigenvalues are perfectly conditioned */
        const int64_t n = 5;
        tm A = random_tm(n, n, dt, TL_COLMAJOR, &r, NULL), B = tm_new(n, n, dt, TL_ROWMAJOR),
           C = random_tm(n, n, dt, TL_COLMAJOR, &r, NULL), X = tm_new(n, n, dt, TL_COLMAJOR);
        for (int64_t i = 0; i < n; i++)
            for (int64_t j = 0; j <= i; j++)
                tm_set(&A, j, i, i == j ? creal(tm_get(&A, i, i)) : conj(tm_get(&A, i, j)));
        for (int64_t i = 0; i < n; i++)
            for (int64_t j = 0; j < n; j++)
                tm_set(&B, i, j, -tm_get(&A, i, j));
        double *sx = tm_snapshot(&X), *sc = tm_snapshot(&C);
        assert_status(mf_sylvester(&A.m, &B.m, &C.m, &X.m), MF_ESINGULAR);
        assert_last_error_mentions("A and -B share an eigenvalue");
        assert_status(mf_sylvester(&A.m, &B.m, &C.m, &C.m), MF_ESINGULAR);
        /* one shared eigenvalue in non-trivial triangular matrices */
        tm T = tm_new(3, 3, dt, TL_COLMAJOR), U = tm_new(2, 2, dt, TL_COLMAJOR),
           C2 = random_tm(3, 2, dt, TL_COLMAJOR, &r, NULL), X2 = tm_new(3, 2, dt, TL_COLMAJOR);
        tm_fill(&T, 0.0);
        tm_fill(&U, 0.0);
        tm_set(&T, 0, 0, 2.0);
        tm_set(&T, 1, 1, 3.0);
        tm_set(&T, 2, 2, 5.0);
        tm_set(&T, 0, 2, 1.0);
        tm_set(&U, 0, 0, -7.0);
        tm_set(&U, 1, 1, -3.0);
        tm_set(&U, 0, 1, 4.0);
        double *sx2 = tm_snapshot(&X2);
        assert_status(mf_sylvester(&T.m, &U.m, &C2.m, &X2.m), MF_ESINGULAR);
        tm_set(&U, 1, 1, -4.0); /* now regular */
        assert_ok(mf_sylvester(&T.m, &U.m, &C2.m, &X2.m));
        assert_true(tm_unchanged(&X, sx) && tm_unchanged(&C, sc));
        assert_false(tm_unchanged(&X2, sx2));
        free(sx);
        free(sc);
        free(sx2);
        tm *all[] = {&A, &B, &C, &X, &T, &U, &C2, &X2};
        for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
            tm_free(all[i]);
    }
}

/* 1 x 1 equations a x + x b = c pin down the two LAPACK-side rules exactly. */
static mf_status scalar_sylvester(double a, double b, double c, double *x) {
    mf_matrix A, B, C, X;
    mf_view_colmajor(&A, &a, 1, 1, 1, MF_F64);
    mf_view_colmajor(&B, &b, 1, 1, 1, MF_F64);
    mf_view_colmajor(&C, &c, 1, 1, 1, MF_F64);
    mf_view_colmajor(&X, x, 1, 1, 1, MF_F64);
    return mf_sylvester(&A, &B, &C, &X);
}

static void test_sylvester_lapack_perturbation_and_scaling(void **state) {
    (void)state;
    double x = 42.0;
    /* |a + b| = 2^-52: above our eigenvalue-gap bound u (|a| + |b|) but at
     * ?trsyl's threshold eps max(|a|, |b|): LAPACK perturbs, info = 1 */
    assert_status(scalar_sylvester(1.0, -(1.0 - 0x1p-52), 1.0, &x), MF_ESINGULAR);
    assert_last_error_mentions("perturb");
    assert_true(x == 42.0);
    /* x = 2^1000 is representable but LAPACK returns it scaled */
    assert_ok(scalar_sylvester(0x1p-501, 0x1p-501, 0x1p500, &x));
    assert_true(x == 0x1p1000);
    /* x = 2^1199 is not */
    x = 42.0;
    assert_status(scalar_sylvester(0x1p-600, 0x1p-600, 0x1p600, &x), MF_EOVERFLOW);
    assert_last_error_mentions("not representable");
    assert_true(x == 42.0);
    /* exactly singular 1 x 1, and the zero operator */
    assert_status(scalar_sylvester(1.5, -1.5, 1.0, &x), MF_ESINGULAR);
    assert_status(scalar_sylvester(0.0, 0.0, 1.0, &x), MF_ESINGULAR);
    assert_true(x == 42.0);
}

/* ---------- continuous Lyapunov ---------- */

static bool exactly_hermitian(int64_t n, const tz *x) {
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < n; j++)
            if (x[i + j * n] != conj(x[j + i * n]))
                return false;
    return true;
}

static tz *random_hermitian(int64_t n, bool cplx, trng *r) {
    tz *q = tz_random(n, n, cplx, r);
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j <= i; j++)
            q[j + i * n] = i == j ? creal(q[i + i * n]) : conj(q[i + j * n]);
    return q;
}

static void check_lyapunov(bool discrete, int64_t n, int32_t dta, int32_t dtq, int32_t dtx,
                           bool hermitian, int lay, bool in_place, trng *r) {
    tz *a, *q = hermitian ? random_hermitian(n, dtq == MF_C128, r) : tz_random(n, n, dtq == MF_C128, r);
    tm A = random_tm(n, n, dta, (tlayout)lay, r, &a);
    if (discrete) { /* keep the spectral radius below 1 so the solution is moderate */
        for (int64_t i = 0; i < n * n; i++)
            a[i] *= 0.5 / sqrt((double)(n > 0 ? n : 1));
        tm_from_dense(&A, a);
    }
    tm Q = tm_new(n, n, in_place ? dtx : dtq, (tlayout)((lay + 1) % TL_COUNT));
    tm_from_dense(&Q, q);
    tm X = tm_new(n, n, dtx, (tlayout)((lay + 2) % TL_COUNT));
    tm *out = in_place ? &Q : &X;
    if (discrete)
        assert_ok(mf_lyapunov_discrete(&A.m, &Q.m, &out->m));
    else
        assert_ok(mf_lyapunov(&A.m, &Q.m, &out->m));
    assert_true(tm_padding_intact(out));
    tz *x = tm_to_dense(out), *ah = tz_conj_transpose(n, n, a), *res = tz_alloc(n * n);
    double na = tz_norm_fro(n, n, a), nx = tz_norm_fro(n, n, x), bound;
    if (discrete) { /* A X A^H - X + Q */
        tz *ax = tz_alloc(n * n);
        tz_matmul(n, n, n, a, x, ax);
        tz_matmul(n, n, n, ax, ah, res);
        for (int64_t i = 0; i < n * n; i++)
            res[i] += q[i] - x[i];
        free(ax);
        bound = 10.0 * (double)n * (na * na + 1.0) * nx * TEST_U;
        assert_le(tz_norm_fro(n, n, res), bound);
    } else {
        if (n > 0)
            assert_le(tz_sylvester_residual(n, n, a, ah, x, q), 10.0 * (double)n * 2 * na * nx * TEST_U);
    }
    if (hermitian)
        assert_true(exactly_hermitian(n, x));
    if (dta == MF_F64 && Q.m.dtype == MF_F64)
        assert_true(tz_is_real(n * n, x));
    free(a);
    free(q);
    free(x);
    free(ah);
    free(res);
    tm_free(&A);
    tm_free(&Q);
    tm_free(&X);
}

static void test_lyapunov_all_layouts(void **state) {
    (void)state;
    trng r = trng_new(305);
    const int64_t sizes[] = {0, 1, 2, 7, 16};
    for (int discrete = 0; discrete < 2; discrete++)
        for (size_t d = 0; d < N_DTYPE_CASES; d++)
            for (int l = 0; l < TL_COUNT; l++)
                for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
                    const int32_t *dt = dtype_cases[d];
                    check_lyapunov(discrete, sizes[s], dt[0], dt[1], dt[2], true, l, false, &r);
                    check_lyapunov(discrete, sizes[s], dt[0], dt[1], dt[2], false, l, true, &r);
                }
    check_lyapunov(true, 60, MF_F64, MF_F64, MF_F64, true, TL_COLMAJOR, false, &r);
    check_lyapunov(false, 60, MF_C128, MF_C128, MF_C128, true, TL_ROWMAJOR, false, &r);
}

/* A stable A and Q = -I give the controllability-type Gramian, positive
 * definite: all its diagonal entries are positive. Checks the sign
 * convention against the textbook one. */
static void test_lyapunov_sign_convention(void **state) {
    (void)state;
    double a[4] = {-1.0, 0.0, 2.0, -3.0}; /* column-major [[-1, 2], [0, -3]] */
    double q[4] = {-1.0, 0.0, 0.0, -1.0}, x[4];
    mf_matrix A, Q, X;
    mf_view_colmajor(&A, a, 2, 2, 2, MF_F64);
    mf_view_colmajor(&Q, q, 2, 2, 2, MF_F64);
    mf_view_colmajor(&X, x, 2, 2, 2, MF_F64);
    assert_ok(mf_lyapunov(&A, &Q, &X));
    /* by hand, entry by entry from the bottom: -6 x22 = -1, -4 x12 + 2 x22 = 0,
       -2 x11 + 4 x12 = -1 (SciPy's solve_continuous_lyapunov agrees) */
    assert_le(fabs(x[0] - 2.0 / 3) + fabs(x[1] - 1.0 / 12) + fabs(x[2] - 1.0 / 12) +
                  fabs(x[3] - 1.0 / 6), 4e-15);
    assert_true(x[1] == x[2]); /* Q symmetric: X exactly symmetric */
    /* discrete: a x a - x + q = 0 with a = 0.5 I, q = I: x = 4/3 I */
    double ad[4] = {0.5, 0.0, 0.0, 0.5}, qd[4] = {1.0, 0.0, 0.0, 1.0};
    mf_view_colmajor(&A, ad, 2, 2, 2, MF_F64);
    mf_view_colmajor(&Q, qd, 2, 2, 2, MF_F64);
    assert_ok(mf_lyapunov_discrete(&A, &Q, &X));
    assert_le(fabs(x[0] - 4.0 / 3) + fabs(x[1]) + fabs(x[2]) + fabs(x[3] - 4.0 / 3), 4e-15);
    /* a singular A is fine for the discrete equation (no inverse is used):
       a nilpotent A = [[0, 1], [0, 0]] takes the tiny-diagonal path */
    double an[4] = {0.0, 0.0, 1.0, 0.0};
    mf_view_colmajor(&A, an, 2, 2, 2, MF_F64);
    assert_ok(mf_lyapunov_discrete(&A, &Q, &X)); /* X = Q + A Q A^T = diag(2, 1) */
    assert_le(fabs(x[0] - 2.0) + fabs(x[1]) + fabs(x[2]) + fabs(x[3] - 1.0), 4e-15);
}

static void test_lyapunov_singular_and_overflow(void **state) {
    (void)state;
    double q[4] = {1.0, 0.0, 0.0, 1.0}, x[4] = {7, 7, 7, 7};
    mf_matrix A, Q, X;
    mf_view_colmajor(&Q, q, 2, 2, 2, MF_F64);
    mf_view_colmajor(&X, x, 2, 2, 2, MF_F64);
    /* eigenvalues ±i: on the imaginary axis (continuous) and the unit circle (discrete) */
    double rot[4] = {0.0, -1.0, 1.0, 0.0};
    mf_view_colmajor(&A, rot, 2, 2, 2, MF_F64);
    assert_status(mf_lyapunov(&A, &Q, &X), MF_ESINGULAR);
    assert_last_error_mentions("A and -A^H");
    assert_status(mf_lyapunov_discrete(&A, &Q, &X), MF_ESINGULAR);
    assert_last_error_mentions("conj");
    /* eigenvalues 1 and -1: λ_1 + conj(λ_2) = 0 */
    double pm[4] = {1.0, 0.0, 3.0, -1.0};
    mf_view_colmajor(&A, pm, 2, 2, 2, MF_F64);
    assert_status(mf_lyapunov(&A, &Q, &X), MF_ESINGULAR);
    assert_status(mf_lyapunov_discrete(&A, &Q, &X), MF_ESINGULAR);
    /* discrete solution q / (1 - a^2) beyond the double range */
    double a1 = 1.0 - 0x1p-30, q1 = 1e300, x1 = 7;
    mf_matrix A1, Q1, X1;
    mf_view_colmajor(&A1, &a1, 1, 1, 1, MF_F64);
    mf_view_colmajor(&Q1, &q1, 1, 1, 1, MF_F64);
    mf_view_colmajor(&X1, &x1, 1, 1, 1, MF_F64);
    assert_status(mf_lyapunov_discrete(&A1, &Q1, &X1), MF_EOVERFLOW);
    /* continuous solution -q / (2 a) beyond the range: LAPACK's scale */
    double a2 = 0x1p-600, q2 = 0x1p600;
    mf_view_colmajor(&A1, &a2, 1, 1, 1, MF_F64);
    mf_view_colmajor(&Q1, &q2, 1, 1, 1, MF_F64);
    assert_status(mf_lyapunov(&A1, &Q1, &X1), MF_EOVERFLOW);
    assert_true(x1 == 7);
    for (int i = 0; i < 4; i++)
        assert_true(x[i] == 7);
}

/* ---------- error paths ---------- */

static void test_error_paths(void **state) {
    (void)state;
    trng r = trng_new(306);
    coupled_operands o = coupled_operands_new(3, 2, &r); /* C: A's order x B's order */
    tm Q = random_tm(3, 3, MF_F64, TL_COLMAJOR, &r, NULL),
       Qz = random_tm(3, 3, MF_C128, TL_COLMAJOR, &r, NULL), XL = tm_new(3, 3, MF_F64, TL_ROWMAJOR);
    tm *outs[] = {&o.X, &o.Xbad, &XL};
    double *snaps[3];
    for (int i = 0; i < 3; i++)
        snaps[i] = tm_snapshot(outs[i]);
    check_coupled_solve_errors(mf_sylvester, "mf_sylvester", &o);

    typedef mf_status (*lyap)(const mf_matrix *, const mf_matrix *, mf_matrix *);
    const lyap fns[2] = {mf_lyapunov, mf_lyapunov_discrete};
    const char *names[2] = {"mf_lyapunov", "mf_lyapunov_discrete"};
    for (int k = 0; k < 2; k++) {
        assert_status(fns[k](NULL, &Q.m, &XL.m), MF_EINVAL);
        assert_last_error_mentions(names[k]);
        assert_status(fns[k](&o.A.m, NULL, &XL.m), MF_EINVAL);
        assert_status(fns[k](&o.A.m, &Q.m, NULL), MF_EINVAL);
        assert_status(fns[k](&o.R.m, &Q.m, &XL.m), MF_EDIM);
        assert_status(fns[k](&o.A.m, &o.R.m, &XL.m), MF_EDIM);
        assert_last_error_mentions("Q is 3 x 2");
        assert_status(fns[k](&o.A.m, &Q.m, &o.X.m), MF_EDIM);
        assert_status(fns[k](&o.A.m, &Qz.m, &XL.m), MF_EDTYPE);
        mf_matrix qs = o.big.m, xl = o.big.m;
        qs.rows = qs.cols = xl.rows = xl.cols = 3;
        xl.data = (double *)o.big.m.data + 6;
        assert_status(fns[k](&o.A.m, &qs, &xl), MF_EALIAS);
        tm_set(&Q, 2, 2, INFINITY);
        assert_status(fns[k](&o.A.m, &Q.m, &XL.m), MF_ENONFINITE);
        assert_last_error_mentions("argument Q");
        tm_set(&Q, 2, 2, 1.0);
        tm_set(&o.A, 0, 1, NAN);
        assert_status(fns[k](&o.A.m, &Q.m, &XL.m), MF_ENONFINITE);
        tm_set(&o.A, 0, 1, 1.0);
    }
    for (int i = 0; i < 3; i++) {
        assert_true(tm_unchanged(outs[i], snaps[i]));
        free(snaps[i]);
    }
    coupled_operands_free(&o);
    tm_free(&Q);
    tm_free(&Qz);
    tm_free(&XL);
}

/* ---------- allocation failure ---------- */

typedef struct sweep_ctx {
    tm *A, *B, *C, *X;
    int which;
} sweep_ctx;

static mf_status call_under_test(void *p) {
    sweep_ctx *c = p;
    switch (c->which) {
    case 0: return mf_sylvester(&c->A->m, &c->B->m, &c->C->m, &c->X->m);
    case 1: return mf_lyapunov(&c->A->m, &c->C->m, &c->X->m);
    default: return mf_lyapunov_discrete(&c->A->m, &c->C->m, &c->X->m);
    }
}

static void test_allocation_failures(void **state) {
    (void)state;
    trng r = trng_new(307);
    for (int dt = MF_F64; dt <= MF_C128; dt++)
        for (int which = 0; which < 3; which++) {
            tm A = random_tm(5, 5, dt, TL_ROWMAJOR, &r, NULL), B = random_tm(5, 5, dt, TL_STRIDED, &r, NULL),
               C = random_tm(5, 5, dt, TL_COLMAJOR, &r, NULL), X = tm_new(5, 5, dt, TL_PADDED_ROW);
            if (which == 2) { /* spectral radius below 1 */
                for (int i = 0; i < 5; i++)
                    for (int j = 0; j < 5; j++)
                        tm_set(&A, i, j, 0.2 * tm_get(&A, i, j));
            }
            sweep_ctx c = {&A, &B, &C, &X, which};
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
        cmocka_unit_test(test_sylvester_residual_all_layouts),
        cmocka_unit_test(test_sylvester_blocked_sizes),
        cmocka_unit_test(test_sylvester_recovers_known_solution),
        cmocka_unit_test(test_sylvester_singular),
        cmocka_unit_test(test_sylvester_lapack_perturbation_and_scaling),
        cmocka_unit_test(test_lyapunov_all_layouts),
        cmocka_unit_test(test_lyapunov_sign_convention),
        cmocka_unit_test(test_lyapunov_singular_and_overflow),
        cmocka_unit_test(test_error_paths),
        cmocka_unit_test(test_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
