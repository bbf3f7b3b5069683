"""Document metadata: department, region, fiscal year, kind, unit, publication date."""

from __future__ import annotations

from fiscalwatch.common.document import SourceDocument
from fiscalwatch.common.model import Metadata


def extract_metadata(doc: SourceDocument) -> Metadata:
    raise NotImplementedError
