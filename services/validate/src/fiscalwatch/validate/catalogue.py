"""The rule catalogue (rules.yaml) and the one way findings are made from it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib.resources import files

import yaml

from fiscalwatch.common.model import Evidence, Finding, Severity


@dataclass(frozen=True)
class Rule:
    id: str
    family: int
    severity: Severity
    zh: str
    en: str


@cache
def rules() -> dict[str, Rule]:
    data = yaml.safe_load(files(__package__).joinpath("rules.yaml").read_text(encoding="utf-8"))
    return {
        rule_id: Rule(rule_id, spec["family"], Severity(spec["severity"]), spec["zh"], spec["en"])
        for rule_id, spec in data["rules"].items()
    }


def finding(
    rule_id: str,
    detail_zh: str,
    detail_en: str,
    evidence: tuple[Evidence, ...] | list[Evidence],
    stated: Decimal | None = None,
    expected: Decimal | None = None,
    severity: Severity | None = None,
) -> Finding:
    rule = rules()[rule_id]
    difference = stated - expected if stated is not None and expected is not None else None
    return Finding(
        rule_id=rule_id,
        severity=severity or rule.severity,
        message_zh=f"{rule.zh}：{detail_zh}",
        message_en=f"{rule.en}: {detail_en}",
        stated=stated,
        expected=expected,
        difference=difference,
        evidence=tuple(evidence),
    )
