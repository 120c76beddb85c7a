/* SPDX-License-Identifier: MIT */
/* Generic text, built twice: narrow by default (tchar_narrow) and wide with
 * UNICODE and _UNICODE (tchar_wide); the same source must give the same
 * answers both ways, with TCHAR the width the build asked for. */
#include <windows.h>
#include <tchar.h>
#include <stdio.h>

int main(void)
{
    TCHAR name[MAX_PATH];
    _TCHAR suffix[] = _T("-view");
    lstrcpy(name, TEXT("strata"));
    lstrcat(name, suffix);
#if defined(UNICODE)
    int right_width = sizeof(TCHAR) == sizeof(WCHAR);
#else
    int right_width = sizeof(TCHAR) == sizeof(char);
#endif
    if (!right_width || _tcslen(name) != 11 || lstrlen(name) != 11 || _tcscmp(name, _T("strata-view")) != 0 ||
        _tcschr(name, _T('-')) != name + 6) {
        printf("generic text broken\n");
        return 1;
    }
    HANDLE mapping = CreateFileMapping(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, NULL);
    if (mapping == NULL) {
        printf("CreateFileMapping failed: %lu\n", (unsigned long)GetLastError());
        return 1;
    }
    CloseHandle(mapping);
#if defined(UNICODE)
    printf("generic text ok (wide)\n");
#else
    printf("generic text ok (narrow)\n");
#endif
    return 0;
}
