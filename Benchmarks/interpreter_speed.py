"""cnnc's interpreter against ONNX Runtime, one thread each, on the same model, weights and batch.

    pip install onnxruntime onnx pyyaml numpy
    python3 Benchmarks/interpreter_speed.py                 # specs/mnist.yaml, batch 64
    python3 Benchmarks/interpreter_speed.py specs/cifar_vgg.yaml --batch 16

Builds cnnc in release mode the way the README's install line does (unless --cnnc names a
binary), writes random weights, an input batch and the equivalent ONNX model to a temporary
folder, checks that both produce the same output, times both and prints the ratio.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnxruntime as ort

sys.path.insert(0, os.path.dirname(__file__))
import onnx_model  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RELEASE_FLAGS = ["-c", "release", "--static-swift-stdlib", "-Xswiftc", "-target-cpu", "-Xswiftc", "native", "-Xswiftc", "-DCNNC_FMA", "-Xswiftc", "-DCNNC_PREFETCH"]
# As the install line: the AVX-512 tiles where /proc/cpuinfo lists avx512f.
try:
    if " avx512f" in open("/proc/cpuinfo").read():
        RELEASE_FLAGS += ["-Xswiftc", "-DCNNC_AVX512"]
except OSError:
    pass


def build_cnnc(swiftc_flags=None, scratch=None):
    """A release cnnc: the README's install line, or one built with `swiftc_flags` in `scratch`."""
    flags = RELEASE_FLAGS
    if swiftc_flags is not None:
        flags = ["-c", "release", "--static-swift-stdlib", *[x for flag in swiftc_flags for x in ("-Xswiftc", flag)]]
    if scratch:
        flags = [*flags, "--scratch-path", os.path.join(ROOT, scratch)]
    subprocess.run(["swift", "build", *flags, "--product", "cnnc"], cwd=ROOT, check=True)
    out = subprocess.run(["swift", "build", *flags, "--show-bin-path"], cwd=ROOT, check=True,
                         capture_output=True, text=True)
    return os.path.join(out.stdout.strip(), "cnnc")


def time_onnxruntime(model_path, batch, runs):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(model_path, options, providers=["CPUExecutionProvider"])
    feed = {"input": batch}
    output = session.run(None, feed)[0]
    times = []
    for _ in range(runs):
        start = time.perf_counter_ns()
        session.run(None, feed)
        times.append(time.perf_counter_ns() - start)
    return output, int(statistics.median(times))


def time_cnnc(cnnc, spec, folder, runs):
    out = subprocess.run(
        [cnnc, "run", spec, "--weights", f"{folder}/weights.safetensors", "--input", f"{folder}/input.npy",
         "--output", f"{folder}/cnnc.npy", "--bench", str(runs)],
        check=True, capture_output=True, text=True)
    last = out.stdout.strip().splitlines()[-1]
    assert last.startswith("median_ns_per_batch: "), out.stdout
    return np.load(f"{folder}/cnnc.npy"), int(last.split()[1])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("spec", nargs="?", default=os.path.join(ROOT, "specs/mnist.yaml"))
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--cnnc", help="a cnnc binary to use instead of building one")
    args = parser.parse_args()

    cnnc = args.cnnc or build_cnnc()
    with tempfile.TemporaryDirectory() as folder:
        model = onnx_model.build(cnnc, args.spec, folder, args.batch)
        batch = np.load(f"{folder}/input.npy")
        expected, ort_ns = time_onnxruntime(f"{folder}/model.onnx", batch, args.runs)
        actual, cnnc_ns = time_cnnc(cnnc, args.spec, folder, args.runs)

    excess = float(np.max(np.abs(actual - expected) - 1e-4 * np.abs(expected)))
    if excess > 1e-4:
        sys.exit(f"outputs differ: an element is off by {excess:.3g} beyond the relative tolerance")
    worst = float(np.max(np.abs(actual - expected)))
    flops = 2 * sum(layer["macs"] for layer in model["layers"]) * args.batch
    print(f"model {model['name']} ({os.path.relpath(args.spec, ROOT)}), batch {args.batch}, "
          f"{args.runs} runs, one thread, outputs agree (largest difference {worst:.1e})")
    print(f"{'':24}{'median ms/batch':>16}{'GFLOP/s':>10}")
    for label, ns in [(f"ONNX Runtime {ort.__version__}", ort_ns), ("cnnc run (interpreter)", cnnc_ns)]:
        print(f"{label:24}{ns / 1e6:16.3f}{flops / ns:10.1f}")
    print(f"ratio cnnc / ONNX Runtime: {cnnc_ns / ort_ns:.2f} (target <= 2.0)")


if __name__ == "__main__":
    main()
