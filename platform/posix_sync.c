/* SPDX-License-Identifier: MIT */
/*
 * platform/posix_sync.c — threads, events and waits on POSIX (pthreads).
 *
 * Every object is a page of its own (the platform layer never uses a heap).
 * Its state is one word: 1 signalled, 0 not. Within the process, every
 * change of a word is followed by a broadcast on one process-wide condition
 * variable, so a wait on any mix of objects sleeps on that one variable.
 * A named event's word lives in a shared-memory page ("/strata.event.<name>")
 * that other processes map; their changes cannot reach this process's
 * condition variable, so a wait that involves a named event wakes every
 * couple of milliseconds to look. Also the memory figures read from /proc.
 */
#define _GNU_SOURCE
#include "posix_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_WAIT_OBJECTS 64
#define NAMED_POLL_NS 2000000u /* how often a wait looks at named events */
#define MAX_ESCAPED_NAME 200

typedef enum waitable_kind { KIND_THREAD = 0x54485244u, KIND_EVENT = 0x4556454Eu } waitable_kind;

/* The shared page of a named event. */
typedef struct shared_event {
    _Atomic uint32_t signalled;
    uint32_t manual_reset;
    _Atomic uint32_t holders; /* handles open on it, in all processes */
    _Atomic uint32_t ready;   /* set last by the maker */
} shared_event;

struct strata_waitable {
    waitable_kind kind;
    _Atomic uint32_t references;
    _Atomic uint32_t local_signalled;
    _Atomic uint32_t *signalled; /* &local_signalled, or the shared page's word */
    bool manual_reset;           /* events; threads stay signalled */
    shared_event *shared;        /* named events */
    char os_name[256];
    /* threads */
    strata_thread_start start;
    void *argument;
    _Atomic uint32_t thread_number;
    uint32_t exit_code;
};

static pthread_mutex_t wait_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wait_changed;
static pthread_once_t wait_once = PTHREAD_ONCE_INIT;

static void init_wait_changed(void)
{
    pthread_condattr_t attributes;
    pthread_condattr_init(&attributes);
    pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC);
    pthread_cond_init(&wait_changed, &attributes);
    pthread_condattr_destroy(&attributes);
}

static strata_waitable *object_new(waitable_kind kind)
{
    pthread_once(&wait_once, init_wait_changed);
    void *page = mmap(NULL, sizeof(strata_waitable), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED) {
        return NULL;
    }
    strata_waitable *object = page; /* zero-filled */
    object->kind = kind;
    atomic_init(&object->references, 1);
    object->signalled = &object->local_signalled;
    return object;
}

static void object_release(strata_waitable *object)
{
    if (atomic_fetch_sub(&object->references, 1) != 1) {
        return;
    }
    if (object->shared != NULL) {
        if (atomic_fetch_sub(&object->shared->holders, 1) == 1) {
            shm_unlink(object->os_name);
        }
        munmap(object->shared, sizeof(shared_event));
    }
    munmap(object, sizeof(strata_waitable));
}

/* Stores a new state and wakes every waiter of this process. */
static void publish(_Atomic uint32_t *word, uint32_t value)
{
    pthread_mutex_lock(&wait_lock);
    atomic_store(word, value);
    pthread_cond_broadcast(&wait_changed);
    pthread_mutex_unlock(&wait_lock);
}

/* ---- process and thread numbers, sleep ------------------------------------ */

uint32_t strata_platform_process_id(void)
{
    return (uint32_t)getpid();
}

uint32_t strata_platform_thread_number(void)
{
#if defined(__linux__)
    return (uint32_t)syscall(SYS_gettid);
#else
    static _Atomic uint32_t next = 1;
    static _Thread_local uint32_t number;
    if (number == 0) {
        number = atomic_fetch_add(&next, 1);
    }
    return number;
#endif
}

void strata_platform_sleep(uint32_t milliseconds)
{
    if (milliseconds == 0) {
        sched_yield();
        return;
    }
    struct timespec left = {(time_t)(milliseconds / 1000), (long)(milliseconds % 1000) * 1000000L};
    while (nanosleep(&left, &left) != 0 && errno == EINTR) {
    }
}

/* ---- threads ---------------------------------------------------------------- */

static void *thread_main(void *argument)
{
    strata_waitable *thread = argument;
    publish(&thread->thread_number, strata_platform_thread_number());
    uint32_t code = thread->start(thread->argument);
    thread->exit_code = code;
    publish(thread->signalled, 1); /* after the exit code: readers see both */
    object_release(thread);
    return NULL;
}

strata_status strata_platform_thread_create(strata_thread_start start, void *argument, size_t stack_size,
                                            strata_waitable **out_thread, uint32_t *out_id)
{
    if (start == NULL || out_thread == NULL) {
        return STRATA_E_INVALID_PARAMETER;
    }
    strata_waitable *thread = object_new(KIND_THREAD);
    if (thread == NULL) {
        return STRATA_E_NO_MEMORY;
    }
    thread->start = start;
    thread->argument = argument;
    atomic_store(&thread->references, 2); /* the caller's, and the thread's own */

    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    if (stack_size != 0) {
        size_t page = strata_platform_get_info()->page_size;
        size_t rounded = (stack_size + page - 1) / page * page;
        if (rounded < 65536) {
            rounded = 65536; /* above PTHREAD_STACK_MIN everywhere */
        }
        pthread_attr_setstacksize(&attributes, rounded);
    }
    pthread_t handle;
    int error = pthread_create(&handle, &attributes, thread_main, thread);
    pthread_attr_destroy(&attributes);
    if (error != 0) {
        munmap(thread, sizeof(strata_waitable));
        return error == EAGAIN ? STRATA_E_RESOURCE_EXHAUSTED : STRATA_E_NO_MEMORY;
    }
    /* The new thread's number, which only it can read. */
    pthread_mutex_lock(&wait_lock);
    while (atomic_load(&thread->thread_number) == 0) {
        pthread_cond_wait(&wait_changed, &wait_lock);
    }
    pthread_mutex_unlock(&wait_lock);
    if (out_id != NULL) {
        *out_id = atomic_load(&thread->thread_number);
    }
    *out_thread = thread;
    return STRATA_OK;
}

strata_status strata_platform_thread_exit_code(strata_waitable *thread, uint32_t *out_code, bool *out_finished)
{
    if (out_code == NULL || out_finished == NULL) {
        return STRATA_E_INVALID_PARAMETER;
    }
    if (thread == NULL || thread->kind != KIND_THREAD) {
        return STRATA_E_INVALID_HANDLE;
    }
    *out_finished = atomic_load(thread->signalled) != 0;
    if (*out_finished) {
        *out_code = thread->exit_code;
    }
    return STRATA_OK;
}

/* ---- events ----------------------------------------------------------------- */

/* "/strata.event.<name>", '/' and '%' escaped as %2F and %25. */
static strata_status make_event_name(const char *name, char out[256])
{
    static const char prefix[] = "/strata.event.";
    size_t used = sizeof prefix - 1;
    memcpy(out, prefix, used);
    for (const char *c = name; *c != '\0'; c++) {
        if (used + 3 > sizeof prefix - 1 + MAX_ESCAPED_NAME) {
            return STRATA_E_INVALID_PARAMETER;
        }
        if (*c == '/' || *c == '%') {
            out[used++] = '%';
            out[used++] = '2';
            out[used++] = *c == '/' ? 'F' : '5';
        } else {
            out[used++] = *c;
        }
    }
    out[used] = '\0';
    return STRATA_OK;
}

/* Maps an existing named event's page, once its maker has finished it. */
static strata_status join_event(int descriptor, shared_event **out)
{
    for (int tries = 0; tries < 1000; tries++) {
        struct stat info;
        if (fstat(descriptor, &info) != 0) {
            return STRATA_E_NO_MEMORY;
        }
        if ((size_t)info.st_size >= sizeof(shared_event)) {
            void *page = mmap(NULL, sizeof(shared_event), PROT_READ | PROT_WRITE, MAP_SHARED, descriptor, 0);
            if (page == MAP_FAILED) {
                return STRATA_E_NO_MEMORY;
            }
            shared_event *shared = page;
            while (atomic_load(&shared->ready) == 0 && tries++ < 1000) {
                strata_platform_sleep(1);
            }
            if (atomic_load(&shared->ready) == 0) {
                munmap(page, sizeof(shared_event));
                return STRATA_E_GEN_FAILURE;
            }
            atomic_fetch_add(&shared->holders, 1);
            *out = shared;
            return STRATA_OK;
        }
        strata_platform_sleep(1);
    }
    return STRATA_E_GEN_FAILURE;
}

static strata_status named_event(strata_waitable *event, const char *name, bool create, bool manual_reset,
                                 bool initially_set, bool *out_existed)
{
    strata_status status = make_event_name(name, event->os_name);
    if (status != STRATA_OK) {
        return status;
    }
    for (;;) {
        if (create) {
            int descriptor = shm_open(event->os_name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
            if (descriptor >= 0) {
                void *page = MAP_FAILED;
                if (ftruncate(descriptor, sizeof(shared_event)) == 0) {
                    page = mmap(NULL, sizeof(shared_event), PROT_READ | PROT_WRITE, MAP_SHARED, descriptor, 0);
                }
                close(descriptor);
                if (page == MAP_FAILED) {
                    shm_unlink(event->os_name);
                    return STRATA_E_NO_MEMORY;
                }
                shared_event *shared = page;
                shared->manual_reset = manual_reset;
                atomic_store(&shared->signalled, initially_set ? 1u : 0u);
                atomic_store(&shared->holders, 1);
                atomic_store(&shared->ready, 1);
                event->shared = shared;
                *out_existed = false;
                break;
            }
            if (errno != EEXIST) {
                return errno == EINVAL || errno == ENAMETOOLONG ? STRATA_E_INVALID_PARAMETER : STRATA_E_NO_MEMORY;
            }
        }
        int descriptor = shm_open(event->os_name, O_RDWR | O_CLOEXEC, 0);
        if (descriptor < 0) {
            if (errno == ENOENT && create) {
                continue; /* its last holder closed it in between: make it anew */
            }
            return errno == ENOENT ? STRATA_E_NOT_FOUND
                   : errno == EACCES ? STRATA_E_ACCESS_DENIED
                                     : STRATA_E_INVALID_PARAMETER;
        }
        status = join_event(descriptor, &event->shared);
        close(descriptor);
        if (status != STRATA_OK) {
            return status;
        }
        *out_existed = true;
        break;
    }
    event->signalled = &event->shared->signalled;
    event->manual_reset = event->shared->manual_reset != 0;
    return STRATA_OK;
}

strata_status strata_platform_event_create(const char *name, bool manual_reset, bool initially_set,
                                           strata_waitable **out, bool *out_existed)
{
    if (out == NULL) {
        return STRATA_E_INVALID_PARAMETER;
    }
    strata_waitable *event = object_new(KIND_EVENT);
    if (event == NULL) {
        return STRATA_E_NO_MEMORY;
    }
    bool existed = false;
    if (name != NULL && name[0] != '\0') {
        strata_status status = named_event(event, name, true, manual_reset, initially_set, &existed);
        if (status != STRATA_OK) {
            munmap(event, sizeof(strata_waitable));
            return status;
        }
    } else {
        event->manual_reset = manual_reset;
        atomic_store(&event->local_signalled, initially_set ? 1u : 0u);
    }
    if (out_existed != NULL) {
        *out_existed = existed;
    }
    *out = event;
    return STRATA_OK;
}

strata_status strata_platform_event_open(const char *name, strata_waitable **out)
{
    if (out == NULL || name == NULL || name[0] == '\0') {
        return STRATA_E_INVALID_PARAMETER;
    }
    strata_waitable *event = object_new(KIND_EVENT);
    if (event == NULL) {
        return STRATA_E_NO_MEMORY;
    }
    bool existed;
    strata_status status = named_event(event, name, false, false, false, &existed);
    if (status != STRATA_OK) {
        munmap(event, sizeof(strata_waitable));
        return status;
    }
    *out = event;
    return STRATA_OK;
}

strata_status strata_platform_event_set(strata_waitable *event)
{
    if (event == NULL || event->kind != KIND_EVENT) {
        return STRATA_E_INVALID_HANDLE;
    }
    publish(event->signalled, 1);
    return STRATA_OK;
}

strata_status strata_platform_event_reset(strata_waitable *event)
{
    if (event == NULL || event->kind != KIND_EVENT) {
        return STRATA_E_INVALID_HANDLE;
    }
    atomic_store(event->signalled, 0);
    return STRATA_OK;
}

/* ---- waits ------------------------------------------------------------------ */

/* Takes the signal of one object: an auto-reset event's goes. */
static bool take(strata_waitable *object)
{
    if (object->kind == KIND_EVENT && !object->manual_reset) {
        uint32_t expected = 1;
        return atomic_compare_exchange_strong(object->signalled, &expected, 0);
    }
    return atomic_load(object->signalled) != 0;
}

/* One look at the objects; true when the wait is over. */
static bool try_satisfy(strata_waitable *const *objects, size_t count, bool wait_all, size_t *out_index)
{
    if (!wait_all) {
        for (size_t i = 0; i < count; i++) {
            if (take(objects[i])) {
                *out_index = i;
                return true;
            }
        }
        return false;
    }
    for (size_t i = 0; i < count; i++) {
        if (atomic_load(objects[i]->signalled) == 0) {
            return false;
        }
    }
    for (size_t i = 0; i < count; i++) {
        if (!take(objects[i])) {
            /* Another waiter took one first: give back what this one took. */
            for (size_t j = 0; j < i; j++) {
                if (objects[j]->kind == KIND_EVENT && !objects[j]->manual_reset) {
                    atomic_store(objects[j]->signalled, 1);
                }
            }
            pthread_cond_broadcast(&wait_changed);
            return false;
        }
    }
    *out_index = 0;
    return true;
}

static void add_ns(struct timespec *time, uint64_t ns)
{
    uint64_t total = (uint64_t)time->tv_nsec + ns;
    time->tv_sec += (time_t)(total / 1000000000u);
    time->tv_nsec = (long)(total % 1000000000u);
}

static bool before(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

strata_status strata_platform_wait(strata_waitable *const *objects, size_t count, bool wait_all,
                                   uint32_t timeout_ms, size_t *out_index)
{
    if (objects == NULL || count == 0 || count > MAX_WAIT_OBJECTS) {
        return STRATA_E_INVALID_PARAMETER;
    }
    bool any_named = false;
    for (size_t i = 0; i < count; i++) {
        if (objects[i] == NULL) {
            return STRATA_E_INVALID_PARAMETER;
        }
        if (objects[i]->kind != KIND_THREAD && objects[i]->kind != KIND_EVENT) {
            return STRATA_E_INVALID_HANDLE;
        }
        any_named |= objects[i]->shared != NULL;
        for (size_t j = 0; wait_all && j < i; j++) {
            if (objects[j] == objects[i] ||
                (objects[i]->shared != NULL && strcmp(objects[i]->os_name, objects[j]->os_name) == 0)) {
                return STRATA_E_INVALID_PARAMETER;
            }
        }
    }
    pthread_once(&wait_once, init_wait_changed);
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    add_ns(&deadline, (uint64_t)timeout_ms * 1000000u);

    size_t index = 0;
    strata_status status = STRATA_OK;
    pthread_mutex_lock(&wait_lock);
    while (!try_satisfy(objects, count, wait_all, &index)) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (timeout_ms != STRATA_WAIT_FOREVER && !before(&now, &deadline)) {
            status = STRATA_E_TIMEOUT;
            break;
        }
        if (any_named) {
            struct timespec poll = now;
            add_ns(&poll, NAMED_POLL_NS);
            pthread_cond_timedwait(&wait_changed, &wait_lock,
                                   timeout_ms == STRATA_WAIT_FOREVER || before(&poll, &deadline) ? &poll : &deadline);
        } else if (timeout_ms == STRATA_WAIT_FOREVER) {
            pthread_cond_wait(&wait_changed, &wait_lock);
        } else {
            pthread_cond_timedwait(&wait_changed, &wait_lock, &deadline);
        }
    }
    pthread_mutex_unlock(&wait_lock);
    if (status == STRATA_OK && out_index != NULL) {
        *out_index = index;
    }
    return status;
}

strata_status strata_platform_waitable_close(strata_waitable *object)
{
    if (object == NULL) {
        return STRATA_E_INVALID_PARAMETER;
    }
    if (object->kind != KIND_THREAD && object->kind != KIND_EVENT) {
        return STRATA_E_INVALID_HANDLE;
    }
    object_release(object);
    return STRATA_OK;
}

/* ---- memory status ---------------------------------------------------------- */


/* Reads a small /proc file into `buffer` (NUL-terminated); false on failure. */
static bool read_proc_file(const char *path, char *buffer, size_t capacity)
{
    int descriptor = open(path, O_RDONLY | O_CLOEXEC);
    if (descriptor < 0) {
        return false;
    }
    size_t used = 0;
    for (;;) {
        ssize_t got = read(descriptor, buffer + used, capacity - 1 - used);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            break;
        }
        used += (size_t)got;
        if (used == capacity - 1) {
            break;
        }
    }
    close(descriptor);
    buffer[used] = '\0';
    return used > 0;
}

/* The number after "<key>:" in a /proc file's text, times 1024 (the files
 * give kB); false when the key is missing. */
static bool proc_kilobytes(const char *text, const char *key, uint64_t *out)
{
    size_t key_length = strlen(key);
    for (const char *line = text; line != NULL && *line != '\0';) {
        if (strncmp(line, key, key_length) == 0 && line[key_length] == ':') {
            const char *c = line + key_length + 1;
            while (*c == ' ' || *c == '\t') {
                c++;
            }
            uint64_t value = 0;
            while (*c >= '0' && *c <= '9') {
                value = value * 10 + (uint64_t)(*c++ - '0');
            }
            *out = value * 1024;
            return true;
        }
        line = strchr(line, '\n');
        line = line != NULL ? line + 1 : NULL;
    }
    return false;
}

strata_status strata_platform_memory_status(strata_memory_status *out)
{
    if (out == NULL) {
        return STRATA_E_INVALID_PARAMETER;
    }
    char text[8192];
    uint64_t total, available, swap_total = 0, swap_free = 0;
    if (!read_proc_file("/proc/meminfo", text, sizeof text) || !proc_kilobytes(text, "MemTotal", &total) ||
        !proc_kilobytes(text, "MemAvailable", &available)) {
        return STRATA_E_UNSUPPORTED;
    }
    proc_kilobytes(text, "SwapTotal", &swap_total);
    proc_kilobytes(text, "SwapFree", &swap_free);
    out->total_physical = total;
    out->available_physical = available;
    out->total_commit = total + swap_total;
    out->available_commit = available + swap_free;
    return STRATA_OK;
}

strata_status strata_platform_process_memory(strata_process_memory *out)
{
    static _Atomic uint64_t peak_private;
    if (out == NULL) {
        return STRATA_E_INVALID_PARAMETER;
    }
    char text[8192];
    uint64_t resident, peak_resident, data, stack = 0, size;
    if (!read_proc_file("/proc/self/status", text, sizeof text) || !proc_kilobytes(text, "VmRSS", &resident) ||
        !proc_kilobytes(text, "VmHWM", &peak_resident) || !proc_kilobytes(text, "VmData", &data) ||
        !proc_kilobytes(text, "VmSize", &size)) {
        return STRATA_E_UNSUPPORTED;
    }
    proc_kilobytes(text, "VmStk", &stack);
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    uint64_t private_bytes = data + stack;
    uint64_t seen = atomic_load(&peak_private);
    while (seen < private_bytes && !atomic_compare_exchange_weak(&peak_private, &seen, private_bytes)) {
    }
    out->page_faults = (uint64_t)usage.ru_minflt + (uint64_t)usage.ru_majflt;
    out->resident = resident;
    out->peak_resident = peak_resident > resident ? peak_resident : resident;
    out->private_bytes = private_bytes;
    out->peak_private = seen > private_bytes ? seen : private_bytes;
    out->virtual_size = size;
    return STRATA_OK;
}
