"""How long swiftc takes on the Swift that `cnnc build` writes, and how much memory, per model.

    python3 Benchmarks/compile_time.py                    # the example specs, ResNet-50, 48 small convs
    python3 Benchmarks/compile_time.py specs/vgg16.yaml --isa avx512 --embed-weights

Each model is built with `cnnc build --executable` and compiled with `swiftc -O` and the ISA's
flags (see generated_speed.py), one swiftc process on one core. Printed per model: layers, the CPU
seconds of the model's file alone (what an app that adds it compiles), compile seconds of the
whole program (wall and CPU), the program's median time for one sample (random weights, 20 runs),
peak memory (measured by GNU time, Debian's package `time`), and with --embed-weights the CPU
seconds and peak memory of the program with its weights compiled in, built as is and with
`-Xfrontend -disable-incremental-llvm-codegen` ("no IR hash": swiftc -O otherwise writes the whole
module as LLVM bitcode to hash it, so that it can skip code generation when an object file from
the same IR exists; the README suggests the flag for a target that holds a model's weights).
Targets (issue 9): MNIST <= 5 s, 48 small convolutions <= 20 s, ResNet-50 <= 60 CPU-seconds and
<= 1.5 GB, embedded weights adding at most a few seconds.
"""

import argparse
import os
import subprocess
import sys
import tempfile


sys.path.insert(0, os.path.dirname(__file__))
import generated_speed  # noqa: E402
import interpreter_speed  # noqa: E402
import onnx_model  # noqa: E402

ROOT = interpreter_speed.ROOT


def many_convolutions(folder, count=48):
    """A spec of `count` small 3x3 convolutions, the case whose compile time grew with depth."""
    lines = ["name: ManyConvolutions", "input: {shape: [16, 16, 8]}", "layers:"]
    lines += ["  - {type: conv2d, filters: 8, kernel_size: 3, padding: same, activation: relu}"] * count
    lines += ["  - {type: global_avg_pool2d}", "  - {type: dense, units: 10, activation: softmax}"]
    path = os.path.join(folder, "many_convolutions.yaml")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def timed_compile(sources, flags, product):
    """(wall seconds, CPU seconds, peak resident MB) of one swiftc run, measured by GNU time."""
    report = product + ".time"
    subprocess.run(["/usr/bin/time", "-o", report, "-f", "%e %U %S %M", "swiftc", "-O", *flags, *sources, "-o", product],
                   check=True)
    wall, user, system, peak_kb = open(report).read().split()[-4:]
    return float(wall), float(user) + float(system), int(peak_kb) / 1024


def random_files(cnnc, spec, folder):
    """Random weights the spec declares and an input of one sample, via the ONNX benchmark's writer."""
    work = tempfile.mkdtemp(dir=folder)
    onnx_model.build(cnnc, spec, work, 1)
    return os.path.join(work, "weights.safetensors"), os.path.join(work, "input.npy")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("specs", nargs="*")
    parser.add_argument("--isa", default="avx2", choices=sorted(generated_speed.ISAS))
    parser.add_argument("--embed-weights", action="store_true", help="also compile a build with embedded weights")
    args = parser.parse_args()
    flags = generated_speed.ISAS[args.isa]["flags"]
    cnnc = interpreter_speed.build_cnnc()
    with tempfile.TemporaryDirectory() as folder:
        specs = args.specs or [os.path.join(ROOT, "specs", name) for name in ("mnist.yaml", "cifar_vgg.yaml", "resnet50.yaml")]
        if not args.specs:
            specs.append(many_convolutions(folder))
        model, _, shown = generated_speed.cpu_description()
        print(f"CPU: {model} ({' '.join(shown)}); swiftc -O {' '.join(flags)}; one swiftc process")
        # "model": the model's file alone (-parse-as-library -c), what an app that adds it compiles;
        # "program": with the --executable driver (main.swift: options, .npy files, the benchmark).
        print(f"{'model':22}{'layers':>7}{'source KB':>10}{'model CPU s':>12}{'program wall s':>15}{'CPU s':>8}"
              f"{'peak MB':>9}{'run ms':>9}"
              + (f"{'embedded: CPU s':>17}{'peak MB':>9}{'no IR hash: CPU s':>19}{'peak MB':>9}"
                 if args.embed_weights else ""))
        for spec in specs:
            if not os.path.exists(spec):
                print(f"{os.path.basename(spec)}: missing, skipped")
                continue
            out = os.path.join(folder, os.path.basename(spec) + ".src")
            subprocess.run([cnnc, "build", spec, "-o", out, "--executable"], check=True)
            sources = sorted(os.path.join(out, name) for name in os.listdir(out))
            size = sum(os.path.getsize(path) for path in sources) / 1024
            summary = subprocess.run([cnnc, "summary", spec, "--format", "json"], check=True, capture_output=True, text=True)
            layers = summary.stdout.count('"type"')
            library = [path for path in sources if os.path.basename(path) != "main.swift"]
            _, model_cpu, _ = timed_compile(library, [*flags, "-parse-as-library", "-c"], os.path.join(folder, "model.o"))
            wall, cpu, peak = timed_compile(sources, flags, os.path.join(folder, "model"))
            weights, sample = random_files(cnnc, spec, folder)
            run_ns = generated_speed.bench([os.path.join(folder, "model"), "--weights", weights, "--input", sample], 20)
            row = (f"{os.path.basename(spec):22}{layers:7}{size:10.0f}{model_cpu:12.1f}{wall:15.1f}{cpu:8.1f}{peak:9.0f}"
                   f"{run_ns / 1e6:9.2f}")
            if args.embed_weights:
                embedded = out + ".embedded"
                subprocess.run([cnnc, "build", spec, "-o", embedded, "--executable", "--embed-weights", weights], check=True)
                sources = sorted(os.path.join(embedded, name) for name in os.listdir(embedded))
                for extra, width in (([], 17), (["-Xfrontend", "-disable-incremental-llvm-codegen"], 19)):
                    _, e_cpu, e_peak = timed_compile(sources, [*flags, *extra], os.path.join(folder, "model-embedded"))
                    row += f"{e_cpu:{width}.1f}{e_peak:9.0f}"
            print(row, flush=True)


if __name__ == "__main__":
    main()
