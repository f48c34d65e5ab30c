"""The layer table of contract §1, once, for both directions: each spec type's Keras class, its keys
with their kinds and defaults (the spec's key is Keras's argument unless `keras` says otherwise),
and its weights (the cnnc parameter and the Keras variable names it is stored under)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .values import (ActivationName, Boolean, Choice, Integer, Kind, Number, Numbers, OptionalNumber, Pair,
                     Shape, Sides)

REQUIRED = object()
"""The default of a key the spec must give."""

SAME_AS_POOL_SIZE = object()
"""The default of a pooling layer's strides: its pool size."""


@dataclass(frozen=True)
class Field:
    """One key of a layer: its kind, its default, and any further condition on its value."""

    key: str
    kind: Kind
    default: Any = REQUIRED
    keras: str = ""
    check: tuple[Any, str] | None = None  # (predicate on the spec value, what it must be)

    @property
    def keras_name(self) -> str:
        return self.keras or self.key


@dataclass(frozen=True)
class LayerType:
    """One row of the contract's table."""

    name: str
    keras_class: str
    fields: tuple[Field, ...] = ()
    weights: tuple[tuple[str, tuple[str, ...]], ...] = ()
    merge: bool = False
    rank: int | None = None  # the input rank it needs: 3 for feature maps, 1 for dense
    keys: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "keys", tuple(f.key for f in self.fields))


_PADDING = Field("padding", Choice("valid", "same"), "valid")
_ACTIVATION = Field("activation", ActivationName(), "linear")
_USE_BIAS = Field("use_bias", Boolean(), True)
_STRIDES = Field("strides", Pair(), 1)
_DILATION = Field("dilation_rate", Pair(), 1)
_MULTIPLIER = Field("depth_multiplier", Integer(), 1)
_FILTERS = Field("filters", Integer())
_KERNEL = Field("kernel_size", Pair())
_BIAS = ("bias", ("bias",))


def _pool(name: str, keras_class: str) -> LayerType:
    fields = (Field("pool_size", Pair(), 2), Field("strides", Pair(), SAME_AS_POOL_SIZE), _PADDING)
    return LayerType(name, keras_class, fields, rank=3)


def _merge(name: str) -> LayerType:
    return LayerType(name, name.capitalize(), merge=True)


TYPES: dict[str, LayerType] = {t.name: t for t in [
    LayerType("conv2d", "Conv2D", (_FILTERS, _KERNEL, _STRIDES, _PADDING, _DILATION, _ACTIVATION, _USE_BIAS),
              (("kernel", ("kernel",)), _BIAS), rank=3),
    LayerType("depthwise_conv2d", "DepthwiseConv2D",
              (_KERNEL, _MULTIPLIER, _STRIDES, _PADDING, _DILATION, _ACTIVATION, _USE_BIAS),
              (("kernel", ("kernel", "depthwise_kernel")), _BIAS), rank=3),
    LayerType("separable_conv2d", "SeparableConv2D",
              (_FILTERS, _KERNEL, _MULTIPLIER, _STRIDES, _PADDING, _DILATION, _ACTIVATION, _USE_BIAS),
              (("depthwise_kernel", ("depthwise_kernel",)), ("pointwise_kernel", ("pointwise_kernel",)), _BIAS),
              rank=3),
    LayerType("conv2d_transpose", "Conv2DTranspose", (_FILTERS, _KERNEL, _STRIDES, _PADDING, _ACTIVATION, _USE_BIAS),
              (("kernel", ("kernel",)), _BIAS), rank=3),
    _pool("max_pool2d", "MaxPooling2D"),
    _pool("avg_pool2d", "AveragePooling2D"),
    LayerType("global_avg_pool2d", "GlobalAveragePooling2D", (Field("keepdims", Boolean(), False),), rank=3),
    LayerType("global_max_pool2d", "GlobalMaxPooling2D", (Field("keepdims", Boolean(), False),), rank=3),
    LayerType("zero_padding2d", "ZeroPadding2D", (Field("padding", Sides(), 1),), rank=3),
    LayerType("batch_norm", "BatchNormalization",
              (Field("epsilon", Number(), 0.001, check=(lambda v: v > 0, "positive")),),
              tuple((name, (name,)) for name in ("gamma", "beta", "moving_mean", "moving_variance"))),
    LayerType("flatten", "Flatten"),
    LayerType("dense", "Dense", (Field("units", Integer()), _ACTIVATION, _USE_BIAS), (("kernel", ("kernel",)), _BIAS),
              rank=1),
    LayerType("activation", "Activation", (Field("activation", ActivationName()),)),
    LayerType("dropout", "Dropout", (Field("rate", Number(), check=(lambda v: 0 <= v < 1, "in [0, 1)")),)),
    _merge("add"),
    _merge("concatenate"),
    _merge("multiply"),
    _merge("subtract"),
    _merge("average"),
    _merge("maximum"),
    _merge("minimum"),
    LayerType("relu", "ReLU", (Field("max_value", OptionalNumber(), None, check=(lambda v: v is None or v >= 0, "not negative")),
                               Field("negative_slope", Number(), 0.0, check=(lambda v: v >= 0, "not negative")),
                               Field("threshold", Number(), 0.0))),
    LayerType("leaky_relu", "LeakyReLU", (Field("negative_slope", Number(), 0.3, check=(lambda v: v >= 0, "not negative")),)),
    LayerType("softmax", "Softmax"),
    LayerType("rescaling", "Rescaling", (Field("scale", Number()), Field("offset", Number(), 0.0))),
    LayerType("normalization", "Normalization", (Field("mean", Numbers(), None), Field("variance", Numbers(), None)),
              (("mean", ("mean",)), ("variance", ("variance",)))),
    LayerType("reshape", "Reshape", (Field("target_shape", Shape()),)),
    LayerType("cropping2d", "Cropping2D", (Field("cropping", Sides(), 0),), rank=3),
    LayerType("upsampling2d", "UpSampling2D",
              (Field("size", Pair(), 2), Field("interpolation", Choice("nearest", "bilinear"), "nearest")), rank=3),
]}

BY_KERAS_CLASS: dict[str, LayerType] = {t.keras_class: t for t in TYPES.values()}
