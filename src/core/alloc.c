/*
 * The one allocation hook. Each block carries a small header recording its
 * size so that live and peak workspace can be counted per thread; tests use
 * mf__alloc_fail_at to make the k-th allocation fail.
 */
#define _DEFAULT_SOURCE /* madvise */
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "internal.h"

/* Header size keeps the payload 64-byte aligned (cache line, AVX-512). */
#define MF_ALLOC_ALIGN 64

typedef struct block_header {
    size_t bytes;
} block_header;

static _Thread_local mf__alloc_stats stats;
static _Thread_local int64_t fail_at_call; /* 0 = never */

void mf__alloc_fail_at(int64_t k) { fail_at_call = k > 0 ? stats.calls + k : 0; }

void mf__alloc_stats_reset(void) {
    stats.calls = 0;
    stats.peak_bytes = stats.live_bytes;
    fail_at_call = 0;
}

mf__alloc_stats mf__alloc_stats_get(void) { return stats; }

/* Blocks from this size on are asked to be backed by transparent huge
 * pages. A large block comes fresh from mmap on every call (glibc serves
 * blocks above 32 MiB that way, and returns freed ones to the system), so
 * every 4 KiB page of it faults on first touch (with the kernel zeroing
 * each): for mf_expm at n = 1024 on one thread that was about an eighth
 * of the call's time (docs/performance.md); with 2 MiB pages a block
 * faults 512 times less often. Where the system keeps huge pages on
 * "always" this is what happens anyway; on "never" it does nothing. */
#define HUGE_PAGE_MIN ((size_t)4 << 20)

static void advise_huge_pages(unsigned char *raw, size_t total) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    const uintptr_t page = 4096, start = ((uintptr_t)raw + page - 1) & ~(page - 1);
    const uintptr_t end = ((uintptr_t)raw + total) & ~(page - 1);
    if (end > start)
        (void)madvise((void *)start, end - start, MADV_HUGEPAGE); /* advice only */
#else
    (void)raw;
    (void)total;
#endif
}

void *mf__alloc(size_t bytes) {
    stats.calls++;
    if (fail_at_call != 0 && stats.calls == fail_at_call)
        return NULL;
    if (bytes > SIZE_MAX - 2 * MF_ALLOC_ALIGN)
        return NULL;
    size_t total = (bytes + MF_ALLOC_ALIGN) + (MF_ALLOC_ALIGN - 1);
    total -= total % MF_ALLOC_ALIGN;
    unsigned char *raw = aligned_alloc(MF_ALLOC_ALIGN, total);
    if (raw == NULL)
        return NULL;
    if (total >= HUGE_PAGE_MIN)
        advise_huge_pages(raw, total);
    ((block_header *)raw)->bytes = bytes;
    stats.live_blocks++;
    stats.live_bytes += (int64_t)bytes;
    if (stats.live_bytes > stats.peak_bytes)
        stats.peak_bytes = stats.live_bytes;
    return raw + MF_ALLOC_ALIGN;
}

void *mf__alloc_array(int64_t count, size_t elem_size) {
    if (count < 0 || (count > 0 && (uint64_t)count > (SIZE_MAX / 2) / elem_size))
        return NULL;
    return mf__alloc((size_t)count * elem_size);
}

void mf__free(void *p) {
    if (p == NULL)
        return;
    unsigned char *raw = (unsigned char *)p - MF_ALLOC_ALIGN;
    stats.live_blocks--;
    stats.live_bytes -= (int64_t)((block_header *)raw)->bytes;
    free(raw);
}
