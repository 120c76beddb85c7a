/* SPDX-License-Identifier: MIT */
/*
 * vmm/tree.c — the region tree: an AVL tree of region descriptors keyed by
 * base address, as NT keeps its VAD tree, so lookups by address are
 * O(log n) however many reservations a process holds.
 * Lock rule: callers hold the vmm lock.
 */
#include "internal.h"

static vmm_region *root;
static size_t region_count;

static int height_of(const vmm_region *node)
{
    return node != NULL ? node->height : 0;
}

static void update_height(vmm_region *node)
{
    int left = height_of(node->left), right = height_of(node->right);
    node->height = 1 + (left > right ? left : right);
}

static vmm_region *rotate_right(vmm_region *node)
{
    vmm_region *pivot = node->left;
    node->left = pivot->right;
    pivot->right = node;
    update_height(node);
    update_height(pivot);
    return pivot;
}

static vmm_region *rotate_left(vmm_region *node)
{
    vmm_region *pivot = node->right;
    node->right = pivot->left;
    pivot->left = node;
    update_height(node);
    update_height(pivot);
    return pivot;
}

/* Restores the AVL balance of one node whose subtrees are balanced. */
static vmm_region *rebalance(vmm_region *node)
{
    update_height(node);
    int balance = height_of(node->left) - height_of(node->right);
    if (balance > 1) {
        if (height_of(node->left->left) < height_of(node->left->right)) {
            node->left = rotate_left(node->left);
        }
        return rotate_right(node);
    }
    if (balance < -1) {
        if (height_of(node->right->right) < height_of(node->right->left)) {
            node->right = rotate_right(node->right);
        }
        return rotate_left(node);
    }
    return node;
}

static vmm_region *insert_below(vmm_region *node, vmm_region *region)
{
    if (node == NULL) {
        region->left = region->right = NULL;
        region->height = 1;
        return region;
    }
    if (region->base < node->base) {
        node->left = insert_below(node->left, region);
    } else {
        node->right = insert_below(node->right, region);
    }
    return rebalance(node);
}

/* Unlinks the lowest node of a subtree into *out_lowest. */
static vmm_region *remove_lowest(vmm_region *node, vmm_region **out_lowest)
{
    if (node->left == NULL) {
        *out_lowest = node;
        return node->right;
    }
    node->left = remove_lowest(node->left, out_lowest);
    return rebalance(node);
}

static vmm_region *remove_below(vmm_region *node, vmm_region *region)
{
    if (node == NULL) {
        return NULL;
    }
    if (region->base < node->base) {
        node->left = remove_below(node->left, region);
    } else if (region->base > node->base) {
        node->right = remove_below(node->right, region);
    } else {
        if (node->left == NULL || node->right == NULL) {
            return node->left != NULL ? node->left : node->right;
        }
        vmm_region *successor;
        vmm_region *right = remove_lowest(node->right, &successor);
        successor->left = node->left;
        successor->right = right;
        return rebalance(successor);
    }
    return rebalance(node);
}

void strata__vmm_tree_insert(vmm_region *region)
{
    root = insert_below(root, region);
    region_count++;
}

void strata__vmm_tree_remove(vmm_region *region)
{
    root = remove_below(root, region);
    region_count--;
}

/* The region with the highest base <= address, or NULL. */
static vmm_region *last_at_or_before(uintptr_t address)
{
    vmm_region *best = NULL;
    for (vmm_region *node = root; node != NULL;) {
        if (node->base <= address) {
            best = node;
            node = node->right;
        } else {
            node = node->left;
        }
    }
    return best;
}

vmm_region *strata__vmm_tree_find(uintptr_t address)
{
    vmm_region *candidate = last_at_or_before(address);
    if (candidate != NULL && address - candidate->base < candidate->size) {
        return candidate;
    }
    return NULL;
}

vmm_region *strata__vmm_tree_first_at_or_after(uintptr_t address)
{
    vmm_region *best = NULL;
    for (vmm_region *node = root; node != NULL;) {
        if (node->base >= address) {
            best = node;
            node = node->left;
        } else {
            node = node->right;
        }
    }
    return best;
}

bool strata__vmm_tree_overlaps(uintptr_t start, uintptr_t end)
{
    /* Regions never share granules, so only the last one starting before
     * `end` can reach into [start, end). */
    if (end == 0) {
        return false;
    }
    vmm_region *candidate = last_at_or_before(end - 1);
    return candidate != NULL && region_granule_end(candidate) > start;
}

size_t strata__vmm_tree_count(void)
{
    return region_count;
}
