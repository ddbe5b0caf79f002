/*
 * A X + X B = C for real upper quasi-triangular A and B (mf__trsylv_real,
 * see trsylv.h): recursive blocking with GEMM updates around a column
 * kernel. A 2 x 2 diagonal block couples two rows (of A) or two columns (of
 * B) of X; the p x q equations between such blocks are solved through
 * their Kronecker form, as in Higham, Linear Algebra Appl. 88/89, 1987,
 * eq. (4.4) and LAPACK's ?lasy2.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include <cblas.h>

#include "funcs/trsylv.h"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=fast")
#elif defined(__clang__)
#pragma clang fp contract(fast)
#endif

/* The kernel is compiled for AVX-512, AVX2+FMA and baseline x86-64 and
 * picked at load time (the distribution build targets baseline x86-64). */
#if defined(__GNUC__) && defined(__x86_64__) && defined(__linux__)
#define MF_TARGET_CLONES __attribute__((target_clones("arch=skylake-avx512", "arch=haswell", "default")))
#else
#define MF_TARGET_CLONES
#endif
#define ALWAYS_INLINE static inline __attribute__((always_inline))

/* Rows solved together in the column kernel before the rows above them are
 * updated (at most one more, to keep a 2 x 2 block whole). */
#define GROUP 4

/*
 * k x = rhs (the last column of the s x (s + 1) array k) by Gaussian
 * elimination with partial pivoting, x into x; false on a zero pivot.
 * Inlined with s = 2 or 4, so that the loops unroll.
 */
ALWAYS_INLINE bool eliminate(int s, double k[4][5], double *x) {
    for (int col = 0; col < s; col++) {
        int piv = col;
        for (int r = col + 1; r < s; r++)
            if (fabs(k[r][col]) > fabs(k[piv][col]))
                piv = r;
        if (k[piv][col] == 0.0)
            return false;
        if (piv != col)
            for (int l = col; l <= s; l++) {
                const double tmp = k[col][l];
                k[col][l] = k[piv][l];
                k[piv][l] = tmp;
            }
        const double inv = 1.0 / k[col][col];
        for (int r = col + 1; r < s; r++) {
            const double f = k[r][col] * inv;
            for (int l = col + 1; l <= s; l++)
                k[r][l] -= f * k[col][l];
        }
    }
    for (int r = s - 1; r >= 0; r--) {
        double v = k[r][s];
        for (int l = r + 1; l < s; l++)
            v -= k[r][l] * x[l];
        x[r] = v / k[r][r];
    }
    return true;
}

/* The Kronecker matrix (I_q (x) A + B^T (x) I_p) with vec C appended. */
ALWAYS_INLINE void kronecker_system(int p, int q, const double *a, int64_t lda, const double *b,
                                    int64_t ldb, const double *c, int64_t ldc, double k[4][5]) {
    const int s = p * q;
    for (int r = 0; r < s; r++)
        for (int l = 0; l <= 4; l++)
            k[r][l] = 0.0;
    for (int j = 0; j < q; j++)
        for (int i = 0; i < p; i++) {
            const int r = i + j * p;
            for (int l = 0; l < p; l++)
                k[r][l + j * p] += a[i + l * lda];
            for (int l = 0; l < q; l++)
                k[r][i + l * p] += b[l + j * ldb];
            k[r][s] = c[i + j * ldc];
        }
}

ALWAYS_INLINE bool solve_small(int p, int q, const double *a, int64_t lda, const double *b,
                               int64_t ldb, double *c, int64_t ldc) {
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
    for (int j = 0; j < q; j++)
        for (int i = 0; i < p; i++)
            c[i + j * ldc] = x[i + j * p];
    return true;
}

bool mf__sylv_small_real(int p, int q, const double *a, int64_t lda, const double *b, int64_t ldb,
                         double *c, int64_t ldc) {
    return solve_small(p, q, a, lda, b, ldb, c, ldc);
}

/* ------------------------------------------------------------------ */
/* column kernel                                                       */
/* ------------------------------------------------------------------ */

/* c[0:r] -= sum_{l < w} coef[l] a[0:r, l]; four columns per pass, so that
 * each load and store of c serves four multiply-adds. */
ALWAYS_INLINE void sub_columns(int64_t r, int64_t w, const double *a, int64_t lda,
                               const double *coef, double *restrict c) {
    int64_t l = 0;
    for (; l + 4 <= w; l += 4) {
        const double *restrict a0 = a + l * lda, *restrict a1 = a0 + lda;
        const double *restrict a2 = a1 + lda, *restrict a3 = a2 + lda;
        const double x0 = coef[l], x1 = coef[l + 1], x2 = coef[l + 2], x3 = coef[l + 3];
        for (int64_t i = 0; i < r; i++)
            c[i] -= a0[i] * x0 + a1[i] * x1 + a2[i] * x2 + a3[i] * x3;
    }
    for (; l < w; l++) {
        const double *restrict a0 = a + l * lda;
        const double x0 = coef[l];
        for (int64_t i = 0; i < r; i++)
            c[i] -= a0[i] * x0;
    }
}

/* Does a 2 x 2 block of the quasi-triangular a start at row i - 1, i.e.
 * is a(i, i - 1) nonzero? */
ALWAYS_INLINE bool second_row_of_block(const double *a, int64_t lda, int64_t i) {
    return i > 0 && a[i + (i - 1) * lda] != 0.0;
}

/*
 * A X + X Bjj = C for the m x q block column C (q = 1 or 2, Bjj the q x q
 * diagonal block of B), bottom up: rows are solved a group at a time (a
 * p x q equation per diagonal block of A, p = 1 or 2), then removed from
 * the rows above the group in one pass.
 */
ALWAYS_INLINE bool solve_block_column(int64_t m, const double *a, int64_t lda, const double *bjj,
                                      int64_t ldb, int q, double *c, int64_t ldc) {
    for (int64_t end = m; end > 0;) {
        int64_t beg = end > GROUP ? end - GROUP : 0;
        if (second_row_of_block(a, lda, beg))
            beg--;
        for (int64_t last = end - 1; last >= beg;) {
            const int p = last > beg && second_row_of_block(a, lda, last) ? 2 : 1;
            const int64_t i = last - p + 1;
            double *ci = c + i;
            /* literal p (and q, see solve_base) specialize the small solves */
            if (!(p == 1 ? solve_small(1, q, a + i + i * lda, lda, bjj, ldb, ci, ldc)
                         : solve_small(2, q, a + i + i * lda, lda, bjj, ldb, ci, ldc)))
                return false;
            for (int s = 0; s < q; s++) /* the rows of the group above block i */
                for (int l = 0; l < p; l++)
                    for (int64_t r = beg; r < i; r++)
                        c[r + s * ldc] -= a[r + (i + l) * lda] * ci[l + s * ldc];
            last = i - 1;
        }
        for (int s = 0; s < q; s++) {
            double coef[GROUP + 1];
            for (int64_t l = 0; l < end - beg; l++)
                coef[l] = c[beg + l + s * ldc];
            sub_columns(beg, end - beg, a + beg * lda, lda, coef, c + s * ldc);
        }
        end = beg;
    }
    return true;
}

/* Column by column of B: C(:, j) -= X(:, 0:j) B(0:j, j), then the shifted
 * system for X(:, j) (two columns at once for a 2 x 2 block of B). */
MF_TARGET_CLONES static bool solve_base(int64_t m, int64_t k, const double *a, int64_t lda,
                                        const double *b, int64_t ldb, double *c, int64_t ldc) {
    for (int64_t j = 0; j < k;) {
        const int q = j + 1 < k && b[(j + 1) + j * ldb] != 0.0 ? 2 : 1;
        for (int s = 0; s < q; s++)
            sub_columns(m, j, c, ldc, b + (j + s) * ldb, c + (j + s) * ldc);
        const double *bjj = b + j + j * ldb;
        if (!(q == 1 ? solve_block_column(m, a, lda, bjj, ldb, 1, c + j * ldc, ldc)
                     : solve_block_column(m, a, lda, bjj, ldb, 2, c + j * ldc, ldc)))
            return false;
        j += q;
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
        return solve_base(m, k, a, lda, b, ldb, c, ldc);
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
