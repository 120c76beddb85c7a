/*
 * platform/common.c — the OS-independent part of the platform layer:
 * status names, argument checks, the cached capability record, and the
 * allocation-free formatter behind strata_fatal.
 */
#include "internal.h"

#include <stdarg.h>

const char *strata_status_name(strata_status status)
{
    static const char *const names[STRATA_STATUS_COUNT] = {
        [STRATA_OK] = "STRATA_OK",
        [STRATA_E_INVALID_PARAMETER] = "STRATA_E_INVALID_PARAMETER",
        [STRATA_E_INVALID_ADDRESS] = "STRATA_E_INVALID_ADDRESS",
        [STRATA_E_CONFLICTING_ADDRESS] = "STRATA_E_CONFLICTING_ADDRESS",
        [STRATA_E_NO_MEMORY] = "STRATA_E_NO_MEMORY",
        [STRATA_E_ACCESS_DENIED] = "STRATA_E_ACCESS_DENIED",
        [STRATA_E_NOT_FOUND] = "STRATA_E_NOT_FOUND",
        [STRATA_E_BUFFER_TOO_SMALL] = "STRATA_E_BUFFER_TOO_SMALL",
        [STRATA_E_UNSUPPORTED] = "STRATA_E_UNSUPPORTED",
        [STRATA_E_RESOURCE_EXHAUSTED] = "STRATA_E_RESOURCE_EXHAUSTED",
    };
    if ((unsigned)status >= STRATA_STATUS_COUNT) {
        return "STRATA_STATUS_UNKNOWN";
    }
    return names[status];
}

const strata_platform_info *strata_platform_get_info(void)
{
    /* Filled once; a racing second filler writes identical values, and the
     * acquire/release pair makes the finished record visible to readers. */
    static strata_platform_info info;
    static int ready;
    if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE)) {
        strata_platform_info fresh;
        strata__platform_query_info(&fresh);
        static strata_lock fill_lock = STRATA_LOCK_INIT;
        strata_lock_acquire(&fill_lock);
        if (!__atomic_load_n(&ready, __ATOMIC_RELAXED)) {
            info = fresh;
            __atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
        }
        strata_lock_release(&fill_lock);
    }
    return &info;
}

strata_status strata__platform_check_range(const void *address, size_t size)
{
    size_t page = strata_platform_get_info()->page_size;
    uintptr_t start = (uintptr_t)address;
    if (address == NULL || (start & (page - 1)) != 0) {
        return STRATA_E_INVALID_ADDRESS;
    }
    if (size == 0 || (size & (page - 1)) != 0 || start + size < start) {
        return STRATA_E_INVALID_PARAMETER;
    }
    return STRATA_OK;
}

strata_status strata__platform_check_access(strata_page_access access)
{
    unsigned bits = (unsigned)access;
    if ((bits & ~(unsigned)(STRATA_PAGE_READ | STRATA_PAGE_WRITE | STRATA_PAGE_EXECUTE)) != 0) {
        return STRATA_E_INVALID_PARAMETER;
    }
    if ((bits & STRATA_PAGE_WRITE) != 0 && (bits & STRATA_PAGE_READ) == 0) {
        return STRATA_E_INVALID_PARAMETER;
    }
    return STRATA_OK;
}

/* ------------------------------------------------------------------------ */
/* Formatting                                                               */
/* ------------------------------------------------------------------------ */

/* Appends to a bounded buffer, always leaving room for the NUL. */
typedef struct text_sink {
    char *buffer;
    size_t capacity;
    size_t length;
} text_sink;

static void sink_put(text_sink *sink, char c)
{
    if (sink->length + 1 < sink->capacity) {
        sink->buffer[sink->length++] = c;
    }
}

static void sink_put_string(text_sink *sink, const char *s)
{
    if (s == NULL) {
        s = "(null)";
    }
    while (*s != '\0') {
        sink_put(sink, *s++);
    }
}

static void sink_put_unsigned(text_sink *sink, uintmax_t value, unsigned base)
{
    char digits[3 * sizeof(uintmax_t) + 1];
    size_t count = 0;
    do {
        digits[count++] = "0123456789abcdef"[value % base];
        value /= base;
    } while (value != 0);
    while (count > 0) {
        sink_put(sink, digits[--count]);
    }
}

static size_t format_into(char *buffer, size_t capacity, const char *format, va_list args)
{
    text_sink sink = {buffer, capacity, 0};
    for (const char *p = format; *p != '\0'; p++) {
        if (*p != '%') {
            sink_put(&sink, *p);
            continue;
        }
        bool size_t_arg = false;
        if (p[1] == 'z') {
            size_t_arg = true;
            p++;
        }
        switch (p[1]) {
        case 's':
            sink_put_string(&sink, va_arg(args, const char *));
            break;
        case 'c':
            sink_put(&sink, (char)va_arg(args, int));
            break;
        case 'd': {
            intmax_t value = size_t_arg ? (intmax_t)va_arg(args, ptrdiff_t) : va_arg(args, int);
            if (value < 0) {
                sink_put(&sink, '-');
                sink_put_unsigned(&sink, (uintmax_t)(-value), 10);
            } else {
                sink_put_unsigned(&sink, (uintmax_t)value, 10);
            }
            break;
        }
        case 'u':
        case 'x': {
            uintmax_t value = size_t_arg ? va_arg(args, size_t) : va_arg(args, unsigned);
            sink_put_unsigned(&sink, value, p[1] == 'u' ? 10 : 16);
            break;
        }
        case 'p':
            sink_put_string(&sink, "0x");
            sink_put_unsigned(&sink, (uintptr_t)va_arg(args, void *), 16);
            break;
        case '%':
            sink_put(&sink, '%');
            break;
        default:
            /* Unknown directive: copy it as written so the mistake shows. */
            sink_put(&sink, '%');
            if (size_t_arg) {
                sink_put(&sink, 'z');
            }
            if (p[1] == '\0') {
                goto done;
            }
            sink_put(&sink, p[1]);
            break;
        }
        p++;
    }
done:
    if (capacity > 0) {
        buffer[sink.length] = '\0';
    }
    return sink.length;
}

size_t strata_format(char *buffer, size_t capacity, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    size_t length = format_into(buffer, capacity, format, args);
    va_end(args);
    return length;
}

void strata_fatal(const char *format, ...)
{
    char message[1024];
    va_list args;
    va_start(args, format);
    size_t length = format_into(message, sizeof message, format, args);
    va_end(args);
    message[length] = '\n';
    strata_write_error(message, length + 1);
    strata__platform_terminate();
}
