"""What a regular expression's parse tree tells before it is run: the characters a match can
begin with, the words every match holds. The parser's fast paths (the narrative's phrase
searches, the caption matcher) test these first, in C, and run a pattern only where it may
match.

The tree is the one `re.compile` itself reads (`re._parser`, the standard library's own but
not public): where it cannot be read, each answer is the one that filters nothing.
"""

from __future__ import annotations

import re

try:
    from re import _constants as sre, _parser
except ImportError:  # pragma: no cover - a Python whose `re` is laid out otherwise
    sre = _parser = None


def _tree(pattern: str, flags: int = 0):
    """The parse of `pattern`, or None when it cannot be read or its case is ignored (the
    characters it prints are then not the ones it matches)."""
    if _parser is None:
        return None
    try:
        parsed = _parser.parse(pattern, flags)
    except Exception:  # noqa: BLE001 - an unreadable tree only means no filter
        return None
    if (flags | parsed.state.flags) & (re.IGNORECASE | re.LOCALE):
        return None
    return parsed


def first_characters(pattern: str) -> str | None:
    """The characters a match of `pattern` can begin with, as the inside of a character class
    ("因公政…", ranges as "a-z"); None when that cannot be told (a class of digits, any
    character ".", a case-insensitive flag, a match that can be empty): then every character
    must be tried."""
    parsed = _tree(pattern)
    if parsed is None:
        return None
    found: list[str] = []

    def add_starts(items) -> bool | None:
        """Adds the characters the sequence `items` can begin with to `found`: whether it can
        match the empty string (then what follows it can begin a match too), None when unknown."""
        for op, argument in items:
            if op is sre.LITERAL:
                found.append(re.escape(chr(argument)))
                return False
            if op is sre.IN:
                for member, value in argument:
                    if member is sre.LITERAL:
                        found.append(re.escape(chr(value)))
                    elif member is sre.RANGE:
                        found.append(f"{re.escape(chr(value[0]))}-{re.escape(chr(value[1]))}")
                    else:  # a negated class, a category (digits, spaces)
                        return None
                return False
            if op in (sre.ASSERT, sre.ASSERT_NOT, sre.AT):
                continue  # consumes nothing: the match begins with what follows
            if op is sre.SUBPATTERN:
                _group, add_flags, del_flags, inner = argument
                empty = None if add_flags or del_flags else add_starts(inner)
            elif op is sre.BRANCH:
                branches = [add_starts(branch) for branch in argument[1]]
                empty = None if None in branches else any(branches)
            elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
                least, _most, inner = argument
                empty = add_starts(inner)
                empty = None if empty is None else (empty or least == 0)
            else:  # any character, a back-reference, …
                return None
            if empty is None or not empty:
                return empty
        return True

    return "".join(dict.fromkeys(found)) if add_starts(parsed) is False else None


def required_words(pattern: re.Pattern[str]) -> tuple[str, ...]:
    """The runs of literal characters in the top-level sequence of `pattern`: each is in every
    text the pattern matches (outside a group, repeat, alternative or look-around, a literal is
    matched once, and consecutive ones in a row). None known, for a pattern whose case is
    ignored or whose tree cannot be read."""
    parsed = _tree(pattern.pattern, pattern.flags)
    if parsed is None:
        return ()
    words: list[str] = []
    run = ""
    for op, argument in parsed:
        if op is sre.LITERAL:
            run += chr(argument)
        else:
            if run:
                words.append(run)
            run = ""
    if run:
        words.append(run)
    return tuple(words)
