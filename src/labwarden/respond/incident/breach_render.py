"""The breach report as Markdown or as one self-contained, printable HTML file.

Both are written from the same blocks (:func:`blocks`), made from the document
:func:`~labwarden.respond.incident.breach.build_report` returns, so the two never disagree.
HTML escapes every value and needs nothing beside it (inline CSS, no script, no fetch).
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from labwarden.respond.incident.assessment import FILL_IN


class ReportFormat(str, Enum):
    """``--format`` of ``incident report``."""

    MD = "md"
    HTML = "html"
    JSON = "json"


@dataclass(frozen=True, slots=True)
class Block:
    """One piece of the report: ``h1``/``h2``/``h3``, ``p``, ``facts`` (label, value, basis),
    or ``table`` (columns, rows)."""

    kind: str
    text: str = ""
    columns: Sequence[str] = ()
    rows: Sequence[Sequence[Any]] = ()


def _facts(items: Sequence[dict[str, Any]]) -> Block:
    return Block("facts", rows=[(s.get("text"), s.get("basis", "")) for s in items])


def _nature(doc: dict[str, Any]) -> Iterator[Block]:
    nature = doc["nature"]
    yield Block("h2", "1. Nature of the breach (Art. 33(3)(a))")
    yield _facts([nature["description"]])
    yield Block("h3", "Type")
    yield _facts(nature["types"] or [{"text": FILL_IN, "basis": "no operation is known"}])
    yield Block("h3", "Data subjects and records")
    yield Block(
        "table",
        columns=["what", "value", "how it was derived"],
        rows=[
            (
                "categories of data subjects",
                nature["data_subject_categories"]["text"],
                nature["data_subject_categories"]["basis"],
            ),
            (
                "approximate number of data subjects",
                _value(nature["data_subjects"]["value"]),
                nature["data_subjects"]["how"],
            ),
            (
                "approximate number of records",
                _value(nature["records"]["value"]),
                nature["records"]["how"],
            ),
            (
                "special categories (Art. 9)",
                "yes" if nature["special_categories"] else "none found",
                "PII findings of the datasets read",
            ),
        ],
    )
    yield Block("h3", "Categories of personal data")
    yield Block(
        "table",
        columns=["category", "column", "source"],
        rows=[(c["category"], c["column"], c["source"]) for c in nature["personal_data_categories"]]
        or [(FILL_IN, "", "no PII finding on the datasets read")],
    )


def _value(value: Any) -> str:
    return FILL_IN if value is None else str(value)


def _clock(doc: dict[str, Any]) -> Iterator[Block]:
    clock = doc["clock"]
    yield Block("h2", "5. Timing: the 72-hour clock (Art. 33(1))")
    late = clock["late_by_hours"]
    yield Block(
        "table",
        columns=["what", "value"],
        rows=[
            ("became aware", clock["aware_at"]),
            ("deadline (aware + 72 h)", clock["deadline"]),
            ("notified", f"{clock['notified_at']} ({clock['notified_basis']})"),
            ("within 72 hours", "yes" if clock["within_72_hours"] else f"no, {late} h late"),
            ("reasons for the delay", clock["delay_reason"]),
            ("first event of the breach", clock["first_event"] or FILL_IN),
            (
                "from first event to awareness",
                f"{clock['detection_delay_hours']} h"
                if clock["detection_delay_hours"] is not None
                else "unknown",
            ),
        ],
    )


def _annex(doc: dict[str, Any]) -> Iterator[Block]:
    annex = doc["annex"]
    timeline = annex["timeline"]
    yield Block("h2", "Technical annex")
    yield Block("h3", "Timeline summary")
    yield Block(
        "p",
        f"{timeline['lines']} timeline lines ({timeline['lake_events']} lake events) "
        f"from {timeline['first'] or 'unknown'} to {timeline['last'] or 'unknown'}; "
        "the full stream: `labwarden incident timeline ID --format jsonl`.",
    )
    if timeline["by_operation"]:
        yield Block(
            "table",
            columns=["operation", "events"],
            rows=[(r["operation"], r["events"]) for r in timeline["by_operation"]],
        )
    if timeline["key_lines"]:
        yield Block(
            "table",
            columns=["time (UTC)", "source", "what", "message"],
            rows=[
                (k["datetime"], k["source"], k["timestamp_desc"], k["message"])
                for k in timeline["key_lines"]
            ],
        )
        if timeline["key_lines_left_out"]:
            yield Block("p", f"{timeline['key_lines_left_out']} further lines left out here.")
    for section in annex["scope"]:
        yield Block("h3", section["title"])
        yield Block(
            "table",
            columns=section["columns"],
            rows=[[row.get(c) for c in section["columns"]] for row in section["rows"]],
        )
    yield Block("h3", "Indicators")
    yield Block(
        "table",
        columns=["type", "value", "events", "first", "last"],
        rows=[
            (i["type"], i["value"], i["events"], i["first"], i["last"]) for i in annex["indicators"]
        ]
        or [("none", "", "", "", "")],
    )
    yield Block("h3", "Evidence")
    yield Block(
        "table",
        columns=["what", "sha256", "state"],
        rows=[(e["what"], e.get("sha256") or "", e.get("state", "")) for e in annex["evidence"]],
    )


def blocks(doc: dict[str, Any]) -> Iterator[Block]:
    """The report, block by block, in reading order."""
    incident = doc["incident"]
    yield Block("h1", f"Personal data breach notification: incident {incident['id']}")
    yield Block(
        "p",
        f"{incident['title']} ({incident['severity']}, {incident['status']}). "
        f"Generated {doc['generated']['at']} by {doc['generated']['by']} with "
        f"{doc['generated']['tool']}. Statements give their basis; fields marked "
        f"“{FILL_IN}” need a person.",
    )
    yield from _nature(doc)
    yield Block("h2", "2. Contact point (Art. 33(3)(b))")
    contact = doc["contact"]
    yield Block(
        "table",
        columns=["what", "value"],
        rows=[
            ("controller", contact["controller"]),
            ("DPO or contact point", contact["name"]),
            ("contact details", contact["contact"]),
        ],
    )
    yield Block("h2", "3. Likely consequences (Art. 33(3)(c))")
    yield _facts(doc["consequences"])
    yield Block("h2", "4. Measures taken and proposed (Art. 33(3)(d))")
    yield Block("h3", "Taken")
    yield _facts(doc["measures"]["taken"])
    yield Block("h3", "Proposed")
    yield _facts(doc["measures"]["proposed"])
    yield from _clock(doc)
    yield Block("h2", "6. Communication to the data subjects (Art. 34)")
    yield _facts([doc["art34"]])
    yield Block("h2", "7. Datatilsynet notification form")
    yield Block(
        "table",
        columns=["felt", "field", "answer"],
        rows=[(f["field"], f["english"], f["answer"]) for f in doc["form"]],
    )
    yield Block("h2", "8. What is not known")
    yield Block(
        "table", columns=["unknown"], rows=[(n,) for n in doc["unknown"]] or [("nothing noted",)]
    )
    if doc["to_fill_in"]:
        yield Block(
            "p",
            "Fields to supply with `labwarden incident set ID --field NAME=VALUE`: "
            + ", ".join(doc["to_fill_in"])
            + ".",
        )
    yield from _annex(doc)


def _md_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(doc: dict[str, Any]) -> str:
    """The report as Markdown."""
    out: list[str] = []
    marks = {"h1": "#", "h2": "##", "h3": "###"}
    for block in blocks(doc):
        if block.kind in marks:
            out.append(f"{marks[block.kind]} {block.text}\n")
        elif block.kind == "p":
            out.append(block.text + "\n")
        elif block.kind == "facts":
            out.extend(
                f"- {_md_cell(text)}  \n  _basis: {_md_cell(basis)}_" for text, basis in block.rows
            )
            out.append("")
        else:
            out.append("| " + " | ".join(block.columns) + " |")
            out.append("|" + "---|" * len(block.columns))
            out.extend("| " + " | ".join(_md_cell(v) for v in row) + " |" for row in block.rows)
            out.append("")
    return "\n".join(out).rstrip() + "\n"


_CSS = """
body{font-family:Georgia,serif;max-width:60em;margin:2em auto;color:#111;line-height:1.4}
h1{font-size:1.6em;border-bottom:2px solid #111}h2{font-size:1.25em;margin-top:1.6em}
table{border-collapse:collapse;width:100%;margin:.5em 0;font-size:.85em}
th,td{border:1px solid #999;padding:.25em .4em;text-align:left;vertical-align:top;
word-break:break-word}th{background:#eee}.basis{color:#555;font-size:.85em}
.fill{background:#fff3b0;font-weight:bold}
@media print{body{margin:0;max-width:none}h2{page-break-after:avoid}
tr{page-break-inside:avoid}}
"""


def _h(value: Any) -> str:
    text = html.escape("" if value is None else str(value))
    return text.replace(html.escape(FILL_IN), f'<span class="fill">{html.escape(FILL_IN)}</span>')


def to_html(doc: dict[str, Any]) -> str:
    """The report as one self-contained HTML page, fit to print."""
    title = _h(f"Breach notification: incident {doc['incident']['id']}")
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{title}</title><style>{_CSS}</style></head><body>",
    ]
    for block in blocks(doc):
        if block.kind in ("h1", "h2", "h3"):
            out.append(f"<{block.kind}>{_h(block.text)}</{block.kind}>")
        elif block.kind == "p":
            out.append(f"<p>{_h(block.text)}</p>")
        elif block.kind == "facts":
            items = "".join(
                f'<li>{_h(text)}<div class="basis">basis: {_h(basis)}</div></li>'
                for text, basis in block.rows
            )
            out.append(f"<ul>{items}</ul>")
        else:
            head = "".join(f"<th>{_h(c)}</th>" for c in block.columns)
            body = "".join(
                "<tr>" + "".join(f"<td>{_h(v)}</td>" for v in row) + "</tr>" for row in block.rows
            )
            out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
