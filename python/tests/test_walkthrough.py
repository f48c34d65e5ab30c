"""README.md's "From Keras to Swift": the lines between its keras-walkthrough markers, run as written.

They run in a scratch folder that links the repository's `python/` (they are written for the
repository's root), with this interpreter's `python` and the cnnc under test first on PATH. The
last line, `digits.py score`, fails unless Keras, `cnnc run` and the generated Swift agree.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import REPO


def readme_block(name: str) -> str:
    """The fenced block between `<!-- NAME:start -->` and `<!-- NAME:end -->` in README.md."""
    text = (REPO / "README.md").read_text()
    match = re.search(rf"<!-- {name}:start -->\n```\w*\n(.*?)```\n<!-- {name}:end -->", text, re.S)
    assert match, f"README.md has no {name} block"
    return match.group(1)


def test_readme_walkthrough_runs_and_the_three_paths_agree(cnnc, tmp_path):
    import keras

    if keras.backend.backend() == "numpy":
        pytest.skip("Keras's numpy backend cannot train the walkthrough's model")
    if not shutil.which("swiftc"):
        pytest.skip("no swiftc on PATH to compile the generated Swift")
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "cnnc").symlink_to(os.path.abspath(cnnc))
    # A script, not a link: a virtual environment's interpreter finds its packages by its own path.
    (tools / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    (tools / "python").chmod(0o755)
    (tmp_path / "python").symlink_to(REPO / "python")
    env = {**os.environ, "PATH": f"{tools}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", readme_block("keras-walkthrough")], cwd=tmp_path,
                            env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    accuracies = re.findall(r"^(Keras|cnnc run|generated Swift) +accuracy ([0-9.]+)%", result.stdout, re.M)
    assert [path for path, _ in accuracies] == ["Keras", "cnnc run", "generated Swift"], result.stdout
    assert len({value for _, value in accuracies}) == 1, result.stdout
    assert float(accuracies[0][1]) > 90, result.stdout
