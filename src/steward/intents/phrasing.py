"""How, not what: the terms a person attaches to an order, and the marks of a question.

* Terms: "with 1% slippage", "max slippage 0.5%", "within 10 minutes", "deadline 20 min" are cut
  out of a step's words before the grammar reads it (so "1%" is never read as an amount) and
  returned as numbers: basis points and minutes, exactly (a slippage with more precision than a
  basis point is asked about, never rounded).
* Questions: "estimate swapping 1 ETH to USDC", "calculate the input amount required to receive
  35.85 USDC", "what if I swap…": a question word makes a step a quote, never an order.

Pure functions over the lexer's words; offline and deterministic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from steward.intents.lexer import Ask, dec_text, edit1

_SLIPPAGE = {"slippage", "slipage", "slippages", "slippage's", "slip", "slipp"}
_PERCENT = re.compile(r"^(\d+(?:\.\d+)?|\.\d+)%$")
_NUMBER = re.compile(r"^(\d+(?:\.\d+)?|\.\d+)$")
# Words that only join a term to the order ("… and a max slippage of 1%").
_LEAD = {"with", "at", "and", "a", "max", "maximum", "using", "allow", "allowing", "set", "most",
         "accept", "accepting", "use", "but", "keep", "keeping"}
_INSIDE = {"of", "at", "to", "tolerance", "limit", "is", "set", "max", "maximum", "up", "no",
           "more", "than", "under", "below", "most", "=", "around", "about", "allowed",
           "capped", "cap", "a", "must", "should", "shall", "may", "can", "cannot", "can't",
           "not", "never", "exceed", "exceeds", "exceeding", "go", "be", "above", "over",
           "beyond", "stay", "within", "keep"}
_TAIL = {"tolerance", "limit", "max", "maximum", "allowed", "slippage", "tops"}
_MINUTES = {"minute": 1, "minutes": 1, "min": 1, "mins": 1, "mn": 1, "hour": 60, "hours": 60,
            "hr": 60, "hrs": 60, "h": 60, "day": 1440, "days": 1440}
_SMALL = {"one": 1, "two": 2, "three": 3, "five": 5, "ten": 10, "fifteen": 15, "twenty": 20,
          "thirty": 30, "forty": 40, "sixty": 60, "an": 1, "a": 1, "half": None}
MAX_DEADLINE_MINUTES = 7 * 24 * 60
_BOUND_BEFORE = {"under", "than", "timeout", "limit", "max", "maximum", "before", "it", "of"}
_BOUND_AFTER = {"limit", "max", "maximum", "deadline", "timeout", "window", "tops"}
_BOUND_LEAD = {"in", "under", "no", "longer", "than", "with", "a", "timeout", "of", "time",
               "limit", "max", "maximum", "before", "give", "it", "and", "more", "not"}
FINISH = {"finish", "finishes", "complete", "completes", "done", "fill", "filled", "execute",
           "executed", "through", "thru", "land", "lands", "confirm", "confirmed"}


@dataclass
class Terms:
    slippage_bps: int | None = None
    deadline_minutes: int | None = None
    said: str = ""  # the words that stated them, for a question when they do not apply

    @property
    def any(self) -> bool:
        return self.slippage_bps is not None or self.deadline_minutes is not None


def take_terms(words: list[str]) -> tuple[list[str], Terms]:
    """The words without the order's terms, and the terms."""
    terms = Terms()
    words, said_slip = _take_slippage(words, terms)
    words, said_deadline = _take_deadline(words, terms)
    terms.said = " ".join(part for part in (said_slip, said_deadline) if part)
    return words, terms


def _percent_at(words: list[str], j: int) -> tuple[Decimal, int] | None:
    """A percentage starting at words[j]: "1%", "1 percent", "50 bps", "30 basis points",
    "half a percent"; (value in percent, index after)."""
    m = _PERCENT.match(words[j])
    if m:
        return Decimal(m.group(1)), j + 1
    if _NUMBER.match(words[j]) and j + 1 < len(words) and words[j + 1] in ("bps", "bp"):
        return Decimal(words[j]) / 100, j + 2
    if _NUMBER.match(words[j]) and words[j + 1:j + 3] == ["basis", "points"]:
        return Decimal(words[j]) / 100, j + 3
    if words[j:j + 3] in (["half", "a", "percent"], ["half", "a", "%"]):
        return Decimal("0.5"), j + 3
    if _NUMBER.match(words[j]) and j + 1 < len(words) and words[j + 1] in ("percent", "pct",
                                                                             "%"):
        return Decimal(words[j]), j + 2
    return None


def _take_slippage(words: list[str], terms: Terms) -> tuple[list[str], str]:
    k = next((i for i, w in enumerate(words) if w in _SLIPPAGE), None)
    if k is None:
        return words, ""
    found = None
    for distance in range(1, 7):  # the nearest percentage, after the word first
        for j in (k + distance, k - distance):
            if 0 <= j < len(words):
                got = _percent_at(words, j)
                if got is not None:
                    between = words[min(j, k) + 1:max(j, k)] if j > k else words[got[1]:k]
                    if all(w in _INSIDE or w in _TAIL for w in between):
                        found = (j, *got)
                        break
        if found:
            break
    if found is None:
        raise Ask("What slippage should the swap allow? Say a percentage, such as 'with 0.5% "
                  "slippage'.")
    j, value, end = found
    lo, hi = min(j, k), max(end - 1, k)
    while hi + 1 < len(words) and words[hi + 1] in _TAIL:
        hi += 1
    while lo > 0 and words[lo - 1] in _LEAD:
        lo -= 1
    bps = value * 100
    if bps != bps.to_integral_value():
        raise Ask(f"A slippage of {dec_text(value)}% is finer than a basis point (0.01%): what "
                  "slippage should the swap allow?")
    if bps > 10_000:
        raise Ask(f"A slippage of {dec_text(value)}% is more than the whole amount: what slippage "
                  "should the swap allow?")
    terms.slippage_bps = int(bps)
    return words[:lo] + words[hi + 1:], " ".join(words[lo:hi + 1])


def _take_deadline(words: list[str], terms: Terms) -> tuple[list[str], str]:
    n = len(words)
    for k, w in enumerate(words):
        start = None
        if w == "deadline" and k >= 2 and (got := _duration(words, k - 2)) and got[1] == k:
            terms.deadline_minutes = got[0]  # "20 min deadline"
            return words[:k - 2] + words[k + 1:], " ".join(words[k - 2:k + 1])
        if w in ("within", "whitin", "withing", "witin"):
            start = k + 1
        elif w == "next" and k > 0 and words[k - 1] in ("the", "in"):
            start = k + 1  # "only if it goes through in the next 10 min"
        elif w in ("deadline", "expiry", "expiration"):
            start = k + 1
            while start < n and words[start] in ("of", "in", "is", "=", "set", "to", "a"):
                start += 1
        elif w in ("expire", "expires", "expiring") and k + 1 < n and words[k + 1] in (
                "in", "after"):
            start = k + 2
        elif w == "valid" and words[k + 1:k + 2] == ["for"]:
            start = k + 2
        elif w in FINISH and words[k + 1:k + 2] == ["in"]:
            start = k + 2  # "must finish in 15 minutes"
        if start is None or start >= n:
            continue
        got = _duration(words, start)
        if got is None:
            if w != "deadline":
                continue  # "within my limit": not a deadline
            raise Ask("How long may the swap wait? Say a deadline in minutes or hours, such as "
                      "'within 10 minutes'.")
        minutes, end = got
        return _deadline(words, terms, k, minutes, end)
    return _bounded_duration(words, terms)


def _bounded_duration(words: list[str], terms: Terms) -> tuple[list[str], str]:
    """A duration said as a bound ("in under 10 minutes", "no longer than 5 minutes", "a
    timeout of 5 min", "max 10 minutes", "15 minute limit", "give it 5 minutes")."""
    for k in range(len(words)):
        got = _duration(words, k)
        if got is None:
            continue
        minutes, end = got
        before = words[k - 1] if k else ""
        after = words[end] if end < len(words) else ""
        if before in _BOUND_BEFORE or after in _BOUND_AFTER:
            lo = k
            while lo > 0 and words[lo - 1] in _BOUND_LEAD:
                lo -= 1
            hi = end
            while hi < len(words) and words[hi] in _BOUND_AFTER | {"pass", "passes"}:
                hi += 1
            return _deadline(words, terms, lo, minutes, hi)
    return words, ""


def _deadline(words: list[str], terms: Terms, lo: int, minutes: int,
              end: int) -> tuple[list[str], str]:
    """Take words[lo:end] (and the joining words before them) as the deadline."""
    if not 1 <= minutes <= MAX_DEADLINE_MINUTES:
        raise Ask(f"A deadline of {minutes} minutes is outside 1 minute to 7 days: how long "
                  "may the swap wait?")
    while lo > 0 and words[lo - 1] in ("and", "with", "a", "at"):
        lo -= 1
    lo = _finish_clause(words, lo)
    terms.deadline_minutes = minutes
    return words[:lo] + words[end:], " ".join(words[lo:end])


# "it must go through", "the swap has to be done", "make sure it fills": the words that say a
# deadline is about the order finishing (taken with it, so "it" is not read as an amount).
_FINISH_LEAD = FINISH | {"it", "this", "swap", "trade", "order", "must", "should", "has", "have",
                         "needs", "need", "to", "go", "goes", "be", "get", "gets", "make", "sure",
                         "and", "fully", "finished", "completed", "filled"}


def _finish_clause(words: list[str], lo: int) -> int:
    """Where a deadline's clause starts: before "it must go through" when those words say the
    order must finish (never a lone "it", which may be the amount)."""
    start = lo
    while start > 0 and words[start - 1] in _FINISH_LEAD:
        start -= 1
    return start if any(w in FINISH for w in words[start:lo]) else lo


def _duration(words: list[str], i: int) -> tuple[int, int] | None:
    """A number and a unit of time at words[i]: "10 minutes", "10min", "an hour", "2h",
    "half an hour"."""
    w = words[i]
    if words[i:i + 3] in (["half", "an", "hour"], ["half", "a", "hour"]):
        return 30, i + 3
    m = re.fullmatch(r"(\d+)(m|h|min|mins|hr|hrs)", w)
    if m:
        return int(m.group(1)) * _MINUTES.get(m.group(2), 1), i + 1
    if i + 1 >= len(words):
        return None
    unit = _MINUTES.get(words[i + 1])
    if unit is None:
        return None
    if _NUMBER.match(w):
        try:
            value = Decimal(w) * unit
        except InvalidOperation:
            return None
        if value != value.to_integral_value():
            return None
        return int(value), i + 2
    if w in _SMALL and _SMALL[w] is not None:
        return _SMALL[w] * unit, i + 2
    return None


# A question about a trade, not an order: estimates, calculations, "what if", "would I get".
QUESTION_RE = re.compile(
    r"\b(?:estimate|estimated|estimating|estimation|calculate|calculating|calculation|compute|"
    r"simulate|simulating|simulation|preview (?:a |an |the )?(?:\w+ing|swap|trade)\b|what if|"
    r"what happens if|what would happen|"
    r"how much would|how many would|what would|what will i get|would i get|will i get|"
    r"could i get|would i receive|will i receive|could i receive|do i need|would i need|"
    r"would it cost|will it cost|does it cost|would cost|is needed|are needed|needed to|"
    r"required to|required for|necessary to|hypothetically|if i were to|if i (?:swap|swapped|"
    r"sell|sold|trade|traded|exchange|exchanged|convert|converted|buy|bought)|expected output|"
    r"expected amount|how much (?:\w+ )?(?:for|in|to)\b)")
# Questions about the past, about how to, or for advice: never an order, and not a quote either.
OTHER_QUESTION_RE = re.compile(
    r"\b(?:did i|did my|have i|has my|how do i|how can i|how to|should i|shall i|why|explain|"
    r"wat happens|whats happens|what happened|is it safe|is it wise|do you think|would it be|"
    r"is it a good idea|good idea|recommend|worth it)\b")
# Misspelt question words still mark a question ("estimat", "simualte").
_QUESTION_STEMS = ("estimate", "simulate", "calculate", "estimation", "simulation",
                   "calculation")
# Words before an amount that make it what would be received ("to receive 35.85 USDC").
RECEIVE_WORDS = {"receive", "get", "buy", "obtain", "acquire", "end", "purchase"}


def other_question(text: str) -> bool:
    return bool(OTHER_QUESTION_RE.search(text))


def is_question(text: str) -> bool:
    if QUESTION_RE.search(text):
        return True
    return any(len(word) >= 6 and edit1(word, stem) for word in re.findall(r"[a-z]+", text)
               for stem in _QUESTION_STEMS)


# Text addressed to Steward itself rather than a request: instructions to ignore rules, fake
# system or developer messages, hidden markup. A request carrying any is asked about whole:
# nothing in it is done, since the honest part cannot be told from the injected one.
INJECTION_RE = re.compile(
    r"ignore (?:all |any |the |your )?(?:previous|prior|above|earlier|preceding|former|rules|"
    r"instructions|limits|mandate)|disregard|system prompt|<\s*/?\s*(?:system|admin|user|"
    r"assistant|instructions?)\s*>|(?:^|[\s.,;:(\[])(?:system|admin|developer|assistant|root)"
    r"\s*(?:says|mode|message|override|note)?\s*:|admin override|developer says|"
    r"\bassistant\s*,|skip (?:the )?(?:review|checks?|confirmation|guard|approval|mandate)|"
    r"bypass|override|<!--|-->|jailbreak|as instructed by|new instructions|"
    r"confirmed\s*:\s*yes|pre-?approved|already approved|no need to (?:ask|confirm|check)|"
    r"without (?:asking|confirmation|checking)")


def injected(text: str) -> str | None:
    """The words that read as instructions to Steward itself, or None."""
    found = INJECTION_RE.search(text.lower())
    return found.group(0).strip(" .,;:([") if found else None


__all__ = ["FINISH", "INJECTION_RE", "MAX_DEADLINE_MINUTES", "OTHER_QUESTION_RE", "QUESTION_RE",
           "RECEIVE_WORDS", "Terms", "injected", "is_question", "other_question", "take_terms"]
