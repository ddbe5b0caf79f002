/* General functions of Kronecker products and sums: mf_kron_funm,
 * mf_kronsum_funm (formed) and mf_kron_funm_matmul, mf_kronsum_funm_matmul
 * (applied to blocks). Checked against mf_funm of the explicitly formed
 * A ⊗ B or A ⊕ B for normal factors (Hermitian, skew-symmetric,
 * orthogonal, complex normal), non-normal ones and mixtures, so that each
 * of the three routes (kron_funm.h) runs, over every layout and dtype
 * combination, in place, on empty shapes, on every error path and under
 * allocation failure. */
#include "test_kron_common.h"

#include "kron/kron_funm.h"

typedef enum op { OP_KRON, OP_KRONSUM } op;

/* ---------- factors ---------- */

typedef enum fkind {
    K_HERMITIAN, /* exactly Hermitian (symmetric): mf_eigh */
    K_SKEW,      /* skew-Hermitian: normal, eigenvalues on the imaginary axis */
    K_UNITARY,   /* orthogonal / unitary: normal, eigenvalues on the unit circle */
    K_NORMAL,    /* Q diag(d) Q^H, d complex (real pairs for real data) */
    K_GENERAL,   /* random, non-normal */
    K_SPD,       /* Hermitian positive definite, eigenvalues in [1, 2] */
    K_SHIFTED,   /* 2 I + small non-normal part: eigenvalues near 2 */
} fkind;

/* q diag(d) q^H */
static tz *unitary_similarity(int64_t n, const tz *q, const tz *d) {
    tz *qd = tz_alloc(n * n), *qh = tz_conj_transpose(n, n, q), *out = tz_alloc(n * n);
    for (int64_t j = 0; j < n; j++)
        for (int64_t i = 0; i < n; i++)
            qd[i + j * n] = q[i + j * n] * d[j];
    tz_matmul(n, n, n, qd, qh, out);
    free(qd);
    free(qh);
    return out;
}

/* Real normal matrix with eigenvalues a_k +- i b_k: Q blockdiag([a b; -b a]) Q^T. */
static tz *real_normal(int64_t n, trng *r) {
    tz *q = tz_random_orthonormal(n, n, false, r), *d = tz_alloc(n * n), *t = tz_alloc(n * n),
       *out = tz_alloc(n * n);
    tz *qt = tz_conj_transpose(n, n, q);
    for (int64_t k = 0; k + 1 < n; k += 2) {
        const double a = trng_normal(r), b = 0.5 + trng_uniform(r);
        d[k + k * n] = d[k + 1 + (k + 1) * n] = a;
        d[k + (k + 1) * n] = b;
        d[k + 1 + k * n] = -b;
    }
    if (n % 2)
        d[n * n - 1] = trng_normal(r);
    tz_matmul(n, n, n, q, d, t);
    tz_matmul(n, n, n, t, qt, out);
    free(q);
    free(d);
    free(qt);
    free(t);
    return out;
}

/* a := (a + a^H) / 2: exactly Hermitian, as mf__is_hermitian requires. */
static void make_hermitian(int64_t n, tz *a) {
    for (int64_t j = 0; j < n; j++)
        for (int64_t i = 0; i <= j; i++) {
            const tz v = 0.5 * (a[i + j * n] + conj(a[j + i * n]));
            a[i + j * n] = v;
            a[j + i * n] = conj(v);
        }
}

/* A dense n x n factor of the given kind, complex entries when cplx. */
static tz *make_factor(fkind kind, int64_t n, bool cplx, trng *r) {
    if (kind == K_NORMAL && !cplx)
        return real_normal(n, r);
    if (kind == K_UNITARY || kind == K_NORMAL || kind == K_SPD) {
        tz *g = tz_random_orthonormal(n, n, cplx, r);
        if (kind == K_UNITARY)
            return g;
        tz *d = tz_alloc(n);
        for (int64_t i = 0; i < n; i++)
            d[i] = kind == K_SPD ? 1.0 + trng_uniform(r) : CMPLX(trng_normal(r), trng_normal(r));
        tz *out = unitary_similarity(n, g, d);
        if (kind == K_SPD)
            make_hermitian(n, out);
        free(g);
        free(d);
        return out;
    }
    const double s = 1.0 / sqrt((double)(n > 0 ? n : 1));
    tz *g = tz_random(n, n, cplx, r), *out = tz_alloc(n * n);
    for (int64_t j = 0; j < n; j++)
        for (int64_t i = 0; i < n; i++) {
            const tz gij = g[i + j * n] * s;
            out[i + j * n] = kind == K_SHIFTED ? 0.3 * gij + (i == j ? 2.0 : 0.0) : gij;
        }
    if (kind == K_HERMITIAN)
        make_hermitian(n, out);
    if (kind == K_SKEW) /* (G - G^H) / 2 */
        for (int64_t j = 0; j < n; j++)
            for (int64_t i = 0; i <= j; i++) {
                const tz v = 0.5 * (out[i + j * n] - conj(out[j + i * n]));
                out[i + j * n] = v;
                out[j + i * n] = -conj(v);
            }
    free(g);
    return out;
}

static bool kind_is_normal(fkind k) {
    return k != K_GENERAL && k != K_SHIFTED;
}

/* The route a pair of factors must take (a 1 x 1 factor is normal). */
static mf__kf_route expected_route(fkind ka, int64_t m, fkind kb, int64_t p) {
    const bool na = kind_is_normal(ka) || m <= 1, nb = kind_is_normal(kb) || p <= 1;
    return na && nb ? MF__KF_EIGEN : na || nb ? MF__KF_BLOCKS : MF__KF_SCHUR;
}

/* ---------- references and calls ---------- */

static tz *formed_operator(op o, int64_t m, const tz *a, int64_t p, const tz *b) {
    return o == OP_KRON ? ref_kron(m, m, a, p, p, b) : ref_kronsum(m, a, p, b);
}

/* f(K) by mf_funm of the formed (m p) x (m p) operator: the reference. */
static tz *ref_funm(op o, int64_t m, const tz *a, int64_t p, const tz *b, mf_scalar_fn f) {
    const int64_t N = m * p;
    tz *k = formed_operator(o, m, a, p, b);
    tm K = tm_new(N, N, MF_C128, TL_COLMAJOR), F = tm_new(N, N, MF_C128, TL_COLMAJOR);
    tm_from_dense(&K, k);
    assert_ok(mf_funm(&K.m, f, NULL, &F.m));
    tz *out = tm_to_dense(&F);
    free(k);
    tm_free(&K);
    tm_free(&F);
    return out;
}

static mf_status formed_call(op o, const mf_matrix *A, const mf_matrix *B, mf_scalar_fn f,
                             void *ctx, mf_matrix *F) {
    return o == OP_KRON ? mf_kron_funm(A, B, f, ctx, F) : mf_kronsum_funm(A, B, f, ctx, F);
}

static mf_status applied_call(op o, const mf_matrix *A, const mf_matrix *B, mf_scalar_fn f,
                              void *ctx, const mf_matrix *X, mf_matrix *Y) {
    return o == OP_KRON ? mf_kron_funm_matmul(A, B, f, ctx, X, Y)
                        : mf_kronsum_funm_matmul(A, B, f, ctx, X, Y);
}

/* Both sides are backward stable Schur-based (or eigen) evaluations of a
 * well-conditioned f on factors of norm about 1 (or 2): a modest multiple
 * of N u relative. */
static double funm_tol(int64_t N) {
    return 100.0 * (double)(N + 1) * TEST_U;
}

/* Largest error ratio seen, err / (N u |F|), printed at the end. */
static double worst_ratio;

static void record(double err, int64_t N, double scale) {
    const double ratio = err / ((double)(N + 1) * TEST_U * scale);
    worst_ratio = ratio > worst_ratio ? ratio : worst_ratio;
}

/* ---------- one case ---------- */

typedef struct fcase {
    op o;
    fkind ka, kb;
    int64_t m, p, r;   /* r = 0: the formed function; else blocks of X */
    const int32_t *dt; /* {A, B, output}; X has A's dtype */
    int lay;
    mf_scalar_fn f;
} fcase;

static void run_case(const fcase *c, trng *rng) {
    const int64_t m = c->m, p = c->p, N = m * p, cols = m * (c->r > 0 ? c->r : 1);
    tz *a = make_factor(c->ka, m, c->dt[0] == MF_C128, rng);
    tz *b = make_factor(c->kb, p, c->dt[1] == MF_C128, rng);
    tm A = tm_new(m, m, c->dt[0], (tlayout)c->lay);
    tm B = tm_new(p, p, c->dt[1], (tlayout)((c->lay + 1) % TL_COUNT));
    tm_from_dense(&A, a);
    tm_from_dense(&B, b);
    tz *x = NULL;
    tm X = random_tm(p, cols, c->dt[0], (tlayout)((c->lay + 3) % TL_COUNT), rng, &x);
    tm Out = c->r > 0 ? tm_new(p, cols, c->dt[2], (tlayout)((c->lay + 2) % TL_COUNT))
                      : tm_new(N, N, c->dt[2], (tlayout)((c->lay + 2) % TL_COUNT));
    double *sa = tm_snapshot(&A), *sb = tm_snapshot(&B), *sx = tm_snapshot(&X);
    if (c->r > 0)
        assert_ok(applied_call(c->o, &A.m, &B.m, c->f, NULL, &X.m, &Out.m));
    else
        assert_ok(formed_call(c->o, &A.m, &B.m, c->f, NULL, &Out.m));
    assert_true(tm_unchanged(&A, sa) && tm_unchanged(&B, sb) && tm_unchanged(&X, sx));
    assert_true(tm_padding_intact(&Out));
    if (N > 0) {
        if ((int)mf__kf_last_route != (int)expected_route(c->ka, m, c->kb, p))
            fail_msg("kinds %d, %d (m = %lld, p = %lld): route %d, expected %d", c->ka, c->kb,
                     (long long)m, (long long)p, (int)mf__kf_last_route,
                     (int)expected_route(c->ka, m, c->kb, p));
        tz *want = ref_funm(c->o, m, a, p, b, c->f), *got = tm_to_dense(&Out);
        if (c->r > 0) { /* vec(Y_k) = f(K) vec(X_k): the blocks are the columns of an N x r x */
            tz *fx = tz_alloc(N * c->r);
            tz_matmul(N, N, c->r, want, x, fx);
            const double scale = tz_norm_fro(N, N, want) * tz_norm_fro(N, c->r, x);
            const double err = tz_diff_fro(N, c->r, got, fx);
            record(err, N, scale);
            assert_le(err, funm_tol(N) * scale);
            free(fx);
        } else {
            const double scale = tz_norm_fro(N, N, want), err = tz_diff_fro(N, N, got, want);
            record(err, N, scale);
            assert_le(err, funm_tol(N) * scale);
        }
        free(want);
        free(got);
    }
    free(sa);
    free(sb);
    free(sx);
    free(a);
    free(b);
    free(x);
    tm_free(&A);
    tm_free(&B);
    tm_free(&X);
    tm_free(&Out);
}

/* Factor kinds covering the routes: EIGEN (first three), BLOCKS with the
 * normal factor A or B, SCHUR. */
static const fkind route_pairs[][2] = {
    {K_HERMITIAN, K_SKEW}, {K_UNITARY, K_NORMAL},  {K_NORMAL, K_HERMITIAN},
    {K_SKEW, K_GENERAL},   {K_GENERAL, K_UNITARY}, {K_GENERAL, K_GENERAL},
};
static const int64_t small_sizes[][2] = {{1, 1}, {1, 4}, {3, 1}, {2, 3}, {4, 5}, {5, 2}};

/* Every route, size, dtype combination and layout, exp and cos; r = 0 for
 * the formed function, else r blocks. */
static void sweep_routes(int64_t r_max, uint64_t seed) {
    trng rng = trng_new(seed);
    mf_scalar_fn fns[] = {mf_scalar_exp, mf_scalar_cos};
    int count = 0;
    for (int o = OP_KRON; o <= OP_KRONSUM; o++)
        for (size_t d = 0; d < N_DTYPE_CASES; d++)
            for (size_t k = 0; k < sizeof route_pairs / sizeof route_pairs[0]; k++)
                for (size_t s = 0; s < sizeof small_sizes / sizeof small_sizes[0]; s++)
                    for (int fi = 0; fi < 2; fi++, count++) {
                        const fcase c = {(op)o,
                                         route_pairs[k][0],
                                         route_pairs[k][1],
                                         small_sizes[s][0],
                                         small_sizes[s][1],
                                         r_max > 0 ? 1 + count % r_max : 0,
                                         dtype_cases[d],
                                         count % TL_COUNT,
                                         fns[fi]};
                        run_case(&c, &rng);
                    }
}

static void test_formed_against_funm(void **state) {
    (void)state;
    sweep_routes(0, 401);
}

static void test_applied_against_funm(void **state) {
    (void)state;
    sweep_routes(3, 402);
}

/* sqrt and log on positive spectra (SPD factors, and 2 I + small
 * non-normal parts whose products and sums cluster near 4: Taylor blocks
 * in the triangular routes). */
static void test_sqrt_log_positive_spectra(void **state) {
    (void)state;
    trng rng = trng_new(403);
    const fkind pairs[][2] = {
        {K_SPD, K_SPD}, {K_SPD, K_SHIFTED}, {K_SHIFTED, K_SPD}, {K_SHIFTED, K_SHIFTED}};
    const int64_t sizes[][2] = {{2, 3}, {3, 3}, {4, 2}};
    mf_scalar_fn fns[] = {mf_scalar_sqrt, mf_scalar_log};
    int count = 0;
    for (int o = OP_KRON; o <= OP_KRONSUM; o++)
        for (size_t d = 0; d < N_DTYPE_CASES; d++)
            for (size_t k = 0; k < 4; k++)
                for (size_t s = 0; s < 3; s++)
                    for (int fi = 0; fi < 2; fi++, count++) {
                        const fcase c = {(op)o,          pairs[k][0],      pairs[k][1],
                                         sizes[s][0],    sizes[s][1],      count % 3,
                                         dtype_cases[d], count % TL_COUNT, fns[fi]};
                        run_case(&c, &rng);
                    }
}

/* A ∘ A has repeated eigenvalues (λ_i λ_j = λ_j λ_i, λ_i + λ_j = λ_j + λ_i):
 * clusters for the triangular route, plain repeats for the eigen route. */
static void test_repeated_eigenvalues(void **state) {
    (void)state;
    trng rng = trng_new(404);
    const fkind kinds[] = {K_GENERAL, K_HERMITIAN, K_NORMAL};
    for (int o = OP_KRON; o <= OP_KRONSUM; o++)
        for (int k = 0; k < 3; k++)
            for (int dt = MF_F64; dt <= MF_C128; dt++) {
                const int64_t n = 4, N = 16;
                tz *a = make_factor(kinds[k], n, dt == MF_C128, &rng);
                tm A = tm_new(n, n, dt, TL_STRIDED), F = tm_new(N, N, dt, TL_PADDED_ROW);
                tm_from_dense(&A, a);
                assert_ok(formed_call((op)o, &A.m, &A.m, mf_scalar_cos, NULL, &F.m));
                tz *want = ref_funm((op)o, n, a, n, a, mf_scalar_cos), *got = tm_to_dense(&F);
                assert_le(tz_diff_fro(N, N, got, want), funm_tol(N) * tz_norm_fro(N, N, want));
                free(a);
                free(want);
                free(got);
                tm_free(&A);
                tm_free(&F);
            }
}

/* f = exp on a Kronecker sum: the same as mf_kronsum_expm (exp(A) ⊗ exp(B),
 * a different algorithm), formed and applied, for every route. */
static void test_kronsum_exp_matches_kronsum_expm(void **state) {
    (void)state;
    trng rng = trng_new(405);
    for (size_t k = 0; k < sizeof route_pairs / sizeof route_pairs[0]; k++)
        for (int dt = MF_F64; dt <= MF_C128; dt++) {
            const int64_t m = 3, p = 4, N = 12;
            tz *a = make_factor(route_pairs[k][0], m, dt == MF_C128, &rng);
            tz *b = make_factor(route_pairs[k][1], p, dt == MF_C128, &rng);
            tm A = tm_new(m, m, dt, TL_COLMAJOR), B = tm_new(p, p, dt, TL_ROWMAJOR),
               F = tm_new(N, N, dt, TL_COLMAJOR), E = tm_new(N, N, dt, TL_COLMAJOR),
               X = random_tm(p, m, dt, TL_STRIDED, &rng, NULL), Y = tm_new(p, m, dt, TL_COLMAJOR),
               Z = tm_new(p, m, dt, TL_COLMAJOR);
            tm_from_dense(&A, a);
            tm_from_dense(&B, b);
            assert_ok(mf_kronsum_funm(&A.m, &B.m, mf_scalar_exp, NULL, &F.m));
            assert_ok(mf_kronsum_expm(&A.m, &B.m, &E.m));
            tz *f = tm_to_dense(&F), *e = tm_to_dense(&E);
            assert_le(tz_diff_fro(N, N, f, e), funm_tol(N) * tz_norm_fro(N, N, e));
            assert_ok(mf_kronsum_funm_matmul(&A.m, &B.m, mf_scalar_exp, NULL, &X.m, &Y.m));
            assert_ok(mf_kronsum_expm_matmul(&A.m, &B.m, &X.m, &Z.m));
            tz *y = tm_to_dense(&Y), *z = tm_to_dense(&Z), *x = tm_to_dense(&X);
            assert_le(tz_diff_fro(p, m, y, z),
                      funm_tol(N) * tz_norm_fro(N, N, e) * tz_norm_fro(p, m, x));
            free(a);
            free(b);
            free(f);
            free(e);
            free(x);
            free(y);
            free(z);
            tm *all[] = {&A, &B, &F, &E, &X, &Y, &Z};
            for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
                tm_free(all[i]);
        }
}

/* ---------- how f is called ---------- */

typedef struct counter {
    int calls, max_order;
    int64_t points;
    int fail_at; /* return nonzero on this call (1-based); 0: never */
    bool nan;    /* return NaN values instead */
} counter;

static int counted_exp(int64_t npts, const double *z, int order, double *out, void *ctx) {
    counter *c = ctx;
    c->calls++;
    c->points += npts;
    c->max_order = order > c->max_order ? order : c->max_order;
    if (c->fail_at > 0 && c->calls >= c->fail_at)
        return 7;
    const int rc = mf_scalar_exp(npts, z, order, out, NULL);
    if (c->nan && npts > 0)
        out[0] = NAN;
    return rc;
}

/* Normal factors: a single call of f at the m p combined eigenvalues, order
 * 0 only (one-sided normality runs Schur-Parlett per block instead). */
static void test_eigen_route_calls_f_once(void **state) {
    (void)state;
    trng rng = trng_new(406);
    for (int o = OP_KRON; o <= OP_KRONSUM; o++) {
        tz *a = make_factor(K_UNITARY, 5, false, &rng), *b = make_factor(K_SKEW, 4, false, &rng);
        tm A = tm_new(5, 5, MF_F64, TL_COLMAJOR), B = tm_new(4, 4, MF_F64, TL_COLMAJOR),
           F = tm_new(20, 20, MF_F64, TL_COLMAJOR),
           X = random_tm(4, 10, MF_F64, TL_COLMAJOR, &rng, NULL),
           Y = tm_new(4, 10, MF_F64, TL_COLMAJOR);
        tm_from_dense(&A, a);
        tm_from_dense(&B, b);
        counter c = {0};
        assert_ok(formed_call((op)o, &A.m, &B.m, counted_exp, &c, &F.m));
        assert_int_equal(c.calls, 1);
        assert_int_equal(c.points, 20);
        assert_int_equal(c.max_order, 0);
        counter c2 = {0};
        assert_ok(applied_call((op)o, &A.m, &B.m, counted_exp, &c2, &X.m, &Y.m));
        assert_int_equal(c2.calls, 1);
        assert_int_equal(c2.points, 20);
        free(a);
        free(b);
        tm *all[] = {&A, &B, &F, &X, &Y};
        for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
            tm_free(all[i]);
    }
}

/* A departure from normality far above rounding (1e-8 relative) is not
 * taken as normal; rounding-level asymmetry of a normal matrix is. */
static void test_normality_threshold(void **state) {
    (void)state;
    trng rng = trng_new(407);
    const int64_t n = 6;
    tz *q = make_factor(K_UNITARY, n, true, &rng), *d = tz_alloc(n);
    for (int64_t i = 0; i < n; i++)
        d[i] = CMPLX(trng_normal(&rng), trng_normal(&rng));
    tz *a = unitary_similarity(n, q, d); /* normal up to rounding, not Hermitian */
    tm A = tm_new(n, n, MF_C128, TL_COLMAJOR), B = tm_new(1, 1, MF_C128, TL_COLMAJOR),
       F = tm_new(n, n, MF_C128, TL_COLMAJOR);
    tm_from_dense(&A, a);
    tm_fill(&B, 1.0);
    tm_fill(&F, 0.0);
    assert_ok(mf_kron_funm(&A.m, &B.m, mf_scalar_exp, NULL, &F.m));
    assert_int_equal(mf__kf_last_route, MF__KF_EIGEN);
    tm_set(&A, 0, n - 1, tm_get(&A, 0, n - 1) + 1e-8);
    tm_set(&B, 0, 0, 0.5); /* make B's 1 x 1 the outer factor: BLOCKS, swapped */
    assert_ok(mf_kron_funm(&A.m, &B.m, mf_scalar_exp, NULL, &F.m));
    assert_int_equal(mf__kf_last_route, MF__KF_BLOCKS);
    free(q);
    free(d);
    free(a);
    tm_free(&A);
    tm_free(&B);
    tm_free(&F);
}

/* ---------- in place, empty ---------- */

/* F may be A itself when p = 1, or B itself when m = 1; Y may be X. */
static void test_in_place(void **state) {
    (void)state;
    trng rng = trng_new(408);
    const fkind kinds[] = {K_GENERAL, K_HERMITIAN};
    for (int o = OP_KRON; o <= OP_KRONSUM; o++)
        for (int dt = MF_F64; dt <= MF_C128; dt++)
            for (int k = 0; k < 2; k++) {
                tz *a = make_factor(kinds[k], 4, dt == MF_C128, &rng);
                tz *s = make_factor(K_GENERAL, 1, dt == MF_C128, &rng);
                tm A = tm_new(4, 4, dt, TL_PADDED_COL), S = tm_new(1, 1, dt, TL_COLMAJOR);
                tm_from_dense(&A, a);
                tm_from_dense(&S, s);
                tz *want = ref_funm((op)o, 4, a, 1, s, mf_scalar_cos);
                assert_ok(formed_call((op)o, &A.m, &S.m, mf_scalar_cos, NULL, &A.m));
                assert_true(tm_padding_intact(&A));
                tz *got = tm_to_dense(&A);
                assert_le(tz_diff_fro(4, 4, got, want), funm_tol(4) * tz_norm_fro(4, 4, want));
                free(got);
                free(want);
                tm_from_dense(&A, a);
                want = ref_funm((op)o, 1, s, 4, a, mf_scalar_cos);
                assert_ok(formed_call((op)o, &S.m, &A.m, mf_scalar_cos, NULL, &A.m));
                got = tm_to_dense(&A);
                assert_le(tz_diff_fro(4, 4, got, want), funm_tol(4) * tz_norm_fro(4, 4, want));
                free(got);
                free(want);
                free(a);
                free(s);
                tm_free(&A);
                tm_free(&S);
            }
    for (size_t k = 0; k < sizeof route_pairs / sizeof route_pairs[0]; k++)
        for (int dt = MF_F64; dt <= MF_C128; dt++) {
            tz *a = make_factor(route_pairs[k][0], 3, dt == MF_C128, &rng), *x;
            tz *b = make_factor(route_pairs[k][1], 2, dt == MF_C128, &rng);
            tm A = tm_new(3, 3, dt, TL_ROWMAJOR), B = tm_new(2, 2, dt, TL_COLMAJOR),
               X = random_tm(2, 6, dt, (tlayout)(k % TL_COUNT), &rng, &x);
            tm_from_dense(&A, a);
            tm_from_dense(&B, b);
            tz *f = ref_funm(OP_KRONSUM, 3, a, 2, b, mf_scalar_sin), *want = tz_alloc(12);
            tz_matmul(6, 6, 2, f, x, want);
            assert_ok(mf_kronsum_funm_matmul(&A.m, &B.m, mf_scalar_sin, NULL, &X.m, &X.m));
            assert_true(tm_padding_intact(&X));
            tz *got = tm_to_dense(&X);
            assert_le(tz_diff_fro(2, 6, got, want),
                      funm_tol(6) * tz_norm_fro(6, 6, f) * tz_norm_fro(2, 6, x));
            free(a);
            free(b);
            free(x);
            free(f);
            free(want);
            free(got);
            tm_free(&A);
            tm_free(&B);
            tm_free(&X);
        }
}

/* Empty operators and empty blocks succeed without calling f. */
static void test_empty(void **state) {
    (void)state;
    const int64_t shapes[][3] = {{0, 3, 1}, {3, 0, 1}, {0, 0, 1}, {2, 3, 0}};
    for (int o = OP_KRON; o <= OP_KRONSUM; o++)
        for (size_t s = 0; s < 4; s++) {
            const int64_t m = shapes[s][0], p = shapes[s][1], r = shapes[s][2];
            tm A = tm_new(m, m, MF_F64, TL_COLMAJOR), B = tm_new(p, p, MF_F64, TL_COLMAJOR),
               F = tm_new(m * p, m * p, MF_F64, TL_COLMAJOR),
               X = tm_new(p, m * r, MF_F64, TL_COLMAJOR),
               Y = tm_new(p, m * r, MF_C128, TL_COLMAJOR);
            tm_fill(&A, 1.0);
            tm_fill(&B, 1.0);
            tm_fill(&X, 1.0);
            counter c = {0};
            assert_ok(formed_call((op)o, &A.m, &B.m, counted_exp, &c, &F.m));
            assert_ok(applied_call((op)o, &A.m, &B.m, counted_exp, &c, &X.m, &Y.m));
            if (m * p == 0)
                assert_int_equal(c.calls, 0);
            assert_true(tm_padding_intact(&F) && tm_padding_intact(&Y));
            tm *all[] = {&A, &B, &F, &X, &Y};
            for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
                tm_free(all[i]);
        }
}

/* ---------- real and complex results ---------- */

/* The operator has a negative eigenvalue, so log of it is complex: F64
 * outputs are refused (untouched), C128 outputs hold the complex result.
 * Real A ⊗ B and A ⊕ B through each route. */
static void test_not_real(void **state) {
    (void)state;
    trng rng = trng_new(409);
    /* {A, B} dense 2 x 2: symmetric (EIGEN), non-normal (the others) */
    const tz sym_neg[4] = {-5.0, 0.5, 0.5, 2.0}, sym_pos[4] = {3.0, 0.2, 0.2, 2.0};
    const tz up_neg[4] = {-5.0, 0.0, 4.0, 2.0}, up_pos[4] = {3.0, 0.0, 5.0, 2.5};
    const tz *pairs[][2] = {
        {sym_neg, sym_pos}, {up_neg, sym_pos}, {sym_pos, up_neg}, {up_neg, up_pos}};
    for (int o = OP_KRON; o <= OP_KRONSUM; o++)
        for (int k = 0; k < 4; k++) {
            tm A = tm_new(2, 2, MF_F64, TL_COLMAJOR), B = tm_new(2, 2, MF_F64, TL_ROWMAJOR),
               F = tm_new(4, 4, MF_F64, TL_PADDED_COL), Fz = tm_new(4, 4, MF_C128, TL_COLMAJOR),
               X = random_tm(2, 2, MF_F64, TL_COLMAJOR, &rng, NULL),
               Y = tm_new(2, 2, MF_F64, TL_COLMAJOR), Yz = tm_new(2, 2, MF_C128, TL_COLMAJOR);
            tm_from_dense(&A, pairs[k][0]);
            tm_from_dense(&B, pairs[k][1]);
            double *sf = tm_snapshot(&F), *sy = tm_snapshot(&Y);
            assert_status(formed_call((op)o, &A.m, &B.m, mf_scalar_log, NULL, &F.m), MF_ENOTREAL);
            assert_last_error_mentions("not real");
            assert_status(applied_call((op)o, &A.m, &B.m, mf_scalar_log, NULL, &X.m, &Y.m),
                          MF_ENOTREAL);
            assert_last_error_mentions("not real");
            assert_true(tm_unchanged(&F, sf) && tm_unchanged(&Y, sy));
            assert_ok(formed_call((op)o, &A.m, &B.m, mf_scalar_log, NULL, &Fz.m));
            assert_ok(applied_call((op)o, &A.m, &B.m, mf_scalar_log, NULL, &X.m, &Yz.m));
            tz *fz = tm_to_dense(&Fz),
               *want = ref_funm((op)o, 2, pairs[k][0], 2, pairs[k][1], mf_scalar_log);
            assert_le(tz_diff_fro(4, 4, fz, want), funm_tol(4) * tz_norm_fro(4, 4, want));
            assert_false(tz_is_real(16, fz));
            free(fz);
            free(want);
            free(sf);
            free(sy);
            tm *all[] = {&A, &B, &F, &Fz, &X, &Y, &Yz};
            for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
                tm_free(all[i]);
        }
}

/* The applied result is judged real at the operator's scale, not its own:
 * X in the eigenspace of a strongly damped pair (eigenvalues -30 +- i of a
 * real normal A = Q D Q^T, Q a random rotation) gives Y about e^-30 X,
 * whose rounding-level imaginary part (from the other, undamped pair) is
 * about u relative to ||exp(A)|| ||X|| but 1e-3 relative to ||Y||. */
static void test_applied_real_with_cancellation(void **state) {
    (void)state;
    trng rng = trng_new(413);
    const tz d[16] = {-30.0, -1.0, 0.0, 0.0,  1.0, -30.0, 0.0, 0.0,
                      0.0,   0.0,  0.0, -1.0, 0.0, 0.0,   1.0, 0.0};
    tz *q = make_factor(K_UNITARY, 4, false, &rng), *qt = tz_conj_transpose(4, 4, q);
    tz *qd = tz_alloc(16), *a = tz_alloc(16);
    tz_matmul(4, 4, 4, q, d, qd);
    tz_matmul(4, 4, 4, qd, qt, a);
    const tz b[1] = {1.0};
    tm A = tm_new(4, 4, MF_F64, TL_COLMAJOR), B = tm_new(1, 1, MF_F64, TL_COLMAJOR),
       X = tm_new(1, 4, MF_F64, TL_COLMAJOR), Y = tm_new(1, 4, MF_F64, TL_COLMAJOR);
    tm_from_dense(&A, a);
    tm_from_dense(&B, b);
    tm_from_dense(&X, q); /* the first column of Q */
    assert_ok(mf_kron_funm_matmul(&A.m, &B.m, mf_scalar_exp, NULL, &X.m, &Y.m));
    assert_int_equal(mf__kf_last_route, MF__KF_EIGEN);
    tz *want = ref_funm(OP_KRON, 4, a, 1, b, mf_scalar_exp), *fx = tz_alloc(4),
       *y = tm_to_dense(&Y);
    tz_matmul(4, 4, 1, want, q, fx);
    assert_le(tz_diff_fro(4, 1, y, fx), funm_tol(4) * tz_norm_fro(4, 4, want));
    assert_le(tz_norm_fro(4, 1, y), 1e-12); /* e^-30 |X|: the cancellation is real */
    free(q);
    free(qt);
    free(qd);
    free(a);
    free(want);
    free(fx);
    free(y);
    tm_free(&A);
    tm_free(&B);
    tm_free(&X);
    tm_free(&Y);
}

/* ---------- errors ---------- */

typedef struct err_args {
    tm A, B, F, X, Y;
} err_args;

static void check_both_ops(const err_args *e, mf_scalar_fn f, void *ctx, mf_status want_formed,
                           mf_status want_applied, const char *msg) {
    for (int o = OP_KRON; o <= OP_KRONSUM; o++) {
        assert_status(formed_call((op)o, &e->A.m, &e->B.m, f, ctx, (mf_matrix *)&e->F.m),
                      want_formed);
        if (msg != NULL)
            assert_last_error_mentions(msg);
        assert_status(applied_call((op)o, &e->A.m, &e->B.m, f, ctx, &e->X.m, (mf_matrix *)&e->Y.m),
                      want_applied);
        if (msg != NULL)
            assert_last_error_mentions(msg);
    }
}

static void test_argument_errors(void **state) {
    (void)state;
    trng r = trng_new(410);
    tm A = random_tm(2, 2, MF_F64, TL_COLMAJOR, &r, NULL),
       B = random_tm(3, 3, MF_F64, TL_ROWMAJOR, &r, NULL),
       Ans = random_tm(2, 3, MF_F64, TL_COLMAJOR, &r, NULL),
       Bz = random_tm(3, 3, MF_C128, TL_COLMAJOR, &r, NULL), F = tm_new(6, 6, MF_F64, TL_COLMAJOR),
       Fbad = tm_new(6, 5, MF_F64, TL_COLMAJOR), X = random_tm(3, 4, MF_F64, TL_COLMAJOR, &r, NULL),
       Xbad = random_tm(3, 3, MF_F64, TL_COLMAJOR, &r, NULL),
       Xz = random_tm(3, 4, MF_C128, TL_COLMAJOR, &r, NULL),
       Y = tm_new(3, 4, MF_F64, TL_PADDED_COL), Ybad = tm_new(3, 2, MF_F64, TL_COLMAJOR),
       big = random_tm(12, 12, MF_F64, TL_COLMAJOR, &r, NULL);
    tm *outs[] = {&F, &Fbad, &Y, &Ybad};
    double *snaps[4];
    for (int i = 0; i < 4; i++)
        snaps[i] = tm_snapshot(outs[i]);
    mf_scalar_fn f = mf_scalar_exp;
    for (int o = OP_KRON; o <= OP_KRONSUM; o++) {
        const op w = (op)o;
        assert_status(formed_call(w, NULL, &B.m, f, NULL, &F.m), MF_EINVAL);
        assert_status(formed_call(w, &A.m, NULL, f, NULL, &F.m), MF_EINVAL);
        assert_status(formed_call(w, &A.m, &B.m, NULL, NULL, &F.m), MF_EINVAL);
        assert_last_error_mentions("argument f");
        assert_status(formed_call(w, &A.m, &B.m, f, NULL, NULL), MF_EINVAL);
        assert_last_error_mentions(w == OP_KRON ? "mf_kron_funm" : "mf_kronsum_funm");
        assert_status(formed_call(w, &Ans.m, &B.m, f, NULL, &F.m), MF_EDIM);
        assert_status(formed_call(w, &A.m, &Ans.m, f, NULL, &F.m), MF_EDIM);
        assert_status(formed_call(w, &A.m, &B.m, f, NULL, &Fbad.m), MF_EDIM);
        assert_status(formed_call(w, &A.m, &Bz.m, f, NULL, &F.m), MF_EDTYPE);

        assert_status(applied_call(w, NULL, &B.m, f, NULL, &X.m, &Y.m), MF_EINVAL);
        assert_status(applied_call(w, &A.m, NULL, f, NULL, &X.m, &Y.m), MF_EINVAL);
        assert_status(applied_call(w, &A.m, &B.m, NULL, NULL, &X.m, &Y.m), MF_EINVAL);
        assert_status(applied_call(w, &A.m, &B.m, f, NULL, NULL, &Y.m), MF_EINVAL);
        assert_status(applied_call(w, &A.m, &B.m, f, NULL, &X.m, NULL), MF_EINVAL);
        assert_last_error_mentions(w == OP_KRON ? "mf_kron_funm_matmul" : "mf_kronsum_funm_matmul");
        assert_status(applied_call(w, &Ans.m, &B.m, f, NULL, &X.m, &Y.m), MF_EDIM);
        assert_status(applied_call(w, &A.m, &B.m, f, NULL, &Xbad.m, &Y.m), MF_EDIM);
        assert_last_error_mentions("X is 3 x 3");
        assert_status(applied_call(w, &B.m, &A.m, f, NULL, &X.m, &Y.m), MF_EDIM); /* rows */
        assert_status(applied_call(w, &A.m, &B.m, f, NULL, &X.m, &Ybad.m), MF_EDIM);
        assert_status(applied_call(w, &A.m, &Bz.m, f, NULL, &X.m, &Y.m), MF_EDTYPE);
        assert_status(applied_call(w, &A.m, &B.m, f, NULL, &Xz.m, &Y.m), MF_EDTYPE);

        /* outputs over part of an input */
        mf_matrix as = big.m, fs = big.m, xs = big.m, ys = big.m;
        as.rows = as.cols = 2;
        fs.rows = fs.cols = 6;
        fs.data = (double *)big.m.data + 1;
        assert_status(formed_call(w, &as, &B.m, f, NULL, &fs), MF_EALIAS);
        xs.rows = ys.rows = 3;
        xs.cols = ys.cols = 4;
        ys.data = (double *)big.m.data + 1;
        assert_status(applied_call(w, &A.m, &B.m, f, NULL, &xs, &ys), MF_EALIAS);

        /* sizes beyond the 32-bit BLAS range: m p for the applied form,
         * (m p)^2 elements for the formed one (descriptors only) */
        mf_matrix h = {A.m.data, 65536, 65536, 1, 65536, MF_F64, 0};
        mf_matrix hf = {F.m.data, 65536, 65536, 1, 65536, MF_F64, 0};
        mf_matrix one = {A.m.data, 1, 1, 1, 1, MF_F64, 0};
        assert_status(formed_call(w, &h, &one, f, NULL, &hf), MF_EDIM);
        assert_last_error_mentions("element count");
        mf_matrix hx = {X.m.data, 65536, (int64_t)65536 * 65536, 1, 65536, MF_F64, 0};
        assert_status(applied_call(w, &h, &h, f, NULL, &hx, &hx), MF_EDIM);
        assert_last_error_mentions("operator's order");
    }
    /* non-finite inputs */
    tm_set(&B, 1, 2, NAN);
    err_args e = {A, B, F, X, Y};
    check_both_ops(&e, f, NULL, MF_ENONFINITE, MF_ENONFINITE, "argument B");
    tm_set(&B, 1, 2, 0.5);
    tm_set(&A, 0, 1, INFINITY);
    e.A = A;
    check_both_ops(&e, f, NULL, MF_ENONFINITE, MF_ENONFINITE, "argument A");
    tm_set(&A, 0, 1, 0.5);
    tm_set(&X, 2, 3, NAN);
    assert_status(mf_kron_funm_matmul(&A.m, &B.m, f, NULL, &X.m, &Y.m), MF_ENONFINITE);
    assert_last_error_mentions("argument X");
    assert_status(mf_kronsum_funm_matmul(&A.m, &B.m, f, NULL, &X.m, &Y.m), MF_ENONFINITE);

    for (int i = 0; i < 4; i++) {
        assert_true(tm_unchanged(outs[i], snaps[i]));
        free(snaps[i]);
    }
    tm *all[] = {&A, &B, &Ans, &Bz, &F, &Fbad, &X, &Xbad, &Xz, &Y, &Ybad, &big};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        tm_free(all[i]);
}

/* f failing (nonzero return: MF_ECALLBACK) or returning NaN
 * (MF_EDOMAIN), and log at a zero eigenvalue (MF_EDOMAIN), in each route;
 * outputs untouched. */
static void test_callback_errors(void **state) {
    (void)state;
    trng rng = trng_new(411);
    const tz zero_sym[4] = {1.0, 1.0, 1.0, 1.0}, zero_up[4] = {0.0, 0.0, 3.0, 1.0};
    for (size_t k = 0; k < sizeof route_pairs / sizeof route_pairs[0]; k++) {
        tz *a = make_factor(route_pairs[k][0], 2, false, &rng);
        tz *b = make_factor(route_pairs[k][1], 3, false, &rng);
        err_args e = {tm_new(2, 2, MF_F64, TL_COLMAJOR), tm_new(3, 3, MF_F64, TL_COLMAJOR),
                      tm_new(6, 6, MF_C128, TL_PADDED_ROW),
                      random_tm(3, 2, MF_F64, TL_COLMAJOR, &rng, NULL),
                      tm_new(3, 2, MF_C128, TL_PADDED_COL)};
        tm_from_dense(&e.A, a);
        tm_from_dense(&e.B, b);
        double *sf = tm_snapshot(&e.F), *sy = tm_snapshot(&e.Y);
        counter fail = {.fail_at = 1}, nan = {.nan = true};
        check_both_ops(&e, counted_exp, &fail, MF_ECALLBACK, MF_ECALLBACK, "returned 7");
        check_both_ops(&e, counted_exp, &nan, MF_EDOMAIN, MF_EDOMAIN, "not finite");
        /* a singular factor of the same normality: log(0) */
        tm_from_dense(&e.A, kind_is_normal(route_pairs[k][0]) ? zero_sym : zero_up);
        if (route_pairs[k][0] != K_SKEW) /* A ⊕ B with skew B may avoid 0: products only */
            for (int o = OP_KRON; o <= OP_KRON; o++) {
                assert_status(formed_call((op)o, &e.A.m, &e.B.m, mf_scalar_log, NULL, &e.F.m),
                              MF_EDOMAIN);
                assert_status(
                    applied_call((op)o, &e.A.m, &e.B.m, mf_scalar_log, NULL, &e.X.m, &e.Y.m),
                    MF_EDOMAIN);
            }
        assert_true(tm_unchanged(&e.F, sf) && tm_unchanged(&e.Y, sy));
        free(sf);
        free(sy);
        free(a);
        free(b);
        tm *all[] = {&e.A, &e.B, &e.F, &e.X, &e.Y};
        for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
            tm_free(all[i]);
    }
}

/* Results beyond the double range: the applied product (exp(700) times
 * 1e10) and a formed f(T) whose Parlett recurrence overflows
 * (t12 (e^700 - 1) / 700 with t12 = 1e10). */
static void test_overflow(void **state) {
    (void)state;
    tm a = tm_new(1, 1, MF_F64, TL_COLMAJOR), b = tm_new(1, 1, MF_F64, TL_COLMAJOR),
       x = tm_new(1, 1, MF_F64, TL_COLMAJOR), y = tm_new(1, 1, MF_F64, TL_COLMAJOR),
       A2 = tm_new(2, 2, MF_F64, TL_COLMAJOR), F2 = tm_new(2, 2, MF_F64, TL_COLMAJOR);
    tm_fill(&a, 700.0);
    tm_fill(&b, 0.0);
    tm_fill(&x, 1e10);
    const tz t[4] = {700.0, 0.0, 1e10, 0.0};
    tm_from_dense(&A2, t);
    double *sy = tm_snapshot(&y), *sf = tm_snapshot(&F2);
    assert_status(mf_kronsum_funm_matmul(&a.m, &b.m, mf_scalar_exp, NULL, &x.m, &y.m),
                  MF_EOVERFLOW);
    assert_last_error_mentions("beyond the double range");
    tm_fill(&b, 1.0);
    assert_status(mf_kron_funm(&A2.m, &b.m, mf_scalar_exp, NULL, &F2.m), MF_EOVERFLOW);
    assert_status(mf_kron_funm(&b.m, &A2.m, mf_scalar_exp, NULL, &F2.m), MF_EOVERFLOW);
    assert_true(tm_unchanged(&y, sy) && tm_unchanged(&F2, sf));
    free(sy);
    free(sf);
    tm *all[] = {&a, &b, &x, &y, &A2, &F2};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        tm_free(all[i]);
}

/* ---------- allocation failure sweeps ---------- */

typedef struct sweep_ctx {
    tm *A, *B, *X, *Y;
    op o;
} sweep_ctx;

static mf_status call_formed(void *p) {
    sweep_ctx *c = p;
    return formed_call(c->o, &c->A->m, &c->B->m, mf_scalar_cos, NULL, &c->Y->m);
}

static mf_status call_applied(void *p) {
    sweep_ctx *c = p;
    return applied_call(c->o, &c->A->m, &c->B->m, mf_scalar_cos, NULL, &c->X->m, &c->Y->m);
}

static void test_allocation_failures(void **state) {
    (void)state;
    trng rng = trng_new(412);
    for (size_t k = 0; k < sizeof route_pairs / sizeof route_pairs[0]; k++)
        for (int dt = MF_F64; dt <= MF_C128; dt++)
            for (int o = OP_KRON; o <= OP_KRONSUM; o++) {
                tz *a = make_factor(route_pairs[k][0], 3, dt == MF_C128, &rng);
                tz *b = make_factor(route_pairs[k][1], 4, dt == MF_C128, &rng);
                tm A = tm_new(3, 3, dt, TL_ROWMAJOR), B = tm_new(4, 4, dt, TL_STRIDED),
                   F = tm_new(12, 12, dt, TL_PADDED_COL),
                   X = random_tm(4, 6, dt, TL_COLMAJOR, &rng, NULL),
                   Y = tm_new(4, 6, dt, TL_PADDED_ROW);
                tm_from_dense(&A, a);
                tm_from_dense(&B, b);
                sweep_ctx c = {&A, &B, &X, &F, (op)o};
                tm *outs[] = {&F};
                assert_true(tsweep_alloc_failures(call_formed, &c, outs, 1) >= 4);
                sweep_ctx c2 = {&A, &B, &X, &Y, (op)o};
                tm *outs2[] = {&Y};
                assert_true(tsweep_alloc_failures(call_applied, &c2, outs2, 1) >= 4);
                free(a);
                free(b);
                tm *all[] = {&A, &B, &F, &X, &Y};
                for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
                    tm_free(all[i]);
            }
}

static int report_worst(void **state) {
    (void)state;
    print_message("largest error / ((N + 1) u |f|) over the comparisons: %.3g\n", worst_ratio);
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_formed_against_funm),
        cmocka_unit_test(test_applied_against_funm),
        cmocka_unit_test(test_sqrt_log_positive_spectra),
        cmocka_unit_test(test_repeated_eigenvalues),
        cmocka_unit_test(test_kronsum_exp_matches_kronsum_expm),
        cmocka_unit_test(test_eigen_route_calls_f_once),
        cmocka_unit_test(test_normality_threshold),
        cmocka_unit_test(test_in_place),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_not_real),
        cmocka_unit_test(test_applied_real_with_cancellation),
        cmocka_unit_test(test_argument_errors),
        cmocka_unit_test(test_callback_errors),
        cmocka_unit_test(test_overflow),
        cmocka_unit_test(test_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, report_worst);
}
