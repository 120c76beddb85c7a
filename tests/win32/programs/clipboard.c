/* SPDX-License-Identifier: MIT */
/*
 * (b) A clipboard-style buffer: wide text in a moveable GlobalAlloc block
 * (locked, filled, unlocked, grown with GlobalReAlloc), converted to UTF-8
 * in a LocalAlloc block and back. Sizes are printed in characters, so the
 * output is the same whatever the width of WCHAR.
 */
#include <windows.h>
#include <stdio.h>

static const WCHAR greeting[] = L"Gr\x00FC\x00DF" L"e aus der Zwischenablage \x2013 20 \x20AC";
static const WCHAR signature[] = L" (strata)";

int main(void)
{
    SIZE_T characters = (SIZE_T)lstrlenW(greeting) + 1;
    HGLOBAL clip = GlobalAlloc(GMEM_MOVEABLE | GMEM_ZEROINIT, characters * sizeof(WCHAR));
    if (clip == NULL) {
        printf("GlobalAlloc failed: %lu\n", (unsigned long)GetLastError());
        return 1;
    }
    LPWSTR text = (LPWSTR)GlobalLock(clip);
    lstrcpyW(text, greeting);
    printf("locked once: lock count %u\n", GlobalFlags(clip) & GMEM_LOCKCOUNT);
    GlobalUnlock(clip);
    printf("unlocked: lock count %u, %lu characters\n", GlobalFlags(clip) & GMEM_LOCKCOUNT,
           (unsigned long)(GlobalSize(clip) / sizeof(WCHAR)));

    /* Append a signature: the block grows, and may move. */
    SIZE_T grown = characters + (SIZE_T)lstrlenW(signature);
    HGLOBAL bigger = GlobalReAlloc(clip, grown * sizeof(WCHAR), GMEM_MOVEABLE);
    if (bigger == NULL) {
        printf("GlobalReAlloc failed: %lu\n", (unsigned long)GetLastError());
        return 1;
    }
    clip = bigger;
    text = (LPWSTR)GlobalLock(clip);
    lstrcatW(text, signature);
    printf("grown to %lu characters, text length %d\n", (unsigned long)(GlobalSize(clip) / sizeof(WCHAR)),
           lstrlenW(text));

    /* The UTF-8 form, in local memory. */
    int bytes = WideCharToMultiByte(CP_UTF8, 0, text, -1, NULL, 0, NULL, NULL);
    LPSTR utf8 = (LPSTR)LocalAlloc(LPTR, (SIZE_T)bytes);
    if (utf8 == NULL || WideCharToMultiByte(CP_UTF8, 0, text, -1, utf8, bytes, NULL, NULL) != bytes) {
        printf("WideCharToMultiByte failed: %lu\n", (unsigned long)GetLastError());
        return 1;
    }
    printf("UTF-8: %d bytes: %s\n", bytes - 1, utf8);

    WCHAR back[128];
    int count = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, utf8, -1, back, (int)_countof(back));
    printf("round trip: %d characters, %s\n", count - 1, lstrcmpW(back, text) == 0 ? "identical" : "different");
    GlobalUnlock(clip);

    /* Too small a buffer is refused with the documented error. */
    char small[4];
    SetLastError(0);
    int refused = WideCharToMultiByte(CP_UTF8, 0, text, -1, small, (int)sizeof small, NULL, NULL);
    printf("into 4 bytes: %d, error %lu\n", refused, (unsigned long)GetLastError());

    if (LocalFree(utf8) != NULL || GlobalFree(clip) != NULL) {
        printf("free failed: %lu\n", (unsigned long)GetLastError());
        return 1;
    }
    printf("clipboard buffer freed\n");
    return 0;
}
