"""`cnnc_keras.export`: hand-written Keras models through `cnnc run`, round trips through `build`,
the spec as written, and the errors for what a spec cannot express."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from keras import layers as L

import cnnc_keras
from conftest import CONFORMANCE, SPECS, assert_close, cnnc_predict, predict, randomize, sample


def export(model, folder):
    spec, weights = folder / "model.yaml", folder / "model.safetensors"
    cnnc_keras.export(model, spec, weights)
    return spec, weights


def sequential_of_every_kind() -> keras.Model:
    """A Sequential model with every single-input layer class export knows, small enough to be quick."""
    normalization = L.Normalization(name="adapted")
    normalization.adapt(np.random.default_rng(2).normal(0.5, 2.0, (16, 12, 12, 3)).astype(np.float32))
    return keras.Sequential([
        keras.Input((12, 12, 3)),
        L.Rescaling(2.0, offset=-1.0),
        normalization,
        L.Normalization(mean=[0.1, 0.2, 0.3], variance=[1.0, 2.0, 4.0], name="inline"),
        L.RandomFlip(),
        L.Conv2D(8, 3, padding="same", activation="relu", name="conv"),
        L.BatchNormalization(center=False, epsilon=1e-5, name="bn_no_beta"),
        L.BatchNormalization(scale=False, name="bn_no_gamma"),
        L.DepthwiseConv2D(3, depth_multiplier=2, strides=2, padding="same", use_bias=False, name="dw"),
        L.ReLU(max_value=6.0, name="relu6"),
        L.SeparableConv2D(8, (3, 1), dilation_rate=2, activation="swish", name="sep"),
        L.ZeroPadding2D(((1, 0), (2, 1))),
        L.Cropping2D((1, 2)),
        L.MaxPooling2D(3, strides=1, padding="same"),
        L.AveragePooling2D(2, padding="same"),
        L.UpSampling2D((2, 3), interpolation="bilinear"),
        L.Conv2DTranspose(4, 3, strides=2, padding="same", activation="gelu", name="up"),
        L.LeakyReLU(negative_slope=0.1),
        L.ELU(),
        L.Activation("hard_sigmoid"),
        L.SpatialDropout2D(0.2),
        L.GaussianNoise(0.1),
        L.Dense(5, activation="tanh", name="dense_on_map"),
        L.GlobalMaxPooling2D(),
        L.Dropout(0.5),
        L.Dense(6, name="logits"),
        L.Reshape((1, 2, 3)),
        L.Flatten(),
        L.Softmax(),
    ], name="EveryKind")


def functional_graph() -> keras.Model:
    """Residual adds, concatenation, squeeze-and-excitation, every merge, `keras.ops` arithmetic,
    a nested Sequential and a shared layer."""
    inputs = keras.Input((8, 8, 3), name="pixels")
    stem = L.Conv2D(6, 3, padding="same", activation="relu", name="stem")(inputs)
    block = keras.Sequential([keras.Input((8, 8, 6)), L.Conv2D(6, 3, padding="same", name="inner_conv"),
                              L.BatchNormalization(name="inner_bn")], name="block")
    residual = L.Add(name="residual")([stem, block(stem)])
    squeeze = L.GlobalAveragePooling2D(keepdims=True)(residual)
    excite = L.Conv2D(6, 1, activation="sigmoid", name="excite")(squeeze)
    scaled = L.Multiply(name="scaled")([residual, excite])
    shared = L.Conv2D(6, 1, name="shared")
    left, right = shared(scaled), shared(residual)
    merged = [cls()([left, right, scaled]) for cls in (L.Average, L.Maximum, L.Minimum)]
    difference = L.Subtract()([merged[0], merged[1]])
    arithmetic = keras.ops.add(difference, merged[2]) + excite
    joined = L.Concatenate(name="joined")([arithmetic, stem])
    pooled = L.GlobalAveragePooling2D()(joined)
    return keras.Model(inputs, L.Dense(4, activation="softmax")(pooled), name="graph_model")


def sequential_around_a_functional_base() -> keras.Model:
    """Transfer learning's shape: a functional base model as the first layer of a Sequential
    (a normalization over all values, axis=None, inside it), a new head after it."""
    pixels = keras.Input((10, 10, 3))
    normalization = L.Normalization(axis=None)
    normalization.adapt(np.random.default_rng(8).uniform(0, 255, (8, 10, 10, 3)).astype(np.float32))
    features = L.Conv2D(8, 3, strides=2, activation="relu6", name="base_conv")(normalization(pixels))
    base = keras.Model(pixels, features, name="base")
    return keras.Sequential([keras.Input((10, 10, 3)), base, L.GlobalAveragePooling2D(), L.Dense(3)], name="head")


MODELS = [sequential_of_every_kind, functional_graph, sequential_around_a_functional_base]


@pytest.mark.parametrize("make", MODELS)
def test_exported_model_runs_in_cnnc_as_in_keras(make, cnnc, tmp_path):
    model = make()
    randomize(model, seed=3)
    x = sample(model, count=3)
    spec, weights = export(model, tmp_path)
    assert_close(cnnc_predict(cnnc, spec, weights, x, tmp_path), predict(model, x), f"cnnc run of {spec.read_text()}")


@pytest.mark.parametrize("make", MODELS)
def test_exported_model_builds_back_to_the_same_predictions(make, tmp_path):
    model = make()
    randomize(model, seed=4)
    x = sample(model)
    spec, weights = export(model, tmp_path)
    rebuilt = cnnc_keras.build(spec)
    cnnc_keras.load_weights(rebuilt, weights)
    assert_close(predict(rebuilt, x), predict(model, x), "the exported spec built by cnnc_keras")


ROUND_TRIP_SPECS = [SPECS / "residual_block.yaml", SPECS / "mobilenet_block.json", SPECS / "lenet5.yaml",
                    CONFORMANCE / "specs" / "wave2_norm_weights.yaml", CONFORMANCE / "specs" / "wave2_merges.yaml",
                    CONFORMANCE / "specs" / "naming_flow.yaml"]


@pytest.mark.parametrize("path", [p for p in ROUND_TRIP_SPECS if p.exists()], ids=lambda p: p.name)
def test_spec_round_trips_through_keras(path, tmp_path):
    model = cnnc_keras.build(path)
    randomize(model, seed=5)
    x = sample(model)
    spec, weights = export(model, tmp_path)
    rebuilt = cnnc_keras.build(spec)
    cnnc_keras.load_weights(rebuilt, weights)
    assert_close(predict(rebuilt, x), predict(model, x))
    original = {layer.name: type(layer).__name__ for layer in model.layers}
    assert {layer.name: type(layer).__name__ for layer in rebuilt.layers} == original


def test_spec_reads_as_written_by_hand(tmp_path):
    keras.backend.clear_session()  # Keras's own layer names count from zero again
    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        L.Conv2D(32, 3, activation="relu"),
        L.MaxPooling2D(),
        L.Conv2D(64, (3, 3), strides=(1, 1), padding="valid", activation="relu"),
        L.BatchNormalization(),
        L.Dropout(0.25, name="drop"),
        L.Flatten(),
        L.Dense(10, activation="softmax"),
    ], name="MNISTClassifier")
    spec, weights = export(model, tmp_path)
    assert spec.read_text() == f"""# Exported by cnnc_keras from the Keras {keras.__version__} model 'MNISTClassifier'.
name: MNISTClassifier
input: {{shape: [28, 28, 1]}}
layers:
  - {{type: conv2d, filters: 32, kernel_size: 3, activation: relu}}
  - {{type: max_pool2d, name: max_pooling2d}}
  - {{type: conv2d, filters: 64, kernel_size: 3, activation: relu}}
  - {{type: batch_norm, name: batch_normalization}}
  - {{type: dropout, name: drop, rate: 0.25}}
  - {{type: flatten}}
  - {{type: dense, units: 10, activation: softmax}}
"""
    from safetensors.numpy import load_file

    shapes = {key: value.shape for key, value in load_file(weights).items()}
    assert shapes == {
        "conv2d.kernel": (3, 3, 1, 32), "conv2d.bias": (32,), "conv2d_1.kernel": (3, 3, 32, 64),
        "conv2d_1.bias": (64,), "batch_normalization.gamma": (64,), "batch_normalization.beta": (64,),
        "batch_normalization.moving_mean": (64,), "batch_normalization.moving_variance": (64,),
        "dense.kernel": (7744, 10), "dense.bias": (10,),
    }


def test_names_that_are_not_spec_names_are_made_valid(tmp_path):
    inputs = keras.Input((4, 4, 2))
    first = L.Conv2D(2, 1, name="block-1/conv".replace("/", "."))(inputs)
    second = L.Conv2D(2, 1, name="2nd")(first)
    third = L.Conv2D(2, 1, name="input")(second)
    spec, _ = export(keras.Model(inputs, L.Add(name="sum")([first, third])), tmp_path)
    text = spec.read_text()
    for name in ("name: block_1_conv", "name: _2nd", "name: input_1", "inputs: [block_1_conv, input_1]"):
        assert name in text


class Subclassed(keras.Model):
    """A model whose call() is Python code: nothing export can read."""

    def __init__(self, filters: int = 2, **kwargs):
        super().__init__(**kwargs)
        self.conv = L.Conv2D(filters, 1)

    def call(self, x):
        return self.conv(x)


def test_every_layer_without_a_spec_equivalent_is_named_at_once(tmp_path):
    inputs = keras.Input((8, 8, 3))
    x = Subclassed(3, name="custom_block")(inputs)
    x = L.Conv2D(4, 3, data_format="channels_first", name="cf_conv")(x)
    x = L.LayerNormalization(name="layer_norm")(x)
    x = L.PReLU(name="prelu")(x)
    x = L.Conv2D(4, 1, activation="mish", name="mish_conv")(x)
    x = L.Conv2DTranspose(4, 3, output_padding=0, name="padded")(x)
    x = x * 2.0
    model = keras.Model(inputs, x)
    with pytest.raises(cnnc_keras.ExportError) as raised:
        export(model, tmp_path)
    message = str(raised.value)
    assert "7 layers cannot be written as a spec" in message
    expected = [("custom_block", "Subclassed", "no spec layer type"),
                ("cf_conv", "Conv2D", "data_format='channels_first': cnnc is channels-last"),
                ("layer_norm", "LayerNormalization", "no spec layer type"),
                ("prelu", "PReLU", "no spec layer type"),
                ("mish_conv", "Conv2D", "activation 'mish' is not one the spec has"),
                ("padded", "Conv2DTranspose", "output_padding"),
                ("multiply", "Multiply", "keras.ops operation 'Multiply'")]
    assert len(raised.value.problems) == len(expected)
    for (name, cls, reason), problem in zip(expected, raised.value.problems):
        assert problem[0].startswith(name) and problem[1] == cls and reason in problem[2], problem
        assert f"layer '{problem[0]}' ({cls}): " in message
    assert not (tmp_path / "model.yaml").exists() and not (tmp_path / "model.safetensors").exists()


def test_models_a_spec_cannot_hold_are_refused(tmp_path):
    a, b = keras.Input((4, 4, 1)), keras.Input((4, 4, 1))
    with pytest.raises(cnnc_keras.ExportError, match="2 inputs and 1 outputs; a spec has one of each"):
        export(keras.Model([a, b], L.Add()([a, b])), tmp_path)
    sequence = keras.Input((10, 3))
    with pytest.raises(cnnc_keras.ExportError, match=r"input of shape \(10, 3\)"):
        export(keras.Model(sequence, L.Dense(2)(sequence)), tmp_path)
    with pytest.raises(cnnc_keras.ExportError, match="has no inputs yet"):
        export(keras.Sequential([L.Dense(2)]), tmp_path)

    model = Subclassed()
    model(np.zeros((1, 4, 4, 1), np.float32))
    with pytest.raises(cnnc_keras.ExportError, match="is a subclassed Subclassed: its call"):
        export(model, tmp_path)
    with pytest.raises(cnnc_keras.ExportError, match=r"layer 'base' \(Functional\): not a layer cnnc_keras.build"):
        cnnc_keras.save_weights(sequential_around_a_functional_base(), tmp_path / "w.safetensors")
