"""Generated rows: templates × vocabulary × styles, for the kinds where many phrasings of the
same shape are worth having (batches, splits, venues, courtesy, slippage, deadlines, quotes,
address case). Deterministic (a fixed seed); every row is tagged `generated`.

Each template is written the way people write (terse, chatty, formal, with typos, in
non-native English) and builds its expected intent from the same values it puts in the text,
so text and intent cannot disagree."""

from __future__ import annotations

import random

from corpus_base import (BAD, CS, L1, L2, LOW, UP, V2, V3, Bridge, Quote, Swap, Transfer, E, F, U, W,
                         Wrap, Approve, Balance, clarify_row, intent_row, pays, split)

GEN = ["generated"]
rng = random.Random(20)

# ------------------------------------------------------------------ vocabulary
NAMES = ["alice", "bob", "carol"]
_STABLE_AMOUNTS = [("5", "5"), ("10", "10"), ("12", "12"), ("20", "20"), ("25", "25"), ("40", "40"),
                   ("50", "50"), ("75", "75"), ("100", "100"), ("150", "150"), ("250", "250"),
                   ("1,000", "1000"), ("2k", "2000"), ("0.5", "0.5"), ("7.5", "7.5"), ("five", "5"),
                   ("ten", "10"), ("twenty", "20"), ("fifty", "50"), ("a hundred", "100")]
_ETH_AMOUNTS = [("0.01", "0.01"), ("0.05", "0.05"), ("0.1", "0.1"), ("0.25", "0.25"), ("0.5", "0.5"),
                ("1", "1"), ("1.5", "1.5"), ("2", "2"), ("one", "1"), ("two", "2"), (".2", "0.2")]
_TOKEN_WORDS = {"USDC": ["usdc", "USDC", "Usdc", "usdc"], "USDT": ["usdt", "USDT", "tether", "usdt"],
                "ETH": ["eth", "ETH", "ether", "eth"]}
_CHAINS = [(" on l2", L2), (" on the l1", L1), (" on layer 2", L2), (" on sandbox-l1", L1),
           (" on layer two", L2), (" on l1", L1)]


def _amount(token: str) -> tuple[str, str]:
    return rng.choice(_ETH_AMOUNTS if token == "ETH" else _STABLE_AMOUNTS)


def _digits_amount(token: str) -> tuple[str, str]:
    """An amount written in digits: a number word right before "and" reads as part of it."""
    while True:
        text, value = _amount(token)
        if text[-1].isdigit():
            return text, value


def _tok(token: str) -> str:
    return rng.choice(_TOKEN_WORDS[token])


def _recipients(n: int, allow_wallet: bool = True, allow_address: bool = True) -> list[tuple[str, str]]:
    """n distinct (as written, as in the intent) recipients: mostly contacts."""
    pool = [(name, name) for name in NAMES]
    if allow_wallet:
        pool.append((rng.choice(["my savings wallet", "savings", "my savings"]), W("savings")))
    if allow_address:
        i = rng.randrange(len(LOW))
        pool.append(rng.choice([(LOW[i], CS[i]), (CS[i], CS[i])]))
    weights = [4] * len(NAMES) + [1] * (len(pool) - len(NAMES))
    chosen: list[tuple[str, str]] = []
    while len(chosen) < n:
        pick = rng.choices(pool, weights)[0]
        if pick[1] not in {c[1] for c in chosen}:
            chosen.append(pick)
    return chosen


def _listing(items: list[str], oxford: bool | None = None, amp: bool = False) -> str:
    if len(items) == 2:
        return f"{items[0]} {'&' if amp else 'and'} {items[1]}"
    oxford = rng.random() < 0.4 if oxford is None else oxford
    return ", ".join(items[:-1]) + ("," if oxford else "") + f" {'&' if amp else 'and'} {items[-1]}"


def _cap(written: str) -> str:
    return written[:1].upper() + written[1:] if written in NAMES else written


# ------------------------------------------------------------------ batch
_BATCH_TWO = [  # (template, style); {p1} = "5 usdc", {r1} = "alice"
    ("send {p1} to {r1} and {p2} to {r2}", "plain"),
    ("transfer {p1} to {r1} & {p2} to {r2}", "plain"),
    ("pay {r1} {p1} and {r2} {p2}", "plain"),
    ("send {p1} to {r1} plus {p2} to {r2}", "plain"),
    ("give {r1} {p1} and give {r2} {p2}", "plain"),
    ("{p1} → {r1}, {p2} → {r2}", "terse"),
    ("{p1} -> {r1}; {p2} -> {r2}", "terse"),
    ("{r1}: {p1}, {r2}: {p2}", "terse"),
    ("hey could you send {p1} to {r1} and {p2} to {r2}? thanks!", "chatty"),
    ("pls pay {r1} {p1} and {r2} {p2} ty", "chatty"),
    ("ok so I need {p1} sent to {r1} and {p2} to {r2}", "chatty"),
    ("I would like to request a transfer of {p1} to {R1} and {p2} to {R2}.", "formal"),
    ("Please transfer {p1} to {R1}, as well as {p2} to {R2}.", "formal"),
    ("please to send {p1} for {r1} and {p2} for {r2}", "non_native"),
    ("I want send {p1} to {r1} and {p2} to {r2}", "non_native"),
    ("make two transfers: {p1} to {r1}, {p2} to {r2}", "non_native"),
    ("sned {p1} to {r1} and {p2} to {r2}", "typo"),
    ("trasnfer {p1} to {r1} and {p2} to {r2}", "typo"),
    ("send {p1} to {r1} adn {p2} to {r2}", "typo"),
]
_BATCH_THREE = [
    ("send {p1} to {r1}, {p2} to {r2}{ox} and {p3} to {r3}", "plain"),
    ("pay {r1} {p1}, {r2} {p2}{ox} and {r3} {p3}", "plain"),
    ("{p1} to {r1}, {p2} to {r2}, {p3} to {r3}", "terse"),
    ("Kindly send {p1} to {R1}, {p2} to {R2}{ox} and {p3} to {R3}.", "formal"),
    ("can you do {p1} to {r1}, {p2} to {r2}{ox} and {p3} to {r3} pls", "chatty"),
]
_EACH = [  # one amount per recipient
    ("send {a} {t} each to {list}", "plain"),
    ("give {list} {a} {t} each", "plain"),
    ("{list}: {a} {t} each", "terse"),
    ("{a} {t} each to {list}", "terse"),
    ("hey send {list} {a} {t} each pls", "chatty"),
    ("Please send {a} {T} to each of {List}.", "formal"),
    ("please to give {a} {t} to each one of {list}", "non_native"),
    ("send {a} {t} to eahc of {list}", "typo"),
]
_SHARED_TOKEN = [  # the token written once
    ("pay {r1} {a1} and {r2} {a2} {t}", "plain"),
    ("send {a1} {t} to {r1} and {a2} to {r2}", "plain"),
    ("{a1} {t} → {r1}, {a2} → {r2}", "terse"),
    ("send {r1} {a1} and {r2} {a2} {t} please", "chatty"),
]


def _suffix(allow_wallet: bool) -> tuple[str, str | None, str | None]:
    roll = rng.random()
    if roll < 0.25:
        text, chain = rng.choice(_CHAINS)
        return text, chain, None
    if roll < 0.35 and allow_wallet:
        return " from savings", None, "savings"
    return "", None, None


def _fill_payments(n: int, same_token: str | None = None):
    recips = _recipients(n)
    lines, fills = [], {}
    for i, (written, canonical) in enumerate(recips, 1):
        token = same_token or rng.choice(["USDC", "USDC", "USDT", "ETH"])
        text_amount, value = _amount(token)
        usd = token != "ETH" and rng.random() < 0.1
        phrase = f"${value} of {_tok(token)}" if usd else f"{text_amount} {_tok(token)}"
        lines.append((U(value) if usd else E(value), token, canonical))
        fills[f"p{i}"], fills[f"r{i}"], fills[f"R{i}"] = phrase, written, _cap(written)
    return lines, fills, recips


def _batch(count: int) -> list[dict]:
    out = []
    for k in range(count):
        shape = k % 4
        if shape in (0, 1):
            template, style = rng.choice(_BATCH_TWO if shape == 0 else _BATCH_THREE)
            lines, fills, recips = _fill_payments(2 if shape == 0 else 3)
            fills["ox"] = "," if rng.random() < 0.4 else ""
            text = template.format(**fills)
        elif shape == 2:
            template, style = rng.choice(_EACH)
            token = rng.choice(["USDC", "USDT", "ETH"])
            recips = _recipients(rng.choice([2, 2, 3]))
            text_amount, value = _amount(token)
            amp = rng.random() < 0.2
            text = template.format(a=text_amount, t=_tok(token), T=token, list=_listing([r[0] for r in recips],
                                                                                         amp=amp),
                                   List=_listing([_cap(r[0]) for r in recips]))
            lines = [(E(value), token, c) for _, c in recips]
        else:
            template, style = rng.choice(_SHARED_TOKEN)
            token = rng.choice(["USDC", "USDT"])
            recips = _recipients(2)
            (a1, v1), (a2, v2) = _digits_amount(token), _digits_amount(token)
            text = template.format(a1=a1, a2=a2, t=_tok(token), r1=recips[0][0], r2=recips[1][0])
            lines = [(E(v1), token, recips[0][1]), (E(v2), token, recips[1][1])]
        has_wallet = any(c == W("savings") for _, _, c in lines)
        suffix, chain, wallet = _suffix(allow_wallet=not has_wallet)
        if text.endswith((".", "!", "?", " pls", " ty", " please")):
            suffix, chain, wallet = "", None, None  # it would read badly after the sentence ended
        out.append(intent_row(text + suffix, pays(*lines, chain=chain, wallet=wallet), "batch", style, GEN))
    return out


# ------------------------------------------------------------------ split
_SPLIT = [
    ("split {a} between {list}", "plain"),
    ("split {a} equally among {list}", "plain"),
    ("divide {a} evenly between {list}", "plain"),
    ("distribute {a} among {list}", "plain"),
    ("share {a} between {list}", "plain"),
    ("{a} split evenly: {list}", "terse"),
    ("split {a} btw {list}", "terse"),
    ("can you split {a} between {list} for me?", "chatty"),
    ("hey pls divvy up {a} between {list}", "chatty"),
    ("Please divide {a} equally between {List}.", "formal"),
    ("I would like {a} to be shared equally among {List}.", "formal"),
    ("make split of {a} between {list}", "non_native"),
    ("please divide {a} in equal parts for {list}", "non_native"),
    ("spilt {a} between {list}", "typo"),
    ("devide {a} equally between {list}", "typo"),
    ("split {a} bewteen {list}", "typo"),
]


def _split_amount(token: str) -> tuple[str, object]:
    roll = rng.random()
    t = _tok(token)
    if roll < 0.12:
        return f"half my {t}", F("0.5")
    if roll < 0.2:
        return f"all my {t}", F("1")
    if roll < 0.28:
        pct = rng.choice(["10", "20", "50"])
        return f"{pct}% of my {t}", F(str(int(pct) / 100))
    if roll < 0.36 and token != "ETH":
        value = rng.choice(["30", "60", "90"])
        return f"${value} of {t}", U(value)
    text_amount, value = _amount(token)
    return f"{text_amount} {t}", E(value)


def _split(count: int) -> list[dict]:
    out = []
    for _ in range(count):
        template, style = rng.choice(_SPLIT)
        token = rng.choice(["USDC", "USDC", "USDT", "ETH"])
        recips = _recipients(rng.choice([2, 2, 3]))
        phrase, amount = _split_amount(token)
        text = template.format(a=phrase, list=_listing([r[0] for r in recips], amp=rng.random() < 0.15),
                               List=_listing([_cap(r[0]) for r in recips]))
        chain = wallet = None
        if not text.endswith((".", "?")) and rng.random() < 0.25:
            suffix, chain = rng.choice(_CHAINS)
            text += suffix
        out.append(intent_row(text, split(amount, token, *[c for _, c in recips], chain=chain, wallet=wallet),
                              "split", style, GEN))
    return out


# ------------------------------------------------------------------ swap cores (venue, slippage, deadline)
def _swap_core() -> tuple[str, dict, str]:
    """(text, Swap fields, style) of a plain swap request."""
    pair = rng.choice([("ETH", "USDC"), ("USDC", "ETH"), ("USDT", "USDC"), ("ETH", "USDT"), ("USDC", "USDT"),
                       ("WETH", "USDC"), ("USDT", "ETH")])
    tin, tout = pair
    text_amount, value = _amount("ETH" if tin in ("ETH", "WETH") else tin)
    t_in = "weth" if tin == "WETH" else _tok(tin)
    t_out = "weth" if tout == "WETH" else _tok(tout)
    fields = {"amount": E(value), "token_in": tin, "token_out": tout}
    template, style = rng.choice([
        ("swap {a} {i} for {o}", "plain"), ("swap {a} {i} to {o}", "plain"), ("sell {a} {i} for {o}", "plain"),
        ("trade {a} {i} for {o}", "plain"), ("exchange {a} {i} into {o}", "plain"),
        ("{a} {i} -> {o}", "terse"), ("hey can you swap {a} {i} to {o}", "chatty"),
        ("Please exchange {a} {I} for {O}", "formal"), ("I want make swap {a} {i} to {o}", "non_native"),
        ("swpa {a} {i} for {o}", "typo"), ("buy {o} with {a} {i}", "plain"),
    ])
    text = template.format(a=text_amount, i=t_in, o=t_out, I=tin, O=tout)
    return text, fields, style


_KNOWN_VENUES = [("on uniswap", "uniswap"), ("using Uniswap", "uniswap"), ("via uniswap", "uniswap"),
                 ("through uniswap", "uniswap"), ("on uniswap v3", V3), ("using Uniswap V3", V3),
                 ("via uni v3", V3), ("on univ3", V3), ("through uniswap-v3", V3), ("on Uniswap v3", V3),
                 ("on uniswap v2", V2), ("using Uniswap V2", V2), ("via uni v2", V2), ("on univ2", V2),
                 ("through uniswap-v2", V2), ("with uniswap v2", V2)]
_UNKNOWN_VENUES = [("PancakeSwap", "pancakeswap"), ("pancakeswap v3", "pancakeswap"), ("Balmy", "balmy"),
                   ("1inch", "1inch"), ("Curve", "curve"), ("SushiSwap", "sushiswap"), ("Balancer", "balancer"),
                   ("CowSwap", "cowswap"), ("Paraswap", "paraswap"), ("Odos", "odos"),
                   ("KyberSwap", "kyberswap"), ("Aerodrome", "aerodrome"), ("Velodrome", "velodrome"),
                   ("Jupiter", "jupiter"), ("Raydium", "raydium"), ("Orca", "orca"),
                   ("Trader Joe", "trader joe"), ("Camelot", "camelot"), ("the 1inch aggregator", "1inch"),
                   ("Curve Finance", "curve"), ("the PancakeSwap router", "pancakeswap")]
_BRIDGE_BRANDS = [("Across", "across"), ("Stargate", "stargate"), ("Hop", "hop"), ("Wormhole", "wormhole"),
                  ("LayerZero", "layerzero"), ("Synapse", "synapse"), ("the Stargate bridge", "stargate"),
                  ("Hop Protocol", "hop")]


def _venue(count_known: int, count_unknown: int) -> list[dict]:
    out = []
    for _ in range(count_known):
        text, fields, style = _swap_core()
        phrase, venue = rng.choice(_KNOWN_VENUES)
        if rng.random() < 0.3 and style == "plain":
            text = f"{phrase[0].upper()}{phrase[1:]}, {text[0].lower()}{text[1:]}"
        else:
            text = f"{text} {phrase}"
        out.append(intent_row(text, Swap(**fields, venue=venue), "venue", style, GEN))
    quotes = [("quote {a} {i} to {o} {v}", "plain"), ("how much {o} would I get for {a} {i} {v}", "plain"),
              ("estimate swapping {a} {i} for {o} {v}", "plain")]
    for template, style in quotes:
        phrase, venue = rng.choice(_KNOWN_VENUES)
        text_amount, value = _amount("ETH")
        out.append(intent_row(template.format(a=text_amount, i="eth", o="usdc", v=phrase),
                              Quote(amount=E(value), token_in="ETH", token_out="USDC", venue=venue),
                              "venue", style, GEN))
    for _ in range(count_unknown):
        text, _, style = _swap_core()
        written, name = rng.choice(_UNKNOWN_VENUES)
        prep = rng.choice(["on", "using", "via", "through"])
        out.append(clarify_row(f"{text} {prep} {written}", name, "venue", style, GEN))
    for written, name in _BRIDGE_BRANDS:
        token = rng.choice(["USDC", "USDT", "ETH"])
        text_amount, _ = _amount(token)
        template = rng.choice(["bridge {a} {t} to l2 via {b}", "use {b} to bridge {a} {t} to layer 2",
                               "bridge {a} {t} from l2 to l1 with {b}", "move {a} {t} to the l1 using {b}"])
        out.append(clarify_row(template.format(a=text_amount, t=_tok(token), b=written), name, "venue", "plain",
                               GEN))
    return out


# ------------------------------------------------------------------ slippage / deadline
_SLIPPAGE = [("with 1% slippage", 100), ("max slippage 0.5%", 50), ("slippage tolerance of 2 percent", 200),
             ("slippage 0.3%", 30), ("with 50 bps slippage", 50), ("allowing 1.5% slippage", 150),
             ("slippage up to 3%", 300), ("max 0.1% slippage", 10), ("with a slippage of 0.75%", 75),
             ("1 percent slippage", 100), ("slippage: 0.5%", 50), ("with slippage set to 2%", 200),
             ("25 bps max slippage", 25), ("at most 1% slippage", 100), ("0.2% slippage tolerance", 20)]
_DEADLINES = [("within 10 minutes", 10), ("deadline 20 min", 20), ("expires in 1 hour", 60),
              ("within 30 mins", 30), ("deadline of 15 minutes", 15), ("valid for 5 minutes", 5),
              ("must execute within 2 hours", 120), ("within an hour", 60), ("deadline 3h", 180),
              ("expiring in 45 minutes", 45), ("within 1 minute", 1), ("deadline in 25 minutes", 25)]


def _how(kind: str, phrases: list, field: str, count: int) -> list[dict]:
    out = []
    for _ in range(count):
        text, fields, style = _swap_core()
        phrase, value = rng.choice(phrases)
        joiner = rng.choice([", ", " ", " - "])
        out.append(intent_row(f"{text}{joiner}{phrase}", Swap(**fields, **{field: value}), kind, style, GEN))
    return out


def _how_not_swap(kind: str, phrases: list, fragment: str | None) -> list[dict]:
    """Slippage or a deadline on a transfer / bridge / wrap: asked about, never dropped."""
    cores = ["send 5 usdc to bob", "transfer 0.1 eth to alice", "bridge 100 usdc to l2", "pay carol 20 usdt",
             "wrap 0.5 eth", "move 50 usdt to the l1"]
    out = []
    for core in cores:
        phrase, _ = rng.choice(phrases)
        out.append(clarify_row(f"{core}, {phrase}", fragment, kind, "plain", [*GEN, "safety"]))
    return out


# ------------------------------------------------------------------ courtesy
_PREFIX = [("Hi!", "chatty"), ("Hello there.", "chatty"), ("Good evening!", "chatty"),
           ("Hope you're doing well.", "chatty"), ("Hey, quick favour:", "chatty"),
           ("Sorry to bother you.", "chatty"), ("Just a heads-up, this one matters.", "plain"),
           ("Dear Steward,", "formal"), ("Good afternoon.", "formal"), ("Hello my friend,", "non_native"),
           ("I am sorry for my english.", "non_native"), ("helo!", "typo")]
_SUFFIX = [("Thanks in advance!", "chatty"), ("It's an important transaction.", "plain"),
           ("This is time-sensitive.", "plain"), ("Much appreciated 🙏", "chatty"), ("Have a nice day!", "chatty"),
           ("Thank you!", "plain"), ("Cheers", "chatty"), ("Kind regards.", "formal"),
           ("Thank you very much for your help.", "formal"), ("thx a lot", "chatty"), ("Thank you so much my friend.",
                                                                                        "non_native"),
           ("thnaks!", "typo")]
_CORES = [
    ("send 5 usdc to bob", Transfer(amount=E("5"), token="USDC", recipient="bob")),
    ("pay alice 12 usdt", Transfer(amount=E("12"), token="USDT", recipient="alice")),
    ("transfer 0.2 eth to carol on l2", Transfer(amount=E("0.2"), token="ETH", recipient="carol", chain=L2)),
    ("swap 1 eth for usdc", Swap(amount=E("1"), token_in="ETH", token_out="USDC")),
    ("swap 300 usdt to usdc", Swap(amount=E("300"), token_in="USDT", token_out="USDC")),
    ("bridge 100 usdc to l2", Bridge(amount=E("100"), token="USDC", to_chain=L2)),
    ("wrap 0.5 eth", Wrap(amount=E("0.5"))),
    ("how much usdc do I have", Balance(token="USDC")),
    ("approve the router to spend 40 usdc", Approve(token="USDC", spender="router", amount=E("40"))),
    ("send 2 usdc to alice and 3 usdc to bob", pays((E("2"), "USDC", "alice"), (E("3"), "USDC", "bob"))),
    ("split 30 usdc between alice, bob and carol", split(E("30"), "USDC", "alice", "bob", "carol")),
    ("quote 1 eth in usdt", Quote(amount=E("1"), token_in="ETH", token_out="USDT")),
    ("move 25 usdc to my savings wallet", Transfer(amount=E("25"), token="USDC", recipient=W("savings"))),
]


def _courtesy(count: int) -> list[dict]:
    out = []
    for _ in range(count):
        core, intent = rng.choice(_CORES)
        roll = rng.random()
        prefix, p_style = rng.choice(_PREFIX) if roll < 0.7 else ("", None)
        suffix, s_style = rng.choice(_SUFFIX) if roll > 0.35 else ("", None)
        body = core
        if not prefix or prefix.endswith((".", "!")):
            body = core[0].upper() + core[1:]
        if suffix:
            body += "?" if core.startswith("how") else "."
        text = " ".join(part for part in (prefix, body, suffix) if part)
        style = p_style or s_style or "plain"
        out.append(intent_row(text, intent, "courtesy", style, GEN))
    return out


# ------------------------------------------------------------------ questions
_QUOTES = [  # (template, amount_of, style): {a} amount, {i} token in, {o} token out
    ("estimate swapping {a} {i} to {o}", "in", "plain"),
    ("what would I get for {a} {i} in {o}", "in", "plain"),
    ("how much {o} would I get for {a} {i}", "in", "plain"),
    ("simulate swapping {a} {i} for {o}", "in", "plain"),
    ("what if I swap {a} {i} for {o}?", "in", "plain"),
    ("how much {o} for {a} {i}?", "in", "terse"),
    ("Could you estimate the {O} I would receive for {a} {I}?", "in", "formal"),
    ("how much {i} do I need to get {a} {o}", "out", "plain"),
    ("how much {i} would it take to receive {a} {o}", "out", "plain"),
    ("Calculate the amount of {I} required to receive {a} {O}", "out", "formal"),
    ("how many {i} I need for receive {a} {o}?", "out", "non_native"),
    ("hey how much {o} can i get for {a} {i} rn", "in", "chatty"),
    ("estimete swapping {a} {i} to {o}", "in", "typo"),
]


def _questions(count: int) -> list[dict]:
    out = []
    pairs = [("ETH", "USDC"), ("USDC", "ETH"), ("USDT", "USDC"), ("ETH", "USDT"), ("WETH", "USDC"), ("USDT", "ETH")]
    for _ in range(count):
        template, amount_of, style = rng.choice(_QUOTES)
        tin, tout = rng.choice(pairs)
        sized = tout if amount_of == "out" else tin
        text_amount, value = _amount("ETH" if sized in ("ETH", "WETH") else sized)
        text = template.format(a=text_amount, i=tin.lower(), o=tout.lower(), I=tin, O=tout)
        chain = None
        if not text.endswith((".", "?")) and rng.random() < 0.2:
            suffix, chain = rng.choice(_CHAINS)
            text += suffix
        out.append(intent_row(text, Quote(amount=E(value), token_in=tin, token_out=tout, amount_of=amount_of,
                                          chain=chain), "question", style, GEN))
    return out


# ------------------------------------------------------------------ address case
def _address_case() -> list[dict]:
    out = []
    for i in range(len(LOW)):
        template = rng.choice(["send {a} usdc to {x}", "transfer {a} usdt to {x}", "pay {x} {a} usdc"])
        token = "USDT" if "usdt" in template else "USDC"
        text_amount, value = rng.choice([("1", "1"), ("2.5", "2.5"), ("10", "10")])
        out.append(clarify_row(template.format(a=text_amount, x=BAD[i]), "checksum", "address_case", "plain", GEN))
        out.append(clarify_row(template.format(a=text_amount, x=UP[i]) + " on l1", "capital", "address_case",
                               "plain", GEN))
        out.append(intent_row(template.format(a=text_amount, x=LOW[i]) + " on l2",
                              Transfer(amount=E(value), token=token, recipient=CS[i], chain=L2), "address_case",
                              "plain", GEN))
    return out


def rows() -> list[dict]:
    return [*_batch(90), *_split(45), *_venue(34, 24), *_how("slippage", _SLIPPAGE, "slippage_bps", 26),
            *_how_not_swap("slippage", _SLIPPAGE, "slippage"), *_how("deadline", _DEADLINES, "deadline_minutes", 18),
            *_how_not_swap("deadline", _DEADLINES, None), *_courtesy(45), *_questions(34), *_address_case()]
