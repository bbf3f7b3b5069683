"""Errors that name the file and the place, so an operator can find what went wrong."""

from __future__ import annotations


class FiscalwatchError(Exception):
    """Base of the errors Fiscalwatch reports about an input."""

    def __init__(self, name: str, reason: str, line: int | None = None) -> None:
        self.name = name
        self.reason = reason
        self.line = line
        where = f"{name}:{line}" if line is not None else name
        super().__init__(f"{where}: {reason}")

    def __reduce__(self):
        # pickled with the arguments it was made from (Exception's default passes the message
        # alone), so that it crosses a process boundary (a process pool, a multiprocessing queue)
        return type(self), (self.name, self.reason, self.line)


class UnreadableDocument(FiscalwatchError):
    """The bytes cannot be turned into text (empty, binary, wrong encoding, too large)."""


class NotADisclosure(FiscalwatchError):
    """The text was read, but it is not a budget or final-accounts disclosure."""
