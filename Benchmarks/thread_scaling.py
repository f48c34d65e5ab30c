"""cnnc on 1 ... all cores against ONNX Runtime on as many threads: throughput on a batch of 256
(MNIST, CIFAR VGG) and the latency of one ResNet-50 image at 224x224, for the interpreter
(`cnnc run --threads N`) and the generated Swift (`--executable`, `--threads N`).

    pip install onnxruntime onnx pyyaml numpy
    python3 Benchmarks/thread_scaling.py                       # every case, 1 ... all cores
    python3 Benchmarks/thread_scaling.py --cases mnist --threads 1 2 --runs 50

ONNX Runtime gets `intra_op_num_threads = N` and `inter_op_num_threads = 1`. cnnc and the
generated program are built with the flags of the best instruction set the CPU has (`--isa`, as
`generated_speed.py`), outputs are checked against ONNX Runtime's, and every figure is the median
over `--rounds` rounds of a median of `--runs` runs; each round times every engine at every
thread count in turn, so that a burst of other work on the machine spoils one round's figures,
not a whole column. Scaling is the 1-thread time over the N-thread time. The load average is
printed before and after: other work takes cores from every thread count above one.
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
import generated_speed  # noqa: E402
import interpreter_speed  # noqa: E402
import onnx_model  # noqa: E402

ROOT = interpreter_speed.ROOT
CASES = {
    "mnist": ("specs/mnist.yaml", 256),
    "cifar_vgg": ("specs/cifar_vgg.yaml", 256),
    "resnet50": ("specs/resnet50.yaml", 1),
}


def ort_session(model_path, threads):
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(model_path, options, providers=["CPUExecutionProvider"])


def time_ort(model_path, batch, threads, runs):
    """ONNX Runtime's output and median ns per batch on `threads` threads (after a warm-up run)."""
    session = ort_session(model_path, threads)
    feed = {"input": batch}
    output = session.run(None, feed)[0]
    times = []
    for _ in range(runs):
        start = time.perf_counter_ns()
        session.run(None, feed)
        times.append(time.perf_counter_ns() - start)
    return output, int(statistics.median(times))


def bench(command, threads, runs):
    out = subprocess.run([*command, "--bench", str(runs), "--threads", str(threads)], check=True,
                         capture_output=True, text=True).stdout
    lines = out.strip().splitlines()
    assert f"threads: {threads}" in lines and lines[-1].startswith("median_ns_per_batch: "), out
    return int(lines[-1].split()[1])


def prepare(cnnc, isa, spec, batch, folder):
    """Weights, input and ONNX model for `spec`, and the generated program compiled for `isa`."""
    work = tempfile.mkdtemp(dir=folder)
    model = onnx_model.build(cnnc, spec, work, batch)
    subprocess.run([cnnc, "build", spec, "-o", f"{work}/src", "--executable"], check=True)
    sources = sorted(f"{work}/src/{name}" for name in os.listdir(f"{work}/src"))
    flags = generated_speed.ISAS[isa]["flags"]
    subprocess.run(["swiftc", "-O", *flags, *sources, "-o", f"{work}/model"], check=True)
    return work, model


def check(work, name, expected):
    actual = np.load(f"{work}/{name}.npy")
    if np.any(np.abs(actual - expected) > 1e-4 + 1e-4 * np.abs(expected)):
        sys.exit(f"the {name} output differs from ONNX Runtime's")


def measure(cnnc, isa, case, thread_counts, runs, rounds, folder):
    spec, batch = CASES[case]
    spec = os.path.join(ROOT, spec)
    work, model = prepare(cnnc, isa, spec, batch, folder)
    files = ["--weights", f"{work}/weights.safetensors", "--input", f"{work}/input.npy"]
    # Default threads: all cores; the outputs on every core are checked against ONNX Runtime's.
    subprocess.run([f"{work}/model", *files, "--output", f"{work}/generated.npy"], check=True)
    subprocess.run([cnnc, "run", spec, *files, "--output", f"{work}/interpreted.npy"], check=True)
    inputs = np.load(f"{work}/input.npy")
    times = {threads: [] for threads in thread_counts}
    for round in range(rounds):
        for threads in thread_counts:
            expected, ort_ns = time_ort(f"{work}/model.onnx", inputs, threads, runs)
            if round == 0 and threads == thread_counts[0]:
                check(work, "generated", expected)
                check(work, "interpreted", expected)
            interpreter_ns = bench([cnnc, "run", spec, *files], threads, runs)
            generated_ns = bench([f"{work}/model", *files], threads, runs)
            times[threads].append((ort_ns, interpreter_ns, generated_ns))
    rows = [(threads, *(statistics.median(column) for column in zip(*times[threads]))) for threads in thread_counts]
    return model["name"], batch, rows


def report(name, batch, rows):
    one = rows[0]
    if batch > 1:
        print(f"\n{name}, batch {batch}: samples per second (scaling vs {one[0]} thread)")
        print(f"{'threads':>8}{'ORT':>18}{'interpreter':>18}{'generated':>18}{'gen / ORT time':>16}")
        for threads, *times in rows:
            cells = "".join(f"{batch / ns * 1e9:11.0f} ({base / ns:4.2f}x)" for ns, base in zip(times, one[1:]))
            print(f"{threads:8}{cells}{times[2] / times[0]:16.2f}")
    else:
        print(f"\n{name}, batch 1: latency in ms (speed-up vs {one[0]} thread)")
        print(f"{'threads':>8}{'ORT':>18}{'interpreter':>18}{'generated':>18}{'gen / ORT':>11}{'interp / ORT':>14}")
        for threads, *times in rows:
            cells = "".join(f"{ns / 1e6:10.2f} ({base / ns:4.2f}x)" for ns, base in zip(times, one[1:]))
            print(f"{threads:8}{cells}{times[2] / times[0]:11.2f}{times[1] / times[0]:14.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", nargs="+", choices=sorted(CASES), default=list(CASES))
    parser.add_argument("--threads", nargs="+", type=int, help="default: 1 ... all cores")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--isa", choices=sorted(generated_speed.ISAS), help="default: the widest the CPU has")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    thread_counts = args.threads or list(range(1, cores + 1))
    model, flags, shown = generated_speed.cpu_description()
    isa = args.isa or generated_speed.available_isas(flags)[-1]
    cnnc = interpreter_speed.build_cnnc(generated_speed.ISAS[isa]["flags"], scratch=f".build-bench-{isa}")
    print(f"CPU: {model}, {cores} cores; {os.uname().machine} with {' '.join(shown) or 'no listed vector extensions'}")
    print(f"ISA: {isa} (swiftc -O {' '.join(generated_speed.ISAS[isa]['flags'])}); ONNX Runtime {ort.__version__}")
    print(f"medians of {args.rounds} rounds of {args.runs} runs; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        for case in args.cases:
            report(*measure(cnnc, isa, case, thread_counts, args.runs, args.rounds, folder))
            sys.stdout.flush()
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
