"""Writes specs/resnet50.yaml, specs/mobilenet_v1.yaml and specs/vgg16.yaml: keras.applications'
ResNet50, MobileNet (v1, alpha 1, 224x224) and VGG16, layer by layer, with Keras's layer names;
and specs/mobilenet_v2.yaml and specs/efficientnet_b0.yaml, translated from the Keras models
themselves (`translate`: each layer's config and inbound layers), which needs Keras:

    python3 Benchmarks/keras_applications.py          # rewrites the first three specs
    KERAS_BACKEND=jax python3 Benchmarks/keras_applications.py --keras   # and the two translated

The layers follow keras/src/applications/{resnet,mobilenet,vgg16}.py with include_top=True and
1000 classes. Two of MobileNet's top layers are written in cnnc's first-release vocabulary:
GlobalAveragePooling2D(keepdims=True), Dropout, Conv2D(1000, 1) and Reshape((1000,)) become
global_avg_pool2d, dropout and dense(1000): the same function and the same 1,025,000 parameters.
The summaries' parameter counts must equal Keras's: 25,636,712, 4,253,864 and 138,357,544
(Tests/cnncTests/ApplicationSpecTests.swift checks them).
"""

import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def flow(**fields):
    """One layer as a YAML flow mapping, keys in the order given."""
    def value(v):
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        if isinstance(v, bool):
            return "true" if v else "false"
        return str(v)
    return "  - {" + ", ".join(f"{key}: {value(v)}" for key, v in fields.items()) + "}"


def resnet50():
    layers = [
        flow(type="zero_padding2d", name="conv1_pad", padding=3),
        flow(type="conv2d", name="conv1_conv", filters=64, kernel_size=7, strides=2),
        flow(type="batch_norm", name="conv1_bn", epsilon="1.001e-5"),
        flow(type="activation", name="conv1_relu", activation="relu"),
        flow(type="zero_padding2d", name="pool1_pad", padding=1),
        flow(type="max_pool2d", name="pool1_pool", pool_size=3, strides=2),
    ]
    previous = "pool1_pool"
    for stack, (filters, blocks, stride) in enumerate([(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)], start=2):
        for block in range(1, blocks + 1):
            name = f"conv{stack}_block{block}"
            strides = stride if block == 1 else 1
            if block == 1:
                layers += [
                    flow(type="conv2d", name=f"{name}_0_conv", filters=4 * filters, kernel_size=1, strides=strides,
                         inputs=[previous]),
                    flow(type="batch_norm", name=f"{name}_0_bn", epsilon="1.001e-5"),
                ]
                shortcut = f"{name}_0_bn"
            else:
                shortcut = previous
            layers += [
                flow(type="conv2d", name=f"{name}_1_conv", filters=filters, kernel_size=1, strides=strides, inputs=[previous]),
                flow(type="batch_norm", name=f"{name}_1_bn", epsilon="1.001e-5"),
                flow(type="activation", name=f"{name}_1_relu", activation="relu"),
                flow(type="conv2d", name=f"{name}_2_conv", filters=filters, kernel_size=3, padding="same"),
                flow(type="batch_norm", name=f"{name}_2_bn", epsilon="1.001e-5"),
                flow(type="activation", name=f"{name}_2_relu", activation="relu"),
                flow(type="conv2d", name=f"{name}_3_conv", filters=4 * filters, kernel_size=1),
                flow(type="batch_norm", name=f"{name}_3_bn", epsilon="1.001e-5"),
                flow(type="add", name=f"{name}_add", inputs=[shortcut, f"{name}_3_bn"]),
                flow(type="activation", name=f"{name}_out", activation="relu"),
            ]
            previous = f"{name}_out"
    layers += [
        flow(type="global_avg_pool2d", name="avg_pool"),
        flow(type="dense", name="predictions", units=1000, activation="softmax"),
    ]
    return "ResNet50", "keras.applications.ResNet50 (weights=None, 1000 classes)", layers


def mobilenet_v1():
    layers = [
        flow(type="conv2d", name="conv1", filters=32, kernel_size=3, strides=2, padding="same", use_bias=False),
        flow(type="batch_norm", name="conv1_bn"),
        flow(type="activation", name="conv1_relu", activation="relu6"),
    ]
    blocks = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)] + [(512, 1)] * 5 + [(1024, 2), (1024, 1)]
    for index, (filters, stride) in enumerate(blocks, start=1):
        if stride == 2:
            layers.append(flow(type="zero_padding2d", name=f"conv_pad_{index}", padding=[[0, 1], [0, 1]]))
        layers += [
            flow(type="depthwise_conv2d", name=f"conv_dw_{index}", kernel_size=3, strides=stride,
                 padding="same" if stride == 1 else "valid", use_bias=False),
            flow(type="batch_norm", name=f"conv_dw_{index}_bn"),
            flow(type="activation", name=f"conv_dw_{index}_relu", activation="relu6"),
            flow(type="conv2d", name=f"conv_pw_{index}", filters=filters, kernel_size=1, use_bias=False),
            flow(type="batch_norm", name=f"conv_pw_{index}_bn"),
            flow(type="activation", name=f"conv_pw_{index}_relu", activation="relu6"),
        ]
    layers += [
        flow(type="global_avg_pool2d", name="global_average_pooling2d"),
        flow(type="dropout", name="dropout", rate="1e-3"),
        flow(type="dense", name="conv_preds", units=1000),
        flow(type="activation", name="predictions", activation="softmax"),
    ]
    return "MobileNetV1", "keras.applications.MobileNet (alpha 1, 224x224, weights=None, 1000 classes)", layers


def vgg16():
    layers = []
    for block, (filters, convs) in enumerate([(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)], start=1):
        for conv in range(1, convs + 1):
            layers.append(flow(type="conv2d", name=f"block{block}_conv{conv}", filters=filters, kernel_size=3,
                               padding="same", activation="relu"))
        layers.append(flow(type="max_pool2d", name=f"block{block}_pool", pool_size=2, strides=2))
    layers += [
        flow(type="flatten", name="flatten"),
        flow(type="dense", name="fc1", units=4096, activation="relu"),
        flow(type="dense", name="fc2", units=4096, activation="relu"),
        flow(type="dense", name="predictions", units=1000, activation="softmax"),
    ]
    return "VGG16", "keras.applications.VGG16 (weights=None, 1000 classes)", layers


def translate(model):
    """The layers of a functional Keras model in the spec's vocabulary, with Keras's names; a layer
    lists `inputs` unless it reads the layer before it."""
    def pair(value):
        value = list(value) if isinstance(value, (list, tuple)) else [value, value]
        return value if value[0] != value[1] else value[0]

    layers, previous = [], "input"
    for layer in model.layers:
        kind, config = type(layer).__name__, layer.get_config()
        if kind == "InputLayer":
            continue
        sources = []
        for tensor in layer._inbound_nodes[0].input_tensors:
            producer = tensor._keras_history.operation
            sources.append("input" if type(producer).__name__ == "InputLayer" else producer.name)
        fields = {}
        if kind == "Conv2D":
            fields = dict(type="conv2d", filters=config["filters"], kernel_size=pair(config["kernel_size"]),
                          strides=pair(config["strides"]), padding=config["padding"],
                          dilation_rate=pair(config["dilation_rate"]), activation=config["activation"],
                          use_bias=config["use_bias"])
        elif kind == "DepthwiseConv2D":
            fields = dict(type="depthwise_conv2d", kernel_size=pair(config["kernel_size"]),
                          depth_multiplier=config["depth_multiplier"], strides=pair(config["strides"]),
                          padding=config["padding"], dilation_rate=pair(config["dilation_rate"]),
                          activation=config["activation"], use_bias=config["use_bias"])
        elif kind == "BatchNormalization":
            fields = dict(type="batch_norm", epsilon=config["epsilon"])
        elif kind == "Activation":
            fields = dict(type="activation", activation=config["activation"])
        elif kind == "ReLU":
            fields = dict(type="relu")
            if config.get("max_value") is not None:
                fields["max_value"] = float(config["max_value"])
            if config.get("negative_slope"):
                fields["negative_slope"] = config["negative_slope"]
            if config.get("threshold"):
                fields["threshold"] = config["threshold"]
        elif kind == "ZeroPadding2D":
            (top, bottom), (left, right) = config["padding"]
            fields = dict(type="zero_padding2d", padding=[[top, bottom], [left, right]])
        elif kind == "Rescaling":
            fields = dict(type="rescaling", scale=config["scale"], offset=config["offset"])
        elif kind == "Normalization":
            fields = dict(type="normalization")
        elif kind in ("GlobalAveragePooling2D", "GlobalMaxPooling2D"):
            fields = dict(type="global_avg_pool2d" if "Average" in kind else "global_max_pool2d")
            if config.get("keepdims"):
                fields["keepdims"] = True
        elif kind == "Reshape":
            fields = dict(type="reshape", target_shape=list(config["target_shape"]))
        elif kind == "Dropout":
            fields = dict(type="dropout", rate=config["rate"])
        elif kind == "Dense":
            fields = dict(type="dense", units=config["units"], activation=config["activation"],
                          use_bias=config["use_bias"])
        elif kind in ("Add", "Multiply"):
            fields = dict(type=kind.lower())
        else:
            raise SystemExit(f"layer {layer.name}: {kind} has no translation")
        # Defaults are left out, so that the spec reads as one would write it.
        for key, default in (("strides", 1), ("padding", "valid"), ("dilation_rate", 1), ("activation", "linear"),
                             ("use_bias", True), ("depth_multiplier", 1), ("offset", 0.0), ("epsilon", 0.001)):
            if fields.get(key) == default:
                del fields[key]
        entry = dict(type=fields.pop("type"), name=layer.name)
        if sources != [previous]:
            entry["inputs"] = sources
        entry.update(fields)
        layers.append(flow(**entry))
        previous = layer.name
    return layers


def keras_models():
    import keras
    v2 = keras.applications.MobileNetV2(weights=None)
    b0 = keras.applications.EfficientNetB0(weights=None)
    return {
        "mobilenet_v2.yaml": ("MobileNetV2", "keras.applications.MobileNetV2 (weights=None, alpha 1, 1000 classes)",
                              translate(v2)),
        "efficientnet_b0.yaml": ("EfficientNetB0", "keras.applications.EfficientNetB0 (weights=None, 1000 classes)",
                                 translate(b0)),
    }


def write(file_name, model):
    name, description, layers = model
    text = "\n".join([
        f"# Generated by Benchmarks/keras_applications.py: {description}, layer by layer.",
        f"name: {name}",
        f"description: {description}",
        "input: {shape: [224, 224, 3]}",
        "layers:",
        *layers,
    ]) + "\n"
    with open(os.path.join(ROOT, "specs", file_name), "w") as f:
        f.write(text)


if __name__ == "__main__":
    import sys
    write("resnet50.yaml", resnet50())
    write("mobilenet_v1.yaml", mobilenet_v1())
    write("vgg16.yaml", vgg16())
    if "--keras" in sys.argv:
        for file_name, model in keras_models().items():
            write(file_name, model)
