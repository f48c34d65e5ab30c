"""ONNX Runtime held to AVX2 on an AVX-512 machine, so that an AVX2 build of cnnc is compared with
ONNX Runtime's AVX2 (FMA3) kernels, as it would be on a Zen 3 or a Haswell, and not with its
AVX-512 ones.

ONNX Runtime's MLAS chooses its kernels once, from CPUID, when the library loads; it has no option
to choose them, and a CPU without CPUID faulting cannot be made to report less than it has. So this
makes a copy of the installed package (in .build-ort-avx2/, beside the other build folders) in
which MLAS's one test for AVX-512F, `if ((Cpuid7[1] & 0x10000) != 0 && (xcr0 & 0xE0) == 0xE0)` in
platform.cpp, is never taken: the short conditional jump after `test $0x10000` becomes an
unconditional one, so the platform keeps the FMA3 kernels it chose the line before. Nothing else in
the copy changes. Where the test is not found exactly once (another ONNX Runtime build), there is no
copy and the caller says that its AVX2 figures are against the AVX-512 kernels.

    python3 Benchmarks/ort_isa.py        # makes the copy, then times a 512x512 MatMul in both
"""

import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# test $0x10000, <register>; je +n; then, within 16 bytes, test $0xe0, %al; je (near): MLAS's
# AVX-512F check as GCC compiles it (`(xcr0 & 0xE0) == 0xE0` as `not; test $0xe0`).
AVX512_TEST = re.compile(rb"\xf7[\xc0-\xc7]\x00\x00\x01\x00(\x74).{0,16}?\xa8\xe0\x0f\x84", re.S)


def cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() == "flags":
                    return set(value.split())
    except OSError:
        pass
    return set()


def installed_package():
    """The installed onnxruntime package's folder, found without importing it."""
    out = subprocess.run([sys.executable, "-c", "import importlib.util as u; print(u.find_spec('onnxruntime').origin)"],
                         check=True, capture_output=True, text=True, cwd="/")
    return os.path.dirname(out.stdout.strip())


def held_to(isa):
    """A folder to put first on PYTHONPATH so that `import onnxruntime` runs the kernels of `isa`,
    or None when the installed package already does (or cannot be held); with the reason."""
    if isa != "avx2" or "avx512f" not in cpu_flags():
        return None, "its own choice of kernels for this CPU"
    package = installed_package()
    version = os.path.basename(os.path.dirname(package)) + "-" + str(os.path.getmtime(package))
    folder = os.path.join(ROOT, ".build-ort-avx2")
    copy = os.path.join(folder, "onnxruntime")
    stamp = os.path.join(folder, "source")
    if not (os.path.exists(stamp) and open(stamp).read() == package + "\n" + version):
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(package, copy)
        libraries = [os.path.join(copy, "capi", name) for name in os.listdir(os.path.join(copy, "capi"))
                     if name.startswith("onnxruntime_pybind11_state") and name.endswith(".so")]
        patched = 0
        for library in libraries:
            data = bytearray(open(library, "rb").read())
            matches = list(AVX512_TEST.finditer(data))
            if len(matches) == 1:
                data[matches[0].start(1)] = 0xEB  # je rel8 -> jmp rel8
                with open(library, "wb") as f:
                    f.write(data)
                patched += 1
        if patched != 1:
            shutil.rmtree(folder, ignore_errors=True)
            return None, "its AVX-512 kernels (MLAS's AVX-512 test not found in this build of ONNX Runtime)"
        with open(stamp, "w") as f:
            f.write(package + "\n" + version)
    return folder, "held to its AVX2 kernels (a copy without MLAS's AVX-512 test, .build-ort-avx2)"


def run_held(isa, code, *arguments):
    """Runs `python3 -c code arguments` with onnxruntime held to `isa`; its standard output."""
    folder, _ = held_to(isa)
    env = dict(os.environ)
    paths = [os.path.dirname(os.path.abspath(__file__))] + ([folder] if folder else [])
    env["PYTHONPATH"] = os.pathsep.join(paths + [env["PYTHONPATH"]] if env.get("PYTHONPATH") else paths)
    return subprocess.run([sys.executable, "-c", code, *arguments], check=True, capture_output=True, text=True,
                          env=env, cwd="/").stdout


TIME_MODEL = """
import sys, numpy as np, interpreter_speed
expected, ns = interpreter_speed.time_onnxruntime(sys.argv[1], np.load(sys.argv[2]), int(sys.argv[3]))
np.save(sys.argv[4], expected)
print(ns)
"""

MATMUL_RATE = """
import time, numpy as np, onnxruntime as ort
from onnx import helper, TensorProto
n = 512
values = [helper.make_tensor_value_info(name, TensorProto.FLOAT, [n, n]) for name in "abc"]
graph = helper.make_graph([helper.make_node("MatMul", ["a", "b"], ["c"])], "g", values[:2], values[2:])
options = ort.SessionOptions()
options.intra_op_num_threads = 1
session = ort.InferenceSession(helper.make_model(graph).SerializeToString(), options,
                               providers=["CPUExecutionProvider"])
feed = {"a": np.random.rand(n, n).astype(np.float32), "b": np.random.rand(n, n).astype(np.float32)}
session.run(None, feed)
best = float("inf")
for _ in range(30):
    start = time.perf_counter()
    session.run(None, feed)
    best = min(best, time.perf_counter() - start)
print(2 * n ** 3 / best / 1e9)
"""


def time_model(isa, model_path, input_path, runs, expected_path):
    """ONNX Runtime's median ns per batch on one thread, held to `isa`; writes its output."""
    return int(run_held(isa, TIME_MODEL, model_path, input_path, str(runs), expected_path).strip().splitlines()[-1])


def matmul_rate(isa):
    """ONNX Runtime's best GFLOP/s on a 512x512 MatMul, one thread, held to `isa`: shows which kernels run."""
    return float(run_held(isa, MATMUL_RATE).strip().splitlines()[-1])


if __name__ == "__main__":
    for isa in ("native", "avx2"):
        _, how = held_to(isa)
        print(f"{isa:7} ONNX Runtime, {how}: 512x512 MatMul {matmul_rate(isa):.0f} GFLOP/s on one thread")
