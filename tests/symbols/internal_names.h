/* SPDX-License-Identifier: MIT */
/*
 * tests/symbols/internal_names.h — names strata's libraries once defined
 * as globals (taken from nm of libstrata.a before they were made local),
 * as an X-macro: NAME(identifier).
 */
#define STRATA_TEST_INTERNAL_NAMES(NAME)                                                         \
    NAME(aligned_outer) NAME(back_alloc) NAME(back_bins_validate) NAME(back_block_bytes)         \
    NAME(back_block_check) NAME(back_free) NAME(back_largest_free) NAME(back_next_block)         \
    NAME(back_open_next_header) NAME(back_page_take) NAME(back_prev_free_flag)                   \
    NAME(back_release_segments) NAME(back_resize_in_place) NAME(back_segment_init)               \
    NAME(back_segment_metadata) NAME(back_segment_of) NAME(back_trim) NAME(back_usable)          \
    NAME(class_of) NAME(class_stride) NAME(crt_aligned) NAME(crt_count)                          \
    NAME(crt_counted_allocation) NAME(crt_counting) NAME(crt_fast_heap) NAME(crt_heap_pointer)   \
    NAME(crt_heap_slow) NAME(crt_malloc_failed) NAME(crt_new_handler) NAME(crt_new_mode)         \
    NAME(crt_report_at_exit) NAME(crt_resize) NAME(crt_retry) NAME(front_collect)                \
    NAME(front_free_remote) NAME(front_page_of) NAME(front_part_release) NAME(front_part_trim)   \
    NAME(front_set_current) NAME(global_memory_fork_lock) NAME(global_memory_fork_unlock)        \
    NAME(heap_acquire) NAME(heap_adopt_exited_parts) NAME(heap_class_lookup_first)               \
    NAME(heap_corruption) NAME(heap_count_commit) NAME(heap_empty_page) NAME(heap_empty_state)   \
    NAME(heap_exit_key) NAME(heap_fail) NAME(heap_is_block_start) NAME(heap_page_bytes)          \
    NAME(heap_release) NAME(heap_small_class) NAME(heap_thread_marker) NAME(heap_tls_ready)      \
    NAME(heap_tls_state) NAME(heap_thread_part) NAME(heap_wait_user_lock) NAME(large_alloc)      \
    NAME(large_cache_release) NAME(large_containing) NAME(large_free) NAME(large_of)             \
    NAME(large_release_all) NAME(large_resize_in_place) NAME(large_validate)
