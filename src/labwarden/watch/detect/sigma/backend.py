"""A pySigma backend that turns a Sigma rule's detection into a DuckDB ``WHERE`` expression
over the lake's ``events`` view.

Field names are lake columns after the :mod:`pipeline` ran; names starting with ``raw.`` read
the original record (``raw.requestParameters.attribute`` becomes
``json_extract_string(raw, '$."requestParameters"."attribute"')``). String matching is
case-insensitive as Sigma specifies, unless the ``cased`` modifier is used.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from sigma.conditions import (
    ConditionAND,
    ConditionFieldEqualsValueExpression,
    ConditionItem,
    ConditionNOT,
    ConditionOR,
    ConditionValueExpression,
)
from sigma.conversion.base import TextQueryBackend
from sigma.conversion.state import ConversionState
from sigma.exceptions import SigmaFeatureNotSupportedByBackendError
from sigma.types import (
    CompareOperators,
    SigmaBool,
    SigmaCasedString,
    SigmaCompareExpression,
    SigmaFieldReference,
    SigmaNumber,
    SigmaRegularExpression,
    SigmaRegularExpressionFlag,
    SigmaString,
    SpecialChars,
)

from labwarden.core.events import LAKE_COLUMNS

RAW_PREFIX = "raw."
_SAFE_KEY = re.compile(r"^[A-Za-z0-9_@$-]+$")
_COMPARE = {
    CompareOperators.LT: "<",
    CompareOperators.LTE: "<=",
    CompareOperators.GT: ">",
    CompareOperators.GTE: ">=",
    CompareOperators.NEQ: "<>",
}


RAW_OPEN = "/*raw*/"
RAW_CLOSE = "/*end*/"
_RAW_ATOM = re.compile(re.escape(RAW_OPEN) + r".*?" + re.escape(RAW_CLOSE), re.DOTALL)


def reads_raw(name: str) -> bool:
    """Whether a (mapped) field is read from the raw record."""
    return name == "raw" or name.startswith(RAW_PREFIX)


def relaxed(where: str) -> str:
    """``where`` with every condition on the raw record replaced by NULL (unknown).

    A row for which the relaxed expression is FALSE cannot match ``where`` whatever its raw
    record holds (three-valued logic), so ``(relaxed) IS NOT FALSE`` over the columns alone
    finds every candidate: the raw records are then read for those rows only.
    """
    return _RAW_ATOM.sub("NULL", where)


def sql_literal(text: str) -> str:
    """``text`` as a DuckDB string literal."""
    return "'" + text.replace("'", "''") + "'"


def field_sql(name: str) -> str:
    """The SQL expression of a (mapped) Sigma field name; unknown names are an error."""
    if name in LAKE_COLUMNS:
        return name
    if name.startswith(RAW_PREFIX):
        keys = name[len(RAW_PREFIX) :].split(".")
        parts = []
        for key in keys:
            match = re.fullmatch(r"(.+)\[(\d+|\*)\]", key)
            name, index = (match.group(1), f"[{match.group(2)}]") if match else (key, "")
            parts.append(f'"{name}"' + index if not _SAFE_KEY.match(name) else name + index)
        path = "$." + ".".join(parts)
        return f"json_extract_string(raw, {sql_literal(path)})"
    raise SigmaFeatureNotSupportedByBackendError(
        f"field {name!r} is neither a lake column nor mapped by the pipeline "
        f"(lake columns: {', '.join(LAKE_COLUMNS)})"
    )


def like_pattern(value: SigmaString) -> tuple[str, bool]:
    """A LIKE pattern (``\\`` escapes) for ``value`` and whether it has wildcards."""
    out: list[str] = []
    special = False
    for part in value.s:
        if part is SpecialChars.WILDCARD_MULTI:
            out.append("%")
            special = True
        elif part is SpecialChars.WILDCARD_SINGLE:
            out.append("_")
            special = True
        elif isinstance(part, str):
            out.append(part.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_"))
        else:
            raise SigmaFeatureNotSupportedByBackendError(
                "unexpanded placeholder in value; placeholders are not supported"
            )
    return "".join(out), special


def plain_text(value: SigmaString) -> str:
    """The literal text of a value without wildcards."""
    return "".join(p for p in value.s if isinstance(p, str))


class DuckDBBackend(TextQueryBackend):
    """Sigma rules as DuckDB SQL over labwarden's event lake."""

    name: ClassVar[str] = "labwarden DuckDB"
    formats: ClassVar[dict[str, str]] = {"default": "a WHERE expression over the events view"}
    requires_pipeline: ClassVar[bool] = True

    precedence: ClassVar[tuple[type[ConditionItem], type[ConditionItem], type[ConditionItem]]] = (
        ConditionNOT,
        ConditionAND,
        ConditionOR,
    )
    group_expression: ClassVar[str] = "({expr})"
    or_token: ClassVar[str] = "OR"  # noqa: S105
    and_token: ClassVar[str] = "AND"  # noqa: S105
    not_token: ClassVar[str] = "NOT"  # noqa: S105
    eq_token: ClassVar[str] = " = "  # noqa: S105
    str_quote: ClassVar[str] = "'"
    escape_char: ClassVar[str] = "'"
    wildcard_multi: ClassVar[str] = "%"
    wildcard_single: ClassVar[str] = "_"
    bool_values: ClassVar[dict[bool, str | None]] = {True: "true", False: "false"}

    def convert_condition_field_eq_val(
        self, cond: ConditionFieldEqualsValueExpression, state: ConversionState
    ) -> Any:
        """Any field condition; those reading the raw record are marked (see :func:`relaxed`)."""
        sql = super().convert_condition_field_eq_val(cond, state)
        value_field = getattr(cond.value, "field", None)
        raw = reads_raw(str(cond.field)) or (
            isinstance(value_field, str) and reads_raw(value_field)
        )
        if raw and isinstance(sql, str) and RAW_OPEN not in sql:
            return f"{RAW_OPEN}({sql}){RAW_CLOSE}"
        return sql

    def convert_condition_val(self, cond: ConditionValueExpression, state: ConversionState) -> Any:
        """A keyword: always a search of the raw record (marked, see :func:`relaxed`)."""
        sql = super().convert_condition_val(cond, state)
        if isinstance(sql, str) and RAW_OPEN not in sql:
            return f"{RAW_OPEN}({sql}){RAW_CLOSE}"
        return sql

    def escape_and_quote_field(self, field_name: str) -> str:
        """Lake column or ``raw`` JSON path."""
        return field_sql(field_name)

    def convert_condition_field_eq_val_str(
        self, cond: ConditionFieldEqualsValueExpression, state: ConversionState
    ) -> str:
        """Case-insensitive equality, or ILIKE when the value has wildcards."""
        field = field_sql(str(cond.field))
        value = cond.value
        assert isinstance(value, SigmaString)
        if isinstance(value, SigmaCasedString):
            pattern, special = like_pattern(value)
            if special:
                return f"{field} LIKE {sql_literal(pattern)} ESCAPE '\\'"
            return f"{field} = {sql_literal(plain_text(value))}"
        pattern, special = like_pattern(value)
        if field == "source" and not special:
            # Partition key: an exact comparison lets DuckDB skip other sources' files.
            return f"source = {sql_literal(plain_text(value).lower())}"
        if special:
            return f"{field} ILIKE {sql_literal(pattern)} ESCAPE '\\'"
        # The engine lowers both sides: Python's lower() differs from DuckDB's (final sigma,
        # dotted I), and a value must match itself.
        return f"lower({field}) = lower({sql_literal(plain_text(value))})"

    def convert_condition_field_eq_val_str_case_sensitive(
        self, cond: ConditionFieldEqualsValueExpression, state: ConversionState
    ) -> str:
        """The ``cased`` modifier: exact case."""
        return self.convert_condition_field_eq_val_str(cond, state)

    def convert_condition_field_eq_val_num(
        self, cond: ConditionFieldEqualsValueExpression, state: ConversionState
    ) -> str:
        """Numbers compare as text too (raw JSON values are text), so 7 matches ``"7"``."""
        field = field_sql(str(cond.field))
        assert isinstance(cond.value, SigmaNumber)
        number = cond.value.number
        return f"CAST({field} AS VARCHAR) = {sql_literal(str(number))}"

    def convert_condition_field_eq_val_bool(
        self, cond: ConditionFieldEqualsValueExpression, state: ConversionState
    ) -> str:
        """Booleans as ``true``/``false`` text."""
        assert isinstance(cond.value, SigmaBool)
        text = "true" if cond.value.boolean else "false"
        return f"lower(CAST({field_sql(str(cond.field))} AS VARCHAR)) = '{text}'"

    def convert_condition_field_eq_val_re(
        self, cond: ConditionFieldEqualsValueExpression, state: ConversionState
    ) -> str:
        """``re`` modifier: RE2 search, with the ``i``/``m``/``s`` flags."""
        assert isinstance(cond.value, SigmaRegularExpression)
        return _regex(field_sql(str(cond.field)), cond.value)

    def convert_condition_field_eq_val_null(
        self, cond: ConditionFieldEqualsValueExpression, state: ConversionState
    ) -> str:
        """``field: null``: absent or empty."""
        field = field_sql(str(cond.field))
        return f"({field} IS NULL OR CAST({field} AS VARCHAR) = '')"

    def convert_condition_field_exists(
        self, cond: ConditionFieldEqualsValueExpression, state: ConversionState
    ) -> str:
        """``exists: true``."""
        return f"{field_sql(str(cond.field))} IS NOT NULL"

    def convert_condition_field_not_exists(
        self, cond: ConditionFieldEqualsValueExpression, state: ConversionState
    ) -> str:
        """``exists: false``."""
        return f"{field_sql(str(cond.field))} IS NULL"

    def convert_condition_field_compare_op_val(
        self, cond: ConditionFieldEqualsValueExpression, state: ConversionState
    ) -> str:
        """``lt``/``lte``/``gt``/``gte``/``neq`` on numbers."""
        assert isinstance(cond.value, SigmaCompareExpression)
        op = _COMPARE[cond.value.op]
        number = cond.value.number.number
        return f"TRY_CAST({field_sql(str(cond.field))} AS DOUBLE) {op} {number}"

    def convert_condition_field_eq_field(
        self, cond: ConditionFieldEqualsValueExpression, state: ConversionState
    ) -> str:
        """``fieldref``: one field equals (starts or ends with) another."""
        assert isinstance(cond.value, SigmaFieldReference)
        left = field_sql(str(cond.field))
        right = field_sql(cond.value.field)
        if cond.value.starts_with:
            return f"starts_with(lower({left}), lower({right}))"
        if cond.value.ends_with:
            return f"ends_with(lower({left}), lower({right}))"
        return f"lower({left}) = lower({right})"

    def convert_condition_val_str(
        self, cond: ConditionValueExpression, state: ConversionState
    ) -> str:
        """A keyword: anywhere in the raw record, case-insensitive."""
        assert isinstance(cond.value, SigmaString)
        pattern, _special = like_pattern(cond.value)
        if not pattern.startswith("%"):
            pattern = "%" + pattern
        if not pattern.endswith("%") or pattern.endswith("\\%"):
            pattern += "%"
        return f"raw ILIKE {sql_literal(pattern)} ESCAPE '\\'"

    def convert_condition_val_num(
        self, cond: ConditionValueExpression, state: ConversionState
    ) -> str:
        """A numeric keyword: anywhere in the raw record."""
        return f"contains(raw, {sql_literal(str(cond.value))})"

    def convert_condition_val_re(
        self, cond: ConditionValueExpression, state: ConversionState
    ) -> str:
        """A regular expression keyword over the raw record."""
        assert isinstance(cond.value, SigmaRegularExpression)
        return _regex("raw", cond.value)

    def finalize_query_default(
        self, rule: Any, query: Any, index: int, state: ConversionState
    ) -> Any:
        """The WHERE expression as is."""
        return query


def _regex(field: str, value: SigmaRegularExpression) -> str:
    flags = ""
    if SigmaRegularExpressionFlag.IGNORECASE in value.flags:
        flags += "i"
    if SigmaRegularExpressionFlag.MULTILINE in value.flags:
        flags += "m"
    if SigmaRegularExpressionFlag.DOTALL in value.flags:
        flags += "s"
    pattern = str(value.regexp)
    if flags:
        pattern = f"(?{flags}){pattern}"
    return f"regexp_matches({field}, {sql_literal(pattern)})"
