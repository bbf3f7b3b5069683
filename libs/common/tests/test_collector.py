"""`collector_paused` gives the cyclic garbage collector back as it found it: resumed after
the last of overlapping pauses, left off when it was off; a document's lines are made with
it paused."""

from __future__ import annotations

import gc
import threading

import pytest

from fiscalwatch.common.collector import collector_paused
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


def test_a_collector_the_program_disabled_stays_disabled_when_lines_are_made():
    gc.disable()
    SourceDocument.from_text("a.txt", "一\n二\n")
    assert not gc.isenabled()


def test_paused_inside_and_resumed_after():
    gc.enable()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # nested: the outer one resumes it
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_the_program_disabled_stays_disabled():
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()


def test_overlapping_pauses_in_threads_resume_it_when_the_last_ends():
    gc.enable()
    first_in, second_done, states = threading.Event(), threading.Event(), []

    def first():
        with collector_paused():
            first_in.set()
            second_done.wait(5)
            states.append(("first, after the second ended", gc.isenabled()))

    def second():
        first_in.wait(5)
        with collector_paused():
            pass
        second_done.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert states == [("first, after the second ended", False)]
    assert gc.isenabled()
