/*
 * Shared test support: deterministic random matrices, the storage layouts
 * every function is run over, sentinel-guarded buffers, dense reference
 * arithmetic, and the allocation-failure sweep.
 *
 * Tests hold reference data as dense column-major complex arrays (tz *); a
 * tm (test matrix) owns a buffer laid out in one of the layouts and a
 * descriptor viewing it.
 */
#ifndef MF_TESTUTIL_H
#define MF_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "internal.h"
#include "mfcomplex.h"
#include "matfun.h"

typedef double _Complex tz;

#define TEST_U 0x1p-53

/* ---------- random numbers (splitmix64; same stream on every machine) ---------- */
typedef struct trng {
    uint64_t state;
} trng;
trng trng_new(uint64_t seed);
double trng_uniform(trng *r);  /* [0, 1) */
double trng_normal(trng *r);   /* standard normal */

/* ---------- layouts ---------- */
typedef enum tlayout {
    TL_COLMAJOR = 0,   /* rs = 1, cs = rows */
    TL_ROWMAJOR,       /* rs = cols, cs = 1 */
    TL_PADDED_COL,     /* sub-block of a larger column-major buffer (ld = rows + 3, offset) */
    TL_PADDED_ROW,     /* sub-block of a larger row-major buffer */
    TL_STRIDED,        /* general strides: rs = 2, cs = 2 rows + 1 */
    TL_COUNT
} tlayout;
const char *tlayout_name(tlayout l);

/* A test matrix: a guarded buffer and the view of it. The whole buffer
 * (padding included) starts filled with a sentinel so that writes outside
 * the view are caught by tm_padding_intact. */
typedef struct tm {
    mf_matrix m;     /* the view handed to the library */
    double *buf;     /* owned buffer (doubles) */
    size_t buf_len;  /* in doubles */
    tlayout layout;
} tm;

tm tm_new(int64_t rows, int64_t cols, int32_t dtype, tlayout layout);
void tm_free(tm *t);
tz tm_get(const tm *t, int64_t i, int64_t j);
void tm_set(tm *t, int64_t i, int64_t j, tz v);
/* Fill from / to a dense column-major array (imaginary parts dropped for F64). */
void tm_from_dense(tm *t, const tz *a);
tz *tm_to_dense(const tm *t); /* malloc'd rows*cols */
/* Entries standard normal (complex: both parts). */
void tm_fill_random(tm *t, trng *r);
/* Every element of the view set to v (padding keeps its sentinel). */
void tm_fill(tm *t, tz v);
/* True if every double outside the view still holds the sentinel. */
bool tm_padding_intact(const tm *t);
/* Snapshot of the whole buffer, and a check that it is unchanged. */
double *tm_snapshot(const tm *t);
bool tm_unchanged(const tm *t, const double *snapshot);

/* ---------- dense reference arithmetic (column-major complex) ---------- */
tz *tz_alloc(int64_t count);                              /* zeroed, malloc */
tz *tz_random(int64_t rows, int64_t cols, bool complex_entries, trng *r);
/* m x n (m >= n) with orthonormal columns: modified Gram-Schmidt, twice, on
 * a tz_random matrix (n = m: a random orthogonal / unitary matrix). */
tz *tz_random_orthonormal(int64_t m, int64_t n, bool complex_entries, trng *r);
/* n x n tz_random shifted by 1.5 sqrt(n) + 1 on the diagonal: its
 * eigenvalues (spectral radius about sqrt(n) before the shift) lie in the
 * right half-plane, where principal logarithms and roots exist. */
tz *tz_random_shifted(int64_t n, bool complex_entries, trng *r);
/* Is a dense result exactly real (all count imaginary parts 0)? */
bool tz_is_real(int64_t count, const tz *a);
void tz_matmul(int64_t m, int64_t k, int64_t n, const tz *a, const tz *b, tz *c); /* c = a b */
tz *tz_conj_transpose(int64_t rows, int64_t cols, const tz *a);
double tz_norm_fro(int64_t rows, int64_t cols, const tz *a);
double tz_norm1(int64_t n, const tz *a); /* n x n, largest column sum of moduli */
double tz_diff_fro(int64_t rows, int64_t cols, const tz *a, const tz *b);
/* ||A X + X B - C||_F for A (m x m), B (n x n), X and C (m x n) */
double tz_sylvester_residual(int64_t m, int64_t n, const tz *a, const tz *b, const tz *x,
                             const tz *c);
tz *tz_identity(int64_t n);

/* ---------- assertions ---------- */
/* Assert a status, printing mf_last_error() on mismatch. */
#define assert_status(call, expected)                                                   \
    do {                                                                                \
        mf_status got_ = (call);                                                        \
        if (got_ != (expected))                                                         \
            fail_msg("%s returned %d (%s), expected %d; last error: %s", #call, got_,   \
                     mf_strerror(got_), (int)(expected), mf_last_error());              \
    } while (0)
#define assert_ok(call) assert_status((call), MF_OK)
/* Assert the last error message mentions the function name. */
void assert_last_error_mentions(const char *text);
/* Assert value <= bound, printing both. */
#define assert_le(value, bound)                                                         \
    do {                                                                                \
        double v_ = (value), b_ = (bound);                                              \
        if (!(v_ <= b_))                                                                \
            fail_msg("%s = %.3e exceeds %s = %.3e", #value, v_, #bound, b_);            \
    } while (0)

/* ---------- allocation-failure sweep ---------- */
/* One call of the function under test; returns its status. Called
 * repeatedly; it must reset its outputs' contents itself only through the
 * snapshot mechanism (the sweep compares outputs with snapshots). */
typedef mf_status (*tsweep_call)(void *ctx);
/* For k = 1, 2, ...: fail the k-th allocation, call, and require MF_ENOMEM,
 * no leaked block and every guarded output unchanged; stop when a call
 * succeeds without reaching allocation k. Returns the number of allocation
 * points exercised. outputs may contain NULL entries. */
int tsweep_alloc_failures(tsweep_call call, void *ctx, tm *const *outputs, int n_outputs);
/* The same for backend faults: for k = 1, 2, ... report the k-th
 * mf__lapack_info call as MF_EBACKEND and require that status (or MF_OK
 * when the call does not reach k), no leak and unchanged outputs. Returns
 * the number of backend calls exercised. */
int tsweep_lapack_faults(tsweep_call call, void *ctx, tm *const *outputs, int n_outputs);

/* The operands a call of tsweep_square sees: the input A, the output X and
 * a direction E for Frechet derivatives. */
typedef struct tsweep_square_args {
    tm *A, *X, *E;
} tsweep_square_args;
/* Allocation sweep of a function of one square matrix: A = a (n x n,
 * dtype dtA, row-major), X (dtX, padded column-major, guarded) and E (dtA,
 * column-major, random from trng_new(seed)); fails the test unless at
 * least min_points allocation points are exercised. */
void tsweep_square(const tz *a, int64_t n, int32_t dtA, int32_t dtX, tsweep_call call,
                   int min_points, uint64_t seed);

#endif /* MF_TESTUTIL_H */
