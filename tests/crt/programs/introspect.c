/* SPDX-License-Identifier: MIT */
/*
 * tests/crt/programs/introspect.c — glibc's malloc introspection calls,
 * answered by strata when it is preloaded: mallinfo2 sees ten blocks of
 * 1000 bytes come and go, malloc_info writes strata's XML and refuses
 * options other than 0, malloc_stats writes the statistics to stderr.
 */
#define _GNU_SOURCE /* open_memstream */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* volatile: the compiler may not drop a malloc and free pair it can see. */
static void *volatile blocks[10];

int main(void)
{
    struct mallinfo2 before = mallinfo2();
    for (int i = 0; i < 10; i++)
        blocks[i] = malloc(1000);
    struct mallinfo2 during = mallinfo2();
    for (int i = 0; i < 10; i++)
        free(blocks[i]);
    struct mallinfo2 after = mallinfo2();
    printf("in use: +%zu, then +%zu\n", during.uordblks - before.uordblks, after.uordblks - before.uordblks);
    printf("arena covers what is in use: %s\n", during.arena >= during.uordblks ? "yes" : "no");

    char *text = NULL;
    size_t size = 0;
    FILE *stream = open_memstream(&text, &size);
    int result = malloc_info(0, stream);
    fclose(stream);
    printf("malloc_info: %d, %s\n", result,
           strncmp(text, "<malloc version=\"strata-1\">\n", 28) == 0 && strstr(text, "</malloc>\n") != NULL ? "strata's"
                                                                                                             : text);
    free(text);
    errno = 0;
    result = malloc_info(1, stdout);
    printf("malloc_info(1): %d, errno %s\n", result, errno == EINVAL ? "EINVAL" : "other");
    fflush(stdout);
    malloc_stats();
    return 0;
}
