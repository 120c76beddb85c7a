/* SPDX-License-Identifier: MIT */
/*
 * heap/header.h — how the heap's in-band words are written and checked:
 * the header word of back-end, large and aligned blocks (tag, keyed mac,
 * value), and the back end's free-list links. Front-end slots have none.
 * Included by internal.h only, after layout.h.
 */
#ifndef STRATA_HEAP_HEADER_H
#define STRATA_HEAP_HEADER_H

/* ---- Block headers ------------------------------------------------------- */
/* Front-end slots have no header: their state lives in the page's side
 * table (front_page.slots). Every other block — back-end blocks, large
 * blocks, the heap's own blocks and an aligned block's inner pointer — has
 * an 8-byte header word right before its data:
 *   raw = tag (bits 0-7) | mac (8-31) | value (32-63)
 * stored as raw ^ heap->secret ^ data address. The mac is a keyed hash of
 * the tag, the value, the address and the block's other trusted word (a
 * back-end block's size word; 0 elsewhere), so flipping any bit of either
 * word is caught when the heap next trusts it. */
#define HDR_MAC_SHIFT 8
#define HDR_MAC_MASK 0xFFFFFFu
#define HDR_VALUE_SHIFT 32
enum {
    TAG_BACK_BUSY = 0xB2,
    TAG_BACK_FREE = 0xF2,
    TAG_LARGE_BUSY = 0xB3,
    TAG_INTERNAL = 0xB4, /* the heap's own blocks: pages (value: page index + 1), threads' parts */
    TAG_ALIGNED = 0xB5,  /* inside a block: an aligned pointer; value = offset / 16 */
};
#define HDR_VALUE_MAX 0xFFFFFFFFu

static inline unsigned hdr_tag(uint64_t raw) { return (unsigned)(raw & 0xFF); }
static inline uint32_t hdr_value(uint64_t raw) { return (uint32_t)(raw >> HDR_VALUE_SHIFT); }

/* A 64-bit mixer (two multiply-xorshift rounds): every input bit moves
 * about half of the output bits. */
static inline uint64_t hdr_mix(uint64_t x)
{
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 29;
    x *= 0x94D049BB133111EBull;
    return x ^ x >> 32;
}

/* ---- Encoding ------------------------------------------------------------ */
static inline uint64_t hdr_key(const strata_heap *heap, const void *data)
{
    return heap->secret ^ (uint64_t)(uintptr_t)data;
}
/* The mac of a header: keyed by both secrets and the address, over the tag,
 * the value and `extra` (the block's other trusted word). */
static inline uint32_t hdr_mac(const strata_heap *heap, const void *data, unsigned tag, uint32_t value,
                               uint64_t extra)
{
    uint64_t x = hdr_mix(extra ^ heap->size_secret) ^ hdr_key(heap, data) ^ ((uint64_t)value << 32 | tag);
    return (uint32_t)hdr_mix(x) & HDR_MAC_MASK;
}
static inline uint64_t hdr_make(const strata_heap *heap, const void *data, unsigned tag, uint32_t value,
                                uint64_t extra)
{
    return (uint64_t)value << HDR_VALUE_SHIFT | (uint64_t)hdr_mac(heap, data, tag, value, extra) << HDR_MAC_SHIFT |
           tag;
}
static inline uint64_t hdr_read(const strata_heap *heap, const void *data)
{
    return ((const uint64_t *)data)[-1] ^ hdr_key(heap, data);
}
/* hdr_read for a pointer not yet known to be a block (validate, size, the
 * checks before a fatal message). */
static inline uint64_t hdr_peek(const strata_heap *heap, const void *data)
{
    return peek_word((const uint64_t *)data - 1) ^ hdr_key(heap, data);
}
static inline void hdr_write(const strata_heap *heap, void *data, unsigned tag, uint32_t value, uint64_t extra)
{
    ((uint64_t *)data)[-1] = hdr_make(heap, data, tag, value, extra) ^ hdr_key(heap, data);
}
/* Whether `raw`, read at `data`, is an authentic header of `tag`. */
static inline bool hdr_is(const strata_heap *heap, const void *data, uint64_t raw, unsigned tag, uint64_t extra)
{
    return hdr_tag(raw) == tag && (uint32_t)(raw >> HDR_MAC_SHIFT & HDR_MAC_MASK) ==
                                      hdr_mac(heap, data, tag, hdr_value(raw), extra);
}

/* Free-list links sit in a free block's first word, encoded with the secret;
 * every link is range-checked before it is followed. */
static inline char *link_read(const strata_heap *heap, const char *data)
{
    VG_OPEN(data, 8);
    uint64_t value = *(const uint64_t *)data ^ heap->secret;
    VG_CLOSE(data, 8);
    return (char *)(uintptr_t)value;
}
static inline void link_write(const strata_heap *heap, char *data, const char *next)
{
    VG_OPEN(data, 8);
    *(uint64_t *)data = (uint64_t)(uintptr_t)next ^ heap->secret;
    VG_CLOSE(data, 8);
}

_Static_assert(HDR_VALUE_SHIFT == 32 && HDR_MAC_SHIFT == 8, "tag, mac and value share the header word");

#endif /* STRATA_HEAP_HEADER_H */
