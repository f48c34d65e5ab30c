"""Shared fixtures: the repository's paths, the cnnc binary, seeded weights and the tolerance check.

The tests run against real Keras 3 (JAX backend unless KERAS_BACKEND says otherwise). Those that
run cnnc find it in the environment variable CNNC, else as `cnnc` on PATH, and are skipped with
that reason when neither exists.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
SPECS = REPO / "specs"
CONFORMANCE = Path(os.environ.get("CNNC_CONFORMANCE", REPO.parent / "shared" / "conformance"))


def cnnc_path() -> str | None:
    """The cnnc binary: $CNNC, else `cnnc` on PATH."""
    return os.environ.get("CNNC") or shutil.which("cnnc")


@pytest.fixture(scope="session")
def cnnc() -> str:
    path = cnnc_path()
    if not path or not os.access(path, os.X_OK):
        pytest.skip("no cnnc binary: set CNNC=/path/to/cnnc or put cnnc on PATH")
    return path


def run_cnnc(cnnc: str, *arguments: str) -> subprocess.CompletedProcess:
    """Runs cnnc; fails the test with its output when it exits non-zero."""
    result = subprocess.run([cnnc, *map(str, arguments)], capture_output=True, text=True)
    assert result.returncode == 0, f"cnnc {' '.join(map(str, arguments))} failed:\n{result.stdout}{result.stderr}"
    return result


def cnnc_predict(cnnc: str, spec: Path, weights: Path, x: np.ndarray, folder: Path) -> np.ndarray:
    """`cnnc run` on a batch, after `cnnc check` of the spec."""
    run_cnnc(cnnc, "check", spec)
    np.save(folder / "x.npy", x.astype(np.float32))
    run_cnnc(cnnc, "run", spec, "--weights", weights, "--input", folder / "x.npy", "--output", folder / "y.npy")
    return np.load(folder / "y.npy")


def assert_close(actual: np.ndarray, expected: np.ndarray, what: str = "output") -> None:
    """Contract §3's tolerance: absolute 1e-4 + relative 1e-4 per element."""
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape}, expected {expected.shape}"
    excess = np.abs(actual - expected) - (1e-4 + 1e-4 * np.abs(expected))
    worst = int(np.argmax(excess))
    assert excess.flat[worst] <= 0, (f"{what}: element {worst} is {actual.flat[worst]}, expected "
                                     f"{expected.flat[worst]} (max |difference| {np.abs(actual - expected).max():.3g})")


def randomize(model, seed: int = 0) -> None:
    """Seeded random weights that keep activations in a range float32 compares well in: kernels
    scaled by their fan-in, batch-norm and normalization statistics away from 0 and 1."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        for variable in layer.weights:
            key, shape = variable.name, tuple(variable.shape)
            if key == "count":
                continue
            if "kernel" in key:
                value = rng.normal(0, (1 / max(1, int(np.prod(shape[:-1])))) ** 0.5, shape)
            elif "variance" in key:
                value = rng.uniform(0.5, 2.0, shape)
            elif key == "gamma":
                value = rng.uniform(0.5, 1.5, shape)
            else:
                value = rng.normal(0, 0.3, shape)
            variable.assign(value.astype(np.float32))
        if type(layer).__name__ == "Normalization" and layer.weights:
            layer.finalize_state()


def sample(model, count: int = 2, seed: int = 1) -> np.ndarray:
    """A batch of uniform [-1, 1) inputs for the model."""
    shape = tuple(model.inputs[0].shape)[1:]
    return np.random.default_rng(seed).uniform(-1, 1, (count, *shape)).astype(np.float32)


def predict(model, x: np.ndarray) -> np.ndarray:
    return np.asarray(model.predict(x, verbose=0), dtype=np.float32)
