/* SPDX-License-Identifier: MIT */
/*
 * heap/global.c — GlobalAlloc / LocalAlloc and their families over the
 * process heap: fixed memory is a heap block; moveable
 * memory is a handle into a table of two-word entries {flags, data}, as
 * kernelbase keeps them. The table (0x10000 entries, 1 MiB) is reserved from
 * strata's VMM on first use and committed as it fills.
 */
#include "internal.h"

/* An entry's flags word, with the bits Windows uses. */
#define ENTRY_IN_USE 0x1u
#define ENTRY_MOVEABLE 0x2u
#define ENTRY_DISCARDABLE 0x4u
#define ENTRY_DISCARDED 0x8u
#define ENTRY_DDESHARE 0x8000u
#define LOCK_SHIFT 16
#define LOCK_MAX 0xFFu

typedef struct handle_entry {
    uintptr_t flags;
    void *data; /* the handle is this field's address */
} handle_entry;

#define TABLE_BYTES ((size_t)STRATA_GMEM_HANDLES * sizeof(handle_entry))
#define TABLE_COMMIT_STEP ((size_t)64 << 10)

static strata_lock table_lock = STRATA_LOCK_INIT;
static handle_entry *table;      /* NULL until first used */
static size_t table_committed;   /* bytes of it committed */
static size_t table_used;        /* entries ever handed out (the rest never were) */
static handle_entry *table_free; /* freed entries, linked through flags */

/* A freed entry's flags word holds the next freed entry, as Windows leaves
 * it: never 0 (the end of the list is the table's end) and 2P-aligned, so
 * never mistaken for a live entry; its data word is NULL. */
#define FREE_LIST_END ((uintptr_t)(table + STRATA_GMEM_HANDLES))

/* fork (heap.c): the table's lock is held across it. */
void global_memory_fork_lock(void)
{
    strata_lock_acquire(&table_lock);
}

void global_memory_fork_unlock(void)
{
    strata_lock_release(&table_lock);
}

static inline void report(strata_status *error, strata_status status)
{
    if (error != NULL)
        *error = status;
}

/* ---- What a value is ---------------------------------------------------------- */
typedef enum value_kind {
    VALUE_NULL,
    VALUE_HANDLE,      /* a live moveable handle */
    VALUE_DEAD_HANDLE, /* shaped like a handle (8 mod 16), but not a live one */
    VALUE_FIXED,       /* a live process-heap block */
    VALUE_BAD_POINTER  /* anything else */
} value_kind;

/* Under table_lock. */
static value_kind classify(const void *value, handle_entry **out_entry)
{
    *out_entry = NULL;
    if (value == NULL)
        return VALUE_NULL;
    uintptr_t address = (uintptr_t)value;
    if (address % sizeof(handle_entry) == offsetof(handle_entry, data)) {
        if (table != NULL && address >= (uintptr_t)table && address < (uintptr_t)table + table_used * sizeof(handle_entry)) {
            handle_entry *entry = (handle_entry *)(void *)(address - offsetof(handle_entry, data));
            if (entry->flags & ENTRY_IN_USE) {
                *out_entry = entry;
                return VALUE_HANDLE;
            }
        }
        return VALUE_DEAD_HANDLE;
    }
    return strata_heap_validate(strata_heap_process(), 0, value) ? VALUE_FIXED : VALUE_BAD_POINTER;
}

static unsigned discardable_flag(strata_memory_family family)
{
    return family == STRATA_MEMORY_GLOBAL ? STRATA_GMEM_DISCARDABLE : STRATA_LMEM_DISCARDABLE;
}

/* Under table_lock. NULL when all 0x10000 are taken or the memory is not there. */
static handle_entry *entry_new(void)
{
    if (table == NULL) {
        const strata_vmm *vmm = strata_vmm_default();
        void *base = NULL;
        if (vmm->reserve(vmm->context, TABLE_BYTES, 0, &base) != STRATA_OK)
            return NULL;
        table = base;
    }
    handle_entry *entry = table_free;
    if (entry != NULL) {
        table_free = entry->flags == FREE_LIST_END ? NULL : (handle_entry *)entry->flags;
        return entry;
    }
    if (table_used == STRATA_GMEM_HANDLES)
        return NULL;
    if ((table_used + 1) * sizeof(handle_entry) > table_committed) {
        const strata_vmm *vmm = strata_vmm_default();
        if (vmm->commit(vmm->context, (char *)table + table_committed, TABLE_COMMIT_STEP) != STRATA_OK)
            return NULL;
        table_committed += TABLE_COMMIT_STEP;
    }
    return &table[table_used++];
}

static void entry_release(handle_entry *entry)
{
    entry->flags = table_free != NULL ? (uintptr_t)table_free : FREE_LIST_END;
    entry->data = NULL;
    table_free = entry;
}

static unsigned entry_locks(const handle_entry *entry)
{
    return (unsigned)((entry->flags >> LOCK_SHIFT) & LOCK_MAX);
}

/* ---- The functions ----------------------------------------------------------- */
void *strata_global_alloc(strata_memory_family family, unsigned flags, size_t size, strata_status *error)
{
    strata_heap *heap = strata_heap_process();
    uint32_t heap_flags = (flags & STRATA_GMEM_ZEROINIT) ? STRATA_HEAP_ZERO_MEMORY : 0;
    if (!(flags & STRATA_GMEM_MOVEABLE)) {
        if (size == 0 && family == STRATA_MEMORY_GLOBAL)
            size = 1; /* GlobalAlloc(GMEM_FIXED, 0) has size 1 */
        void *block = heap != NULL ? strata_heap_alloc(heap, heap_flags, size) : NULL;
        if (block == NULL)
            report(error, STRATA_E_NO_MEMORY);
        return block;
    }
    void *data = NULL;
    if (size != 0) {
        data = heap != NULL ? strata_heap_alloc(heap, heap_flags, size) : NULL;
        if (data == NULL) {
            report(error, STRATA_E_NO_MEMORY);
            return NULL;
        }
    }
    strata_lock_acquire(&table_lock);
    handle_entry *entry = entry_new();
    if (entry != NULL) {
        entry->flags = ENTRY_IN_USE | ENTRY_MOVEABLE;
        if (flags & discardable_flag(family))
            entry->flags |= ENTRY_DISCARDABLE;
        if (family == STRATA_MEMORY_GLOBAL && (flags & STRATA_GMEM_DDESHARE))
            entry->flags |= ENTRY_DDESHARE;
        if (data == NULL)
            entry->flags |= ENTRY_DISCARDED;
        entry->data = data;
    }
    strata_lock_release(&table_lock);
    if (entry == NULL) {
        strata_heap_free(heap, 0, data);
        report(error, STRATA_E_NO_MEMORY);
        return NULL;
    }
    return &entry->data;
}

void *strata_global_lock(strata_memory_family family, void *memory, strata_status *error)
{
    strata_lock_acquire(&table_lock);
    handle_entry *entry;
    void *result = NULL;
    switch (classify(memory, &entry)) {
    case VALUE_FIXED:
        result = memory;
        break;
    case VALUE_HANDLE:
        if (entry->data == NULL) {
            report(error, STRATA_E_DISCARDED);
        } else {
            if (entry_locks(entry) < LOCK_MAX)
                entry->flags += (uintptr_t)1 << LOCK_SHIFT;
            result = entry->data;
        }
        break;
    case VALUE_DEAD_HANDLE:
        report(error, STRATA_E_INVALID_HANDLE);
        break;
    case VALUE_BAD_POINTER:
        if (family == STRATA_MEMORY_GLOBAL)
            report(error, STRATA_E_INVALID_HANDLE);
        break;
    case VALUE_NULL:
        break;
    }
    strata_lock_release(&table_lock);
    return result;
}

bool strata_global_unlock(strata_memory_family family, void *memory, strata_status *error)
{
    bool global = family == STRATA_MEMORY_GLOBAL;
    strata_lock_acquire(&table_lock);
    handle_entry *entry;
    bool result = false;
    switch (classify(memory, &entry)) {
    case VALUE_HANDLE:
        if (entry_locks(entry) == 0) {
            report(error, STRATA_E_NOT_LOCKED);
        } else {
            entry->flags -= (uintptr_t)1 << LOCK_SHIFT;
            result = entry_locks(entry) != 0;
            if (!result)
                report(error, STRATA_OK);
        }
        break;
    case VALUE_FIXED:
        result = global;
        if (!global)
            report(error, STRATA_E_NOT_LOCKED);
        break;
    case VALUE_DEAD_HANDLE:
        result = global; /* Global says TRUE, yet reports the bad handle */
        report(error, STRATA_E_INVALID_HANDLE);
        break;
    case VALUE_NULL:
    case VALUE_BAD_POINTER:
        result = global;
        if (!global)
            report(error, STRATA_E_NOT_LOCKED);
        break;
    }
    strata_lock_release(&table_lock);
    return result;
}

size_t strata_global_size(strata_memory_family family, void *memory, strata_status *error)
{
    (void)family;
    strata_lock_acquire(&table_lock);
    handle_entry *entry;
    size_t size = 0;
    switch (classify(memory, &entry)) {
    case VALUE_FIXED:
        size = strata_heap_size(strata_heap_process(), 0, memory);
        break;
    case VALUE_HANDLE:
        size = entry->data != NULL ? strata_heap_size(strata_heap_process(), 0, entry->data) : 0;
        break;
    default:
        report(error, STRATA_E_INVALID_HANDLE);
        break;
    }
    strata_lock_release(&table_lock);
    return size;
}

unsigned strata_global_flags(strata_memory_family family, void *memory, strata_status *error)
{
    strata_lock_acquire(&table_lock);
    handle_entry *entry;
    unsigned flags = 0;
    switch (classify(memory, &entry)) {
    case VALUE_FIXED:
        break;
    case VALUE_HANDLE:
        flags = entry_locks(entry);
        if (entry->data == NULL)
            flags |= STRATA_GMEM_DISCARDED;
        if (entry->flags & ENTRY_DISCARDABLE)
            flags |= discardable_flag(family);
        if (family == STRATA_MEMORY_GLOBAL && (entry->flags & ENTRY_DDESHARE))
            flags |= STRATA_GMEM_DDESHARE;
        break;
    case VALUE_BAD_POINTER:
        flags = STRATA_GMEM_INVALID_HANDLE;
        report(error, family == STRATA_MEMORY_LOCAL ? STRATA_E_NOACCESS : STRATA_E_INVALID_HANDLE);
        break;
    default:
        flags = STRATA_GMEM_INVALID_HANDLE;
        report(error, STRATA_E_INVALID_HANDLE);
        break;
    }
    strata_lock_release(&table_lock);
    return flags;
}

void *strata_global_handle(strata_memory_family family, const void *pointer, strata_status *error)
{
    strata_lock_acquire(&table_lock);
    void *result = NULL;
    handle_entry *entry;
    value_kind kind = classify(pointer, &entry);
    if (kind == VALUE_HANDLE)
        result = &entry->data;
    if (kind == VALUE_FIXED || kind == VALUE_BAD_POINTER) {
        /* A moveable handle's data? Else a process-heap block gives itself. */
        for (size_t i = 0; table != NULL && i < table_used && result == NULL; i++)
            if ((table[i].flags & ENTRY_IN_USE) && table[i].data == pointer)
                result = &table[i].data;
        if (result == NULL && kind == VALUE_FIXED)
            result = (void *)(uintptr_t)pointer;
    }
    if (result == NULL)
        report(error, kind == VALUE_BAD_POINTER && family == STRATA_MEMORY_LOCAL ? STRATA_E_NOACCESS
                                                                                 : STRATA_E_INVALID_HANDLE);
    strata_lock_release(&table_lock);
    return result;
}

void *strata_global_free(strata_memory_family family, void *memory, strata_status *error)
{
    (void)family;
    strata_heap *heap = strata_heap_process();
    strata_lock_acquire(&table_lock);
    handle_entry *entry;
    void *result = NULL;
    void *data = NULL;
    switch (classify(memory, &entry)) {
    case VALUE_NULL:
        break;
    case VALUE_FIXED:
        data = memory;
        break;
    case VALUE_HANDLE:
        data = entry->data; /* locked or not: freed */
        entry_release(entry);
        break;
    case VALUE_DEAD_HANDLE:
        result = memory;
        report(error, STRATA_E_INVALID_HANDLE);
        break;
    case VALUE_BAD_POINTER:
        result = memory;
        report(error, STRATA_E_NOACCESS);
        break;
    }
    strata_lock_release(&table_lock);
    if (data != NULL)
        strata_heap_free(heap, 0, data);
    return result;
}

static bool is_front_block(strata_heap *heap, const void *block)
{
    return strata_heap_usable_size(heap, block) < MAX_FRONT_STRIDE;
}

static void *resize_here(strata_heap *heap, void *block, size_t size, uint32_t zero)
{
    return strata_heap_realloc(heap, STRATA_HEAP_REALLOC_IN_PLACE_ONLY | zero, block, size);
}

/* Resize a fixed block without moving it; front-end blocks refuse, to any
 * size, their own included, as Windows' LFH blocks do. */
static void *resize_in_place(strata_heap *heap, void *block, size_t size, uint32_t zero)
{
    if (is_front_block(heap, block))
        return NULL;
    return resize_here(heap, block, size, zero);
}

/* A fixed front-end block given MOVEABLE gets a new block, as an LFH block
 * does on Windows; larger ones stay where they are when they can,
 * shrinking included, and move only to grow. */
static void *relocate(strata_heap *heap, void *block, size_t size, uint32_t zero)
{
    size_t old_size = strata_heap_size(heap, 0, block);
    /* An emptied block emptied again has nothing to move (a big block
     * emptied in place looks like a front-end one by its size alone). */
    if (!is_front_block(heap, block) || (size == 0 && old_size == 0)) {
        void *here = resize_here(heap, block, size, zero);
        return here != NULL ? here : strata_heap_realloc(heap, zero, block, size);
    }
    char *moved = strata_heap_alloc(heap, zero, size);
    if (moved != NULL) {
        memcpy(moved, block, old_size < size ? old_size : size);
        strata_heap_free(heap, 0, block);
    }
    return moved;
}

void *strata_global_realloc(strata_memory_family family, void *memory, size_t size, unsigned flags,
                            strata_status *error)
{
    strata_heap *heap = strata_heap_process();
    uint32_t zero = (flags & STRATA_GMEM_ZEROINIT) ? STRATA_HEAP_ZERO_MEMORY : 0;
    bool modify = (flags & STRATA_GMEM_MODIFY) != 0;
    bool moveable = (flags & STRATA_GMEM_MOVEABLE) != 0;
    bool discardable = (flags & discardable_flag(family)) != 0;
    strata_lock_acquire(&table_lock);
    handle_entry *entry;
    void *result = NULL;
    strata_status status = STRATA_OK;
    switch (classify(memory, &entry)) {
    case VALUE_NULL:
    case VALUE_DEAD_HANDLE:
        status = STRATA_E_INVALID_HANDLE;
        break;
    case VALUE_BAD_POINTER:
        status = STRATA_E_NOACCESS;
        break;
    case VALUE_FIXED:
        if (modify) {
            result = memory;
            if (moveable && family == STRATA_MEMORY_GLOBAL) { /* Global turns it into a handle */
                handle_entry *converted = entry_new();
                if (converted == NULL) {
                    result = NULL;
                    status = STRATA_E_NO_MEMORY;
                } else {
                    converted->flags = ENTRY_IN_USE | ENTRY_MOVEABLE | (discardable ? ENTRY_DISCARDABLE : 0);
                    converted->data = memory;
                    result = &converted->data;
                }
            }
        } else if (discardable) {
            status = STRATA_E_INVALID_PARAMETER;
        } else {
            result = moveable ? relocate(heap, memory, size, zero) : resize_in_place(heap, memory, size, zero);
            if (result == NULL)
                status = STRATA_E_NO_MEMORY;
        }
        break;
    case VALUE_HANDLE:
        if (modify) {
            if (discardable)
                entry->flags |= ENTRY_DISCARDABLE;
            result = memory;
        } else if (discardable) {
            status = STRATA_E_INVALID_PARAMETER;
        } else if (size == 0) {
            if (moveable && entry_locks(entry) == 0) { /* discard */
                strata_heap_free(heap, 0, entry->data);
                entry->data = NULL;
                entry->flags |= ENTRY_DISCARDED;
                result = memory;
            } else {
                status = STRATA_E_INVALID_PARAMETER;
            }
        } else if (entry->data == NULL) { /* discarded: new data */
            entry->data = strata_heap_alloc(heap, zero, size);
            if (entry->data != NULL) {
                entry->flags &= ~(uintptr_t)ENTRY_DISCARDED;
                result = memory;
            } else {
                status = STRATA_E_NO_MEMORY;
            }
        } else {
            /* A moveable block's data shrinks where it is, locked or not;
             * to grow, locked data moves only when MOVEABLE says it may. */
            bool may_move = entry_locks(entry) == 0 || moveable;
            void *data = NULL;
            if (size <= strata_heap_size(heap, 0, entry->data))
                data = resize_here(heap, entry->data, size, zero);
            if (data == NULL && may_move)
                data = strata_heap_realloc(heap, zero, entry->data, size);
            else if (data == NULL && !is_front_block(heap, entry->data))
                data = resize_here(heap, entry->data, size, zero);
            if (data != NULL) {
                entry->data = data;
                result = memory;
            } else {
                status = STRATA_E_NO_MEMORY;
            }
        }
        break;
    }
    strata_lock_release(&table_lock);
    if (result == NULL)
        report(error, status);
    return result;
}
