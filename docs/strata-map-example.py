# SPDX-License-Identifier: MIT
# The program shown in docs/strata-map.md: dicts, lists, byte strings and
# three threads; then it asks for a map while all of it is alive.
import os
import signal
import threading

words = {"key%d" % i: [i] * (i % 40) for i in range(60000)}
blobs = [bytes(200000) for _ in range(8)]
strings = []


def worker(count):
    strings.extend(str(i) * 3 for i in range(count))


threads = [threading.Thread(target=worker, args=(20000,)) for _ in range(3)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
os.kill(os.getpid(), signal.SIGUSR2)  # the map is written at the next malloc that takes the slow path
print(len(words), len(blobs), len(strings), len(bytearray(300000)))
