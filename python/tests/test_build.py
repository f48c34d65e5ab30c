"""`cnnc_keras.build`: every example spec and the conformance corpus, naming, and spec errors."""

from __future__ import annotations

import json
import re

import keras
import numpy as np
import pytest

import cnnc_keras
from conftest import CONFORMANCE, SPECS, assert_close, cnnc_path, predict, run_cnnc

EXAMPLE_SPECS = sorted(p for p in SPECS.iterdir() if p.suffix in (".yaml", ".json"))


def _index() -> dict:
    path = CONFORMANCE / "refs" / "INDEX.json"
    return json.loads(path.read_text()) if path.exists() else {}


VALID = sorted(name for name, entry in _index().items() if entry["status"] != "invalid")
INVALID = sorted(name for name, entry in _index().items() if entry["status"] == "invalid")
needs_corpus = pytest.mark.skipif(not VALID, reason=f"no conformance corpus at {CONFORMANCE} (set CNNC_CONFORMANCE)")


def spec_layers(model) -> list:
    return [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]


def write(tmp_path, text: str, name: str = "spec.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize("spec", EXAMPLE_SPECS, ids=lambda p: p.name)
def test_example_spec_builds_as_cnnc_summarizes_it(spec):
    model = cnnc_keras.build(spec)
    assert isinstance(model, keras.Sequential) == ("inputs" not in spec.read_text()), "chains are Sequential"
    if not cnnc_path():
        pytest.skip("built; no cnnc binary to compare its summary with (set CNNC or put cnnc on PATH)")
    summary = json.loads(run_cnnc(cnnc_path(), "summary", "--format", "json", spec).stdout)
    # A functional model lists its layers in Keras's order (by depth), not the spec's.
    layers = {layer.name: (layer.count_params(), list(layer.output.shape[1:])) for layer in spec_layers(model)}
    assert layers == {entry["name"]: (entry["params"], entry["output_shape"]) for entry in summary["layers"]}


@needs_corpus
@pytest.mark.parametrize("name", VALID)
def test_conformance_spec_gives_keras_reference(name):
    entry, refs = _index()[name], CONFORMANCE / "refs" / name
    model = cnnc_keras.build(CONFORMANCE / "specs" / entry["spec"])
    summary = json.loads((refs / "summary.json").read_text())
    assert sorted(layer.name for layer in spec_layers(model)) == sorted(layer["name"] for layer in summary["layers"])
    cnnc_keras.load_weights(model, refs / "weights.safetensors")
    assert_close(predict(model, np.load(refs / "input.npy")), np.load(refs / "expected.npy"))


@needs_corpus
@pytest.mark.parametrize("name", INVALID)
def test_invalid_conformance_spec_raises(name):
    spec = CONFORMANCE / "specs" / _index()[name]["spec"]
    with pytest.raises(cnnc_keras.SpecError, match=re.escape(str(spec))):
        cnnc_keras.build(spec)


def test_unnamed_layers_are_named_by_spec_type(tmp_path):
    spec = write(tmp_path, """
input: {shape: [8, 8, 1]}
layers:
  - {type: conv2d, filters: 2, kernel_size: 3}
  - {type: batch_norm}
  - {type: conv2d, name: mine, filters: 2, kernel_size: 1}
  - {type: conv2d, filters: 2, kernel_size: 1}
  - {type: max_pool2d}
  - {type: flatten}
  - {type: dense, units: 3}
""")
    names = [layer.name for layer in spec_layers(cnnc_keras.build(spec))]
    assert names == ["conv2d", "batch_norm", "mine", "conv2d_1", "max_pool2d", "flatten", "dense"]


def test_graph_spec_is_functional_with_broadcasting_merges(tmp_path):
    spec = write(tmp_path, """
name: SqueezeExcite
input: {shape: [6, 6, 4]}
layers:
  - {type: conv2d, name: features, filters: 4, kernel_size: 3, padding: SAME}
  - {type: global_avg_pool2d, keepdims: true}
  - {type: conv2d, filters: 4, kernel_size: 1, activation: sigmoid}
  - {type: multiply, inputs: [features, conv2d]}
  - {type: subtract, inputs: [multiply, input]}
""")
    model = cnnc_keras.build(spec)
    assert model.name == "SqueezeExcite" and not isinstance(model, keras.Sequential)
    assert tuple(model.outputs[0].shape) == (None, 6, 6, 4)


def test_yaml_follows_the_core_schema_of_yaml_1_2(tmp_path):
    number = write(tmp_path, "input: {shape: [4, 4, 1]}\nlayers:\n  - {type: dropout, rate: 1e-3}\n")
    assert cnnc_keras.build(number).layers[-1].rate == pytest.approx(1e-3)
    boolean = write(tmp_path, "input: {shape: [4, 4, 1]}\nlayers:\n  - {type: conv2d, filters: 1, kernel_size: 1,"
                              " use_bias: yes}\n")
    with pytest.raises(cnnc_keras.SpecError, match=r"spec.yaml:3: layer 'conv2d' \(conv2d\): 'use_bias': expected "
                                                   r"true or false, found str 'yes'"):
        cnnc_keras.build(boolean)


def test_json_spec_and_duplicate_keys(tmp_path):
    spec = write(tmp_path, json.dumps({"input": {"shape": [4, 4, 2]}, "layers": [{"type": "flatten"}]}), "s.JSON")
    assert [layer.name for layer in spec_layers(cnnc_keras.build(spec))] == ["flatten"]
    duplicate = write(tmp_path, "input: {shape: [4, 4, 1]}\nlayers:\n  - {type: flatten, type: dense}\n")
    with pytest.raises(cnnc_keras.SpecError, match=r"spec.yaml:3:21: duplicate key 'type'"):
        cnnc_keras.build(duplicate)
    with pytest.raises(cnnc_keras.SpecError, match="duplicate key 'a'"):
        cnnc_keras.build(write(tmp_path, '{"a": 1, "a": 2}', "d.json"))


@pytest.mark.parametrize("layer, message", [
    ("{type: conv2d, filters: 8, kernel_size: 9}",
     r"spec.yaml:5: layer 'conv2d_1' \(conv2d\): Keras cannot build it on input \(4, 4, 2\)"),
    ("{type: dense, units: 3}",
     r"spec.yaml:5: layer 'dense' \(dense\): needs a flat input, but 'conv2d' gives 4x4x2; insert '- type: flatten'"),
    ("{type: conv2d, filters: 8, kernel_size: 3, activaton: relu}",
     r"layer 'conv2d_1' \(conv2d\): unknown key 'activaton'; did you mean 'activation'\?"),
    ("{type: conv2d, kernel_size: 3}", r"spec.yaml:5: layer 'conv2d_1' \(conv2d\): missing key 'filters'"),
    ("{type: conv2d, filters: 2, kernel_size: 1, activation: rleu}", r"'activation': expected an activation"),
    ("{type: dens, units: 3}", r"spec.yaml:5: unknown layer type 'dens'; did you mean 'dense'\?"),
    ("{type: add, inputs: [conv2d, convd2]}", r"'inputs' names 'convd2', which is not the input or an earlier layer"
                                              r"; did you mean 'conv2d'\?"),
    ("{type: add, inputs: [conv2d]}", r"layer 'add' \(add\): add needs at least two 'inputs', found 1"),
    ("{type: conv2d, name: conv2d, filters: 2, kernel_size: 1}", r"layer name 'conv2d' is used twice"),
    ("{type: reshape, target_shape: [5]}", r"layer 'reshape' \(reshape\): Keras cannot build it on input"),
])
def test_spec_error_names_file_line_and_layer(tmp_path, layer, message):
    spec = write(tmp_path, f"""input: {{shape: [6, 6, 1]}}
layers:
  - {{type: conv2d, filters: 2, kernel_size: 3}}

  - {layer}
""")
    with pytest.raises(cnnc_keras.SpecError, match=message):
        cnnc_keras.build(spec)
