/*
 * The numerical core of the matrix exponential: approximant table and
 * selection, evaluation schemes, scaling and squaring with exact
 * recomputation for (quasi-)triangular matrices, closed forms.
 *
 * Works on one packed column-major matrix (see expm.h); real and complex
 * share every line except the product kernels, norms and scalar formulas.
 */
#include "mfcomplex.h"
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdatomic.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>

#include "expm.h"
#include "norms/normest.h"

typedef double _Complex zdouble;

/* ------------------------------------------------------------------ */
/* Matrix arithmetic on packed n x n matrices                          */
/* ------------------------------------------------------------------ */

typedef struct xctx {
    int64_t n;
    bool cplx;
    int64_t len;      /* doubles per matrix: n^2 or 2 n^2 */
    int products;     /* matrix products spent so far */
} xctx;

/* Complex c = a b on interleaved pairs (no complex library calls); n a
 * compile-time constant after inlining. */
static inline __attribute__((always_inline)) void mm_cplx_n(int n, const double *restrict a,
                                                            const double *restrict b,
                                                            double *restrict c) {
    for (int j = 0; j < n; j++) {
        double *cj = c + 2 * j * n;
        for (int i = 0; i < 2 * n; i++)
            cj[i] = 0.0;
        for (int k = 0; k < n; k++) {
            const double br = b[2 * (k + j * n)], bi = b[2 * (k + j * n) + 1];
            const double *ak = a + 2 * k * n;
            for (int i = 0; i < n; i++) {
                const double ar = ak[2 * i], ai = ak[2 * i + 1];
                cj[2 * i] += ar * br - ai * bi;
                cj[2 * i + 1] += ar * bi + ai * br;
            }
        }
    }
}

/* Complex products below OWN_CPLX_MAX_N (BLAS call overhead exceeds the
 * work); the common sizes get specialized copies, compiled for AVX-512,
 * AVX2+FMA and baseline x86-64, picked at load time. */
#if defined(__GNUC__) && defined(__x86_64__) && defined(__linux__)
#define MF_TARGET_CLONES __attribute__((target_clones("arch=skylake-avx512", "arch=haswell", "default")))
#else
#define MF_TARGET_CLONES
#endif
MF_TARGET_CLONES static void mm_cplx_small(int n, const double *a, const double *b, double *c) {
    switch (n) {
    case 3: mm_cplx_n(3, a, b, c); return;
    case 4: mm_cplx_n(4, a, b, c); return;
    case 8: mm_cplx_n(8, a, b, c); return;
    default: mm_cplx_n(n, a, b, c); return;
    }
}
#define OWN_CPLX_MAX_N 8

/* c = a b (c distinct from a and b). Real products up to MF__EXPM_SMALL_N
 * use our kernels (about 1.7x faster than OpenBLAS's at n = 16, far more
 * below); larger ones go to BLAS. */
static void mm(xctx *x, const double *a, const double *b, double *c) {
    const int n = (int)x->n;
    x->products++;
    if (!x->cplx && n <= MF__EXPM_SMALL_N) {
        mf__expm_mm_small(n, a, b, c);
    } else if (x->cplx && n <= OWN_CPLX_MAX_N) {
        mm_cplx_small(n, a, b, c);
    } else if (x->cplx) {
        static const double one[2] = {1.0, 0.0}, zero[2] = {0.0, 0.0};
        cblas_zgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, n, n, n, one, a, n, b, n, zero, c, n);
    } else {
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, a, n, b, n, 0.0, c, n);
    }
}

static inline double abs_at(const xctx *x, const double *m, int64_t k) {
    return x->cplx ? hypot(m[2 * k], m[2 * k + 1]) : fabs(m[k]);
}

/* Sum of the moduli of column j, in row order. */
static double column_sum(const xctx *x, const double *m, int64_t j) {
    double s = 0.0;
    for (int64_t i = 0; i < x->n; i++)
        s += abs_at(x, m, i + j * x->n);
    return s;
}

/* The same for BLAS sizes, faster: eight partial sums of |re| (they
 * vectorize), complex moduli as sqrt(re^2 + im^2) instead of a hypot call
 * each (at n = 1024 those calls cost a fifth of a product). A column
 * whose squares could leave the normal range goes back to column_sum. */
static double column_sum_large(const xctx *x, const double *m, int64_t j) {
    const int64_t n = x->n;
    if (!x->cplx) {
        const double *c = m + j * n;
        double p[8] = {0};
        int64_t i = 0;
        for (; i + 8 <= n; i += 8)
            for (int k = 0; k < 8; k++)
                p[k] += fabs(c[i + k]);
        double s = ((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7]));
        for (; i < n; i++)
            s += fabs(c[i]);
        return s;
    }
    const double *c = m + 2 * j * n;
    double s = 0.0, big = 0.0;
    for (int64_t i = 0; i < n; i++) {
        const double q = c[2 * i] * c[2 * i] + c[2 * i + 1] * c[2 * i + 1];
        s += sqrt(q);
        big = q > big ? q : big;
    }
    return s >= 0x1p-400 && big <= 0x1p1000 ? s : column_sum(x, m, j);
}

/* ||M||_1: the largest column sum of moduli (columns are contiguous
 * here); *mincol gets the smallest (0 below BLAS sizes, where it is not
 * used). */
static double norm1_min(const xctx *x, const double *m, double *mincol) {
    double best = 0.0, least = INFINITY;
    *mincol = 0.0;
    if (x->n <= MF__EXPM_SMALL_N) {
        for (int64_t j = 0; j < x->n; j++) {
            double s = 0.0;
            for (int64_t i = 0; i < x->n; i++)
                s += abs_at(x, m, i + j * x->n);
            best = s > best ? s : best;
        }
        return best;
    }
    for (int64_t j = 0; j < x->n; j++) {
        const double s = column_sum_large(x, m, j);
        best = s > best ? s : best;
        least = s < least ? s : least;
    }
    *mincol = least;
    return best;
}

static double norm1(const xctx *x, const double *m) {
    double least;
    return norm1_min(x, m, &least);
}

/* c = alpha a b + beta c, beta 0 or 1 (c distinct from a and b): with
 * beta = 1 a linear-combination term rides along in the product instead of
 * taking a pass of its own. BLAS sizes only (n > MF__EXPM_SMALL_N); alpha
 * is a power of two, which scales exactly. */
static void gemm(xctx *x, double alpha, const double *a, const double *b, double beta, double *c) {
    const int n = (int)x->n;
    x->products++;
    if (x->cplx) {
        const double al[2] = {alpha, 0.0}, be[2] = {beta, 0.0};
        cblas_zgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, n, n, n, al, a, n, b, n, be, c, n);
    } else {
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, n, n, n, alpha, a, n, b, n, beta, c, n);
    }
}

static void add_identity(const xctx *x, double *m, double d) {
    const int64_t step = (x->n + 1) * (x->cplx ? 2 : 1);
    for (int64_t i = 0; i < x->n; i++)
        m[i * step] += d;
}

/* out = sum_k c[k] M[k] + d I. out may be one of the M[k]: that term is
 * applied first, in place; the others follow in order, element by element
 * (the fixed-size path in expm_small.c does the same arithmetic). */
static void lincomb(const xctx *x, double *out, int count, const double *c,
                    const double *const *m, double d) {
    mf__expm_lincomb(x->len, out, count, c, m);
    add_identity(x, out, d);
}

static void scale(const xctx *x, double *m, double f) {
    for (int64_t e = 0; e < x->len; e++)
        m[e] *= f;
}

static bool all_finite(const xctx *x, const double *m) { return mf__expm_all_finite(x->len, m); }

static inline zdouble get(const xctx *x, const double *m, int64_t i, int64_t j) {
    const int64_t k = i + j * x->n;
    return x->cplx ? CMPLX(m[2 * k], m[2 * k + 1]) : m[k];
}
static inline void set(const xctx *x, double *m, int64_t i, int64_t j, zdouble v) {
    const int64_t k = i + j * x->n;
    if (x->cplx) {
        m[2 * k] = creal(v);
        m[2 * k + 1] = cimag(v);
    } else {
        m[k] = creal(v);
    }
}

/* ------------------------------------------------------------------ */
/* Scalar helpers and the 2 x 2 closed form                            */
/* ------------------------------------------------------------------ */

/* sinh(z)/z, accurate near 0 (Taylor series to z^10 below |z| = 0.1, whose
 * truncation error 0.1^12/13! is far below u). */
static zdouble sinhc(zdouble z) {
    if (cabs(z) < 0.1) {
        const zdouble z2 = z * z;
        return 1.0 + z2 / 6.0 * (1.0 + z2 / 20.0 * (1.0 + z2 / 42.0 * (1.0 + z2 / 72.0 * (1.0 + z2 / 110.0))));
    }
    return csinh(z) / z;
}

/* The exponential of one complex or real scalar. */
static zdouble zexp(bool cplx, zdouble z) { return cplx ? cexp(z) : exp(creal(z)); }

/* exp of the 2 x 2 matrix [a b; c d] (Higham 2008, sec. 10.4.3): with
 * mu = (a+d)/2 and delta^2 = ((a-d)/2)^2 + b c,
 *   exp = e^mu (cosh(delta) I + sinh(delta)/delta (A - mu I)),
 * evaluated as functions of delta^2 (both are entire in delta^2), so nearly
 * equal eigenvalues lose nothing. Triangular blocks use the exact divided
 * difference (Higham 2008, (10.42)) so that the diagonal is exp(a), exp(d).
 * Real input stays real: delta^2 < 0 gives cos and sin. */
static void expm_2x2(bool cplx, zdouble a, zdouble b, zdouble c, zdouble d, zdouble out[4]) {
    const zdouble mu = 0.5 * (a + d), h = 0.5 * (a - d);
    if (c == 0.0 || b == 0.0) {
        const zdouble ea = zexp(cplx, a), ed = zexp(cplx, d);
        const zdouble off = zexp(cplx, mu) * sinhc(h); /* (e^a - e^d)/(a - d) */
        out[0] = ea;
        out[1] = c * off;
        out[2] = b * off;
        out[3] = ed;
        return;
    }
    const zdouble delta2 = h * h + b * c;
    zdouble ch, sc; /* cosh(delta), sinh(delta)/delta */
    if (!cplx && cimag(delta2) == 0.0 && creal(delta2) < 0.0) {
        const double w = sqrt(-creal(delta2));
        ch = cos(w);
        sc = w < 0.1 ? creal(sinhc(CMPLX(0.0, w))) : sin(w) / w;
    } else {
        const zdouble delta = csqrt(delta2);
        ch = ccosh(delta);
        sc = sinhc(delta);
        if (!cplx) {
            ch = creal(ch);
            sc = creal(sc);
        }
    }
    zdouble em;
    const zdouble delta = csqrt(delta2); /* Re delta >= 0 */
    const double r = creal(delta);
    if (r > 300.0) {
        /* e^mu and cosh(delta) may overflow separately while their product
         * is representable: fold e^r into the exponent. */
        const zdouble ep = cexp(delta - r), emn = cexp(-delta - r);
        em = zexp(cplx, mu + r);
        ch = 0.5 * (ep + emn);
        sc = 0.5 * (ep - emn) / delta;
        if (!cplx) {
            ch = creal(ch);
            sc = creal(sc);
        }
    } else {
        em = zexp(cplx, mu);
    }
    out[0] = em * (ch + sc * h);
    out[1] = em * sc * c;
    out[2] = em * sc * b;
    out[3] = em * (ch - sc * h);
}

/* ------------------------------------------------------------------ */
/* The approximants                                                    */
/* ------------------------------------------------------------------ */

/* theta for Taylor: the largest x with sum_k |h_k| x^(k-1) <= u = 2^-53 for
 * h(x) = log(e^-x T(x)); recomputed in mpmath by tests/data/gen_expm.py
 * (verify_schemes) and equal to Bader, Blanes & Casas 2019, Table 1 for
 * degrees 1..18. For Sastre's 15+ (T15 + c16 x^16, c16 = 0.5457435022074591/16!)
 * the same computation gives 0.6764217495424514. Pade thetas: Higham 2005
 * (SIAM J. Matrix Anal. Appl. 26(4)), Table 2.3, as used by Al-Mohy & Higham
 * 2009 (Table 3.1). lead: 1/(m+1)! for Taylor, (1 - 0.5457...)/16! for
 * 15+, and |c_{2m+1}| of Al-Mohy & Higham 2009, eq. (5.1) for Pade. */
const mf__expm_scheme mf__expm_schemes[MF__S_COUNT] = {
    [MF__S_T1] = {MF_EXPM_TAYLOR_BBC, 1, 0, 0, 2, 2.220446049250313e-16, 1.0 / 2},
    [MF__S_T2] = {MF_EXPM_TAYLOR_BBC, 2, 1, 0, 3, 2.580956802971767e-08, 1.0 / 6},
    [MF__S_T4] = {MF_EXPM_TAYLOR_BBC, 4, 2, 0, 5, 3.397168839976962e-04, 1.0 / 120},
    [MF__S_T8_BBC] = {MF_EXPM_TAYLOR_BBC, 8, 3, 0, 9, 4.991228871115323e-02, 1.0 / 362880},
    [MF__S_T8_SID] = {MF_EXPM_TAYLOR_SID, 8, 3, 0, 9, 4.991228871115323e-02, 1.0 / 362880},
    [MF__S_T12_BBC] = {MF_EXPM_TAYLOR_BBC, 12, 4, 0, 13, 2.996158913811580e-01, 1.0 / 6227020800.0},
    [MF__S_T15_SID] = {MF_EXPM_TAYLOR_SID, 15, 4, 0, 16, 6.764217495424514e-01,
                   0.4542564977925409 / 20922789888000.0},
    [MF__S_T18_BBC] = {MF_EXPM_TAYLOR_BBC, 18, 5, 0, 19, 1.090863719290036e+00,
                   1.0 / 121645100408832000.0},
    [MF__S_P3] = {MF_EXPM_PADE, 3, 2, 1, 7, 1.495585217958292e-02, 1.0 / 100800},
    [MF__S_P5] = {MF_EXPM_PADE, 5, 3, 1, 11, 2.539398330063230e-01, 1.0 / 10059033600.0},
    [MF__S_P7] = {MF_EXPM_PADE, 7, 4, 1, 15, 9.504178996162932e-01, 1.0 / 4487938430976000.0},
    [MF__S_P9] = {MF_EXPM_PADE, 9, 5, 1, 19, 2.097847961257068e+00, 1.0 / 5914384781877411840000.0},
    [MF__S_P13] = {MF_EXPM_PADE, 13, 6, 1, 27, 5.371920351148152e+00,
               1.0 / 113250775606021113483283660800000000.0},
};

/* The candidates of each family in increasing cost. AUTO: the union minus
 * the dominated ones (T12 costs what 15+ costs with a smaller theta; the two
 * degree-8 schemes are the same polynomial, BBC's evaluation kept after the
 * accuracy comparison in docs/funcs.md). */
static const mf__expm_scheme_id family_auto[] = {MF__S_T1, MF__S_T2, MF__S_T4, MF__S_T8_BBC, MF__S_T15_SID, MF__S_T18_BBC};
static const mf__expm_scheme_id family_bbc[] = {MF__S_T1, MF__S_T2, MF__S_T4, MF__S_T8_BBC, MF__S_T12_BBC, MF__S_T18_BBC};
static const mf__expm_scheme_id family_sid[] = {MF__S_T1, MF__S_T2, MF__S_T4, MF__S_T8_SID, MF__S_T15_SID};
static const mf__expm_scheme_id family_pade[] = {MF__S_P3, MF__S_P5, MF__S_P7, MF__S_P9, MF__S_P13};

typedef struct family {
    const mf__expm_scheme_id *ids;
    int count;
} family;

static family family_of(int32_t which) {
    switch (which) {
    case MF_EXPM_TAYLOR_BBC: return (family){family_bbc, 6};
    case MF_EXPM_TAYLOR_SID: return (family){family_sid, 5};
    case MF_EXPM_PADE: return (family){family_pade, 5};
    default: return (family){family_auto, 6};
    }
}

/* Cost in thirds of a matrix product (expm.h). */
static int scheme_cost3(mf__expm_scheme_id id, int s) { return mf__expm_cost3(id, s); }

/* Squarings needed to bring eta below theta: the least s >= 0 with
 * eta <= 2^s theta, decided exactly from the exponent and significand
 * bits (no division, no library call: this runs for every candidate
 * several times per call, which matters for 3 x 3 matrices). With
 * eta = m_e 2^e_e and theta = m_t 2^e_t, m in [1, 2), 2^(e_e - e_t) theta
 * has eta's exponent, so s = e_e - e_t, plus one when eta's significand is
 * the larger. Both are normal when eta > theta (every theta is). The bits
 * of eta are taken once per search (eta_bits). An infinite eta (or NaN)
 * needs more squarings than any finite case. */
typedef struct eta_bits {
    double eta;
    int exponent;
    uint64_t frac;
    bool finite;
} eta_bits;

#define FRAC_MASK 0xfffffffffffffull

static inline eta_bits split_eta(double eta) {
    uint64_t b;
    memcpy(&b, &eta, sizeof b);
    return (eta_bits){eta, (int)((b >> 52) & 0x7ff), b & FRAC_MASK, eta < INFINITY};
}

static inline int squarings_for(const eta_bits *e, double theta) {
    uint64_t bt;
    memcpy(&bt, &theta, sizeof bt);
    /* s <= 0 exactly when eta <= theta (a smaller exponent, or the same
     * one and a significand no larger; a zero or subnormal eta has
     * exponent 0). Written without branches: the outcome is
     * data-dependent, and the search runs it for every candidate. */
    const int s = e->exponent - (int)((bt >> 52) & 0x7ff) + (e->frac > (bt & FRAC_MASK));
    const int clamped = s > 0 ? s : 0;
    return e->finite ? clamped : 4096;
}

/* Bader, Blanes & Casas 2019, the degree-8 scheme of eq. (11)-(12):
 * A4 = A2 (x1 A + x2 A2), A8 = (x3 A2 + A4)(x4 I + x5 A + x6 A2 + x7 A4),
 * T8 = I + A + y2 A2 + A8. Coefficients re-derived in mpmath (gen_expm.py):
 * x7 = (89 - sqrt 177)/(3360 x3); the value with 5040 in place of 3360
 * found in some ports does not reproduce the Taylor polynomial. */
const double mf__expm_t8_x[8] = {
    1.0836465678522780852e-01, 2.7091164196306952131e-02, 2.0 / 3.0, 5.4676145797072405251e-01,
    1.6112557339541759283e-01, 1.4090917158378207731e-02, 3.3792797010870504141e-02,
    1.3549236135285063166e-01}; /* x1 .. x7, y2 */

/* Bader, Blanes & Casas 2019, eq. (15) and Table 2 (degree 12, 4 products)
 * and eq. (16)-(17) with Table 3 (degree 18, 5 products), with the values
 * (including the tiny rounding corrections) of PyTorch's compute_T12 and
 * compute_T18, which reproduce the Taylor coefficients to 2e-16 (degree 12)
 * and 1e-15 (degree 18) relative, checked in mpmath (gen_expm.py). Rows:
 * B_i = sum_j b[i][j] P_j with P = {I, A, A2, A3} (T12), {I, A, A2, A3, A6}
 * (T18). */
static const double t12_b[4][4] = {
    {9.0198e-16, 0.46932117595418237389, -0.20099424927047284052, -0.04623946134063071740},
    {5.31597895759871264183, 1.19926790417132231573, 0.01179296240992997031, 0.01108844528519167989},
    {0.18188869982170434744, 0.05502798439925399070, 0.09351590770535414968, 0.00610700528898058230},
    {-2.0861320e-13, -0.13181061013830184015, -0.02027855540589259079, -0.00675951846863086359},
};
const double mf__expm_t18_b[5][5] = {
    {0., -1.00365581030144618291e-01, -8.02924648241156932449e-03, -8.92138498045729985177e-04, 0.},
    {0., 3.97849749499645077844e-01, 1.36783778460411720168e+00, 4.98289622525382669416e-01,
     -6.37898194594723280150e-04},
    {-1.09676396052962061844e+01, 1.68015813878906206114e+00, 5.71779846478865511061e-02,
     -6.98210122488052056106e-03, 3.34975017086070470649e-05},
    {-9.04316832390810593223e-02, -6.76404519071381882256e-02, 6.75961301770459654925e-02,
     2.95552570429315521194e-02, -1.39180257516060693404e-05},
    {0., 0., -9.23364619367118555360e-02, -1.69364939002081722752e-02, -1.40086798182036094347e-05},
};

/* Sastre, Ibanez & Defez 2019 (Sastre, Linear Algebra Appl. 539, 2018,
 * eq. (10)-(11) and the exp table used by the authors' expm code):
 * degree 8 with 3 products and degree 15+ with 4 products,
 *   y0 = A2 (c0 A2 + c1 A),
 *   y1 = (y0 + c2 A2 + c3 A)(y0 + c4 A2) + c5 y0 + c6 A2,
 *   T  = (y1 + c7 A2 + c8 A)(y1 + c9 y0 + c10 A) + c11 y1 + c12 y0 + c13 A2 + c14 A + c15 I.
 * 15+ matches Taylor to degree 15 (checked to 5e-16 relative in mpmath)
 * and has x^16 coefficient 0.5457435022074591/16!. */
static const double s8_c[9] = {4.980119205559973e-03, 1.992047682223989e-02, 7.665265321119147e-02,
                               8.765009801785554e-01, 1.225521150112075e-01, 2.974307204847627,
                               0.5, 1.0, 1.0};
const double mf__expm_s15_c[16] = {4.018761610201036e-04, 2.945531440279683e-03, -8.709066576837676e-03,
                                 4.017568440673568e-01, 3.230762888122312e-02, 5.768988513026145,
                                 2.338576034271299e-02, 2.381070373870987e-01, 2.224209172496374,
                                 -5.792361707073261, -4.130276365929783e-02, 1.040801735231354e+01,
                                 -6.331712455883370e+01, 3.484665863364574e-01, 1.0, 1.0};

/* Pade [m/m] numerator coefficients b_j (p_m(x) = sum b_j x^j, q_m(x) =
 * p_m(-x)): Higham 2005, Al-Mohy & Higham 2009, Alg. 5.1 (exact integers). */
static const double pade3[] = {120, 60, 12, 1};
static const double pade5[] = {30240, 15120, 3360, 420, 30, 1};
static const double pade7[] = {17297280, 8648640, 1995840, 277200, 25200, 1512, 56, 1};
static const double pade9[] = {17643225600., 8821612800., 2075673600., 302702400., 30270240.,
                               2162160., 110880., 3960., 90., 1.};
static const double pade13[] = {64764752532480000., 32382376266240000., 7771770303897600.,
                                1187353796428800., 129060195264000., 10559470521600.,
                                670442572800., 33522128640., 1323241920., 40840800., 960960.,
                                16380., 182., 1.};

/* Workspace: a holds A, writable (and then scaled in place) only when
 * a_writable; w[0..5] are n^2 matrices; pw[k] = A^k when known (k <= 6),
 * scaled by 2^-s once s is chosen, or (fused evaluations) unscaled with
 * the scale folded into the coefficients. out: where the result goes
 * (may be a), or NULL to leave it in workspace. own: a scaled copy of A
 * allocated on the way (freed by the driver). */
typedef struct state {
    xctx x;
    double *a;
    bool a_writable;
    double *out;
    double *w[MF__EXPM_WORK_MATS];
    double *extra;
    double *own;
    const double *pw[7];
    double pnorm[7]; /* ||A^k||_1 when known, else -1 */
    double mincol;   /* the smallest column sum of |A| */
} state;

/* Evaluate scheme id at the (scaled) powers; returns the buffer holding the
 * result (one of w[]). Powers A2 (and A3 when the scheme uses it) are in
 * pw[]. Buffers: w0 = A2, w1 = A3 / y0 / A4, w2 = A6 / y1, w3..w5 temps. */
static mf_status eval_scheme(state *st, mf__expm_scheme_id id, double **result);

static double *eval_taylor_low(state *st, mf__expm_scheme_id id) {
    xctx *x = &st->x;
    const double *A = st->pw[1], *A2 = st->pw[2];
    double *r = st->w[5];
    if (id == MF__S_T1) {
        const double *m[] = {A};
        lincomb(x, r, 1, (const double[]){1.0}, m, 1.0);
    } else if (id == MF__S_T2) {
        const double *m[] = {A, A2};
        lincomb(x, r, 2, (const double[]){1.0, 0.5}, m, 1.0);
    } else { /* T4 = I + A + A2 (I/2 + A/6 + A2/24) */
        const double *m[] = {A, A2};
        lincomb(x, st->w[3], 2, (const double[]){1.0 / 6, 1.0 / 24}, m, 0.5);
        mm(x, A2, st->w[3], r);
        const double *m2[] = {r, A};
        lincomb(x, r, 2, (const double[]){1.0, 1.0}, m2, 1.0);
    }
    return r;
}

static double *eval_t8_bbc(state *st) {
    xctx *xc = &st->x;
    const double *x = mf__expm_t8_x;
    const double *A = st->pw[1], *A2 = st->pw[2];
    double *A4 = st->w[1], *t = st->w[3], *u = st->w[4], *r = st->w[5];
    const double *m[] = {A, A2};
    lincomb(xc, t, 2, (const double[]){x[0], x[1]}, m, 0.0);
    mm(xc, A2, t, A4);
    const double *m2[] = {A2, A4};
    lincomb(xc, t, 2, (const double[]){x[2], 1.0}, m2, 0.0);
    const double *m3[] = {A, A2, A4};
    lincomb(xc, u, 3, (const double[]){x[4], x[5], x[6]}, m3, x[3]);
    mm(xc, t, u, r);
    const double *m4[] = {r, A, A2};
    lincomb(xc, r, 3, (const double[]){1.0, 1.0, x[7]}, m4, 1.0);
    return r;
}

/* Sastre's y0 and y1 (shared by the degree 8 and 15+ schemes). */
static void sid_y0(state *st, const double *c, double *y0) {
    const double *m[] = {st->pw[1], st->pw[2]};
    lincomb(&st->x, st->w[3], 2, (const double[]){c[1], c[0]}, m, 0.0);
    mm(&st->x, st->pw[2], st->w[3], y0);
}

static double *eval_t8_sid(state *st) {
    xctx *x = &st->x;
    const double *A = st->pw[1], *A2 = st->pw[2], *c = s8_c;
    double *y0 = st->w[1], *t = st->w[3], *u = st->w[4], *r = st->w[5];
    sid_y0(st, c, y0);
    const double *m[] = {y0, A2, A};
    lincomb(x, t, 3, (const double[]){1.0, c[2], c[3]}, m, 0.0);
    lincomb(x, u, 2, (const double[]){1.0, c[4]}, m, 0.0);
    mm(x, t, u, r);
    const double *m2[] = {r, y0, A2, A};
    lincomb(x, r, 4, (const double[]){1.0, c[5], c[6], c[7]}, m2, c[8]);
    return r;
}

static double *eval_t15_sid(state *st) {
    xctx *x = &st->x;
    const double *A = st->pw[1], *A2 = st->pw[2], *c = mf__expm_s15_c;
    double *y0 = st->w[1], *y1 = st->w[2], *t = st->w[3], *u = st->w[4], *r = st->w[5];
    sid_y0(st, c, y0);
    const double *m[] = {y0, A2, A};
    lincomb(x, t, 3, (const double[]){1.0, c[2], c[3]}, m, 0.0);
    lincomb(x, u, 2, (const double[]){1.0, c[4]}, m, 0.0);
    mm(x, t, u, y1);
    const double *m2[] = {y1, y0, A2};
    lincomb(x, y1, 3, (const double[]){1.0, c[5], c[6]}, m2, 0.0);
    const double *m3[] = {y1, A2, A};
    lincomb(x, t, 3, (const double[]){1.0, c[7], c[8]}, m3, 0.0);
    const double *m4[] = {y1, y0, A};
    lincomb(x, u, 3, (const double[]){1.0, c[9], c[10]}, m4, 0.0);
    mm(x, t, u, r);
    const double *m5[] = {r, y1, y0, A2, A};
    lincomb(x, r, 5, (const double[]){1.0, c[11], c[12], c[13], c[14]}, m5, c[15]);
    return r;
}

/* B = sum_j b[j] P_j over P = {I, A, A2, A3, (A6)}, plus `plus` times M. */
static void bbc_row(state *st, double *out, const double *b, int np, const double *const *P,
                    const double *M) {
    double c[6];
    const double *m[6];
    int k = 0;
    for (int j = 1; j < np; j++) {
        c[k] = b[j];
        m[k++] = P[j];
    }
    if (M != NULL) {
        c[k] = 1.0;
        m[k++] = M;
    }
    lincomb(&st->x, out, k, c, m, b[0]);
}

static void ensure_a3(state *st) {
    if (st->pw[3] == NULL) {
        mm(&st->x, st->pw[2], st->pw[1], st->w[1]);
        st->pw[3] = st->w[1];
    }
}

static double *eval_t12_bbc(state *st) {
    xctx *x = &st->x;
    ensure_a3(st);
    const double *P[] = {NULL, st->pw[1], st->pw[2], st->pw[3]};
    double *t = st->w[3], *u = st->w[4], *r = st->w[5];
    /* A6 = B2 + B3^2; T12 = B0 + (B1 + A6) A6 */
    bbc_row(st, t, t12_b[3], 4, P, NULL);
    mm(x, t, t, u);
    bbc_row(st, u, t12_b[2], 4, P, u);
    bbc_row(st, t, t12_b[1], 4, P, u);
    mm(x, t, u, r);
    bbc_row(st, r, t12_b[0], 4, P, r);
    return r;
}

/* Bader, Blanes & Casas' degree 18: A9 = B0 B4 + B3; T18 = B1 + (B2 + A9) A9.
 * Their identity terms are large and cancel (b20 = -10.97, b30 = -0.090,
 * (b20 + b30) b30 = 1): formed inside the last product, the 1 of
 * exp(A) = I + ... carries the rounding of an O(10) quantity, which costs
 * a factor 3 to 10 in accuracy for ||A|| <= 1 against evaluations that add
 * I last (SciPy's Pade, Sastre's 15+). So the identity parts are split
 * off: with X = A9 - b30 I, Y = B2 - b20 I + X and c = b20 + b30,
 *     (B2 + A9) A9 = c b30 I + c X + b30 Y + Y X,
 * and T18 = (B1 + c X + b30 Y + Y X) + I, the same polynomial with the
 * same three products; c b30 = 1 is the exact constant term. */
static double *eval_t18_bbc(state *st) {
    xctx *x = &st->x;
    const double(*b)[5] = mf__expm_t18_b;
    ensure_a3(st);
    const double *A = st->pw[1], *A2 = st->pw[2], *A3 = st->pw[3];
    double *A6 = st->w[2], *t = st->w[3], *u = st->w[4], *r = st->w[5];
    mm(x, A3, A3, A6);
    const double *P[] = {A, A2, A3, A6};
    lincomb(x, t, 4, &b[0][1], P, b[0][0]); /* B0 (no identity: b00 = 0) */
    lincomb(x, u, 4, &b[4][1], P, b[4][0]); /* B4 (b40 = 0) */
    mm(x, t, u, r);
    const double *PX[] = {r, A, A2, A3, A6};
    lincomb(x, r, 5, (const double[]){1.0, b[3][1], b[3][2], b[3][3], b[3][4]}, PX, 0.0); /* X */
    const double *PY[] = {A, A2, A3, A6, r};
    lincomb(x, t, 5, (const double[]){b[2][1], b[2][2], b[2][3], b[2][4], 1.0}, PY, 0.0); /* Y */
    mm(x, t, r, u); /* Y X */
    const double c = b[2][0] + b[3][0];
    const double *PT[] = {u, A, A2, A3, A6, r, t};
    lincomb(x, u, 7, (const double[]){1.0, b[1][1], b[1][2], b[1][3], b[1][4], c, b[3][0]}, PT,
            b[1][0] + 1.0);
    return u;
}

/* ------------------------------------------------------------------ */
/* The same schemes at BLAS sizes: fewer passes over memory            */
/* ------------------------------------------------------------------ */

/* Above MF__EXPM_SMALL_N a linear combination is a pass over n^2 (or
 * 2 n^2) doubles in memory, each a measurable fraction of a product at
 * n = 1024 (eight of them cost about a GEMM). These evaluations of the
 * same polynomials (a different rounding order, the same accuracy) take
 * fewer: every combination that feeds a product's sum rides in the
 * product (GEMM with beta = 1), the combinations built from the same
 * powers are formed in one pass, and outputs overwrite powers that are
 * no longer needed, so the schemes need five n^2 workspaces. The identity
 * term is still added last, after the final product: put into the
 * product's C it would round the diagonal twice at magnitude 1 (errors 3
 * to 50 times larger at ||A||_1 <= 1 in the n = 20 reference cases). The
 * powers are left unscaled: the 2^-s of the scaling goes into the
 * coefficients (sg[k] = 2^-sk multiplies every A^k term) and into the
 * alpha of the products, all exact powers of two, so the values equal
 * those from a scaled A (the caller checks that no power can overflow).
 * The result goes to dest, which may be the caller's output. */

typedef double combo_row[MF__EXPM_LINCOMB_MAX];

static void combos(const xctx *x, int nout, double *const *out, int count, const combo_row *c,
                   const double *const *m) {
    mf__expm_lincomb_multi(x->len, nout, out, count, c, m);
}

/* Bader, Blanes & Casas' degree 18 as in eval_t18_bbc, with
 * P = {A, A2, A3, A6}: one pass forms B0, B4 and the P parts of X, Y and
 * B1; X = B0 B4 + X0 in the product; one pass forms Y = Y0 + X and
 * W = B1 + c X + b30 Y; T18 = Y X + W in the last product, + I. Buffers:
 * w0 = A2 -> Y, w1 = A3 -> B1 part, w2 = A6 -> X, w3 = B0, w4 = B4. */
static void eval_t18_fused(state *st, const double sg[7], double *dest) {
    xctx *x = &st->x;
    const double(*b)[5] = mf__expm_t18_b;
    ensure_a3(st);
    double *A2 = st->w[0], *A3 = st->w[1], *A6 = st->w[2], *B0 = st->w[3], *B4 = st->w[4];
    gemm(x, 1.0, A3, A3, 0.0, A6);
    const double *P[] = {st->pw[1], A2, A3, A6};
    const int pk[] = {1, 2, 3, 6};
    combo_row c[5];
    const int rows[] = {0, 4, 3, 2, 1}; /* B0, B4, X0, Y0, B1 (identity parts apart) */
    for (int o = 0; o < 5; o++)
        for (int k = 0; k < 4; k++)
            c[o][k] = b[rows[o]][k + 1] * sg[pk[k]];
    double *const out1[] = {B0, B4, A6, A2, A3};
    combos(x, 5, out1, 4, (const combo_row *)c, P); /* A6 = X0, A2 = Y0, A3 = B1 - b10 I */
    gemm(x, 1.0, B0, B4, 1.0, A6); /* X */
    const double cx = b[2][0] + b[3][0], b30 = b[3][0];
    const combo_row c2[] = {{1.0, 0.0, 1.0}, {b30, 1.0, cx + b30}};
    const double *in2[] = {A2, A3, A6};
    double *const out2[] = {A2, dest};
    combos(x, 2, out2, 3, c2, in2); /* Y; W = B1 - b10 I + c X + b30 (Y0 + X) */
    gemm(x, 1.0, A2, A6, 1.0, dest); /* Y X + W */
    add_identity(x, dest, b[1][0] + 1.0); /* last, rounded once (see eval_t18_bbc) */
}

/* Sastre's 15+ as in eval_t15_sid: y0 = A2 (c1 A + c0 A2); one pass forms
 * both factors of y1 and its remainder, y1 = L R + Z in the product; one
 * pass forms both factors of T and its remainder F, T = L2 R2 + F.
 * Buffers: w0 = A2, w1 = t -> L -> L2, w2 = y0, w3 = R -> R2, w4 = Z -> y1. */
static void eval_t15_fused(state *st, const double sg[7], double *dest) {
    xctx *x = &st->x;
    const double *c = mf__expm_s15_c, *A = st->pw[1];
    double *A2 = st->w[0], *t = st->w[1], *y0 = st->w[2], *r = st->w[3], *y1 = st->w[4];
    const double s1 = sg[1], s2 = sg[2];
    const double *m[] = {A, A2};
    lincomb(x, t, 2, (const double[]){c[1] * s1, c[0] * s2}, m, 0.0);
    gemm(x, s2, A2, t, 0.0, y0);
    const double *in1[] = {y0, A2, A};
    const combo_row c1[] = {{1.0, c[2] * s2, c[3] * s1}, {1.0, c[4] * s2, 0.0},
                            {c[5], c[6] * s2, 0.0}};
    double *const out1[] = {t, r, y1};
    combos(x, 3, out1, 3, c1, in1);
    gemm(x, 1.0, t, r, 1.0, y1); /* y1 */
    const double *in2[] = {y1, y0, A2, A};
    const combo_row c2[] = {{1.0, 0.0, c[7] * s2, c[8] * s1}, {1.0, c[9], 0.0, c[10] * s1},
                            {c[11], c[12], c[13] * s2, c[14] * s1}};
    double *const out2[] = {t, r, dest};
    combos(x, 3, out2, 4, c2, in2);
    gemm(x, 1.0, t, r, 1.0, dest);
    add_identity(x, dest, c[15]); /* last: the 1 of exp(A) rounded once */
}

/* The schemes with a fused evaluation, at BLAS sizes. */
static bool has_fused(const xctx *x, mf__expm_scheme_id id) {
    return x->n > MF__EXPM_SMALL_N && (id == MF__S_T18_BBC || id == MF__S_T15_SID);
}

/* Pade [m/m] (Al-Mohy & Higham 2009, Alg. 5.1, lines 3-6 and 17-23):
 * U = A sum b_odd A^(2k), V = sum b_even A^(2k), solve (V - U) R = V + U. */
static mf_status eval_pade(state *st, mf__expm_scheme_id id, double **result) {
    xctx *x = &st->x;
    const int m = mf__expm_schemes[id].degree;
    const double *b = m == 3 ? pade3 : m == 5 ? pade5 : m == 7 ? pade7 : m == 9 ? pade9 : pade13;
    double *A4 = st->w[1], *A6 = st->w[2], *t = st->w[3], *U = st->w[4], *V = st->w[5];
    const double *A = st->pw[1], *A2 = st->pw[2];
    const double *E[5] = {NULL, A2, NULL, NULL, NULL}; /* even powers A^(2k) */
    const int ne = m == 13 ? 3 : (m - 1) / 2; /* even powers A^2 .. A^(2 ne) used */
    if (ne >= 2)
        mm(x, A2, A2, A4), E[2] = A4;
    if (ne >= 3)
        mm(x, A4, A2, A6), E[3] = A6;
    double *A8 = NULL;
    if (m == 9) {
        A8 = V; /* V is built after U; A8 is consumed into t before that */
        mm(x, A4, A4, A8);
        E[4] = A8;
    }
    if (m == 13) {
        /* U = A (A6 (b13 A6 + b11 A4 + b9 A2) + b7 A6 + b5 A4 + b3 A2 + b1 I) */
        const double *m1[] = {A6, A4, A2};
        lincomb(x, t, 3, (const double[]){b[13], b[11], b[9]}, m1, 0.0);
        mm(x, A6, t, V);
        const double *m2[] = {V, A6, A4, A2};
        lincomb(x, V, 4, (const double[]){1.0, b[7], b[5], b[3]}, m2, b[1]);
        mm(x, A, V, U);
        lincomb(x, t, 3, (const double[]){b[12], b[10], b[8]}, m1, 0.0);
        mm(x, A6, t, V);
        lincomb(x, V, 4, (const double[]){1.0, b[6], b[4], b[2]}, m2, b[0]);
    } else {
        double co[5] = {0};
        const double *mats[5] = {NULL};
        for (int k = 1; k <= ne; k++) {
            co[k - 1] = b[2 * k + 1];
            mats[k - 1] = E[k];
        }
        lincomb(x, t, ne, co, mats, b[1]);
        mm(x, A, t, U);
        for (int k = 1; k <= ne; k++)
            co[k - 1] = b[2 * k];
        lincomb(x, V, ne, co, mats, b[0]); /* may overwrite A8 = V: elementwise */
    }
    /* r = (V - U)^-1 (V + U) = I + 2 (V - U)^-1 U: solve for the second
     * form (t = 2U, V = V - U) and add I last, so that the identity part
     * of exp(A) carries no rounding (what makes SciPy's Pade accurate to
     * about u/2 for ||A|| <= 1; the first form loses a factor 3 to 5) */
    const double *pu[] = {V, U};
    lincomb(x, t, 1, (const double[]){2.0}, &pu[1], 0.0);
    lincomb(x, V, 2, (const double[]){1.0, -1.0}, pu, 0.0);
    int *ipiv = (int *)st->extra;
    const int n = (int)x->n;
    int info = x->cplx ? LAPACKE_zgesv_work(LAPACK_COL_MAJOR, n, n, (lapack_complex_double *)V, n,
                                            ipiv, (lapack_complex_double *)t, n)
                       : LAPACKE_dgesv_work(LAPACK_COL_MAJOR, n, n, V, n, ipiv, t, n);
    if (info < 0)
        return mf__lapack_info("mf_expm", x->cplx ? "zgesv" : "dgesv", info);
    if (info > 0) /* q_m(A) is nonsingular for ||A|| <= theta_m: only overflow gets here */
        return MF_EOVERFLOW;
    const double *pt[] = {t};
    lincomb(x, t, 1, (const double[]){1.0}, pt, 1.0); /* + I */
    *result = t;
    return MF_OK;
}

static mf_status eval_scheme(state *st, mf__expm_scheme_id id, double **result) {
    switch (id) {
    case MF__S_T1:
    case MF__S_T2:
    case MF__S_T4: *result = eval_taylor_low(st, id); return MF_OK;
    case MF__S_T8_BBC: *result = eval_t8_bbc(st); return MF_OK;
    case MF__S_T8_SID: *result = eval_t8_sid(st); return MF_OK;
    case MF__S_T12_BBC: *result = eval_t12_bbc(st); return MF_OK;
    case MF__S_T15_SID: *result = eval_t15_sid(st); return MF_OK;
    case MF__S_T18_BBC: *result = eval_t18_bbc(st); return MF_OK;
    default: return eval_pade(st, id, result);
    }
}

/* ------------------------------------------------------------------ */
/* ||A^k||_1: exact for small n, estimated above                       */
/* ------------------------------------------------------------------ */

/* Up to this n, ||A^k||_1 of powers we do not hold is bounded by
 * || |A|^k ||_1 (exact, O(k n^2), no product, no allocation); above it is
 * estimated by the block 1-norm estimator (Higham & Tisseur 2000, t = 2,
 * deterministic) applying A k times to n x 2 blocks: O(k n^2) per
 * iteration instead of a product's O(n^3). Al-Mohy & Higham 2009 estimate
 * these norms the same way; SciPy switches from exact to estimated norms at
 * n = 400 because it forms the powers anyway, we never form them. */
#define EXACT_POWER_NORM_MAX MF__EXPM_SMALL_N

/* ||A^k||_1 of a power we hold. */
static double power_norm(state *st, int k) {
    if (st->pnorm[k] < 0.0)
        st->pnorm[k] = norm1(&st->x, st->pw[k]);
    return st->pnorm[k];
}

/* ------------------------------------------------------------------ */
/* Choosing the approximant and s                                      */
/* ------------------------------------------------------------------ */

typedef mf__expm_choice choice;

/* Cheapest (cost, then fewer squarings) member of fam whose backward error
 * series starts at order >= min_order, for the bound eta. */
static choice cheapest(family fam, double eta, int min_order) {
    choice best = {fam.ids[fam.count - 1], 0, eta};
    const eta_bits e = split_eta(eta);
    /* order by cost, then by squarings: key = cost * 2^13 + s (s <= 4096) */
    int64_t best_key = INT64_MAX;
    for (int i = 0; i < fam.count; i++) {
        const mf__expm_scheme_id id = fam.ids[i];
        const int s = squarings_for(&e, mf__expm_schemes[id].theta);
        const int64_t key = ((int64_t)scheme_cost3(id, s) << 13) + s;
        const bool better = (mf__expm_schemes[id].order >= min_order) & (key < best_key);
        best.id = better ? (int32_t)id : best.id;
        best.s = better ? s : best.s;
        best_key = better ? key : best_key;
    }
    return best;
}

mf__expm_choice mf__expm_cheapest(int32_t which, double eta, int min_order) {
    return cheapest(family_of(which), eta, min_order);
}

int mf__expm_family_ids(int32_t which, const mf__expm_scheme_id **ids) {
    const family fam = family_of(which);
    *ids = fam.ids;
    return fam.count;
}

#define ORDER_FOR_ALPHA4 MF__EXPM_ORDER_FOR_ALPHA4

/* Worth computing alpha_3, alpha_4? Only if d_2 alone shows that they may
 * save min_saving squarings (an infinite d_2, from an overflowed A^2,
 * shows nothing: then try, the refinement never costs squarings). */
bool mf__expm_alpha_may_help(int32_t which, mf__expm_choice c, double d2, int min_saving) {
    return !(d2 < INFINITY) ||
           cheapest(family_of(which), d2, ORDER_FOR_ALPHA4).s <= c.s - min_saving;
}

int mf__expm_alpha_min_saving(int64_t n) { return n <= MF__EXPM_SMALL_N ? 2 : 1; }

/* The largest order l in the family: the ell correction reads || |A|^l ||. */
int mf__expm_abs_kmax(int32_t which) {
    const family fam = family_of(which);
    int kmax = 5;
    for (int i = 0; i < fam.count; i++)
        if (mf__expm_schemes[fam.ids[i]].order > kmax)
            kmax = mf__expm_schemes[fam.ids[i]].order;
    return kmax;
}

/* fmin and fmax for operands that are never NaN here, without the library
 * calls (x86 has no instruction with their NaN rules). */
static inline double min2(double a, double b) { return b < a ? b : a; }
static inline double max2(double a, double b) { return b > a ? b : a; }

/* log2 || |A|^k ||_1 from nb[k] = || |A|^k ||_1 / d1^k, l2d1 = log2(d1). */
static double log2_abs_norm(const double *nb, double l2d1, int k) { return log2(nb[k]) + k * l2d1; }

/* log2 of each scheme's leading backward-error coefficient, formed once
 * (a race only stores the same values twice). */
static double log2_lead(mf__expm_scheme_id id) {
    static _Atomic bool ready = false;
    static double table[MF__S_COUNT];
    if (!atomic_load_explicit(&ready, memory_order_acquire)) {
        for (int k = 0; k < MF__S_COUNT; k++)
            table[k] = log2(mf__expm_schemes[k].lead);
        atomic_store_explicit(&ready, true, memory_order_release);
    }
    return table[id];
}

/* Al-Mohy & Higham 2009, sec. 4: the backward error of 2^-s A is bounded
 * through alpha_p = max(d_p, d_{p+1}), which can be far below ||A|| for
 * non-normal A. d_k (k = 3, 4, 5) is the rigorous bound || |A|^k ||_1^(1/k)
 * from nb, or known[k - 3] (the exact or estimated ||A^k||_1^(1/k)) when
 * that is smaller. We take eta = min(d_1, alpha_2, alpha_3, alpha_4) and
 * keep the result only if it is cheaper than c (the choice by d_1). */
mf__expm_choice mf__expm_alpha_choice(int32_t which, mf__expm_choice c, double d1, double d2,
                                      const double *known, const double *nb) {
    const double l2d1 = log2(d1);
    double d[3];
    for (int k = 3; k <= 5; k++)
        d[k - 3] = min2(exp2(log2_abs_norm(nb, l2d1, k) / k), known[k - 3]);
    double eta = min2(d1, max2(d2, d[0]));
    eta = min2(eta, min2(max2(d[0], d[1]), max2(d[1], d[2])));
    choice r = cheapest(family_of(which), eta, ORDER_FOR_ALPHA4);
    /* Guard against underscaling a matrix whose |A| is much larger than eta
     * suggests (Al-Mohy & Higham 2009, eq. (5.1)-(5.2), the ell correction):
     * add squarings until the leading backward error term, bounded with |A|
     * of the scaled matrix, is below u = 2^-53. Scaling by 2^-s multiplies
     * that term relative to ||A|| by 2^(-s (l-1)). */
    const int l = mf__expm_schemes[r.id].order;
    const double excess = log2_lead(r.id) + log2_abs_norm(nb, l2d1, l) - l2d1 + 53.0 -
                          (double)r.s * (l - 1);
    if (excess > 0)
        r.s += (int)ceil(excess / (l - 1));
    return scheme_cost3(r.id, r.s) < scheme_cost3(c.id, c.s) ? r : c;
}

/* Can the refinement by alpha_p end cheaper than c at all? Whatever eta
 * it finds, the ell correction of mf__expm_alpha_choice leaves a
 * candidate of order l with at least E_l / (l - 1) squarings, where
 * E_l = log2(lead) + log2 || |A|^l ||_1 - log2 d1 - log2 u; and
 * || |A|^l ||_1 >= rho(|A|)^l >= m^l for m the smallest column sum of |A|
 * (a nonnegative matrix's spectral radius is at least its smallest column
 * sum). For a dense matrix with entries of one size m is near d1 and no
 * candidate gets below c's cost: the |A|^k norms and the estimates (about
 * a product's time at n = 1024) are then skipped, and the choice stays c,
 * as the full computation would leave it. The margin of 1e-6 in E_l
 * covers rounding in the computed norms. */
bool mf__expm_alpha_may_pay(int32_t which, mf__expm_choice c, double d1, double mincol) {
    if (!(mincol > 0.0))
        return true;
    const family fam = family_of(which);
    const double lm = log2(mincol), base = -log2(d1) - log2(MF_U64) - 1e-6;
    for (int i = 0; i < fam.count; i++) {
        const mf__expm_scheme *sc = &mf__expm_schemes[fam.ids[i]];
        if (sc->order < ORDER_FOR_ALPHA4)
            continue;
        const double e = log2(sc->lead) + sc->order * lm + base;
        const int s_min = e > 0.0 ? (int)ceil(e / (sc->order - 1)) : 0;
        if (scheme_cost3(fam.ids[i], s_min) < scheme_cost3(c.id, c.s))
            return true;
    }
    return false;
}

/* nb[k] = || |A|^k ||_1 / ||A||_1^k for k = 1..kmax (expm_small.c). Real
 * A directly, complex A through |A|. Before evaluation w2..w4 are free:
 * |A| goes to w2, and the n^2 + 2n doubles of work to w4 (spilling, when
 * real, into what follows it: w5, or the extra doubles when there is no
 * w5). n >= 2 here (1 x 1 is a closed form). */
static void abs_power_norms(state *st, int kmax, double *nb) {
    const xctx *x = &st->x;
    const int64_t n = x->n;
    const double *a = st->pw[1];
    if (x->cplx) {
        double *absa = st->w[2];
        for (int64_t k = 0; k < n * n; k++)
            absa[k] = abs_at(x, a, k);
        a = absa;
    }
    mf__expm_abs_power_norms(n, a, n, st->pnorm[1], kmax, nb, st->w[4]);
}

/* The known part of d_k = ||A^k||^(1/k) (mf__expm_alpha_choice takes the
 * smaller of it and the |A| bound): exact when the power is held; for
 * small n nothing (the bound is exact enough and costs nothing); for
 * larger n the block 1-norm estimate. */
static mf_status d_of(const char *fn, state *st, int k, double *d) {
    if (st->pw[k] != NULL) {
        *d = pow(power_norm(st, k), 1.0 / k);
        return MF_OK;
    }
    if (st->x.n <= EXACT_POWER_NORM_MAX) {
        *d = INFINITY;
        return MF_OK;
    }
    return mf__normest1_pow_root_packed(fn, st->x.cplx ? MF_C128 : MF_F64, st->x.n, st->pw[1],
                                        st->x.n, k, d);
}

/* The choice of approximant and s (steps in expm.h); for large n the
 * estimates are only computed when d_2 shows that they may save a
 * squaring. c is the choice by d1 alone. */
static mf_status choose(const char *fn, state *st, int32_t which, choice c, choice *out) {
    const double d1 = st->pnorm[1];
    *out = c;
    if (c.s == 0)
        return MF_OK;
    const double d2 = sqrt(power_norm(st, 2));
    if (!mf__expm_alpha_may_help(which, c, d2, mf__expm_alpha_min_saving(st->x.n)))
        return MF_OK;
    /* (for n <= MF__EXPM_SMALL_N the bound rarely decides: the norms are
     * cheaper than a test that fails) */
    if (st->x.n > MF__EXPM_SMALL_N && !mf__expm_alpha_may_pay(which, c, d1, st->mincol))
        return MF_OK;
    double nb[MF__EXPM_MAX_ORDER + 1], known[3];
    abs_power_norms(st, mf__expm_abs_kmax(which), nb);
    mf_status e;
    if ((e = d_of(fn, st, 3, &known[0])) != MF_OK || (e = d_of(fn, st, 4, &known[1])) != MF_OK ||
        (e = d_of(fn, st, 5, &known[2])) != MF_OK)
        return e;
    *out = mf__expm_alpha_choice(which, c, d1, d2, known, nb);
    return MF_OK;
}

/* ------------------------------------------------------------------ */
/* Triangular structure and exact recomputation                        */
/* ------------------------------------------------------------------ */

/* Al-Mohy & Higham 2009, Code Fragment 2.1: after evaluating X = r(2^-s T)
 * and after each squaring, overwrite the diagonal (1 x 1 and 2 x 2 blocks
 * of a real quasi-triangular T) and the superdiagonal between 1 x 1 blocks
 * with the exact values for 2^(j-s) T, computed from the scaled T held in a. */
static void recompute_blocks(const state *st, const double *T, double h, double *X) {
    const xctx *x = &st->x;
    const int64_t n = x->n;
    for (int64_t i = 0; i < n;) {
        if (i + 1 < n && get(x, T, i + 1, i) != 0.0) {
            zdouble o[4];
            expm_2x2(x->cplx, h * get(x, T, i, i), h * get(x, T, i, i + 1), h * get(x, T, i + 1, i),
                     h * get(x, T, i + 1, i + 1), o);
            set(x, X, i, i, o[0]);
            set(x, X, i + 1, i, o[1]);
            set(x, X, i, i + 1, o[2]);
            set(x, X, i + 1, i + 1, o[3]);
            i += 2;
            continue;
        }
        const zdouble li = h * get(x, T, i, i);
        set(x, X, i, i, zexp(x->cplx, li));
        if (i + 1 < n && (i + 2 >= n || get(x, T, i + 2, i + 1) == 0.0)) {
            /* (10.42): f12 = t12 e^((l1+l2)/2) sinhc((l2-l1)/2) */
            const zdouble lj = h * get(x, T, i + 1, i + 1);
            set(x, X, i, i + 1,
                h * get(x, T, i, i + 1) * zexp(x->cplx, 0.5 * (li + lj)) * sinhc(0.5 * (lj - li)));
        }
        i++;
    }
}

/* ------------------------------------------------------------------ */
/* Structure detection                                                 */
/* ------------------------------------------------------------------ */

typedef enum structure { ST_GENERAL, ST_DIAGONAL, ST_UPPER, ST_LOWER, ST_QUASI_UPPER, ST_HERMITIAN } structure;

static bool is_zero_at(const xctx *x, const double *a, int64_t i, int64_t j) {
    const int64_t k = i + j * x->n;
    return x->cplx ? (a[2 * k] == 0.0 && a[2 * k + 1] == 0.0) : a[k] == 0.0;
}

static bool strictly_lower_zero(const xctx *x, const double *a, int64_t band) {
    for (int64_t j = 0; j < x->n; j++)
        for (int64_t i = j + 1 + band; i < x->n; i++)
            if (!is_zero_at(x, a, i, j))
                return false;
    return true;
}

static bool strictly_upper_zero(const xctx *x, const double *a) {
    for (int64_t j = 1; j < x->n; j++)
        for (int64_t i = 0; i < j; i++)
            if (!is_zero_at(x, a, i, j))
                return false;
    return true;
}

static bool hermitian(const xctx *x, const double *a) {
    for (int64_t j = 0; j < x->n; j++)
        for (int64_t i = j; i < x->n; i++) {
            const zdouble u = get(x, a, i, j), v = get(x, a, j, i);
            if (u != conj(v))
                return false;
        }
    return true;
}

/* Real quasi-upper-triangular: upper Hessenberg without two consecutive
 * nonzero subdiagonal entries (the real Schur form's shape). */
static bool quasi_upper(const xctx *x, const double *a) {
    if (!strictly_lower_zero(x, a, 1))
        return false;
    for (int64_t i = 0; i + 2 < x->n; i++)
        if (!is_zero_at(x, a, i + 1, i) && !is_zero_at(x, a, i + 2, i + 1))
            return false;
    return true;
}

static structure detect(const xctx *x, const double *a) {
    const bool low0 = strictly_lower_zero(x, a, 0);
    const bool up0 = strictly_upper_zero(x, a);
    if (low0 && up0)
        return ST_DIAGONAL;
    if (low0)
        return ST_UPPER;
    if (up0)
        return ST_LOWER;
    if (!x->cplx && quasi_upper(x, a))
        return ST_QUASI_UPPER;
    if (x->n > MF__EXPM_SMALL_N && hermitian(x, a))
        return ST_HERMITIAN;
    return ST_GENERAL;
}

static void transpose_in_place(const xctx *x, double *a) {
    for (int64_t j = 0; j < x->n; j++)
        for (int64_t i = j + 1; i < x->n; i++) {
            const zdouble u = get(x, a, i, j);
            set(x, a, i, j, get(x, a, j, i));
            set(x, a, j, i, u);
        }
}

/* ------------------------------------------------------------------ */
/* Drivers                                                             */
/* ------------------------------------------------------------------ */

mf_status mf__expm_overflow(const char *fn, int64_t n) {
    return mf__fail(MF_EOVERFLOW, fn,
                    "exp(A) of the %lld x %lld matrix A has entries beyond the double range",
                    (long long)n, (long long)n);
}

/* Hermitian A = V Lambda V^H: exp(A) = W W^H with W = V exp(Lambda/2),
 * exactly Hermitian and positive definite. Overwrites a (writable here);
 * the result is left in w0. */
static mf_status expm_hermitian(const char *fn, state *st, double **result) {
    xctx *x = &st->x;
    const int64_t n = x->n;
    const int32_t dt = x->cplx ? MF_C128 : MF_F64;
    double *lam = st->extra;
    mf_matrix Av, wv;
    mf_view_colmajor(&Av, st->a, n, n, n, dt);
    mf_view_colmajor(&wv, lam, n, 1, n, MF_F64);
    mf_status s = mf_eigh(&Av, &wv, &Av); /* a now holds V */
    if (s != MF_OK)
        return s;
    for (int64_t j = 0; j < n; j++) {
        const double f = exp(0.5 * lam[j]);
        if (!isfinite(f))
            return mf__expm_overflow(fn, n);
        const int64_t es = x->cplx ? 2 : 1;
        for (int64_t i = 0; i < n * es; i++)
            st->a[j * n * es + i] *= f;
    }
    double *r = st->w[0];
    if (x->cplx)
        cblas_zherk(CblasColMajor, CblasLower, CblasNoTrans, (int)n, (int)n, 1.0, st->a, (int)n, 0.0,
                    r, (int)n);
    else
        cblas_dsyrk(CblasColMajor, CblasLower, CblasNoTrans, (int)n, (int)n, 1.0, st->a, (int)n, 0.0,
                    r, (int)n);
    x->products++;
    for (int64_t j = 0; j < n; j++)
        for (int64_t i = j; i < n; i++)
            set(x, r, j, i, conj(get(x, r, i, j)));
    if (!all_finite(x, r))
        return mf__expm_overflow(fn, n);
    *result = r;
    return MF_OK;
}

static void expm_diagonal(state *st) {
    const xctx *x = &st->x;
    for (int64_t i = 0; i < x->n; i++)
        set(x, st->a, i, i, zexp(x->cplx, get(x, st->a, i, i)));
}

/* The buffers an evaluation needs beyond w0..w4, allocated here when the
 * caller did not provide them (mf_expm's large path provides five
 * matrices: the fused evaluations use no more): w5 for the other schemes,
 * and a buffer for 2^-s A when A must be scaled and a is the caller's (w5
 * beside a fused evaluation, which leaves it free). *scaled gets that
 * buffer, or a itself when writable. */
static mf_status more_buffers(const char *fn, state *st, bool fused, bool scale_a,
                              double **scaled) {
    const bool copy = scale_a && !st->a_writable;
    const int want = (st->w[5] == NULL && (!fused || copy)) + (copy && !fused);
    if (want > 0) {
        st->own = mf__alloc_array(want * st->x.len, sizeof(double));
        if (st->own == NULL)
            return mf__fail(MF_ENOMEM, fn, "cannot allocate workspace for %lld x %lld",
                            (long long)st->x.n, (long long)st->x.n);
    }
    double *next = st->own;
    if (st->w[5] == NULL && (!fused || copy)) {
        st->w[5] = next;
        next = next + st->x.len;
    }
    *scaled = !copy ? st->a : fused ? st->w[5] : next;
    return MF_OK;
}

/* Can the powers stay unscaled with 2^-s folded into the coefficients
 * (fused evaluations)? Yes while A^6 and the coefficients 2^-6s stay far
 * inside the double range. */
static bool fold_scaling(double norm1a, int s) { return norm1a <= 0x1p64 && s <= 100; }

/* Scale A and its held powers by 2^-s (Al-Mohy & Higham 2009, Alg. 5.1):
 * A in place, or into as when a is the caller's. Powers of a huge A may
 * have overflowed; they are rebuilt from the scaled A then. */
static void scale_powers(state *st, int s, double *as) {
    xctx *x = &st->x;
    const double f = ldexp(1.0, -s);
    if (as == st->pw[1]) {
        scale(x, as, f);
    } else {
        const double *m[] = {st->pw[1]};
        mf__expm_lincomb(x->len, as, 1, (const double[]){f}, m);
        st->pw[1] = as;
    }
    const bool rebuild = s > 300 || !all_finite(x, st->w[0]) ||
                         (st->pw[3] != NULL && !all_finite(x, st->w[1]));
    if (rebuild) {
        mm(x, as, as, st->w[0]);
        if (st->pw[3] != NULL)
            mm(x, st->w[0], as, st->w[1]);
    } else {
        scale(x, st->w[0], f * f);
        if (st->pw[3] != NULL)
            scale(x, st->w[1], f * f * f);
    }
}

/* Where the approximant's value goes: straight to the output when nothing
 * can fail after it is written (no squarings, and ||A||_1 small enough
 * that no quantity of the evaluation can overflow), else workspace. */
static double *eval_dest(const state *st, bool triangular, int s, mf__expm_scheme_id id) {
    if (st->out != NULL && !triangular && s == 0 && st->pnorm[1] <= 8.0)
        return st->out;
    return id == MF__S_T18_BBC ? st->w[1] : st->w[0];
}

/* The squarings, X -> X^2 s times, ping-ponging between X and a free
 * buffer (w3 or w4: free once evaluation is over), with the exact
 * recomputation for triangular A. At BLAS sizes the last one writes to
 * the output directly when ||X||_max bounds it below overflow
 * (|(X^2)_ij| <= 2 n max|x|^2 for complex entries, n max|x|^2 for real),
 * saving a copy. Returns the buffer holding the result. */
static mf_status square(const char *fn, state *st, int s, double sigma, bool triangular,
                        double *X, double **result) {
    xctx *x = &st->x;
    double *Y = X == st->w[3] ? st->w[4] : st->w[3];
    for (int j = 1; j <= s; j++) {
        if (j == s && st->out != NULL && !triangular && x->n > MF__EXPM_SMALL_N) {
            const double big = mf__expm_max_abs(x->len, X);
            if (!(big < INFINITY))
                return mf__expm_overflow(fn, x->n);
            if (2.0 * (double)x->n * big * big <= 0x1p1000) {
                mm(x, X, X, st->out);
                *result = st->out;
                return MF_OK;
            }
        }
        mm(x, X, X, Y);
        double *t = X;
        X = Y;
        Y = t;
        if (triangular)
            recompute_blocks(st, st->pw[1], ldexp(sigma, j), X);
        if (!all_finite(x, X))
            return mf__expm_overflow(fn, x->n);
    }
    if (s == 0 && X != st->out && !all_finite(x, X))
        return mf__expm_overflow(fn, x->n);
    *result = X;
    return MF_OK;
}

/* Scaling and squaring (general or upper (quasi-)triangular A); the
 * result is left in *result (st->out or workspace). */
static mf_status scaling_squaring(const char *fn, state *st, int32_t which, bool triangular,
                                  mf_expm_info *info, double **result) {
    xctx *x = &st->x;
    for (int k = 0; k < 7; k++) {
        st->pw[k] = NULL;
        st->pnorm[k] = -1.0;
    }
    st->pw[1] = st->a;
    st->pnorm[1] = norm1_min(x, st->a, &st->mincol);
    info->norm1 = st->pnorm[1];
    if (st->pnorm[1] == 0.0) { /* exp(0) = I */
        double *r = st->out != NULL ? st->out : st->w[0];
        memset(r, 0, (size_t)x->len * sizeof(double));
        add_identity(x, r, 1.0);
        info->eta = 0.0;
        *result = r;
        return MF_OK;
    }
    /* A2 is needed by every scheme but T1; A3 by BBC's 12 and 18 */
    if (!(family_of(which).ids[0] == MF__S_T1 && st->pnorm[1] <= mf__expm_schemes[MF__S_T1].theta)) {
        mm(x, st->a, st->a, st->w[0]);
        st->pw[2] = st->w[0];
    }
    if (!isfinite(st->pnorm[1]))
        return mf__fail(MF_EOVERFLOW, fn, "||A||_1 exceeds the double range");
    const choice c0 = mf__expm_cheapest(which, st->pnorm[1], 0);
    if (c0.id == MF__S_T12_BBC || c0.id == MF__S_T18_BBC) {
        mm(x, st->w[0], st->a, st->w[1]);
        st->pw[3] = st->w[1];
    }
    choice c;
    mf_status r0 = choose(fn, st, which, c0, &c);
    if (r0 != MF_OK)
        return r0;
    const mf__expm_scheme_id id = c.id;
    const int s = c.s;
    info->eta = c.eta;
    info->scheme = mf__expm_schemes[id].family;
    info->degree = mf__expm_schemes[id].degree;
    info->squarings = s;
    info->solves = mf__expm_schemes[id].solves;
    const bool fused = has_fused(x, id);
    const bool fold = s > 0 && fused && fold_scaling(st->pnorm[1], s);
    const double sigma = fold ? ldexp(1.0, -s) : 1.0; /* folded into the coefficients */
    double *as = NULL;
    if ((r0 = more_buffers(fn, st, fused, s > 0 && !fold, &as)) != MF_OK)
        return r0;
    if (s > 0 && !fold)
        scale_powers(st, s, as);
    double *X = NULL;
    if (fused) {
        double sg[7] = {1.0};
        for (int k = 1; k < 7; k++)
            sg[k] = sg[k - 1] * sigma;
        X = eval_dest(st, triangular, s, id);
        if (id == MF__S_T18_BBC)
            eval_t18_fused(st, sg, X);
        else
            eval_t15_fused(st, sg, X);
    } else {
        mf_status r = eval_scheme(st, id, &X);
        if (r == MF_EOVERFLOW)
            return mf__expm_overflow(fn, x->n);
        if (r != MF_OK)
            return r;
    }
    if (triangular)
        recompute_blocks(st, st->pw[1], sigma, X);
    return square(fn, st, s, sigma, triangular, X, result);
}

/* The driver behind mf__expm_packed and mf_expm's large-matrix path. */
static mf_status expm_run(const char *fn, state *st, const mf_expm_options *opt,
                          mf_expm_info *info, double **result) {
    const int64_t n = st->x.n;
    const bool cplx = st->x.cplx;
    double *a = st->a;
    const int32_t which = opt != NULL ? opt->scheme : MF_EXPM_AUTO;
    const bool detect_structure = opt == NULL || opt->structure == 0;
    mf_status r = MF_OK;
    *result = a;
    structure sh = detect_structure ? detect(&st->x, a) : ST_GENERAL;
    if (n <= 2 && detect_structure && sh != ST_DIAGONAL) {
        zdouble o[4];
        if (n == 1)
            o[0] = zexp(cplx, get(&st->x, a, 0, 0));
        else
            expm_2x2(cplx, get(&st->x, a, 0, 0), get(&st->x, a, 0, 1), get(&st->x, a, 1, 0),
                     get(&st->x, a, 1, 1), o);
        for (int k = 0; k < (int)(n * n); k++)
            set(&st->x, a, k % n, k / n, o[k]); /* o is column-major */
        info->method = MF_EXPM_METHOD_CLOSED_FORM;
        info->norm1 = info->eta = NAN;
        return all_finite(&st->x, a) ? MF_OK : mf__expm_overflow(fn, n);
    }
    switch (sh) {
    case ST_DIAGONAL:
        info->method = MF_EXPM_METHOD_DIAGONAL;
        expm_diagonal(st);
        r = all_finite(&st->x, a) ? MF_OK : mf__expm_overflow(fn, n);
        break;
    case ST_HERMITIAN:
        info->method = MF_EXPM_METHOD_HERMITIAN;
        r = expm_hermitian(fn, st, result);
        break;
    case ST_LOWER: {
        info->method = MF_EXPM_METHOD_TRIANGULAR;
        double *out = st->out;
        st->out = NULL; /* the result is transposed back in workspace */
        transpose_in_place(&st->x, a); /* exp(A^T) = exp(A)^T */
        r = scaling_squaring(fn, st, which, true, info, result);
        if (r == MF_OK)
            transpose_in_place(&st->x, *result);
        st->out = out;
        break;
    }
    case ST_UPPER:
    case ST_QUASI_UPPER:
        info->method = MF_EXPM_METHOD_TRIANGULAR;
        r = scaling_squaring(fn, st, which, true, info, result);
        break;
    default:
        info->method = MF_EXPM_METHOD_SCALING_SQUARING;
        r = scaling_squaring(fn, st, which, false, info, result);
    }
    info->products = st->x.products;
    return r;
}

static void state_init(state *st, int64_t n, bool cplx, double *a, bool a_writable, double *out,
                       double *work, int mats) {
    st->x = (xctx){n, cplx, n * n * (cplx ? 2 : 1), 0};
    st->a = a;
    st->a_writable = a_writable;
    st->out = out;
    st->own = NULL;
    for (int k = 0; k < MF__EXPM_WORK_MATS; k++)
        st->w[k] = k < mats ? work + k * st->x.len : NULL;
    st->extra = work + mats * st->x.len;
}

mf_status mf__expm_into(const char *fn, int64_t n, bool cplx, double *a, bool a_writable,
                        double *out, double *work, int mats, const mf_expm_options *opt,
                        mf_expm_info *info, const double **result) {
    memset(info, 0, sizeof *info);
    *result = NULL;
    if (n == 0)
        return MF_OK;
    state st;
    state_init(&st, n, cplx, a, a_writable, out, work, mats);
    double *r = NULL;
    mf_status status = expm_run(fn, &st, opt, info, &r);
    const bool in_own = st.own != NULL && r == st.w[5] && st.w[5] == st.own;
    double *keep = out != NULL ? out : in_own ? st.w[0] : r; /* own is freed below */
    if (status == MF_OK && keep != r)
        memcpy(keep, r, (size_t)st.x.len * sizeof(double));
    r = keep;
    if (status == MF_OK)
        *result = r;
    mf__free(st.own);
    return status;
}

bool mf__expm_needs_copy(int64_t n, bool cplx, const double *a, const mf_expm_options *opt) {
    if (opt != NULL && opt->structure != 0)
        return false;
    const xctx x = {n, cplx, n * n * (cplx ? 2 : 1), 0};
    const structure sh = detect(&x, a);
    return n <= 2 || sh == ST_DIAGONAL || sh == ST_LOWER || sh == ST_HERMITIAN;
}

mf_status mf__expm_packed(const char *fn, int64_t n, bool cplx, double *a, double *work,
                          const mf_expm_options *opt, mf_expm_info *info) {
    mf_expm_info local;
    const double *result;
    return mf__expm_into(fn, n, cplx, a, true, a, work, MF__EXPM_WORK_MATS, opt,
                         info != NULL ? info : &local, &result);
}
