/* Batched matrix exponential: mf_expm_batch, mf_expm_batch_strided.
 * Every member equals mf_expm of it (bitwise), for both entry points,
 * threads, dtypes, in place; per-member status with failing members left
 * untouched; argument errors touch nothing. */
#include "testutil.h"
#include "funcs/expm.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* count members of n x n in one contiguous (count, n, n) C-order array. */
typedef struct stack3 {
    double *buf;
    int64_t count, n;
    int32_t dtype;
} stack3;

static stack3 stack_new(int64_t count, int64_t n, int32_t dt, trng *r) {
    stack3 s = {calloc((size_t)(count * n * n * 2 + 1), sizeof(double)), count, n, dt};
    const int64_t parts = dt == MF_C128 ? 2 : 1;
    for (int64_t k = 0; k < count * n * n * parts; k++)
        s.buf[k] = trng_normal(r) * (1.0 + (double)(k % 7));
    return s;
}

static mf_matrix stack_member(const stack3 *s, int64_t k) {
    mf_matrix m;
    const int64_t parts = s->dtype == MF_C128 ? 2 : 1;
    assert_ok(mf_view_rowmajor(&m, s->buf + k * s->n * s->n * parts, s->n, s->n, s->n, s->dtype));
    return m;
}

/* Reference: mf_expm member by member. */
static stack3 reference(const stack3 *in) {
    stack3 out = {calloc((size_t)(in->count * in->n * in->n * 2 + 1), sizeof(double)), in->count, in->n,
                  in->dtype};
    for (int64_t k = 0; k < in->count; k++) {
        mf_matrix a = stack_member(in, k), e = stack_member(&out, k);
        assert_ok(mf_expm(&a, &e));
    }
    return out;
}

static size_t stack_bytes(const stack3 *s) {
    return (size_t)(s->count * s->n * s->n) * mf__elem_size(s->dtype);
}

static void test_batch_matches_single(void **state) {
    (void)state;
    trng r = trng_new(51);
    const int64_t sizes[] = {1, 2, 3, 4, 8, 16, 20};
    for (int dt = MF_F64; dt <= MF_C128; dt++)
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            const int64_t n = sizes[s], count = n > 16 ? 5 : 301;
            stack3 in = stack_new(count, n, dt, &r), ref = reference(&in);
            for (int32_t threads = 0; threads <= 3; threads++) {
                /* array form */
                stack3 out = {calloc((size_t)(count * n * n * 2 + 1), sizeof(double)), count, n, dt};
                mf_matrix *A = malloc((size_t)count * sizeof *A), *E = malloc((size_t)count * sizeof *E);
                mf_status *st = malloc((size_t)count * sizeof *st);
                for (int64_t k = 0; k < count; k++) {
                    A[k] = stack_member(&in, k);
                    E[k] = stack_member(&out, k);
                    st[k] = (mf_status)99;
                }
                assert_ok(mf_expm_batch(count, A, E, st, threads));
                for (int64_t k = 0; k < count; k++)
                    assert_int_equal(st[k], MF_OK);
                assert_memory_equal(out.buf, ref.buf, stack_bytes(&in));
                /* strided form, out of place and in place */
                memset(out.buf, 0, stack_bytes(&out));
                mf_matrix a0 = stack_member(&in, 0), e0 = stack_member(&out, 0);
                assert_ok(mf_expm_batch_strided(count, &a0, n * n, &e0, n * n, NULL, threads));
                assert_memory_equal(out.buf, ref.buf, stack_bytes(&in));
                memcpy(out.buf, in.buf, stack_bytes(&in));
                assert_ok(mf_expm_batch_strided(count, &e0, n * n, &e0, n * n, st, threads));
                assert_memory_equal(out.buf, ref.buf, stack_bytes(&in));
                free(out.buf), free(A), free(E), free(st);
            }
            free(in.buf), free(ref.buf);
        }
}

/* Member k of a batch that mixes every case the vector lanes of the batch
 * path treat differently: scales from 2^-30 to 2^29 (every approximant and
 * many squarings), triangular, diagonal, quasi-triangular and zero
 * members (handed to the single path), a norm below the degree-1
 * threshold, huge norms, an overflowing result and a NaN. */
static void mixed_member(double *m, int64_t n, int64_t k, trng *r) {
    for (int64_t e = 0; e < n * n; e++)
        m[e] = trng_normal(r) * ldexp(1.0, (int)((k * 7) % 60) - 30);
    switch (k % 13) {
    case 1: /* upper triangular (row-major storage: i > j is below) */
        for (int64_t i = 0; i < n; i++)
            for (int64_t j = 0; j < i; j++)
                m[i * n + j] = 0.0;
        break;
    case 2: /* diagonal */
        for (int64_t e = 0; e < n * n; e++)
            if (e % (n + 1) != 0)
                m[e] = 0.0;
        break;
    case 3:
        memset(m, 0, (size_t)(n * n) * sizeof *m);
        break;
    case 4:
        for (int64_t e = 0; e < n * n; e++)
            m[e] = 1e-17 * trng_normal(r);
        break;
    case 5:
        m[1] = 1e120;
        break;
    case 6: /* exp overflows */
        for (int64_t i = 0; i < n; i++)
            m[i * (n + 1)] = 800.0;
        break;
    case 7:
        m[n] = NAN;
        break;
    case 8: /* quasi-triangular: one 2 x 2 block on top, zeros below it */
        for (int64_t i = 1; i < n; i++)
            for (int64_t j = 0; j < i; j++)
                m[i * n + j] = (i == 1 && j == 0) ? -1.5 : 0.0;
        break;
    default:
        break;
    }
}

/* Each code variant the CPU runs (vector lanes with AVX-512 or AVX2, or
 * none): every member's status and bits equal mf_expm's, failing members
 * are untouched, and the call reports the first failing member. */
static void test_batch_lanes_mixed(void **state) {
    (void)state;
    for (int level = 2; level >= 0; level--) {
        mf__expm_force_cpu_level(level);
        for (int64_t n = 3; n <= 8; n++) {
            trng r = trng_new(60 + (uint64_t)n);
            const int64_t count = 203;
            stack3 in = {calloc((size_t)(count * n * n), sizeof(double)), count, n, MF_F64};
            for (int64_t k = 0; k < count; k++)
                mixed_member(in.buf + k * n * n, n, k, &r);
            stack3 out = {malloc((size_t)(count * n * n) * sizeof(double)), count, n, MF_F64};
            for (int64_t e = 0; e < count * n * n; e++)
                out.buf[e] = -7.0;
            mf_status st[203];
            mf_matrix a0 = stack_member(&in, 0), e0 = stack_member(&out, 0);
            const mf_status all =
                mf_expm_batch_strided(count, &a0, n * n, &e0, n * n, st, level == 1 ? 2 : 1);
            int64_t first = -1;
            for (int64_t k = 0; k < count; k++) {
                double e[64];
                for (int64_t i = 0; i < n * n; i++)
                    e[i] = -7.0;
                mf_matrix a = stack_member(&in, k), ev;
                assert_ok(mf_view_rowmajor(&ev, e, n, n, n, MF_F64));
                const mf_status want = mf_expm(&a, &ev);
                assert_int_equal(st[k], want);
                assert_memory_equal(e, out.buf + k * n * n, (size_t)(n * n) * sizeof(double));
                if (want != MF_OK && first < 0)
                    first = k;
            }
            assert_true(first >= 0);
            assert_int_equal(all, st[first]);
            free(in.buf), free(out.buf);
        }
    }
    mf__expm_force_cpu_level(-1);
}

/* Members 5 (NaN) and 17 (overflow) fail; the others succeed; failing
 * members' outputs are untouched; the call reports member 5. */
static void test_batch_failing_members(void **state) {
    (void)state;
    trng r = trng_new(52);
    const int64_t n = 4, count = 64;
    for (int32_t threads = 0; threads <= 2; threads++) {
        stack3 in = stack_new(count, n, MF_F64, &r);
        in.buf[5 * n * n + 3] = NAN;
        for (int64_t i = 0; i < n; i++)
            in.buf[17 * n * n + i * (n + 1)] = 1000.0;
        stack3 out = {malloc((size_t)(count * n * n) * sizeof(double)), count, n, MF_F64};
        for (int64_t k = 0; k < count * n * n; k++)
            out.buf[k] = -7.0;
        mf_status st[64];
        mf_matrix a0 = stack_member(&in, 0), e0 = stack_member(&out, 0);
        assert_status(mf_expm_batch_strided(count, &a0, n * n, &e0, n * n, st, threads), MF_ENONFINITE);
        assert_last_error_mentions("member 5");
        for (int64_t k = 0; k < count; k++) {
            const mf_status want = k == 5 ? MF_ENONFINITE : k == 17 ? MF_EOVERFLOW : MF_OK;
            assert_int_equal(st[k], want);
            mf_matrix a = stack_member(&in, k);
            double e[16];
            mf_matrix ev;
            assert_ok(mf_view_rowmajor(&ev, e, n, n, n, MF_F64));
            if (want == MF_OK) {
                assert_ok(mf_expm(&a, &ev));
                assert_memory_equal(e, out.buf + k * n * n, sizeof e);
            } else {
                for (int64_t i = 0; i < n * n; i++)
                    assert_true(out.buf[k * n * n + i] == -7.0);
            }
        }
        free(in.buf), free(out.buf);
    }
}

static void test_batch_argument_errors(void **state) {
    (void)state;
    double a[18] = {0}, e[18];
    for (int i = 0; i < 18; i++)
        e[i] = 3.0;
    mf_matrix A[2], E[2];
    assert_ok(mf_view_colmajor(&A[0], a, 3, 3, 3, MF_F64));
    assert_ok(mf_view_colmajor(&A[1], a + 9, 2, 2, 2, MF_F64)); /* wrong size */
    assert_ok(mf_view_colmajor(&E[0], e, 3, 3, 3, MF_F64));
    assert_ok(mf_view_colmajor(&E[1], e + 9, 3, 3, 3, MF_F64));
    mf_status st[2] = {(mf_status)99, (mf_status)99};
    assert_status(mf_expm_batch(2, A, E, st, 0), MF_EINVAL);
    assert_last_error_mentions("member 1");
    assert_status(mf_expm_batch(-1, A, E, st, 0), MF_EINVAL);
    assert_status(mf_expm_batch(2, NULL, E, st, 0), MF_EINVAL);
    assert_status(mf_expm_batch(2, A, NULL, st, 0), MF_EINVAL);
    assert_status(mf_expm_batch(1, A, E, st, -1), MF_EINVAL);
    assert_status(mf_expm_batch_strided(2, &A[0], 0, &E[0], 9, st, 0), MF_EINVAL);
    assert_status(mf_expm_batch_strided(2, &A[0], 9, &E[0], 9, st, -2), MF_EINVAL);
    assert_status(mf_expm_batch_strided(-3, &A[0], 9, &E[0], 9, st, 0), MF_EINVAL);
    assert_status(mf_expm_batch_strided(2, NULL, 9, &E[0], 9, st, 0), MF_EINVAL);
    assert_status(mf_expm_batch_strided(INT64_MAX, &A[0], 9, &E[0], 9, st, 0), MF_EINVAL);
    mf_matrix bad = A[0];
    bad.dtype = 9;
    assert_status(mf_expm_batch_strided(2, &bad, 9, &E[0], 9, st, 0), MF_EINVAL);
    for (int i = 0; i < 18; i++)
        assert_true(e[i] == 3.0);
    assert_int_equal(st[0], 99);
    assert_int_equal(st[1], 99);
    /* empty batches succeed and touch nothing */
    assert_ok(mf_expm_batch(0, NULL, NULL, NULL, 0));
    assert_ok(mf_expm_batch_strided(0, &A[0], 0, &E[0], 0, NULL, 0));
    /* a member whose output has the wrong dtype fails alone */
    mf_matrix Ac[2], Ec[2];
    double ac[36] = {0}, ec[36];
    assert_ok(mf_view_colmajor(&Ac[0], ac, 3, 3, 3, MF_C128));
    assert_ok(mf_view_colmajor(&Ac[1], ac + 18, 3, 3, 3, MF_C128));
    assert_ok(mf_view_colmajor(&Ec[0], ec, 3, 3, 3, MF_C128));
    assert_ok(mf_view_colmajor(&Ec[1], ec + 18, 3, 3, 3, MF_F64));
    assert_status(mf_expm_batch(2, Ac, Ec, st, 1), MF_EDTYPE);
    assert_int_equal(st[0], MF_OK);
    assert_int_equal(st[1], MF_EDTYPE);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batch_matches_single),
        cmocka_unit_test(test_batch_failing_members),
        cmocka_unit_test(test_batch_lanes_mixed),
        cmocka_unit_test(test_batch_argument_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
