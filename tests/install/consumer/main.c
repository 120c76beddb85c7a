/* SPDX-License-Identifier: MIT */
/* Uses the installed headers and library: one reserve/commit/release round trip. */
#include <strata.h>

#include <stdio.h>

int main(void)
{
    const strata_platform_info *info = strata_platform_get_info();
    void *base = NULL;
    if (strata_platform_reserve(info->page_size, 0, NULL, &base) != STRATA_OK ||
        strata_platform_commit(base, info->page_size, STRATA_ACCESS_READ | STRATA_ACCESS_WRITE) != STRATA_OK) {
        return 1;
    }
    *(volatile char *)base = 1;
    if (strata_platform_release(base, info->page_size) != STRATA_OK) {
        return 1;
    }
    printf("consumer ok: page size %zu\n", info->page_size);
    return 0;
}
