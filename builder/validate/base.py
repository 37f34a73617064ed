"""What every rule works with: the disclosure as the rules see it, cells, wording, the run.

The rules themselves are in one module per family (``tables``, ``text``, ``form``,
``structure``, ``execution``) and registered in ``rules.RULES``. Every rule takes a
:class:`Run`: one :class:`~builder.validate.checks.Check` (its
parameters come from ``checks.yaml``) on one :class:`Disclosure`; it records in the run how
many comparisons it made and the findings among them. Rules read the published figures and
never change them. The arithmetic conventions are the same everywhere:

- an empty cell is "no amount": 0 in a sum, and not counted as a printed amount;
- a cell printed as —— (``not_applicable``) is left out altogether;
- a difference is a finding when it exceeds the check's tolerance times the number of
  printed amounts taking part (at least one): rounding to 0.01 万元 is not a finding;
- a comparison whose tables are missing, empty or unreadable is not made (completeness
  checks report those tables).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from builder import declarations
from builder.declarations import CLASS_LEVEL, ITEM_LEVEL, SECTION_LEVEL, TOTAL_LEVEL
from builder.parse.catalogue import Catalogue, TableKind, load_catalogue
from builder.validate.checks import Check
from builder.validate.findings import Finding

Row = Mapping[str, Any]
ANY_VALUE = "*"
CENT = Decimal("0.01")
CENTS = -2  # the exponent of CENT
MONEY_SUFFIX = "_10k_yuan"
HIERARCHY_WORDS = {
    TOTAL_LEVEL: (f"各{CLASS_LEVEL}之和", f"sum of its {CLASS_LEVEL} rows"),
    CLASS_LEVEL: (f"其下各{SECTION_LEVEL}之和", f"sum of its {SECTION_LEVEL} rows"),
    SECTION_LEVEL: (f"其下各{ITEM_LEVEL}之和", f"sum of its {ITEM_LEVEL} rows"),
}


# --------------------------------------------------------------------------- the disclosure


@dataclass(frozen=True)
class Disclosure:
    """A parsed disclosure as the rules see it: its tables by kind, and the catalogue."""

    id: str
    family: str
    tables: Mapping[str, Mapping[str, Any]]
    catalogue: Catalogue
    document: Mapping[str, Any] = field(default_factory=dict)
    narrative: Mapping[str, Any] = field(default_factory=dict)
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """What several checks read the same way (the narrative's figures), read once."""

    @classmethod
    def from_parse(cls, parsed: Mapping[str, Any], disclosure_id: str) -> Disclosure:
        tables: dict[str, Mapping[str, Any]] = {}
        for table in parsed.get("tables", []):
            tables.setdefault(str(table["kind"]), table)
        document = parsed.get("document", {})
        family = str(document.get("kind", ""))
        narrative = parsed.get("narrative", {})
        return cls(disclosure_id, family, tables, load_catalogue(), document, narrative)

    def pages_of(self, lines: Sequence[int]) -> tuple[int, ...]:
        """The PDF pages the source lines are on (none for a text not from a PDF)."""
        starts = [(int(line), int(page)) for line, page in self.document.get("page_starts", [])]
        if not starts:
            return ()
        firsts = [line for line, _ in starts]
        pages = []
        for line in lines:
            position = bisect_right(firsts, line) - 1
            if position >= 0:
                pages.append(starts[position][1])
        return tuple(dict.fromkeys(pages))

    def year(self) -> int | None:
        year = self.document.get("year")
        return int(year) if isinstance(year, int) else None

    def kind(self, stem: str) -> TableKind:
        return self.catalogue.kinds[stem]

    def status(self, stem: str) -> str:
        table = self.tables.get(stem)
        return "missing" if table is None else str(table.get("status", "parsed"))

    def parsed(self, stem: str) -> bool:
        return self.status(stem) == "parsed"

    def printed(self, stem: str, name: str) -> bool:
        """Whether the table prints the column at all (a column a publisher does not print
        is not a column of zeros). Tables read by position print every declared column."""
        table = self.tables.get(stem, {})
        columns = table.get("columns_printed")
        return columns is None or name in columns

    def rows(self, stem: str) -> list[Row]:
        """The rows of a parsed table (none for a missing, empty or unreadable one)."""
        if not self.parsed(stem):
            return []
        return list(self.tables[stem].get("rows", []))


# --------------------------------------------------------------------------- cells


@dataclass(frozen=True, init=False)
class Cell:
    """One applicable amount cell: its table, its row and its value (None when empty)."""

    table: str
    row: Row
    field: str
    value: Decimal | None

    def __init__(self, table: str, row: Row, field: str, value: Decimal | None) -> None:
        # the generated __init__ of a frozen dataclass sets each field through
        # object.__setattr__: twice as slow, and the checks make a Cell of every cell they read
        self.__dict__.update(table=table, row=row, field=field, value=value)

    @property
    def line(self) -> int:
        return int(self.row["source_line"])


def applicable(row: Row) -> bool:
    """False for a cell printed as —— (not applicable)."""
    return not row.get("not_applicable")


def amount_of(row: Row, name: str) -> Decimal | None:
    """The exact amount of a cell; None when empty. Floats are refused."""
    value = row.get(name)
    if isinstance(value, Decimal):  # first: comparing a Decimal with "" is slow
        return value
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, str):
        return Decimal(value)
    raise TypeError(f"{name}: amounts must be Decimal, int or str, not {type(value).__name__}")


def cell(table: str, row: Row, name: str) -> Cell:
    return Cell(table, row, name, amount_of(row, name))


def summed(cells: Iterable[Cell]) -> tuple[Decimal, int]:
    """The sum of the cells and how many of them print an amount."""
    total, printed = Decimal(0), 0
    for item in cells:
        if item.value is not None:
            total += item.value
            printed += 1
    return total, printed


def matches(row: Row, where: Mapping[str, Any]) -> bool:
    """Whether a row matches: a value, a list of values, or '*' for any non-empty value."""
    for key, wanted in where.items():
        value = row.get(key)
        if wanted == ANY_VALUE:
            if value is None or value == "":
                return False
        elif isinstance(wanted, list):
            if value not in wanted:
                return False
        elif value != wanted:
            return False
    return True


def indexed_rows(doc: Disclosure, table: str, where: Mapping[str, Any]) -> Sequence[Row]:
    """The rows of ``table`` (in order) that can match ``where``: those holding the value of
    its first plain condition (not a list, not '*'), through an index of the table by that
    field made once per disclosure; every row when there is no plain condition, or when a
    value cannot be a key. The caller still tests every condition (:func:`matches`)."""
    rows = doc.rows(table)
    field = next((k for k, w in where.items() if w != ANY_VALUE and not isinstance(w, list)), None)
    if field is None:
        return rows
    key = f"index\t{table}\t{field}"
    if key not in doc.memo:
        doc.memo[key] = index_rows(rows, field)
    index: dict[Any, list[Row]] | None = doc.memo[key]
    if index is None:
        return rows
    try:
        return index.get(where[field], [])
    except TypeError:
        return rows


def index_rows(rows: Sequence[Row], field: str) -> dict[Any, list[Row]] | None:
    """The rows by their value of ``field``, in order; None when a value cannot be a key."""
    index: dict[Any, list[Row]] = {}
    try:
        for row in rows:
            index.setdefault(row.get(field), []).append(row)
    except TypeError:  # a list, say
        return None
    return index


@dataclass(frozen=True)
class Selector:
    """Cells of one table: rows matching ``where``, column ``field``."""

    table: str
    field: str
    where: Mapping[str, Any]

    @classmethod
    def read(cls, spec: Mapping[str, Any], table: str | None, name: str | None) -> Selector:
        chosen_table = spec.get("table", table)
        chosen_field = spec.get("field", name)
        if chosen_table is None or chosen_field is None:
            raise ValueError(f"selector {dict(spec)} names no table or field")
        return cls(str(chosen_table), str(chosen_field), dict(spec.get("where", {})))

    def select(self, doc: Disclosure) -> tuple[int, list[Cell]]:
        """How many rows match, and their applicable cells (selected once per disclosure:
        the checks and the narrative's subjects ask for the same cells many times; the rows
        once per table and ``where``: a check reads several fields of the same rows)."""
        key = f"select\t{self.table}\t{self.field}\t{self.where!r}"
        found = doc.memo.get(key)
        if found is None:
            rows_key = f"rows\t{self.table}\t{self.where!r}"
            rows = doc.memo.get(rows_key)
            if rows is None:
                candidates = indexed_rows(doc, self.table, self.where)
                chosen = (row for row in candidates if matches(row, self.where))
                rows = doc.memo[rows_key] = tuple(chosen)
            cells = tuple(cell(self.table, row, self.field) for row in rows if applicable(row))
            found = doc.memo[key] = (len(rows), cells)
        matched, cells = found
        return matched, list(cells)


# --------------------------------------------------------------------------- wording


def table_label(doc: Disclosure, stem: str) -> tuple[str, str]:
    """How a table is named in messages, in Chinese and English."""
    kind = doc.kind(stem)
    if kind.family == "budget":
        return f"预算表{kind.number}", f"budget table {kind.number}"
    return f"表{kind.number}", f"table {kind.number}"


def start_rows(table: Mapping[str, Any]) -> tuple[int, ...]:
    """The line a table starts on, as a finding's rows (none when the parse has no line)."""
    line = int(table.get("start_line") or 0)
    return (line,) if line else ()


def table_order(doc: Disclosure, stem: str) -> tuple[str, int]:
    """Tables in printed order: by family, then by table number."""
    kind = doc.catalogue.kinds.get(stem)
    return (kind.family, int(kind.number)) if kind else ("", 0)


def field_title(doc: Disclosure, stem: str, name: str) -> str:
    for spec in doc.kind(stem).fields:
        if spec["name"] == name:
            return str(spec.get("title", name))
    return name


def code_field(kind: TableKind) -> str | None:
    """The classification code column of a classified table (its first printed column)."""
    columns = kind.columns
    if isinstance(columns, list) and columns and str(columns[0]).endswith("_code"):
        return str(columns[0])
    return None


def name_field(kind: TableKind) -> str | None:
    return next((name for name in kind.field_names if name.endswith("_name")), None)


def row_label(doc: Disclosure, stem: str, row: Row) -> str:
    """A row as a reader finds it in the table: code and name, item or phase."""
    kind = doc.kind(stem)
    phase = row.get("phase")
    if phase is not None and "phase" in kind.field_names:
        # the rows of a 三公 table: 预算数 / 决算数, as the declarations label them
        return declarations.value_labels()["phase"].get(str(phase), str(phase))
    code_name = code_field(kind)
    code = row.get(code_name) if code_name else None
    label_name = name_field(kind)
    name = row.get(label_name) if label_name else None
    text = " ".join(str(part) for part in (code, name) if part)
    return text or str(row.get("level") or f"#{row.get('row_number')}")


def cell_label(doc: Disclosure, cells: Sequence[Cell]) -> tuple[str, str]:
    """Where the printed side of a comparison is, in Chinese and English."""
    first = cells[0]
    zh_table, en_table = table_label(doc, first.table)
    rows = "＋".join(row_label(doc, item.table, item.row) for item in cells)
    title = field_title(doc, first.table, first.field)
    return f"{zh_table} {rows}「{title}」", f"{en_table} {rows} [{first.field}]"


@dataclass(frozen=True)
class Wording:
    """The two sides of a comparison, in words."""

    where_zh: str
    where_en: str
    expected_zh: str
    expected_en: str


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def money(value: Decimal, name: str | None) -> Decimal:
    """Amounts in 万元 shown with two decimals (sums of empty cells would show as 0)."""
    exponent = value.as_tuple().exponent
    if name and name.endswith(MONEY_SUFFIX) and isinstance(exponent, int) and exponent > CENTS:
        return value.quantize(CENT)
    return value


# --------------------------------------------------------------------------- judging


@dataclass
class Run:
    """One check on one disclosure: the comparisons made and the findings among them."""

    check: Check
    doc: Disclosure
    evaluated: int = 0
    findings: list[Finding] = field(default_factory=list)

    def judge(
        self,
        printed: Sequence[Cell],
        parts: Sequence[Cell],
        wording: Wording | Callable[[], Wording],
    ) -> None:
        """Compare printed cells with the parts they should equal; a finding if off. The
        wording may be given as a function: it is then written only for a finding (most
        comparisons agree, and naming the cells costs more than adding them up)."""
        self.evaluated += 1
        actual, printed_count = summed(printed)
        expected, parts_count = summed(parts)
        allowed = self.check.allowed(printed_count + parts_count - 1)
        difference = actual - expected
        if abs(difference) <= allowed:
            return
        if not isinstance(wording, Wording):
            wording = wording()
        name = printed[0].field if printed else (parts[0].field if parts else None)
        actual, expected = money(actual, name), money(expected, name)
        difference, allowed = money(difference, name), money(allowed, name)
        lines = [item.line for item in printed]
        lines += [item.line for item in parts if item.value is not None]
        self.findings.append(
            Finding(
                disclosure_id=self.doc.id,
                check_id=self.check.id,
                severity=self.check.severity,
                family=self.check.family,
                tables=tuple(dict.fromkeys(item.table for item in (*printed, *parts))),
                rows=tuple(dict.fromkeys(lines)),
                pages=self.doc.pages_of(lines),
                field=name,
                expected=expected,
                actual=actual,
                difference=difference,
                message_zh=(
                    f"{wording.where_zh}为 {actual}，而{wording.expected_zh}为 {expected}，"
                    f"差额 {difference}（容差 {allowed}）。"
                ),
                message_en=sentence(
                    f"{wording.where_en}: printed {actual}; {wording.expected_en} is {expected}; "
                    f"difference {difference} (tolerance {allowed})."
                ),
            )
        )

    def state(  # noqa: PLR0913 - a finding's parts, each named
        self,
        tables: tuple[str, ...],
        rows: tuple[int, ...],
        zh: str,
        en: str,
        *,
        quote: str | None = None,
        compared: tuple[Decimal | None, Decimal | None] = (None, None),
        field: str | None = None,
    ) -> None:
        """Record a finding that is not a sum of cells: a missing table, a name, a sentence.

        ``quote`` is the printed text the finding is about (a sentence of the narrative);
        ``compared`` the expected and actual figures where there are two, in the unit
        ``field`` names (``percent`` for a share or a rate; 万元 when it is None)."""
        expected, actual = compared
        difference = None if expected is None or actual is None else actual - expected
        self.findings.append(
            Finding(
                disclosure_id=self.doc.id,
                check_id=self.check.id,
                severity=self.check.severity,
                family=self.check.family,
                tables=tables,
                rows=rows,
                field=field,
                expected=expected,
                actual=actual,
                difference=difference,
                message_zh=zh,
                message_en=sentence(en),
                quote=quote,
                pages=self.doc.pages_of(rows),
            )
        )
