/* SPDX-License-Identifier: MIT */
/*
 * tests/vmm/test_model.c — a seeded random walk over the region API checked
 * against a plain model: a few reservations with a state and protection per
 * page, kept by the test. After every step, every page's query answer must
 * match the model's, and committed pages must hold what was last written.
 */
#include <strata/vmm.h>

#include <string.h>

#include "../support/child.h"
#include "../support/cmocka_all.h"

#define PAGE ((size_t)4096)
#define SLOTS 6
#define MAX_PAGES 24

typedef struct model_page {
    bool committed;
    uint32_t protect;    /* valid when committed */
    unsigned char value; /* first byte, valid when committed and readable */
} model_page;

typedef struct model_region {
    unsigned char *base; /* NULL: slot unused */
    size_t pages;
    model_page page[MAX_PAGES];
} model_region;

static model_region regions[SLOTS];
static uint32_t random_state;

static uint32_t next_random(void)
{
    random_state ^= random_state << 13;
    random_state ^= random_state >> 17;
    random_state ^= random_state << 5;
    return random_state;
}

static uint32_t random_protect(void)
{
    static const uint32_t choices[] = {STRATA_PAGE_NOACCESS, STRATA_PAGE_READONLY, STRATA_PAGE_READWRITE,
                                       STRATA_PAGE_EXECUTE_READ, STRATA_PAGE_EXECUTE_READWRITE};
    return choices[next_random() % (sizeof choices / sizeof choices[0])];
}

static bool writable(uint32_t protect)
{
    return protect == STRATA_PAGE_READWRITE || protect == STRATA_PAGE_EXECUTE_READWRITE;
}

static bool readable(uint32_t protect)
{
    return protect != STRATA_PAGE_NOACCESS;
}

/* Picks a random page range [first, first+count) of a region. */
static void random_range(const model_region *region, size_t *first, size_t *count)
{
    *first = next_random() % region->pages;
    *count = 1 + next_random() % (region->pages - *first);
}

static void step_reserve(model_region *region)
{
    size_t pages = 1 + next_random() % MAX_PAGES;
    void *base = NULL;
    assert_status(strata_vmm_reserve(NULL, pages * PAGE, STRATA_PAGE_READWRITE, 0, &base), STRATA_OK);
    memset(region, 0, sizeof *region);
    region->base = base;
    region->pages = pages;
}

static void step_commit(model_region *region)
{
    size_t first, count;
    random_range(region, &first, &count);
    uint32_t protect = random_protect();
    void *got = NULL;
    assert_status(strata_vmm_commit(region->base + first * PAGE, count * PAGE, protect, 0, &got), STRATA_OK);
    assert_ptr_equal(got, region->base + first * PAGE);
    for (size_t i = first; i < first + count; i++) {
        if (!region->page[i].committed) {
            region->page[i].value = 0; /* new pages are zero */
        }
        region->page[i].committed = true;
        region->page[i].protect = protect;
    }
}

static void step_decommit(model_region *region)
{
    size_t first, count;
    random_range(region, &first, &count);
    assert_status(strata_vmm_decommit(region->base + first * PAGE, count * PAGE), STRATA_OK);
    for (size_t i = first; i < first + count; i++) {
        region->page[i].committed = false;
    }
}

static void step_protect(model_region *region)
{
    size_t first, count;
    random_range(region, &first, &count);
    uint32_t protect = random_protect();
    bool all_committed = true;
    for (size_t i = first; i < first + count; i++) {
        all_committed = all_committed && region->page[i].committed;
    }
    uint32_t old = 0xFFFF;
    strata_status status = strata_vmm_protect(region->base + first * PAGE, count * PAGE, protect, &old);
    if (!all_committed) {
        assert_status(status, STRATA_E_INVALID_ADDRESS);
        assert_int_equal(old, 0xFFFF);
        return;
    }
    assert_status(status, STRATA_OK);
    assert_int_equal(old, region->page[first].protect);
    for (size_t i = first; i < first + count; i++) {
        region->page[i].protect = protect;
    }
}

static void step_write(model_region *region)
{
    size_t index = next_random() % region->pages;
    model_page *page = &region->page[index];
    if (page->committed && writable(page->protect)) {
        page->value = (unsigned char)next_random();
        region->base[index * PAGE] = page->value;
    }
}

static void step_release(model_region *region)
{
    assert_status(strata_vmm_release(region->base), STRATA_OK);
    region->base = NULL;
}

/* Every page of every region answers as the model says. */
static void check_against_model(void)
{
    for (int s = 0; s < SLOTS; s++) {
        model_region *region = &regions[s];
        if (region->base == NULL) {
            continue;
        }
        for (size_t i = 0; i < region->pages; i++) {
            strata_vmm_region_info info;
            assert_status(strata_vmm_query(region->base + i * PAGE + 7, &info), STRATA_OK);
            model_page *page = &region->page[i];
            assert_ptr_equal(info.base, region->base + i * PAGE);
            assert_ptr_equal(info.allocation_base, region->base);
            assert_int_equal(info.type, STRATA_MEM_PRIVATE);
            assert_int_equal(info.state, page->committed ? STRATA_MEM_COMMIT : STRATA_MEM_RESERVE);
            assert_int_equal(info.protect, page->committed ? page->protect : 0);
            /* The region runs exactly as far as the model's pages stay alike. */
            size_t end = i + 1;
            while (end < region->pages && region->page[end].committed == page->committed &&
                   (!page->committed || region->page[end].protect == page->protect)) {
                end++;
            }
            assert_int_equal(info.region_size, (end - i) * PAGE);
            if (page->committed && readable(page->protect)) {
                assert_int_equal(region->base[i * PAGE], page->value);
            }
        }
    }
}

static void run_walk(uint32_t seed, unsigned steps)
{
    random_state = seed;
    memset(regions, 0, sizeof regions);
    for (unsigned step = 0; step < steps; step++) {
        model_region *region = &regions[next_random() % SLOTS];
        if (region->base == NULL) {
            step_reserve(region);
        } else {
            switch (next_random() % 10) {
            case 0:
                step_release(region);
                break;
            case 1:
            case 2:
            case 3:
                step_commit(region);
                break;
            case 4:
            case 5:
                step_decommit(region);
                break;
            case 6:
            case 7:
                step_protect(region);
                break;
            default:
                step_write(region);
                break;
            }
        }
        check_against_model();
    }
    for (int s = 0; s < SLOTS; s++) {
        if (regions[s].base != NULL) {
            step_release(&regions[s]);
        }
    }
}

static void test_random_walks_match_the_model(void **state)
{
    (void)state;
    static const uint32_t seeds[] = {1, 0x9E3779B9u, 20261123u, 0xDEADBEEFu};
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
        run_walk(seeds[i], 1500);
    }
}

static const child_scenario scenarios[] = {{NULL, NULL}};

int main(int argc, char **argv)
{
    int child = child_dispatch(argc, argv, scenarios);
    if (child >= 0) {
        return child;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_walks_match_the_model),
    };
    return cmocka_run_group_tests_name("vmm_model", tests, NULL, NULL);
}
