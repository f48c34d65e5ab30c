"""schema/cnnc.schema.json against cnnc's validator, with Python's jsonschema (draft 2020-12).

- The schema is a valid draft 2020-12 schema and is what `cnnc schema` prints.
- Every spec cnnc accepts (the conformance corpus's valid and warning specs, specs/, the Keras
  references' and ONNX fixtures' specs) validates; every spec cnnc rejects for a reason the schema
  can see (an unknown key or type, a missing key, a wrong type, a value out of range, ...) fails.
- Each accepted spec still validates with `$schema` at the top, and fails with an unknown top-level
  key, an unknown key on its first layer or an unknown layer type.
- Mutations of one layer of each type (each key removed or replaced by values of every kind, an
  unknown key, the layer given every other type, every key of that type at its default) are
  checked by `cnnc check` and by the schema: where cnnc finds no error the schema must accept the
  spec, and where cnnc reports a structural error the schema must reject it.

Usage: python3 Tests/Schemas/check_spec_schema.py --cnnc PATH [--conformance DIR]
Needs jsonschema and ruamel.yaml (YAML 1.2, as cnnc reads it). Ends with 'N passed, N failed'.
"""

from __future__ import annotations

import argparse
import copy
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import jsonschema
from ruamel.yaml import YAML

REPO = Path(__file__).resolve().parents[2]
SCHEMA = REPO / "schema" / "cnnc.schema.json"
SPEC_FOLDERS = [REPO / "specs", REPO / "Tests" / "KerasReferences" / "specs", REPO / "Tests" / "OnnxFixtures" / "specs"]

# Codes whose cause the schema can see: it must reject a spec cnnc reports one of these for.
STRUCTURAL = {
    "unknown-key", "unknown-type", "unknown-activation", "unknown-value", "unknown-version", "missing-key",
    "wrong-type", "non-positive", "negative-padding", "bad-value", "invalid-name", "empty-layers",
    "too-many-inputs", "too-few-inputs", "wrong-arity",
}
# Values every key of a mutated layer is set to in turn.
REPLACEMENTS = ["x", "SAME", -1, 0, 1, 0.5, True, None, [2, 2], [1, 2, 3], [-1, -1, 4], [-1, 8], [[1, 2], [3, 4]], [], {"a": 1}]


class Checks:
    def __init__(self) -> None:
        self.passed = 0
        self.failures: list[str] = []

    def expect(self, condition: bool, what: str) -> None:
        if condition:
            self.passed += 1
        else:
            self.failures.append(what)


def load(path: Path):
    """The spec's value as cnnc reads it (YAML 1.2, or strict JSON); None when it does not parse."""
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        return YAML(typ="safe", pure=True).load(text)
    except Exception:
        return None


def verdicts(cnnc: str, paths: list[Path]) -> dict[str, set[str]]:
    """The error codes `cnnc check` reports for each path (empty: accepted)."""
    result = subprocess.run([cnnc, "check", "--format", "json", *map(str, paths)], capture_output=True, text=True)
    if result.returncode not in (0, 1):
        sys.exit(f"cnnc check failed ({result.returncode}):\n{result.stderr}")
    codes: dict[str, set[str]] = {str(path): set() for path in paths}
    for diagnostic in json.loads(result.stdout):
        if diagnostic["severity"] == "error":
            codes[diagnostic["file"]].add(diagnostic["code"])
    return codes


def corpus(conformance: Path) -> list[Path]:
    """Every spec file: the conformance corpus and the repository's spec folders."""
    paths = sorted((conformance / "specs").glob("*"))
    if not paths:
        sys.exit(f"no conformance specs in {conformance}")
    for folder in SPEC_FOLDERS:
        paths += sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml", ".json"))
    return paths


def mutations(spec: dict, schema: dict, seen_types: set[str]) -> list[tuple[str, dict]]:
    """Variants of the first layer of each type not seen yet."""
    types = schema["$defs"]["layer"]["properties"]["type"]["enum"]
    variants = []
    for index, layer in enumerate(spec["layers"]):
        if not isinstance(layer, dict) or layer.get("type") in seen_types:
            continue
        kind = layer["type"]
        seen_types.add(kind)

        def variant(what: str, change) -> None:
            mutated = copy.deepcopy(spec)
            change(mutated["layers"][index])
            variants.append((f"layer {index} ({kind}): {what}", mutated))

        for key in layer:
            if key == "type":
                continue
            variant(f"without {key}", lambda l, k=key: l.pop(k))
            for value in REPLACEMENTS:
                variant(f"{key}: {json.dumps(value)}", lambda l, k=key, v=value: l.__setitem__(k, copy.deepcopy(v)))
        variant("an unknown key", lambda l: l.__setitem__("bogus", 1))
        for other in types:
            if other != kind:
                variant(f"type {other}", lambda l, t=other: l.__setitem__("type", t))
        for key, definition in schema["$defs"][kind]["properties"].items():
            if "default" in definition:
                variant(f"{key} at its default", lambda l, k=key, d=definition["default"]: l.__setitem__(k, d))
    return variants


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cnnc", required=True)
    parser.add_argument("--conformance", type=Path, default=REPO.parent / "shared" / "conformance")
    arguments = parser.parse_args()
    checks = Checks()

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    printed = subprocess.run([arguments.cnnc, "schema"], capture_output=True, text=True, check=True).stdout
    checks.expect(printed == SCHEMA.read_text(encoding="utf-8"), "schema/cnnc.schema.json is what `cnnc schema` prints")

    def agrees(value, codes: set[str], what: str) -> None:
        valid = validator.is_valid(value)
        if not codes:
            checks.expect(valid, f"{what}: cnnc accepts it, the schema does not: "
                                 f"{[e.message for e in validator.iter_errors(value)][:3]}")
        elif codes & STRUCTURAL:
            checks.expect(not valid, f"{what}: cnnc reports {sorted(codes)}, the schema accepts it")

    paths = corpus(arguments.conformance)
    codes = verdicts(arguments.cnnc, paths)
    accepted = []
    for path in paths:
        value = load(path)
        if value is None:
            checks.expect(bool(codes[str(path)]), f"{path}: does not parse in Python, but cnnc accepts it")
            continue
        agrees(value, codes[str(path)], str(path.relative_to(path.parents[1])))
        if not codes[str(path)]:
            accepted.append((path, value))

    seen_types: set[str] = set()
    variants: list[tuple[str, dict]] = []
    for path, spec in accepted:
        name = path.name
        checks.expect(validator.is_valid({"$schema": "schema/cnnc.schema.json", **spec}), f"{name} with $schema")
        checks.expect(not validator.is_valid({**spec, "bogus": 1}), f"{name} with an unknown top-level key")
        first = copy.deepcopy(spec)
        first["layers"][0]["bogus"] = 1
        checks.expect(not validator.is_valid(first), f"{name} with an unknown key on its first layer")
        first = copy.deepcopy(spec)
        first["layers"][0]["type"] = "conv3d"
        checks.expect(not validator.is_valid(first), f"{name} with an unknown layer type")
        variants += [(f"{name}, {what}", mutated) for what, mutated in mutations(spec, schema, seen_types)]

    small = next(spec for path, spec in accepted if path.name == "mnist.yaml")
    for what, change in [
        ("without input", lambda s: s.pop("input")), ("without layers", lambda s: s.pop("layers")),
        ("layers: []", lambda s: s.__setitem__("layers", [])), ("cnnc: 2", lambda s: s.__setitem__("cnnc", 2)),
        ("name: class", lambda s: s.__setitem__("name", "class")), ("name: 1x", lambda s: s.__setitem__("name", "1x")),
        ("description: 5", lambda s: s.__setitem__("description", 5)),
        ("shape: []", lambda s: s["input"].__setitem__("shape", [])),
        ("shape: [28, 28]", lambda s: s["input"].__setitem__("shape", [28, 28])),
        ("shape: [0, 28, 1]", lambda s: s["input"].__setitem__("shape", [0, 28, 1])),
        ("shape: [null, 28, 28, 1]", lambda s: s["input"].__setitem__("shape", [None, 28, 28, 1])),
        ("input: {shape, size}", lambda s: s["input"].__setitem__("size", 1)),
        ("a layer named input", lambda s: s["layers"][0].__setitem__("name", "input")),
        ("limits within budget", lambda s: s.__setitem__("limits", {"max_params": 10**9, "max_macs": 10**9, "max_activation_bytes": 10**9})),
        ("limits over budget", lambda s: s.__setitem__("limits", {"max_params": 10, "max_macs": 10, "max_activation_bytes": 10})),
        ("limits: {}", lambda s: s.__setitem__("limits", {})),
        ("limits: 5", lambda s: s.__setitem__("limits", 5)),
        ("max_params: 0", lambda s: s.__setitem__("limits", {"max_params": 0})),
        ("max_macs: -3", lambda s: s.__setitem__("limits", {"max_macs": -3})),
        ("max_activation_bytes: x", lambda s: s.__setitem__("limits", {"max_activation_bytes": "x"})),
        ("max_params: 1.5", lambda s: s.__setitem__("limits", {"max_params": 1.5})),
        ("limits with an unknown key", lambda s: s.__setitem__("limits", {"max_flops": 10})),
    ]:
        mutated = copy.deepcopy(small)
        change(mutated)
        variants.append((f"mnist.yaml, {what}", mutated))

    with tempfile.TemporaryDirectory() as folder:
        files = []
        for number, (_, mutated) in enumerate(variants):
            path = Path(folder) / f"variant{number}.json"
            path.write_text(json.dumps(mutated), encoding="utf-8")
            files.append(path)
        codes = verdicts(arguments.cnnc, files)
        for (what, mutated), path in zip(variants, files):
            agrees(mutated, codes[str(path)], what)

    for failure in checks.failures:
        print(f"FAILED: {failure}")
    print(f"spec schema: {len(accepted)} accepted specs of {len(paths)}, {len(variants)} variants")
    print(f"schema: {checks.passed} passed, {len(checks.failures)} failed")
    return 1 if checks.failures else 0


if __name__ == "__main__":
    sys.exit(main())
