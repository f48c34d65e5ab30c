#!/usr/bin/env python3
"""Checks `cnnc export` on every model with weights in the repository and the conformance corpus.

For each model: `cnnc export`, then `onnx.checker.check_model(full_check=True)`, the model's
interface (input `input` float32 [N, H, W, C], output `output` [N, ...], operator set 13 or later
of the default domain only), and ONNX Runtime's output against `cnnc run`'s, and against Keras's
`expected.npy` where there is one, at the contract's tolerance (abs 1e-4 + rel 1e-4 per element).

- specs/*.yaml and *.json, and Tests/OnnxFixtures/specs/*.yaml (every layer type and activation,
  and the layouts that need care): random weights written here (keys and shapes from `cnnc summary
  --format json`), scaled by each kernel's fan-in so that the outputs of the deep models do not
  fade to a constant as they do with glorot_uniform's; a random input. A spec whose last layer
  ends in softmax is checked a second time without it, on the logits, as
  Benchmarks/keras_reference.py does: softmax of random weights is close to uniform (or to one-hot)
  and would hide a difference;
- ../shared/conformance (or $CNNC_CONFORMANCE): each spec with refs/NAME/weights.safetensors, on
  its input.npy;
- Tests/KerasReferences: each refs/NAME with its spec in Tests/KerasReferences/specs or specs/.

Prints one line per model and exits 1 when any fails.

    python3 Tests/OnnxFixtures/check_export.py [--cnnc PATH] [NAME_FILTER ...]

Needs numpy, onnx and onnxruntime.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnx
import onnxruntime

ROOT = Path(__file__).resolve().parents[2]
ABSOLUTE = 1e-4
RELATIVE = 1e-4
MINIMUM_OPSET = 13
# Kernels are He-uniform, which keeps a relu network's activations in range, except where residual
# sums add up: in ResNet-50 the 16 blocks take the logits to 1e4, where float32 rounding alone
# passes the tolerance. Its kernels are scaled down (logits within ±10).
KERNEL_GAIN = {"resnet50": 0.75}


def cnnc(binary, *arguments):
    result = subprocess.run([binary, *map(str, arguments)], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"cnnc {arguments[0]} exited {result.returncode}: {result.stderr.strip()}")
    return result


def worst(actual, expected):
    """The largest difference and whether every element is within the tolerance."""
    if actual.shape != expected.shape:
        raise RuntimeError(f"shape {list(actual.shape)}, expected {list(expected.shape)}")
    difference = np.abs(actual.astype(np.float64) - expected.astype(np.float64))
    allowed = ABSOLUTE + RELATIVE * np.abs(expected.astype(np.float64))
    return float(difference.max(initial=0)), bool(np.all(difference <= allowed))


def check_interface(model, input_shape):
    graph = model.graph
    domains = {(entry.domain, entry.version) for entry in model.opset_import}
    default = [version for domain, version in domains if domain in ("", "ai.onnx")]
    if len(domains) != 1 or not default or default[0] < MINIMUM_OPSET:
        raise RuntimeError(f"operator sets {sorted(domains)}: expected one, the default domain's, >= {MINIMUM_OPSET}")
    foreign = sorted({node.op_type for node in graph.node if node.domain not in ("", "ai.onnx")})
    if foreign:
        raise RuntimeError(f"operators of other domains: {foreign}")
    if [value.name for value in graph.input] != ["input"] or [value.name for value in graph.output] != ["output"]:
        raise RuntimeError(
            f"inputs {[v.name for v in graph.input]}, outputs {[v.name for v in graph.output]}; expected input, output")
    tensor = graph.input[0].type.tensor_type
    dims = [dim.dim_param or dim.dim_value for dim in tensor.shape.dim]
    if tensor.elem_type != onnx.TensorProto.FLOAT or dims != ["N", *input_shape]:
        raise RuntimeError(f"input is {dims} of type {tensor.elem_type}, expected float32 ['N', *{input_shape}]")
    if graph.output[0].type.tensor_type.shape.dim[0].dim_param != "N":
        raise RuntimeError("the output's batch axis is not the symbolic N")


def fan_in(layer_type, parameter, shape):
    """The inputs each output of a kernel sums over."""
    if parameter == "depthwise_kernel" or layer_type == "depthwise_conv2d":
        return shape[0] * shape[1]
    if layer_type == "conv2d_transpose":
        return shape[0] * shape[1] * shape[3]
    return int(np.prod(shape[:-1]))


def write_random_weights(summary, path, seed, gain=1.0):
    """Writes the weights `summary` declares as safetensors: He-uniform kernels (times `gain`),
    small biases and shifts, scales near 1, positive variances."""
    rng = np.random.default_rng(seed)
    tensors = {}
    for layer in summary["layers"]:
        for weight in layer["weights"]:
            shape = weight["shape"]
            parameter = weight["key"].rsplit(".", 1)[1]
            if parameter.endswith("kernel"):
                limit = gain * np.sqrt(6 / fan_in(layer["type"], parameter, shape))
                values = rng.uniform(-limit, limit, shape)
            elif parameter == "gamma":
                values = rng.uniform(0.8, 1.2, shape)
            elif parameter.endswith("variance"):
                values = rng.uniform(0.5, 1.5, shape)
            else:
                values = rng.uniform(-0.1, 0.1, shape)
            tensors[weight["key"]] = values.astype("<f4")
    header = {}
    offset = 0
    for key, values in tensors.items():
        header[key] = {"dtype": "F32", "shape": list(values.shape), "data_offsets": [offset, offset + values.nbytes]}
        offset += values.nbytes
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as file:
        file.write(len(text).to_bytes(8, "little") + text)
        for values in tensors.values():
            file.write(values.tobytes())


def check(binary, name, spec, weights, batch, expected, folder):
    """Exports one model and compares; returns the report line's details."""
    if weights is None:
        weights = folder / f"{name}.safetensors"
        summary = json.loads(cnnc(binary, "summary", spec, "--format", "json").stdout)
        write_random_weights(summary, weights, seed=7, gain=KERNEL_GAIN.get(spec.stem.removesuffix("_logits"), 1.0))
    exported = folder / f"{name}.onnx"
    start = time.monotonic()
    cnnc(binary, "export", spec, "--weights", weights, "-o", exported)
    seconds = time.monotonic() - start
    model = onnx.load(exported)
    onnx.checker.check_model(model, full_check=True)
    check_interface(model, list(batch.shape[1:]))

    batch_path = folder / f"{name}.input.npy"
    np.save(batch_path, batch)
    reference_path = folder / f"{name}.cnnc.npy"
    cnnc(binary, "run", spec, "--weights", weights, "--input", batch_path, "--output", reference_path)
    reference = np.load(reference_path)

    session = onnxruntime.InferenceSession(str(exported), providers=["CPUExecutionProvider"])
    actual = session.run(["output"], {"input": batch})[0]
    difference, ok = worst(actual, reference)
    details = [f"output in [{reference.min():.3g}, {reference.max():.3g}]", f"vs cnnc run {difference:.1e}"]
    if expected is not None:
        keras_difference, keras_ok = worst(actual, expected)
        details.append(f"vs Keras {keras_difference:.1e}")
        ok = ok and keras_ok
    operators = len({node.op_type for node in model.graph.node})
    details.append(f"{len(model.graph.node)} nodes of {operators} operators, {exported.stat().st_size:,} bytes")
    details.append(f"export {seconds:.2f} s")
    return ok, ", ".join(details)


def logits_spec(spec, folder):
    """The spec without its last layer's softmax (the activation, or an activation layer), or None
    when it has none."""
    lines = spec.read_text().rstrip("\n").splitlines()
    last = lines[-1]
    if "softmax" not in last:
        return None
    if "type: activation" in last or "type: softmax" in last:
        lines = lines[:-1]
    else:
        lines[-1] = last.replace(", activation: softmax", "")
    path = folder / f"{spec.stem}_logits{spec.suffix}"
    path.write_text("\n".join(lines) + "\n")
    return path


def cases(binary, folder):
    """(name, spec, weights, input batch, expected output or None) for every model; the weights
    are None where `check` writes random ones."""
    rng = np.random.default_rng(7)
    specs = sorted(list((ROOT / "specs").glob("*.yaml")) + list((ROOT / "specs").glob("*.json")))
    fixtures = sorted((ROOT / "Tests" / "OnnxFixtures" / "specs").glob("*.yaml"))
    for spec in specs + fixtures:
        summary = json.loads(cnnc(binary, "summary", spec, "--format", "json").stdout)
        shape = summary["input_shape"]
        batch = 1 if np.prod(shape) > 50_000 else 2
        data = rng.random((batch, *shape), dtype=np.float32)
        yield str(spec.relative_to(ROOT)), spec, None, data, None
        logits = logits_spec(spec, folder) if spec.parent.name == "specs" and spec.suffix == ".yaml" else None
        if logits is not None:
            yield f"{spec.relative_to(ROOT)} (logits)", logits, None, data, None

    conformance = Path(os.environ.get("CNNC_CONFORMANCE", ROOT.parent / "shared" / "conformance"))
    if not (conformance / "refs").is_dir():
        raise RuntimeError(f"no conformance corpus at {conformance} (set CNNC_CONFORMANCE)")
    for spec in sorted((conformance / "specs").iterdir()):
        if spec.suffix not in (".yaml", ".yml", ".json"):
            continue
        refs = conformance / "refs" / spec.stem
        if (refs / "weights.safetensors").exists():
            yield (
                f"conformance/{spec.name}", spec, refs / "weights.safetensors", np.load(refs / "input.npy"),
                np.load(refs / "expected.npy"))

    keras = ROOT / "Tests" / "KerasReferences"
    for refs in sorted((keras / "refs").iterdir()):
        spec = next(
            (path for path in (keras / "specs" / f"{refs.name}.yaml", ROOT / "specs" / f"{refs.name}.yaml")
             if path.exists()), None)
        if spec is None:
            raise RuntimeError(f"no spec for {refs}")
        yield (
            f"KerasReferences/{refs.name}", spec, refs / "weights.safetensors", np.load(refs / "input.npy"),
            np.load(refs / "expected.npy"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cnnc", default=str(ROOT / ".build" / "debug" / "cnnc"), help="the cnnc binary")
    parser.add_argument("filters", nargs="*", help="check only models whose name contains one of these")
    arguments = parser.parse_args()

    failures = 0
    count = 0
    with tempfile.TemporaryDirectory(prefix="cnnc-export-") as temporary:
        folder = Path(temporary)
        for name, spec, weights, batch, expected in cases(arguments.cnnc, folder):
            if arguments.filters and not any(text in name for text in arguments.filters):
                continue
            count += 1
            stem = name.replace("/", "_").replace(" ", "_")
            try:
                ok, details = check(arguments.cnnc, stem, spec, weights, batch, expected, folder)
            except Exception as error:  # noqa: BLE001 - every failure is reported, then the next model runs
                ok, details = False, f"{type(error).__name__}: {error}"
            failures += not ok
            print(f"{'ok  ' if ok else 'FAIL'} {name}: {details}", flush=True)
            for path in folder.glob(f"{stem}.*"):
                path.unlink()
    summary = f"{count - failures} of {count} models exported, checked and matched"
    print(summary + (f"; {failures} failed" if failures else ""))
    return 1 if failures or count == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
