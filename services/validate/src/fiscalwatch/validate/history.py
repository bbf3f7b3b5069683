"""Checks against the department's other disclosures the store knows: the prior year's own
figures, and the same year's budget for final accounts."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal

from fiscalwatch.common.events import HistoryRecord
from fiscalwatch.common.model import Disclosure, DisclosureKind, Evidence, Finding, SourceRef
from fiscalwatch.validate.arithmetic import HUNDRED, Verdict, compare, half_unit, places
from fiscalwatch.validate.catalogue import finding
from fiscalwatch.validate.config import ValidationConfig
from fiscalwatch.validate.figures import key_figures
from fiscalwatch.validate.narrative import _signed_change, fact_evidence


def _record_evidence(record: HistoryRecord, quantity: str, value: Decimal) -> Evidence:
    # The other document is named, not quoted: its evidence lives in its own disclosure.
    return Evidence(value=value, source=SourceRef(line=0, text=f"{record.identity.name} {record.identity.fiscal_year} {quantity}"))


def _beyond(current: Decimal, other: Decimal, rate_limit: Decimal, floor: Decimal) -> Decimal | None:
    difference = current - other
    if abs(difference) < floor:
        return None
    if other <= 0:
        return difference
    rate = HUNDRED * difference / other
    return difference if abs(rate) > rate_limit else None


def history_findings(disclosure: Disclosure, history: Sequence[HistoryRecord], config: ValidationConfig) -> Iterator[Finding]:
    meta = disclosure.metadata
    figures = key_figures(disclosure)
    for record in history:
        same_kind = record.identity.kind == meta.kind
        if same_kind and record.identity.fiscal_year == meta.fiscal_year - 1:
            yield from _against_prior(disclosure, record, figures, config)
        if (
            meta.kind is DisclosureKind.FINAL_ACCOUNTS
            and record.identity.kind is DisclosureKind.BUDGET
            and record.identity.fiscal_year == meta.fiscal_year
        ):
            for quantity in ("支出合计", "收支总计"):
                if quantity in figures and quantity in record.key_figures:
                    if _beyond(figures[quantity], record.key_figures[quantity], config.budget_final_rate_percent, config.yoy_floor_wan_yuan) is not None:
                        yield finding(
                            "B-001", f"{quantity} 决算 {figures[quantity]}，预算 {record.key_figures[quantity]}",
                            f"{quantity}: final {figures[quantity]}, budget {record.key_figures[quantity]}",
                            [_record_evidence(record, quantity, record.key_figures[quantity])],
                            stated=figures[quantity], expected=record.key_figures[quantity],
                        )
                    break


def _against_prior(disclosure: Disclosure, record: HistoryRecord, figures: dict[str, Decimal], config: ValidationConfig) -> Iterator[Finding]:
    for quantity, prior in record.key_figures.items():
        current = figures.get(quantity)
        if current is None:
            continue
        if _beyond(current, prior, config.yoy_rate_percent, config.yoy_floor_wan_yuan) is not None:
            yield finding(
                "Y-003", f"{quantity} {record.identity.fiscal_year} 年公开 {prior} → 本年 {current}",
                f"{quantity}: {record.identity.fiscal_year} disclosed {prior} -> now {current}",
                [_record_evidence(record, quantity, prior)], stated=current, expected=prior,
            )
    for index, fact in enumerate(disclosure.facts):
        change = fact.change
        if fact.scope or change is None or change.base_year != record.identity.fiscal_year:
            continue
        signed = _signed_change(fact)
        if signed is None or fact.quantity not in record.key_figures:
            continue
        stated_prior = fact.amount.value - signed
        actual = record.key_figures[fact.quantity]
        if compare(stated_prior, actual, half_unit(max(places(fact.amount), 2)) * 2) is Verdict.MISMATCH:
            yield finding(
                "Y-002", f"{fact.quantity} 文中上年数 {stated_prior}，上年公开 {actual}",
                f"{fact.quantity}: prior year per the text {stated_prior}, per its own disclosure {actual}",
                [fact_evidence(index, fact), _record_evidence(record, fact.quantity, actual)],
                stated=stated_prior, expected=actual,
            )
