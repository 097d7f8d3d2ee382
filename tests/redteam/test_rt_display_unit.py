"""`steward.display`: outside text shown safely — control, bidi and zero-width characters made
visible, rich markup escaped so that rich shows exactly the visible form (issue 21, class 2)."""

from __future__ import annotations

import io
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.markup import render

from steward.display import safe, visible, visible_data

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
HIDDEN_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}

# Text biased towards what breaks terminals and markup, plus anything else.
nasty = st.text(alphabet=st.sampled_from(list(
    "[]/\\:=#@ abcXYZ019\n\t\r\x1b\x07\x7f\x9b\x85" + BIDI + ZERO_WIDTH + "\u2028\ufe0f\u3164")))
anything = st.text()
outside_text = st.one_of(nasty, anything)


def hidden_chars(text: str) -> list[str]:
    return [ch for ch in text if unicodedata.category(ch) in HIDDEN_CATEGORIES]


def shown(markup: str) -> str:
    """What a terminal shows for a markup string, through a real rich Console (emoji on)."""
    console = Console(file=io.StringIO(), force_terminal=False, width=10_000, emoji=True,
                      highlight=False, soft_wrap=True)
    console.print(markup, end="")
    return console.file.getvalue()


@settings(max_examples=400)
@given(outside_text)
def test_visible_leaves_no_control_bidi_or_zero_width_character(text):
    out = visible(text)
    assert hidden_chars(out) == []
    assert not set(out) & set(BIDI + ZERO_WIDTH)
    assert visible(out) == out  # idempotent: already visible text is unchanged


@settings(max_examples=400)
@given(outside_text)
def test_rich_renders_safe_text_as_exactly_the_visible_form(text):
    expected = visible(text)
    assert render(safe(text)).plain == expected
    assert render(safe(text), emoji=False).plain == expected
    # ... whatever markup surrounds it: the data neither opens nor closes a tag.
    assert render(f"[bold]{safe(text)}[/]").plain == expected
    assert render(f"[red]x{safe(text)}[/red] y").plain == f"x{expected} y"
    assert render(f"{safe(text)}[dim]z[/]").plain == expected + "z"
    assert render(safe(text) + safe(text)).plain == expected * 2


@settings(max_examples=200)
@given(outside_text)
def test_a_console_shows_exactly_the_visible_form_and_no_escape_byte(text):
    out = shown(f"Request: {safe(text)} [bold]end[/]")
    assert out == f"Request: {visible(text)} end"
    assert "\x1b" not in out


def test_the_attacks_seen_in_the_red_team_run_are_shown_not_obeyed():
    attack = "\x1b[2J\x1b[H[conceal]real[/] \x1b[8mhidden [link=https://evil]x[/link] \u202eevil"
    assert visible(attack) == ("<U+001B>[2J<U+001B>[H[conceal]real[/] <U+001B>[8mhidden "
                               "[link=https://evil]x[/link] <U+202E>evil")
    assert render(safe(attack)).plain == visible(attack)
    # no style, no link, no conceal covers any character (the empty tags safe adds cover none)
    assert all(span.start == span.end for span in render(safe(attack)).spans)
    assert render("[b]" + safe("name\\") + "[/]").plain == "name\\"
    assert render(safe(":warning: pay")).plain == ":warning: pay"


def test_each_kind_of_hidden_character_is_named():
    for ch in "\x00\x1b\x7f\x80\x9b\r" + BIDI + ZERO_WIDTH + "\u2028\u2029\U000e0041\ufe0f\u034f":
        assert visible(ch) == f"<U+{ord(ch):04X}>", repr(ch)
    assert visible("a\nb\tc") == "a<U+000A>b<U+0009>c"  # a request cannot draw its own lines
    assert visible("a\nb\tc", multiline=True) == "a\nb\tc"
    assert visible("a\rb", multiline=True) == "a<U+000D>b"


def test_ordinary_text_is_unchanged():
    for text in ("send 5 USDC to alice on l1", "Ünïcödé façade — ≈ $3,000.00 → ✓",
                 "日本語 العربية עברית", "0xAbC…", "a b"):
        assert visible(text) == text
        assert render(safe(text)).plain == text


def test_visible_data_reaches_every_string_in_a_structure():
    data = {"request": "x\u202ey", "n": 5, "list": ["\x1b[2J", ("\u200b",)], "k\u202e": None}
    assert visible_data(data) == {"request": "x<U+202E>y", "n": 5,
                                  "list": ["<U+001B>[2J", ("<U+200B>",)], "k<U+202E>": None}
