"""Issue 21, classes 10 and 11: bad amounts are refused with a sentence at every boundary (the
JSON API, MCP's structured intents, Python), never a 500 and never stored; and amounts are
exact for every value up to 2**256 - 1 (property-tested round trips)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from steward.api import create_app
from steward.errors import StewardError
from steward.intents import Amount
from steward.journal import Journal
from steward.proposals import parse_intent
from steward.units import MAX_UINT256, format_units, scale_down, to_base_units

from conftest import PASSPHRASE

TOKEN = "test-token-rt-input-5e1"
BAD_VALUES = ["NaN", "Infinity", "-Infinity", "sNaN", "1e3", "1E3", "1_000", "١٠", "১০",
              "１０", "+5", " 5", "5 ", "5\n", "-5", "0", "0.000", "", ".", "5.", "0x10", "1,000"]
VALID_SENTENCE = ("digits 0-9", "above zero", "must be positive", "at most 1", "at most 100")


def transfer(amount) -> dict:
    return {"action": "transfer", "amount": amount, "token": "USDC", "recipient": "alice",
            "chain": "sandbox-l1"}


# ---- the Python boundary (the same models every interface validates with) --------------------

@pytest.mark.parametrize("value", BAD_VALUES)
def test_amount_text_is_canonical_ascii_decimal(value):
    with pytest.raises(ValidationError) as caught:
        Amount(kind="exact", value=value)
    assert any(part in str(caught.value) for part in VALID_SENTENCE)


@pytest.mark.parametrize(("kind", "value", "rule"), [
    ("fraction", "1.5", "at most 1"), ("previous", "2", "at most 1"),
    ("fraction", "0", "above zero"), ("percent", "150", "at most 100"),
    ("percent", "0", "above 0"), ("usd", "0.0", "above zero"),
])
def test_shares_must_be_shares(kind, value, rule):
    with pytest.raises(ValidationError, match=rule):
        Amount(kind=kind, value=value)
    with pytest.raises(StewardError, match=f"invalid intent at transfer.amount.*{rule}"):
        parse_intent(transfer({"kind": kind, "value": value}))  # what MCP's propose calls


def test_a_percentage_is_stored_as_its_exact_fraction():
    assert Amount(kind="percent", value="12.5") == Amount(kind="fraction", value="0.125")
    assert Amount(kind="percent", value="100") == Amount(kind="fraction", value="1")


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 5, 0.5, None, True, ["5"]])
def test_amounts_that_are_not_text_are_refused(value):
    with pytest.raises(ValidationError, match="not amount text"):
        Amount(kind="exact", value=value)


@pytest.mark.parametrize("text", ["1e3", "1_000", "١٠", "১০", "NaN", "sNaN", "Infinity",
                                  "+5"])
def test_human_amounts_refuse_the_same_forms(text):
    with pytest.raises(StewardError, match="is not an amount: write a plain decimal number"):
        to_base_units(text, 6)


# ---- the JSON API ------------------------------------------------------------------------------

@pytest.fixture
def client(embedded_world):
    with TestClient(create_app(token=TOKEN, passphrase=PASSPHRASE),
                    headers={"Authorization": f"Bearer {TOKEN}"},
                    raise_server_exceptions=False) as test_client:
        yield test_client


def test_the_api_refuses_bad_amounts_with_a_sentence_and_stores_nothing(client):
    signed = Journal().entries(limit=1000)
    bodies = [{"intent": transfer({"kind": "exact", "value": value})} for value in BAD_VALUES]
    bodies += [{"intent": transfer({"kind": "fraction", "value": "1.5"})},
               {"intent": transfer({"kind": "percent", "value": "150"})},
               {"intent": transfer({"kind": "usd", "value": "-5"})},
               {"intent": {"action": "sequence", "steps": [
                   {"action": "wrap", "amount": {"kind": "exact", "value": "sNaN"}}]}}]
    for body in bodies:
        response = client.post("/api/proposals", json=body)
        assert response.status_code in (400, 422), (body, response.text)
        assert any(part in response.text for part in VALID_SENTENCE), response.text
    # JSON's non-standard NaN / Infinity literals (Python's parser lets them in) used to be a
    # 500: the error answer tried to echo the float back.
    for literal in (b"NaN", b"Infinity", b"-Infinity", b"1e400"):
        raw = (b'{"intent": {"action": "transfer", "amount": {"kind": "exact", "value": '
               + literal + b'}, "token": "USDC", "recipient": "alice"}}')
        response = client.post("/api/proposals", content=raw,
                               headers={"content-type": "application/json"})
        assert response.status_code == 422, response.text
        assert "not amount text" in response.text
    assert client.get("/api/proposals").json() == []
    assert Journal().entries(limit=1000) == signed


def test_other_scripts_digits_in_words_are_a_question_not_an_amount(client):
    signed = Journal().entries(limit=1000)
    for text in ("send ١٠ USDC to alice on l1", "send 1٠ USDC to alice on l1",
                 "send ১০ USDC to alice on l1"):
        response = client.post("/api/proposals", json={"text": text})
        assert response.status_code == 201, response.text
        proposal = response.json()
        assert proposal["status"] == "needs_clarification" and proposal["steps"] == []
        assert "digits 0-9" in proposal["question"]
    assert Journal().entries(limit=1000) == signed


# ---- exact arithmetic up to 2**256 ------------------------------------------------------------

def test_precision_beyond_28_digits():
    assert to_base_units("1000000000000.000000000000000001", 18) == 10**30 + 1
    assert format_units(10**30 + 1, 18) == "1000000000000.000000000000000001"
    assert format_units(MAX_UINT256, 0) == str(MAX_UINT256)
    assert format_units(MAX_UINT256, 18).replace(".", "") == str(MAX_UINT256)
    assert format_units(MAX_UINT256 - 1, 6, places=2).endswith(",007,913,129.63")
    assert to_base_units(str(MAX_UINT256), 0) == MAX_UINT256
    with pytest.raises(StewardError, match="more than any token can hold"):
        to_base_units(str(MAX_UINT256 + 1), 0)
    with pytest.raises(StewardError, match="more than any token can hold"):
        to_base_units("115792089237316195423570985008687907853269984665640564039458", 18)
    # shares of a balance: int × Decimal rounded to 28 digits, sometimes above the balance
    assert scale_down(MAX_UINT256, "1") == MAX_UINT256
    assert scale_down(10**30 + 1, "0.5") == (10**30 + 1) // 2
    assert scale_down(10**6, "12.3456789") == 12_345_678


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=MAX_UINT256), st.integers(min_value=0, max_value=36))
def test_base_units_round_trip(units, decimals):
    assert to_base_units(format_units(units, decimals), decimals) == units


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**40),
       st.integers(min_value=0, max_value=10**18 - 1), st.integers(min_value=0, max_value=18))
def test_canonical_text_round_trip(whole, fraction, places):
    digits = str(fraction).rjust(18, "0")[:places].rstrip("0")
    text = f"{whole}.{digits}" if digits else str(whole)
    if whole == 0 and not digits:
        return  # zero is not an amount
    assert format_units(to_base_units(text, 18), 18) == text
