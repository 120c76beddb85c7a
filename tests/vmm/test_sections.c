/* SPDX-License-Identifier: MIT */
/*
 * tests/vmm/test_sections.c — sections: the platform's shared-memory and
 * file-mapping primitives, then CreateFileMapping/MapViewOfFile semantics
 * over them (rights, views in the region tree, SEC_RESERVE, copy-on-write,
 * files, names in this process, in forks and in fresh processes).
 */
#if !defined(_WIN32)
#define _POSIX_C_SOURCE 200809L /* setenv */
#endif

#include <strata/vmm.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(_WIN32)
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#endif

#include "../support/child.h"
#include "../support/cmocka_all.h"
#include "../support/thread.h"

#define PAGE ((size_t)4096)
#define GRANULE ((size_t)65536)
#define RW STRATA_PAGE_READWRITE
#define NAME_VARIABLE "STRATA_TEST_SECTION_NAME"
#define PATH_VARIABLE "STRATA_TEST_SECTION_PATH"

/* ---- helpers ----------------------------------------------------------- */

/* A name no other test run uses: a stem, the clock and a counter. */
static void unique_name(char *out, size_t capacity, const char *stem)
{
    static unsigned counter;
    uint64_t now = strata_clock_monotonic_ns();
    /* %x of two halves: mingw checks strata_format's string as MSVCRT printf's, which lacks %zx. */
    strata_format(out, capacity, "strata-test.%s.%x%x.%u", stem, (unsigned)(now >> 32), (unsigned)now,
                  ++counter);
}

static void set_variable(const char *name, const char *value)
{
#if defined(_WIN32)
    SetEnvironmentVariableA(name, value);
#else
    setenv(name, value, 1);
#endif
}

/* The value of an environment variable in a child, or exits with `code`. */
static void get_variable(const char *name, char *out, size_t capacity, int code)
{
    size_t length;
    if (strata_env_get(name, out, capacity, &length) != STRATA_OK) {
        exit(code);
    }
}

static void write_file(const char *path, const void *bytes, size_t size)
{
    FILE *file = fopen(path, "wb");
    assert_non_null(file);
    assert_int_equal(fwrite(bytes, 1, size, file), size);
    assert_int_equal(fclose(file), 0);
}

/* Reads up to `capacity` bytes; returns how many the file had. */
static size_t read_file(const char *path, void *bytes, size_t capacity)
{
    FILE *file = fopen(path, "rb");
    assert_non_null(file);
    size_t got = fread(bytes, 1, capacity, file);
    fclose(file);
    return got;
}

static uint64_t file_length(const char *path)
{
    FILE *file = fopen(path, "rb");
    assert_non_null(file);
    assert_int_equal(fseek(file, 0, SEEK_END), 0);
    long length = ftell(file);
    fclose(file);
    return (uint64_t)length;
}

static strata_native_file open_file(const char *path, bool writable)
{
    strata_native_file file = STRATA_NO_FILE;
    assert_status(strata_platform_file_open(path, writable, STRATA_FILE_OPEN_EXISTING, &file), STRATA_OK);
    return file;
}

static void fill_pattern(unsigned char *bytes, size_t size, unsigned seed)
{
    for (size_t i = 0; i < size; i++) {
        bytes[i] = (unsigned char)(i * 7 + seed);
    }
}

static bool has_pattern(const unsigned char *bytes, size_t size, unsigned seed)
{
    for (size_t i = 0; i < size; i++) {
        if (bytes[i] != (unsigned char)(i * 7 + seed)) {
            return false;
        }
    }
    return true;
}

static strata_section *make_section(uint64_t size, uint32_t protect, uint32_t attributes)
{
    strata_section *section = NULL;
    bool existed = true;
    assert_status(strata_section_create(STRATA_NO_FILE, size, protect, attributes, NULL, &section, &existed),
                  STRATA_OK);
    assert_non_null(section);
    assert_false(existed);
    return section;
}

static unsigned char *map_view(strata_section *section, uint32_t access, uint64_t offset, size_t size)
{
    void *base = NULL;
    assert_status(strata_section_map(section, access, offset, size, NULL, &base), STRATA_OK);
    assert_non_null(base);
    assert_int_equal((uintptr_t)base % GRANULE, 0);
    return base;
}

static strata_vmm_region_info query(const void *address)
{
    strata_vmm_region_info info;
    assert_status(strata_vmm_query(address, &info), STRATA_OK);
    return info;
}

static void expect_child_exit(const char *name, bool fresh, int code)
{
    child_result result;
    assert_true(fresh ? child_run_fresh(name, &result) : child_run(name, &result));
    if (!result.exited || result.exit_code != code) {
        fail_msg("child %s: exited=%d code=%d signal=%d, wanted code %d; stderr:\n%s", name,
                 result.exited, result.exit_code, result.signal_number, code, result.output);
    }
}

/* ---- platform primitives ----------------------------------------------- */

static void test_platform_anonymous_object_views_share(void **state)
{
    (void)state;
    strata_shared shared;
    bool existed = true;
    assert_status(strata_platform_shared_create(NULL, 3 * PAGE, STRATA_ACCESS_READ | STRATA_ACCESS_WRITE,
                                                false, 42, &shared, &existed),
                  STRATA_OK);
    assert_false(existed);
    assert_int_equal(shared.size, 3 * PAGE);
    assert_int_equal(shared.tag, 42);
    assert_null(shared.header);
    const strata_access rw = STRATA_ACCESS_READ | STRATA_ACCESS_WRITE;
    void *one = NULL, *two = NULL, *copy = NULL;
    assert_status(strata_platform_shared_map(&shared, 0, 3 * PAGE, rw, false, GRANULE, NULL, &one), STRATA_OK);
    assert_status(strata_platform_shared_map(&shared, 0, 3 * PAGE, rw, false, GRANULE, NULL, &two), STRATA_OK);
    assert_status(strata_platform_shared_map(&shared, 0, 3 * PAGE, rw, true, GRANULE, NULL, &copy), STRATA_OK);
    assert_int_equal((uintptr_t)one % GRANULE, 0);
    assert_int_equal((uintptr_t)two % GRANULE, 0);
    assert_ptr_not_equal(one, two);
    memset(one, 0x5A, 3 * PAGE);
    assert_int_equal(((unsigned char *)two)[3 * PAGE - 1], 0x5A);
    ((unsigned char *)copy)[0] = 0x11; /* a private copy of the first page */
    assert_int_equal(((unsigned char *)one)[0], 0x5A);
    assert_int_equal(((unsigned char *)copy)[1], 0x5A);
    assert_status(strata_platform_shared_flush(one, 0), STRATA_OK);
    assert_status(strata_platform_shared_flush(one, 3 * PAGE), STRATA_OK);
    assert_status(strata_platform_shared_unmap(copy, 3 * PAGE), STRATA_OK);
    assert_status(strata_platform_shared_unmap(two, 3 * PAGE), STRATA_OK);
    /* A view outlives the object's record. */
    assert_status(strata_platform_shared_close(&shared), STRATA_OK);
    assert_int_equal(((unsigned char *)one)[PAGE], 0x5A);
    assert_status(strata_platform_shared_unmap(one, 3 * PAGE), STRATA_OK);
}

/* Whether the system keeps a WRITECOPY page's writes private: Windows
 * does; Wine writes them through to the object. */
static bool system_keeps_copies_private(void)
{
#if defined(_WIN32)
    HMODULE ntdll = GetModuleHandleA("ntdll.dll");
    return ntdll == NULL || GetProcAddress(ntdll, "wine_get_version") == NULL;
#else
    return true;
#endif
}

/* A page of a shared view made private: its writes stay its own, it keeps
 * what the object held, and before its first write (on Windows) or at once
 * (POSIX) it stops following the object; the other pages still share. */
static void test_platform_view_privatize(void **state)
{
    (void)state;
    const strata_access rw = STRATA_ACCESS_READ | STRATA_ACCESS_WRITE;
    strata_shared shared;
    assert_status(strata_platform_shared_create(NULL, 2 * PAGE, rw, false, 0, &shared, NULL), STRATA_OK);
    unsigned char *view = NULL, *other = NULL;
    assert_status(strata_platform_shared_map(&shared, 0, 2 * PAGE, rw, false, GRANULE, NULL, (void **)&view),
                  STRATA_OK);
    assert_status(strata_platform_shared_map(&shared, 0, 2 * PAGE, rw, false, GRANULE, NULL, (void **)&other),
                  STRATA_OK);
    memset(other, 0x21, 2 * PAGE);
    assert_status(strata_platform_view_privatize(view, PAGE, STRATA_ACCESS_READ), STRATA_E_INVALID_PARAMETER);
    assert_status(strata_platform_view_privatize(view + 1, PAGE, rw), STRATA_E_INVALID_ADDRESS);
    assert_status(strata_platform_view_privatize(view, PAGE, rw), STRATA_OK);
    view[0] = 0x42;
    assert_int_equal(view[0], 0x42);
    assert_int_equal(view[1], 0x21);
    if (system_keeps_copies_private())
        assert_int_equal(other[0], 0x21);
    view[PAGE] = 0x43; /* the second page still shares */
    assert_int_equal(other[PAGE], 0x43);
    assert_status(strata_platform_shared_unmap(other, 2 * PAGE), STRATA_OK);
    assert_status(strata_platform_shared_unmap(view, 2 * PAGE), STRATA_OK);
    assert_status(strata_platform_shared_close(&shared), STRATA_OK);
}

static void test_platform_access_and_arguments(void **state)
{
    (void)state;
    strata_shared shared;
    const strata_access rw = STRATA_ACCESS_READ | STRATA_ACCESS_WRITE;
    assert_status(strata_platform_shared_create(NULL, 0, rw, false, 0, &shared, NULL), STRATA_E_INVALID_PARAMETER);
    assert_status(strata_platform_shared_create(NULL, PAGE, STRATA_ACCESS_WRITE, false, 0, &shared, NULL),
                  STRATA_E_INVALID_PARAMETER);
    assert_status(strata_platform_shared_create(NULL, PAGE, rw, false, 0, NULL, NULL), STRATA_E_INVALID_PARAMETER);
    char long_name[300];
    memset(long_name, 'n', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    assert_status(strata_platform_shared_create(long_name, PAGE, rw, false, 0, &shared, NULL),
                  STRATA_E_INVALID_PARAMETER);
    assert_status(strata_platform_shared_open(NULL, &shared), STRATA_E_INVALID_PARAMETER);
    assert_status(strata_platform_shared_open("x", NULL), STRATA_E_INVALID_PARAMETER);

    /* A read-only object: no shared writable views, private copies are fine. */
    assert_status(strata_platform_shared_create(NULL, PAGE, STRATA_ACCESS_READ, false, 0, &shared, NULL), STRATA_OK);
    void *view = NULL;
    assert_status(strata_platform_shared_map(&shared, 0, PAGE, rw, false, 0, NULL, &view), STRATA_E_ACCESS_DENIED);
    assert_status(strata_platform_shared_map(&shared, 0, 2 * PAGE, STRATA_ACCESS_READ, false, 0, NULL, &view),
                  STRATA_E_INVALID_PARAMETER);
    assert_status(strata_platform_shared_map(&shared, PAGE, PAGE, STRATA_ACCESS_READ, false, 0, NULL, &view),
                  STRATA_E_INVALID_PARAMETER);
    assert_status(strata_platform_shared_map(&shared, 0, PAGE, rw, true, 0, NULL, &view), STRATA_OK);
    ((unsigned char *)view)[0] = 1;
    assert_status(strata_platform_shared_unmap(view, PAGE), STRATA_OK);
    assert_status(strata_platform_shared_close(&shared), STRATA_OK);
    assert_status(strata_platform_shared_close(NULL), STRATA_E_INVALID_PARAMETER);
}

static void test_platform_named_object_lifetime(void **state)
{
    (void)state;
    char name[128];
    unique_name(name, sizeof name, "platform/named%");
    const strata_access rw = STRATA_ACCESS_READ | STRATA_ACCESS_WRITE;
    strata_shared first, second, opened, probe;
    bool existed = true;
    assert_status(strata_platform_shared_open(name, &probe), STRATA_E_NOT_FOUND);
    assert_status(strata_platform_shared_create(name, 5000, rw, true, 7, &first, &existed), STRATA_OK);
    assert_false(existed);
    assert_non_null(first.header);
    /* The second maker gets the first one's object and parameters. */
    assert_status(strata_platform_shared_create(name, PAGE, STRATA_ACCESS_READ, false, 9, &second, &existed),
                  STRATA_OK);
    assert_true(existed);
    assert_int_equal(second.size, 5000);
    assert_int_equal(second.tag, 7);
    assert_int_equal(second.access, rw);
    assert_true(second.reserve);
    assert_false(second.file_backed);
    assert_status(strata_platform_shared_open(name, &opened), STRATA_OK);
    assert_int_equal(opened.size, 5000);

    /* Reserve objects: views start inaccessible; a commit backs the pages for all. */
    void *a = NULL, *b = NULL;
    assert_status(strata_platform_shared_map(&first, 0, 2 * PAGE, rw, false, 0, NULL, &a), STRATA_OK);
    assert_status(strata_platform_shared_map(&opened, 0, 2 * PAGE, rw, false, 0, NULL, &b), STRATA_OK);
    assert_status(strata_platform_view_commit(a, PAGE, rw, false), STRATA_OK);
    assert_status(strata_platform_view_commit(b, PAGE, STRATA_ACCESS_READ, false), STRATA_OK);
    ((unsigned char *)a)[100] = 0xC3;
    assert_int_equal(((unsigned char *)b)[100], 0xC3);
    assert_status(strata_platform_view_commit(a, PAGE, STRATA_ACCESS_WRITE, false), STRATA_E_INVALID_PARAMETER);

    assert_status(strata_platform_shared_close(&first), STRATA_OK);
    assert_status(strata_platform_shared_close(&second), STRATA_OK);
    assert_status(strata_platform_shared_open(name, &probe), STRATA_OK);
    assert_status(strata_platform_shared_close(&probe), STRATA_OK);
    /* The last holder closes: the name goes, the views stay. */
    assert_status(strata_platform_shared_close(&opened), STRATA_OK);
    assert_status(strata_platform_shared_open(name, &probe), STRATA_E_NOT_FOUND);
    assert_int_equal(((unsigned char *)b)[100], 0xC3);
    assert_status(strata_platform_shared_unmap(a, 2 * PAGE), STRATA_OK);
    assert_status(strata_platform_shared_unmap(b, 2 * PAGE), STRATA_OK);
}

static void test_platform_names_are_exact(void **state)
{
    (void)state;
    char name[128], upper[128], slash[128], escaped[128];
    unique_name(name, sizeof name, "case");
    strata_format(upper, sizeof upper, "%s", name);
    upper[0] = 'S';
    strata_format(slash, sizeof slash, "%s/x", name);
    strata_format(escaped, sizeof escaped, "%s%%2Fx", name);
    const strata_access rw = STRATA_ACCESS_READ | STRATA_ACCESS_WRITE;
    strata_shared objects[4];
    const char *names[4] = {name, upper, slash, escaped};
    for (int i = 0; i < 4; i++) {
        bool existed = true;
        assert_status(strata_platform_shared_create(names[i], PAGE, rw, false, (uint32_t)i, &objects[i], &existed),
                      STRATA_OK);
        assert_false(existed);
    }
    for (int i = 0; i < 4; i++) {
        strata_shared again;
        assert_status(strata_platform_shared_open(names[i], &again), STRATA_OK);
        assert_int_equal(again.tag, (uint32_t)i);
        assert_status(strata_platform_shared_close(&again), STRATA_OK);
        assert_status(strata_platform_shared_close(&objects[i]), STRATA_OK);
    }
}

static void test_platform_file_size_and_grow(void **state)
{
    (void)state;
    char path[128];
    unique_name(path, sizeof path, "grow");
    write_file(path, "abc", 3);
    strata_native_file file = open_file(path, true);
    uint64_t size = 0;
    assert_status(strata_platform_file_size(file, &size), STRATA_OK);
    assert_int_equal(size, 3);
    assert_status(strata_platform_file_size(file, NULL), STRATA_E_INVALID_PARAMETER);
    assert_status(strata_platform_file_grow(file, 2), STRATA_OK); /* never shrinks */
    assert_status(strata_platform_file_grow(file, 10000), STRATA_OK);
    assert_status(strata_platform_file_size(file, &size), STRATA_OK);
    assert_int_equal(size, 10000);
    assert_status(strata_platform_file_close(file), STRATA_OK);
    static unsigned char bytes[10000];
    assert_int_equal(read_file(path, bytes, sizeof bytes), 10000);
    assert_memory_equal(bytes, "abc", 3);
    for (size_t i = 3; i < sizeof bytes; i++) {
        assert_int_equal(bytes[i], 0);
    }
    file = open_file(path, false);
    assert_status(strata_platform_file_grow(file, 20000), STRATA_E_ACCESS_DENIED);
    /* A read-only file makes no writable object. */
    strata_shared shared;
    assert_status(strata_platform_shared_from_file(file, 100, STRATA_ACCESS_READ | STRATA_ACCESS_WRITE, NULL, 0,
                                                   &shared, NULL),
                  STRATA_E_ACCESS_DENIED);
    assert_status(strata_platform_shared_from_file(file, 20000, STRATA_ACCESS_READ, NULL, 0, &shared, NULL),
                  STRATA_E_INVALID_PARAMETER);
    assert_status(strata_platform_shared_from_file(file, 10000, STRATA_ACCESS_READ, NULL, 0, &shared, NULL),
                  STRATA_OK);
    assert_true(shared.file_backed);
    assert_status(strata_platform_file_close(file), STRATA_OK);
    void *view = NULL;
    assert_status(strata_platform_shared_map(&shared, 0, 3 * PAGE, STRATA_ACCESS_READ, false, 0, NULL, &view),
                  STRATA_OK);
    assert_memory_equal(view, "abc", 3);
    assert_status(strata_platform_shared_unmap(view, 3 * PAGE), STRATA_OK);
    assert_status(strata_platform_shared_close(&shared), STRATA_OK);
    assert_status(strata_platform_file_size(STRATA_NO_FILE, &size), STRATA_E_INVALID_HANDLE);
    remove(path);
}

/* ---- creating sections ----------------------------------------------------- */

static void test_create_rejects_bad_arguments(void **state)
{
    (void)state;
    strata_section *section = NULL;
    bool existed;
    const uint32_t invalid_protections[] = {
        0, STRATA_PAGE_NOACCESS, STRATA_PAGE_EXECUTE, STRATA_PAGE_READONLY | STRATA_PAGE_EXECUTE,
        STRATA_PAGE_READWRITE | STRATA_PAGE_GUARD, STRATA_PAGE_READWRITE | STRATA_PAGE_NOCACHE, 0x800,
    };
    for (size_t i = 0; i < sizeof invalid_protections / sizeof invalid_protections[0]; i++) {
        assert_status(strata_section_create(STRATA_NO_FILE, PAGE, invalid_protections[i], 0, NULL, &section,
                                            &existed),
                      STRATA_E_INVALID_PARAMETER);
    }
    assert_status(strata_section_create(STRATA_NO_FILE, PAGE, RW, STRATA_SEC_COMMIT | STRATA_SEC_RESERVE, NULL,
                                        &section, &existed),
                  STRATA_E_INVALID_PARAMETER);
    assert_status(strata_section_create(STRATA_NO_FILE, PAGE, RW, 0x1000000u, NULL, &section, &existed),
                  STRATA_E_INVALID_PARAMETER);
    assert_status(strata_section_create(STRATA_NO_FILE, 0, RW, 0, NULL, &section, &existed),
                  STRATA_E_INVALID_PARAMETER);
    assert_status(strata_section_create(STRATA_NO_FILE, PAGE, RW, 0, NULL, NULL, &existed),
                  STRATA_E_INVALID_PARAMETER);
    assert_null(section);
}

static void test_create_accepts_every_section_protection(void **state)
{
    (void)state;
    const uint32_t valid[] = {STRATA_PAGE_READONLY, STRATA_PAGE_READWRITE, STRATA_PAGE_WRITECOPY,
                              STRATA_PAGE_EXECUTE_READ, STRATA_PAGE_EXECUTE_READWRITE,
                              STRATA_PAGE_EXECUTE_WRITECOPY};
    const uint32_t attributes[] = {0, STRATA_SEC_COMMIT, STRATA_SEC_RESERVE};
    for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++) {
        for (size_t j = 0; j < 3; j++) {
            strata_section *section = make_section(PAGE, valid[i], attributes[j]);
            assert_status(strata_section_close(section), STRATA_OK);
        }
    }
}

/* ---- views --------------------------------------------------------------- */

static void test_two_views_share_data(void **state)
{
    (void)state;
    strata_section *section = make_section(2 * GRANULE, RW, 0);
    unsigned char *one = map_view(section, STRATA_FILE_MAP_WRITE, 0, 0);
    unsigned char *two = map_view(section, STRATA_FILE_MAP_ALL_ACCESS, 0, 0);
    assert_ptr_not_equal(one, two);
    for (size_t i = 0; i < 2 * GRANULE; i++) {
        assert_int_equal(one[i], 0); /* memory sections start zero */
    }
    fill_pattern(one, 2 * GRANULE, 3);
    assert_true(has_pattern(two, 2 * GRANULE, 3));
    two[GRANULE + 1] = 0xEE;
    assert_int_equal(one[GRANULE + 1], 0xEE);
    assert_status(strata_section_unmap(one), STRATA_OK);
    assert_status(strata_section_unmap(two), STRATA_OK);
    assert_status(strata_section_close(section), STRATA_OK);
}

static void test_query_describes_views(void **state)
{
    (void)state;
    strata_section *section = make_section(0x3452, RW, STRATA_SEC_COMMIT);
    unsigned char *view = map_view(section, STRATA_FILE_MAP_WRITE, 0, 0);
    strata_vmm_region_info info = query(view + 5000);
    assert_ptr_equal(info.base, view + PAGE);
    assert_ptr_equal(info.allocation_base, view);
    assert_int_equal(info.allocation_protect, RW);
    assert_int_equal(info.region_size, 0x4000 - PAGE);
    assert_int_equal(info.state, STRATA_MEM_COMMIT);
    assert_int_equal(info.protect, RW);
    assert_int_equal(info.type, STRATA_MEM_MAPPED);
    assert_true(strata_vmm_is_writable(view, 0x4000));

    unsigned char *read_only = map_view(section, STRATA_FILE_MAP_READ, 0, 4090);
    info = query(read_only);
    assert_int_equal(info.region_size, PAGE); /* 4090 bytes show as one page */
    assert_int_equal(info.allocation_protect, STRATA_PAGE_READONLY);
    assert_int_equal(info.protect, STRATA_PAGE_READONLY);
    assert_true(strata_vmm_is_readable(read_only, PAGE));
    assert_false(strata_vmm_is_writable(read_only, 1));

    assert_status(strata_section_unmap(view), STRATA_OK);
    assert_status(strata_section_unmap(read_only), STRATA_OK);
    info = query(view);
    assert_int_equal(info.state, STRATA_MEM_FREE);
    assert_null(info.allocation_base);
    assert_int_equal(info.allocation_protect, 0);
    assert_int_equal(info.protect, STRATA_PAGE_NOACCESS);
    assert_int_equal(info.type, 0);
    assert_false(strata_vmm_is_readable(view, 1));
    assert_status(strata_section_close(section), STRATA_OK);
}

static void test_access_gives_view_protection(void **state)
{
    (void)state;
    static const struct {
        uint32_t access, protect;
    } table[] = {
        {STRATA_FILE_MAP_COPY, STRATA_PAGE_WRITECOPY},
        {STRATA_FILE_MAP_READ | STRATA_FILE_MAP_COPY, STRATA_PAGE_READONLY},
        {STRATA_FILE_MAP_WRITE, STRATA_PAGE_READWRITE},
        {STRATA_FILE_MAP_WRITE | STRATA_FILE_MAP_READ, STRATA_PAGE_READWRITE},
        {STRATA_FILE_MAP_WRITE | STRATA_FILE_MAP_COPY, STRATA_PAGE_READWRITE},
        {STRATA_FILE_MAP_ALL_ACCESS, STRATA_PAGE_READWRITE},
        {STRATA_FILE_MAP_READ, STRATA_PAGE_READONLY},
        {0, STRATA_PAGE_NOACCESS},
        {STRATA_FILE_MAP_EXECUTE | STRATA_FILE_MAP_READ, STRATA_PAGE_EXECUTE_READ},
        {STRATA_FILE_MAP_EXECUTE | STRATA_FILE_MAP_WRITE, STRATA_PAGE_EXECUTE_READWRITE},
        {STRATA_FILE_MAP_EXECUTE | STRATA_FILE_MAP_COPY, STRATA_PAGE_EXECUTE_WRITECOPY},
        {STRATA_FILE_MAP_EXECUTE, STRATA_PAGE_NOACCESS},
    };
    strata_section *section = make_section(PAGE, STRATA_PAGE_EXECUTE_READWRITE, 0);
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        unsigned char *view = map_view(section, table[i].access, 0, 0);
        strata_vmm_region_info info = query(view);
        if (info.allocation_protect != table[i].protect || info.protect != table[i].protect) {
            fail_msg("access 0x%x: view protection 0x%x/0x%x, expected 0x%x", table[i].access,
                     info.allocation_protect, info.protect, table[i].protect);
        }
        assert_int_equal(info.state, STRATA_MEM_COMMIT);
        assert_int_equal(info.type, STRATA_MEM_MAPPED);
        assert_status(strata_section_unmap(view), STRATA_OK);
    }
    assert_status(strata_section_close(section), STRATA_OK);
}

static void test_access_beyond_section_is_denied(void **state)
{
    (void)state;
    static const struct {
        uint32_t section, access;
        strata_status expected;
    } table[] = {
        {STRATA_PAGE_READONLY, STRATA_FILE_MAP_WRITE, STRATA_E_ACCESS_DENIED},
        {STRATA_PAGE_READONLY, STRATA_FILE_MAP_READ, STRATA_OK},
        {STRATA_PAGE_READONLY, STRATA_FILE_MAP_COPY, STRATA_OK},
        {STRATA_PAGE_READONLY, STRATA_FILE_MAP_EXECUTE | STRATA_FILE_MAP_READ, STRATA_E_ACCESS_DENIED},
        {STRATA_PAGE_WRITECOPY, STRATA_FILE_MAP_WRITE, STRATA_E_ACCESS_DENIED},
        {STRATA_PAGE_WRITECOPY, STRATA_FILE_MAP_COPY, STRATA_OK},
        {STRATA_PAGE_READWRITE, STRATA_FILE_MAP_EXECUTE | STRATA_FILE_MAP_READ, STRATA_E_ACCESS_DENIED},
        {STRATA_PAGE_READWRITE, STRATA_FILE_MAP_ALL_ACCESS, STRATA_OK},
        {STRATA_PAGE_EXECUTE_READ, STRATA_FILE_MAP_EXECUTE | STRATA_FILE_MAP_READ, STRATA_OK},
        {STRATA_PAGE_EXECUTE_READ, STRATA_FILE_MAP_EXECUTE | STRATA_FILE_MAP_WRITE, STRATA_E_ACCESS_DENIED},
        {STRATA_PAGE_EXECUTE_READ, STRATA_FILE_MAP_EXECUTE | STRATA_FILE_MAP_COPY, STRATA_OK},
        {STRATA_PAGE_EXECUTE_WRITECOPY, STRATA_FILE_MAP_WRITE, STRATA_E_ACCESS_DENIED},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        strata_section *section = make_section(PAGE, table[i].section, 0);
        void *view = NULL;
        strata_status status = strata_section_map(section, table[i].access, 0, 0, NULL, &view);
        if (status != table[i].expected) {
            fail_msg("section 0x%x, access 0x%x: %s, expected %s", table[i].section, table[i].access,
                     strata_status_name(status), strata_status_name(table[i].expected));
        }
        if (status == STRATA_OK) {
            assert_status(strata_section_unmap(view), STRATA_OK);
        }
        assert_status(strata_section_close(section), STRATA_OK);
    }
}

static void test_offsets_and_sizes(void **state)
{
    (void)state;
    strata_section *section = make_section(3 * GRANULE, RW, 0);
    unsigned char *whole = map_view(section, STRATA_FILE_MAP_WRITE, 0, 0);
    assert_int_equal(query(whole).region_size, 3 * GRANULE);
    fill_pattern(whole, 3 * GRANULE, 9);
    void *view = NULL;
    assert_status(strata_section_map(section, STRATA_FILE_MAP_READ, PAGE, PAGE, NULL, &view),
                  STRATA_E_MAPPED_ALIGNMENT);
    assert_status(strata_section_map(section, STRATA_FILE_MAP_READ, 0, 3 * GRANULE + 1, NULL, &view),
                  STRATA_E_ACCESS_DENIED);
    assert_status(strata_section_map(section, STRATA_FILE_MAP_READ, 3 * GRANULE, 0, NULL, &view),
                  STRATA_E_ACCESS_DENIED);
    assert_status(strata_section_map(section, STRATA_FILE_MAP_READ, 4 * GRANULE, PAGE, NULL, &view),
                  STRATA_E_ACCESS_DENIED);
    assert_status(strata_section_map(section, STRATA_FILE_MAP_READ, GRANULE, 2 * GRANULE + PAGE, NULL, &view),
                  STRATA_E_ACCESS_DENIED);
    assert_status(strata_section_map(section, STRATA_FILE_MAP_READ, 0, 0, NULL, NULL), STRATA_E_INVALID_PARAMETER);

    /* Size 0 maps from the offset to the end. */
    unsigned char *tail = map_view(section, STRATA_FILE_MAP_READ, GRANULE, 0);
    assert_int_equal(query(tail).region_size, 2 * GRANULE);
    assert_memory_equal(tail, whole + GRANULE, 2 * GRANULE);
    unsigned char *last = map_view(section, STRATA_FILE_MAP_READ, 2 * GRANULE, GRANULE);
    assert_memory_equal(last, whole + 2 * GRANULE, GRANULE);
    unsigned char *small = map_view(section, STRATA_FILE_MAP_READ, 2 * GRANULE, 100);
    assert_int_equal(query(small).region_size, PAGE);
    assert_int_equal(small[99], whole[2 * GRANULE + 99]);
    assert_status(strata_section_unmap(whole), STRATA_OK);
    assert_status(strata_section_unmap(tail), STRATA_OK);
    assert_status(strata_section_unmap(last), STRATA_OK);
    assert_status(strata_section_unmap(small), STRATA_OK);
    assert_status(strata_section_close(section), STRATA_OK);
}

static void test_map_at_requested_address(void **state)
{
    (void)state;
    strata_section *section = make_section(GRANULE + PAGE, RW, 0);
    /* Find a free range, give it back, ask for it. */
    void *hole = NULL;
    assert_status(strata_vmm_reserve(NULL, 2 * GRANULE, RW, 0, &hole), STRATA_OK);
    assert_status(strata_vmm_release(hole), STRATA_OK);
    void *view = NULL;
    assert_status(strata_section_map(section, STRATA_FILE_MAP_WRITE, 0, 0, (char *)hole + PAGE, &view),
                  STRATA_E_MAPPED_ALIGNMENT);
    assert_status(strata_section_map(section, STRATA_FILE_MAP_WRITE, 0, 0, hole, &view), STRATA_OK);
    assert_ptr_equal(view, hole);
    assert_ptr_equal(query(view).allocation_base, hole);
    void *again = NULL;
    assert_status(strata_section_map(section, STRATA_FILE_MAP_READ, 0, 0, hole, &again),
                  STRATA_E_CONFLICTING_ADDRESS);
    assert_status(strata_section_unmap(view), STRATA_OK);

    /* strata's own reservations and ones it does not know of are both in use. */
    void *reserved = NULL;
    assert_status(strata_vmm_reserve(NULL, GRANULE, RW, 0, &reserved), STRATA_OK);
    assert_status(strata_section_map(section, STRATA_FILE_MAP_READ, 0, PAGE, reserved, &again),
                  STRATA_E_CONFLICTING_ADDRESS);
    assert_status(strata_vmm_release(reserved), STRATA_OK);
    void *foreign = NULL;
    assert_status(strata_platform_reserve(2 * GRANULE, GRANULE, NULL, &foreign), STRATA_OK);
    assert_status(strata_section_map(section, STRATA_FILE_MAP_READ, 0, 0, foreign, &again),
                  STRATA_E_CONFLICTING_ADDRESS);
    assert_status(strata_platform_release(foreign, 2 * GRANULE), STRATA_OK);
    assert_status(strata_section_close(section), STRATA_OK);
}

static void test_copy_on_write_view_keeps_section(void **state)
{
    (void)state;
    strata_section *section = make_section(2 * PAGE, RW, 0);
    unsigned char *shared = map_view(section, STRATA_FILE_MAP_WRITE, 0, 0);
    memset(shared, 'A', 2 * PAGE);
    unsigned char *copy = map_view(section, STRATA_FILE_MAP_COPY, 0, 0);
    strata_vmm_region_info info = query(copy);
    assert_int_equal(info.allocation_protect, STRATA_PAGE_WRITECOPY);
    assert_int_equal(info.protect, STRATA_PAGE_WRITECOPY);
    assert_int_equal(copy[0], 'A');
    assert_true(strata_vmm_is_writable(copy, 2 * PAGE));
    copy[0] = 'B';
    assert_int_equal(shared[0], 'A');
    unsigned char *later = map_view(section, STRATA_FILE_MAP_READ, 0, 0);
    assert_int_equal(later[0], 'A');
    /* A page not yet written still shows the section. */
    shared[PAGE] = 'C';
    assert_int_equal(copy[PAGE], 'C');
    /* Protections within the view's: read-only, then copy-on-write again. */
    uint32_t old = 0;
    assert_status(strata_vmm_protect(copy + PAGE, PAGE, STRATA_PAGE_READWRITE, &old), STRATA_E_INVALID_PARAMETER);
    assert_status(strata_vmm_protect(copy + PAGE, PAGE, STRATA_PAGE_READONLY, &old), STRATA_OK);
    assert_int_equal(old, STRATA_PAGE_WRITECOPY);
    assert_false(strata_vmm_is_writable(copy + PAGE, 1));
    assert_status(strata_vmm_protect(copy + PAGE, PAGE, STRATA_PAGE_WRITECOPY, &old), STRATA_OK);
    assert_int_equal(old, STRATA_PAGE_READONLY);
    copy[PAGE] = 'D';
    assert_int_equal(shared[PAGE], 'C');
    assert_status(strata_section_unmap(copy), STRATA_OK);
    assert_status(strata_section_unmap(later), STRATA_OK);
    assert_status(strata_section_unmap(shared), STRATA_OK);
    assert_status(strata_section_close(section), STRATA_OK);
}

static void test_sec_reserve_commit_is_section_wide(void **state)
{
    (void)state;
    strata_section *section = make_section(4 * PAGE, RW, STRATA_SEC_RESERVE);
    unsigned char *writer = map_view(section, STRATA_FILE_MAP_WRITE, 0, 0);
    unsigned char *reader = map_view(section, STRATA_FILE_MAP_READ, 0, 0);
    strata_vmm_region_info info = query(writer);
    assert_int_equal(info.state, STRATA_MEM_RESERVE);
    assert_int_equal(info.protect, 0);
    assert_int_equal(info.allocation_protect, RW);
    assert_int_equal(info.region_size, 4 * PAGE);
    assert_int_equal(info.type, STRATA_MEM_MAPPED);
    assert_false(strata_vmm_is_readable(reader, 1));

    void *got = NULL;
    assert_status(strata_vmm_commit(writer + PAGE + 10, PAGE - 10, RW, 0, &got), STRATA_OK);
    assert_ptr_equal(got, writer + PAGE);
    info = query(writer + PAGE);
    assert_int_equal(info.state, STRATA_MEM_COMMIT);
    assert_int_equal(info.protect, RW);
    assert_int_equal(info.region_size, PAGE);
    assert_int_equal(query(writer).state, STRATA_MEM_RESERVE);
    /* The other view sees the pages committed, with its own protection. */
    info = query(reader + PAGE);
    assert_int_equal(info.state, STRATA_MEM_COMMIT);
    assert_int_equal(info.protect, STRATA_PAGE_READONLY);
    assert_int_equal(info.region_size, PAGE);
    assert_int_equal(query(reader + 2 * PAGE).state, STRATA_MEM_RESERVE);
    writer[PAGE + 5] = 0x77;
    assert_int_equal(reader[PAGE + 5], 0x77);

    /* A view mapped later shows the section's commits too. */
    unsigned char *later = map_view(section, STRATA_FILE_MAP_ALL_ACCESS, 0, 0);
    info = query(later + PAGE);
    assert_int_equal(info.state, STRATA_MEM_COMMIT);
    assert_int_equal(info.protect, RW);
    assert_int_equal(later[PAGE + 5], 0x77);
    assert_int_equal(query(later + 3 * PAGE).state, STRATA_MEM_RESERVE);

    /* Committing through the read-only view: only read access fits in it. */
    assert_status(strata_vmm_commit(reader + 3 * PAGE, PAGE, RW, 0, &got), STRATA_E_INVALID_PARAMETER);
    assert_status(strata_vmm_commit(reader + 3 * PAGE, PAGE, STRATA_PAGE_READONLY, 0, &got), STRATA_OK);
    info = query(writer + 3 * PAGE);
    assert_int_equal(info.state, STRATA_MEM_COMMIT);
    assert_int_equal(info.protect, RW);
    later[3 * PAGE] = 0x31;
    assert_int_equal(reader[3 * PAGE], 0x31);

    /* Views cannot be decommitted or released as private memory is. */
    assert_status(strata_vmm_decommit(writer + PAGE, PAGE), STRATA_E_INVALID_PARAMETER);
    assert_status(strata_vmm_release(writer), STRATA_E_INVALID_ADDRESS);
    assert_status(strata_section_unmap(writer), STRATA_OK);
    assert_status(strata_section_unmap(reader), STRATA_OK);
    assert_status(strata_section_unmap(later), STRATA_OK);
    assert_status(strata_section_close(section), STRATA_OK);
}

static void test_sec_reserve_commit_reaches_copy_on_write_views(void **state)
{
    (void)state;
    strata_section *section = make_section(2 * PAGE, RW, STRATA_SEC_RESERVE);
    unsigned char *writer = map_view(section, STRATA_FILE_MAP_WRITE, 0, 0);
    unsigned char *copy = map_view(section, STRATA_FILE_MAP_COPY, 0, 0);
    void *got = NULL;
    assert_status(strata_vmm_commit(writer, PAGE, RW, 0, &got), STRATA_OK);
    strata_vmm_region_info info = query(copy);
    assert_int_equal(info.state, STRATA_MEM_COMMIT);
    assert_int_equal(info.protect, STRATA_PAGE_WRITECOPY);
    assert_int_equal(info.region_size, PAGE);
    writer[0] = 'w';
    assert_int_equal(copy[0], 'w');
    copy[0] = 'c';
    assert_int_equal(writer[0], 'w');
    /* Through the copy-on-write view only read access fits (WRITECOPY is
     * not a protection commit accepts). */
    assert_status(strata_vmm_commit(copy + PAGE, PAGE, RW, 0, &got), STRATA_E_INVALID_PARAMETER);
    assert_status(strata_vmm_commit(copy + PAGE, PAGE, STRATA_PAGE_READONLY, 0, &got), STRATA_OK);
    assert_int_equal(query(copy + PAGE).protect, STRATA_PAGE_READONLY);
    info = query(writer + PAGE);
    assert_int_equal(info.state, STRATA_MEM_COMMIT);
    assert_int_equal(info.protect, RW);
    writer[PAGE] = 'x';
    assert_int_equal(copy[PAGE], 'x');
    assert_status(strata_vmm_reset(copy, PAGE, &got), STRATA_E_INVALID_ADDRESS);
    assert_status(strata_section_close(section), STRATA_OK);
    assert_status(strata_section_unmap(copy), STRATA_OK);
    assert_status(strata_section_unmap(writer), STRATA_OK);
}

static void test_commit_in_committed_view_changes_protection(void **state)
{
    (void)state;
    strata_section *section = make_section(3 * PAGE, RW, STRATA_SEC_COMMIT);
    unsigned char *view = map_view(section, STRATA_FILE_MAP_WRITE, 0, 0);
    void *got = NULL;
    assert_status(strata_vmm_commit(view + PAGE, PAGE, STRATA_PAGE_READONLY, 0, &got), STRATA_OK);
    strata_vmm_region_info info = query(view);
    assert_int_equal(info.region_size, PAGE);
    assert_int_equal(info.protect, RW);
    info = query(view + PAGE);
    assert_int_equal(info.protect, STRATA_PAGE_READONLY);
    assert_int_equal(info.region_size, PAGE);
    assert_int_equal(info.allocation_protect, RW);
    assert_false(strata_vmm_is_writable(view + PAGE, 1));
    /* Protect and reset work in views of memory sections. */
    uint32_t old = 0;
    assert_status(strata_vmm_protect(view + PAGE, PAGE, RW, &old), STRATA_OK);
    assert_int_equal(old, STRATA_PAGE_READONLY);
    assert_status(strata_vmm_reset(view, 3 * PAGE, &got), STRATA_OK);
    assert_status(strata_section_unmap(view), STRATA_OK);

    unsigned char *read_only = map_view(section, STRATA_FILE_MAP_READ, 0, 0);
    assert_status(strata_vmm_protect(read_only, PAGE, RW, &old), STRATA_E_INVALID_PARAMETER);
    assert_status(strata_vmm_protect(read_only, PAGE, STRATA_PAGE_NOACCESS, &old), STRATA_OK);
    assert_int_equal(old, STRATA_PAGE_READONLY);
    assert_status(strata_section_unmap(read_only), STRATA_OK);
    assert_status(strata_section_close(section), STRATA_OK);
}

static void test_unmap_takes_any_address_in_a_view(void **state)
{
    (void)state;
    strata_section *section = make_section(3 * PAGE, RW, 0);
    const size_t offsets[] = {0, 100, PAGE, PAGE + 100, 3 * PAGE - 1};
    for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++) {
        unsigned char *view = map_view(section, STRATA_FILE_MAP_READ, 0, 0);
        assert_status(strata_section_unmap(view + offsets[i]), STRATA_OK);
        assert_int_equal(query(view).state, STRATA_MEM_FREE);
        assert_status(strata_section_unmap(view), STRATA_E_INVALID_ADDRESS);
    }
    void *private_memory = NULL;
    assert_status(strata_vmm_commit(NULL, 4 * PAGE, RW, 0, &private_memory), STRATA_OK);
    assert_status(strata_section_unmap(private_memory), STRATA_E_INVALID_ADDRESS);
    assert_status(strata_section_unmap((char *)private_memory + 3 * PAGE), STRATA_E_INVALID_ADDRESS);
    assert_status(strata_section_unmap((void *)(uintptr_t)0xdeadbeef), STRATA_E_INVALID_ADDRESS);
    assert_status(strata_section_unmap(NULL), STRATA_E_INVALID_ADDRESS);
    assert_status(strata_section_flush(private_memory, 0), STRATA_E_INVALID_ADDRESS);
    assert_status(strata_vmm_release(private_memory), STRATA_OK);
    assert_status(strata_section_close(section), STRATA_OK);
}

static void test_flush_of_memory_views(void **state)
{
    (void)state;
    strata_section *section = make_section(2 * PAGE, RW, 0);
    unsigned char *view = map_view(section, STRATA_FILE_MAP_WRITE, 0, 0);
    view[0] = 1;
    assert_status(strata_section_flush(view, 0), STRATA_OK);
    assert_status(strata_section_flush(view + PAGE + 1, 10), STRATA_OK);
    assert_status(strata_section_flush(view, 2 * PAGE), STRATA_OK);
    assert_status(strata_section_flush(view, 2 * PAGE + 1), STRATA_E_INVALID_ADDRESS);
    assert_status(strata_section_unmap(view), STRATA_OK);
    assert_status(strata_section_flush(view, 0), STRATA_E_INVALID_ADDRESS);
    assert_status(strata_section_close(section), STRATA_OK);
}

/* ---- handles -------------------------------------------------------------- */

static void test_close_and_handle_errors(void **state)
{
    (void)state;
    assert_status(strata_section_close(NULL), STRATA_E_INVALID_HANDLE);
    strata_section *section = make_section(PAGE, RW, 0);
    unsigned char *view = map_view(section, STRATA_FILE_MAP_WRITE, 0, 0);
    view[10] = 0x42;
    assert_status(strata_section_close(section), STRATA_OK);
    assert_status(strata_section_close(section), STRATA_E_INVALID_HANDLE);
    void *other = NULL;
    assert_status(strata_section_map(section, STRATA_FILE_MAP_READ, 0, 0, NULL, &other), STRATA_E_INVALID_HANDLE);
    assert_status(strata_section_map(NULL, STRATA_FILE_MAP_READ, 0, 0, NULL, &other), STRATA_E_INVALID_HANDLE);
    /* The view keeps the section alive. */
    assert_int_equal(view[10], 0x42);
    view[11] = 0x43;
    assert_int_equal(query(view).type, STRATA_MEM_MAPPED);
    assert_status(strata_section_unmap(view), STRATA_OK);

    /* Handles are checked however they were made and reused. */
    strata_section *next = make_section(PAGE, RW, 0);
    assert_status(strata_section_close(next), STRATA_OK);
    assert_status(strata_section_close(next), STRATA_E_INVALID_HANDLE);
}

/* ---- names within one process ------------------------------------------------ */

static void test_named_sections_in_one_process(void **state)
{
    (void)state;
    char name[128], other_case[128];
    unique_name(name, sizeof name, "Named/Section%");
    strata_format(other_case, sizeof other_case, "%s", name);
    other_case[7] = 'T'; /* "strata-Test..." */
    strata_section *first = NULL, *second = NULL, *different = NULL, *opened = NULL;
    bool existed = true;
    assert_status(strata_section_open(name, STRATA_FILE_MAP_READ, &opened), STRATA_E_NOT_FOUND);
    assert_status(strata_section_create(STRATA_NO_FILE, 2 * PAGE, RW, 0, name, &first, &existed), STRATA_OK);
    assert_false(existed);
    /* Size and protection of a second create are ignored. */
    assert_status(strata_section_create(STRATA_NO_FILE, 9 * GRANULE, STRATA_PAGE_READONLY, 0, name, &second,
                                        &existed),
                  STRATA_OK);
    assert_true(existed);
    assert_ptr_not_equal(first, second);
    assert_status(strata_section_create(STRATA_NO_FILE, PAGE, RW, 0, other_case, &different, &existed), STRATA_OK);
    assert_false(existed);
    assert_status(strata_section_open(name, STRATA_FILE_MAP_ALL_ACCESS, &opened), STRATA_OK);

    unsigned char *one = map_view(first, STRATA_FILE_MAP_WRITE, 0, 0);
    unsigned char *two = map_view(second, STRATA_FILE_MAP_WRITE, 0, 0);
    unsigned char *three = map_view(opened, STRATA_FILE_MAP_READ, 0, 0);
    unsigned char *elsewhere = map_view(different, STRATA_FILE_MAP_READ, 0, 0);
    assert_int_equal(query(two).region_size, 2 * PAGE);
    one[0] = 0x61;
    assert_int_equal(two[0], 0x61);
    assert_int_equal(three[0], 0x61);
    assert_int_equal(elsewhere[0], 0);

    /* Empty names make unnamed sections; open needs a name. */
    strata_section *unnamed = NULL;
    assert_status(strata_section_create(STRATA_NO_FILE, PAGE, RW, 0, "", &unnamed, &existed), STRATA_OK);
    assert_false(existed);
    assert_status(strata_section_close(unnamed), STRATA_OK);
    assert_status(strata_section_open("", STRATA_FILE_MAP_READ, &unnamed), STRATA_E_INVALID_PARAMETER);
    assert_status(strata_section_open(NULL, STRATA_FILE_MAP_READ, &unnamed), STRATA_E_INVALID_PARAMETER);
    assert_status(strata_section_open(name, STRATA_FILE_MAP_READ, NULL), STRATA_E_INVALID_PARAMETER);

    assert_status(strata_section_close(first), STRATA_OK);
    assert_status(strata_section_close(second), STRATA_OK);
    assert_status(strata_section_close(opened), STRATA_OK);
    assert_status(strata_section_close(different), STRATA_OK);
    assert_status(strata_section_unmap(one), STRATA_OK);
    assert_status(strata_section_unmap(two), STRATA_OK);
    assert_status(strata_section_unmap(three), STRATA_OK);
    assert_status(strata_section_unmap(elsewhere), STRATA_OK);
}

static void test_open_access_bounds_views(void **state)
{
    (void)state;
    char name[128];
    unique_name(name, sizeof name, "rights");
    strata_section *owner = NULL;
    assert_status(strata_section_create(STRATA_NO_FILE, PAGE, STRATA_PAGE_EXECUTE_READWRITE, 0, name, &owner, NULL),
                  STRATA_OK);
    static const struct {
        uint32_t rights, access;
        strata_status expected;
    } table[] = {
        {STRATA_FILE_MAP_READ, STRATA_FILE_MAP_READ, STRATA_OK},
        {STRATA_FILE_MAP_READ, STRATA_FILE_MAP_WRITE, STRATA_E_ACCESS_DENIED},
        {STRATA_FILE_MAP_READ, STRATA_FILE_MAP_COPY, STRATA_OK},
        {STRATA_FILE_MAP_READ, 0, STRATA_OK},
        {STRATA_FILE_MAP_READ, STRATA_FILE_MAP_EXECUTE | STRATA_FILE_MAP_READ, STRATA_E_ACCESS_DENIED},
        {STRATA_FILE_MAP_WRITE, STRATA_FILE_MAP_WRITE, STRATA_OK},
        {STRATA_FILE_MAP_WRITE, STRATA_FILE_MAP_READ, STRATA_E_ACCESS_DENIED},
        {STRATA_FILE_MAP_COPY, STRATA_FILE_MAP_COPY, STRATA_OK},
        {STRATA_FILE_MAP_COPY, STRATA_FILE_MAP_WRITE, STRATA_E_ACCESS_DENIED},
        {0, STRATA_FILE_MAP_READ, STRATA_E_ACCESS_DENIED},
        {0, 0, STRATA_E_ACCESS_DENIED},
        {STRATA_FILE_MAP_EXECUTE | STRATA_FILE_MAP_READ, STRATA_FILE_MAP_EXECUTE | STRATA_FILE_MAP_READ, STRATA_OK},
        {STRATA_FILE_MAP_ALL_ACCESS, STRATA_FILE_MAP_EXECUTE | STRATA_FILE_MAP_WRITE, STRATA_OK},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        strata_section *handle = NULL;
        assert_status(strata_section_open(name, table[i].rights, &handle), STRATA_OK);
        void *view = NULL;
        strata_status status = strata_section_map(handle, table[i].access, 0, 0, NULL, &view);
        if (status != table[i].expected) {
            fail_msg("rights 0x%x, access 0x%x: %s, expected %s", table[i].rights, table[i].access,
                     strata_status_name(status), strata_status_name(table[i].expected));
        }
        if (status == STRATA_OK) {
            assert_status(strata_section_unmap(view), STRATA_OK);
        }
        assert_status(strata_section_close(handle), STRATA_OK);
    }
    assert_status(strata_section_close(owner), STRATA_OK);
}

static void test_name_goes_with_last_handle_while_mapped(void **state)
{
    (void)state;
    char name[128];
    unique_name(name, sizeof name, "lifetime");
    strata_section *section = NULL, *again = NULL;
    bool existed = true;
    assert_status(strata_section_create(STRATA_NO_FILE, PAGE, RW, 0, name, &section, &existed), STRATA_OK);
    unsigned char *view = map_view(section, STRATA_FILE_MAP_WRITE, 0, 0);
    view[0] = 0x99;
    assert_status(strata_section_close(section), STRATA_OK);
    assert_status(strata_section_open(name, STRATA_FILE_MAP_READ, &again), STRATA_E_NOT_FOUND);
    strata_shared probe;
    assert_status(strata_platform_shared_open(name, &probe), STRATA_E_NOT_FOUND);
    assert_int_equal(view[0], 0x99);
    /* The name is free for a new, unrelated section. */
    assert_status(strata_section_create(STRATA_NO_FILE, PAGE, RW, 0, name, &again, &existed), STRATA_OK);
    assert_false(existed);
    unsigned char *fresh = map_view(again, STRATA_FILE_MAP_READ, 0, 0);
    assert_int_equal(fresh[0], 0);
    assert_status(strata_section_unmap(fresh), STRATA_OK);
    assert_status(strata_section_close(again), STRATA_OK);
    assert_status(strata_section_unmap(view), STRATA_OK);
}

/* Many threads making, opening, mapping and closing one name at once. */
typedef struct name_race {
    const char *name;
    unsigned failures;
    unsigned made; /* creates that found no section: never more than one live at once */
} name_race;

static void race_on_name(void *argument)
{
    name_race *race = argument;
    for (int round = 0; round < 200; round++) {
        strata_section *section = NULL;
        bool existed = false;
        strata_status status = round % 3 == 2
                                   ? strata_section_open(race->name, STRATA_FILE_MAP_WRITE, &section)
                                   : strata_section_create(STRATA_NO_FILE, GRANULE, RW, 0, race->name, &section,
                                                           &existed);
        if (status == STRATA_E_NOT_FOUND) {
            continue;
        }
        void *view = NULL;
        if (status != STRATA_OK ||
            strata_section_map(section, STRATA_FILE_MAP_WRITE, 0, 0, NULL, &view) != STRATA_OK) {
            __atomic_fetch_add(&race->failures, 1u, __ATOMIC_RELAXED);
            continue;
        }
        if (!existed && round % 3 != 2) {
            __atomic_fetch_add(&race->made, 1u, __ATOMIC_RELAXED);
        }
        /* Every handle to one section maps the same memory. */
        __atomic_fetch_add((unsigned *)view, 1u, __ATOMIC_RELAXED);
        if (strata_section_unmap(view) != STRATA_OK || strata_section_close(section) != STRATA_OK) {
            __atomic_fetch_add(&race->failures, 1u, __ATOMIC_RELAXED);
        }
    }
}

static void test_threads_share_one_name(void **state)
{
    (void)state;
    char name[128];
    unique_name(name, sizeof name, "race");
    /* A handle held throughout: every thread's create must find this section. */
    strata_section *keeper = NULL;
    assert_status(strata_section_create(STRATA_NO_FILE, GRANULE, RW, 0, name, &keeper, NULL), STRATA_OK);
    unsigned *counter = (unsigned *)map_view(keeper, STRATA_FILE_MAP_WRITE, 0, 0);
    name_race race = {name, 0, 0};
    test_thread threads[4];
    for (int i = 0; i < 4; i++) {
        assert_true(test_thread_start(&threads[i], race_on_name, &race));
    }
    for (int i = 0; i < 4; i++) {
        test_thread_join(&threads[i]);
    }
    assert_int_equal(race.failures, 0);
    assert_int_equal(race.made, 0);
    assert_int_equal(*counter, 4 * 200);
    assert_status(strata_section_unmap(counter), STRATA_OK);
    assert_status(strata_section_close(keeper), STRATA_OK);

    /* Without a keeper, names come and go; nothing may fail. */
    unique_name(name, sizeof name, "race-free");
    race = (name_race){name, 0, 0};
    for (int i = 0; i < 4; i++) {
        assert_true(test_thread_start(&threads[i], race_on_name, &race));
    }
    for (int i = 0; i < 4; i++) {
        test_thread_join(&threads[i]);
    }
    assert_int_equal(race.failures, 0);
    assert_true(race.made >= 1);
    strata_section *gone = NULL;
    assert_status(strata_section_open(name, STRATA_FILE_MAP_READ, &gone), STRATA_E_NOT_FOUND);
}

/* ---- file-backed sections ---------------------------------------------------- */

static void test_file_view_writes_reach_the_file(void **state)
{
    (void)state;
    char path[128];
    unique_name(path, sizeof path, "file");
    static unsigned char bytes[10000];
    fill_pattern(bytes, sizeof bytes, 1);
    write_file(path, bytes, sizeof bytes);
    strata_native_file file = open_file(path, true);
    strata_section *section = NULL;
    bool existed = true;
    assert_status(strata_section_create(file, 0, RW, 0, NULL, &section, &existed), STRATA_OK);
    assert_false(existed);
    /* The caller may close its file at once. */
    assert_status(strata_platform_file_close(file), STRATA_OK);
    unsigned char *view = map_view(section, STRATA_FILE_MAP_WRITE, 0, 0);
    strata_vmm_region_info info = query(view);
    assert_int_equal(info.region_size, 3 * PAGE);
    assert_int_equal(info.type, STRATA_MEM_MAPPED);
    assert_int_equal(info.state, STRATA_MEM_COMMIT);
    assert_true(has_pattern(view, sizeof bytes, 1));
    void *ignored = NULL;
    assert_status(strata_vmm_commit(view, PAGE, RW, 0, &ignored), STRATA_E_ACCESS_DENIED);
    assert_status(strata_vmm_reset(view, PAGE, &ignored), STRATA_E_INVALID_ADDRESS);
    assert_status(strata_section_map(section, STRATA_FILE_MAP_READ, 0, sizeof bytes + 1, NULL, &ignored),
                  STRATA_E_ACCESS_DENIED);

    memcpy(view + 5000, "written through a view", 22);
    unsigned char *copy = map_view(section, STRATA_FILE_MAP_COPY, 0, 0);
    memcpy(copy, "never reaches the file", 22);
    assert_status(strata_section_flush(view + 5000, 22), STRATA_OK);
    assert_status(strata_section_flush(view, 0), STRATA_OK);
    assert_status(strata_section_flush(copy, 0), STRATA_OK);
    assert_status(strata_section_unmap(copy), STRATA_OK);
    assert_status(strata_section_unmap(view), STRATA_OK);
    assert_status(strata_section_close(section), STRATA_OK);

    static unsigned char back[10000 + 1];
    assert_int_equal(read_file(path, back, sizeof back), sizeof bytes);
    memcpy(bytes + 5000, "written through a view", 22);
    assert_memory_equal(back, bytes, sizeof bytes);
    remove(path);
}

static void test_file_sizes(void **state)
{
    (void)state;
    char path[128];
    unique_name(path, sizeof path, "sizes");
    write_file(path, "", 0);
    strata_native_file file = open_file(path, true);
    strata_section *section = NULL;
    bool existed;
    assert_status(strata_section_create(file, 0, RW, 0, NULL, &section, &existed), STRATA_E_FILE_INVALID);
    assert_status(strata_section_create(file, 0, STRATA_PAGE_READONLY, 0, NULL, &section, &existed),
                  STRATA_E_FILE_INVALID);
    /* A read-only section cannot grow its file. */
    assert_status(strata_section_create(file, 100, STRATA_PAGE_READONLY, 0, NULL, &section, &existed),
                  STRATA_E_NO_MEMORY);
    assert_int_equal(file_length(path), 0);
    /* A writable one grows it to the section's size (SEC_RESERVE changes nothing for files). */
    assert_status(strata_section_create(file, 70000, RW, STRATA_SEC_RESERVE, NULL, &section, &existed), STRATA_OK);
    assert_status(strata_platform_file_close(file), STRATA_OK);
    assert_int_equal(file_length(path), 70000);
    unsigned char *view = map_view(section, STRATA_FILE_MAP_WRITE, GRANULE, 0);
    strata_vmm_region_info info = query(view);
    assert_int_equal(info.state, STRATA_MEM_COMMIT);
    assert_int_equal(info.region_size, 2 * PAGE); /* 70000 - 65536 = 4464 bytes */
    view[4463] = 'z';
    assert_status(strata_section_unmap(view), STRATA_OK);
    assert_status(strata_section_close(section), STRATA_OK);
    static unsigned char back[70001];
    assert_int_equal(read_file(path, back, sizeof back), 70000);
    assert_int_equal(back[69999], 'z');
    assert_int_equal(back[0], 0);
    remove(path);
    assert_status(strata_section_create((strata_native_file)123456, 0, RW, 0, NULL, &section, &existed),
                  STRATA_E_INVALID_HANDLE);
}

static void test_file_opened_read_only(void **state)
{
    (void)state;
    char path[128];
    unique_name(path, sizeof path, "readonly");
    write_file(path, "read-only contents", 18);
    strata_native_file file = open_file(path, false);
    strata_section *section = NULL;
    assert_status(strata_section_create(file, 0, RW, 0, NULL, &section, NULL), STRATA_E_ACCESS_DENIED);
    assert_status(strata_section_create(file, 0, STRATA_PAGE_WRITECOPY, 0, NULL, &section, NULL), STRATA_OK);
    assert_status(strata_platform_file_close(file), STRATA_OK);
    void *ignored = NULL;
    assert_status(strata_section_map(section, STRATA_FILE_MAP_WRITE, 0, 0, NULL, &ignored), STRATA_E_ACCESS_DENIED);
    unsigned char *copy = map_view(section, STRATA_FILE_MAP_COPY, 0, 0);
    unsigned char *view = map_view(section, STRATA_FILE_MAP_READ, 0, 0);
    assert_int_equal(query(copy).region_size, PAGE);
    assert_memory_equal(copy, "read-only contents", 18);
    copy[0] = 'R';
    assert_int_equal(view[0], 'r');
    assert_status(strata_section_unmap(copy), STRATA_OK);
    assert_status(strata_section_unmap(view), STRATA_OK);
    assert_status(strata_section_close(section), STRATA_OK);
    char back[32];
    assert_int_equal(read_file(path, back, sizeof back), 18);
    assert_memory_equal(back, "read-only contents", 18);
    remove(path);
}

/* ---- other processes ------------------------------------------------------- */

/* The pattern the parent writes and the reply a child writes back. */
#define REPLY_OFFSET ((size_t)GRANULE + 100)

static void child_open_read_and_reply(void)
{
    char name[256];
    get_variable(NAME_VARIABLE, name, sizeof name, 10);
    strata_section *section = NULL;
    if (strata_section_open(name, STRATA_FILE_MAP_WRITE | STRATA_FILE_MAP_READ, &section) != STRATA_OK) {
        exit(11);
    }
    void *base = NULL;
    if (strata_section_map(section, STRATA_FILE_MAP_WRITE, 0, 0, NULL, &base) != STRATA_OK) {
        exit(12);
    }
    unsigned char *bytes = base;
    strata_vmm_region_info info;
    if (strata_vmm_query(base, &info) != STRATA_OK || info.region_size != 2 * GRANULE ||
        info.type != STRATA_MEM_MAPPED) {
        exit(13);
    }
    if (!has_pattern(bytes, GRANULE, 5)) {
        exit(14);
    }
    memcpy(bytes + REPLY_OFFSET, "child was here", 14);
    /* A second create by name finds the same section. */
    strata_section *created = NULL;
    bool existed = false;
    if (strata_section_create(STRATA_NO_FILE, PAGE, STRATA_PAGE_READONLY, 0, name, &created, &existed) != STRATA_OK ||
        !existed) {
        exit(15);
    }
    strata_section_close(created);
    strata_section_unmap(base);
    strata_section_close(section);
    exit(0);
}

static void child_expect_name_gone(void)
{
    char name[256];
    get_variable(NAME_VARIABLE, name, sizeof name, 10);
    strata_section *section = NULL;
    strata_status status = strata_section_open(name, STRATA_FILE_MAP_READ, &section);
    exit(status == STRATA_E_NOT_FOUND ? 0 : 20);
}

static void child_expect_name_present(void)
{
    char name[256];
    get_variable(NAME_VARIABLE, name, sizeof name, 10);
    strata_section *section = NULL;
    if (strata_section_open(name, STRATA_FILE_MAP_READ, &section) != STRATA_OK) {
        exit(30);
    }
    strata_section_close(section);
    exit(0);
}

/* The handle a forked child inherits (the parent's global). */
static strata_section *inherited_section;

static void child_close_inherited(void)
{
    /* A fresh process (Windows) has no inherited handle: nothing to close. */
    if (inherited_section != NULL && strata_section_close(inherited_section) != STRATA_OK) {
        exit(40);
    }
    exit(0);
}

/* Ends without closing what it holds (a forked child's inherited handle), as a crash would. */
static void child_exit_holding(void)
{
    exit(0);
}

static void child_create_and_exit_holding(void)
{
    char name[256];
    get_variable(NAME_VARIABLE, name, sizeof name, 10);
    strata_section *section = NULL;
    bool existed = true;
    if (strata_section_create(STRATA_NO_FILE, PAGE, RW, 0, name, &section, &existed) != STRATA_OK || existed) {
        exit(70);
    }
    exit(0);
}

static void child_read_file_section(void)
{
    char name[256];
    get_variable(NAME_VARIABLE, name, sizeof name, 10);
    strata_section *section = NULL;
    if (strata_section_open(name, STRATA_FILE_MAP_READ, &section) != STRATA_OK) {
        exit(50);
    }
    void *base = NULL;
    if (strata_section_map(section, STRATA_FILE_MAP_READ, 0, 0, NULL, &base) != STRATA_OK) {
        exit(51);
    }
    strata_vmm_region_info info;
    if (strata_vmm_query(base, &info) != STRATA_OK || info.region_size != 2 * PAGE) {
        exit(52);
    }
    if (!has_pattern(base, 5000, 8)) {
        exit(53);
    }
    strata_section_unmap(base);
    strata_section_close(section);
    exit(0);
}

static void test_named_section_visible_to_another_process(void **state)
{
    (void)state;
    char name[128];
    unique_name(name, sizeof name, "cross/process");
    strata_section *section = NULL;
    bool existed = true;
    assert_status(strata_section_create(STRATA_NO_FILE, 2 * GRANULE, RW, 0, name, &section, &existed), STRATA_OK);
    assert_false(existed);
    unsigned char *view = map_view(section, STRATA_FILE_MAP_WRITE, 0, 0);
    fill_pattern(view, GRANULE, 5);
    set_variable(NAME_VARIABLE, name);
    expect_child_exit("open_read_and_reply", true, 0);
    assert_memory_equal(view + REPLY_OFFSET, "child was here", 14);

    /* The name goes with this process's last handle, though the view stays. */
    assert_status(strata_section_close(section), STRATA_OK);
    expect_child_exit("expect_name_gone", true, 0);
    assert_memory_equal(view + REPLY_OFFSET, "child was here", 14);
    assert_status(strata_section_unmap(view), STRATA_OK);
}

static void test_name_lasts_while_another_process_holds_it(void **state)
{
    (void)state;
    char name[128];
    unique_name(name, sizeof name, "holders");
    assert_status(strata_section_create(STRATA_NO_FILE, PAGE, RW, 0, name, &inherited_section, NULL), STRATA_OK);
    set_variable(NAME_VARIABLE, name);
    /* A forked child closing the handle it inherited leaves the parent's
     * name; so does one that ends without closing it. */
    expect_child_exit("close_inherited", false, 0);
    expect_child_exit("expect_name_present", true, 0);
    expect_child_exit("exit_holding", false, 0);
    expect_child_exit("expect_name_present", true, 0);
    /* With the parent's handle, the name goes: the child holds nothing now. */
    assert_status(strata_section_close(inherited_section), STRATA_OK);
    inherited_section = NULL;
    expect_child_exit("expect_name_gone", true, 0);
}

static void test_name_of_an_ended_process_goes(void **state)
{
    (void)state;
    char name[128];
    unique_name(name, sizeof name, "ended");
    set_variable(NAME_VARIABLE, name);
    /* The child makes the name and ends holding it; nobody holds it now. */
    expect_child_exit("create_and_exit_holding", true, 0);
    strata_section *section = NULL;
    assert_status(strata_section_open(name, STRATA_FILE_MAP_READ, &section), STRATA_E_NOT_FOUND);
    bool existed = true;
    assert_status(strata_section_create(STRATA_NO_FILE, PAGE, RW, 0, name, &section, &existed), STRATA_OK);
    assert_false(existed);
    assert_status(strata_section_close(section), STRATA_OK);
}

static void test_named_file_section_in_another_process(void **state)
{
    (void)state;
    char name[128], path[128];
    unique_name(name, sizeof name, "file-name");
    unique_name(path, sizeof path, "file-data");
    static unsigned char bytes[5000];
    fill_pattern(bytes, sizeof bytes, 8);
    write_file(path, bytes, sizeof bytes);
    strata_native_file file = open_file(path, false);
    strata_section *section = NULL;
    bool existed = true;
    assert_status(strata_section_create(file, 0, STRATA_PAGE_READONLY, 0, name, &section, &existed), STRATA_OK);
    assert_false(existed);
    assert_status(strata_platform_file_close(file), STRATA_OK);
    set_variable(NAME_VARIABLE, name);
    expect_child_exit("read_file_section", true, 0);
    assert_status(strata_section_close(section), STRATA_OK);
    expect_child_exit("expect_name_gone", true, 0);
    remove(path);
}

static const child_scenario scenarios[] = {
    {"open_read_and_reply", child_open_read_and_reply},
    {"expect_name_gone", child_expect_name_gone},
    {"expect_name_present", child_expect_name_present},
    {"close_inherited", child_close_inherited},
    {"read_file_section", child_read_file_section},
    {"exit_holding", child_exit_holding},
    {"create_and_exit_holding", child_create_and_exit_holding},
    {NULL, NULL},
};

int main(int argc, char **argv)
{
    int child = child_dispatch(argc, argv, scenarios);
    if (child >= 0) {
        return child;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_platform_anonymous_object_views_share),
        cmocka_unit_test(test_platform_view_privatize),
        cmocka_unit_test(test_platform_access_and_arguments),
        cmocka_unit_test(test_platform_named_object_lifetime),
        cmocka_unit_test(test_platform_names_are_exact),
        cmocka_unit_test(test_platform_file_size_and_grow),
        cmocka_unit_test(test_create_rejects_bad_arguments),
        cmocka_unit_test(test_create_accepts_every_section_protection),
        cmocka_unit_test(test_two_views_share_data),
        cmocka_unit_test(test_query_describes_views),
        cmocka_unit_test(test_access_gives_view_protection),
        cmocka_unit_test(test_access_beyond_section_is_denied),
        cmocka_unit_test(test_offsets_and_sizes),
        cmocka_unit_test(test_map_at_requested_address),
        cmocka_unit_test(test_copy_on_write_view_keeps_section),
        cmocka_unit_test(test_sec_reserve_commit_is_section_wide),
        cmocka_unit_test(test_sec_reserve_commit_reaches_copy_on_write_views),
        cmocka_unit_test(test_commit_in_committed_view_changes_protection),
        cmocka_unit_test(test_unmap_takes_any_address_in_a_view),
        cmocka_unit_test(test_flush_of_memory_views),
        cmocka_unit_test(test_close_and_handle_errors),
        cmocka_unit_test(test_named_sections_in_one_process),
        cmocka_unit_test(test_open_access_bounds_views),
        cmocka_unit_test(test_name_goes_with_last_handle_while_mapped),
        cmocka_unit_test(test_threads_share_one_name),
        cmocka_unit_test(test_file_view_writes_reach_the_file),
        cmocka_unit_test(test_file_sizes),
        cmocka_unit_test(test_file_opened_read_only),
        cmocka_unit_test(test_named_section_visible_to_another_process),
        cmocka_unit_test(test_name_lasts_while_another_process_holds_it),
        cmocka_unit_test(test_named_file_section_in_another_process),
        cmocka_unit_test(test_name_of_an_ended_process_goes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
