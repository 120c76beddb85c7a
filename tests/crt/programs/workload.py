# SPDX-License-Identifier: MIT
# tests/crt/programs/workload.py — a Python program that allocates a lot
# (dicts, lists, strings, objects, JSON, regular expressions) and prints a
# digest of its results. Run with PYTHONMALLOC=malloc so that every Python
# object comes from malloc.
import hashlib
import json
import re
import zlib


class Record:
    def __init__(self, key, values):
        self.key = key
        self.values = values

    def score(self):
        return sum(v * v for v in self.values) % 1000003


def main():
    state = 12345
    records = []
    for i in range(40000):
        state = (state * 1103515245 + 12345) % (1 << 31)
        records.append(Record("k%05d" % (state % 30000), [state % 97, i % 13, state % 7]))
    index = {}
    for record in records:
        index.setdefault(record.key, []).append(record.score())
    text = json.dumps({k: sorted(v) for k, v in index.items()}, sort_keys=True)
    back = json.loads(text)
    words = re.findall(r"k\d{5}", text)
    packed = zlib.compress(text.encode())
    digest = hashlib.sha256(packed + "".join(sorted(set(words))).encode()).hexdigest()
    print("keys", len(back))
    print("words", len(words))
    print("json bytes", len(text))
    print("digest", digest)


main()
