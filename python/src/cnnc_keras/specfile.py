"""Spec files as cnnc reads them: YAML 1.2's core schema (or strict JSON) in, flow-style YAML out.

PyYAML follows YAML 1.1, where `yes` and `on` are booleans and `1e-3` is a string; cnnc follows
YAML 1.2's core schema, so the loader below replaces PyYAML's implicit scalar rules with 1.2's.
Every mapping remembers its line, so that errors can point into the file; a repeated key is an
error, as it is for cnnc.
"""

from __future__ import annotations

import json
import math
import os
import re
from typing import Any

import yaml

from .errors import SpecError

_CORE_RULES = [
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    ("tag:yaml.org,2002:float",
     r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
     "-+.0123456789"),
]


class LocatedDict(dict):
    """A mapping from the spec file that knows the line it starts on (1-based; 0 when unknown)."""

    line: int = 0


class _CoreLoader(yaml.SafeLoader):
    """PyYAML's safe loader with YAML 1.2 core-schema scalars, located mappings and no duplicate keys."""

    yaml_implicit_resolvers: dict = {}


for _tag, _pattern, _first in _CORE_RULES:
    _CoreLoader.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))


def _construct_int(loader: _CoreLoader, node: yaml.ScalarNode) -> int:
    text = loader.construct_scalar(node)
    if text.startswith(("0o", "0x")):
        return int(text[2:], 8 if text[1] == "o" else 16)
    return int(text, 10)


def _construct_float(loader: _CoreLoader, node: yaml.ScalarNode) -> float:
    text = loader.construct_scalar(node).lower()
    if text.endswith(".inf"):
        return -math.inf if text.startswith("-") else math.inf
    return math.nan if text == ".nan" else float(text)


def _construct_bool(loader: _CoreLoader, node: yaml.ScalarNode) -> bool:
    return loader.construct_scalar(node).lower() == "true"


def _construct_mapping(loader: _CoreLoader, node: yaml.MappingNode) -> LocatedDict:
    loader.flatten_mapping(node)
    mapping = LocatedDict()
    mapping.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            mark = key_node.start_mark
            raise SpecError(f"{loader.name}:{mark.line + 1}:{mark.column + 1}: duplicate key '{key}'")
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


_CoreLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_CoreLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)
_CoreLoader.add_constructor("tag:yaml.org,2002:bool", _construct_bool)
_CoreLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def _json_object(pairs: list[tuple[str, Any]]) -> LocatedDict:
    mapping = LocatedDict()
    for key, value in pairs:
        if key in mapping:
            raise ValueError(f"duplicate key '{key}'")
        mapping[key] = value
    return mapping


def read_spec(path: str | os.PathLike) -> dict:
    """The spec at ``path`` as plain Python values (mappings are ``LocatedDict``s).

    A ``.json`` file (any case) is read as strict JSON, anything else as YAML 1.2.
    """
    path = os.fspath(path)
    try:
        with open(path, encoding="utf-8-sig") as file:
            text = file.read()
    except OSError as error:
        raise SpecError(f"{path}: cannot read the spec: {error.strerror}") from error
    try:
        if path.lower().endswith(".json"):
            spec = json.loads(text, object_pairs_hook=_json_object)
        else:
            loader = _CoreLoader(text)
            loader.name = path
            try:
                spec = loader.get_single_data()
            finally:
                loader.dispose()
    except SpecError:
        raise
    except (ValueError, yaml.YAMLError) as error:
        raise SpecError(f"{path}: not a valid spec file: {error}") from error
    if not isinstance(spec, dict):
        raise SpecError(f"{path}: a spec is a mapping with 'input' and 'layers'")
    return spec


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isinf(value):
            return "-.inf" if value < 0 else ".inf"
        return ".nan" if math.isnan(value) else repr(value)
    if isinstance(value, str):
        plain = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.\-]*", value) is not None
        return value if plain and _reads_as_string(value) else json.dumps(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_scalar(item) for item in value) + "]"
    raise TypeError(f"cannot write {value!r} into a spec")


def _reads_as_string(text: str) -> bool:
    return not any(re.match(pattern, text) for _, pattern, _ in _CORE_RULES)


def flow_mapping(fields: dict[str, Any]) -> str:
    """One mapping on one line, keys in the order given: ``{type: conv2d, filters: 8}``."""
    return "{" + ", ".join(f"{key}: {_scalar(value)}" for key, value in fields.items()) + "}"


def write_spec(path: str | os.PathLike, header: dict[str, Any], layers: list[dict[str, Any]],
               comment: str | None = None) -> None:
    """Writes a spec as a person would: top-level keys in block style, one flow mapping per layer."""
    lines = [f"# {line}" for line in (comment or "").splitlines()]
    for key, value in header.items():
        lines.append(f"{key}: {flow_mapping(value) if isinstance(value, dict) else _scalar(value)}")
    lines.append("layers:")
    lines += [f"  - {flow_mapping(layer)}" for layer in layers]
    with open(path, "w", encoding="utf-8") as file:
        file.write("\n".join(lines) + "\n")
