/* SPDX-License-Identifier: MIT */
/*
 * heap/back.c — the back end: segments reserved from the VMM and committed
 * on demand, blocks with boundary tags, best-bin first-fit free lists,
 * coalescing on free, and decommit of free memory at a segment's top after a
 * delay (and on compact). All of it runs under the heap lock.
 *
 * A back-end block at data address d:
 *   d-16  size word: block bytes (header included, multiple of 16) | PREV_FREE,
 *         encoded with heap->size_secret and d
 *   d-8   the common block header (tag, requested size), see internal.h
 *   d     data; a free block holds its bin links at d and d+8 and a footer
 *         (its size, encoded) in its last 8 bytes.
 * Blocks tile [area_start, committed_end) of their segment without gaps.
 */
#include "internal.h"

#define SIZE_PREV_FREE 1u
#define SIZE_CLEAN 2u /* a free block whose inner pages were reset (purged) */
#define PURGE_MIN ((size_t)64 << 10) /* free blocks this large have their inner pages purged… */
#define SIDE_ALIGN ((size_t)4096) /* large side tables start on a page, to be committed on their own */
#define SIDE_LAZY_MIN ((size_t)64 << 10)
/* A segment's top and its side tables are committed this much at a time at
 * least: each commit is a system call, made under the heap lock, that the
 * other threads wait out (at 64 KiB, one per page made). */
#define COMMIT_STEP ((size_t)256 << 10)
#define SIDE_COMMIT_STEP ((size_t)64 << 10)
#define PURGE_MARK ((size_t)1 << 20)      /* a top free block this large is purged… */
#define PURGE_KEEP ((size_t)64 << 10)     /* …down to this much… */
/* …once it has stayed free the purge delay (strata_heap_set_purge_delay,
 * STRATA_PURGE_DELAY in milliseconds: 0 at once, -1 never). */
static int64_t purge_delay_ns(void)
{
    int32_t milliseconds = strata_heap_purge_delay();
    return milliseconds < 0 ? -1 : (int64_t)milliseconds * 1000000;
}

/* ---- Encoded words -------------------------------------------------------- */
/* A block's two words: the size word (raw: bytes | flags), encoded with
 * size_secret and the address, and the header, whose mac covers the size
 * word. Every read checks both and ends the process on a mismatch, so a
 * size is never trusted for coalescing, splitting or realloc unchecked. */
typedef struct back_words {
    uint64_t size_word;
    unsigned tag;
    uint32_t value; /* requested size (busy blocks), page index + 1 (pages) */
} back_words;

static bool words_peek(const strata_heap *heap, const char *data, back_words *words)
{
    uint64_t size_word = peek_word(data - 16) ^ heap->size_secret ^ (uint64_t)(uintptr_t)data;
    uint64_t raw = hdr_peek(heap, data);
    words->size_word = size_word;
    words->tag = hdr_tag(raw);
    words->value = hdr_value(raw);
    return (words->tag == TAG_BACK_BUSY || words->tag == TAG_BACK_FREE || words->tag == TAG_INTERNAL) &&
           hdr_is(heap, data, raw, words->tag, size_word);
}
static back_words words_read(const strata_heap *heap, const char *data)
{
    back_words words;
    if (UNLIKELY(!words_peek(heap, data, &words)))
        heap_corruption(heap, data, "block header corrupted");
    return words;
}
static void words_write(const strata_heap *heap, char *data, uint64_t size_word, unsigned tag, uint32_t value)
{
    VG_OPEN(data - 16, 16);
    ((uint64_t *)(void *)data)[-2] = size_word ^ heap->size_secret ^ (uint64_t)(uintptr_t)data;
    hdr_write(heap, data, tag, value, size_word);
}
/* The words of a block absorbed by a neighbour: cleared, so that a stale
 * pointer to it is never taken for a block again. */
static void words_clear(char *data)
{
    VG_OPEN(data - 16, 16);
    memset(data - 16, 0, 16);
}
static inline uint64_t size_read(const strata_heap *heap, const char *data)
{
    return words_read(heap, data).size_word;
}
static inline size_t bytes_of(const strata_heap *heap, const char *data)
{
    return (size_t)(size_read(heap, data) & ~(uint64_t)15);
}
static inline bool is_free_block(const strata_heap *heap, const char *data)
{
    return words_read(heap, data).tag == TAG_BACK_FREE;
}
/* A new size word for `data`, its tag and value kept. */
static void size_write(const strata_heap *heap, char *data, uint64_t size_word)
{
    back_words words = words_read(heap, data);
    words_write(heap, data, size_word, words.tag, words.value);
}
static inline size_t footer_read(const strata_heap *heap, const char *footer)
{
    VG_OPEN(footer, 8);
    uint64_t value = *(const uint64_t *)(const void *)footer ^ heap->size_secret ^ (uint64_t)(uintptr_t)footer;
    VG_CLOSE(footer, 8);
    return (size_t)value;
}
static inline void footer_write(const strata_heap *heap, char *footer, size_t bytes)
{
    VG_OPEN(footer, 8);
    *(uint64_t *)(void *)footer = (uint64_t)bytes ^ heap->size_secret ^ (uint64_t)(uintptr_t)footer;
    VG_CLOSE(footer, 8);
}

static inline segment *segment_of(const strata_heap *heap, const void *data)
{
    return (segment *)((uintptr_t)data & heap->segment_mask);
}
static inline char *committed_end(segment *seg)
{
    return (char *)seg + seg->committed_end;
}
/* The block after d, or NULL when d is the last committed one. */
static inline char *next_of(const strata_heap *heap, segment *seg, char *data)
{
    char *next = data + bytes_of(heap, data);
    return next - 16 < committed_end(seg) ? next : NULL;
}

/* ---- The segment table ------------------------------------------------------ */
#define TABLE_TOMBSTONE ((uintptr_t)1)

static inline uint32_t table_hash(uintptr_t base)
{
    return (uint32_t)(((uint64_t)base >> 16) * 0x9E3779B97F4A7C15ull >> 32);
}

static void table_insert(strata_heap *heap, uintptr_t base)
{
    uint32_t i = table_hash(base) & heap->segment_table_mask;
    while (__atomic_load_n(&heap->segment_table[i], __ATOMIC_RELAXED) > TABLE_TOMBSTONE)
        i = (i + 1) & heap->segment_table_mask;
    __atomic_store_n(&heap->segment_table[i], base, __ATOMIC_RELEASE);
}

static void table_remove(strata_heap *heap, uintptr_t base)
{
    uint32_t i = table_hash(base) & heap->segment_table_mask;
    for (uintptr_t entry; (entry = heap->segment_table[i]) != 0; i = (i + 1) & heap->segment_table_mask) {
        if (entry == base) {
            __atomic_store_n(&heap->segment_table[i], TABLE_TOMBSTONE, __ATOMIC_RELEASE);
            return;
        }
    }
}

segment *back_segment_of(const strata_heap *heap, const void *address)
{
    uintptr_t base = (uintptr_t)address & heap->segment_mask;
    if (base == (uintptr_t)heap)
        return (uintptr_t)address - base < heap->first.size ? (segment *)(void *)heap : NULL;
    uint32_t i = table_hash(base) & heap->segment_table_mask;
    for (uint32_t probes = 0; probes <= heap->segment_table_mask; probes++) {
        uintptr_t entry = __atomic_load_n(&heap->segment_table[i], __ATOMIC_ACQUIRE);
        if (entry == 0)
            return NULL;
        if (entry == base) {
            segment *seg = (segment *)base;
            /* A fixed heap's reservation may be smaller than its alignment. */
            return (uintptr_t)address - base < seg->size ? seg : NULL;
        }
        i = (i + 1) & heap->segment_table_mask;
    }
    return NULL;
}

/* ---- Bins ---------------------------------------------------------------------- */
static unsigned bin_of(size_t bytes)
{
    unsigned e = 63u - (unsigned)__builtin_clzll((unsigned long long)bytes);
    unsigned index = (e - 5) * 2 + (unsigned)((bytes >> (e - 1)) & 1);
    return index < BIN_COUNT ? index : BIN_COUNT - 1;
}

static void bin_insert(strata_heap *heap, char *data, size_t bytes)
{
    unsigned index = bin_of(bytes);
    char *next = heap->bins[index];
    link_write(heap, data, next);
    link_write(heap, data + 8, NULL);
    if (next != NULL)
        link_write(heap, next + 8, data);
    heap->bins[index] = data;
    heap->bin_map[index / 64] |= (uint64_t)1 << (index % 64);
}

/* A bin link may be followed only to an aligned address in one of this
 * heap's segments: a damaged link is reported, never read through. */
static bool is_heap_link(const strata_heap *heap, const char *link)
{
    return ((uintptr_t)link & 15) == 0 && back_segment_of(heap, link) != NULL;
}

static void check_bin_link(const strata_heap *heap, const char *data)
{
    if (!is_heap_link(heap, data))
        heap_corruption(heap, data, "free-list link corrupted");
}

static void bin_remove(strata_heap *heap, char *data, size_t bytes)
{
    unsigned index = bin_of(bytes);
    char *next = link_read(heap, data);
    char *prev = link_read(heap, data + 8);
    /* Safe unlinking: both neighbours must be free blocks of this heap that
     * point back at this block. */
    if ((next != NULL && !is_heap_link(heap, next)) || (prev != NULL && !is_heap_link(heap, prev)))
        heap_corruption(heap, data, "free-list link corrupted");
    if ((next != NULL && link_read(heap, next + 8) != data) ||
        (prev != NULL && link_read(heap, prev) != data) || (prev == NULL && heap->bins[index] != data))
        heap_corruption(heap, data, "free-list link corrupted");
    if (prev != NULL)
        link_write(heap, prev, next);
    else
        heap->bins[index] = next;
    if (next != NULL)
        link_write(heap, next + 8, prev);
    if (heap->bins[index] == NULL)
        heap->bin_map[index / 64] &= ~((uint64_t)1 << (index % 64));
}

/* A bin holds sizes up to about 1.4 times apart: its first few blocks are
 * tried, then the next non-empty bin, whose every block fits. (Scanning a
 * whole bin of blocks just too small made a medium-size churn spend a third
 * of its time here.) */
#define BIN_SCAN_LIMIT 8

static char *bins_find(strata_heap *heap, size_t need)
{
    unsigned index = bin_of(need);
    unsigned scanned = 0;
    for (char *data = heap->bins[index]; data != NULL && scanned < BIN_SCAN_LIMIT;
         data = link_read(heap, data), scanned++) {
        check_bin_link(heap, data);
        if (bytes_of(heap, data) >= need)
            return data;
    }
    for (unsigned word = (index + 1) / 64; word < (BIN_COUNT + 63) / 64; word++) {
        uint64_t bits = heap->bin_map[word];
        if (word == (index + 1) / 64)
            bits &= ~(uint64_t)0 << ((index + 1) % 64);
        if (bits != 0)
            return heap->bins[word * 64 + (unsigned)__builtin_ctzll(bits)];
    }
    return NULL;
}

/* A free block of the highest non-empty bin, if it holds `need`. */
static char *bins_find_largest(strata_heap *heap, size_t need)
{
    for (unsigned word = (BIN_COUNT + 63) / 64; word-- > 0;) {
        uint64_t bits = heap->bin_map[word];
        if (bits == 0)
            continue;
        char *data = heap->bins[word * 64 + 63 - (unsigned)__builtin_clzll(bits)];
        check_bin_link(heap, data);
        return bytes_of(heap, data) >= need ? data : NULL;
    }
    return NULL;
}

/* ---- Blocks ------------------------------------------------------------------------ */
static void set_prev_free(const strata_heap *heap, segment *seg, char *data, bool prev_free)
{
    char *next = next_of(heap, seg, data);
    if (next == NULL)
        return;
    back_words words = words_read(heap, next);
    uint64_t word = prev_free ? (words.size_word | SIZE_PREV_FREE) : (words.size_word & ~(uint64_t)SIZE_PREV_FREE);
    words_write(heap, next, word, words.tag, words.value);
}

/* Write a free block (its predecessor is busy: free blocks are coalesced).
 * The block at the top of the segment gets no footer: no block follows it to
 * read one, and writing it would touch a far page on every split of the top. */
static void make_free(strata_heap *heap, segment *seg, char *data, size_t bytes)
{
    words_write(heap, data, bytes, TAG_BACK_FREE, 0);
    if (data - 16 + bytes < committed_end(seg)) {
        footer_write(heap, data - 16 + bytes - 8, bytes);
        set_prev_free(heap, seg, data, true);
    }
}

/* Where a segment's metadata goes, after the segment (or heap) itself:
 * page descriptors, the unit map, the segment table (a growable heap's
 * first segment), the side tables; then the block area. */
typedef struct segment_layout {
    size_t unit_map, table, side, area;
} segment_layout;

static segment_layout layout_of(size_t units, unsigned pages, uint32_t side_slots, bool with_table)
{
    segment_layout layout;
    layout.unit_map = PAGES_OFFSET + (size_t)pages * sizeof(front_page);
    size_t end = layout.unit_map + units * sizeof(uint16_t);
    layout.table = align_up(end, 16);
    if (with_table)
        end = layout.table + (size_t)SEGMENT_TABLE_SLOTS * sizeof(uintptr_t);
    size_t side_bytes = (size_t)pages * side_slots * sizeof(uint32_t);
    layout.side = align_up(end, side_bytes >= SIDE_LAZY_MIN ? SIDE_ALIGN : 64);
    end = layout.side + side_bytes;
    layout.area = align_up(end, 16);
    return layout;
}

/* The offset of a segment's block area (see layout_of). */
size_t back_segment_metadata(size_t units, unsigned pages, uint32_t side_slots, bool with_table)
{
    return layout_of(units, pages, side_slots, with_table).area;
}

/* A new segment's first commit, [0, commit): all of it for a fixed heap;
 * for a growable heap all but the side tables, which are committed as
 * pages are made (front_page_new), since most segments hold few pages.
 * Returns the bytes committed, 0 when the VMM refuses. */
size_t back_segment_commit(const strata_vmm *vmm, char *base, size_t units, unsigned pages, uint32_t side_slots,
                           bool growable, bool with_table, size_t commit)
{
    segment_layout layout = layout_of(units, pages, side_slots, with_table);
    size_t side_end = align_up(layout.side + (size_t)pages * side_slots * sizeof(uint32_t), vmm->page_size);
    if (!growable || layout.side % vmm->page_size != 0 || side_end > layout.area)
        return vmm->commit(vmm->context, base, commit) == STRATA_OK ? commit : 0;
    if (vmm->commit(vmm->context, base, layout.side) != STRATA_OK)
        return 0;
    if (vmm->commit(vmm->context, base + side_end, commit - side_end) != STRATA_OK) {
        vmm->decommit(vmm->context, base, layout.side);
        return 0;
    }
    return commit - (side_end - layout.side);
}

/* Commit the side tables of seg's pages up to page `index`. */
bool back_side_commit(strata_heap *heap, segment *seg, unsigned index)
{
    size_t need = align_up((size_t)(index + 1) * heap->side_slots * sizeof(uint32_t), heap->vmm->page_size);
    if (need <= seg->side_committed)
        return true;
    if (need < seg->side_committed + SIDE_COMMIT_STEP)
        need = seg->side_committed + SIDE_COMMIT_STEP;
    if (need > seg->side_bytes)
        need = seg->side_bytes;
    char *start = (char *)seg->side + seg->side_committed;
    if (heap->vmm->commit(heap->vmm->context, start, need - seg->side_committed) != STRATA_OK)
        return false;
    heap_count_commit(heap, (ptrdiff_t)(need - seg->side_committed));
    seg->side_committed = need;
    return true;
}

strata_status back_segment_init(strata_heap *heap, segment *seg, size_t size, size_t metadata,
                                size_t initial_commit, unsigned pages)
{
    bool first = seg == &heap->first;
    bool with_table = first && (heap->flags & STRATA_HEAP_GROWABLE);
    segment_layout layout = layout_of(size >> heap->unit_shift, pages, heap->side_slots, with_table);
    seg->check = SEGMENT_MAGIC ^ heap->secret ^ (uint64_t)(uintptr_t)seg;
    seg->heap = heap;
    seg->next = NULL;
    seg->size = size;
    seg->area_start = metadata;
    __atomic_store_n(&seg->committed_end, initial_commit, __ATOMIC_RELAXED);
    seg->tail_free_since = 0;
    seg->pages = page_at(seg, 0);
    seg->page_capacity = pages;
    memset(seg->pages, 0, (size_t)pages * sizeof(front_page));
    for (unsigned i = 0; i < pages; i++)
        seg->pages[i].index = (uint16_t)i;
    seg->unit_pages = (uint16_t *)(void *)((char *)seg + layout.unit_map);
    memset(seg->unit_pages, 0, (size >> heap->unit_shift) * sizeof(uint16_t));
    seg->side = (uint32_t *)(void *)((char *)seg + layout.side);
    seg->side_bytes = align_up((size_t)pages * heap->side_slots * sizeof(uint32_t), heap->vmm->page_size);
    bool lazy = (heap->flags & STRATA_HEAP_GROWABLE) && layout.side % heap->vmm->page_size == 0 &&
                layout.side + seg->side_bytes <= layout.area;
    seg->side_committed = lazy ? 0 : seg->side_bytes;
    if (with_table)
        heap->segment_table = (uintptr_t *)(void *)((char *)seg + layout.table);
    char *data = (char *)seg + metadata + 16;
    make_free(heap, seg, data, initial_commit - metadata);
    bin_insert(heap, data, initial_commit - metadata);
    seg->tail = data;
    if (!first)
        table_insert(heap, (uintptr_t)seg);
    if (heap->flags & STRATA_HEAP_GROWABLE)
        heap_segment_map_set(seg, heap->map_id);
    seg->index = heap->segment_count++;
    if (heap->last_segment != NULL)
        heap->last_segment->next = seg;
    heap->last_segment = seg;
    return STRATA_OK;
}

/* Commit at least `extra` more bytes at the top of the segment; the tail
 * becomes (or grows into) a free block holding them. */
static bool extend_segment(strata_heap *heap, segment *seg, size_t extra)
{
    size_t page = heap->vmm->page_size;
    size_t room = seg->size - seg->committed_end;
    size_t grow = align_up(extra > COMMIT_STEP ? extra : COMMIT_STEP, page);
    if (grow > room)
        grow = room;
    if (grow < extra || grow == 0)
        return false;
    if (heap->vmm->commit(heap->vmm->context, committed_end(seg), grow) != STRATA_OK)
        return false;
    heap_count_commit(heap, (ptrdiff_t)grow);
    char *tail = seg->tail;
    if (is_free_block(heap, tail)) {
        size_t bytes = bytes_of(heap, tail);
        bin_remove(heap, tail, bytes);
        __atomic_store_n(&seg->committed_end, seg->committed_end + grow, __ATOMIC_RELEASE);
        make_free(heap, seg, tail, bytes + grow);
        bin_insert(heap, tail, bytes + grow);
    } else {
        char *data = committed_end(seg) + 16;
        __atomic_store_n(&seg->committed_end, seg->committed_end + grow, __ATOMIC_RELEASE);
        make_free(heap, seg, data, grow);
        bin_insert(heap, data, grow);
        seg->tail = data;
    }
    return true;
}

/* Where a block realloc is growing gets room to grow after it: a
 * segment's free top with at least four times its size reserved above it
 * (committed up to `need` now), which grows as far as the segment does;
 * else the largest free block that holds it; NULL if none does. */
#define GROWTH_ROOM 4

static char *find_room_to_grow(strata_heap *heap, size_t need)
{
    for (segment *seg = &heap->first; seg != NULL; seg = seg->next) {
        size_t tail_free = is_free_block(heap, seg->tail) ? bytes_of(heap, seg->tail) : 0;
        if ((tail_free + (seg->size - seg->committed_end)) / GROWTH_ROOM < need)
            continue;
        if (tail_free >= need || extend_segment(heap, seg, need - tail_free))
            return seg->tail;
    }
    return bins_find_largest(heap, need);
}

static char *back_grow(strata_heap *heap, size_t need)
{
    for (segment *seg = &heap->first; seg != NULL; seg = seg->next) {
        size_t tail_free = is_free_block(heap, seg->tail) ? bytes_of(heap, seg->tail) : 0;
        if (seg->committed_end < seg->size && tail_free + (seg->size - seg->committed_end) >= need &&
            extend_segment(heap, seg, need - tail_free))
            return seg->tail;
    }
    if (!(heap->flags & STRATA_HEAP_GROWABLE) || heap->segment_count >= SEGMENT_TABLE_SLOTS / 2)
        return NULL;
    const strata_vmm *vmm = heap->vmm;
    size_t size = heap->segment_size;
    unsigned pages = (unsigned)(size / heap->page_unit);
    size_t metadata = back_segment_metadata(size >> heap->unit_shift, pages, heap->side_slots, false);
    size_t commit = align_up(metadata + need + COMMIT_STEP, vmm->page_size);
    if (commit > size)
        commit = size;
    if (metadata + need > commit)
        return NULL;
    void *base = NULL;
    if (vmm->reserve(vmm->context, size, size, &base) != STRATA_OK)
        return NULL;
    if (((uintptr_t)base & (size - 1)) != 0) { /* a vmm that ignores the alignment asked for */
        vmm->release(vmm->context, base, size);
        return NULL;
    }
    size_t counted = back_segment_commit(vmm, base, size >> heap->unit_shift, pages, heap->side_slots, true, false,
                                         commit);
    if (counted == 0) {
        vmm->release(vmm->context, base, size);
        return NULL;
    }
    heap->reserved_bytes += size;
    heap_count_commit(heap, (ptrdiff_t)counted);
    segment *seg = base;
    back_segment_init(heap, seg, size, metadata, commit, pages);
    return seg->tail;
}

/* The side tables of pages retired since the last purge: a burst of small
 * blocks uses every page descriptor of its segments, and their tables (a
 * few KiB each) would otherwise stay resident after the pages went back. */
static void purge_side_tables(strata_heap *heap)
{
    size_t page = heap->vmm->page_size;
    size_t table_bytes = (size_t)heap->side_slots * sizeof(uint32_t);
    for (segment *seg = &heap->first; seg != NULL; seg = seg->next) {
        for (uint32_t i = 0; i < seg->page_capacity; i++) {
            front_page *descriptor = &seg->pages[i];
            if (descriptor->in_use || !descriptor->side_dirty)
                continue;
            descriptor->side_dirty = false;
            uintptr_t table = (uintptr_t)(seg->side + (size_t)i * heap->side_slots);
            uintptr_t start = align_up(table, page), end = (table + table_bytes) & ~(uintptr_t)(page - 1);
            if (end > start && end <= (uintptr_t)seg->side + seg->side_committed)
                heap->vmm->reset(heap->vmm->context, (void *)start, end - start);
        }
    }
}

/* Give the OS back the inner pages of every free block of PURGE_MIN or
 * more not purged since it was made; they read as zero when next touched.
 * Heap lock held. */
static size_t back_purge(strata_heap *heap)
{
    if (heap->vmm->reset != NULL)
        purge_side_tables(heap);
    size_t page = heap->vmm->page_size, purged = 0;
    for (unsigned index = bin_of(PURGE_MIN); index < BIN_COUNT; index++) {
        for (char *data = heap->bins[index]; data != NULL; data = link_read(heap, data)) {
            back_words words = words_read(heap, data);
            size_t bytes = (size_t)(words.size_word & ~(uint64_t)15);
            if ((words.size_word & SIZE_CLEAN) || bytes < PURGE_MIN)
                continue;
            /* Not the links at the start, nor the footer at the end. */
            uintptr_t start = align_up((uintptr_t)data + 16, page);
            uintptr_t end = ((uintptr_t)data - 16 + bytes - 8) & ~(uintptr_t)(page - 1);
            /* Reset (MEM_RESET): the pages stay committed, as the back end
             * expects of a free block, and nothing can fail half-way. */
            if (end > start && heap->vmm->reset != NULL) {
                VG_OPEN((void *)start, end - start); /* freed blocks' memory: a fake vmm may write it */
                heap->vmm->reset(heap->vmm->context, (void *)start, end - start);
                purged += end - start;
            }
            words_write(heap, data, words.size_word | SIZE_CLEAN, words.tag, words.value);
        }
    }
    return purged;
}

/* Purge once the delay has passed since the first free that left memory
 * unpurged — driven by the heap's own activity, no thread — or at once when
 * that much is pending (a burst, freed: waiting would only keep its memory,
 * since nothing may come to start the purge).
 * Pending counts the bytes blocks held when freed (not the free ranges they
 * merged into), less what allocations took back out of unpurged ranges: a
 * page freed and made again, as threads that come and go do, is not memory
 * waiting to go back. (Counting merged ranges, each free next to a large
 * free range counted all of it again: a thread's exit purged at once.) */
#define PURGE_NOW_BYTES ((size_t)32 << 20)

static size_t back_purge_when_due(strata_heap *heap, size_t dirty_bytes)
{
    int64_t delay = purge_delay_ns();
    if (delay < 0)
        return 0;
    if (dirty_bytes != 0) {
        heap->purge_pending_bytes += dirty_bytes;
        if (heap->purge_since == 0)
            heap->purge_since = strata_clock_monotonic_ns();
    }
    if (heap->purge_since == 0)
        return 0;
    if (delay != 0 && heap->purge_pending_bytes < PURGE_NOW_BYTES &&
        strata_clock_monotonic_ns() - heap->purge_since < (uint64_t)delay)
        return 0;
    size_t purged = back_purge(heap);
    heap->purge_since = 0;
    heap->purge_pending_bytes = 0;
    return purged;
}

/* An allocation took `bytes` of the free block at `data` back into use:
 * if that block was unpurged, they no longer wait to be purged. */
static void purge_note_reuse(strata_heap *heap, const char *data, size_t bytes)
{
    if (size_read(heap, data) & SIZE_CLEAN)
        return;
    heap->purge_pending_bytes -= bytes < heap->purge_pending_bytes ? bytes : heap->purge_pending_bytes;
}

void *back_alloc(strata_heap *heap, size_t size, unsigned tag, size_t requested, bool room_to_grow)
{
    if (size > heap->segment_size)
        return NULL;
    back_purge_when_due(heap, 0);
    size_t need = align_up(size, 16) + 16;
    if (need < MIN_BACK_BLOCK)
        need = MIN_BACK_BLOCK;
    char *data = room_to_grow ? find_room_to_grow(heap, need) : NULL;
    if (data == NULL)
        data = bins_find(heap, need);
    if (data != NULL)
        purge_note_reuse(heap, data, need);
    else
        data = back_grow(heap, need);
    if (data == NULL)
        return NULL;
    segment *seg = segment_of(heap, data);
    size_t bytes = bytes_of(heap, data);
    size_t rest_bytes = bytes - need;
    if (rest_bytes >= MIN_BACK_BLOCK && seg->tail != data && !room_to_grow) {
        /* Carve from the end of a free block inside the segment: the rest
         * keeps its header, and mostly its bin, so no far footer and no
         * unlinking; its new footer sits right before the new block. (The top
         * block is carved from its start, so that it stays at the top, and
         * so is a block realloc grows: the rest lies after it, to grow into.) */
        char *block = data + rest_bytes;
        if (bin_of(rest_bytes) != bin_of(bytes)) {
            bin_remove(heap, data, bytes);
            size_write(heap, data, rest_bytes);
            bin_insert(heap, data, rest_bytes);
        } else {
            size_write(heap, data, rest_bytes);
        }
        footer_write(heap, block - 16 - 8, rest_bytes);
        VG_OPEN(block - 16, need);
        words_write(heap, block, need | SIZE_PREV_FREE, tag, (uint32_t)requested);
        set_prev_free(heap, seg, block, false);
        return block;
    }
    bin_remove(heap, data, bytes);
    VG_OPEN(data - 16, need);
    if (bytes - need >= MIN_BACK_BLOCK) {
        char *rest = data + need;
        words_write(heap, data, need, tag, (uint32_t)requested);
        make_free(heap, seg, rest, bytes - need);
        bin_insert(heap, rest, bytes - need);
        if (seg->tail == data)
            seg->tail = rest;
    } else {
        words_write(heap, data, bytes, tag, (uint32_t)requested);
        set_prev_free(heap, seg, data, false);
    }
    segment *tail_seg = seg;
    if (tail_seg->tail_free_since != 0 && !is_free_block(heap, tail_seg->tail))
        tail_seg->tail_free_since = 0;
    return data;
}

/* How far past `data` the first unit boundary a page may start at lies:
 * 0, or far enough for the bytes before it to form a block of their own. */
static size_t page_pad(const char *data, size_t unit)
{
    size_t pad = (size_t)(align_up((uintptr_t)data, unit) - (uintptr_t)data);
    return pad != 0 && pad < MIN_BACK_BLOCK ? pad + unit : pad;
}

/* A free block that holds `bytes` from a unit boundary: the bins from the
 * size up, a few blocks of each (a page needs no more than its own bytes in
 * an aligned hole, such as a retired page leaves). */
static char *bins_find_page(strata_heap *heap, size_t bytes, size_t unit)
{
    for (unsigned index = bin_of(bytes); index < BIN_COUNT; index++) {
        unsigned scanned = 0;
        for (char *data = heap->bins[index]; data != NULL && scanned < BIN_SCAN_LIMIT;
             data = link_read(heap, data), scanned++) {
            check_bin_link(heap, data);
            if (bytes_of(heap, data) >= page_pad(data, unit) + bytes)
                return data;
        }
    }
    return NULL;
}

static void free_range(strata_heap *heap, char *data, size_t dirty_bytes);
static bool resize_in_place(strata_heap *heap, char *data, size_t size, bool rest_dirty);

/* A block for a front page of `bytes` (whole page units): its data starts
 * on a unit boundary and the block ends on one, so every unit it covers is
 * the page's alone and a slot's page follows from the slot's address. */
char *back_alloc_page(strata_heap *heap, size_t bytes)
{
    size_t unit = heap->page_unit;
    char *data = bins_find_page(heap, bytes, unit);
    if (data != NULL)
        purge_note_reuse(heap, data, bytes);
    if (data == NULL) {
        data = back_grow(heap, bytes + unit + MIN_BACK_BLOCK);
        if (data == NULL || bytes_of(heap, data) < page_pad(data, unit) + bytes)
            return NULL;
    }
    /* The whole free block, busy, then trimmed at both ends. */
    segment *seg = segment_of(heap, data);
    size_t whole = bytes_of(heap, data);
    bin_remove(heap, data, whole);
    VG_OPEN(data - 16, whole);
    words_write(heap, data, whole, TAG_INTERNAL, 0); /* a free block's predecessor is busy */
    set_prev_free(heap, seg, data, false);
    if (seg->tail == data)
        seg->tail_free_since = 0;
    char *aligned = data + page_pad(data, unit);
    if (aligned != data) { /* what lies before the boundary goes back as a block of its own */
        size_t before = (size_t)(aligned - data);
        words_write(heap, aligned, whole - before, TAG_INTERNAL, 0);
        words_write(heap, data, before, TAG_BACK_BUSY, 0);
        if (seg->tail == data)
            seg->tail = aligned;
        free_range(heap, data, 0); /* free before, free again: nothing new to purge */
    }
    resize_in_place(heap, aligned, bytes - 16, false); /* a shrink: always in place */
    /* A remainder too small to be a block stays at the page's end. */
    HEAP_ASSERT(bytes_of(heap, aligned) - bytes < MIN_BACK_BLOCK && ((uintptr_t)aligned & (unit - 1)) == 0);
    return aligned;
}

/* Decommit the free top of a segment down to `keep` bytes of it. */
static size_t trim_segment(strata_heap *heap, segment *seg, size_t keep)
{
    char *tail = seg->tail;
    if (!is_free_block(heap, tail))
        return 0;
    size_t bytes = bytes_of(heap, tail);
    size_t start = (size_t)(tail - 16 - (char *)seg);
    size_t new_end = align_up(start + (keep > MIN_BACK_BLOCK ? keep : MIN_BACK_BLOCK), heap->vmm->page_size);
    if (new_end >= seg->committed_end)
        return 0;
    size_t released = seg->committed_end - new_end;
    VG_OPEN((char *)seg + new_end, released);
    if (heap->vmm->decommit(heap->vmm->context, (char *)seg + new_end, released) != STRATA_OK)
        return 0;
    heap_count_commit(heap, -(ptrdiff_t)released);
    bin_remove(heap, tail, bytes);
    __atomic_store_n(&seg->committed_end, new_end, __ATOMIC_RELEASE);
    make_free(heap, seg, tail, new_end - start);
    bin_insert(heap, tail, new_end - start);
    return released;
}

/* A free segment top over PURGE_MARK is decommitted down to PURGE_KEEP once
 * it has stayed free the purge delay. Returns the bytes decommitted. */
static size_t trim_tail_when_due(strata_heap *heap, segment *seg, uint64_t now)
{
    int64_t delay = purge_delay_ns();
    if (delay < 0)
        return 0;
    if (seg->tail_free_since == 0 && delay > 0) {
        seg->tail_free_since = now;
        return 0;
    }
    if (now - seg->tail_free_since < (uint64_t)delay)
        return 0;
    seg->tail_free_since = 0;
    return trim_segment(heap, seg, PURGE_KEEP);
}

/* Free the block at `data`, merged with free neighbours; `dirty_bytes` of
 * it were in use (written) since they were last free. */
static void free_range(strata_heap *heap, char *data, size_t dirty_bytes)
{
    segment *seg = segment_of(heap, data);
    uint64_t word = size_read(heap, data);
    size_t bytes = (size_t)(word & ~(uint64_t)15);
    bool is_tail = seg->tail == data;
    char *next = next_of(heap, seg, data);
    if (next != NULL && is_free_block(heap, next)) {
        size_t next_bytes = bytes_of(heap, next);
        bin_remove(heap, next, next_bytes);
        words_clear(next);
        bytes += next_bytes;
        is_tail = is_tail || seg->tail == next;
    }
    if (word & SIZE_PREV_FREE) {
        size_t prev_bytes = footer_read(heap, data - 24);
        size_t at = (size_t)(data - (char *)seg);
        /* The footer is checked against the segment before it becomes a pointer. */
        if (prev_bytes < MIN_BACK_BLOCK || (prev_bytes & 15) || prev_bytes > at - 16 - seg->area_start)
            heap_corruption(heap, data, "block header corrupted");
        char *prev = data - prev_bytes;
        if (!is_free_block(heap, prev) || bytes_of(heap, prev) != prev_bytes)
            heap_corruption(heap, data, "block header corrupted");
        bin_remove(heap, prev, prev_bytes);
        words_clear(data);
        bytes += prev_bytes;
        data = prev;
    }
    make_free(heap, seg, data, bytes);
    bin_insert(heap, data, bytes);
    if (is_tail)
        seg->tail = data;
    back_purge_when_due(heap, dirty_bytes);
    if (seg->tail == data && bytes > PURGE_MARK)
        trim_tail_when_due(heap, seg, strata_clock_monotonic_ns());
}

size_t back_purge_due(strata_heap *heap)
{
    size_t given = back_purge_when_due(heap, 0);
    uint64_t now = strata_clock_monotonic_ns();
    for (segment *seg = &heap->first; seg != NULL; seg = seg->next)
        if (seg->tail_free_since != 0 && is_free_block(heap, seg->tail) && bytes_of(heap, seg->tail) > PURGE_MARK)
            given += trim_tail_when_due(heap, seg, now);
    return given;
}

void back_free(strata_heap *heap, char *data)
{
    free_range(heap, data, bytes_of(heap, data));
}

/* `rest_dirty`: the bytes a shrink gives back were the block's (a page cut
 * from a larger free block gives back bytes it never held; nor does a
 * block that grew into a free neighbour give back what it did not take). */
static bool resize_in_place(strata_heap *heap, char *data, size_t size, bool rest_dirty)
{
    segment *seg = segment_of(heap, data);
    size_t need = align_up(size, 16) + 16;
    if (need < MIN_BACK_BLOCK)
        need = MIN_BACK_BLOCK;
    uint64_t word = size_read(heap, data);
    size_t bytes = (size_t)(word & ~(uint64_t)15);
    if (need > bytes) {
        rest_dirty = false;
        char *next = next_of(heap, seg, data);
        size_t next_free = next != NULL && is_free_block(heap, next) ? bytes_of(heap, next) : 0;
        if (bytes + next_free < need) {
            bool at_top = seg->tail == data || (next_free != 0 && seg->tail == next);
            if (!at_top || !extend_segment(heap, seg, need - bytes - next_free))
                return false;
            next = next_of(heap, seg, data);
            next_free = bytes_of(heap, next);
        }
        purge_note_reuse(heap, next, need - bytes);
        bin_remove(heap, next, next_free);
        words_clear(next);
        if (seg->tail == next)
            seg->tail = data;
        bytes += next_free;
        VG_OPEN(data, bytes - 16);
        size_write(heap, data, bytes | (word & SIZE_PREV_FREE));
        set_prev_free(heap, seg, data, false);
    }
    if (bytes - need >= MIN_BACK_BLOCK) {
        char *rest = data + need;
        size_write(heap, data, need | (word & SIZE_PREV_FREE));
        words_write(heap, rest, bytes - need, TAG_BACK_BUSY, 0);
        if (seg->tail == data)
            seg->tail = rest;
        free_range(heap, rest, rest_dirty ? bytes - need : 0);
    }
    return true;
}

bool back_resize_in_place(strata_heap *heap, char *data, size_t size)
{
    return resize_in_place(heap, data, size, true);
}

/* Memcheck only: make the next block's size and header words addressable
 * again after a shrink of `data` closed the old tail they lie in. */
void back_open_next_header(strata_heap *heap, char *data)
{
    char *next = next_of(heap, segment_of(heap, data), data);
    if (next != NULL)
        VG_OPEN(next - 16, 16);
}

size_t back_usable(const strata_heap *heap, const char *data)
{
    return bytes_of(heap, data) - 16;
}

size_t back_block_bytes(const strata_heap *heap, const char *data)
{
    return bytes_of(heap, data);
}

/* Whether `data` is a well-formed back-end block of `seg` (size word in
 * range, header a back-end tag); *is_free tells a free one. */
bool back_block_check(const strata_heap *heap, const segment *seg, const char *data, bool *is_free)
{
    size_t offset = (size_t)(data - (const char *)seg);
    if (offset < seg->area_start + 16 || offset >= seg->committed_end || (offset & 15))
        return false;
    back_words words;
    if (!words_peek(heap, data, &words))
        return false;
    size_t bytes = (size_t)(words.size_word & ~(uint64_t)15);
    if (bytes < MIN_BACK_BLOCK || bytes > seg->committed_end - (offset - 16))
        return false;
    *is_free = words.tag == TAG_BACK_FREE;
    if (*is_free && offset - 16 + bytes != seg->committed_end) /* the top block keeps no footer (make_free) */
        return footer_read(heap, data - 16 + bytes - 8) == bytes;
    return true;
}

/* The tag and value of a block known to be one (dies if its words fail). */
unsigned back_block_tag(const strata_heap *heap, const char *data, uint32_t *value)
{
    back_words words = words_read(heap, data);
    if (value != NULL)
        *value = words.value;
    return words.tag;
}

/* A busy block's new value (requested size, or a page's index + 1). */
void back_set_value(strata_heap *heap, char *data, uint32_t value)
{
    back_words words = words_read(heap, data);
    words_write(heap, data, words.size_word, words.tag, value);
}

char *back_next_block(const strata_heap *heap, const segment *seg, const char *data)
{
    return next_of(heap, (segment *)(uintptr_t)seg, (char *)(uintptr_t)data);
}

bool back_prev_free_flag(const strata_heap *heap, const char *data);
bool back_prev_free_flag(const strata_heap *heap, const char *data)
{
    return (size_read(heap, data) & SIZE_PREV_FREE) != 0;
}

/* The bins: every entry a free block of this heap in the right bin, links
 * consistent both ways. Returns the number of blocks, or -1. */
long back_bins_validate(const strata_heap *heap);
long back_bins_validate(const strata_heap *heap)
{
    long count = 0;
    for (unsigned index = 0; index < BIN_COUNT; index++) {
        bool marked = (heap->bin_map[index / 64] >> (index % 64)) & 1;
        if (marked != (heap->bins[index] != NULL))
            return -1;
        char *prev = NULL;
        for (char *data = heap->bins[index]; data != NULL; data = link_read(heap, data)) {
            segment *seg = ((uintptr_t)data & 15) ? NULL : back_segment_of(heap, data);
            bool is_free = false;
            if (seg == NULL || !back_block_check(heap, seg, data, &is_free) || !is_free ||
                bin_of(bytes_of(heap, data)) != index || link_read(heap, data + 8) != prev)
                return -1;
            prev = data;
            if (++count > (long)(heap->reserved_bytes / MIN_BACK_BLOCK))
                return -1; /* a cycle */
        }
    }
    return count;
}

front_page *back_page_take(segment *seg)
{
    for (uint32_t i = 0; i < seg->page_capacity; i++) {
        if (!seg->pages[i].in_use) {
            front_page *page = &seg->pages[i];
            uint16_t index = page->index;
            /* A retired page may still sit on a part's remote stack: its link
             * and flag belong to that stack until its owner takes it off.
             * Its part stays named (a live part, never NULL) until the page
             * is made: its owner may read it late (front_free_local). */
            front_page *next_remote = page->next_remote;
            struct thread_part *part = page->part;
            uint8_t queued = atomic_load_explicit(&page->remote_queued, memory_order_acquire);
            memset(page, 0, sizeof *page);
            page->index = index;
            page->side_dirty = true; /* the page about to be made writes it */
            page->next_remote = next_remote;
            page->part = part;
            atomic_store_explicit(&page->remote_queued, queued, memory_order_relaxed);
            page->in_use = true;
            return page;
        }
    }
    return NULL;
}

/* Whether a retired page of the segment may still sit on a part's remote
 * stack (front.c): its owner will read the descriptor when it takes the
 * stack, so the segment must stay until then. */
static bool segment_on_remote_stack(const segment *seg)
{
    for (uint32_t i = 0; i < seg->page_capacity; i++)
        if (atomic_load_explicit(&seg->pages[i].remote_queued, memory_order_acquire))
            return true;
    return false;
}

/* Release segments (never the first) whose whole area is one free block,
 * and no page of which is still queued for its last owner. */
void back_release_segments(strata_heap *heap)
{
    segment *prev = &heap->first;
    segment *seg = heap->first.next;
    while (seg != NULL) {
        segment *next = seg->next;
        char *first_block = (char *)seg + seg->area_start + 16;
        if (seg->tail == first_block && is_free_block(heap, first_block) && !segment_on_remote_stack(seg)) {
            bin_remove(heap, first_block, bytes_of(heap, first_block));
            table_remove(heap, (uintptr_t)seg);
            heap_segment_map_set(seg, 0);
            prev->next = next;
            if (heap->last_segment == seg)
                heap->last_segment = prev;
            heap->segment_count--;
            heap->reserved_bytes -= seg->size;
            heap_count_commit(heap, -(ptrdiff_t)(seg->committed_end - seg->side_bytes + seg->side_committed));
            VG_OPEN(seg, seg->committed_end);
            heap->vmm->release(heap->vmm->context, seg, seg->size);
        } else {
            prev = seg;
        }
        seg = next;
    }
    /* Region indexes stay dense, as walks report them. */
    uint32_t index = 0;
    for (seg = &heap->first; seg != NULL; seg = seg->next)
        seg->index = index++;
}

size_t back_trim(strata_heap *heap, bool everything)
{
    if (everything) { /* compact: every free range now, whatever the delay */
        back_purge(heap);
        heap->purge_since = 0;
        heap->purge_pending_bytes = 0;
    }
    size_t released = 0;
    for (segment *seg = &heap->first; seg != NULL; seg = seg->next)
        released += trim_segment(heap, seg, everything ? 0 : PURGE_KEEP);
    back_release_segments(heap);
    return released;
}

size_t back_largest_free(const strata_heap *heap)
{
    for (unsigned index = BIN_COUNT; index-- > 0;) {
        size_t largest = 0;
        for (char *data = heap->bins[index]; data != NULL; data = link_read(heap, data))
            if (bytes_of(heap, data) > largest)
                largest = bytes_of(heap, data);
        if (largest != 0)
            return largest - 16;
    }
    return 0;
}
