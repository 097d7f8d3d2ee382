"""The parser's lexer: one step's words → typed items, with no grammar yet.

The vocabulary (verbs, prepositions, number words, names of chains, tokens and venues that exist
elsewhere) lives in `steward.intents.vocabulary`; the tables a context lets the lexer recognise
in `steward.intents.tables`; the normalising of raw text (addresses cut out before lower-casing,
punctuation unified, grammar words respelt through one slip, steps split) in
`steward.intents.normalise`; the items and `Ask` in `steward.intents.items`. Here: `lex`, which
turns one step's words into items (amounts, tokens, chains, recipients, wallets, venues,
prepositions, verbs) for the grammar in `steward.intents.parser`. The parser's modules import
all of these through this module. Pure and offline.
"""

from __future__ import annotations

import re
from decimal import Decimal

from steward.contacts import checked_address
from steward.errors import StewardError
from steward.intents.items import Amt, Ask, Item, clarify, dec_text, edit1  # noqa: F401
from steward.intents.normalise import (  # noqa: F401 - re-exported for the parser's modules
    NUM_RE,
    ORDINAL_RE,
    PLACEHOLDER_RE,
    VERB_ALT,
    clean_step,
    prepare,
    split_steps,
    trim,
    without_addresses,
    words_of,
)
from steward.intents.tables import (  # noqa: F401 - re-exported for the parser's modules
    Tables,
    address_key,
    chain_families,
    tables_for,
)
from steward.intents.vocabulary import (  # noqa: F401 - re-exported for the parser's modules
    CAN_DO,
    CAPABILITIES,
    FUZZY_VERBS,
    NOT_CHAIN,
    SOFT,
    TOKEN_NAMES,
    VENUE_WORDS,
    WORLD_VENUES,
    _COIN_VERBS,
    _DETERMINERS,
    _KNOWN_WORDS,
    _NOT_REF_BEFORE,
    _NOUN_VERBS,
    _PREPS,
    _PREP_VENUES,
    _SCALES,
    _SCOPE_WORDS,
    _TENS,
    _UNITS,
    _USD_UNITS,
    _VENUE_TAIL,
    _VERBS,
    _WORLD_CHAINS,
    _WORLD_TOKENS,
)

_ENS_RE = re.compile(r"[a-z0-9][a-z0-9_-]*(?:\.[a-z0-9_-]+)*\.(?:eth|xyz|crypto|nft|wallet|lens)")
_GROUPED_RE = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")


def _near_token(word: str, tb: Tables) -> str | None:
    """The one known token a word is a single typo away from ("eht" → ETH), or None."""
    found = {item.value for key, item in tb.phrases.items()
             if item.kind == "TOK" and len(key) == 1 and edit1(word, key[0])}
    return found.pop() if len(found) == 1 else None


# --------------------------------------------------------------------------- lexing

def _word_number(words: list[str], i: int) -> tuple[Decimal, int] | None:
    n = len(words)
    j = i
    total = 0
    current = 0
    seen = False
    if words[j] in ("a", "an") and j + 1 < n and words[j + 1] in ("hundred", "thousand",
                                                                   "million", "dozen"):
        current = 1
        j += 1
        seen = True
    while j < n:
        w = words[j]
        if w in _UNITS:
            current += _UNITS[w]
        elif w in _TENS:
            current += _TENS[w]
        elif w == "hundred":
            current = (current or 1) * 100
        elif w in _SCALES:
            total += (current or 1) * _SCALES[w]
            current = 0
        elif w == "dozen":
            current = (current or 1) * 12
        elif (w == "and" and seen and j + 1 < n and (words[j + 1] in _UNITS
                                                     or words[j + 1] in _TENS)):
            pass
        else:
            break
        seen = True
        j += 1
    if not seen:
        return None
    value = Decimal(total + current)
    if j + 1 < n and words[j] == "point" and words[j + 1] in _UNITS and _UNITS[words[j + 1]] < 10:
        digits = ""
        j += 1
        while j < n and words[j] in _UNITS and _UNITS[words[j]] < 10:
            digits += str(_UNITS[words[j]])
            j += 1
        value = Decimal(f"{total + current}.{digits}")
    if words[j:j + 3] == ["and", "a", "half"]:
        value += Decimal("0.5")
        j += 3
    return value, j


_FRACTION_WORDS = {"half": Decimal("0.5"), "quarter": Decimal("0.25"), "third": None,
                   "tenth": Decimal("0.1"), "fifth": Decimal("0.2"), "fourth": Decimal("0.25")}
_ALL_WORDS = {"all", "everything", "max", "maximum", "entire", "whole", "full"}
_REF_WORDS = {"it", "them", "that", "this", "those", "proceeds", "output", "result"}


def lex(words: list[str], tb: Tables, addrs: list[str], caps: set[str]) -> list[Item]:
    items: list[Item] = []
    n = len(words)
    i = 0

    def after_fraction(amt: Amt, j: int) -> int:
        # "half of it", "half of my", "all of it", "half my", "20% of the"
        if j < n and words[j] == "of":
            j += 1
        if j < n and words[j] in ("my", "our"):
            amt.mine = True
            j += 1
        elif j < n and words[j] in _REF_WORDS - {"proceeds", "output", "result"}:
            amt.ref = True
            j += 1
        elif j < n and words[j] in ("what", "everything") and words[j + 1:j + 3] == ["i", "have"]:
            j += 3
        if j < n and words[j] in ("balance",) and amt.kind == "fraction":
            j += 1
            if j < n and words[j] == "of":
                j += 1
        return j

    while i < n:
        w = words[i]
        # addresses and ENS names
        m = PLACEHOLDER_RE.fullmatch(w)
        if m:
            address = addrs[int(m.group(1))]
            i += 1
            if address.lower() == "0x" and items and items[-1].kind == "PREP":
                items.append(Item("XVENUE", "dex", "0x"))  # "swap … using 0x": the venue
                continue
            held = tb.token_addresses.get(address_key(address))
            if held and address[:2].lower() == "0x":
                try:
                    checked_address(address)  # a token's address is checked like a recipient's
                except StewardError as exc:
                    raise Ask(f"{exc}. Which token did you mean?", tb.tokens) from None
            if held:  # a registry token's contract address: that token (on that chain)
                symbols = {symbol for _, symbol in held}
                if len(symbols) == 1:
                    items.append(Item("TOK", symbols.pop(), address))
                    if len(held) == 1:
                        items.append(Item("CHAIN", held[0][0], address))
                    continue
            if items and items[-1].kind == "AMT" and items[-1].value.token is None and not (
                    i < n and words[i] in tb.token_words):
                raise Ask(f"{address} is not a token in your registry, so I can't tell what "
                          f"it is: known tokens are {tb.token_list()}. To look at it, run "
                          f"`steward check token {address}`.", tb.tokens)
            items.append(Item("ADDR", address, address))
            continue
        if _ENS_RE.fullmatch(w):
            items.append(Item("ENS", w, w))
            i += 1
            continue
        # phrases of the context: chains, tokens, contacts, wallets
        matched = False
        for key, item in tb.first.get(w, ()):
            if tuple(words[i:i + len(key)]) == key:
                if item.kind == "WALLET" and len(key) == 1 and i + 1 < n and words[i + 1] in (
                        "chain", "network"):
                    continue
                items.append(Item(item.kind, item.value, " ".join(key)))
                i += len(key)
                if item.kind in ("VENUE", "XVENUE"):  # "pancakeswap router v2", "uniswap's"
                    while i < n and (words[i] in _VENUE_TAIL
                                     or words[i:i + 2] == ["swap", "router"]):
                        i += 1
                matched = True
                break
        if matched:
            continue
        # numbers written with digits (not ranks: "my 2nd time")
        m = None if ORDINAL_RE.match(w) else NUM_RE.match(w)
        if m:
            sign, dollar, digits, suffix, pct, dollar2 = m.groups()
            if "," in digits and not _GROUPED_RE.match(digits):
                raise Ask(f"I can't read the amount '{w.lstrip('$')}': use a dot for decimals "
                           "(1.5) and commas only between groups of three digits (1,000).")
            value = Decimal(digits.replace(",", ""))
            j = i + 1
            mult = {"k": 1000, "kk": 1000000, "m": 1000000, "mm": 1000000, "mil": 1000000}
            value *= mult.get(suffix, 1)
            if j < n and words[j] in _SCALES:
                value *= _SCALES[words[j]]
                j += 1
            elif j < n and words[j] == "k":
                value *= 1000
                j += 1
            elif j < n and words[j] == "hundred":
                value *= 100
                j += 1
            if sign == "-" or (items and items[-1].kind == "WORD" and items[-1].text in (
                    "minus", "negative")):
                raise Ask("Amounts must be positive: how much should it be?")
            if pct or (j < n and words[j] in ("percent", "pct")) or words[j:j + 2] == ["per",
                                                                                     "cent"]:
                if not pct:
                    j += 2 if words[j] == "per" else 1
                if value <= 0 or value > 100:
                    raise Ask(f"{dec_text(value)}% is not a share of a balance: give a "
                               "percentage above 0 and at most 100.")
                amt = Amt("fraction", value / 100, w)
                j = after_fraction(amt, j)
                items.append(Item("AMT", amt, w))
                i = j
                continue
            kind = "usd" if (dollar or dollar2) else "exact"
            if j < n and words[j] in _USD_UNITS and words[j:j + 2] != ["usd", "coin"]:
                kind = "usd"
                j += 1
            if value <= 0:
                raise Ask("The amount must be more than zero: how much should it be?")
            items.append(Item("AMT", Amt(kind, value, w), w))
            i = j
            continue
        m = re.fullmatch(r"(\d+)/(\d+)", w)
        if m:
            num, den = int(m.group(1)), int(m.group(2))
            frac = Decimal(num) / Decimal(den) if den else Decimal(0)
            if den == 0 or num == 0 or num > den or (Decimal(num) / den) * den != num or len(
                    dec_text(frac)) > 12:
                raise Ask(f"I can't use '{w}' as a share of a balance: say half, a quarter, or a "
                           "percentage.")
            amt = Amt("fraction", frac, w)
            i = after_fraction(amt, i + 1)
            items.append(Item("AMT", amt, w))
            continue
        # fractions in words
        if w == "half" and words[i + 1:i + 2] in (["a"], ["an"]) and i + 2 < n and (
                words[i + 2] in tb.token_words):
            items.append(Item("AMT", Amt("exact", Decimal("0.5"), "half a"), "half a"))
            i += 2  # "half an eth" is 0.5 ETH, not half of the balance
            continue
        if w in ("half",) or (w in ("a", "one") and i + 1 < n and words[i + 1] == "half"):
            j = i + 1 if w == "half" else i + 2
            amt = Amt("fraction", Decimal("0.5"), "half")
            i = after_fraction(amt, j)
            items.append(Item("AMT", amt, "half"))
            continue
        if (w in ("a", "one", "three", "quarter", "quarters") and
                (w in ("quarter",) or (i + 1 < n and words[i + 1] in ("quarter", "quarters",
                                                                       "fourth", "third",
                                                                       "tenth", "fifth")))):
            word = words[i + 1] if w != "quarter" else w
            base = _FRACTION_WORDS.get(word.rstrip("s"))
            if base is None:
                raise Ask("I can only use exact shares of a balance (half, a quarter, 10%): "
                           "how much should it be?")
            value = base * (3 if w == "three" else 1)
            amt = Amt("fraction", value, word)
            i = after_fraction(amt, i + 1 if w == "quarter" else i + 2)
            items.append(Item("AMT", amt, word))
            continue
        if w in _SCOPE_WORDS and words[i + 1:i + 2] == ["on"] and i + 2 < n and any(
                key[0] == words[i + 2] and item.kind == "CHAIN" for key, item in
                tb.first.get(words[i + 2], ())):
            i += 1  # "all on layer 2": where, not how much
            continue
        if w in _ALL_WORDS or (w == "rest" or (w == "remaining" and i + 1 < n
                                               and words[i + 1] in ("balance", "funds"))):
            amt = Amt("fraction", Decimal(1), w)
            if w == "rest":
                amt.ref = True
            j = i + 1
            if w in ("entire", "whole", "full") and j < n and words[j] in ("balance", "amount",
                                                                           "stack", "bag", "lot"):
                j += 1
            if w == "max" and j < n and words[j] in ("amount",):
                j += 1
            j = after_fraction(amt, j)
            if w == "everything" and words[j:j + 2] == ["i", "have"]:
                j += 2
            items.append(Item("AMT", amt, w))
            i = j
            continue
        # numbers in words
        if w == "one" and i > 0 and words[i - 1] in ("each", "every", "any", "this", "that",
                                                     "which", "no"):
            i += 1  # "to each one of bob and alice": not an amount
            continue
        if w in _UNITS or w in _TENS or w in ("a", "an"):
            got = _word_number(words, i)
            if got is not None and words[got[1]:got[1] + 1] in (["ways"], ["way"], ["people"],
                                                                 ["persons"], ["friends"],
                                                                 ["recipients"], ["payments"],
                                                                 ["transfers"], ["sends"]):
                i = got[1] + 1  # "split it three ways": how, not how much
                continue
            if got is not None:
                value, j = got
                kind = "exact"
                if j < n and words[j] in ("percent", "pct") or words[j:j + 2] == ["per", "cent"]:
                    j += 2 if words[j] == "per" else 1
                    if value <= 0 or value > 100:
                        raise Ask(f"{dec_text(value)}% is not a share of a balance: give a "
                                   "percentage above 0 and at most 100.")
                    amt = Amt("fraction", value / 100, " ".join(words[i:j]))
                    items.append(Item("AMT", amt, amt.raw))
                    i = after_fraction(amt, j)
                    continue
                if j < n and words[j] in _USD_UNITS and words[j:j + 2] != ["usd", "coin"]:
                    kind = "usd"
                    j += 1
                if value <= 0:
                    raise Ask("The amount must be more than zero: how much should it be?")
                items.append(Item("AMT", Amt(kind, value, " ".join(words[i:j])),
                                   " ".join(words[i:j])))
                i = j
                continue
        if w == "it" and i > 0 and words[i - 1] in _NOT_REF_BEFORE:
            items.append(Item("WORD", w, w))  # "would it cost", "route it through": no step
            i += 1
            continue
        if w in ("it", "them") or (w in ("that", "this", "those") and items and items[-1].kind
                                   in ("VERB", "PREP") and items[-1].value != "for"):
            items.append(Item("AMT", Amt("fraction", Decimal(1), w, ref=True), w))
            i += 1
            continue
        if w in ("proceeds", "output", "result"):
            items.append(Item("AMT", Amt("fraction", Decimal(1), w, ref=True), w))
            i += 1
            continue
        if w in ("unlimited", "infinite", "infinity", "unlimted", "limitless"):
            items.append(Item("UNLIMITED", w, w))
            i += 1
            continue
        if w in ("router", "dex"):
            items.append(Item("SPENDER", "router", w))
            i += 1
            continue
        if w in ("me", "myself", "us", "ourselves"):
            items.append(Item("ME", w, w))
            i += 1
            continue
        if w in ("him", "her", "them") and items and (
                items[-1].kind in ("VERB", "PREP") or (w == "them" and items[-1].kind == "AMT")):
            if w != "them" or items[-1].kind != "AMT":  # "send them 5": a person; "send them": it
                items.append(Item("PRON", w, w))
                i += 1
                continue
        if w == "'s":
            items.append(Item("POSS", w, w))
            i += 1
            continue
        if w in _PREP_VENUES and items and items[-1].kind == "PREP" and items[-1].text in (
                "via", "through", "using", "with", "on"):
            items.append(Item("XVENUE", _PREP_VENUES[w], w))  # "through across": the brand
            i += 1
            continue
        if w in _PREPS and not (w == "out" and words[i + 1:i + 2] != ["of"]):
            if w == "out":
                i += 2
                items.append(Item("PREP", "from", "out of"))
                continue
            items.append(Item("PREP", _PREPS[w], w))
            i += 1
            continue
        if w in _VERBS and not (w in _NOUN_VERBS and i > 0 and words[i - 1] in _DETERMINERS):
            items.append(Item("VERB", _VERBS[w], w))
            i += 1
            continue
        if w in _USD_UNITS:
            items.append(Item("USDWORD", w, w))
            i += 1
            continue
        if w == "ethereum" and items and (items[-1].kind == "AMT" or words[i - 1] in (
                "buy", "sell", "much", "many", "my", "some", "of", "more") or (
                items[-1].kind == "PREP" and items[-1].value in ("to", "into", "for")
                and any(it.kind == "VERB" and it.value in _COIN_VERBS for it in items))):
            # "unwrap WETH back into Ethereum", "swap usdc to ethereum": the coin, not the chain
            items.append(Item("TOK", "ETH", w))
            i += 1
            continue
        if w in _WORLD_CHAINS and (w not in _WORLD_TOKENS or (items and items[-1].kind == "PREP"
                                                               and items[-1].value in (
                                                                   "on", "to", "from", "over"))
                                   or words[i + 1:i + 2] in (["chain"], ["network"],
                                                              ["mainnet"])):
            if not (w == "base" and not (items and items[-1].kind == "PREP")
                    and words[i + 1:i + 2] not in (["chain"], ["network"], ["mainnet"])):
                items.append(Item("XCHAIN", w, w))
                i += 1
                continue
        if w == "bal" and not (items and items[-1].kind in ("AMT", "PREP")):
            items.append(Item("WORD", w, w))  # "bal usdc l2": a balance; "10 bal": the token
            i += 1
            continue
        if w in _WORLD_TOKENS or (w in caps and w not in SOFT and len(w) <= 8
                                  and w not in ("ok", "hey", "hi", "pls", "asap", "ens")):
            items.append(Item("XTOK", w.upper(), w))
            i += 1
            continue
        near = _near_token(w, tb) if w not in SOFT and len(w) >= 3 else None
        if near is not None:  # "eht", "ussdc": asked about with the likely token, never guessed
            items.append(Item("XTOK", w.upper(), w, near=near))
            i += 1
            continue
        items.append(Item("WORD", w, w))
        i += 1
    # prepositions and bindings
    prep = None
    for idx, item in enumerate(items):
        if item.kind == "PREP":
            prep = item.value
            continue
        item.prep = prep
        if item.kind not in ("WORD",) or item.text not in ("my", "our", "wallet", "a", "an"):
            prep = None if item.kind != "WORD" or item.text not in SOFT else prep
    for idx, item in enumerate(items):
        if item.kind == "AMT":
            j = idx + 1
            while j < len(items) and ((items[j].kind == "PREP" and items[j].value == "of")
                                      or (items[j].kind == "WORD" and items[j].text in (
                                          "my", "our", "worth", "of", "your"))):
                j += 1
            if j < len(items) and items[j].kind in ("TOK", "XTOK", "USDWORD"):
                item.value.token = items[j].value if items[j].kind == "TOK" else "?"
                items[j].bound = True  # type: ignore[attr-defined]
    return items
