/* Matrix exponential: mf_expm, mf_expm_ex.
 * Accuracy against committed mpmath references (tests/data/expm_ref.txt,
 * judged relative to each case's condition number), identities, every
 * layout and dtype, in place, structure paths, every error path with
 * untouched outputs, overflow, allocation failure sweeps. */
#include "testutil.h"
#include "refdata.h"
#include "funcs/expm.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* err <= ACC_C * max(cond, 1) * u, and err <= 1e-13 when cond <= WELL_COND. */
#define ACC_C 40.0
#define WELL_COND 100.0

static double rel_err(int64_t n, const tz *x, const tz *ref) {
    return tz_diff_fro(n, n, x, ref) / tz_norm_fro(n, n, ref);
}

/* Run one case through mf_expm_ex with the given scheme; returns err/(cond u). */
static double run_case(const refcase *c, int32_t scheme, int32_t out_dtype, tlayout lay, bool in_place,
                       double *err_out) {
    const refmat *A = refcase_mat(c, "A"), *X = refcase_mat(c, "X");
    assert_non_null(A);
    assert_non_null(X);
    const int64_t n = A->rows;
    const double cond = refcase_meta(c, "cond", 1.0);
    tm In = tm_new(n, n, A->dtype, lay), Out = tm_new(n, n, out_dtype, lay);
    tm_from_dense(&In, A->data);
    mf_expm_options opt = {.scheme = scheme};
    mf_expm_info info;
    if (in_place) {
        assert_ok(mf_expm_ex(&In.m, &In.m, &opt, &info));
    } else {
        assert_ok(mf_expm_ex(&In.m, &Out.m, &opt, &info));
        assert_true(tm_padding_intact(&Out));
    }
    tz *x = tm_to_dense(in_place ? &In : &Out);
    const double err = rel_err(n, x, X->data);
    const double bound = ACC_C * (cond > 1 ? cond : 1) * TEST_U;
    if (!(err <= bound) || (cond <= WELL_COND && !(err <= 1e-13)))
        fail_msg("case %s scheme %d layout %s: error %.3e, cond %.3e, bound %.3e (degree %d, s %d)",
                 c->name, scheme, tlayout_name(lay), err, cond, bound, info.degree, info.squarings);
    free(x);
    tm_free(&In);
    tm_free(&Out);
    if (err_out)
        *err_out = err;
    return err / ((cond > 1 ? cond : 1) * TEST_U);
}

static int cmp_double(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Every reference case with every approximant family; prints the median and
 * worst error relative to cond * u per family (the comparison quoted in
 * docs/funcs.md). */
static void test_reference_cases_all_schemes(void **state) {
    (void)state;
    refdata *d = refdata_load("expm_ref.txt");
    assert_non_null(d);
    assert_true(d->count >= 60);
    static const char *names[] = {"auto", "taylor_bbc", "taylor_sid", "pade"};
    for (int32_t scheme = MF_EXPM_AUTO; scheme <= MF_EXPM_PADE; scheme++) {
        double *ratio = calloc((size_t)d->count, sizeof *ratio), *errs = calloc((size_t)d->count, sizeof *errs);
        for (int i = 0; i < d->count; i++)
            ratio[i] = run_case(&d->cases[i], scheme, refcase_mat(&d->cases[i], "A")->dtype,
                                TL_COLMAJOR, false, &errs[i]);
        qsort(ratio, (size_t)d->count, sizeof *ratio, cmp_double);
        qsort(errs, (size_t)d->count, sizeof *errs, cmp_double);
        printf("# expm %-10s over %d cases: err/(cond u) median %.3f max %.3f; err median %.2e max %.2e\n",
               names[scheme], d->count, ratio[d->count / 2], ratio[d->count - 1], errs[d->count / 2],
               errs[d->count - 1]);
        free(ratio);
        free(errs);
    }
    refdata_free(d);
}

/* A subset of cases over every layout, complex output of real input, and in place. */
static void test_reference_cases_layouts_in_place(void **state) {
    (void)state;
    refdata *d = refdata_load("expm_ref.txt");
    assert_non_null(d);
    for (int i = 0; i < d->count; i += 3) {
        const refcase *c = &d->cases[i];
        const int32_t dt = refcase_mat(c, "A")->dtype;
        for (int l = 0; l < TL_COUNT; l++) {
            run_case(c, MF_EXPM_AUTO, dt, (tlayout)l, false, NULL);
            run_case(c, MF_EXPM_AUTO, dt, (tlayout)l, true, NULL);
        }
        run_case(c, MF_EXPM_AUTO, MF_C128, TL_ROWMAJOR, false, NULL);
    }
    refdata_free(d);
}

/* a scaled to ||a||_1 = norm. */
static void scale_to_norm1(int64_t n, tz *a, double norm) {
    const double best = tz_norm1(n, a);
    for (int64_t k = 0; k < n * n; k++)
        a[k] *= norm / best;
}

/* mf_expm of a over every layout (and in place): bitwise equal results,
 * A untouched. */
static void check_layouts_bitwise(int64_t n, int32_t dt, const tz *a) {
    tz *ref = NULL;
    for (int l = 0; l < TL_COUNT; l++)
        for (int in_place = 0; in_place < 2; in_place++) {
            tm A = tm_new(n, n, dt, (tlayout)l), E = tm_new(n, n, dt, (tlayout)l);
            tm_from_dense(&A, a);
            double *snap = tm_snapshot(&A);
            if (in_place) {
                assert_ok(mf_expm(&A.m, &A.m));
            } else {
                assert_ok(mf_expm(&A.m, &E.m));
                assert_true(tm_unchanged(&A, snap));
            }
            tz *e = tm_to_dense(in_place ? &A : &E);
            if (ref == NULL) {
                ref = e;
            } else {
                if (memcmp(ref, e, (size_t)(n * n) * sizeof(tz)) != 0)
                    fail_msg("n %lld dtype %d layout %s in place %d differs", (long long)n, dt,
                             tlayout_name((tlayout)l), in_place);
                free(e);
            }
            free(snap);
            tm_free(&A);
            tm_free(&E);
        }
    free(ref);
}

/* Results do not depend on the layout: packing is exact, so bitwise equal.
 * Above n = 16 a column-major A is read in place and a column-major E
 * written directly (by the evaluation when no squaring follows, by the
 * last squaring otherwise), other layouts go through packed copies: the
 * norms cover Taylor 8 (a sixth buffer allocated on the way), 18 without
 * squarings, 18 with, and powers rebuilt from a scaled copy of A
 * (||A||_1 = 1e22, too large to fold 2^-s into the coefficients; a
 * negative diagonal keeps exp(A) finite, in fact tiny). */
static void test_layouts_bitwise_equal(void **state) {
    (void)state;
    trng r = trng_new(31);
    const int64_t sizes[] = {3, 4, 8, 16, 17, 40};
    const double norms[] = {0.01, 1.0, 1e22};
    for (int dt = MF_F64; dt <= MF_C128; dt++)
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            const int64_t n = sizes[s];
            tz *a = tz_random(n, n, dt == MF_C128, &r);
            check_layouts_bitwise(n, dt, a);
            for (size_t q = 0; n > MF__EXPM_SMALL_N && q < sizeof norms / sizeof norms[0]; q++) {
                tz *b = tz_random(n, n, dt == MF_C128, &r);
                if (norms[q] > 1e10) /* strongly negative diagonal: exp(A) underflows */
                    for (int64_t i = 0; i < n; i++)
                        b[i + i * n] -= 4.0 * (double)n;
                scale_to_norm1(n, b, norms[q]);
                check_layouts_bitwise(n, dt, b);
                free(b);
            }
            free(a);
        }
}

/* F64 A with C128 E gives the real result with zero imaginary parts. */
static void test_real_input_complex_output(void **state) {
    (void)state;
    trng r = trng_new(32);
    for (int64_t n = 1; n <= 24; n += 23) {
        tm A = tm_new(n, n, MF_F64, TL_COLMAJOR), E = tm_new(n, n, MF_F64, TL_COLMAJOR),
           Z = tm_new(n, n, MF_C128, TL_STRIDED);
        tm_fill_random(&A, &r);
        assert_ok(mf_expm(&A.m, &E.m));
        assert_ok(mf_expm(&A.m, &Z.m));
        for (int64_t j = 0; j < n; j++)
            for (int64_t i = 0; i < n; i++) {
                assert_true(cimag(tm_get(&Z, i, j)) == 0.0);
                assert_true(creal(tm_get(&Z, i, j)) == creal(tm_get(&E, i, j)));
            }
        tm_free(&A);
        tm_free(&E);
        tm_free(&Z);
    }
}

static tz *expm_dense(int64_t n, int32_t dt, const tz *a) {
    tm A = tm_new(n, n, dt, TL_COLMAJOR), E = tm_new(n, n, dt, TL_COLMAJOR);
    tm_from_dense(&A, a);
    assert_ok(mf_expm(&A.m, &E.m));
    tz *e = tm_to_dense(&E);
    tm_free(&A);
    tm_free(&E);
    return e;
}

/* exp(A) exp(-A) = I; exp(skew) orthogonal / exp(skew-Hermitian) unitary;
 * det(exp A) = exp(trace A). */
static void test_identities(void **state) {
    (void)state;
    trng r = trng_new(33);
    const int64_t sizes[] = {3, 4, 7, 16, 30};
    for (int dt = MF_F64; dt <= MF_C128; dt++)
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            const int64_t n = sizes[s];
            tz *a = tz_random(n, n, dt == MF_C128, &r), *na = tz_alloc(n * n), *sk = tz_alloc(n * n);
            for (int64_t k = 0; k < n * n; k++)
                na[k] = -a[k] * 0.5, a[k] *= 0.5;
            for (int64_t j = 0; j < n; j++)
                for (int64_t i = 0; i < n; i++)
                    sk[i + j * n] = a[i + j * n] - conj(a[j + i * n]);
            tz *e = expm_dense(n, dt, a), *f = expm_dense(n, dt, na), *q = expm_dense(n, dt, sk);
            tz *p = tz_alloc(n * n), *id = tz_identity(n);
            tz_matmul(n, n, n, e, f, p);
            assert_le(tz_diff_fro(n, n, p, id), 100 * n * TEST_U * tz_norm_fro(n, n, e) * tz_norm_fro(n, n, f));
            tz *qh = tz_conj_transpose(n, n, q);
            tz_matmul(n, n, n, qh, q, p);
            assert_le(tz_diff_fro(n, n, p, id), 100 * n * TEST_U);
            /* det(exp A) = exp(trace A) */
            tz tr = 0;
            for (int64_t i = 0; i < n; i++)
                tr += a[i + i * n];
            tm E = tm_new(n, n, dt, TL_COLMAJOR);
            tm_from_dense(&E, e);
            double re = 0, im = 0;
            assert_ok(mf_det(&E.m, &re, dt == MF_C128 ? &im : NULL));
            const tz want = cexp(tr), got = CMPLX(re, im);
            assert_le(cabs(got - want), 1000 * n * TEST_U * cabs(want) * (1 + tz_norm_fro(n, n, a)));
            tm_free(&E);
            free(a), free(na), free(sk), free(e), free(f), free(q), free(p), free(id), free(qh);
        }
}

/* The method reported for each structure, and exactness of the diagonal. */
static void test_structure_paths(void **state) {
    (void)state;
    trng r = trng_new(34);
    mf_expm_info info;
    struct {
        int64_t n;
        int kind; /* 0 diag, 1 upper, 2 lower, 3 symmetric, 4 general, 5 2x2, 6 zero */
        int32_t method;
    } cases[] = {{5, 0, MF_EXPM_METHOD_DIAGONAL},     {9, 1, MF_EXPM_METHOD_TRIANGULAR},
                 {9, 2, MF_EXPM_METHOD_TRIANGULAR},   {20, 3, MF_EXPM_METHOD_HERMITIAN},
                 {6, 3, MF_EXPM_METHOD_SCALING_SQUARING}, {9, 4, MF_EXPM_METHOD_SCALING_SQUARING},
                 {2, 5, MF_EXPM_METHOD_CLOSED_FORM},  {1, 5, MF_EXPM_METHOD_DIAGONAL},
                 {7, 6, MF_EXPM_METHOD_DIAGONAL}};
    for (int dt = MF_F64; dt <= MF_C128; dt++)
        for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
            const int64_t n = cases[k].n;
            tm A = tm_new(n, n, dt, TL_ROWMAJOR), E = tm_new(n, n, dt, TL_COLMAJOR);
            tz *a = tz_random(n, n, dt == MF_C128, &r);
            for (int64_t j = 0; j < n; j++)
                for (int64_t i = 0; i < n; i++) {
                    const int kind = cases[k].kind;
                    if ((kind == 0 && i != j) || (kind == 1 && i > j) || (kind == 2 && i < j) || kind == 6)
                        a[i + j * n] = 0;
                    if (kind == 3 && i < j)
                        a[i + j * n] = conj(a[j + i * n]);
                    if (kind == 3 && i == j)
                        a[i + j * n] = creal(a[i + j * n]);
                }
            tm_from_dense(&A, a);
            assert_ok(mf_expm_ex(&A.m, &E.m, NULL, &info));
            if (info.method != cases[k].method)
                fail_msg("n %lld kind %d: method %d, expected %d", (long long)n, cases[k].kind,
                         info.method, cases[k].method);
            if (cases[k].kind == 0 || cases[k].kind == 6)
                for (int64_t i = 0; i < n; i++)
                    assert_true(tm_get(&E, i, i) == (dt == MF_C128 ? cexp(a[i + i * n]) : exp(creal(a[i + i * n]))));
            if (cases[k].kind == 3 && n == 20)
                for (int64_t j = 0; j < n; j++)
                    for (int64_t i = 0; i < n; i++)
                        assert_true(tm_get(&E, i, j) == conj(tm_get(&E, j, i)));
            /* structure detection off: same result within rounding */
            tm F = tm_new(n, n, dt, TL_COLMAJOR);
            mf_expm_options off = {.structure = 1};
            assert_ok(mf_expm_ex(&A.m, &F.m, &off, &info));
            assert_true(n <= 2 || info.method == MF_EXPM_METHOD_SCALING_SQUARING || cases[k].kind == 6);
            tz *e = tm_to_dense(&E), *f = tm_to_dense(&F);
            assert_le(tz_diff_fro(n, n, e, f), 1e-12 * tz_norm_fro(n, n, e));
            free(e), free(f), free(a);
            tm_free(&A), tm_free(&E), tm_free(&F);
        }
}

/* The info report: squarings grow with the norm; Pade reports its solve. */
static void test_info_report(void **state) {
    (void)state;
    trng r = trng_new(35);
    const int64_t n = 12;
    tz *a = tz_random(n, n, false, &r);
    const double nrm = tz_norm1(n, a);
    int last_s = -1;
    for (double target = 0.5; target < 600; target *= 4) {
        tz *b = tz_alloc(n * n);
        for (int64_t k = 0; k < n * n; k++)
            b[k] = a[k] * (target / nrm);
        tm A = tm_new(n, n, MF_F64, TL_COLMAJOR), E = tm_new(n, n, MF_F64, TL_COLMAJOR);
        tm_from_dense(&A, b);
        mf_expm_info info;
        assert_ok(mf_expm_ex(&A.m, &E.m, NULL, &info));
        assert_true(fabs(info.norm1 - target) <= 1e-12 * target);
        assert_true(info.eta <= info.norm1 * (1 + 1e-15));
        assert_true(info.squarings >= last_s);
        assert_true(info.degree >= 1 && info.products >= info.squarings);
        assert_int_equal(info.solves, 0);
        last_s = info.squarings;
        mf_expm_options pade = {.scheme = MF_EXPM_PADE};
        assert_ok(mf_expm_ex(&A.m, &E.m, &pade, &info));
        assert_int_equal(info.scheme, MF_EXPM_PADE);
        assert_int_equal(info.solves, 1);
        free(b);
        tm_free(&A), tm_free(&E);
    }
    assert_true(last_s >= 5);
    free(a);
}

/* Overflow: MF_EOVERFLOW and E untouched, on every path. */
static void test_overflow(void **state) {
    (void)state;
    trng r = trng_new(36);
    const int64_t sizes[] = {1, 2, 5, 20};
    for (int dt = MF_F64; dt <= MF_C128; dt++)
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
            for (int kind = 0; kind < 4; kind++) { /* general, diagonal, upper, symmetric */
                const int64_t n = sizes[s];
                tz *a = tz_random(n, n, dt == MF_C128, &r);
                for (int64_t j = 0; j < n; j++)
                    for (int64_t i = 0; i < n; i++) {
                        if ((kind == 1 && i != j) || (kind == 2 && i > j))
                            a[i + j * n] = 0;
                        if (kind == 3)
                            a[i + j * n] = i >= j ? creal(a[i + j * n]) : creal(a[j + i * n]);
                        if (i == j)
                            a[i + j * n] += 720.0 + 60.0 * (double)n;
                    }
                tm A = tm_new(n, n, dt, TL_PADDED_COL), E = tm_new(n, n, dt, TL_ROWMAJOR);
                tm_from_dense(&A, a);
                tm_fill(&E, 42.0);
                double *snap = tm_snapshot(&E);
                assert_status(mf_expm(&A.m, &E.m), MF_EOVERFLOW);
                assert_true(tm_unchanged(&E, snap));
                assert_last_error_mentions("mf_expm");
                /* in place: A untouched too */
                double *snapA = tm_snapshot(&A);
                assert_status(mf_expm(&A.m, &A.m), MF_EOVERFLOW);
                assert_true(tm_unchanged(&A, snapA));
                free(snap), free(snapA), free(a);
                tm_free(&A), tm_free(&E);
            }
    /* large but representable: exp(700 I + N) is finite */
    tm A = tm_new(3, 3, MF_F64, TL_COLMAJOR), E = tm_new(3, 3, MF_F64, TL_COLMAJOR);
    tm_fill(&A, 0.0);
    for (int i = 0; i < 3; i++)
        tm_set(&A, i, i, 700.0);
    tm_set(&A, 0, 1, 1e-3);
    assert_ok(mf_expm(&A.m, &E.m));
    assert_true(isfinite(creal(tm_get(&E, 0, 1))));
    tm_free(&A), tm_free(&E);
}

/* Every argument error: the status, a message naming the function, outputs untouched. */
/* ------------------------------------------------------------------ */
/* The fast paths against the general path                             */
/* ------------------------------------------------------------------ */

/* exp(a) through the general path (mf__expm_packed: runtime n, any dtype,
 * no fixed-size code), packed column-major; returns the result as tz. */
static tz *general_path(int64_t n, bool cplx, const tz *a, mf_expm_info *info) {
    const int64_t parts = cplx ? 2 : 1;
    const int64_t len = parts * n * n + mf__expm_work_doubles(n, cplx);
    double *buf = calloc((size_t)len, sizeof(double));
    assert_non_null(buf);
    for (int64_t k = 0; k < n * n; k++) {
        buf[parts * k] = creal(a[k]);
        if (cplx)
            buf[parts * k + 1] = cimag(a[k]);
    }
    assert_ok(mf__expm_packed("general", n, cplx, buf, buf + parts * n * n, NULL, info));
    tz *x = tz_alloc(n * n);
    for (int64_t k = 0; k < n * n; k++)
        x[k] = cplx ? CMPLX(buf[2 * k], buf[2 * k + 1]) : buf[k];
    free(buf);
    return x;
}

/* A dense test matrix of 1-norm about `norm`: random, or (kind 1) strongly
 * non-normal (a large strictly upper part over a small dense one, which
 * makes the ||A^k||^(1/k) bounds choose fewer squarings than ||A||_1). */
static tz *fast_path_matrix(int64_t n, bool cplx, int kind, double norm, trng *r) {
    tz *a = tz_random(n, n, cplx, r);
    for (int64_t j = 0; j < n; j++)
        for (int64_t i = 0; i < n; i++)
            if (kind == 1)
                a[i + j * n] *= i < j ? 30.0 : 0.05;
    scale_to_norm1(n, a, norm);
    return a;
}

/* mf_expm (fixed-size path for real n = 3..8, BLAS-free kernels up to 16)
 * gives the general path's result for n = 2..16, every layout, both input
 * dtypes, complex output of real input, and in place; the reported
 * approximant, squarings and products agree too. The two are in fact
 * equal to the last bit (same choices, same operation order); the test
 * allows a few ulps of the result's scale. */
static void test_fast_paths_match_general(void **state) {
    (void)state;
    trng r = trng_new(41);
    static const double norms[] = {1e-3, 0.3, 1.0, 4.0, 40.0};
    int compared = 0;
    for (int64_t n = 2; n <= MF__EXPM_SMALL_N; n++)
        for (int dt = MF_F64; dt <= MF_C128; dt++)
            for (int kind = 0; kind < 2; kind++)
                for (size_t q = 0; q < sizeof norms / sizeof norms[0]; q++) {
                    const bool cplx = dt == MF_C128;
                    tz *a = fast_path_matrix(n, cplx, kind, norms[q], &r);
                    mf_expm_info gi, fi;
                    tz *ref = general_path(n, cplx, a, &gi);
                    const double scale = tz_norm_fro(n, n, ref);
                    const int lay = (int)((n + q + (size_t)kind) % TL_COUNT);
                    for (int mode = 0; mode < 3; mode++) { /* out of place, C128 out, in place */
                        if (mode == 1 && cplx)
                            continue;
                        const int32_t odt = mode == 1 ? MF_C128 : dt;
                        const tlayout el = (tlayout)((lay + mode) % TL_COUNT);
                        tm A = tm_new(n, n, dt, (tlayout)lay), E = tm_new(n, n, odt, el);
                        tm_from_dense(&A, a);
                        if (mode == 2) {
                            assert_ok(mf_expm_ex(&A.m, &A.m, NULL, &fi));
                        } else {
                            assert_ok(mf_expm_ex(&A.m, &E.m, NULL, &fi));
                            assert_true(tm_padding_intact(&E));
                        }
                        tz *x = tm_to_dense(mode == 2 ? &A : &E);
                        const double diff = tz_diff_fro(n, n, x, ref);
                        if (!(diff <= 8 * TEST_U * scale))
                            fail_msg("n %lld dtype %d kind %d norm %g mode %d: "
                                     "|fast - general| = %.3e of %.3e",
                                     (long long)n, dt, kind, norms[q], mode, diff, scale);
                        assert_int_equal(fi.method, gi.method);
                        assert_int_equal(fi.degree, gi.degree);
                        assert_int_equal(fi.squarings, gi.squarings);
                        assert_int_equal(fi.products, gi.products);
                        assert_true(fi.eta == gi.eta || (isnan(fi.eta) && isnan(gi.eta)));
                        compared++;
                        free(x);
                        tm_free(&A), tm_free(&E);
                    }
                    free(a), free(ref);
                }
    assert_true(compared > 600);
}

/* The fixed-size path hands structured and non-finite input to the
 * general path, and fails on overflow without touching E. */
static void test_fixed_path_edges(void **state) {
    (void)state;
    trng r = trng_new(42);
    for (int64_t n = 3; n <= MF__EXPM_FIXED_MAX_N; n++) {
        /* upper triangular, lower triangular, quasi-triangular: exact
         * diagonal recomputation, as the general path */
        for (int kind = 0; kind < 3; kind++) {
            tz *a = fast_path_matrix(n, false, 0, 2.0, &r);
            for (int64_t j = 0; j < n; j++)
                for (int64_t i = 0; i < n; i++) {
                    const bool quasi_zero = i > j + 1 || (i == j + 1 && j % 2 == 1);
                    const bool drop = kind == 0 ? i > j : kind == 1 ? i < j : quasi_zero;
                    if (drop)
                        a[i + j * n] = 0;
                }
            mf_expm_info gi, fi;
            tz *ref = general_path(n, false, a, &gi);
            tm A = tm_new(n, n, MF_F64, TL_ROWMAJOR), E = tm_new(n, n, MF_F64, TL_COLMAJOR);
            tm_from_dense(&A, a);
            assert_ok(mf_expm_ex(&A.m, &E.m, NULL, &fi));
            assert_int_equal(fi.method, MF_EXPM_METHOD_TRIANGULAR);
            assert_int_equal(gi.method, MF_EXPM_METHOD_TRIANGULAR);
            tz *x = tm_to_dense(&E);
            assert_true(tz_diff_fro(n, n, x, ref) <= 8 * TEST_U * tz_norm_fro(n, n, ref));
            free(a), free(ref), free(x);
            tm_free(&A), tm_free(&E);
        }
        /* non-finite entry, at each position in turn for one n */
        tm A = tm_new(n, n, MF_F64, TL_PADDED_ROW), E = tm_new(n, n, MF_F64, TL_COLMAJOR);
        tm_fill_random(&A, &r);
        tm_fill(&E, 7.0);
        double *snap = tm_snapshot(&E);
        for (int64_t k = 0; k < (n == 4 ? n * n : 1); k++) {
            const tz keep = tm_get(&A, k % n, k / n);
            tm_set(&A, k % n, k / n, k % 2 ? INFINITY : NAN);
            assert_status(mf_expm(&A.m, &E.m), MF_ENONFINITE);
            assert_true(tm_unchanged(&E, snap));
            tm_set(&A, k % n, k / n, keep);
        }
        /* ||A||_1 beyond the double range: a column of huge entries */
        for (int64_t i = 0; i < n; i++)
            tm_set(&A, i, 1, 1.5e308);
        assert_status(mf_expm(&A.m, &E.m), MF_EOVERFLOW);
        assert_last_error_mentions("mf_expm");
        assert_true(tm_unchanged(&E, snap));
        free(snap);
        tm_free(&A), tm_free(&E);
    }
}

static void test_error_paths(void **state) {
    (void)state;
    tm A = tm_new(4, 4, MF_F64, TL_COLMAJOR), E = tm_new(4, 4, MF_F64, TL_COLMAJOR),
       R = tm_new(4, 3, MF_F64, TL_COLMAJOR), Ec = tm_new(4, 4, MF_C128, TL_COLMAJOR),
       Ac = tm_new(4, 4, MF_C128, TL_COLMAJOR), Big = tm_new(6, 6, MF_F64, TL_COLMAJOR);
    trng r = trng_new(37);
    tm_fill_random(&A, &r);
    tm_fill_random(&Ac, &r);
    tm_fill_random(&R, &r);
    tm_fill_random(&Big, &r);
    double *snapE = tm_snapshot(&E), *snapR = tm_snapshot(&R), *snapEc = tm_snapshot(&Ec);
    assert_status(mf_expm(NULL, &E.m), MF_EINVAL);
    assert_status(mf_expm(&A.m, NULL), MF_EINVAL);
    assert_status(mf_expm(&R.m, &E.m), MF_EDIM);              /* A not square */
    assert_last_error_mentions("mf_expm");
    assert_status(mf_expm(&A.m, &R.m), MF_EDIM);              /* E wrong shape */
    assert_true(tm_unchanged(&R, snapR));
    assert_status(mf_expm(&Ac.m, &E.m), MF_EDTYPE);           /* C128 A, F64 E */
    mf_matrix bad = A.m;
    bad.dtype = 7;
    assert_status(mf_expm(&bad, &E.m), MF_EINVAL);
    bad = A.m;
    bad.flags = 1;
    assert_status(mf_expm(&bad, &E.m), MF_EINVAL);
    /* partial overlap: E is a shifted view of Big's data overlapping A */
    mf_matrix a4, e4;
    assert_ok(mf_view_block(&a4, &Big.m, 0, 0, 4, 4));
    assert_ok(mf_view_block(&e4, &Big.m, 1, 1, 4, 4));
    double *snapBig = tm_snapshot(&Big);
    assert_status(mf_expm(&a4, &e4), MF_EALIAS);
    assert_true(tm_unchanged(&Big, snapBig));
    /* non-finite input */
    tm_set(&A, 2, 1, NAN);
    assert_status(mf_expm(&A.m, &E.m), MF_ENONFINITE);
    tm_set(&A, 2, 1, INFINITY);
    assert_status(mf_expm(&A.m, &Ec.m), MF_ENONFINITE);
    tm_set(&A, 2, 1, 0.5);
    /* options */
    mf_expm_options o = {.scheme = 9};
    assert_status(mf_expm_ex(&A.m, &E.m, &o, NULL), MF_EINVAL);
    assert_last_error_mentions("mf_expm_ex");
    o = (mf_expm_options){.structure = 2};
    assert_status(mf_expm_ex(&A.m, &E.m, &o, NULL), MF_EINVAL);
    o = (mf_expm_options){.reserved = {0, 0, 1}};
    assert_status(mf_expm_ex(&A.m, &E.m, &o, NULL), MF_EINVAL);
    o = (mf_expm_options){.scheme = -1};
    assert_status(mf_expm_ex(&A.m, &E.m, &o, NULL), MF_EINVAL);
    assert_true(tm_unchanged(&E, snapE));
    assert_true(tm_unchanged(&Ec, snapEc));
    /* info untouched on failure */
    mf_expm_info info;
    memset(&info, 0x5a, sizeof info);
    mf_expm_info copy = info;
    assert_status(mf_expm_ex(&R.m, &E.m, NULL, &info), MF_EDIM);
    assert_memory_equal(&info, &copy, sizeof info);
    /* 0 x 0 succeeds */
    tm Z = tm_new(0, 0, MF_F64, TL_COLMAJOR);
    assert_ok(mf_expm(&Z.m, &Z.m));
    assert_ok(mf_expm_ex(&Z.m, &Z.m, NULL, &info));
    free(snapE), free(snapR), free(snapEc), free(snapBig);
    tm_free(&A), tm_free(&E), tm_free(&R), tm_free(&Ec), tm_free(&Ac), tm_free(&Big), tm_free(&Z);
}

typedef struct sweep_ctx {
    tm *A, *E;
    int32_t scheme;
} sweep_ctx;

static mf_status call_expm(void *p) {
    sweep_ctx *c = p;
    mf_expm_options o = {.scheme = c->scheme};
    return mf_expm_ex(&c->A->m, &c->E->m, &o, NULL);
}

/* Allocation failure at every allocation: general (large n), Hermitian
 * (mf_eigh inside), and no allocation at all for n <= 16; then with a
 * column-major A read in place, where the workspace may grow on the way:
 * Pade with squarings (a sixth matrix and a scaled copy of A), Taylor 8
 * (a sixth matrix), and Taylor 18 with powers rebuilt from a scaled copy
 * (||A||_1 = 1e22), each with E column-major and strided. */
static void test_allocation_failures(void **state) {
    (void)state;
    trng r = trng_new(38);
    for (int dt = MF_F64; dt <= MF_C128; dt++)
        for (int kind = 0; kind < 9; kind++) {
            const int64_t n = kind == 2 ? 9 : 24;
            const bool colmajor = kind >= 3;
            tm A = tm_new(n, n, dt, colmajor ? TL_COLMAJOR : TL_ROWMAJOR),
               E = tm_new(n, n, dt, kind % 2 == 0 ? TL_COLMAJOR : TL_STRIDED);
            tz *a = tz_random(n, n, dt == MF_C128, &r);
            if (kind == 1)
                for (int64_t j = 0; j < n; j++)
                    for (int64_t i = 0; i <= j; i++)
                        a[i + j * n] = i == j ? creal(a[j + i * n]) : conj(a[j + i * n]);
            if (kind == 5 || kind == 6)
                scale_to_norm1(n, a, 0.01);
            if (kind >= 7) {
                for (int64_t i = 0; i < n; i++)
                    a[i + i * n] -= 4.0 * (double)n;
                scale_to_norm1(n, a, 1e22);
            }
            tm_from_dense(&A, a);
            const bool pade = kind == 0 || kind == 3 || kind == 4;
            sweep_ctx c = {&A, &E, pade ? MF_EXPM_PADE : MF_EXPM_AUTO};
            tm *outs[] = {&E};
            mf__alloc_stats_reset();
            const int points = tsweep_alloc_failures(call_expm, &c, outs, 1);
            if (kind == 2) {
                assert_int_equal(points, 0);
                mf__alloc_stats_reset();
                assert_ok(call_expm(&c));
                assert_int_equal(mf__alloc_stats_get().calls, 0); /* stack workspace only */
            } else {
                assert_true(points >= 1);
            }
            free(a);
            tm_free(&A), tm_free(&E);
        }
}

/* Peak workspace of one call, in n^2 elements (the budget is 8): five
 * matrices (and the norm estimator's n x 2 blocks) for Taylor 15+ / 18 on
 * a column-major A, one more for the packed copy of a row-major A. */
static void test_workspace_budget(void **state) {
    (void)state;
    trng r = trng_new(39);
    const int64_t n = 64;
    for (int dt = MF_F64; dt <= MF_C128; dt++)
        for (int l = 0; l < 2; l++) {
            const tlayout lay = l == 0 ? TL_COLMAJOR : TL_ROWMAJOR;
            tm A = tm_new(n, n, dt, lay), E = tm_new(n, n, dt, lay);
            tm_fill_random(&A, &r);
            mf__alloc_stats_reset();
            mf_expm_info info;
            assert_ok(mf_expm_ex(&A.m, &E.m, NULL, &info));
            assert_true(info.degree == 18 || info.degree == 15);
            const double per =
                (double)mf__alloc_stats_get().peak_bytes / (double)(n * n * mf__elem_size(dt));
            assert_le(per, l == 0 ? 5.5 : 6.5);
            tm_free(&A), tm_free(&E);
        }
}

/* The alpha_p refinement is skipped when the bound || |A|^l ||_1 >= m^l
 * (m the smallest column sum of |A|) shows that the ell correction leaves
 * nothing cheaper than the choice by ||A||_1. Checked here against the
 * refinement itself with exact |A|^k norms (d_3..d_5 by their |A| bounds,
 * d_2 exact): whenever the test says "cannot pay", the refinement returns
 * the first choice, for dense, non-normal and nearly diagonal matrices;
 * and the test does say so for dense ones. */
static void test_alpha_skip_bound(void **state) {
    (void)state;
    trng r = trng_new(40);
    static const double norms[] = {1.5, 3.0, 10.0, 20.0, 40.0, 80.0, 300.0};
    int skipped = 0;
    for (int64_t n = 4; n <= 64; n += 12)
        for (int kind = 0; kind < 3; kind++)
            for (size_t q = 0; q < sizeof norms / sizeof norms[0]; q++)
                for (int32_t fam = MF_EXPM_AUTO; fam <= MF_EXPM_PADE; fam++) {
                    tz *a = fast_path_matrix(n, false, kind == 1, norms[q], &r);
                    if (kind == 2) /* weak off-diagonal: small columns beside big ones */
                        for (int64_t k = 0; k < n * n; k++)
                            a[k] *= k % (n + 1) == 0 ? (double)(k % 7 + 1) : 0.01;
                    double *re = malloc(sizeof(double) * (size_t)(n * n + 2 * n)),
                           *w = malloc(sizeof(double) * (size_t)(n * n + 2 * n));
                    double d1 = 0.0, mincol = INFINITY;
                    for (int64_t j = 0; j < n; j++) {
                        double c = 0.0;
                        for (int64_t i = 0; i < n; i++)
                            c += fabs(re[i + j * n] = creal(a[i + j * n]));
                        d1 = fmax(d1, c);
                        mincol = fmin(mincol, c);
                    }
                    tz *a2 = tz_alloc(n * n);
                    tz_matmul(n, n, n, a, a, a2);
                    double n2 = 0.0;
                    for (int64_t j = 0; j < n; j++) {
                        double c = 0.0;
                        for (int64_t i = 0; i < n; i++)
                            c += cabs(a2[i + j * n]);
                        n2 = fmax(n2, c);
                    }
                    const mf__expm_choice c = mf__expm_cheapest(fam, d1, 0);
                    double nb[MF__EXPM_MAX_ORDER + 1];
                    mf__expm_abs_power_norms(n, re, n, d1, mf__expm_abs_kmax(fam), nb, w);
                    const double known[3] = {INFINITY, INFINITY, INFINITY}; /* |A| bounds only */
                    const mf__expm_choice got =
                        mf__expm_alpha_choice(fam, c, d1, sqrt(n2), known, nb);
                    if (c.s > 0 && !mf__expm_alpha_may_pay(fam, c, d1, mincol)) {
                        skipped++;
                        if (got.id != c.id || got.s != c.s)
                            fail_msg("n %lld kind %d norm %g family %d: refinement (%d, s %d) "
                                     "beats (%d, s %d) after the bound said it cannot",
                                     (long long)n, kind, norms[q], fam, got.id, got.s, c.id, c.s);
                    }
                    free(re), free(w), free(a), free(a2);
                }
    printf("# alpha skip bound: %d skipped\n", skipped);
    assert_true(skipped >= 20);
}

/* Long linear combinations are split over the pool's threads in pieces;
 * each element must get the same arithmetic as in one unsplit pass (here:
 * the same call on ranges too short to split), whatever the thread count.
 * The length is not a multiple of the piece. */
static void test_lincomb_split_bitwise(void **state) {
    (void)state;
    const int64_t len = ((int64_t)1 << 18) + ((int64_t)1 << 16) + 40, chunk = 1 << 12;
    double *m[3], *split = malloc((size_t)len * sizeof(double));
    double *whole = malloc((size_t)len * sizeof(double));
    double *outs[2] = {malloc((size_t)len * sizeof(double)), malloc((size_t)len * sizeof(double))};
    trng r = trng_new(77);
    for (int k = 0; k < 3; k++) {
        m[k] = malloc((size_t)len * sizeof(double));
        for (int64_t e = 0; e < len; e++)
            m[k][e] = trng_normal(&r);
    }
    const double c[3] = {0.5, -1.25, 3.0};
    const double cm[2][MF__EXPM_LINCOMB_MAX] = {{1.0, 2.0, -0.5}, {-3.0, 0.25, 1.5}};
    for (int threads = 1; threads <= 3; threads++) {
        mf__expm_lincomb_force_threads(threads);
        mf__expm_lincomb(len, split, 3, c, (const double *const *)m);
        for (int64_t e0 = 0; e0 < len; e0 += chunk) {
            const double *mk[3] = {m[0] + e0, m[1] + e0, m[2] + e0};
            mf__expm_lincomb(len - e0 < chunk ? len - e0 : chunk, whole + e0, 3, c, mk);
        }
        assert_memory_equal(split, whole, (size_t)len * sizeof(double));
        mf__expm_lincomb_multi(len, 2, outs, 3, cm, (const double *const *)m);
        for (int64_t e0 = 0; e0 < len; e0 += chunk) {
            const double *mk[3] = {m[0] + e0, m[1] + e0, m[2] + e0};
            double *o[1] = {whole + e0};
            mf__expm_lincomb_multi(len - e0 < chunk ? len - e0 : chunk, 1, o, 3, &cm[1], mk);
        }
        assert_memory_equal(outs[1], whole, (size_t)len * sizeof(double));
    }
    mf__expm_lincomb_force_threads(0);
    for (int k = 0; k < 3; k++)
        free(m[k]);
    free(split), free(whole), free(outs[0]), free(outs[1]);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_cases_all_schemes),
        cmocka_unit_test(test_reference_cases_layouts_in_place),
        cmocka_unit_test(test_layouts_bitwise_equal),
        cmocka_unit_test(test_real_input_complex_output),
        cmocka_unit_test(test_identities),
        cmocka_unit_test(test_structure_paths),
        cmocka_unit_test(test_info_report),
        cmocka_unit_test(test_overflow),
        cmocka_unit_test(test_fast_paths_match_general),
        cmocka_unit_test(test_fixed_path_edges),
        cmocka_unit_test(test_error_paths),
        cmocka_unit_test(test_allocation_failures),
        cmocka_unit_test(test_workspace_budget),
        cmocka_unit_test(test_alpha_skip_bound),
        cmocka_unit_test(test_lincomb_split_bitwise),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
