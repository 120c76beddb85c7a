/* SPDX-License-Identifier: MIT */
/*
 * strata/win32/tchar.h — generic-text mappings: one source, built for
 * narrow (char) text by default or wide (wchar_t) text when _UNICODE is
 * defined. The names map onto the C library's own functions.
 *
 * On Windows, the system's <tchar.h> is used as it is. Not covered here:
 * the MBCS (_MBCS) mappings, _tfopen and _tmain/_tWinMain under _UNICODE (a Linux
 * program opens files and gets its arguments as char strings), and the "_s" secure forms.
 */
#ifndef STRATA_WIN32_TCHAR_H
#define STRATA_WIN32_TCHAR_H

#if defined(_WIN32)
#if defined(__GNUC__) || defined(__clang__)
#include_next <tchar.h>
#else
#include <tchar.h>
#endif
#else

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#if defined(_UNICODE)
typedef wchar_t _TCHAR;
typedef wchar_t _TSCHAR;
typedef wchar_t _TUCHAR;
typedef wint_t _TINT;
#define __T(x) L##x
#define _TEOF WEOF
#define _tcslen wcslen
#define _tcscpy wcscpy
#define _tcsncpy wcsncpy
#define _tcscat wcscat
#define _tcsncat wcsncat
#define _tcscmp wcscmp
#define _tcsncmp wcsncmp
#define _tcschr wcschr
#define _tcsrchr wcsrchr
#define _tcsstr wcsstr
#define _tcsspn wcsspn
#define _tcscspn wcscspn
#define _tcstol wcstol
#define _tcstoul wcstoul
#define _tcstod wcstod
#define _ttoi(s) ((int)wcstol((s), NULL, 10))
#define _ttol(s) wcstol((s), NULL, 10)
#define _tprintf wprintf
#define _ftprintf fwprintf
#define _sntprintf swprintf
#define _vtprintf vwprintf
#define _vftprintf vfwprintf
#define _vsntprintf vswprintf
#define _fputts fputws
#define _puttc putwc
#define _gettc getwc
#define _fgetts fgetws
#else
typedef char _TCHAR;
typedef signed char _TSCHAR;
typedef unsigned char _TUCHAR;
typedef int _TINT;
#define __T(x) x
#define _TEOF EOF
#define _tcslen strlen
#define _tcscpy strcpy
#define _tcsncpy strncpy
#define _tcscat strcat
#define _tcsncat strncat
#define _tcscmp strcmp
#define _tcsncmp strncmp
#define _tcschr strchr
#define _tcsrchr strrchr
#define _tcsstr strstr
#define _tcsspn strspn
#define _tcscspn strcspn
#define _tcstol strtol
#define _tcstoul strtoul
#define _tcstod strtod
#define _ttoi atoi
#define _ttol atol
#define _tprintf printf
#define _ftprintf fprintf
#define _sntprintf snprintf
#define _vtprintf vprintf
#define _vftprintf vfprintf
#define _vsntprintf vsnprintf
#define _fputts fputs
#define _puttc putc
#define _gettc getc
#define _fgetts fgets
#define _tfopen fopen
#define _tmain main
#endif

#define _T(x) __T(x)
#define _TEXT(x) __T(x)

#endif /* !_WIN32 */
#endif /* STRATA_WIN32_TCHAR_H */
