/* SPDX-License-Identifier: MIT */
/*
 * WRITECOPY pages of views, however they got that protection
 * (MapViewOfFile FILE_MAP_COPY, VirtualProtect, VirtualAlloc MEM_COMMIT):
 * the first write to one takes a private copy, lands, and the page then
 * reports its READWRITE form; VirtualAlloc(MEM_COMMIT) with the WRITECOPY
 * forms in views; CreateFileMapping with SEC_LARGE_PAGES over a file.
 */
#include "conformance.h"

/* ---- helpers --------------------------------------------------------------- */

static HANDLE pagefile_section(DWORD protect, DWORD size)
{
    HANDLE section = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, protect, 0, size, NULL);
    if (section == NULL)
        print_error("CreateFileMappingA(%#lx) failed with GetLastError() %lu\n",
                    (unsigned long)protect, (unsigned long)GetLastError());
    assert_non_null(section);
    return section;
}

static char *map_view(HANDLE section, DWORD access)
{
    char *view = MapViewOfFile(section, access, 0, 0, 0);
    if (view == NULL)
        print_error("MapViewOfFile(%#lx) failed with GetLastError() %lu\n", (unsigned long)access,
                    (unsigned long)GetLastError());
    assert_non_null(view);
    return view;
}

#define unmap(view) expect_success(UnmapViewOfFile(view))
#define close_handle(handle) expect_success(CloseHandle(handle))

static void protect(void *address, SIZE_T size, DWORD new_protect, DWORD expected_old)
{
    DWORD old = 0;
    expect_success(VirtualProtect(address, size, new_protect, &old));
    assert_int_equal(old, expected_old);
}

static DWORD protection_of(const void *address)
{
    return query(address).Protect;
}

/*
 * Whether the written copy of a WRITECOPY page of a shared view stays the
 * view's own. Wine writes such pages through to the section
 * (WINE-DIFFERENCES.md); strata on Windows leaves the copy to the system,
 * so under Wine it gets Wine's answer too.
 */
static bool copies_stay_private(void)
{
    return !running_on_wine();
}

static char file_path[96];

static void write_pattern_file(size_t size)
{
    static unsigned char bytes[0x4000];
    assert_true(size <= sizeof(bytes));
    for (size_t i = 0; i < size; i++)
        bytes[i] = (unsigned char)(i * 7 + 3);
    assert_true(conf_write_file(file_path, bytes, size));
}

static bool has_pattern(const char *data, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        if ((unsigned char)data[i] != (unsigned char)(i * 7 + 3))
            return false;
    return true;
}

static HANDLE open_file(DWORD access)
{
    HANDLE file = CreateFileA(file_path, access, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                              OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    assert_true(file != INVALID_HANDLE_VALUE);
    return file;
}

static int file_setup(void **state)
{
    static unsigned serial;
    char tag[32];
    (void)state;
    snprintf(tag, sizeof(tag), "writecopy%u", ++serial);
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

/* ---- writing a page made WRITECOPY -------------------------------- */

/*
 * A FILE_MAP_WRITE view of a file, one page made PAGE_WRITECOPY by
 * VirtualProtect: the write lands in a private copy (neither the file nor a
 * second view sees it), the page reports PAGE_READWRITE in a region of its
 * own; the next page, left READWRITE, still writes through to the file.
 * WINE-DIFFERENCES.md: Wine lets the write reach the section and keeps
 * reporting PAGE_WRITECOPY.
 */
static void test_write_view_of_file_page_made_writecopy_takes_a_copy(void **state)
{
    HANDLE file, section;
    char *view, *reader;
    char data[0x3000];
    (void)state;

    write_pattern_file(0x3000);
    file = open_file(GENERIC_READ | GENERIC_WRITE);
    section = CreateFileMappingA(file, NULL, PAGE_READWRITE, 0, 0, NULL);
    assert_non_null(section);
    view = map_view(section, FILE_MAP_WRITE);
    reader = map_view(section, FILE_MAP_READ);

    protect(view + 0x1000, 0x1000, PAGE_WRITECOPY, PAGE_READWRITE);
    expect_region(view + 0x1000, view + 0x1000, view, PAGE_READWRITE, 0x1000, MEM_COMMIT,
                  PAGE_WRITECOPY, MEM_MAPPED);
    assert_true(IsBadWritePtr(view + 0x1000, 1) == FALSE); /* a WRITECOPY page takes writes */

    view[0x1000] = 0x55;
    view[0x1fff] = 0x66;
    view[0x2000] = 0x77;
    assert_int_equal(view[0x1000], 0x55);
    assert_int_equal(view[0x1fff], 0x66);
    assert_true(has_pattern(view, 0x1001, 0x1fff));
    /* Now READWRITE like the page after it: one region of two pages. */
    expect_region(view + 0x1000, view + 0x1000, view, PAGE_READWRITE,
                  WRITECOPY_TRACKED(0x2000, 0x1000), MEM_COMMIT,
                  WRITECOPY_TRACKED(PAGE_READWRITE, PAGE_WRITECOPY), MEM_MAPPED);
    if (!copies_stay_private()) {
        unmap(reader);
        unmap(view);
        close_handle(section);
        close_handle(file);
        return;
    }
    assert_true(has_pattern(reader, 0x1000, 0x2000)); /* the copy is this view's alone */
    assert_int_equal(reader[0x2000], 0x77);           /* the READWRITE page is shared */

    unmap(reader);
    unmap(view);
    close_handle(section);
    close_handle(file);
    assert_int_equal(conf_read_file(file_path, data, sizeof(data)), sizeof(data));
    assert_true(has_pattern(data, 0, 0x2000));
    assert_int_equal(data[0x2000], 0x77);
}

/*
 * A read/write/execute view of a pagefile section, set to PAGE_NOACCESS and
 * then to PAGE_WRITECOPY or PAGE_EXECUTE_WRITECOPY: the write lands, the page
 * reports PAGE_READWRITE or PAGE_EXECUTE_READWRITE, the other view of the
 * section keeps the section's data. Until the write, the page shows what
 * the section holds.
 */
static void test_execute_view_set_noaccess_then_writecopy_takes_a_copy(void **state)
{
    static const DWORD forms[][2] = {
        {PAGE_WRITECOPY, PAGE_READWRITE},
        {PAGE_EXECUTE_WRITECOPY, PAGE_EXECUTE_READWRITE},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        HANDLE section = pagefile_section(PAGE_EXECUTE_READWRITE, 0x2000);
        char *view = map_view(section, FILE_MAP_WRITE | FILE_MAP_EXECUTE);
        char *other = map_view(section, FILE_MAP_WRITE);
        other[0] = 'A';
        protect(view, 0x1000, PAGE_NOACCESS, PAGE_EXECUTE_READWRITE);
        protect(view, 0x1000, forms[i][0], PAGE_NOACCESS);
        assert_int_equal(protection_of(view), forms[i][0]);
        assert_int_equal(view[0], 'A');

        other[1] = 'B'; /* not copied yet: the page still shows the section */
        assert_int_equal(view[1], WINDOWS_OR_WINE(WRITECOPY_TRACKED('B', 0), 'B'));

        view[2] = 'C';
        assert_int_equal(view[2], 'C');
        assert_int_equal(protection_of(view), WRITECOPY_TRACKED(forms[i][1], forms[i][0]));
        assert_int_equal(query(view).Type, MEM_MAPPED);
        assert_int_equal(protection_of(view + 0x1000), PAGE_EXECUTE_READWRITE);
        if (copies_stay_private()) {
            assert_int_equal(other[2], 0);
            other[3] = 'D'; /* copied now: the section's later writes stay out */
            assert_int_equal(view[3], 0);
        }

        unmap(other);
        unmap(view);
        close_handle(section);
    }
}

/*
 * A FILE_MAP_COPY view after protection changes and commits over it: every
 * page that ends up WRITECOPY takes a write and turns READWRITE; a page that
 * was written, set back to WRITECOPY, keeps its copy and takes writes too.
 */
static void test_copy_view_after_protects_and_commits_takes_writes(void **state)
{
    static const DWORD attributes[] = {SEC_COMMIT, SEC_RESERVE};
    (void)state;
    for (size_t i = 0; i < sizeof(attributes) / sizeof(attributes[0]); i++) {
        /* Wine leaves pages committed through another view reserved in a
         * copy-on-write view (WINE-DIFFERENCES.md). */
        if (attributes[i] == SEC_RESERVE && WINDOWS_OR_WINE(false, true))
            continue;
        HANDLE section = pagefile_section(PAGE_READWRITE | attributes[i], 0x3000);
        char *view = map_view(section, FILE_MAP_COPY);
        char *shared = map_view(section, FILE_MAP_WRITE);
        assert_non_null(VirtualAlloc(shared, 0x3000, MEM_COMMIT, PAGE_READWRITE));
        shared[0x1000] = 'S';

        protect(view, 0x3000, PAGE_NOACCESS, PAGE_WRITECOPY);
        assert_ptr_equal(VirtualAlloc(view + 0x1000, 0x1000, MEM_COMMIT, PAGE_READONLY),
                         view + 0x1000);
        /* One page at a time: Wine's VirtualProtect refuses some ranges of
         * mixed protections in copy-on-write views (see WINE-DIFFERENCES.md). */
        protect(view, 0x1000, PAGE_WRITECOPY, PAGE_NOACCESS);
        protect(view + 0x1000, 0x1000, PAGE_WRITECOPY, PAGE_READONLY);
        assert_ptr_equal(VirtualAlloc(view + 0x2000, 0x1000, MEM_COMMIT, PAGE_WRITECOPY),
                         view + 0x2000);
        expect_region(view, view, view, PAGE_WRITECOPY, 0x3000, MEM_COMMIT, PAGE_WRITECOPY,
                      MEM_MAPPED);

        view[0x1001] = 'V';
        view[0x2000] = 'W';
        assert_int_equal(view[0x1000], 'S');
        assert_int_equal(view[0x1001], 'V');
        assert_int_equal(shared[0x1001], 0);
        assert_int_equal(shared[0x2000], 0);
        expect_region(view, view, view, PAGE_WRITECOPY, WRITECOPY_TRACKED(0x1000, 0x3000),
                      MEM_COMMIT, PAGE_WRITECOPY, MEM_MAPPED);
        expect_region(view + 0x1000, view + 0x1000, view, PAGE_WRITECOPY,
                      WRITECOPY_TRACKED(0x2000, 0x2000), MEM_COMMIT,
                      WRITECOPY_TRACKED(PAGE_READWRITE, PAGE_WRITECOPY), MEM_MAPPED);

        /* Written, set back to WRITECOPY: the copy stays, writes still land. */
        protect(view + 0x1000, 0x1000, PAGE_WRITECOPY,
                WRITECOPY_TRACKED(PAGE_READWRITE, PAGE_WRITECOPY));
        view[0x1002] = 'X';
        assert_int_equal(view[0x1001], 'V');
        assert_int_equal(view[0x1002], 'X');
        assert_int_equal(shared[0x1002], 0);
        assert_int_equal(protection_of(view + 0x1000),
                         WRITECOPY_TRACKED(PAGE_READWRITE, PAGE_WRITECOPY));

        unmap(shared);
        unmap(view);
        close_handle(section);
    }
}

/* An execute copy-on-write view (FILE_MAP_COPY | FILE_MAP_EXECUTE) set to
 * NOACCESS, committed READONLY, then given both WRITECOPY forms page by
 * page: each page takes a write and turns its READWRITE form. */
static void test_execute_copy_view_after_protects_takes_writes(void **state)
{
    (void)state;
    HANDLE section = pagefile_section(PAGE_EXECUTE_READWRITE, 0x2000);
    char *view = map_view(section, FILE_MAP_COPY | FILE_MAP_EXECUTE);
    char *shared = map_view(section, FILE_MAP_WRITE);
    shared[0] = 'E';
    assert_int_equal(protection_of(view), PAGE_EXECUTE_WRITECOPY);
    protect(view, 0x2000, PAGE_NOACCESS, PAGE_EXECUTE_WRITECOPY);
    assert_ptr_equal(VirtualAlloc(view, 0x2000, MEM_COMMIT, PAGE_READONLY), view);
    protect(view, 0x1000, PAGE_EXECUTE_WRITECOPY, PAGE_READONLY);
    protect(view + 0x1000, 0x1000, PAGE_WRITECOPY, PAGE_READONLY);
    view[1] = 'x';
    view[0x1001] = 'y';
    assert_int_equal(view[0], 'E');
    assert_int_equal(view[1], 'x');
    assert_int_equal(view[0x1001], 'y');
    assert_int_equal(shared[1], 0);
    assert_int_equal(shared[0x1001], 0);
    assert_int_equal(protection_of(view), WRITECOPY_TRACKED(PAGE_EXECUTE_READWRITE, PAGE_EXECUTE_WRITECOPY));
    assert_int_equal(protection_of(view + 0x1000), WRITECOPY_TRACKED(PAGE_READWRITE, PAGE_WRITECOPY));
    unmap(shared);
    unmap(view);
    close_handle(section);
}

/* A read-only view made WRITECOPY takes writes too: WRITECOPY counts as read. */
static void test_read_view_made_writecopy_takes_a_copy(void **state)
{
    HANDLE section = pagefile_section(PAGE_READONLY, 0x1000);
    char *view = map_view(section, FILE_MAP_READ);
    (void)state;
    assert_true(IsBadWritePtr(view, 1));
    protect(view, 0x1000, PAGE_WRITECOPY, PAGE_READONLY);
    view[10] = 'R';
    assert_int_equal(view[10], 'R');
    assert_int_equal(protection_of(view), WRITECOPY_TRACKED(PAGE_READWRITE, PAGE_WRITECOPY));
    /* Its READWRITE form is now within reach, but not the execute forms. */
    DWORD old;
    SetLastError(CONF_POISON);
    expect_failure_with(!VirtualProtect(view, 0x1000, PAGE_EXECUTE_WRITECOPY, &old),
                        ERROR_INVALID_PARAMETER);
    unmap(view);
    close_handle(section);
}

/* ---- VirtualAlloc(MEM_COMMIT) with the WRITECOPY forms ------------ */

/* On a view of a file, every protection fails with ERROR_ACCESS_DENIED, the WRITECOPY forms too. */
static void test_commit_writecopy_in_file_view_fails_with_access_denied(void **state)
{
    static const DWORD accesses[] = {FILE_MAP_WRITE, FILE_MAP_COPY, FILE_MAP_READ};
    static const DWORD forms[] = {PAGE_WRITECOPY, PAGE_EXECUTE_WRITECOPY};
    HANDLE file, section;
    (void)state;

    write_pattern_file(0x2000);
    file = open_file(GENERIC_READ | GENERIC_WRITE);
    section = CreateFileMappingA(file, NULL, PAGE_READWRITE, 0, 0, NULL);
    assert_non_null(section);
    for (size_t a = 0; a < sizeof(accesses) / sizeof(accesses[0]); a++) {
        char *view = map_view(section, accesses[a]);
        DWORD view_protect = protection_of(view);
        for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
            SetLastError(CONF_POISON);
            expect_failure_with(VirtualAlloc(view, 0x1000, MEM_COMMIT, forms[f]) == NULL,
                                ERROR_ACCESS_DENIED);
        }
        expect_region(view, view, view, view_protect, 0x2000, MEM_COMMIT, view_protect,
                      MEM_MAPPED);
        assert_true(has_pattern(view, 0, 0x2000));
        unmap(view);
    }
    close_handle(section);
    close_handle(file);
}

/*
 * On a view of a pagefile section the WRITECOPY forms commit where the
 * view's access allows them (PAGE_WRITECOPY counts as read, EXECUTE_WRITECOPY
 * as read and execute), and the committed page then takes a private write;
 * elsewhere ERROR_INVALID_PARAMETER, nothing changed.
 */
static void test_commit_writecopy_in_pagefile_view(void **state)
{
    static const struct {
        DWORD access;
        DWORD form;
        bool allowed;
        DWORD written;
    } cases[] = {
        {FILE_MAP_WRITE, PAGE_WRITECOPY, true, PAGE_READWRITE},
        {FILE_MAP_WRITE, PAGE_EXECUTE_WRITECOPY, false, 0},
        {FILE_MAP_READ, PAGE_WRITECOPY, true, PAGE_READWRITE},
        {FILE_MAP_READ, PAGE_EXECUTE_WRITECOPY, false, 0},
        {FILE_MAP_COPY, PAGE_WRITECOPY, true, PAGE_READWRITE},
        {FILE_MAP_WRITE | FILE_MAP_EXECUTE, PAGE_EXECUTE_WRITECOPY, true, PAGE_EXECUTE_READWRITE},
        {FILE_MAP_READ | FILE_MAP_EXECUTE, PAGE_EXECUTE_WRITECOPY, true, PAGE_EXECUTE_READWRITE},
        {FILE_MAP_READ | FILE_MAP_EXECUTE, PAGE_WRITECOPY, true, PAGE_READWRITE},
        {0, PAGE_WRITECOPY, false, 0}, /* a PAGE_NOACCESS view */
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        HANDLE section = pagefile_section(PAGE_EXECUTE_READWRITE, 0x2000);
        char *view = map_view(section, cases[i].access);
        char *other = map_view(section, FILE_MAP_WRITE);
        DWORD view_protect = protection_of(view);
        other[0] = 'O';
        SetLastError(CONF_POISON);
        if (!cases[i].allowed) {
            expect_failure_with(VirtualAlloc(view, 0x1000, MEM_COMMIT, cases[i].form) == NULL,
                                ERROR_INVALID_PARAMETER);
            expect_region(view, view, view, view_protect, 0x2000, MEM_COMMIT, view_protect,
                          MEM_MAPPED);
        } else {
            assert_ptr_equal(VirtualAlloc(view, 0x1000, MEM_COMMIT, cases[i].form), view);
            expect_region(view, view, view, view_protect,
                          cases[i].form == view_protect ? 0x2000 : 0x1000, MEM_COMMIT,
                          cases[i].form, MEM_MAPPED);
            view[1] = 'P';
            assert_int_equal(view[0], 'O');
            assert_int_equal(view[1], 'P');
            assert_int_equal(protection_of(view), WRITECOPY_TRACKED(cases[i].written, cases[i].form));
            if (copies_stay_private())
                assert_int_equal(other[1], 0);
        }
        unmap(other);
        unmap(view);
        close_handle(section);
    }
}

/* SEC_RESERVE: a WRITECOPY commit through one view commits the pages in the
 * section; another view shows them committed with its own protection. */
static void test_commit_writecopy_in_sec_reserve_view_is_section_wide(void **state)
{
    HANDLE section = pagefile_section(PAGE_READWRITE | SEC_RESERVE, 0x2000);
    char *view = map_view(section, FILE_MAP_WRITE);
    char *other = map_view(section, FILE_MAP_WRITE);
    (void)state;
    assert_ptr_equal(VirtualAlloc(view, 0x1000, MEM_COMMIT, PAGE_WRITECOPY), view);
    expect_region(view, view, view, PAGE_READWRITE, 0x1000, MEM_COMMIT, PAGE_WRITECOPY,
                  MEM_MAPPED);
    expect_region(other, other, other, PAGE_READWRITE, 0x1000, MEM_COMMIT, PAGE_READWRITE,
                  MEM_MAPPED);
    view[0] = 'v';
    other[1] = 'o';
    assert_int_equal(view[0], 'v');
    assert_int_equal(other[1], 'o');
    if (copies_stay_private()) {
        assert_int_equal(other[0], 0);
        assert_int_equal(view[1], 0);
    }
    unmap(other);
    unmap(view);
    close_handle(section);
}

/* Private memory takes no WRITECOPY form, committed or protected. */
static void test_writecopy_on_private_memory_fails_with_invalid_parameter(void **state)
{
    static const DWORD forms[] = {PAGE_WRITECOPY, PAGE_EXECUTE_WRITECOPY};
    char *memory = VirtualAlloc(NULL, 0x2000, MEM_RESERVE, PAGE_READWRITE);
    DWORD old;
    (void)state;
    assert_non_null(memory);
    assert_non_null(VirtualAlloc(memory, 0x1000, MEM_COMMIT, PAGE_READWRITE));
    for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
        SetLastError(CONF_POISON);
        expect_failure_with(VirtualAlloc(memory + 0x1000, 0x1000, MEM_COMMIT, forms[f]) == NULL,
                            ERROR_INVALID_PARAMETER);
        SetLastError(CONF_POISON);
        expect_failure_with(!VirtualProtect(memory, 0x1000, forms[f], &old), ERROR_INVALID_PARAMETER);
    }
    expect_region(memory, memory, memory, PAGE_READWRITE, 0x1000, MEM_COMMIT, PAGE_READWRITE,
                  MEM_PRIVATE);
    release(memory);
}

/* ---- SEC_LARGE_PAGES over a file ------------------------------------ */

/*
 * Large pages back only pagefile sections: over a file the arguments are
 * wrong, ERROR_INVALID_PARAMETER, whatever the privilege; without SEC_COMMIT
 * too.
 */
static void test_large_pages_over_file_fail_with_invalid_parameter(void **state)
{
    static const DWORD protections[] = {
        SEC_COMMIT | SEC_LARGE_PAGES | PAGE_READWRITE,
        SEC_COMMIT | SEC_LARGE_PAGES | PAGE_READONLY,
        SEC_RESERVE | SEC_LARGE_PAGES | PAGE_READWRITE,
        SEC_LARGE_PAGES | PAGE_READWRITE,
    };
    HANDLE file;
    (void)state;
    write_pattern_file(0x2000);
    file = open_file(GENERIC_READ | GENERIC_WRITE);
    for (size_t i = 0; i < sizeof(protections) / sizeof(protections[0]); i++) {
        SetLastError(CONF_POISON);
        expect_failure_with(CreateFileMappingA(file, NULL, protections[i], 0, 0, NULL) == NULL,
                            ERROR_INVALID_PARAMETER);
        SetLastError(CONF_POISON);
        expect_failure_with(CreateFileMappingA(file, NULL, protections[i], 0, 0x1000, NULL) == NULL,
                            ERROR_INVALID_PARAMETER);
    }
    close_handle(file);
}

/* The same arguments on a pagefile section are right: only the privilege is missing. */
static void test_large_pages_on_pagefile_section_need_the_privilege(void **state)
{
    (void)state;
    SetLastError(CONF_POISON);
    HANDLE section = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL,
                                        SEC_COMMIT | SEC_LARGE_PAGES | PAGE_READWRITE, 0, 0x200000, NULL);
    if (section != NULL) { /* a process that holds SeLockMemoryPrivilege */
        close_handle(section);
        return;
    }
    expect_last_error(ERROR_PRIVILEGE_NOT_HELD);
    SetLastError(CONF_POISON);
    expect_failure_with(CreateFileMappingA(INVALID_HANDLE_VALUE, NULL,
                                           SEC_RESERVE | SEC_LARGE_PAGES | PAGE_READWRITE, 0,
                                           0x200000, NULL) == NULL,
                        ERROR_INVALID_PARAMETER);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_write_view_of_file_page_made_writecopy_takes_a_copy,
                                        file_setup, file_teardown),
        cmocka_unit_test(test_execute_view_set_noaccess_then_writecopy_takes_a_copy),
        cmocka_unit_test(test_copy_view_after_protects_and_commits_takes_writes),
        cmocka_unit_test(test_execute_copy_view_after_protects_takes_writes),
        cmocka_unit_test(test_read_view_made_writecopy_takes_a_copy),
        cmocka_unit_test_setup_teardown(test_commit_writecopy_in_file_view_fails_with_access_denied,
                                        file_setup, file_teardown),
        cmocka_unit_test(test_commit_writecopy_in_pagefile_view),
        cmocka_unit_test(test_commit_writecopy_in_sec_reserve_view_is_section_wide),
        cmocka_unit_test(test_writecopy_on_private_memory_fails_with_invalid_parameter),
        cmocka_unit_test_setup_teardown(test_large_pages_over_file_fail_with_invalid_parameter,
                                        file_setup, file_teardown),
        cmocka_unit_test(test_large_pages_on_pagefile_section_need_the_privilege),
    };
    return cmocka_run_group_tests_name("conformance_writecopy", tests, NULL, NULL);
}
