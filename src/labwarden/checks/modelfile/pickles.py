"""Pickle-based formats: plain pickle (protocols 0-5, several streams), joblib, dill, cloudpickle
and legacy PyTorch files; findings come from :mod:`.pickle_scan`."""

from __future__ import annotations

from labwarden.checks.modelfile.interface import Blob, ScanContext
from labwarden.checks.modelfile.pickle_scan import PickleAnalyzer, PickleReport
from labwarden.checks.modelfile.positions import pickle_position
from labwarden.core.values import Severity
from labwarden.inventory.formats import TORCH_LEGACY_MAGIC

_SERIALIZERS = {
    "dill.": "dill",
    "cloudpickle.": "cloudpickle",
    "joblib.": "joblib",
    "torch.": "pytorch",
    "sklearn.": "scikit-learn",
}


def scan_pickle(ctx: ScanContext, blob: Blob) -> None:
    """Analyze ``blob`` as one or more pickle streams."""
    legacy = blob.data[: len(TORCH_LEGACY_MAGIC)] == TORCH_LEGACY_MAGIC
    # Legacy torch.save files are five pickles followed by raw storage bytes.
    analyzer = PickleAnalyzer(ctx.policy)
    report = analyzer.analyze(blob.data, max_streams=5 if legacy else None)
    position = pickle_position(blob)
    if not report.complete and position == "shared" and not report.imports:
        return  # a .bin/.model of another format (raw weights, SentencePiece): not a pickle
    report_pickle(ctx, blob, report, legacy=legacy)
    if not report.complete and position and not blob.cut and not _joblib_arrays(report):
        ctx.add(
            blob,
            "unparseable",
            Severity.HIGH,
            f"the file is in a pickle position ({blob.name}) but is not a complete pickle "
            f"stream ({report.failure or 'no STOP opcode'}); it cannot be vouched for",
            "Do not load it: what a loader makes of bytes the scanner cannot parse is unknown. "
            "Re-export the model from a trusted source.",
            evidence={"head": bytes(blob.data[:16]).hex()},
        )


def _joblib_arrays(report: PickleReport) -> bool:
    return any("NumpyArrayWrapper" in q or "NDArrayWrapper" in q for q in report.imports)


def report_pickle(ctx: ScanContext, blob: Blob, report: PickleReport, *, legacy: bool) -> None:
    """Turn the analysis of ``blob`` into findings."""
    for embedded in report.embedded:
        pickle_hint = "" if embedded.data[:2] == b"PK" else "pickle"
        name = f"{embedded.loader}@{embedded.offset}"
        ctx.scan(blob.child(name, embedded.data, hint=pickle_hint))
    producers = sorted(
        {
            kind
            for qual in report.imports
            for prefix, kind in _SERIALIZERS.items()
            if qual.startswith(prefix)
        }
    )
    joblib_arrays = _joblib_arrays(report)
    for hit in report.hits:
        severity = hit.severity
        rule = hit.rule
        if legacy and rule in ("multiple-pickles", "trailing-data"):
            continue  # the legacy format is several pickles and raw tensor data by design
        if blob.cut and rule == "truncated-pickle":
            continue  # the scanner cut the content (reported as a bomb or a scan limit)
        if joblib_arrays and rule in ("malformed-pickle", "truncated-pickle", "trailing-data"):
            severity = Severity.INFO  # joblib writes raw array bytes between opcodes
        evidence = dict(hit.evidence)
        if hit.callable:
            evidence["callable"] = hit.callable
        if hit.count > 1:
            evidence["occurrences"] = hit.count
        if producers:
            evidence["serializer"] = ", ".join(producers)
        ctx.add(
            blob,
            rule,
            severity,
            hit.message,
            hit.remediation,
            offset=hit.offset,
            evidence=evidence,
        )
