"""The exceptions the bridge raises: one class per kind of mistake, each a ``ValueError``."""

from __future__ import annotations


class SpecError(ValueError):
    """A spec that cannot be read or built; the message names the file, line and layer."""


class ExportError(ValueError):
    """A Keras model that a spec cannot express.

    ``problems`` lists every offending layer at once as ``(layer name, Keras class, reason)``.
    """

    def __init__(self, message: str, problems: list[tuple[str, str, str]] | None = None) -> None:
        self.problems = problems or []
        lines = [message] + [f"  layer '{name}' ({cls}): {reason}" for name, cls, reason in self.problems]
        super().__init__("\n".join(lines))


class WeightsError(ValueError):
    """A weights file that does not match the model.

    ``missing``, ``unexpected`` and ``mismatched`` hold the keys of each kind, all reported at once.
    """

    def __init__(self, path: str, missing: list[str], unexpected: list[str], mismatched: list[str],
                 notes: list[str]) -> None:
        self.missing, self.unexpected, self.mismatched = missing, unexpected, mismatched
        count = len(missing) + len(unexpected) + len(mismatched)
        tensors = "tensor does" if count == 1 else "tensors do"
        super().__init__("\n".join([f"{path}: {count} {tensors} not match the model", *notes]))
