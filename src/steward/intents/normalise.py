"""Raw text to the words of its steps, before any item is read.

Addresses cut out before lower-casing (a placeholder `zzaddrNzz` stands for each; base58 keys are
checked here, since their case matters), punctuation unified, grammar words respelt through one
slip, filler dropped, the request split into steps (`split_steps`) and a step into words
(`words_of`) for `steward.intents.lexer`. Pure and offline.
"""

from __future__ import annotations

import re

from steward.contacts import checked_solana_address
from steward.errors import StewardError
from steward.intents.items import Ask, edit1
from steward.intents.vocabulary import _KNOWN_WORDS, _VERBS


_ADDR_RE = re.compile(r"(?<![0-9A-Za-z])0[xX][0-9A-Za-z]*")
# A run of 32-44 base58 characters: a Solana public key when it decodes to 32 bytes. Cut out
# before lower-casing, since base58 is case-sensitive (another case is another key).
_BASE58_RE = re.compile(r"(?<![0-9A-Za-z])[1-9A-HJ-NP-Za-km-z]{32,44}(?![0-9A-Za-z])")
PLACEHOLDER_RE = re.compile(r"zzaddr(\d+)zz")
_LEAD_FILLER = re.compile(
    r"^(?:(?:please|pls|plz|kindly|hey|hi|hello|yo|ok|okay|alright|so|now|just|also|and|first|"
    r"firstly|then|next|steward|hey steward|ok steward|could you please|can you please|could you|"
    r"can you|would you|will you|can u|could u|would you mind|i want you to|i'd like you to|"
    r"i would like you to|i need you to|i want to|i wanna|i'd like to|id like to|i would like to|"
    r"i'd love to|i need to|i have to|i must|we need to|we want to|help me|let's|lets|"
    r"go ahead and|you should|time to|quickly|i'm trying to|im trying to|try to|please go ahead "
    r"and|could you kindly|can you kindly|i'd like|i would like|tell me|can you tell me|"
    r"could you tell me|please tell me|do me a favor and|do me a favour and|i'd want to|"
    r"lemme|let me)\b[\s,:]*)+")
_ANY_FILLER = re.compile(
    r"\b(?:please|pls|plz|for me|thanks|thank you|thx|asap|right now|real quick|quickly|kindly|"
    r"right away|immediately|if you can|if possible|if you could|when you can|for me please|"
    r"(?:a )?quick one|quick question|one more thing|one last thing|one thing|"
    r"to whom it may concern|that's all|that is all|that's it|that is it|just a heads up|"
    r"heads up)\b")
_SPLIT_RE = re.compile(
    r"\s*(?:,\s*and then\b|,\s*then\b|\band then\b|;\s*then\b|\bthen\b|,\s*after that\b|\bafter that\b|"
    r"\band afterwards\b|\bafterwards\b|\bfollowed by\b|&\s*then\b|\band finally\b|"
    r",\s*finally\b|\.\s+(?=[a-z])|\band next\b|,\s*next\b)[\s,]*")
VERB_ALT = "|".join(sorted((re.escape(v) for v in _VERBS if v not in {"change", "list", "turn",
                                                                         "view", "tip", "wire",
                                                                         "get", "reset", "flip",
                                                                         "check", "show",
                                                                         "display"}),
                            key=len, reverse=True))
_AND_VERB_RE = re.compile(
    rf"(?:\s*,\s*(?:and\s+)?|\s+and\s+)(?=(?:(?:please|pls|can you|could you|would you|"
    rf"will you|you|then|now|just|also|so)\s+)*(?:{VERB_ALT})\b"
    r"|(?:please\s+)?(?:show|check|display|view|tell|what's|whats|what is|verify|confirm|see)\b"
    r"(?:\s+\w+){0,3}?\s+(?:balance|balances|portfolio|holdings|again)\b"
    r"|(?<=,\s)(?:please\s+)?(?:show|check|display|view|verify|see)\b)")
_ANY_VERB_RE = re.compile(rf"\b(?:{VERB_ALT}|show|check|list|how|what|what's|balance|"
                          r"portfolio|price|quote)\b")
_SELL_BUY_RE = re.compile(r"\bsell (.+?) and (?:then )?buy ([a-z]+)$")
_WORD_RE = re.compile(
    r"zzaddr\d+zz"
    r"|[a-z0-9][a-z0-9_-]*(?:\.[a-z0-9_-]+)*\.(?:eth|xyz|crypto|nft|wallet|lens)\b"
    r"|\d+/\d+"
    r"|[-+]?\$?(?:\d+(?:,\d+)*(?:\.\d+)?|\.\d+)[a-z]*%?\$?"
    r"|[a-z][a-z0-9]*(?:\.e)?(?:'[a-z]+)?"
    r"|'s\b|[%$]|->|=>|-(?=\s|$)")
NUM_RE = re.compile(r"^([-+])?(\$)?(\d+(?:,\d+)*(?:\.\d+)?|\.\d+)([a-z]*)(%)?(\$)?$")
_CAPS_RE = re.compile(r"\b[A-Za-z][A-Za-z0-9]*\b")


def without_addresses(text: str) -> str:
    """The text with every address-looking run blanked (what the words say, not the keys)."""
    return _BASE58_RE.sub(" ", _ADDR_RE.sub(" ", text))


def prepare(text: str) -> tuple[str, list[str], set[str]]:
    addrs: list[str] = []

    def keep(match: re.Match) -> str:
        addrs.append(match.group(0))
        return f" zzaddr{len(addrs) - 1}zz "

    def keep_key(match: re.Match) -> str:
        try:
            checked_solana_address(match.group(0))
        except StewardError as exc:
            raise Ask(f"{exc}. Which address did you mean?") from None
        return keep(match)

    caps = {w.lower() for w in _CAPS_RE.findall(text) if sum(c.isupper() for c in w) >= 2}
    s = _ADDR_RE.sub(keep, text)
    s = _BASE58_RE.sub(keep_key, s)
    s = s.lower().replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    s = s.replace("\u201c", '"').replace("\u201d", '"').replace("\u2192", " -> ")
    s = s.replace("\u2014", ", ").replace("\u2013", ", ").replace("\u00a0", " ")
    s = re.sub(r"(?<=[a-z])-(?=[a-z0-9])", " ", s)
    s = re.sub(r"(?<=\d)\s*%", "%", s)
    s = re.sub(r"\$\s+(?=\d)", "$", s)
    # A request written line by line, with or without bullets or numbers, is one list (the
    # numbers go before brackets are blanked, or "1) check…" would leave an amount of 1).
    s = re.sub(r"(?m)^\s*(?:[-•·>*]|\(?\d{1,2}[.)]|step \d{1,2}\s*[:.)-])(?:\s+|(?=[a-z]))", "", s)
    s = re.sub(r"[\"()\[\]{}*]", " ", s)
    s = _PICTOGRAPH_RE.sub(". ", s)  # "it's alice's birthday 🎂 send her…": a sentence ends
    s = re.sub(r"\bgimme\b", "get me", s)
    s = re.sub(r"(?<![\w'])[a-z]{4,}(?![\w'])", lambda m: _respelt(m.group(0)), s)
    s = re.sub(r"[.!?]?\s*\n+\s*", ", and ", s.strip())  # lines are items of one list
    s = re.sub(r"(?:,\s*and\s*){2,}", ", and ", s)
    s = re.sub(r"[.!?:]+\s*$", "", s.strip())
    s = re.sub(r"[?!]+\s+", ". ", s)  # "how much usdc do i have? ok send 20…": two sentences
    s = re.sub(r"\s+", " ", s).strip()
    # "balance -> swap 0.1 eth to usdc -> balance": arrows between clauses, not "100 usdc -> eth"
    s = _CLAUSE_ARROW_RE.sub(", then ", s)
    return s, addrs, caps


# Emoji and other pictographs end a sentence the way a full stop does.
_PICTOGRAPH_RE = re.compile("[\u2600-\u27bf\U0001f000-\U0001faff]+[\ufe0f\u200d]*")
_CLAUSE_ARROW_RE = re.compile(
    rf"\s*(?:->|=>)\s*(?=(?:then\s+)?(?:{VERB_ALT}|show|check|balance|balances|portfolio)\b)")


def split_steps(s: str) -> list[tuple[str, bool | None]]:
    """The steps of a request, each with whether it is joined to the one before by "and" or a
    comma (True: coordinated, payments that may form one batch) rather than "then", "after
    that" or a new sentence (False: an order). None marks a lead-in without a verb that belongs
    to the next step ("on the l2, send carol 40 usdt"; "I owe bob $40 in USDC, settle it")."""
    s = re.sub(r"\s*;\s*(?!then\b)", ", and ", s)  # "2 eth -> alice; 25 usdc -> carol": a list
    parts = [p for p in _SPLIT_RE.split(s) if p and trim(p)]
    out: list[tuple[str, bool | None]] = []
    for part in parts:
        part = _SELL_BUY_RE.sub(r"sell \1 for \2", part)
        pieces = [p for p in _AND_VERB_RE.split(part) if trim(p)]
        first = True
        for idx, piece in enumerate(pieces):
            if idx + 1 < len(pieces) and not _ANY_VERB_RE.search(piece):
                out.append((trim(piece), None))
                continue
            out.append((trim(piece), not first))
            first = False
    return out


def trim(s: str) -> str:
    """Spaces, commas and full stops off both ends, but never the point of ".2 ETH"."""
    return _TRIM_RE.sub("", s)


_TRIM_RE = re.compile(r"^(?:[\s,]|\.(?!\d))+|[\s,.]+$")


def clean_step(s: str) -> str:
    s = _ANY_FILLER.sub(" ", s)
    s = trim(re.sub(r"\s+", " ", s))
    s = _LEAD_FILLER.sub("", s)
    return trim(s)


_NAMES_WITH_DIGITS = {"1inch"}  # a venue, not "1 inch"


# Words the grammar keys on, read through one typo ("mcuh", "eahc", "chek", "balanse",
# "dealine", "etherum"); never token symbols, where one typo can be another real token.
_RESPELT = ("each", "much", "many", "between", "among", "balance", "balances", "check",
            "deadline", "ethereum", "allowance", "slippage", "minutes")
ORDINAL_RE = re.compile(r"^\d+(?:st|nd|rd|th)$")


def _respelt(word: str) -> str:
    """The grammar word `word` is one slip away from, or `word` itself. A short word (each,
    much) only through two swapped letters; a longer one through any single slip but a letter
    added at the end ("balancer", "checks" are other words)."""
    if len(word) < 4 or not word.isalpha() or word in _KNOWN_WORDS:
        return word
    for target in _RESPELT:
        if not edit1(word, target):
            continue
        if len(target) == 4 and (len(word) != 4 or sorted(word) != sorted(target)):
            continue
        if len(word) == len(target) + 1 and word[:-1] == target:
            continue
        return target
    return word


def words_of(s: str) -> list[str]:
    out: list[str] = []
    for w in _WORD_RE.findall(s):
        m = NUM_RE.match(w)
        if ORDINAL_RE.match(w):
            out.append(w)  # "my 2nd time": a rank, not an amount
            continue
        if m and m.group(4) and m.group(4) not in ("k", "m", "mm", "mil", "kk") and (
                w not in _NAMES_WITH_DIGITS):
            # "25usdc" → "25" "usdc"
            out.append(w[: m.start(4)] + (m.group(5) or "") + (m.group(6) or ""))
            out.append(m.group(4))
            continue
        if w.endswith("'s") and w not in ("what's", "let's", "it's", "that's", "there's",
                                          "how's", "who's", "here's"):
            out.append(w[:-2])
            out.append("'s")
            continue
        if w == "the":
            continue
        out.append(w)
    return out
