/* SPDX-License-Identifier: MIT */
/*
 * Uses the installed crt layer under its strata_ names (pkg-config
 * strata-crt): strata_malloc is strata's, while malloc stays the C
 * library's, which the crt's counters show.
 */
#include <strata/crt.h>
#include <strata/version.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    strata_crt_count(1);
    strata_crt_stats before, after_libc, after_strata;
    strata_crt_get_stats(&before);
    char *libc_block = malloc(100);
    strata_crt_get_stats(&after_libc);
    char *strata_block = strata_malloc(100);
    strata_crt_get_stats(&after_strata);
    if (libc_block == NULL || strata_block == NULL || after_libc.allocations != before.allocations ||
        after_strata.allocations != before.allocations + 1 || strcmp(strata_version(), STRATA_VERSION_STRING) != 0) {
        printf("crt consumer failed\n");
        return 1;
    }
    free(libc_block);
    strata_free(strata_block);
    printf("crt consumer ok: strata %s, malloc left to the C library\n", strata_version());
    return 0;
}
