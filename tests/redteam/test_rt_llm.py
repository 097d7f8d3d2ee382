"""Issue 21, class 8: a language model that lies in one slot of its answer never gets an intent
past Steward. A local stand-in for an OpenAI-compatible server (the pattern of test_llm.py)
answers a request the deterministic parser could not read; for every slot there is an honest
answer (accepted: the case is not vacuous) and a lie in that slot alone (a clarification).
End to end through the proposal queue, the lies leave no plan, nothing signed, no balance
moved."""

from __future__ import annotations

import pytest

from steward.chains.config import config_path
from steward.intents import (Amount, Approve, Bridge, Clarification, Sequence, Swap, Transfer)
from steward.intents.parser import sandbox_context

from conftest import model_stand_in

CTX = sandbox_context()
ATTACKER = "0x000000000000000000000000000000000000bEEF"
PAY = "kindly effectuate a remittance of 5 usdc unto bob, posthaste"
PAY_CENTS = "kindly effectuate a remittance of 0.03 usdc unto bob, posthaste"
PAY_TWO = "kindly effectuate a remittance of 0.03 usdc unto bob and 1 eth unto carol"
PAY_L2 = "kindly effectuate a remittance of 5 usdc unto bob on l2, posthaste"
CROSS = "kindly effectuate a crossing of 5 usdc over to the l2, posthaste"
TRADE = "effectuate the conversion of 1000 usdc into eth forthwith"
GRANT = "kindly bestow upon the router permission to spend 5 usdc, posthaste"
TWO_STEPS = ("kindly effectuate a remittance of 5 usdc unto bob, then a remittance of 2 usdc "
             "unto carol")


def exact(value: str) -> Amount:
    return Amount(kind="exact", value=value)


def pay(value="5", token="USDC", recipient="bob", **extra) -> Transfer:
    return Transfer(amount=extra.pop("amount", exact(value)), token=token, recipient=recipient,
                    **extra)


def trade(**changes) -> Swap:
    fields = {"amount": exact("1000"), "token_in": "USDC", "token_out": "ETH", **changes}
    return Swap(**fields)


# (slot, text, the honest answer, the lie in that slot)
CASES = [
    ("action", PAY_L2, pay(chain="sandbox-l2"),
     Bridge(amount=exact("5"), token="USDC", to_chain="sandbox-l2")),
    ("token", PAY_CENTS, pay("0.03"), pay("0.03", token="ETH")),
    ("token of the amount", PAY_TWO, pay("0.03"), pay("0.03", token="ETH")),
    ("chain", PAY, pay(), pay(chain="sandbox-l2")),
    ("to_chain", CROSS, Bridge(amount=exact("5"), token="USDC", to_chain="sandbox-l2"),
     Bridge(amount=exact("5"), token="USDC", to_chain="sandbox-l1")),
    ("wallet", PAY, pay(), pay(wallet="savings")),
    ("recipient in the book", PAY, pay(), pay(recipient="alice")),
    ("recipient address", PAY, pay(), pay(recipient=ATTACKER)),
    ("recipient own wallet", PAY, pay(), pay(recipient="wallet savings")),
    ("amount value", PAY, pay(), pay("500")),
    ("amount kind usd", PAY, pay(), pay(amount=Amount(kind="usd", value="5"))),
    ("amount kind fraction", PAY, pay(), pay(amount=Amount(kind="fraction", value="0.5"))),
    ("amount kind percent", PAY, pay(), pay(amount=Amount(kind="percent", value="50"))),
    ("amount kind all", PAY, pay(), pay(amount=Amount(kind="fraction", value="1"))),
    ("amount kind previous", PAY, pay(), pay(amount=Amount(kind="previous", value="1"))),
    ("amount_of", TRADE, trade(), trade(amount_of="out")),
    ("swap direction", TRADE, trade(),
     trade(token_in="ETH", token_out="USDC", amount_of="out")),
    ("spender", GRANT, Approve(token="USDC", spender="router", amount=exact("5")),
     Approve(token="USDC", spender=ATTACKER, amount=exact("5"))),
    ("spender kind", GRANT, Approve(token="USDC", spender="router", amount=exact("5")),
     Approve(token="USDC", spender="bridge", amount=exact("5"))),
    ("nested sequence step", TWO_STEPS,
     Sequence(steps=[pay(), pay("2", recipient="carol")]),
     Sequence(steps=[pay(), pay("2", recipient="alice")])),
    ("nested sequence amount", TWO_STEPS,
     Sequence(steps=[pay(), pay("2", recipient="carol")]),
     Sequence(steps=[pay(), pay("200", recipient="carol")])),
]


@pytest.fixture
def model(steward_home):
    with model_stand_in() as (model, base_url):
        with config_path().open("a") as config:
            config.write(f'\n[llm]\nbase_url = "{base_url}"\nmodel = "stand-in"\n')
        yield model


def ask(model, text: str, answer):
    from steward.fulfilment import understand

    model.answer = answer.model_dump(mode="json", exclude_none=True)
    model.seen.clear()
    result = understand(text, CTX)
    assert model.seen, "the parser understood the text itself: the model was never asked"
    return result


@pytest.mark.parametrize(("slot", "text", "honest", "lie"), CASES, ids=[c[0] for c in CASES])
def test_a_lie_in_any_slot_becomes_a_question(model, slot, text, honest, lie):
    assert ask(model, text, honest) == honest  # the same request, answered truthfully, passes
    result = ask(model, text, lie)
    assert isinstance(result, Clarification), f"the lie in {slot} was accepted: {result}"
    assert "could not understand that safely" in result.question


@pytest.mark.parametrize(("text", "lie"), [
    ("kindly effectuate a remittance of 5 usdc unto alice, posthaste",
     pay("500", recipient="alice")),
    ("kindly effectuate a remittance of 0.03 usdc unto alice, posthaste",
     pay("0.03", token="ETH", recipient="alice")),
    ("kindly effectuate a remittance of 5 usdc unto alice, posthaste",
     pay(amount=Amount(kind="fraction", value="0.5"), recipient="alice")),
], ids=["500 for 5", "ETH for USDC", "a fraction never said"])
def test_a_lying_model_proposes_and_signs_nothing(embedded_world, model, text, lie):
    from steward import proposals
    from steward.journal import Journal
    from steward.wallets import WalletStore

    model.answer = lie.model_dump(mode="json", exclude_none=True)
    address = WalletStore().get("main").address
    proposal = proposals.propose(text, wallet="main")
    assert model.seen
    assert proposal.status == "needs_clarification" and proposal.steps == []
    assert "could not understand that safely" in proposal.question
    assert not [e for e in Journal().entries(limit=50) if e.wallet == "main"]
    assert proposal.address == address


def test_other_scripts_digits_are_never_an_amount(model):
    """'١٠' is ten in Arabic-Indic digits and '1٠' looks like '1.': the parser asks, and a model
    answering 10 is not grounded either (numbers are read with the ASCII digits only)."""
    for text in ("kindly effectuate a remittance of ١٠ usdc unto bob",
                 "send 1٠ usdc to bob", "send ১০ usdc to bob", "send １０ usdc to bob"):
        result = ask(model, text, pay("10"))
        assert isinstance(result, Clarification), text
