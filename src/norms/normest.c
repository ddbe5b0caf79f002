/*
 * Block 1-norm estimation: mf_normest1, mf_normest1_op, mf_normest1_pow and
 * the packed entry points of normest.h.
 *
 * Higham & Tisseur, "A block algorithm for matrix 1-norm estimation, with an
 * application to 1-norm pseudospectra", SIAM J. Matrix Anal. Appl. 21(4),
 * 2000, Algorithm 2.4 (HT00 below). One estimator core sees the operator
 * only through a block_apply function; the public functions differ only in
 * the operator they hand it: a packed matrix, a power of one, or the user's
 * callback. Real and complex share the code; the block dtype selects the
 * arithmetic.
 */
#include "mfcomplex.h"
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "internal.h"
#include "normest.h"

typedef double _Complex zdouble;

enum {
    NORMEST_ITMAX = 5,       /* HT00 section 4: itmax = 5 */
    NORMEST_POW_T = 2,       /* block width of the power estimates (HT00: t = 2) */
    NORMEST_EXACT_MAX_N = 4, /* at this size the exact norm is as cheap as one block */
    RESAMPLE_LIMIT = 64      /* random draws per column before accepting a parallel one */
};

/* Fixed seed: the same operator gives the same estimate on every run. */
static const uint64_t NORMEST_SEED = 0x4854303041323034u;

/* Y = op(A) X for an n x t column-major block (leading dimension n), with
 * op(A) = A^H when adjoint. Returns MF_OK or a status already recorded with
 * mf__fail. */
typedef mf_status (*block_apply)(void *ctx, int64_t t, const double *X, double *Y, bool adjoint);

typedef struct normest_op {
    const char *fn;
    int64_t n;
    int32_t dtype;
    block_apply apply;
    void *ctx;
} normest_op;

/* ---------- blocks ---------- */

static inline bool is_complex(const normest_op *op) { return op->dtype == MF_C128; }

/* Doubles per column of a block. */
static inline int64_t column_doubles(const normest_op *op) {
    return is_complex(op) ? 2 * op->n : op->n;
}

static double *alloc_block(const normest_op *op, int64_t width) {
    if (width > INT64_MAX / (op->n > 0 ? op->n : 1))
        return NULL;
    return mf__alloc_array(op->n * width, mf__elem_size(op->dtype));
}

static bool doubles_finite(const double *v, int64_t count) {
    for (int64_t k = 0; k < count; k++)
        if (!isfinite(v[k]))
            return false;
    return true;
}

/* Set element i of a column to the real value v. */
static inline void set_real(const normest_op *op, double *col, int64_t i, double v) {
    if (is_complex(op)) {
        col[2 * i] = v;
        col[2 * i + 1] = 0.0;
    } else {
        col[i] = v;
    }
}

static double column_norm1(const normest_op *op, const double *col) {
    double s = 0.0;
    if (is_complex(op))
        for (int64_t i = 0; i < op->n; i++)
            s += hypot(col[2 * i], col[2 * i + 1]);
    else
        for (int64_t i = 0; i < op->n; i++)
            s += fabs(col[i]);
    return s;
}

/* Largest column 1-norm of an n x t block and the (first) column holding it. */
static double max_column_norm1(const normest_op *op, const double *Y, int64_t t, int64_t *which) {
    double best = -1.0;
    *which = 0;
    for (int64_t j = 0; j < t; j++) {
        double s = column_norm1(op, Y + j * column_doubles(op));
        if (s > best) {
            best = s;
            *which = j;
        }
    }
    return best;
}

/* ---------- random signs (splitmix64, local state) ---------- */

typedef struct sign_stream {
    uint64_t state;
    uint64_t bits;
    int left;
} sign_stream;

static uint64_t splitmix64(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static double random_sign(sign_stream *r) {
    if (r->left == 0) {
        r->bits = splitmix64(&r->state);
        r->left = 64;
    }
    double s = (r->bits & 1u) ? -1.0 : 1.0;
    r->bits >>= 1;
    r->left--;
    return s;
}

static void fill_random_signs(const normest_op *op, double *col, sign_stream *r) {
    for (int64_t i = 0; i < op->n; i++)
        set_real(op, col, i, random_sign(r));
}

/* ---------- parallel sign vectors (HT00 Alg. 2.4, test (2) and the step after) ---------- */

/* Two vectors of +-1 entries are parallel iff |a^T b| = n; the sum is exact. */
static bool signs_parallel(const normest_op *op, const double *a, const double *b) {
    const int64_t step = is_complex(op) ? 2 : 1; /* +-1 vectors: real parts only */
    double dot = 0.0;
    for (int64_t i = 0; i < op->n; i++)
        dot += a[step * i] * b[step * i];
    return fabs(dot) == (double)op->n;
}

static bool parallel_to_any(const normest_op *op, const double *col, const double *block,
                            int64_t count) {
    for (int64_t j = 0; j < count; j++)
        if (signs_parallel(op, col, block + j * column_doubles(op)))
            return true;
    return false;
}

/* Test (2): every column of S is parallel to some column of S_old. */
static bool every_column_parallel(const normest_op *op, const double *S, const double *S_old,
                                  int64_t t) {
    for (int64_t j = 0; j < t; j++)
        if (!parallel_to_any(op, S + j * column_doubles(op), S_old, t))
            return false;
    return true;
}

/* Replace each column parallel to an earlier column of S, or to a column of
 * S_old (NULL: none), by random signs, so that no product is wasted on a
 * direction already explored. The draw limit only guards against a loop
 * that cannot end; for the n > 4 that reach here there are 2^(n-1) sign
 * vectors up to sign, far more than the 2t - 1 to avoid. */
static void resample_parallel_columns(const normest_op *op, double *S, const double *S_old,
                                      int64_t t, sign_stream *r) {
    const int64_t cd = column_doubles(op);
    for (int64_t j = 0; j < t; j++) {
        double *col = S + j * cd;
        for (int draw = 0; draw < RESAMPLE_LIMIT; draw++) {
            if (!parallel_to_any(op, col, S, j) && (S_old == NULL || !parallel_to_any(op, col, S_old, t)))
                break;
            fill_random_signs(op, col, r);
        }
    }
}

/* S = sign(Y) with sign(0) = 1; complex sign(z) = z / |z| (HT00 section 2). */
static void sign_of_block(const normest_op *op, const double *Y, double *S, int64_t t) {
    const int64_t count = op->n * t;
    if (!is_complex(op)) {
        for (int64_t k = 0; k < count; k++)
            S[k] = Y[k] >= 0.0 ? 1.0 : -1.0;
        return;
    }
    for (int64_t k = 0; k < count; k++) {
        const double re = Y[2 * k], im = Y[2 * k + 1], mod = hypot(re, im);
        S[2 * k] = mod == 0.0 ? 1.0 : re / mod;
        S[2 * k + 1] = mod == 0.0 ? 0.0 : im / mod;
    }
}

/* h_i = ||Z(i,:)||_inf. */
static void row_max_abs(const normest_op *op, const double *Z, int64_t t, double *h) {
    for (int64_t i = 0; i < op->n; i++)
        h[i] = 0.0;
    for (int64_t j = 0; j < t; j++) {
        const double *col = Z + j * column_doubles(op);
        for (int64_t i = 0; i < op->n; i++) {
            double v = is_complex(op) ? hypot(col[2 * i], col[2 * i + 1]) : fabs(col[i]);
            h[i] = v > h[i] ? v : h[i];
        }
    }
}

/* ---------- the estimator ---------- */

typedef struct ranked {
    double h;
    int64_t i;
} ranked;

/* Decreasing h, ties by increasing index: a total order, so the choice of
 * unit vectors never depends on the sort's implementation. */
static int by_decreasing_h(const void *pa, const void *pb) {
    const ranked *a = pa, *b = pb;
    if (a->h != b->h)
        return a->h > b->h ? -1 : 1;
    return (a->i > b->i) - (a->i < b->i);
}

typedef struct normest_work {
    double *X, *Y, *S, *S_old; /* n x t blocks; Y also holds Z = A^H S */
    double *h;                 /* n row maxima of |Z| */
    ranked *order;             /* rows sorted by decreasing h */
    int64_t *ind;              /* column j of X is e_{ind[j]} (from iteration 2 on) */
    unsigned char *used;       /* ind_hist of HT00 as n flags */
} normest_work;

static void work_free(normest_work *w) {
    mf__free(w->X);
    mf__free(w->Y);
    mf__free(w->S);
    mf__free(w->S_old);
    mf__free(w->h);
    mf__free(w->order);
    mf__free(w->ind);
    mf__free(w->used);
}

static mf_status work_alloc(const normest_op *op, int64_t t, normest_work *w) {
    memset(w, 0, sizeof *w);
    w->X = alloc_block(op, t);
    w->Y = alloc_block(op, t);
    w->S = alloc_block(op, t);
    w->S_old = alloc_block(op, t);
    w->h = mf__alloc_array(op->n, sizeof(double));
    w->order = mf__alloc_array(op->n, sizeof(ranked));
    w->ind = mf__alloc_array(t, sizeof(int64_t));
    w->used = mf__alloc_array(op->n, 1);
    if (w->X == NULL || w->Y == NULL || w->S == NULL || w->S_old == NULL || w->h == NULL ||
        w->order == NULL || w->ind == NULL || w->used == NULL) {
        work_free(w);
        return mf__fail(MF_ENOMEM, op->fn, "cannot allocate estimator workspace (n = %lld, t = %lld)",
                        (long long)op->n, (long long)t);
    }
    memset(w->used, 0, (size_t)op->n);
    return MF_OK;
}

/* HT00 section 2: first column of ones, the others random signs, no two
 * parallel; all scaled to unit 1-norm. */
static void starting_block(const normest_op *op, double *X, int64_t t, sign_stream *r) {
    const int64_t cd = column_doubles(op);
    for (int64_t i = 0; i < op->n; i++)
        set_real(op, X, i, 1.0);
    for (int64_t j = 1; j < t; j++)
        fill_random_signs(op, X + j * cd, r);
    resample_parallel_columns(op, X, NULL, t, r);
    const double scale = 1.0 / (double)op->n;
    for (int64_t k = 0; k < cd * t; k++)
        X[k] *= scale;
}

/* Test (4) and the choice of the next unit vectors. Returns false when the
 * t rows of largest h were all used before (then nothing new would be
 * learnt). Otherwise ind gets the best unused rows first, and best used ones
 * only if fewer than t rows are left unused. */
static bool choose_unit_vectors(const normest_op *op, normest_work *w, int64_t t) {
    const int64_t n = op->n;
    for (int64_t i = 0; i < n; i++)
        w->order[i] = (ranked){w->h[i], i};
    qsort(w->order, (size_t)n, sizeof(ranked), by_decreasing_h);
    if (t == 1) { /* Hager's method: no history test */
        w->ind[0] = w->order[0].i;
        return true;
    }
    bool all_used = true;
    for (int64_t j = 0; j < t; j++)
        all_used = all_used && w->used[w->order[j].i];
    if (all_used)
        return false;
    int64_t k = 0;
    for (int64_t i = 0; i < n && k < t; i++)
        if (!w->used[w->order[i].i])
            w->ind[k++] = w->order[i].i;
    for (int64_t i = 0; i < n && k < t; i++)
        if (w->used[w->order[i].i])
            w->ind[k++] = w->order[i].i;
    return true;
}

static void set_unit_columns(const normest_op *op, normest_work *w, int64_t t) {
    const int64_t cd = column_doubles(op);
    memset(w->X, 0, (size_t)(cd * t) * sizeof(double));
    for (int64_t j = 0; j < t; j++) {
        set_real(op, w->X + j * cd, w->ind[j], 1.0);
        w->used[w->ind[j]] = 1;
    }
}

static void swap_blocks(double **a, double **b) {
    double *t = *a;
    *a = *b;
    *b = t;
}

/* HT00 Alg. 2.4 proper, for 4 < n and 1 <= t < n. */
static mf_status iterate(const normest_op *op, int64_t t, normest_work *w, double *est_out) {
    const bool real = !is_complex(op);
    sign_stream rng = {NORMEST_SEED, 0, 0};
    starting_block(op, w->X, t, &rng);
    double est = 0.0, est_old = 0.0;
    int64_t ind_best = -1;
    for (int k = 1;; k++) {
        mf_status st = op->apply(op->ctx, t, w->X, w->Y, false);
        if (st != MF_OK)
            return st;
        int64_t jbest;
        est = max_column_norm1(op, w->Y, t, &jbest);
        /* From k = 2 the columns of X are unit vectors e_ind[j]. */
        if (k >= 2 && (est > est_old || k == 2))
            ind_best = w->ind[jbest];
        if (k >= 2 && est <= est_old) { /* (1): no improvement */
            est = est_old;
            break;
        }
        est_old = est;
        swap_blocks(&w->S, &w->S_old);
        if (k > NORMEST_ITMAX)
            break;
        sign_of_block(op, w->Y, w->S, t);
        /* (2) and the resampling: real only, as in HT00 section 2; complex
         * sign vectors are parallel with probability zero. */
        if (real && k >= 2 && every_column_parallel(op, w->S, w->S_old, t))
            break;
        if (real && t > 1)
            resample_parallel_columns(op, w->S, k >= 2 ? w->S_old : NULL, t, &rng);
        if ((st = op->apply(op->ctx, t, w->S, w->Y, true)) != MF_OK)
            return st;
        row_max_abs(op, w->Y, t, w->h);
        double hmax = 0.0;
        for (int64_t i = 0; i < op->n; i++)
            hmax = w->h[i] > hmax ? w->h[i] : hmax;
        if (k >= 2 && hmax == w->h[ind_best]) /* (3): the best vector cannot improve */
            break;
        if (!choose_unit_vectors(op, w, t)) /* (4) */
            break;
        set_unit_columns(op, w, t);
    }
    *est_out = est;
    return MF_OK;
}

/* ||A||_1 as the largest column sum of A I, for t >= n or tiny n. */
static mf_status exact_norm1(const normest_op *op, double *est) {
    const int64_t n = op->n;
    double *X = alloc_block(op, n), *Y = alloc_block(op, n);
    mf_status st = MF_OK;
    if (X == NULL || Y == NULL) {
        st = mf__fail(MF_ENOMEM, op->fn, "cannot allocate two %lld x %lld blocks", (long long)n,
                      (long long)n);
    } else {
        memset(X, 0, (size_t)(column_doubles(op) * n) * sizeof(double));
        for (int64_t j = 0; j < n; j++)
            set_real(op, X + j * column_doubles(op), j, 1.0);
        st = op->apply(op->ctx, n, X, Y, false);
        int64_t which;
        if (st == MF_OK)
            *est = max_column_norm1(op, Y, n, &which);
    }
    mf__free(X);
    mf__free(Y);
    return st;
}

static bool estimate_is_exact(int64_t n, int64_t t) { return t >= n || n <= NORMEST_EXACT_MAX_N; }

/* The one estimator behind every entry point. *est is written only on MF_OK
 * and may be +Inf when a column sum overflowed (callers decide). */
static mf_status estimate_norm1(const normest_op *op, int64_t t, double *est) {
    if (op->n == 0) {
        *est = 0.0;
        return MF_OK;
    }
    if (estimate_is_exact(op->n, t))
        return exact_norm1(op, est);
    normest_work w;
    mf_status st = work_alloc(op, t, &w);
    if (st != MF_OK)
        return st;
    double e = 0.0;
    st = iterate(op, t, &w, &e);
    work_free(&w);
    if (st == MF_OK)
        *est = e;
    return st;
}

static mf_status overflowed(const char *fn, const char *what) {
    return mf__fail(MF_EOVERFLOW, fn, "%s exceeds the double range (%g)", what, DBL_MAX);
}

/* ---------- explicit matrices and their powers ---------- */

typedef struct power_op {
    const char *fn;
    int32_t dtype;
    int64_t n, lda, p;
    const double *a; /* column-major, leading dimension lda */
    double factor;   /* each product is scaled by this power of two */
    double *tmp;     /* n x width scratch, needed for p >= 2 */
} power_op;

/* Y = factor op(A) X with BLAS; a power-of-two factor is exact. */
static void gemm_block(const power_op *P, int64_t t, const double *X, double *Y, bool adjoint) {
    const int n = (int)P->n, nt = (int)t, lda = (int)P->lda;
    if (P->dtype == MF_C128) {
        const zdouble alpha = P->factor, beta = 0.0;
        cblas_zgemm(CblasColMajor, adjoint ? CblasConjTrans : CblasNoTrans, CblasNoTrans, n, nt, n,
                    &alpha, P->a, lda, X, n, &beta, Y, n);
    } else {
        cblas_dgemm(CblasColMajor, adjoint ? CblasTrans : CblasNoTrans, CblasNoTrans, n, nt, n,
                    P->factor, P->a, lda, X, n, 0.0, Y, n);
    }
}

/* Y = (factor op(A))^p X by p block products, alternating between tmp and Y
 * so that the last one lands in Y. */
static mf_status apply_power(void *ctx, int64_t t, const double *X, double *Y, bool adjoint) {
    const power_op *P = ctx;
    const double *src = X;
    for (int64_t k = 1; k <= P->p; k++) {
        double *dst = (P->p - k) % 2 == 0 ? Y : P->tmp;
        gemm_block(P, t, src, dst, adjoint);
        src = dst;
    }
    const int64_t count = (P->dtype == MF_C128 ? 2 : 1) * P->n * t;
    if (!doubles_finite(Y, count))
        return mf__fail(MF_EOVERFLOW, P->fn,
                        "a product with %s%s overflowed (n = %lld, p = %lld); the norm is beyond "
                        "the double range", adjoint ? "A^H" : "A", P->p > 1 ? " powers" : "",
                        (long long)P->n, (long long)P->p);
    return MF_OK;
}

static inline double modulus_at(int32_t dtype, const double *a, int64_t k) {
    return dtype == MF_C128 ? hypot(a[2 * k], a[2 * k + 1]) : fabs(a[k]);
}

/* Exponent e with ||A||_1 < 2^e, about ||A||_1 itself (0 for A = 0).
 * Products with 2^-e A then never grow in the 1-norm, so powers neither
 * overflow nor underflow on the way (Al-Mohy & Higham 2009 use d_p =
 * ||A^p||^(1/p) of matrices whose powers leave the double range). The
 * column sums are of moduli scaled by the largest one, so they cannot
 * overflow either. */
static int norm1_exponent(int32_t dtype, int64_t n, const double *a, int64_t lda) {
    double big = 0.0;
    for (int64_t j = 0; j < n; j++)
        for (int64_t i = 0; i < n; i++) {
            double v = modulus_at(dtype, a, i + j * lda);
            big = v > big ? v : big;
        }
    if (big == 0.0)
        return 0;
    const int big_exp = ilogb(big);
    /* Multiplying by the power of two 2^-big_exp rounds exactly as ldexp
     * does (both are the correctly rounded v 2^-big_exp), at a fraction of
     * the cost of a libm call per entry; beyond +-1000 the power itself
     * would leave the double range. */
    const bool by_multiply = big_exp > -1000 && big_exp < 1000;
    const double unscale = ldexp(1.0, -big_exp);
    double best = 0.0;
    for (int64_t j = 0; j < n; j++) {
        double s = 0.0;
        for (int64_t i = 0; i < n; i++) {
            const double v = modulus_at(dtype, a, i + j * lda);
            s += by_multiply ? v * unscale : ldexp(v, -big_exp);
        }
        best = s > best ? s : best;
    }
    int e = big_exp + ilogb(best) + 1;
    /* keep 2^-e a finite double (subnormal powers of two are exact) */
    return e < DBL_MIN_EXP ? DBL_MIN_EXP : e;
}

/* Estimate of ||(2^-e A)^p||_1 for p >= 1, with e = 0 when !scaled. */
static mf_status scaled_power_estimate(const char *fn, int32_t dtype, int64_t n, const double *a,
                                       int64_t lda, int64_t p, int64_t t, bool scaled,
                                       double *est, int *e) {
    *e = scaled ? norm1_exponent(dtype, n, a, lda) : 0;
    power_op P = {fn, dtype, n, lda, p, a, ldexp(1.0, -*e), NULL};
    const normest_op op = {fn, n, dtype, apply_power, &P};
    if (p >= 2 && n > 0) {
        P.tmp = alloc_block(&op, estimate_is_exact(n, t) ? n : t);
        if (P.tmp == NULL)
            return mf__fail(MF_ENOMEM, fn, "cannot allocate a %lld-row block for the powers",
                            (long long)n);
    }
    mf_status st = estimate_norm1(&op, t, est);
    mf__free(P.tmp);
    return st;
}

mf_status mf__normest1_pow_packed(const char *fn, int32_t dtype, int64_t n, const double *a,
                                  int64_t lda, int64_t p, double *est) {
    if (p == 0 || n == 0) {
        *est = n > 0 ? 1.0 : 0.0; /* ||I||_1 */
        return MF_OK;
    }
    double s = 0.0;
    int e = 0;
    mf_status st = scaled_power_estimate(fn, dtype, n, a, lda, p, NORMEST_POW_T, p >= 2, &s, &e);
    if (st != MF_OK)
        return st;
    if (s == 0.0) {
        *est = 0.0;
        return MF_OK;
    }
    /* est = s 2^(e p), decided in the exponent first so e p cannot overflow */
    const double log2_est = (double)ilogb(s) + (double)e * (double)p;
    if (!isfinite(s) || log2_est >= DBL_MAX_EXP)
        return overflowed(fn, "the estimate of ||A^p||_1");
    if (log2_est < DBL_MIN_EXP - DBL_MANT_DIG - 1) {
        *est = 0.0;
        return MF_OK;
    }
    double r = ldexp(s, (int)((int64_t)e * p));
    if (!isfinite(r))
        return overflowed(fn, "the estimate of ||A^p||_1");
    *est = r;
    return MF_OK;
}

mf_status mf__normest1_pow_root_packed(const char *fn, int32_t dtype, int64_t n, const double *a,
                                       int64_t lda, int64_t p, double *root) {
    if (p < 1)
        return mf__fail(MF_EINVAL, fn, "the power p = %lld of a root estimate must be >= 1",
                        (long long)p);
    if (n == 0) {
        *root = 0.0;
        return MF_OK;
    }
    double s = 0.0;
    int e = 0;
    mf_status st = scaled_power_estimate(fn, dtype, n, a, lda, p, NORMEST_POW_T, p >= 2, &s, &e);
    if (st != MF_OK)
        return st;
    /* ||A^p||^(1/p) = 2^e ||(2^-e A)^p||^(1/p) */
    const double r = ldexp(pow(s, 1.0 / (double)p), e);
    if (!isfinite(r))
        return overflowed(fn, "the estimate of ||A^p||_1^(1/p)");
    *root = r;
    return MF_OK;
}

/* ---------- public entry points ---------- */

/* Validation shared by the matrix forms: A square, BLAS-sized, finite. */
static mf_status check_matrix_args(const char *fn, const mf_matrix *A, const double *est) {
    mf_status st = mf__check_input(fn, "A", A);
    if (st == MF_OK && est == NULL)
        st = mf__fail(MF_EINVAL, fn, "argument est is NULL");
    if (st == MF_OK)
        st = mf__check_square(fn, "A", A);
    if (st == MF_OK)
        st = mf__check_lapack_dim(fn, "A", A->rows);
    if (st == MF_OK)
        st = mf__check_finite(fn, "A", A);
    return st;
}

/* A's data as a column-major array: in place when it already is one,
 * otherwise a packed copy (*owned set, free with mf__free). */
static mf_status column_major_view(const char *fn, const mf_matrix *A, const double **a,
                                   int64_t *lda, double **owned) {
    *owned = NULL;
    if (mf__is_colmajor(A)) {
        *a = A->data;
        *lda = A->cs;
        return MF_OK;
    }
    *owned = mf__packed_copy(A, A->dtype);
    if (*owned == NULL)
        return mf__fail(MF_ENOMEM, fn, "cannot allocate a packed copy of the %lld x %lld A",
                        (long long)A->rows, (long long)A->cols);
    *a = *owned;
    *lda = A->rows > 1 ? A->rows : 1;
    return MF_OK;
}

mf_status mf_normest1(const mf_matrix *A, int64_t t, double *est) {
    static const char fn[] = "mf_normest1";
    mf_status st = check_matrix_args(fn, A, est);
    if (st == MF_OK && t < 1)
        st = mf__fail(MF_EINVAL, fn, "block width t = %lld; it must be >= 1", (long long)t);
    if (st != MF_OK)
        return st;
    if (A->rows == 0) {
        *est = 0.0;
        return MF_OK;
    }
    const double *a = NULL;
    int64_t lda = 1;
    double *owned;
    if ((st = column_major_view(fn, A, &a, &lda, &owned)) != MF_OK)
        return st;
    double s = 0.0;
    int e = 0;
    st = scaled_power_estimate(fn, A->dtype, A->rows, a, lda, 1, t, false, &s, &e);
    mf__free(owned);
    if (st == MF_OK && !isfinite(s))
        st = overflowed(fn, "||A||_1");
    if (st == MF_OK)
        *est = s;
    return st;
}

mf_status mf_normest1_pow(const mf_matrix *A, int64_t p, double *est) {
    static const char fn[] = "mf_normest1_pow";
    mf_status st = check_matrix_args(fn, A, est);
    if (st == MF_OK && p < 0)
        st = mf__fail(MF_EINVAL, fn, "power p = %lld; it must be >= 0", (long long)p);
    if (st != MF_OK)
        return st;
    if (A->rows == 0 || p == 0) {
        *est = A->rows > 0 ? 1.0 : 0.0;
        return MF_OK;
    }
    const double *a = NULL;
    int64_t lda = 1;
    double *owned;
    if ((st = column_major_view(fn, A, &a, &lda, &owned)) != MF_OK)
        return st;
    double r = 0.0;
    st = mf__normest1_pow_packed(fn, A->dtype, A->rows, a, lda, p, &r);
    mf__free(owned);
    if (st == MF_OK)
        *est = r;
    return st;
}

typedef struct callback_op {
    const char *fn;
    mf_apply_fn apply;
    void *ctx;
    int64_t n;
    int32_t dtype;
} callback_op;

/* The user's operator, with its failures and non-finite output refused. */
static mf_status apply_callback(void *ctx, int64_t t, const double *X, double *Y, bool adjoint) {
    const callback_op *cb = ctx;
    const char *which = adjoint ? "A^H" : "A";
    int rc = cb->apply(cb->n, t, X, Y, adjoint ? 1 : 0, cb->ctx);
    if (rc != 0)
        return mf__fail(MF_ECALLBACK, cb->fn, "apply returned %d computing %s X for a %lld x %lld X",
                        rc, which, (long long)cb->n, (long long)t);
    const int64_t count = (cb->dtype == MF_C128 ? 2 : 1) * cb->n * t;
    if (!doubles_finite(Y, count))
        return mf__fail(MF_ENONFINITE, cb->fn, "apply produced NaN or Inf computing %s X (%lld x %lld)",
                        which, (long long)cb->n, (long long)t);
    return MF_OK;
}

mf_status mf_normest1_op(int64_t n, int32_t dtype, mf_apply_fn apply, void *ctx, int64_t t,
                         double *est) {
    static const char fn[] = "mf_normest1_op";
    if (n < 0)
        return mf__fail(MF_EINVAL, fn, "dimension n = %lld is negative", (long long)n);
    if (dtype != MF_F64 && dtype != MF_C128)
        return mf__fail(MF_EINVAL, fn, "dtype tag %d; expected MF_F64 (1) or MF_C128 (2)", (int)dtype);
    if (apply == NULL)
        return mf__fail(MF_EINVAL, fn, "argument apply is NULL");
    if (est == NULL)
        return mf__fail(MF_EINVAL, fn, "argument est is NULL");
    if (t < 1)
        return mf__fail(MF_EINVAL, fn, "block width t = %lld; it must be >= 1", (long long)t);
    callback_op cb = {fn, apply, ctx, n, dtype};
    const normest_op op = {fn, n, dtype, apply_callback, &cb};
    double s = 0.0;
    mf_status st = estimate_norm1(&op, t, &s);
    if (st == MF_OK && !isfinite(s))
        st = overflowed(fn, "the 1-norm of the operator");
    if (st == MF_OK)
        *est = s;
    return st;
}
