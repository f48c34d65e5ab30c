"""The graph of a Keras model as a spec sees it: each use of a layer with the spec names of its inputs.

The walk starts at the model's output and follows each tensor to the layer call that made it
(`_keras_history`), visiting a layer's inputs before the layer, so the uses come out in an order
the spec can list them in, a chain's layers together. Nested models (a Sequential inside a
functional model) are walked into, their inputs bound to what the outer call passed; a layer
called twice becomes two uses. Layers that are the identity at inference are passed through.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any

from .errors import ExportError
from .naming import spec_name

#: Layers that return their input at inference (noise, regularization and augmentation layers).
IDENTITY_AT_INFERENCE = {"ActivityRegularization", "AlphaDropout", "GaussianDropout", "GaussianNoise", "Identity",
                         "RandomBrightness", "RandomContrast", "RandomFlip", "RandomRotation", "RandomTranslation",
                         "RandomZoom"}


@dataclass
class Use:
    """One call of a Keras layer (or a `keras.ops` operation) in the model."""

    operation: Any
    node: Any
    name: str
    sources: list[str]
    input_shapes: list[tuple]
    output_shape: tuple
    problems: list[str] = field(default_factory=list)

    @property
    def class_name(self) -> str:
        return type(self.operation).__name__


def is_graph_model(operation: Any) -> bool:
    """Whether ``operation`` is a Sequential or functional model: layers joined by tensors, which
    can be walked (a subclassed model's `call` is Python code)."""
    import keras
    from keras.src.models.functional import Functional

    return isinstance(operation, (keras.Sequential, Functional))


def _keras_layer_class(operation: Any) -> str | None:
    """The name of ``operation``'s class when it is one of `keras.layers` itself (not a subclass)."""
    import keras

    name = type(operation).__name__
    return name if type(operation) is getattr(keras.layers, name, None) else None


class _Walk:
    def __init__(self) -> None:
        self.uses: list[Use] = []
        self.taken: set[str] = set()
        self.done: dict[tuple, str] = {}
        self.bindings: dict[tuple, str] = {}

    def tensor(self, tensor: Any, context: tuple) -> str:
        """The spec name of the value ``tensor`` holds: `input`, or the name of the use that made it."""
        operation, node_index, tensor_index = tensor._keras_history
        if type(operation).__name__ == "InputLayer":
            return self.bindings[(context, id(operation))]
        key = (context, id(operation), node_index, tensor_index)
        if key not in self.done:
            self.done[key] = self._call(operation, node_index, tensor_index, context)
        return self.done[key]

    def _call(self, operation: Any, node_index: int, tensor_index: int, context: tuple) -> str:
        node = operation._inbound_nodes[node_index]
        sources = [self.tensor(t, context) for t in node.input_tensors]
        if is_graph_model(operation):
            inner = context + ((id(operation), node_index),)
            for inner_input, source in zip(operation.inputs, sources):
                self.bindings[(inner, id(inner_input._keras_history.operation))] = source
            return self.tensor(operation.outputs[tensor_index], inner)
        if _keras_layer_class(operation) in IDENTITY_AT_INFERENCE and len(sources) == 1:
            return sources[0]
        name = spec_name(operation.name, self.taken)
        self.taken.add(name)
        use = Use(operation, node, name, sources, [tuple(t.shape)[1:] for t in node.input_tensors],
                  tuple(node.output_tensors[0].shape)[1:])
        if len(node.output_tensors) != 1:
            use.problems.append("it has several outputs; a spec layer has one")
        self.uses.append(use)
        return name


def walk(model: Any) -> tuple[list[int], list[Use]]:
    """The model's input shape (without the batch) and its layer uses in spec order."""
    if not is_graph_model(model):
        raise ExportError(f"model '{model.name}' is a subclassed {type(model).__name__}: its call() is Python code, "
                          "not a graph of layers; export a Sequential or functional model (keras.Model(inputs, "
                          "outputs)) with the same layers")
    try:
        inputs, outputs = model.inputs or [], model.outputs or []
    except (AttributeError, ValueError):
        inputs = outputs = None
    if not inputs or not outputs:
        raise ExportError(f"model '{model.name}' has no inputs yet: begin it with keras.Input(shape) "
                          f"(or call it once on data) so that its shapes are known")
    if len(inputs) != 1 or len(outputs) != 1:
        raise ExportError(f"model '{model.name}' has {len(inputs)} inputs and {len(outputs)} outputs; "
                          f"a spec has one of each")
    shape = tuple(model.inputs[0].shape)[1:]
    if len(shape) not in (1, 3) or any(d is None for d in shape):
        raise ExportError(f"model '{model.name}' takes input of shape {shape}; a spec's input is "
                          f"[height, width, channels] (or [features]) of fixed sizes")
    state = _Walk()
    state.bindings[((), id(model.inputs[0]._keras_history.operation))] = "input"
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 5000))
    try:
        output = state.tensor(model.outputs[0], ())
    finally:
        sys.setrecursionlimit(limit)
    if output == "input" or not state.uses:
        raise ExportError(f"model '{model.name}' computes nothing a spec layer would: its output is its input")
    assert state.uses[-1].name == output, "the output's layer comes last in a post-order walk"
    return [int(d) for d in shape], state.uses
