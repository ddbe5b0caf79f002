/*
 * A X + X B = C for real upper quasi-triangular A and B (mf__trsylv_real,
 * see trsylv.h): recursive blocking with GEMM updates around a tiled
 * kernel. A 2 x 2 diagonal block couples two rows (of A) or two columns (of
 * B) of X; the p x q equations between such blocks are solved through
 * their Kronecker form, as in Higham, Linear Algebra Appl. 88/89, 1987,
 * eq. (4.4) and LAPACK's ?lasy2.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <cblas.h>

#include "funcs/trsylv.h"
#include "funcs/trsylv_kernel.h"

/*
 * k x = rhs (the last column of the s x (s + 1) array k) by Gaussian
 * elimination with partial pivoting, x into x; false on a zero pivot.
 * Inlined with s = 2 or 4: every index is then a constant (the pivot row
 * is brought up by compare-and-swap with each row below, not looked up),
 * so the system lives in registers.
 */
ALWAYS_INLINE bool eliminate(const int s, double k[4][5], double *x) {
    double inv[4];
    UNROLL(4)
    for (int col = 0; col < s; col++) {
        UNROLL(4)
        for (int r = col + 1; r < s; r++) {
            const bool swap = fabs(k[r][col]) > fabs(k[col][col]);
            UNROLL(5)
            for (int l = col; l <= s; l++) { /* selects, not branches */
                const double top = swap ? k[r][l] : k[col][l];
                k[r][l] = swap ? k[col][l] : k[r][l];
                k[col][l] = top;
            }
        }
        if (k[col][col] == 0.0)
            return false;
        inv[col] = 1.0 / k[col][col];
        UNROLL(4)
        for (int r = col + 1; r < s; r++) {
            const double f = k[r][col] * inv[col];
            UNROLL(5)
            for (int l = col + 1; l <= s; l++)
                k[r][l] -= f * k[col][l];
        }
    }
    /* back substitution by the reciprocals: no division on its chain */
    UNROLL(4)
    for (int r = s - 1; r >= 0; r--) {
        double v = k[r][s];
        UNROLL(4)
        for (int l = r + 1; l < s; l++)
            v -= k[r][l] * x[l];
        x[r] = v * inv[r];
    }
    return true;
}

/* The Kronecker matrix (I_q (x) A + B^T (x) I_p) with vec C appended. */
ALWAYS_INLINE void kronecker_system(const int p, const int q, const double *a, int64_t lda,
                                    const double *b, int64_t ldb, const double *c, int64_t ldc,
                                    double k[4][5]) {
    const int s = p * q;
    UNROLL(4)
    for (int r = 0; r < s; r++)
        UNROLL(5)
        for (int l = 0; l <= 4; l++)
            k[r][l] = 0.0;
    UNROLL(2)
    for (int j = 0; j < q; j++)
        UNROLL(2)
        for (int i = 0; i < p; i++) {
            const int r = i + j * p;
            UNROLL(2)
            for (int l = 0; l < p; l++)
                k[r][l + j * p] += a[i + l * lda];
            UNROLL(2)
            for (int l = 0; l < q; l++)
                k[r][i + l * p] += b[l + j * ldb];
            k[r][s] = c[i + j * ldc];
        }
}

ALWAYS_INLINE bool solve_small(const int p, const int q, const double *a, int64_t lda,
                               const double *b, int64_t ldb, double *c, int64_t ldc) {
    double k[4][5], x[4];
    if (p * q == 1) {
        const double den = a[0] + b[0];
        if (den == 0.0)
            return false;
        c[0] /= den;
        return true;
    }
    kronecker_system(p, q, a, lda, b, ldb, c, ldc, k);
    if (p * q == 2 ? !eliminate(2, k, x) : !eliminate(4, k, x))
        return false;
    UNROLL(2)
    for (int j = 0; j < q; j++)
        UNROLL(2)
        for (int i = 0; i < p; i++)
            c[i + j * ldc] = x[i + j * p];
    return true;
}

bool mf__sylv_small_real(int p, int q, const double *a, int64_t lda, const double *b, int64_t ldb,
                         double *c, int64_t ldc) {
    return solve_small(p, q, a, lda, b, ldb, c, ldc);
}

/* ------------------------------------------------------------------ */
/* the kernel: tiles of TILE x TILE unknowns                           */
/* ------------------------------------------------------------------ */

/* Does a 2 x 2 block of the quasi-triangular t start at row i - 1, i.e.
 * is t(i, i - 1) nonzero? */
ALWAYS_INLINE bool second_row_of_block(const double *t, int64_t ldt, int64_t i) {
    return i > 0 && t[i + (i - 1) * ldt] != 0.0;
}

/* Size (1 or 2) of the diagonal block of the n x n t that starts at row
 * lo, and of the one that ends at row hi - 1. */
ALWAYS_INLINE int block_at(int64_t lo, int64_t n, const double *t, int64_t ldt) {
    return lo + 1 < n && second_row_of_block(t, ldt, lo + 1) ? 2 : 1;
}
ALWAYS_INLINE int block_before(int64_t hi, const double *t, int64_t ldt) {
    return second_row_of_block(t, ldt, hi - 1) ? 2 : 1;
}

/* The column tile of the n x n t starting at lo, going right, and the row
 * tile ending at hi, going up: consecutive diagonal blocks of one size,
 * at most TILE rows. */
ALWAYS_INLINE int64_t tile_end(int64_t lo, int64_t n, const double *t, int64_t ldt) {
    const int size = block_at(lo, n, t, ldt);
    int64_t hi = lo + size;
    while (hi + size - lo <= TILE && hi < n && block_at(hi, n, t, ldt) == size)
        hi += size;
    return hi;
}
ALWAYS_INLINE int64_t tile_start(int64_t hi, const double *t, int64_t ldt) {
    const int size = block_before(hi, t, ldt);
    int64_t lo = hi - size;
    while (hi - (lo - size) <= TILE && lo > 0 && block_before(lo, t, ldt) == size)
        lo -= size;
    return lo;
}

/*
 * c(0:r, 0:q) -= p(0:r, 0:w) s(0:w, 0:q) for a tile's q <= TILE
 * columns: eight rows (then four, then one) at a time, the q columns of
 * that chunk held in registers through the whole sum. q is a literal
 * after inlining (sub_product), so the column loops unroll.
 */
#define SUB_PRODUCT_CHUNK(V, ROWS)                                                                 \
    do {                                                                                       \
        V acc[TILE], pv;                                                                       \
        for (int j = 0; j < q; j++)                                                            \
            memcpy(&acc[j], c + i + j * ldc, sizeof pv);                                       \
        for (int64_t l = 0; l < w; l++) {                                                      \
            memcpy(&pv, p + i + l * ldp, sizeof pv);                                           \
            for (int j = 0; j < q; j++)                                                        \
                acc[j] -= pv * s[l + j * lds];                                                 \
        }                                                                                      \
        for (int j = 0; j < q; j++)                                                            \
            memcpy(c + i + j * ldc, &acc[j], sizeof pv);                                       \
        i += ROWS;                                                                             \
    } while (0)

ALWAYS_INLINE void sub_product_q(const int q, int64_t r, int64_t w, const double *p, int64_t ldp,
                                 const double *s, int64_t lds, double *c, int64_t ldc) {
    int64_t i = 0;
    while (i + 8 <= r)
        SUB_PRODUCT_CHUNK(v8, 8);
    if (i + 4 <= r)
        SUB_PRODUCT_CHUNK(v4, 4);
    for (; i < r; i++)
        for (int j = 0; j < q; j++) {
            double v = c[i + j * ldc];
            for (int64_t l = 0; l < w; l++)
                v -= p[i + l * ldp] * s[l + j * lds];
            c[i + j * ldc] = v;
        }
}

ALWAYS_INLINE void sub_product(int q, int64_t r, int64_t w, const double *p, int64_t ldp,
                               const double *s, int64_t lds, double *c, int64_t ldc) {
    WITH_LITERAL_WIDTH(sub_product_q, q, r, w, p, ldp, s, lds, c, ldc);
}

/*
 * The unknowns of one tile, once everything outside it has been removed
 * from C: nr row blocks of size p (of A) by nc column blocks of size q (of
 * B), p and q literals (solve_tile). Column blocks left to right, row
 * blocks bottom up; each p x q equation's right-hand side subtracts the
 * tile's solved neighbours below (through A) and to the left (through B).
 * With the loops unrolled every index is a constant and the unknowns stay
 * in registers. A 1 x 1 equation multiplies by inv = 1 / (a_ii + b_jj),
 * formed beforehand in one vectorized pass, so that no division sits on
 * the chain of dependent unknowns. a, b, c, inv point at the tile.
 */
ALWAYS_INLINE bool uniform_tile(const int p, const int q, int nr, int nc, const double *a,
                                int64_t lda, const double *b, int64_t ldb, double *c, int64_t ldc,
                                const double *inv, int64_t ldi) {
    double x[TILE][TILE] = {{0}};
    bool ok = true;
    const int col_blocks = TILE / q;
    UNROLL(4)
    for (int jb = 0; jb < col_blocks; jb++) {
        UNROLL(4)
        for (int ib = TILE / p - 1; ib >= 0; ib--) {
            if (jb >= nc || ib >= nr)
                continue;
            const int i = p * ib, j = q * jb;
            double r[4];
            UNROLL(2)
            for (int t = 0; t < q; t++)
                UNROLL(2)
                for (int l = 0; l < p; l++) {
                    double v = c[(i + l) + (j + t) * ldc];
                    UNROLL(4)
                    for (int u = i + p; u < TILE; u++)
                        if (u < p * nr)
                            v -= a[(i + l) + u * lda] * x[u][j + t];
                    UNROLL(4)
                    for (int u = 0; u < j; u++)
                        v -= x[i + l][u] * b[u + (j + t) * ldb];
                    r[l + t * p] = v;
                }
            if (p == 1 && q == 1) {
                const double f = inv[i + j * ldi];
                ok &= fabs(f) < INFINITY;
                r[0] *= f;
            } else {
                ok &= solve_small(p, q, a + i + i * lda, lda, b + j + j * ldb, ldb, r, p);
            }
            UNROLL(2)
            for (int t = 0; t < q; t++)
                UNROLL(2)
                for (int l = 0; l < p; l++)
                    x[i + l][j + t] = r[l + t * p];
        }
    }
    for (int j = 0; j < q * nc; j++)
        for (int i = 0; i < p * nr; i++)
            c[i + j * ldc] = x[i][j];
    return ok;
}

/* The tile rows g0:g1, columns j0:j1 by the solver for its block sizes. */
ALWAYS_INLINE bool solve_tile(int64_t g0, int64_t g1, int64_t j0, int64_t j1, const double *a,
                              int64_t lda, const double *b, int64_t ldb, double *c, int64_t ldc,
                              const double *inv, int64_t ldi) {
    const int p = g0 + 1 < g1 && second_row_of_block(a, lda, g0 + 1) ? 2 : 1;
    const int q = j0 + 1 < j1 && second_row_of_block(b, ldb, j0 + 1) ? 2 : 1;
    const int nr = (int)(g1 - g0) / p, nc = (int)(j1 - j0) / q;
    const double *at = a + g0 + g0 * lda, *bt = b + j0 + j0 * ldb, *it = inv + g0 + j0 * ldi;
    double *ct = c + g0 + j0 * ldc;
    if (p == 1)
        return q == 1 ? uniform_tile(1, 1, nr, nc, at, lda, bt, ldb, ct, ldc, it, ldi)
                      : uniform_tile(1, 2, nr, nc, at, lda, bt, ldb, ct, ldc, it, ldi);
    return q == 1 ? uniform_tile(2, 1, nr, nc, at, lda, bt, ldb, ct, ldc, it, ldi)
                  : uniform_tile(2, 2, nr, nc, at, lda, bt, ldb, ct, ldc, it, ldi);
}

/*
 * m, k <= MF__TRSYLV_BASE. Column tiles J of B left to right: C(:, J) -=
 * X(:, 0:j0) B(0:j0, J); then row tiles G of A bottom up: the tile's
 * unknowns, and C(0:g0, J) -= A(0:g0, G) X(G, J).
 */
MF_TARGET_CLONES static bool solve_base_real(int64_t m, int64_t k, const double *a, int64_t lda,
                                        const double *b, int64_t ldb, double *c, int64_t ldc) {
    double inv[MF__TRSYLV_BASE * MF__TRSYLV_BASE], diag[MF__TRSYLV_BASE];
    for (int64_t i = 0; i < m; i++)
        diag[i] = a[i + i * lda];
    for (int64_t j = 0; j < k; j++) {
        const double bjj = b[j + j * ldb];
        for (int64_t i = 0; i < m; i++)
            inv[i + j * m] = 1.0 / (diag[i] + bjj);
    }
    for (int64_t j0 = 0, j1; j0 < k; j0 = j1) {
        j1 = tile_end(j0, k, b, ldb);
        const int q = (int)(j1 - j0);
        double *cj = c + j0 * ldc;
        sub_product(q, m, j0, c, ldc, b + j0 * ldb, ldb, cj, ldc);
        for (int64_t g1 = m, g0; g1 > 0; g1 = g0) {
            g0 = tile_start(g1, a, lda);
            if (!solve_tile(g0, g1, j0, j1, a, lda, b, ldb, c, ldc, inv, m))
                return false;
            sub_product(q, g0, g1 - g0, a + g0 * lda, lda, cj + g0, ldc, cj, ldc);
        }
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* recursive blocking                                                  */
/* ------------------------------------------------------------------ */

/* Split point of an n x n quasi-triangular t: about n / 2, moved down one
 * row rather than cutting a 2 x 2 block. */
static int64_t split(int64_t n, const double *t, int64_t ldt) {
    const int64_t h = n / 2;
    return second_row_of_block(t, ldt, h) ? h + 1 : h;
}

bool mf__trsylv_real(int64_t m, int64_t k, const double *a, int64_t lda, const double *b,
                     int64_t ldb, double *c, int64_t ldc) {
    if (m <= MF__TRSYLV_BASE && k <= MF__TRSYLV_BASE)
        return solve_base_real(m, k, a, lda, b, ldb, c, ldc);
    if (m >= k) {
        /* [A11 A12; 0 A22] [X1; X2] + [X1; X2] B = [C1; C2], X2 first */
        const int64_t h = split(m, a, lda);
        if (!mf__trsylv_real(m - h, k, a + h + h * lda, lda, b, ldb, c + h, ldc))
            return false;
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)h, (int)k, (int)(m - h), -1.0,
                    a + h * lda, (int)lda, c + h, (int)ldc, 1.0, c, (int)ldc);
        return mf__trsylv_real(h, k, a, lda, b, ldb, c, ldc);
    }
    /* A [X1 X2] + [X1 X2] [B11 B12; 0 B22] = [C1 C2], X1 first */
    const int64_t h = split(k, b, ldb);
    if (!mf__trsylv_real(m, h, a, lda, b, ldb, c, ldc))
        return false;
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)(k - h), (int)h, -1.0, c,
                (int)ldc, b + h * ldb, (int)ldb, 1.0, c + h * ldc, (int)ldc);
    return mf__trsylv_real(m, k - h, a, lda, b + h + h * ldb, ldb, c + h * ldc, ldc);
}
