"""`cnnc import` on real models: torchvision's CNNs exported by torch.onnx.export, checked against
ONNX Runtime, and the time and memory an import of ResNet-50 (a 100 MB file) takes.

Needs torch, torchvision, onnx and onnxruntime (pip install torch torchvision onnx onnxscript
onnxruntime), GNU time (/usr/bin/time, Debian's package time) and a cnnc binary (a release build
for the timing):

    python3 Benchmarks/onnx_import.py --cnnc .build/release/cnnc [--models resnet50,...] [--work DIR]

Each model is exported once into the work directory (random weights, eval mode, batch norms with
trained-looking statistics), imported, run by `cnnc run` on a random batch of two and compared
with ONNX Runtime at the contract's tolerance (1e-4 absolute + 1e-4 relative). A model whose
import fails is reported with cnnc's error: that names every node the spec cannot express.
"""
import argparse
import os
import subprocess
import sys
import time

import numpy as np

MODELS = {
    # name: (constructor, input size, exported opset)
    "resnet18": ("resnet18", 224, 17),
    "resnet50": ("resnet50", 224, 17),
    "mobilenet_v2": ("mobilenet_v2", 224, 17),
    "mobilenet_v3_small": ("mobilenet_v3_small", 224, 17),
    "squeezenet1_1": ("squeezenet1_1", 224, 13),
    "vgg11_bn": ("vgg11_bn", 224, 17),
    "densenet121": ("densenet121", 224, 17),
    "efficientnet_b0": ("efficientnet_b0", 224, 17),
    "googlenet": ("googlenet", 224, 17),
    "shufflenet_v2_x0_5": ("shufflenet_v2_x0_5", 224, 17),
}


def export(name, path):
    import torch
    import torchvision
    constructor, size, opset = MODELS[name]
    torch.manual_seed(0)
    kwargs = {"weights": None}
    if name == "googlenet":
        kwargs.update(aux_logits=False, init_weights=True)
    model = getattr(torchvision.models, constructor)(**kwargs)
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            with torch.no_grad():
                module.running_mean.uniform_(-0.1, 0.1)
                module.running_var.uniform_(0.8, 1.2)
    model.eval()
    torch.onnx.export(model, (torch.randn(1, 3, size, size),), path, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "N"}, "output": {0: "N"}}, opset_version=opset, dynamo=False)


def run(command):
    """The finished process, its wall time and its peak resident memory in bytes, which GNU time
    reads from wait4 (a child forked from this large Python process would count its pages)."""
    start = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-f", "peak-kb %M"] + command, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    lines = result.stderr.rstrip("\n").split("\n")
    peak = int(lines[-1].split()[-1]) * 1024
    result.stderr = "\n".join(lines[:-1])
    return result, seconds, peak


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cnnc", default=".build/release/cnnc")
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--work", default="/tmp/cnnc-onnx-import")
    arguments = parser.parse_args()
    import onnxruntime
    os.makedirs(arguments.work, exist_ok=True)
    failures = 0
    for name in arguments.models.split(","):
        path = os.path.join(arguments.work, name + ".onnx")
        if not os.path.exists(path):
            export(name, path)
        size = os.path.getsize(path)
        out = os.path.join(arguments.work, name)
        result, seconds, peak = run([arguments.cnnc, "import", path, "-o", out])
        if result.returncode != 0:
            failures += 1
            print(f"{name}: import failed\n{result.stderr}")
            continue
        print(f"{name}: {size / 1e6:.1f} MB imported in {seconds:.2f} s, peak memory {peak / 1e6:.0f} MB "
              f"= {peak / size:.2f} x the file")
        input_size = MODELS[name][1]
        batch = np.random.default_rng(1).normal(0, 1, (2, 3, input_size, input_size)).astype(np.float32)
        np.save(os.path.join(out, "input.npy"), batch.transpose(0, 2, 3, 1).copy())
        session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
        expected = session.run(None, {"input": batch})[0]
        result = subprocess.run([arguments.cnnc, "run", os.path.join(out, name + ".yaml"), "--weights",
                                 os.path.join(out, name + ".safetensors"), "--input", os.path.join(out, "input.npy"),
                                 "--output", os.path.join(out, "output.npy")], capture_output=True, text=True)
        if result.returncode != 0:
            failures += 1
            print(f"  cnnc run failed: {result.stderr}")
            continue
        actual = np.load(os.path.join(out, "output.npy"))
        excess = np.abs(actual - expected) - (1e-4 + 1e-4 * np.abs(expected))
        ok = actual.shape == expected.shape and excess.max() <= 0
        failures += not ok
        print(f"  against ONNX Runtime: max |difference| {np.abs(actual - expected).max():.2e}: {'ok' if ok else 'MISMATCH'}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
