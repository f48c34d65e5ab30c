"""`cnnc_keras.save_weights` and `load_weights`: cnnc's keys and shapes, round trips, and every
mismatch named at once."""

from __future__ import annotations

import json

import numpy as np
import pytest
from safetensors.numpy import load_file, save_file

import cnnc_keras
from conftest import SPECS, assert_close, cnnc_predict, predict, randomize, run_cnnc, sample

MOBILENET_BLOCK = SPECS / "mobilenet_block.json"
RESIDUAL_BLOCK = SPECS / "residual_block.yaml"


def test_saved_weights_have_the_keys_and_shapes_cnnc_declares(cnnc, tmp_path):
    model = cnnc_keras.build(MOBILENET_BLOCK)
    cnnc_keras.save_weights(model, tmp_path / "w.safetensors")
    summary = json.loads(run_cnnc(cnnc, "summary", "--format", "json", MOBILENET_BLOCK).stdout)
    declared = {w["key"]: tuple(w["shape"]) for layer in summary["layers"] for w in layer["weights"]}
    saved = load_file(tmp_path / "w.safetensors")
    assert {key: value.shape for key, value in saved.items()} == declared
    assert all(value.dtype == np.float32 for value in saved.values())


def test_saved_weights_run_in_cnnc_as_in_keras(cnnc, tmp_path):
    model = cnnc_keras.build(RESIDUAL_BLOCK)
    randomize(model, seed=6)
    cnnc_keras.save_weights(model, tmp_path / "w.safetensors")
    x = sample(model)
    assert_close(cnnc_predict(cnnc, RESIDUAL_BLOCK, tmp_path / "w.safetensors", x, tmp_path), predict(model, x))


def test_weights_round_trip(tmp_path):
    model = cnnc_keras.build(MOBILENET_BLOCK)
    randomize(model, seed=7)
    cnnc_keras.save_weights(model, tmp_path / "w.safetensors")
    loaded = cnnc_keras.build(MOBILENET_BLOCK)
    cnnc_keras.load_weights(loaded, tmp_path / "w.safetensors")
    x = sample(model)
    np.testing.assert_array_equal(predict(loaded, x), predict(model, x))


def test_normalization_statistics_are_used_once_loaded(tmp_path):
    spec = tmp_path / "norm.yaml"
    spec.write_text("input: {shape: [2, 2, 3]}\nlayers:\n  - {type: normalization}\n")
    model = cnnc_keras.build(spec)
    save_file({"normalization.mean": np.array([1, 2, 3], np.float32),
               "normalization.variance": np.array([4, 4, 16], np.float64)}, str(tmp_path / "w.safetensors"))
    cnnc_keras.load_weights(model, tmp_path / "w.safetensors")
    assert_close(predict(model, np.ones((1, 2, 2, 3), np.float32))[0, 0, 0], np.array([0, -0.5, -0.5], np.float32))


def test_load_names_every_missing_unexpected_and_misshapen_tensor(tmp_path):
    model = cnnc_keras.build(RESIDUAL_BLOCK)
    cnnc_keras.save_weights(model, tmp_path / "w.safetensors")
    tensors = load_file(tmp_path / "w.safetensors")
    del tensors["stem.bias"], tensors["bn_b.moving_variance"]
    tensors["classifier.bias"] = np.zeros(11, np.float32)
    tensors["batch_normalization.gamma"] = np.ones(16, np.float32)
    save_file(tensors, str(tmp_path / "bad.safetensors"))
    before = [np.array(v) for v in model.get_layer("classifier").get_weights()]
    with pytest.raises(cnnc_keras.WeightsError) as raised:
        cnnc_keras.load_weights(model, tmp_path / "bad.safetensors")
    error = raised.value
    assert error.missing == ["stem.bias", "bn_b.moving_variance"]
    assert error.mismatched == ["classifier.bias"] and error.unexpected == ["batch_normalization.gamma"]
    message = str(error)
    assert message.startswith(f"{tmp_path / 'bad.safetensors'}: 4 tensors do not match the model")
    for line in ("missing 'stem.bias': layer 'stem' needs shape [16]",
                 "'classifier.bias' has shape [11]; layer 'classifier' needs [10]",
                 "unexpected 'batch_normalization.gamma' [16]: the model has no such weight"):
        assert line in message
    after = model.get_layer("classifier").get_weights()
    assert all(np.array_equal(a, b) for a, b in zip(before, after)), "nothing is set when anything is wrong"
