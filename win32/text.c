/* SPDX-License-Identifier: MIT */
/*
 * win32/text.c — the text functions Win32 memory code uses alongside the
 * memory API: lstrlen/lstrcpy/lstrcat/lstrcmp, the UTF-8 conversions of
 * MultiByteToWideChar/WideCharToMultiByte, and FormatMessage for the system
 * error codes strata reports. POSIX only: on Windows they are the system's.
 */
#include "internal.h"

#if !defined(_WIN32)

#include <limits.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* lstr*                                                                    */
/* ------------------------------------------------------------------------ */

int strata_win32_lstrlenA(LPCSTR string)
{
    return string == NULL ? 0 : (int)strlen(string);
}

int strata_win32_lstrlenW(LPCWSTR string)
{
    return string == NULL ? 0 : (int)wcslen(string);
}

LPSTR strata_win32_lstrcpyA(LPSTR destination, LPCSTR source)
{
    return destination == NULL || source == NULL ? NULL : strcpy(destination, source);
}

LPWSTR strata_win32_lstrcpyW(LPWSTR destination, LPCWSTR source)
{
    return destination == NULL || source == NULL ? NULL : wcscpy(destination, source);
}

LPSTR strata_win32_lstrcatA(LPSTR destination, LPCSTR source)
{
    return destination == NULL || source == NULL ? NULL : strcat(destination, source);
}

LPWSTR strata_win32_lstrcatW(LPWSTR destination, LPCWSTR source)
{
    return destination == NULL || source == NULL ? NULL : wcscat(destination, source);
}

int strata_win32_lstrcmpA(LPCSTR first, LPCSTR second)
{
    if (first == NULL || second == NULL) {
        return (first != NULL) - (second != NULL);
    }
    int order = strcmp(first, second);
    return (order > 0) - (order < 0);
}

int strata_win32_lstrcmpW(LPCWSTR first, LPCWSTR second)
{
    if (first == NULL || second == NULL) {
        return (first != NULL) - (second != NULL);
    }
    int order = wcscmp(first, second);
    return (order > 0) - (order < 0);
}

/* ------------------------------------------------------------------------ */
/* UTF-8 <-> WCHAR                                                          */
/* ------------------------------------------------------------------------ */

#define REPLACEMENT 0xFFFDu

static bool is_utf8_code_page(UINT code_page)
{
    return code_page == CP_UTF8 || code_page == CP_ACP || code_page == CP_OEMCP ||
           code_page == CP_THREAD_ACP;
}

/* Decodes one UTF-8 sequence from text[*at], text[end-1]; advances *at.
 * Returns the code point, or UINT32_MAX for an invalid sequence (then *at
 * has moved past one byte only, as each bad byte becomes one U+FFFD). */
static uint32_t decode_utf8(const unsigned char *text, size_t end, size_t *at)
{
    unsigned char lead = text[*at];
    size_t extra;
    uint32_t code, minimum;
    if (lead < 0x80) {
        (*at)++;
        return lead;
    } else if (lead >= 0xC2 && lead < 0xE0) {
        extra = 1, code = lead & 0x1Fu, minimum = 0x80;
    } else if (lead >= 0xE0 && lead < 0xF0) {
        extra = 2, code = lead & 0x0Fu, minimum = 0x800;
    } else if (lead >= 0xF0 && lead < 0xF5) {
        extra = 3, code = lead & 0x07u, minimum = 0x10000;
    } else {
        (*at)++;
        return UINT32_MAX;
    }
    if (end - *at <= extra) { /* the sequence runs past the end */
        (*at)++;
        return UINT32_MAX;
    }
    for (size_t i = 1; i <= extra; i++) {
        unsigned char next = text[*at + i];
        if ((next & 0xC0u) != 0x80u) {
            (*at)++;
            return UINT32_MAX;
        }
        code = (code << 6) | (next & 0x3Fu);
    }
    if (code < minimum || code > 0x10FFFF || (code >= 0xD800 && code < 0xE000)) {
        (*at)++;
        return UINT32_MAX;
    }
    *at += extra + 1;
    return code;
}

int strata_win32_MultiByteToWideChar(UINT code_page, DWORD flags, LPCSTR text, int length, LPWSTR buffer,
                                     int capacity)
{
    if (!is_utf8_code_page(code_page) || text == NULL || length == 0 || length < -1 || capacity < 0 ||
        (buffer == NULL && capacity > 0) || (buffer != NULL && (const void *)buffer == (const void *)text)) {
        strata_set_last_error(ERROR_INVALID_PARAMETER);
        return 0;
    }
    DWORD allowed = code_page == CP_UTF8 ? MB_ERR_INVALID_CHARS : (MB_PRECOMPOSED | MB_ERR_INVALID_CHARS);
    if (flags & ~allowed) {
        strata_set_last_error(ERROR_INVALID_FLAGS);
        return 0;
    }
    size_t end = length == -1 ? strlen(text) + 1 : (size_t)length;
    const unsigned char *bytes = (const unsigned char *)text;
    size_t written = 0;
    for (size_t at = 0; at < end;) {
        uint32_t code = decode_utf8(bytes, end, &at);
        if (code == UINT32_MAX) {
            if (flags & MB_ERR_INVALID_CHARS) {
                strata_set_last_error(ERROR_NO_UNICODE_TRANSLATION);
                return 0;
            }
            code = REPLACEMENT;
        }
        if (capacity > 0) {
            if (written >= (size_t)capacity) {
                strata_set_last_error(ERROR_INSUFFICIENT_BUFFER);
                return 0;
            }
            buffer[written] = (WCHAR)code;
        }
        written++;
    }
    if (written > INT_MAX) {
        strata_set_last_error(ERROR_INVALID_PARAMETER);
        return 0;
    }
    return (int)written;
}

int strata_win32_WideCharToMultiByte(UINT code_page, DWORD flags, LPCWSTR text, int length, LPSTR buffer,
                                     int capacity, LPCSTR default_char, LPBOOL used_default)
{
    if (!is_utf8_code_page(code_page) || text == NULL || length == 0 || length < -1 || capacity < 0 ||
        (buffer == NULL && capacity > 0) || (buffer != NULL && (const void *)buffer == (const void *)text) ||
        default_char != NULL || used_default != NULL) {
        strata_set_last_error(ERROR_INVALID_PARAMETER);
        return 0;
    }
    if (flags & ~(DWORD)WC_ERR_INVALID_CHARS) {
        strata_set_last_error(ERROR_INVALID_FLAGS);
        return 0;
    }
    size_t end = length == -1 ? wcslen(text) + 1 : (size_t)length;
    size_t written = 0;
    for (size_t at = 0; at < end; at++) {
        uint32_t code = (uint32_t)text[at];
        /* A surrogate pair (where a WCHAR is 16 bits) is one code point. */
        if (code >= 0xD800 && code < 0xDC00 && at + 1 < end && (uint32_t)text[at + 1] >= 0xDC00 &&
            (uint32_t)text[at + 1] < 0xE000) {
            code = 0x10000 + ((code - 0xD800) << 10) + ((uint32_t)text[at + 1] - 0xDC00);
            at++;
        } else if ((code >= 0xD800 && code < 0xE000) || code > 0x10FFFF) {
            if (flags & WC_ERR_INVALID_CHARS) {
                strata_set_last_error(ERROR_NO_UNICODE_TRANSLATION);
                return 0;
            }
            code = REPLACEMENT;
        }
        unsigned char bytes[4];
        size_t n;
        if (code < 0x80) {
            bytes[0] = (unsigned char)code, n = 1;
        } else if (code < 0x800) {
            bytes[0] = (unsigned char)(0xC0 | (code >> 6));
            bytes[1] = (unsigned char)(0x80 | (code & 0x3F)), n = 2;
        } else if (code < 0x10000) {
            bytes[0] = (unsigned char)(0xE0 | (code >> 12));
            bytes[1] = (unsigned char)(0x80 | ((code >> 6) & 0x3F));
            bytes[2] = (unsigned char)(0x80 | (code & 0x3F)), n = 3;
        } else {
            bytes[0] = (unsigned char)(0xF0 | (code >> 18));
            bytes[1] = (unsigned char)(0x80 | ((code >> 12) & 0x3F));
            bytes[2] = (unsigned char)(0x80 | ((code >> 6) & 0x3F));
            bytes[3] = (unsigned char)(0x80 | (code & 0x3F)), n = 4;
        }
        if (capacity > 0) {
            if (written + n > (size_t)capacity) {
                strata_set_last_error(ERROR_INSUFFICIENT_BUFFER);
                return 0;
            }
            memcpy(buffer + written, bytes, n);
        }
        written += n;
    }
    if (written > INT_MAX) {
        strata_set_last_error(ERROR_INVALID_PARAMETER);
        return 0;
    }
    return (int)written;
}

/* ------------------------------------------------------------------------ */
/* FormatMessage                                                            */
/* ------------------------------------------------------------------------ */

/* Windows' English text for the codes strata reports (and a few that code
 * around the memory API meets). */
static const struct {
    DWORD code;
    const char *text;
} messages[] = {
    {0, "The operation completed successfully."},
    {2, "The system cannot find the file specified."},
    {5, "Access is denied."},
    {6, "The handle is invalid."},
    {8, "Not enough memory resources are available to process this command."},
    {14, "Not enough memory resources are available to complete this operation."},
    {24, "The program issued a command but the command length is incorrect."},
    {31, "A device attached to the system is not functioning."},
    {50, "The request is not supported."},
    {80, "The file exists."},
    {87, "The parameter is incorrect."},
    {112, "There is not enough space on the disk."},
    {122, "The data area passed to a system call is too small."},
    {157, "The segment is already discarded and cannot be locked."},
    {158, "The segment is already unlocked."},
    {183, "Cannot create a file when that file already exists."},
    {258, "The wait operation timed out."},
    {259, "No more data is available."},
    {487, "Attempt to access invalid address."},
    {998, "Invalid access to memory location."},
    {1004, "Invalid flags."},
    {1113, "No mapping for the Unicode character exists in the target multi-byte code page."},
    {1132, "The base address or the file offset specified does not have the proper alignment."},
    {1314, "A required privilege is not held by the client."},
    {1450, "Insufficient system resources exist to complete the requested service."},
    {1453, "Insufficient quota to complete the requested service."},
    {1455, "The paging file is too small for this operation to complete."},
};

/* The message for `code` with its line end ("\r\n", or " " under a width
 * limit) in `out`; false when there is none or the language is not neutral. */
static bool find_message(DWORD flags, DWORD code, DWORD language, char *out, size_t capacity)
{
    if ((language & 0x3FFu) != LANG_NEUTRAL) {
        return false;
    }
    for (size_t i = 0; i < sizeof messages / sizeof messages[0]; i++) {
        if (messages[i].code == code) {
            const char *end = (flags & FORMAT_MESSAGE_MAX_WIDTH_MASK) ? " " : "\r\n";
            size_t length = strlen(messages[i].text);
            if (length + strlen(end) + 1 > capacity) {
                return false;
            }
            memcpy(out, messages[i].text, length);
            strcpy(out + length, end);
            return true;
        }
    }
    return false;
}

/* Common checks; the message (narrow) in `text`, or 0 with the last error set. */
static bool prepare_message(DWORD flags, DWORD code, DWORD language, const void *buffer, char *text,
                            size_t capacity)
{
    if (!(flags & FORMAT_MESSAGE_FROM_SYSTEM) ||
        (flags & (FORMAT_MESSAGE_FROM_STRING | FORMAT_MESSAGE_FROM_HMODULE)) || buffer == NULL) {
        strata_set_last_error(ERROR_INVALID_PARAMETER);
        return false;
    }
    if (!find_message(flags, code, language, text, capacity)) {
        strata_set_last_error(ERROR_MR_MID_NOT_FOUND);
        return false;
    }
    return true;
}

DWORD strata_win32_FormatMessageA(DWORD flags, LPCVOID source, DWORD message_id, DWORD language, LPSTR buffer,
                                  DWORD size, va_list *arguments)
{
    (void)source;
    (void)arguments; /* system messages of these codes have no inserts */
    char text[160];
    if (!prepare_message(flags, message_id, language, buffer, text, sizeof text)) {
        return 0;
    }
    size_t length = strlen(text);
    char *out = buffer;
    if (flags & FORMAT_MESSAGE_ALLOCATE_BUFFER) {
        size_t bytes = length + 1 > size ? length + 1 : size;
        out = strata_win32_LocalAlloc(LMEM_FIXED, bytes);
        if (out == NULL) {
            strata_set_last_error(ERROR_NOT_ENOUGH_MEMORY);
            return 0;
        }
        *(LPSTR *)(void *)buffer = out;
    } else if (length + 1 > size) {
        strata_set_last_error(ERROR_INSUFFICIENT_BUFFER);
        return 0;
    }
    memcpy(out, text, length + 1);
    return (DWORD)length;
}

DWORD strata_win32_FormatMessageW(DWORD flags, LPCVOID source, DWORD message_id, DWORD language,
                                  LPWSTR buffer, DWORD size, va_list *arguments)
{
    (void)source;
    (void)arguments;
    char text[160];
    if (!prepare_message(flags, message_id, language, buffer, text, sizeof text)) {
        return 0;
    }
    size_t length = strlen(text); /* ASCII: one WCHAR per byte */
    WCHAR *out = buffer;
    if (flags & FORMAT_MESSAGE_ALLOCATE_BUFFER) {
        size_t count = length + 1 > size ? length + 1 : size;
        out = strata_win32_LocalAlloc(LMEM_FIXED, count * sizeof(WCHAR));
        if (out == NULL) {
            strata_set_last_error(ERROR_NOT_ENOUGH_MEMORY);
            return 0;
        }
        *(LPWSTR *)(void *)buffer = out;
    } else if (length + 1 > size) {
        strata_set_last_error(ERROR_INSUFFICIENT_BUFFER);
        return 0;
    }
    for (size_t i = 0; i <= length; i++) {
        out[i] = (WCHAR)(unsigned char)text[i];
    }
    return (DWORD)length;
}

#endif /* !_WIN32 */
