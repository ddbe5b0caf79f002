/*
 * A X + X B = C for complex upper triangular A and B (mf__trsylv_complex,
 * see trsylv.h): the recursion of trsylv_real.c without 2 x 2 blocks. The
 * kernel's inner loops spell out complex arithmetic on (re, im) pairs, so
 * that the compiler vectorizes them (C's complex multiply is a call guarded
 * for Inf and NaN).
 */
#include "mfcomplex.h"
#include <stdbool.h>
#include <stdint.h>

#include <cblas.h>

#include "funcs/trsylv.h"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=fast")
#elif defined(__clang__)
#pragma clang fp contract(fast)
#endif

#if defined(__GNUC__) && defined(__x86_64__) && defined(__linux__)
#define MF_TARGET_CLONES __attribute__((target_clones("arch=skylake-avx512", "arch=haswell", "default")))
#else
#define MF_TARGET_CLONES
#endif
#define ALWAYS_INLINE static inline __attribute__((always_inline))

#define GROUP 4

/* c[0:r] -= sum_{l < w} coef[l] a[0:r, l] (complex, interleaved), two
 * columns per pass. */
ALWAYS_INLINE void sub_columns(int64_t r, int64_t w, const double *a, int64_t lda,
                               const double *coef, double *restrict c) {
    int64_t l = 0;
    for (; l + 2 <= w; l += 2) {
        const double *restrict a0 = a + 2 * l * lda, *restrict a1 = a0 + 2 * lda;
        const double x0r = coef[2 * l], x0i = coef[2 * l + 1];
        const double x1r = coef[2 * l + 2], x1i = coef[2 * l + 3];
        for (int64_t i = 0; i < r; i++) {
            const double p0r = a0[2 * i], p0i = a0[2 * i + 1];
            const double p1r = a1[2 * i], p1i = a1[2 * i + 1];
            c[2 * i] -= p0r * x0r - p0i * x0i + p1r * x1r - p1i * x1i;
            c[2 * i + 1] -= p0r * x0i + p0i * x0r + p1r * x1i + p1i * x1r;
        }
    }
    if (l < w) {
        const double *restrict a0 = a + 2 * l * lda;
        const double x0r = coef[2 * l], x0i = coef[2 * l + 1];
        for (int64_t i = 0; i < r; i++) {
            const double p0r = a0[2 * i], p0i = a0[2 * i + 1];
            c[2 * i] -= p0r * x0r - p0i * x0i;
            c[2 * i + 1] -= p0r * x0i + p0i * x0r;
        }
    }
}

/* (A + b I) x = c for one column, bottom up a group of rows at a time. */
ALWAYS_INLINE bool solve_column(int64_t m, const double *a, int64_t lda, mf__zdouble shift,
                                double *c) {
    mf__zdouble *z = (mf__zdouble *)c;
    const mf__zdouble *za = (const mf__zdouble *)a;
    for (int64_t end = m; end > 0;) {
        const int64_t beg = end > GROUP ? end - GROUP : 0;
        for (int64_t i = end - 1; i >= beg; i--) {
            const mf__zdouble den = za[i + i * lda] + shift;
            if (den == 0.0)
                return false;
            z[i] /= den;
            for (int64_t r = beg; r < i; r++)
                z[r] -= za[r + i * lda] * z[i];
        }
        double coef[2 * GROUP];
        for (int64_t l = 0; l < 2 * (end - beg); l++)
            coef[l] = c[2 * beg + l];
        sub_columns(beg, end - beg, a + 2 * beg * lda, lda, coef, c);
        end = beg;
    }
    return true;
}

MF_TARGET_CLONES static bool solve_base(int64_t m, int64_t k, const double *a, int64_t lda,
                                        const double *b, int64_t ldb, double *c, int64_t ldc) {
    const mf__zdouble *zb = (const mf__zdouble *)b;
    for (int64_t j = 0; j < k; j++) {
        double *cj = c + 2 * j * ldc;
        sub_columns(m, j, c, ldc, b + 2 * j * ldb, cj);
        if (!solve_column(m, a, lda, zb[j + j * ldb], cj))
            return false;
    }
    return true;
}

bool mf__trsylv_complex(int64_t m, int64_t k, const double *a, int64_t lda, const double *b,
                        int64_t ldb, double *c, int64_t ldc) {
    if (m <= MF__TRSYLV_BASE && k <= MF__TRSYLV_BASE)
        return solve_base(m, k, a, lda, b, ldb, c, ldc);
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
