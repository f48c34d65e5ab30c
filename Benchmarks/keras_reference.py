"""Checks cnnc against Keras on the real-size specs: keras.applications' ResNet50, MobileNet (v1),
VGG16, MobileNetV2 and EfficientNetB0 with random weights, at 224x224, batch 1.

    python3 -m venv .build/keras && .build/keras/bin/pip install keras jax safetensors
    KERAS_BACKEND=jax .build/keras/bin/python Benchmarks/keras_reference.py --cnnc .build/release/cnnc
    ... --models resnet50 --generated        # also the Swift that `cnnc build` writes

For each model the script builds the Keras model (weights=None, then random weights: glorot
kernels scaled to keep activations in range, batch-norm statistics drawn at random so that the
folding is exercised), writes the weights under cnnc's keys (`<layer>.<param>`, specs/<model>.yaml)
and a random input, and compares `cnnc run` (and with --generated, the program `cnnc build
--executable` writes) with `model.predict` at the contract's tolerance: absolute 1e-4 + relative
1e-4 per element. The comparison is made on the logits: the specs' final softmax is replaced by
a linear output on both sides, because softmax over 1000 classes of random weights is close to
uniform and would hide any difference. Nothing large is kept: the files live in a temporary
folder. Exit status 1 when any model differs.
"""

import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = {
    "resnet50": ("ResNet50", "resnet50.yaml"),
    "mobilenet_v1": ("MobileNet", "mobilenet_v1.yaml"),
    "vgg16": ("VGG16", "vgg16.yaml"),
    "mobilenet_v2": ("MobileNetV2", "mobilenet_v2.yaml"),
    "efficientnet_b0": ("EfficientNetB0", "efficientnet_b0.yaml"),
}


def keras_model(name):
    import keras
    constructor = getattr(keras.applications, MODELS[name][0])
    return constructor(weights=None, classifier_activation=None)


def randomize(model, seed):
    """Random weights that keep a deep stack's activations in a range float32 compares well in."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        values = []
        for weight in layer.weights:
            shape, key = tuple(weight.shape), weight.path.split("/")[-1]
            if key in ("kernel", "depthwise_kernel"):
                fan_in = int(np.prod(shape[:-1])) if key == "kernel" else int(np.prod(shape[:2]))
                values.append(rng.normal(0, np.sqrt(1.0 / fan_in), shape).astype(np.float32))
            elif key == "gamma":
                values.append(rng.uniform(0.5, 1.5, shape).astype(np.float32))
            elif key in ("beta", "bias", "moving_mean"):
                values.append(rng.normal(0, 0.1, shape).astype(np.float32))
            elif key in ("moving_variance", "variance"):
                values.append(rng.uniform(0.5, 2.0, shape).astype(np.float32))
            elif key == "mean":
                values.append(rng.normal(0, 0.1, shape).astype(np.float32))
            else:
                values.append(np.asarray(weight.numpy()))
        if values:
            layer.set_weights(values)
            # A normalization computes with copies of its statistics made when they were adapted
            # or loaded; set_weights alone leaves the old ones in use.
            if hasattr(layer, "finalize_state"):
                layer.finalize_state()


def cnnc_tensors(model):
    """The weights under cnnc's keys: `<layer>.<param>` with Keras's shapes, except MobileNet's
    1x1 `conv_preds`, which the spec writes as a dense layer."""
    tensors = {}
    for layer in model.layers:
        for weight in layer.weights:
            key = weight.path.split("/")[-1]
            value = np.asarray(weight.numpy(), dtype=np.float32)
            if layer.name == "conv_preds" and key == "kernel":
                value = value.reshape(value.shape[-2], value.shape[-1])
            if key == "depthwise_kernel":
                key = "kernel"
            if key == "count":  # a normalization's adapt() sample count: nothing cnnc computes with
                continue
            tensors[f"{layer.name}.{key}"] = np.ascontiguousarray(value)
    return tensors


def logits_spec(spec, folder):
    """The spec with its last layer's softmax made linear (or its softmax activation layer removed)."""
    lines = open(os.path.join(ROOT, "specs", spec)).read().splitlines()
    last = lines[-1]
    if "type: activation" in last and "softmax" in last:
        lines = lines[:-1]
    else:
        lines[-1] = last.replace(", activation: softmax", "")
    path = os.path.join(folder, spec)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def compare(name, actual, expected):
    excess = np.abs(actual - expected) - (1e-4 + 1e-4 * np.abs(expected))
    worst = int(np.argmax(excess))
    ok = actual.shape == expected.shape and bool(np.all(excess <= 0))
    print(f"  {name:10} max |difference| {np.max(np.abs(actual - expected)):.2e} "
          f"(logits up to {np.max(np.abs(expected)):.1f}); worst element {worst}: "
          f"{actual.flat[worst]:.6f} vs {expected.flat[worst]:.6f}  {'ok' if ok else 'DIFFERS'}")
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cnnc", default=os.path.join(ROOT, ".build/release/cnnc"))
    parser.add_argument("--models", nargs="*", default=sorted(MODELS), choices=sorted(MODELS))
    parser.add_argument("--generated", action="store_true", help="also compile and check the generated Swift")
    parser.add_argument("--swiftc-flags", default="-O -target-cpu haswell -DCNNC_FMA")
    args = parser.parse_args()
    from safetensors.numpy import save_file

    failures = 0
    with tempfile.TemporaryDirectory() as folder:
        for seed, name in enumerate(args.models):
            print(f"{name}:", flush=True)
            model = keras_model(name)
            randomize(model, seed)
            weights = os.path.join(folder, f"{name}.safetensors")
            save_file(cnnc_tensors(model), weights)
            sample = np.random.default_rng(100 + seed).uniform(-1, 1, (1, 224, 224, 3)).astype(np.float32)
            expected = np.asarray(model.predict(sample, verbose=0), dtype=np.float32)
            np.save(os.path.join(folder, "input.npy"), sample)
            spec = logits_spec(MODELS[name][1], folder)
            output = os.path.join(folder, "output.npy")
            subprocess.run([args.cnnc, "run", spec, "--weights", weights, "--input", os.path.join(folder, "input.npy"),
                            "--output", output], check=True)
            failures += not compare("cnnc run", np.load(output), expected)
            if args.generated:
                source = os.path.join(folder, f"{name}-src")
                subprocess.run([args.cnnc, "build", spec, "-o", source, "--executable"], check=True)
                program = os.path.join(folder, f"{name}-program")
                sources = [os.path.join(source, file) for file in sorted(os.listdir(source))]
                subprocess.run(["swiftc", *args.swiftc_flags.split(), *sources, "-o", program], check=True)
                subprocess.run([program, "--weights", weights, "--input", os.path.join(folder, "input.npy"),
                                "--output", output], check=True)
                failures += not compare("generated", np.load(output), expected)
    print(f"keras reference: {len(args.models) * (2 if args.generated else 1) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
