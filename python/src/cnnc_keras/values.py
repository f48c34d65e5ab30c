"""The kinds of value a spec key holds, each converted both ways: spec to Keras argument (`to_keras`,
which checks the spec's value) and Keras config to spec (`to_spec`, which writes the shortest form
a person would write: `3` for a (3, 3) kernel)."""

from __future__ import annotations

from numbers import Real
from typing import Any

#: The activations of contract §1, by Keras 3's names (Keras writes `swish` as `silu`).
ACTIVATIONS = ("linear", "relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "sigmoid", "hard_sigmoid", "tanh",
               "softmax", "softplus", "softsign", "swish", "silu")


class Unexpressible(ValueError):
    """A Keras setting that the spec has no way to write."""


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


def _describe(value: Any) -> str:
    return f"{type(value).__name__} {value!r}"


class Kind:
    """A value kind; subclasses override the two conversions."""

    what = "a value"

    def to_keras(self, value: Any) -> Any:
        return value

    def to_spec(self, value: Any) -> Any:
        return value


class Integer(Kind):
    what = "a positive integer"

    def to_keras(self, value: Any) -> int:
        if not _is_int(value) or value < 1:
            raise ValueError(f"expected {self.what}, found {_describe(value)}")
        return value


class Number(Kind):
    what = "a number"

    def to_keras(self, value: Any) -> float:
        if not _is_number(value):
            raise ValueError(f"expected {self.what}, found {_describe(value)}")
        return float(value)

    def to_spec(self, value: Any) -> float:
        if not _is_number(value):
            raise Unexpressible(f"needs one number, Keras has {value!r}")
        return float(value)


class OptionalNumber(Number):
    what = "a number or null"

    def to_keras(self, value: Any) -> float | None:
        return None if value is None else super().to_keras(value)

    def to_spec(self, value: Any) -> float | None:
        return None if value is None else super().to_spec(value)


class Boolean(Kind):
    what = "true or false"

    def to_keras(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise ValueError(f"expected {self.what}, found {_describe(value)}")
        return value


class Choice(Kind):
    """One of a few words, compared without case as Keras lowercases them (`SAME` is `same`)."""

    def __init__(self, *words: str) -> None:
        self.words = words
        self.what = " or ".join(f"'{word}'" for word in words)

    def to_keras(self, value: Any) -> str:
        if not isinstance(value, str) or value.lower() not in self.words:
            raise ValueError(f"expected {self.what}, found {_describe(value)}")
        return value.lower()

    def to_spec(self, value: Any) -> str:
        if not isinstance(value, str) or value.lower() not in self.words:
            raise Unexpressible(f"{value!r} is not {self.what}")
        return value.lower()


class ActivationName(Choice):
    def __init__(self) -> None:
        super().__init__(*ACTIVATIONS)
        self.what = "an activation (" + ", ".join(ACTIVATIONS) + ")"

    def to_keras(self, value: Any) -> str:
        if not isinstance(value, str) or value not in self.words:
            raise ValueError(f"expected {self.what}, found {_describe(value)}")
        return value

    def to_spec(self, value: Any) -> str:
        if value is None:
            return "linear"
        if not isinstance(value, str) or value not in self.words:
            raise Unexpressible(f"activation {value!r} is not one the spec has ({', '.join(ACTIVATIONS)})")
        return value


class Pair(Kind):
    """An int or [a, b]; Keras's (a, b). Written back as one int when both are equal."""

    what = "a positive integer or [a, b]"

    def to_keras(self, value: Any) -> tuple[int, int]:
        values = value if isinstance(value, list) else [value, value]
        if len(values) != 2 or not all(_is_int(v) and v >= 1 for v in values):
            raise ValueError(f"expected {self.what}, found {_describe(value)}")
        return tuple(values)

    def to_spec(self, value: Any) -> int | list[int]:
        values = list(value) if isinstance(value, (list, tuple)) else [value, value]
        return values[0] if values[0] == values[1] else values


class Sides(Kind):
    """Padding or cropping: an int, [h, w] or [[top, bottom], [left, right]]; Keras's
    ((top, bottom), (left, right)). Written back in the shortest of the three forms."""

    what = "an integer, [h, w] or [[top, bottom], [left, right]]"

    def to_keras(self, value: Any) -> tuple[tuple[int, int], tuple[int, int]]:
        if _is_int(value):
            value = [value, value]
        if isinstance(value, list) and len(value) == 2 and all(_is_int(v) for v in value):
            value = [[value[0], value[0]], [value[1], value[1]]]
        ok = (isinstance(value, list) and len(value) == 2
              and all(isinstance(s, list) and len(s) == 2 and all(_is_int(v) and v >= 0 for v in s) for s in value))
        if not ok:
            raise ValueError(f"expected {self.what} (none negative), found {_describe(value)}")
        return tuple(tuple(side) for side in value)

    def to_spec(self, value: Any) -> Any:
        (top, bottom), (left, right) = value
        if top == bottom and left == right:
            return top if top == left else [top, left]
        return [[top, bottom], [left, right]]


class Shape(Kind):
    """reshape's target: [n] or [h, w, c], at most one -1."""

    what = "a list of 1 or 3 sizes, at most one -1"

    def to_keras(self, value: Any) -> tuple[int, ...]:
        ok = (isinstance(value, list) and len(value) in (1, 3)
              and all(_is_int(v) and (v >= 1 or v == -1) for v in value) and value.count(-1) <= 1)
        if not ok:
            raise ValueError(f"expected {self.what}, found {_describe(value)}")
        return tuple(value)

    def to_spec(self, value: Any) -> list[int]:
        if len(value) not in (1, 3):
            raise Unexpressible(f"target shape {tuple(value)} has rank {len(value)}; the spec's reshape gives rank 1 or 3")
        return [int(v) for v in value]


class Numbers(Kind):
    """normalization's mean or variance: a number or one number per channel, or absent."""

    what = "a number or a list of numbers"

    def to_keras(self, value: Any) -> Any:
        if value is None or _is_number(value):
            return value
        if isinstance(value, list) and value and all(_is_number(v) for v in value):
            return value
        raise ValueError(f"expected {self.what}, found {_describe(value)}")

    def to_spec(self, value: Any) -> Any:
        import numpy as np

        if value is None:
            return None
        array = np.asarray(value, dtype=np.float64)
        if array.size == 1:
            return float(array.reshape(()))
        return [float(v) for v in array.reshape(-1)]
