"""`collector_paused` gives the cyclic garbage collector back as it found it: resumed after
the last of overlapping pauses, left off when it was off; `parse_document` runs with it
paused and gives it back after a parse that raised."""

from __future__ import annotations

import gc
import threading

import pytest

from fiscalwatch.common.document import SourceDocument
from fiscalwatch.common.errors import NotADisclosure
from fiscalwatch.parse.collector import collector_paused
from fiscalwatch.parse.core import parse_document


@pytest.fixture(autouse=True)
def _collector_restored():
    was = gc.isenabled()
    yield
    gc.enable() if was else gc.disable()


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


def test_resumed_after_a_parse_that_raises():
    gc.enable()
    with pytest.raises(NotADisclosure):
        parse_document(SourceDocument.from_text("notice.txt", "关于举办培训班的通知\n请各单位按时参加。\n"))
    assert gc.isenabled()
