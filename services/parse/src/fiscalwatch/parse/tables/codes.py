"""Function-code resolution.

Some documents print 项 codes cut to six digits ("208050" for both 2080502 and 2080505).
The same document prints the full codes in another table, with the same names; a cut code
is resolved to the full code that starts with it and whose name matches (names may be cut
too: "其他社会保障和就业支" for "其他社会保障和就业支出").
"""

from __future__ import annotations

from fiscalwatch.parse.tables.text import compact

LEVELS = {3: "class", 5: "section", 7: "item"}


def level_of(code: str) -> str | None:
    return LEVELS.get(len(code)) if code.isdigit() else None


def _names_match(a: str, b: str) -> bool:
    a, b = compact(a), compact(b)
    if not a or not b:
        return False
    return a == b or a.startswith(b) or b.startswith(a)


def resolve_code(printed: str, name: str, known: dict[str, set[str]]) -> str | None:
    """The full 7-digit code for a 6-digit `printed` code, from `known` (full code -> names
    printed for it anywhere in the document). None when no single code fits."""
    candidates = [code for code in known if len(code) == 7 and code.startswith(printed)]
    named = [c for c in candidates if any(_names_match(name, n) for n in known[c])]
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        exact = [c for c in named if any(compact(name) == compact(n) for n in known[c])]
        if len(exact) == 1:
            return exact[0]
        return None
    return candidates[0] if len(candidates) == 1 else None
