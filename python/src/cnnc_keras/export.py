"""`export`: a trained Keras model as a spec (YAML) and its weights (safetensors, cnnc's keys).

Each layer use (`graph.walk`) becomes one spec layer through the layer table (`layers.TYPES`):
the Keras config's values are written in the spec's shortest form and left out where they are the
default, so the spec reads as a person would write it. A layer is named as in Keras, and the name
is left out where it is the one cnnc would give it anyway. Every layer that has no spec
equivalent is collected, and one `ExportError` names them all.
"""

from __future__ import annotations

import os
import re
from typing import Any, Callable

import numpy as np

from .errors import ExportError
from .graph import Use, walk
from .layers import BY_KERAS_CLASS, REQUIRED, SAME_AS_POOL_SIZE, TYPES, LayerType
from .naming import NAME, default_name
from .specfile import write_spec
from .values import Unexpressible
from .weights import layer_parameters, numpy_value

#: A spec layer: its type, its keys (without type, name and inputs) and its tensors by parameter.
Converted = tuple[str, dict[str, Any], dict[str, np.ndarray]]

#: Keras's names for models it names itself; such a name is not written as the spec's type name.
_AUTOMATIC_MODEL_NAME = re.compile(r"(sequential|functional|model)(_\d+)?")

#: Names a generated Swift type cannot take (Swift keywords, and types the generated file uses),
#: as cnnc's `Identifier` in Sources/CNNSpec/SpecParser.swift lists them.
RESERVED_TYPE_NAMES = frozenset("""
    Any Self Type as associatedtype break case catch class continue default defer deinit do else enum extension
    fallthrough false fileprivate for func guard if import in init inout internal is let nil open operator private
    protocol public repeat rethrows return self static struct subscript super switch throw throws true try typealias
    var where while
    Activation Array Bool Clamp CommandLine Data Dictionary DispatchTime Double Error FileHandle FileManager Float
    FloatStore Foundation Int Int32 JSONSerialization MatrixRows Never NumPyProblem Optional Patches Result RowSource
    SIMD16 Sendable Set String Swift TileRows UInt16 UInt32 UInt64 UInt8 UnsafeMutablePointer UnsafeMutableRawPointer
    UnsafePointer UnsafeRawPointer Vector WeightsProblem""".split())


def _fields(layer_type: LayerType, config: dict[str, Any]) -> dict[str, Any]:
    """The spec keys of a table-driven layer from its Keras config, defaults left out."""
    values = {f.key: f.kind.to_spec(config.get(f.keras_name)) for f in layer_type.fields}
    fields = {}
    for f in layer_type.fields:
        default = values.get("pool_size") if f.default is SAME_AS_POOL_SIZE else f.default
        if f.default is REQUIRED or values[f.key] != default:
            fields[f.key] = values[f.key]
    return fields


def _tensors(use: Use, layer_type: LayerType) -> dict[str, np.ndarray]:
    return {p: numpy_value(v) for p, v in layer_parameters(use.operation, layer_type).items()}


def _require(condition: bool, reason: str) -> None:
    if not condition:
        raise Unexpressible(reason)


def _last_axis(axis: Any, rank: int) -> bool:
    axes = list(axis) if isinstance(axis, (list, tuple)) else [axis]
    return len(axes) == 1 and axes[0] in (-1, rank)


def _table(use: Use, config: dict[str, Any]) -> Converted:
    layer_type = BY_KERAS_CLASS[use.class_name]
    return layer_type.name, _fields(layer_type, config), _tensors(use, layer_type)


def _conv2d(use: Use, config: dict[str, Any]) -> Converted:
    _require(config.get("groups", 1) == 1, f"groups={config.get('groups')}: the spec's conv2d has no groups")
    return _table(use, config)


def _conv2d_transpose(use: Use, config: dict[str, Any]) -> Converted:
    _require(config.get("output_padding") is None, "output_padding is set; the spec's conv2d_transpose has none")
    _require(tuple(config.get("dilation_rate", (1, 1))) == (1, 1),
             "dilation_rate > 1; the spec's conv2d_transpose has no dilation")
    return _table(use, config)


def _dense(use: Use, config: dict[str, Any]) -> Converted:
    rank = len(use.input_shapes[0])
    if rank == 1:
        return _table(use, config)
    _require(rank == 3, f"it acts on the last axis of a rank-{rank} input; the spec's dense needs a flat input")
    # On a feature map, Keras's Dense is a 1x1 convolution: the same kernel with two unit axes.
    fields = {"filters": config["units"], "kernel_size": 1, **_fields(TYPES["dense"], config)}
    del fields["units"]
    tensors = _tensors(use, TYPES["dense"])
    tensors["kernel"] = tensors["kernel"].reshape(1, 1, *tensors["kernel"].shape)
    return "conv2d", fields, tensors


def _batch_norm(use: Use, config: dict[str, Any]) -> Converted:
    rank = len(use.input_shapes[0])
    _require(_last_axis(config.get("axis", -1), rank), f"axis={config.get('axis')}: the spec's batch_norm "
             "normalizes the last (channel) axis")
    kind, fields, tensors = _table(use, config)
    channels = use.input_shapes[0][-1]
    # Without center or scale, Keras has no beta or gamma: the spec's batch_norm has them as 0 and 1.
    tensors.setdefault("gamma", np.ones(channels, np.float32))
    tensors.setdefault("beta", np.zeros(channels, np.float32))
    return kind, fields, {key: tensors[key] for key in ("gamma", "beta", "moving_mean", "moving_variance")}


def _last_axis_layer(use: Use, config: dict[str, Any]) -> Converted:
    rank = len(use.input_shapes[0])
    _require(_last_axis(config.get("axis", -1), rank), f"axis={config.get('axis')}: the spec's "
             f"{BY_KERAS_CLASS[use.class_name].name} works on the last axis")
    return _table(use, config)


def _normalization(use: Use, config: dict[str, Any]) -> Converted:
    rank, axis = len(use.input_shapes[0]), config.get("axis", -1)
    # axis=None: one mean and variance for all values, which is the same number for every channel.
    _require(axis in (None, ()) or _last_axis(axis, rank), f"axis={axis}: the spec's normalization works on the "
             "last axis")
    _require(not config.get("invert"), "invert=True: the spec's normalization does not invert")
    if config.get("mean") is not None:
        return _table(use, config)
    layer, channels = use.operation, use.input_shapes[0][-1]
    # The statistics Keras computes with (set by adapt or finalize_state), one value per channel.
    mean, variance = (np.broadcast_to(numpy_value(value).reshape(-1), (channels,)).copy()
                      for value in (layer.mean, layer.variance))
    return "normalization", {}, {"mean": mean, "variance": variance}


def _elu(use: Use, config: dict[str, Any]) -> Converted:
    _require(config.get("alpha", 1.0) == 1.0, f"alpha={config.get('alpha')}: the spec's elu has alpha 1")
    return "activation", {"activation": "elu"}, {}


def _spatial_dropout(use: Use, config: dict[str, Any]) -> Converted:
    return "dropout", _fields(TYPES["dropout"], config), {}


def _leaky_relu(use: Use, config: dict[str, Any]) -> Converted:
    if "negative_slope" not in config and "alpha" in config:  # Keras 2's name for it
        config = {**config, "negative_slope": config["alpha"]}
    return _table(use, config)


_CONVERTERS: dict[str, Callable[[Use, dict[str, Any]], Converted]] = {
    **{name: _table for name in BY_KERAS_CLASS},
    "Conv2D": _conv2d,
    "Conv2DTranspose": _conv2d_transpose,
    "Dense": _dense,
    "BatchNormalization": _batch_norm,
    "Softmax": _last_axis_layer,
    "Concatenate": _last_axis_layer,
    "Normalization": _normalization,
    "LeakyReLU": _leaky_relu,
    "ELU": _elu,
    "SpatialDropout2D": _spatial_dropout,
}

#: `keras.ops` functions of two tensors that are a spec merge (`x + y` in a functional model).
_OPERATIONS = {"Add": "add", "Subtract": "subtract", "Multiply": "multiply", "Maximum": "maximum",
               "Minimum": "minimum"}


def _convert(use: Use) -> Converted:
    import keras

    operation, name = use.operation, use.class_name
    if not isinstance(operation, keras.layers.Layer):
        arguments = use.node.arguments
        tensors = [a for a in arguments.args if isinstance(a, keras.KerasTensor)]
        if name in _OPERATIONS and len(arguments.args) == 2 and len(tensors) == 2 and not arguments.kwargs:
            return _OPERATIONS[name], {}, {}
        raise Unexpressible(f"keras.ops operation '{name}' has no spec equivalent")
    if name not in _CONVERTERS or type(operation) is not getattr(keras.layers, name, None):
        raise Unexpressible("no spec layer type does what it does")
    config = operation.get_config()
    _require(config.get("data_format", "channels_last") == "channels_last",
             "data_format='channels_first': cnnc is channels-last; build the layer with "
             "data_format='channels_last' and give the model NHWC input (x.transpose(0, 2, 3, 1))")
    return _CONVERTERS[name](use, config)


def _model_name(model: Any, name: str | None) -> str | None:
    if name is not None:
        return name
    if _AUTOMATIC_MODEL_NAME.fullmatch(model.name) or not NAME.fullmatch(model.name):
        return None
    return None if model.name in RESERVED_TYPE_NAMES else model.name


def export(model: Any, spec_path: str | os.PathLike, weights_path: str | os.PathLike, *,
           name: str | None = None) -> None:
    """Writes ``model`` (a Sequential or functional Keras model) as a spec and its weights.

    ``spec_path`` gets a YAML spec, ``weights_path`` a safetensors file with cnnc's keys
    (`<layer>.<param>`, Keras's shapes). ``name`` is the spec's `name:` (the Swift type name);
    by default the model's own name, unless Keras made it up (`sequential_1`), which leaves the
    type to be named after the spec's file. Raises ``ExportError`` naming every layer (name and
    class) the spec cannot express, before anything is written.
    """
    from safetensors.numpy import save_file

    shape, uses = walk(model)
    converted: list[tuple[Use, Converted]] = []
    problems = [(use.operation.name, use.class_name, reason) for use in uses for reason in use.problems]
    for use in uses:
        try:
            converted.append((use, _convert(use)))
        except Unexpressible as problem:
            problems.append((use.operation.name, use.class_name, str(problem)))
    if problems:
        count = len({problem[0] for problem in problems})
        raise ExportError(f"model '{model.name}': {count} layer{'s' if count > 1 else ''} cannot be written "
                          "as a spec:", problems)
    layers, tensors, counts, previous = [], {}, {}, "input"
    for use, (kind, fields, layer_tensors) in converted:
        entry: dict[str, Any] = {"type": kind}
        if use.name != default_name(kind, dict(counts)):
            entry["name"] = use.name
        else:
            default_name(kind, counts)
        if use.sources != [previous]:
            entry["inputs"] = use.sources
        entry.update(fields)
        layers.append(entry)
        tensors.update({f"{use.name}.{parameter}": value for parameter, value in layer_tensors.items()})
        previous = use.name
    header: dict[str, Any] = {}
    spec_type_name = _model_name(model, name)
    if spec_type_name:
        header["name"] = spec_type_name
    header["input"] = {"shape": shape}
    import keras

    write_spec(spec_path, header, layers,
               comment=f"Exported by cnnc_keras from the Keras {keras.__version__} model '{model.name}'.")
    save_file(tensors, os.fspath(weights_path))
