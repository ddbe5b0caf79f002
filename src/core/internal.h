/*
 * Private helpers shared by every module (names mf__*, never exported).
 *
 * Pattern of a public function:
 *   1. validate every argument (mf__check_* helpers) before touching outputs;
 *   2. pack inputs into column-major workspace taken with mf__alloc;
 *   3. compute (BLAS/LAPACK column-major, info mapped by mf__lapack_info);
 *   4. on success only, unpack results into the outputs; free workspace.
 */
#ifndef MF_CORE_INTERNAL_H
#define MF_CORE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "matfun.h"

/* Unit roundoff of IEEE double, u = 2^-53. */
#define MF_U64 0x1p-53

/* ---------- errors (status.c) ---------- */

/* Record "fn: message" as this thread's last error and return s. */
mf_status mf__fail(mf_status s, const char *fn, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* ---------- allocation (alloc.c) ----------
 * Every byte of workspace comes from here (64-byte aligned), so tests can
 * make the k-th allocation fail and benches can count peak workspace. */
void *mf__alloc(size_t bytes);
void mf__free(void *p);
/* Allocate count elements of elem_size bytes, checking the product. */
void *mf__alloc_array(int64_t count, size_t elem_size);

/* Per-thread allocation statistics. */
typedef struct mf__alloc_stats {
    int64_t calls;       /* allocations attempted since the last reset */
    int64_t live_blocks; /* blocks not yet freed */
    int64_t live_bytes;
    int64_t peak_bytes;  /* highest live_bytes since the last reset */
} mf__alloc_stats;

/* Test hooks: fail the k-th allocation from now on this thread (k >= 1), or
 * never (k = 0). Statistics reset sets calls and peak to the current state. */
void mf__alloc_fail_at(int64_t k);
void mf__alloc_stats_reset(void);
mf__alloc_stats mf__alloc_stats_get(void);

/* ---------- worker threads (pool.c) ---------- */

/* The most threads, the caller included, that mf__run_parts uses. */
#define MF__POOL_MAX_THREADS 64

/* One part of a split job; worker is 0 for the calling thread and 1 ..
 * threads - 1 for the helpers, so a job can keep per-worker state. */
typedef void mf__part_fn(void *ctx, int64_t part, int worker);

/* Run body(ctx, p, worker) for every p in [0, parts), on the calling thread
 * and up to threads - 1 parked helper threads claiming parts in turn;
 * returns when all are done. The caller starts at once and the helpers join
 * as they wake, so the split never costs more than running alone. Parts
 * must be independent. One job at a time: a call made while another is
 * running (from another thread, or from inside a part) runs alone. */
void mf__run_parts(int64_t parts, int threads, mf__part_fn *body, void *ctx);
/* Number of helper threads running (for tests). */
int mf__pool_helpers(void);
/* Stop and join the helpers (done at exit or unload; tests call it to
 * check that the pool starts again). Does nothing while a job runs. */
void mf__pool_stop(void);

/* ---------- descriptors and validation (validate.c) ---------- */

static inline size_t mf__elem_size(int32_t dtype) {
    return dtype == MF_C128 ? 2 * sizeof(double) : sizeof(double);
}
static inline bool mf__is_empty(const mf_matrix *m) { return m->rows == 0 || m->cols == 0; }

/* A valid input descriptor: non-NULL, known dtype, flags 0, shape >= 0,
 * strides >= 1, byte extent representable, data non-NULL when non-empty. */
mf_status mf__check_input(const char *fn, const char *arg, const mf_matrix *m);
/* A valid output of exactly rows x cols whose elements do not overlap each
 * other (a self-overlapping output could not hold a result). */
mf_status mf__check_output(const char *fn, const char *arg, const mf_matrix *m, int64_t rows,
                           int64_t cols);
mf_status mf__check_square(const char *fn, const char *arg, const mf_matrix *m);
mf_status mf__check_finite(const char *fn, const char *arg, const mf_matrix *m);
/* A result computed in workspace (described by w) is checked before it is
 * written out, so that a result beyond the double range is MF_EOVERFLOW
 * with the outputs untouched rather than NaN or Inf returned as success;
 * what names it in the message ("the solution X"). */
mf_status mf__check_result_finite(const char *fn, const char *what, const mf_matrix *w);
/* Is the square m exactly Hermitian (symmetric for F64), diagonal real? */
bool mf__is_hermitian(const mf_matrix *m);
/* F64 or C128 output for F64 input; C128 output for C128 input. */
mf_status mf__check_result_dtype(const char *fn, const char *in_arg, const mf_matrix *in,
                                 const char *out_arg, const mf_matrix *out);
/* The arguments of a Frechet derivative: A square and E of its shape
 * (finite), the derivative D (named d_arg) required, the function value F
 * (f_arg) optional with D's dtype, the real/complex rule of
 * mf__check_result_dtype for both inputs, no partial overlap. */
mf_status mf__check_frechet_args(const char *fn, const mf_matrix *A, const mf_matrix *E,
                                 const char *f_arg, const mf_matrix *F, const char *d_arg,
                                 const mf_matrix *D);
/* The arguments of X = f(A) for one square matrix A: A a valid square
 * input, then mf__check_unary_output. A NULL X is reported by
 * mf__check_output as "argument X is NULL". */
mf_status mf__check_unary_args(const char *fn, const mf_matrix *A, const char *x_arg,
                               const mf_matrix *X);
/* The checks of X = f(A) after A's own (valid and square): X an output of
 * A's shape following mf__check_result_dtype, no overlap with A other than
 * exact aliasing, A within the LAPACK range and finite (the O(n^2) scan
 * last). For callers with arguments of their own to check in between. */
mf_status mf__check_unary_output(const char *fn, const mf_matrix *A, const char *x_arg,
                                 const mf_matrix *X);
/* The arguments of a condition number cond(f, A): A square, within the
 * LAPACK range and finite, cond non-NULL. */
mf_status mf__check_cond_args(const char *fn, const mf_matrix *A, const double *cond);
/* out must have exactly the given dtype. */
mf_status mf__check_dtype(const char *fn, const char *arg, const mf_matrix *m, int32_t dtype);

typedef enum mf__overlap { MF__DISJOINT = 0, MF__SAME = 1, MF__PARTIAL = 2 } mf__overlap;
/* Do the elements of a and b share memory? Exact for views with equal
 * strides and dtype (sub-blocks of one parent); conservative (byte ranges)
 * otherwise. */
mf__overlap mf__overlap_of(const mf_matrix *a, const mf_matrix *b);

/* An argument in an aliasing check; NULL m entries are skipped. */
typedef struct mf__arg {
    const char *name;
    const mf_matrix *m;
} mf__arg;
/* Outputs may be exactly an input; any other overlap among outputs and
 * between an output and an input is MF_EALIAS. */
mf_status mf__check_aliasing(const char *fn, const mf__arg *outputs, int n_out,
                             const mf__arg *inputs, int n_in);

/* ---------- packing (pack.c) ---------- */

/* Copy src into the column-major buffer dst (leading dimension ld >= rows),
 * converting to dtype `to` (F64 -> C128 sets imaginary parts to 0;
 * C128 -> F64 is a caller bug and is not done). */
void mf__pack(const mf_matrix *src, double *dst, int64_t ld, int32_t to);
/* Copy the column-major buffer src (dtype `from`) into dst. A C128 buffer
 * written to an F64 output keeps the real parts: callers check realness. */
void mf__unpack(const double *src, int64_t ld, int32_t from, mf_matrix *dst);
/* Column-major workspace copy of m (ld = max(rows,1)) in dtype `to`; NULL on
 * allocation failure. */
double *mf__packed_copy(const mf_matrix *m, int32_t to);
/* Is m stored column-major with unit row stride (usable by LAPACK as is)? */
static inline bool mf__is_colmajor(const mf_matrix *m) {
    return m->rs == 1 && m->cs >= (m->rows > 1 ? m->rows : 1);
}

/* ---------- backend bridge (lapack.c) ---------- */

/* LAPACK's integers are 32-bit here: refuse larger dimensions up front. */
mf_status mf__check_lapack_dim(const char *fn, const char *arg, int64_t n);
/* Map a LAPACK info < 0 (an argument error: a library bug or a backend
 * fault) to MF_EBACKEND with the routine named; info >= 0 returns MF_OK and
 * leaves the meaning of info > 0 to the caller. */
mf_status mf__lapack_info(const char *fn, const char *routine, int info);
/* Test hooks: make the k-th mf__lapack_info call from now on this thread
 * (k >= 1) report MF_EBACKEND as if LAPACK had rejected an argument, or
 * never (k = 0); and the number of calls made on this thread so far. This
 * is how the error paths after every backend call are exercised: a real
 * info < 0 only comes from a library bug or a faulty backend. */
void mf__lapack_fault_at(int64_t k);
int64_t mf__lapack_calls(void);
/* Size of a LAPACK workspace reported by a query (lwork = -1). */
int64_t mf__lwork_from_query(double query_result);

#endif /* MF_CORE_INTERNAL_H */
