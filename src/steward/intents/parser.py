"""The deterministic plain-language parser: one request in, a typed intent or a question out.

A hand-written lexer and a small pattern grammar, no model: the text is normalised (politeness
and filler dropped, punctuation unified), split into the steps of a sequence, each step is cut
into words and lexed into items (amounts, tokens, chains, recipients, wallets, spenders,
prepositions, verbs), and a handler per action fills the intent's slots from those items.
Anything unknown or ambiguous becomes a `Clarification` whose question names what was not
understood and the valid options (docs/intents.md). Pure, offline and deterministic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from steward.contacts import checked_address, checked_solana_address
from steward.errors import StewardError
from steward.intents import (
    Amount,
    Approve,
    Balance,
    Bridge,
    Clarification,
    ParseContext,
    ParseResult,
    Quote,
    Revoke,
    Sequence,
    Swap,
    Transfer,
    Unwrap,
    Wrap,
)

__all__ = ["parse", "sandbox_context"]


def sandbox_context() -> ParseContext:
    """The fixed context of the sandbox: two chains, four tokens, three contacts, two wallets."""
    return ParseContext(
        chains={"sandbox-l1": ["l1", "sandbox l1", "layer 1", "layer one"],
                "sandbox-l2": ["l2", "sandbox l2", "layer 2", "layer two"]},
        tokens=["ETH", "USDC", "USDT", "WETH"],
        native={"sandbox-l1": "ETH", "sandbox-l2": "ETH"},
        contacts=["alice", "bob", "carol"],
        wallets=["main", "savings"],
        default_chain=None,
    )


# --------------------------------------------------------------------------- vocabulary

CAPABILITIES = ["send", "swap", "bridge", "wrap", "unwrap", "approve", "revoke", "balance",
                "quote"]
_CAN_DO = ("Steward can: send tokens, swap, bridge between chains, wrap or unwrap ETH, approve "
           "or revoke a spender, show balances, and quote prices.")

_VERBS: dict[str, str] = {}
for _action, _words in {
    "transfer": "send sends sending snd sned semd pay pays paying transfer transfers transferring "
                "transfering tranfer trasnfer transfr tansfer xfer give giving tip wire",
    "move": "move moving mv put take shift",
    "swap": "swap swaps swapping swaping swapp swop swp trade trading exchange exchanging sell "
            "selling flip",
    "convert": "convert converting turn change",
    "buy": "buy buying purchase acquire",
    "get": "get",
    "bridge": "bridge bridging brige bridg brdge",
    "wrap": "wrap wrapping wrapp",
    "unwrap": "unwrap unwrapping unwrapp unrwap",
    "approve": "approve approving aprove approv allow authorize authorise permit grant",
    "revoke": "revoke revoking revok unapprove disallow deauthorize deauthorise rescind",
    "remove": "remove cancel reset",
    "quote": "quote qoute quot",
    "show": "show check display list view",
}.items():
    for _w in _words.split():
        _VERBS[_w] = _action

# Names people use for tokens, besides their symbols (a name counts only for a token the
# context knows). Shared with steward.intents.grounding, which vets a model's answers.
TOKEN_NAMES = {"ether": "ETH", "eth": "ETH", "tether": "USDT", "usd coin": "USDC",
               "usdcoin": "USDC", "wrapped eth": "WETH", "wrapped ether": "WETH",
               "weth": "WETH", "usdt": "USDT", "usdc": "USDC"}

_FUZZY_VERBS = {"transfer": "transfer", "bridge": "bridge", "unwrap": "unwrap",
                "approve": "approve",
                "revoke": "revoke", "exchange": "swap", "convert": "convert", "purchase": "buy",
                "swap": "swap", "send": "transfer", "wrap": "wrap", "trade": "swap",
                "quote": "quote", "balance": "show"}

_PREPS = {"to": "to", "into": "into", "onto": "to", "in": "in", "on": "on", "for": "for",
          "with": "with", "using": "with", "from": "from", "of": "of", "via": "on", "at": "on",
          "over": "over", "across": "over", "through": "on", "by": "by", "off": "from",
          "towards": "to", "toward": "to", "->": "to", "=>": "to", "out": "out"}

_UNITS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
          "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
          "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
          "nineteen": 19}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}
_SCALES = {"thousand": 1000, "million": 1000000}
_USD_UNITS = {"dollars", "dollar", "usd", "bucks", "buck"}

# Names of chains and tokens that exist elsewhere, so that "on gnosis" or "DAI" is recognised as
# an unknown chain or token rather than ignored.
_WORLD_CHAINS = {"gnosis", "optimism", "arbitrum", "base", "polygon", "mainnet", "ethereum",
                 "avalanche", "bsc", "solana", "zksync", "linea", "scroll", "fantom", "celo",
                 "sepolia", "goerli", "holesky", "mantle", "blast", "zora", "l3", "moonbeam",
                 "aurora", "starknet", "tron", "xdai", "bnb", "cosmos", "mode", "taiko", "unichain",
                 "berachain", "sonic", "metis", "cronos", "kava", "harmony", "ronin", "abstract",
                 "l0", "l4", "sandbox-l3", "bitcoin", "near", "aptos", "sui", "hyperliquid",
                 "ink", "soneium", "katana", "chiado", "gnosis chain"}
_WORLD_TOKENS = {"dai", "wbtc", "btc", "uni", "link", "matic", "pol", "sol", "usde", "frax",
                 "lusd", "aave", "comp", "mkr", "arb", "op", "pepe", "shib", "doge", "steth",
                 "wsteth", "reth", "cbeth", "avax", "busd", "tusd", "gho", "crv", "ldo", "snx",
                 "sushi", "yfi", "bal", "ape", "gmx", "rpl", "ens", "grt", "eurc", "pyusd", "usds",
                 "wbnb", "wmatic", "weeth", "eeth", "tbtc", "cbbtc", "xrp", "ada", "dot", "trx",
                 "ton", "bnb", "usdcc", "usdd", "fdusd", "mana", "sand", "axs", "imx", "blur",
                 "wld", "pendle", "eigen", "ethfi", "ena", "cake", "usdc.e", "weth9", "beth",
                 "stETH".lower(), "eurs", "usdp", "gusd", "susd", "mim", "rai", "frxeth",
                 "sfrxeth", "oeth", "wusdm", "usdm", "usdb", "wif", "bonk", "floki", "bitcoin"}
_NOT_CHAIN = {"behalf", "top", "chain", "network", "mainnet", "testnet", "sandbox", "sure",
              "time", "whichever", "whatever", "hand", "hold", "average", "demand", "record",
              "one", "both", "either", "which"}
# Words that carry no slot of their own (they are skipped where a name could otherwise be read).
_SOFT = {"some", "few", "my", "our", "your", "all", "out", "over", "across", "back", "up", "off",
         "funds", "money", "tokens", "token", "coins", "coin", "crypto", "amount", "ahead", "go",
         "also", "then", "first", "account", "address", "exactly", "about", "around", "just",
         "only", "really", "quickly", "immediately", "right", "now", "again", "more", "please",
         "over", "and", "a", "an", "i", "we", "you", "want", "would", "like", "need", "to",
         "is", "are", "do", "does", "did", "have", "has", "had", "be", "will", "can", "could",
         "should", "worth", "value", "balance", "balances", "what", "what's", "whats", "how",
         "much", "many", "get", "me", "it", "them", "that", "this", "those", "these", "on",
         "in", "of", "for", "with", "from", "at", "by", "currently", "available", "total",
         "held", "holding", "holdings", "own", "there", "chain", "network", "wallet", "side",
         "network's", "i'd", "i'm", "let's", "lets", "ok", "okay", "tell", "give", "see",
         "show", "check", "portfolio", "sure", "yes", "hey", "so", "well", "thanks", "stuff",
         "price", "prices", "quote", "rate", "approval", "allowance", "approvals", "allowances",
         "spend", "spending", "use", "the", "whole", "entire", "left", "remaining", "currently",
         "receive", "end", "up", "with", "if", "swapped", "sold", "bought", "traded", "am",
         "go", "gonna", "going", "spent", "wanna", "know", "let", "permission", "access",
         "router's", "bridge's", "contract", "its", "their", "his", "her", "back", "same",
         "as", "than", "any", "every", "each", "per", "unit", "units", "market", "current",
         "now", "today", "currently", "pls", "plz", "kindly", "just", "instantly", "asap",
         "right", "away", "immediately", "amount", "approved", "approvals", "revoked", "via",
         "onto", "into", "toward", "towards", "using", "through"}


# --------------------------------------------------------------------------- helpers

def _dec_text(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _clarify(question: str, options: list[str] | None = None) -> Clarification:
    return Clarification(question=question, options=list(options or []))


class _Ask(Exception):
    """Raised inside the handlers to answer with a clarification."""

    def __init__(self, question: str, options: list[str] | None = None):
        super().__init__(question)
        self.clarification = _clarify(question, options)


def _edit1(a: str, b: str) -> bool:
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
class _Amt:
    kind: str  # exact | usd | fraction
    value: Decimal
    raw: str
    ref: bool = False  # "of it", "it", "the rest": the previous step's output
    mine: bool = False  # "half my", "all of my"
    token: str | None = None  # the token written right after the amount


@dataclass
class _Item:
    kind: str
    value: object = None
    text: str = ""
    prep: str | None = None  # the preposition right before it


class _Tables:
    """What a context lets the lexer recognise, built once per context."""

    def __init__(self, ctx: ParseContext):
        self.ctx = ctx
        self.tokens = [t.upper() for t in ctx.tokens]
        self.chain_names = list(ctx.chains)
        self.contacts = [c.lower() for c in ctx.contacts]
        self.wallets = [w.lower() for w in ctx.wallets]
        phrases: dict[tuple[str, ...], _Item] = {}

        def add(words: str, item: _Item) -> None:
            key = tuple(re.sub(r"(?<=[a-z])-(?=[a-z0-9])", " ", words.lower()).split())
            if key and key not in phrases:
                phrases[key] = item

        for canon, aliases in ctx.chains.items():
            item = _Item("CHAIN", canon, canon)
            add(canon, item)
            for alias in aliases:
                add(alias, item)
        known = set(self.tokens)
        for sym in self.tokens:
            add(sym.lower(), _Item("TOK", sym, sym.lower()))
        for word, sym in TOKEN_NAMES.items():
            if sym in known:
                add(word, _Item("TOK", sym, word))
        for name in self.contacts:
            add(name, _Item("CONTACT", name, name))
        for name in self.wallets:
            item = _Item("WALLET", name, name)
            for form in (f"my {name} wallet", f"my {name} account", f"{name} wallet",
                         f"{name} account", f"wallet {name}", f"my wallet {name}",
                         f"my {name}", f"the {name} wallet", name):
                add(form, item)
        self.phrases = phrases
        self.first: dict[str, list[tuple[tuple[str, ...], _Item]]] = {}
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


_TABLE_CACHE: dict[tuple, _Tables] = {}


def _tables(ctx: ParseContext) -> _Tables:
    key = (tuple((k, tuple(v)) for k, v in ctx.chains.items()), tuple(ctx.tokens),
           tuple(ctx.native.items()), tuple(ctx.contacts), tuple(ctx.wallets),
           tuple(chain_families(ctx).items()))
    tables = _TABLE_CACHE.get(key)
    if tables is None:
        if len(_TABLE_CACHE) > 64:
            _TABLE_CACHE.clear()
        tables = _Tables(ctx)
        _TABLE_CACHE[key] = tables
    return tables


# --------------------------------------------------------------------------- normalising

_ADDR_RE = re.compile(r"(?<![0-9A-Za-z])0[xX][0-9A-Za-z]*")
# A run of 32-44 base58 characters: a Solana public key when it decodes to 32 bytes. Cut out
# before lower-casing, since base58 is case-sensitive (another case is another key).
_BASE58_RE = re.compile(r"(?<![0-9A-Za-z])[1-9A-HJ-NP-Za-km-z]{32,44}(?![0-9A-Za-z])")
_UNSPACED_ADDR_RE = re.compile(r"zzaddr(\d+)zz")
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
    r"right away|immediately|if you can|if possible|if you could|when you can|for me please)\b")
_SPLIT_RE = re.compile(
    r"\s*(?:,\s*and then\b|,\s*then\b|\band then\b|;|\bthen\b|,\s*after that\b|\bafter that\b|"
    r"\band afterwards\b|\bafterwards\b|\bfollowed by\b|&\s*then\b|\band finally\b|"
    r",\s*finally\b|\.\s+(?=[a-z])|\band next\b|,\s*next\b)[\s,]*")
_VERB_ALT = "|".join(sorted((re.escape(v) for v in _VERBS if v not in {"change", "list", "turn",
                                                                         "view", "tip", "wire",
                                                                         "get", "reset", "flip",
                                                                         "check", "show",
                                                                         "display"}),
                            key=len, reverse=True))
_AND_VERB_RE = re.compile(rf"(?:\s*,\s*(?:and\s+)?|\s+and\s+)(?=(?:please\s+)?(?:{_VERB_ALT})\b)")
_ANY_VERB_RE = re.compile(rf"\b(?:{_VERB_ALT}|show|check|list|how|what|what's|balance|"
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


def _prepare(text: str) -> tuple[str, list[str], set[str]]:
    addrs: list[str] = []

    def keep(match: re.Match) -> str:
        addrs.append(match.group(0))
        return f" zzaddr{len(addrs) - 1}zz "

    def keep_key(match: re.Match) -> str:
        try:
            checked_solana_address(match.group(0))
        except StewardError as exc:
            raise _Ask(f"{exc}. Which address did you mean?") from None
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
    s = re.sub(r"[\"()\[\]{}*]", " ", s)
    s = re.sub(r"[.!?:]+\s*$", "", s.strip())
    s = re.sub(r"\s+", " ", s).strip()
    return s, addrs, caps


def _split_steps(s: str) -> list[str]:
    parts = [p for p in _SPLIT_RE.split(s) if p and p.strip(" ,.")]
    out: list[str] = []
    for part in parts:
        part = _SELL_BUY_RE.sub(r"sell \1 for \2", part)
        pieces = [p for p in _AND_VERB_RE.split(part) if p.strip(" ,.")]
        merged: list[str] = []
        carry = ""
        for idx, piece in enumerate(pieces):
            if idx + 1 < len(pieces) and not _ANY_VERB_RE.search(piece):
                carry += piece + " "  # "on the l2, send carol 40 usdt": a lead-in, not a step
                continue
            merged.append(carry + piece)
            carry = ""
        out.extend(merged)
    return [p.strip(" ,.") for p in out]


def _clean_step(s: str) -> str:
    s = _ANY_FILLER.sub(" ", s)
    s = re.sub(r"\s+", " ", s).strip(" ,.")
    s = _LEAD_FILLER.sub("", s)
    return s.strip(" ,.")


def _words(s: str) -> list[str]:
    out: list[str] = []
    for w in _WORD_RE.findall(s):
        m = _NUM_RE.match(w)
        if m and m.group(4) and m.group(4) not in ("k", "m", "mm", "mil", "kk"):
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


def _lex(words: list[str], tb: _Tables, addrs: list[str], caps: set[str]) -> list[_Item]:
    items: list[_Item] = []
    n = len(words)
    i = 0

    def after_fraction(amt: _Amt, j: int) -> int:
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
        m = _UNSPACED_ADDR_RE.fullmatch(w)
        if m:
            items.append(_Item("ADDR", addrs[int(m.group(1))], addrs[int(m.group(1))]))
            i += 1
            continue
        if _ENS_RE.fullmatch(w):
            items.append(_Item("ENS", w, w))
            i += 1
            continue
        # phrases of the context: chains, tokens, contacts, wallets
        matched = False
        for key, item in tb.first.get(w, ()):
            if tuple(words[i:i + len(key)]) == key:
                if item.kind == "WALLET" and len(key) == 1 and i + 1 < n and words[i + 1] in (
                        "chain", "network"):
                    continue
                items.append(_Item(item.kind, item.value, " ".join(key)))
                i += len(key)
                matched = True
                break
        if matched:
            continue
        # numbers written with digits
        m = _NUM_RE.match(w)
        if m:
            sign, dollar, digits, suffix, pct, dollar2 = m.groups()
            if "," in digits and not _GROUPED_RE.match(digits):
                raise _Ask(f"I can't read the amount '{w.lstrip('$')}': use a dot for decimals "
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
                raise _Ask("Amounts must be positive: how much should it be?")
            if pct or (j < n and words[j] in ("percent", "pct")) or words[j:j + 2] == ["per",
                                                                                     "cent"]:
                if not pct:
                    j += 2 if words[j] == "per" else 1
                if value <= 0 or value > 100:
                    raise _Ask(f"{_dec_text(value)}% is not a share of a balance: give a "
                               "percentage above 0 and at most 100.")
                amt = _Amt("fraction", value / 100, w)
                j = after_fraction(amt, j)
                items.append(_Item("AMT", amt, w))
                i = j
                continue
            kind = "usd" if (dollar or dollar2) else "exact"
            if j < n and words[j] in _USD_UNITS and words[j:j + 2] != ["usd", "coin"]:
                kind = "usd"
                j += 1
            if value <= 0:
                raise _Ask("The amount must be more than zero: how much should it be?")
            items.append(_Item("AMT", _Amt(kind, value, w), w))
            i = j
            continue
        m = re.fullmatch(r"(\d+)/(\d+)", w)
        if m:
            num, den = int(m.group(1)), int(m.group(2))
            frac = Decimal(num) / Decimal(den) if den else Decimal(0)
            if den == 0 or num == 0 or num > den or (Decimal(num) / den) * den != num or len(
                    _dec_text(frac)) > 12:
                raise _Ask(f"I can't use '{w}' as a share of a balance: say half, a quarter, or a "
                           "percentage.")
            amt = _Amt("fraction", frac, w)
            i = after_fraction(amt, i + 1)
            items.append(_Item("AMT", amt, w))
            continue
        # fractions in words
        if w in ("half",) or (w in ("a", "one") and i + 1 < n and words[i + 1] == "half"):
            j = i + 1 if w == "half" else i + 2
            amt = _Amt("fraction", Decimal("0.5"), "half")
            i = after_fraction(amt, j)
            items.append(_Item("AMT", amt, "half"))
            continue
        if (w in ("a", "one", "three", "quarter", "quarters") and
                (w in ("quarter",) or (i + 1 < n and words[i + 1] in ("quarter", "quarters",
                                                                       "fourth", "third",
                                                                       "tenth", "fifth")))):
            word = words[i + 1] if w != "quarter" else w
            base = _FRACTION_WORDS.get(word.rstrip("s"))
            if base is None:
                raise _Ask("I can only use exact shares of a balance (half, a quarter, 10%): "
                           "how much should it be?")
            value = base * (3 if w == "three" else 1)
            amt = _Amt("fraction", value, word)
            i = after_fraction(amt, i + 1 if w == "quarter" else i + 2)
            items.append(_Item("AMT", amt, word))
            continue
        if w in _ALL_WORDS or (w == "rest" or (w == "remaining" and i + 1 < n
                                               and words[i + 1] in ("balance", "funds"))):
            amt = _Amt("fraction", Decimal(1), w)
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
            items.append(_Item("AMT", amt, w))
            i = j
            continue
        # numbers in words
        if w in _UNITS or w in _TENS or w in ("a", "an"):
            got = _word_number(words, i)
            if got is not None:
                value, j = got
                kind = "exact"
                if j < n and words[j] in ("percent", "pct") or words[j:j + 2] == ["per", "cent"]:
                    j += 2 if words[j] == "per" else 1
                    if value <= 0 or value > 100:
                        raise _Ask(f"{_dec_text(value)}% is not a share of a balance: give a "
                                   "percentage above 0 and at most 100.")
                    amt = _Amt("fraction", value / 100, " ".join(words[i:j]))
                    items.append(_Item("AMT", amt, amt.raw))
                    i = after_fraction(amt, j)
                    continue
                if j < n and words[j] in _USD_UNITS and words[j:j + 2] != ["usd", "coin"]:
                    kind = "usd"
                    j += 1
                if value <= 0:
                    raise _Ask("The amount must be more than zero: how much should it be?")
                items.append(_Item("AMT", _Amt(kind, value, " ".join(words[i:j])),
                                   " ".join(words[i:j])))
                i = j
                continue
        if w in ("it", "them") or (w in ("that", "this", "those") and items and items[-1].kind
                                   in ("VERB", "PREP") and items[-1].value != "for"):
            items.append(_Item("AMT", _Amt("fraction", Decimal(1), w, ref=True), w))
            i += 1
            continue
        if w in ("proceeds", "output", "result"):
            items.append(_Item("AMT", _Amt("fraction", Decimal(1), w, ref=True), w))
            i += 1
            continue
        if w in ("unlimited", "infinite", "infinity", "unlimted", "limitless"):
            items.append(_Item("UNLIMITED", w, w))
            i += 1
            continue
        if w in ("router", "dex"):
            items.append(_Item("SPENDER", "router", w))
            i += 1
            continue
        if w in ("me", "myself", "us", "ourselves"):
            items.append(_Item("ME", w, w))
            i += 1
            continue
        if w == "'s":
            items.append(_Item("POSS", w, w))
            i += 1
            continue
        if w in _PREPS and not (w == "out" and words[i + 1:i + 2] != ["of"]):
            if w == "out":
                i += 2
                items.append(_Item("PREP", "from", "out of"))
                continue
            items.append(_Item("PREP", _PREPS[w], w))
            i += 1
            continue
        if w in _VERBS:
            items.append(_Item("VERB", _VERBS[w], w))
            i += 1
            continue
        if w in _USD_UNITS:
            items.append(_Item("USDWORD", w, w))
            i += 1
            continue
        if w == "ethereum" and items and items[-1].kind == "AMT":
            items.append(_Item("TOK", "ETH", w))
            i += 1
            continue
        if w in _WORLD_CHAINS and (w not in _WORLD_TOKENS or (items and items[-1].kind == "PREP"
                                                               and items[-1].value in (
                                                                   "on", "to", "from", "over"))
                                   or words[i + 1:i + 2] in (["chain"], ["network"],
                                                              ["mainnet"])):
            if not (w == "base" and not (items and items[-1].kind == "PREP")
                    and words[i + 1:i + 2] not in (["chain"], ["network"], ["mainnet"])):
                items.append(_Item("XCHAIN", w, w))
                i += 1
                continue
        if w in _WORLD_TOKENS or (w in caps and w not in _SOFT and len(w) <= 8
                                  and w not in ("ok", "hey", "hi", "pls", "asap", "ens")):
            items.append(_Item("XTOK", w.upper(), w))
            i += 1
            continue
        items.append(_Item("WORD", w, w))
        i += 1
    # prepositions and bindings
    prep = None
    for idx, item in enumerate(items):
        if item.kind == "PREP":
            prep = item.value
            continue
        item.prep = prep
        if item.kind not in ("WORD",) or item.text not in ("my", "our", "wallet", "a", "an"):
            prep = None if item.kind != "WORD" or item.text not in _SOFT else prep
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


# --------------------------------------------------------------------------- step parsing

@dataclass
class _Prev:
    token: str | None
    chain: str | None


_PAST = {"transfer": "sent", "swap": "swapped", "bridge": "bridged", "wrap": "wrapped",
         "unwrap": "unwrapped", "approve": "approved", "quote": "quoted"}


class _Step:
    def __init__(self, items: list[_Item], tb: _Tables, prev: _Prev | None, text: str):
        self.items = items
        self.tb = tb
        self.prev = prev
        self.text = text
        for item in items:
            if item.kind == "XCHAIN":
                raise _Ask(f"Which chain is '{item.text}'? Known chains: {tb.chain_list()}.",
                           tb.chain_names)
        for item in items:
            if item.kind == "WORD" and item.prep == "on" and item.text not in _SOFT and \
                    item.text not in _NOT_CHAIN:
                raise _Ask(f"Which chain is '{item.text}'? Known chains: {tb.chain_list()}.",
                           tb.chain_names)
        if prev is None:
            for item in items:
                if item.kind == "AMT" and item.value.ref:
                    raise _Ask(f"What does '{item.value.raw}' refer to? This is the first step: "
                               "name the amount and the token.")
        for item in items:
            if item.kind == "XTOK":
                raise _Ask(f"I don't know the token {item.value}. Known tokens: "
                           f"{tb.token_list()}.", tb.tokens)

    # slots --------------------------------------------------------------
    def kinds(self, *kinds: str) -> list[_Item]:
        return [it for it in self.items if it.kind in kinds]

    def has_word(self, *words: str) -> bool:
        return any(it.text in words for it in self.items)

    def the_amount(self) -> _Amt | None:
        amts = [it.value for it in self.items if it.kind == "AMT"]
        if not amts:
            return None
        if len(amts) > 1:
            raise _Ask("I see more than one amount (" + ", ".join(a.raw for a in amts) +
                       "): how much should it be?")
        return amts[0]

    def amount_model(self, amt: _Amt, token: str | None) -> Amount:
        if self.prev is not None and amt.kind == "fraction" and not amt.mine and (
                amt.ref or token is None or token == self.prev.token):
            return Amount(kind="previous", value=_dec_text(amt.value))
        if amt.ref:
            raise _Ask(f"What does '{amt.raw}' refer to? Name the amount and the token.")
        return Amount(kind=amt.kind, value=_dec_text(amt.value))

    def check_usdword(self, action: str) -> None:
        for it in self.items:
            if it.kind == "USDWORD" or (it.kind == "AMT" and it.value.kind == "usd"
                                        and it.value.token is None and action == "transfer"
                                        and not self.kinds("TOK")):
                stables = [t for t in self.tb.tokens if t.startswith("USD")]
                raise _Ask("Which stablecoin: " + " or ".join(stables) + "? Dollars are not a "
                           "token.", stables)

    def chains(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {"to": [], "from": [], "on": []}
        for it in self.items:
            if it.kind != "CHAIN":
                continue
            p = it.prep
            if p in ("to", "into", "over"):
                out["to"].append(it.value)
            elif p == "from":
                out["from"].append(it.value)
            else:
                out["on"].append(it.value)
        return out

    def unknown_after(self, *preps: str) -> _Item | None:
        for it in self.items:
            if it.kind == "WORD" and it.prep in preps and it.text not in _SOFT:
                return it
        return None

    def tokens(self) -> list[str]:
        seen: list[str] = []
        for it in self.items:
            if it.kind == "TOK" and it.value not in seen:
                seen.append(it.value)
        return seen

    def inherit_chain(self, chain: str | None) -> str | None:
        if chain is None and self.prev is not None:
            return self.prev.chain
        return chain

    def single_chain(self, chains: list[str]) -> str | None:
        uniq = list(dict.fromkeys(chains))
        if len(uniq) > 1:
            raise _Ask("Which chain: " + " or ".join(uniq) + "?", uniq)
        return uniq[0] if uniq else None

    def source_wallet(self) -> str | None:
        wallets = [it for it in self.items if it.kind == "WALLET" and it.prep == "from"]
        if wallets:
            return wallets[0].value
        bad = self.unknown_after("from")
        if bad is None:
            bad = next((it for it in self.items[1:] if it.kind == "VERB" and it.prep == "from"),
                       None)
        if bad is not None:
            raise _Ask(f"I don't know a wallet named '{bad.text}'. Known wallets: "
                       f"{', '.join(self.tb.wallets)}.", self.tb.wallets)
        for it in self.items:
            if it.kind in ("CONTACT", "ADDR", "ENS") and it.prep == "from":
                raise _Ask(f"I can only send from your own wallets, not from '{it.text}'. Known "
                           f"wallets: {', '.join(self.tb.wallets)}.", self.tb.wallets)
        return None

    def address(self, it: _Item) -> str:
        if _address_family(it.value) == "solana":
            return it.value  # checked when cut out of the text; its case is part of the key
        try:
            return checked_address(it.value)
        except StewardError as exc:
            raise _Ask(f"{exc}. Which address did you mean?") from None

    def chain_for_address(self, chain: str | None, address: str) -> str | None:
        """The chain an address is used on: the named (or inherited) one when its family is the
        address's, else a question; none named, a Solana address can only mean the one Solana
        chain (an EVM address leaves the choice to the resolver, as before)."""
        family = _address_family(address)
        fitting = self.tb.chains_of(family)
        if chain is not None:
            if self.tb.family(chain) != family:
                raise _Ask(_family_mismatch(address, chain, self.tb), fitting)
            return chain
        if family == "evm":
            return None
        if len(fitting) == 1:
            return fitting[0]
        if not fitting:
            raise _Ask(f"'{address}' is a Solana address, but no Solana chain is configured; "
                       f"known chains: {self.tb.chain_list()}.", self.tb.chain_names)
        raise _Ask(f"'{address}' is a Solana address: on which Solana chain, "
                   f"{' or '.join(fitting)}?", fitting)

    def ens(self) -> None:
        for it in self.items:
            if it.kind == "ENS":
                raise _Ask(f"I can't look up names like '{it.text}' (ENS needs the network). "
                           f"Known recipients: {self.tb.recipient_list()}.", self.tb.recipients)


def _address_family(address: str) -> str:
    # Only two kinds of text become addresses: 0x… and base58 keys that decode to 32 bytes.
    return "evm" if address.lower().startswith("0x") else "solana"


_FAMILY_WORDS = {"evm": ("an EVM", "a 0x address"), "solana": ("a Solana", "a base58 address")}


def _family_mismatch(address: str, chain: str, tb: _Tables) -> str:
    family = _address_family(address)
    found, _ = _FAMILY_WORDS[family]
    kind, needed = _FAMILY_WORDS[tb.family(chain)]
    elsewhere = " or ".join(tb.chains_of(family)) or f"no chain you have ({found} chain)"
    return (f"'{address}' is {found} address, but {chain} is {kind} chain, which needs {needed}; "
            "addresses are never converted between the two. Send on "
            f"{elsewhere} instead, or give the recipient's address for {chain}?")


def _token_for(step: _Step, amt: _Amt | None, action: str) -> str:
    toks = step.tokens()
    token = amt.token if amt is not None and amt.token not in (None, "?") else None
    if len(toks) > 1:
        raise _Ask("Which token: " + " or ".join(toks) + "?", toks)
    if token is None:
        if len(toks) == 1:
            token = toks[0]
        elif len(toks) > 1:
            raise _Ask("Which token: " + " or ".join(toks) + "?", toks)
    if token is None and step.prev is not None and step.prev.token:
        token = step.prev.token
    if token is None:
        raise _Ask(f"Which token should be {_PAST[action]}? Known tokens: {step.tb.token_list()}.",
                   step.tb.tokens)
    return token


def _need_amount(step: _Step, token: str, action: str) -> _Amt:
    amt = step.the_amount()
    if amt is None:
        raise _Ask(f"How much {token} should be {_PAST[action]}?")
    return amt


def _transfer_or_bridge(step: _Step, verb: str) -> object:
    tb = step.tb
    step.check_usdword("transfer")
    step.ens()
    chains = step.chains()
    recipients: list[_Item] = []
    me = None
    for it in step.items:
        if it.kind in ("CONTACT", "ADDR") and it.prep != "from":
            recipients.append(it)
        elif it.kind == "WALLET" and it.prep not in ("from", "in", "on"):
            recipients.append(it)
        elif it.kind == "ME" and it.prep in ("to", None):
            me = it
    wallet = step.source_wallet()
    if verb == "bridge" or (not recipients and chains["to"] and verb in ("transfer", "move")):
        return _bridge(step, chains)
    if not recipients:
        bad = step.unknown_after("to", "for")
        if bad is None:
            # "pay dave 5 usdc": an unknown name right after the verb
            for idx, it in enumerate(step.items[:-1]):
                if it.kind == "VERB" and step.items[idx + 1].kind == "WORD" and \
                        step.items[idx + 1].text not in _SOFT and step.items[idx + 1].prep is None:
                    bad = step.items[idx + 1]
                    break
        if bad is not None:
            raise _Ask(f"Who is '{bad.text}'? Known recipients: {tb.recipient_list()}.",
                       tb.recipients)
        if me is not None:
            raise _Ask("Which of your wallets should receive it? Known wallets: " +
                       ", ".join(tb.wallets) + ".", [f"wallet {w}" for w in tb.wallets])
    recips = list(dict.fromkeys(
        (step.address(it) if it.kind == "ADDR" else
         (f"wallet {it.value}" if it.kind == "WALLET" else it.value)) for it in recipients))
    if len(recips) > 1:
        raise _Ask("Who should receive it: " + " or ".join(recips) + "? I send to one recipient "
                   "at a time.", recips)
    amt = step.the_amount()
    token = _token_for(step, amt, "transfer")
    if amt is None:
        raise _Ask(f"How much {token} should be sent?")
    if not recips:
        raise _Ask(f"Who should receive the {token}? Known recipients: {tb.recipient_list()}.",
                   tb.recipients)
    if chains["on"] or chains["from"]:
        chain = step.single_chain(chains["on"] + chains["from"])
    else:
        chain = step.single_chain(chains["to"])
    if step.unknown_after("on") is not None:
        bad = step.unknown_after("on")
        raise _Ask(f"Which chain is '{bad.text}'? Known chains: {tb.chain_list()}.",
                   tb.chain_names)
    chain = step.inherit_chain(chain)
    if recipients[0].kind == "ADDR":
        chain = step.chain_for_address(chain, recips[0])
    return Transfer(amount=step.amount_model(amt, token), token=token, recipient=recips[0],
                    chain=chain, wallet=wallet)


def _bridge(step: _Step, chains: dict[str, list[str]]) -> Bridge:
    tb = step.tb
    step.check_usdword("bridge")
    for it in step.items:
        if it.kind in ("CONTACT", "ADDR", "ENS") and it.prep != "from":
            family = _address_family(it.value) if it.kind == "ADDR" else "evm"
            example = (tb.chains_of(family) or tb.chain_names)[-1]
            raise _Ask(f"A bridge moves funds to your own wallet on another chain; to pay "
                       f"'{it.text}' say which chain: send … to {it.text} on {example}.")
    wallet = step.source_wallet()
    bad = step.unknown_after("to", "into", "over", "on")
    if bad is not None:
        raise _Ask(f"Which chain is '{bad.text}'? Known chains: {tb.chain_list()}.",
                   tb.chain_names)
    amt = step.the_amount()
    token = _token_for(step, amt, "bridge")
    if amt is None:
        raise _Ask(f"How much {token} should be bridged?")
    to_list = list(dict.fromkeys(chains["to"]))
    src = chains["from"] + chains["on"]
    if not to_list and len(src) == 2 and not chains["from"]:
        # "bridge 5 usdc l1 l2"
        src, to_list = [src[0]], [src[1]]
    if len(to_list) > 1:
        raise _Ask("Which chain should it go to: " + " or ".join(to_list) + "?", to_list)
    if not to_list:
        raise _Ask(f"Which chain should the {token} be bridged to? Known chains: "
                   f"{tb.chain_list()}.", tb.chain_names)
    chain = step.single_chain(src)
    chain = step.inherit_chain(chain)
    if chain == to_list[0]:
        raise _Ask(f"The {token} would stay on {chain}: which chain should it be bridged to?",
                   [c for c in tb.chain_names if c != chain])
    return Bridge(amount=step.amount_model(amt, token), token=token, to_chain=to_list[0],
                  chain=chain, wallet=wallet)


def _swap(step: _Step, verb: str) -> object:
    tb = step.tb
    step.check_usdword("swap")
    wallet = step.source_wallet()
    buy = verb in ("buy", "get")
    toks = [it for it in step.items if it.kind == "TOK"]
    amt = step.the_amount()
    tin: str | None = None
    tout: str | None = None
    for it in toks:
        bound = getattr(it, "bound", False)
        p = it.prep
        if buy:
            if p in ("with", "for", "from", "by", "of") and not (p == "of" and bound):
                tin = tin or it.value
            else:
                if tout is None:
                    tout = it.value
                elif tin is None:
                    tin = it.value
        else:
            if p in ("for", "to", "into", "in") and not (bound and p == "in"):
                tout = tout or it.value
            else:
                if tin is None:
                    tin = it.value
                elif tout is None:
                    tout = it.value
    if len({it.value for it in toks}) > 2:
        raise _Ask("Which tokens: " + ", ".join(dict.fromkeys(it.value for it in toks)) +
                   "? A swap has one token in and one out.", tb.tokens)
    amount_of = "in"
    if amt is not None and amt.token not in (None, "?"):
        if amt.token == tout and amt.token != tin:
            amount_of = "out"
    elif amt is not None and buy and tout is not None and not amt.ref:
        # "buy 0.5 eth" style with the amount unbound only when it precedes the bought token
        amt_idx = next(i for i, it in enumerate(step.items) if it.kind == "AMT")
        out_idx = next(i for i, it in enumerate(step.items) if it.kind == "TOK"
                       and it.value == tout)
        if amt_idx < out_idx and amt.kind != "fraction":
            amount_of = "out"
    if tin is None and step.prev is not None and step.prev.token and (amt is None or amt.ref
                                                                     or amount_of == "in"):
        if step.prev.token != tout:
            tin = step.prev.token
    chains = step.chains()
    if chains["to"] and (tout is None):
        raise _Ask("Did you mean to bridge? Swaps stay on one chain: which token should it be "
                   f"swapped for? Known tokens: {tb.token_list()}.", tb.tokens)
    bad = step.unknown_after("for", "into", "with")
    if bad is not None and (tin is None or tout is None):
        raise _Ask(f"I don't know the token {bad.text.upper()}. Known tokens: {tb.token_list()}.",
                   tb.tokens)
    if tin is None and tout is None:
        raise _Ask(f"Which tokens should be swapped? Known tokens: {tb.token_list()}.", tb.tokens)
    if tout is None:
        raise _Ask(f"What should the {tin} be swapped for? Known tokens: {tb.token_list()}.",
                   [t for t in tb.tokens if t != tin])
    if tin is None:
        raise _Ask(f"Which token should pay for the {tout}? Known tokens: {tb.token_list()}.",
                   [t for t in tb.tokens if t != tout])
    if tin == tout:
        raise _Ask(f"Both sides of the swap are {tin}: what should it be swapped for?",
                   [t for t in tb.tokens if t != tin])
    chain = step.inherit_chain(step.single_chain(chains["on"] + chains["from"] + chains["to"]))
    if amt is None:
        if amount_of == "out":
            raise _Ask(f"How much {tout} should be bought?")
        raise _Ask(f"How much {tin} should be swapped?")
    amount_token = tout if amount_of == "out" else tin
    native = tb.native.get(chain or "", None) if chain else None
    natives = {native} if native else tb.native_symbols
    if tb.wrapped and {tin, tout} <= natives | {tb.wrapped} and amount_of == "in" and \
            verb == "convert" and tb.family(chain) == "evm":
        amount = step.amount_model(amt, amount_token)
        if tin in natives and tout == tb.wrapped:
            return Wrap(amount=amount, chain=chain, wallet=wallet)
        if tin == tb.wrapped and tout in natives:
            return Unwrap(amount=amount, chain=chain, wallet=wallet)
    return Swap(amount=step.amount_model(amt, amount_token), token_in=tin, token_out=tout,
                amount_of=amount_of, chain=chain, wallet=wallet)


def _wrap(step: _Step, unwrap: bool) -> object:
    tb = step.tb
    wallet = step.source_wallet()
    chains = step.chains()
    chain = step.inherit_chain(step.single_chain(chains["on"] + chains["from"] + chains["to"]))
    wrapped = tb.wrapped or "WETH"
    if tb.family(chain) == "solana":
        raise _Ask(f"Wrapping turns ETH into WETH on an EVM chain; {chain} is a Solana chain. "
                   f"Which EVM chain: {' or '.join(tb.chains_of('evm'))}?", tb.chains_of("evm"))
    native = tb.native.get(chain or "") or "ETH"
    want = wrapped if unwrap else native
    toks = step.tokens()
    for tok in toks:
        if tok != want and not (unwrap and tok in tb.native_symbols and tok == toks[-1]
                                and len(toks) == 2) and not (
                not unwrap and tok == wrapped and len(toks) == 2 and toks[0] == want):
            if unwrap:
                raise _Ask(f"Only {wrapped} can be unwrapped (into {native}), not {tok}.")
            raise _Ask(f"Only {native} can be wrapped (into {wrapped}), not {tok}.")
    amt = step.the_amount()
    if amt is None:
        raise _Ask(f"How much {want} should be {'unwrapped' if unwrap else 'wrapped'}?")
    amount = step.amount_model(amt, want)
    if unwrap:
        return Unwrap(amount=amount, chain=chain, wallet=wallet)
    return Wrap(amount=amount, chain=chain, wallet=wallet)


def _spender(step: _Step, first_verb_index: int) -> str:
    found: list[str] = []
    for idx, it in enumerate(step.items):
        if it.kind == "SPENDER":
            found.append(it.value)
        elif it.kind == "VERB" and it.text.startswith("bridge") and idx != first_verb_index:
            found.append("bridge")
        elif it.kind == "ADDR" and _address_family(it.value) == "solana":
            raise _Ask(f"'{it.text}' is a Solana address; approvals are for EVM contracts: which "
                       "spender, the router, the bridge, or a 0x address?", ["router", "bridge"])
        elif it.kind == "ADDR":
            found.append(step.address(it))
        elif it.kind in ("CONTACT", "WALLET", "ENS") and it.prep != "from":
            raise _Ask(f"Approvals are for contracts: which spender, the router, the bridge, or "
                       f"a 0x address? ('{it.text}' is not a contract I know.)",
                       ["router", "bridge"])
    found = list(dict.fromkeys(found))
    if len(found) > 1:
        raise _Ask("Which spender: " + " or ".join(found) + "?", found)
    if not found:
        bad = step.unknown_after("for", "to", "from", "of", "by")
        if bad is None:
            for idx, it in enumerate(step.items[:-1]):
                if idx == first_verb_index and step.items[idx + 1].kind == "WORD" and \
                        step.items[idx + 1].text not in _SOFT:
                    bad = step.items[idx + 1]
        if bad is not None:
            raise _Ask(f"Which spender is '{bad.text}'? Known spenders: router, bridge, or a 0x "
                       "address.", ["router", "bridge"])
        raise _Ask("Which spender: the router, the bridge, or a 0x address?", ["router", "bridge"])
    return found[0]


def _approve(step: _Step, verb_index: int) -> object:
    tb = step.tb
    wallet = step.source_wallet()
    spender = _spender(step, verb_index)
    toks = step.tokens()
    if step.kinds("UNLIMITED"):
        raise _Ask("Steward approves exact amounts only, never unlimited: how much "
                   f"{toks[0] if len(toks) == 1 else 'of the token'} should the {spender} be "
                   "allowed to spend?")
    if len(toks) > 1:
        raise _Ask("Which token: " + " or ".join(toks) + "?", toks)
    amt = step.the_amount()
    token = toks[0] if toks else (step.prev.token if step.prev and step.prev.token else None)
    if token is None:
        raise _Ask(f"Which token should the {spender} be allowed to spend? Known tokens: "
                   f"{tb.token_list()}.", tb.tokens)
    if amt is None:
        raise _Ask(f"How much {token} should the {spender} be allowed to spend? (Exact amounts "
                   "only.)")
    if amt.kind != "exact" or amt.ref:
        raise _Ask(f"Steward approves exact amounts only: how much {token} should the {spender} "
                   "be allowed to spend?")
    chains = step.chains()
    chain = step.inherit_chain(step.single_chain(chains["on"] + chains["from"] + chains["to"]))
    return Approve(token=token, spender=spender, amount=step.amount_model(amt, token),
                   chain=chain, wallet=wallet)


def _revoke(step: _Step, verb_index: int) -> object:
    tb = step.tb
    wallet = step.source_wallet()
    spender = _spender(step, verb_index)
    toks = step.tokens()
    if len(toks) > 1:
        raise _Ask("Which token: " + " or ".join(toks) + "?", toks)
    token = toks[0] if toks else (step.prev.token if step.prev and step.prev.token else None)
    if token is None:
        raise _Ask(f"Which token's approval should be revoked from the {spender}? Known tokens: "
                   f"{tb.token_list()}.", tb.tokens)
    chains = step.chains()
    chain = step.inherit_chain(step.single_chain(chains["on"] + chains["from"] + chains["to"]))
    return Revoke(token=token, spender=spender, chain=chain, wallet=wallet)


def _balance(step: _Step) -> object:
    tb = step.tb
    step.ens()
    toks = step.tokens()
    token = toks[0] if len(toks) == 1 else None
    address = None
    wallet = None
    for it in step.items:
        if it.kind == "CONTACT":
            if address not in (None, it.value):
                raise _Ask("Whose balance: " + address + " or " + it.value + "?")
            address = it.value
        elif it.kind == "ADDR":
            address = step.address(it)
        elif it.kind == "WALLET":
            wallet = it.value
    if address is None:
        for idx, it in enumerate(step.items):
            nxt = step.items[idx + 1] if idx + 1 < len(step.items) else None
            if it.kind == "WORD" and it.text not in _SOFT and (
                    it.prep in ("of", "for", "in") or (nxt is not None and nxt.kind == "POSS")
                    or (nxt is not None and nxt.kind == "WORD" and nxt.text in ("have", "has",
                                                                                "hold", "holds",
                                                                                "own", "owns"))):
                if it.prep == "in" and it.text not in tb.contacts:
                    raise _Ask(f"I don't know a wallet named '{it.text}'. Known wallets: "
                               f"{', '.join(tb.wallets)}.", tb.wallets)
                raise _Ask(f"Who is '{it.text}'? Known names: {tb.recipient_list()}.",
                           tb.recipients)
    chains = step.chains()
    chain = step.inherit_chain(step.single_chain(chains["on"] + chains["from"] + chains["to"]))
    if step.unknown_after("on") is not None:
        bad = step.unknown_after("on")
        raise _Ask(f"Which chain is '{bad.text}'? Known chains: {tb.chain_list()}.",
                   tb.chain_names)
    if address is not None and step.kinds("ADDR"):
        chain = step.chain_for_address(chain, address)
    return Balance(token=token, chain=chain, address=address, wallet=wallet)


def _quote(step: _Step, how_much: bool) -> object:
    tb = step.tb
    step.check_usdword("quote")
    toks = [it for it in step.items if it.kind == "TOK"]
    amt = step.the_amount()
    tin = tout = None
    if how_much:
        # "how much ETH would I get for 100 USDC": the first token is the output
        for it in toks:
            if amt is not None and amt.token == it.value and getattr(it, "bound", False):
                tin = tin or it.value
            elif tout is None:
                tout = it.value
            elif tin is None:
                tin = it.value
    else:
        for it in toks:
            if it.prep in ("in", "to", "into", "for") and not getattr(it, "bound", False):
                tout = tout or it.value
            elif tin is None:
                tin = it.value
            elif tout is None:
                tout = it.value
    if how_much and tin is None and tout is not None and len(toks) == 2:
        tin = toks[1].value if toks[0].value == tout else toks[0].value
    if tin is None or tout is None:
        have = tin or tout
        raise _Ask(("Which tokens should be quoted? " if have is None else
                    f"Quote {have} in which token? ") + f"Known tokens: {tb.token_list()}.",
                   tb.tokens)
    if tin == tout:
        raise _Ask(f"Both sides of the quote are {tin}: in which token?",
                   [t for t in tb.tokens if t != tin])
    if amt is None:
        if step.has_word("price", "prices", "worth", "rate", "value"):
            amount = Amount(kind="exact", value="1")
        else:
            raise _Ask(f"How much {tin} should be quoted?")
    else:
        amount = step.amount_model(amt, tin)
    chains = step.chains()
    chain = step.inherit_chain(step.single_chain(chains["on"] + chains["from"]))
    return Quote(amount=amount, token_in=tin, token_out=tout, chain=chain)


_NEGATION_RE = re.compile(r"^(?:don't|dont|do not|never|not|stop|no)\b|\b(?:don't|dont|do not|"
                          r"never|shouldn't|should not|won't)\s+(?:\w+\s+){0,2}(?:" + _VERB_ALT +
                          r")\b")
_QUOTE_WORDS = {"quote", "price", "prices", "pricing", "rate", "quotes"}
_BALANCE_WORDS = {"balance", "balances", "portfolio", "holdings", "holding", "bal", "funds",
                  "assets", "networth"}


def _parse_step(text: str, tb: _Tables, prev: _Prev | None, addrs: list[str],
                caps: set[str]) -> object:
    words = _words(text)
    if not words:
        raise _Ask("What would you like to do? " + _CAN_DO, CAPABILITIES)
    if _NEGATION_RE.search(text):
        raise _Ask("That sounds like something not to do; nothing will be sent. What would you "
                   "like to do? " + _CAN_DO, CAPABILITIES)
    if "or" in words or "either" in words:
        raise _Ask(f"'{text}' leaves a choice open: which one exactly? (one token, one amount and "
                   "one recipient or chain per step)")
    items = _lex(words, tb, addrs, caps)
    step = _Step(items, tb, prev, text)
    # the first content item decides when it is a verb
    first = None
    for idx, it in enumerate(items):
        if it.kind == "WORD" and it.text in ("and", "also", "then", "now", "just", "i", "we",
                                             "want", "to", "a", "an"):
            continue
        first = idx
        break
    verb_index = first if first is not None and items[first].kind == "VERB" else None
    if verb_index is None and first is not None and items[first].kind == "WORD" and len(
            items[first].text) >= 4 and items[first].text not in _SOFT:
        hits = {a for v, a in _FUZZY_VERBS.items() if _edit1(items[first].text, v)}
        if len(hits) == 1:
            items[first].kind = "VERB"
            items[first].value = hits.pop()
            verb_index = first
    if first is not None and items[first].text == "let" and any(
            it.text in ("spend", "use", "pull", "move") for it in items):
        items[first].kind = "VERB"
        items[first].value = "approve"
        verb_index = first
    if (first is not None and items[first].kind == "PREP" and items[first].text == "by"
            and first + 1 < len(items) and items[first + 1].kind == "AMT"):
        items[first].kind = "VERB"  # "by 1 eth with usdc": a typo of buy
        items[first].value = "buy"
        verb_index = first
    has_quote = any(it.text in _QUOTE_WORDS for it in items)
    has_balance = any(it.text in _BALANCE_WORDS for it in items)
    how_much = bool(re.search(r"\bhow (?:much|many)\b", text))
    numeric = [it for it in items if it.kind == "AMT" and it.value.kind in ("exact", "usd")]
    has_approval = any(it.text in ("approval", "approvals", "allowance", "allowances",
                                   "permission", "permissions", "access") for it in items)
    if verb_index is None:
        for idx, it in enumerate(items):
            if it.kind == "VERB" and it.value not in ("show", "get", "quote"):
                if has_quote or how_much or (has_balance and it.value == "move"):
                    break
                if it.value == "transfer" and it.text in ("give",) and has_balance:
                    break
                verb_index = idx
                break
    verb = items[verb_index].value if verb_index is not None else None
    if verb == "get" and (has_balance or has_quote):
        verb = None
    if verb == "show":
        if has_quote:
            return _quote(step, False)
        return _balance(step)
    if verb is None and first is not None and items[first].kind == "AMT" and not (
            has_quote or has_balance or how_much):
        # no verb: "25 usdc to bob", "100 usdc -> eth", "100 usdc l2 -> l1"
        kinds = {it.kind for it in items}
        if kinds & {"CONTACT", "ADDR", "WALLET", "ENS"}:
            verb = "transfer"
        elif len(step.tokens()) >= 2:
            verb = "swap"
        elif "CHAIN" in kinds:
            verb = "bridge"
    if verb == "remove":
        verb = "revoke" if has_approval else None
    if verb == "transfer" and verb_index is not None and items[verb_index].text in (
            "give", "grant") and has_approval:
        verb = "approve"
    if verb is None and any(it.text == "let" for it in items) and any(
            it.text in ("spend", "use") for it in items):
        verb = "approve"
        verb_index = next(i for i, it in enumerate(items) if it.text == "let")
    if verb == "quote":
        return _quote(step, False)
    if verb in ("transfer", "move"):
        return _transfer_or_bridge(step, verb)
    if verb == "bridge":
        return _transfer_or_bridge(step, "bridge")
    if verb in ("swap", "convert", "buy", "get"):
        return _swap(step, verb)
    if verb == "wrap":
        return _wrap(step, False)
    if verb == "unwrap":
        return _wrap(step, True)
    if verb == "approve":
        return _approve(step, verb_index if verb_index is not None else -1)
    if verb == "revoke":
        return _revoke(step, verb_index)
    # no verb: a question
    if has_quote or (how_much and numeric) or (
            re.match(r"^(?:what's|whats|what is|what are|what would|what will|what does|"
                     r"what do)\b", text) and numeric and len(step.tokens()) >= 2) or (
            numeric and any(it.text in ("worth", "value") for it in items)
            and len(step.tokens()) >= 2):
        return _quote(step, how_much and not has_quote)
    if has_balance or how_much or re.search(
            r"\b(?:what|which) (?:do|does|did) (?:i|we|\w+) (?:have|hold|own)\b"
            r"|\bwhat(?:'s| is) in\b|\b(?:do|does) (?:i|we|\w+) (?:have|hold|own)\b"
            r"|\bhow am i doing\b|\bhow rich\b", text) or (
            verb_index is None and any(it.kind == "VERB" and it.value == "show"
                                       for it in items)):
        return _balance(step)
    if any(it.kind == "VERB" and it.value == "show" for it in items) and step.tokens():
        return _balance(step)
    raise _Ask("I didn't understand that. " + _CAN_DO, CAPABILITIES)


def _after(intent: object, prev: _Prev | None) -> _Prev:
    chain = getattr(intent, "chain", None)
    if isinstance(intent, Bridge):
        return _Prev(intent.token, intent.to_chain)
    if isinstance(intent, (Swap, Quote)):
        return _Prev(intent.token_out, chain)
    if isinstance(intent, Wrap):
        return _Prev("WETH", chain)
    if isinstance(intent, Unwrap):
        return _Prev("ETH", chain)
    if isinstance(intent, (Transfer, Approve, Revoke)):
        return _Prev(intent.token, chain)
    if isinstance(intent, Balance):
        return _Prev(intent.token or (prev.token if prev else None), chain)
    return _Prev(None, chain)


def parse(text: str, context: ParseContext) -> ParseResult:
    """One request in plain language → an intent, a sequence of intents, or a clarification."""
    tb = _tables(context)
    if not isinstance(text, str) or not text.strip():
        return _clarify("What would you like to do? " + _CAN_DO, CAPABILITIES)
    if any(ch.isdigit() and not ch.isascii() for ch in text):
        # \d and Decimal() read ١٠, ১০ or １０ as 10, and "1٠" looks like "1.": never guess.
        return _clarify("Write numbers with the digits 0-9 (like 10 or 0.5); digits of other "
                        "scripts and superscripts are not read as amounts.")
    try:
        s, addrs, caps = _prepare(text)
        steps_text = [_clean_step(p) for p in _split_steps(s)]
        steps_text = [p for p in steps_text if p]
        if not steps_text:
            return _clarify("What would you like to do? " + _CAN_DO, CAPABILITIES)
        steps: list[object] = []
        prev: _Prev | None = None
        for number, part in enumerate(steps_text):
            try:
                intent = _parse_step(part, tb, prev, addrs, caps)
            except _Ask as ask:
                if len(steps_text) > 1:
                    q = ask.clarification
                    shown = _UNSPACED_ADDR_RE.sub(lambda m: addrs[int(m.group(1))], part)
                    return _clarify(f"In step {number + 1} ('{shown}'): {q.question}", q.options)
                raise
            steps.append(intent)
            prev = _after(intent, prev)
        if len(steps) == 1:
            return steps[0]  # type: ignore[return-value]
        return Sequence(steps=steps)  # type: ignore[arg-type]
    except _Ask as ask:
        return ask.clarification
    except (InvalidOperation, ValueError) as exc:  # a malformed number or a model refusal
        return _clarify(f"I couldn't read that request ({exc}). " + _CAN_DO, CAPABILITIES)
