"""Optional statistical NER back ends: a spaCy pipeline or a GLiNER model the user installed.

labwarden never downloads a model. ``spacy:NAME`` loads an installed spaCy pipeline package or a
folder; ``gliner:PATH`` loads a GLiNER model from a local folder with the Hugging Face hub set
offline. Their person, place and organization spans join the rule-based ones through the same
:class:`~labwarden.checks.pii.interface.NerBackend` interface; overlaps go to the more confident.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import Any

from labwarden.checks.pii.interface import Span
from labwarden.core.errors import PolicyError

SPACY_LABELS = {
    "PERSON": "PERSON",
    "PER": "PERSON",
    "GPE": "LOCATION",
    "LOC": "LOCATION",
    "ORG": "ORGANIZATION",
}
GLINER_LABELS = {"person": "PERSON", "location": "LOCATION", "organization": "ORGANIZATION"}
SPACY_CONFIDENCE = 0.8
"""spaCy's NER gives no per-span score; its spans count as fairly sure."""


class SpacyBackend:
    """Entities from a loaded spaCy pipeline (anything with ``nlp(text).ents``)."""

    def __init__(self, nlp: Any, name: str = "spacy") -> None:
        self.nlp = nlp
        self.name = name

    def spans(self, text: str) -> Iterator[Span]:
        """PERSON, LOCATION and ORGANIZATION spans of ``text``."""
        for ent in self.nlp(text).ents:
            entity = SPACY_LABELS.get(ent.label_)
            if entity is not None:
                yield Span(
                    entity,
                    ent.start_char,
                    ent.end_char,
                    ent.text,
                    SPACY_CONFIDENCE,
                    f"{self.name} NER",
                )


class GlinerBackend:
    """Entities from a loaded GLiNER model (``predict_entities(text, labels)``)."""

    def __init__(self, model: Any, name: str = "gliner", threshold: float = 0.5) -> None:
        self.model = model
        self.name = name
        self.threshold = threshold

    def spans(self, text: str) -> Iterator[Span]:
        """PERSON, LOCATION and ORGANIZATION spans of ``text``."""
        found: Iterable[dict[str, Any]] = self.model.predict_entities(
            text, list(GLINER_LABELS), threshold=self.threshold
        )
        for item in found:
            entity = GLINER_LABELS.get(str(item.get("label")))
            if entity is not None:
                start, end = int(item["start"]), int(item["end"])
                score = float(item.get("score", self.threshold))
                yield Span(entity, start, end, text[start:end], score, f"{self.name} NER")


def load_backend(spec: str) -> SpacyBackend | GlinerBackend:
    """``spacy:NAME_OR_PATH`` or ``gliner:PATH``; :class:`PolicyError` when it cannot load."""
    kind, _, where = spec.partition(":")
    if not where:
        raise PolicyError(f"pii.ner {spec!r}: write 'spacy:MODEL' or 'gliner:PATH'")
    if kind == "spacy":
        return SpacyBackend(_load_spacy(where), f"spaCy {where}")
    if kind == "gliner":
        return GlinerBackend(_load_gliner(where), f"GLiNER {where}")
    raise PolicyError(f"pii.ner {spec!r}: unknown back end {kind!r} (spacy or gliner)")


def _load_spacy(where: str) -> Any:
    try:
        import spacy  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        raise PolicyError(
            "pii.ner needs spaCy and a model you installed (pip install spacy, then the model "
            "package); labwarden never downloads one"
        ) from None
    try:
        return spacy.load(where)
    except OSError as exc:
        raise PolicyError(f"pii.ner: cannot load the spaCy model {where!r}: {exc}") from exc


def _load_gliner(where: str) -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        from gliner import GLiNER  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        raise PolicyError(
            "pii.ner needs the gliner package and a model folder you downloaded yourself"
        ) from None
    try:
        return GLiNER.from_pretrained(where, local_files_only=True)
    except Exception as exc:  # the loader raises many kinds for a missing or partial folder
        raise PolicyError(f"pii.ner: cannot load the GLiNER model {where!r}: {exc}") from exc
