/*
 * The matrix exponential of small matrices, where per-call overhead is
 * most of the cost:
 *
 *   mf__expm_mm_small  BLAS-free real products for n <= 16 (packed, ld = n),
 *                      used by the general path (expm_eval.c);
 *   mf__expm_fixed     the whole computation for real 3 <= n <= 8 with
 *                      every size compiled separately: one pass to pack,
 *                      check finiteness and take ||A||_1, no structure
 *                      beyond three comparisons for a dense matrix, fused
 *                      linear combinations, register-held products, no
 *                      heap, no BLAS, no library calls but a few log2/exp2.
 *
 * The fixed path makes exactly the choices of the general path (it calls
 * the same choice functions with the same norms, computed in the same
 * order) and evaluates the same formulas with the same operation order,
 * so its results equal the general path's (tests/test_funcs_expm.c checks
 * this for n = 2..16, every layout and dtype).
 *
 * Multiply-adds are fused here (fp-contract=fast for this file, where the
 * CPU has FMA): faster, and at least as accurate. Every sum is written as
 * acc + x*y with acc not itself a product, so there is exactly one way to
 * fuse it and every compiled copy of a formula gives the same bits. The
 * general path's products, linear combinations and |A|^k bounds are the
 * functions of this file too, so both paths still agree exactly.
 */
#include <math.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "expm_fixed.h"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=fast")
#elif defined(__clang__)
#pragma clang fp contract(fast)
#endif

/* A lower variant forced by the tests (mf__expm_force_cpu_level), or -1. */
static _Atomic int forced_level = -1;

/* The best variant this CPU runs; detected once (a race between threads
 * only repeats the same detection). */
int mf__expm_cpu_level(void) {
#ifdef MF_X86_VARIANTS
    static _Atomic int level = -1;
    int l = atomic_load_explicit(&level, memory_order_relaxed);
    if (l < 0) {
        __builtin_cpu_init();
        l = MF__CPU_PLAIN;
        if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
            l = MF__CPU_AVX2;
        if (l == MF__CPU_AVX2 && __builtin_cpu_supports("avx512f") &&
            __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
            __builtin_cpu_supports("avx512bw"))
            l = MF__CPU_AVX512;
        atomic_store_explicit(&level, l, memory_order_relaxed);
    }
    const int f = atomic_load_explicit(&forced_level, memory_order_relaxed);
    return f >= 0 && f < l ? f : l;
#else
    return MF__CPU_PLAIN;
#endif
}

void mf__expm_force_cpu_level(int level) {
    atomic_store_explicit(&forced_level, level, memory_order_relaxed);
}

/* ------------------------------------------------------------------ */
/* Products                                                            */
/* ------------------------------------------------------------------ */

/* c = a b for n x n matrices, n <= 16. a and c have column stride ld = 8
 * (n <= 8) or 16, b has ldb. Columns of a and c are moved as whole chunks
 * of 8 rows (rows beyond n compute garbage-free zeros when a's padding is
 * zero, and are never read back). C is formed jmax (<= 4) columns at a
 * time, all in registers: per k, one or two column chunks of A times jmax
 * broadcast entries of B (jmax = 4 fills AVX-512's 32 registers with two
 * chunks; AVX2's 16 hold half as many: 2). Every entry is sum_k a_ik b_kj
 * accumulated in increasing k. */
ALWAYS_INLINE void mm_chunks(const int n, const int ld, const int ldb, const int jmax,
                             const double *restrict a, const double *restrict b,
                             double *restrict c) {
    const bool two = n > 8;
    for (int j0 = 0; j0 < n; j0 += jmax) {
        const int jb = n - j0 < jmax ? n - j0 : jmax;
        /* the q loops must unroll: hi[q], lo[q] are registers only then.
         * Accumulating from zero leaves one way to fuse each step,
         * acc + a_ik b_kj -> fma(a_ik, b_kj, acc); starting from the
         * product a_i0 b_0j would let the compiler fuse either product of
         * the first sum, differently in different instances. */
        v8 hi[4] = {{0}}, lo[4] = {{0}}, ah, al = {0};
        for (int k = 0; k < n; k++) {
            memcpy(&ah, a + (size_t)k * ld, sizeof ah);
            if (two)
                memcpy(&al, a + (size_t)k * ld + 8, sizeof al);
#pragma GCC unroll 4
            for (int q = 0; q < jb; q++) {
                const double bkj = b[(size_t)(j0 + q) * ldb + k];
                hi[q] += ah * bkj;
                if (two)
                    lo[q] += al * bkj;
            }
        }
#pragma GCC unroll 4
        for (int q = 0; q < jb; q++) {
            memcpy(c + (size_t)(j0 + q) * ld, &hi[q], sizeof hi[q]);
            if (two)
                memcpy(c + (size_t)(j0 + q) * ld + 8, &lo[q], sizeof lo[q]);
        }
    }
}

/* The same sums without vectors, for CPUs without AVX2 (and other
 * architectures): no FMA there, so the same values as the vector code
 * would give without contraction. */
ALWAYS_INLINE void mm_plain(int n, int ld, const double *restrict a, const double *restrict b,
                            double *restrict c) {
    for (int j = 0; j < n; j++) {
        double *cj = c + (size_t)j * ld;
        const double *bj = b + (size_t)j * ld;
        for (int i = 0; i < n; i++)
            cj[i] = 0.0;
        for (int k = 0; k < n; k++)
            for (int i = 0; i < n; i++)
                cj[i] += a[i + (size_t)k * ld] * bj[k];
    }
}

/* Packed c = a b (ld = n). n = 8 and 16 are chunk-aligned as they are;
 * other sizes copy a into a zero-padded chunk-aligned scratch and c back
 * out (2 n^2 moves against n^3 multiply-adds, and no partial vector loads
 * in the inner loop, which would stall on store forwarding). */
ALWAYS_INLINE void mm_packed(const int n, const int jwide, const double *a, const double *b,
                             double *c) {
    const int ld = n <= 8 ? 8 : 16, jmax = n <= 8 ? 4 : jwide;
    if (n == ld) {
        mm_chunks(n, ld, n, jmax, a, b, c);
        return;
    }
    _Alignas(64) double as[16 * 16], cs[16 * 16];
    for (int j = 0; j < n; j++) {
        memcpy(as + j * ld, a + j * n, (size_t)n * sizeof(double));
        for (int i = n; i < ld; i++)
            as[j * ld + i] = 0.0;
    }
    mm_chunks(n, ld, n, jmax, as, b, cs);
    for (int j = 0; j < n; j++)
        memcpy(c + j * n, cs + j * ld, (size_t)n * sizeof(double));
}

/* Each size compiled on its own: with n known, the loops unroll and the
 * copies become plain moves. */
ALWAYS_INLINE void mm_sizes(int n, const int jwide, const double *a, const double *b, double *c) {
    switch (n) {
    case 1:
        mm_packed(1, jwide, a, b, c);
        return;
    case 2:
        mm_packed(2, jwide, a, b, c);
        return;
    case 3:
        mm_packed(3, jwide, a, b, c);
        return;
    case 4:
        mm_packed(4, jwide, a, b, c);
        return;
    case 5:
        mm_packed(5, jwide, a, b, c);
        return;
    case 6:
        mm_packed(6, jwide, a, b, c);
        return;
    case 7:
        mm_packed(7, jwide, a, b, c);
        return;
    case 8:
        mm_packed(8, jwide, a, b, c);
        return;
    case 9:
        mm_packed(9, jwide, a, b, c);
        return;
    case 10:
        mm_packed(10, jwide, a, b, c);
        return;
    case 11:
        mm_packed(11, jwide, a, b, c);
        return;
    case 12:
        mm_packed(12, jwide, a, b, c);
        return;
    case 13:
        mm_packed(13, jwide, a, b, c);
        return;
    case 14:
        mm_packed(14, jwide, a, b, c);
        return;
    case 15:
        mm_packed(15, jwide, a, b, c);
        return;
    default:
        mm_packed(16, jwide, a, b, c);
        return;
    }
}

/* The fixed path's product: 8 x 8 buffers with zero rows below n (columns
 * beyond n are neither read nor written). */
ALWAYS_INLINE void fx_mm_sizes(int n, const double *a, const double *b, double *c) {
    switch (n) {
    case 3:
        mm_chunks(3, 8, 8, 4, a, b, c);
        return;
    case 4:
        mm_chunks(4, 8, 8, 4, a, b, c);
        return;
    case 5:
        mm_chunks(5, 8, 8, 4, a, b, c);
        return;
    case 6:
        mm_chunks(6, 8, 8, 4, a, b, c);
        return;
    case 7:
        mm_chunks(7, 8, 8, 4, a, b, c);
        return;
    default:
        mm_chunks(8, 8, 8, 4, a, b, c);
        return;
    }
}

#ifdef MF_X86_VARIANTS
MF_AVX512 static void mm_small_avx512(int n, const double *a, const double *b, double *c) {
    mm_sizes(n, 4, a, b, c);
}
MF_AVX2 static void mm_small_avx2(int n, const double *a, const double *b, double *c) {
    mm_sizes(n, 2, a, b, c);
}
MF_AVX512 static void fx_mm_avx512(int n, const double *a, const double *b, double *c) {
    fx_mm_sizes(n, a, b, c);
}
MF_AVX2 static void fx_mm_avx2(int n, const double *a, const double *b, double *c) {
    fx_mm_sizes(n, a, b, c);
}
#endif

void mf__expm_mm_small(int n, const double *a, const double *b, double *c) {
#ifdef MF_X86_VARIANTS
    switch (mf__expm_cpu_level()) {
    case MF__CPU_AVX512:
        mm_small_avx512(n, a, b, c);
        return;
    case MF__CPU_AVX2:
        mm_small_avx2(n, a, b, c);
        return;
    default:
        break;
    }
#endif
    mm_plain(n, n, a, b, c);
}

/* ------------------------------------------------------------------ */
/* Element-wise work of the general path                               */
/* ------------------------------------------------------------------ */

/* One pass over out: each chunk of 8 elements is formed in a register
 * from all terms, so out is written once and each term read once (for
 * large n linear combinations are memory-bound: as a pass per term they
 * took about a GEMM's time at n = 1024). Per element: the self term (out
 * itself, coefficient 1) or 0, then + c0 m0 + c1 m1 + ... in order. */
ALWAYS_INLINE void lincomb_body(int64_t len, double *out, int count, const double *c,
                                const double *const *m, int self) {
    int64_t e = 0;
    for (; e + 8 <= len; e += 8) {
        v8 acc = {0}, x;
        if (self >= 0)
            memcpy(&acc, out + e, sizeof acc);
        for (int k = 0; k < count; k++)
            if (k != self) {
                memcpy(&x, m[k] + e, sizeof x);
                acc += c[k] * x;
            }
        memcpy(out + e, &acc, sizeof acc);
    }
    for (; e < len; e++) {
        double acc = self >= 0 ? out[e] : 0.0;
        for (int k = 0; k < count; k++)
            if (k != self)
                acc += c[k] * m[k][e];
        out[e] = acc;
    }
}

/* Several outputs from one read of the terms: per chunk all terms are
 * loaded before any output is stored, so an output may be one of the
 * terms (element by element, nothing is read after it is overwritten).
 * out[o] = sum_k c[o][k] m[k] in term order. With count and nout
 * constants after inlining (multi_shapes) the chunk's terms and sums stay
 * in registers; with runtime ones they went through the stack, which cost
 * as much as the memory traffic when the matrices fit in cache. */
ALWAYS_INLINE void multi_body(int64_t len, const int nout, double *const *out, const int count,
                              const double (*c)[MF__EXPM_LINCOMB_MAX], const double *const *m) {
    int64_t e = 0;
    for (; e + 8 <= len; e += 8) {
        v8 x[MF__EXPM_LINCOMB_MAX], acc[MF__EXPM_MULTI_OUT_MAX];
        for (int k = 0; k < count; k++)
            memcpy(&x[k], m[k] + e, sizeof x[k]);
        for (int o = 0; o < nout; o++) {
            v8 a = {0};
            for (int k = 0; k < count; k++)
                a += c[o][k] * x[k];
            acc[o] = a;
        }
        for (int o = 0; o < nout; o++)
            memcpy(out[o] + e, &acc[o], sizeof acc[o]);
    }
    for (; e < len; e++) {
        double x[MF__EXPM_LINCOMB_MAX], acc[MF__EXPM_MULTI_OUT_MAX];
        for (int k = 0; k < count; k++)
            x[k] = m[k][e];
        for (int o = 0; o < nout; o++) {
            double a = 0.0;
            for (int k = 0; k < count; k++)
                a += c[o][k] * x[k];
            acc[o] = a;
        }
        for (int o = 0; o < nout; o++)
            out[o][e] = acc[o];
    }
}

/* The shapes the fused evaluations use (terms x outputs: Taylor 18 4 x 5
 * and 3 x 2, Taylor 15+ 3 x 3 and 4 x 3) with constant sizes, others
 * generic; the same arithmetic either way. */
ALWAYS_INLINE void multi_shapes(int64_t len, int nout, double *const *out, int count,
                                const double (*c)[MF__EXPM_LINCOMB_MAX], const double *const *m) {
    switch (count * 8 + nout) {
    case 4 * 8 + 5: multi_body(len, 5, out, 4, c, m); return;
    case 3 * 8 + 2: multi_body(len, 2, out, 3, c, m); return;
    case 3 * 8 + 3: multi_body(len, 3, out, 3, c, m); return;
    case 4 * 8 + 3: multi_body(len, 3, out, 4, c, m); return;
    default: multi_body(len, nout, out, count, c, m); return;
    }
}

/* The largest |m[e]|, or +Inf when some entry is Inf or NaN (the
 * finiteness test rides along: x * 0 is NaN exactly then). */
ALWAYS_INLINE double max_abs_body(int64_t len, const double *m) {
    typedef long long v8i __attribute__((vector_size(64)));
    const v8i sign = (v8i){0} + (long long)0x7fffffffffffffffLL;
    v8 big = {0}, s = {0}, x;
    v8i bits, bigbits;
    int64_t e = 0;
    for (; e + 8 <= len; e += 8) {
        memcpy(&x, m + e, sizeof x);
        s += x * 0.0;
        memcpy(&bits, &x, sizeof bits);
        bits &= sign; /* |x| */
        memcpy(&x, &bits, sizeof x);
        const v8i more = x > big; /* lanes where |x| is larger: all ones */
        memcpy(&bigbits, &big, sizeof bigbits);
        bigbits = (bits & more) | (bigbits & ~more);
        memcpy(&big, &bigbits, sizeof big);
    }
    double t = 0.0, best = 0.0, l[8], b[8];
    memcpy(l, &s, sizeof l);
    memcpy(b, &big, sizeof b);
    for (int i = 0; i < 8; i++) {
        t += l[i];
        best = b[i] > best ? b[i] : best;
    }
    for (; e < len; e++) {
        t += m[e] * 0.0;
        best = fabs(m[e]) > best ? fabs(m[e]) : best;
    }
    return t == 0.0 ? best : INFINITY;
}

/* NaN in some lane iff some entry is Inf or NaN; lanes in any order. */
ALWAYS_INLINE bool finite_body(int64_t len, const double *m) {
    v8 s = {0}, x;
    int64_t e = 0;
    for (; e + 8 <= len; e += 8) {
        memcpy(&x, m + e, sizeof x);
        s += x * 0.0;
    }
    double t = 0.0, l[8];
    memcpy(l, &s, sizeof l);
    for (int i = 0; i < 8; i++)
        t += l[i];
    for (; e < len; e++)
        t += m[e] * 0.0;
    return t == 0.0;
}

#ifdef MF_X86_VARIANTS
MF_AVX512 static void lincomb_avx512(int64_t len, double *out, int count, const double *c,
                                     const double *const *m, int self) {
    lincomb_body(len, out, count, c, m, self);
}
MF_AVX2 static void lincomb_avx2(int64_t len, double *out, int count, const double *c,
                                 const double *const *m, int self) {
    lincomb_body(len, out, count, c, m, self);
}
MF_AVX512 static void multi_avx512(int64_t len, int nout, double *const *out, int count,
                                   const double (*c)[MF__EXPM_LINCOMB_MAX],
                                   const double *const *m) {
    multi_shapes(len, nout, out, count, c, m);
}
MF_AVX2 static void multi_avx2(int64_t len, int nout, double *const *out, int count,
                               const double (*c)[MF__EXPM_LINCOMB_MAX], const double *const *m) {
    multi_shapes(len, nout, out, count, c, m);
}
MF_AVX512 static double max_abs_avx512(int64_t len, const double *m) {
    return max_abs_body(len, m);
}
MF_AVX2 static double max_abs_avx2(int64_t len, const double *m) { return max_abs_body(len, m); }
MF_AVX512 static bool finite_avx512(int64_t len, const double *m) {
    return finite_body(len, m);
}
MF_AVX2 static bool finite_avx2(int64_t len, const double *m) {
    return finite_body(len, m);
}
#endif

/* out *= f, kept out of line so that the product is rounded on its own
 * and never fused into the sum that follows. */
__attribute__((noinline)) static void scale_out(int64_t len, double *out, double f) {
    for (int64_t e = 0; e < len; e++)
        out[e] *= f;
}

/* One call of the dispatched body on elements [e0, e1): the single-output
 * combination (nout = 0: out, c, self) or the multi-output one (outs, cm). */
typedef struct lincomb_part {
    int64_t e0, e1;
    double *out;
    int count, self;
    const double *c;
    const double *const *m;
    int nout;
    double *const *outs;
    const double (*cm)[MF__EXPM_LINCOMB_MAX];
} lincomb_part;

static void multi_range(const lincomb_part *p, const double *const *mk, int64_t len) {
    double *ok[MF__EXPM_MULTI_OUT_MAX];
    for (int o = 0; o < p->nout; o++)
        ok[o] = p->outs[o] + p->e0;
#ifdef MF_X86_VARIANTS
    switch (mf__expm_cpu_level()) {
    case MF__CPU_AVX512: multi_avx512(len, p->nout, ok, p->count, p->cm, mk); return;
    case MF__CPU_AVX2: multi_avx2(len, p->nout, ok, p->count, p->cm, mk); return;
    default: break;
    }
#endif
    multi_shapes(len, p->nout, ok, p->count, p->cm, mk);
}

static void lincomb_range(const lincomb_part *p) {
    const double *mk[MF__EXPM_LINCOMB_MAX];
    for (int k = 0; k < p->count; k++)
        mk[k] = p->m[k] + p->e0;
    const int64_t len = p->e1 - p->e0;
    if (p->nout > 0) {
        multi_range(p, mk, len);
        return;
    }
    double *out = p->out + p->e0;
#ifdef MF_X86_VARIANTS
    switch (mf__expm_cpu_level()) {
    case MF__CPU_AVX512: lincomb_avx512(len, out, p->count, p->c, mk, p->self); return;
    case MF__CPU_AVX2: lincomb_avx2(len, out, p->count, p->c, mk, p->self); return;
    default: break;
    }
#endif
    lincomb_body(len, out, p->count, p->c, mk, p->self);
}

/* Above this many doubles (2 MiB per matrix, n >= 512) a combination is
 * memory-bound and long enough (milliseconds) to repay a second thread,
 * which doubles the bandwidth one core draws. Used only when the BLAS may
 * run more than one thread (the caller's thread budget). */
#define LINCOMB_THREAD_MIN ((int64_t)1 << 18)
/* Pieces the pool's threads claim in turn (a multiple of 8 doubles). */
#define LINCOMB_PIECE ((int64_t)1 << 16)

static _Atomic int forced_lincomb_threads; /* 0: the backend's budget */

void mf__expm_lincomb_force_threads(int threads) { atomic_store(&forced_lincomb_threads, threads); }

static int lincomb_threads(void) {
    const int forced = atomic_load(&forced_lincomb_threads);
    if (forced > 0)
        return forced;
    mf_backend_info bi;
    if (mf_backend(&bi) != MF_OK)
        return 1;
    if (bi.num_threads > 1)
        return bi.num_threads;
    const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    return bi.num_threads < 0 && cpus > 1 ? (int)cpus : 1;
}

static void lincomb_piece(void *ctx, int64_t piece, int worker) {
    (void)worker;
    lincomb_part p = *(const lincomb_part *)ctx;
    p.e0 = piece * LINCOMB_PIECE;
    p.e1 = p.e0 + LINCOMB_PIECE < p.e1 ? p.e0 + LINCOMB_PIECE : p.e1;
    lincomb_range(&p);
}

/* Run all (elements [0, all->e1)), in pieces over the pool's threads when
 * long enough. Pieces start at multiples of 8: each element sees the same
 * arithmetic whichever thread takes it. */
static void run_split(const lincomb_part *all) {
    const int64_t len = all->e1;
    if (len < LINCOMB_THREAD_MIN) { /* the small-matrix case: no copies */
        lincomb_range(all);
        return;
    }
    mf__run_parts((len + LINCOMB_PIECE - 1) / LINCOMB_PIECE, lincomb_threads(), lincomb_piece,
                  (void *)all);
}

void mf__expm_lincomb(int64_t len, double *out, int count, const double *c,
                      const double *const *m) {
    int self = -1;
    for (int k = 0; k < count; k++)
        if (m[k] == out)
            self = k;
    if (self >= 0 && c[self] != 1.0) /* every current caller has 1 here */
        scale_out(len, out, c[self]);
    const lincomb_part all = {0, len, out, count, self, c, m, 0, NULL, NULL};
    run_split(&all);
}

void mf__expm_lincomb_multi(int64_t len, int nout, double *const *out, int count,
                            const double (*c)[MF__EXPM_LINCOMB_MAX], const double *const *m) {
    const lincomb_part all = {0, len, NULL, count, -1, NULL, m, nout, out, c};
    run_split(&all);
}

double mf__expm_max_abs(int64_t len, const double *m) {
#ifdef MF_X86_VARIANTS
    switch (mf__expm_cpu_level()) {
    case MF__CPU_AVX512: return max_abs_avx512(len, m);
    case MF__CPU_AVX2: return max_abs_avx2(len, m);
    default: break;
    }
#endif
    return max_abs_body(len, m);
}

bool mf__expm_all_finite(int64_t len, const double *m) {
#ifdef MF_X86_VARIANTS
    switch (mf__expm_cpu_level()) {
    case MF__CPU_AVX512:
        return finite_avx512(len, m);
    case MF__CPU_AVX2:
        return finite_avx2(len, m);
    default:
        break;
    }
#endif
    return finite_body(len, m);
}

/* nb[k] = || |A|^k ||_1 / d1^k for k = 1..kmax, exactly: |A| >= 0, so the
 * 1-norm is the largest entry of (|A|^T)^k 1 (SciPy's trick, PR 2887);
 * B = |A|^T / d1 keeps every step in [0, 1]. B is stored transposed so
 * that y = B v is a sum of scaled columns (vectorizes). O(kmax n^2).
 * These bound ||A^k||_1 rigorously from above. work: n^2 + 2n doubles. */
ALWAYS_INLINE void abs_body(int64_t n, const double *a, int64_t lda, double d1, int kmax,
                            double *nb, double *work) {
    double *restrict B = work, *restrict v = work + n * n, *restrict y = v + n;
    const double r1 = 1.0 / d1;
    for (int64_t j = 0; j < n; j++)
        for (int64_t i = 0; i < n; i++)
            B[j + i * n] = fabs(a[i + j * lda]) * r1;
    for (int64_t i = 0; i < n; i++)
        v[i] = 1.0;
    for (int k = 1; k <= kmax; k++) {
        for (int64_t j = 0; j < n; j++)
            y[j] = 0.0;
        for (int64_t i = 0; i < n; i++) {
            const double vi = v[i];
            const double *restrict Bi = B + i * n;
            for (int64_t j = 0; j < n; j++)
                y[j] += Bi[j] * vi;
        }
        double best = 0.0;
        for (int64_t j = 0; j < n; j++) {
            best = y[j] > best ? y[j] : best;
            v[j] = y[j];
        }
        nb[k] = best;
    }
}

#ifdef MF_X86_VARIANTS
MF_AVX512 static void abs_avx512(int64_t n, const double *a, int64_t lda, double d1, int kmax,
                                 double *nb, double *work) {
    abs_body(n, a, lda, d1, kmax, nb, work);
}
MF_AVX2 static void abs_avx2(int64_t n, const double *a, int64_t lda, double d1, int kmax,
                             double *nb, double *work) {
    abs_body(n, a, lda, d1, kmax, nb, work);
}
#endif

void mf__expm_abs_power_norms(int64_t n, const double *a, int64_t lda, double d1, int kmax,
                              double *nb, double *work) {
#ifdef MF_X86_VARIANTS
    switch (mf__expm_cpu_level()) {
    case MF__CPU_AVX512:
        abs_avx512(n, a, lda, d1, kmax, nb, work);
        return;
    case MF__CPU_AVX2:
        abs_avx2(n, a, lda, d1, kmax, nb, work);
        return;
    default:
        break;
    }
#endif
    abs_body(n, a, lda, d1, kmax, nb, work);
}

/* ------------------------------------------------------------------ */
/* The fixed-size path: n x n held in 8 x 8 buffers                    */
/* ------------------------------------------------------------------ */

/* Every buffer is 8 x 8, column-major, with zero rows beyond n (products
 * keep them zero, linear combinations of zeros are zero, and the identity
 * is added on the first n diagonal entries only). So element-wise work
 * runs over n columns of 8, one vector instruction per column and term,
 * and gives the same values as on n x n: the zero rows add nothing to the
 * column sums, which run in the same order. */
#define LD 8
#define FX_LEN (LD * LD)

typedef void (*fx_mm_fn)(int n, const double *a, const double *b, double *c);

/* Workspace of one call: the scaled A, its powers, and temporaries. */
typedef struct fx_work {
    int n;
    double d1; /* ||A||_1 before scaling */
    int products;
    bool have3;
    fx_mm_fn mm;
    _Alignas(64) double a[FX_LEN];
    _Alignas(64) double a2[FX_LEN];
    _Alignas(64) double a3[FX_LEN]; /* A3, or A4 / y0 */
    _Alignas(64) double a6[FX_LEN]; /* A6, or y1 */
    _Alignas(64) double t[FX_LEN];
    _Alignas(64) double u[FX_LEN];
    _Alignas(64) double r[FX_LEN];
} fx_work;

/* Column j of m as a vector, and back. */
ALWAYS_INLINE void fx_ld(v8 *v, const double *m, int j) {
    memcpy(v, m + LD * j, sizeof *v);
}
ALWAYS_INLINE void fx_st(double *m, int j, const v8 *v) {
    memcpy(m + LD * j, v, sizeof *v);
}

/* out = sum_k c[k] m[k] + d I, with lincomb_body's arithmetic: a term that
 * is out itself (its coefficient must be 1: all are) first, the others in
 * order, then d on the diagonal. With the pointers known at compile time
 * the self test folds away and the rest is one pass of vector operations. */
ALWAYS_INLINE void fx_lc(int n, double *out, const int count, const double *c,
                         const double *const *m, const double d) {
    int self = -1;
    for (int k = 0; k < count; k++)
        if (m[k] == out)
            self = k;
    for (int j = 0; j < n; j++) {
        v8 acc = {0}, x;
        if (self >= 0)
            fx_ld(&acc, out, j);
        for (int k = 0; k < count; k++)
            if (k != self) {
                fx_ld(&x, m[k], j);
                acc += c[k] * x;
            }
        fx_st(out, j, &acc);
    }
    for (int i = 0; i < n; i++)
        out[i * (LD + 1)] += d;
}

/* ||M||_1 (norm1 in expm_eval.c). */
ALWAYS_INLINE double fx_norm1(int n, const double *m) {
    double best = 0.0;
    for (int j = 0; j < n; j++) {
        double s = 0.0;
        for (int i = 0; i < LD; i++)
            s += fabs(m[i + LD * j]);
        best = s > best ? s : best;
    }
    return best;
}

ALWAYS_INLINE bool fx_finite(int n, const double *m) {
    v8 s = {0}, x;
    for (int j = 0; j < n; j++) {
        fx_ld(&x, m, j);
        s += x * 0.0; /* NaN lanes iff some entry is Inf or NaN */
    }
    double l[LD];
    memcpy(l, &s, sizeof l);
    double t = 0.0;
    for (int i = 0; i < LD; i++)
        t += l[i];
    return t == 0.0;
}

ALWAYS_INLINE void fx_scale(int n, double *m, double f) {
    v8 x;
    for (int j = 0; j < n; j++) {
        fx_ld(&x, m, j);
        x *= f;
        fx_st(m, j, &x);
    }
}

/* Copy A into a (padding zeroed), taking ||A||_1 and checking finiteness
 * in the same pass. Returns false for a non-finite entry. */
ALWAYS_INLINE bool fx_pack(int n, const mf_matrix *A, double *a, double *norm1) {
    const double *p = A->data;
    const int64_t rs = A->rs, cs = A->cs;
    double best = 0.0, bad = 0.0;
    memset(a, 0, FX_LEN * sizeof(double));
    for (int j = 0; j < n; j++) {
        double s = 0.0;
        for (int i = 0; i < n; i++) {
            const double v = p[i * rs + j * cs];
            a[i + LD * j] = v;
            bad += v * 0.0;
            s += fabs(v);
        }
        best = s > best ? s : best;
    }
    *norm1 = best;
    return bad == 0.0;
}

ALWAYS_INLINE void fx_unpack(int n, const double *x, mf_matrix *E) {
    double *p = E->data;
    const int64_t rs = E->rs, cs = E->cs;
    if (E->dtype == MF_C128) {
        for (int j = 0; j < n; j++)
            for (int i = 0; i < n; i++) {
                p[2 * (i * rs + j * cs)] = x[i + LD * j];
                p[2 * (i * rs + j * cs) + 1] = 0.0;
            }
        return;
    }
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++)
            p[i * rs + j * cs] = x[i + LD * j];
}

/* Structure the general path treats specially (detect in expm_eval.c, real
 * n >= 3): upper or lower triangular (diagonal included), or real
 * quasi-upper-triangular. A dense matrix answers after three entries. */
ALWAYS_INLINE bool fx_structured(int n, const double *a) {
    bool below2 = false; /* a nonzero below the first subdiagonal */
    for (int j = 0; j < n && !below2; j++)
        for (int i = j + 2; i < n; i++)
            if (a[i + LD * j] != 0.0) {
                below2 = true;
                break;
            }
    bool upper0 = true;
    for (int j = 1; j < n && upper0; j++)
        for (int i = 0; i < j; i++)
            if (a[i + LD * j] != 0.0) {
                upper0 = false;
                break;
            }
    if (upper0)
        return true; /* lower triangular or diagonal */
    if (below2)
        return false;
    /* upper Hessenberg: triangular or quasi-triangular unless two
     * consecutive subdiagonal entries are nonzero */
    for (int i = 0; i + 2 < n; i++)
        if (a[i + 1 + LD * i] != 0.0 && a[i + 2 + LD * (i + 1)] != 0.0)
            return false;
    return true;
}

/* nb[k] = || |A|^k ||_1 / ||A||_1^k, k = 1..kmax, for the 8 x 8 buffer a:
 * abs_body's sums (the same fused steps in the same order, lanes j >= n
 * are zeros), with the columns of B^T in registers. */
ALWAYS_INLINE void fx_abs_power_norms(int n, const double *a, double d1, int kmax, double *nb) {
    v8 B[LD]; /* B[i] = row i of |A| / d1 = column i of B^T */
    double v[LD], y[LD];
    const double r1 = 1.0 / d1;
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < LD; j++)
            y[j] = fabs(a[i + LD * j]) * r1;
        memcpy(&B[i], y, sizeof y);
    }
    for (int i = 0; i < LD; i++)
        v[i] = 1.0;
    for (int k = 1; k <= kmax; k++) {
        v8 acc = {0};
        for (int i = 0; i < n; i++)
            acc += B[i] * v[i];
        memcpy(v, &acc, sizeof v);
        double best = 0.0;
        for (int j = 0; j < LD; j++)
            best = v[j] > best ? v[j] : best;
        nb[k] = best;
    }
}

ALWAYS_INLINE void fx_product(fx_work *w, const double *x, const double *y, double *z) {
    w->mm(w->n, x, y, z);
    w->products++;
}

ALWAYS_INLINE void fx_lc_w(fx_work *w, double *out, const int count, const double *c,
                           const double *const *m, const double d) {
    fx_lc(w->n, out, count, c, m, d);
}

/* A^3 for T18's evaluation, unless already held. */
ALWAYS_INLINE void fx_ensure_a3(fx_work *w) {
    if (!w->have3) {
        fx_product(w, w->a2, w->a, w->a3);
        w->have3 = true;
    }
}

/* The evaluations of expm_eval.c (eval_taylor_low, eval_t8_bbc,
 * eval_t15_sid, eval_t18_bbc), term for term, on one 8 x 8 buffer. */
#define FXE_WORK fx_work
#define FXE_NAME(x) fx_##x
#define FXE_LC fx_lc_w
#define FXE_MM fx_product
#define FXE_ENSURE_A3 fx_ensure_a3
#include "expm_fixed_eval.inc"

/* The choice (expm_fixed.h) with the norms taken here; c is the choice by
 * d1 alone. */
ALWAYS_INLINE mf__expm_choice fx_choose(fx_work *w, double d1, mf__expm_choice c) {
    if (c.s == 0)
        return c;
    const double d2 = sqrt(fx_norm1(w->n, w->a2));
    if (!fx_choice_needs_abs(c, d2))
        return c;
    double nb[MF__EXPM_MAX_ORDER + 1];
    fx_abs_power_norms(w->n, w->a, d1, mf__expm_abs_kmax(MF_EXPM_AUTO), nb);
    return fx_choice_refined(c, d1, d2, w->have3 ? fx_norm1(w->n, w->a3) : -1.0, nb);
}

/* Scale A and its held powers by 2^-s (exact); powers of a huge A may have
 * overflowed, so rebuild them from the scaled A then (as expm_eval.c). */
ALWAYS_INLINE void fx_scale_down(fx_work *w, int s) {
    const int n = w->n;
    const double f = s <= 1022 ? fx_pow2_neg(s) : ldexp(1.0, -s);
    fx_scale(n, w->a, f);
    /* |(A^k)_ij| <= ||A||_1^k: below 1e100 the powers are finite and the
     * general path's finiteness test is known to pass without looking */
    const bool huge = w->d1 > MF__EXPM_FIXED_HUGE;
    const bool rebuild =
        s > MF__EXPM_FIXED_MAX_S || (huge && (!fx_finite(n, w->a2) || (w->have3 && !fx_finite(n, w->a3))));
    if (rebuild) {
        fx_product(w, w->a, w->a, w->a2);
        if (w->have3)
            fx_product(w, w->a2, w->a, w->a3);
    } else {
        fx_scale(n, w->a2, f * f);
        if (w->have3)
            fx_scale(n, w->a3, f * f * f);
    }
}

/* scaling_squaring in expm_eval.c for the default family and a matrix
 * without structure; A packed in w->a, d1 = ||A||_1 > 0 (the zero matrix
 * is diagonal). The result is left in w->r. */
ALWAYS_INLINE mf_status fx_scaling_squaring(const char *fn, fx_work *w, double d1,
                                            mf__expm_choice *out) {
    if (!(d1 <= mf__expm_schemes[MF__S_T1].theta))
        fx_product(w, w->a, w->a, w->a2);
    if (!(d1 < INFINITY))
        return mf__fail(MF_EOVERFLOW, fn, "||A||_1 exceeds the double range");
    const mf__expm_choice c0 = fx_choice_by_norm(d1);
    if (c0.id == MF__S_T18_BBC) {
        fx_product(w, w->a2, w->a, w->a3);
        w->have3 = true;
    }
    const mf__expm_choice c = fx_choose(w, d1, c0);
    if (c.s > 0)
        fx_scale_down(w, c.s);
    double *X = fx_eval(w, c.id);
    /* squaring ping-pongs between X and a free buffer; a non-finite entry
     * never becomes finite again under squaring (its own term x_ij x_jj
     * stays non-finite), so one check at the end sees every overflow */
    double *Y = X == w->t ? w->u : w->t;
    for (int j = 1; j <= c.s; j++) {
        fx_product(w, X, X, Y);
        double *tmp = X;
        X = Y;
        Y = tmp;
    }
    if (!fx_finite(w->n, X))
        return mf__expm_overflow(fn, w->n);
    if (X != w->r)
        memcpy(w->r, X, sizeof w->r);
    *out = c;
    return MF_OK;
}

/* The whole fixed path, compiled once per instruction set variant. */
ALWAYS_INLINE mf_status fx_run(const char *fn, const mf_matrix *A, mf_matrix *E, mf_expm_info *info,
                               bool *handled, fx_mm_fn mm) {
    const int n = (int)A->rows;
    fx_work w;
    double d1;
    *handled = false;
    if (!fx_pack(n, A, w.a, &d1) || fx_structured(n, w.a))
        return MF_OK; /* the general path reports or handles it */
    *handled = true;
    w.n = n;
    w.d1 = d1;
    w.products = 0;
    w.have3 = false;
    w.mm = mm;
    mf__expm_choice c = {MF__S_T1, 0, 0.0};
    const mf_status st = fx_scaling_squaring(fn, &w, d1, &c);
    if (st != MF_OK)
        return st;
    fx_unpack(n, w.r, E);
    if (info != NULL)
        *info = (mf_expm_info){.method = MF_EXPM_METHOD_SCALING_SQUARING,
                               .scheme = mf__expm_schemes[c.id].family,
                               .degree = mf__expm_schemes[c.id].degree,
                               .squarings = c.s,
                               .products = w.products,
                               .solves = 0,
                               .norm1 = d1,
                               .eta = c.eta};
    return MF_OK;
}

#ifdef MF_X86_VARIANTS
MF_AVX512 static mf_status fixed_avx512(const char *fn, const mf_matrix *A, mf_matrix *E,
                                        mf_expm_info *info, bool *handled) {
    return fx_run(fn, A, E, info, handled, fx_mm_avx512);
}
MF_AVX2 static mf_status fixed_avx2(const char *fn, const mf_matrix *A, mf_matrix *E,
                                    mf_expm_info *info, bool *handled) {
    return fx_run(fn, A, E, info, handled, fx_mm_avx2);
}
#endif

mf_status mf__expm_fixed(const char *fn, const mf_matrix *A, mf_matrix *E, mf_expm_info *info,
                         bool *handled) {
    if (A->rows < 3 || A->rows > MF__EXPM_FIXED_MAX_N) {
        *handled = false;
        return MF_OK;
    }
#ifdef MF_X86_VARIANTS
    switch (mf__expm_cpu_level()) {
    case MF__CPU_AVX512:
        return fixed_avx512(fn, A, E, info, handled);
    case MF__CPU_AVX2:
        return fixed_avx2(fn, A, E, info, handled);
    default:
        break;
    }
#endif
    /* without AVX2 the general path is about as fast: no third copy */
    *handled = false;
    return MF_OK;
}
