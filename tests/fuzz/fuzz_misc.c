/* libFuzzer harness: norms, estimators, descriptors and views, and the
 * matrix-valued Hessian utilities (see fuzz_common.h). */
#include "fuzz_common.h"

#define SENT (-1.25e301)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fz_ctx c;
    fz_init(&c, data, size);
    const int sel = fz_byte(&c) % 12;
    const int64_t m = fz_dim(&c, 7), n = fz_dim(&c, 7);
    const int32_t dt = fz_dtype(&c);
    double sc[4] = {SENT, SENT, SENT, SENT}, sent[4] = {SENT, SENT, SENT, SENT};
    unsigned char blob[64], blob0[64];
    memset(blob, 0xA5, sizeof blob);
    memcpy(blob0, blob, sizeof blob);
    mf_status st = MF_OK;
    const char *fn = "?";
    const bool sq = sel >= 1 && sel != 3 && sel != 4 && sel != 5 && sel != 9;
    mf_matrix *A = fz_input(&c, sq ? n : m, n, sel >= 6 && (fz_byte(&c) & 7) ? MF_F64 : dt);
    switch (sel) {
    case 0: {
        const int kind = fz_byte(&c) % 8;
        fz_snapshot(&c);
        fn = "mf_norm";
        c.overflow_documented = true;
        st = mf_norm(A, kind, &sc[0]);
        fz_check(&c, fn, st, sc, sent, 1);
        if (st == MF_OK && !(sc[0] >= 0 && isfinite(sc[0])))
            FZ_FAIL("mf_norm = %g", sc[0]);
        break;
    }
    case 1: {
        const int64_t t = (int64_t)(int8_t)fz_byte(&c);
        fz_snapshot(&c);
        fn = "mf_normest1";
        st = mf_normest1(A, t, &sc[0]);
        fz_check(&c, fn, st, sc, sent, 1);
        break;
    }
    case 2: {
        const int64_t p = (int64_t)(int8_t)fz_byte(&c);
        fz_snapshot(&c);
        fn = "mf_normest1_pow";
        st = mf_normest1_pow(A, p, &sc[0]);
        fz_check(&c, fn, st, sc, sent, 1);
        break;
    }
    case 3:
    case 4:
    case 5: {
        /* Views: arbitrary (also negative or huge) arguments. */
        mf_matrix v;
        memset(&v, 0x5C, sizeof v);
        const mf_matrix v0 = v;
        int64_t args[4];
        for (int k = 0; k < 4; k++) {
            const uint8_t b = fz_byte(&c);
            args[k] = (b & 0x80) ? (int64_t)(int8_t)b * ((int64_t)1 << (fz_byte(&c) % 56))
                                 : (int64_t)(b % 9);
        }
        fz_snapshot(&c);
        if (sel == 3) {
            fn = "mf_view";
            st = mf_view(&v, A->data, args[0], args[1], args[2], args[3],
                         (int32_t)(fz_byte(&c) % 4));
        } else if (sel == 4) {
            fn = "mf_view_block";
            st = mf_view_block(&v, A, args[0], args[1], args[2], args[3]);
        } else {
            fn = "mf_view_colmajor";
            st = mf_view_colmajor(&v, A->data, args[0], args[1], args[2], dt);
        }
        fz_check(&c, fn, st, NULL, NULL, 0);
        if (st != MF_OK && memcmp(&v, &v0, sizeof v) != 0)
            FZ_FAIL("%s failed but wrote its output", fn);
        if (st == MF_OK && (v.rows < 0 || v.cols < 0 || v.rs < 1 || v.cs < 1))
            FZ_FAIL("%s made an invalid view", fn);
        if (st == MF_OK && sel == 4) {
            mf_matrix t;
            if (mf_view_transpose(&t, &v) != MF_OK || t.rows != v.cols || t.rs != v.cs)
                FZ_FAIL("mf_view_transpose of a valid view");
            double s = SENT;
            st = mf_norm(&v, MF_NORM_MAX, &s); /* reads every element of the block */
            fz_check(&c, "mf_norm (block)", st, NULL, NULL, 0);
        }
        break;
    }
    case 6: {
        mf_inertia_options o = {0};
        o.method = fz_byte(&c) % 3;
        o.rtol = (fz_byte(&c) & 1) ? fz_value(&c) : 0.0;
        fz_snapshot(&c);
        fn = "mf_inertia_ex";
        st = mf_inertia_ex(A, &o, (mf_inertia_counts *)blob);
        fz_check(&c, fn, st, NULL, NULL, 0);
        break;
    }
    case 7:
    case 8: {
        mf_matrix *g = fz_input(&c, n, 1, (fz_byte(&c) & 7) ? MF_F64 : MF_C128);
        mf_matrix *p = fz_output(&c, n, 1, MF_F64, g);
        fz_snapshot(&c);
        if (sel == 7) {
            fn = "mf_classify_critical_point";
            st = mf_classify_critical_point(g, A, (mf_critical_info *)blob);
        } else {
            mf_newton_options o = {0};
            o.method = fz_byte(&c) % 3;
            fn = "mf_newton_step_ex";
            st = mf_newton_step_ex(A, g, &o, p, (mf_newton_info *)blob);
        }
        fz_check(&c, fn, st, NULL, NULL, 0);
        break;
    }
    case 9: {
        mf_matrix *G = fz_output(&c, n, n, MF_F64, A);
        fz_snapshot(&c);
        fn = "mf_gauss_newton";
        st = mf_gauss_newton(A, G);
        fz_check(&c, fn, st, NULL, NULL, 0);
        break;
    }
    case 10: {
        mf_matrix *w = fz_input(&c, n, 1, MF_F64), *grid = fz_input(&c, m, 1, MF_F64);
        mf_matrix *d = fz_output(&c, m, 1, MF_F64, grid);
        const double sigma = fz_value(&c);
        mf_matrix nodes = *A;
        nodes.cols = n > 0 ? 1 : 0;
        fz_snapshot(&c);
        fn = "mf_slq_density";
        c.overflow_documented = true;
        st = mf_slq_density(&nodes, w, sigma, grid, d);
        fz_check(&c, fn, st, NULL, NULL, 0);
        break;
    }
    default: {
        mf_matrix a;
        memset(&a, 0x5C, sizeof a);
        fn = "mf_alloc";
        fz_snapshot(&c);
        st = mf_alloc(&a, (int64_t)(int8_t)fz_byte(&c), n, (int32_t)(fz_byte(&c) % 4));
        fz_check(&c, fn, st, NULL, NULL, 0);
        if (st == MF_OK)
            mf_free(&a);
        break;
    }
    }
    if (st != MF_OK && memcmp(blob, blob0, sizeof blob) != 0)
        FZ_FAIL("%s failed but wrote its result struct", fn);
    fz_free(&c);
    return 0;
}
