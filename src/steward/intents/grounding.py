"""Grounding a language model's intent in the person's own words.

A model is a helpful reader and an untrusted author: whatever it answers, every slot of every
step must be found in what the person wrote — the action (a word for it), each token and chain
(by symbol, name or alias), the source wallet, the recipient or spender (an address they wrote,
or a name they wrote that is in the address book), and the amount: its number, its kind (a
number of tokens, dollars, a share of a balance, a share of what the previous step produced)
and the token it is of ("5 usdc" is 5 USDC, never 5 ETH or 500 USDC; "buy 1 eth with usdc" is
of the output). A swap's direction must follow the words ("usdc for eth", "eth with usdc").
A venue, a slippage and a deadline must be said too ("on uniswap v2", "1% slippage", "within
10 minutes"); each payment of a batch is vetted like a transfer, and no recipient or amount may be
used more often than the words allow; a split's amount, token and every recipient must be said.
A field this module does not know is refused unless it is left at its default (not filled), so
a new slot cannot slip through unvetted.

Numbers are read with the ASCII digits 0-9 only: `\\d` would also read ١٠ or ১০ as 10.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from pydantic import BaseModel

from steward.intents import Amount, ParseContext
from steward.intents.parser import TOKEN_NAMES

_ADDRESS = re.compile(r"0x[0-9a-f]{40}")
_SHARE = re.compile(r"(?<![0-9a-z.,/])([0-9]+)/([0-9]+)(?![0-9a-z/])")
_NUMBER = re.compile(
    r"(?<![0-9a-z_.,$])(?P<dollar>\$\s?)?(?P<digits>[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?|\.[0-9]+)"
    r"(?![0-9]|[.,][0-9])"
    r"(?:(?P<short>k|m|mm)\b|\s?(?P<scale>thousand|million|billion)\b)?"
    r"\s?(?P<unit>%|percent\b|pct\b|per cent\b|usd\b(?! coin)|dollars?\b|bucks\b)?")
_SCALES = {"k": 1000, "m": 10**6, "mm": 10**6, "thousand": 1000, "million": 10**6,
           "billion": 10**9}
_SHARE_WORDS = [(r"\bthree quarters\b", Fraction(3, 4)), (r"\bhalf\b", Fraction(1, 2)),
                (r"\bquarter\b", Fraction(1, 4)), (r"\bfourth\b", Fraction(1, 4)),
                (r"\bfifth\b", Fraction(1, 5)), (r"\btenth\b", Fraction(1, 10)),
                (r"\b(?:all|everything|entire|whole|max|maximum|full|rest|remaining"
                 r"|remainder)\b", Fraction(1))]
# "it", "the proceeds": what the previous step of a sequence produced.
_REFERENCE = re.compile(r"\b(?:it|them|that|those|proceeds|output|result|rest|remaining"
                        r"|remainder|received|got|get)\b")
# A word (stem) for each action; money-moving ones must be said, not inferred.
_ACTION_WORDS = {
    "transfer": r"send|sent|pay|paid|transfer|giv|gave|remit|mov|tip|wire|forward|donat|gift"
                r"|refund|reimburs",
    "swap": r"swap|exchang|trad|conver|sell|sold|buy|bought|purchas|chang|turn|flip|get\b",
    "bridge": r"bridg|mov|send|sent|transfer|cross|port\b",
    "wrap": r"wrap|turn|conver|chang",  # a turn of ETH into WETH is a wrap
    "unwrap": r"unwrap|turn|conver|chang",
    "approve": r"approv|allow|permi|authori|grant|let\b",
    "revoke": r"revok|remov|cancel|withdraw|disallow|reset|unapprov",
    "balance": r"balanc|how much|holding|have|hold|own|portfolio|show|check|what|worth|fund",
    "quote": r"quot|price|pric|rate|how much|worth|cost|valu|what|get|estimat|simulat|calculat",
    "split": r"split|divid|distribut|shar|among|between|spread",
}
_ACTION_WORDS["batch"] = _ACTION_WORDS["transfer"] + r"|distribut|divid|split"
# "5 usdc each to alice and bob": one amount said, paid to several.
_EACH = r"\b(?:each|apiece|per (?:person|head|recipient)|every(?:one|body)?|both|all of them)\b"
_PERCENT = re.compile(r"(?<![0-9a-z.,])(?P<number>[0-9]+(?:\.[0-9]+)?|\.[0-9]+|half(?: a)?)\s?"
                      r"(?P<unit>%|percent\b|pct\b|per cent\b|bps\b|bp\b|basis points?\b)")
_DURATION = re.compile(r"(?<![0-9a-z.,])(?P<number>[0-9]+(?:\.[0-9]+)?|an?|one|half an?)\s?"
                       r"(?P<unit>minutes?\b|mins?\b|hours?\b|hrs?\b|h\b|days?\b)")
_MINUTES = {"min": 1, "h": 60, "hr": 60, "hou": 60, "day": 24 * 60}
_FORWARD = r"\b(?:for|to|into|in)\b|->|→|=>"  # "usdc for eth": in, then out
_BACKWARD = r"\b(?:with|using|from|by selling|paying)\b"  # "eth with usdc": out, then in
_BUYING = r"\b(?:buy|bought|purchase|get|acquire)\b"  # "buy eth for usdc": out first
_SELLING = r"\b(?:sell|sold|dump)\b"  # "sell eth for usdc": in first
_PRICE_WORDS = r"price|pric|rate|worth|valu"
_CLAUSE_END = r"[;!?]|[.,](?![0-9])|\bthen\b|\band\b"
_HANDLED = {"action", "chain", "wallet", "amount", "token", "token_in", "token_out", "amount_of",
            "to_chain", "recipient", "spender", "address", "venue", "slippage_bps",
            "deadline_minutes", "payments", "recipients"}


@dataclass(frozen=True)
class _Quantity:
    kind: str  # exact | usd | fraction (shares of a balance)
    value: Fraction
    token: str | None  # the token written right after it, if any


class Said:
    """What the person's text contains, read once: addresses, numbers, shares, names."""

    def __init__(self, text: str, context: ParseContext):
        self.context = context
        lower = text.lower().replace("\u2019", "'")
        self.addresses = set(_ADDRESS.findall(lower))
        self.full = re.sub(r"\s+", " ", lower)
        self.text = re.sub(r"\s+", " ", _ADDRESS.sub(" ", lower))
        symbols = {t.upper() for t in context.tokens}
        self.names = sorted({(t.lower(), t) for t in symbols} | {
            (name, symbol) for name, symbol in TOKEN_NAMES.items() if symbol in symbols},
            key=lambda pair: (-len(pair[0]), pair))
        self.tokens = {symbol for name, symbol in self.names if self.has(name)}
        self.quantities = self._quantities()

    def has(self, phrase: str) -> bool:
        """`phrase` as a whole word (a number may be stuck before it: "25usdc")."""
        pattern = rf"(?<![a-z0-9_-]){re.escape(phrase.lower())}(?![a-z0-9_-])"
        if re.search(pattern, self.text):
            return True
        return bool(re.search(rf"(?<=[0-9]){re.escape(phrase.lower())}(?![a-z0-9_-])",
                              self.text))

    def has_stem(self, stems: str) -> bool:
        return bool(re.search(rf"(?:\b|(?<=\s))(?:{stems})", self.text))

    def _token_after(self, end: int) -> str | None:
        """The first token named in the four words after `end` ("5 usdc", "$5 of eth")."""
        words = re.findall(r"[a-z][a-z0-9]*", self.text[end:end + 80])[:5]
        for start in range(min(len(words), 4)):
            for name, symbol in self.names:
                if words[start:start + len(name.split())] == name.split():
                    return symbol
        return None

    def position(self, symbol: str) -> int | None:
        """Where the token is first named."""
        found = [m.start() for name, sym in self.names if sym == symbol.upper()
                 for m in [re.search(rf"(?<![a-z_-]){re.escape(name)}(?![a-z0-9_-])",
                                     self.text)] if m]
        return min(found) if found else None

    def _quantities(self) -> list[_Quantity]:
        found: list[_Quantity] = []
        text = self.text
        for match in _SHARE.finditer(text):
            numerator, denominator = int(match.group(1)), int(match.group(2))
            if 0 < numerator <= denominator:
                found.append(_Quantity("fraction", Fraction(numerator, denominator),
                                       self._token_after(match.end())))
        text = _SHARE.sub(" ", text)
        for match in _NUMBER.finditer(text):
            value = Fraction("0" + match.group("digits").replace(",", ""))
            value *= _SCALES.get(match.group("short") or match.group("scale") or "", 1)
            unit = (match.group("unit") or "").strip()
            if unit in ("%", "percent", "pct", "per cent"):
                found.append(_Quantity("fraction", value / 100, self._token_after(match.end())))
            elif match.group("dollar") or unit:
                found.append(_Quantity("usd", value, self._token_after(match.end())))
            else:
                found.append(_Quantity("exact", value, self._token_after(match.end())))
        for pattern, share in _SHARE_WORDS:
            for match in re.finditer(pattern, text):
                found.append(_Quantity("fraction", share, self._token_after(match.end())))
        return found


def vet_step(step: BaseModel, index: int, said: Said) -> str | None:
    """Why `step` is not grounded in the person's words, or None when every slot is."""
    fields = step.model_dump()
    defaults = {name: info.default for name, info in type(step).model_fields.items()}
    unknown = {key for key in set(fields) - _HANDLED if fields[key] != defaults.get(key)}
    if unknown:
        return f"the model filled {', '.join(sorted(unknown))}, which Steward cannot check"
    action = fields["action"]
    if not (said.has_stem(_ACTION_WORDS[action]) or _paid_to(fields, said)):
        return f"the model proposed to {action}, which your request does not say"
    if action in ("wrap", "unwrap") and "WETH" not in said.tokens and not said.has_stem("wrap"):
        return f"the model proposed to {action}, which your request does not say"
    for check in (_tokens, _chains, _wallet, _parties, _direction, _venue, _slippage, _deadline,
                  _shared_by):
        problem = check(fields, said)
        if problem:
            return problem
    if action == "batch":
        return _payments(step.payments, index, said)
    amount = getattr(step, "amount", None)
    if (action == "quote" and amount == Amount(kind="exact", value="1")
            and said.has_stem(_PRICE_WORDS)):
        return None  # "the price of eth" is the quote of one
    if amount is not None:
        return _amount(amount, _amount_tokens(fields, said), action, index, said)
    return None


def _paid_to(fields: dict, said: Said) -> bool:
    """A transfer said without a verb: '25 usdc to bob', '25 usdc → 0x…' (for a batch: every
    payment so)."""
    if fields["action"] == "batch":
        recipients = [payment["recipient"] for payment in fields["payments"]]
    else:
        recipients = [fields.get("recipient")] if fields["action"] == "transfer" else []
    if not recipients or not all(recipients):
        return False
    return all(re.search(rf"(?:\bto|→|->|=>)\s*(?:my\s+)?{re.escape(recipient.lower())}\b",
                         said.full) for recipient in recipients)


def _tokens(fields: dict, said: Said) -> str | None:
    for key in ("token", "token_in", "token_out"):
        token = fields.get(key)
        if token is None:
            continue
        if token.upper() not in said.context.tokens:
            return f"the model proposed the token {token}, which Steward does not know"
        if token.upper() not in said.tokens:
            return f"the model proposed the token {token}, which is not in your request"
    return None


def _chains(fields: dict, said: Said) -> str | None:
    for key in ("chain", "to_chain"):
        chain = fields.get(key)
        if chain is None:
            continue
        if chain not in said.context.chains:
            return f"the model proposed the chain {chain}, which Steward does not know"
        names = [chain, *said.context.chains[chain]]
        if not any(said.has(name) for name in names):
            return f"the model proposed the chain {chain}, which is not in your request"
    return None


def _wallet(fields: dict, said: Said) -> str | None:
    wallet = fields.get("wallet")
    if wallet is not None and (wallet not in said.context.wallets or not said.has(wallet)):
        return f"the model proposed your wallet '{wallet}', which is not in your request"
    return None


def _parties(fields: dict, said: Said) -> str | None:
    for key in ("recipient", "spender", "address"):
        value = fields.get(key)
        if value is None:
            continue
        if key == "spender" and value in ("router", "bridge"):
            words = r"router|dex|uniswap|swap|amm" if value == "router" else r"bridg"
            if not said.has_stem(words):
                return f"the model proposed the {value} as spender, which your request does not say"
            continue
        if value.lower().startswith("0x"):
            if value.lower() not in said.addresses:
                return f"the model proposed the address {value}, which is not in your request"
            continue
        name = value.removeprefix("wallet ")
        known = (said.context.wallets if value.startswith("wallet ") else said.context.contacts)
        if name not in known:
            return f"the model proposed '{value}', who is not in your address book"
        if not said.has(name):
            return f"the model proposed '{value}', who is not in your request"
    return None


def _direction(fields: dict, said: Said) -> str | None:
    """A swap's input and output as the words order them: 'sell eth for usdc', 'usdc for eth',
    'buy eth with usdc', 'eth using usdc'."""
    if fields["action"] != "swap":
        return None
    tin, tout = fields["token_in"].upper(), fields["token_out"].upper()
    if tin == tout:
        return f"the model proposed swapping {tin} for itself"
    at_in, at_out = said.position(tin), said.position(tout)
    if at_in is None or at_out is None:
        return None  # _tokens refuses a token that is not said
    first, later = min(at_in, at_out), max(at_in, at_out)
    clause = re.split(_CLAUSE_END, said.text[:first])[-1]
    just_before = " ".join(said.text[first:later].split()[-3:])
    if re.search(_BUYING, clause):
        out_first = True
    elif re.search(_SELLING, clause):
        out_first = False
    elif re.search(_BACKWARD, just_before):
        out_first = True
    elif re.search(_FORWARD, just_before):
        out_first = False
    else:
        return "the model proposed a swap whose direction your request does not make clear"
    if out_first == (at_out < at_in):
        return None
    return (f"the model proposed swapping {tin} for {tout}, which is not the way round your "
            "request says")


def _amount_tokens(fields: dict, said: Said) -> set[str]:
    """The token(s) the amount may be of."""
    action = fields["action"]
    if action in ("wrap", "unwrap"):
        return set(said.context.native.values()) | {"ETH", "WETH"}
    if action == "quote":
        return {fields["token_in"].upper(), fields["token_out"].upper()}
    if action == "swap":
        side = "token_in" if fields["amount_of"] == "in" else "token_out"
        return {fields[side].upper()}
    return {fields["token"].upper()}


def _amount(amount: Amount, tokens: set[str], action: str, index: int, said: Said) -> str | None:
    value = Fraction(amount.value)
    shown = f"{amount.value} ({amount.kind})"
    if amount.kind == "previous":
        if index == 0 or not _REFERENCE.search(said.text):
            return (f"the model proposed an amount taken from a previous step ({shown}), which "
                    "your request does not refer to")
        if value == 1 or any(q.kind == "fraction" and q.value == value for q in said.quantities):
            return None
        return f"the model proposed the share {shown}, which is not in your request"
    if action == "approve" and amount.kind != "exact":
        return f"the model proposed an approval of {shown}; Steward approves exact amounts only"
    matches = [q for q in said.quantities if q.kind == amount.kind and q.value == value]
    for quantity in matches:
        if quantity.token in tokens or (quantity.token is None and said.tokens & tokens and (
                len(said.tokens) == 1 or amount.kind == "fraction")):
            return None
    if matches:
        return (f"the model proposed {shown} of {' or '.join(sorted(tokens))}, but your request "
                f"says {amount.value} {matches[0].token or 'of another token'}")
    return f"the model proposed the amount {shown}, which is not in your request"


def _venue(fields: dict, said: Said) -> str | None:
    """A venue is one Steward has and the person named: by its words, or the family name
    ("uniswap") for any of its versions."""
    venue = fields.get("venue")
    if venue is None:
        return None
    known = said.context.venues
    if venue in known:
        words = [venue, *known[venue]]
    elif any(name.startswith(venue.lower() + "-") for name in known):
        words = [venue]
    else:
        return f"the model proposed the venue {venue}, which Steward does not know"
    if not any(said.has(word) for word in words):
        return f"the model proposed the venue {venue}, which your request does not name"
    return None


def _near_slippage(text: str, start: int, end: int) -> bool:
    """A slippage word within a few words of text[start:end] ("1% slippage", "slippage
    tolerance of 2 percent"), so an amount's percentage is never read as the slippage."""
    nearby = text[:start].split()[-5:] + text[end:].split()[:4]
    return any(word.startswith("slip") for word in nearby)


def _slippage(fields: dict, said: Said) -> str | None:
    bps = fields.get("slippage_bps")
    if bps is None:
        return None
    for match in _PERCENT.finditer(said.text):
        if not _near_slippage(said.text, match.start(), match.end()):
            continue
        number = match.group("number")
        value = Fraction(1, 2) if number.startswith("half") else Fraction(number)
        in_bps = value if match.group("unit").startswith(("b", "basis")) else value * 100
        if in_bps == bps:
            return None
    return (f"the model proposed a slippage of {Fraction(bps, 100)}%, which your request does "
            "not say")


def _deadline(fields: dict, said: Said) -> str | None:
    minutes = fields.get("deadline_minutes")
    if minutes is None:
        return None
    for match in _DURATION.finditer(said.text):
        number = match.group("number")
        value = (Fraction(1, 2) if number.startswith("half") else
                 Fraction(1) if number in ("a", "an", "one") else Fraction(number))
        unit = match.group("unit")
        scale = next(per for prefix, per in _MINUTES.items() if unit.startswith(prefix))
        if value * scale == minutes:
            return None
    return f"the model proposed a deadline of {minutes} minutes, which your request does not say"


def _shared_by(fields: dict, said: Said) -> str | None:
    """A split's recipients: each said, each in the address book (or an address said)."""
    for recipient in fields.get("recipients") or []:
        problem = _parties({"recipient": recipient}, said)
        if problem:
            return problem
    return None


def _payments(payments: list, index: int, said: Said) -> str | None:
    """Each payment of a batch vetted like a transfer; and no recipient, and no amount, used
    by more payments than the words allow (a model must not add a second payment to alice, or
    pay one said amount twice without "each")."""
    for number, payment in enumerate(payments, 1):
        line = {"action": "transfer", "token": payment.token, "recipient": payment.recipient}
        problem = (_tokens(line, said) or _parties(line, said)
                   or _amount(payment.amount, {payment.token.upper()}, "transfer", index, said))
        if problem:
            return f"payment {number}: {problem}"
    for recipient in {payment.recipient.lower() for payment in payments}:
        paid = sum(payment.recipient.lower() == recipient for payment in payments)
        name = recipient.removeprefix("wallet ")
        named = len(re.findall(rf"(?<![a-z0-9_-]){re.escape(name)}(?![a-z0-9_-])", said.full))
        if paid > named:
            return (f"the model proposed {paid} payments to {recipient}, but your request names "
                    f"them {named} time{'s' if named != 1 else ''}")
    if re.search(_EACH, said.text):
        return None
    for amount in {(payment.amount.kind, Fraction(payment.amount.value)) for payment in payments}:
        used = sum((p.amount.kind, Fraction(p.amount.value)) == amount for p in payments)
        stated = sum((q.kind, q.value) == amount for q in said.quantities)
        if amount[0] != "previous" and used > stated:
            return (f"the model proposed {used} payments of {amount[1]} ({amount[0]}), but your "
                    f"request says that amount {stated} time{'s' if stated != 1 else ''}")
    return None
