/*
 * exp of eight real matrices of the same order 3 <= n <= 8 at once, for
 * mf_expm_batch: matrix l lives in vector lane l, so entry (i, j) of all
 * eight is one 64-byte vector and every operation of the fixed path
 * (expm_small.c) becomes one vector operation for eight matrices. A 3 x 3
 * product is 27 multiply-adds for eight matrices instead of 9 mostly
 * empty vector operations for one; the per-call work that remains scalar
 * (the choice of approximant and s) is shared with the fixed path.
 *
 * Every lane makes the fixed path's choice (expm_fixed.h) from the same
 * norms and performs the fixed path's operations in the same order with
 * the same fused multiply-adds, so each member's result is bit for bit
 * mf_expm's. Lanes may choose different approximants and s: each
 * approximant present is evaluated on all lanes and kept where chosen,
 * and each squaring is kept only in the lanes that need it.
 *
 * Members the fixed path hands on (structured, non-finite) and the rare
 * ones whose powers need the general path's care (huge norms, more than
 * MF__EXPM_FIXED_MAX_S squarings, overflow) are left to mf_expm.
 */
#include <string.h>

#include "expm_fixed.h"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=fast")
#elif defined(__clang__)
#pragma clang fp contract(fast)
#endif

#define LANES 8
#define MAXN MF__EXPM_FIXED_MAX_N
#define MAT (MAXN * MAXN * LANES) /* doubles of one lane matrix */

typedef long long v8i __attribute__((vector_size(64)));

/* Workspace: the fixed path's buffers (expm_fixed_eval.inc names them),
 * plus the result x; entry e = i + n j of a matrix is the vector at
 * m + LANES e. */
typedef struct ln_work {
    int n;
    _Alignas(64) double a[MAT];
    _Alignas(64) double a2[MAT];
    _Alignas(64) double a3[MAT];
    _Alignas(64) double a6[MAT];
    _Alignas(64) double t[MAT];
    _Alignas(64) double u[MAT];
    _Alignas(64) double r[MAT];
    _Alignas(64) double x[MAT];
    bool have3[LANES]; /* a3 holds A^3 formed before scaling (as the fixed path) */
} ln_work;

/* What each lane decided. */
typedef struct ln_plan {
    bool active[LANES];
    double d1[LANES];
    mf__expm_choice c[LANES];
} ln_plan;

ALWAYS_INLINE void ln_get(v8 *v, const double *m, int e) {
    memcpy(v, m + LANES * e, sizeof *v);
}
ALWAYS_INLINE void ln_put(double *m, int e, const v8 *v) {
    memcpy(m + LANES * e, v, sizeof *v);
}

/* |x| in place (vectors are never passed by value: see v8). */
ALWAYS_INLINE void ln_abs(v8 *x) {
    v8i bits;
    memcpy(&bits, x, sizeof bits);
    bits &= (v8i){0} + 0x7fffffffffffffffLL; /* clear the sign bits */
    memcpy(x, &bits, sizeof *x);
}

/* *x = *y in the lanes where mask is all ones (a lane-wise select). */
ALWAYS_INLINE void ln_select(v8 *x, const v8 *y, const v8i *mask) {
    v8i xb, yb;
    memcpy(&xb, x, sizeof xb);
    memcpy(&yb, y, sizeof yb);
    xb = (yb & *mask) | (xb & ~*mask);
    memcpy(x, &xb, sizeof xb);
}

/* *best = max(*best, *y) lane by lane, as best = y > best ? y : best. */
ALWAYS_INLINE void ln_max(v8 *best, const v8 *y) {
    const v8i gt = *y > *best;
    ln_select(best, y, &gt);
}

ALWAYS_INLINE void ln_mask(const bool *lanes, v8i *mask) {
    long long m[LANES];
    for (int l = 0; l < LANES; l++)
        m[l] = lanes[l] ? -1 : 0;
    memcpy(mask, m, sizeof m);
}

/* out = sum_k c[k] m[k] + d I: fx_lc's arithmetic, entry by entry. */
ALWAYS_INLINE void ln_lc(const int n, double *out, const int count, const double *c,
                         const double *const *m, const double d) {
    int self = -1;
    for (int k = 0; k < count; k++)
        if (m[k] == out)
            self = k;
    for (int e = 0; e < n * n; e++) {
        v8 acc = {0}, x;
        if (self >= 0)
            ln_get(&acc, out, e);
        for (int k = 0; k < count; k++)
            if (k != self) {
                ln_get(&x, m[k], e);
                acc += c[k] * x;
            }
        ln_put(out, e, &acc);
    }
    for (int i = 0; i < n; i++) {
        v8 x;
        ln_get(&x, out, i * (n + 1));
        x += d;
        ln_put(out, i * (n + 1), &x);
    }
}

/* z = x y: each entry sum_k x_ik y_kj accumulated from zero in increasing
 * k, as mm_chunks; entry by entry, in one register each (the n^2 chains
 * are independent, so they overlap). */
ALWAYS_INLINE void ln_mm(const int n, const double *x, const double *y, double *z) {
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            v8 acc = {0}, xik, ykj;
            for (int k = 0; k < n; k++) {
                ln_get(&xik, x, i + n * k);
                ln_get(&ykj, y, k + n * j);
                acc += xik * ykj;
            }
            ln_put(z, i + n * j, &acc);
        }
}

/* The 1-norm of each lane (fx_norm1's sums). */
ALWAYS_INLINE void ln_norm1(const int n, const double *m, double *norm) {
    v8 best = {0};
    for (int j = 0; j < n; j++) {
        v8 s = {0}, x;
        for (int i = 0; i < n; i++) {
            ln_get(&x, m, i + n * j);
            ln_abs(&x);
            s += x;
        }
        ln_max(&best, &s);
    }
    memcpy(norm, &best, sizeof best);
}

/* Which lanes hold only finite entries. */
ALWAYS_INLINE void ln_finite(const int n, const double *m, bool *finite) {
    v8 s = {0}, x;
    for (int e = 0; e < n * n; e++) {
        ln_get(&x, m, e);
        s += x * 0.0; /* NaN lanes iff some entry is Inf or NaN */
    }
    double sl[LANES];
    memcpy(sl, &s, sizeof sl);
    for (int l = 0; l < LANES; l++)
        finite[l] = sl[l] == 0.0;
}

ALWAYS_INLINE void ln_scale(const int n, double *m, const double *f) {
    v8 fv, x;
    memcpy(&fv, f, sizeof fv);
    for (int e = 0; e < n * n; e++) {
        ln_get(&x, m, e);
        x *= fv;
        ln_put(m, e, &x);
    }
}

/* dst = src in the lanes where keep[l] is set. */
ALWAYS_INLINE void ln_copy_lanes(const int n, double *dst, const double *src, const bool *keep) {
    v8i mask;
    ln_mask(keep, &mask);
    for (int e = 0; e < n * n; e++) {
        v8 d, x;
        ln_get(&d, dst, e);
        ln_get(&x, src, e);
        ln_select(&d, &x, &mask);
        ln_put(dst, e, &d);
    }
}

/* nb[k][l] = || |A|^k ||_1 / d1^k of lane l, k = 1..kmax:
 * fx_abs_power_norms's sums, lane by lane. */
ALWAYS_INLINE void ln_abs_power_norms(const int n, const double *a, const double *d1, int kmax,
                                      double (*nb)[LANES]) {
    v8 B[MAXN * MAXN], v[MAXN], r1, x;
    memcpy(&r1, d1, sizeof r1);
    r1 = 1.0 / r1;
    for (int e = 0; e < n * n; e++) {
        ln_get(&x, a, e);
        ln_abs(&x);
        B[e] = x * r1;
    }
    for (int i = 0; i < n; i++)
        v[i] = (v8){0} + 1.0;
    for (int k = 1; k <= kmax; k++) {
        v8 y[MAXN];
        for (int j = 0; j < n; j++) {
            v8 acc = {0};
            for (int i = 0; i < n; i++)
                acc += B[i + n * j] * v[i];
            y[j] = acc;
        }
        v8 best = {0};
        for (int j = 0; j < n; j++) {
            v[j] = y[j];
            ln_max(&best, &y[j]);
        }
        memcpy(nb[k], &best, sizeof best);
    }
}

/* ------------------------------------------------------------------ */
/* The evaluation formulas on lanes                                    */
/* ------------------------------------------------------------------ */

ALWAYS_INLINE void ln_lc_w(ln_work *w, double *out, const int count, const double *c,
                           const double *const *m, const double d) {
    ln_lc(w->n, out, count, c, m, d);
}

ALWAYS_INLINE void ln_product(ln_work *w, const double *x, const double *y, double *z) {
    ln_mm(w->n, x, y, z);
}

/* A^3 of the scaled A in the lanes that do not hold it yet (t is free
 * before T18's evaluation uses it). */
ALWAYS_INLINE void ln_ensure_a3(ln_work *w) {
    bool missing[LANES];
    for (int l = 0; l < LANES; l++)
        missing[l] = !w->have3[l];
    ln_mm(w->n, w->a2, w->a, w->t);
    ln_copy_lanes(w->n, w->a3, w->t, missing);
}

#define FXE_WORK ln_work
#define FXE_NAME(x) ln_##x
#define FXE_LC ln_lc_w
#define FXE_MM ln_product
#define FXE_ENSURE_A3 ln_ensure_a3
#include "expm_fixed_eval.inc"

/* ------------------------------------------------------------------ */
/* One group of eight                                                  */
/* ------------------------------------------------------------------ */

/* fx_structured of lane l. */
ALWAYS_INLINE bool ln_structured(const int n, const double *a, int l) {
    double m[MAXN * MAXN];
    for (int e = 0; e < n * n; e++)
        m[e] = a[LANES * e + l];
    bool below2 = false, upper0 = true;
    for (int j = 0; j < n && !below2; j++)
        for (int i = j + 2; i < n; i++)
            below2 = below2 || m[i + n * j] != 0.0;
    for (int j = 1; j < n && upper0; j++)
        for (int i = 0; i < j; i++)
            upper0 = upper0 && m[i + n * j] == 0.0;
    if (upper0)
        return true;
    if (below2)
        return false;
    for (int i = 0; i + 2 < n; i++)
        if (m[i + 1 + n * i] != 0.0 && m[i + 2 + n * (i + 1)] != 0.0)
            return false;
    return true;
}

/* Load member l into lane l (lanes beyond count repeat member 0) and take
 * ||A||_1 as fx_pack does; a member is active unless it is for mf_expm. */
ALWAYS_INLINE void ln_pack(const int n, int count, const mf_matrix *A, ln_work *w, ln_plan *p) {
    for (int l = 0; l < LANES; l++) {
        const mf_matrix *m = &A[l < count ? l : 0];
        const double *src = m->data;
        double best = 0.0, bad = 0.0;
        for (int j = 0; j < n; j++) {
            double s = 0.0;
            for (int i = 0; i < n; i++) {
                const double v = src[i * m->rs + j * m->cs];
                w->a[LANES * (i + n * j) + l] = v;
                bad += v * 0.0;
                s += fabs(v);
            }
            best = s > best ? s : best;
        }
        p->d1[l] = best;
        p->active[l] = l < count && bad == 0.0 && best > mf__expm_schemes[MF__S_T1].theta &&
                       best <= MF__EXPM_FIXED_HUGE && !ln_structured(n, w->a, l);
    }
}

/* mf__expm_cheapest(MF_EXPM_AUTO, eta[l], min_order) of eight values at
 * once: the same search (squarings from the exponent and significand bits,
 * key = cost * 2^13 + s, the first smallest key kept) with the candidates
 * in the same order, as vector operations on the eight keys. */
ALWAYS_INLINE void ln_cheapest(const double *eta, int min_order, mf__expm_choice *c) {
    const mf__expm_scheme_id *ids;
    const int count = mf__expm_family_ids(MF_EXPM_AUTO, &ids);
    const long long frac_mask = 0xfffffffffffffLL;
    v8 ev;
    v8i bits;
    memcpy(&ev, eta, sizeof ev);
    memcpy(&bits, eta, sizeof bits);
    const v8i exponent = (bits >> 52) & 0x7ff, frac = bits & frac_mask;
    const v8i finite = ev < INFINITY; /* all ones where finite (not NaN, not Inf) */
    v8i best_key = (v8i){0} + INT64_MAX, best_id = (v8i){0} + (long long)ids[count - 1], best_s = {0};
    for (int i = 0; i < count; i++) {
        const mf__expm_scheme *sc = &mf__expm_schemes[ids[i]];
        if (sc->order < min_order)
            continue;
        long long tb;
        memcpy(&tb, &sc->theta, sizeof tb);
        /* s = e_eta - e_theta + (frac_eta > frac_theta), at least 0; 4096
         * for an infinite eta (a comparison's true is -1 here) */
        v8i s = exponent - ((tb >> 52) & 0x7ff) - (frac > (tb & frac_mask));
        s &= s > 0;
        s = (s & finite) | (4096 & ~finite);
        const long long cost3 = 3 * sc->products + 4 * sc->solves; /* mf__expm_cost3(id, 0) */
        const v8i key = ((cost3 + 3 * s) << 13) + s;
        const v8i better = key < best_key;
        best_key = (key & better) | (best_key & ~better);
        best_s = (s & better) | (best_s & ~better);
        best_id = ((long long)ids[i] & better) | (best_id & ~better);
    }
    long long id[LANES], sq[LANES];
    memcpy(id, &best_id, sizeof id);
    memcpy(sq, &best_s, sizeof sq);
    for (int l = 0; l < LANES; l++)
        c[l] = (mf__expm_choice){(int32_t)id[l], (int32_t)sq[l], eta[l]};
}

/* Each lane's approximant and s (fx_scaling_squaring's and fx_choose's
 * steps), and A^2, A^3 as the fixed path holds them. p->c holds the
 * choice by ||A||_1 (fx_choice_by_norm, made by ln_first_choices). */
ALWAYS_INLINE void ln_choose(const int n, ln_work *w, ln_plan *p) {
    ln_mm(n, w->a, w->a, w->a2);
    bool need_a3 = false, any_scaled = false;
    for (int l = 0; l < LANES; l++) {
        w->have3[l] = p->c[l].id == MF__S_T18_BBC;
        need_a3 = need_a3 || (p->active[l] && w->have3[l]);
        any_scaled = any_scaled || (p->active[l] && p->c[l].s != 0);
    }
    if (need_a3)
        ln_mm(n, w->a2, w->a, w->a3);
    if (!any_scaled)
        return;
    double n2[LANES], n3[LANES] = {0}, d2[LANES];
    mf__expm_choice by_d2[LANES];
    bool needs_abs[LANES], any_abs = false;
    ln_norm1(n, w->a2, n2);
    if (need_a3)
        ln_norm1(n, w->a3, n3);
    for (int l = 0; l < LANES; l++)
        d2[l] = sqrt(n2[l]);
    /* fx_choice_needs_abs: mf__expm_alpha_may_help with the fixed paths'
     * minimum saving */
    ln_cheapest(d2, MF__EXPM_ORDER_FOR_ALPHA4, by_d2);
    const int min_saving = mf__expm_alpha_min_saving(MF__EXPM_FIXED_MAX_N);
    for (int l = 0; l < LANES; l++) {
        needs_abs[l] = p->active[l] && p->c[l].s != 0 &&
                       (!(d2[l] < INFINITY) || by_d2[l].s <= p->c[l].s - min_saving);
        any_abs = any_abs || needs_abs[l];
    }
    if (!any_abs)
        return;
    const int kmax = mf__expm_abs_kmax(MF_EXPM_AUTO);
    double nb[MF__EXPM_MAX_ORDER + 1][LANES];
    ln_abs_power_norms(n, w->a, p->d1, kmax, nb);
    for (int l = 0; l < LANES; l++) {
        if (!needs_abs[l])
            continue;
        double nbl[MF__EXPM_MAX_ORDER + 1];
        for (int k = 1; k <= kmax; k++)
            nbl[k] = nb[k][l];
        p->c[l] = fx_choice_refined(p->c[l], p->d1[l], d2[l], w->have3[l] ? n3[l] : -1.0, nbl);
    }
}

/* Scale A, A^2 and a held A^3 by 2^-s of each lane (exact). */
ALWAYS_INLINE void ln_scale_down(const int n, ln_work *w, ln_plan *p) {
    _Alignas(64) double f1[LANES], f2[LANES], f3[LANES];
    for (int l = 0; l < LANES; l++) {
        if (p->c[l].s > MF__EXPM_FIXED_MAX_S)
            p->active[l] = false; /* its powers need rebuilding: mf_expm */
        const double f = p->active[l] ? fx_pow2_neg(p->c[l].s) : 1.0;
        f1[l] = f;
        f2[l] = f * f;
        f3[l] = w->have3[l] ? f * f * f : 1.0;
    }
    ln_scale(n, w->a, f1);
    ln_scale(n, w->a2, f2);
    ln_scale(n, w->a3, f3);
}

/* x = the chosen approximant of each lane. T18 first: the others use a3
 * as scratch. */
ALWAYS_INLINE void ln_evaluate(ln_work *w, const ln_plan *p) {
    /* lanes left to mf_expm get zeros, never indeterminate values */
    memset(w->x, 0, sizeof(double) * LANES * (size_t)(w->n * w->n));
    static const int32_t order[] = {MF__S_T18_BBC, MF__S_T15_SID, MF__S_T8_BBC,
                                    MF__S_T4,      MF__S_T2,      MF__S_T1};
    for (size_t q = 0; q < sizeof order / sizeof order[0]; q++) {
        bool mine[LANES], any = false;
        for (int l = 0; l < LANES; l++) {
            mine[l] = p->active[l] && p->c[l].id == order[q];
            any = any || mine[l];
        }
        if (any)
            ln_copy_lanes(w->n, w->x, ln_eval(w, order[q]), mine);
    }
}

/* The squarings, each kept in the lanes whose s it does not exceed. */
ALWAYS_INLINE double *ln_square(ln_work *w, const ln_plan *p) {
    int smax = 0;
    for (int l = 0; l < LANES; l++)
        if (p->active[l] && p->c[l].s > smax)
            smax = p->c[l].s;
    double *X = w->x, *Y = w->t;
    for (int j = 1; j <= smax; j++) {
        ln_mm(w->n, X, X, Y);
        bool done[LANES];
        for (int l = 0; l < LANES; l++)
            done[l] = p->c[l].s < j;
        ln_copy_lanes(w->n, Y, X, done);
        double *tmp = X;
        X = Y;
        Y = tmp;
    }
    return X;
}

ALWAYS_INLINE void ln_unpack(const int n, const double *x, int count, mf_matrix *E,
                             const bool *ok) {
    for (int l = 0; l < count; l++) {
        if (!ok[l])
            continue;
        double *dst = E[l].data;
        for (int j = 0; j < n; j++)
            for (int i = 0; i < n; i++)
                dst[i * E[l].rs + j * E[l].cs] = x[LANES * (i + n * j) + l];
    }
}

ALWAYS_INLINE void ln_run(const int n, int count, const mf_matrix *A, mf_matrix *E,
                          const mf__expm_choice *first, bool *done) {
    ln_work w;
    ln_plan p;
    w.n = n;
    ln_pack(n, count, A, &w, &p);
    for (int l = 0; l < LANES; l++)
        p.c[l] = first[l < count ? l : 0]; /* lanes beyond count repeat member 0 */
    ln_choose(n, &w, &p);
    ln_scale_down(n, &w, &p);
    ln_evaluate(&w, &p);
    const double *X = ln_square(&w, &p);
    bool finite[LANES];
    ln_finite(n, X, finite);
    for (int l = 0; l < count; l++)
        done[l] = p.active[l] && finite[l]; /* overflow: mf_expm reports it */
    ln_unpack(n, X, count, E, done);
}

/* Every order compiled on its own: with n known the loops unroll. */
ALWAYS_INLINE void ln_sizes(int n, int count, const mf_matrix *A, mf_matrix *E,
                            const mf__expm_choice *first, bool *done) {
    switch (n) {
    case 3:
        ln_run(3, count, A, E, first, done);
        return;
    default:
        ln_run(4, count, A, E, first, done);
        return;
    }
}

/* Each member's choice by ||A||_1 (fx_choice_by_norm), with ||A||_1 summed
 * as ln_pack sums it, so the same bits. */
ALWAYS_INLINE void ln_first_choices(const int n, int count, const mf_matrix *A,
                                    mf__expm_choice *first) {
    _Alignas(64) double d1[LANES] = {0};
    for (int l = 0; l < count; l++) {
        const double *src = A[l].data;
        const int64_t rs = A[l].rs, cs = A[l].cs;
        for (int j = 0; j < n; j++) {
            double s = 0.0;
            for (int i = 0; i < n; i++)
                s += fabs(src[i * rs + j * cs]);
            d1[l] = s > d1[l] ? s : d1[l];
        }
    }
    mf__expm_choice c[LANES];
    ln_cheapest(d1, 0, c);
    memcpy(first, c, (size_t)count * sizeof *first);
}

ALWAYS_INLINE void ln_first_sizes(int n, int count, const mf_matrix *A, mf__expm_choice *first) {
    if (n == 3)
        ln_first_choices(3, count, A, first);
    else
        ln_first_choices(4, count, A, first);
}

#ifdef MF_X86_VARIANTS
MF_AVX512 static void first_avx512(int n, int count, const mf_matrix *A, mf__expm_choice *first) {
    ln_first_sizes(n, count, A, first);
}
MF_AVX2 static void first_avx2(int n, int count, const mf_matrix *A, mf__expm_choice *first) {
    ln_first_sizes(n, count, A, first);
}
#endif

void mf__expm_lanes_first_choices(int count, const mf_matrix *A, mf__expm_choice *first) {
    for (int l = 0; l < count; l++)
        first[l] = (mf__expm_choice){0, 0, 0.0};
    if (count < 1)
        return;
#ifdef MF_X86_VARIANTS
    const int n = (int)A[0].rows;
    switch (mf__expm_cpu_level()) {
    case MF__CPU_AVX512: first_avx512(n, count, A, first); return;
    case MF__CPU_AVX2: first_avx2(n, count, A, first); return;
    default: break;
    }
#endif
}

#ifdef MF_X86_VARIANTS
MF_AVX512 static void lanes_avx512(int n, int count, const mf_matrix *A, mf_matrix *E,
                                   const mf__expm_choice *first, bool *done) {
    ln_sizes(n, count, A, E, first, done);
}
MF_AVX2 static void lanes_avx2(int n, int count, const mf_matrix *A, mf_matrix *E,
                               const mf__expm_choice *first, bool *done) {
    ln_sizes(n, count, A, E, first, done);
}
#endif

bool mf__expm_lanes_available(void) {
    return mf__expm_cpu_level() != MF__CPU_PLAIN;
}

void mf__expm_lanes(int count, const mf_matrix *A, mf_matrix *E, const mf__expm_choice *first,
                    bool *done) {
    for (int l = 0; l < count; l++)
        done[l] = false;
    if (count < 1)
        return;
    const int n = (int)A[0].rows;
#ifdef MF_X86_VARIANTS
    switch (mf__expm_cpu_level()) {
    case MF__CPU_AVX512:
        lanes_avx512(n, count, A, E, first, done);
        return;
    case MF__CPU_AVX2:
        lanes_avx2(n, count, A, E, first, done);
        return;
    default:
        break;
    }
#endif
    (void)n; /* no vector unit: every member goes to mf_expm */
}
