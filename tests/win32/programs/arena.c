/* SPDX-License-Identifier: MIT */
/*
 * (a) A VirtualAlloc arena: 1 MiB reserved, one committed page followed by
 * a guard page; a vectored exception handler commits the next guard page
 * each time the arena runs into one, so bump allocations grow it page by
 * page. Then VirtualQuery walks the reservation and prints its map.
 * An ordinary Win32 program: it compiles unchanged against Windows'
 * headers and against strata's (-I include/strata/win32).
 */
#include <windows.h>
#include <stdio.h>

#define ARENA_SIZE (1024 * 1024)

static BYTE *arena;
static SIZE_T page_size;
static volatile LONG growths;

static LONG WINAPI grow_arena(PEXCEPTION_POINTERS info)
{
    PEXCEPTION_RECORD record = info->ExceptionRecord;
    if (record->ExceptionCode != EXCEPTION_GUARD_PAGE || record->NumberParameters < 2) {
        return EXCEPTION_CONTINUE_SEARCH;
    }
    BYTE *address = (BYTE *)record->ExceptionInformation[1];
    if (address < arena || address >= arena + ARENA_SIZE) {
        return EXCEPTION_CONTINUE_SEARCH;
    }
    /* The guard page is now an ordinary page; guard the one after it. */
    BYTE *next = (BYTE *)((ULONG_PTR)address & ~(ULONG_PTR)(page_size - 1)) + page_size;
    if (next < arena + ARENA_SIZE && VirtualAlloc(next, page_size, MEM_COMMIT, PAGE_READWRITE | PAGE_GUARD) == NULL) {
        return EXCEPTION_CONTINUE_SEARCH;
    }
    InterlockedIncrement(&growths);
    return EXCEPTION_CONTINUE_EXECUTION;
}

static const char *state_name(DWORD state)
{
    switch (state) {
    case MEM_COMMIT: return "commit";
    case MEM_RESERVE: return "reserve";
    case MEM_FREE: return "free";
    default: return "?";
    }
}

static const char *protect_name(DWORD protect)
{
    switch (protect) {
    case 0: return "-";
    case PAGE_NOACCESS: return "noaccess";
    case PAGE_READONLY: return "readonly";
    case PAGE_READWRITE: return "readwrite";
    case PAGE_READWRITE | PAGE_GUARD: return "readwrite+guard";
    default: return "other";
    }
}

static void walk(const char *title)
{
    printf("%s\n", title);
    BYTE *cursor = arena;
    while (cursor < arena + ARENA_SIZE) {
        MEMORY_BASIC_INFORMATION region;
        if (VirtualQuery(cursor, &region, sizeof region) != sizeof region) {
            printf("  VirtualQuery failed: %lu\n", (unsigned long)GetLastError());
            return;
        }
        printf("  +%07lx %7lu bytes  %-7s %s\n", (unsigned long)(cursor - arena), (unsigned long)region.RegionSize,
               state_name(region.State), protect_name(region.Protect));
        cursor += region.RegionSize;
    }
}

int main(void)
{
    SYSTEM_INFO system;
    GetSystemInfo(&system);
    page_size = system.dwPageSize;

    arena = (BYTE *)VirtualAlloc(NULL, ARENA_SIZE, MEM_RESERVE, PAGE_NOACCESS);
    if (arena == NULL || VirtualAlloc(arena, page_size, MEM_COMMIT, PAGE_READWRITE) == NULL ||
        VirtualAlloc(arena + page_size, page_size, MEM_COMMIT, PAGE_READWRITE | PAGE_GUARD) == NULL) {
        printf("arena setup failed: %lu\n", (unsigned long)GetLastError());
        return 1;
    }
    PVOID handler = AddVectoredExceptionHandler(1, grow_arena);
    if (handler == NULL) {
        printf("AddVectoredExceptionHandler failed\n");
        return 1;
    }
    walk("arena at start:");

    /* 300 records of 100 bytes, bumped one after another. */
    SIZE_T used = 0;
    for (int i = 0; i < 300; i++) {
        BYTE *record = arena + used;
        FillMemory(record, 100, (BYTE)i);
        used += 100;
    }
    DWORD sum = 0;
    for (SIZE_T i = 0; i < used; i += 100) {
        sum += arena[i];
    }
    printf("allocated %lu bytes, checksum %lu, the arena grew %ld times\n", (unsigned long)used,
           (unsigned long)sum, (long)growths);
    walk("arena after the allocations:");

    /* Reading past the last committed page is an access violation the
     * handler does not take; IsBadReadPtr tells without touching it. */
    printf("page after the guard readable: %s\n", IsBadReadPtr(arena + 10 * page_size, 1) ? "no" : "yes");

    RemoveVectoredExceptionHandler(handler);
    if (!VirtualFree(arena, 0, MEM_RELEASE)) {
        printf("VirtualFree failed: %lu\n", (unsigned long)GetLastError());
        return 1;
    }
    printf("arena released\n");
    return 0;
}
