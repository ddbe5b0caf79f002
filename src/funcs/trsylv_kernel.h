/*
 * Private: what the two triangular Sylvester kernels (trsylv_real.c,
 * trsylv_complex.c) compile with. Include it once, first, in those files
 * only: it turns on floating-point contraction for the rest of the file.
 */
#ifndef MF_FUNCS_TRSYLV_KERNEL_H
#define MF_FUNCS_TRSYLV_KERNEL_H

/* Multiply-adds fuse into FMA where the target has it. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=fast")
#elif defined(__clang__)
#pragma clang fp contract(fast)
#endif

/* The kernels are compiled for AVX-512, AVX2+FMA and baseline x86-64 and
 * picked at load time (the distribution build targets baseline x86-64). */
#if defined(__GNUC__) && defined(__x86_64__) && defined(__linux__)
#define MF_TARGET_CLONES __attribute__((target_clones("arch=skylake-avx512", "arch=haswell", "default")))
#else
#define MF_TARGET_CLONES
#endif
#define ALWAYS_INLINE static inline __attribute__((always_inline))

/* Complete unrolling of the tile loops (constant indices keep the tile's
 * unknowns in registers); GCC when optimizing only: at -O0, and in clang,
 * the request can fail with a warning (an error under -Werror). */
#if defined(__GNUC__) && !defined(__clang__) && defined(__OPTIMIZE__)
#define MF_PRAGMA(x) _Pragma(#x)
#define UNROLL(n) MF_PRAGMA(GCC unroll n)
#else
#define UNROLL(n)
#endif

/* Rows and columns of a tile of unknowns solved in registers. */
#define TILE 4

/* f(q, ...) with the tile width q (1 .. TILE) as a literal, so that f's
 * loops over the tile's columns unroll. */
#define WITH_LITERAL_WIDTH(f, q, ...)                                                              \
    do {                                                                                           \
        switch (q) {                                                                               \
        case 1: f(1, __VA_ARGS__); break;                                                          \
        case 2: f(2, __VA_ARGS__); break;                                                          \
        case 3: f(3, __VA_ARGS__); break;                                                          \
        default: f(4, __VA_ARGS__); break;                                                         \
        }                                                                                          \
    } while (0)

/* Eight and four doubles, moved with memcpy (see expm_small.c). */
typedef double v8 __attribute__((vector_size(64)));
typedef double v4 __attribute__((vector_size(32)));

#endif /* MF_FUNCS_TRSYLV_KERNEL_H */
