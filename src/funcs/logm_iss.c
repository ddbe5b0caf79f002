/*
 * Inverse scaling and squaring on Schur factors: the part shared by the
 * matrix logarithm (AH12, AHR13) and fractional powers (HL11, HL13). See
 * logm_iss.h for the conventions and the paper abbreviations.
 *
 * Scalar formulas used to recompute diagonal blocks and superdiagonals:
 *  - a^(1/2^k) - 1 = (a - 1) / prod_{j=1..k} (1 + a^(1/2^j))  (Al-Mohy 2012,
 *    Alg. 2), free of the cancellation of forming a^(1/2^k) and subtracting 1;
 *  - a real 2 x 2 block B with eigenvalues theta +- i mu: B - theta I squares
 *    to -mu^2 I, so f(B) = Re f(lambda) I + (Im f(lambda) / mu) (B - theta I)
 *    for lambda = theta + i mu (AHR13 section 3 uses this for sqrt and log);
 *  - the (1, 2) entry of f([[l1, t12], [0, l2]]) as divided differences of
 *    log and z^p evaluated through atanh((l2 - l1) / (l2 + l1)) when l1 and
 *    l2 are close (Higham 2008 eq. (11.28); HL11 eq. (5.6); AH12 sec. 5).
 */
#include "mfcomplex.h"
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include <cblas.h>

#include "decomp/schur.h"
#include "funcs/logm_iss.h"
#include "funcs/sqrtm_tri.h"
#include "internal.h"
#include "norms/normest.h"

typedef double _Complex zdouble;

/*
 * theta_m for the logarithm: AH12 Table 2.1 (m = 1..7), the largest
 * alpha_p(X) for which the [m/m] Pade approximant r_m(X) of log(I + X) has
 * relative backward error at most u = 2^-53. Full digits as printed in the
 * authors' published MATLAB code for that paper; the 3-digit table
 * 1.59e-5, 2.31e-3, 1.94e-2, 6.21e-2, 1.28e-1, 2.06e-1, 2.88e-1 of the
 * paper agrees.
 */
const double mf__iss_theta_log[7] = {1.586970738772063e-5, 2.313807884242979e-3,
                                     1.938179313533253e-2, 6.209171588994762e-2,
                                     1.276404810806775e-1, 2.060962623452836e-1,
                                     2.879093714241194e-1};

/*
 * theta_m for fractional powers: the largest alpha for which the forward
 * error bound sum_{k >= 2m+1} |e_k| alpha^k of the [m/m] Pade approximant
 * of (1 - x)^p is at most u = 2^-53 for every p in [-1, 1] (HL11 sec. 3,
 * HL13 sec. 3, Table 3.1: 1.51e-5, 2.24e-3, 1.88e-2, 6.04e-2, 1.24e-1,
 * 2.00e-1, 2.79e-1). Recomputed in 50-digit arithmetic by
 * tests/data/gen_logm.py --verify (minimum over p, attained near
 * p = -0.53 .. -0.58); the digits agree with the 3-digit table. Some ports
 * use 1.53e-5, 2.25e-3, 1.92e-2, 6.08e-2, 1.25e-1, 2.03e-1, 2.84e-1, which
 * exceed this bound for p near -0.55 and are not used here.
 */
const double mf__iss_theta_pow[7] = {1.512666672112096e-5, 2.236550782395399e-3,
                                     1.882832775783713e-2, 6.036100693089534e-2,
                                     1.239372725584857e-1, 1.998030690604104e-1,
                                     2.787629930861592e-1};

/* ------------------------------------------------------------------ */
/* scalar helpers                                                      */
/* ------------------------------------------------------------------ */

/* A zero imaginary part of either sign is read as +0: the eigenvalue -x
 * (x > 0) has log x + i pi and (-x)^p = x^p e^(i pi p), the same tie-break
 * as mf_sqrtm (sqrt(-1) = +i) on every build. */
static zdouble on_upper_side(zdouble z) {
    return cimag(z) == 0.0 ? CMPLX(creal(z), 0.0) : z;
}
static zdouble zsqrt(zdouble z) { return csqrt(on_upper_side(z)); }
static zdouble zlog(zdouble z) { return clog(on_upper_side(z)); }
static zdouble zpow(zdouble z, double p) { return cexp(p * zlog(z)); }

/* a^(1/2^k) - 1 (Al-Mohy 2012, Alg. 2). For |arg a| >= pi/2 one root is
 * taken first, as there, so that every factor 1 + a^(1/2^j) is well away
 * from zero. */
static zdouble zbriggs(zdouble a, int k) {
    a = on_upper_side(a);
    if (k == 0)
        return a - 1.0;
    if (fabs(carg(a)) >= MF__PI / 2) {
        a = csqrt(a);
        k--;
        if (k == 0)
            return a - 1.0;
    }
    const zdouble z0 = a - 1.0;
    a = csqrt(a);
    zdouble r = 1.0 + a;
    for (int j = 1; j < k; j++) {
        a = csqrt(a);
        r *= 1.0 + a;
    }
    return z0 / r;
}

static double dbriggs(double a, int k) {
    if (k == 0)
        return a - 1.0;
    const double z0 = a - 1.0;
    a = sqrt(a);
    double r = 1.0 + a;
    for (int j = 1; j < k; j++) {
        a = sqrt(a);
        r *= 1.0 + a;
    }
    return z0 / r;
}

/* Are l1 and l2 close enough for the atanh forms? |l2 - l1| <= |l1 + l2| / 2
 * means |z| <= 1/2 for z = (l2 - l1) / (l2 + l1). */
static bool close_pair(zdouble l1, zdouble l2) { return cabs(l2 - l1) <= 0.5 * cabs(l1 + l2); }

/*
 * (log l2 - log l1) / (l2 - l1), principal logs. For close l1, l2,
 * log l2 - log l1 = 2 atanh(z) + 2 pi i k with k an integer (Higham 2008
 * eq. (11.28), where k is the unwinding number of log l2 - log l1). We
 * take k as the integer that brings 2 atanh(z) nearest to the directly
 * computed difference: that difference is accurate to a few ulps of pi in
 * its imaginary part and the candidates are 2 pi apart, so no unwinding
 * number (and none of its sign conventions) is needed.
 */
static zdouble log_divdiff(zdouble l1, zdouble l2) {
    if (l1 == l2)
        return 1.0 / l1;
    const zdouble direct = zlog(l2) - zlog(l1);
    if (!close_pair(l1, l2))
        return direct / (l2 - l1);
    const zdouble at2 = 2.0 * catanh((l2 - l1) / (l2 + l1));
    const double k = round((cimag(direct) - cimag(at2)) / (2.0 * MF__PI));
    return (at2 + CMPLX(0.0, 2.0 * MF__PI * k)) / (l2 - l1);
}

/* Real positive l1, l2: both logs are real, so no multiple of 2 pi i. */
static double dlog_divdiff(double l1, double l2) {
    if (l1 == l2)
        return 1.0 / l1;
    if (fabs(l2 - l1) > 0.5 * (l1 + l2))
        return (log(l2) - log(l1)) / (l2 - l1);
    return 2.0 * atanh((l2 - l1) / (l2 + l1)) / (l2 - l1);
}

/*
 * (l2^p - l1^p) / (l2 - l1) (HL11 eq. (5.6)): for close l1, l2,
 * l2^p - l1^p = exp(p (log l1 + log l2) / 2) 2 sinh(p (log l2 - log l1) / 2)
 * with (log l2 - log l1) / 2 = atanh(z) + i pi k, k chosen as in
 * log_divdiff.
 */
static zdouble pow_divdiff(zdouble l1, zdouble l2, double p) {
    if (l1 == l2)
        return p * zpow(l1, p - 1.0);
    if (!close_pair(l1, l2))
        return (zpow(l2, p) - zpow(l1, p)) / (l2 - l1);
    const zdouble g1 = zlog(l1), g2 = zlog(l2);
    const zdouble at = catanh((l2 - l1) / (l2 + l1));
    const double k = round((cimag(g2 - g1) / 2.0 - cimag(at)) / MF__PI);
    const zdouble half = at + CMPLX(0.0, MF__PI * k);
    return cexp(0.5 * p * (g1 + g2)) * 2.0 * csinh(p * half) / (l2 - l1);
}

static double dpow_divdiff(double l1, double l2, double p) {
    if (l1 == l2)
        return p * pow(l1, p - 1.0);
    if (fabs(l2 - l1) > 0.5 * (l1 + l2))
        return (pow(l2, p) - pow(l1, p)) / (l2 - l1);
    const double at = atanh((l2 - l1) / (l2 + l1));
    return exp(0.5 * p * (log(l1) + log(l2))) * 2.0 * sinh(p * at) / (l2 - l1);
}

/* ------------------------------------------------------------------ */
/* structure                                                           */
/* ------------------------------------------------------------------ */

bool mf__iss_block_at(int32_t dt, int64_t n, const double *t, int64_t k) {
    return dt == MF_F64 && k + 1 < n && t[(k + 1) + k * n] != 0.0;
}

bool mf__iss_is_block_diagonal(int32_t dt, int64_t n, const double *t) {
    const int64_t parts = dt == MF_C128 ? 2 : 1;
    for (int64_t j = 1; j < n; j++) {
        /* rows above the diagonal block that contains column j */
        const int64_t top = (dt == MF_F64 && t[j + (j - 1) * n] != 0.0) ? j - 1 : j;
        for (int64_t i = 0; i < top * parts; i++)
            if (t[parts * j * n + i] != 0.0)
                return false;
    }
    return true;
}

/* The 2 x 2 block at row k of a real quasi-triangular t: its eigenvalue
 * theta + i mu (mu > 0). mu from det(B - theta I) = mu^2, with the
 * overflow-safe sqrt|b| sqrt|c| for a standardized block (a = d). */
static zdouble block_eigenvalue(int64_t n, const double *t, int64_t k) {
    const double a = t[k + k * n], b = t[k + (k + 1) * n];
    const double c = t[(k + 1) + k * n], d = t[(k + 1) + (k + 1) * n];
    const double hg = 0.5 * (a - d);
    const double mu = hg == 0.0 ? sqrt(fabs(b)) * sqrt(fabs(c)) : sqrt(fabs(hg * hg + b * c));
    return CMPLX(0.5 * (a + d), mu);
}

/* out block at k = re I + (im / mu) (B - theta I) for the block B of t. */
static void set_block_function(int64_t n, const double *t, int64_t k, zdouble lambda, zdouble f,
                               double *out) {
    const double theta = creal(lambda), s = cimag(f) / cimag(lambda);
    out[k + k * n] = creal(f) + s * (t[k + k * n] - theta);
    out[(k + 1) + (k + 1) * n] = creal(f) + s * (t[(k + 1) + (k + 1) * n] - theta);
    out[k + (k + 1) * n] = s * t[k + (k + 1) * n];
    out[(k + 1) + k * n] = s * t[(k + 1) + k * n];
}

/* What to recompute: x^(1/2^s) - 1, log x, or x^q. */
typedef enum fix_kind { FIX_ROOT_M1, FIX_LOG, FIX_POW } fix_kind;

static zdouble zfix(fix_kind kind, zdouble z, int s, double q) {
    return kind == FIX_ROOT_M1 ? zbriggs(z, s) : kind == FIX_LOG ? zlog(z) : zpow(z, q);
}

/*
 * Overwrite the diagonal blocks and the superdiagonal of out with the
 * exactly computed ones of the function of t0 (AH12 Alg. 4.1 lines 33-34
 * and 36; HL13 Alg. 5.1 lines 37-41). Real form: 1 x 1 and 2 x 2 blocks,
 * and the superdiagonal entry between two adjacent 1 x 1 blocks (both
 * eigenvalues positive: no multiple of 2 pi i can arise, AHR13).
 */
static void recompute(fix_kind kind, int32_t dt, int64_t n, const double *t0, int s, double q,
                      double *out) {
    const double p = kind == FIX_ROOT_M1 ? ldexp(1.0, -s) : q;
    if (dt == MF_C128) {
        const zdouble *t = (const zdouble *)t0;
        zdouble *o = (zdouble *)out;
        for (int64_t j = 0; j < n; j++)
            o[j + j * n] = zfix(kind, t[j + j * n], s, q);
        for (int64_t j = 0; j + 1 < n; j++) {
            const zdouble l1 = t[j + j * n], l2 = t[(j + 1) + (j + 1) * n];
            const zdouble dd = kind == FIX_LOG ? log_divdiff(l1, l2) : pow_divdiff(l1, l2, p);
            o[j + (j + 1) * n] = t[j + (j + 1) * n] * dd;
        }
        return;
    }
    for (int64_t k = 0; k < n; k++) {
        if (mf__iss_block_at(dt, n, t0, k)) {
            const zdouble lambda = block_eigenvalue(n, t0, k);
            set_block_function(n, t0, k, lambda, zfix(kind, lambda, s, q), out);
            k++;
            continue;
        }
        const double x = t0[k + k * n];
        out[k + k * n] = kind == FIX_ROOT_M1 ? dbriggs(x, s) : kind == FIX_LOG ? log(x) : pow(x, q);
        if (k + 1 < n && !mf__iss_block_at(dt, n, t0, k + 1)) {
            const double l2 = t0[(k + 1) + (k + 1) * n];
            const double dd = kind == FIX_LOG ? dlog_divdiff(x, l2) : dpow_divdiff(x, l2, p);
            out[k + (k + 1) * n] = t0[k + (k + 1) * n] * dd;
        }
    }
}

/* ------------------------------------------------------------------ */
/* dense helpers                                                       */
/* ------------------------------------------------------------------ */

static size_t mat_bytes(int32_t dt, int64_t n) { return (size_t)(n * n) * mf__elem_size(dt); }

static void add_identity(int32_t dt, int64_t n, double alpha, double *a) {
    const int64_t parts = dt == MF_C128 ? 2 : 1;
    for (int64_t j = 0; j < n; j++)
        a[parts * (j + j * n)] += alpha;
}

/* dst = alpha src (a real scale). */
static void scaled_into(int32_t dt, int64_t n, double alpha, const double *src, double *dst) {
    const int64_t len = (dt == MF_C128 ? 2 : 1) * n * n;
    for (int64_t k = 0; k < len; k++)
        dst[k] = alpha * src[k];
}

/* a *= alpha (a real scale). */
static void scale(int32_t dt, int64_t n, double alpha, double *a) {
    const int64_t len = (dt == MF_C128 ? 2 : 1) * n * n;
    for (int64_t k = 0; k < len; k++)
        a[k] *= alpha;
}

static mf_status sqrt_tri(const char *fn, int32_t dt, int64_t n, double *t) {
    return dt == MF_C128 ? mf__sqrtm_tri(fn, n, t, n) : mf__sqrtm_quasitri(fn, n, t, n);
}

void mf__iss_back_transform(int32_t dt, int64_t n, const double *z, const double *u, double *w,
                            double *out) {
    const int ni = (int)n;
    memcpy(w, z, mat_bytes(dt, n));
    if (dt == MF_C128) {
        const zdouble one = 1.0, zero = 0.0;
        cblas_ztrmm(CblasColMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit, ni, ni, &one,
                    u, ni, w, ni);
        cblas_zgemm(CblasColMajor, CblasNoTrans, CblasConjTrans, ni, ni, ni, &one, w, ni, z, ni,
                    &zero, out, ni);
        return;
    }
    cblas_dtrmm(CblasColMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit, ni, ni, 1.0, u,
                ni, w, ni);
    /* (Z S)(:, k) = u(k+1, k) Z(:, k+1) for the subdiagonal entries S of u */
    for (int64_t k = 0; k + 1 < n; k++)
        if (u[(k + 1) + k * n] != 0.0)
            cblas_daxpy(ni, u[(k + 1) + k * n], z + (k + 1) * n, 1, w + k * n, 1);
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, ni, ni, ni, 1.0, w, ni, z, ni, 0.0, out,
                ni);
}

/* ------------------------------------------------------------------ */
/* inverse scaling: square roots and the choice of (s, m)              */
/* ------------------------------------------------------------------ */

/* s0: the fewest square roots that bring every eigenvalue within theta_7
 * of 1 (AH12 Alg. 4.1 line 3), from the eigenvalues alone. */
static mf_status initial_roots(const char *fn, int32_t dt, int64_t n, const double *t0,
                               double theta7, int *s0) {
    double *w = mf__alloc_array(2 * n, sizeof(double));
    if (w == NULL)
        return mf__fail(MF_ENOMEM, fn, "cannot allocate %lld eigenvalues", (long long)n);
    mf__schur_eigenvalues(dt, n, t0, n, w, w + n);
    int s = 0;
    for (int64_t k = 0; k < n; k++) {
        zdouble d = CMPLX(w[k], w[n + k]);
        int sk = 0;
        while (cabs(d - 1.0) > theta7 && sk <= MF__ISS_MAX_SQRT) {
            d = zsqrt(d);
            sk++;
        }
        s = sk > s ? sk : s;
    }
    mf__free(w);
    if (s > MF__ISS_MAX_SQRT)
        return mf__fail(MF_ENOCONV, fn, "more than %d square roots would be needed to bring the "
                        "eigenvalues near 1", MF__ISS_MAX_SQRT);
    *s0 = s;
    return MF_OK;
}

/* d_p = ||(T - I)^p||_1^(1/p), block 1-norm estimate (exact for n <= 4). */
static mf_status dp(const char *fn, int32_t dt, int64_t n, const double *rm, int p, double *d) {
    return mf__normest1_pow_root_packed(fn, dt, n, rm, n, p, d);
}

/* rm = t - I */
static void minus_identity(int32_t dt, int64_t n, const double *t, double *rm) {
    memcpy(rm, t, mat_bytes(dt, n));
    add_identity(dt, n, -1.0, rm);
}

/* The smallest m in [lo, hi] with alpha <= theta_m, or 0. */
static int first_degree(const double *theta, int lo, int hi, double alpha) {
    for (int m = lo; m <= hi; m++)
        if (alpha <= theta[m - 1])
            return m;
    return 0;
}

/*
 * The decision loop of AH12 Alg. 4.1 lines 6-32 (identical in HL13 Alg.
 * 5.1): degree 1 or 2 if alpha_2 allows; otherwise m <= 6 from alpha_3,
 * unless half of alpha_3 would already allow m <= 5 after one more root
 * (at most two such extra roots, k < 2), or 6, 7 from
 * eta = min(alpha_3, alpha_4); failing all, one more root and repeat.
 * t holds T^(1/2^s) and rm = t - I on entry and exit.
 */
static mf_status choose_degree(const char *fn, int32_t dt, int64_t n, const double *theta,
                               int s0, double *t, double *rm, int *s_io, int *m_out) {
    mf_status st;
    int s = *s_io, k = 0, m = 0;
    double d2, d3, d4, d5;
    if ((st = dp(fn, dt, n, rm, 2, &d2)) != MF_OK || (st = dp(fn, dt, n, rm, 3, &d3)) != MF_OK)
        return st;
    m = first_degree(theta, 1, 2, fmax(d2, d3));
    while (m == 0) {
        if (s > s0 && (st = dp(fn, dt, n, rm, 3, &d3)) != MF_OK)
            return st;
        if ((st = dp(fn, dt, n, rm, 4, &d4)) != MF_OK)
            return st;
        const double a3 = fmax(d3, d4);
        bool extra_root = false;
        if (a3 <= theta[6]) {
            const int j1 = first_degree(theta, 3, 7, a3);
            if (j1 <= 6) {
                m = j1;
                break;
            }
            if (a3 / 2 <= theta[4] && k < 2) {
                k++;
                extra_root = true;
            }
        }
        if (!extra_root) {
            if ((st = dp(fn, dt, n, rm, 5, &d5)) != MF_OK)
                return st;
            m = first_degree(theta, 6, 7, fmin(a3, fmax(d4, d5)));
            if (m != 0)
                break;
        }
        if (s >= MF__ISS_MAX_SQRT)
            return mf__fail(MF_ENOCONV, fn, "no Pade degree fits after %d square roots (the "
                            "Schur factor is too far from normal)", MF__ISS_MAX_SQRT);
        if ((st = sqrt_tri(fn, dt, n, t)) != MF_OK)
            return st;
        s++;
        minus_identity(dt, n, t, rm);
    }
    *s_io = s;
    *m_out = m;
    return MF_OK;
}

mf_status mf__iss_reduce(const char *fn, int32_t dt, int64_t n, const double *t0,
                         const double *theta, double *r, int *s_out, int *m_out) {
    int s = 0, m = 0;
    mf_status st = initial_roots(fn, dt, n, t0, theta[6], &s);
    if (st != MF_OK)
        return st;
    double *t = mf__alloc_array(n * n, mf__elem_size(dt));
    if (t == NULL)
        return mf__fail(MF_ENOMEM, fn, "cannot allocate square-root workspace (n = %lld)",
                        (long long)n);
    memcpy(t, t0, mat_bytes(dt, n));
    const int s0 = s;
    for (int i = 0; i < s0 && st == MF_OK; i++)
        st = sqrt_tri(fn, dt, n, t);
    if (st == MF_OK) {
        minus_identity(dt, n, t, r);
        st = choose_degree(fn, dt, n, theta, s0, t, r, &s, &m);
    }
    mf__free(t);
    if (st != MF_OK)
        return st;
    recompute(FIX_ROOT_M1, dt, n, t0, s, 0.0, r);
    *s_out = s;
    *m_out = m;
    return MF_OK;
}

/* ------------------------------------------------------------------ */
/* scaling by a power of two                                           */
/* ------------------------------------------------------------------ */

/* Smallest and largest eigenvalue modulus of the (quasi-)triangular t, read
 * off its diagonal (one modulus per 2 x 2 block: its eigenvalues are a
 * conjugate pair). */
static void eigenvalue_modulus_range(int32_t dt, int64_t n, const double *t, double *lo,
                                     double *hi) {
    *lo = INFINITY;
    *hi = 0.0;
    for (int64_t k = 0; k < n; k++) {
        double a;
        if (dt == MF_C128) {
            a = cabs(((const zdouble *)t)[k + k * n]);
        } else if (mf__iss_block_at(dt, n, t, k)) {
            a = cabs(block_eigenvalue(n, t, k));
            k++;
        } else {
            a = fabs(t[k + k * n]);
        }
        *lo = fmin(*lo, a);
        *hi = fmax(*hi, a);
    }
}

/*
 * k = round(log2 sqrt(min |lambda| max |lambda|)): T0 / 2^k has eigenvalue
 * moduli centred on 1, so fewer square roots bring them near 1 (each root
 * costs about n^3 / 3 flops and dominates the triangular phase). Exact,
 * and log(T) = log(2^-k T) + k log 2 I, T^p = 2^(kp) (2^-k T)^p for the
 * principal branches (a positive scalar commutes and keeps arguments);
 * AH12 and HL13 do not scale, this is our addition.
 */
static int scale_exponent(int32_t dt, int64_t n, const double *t) {
    double lo, hi;
    eigenvalue_modulus_range(dt, n, t, &lo, &hi);
    if (!(lo > 0.0) || !isfinite(hi))
        return 0;
    const double e = 0.5 * (log2(lo) + log2(hi));
    return (int)fmax(-1000.0, fmin(1000.0, round(e)));
}

/* A copy of t0 / 2^k (n x n), or NULL. */
static double *scaled_copy(int32_t dt, int64_t n, const double *t0, int k) {
    double *t = mf__alloc_array(n * n, mf__elem_size(dt));
    if (t != NULL) {
        const int64_t len = (dt == MF_C128 ? 2 : 1) * n * n;
        for (int64_t i = 0; i < len; i++)
            t[i] = ldexp(t0[i], -k);
    }
    return t;
}

/* ------------------------------------------------------------------ */
/* logarithm                                                           */
/* ------------------------------------------------------------------ */

/* Gauss-Legendre nodes and weights of order m on [0, 1] by Newton's method
 * on P_m (three-term recurrence), exact to a few ulps for m <= 16. */
static void gauss_legendre01(int m, double *x, double *w) {
    for (int i = 0; i < m; i++) {
        double z = cos(MF__PI * (i + 0.75) / (m + 0.5)), dp1 = 1.0;
        for (int it = 0; it < 100; it++) {
            double p0 = 1.0, p1 = z;
            for (int k = 2; k <= m; k++) {
                const double p2 = ((2.0 * k - 1.0) * z * p1 - (k - 1.0) * p0) / k;
                p0 = p1;
                p1 = p2;
            }
            if (m == 1)
                p0 = 1.0;
            dp1 = m * (z * p1 - p0) / (z * z - 1.0);
            const double dz = p1 / dp1;
            z -= dz;
            if (fabs(dz) <= 1e-17)
                break;
        }
        x[i] = 0.5 * (1.0 - z);
        w[i] = 1.0 / ((1.0 - z * z) * dp1 * dp1);
    }
}

/* log(I + R) ~ r_m(R) = sum_j w_j R (I + x_j R)^-1 (AH12 eq. (1.1)). */
static void pade_log(int32_t dt, int64_t n, int m, const double *r, double *mfac, double *x,
                     double *l) {
    double nodes[16], weights[16];
    gauss_legendre01(m, nodes, weights);
    memset(l, 0, mat_bytes(dt, n));
    const int64_t len = (dt == MF_C128 ? 2 : 1) * n * n;
    for (int j = 0; j < m; j++) {
        scaled_into(dt, n, nodes[j], r, mfac);
        add_identity(dt, n, 1.0, mfac);
        memcpy(x, r, mat_bytes(dt, n));
        mf__iss_solve(dt, n, mfac, x);
        for (int64_t k = 0; k < len; k++)
            l[k] += weights[j] * x[k];
    }
}

static mf_status logm_tri_unscaled(const char *fn, int32_t dt, int64_t n, const double *t0,
                                   double *l);

mf_status mf__logm_tri(const char *fn, int32_t dt, int64_t n, const double *t0, double *l) {
    const int k = mf__iss_is_block_diagonal(dt, n, t0) ? 0 : scale_exponent(dt, n, t0);
    if (k == 0)
        return logm_tri_unscaled(fn, dt, n, t0, l);
    double *t = scaled_copy(dt, n, t0, k);
    if (t == NULL)
        return mf__fail(MF_ENOMEM, fn, "cannot allocate logarithm workspace (n = %lld)",
                        (long long)n);
    mf_status st = logm_tri_unscaled(fn, dt, n, t, l);
    mf__free(t);
    if (st == MF_OK)
        add_identity(dt, n, k * 0.69314718055994530942, l); /* + k log 2 */
    return st;
}

static mf_status logm_tri_unscaled(const char *fn, int32_t dt, int64_t n, const double *t0,
                                   double *l) {
    if (mf__iss_is_block_diagonal(dt, n, t0)) {
        memset(l, 0, mat_bytes(dt, n));
        recompute(FIX_LOG, dt, n, t0, 0, 0.0, l);
        return MF_OK;
    }
    double *r = mf__alloc_array(n * n, mf__elem_size(dt));
    double *mfac = mf__alloc_array(n * n, mf__elem_size(dt));
    double *x = mf__alloc_array(n * n, mf__elem_size(dt));
    mf_status st = MF_OK;
    int s = 0, m = 0;
    if (r == NULL || mfac == NULL || x == NULL)
        st = mf__fail(MF_ENOMEM, fn, "cannot allocate logarithm workspace (n = %lld)",
                      (long long)n);
    if (st == MF_OK)
        st = mf__iss_reduce(fn, dt, n, t0, mf__iss_theta_log, r, &s, &m);
    if (st == MF_OK) {
        pade_log(dt, n, m, r, mfac, x, l);
        scale(dt, n, ldexp(1.0, s), l); /* log T = 2^s log T^(1/2^s) */
        recompute(FIX_LOG, dt, n, t0, 0, 0.0, l);
    }
    mf__free(x);
    mf__free(mfac);
    mf__free(r);
    return st;
}

/* ------------------------------------------------------------------ */
/* powers                                                              */
/* ------------------------------------------------------------------ */

/* Coefficients of the continued fraction of (1 - x)^p (HL11 eq. (4.2)):
 * c_1 = -p, c_2j = (-j + p) / (2 (2j - 1)), c_2j+1 = (-j - p) / (2 (2j + 1)). */
static double cf_coeff(int i, double p) {
    if (i == 1)
        return -p;
    const int j = i / 2;
    return i % 2 == 0 ? (-j + p) / (2.0 * (2 * j - 1)) : (-j - p) / (2.0 * (2 * j + 1));
}

/* (I - X)^p ~ r_m(X) by the continued fraction evaluated bottom-up (HL11
 * Alg. 4.1): Y = c_2m X; Y <- (I + Y)^-1 c_j X for j = 2m-1 .. 1; I + Y.
 * Here X = -R with R = T^(1/2^s) - I. */
static void pade_pow(int32_t dt, int64_t n, int m, double p, const double *r, double *mfac,
                     double *y) {
    /* y and mfac trade places each step: I + Y becomes the factor in place
     * (the solve destroys it), the next Y is solved for in the other. */
    double *cur = y, *next = mfac;
    scaled_into(dt, n, -cf_coeff(2 * m, p), r, cur);
    for (int j = 2 * m - 1; j >= 1; j--) {
        add_identity(dt, n, 1.0, cur);
        scaled_into(dt, n, -cf_coeff(j, p), r, next);
        mf__iss_solve(dt, n, cur, next);
        double *tmp = cur;
        cur = next;
        next = tmp;
    }
    add_identity(dt, n, 1.0, cur);
    if (cur != y)
        memcpy(y, cur, mat_bytes(dt, n));
}

/* t0^p for 0 < |p| < 1: HL13 Alg. 5.1. After the Pade step U ~ T^(p/2^s);
 * squaring s times with the diagonal blocks and the superdiagonal of
 * T^(p/2^i) recomputed exactly before each use (lines 36-41). */
static mf_status pow_fraction_unscaled(const char *fn, int32_t dt, int64_t n, const double *t0,
                                       double p, double *x);

static mf_status pow_fraction(const char *fn, int32_t dt, int64_t n, const double *t0, double p,
                              double *x) {
    const int k = mf__iss_is_block_diagonal(dt, n, t0) ? 0 : scale_exponent(dt, n, t0);
    if (k == 0)
        return pow_fraction_unscaled(fn, dt, n, t0, p, x);
    double *t = scaled_copy(dt, n, t0, k);
    if (t == NULL)
        return mf__fail(MF_ENOMEM, fn, "cannot allocate power workspace (n = %lld)", (long long)n);
    mf_status st = pow_fraction_unscaled(fn, dt, n, t, p, x);
    mf__free(t);
    if (st == MF_OK)
        scale(dt, n, exp2(k * p), x); /* T^p = 2^(kp) (T / 2^k)^p */
    return st;
}

static mf_status pow_fraction_unscaled(const char *fn, int32_t dt, int64_t n, const double *t0,
                                       double p, double *x) {
    if (mf__iss_is_block_diagonal(dt, n, t0)) {
        memset(x, 0, mat_bytes(dt, n));
        recompute(FIX_POW, dt, n, t0, 0, p, x);
        return MF_OK;
    }
    double *r = mf__alloc_array(n * n, mf__elem_size(dt));
    double *mfac = mf__alloc_array(n * n, mf__elem_size(dt));
    mf_status st = MF_OK;
    int s = 0, m = 0;
    if (r == NULL || mfac == NULL)
        st = mf__fail(MF_ENOMEM, fn, "cannot allocate power workspace (n = %lld)", (long long)n);
    if (st == MF_OK)
        st = mf__iss_reduce(fn, dt, n, t0, mf__iss_theta_pow, r, &s, &m);
    if (st == MF_OK) {
        pade_pow(dt, n, m, p, r, mfac, x);
        recompute(FIX_POW, dt, n, t0, 0, ldexp(p, -s), x);
        for (int i = s - 1; i >= 0; i--) {
            mf__iss_tri_mul(dt, n, x, x, r);
            memcpy(x, r, mat_bytes(dt, n));
            recompute(FIX_POW, dt, n, t0, 0, ldexp(p, -i), x);
        }
    }
    mf__free(mfac);
    mf__free(r);
    return st;
}

/* x = b^k (k >= 0) by binary powering with triangular products. */
static mf_status pow_integer(const char *fn, int32_t dt, int64_t n, const double *b, uint64_t k,
                             double *x) {
    double *base = mf__alloc_array(n * n, mf__elem_size(dt));
    double *tmp = mf__alloc_array(n * n, mf__elem_size(dt));
    if (base == NULL || tmp == NULL) {
        mf__free(base);
        mf__free(tmp);
        return mf__fail(MF_ENOMEM, fn, "cannot allocate power workspace (n = %lld)", (long long)n);
    }
    memset(x, 0, mat_bytes(dt, n));
    add_identity(dt, n, 1.0, x);
    memcpy(base, b, mat_bytes(dt, n));
    while (k > 0) {
        if (k & 1u) {
            mf__iss_tri_mul(dt, n, x, base, tmp);
            memcpy(x, tmp, mat_bytes(dt, n));
        }
        k >>= 1;
        if (k > 0) {
            mf__iss_tri_mul(dt, n, base, base, tmp);
            memcpy(base, tmp, mat_bytes(dt, n));
        }
    }
    mf__free(tmp);
    mf__free(base);
    return MF_OK;
}

/* inv = t^-1 (quasi-)triangular, by the solver on the identity. */
static mf_status tri_inverse(const char *fn, int32_t dt, int64_t n, const double *t, double *inv) {
    double *f = mf__alloc_array(n * n, mf__elem_size(dt));
    if (f == NULL)
        return mf__fail(MF_ENOMEM, fn, "cannot allocate inverse workspace (n = %lld)",
                        (long long)n);
    memcpy(f, t, mat_bytes(dt, n));
    memset(inv, 0, mat_bytes(dt, n));
    add_identity(dt, n, 1.0, inv);
    mf__iss_solve(dt, n, f, inv);
    mf__free(f);
    return MF_OK;
}

/* t^k for an integer k (negative: of the inverse). */
static mf_status pow_signed_integer(const char *fn, int32_t dt, int64_t n, const double *t,
                                    double k, double *x) {
    if (k >= 0)
        return pow_integer(fn, dt, n, t, (uint64_t)k, x);
    double *inv = mf__alloc_array(n * n, mf__elem_size(dt));
    if (inv == NULL)
        return mf__fail(MF_ENOMEM, fn, "cannot allocate inverse workspace (n = %lld)",
                        (long long)n);
    mf_status st = tri_inverse(fn, dt, n, t, inv);
    if (st == MF_OK)
        st = pow_integer(fn, dt, n, inv, (uint64_t)(-k), x);
    mf__free(inv);
    return st;
}

/* kappa for the split of p: max |lambda| / min |lambda|, a cheap lower
 * bound on kappa_2(A) from the Schur factor's diagonal. */
static double eigen_ratio(int32_t dt, int64_t n, const double *t) {
    double lo, hi;
    eigenvalue_modulus_range(dt, n, t, &lo, &hi);
    return hi / lo;
}

mf_status mf__powm_tri(const char *fn, int32_t dt, int64_t n, const double *t0, double p,
                       double *x) {
    if (p == floor(p))
        return pow_signed_integer(fn, dt, n, t0, p, x);
    if (fabs(p) < 1.0)
        return pow_fraction(fn, dt, n, t0, p, x);
    /* p = k + f: between f = p - floor(p) in (0, 1) and f = p - ceil(p) in
     * (-1, 0), HL11 section 5 takes the one with the smaller bound on the
     * condition of the fractional part, f1 kappa^(1 - f1) <= -f2 kappa. */
    const double f1 = p - floor(p), f2 = p - ceil(p), kappa = eigen_ratio(dt, n, t0);
    const double f = f1 * pow(kappa, 1.0 - f1) <= -f2 * kappa ? f1 : f2;
    double *a = mf__alloc_array(n * n, mf__elem_size(dt));
    double *b = mf__alloc_array(n * n, mf__elem_size(dt));
    mf_status st = MF_OK;
    if (a == NULL || b == NULL)
        st = mf__fail(MF_ENOMEM, fn, "cannot allocate power workspace (n = %lld)", (long long)n);
    if (st == MF_OK)
        st = pow_fraction(fn, dt, n, t0, f, a);
    if (st == MF_OK)
        st = pow_signed_integer(fn, dt, n, t0, p - f, b);
    if (st == MF_OK)
        mf__iss_tri_mul(dt, n, b, a, x);
    mf__free(b);
    mf__free(a);
    return st;
}

/* ------------------------------------------------------------------ */
/* Frechet derivative through the 2n x 2n block triangular matrix      */
/* ------------------------------------------------------------------ */

static double norm1(int32_t dt, int64_t n, const double *a) {
    double best = 0.0;
    for (int64_t j = 0; j < n; j++) {
        double s = 0.0;
        for (int64_t i = 0; i < n; i++)
            s += dt == MF_C128 ? cabs(((const zdouble *)a)[i + j * n]) : fabs(a[i + j * n]);
        best = fmax(best, s);
    }
    return best;
}

mf_status mf__tri_frechet(const char *fn, int32_t dt, int64_t n, const double *t, const double *e,
                          mf__tri_fn f, const void *ctx, double *d, double *f_t) {
    const int64_t n2 = 2 * n, parts = dt == MF_C128 ? 2 : 1;
    const double ne = norm1(dt, n, e), nt = norm1(dt, n, t);
    /* Scale E to about 2^-8 ||T||_1 (a power of two: exact) so that the
     * parameter choice is made for T, not for the direction. */
    int ex = 0;
    if (ne > 0.0)
        frexp((nt > 0.0 ? nt : 1.0) / ne, &ex);
    const double sc = ldexp(1.0, ex - 8);
    double *big = mf__alloc_array(n2 * n2, mf__elem_size(dt));
    double *out = mf__alloc_array(n2 * n2, mf__elem_size(dt));
    mf_status st = MF_OK;
    if (big == NULL || out == NULL) {
        st = mf__fail(MF_ENOMEM, fn, "cannot allocate the 2n x 2n Frechet workspace (n = %lld)",
                      (long long)n);
    } else {
        memset(big, 0, mat_bytes(dt, n2));
        for (int64_t j = 0; j < n; j++) {
            memcpy(big + parts * (j * n2), t + parts * (j * n), (size_t)(parts * n) * sizeof(double));
            memcpy(big + parts * (n + (n + j) * n2), t + parts * (j * n),
                   (size_t)(parts * n) * sizeof(double));
            for (int64_t i = 0; i < parts * n; i++)
                big[parts * ((n + j) * n2) + i] = sc * e[parts * (j * n) + i];
        }
        st = f(fn, dt, n2, big, out, ctx);
    }
    if (st == MF_OK) {
        for (int64_t j = 0; j < n; j++)
            for (int64_t i = 0; i < parts * n; i++) {
                d[parts * (j * n) + i] = out[parts * ((n + j) * n2) + i] / sc;
                if (f_t != NULL)
                    f_t[parts * (j * n) + i] = out[parts * (j * n2) + i];
            }
    }
    mf__free(out);
    mf__free(big);
    return st;
}
