#!/usr/bin/env bash
# The generated Swift on several threads under ThreadSanitizer: example models (large convolutions,
# depthwise, separable and transposed convolutions, merges, every split the kernels make) built with
# `cnnc build`, compiled together with a driver by `swiftc -O -sanitize=thread` in Swift 6 mode, and
# run with batches of 1, 2 and 5 on 1, 2, 3 and 8 threads (each output bitwise the one thread's),
# then two predicts at once on one model, a workspace each. Fails on any ThreadSanitizer report.
#
# Usage: Tests/ThreadSanitizer/generated.sh [CNNC]   (default .build/debug/cnnc)
set -euo pipefail
cd "$(dirname "$0")/../.."
cnnc=${1:-.build/debug/cnnc}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

models=(CIFARVGG:specs/cifar_vgg.yaml MobileNetBlock:specs/mobilenet_block.json ResidualBlock:specs/residual_block.yaml
    UNetSmall:specs/unet_small.yaml)
driver=$work/main.swift
cat >"$driver" <<'SWIFT'
import Foundation

/// Floats in [-1, 1) from a fixed seed.
func values(_ count: Int, seed: UInt64) -> [Float] {
    var state = seed
    return (0..<count).map { _ in
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Float(state >> 40) / Float(1 << 23) - 1
    }
}

/// Exits 1 unless `predict` gives one thread's bits on any number of threads, and two concurrent
/// calls (a workspace each, the weights shared) give them too.
func check(_ name: String, inputCount: Int, _ predict: @Sendable ([Float], Int) -> [Float]) {
    for batch in [1, 2, 5] {
        let input = values(batch * inputCount, seed: UInt64(batch))
        let one = predict(input, 1).map(\.bitPattern)
        for threads in [2, 3, 8] where predict(input, threads).map(\.bitPattern) != one {
            print("\(name): batch \(batch) on \(threads) threads differs from one thread")
            exit(1)
        }
    }
    let input = values(3 * inputCount, seed: 3)
    let one = predict(input, 1).map(\.bitPattern)
    DispatchQueue.concurrentPerform(iterations: 2) { call in
        if predict(input, call + 1).map(\.bitPattern) != one {
            print("\(name): a concurrent call differs")
            exit(1)
        }
    }
    print("\(name): the same bits on 1, 2, 3 and 8 threads")
}

SWIFT
for entry in "${models[@]}"; do
    type=${entry%%:*}
    spec=${entry#*:}
    "$cnnc" build "$spec" -o "$work/models"
    "$cnnc" init-weights "$spec" -o "$work/$type.safetensors" --seed 1
    cat >>"$driver" <<SWIFT
do {
    let model = try $type(weightsAt: "$work/$type.safetensors")
    check("$type", inputCount: $type.inputCount) { model.predict(\$0, threads: \$1) }
} catch {
    print(error)
    exit(1)
}
SWIFT
done
flags=(-O -sanitize=thread -swift-version 6)
[ "$(uname -m)" = x86_64 ] && grep -qw fma /proc/cpuinfo && flags+=(-target-cpu haswell -DCNNC_FMA)
swiftc "${flags[@]}" "$work"/models/*.swift "$driver" -o "$work/driver" 2>&1 | tee "$work/compile.log"
if grep -q "warning:" "$work/compile.log"; then
    echo "generated.sh: the generated code compiled with warnings" >&2
    exit 1
fi
# halt_on_error: the first report fails the run (exit status 66).
TSAN_OPTIONS="halt_on_error=1 ${TSAN_OPTIONS:-}" "$work/driver"
echo "generated.sh: no ThreadSanitizer report"
