/*
 * The Schur method for the matrix sign function, mf_signm's route when the
 * Newton iteration would be less accurate (signm.c).
 *
 * A = Z T Z^H (?gees, real Schur form for real A) and S = Z U Z^H with
 * U = sign(T) upper triangular (a 2 x 2 block of a real Schur form has a
 * pair of eigenvalues with one real part, so its sign is +-I and U has no
 * subdiagonal). U is found without reordering the Schur form, from the two
 * equations U T = T U and U^2 = I, taken entry by entry where each is
 * well posed (Higham, The matrix sign decomposition and its relation to the
 * polar decomposition, LAA 212/213, 1994, section 4; Higham, Functions of
 * Matrices, 2008, section 5.2): with s_i = sign(Re t_ii), an entry u_ij
 * (i < j) whose eigenvalues have opposite signs solves
 *     t_ii u_ij - u_ij t_jj = s_i t_ij - t_ij s_j + sum_k (u_ik t_kj - t_ik u_kj)
 * (t_ii - t_jj has real part of modulus |Re t_ii| + |Re t_jj|), and one
 * whose eigenvalues have the same sign solves
 *     (s_i + s_j) u_ij = -sum_k u_ik u_kj,   s_i + s_j = +-2,
 * whatever the distance between the two eigenvalues (for 1 x 1 and 2 x 2
 * diagonal blocks alike). This replaces the reordering (?trsen, level 1:
 * about 40% of the old route's time at n = 512, in per-swap LAPACK
 * overheads) and the Sylvester solve of the reordered form.
 *
 * Evaluation is recursive and level 3, as for the square root (Deadman,
 * Higham & Ralha, LNCS 7782, 2013): split T = [T11 T12; 0 T22] (never
 * through a 2 x 2 block), U11 and U22 recursively, then X = U12 from
 *     (T11 X - X T22)_ij = (U11 T12 - T12 U22)_ij   where s_i != s_j,
 *     (U11 X + X U22)_ij = 0                        where s_i == s_j,
 * solved by splitting the larger dimension of X in half (Jonsson &
 * Kagstrom's recursive Sylvester blocking, ACM TOMS 28(4), 2002): one half
 * first, its contribution removed from the other half's right-hand side by
 * two GEMMs (the T and the U coupling; each entry takes the one its
 * equation uses), down to blocks of at most SIGN_TRI_BASE rows and columns
 * solved entry by entry (1 x 1 and 2 x 2 diagonal blocks: the small
 * Sylvester equations by Gaussian elimination with partial pivoting on
 * their Kronecker form). About n^3 flops in GEMMs, against the 25 n^3 of
 * ?gees; S = Z U Z^H by ?trmm and one GEMM.
 *
 * Domain (MF_EDOMAIN): an eigenvalue of T within n u ||A||_1 of the
 * imaginary axis; and ||S||_1^2 >= 1 / (n u) (or S not finite): the
 * condition number of sign at A is then at least about ||S||^2 (Higham
 * 2008, section 5.1), so a perturbation of relative size n u can change
 * the answer completely; A is within roundoff of a matrix where sign is
 * not defined (a Jordan block at i y, eigenvalues on opposite sides too
 * close to separate, or a nearly singular A with eigenvalues +-1 such as
 * [[1, 1e8], [0, -1]]).
 */
#include "mfcomplex.h"
#include <math.h>
#include <string.h>

#include <cblas.h>

#include "decomp/schur.h"
#include "funcs/iteration.h"
#include "funcs/logm_iss.h"
#include "funcs/signm.h"

/* Largest block solved entry by entry (rows and columns). */
#define SIGN_TRI_BASE 16

typedef struct schur_sign {
    const char *fn;
    int32_t dt;
    int64_t n;
    double *t, *z, *u; /* Schur factors, sign(T) */
    double *w;         /* n x n scratch of the GEMM updates */
    double *sg;        /* s_i = sign(Re t_ii) */
} schur_sign;

/* Element (i, j) of an n x n workspace: its real part, or the complex pair. */
static double *at(const schur_sign *f, double *m, int64_t i, int64_t j) {
    return m + (f->dt == MF_C128 ? 2 : 1) * (i + j * f->n);
}

/* Does a real 2 x 2 block start at row k (k + 1 < end)? */
static bool pair_at(const schur_sign *f, int64_t k, int64_t end) {
    return f->dt == MF_F64 && k + 1 < end && f->t[(k + 1) + k * f->n] != 0.0;
}

/* A split point near the middle of [lo, hi) that does not cut a 2 x 2 block. */
static int64_t split_point(const schur_sign *f, int64_t lo, int64_t hi) {
    int64_t h = lo + (hi - lo) / 2;
    if (f->dt == MF_F64 && f->t[h + (h - 1) * f->n] != 0.0)
        h++;
    return h;
}

/* Signs of the real parts of T's eigenvalues (a standardized real 2 x 2
 * block has equal diagonal entries, the real part of its pair); MF_EDOMAIN
 * for one within tol of the axis. */
static mf_status eigenvalue_signs(schur_sign *f, double tol) {
    for (int64_t i = 0; i < f->n; i++) {
        const double re = *at(f, f->t, i, i);
        if (fabs(re) <= tol)
            return mf__fail(MF_EDOMAIN, f->fn, "A has an eigenvalue with real part %.3g, on or "
                            "within roundoff (%.3g) of the imaginary axis: sign(A) is not defined",
                            re, tol);
        f->sg[i] = re < 0.0 ? -1.0 : 1.0;
    }
    return MF_OK;
}

/* ------------------------------------------------------------------ */
/* entry-by-entry kernels on blocks of at most SIGN_TRI_BASE            */
/* ------------------------------------------------------------------ */

/* Solve the p x q equation a x - x b = r (p, q <= 2; a, b in ld n, r and x
 * p x q column-major) by Gaussian elimination with partial pivoting on the
 * Kronecker form (I_q (x) a - b^T (x) I_p) vec(x) = vec(r). */
static void small_sylvester(int64_t n, const double *a, const double *b, int p, int q,
                            double *r) {
    const int m = p * q;
    double k[4][5];
    for (int c = 0; c < q; c++)
        for (int ri = 0; ri < p; ri++) {
            const int row = ri + p * c;
            for (int d = 0; d < q; d++)
                for (int ci = 0; ci < p; ci++)
                    k[row][ci + p * d] = (c == d ? a[ri + ci * n] : 0.0) -
                                         (ri == ci ? b[d + c * n] : 0.0);
            k[row][m] = r[row];
        }
    for (int col = 0; col < m; col++) {
        int piv = col;
        for (int i = col + 1; i < m; i++)
            if (fabs(k[i][col]) > fabs(k[piv][col]))
                piv = i;
        for (int j = 0; j <= m; j++) {
            const double tmp = k[col][j];
            k[col][j] = k[piv][j];
            k[piv][j] = tmp;
        }
        for (int i = col + 1; i < m; i++) {
            const double l = k[i][col] / k[col][col];
            for (int j = col; j <= m; j++)
                k[i][j] -= l * k[col][j];
        }
    }
    for (int i = m - 1; i >= 0; i--) {
        double v = k[i][m];
        for (int j = i + 1; j < m; j++)
            v -= k[i][j] * r[j];
        r[i] = v / k[i][i];
    }
}

/*
 * Real kernel: X = U(i0:i1, j0:j1) (i1 <= j0), holding its right-hand side
 * on entry, with U's diagonal blocks over both ranges known. Column blocks
 * left to right, row blocks bottom to top; each entry subtracts the
 * couplings inside the block (by T or by U, as its equation says).
 */
static void kernel_real(schur_sign *f, int64_t i0, int64_t i1, int64_t j0, int64_t j1) {
    const int64_t n = f->n;
    const double *t = f->t;
    double *u = f->u;
    int64_t starts[SIGN_TRI_BASE];
    int rows = 0;
    for (int64_t i = i0; i < i1; i += pair_at(f, i, i1) ? 2 : 1)
        starts[rows++] = i;
    for (int64_t j = j0; j < j1;) {
        const int q = pair_at(f, j, j1) ? 2 : 1;
        for (int b = rows - 1; b >= 0; b--) {
            const int64_t i = starts[b];
            const int p = b + 1 < rows ? (int)(starts[b + 1] - i) : (int)(i1 - i);
            const bool same = f->sg[i] == f->sg[j];
            const double *left = same ? u : t, *right = same ? u : t;
            const double rs = same ? -1.0 : 1.0; /* sign of the X-times-right term */
            double r[4];
            for (int c = 0; c < q; c++)
                for (int a = 0; a < p; a++) {
                    double v = u[(i + a) + (j + c) * n];
                    for (int64_t k = i + p; k < i1; k++)
                        v -= left[(i + a) + k * n] * u[k + (j + c) * n];
                    for (int64_t l = j0; l < j; l++)
                        v += rs * u[(i + a) + l * n] * right[l + (j + c) * n];
                    r[a + p * c] = v;
                }
            if (same)
                for (int e = 0; e < p * q; e++)
                    r[e] *= 0.5 * f->sg[i];
            else
                small_sylvester(n, t + i + i * n, t + j + j * n, p, q, r);
            for (int c = 0; c < q; c++)
                for (int a = 0; a < p; a++)
                    u[(i + a) + (j + c) * n] = r[a + p * c];
        }
        j += q;
    }
}

/* Complex kernel: the same with 1 x 1 blocks only. */
static void kernel_complex(schur_sign *f, int64_t i0, int64_t i1, int64_t j0, int64_t j1) {
    const int64_t n = f->n;
    const mf__zdouble *t = (const mf__zdouble *)f->t;
    mf__zdouble *u = (mf__zdouble *)f->u;
    for (int64_t j = j0; j < j1; j++)
        for (int64_t i = i1 - 1; i >= i0; i--) {
            const bool same = f->sg[i] == f->sg[j];
            const mf__zdouble *c = same ? u : t;
            mf__zdouble v = u[i + j * n];
            for (int64_t k = i + 1; k < i1; k++)
                v -= c[i + k * n] * u[k + j * n];
            for (int64_t l = j0; l < j; l++)
                v += (same ? -1.0 : 1.0) * u[i + l * n] * c[l + j * n];
            u[i + j * n] = same ? 0.5 * f->sg[i] * v : v / (t[i + i * n] - t[j + j * n]);
        }
}

/* ------------------------------------------------------------------ */
/* recursive level-3 blocking                                          */
/* ------------------------------------------------------------------ */

/* c = alpha a b + beta c on sub-blocks of the n x n workspaces (ld n). */
static void gemm(const schur_sign *f, int64_t m, int64_t k, int64_t l, double alpha,
                 const double *a, const double *b, double beta, double *c, int64_t ldc) {
    const int ld = (int)f->n;
    if (f->dt == MF_C128) {
        const mf__zdouble za = alpha, zb = beta;
        cblas_zgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)l, (int)k, &za, a, ld,
                    b, ld, &zb, c, (int)ldc);
    } else {
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)l, (int)k, alpha, a,
                    ld, b, ld, beta, c, (int)ldc);
    }
}

/* X(r, c) += (s_r != s_c ? p : q)(r, c) for the m x l block X at (i0, j0);
 * p and q are m x l with leading dimension m. */
static void add_selected(schur_sign *f, int64_t i0, int64_t j0, int64_t m, int64_t l,
                         const double *p, const double *q) {
    const int64_t parts = f->dt == MF_C128 ? 2 : 1;
    for (int64_t c = 0; c < l; c++)
        for (int64_t r = 0; r < m; r++) {
            const double *src = f->sg[i0 + r] != f->sg[j0 + c] ? p : q;
            double *x = at(f, f->u, i0 + r, j0 + c);
            for (int64_t e = 0; e < parts; e++)
                x[e] += src[parts * (r + c * m) + e];
        }
}

/* Solve for X = U(i0:i1, j0:j1), holding its right-hand side. */
static void solve_block(schur_sign *f, int64_t i0, int64_t i1, int64_t j0, int64_t j1) {
    const int64_t m = i1 - i0, l = j1 - j0, parts = f->dt == MF_C128 ? 2 : 1;
    if (m <= SIGN_TRI_BASE && l <= SIGN_TRI_BASE) {
        if (f->dt == MF_C128)
            kernel_complex(f, i0, i1, j0, j1);
        else
            kernel_real(f, i0, i1, j0, j1);
        return;
    }
    if (m >= l) {
        /* bottom rows first; R1 -= (T or U)(i0:h, h:i1) X2 */
        const int64_t h = split_point(f, i0, i1), m1 = h - i0;
        solve_block(f, h, i1, j0, j1);
        double *p = f->w, *q = f->w + parts * m1 * l;
        gemm(f, m1, i1 - h, l, -1.0, at(f, f->t, i0, h), at(f, f->u, h, j0), 0.0, p, m1);
        gemm(f, m1, i1 - h, l, -1.0, at(f, f->u, i0, h), at(f, f->u, h, j0), 0.0, q, m1);
        add_selected(f, i0, j0, m1, l, p, q);
        solve_block(f, i0, h, j0, j1);
    } else {
        /* left columns first; Rb += Xa T(j0:h, h:j1) or -= Xa U(j0:h, h:j1) */
        const int64_t h = split_point(f, j0, j1), l1 = j1 - h;
        solve_block(f, i0, i1, j0, h);
        double *p = f->w, *q = f->w + parts * m * l1;
        gemm(f, m, h - j0, l1, 1.0, at(f, f->u, i0, j0), at(f, f->t, j0, h), 0.0, p, m);
        gemm(f, m, h - j0, l1, -1.0, at(f, f->u, i0, j0), at(f, f->u, j0, h), 0.0, q, m);
        add_selected(f, i0, h, m, l1, p, q);
        solve_block(f, i0, i1, h, j1);
    }
}

/* Right-hand side of the coupling block X = U(lo:mid, mid:hi): U11 T12 -
 * T12 U22 where the signs differ, 0 where they agree. */
static void coupling_rhs(schur_sign *f, int64_t lo, int64_t mid, int64_t hi) {
    const int64_t m = mid - lo, l = hi - mid, parts = f->dt == MF_C128 ? 2 : 1;
    double *p = f->w, *q = f->w + parts * m * l;
    for (int64_t c = 0; c < l; c++)
        memcpy(p + parts * c * m, at(f, f->t, lo, mid + c), (size_t)(parts * m) * sizeof(double));
    memcpy(q, p, (size_t)(parts * m * l) * sizeof(double));
    const int mi = (int)m, li = (int)l, ld = (int)f->n;
    if (f->dt == MF_C128) {
        const mf__zdouble one = 1.0;
        cblas_ztrmm(CblasColMajor, CblasLeft, CblasUpper, CblasNoTrans, CblasNonUnit, mi, li, &one,
                    at(f, f->u, lo, lo), ld, p, mi);
        cblas_ztrmm(CblasColMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit, mi, li, &one,
                    at(f, f->u, mid, mid), ld, q, mi);
    } else {
        cblas_dtrmm(CblasColMajor, CblasLeft, CblasUpper, CblasNoTrans, CblasNonUnit, mi, li, 1.0,
                    at(f, f->u, lo, lo), ld, p, mi);
        cblas_dtrmm(CblasColMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit, mi, li, 1.0,
                    at(f, f->u, mid, mid), ld, q, mi);
    }
    for (int64_t c = 0; c < l; c++)
        for (int64_t r = 0; r < m; r++) {
            const bool differ = f->sg[lo + r] != f->sg[mid + c];
            double *x = at(f, f->u, lo + r, mid + c);
            for (int64_t e = 0; e < parts; e++) {
                const int64_t k = parts * (r + c * m) + e;
                x[e] = differ ? p[k] - q[k] : 0.0;
            }
        }
}

/* U(lo:hi, lo:hi) = sign(T(lo:hi, lo:hi)). */
static void sign_tri(schur_sign *f, int64_t lo, int64_t hi) {
    if (hi - lo <= (pair_at(f, lo, hi) ? 2 : 1)) {
        for (int64_t i = lo; i < hi; i++)
            *at(f, f->u, i, i) = f->sg[i];
        return;
    }
    const int64_t mid = split_point(f, lo, hi);
    sign_tri(f, lo, mid);
    sign_tri(f, mid, hi);
    coupling_rhs(f, lo, mid, hi);
    solve_block(f, lo, mid, mid, hi);
}

mf_status mf__signm_schur(const char *fn, const mf_matrix *A, double *s) {
    const int64_t n = A->rows;
    const size_t es = mf__elem_size(A->dtype);
    schur_sign f = {fn, A->dtype, n, mf__packed_copy(A, A->dtype), mf__alloc_array(n * n, es),
                    mf__alloc_array(n * n, es), mf__alloc_array(n * n, es),
                    mf__alloc_array(n, sizeof(double))};
    mf_status st = MF_OK;
    if (f.t == NULL || f.z == NULL || f.u == NULL || f.w == NULL || f.sg == NULL) {
        st = mf__fail(MF_ENOMEM, fn, "cannot allocate Schur workspace (n = %lld)", (long long)n);
        goto done;
    }
    const double tol = (double)n * MF_U64 * mf__iter_norm1(f.dt, n, f.t);
    if ((st = mf__schur_factor(fn, f.dt, n, f.t, n, f.z, n)) != MF_OK)
        goto done;
    if ((st = eigenvalue_signs(&f, tol)) != MF_OK)
        goto done;
    memset(f.u, 0, (size_t)(n * n) * es);
    sign_tri(&f, 0, n);
    mf__iss_back_transform(f.dt, n, f.z, f.u, f.w, s);
    const double snorm = mf__iter_norm1(f.dt, n, s);
    if (!(snorm * snorm * (double)n * MF_U64 < 1.0))
        st = mf__fail(MF_EDOMAIN, fn, "||sign(A)||_1 = %.3g: sign(A) is so ill-conditioned that "
                      "it is not defined to working precision (A is within roundoff of a matrix "
                      "with an eigenvalue on the imaginary axis)", snorm);
done:
    mf__free(f.sg);
    mf__free(f.w);
    mf__free(f.u);
    mf__free(f.z);
    mf__free(f.t);
    return st;
}
