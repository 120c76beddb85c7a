#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""bench/run.py — the benchmark suite: every workload over strata, glibc,
jemalloc, tcmalloc and mimalloc, side by side in one run (bench/run.sh
installs and builds what it needs, then calls this).

Each workload runs once per allocator per repetition, the allocators
interleaved (A B C D E A B C D E ...), under LD_PRELOAD; wall time and peak
RSS come from /usr/bin/time. A run's standard output must equal glibc's
(every workload checks its own result), or the run fails. Medians over the
repetitions, ratios to strata; instructions per malloc+free pair from
callgrind for the two micro patterns. Writes docs/benchmarks.md and, with
gnuplot, docs/bench-time.svg and docs/bench-rss.svg.

usage: run.py BUILD_DIR [--reps N] [--only NAME,...] [--out DIR] [--peer NAME=PATH.so]
              [--strata-with NAME=VARIABLE=VALUE] [--allocators NAME,...]

--strata-with adds a column: strata's library run with one more variable
set (strata-guard=STRATA_GUARD=1000: guard mode's cost); --allocators keeps
only the columns named (strata first, always).
"""
import argparse
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
ALLOCATORS = ["strata", "glibc", "jemalloc", "tcmalloc", "mimalloc"]
EXTRA_ENV = {}  # allocator -> variables set for its runs (--strata-with)
MICRO = ["small", "medium", "large", "power-law", "batch", "immediate", "realloc",
         "fragmentation", "producer-consumer", "producer-consumer-deep", "larson", "larson-sized", "thread-churn",
         "cross-thread-random", "alloc-test", "burst", "burst-handoff"]


def library_dir():
    arch = subprocess.run(["gcc", "-print-multiarch"], capture_output=True, text=True).stdout.strip()
    return os.path.join("/usr/lib", arch) if arch else "/usr/lib"


def preloads(build):
    libs = library_dir()
    return {
        "strata": os.path.join(build, "libstrata.so"),
        "glibc": "",
        "jemalloc": os.path.join(libs, "libjemalloc.so.2"),
        "tcmalloc": os.path.join(libs, "libtcmalloc_minimal.so.4"),
        "mimalloc": os.path.join(libs, "libmimalloc.so.2"),
    }


def sqlite_script(path):
    """A generated SQL workload: tables, inserts, indexes, joins, aggregates."""
    lines = ["CREATE TABLE item(id INTEGER PRIMARY KEY, name TEXT, grp INTEGER, price REAL);",
             "CREATE TABLE sale(id INTEGER PRIMARY KEY, item INTEGER, qty INTEGER, note TEXT);",
             "BEGIN;"]
    state = 12345
    for i in range(30000):
        state = (state * 1103515245 + 12345) % (1 << 31)
        lines.append("INSERT INTO item VALUES(%d,'item-%d-%s',%d,%d.%02d);"
                     % (i, state % 997, "x" * (state % 40), state % 50, state % 1000, state % 100))
    for i in range(60000):
        state = (state * 1103515245 + 12345) % (1 << 31)
        lines.append("INSERT INTO sale VALUES(%d,%d,%d,'%s');" % (i, state % 30000, state % 9 + 1, "n" * (state % 60)))
    lines += ["COMMIT;",
              "CREATE INDEX sale_item ON sale(item);",
              "SELECT grp, COUNT(*), ROUND(SUM(price * qty), 2) FROM item JOIN sale ON sale.item = item.id "
              "GROUP BY grp ORDER BY grp;",
              "SELECT name FROM item WHERE id IN (SELECT item FROM sale GROUP BY item HAVING SUM(qty) > 30) "
              "ORDER BY name LIMIT 20;",
              "SELECT COUNT(DISTINCT note), MAX(LENGTH(name)) FROM sale, item WHERE sale.item = item.id;"]
    with open(path, "w") as out:
        out.write("\n".join(lines) + "\n")


PERL_PROGRAM = r'''
my %h; my @a; my $s = 1;
for my $i (1 .. 300000) {
    $s = ($s * 1103515245 + 12345) % 2147483648;
    my $k = "k" . ($s % 50000);
    push @{ $h{$k} }, $i;
    push @a, "x" x ($s % 50) if $i % 3 == 0;
    shift @a if @a > 20000;
}
my $n = 0; $n += scalar(@{ $h{$_} }) for sort keys %h;
print scalar(keys %h), " ", $n, " ", scalar(@a), "\n";
'''


def workloads(build, scratch):
    programs = os.path.join(ROOT, "tests", "crt", "programs")
    bench_bin = os.path.join(build, "bench", "bench_workloads")
    table = [(name, [bench_bin, name]) for name in MICRO]
    table.append(("python", ["env", "PYTHONMALLOC=malloc", "python3", os.path.join(programs, "workload.py")]))
    table.append(("c++ stl", [os.path.join(build, "tests", "crt", "crt_stl_workload")]))
    table.append(("git", ["bash", os.path.join(programs, "git_session.sh")]))
    sql = os.path.join(scratch, "workload.sql")
    sqlite_script(sql)
    table.append(("sqlite3", ["sh", "-c", "sqlite3 :memory: < '%s'" % sql]))
    table.append(("perl", ["perl", "-e", PERL_PROGRAM]))
    return table


def run_once(command, preload, scratch, extra_env):
    env = dict(os.environ)
    env.pop("STRATA_STATS", None)
    env.update(extra_env)
    if preload:
        env["LD_PRELOAD"] = preload
    else:
        env.pop("LD_PRELOAD", None)
    timing = os.path.join(scratch, "time.txt")
    # Wall time measured here (time(1) rounds to 10 ms); peak RSS from time(1).
    started = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", timing] + command,
                            env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    with open(timing) as f:
        rss_kib = int(f.read().split()[-1])
    return result.returncode, result.stdout, result.stderr, seconds, rss_kib


def instructions(command, preload, scratch, extra_env):
    out = os.path.join(scratch, "callgrind.out")
    env = dict(os.environ)
    env.update(extra_env)
    if preload:
        env["LD_PRELOAD"] = preload
    result = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out] + command,
                            env=env, capture_output=True, text=True)
    if result.returncode != 0:
        return None  # the allocator does not run under valgrind (snmalloc 0.7.5 stops with an error)
    for line in result.stderr.splitlines():
        if "Collected :" in line:
            return int(line.split()[-1])
    raise RuntimeError("callgrind failed: " + result.stderr[-500:])


def geomean(values):
    values = [v for v in values if v > 0]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else float("nan")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("build")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--only", default="")
    parser.add_argument("--out", default=os.path.join(ROOT, "docs"))
    parser.add_argument("--pairs", type=int, default=200000)
    parser.add_argument("--peer", action="append", default=[], metavar="NAME=PATH.so",
                        help="another allocator to preload beside Debian's (repeatable)")
    parser.add_argument("--strata-with", action="append", default=[], metavar="NAME=VARIABLE=VALUE",
                        help="strata with one more variable set, as a column of its own (repeatable)")
    parser.add_argument("--allocators", default="", help="only these columns (strata always)")
    args = parser.parse_args()
    build = os.path.abspath(args.build)
    libraries = preloads(build)
    for peer in args.peer:
        name, _, path = peer.partition("=")
        if not name or not path or name in libraries:
            sys.exit("--peer wants NAME=PATH.so with a new NAME: %r" % peer)
        libraries[name] = os.path.abspath(path)
        ALLOCATORS.append(name)
    for variant in args.strata_with:
        name, _, setting = variant.partition("=")
        variable, _, value = setting.partition("=")
        if not name or not variable or name in libraries:
            sys.exit("--strata-with wants NAME=VARIABLE=VALUE with a new NAME: %r" % variant)
        libraries[name] = libraries["strata"]
        EXTRA_ENV[name] = {variable: value}
        ALLOCATORS.append(name)
    if args.allocators:
        wanted = set(args.allocators.split(",")) | {"strata"}
        ALLOCATORS[:] = [a for a in ALLOCATORS if a in wanted]
    for name, path in libraries.items():
        if path and not os.path.exists(path):
            sys.exit("missing %s: %s" % (name, path))

    scratch = tempfile.mkdtemp(prefix="strata-bench-")
    table = workloads(build, scratch)
    if args.only:
        wanted = set(args.only.split(","))
        table = [w for w in table if w[0] in wanted]

    times = {(w, a): [] for w, _ in table for a in ALLOCATORS}
    rss = {(w, a): [] for w, _ in table for a in ALLOCATORS}
    kept = {}  # (workload, allocator): resident KiB a workload reports at its end ("resident-after-kib=N")
    total = len(table) * len(ALLOCATORS) * args.reps
    done = 0
    started = time.time()
    failures = []
    for name, command in table:
        reference = None
        for rep in range(args.reps):
            for allocator in ALLOCATORS:
                done += 1
                sys.stderr.write("\r[%3d/%d] %-18s %-9s rep %d  (%.0f s)   "
                                 % (done, total, name, allocator, rep + 1, time.time() - started))
                sys.stderr.flush()
                code, out, err, seconds, rss_kib = run_once(command, libraries[allocator], scratch,
                                                            EXTRA_ENV.get(allocator, {}))
                if allocator == "glibc" and reference is None:
                    reference = out
                if code != 0 or (reference is not None and out != reference):
                    failures.append("%s under %s: exit %d, output %r, stderr %r"
                                    % (name, allocator, code, out[-200:], err[-300:]))
                    continue
                times[(name, allocator)].append(seconds)
                rss[(name, allocator)].append(rss_kib)
                for line in err.splitlines():
                    if line.startswith("resident-after-kib="):
                        kept.setdefault((name, allocator), []).append(int(line.split("=")[1]))
    sys.stderr.write("\n")

    pair_counts = {}
    bench_bin = os.path.join(build, "bench", "bench_workloads")
    if not args.only:
        for pattern in ["pairs-immediate", "pairs-batch"]:
            for allocator in ALLOCATORS:
                sys.stderr.write("\rcallgrind %-16s %-9s   " % (pattern, allocator))
                sys.stderr.flush()
                extra = EXTRA_ENV.get(allocator, {})
                base = instructions([bench_bin, pattern, "0"], libraries[allocator], scratch, extra)
                full = instructions([bench_bin, pattern, str(args.pairs)], libraries[allocator], scratch, extra)
                pair_counts[(pattern, allocator)] = (full - base) / args.pairs if base and full else None
        sys.stderr.write("\n")

    write_report(args, table, times, rss, kept, pair_counts, failures)
    if failures:
        print("\n".join(failures), file=sys.stderr)
        sys.exit(1)


def median(values):
    return statistics.median(values) if values else float("nan")


def write_report(args, table, times, rss, kept, pair_counts, failures):
    os.makedirs(args.out, exist_ok=True)
    names = [w for w, _ in table]
    lines = ["# Benchmarks", "",
             "Generated by `bash bench/run.sh` (bench/run.py) on %s: %d repetitions, allocators interleaved, "
             "medians; each workload checks its own result and its output must equal glibc's. "
             "Ratios are the peer's figure divided by strata's (above 1: strata is better)."
             % (time.strftime("%Y-%m-%d"), args.reps), "",
             "Machine: %s, %d CPUs." % (os.uname().machine, os.cpu_count()), ""]

    def table_block(title, data, unit, fmt):
        lines.append("## " + title)
        lines.append("")
        lines.append("| workload | strata %s | " % unit + " | ".join("%s ×" % a for a in ALLOCATORS[1:]) + " |")
        lines.append("|---|---|" + "---|" * (len(ALLOCATORS) - 1))
        ratios = {a: [] for a in ALLOCATORS[1:]}
        for name in names:
            base = median(data[(name, "strata")])
            row = "| %s | %s |" % (name, fmt(base))
            for allocator in ALLOCATORS[1:]:
                value = median(data[(name, allocator)])
                ratio = value / base if base and base == base and value == value else float("nan")
                ratios[allocator].append(ratio)
                row += " %.2f |" % ratio
            lines.append(row)
        lines.append("| **geometric mean** | |" + "".join(" **%.2f** |" % geomean(ratios[a]) for a in ALLOCATORS[1:]))
        lines.append("")
        return ratios

    time_ratios = table_block("Wall time", times, "s", lambda v: "%.3f" % v)
    rss_ratios = table_block("Peak RSS", rss, "KiB", lambda v: "%d" % v)

    kept_names = [w for w in names if any((w, a) in kept for a in ALLOCATORS)]
    if kept_names:
        lines.append("## Resident at the end (KiB)")
        lines.append("")
        lines.append("What the workload still has resident when it ends: for `burst`, after 400 MB of small "
                     "blocks were freed and two seconds of light use followed; for `burst-handoff`, the same "
                     "when a thread made the blocks and stays alive, idle, while another frees them.")
        lines.append("")
        lines.append("| workload | " + " | ".join(ALLOCATORS) + " |")
        lines.append("|---|" + "---|" * len(ALLOCATORS))
        for name in kept_names:
            lines.append("| %s | " % name + " | ".join("%.0f" % median(kept.get((name, a), []))
                                                      for a in ALLOCATORS) + " |")
        lines.append("")
    if pair_counts:
        lines.append("## Instructions per malloc+free pair (callgrind, sizes 8-512)")
        lines.append("")
        lines.append("| pattern | " + " | ".join(ALLOCATORS) + " |")
        lines.append("|---|" + "---|" * len(ALLOCATORS))
        for pattern in ["pairs-immediate", "pairs-batch"]:
            lines.append("| %s | " % pattern.replace("pairs-", "")
                         + " | ".join("n/a" if pair_counts[(pattern, a)] is None else "%.1f" % pair_counts[(pattern, a)]
                                      for a in ALLOCATORS) + " |")
        lines.append("")
        lines.append("Loop, size arithmetic and one byte written and read per block are included for every "
                     "allocator alike; the count is (Ir(N pairs) - Ir(0)) / N. n/a: the allocator does not run "
                     "under valgrind.")
        lines.append("")
    if failures:
        lines.append("## Failed runs")
        lines.append("")
        lines += ["- " + f.replace("\n", " ")[:300] for f in failures]
        lines.append("")
    lines.append("Plots: [wall-time ratios](bench-time.svg), [peak-RSS ratios](bench-rss.svg).")
    lines.append("")
    lines.append("How the heap got here, measurement by measurement: [benchmark-history.md](benchmark-history.md).")
    with open(os.path.join(args.out, "benchmarks.md"), "w") as out:
        out.write("\n".join(lines) + "\n")
    plot(args.out, names, time_ratios, "bench-time", "wall time: peer / strata (above 1: strata faster)")
    plot(args.out, names, rss_ratios, "bench-rss", "peak RSS: peer / strata (above 1: strata smaller)")
    print("\n".join(lines))


def plot(out_dir, names, ratios, stem, title):
    data = os.path.join(out_dir, stem + ".dat")
    with open(data, "w") as f:
        f.write("workload " + " ".join(ALLOCATORS[1:]) + "\n")
        for i, name in enumerate(names):
            f.write('"%s" ' % name + " ".join("%.4f" % ratios[a][i] for a in ALLOCATORS[1:]) + "\n")
    script = """
set terminal svg size 1100,480 dynamic font "sans,11"
set output '%s'
set title '%s'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set xtics rotate by -35 scale 0
set logscale y 2
set yrange [0.125:16]
set grid ytics
set key outside right top
set arrow from graph 0, first 1 to graph 1, first 1 nohead lw 2 lc rgb 'black'
plot for [c=2:%d] '%s' using c:xtic(1) title columnheader(c)
""" % (os.path.join(out_dir, stem + ".svg"), title, len(ALLOCATORS), data)
    try:
        subprocess.run(["gnuplot"], input=script, text=True, check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError) as error:
        print("gnuplot failed: %s" % error, file=sys.stderr)
    os.remove(data)


if __name__ == "__main__":
    main()
