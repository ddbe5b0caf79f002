/*
 * Loader for the sqrtm/signm reference data (format: see gen_sqrtm.py).
 * Header-only, for tests/test_funcs_sqrtm.c, tests/test_funcs_signm.c and,
 * with the table of gen_iterations.py, tests/test_funcs_sqrtm_iter.c.
 */
#ifndef MF_TESTS_SQRTM_REF_LOAD_H
#define MF_TESTS_SQRTM_REF_LOAD_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "sqrtm_ref.h"

typedef struct ref_case {
    char name[64];
    char func[8];
    int64_t n;
    int32_t input;  /* MF_F64 or MF_C128 */
    bool real_ok;   /* an F64 result exists (else MF_ENOTREAL) */
    double cond;    /* relative condition number, Frobenius norm */
    tz *a, *f;      /* n x n column-major, malloc'd */
} ref_case;

/* Read n*n "re im" lines starting at lines[*k] into a new array. */
static tz *ref_read_matrix(const char *const *lines, int64_t n, int *k) {
    tz *m = tz_alloc(n * n);
    for (int64_t e = 0; e < n * n; e++) {
        const char *line = lines[(*k)++];
        assert_non_null(line);
        char *end;
        const double re = strtod(line, &end), im = strtod(end, NULL);
        m[e] = CMPLX(re, im);
    }
    return m;
}

/* All cases of function func ("sqrtm" or "signm") in a table of lines
 * (NULL-terminated); returns the count. */
static int ref_load_lines(const char *const *lines, const char *func, ref_case *cases,
                          int max_cases) {
    int count = 0;
    ref_case c;
    memset(&c, 0, sizeof c);
    for (int k = 0; lines[k] != NULL;) {
        const char *line = lines[k++];
        char word[16] = "", arg[64] = "";
        if (line[0] == '#' || sscanf(line, "%15s %63s", word, arg) < 1)
            continue;
        if (strcmp(word, "case") == 0) {
            memset(&c, 0, sizeof c);
            snprintf(c.name, sizeof c.name, "%s", arg);
        } else if (strcmp(word, "func") == 0) {
            snprintf(c.func, sizeof c.func, "%.7s", arg);
        } else if (strcmp(word, "n") == 0) {
            c.n = atoll(arg);
        } else if (strcmp(word, "input") == 0) {
            c.input = strcmp(arg, "C128") == 0 ? MF_C128 : MF_F64;
        } else if (strcmp(word, "real_status") == 0) {
            c.real_ok = strcmp(arg, "OK") == 0;
        } else if (strcmp(word, "cond") == 0) {
            c.cond = strtod(arg, NULL);
        } else if (strcmp(word, "A") == 0) {
            c.a = ref_read_matrix(lines, c.n, &k);
        } else if (strcmp(word, "F") == 0) {
            c.f = ref_read_matrix(lines, c.n, &k);
        } else if (strcmp(word, "end") == 0) {
            if (strcmp(c.func, func) == 0 && count < max_cases) {
                cases[count++] = c;
            } else {
                free(c.a);
                free(c.f);
            }
            memset(&c, 0, sizeof c);
        }
    }
    assert_true(count > 0);
    return count;
}

/* The cases of func in gen_sqrtm.py's table. */
static inline int ref_load(const char *func, ref_case *cases, int max_cases) {
    return ref_load_lines(sqrtm_ref_lines, func, cases, max_cases);
}

static void ref_free(ref_case *cases, int count) {
    for (int k = 0; k < count; k++) {
        free(cases[k].a);
        free(cases[k].f);
    }
}

#endif /* MF_TESTS_SQRTM_REF_LOAD_H */
