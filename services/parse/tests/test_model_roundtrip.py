"""The parser makes its cells, sources and rows with `unchecked` (no validation, for speed):
every value must still be of its field's type, or the event another service decodes would
not be the one the parser built. Validating each parsed document again proves it."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from fiscalwatch.common.document import SourceDocument
from fiscalwatch.common.model import Amount, Disclosure, SourceRef, Unit, unchecked
from fiscalwatch.parse import parse_document
from fiscalwatch.parse.formats import read_document

DATA = Path(__file__).parent / "data"
DOCUMENTS = sorted((DATA / "seeds").glob("*.txt"))
PDFS = sorted((DATA / "pdf").glob("*.pdf"))[:3]


def _same_after_validation(disclosure: Disclosure) -> None:
    again = Disclosure.model_validate_json(disclosure.model_dump_json())
    assert again == disclosure
    assert again.model_dump_json() == disclosure.model_dump_json()


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_a_parsed_text_is_what_validation_makes_of_it(path: Path) -> None:
    _same_after_validation(parse_document(SourceDocument.from_bytes(path.name, path.read_bytes())))


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.name[:2])
def test_a_parsed_pdf_is_what_validation_makes_of_it(path: Path) -> None:
    _same_after_validation(parse_document(read_document(path.name, path.read_bytes())))


def test_unchecked_makes_what_the_constructor_makes() -> None:
    source = {"line": 3, "column": 1, "page": None, "text": None}
    made = unchecked(SourceRef, source)
    assert made == SourceRef(line=3, column=1)
    value = {"value": Decimal("2270.24"), "unit": Unit.WAN_YUAN, "raw": "2,270.24", "source": made}
    amount = unchecked(Amount, value)
    assert amount == Amount(**value)
    # serialised in the model's field order, as a validated one is
    assert amount.model_dump_json() == Amount(**value).model_dump_json()
    assert hash(made) == hash(SourceRef(line=3, column=1))


def test_an_unchecked_model_is_still_frozen() -> None:
    made = unchecked(SourceRef, {"line": 3, "column": None, "page": None, "text": None})
    with pytest.raises(Exception):
        made.line = 4  # type: ignore[misc]


def test_unchecked_models_of_a_class_share_nothing_a_copy_can_change() -> None:
    first = unchecked(SourceRef, {"line": 3, "column": None, "page": None, "text": None})
    second = unchecked(SourceRef, {"line": 4, "column": None, "page": None, "text": None})
    copied = first.model_copy(update={"text": "quoted"})
    assert copied.text == "quoted" and copied.model_fields_set == {"line", "column", "page", "text"}
    assert first.text is None and second.text is None
    assert first.model_fields_set == second.model_fields_set == {"line", "column", "page", "text"}
    assert first.model_dump(exclude_unset=True) == {"line": 3, "column": None, "page": None, "text": None}
