/* SPDX-License-Identifier: MIT */
/*
 * cxx/strata_cxx.cpp — every replaceable global operator new and delete
 * (C++17's twenty forms) over the crt layer, with the standard new-handler
 * loop; the crt's new handler that runs the C++ one; and strata/cxx.h.
 */
#include <strata/crt.h>
#include <strata/cxx.h>

#include <cstddef>
#include <new>

#if defined(__ELF__)
// libstrata.so is preloaded under C programs too, which load no C++ runtime.
// Every C++ runtime symbol this file reaches is weak, so the library loads
// without libstdc++ and does not bring its megabyte of pages into every
// process; a C++ program loads the runtime itself and they resolve to it.
// Without it no C++ code runs, so none of them is ever called.
__asm__(".weak _ZSt15get_new_handlerv");
__asm__(".weak _ZSt15set_new_handlerPFvvE");
__asm__(".weak _ZSt9terminatev");
__asm__(".weak _ZSt7nothrow");
__asm__(".weak _ZTISt9bad_alloc");
__asm__(".weak _ZTVSt9bad_alloc");
__asm__(".weak _ZNSt9bad_allocD1Ev");
__asm__(".weak __cxa_allocate_exception");
__asm__(".weak __cxa_throw");
__asm__(".weak __cxa_begin_catch");
__asm__(".weak __cxa_end_catch");
__asm__(".weak __gxx_personality_v0");
#endif

// std::get_new_handler under its own symbol, declared weak where the
// compiler can see it: null when no C++ runtime is loaded (a C program).
#if defined(__ELF__)
extern "C" __attribute__((weak)) void *_ZSt15get_new_handlerv();
#endif

namespace {

// crt.h: "every block is aligned to 16 bytes".
constexpr std::size_t crt_block_alignment = 16;
static_assert(__STDCPP_DEFAULT_NEW_ALIGNMENT__ <= crt_block_alignment,
              "plain new hands out strata_malloc blocks as they are");

constexpr std::size_t default_new_alignment = __STDCPP_DEFAULT_NEW_ALIGNMENT__;

// Whether the C++ runtime is there. A C program that preloads or links
// strata calls the C functions of strata/cxx.h without it: their new
// handler is then kept here, and failure is reported as null, never thrown.
bool cxx_runtime_present()
{
#if defined(__ELF__)
    return _ZSt15get_new_handlerv != nullptr;
#else
    return true;
#endif
}

std::new_handler handler_without_runtime;

std::new_handler current_new_handler()
{
    if (cxx_runtime_present())
        return std::get_new_handler();
    return __atomic_load_n(&handler_without_runtime, __ATOMIC_ACQUIRE);
}

bool is_valid_alignment(std::size_t alignment)
{
    return alignment != 0 && (alignment & (alignment - 1)) == 0 &&
           alignment <= STRATA_CRT_MAX_ALIGNMENT;
}

// One request to the crt. Size 0 is asked as 1 byte: new must return a
// unique pointer, and C leaves a zero-size aligned_alloc to the library.
void *request_block(std::size_t size, std::size_t alignment)
{
    if (size == 0)
        size = 1;
    if (alignment <= default_new_alignment)
        return strata_malloc(size);
    return strata_aligned_alloc(alignment, size);
}

// The standard loop: ask the crt; on failure run the new handler and ask
// again, while there is a handler. Null when the crt failed with no handler
// installed, or at once for a bad alignment, which no handler can fix.
// std::bad_alloc thrown by a handler passes through.
void *allocate_with_handler(std::size_t size, std::size_t alignment)
{
    if (!is_valid_alignment(alignment))
        return nullptr;
    for (;;) {
        if (void *block = request_block(size, alignment))
            return block;
        std::new_handler handler = current_new_handler();
        if (handler == nullptr)
            return nullptr;
        handler();
    }
}

void *allocate_or_throw(std::size_t size, std::size_t alignment)
{
    void *block = allocate_with_handler(size, alignment);
    if (block == nullptr)
        throw std::bad_alloc();
    return block;
}

// The nothrow forms behave as the throwing ones with null for std::bad_alloc,
// including one a handler throws.
void *allocate_or_null(std::size_t size, std::size_t alignment) noexcept
{
    try {
        return allocate_with_handler(size, alignment);
    } catch (const std::bad_alloc &) {
        return nullptr;
    }
}

// Aligned blocks too: strata_free frees every strata_aligned_alloc block.
void release_block(void *block) noexcept
{
    if (block != nullptr)
        strata_free(block);
}

// The crt's new handler (new mode 1): a failed malloc runs the C++ new
// handler and is retried if there was one, as MSVC's _callnewh does.
// noexcept and the catch keep exceptions from unwinding through the crt's C
// frames: std::bad_alloc means "give up", anything else ends the process.
int run_cxx_new_handler_for_crt(std::size_t) noexcept
{
    std::new_handler handler = current_new_handler();
    if (handler == nullptr)
        return 0;
    try {
        handler();
    } catch (const std::bad_alloc &) {
        return 0;
    }
    return 1;
}

// Installed before main, so that new mode 1 works from the first malloc a
// program makes (static objects of other files may come first).
struct crt_new_handler_installer {
    crt_new_handler_installer() noexcept { strata_crt_set_new_handler(run_cxx_new_handler_for_crt); }
};

const crt_new_handler_installer install_crt_new_handler_at_start_up;

std::size_t alignment_of(std::align_val_t alignment)
{
    return static_cast<std::size_t>(alignment);
}

// For the C functions: std::bad_alloc becomes null; noexcept ends the process
// on any other exception rather than unwinding into C frames.
template <typename Allocation>
void *null_for_bad_alloc(Allocation allocation) noexcept
{
    try {
        return allocation();
    } catch (const std::bad_alloc &) {
        return nullptr;
    }
}

} // namespace

/*
 * The replacements. STRATA_API exports them from libstrata.so despite
 * -fvisibility=hidden, so that under LD_PRELOAD they replace the C++
 * runtime's for the whole program.
 */

STRATA_API void *operator new(std::size_t size)
{
    return allocate_or_throw(size, default_new_alignment);
}

STRATA_API void *operator new[](std::size_t size)
{
    return allocate_or_throw(size, default_new_alignment);
}

STRATA_API void *operator new(std::size_t size, const std::nothrow_t &) noexcept
{
    return allocate_or_null(size, default_new_alignment);
}

STRATA_API void *operator new[](std::size_t size, const std::nothrow_t &) noexcept
{
    return allocate_or_null(size, default_new_alignment);
}

STRATA_API void *operator new(std::size_t size, std::align_val_t alignment)
{
    return allocate_or_throw(size, alignment_of(alignment));
}

STRATA_API void *operator new[](std::size_t size, std::align_val_t alignment)
{
    return allocate_or_throw(size, alignment_of(alignment));
}

STRATA_API void *operator new(std::size_t size, std::align_val_t alignment,
                              const std::nothrow_t &) noexcept
{
    return allocate_or_null(size, alignment_of(alignment));
}

STRATA_API void *operator new[](std::size_t size, std::align_val_t alignment,
                                const std::nothrow_t &) noexcept
{
    return allocate_or_null(size, alignment_of(alignment));
}

STRATA_API void operator delete(void *block) noexcept
{
    release_block(block);
}

STRATA_API void operator delete[](void *block) noexcept
{
    release_block(block);
}

STRATA_API void operator delete(void *block, const std::nothrow_t &) noexcept
{
    release_block(block);
}

STRATA_API void operator delete[](void *block, const std::nothrow_t &) noexcept
{
    release_block(block);
}

STRATA_API void operator delete(void *block, std::size_t) noexcept
{
    release_block(block);
}

STRATA_API void operator delete[](void *block, std::size_t) noexcept
{
    release_block(block);
}

STRATA_API void operator delete(void *block, std::align_val_t) noexcept
{
    release_block(block);
}

STRATA_API void operator delete[](void *block, std::align_val_t) noexcept
{
    release_block(block);
}

STRATA_API void operator delete(void *block, std::size_t, std::align_val_t) noexcept
{
    release_block(block);
}

STRATA_API void operator delete[](void *block, std::size_t, std::align_val_t) noexcept
{
    release_block(block);
}

STRATA_API void operator delete(void *block, std::align_val_t, const std::nothrow_t &) noexcept
{
    release_block(block);
}

STRATA_API void operator delete[](void *block, std::align_val_t, const std::nothrow_t &) noexcept
{
    release_block(block);
}

/*
 * strata/cxx.h. The C functions go through the operators, so that a block
 * they give is one the matching delete (and C++'s delete) frees.
 */

void *strata_new(size_t size)
{
    if (!cxx_runtime_present())
        return allocate_with_handler(size, default_new_alignment);
    return null_for_bad_alloc([size] { return ::operator new(size); });
}

void *strata_new_nothrow(size_t size)
{
    if (!cxx_runtime_present())
        return allocate_with_handler(size, default_new_alignment);
    const std::nothrow_t no_throw{};
    return ::operator new(size, no_throw);
}

void *strata_new_aligned(size_t size, size_t alignment)
{
    if (!cxx_runtime_present()) {
        bool small = is_valid_alignment(alignment) && alignment < default_new_alignment;
        return allocate_with_handler(size, small ? default_new_alignment : alignment);
    }
    return null_for_bad_alloc([=] { return ::operator new(size, std::align_val_t(alignment)); });
}

void strata_delete(void *block)
{
    ::operator delete(block);
}

void strata_delete_aligned(void *block, size_t alignment)
{
    ::operator delete(block, std::align_val_t(alignment));
}

strata_new_handler strata_set_new_handler(strata_new_handler handler)
{
    if (!cxx_runtime_present())
        return __atomic_exchange_n(&handler_without_runtime, handler, __ATOMIC_ACQ_REL);
    return std::set_new_handler(handler);
}
