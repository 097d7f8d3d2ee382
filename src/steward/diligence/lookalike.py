"""Typo-squats of known brands, told apart from honest names that happen to be close.

MetaMask's fuzzy rule (any host within two edits of a brand) calls `opensky.com`, `metabase.com`
and `otterscan.io` phishing — its whitelist exists to undo exactly that. Measured on that
whitelist (the list's hard negatives), a near-miss alone is weak evidence. What phishing hosts do
and honest names rarely do is *keep the brand readable*: swap two adjacent letters
(`metamaks`), drop or double a letter (`myetherwalet`, `openseaa`), put a hyphen or digit in
(`meta-mask`), or substitute a character that looks or sits alike (`myetherwaliet`,
`bittrez`). So an edit is judged by its kind:

- strong (danger): every edit is one of those kinds, at most one edit for a brand shorter than
  eight letters, two for longer ones, three from twelve;
- weak (caution, "near miss"): within two edits, but some edit makes a different word.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

# Characters that read alike in common fonts (one direction listed; used both ways).
_CONFUSABLE = {frozenset(p) for p in ("il", "l1", "i1", "ij", "o0", "uv", "nh", "mn", "ce",
                                      "gq", "vy", "rn", "a4", "e3", "s5", "b6", "t7", "g9", "z2")}
_QWERTY = ["1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"]
_ADJACENT: set[frozenset[str]] = set()
for _row in _QWERTY:
    for _a, _b in zip(_row, _row[1:]):
        _ADJACENT.add(frozenset((_a, _b)))

# From this length a brand is no one's accidental word: any edit within the allowance is a squat
# (every near miss on MetaMask's whitelist is of a brand shorter than this).
LONG_BRAND = 10
Op = tuple[str, str, str]  # (kind, from brand, in form): sub / del / ins / swap
Strength = Literal["strong", "weak"]


class Lookalike(NamedTuple):
    brand: str  # the brand name matched (without its TLD)
    form: str  # the part of the host compared
    distance: int
    strength: Strength
    edits: list[str]  # each edit in words


def edit_ops(form: str, brand: str) -> list[Op]:
    """The edits that turn `brand` into `form` (optimal string alignment: adjacent swaps are
    one edit), recovered from the distance table."""
    n, m = len(brand), len(form)
    table = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        table[i][0] = i
    for j in range(m + 1):
        table[0][j] = j
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            cost = brand[i - 1] != form[j - 1]
            best = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and brand[i - 1] == form[j - 2] and brand[i - 2] == form[j - 1]:
                best = min(best, table[i - 2][j - 2] + 1)
            table[i][j] = best
    ops: list[Op] = []
    i, j = n, m
    while i or j:
        here = table[i][j]
        if i and j and brand[i - 1] == form[j - 1] and here == table[i - 1][j - 1]:
            i, j = i - 1, j - 1
        elif i > 1 and j > 1 and brand[i - 1] == form[j - 2] and brand[i - 2] == form[j - 1] \
                and here == table[i - 2][j - 2] + 1:
            ops.append(("swap", brand[i - 2:i], form[j - 2:j]))
            i, j = i - 2, j - 2
        elif i and j and here == table[i - 1][j - 1] + 1:
            ops.append(("sub", brand[i - 1], form[j - 1]))
            i, j = i - 1, j - 1
        elif i and here == table[i - 1][j] + 1:
            ops.append(("del", brand[i - 1], _neighbours(brand, i - 1)))
            i -= 1
        else:
            ops.append(("ins", _neighbours(form, j - 1), form[j - 1]))
            j -= 1
    return ops


def _neighbours(text: str, index: int) -> str:
    return text[max(index - 1, 0):index] + text[index + 1:index + 2]


def _strong(op: Op, brand: str) -> bool:
    kind, was, now = op
    if kind == "swap" or len(brand) >= LONG_BRAND or not (was + now).isascii():
        return True
    if kind == "sub":
        pair = frozenset((was, now))
        return pair in _CONFUSABLE or pair in _ADJACENT
    if kind == "del":  # a letter of the brand left out: a doubled one, or from a long name
        return was in now or len(brand) >= 7
    return now in was or not now.isalpha()  # ins: a doubled letter, a hyphen or a digit


def _describe(op: Op) -> str:
    kind, was, now = op
    return {"swap": f"'{was}' swapped to '{now}'", "sub": f"'{was}' written as '{now}'",
            "del": f"'{was}' left out", "ins": f"'{now}' added"}[kind]


def _allowed(brand: str) -> int:
    return 1 if len(brand) < 9 else 2 if len(brand) < 12 else 3


def judge(form: str, brand: str, tolerance: int) -> Lookalike | None:
    """How `form` (a label or word of a host) relates to `brand`, or None if not close."""
    if form == brand or abs(len(form) - len(brand)) > max(tolerance, _allowed(brand)):
        return None
    ops = edit_ops(form, brand)
    distance = len(ops)
    if distance == 0:
        return None
    strong = distance <= _allowed(brand) and all(_strong(op, brand) for op in ops) \
        and not (len(form) < len(brand) and form in brand)  # "crypto" in "mycrypto": a word
    if not strong and distance > tolerance:
        return None
    return Lookalike(brand, form, distance, "strong" if strong else "weak",
                     [_describe(op) for op in reversed(ops)])


def forms_of(host: str) -> list[str]:
    """The parts of a host a typo-squat hides a brand in: each label but the TLD, each word of
    a hyphenated label, and a hyphenated label with its hyphens removed."""
    labels = host.split(".")[:-1] or host.split(".")
    forms: list[str] = []
    for label in labels:
        forms.append(label)
        if "-" in label:
            forms.append(label.replace("-", ""))
            forms.extend(word for word in label.split("-") if len(word) >= 4)
    return list(dict.fromkeys(f for f in forms if f))


def best_lookalike(host: str, brands: list[str], tolerance: int) -> Lookalike | None:
    """The strongest, then closest, lookalike of any brand among the host's parts."""
    found = None
    for form in forms_of(host):
        for brand in brands:
            match = judge(form, brand, tolerance)
            if match and (found is None or (match.strength == "strong",
                                            -match.distance) > (found.strength == "strong",
                                                                -found.distance)):
                found = match
    return found
