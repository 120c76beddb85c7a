/* SPDX-License-Identifier: MIT */
/*
 * strata/version.h — strata's version, the one place it is written.
 *
 * The build reads these three numbers (CMakeLists.txt), so the CMake
 * package, the pkg-config files, the shared library's version and the
 * packages all carry the same one. Numbering follows semantic versioning;
 * before 1.0 a minor release may change the interface (CHANGELOG.md says how).
 */
#ifndef STRATA_VERSION_H
#define STRATA_VERSION_H

#define STRATA_VERSION_MAJOR 0
#define STRATA_VERSION_MINOR 5
#define STRATA_VERSION_PATCH 0

/* "MAJOR.MINOR.PATCH" as a string literal, for the headers a program was built with. */
#define STRATA_VERSION_STRINGIFY_(value) #value
#define STRATA_VERSION_STRINGIFY(value) STRATA_VERSION_STRINGIFY_(value)
#define STRATA_VERSION_STRING                                                      \
    STRATA_VERSION_STRINGIFY(STRATA_VERSION_MAJOR)                                 \
    "." STRATA_VERSION_STRINGIFY(STRATA_VERSION_MINOR) "." STRATA_VERSION_STRINGIFY( \
        STRATA_VERSION_PATCH)

/* One number that orders versions: MAJOR * 10000 + MINOR * 100 + PATCH. */
#define STRATA_VERSION_NUMBER \
    (STRATA_VERSION_MAJOR * 10000 + STRATA_VERSION_MINOR * 100 + STRATA_VERSION_PATCH)

#include <strata/platform.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * strata_version — the version of the strata library the program runs on,
 * as "MAJOR.MINOR.PATCH" (compare with STRATA_VERSION_STRING to detect a
 * shared library other than the one the program was built against).
 * Never fails; the string is static and must not be freed. Thread-safe.
 */
STRATA_API const char *strata_version(void);

#ifdef __cplusplus
}
#endif

#endif /* STRATA_VERSION_H */
