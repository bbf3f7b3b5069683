"""Making a document's lines pauses the cyclic garbage collector (`collector_paused`) and
gives it back as it found it."""

from __future__ import annotations

import gc

import pytest

from fiscalwatch.common.document import SourceDocument, _plain_lines


@pytest.fixture(autouse=True)
def _collector_restored():
    was = gc.isenabled()
    yield
    gc.enable() if was else gc.disable()


class _Watched(list):
    """Texts that note whether the collector runs when the lines are made of them."""

    states: list[bool]

    def __iter__(self):
        self.states.append(gc.isenabled())
        return super().__iter__()


def test_lines_are_made_with_the_collector_paused_and_resumed_after():
    gc.enable()
    texts = _Watched(["一", "二"])
    texts.states = []
    lines = _plain_lines(texts)
    assert [(line.number, line.text) for line in lines] == [(1, "一"), (2, "二")]
    assert texts.states == [False]
    assert gc.isenabled()


def test_a_collector_the_program_disabled_stays_disabled():
    gc.disable()
    SourceDocument.from_text("a.txt", "一\n二\n")
    assert not gc.isenabled()
