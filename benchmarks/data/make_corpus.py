"""Generate `intents_corpus.jsonl`: plain-language requests and the intent each must parse to.

This is the DEVELOPMENT corpus (the parser is tuned on it). Every expected intent is built with
the models of `steward.intents` and serialized with `model_dump(mode="json",
exclude_defaults=False)`, so it is in the normal form of docs/intents.md by construction.
Requests that must not become an action expect `{"action": "clarify"}`, optionally with
`question_contains` (a word the question must name).

Tags: the expected action first, then `kind:<kind>` (the part of issue 20's spec a row
exercises; the rows of the first corpus are `kind:basic`), `style:<style>` (terse, chatty,
formal, typo, non_native, plain), then free tags (`attack`, `safety`, `generated`, ...).
The rows written for issue 20 live in kinds_compound.py, kinds_words.py, kinds_safety.py,
kinds_framing.py, kinds_hypothetical.py (by hand) and kinds_generated.py (templates × vocabulary × styles, seeded);
corpus_base.py holds the shared pieces.

Run:  .venv/bin/python benchmarks/data/make_corpus.py     (rewrites the .jsonl next to it)
      .venv/bin/python benchmarks/data/make_corpus.py --renormalize FILE.jsonl
          (re-dumps every expected intent of FILE through the models, in place: a one-off
           migration to the current normal form that changes no text and no meaning)
The context is the sandbox one: chains sandbox-l1 / sandbox-l2, tokens ETH USDC USDT WETH,
contacts alice bob carol, wallets main savings.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import kinds_compound  # noqa: E402
import kinds_framing  # noqa: E402
import kinds_generated  # noqa: E402
import kinds_hypothetical  # noqa: E402
import kinds_safety  # noqa: E402
import kinds_words  # noqa: E402
from corpus_base import (BAD, CS, L1, L2, LOW, UP, E, F, P, U, W)  # noqa: E402,F401
from steward.intents import (Approve, Balance, Bridge, Quote, Revoke, Sequence, Swap,  # noqa: E402
                             Transfer, Unwrap, Wrap)

OUT = Path(__file__).with_name("intents_corpus.jsonl")

rows: list[dict] = []
_STYLE_OF = {"typo": "typo", "terse": "terse", "chatty": "chatty", "formal": "formal"}


def _legacy_tags(action: str, extra: list[str]) -> list[str]:
    """The first corpus's rows: kind:basic unless a kind is given, style from their tags."""
    kind = next((t for t in extra if t.startswith("kind:")), "kind:basic")
    style = next((_STYLE_OF[t] for t in extra if t in _STYLE_OF), "plain")
    return [action, kind, f"style:{style}", *(t for t in extra if not t.startswith("kind:"))]


def add(action: str, items: list[tuple]) -> None:
    for item in items:
        text, intent, *extra = item
        rows.append({"text": text, "expected": intent.model_dump(mode="json", exclude_defaults=False),
                     "tags": _legacy_tags(action, list(extra[0]) if extra else [])})


def clarify(items: list[tuple]) -> None:
    for item in items:
        text, fragment, *extra = item
        expected: dict = {"action": "clarify"}
        if fragment:
            expected["question_contains"] = fragment
        rows.append({"text": text, "expected": expected,
                     "tags": _legacy_tags("clarify", list(extra[0]) if extra else [])})


# ---------------------------------------------------------------- transfer
T = Transfer
add("transfer", [
    ("send 25 USDC to bob", T(amount=E("25"), token="USDC", recipient="bob")),
    ("25 usdc -> bob", T(amount=E("25"), token="USDC", recipient="bob"), ["terse"]),
    ("25 usdc to bob", T(amount=E("25"), token="USDC", recipient="bob"), ["terse"]),
    ("send bob 25 usdc", T(amount=E("25"), token="USDC", recipient="bob"), ["order"]),
    ("hey could you please send bob 25 usdc on the l2 thanks",
     T(amount=E("25"), token="USDC", recipient="bob", chain=L2), ["chatty", "chain"]),
    ("pay alice 10 usdt", T(amount=E("10"), token="USDT", recipient="alice"), ["order"]),
    ("Pay 10 USDT to Alice.", T(amount=E("10"), token="USDT", recipient="alice")),
    ("give carol 3 eth", T(amount=E("3"), token="ETH", recipient="carol"), ["order"]),
    ("give 3 eth to carol", T(amount=E("3"), token="ETH", recipient="carol")),
    ("transfer 0.5 ETH to alice", T(amount=E("0.5"), token="ETH", recipient="alice")),
    ("Transfer 100 USDC to Bob on sandbox-l1", T(amount=E("100"), token="USDC", recipient="bob", chain=L1),
     ["chain"]),
    ("send 100 usdc to bob on l1", T(amount=E("100"), token="USDC", recipient="bob", chain=L1), ["chain"]),
    ("send 100 usdc to bob on the l1", T(amount=E("100"), token="USDC", recipient="bob", chain=L1), ["chain"]),
    ("send 100 usdc to bob on layer 1", T(amount=E("100"), token="USDC", recipient="bob", chain=L1), ["chain"]),
    ("send 100 usdc to bob on layer one", T(amount=E("100"), token="USDC", recipient="bob", chain=L1),
     ["chain"]),
    ("send 100 usdc to bob on sandbox l1", T(amount=E("100"), token="USDC", recipient="bob", chain=L1),
     ["chain"]),
    ("send 40 usdt to carol on l2", T(amount=E("40"), token="USDT", recipient="carol", chain=L2), ["chain"]),
    ("send 40 usdt to carol on layer 2", T(amount=E("40"), token="USDT", recipient="carol", chain=L2),
     ["chain"]),
    ("send 40 usdt to carol on sandbox-l2", T(amount=E("40"), token="USDT", recipient="carol", chain=L2),
     ["chain"]),
    ("on the l2, send carol 40 usdt", T(amount=E("40"), token="USDT", recipient="carol", chain=L2),
     ["chain", "order"]),
    ("send 100 usdc to bob from l1", T(amount=E("100"), token="USDC", recipient="bob", chain=L1),
     ["chain"]),
    ("I'd like to send 1,000 USDC to alice", T(amount=E("1000"), token="USDC", recipient="alice"),
     ["commas", "filler"]),
    ("send 12,500 usdt to bob", T(amount=E("12500"), token="USDT", recipient="bob"), ["commas"]),
    ("transfer 1,234.5 usdc to carol", T(amount=E("1234.5"), token="USDC", recipient="carol"), ["commas"]),
    ("send 1k usdc to bob", T(amount=E("1000"), token="USDC", recipient="bob"), ["suffix"]),
    ("send 2.5k usdt to alice", T(amount=E("2500"), token="USDT", recipient="alice"), ["suffix"]),
    ("pay carol 1m usdc", T(amount=E("1000000"), token="USDC", recipient="carol"), ["suffix"]),
    ("send 10K USDC to bob", T(amount=E("10000"), token="USDC", recipient="bob"), ["suffix"]),
    ("send five usdc to bob", T(amount=E("5"), token="USDC", recipient="bob"), ["words"]),
    ("send twenty five usdc to alice", T(amount=E("25"), token="USDC", recipient="alice"), ["words"]),
    ("send a hundred usdt to carol", T(amount=E("100"), token="USDT", recipient="carol"), ["words"]),
    ("pay bob a thousand usdc", T(amount=E("1000"), token="USDC", recipient="bob"), ["words", "order"]),
    ("send a dozen usdc to alice", T(amount=E("12"), token="USDC", recipient="alice"), ["words"]),
    ("give bob ten usdt", T(amount=E("10"), token="USDT", recipient="bob"), ["words", "order"]),
    ("send two eth to carol", T(amount=E("2"), token="ETH", recipient="carol"), ["words"]),
    ("send $25 of usdc to bob", T(amount=U("25"), token="USDC", recipient="bob"), ["usd"]),
    ("send bob $20 in eth", T(amount=U("20"), token="ETH", recipient="bob"), ["usd", "order"]),
    ("send 50 dollars worth of eth to alice", T(amount=U("50"), token="ETH", recipient="alice"), ["usd"]),
    ("send $25 USDC to carol", T(amount=U("25"), token="USDC", recipient="carol"), ["usd"]),
    ("transfer $100 worth of USDT to bob", T(amount=U("100"), token="USDT", recipient="bob"), ["usd"]),
    ("send 30 usd of eth to bob", T(amount=U("30"), token="ETH", recipient="bob"), ["usd"]),
    ("send half my usdc to bob", T(amount=F("0.5"), token="USDC", recipient="bob"), ["fraction"]),
    ("send half of my eth to alice", T(amount=F("0.5"), token="ETH", recipient="alice"), ["fraction"]),
    ("give carol a quarter of my usdt", T(amount=F("0.25"), token="USDT", recipient="carol"), ["fraction"]),
    ("send 10% of my usdc to bob", T(amount=F("0.1"), token="USDC", recipient="bob"), ["fraction"]),
    ("send 25% of my eth to carol on l2", T(amount=F("0.25"), token="ETH", recipient="carol", chain=L2),
     ["fraction", "chain"]),
    ("send all my usdt to alice", T(amount=F("1"), token="USDT", recipient="alice"), ["fraction"]),
    ("send bob all my eth", T(amount=F("1"), token="ETH", recipient="bob"), ["fraction", "order"]),
    ("transfer max usdc to carol", T(amount=F("1"), token="USDC", recipient="carol"), ["fraction"]),
    ("send the whole usdc balance to bob", T(amount=F("1"), token="USDC", recipient="bob"), ["fraction"]),
    ("sned 5 usdc to bob", T(amount=E("5"), token="USDC", recipient="bob"), ["typo"]),
    ("snd 5 usdc to bob", T(amount=E("5"), token="USDC", recipient="bob"), ["typo"]),
    ("trasnfer 2 eth to alice", T(amount=E("2"), token="ETH", recipient="alice"), ["typo"]),
    ("tranfer 50 usdt to carol", T(amount=E("50"), token="USDT", recipient="carol"), ["typo"]),
    ("semd 15 usdc to bob pls", T(amount=E("15"), token="USDC", recipient="bob"), ["typo", "chatty"]),
    ("send 1 ether to bob", T(amount=E("1"), token="ETH", recipient="bob"), ["token-alias"]),
    ("send 100 tether to alice", T(amount=E("100"), token="USDT", recipient="alice"), ["token-alias"]),
    ("send 100 usd coin to carol", T(amount=E("100"), token="USDC", recipient="carol"), ["token-alias"]),
    ("send 0.25 weth to bob", T(amount=E("0.25"), token="WETH", recipient="bob")),
    ("send 25.50 usdc to bob", T(amount=E("25.5"), token="USDC", recipient="bob"), ["normal-form"]),
    ("send 100.00 usdt to alice", T(amount=E("100"), token="USDT", recipient="alice"), ["normal-form"]),
    ("send 0.010 eth to carol", T(amount=E("0.01"), token="ETH", recipient="carol"), ["normal-form"]),
    ("send 25 usdc to my savings wallet", T(amount=E("25"), token="USDC", recipient=W("savings")),
     ["own-wallet"]),
    ("move 50 usdt to savings", T(amount=E("50"), token="USDT", recipient=W("savings")), ["own-wallet"]),
    ("send 1 eth to my savings", T(amount=E("1"), token="ETH", recipient=W("savings")), ["own-wallet"]),
    ("transfer 1 eth from main to savings",
     T(amount=E("1"), token="ETH", recipient=W("savings"), wallet="main"), ["own-wallet", "source-wallet"]),
    ("send 200 usdc to my main wallet from savings",
     T(amount=E("200"), token="USDC", recipient=W("main"), wallet="savings"), ["own-wallet", "source-wallet"]),
    ("put 300 usdc into my savings wallet", T(amount=E("300"), token="USDC", recipient=W("savings")),
     ["own-wallet"]),
    ("send 25 usdc to bob from savings", T(amount=E("25"), token="USDC", recipient="bob", wallet="savings"),
     ["source-wallet"]),
    ("pay alice 10 usdt from my savings wallet",
     T(amount=E("10"), token="USDT", recipient="alice", wallet="savings"), ["source-wallet"]),
    ("from main, send carol 0.1 eth on l2",
     T(amount=E("0.1"), token="ETH", recipient="carol", wallet="main", chain=L2),
     ["source-wallet", "chain", "order"]),
    (f"send 0.1 eth to {CS[0]}", T(amount=E("0.1"), token="ETH", recipient=CS[0]), ["address"]),
    (f"send 50 usdc to {LOW[1]}", T(amount=E("50"), token="USDC", recipient=CS[1]), ["address", "lowercase"]),
    (f"pay {CS[4]} 1.5 eth", T(amount=E("1.5"), token="ETH", recipient=CS[4]), ["address", "order"]),
    (f"please send 20 usdc to {LOW[4]} from savings",
     T(amount=E("20"), token="USDC", recipient=CS[4], wallet="savings"), ["address", "source-wallet"]),
    (f"send 2k usdc to address {CS[2]}", T(amount=E("2000"), token="USDC", recipient=CS[2]),
     ["address", "suffix"]),
    ("Please transfer 250 USDC to Carol.", T(amount=E("250"), token="USDC", recipient="carol"), ["formal"]),
    ("Kindly transfer 0.75 ETH to Alice on sandbox-l2.",
     T(amount=E("0.75"), token="ETH", recipient="alice", chain=L2), ["formal", "chain"]),
    ("I would like to transfer 500 USDT to bob, please.", T(amount=E("500"), token="USDT", recipient="bob"),
     ["formal", "filler"]),
    ("can you send 10 usdc to alice for me?", T(amount=E("10"), token="USDC", recipient="alice"),
     ["chatty", "filler"]),
    ("yo send carol 5 usdt", T(amount=E("5"), token="USDT", recipient="carol"), ["chatty", "order"]),
    ("I want to send 5 USDC to bob!!", T(amount=E("5"), token="USDC", recipient="bob"), ["filler"]),
    ("could you pay bob 12 usdc on layer two please", T(amount=E("12"), token="USDC", recipient="bob", chain=L2),
     ["chatty", "chain"]),
    ("SEND 3 ETH TO ALICE", T(amount=E("3"), token="ETH", recipient="alice"), ["caps"]),
    ("send .5 eth to bob", T(amount=E("0.5"), token="ETH", recipient="bob"), ["normal-form"]),
    ("send 7 usdc to carol on sandbox l2 from my main wallet",
     T(amount=E("7"), token="USDC", recipient="carol", chain=L2, wallet="main"), ["chain", "source-wallet"]),
])

# ---------------------------------------------------------------- swap
S = Swap
add("swap", [
    ("swap 100 USDC for ETH", S(amount=E("100"), token_in="USDC", token_out="ETH")),
    ("swap 100 usdc to eth", S(amount=E("100"), token_in="USDC", token_out="ETH")),
    ("swap 100 usdc into eth", S(amount=E("100"), token_in="USDC", token_out="ETH")),
    ("trade 100 usdc for eth", S(amount=E("100"), token_in="USDC", token_out="ETH")),
    ("exchange 250 usdt for usdc", S(amount=E("250"), token_in="USDT", token_out="USDC")),
    ("convert 500 usdc to usdt", S(amount=E("500"), token_in="USDC", token_out="USDT")),
    ("convert 1 eth into usdc", S(amount=E("1"), token_in="ETH", token_out="USDC")),
    ("sell 1 ETH for USDC", S(amount=E("1"), token_in="ETH", token_out="USDC")),
    ("sell 0.3 weth for usdt", S(amount=E("0.3"), token_in="WETH", token_out="USDT")),
    ("buy ETH with 100 USDC", S(amount=E("100"), token_in="USDC", token_out="ETH"), ["buy"]),
    ("buy eth with 2k usdt", S(amount=E("2000"), token_in="USDT", token_out="ETH"), ["buy", "suffix"]),
    ("buy usdc with 1 eth", S(amount=E("1"), token_in="ETH", token_out="USDC"), ["buy"]),
    ("100 usdc -> eth", S(amount=E("100"), token_in="USDC", token_out="ETH"), ["terse"]),
    ("swap 100 usdc > eth", S(amount=E("100"), token_in="USDC", token_out="ETH"), ["terse"]),
    ("swap 1,500 usdt for eth", S(amount=E("1500"), token_in="USDT", token_out="ETH"), ["commas"]),
    ("swap 1k usdc for eth", S(amount=E("1000"), token_in="USDC", token_out="ETH"), ["suffix"]),
    ("trade 2.5k usdc for usdt", S(amount=E("2500"), token_in="USDC", token_out="USDT"), ["suffix"]),
    ("swap fifty usdc for eth", S(amount=E("50"), token_in="USDC", token_out="ETH"), ["words"]),
    ("swap a hundred usdt to usdc", S(amount=E("100"), token_in="USDT", token_out="USDC"), ["words"]),
    ("swap twenty five usdc for eth", S(amount=E("25"), token_in="USDC", token_out="ETH"), ["words"]),
    ("sell a dozen usdc for eth", S(amount=E("12"), token_in="USDC", token_out="ETH"), ["words"]),
    ("swap $50 of usdc for eth", S(amount=U("50"), token_in="USDC", token_out="ETH"), ["usd"]),
    ("swap $200 worth of eth for usdc", S(amount=U("200"), token_in="ETH", token_out="USDC"), ["usd"]),
    ("sell 100 dollars worth of eth for usdt", S(amount=U("100"), token_in="ETH", token_out="USDT"), ["usd"]),
    ("swap 75 usd of eth to usdc", S(amount=U("75"), token_in="ETH", token_out="USDC"), ["usd"]),
    ("buy $50 of ETH with USDC", S(amount=U("50"), token_in="USDC", token_out="ETH", amount_of="out"),
     ["usd", "buy", "out"]),
    ("swap half my usdc for eth", S(amount=F("0.5"), token_in="USDC", token_out="ETH"), ["fraction"]),
    ("swap half of my eth to usdt", S(amount=F("0.5"), token_in="ETH", token_out="USDT"), ["fraction"]),
    ("swap a quarter of my usdt for eth", S(amount=F("0.25"), token_in="USDT", token_out="ETH"), ["fraction"]),
    ("trade 10% of my eth for usdc", S(amount=F("0.1"), token_in="ETH", token_out="USDC"), ["fraction"]),
    ("sell all my weth for usdc", S(amount=F("1"), token_in="WETH", token_out="USDC"), ["fraction"]),
    ("trade all of my usdt for usdc", S(amount=F("1"), token_in="USDT", token_out="USDC"), ["fraction"]),
    ("buy eth with all my usdc", S(amount=F("1"), token_in="USDC", token_out="ETH"), ["fraction", "buy"]),
    ("buy eth with half my usdt", S(amount=F("0.5"), token_in="USDT", token_out="ETH"), ["fraction", "buy"]),
    ("swap max usdc for eth", S(amount=F("1"), token_in="USDC", token_out="ETH"), ["fraction"]),
    ("swap 100 usdc for eth on l2", S(amount=E("100"), token_in="USDC", token_out="ETH", chain=L2), ["chain"]),
    ("swap 100 usdc for eth on the l1", S(amount=E("100"), token_in="USDC", token_out="ETH", chain=L1),
     ["chain"]),
    ("on layer 2 swap 40 usdt for eth", S(amount=E("40"), token_in="USDT", token_out="ETH", chain=L2),
     ["chain", "order"]),
    ("sell 2 eth for usdc on sandbox-l1", S(amount=E("2"), token_in="ETH", token_out="USDC", chain=L1),
     ["chain"]),
    ("swap 100 usdc for eth from savings",
     S(amount=E("100"), token_in="USDC", token_out="ETH", wallet="savings"), ["source-wallet"]),
    ("trade 0.5 eth for usdc from my savings wallet on layer one",
     S(amount=E("0.5"), token_in="ETH", token_out="USDC", wallet="savings", chain=L1),
     ["source-wallet", "chain"]),
    ("swpa 100 usdc for eth", S(amount=E("100"), token_in="USDC", token_out="ETH"), ["typo"]),
    ("swp 20 usdt to usdc", S(amount=E("20"), token_in="USDT", token_out="USDC"), ["typo"]),
    ("exchnage 1 eth for usdc", S(amount=E("1"), token_in="ETH", token_out="USDC"), ["typo"]),
    ("trde 300 usdc for usdt", S(amount=E("300"), token_in="USDC", token_out="USDT"), ["typo"]),
    ("swap 1 ether for usd coin", S(amount=E("1"), token_in="ETH", token_out="USDC"), ["token-alias"]),
    ("convert 100 tether to ether", S(amount=E("100"), token_in="USDT", token_out="ETH"), ["token-alias"]),
    ("hey can you swap 100 usdc for some eth please", S(amount=E("100"), token_in="USDC", token_out="ETH"),
     ["chatty"]),
    ("I'd like to exchange 500 USDT for USDC, thank you.",
     S(amount=E("500"), token_in="USDT", token_out="USDC"), ["formal", "filler"]),
    ("Please swap 0.25 ETH to USDC on sandbox l2.",
     S(amount=E("0.25"), token_in="ETH", token_out="USDC", chain=L2), ["formal", "chain"]),
    ("I want to sell 1000 USDT and buy ETH", S(amount=E("1000"), token_in="USDT", token_out="ETH"), ["filler"]),
    ("swap 99.90 usdc for eth", S(amount=E("99.9"), token_in="USDC", token_out="ETH"), ["normal-form"]),
    # amount of the output token
    ("buy 0.5 ETH with USDC", S(amount=E("0.5"), token_in="USDC", token_out="ETH", amount_of="out"),
     ["buy", "out"]),
    ("get me 0.5 ETH for USDC", S(amount=E("0.5"), token_in="USDC", token_out="ETH", amount_of="out"),
     ["out"]),
    ("buy 1 eth with usdt", S(amount=E("1"), token_in="USDT", token_out="ETH", amount_of="out"),
     ["buy", "out"]),
    ("buy 1k usdc with eth", S(amount=E("1000"), token_in="ETH", token_out="USDC", amount_of="out"),
     ["buy", "out", "suffix"]),
    ("buy 2 weth with usdc on l2",
     S(amount=E("2"), token_in="USDC", token_out="WETH", amount_of="out", chain=L2), ["buy", "out", "chain"]),
    ("buy 500 usdt using eth", S(amount=E("500"), token_in="ETH", token_out="USDT", amount_of="out"),
     ["buy", "out"]),
    ("I'd like to buy 1000 USDC using ETH", S(amount=E("1000"), token_in="ETH", token_out="USDC",
                                               amount_of="out"), ["buy", "out", "filler"]),
    ("get me 3 eth for usdc from savings",
     S(amount=E("3"), token_in="USDC", token_out="ETH", amount_of="out", wallet="savings"),
     ["out", "source-wallet"]),
    ("buy a hundred usdt with usdc", S(amount=E("100"), token_in="USDC", token_out="USDT", amount_of="out"),
     ["buy", "out", "words"]),
    ("could you buy me 0.1 eth with usdc?", S(amount=E("0.1"), token_in="USDC", token_out="ETH",
                                               amount_of="out"), ["buy", "out", "chatty"]),
    ("buy 0.75 eth paying with usdt", S(amount=E("0.75"), token_in="USDT", token_out="ETH", amount_of="out"),
     ["buy", "out"]),
    ("by 1 eth with usdc", S(amount=E("1"), token_in="USDC", token_out="ETH", amount_of="out"),
     ["buy", "out", "typo"]),
])

# ---------------------------------------------------------------- bridge
B = Bridge
add("bridge", [
    ("bridge 100 USDC to the l2", B(amount=E("100"), token="USDC", to_chain=L2)),
    ("bridge 100 usdc to l2", B(amount=E("100"), token="USDC", to_chain=L2)),
    ("bridge 100 usdc to layer 2", B(amount=E("100"), token="USDC", to_chain=L2)),
    ("bridge 100 usdc to layer two", B(amount=E("100"), token="USDC", to_chain=L2)),
    ("bridge 100 usdc to sandbox-l2", B(amount=E("100"), token="USDC", to_chain=L2)),
    ("bridge 100 usdc to sandbox l2", B(amount=E("100"), token="USDC", to_chain=L2)),
    ("move 100 USDC to the l2", B(amount=E("100"), token="USDC", to_chain=L2)),
    ("move 0.5 eth over to layer 2", B(amount=E("0.5"), token="ETH", to_chain=L2)),
    ("send 100 USDC from l1 to l2", B(amount=E("100"), token="USDC", to_chain=L2, chain=L1), ["send"]),
    ("send 100 usdc to l2", B(amount=E("100"), token="USDC", to_chain=L2), ["send"]),
    ("send 20 usdt to the l1", B(amount=E("20"), token="USDT", to_chain=L1), ["send"]),
    ("transfer 1 eth from layer one to layer two", B(amount=E("1"), token="ETH", to_chain=L2, chain=L1),
     ["send"]),
    ("bridge 0.5 eth from layer 1 to layer 2", B(amount=E("0.5"), token="ETH", to_chain=L2, chain=L1)),
    ("bridge 100 usdc from the l2 back to the l1", B(amount=E("100"), token="USDC", to_chain=L1, chain=L2)),
    ("bridge 50 usdt to l1", B(amount=E("50"), token="USDT", to_chain=L1)),
    ("bridge 2 weth to the l1", B(amount=E("2"), token="WETH", to_chain=L1)),
    ("bridge 100 usdc l1 -> l2", B(amount=E("100"), token="USDC", to_chain=L2, chain=L1), ["terse"]),
    ("100 usdc l2 -> l1", B(amount=E("100"), token="USDC", to_chain=L1, chain=L2), ["terse"]),
    ("bridge 1,000 usdc to l2", B(amount=E("1000"), token="USDC", to_chain=L2), ["commas"]),
    ("bridge 5k usdt to the l2", B(amount=E("5000"), token="USDT", to_chain=L2), ["suffix"]),
    ("bridge 1.5k usdc from sandbox-l1 to sandbox-l2", B(amount=E("1500"), token="USDC", to_chain=L2, chain=L1),
     ["suffix"]),
    ("bridge ten usdc to l2", B(amount=E("10"), token="USDC", to_chain=L2), ["words"]),
    ("bridge a thousand usdt to layer 2", B(amount=E("1000"), token="USDT", to_chain=L2), ["words"]),
    ("bridge $500 of usdc to l2", B(amount=U("500"), token="USDC", to_chain=L2), ["usd"]),
    ("bridge $100 worth of eth to the l2", B(amount=U("100"), token="ETH", to_chain=L2), ["usd"]),
    ("bridge half my eth to l2", B(amount=F("0.5"), token="ETH", to_chain=L2), ["fraction"]),
    ("bridge half of my usdc to the l1", B(amount=F("0.5"), token="USDC", to_chain=L1), ["fraction"]),
    ("bridge all my usdt to l2", B(amount=F("1"), token="USDT", to_chain=L2), ["fraction"]),
    ("move everything in usdc to l2", B(amount=F("1"), token="USDC", to_chain=L2), ["fraction"]),
    ("bridge 10% of my eth to layer 2", B(amount=F("0.1"), token="ETH", to_chain=L2), ["fraction"]),
    ("bridge a quarter of my usdc from l1 to l2", B(amount=F("0.25"), token="USDC", to_chain=L2, chain=L1),
     ["fraction"]),
    ("bridge max eth to the l1", B(amount=F("1"), token="ETH", to_chain=L1), ["fraction"]),
    ("move 100 usdc to the l2 from savings", B(amount=E("100"), token="USDC", to_chain=L2, wallet="savings"),
     ["source-wallet"]),
    ("bridge 0.2 eth to l2 from my savings wallet", B(amount=E("0.2"), token="ETH", to_chain=L2,
                                                      wallet="savings"), ["source-wallet"]),
    ("brige 100 usdc to l2", B(amount=E("100"), token="USDC", to_chain=L2), ["typo"]),
    ("bridg 50 usdt to layer 2", B(amount=E("50"), token="USDT", to_chain=L2), ["typo"]),
    ("birdge 1 eth to the l2", B(amount=E("1"), token="ETH", to_chain=L2), ["typo"]),
    ("bridge 1 ether to l2", B(amount=E("1"), token="ETH", to_chain=L2), ["token-alias"]),
    ("bridge 300 tether to layer one", B(amount=E("300"), token="USDT", to_chain=L1), ["token-alias"]),
    ("hey can you bridge 100 usdc over to the l2 for me? thanks!", B(amount=E("100"), token="USDC",
                                                                    to_chain=L2), ["chatty", "filler"]),
    ("I would like to bridge 250 USDT from sandbox-l1 to sandbox-l2.",
     B(amount=E("250"), token="USDT", to_chain=L2, chain=L1), ["formal"]),
    ("Please move 0.05 ETH from the L2 to the L1.", B(amount=E("0.05"), token="ETH", to_chain=L1, chain=L2),
     ["formal"]),
    ("bridge 0.50 eth to l2", B(amount=E("0.5"), token="ETH", to_chain=L2), ["normal-form"]),
    ("take 200 usdc from l1 to l2", B(amount=E("200"), token="USDC", to_chain=L2, chain=L1)),
    ("I want to move 40 usdc from layer 2 to layer 1", B(amount=E("40"), token="USDC", to_chain=L1, chain=L2),
     ["filler"]),
])

# ---------------------------------------------------------------- wrap / unwrap
add("wrap", [
    ("wrap 1 ETH", Wrap(amount=E("1"))),
    ("wrap 0.5 eth", Wrap(amount=E("0.5"))),
    ("wrap 0.5 ether", Wrap(amount=E("0.5")), ["token-alias"]),
    ("turn 1 ETH into WETH", Wrap(amount=E("1"))),
    ("wrap 2 eth on l2", Wrap(amount=E("2"), chain=L2), ["chain"]),
    ("wrap 1.5 eth on the l1", Wrap(amount=E("1.5"), chain=L1), ["chain"]),
    ("wrap half my eth", Wrap(amount=F("0.5")), ["fraction"]),
    ("wrap all my ether", Wrap(amount=F("1")), ["fraction"]),
    ("wrap 10% of my eth", Wrap(amount=F("0.1")), ["fraction"]),
    ("wrap 1.5 eth from savings", Wrap(amount=E("1.5"), wallet="savings"), ["source-wallet"]),
    ("wrap two eth", Wrap(amount=E("2")), ["words"]),
    ("wrpa 1 eth", Wrap(amount=E("1")), ["typo"]),
    ("please wrap 0.25 ETH for me", Wrap(amount=E("0.25")), ["filler"]),
    ("could you turn 3 eth into weth on layer 2?", Wrap(amount=E("3"), chain=L2), ["chatty", "chain"]),
])
add("unwrap", [
    ("unwrap 0.5 WETH", Unwrap(amount=E("0.5"))),
    ("unwrap 1 weth", Unwrap(amount=E("1"))),
    ("unwrap all my weth", Unwrap(amount=F("1")), ["fraction"]),
    ("unwrap half my weth", Unwrap(amount=F("0.5")), ["fraction"]),
    ("turn 1 weth back into eth", Unwrap(amount=E("1"))),
    ("turn 2 weth into eth", Unwrap(amount=E("2"))),
    ("unwrap 2 weth on the l1", Unwrap(amount=E("2"), chain=L1), ["chain"]),
    ("unwrap 0.1 weth on sandbox-l2", Unwrap(amount=E("0.1"), chain=L2), ["chain"]),
    ("unwrap 3 weth from my savings wallet", Unwrap(amount=E("3"), wallet="savings"), ["source-wallet"]),
    ("unwarp 1 weth", Unwrap(amount=E("1")), ["typo"]),
    ("Please unwrap 0.75 WETH.", Unwrap(amount=E("0.75")), ["formal"]),
])

# ---------------------------------------------------------------- approve / revoke
A = Approve
add("approve", [
    ("approve the router to spend 100 USDC", A(token="USDC", spender="router", amount=E("100"))),
    ("approve 100 USDC for the bridge", A(token="USDC", spender="bridge", amount=E("100"))),
    (f"approve {CS[3]} to spend 5 USDT", A(token="USDT", spender=CS[3], amount=E("5")), ["address"]),
    (f"approve {LOW[6]} to spend 50 usdc", A(token="USDC", spender=CS[6], amount=E("50")),
     ["address", "lowercase"]),
    ("let the router spend 250 usdt", A(token="USDT", spender="router", amount=E("250"))),
    ("allow the bridge to use 1k usdc", A(token="USDC", spender="bridge", amount=E("1000")), ["suffix"]),
    ("approve 50 weth for the router on l2", A(token="WETH", spender="router", amount=E("50"), chain=L2),
     ["chain"]),
    ("approve the bridge to spend 1,000 usdt on the l1", A(token="USDT", spender="bridge", amount=E("1000"),
                                                           chain=L1), ["commas", "chain"]),
    ("approve the router for 100 usdc from savings",
     A(token="USDC", spender="router", amount=E("100"), wallet="savings"), ["source-wallet"]),
    ("aprove the router to spend 20 usdc", A(token="USDC", spender="router", amount=E("20")), ["typo"]),
    ("approve a hundred usdc for the router", A(token="USDC", spender="router", amount=E("100")), ["words"]),
    ("please approve the bridge to spend 0.5 weth", A(token="WETH", spender="bridge", amount=E("0.5")),
     ["filler"]),
    ("give the router an allowance of 300 usdt", A(token="USDT", spender="router", amount=E("300"))),
    ("Approve 75 USDC for the router on sandbox-l2.", A(token="USDC", spender="router", amount=E("75"),
                                                        chain=L2), ["formal", "chain"]),
    ("approve 10 tether for the bridge", A(token="USDT", spender="bridge", amount=E("10")), ["token-alias"]),
    ("can you approve 40 usdc for the router please", A(token="USDC", spender="router", amount=E("40")),
     ["chatty"]),
    ("let the bridge spend 500 usdc on layer 1", A(token="USDC", spender="bridge", amount=E("500"), chain=L1),
     ["chain"]),
])
R = Revoke
add("revoke", [
    ("revoke the router's USDC approval", R(token="USDC", spender="router")),
    ("revoke USDC allowance for the bridge", R(token="USDC", spender="bridge")),
    ("revoke the bridge's usdt allowance", R(token="USDT", spender="bridge")),
    ("remove the router's usdt allowance", R(token="USDT", spender="router")),
    (f"revoke usdc approval for {CS[3]}", R(token="USDC", spender=CS[3]), ["address"]),
    (f"revoke {LOW[6]}'s weth allowance", R(token="WETH", spender=CS[6]), ["address", "lowercase"]),
    ("revoke usdc approval from the router on l2", R(token="USDC", spender="router", chain=L2), ["chain"]),
    ("revoke the router's weth approval on the l1", R(token="WETH", spender="router", chain=L1), ["chain"]),
    ("revoke usdt allowance for the router from savings", R(token="USDT", spender="router", wallet="savings"),
     ["source-wallet"]),
    ("revok the bridge's usdc approval", R(token="USDC", spender="bridge"), ["typo"]),
    ("please revoke the router's approval for tether", R(token="USDT", spender="router"),
     ["filler", "token-alias"]),
])

# ---------------------------------------------------------------- balance
Bal = Balance
add("balance", [
    ("what do I have", Bal()),
    ("show my portfolio", Bal()),
    ("what's my balance", Bal()),
    ("balance", Bal(), ["terse"]),
    ("portfolio", Bal(), ["terse"]),
    ("wallet balance pls", Bal(), ["chatty"]),
    ("list my tokens", Bal()),
    ("how much USDC on l2", Bal(token="USDC", chain=L2), ["chain"]),
    ("how much eth do i have", Bal(token="ETH")),
    ("my usdt balance on layer 1", Bal(token="USDT", chain=L1), ["chain"]),
    ("check my weth balance", Bal(token="WETH")),
    ("how much usdc do I have on the l1?", Bal(token="USDC", chain=L1), ["chain"]),
    ("show balances on l2", Bal(chain=L2), ["chain"]),
    ("what do I have on sandbox-l2", Bal(chain=L2), ["chain"]),
    ("how much tether do I have", Bal(token="USDT"), ["token-alias"]),
    ("hey, how much usd coin do i have on layer two", Bal(token="USDC", chain=L2),
     ["chatty", "token-alias", "chain"]),
    ("what's my usdc balance on sandbox l2", Bal(token="USDC", chain=L2), ["chain"]),
    ("how much ether do I hold", Bal(token="ETH"), ["token-alias"]),
    ("eth balance", Bal(token="ETH"), ["terse"]),
    ("Could you show me my USDT balance, please?", Bal(token="USDT"), ["formal"]),
    ("how much eth do I have on sandbox-l1", Bal(token="ETH", chain=L1), ["chain"]),
    ("how much usdc is in my savings wallet", Bal(token="USDC", wallet="savings"), ["own-wallet"]),
    ("what's in my main wallet", Bal(wallet="main"), ["own-wallet"]),
    ("USDT balance of bob", Bal(token="USDT", address="bob"), ["other"]),
    ("what's bob's usdc balance", Bal(token="USDC", address="bob"), ["other"]),
    ("how much eth does alice have", Bal(token="ETH", address="alice"), ["other"]),
    ("how much eth does alice have on l2", Bal(token="ETH", address="alice", chain=L2), ["other", "chain"]),
    ("check carol's balance", Bal(address="carol"), ["other"]),
    ("what does bob have", Bal(address="bob"), ["other"]),
    ("how much WETH does carol have on the l1", Bal(token="WETH", address="carol", chain=L1),
     ["other", "chain"]),
    (f"balance of {CS[1]}", Bal(address=CS[1]), ["other", "address"]),
    (f"how much usdc does {LOW[0]} hold on l1", Bal(token="USDC", address=CS[0], chain=L1),
     ["other", "address", "lowercase", "chain"]),
    ("show me bob's portfolio", Bal(address="bob"), ["other"]),
])

# ---------------------------------------------------------------- quote
Q = Quote
add("quote", [
    ("how much ETH would I get for 100 USDC", Q(amount=E("100"), token_in="USDC", token_out="ETH")),
    ("quote 1 ETH in USDC", Q(amount=E("1"), token_in="ETH", token_out="USDC")),
    ("price of 1 ETH in USDT", Q(amount=E("1"), token_in="ETH", token_out="USDT")),
    ("what's 2 eth worth in usdc", Q(amount=E("2"), token_in="ETH", token_out="USDC")),
    ("how much usdc would i get for 0.5 eth", Q(amount=E("0.5"), token_in="ETH", token_out="USDC")),
    ("how much eth do I get for 1k usdt", Q(amount=E("1000"), token_in="USDT", token_out="ETH"), ["suffix"]),
    ("quote 1,000 usdc to eth on l2", Q(amount=E("1000"), token_in="USDC", token_out="ETH", chain=L2),
     ["commas", "chain"]),
    ("quote 500 usdt for usdc", Q(amount=E("500"), token_in="USDT", token_out="USDC")),
    ("what's the price of 3 eth in usdc", Q(amount=E("3"), token_in="ETH", token_out="USDC")),
    ("price of 1 weth in usdc on the l1", Q(amount=E("1"), token_in="WETH", token_out="USDC", chain=L1),
     ["chain"]),
    ("how much is 1 eth in usdc", Q(amount=E("1"), token_in="ETH", token_out="USDC")),
    ("how much is 10 ether in tether", Q(amount=E("10"), token_in="ETH", token_out="USDT"), ["token-alias"]),
    ("what would I get for 200 usdc in eth", Q(amount=E("200"), token_in="USDC", token_out="ETH")),
    ("quote me a hundred usdc to eth", Q(amount=E("100"), token_in="USDC", token_out="ETH"), ["words"]),
    ("quote 0.5 eth to usdt on layer 2", Q(amount=E("0.5"), token_in="ETH", token_out="USDT", chain=L2),
     ["chain"]),
    ("how much usdt for 2 weth", Q(amount=E("2"), token_in="WETH", token_out="USDT"), ["terse"]),
    ("Could you quote 250 USDC into ETH, please?", Q(amount=E("250"), token_in="USDC", token_out="ETH"),
     ["formal"]),
    ("hey what's 1 eth going for in usdc rn", Q(amount=E("1"), token_in="ETH", token_out="USDC"), ["chatty"]),
    ("qoute 1 eth in usdc", Q(amount=E("1"), token_in="ETH", token_out="USDC"), ["typo"]),
    ("how much eth can I get with 50 usdc on sandbox-l2",
     Q(amount=E("50"), token_in="USDC", token_out="ETH", chain=L2), ["chain"]),
    ("what's the rate for 100 usdt to usdc", Q(amount=E("100"), token_in="USDT", token_out="USDC")),
    ("price 5 eth in usdc", Q(amount=E("5"), token_in="ETH", token_out="USDC"), ["terse"]),
])

# ---------------------------------------------------------------- sequence
Sq = Sequence
add("sequence", [
    ("bridge 100 USDC to the l2, then swap half of it for ETH",
     Sq(steps=[B(amount=E("100"), token="USDC", to_chain=L2),
               S(amount=P("0.5"), token_in="USDC", token_out="ETH", chain=L2)]), ["previous"]),
    ("swap 100 usdc for eth and then send it to bob",
     Sq(steps=[S(amount=E("100"), token_in="USDC", token_out="ETH"),
               T(amount=P("1"), token="ETH", recipient="bob")]), ["previous"]),
    ("swap 100 usdc for eth and send it to bob",
     Sq(steps=[S(amount=E("100"), token_in="USDC", token_out="ETH"),
               T(amount=P("1"), token="ETH", recipient="bob")]), ["previous"]),
    ("wrap 1 eth then approve the router to spend 1 weth",
     Sq(steps=[Wrap(amount=E("1")), A(token="WETH", spender="router", amount=E("1"))])),
    ("bridge 50 usdt to l2 then send all of it to carol",
     Sq(steps=[B(amount=E("50"), token="USDT", to_chain=L2),
               T(amount=P("1"), token="USDT", recipient="carol", chain=L2)]), ["previous"]),
    ("swap 200 usdc for eth on l2, then bridge it to l1",
     Sq(steps=[S(amount=E("200"), token_in="USDC", token_out="ETH", chain=L2),
               B(amount=P("1"), token="ETH", to_chain=L1, chain=L2)]), ["previous", "chain"]),
    ("wrap 2 eth, then swap it for usdc",
     Sq(steps=[Wrap(amount=E("2")), S(amount=P("1"), token_in="WETH", token_out="USDC")]), ["previous"]),
    ("unwrap 1 weth and send it to alice",
     Sq(steps=[Unwrap(amount=E("1")), T(amount=P("1"), token="ETH", recipient="alice")]), ["previous"]),
    ("bridge 1k usdc from l1 to l2 and then swap 20% of it for eth",
     Sq(steps=[B(amount=E("1000"), token="USDC", to_chain=L2, chain=L1),
               S(amount=P("0.2"), token_in="USDC", token_out="ETH", chain=L2)]), ["previous", "suffix"]),
    ("sell 0.5 eth for usdc, then send half of it to bob",
     Sq(steps=[S(amount=E("0.5"), token_in="ETH", token_out="USDC"),
               T(amount=P("0.5"), token="USDC", recipient="bob")]), ["previous"]),
    ("buy 1 eth with usdc and then wrap it",
     Sq(steps=[S(amount=E("1"), token_in="USDC", token_out="ETH", amount_of="out"), Wrap(amount=P("1"))]),
     ["previous", "out"]),
    ("send 10 usdc to bob, then send 10 usdc to alice",
     Sq(steps=[T(amount=E("10"), token="USDC", recipient="bob"),
               T(amount=E("10"), token="USDC", recipient="alice")])),
    ("approve the router to spend 100 usdc, then swap 100 usdc for eth",
     Sq(steps=[A(token="USDC", spender="router", amount=E("100")),
               S(amount=E("100"), token_in="USDC", token_out="ETH")])),
    ("swap 50 usdt to usdc then bridge all of it to layer 2",
     Sq(steps=[S(amount=E("50"), token_in="USDT", token_out="USDC"),
               B(amount=P("1"), token="USDC", to_chain=L2)]), ["previous"]),
    ("bridge 0.2 eth to the l2 and then wrap it",
     Sq(steps=[B(amount=E("0.2"), token="ETH", to_chain=L2), Wrap(amount=P("1"), chain=L2)]), ["previous"]),
    ("swap 100 usdc for eth, then send it to my savings wallet",
     Sq(steps=[S(amount=E("100"), token_in="USDC", token_out="ETH"),
               T(amount=P("1"), token="ETH", recipient=W("savings"))]), ["previous", "own-wallet"]),
    ("First swap 300 usdc for eth. Then bridge half of it to l2.",
     Sq(steps=[S(amount=E("300"), token_in="USDC", token_out="ETH"),
               B(amount=P("0.5"), token="ETH", to_chain=L2)]), ["previous"]),
    ("bridge half my eth to l2 then swap a quarter of it for usdc",
     Sq(steps=[B(amount=F("0.5"), token="ETH", to_chain=L2),
               S(amount=P("0.25"), token_in="ETH", token_out="USDC", chain=L2)]), ["previous", "fraction"]),
    ("swap 1 eth for usdc then bridge it to l2 then send it to bob",
     Sq(steps=[S(amount=E("1"), token_in="ETH", token_out="USDC"),
               B(amount=P("1"), token="USDC", to_chain=L2),
               T(amount=P("1"), token="USDC", recipient="bob", chain=L2)]), ["previous", "three-steps"]),
    ("unwrap all my weth and then swap it for usdc",
     Sq(steps=[Unwrap(amount=F("1")), S(amount=P("1"), token_in="ETH", token_out="USDC")]), ["previous"]),
    ("bridge 100 usdc to l2 and send them to alice",
     Sq(steps=[B(amount=E("100"), token="USDC", to_chain=L2),
               T(amount=P("1"), token="USDC", recipient="alice", chain=L2)]), ["previous"]),
    ("swap 2 eth for usdc then send that to bob",
     Sq(steps=[S(amount=E("2"), token_in="ETH", token_out="USDC"),
               T(amount=P("1"), token="USDC", recipient="bob")]), ["previous"]),
    ("swap 100 usdc for eth on the l2 and then send 10% of it to carol",
     Sq(steps=[S(amount=E("100"), token_in="USDC", token_out="ETH", chain=L2),
               T(amount=P("0.1"), token="ETH", recipient="carol", chain=L2)]), ["previous", "chain"]),
    ("please bridge 500 usdt to layer two and then convert half of it into usdc",
     Sq(steps=[B(amount=E("500"), token="USDT", to_chain=L2),
               S(amount=P("0.5"), token_in="USDT", token_out="USDC", chain=L2)]), ["previous", "chatty"]),
    ("send 5 usdc to alice and then send 5 usdt to carol",
     Sq(steps=[T(amount=E("5"), token="USDC", recipient="alice"),
               T(amount=E("5"), token="USDT", recipient="carol")])),
])

# ---------------------------------------------------------------- clarifications
clarify([
    # unknown tokens
    ("send 50 DAI to bob", "dai", ["unknown-token"]),
    ("swap 100 usdc for wBTC", "wbtc", ["unknown-token"]),
    ("buy some UNI with 20 usdc", "uni", ["unknown-token"]),
    ("swap 10 LINK for eth", "link", ["unknown-token"]),
    ("buy 1m PEPE with eth", "pepe", ["unknown-token"]),
    ("bridge 100 dai to l2", "dai", ["unknown-token"]),
    ("how much DAI do I have", "dai", ["unknown-token"]),
    ("approve the router to spend 100 LINK", "link", ["unknown-token"]),
    ("quote 1 wbtc in usdc", "wbtc", ["unknown-token"]),
    ("send 0.1 btc to alice", "btc", ["unknown-token"]),
    # unknown chains
    ("send 25 usdc to bob on Gnosis", "gnosis", ["unknown-chain"]),
    ("bridge 100 usdc to optimism", "optimism", ["unknown-chain"]),
    ("swap 1 eth for usdc on arbitrum", "arbitrum", ["unknown-chain"]),
    ("send 1 eth to alice on mainnet", "mainnet", ["unknown-chain"]),
    ("bridge 50 usdt from polygon to l2", "polygon", ["unknown-chain"]),
    ("what's my balance on base", "base", ["unknown-chain"]),
    ("move 10 usdc to the optimism chain", "optimism", ["unknown-chain"]),
    # unknown recipients
    ("send 25 usdc to dave", "dave", ["unknown-recipient"]),
    ("pay my landlord 1200 usdc", None, ["unknown-recipient"]),
    ("give eve 3 eth", "eve", ["unknown-recipient"]),
    ("check dave's balance", "dave", ["unknown-recipient"]),
    ("send 10 usdc to my checking wallet", None, ["unknown-recipient"]),
    # ENS names
    ("send 1 eth to vitalik.eth", "vitalik.eth", ["ens"]),
    ("pay nick.eth 50 usdc", "nick.eth", ["ens"]),
    ("balance of vitalik.eth", "vitalik.eth", ["ens"]),
    # ALL-CAPS hex: no checksum to catch a typo (issue 20 changed these three from accepted)
    (f"transfer 75 usdt to {UP[2]} on l2", "capital", ["address", "uppercase", "chain", "kind:address_case"]),
    (f"approve 2.5k usdc for {UP[5]}", "capital", ["address", "uppercase", "suffix", "kind:address_case"]),
    (f"check the eth balance of {UP[4]}", "capital", ["other", "address", "uppercase", "kind:address_case"]),
    # bad-checksum mixed-case addresses
    (f"send 1 eth to {BAD[0]}", None, ["address", "bad-checksum"]),
    (f"transfer 50 usdc to {BAD[1]}", None, ["address", "bad-checksum"]),
    (f"approve {BAD[3]} to spend 10 usdt", None, ["address", "bad-checksum"]),
    ("send 5 usdc to 0xabcdefABCDEFabcdefABCDEFabcdefABCDEFabcdef", None, ["address", "bad-checksum"]),
    ("send 5 usdc to 0x1234", None, ["address", "short-address"]),
    # missing amount / recipient / token
    ("send usdc to bob", None, ["missing-amount"]),
    ("swap eth for usdc", None, ["missing-amount"]),
    ("bridge usdt to l2", None, ["missing-amount"]),
    ("send some eth to alice", None, ["missing-amount"]),
    ("send 5 usdc", None, ["missing-recipient"]),
    ("transfer 100 usdt", None, ["missing-recipient"]),
    ("pay 20 usdc", None, ["missing-recipient"]),
    ("send 5 to bob", None, ["missing-token"]),
    ("swap 100 usdc", None, ["missing-token"]),
    # zero / negative / ambiguous / out of range amounts
    ("send 0 usdc to bob", None, ["zero"]),
    ("send -5 usdc to bob", None, ["negative"]),
    ("swap 0 eth for usdc", None, ["zero"]),
    ("bridge -100 usdc to l2", None, ["negative"]),
    ("send 1,5 usdc to bob", None, ["ambiguous-comma"]),
    ("swap 2,5 eth for usdc", None, ["ambiguous-comma"]),
    ("send 150% of my usdc to bob", None, ["fraction-range"]),
    # unlimited approvals
    ("approve unlimited USDC for the router", None, ["approve", "unlimited"]),
    ("give the router infinite approval on usdt", None, ["approve", "unlimited"]),
    ("approve the bridge to spend an unlimited amount of usdc", None, ["approve", "unlimited"]),
    # which stablecoin?
    ("send 20 dollars to bob", None, ["usd-token"]),
    ("send $20 to alice", None, ["usd-token"]),
    ("pay carol 50 usd", None, ["usd-token"]),
    # unsupported / nonsense
    ("stake my ETH", None, ["unsupported"]),
    ("what's the weather", None, ["unsupported"]),
    ("hello", None, ["unsupported"]),
    ("mint me an NFT", None, ["unsupported"]),
    ("lend 100 usdc on aave", None, ["unsupported"]),
    ("borrow 500 usdc against my eth", None, ["unsupported"]),
    ("delete my wallet", None, ["unsupported"]),
    ("", None, ["unsupported", "empty"]),
    ("asdf qwerty", None, ["unsupported"]),
    ("wrap 100 usdc", None, ["unsupported"]),
    # unknown source wallet
    ("send 5 usdc to bob from my checking wallet", "checking", ["unknown-wallet"]),
    ("swap 100 usdc for eth from cold storage", None, ["unknown-wallet"]),
    ("send 1 eth to alice from trading", "trading", ["unknown-wallet"]),
    # other ambiguity
    ("swap 100 usdc for usdc", None, ["same-token"]),
])


def all_rows() -> list[dict]:
    """The first corpus's rows, then issue 20's; a generated row repeating a text is dropped."""
    out = list(rows)
    out += kinds_compound.rows() + kinds_words.rows() + kinds_safety.rows() + kinds_framing.rows()
    out += kinds_hypothetical.rows()
    texts = Counter(r["text"] for r in out)
    dupes = [t for t, n in texts.items() if n > 1]
    assert not dupes, f"duplicate texts: {dupes}"
    seen = set(texts)
    for row in kinds_generated.rows():
        if row["text"] not in seen:
            seen.add(row["text"])
            out.append(row)
    return out


def renormalize(path: Path) -> int:
    """Re-dump each expected intent of a corpus file through the models (new default fields
    appear, nothing else changes); clarifications are kept as written. Returns rows changed."""
    from pydantic import TypeAdapter

    from steward.intents import ParseResult

    adapter = TypeAdapter(ParseResult)
    lines = path.read_text(encoding="utf-8").splitlines()
    out, changed = [], 0
    for line in lines:
        if not line.strip():
            continue
        row = json.loads(line)
        expected = row["expected"]
        if expected.get("action") != "clarify":
            dumped = adapter.validate_python(expected).model_dump(mode="json", exclude_defaults=False)
            for key, value in expected.items():  # a migration adds fields, never changes one
                assert dumped.get(key) == value or key == "steps", (row["text"], key)
            changed += dumped != expected
            row = {**row, "expected": dumped}
        out.append(json.dumps(row, ensure_ascii=False))
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return changed


def summary(table: list[dict]) -> str:
    def count(prefix: str) -> dict:
        return dict(Counter(t[len(prefix):] for r in table for t in r["tags"] if t.startswith(prefix)))

    per = Counter(r["expected"]["action"] for r in table)
    generated = sum("generated" in r["tags"] for r in table)
    return (f"actions {dict(per)}\nkinds {count('kind:')}\nstyles {count('style:')}\n"
            f"generated {generated}, hand-written {len(table) - generated}, "
            f"attack {sum('attack' in r['tags'] for r in table)}, "
            f"safety {sum('safety' in r['tags'] for r in table)}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write the development intents corpus.")
    parser.add_argument("--renormalize", type=Path, metavar="FILE",
                        help="migrate FILE's expected intents to the current normal form, in place")
    args = parser.parse_args(argv)
    if args.renormalize:
        changed = renormalize(args.renormalize)
        print(f"{args.renormalize}: {changed} expected intents re-dumped in the current normal form")
        return
    table = all_rows()
    with OUT.open("w") as fh:
        for row in table:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(table)} rows to {OUT}")
    print(summary(table))


if __name__ == "__main__":
    main()
