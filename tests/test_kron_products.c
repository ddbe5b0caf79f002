/* Forming and applying Kronecker products: mf_kron, mf_kronsum,
 * mf_khatri_rao, mf_kron_matmul, mf_kron_matvec. Checked against explicitly
 * formed products over every layout and dtype combination, in place, on
 * empty shapes, on every error path and under allocation failure. */
#include "test_kron_common.h"

/* A small relative bound for results made of one product per entry. */
static void assert_close(int64_t rows, int64_t cols, const tz *got, const tz *want, double tol) {
    double ref = tz_norm_fro(rows, cols, want);
    assert_le(tz_diff_fro(rows, cols, got, want), tol * (ref > 0 ? ref : 1.0));
}

/* ---------- mf_kron ---------- */

static void check_kron(int64_t m, int64_t n, int64_t p, int64_t q, const int32_t *dt, int lay,
                       trng *r) {
    tz *a, *b;
    tm A = random_tm(m, n, dt[0], (tlayout)lay, r, &a);
    tm B = random_tm(p, q, dt[1], (tlayout)((lay + 1) % TL_COUNT), r, &b);
    tm K = tm_new(m * p, n * q, dt[2], (tlayout)((lay + 2) % TL_COUNT));
    assert_ok(mf_kron(&A.m, &B.m, &K.m));
    assert_true(tm_padding_intact(&K));
    tz *k = tm_to_dense(&K), *want = ref_kron(m, n, a, p, q, b);
    assert_close(m * p, n * q, k, want, 4 * TEST_U);
    if (dt[0] == MF_F64 && dt[1] == MF_F64)
        assert_true(tz_is_real(m * p * n * q, k));
    free(a);
    free(b);
    free(k);
    free(want);
    tm_free(&A);
    tm_free(&B);
    tm_free(&K);
}

static void test_kron_all_layouts_and_dtypes(void **state) {
    (void)state;
    trng r = trng_new(101);
    const int64_t shapes[][4] = {{2, 3, 4, 2}, {3, 3, 3, 3}, {1, 1, 5, 4}, {4, 1, 1, 3},
                                 {0, 3, 2, 2}, {2, 2, 0, 0}, {5, 4, 3, 6}};
    for (size_t d = 0; d < N_DTYPE_CASES; d++)
        for (int l = 0; l < TL_COUNT; l++)
            for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
                check_kron(shapes[s][0], shapes[s][1], shapes[s][2], shapes[s][3], dtype_cases[d],
                           l, &r);
}

static void test_kron_in_place(void **state) {
    (void)state;
    trng r = trng_new(102);
    for (int l = 0; l < TL_COUNT; l++) {
        /* A 1 x 1: K = a B may overwrite B; B 1 x 1: K = b A may overwrite A */
        tz *a, *b;
        tm A = random_tm(1, 1, MF_C128, TL_COLMAJOR, &r, &a);
        tm B = random_tm(4, 3, MF_C128, (tlayout)l, &r, &b);
        tz *want = ref_kron(1, 1, a, 4, 3, b);
        assert_ok(mf_kron(&A.m, &B.m, &B.m));
        tz *got = tm_to_dense(&B);
        assert_close(4, 3, got, want, 4 * TEST_U);
        free(got);
        free(want);
        want = ref_kron(4, 3, b, 1, 1, a);
        tm_from_dense(&B, b);
        assert_ok(mf_kron(&B.m, &A.m, &B.m));
        got = tm_to_dense(&B);
        assert_close(4, 3, got, want, 4 * TEST_U);
        free(got);
        free(want);
        free(a);
        free(b);
        tm_free(&A);
        tm_free(&B);
    }
}

/* ---------- mf_kronsum ---------- */

static void test_kronsum_all_layouts_and_dtypes(void **state) {
    (void)state;
    trng r = trng_new(103);
    const int64_t shapes[][2] = {{3, 2}, {1, 4}, {4, 1}, {0, 3}, {3, 0}, {5, 5}};
    for (size_t d = 0; d < N_DTYPE_CASES; d++)
        for (int l = 0; l < TL_COUNT; l++)
            for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
                const int32_t *dt = dtype_cases[d];
                const int64_t m = shapes[s][0], p = shapes[s][1], n = m * p;
                tz *a, *b;
                tm A = random_tm(m, m, dt[0], (tlayout)l, &r, &a);
                tm B = random_tm(p, p, dt[1], (tlayout)((l + 3) % TL_COUNT), &r, &b);
                tm K = tm_new(n, n, dt[2], (tlayout)((l + 1) % TL_COUNT));
                assert_ok(mf_kronsum(&A.m, &B.m, &K.m));
                assert_true(tm_padding_intact(&K));
                tz *k = tm_to_dense(&K), *want = ref_kronsum(m, a, p, b);
                assert_close(n, n, k, want, 4 * TEST_U);
                free(a);
                free(b);
                free(k);
                free(want);
                tm_free(&A);
                tm_free(&B);
                tm_free(&K);
            }
    /* in place: m = 1 gives K = a I + B over B */
    tz *a, *b;
    tm A = random_tm(1, 1, MF_F64, TL_COLMAJOR, &r, &a);
    tm B = random_tm(3, 3, MF_F64, TL_STRIDED, &r, &b);
    tz *want = ref_kronsum(1, a, 3, b);
    assert_ok(mf_kronsum(&A.m, &B.m, &B.m));
    tz *got = tm_to_dense(&B);
    assert_close(3, 3, got, want, 4 * TEST_U);
    free(a);
    free(b);
    free(got);
    free(want);
    tm_free(&A);
    tm_free(&B);
}

/* ---------- mf_khatri_rao ---------- */

static void test_khatri_rao_all_layouts_and_dtypes(void **state) {
    (void)state;
    trng r = trng_new(104);
    const int64_t shapes[][3] = {{3, 2, 4}, {1, 5, 3}, {4, 1, 2}, {2, 3, 0}, {0, 2, 3}};
    for (size_t d = 0; d < N_DTYPE_CASES; d++)
        for (int l = 0; l < TL_COUNT; l++)
            for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
                const int32_t *dt = dtype_cases[d];
                const int64_t m = shapes[s][0], p = shapes[s][1], c = shapes[s][2];
                tz *a, *b;
                tm A = random_tm(m, c, dt[0], (tlayout)l, &r, &a);
                tm B = random_tm(p, c, dt[1], (tlayout)((l + 2) % TL_COUNT), &r, &b);
                tm K = tm_new(m * p, c, dt[2], (tlayout)((l + 4) % TL_COUNT));
                assert_ok(mf_khatri_rao(&A.m, &B.m, &K.m));
                assert_true(tm_padding_intact(&K));
                tz *k = tm_to_dense(&K), *want = tz_alloc(m * p * c);
                for (int64_t j = 0; j < c; j++) { /* column j = kron of columns j */
                    tz *col = ref_kron(m, 1, a + j * m, p, 1, b + j * p);
                    memcpy(want + j * m * p, col, (size_t)(m * p) * sizeof *col);
                    free(col);
                }
                assert_close(m * p, c, k, want, 4 * TEST_U);
                free(a);
                free(b);
                free(k);
                free(want);
                tm_free(&A);
                tm_free(&B);
                tm_free(&K);
            }
    /* in place: p = 1 lets K overwrite A */
    tz *a, *b;
    tm A = random_tm(4, 3, MF_C128, TL_PADDED_ROW, &r, &a);
    tm B = random_tm(1, 3, MF_C128, TL_COLMAJOR, &r, &b);
    assert_ok(mf_khatri_rao(&A.m, &B.m, &A.m));
    for (int64_t j = 0; j < 3; j++)
        for (int64_t i = 0; i < 4; i++)
            assert_true(cabs(tm_get(&A, i, j) - a[i + 4 * j] * b[j]) <= 4 * TEST_U * cabs(a[i + 4 * j] * b[j]));
    free(a);
    free(b);
    tm_free(&A);
    tm_free(&B);
}

/* ---------- mf_kron_matmul ---------- */

/* Bound for one entry-wise accumulated product of length len. */
static double product_bound(int64_t len, double na, double nb, double nx) {
    return 4.0 * (double)(len + 1) * TEST_U * na * nb * nx;
}

static void check_kron_matmul(int64_t m, int64_t n, int64_t p, int64_t q, const int32_t *dt,
                              int lay, trng *r) {
    tz *a, *b, *x;
    tm A = random_tm(m, n, dt[0], (tlayout)lay, r, &a);
    tm B = random_tm(p, q, dt[1], (tlayout)((lay + 1) % TL_COUNT), r, &b);
    tm X = random_tm(q, n, dt[0], (tlayout)((lay + 2) % TL_COUNT), r, &x);
    tm Y = tm_new(p, m, dt[2], (tlayout)((lay + 3) % TL_COUNT));
    double *sa = tm_snapshot(&A), *sb = tm_snapshot(&B), *sx = tm_snapshot(&X);
    assert_ok(mf_kron_matmul(&A.m, &B.m, &X.m, &Y.m));
    assert_true(tm_unchanged(&A, sa) && tm_unchanged(&B, sb) && tm_unchanged(&X, sx));
    assert_true(tm_padding_intact(&Y));
    /* formed: vec(Y) = (A ⊗ B) vec(X) */
    tz *k = ref_kron(m, n, a, p, q, b), *want = tz_alloc(p * m), *y = tm_to_dense(&Y);
    tz_matmul(m * p, n * q, 1, k, x, want);
    if (p * m > 0)
        assert_le(tz_diff_fro(p, m, y, want),
                  product_bound(n + q, tz_norm_fro(m, n, a), tz_norm_fro(p, q, b),
                                tz_norm_fro(q, n, x)));
    if (n * q == 0) /* empty sums: exactly zero */
        for (int64_t i = 0; i < p * m; i++)
            assert_true(y[i] == 0.0);
    free(sa);
    free(sb);
    free(sx);
    free(a);
    free(b);
    free(x);
    free(k);
    free(want);
    free(y);
    tm_free(&A);
    tm_free(&B);
    tm_free(&X);
    tm_free(&Y);
}

static void test_kron_matmul_against_formed(void **state) {
    (void)state;
    trng r = trng_new(105);
    /* both GEMM orders are taken: (p q n + p n m) vs (q n m + p q m) */
    const int64_t shapes[][4] = {{3, 4, 5, 2}, {2, 7, 6, 3}, {5, 5, 5, 5}, {1, 1, 1, 1},
                                 {6, 2, 2, 6}, {4, 0, 3, 2}, {3, 2, 4, 0}, {0, 2, 3, 3},
                                 {8, 3, 1, 7}};
    for (size_t d = 0; d < N_DTYPE_CASES; d++)
        for (int l = 0; l < TL_COUNT; l++)
            for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
                check_kron_matmul(shapes[s][0], shapes[s][1], shapes[s][2], shapes[s][3],
                                  dtype_cases[d], l, &r);
}

static void test_kron_matmul_in_place(void **state) {
    (void)state;
    trng r = trng_new(106);
    for (int dt = MF_F64; dt <= MF_C128; dt++)
        for (int l = 0; l < TL_COUNT; l++) {
            tz *a, *b, *x;
            tm A = random_tm(4, 4, dt, (tlayout)l, &r, &a);
            tm B = random_tm(3, 3, dt, TL_COLMAJOR, &r, &b);
            tm X = random_tm(3, 4, dt, (tlayout)l, &r, &x);
            tz *k = ref_kron(4, 4, a, 3, 3, b), *want = tz_alloc(12);
            tz_matmul(12, 12, 1, k, x, want);
            assert_ok(mf_kron_matmul(&A.m, &B.m, &X.m, &X.m));
            tz *y = tm_to_dense(&X);
            assert_le(tz_diff_fro(3, 4, y, want),
                      product_bound(8, tz_norm_fro(4, 4, a), tz_norm_fro(3, 3, b),
                                    tz_norm_fro(3, 4, x)));
            free(a);
            free(b);
            free(x);
            free(k);
            free(want);
            free(y);
            tm_free(&A);
            tm_free(&B);
            tm_free(&X);
        }
}

/* ---------- mf_kron_matvec ---------- */

static void check_kron_matvec(int64_t k, const int64_t (*dims)[2], int64_t rcols, int32_t dt_f,
                              int32_t dt_x, int32_t dt_y, int lay, trng *r) {
    tm F[4];
    mf_matrix views[4];
    tz *f[4];
    int64_t rows = 1, cols = 1;
    tz *formed = tz_alloc(1);
    formed[0] = 1.0;
    for (int64_t i = 0; i < k; i++) {
        F[i] = random_tm(dims[i][0], dims[i][1], (i % 2) ? dt_f : MF_F64,
                         (tlayout)((lay + i) % TL_COUNT), r, &f[i]);
        views[i] = F[i].m;
        tz *next = ref_kron(rows, cols, formed, dims[i][0], dims[i][1], f[i]);
        free(formed);
        formed = next;
        rows *= dims[i][0];
        cols *= dims[i][1];
    }
    tz *x;
    tm X = random_tm(cols, rcols, dt_x, (tlayout)lay, r, &x);
    tm Y = tm_new(rows, rcols, dt_y, (tlayout)((lay + 2) % TL_COUNT));
    assert_ok(mf_kron_matvec(k, views, &X.m, &Y.m));
    assert_true(tm_padding_intact(&Y));
    tz *want = tz_alloc(rows * rcols), *y = tm_to_dense(&Y);
    tz_matmul(rows, cols, rcols, formed, x, want);
    double bound = 8.0 * (double)(cols + 1) * TEST_U * tz_norm_fro(rows, cols, formed) *
                   tz_norm_fro(cols, rcols, x);
    assert_le(tz_diff_fro(rows, rcols, y, want), bound);
    for (int64_t i = 0; i < k; i++) {
        free(f[i]);
        tm_free(&F[i]);
    }
    free(formed);
    free(x);
    free(y);
    free(want);
    tm_free(&X);
    tm_free(&Y);
}

static void test_kron_matvec_against_formed(void **state) {
    (void)state;
    trng r = trng_new(107);
    const int64_t three[][2] = {{2, 3}, {4, 2}, {3, 3}};
    const int64_t growing[][2] = {{3, 2}, {1, 4}, {5, 2}};
    const int64_t four[][2] = {{2, 2}, {3, 2}, {2, 3}, {2, 2}};
    const int64_t one[][2] = {{4, 6}};
    const int64_t two[][2] = {{3, 4}, {5, 2}};
    const int64_t empty_mode[][2] = {{2, 0}, {3, 2}};
    for (int l = 0; l < TL_COUNT; l++)
        for (int c = 0; c < 3; c++) {
            const int32_t df = c == 0 ? MF_F64 : MF_C128, dx = c == 2 ? MF_F64 : df;
            const int32_t dy = c == 0 ? MF_F64 : MF_C128;
            check_kron_matvec(3, three, 2, df, dx, dy, l, &r);
            check_kron_matvec(3, growing, 1, df, dx, dy, l, &r);
            check_kron_matvec(4, four, 3, df, dx, dy, l, &r);
            check_kron_matvec(1, one, 2, df, dx, dy, l, &r);
            check_kron_matvec(2, two, 4, df, dx, dy, l, &r);
            check_kron_matvec(2, two, 0, df, dx, dy, l, &r);
            check_kron_matvec(2, empty_mode, 2, df, dx, dy, l, &r);
        }
}

static void test_kron_matvec_in_place_and_shared_factor(void **state) {
    (void)state;
    trng r = trng_new(108);
    tz *a, *x;
    tm A = random_tm(3, 3, MF_C128, TL_ROWMAJOR, &r, &a);
    tm X = random_tm(27, 2, MF_C128, TL_PADDED_COL, &r, &x);
    mf_matrix same[3] = {A.m, A.m, A.m}; /* one matrix used as all three factors */
    tz *aa = ref_kron(3, 3, a, 3, 3, a), *aaa = ref_kron(9, 9, aa, 3, 3, a), *want = tz_alloc(54);
    tz_matmul(27, 27, 2, aaa, x, want);
    assert_ok(mf_kron_matvec(3, same, &X.m, &X.m));
    tz *y = tm_to_dense(&X);
    assert_le(tz_diff_fro(27, 2, y, want),
              8.0 * 28 * TEST_U * tz_norm_fro(27, 27, aaa) * tz_norm_fro(27, 2, x));
    free(a);
    free(x);
    free(aa);
    free(aaa);
    free(want);
    free(y);
    tm_free(&A);
    tm_free(&X);
}

/* ---------- error paths: outputs untouched ---------- */

/* One call of mf_kron, mf_kronsum (which = 1) or mf_khatri_rao (2). */
static mf_status form(int which, const mf_matrix *A, const mf_matrix *B, mf_matrix *K) {
    return which == 0 ? mf_kron(A, B, K) : which == 1 ? mf_kronsum(A, B, K)
                                                       : mf_khatri_rao(A, B, K);
}

/* A result entry beyond the double range from finite factors is
 * MF_EOVERFLOW naming the function, with K untouched: A(1, 1) B(0, 1) =
 * 1e300 * 1e300 (kron, Khatri-Rao) or the diagonal sum A(1, 1) + B(1, 1) =
 * 1.5e308 + 1e308 (kronsum).
 * Moderate factors still succeed, and so does a complex product whose
 * modulus bound exceeds DBL_MAX while its parts do not (the check is on
 * the entries themselves, not on the bound). */
static void test_products_overflow_refused(void **state) {
    (void)state;
    static const char *const names[3] = {"mf_kron", "mf_kronsum", "mf_khatri_rao"};
    for (int which = 0; which < 3; which++) {
        tm A = tm_new(2, 2, MF_F64, TL_COLMAJOR), B = tm_new(2, 2, MF_F64, TL_ROWMAJOR);
        const int64_t kr = 4, kc = which == 2 ? 2 : 4;
        tm K = tm_new(kr, kc, MF_C128, TL_PADDED_COL);
        const tz a[4] = {1, 2, 3, which == 1 ? 1.5e308 : 1e300}, b[4] = {1e300, 0, 1e300, which == 1 ? 1e308 : 2};
        tm_from_dense(&A, a);
        tm_from_dense(&B, b);
        tm_fill(&K, 5.0);
        double *sk = tm_snapshot(&K);
        assert_status(form(which, &A.m, &B.m, &K.m), MF_EOVERFLOW);
        assert_last_error_mentions(names[which]);
        assert_last_error_mentions("beyond the double range");
        assert_true(tm_unchanged(&K, sk));
        const tz small[4] = {1, 2, 3, 4};
        tm_from_dense(&A, small);
        assert_ok(form(which, &A.m, &B.m, &K.m));
        free(sk);
        tm_free(&A);
        tm_free(&B);
        tm_free(&K);
    }
    /* (1e308 + 1e308 i) * 1.5: modulus 2.1e308, parts 1.5e308 */
    double za[2] = {1e308, 1e308}, zb[2] = {1.5, 0.0}, zk[2] = {5.0, 5.0};
    mf_matrix ZA, ZB, ZK;
    assert_ok(mf_view_colmajor(&ZA, za, 1, 1, 1, MF_C128));
    assert_ok(mf_view_colmajor(&ZB, zb, 1, 1, 1, MF_C128));
    assert_ok(mf_view_colmajor(&ZK, zk, 1, 1, 1, MF_C128));
    assert_ok(mf_kron(&ZA, &ZB, &ZK));
    assert_true(zk[0] == 1.5e308 && zk[1] == 1.5e308);
    zb[0] = 2.0; /* 2e308: now each part overflows */
    assert_status(mf_kron(&ZA, &ZB, &ZK), MF_EOVERFLOW);
    assert_true(zk[0] == 1.5e308 && zk[1] == 1.5e308);
}

static void test_error_paths_products(void **state) {
    (void)state;
    trng r = trng_new(109);
    tm A = random_tm(2, 3, MF_F64, TL_COLMAJOR, &r, NULL), B = random_tm(3, 2, MF_F64, TL_COLMAJOR, &r, NULL),
       Z = random_tm(2, 3, MF_C128, TL_COLMAJOR, &r, NULL), S = random_tm(2, 2, MF_F64, TL_COLMAJOR, &r, NULL),
       K = tm_new(6, 6, MF_F64, TL_COLMAJOR), Kbad = tm_new(6, 5, MF_F64, TL_COLMAJOR),
       KR = tm_new(4, 3, MF_F64, TL_COLMAJOR), big = random_tm(6, 6, MF_F64, TL_COLMAJOR, &r, NULL);
    tm *outs[] = {&K, &Kbad, &KR};
    double *snaps[3];
    for (int i = 0; i < 3; i++)
        snaps[i] = tm_snapshot(outs[i]);
    /* NULL and bad descriptors */
    assert_status(mf_kron(NULL, &B.m, &K.m), MF_EINVAL);
    assert_status(mf_kron(&A.m, NULL, &K.m), MF_EINVAL);
    assert_status(mf_kron(&A.m, &B.m, NULL), MF_EINVAL);
    assert_status(mf_kronsum(&S.m, NULL, &K.m), MF_EINVAL);
    assert_status(mf_kronsum(NULL, &S.m, &K.m), MF_EINVAL);
    assert_status(mf_khatri_rao(&A.m, &Z.m, NULL), MF_EINVAL);
    mf_matrix bad = A.m;
    bad.flags = 1;
    assert_status(mf_kron(&bad, &B.m, &K.m), MF_EINVAL);
    assert_last_error_mentions("flags");
    bad = B.m;
    bad.cs = 0;
    assert_status(mf_khatri_rao(&A.m, &bad, &KR.m), MF_EINVAL);
    /* shapes */
    assert_status(mf_kron(&A.m, &B.m, &Kbad.m), MF_EDIM);
    assert_last_error_mentions("expected 6 x 6");
    assert_status(mf_kronsum(&A.m, &S.m, &K.m), MF_EDIM);
    assert_last_error_mentions("square");
    assert_status(mf_kronsum(&S.m, &A.m, &K.m), MF_EDIM);
    assert_status(mf_kronsum(&S.m, &S.m, &K.m), MF_EDIM); /* needs 4 x 4 */
    assert_status(mf_khatri_rao(&A.m, &B.m, &KR.m), MF_EDIM);
    assert_last_error_mentions("column counts");
    assert_status(mf_khatri_rao(&A.m, &A.m, &K.m), MF_EDIM); /* needs 4 x 3 */
    /* shape products overflowing int64, refused before anything is read */
    static double one = 1.0;
    mf_matrix huge = {&one, (int64_t)1 << 40, 1, 1, 1, MF_F64, 0};
    assert_status(mf_kron(&huge, &huge, &K.m), MF_EDIM);
    assert_last_error_mentions("overflows");
    assert_status(mf_khatri_rao(&huge, &huge, &K.m), MF_EDIM);
    mf_matrix huge_sq = {&one, (int64_t)1 << 40, (int64_t)1 << 40, 1, 1, MF_F64, 0};
    assert_status(mf_kronsum(&huge_sq, &huge_sq, &K.m), MF_EDIM);
    /* dtypes: a complex input needs a complex output */
    assert_status(mf_kron(&Z.m, &B.m, &K.m), MF_EDTYPE);
    assert_last_error_mentions("MF_C128");
    assert_status(mf_khatri_rao(&Z.m, &A.m, &KR.m), MF_EDTYPE);
    tm Sz = random_tm(2, 2, MF_C128, TL_COLMAJOR, &r, NULL);
    tm K4 = tm_new(4, 4, MF_F64, TL_ROWMAJOR);
    double *s4 = tm_snapshot(&K4);
    assert_status(mf_kronsum(&S.m, &Sz.m, &K4.m), MF_EDTYPE);
    /* aliasing: an output overlapping an input other than exactly */
    mf_matrix sub = big.m;
    sub.rows = sub.cols = 2;
    sub.data = (double *)big.m.data + 1;
    mf_matrix k4 = big.m;
    k4.rows = k4.cols = 4;
    assert_status(mf_kron(&sub, &S.m, &k4), MF_EALIAS);
    assert_last_error_mentions("overlap");
    assert_status(mf_kronsum(&sub, &S.m, &k4), MF_EALIAS);
    mf_matrix kr = big.m;
    kr.rows = 4;
    kr.cols = 2;
    assert_status(mf_khatri_rao(&sub, &S.m, &kr), MF_EALIAS);
    /* non-finite */
    tm_set(&B, 1, 1, NAN);
    assert_status(mf_kron(&A.m, &B.m, &K.m), MF_ENONFINITE);
    assert_last_error_mentions("argument B");
    tm_set(&S, 0, 1, INFINITY);
    assert_status(mf_kronsum(&S.m, &S.m, &K4.m), MF_ENONFINITE);
    tm_set(&A, 1, 2, -INFINITY);
    assert_status(mf_khatri_rao(&A.m, &A.m, &KR.m), MF_ENONFINITE);
    for (int i = 0; i < 3; i++) {
        assert_true(tm_unchanged(outs[i], snaps[i]));
        free(snaps[i]);
    }
    assert_true(tm_unchanged(&K4, s4));
    free(s4);
    tm *all[] = {&A, &B, &Z, &S, &K, &Kbad, &KR, &big, &Sz, &K4};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        tm_free(all[i]);
}

static void test_error_paths_matmul(void **state) {
    (void)state;
    trng r = trng_new(110);
    /* A 2 x 3, B 4 x 2: X must be 2 x 3 and Y 4 x 2 */
    tm A = random_tm(2, 3, MF_F64, TL_COLMAJOR, &r, NULL), B = random_tm(4, 2, MF_F64, TL_ROWMAJOR, &r, NULL),
       X = random_tm(2, 3, MF_F64, TL_COLMAJOR, &r, NULL), Xbad = random_tm(3, 2, MF_F64, TL_COLMAJOR, &r, NULL),
       Xz = random_tm(2, 3, MF_C128, TL_COLMAJOR, &r, NULL), Y = tm_new(4, 2, MF_F64, TL_COLMAJOR),
       Ybad = tm_new(2, 4, MF_F64, TL_COLMAJOR), V = random_tm(12, 2, MF_F64, TL_COLMAJOR, &r, NULL),
       W = tm_new(8, 2, MF_F64, TL_COLMAJOR);
    tm *outs[] = {&Y, &Ybad, &W};
    double *snaps[3];
    for (int i = 0; i < 3; i++)
        snaps[i] = tm_snapshot(outs[i]);
    assert_status(mf_kron_matmul(NULL, &B.m, &X.m, &Y.m), MF_EINVAL);
    assert_status(mf_kron_matmul(&A.m, NULL, &X.m, &Y.m), MF_EINVAL);
    assert_status(mf_kron_matmul(&A.m, &B.m, NULL, &Y.m), MF_EINVAL);
    assert_status(mf_kron_matmul(&A.m, &B.m, &X.m, NULL), MF_EINVAL);
    assert_status(mf_kron_matmul(&A.m, &B.m, &Xbad.m, &Y.m), MF_EDIM);
    assert_last_error_mentions("X is 3 x 2");
    assert_status(mf_kron_matmul(&A.m, &B.m, &X.m, &Ybad.m), MF_EDIM);
    assert_status(mf_kron_matmul(&A.m, &B.m, &Xz.m, &Y.m), MF_EDTYPE);
    /* Y over part of X's memory */
    tm big = random_tm(6, 6, MF_F64, TL_COLMAJOR, &r, NULL);
    mf_matrix xs = big.m, ys = big.m;
    xs.rows = 2;
    xs.cols = 3;
    ys.rows = 4;
    ys.cols = 2;
    ys.data = (double *)big.m.data + 1;
    assert_status(mf_kron_matmul(&A.m, &B.m, &xs, &ys), MF_EALIAS);
    tm_set(&A, 0, 0, NAN);
    assert_status(mf_kron_matmul(&A.m, &B.m, &X.m, &Y.m), MF_ENONFINITE);
    assert_last_error_mentions("argument A");
    tm_set(&A, 0, 0, 1.0);
    tm_set(&X, 1, 2, INFINITY);
    assert_status(mf_kron_matmul(&A.m, &B.m, &X.m, &Y.m), MF_ENONFINITE);
    assert_last_error_mentions("argument X");

    /* mf_kron_matvec: factors A (2 x 3) and B (4 x 2): X 6 x r, Y 8 x r */
    mf_matrix f[2] = {A.m, B.m};
    mf_matrix v6 = V.m;
    v6.rows = 6;
    tm_set(&X, 1, 2, 0.0);
    assert_status(mf_kron_matvec(0, f, &V.m, &W.m), MF_EINVAL);
    assert_last_error_mentions("k = 0");
    assert_status(mf_kron_matvec(2, NULL, &V.m, &W.m), MF_EINVAL);
    assert_status(mf_kron_matvec(2, f, NULL, &W.m), MF_EINVAL);
    assert_status(mf_kron_matvec(2, f, &v6, NULL), MF_EINVAL);
    f[1].dtype = 9;
    assert_status(mf_kron_matvec(2, f, &v6, &W.m), MF_EINVAL);
    assert_last_error_mentions("factors[1]");
    f[1] = B.m;
    assert_status(mf_kron_matvec(2, f, &V.m, &W.m), MF_EDIM); /* V has 12 rows, needs 6 */
    assert_last_error_mentions("12 rows");
    assert_status(mf_kron_matvec(2, f, &v6, &Ybad.m), MF_EDIM);
    mf_matrix hf[3] = {{&A.m.data, (int64_t)1 << 30, 1, 1, 1, MF_F64, 0},
                       {&A.m.data, (int64_t)1 << 30, 1, 1, 1, MF_F64, 0},
                       {&A.m.data, (int64_t)1 << 30, 1, 1, 1, MF_F64, 0}};
    hf[0].data = hf[1].data = hf[2].data = A.m.data;
    mf_matrix x1 = X.m;
    x1.rows = x1.cols = 1;
    assert_status(mf_kron_matvec(3, hf, &x1, &W.m), MF_EDIM); /* 2^90 rows */
    assert_last_error_mentions("overflows");
    f[0] = Xz.m; /* 2 x 3 complex factor, real output */
    assert_status(mf_kron_matvec(2, f, &v6, &W.m), MF_EDTYPE);
    f[0] = A.m;
    mf_matrix ws = big.m; /* W over V's memory, shifted */
    ws.rows = 8;
    ws.cols = 2;
    ws.cs = 8;
    mf_matrix vs = big.m;
    vs.rows = 6;
    vs.cs = 8;
    vs.cols = 2;
    vs.data = (double *)big.m.data + 2;
    assert_status(mf_kron_matvec(2, f, &vs, &ws), MF_EALIAS);
    mf_matrix fa = big.m, wb = big.m; /* W over a factor's memory */
    fa.rows = 2;
    fa.cols = 3;
    wb.rows = 8;
    wb.cols = 2;
    wb.cs = 8;
    wb.data = (double *)big.m.data + 1;
    mf_matrix f_over[2] = {fa, B.m};
    assert_status(mf_kron_matvec(2, f_over, &v6, &wb), MF_EALIAS);
    assert_last_error_mentions("a factor");
    tm_set(&B, 2, 1, NAN);
    assert_status(mf_kron_matvec(2, f, &v6, &W.m), MF_ENONFINITE);
    assert_last_error_mentions("factors[1]");
    for (int i = 0; i < 3; i++) {
        assert_true(tm_unchanged(outs[i], snaps[i]));
        free(snaps[i]);
    }
    tm *all[] = {&A, &B, &X, &Xbad, &Xz, &Y, &Ybad, &V, &W, &big};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        tm_free(all[i]);
}

/* ---------- allocation failure sweeps ---------- */

typedef struct sweep_ctx {
    tm *A, *B, *X, *Y;
    int which;
} sweep_ctx;

static mf_status call_under_test(void *p) {
    sweep_ctx *c = p;
    if (c->which == 0)
        return mf_kron_matmul(&c->A->m, &c->B->m, &c->X->m, &c->Y->m);
    mf_matrix f[3] = {c->A->m, c->B->m, c->A->m};
    return mf_kron_matvec(3, f, &c->X->m, &c->Y->m);
}

static void test_allocation_failures(void **state) {
    (void)state;
    trng r = trng_new(111);
    for (int dt = MF_F64; dt <= MF_C128; dt++) {
        tm A = random_tm(3, 3, dt, TL_ROWMAJOR, &r, NULL), B = random_tm(3, 3, dt, TL_STRIDED, &r, NULL),
           X = random_tm(3, 3, dt, TL_COLMAJOR, &r, NULL), Y = tm_new(3, 3, dt, TL_PADDED_ROW),
           X3 = random_tm(27, 2, dt, TL_COLMAJOR, &r, NULL), Y3 = tm_new(27, 2, dt, TL_PADDED_COL);
        sweep_ctx c = {&A, &B, &X, &Y, 0};
        tm *outs[] = {&Y};
        assert_true(tsweep_alloc_failures(call_under_test, &c, outs, 1) >= 5);
        sweep_ctx c3 = {&A, &B, &X3, &Y3, 1};
        tm *outs3[] = {&Y3};
        assert_true(tsweep_alloc_failures(call_under_test, &c3, outs3, 1) >= 6);
        tm *all[] = {&A, &B, &X, &Y, &X3, &Y3};
        for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
            tm_free(all[i]);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kron_all_layouts_and_dtypes),
        cmocka_unit_test(test_kron_in_place),
        cmocka_unit_test(test_kronsum_all_layouts_and_dtypes),
        cmocka_unit_test(test_khatri_rao_all_layouts_and_dtypes),
        cmocka_unit_test(test_kron_matmul_against_formed),
        cmocka_unit_test(test_kron_matmul_in_place),
        cmocka_unit_test(test_kron_matvec_against_formed),
        cmocka_unit_test(test_kron_matvec_in_place_and_shared_factor),
        cmocka_unit_test(test_products_overflow_refused),
        cmocka_unit_test(test_error_paths_products),
        cmocka_unit_test(test_error_paths_matmul),
        cmocka_unit_test(test_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
