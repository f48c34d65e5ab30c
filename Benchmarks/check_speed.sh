#!/usr/bin/env bash
# Measures `cnnc check` as a pre-commit hook runs it: the whole process, release build.
#   1. one MNIST spec per process (median of 50 runs), target < 20 ms;
#   2. 1,000 specs in one call, target < 1 s.
# Prints each figure and its ratio to the target. Usage: bash Benchmarks/check_speed.sh
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --static-swift-stdlib --product cnnc >/dev/null
cnnc=.build/release/cnnc
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for i in $(seq 1 1000); do
  sed "s/^name: MNISTClassifier/name: MNIST$i/" specs/mnist.yaml >"$work/mnist_$i.yaml"
done

python3 - "$cnnc" "$work" <<'PY'
import glob, statistics, subprocess, sys, time
cnnc, work = sys.argv[1], sys.argv[2]

def timed(args):
    start = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start

timed([cnnc, "check", "specs/mnist.yaml"])  # warm the page cache
single = statistics.median(timed([cnnc, "check", "specs/mnist.yaml"]) for _ in range(50))
files = sorted(glob.glob(f"{work}/mnist_*.yaml"))
many = statistics.median(timed([cnnc, "check", *files]) for _ in range(5))
print(f"check mnist.yaml (one process):   {single * 1000:7.2f} ms   target 20 ms   ratio {single / 0.020:.2f}")
print(f"check 1000 specs (one process):   {many * 1000:7.2f} ms   target 1000 ms ratio {many / 1.0:.2f}")
PY
