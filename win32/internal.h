/* SPDX-License-Identifier: MIT */
/*
 * win32/internal.h — shared by the Win32 view's files: last-error helpers
 * and the handle table. Private to win32/.
 */
#ifndef STRATA_WIN32_INTERNAL_H
#define STRATA_WIN32_INTERNAL_H

#include <strata/vmm.h>
#include <strata/win32/windows.h>

/* Sets the thread's last error from a status; returns whether it was OK. */
static inline BOOL succeeded(strata_status status)
{
    if (status != STRATA_OK) {
        strata_set_last_error(strata_status_win32_error(status));
        return FALSE;
    }
    return TRUE;
}

typedef enum handle_kind { HANDLE_FREE = 0, HANDLE_SECTION, HANDLE_FILE, HANDLE_THREAD, HANDLE_EVENT } handle_kind;

/* A new handle for a section or a file; NULL (with ERROR_NO_SYSTEM_RESOURCES) when the table is full. */
HANDLE strata__win32_handle_new(handle_kind kind, void *section, strata_native_file file,
                                DWORD file_access);

/* The section behind a handle, or NULL if it is not a live section handle. */
strata_section *strata__win32_handle_section(HANDLE handle);

/* The file behind a handle: a strata file handle's, or on Windows the system
 * handle itself; STRATA_NO_FILE when neither. */
strata_native_file strata__win32_handle_file(HANDLE handle);

/* The GENERIC_* access a strata file handle was opened with; GENERIC_ALL for
 * the system's own handles on Windows, whose checks the system makes. */
DWORD strata__win32_handle_file_access(HANDLE handle);

/* The platform object behind a thread or event handle of that kind, or NULL. */
strata_waitable *strata__win32_handle_waitable(HANDLE handle, handle_kind kind);

/* Converts a wide name to UTF-8 in `out`; false when it does not fit. */
bool strata__win32_narrow(const wchar_t *wide, char *out, size_t capacity);

#endif /* STRATA_WIN32_INTERNAL_H */
