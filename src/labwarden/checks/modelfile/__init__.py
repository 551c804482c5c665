"""Model-file scanner: malicious and unsafe model files found without loading them.

Nothing here imports, unpickles, ``torch.load``s, builds a Keras model or renders a template from
the content it scans: pickles are analyzed opcode by opcode (:mod:`.pickle_scan`), everything else
is parsed as data.

Layout (one module per format family, all behind :mod:`.interface`):

- :mod:`.check` - the ``modelfile`` check (``labwarden scan``, ``labwarden inspect models``);
- :mod:`.dispatch` - what a file or archive member is, from its bytes first;
- :mod:`.pickle_scan`, :mod:`.pickles` - pickle 0-5, several streams, joblib, dill, cloudpickle,
  legacy PyTorch; :mod:`.lists` - the allowlist/denylist policy (``data/*.toml``);
- :mod:`.archives` - zip (PyTorch, TorchScript, Keras v3, skops, npz), tar, 7z, gzip/bz2/xz/zlib;
- :mod:`.arrays` - NumPy ``.npy``; :mod:`.tensors` - safetensors, GGUF;
- :mod:`.templates` - Jinja2 chat templates and config values; :mod:`.graphs` - Keras, TF
  SavedModel, ONNX, skops; :mod:`.payloads` - encoded pickles, code, commands, URLs in strings.
"""

from labwarden.checks.modelfile.check import ModelFileCheck

__all__ = ["ModelFileCheck"]
