"""`build`: a spec's model in Keras, layer by layer, named as cnnc names the layers.

The spec is read and checked first (types, keys, names, `inputs`), then each layer's shape is
worked out by Keras; a mistake anywhere is a `SpecError` that names the file, line and layer. This
is not `cnnc check`: it stops at the first mistake and only checks what Keras needs to build the
model, plus the rank rules where Keras would quietly do something else (dense on a feature map).
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import SpecError
from .layers import REQUIRED, SAME_AS_POOL_SIZE, TYPES, LayerType
from .naming import NAME, default_name, model_name_for_file
from .specfile import read_spec

if TYPE_CHECKING:
    import keras

TOP_LEVEL_KEYS = ("cnnc", "name", "description", "input", "layers", "$schema", "limits")


@dataclass
class PlannedLayer:
    """One spec layer, checked: its name, type, Keras arguments and the names it reads."""

    name: str
    type: LayerType
    arguments: dict[str, Any]
    sources: list[str]
    where: str

    @property
    def label(self) -> str:
        return f"{self.where}: layer '{self.name}' ({self.type.name})"


def _did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(str(word), choices, n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def read_plan(path: str) -> tuple[list[int], str, list[PlannedLayer]]:
    """The spec's input shape, model name and checked layers."""
    spec = read_spec(path)
    for key in spec:
        if key not in TOP_LEVEL_KEYS:
            raise SpecError(f"{path}: unknown top-level key '{key}'{_did_you_mean(key, TOP_LEVEL_KEYS)}")
    if spec.get("cnnc", 1) != 1:
        raise SpecError(f"{path}: unknown spec version cnnc: {spec['cnnc']!r}; this bridge reads version 1")
    shape = spec.get("input", {}).get("shape") if isinstance(spec.get("input"), dict) else None
    if not (isinstance(shape, list) and len(shape) in (1, 3)
            and all(isinstance(s, int) and not isinstance(s, bool) and s > 0 for s in shape)):
        raise SpecError(f"{path}: the spec needs 'input: {{shape: [height, width, channels]}}' "
                        f"(or [features]) of positive sizes, found {spec.get('input')!r}")
    entries = spec.get("layers")
    if not isinstance(entries, list) or not entries:
        raise SpecError(f"{path}: 'layers' must be a non-empty list of layers")
    name = spec.get("name", model_name_for_file(path))
    return shape, name, _read_layers(path, entries)


def _read_layers(path: str, entries: list[Any]) -> list[PlannedLayer]:
    plan: list[PlannedLayer] = []
    counts: dict[str, int] = {}
    seen = {"input"}
    for index, entry in enumerate(entries):
        where = f"{path}:{entry.line}" if getattr(entry, "line", 0) else f"{path}: layers[{index}]"
        if not isinstance(entry, dict) or "type" not in entry:
            raise SpecError(f"{where}: layer {index + 1} must be a mapping with 'type'")
        kind = entry["type"]
        if kind not in TYPES:
            raise SpecError(f"{where}: unknown layer type '{kind}'{_did_you_mean(kind, list(TYPES))}")
        layer_type = TYPES[kind]
        name = entry.get("name")
        if name is None:
            name = default_name(kind, counts)
        elif not isinstance(name, str) or not NAME.fullmatch(name) or name == "input":
            raise SpecError(f"{where}: layer name {name!r} is not valid: [A-Za-z_][A-Za-z0-9_]*, not 'input'")
        if name in seen:
            raise SpecError(f"{where}: layer name '{name}' is used twice")
        label = f"{where}: layer '{name}' ({kind})"
        sources = _sources(entry, plan, label)
        arguments = _arguments(layer_type, entry, label)
        plan.append(PlannedLayer(name, layer_type, arguments, sources, where))
        seen.add(name)
    return plan


def _sources(entry: dict, plan: list[PlannedLayer], label: str) -> list[str]:
    previous = plan[-1].name if plan else "input"
    sources = entry.get("inputs", [previous])
    if isinstance(sources, str):
        sources = [sources]
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        raise SpecError(f"{label}: 'inputs' must be a list of layer names")
    known = ["input"] + [layer.name for layer in plan]
    for source in sources:
        if source not in known:
            raise SpecError(f"{label}: 'inputs' names '{source}', which is not the input or an earlier layer"
                            f"{_did_you_mean(source, known)}")
    kind = entry["type"]
    if TYPES[kind].merge:
        if len(sources) < 2 or (kind == "subtract" and len(sources) != 2):
            needed = "exactly two" if kind == "subtract" else "at least two"
            raise SpecError(f"{label}: {kind} needs {needed} 'inputs', found {len(sources)}")
    elif len(sources) != 1:
        raise SpecError(f"{label}: only merge layers (add, concatenate, …) take more than one input")
    return sources


def _arguments(layer_type: LayerType, entry: dict, label: str) -> dict[str, Any]:
    for key in entry:
        if key not in ("type", "name", "inputs") and key not in layer_type.keys:
            allowed = ", ".join(layer_type.keys) or "none besides type, name and inputs"
            raise SpecError(f"{label}: unknown key '{key}'{_did_you_mean(key, layer_type.keys)} (keys: {allowed})")
    arguments: dict[str, Any] = {}
    for field in layer_type.fields:
        if field.key not in entry:
            if field.default is REQUIRED:
                raise SpecError(f"{label}: missing key '{field.key}'")
            value = None if field.default is SAME_AS_POOL_SIZE else field.default
            arguments[field.keras_name] = None if value is None else field.kind.to_keras(value)
            continue
        value = entry[field.key]
        try:
            arguments[field.keras_name] = field.kind.to_keras(value)
        except ValueError as error:
            raise SpecError(f"{label}: '{field.key}': {error}") from None
        if field.check and value is not None and not field.check[0](value):
            raise SpecError(f"{label}: '{field.key}' must be {field.check[1]}, found {value!r}")
    if layer_type.name == "normalization" and (arguments["mean"] is None) != (arguments["variance"] is None):
        raise SpecError(f"{label}: give both 'mean' and 'variance', or neither (then they come from the weights)")
    return arguments


def keras_message(error: Exception) -> str:
    """The gist of a Keras exception: the sentence Keras highlights, without the call's arguments."""
    text = str(error)
    highlighted = re.search(r"\x1b\[1m(.*?)\x1b\[0m", text, re.S)
    text = highlighted.group(1) if highlighted else re.sub(r"\x1b\[[0-9;]*m", "", text)
    return " ".join(text.split("\n\n")[0].split())


def _keras_layer(planned: PlannedLayer):
    import keras

    cls = getattr(keras.layers, planned.type.keras_class)
    try:
        return cls(**planned.arguments, name=planned.name)
    except Exception as error:  # Keras's own checks on the arguments
        raise SpecError(f"{planned.label}: Keras rejects it: {keras_message(error)}") from None


def _check_rank(planned: PlannedLayer, shapes: list[tuple], source_names: list[str]) -> None:
    needed, shape = planned.type.rank, shapes[0]
    if needed is None or len(shape) - 1 == needed:
        return
    found = "x".join(str(d) for d in shape[1:])
    if needed == 1:
        raise SpecError(f"{planned.label}: needs a flat input, but '{source_names[0]}' gives {found}; "
                        f"insert '- type: flatten' (or '- type: global_avg_pool2d') before it")
    raise SpecError(f"{planned.label}: needs a feature map [height, width, channels], but '{source_names[0]}' "
                    f"gives {found}")


def _functional(plan: list[PlannedLayer], shape: list[int], model_name: str) -> "keras.Model":
    """The model built call by call, so that Keras's complaint is pinned on the layer it is about."""
    import keras

    tensors = {"input": keras.Input(tuple(shape), name="input")}
    for planned in plan:
        inputs = [tensors[source] for source in planned.sources]
        _check_rank(planned, [tuple(t.shape) for t in inputs], planned.sources)
        layer = _keras_layer(planned)
        try:
            tensors[planned.name] = layer(inputs if planned.type.merge else inputs[0])
        except Exception as error:
            shapes = ", ".join(str(tuple(t.shape)[1:]) for t in inputs)
            raise SpecError(f"{planned.label}: Keras cannot build it on input {shapes}: {keras_message(error)}") from None
    return keras.Model(tensors["input"], tensors[plan[-1].name], name=model_name)


def _sequential(plan: list[PlannedLayer], shape: list[int], model_name: str) -> "keras.Model":
    """A chain as a Sequential model. Its layers are checked on shapes alone first (Keras's
    `compute_output_shape`, which creates no weights); what only building finds is then pinned
    on its layer by building the model call by call (`_functional`) with fresh layers."""
    import keras

    layers, current = [], (None, *shape)
    for planned in plan:
        if current is not None:
            _check_rank(planned, [current], [layers[-1].name if layers else "input"])
        layers.append(_keras_layer(planned))
        try:
            current = None if current is None else tuple(layers[-1].compute_output_shape(current))
        except Exception:
            current = None
    try:
        return keras.Sequential([keras.Input(tuple(shape), name="input"), *layers], name=model_name)
    except Exception as error:
        _functional(plan, shape, model_name)
        raise SpecError(f"Keras cannot build the model '{model_name}': {keras_message(error)}") from None


def build(spec_path: str | os.PathLike) -> "keras.Model":
    """The spec's model in Keras 3, its layers named as cnnc names them.

    A chain of layers becomes a ``keras.Sequential``; a spec whose layers name ``inputs`` becomes a
    functional ``keras.Model``. The weights are Keras's initial ones: load trained ones with
    ``load_weights``. Raises ``SpecError``, naming the file, line and layer, for a spec Keras cannot
    build.
    """
    path = os.fspath(spec_path)
    shape, model_name, plan = read_plan(path)
    chain = all(layer.sources == [previous.name] for previous, layer in zip(plan, plan[1:]))
    if chain and plan[0].sources == ["input"]:
        return _sequential(plan, shape, model_name)
    return _functional(plan, shape, model_name)
