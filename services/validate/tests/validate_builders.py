"""Small hand-built disclosures for rule tests: each value written as printed."""

from __future__ import annotations

from decimal import Decimal

from fiscalwatch.common.model import (
    Amount, Change, Column, Completion, Coverage, Disclosure, DisclosureKind, DocumentRef, Identity,
    Metadata, NarrativeFact, Percent, Row, Share, SourceRef, Table, Term, Unit,
)

WAN = Unit.WAN_YUAN


def amount(raw: str, line: int = 1, unit: Unit = WAN) -> Amount:
    return Amount(value=Decimal(raw.replace(",", "")), unit=unit, raw=raw, source=SourceRef(line=line))


def percent(raw: str, sign: bool = True) -> Percent:
    places = len(raw.split(".")[1]) if "." in raw else 0
    return Percent(value=Decimal(raw.replace(",", "")), raw=raw, places=places, has_percent_sign=sign)


def catalogue_name(code: str) -> str:
    from fiscalwatch.validate.form import code_catalogue

    return code_catalogue()[0].get(code, code)


def row(key: str, cells: dict[str, str], label: str | None = None, line: int = 1) -> Row:
    if key.isdigit() and len(key) in (3, 5, 7):
        kind, code, level = ("function_code", key, {3: "class", 5: "section", 7: "item"}[len(key)])
    else:
        kind, code, level = ("label", None, None)
    return Row(
        key=key, key_kind=kind, label=label or catalogue_name(key), code=code, level=level,
        cells={c: amount(v, line) for c, v in cells.items()}, source=SourceRef(line=line, text=f"{key} …"),
    )


def economic_row(code: str, cells: dict[str, str], label: str = "") -> Row:
    return Row(key=code, key_kind="economic_code", label=label or catalogue_name(code), code=code,
               cells={c: amount(v) for c, v in cells.items()}, source=SourceRef(line=1))


def line_row(number: int, label: str, cells: dict[str, str]) -> Row:
    return Row(key=str(number), key_kind="line_number", label=label, line_number=number,
               cells={c: amount(v, number) for c, v in cells.items()}, source=SourceRef(line=number))


def identity(axis: str, target: str, terms: list[str], origin: str = "printed") -> Identity:
    parsed = tuple(Term(sign=-1 if t.startswith("-") else 1, ref=t.lstrip("+-")) for t in terms)
    return Identity(axis=axis, target=target, terms=parsed, origin=origin, text=f"{target} = {'+'.join(terms)}")


def table(template_id: str, columns: list[str], rows: list[Row], identities=(), unit: Unit = WAN) -> Table:
    return Table(
        template_id=template_id, title=template_id, unit=unit,
        columns=tuple(Column(id=str(i + 1), label=label) for i, label in enumerate(columns)),
        rows=tuple(rows), identities=tuple(identities), source=SourceRef(line=1),
    )


def fact(quantity: str, raw: str, line: int = 10, scope: str = "", year: int = 2020, **claims) -> NarrativeFact:
    return NarrativeFact(quantity=quantity, scope=scope, subject=quantity, year=year, amount=amount(raw, line),
                         sentence=f"{quantity}{raw}万元", source=SourceRef(line=line), **claims)


def change(direction: str, raw: str | None, rate: str | None, base_year: int | None = 2019, base: str | None = None,
           sign: bool = True) -> Change:
    return Change(direction=direction, amount=amount(raw) if raw else None, rate=percent(rate, sign) if rate else None,
                  base_year=base_year, base_amount=amount(base) if base else None)


def share(rate: str, of: str = "") -> Share:
    return Share(rate=percent(rate), of=of)


def completion(budget: str, rate: str) -> Completion:
    return Completion(budget=amount(budget), rate=percent(rate))


def disclosure(tables=(), facts=(), kind=DisclosureKind.FINAL_ACCOUNTS, year=2020, missing=(), unit=WAN) -> Disclosure:
    return Disclosure(
        document=DocumentRef(name="test.txt", sha256="0" * 64),
        metadata=Metadata(department="武汉市测试局", department_key="武汉市测试局", fiscal_year=year, kind=kind, unit=unit),
        tables=tuple(tables), facts=tuple(facts), coverage=Coverage(tables_missing=tuple(missing)),
    )
