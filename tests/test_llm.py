"""The optional language-model backend, against a local stand-in for an OpenAI-compatible server
(a real model is outside our control and cannot run here). What is tested is Steward's side:
the request it sends, and that nothing the model invents gets through."""

from __future__ import annotations

import pytest

from steward.chains.config import config_path
from steward.intents import Amount, Clarification, ParseContext, Transfer
from steward.intents.llm import vet

from conftest import model_stand_in

CONTEXT = ParseContext(chains={"sandbox-l1": ["l1"], "sandbox-l2": ["l2"]},
                       tokens=["ETH", "USDC", "USDT", "WETH"], contacts=["alice", "bob", "carol"],
                       wallets=["main", "savings"])
ATTACKER = "0x000000000000000000000000000000000000bEEF"


def transfer(recipient: str, value: str = "25", token: str = "USDC") -> Transfer:
    return Transfer(amount=Amount(kind="exact", value=value), token=token, recipient=recipient)


@pytest.mark.parametrize(("text", "proposal", "accepted"), [
    ("kindly remit twenty-five... no, 25 USDC unto bob", transfer("bob"), True),
    ("move 25 USDC over to my savings", transfer("wallet savings"), True),
    (f"25 USDC → {ATTACKER.lower()}", transfer(ATTACKER), True),
    ("25 USDC to bob", transfer(ATTACKER), False),  # an address the person never wrote
    ("25 USDC to bob", transfer("mallory"), False),  # a name not in the address book
    ("some USDC to bob", transfer("bob"), False),  # an amount the person never said
    ("25 DAI to bob", transfer("bob", token="DAI"), False),  # a token Steward does not know
])
def test_the_model_may_propose_but_never_invent(text, proposal, accepted):
    result = vet(proposal, text, CONTEXT)
    assert (result == proposal) is accepted
    if not accepted:
        assert isinstance(result, Clarification)


@pytest.fixture
def fake_model(steward_home, monkeypatch):
    with model_stand_in() as (model, base_url):
        config_path().write_text(f'[llm]\nbase_url = "{base_url}"\n'
                                 'model = "stand-in"\napi_key_env = "TEST_LLM_KEY"\n')
        monkeypatch.setenv("TEST_LLM_KEY", "sk-test")
        yield model


def test_the_model_is_asked_only_when_the_parser_cannot(fake_model):
    from steward.fulfilment import understand

    fake_model.answer = transfer("bob").model_dump(mode="json")
    assert understand("send 25 USDC to bob on l1", CONTEXT).recipient == "bob"
    assert fake_model.seen == []  # the deterministic parser understood it
    text = "kindly effectuate a remittance of 25 USDC unto bob, posthaste"
    result = understand(text, CONTEXT)
    assert result == transfer("bob")
    [(path, auth, body)] = fake_model.seen
    assert path == "/v1/chat/completions" and auth == "Bearer sk-test"
    assert body["tools"][0]["function"]["name"] == "submit_intent"
    assert body["messages"][-1]["content"] == text


def test_an_injected_recipient_from_the_model_becomes_a_question(fake_model):
    from steward.fulfilment import understand

    fake_model.answer = transfer(ATTACKER).model_dump(mode="json")
    result = understand("kindly effectuate a remittance of 25 USDC unto bob, posthaste", CONTEXT)
    assert isinstance(result, Clarification) and ATTACKER in result.question


def test_garbage_from_the_model_leaves_the_parsers_question(fake_model):
    from steward.fulfilment import understand

    fake_model.answer = {"action": "transfer", "amount": "lots"}
    result = understand("kindly effectuate a remittance of 25 USDC unto bob, posthaste", CONTEXT)
    assert isinstance(result, Clarification)
