"""``labwarden privacy risk|suggest|anonymize``: re-identification risk and anonymization."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from labwarden.cli.state import output_stream, stderr
from labwarden.core.errors import ExitCode, InputError
from labwarden.privacy.choices import (
    DEFAULT_COMBINATIONS,
    DEFAULT_THRESHOLD,
    Distance,
    Diversity,
    Metric,
)

if TYPE_CHECKING:
    from labwarden.privacy.anonymize import Anonymization
    from labwarden.privacy.assess import FileAssessment
    from labwarden.privacy.risk import RiskAssessment

from labwarden.report.tabular import OutputFormat, render_rows

app = typer.Typer(help="Re-identification risk of tabular (trial) data, and anonymization.")

FileArg = Annotated[Path, typer.Argument(help="CSV, TSV, Parquet or SAS XPT table.")]
FormatOpt = Annotated[OutputFormat, typer.Option("--format", "-f", help="table, json or csv.")]
ThresholdOpt = Annotated[
    float,
    typer.Option("--threshold", help="Highest acceptable risk (EMA Policy 0070 / Health Canada)."),
]
EncodingOpt = Annotated[
    str,
    typer.Option("--encoding", help="Text encoding of a CSV/TSV file (latin-1, cp1252, ...)."),
]
HierarchyOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--hierarchy",
        help="COL=FILE (ARX CSV) or COL=interval:5,10 | date:year,decade | mask:1,2 | suppress.",
    ),
]


def _split(text: str | None) -> list[str] | None:
    if text is None:
        return None
    return [c.strip() for c in text.split(",") if c.strip()]


def _specs(items: list[str] | None) -> dict[str, str]:
    specs: dict[str, str] = {}
    for item in items or []:
        column, sep, spec = item.partition("=")
        if not sep or not column.strip() or not spec.strip():
            raise InputError(f"--hierarchy {item!r}: expected COL=FILE or COL=GENERATOR")
        specs[column.strip()] = spec.strip()
    return specs


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    if value is None:
        return "n/a"
    return str(value)


@app.command("risk")
def risk_command(
    file: FileArg,
    qi: Annotated[
        str | None, typer.Option("--qi", help="Quasi-identifiers (default: suggested).")
    ] = None,
    sensitive: Annotated[
        str | None, typer.Option("--sensitive", help="Sensitive columns (default: suggested).")
    ] = None,
    population_fraction: Annotated[
        float | None, typer.Option("--population-fraction", help="Sample / population size.")
    ] = None,
    population: Annotated[
        float | None, typer.Option("--population", help="Population size.")
    ] = None,
    threshold: ThresholdOpt = DEFAULT_THRESHOLD,
    hierarchy: HierarchyOpt = None,
    c: Annotated[float, typer.Option("--c", help="c of recursive (c,l)-diversity.")] = 3.0,
    combinations: Annotated[
        int, typer.Option("--combinations", help="Cap on QI combinations (distinction).")
    ] = DEFAULT_COMBINATIONS,
    safe_harbor: Annotated[
        bool, typer.Option("--safe-harbor/--no-safe-harbor", help="HIPAA Safe Harbor check.")
    ] = True,
    fmt: FormatOpt = OutputFormat.TABLE,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here.")] = None,
    fail: Annotated[
        bool, typer.Option("--fail", help="Exit 1 when the highest risk is above the threshold.")
    ] = False,
    subject: Annotated[
        str | None,
        typer.Option("--subject", help="Column naming the person of a row (several rows each)."),
    ] = None,
    encoding: EncodingOpt = "utf-8",
) -> None:
    """Equivalence classes, k/l/t, prosecutor/journalist/marketer risk, population uniqueness."""
    from labwarden.privacy.assess import assess_file  # numpy: only when used

    result = assess_file(
        file,
        _split(qi),
        _split(sensitive),
        threshold=threshold,
        population_fraction=population_fraction,
        population=population,
        hierarchies=_specs(hierarchy),
        c=c,
        combinations=combinations,
        check_safe_harbor=safe_harbor,
        subject=subject,
        encoding=encoding,
    )
    with output_stream(output) as out:
        _print_risk(result, fmt, out)
    verdict = "ABOVE" if result.risk.above_threshold else "within"
    stderr.print(
        f"{file}: highest risk {result.risk.prosecutor.highest:.4g} is {verdict} the threshold "
        f"{threshold:g}; {result.risk.prosecutor.records_at_risk:.1%} of records at risk",
        markup=False,
    )
    if fail and result.risk.above_threshold:
        raise typer.Exit(int(ExitCode.FINDINGS))


def _print_risk(result: FileAssessment, fmt: OutputFormat, out: Any) -> None:
    if fmt is OutputFormat.JSON:
        json.dump(result.to_dict(), out, indent=2, default=str)
        out.write("\n")
        return
    r = result.risk
    rows = [{"measure": m, "value": _fmt(v)} for m, v in _risk_measures(r)]
    render_rows(rows, ["measure", "value"], fmt, out, title=f"Re-identification risk: {r.source}")
    if fmt is OutputFormat.CSV:
        return
    if r.attributes:
        top = sorted(r.attributes, key=lambda a: -a.distinction)[:10]
        render_rows(
            [
                {
                    "columns": ", ".join(a.columns),
                    "distinction": _fmt(a.distinction),
                    "separation": _fmt(a.separation),
                }
                for a in top
            ],
            ["columns", "distinction", "separation"],
            fmt,
            out,
            title=f"Most distinguishing QI combinations ({len(r.attributes)} of "
            f"{r.combinations_total} combinations computed)",
        )
    _print_column_notes(result, fmt, out)


def _risk_measures(r: RiskAssessment) -> list[tuple[str, Any]]:
    """Every measure of an assessment, as ``(name, value)`` rows."""
    rows: list[tuple[str, Any]] = [
        ("records", r.rows),
        ("quasi-identifiers", ", ".join(r.quasi_identifiers)),
        ("classes counted in people of", r.subject_column or "(rows)"),
        ("equivalence classes", r.classes),
        ("k-anonymity (smallest class)", r.smallest_class),
        ("average class size", r.average_class_size),
        ("sample uniqueness", r.sample_uniqueness),
        ("threshold", r.threshold),
    ]
    for name, summary in (("prosecutor", r.prosecutor), ("journalist", r.journalist)):
        rows.extend((f"{name} {k.replace('_', ' ')}", v) for k, v in summary.to_dict().items())
    rows.append(("marketer risk", r.marketer))
    if r.population is not None:
        rows.extend((f"population uniqueness {k}", v) for k, v in r.population.to_dict().items())
    for d in r.diversity:
        rows.extend(
            (f"{d.attribute}: {k.replace('_', ' ')}", v)
            for k, v in d.to_dict().items()
            if k != "attribute"
        )
    return rows


def _print_column_notes(result: FileAssessment, fmt: OutputFormat, out: Any) -> None:
    """Suggested column roles and HIPAA Safe Harbor identifiers, when there are any."""
    if result.suggestions:
        render_rows(
            [s.to_dict() for s in result.suggestions],
            ["column", "role", "reason"],
            fmt,
            out,
            title="Suggested column roles",
        )
    if result.safe_harbor:
        render_rows(
            [i.to_dict() for i in result.safe_harbor],
            ["column", "identifier", "evidence", "fix"],
            fmt,
            out,
            title="HIPAA Safe Harbor identifiers present",
        )


@app.command("suggest")
def suggest_command(
    file: FileArg, fmt: FormatOpt = OutputFormat.TABLE, encoding: EncodingOpt = "utf-8"
) -> None:
    """Suggest direct identifiers, quasi-identifiers and sensitive columns."""
    from labwarden.privacy.io import read_table
    from labwarden.privacy.suggest import suggest

    rows = [s.to_dict() for s in suggest(read_table(file, encoding=encoding))]
    render_rows(rows, ["column", "role", "reason"], fmt, sys.stdout, title=f"Column roles: {file}")


@app.command("hierarchy")
def hierarchy_command(
    file: FileArg,
    column: Annotated[str, typer.Option("--column", help="Column to build the hierarchy for.")],
    spec: Annotated[
        str, typer.Option("--spec", help="interval:5,10 | date:year,decade | mask:1,2 | suppress.")
    ],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here.")] = None,
    encoding: EncodingOpt = "utf-8",
) -> None:
    """Generate a hierarchy for a column and write it in ARX's CSV format (to edit or reuse)."""
    from labwarden.privacy.encoding import encode_table
    from labwarden.privacy.hierarchies import hierarchy_from_spec, to_arx_csv
    from labwarden.privacy.io import read_table

    encoded = encode_table(read_table(file, columns=[column], encoding=encoding), [column])[0]
    hierarchy = hierarchy_from_spec(column, sorted(encoded.values, key=_natural), spec)
    with output_stream(output) as out:
        out.write(to_arx_csv(hierarchy))
    stderr.print(
        f"{column}: {len(encoded.values)} values, {hierarchy.levels} levels ({spec})", markup=False
    )


def _natural(value: str) -> tuple[int, float, str]:
    try:
        return (0, float(value), value)
    except ValueError:
        return (1, 0.0, value)


@app.command("anonymize")
def anonymize_command(
    file: FileArg,
    qi: Annotated[str, typer.Option("--qi", help="Quasi-identifiers, comma-separated.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Anonymized table to write.")],
    hierarchy: HierarchyOpt = None,
    k: Annotated[int, typer.Option("--k", help="k-anonymity.")] = 1,
    l_value: Annotated[int | None, typer.Option("--l", help="l-diversity of --sensitive.")] = None,
    diversity: Annotated[
        Diversity, typer.Option("--diversity", help="distinct, entropy or recursive.")
    ] = Diversity.DISTINCT,
    c: Annotated[float, typer.Option("--c", help="c of recursive (c,l)-diversity.")] = 3.0,
    t: Annotated[float | None, typer.Option("--t", help="t-closeness of --sensitive.")] = None,
    distance: Annotated[
        Distance, typer.Option("--distance", help="equal or hierarchical (needs --hierarchy).")
    ] = Distance.EQUAL,
    sensitive: Annotated[str | None, typer.Option("--sensitive", help="Sensitive columns.")] = None,
    max_risk: Annotated[
        float | None, typer.Option("--max-risk", help="Highest acceptable record risk.")
    ] = None,
    max_suppression: Annotated[
        str, typer.Option("--max-suppression", help="Rows that may be suppressed, e.g. 5%.")
    ] = "0%",
    metric: Annotated[Metric, typer.Option("--metric", help="Loss to minimize.")] = (
        Metric.ENTROPY
    ),
    drop: Annotated[str | None, typer.Option("--drop", help="Columns to remove (IDs).")] = None,
    keep: Annotated[
        str | None,
        typer.Option("--keep", help="Direct identifiers to keep anyway (dropped by default)."),
    ] = None,
    threshold: ThresholdOpt = DEFAULT_THRESHOLD,
    report: Annotated[
        Path | None, typer.Option("--report", help="Also write the report as JSON here.")
    ] = None,
    fmt: FormatOpt = OutputFormat.TABLE,
    subject: Annotated[
        str | None,
        typer.Option("--subject", help="Column naming the person of a row; k counts people."),
    ] = None,
    fail: Annotated[
        bool, typer.Option("--fail", help="Exit 1 when the result is above the risk threshold.")
    ] = False,
    encoding: EncodingOpt = "utf-8",
) -> None:
    """Generalize and suppress to meet k/l/t or a risk target with the least information loss.

    Direct identifiers (as `privacy suggest` finds them) are dropped unless --keep names them;
    every quasi-identifier needs a --hierarchy."""
    from labwarden.privacy.anonymize import anonymize, percent
    from labwarden.privacy.criteria import Criteria

    qis, specs = _split(qi) or [], _specs(hierarchy)
    _require_hierarchies(qis, specs)
    sensitive_columns = _split(sensitive) or []
    dropped = _direct_identifiers(
        file, encoding, used=[*qis, *sensitive_columns], keep=_split(keep) or []
    )
    explicit = _split(drop) or []

    criteria = Criteria(
        k=k,
        l_value=l_value,
        diversity=diversity,
        c=c,
        t=t,
        distance=distance,
        max_risk=max_risk,
        max_suppression=percent(max_suppression),
    )
    result = anonymize(
        file,
        qis,
        criteria,
        hierarchies=specs,
        sensitive=sensitive_columns,
        metric=metric,
        threshold=threshold,
        drop=list(dict.fromkeys([*explicit, *dropped])),
        output=output,
        subject=subject,
        encoding=encoding,
    )
    met = not result.residual.above_threshold
    document = {
        **result.to_dict(),
        "threshold_met": met,
        "dropped_direct_identifiers": [c for c in dropped if c not in explicit],
    }
    if report is not None:
        with output_stream(report) as handle:
            json.dump(document, handle, indent=2, default=str)
            handle.write("\n")
    _print_anonymization(result, fmt, document)
    if dropped:
        stderr.print(
            f"dropped direct identifiers: {', '.join(dropped)} (--keep COL keeps one)",
            markup=False,
        )
    stderr.print(
        f"wrote {output}: {result.rows} rows, {result.suppressed} of them suppressed; "
        f"highest risk {result.initial.prosecutor.highest:.4g} -> "
        f"{result.residual.prosecutor.highest:.4g} (threshold {threshold:g}); "
        f"{result.checked} of {result.lattice_nodes} lattice nodes checked in "
        f"{result.seconds:.2f} s",
        markup=False,
    )
    residual = result.residual.prosecutor
    if met:
        verdict = f"risk threshold {threshold:g} MET: highest record risk {residual.highest:.4g}"
    else:
        verdict = (
            f"risk threshold {threshold:g} NOT MET: highest record risk {residual.highest:.4g}, "
            f"{residual.records_at_risk:.1%} of records above it (--max-risk {threshold:g} makes "
            "it a goal of the search; or allow more suppression)"
        )
    stderr.print(verdict, markup=False)
    if fail and not met:
        raise typer.Exit(int(ExitCode.FINDINGS))


def _require_hierarchies(qis: list[str], specs: dict[str, str]) -> None:
    """Every quasi-identifier needs a hierarchy: without one the only way to protect it is to
    suppress it, which is a choice the user must make (``COL=suppress``), not a default."""
    missing = [q for q in qis if q not in specs]
    if missing:
        first = missing[0]
        raise InputError(
            f"no hierarchy for quasi-identifier{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}: give one per column, e.g. --hierarchy {first}=interval:5,10 "
            f"(numbers), {first}=date:year,decade (dates), {first}=mask:1,2 (codes), "
            f"{first}=FILE (an ARX hierarchy CSV; `labwarden privacy hierarchy` writes one), or "
            f"{first}=suppress to remove its values"
        )


def _direct_identifiers(
    file: Path, encoding: str, *, used: list[str], keep: list[str]
) -> list[str]:
    """The columns `privacy suggest` calls direct identifiers, except those in ``keep`` or
    used as quasi-identifiers or sensitive columns: anonymize drops them."""
    from labwarden.privacy.io import read_columns, read_table
    from labwarden.privacy.suggest import Role, of_role, suggest

    names = read_columns(file, encoding)
    unknown = [c for c in keep if c not in names]
    if unknown:
        raise InputError(f"{file}: --keep {', '.join(unknown)}: no such column")
    candidates = [c for c in names if c not in used]
    if not candidates:
        return []
    direct = of_role(suggest(read_table(file, columns=candidates, encoding=encoding)), Role.DIRECT)
    for column in (c for c in direct if c in keep):
        stderr.print(f"warning: keeping direct identifier {column} (--keep)", markup=False)
    return [c for c in direct if c not in keep]


def _print_anonymization(
    result: Anonymization, fmt: OutputFormat, document: dict[str, Any]
) -> None:
    if fmt is OutputFormat.JSON:
        json.dump(document, sys.stdout, indent=2, default=str)
        sys.stdout.write("\n")
        return
    render_rows(
        result.generalization(),
        ["column", "level", "max_level", "hierarchy", "example"],
        fmt,
        sys.stdout,
        title=f"Generalization ({result.criteria.describe()})",
    )
    if fmt is OutputFormat.CSV:
        return
    before, after = result.initial, result.residual
    rows = [
        {"measure": "records", "initial": before.rows, "residual": after.rows},
        {"measure": "classes", "initial": before.classes, "residual": after.classes},
        {
            "measure": "k-anonymity",
            "initial": before.smallest_class,
            "residual": after.smallest_class,
        },
        {
            "measure": "highest risk",
            "initial": before.prosecutor.highest,
            "residual": after.prosecutor.highest,
        },
        {
            "measure": "average risk",
            "initial": before.prosecutor.average,
            "residual": after.prosecutor.average,
        },
        {
            "measure": f"records at risk > {result.threshold:g}",
            "initial": before.prosecutor.records_at_risk,
            "residual": after.prosecutor.records_at_risk,
        },
        {
            "measure": "sample uniqueness",
            "initial": before.sample_uniqueness,
            "residual": after.sample_uniqueness,
        },
    ]
    rows += [
        {"measure": k.replace("_", " "), "initial": "", "residual": v}
        for k, v in result.loss.items()
    ]
    rows.append({"measure": "suppressed records", "initial": "", "residual": result.suppressed})
    render_rows(
        [{k: _fmt(v) for k, v in row.items()} for row in rows],
        ["measure", "initial", "residual"],
        fmt,
        sys.stdout,
        title="Risk and information loss",
    )
