"""Generated Swift (`cnnc build --executable`) against cnnc's interpreter and ONNX Runtime, one
thread each, on the same model, weights and batch; plus the machine's single-core peak.

    pip install onnxruntime onnx pyyaml numpy
    python3 Benchmarks/generated_speed.py            # MNIST at batch 1 and 64, CIFAR VGG at batch 16
    python3 Benchmarks/generated_speed.py specs/lenet5.yaml --batch 8

The generated program is compiled with the flags the README recommends:
swiftc -O -target-cpu native -DCNNC_FMA.
"""

import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import interpreter_speed  # noqa: E402
import onnx_model  # noqa: E402

ROOT = interpreter_speed.ROOT
SWIFTC_FLAGS = ["-O", "-target-cpu", "native", "-DCNNC_FMA"]

PEAK = """
import Foundation
@inline(never) func run(_ n: Int, _ seed: Float) -> Float {
    var a = (SIMD16<Float>(repeating: seed), SIMD16<Float>(repeating: seed + 1), SIMD16<Float>(repeating: seed + 2),
             SIMD16<Float>(repeating: seed + 3), SIMD16<Float>(repeating: seed + 4), SIMD16<Float>(repeating: seed + 5),
             SIMD16<Float>(repeating: seed + 6), SIMD16<Float>(repeating: seed + 7), SIMD16<Float>(repeating: seed + 8),
             SIMD16<Float>(repeating: seed + 9), SIMD16<Float>(repeating: seed + 10), SIMD16<Float>(repeating: seed + 11))
    let x = SIMD16<Float>(repeating: 0.999), y = SIMD16<Float>(repeating: 0.001)
    for _ in 0..<n {
        a.0.addProduct(x, y); a.1.addProduct(x, y); a.2.addProduct(x, y); a.3.addProduct(x, y)
        a.4.addProduct(x, y); a.5.addProduct(x, y); a.6.addProduct(x, y); a.7.addProduct(x, y)
        a.8.addProduct(x, y); a.9.addProduct(x, y); a.10.addProduct(x, y); a.11.addProduct(x, y)
    }
    return (a.0 + a.1 + a.2 + a.3 + a.4 + a.5 + a.6 + a.7 + a.8 + a.9 + a.10 + a.11).sum()
}
let n = 20_000_000
var best = 0.0
for _ in 0..<3 {
    let start = DispatchTime.now().uptimeNanoseconds
    let r = run(n, Float(CommandLine.arguments.count))
    let ns = Double(DispatchTime.now().uptimeNanoseconds - start)
    if r == 42 { print("") }
    best = max(best, Double(n) * 12 * 32 / ns)
}
print(best)
"""


def single_core_peak(folder):
    """GFLOP/s of twelve independent SIMD16 FMA chains: what one core can reach."""
    with open(f"{folder}/peak.swift", "w") as f:
        f.write(PEAK)
    subprocess.run(["swiftc", *SWIFTC_FLAGS, f"{folder}/peak.swift", "-o", f"{folder}/peak"], check=True)
    return float(subprocess.run([f"{folder}/peak"], check=True, capture_output=True, text=True).stdout)


def bench(command, runs):
    out = subprocess.run([*command, "--bench", str(runs)], check=True, capture_output=True, text=True).stdout
    last = out.strip().splitlines()[-1]
    assert last.startswith("median_ns_per_batch: "), out
    return int(last.split()[1])


def measure(cnnc, spec, batch, runs, folder):
    work = tempfile.mkdtemp(dir=folder)
    model = onnx_model.build(cnnc, spec, work, batch)
    subprocess.run([cnnc, "build", spec, "-o", f"{work}/src", "--executable"], check=True)
    sources = sorted(f"{work}/src/{name}" for name in os.listdir(f"{work}/src"))
    subprocess.run(["swiftc", *SWIFTC_FLAGS, *sources, "-o", f"{work}/model"], check=True)
    files = ["--weights", f"{work}/weights.safetensors", "--input", f"{work}/input.npy"]
    subprocess.run([f"{work}/model", *files, "--output", f"{work}/generated.npy"], check=True)
    batch_input = np.load(f"{work}/input.npy")
    expected, ort_ns = interpreter_speed.time_onnxruntime(f"{work}/model.onnx", batch_input, runs)
    actual = np.load(f"{work}/generated.npy")
    if np.any(np.abs(actual - expected) > 1e-4 + 1e-4 * np.abs(expected)):
        sys.exit(f"{spec}: the generated model's output differs from ONNX Runtime's")
    generated_ns = bench([f"{work}/model", *files], runs)
    interpreter_ns = bench([cnnc, "run", spec, *files], runs)
    flops = 2 * sum(layer["macs"] for layer in model["layers"]) * batch
    return model["name"], ort_ns, interpreter_ns, generated_ns, flops


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("spec", nargs="?")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--cnnc", help="a cnnc binary to use instead of building one")
    args = parser.parse_args()
    cases = [(args.spec, args.batch)] if args.spec else [
        (os.path.join(ROOT, "specs/mnist.yaml"), 1),
        (os.path.join(ROOT, "specs/mnist.yaml"), 64),
        (os.path.join(ROOT, "specs/cifar_vgg.yaml"), 16),
    ]
    cnnc = args.cnnc or interpreter_speed.build_cnnc()
    with tempfile.TemporaryDirectory() as folder:
        peak = single_core_peak(folder)
        print(f"single-core peak (12 SIMD16 FMA chains): {peak:.0f} GFLOP/s; medians of {args.runs} runs, one thread")
        print(f"{'model':18}{'batch':>6}{'ORT ms':>9}{'interp ms':>11}{'generated ms':>14}"
              f"{'gen/ORT':>9}{'interp/gen':>12}{'gen GFLOP/s':>13}")
        for spec, batch in cases:
            name, ort_ns, interpreter_ns, generated_ns, flops = measure(cnnc, spec, batch, args.runs, folder)
            print(f"{name:18}{batch:6}{ort_ns / 1e6:9.3f}{interpreter_ns / 1e6:11.3f}{generated_ns / 1e6:14.3f}"
                  f"{generated_ns / ort_ns:9.2f}{interpreter_ns / generated_ns:12.2f}{flops / generated_ns:13.1f}")


if __name__ == "__main__":
    main()
