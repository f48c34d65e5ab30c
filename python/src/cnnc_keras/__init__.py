"""The Keras bridge of cnnc (contract §2.2), for people who train in Keras 3, whatever its backend.

- ``build(spec_path)``: the spec's model in Keras, its layers named as cnnc names them;
- ``export(model, spec_path, weights_path)``: a spec (YAML) and safetensors weights from a trained
  Sequential or functional model, for ``cnnc run`` and ``cnnc build``;
- ``save_weights(model, path)`` and ``load_weights(model, path)``: weights under cnnc's keys
  (``<layer name>.<param>``, Keras's shapes) for a model made by ``build``.
"""

from .build import build
from .errors import ExportError, SpecError, WeightsError
from .export import export
from .weights import load_weights, save_weights

__all__ = ["build", "export", "save_weights", "load_weights", "SpecError", "ExportError", "WeightsError"]
__version__ = "0.1.0"
