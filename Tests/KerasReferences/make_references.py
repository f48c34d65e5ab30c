"""Keras 3's outputs for the second-wave layers on small specs, committed as reference files.

    python3 -m venv .build/keras && .build/keras/bin/pip install keras jax safetensors pyyaml
    KERAS_BACKEND=jax .build/keras/bin/python Tests/KerasReferences/make_references.py

For each spec in Tests/KerasReferences/specs/ the script builds the same model in Keras (layer by
layer, Keras's classes and arguments, `translate` below), gives it seeded random weights, and
writes Tests/KerasReferences/refs/<spec name>/: weights.safetensors (the contract's keys), input.npy
(two samples) and expected.npy (`model.predict`). KerasReferenceTests runs cnnc on them at the
contract's tolerance. The specs cover what the conformance corpus leaves out: bilinear upsampling
at odd sizes and factors, transposed convolution with `same` and strides 2 and 3, every relu
form, broadcasting merges of every kind, normalization and rescaling, reshape and cropping; and
the example U-Net, specs/unet_small.yaml, whole.
"""

import os

import numpy as np
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))


def pair(value, default):
    value = default if value is None else value
    return tuple(value) if isinstance(value, list) else (value, value)


def padding(value, default):
    value = default if value is None else value
    if isinstance(value, int):
        return ((value, value), (value, value))
    if isinstance(value[0], list):
        return tuple(tuple(side) for side in value)
    return ((value[0], value[0]), (value[1], value[1]))


def translate(spec):
    """The spec's model in Keras: each layer's class and arguments, named as the spec names it."""
    import keras
    from keras import layers as L

    inputs = keras.Input(tuple(spec["input"]["shape"]))
    outputs, previous, counters = {"input": inputs}, "input", {}
    for entry in spec["layers"]:
        kind = entry["type"]
        count = counters.get(kind, 0)
        name = entry.get("name") or (kind if count == 0 else f"{kind}_{count}")
        if "name" not in entry:
            counters[kind] = count + 1
        sources = [outputs[source] for source in entry.get("inputs", [previous])]
        pad = entry.get("padding", "valid")
        pad = pad.lower() if isinstance(pad, str) else pad
        if kind == "conv2d":
            layer = L.Conv2D(entry["filters"], pair(entry["kernel_size"], None), strides=pair(entry.get("strides"), 1),
                             padding=pad, activation=entry.get("activation"), name=name)
        elif kind == "conv2d_transpose":
            layer = L.Conv2DTranspose(entry["filters"], pair(entry["kernel_size"], None),
                                      strides=pair(entry.get("strides"), 1), padding=pad,
                                      activation=entry.get("activation"), use_bias=entry.get("use_bias", True),
                                      name=name)
        elif kind == "upsampling2d":
            layer = L.UpSampling2D(pair(entry.get("size"), 2), interpolation=entry.get("interpolation", "nearest"),
                                   name=name)
        elif kind == "cropping2d":
            layer = L.Cropping2D(padding(entry.get("cropping"), 0), name=name)
        elif kind == "rescaling":
            layer = L.Rescaling(entry["scale"], offset=entry.get("offset", 0.0), name=name)
        elif kind == "normalization":
            layer = L.Normalization(mean=entry.get("mean"), variance=entry.get("variance"), name=name)
        elif kind == "reshape":
            layer = L.Reshape(tuple(entry["target_shape"]), name=name)
        elif kind == "relu":
            layer = L.ReLU(max_value=entry.get("max_value"), negative_slope=entry.get("negative_slope", 0.0),
                           threshold=entry.get("threshold", 0.0), name=name)
        elif kind == "leaky_relu":
            layer = L.LeakyReLU(negative_slope=entry.get("negative_slope", 0.3), name=name)
        elif kind == "softmax":
            layer = L.Softmax(name=name)
        elif kind in ("global_avg_pool2d", "global_max_pool2d"):
            cls = L.GlobalAveragePooling2D if kind == "global_avg_pool2d" else L.GlobalMaxPooling2D
            layer = cls(keepdims=entry.get("keepdims", False), name=name)
        elif kind in ("max_pool2d", "avg_pool2d"):
            cls = L.MaxPooling2D if kind == "max_pool2d" else L.AveragePooling2D
            size = pair(entry.get("pool_size"), 2)
            layer = cls(size, strides=pair(entry["strides"], None) if "strides" in entry else size, padding=pad, name=name)
        elif kind == "flatten":
            layer = L.Flatten(name=name)
        elif kind == "dense":
            layer = L.Dense(entry["units"], activation=entry.get("activation"), name=name)
        elif kind in ("add", "multiply", "subtract", "average", "maximum", "minimum"):
            layer = getattr(L, kind.capitalize())(name=name)
        elif kind == "concatenate":
            layer = L.Concatenate(name=name)
        else:
            raise SystemExit(f"{kind}: no translation")
        merge = kind in ("add", "multiply", "subtract", "average", "maximum", "minimum", "concatenate")
        if merge and kind != "concatenate" and any(s.shape != sources[0].shape for s in sources):
            # Keras's merges broadcast as NumPy does; build them from ops so that its shape check
            # (equal shapes but for the batch) does not stand in the way.
            from keras import ops
            result = sources[0]
            for other in sources[1:]:
                result = {"add": ops.add, "multiply": ops.multiply, "subtract": ops.subtract,
                          "average": ops.add, "maximum": ops.maximum, "minimum": ops.minimum}[kind](result, other)
            if kind == "average":
                result = result / len(sources)
            outputs[name] = result
        else:
            outputs[name] = layer(sources if merge else sources[0])
        previous = name
    return keras.Model(inputs, outputs[previous])


def main():
    from safetensors.numpy import save_file

    specs = sorted(name for name in os.listdir(os.path.join(HERE, "specs")) if name.endswith(".yaml"))
    # The example U-Net of specs/, at its full size: its output is 64x64 probabilities.
    paths = [os.path.join(HERE, "specs", name) for name in specs] + [os.path.join(HERE, "../../specs/unet_small.yaml")]
    for seed, path in enumerate(paths):
        file_name = os.path.basename(path)
        with open(path) as f:
            spec = yaml.safe_load(f)
        model = translate(spec)
        rng = np.random.default_rng(seed)
        tensors = {}
        for layer in model.layers:
            values = []
            for weight in layer.weights:
                key = weight.path.split("/")[-1]
                shape = tuple(weight.shape)
                # Kernels scaled by their fan-in, so that a deep model's activations stay O(1).
                spread = (1 / np.prod(shape[:-1])) ** 0.5 if key == "kernel" else 0.5
                value = rng.normal(0, spread, shape).astype(np.float32)
                if key == "variance":
                    value = rng.uniform(0.5, 2.0, tuple(weight.shape)).astype(np.float32)
                if key == "count":
                    value = np.asarray(weight.numpy())
                values.append(value)
                if key != "count":
                    tensors[f"{layer.name}.{key}"] = value
            if values:
                layer.set_weights(values)
                # A normalization computes with copies of its statistics made when they were
                # adapted or loaded; set_weights alone leaves the old ones in use.
                if hasattr(layer, "finalize_state"):
                    layer.finalize_state()
        sample = rng.uniform(-1, 1, (2, *spec["input"]["shape"])).astype(np.float32)
        expected = np.asarray(model.predict(sample, verbose=0), dtype=np.float32)
        folder = os.path.join(HERE, "refs", file_name[: -len(".yaml")])
        os.makedirs(folder, exist_ok=True)
        if tensors:
            save_file(tensors, os.path.join(folder, "weights.safetensors"))
        np.save(os.path.join(folder, "input.npy"), sample)
        np.save(os.path.join(folder, "expected.npy"), expected)
        print(f"{file_name}: output {expected.shape}, {len(tensors)} tensors")


if __name__ == "__main__":
    main()
