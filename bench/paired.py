#!/usr/bin/env python3
"""Paired comparison of rill_bench binaries (or builds) on this noisy machine.

  python3 bench/paired.py FILTER ROUNDS NAME:BIN=PATH[,ENV=VALUE...] ...

Each round runs every configuration once, in random order, with
--benchmark_filter=FILTER and --benchmark_min_time=$MINT (default 0.3 s),
and records each benchmark's real time. Prints, per benchmark and
configuration, the median and minimum, the median of the per-round ratios
to the first configuration, and in how many rounds it was faster ("wins").
Ratios of the same round cancel most of the machine's drift; a single
configuration's median does not.
"""
import os
import random
import statistics
import subprocess
import sys


def parse_config(text):
    name, _, rest = text.partition(":")
    env = dict(os.environ)
    for assignment in filter(None, rest.split(",")):
        key, value = assignment.split("=", 1)
        env[key] = value
    if "BIN" not in env:
        sys.exit(f"configuration {text!r} has no BIN=path")
    return name, env


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    bench_filter, rounds = sys.argv[1], int(sys.argv[2])
    configs = [parse_config(c) for c in sys.argv[3:]]
    min_time = os.environ.get("MINT", "0.3")
    times = {}  # (benchmark, config name) -> [real time per round]
    for _ in range(rounds):
        order = configs[:]
        random.shuffle(order)
        for name, env in order:
            out = subprocess.run(
                [env["BIN"], "--benchmark_filter=" + bench_filter,
                 "--benchmark_min_time=" + min_time, "--benchmark_format=csv"],
                env=env, capture_output=True, text=True, check=True).stdout
            # Columns by the CSV header: name, iterations, real_time,
            # cpu_time, ... (cpu_time is the calling thread's alone).
            columns = []
            for line in out.splitlines():
                if line.startswith("name,"):
                    columns = line.split(",")
                elif line.startswith('"BM_'):
                    fields = line.split(",")
                    row = dict(zip(columns, fields))
                    if row.get("error_occurred") == "true" or not row.get("real_time"):
                        sys.exit(f"{name}: {fields[0]} failed: {row.get('error_message')}")
                    times.setdefault((fields[0], name), []).append(float(row["real_time"]))
    names = [name for name, _ in configs]
    for bench in sorted({b for b, _ in times}):
        base = times.get((bench, names[0]))
        if base is None:
            print(f"{bench}: not run by {names[0]}")
            continue
        for name in names:
            values = times.get((bench, name), [])
            if not values:
                print(f"{bench} {name:>8}: not run")
                continue
            ratios = [x / y for x, y in zip(values, base)]
            print(f"{bench} {name:>8}: median {statistics.median(values):9.3f} "
                  f"min {min(values):9.3f} ratio {statistics.median(ratios):.3f} "
                  f"wins {sum(r < 1 for r in ratios)}/{len(ratios)}")


if __name__ == "__main__":
    main()
