"""The parsed disclosure: the one data model every Fiscalwatch service carries.

A `Disclosure` is what the parser makes of one published document (部门预算 or 部门决算):
its metadata, its standard tables, the facts its narrative states, a coverage report, and
(once validated) the findings. Every number is a `Decimal` with its unit and its place in the
document, so that any finding can quote its evidence. Serialised to JSON, amounts are strings.

The model is pure data: no parsing and no I/O happen here.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.0"


class Unit(str, Enum):
    WAN_YUAN = "万元"
    YUAN = "元"

    @property
    def yuan_factor(self) -> Decimal:
        """How many 元 one of this unit is."""
        return Decimal(10000) if self is Unit.WAN_YUAN else Decimal(1)


class DisclosureKind(str, Enum):
    BUDGET = "budget"  # 部门预算
    FINAL_ACCOUNTS = "final_accounts"  # 部门决算


class Severity(str, Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


M = TypeVar("M", bound=BaseModel)
_new_object = object.__new__
_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__


def unchecked(cls: type[M], values: dict[str, Any]) -> M:
    """`cls(**values)` without validation, for the parser's hot paths: it makes thousands of
    cells and sources per document from values it has just typed itself (an int line, a
    Decimal, a Unit), and validating each costs as much as reading it.

    `values` holds every field of `cls`, in the order the model declares them (the order
    they are serialised in), each already of its field's type (a tuple, not a list). A test
    round-trips every parsed seed through validation to hold the parser to that."""
    model = _new_object(cls)
    _set_dict(model, values)
    # Every field is set, so every instance of a class has the same set of them: one set per
    # class is shared (pydantic copies it before it ever adds to it, in `model_copy`, and
    # adding a field the set holds changes nothing). A set per object would be one more
    # object for the garbage collector to track, of the thousands a document makes.
    fields_set = _all_fields_set.get(cls)
    if fields_set is None:
        fields_set = _all_fields_set[cls] = set(cls.model_fields)
    _set_fields_set(model, fields_set)
    _set_extra(model, None)
    _set_private(model, None)
    return model


_all_fields_set: dict[type, set[str]] = {}


class SourceRef(_Frozen):
    """A place in the document text.

    `line` is 1-based over the document's lines as read (for a PDF, the extracted text);
    `column` is the 0-based cell index within that line when the value came from a table
    cell (tab-separated or space-separated tokens), otherwise the 0-based character offset;
    `page` is known when the reader of the format knows it.
    """

    line: int
    column: int | None = None
    page: int | None = None
    text: str | None = None  # the source line (or sentence) quoted as evidence


class Amount(_Frozen):
    """A money amount exactly as printed, in its unit, at its place."""

    value: Decimal
    unit: Unit
    raw: str  # the characters printed, e.g. "2,270.24" or "000"
    source: SourceRef

    def in_unit(self, unit: Unit) -> Decimal:
        return self.value * self.unit.yuan_factor / unit.yuan_factor


class Percent(_Frozen):
    """A percentage as printed: `value` is in percent (86.26 for "86.26%")."""

    value: Decimal
    raw: str
    places: int  # decimal places printed; the precision a check must respect
    has_percent_sign: bool = True
    source: SourceRef | None = None


# --- tables -----------------------------------------------------------------------------


class Column(_Frozen):
    """A column of a standard table; `id` is the printed 栏次 ("1", "2", …) where the
    template numbers its columns, else a template-defined key."""

    id: str
    label: str


RowKeyKind = Literal["function_code", "economic_code", "line_number", "label"]


class Row(_Frozen):
    """One row of a table.

    `key` is unique within the table and stable across documents of the same template:
    the resolved function/economic code (e.g. "2080505", "30101"), the printed 行次 ("27"),
    or a normalised label ("合计"). Cells that are empty in the document are absent.
    """

    key: str
    key_kind: RowKeyKind
    label: str  # the row's name as printed (科目名称 / 项目)
    code: str | None = None  # resolved function or economic code
    printed_code: str | None = None  # the code as printed (e.g. "208050" cut to six digits)
    line_number: int | None = None  # printed 行次
    level: Literal["class", "section", "item"] | None = None  # 类 / 款 / 项 for codes
    cells: dict[str, Amount] = Field(default_factory=dict)  # column id -> amount
    source: SourceRef


IdentityAxis = Literal["row", "column"]


class Term(_Frozen):
    sign: Literal[1, -1]
    ref: str  # a row key (行次 or code) for row identities, a column id for column identities


class Identity(_Frozen):
    """A ledger identity of a table.

    axis="row":    row `target` = Σ sign·row(ref), in every column (e.g. "27行 = (1+2+…+8)行").
    axis="column": column `target` = Σ sign·column(ref), in every row ("1 栏各行 = (2+3) 栏各行");
                   `rows` limits it to some rows when the note says so (empty = every row).
    `origin` says whether the document printed it or the standard template supplied it.
    """

    axis: IdentityAxis
    target: str
    terms: tuple[Term, ...]
    rows: tuple[str, ...] = ()
    origin: Literal["printed", "template"]
    text: str  # as printed, or the template's rendering
    source: SourceRef | None = None  # where it was printed


class Table(_Frozen):
    """A standard table recognised by its template."""

    template_id: str  # e.g. "final.01" (决算 公开01表) or "budget.05"
    number: str | None = None  # the number as printed: "公开01表", "预算05表", "表 1"
    title: str  # the caption as printed (lines joined)
    unit: Unit
    columns: tuple[Column, ...]
    rows: tuple[Row, ...] = ()
    identities: tuple[Identity, ...] = ()
    declared_empty: bool = False  # the document says the table has no content (本单位无…)
    empty_note: str | None = None
    source: SourceRef  # the caption's first line
    end_line: int | None = None

    def row(self, key: str) -> Row | None:
        return next((r for r in self.rows if r.key == key), None)


# --- narrative ----------------------------------------------------------------------------


class Change(_Frozen):
    """A change the text states against an earlier year or the initial budget."""

    direction: Literal["increase", "decrease", "flat"] | None = None
    amount: Amount | None = None  # the stated difference (always positive as printed)
    rate: Percent | None = None  # stated growth / decline rate
    base_year: int | None = None  # 与 2019 年度相比 -> 2019
    base_amount: Amount | None = None  # the prior amount when the text states it


class Share(_Frozen):
    rate: Percent
    of: str  # the whole as printed: "本年收入", "本年支出合计", "政府采购支出总额"


class Completion(_Frozen):
    """年初预算为 A 万元，支出决算为 B 万元，完成年初预算的 P%."""

    budget: Amount | None = None
    rate: Percent | None = None


class NarrativeFact(_Frozen):
    """An amount the narrative states, what it is, and the claims around it.

    `quantity` is a canonical key so that the same quantity links across sentences and to
    tables: e.g. "收支总计", "收入合计", "支出合计", "财政拨款收入", "基本支出", "项目支出",
    "人员经费", "公用经费", "三公经费", "因公出国(境)费", "公务用车购置及运行费",
    "公务接待费", "机关运行经费", "政府采购支出", "function:210" (a class/款/项 by code when
    the text names a function class), "economic:302".
    `scope` narrows it: "" (the whole department), "财政拨款", "一般公共预算财政拨款",
    "政府性基金预算财政拨款" ….
    """

    quantity: str
    scope: str = ""
    subject: str  # the words printed before the amount
    year: int | None = None
    amount: Amount
    change: Change | None = None
    share: Share | None = None
    completion: Completion | None = None
    sentence: str  # the whole sentence, lines re-joined
    source: SourceRef


# --- metadata, coverage, findings ------------------------------------------------------------


class Metadata(_Frozen):
    department: str  # as printed, e.g. "武汉市医疗保障局（本级）"
    department_key: str  # normalised so that the same body links across years: "武汉市医疗保障局"
    region: str | None = None  # "武汉市", "武汉市洪山区"
    fiscal_year: int
    kind: DisclosureKind
    unit: Unit  # the document's main amount unit
    published: date | None = None


class UnreadLine(_Frozen):
    line: int
    text: str
    reason: str


class Coverage(_Frozen):
    """What the parser found and what it could not read. Nothing is dropped silently."""

    tables_found: tuple[str, ...] = ()  # template ids
    tables_missing: tuple[str, ...] = ()  # mandatory for this kind, not found
    tables_declared_empty: tuple[str, ...] = ()
    unread_lines: tuple[UnreadLine, ...] = ()  # lines holding numbers that were not understood


class Evidence(_Frozen):
    """One cell or sentence a finding rests on."""

    table: str | None = None  # template id
    row: str | None = None  # row key
    column: str | None = None  # column id
    fact: int | None = None  # index into Disclosure.facts
    value: Decimal | None = None
    source: SourceRef


class Finding(_Frozen):
    rule_id: str
    severity: Severity
    message_zh: str
    message_en: str
    stated: Decimal | None = None
    expected: Decimal | None = None
    difference: Decimal | None = None
    evidence: tuple[Evidence, ...] = ()


class DocumentRef(_Frozen):
    name: str  # file name or object name
    sha256: str
    pages: int | None = None
    media_type: str = "text/plain"


class Disclosure(_Frozen):
    schema_version: str = SCHEMA_VERSION
    document: DocumentRef
    metadata: Metadata
    tables: tuple[Table, ...] = ()
    facts: tuple[NarrativeFact, ...] = ()
    coverage: Coverage = Coverage()
    findings: tuple[Finding, ...] = ()  # filled by validation

    def table(self, template_id: str) -> Table | None:
        return next((t for t in self.tables if t.template_id == template_id), None)
