#!/usr/bin/env bash
# Builds the fuzz targets (when needed) and runs one for a while on a scratch copy of its corpus.
#
#   Fuzz/run.sh TARGET SECONDS [--merge] [libFuzzer flags...]
#
# TARGET is FuzzSpec, FuzzSafeTensors, FuzzNumPy or FuzzOnnx. --merge adds the run's new coverage to
# Fuzz/Corpus/TARGET afterwards. Crashing inputs go to Fuzz/Crashers/TARGET/; the log of the run
# to Fuzz/.build-fuzz/logs/. Further flags go to libFuzzer as they are (e.g. -jobs=2, -seed=1).
set -euo pipefail

usage() {
    echo "usage: $0 FuzzSpec|FuzzSafeTensors|FuzzNumPy|FuzzOnnx SECONDS [--merge] [libFuzzer flags...]" >&2
    exit 64
}
[[ $# -ge 2 ]] || usage
target=$1
seconds=$2
shift 2
case $target in FuzzSpec | FuzzSafeTensors | FuzzNumPy | FuzzOnnx) ;; *) usage ;; esac
[[ $seconds =~ ^[0-9]+$ ]] || usage
merge=false
if [[ ${1:-} == --merge ]]; then
    merge=true
    shift
fi

fuzz=$(cd "$(dirname "$0")" && pwd)
scratch=$fuzz/.build-fuzz
# The whole graph, the libraries under test included, is compiled for coverage and AddressSanitizer;
# -Xcc reaches the C in Yams (libyaml). lld links everything: gold, the default linker here, fails
# on sanitized objects with an internal error.
swift build -c release --package-path "$fuzz" --scratch-path "$scratch" \
    -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=fuzzer-no-link,address -Xswiftc -use-ld=lld >&2
binary=$scratch/release/$target

stamp=$(date +%Y%m%d-%H%M%S)-$$   # the process, too: two runs may start in the same second
work=$scratch/work/$target-$stamp
crashers=$fuzz/Crashers/$target
log=$scratch/logs/$target-$stamp.log
mkdir -p "$work" "$crashers" "$(dirname "$log")"
cp "$fuzz/Corpus/$target/"* "$work/"

flags=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
    -artifact_prefix="$crashers/")
[[ -f $fuzz/$target.dict ]] && flags+=(-dict="$fuzz/$target.dict")

echo "fuzzing $target for $seconds s on $work (log: $log)" >&2
status=0
# Swift's backtracer would otherwise symbolicate every crash slowly and hide libFuzzer's report.
SWIFT_BACKTRACE=enable=no "$binary" "${flags[@]}" "$@" "$work" >"$log" 2>&1 || status=$?

# libFuzzer's last status line (cov, ft, corpus, exec/s) and its final stats.
grep -E '^#[0-9]+' "$log" | tail -n 1 || true
grep -E '^stat::' "$log" || true
grep -E 'ERROR: |SUMMARY: |Test unit written to' "$log" || true
if [[ $status != 0 ]]; then
    # The input itself, so that a crash found where its file is out of reach (a CI machine) can be
    # replayed: `base64 -d > crash && Fuzz/.build-fuzz/release/TARGET crash`.
    for artifact in $(sed -n 's/.*Test unit written to //p' "$log"); do
        [[ -f $artifact && $(stat -c %s "$artifact") -le 16384 ]] && echo "base64 of $artifact: $(base64 -w0 "$artifact")"
    done
    # The stack of the crash, when it is there.
    grep -E '^ *#[0-9]+ 0x' "$log" | head -n 30 || true
fi
if $merge; then
    SWIFT_BACKTRACE=enable=no "$binary" -merge=1 "$fuzz/Corpus/$target" "$work" >>"$log" 2>&1
    echo "merged into Fuzz/Corpus/$target: $(ls "$fuzz/Corpus/$target" | wc -l) files" >&2
fi
exit $status
