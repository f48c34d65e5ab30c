"""Counts register spills, reloads and calls in the hot loops of cnnc's kernels, for every target
users run.

    python3 Benchmarks/spill_check.py            # fails (exit 1) on any spill or call in a hot loop
    python3 Benchmarks/spill_check.py --verbose  # also lists every hot loop checked

Targets, all checked on any x86-64 machine:
  avx2    swiftc -O -target-cpu haswell -DCNNC_FMA                     (16 ymm registers)
  avx512  swiftc -O -target-cpu skylake-avx512 -DCNNC_FMA -DCNNC_AVX512  (32 zmm registers)
  arm64   swiftc -O -emit-ir, retargeted to aarch64 and compiled by the toolchain's clang with
          -mcpu=apple-m1 (32 q registers of NEON)

Code checked: the kernel module both back ends share (Sources/CNNKernels, which the interpreter
calls and `cnnc build` prints) and the Swift that `cnnc build` writes for four example specs
(convolutions, dense, pools, depthwise, batch norm, tanh and softmax).

A hot loop is a basic block of an innermost loop (by LLVM's loop comments in the assembly) that
multiplies and adds vectors (vfmadd, or vmulps with vaddps, on x86; fmla on arm64), or that moves
vectors and calls the module's own code with vectors (an activation whose vector function stayed a
call: its mangled name names a SIMD type) or through a pointer. A call of a function that takes no
vector (a convolution's loop over its padding areas, calling the matrix product once for each) is
no failure by itself: a vector kept live across it would show as a spill and a reload. The
compilers mark every spill and reload they emit with a `Spill` or `Reload` comment and its size; a
vector register's (16, 32 or 64 bytes) in a hot loop is a failure, and so is such a call.
"""

import argparse
import concurrent.futures
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGETS = {
    "avx2": ["-target-cpu", "haswell", "-DCNNC_FMA", "-DCNNC_PREFETCH"],
    "avx512": ["-target-cpu", "skylake-avx512", "-DCNNC_FMA", "-DCNNC_AVX512", "-DCNNC_PREFETCH"],
    "arm64": [],
}
LABEL = re.compile(r"^([A-Za-z_.$][\w.$]*):")
# The compilers' comments on vector spills: xmm and q registers are 16 bytes, ymm 32, zmm 64.
# A general-purpose register (8 bytes) reloaded in a loop is a pointer or a count, not a tile.
VECTOR_SPILL = re.compile(r"(16|32|64)-byte (Folded )?(Spill|Reload)")


def run(command, **kwargs):
    return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)


def toolchain_clang():
    """The clang beside swiftc: it has the AArch64 back end whatever the host is."""
    swiftc = os.path.realpath(shutil.which("swiftc"))
    return os.path.join(os.path.dirname(swiftc), "clang")


def assembly(sources, target, folder, name, module_flags):
    """Assembly text of `sources` compiled as one module for `target`."""
    output = os.path.join(folder, f"{name}-{target}.s")
    common = ["swiftc", "-O", "-wmo", "-parse-as-library", "-module-name", name, *module_flags]
    if target != "arm64":
        run([*common, *TARGETS[target], "-emit-assembly", *sources, "-o", output])
        return open(output).read()
    ir_path = os.path.join(folder, f"{name}.ll")
    # The IR is made on this host, where `#if arch(arm64)` is false: -DCNNC_FMA stands in for it.
    run([*common, "-DCNNC_FMA", "-DCNNC_PREFETCH", "-emit-ir", *sources, "-o", ir_path])
    ir = open(ir_path).read()
    ir = re.sub(r'^target datalayout = ".*"$', 'target datalayout = "e-m:e-i8:8:32-i16:16:32-i64:64-i128:128-n32:64-S128"',
                ir, flags=re.M)
    ir = re.sub(r'^target triple = ".*"$', 'target triple = "aarch64-unknown-linux-gnu"', ir, flags=re.M)
    ir = re.sub(r'"target-cpu"="[^"]*"', "", ir)
    ir = re.sub(r'"target-features"="[^"]*"', "", ir)
    ir = re.sub(r'"tune-cpu"="[^"]*"', "", ir)
    arm_ir = os.path.join(folder, f"{name}-arm64.ll")
    open(arm_ir, "w").write(ir)
    run([toolchain_clang(), "-target", "aarch64-unknown-linux-gnu", "-mcpu=apple-m1", "-O2", "-S",
         "-Wno-override-module", arm_ir, "-o", output])
    return open(output).read()


FALLTHROUGH = re.compile(r"^\s*(#|//) (%bb\.\d+):")
INNER_HEADER = "Inner Loop Header"
IN_LOOP = re.compile(r"in Loop: Header=(\S+)")


def hot_loops(text, target, module):
    """(function, block, instructions, spills, reloads, calls) for each block of an innermost loop
    that multiplies and adds vectors, or calls a function of `module` (a vector function that
    stayed a call, whose argument travels in 128-bit pieces). Blocks end at labels and at the `%bb.N:` comments LLVM prints for
    blocks without one; LLVM's loop comments say which blocks form an innermost loop, so the code
    before and after a loop (a tile's stores, say) does not count."""
    blocks = []  # [function, name, comments, instructions]
    function = "?"
    for line in text.splitlines():
        label, fallthrough = LABEL.match(line), FALLTHROUGH.match(line)
        if label:
            name = label.group(1)
            if not name.startswith(".L"):
                function = name
            blocks.append([function, name, [line], []])
        elif fallthrough:
            blocks.append([function, fallthrough.group(2), [line], []])
        elif blocks and line.lstrip().startswith(("#", "//")) and not blocks[-1][3]:
            blocks[-1][2].append(line)
        elif blocks and line.startswith("\t") and not line.lstrip().startswith("."):
            blocks[-1][3].append(line)
    inner = {(function, name.lstrip(".L")) for function, name, comments, _ in blocks
             if any(INNER_HEADER in comment for comment in comments)}
    # A call of the module's own code that passes vectors (direct), or through a pointer (a closure).
    own = re.compile(r"\b(call|callq|bl|b)\s+\(?\$s%d%s\S*SIMD|\bcallq?\s+\*|\bblr\b" % (len(module), re.escape(module)))
    found = []
    for function, name, comments, lines in blocks:
        headers = {match.group(1) for comment in comments for match in [IN_LOOP.search(comment)] if match}
        if (function, name.lstrip(".L")) not in inner and not any((function, h) in inner for h in headers):
            continue
        body = "\n".join(lines)
        if target == "arm64":
            hot = "fmla" in body or ("fmul" in body and "fadd" in body and ".4s" in body)
        else:
            hot = "vfmadd" in body or ("vmulps" in body and "vaddps" in body)
        # A call counts in a loop that moves vectors (ymm, zmm, packed xmm; q or .4s on arm64), but for the
        # generated model's predict, whose loop over chunks of a batch calls the layers by design.
        vectors = re.search(r"%[yz]mm|vmov[au]ps\s.*%xmm|\bq\d+\b|\.4s", body) and "7predict" not in function
        calls = sum(bool(own.search(line)) for line in lines) if vectors else 0
        if hot or calls:
            spills = sum(bool(VECTOR_SPILL.search(line)) and "Spill" in line for line in lines)
            reloads = sum(bool(VECTOR_SPILL.search(line)) and "Reload" in line for line in lines)
            found.append((function, name, len(lines), spills, reloads, calls))
    return found


def demangle(names):
    try:
        out = run(["swift", "demangle", "--simplified", "--compact"], input="\n".join(names)).stdout.splitlines()
        return dict(zip(names, out))
    except (subprocess.CalledProcessError, FileNotFoundError):
        return {name: name for name in names}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--target", action="append", choices=sorted(TARGETS))
    args = parser.parse_args()

    run(["swift", "build", "--product", "cnnc"], cwd=ROOT)
    bin_path = run(["swift", "build", "--show-bin-path"], cwd=ROOT).stdout.strip()
    cnnc = os.path.join(bin_path, "cnnc")
    failures = 0
    with tempfile.TemporaryDirectory() as folder:
        units = [("CNNKernels", sorted(glob.glob(os.path.join(ROOT, "Sources/CNNKernels/*.swift"))), ["-package-name", "cnnc"])]
        for spec in ("mnist.yaml", "cifar_vgg.yaml", "mobilenet_block.json", "lenet5.yaml"):
            out = os.path.join(folder, spec.split(".")[0])
            run([cnnc, "build", os.path.join(ROOT, f"specs/{spec}"), "-o", out])
            units.append((f"Generated_{spec.split('.')[0]}", sorted(glob.glob(os.path.join(out, "*.swift"))), []))
        # One compiler per core: each compile is one thread, and the check's time is CI's.
        jobs = [(target, name, sources, flags) for target in args.target or sorted(TARGETS)
                for name, sources, flags in units]
        with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            compiled = list(pool.map(lambda job: assembly(job[2], job[0], folder, job[1], job[3]), jobs))
        for (target, name, _, _), text in zip(jobs, compiled):
            loops = hot_loops(text, target, name)
            spills = sum(loop[3] for loop in loops)
            reloads = sum(loop[4] for loop in loops)
            calls = sum(loop[5] for loop in loops)
            status = "ok" if spills + reloads + calls == 0 and loops else "FAIL"
            if not loops:
                status = "FAIL (no hot loop found: the check would prove nothing)"
            print(f"{target:7} {name:22} {len(loops):3} hot loops, {spills:3} spills, {reloads:3} reloads, "
                  f"{calls} calls  {status}")
            names = demangle(sorted({loop[0] for loop in loops}))
            for function, block, size, s, r, c in loops:
                if args.verbose or s + r + c:
                    print(f"        {block:12} {size:4} instructions, {s} spills, {r} reloads, {c} calls"
                          f"  in {names[function][:100]}")
            failures += status != "ok"
    print(f"spill check: {failures} failed" if failures else "spill check: no spill and no call in any hot loop")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
