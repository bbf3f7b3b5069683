"""Settings come from FISCALWATCH_* variables."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from fiscalwatch.common.settings import Settings


def test_settings_read_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("FISCALWATCH_NATS_URL", "nats://a:1,nats://b:2")
    monkeypatch.setenv("FISCALWATCH_MAX_DELIVER", "7")
    monkeypatch.setenv("FISCALWATCH_RETRY_BACKOFF", "0.5, 2,10")
    settings = Settings()
    assert settings.nats_url == "nats://a:1,nats://b:2"
    assert settings.max_deliver == 7 and settings.retry_backoff == (0.5, 2.0, 10.0)


def test_backoff_takes_each_delay_in_turn_and_repeats_the_last() -> None:
    settings = Settings(retry_backoff=(1, 5, 30))
    assert [settings.backoff(n) for n in (1, 2, 3, 4, 9)] == [1, 5, 30, 30, 30]


def test_a_nonsensical_setting_is_refused(monkeypatch) -> None:
    monkeypatch.setenv("FISCALWATCH_MAX_DELIVER", "0")
    with pytest.raises(ValidationError, match="max_deliver"):
        Settings()


def test_serve_refuses_a_broken_configuration_with_a_plain_error(monkeypatch, capsys) -> None:
    from fiscalwatch.common.cli import main

    monkeypatch.setenv("FISCALWATCH_MAX_DELIVER", "0")
    assert main(["serve", "parse"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cannot start parse:") and "max_deliver" in err and "Traceback" not in err
