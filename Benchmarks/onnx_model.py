"""Build random weights, an input batch and the equivalent ONNX model for a cnnc spec.

The ONNX graph has the shape the conformance corpus's model.onnx files have (and tf2onnx
produces): NHWC input transposed to NCHW, one ONNX operator per layer, transposed back to NHWC
before flatten. Layer names, types and shapes come from `cnnc summary --format json`, the options
from the spec itself, so the model is exactly the spec cnnc compiles.
"""

import json
import struct
import subprocess

import numpy as np
import onnx
import yaml
from onnx import TensorProto, helper, numpy_helper


def summary(cnnc, spec):
    out = subprocess.run([cnnc, "summary", "--format", "json", spec], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def pair(value, default):
    value = default if value is None else value
    return list(value) if isinstance(value, list) else [value, value]


def random_weights(model, options, seed=0):
    """Weights with Keras's shapes and the contract's keys, scaled so activations stay O(1)."""
    rng = np.random.default_rng(seed)
    shapes = {"input": model["input_shape"]}
    weights = {}
    for layer, spec in zip(model["layers"], options):
        name, kind = layer["name"], layer["type"]
        source = shapes[layer["inputs"][0]] if layer["inputs"] else None
        if kind == "conv2d":
            kh, kw = pair(spec.get("kernel_size"), None)
            fan_in = kh * kw * source[-1]
            weights[name + ".kernel"] = rng.normal(0, (2 / fan_in) ** 0.5, (kh, kw, source[-1], spec["filters"]))
            if spec.get("use_bias", True):
                weights[name + ".bias"] = rng.normal(0, 0.1, (spec["filters"],))
        elif kind == "depthwise_conv2d":
            kh, kw = pair(spec.get("kernel_size"), None)
            mult = spec.get("depth_multiplier", 1)
            weights[name + ".kernel"] = rng.normal(0, (2 / (kh * kw)) ** 0.5, (kh, kw, source[-1], mult))
            if spec.get("use_bias", True):
                weights[name + ".bias"] = rng.normal(0, 0.1, (source[-1] * mult,))
        elif kind == "dense":
            weights[name + ".kernel"] = rng.normal(0, (2 / source[-1]) ** 0.5, (source[-1], spec["units"]))
            if spec.get("use_bias", True):
                weights[name + ".bias"] = rng.normal(0, 0.1, (spec["units"],))
        elif kind == "batch_norm":
            c = source[-1]
            weights[name + ".gamma"] = rng.uniform(0.5, 1.5, c)
            weights[name + ".beta"] = rng.normal(0, 0.1, c)
            weights[name + ".moving_mean"] = rng.normal(0, 0.1, c)
            weights[name + ".moving_variance"] = rng.uniform(0.5, 1.5, c)
        elif kind == "normalization" and "mean" not in spec:
            weights[name + ".mean"] = rng.normal(0, 0.1, source[-1])
            weights[name + ".variance"] = rng.uniform(0.5, 1.5, source[-1])
        shapes[name] = layer["output_shape"]
    return {key: value.astype(np.float32) for key, value in weights.items()}


def write_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for key in sorted(tensors):
        data = np.ascontiguousarray(tensors[key], dtype="<f4").tobytes()
        header[key] = {"dtype": "F32", "shape": list(tensors[key].shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


ACTIVATIONS = {"relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh", "softsign": "Softsign", "softplus": "Softplus"}


def onnx_model(model, options, weights):
    nodes, initializers, counter = [], [], [0]

    def fresh(base):
        counter[0] += 1
        return f"{base}__{counter[0]}"

    def constant(base, array):
        name = fresh(base)
        initializers.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def node(op, inputs, base, **attributes):
        output = fresh(base)
        nodes.append(helper.make_node(op, inputs, [output], **attributes))
        return output

    def activation(value, name, kind):
        if kind in (None, "linear"):
            return value
        if kind in ACTIVATIONS:
            return node(ACTIVATIONS[kind], [value], name)
        if kind == "relu6":
            return node("Clip", [value, constant(name + "_lo", np.float32(0)), constant(name + "_hi", np.float32(6))], name)
        if kind == "leaky_relu":
            return node("LeakyRelu", [value], name, alpha=0.2)
        if kind == "elu":
            return node("Elu", [value], name, alpha=1.0)
        if kind in ("swish", "silu"):
            return node("Mul", [value, node("Sigmoid", [value], name)], name)
        if kind == "softmax":
            return node("Softmax", [value], name, axis=1)  # channels in NCHW, units after flatten
        raise SystemExit(f"onnx_model.py: activation {kind} is not translated")

    def same_pads(size, kernel, stride, dilation):
        pads = []
        for axis in range(2):
            extent = dilation[axis] * (kernel[axis] - 1) + 1
            out = -(-size[axis] // stride[axis])
            total = max((out - 1) * stride[axis] + extent - size[axis], 0)
            pads.append((total // 2, total - total // 2))
        return [pads[0][0], pads[1][0], pads[0][1], pads[1][1]]

    values = {"input": "input"}
    shapes = {"input": model["input_shape"]}
    nchw = {}
    start = node("Transpose", ["input"], "input_nchw", perm=[0, 3, 1, 2])
    values["input"] = start
    nchw[start] = True
    for layer, spec in zip(model["layers"], options):
        name, kind = layer["name"], layer["type"]
        inputs = [values[i] for i in layer["inputs"]]
        source = shapes[layer["inputs"][0]]
        x = inputs[0]
        if kind in ("conv2d", "depthwise_conv2d"):
            kernel = weights[name + ".kernel"]
            kh, kw = kernel.shape[:2]
            stride = pair(spec.get("strides"), 1)
            dilation = pair(spec.get("dilation_rate"), 1)
            pads = same_pads(source[:2], (kh, kw), stride, dilation) if spec.get("padding") == "same" else [0, 0, 0, 0]
            if kind == "conv2d":
                w, group = kernel.transpose(3, 2, 0, 1), 1
            else:
                w, group = kernel.reshape(kh, kw, -1).transpose(2, 0, 1)[:, None], source[-1]
            args = [x, constant(name + "_W", np.ascontiguousarray(w))]
            if name + ".bias" in weights:
                args.append(constant(name + "_B", weights[name + ".bias"]))
            x = node("Conv", args, name, kernel_shape=[kh, kw], strides=stride, dilations=dilation, pads=pads,
                     group=group)
            x = activation(x, name, spec.get("activation"))
        elif kind in ("max_pool2d", "avg_pool2d"):
            pool = pair(spec.get("pool_size"), 2)
            stride = pair(spec.get("strides"), None) if spec.get("strides") is not None else pool
            pads = same_pads(source[:2], pool, stride, (1, 1)) if spec.get("padding") == "same" else [0, 0, 0, 0]
            if kind == "max_pool2d":
                x = node("MaxPool", [x], name, kernel_shape=pool, strides=stride, pads=pads)
            else:
                x = node("AveragePool", [x], name, kernel_shape=pool, strides=stride, pads=pads, count_include_pad=0)
        elif kind in ("global_avg_pool2d", "global_max_pool2d"):
            op = "GlobalAveragePool" if kind == "global_avg_pool2d" else "GlobalMaxPool"
            x = node(op, [x], name)
            if not spec.get("keepdims"):
                x = node("Flatten", [x], name, axis=1)
        elif kind == "zero_padding2d":
            p = spec.get("padding", 1)
            (t, b), (l, r) = (p if isinstance(p[0], list) else [[p[0]] * 2, [p[1]] * 2]) if isinstance(p, list) else ((p, p), (p, p))
            x = node("Pad", [x, constant(name + "_pads", np.array([0, 0, t, l, 0, 0, b, r], np.int64))], name)
        elif kind == "batch_norm":
            args = [x] + [constant(name + "_" + k, weights[f"{name}.{k}"])
                          for k in ("gamma", "beta", "moving_mean", "moving_variance")]
            x = node("BatchNormalization", args, name, epsilon=float(spec.get("epsilon", 0.001)))
        elif kind == "flatten":
            x = node("Flatten", [node("Transpose", [x], name, perm=[0, 2, 3, 1])], name, axis=1)
        elif kind == "dense":
            args = [x, constant(name + "_W", weights[name + ".kernel"])]
            if name + ".bias" in weights:
                args.append(constant(name + "_B", weights[name + ".bias"]))
            x = activation(node("Gemm", args, name), name, spec.get("activation"))
        elif kind == "activation":
            x = activation(x, name, spec["activation"])
        elif kind == "dropout":
            pass
        elif kind == "relu":
            # The spec forms the benchmarked models use: relu, and relu with max_value (ReLU(6.)).
            if spec.get("negative_slope") or spec.get("threshold"):
                raise SystemExit("onnx_model.py: relu with negative_slope or threshold is not translated")
            high = spec.get("max_value")
            x = node("Relu", [x], name) if high is None else node(
                "Clip", [x, constant(name + "_lo", np.float32(0)), constant(name + "_hi", np.float32(high))], name)
        elif kind in ("rescaling", "normalization"):
            channels = source[-1]
            if kind == "rescaling":
                scale = np.full(channels, spec["scale"], np.float32)
                shift = np.full(channels, spec.get("offset", 0), np.float32)
            else:
                mean = np.broadcast_to(np.asarray(spec["mean"] if "mean" in spec else weights[name + ".mean"], np.float32), channels)
                variance = np.broadcast_to(
                    np.asarray(spec["variance"] if "variance" in spec else weights[name + ".variance"], np.float32), channels)
                scale = 1 / np.maximum(np.sqrt(variance), 1e-7)
                shift = -mean * scale
            axes = [1, channels, 1, 1] if len(source) == 3 else [1, channels]
            x = node("Add", [node("Mul", [x, constant(name + "_scale", scale.reshape(axes).astype(np.float32))], name),
                             constant(name + "_shift", shift.reshape(axes).astype(np.float32))], name)
        elif kind == "reshape":
            target = layer["output_shape"]
            if len(source) == 3:
                x = node("Flatten", [node("Transpose", [x], name, perm=[0, 2, 3, 1])], name, axis=1)
            if len(target) == 3:
                shape = constant(name + "_shape", np.array([-1] + target, np.int64))
                x = node("Transpose", [node("Reshape", [x, shape], name)], name, perm=[0, 3, 1, 2])
        elif kind in ("multiply", "maximum", "minimum"):
            x = node({"multiply": "Mul", "maximum": "Max", "minimum": "Min"}[kind], inputs, name)
        elif kind == "add":
            x = node("Sum", inputs, name)
        elif kind == "concatenate":
            x = node("Concat", inputs, name, axis=1)
        else:
            raise SystemExit(f"onnx_model.py: layer type {kind} is not translated")
        nchw[x] = len(layer["output_shape"]) == 3
        values[name] = x
        shapes[name] = layer["output_shape"]
    if nchw[x]:
        x = node("Transpose", [x], "output_nhwc", perm=[0, 2, 3, 1])
    nodes.append(helper.make_node("Identity", [x], ["output"]))
    graph = helper.make_graph(
        nodes, model["name"],
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N"] + model["input_shape"])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["N"] + model["output_shape"])],
        initializers)
    result = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(result)
    return result


def build(cnnc, spec, folder, batch, seed=0):
    """Writes weights.safetensors, input.npy and model.onnx for `spec` into `folder`."""
    model = summary(cnnc, spec)
    with open(spec) as f:
        options = yaml.safe_load(f)["layers"]
    weights = random_weights(model, options, seed)
    write_safetensors(f"{folder}/weights.safetensors", weights)
    rng = np.random.default_rng(seed + 1)
    np.save(f"{folder}/input.npy", rng.uniform(0, 1, [batch] + model["input_shape"]).astype(np.float32))
    onnx.save(onnx_model(model, options, weights), f"{folder}/model.onnx")
    return model
