/* SPDX-License-Identifier: MIT */
/*
 * tests/crt/programs/plugin.c — a library loaded and unloaded at run time
 * that allocates when loaded, hands blocks to its loader, frees the
 * loader's blocks, and frees its own when unloaded.
 */
#include <stdlib.h>
#include <string.h>

static char *kept;

__attribute__((constructor)) static void on_load(void)
{
    kept = malloc(4096);
    memset(kept, 'k', 4096);
}

__attribute__((destructor)) static void on_unload(void)
{
    free(kept);
}

char *plugin_make(size_t size)
{
    char *block = malloc(size + 1);
    memset(block, 'p', size);
    block[size] = '\0';
    return block;
}

void plugin_take(char *block)
{
    free(block);
}

size_t plugin_kept_length(void)
{
    return strspn(kept, "k");
}
