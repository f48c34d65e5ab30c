"""Weights under cnnc's keys (contract §3): `<layer name>.<param>` with Keras's shapes, in safetensors.

Which Keras variable holds which cnnc parameter comes from the layer table (`layers.TYPES`).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from .errors import ExportError, WeightsError
from .layers import BY_KERAS_CLASS, LayerType


def _variables(layer: Any) -> dict[str, Any]:
    return {variable.name.split("/")[-1]: variable for variable in layer.weights}


def _spec_type(layer: Any) -> LayerType | None:
    return BY_KERAS_CLASS.get(type(layer).__name__)


def layer_parameters(layer: Any, layer_type: LayerType) -> dict[str, Any]:
    """The cnnc parameters a Keras layer holds, each with its Keras variable: ``{"kernel": variable}``.

    A parameter the layer does not have (no bias, a batch norm without beta) is left out; a
    normalization's sample count is not a cnnc parameter.
    """
    variables = _variables(layer)
    found = {}
    for parameter, keras_names in layer_type.weights:
        for keras_name in keras_names:
            if keras_name in variables:
                found[parameter] = variables[keras_name]
                break
    return found


def numpy_value(value: Any) -> np.ndarray:
    """A Keras variable or tensor as a C-ordered float32 NumPy array, whatever the backend."""
    import keras

    return np.ascontiguousarray(keras.ops.convert_to_numpy(value), dtype=np.float32)


def _built_layers(model: Any) -> list[tuple[Any, LayerType]]:
    """The model's layers with their spec types; a layer with weights that `build` does not make
    (a nested model, a layer of another class) is an error: `export` handles any model."""
    foreign = [(layer.name, type(layer).__name__, "not a layer cnnc_keras.build makes; use cnnc_keras.export")
               for layer in model.layers if _spec_type(layer) is None and layer.weights]
    if foreign:
        raise ExportError(f"model '{model.name}' was not made by cnnc_keras.build:", foreign)
    return [(layer, _spec_type(layer)) for layer in model.layers if _spec_type(layer) is not None]


def model_tensors(model: Any) -> dict[str, np.ndarray]:
    """Every weight of a model made by `build`, under cnnc's keys."""
    tensors = {}
    for layer, layer_type in _built_layers(model):
        for parameter, variable in layer_parameters(layer, layer_type).items():
            tensors[f"{layer.name}.{parameter}"] = numpy_value(variable)
    return tensors


def save_weights(model: Any, weights_path: str | os.PathLike) -> None:
    """Writes the weights of a model made by `build` to a safetensors file under cnnc's keys."""
    from safetensors.numpy import save_file

    save_file(model_tensors(model), os.fspath(weights_path))


def _shape(shape: Any) -> str:
    return "[" + ", ".join(str(int(d)) for d in shape) + "]"


def load_weights(model: Any, weights_path: str | os.PathLike) -> None:
    """Sets the weights of a model made by `build` from a safetensors file under cnnc's keys.

    Every key and shape is checked before anything is set: a missing, unexpected or wrongly shaped
    tensor raises ``WeightsError``, which names all of them. F16 and F64 tensors are converted.
    """
    from safetensors.numpy import load_file

    path = os.fspath(weights_path)
    tensors = load_file(path)
    expected: dict[str, tuple[Any, Any]] = {}
    for layer, layer_type in _built_layers(model):
        for parameter, variable in layer_parameters(layer, layer_type).items():
            expected[f"{layer.name}.{parameter}"] = (layer, variable)
    missing, mismatched, notes = [], [], []
    for key, (layer, variable) in expected.items():
        if key not in tensors:
            missing.append(key)
            notes.append(f"  missing '{key}': layer '{layer.name}' needs shape {_shape(variable.shape)}")
        elif tuple(tensors[key].shape) != tuple(variable.shape):
            mismatched.append(key)
            notes.append(f"  '{key}' has shape {_shape(tensors[key].shape)}; layer '{layer.name}' needs "
                         f"{_shape(variable.shape)}")
    unexpected = sorted(set(tensors) - set(expected))
    notes += [f"  unexpected '{key}' {_shape(tensors[key].shape)}: the model has no such weight" for key in unexpected]
    if missing or unexpected or mismatched:
        raise WeightsError(path, missing, unexpected, mismatched, notes)
    for key, (layer, variable) in expected.items():
        variable.assign(tensors[key].astype(np.float32))
    for layer in model.layers:
        # A normalization computes with copies of its statistics, made when they are finalized.
        if type(layer).__name__ == "Normalization" and layer.weights:
            layer.finalize_state()
