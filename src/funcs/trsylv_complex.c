/*
 * A X + X B = C for complex upper triangular A and B (mf__trsylv_complex,
 * see trsylv.h): the recursion and the tiled kernel of trsylv_real.c
 * without 2 x 2 blocks. Complex numbers are (re, im) pairs of doubles and
 * the kernel spells out their arithmetic, so that the compiler vectorizes
 * it and no library call (C's complex division is one) sits in a loop.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <cblas.h>

#include "mfcomplex.h"
#include "funcs/trsylv.h"
#include "funcs/trsylv_kernel.h"

/* 1 / (x + i y) by Smith's algorithm (no overflow for |x|, |y| in range). */
ALWAYS_INLINE void reciprocal(double x, double y, double *re, double *im) {
    const bool wide = fabs(x) >= fabs(y);
    const double r = wide ? y / x : x / y, d = wide ? x + y * r : x * r + y;
    *re = wide ? 1.0 / d : r / d;
    *im = wide ? -r / d : -1.0 / d;
}

/*
 * c(0:r, 0:q) -= p(0:r, 0:w) s(0:w, 0:q), complex, q <= TILE a literal:
 * four (then two, then one) rows at a time in registers. The real and the
 * imaginary part of each s_lj multiply the chunk separately (u and v) and
 * are combined once at the end, re = u_re - v_im, im = u_im + v_re, so
 * that the loop over l is plain multiply-adds.
 */
#define SUB_PRODUCT_CHUNK(V, ROWS, SWAP)                                                          \
    do {                                                                                       \
        V u[TILE], v[TILE], pv;                                                                \
        const V zero = {0};                                                                    \
        for (int j = 0; j < q; j++) {                                                          \
            memcpy(&u[j], c + 2 * (i + j * ldc), sizeof pv);                                   \
            v[j] = zero;                                                                       \
        }                                                                                      \
        for (int64_t l = 0; l < w; l++) {                                                      \
            memcpy(&pv, p + 2 * (i + l * ldp), sizeof pv);                                     \
            for (int j = 0; j < q; j++) {                                                      \
                u[j] -= pv * s[2 * (l + j * lds)];                                             \
                v[j] -= pv * s[2 * (l + j * lds) + 1];                                         \
            }                                                                                  \
        }                                                                                      \
        for (int j = 0; j < q; j++) {                                                          \
            const V sw = SWAP;                                                                 \
            u[j] += sw;                                                                        \
            memcpy(c + 2 * (i + j * ldc), &u[j], sizeof pv);                                   \
        }                                                                                      \
        i += ROWS;                                                                             \
    } while (0)

ALWAYS_INLINE void sub_product_q(const int q, int64_t r, int64_t w, const double *p, int64_t ldp,
                                 const double *s, int64_t lds, double *c, int64_t ldc) {
    const v8 sign8 = {-1, 1, -1, 1, -1, 1, -1, 1};
    const v4 sign4 = {-1, 1, -1, 1};
    int64_t i = 0;
    while (i + 4 <= r)
        SUB_PRODUCT_CHUNK(v8, 4, __builtin_shufflevector(v[j], v[j], 1, 0, 3, 2, 5, 4, 7, 6) * sign8);
    if (i + 2 <= r)
        SUB_PRODUCT_CHUNK(v4, 2, __builtin_shufflevector(v[j], v[j], 1, 0, 3, 2) * sign4);
    for (; i < r; i++)
        for (int j = 0; j < q; j++) {
            double re = c[2 * (i + j * ldc)], im = c[2 * (i + j * ldc) + 1];
            for (int64_t l = 0; l < w; l++) {
                const double pr = p[2 * (i + l * ldp)], pi = p[2 * (i + l * ldp) + 1];
                const double sr = s[2 * (l + j * lds)], si = s[2 * (l + j * lds) + 1];
                re -= pr * sr - pi * si;
                im -= pr * si + pi * sr;
            }
            c[2 * (i + j * ldc)] = re;
            c[2 * (i + j * ldc) + 1] = im;
        }
}

ALWAYS_INLINE void sub_product(int q, int64_t r, int64_t w, const double *p, int64_t ldp,
                               const double *s, int64_t lds, double *c, int64_t ldc) {
    WITH_LITERAL_WIDTH(sub_product_q, q, r, w, p, ldp, s, lds, c, ldc);
}

/*
 * The nr x nc unknowns of one tile (a, b, c, inv at its corner) once
 * everything outside it has been removed from C: columns left to right,
 * rows bottom up, x_ij = (c_ij - sum_{u > i} a_iu x_uj - sum_{u < j} x_iu
 * b_uj) inv_ij with inv = 1 / (a_ii + b_jj) formed beforehand, the
 * unknowns in registers (loops unrolled, constant indices).
 */
ALWAYS_INLINE bool solve_tile(int nr, int nc, const double *a, int64_t lda, const double *b,
                              int64_t ldb, double *c, int64_t ldc, const double *inv, int64_t ldi) {
    double xr[TILE][TILE] = {{0}}, xi[TILE][TILE] = {{0}};
    bool ok = true;
    UNROLL(4)
    for (int j = 0; j < TILE; j++) {
        UNROLL(4)
        for (int i = TILE - 1; i >= 0; i--) {
            if (j >= nc || i >= nr)
                continue;
            double re = c[2 * (i + j * ldc)], im = c[2 * (i + j * ldc) + 1];
            UNROLL(3)
            for (int u = i + 1; u < TILE; u++)
                if (u < nr) {
                    const double ar = a[2 * (i + u * lda)], ai = a[2 * (i + u * lda) + 1];
                    re -= ar * xr[u][j] - ai * xi[u][j];
                    im -= ar * xi[u][j] + ai * xr[u][j];
                }
            UNROLL(3)
            for (int u = 0; u < j; u++) {
                const double br = b[2 * (u + j * ldb)], bi = b[2 * (u + j * ldb) + 1];
                re -= xr[i][u] * br - xi[i][u] * bi;
                im -= xr[i][u] * bi + xi[i][u] * br;
            }
            const double fr = inv[2 * (i + j * ldi)], fi = inv[2 * (i + j * ldi) + 1];
            ok &= fabs(fr) < INFINITY && fabs(fi) < INFINITY;
            xr[i][j] = re * fr - im * fi;
            xi[i][j] = re * fi + im * fr;
        }
    }
    for (int j = 0; j < nc; j++)
        for (int i = 0; i < nr; i++) {
            c[2 * (i + j * ldc)] = xr[i][j];
            c[2 * (i + j * ldc) + 1] = xi[i][j];
        }
    return ok;
}

/* m, k <= MF__TRSYLV_BASE: column tiles J left to right, C(:, J) -=
 * X(:, 0:j0) B(0:j0, J); row tiles G bottom up, the tile's unknowns, then
 * C(0:g0, J) -= A(0:g0, G) X(G, J). */
MF_TARGET_CLONES static bool solve_base_complex(int64_t m, int64_t k, const double *a, int64_t lda,
                                        const double *b, int64_t ldb, double *c, int64_t ldc) {
    double inv[2 * MF__TRSYLV_BASE * MF__TRSYLV_BASE], dr[MF__TRSYLV_BASE], di[MF__TRSYLV_BASE];
    for (int64_t i = 0; i < m; i++) {
        dr[i] = a[2 * (i + i * lda)];
        di[i] = a[2 * (i + i * lda) + 1];
    }
    for (int64_t j = 0; j < k; j++) {
        const double br = b[2 * (j + j * ldb)], bi = b[2 * (j + j * ldb) + 1];
        for (int64_t i = 0; i < m; i++)
            reciprocal(dr[i] + br, di[i] + bi, &inv[2 * (i + j * m)], &inv[2 * (i + j * m) + 1]);
    }
    for (int64_t j0 = 0; j0 < k; j0 += TILE) {
        const int q = (int)(k - j0 < TILE ? k - j0 : TILE);
        double *cj = c + 2 * j0 * ldc;
        sub_product(q, m, j0, c, ldc, b + 2 * j0 * ldb, ldb, cj, ldc);
        for (int64_t g1 = m; g1 > 0;) {
            const int64_t g0 = g1 > TILE ? g1 - TILE : 0;
            if (!solve_tile((int)(g1 - g0), q, a + 2 * (g0 + g0 * lda), lda,
                            b + 2 * (j0 + j0 * ldb), ldb, cj + 2 * g0, ldc, inv + 2 * (g0 + j0 * m),
                            m))
                return false;
            sub_product(q, g0, g1 - g0, a + 2 * g0 * lda, lda, cj + 2 * g0, ldc, cj, ldc);
            g1 = g0;
        }
    }
    return true;
}

bool mf__trsylv_complex(int64_t m, int64_t k, const double *a, int64_t lda, const double *b,
                        int64_t ldb, double *c, int64_t ldc) {
    if (m <= MF__TRSYLV_BASE && k <= MF__TRSYLV_BASE)
        return solve_base_complex(m, k, a, lda, b, ldb, c, ldc);
    const mf__zdouble minus_one = -1.0, one = 1.0;
    if (m >= k) {
        const int64_t h = m / 2;
        if (!mf__trsylv_complex(m - h, k, a + 2 * (h + h * lda), lda, b, ldb, c + 2 * h, ldc))
            return false;
        cblas_zgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)h, (int)k, (int)(m - h),
                    &minus_one, a + 2 * h * lda, (int)lda, c + 2 * h, (int)ldc, &one, c, (int)ldc);
        return mf__trsylv_complex(h, k, a, lda, b, ldb, c, ldc);
    }
    const int64_t h = k / 2;
    if (!mf__trsylv_complex(m, h, a, lda, b, ldb, c, ldc))
        return false;
    cblas_zgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)(k - h), (int)h,
                &minus_one, c, (int)ldc, b + 2 * h * ldb, (int)ldb, &one, c + 2 * h * ldc,
                (int)ldc);
    return mf__trsylv_complex(m, k - h, a, lda, b + 2 * (h + h * ldb), ldb, c + 2 * h * ldc, ldc);
}
