// SPDX-License-Identifier: MIT
//
// examples/cxx_over_chosen_heap.cpp — C++ new and delete (strata::cxx) over
// the crt (strata::crt), and the crt over a heap this program chose at run
// time with strata_crt_set_heap: here a heap over a counting vmm, so the
// program can see every reservation and commit its containers cause.
// The standard C names (malloc, free) stay the C library's: only the
// drop-in (libstrata.a, libstrata.so) takes them.
#include <strata/cxx.h>
#include <strata/testing.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

static strata_testing_counting_vmm counting;

int main()
{
    strata_testing_counting_vmm_init(&counting, strata_vmm_default());
    strata_heap *heap = nullptr;
    strata_status status = strata_heap_create(&counting.vmm, 0, 0, 0, &heap);
    if (status == STRATA_OK)
        status = strata_crt_set_heap(heap);
    if (status != STRATA_OK) {
        // STRATA_E_GEN_FAILURE would mean something allocated with new before main.
        std::printf("could not put the crt on the chosen heap: %s\n", strata_status_name(status));
        return 1;
    }

    unsigned commits_before = counting.commits;
    std::size_t entries = 0;
    {
        std::map<std::string, std::vector<int>> index;
        for (int i = 0; i < 20000; i++)
            index["key number " + std::to_string(i)].assign(static_cast<std::size_t>(i % 50), i);
        entries = index.size();
    }
    int *numbers = new int[100000];
    bool on_heap = strata_heap_validate(heap, 0, numbers);
    delete[] numbers;

    strata_heap_stats stats;
    if (strata_heap_get_stats(heap, &stats) != STRATA_OK || !on_heap || counting.commits == commits_before) {
        std::printf("new did not reach the chosen heap\n");
        return 1;
    }
    std::printf("cxx over a chosen heap: %zu map entries, %u commits and %u reservations through the program's vmm, "
                "peak %zu KiB committed\n",
                entries, counting.commits - commits_before, counting.reserves, stats.peak_committed_bytes >> 10);
    return 0;
}
