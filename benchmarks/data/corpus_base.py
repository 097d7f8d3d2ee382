"""Shared pieces of the intents corpus: amounts, addresses, intent builders and row makers.

Every row is `{"text", "expected", "tags"}`. `expected` is an intent dumped in the normal form
of docs/intents.md (`model_dump(mode="json", exclude_defaults=False)`), or
`{"action": "clarify", "question_contains"?: word}`. Tags: the expected action first, then
`kind:<kind>` (which part of issue 20's spec the row exercises) and `style:<style>` (how the
person wrote it), then free tags (`attack`, `safety`, `generated`, ...).

The context is `steward.intents.parser.sandbox_context()`: chains sandbox-l1 / sandbox-l2,
tokens ETH USDC USDT WETH, contacts alice bob carol, wallets main savings, the token addresses
below, venues uniswap-v3 and uniswap-v2.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from web3 import Web3

from steward.intents import (Amount, Approve, Balance, Batch, Bridge, Payment, Quote, Revoke,
                             Sequence, Split, Swap, Transfer, Unwrap, Wrap)

L1, L2 = "sandbox-l1", "sandbox-l2"
V3, V2 = "uniswap-v3", "uniswap-v2"

KINDS = ("batch", "split", "question", "venue", "courtesy", "pronoun", "verbs", "slippage",
         "deadline", "token_address", "coin_as_chain", "chain_scope", "read_then_act",
         "approval_phrasing", "address_case", "basic")
STYLES = ("terse", "chatty", "formal", "typo", "non_native", "plain")

__all__ = ["L1", "L2", "V3", "V2", "KINDS", "STYLES", "E", "U", "F", "P", "W", "LOW", "CS", "UP",
           "BAD", "TOKEN_AT", "TOKEN_AT_LOW", "DAI_AT", "bad_checksum", "all_caps", "Ask", "pays",
           "split", "seq", "intent_row", "clarify_row", "emit", "Approve", "Balance", "Batch",
           "Bridge", "Quote", "Revoke", "Sequence", "Split", "Swap", "Transfer", "Unwrap", "Wrap"]


def _canonical(value: str) -> str:
    """Decimal text without exponent or trailing zeros, as the normal form wants it."""
    text = format(Decimal(value).normalize(), "f")
    return text


def E(v: str) -> Amount:
    return Amount(kind="exact", value=_canonical(v))


def U(v: str) -> Amount:
    return Amount(kind="usd", value=_canonical(v))


def F(v: str) -> Amount:
    return Amount(kind="fraction", value=_canonical(v))


def P(v: str) -> Amount:
    return Amount(kind="previous", value=_canonical(v))


def W(name: str) -> str:
    """An own wallet as a recipient."""
    return f"wallet {name}"


# Real-looking addresses: as typed lower-case, their EIP-55 form, and ALL CAPS.
_RAW = ["0x742d35cc6634c0532925a3b844bc454e4438f44e", "0xd8da6bf26964af9d7eed9e03e53415d37aa96045",
        "0xab5801a7d398351b8be11c439e05c5b3259aec9b", "0x3fc91a3afd70395cd496c647d5a6cc9d4b2b7fad",
        "0xbe0eb53f46cd790cd13851d5eff43d12404d33e8", "0x1f9840a85d5af5bf1d1762f925bdaddc4201f984",
        "0x7a250d5630b4cf539739df2c5dacb4c659f2488d"]
LOW = _RAW
CS = [Web3.to_checksum_address(a) for a in _RAW]


def all_caps(addr: str) -> str:
    """The hex digits in capitals (no checksum can be read from it)."""
    return "0x" + addr[2:].upper()


UP = [all_caps(a) for a in _RAW]


def bad_checksum(addr: str) -> str:
    """Flip the case of the first letter after 0x: mixed case with a wrong EIP-55 checksum."""
    body = list(addr[2:])
    for i, ch in enumerate(body):
        if ch.isalpha():
            body[i] = ch.lower() if ch.isupper() else ch.upper()
            break
    bad = "0x" + "".join(body)
    assert bad != Web3.to_checksum_address(bad) and bad.lower() != bad
    return bad


BAD = [bad_checksum(a) for a in CS]

# The sandbox's registry token addresses (EIP-55), per chain and symbol.
TOKEN_AT = {
    L1: {"USDC": "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48",
         "USDT": "0xdAC17F958D2ee523a2206206994597C13D831ec7",
         "WETH": "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2"},
    L2: {"USDC": "0x0b2C639c533813f4Aa9D7837CAf62653d097Ff85",
         "USDT": "0x94b008aA00579c1307B0EF2c499aD98a8ce58e58",
         "WETH": "0x4200000000000000000000000000000000000006"},
}
TOKEN_AT_LOW = {chain: {sym: a.lower() for sym, a in m.items()} for chain, m in TOKEN_AT.items()}
DAI_AT = "0x6B175474E89094C44Da98b954EedeAC495271d0F"  # a real token, not in the registry
for _chain, _m in TOKEN_AT.items():
    for _a in _m.values():
        assert Web3.to_checksum_address(_a) == _a


# ------------------------------------------------------------------ intent builders
def pays(*lines: tuple[Amount, str, str], chain: str | None = None, wallet: str | None = None) -> Batch:
    """A Batch from (amount, token, recipient) lines, in the order written."""
    return Batch(payments=[Payment(amount=a, token=t, recipient=r) for a, t, r in lines],
                 chain=chain, wallet=wallet)


def split(amount: Amount, token: str, *recipients: str, chain: str | None = None,
          wallet: str | None = None) -> Split:
    return Split(amount=amount, token=token, recipients=list(recipients), chain=chain, wallet=wallet)


def seq(*steps) -> Sequence:
    return Sequence(steps=list(steps))


@dataclass(frozen=True)
class Ask:
    """The request must give a clarification; its question contains `fragment` when given."""

    fragment: str | None = None


# ------------------------------------------------------------------ rows
def _tags(action: str, kind: str, style: str, extra) -> list[str]:
    assert kind in KINDS, kind
    assert style in STYLES, style
    return [action, f"kind:{kind}", f"style:{style}", *extra]


def intent_row(text: str, intent, kind: str, style: str, extra=()) -> dict:
    return {"text": text, "expected": intent.model_dump(mode="json", exclude_defaults=False),
            "tags": _tags(intent.action, kind, style, extra)}


def clarify_row(text: str, fragment: str | None, kind: str, style: str, extra=()) -> dict:
    expected: dict = {"action": "clarify"}
    if fragment:
        expected["question_contains"] = fragment
    return {"text": text, "expected": expected, "tags": _tags("clarify", kind, style, extra)}


def emit(kind: str, items: list[tuple]) -> list[dict]:
    """Rows from (text, intent or Ask, style[, extra tags]) tuples of one kind."""
    out = []
    for item in items:
        text, expected, style, *rest = item
        extra = rest[0] if rest else ()
        if isinstance(expected, Ask):
            out.append(clarify_row(text, expected.fragment, kind, style, extra))
        else:
            out.append(intent_row(text, expected, kind, style, extra))
    return out
