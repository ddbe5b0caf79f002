/*
 * Stochastic Lanczos quadrature: mf_slq, mf_slq_density.
 *
 * For a unit probe v, m Lanczos steps from v give T_m = S diag(theta) S^T,
 * and v^T f(H) v ~ sum_i S_1i^2 f(theta_i) is the m-point Gauss quadrature
 * of the spectral measure of H seen from v (Golub & Meurant, Matrices,
 * Moments and Quadrature, 2010). Averaging over Rademacher probes estimates
 * (1/n) tr f(H), i.e. the spectral density (Ubaru, Chen & Saad, SIAM J.
 * Matrix Anal. Appl. 38(4), 2017; Ghorbani, Krishnan & Xiao, ICML 2019, who
 * use it for neural-network Hessians and smooth it with Gaussians).
 */
#include <math.h>
#include <string.h>

#include "hessian/hessian_internal.h"

enum { DEFAULT_PROBES = 10, DEFAULT_STEPS = 30 };

typedef struct slq_setup {
    int64_t probes, steps;
    uint64_t seed;
} slq_setup;

static mf_status read_slq_options(const char *fn, const mf_slq_options *opts, int64_t n,
                                  slq_setup *s) {
    const mf_slq_options d = {0, 0, 0};
    const mf_slq_options *o = opts != NULL ? opts : &d;
    if (o->probes < 0 || o->steps < 0)
        return mf__fail(MF_EINVAL, fn, "options probes = %lld and steps = %lld must be >= 0",
                        (long long)o->probes, (long long)o->steps);
    if (o->steps > n)
        return mf__fail(MF_EINVAL, fn, "option steps = %lld exceeds n = %lld", (long long)o->steps,
                        (long long)n);
    s->probes = o->probes != 0 ? o->probes : DEFAULT_PROBES;
    s->steps = o->steps != 0 ? o->steps : (n < DEFAULT_STEPS ? n : DEFAULT_STEPS);
    s->seed = o->seed;
    if (s->probes > INT64_MAX / s->steps)
        return mf__fail(MF_EINVAL, fn, "probes x steps overflows");
    return MF_OK;
}

/* One probe's nodes and weights into nodes/weights (steps entries). */
static mf_status one_probe(const char *fn, mf__hs_lanczos *L, const slq_setup *s, double *z,
                           double *theta, double *S, double *twork, double *nodes,
                           double *weights, int64_t *filled) {
    mf__hs_rademacher(L->rng, z, L->n);
    mf__hs_lanczos_start(L, z);
    bool broke = false;
    mf_status st = MF_OK;
    while (st == MF_OK && !broke && L->m < s->steps)
        st = mf__hs_lanczos_step(L, true, &broke);
    if (st != MF_OK)
        return st;
    const int64_t m = L->m;
    if ((st = mf__hs_tridiag_eig(fn, m, L->alpha, L->beta, theta, S, twork)) != MF_OK)
        return st;
    for (int64_t i = 0; i < s->steps; i++) {
        const bool node = i < m;
        nodes[i] = node ? theta[i] : 0.0;
        weights[i] = node ? S[i * m] * S[i * m] / (double)s->probes : 0.0;
    }
    *filled += m;
    return MF_OK;
}

mf_status mf_slq(int64_t n, mf_symop_fn op, void *ctx, const mf_slq_options *opts,
                 mf_matrix *nodes, mf_matrix *weights, int64_t *count) {
    static const char fn[] = "mf_slq";
    if (n < 1)
        return mf__fail(MF_EINVAL, fn, "dimension n = %lld; the spectral density needs n >= 1",
                        (long long)n);
    if (op == NULL)
        return mf__fail(MF_EINVAL, fn, "argument op is NULL");
    slq_setup s = {0, 0, 0};
    mf_status st = read_slq_options(fn, opts, n, &s);
    const int64_t total = s.probes * s.steps;
    if (st == MF_OK)
        st = mf__check_lapack_dim(fn, "n", n);
    if (st == MF_OK)
        st = mf__hs_check_vector_out(fn, "nodes", nodes, total);
    if (st == MF_OK)
        st = mf__hs_check_vector_out(fn, "weights", weights, total);
    if (st == MF_OK) {
        const mf__arg outs[] = {{"nodes", nodes}, {"weights", weights}};
        st = mf__check_aliasing(fn, outs, 2, NULL, 0);
    }
    if (st != MF_OK)
        return st;
    mf__hs_op hop = {fn, n, op, ctx, 0};
    mf__hs_rng rng = mf__hs_rng_new(s.seed);
    mf__hs_lanczos L;
    if ((st = mf__hs_lanczos_init(&L, &hop, s.steps, &rng)) != MF_OK)
        return st;
    const int64_t m = s.steps;
    double *z = mf__alloc_array(n + m + m * m + 3 * m, sizeof(double));
    double *out = mf__alloc_array(2 * total, sizeof(double));
    if (z == NULL || out == NULL) {
        mf__free(z);
        mf__free(out);
        mf__hs_lanczos_free(&L);
        return mf__fail(MF_ENOMEM, fn, "cannot allocate quadrature workspace (%lld probes x %lld "
                        "steps, n = %lld)", (long long)s.probes, (long long)m, (long long)n);
    }
    double *theta = z + n, *S = theta + m, *twork = S + m * m;
    int64_t filled = 0;
    for (int64_t p = 0; st == MF_OK && p < s.probes; p++)
        st = one_probe(fn, &L, &s, z, theta, S, twork, out + p * m, out + total + p * m, &filled);
    if (st == MF_OK) {
        mf__hs_vec_put(out, nodes);
        mf__hs_vec_put(out + total, weights);
        if (count != NULL)
            *count = filled;
    }
    mf__free(z);
    mf__free(out);
    mf__hs_lanczos_free(&L);
    return st;
}

mf_status mf_slq_density(const mf_matrix *nodes, const mf_matrix *weights, double sigma,
                         const mf_matrix *grid, mf_matrix *density) {
    static const char fn[] = "mf_slq_density";
    int64_t k = 0, g = 0;
    mf_status st = mf__hs_check_vector_in(fn, "nodes", nodes, -1, &k);
    if (st == MF_OK)
        st = mf__hs_check_vector_in(fn, "weights", weights, k, NULL);
    if (st == MF_OK && (!isfinite(sigma) || !(sigma > 0)))
        st = mf__fail(MF_EINVAL, fn, "sigma = %g; it must be finite and > 0", sigma);
    if (st == MF_OK)
        st = mf__hs_check_vector_in(fn, "grid", grid, -1, &g);
    if (st == MF_OK)
        st = mf__hs_check_vector_out(fn, "density", density, g);
    if (st == MF_OK) {
        const mf__arg outs[] = {{"density", density}},
                      ins[] = {{"nodes", nodes}, {"weights", weights}, {"grid", grid}};
        st = mf__check_aliasing(fn, outs, 1, ins, 3);
    }
    if (st != MF_OK)
        return st;
    double *buf = mf__alloc_array(2 * k + 2 * g + 1, sizeof(double));
    if (buf == NULL)
        return mf__fail(MF_ENOMEM, fn, "cannot allocate workspace for %lld nodes and %lld grid "
                        "points", (long long)k, (long long)g);
    double *th = buf, *wt = buf + k, *t = buf + 2 * k, *dens = t + g;
    mf__hs_vec_get(nodes, th);
    mf__hs_vec_get(weights, wt);
    mf__hs_vec_get(grid, t);
    /* Divide by sigma sqrt(2 pi) rather than multiply by its reciprocal: for
     * a tiny sigma the reciprocal is Inf, and 0 * Inf would turn a density
     * that underflows to 0 into NaN. A density that really is beyond the
     * double range still becomes Inf and is refused below. */
    const double width = sigma * sqrt(2.0 * 3.14159265358979323846);
    for (int64_t q = 0; q < g; q++) {
        double acc = 0.0;
        for (int64_t i = 0; i < k; i++) {
            const double d = (t[q] - th[i]) / sigma;
            acc += wt[i] * exp(-0.5 * d * d);
        }
        dens[q] = acc / width;
    }
    const mf_matrix dw = {dens, g, 1, 1, g > 1 ? g : 1, MF_F64, 0};
    st = mf__check_result_finite(fn, "the density (too small a sigma or too large weights)", &dw);
    if (st == MF_OK)
        mf__hs_vec_put(dens, density);
    mf__free(buf);
    return st;
}
