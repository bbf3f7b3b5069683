"""Standard table templates: one YAML file per template in `../templates/`, loaded into
plain dataclasses. Adding a file adds a table; no code names a template.

A template says how to recognise a table (title patterns over the caption with whitespace
removed), which value columns it has (with the words that name them in the header), how its
rows are keyed, which rows a summary table knows, and the Ministry of Finance's identities.
See `../templates/README.md` for the schema.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from typing import Literal

import yaml

from fiscalwatch.common.model import DisclosureKind

RowCodes = Literal["function", "economic", "project", "unit", "none"]


@dataclass(frozen=True)
class ColumnSpec:
    key: str  # template-level name, used by identities ("total", "basic", …)
    label: str  # the canonical header label
    patterns: tuple[re.Pattern[str], ...]  # presence in the compact header text
    required: bool  # always printed by this template (no need to find it in the header)


@dataclass(frozen=True)
class ColumnSet:
    when: re.Pattern[str] | None  # header text that selects this set (None: the default)
    columns: tuple[ColumnSpec, ...]
    # A variant's own column identities; None: the template's. (A layout that splits its
    # columns otherwise has other sums: the default set's would apply to it wrongly.)
    identities: tuple["IdentitySpec", ...] | None = None


@dataclass(frozen=True)
class SectionSpec:
    """A side-by-side section of a summary table (收入 | 支出 …)."""

    key: str
    header: re.Pattern[str]  # a header cell that starts the section (tab layout)
    columns: tuple[ColumnSpec, ...]
    rows: tuple[re.Pattern[str], ...]  # labels known to belong to this section

    @cached_property
    def row_re(self) -> re.Pattern[str]:
        """`rows` as one pattern: its fullmatch is any of theirs."""
        return any_of(self.rows)


# Compared and hashed by identity, as templates are (each is loaded once): identities key
# the cache of their terms over a document's columns.
@dataclass(frozen=True, eq=False)
class IdentitySpec:
    axis: Literal["row", "column"]
    target: str  # column key, or a row label pattern
    terms: tuple[tuple[int, str], ...]  # (sign, column key or row label pattern)
    section: str | None = None  # row identity: the section its rows belong to
    section_items: bool = False  # row identity: Σ the ordinal-labelled rows before the target
    # row identity: the rows printed between its first term and the target are terms too
    # (收入总计 = 本年收入合计 + what is listed under it: 上年结转, or 上级补助收入 where 山东 prints it there)
    rows_between: bool = False


# Compared and hashed by identity: each template is loaded once, and hashing every field
# (patterns, columns, identities) on each lookup would cost more than the lookups save.
@dataclass(frozen=True, eq=False)
class TemplateSpec:
    id: str
    kind: DisclosureKind
    mandatory: bool
    titles: tuple[re.Pattern[str], ...]
    numbers: tuple[re.Pattern[str], ...]
    layout: Literal["detail", "sections"]
    row_codes: RowCodes
    column_sets: tuple[ColumnSet, ...] = ()
    sections: tuple[SectionSpec, ...] = ()
    free_text: bool = False  # text columns may sit between or after the values
    identities: tuple[IdentitySpec, ...] = ()
    priority: tuple[str, ...] = ()  # column keys, most likely filled first (tie-break)
    # The same, for rows whose code starts with a prefix: economic class 302 (商品和服务支出)
    # is 公用经费 and 301 (工资福利支出) is 人员经费, whatever the row's values allow.
    priority_by_code: tuple[tuple[str, tuple[str, ...]], ...] = ()
    unlabelled_row: str = ""  # the key of a row printed without a label (三公: the one row)
    source: str = ""

    def priority_for(self, code: str | None) -> tuple[str, ...]:
        """The tie-break order of columns for a row with this code (longest prefix wins)."""
        if code:
            for prefix, keys in self._priority_by_longest_prefix:
                if code.startswith(prefix):
                    return keys
        return self.priority

    @cached_property
    def _priority_by_longest_prefix(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        return tuple(sorted(self.priority_by_code, key=lambda p: -len(p[0])))

    def identities_for(self, column_set: "ColumnSet | None") -> tuple[IdentitySpec, ...]:
        """The identities of a table read with `column_set`: its own column identities when
        it has them (and the template's row identities), else the template's."""
        if column_set is None or column_set.identities is None:
            return self.identities
        return column_set.identities + tuple(i for i in self.identities if i.axis == "row")

    @staticmethod
    def column_terms(
        spec: IdentitySpec, printed: frozenset[str], identities: tuple[IdentitySpec, ...]
    ) -> tuple[tuple[int, str], ...]:
        """The terms of a column identity over the columns a document prints. A term it does
        not print counts as empty, unless the term is itself the total of other columns
        (another of `identities`' targets): then those columns stand in for it. (`total = subtotal
        + carryover` over a table printing the parts of 小计 but not 小计 is `total = general
        + fund + … + carryover`, not `total = carryover`.) The same few per template and
        header recur in every document and are asked for by reader and builder: cached."""
        return _column_terms(spec, printed, identities)

    def matches_title(self, caption: str) -> bool:
        return any(p.search(caption) for p in self.titles)

    @cached_property
    def known_row_re(self) -> re.Pattern[str]:
        """The row labels every section knows by name (not the catch-all ".*" ones), as one
        pattern: its fullmatch is any of theirs."""
        return any_of([p for section in self.sections for p in section.rows if not p.pattern.startswith(".*")])


@lru_cache(maxsize=4096)
def _column_terms(
    spec: IdentitySpec, printed: frozenset[str], identities: tuple[IdentitySpec, ...]
) -> tuple[tuple[int, str], ...]:
    expansions = {i.target: i.terms for i in identities if i.axis == "column"}

    def expand(sign: int, key: str, seen: frozenset[str]) -> list[tuple[int, str]]:
        if key in printed:
            return [(sign, key)]
        if key in seen or key not in expansions:
            return []
        return [t for s, k in expansions[key] for t in expand(sign * s, k, seen | {key})]

    return tuple(t for sign, key in spec.terms for t in expand(sign, key, frozenset({spec.target})))


def any_of(patterns) -> re.Pattern[str]:
    """One alternation of `patterns`, whose fullmatch is any of theirs (in C, not a loop);
    of none, a pattern that matches nothing."""
    return re.compile("|".join(f"(?:{p.pattern})" for p in patterns) or "(?!)")


def _patterns(values) -> tuple[re.Pattern[str], ...]:
    if values is None:
        return ()
    if isinstance(values, str):
        values = [values]
    return tuple(re.compile(v) for v in values)


def _column(raw: dict) -> ColumnSpec:
    label = raw["label"]
    return ColumnSpec(
        key=str(raw["key"]),
        label=label,
        patterns=_patterns(raw.get("patterns", [re.escape(label)])),
        required=bool(raw.get("required", False)),
    )


_TERM_RE = re.compile(r"\s*([+-]?)\s*([^+\-\s]+)")


def _identity(raw: dict) -> IdentitySpec:
    """`column: "total = basic + project"`, or `row: {section: income, target: 本年收入合计,
    section_items: true}`, or `row: {target: 总计, terms: [本年收入合计, +年初结转和结余]}`.
    Row targets and terms are row keys or label patterns (fullmatch on the normalised label)."""
    if "column" in raw:
        target, _, rhs = raw["column"].partition("=")
        terms = tuple(
            (-1 if sign == "-" else 1, name) for sign, name in _TERM_RE.findall(rhs)
        )
        return IdentitySpec("column", target.strip(), terms)
    row = raw["row"]
    terms = []
    for term in row.get("terms", []):
        sign = -1 if term.startswith("-") else 1
        terms.append((sign, term.lstrip("+-")))
    return IdentitySpec(
        "row",
        row["target"],
        tuple(terms),
        section=row.get("section"),
        section_items=bool(row.get("section_items", False)),
        rows_between=bool(row.get("rows_between", False)),
    )


def parse_template(raw: dict, source: str = "") -> TemplateSpec:
    if "sections" in raw:
        sections = tuple(
            SectionSpec(
                key=s["key"],
                header=re.compile(s.get("header", "项目")),
                columns=tuple(_column(c) for c in s["columns"]),
                rows=_patterns(s.get("rows")),
            )
            for s in raw["sections"]
        )
        column_sets: tuple[ColumnSet, ...] = ()
    else:
        sections = ()
        column_sets = tuple(
            ColumnSet(
                re.compile(v["when"]),
                tuple(_column(c) for c in v["columns"]),
                tuple(_identity(i) for i in v["identities"]) if "identities" in v else None,
            )
            for v in raw.get("variants", [])
        ) + (ColumnSet(None, tuple(_column(c) for c in raw["columns"])),)
    return TemplateSpec(
        id=raw["id"],
        kind=DisclosureKind(raw["kind"]),
        mandatory=bool(raw.get("mandatory", False)),
        titles=_patterns(raw["titles"]),
        numbers=_patterns(raw.get("numbers")),
        layout="sections" if sections else "detail",
        row_codes=raw.get("row_codes", "none"),
        column_sets=column_sets,
        sections=sections,
        free_text=bool(raw.get("free_text", False)),
        identities=tuple(_identity(i) for i in raw.get("identities", [])),
        priority=tuple(raw.get("priority", [])),
        priority_by_code=tuple(
            (str(prefix), tuple(keys)) for prefix, keys in (raw.get("priority_by_code") or {}).items()
        ),
        unlabelled_row=raw.get("unlabelled_row", ""),
        source=source,
    )


@lru_cache(maxsize=1)
def load_templates() -> tuple[TemplateSpec, ...]:
    folder = resources.files("fiscalwatch.parse") / "templates"
    specs = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".yaml", ".yml")):
            raw = yaml.safe_load(entry.read_text(encoding="utf-8"))
            specs.append(parse_template(raw, source=entry.name))
    return tuple(specs)


@lru_cache(maxsize=None)
def templates_for(kind: DisclosureKind) -> tuple[TemplateSpec, ...]:
    # cached: the same tuple every time, so that what is cached by it (the caption pattern
    # of these templates) is found by identity, without comparing the templates one by one
    return tuple(t for t in load_templates() if t.kind is kind)

