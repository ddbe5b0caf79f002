/*
 * Private: dense building blocks of the GEMM-rich matrix iterations of the
 * funcs module: the scaled Newton / Newton-Schulz sign iteration (signm.c)
 * and the scaled product-form Denman-Beavers square root (sqrtm_iter.c).
 *
 * Matrices are n x n column-major workspaces with leading dimension n, of
 * dtype MF_F64 or MF_C128 (1 <= n <= INT_MAX, checked by the callers). Every
 * scalar these iterations multiply by is real, so the kernels take real
 * scalars and element-wise work runs over the underlying doubles.
 */
#ifndef MF_FUNCS_ITERATION_H
#define MF_FUNCS_ITERATION_H

#include <stdbool.h>
#include <stdint.h>

#include "internal.h"

/* Workspace of repeated LU inversions of n x n matrices. */
typedef struct mf__inverter {
    int32_t dt;
    int n;
    int *ipiv;
    double *work; /* ?getri workspace */
    int lwork;
} mf__inverter;

/* Query ?getri and allocate; MF_ENOMEM, MF_EBACKEND. inv is safe to free
 * after any outcome. */
mf_status mf__inverter_init(const char *fn, int32_t dt, int64_t n, mf__inverter *inv);
void mf__inverter_free(mf__inverter *inv);

/* y = x^-1 by ?getrf + ?getri; x is not modified. *log_abs_det = log|det x|
 * from the pivots (a sum of logarithms, so no overflow). An exactly
 * singular x (a zero pivot) returns MF_OK with *singular set and y
 * meaningless. MF_EBACKEND. */
mf_status mf__invert(const char *fn, mf__inverter *inv, const double *x, double *y,
                     double *log_abs_det, bool *singular);

/* c = alpha a b + beta c. */
void mf__iter_gemm(int32_t dt, int64_t n, double alpha, const double *a, const double *b,
                   double beta, double *c);
/* ||a||_1, the largest column sum of moduli. */
double mf__iter_norm1(int32_t dt, int64_t n, const double *a);
/* ||a||_F (column 2-norms by ?nrm2 combined by hypot: no overflow). */
double mf__iter_norm_fro(int32_t dt, int64_t n, const double *a);
/* y += alpha x (column by column: no int overflow for n^2 > INT_MAX). */
void mf__iter_axpy(int32_t dt, int64_t n, double alpha, const double *x, double *y);
/* a = s a + t I. */
void mf__iter_scale_shift(int32_t dt, int64_t n, double s, double t, double *a);
/* Are all entries of a finite? */
bool mf__iter_finite(int32_t dt, int64_t n, const double *a);

#endif /* MF_FUNCS_ITERATION_H */
