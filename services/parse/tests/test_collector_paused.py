"""`parse_document` pauses the cyclic garbage collector while it runs (`collector_paused`,
whose own tests are in libs/common), and must give it back after a parse that raised."""

from __future__ import annotations

import gc

import pytest

from fiscalwatch.common.document import SourceDocument
from fiscalwatch.common.errors import NotADisclosure
from fiscalwatch.parse.core import parse_document


@pytest.fixture(autouse=True)
def _collector_restored():
    was = gc.isenabled()
    yield
    gc.enable() if was else gc.disable()


def test_resumed_after_a_parse_that_raises():
    gc.enable()
    with pytest.raises(NotADisclosure):
        parse_document(SourceDocument.from_text("notice.txt", "关于举办培训班的通知\n请各单位按时参加。\n"))
    assert gc.isenabled()
