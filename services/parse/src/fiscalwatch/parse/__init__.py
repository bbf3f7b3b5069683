"""Parse: a published disclosure becomes structured tables, metadata and narrative facts."""

from fiscalwatch.parse.core import parse_document

__all__ = ["parse_document"]
