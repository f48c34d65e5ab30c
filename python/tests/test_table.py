"""The bridge's layer table against its sources: cnnc's Swift (`OperationKind`'s types and Keras
classes; each type's keys and defaults through schema/cnnc.schema.json, which cnnc prints from its
layer table; `Activation`; the names `Identifier` refuses for a model) and the contract's table of
defaults. The bridge cannot import the Swift, so these tests keep the two from drifting."""

from __future__ import annotations

import json
import re

import pytest

from cnnc_keras.export import RESERVED_TYPE_NAMES
from cnnc_keras.layers import REQUIRED, SAME_AS_POOL_SIZE, TYPES
from cnnc_keras.values import ACTIVATIONS
from conftest import CONFORMANCE, REPO

SOURCES = REPO / "Sources"
SCHEMA = REPO / "schema" / "cnnc.schema.json"
CONTRACT = CONFORMANCE.parent / "CONTRACT.md"
needs_sources = pytest.mark.skipif(not SOURCES.exists(), reason=f"no cnnc sources at {SOURCES}")


def between(text: str, start: str, end: str) -> str:
    return text[text.index(start):text.index(end, text.index(start))]


@needs_sources
def test_types_keras_classes_and_keys_are_cnnc_s():
    """Types and Keras classes from `OperationKind`; each type's keys, in order, from the schema
    `cnnc schema` prints from cnnc's layer table (the committed copy, which a Swift test keeps current)."""
    text = (SOURCES / "CNNGraph" / "Operation.swift").read_text()
    cases = dict(re.findall(r"case (\w+)(?: = \"(\w+)\")?", between(text, "enum OperationKind", "var kerasName")))
    spelling = {case: raw or case for case, raw in cases.items()}
    keras_names = dict(re.findall(r"case \.(\w+): \"(\w+)\"", between(text, "var kerasName", "var isMerge")))
    definitions = json.loads(SCHEMA.read_text())["$defs"]
    keys = {name: tuple(k for k in definitions[name]["properties"] if k not in ("type", "name", "inputs"))
            for name in spelling.values()}
    swift = {spelling[case]: (keras_names[case], keys[spelling[case]]) for case in cases}
    assert {t.name: (t.keras_class, t.keys) for t in TYPES.values()} == swift


@needs_sources
def test_defaults_are_cnnc_s():
    """Each key's default (or that it is required) as cnnc's layer table has it, through the schema."""
    definitions = json.loads(SCHEMA.read_text())["$defs"]
    for t in TYPES.values():
        definition = definitions[t.name]
        for f in t.fields:
            schema = definition["properties"][f.key]
            if f.default is REQUIRED:
                assert f.key in definition["required"], (t.name, f.key)
            elif f.default is SAME_AS_POOL_SIZE or (t.name == "normalization" and f.default is None):
                assert "default" not in schema and f.key not in definition["required"], (t.name, f.key)
            else:
                assert schema["default"] == f.default, (t.name, f.key, schema.get("default"), f.default)


@needs_sources
def test_activations_are_cnnc_s():
    text = (SOURCES / "CNNGraph" / "Activation.swift").read_text()
    cases = re.findall(r"^    case (\w+)(?: = \"(\w+)\")?$", between(text, "enum Activation", "init?"), re.M)
    assert set(ACTIVATIONS) == {raw or case for case, raw in cases} | {"silu"}


@needs_sources
def test_reserved_model_names_are_the_ones_cnnc_refuses():
    text = (SOURCES / "CNNSpec" / "SpecParser.swift").read_text()
    sets = re.findall(r"static let (?:keywords|generatedCodeNames): Set<String> = \[(.*?)\]", text, re.S)
    assert len(sets) == 2
    assert RESERVED_TYPE_NAMES == set(re.findall(r'"(\w+)"', sets[0] + sets[1]))


def contract_defaults() -> dict[str, dict[str, str | None]]:
    """Each type's keys in the contract's table (§1), with the default written in parentheses
    (None for a key without one). Cells are split on `|` that is not escaped, keys on commas and
    semicolons outside brackets; a piece is a key when it is a word alone, before ` (` or `:`."""
    defaults = {}
    for line in between(CONTRACT.read_text(), "## 1.", "## 2.").splitlines():
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
        if len(cells) != 3 or not re.fullmatch(r"[a-z0-9_, ]+", cells[0]) or cells[0] == "type":
            continue
        keys = {}
        for piece in re.split(r"[,;](?![^\[]*\])", cells[1]):
            match = re.fullmatch(r"(\w+)(?: \(([^)]*)\))?(?:\s*:.*)?", piece.strip())
            if match and match.group(1) not in ("none", "inputs"):
                keys[match.group(1)] = match.group(2)
        for kind in cells[0].split(", "):
            defaults[kind] = keys
    return defaults


def spelled(default) -> str | None:
    """A table default as the contract writes it."""
    if default is REQUIRED:
        return None
    if default is SAME_AS_POOL_SIZE:
        return "= pool_size"
    if isinstance(default, bool):
        return "true" if default else "false"
    return "none" if default is None else str(default).removesuffix(".0")


@pytest.mark.skipif(not CONTRACT.exists(), reason=f"no contract at {CONTRACT}")
def test_keys_and_defaults_are_the_contract_s():
    contract = contract_defaults()
    # Written in the contract's prose, not its table: the global pools' keepdims (false); dropout's
    # "(0 <= rate < 1)" is a range, not a default; normalization's mean and variance are optional.
    for kind in ("global_avg_pool2d", "global_max_pool2d"):
        contract[kind] = {"keepdims": "false"}
    contract["dropout"] = {"rate": None}
    contract["normalization"] = {"mean": "none", "variance": "none"}
    table = {t.name: {f.key: spelled(f.default) for f in t.fields} for t in TYPES.values()}
    assert table == contract
