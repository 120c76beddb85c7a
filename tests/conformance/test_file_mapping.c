/* SPDX-License-Identifier: MIT */
/*
 * File mapping: CreateFileMappingA/W (pagefile-backed and over a file),
 * OpenFileMappingA/W, MapViewOfFile(Ex), UnmapViewOfFile, FlushViewOfFile,
 * and views as the virtual-memory functions see them.
 * docs/windows-behaviour.md §4; priority items 22-24.
 */
#include "conformance.h"

#define SECTION_SIZE 0x100000u /* the size of Wine's measured SEC_RESERVE/SEC_COMMIT cases */

/* ---- helpers --------------------------------------------------------------- */

/* A pagefile-backed section that must be created. */
static HANDLE pagefile_section(DWORD protect, DWORD size)
{
    HANDLE section = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, protect, 0, size, NULL);
    if (section == NULL)
        print_error("CreateFileMappingA(%#lx, %#lx) failed with GetLastError() %lu\n",
                    (unsigned long)protect, (unsigned long)size, (unsigned long)GetLastError());
    assert_non_null(section);
    return section;
}

/* A view that must be mapped. */
static char *map_view(HANDLE section, DWORD access, DWORD offset, SIZE_T size)
{
    char *view = MapViewOfFile(section, access, 0, offset, size);
    if (view == NULL)
        print_error("MapViewOfFile(%#lx, offset %#lx, size %#lx) failed with GetLastError() %lu\n",
                    (unsigned long)access, (unsigned long)offset, (unsigned long)size,
                    (unsigned long)GetLastError());
    assert_non_null(view);
    return view;
}

#define unmap(view) expect_success(UnmapViewOfFile(view))
#define close_handle(handle) expect_success(CloseHandle(handle))

/* The temporary data file of the test that is running (see file_setup). */
static char file_path[96];

/* Creates the test's data file with `size` bytes of pattern (byte i = i * 7 + 3). */
static void write_pattern_file(size_t size)
{
    static unsigned char bytes[0x10000];
    assert_true(size <= sizeof(bytes));
    for (size_t i = 0; i < size; i++)
        bytes[i] = (unsigned char)(i * 7 + 3);
    assert_true(conf_write_file(file_path, bytes, size));
}

static bool has_pattern(const char *data, size_t size)
{
    for (size_t i = 0; i < size; i++)
        if ((unsigned char)data[i] != (unsigned char)(i * 7 + 3))
            return false;
    return true;
}

/* Opens the test's data file with these GENERIC_ rights; it must exist. */
static HANDLE open_file(DWORD access)
{
    HANDLE file = CreateFileA(file_path, access, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                              OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    if (file == INVALID_HANDLE_VALUE)
        print_error("CreateFileA(%s) failed with GetLastError() %lu\n", file_path,
                    (unsigned long)GetLastError());
    assert_true(file != INVALID_HANDLE_VALUE);
    return file;
}

/* Each test gets its own file, so that one left open by a failed test cannot spoil the next. */
static int file_setup(void **state)
{
    static unsigned serial;
    char tag[32];
    (void)state;
    snprintf(tag, sizeof(tag), "mapping%u", ++serial);
    conf_file_path(file_path, sizeof(file_path), tag);
    remove(file_path);
    return 0;
}

static int file_teardown(void **state)
{
    (void)state;
    remove(file_path);
    return 0;
}

/* ---- names (§4.1, §4.2, item 22) --------------------------------------------- */

/* A new named section: a handle, and GetLastError() set to 0 (§4.1). */
static void test_new_named_section_sets_last_error_zero(void **state)
{
    char name[96];
    HANDLE section;
    (void)state;

    conf_name(name, sizeof(name), "new");
    SetLastError(CONF_POISON);
    section = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, SEC_COMMIT | PAGE_READWRITE, 0,
                                 0x1000, name);
    assert_non_null(section);
    expect_last_error(0);
    close_handle(section);
}

/*
 * Creating a name that exists opens the existing section, keeps its size,
 * and sets ERROR_ALREADY_EXISTS (§4.1, item 22).
 */
static void test_existing_name_opens_existing_section(void **state)
{
    char name[96];
    HANDLE first, second;
    char *view1, *view2;
    (void)state;

    conf_name(name, sizeof(name), "exists");
    first = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 0x1000, name);
    assert_non_null(first);
    view1 = map_view(first, FILE_MAP_WRITE, 0, 0);
    view1[0] = 0x61;

    SetLastError(CONF_POISON);
    second = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 0x3000, name);
    assert_non_null(second);
    expect_last_error(ERROR_ALREADY_EXISTS);
    assert_true(second != first);

    view2 = map_view(second, FILE_MAP_READ, 0, 0);
    expect_region(view2, view2, view2, PAGE_READONLY, 0x1000, MEM_COMMIT, PAGE_READONLY,
                  MEM_MAPPED);
    assert_int_equal(view2[0], 0x61);
    unmap(view2);
    unmap(view1);
    close_handle(second);
    close_handle(first);
}

/* Names are case-sensitive: names differing in case are different sections (§4.1, item 22). */
static void test_names_are_case_sensitive(void **state)
{
    char lower[96], upper[96], other[96];
    HANDLE section, other_case, opened;
    char *view1, *view2;
    (void)state;

    conf_name(lower, sizeof(lower), "Case Mapping");
    conf_name(upper, sizeof(upper), "CASE MAPPING");
    conf_name(other, sizeof(other), "case mapping");

    SetLastError(CONF_POISON);
    section = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, SEC_COMMIT | PAGE_READWRITE, 0,
                                 0x1000, lower);
    assert_non_null(section);
    expect_last_error(0);

    SetLastError(CONF_POISON);
    other_case = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, SEC_COMMIT | PAGE_READWRITE, 0,
                                    0x1000, upper);
    assert_non_null(other_case);
    expect_last_error(0);

    /* Two objects: a write through one is not seen through the other. */
    view1 = map_view(section, FILE_MAP_WRITE, 0, 0);
    view2 = map_view(other_case, FILE_MAP_WRITE, 0, 0);
    view1[0] = 1;
    assert_int_equal(view2[0], 0);
    unmap(view2);
    unmap(view1);

    SetLastError(CONF_POISON);
    expect_failure_with(OpenFileMappingA(FILE_MAP_ALL_ACCESS, FALSE, other) == NULL,
                        ERROR_FILE_NOT_FOUND);

    close_handle(other_case);
    SetLastError(CONF_POISON);
    expect_failure_with(OpenFileMappingA(FILE_MAP_ALL_ACCESS, FALSE, upper) == NULL,
                        ERROR_FILE_NOT_FOUND);
    opened = OpenFileMappingA(FILE_MAP_ALL_ACCESS, FALSE, lower);
    assert_non_null(opened);
    close_handle(opened);
    close_handle(section);
}

/* The A and W functions name the same objects (§4.1, §4.2). */
static void test_wide_and_narrow_names_reach_same_section(void **state)
{
    char narrow[96];
    WCHAR wide[96];
    HANDLE created, opened, again;
    char *view1, *view2;
    (void)state;

    conf_name(narrow, sizeof(narrow), "wide");
    conf_wide_name(wide, sizeof(wide) / sizeof(wide[0]), "wide");

    SetLastError(CONF_POISON);
    created = CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 0x1000, wide);
    assert_non_null(created);
    expect_last_error(0);
    opened = OpenFileMappingA(FILE_MAP_READ, FALSE, narrow);
    assert_non_null(opened);
    view1 = map_view(created, FILE_MAP_WRITE, 0, 0);
    view2 = map_view(opened, FILE_MAP_READ, 0, 0);
    view1[10] = 0x5e;
    assert_int_equal(view2[10], 0x5e);
    unmap(view2);
    close_handle(opened);

    opened = OpenFileMappingW(FILE_MAP_WRITE, FALSE, wide);
    assert_non_null(opened);
    close_handle(opened);

    SetLastError(CONF_POISON);
    again = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 0x1000, narrow);
    assert_non_null(again);
    expect_last_error(ERROR_ALREADY_EXISTS);
    close_handle(again);

    unmap(view1);
    close_handle(created);
}

/* Opening a name nobody created: NULL and ERROR_FILE_NOT_FOUND (§4.2). */
static void test_open_missing_name_fails_with_file_not_found(void **state)
{
    char narrow[96];
    WCHAR wide[96];
    (void)state;

    conf_name(narrow, sizeof(narrow), "missing");
    conf_wide_name(wide, sizeof(wide) / sizeof(wide[0]), "missing");
    SetLastError(CONF_POISON);
    expect_failure_with(OpenFileMappingA(FILE_MAP_READ, FALSE, narrow) == NULL,
                        ERROR_FILE_NOT_FOUND);
    SetLastError(CONF_POISON);
    expect_failure_with(OpenFileMappingW(FILE_MAP_ALL_ACCESS, FALSE, wide) == NULL,
                        ERROR_FILE_NOT_FOUND);
}

/*
 * The name goes away with the last handle even while a view is mapped; the
 * view keeps working, and creating the name again makes a new section
 * (last error 0) (§4.1 Lifetime, item 22).
 */
static void test_name_disappears_with_last_handle_while_view_remains(void **state)
{
    char name[96];
    HANDLE section, second, fresh;
    char *view, *fresh_view;
    (void)state;

    conf_name(name, sizeof(name), "lifetime");
    section = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, SECTION_SIZE,
                                 name);
    assert_non_null(section);
    view = map_view(section, FILE_MAP_WRITE, 0, 0);
    view[0] = 0x4f;
    second = OpenFileMappingA(FILE_MAP_READ, FALSE, name);
    assert_non_null(second);
    close_handle(second);
    close_handle(section);

    /* The view still works. */
    expect_region(view, view, view, PAGE_READWRITE, SECTION_SIZE, MEM_COMMIT, PAGE_READWRITE,
                  MEM_MAPPED);
    assert_int_equal(view[0], 0x4f);
    view[SECTION_SIZE - 1] = 0x50;

    /* The name is gone. */
    SetLastError(CONF_POISON);
    expect_failure_with(OpenFileMappingA(FILE_MAP_READ, FALSE, name) == NULL,
                        ERROR_FILE_NOT_FOUND);
    SetLastError(CONF_POISON);
    fresh = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, SECTION_SIZE, name);
    assert_non_null(fresh);
    expect_last_error(0);
    fresh_view = map_view(fresh, FILE_MAP_READ, 0, 0);
    assert_int_equal(fresh_view[0], 0); /* a new object, not the old one */
    unmap(fresh_view);
    close_handle(fresh);

    assert_int_equal(view[0], 0x4f);
    unmap(view);
    expect_free(view);
}

/* ---- protections and SEC_ flags (§4.1, item 22) ------------------------------- */

/*
 * Every value of the low byte for a pagefile-backed section: READONLY,
 * READWRITE, WRITECOPY and the three EXECUTE_ forms with read are accepted;
 * 0, NOACCESS, EXECUTE and any combination are ERROR_INVALID_PARAMETER (§4.1).
 */
static void test_protection_matrix(void **state)
{
    (void)state;
    for (DWORD protect = 0; protect <= 0xff; protect++) {
        const bool valid = protect == PAGE_READONLY || protect == PAGE_READWRITE ||
                           protect == PAGE_WRITECOPY || protect == PAGE_EXECUTE_READ ||
                           protect == PAGE_EXECUTE_READWRITE || protect == PAGE_EXECUTE_WRITECOPY;
        HANDLE section;
        DWORD error;

        SetLastError(CONF_POISON);
        section = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, protect, 0, 0x1000, NULL);
        error = GetLastError();
        if (valid != (section != NULL) || (section == NULL && error != ERROR_INVALID_PARAMETER)) {
            print_error("CreateFileMappingA(%#lx) returned %p with GetLastError() %lu; "
                        "expected %s\n",
                        (unsigned long)protect, section, (unsigned long)error,
                        valid ? "a handle" : "failure with ERROR_INVALID_PARAMETER");
            fail();
        }
        if (section != NULL)
            close_handle(section);
    }
}

struct sec_flags_case {
    DWORD flags;
    DWORD error; /* 0: accepted */
};

/* The SEC_ attribute matrix shared by pagefile-backed and data-file sections (§4.1). */
static const struct sec_flags_case sec_flags_cases[] = {
    {0, 0},
    {SEC_COMMIT, 0},
    {SEC_RESERVE, 0},
    {SEC_RESERVE | SEC_NOCACHE, 0},
    {SEC_RESERVE | SEC_WRITECOMBINE, 0},
    {SEC_COMMIT | SEC_NOCACHE, 0},
    {SEC_COMMIT | SEC_WRITECOMBINE, 0},
    {SEC_RESERVE | SEC_COMMIT, ERROR_INVALID_PARAMETER},
    {SEC_RESERVE | SEC_LARGE_PAGES, ERROR_INVALID_PARAMETER},
    {SEC_NOCACHE, ERROR_INVALID_PARAMETER},
    {SEC_WRITECOMBINE, ERROR_INVALID_PARAMETER},
    {SEC_LARGE_PAGES, ERROR_INVALID_PARAMETER},
    {SEC_IMAGE, ERROR_BAD_EXE_FORMAT},
    {SEC_IMAGE | SEC_RESERVE, ERROR_INVALID_PARAMETER},
    {SEC_IMAGE | SEC_COMMIT, ERROR_INVALID_PARAMETER},
    {SEC_FILE, ERROR_INVALID_PARAMETER},
    {SEC_FILE | SEC_RESERVE, ERROR_INVALID_PARAMETER},
    {SEC_FILE | SEC_COMMIT, ERROR_INVALID_PARAMETER},
};

static void check_sec_flags(HANDLE file, const char *tag)
{
    char name[96];
    conf_name(name, sizeof(name), tag);
    for (size_t i = 0; i < sizeof(sec_flags_cases) / sizeof(sec_flags_cases[0]); i++) {
        const struct sec_flags_case *c = &sec_flags_cases[i];
        HANDLE section;
        DWORD error;

        SetLastError(CONF_POISON);
        section = CreateFileMappingA(file, NULL, c->flags | PAGE_READWRITE, 0, 0x1000, name);
        error = GetLastError();
        if ((c->error == 0) != (section != NULL) || error != c->error) {
            print_error("CreateFileMappingA(%s, SEC_ flags %#lx) returned %p with GetLastError() "
                        "%lu; expected %s with %lu\n",
                        file == INVALID_HANDLE_VALUE ? "pagefile" : "file",
                        (unsigned long)c->flags, section, (unsigned long)error,
                        c->error == 0 ? "a handle" : "failure", (unsigned long)c->error);
            fail();
        }
        if (section != NULL)
            close_handle(section);
    }
}

/* SEC_ flags on a pagefile-backed section (§4.1 SEC_* matrix, item 22). */
static void test_sec_flags_on_pagefile_section(void **state)
{
    (void)state;
    check_sec_flags(INVALID_HANDLE_VALUE, "sec_pagefile");
}

/* SEC_ flags on a data-file section (§4.1 SEC_* matrix). */
static void test_sec_flags_on_data_file_section(void **state)
{
    HANDLE file;
    (void)state;

    write_pattern_file(0x2000);
    file = open_file(GENERIC_READ | GENERIC_WRITE);
    check_sec_flags(file, "sec_file");
    close_handle(file);
}

/* SEC_NOCACHE gives the view protection PAGE_NOCACHE (0x204) (§4.1 SEC_* matrix). */
static void test_sec_nocache_view_protection_includes_nocache(void **state)
{
    HANDLE section;
    char *view;
    (void)state;

    section = pagefile_section(PAGE_READWRITE | SEC_COMMIT | SEC_NOCACHE, SECTION_SIZE);
    view = map_view(section, FILE_MAP_WRITE, 0, 0);
    expect_region(view, view, view, PAGE_READWRITE | PAGE_NOCACHE, SECTION_SIZE, MEM_COMMIT,
                  PAGE_READWRITE | PAGE_NOCACHE, MEM_MAPPED);
    unmap(view);
    close_handle(section);
}

/* ---- pagefile-backed sections (§4.1) ------------------------------------------ */

/* Size 0 needs a file: ERROR_INVALID_PARAMETER ([inferred] §4.1, checked on Wine). */
static void test_pagefile_section_of_size_zero_fails_with_invalid_parameter(void **state)
{
    char name[96];
    (void)state;

    conf_name(name, sizeof(name), "zero");
    SetLastError(CONF_POISON);
    expect_failure_with(CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 0,
                                           NULL) == NULL,
                        ERROR_INVALID_PARAMETER);
    SetLastError(CONF_POISON);
    expect_failure_with(CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 0,
                                           name) == NULL,
                        ERROR_INVALID_PARAMETER);
}

/* Contents start zero; the size is rounded up to a page (4090 → a 4096-byte view) (§4.1). */
static void test_pagefile_section_is_zeroed_and_page_rounded(void **state)
{
    HANDLE section;
    char *view;
    (void)state;

    section = pagefile_section(PAGE_READWRITE, 4090);
    view = map_view(section, FILE_MAP_WRITE, 0, 0);
    expect_region(view, view, view, PAGE_READWRITE, 0x1000, MEM_COMMIT, PAGE_READWRITE,
                  MEM_MAPPED);
    assert_true(all_bytes(view, 0x1000, 0));
    memset(view, 0x12, 0x1000);
    assert_true(all_bytes(view, 0x1000, 0x12));
    unmap(view);
    close_handle(section);
}

/* ---- data-file sections (§4.1) ------------------------------------------------- */

/*
 * Size 0 takes the file's exact size: a view covers it, rounded to pages, with
 * the file's bytes; one byte more is past the end (§4.1, §4.3).
 */
static void test_file_section_of_size_zero_has_file_size(void **state)
{
    HANDLE file, section;
    char *view;
    (void)state;

    write_pattern_file(0x3456);
    file = open_file(GENERIC_READ);
    section = CreateFileMappingA(file, NULL, PAGE_READONLY, 0, 0, NULL);
    assert_non_null(section);

    view = map_view(section, FILE_MAP_READ, 0, 0);
    expect_region(view, view, view, PAGE_READONLY, 0x4000, MEM_COMMIT, PAGE_READONLY,
                  MEM_MAPPED);
    assert_true(has_pattern(view, 0x3456));
    unmap(view);

    view = map_view(section, FILE_MAP_READ, 0, 0x3456);
    unmap(view);
    /* NT STATUS_INVALID_VIEW_SIZE → ERROR_ACCESS_DENIED ([inferred] §4.3, checked on Wine). */
    SetLastError(CONF_POISON);
    expect_failure_with(MapViewOfFile(section, FILE_MAP_READ, 0, 0, 0x3457) == NULL,
                        ERROR_ACCESS_DENIED);
    close_handle(section);
    close_handle(file);
}

/* An empty file with size 0: ERROR_FILE_INVALID (§4.1). */
static void test_empty_file_with_size_zero_fails_with_file_invalid(void **state)
{
    HANDLE file;
    (void)state;

    assert_true(conf_write_file(file_path, "", 0));
    file = open_file(GENERIC_READ | GENERIC_WRITE);
    SetLastError(CONF_POISON);
    expect_failure_with(CreateFileMappingA(file, NULL, PAGE_READWRITE, 0, 0, NULL) == NULL,
                        ERROR_FILE_INVALID);
    close_handle(file);
    assert_int_equal(conf_file_size(file_path), 0);
}

/* A read-write section larger than the file extends the file (§4.1). */
static void test_readwrite_section_larger_than_file_extends_it(void **state)
{
    HANDLE file, section;
    char *view;
    char tail[0x3000];
    (void)state;

    write_pattern_file(0x1000);
    file = open_file(GENERIC_READ | GENERIC_WRITE);
    section = CreateFileMappingA(file, NULL, PAGE_READWRITE, 0, 0x3000, NULL);
    assert_non_null(section);
    view = map_view(section, FILE_MAP_WRITE, 0, 0);
    expect_region(view, view, view, PAGE_READWRITE, 0x3000, MEM_COMMIT, PAGE_READWRITE,
                  MEM_MAPPED);
    assert_true(has_pattern(view, 0x1000));
    view[0x2fff] = 0x7e;
    unmap(view);
    close_handle(section);
    close_handle(file);

    assert_int_equal(conf_file_size(file_path), 0x3000);
    assert_int_equal(conf_read_file(file_path, tail, sizeof(tail)), sizeof(tail));
    assert_true(has_pattern(tail, 0x1000));
    assert_int_equal((unsigned char)tail[0x2fff], 0x7e);
}

/*
 * A read-only section larger than the file fails and the file keeps its size
 * (§4.1; NT STATUS_SECTION_TOO_BIG → ERROR_NOT_ENOUGH_MEMORY, [inferred],
 * checked on Wine).
 */
static void test_readonly_section_larger_than_file_fails(void **state)
{
    HANDLE file;
    (void)state;

    write_pattern_file(0x1000);
    file = open_file(GENERIC_READ | GENERIC_WRITE);
    SetLastError(CONF_POISON);
    expect_failure_with(CreateFileMappingA(file, NULL, PAGE_READONLY, 0, 0x3000, NULL) == NULL,
                        ERROR_NOT_ENOUGH_MEMORY);
    close_handle(file);
    assert_int_equal(conf_file_size(file_path), 0x1000);
}

/*
 * A file opened for reading only allows READONLY and WRITECOPY sections;
 * READWRITE, and the EXECUTE forms (no GENERIC_EXECUTE), fail with
 * ERROR_ACCESS_DENIED (§4.1 "File handle access vs protection").
 * WINE-DIFFERENCES.md: Wine accepts PAGE_EXECUTE_READ and
 * PAGE_EXECUTE_WRITECOPY here.
 */
static void test_read_only_file_handle_limits_section_protection(void **state)
{
    static const DWORD execute_without_write[] = {PAGE_EXECUTE_READ, PAGE_EXECUTE_WRITECOPY};
    HANDLE file, section;
    (void)state;

    write_pattern_file(0x1000);
    file = open_file(GENERIC_READ);

    section = CreateFileMappingA(file, NULL, PAGE_READONLY, 0, 0, NULL);
    assert_non_null(section);
    close_handle(section);
    section = CreateFileMappingA(file, NULL, PAGE_WRITECOPY, 0, 0, NULL);
    assert_non_null(section);
    close_handle(section);

    SetLastError(CONF_POISON);
    expect_failure_with(CreateFileMappingA(file, NULL, PAGE_READWRITE, 0, 0, NULL) == NULL,
                        ERROR_ACCESS_DENIED);
    SetLastError(CONF_POISON);
    expect_failure_with(CreateFileMappingA(file, NULL, PAGE_EXECUTE_READWRITE, 0, 0, NULL) ==
                            NULL,
                        ERROR_ACCESS_DENIED);
    for (size_t i = 0; i < 2; i++) {
        SetLastError(CONF_POISON);
        section = CreateFileMappingA(file, NULL, execute_without_write[i], 0, 0, NULL);
        if (SYSTEM_FILE_RULE(true, false)) { /* §4.1 file handle access row */
            expect_failure_with(section == NULL, ERROR_ACCESS_DENIED);
        } else {
            assert_non_null(section);
            close_handle(section);
        }
    }
    close_handle(file);
}

/* Writes through a file view reach the file; FlushViewOfFile succeeds (§4.3, §4.6). */
static void test_file_view_writes_reach_file(void **state)
{
    HANDLE file, section;
    char *view;
    char data[0x2000];
    (void)state;

    write_pattern_file(0x2000);
    file = open_file(GENERIC_READ | GENERIC_WRITE);
    section = CreateFileMappingA(file, NULL, PAGE_READWRITE, 0, 0, NULL);
    assert_non_null(section);
    view = map_view(section, FILE_MAP_WRITE, 0, 0);
    memcpy(view + 0x1800, "strata", 6);
    expect_success(FlushViewOfFile(view, 0));
    expect_success(FlushViewOfFile(view + 0x1800, 6));

    assert_int_equal(conf_read_file(file_path, data, sizeof(data)), sizeof(data));
    assert_memory_equal(data + 0x1800, "strata", 6);
    assert_true(has_pattern(data, 0x1800));

    unmap(view);
    close_handle(section);
    close_handle(file);
    assert_int_equal(conf_read_file(file_path, data, sizeof(data)), sizeof(data));
    assert_memory_equal(data + 0x1800, "strata", 6);
}

/* VirtualAlloc(MEM_COMMIT) on a file-backed view: ERROR_ACCESS_DENIED (§4.4, item 24). */
static void test_commit_in_file_view_fails_with_access_denied(void **state)
{
    HANDLE file, section;
    char *view;
    (void)state;

    write_pattern_file(0x2000);
    file = open_file(GENERIC_READ | GENERIC_WRITE);
    section = CreateFileMappingA(file, NULL, PAGE_READWRITE, 0, 0, NULL);
    assert_non_null(section);
    view = map_view(section, FILE_MAP_READ, 0, 0);
    SetLastError(CONF_POISON);
    expect_failure_with(VirtualAlloc(view, 0x1000, MEM_COMMIT, PAGE_READONLY) == NULL,
                        ERROR_ACCESS_DENIED);
    expect_region(view, view, view, PAGE_READONLY, 0x2000, MEM_COMMIT, PAGE_READONLY,
                  MEM_MAPPED);
    assert_true(has_pattern(view, 0x2000));
    unmap(view);
    close_handle(section);
    close_handle(file);
}

/*
 * A FILE_MAP_COPY view of a file: writes are private, the file is not
 * modified; the written page becomes PAGE_READWRITE in a region of its own,
 * the others stay PAGE_WRITECOPY, Type stays MEM_MAPPED (§4.3, §4.4).
 * WINE-DIFFERENCES.md: Wine keeps reporting PAGE_WRITECOPY for the written
 * page (one region).
 */
static void test_copy_view_of_file_keeps_file_unchanged(void **state)
{
    HANDLE file, section;
    char *view;
    char data[0x2000];
    (void)state;

    write_pattern_file(0x2000);
    file = open_file(GENERIC_READ);
    section = CreateFileMappingA(file, NULL, PAGE_WRITECOPY, 0, 0, NULL);
    assert_non_null(section);
    view = map_view(section, FILE_MAP_COPY, 0, 0);
    expect_region(view, view, view, PAGE_WRITECOPY, 0x2000, MEM_COMMIT, PAGE_WRITECOPY,
                  MEM_MAPPED);
    view[0] = 0x01;
    assert_int_equal(view[0], 0x01);
    expect_region(view, view, view, PAGE_WRITECOPY,
                  WRITECOPY_TRACKED(0x1000, 0x2000), /* §4.4 writing a WRITECOPY page */
                  MEM_COMMIT,
                  WRITECOPY_TRACKED(PAGE_READWRITE, PAGE_WRITECOPY), /* §4.4 same row */
                  MEM_MAPPED);
    expect_region(view + 0x1000, view + 0x1000, view, PAGE_WRITECOPY, 0x1000, MEM_COMMIT,
                  PAGE_WRITECOPY, MEM_MAPPED);
    unmap(view);
    close_handle(section);
    close_handle(file);

    assert_int_equal(conf_read_file(file_path, data, sizeof(data)), sizeof(data));
    assert_true(has_pattern(data, sizeof(data)));
}

/* ---- OpenFileMapping access (§4.2) --------------------------------------------- */

/* A FILE_MAP_READ handle maps for reading only (§4.2). */
static void test_read_handle_cannot_map_for_write(void **state)
{
    char name[96];
    HANDLE section, opened;
    char *view;
    (void)state;

    conf_name(name, sizeof(name), "read_handle");
    section = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4090, name);
    assert_non_null(section);
    opened = OpenFileMappingA(FILE_MAP_READ, FALSE, name);
    assert_non_null(opened);

    SetLastError(CONF_POISON);
    expect_failure_with(MapViewOfFile(opened, FILE_MAP_WRITE, 0, 0, 0) == NULL,
                        ERROR_ACCESS_DENIED);
    view = map_view(opened, FILE_MAP_READ, 0, 0);
    expect_region(view, view, view, PAGE_READONLY, 4096, MEM_COMMIT, PAGE_READONLY, MEM_MAPPED);
    unmap(view);
    close_handle(opened);
    close_handle(section);
}

/* A FILE_MAP_WRITE handle does not imply read: FILE_MAP_READ is refused (§4.2). */
static void test_write_handle_cannot_map_for_read(void **state)
{
    char name[96];
    HANDLE section, opened;
    char *view;
    (void)state;

    conf_name(name, sizeof(name), "write_handle");
    section = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4090, name);
    assert_non_null(section);
    opened = OpenFileMappingA(FILE_MAP_WRITE, FALSE, name);
    assert_non_null(opened);

    SetLastError(CONF_POISON);
    expect_failure_with(MapViewOfFile(opened, FILE_MAP_READ, 0, 0, 0) == NULL,
                        ERROR_ACCESS_DENIED);
    view = map_view(opened, FILE_MAP_WRITE, 0, 0);
    expect_region(view, view, view, PAGE_READWRITE, 4096, MEM_COMMIT, PAGE_READWRITE,
                  MEM_MAPPED);
    unmap(view);
    close_handle(opened);
    close_handle(section);
}

/* ---- MapViewOfFile (§4.3, item 23) ---------------------------------------------- */

struct access_case {
    DWORD access;
    DWORD protect;
};

static void check_access_table(HANDLE section, const struct access_case *cases, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        char *view = MapViewOfFile(section, cases[i].access, 0, 0, 0);
        if (view == NULL) {
            print_error("MapViewOfFile(access %#lx) failed with GetLastError() %lu\n",
                        (unsigned long)cases[i].access, (unsigned long)GetLastError());
            fail();
        }
        if (query(view).Protect != cases[i].protect)
            print_error("with FILE_MAP_ access %#lx:\n", (unsigned long)cases[i].access);
        expect_region(view, view, view, cases[i].protect, 0x2000, MEM_COMMIT, cases[i].protect,
                      MEM_MAPPED);
        unmap(view);
    }
}

/*
 * The view's protection follows the requested access: COPY alone is
 * WRITECOPY, READ|COPY is READONLY, 0 is NOACCESS, any WRITE is READWRITE
 * (§4.3 access table, item 23).
 */
static void test_access_to_protection_on_readwrite_section(void **state)
{
    static const struct access_case cases[] = {
        {0, PAGE_NOACCESS},
        {FILE_MAP_READ, PAGE_READONLY},
        {FILE_MAP_WRITE, PAGE_READWRITE},
        {FILE_MAP_READ | FILE_MAP_WRITE, PAGE_READWRITE},
        {FILE_MAP_ALL_ACCESS, PAGE_READWRITE},
        {FILE_MAP_COPY, PAGE_WRITECOPY},
        {FILE_MAP_READ | FILE_MAP_COPY, PAGE_READONLY},
        {FILE_MAP_WRITE | FILE_MAP_COPY, PAGE_READWRITE},
        {FILE_MAP_READ | FILE_MAP_WRITE | FILE_MAP_COPY, PAGE_READWRITE},
    };
    HANDLE section;
    (void)state;

    section = pagefile_section(PAGE_READWRITE, 0x2000);
    check_access_table(section, cases, sizeof(cases) / sizeof(cases[0]));
    close_handle(section);
}

/* The execute forms on a PAGE_EXECUTE_READWRITE section (§4.3 access table). */
static void test_access_to_protection_on_execute_section(void **state)
{
    static const struct access_case cases[] = {
        {FILE_MAP_EXECUTE | FILE_MAP_READ, PAGE_EXECUTE_READ},
        {FILE_MAP_EXECUTE | FILE_MAP_WRITE, PAGE_EXECUTE_READWRITE},
        {FILE_MAP_EXECUTE | FILE_MAP_COPY, PAGE_EXECUTE_WRITECOPY},
        {FILE_MAP_EXECUTE, PAGE_NOACCESS},
        {SECTION_MAP_EXECUTE, PAGE_NOACCESS},
        {SECTION_MAP_EXECUTE | FILE_MAP_COPY, PAGE_NOACCESS},
        {FILE_MAP_READ, PAGE_READONLY},
        {FILE_MAP_WRITE, PAGE_READWRITE},
        {FILE_MAP_COPY, PAGE_WRITECOPY},
    };
    HANDLE section;
    (void)state;

    section = pagefile_section(PAGE_EXECUTE_READWRITE, 0x2000);
    check_access_table(section, cases, sizeof(cases) / sizeof(cases[0]));
    close_handle(section);
}

/*
 * Access the section's protection does not allow: ERROR_ACCESS_DENIED; the
 * access it does allow, including FILE_MAP_COPY on a read-only section,
 * succeeds (§4.3, item 23).
 */
static void test_incompatible_access_fails_with_access_denied(void **state)
{
    HANDLE readonly, writecopy, readwrite;
    char *view;
    (void)state;

    readonly = pagefile_section(PAGE_READONLY, 0x1000);
    writecopy = pagefile_section(PAGE_WRITECOPY, 0x1000);
    readwrite = pagefile_section(PAGE_READWRITE, 0x1000);

    SetLastError(CONF_POISON);
    expect_failure_with(MapViewOfFile(readonly, FILE_MAP_WRITE, 0, 0, 0) == NULL,
                        ERROR_ACCESS_DENIED);
    SetLastError(CONF_POISON);
    expect_failure_with(MapViewOfFile(readonly, FILE_MAP_EXECUTE | FILE_MAP_READ, 0, 0, 0) ==
                            NULL,
                        ERROR_ACCESS_DENIED);
    SetLastError(CONF_POISON);
    expect_failure_with(MapViewOfFile(writecopy, FILE_MAP_WRITE, 0, 0, 0) == NULL,
                        ERROR_ACCESS_DENIED);
    SetLastError(CONF_POISON);
    expect_failure_with(MapViewOfFile(readwrite, FILE_MAP_EXECUTE | FILE_MAP_READ, 0, 0, 0) ==
                            NULL,
                        ERROR_ACCESS_DENIED);

    view = map_view(readonly, FILE_MAP_COPY, 0, 0);
    expect_region(view, view, view, PAGE_WRITECOPY, 0x1000, MEM_COMMIT, PAGE_WRITECOPY,
                  MEM_MAPPED);
    unmap(view);
    view = map_view(readonly, 0, 0, 0);
    expect_region(view, view, view, PAGE_NOACCESS, 0x1000, MEM_COMMIT, PAGE_NOACCESS,
                  MEM_MAPPED);
    unmap(view);
    view = map_view(writecopy, FILE_MAP_READ, 0, 0);
    unmap(view);

    close_handle(readwrite);
    close_handle(writecopy);
    close_handle(readonly);
}

/*
 * The offset must be a multiple of 64K: ERROR_MAPPED_ALIGNMENT otherwise
 * ([inferred] code §4.3, checked on Wine).
 */
static void test_offset_not_granule_multiple_fails_with_mapped_alignment(void **state)
{
    HANDLE section;
    (void)state;

    section = pagefile_section(PAGE_READWRITE, 0x30000);
    SetLastError(CONF_POISON);
    expect_failure_with(MapViewOfFile(section, FILE_MAP_WRITE, 0, 0x1000, 0x1000) == NULL,
                        ERROR_MAPPED_ALIGNMENT);
    SetLastError(CONF_POISON);
    expect_failure_with(MapViewOfFile(section, FILE_MAP_WRITE, 0, 0x18000, 0) == NULL,
                        ERROR_MAPPED_ALIGNMENT);
    close_handle(section);
}

/* A view at a 64K offset sees the section's bytes there; size 0 maps to the end (§4.3, item 23). */
static void test_view_at_offset_sees_section_data(void **state)
{
    HANDLE section;
    char *whole, *part;
    (void)state;

    section = pagefile_section(PAGE_READWRITE, 0x30000);
    whole = map_view(section, FILE_MAP_WRITE, 0, 0);
    expect_region(whole, whole, whole, PAGE_READWRITE, 0x30000, MEM_COMMIT, PAGE_READWRITE,
                  MEM_MAPPED);
    whole[0x10000] = 0x1a;
    whole[0x2ffff] = 0x2b;

    part = map_view(section, FILE_MAP_WRITE, 0x10000, 0);
    expect_region(part, part, part, PAGE_READWRITE, 0x20000, MEM_COMMIT, PAGE_READWRITE,
                  MEM_MAPPED);
    assert_int_equal(part[0], 0x1a);
    assert_int_equal(part[0x1ffff], 0x2b);
    part[1] = 0x3c;
    assert_int_equal(whole[0x10001], 0x3c);
    unmap(part);

    whole[0x21000] = 0x4d;
    part = map_view(section, FILE_MAP_READ, 0x20000, 0x1001);
    expect_region(part, part, part, PAGE_READONLY, 0x2000, MEM_COMMIT, PAGE_READONLY,
                  MEM_MAPPED);
    assert_int_equal(part[0x1000], 0x4d);
    unmap(part);
    unmap(whole);
    close_handle(section);
}

/*
 * A view running past the end of the section fails (NT
 * STATUS_INVALID_VIEW_SIZE → ERROR_ACCESS_DENIED, [inferred] §4.3, checked on Wine).
 */
static void test_view_past_end_of_section_fails_with_access_denied(void **state)
{
    HANDLE section;
    (void)state;

    section = pagefile_section(PAGE_READWRITE, 0x30000);
    SetLastError(CONF_POISON);
    expect_failure_with(MapViewOfFile(section, FILE_MAP_WRITE, 0, 0, 0x31000) == NULL,
                        ERROR_ACCESS_DENIED);
    SetLastError(CONF_POISON);
    expect_failure_with(MapViewOfFile(section, FILE_MAP_WRITE, 0, 0x10000, 0x21000) == NULL,
                        ERROR_ACCESS_DENIED);
    close_handle(section);
}

/*
 * Each view gets its own 64K-aligned address; all views of a section share the data (§4.3, item
 * 23).
 */
static void test_views_have_distinct_bases_and_share_data(void **state)
{
    HANDLE section;
    char *first, *second;
    (void)state;

    section = pagefile_section(PAGE_READWRITE, 0x2000);
    first = map_view(section, FILE_MAP_WRITE, 0, 0);
    second = map_view(section, FILE_MAP_WRITE, 0, 0);
    assert_true(first != second);
    assert_int_equal((uintptr_t)first % CONF_GRANULE, 0);
    assert_int_equal((uintptr_t)second % CONF_GRANULE, 0);

    first[0x123] = 0x45;
    assert_int_equal(second[0x123], 0x45);
    second[0x1fff] = 0x67;
    assert_int_equal(first[0x1fff], 0x67);
    unmap(first);
    assert_int_equal(second[0x123], 0x45);
    unmap(second);
    close_handle(section);
}

/* MapViewOfFileEx maps at the requested 64K-aligned address; NULL lets the system choose (§4.3). */
static void test_map_view_ex_uses_requested_address(void **state)
{
    HANDLE section;
    char *address, *view;
    (void)state;

    section = pagefile_section(PAGE_READWRITE, 0x2000);
    address = free_address(CONF_GRANULE);
    view = MapViewOfFileEx(section, FILE_MAP_WRITE, 0, 0, 0, address);
    assert_ptr_equal(view, address);
    expect_region(view, view, view, PAGE_READWRITE, 0x2000, MEM_COMMIT, PAGE_READWRITE,
                  MEM_MAPPED);
    unmap(view);

    view = MapViewOfFileEx(section, FILE_MAP_READ, 0, 0, 0, NULL);
    assert_non_null(view);
    assert_int_equal((uintptr_t)view % CONF_GRANULE, 0);
    expect_region(view, view, view, PAGE_READONLY, 0x2000, MEM_COMMIT, PAGE_READONLY,
                  MEM_MAPPED);
    unmap(view);
    close_handle(section);
}

/*
 * A requested address that is not 64K-aligned: ERROR_MAPPED_ALIGNMENT ([inferred] §4.3, checked on
 * Wine).
 */
static void test_map_view_ex_misaligned_address_fails_with_mapped_alignment(void **state)
{
    HANDLE section;
    char *address;
    (void)state;

    section = pagefile_section(PAGE_READWRITE, 0x2000);
    address = free_address(2 * CONF_GRANULE);
    SetLastError(CONF_POISON);
    expect_failure_with(MapViewOfFileEx(section, FILE_MAP_WRITE, 0, 0, 0, address + 0x1000) ==
                            NULL,
                        ERROR_MAPPED_ALIGNMENT);
    SetLastError(CONF_POISON);
    expect_failure_with(MapViewOfFileEx(section, FILE_MAP_WRITE, 0, 0, 0, address + 0x10) ==
                            NULL,
                        ERROR_MAPPED_ALIGNMENT);
    expect_free(address);
    expect_free(address + 0x1000);
    close_handle(section);
}

/* A requested address that is in use: ERROR_INVALID_ADDRESS ([inferred] §4.3, checked on Wine). */
static void test_map_view_ex_at_used_address_fails_with_invalid_address(void **state)
{
    HANDLE section;
    char *used;
    (void)state;

    section = pagefile_section(PAGE_READWRITE, 0x2000);
    used = VirtualAlloc(NULL, CONF_GRANULE, MEM_RESERVE, PAGE_NOACCESS);
    assert_non_null(used);
    SetLastError(CONF_POISON);
    expect_failure_with(MapViewOfFileEx(section, FILE_MAP_WRITE, 0, 0, 0, used) == NULL,
                        ERROR_INVALID_ADDRESS);
    expect_region(used, used, used, PAGE_NOACCESS, CONF_GRANULE, MEM_RESERVE, 0, MEM_PRIVATE);
    release(used);
    close_handle(section);
}

/*
 * A FILE_MAP_COPY view: writes stay private to it; the written page becomes
 * PAGE_READWRITE in a region of its own (§4.3 FILE_MAP_COPY, §4.4).
 * WINE-DIFFERENCES.md: Wine keeps reporting PAGE_WRITECOPY (one region).
 */
static void test_copy_view_writes_stay_private(void **state)
{
    HANDLE section;
    char *shared, *copy;
    (void)state;

    section = pagefile_section(PAGE_READWRITE, 0x2000);
    shared = map_view(section, FILE_MAP_WRITE, 0, 0);
    shared[0] = 1;
    shared[0x1000] = 2;
    copy = map_view(section, FILE_MAP_COPY, 0, 0);
    expect_region(copy, copy, copy, PAGE_WRITECOPY, 0x2000, MEM_COMMIT, PAGE_WRITECOPY,
                  MEM_MAPPED);
    assert_int_equal(copy[0], 1);
    assert_int_equal(copy[0x1000], 2);

    copy[0] = 9;
    assert_int_equal(copy[0], 9);
    assert_int_equal(shared[0], 1);
    expect_region(copy, copy, copy, PAGE_WRITECOPY,
                  WRITECOPY_TRACKED(0x1000, 0x2000), /* §4.4 writing a WRITECOPY page */
                  MEM_COMMIT,
                  WRITECOPY_TRACKED(PAGE_READWRITE, PAGE_WRITECOPY), /* §4.4 same row */
                  MEM_MAPPED);
    expect_region(copy + 0x1000, copy + 0x1000, copy, PAGE_WRITECOPY, 0x1000, MEM_COMMIT,
                  PAGE_WRITECOPY, MEM_MAPPED);
    unmap(copy);
    assert_int_equal(shared[0], 1);
    unmap(shared);
    close_handle(section);
}

/* ---- UnmapViewOfFile (§4.5, item 24) --------------------------------------------- */

/* Any address inside the view unmaps the whole view (§4.5). */
static void test_unmap_by_any_address_inside_view(void **state)
{
    static const SIZE_T offsets[] = {100, 4096, 4096 + 100};
    HANDLE section;
    (void)state;

    section = pagefile_section(PAGE_READONLY, 12288);
    for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
        char *view = map_view(section, FILE_MAP_READ, 0, 12288);
        expect_success(UnmapViewOfFile(view + offsets[i]));
        expect_free(view);
        expect_free(view + 0x2000);
    }
    close_handle(section);
}

/*
 * An address that is not in a view: FALSE, ERROR_INVALID_ADDRESS, memory untouched (§4.5, item
 * 24).
 */
static void test_unmap_of_non_view_fails_with_invalid_address(void **state)
{
    HANDLE section;
    char *memory, *view, *nothing;
    (void)state;

    memory = VirtualAlloc(NULL, 0x10000, MEM_COMMIT, PAGE_READONLY);
    assert_non_null(memory);
    SetLastError(CONF_POISON);
    expect_failure_with(!UnmapViewOfFile(memory), ERROR_INVALID_ADDRESS);
    SetLastError(CONF_POISON);
    expect_failure_with(!UnmapViewOfFile(memory + 0x3000), ERROR_INVALID_ADDRESS);
    expect_region(memory, memory, memory, PAGE_READONLY, 0x10000, MEM_COMMIT, PAGE_READONLY,
                  MEM_PRIVATE);
    release(memory);

    nothing = free_address(CONF_GRANULE);
    SetLastError(CONF_POISON);
    expect_failure_with(!UnmapViewOfFile(nothing), ERROR_INVALID_ADDRESS);

    /* A view that is already unmapped is not a view any more. */
    section = pagefile_section(PAGE_READWRITE, 0x1000);
    view = map_view(section, FILE_MAP_WRITE, 0, 0);
    unmap(view);
    SetLastError(CONF_POISON);
    expect_failure_with(!UnmapViewOfFile(view), ERROR_INVALID_ADDRESS);
    close_handle(section);
}

/* The section handle may be closed before or after unmapping (§4.5). */
static void test_unmap_before_or_after_closing_handle(void **state)
{
    HANDLE section;
    char *view;
    (void)state;

    section = pagefile_section(PAGE_READWRITE, 0x1000);
    view = map_view(section, FILE_MAP_WRITE, 0, 0);
    close_handle(section);
    view[0] = 3; /* the view keeps the section alive */
    assert_int_equal(view[0], 3);
    unmap(view);
    expect_free(view);

    section = pagefile_section(PAGE_READWRITE, 0x1000);
    view = map_view(section, FILE_MAP_WRITE, 0, 0);
    unmap(view);
    close_handle(section);
}

/* ---- FlushViewOfFile (§4.6) ------------------------------------------------------- */

/* Flushing a pagefile-backed view, whole (size 0) or in part, succeeds (§4.6). */
static void test_flush_of_pagefile_view_succeeds(void **state)
{
    HANDLE section;
    char *view;
    (void)state;

    section = pagefile_section(PAGE_READWRITE, 0x3000);
    view = map_view(section, FILE_MAP_WRITE, 0, 0);
    view[0x1234] = 5;
    expect_success(FlushViewOfFile(view, 0));
    expect_success(FlushViewOfFile(view + 0x1000, 0x10));
    assert_int_equal(view[0x1234], 5);
    unmap(view);
    close_handle(section);
}

/* Flushing private memory succeeds: "not mapped data" counts as success (§4.6). */
static void test_flush_of_private_memory_succeeds(void **state)
{
    char *memory;
    (void)state;

    memory = VirtualAlloc(NULL, 0x1000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    assert_non_null(memory);
    expect_success(FlushViewOfFile(memory, 0));
    expect_success(FlushViewOfFile(memory, 0x10));
    release(memory);
}

/* ---- views and the virtual-memory functions (§4.4, item 24) ----------------------- */

/* A SEC_COMMIT view: committed, Type MEM_MAPPED, base = allocation base (§4.4). */
static void test_sec_commit_view_query(void **state)
{
    HANDLE section;
    char *view;
    (void)state;

    section = pagefile_section(PAGE_READWRITE | SEC_COMMIT, SECTION_SIZE);
    view = map_view(section, FILE_MAP_WRITE, 0, 0);
    expect_region(view, view, view, PAGE_READWRITE, SECTION_SIZE, MEM_COMMIT, PAGE_READWRITE,
                  MEM_MAPPED);
    expect_region(view + 0x12345, view + 0x12000, view, PAGE_READWRITE, SECTION_SIZE - 0x12000,
                  MEM_COMMIT, PAGE_READWRITE, MEM_MAPPED);
    unmap(view);
    expect_free(view);
    close_handle(section);
}

/* SEC_RESERVE views start reserved: State MEM_RESERVE, Protect 0 (§4.4, item 24). */
static void test_sec_reserve_view_is_reserved(void **state)
{
    HANDLE section;
    char *first, *second;
    (void)state;

    section = pagefile_section(PAGE_READWRITE | SEC_RESERVE, SECTION_SIZE);
    first = map_view(section, FILE_MAP_WRITE, 0, 0);
    second = map_view(section, FILE_MAP_WRITE, 0, 0);
    assert_true(first != second);
    expect_region(first, first, first, PAGE_READWRITE, SECTION_SIZE, MEM_RESERVE, 0, MEM_MAPPED);
    expect_region(second, second, second, PAGE_READWRITE, SECTION_SIZE, MEM_RESERVE, 0,
                  MEM_MAPPED);
    unmap(second);
    unmap(first);
    close_handle(section);
}

/*
 * VirtualAlloc(MEM_COMMIT) in a SEC_RESERVE view commits the pages in the
 * section (every view sees MEM_COMMIT there) but sets the protection only in
 * this view (§4.4, item 24).
 */
static void test_commit_in_sec_reserve_view_is_section_wide(void **state)
{
    HANDLE section;
    char *first, *second;
    (void)state;

    section = pagefile_section(PAGE_READWRITE | SEC_RESERVE, SECTION_SIZE);
    first = map_view(section, FILE_MAP_WRITE, 0, 0);
    second = map_view(section, FILE_MAP_WRITE, 0, 0);

    assert_ptr_equal(VirtualAlloc(first, 0x10000, MEM_COMMIT, PAGE_READONLY), first);
    expect_region(first, first, first, PAGE_READWRITE, 0x10000, MEM_COMMIT, PAGE_READONLY,
                  MEM_MAPPED);
    expect_region(first + 0x10000, first + 0x10000, first, PAGE_READWRITE,
                  SECTION_SIZE - 0x10000, MEM_RESERVE, 0, MEM_MAPPED);
    expect_region(second, second, second, PAGE_READWRITE, 0x10000, MEM_COMMIT, PAGE_READWRITE,
                  MEM_MAPPED);
    expect_region(second + 0x10000, second + 0x10000, second, PAGE_READWRITE,
                  SECTION_SIZE - 0x10000, MEM_RESERVE, 0, MEM_MAPPED);

    assert_true(all_bytes(first, 0x10000, 0));
    second[0xfff0] = 0x2d;
    assert_int_equal(first[0xfff0], 0x2d);
    unmap(second);
    unmap(first);
    close_handle(section);
}

/*
 * VirtualAlloc(MEM_COMMIT) on a SEC_COMMIT view acts as a protection change; the region splits
 * (§4.4).
 */
static void test_commit_in_sec_commit_view_changes_protection(void **state)
{
    HANDLE section;
    char *view;
    (void)state;

    section = pagefile_section(PAGE_READWRITE | SEC_COMMIT, SECTION_SIZE);
    view = map_view(section, FILE_MAP_WRITE, 0, 0);
    view[0] = 0x19;
    assert_ptr_equal(VirtualAlloc(view, 0x10000, MEM_COMMIT, PAGE_READONLY), view);
    expect_region(view, view, view, PAGE_READWRITE, 0x10000, MEM_COMMIT, PAGE_READONLY,
                  MEM_MAPPED);
    expect_region(view + 0x10000, view + 0x10000, view, PAGE_READWRITE, SECTION_SIZE - 0x10000,
                  MEM_COMMIT, PAGE_READWRITE, MEM_MAPPED);
    assert_int_equal(view[0], 0x19);
    unmap(view);
    close_handle(section);
}

/*
 * In a pagefile-backed view, MEM_COMMIT with a protection beyond the view's
 * access is ERROR_INVALID_PARAMETER; within it, it succeeds (§4.4, §1.2 view rule).
 */
static void test_commit_beyond_view_access_fails_with_invalid_parameter(void **state)
{
    HANDLE section;
    char *readonly, *copy;
    (void)state;

    section = pagefile_section(PAGE_READWRITE | SEC_COMMIT, 0x2000);
    readonly = map_view(section, FILE_MAP_READ, 0, 0);
    SetLastError(CONF_POISON);
    expect_failure_with(VirtualAlloc(readonly, 0x1000, MEM_COMMIT, PAGE_READWRITE) == NULL,
                        ERROR_INVALID_PARAMETER);
    SetLastError(CONF_POISON);
    expect_failure_with(VirtualAlloc(readonly, 0x1000, MEM_COMMIT, PAGE_EXECUTE_READ) == NULL,
                        ERROR_INVALID_PARAMETER);
    expect_region(readonly, readonly, readonly, PAGE_READONLY, 0x2000, MEM_COMMIT, PAGE_READONLY,
                  MEM_MAPPED);
    assert_ptr_equal(VirtualAlloc(readonly, 0x1000, MEM_COMMIT, PAGE_NOACCESS), readonly);
    expect_region(readonly, readonly, readonly, PAGE_READONLY, 0x1000, MEM_COMMIT, PAGE_NOACCESS,
                  MEM_MAPPED);

    copy = map_view(section, FILE_MAP_COPY, 0, 0);
    SetLastError(CONF_POISON);
    expect_failure_with(VirtualAlloc(copy, 0x1000, MEM_COMMIT, PAGE_READWRITE) == NULL,
                        ERROR_INVALID_PARAMETER);
    unmap(copy);
    unmap(readonly);
    close_handle(section);
}

/*
 * Views cannot be decommitted: VirtualFree(MEM_DECOMMIT) is ERROR_INVALID_PARAMETER (§1.4, §4.4,
 * item 24).
 */
static void test_decommit_of_view_fails_with_invalid_parameter(void **state)
{
    static const DWORD attributes[] = {SEC_RESERVE, SEC_COMMIT};
    (void)state;

    for (size_t i = 0; i < 2; i++) {
        HANDLE section = pagefile_section(PAGE_READWRITE | attributes[i], SECTION_SIZE);
        char *view = map_view(section, FILE_MAP_WRITE, 0, 0);

        assert_ptr_equal(VirtualAlloc(view, 0x10000, MEM_COMMIT, PAGE_READWRITE), view);
        view[0x100] = 0x44;
        SetLastError(CONF_POISON);
        expect_failure_with(!VirtualFree(view, 0x10000, MEM_DECOMMIT), ERROR_INVALID_PARAMETER);
        /* SEC_RESERVE: only the committed part; SEC_COMMIT: all of it, one protection. */
        expect_region(view, view, view, PAGE_READWRITE,
                      attributes[i] == SEC_RESERVE ? 0x10000 : SECTION_SIZE, MEM_COMMIT,
                      PAGE_READWRITE, MEM_MAPPED);
        assert_int_equal(view[0x100], 0x44);
        unmap(view);
        close_handle(section);
    }
}

/* MEM_RESET on a pagefile-backed view returns the address (§1.3.2, §4.4). */
static void test_reset_of_pagefile_view_succeeds(void **state)
{
    static const DWORD attributes[] = {SEC_RESERVE, SEC_COMMIT};
    (void)state;

    for (size_t i = 0; i < 2; i++) {
        HANDLE section = pagefile_section(PAGE_READWRITE | attributes[i], SECTION_SIZE);
        char *view = map_view(section, FILE_MAP_WRITE, 0, 0);

        assert_ptr_equal(VirtualAlloc(view, 0x10000, MEM_COMMIT, PAGE_READONLY), view);
        assert_ptr_equal(VirtualAlloc(view, SECTION_SIZE, MEM_RESET, PAGE_READONLY), view);
        expect_region(view, view, view, PAGE_READWRITE, 0x10000, MEM_COMMIT, PAGE_READONLY,
                      MEM_MAPPED);
        unmap(view);
        close_handle(section);
    }
}

/*
 * VirtualProtect on a view succeeds when the requested access is within the
 * view's (PAGE_WRITECOPY counts as read), else ERROR_INVALID_PARAMETER
 * (§1.2 view rule, §4.4).
 */
static void test_protect_on_view_within_view_access(void **state)
{
    HANDLE section;
    char *readwrite, *readonly;
    DWORD old;
    (void)state;

    section = pagefile_section(PAGE_READWRITE, 0x2000);
    readwrite = map_view(section, FILE_MAP_WRITE, 0, 0);
    readonly = map_view(section, FILE_MAP_READ, 0, 0);

    old = CONF_POISON;
    expect_success(VirtualProtect(readwrite, 0x1000, PAGE_READONLY, &old));
    assert_int_equal(old, PAGE_READWRITE);
    expect_success(VirtualProtect(readwrite, 0x1000, PAGE_NOACCESS, &old));
    assert_int_equal(old, PAGE_READONLY);
    expect_success(VirtualProtect(readwrite, 0x1000, PAGE_WRITECOPY, &old));
    assert_int_equal(old, PAGE_NOACCESS);
    expect_success(VirtualProtect(readwrite, 0x1000, PAGE_READWRITE, &old));
    assert_int_equal(old, PAGE_WRITECOPY);
    SetLastError(CONF_POISON);
    expect_failure_with(!VirtualProtect(readwrite, 0x1000, PAGE_EXECUTE_READ, &old),
                        ERROR_INVALID_PARAMETER);
    SetLastError(CONF_POISON);
    expect_failure_with(!VirtualProtect(readwrite, 0x1000, PAGE_EXECUTE_READWRITE, &old),
                        ERROR_INVALID_PARAMETER);
    expect_region(readwrite, readwrite, readwrite, PAGE_READWRITE, 0x2000, MEM_COMMIT,
                  PAGE_READWRITE, MEM_MAPPED);

    SetLastError(CONF_POISON);
    expect_failure_with(!VirtualProtect(readonly, 0x1000, PAGE_READWRITE, &old),
                        ERROR_INVALID_PARAMETER);
    old = CONF_POISON;
    expect_success(VirtualProtect(readonly, 0x1000, PAGE_WRITECOPY, &old));
    assert_int_equal(old, PAGE_READONLY);
    expect_region(readonly, readonly, readonly, PAGE_READONLY, 0x1000, MEM_COMMIT,
                  PAGE_WRITECOPY, MEM_MAPPED);
    expect_success(VirtualProtect(readonly, 0x1000, PAGE_NOACCESS, &old));
    assert_int_equal(old, PAGE_WRITECOPY);

    unmap(readonly);
    unmap(readwrite);
    close_handle(section);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_named_section_sets_last_error_zero),
        cmocka_unit_test(test_existing_name_opens_existing_section),
        cmocka_unit_test(test_names_are_case_sensitive),
        cmocka_unit_test(test_wide_and_narrow_names_reach_same_section),
        cmocka_unit_test(test_open_missing_name_fails_with_file_not_found),
        cmocka_unit_test(test_name_disappears_with_last_handle_while_view_remains),
        cmocka_unit_test(test_protection_matrix),
        cmocka_unit_test(test_sec_flags_on_pagefile_section),
        cmocka_unit_test_setup_teardown(test_sec_flags_on_data_file_section, file_setup,
                                        file_teardown),
        cmocka_unit_test(test_sec_nocache_view_protection_includes_nocache),
        cmocka_unit_test(test_pagefile_section_of_size_zero_fails_with_invalid_parameter),
        cmocka_unit_test(test_pagefile_section_is_zeroed_and_page_rounded),
        cmocka_unit_test_setup_teardown(test_file_section_of_size_zero_has_file_size, file_setup,
                                        file_teardown),
        cmocka_unit_test_setup_teardown(test_empty_file_with_size_zero_fails_with_file_invalid,
                                        file_setup, file_teardown),
        cmocka_unit_test_setup_teardown(test_readwrite_section_larger_than_file_extends_it,
                                        file_setup, file_teardown),
        cmocka_unit_test_setup_teardown(test_readonly_section_larger_than_file_fails, file_setup,
                                        file_teardown),
        cmocka_unit_test_setup_teardown(test_read_only_file_handle_limits_section_protection,
                                        file_setup, file_teardown),
        cmocka_unit_test_setup_teardown(test_file_view_writes_reach_file, file_setup,
                                        file_teardown),
        cmocka_unit_test_setup_teardown(test_commit_in_file_view_fails_with_access_denied,
                                        file_setup, file_teardown),
        cmocka_unit_test_setup_teardown(test_copy_view_of_file_keeps_file_unchanged, file_setup,
                                        file_teardown),
        cmocka_unit_test(test_read_handle_cannot_map_for_write),
        cmocka_unit_test(test_write_handle_cannot_map_for_read),
        cmocka_unit_test(test_access_to_protection_on_readwrite_section),
        cmocka_unit_test(test_access_to_protection_on_execute_section),
        cmocka_unit_test(test_incompatible_access_fails_with_access_denied),
        cmocka_unit_test(test_offset_not_granule_multiple_fails_with_mapped_alignment),
        cmocka_unit_test(test_view_at_offset_sees_section_data),
        cmocka_unit_test(test_view_past_end_of_section_fails_with_access_denied),
        cmocka_unit_test(test_views_have_distinct_bases_and_share_data),
        cmocka_unit_test(test_map_view_ex_uses_requested_address),
        cmocka_unit_test(test_map_view_ex_misaligned_address_fails_with_mapped_alignment),
        cmocka_unit_test(test_map_view_ex_at_used_address_fails_with_invalid_address),
        cmocka_unit_test(test_copy_view_writes_stay_private),
        cmocka_unit_test(test_unmap_by_any_address_inside_view),
        cmocka_unit_test(test_unmap_of_non_view_fails_with_invalid_address),
        cmocka_unit_test(test_unmap_before_or_after_closing_handle),
        cmocka_unit_test(test_flush_of_pagefile_view_succeeds),
        cmocka_unit_test(test_flush_of_private_memory_succeeds),
        cmocka_unit_test(test_sec_commit_view_query),
        cmocka_unit_test(test_sec_reserve_view_is_reserved),
        cmocka_unit_test(test_commit_in_sec_reserve_view_is_section_wide),
        cmocka_unit_test(test_commit_in_sec_commit_view_changes_protection),
        cmocka_unit_test(test_commit_beyond_view_access_fails_with_invalid_parameter),
        cmocka_unit_test(test_decommit_of_view_fails_with_invalid_parameter),
        cmocka_unit_test(test_reset_of_pagefile_view_succeeds),
        cmocka_unit_test(test_protect_on_view_within_view_access),
    };
    return cmocka_run_group_tests_name("conformance_file_mapping", tests, NULL, NULL);
}
