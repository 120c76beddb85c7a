/* SPDX-License-Identifier: MIT */
/*
 * The text names memory code uses alongside the memory API: the memory
 * macros, lstr*, MultiByteToWideChar/WideCharToMultiByte (CP_UTF8, and
 * CP_ACP for ASCII, the part every ANSI code page shares) and FormatMessage
 * for system error codes. Wide strings stay within U+FFFF so that one WCHAR
 * is one character on Windows too.
 */
#include "conformance.h"

#include <stdlib.h>

#if defined(_WIN32) && defined(STRATA_CONFORMANCE_STRATA)
/* On Windows these text functions are the system's, so is the buffer
 * FormatMessage allocates: the system's LocalFree frees it. */
#undef LocalFree
#endif

/* Windows' wording of a system message. Wine words its messages its own
 * way (WINE-DIFFERENCES.md), so under Wine only their shape is checked. */
static void expect_system_text(const char *text, const char *windows_text)
{
    size_t length = strlen(text);
    if (running_on_wine()) {
        assert_true(length > 2);
        assert_string_equal(text + length - 2, "\r\n");
    } else {
        assert_string_equal(text, windows_text);
    }
}

static void test_memory_macros(void **state)
{
    (void)state;
    char bytes[16];
    FillMemory(bytes, sizeof bytes, 0xAB);
    assert_int_equal((unsigned char)bytes[15], 0xAB);
    ZeroMemory(bytes, 8);
    assert_int_equal(bytes[7], 0);
    assert_int_equal((unsigned char)bytes[8], 0xAB);
    CopyMemory(bytes, "strata", 7);
    assert_string_equal(bytes, "strata");
    MoveMemory(bytes + 1, bytes, 6); /* overlapping */
    assert_memory_equal(bytes, "sstrata", 7);
    assert_ptr_equal(SecureZeroMemory(bytes, sizeof bytes), bytes);
    for (size_t i = 0; i < sizeof bytes; i++) {
        assert_int_equal(bytes[i], 0);
    }
    assert_int_equal(_countof(bytes), 16);
    assert_int_equal(MAX_PATH, 260);
    assert_int_equal(INFINITE, 0xFFFFFFFFu);
    LARGE_INTEGER value;
    value.QuadPart = 0x0000000500000007LL;
    assert_int_equal(value.LowPart, 7);
    assert_int_equal(value.HighPart, 5);
    UNREFERENCED_PARAMETER(value);
}

static void test_lstr_functions(void **state)
{
    (void)state;
    char narrow[32];
    WCHAR wide[32];
    assert_int_equal(lstrlenA("heap"), 4);
    assert_int_equal(lstrlenA(NULL), 0);
    assert_int_equal(lstrlenW(L"heap"), 4);
    assert_int_equal(lstrlenW(NULL), 0);
    assert_ptr_equal(lstrcpyA(narrow, "Virtual"), narrow);
    assert_ptr_equal(lstrcatA(narrow, "Alloc"), narrow);
    assert_string_equal(narrow, "VirtualAlloc");
    assert_ptr_equal(lstrcpyW(wide, L"Heap"), wide);
    assert_ptr_equal(lstrcatW(wide, L"Walk"), wide);
    assert_int_equal(lstrcmpW(wide, L"HeapWalk"), 0);
    assert_true(lstrcmpA("abc", "abd") < 0);
    assert_true(lstrcmpA("abd", "abc") > 0);
    assert_int_equal(lstrcmpA("same", "same"), 0);
}

static void test_utf8_round_trip(void **state)
{
    (void)state;
    /* "Größe €" in UTF-8: 7 characters, 11 bytes. */
    const char *utf8 = "Gr\xC3\xB6\xC3\x9F" "e \xE2\x82\xAC";
    WCHAR wide[16];
    char back[32];
    assert_int_equal(MultiByteToWideChar(CP_UTF8, 0, utf8, -1, NULL, 0), 8);
    assert_int_equal(MultiByteToWideChar(CP_UTF8, 0, utf8, -1, wide, 16), 8);
    assert_int_equal(wide[2], 0x00F6);
    assert_int_equal(wide[3], 0x00DF);
    assert_int_equal(wide[6], 0x20AC);
    assert_int_equal(wide[7], 0);
    /* An explicit length converts no terminator. */
    assert_int_equal(MultiByteToWideChar(CP_UTF8, 0, utf8, 4, wide, 16), 3);
    assert_int_equal(WideCharToMultiByte(CP_UTF8, 0, L"Gr\x00F6\x00DF" L"e \x20AC", -1, NULL, 0, NULL, NULL),
                     12);
    assert_int_equal(WideCharToMultiByte(CP_UTF8, 0, L"Gr\x00F6\x00DF" L"e \x20AC", -1, back, 32, NULL, NULL),
                     12);
    assert_string_equal(back, utf8);
    /* ASCII through the ANSI code page. */
    assert_int_equal(MultiByteToWideChar(CP_ACP, 0, "clip", -1, wide, 16), 5);
    assert_int_equal(lstrcmpW(wide, L"clip"), 0);
    assert_int_equal(WideCharToMultiByte(CP_ACP, 0, L"board", -1, back, 32, NULL, NULL), 6);
    assert_string_equal(back, "board");
}

static void test_conversion_errors(void **state)
{
    (void)state;
    WCHAR wide[4];
    char narrow[4];
    SetLastError(CONF_POISON);
    expect_failure_with(MultiByteToWideChar(CP_UTF8, 0, "too long", -1, wide, 4) == 0,
                        ERROR_INSUFFICIENT_BUFFER);
    SetLastError(CONF_POISON);
    expect_failure_with(MultiByteToWideChar(CP_UTF8, 0, NULL, -1, wide, 4) == 0, ERROR_INVALID_PARAMETER);
    SetLastError(CONF_POISON);
    expect_failure_with(MultiByteToWideChar(CP_UTF8, 0, "x", 0, wide, 4) == 0, ERROR_INVALID_PARAMETER);
    /* Windows refuses MB_PRECOMPOSED for UTF-8; Wine accepts it (WINE-DIFFERENCES.md). */
    SetLastError(CONF_POISON);
    if (running_on_wine()) {
        assert_int_equal(MultiByteToWideChar(CP_UTF8, MB_PRECOMPOSED, "x", -1, wide, 4), 2);
    } else {
        expect_failure_with(MultiByteToWideChar(CP_UTF8, MB_PRECOMPOSED, "x", -1, wide, 4) == 0,
                            ERROR_INVALID_FLAGS);
    }
    SetLastError(CONF_POISON);
    expect_failure_with(MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, "a\xFF", -1, wide, 4) == 0,
                        ERROR_NO_UNICODE_TRANSLATION);
    /* Without the flag a bad byte becomes U+FFFD. */
    assert_int_equal(MultiByteToWideChar(CP_UTF8, 0, "a\xFF", -1, wide, 4), 3);
    assert_int_equal(wide[1], 0xFFFD);
    SetLastError(CONF_POISON);
    expect_failure_with(WideCharToMultiByte(CP_UTF8, 0, L"\x20AC\x20AC", -1, narrow, 4, NULL, NULL) == 0,
                        ERROR_INSUFFICIENT_BUFFER);
    /* Windows refuses a used-default flag for UTF-8; Wine ignores it (WINE-DIFFERENCES.md). */
    BOOL used = FALSE;
    SetLastError(CONF_POISON);
    if (running_on_wine()) {
        assert_int_equal(WideCharToMultiByte(CP_UTF8, 0, L"x", -1, narrow, 4, NULL, &used), 2);
    } else {
        expect_failure_with(WideCharToMultiByte(CP_UTF8, 0, L"x", -1, narrow, 4, NULL, &used) == 0,
                            ERROR_INVALID_PARAMETER);
    }
}

static void test_format_message_from_system(void **state)
{
    (void)state;
    char text[256];
    DWORD length = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL,
                                  ERROR_INVALID_PARAMETER, 0, text, sizeof text, NULL);
    expect_system_text(text, "The parameter is incorrect.\r\n");
    assert_int_equal(length, strlen(text));
    length = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL,
                            ERROR_NOT_ENOUGH_MEMORY, MAKELANGID(LANG_NEUTRAL, SUBLANG_DEFAULT), text,
                            sizeof text, NULL);
    expect_system_text(text, "Not enough memory resources are available to process this command.\r\n");
    FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, ERROR_INVALID_ADDRESS,
                   0, text, sizeof text, NULL);
    expect_system_text(text, "Attempt to access invalid address.\r\n");
    FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, ERROR_NOACCESS, 0, text,
                   sizeof text, NULL);
    expect_system_text(text, "Invalid access to memory location.\r\n");
    FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, ERROR_SUCCESS, 0, text,
                   sizeof text, NULL);
    expect_system_text(text, "The operation completed successfully.\r\n");

    LPWSTR allocated = NULL;
    length = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS |
                                FORMAT_MESSAGE_ALLOCATE_BUFFER,
                            NULL, ERROR_ACCESS_DENIED, 0, (LPWSTR)&allocated, 0, NULL);
    assert_non_null(allocated);
    assert_int_equal(length, lstrlenW(allocated));
    if (!running_on_wine()) {
        assert_int_equal(lstrcmpW(allocated, L"Access is denied.\r\n"), 0);
    }
    assert_null(LocalFree(allocated));
}

static void test_format_message_errors(void **state)
{
    (void)state;
    char text[8];
    SetLastError(CONF_POISON);
    expect_failure_with(FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL,
                                       ERROR_INVALID_PARAMETER, 0, text, sizeof text, NULL) == 0,
                        ERROR_INSUFFICIENT_BUFFER);
    SetLastError(CONF_POISON);
    expect_failure_with(FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL,
                                       0x2FFFFFFF, 0, text, sizeof text, NULL) == 0,
                        ERROR_MR_MID_NOT_FOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memory_macros),
        cmocka_unit_test(test_lstr_functions),
        cmocka_unit_test(test_utf8_round_trip),
        cmocka_unit_test(test_conversion_errors),
        cmocka_unit_test(test_format_message_from_system),
        cmocka_unit_test(test_format_message_errors),
    };
    return cmocka_run_group_tests_name("conformance_text", tests, NULL, NULL);
}
