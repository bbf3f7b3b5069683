"""Ingest: watches where disclosures are published and announces each new one once."""
