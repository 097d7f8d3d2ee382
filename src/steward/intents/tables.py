"""What a context lets the lexer recognise: its chains, tokens, contacts, wallets and venues.

`Tables` is built once per context (`tables_for` caches it): the phrases of the context keyed by
their first word, the recipients, the chains' families and the tokens' contract addresses.
Pure and offline.
"""

from __future__ import annotations

import re

from steward.intents import ParseContext
from steward.intents.items import Item
from steward.intents.vocabulary import TOKEN_NAMES, VENUE_WORDS, WORLD_VENUES


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
