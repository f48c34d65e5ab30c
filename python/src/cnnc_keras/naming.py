"""Layer and model names as cnnc gives them (contract §1)."""

from __future__ import annotations

import os
import re

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def default_name(kind: str, counts: dict[str, int]) -> str:
    """The name of the next unnamed layer of spec type ``kind``: `conv2d`, `conv2d_1`, …

    Only unnamed layers are counted, so ``counts`` is advanced by the caller's use of this name.
    """
    count = counts.get(kind, 0)
    counts[kind] = count + 1
    return kind if count == 0 else f"{kind}_{count}"


def model_name_for_file(path: str) -> str:
    """cnnc's default type name from a file name: `tiny_chain.yaml` gives `TinyChain`."""
    stem = os.path.basename(path).split(".")[0]
    words = re.split(r"[^A-Za-z0-9]+", stem)
    name = "".join(word[:1].upper() + word[1:] for word in words if word)
    return name if name and not name[0].isdigit() else "Model" + name


def spec_name(wanted: str, taken: set[str]) -> str:
    """``wanted`` made a valid, unused layer name: other characters become `_`, a leading digit gets
    a `_` before it, `input` (the model input's name) and names already taken get a `_1`, `_2`, …"""
    name = re.sub(r"[^A-Za-z0-9_]", "_", wanted) or "layer"
    if not NAME.fullmatch(name):
        name = "_" + name
    candidate, suffix = name, 0
    while candidate in taken or candidate == "input":
        suffix += 1
        candidate = f"{name}_{suffix}"
    return candidate
