"""Generated Swift (`cnnc build --executable`) against cnnc's interpreter and ONNX Runtime, one
thread each, on the same model, weights and batch, for each instruction set this CPU runs, with
the core's peak for that instruction set.

    pip install onnxruntime onnx pyyaml numpy
    python3 Benchmarks/generated_speed.py            # MNIST at batch 1 and 64, CIFAR VGG at batch 16
    python3 Benchmarks/generated_speed.py specs/lenet5.yaml --batch 8 --isa avx2

Instruction sets (`--isa`, default: every one the CPU has):
  avx2    swiftc -O -target-cpu haswell -DCNNC_FMA                    (16 ymm: 6x16 tiles)
  avx512  swiftc -O -target-cpu skylake-avx512 -DCNNC_FMA -DCNNC_AVX512 (32 zmm: 6x32 tiles)
(each with -DCNNC_PREFETCH too)
  neon    swiftc -O                                                    (arm64: FMA, 6x16 tiles)
The AVX2 build runs on AVX-512 machines too, so one run measures both. cnnc itself is built with
the same flags for each (in .build-bench-<isa>), so the interpreter is measured per ISA as well.
ONNX Runtime is held to the same instruction set: on an AVX-512 machine the AVX2 rows compare with
a copy of it that keeps MLAS's AVX2 (FMA3) kernels (Benchmarks/ort_isa.py tells how), and each ISA's
header gives ONNX Runtime's 512x512 MatMul rate, which shows the kernels it ran.
"""

import argparse
import os
import platform
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import interpreter_speed  # noqa: E402
import onnx_model  # noqa: E402
import ort_isa  # noqa: E402

ROOT = interpreter_speed.ROOT
ISAS = {
    "avx2": {"flags": ["-target-cpu", "haswell", "-DCNNC_FMA", "-DCNNC_PREFETCH"], "lanes": 8, "registers": 16, "cpu": ["avx2", "fma"]},
    "avx512": {"flags": ["-target-cpu", "skylake-avx512", "-DCNNC_FMA", "-DCNNC_AVX512", "-DCNNC_PREFETCH"], "lanes": 16, "registers": 32,
               "cpu": ["avx512f"]},
    "neon": {"flags": ["-DCNNC_PREFETCH"], "lanes": 4, "registers": 32, "cpu": []},
}


def cpu_description():
    """The CPU's model name and the vector extensions that matter here, from /proc/cpuinfo."""
    model, flags = platform.processor() or platform.machine(), set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() == "model name":
                    model = value.strip()
                elif key.strip() in ("flags", "Features"):
                    flags = set(value.split())
    except OSError:
        pass
    shown = [flag for flag in ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "asimd") if flag in flags]
    return model, flags, shown


def available_isas(flags):
    if platform.machine() in ("arm64", "aarch64"):
        return ["neon"]
    return [name for name in ("avx2", "avx512") if all(flag in flags for flag in ISAS[name]["cpu"])]


def peak_source(lanes, chains):
    """`chains` independent FMA chains of SIMD<lanes> vectors: no spill, every FMA unit busy."""
    vector = f"SIMD{lanes}<Float>"
    names = [f"a{i}" for i in range(chains)]
    declarations = "\n".join(f"    var {n} = {vector}(repeating: seed + {i})" for i, n in enumerate(names))
    steps = "\n".join(f"        {n}.addProduct(x, y)" for n in names)
    return f"""
import Foundation
@inline(never) func run(_ n: Int, _ seed: Float) -> Float {{
{declarations}
    let x = {vector}(repeating: 0.999), y = {vector}(repeating: 0.001)
    for _ in 0..<n {{
{steps}
    }}
    return ({" + ".join(names)}).sum()
}}
let n = 20_000_000
var best = 0.0
for _ in 0..<3 {{
    let start = DispatchTime.now().uptimeNanoseconds
    let r = run(n, Float(CommandLine.arguments.count))
    let ns = Double(DispatchTime.now().uptimeNanoseconds - start)
    if r == 42 {{ print("") }}
    best = max(best, Double(n) * {chains} * {2 * lanes} / ns)
}}
print(best)
"""


def single_core_peak(folder, isa):
    """GFLOP/s of independent FMA chains that fit in the ISA's registers: what one core can reach."""
    spec = ISAS[isa]
    chains = spec["registers"] - 4 if spec["registers"] == 16 else 12
    with open(f"{folder}/peak_{isa}.swift", "w") as f:
        f.write(peak_source(spec["lanes"], chains))
    subprocess.run(["swiftc", "-O", *spec["flags"], f"{folder}/peak_{isa}.swift", "-o", f"{folder}/peak_{isa}"], check=True)
    out = subprocess.run([f"{folder}/peak_{isa}"], check=True, capture_output=True, text=True).stdout
    return float(out), chains


def bench(command, runs):
    out = subprocess.run([*command, "--bench", str(runs)], check=True, capture_output=True, text=True).stdout
    last = out.strip().splitlines()[-1]
    assert last.startswith("median_ns_per_batch: "), out
    return int(last.split()[1])


def measure(cnnc, isa, spec, batch, runs, folder):
    work = tempfile.mkdtemp(dir=folder)
    model = onnx_model.build(cnnc, spec, work, batch)
    subprocess.run([cnnc, "build", spec, "-o", f"{work}/src", "--executable"], check=True)
    sources = sorted(f"{work}/src/{name}" for name in os.listdir(f"{work}/src"))
    subprocess.run(["swiftc", "-O", *ISAS[isa]["flags"], *sources, "-o", f"{work}/model"], check=True)
    files = ["--weights", f"{work}/weights.safetensors", "--input", f"{work}/input.npy"]
    subprocess.run([f"{work}/model", *files, "--output", f"{work}/generated.npy"], check=True)
    subprocess.run([cnnc, "run", spec, *files, "--output", f"{work}/interpreted.npy"], check=True)
    # At least half a second of runs for each: 200 runs of a 40 µs model are too few for a steady
    # median (MNIST at batch 1 measured 47 µs over 200 runs, 36 µs over 3000, on every back end).
    runs = max(runs, min(5000, int(0.5e9 / bench([f"{work}/model", *files], 20))))
    ort_ns = ort_isa.time_model(isa, f"{work}/model.onnx", f"{work}/input.npy", runs, f"{work}/ort.npy")
    expected = np.load(f"{work}/ort.npy")
    for name in ("generated", "interpreted"):
        actual = np.load(f"{work}/{name}.npy")
        if np.any(np.abs(actual - expected) > 1e-4 + 1e-4 * np.abs(expected)):
            sys.exit(f"{spec} ({isa}): the {name} output differs from ONNX Runtime's")
    generated_ns = bench([f"{work}/model", *files], runs)
    interpreter_ns = bench([cnnc, "run", spec, *files], runs)
    flops = 2 * sum(layer["macs"] for layer in model["layers"]) * batch
    return model["name"], ort_ns, interpreter_ns, generated_ns, flops


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("spec", nargs="?")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--isa", action="append", choices=sorted(ISAS), help="repeatable; default: all the CPU has")
    args = parser.parse_args()
    cases = [(args.spec, args.batch)] if args.spec else [
        (os.path.join(ROOT, "specs/mnist.yaml"), 1),
        (os.path.join(ROOT, "specs/mnist.yaml"), 64),
        (os.path.join(ROOT, "specs/cifar_vgg.yaml"), 16),
    ]
    model, flags, shown = cpu_description()
    isas = args.isa or available_isas(flags)
    print(f"CPU: {model}; {platform.machine()} with {' '.join(shown) or 'no listed vector extensions'}")
    print(f"medians of {args.runs} runs or more (half a second's worth), one thread, outputs checked against ONNX Runtime")
    with tempfile.TemporaryDirectory() as folder:
        for isa in isas:
            cnnc = interpreter_speed.build_cnnc(ISAS[isa]["flags"], scratch=f".build-bench-{isa}")
            peak, chains = single_core_peak(folder, isa)
            print(f"\n{isa}: swiftc -O {' '.join(ISAS[isa]['flags'])}; peak {peak:.0f} GFLOP/s "
                  f"({chains} SIMD{ISAS[isa]['lanes']} FMA chains)")
            _, how = ort_isa.held_to(isa)
            print(f"ONNX Runtime, {how}: 512x512 MatMul {ort_isa.matmul_rate(isa):.0f} GFLOP/s")
            print(f"{'model':18}{'batch':>6}{'ORT ms':>9}{'interp ms':>11}{'generated ms':>14}"
                  f"{'gen/ORT':>9}{'interp/ORT':>12}{'gen GFLOP/s':>13}")
            for spec, batch in cases:
                name, ort_ns, interpreter_ns, generated_ns, flops = measure(cnnc, isa, spec, batch, args.runs, folder)
                print(f"{name:18}{batch:6}{ort_ns / 1e6:9.3f}{interpreter_ns / 1e6:11.3f}{generated_ns / 1e6:14.3f}"
                      f"{generated_ns / ort_ns:9.2f}{interpreter_ns / ort_ns:12.2f}{flops / generated_ns:13.1f}",
                      flush=True)


if __name__ == "__main__":
    main()
