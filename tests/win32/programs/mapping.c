/* SPDX-License-Identifier: MIT */
/*
 * (d) Producer and consumer in two processes: a named file mapping holds
 * the message, two named auto-reset events pass the turn. Run it twice at
 * once: `mapping consumer <tag>` and `mapping producer <tag>` (either may
 * start first; the tag keeps concurrent runs apart). Generic-text names
 * throughout, so it builds narrow or with UNICODE.
 */
#include <windows.h>
#include <tchar.h>
#include <stdio.h>
#include <string.h>

#define MESSAGES 3
#define SLOT 256
#define PATIENCE 20000 /* ms */

int main(int argc, char **argv)
{
    if (argc < 3 || (strcmp(argv[1], "producer") != 0 && strcmp(argv[1], "consumer") != 0)) {
        printf("usage: mapping producer|consumer TAG\n");
        return 2;
    }
    BOOL producer = strcmp(argv[1], "producer") == 0;

    /* Names built from the tag, in TCHARs. */
    TCHAR names[3][MAX_PATH];
    const TCHAR *stems[3] = {TEXT("StrataDemoMapping."), TEXT("StrataDemoReady."), TEXT("StrataDemoTaken.")};
    for (int i = 0; i < 3; i++) {
        lstrcpy(names[i], stems[i]);
        TCHAR tag[64];
        int j = 0;
        for (; argv[2][j] != '\0' && j < 63; j++) {
            tag[j] = (TCHAR)argv[2][j];
        }
        tag[j] = 0;
        lstrcat(names[i], tag);
    }

    HANDLE mapping = CreateFileMapping(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, names[0]);
    HANDLE ready = CreateEvent(NULL, FALSE, FALSE, names[1]);
    HANDLE taken = CreateEvent(NULL, FALSE, FALSE, names[2]);
    if (mapping == NULL || ready == NULL || taken == NULL) {
        printf("%s: creating the shared objects failed: %lu\n", argv[1], (unsigned long)GetLastError());
        return 1;
    }
    char *slot = (char *)MapViewOfFile(mapping, FILE_MAP_ALL_ACCESS, 0, 0, SLOT);
    if (slot == NULL) {
        printf("%s: MapViewOfFile failed: %lu\n", argv[1], (unsigned long)GetLastError());
        return 1;
    }

    for (int i = 1; i <= MESSAGES; i++) {
        if (producer) {
            char message[SLOT];
            snprintf(message, sizeof message, "message %d of %d from the producer", i, MESSAGES);
            CopyMemory(slot, message, strlen(message) + 1);
            if (!SetEvent(ready) || WaitForSingleObject(taken, PATIENCE) != WAIT_OBJECT_0) {
                printf("producer: the consumer did not answer\n");
                return 1;
            }
            printf("producer: sent \"%s\"\n", message);
        } else {
            if (WaitForSingleObject(ready, PATIENCE) != WAIT_OBJECT_0) {
                printf("consumer: no message came\n");
                return 1;
            }
            printf("consumer: got \"%s\"\n", slot);
            ZeroMemory(slot, SLOT);
            SetEvent(taken);
        }
    }

    UnmapViewOfFile(slot);
    CloseHandle(taken);
    CloseHandle(ready);
    CloseHandle(mapping);
    printf("%s: done\n", argv[1]);
    return 0;
}
