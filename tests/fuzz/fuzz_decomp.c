/* libFuzzer harness: decompositions (see fuzz_common.h for the decoding and
 * the invariants). Residuals: P A = L U, A X = B, Q R = A. */
#include "fuzz_common.h"

#define SENT (-1.25e301)

/* Output dtype: mostly the input's, sometimes the other one (F64 -> C128 is
 * legal, C128 -> F64 is MF_EDTYPE). */
static int32_t out_dtype(fz_ctx *c, int32_t in) {
    return (fz_byte(c) & 3) == 0 ? (in == MF_F64 ? MF_C128 : MF_F64) : in;
}

static void check_lu(const mf_matrix *A, const mf_matrix *L, const mf_matrix *U,
                     const int64_t *perm) {
    const double scale = fz_max_abs(A) + 1.0;
    for (int64_t i = 0; i < A->rows; i++)
        for (int64_t j = 0; j < A->cols; j++) {
            double sr = 0, si = 0, lr, li, ur, ui, ar, ai;
            for (int64_t l = 0; l < L->cols; l++) {
                fz_get(L, i, l, &lr, &li);
                fz_get(U, l, j, &ur, &ui);
                sr += lr * ur - li * ui;
                si += lr * ui + li * ur;
            }
            fz_get(A, perm[i], j, &ar, &ai);
            if (hypot(sr - ar, si - ai) > 1e-12 * scale * (double)(A->rows + 1))
                FZ_FAIL("mf_lu: P A != L U at (%lld, %lld)", (long long)i, (long long)j);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fz_ctx c;
    fz_init(&c, data, size);
    const int sel = fz_byte(&c) % 17;
    const int64_t m = fz_dim(&c, 6), n = fz_dim(&c, 6), k = m < n ? m : n;
    const int32_t dt = fz_dtype(&c);
    double sc[4] = {SENT, SENT, SENT, SENT}, sent[4] = {SENT, SENT, SENT, SENT};
    int64_t perm[8], perm0[8];
    for (int i = 0; i < 8; i++)
        perm[i] = perm0[i] = -77;
    mf_status st = MF_OK;
    const char *fn = "?";
    mf_matrix *A = fz_input(&c, sel == 0 || sel == 7 || sel == 8 || sel == 10 || sel == 11 ? m : n,
                            n, dt);
    const int64_t ar = A->rows;
    switch (sel) {
    case 0: {
        const int32_t od = out_dtype(&c, dt);
        mf_matrix *L = fz_output(&c, ar, k, od, A), *U = fz_output(&c, k, n, od, A);
        const bool use_l = fz_byte(&c) & 1;
        fz_snapshot(&c);
        fn = "mf_lu";
        c.overflow_documented = true;
        st = mf_lu(A, fz_opt(&c, L, use_l), U, perm);
        fz_check(&c, fn, st, NULL, NULL, 0);
        if (st == MF_OK && use_l && !c.hostile && L->data != A->data && U->data != A->data)
            check_lu(A, L, U, perm);
        break;
    }
    case 1: {
        const int64_t r = fz_dim(&c, 3);
        mf_matrix *B = fz_input(&c, n, r, fz_dtype(&c));
        mf_matrix *X = fz_output(&c, n, r, out_dtype(&c, B->dtype), B);
        const bool distinct = X->data != B->data;
        fz_snapshot(&c);
        fn = "mf_solve";
        st = mf_solve(A, B, X);
        fz_check(&c, fn, st, NULL, NULL, 0);
        if (st == MF_OK && !c.hostile && distinct) {
            const double bound = 1e-11 * (double)(n + 1) *
                                 (fz_max_abs(A) * fz_max_abs(X) * (double)(n + 1) + fz_max_abs(B));
            if (fz_product_diff(A, X, B) > bound)
                FZ_FAIL("mf_solve: residual %g above %g", fz_product_diff(A, X, B), bound);
        }
        break;
    }
    case 2:
        fz_snapshot(&c);
        fn = "mf_det";
        st = mf_det(A, &sc[0], (fz_byte(&c) & 1) ? &sc[1] : NULL);
        fz_check(&c, fn, st, sc, sent, 2);
        break;
    case 3:
        fz_snapshot(&c);
        fn = "mf_logdet";
        st = mf_logdet(A, &sc[0], &sc[1], (fz_byte(&c) & 1) ? &sc[2] : NULL);
        fz_check(&c, fn, st, sc, sent, 3);
        break;
    case 4: {
        mf_matrix *X = fz_output(&c, n, n, out_dtype(&c, dt), A);
        fz_snapshot(&c);
        fn = "mf_inv";
        st = mf_inv(A, X);
        fz_check(&c, fn, st, NULL, NULL, 0);
        break;
    }
    case 5:
        fz_snapshot(&c);
        fn = "mf_rcond";
        st = mf_rcond(A, fz_byte(&c) % 4, &sc[0]);
        fz_check(&c, fn, st, sc, sent, 1);
        break;
    case 6:
        fz_snapshot(&c);
        fn = "mf_cond";
        st = mf_cond(A, fz_byte(&c) % 8, &sc[0]);
        fz_check(&c, fn, st, sc, sent, 1);
        break;
    case 7:
    case 8: {
        const bool full = fz_byte(&c) & 1;
        const int32_t od = out_dtype(&c, dt);
        const int64_t qc = full ? ar : k;
        mf_matrix *Q = fz_output(&c, ar, qc, od, A), *R = fz_output(&c, qc, n, od, A);
        const bool use_q = fz_byte(&c) & 3;
        const double tol = fz_value(&c);
        fz_snapshot(&c);
        if (sel == 7) {
            fn = "mf_qr";
            st = mf_qr(A, fz_opt(&c, Q, use_q), R);
        } else {
            fn = "mf_qr_pivoted";
            int64_t rank = -5;
            st = mf_qr_pivoted(A, tol, fz_opt(&c, Q, use_q), R, perm, &rank);
            if (st != MF_OK && rank != -5)
                FZ_FAIL("mf_qr_pivoted failed but wrote rank");
        }
        fz_check(&c, fn, st, NULL, NULL, 0);
        if (sel == 7 && st == MF_OK && use_q && !c.hostile && Q->data != A->data &&
            R->data != A->data && fz_product_diff(Q, R, A) > 1e-12 * (fz_max_abs(A) + 1) * 8)
            FZ_FAIL("mf_qr: Q R != A");
        break;
    }
    case 9: {
        mf_matrix *L = fz_output(&c, n, n, out_dtype(&c, dt), A);
        fz_snapshot(&c);
        fn = "mf_cholesky";
        st = mf_cholesky(A, L);
        fz_check(&c, fn, st, NULL, NULL, 0);
        break;
    }
    case 10: {
        const int32_t od = out_dtype(&c, dt);
        const bool full = fz_byte(&c) & 1;
        mf_matrix *S = fz_output(&c, k, 1, MF_F64, A);
        mf_matrix *U = fz_output(&c, ar, full ? ar : k, od, A);
        mf_matrix *V = fz_output(&c, full ? n : k, n, od, A);
        const uint8_t which = fz_byte(&c);
        fz_snapshot(&c);
        fn = "mf_svd";
        st = mf_svd(A, fz_opt(&c, U, which & 1), S, fz_opt(&c, V, which & 2));
        fz_check(&c, fn, st, NULL, NULL, 0);
        break;
    }
    case 11: {
        const int32_t od = out_dtype(&c, dt);
        mf_matrix *U = fz_output(&c, ar, n, od, A), *H = fz_output(&c, n, n, od, A);
        const bool use_h = fz_byte(&c) & 1;
        fz_snapshot(&c);
        fn = "mf_polar_ex";
        mf_polar_info info;
        st = mf_polar_ex(A, U, fz_opt(&c, H, use_h), &info);
        fz_check(&c, fn, st, NULL, NULL, 0);
        break;
    }
    case 12:
    case 13: {
        const int which = fz_byte(&c) % 5;
        const int64_t kk = fz_dim(&c, 7);
        const double lo = fz_value(&c), hi = fz_value(&c);
        const int64_t wr = sel == 12 || which == MF_EIGH_INTERVAL ? n : kk;
        mf_matrix *w = fz_output(&c, wr, 1, MF_F64, A);
        mf_matrix *V = fz_output(&c, n, wr, out_dtype(&c, dt), A);
        const bool use_v = fz_byte(&c) & 1;
        fz_snapshot(&c);
        if (sel == 12) {
            fn = "mf_eigh";
            st = mf_eigh(A, w, fz_opt(&c, V, use_v));
        } else {
            fn = "mf_eigh_select";
            int64_t count = -5;
            if (getenv("FZ_VERBOSE"))
                fprintf(stderr, "which %d k %lld lo %g hi %g\n", which, (long long)kk, lo, hi);
            st = mf_eigh_select(A, which, kk, lo, hi, w, fz_opt(&c, V, use_v), &count);
        }
        fz_check(&c, fn, st, NULL, NULL, 0);
        break;
    }
    case 14:
    case 15: {
        mf_matrix *w = fz_output(&c, n, 1, (fz_byte(&c) & 7) ? MF_C128 : MF_F64, A);
        mf_matrix *V = fz_output(&c, n, n, MF_C128, A);
        mf_matrix *VL = fz_output(&c, n, n, MF_C128, A);
        mf_matrix *rw = fz_output(&c, n, 1, MF_F64, A);
        const uint8_t which = fz_byte(&c);
        fz_snapshot(&c);
        if (sel == 14) {
            fn = "mf_eig";
            st = mf_eig(A, w, fz_opt(&c, V, which & 1));
        } else {
            fn = "mf_eig_ex";
            st = mf_eig_ex(A, w, fz_opt(&c, V, which & 1), fz_opt(&c, VL, which & 2),
                           fz_opt(&c, rw, which & 4));
        }
        fz_check(&c, fn, st, NULL, NULL, 0);
        break;
    }
    default: {
        const int32_t od = out_dtype(&c, dt);
        mf_matrix *T = fz_output(&c, n, n, od, A), *Z = fz_output(&c, n, n, od, A);
        const bool use_z = fz_byte(&c) & 1;
        fz_snapshot(&c);
        fn = "mf_schur";
        st = mf_schur(A, T, fz_opt(&c, Z, use_z));
        fz_check(&c, fn, st, NULL, NULL, 0);
        break;
    }
    }
    if (st != MF_OK && memcmp(perm, perm0, sizeof perm) != 0)
        FZ_FAIL("%s failed but wrote perm", fn);
    fz_free(&c);
    return 0;
}
