/* SPDX-License-Identifier: MIT */
// tests/crt/programs/stl_workload.cpp — a C++ program that leans on the
// standard library's containers and strings, printing a digest of what it
// built, so that a run under strata can be compared with a run without it.
#include <algorithm>
#include <cstdint>
#include <iostream>
#include <list>
#include <map>
#include <memory>
#include <numeric>
#include <set>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

std::uint64_t mix(std::uint64_t hash, std::uint64_t value)
{
    return (hash ^ value) * 1099511628211ull;
}

struct node {
    std::string name;
    std::vector<std::shared_ptr<node>> children;
};

std::uint64_t walk(const node &at, std::uint64_t hash)
{
    hash = mix(hash, std::hash<std::string>{}(at.name));
    for (const auto &child : at.children)
        hash = walk(*child, hash);
    return hash;
}

} // namespace

int main()
{
    std::uint64_t seed = 42;
    auto next = [&seed] { return seed = seed * 6364136223846793005ull + 1442695040888963407ull; };

    std::map<std::string, std::vector<int>> ordered;
    std::unordered_map<std::uint64_t, std::string> hashed;
    for (int i = 0; i < 60000; i++) {
        std::ostringstream key;
        key << "key-" << (next() >> 40) % 5000;
        ordered[key.str()].push_back(i);
        hashed[next() % 20000] = key.str() + std::string(static_cast<std::size_t>(next() % 64), 'x');
    }
    std::uint64_t hash = 1469598103934665603ull;
    for (const auto &entry : ordered)
        hash = mix(hash, entry.second.size() + std::accumulate(entry.second.begin(), entry.second.end(), 0ull));

    std::vector<std::string> words;
    for (const auto &entry : hashed)
        words.push_back(entry.second);
    std::sort(words.begin(), words.end());
    for (const auto &word : words)
        hash = mix(hash, word.size());

    std::list<std::vector<double>> chunks;
    for (int round = 0; round < 200; round++) {
        chunks.emplace_back(static_cast<std::size_t>(next() % 3000), 1.5);
        if (chunks.size() > 50)
            chunks.pop_front();
    }
    std::set<std::size_t> sizes;
    for (const auto &chunk : chunks)
        sizes.insert(chunk.size());

    auto root = std::make_shared<node>();
    root->name = "root";
    std::vector<std::shared_ptr<node>> all{root};
    for (int i = 0; i < 20000; i++) {
        auto child = std::make_shared<node>();
        child->name = "n" + std::to_string(next() % 100000);
        all[static_cast<std::size_t>(next() % all.size())]->children.push_back(child);
        all.push_back(child);
    }

    std::string text;
    for (int i = 0; i < 100000; i++)
        text += static_cast<char>('a' + next() % 26);

    std::cout << "ordered keys " << ordered.size() << "\n"
              << "hashed entries " << hashed.size() << "\n"
              << "distinct chunk sizes " << sizes.size() << "\n"
              << "tree nodes " << all.size() << "\n"
              << "text length " << text.size() << "\n"
              << "digest " << std::hex << walk(*root, hash) << "\n";
    return 0;
}
