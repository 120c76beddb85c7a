/* SPDX-License-Identifier: MIT */
/*
 * platform/common.c — the OS-independent part of the platform layer:
 * status names, argument checks, the cached capability record, and the
 * allocation-free formatter behind strata_fatal.
 */
#include "internal.h"

#include <strata/version.h>

#include <stdarg.h>

/* One row per status: its name and the Win32 error Windows gives for it. */
static const struct status_row {
    const char *name;
    uint32_t win32_error;
} status_rows[STRATA_STATUS_COUNT] = {
    [STRATA_OK] = {"STRATA_OK", 0},
    [STRATA_E_INVALID_PARAMETER] = {"STRATA_E_INVALID_PARAMETER", 87},
    [STRATA_E_INVALID_ADDRESS] = {"STRATA_E_INVALID_ADDRESS", 487},
    [STRATA_E_CONFLICTING_ADDRESS] = {"STRATA_E_CONFLICTING_ADDRESS", 487},
    [STRATA_E_NO_MEMORY] = {"STRATA_E_NO_MEMORY", 8},
    [STRATA_E_ACCESS_DENIED] = {"STRATA_E_ACCESS_DENIED", 5},
    [STRATA_E_NOT_FOUND] = {"STRATA_E_NOT_FOUND", 2},
    [STRATA_E_BUFFER_TOO_SMALL] = {"STRATA_E_BUFFER_TOO_SMALL", 122},
    [STRATA_E_UNSUPPORTED] = {"STRATA_E_UNSUPPORTED", 50},
    [STRATA_E_RESOURCE_EXHAUSTED] = {"STRATA_E_RESOURCE_EXHAUSTED", 1450},
    [STRATA_E_NOACCESS] = {"STRATA_E_NOACCESS", 998},
    [STRATA_E_INVALID_HANDLE] = {"STRATA_E_INVALID_HANDLE", 6},
    [STRATA_E_NOT_LOCKED] = {"STRATA_E_NOT_LOCKED", 158},
    [STRATA_E_COMMITMENT_LIMIT] = {"STRATA_E_COMMITMENT_LIMIT", 1455},
    [STRATA_E_GUARD_PAGE] = {"STRATA_E_GUARD_PAGE", 0x80000001u},
    [STRATA_E_FILE_INVALID] = {"STRATA_E_FILE_INVALID", 1006},
    [STRATA_E_MAPPED_ALIGNMENT] = {"STRATA_E_MAPPED_ALIGNMENT", 1132},
    [STRATA_E_PRIVILEGE_NOT_HELD] = {"STRATA_E_PRIVILEGE_NOT_HELD", 1314},
    [STRATA_E_WORKING_SET_QUOTA] = {"STRATA_E_WORKING_SET_QUOTA", 1453},
    [STRATA_E_NO_MORE_ITEMS] = {"STRATA_E_NO_MORE_ITEMS", 259},
    [STRATA_E_DISCARDED] = {"STRATA_E_DISCARDED", 157},
    [STRATA_E_GEN_FAILURE] = {"STRATA_E_GEN_FAILURE", 31},
    [STRATA_E_BAD_LENGTH] = {"STRATA_E_BAD_LENGTH", 24},
    [STRATA_E_TIMEOUT] = {"STRATA_E_TIMEOUT", 258},
};

const char *strata_status_name(strata_status status)
{
    if ((unsigned)status >= STRATA_STATUS_COUNT) {
        return "STRATA_STATUS_UNKNOWN";
    }
    return status_rows[status].name;
}

uint32_t strata_status_win32_error(strata_status status)
{
    if ((unsigned)status >= STRATA_STATUS_COUNT) {
        return 87;
    }
    return status_rows[status].win32_error;
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

strata_status strata__platform_check_privatize(const void *address, size_t size, strata_access access)
{
    strata_status status = strata__platform_check_range(address, size);
    if (status == STRATA_OK) {
        status = strata__platform_check_access(access);
    }
    if (status == STRATA_OK && !(access & STRATA_ACCESS_WRITE)) {
        status = STRATA_E_INVALID_PARAMETER;
    }
    return status;
}

strata_status strata__platform_check_reserve(size_t size, size_t *alignment, const void *address,
                                             void **out_base)
{
    const strata_platform_info *info = strata_platform_get_info();
    if (out_base == NULL || size == 0 || (size & (info->page_size - 1)) != 0) {
        return STRATA_E_INVALID_PARAMETER;
    }
    if (*alignment == 0) {
        *alignment = info->allocation_granularity;
    }
    if ((*alignment & (*alignment - 1)) != 0 || *alignment % info->allocation_granularity != 0) {
        return STRATA_E_INVALID_PARAMETER;
    }
    if (address != NULL) {
        if (((uintptr_t)address & (*alignment - 1)) != 0) {
            return STRATA_E_INVALID_ADDRESS;
        }
        if ((uintptr_t)address + size < (uintptr_t)address) {
            return STRATA_E_INVALID_PARAMETER;
        }
    }
    return STRATA_OK;
}

strata_status strata__platform_check_access(strata_access access)
{
    unsigned bits = (unsigned)access;
    if ((bits & ~(unsigned)(STRATA_ACCESS_READ | STRATA_ACCESS_WRITE | STRATA_ACCESS_EXECUTE)) != 0) {
        return STRATA_E_INVALID_PARAMETER;
    }
    if ((bits & STRATA_ACCESS_WRITE) != 0 && (bits & STRATA_ACCESS_READ) == 0) {
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

/* ------------------------------------------------------------------------ */
/* Fault listeners                                                          */
/* ------------------------------------------------------------------------ */

#define MAX_FAULT_LISTENERS 64

/* A slot is read in the fault context without the lock: its fields are set
 * before `order` makes it live, and `order` is cleared first on removal. */
typedef struct fault_slot {
    strata_fault_listener listener;
    void *context;
    int64_t order; /* 0: free; negative: added first (newest lowest); positive: added last */
} fault_slot;

static fault_slot fault_slots[MAX_FAULT_LISTENERS];
static strata_lock fault_slots_lock = STRATA_LOCK_INIT;
static int64_t next_first = -1, next_last = 1;

strata_status strata_platform_add_fault_listener(bool first, strata_fault_listener listener, void *context,
                                                 void **out_cookie)
{
    if (listener == NULL || out_cookie == NULL) {
        return STRATA_E_INVALID_PARAMETER;
    }
    strata_status status = strata__platform_watch_faults();
    if (status != STRATA_OK) {
        return status;
    }
    status = STRATA_E_RESOURCE_EXHAUSTED;
    strata_lock_acquire(&fault_slots_lock);
    for (size_t i = 0; i < MAX_FAULT_LISTENERS; i++) {
        if (__atomic_load_n(&fault_slots[i].order, __ATOMIC_ACQUIRE) == 0) {
            fault_slots[i].listener = listener;
            fault_slots[i].context = context;
            __atomic_store_n(&fault_slots[i].order, first ? next_first-- : next_last++, __ATOMIC_RELEASE);
            *out_cookie = &fault_slots[i];
            status = STRATA_OK;
            break;
        }
    }
    strata_lock_release(&fault_slots_lock);
    return status;
}

strata_status strata_platform_remove_fault_listener(void *cookie)
{
    fault_slot *slot = cookie;
    strata_status status = STRATA_E_INVALID_PARAMETER;
    strata_lock_acquire(&fault_slots_lock);
    for (size_t i = 0; i < MAX_FAULT_LISTENERS; i++) {
        if (slot == &fault_slots[i] && __atomic_load_n(&slot->order, __ATOMIC_ACQUIRE) != 0) {
            __atomic_store_n(&slot->order, 0, __ATOMIC_RELEASE);
            status = STRATA_OK;
        }
    }
    strata_lock_release(&fault_slots_lock);
    return status;
}

bool strata__platform_has_fault_listeners(void)
{
    for (size_t i = 0; i < MAX_FAULT_LISTENERS; i++) {
        if (__atomic_load_n(&fault_slots[i].order, __ATOMIC_ACQUIRE) != 0) {
            return true;
        }
    }
    return false;
}

bool strata__platform_dispatch_fault(const strata_fault_event *event)
{
    /* In order without sorting (no locks here): each round takes the
     * smallest order above the previous round's. */
    int64_t previous = INT64_MIN;
    for (;;) {
        size_t chosen = MAX_FAULT_LISTENERS;
        int64_t chosen_order = INT64_MAX;
        for (size_t i = 0; i < MAX_FAULT_LISTENERS; i++) {
            int64_t order = __atomic_load_n(&fault_slots[i].order, __ATOMIC_ACQUIRE);
            if (order != 0 && order > previous && order < chosen_order) {
                chosen = i;
                chosen_order = order;
            }
        }
        if (chosen == MAX_FAULT_LISTENERS) {
            return false;
        }
        if (fault_slots[chosen].listener(event, fault_slots[chosen].context)) {
            return true;
        }
        previous = chosen_order;
    }
}

STRATA_API const char *strata_version(void)
{
    return STRATA_VERSION_STRING;
}
