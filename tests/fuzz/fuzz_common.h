/*
 * Shared decoding and invariant checks of the libFuzzer harnesses.
 *
 * The fuzzer's bytes are read as a little program: a selector byte picks
 * the function, then every matrix argument is decoded as shape, dtype,
 * storage layout (column-major, row-major, padded, general strides, and for
 * inputs also a self-overlapping rs = cs = 1 view), values (mostly moderate,
 * some NaN, Inf, subnormal, huge, tiny, signed zeros or raw bit patterns)
 * and, for outputs, aliasing (a fresh buffer, exactly an input = in place,
 * or a partial overlap with an input). Reading past the end yields zeros,
 * so every byte string is a valid program.
 *
 * Invariants checked after every call (a violation aborts, which libFuzzer
 * reports as a crash):
 *  - the status is one of the contract's codes, and never MF_EBACKEND (a
 *    LAPACK argument error means the library passed a bad argument);
 *  - on failure every buffer, outputs and inputs, is byte-for-byte as
 *    before, and scalar outputs keep their sentinel;
 *  - on success inputs are unchanged (unless an output is exactly them),
 *    nothing outside an output view changed, and matrix outputs are finite;
 *  - cheap residual identities where the harness has one.
 */
#ifndef MF_FUZZ_COMMON_H
#define MF_FUZZ_COMMON_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matfun.h"

#define FZ_MAX_ARGS 8
#define FZ_PAD 3.25 /* the value every buffer double starts as */

typedef struct fz_reader {
    const uint8_t *data;
    size_t size, pos;
} fz_reader;

static inline uint8_t fz_u8(fz_reader *r) { return r->pos < r->size ? r->data[r->pos++] : 0; }

static inline double fz_raw_double(fz_reader *r) {
    uint64_t bits = 0;
    for (int k = 0; k < 8; k++)
        bits |= (uint64_t)fz_u8(r) << (8 * k);
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

typedef struct fz_buf {
    double *p;
    size_t len; /* doubles */
    double *snap;
    bool *in_view; /* doubles covered by an output view */
    bool is_output;
} fz_buf;

typedef struct fz_ctx {
    fz_reader r;
    fz_buf buf[FZ_MAX_ARGS];
    int nbuf;
    mf_matrix m[FZ_MAX_ARGS];
    int buf_of[FZ_MAX_ARGS]; /* which buffer each descriptor views */
    bool is_out[FZ_MAX_ARGS];
    int nm;
    bool hostile; /* a special value (NaN, Inf, huge, tiny...) was decoded */
    bool huge;    /* a value of magnitude 2^64 or more was decoded */
    /* The function documents MF_EOVERFLOW for a result beyond the double
     * range, so a success must be finite even from hostile inputs. The
     * others (mf_solve, the applied Kronecker products...) are checked for
     * finite outputs only on inputs without special values: they do not
     * promise MF_EOVERFLOW (docs/reliability.md, open questions). */
    bool overflow_documented;
} fz_ctx;

static inline void fz_init(fz_ctx *c, const uint8_t *data, size_t size) {
    memset(c, 0, sizeof *c);
    c->r = (fz_reader){data, size, 0};
}

static inline uint8_t fz_byte(fz_ctx *c) { return fz_u8(&c->r); }

/* A dimension in [0, max]. */
static inline int64_t fz_dim(fz_ctx *c, int max) { return fz_byte(c) % (max + 1); }

static inline double fz_value(fz_ctx *c) {
    const uint8_t v = fz_byte(c);
    const double sign = (v & 0x80) ? -1.0 : 1.0;
    switch (v & 0x1f) {
    case 24: c->hostile = true; return NAN;
    case 25: c->hostile = true; return sign * INFINITY;
    case 26: c->hostile = true; return sign * 4.9e-324 * (1 + fz_byte(c));
    case 27: c->hostile = c->huge = true; return sign * 1e300 * (1 + fz_byte(c) / 64.0);
    case 28: c->hostile = true; return sign * 1e-300;
    case 29: return sign * 0.0;
    case 30: {
        c->hostile = true;
        const double d = fz_raw_double(&c->r);
        c->huge = c->huge || !(fabs(d) < 0x1p64);
        return d;
    }
    case 31: {
        c->hostile = true;
        const int e = (int)fz_byte(c) - 128;
        c->huge = c->huge || e >= 64;
        return sign * ldexp(1.0, e);
    }
    default: return (double)(int8_t)fz_byte(c) / 16.0;
    }
}

static inline int32_t fz_dtype(fz_ctx *c) { return (fz_byte(c) & 1) ? MF_C128 : MF_F64; }

static inline size_t fz_extent(const mf_matrix *m) {
    if (m->rows == 0 || m->cols == 0)
        return 1;
    return (size_t)((m->rows - 1) * m->rs + (m->cols - 1) * m->cs + 1);
}

static inline int fz_new_buf(fz_ctx *c, size_t doubles) {
    if (c->nbuf >= FZ_MAX_ARGS)
        abort();
    fz_buf *b = &c->buf[c->nbuf];
    b->len = doubles;
    b->p = malloc(doubles * sizeof(double));
    b->in_view = calloc(doubles, sizeof(bool));
    if (!b->p || !b->in_view)
        abort();
    for (size_t k = 0; k < doubles; k++)
        b->p[k] = FZ_PAD;
    return c->nbuf++;
}

/* Strides for a layout: 0 column-major, 1 row-major, 2 padded column-major,
 * 3 padded row-major, 4 general strides, 5 (inputs only) rs = cs = 1. */
static inline void fz_strides(int layout, int64_t rows, int64_t cols, int64_t *rs, int64_t *cs) {
    switch (layout) {
    case 1: *rs = cols > 0 ? cols : 1; *cs = 1; break;
    case 2: *rs = 1; *cs = rows + 2; break;
    case 3: *cs = 1; *rs = cols + 2; break;
    case 4: *rs = 2; *cs = 2 * rows + 1; break;
    case 5: *rs = 1; *cs = 1; break;
    default: *rs = 1; *cs = rows > 0 ? rows : 1; break;
    }
}

static inline double *fz_elem(const mf_matrix *m, int64_t i, int64_t j) {
    const int parts = m->dtype == MF_C128 ? 2 : 1;
    return (double *)m->data + parts * (i * m->rs + j * m->cs);
}

/* An input argument: decoded layout and values. */
static inline mf_matrix *fz_input(fz_ctx *c, int64_t rows, int64_t cols, int32_t dt) {
    const int k = c->nm++;
    if (k >= FZ_MAX_ARGS)
        abort();
    int64_t rs, cs;
    fz_strides(fz_byte(c) % 6, rows, cols, &rs, &cs);
    mf_matrix *m = &c->m[k];
    *m = (mf_matrix){NULL, rows, cols, rs, cs, dt, 0};
    const int parts = dt == MF_C128 ? 2 : 1;
    /* Slack so that a partially overlapping output of this shape fits. */
    const size_t len = (fz_extent(m) + 2 + (size_t)(rows * cols)) * (size_t)parts;
    const int b = fz_new_buf(c, len);
    m->data = c->buf[b].p + parts;
    c->buf_of[k] = b;
    for (int64_t j = 0; j < cols; j++)
        for (int64_t i = 0; i < rows; i++) {
            double *e = fz_elem(m, i, j);
            e[0] = fz_value(c);
            if (parts == 2)
                e[1] = (fz_byte(c) & 3) == 0 ? 0.0 : fz_value(c);
        }
    return m;
}

/* Mark the doubles of an output view. */
static inline void fz_mark_view(fz_ctx *c, int k) {
    const mf_matrix *m = &c->m[k];
    fz_buf *b = &c->buf[c->buf_of[k]];
    const int parts = m->dtype == MF_C128 ? 2 : 1;
    for (int64_t j = 0; j < m->cols; j++)
        for (int64_t i = 0; i < m->rows; i++) {
            size_t off = (size_t)(fz_elem(m, i, j) - b->p);
            for (int p = 0; p < parts; p++)
                if (off + (size_t)p < b->len)
                    b->in_view[off + (size_t)p] = true;
        }
    b->is_output = true;
}

/* An output argument of the given shape and dtype. One byte in four asks
 * for something else: exactly the input `alias` (in place; only taken when
 * shape and dtype match, else a fresh buffer), a partial overlap with it,
 * or a wrong shape. */
static inline mf_matrix *fz_output(fz_ctx *c, int64_t rows, int64_t cols, int32_t dt,
                                   const mf_matrix *alias) {
    const int k = c->nm++;
    if (k >= FZ_MAX_ARGS)
        abort();
    const uint8_t mode = fz_byte(c);
    int64_t rs, cs;
    fz_strides(mode % 5, rows, cols, &rs, &cs);
    mf_matrix *m = &c->m[k];
    c->is_out[k] = true;
    const int choice = (mode >> 3) % 16;
    if (alias != NULL && choice == 1 && alias->rows == rows && alias->cols == cols &&
        alias->dtype == dt) {
        *m = *alias;
        c->buf_of[k] = c->buf_of[alias - c->m];
    } else if (alias != NULL && choice == 2) {
        const int b = c->buf_of[alias - c->m];
        *m = (mf_matrix){(double *)alias->data + 1, rows, cols, 1, rows > 0 ? rows : 1, dt, 0};
        c->buf_of[k] = b;
        /* Keep the view inside the buffer. */
        const int parts = dt == MF_C128 ? 2 : 1;
        if ((size_t)(((double *)m->data - c->buf[b].p)) + fz_extent(m) * (size_t)parts >
            c->buf[b].len) {
            m->rows = m->cols = 0;
        }
    } else {
        if (choice == 3)
            rows += 1; /* wrong shape: MF_EDIM expected */
        *m = (mf_matrix){NULL, rows, cols, rs, cs, dt, 0};
        const int parts = dt == MF_C128 ? 2 : 1;
        const int b = fz_new_buf(c, (fz_extent(m) + 2) * (size_t)parts);
        m->data = c->buf[b].p + parts;
        c->buf_of[k] = b;
    }
    fz_mark_view(c, k);
    return m;
}

/* An optional output: m when used, else NULL, and then it no longer counts
 * as an output (its buffer must stay as it was). */
static inline mf_matrix *fz_opt(fz_ctx *c, mf_matrix *m, bool used) {
    if (used)
        return m;
    c->is_out[m - c->m] = false;
    for (int b = 0; b < c->nbuf; b++) {
        memset(c->buf[b].in_view, 0, c->buf[b].len * sizeof(bool));
        c->buf[b].is_output = false;
    }
    for (int k = 0; k < c->nm; k++)
        if (c->is_out[k])
            fz_mark_view(c, k);
    return NULL;
}

static inline void fz_snapshot(fz_ctx *c) {
    for (int b = 0; b < c->nbuf; b++) {
        c->buf[b].snap = malloc(c->buf[b].len * sizeof(double));
        if (!c->buf[b].snap)
            abort();
        memcpy(c->buf[b].snap, c->buf[b].p, c->buf[b].len * sizeof(double));
    }
}

#define FZ_FAIL(...)                                                                               \
    do {                                                                                           \
        fprintf(stderr, "fuzz invariant violated: " __VA_ARGS__);                                  \
        fprintf(stderr, "\nlast error: %s\n", mf_last_error());                                    \
        abort();                                                                                   \
    } while (0)

/* Every argument, to stderr, for the report of a violation. */
static inline void fz_dump(const fz_ctx *c) {
    for (int k = 0; k < c->nm; k++) {
        const mf_matrix *m = &c->m[k];
        fprintf(stderr, "arg %d (%s, buffer %d): %lld x %lld, rs %lld, cs %lld, dtype %d\n", k,
                c->is_out[k] ? "out" : "in", c->buf_of[k], (long long)m->rows, (long long)m->cols,
                (long long)m->rs, (long long)m->cs, (int)m->dtype);
        for (int64_t i = 0; i < m->rows; i++) {
            for (int64_t j = 0; j < m->cols; j++) {
                const double *e = fz_elem(m, i, j);
                if (m->dtype == MF_C128)
                    fprintf(stderr, " %.3g%+.3gi", e[0], e[1]);
                else
                    fprintf(stderr, " %.3g", e[0]);
            }
            fprintf(stderr, "\n");
        }
    }
}

/* The invariants after a call; extra_scalars are sentinel-initialized
 * scalar outputs (count n_scalars) that must be untouched on failure. */
static inline void fz_check(fz_ctx *c, const char *fn, mf_status st, const double *scalars,
                            const double *scalar_sentinels, int n_scalars) {
    if ((int)st < 0 || (int)st >= MF_STATUS_COUNT)
        FZ_FAIL("%s returned %d, not a status code", fn, (int)st);
    if (st == MF_EBACKEND && (fz_dump(c), true))
        FZ_FAIL("%s: a backend argument error (MF_EBACKEND): %s", fn, mf_last_error());
    if (st != MF_OK) {
        if (mf_last_error()[0] == '\0')
            FZ_FAIL("%s failed (%d) without a message", fn, (int)st);
        for (int b = 0; b < c->nbuf; b++)
            if (memcmp(c->buf[b].p, c->buf[b].snap, c->buf[b].len * sizeof(double)) != 0)
                FZ_FAIL("%s failed with %s but changed argument buffer %d", fn, mf_strerror(st), b);
        for (int s = 0; s < n_scalars; s++)
            if (memcmp(&scalars[s], &scalar_sentinels[s], sizeof(double)) != 0)
                FZ_FAIL("%s failed but wrote scalar output %d", fn, s);
        return;
    }
    for (int b = 0; b < c->nbuf; b++)
        for (size_t k = 0; k < c->buf[b].len; k++)
            if (!c->buf[b].in_view[k] &&
                memcmp(&c->buf[b].p[k], &c->buf[b].snap[k], sizeof(double)) != 0)
                FZ_FAIL("%s succeeded but changed buffer %d outside every output view (double %zu)",
                        fn, b, k);
    for (int k = 0; k < c->nm; k++) {
        if (!c->is_out[k] || (c->hostile && !c->overflow_documented))
            continue;
        const mf_matrix *m = &c->m[k];
        const int parts = m->dtype == MF_C128 ? 2 : 1;
        for (int64_t j = 0; j < m->cols; j++)
            for (int64_t i = 0; i < m->rows; i++)
                for (int p = 0; p < parts; p++)
                    if (!isfinite(fz_elem(m, i, j)[p]) && (fz_dump(c), true))
                        FZ_FAIL("%s succeeded with a non-finite output entry (%lld, %lld)", fn,
                                (long long)i, (long long)j);
    }
}

static inline void fz_free(fz_ctx *c) {
    for (int b = 0; b < c->nbuf; b++) {
        free(c->buf[b].p);
        free(c->buf[b].snap);
        free(c->buf[b].in_view);
    }
    c->nbuf = 0;
}

/* Complex element (i, j) of any descriptor, as two doubles. */
static inline void fz_get(const mf_matrix *m, int64_t i, int64_t j, double *re, double *im) {
    const double *e = fz_elem(m, i, j);
    *re = e[0];
    *im = m->dtype == MF_C128 ? e[1] : 0.0;
}

/* max |(A B)_ij - C_ij| for small dense operands (complex arithmetic). */
static inline double fz_product_diff(const mf_matrix *A, const mf_matrix *B, const mf_matrix *C) {
    double worst = 0.0;
    for (int64_t i = 0; i < C->rows; i++)
        for (int64_t j = 0; j < C->cols; j++) {
            double sr = 0, si = 0, ar, ai, br, bi, cr, ci;
            for (int64_t l = 0; l < A->cols; l++) {
                fz_get(A, i, l, &ar, &ai);
                fz_get(B, l, j, &br, &bi);
                sr += ar * br - ai * bi;
                si += ar * bi + ai * br;
            }
            fz_get(C, i, j, &cr, &ci);
            double d = hypot(sr - cr, si - ci);
            if (d > worst)
                worst = d;
        }
    return worst;
}

static inline double fz_max_abs(const mf_matrix *A) {
    double m = 0, re, im;
    for (int64_t i = 0; i < A->rows; i++)
        for (int64_t j = 0; j < A->cols; j++) {
            fz_get(A, i, j, &re, &im);
            if (hypot(re, im) > m)
                m = hypot(re, im);
        }
    return m;
}

#endif /* MF_FUZZ_COMMON_H */
