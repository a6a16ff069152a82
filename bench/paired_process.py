#!/usr/bin/env python3
"""Paired process wall times of runner binaries (cold start).

  python3 bench/paired_process.py ROUNDS ARGS_FILE BIN_A BIN_B ...

ARGS_FILE holds the runner's arguments, one per line (as
`rill_bench --save_runner_case=BxIxH --save_dir=DIR` writes them to
DIR/runner_args.txt). Each round runs every binary once, in random order;
prints each binary's median, 25th percentile and minimum, and the median of
the per-round ratios to BIN_A with the number of rounds it was faster.
"""
import random
import statistics
import subprocess
import sys
import time


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    rounds = int(sys.argv[1])
    with open(sys.argv[2]) as f:
        args = [line.rstrip("\n") for line in f if line.strip()]
    binaries = sys.argv[3:]
    times = [[] for _ in binaries]  # By position: a binary may be given twice.
    for _ in range(rounds):
        order = list(range(len(binaries)))
        random.shuffle(order)
        for i in order:
            start = time.perf_counter()
            subprocess.run([binaries[i]] + args, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=True)
            times[i].append((time.perf_counter() - start) * 1e3)
    for binary, values in zip(binaries, times):
        values = sorted(values)
        print(f"{binary:24} median {statistics.median(values):.1f} ms  "
              f"p25 {values[len(values) // 4]:.1f}  min {values[0]:.1f}")
    for binary, values in zip(binaries[1:], times[1:]):
        ratios = [x / y for x, y in zip(values, times[0])]
        print(f"{binary} / {binaries[0]}: median ratio {statistics.median(ratios):.3f} "
              f"wins {sum(r < 1 for r in ratios)}/{rounds}")


if __name__ == "__main__":
    main()
