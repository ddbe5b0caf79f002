#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A value no computation produces by accident. */
static const double SENTINEL = -7.0e77;

/* ---------- random ---------- */

trng trng_new(uint64_t seed) { return (trng){seed * 0x9E3779B97F4A7C15ull + 1}; }

static uint64_t splitmix(trng *r) {
    uint64_t z = (r->state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

double trng_uniform(trng *r) { return (double)(splitmix(r) >> 11) * 0x1p-53; }

double trng_normal(trng *r) {
    double u1 = trng_uniform(r), u2 = trng_uniform(r);
    if (u1 < 1e-300)
        u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* ---------- layouts ---------- */

const char *tlayout_name(tlayout l) {
    static const char *names[TL_COUNT] = {"colmajor", "rowmajor", "padded-col", "padded-row",
                                          "strided"};
    return (unsigned)l < TL_COUNT ? names[l] : "?";
}

tm tm_new(int64_t rows, int64_t cols, int32_t dtype, tlayout layout) {
    tm t;
    memset(&t, 0, sizeof t);
    t.layout = layout;
    const int64_t r = rows, c = cols;
    int64_t rs = 1, cs = 1, offset = 0, elems = 0;
    switch (layout) {
    case TL_COLMAJOR: rs = 1; cs = r > 0 ? r : 1; elems = r * c; break;
    case TL_ROWMAJOR: rs = c > 0 ? c : 1; cs = 1; elems = r * c; break;
    case TL_PADDED_COL: rs = 1; cs = r + 3; offset = 2 + cs; elems = offset + cs * (c + 1); break;
    case TL_PADDED_ROW: cs = 1; rs = c + 3; offset = 2 + rs; elems = offset + rs * (r + 1); break;
    default: rs = 2; cs = 2 * r + 1; offset = 1; elems = offset + cs * (c + 1) + 2; break;
    }
    const int parts = dtype == MF_C128 ? 2 : 1;
    t.buf_len = (size_t)((elems > 0 ? elems : 1) * parts);
    t.buf = malloc(t.buf_len * sizeof(double));
    assert_non_null(t.buf);
    for (size_t k = 0; k < t.buf_len; k++)
        t.buf[k] = SENTINEL;
    t.m = (mf_matrix){t.buf + offset * parts, rows, cols, rs, cs, dtype, 0};
    return t;
}

void tm_free(tm *t) {
    free(t->buf);
    t->buf = NULL;
}

static double *elem(const tm *t, int64_t i, int64_t j) {
    const int parts = t->m.dtype == MF_C128 ? 2 : 1;
    return (double *)t->m.data + parts * (i * t->m.rs + j * t->m.cs);
}

tz tm_get(const tm *t, int64_t i, int64_t j) {
    const double *e = elem(t, i, j);
    return t->m.dtype == MF_C128 ? CMPLX(e[0], e[1]) : CMPLX(e[0], 0.0);
}

void tm_set(tm *t, int64_t i, int64_t j, tz v) {
    double *e = elem(t, i, j);
    e[0] = creal(v);
    if (t->m.dtype == MF_C128)
        e[1] = cimag(v);
}

void tm_from_dense(tm *t, const tz *a) {
    for (int64_t j = 0; j < t->m.cols; j++)
        for (int64_t i = 0; i < t->m.rows; i++)
            tm_set(t, i, j, a[i + j * t->m.rows]);
}

tz *tm_to_dense(const tm *t) {
    tz *a = tz_alloc(t->m.rows * t->m.cols);
    for (int64_t j = 0; j < t->m.cols; j++)
        for (int64_t i = 0; i < t->m.rows; i++)
            a[i + j * t->m.rows] = tm_get(t, i, j);
    return a;
}

void tm_fill_random(tm *t, trng *r) {
    for (int64_t j = 0; j < t->m.cols; j++)
        for (int64_t i = 0; i < t->m.rows; i++) {
            double re = trng_normal(r), im = t->m.dtype == MF_C128 ? trng_normal(r) : 0.0;
            tm_set(t, i, j, CMPLX(re, im));
        }
}

void tm_fill(tm *t, tz v) {
    for (int64_t j = 0; j < t->m.cols; j++)
        for (int64_t i = 0; i < t->m.rows; i++)
            tm_set(t, i, j, v);
}

bool tm_padding_intact(const tm *t) {
    /* Mark the view's doubles, then every unmarked double must be the sentinel. */
    bool *in_view = calloc(t->buf_len, sizeof(bool));
    assert_non_null(in_view);
    const int parts = t->m.dtype == MF_C128 ? 2 : 1;
    for (int64_t j = 0; j < t->m.cols; j++)
        for (int64_t i = 0; i < t->m.rows; i++) {
            size_t k = (size_t)(elem(t, i, j) - t->buf);
            for (int p = 0; p < parts; p++)
                in_view[k + (size_t)p] = true;
        }
    bool ok = true;
    for (size_t k = 0; k < t->buf_len && ok; k++)
        if (!in_view[k] && memcmp(&t->buf[k], &SENTINEL, sizeof(double)) != 0)
            ok = false;
    free(in_view);
    return ok;
}

double *tm_snapshot(const tm *t) {
    double *s = malloc(t->buf_len * sizeof(double));
    assert_non_null(s);
    memcpy(s, t->buf, t->buf_len * sizeof(double));
    return s;
}

bool tm_unchanged(const tm *t, const double *snapshot) {
    return memcmp(t->buf, snapshot, t->buf_len * sizeof(double)) == 0;
}

/* ---------- dense arithmetic ---------- */

tz *tz_alloc(int64_t count) {
    tz *a = calloc((size_t)(count > 0 ? count : 1), sizeof(tz));
    assert_non_null(a);
    return a;
}

tz *tz_random(int64_t rows, int64_t cols, bool complex_entries, trng *r) {
    tz *a = tz_alloc(rows * cols);
    for (int64_t k = 0; k < rows * cols; k++) {
        double re = trng_normal(r), im = complex_entries ? trng_normal(r) : 0.0;
        a[k] = CMPLX(re, im);
    }
    return a;
}

tz *tz_random_shifted(int64_t n, bool complex_entries, trng *r) {
    tz *a = tz_random(n, n, complex_entries, r);
    for (int64_t i = 0; i < n; i++)
        a[i + i * n] += 1.5 * sqrt((double)n) + 1.0;
    return a;
}

bool tz_is_real(int64_t count, const tz *a) {
    for (int64_t i = 0; i < count; i++)
        if (cimag(a[i]) != 0.0)
            return false;
    return true;
}

tz *tz_random_orthonormal(int64_t m, int64_t n, bool complex_entries, trng *r) {
    tz *q = tz_random(m, n, complex_entries, r);
    for (int pass = 0; pass < 2; pass++) /* twice is enough for orthogonality to rounding */
        for (int64_t j = 0; j < n; j++) {
            for (int64_t k = 0; k < j; k++) {
                tz d = 0;
                for (int64_t i = 0; i < m; i++)
                    d += conj(q[i + k * m]) * q[i + j * m];
                for (int64_t i = 0; i < m; i++)
                    q[i + j * m] -= d * q[i + k * m];
            }
            const double nrm = tz_norm_fro(m, 1, q + j * m);
            for (int64_t i = 0; i < m; i++)
                q[i + j * m] /= nrm;
        }
    return q;
}

void tz_matmul(int64_t m, int64_t k, int64_t n, const tz *a, const tz *b, tz *c) {
    for (int64_t j = 0; j < n; j++)
        for (int64_t i = 0; i < m; i++) {
            /* Compensation-free but in long double real/imag parts for a
             * reference a little better than the library's own products. */
            long double re = 0, im = 0;
            for (int64_t p = 0; p < k; p++) {
                tz x = a[i + p * m], y = b[p + j * k];
                re += (long double)creal(x) * creal(y) - (long double)cimag(x) * cimag(y);
                im += (long double)creal(x) * cimag(y) + (long double)cimag(x) * creal(y);
            }
            c[i + j * m] = CMPLX((double)re, (double)im);
        }
}

tz *tz_conj_transpose(int64_t rows, int64_t cols, const tz *a) {
    tz *t = tz_alloc(rows * cols);
    for (int64_t j = 0; j < cols; j++)
        for (int64_t i = 0; i < rows; i++)
            t[j + i * cols] = conj(a[i + j * rows]);
    return t;
}

double tz_norm_fro(int64_t rows, int64_t cols, const tz *a) {
    double s = 0.0;
    for (int64_t k = 0; k < rows * cols; k++)
        s += creal(a[k]) * creal(a[k]) + cimag(a[k]) * cimag(a[k]);
    return sqrt(s);
}

double tz_norm1(int64_t n, const tz *a) {
    double best = 0.0;
    for (int64_t j = 0; j < n; j++) {
        double s = 0.0;
        for (int64_t i = 0; i < n; i++)
            s += cabs(a[i + j * n]);
        best = s > best ? s : best;
    }
    return best;
}

double tz_diff_fro(int64_t rows, int64_t cols, const tz *a, const tz *b) {
    double s = 0.0;
    for (int64_t k = 0; k < rows * cols; k++) {
        tz d = a[k] - b[k];
        s += creal(d) * creal(d) + cimag(d) * cimag(d);
    }
    return sqrt(s);
}

tz *tz_identity(int64_t n) {
    tz *a = tz_alloc(n * n);
    for (int64_t i = 0; i < n; i++)
        a[i + i * n] = 1.0;
    return a;
}

/* ---------- assertions ---------- */

void assert_last_error_mentions(const char *text) {
    if (strstr(mf_last_error(), text) == NULL)
        fail_msg("mf_last_error() = \"%s\" does not mention \"%s\"", mf_last_error(), text);
}

/* ---------- allocation-failure sweep ---------- */

/* One sweep: fail the k-th allocation (alloc) or backend call (!alloc). */
static int tsweep(bool alloc, tsweep_call call, void *ctx, tm *const *outputs, int n_outputs) {
    const mf_status expected = alloc ? MF_ENOMEM : MF_EBACKEND;
    const char *what = alloc ? "allocation" : "backend call";
    double **snaps = calloc((size_t)(n_outputs > 0 ? n_outputs : 1), sizeof(double *));
    assert_non_null(snaps);
    int exercised = 0;
    for (int64_t k = 1; k < 100000; k++) {
        for (int o = 0; o < n_outputs; o++)
            if (outputs[o] != NULL)
                snaps[o] = tm_snapshot(outputs[o]);
        mf__alloc_stats_reset();
        const int64_t live_before = mf__alloc_stats_get().live_blocks;
        const int64_t calls_before = mf__lapack_calls();
        if (alloc)
            mf__alloc_fail_at(k);
        else
            mf__lapack_fault_at(k);
        mf_status st = call(ctx);
        mf__alloc_fail_at(0);
        mf__lapack_fault_at(0);
        mf__alloc_stats after = mf__alloc_stats_get();
        if (after.live_blocks != live_before)
            fail_msg("%s %lld failed: %lld blocks leaked (status %d, %s)", what, (long long)k,
                     (long long)(after.live_blocks - live_before), st, mf_last_error());
        const bool reached = (alloc ? after.calls : mf__lapack_calls() - calls_before) >= k;
        if (st == expected) {
            exercised++;
            for (int o = 0; o < n_outputs; o++)
                if (outputs[o] != NULL && !tm_unchanged(outputs[o], snaps[o]))
                    fail_msg("%s %lld failed and output %d was modified", what, (long long)k, o);
        } else if (st != MF_OK) {
            fail_msg("%s %lld failed: status %d (%s), expected %d; %s", what, (long long)k, st,
                     mf_strerror(st), expected, mf_last_error());
        }
        for (int o = 0; o < n_outputs; o++) {
            free(snaps[o]);
            snaps[o] = NULL;
        }
        if (st == MF_OK && !reached)
            break;
    }
    free(snaps);
    return exercised;
}

int tsweep_alloc_failures(tsweep_call call, void *ctx, tm *const *outputs, int n_outputs) {
    return tsweep(true, call, ctx, outputs, n_outputs);
}

int tsweep_lapack_faults(tsweep_call call, void *ctx, tm *const *outputs, int n_outputs) {
    return tsweep(false, call, ctx, outputs, n_outputs);
}

void tsweep_square(const tz *a, int64_t n, int32_t dtA, int32_t dtX, tsweep_call call,
                   int min_points, uint64_t seed) {
    trng r = trng_new(seed);
    tm A = tm_new(n, n, dtA, TL_ROWMAJOR), X = tm_new(n, n, dtX, TL_PADDED_COL),
       E = tm_new(n, n, dtA, TL_COLMAJOR);
    tm_from_dense(&A, a);
    tm_fill_random(&E, &r);
    tsweep_square_args args = {&A, &X, &E};
    tm *outs[] = {&X};
    const int points = tsweep_alloc_failures(call, &args, outs, 1);
    if (points < min_points)
        fail_msg("only %d allocation points exercised, expected >= %d", points, min_points);
    tm_free(&A);
    tm_free(&X);
    tm_free(&E);
}

double tz_sylvester_residual(int64_t m, int64_t n, const tz *a, const tz *b, const tz *x,
                             const tz *c) {
    tz *ax = tz_alloc(m * n), *xb = tz_alloc(m * n);
    tz_matmul(m, m, n, a, x, ax);
    tz_matmul(m, n, n, x, b, xb);
    for (int64_t i = 0; i < m * n; i++)
        ax[i] += xb[i];
    const double res = tz_diff_fro(m, n, ax, c);
    free(ax);
    free(xb);
    return res;
}
