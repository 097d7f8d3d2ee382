"""The parser's lexicon and lexer: words → typed items, with no grammar yet.

The vocabulary (verbs, prepositions, number words, names of chains, tokens and venues that exist
elsewhere) lives in `steward.intents.vocabulary`. Here: the tables a context lets the lexer
recognise, the normalising of raw text (addresses cut out before lower-casing, punctuation
unified, grammar words respelt through one slip, steps split) and `lex`, which turns one step's
words into items (amounts, tokens, chains, recipients, wallets, venues, prepositions, verbs) for
the grammar in `steward.intents.parser`. Pure and offline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from steward.contacts import checked_address, checked_solana_address
from steward.errors import StewardError
from steward.intents import Clarification, ParseContext
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


# --------------------------------------------------------------------------- helpers

def dec_text(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def clarify(question: str, options: list[str] | None = None) -> Clarification:
    return Clarification(question=question, options=list(options or []))


class Ask(Exception):
    """Raised inside the handlers to answer with a clarification."""

    def __init__(self, question: str, options: list[str] | None = None):
        super().__init__(question)
        self.clarification = clarify(question, options)


def edit1(a: str, b: str) -> bool:
    """True when a and b differ by exactly one insertion, deletion, substitution or swap."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
                and a[diff[1]] == b[diff[0]])
    if len(a) > len(b):
        a, b = b, a
    for i in range(len(b)):
        if b[:i] + b[i + 1:] == a:
            return True
    return False


@dataclass
class Amt:
    kind: str  # exact | usd | fraction
    value: Decimal
    raw: str
    ref: bool = False  # "of it", "it", "the rest": the previous step's output
    mine: bool = False  # "half my", "all of my"
    token: str | None = None  # the token written right after the amount


@dataclass
class Item:
    kind: str
    value: object = None
    text: str = ""
    prep: str | None = None  # the preposition right before it
    near: str | None = None  # an unknown word one edit from a known token: its symbol



class Tables:
    """What a context lets the lexer recognise, built once per context."""

    def __init__(self, ctx: ParseContext):
        self.ctx = ctx
        self.tokens = [t.upper() for t in ctx.tokens]
        self.chain_names = list(ctx.chains)
        self.contacts = [c.lower() for c in ctx.contacts]
        self.wallets = [w.lower() for w in ctx.wallets]
        phrases: dict[tuple[str, ...], Item] = {}

        def add(words: str, item: Item) -> None:
            key = tuple(re.sub(r"(?<=[a-z])-(?=[a-z0-9])", " ", words.lower()).split())
            if key and key not in phrases:
                phrases[key] = item

        for canon, aliases in ctx.chains.items():
            item = Item("CHAIN", canon, canon)
            add(canon, item)
            for alias in aliases:
                add(alias, item)
        known = set(self.tokens)
        for sym in self.tokens:
            add(sym.lower(), Item("TOK", sym, sym.lower()))
        for word, sym in TOKEN_NAMES.items():
            if sym in known:
                add(word, Item("TOK", sym, word))
        for name in self.contacts:
            add(name, Item("CONTACT", name, name))
        for name in self.wallets:
            item = Item("WALLET", name, name)
            for form in (f"my {name} wallet", f"my {name} account", f"{name} wallet",
                         f"{name} account", f"wallet {name}", f"my wallet {name}",
                         f"my {name}", f"the {name} wallet", name):
                add(form, item)
        # Venues: the context's adapters are VENUE items ("uniswap" alone: any of its versions);
        # venues Steward knows of but has no adapter for here are XVENUE (asked about, never
        # silently replaced by another venue).
        venues = {name: list(words) for name, words in (ctx.venues or {}).items()}
        for name, words in venues.items():
            for phrase in words + [name]:
                add(phrase, Item("VENUE", name, phrase))
        families = {name.split("-")[0] for name in venues}
        for family in families:
            members = [n for n in venues if n.split("-")[0] == family]
            add(family, Item("VENUE", members[0] if len(members) == 1 else family, family))
        for name, words in VENUE_WORDS.items():
            for phrase in words + [name]:
                add(phrase, Item("XVENUE", "dex", phrase))
        for phrase, kind in WORLD_VENUES.items():
            add(phrase, Item("XVENUE", kind, phrase))
        self.venues = list(venues)
        self.token_addresses: dict[str, list[tuple[str, str]]] = {}
        for chain, by_address in (ctx.token_addresses or {}).items():
            for address, symbol in by_address.items():
                if symbol.upper() in known:
                    self.token_addresses.setdefault(address_key(address), []).append(
                        (chain, symbol.upper()))
        self.token_words = {key[0] for key, item in phrases.items() if item.kind == "TOK"}
        self.phrases = phrases
        self.first: dict[str, list[tuple[tuple[str, ...], Item]]] = {}
        for key, item in sorted(phrases.items(), key=lambda kv: -len(kv[0])):
            self.first.setdefault(key[0], []).append((key, item))
        self.recipients = self.contacts + [f"wallet {w}" for w in self.wallets]
        self.native = dict(ctx.native)
        self.families = chain_families(ctx)
        # Wrapping pairs an EVM chain's native coin with WETH; SOL is never wrapped into WETH.
        self.native_symbols = {sym for chain, sym in ctx.native.items()
                               if self.families.get(chain) != "solana"} or {"ETH"}
        self.wrapped = "WETH" if "WETH" in known else None

    def family(self, chain: str | None) -> str:
        return self.families.get(chain or "", "evm")

    def chains_of(self, family: str) -> list[str]:
        return [name for name in self.chain_names if self.family(name) == family]

    def token_list(self) -> str:
        return ", ".join(self.tokens)

    def chain_list(self) -> str:
        return ", ".join(self.chain_names)

    def recipient_list(self) -> str:
        if self.chains_of("solana"):
            return ", ".join(self.recipients) + ", or an address (0x on EVM chains, base58 on " \
                "Solana chains)"
        return ", ".join(self.recipients) + ", or a 0x address"


def chain_families(ctx: ParseContext) -> dict[str, str]:
    """Chain → "evm" or "solana". From the context's `families` where it carries them; a
    context without them (built before Solana) knows a Solana chain by its native coin, SOL."""
    given = dict(getattr(ctx, "families", None) or {})
    return {chain: given.get(chain) or ("solana" if ctx.native.get(chain) == "SOL" else "evm")
            for chain in ctx.chains}


def _near_token(word: str, tb: "Tables") -> str | None:
    """The one known token a word is a single typo away from ("eht" → ETH), or None."""
    found = {item.value for key, item in tb.phrases.items()
             if item.kind == "TOK" and len(key) == 1 and edit1(word, key[0])}
    return found.pop() if len(found) == 1 else None


def address_key(address: str) -> str:
    """How an address is looked up: 0x hex in any case is one address; base58 is case-exact."""
    return address.lower() if address[:2].lower() == "0x" else address


_TABLE_CACHE: dict[tuple, Tables] = {}


def tables_for(ctx: ParseContext) -> Tables:
    key = (tuple((k, tuple(v)) for k, v in ctx.chains.items()), tuple(ctx.tokens),
           tuple(ctx.native.items()), tuple(ctx.contacts), tuple(ctx.wallets),
           tuple(chain_families(ctx).items()),
           tuple((c, tuple(sorted(m.items()))) for c, m in (ctx.token_addresses or {}).items()),
           tuple((v, tuple(w)) for v, w in (ctx.venues or {}).items()))
    tables = _TABLE_CACHE.get(key)
    if tables is None:
        if len(_TABLE_CACHE) > 64:
            _TABLE_CACHE.clear()
        tables = Tables(ctx)
        _TABLE_CACHE[key] = tables
    return tables


# --------------------------------------------------------------------------- normalising

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
_ENS_RE = re.compile(r"[a-z0-9][a-z0-9_-]*(?:\.[a-z0-9_-]+)*\.(?:eth|xyz|crypto|nft|wallet|lens)")
_NUM_RE = re.compile(r"^([-+])?(\$)?(\d+(?:,\d+)*(?:\.\d+)?|\.\d+)([a-z]*)(%)?(\$)?$")
_GROUPED_RE = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
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
_ORDINAL_RE = re.compile(r"^\d+(?:st|nd|rd|th)$")


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
        m = _NUM_RE.match(w)
        if _ORDINAL_RE.match(w):
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
        m = None if _ORDINAL_RE.match(w) else _NUM_RE.match(w)
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
