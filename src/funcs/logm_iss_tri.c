/*
 * Level-3 solves and products of upper (quasi-)triangular matrices for the
 * inverse scaling and squaring (mf__iss_solve, mf__iss_tri_mul; see
 * logm_iss.h): the Pade partial fractions of the logarithm, the continued
 * fraction and the squarings of fractional powers, integer powers.
 *
 * Every right-hand side B there is upper (quasi-)triangular with the block
 * structure of T (R, c_j R, powers of T, I), and so is every result. With
 * B = [B11 B12; 0 B22], split where B21 = 0 (never through a 2 x 2 block),
 *   solve    X22 = M22^-1 B22,  X12 = M11^-1 (B12 - M12 X22),  X11 = M11^-1 B11,
 *   product  C12 = M11 B12 + M12 B22,  C11 = M11 B11,  C22 = M22 B22,
 * recursively, and the products with the triangular right factor (M12 X22,
 * M12 B22) recursive in turn: the n^3 / 3 flops of a triangular solve or
 * product with a triangular right-hand side run in large ?gemm and ?trsm /
 * ?trmm calls (as in the recursive formulations of Elmroth, Gustavson,
 * Jonsson & Kagstrom, SIAM Review 46(1), 2004). M must be upper triangular:
 * the real solve first eliminates the subdiagonal entries of M's 2 x 2
 * blocks, the real product adds their contribution separately.
 */
#include "mfcomplex.h"
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include <cblas.h>

#include "funcs/logm_iss.h"
#include "internal.h"

/* Diagonal blocks up to this size are solved or multiplied whole: the
 * zero lower part costs little there (not tuned). */
#define TRI_BASE 64

/* Triangles up to this size go to ?trsm whole; larger ones are split so
 * that most of the solve runs in ?gemm: on our machine OpenBLAS 0.3.21's
 * dtrsm ran at a quarter of dgemm's speed up to m = 256 (11 against 46
 * GFLOP/s at m = q = 256, one thread). With 32, powm's triangular phase
 * at n = 512 measured 3-4% faster than with ?trsm whole, about the noise
 * of that shared machine (not tuned further). */
#define SOLVE_BASE 32

/* Element (i, j) of a column-major matrix of dtype dt. */
static double *at(int32_t dt, double *p, int64_t i, int64_t j, int64_t ld) {
    return p + (dt == MF_C128 ? 2 : 1) * (i + j * ld);
}
static const double *cat(int32_t dt, const double *p, int64_t i, int64_t j, int64_t ld) {
    return p + (dt == MF_C128 ? 2 : 1) * (i + j * ld);
}

/* Split point of an n x n block of b: about n / 2, moved down one row
 * rather than cutting a real 2 x 2 block (b(h, h - 1) != 0). */
static int64_t split(int32_t dt, int64_t n, const double *b, int64_t ld) {
    const int64_t h = n / 2;
    return dt == MF_F64 && b[h + (h - 1) * ld] != 0.0 ? h + 1 : h;
}

/* ------------------------------------------------------------------ */
/* BLAS calls, real or complex                                         */
/* ------------------------------------------------------------------ */

/* c += alpha a b (m x k times k x q). */
static void gemm_acc(int32_t dt, int64_t m, int64_t q, int64_t k, double alpha, const double *a,
                     const double *b, double *c, int64_t ld) {
    const int mi = (int)m, qi = (int)q, ki = (int)k, l = (int)ld;
    if (dt == MF_C128) {
        const mf__zdouble za = alpha, one = 1.0;
        cblas_zgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, mi, qi, ki, &za, a, l, b, l, &one,
                    c, l);
    } else {
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, mi, qi, ki, alpha, a, l, b, l, 1.0,
                    c, l);
    }
}

/* b := m^-1 b (solve) or m b for the upper triangle of the m x m block m;
 * b is m x q. */
static void tri_left(int32_t dt, bool solve, int64_t m, int64_t q, const double *t, double *b,
                     int64_t ld) {
    const int mi = (int)m, qi = (int)q, l = (int)ld;
    if (dt == MF_C128) {
        const mf__zdouble one = 1.0;
        if (solve)
            cblas_ztrsm(CblasColMajor, CblasLeft, CblasUpper, CblasNoTrans, CblasNonUnit, mi, qi,
                        &one, t, l, b, l);
        else
            cblas_ztrmm(CblasColMajor, CblasLeft, CblasUpper, CblasNoTrans, CblasNonUnit, mi, qi,
                        &one, t, l, b, l);
    } else if (solve) {
        cblas_dtrsm(CblasColMajor, CblasLeft, CblasUpper, CblasNoTrans, CblasNonUnit, mi, qi, 1.0,
                    t, l, b, l);
    } else {
        cblas_dtrmm(CblasColMajor, CblasLeft, CblasUpper, CblasNoTrans, CblasNonUnit, mi, qi, 1.0,
                    t, l, b, l);
    }
}

/* ------------------------------------------------------------------ */
/* recursions                                                          */
/* ------------------------------------------------------------------ */

/* c += alpha a b for a (m x k) and upper quasi-triangular b (k x k):
 * [a1 a2] [b11 b12; 0 b22] = [a1 b11, a1 b12 + a2 b22]. */
static void mul_by_triangle(int32_t dt, int64_t m, int64_t k, double alpha, const double *a,
                            const double *b, double *c, int64_t ld) {
    if (k <= TRI_BASE) {
        gemm_acc(dt, m, k, k, alpha, a, b, c, ld);
        return;
    }
    const int64_t h = split(dt, k, b, ld);
    mul_by_triangle(dt, m, h, alpha, a, b, c, ld);
    gemm_acc(dt, m, k - h, h, alpha, a, cat(dt, b, 0, h, ld), at(dt, c, 0, h, ld), ld);
    mul_by_triangle(dt, m, k - h, alpha, cat(dt, a, 0, h, ld), cat(dt, b, h, h, ld),
                    at(dt, c, 0, h, ld), ld);
}

/* b := t^-1 b for upper triangular t (m x m) and a full m x q block b:
 * X2 = t22^-1 b2, then X1 = t11^-1 (b1 - t12 X2). */
static void solve_full(int32_t dt, int64_t m, int64_t q, const double *t, double *b, int64_t ld) {
    if (m <= SOLVE_BASE) {
        tri_left(dt, true, m, q, t, b, ld);
        return;
    }
    const int64_t h = m / 2;
    double *b2 = at(dt, b, h, 0, ld);
    solve_full(dt, m - h, q, cat(dt, t, h, h, ld), b2, ld);
    gemm_acc(dt, h, q, m - h, -1.0, cat(dt, t, 0, h, ld), b2, b, ld);
    solve_full(dt, h, q, t, b, ld);
}

/* b := t^-1 b for upper triangular t and upper quasi-triangular b (n x n). */
static void solve_rec(int32_t dt, int64_t n, const double *t, double *b, int64_t ld) {
    if (n <= TRI_BASE) {
        solve_full(dt, n, n, t, b, ld);
        return;
    }
    const int64_t h = split(dt, n, b, ld);
    double *b12 = at(dt, b, 0, h, ld), *b22 = at(dt, b, h, h, ld);
    solve_rec(dt, n - h, cat(dt, t, h, h, ld), b22, ld);
    mul_by_triangle(dt, h, n - h, -1.0, cat(dt, t, 0, h, ld), b22, b12, ld);
    solve_full(dt, h, n - h, t, b12, ld);
    solve_rec(dt, h, t, b, ld);
}

/* b := triu(t) b for upper quasi-triangular b (n x n); b12 first, while
 * b22 still holds its input. */
static void mul_rec(int32_t dt, int64_t n, const double *t, double *b, int64_t ld) {
    if (n <= TRI_BASE) {
        tri_left(dt, false, n, n, t, b, ld);
        return;
    }
    const int64_t h = split(dt, n, b, ld);
    double *b12 = at(dt, b, 0, h, ld), *b22 = at(dt, b, h, h, ld);
    tri_left(dt, false, h, n - h, t, b12, ld);
    mul_by_triangle(dt, h, n - h, 1.0, cat(dt, t, 0, h, ld), b22, b12, ld);
    mul_rec(dt, h, t, b, ld);
    mul_rec(dt, n - h, cat(dt, t, h, h, ld), b22, ld);
}

/* ------------------------------------------------------------------ */
/* the 2 x 2 blocks of real quasi-triangular factors                   */
/* ------------------------------------------------------------------ */

/* Blocks whose row operations are applied in one sweep (local storage). */
#define CHUNK 64

/* One block's Gauss transform: rows k, k + 1, swapped first if asked. */
typedef struct row_op {
    int64_t k;
    bool swap;
    double mult;
} row_op;

static void apply_row_op(const row_op *op, double *col) {
    double top = col[op->k], bottom = col[op->k + 1];
    if (op->swap) {
        const double tmp = top;
        top = bottom;
        bottom = tmp;
    }
    col[op->k] = top;
    col[op->k + 1] = bottom - op->mult * top;
}

/*
 * Gaussian elimination of each subdiagonal entry m(k+1, k) of a real
 * quasi-triangular M with row pivoting inside its block, the same row
 * operations applied to B. Rows k and k + 1 of M and B vanish left of
 * column k (B has M's block structure), and the operations of different
 * blocks touch different rows, so each is decided from column k alone and
 * a chunk of them is applied column by column, in storage order.
 */
static void eliminate_subdiagonal(int64_t n, double *m, double *b) {
    for (int64_t k = 0; k + 1 < n;) {
        row_op ops[CHUNK];
        int count = 0;
        for (; k + 1 < n && count < CHUNK; k++) {
            const double diag = m[k + k * n], sub = m[(k + 1) + k * n];
            if (sub == 0.0)
                continue;
            const bool swap = fabs(sub) > fabs(diag);
            ops[count++] = (row_op){k, swap, swap ? diag / sub : sub / diag};
            k++; /* the next subdiagonal entry is zero in a quasi-triangular M */
        }
        for (int64_t j = count > 0 ? ops[0].k : n; j < n; j++)
            for (int c = 0; c < count && ops[c].k <= j; c++) {
                apply_row_op(&ops[c], m + j * n);
                apply_row_op(&ops[c], b + j * n);
            }
        for (int c = 0; c < count; c++)
            m[(ops[c].k + 1) + ops[c].k * n] = 0.0;
    }
}

void mf__iss_solve(int32_t dt, int64_t n, double *mfac, double *b) {
    if (dt == MF_F64)
        eliminate_subdiagonal(n, mfac, b);
    solve_rec(dt, n, mfac, b, n);
}

void mf__iss_tri_mul(int32_t dt, int64_t n, const double *a, const double *b, double *c) {
    memcpy(c, b, (size_t)(n * n) * mf__elem_size(dt));
    mul_rec(dt, n, a, c, n);
    if (dt == MF_C128)
        return;
    /* + S b for the subdiagonal entries S of a: c(k+1, j) += a(k+1, k) b(k, j),
     * where b(k, j) = 0 for k > j + 1 */
    for (int64_t j = 0; j < n; j++) {
        const int64_t end = j + 2 < n - 1 ? j + 2 : n - 1;
        for (int64_t k = 0; k < end; k++) {
            const double s = a[(k + 1) + k * n];
            if (s != 0.0)
                c[(k + 1) + j * n] += s * b[k + j * n];
        }
    }
}
