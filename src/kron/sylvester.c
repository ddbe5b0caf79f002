/*
 * Sylvester and continuous Lyapunov equations by the Bartels-Stewart method
 * (R. H. Bartels and G. W. Stewart, Algorithm 432, CACM 15(9), 1972):
 * reduce A and B to Schur form, solve the triangular equation, transform
 * back. The triangular phase is LAPACK's level-3 ?trsyl3 (the recursive
 * blocked method of I. Jonsson and B. Kagstrom, ACM TOMS 28(4), 2002, with
 * the overflow-safe scaling of A. Schwarz, C. C. Kjelgaard Mikkelsen and
 * L. Karlsson); ?trsyl (level 2) when the LAPACK at build time lacks it.
 */
#include <float.h>
#include <math.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>

#include "decomp/schur.h"
#include "kron_internal.h"
#include "sylvester_internal.h"

typedef double _Complex zdouble;

/* ------------------------------------------------------------------ */
/* Schur forms                                                          */
/* ------------------------------------------------------------------ */

void mf__schur_release(mf__schur *s) {
    mf__free(s->t);
    mf__free(s->z);
    mf__free(s->w);
    s->t = s->z = NULL;
    s->w = NULL;
}

/* ?gees with Schur vectors and no ordering: a workspace query, then the
 * factorization in place of s->t. */
static mf_status run_gees(const char *fn, mf__schur *s, double *wr, double *wi) {
    const int n = s->n, ld = n > 1 ? n : 1;
    const bool cplx = s->dt == MF_C128;
    int sdim = 0, info;
    double query[2] = {0.0, 0.0};
    if (cplx)
        info = LAPACKE_zgees_work(LAPACK_COL_MAJOR, 'V', 'N', NULL, n, (lapack_complex_double *)s->t,
                                  ld, &sdim, (lapack_complex_double *)s->w,
                                  (lapack_complex_double *)s->z, ld, (lapack_complex_double *)query,
                                  -1, wr, NULL);
    else
        info = LAPACKE_dgees_work(LAPACK_COL_MAJOR, 'V', 'N', NULL, n, s->t, ld, &sdim, wr, wi, s->z,
                                  ld, query, -1, NULL);
    mf_status st = mf__lapack_info(fn, cplx ? "zgees" : "dgees", info);
    if (st != MF_OK)
        return st;
    const int64_t lwork = mf__lwork_from_query(query[0]);
    double *work = mf__alloc_array(lwork, mf__elem_size(s->dt));
    if (work == NULL)
        return mf__fail(MF_ENOMEM, fn, "cannot allocate Schur workspace (n = %d)", n);
    if (cplx)
        info = LAPACKE_zgees_work(LAPACK_COL_MAJOR, 'V', 'N', NULL, n, (lapack_complex_double *)s->t,
                                  ld, &sdim, (lapack_complex_double *)s->w,
                                  (lapack_complex_double *)s->z, ld, (lapack_complex_double *)work,
                                  (int)lwork, wr, NULL);
    else
        info = LAPACKE_dgees_work(LAPACK_COL_MAJOR, 'V', 'N', NULL, n, s->t, ld, &sdim, wr, wi, s->z,
                                  ld, work, (int)lwork, NULL);
    mf__free(work);
    if ((st = mf__lapack_info(fn, cplx ? "zgees" : "dgees", info)) != MF_OK)
        return st;
    if (info > 0)
        return mf__fail(MF_ENOCONV, fn, "the QR algorithm of %s did not converge (info %d)",
                        cplx ? "zgees" : "dgees", info);
    return MF_OK;
}

static mf_status schur_in_own_arithmetic(const char *fn, const char *arg, const mf_matrix *M,
                                         int32_t dt, mf__schur *s) {
    s->n = (int)M->rows;
    s->dt = dt;
    const int64_t n = s->n, nn = n * n > 0 ? n * n : 1;
    s->t = mf__packed_copy(M, dt);
    s->z = mf__alloc_array(nn, mf__elem_size(dt));
    s->w = mf__alloc_array(n > 0 ? n : 1, sizeof(zdouble));
    /* real: wr, wi; complex: rwork of n doubles */
    double *wr = mf__alloc_array(2 * (n > 0 ? n : 1), sizeof(double));
    mf_status st = MF_OK;
    if (s->t == NULL || s->z == NULL || s->w == NULL || wr == NULL)
        st = mf__fail(MF_ENOMEM, fn, "cannot allocate the Schur form of %s (%lld x %lld)", arg,
                      (long long)n, (long long)n);
    if (st == MF_OK && n > 0)
        st = run_gees(fn, s, wr, wr + n);
    if (st == MF_OK && dt == MF_F64)
        for (int64_t i = 0; i < n; i++)
            s->w[i] = CMPLX(wr[i], wr[n + i]);
    mf__free(wr);
    if (st != MF_OK)
        mf__schur_release(s);
    return st;
}

/* A real matrix wanted in complex Schur form: the real Schur form (?gees in
 * real arithmetic, about 4x fewer flops than zgees) made triangular by one
 * complex rotation per 2 x 2 block (O(n^2) per block). */
static mf_status schur_real_then_complex(const char *fn, const char *arg, const mf_matrix *M,
                                         mf__schur *s) {
    mf__schur r = {NULL, NULL, NULL, 0, MF_F64};
    mf_status st = schur_in_own_arithmetic(fn, arg, M, MF_F64, &r);
    if (st != MF_OK)
        return st;
    const int64_t n = r.n, nn = n * n > 0 ? n * n : 1;
    s->n = r.n;
    s->dt = MF_C128;
    s->t = mf__alloc_array(nn, 2 * sizeof(double));
    s->z = mf__alloc_array(nn, 2 * sizeof(double));
    s->w = mf__alloc_array(n > 0 ? n : 1, sizeof(zdouble));
    if (s->t == NULL || s->z == NULL || s->w == NULL) {
        st = mf__fail(MF_ENOMEM, fn, "cannot allocate the Schur form of %s (%lld x %lld)", arg,
                      (long long)n, (long long)n);
        mf__schur_release(s);
    } else {
        const int64_t ld = n > 1 ? n : 1;
        mf__schur_real_to_complex(n, r.t, ld, r.z, ld, s->t, ld, s->z, ld);
        /* the eigenvalues in the order of the new diagonal */
        for (int64_t i = 0; i < n; i++)
            s->w[i] = ((const zdouble *)s->t)[i + i * n];
    }
    mf__schur_release(&r);
    return st;
}

mf_status mf__schur_compute(const char *fn, const char *arg, const mf_matrix *M, int32_t dt,
                            mf__schur *s) {
    if (dt == MF_C128 && M->dtype == MF_F64)
        return schur_real_then_complex(fn, arg, M, s);
    return schur_in_own_arithmetic(fn, arg, M, dt, s);
}

/* ------------------------------------------------------------------ */
/* Moving between bases                                                 */
/* ------------------------------------------------------------------ */

static void gemm_op(int32_t dt, bool adj_a, bool adj_b, int m, int n, int k, const double *a,
                    int lda, const double *b, int ldb, double *c, int ldc) {
    if (dt == MF_C128) {
        const double one[2] = {1.0, 0.0}, zero[2] = {0.0, 0.0};
        cblas_zgemm(CblasColMajor, adj_a ? CblasConjTrans : CblasNoTrans,
                    adj_b ? CblasConjTrans : CblasNoTrans, m, n, k, one, a, lda, b, ldb, zero, c,
                    ldc);
    } else {
        cblas_dgemm(CblasColMajor, adj_a ? CblasTrans : CblasNoTrans,
                    adj_b ? CblasTrans : CblasNoTrans, m, n, k, 1.0, a, lda, b, ldb, 0.0, c, ldc);
    }
}

void mf__similarity(int32_t dt, int m, int n, const double *a, bool a_adjoint, const double *b,
                    const double *c, bool c_adjoint, double *tmp, double *y) {
    if (m == 0 || n == 0)
        return;
    gemm_op(dt, a_adjoint, false, m, n, m, a, m, b, m, tmp, m);
    gemm_op(dt, false, c_adjoint, m, n, n, tmp, m, c, n, y, m);
}

/* ------------------------------------------------------------------ */
/* Hermitian right-hand sides and results                               */
void mf__symmetrize(int32_t dt, int n, double *y) {
    if (dt == MF_C128) {
        zdouble *z = (zdouble *)y;
        for (int j = 0; j < n; j++) {
            z[j + (size_t)j * n] = creal(z[j + (size_t)j * n]);
            for (int i = j + 1; i < n; i++) {
                zdouble v = 0.5 * (z[i + (size_t)j * n] + conj(z[j + (size_t)i * n]));
                z[i + (size_t)j * n] = v;
                z[j + (size_t)i * n] = conj(v);
            }
        }
        return;
    }
    for (int j = 0; j < n; j++)
        for (int i = j + 1; i < n; i++) {
            double v = 0.5 * (y[i + (size_t)j * n] + y[j + (size_t)i * n]);
            y[i + (size_t)j * n] = v;
            y[j + (size_t)i * n] = v;
        }
}

/* ------------------------------------------------------------------ */
/* The triangular equation                                              */
/* ------------------------------------------------------------------ */

/* Smallest |λ_i + μ_j| over all pairs. The operator X -> S X + X T has
 * exactly these eigenvalues, so a (near) zero means a (near) singular
 * equation. O(m n), negligible next to the Schur forms. */
static double min_eigen_sum(const mf__schur *sa, const mf__schur *sb, bool b_adjoint) {
    /* |z| >= max(|Re z|, |Im z|), so the modulus (a hypot: over- and
     * underflow-safe but slow) is taken only for pairs that may beat the
     * best so far */
    double best = INFINITY;
    for (int j = 0; j < sb->n; j++) {
        const double mr = creal(sb->w[j]), mi = b_adjoint ? -cimag(sb->w[j]) : cimag(sb->w[j]);
        for (int i = 0; i < sa->n; i++) {
            const double re = fabs(creal(sa->w[i]) + mr), im = fabs(cimag(sa->w[i]) + mi);
            if ((re > im ? re : im) < best) {
                const double d = hypot(re, im);
                best = d < best ? d : best;
            }
        }
    }
    return best;
}

static double fro_norm(int32_t dt, int n, const double *a) {
    if (n == 0)
        return 0.0;
    return dt == MF_C128 ? LAPACKE_zlange_work(LAPACK_COL_MAJOR, 'F', n, n,
                                               (const lapack_complex_double *)a, n, NULL)
                         : LAPACKE_dlange_work(LAPACK_COL_MAJOR, 'F', n, n, a, n, NULL);
}

#if MF_HAVE_TRSYL3
/* ?trsyl3: workspace query (sizes come back in iwork[0] and swork[0..1]),
 * then the solve. */
static int trsyl_run(int32_t dt, char tranb, int m, int n, const double *s, const double *t,
                     double *f, double *scale, int *bad_alloc) {
    const int lds = m > 1 ? m : 1, ldt = n > 1 ? n : 1;
    double squery[2] = {0.0, 0.0};
    int iquery = 0, info;
    *bad_alloc = 0;
    if (dt == MF_C128)
        info = LAPACKE_ztrsyl3_work(LAPACK_COL_MAJOR, 'N', tranb, 1, m, n,
                                    (const lapack_complex_double *)s, lds,
                                    (const lapack_complex_double *)t, ldt,
                                    (lapack_complex_double *)f, lds, scale, squery, -1);
    else
        info = LAPACKE_dtrsyl3_work(LAPACK_COL_MAJOR, 'N', tranb, 1, m, n, s, lds, t, ldt, f, lds,
                                    scale, &iquery, -1, squery, -1);
    if (info < 0)
        return info;
    const int64_t rows = mf__lwork_from_query(squery[0]), cols = mf__lwork_from_query(squery[1]);
    const int64_t ldsw = rows > 2 ? rows : 2, liwork = iquery > 1 ? iquery : 1;
    double *swork = mf__alloc_array(ldsw * cols, sizeof(double));
    int *iwork = mf__alloc_array(liwork, sizeof(int));
    if (swork == NULL || iwork == NULL) {
        mf__free(swork);
        mf__free(iwork);
        *bad_alloc = 1;
        return 0;
    }
    if (dt == MF_C128)
        info = LAPACKE_ztrsyl3_work(LAPACK_COL_MAJOR, 'N', tranb, 1, m, n,
                                    (const lapack_complex_double *)s, lds,
                                    (const lapack_complex_double *)t, ldt,
                                    (lapack_complex_double *)f, lds, scale, swork, (int)ldsw);
    else
        info = LAPACKE_dtrsyl3_work(LAPACK_COL_MAJOR, 'N', tranb, 1, m, n, s, lds, t, ldt, f, lds,
                                    scale, iwork, (int)liwork, swork, (int)ldsw);
    mf__free(swork);
    mf__free(iwork);
    return info;
}
#define TRSYL_NAME(cplx) ((cplx) ? "ztrsyl3" : "dtrsyl3")
#else
static int trsyl_run(int32_t dt, char tranb, int m, int n, const double *s, const double *t,
                     double *f, double *scale, int *bad_alloc) {
    const int lds = m > 1 ? m : 1, ldt = n > 1 ? n : 1;
    *bad_alloc = 0;
    if (dt == MF_C128)
        return LAPACKE_ztrsyl_work(LAPACK_COL_MAJOR, 'N', tranb, 1, m, n,
                                   (const lapack_complex_double *)s, lds,
                                   (const lapack_complex_double *)t, ldt,
                                   (lapack_complex_double *)f, lds, scale);
    return LAPACKE_dtrsyl_work(LAPACK_COL_MAJOR, 'N', tranb, 1, m, n, s, lds, t, ldt, f, lds, scale);
}
#define TRSYL_NAME(cplx) ((cplx) ? "ztrsyl" : "dtrsyl")
#endif

/* Undo ?trsyl's scaling: the solution is x / scale. MF_EOVERFLOW when that
 * is not representable (or when anything overflowed on the way). */
static mf_status unscale(const char *fn, int32_t dt, int64_t count, double scale, double *x) {
    const int64_t parts = dt == MF_C128 ? 2 : 1;
    for (int64_t i = 0; i < parts * count; i++) {
        if (!isfinite(x[i]) || (scale < 1.0 && fabs(x[i]) > scale * DBL_MAX))
            return mf__fail(MF_EOVERFLOW, fn, "the solution is not representable in double "
                            "precision (LAPACK scaled it by %.3g to avoid overflow)", scale);
    }
    if (scale != 1.0)
        for (int64_t i = 0; i < parts * count; i++)
            x[i] /= scale;
    return MF_OK;
}

/* S Y + Y op(T) = F in place of f, with the singularity rule and the
 * scaling undone. op(T) = T^H when b_adjoint (Lyapunov: T is S). */
static mf_status solve_triangular(const char *fn, const char *pair, const mf__schur *sa,
                                  const mf__schur *sb, bool b_adjoint, double *f) {
    const int m = sa->n, n = sb->n;
    const bool cplx = sa->dt == MF_C128;
    const double gap = min_eigen_sum(sa, sb, b_adjoint);
    const double bound = (double)(m > n ? m : n) * MF_U64 *
                         (fro_norm(sa->dt, m, sa->t) + fro_norm(sb->dt, n, sb->t));
    if (gap <= bound)
        return mf__fail(MF_ESINGULAR, fn, "the equation is singular to working precision: %s "
                        "share an eigenvalue (min |λ_i + μ_j| = %.3g <= %.3g = max(m,n) u "
                        "(||A||_F + ||B||_F))", pair, gap, bound);
    double scale = 1.0;
    int bad_alloc = 0;
    const char tranb = b_adjoint ? (cplx ? 'C' : 'T') : 'N';
    int info = trsyl_run(sa->dt, tranb, m, n, sa->t, sb->t, f, &scale, &bad_alloc);
    if (bad_alloc)
        return mf__fail(MF_ENOMEM, fn, "cannot allocate %s workspace (%d x %d)", TRSYL_NAME(cplx),
                        m, n);
    mf_status st = mf__lapack_info(fn, TRSYL_NAME(cplx), info);
    if (st != MF_OK)
        return st;
    if (info > 0)
        return mf__fail(MF_ESINGULAR, fn, "the equation is singular to working precision: %s have "
                        "common or very close eigenvalues (%s had to perturb them, info %d)", pair,
                        TRSYL_NAME(cplx), info);
    return unscale(fn, sa->dt, (int64_t)m * n, scale, f);
}

/* The whole method for validated arguments. sb == NULL means B = A^H
 * (Lyapunov), so one Schur form serves both sides. */
static mf_status bartels_stewart(const char *fn, const char *pair, const mf__schur *sa,
                                 const mf__schur *sb_or_null, const mf_matrix *C, bool symmetrize,
                                 mf_matrix *X) {
    const bool b_adjoint = sb_or_null == NULL;
    const mf__schur *sb = b_adjoint ? sa : sb_or_null;
    const int32_t dt = sa->dt;
    const int m = sa->n, n = sb->n;
    const int64_t len = (int64_t)m * n > 0 ? (int64_t)m * n : 1;
    double *c = mf__packed_copy(C, dt), *f = mf__alloc_array(len, mf__elem_size(dt));
    double *tmp = mf__alloc_array(len, mf__elem_size(dt));
    mf_status st = MF_OK;
    if (c == NULL || f == NULL || tmp == NULL)
        st = mf__fail(MF_ENOMEM, fn, "cannot allocate %d x %d right-hand side workspace", m, n);
    if (st == MF_OK) {
        /* F = U^H C V, with V = U for Lyapunov */
        mf__similarity(dt, m, n, sa->z, true, c, sb->z, false, tmp, f);
        st = solve_triangular(fn, pair, sa, sb, b_adjoint, f);
    }
    if (st == MF_OK) {
        /* X = U Y V^H */
        mf__similarity(dt, m, n, sa->z, false, f, sb->z, true, tmp, c);
        if (symmetrize)
            mf__symmetrize(dt, m, c);
        mf__unpack(c, m > 1 ? m : 1, dt, X);
    }
    mf__free(c);
    mf__free(f);
    mf__free(tmp);
    return st;
}

static int32_t arithmetic3(const mf_matrix *A, const mf_matrix *B, const mf_matrix *C) {
    const mf_matrix *ins[] = {A, B, C};
    return kron__arithmetic(ins, 3);
}

mf_status mf__sylvester_solve(const char *fn, const char *pair, const mf_matrix *A,
                              const mf_matrix *B, const mf_matrix *C, mf_matrix *X) {
    if (mf__is_empty(X))
        return MF_OK;
    const int32_t dt = arithmetic3(A, B, C);
    mf__schur sa = {NULL, NULL, NULL, 0, dt}, sb = {NULL, NULL, NULL, 0, dt};
    mf_status st = mf__schur_compute(fn, "A", A, dt, &sa);
    if (st == MF_OK)
        st = mf__schur_compute(fn, "B", B, dt, &sb);
    if (st == MF_OK)
        st = bartels_stewart(fn, pair, &sa, &sb, C, false, X);
    mf__schur_release(&sa);
    mf__schur_release(&sb);
    return st;
}

/* ------------------------------------------------------------------ */
/* Public entry points                                                  */
/* ------------------------------------------------------------------ */

/* C is A's order x B's order, or B's order x A's order when b_by_a. */
static mf_status check_coupled_shape(const char *fn, const mf_matrix *A, const mf_matrix *B,
                                     const mf_matrix *C, bool b_by_a) {
    const int64_t rows = b_by_a ? B->rows : A->rows, cols = b_by_a ? A->rows : B->rows;
    if (C->rows == rows && C->cols == cols)
        return MF_OK;
    return mf__fail(MF_EDIM, fn, "C is %lld x %lld; with A %lld x %lld and B %lld x %lld it must "
                    "be %lld x %lld%s", (long long)C->rows, (long long)C->cols, (long long)A->rows,
                    (long long)A->cols, (long long)B->rows, (long long)B->cols, (long long)rows,
                    (long long)cols, b_by_a ? " (B's order x A's order)" : "");
}

mf_status mf__check_coupled_solve_args(const char *fn, const mf_matrix *A, const mf_matrix *B,
                                       const mf_matrix *C, mf_matrix *X, bool c_b_by_a) {
    mf_status st = mf__check_input(fn, "A", A);
    if (st == MF_OK)
        st = mf__check_input(fn, "B", B);
    if (st == MF_OK)
        st = mf__check_input(fn, "C", C);
    if (st == MF_OK)
        st = mf__check_square(fn, "A", A);
    if (st == MF_OK)
        st = mf__check_square(fn, "B", B);
    if (st == MF_OK)
        st = check_coupled_shape(fn, A, B, C, c_b_by_a);
    if (st == MF_OK)
        st = mf__check_output(fn, "X", X, C->rows, C->cols);
    const mf_matrix *ins[] = {A, B, C};
    if (st == MF_OK)
        st = kron__check_out_dtype(fn, ins, 3, "X", X);
    if (st == MF_OK) {
        const mf__arg outs[] = {{"X", X}}, in_args[] = {{"A", A}, {"B", B}, {"C", C}};
        st = mf__check_aliasing(fn, outs, 1, in_args, 3);
    }
    if (st == MF_OK)
        st = mf__check_lapack_dim(fn, "A", A->rows);
    if (st == MF_OK)
        st = mf__check_lapack_dim(fn, "B", B->rows);
    if (st == MF_OK)
        st = mf__check_finite(fn, "A", A);
    if (st == MF_OK)
        st = mf__check_finite(fn, "B", B);
    if (st == MF_OK)
        st = mf__check_finite(fn, "C", C);
    return st;
}

mf_status mf_sylvester(const mf_matrix *A, const mf_matrix *B, const mf_matrix *C, mf_matrix *X) {
    static const char fn[] = "mf_sylvester";
    mf_status st = mf__check_coupled_solve_args(fn, A, B, C, X, false); /* C: A order x B order */
    if (st != MF_OK)
        return st;
    return mf__sylvester_solve(fn, "A and -B", A, B, C, X);
}

mf_status mf__check_lyapunov_args(const char *fn, const mf_matrix *A, const mf_matrix *Q,
                                  mf_matrix *X) {
    mf_status st = mf__check_input(fn, "A", A);
    if (st == MF_OK)
        st = mf__check_input(fn, "Q", Q);
    if (st == MF_OK)
        st = mf__check_square(fn, "A", A);
    if (st == MF_OK && (Q->rows != A->rows || Q->cols != A->rows))
        st = mf__fail(MF_EDIM, fn, "Q is %lld x %lld; it must have A's shape %lld x %lld",
                      (long long)Q->rows, (long long)Q->cols, (long long)A->rows,
                      (long long)A->cols);
    if (st == MF_OK)
        st = mf__check_output(fn, "X", X, A->rows, A->rows);
    const mf_matrix *ins[] = {A, Q};
    if (st == MF_OK)
        st = kron__check_out_dtype(fn, ins, 2, "X", X);
    if (st == MF_OK) {
        const mf__arg outs[] = {{"X", X}}, in_args[] = {{"A", A}, {"Q", Q}};
        st = mf__check_aliasing(fn, outs, 1, in_args, 2);
    }
    if (st == MF_OK)
        st = mf__check_lapack_dim(fn, "A", A->rows);
    if (st == MF_OK)
        st = mf__check_finite(fn, "A", A);
    if (st == MF_OK)
        st = mf__check_finite(fn, "Q", Q);
    return st;
}

mf_status mf_lyapunov(const mf_matrix *A, const mf_matrix *Q, mf_matrix *X) {
    static const char fn[] = "mf_lyapunov";
    mf_status st = mf__check_lyapunov_args(fn, A, Q, X);
    if (st != MF_OK || mf__is_empty(X))
        return st;
    const mf_matrix *ins[] = {A, Q};
    const int32_t dt = kron__arithmetic(ins, 2);
    const bool hermitian_q = mf__is_hermitian(Q);
    mf__schur sa = {NULL, NULL, NULL, 0, dt};
    st = mf__schur_compute(fn, "A", A, dt, &sa);
    if (st == MF_OK)
        st = bartels_stewart(fn, "A and -A^H", &sa, NULL, Q, hermitian_q, X);
    mf__schur_release(&sa);
    return st;
}
