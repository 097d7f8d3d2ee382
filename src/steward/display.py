"""One safe way to show text that did not come from Steward's own code.

Request text from API and MCP clients, contact names and notes, token names and symbols, wallet
names, revert reasons, model output, URLs and error messages that quote any of these are data.
Shown raw, they could drive the terminal (ANSI/CSI escape sequences clear the screen or conceal
what follows), restyle or hide a rich preview (`[conceal]`, `[link=…]`), or reorder and hide
characters (bidi overrides, zero-width characters) so that a person reads something other than
what will be signed.

- `visible(text)`: every control, format, bidi, separator, surrogate, private-use, unassigned
  and default-ignorable character becomes a visible `<U+XXXX>`; everything else is unchanged.
  For plain outputs: MCP answers, the dashboard (after which Jinja's autoescape handles HTML).
- `safe(text)`: `visible`, then escaped for rich markup so that rich shows exactly the visible
  form, whatever markup follows it. For every piece of outside text placed in a rich string.

- `skeleton(text)` / `reads_as(text)`: how text reads to a person (confusable letters mapped
  to ASCII; `reads_as` also drops what shows as nothing), to tell look-alikes apart: phishing
  hosts, token symbols imitating a registry symbol.

Both make line breaks visible too (a request must not draw a fake line of the preview) unless
`multiline=True`, which keeps newlines and tabs for text that is made of lines.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# General categories that print nothing, move the cursor, or reorder what follows: controls
# (C0 with ESC, DEL, C1 with CSI), formats (bidi embeddings, overrides and isolates, LRM/RLM/ALM,
# zero-width space/joiners, word joiner, BOM, soft hyphen, tag characters), surrogates, private
# use, unassigned, and the line/paragraph separators.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
# Unicode's Default_Ignorable_Code_Point characters outside those categories: they render as
# nothing (Hangul fillers, the combining grapheme joiner, variation selectors, Khmer inherent
# vowels, Mongolian free variation selectors), so "alice" and "ali\ufe0fce" would look alike.
# unicodedata does not expose that property, hence this short list from DerivedCoreProperties.
_IGNORABLE = re.compile("[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\ufe00-\ufe0f"
                        "\uffa0\U000e0100-\U000e01ef]")
_KEPT_IN_LINES = frozenset("\n\t")

# An empty, balanced rich tag: renders as nothing, and separates what precedes it from what
# follows, so a data "[" can never begin a tag and data ":" can never begin an emoji code.
_BREAK = "[b][/b]"
# rich parses `[` followed by one of these as a tag (rich.markup.RE_TAGS).
_TAG_START = re.compile(r"\[(?=[a-z#/@])")
_EMOJI_START = re.compile(r":(?=\S|$)")  # at the end too: joined texts could close a code
# rich turns a backslash before `[` into nothing (an escape), and one at the end into an escape
# of whatever markup follows.
_BACKSLASHES = re.compile(r"\\+(?=\[|$)")


def _shown(char: str) -> str:
    return f"<U+{ord(char):04X}>"


def _hidden(char: str, multiline: bool) -> bool:
    if multiline and char in _KEPT_IN_LINES:
        return False
    return (unicodedata.category(char) in _HIDDEN_CATEGORIES
            or _IGNORABLE.match(char) is not None)


def visible(text: str, *, multiline: bool = False) -> str:
    """`text` with every character that prints nothing or controls the display shown as
    `<U+XXXX>` (a newline and a tab are kept only when `multiline`)."""
    text = str(text)
    # Fast path: isprintable() is False for every hidden category (and for non-ASCII spaces,
    # which the slow path keeps).
    if text.isprintable() and not _IGNORABLE.search(text):
        return text
    return "".join(_shown(ch) if _hidden(ch, multiline) else ch for ch in text)


def safe(text: str, *, multiline: bool = False) -> str:
    """Outside text for a rich markup string: rich renders it as exactly `visible(text)`.

    Covers the cases `rich.markup.escape` leaves open: a `[tag` with no closing bracket that
    markup after it would close, a backslash before `[` (rich drops it) or at the end (it would
    escape the markup that follows, or show doubled when nothing follows), and emoji codes such
    as `:warning:`.
    """
    shown = visible(text, multiline=multiline)
    shown = _TAG_START.sub("[" + _BREAK, shown)
    shown = _EMOJI_START.sub(":" + _BREAK, shown)
    # n backslashes before a tag render as n // 2 backslashes (and escape the tag when n is
    # odd): doubled and closed by an empty tag, they render as themselves in any context.
    return _BACKSLASHES.sub(lambda m: m.group(0) * 2 + _BREAK, shown)


# --- how text reads to a person ---------------------------------------------------------

# Characters that render like an ASCII letter (Unicode's confusables, the ones phishers use).
CONFUSABLES = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j", "ѕ": "s", "һ": "h",
    "ԁ": "d", "ԛ": "q", "ԝ": "w", "ӏ": "l", "ү": "y", "ɡ": "g", "ь": "b", "п": "n",
    # Greek
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x", "γ": "y", "ω": "w",
    # Latin look-alikes
    "ı": "i", "ł": "l", "ɑ": "a", "ɩ": "i", "ʀ": "r",
    # digit / letter swaps
    "0": "o", "1": "l",
}
MULTI_CONFUSABLES = (("rn", "m"), ("vv", "w"))


def skeleton(text: str) -> str:
    """An ASCII reading of `text`: accents dropped, confusables mapped, `rn` read as `m`."""
    stripped = "".join(ch for ch in unicodedata.normalize("NFKD", text)
                       if unicodedata.category(ch) != "Mn")
    mapped = "".join(CONFUSABLES.get(ch, ch) for ch in stripped.lower())
    for many, one in MULTI_CONFUSABLES:
        mapped = mapped.replace(many, one)
    return mapped


def reads_as(text: str) -> str:
    """What a person reads in `text`: characters that show as nothing or as space dropped,
    case folded, look-alike letters mapped to ASCII (Cyrillic "Ѕ" reads as "s", "0" as "o").
    Two texts with the same reading cannot be told apart on screen."""
    shown = "".join(ch for ch in unicodedata.normalize("NFKC", str(text))
                    if not _hidden(ch, False) and unicodedata.category(ch) != "Zs")
    return skeleton(shown.casefold())


def visible_data(value: Any, *, multiline: bool = True) -> Any:
    """Every string in a JSON-like structure (dicts, lists, tuples) made `visible`; keys too."""
    if isinstance(value, str):
        return visible(value, multiline=multiline)
    if isinstance(value, dict):
        return {visible_data(k, multiline=multiline): visible_data(v, multiline=multiline)
                for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(visible_data(item, multiline=multiline) for item in value)
    return value


__all__ = ["CONFUSABLES", "reads_as", "safe", "skeleton", "visible", "visible_data"]
