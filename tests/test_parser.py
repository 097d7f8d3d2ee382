"""The deterministic parser: plain language → the normal forms of docs/intents.md."""

from __future__ import annotations

import time

import pytest

from steward.intents import (
    Amount,
    Approve,
    Balance,
    Bridge,
    Clarification,
    Quote,
    Revoke,
    Sequence,
    Swap,
    Transfer,
    Unwrap,
    Wrap,
)
from steward.intents.parser import parse, sandbox_context

CTX = sandbox_context()
L1, L2 = "sandbox-l1", "sandbox-l2"
LOWER = "0x52908400098527886e0f7030069857d2e4169ee7"
CHECKSUMMED = "0x52908400098527886E0F7030069857D2E4169EE7"
VALID_MIXED = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
BAD_CHECKSUM = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"


def ex(value: str) -> Amount:
    return Amount(kind="exact", value=value)


def usd(value: str) -> Amount:
    return Amount(kind="usd", value=value)


def frac(value: str) -> Amount:
    return Amount(kind="fraction", value=value)


def prev(value: str) -> Amount:
    return Amount(kind="previous", value=value)


def tx(amount: Amount, token: str = "USDC", to: str = "bob", **kw) -> Transfer:
    return Transfer(amount=amount, token=token, recipient=to, **kw)


INTENTS = [
    # transfers and amount forms
    ("send 25 USDC to bob", tx(ex("25"))),
    ("Pay 10 USDT to Alice.", tx(ex("10"), "USDT", "alice")),
    ("pay alice 10 usdt", tx(ex("10"), "USDT", "alice")),
    ("give carol 1,000 usdc", tx(ex("1000"), to="carol")),
    ("send 25.50 usdc to bob", tx(ex("25.5"))),
    ("send 1,000.25 usdc to bob", tx(ex("1000.25"))),
    ("send 1k usdc to bob", tx(ex("1000"))),
    ("send 2.5k usdc to bob", tx(ex("2500"))),
    ("send 1m usdc to bob", tx(ex("1000000"))),
    ("send five usdc to bob", tx(ex("5"))),
    ("send twenty five usdc to bob", tx(ex("25"))),
    ("send twenty-five usdc to bob", tx(ex("25"))),
    ("send a hundred usdc to bob", tx(ex("100"))),
    ("send a thousand usdc to bob", tx(ex("1000"))),
    ("send a dozen usdc to bob", tx(ex("12"))),
    ("send one hundred and fifty usdc to bob", tx(ex("150"))),
    ("send 0.50 eth to carol", tx(ex("0.5"), "ETH", "carol")),
    ("send .5 eth to carol", tx(ex("0.5"), "ETH", "carol")),
    ("send 25usdc to bob", tx(ex("25"))),
    ("send $25 of ETH to bob", tx(usd("25"), "ETH")),
    ("send 25 dollars worth of eth to bob", tx(usd("25"), "ETH")),
    ("send 50 usd of eth to bob", tx(usd("50"), "ETH")),
    ("send $25 USDC to bob", tx(usd("25"))),
    ("send $25 worth of USDC to bob", tx(usd("25"))),
    ("send half of my usdc to bob", tx(frac("0.5"))),
    ("send half my usdc to bob", tx(frac("0.5"))),
    ("send a quarter of my usdc to bob", tx(frac("0.25"))),
    ("send 10% of my eth to alice", tx(frac("0.1"), "ETH", "alice")),
    ("send all my usdc to bob", tx(frac("1"))),
    ("send everything in usdt to bob", tx(frac("1"), "USDT")),
    ("send max usdc to bob", tx(frac("1"))),
    ("send the whole usdc balance to bob", tx(frac("1"))),
    # tokens, chains, wallets, recipients
    ("send 1 ether to bob", tx(ex("1"), "ETH")),
    ("send 100 tether to alice", tx(ex("100"), "USDT", "alice")),
    ("send 25 usd coin to bob", tx(ex("25"))),
    ("send 2 weth to bob", tx(ex("2"), "WETH")),
    ("send 25 usdc to bob on l1", tx(ex("25"), chain=L1)),
    ("send 25 usdc to bob on the l2", tx(ex("25"), chain=L2)),
    ("send 25 usdc to bob on layer two", tx(ex("25"), chain=L2)),
    ("send 25 usdc to bob on sandbox-l1", tx(ex("25"), chain=L1)),
    ("send 25 usdc to bob on sandbox l2", tx(ex("25"), chain=L2)),
    ("send 25 usdc to bob from savings", tx(ex("25"), wallet="savings")),
    ("send 25 usdc from my savings wallet to bob", tx(ex("25"), wallet="savings")),
    ("send 100 usdc from l2 to bob", tx(ex("100"), chain=L2)),
    ("send all my usdc to my savings wallet", tx(frac("1"), to="wallet savings")),
    ("send 5 usdc to my savings", tx(ex("5"), to="wallet savings")),
    ("move 50 usdc to savings", tx(ex("50"), to="wallet savings")),
    ("transfer 10 usdc from savings to main", tx(ex("10"), to="wallet main", wallet="savings")),
    (f"send 5 usdc to {LOWER}", tx(ex("5"), to=CHECKSUMMED)),
    (f"send 5 usdc to {LOWER.upper().replace('0X', '0x')}", tx(ex("5"), to=CHECKSUMMED)),
    (f"send 5 usdc to {VALID_MIXED}", tx(ex("5"), to=VALID_MIXED)),
    # filler and typos
    ("please send 25 usdc to bob", tx(ex("25"))),
    ("hey could you please send bob 25 usdc on the l2 thanks", tx(ex("25"), chain=L2)),
    ("I'd like to send 25 usdc to bob for me!", tx(ex("25"))),
    ("can you send 25 usdc to bob?", tx(ex("25"))),
    ("I want to send 25 usdc to bob.", tx(ex("25"))),
    ("tranfer 5 usdc to bob", tx(ex("5"))),
    ("transfering 5 usdc to bob", tx(ex("5"))),
    ("25 usdc to bob", tx(ex("25"))),
    # swaps
    ("swap 100 USDC for ETH", Swap(amount=ex("100"), token_in="USDC", token_out="ETH")),
    ("trade 100 usdc to eth on l2",
     Swap(amount=ex("100"), token_in="USDC", token_out="ETH", chain=L2)),
    ("exchange 100 usdt into usdc", Swap(amount=ex("100"), token_in="USDT", token_out="USDC")),
    ("convert 100 usdc to eth", Swap(amount=ex("100"), token_in="USDC", token_out="ETH")),
    ("swaping 5 usdc for eth", Swap(amount=ex("5"), token_in="USDC", token_out="ETH")),
    ("sell 1 ETH for USDC", Swap(amount=ex("1"), token_in="ETH", token_out="USDC")),
    ("buy ETH with 100 USDC", Swap(amount=ex("100"), token_in="USDC", token_out="ETH")),
    ("buy 0.5 ETH with USDC",
     Swap(amount=ex("0.5"), token_in="USDC", token_out="ETH", amount_of="out")),
    ("get me 0.5 ETH for USDC",
     Swap(amount=ex("0.5"), token_in="USDC", token_out="ETH", amount_of="out")),
    ("swap half my eth for usdc", Swap(amount=frac("0.5"), token_in="ETH", token_out="USDC")),
    ("swap $50 of eth for usdc", Swap(amount=usd("50"), token_in="ETH", token_out="USDC")),
    # bridges
    ("bridge 100 USDC to the l2", Bridge(amount=ex("100"), token="USDC", to_chain=L2)),
    ("move 100 usdc to layer 2", Bridge(amount=ex("100"), token="USDC", to_chain=L2)),
    ("send 100 USDC from l1 to l2",
     Bridge(amount=ex("100"), token="USDC", to_chain=L2, chain=L1)),
    ("bridge all my eth from l2 to l1",
     Bridge(amount=frac("1"), token="ETH", to_chain=L1, chain=L2)),
    # wrap / unwrap
    ("wrap 1 ETH", Wrap(amount=ex("1"))),
    ("wrap half my eth on l2", Wrap(amount=frac("0.5"), chain=L2)),
    ("turn 1 ETH into WETH", Wrap(amount=ex("1"))),
    ("unwrap 0.5 WETH", Unwrap(amount=ex("0.5"))),
    ("unwrap all my weth", Unwrap(amount=frac("1"))),
    # approve / revoke
    ("approve the router to spend 100 USDC",
     Approve(token="USDC", spender="router", amount=ex("100"))),
    ("approve 100 USDC for the bridge", Approve(token="USDC", spender="bridge", amount=ex("100"))),
    (f"approve {LOWER} to spend 5 USDT",
     Approve(token="USDT", spender=CHECKSUMMED, amount=ex("5"))),
    ("let the bridge spend 500 usdc on layer 1",
     Approve(token="USDC", spender="bridge", amount=ex("500"), chain=L1)),
    ("revoke the router's USDC approval", Revoke(token="USDC", spender="router")),
    ("revoke USDC allowance for the bridge", Revoke(token="USDC", spender="bridge")),
    # balance
    ("what do I have", Balance()),
    ("show my portfolio", Balance()),
    ("how much USDC on l2", Balance(token="USDC", chain=L2)),
    ("how much eth do I have on layer 1", Balance(token="ETH", chain=L1)),
    ("USDT balance of bob", Balance(token="USDT", address="bob")),
    ("what's bob's balance", Balance(address="bob")),
    ("how much usdc does alice have", Balance(token="USDC", address="alice")),
    (f"balance of {LOWER}", Balance(address=CHECKSUMMED)),
    ("what's my balance in savings", Balance(wallet="savings")),
    # quote
    ("how much ETH would I get for 100 USDC",
     Quote(amount=ex("100"), token_in="USDC", token_out="ETH")),
    ("quote 1 ETH in USDC", Quote(amount=ex("1"), token_in="ETH", token_out="USDC")),
    ("price of 1 ETH in USDT", Quote(amount=ex("1"), token_in="ETH", token_out="USDT")),
    ("what's 2 eth worth in usdc", Quote(amount=ex("2"), token_in="ETH", token_out="USDC")),
    ("how much is 1 eth in usdc", Quote(amount=ex("1"), token_in="ETH", token_out="USDC")),
    # sequences
    ("bridge 100 USDC to the l2, then swap half of it for ETH", Sequence(steps=[
        Bridge(amount=ex("100"), token="USDC", to_chain=L2),
        Swap(amount=prev("0.5"), token_in="USDC", token_out="ETH", chain=L2)])),
    ("swap 100 usdc for eth and then send it to bob", Sequence(steps=[
        Swap(amount=ex("100"), token_in="USDC", token_out="ETH"),
        Transfer(amount=prev("1"), token="ETH", recipient="bob")])),
    ("bridge all my usdc from l2 to l1; swap 20% of it for eth", Sequence(steps=[
        Bridge(amount=frac("1"), token="USDC", to_chain=L1, chain=L2),
        Swap(amount=prev("0.2"), token_in="USDC", token_out="ETH", chain=L1)])),
    ("swap 100 usdc for eth, then bridge it to l1, after that send all of it to carol",
     Sequence(steps=[
         Swap(amount=ex("100"), token_in="USDC", token_out="ETH"),
         Bridge(amount=prev("1"), token="ETH", to_chain=L1),
         Transfer(amount=prev("1"), token="ETH", recipient="carol", chain=L1)])),
    ("send 5 usdc to bob then send 5 usdt to alice", Sequence(steps=[
        tx(ex("5")), tx(ex("5"), "USDT", "alice")])),
]


@pytest.mark.parametrize(("text", "expected"), INTENTS, ids=[t for t, _ in INTENTS])
def test_intent(text, expected):
    assert parse(text, CTX) == expected


CLARIFICATIONS = [
    ("send 1,5 usdc to bob", "1,5"),
    ("send 1,00 usdc to bob", "commas"),
    ("send 0 usdc to bob", "more than zero"),
    ("send -5 usdc to bob", "positive"),
    ("send 150% of my usdc to bob", "150%"),
    ("send usdc to bob", "How much USDC"),
    ("send 5 usdc", "Who should receive"),
    ("send 5 to bob", "Which token"),
    ("send 20 dollars to bob", "stablecoin"),
    ("send 5 DAI to bob", "I don't know the token DAI"),
    ("swap 100 usdc for wBTC", "Known tokens: ETH, USDC, USDT, WETH"),
    ("send 5 usdcc to bob", "USDCC"),
    ("send 5 usdc to bob on gnosis", "Which chain is 'gnosis'"),
    ("bridge 100 usdc to optimism", "Known chains: sandbox-l1, sandbox-l2"),
    ("send 5 usdc to dave", "Who is 'dave'"),
    ("send 5 usdc to bob.eth", "bob.eth"),
    (f"send 5 usdc to {BAD_CHECKSUM}", "checksum"),
    ("send 5 usdc to 0x1234", "not an address"),
    ("send 5 usdc to bob from checking", "checking"),
    ("send 5 usdc to me", "Which of your wallets"),
    ("send 5 usdc to bob and alice", "each"),
    ("send it to bob", "refer to"),
    ("swap 100 usdc", "swapped for"),
    ("swap usdc for eth", "How much USDC"),
    ("buy 0.5 eth", "pay for the ETH"),
    ("swap 100 usdc for usdc", "Both sides"),
    ("bridge 100 usdc", "bridged to"),
    ("bridge 100 usdc from l1 to l1", "stay on"),
    ("wrap 1 usdc", "Only ETH can be wrapped"),
    ("wrap eth", "How much ETH"),
    ("approve unlimited usdc for the router", "exact amounts only"),
    ("approve infinite usdt for the bridge", "exact amounts only"),
    ("approve 100 usdc", "Which spender"),
    ("approve 100 usdc for uniswap", "uniswap"),
    ("approve the router to spend usdc", "How much USDC"),
    ("revoke usdc", "Which spender"),
    ("balance of dave", "dave"),
    ("how much DAI do I have", "DAI"),
    ("quote 1 eth", "in which token"),
    ("dance", "Steward can"),
    ("", "Steward can"),
    ("don't send 5 usdc to bob", "nothing will be sent"),
    ("send 5 usdc or usdt to bob", "which one"),
    ("bridge 100 usdc to l2, then send half of it to dave", "step 2"),
    ("swap it for eth", "refer to"),
]


@pytest.mark.parametrize(("text", "fragment"), CLARIFICATIONS, ids=[t for t, _ in CLARIFICATIONS])
def test_clarification(text, fragment):
    result = parse(text, CTX)
    assert isinstance(result, Clarification), result
    assert fragment.lower() in result.question.lower()


def test_unknown_names_list_the_valid_options():
    assert parse("send 5 usdc to dave", CTX).options == [
        "alice", "bob", "carol", "wallet main", "wallet savings"]
    assert parse("send 5 usdc on polygon to bob", CTX).options == ["sandbox-l1", "sandbox-l2"]
    assert parse("send 5 DAI to bob", CTX).options == ["ETH", "USDC", "USDT", "WETH"]


def test_filler_never_changes_the_intent():
    plain = parse("swap 10 usdt for eth", CTX)
    for text in ("please swap 10 usdt for eth", "Can you swap 10 USDT for ETH for me?",
                 "I'd like to swap 10 usdt for eth, thanks!", "ok, just swap 10 usdt for eth."):
        assert parse(text, CTX) == plain


def test_deterministic_and_fast():
    texts = [t for t, _ in INTENTS] + [t for t, _ in CLARIFICATIONS]
    first = [parse(t, CTX) for t in texts]
    start = time.perf_counter()
    again = [parse(t, CTX) for t in texts]
    elapsed = time.perf_counter() - start
    assert again == first
    assert elapsed / len(texts) < 0.005  # well under the 20 ms budget of parse + plan
