"""Validation settings. Defaults are documented here and in the README; the services read
them from the environment (FISCALWATCH_YOY_RATE_PERCENT, FISCALWATCH_YOY_FLOOR_WAN_YUAN)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict


class ValidationConfig(BaseModel):
    model_config = ConfigDict(frozen=True)

    # A year-over-year change is alarming when its rate exceeds this many percent AND its
    # amount exceeds the floor, so that a tiny base does not flood the alert channel.
    yoy_rate_percent: Decimal = Decimal("30")
    yoy_floor_wan_yuan: Decimal = Decimal("50")
    # Final accounts against the same year's budget: the same two thresholds apply.
    budget_final_rate_percent: Decimal = Decimal("30")
