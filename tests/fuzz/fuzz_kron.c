/* libFuzzer harness: Kronecker products, structured solves, Sylvester and
 * Lyapunov equations (see fuzz_common.h). mf_kron of real operands is
 * checked entry by entry (each entry is one exact product). */
#include "fuzz_common.h"

static int32_t out_dtype(fz_ctx *c, int32_t in) {
    return (fz_byte(c) & 3) == 0 ? (in == MF_F64 ? MF_C128 : MF_F64) : in;
}

static int32_t join(const mf_matrix *a, const mf_matrix *b) {
    return a->dtype == MF_C128 || b->dtype == MF_C128 ? MF_C128 : MF_F64;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fz_ctx c;
    fz_init(&c, data, size);
    const int sel = fz_byte(&c) % 12;
    const int64_t m = fz_dim(&c, 4), n = fz_dim(&c, 4), p = fz_dim(&c, 4), q = fz_dim(&c, 4);
    const bool square = sel != 0 && sel != 2 && sel != 3 && sel != 4;
    mf_matrix *A = fz_input(&c, m, square ? m : n, fz_dtype(&c));
    mf_matrix *B = fz_input(&c, p, square ? p : (sel == 2 ? n : q), fz_dtype(&c));
    const int32_t od = out_dtype(&c, join(A, B));
    /* All but the applied products (mf_kron_matmul, mf_kron_matvec) document
     * MF_EOVERFLOW, so a success must be finite even from hostile inputs. */
    c.overflow_documented = sel != 3 && sel != 4;
    mf_status st = MF_OK;
    const char *fn = "?";
    switch (sel) {
    case 0: {
        mf_matrix *K = fz_output(&c, m * p, n * q, od, A);
        fz_snapshot(&c);
        fn = "mf_kron";
        st = mf_kron(A, B, K);
        fz_check(&c, fn, st, NULL, NULL, 0);
        if (st == MF_OK && K->data != A->data && K->data != B->data && od == MF_F64)
            for (int64_t i = 0; i < m; i++)
                for (int64_t j = 0; j < n; j++)
                    for (int64_t k = 0; k < p; k++)
                        for (int64_t l = 0; l < q; l++) {
                            const double want = *fz_elem(A, i, j) * *fz_elem(B, k, l);
                            if (memcmp(&want, fz_elem(K, i * p + k, j * q + l), sizeof want) != 0)
                                FZ_FAIL("mf_kron: wrong entry");
                        }
        break;
    }
    case 1:
    case 10: {
        mf_matrix *K = fz_output(&c, m * p, m * p, od, A);
        fz_snapshot(&c);
        fn = sel == 1 ? "mf_kronsum" : "mf_kronsum_expm";
        st = sel == 1 ? mf_kronsum(A, B, K) : mf_kronsum_expm(A, B, K);
        fz_check(&c, fn, st, NULL, NULL, 0);
        break;
    }
    case 2: {
        mf_matrix *K = fz_output(&c, m * p, n, od, A);
        fz_snapshot(&c);
        fn = "mf_khatri_rao";
        st = mf_khatri_rao(A, B, K);
        fz_check(&c, fn, st, NULL, NULL, 0);
        break;
    }
    case 3: {
        mf_matrix *X = fz_input(&c, q, n, fz_dtype(&c));
        mf_matrix *Y = fz_output(&c, p, m, out_dtype(&c, join(A, X) == MF_C128 ? MF_C128 : od), X);
        fz_snapshot(&c);
        fn = "mf_kron_matmul";
        st = mf_kron_matmul(A, B, X, Y);
        fz_check(&c, fn, st, NULL, NULL, 0);
        break;
    }
    case 4: {
        /* Up to three factors: A, B and A again. */
        const int64_t k = 1 + fz_byte(&c) % 3;
        mf_matrix f[3] = {*A, *B, *A};
        int64_t rows = 1, cols = 1;
        for (int64_t t = 0; t < k; t++) {
            rows *= f[t].rows;
            cols *= f[t].cols;
        }
        const int64_t r = fz_dim(&c, 2);
        mf_matrix *X = fz_input(&c, cols, r, fz_dtype(&c));
        mf_matrix *Y = fz_output(&c, rows, r, out_dtype(&c, join(A, X) == MF_C128 ? MF_C128 : od),
                                 X);
        fz_snapshot(&c);
        fn = "mf_kron_matvec";
        st = mf_kron_matvec(k, f, X, Y);
        fz_check(&c, fn, st, NULL, NULL, 0);
        break;
    }
    default: {
        /* Solves: C p x m for the Kronecker forms, m x p for Sylvester, m x m
         * for the Lyapunov equations (A and B are then both used as A, Q). */
        const bool lyap = sel == 8 || sel == 9;
        const int64_t cr = sel == 7 ? m : (lyap ? m : p), cc = sel == 7 ? p : m;
        mf_matrix *C = fz_input(&c, cr, cc, fz_dtype(&c));
        const int32_t cd = out_dtype(&c, join(A, C) == MF_C128 || B->dtype == MF_C128 ? MF_C128
                                                                                        : MF_F64);
        mf_matrix *X = fz_output(&c, cr, cc, cd, C);
        fz_snapshot(&c);
        switch (sel) {
        case 5: fn = "mf_kron_solve"; st = mf_kron_solve(A, B, C, X); break;
        case 6: fn = "mf_kronsum_solve"; st = mf_kronsum_solve(A, B, C, X); break;
        case 7: fn = "mf_sylvester"; st = mf_sylvester(A, B, C, X); break;
        case 8: fn = "mf_lyapunov"; st = mf_lyapunov(A, C, X); break;
        case 9: fn = "mf_lyapunov_discrete"; st = mf_lyapunov_discrete(A, C, X); break;
        default: fn = "mf_kronsum_expm_matmul"; st = mf_kronsum_expm_matmul(A, B, C, X); break;
        }
        fz_check(&c, fn, st, NULL, NULL, 0);
        break;
    }
    }
    fz_free(&c);
    return 0;
}
