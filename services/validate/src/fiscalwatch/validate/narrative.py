"""Checks of what the text states: its arithmetic (changes, growth rates, shares, completion
rates), its amounts against the tables and against each other, and its year-over-year jumps."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

from fiscalwatch.common.model import Amount, Disclosure, Evidence, Finding, NarrativeFact, Unit
from fiscalwatch.validate.arithmetic import (
    HUNDRED, Verdict, compare, half_unit, interval, percent_agrees, places, quantize_like, ratio_range, sum_tolerance,
)
from fiscalwatch.validate.catalogue import finding
from fiscalwatch.validate.config import ValidationConfig
from fiscalwatch.validate.figures import current_year_facts, table_figure


def fact_evidence(index: int, fact: NarrativeFact, amount: Amount | None = None) -> Evidence:
    amount = amount or fact.amount
    source = amount.source if amount.source.text else amount.source.model_copy(update={"text": fact.sentence})
    return Evidence(fact=index, value=amount.value, source=source)


def _signed_change(fact: NarrativeFact) -> Decimal | None:
    change = fact.change
    if change is None or change.amount is None:
        return None
    return -change.amount.value if change.direction == "decrease" else change.amount.value


def _prior_range(fact: NarrativeFact) -> tuple[Decimal, Decimal] | None:
    """The prior amount the stated change implies, as the range its rounding allows."""
    change = fact.change
    if change is None:
        return None
    if change.base_amount is not None:
        return interval(change.base_amount)
    signed = _signed_change(fact)
    if signed is None:
        return None
    current_lo, current_hi = interval(fact.amount)
    change_h = half_unit(max(places(change.amount), 2))
    return current_lo - (signed + change_h), current_hi - (signed - change_h)


def stated_arithmetic(disclosure: Disclosure) -> Iterator[Finding]:
    facts = disclosure.facts
    for index, fact in enumerate(facts):
        yield from _change_findings(index, fact)
        if fact.completion is not None:
            yield from _completion_findings(index, fact)
    yield from _share_findings(facts)


def _change_findings(index: int, fact: NarrativeFact) -> Iterator[Finding]:
    change = fact.change
    if change is None:
        return
    evidence = [fact_evidence(index, fact)]
    if change.rate is not None and not change.rate.has_percent_sign:
        yield finding("F-003", f"“{change.rate.raw}”", f"'{change.rate.raw}'", evidence + ([] if change.rate.source is None else [Evidence(fact=index, value=change.rate.value, source=change.rate.source)]))
    signed = _signed_change(fact)
    if change.base_amount is not None and signed is not None:
        expected = fact.amount.value - change.base_amount.value
        tolerance = sum_tolerance([fact.amount, change.base_amount, change.amount])
        verdict = compare(signed, expected, tolerance)
        if verdict is Verdict.MISMATCH:
            yield finding(
                "A-001", f"{fact.subject} 本年 {fact.amount.value}，上年 {change.base_amount.value}，列示增减 {signed}",
                f"{fact.quantity}: current {fact.amount.value}, prior {change.base_amount.value}, stated change {signed}",
                evidence, signed, expected,
            )
    if change.rate is None:
        return
    prior = _prior_range(fact)
    if prior is None or signed is None and change.base_amount is None:
        return
    if prior[1] <= 0 or (prior[0] <= 0 <= prior[1] and abs(prior[0]) < Decimal("0.01") * 2):
        if change.rate.value == 0 and (signed or 0) == 0:
            return  # "增加 0.00 万元，增长 0%": nothing changed, nothing claimed
        yield finding(
            "A-003", f"{fact.subject} 上年数为零，列示增长 {change.rate.raw}%",
            f"{fact.quantity}: the prior amount is zero, stated growth {change.rate.raw}%", evidence,
            stated=change.rate.value,
        )
        return
    if signed is None:
        signed_range = (fact.amount.value - prior[1], fact.amount.value - prior[0])
    else:
        h = half_unit(max(places(change.amount), 2))
        signed_range = (signed - h, signed + h)
    allowed = ratio_range(signed_range, prior)
    if allowed is None:
        return
    stated = change.rate.value * (-1 if change.direction == "decrease" else 1)
    stated_percent = change.rate.model_copy(update={"value": stated})
    if not percent_agrees(stated_percent, allowed):
        midpoint = (allowed[0] + allowed[1]) / 2
        expected = quantize_like(midpoint, change.rate)
        yield finding(
            "A-002", f"{fact.subject} 列示 {change.rate.raw}%，按金额应为 {expected}%",
            f"{fact.quantity}: stated {change.rate.raw}%, the amounts give {expected}%", evidence,
            stated=stated, expected=expected,
        )


def _completion_findings(index: int, fact: NarrativeFact) -> Iterator[Finding]:
    completion = fact.completion
    if completion.budget is None or completion.rate is None:
        return
    evidence = [fact_evidence(index, fact), fact_evidence(index, fact, completion.budget)]
    if completion.budget.value == 0:
        if fact.amount.value != 0:
            yield finding(
                "A-003", f"{fact.subject} 年初预算为零，列示完成 {completion.rate.raw}%",
                f"{fact.quantity}: the initial budget is zero, stated completion {completion.rate.raw}%",
                evidence, stated=completion.rate.value,
            )
        return
    allowed = ratio_range(interval(fact.amount), interval(completion.budget))
    if allowed is not None and not percent_agrees(completion.rate, allowed):
        expected = quantize_like(HUNDRED * fact.amount.value / completion.budget.value, completion.rate)
        yield finding(
            "A-005", f"{fact.subject} {fact.amount.value}/{completion.budget.value} 列示 {completion.rate.raw}%，应为 {expected}%",
            f"{fact.quantity} {fact.amount.value}/{completion.budget.value}: stated {completion.rate.raw}%, expected {expected}%",
            evidence, stated=completion.rate.value, expected=expected,
        )


# The whole a share names ("占授予中小企业合同金额的", "占本年支出合计的"), most specific first.
_WHOLE_BY_WORD = (
    ("中小企业", "授予中小企业合同金额"), ("政府采购", "政府采购支出"), ("项目支出", "项目支出"),
    ("基本支出", "基本支出"), ("收入", "收入合计"), ("支出", "支出合计"),
)


def _whole_for(facts: tuple[NarrativeFact, ...], index: int) -> int | None:
    """The fact a share is a share of: the named whole in the sentences just before, else
    the nearest earlier amount that heads the list (no share of its own, not smaller, not
    zero: "上年结转结余0万元。其中：…收入0万元，占0%" lists shares of the income before it)."""
    part = facts[index]
    of = part.share.of if part.share else ""
    wanted = next((q for word, q in _WHOLE_BY_WORD if word in of), None)
    for j in range(index - 1, max(-1, index - 40), -1):
        candidate = facts[j]
        if candidate.year != part.year or candidate.amount.value <= 0:
            continue  # (a share of nothing is no share: a zero amount heads no list)
        if wanted and candidate.quantity == wanted:
            return j
        coded = ("function:", "economic:")
        if (
            not wanted
            and candidate.share is None
            and candidate.quantity != "other"  # an unclassified amount heads no list
            and candidate.amount.value >= part.amount.value
            and not candidate.quantity.startswith(coded)  # a class amount is a part, never the whole
            # spending by class is a share of spending, never of one source of income
            # ("…上年结转2,254.12万元；支出包括：教育支出118.01万元，占0.63%")
            and not (part.quantity.startswith(coded) and _is_income_source(candidate.quantity))
        ):
            return j
    return None


def _is_income_source(quantity: str) -> bool:
    """One source of income (其他收入, 上年结转, 使用非财政拨款结余 …), not a total of them."""
    return quantity not in ("收入合计", "收支总计") and any(word in quantity for word in ("收入", "结转", "结余"))


def _share_findings(facts: tuple[NarrativeFact, ...]) -> Iterator[Finding]:
    siblings: dict[int, list[int]] = defaultdict(list)
    for index, fact in enumerate(facts):
        if fact.share is None:
            continue
        whole_index = _whole_for(facts, index)
        if whole_index is None:
            continue
        whole = facts[whole_index]
        siblings[whole_index].append(index)
        if whole.amount.in_unit(Unit.YUAN) == 0:
            continue
        part_range = interval(fact.amount)
        allowed = ratio_range(part_range, interval(whole.amount))
        if allowed is None or percent_agrees(fact.share.rate, allowed):
            continue
        expected = quantize_like(HUNDRED * fact.amount.value / whole.amount.value, fact.share.rate)
        yield finding(
            "A-004",
            f"{fact.subject} {fact.amount.value} 占 {whole.subject} {whole.amount.value} 列示 {fact.share.rate.raw}%，应为 {expected}%",
            f"{fact.quantity} {fact.amount.value} of {whole.quantity} {whole.amount.value}: stated {fact.share.rate.raw}%, expected {expected}%",
            [fact_evidence(index, fact), fact_evidence(whole_index, whole)],
            stated=fact.share.rate.value, expected=expected,
        )
    for whole_index, parts in siblings.items():
        whole = facts[whole_index]
        amounts = [facts[i].amount for i in parts]
        if len(parts) < 2:
            continue
        # Only a complete breakdown (the parts add up to the whole) must add up to 100%.
        if compare(sum((a.value for a in amounts), Decimal(0)), whole.amount.value, sum_tolerance(amounts + [whole.amount])) is Verdict.MISMATCH:
            continue
        rates = [facts[i].share.rate for i in parts]
        total = sum((r.value for r in rates), Decimal(0))
        tolerance = sum((half_unit(r.places) for r in rates), Decimal(0))
        if abs(total - HUNDRED) > tolerance:
            yield finding(
                "A-006", f"{whole.subject} 各项占比合计 {total}%", f"shares of {whole.quantity} add up to {total}%",
                [fact_evidence(i, facts[i]) for i in parts], stated=total, expected=HUNDRED,
            )


def narrative_against_tables(disclosure: Disclosure) -> Iterator[Finding]:
    unit = disclosure.metadata.unit
    for index, fact in current_year_facts(disclosure):
        figure = table_figure(disclosure, fact.quantity, fact.scope)
        if figure is None:
            continue
        stated = fact.amount.in_unit(unit)
        # One unit in the last printed place: the text rounds the same number again (尾数误差).
        tolerance = 2 * max(half_unit(places(fact.amount)) * fact.amount.unit.yuan_factor / unit.yuan_factor, half_unit(2))
        verdict = compare(stated, figure.value, tolerance)
        if verdict is Verdict.EXACT or (figure.at_most and stated <= figure.value):
            continue  # (under a bound: the rest of the cell is another's, 事业单位's 公用经费)
        if fact.amount.unit is not unit and fact.amount.value == figure.value:
            # "住房公积金 3.58 元" where the table says 3.58 万元: the number is right, the unit is not.
            yield finding(
                "F-002", f"{fact.subject} 文字写作 {fact.amount.raw}{fact.amount.unit.value}，表中为 {figure.value}{unit.value}",
                f"{fact.quantity}: the text says {fact.amount.raw} {fact.amount.unit.value}, the table {figure.value} {unit.value}",
                [fact_evidence(index, fact), figure.evidence], stated=stated, expected=figure.value,
            )
            continue
        yield finding(
            "T-003" if verdict is Verdict.ROUNDING else "N-001",
            f"{fact.subject} 文字 {fact.amount.raw}{fact.amount.unit.value}，表 {figure.evidence.table} 为 {figure.value}",
            f"{fact.quantity}: text {fact.amount.raw} {fact.amount.unit.value}, table {figure.evidence.table} {figure.value}",
            [fact_evidence(index, fact), figure.evidence], stated=stated, expected=figure.value,
        )


def narrative_against_itself(disclosure: Disclosure) -> Iterator[Finding]:
    unit = disclosure.metadata.unit
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, fact in current_year_facts(disclosure):
        if fact.quantity != "other":  # unclassified amounts are not one quantity
            groups[(fact.quantity, fact.scope)].append(index)
    for (quantity, scope), indices in groups.items():
        first = disclosure.facts[indices[0]]
        for other_index in indices[1:]:
            other = disclosure.facts[other_index]
            coarser = min(places(first.amount), places(other.amount))
            verdict = compare(other.amount.in_unit(unit), first.amount.in_unit(unit), 2 * half_unit(coarser))
            if verdict is not Verdict.EXACT:
                yield finding(
                    "T-003" if verdict is Verdict.ROUNDING else "N-002",
                    f"{quantity}{('（' + scope + '）') if scope else ''}：第 {first.source.line} 行 {first.amount.raw}，第 {other.source.line} 行 {other.amount.raw}",
                    f"{quantity} {scope}: line {first.source.line} says {first.amount.raw}, line {other.source.line} says {other.amount.raw}",
                    [fact_evidence(indices[0], first), fact_evidence(other_index, other)],
                    stated=other.amount.in_unit(unit), expected=first.amount.in_unit(unit),
                )


def year_over_year(disclosure: Disclosure, config: ValidationConfig) -> Iterator[Finding]:
    """Changes the text states against the prior year, beyond the configured thresholds."""
    year = disclosure.metadata.fiscal_year
    for index, fact in enumerate(disclosure.facts):
        change = fact.change
        if change is None or change.base_year is None or change.base_year >= (fact.year or year):
            continue
        signed = _signed_change(fact)
        prior = fact.amount.value - signed if signed is not None else (change.base_amount.value if change.base_amount else None)
        if prior is None:
            continue
        difference = fact.amount.value - prior
        difference_wan = difference * fact.amount.unit.yuan_factor / Unit.WAN_YUAN.yuan_factor
        if abs(difference_wan) < config.yoy_floor_wan_yuan:
            continue
        rate = None if prior <= 0 else (HUNDRED * difference / prior).quantize(Decimal("0.01"))
        if rate is not None and abs(rate) <= config.yoy_rate_percent:
            continue
        shown = f"{rate}%" if rate is not None else "上年为零"
        yield finding(
            "Y-001",
            f"{fact.subject} {change.base_year} 年 {prior} → {fact.year or year} 年 {fact.amount.value}（{shown}）",
            f"{fact.quantity}: {change.base_year} {prior} -> {fact.year or year} {fact.amount.value} ({rate if rate is not None else 'from zero'}%)",
            [fact_evidence(index, fact)], stated=fact.amount.value, expected=prior,
        )


_LIST_INTRO_RE = re.compile(r"(?:具体使用情况|具体情况|具体安排情况|分项情况)如下")


def narrated_lists(disclosure: Disclosure) -> Iterator[Finding]:
    """A total followed by "具体使用情况如下：" and its items: the items must add up to it
    (GovBudgetChecker R010: a list of projects against the project total)."""
    facts = disclosure.facts
    for index, head in enumerate(facts):
        if head.quantity in ("other",) or not _LIST_INTRO_RE.search(head.sentence):
            continue
        j = index + 1
        # The next fact may restate the total in other words ("其中：一般公共预算本年拨款 920.15").
        if j < len(facts) and facts[j].amount.value == head.amount.value and _LIST_INTRO_RE.search(facts[j].sentence):
            j += 1
        items = []
        while j < len(facts) and facts[j].quantity == "other" and not _LIST_INTRO_RE.search(facts[j].sentence):
            items.append(j)
            j += 1
        if len(items) < 2:
            continue
        amounts = [facts[k].amount for k in items]
        total = sum((a.in_unit(head.amount.unit) for a in amounts), Decimal(0))
        verdict = compare(total, head.amount.value, sum_tolerance(amounts + [head.amount]))
        if verdict is Verdict.EXACT:
            continue
        yield finding(
            "T-003" if verdict is Verdict.ROUNDING else "N-003",
            f"{head.subject} {head.amount.value}，所列 {len(items)} 项合计 {total}",
            f"{head.quantity} {head.amount.value}: the {len(items)} items listed add up to {total}",
            [fact_evidence(index, head)] + [fact_evidence(k, facts[k]) for k in items],
            stated=head.amount.value, expected=total,
        )
