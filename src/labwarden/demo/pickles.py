"""The demo's pickles: built opcode by opcode by :mod:`labwarden.checks.modelfile.samples`."""

from labwarden.checks.modelfile.samples import (
    PickleWriter,
    shell_payload,
    sklearn_estimator,
    torch_state_dict,
    torch_zip,
)

__all__ = ["PickleWriter", "shell_payload", "sklearn_estimator", "torch_state_dict", "torch_zip"]
