"""Shared by every Fiscalwatch service: the disclosure model, event schemas, settings,
logging, metrics and broker wiring."""
