/*
 * demo/strata_demo.c — strata's main demo: what the platform layer reports
 * and a reserve → commit → write → decommit → recommit → release round trip.
 * Later layers add their own sections.
 */
#include <strata.h>

#include <stdio.h>
#include <string.h>

static int check(strata_status status, const char *step)
{
    printf("  %-34s %s\n", step, strata_status_name(status));
    return status == STRATA_OK ? 0 : 1;
}

int main(void)
{
    const strata_platform_info *info = strata_platform_get_info();
    printf("strata platform layer\n");
    printf("  page size                          %zu bytes\n", info->page_size);
    printf("  allocation granularity             %zu bytes\n", info->allocation_granularity);
    printf("  partial release                    %s\n", info->can_release_partially ? "yes" : "no");
    printf("  processors                         %u\n", info->processor_count);

    printf("\nround trip: reserve 1 MiB, commit 64 KiB of it\n");
    size_t reserved = (size_t)1 << 20, committed = (size_t)64 << 10;
    void *base = NULL;
    int failures = check(strata_platform_reserve(reserved, 0, NULL, &base), "reserve 1 MiB");
    if (failures) {
        return 1;
    }
    printf("  reserved at                        %p\n", base);
    failures += check(strata_platform_commit(base, committed, STRATA_PAGE_READ | STRATA_PAGE_WRITE),
                      "commit 64 KiB read-write");
    unsigned char *bytes = base;
    memset(bytes, 0xAB, committed);
    printf("  %-34s %s\n", "wrote 0xAB to every committed byte", bytes[committed - 1] == 0xAB ? "ok" : "FAILED");
    failures += check(strata_platform_decommit(base, committed), "decommit");
    failures += check(strata_platform_commit(base, committed, STRATA_PAGE_READ | STRATA_PAGE_WRITE),
                      "commit again");
    size_t nonzero = 0;
    for (size_t i = 0; i < committed; i++) {
        nonzero += bytes[i] != 0;
    }
    printf("  %-34s %s\n", "recommitted pages read as zero", nonzero == 0 ? "ok" : "FAILED");
    failures += nonzero != 0;
    failures += check(strata_platform_release(base, reserved), "release");
    printf("\n%s\n", failures == 0 ? "demo finished: every step succeeded" : "demo FAILED");
    return failures == 0 ? 0 : 1;
}
