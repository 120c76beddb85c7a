/* SPDX-License-Identifier: MIT */
// The classic Win32 example, unchanged: reserve and commit 1 KB with
// VirtualAlloc, write its first and last byte, free it. On Linux it
// compiles against strata's <windows.h> (-I include/strata/win32).
#include <windows.h>
#include <iostream>

int main()
{
    const SIZE_T size = 1024;
    LPVOID memory = VirtualAlloc(NULL, size, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
    if (memory == NULL) {
        std::cerr << "VirtualAlloc failed: " << GetLastError() << std::endl;
        return 1;
    }
    char* bytes = static_cast<char*>(memory);
    bytes[0] = 'A';
    bytes[size - 1] = 'Z';
    std::cout << "first " << bytes[0] << ", last " << bytes[size - 1] << std::endl;
    if (!VirtualFree(memory, 0, MEM_RELEASE)) {
        std::cerr << "VirtualFree failed: " << GetLastError() << std::endl;
        return 1;
    }
    std::cout << "VirtualAlloc/VirtualFree round trip done" << std::endl;
    return 0;
}
