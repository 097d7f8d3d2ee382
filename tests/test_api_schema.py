"""Schemathesis against the API's own OpenAPI spec, on a copy of the embedded sandbox: for
every operation, generated requests (valid and invalid) never get a 5xx, and every answer
matches the status codes, content types and response schemas the spec declares.

Deterministic: a fixed seed and no example database, so a run generates the same requests.
The execute route is fuzzed too: with ids it did not get from a proposal it can only answer
404 or 422, and this module checks that nothing was ever signed.
"""

from __future__ import annotations

import shutil

import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance,
                                               response_schema_conformance,
                                               status_code_conformance)

from steward.api import create_app
from steward.journal import Journal
from conftest import PASSPHRASE

TOKEN = "schema-test-token-5d1e"
EXAMPLES_PER_OPERATION = 20
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]

CONFIG = schemathesis.Config.from_dict({
    "seed": 7,
    "headers": {"Authorization": f"Bearer {TOKEN}"},
    "generation": {"mode": "all", "max-examples": EXAMPLES_PER_OPERATION, "deterministic": True,
                   "database": "none"},
    "phases": {"stateful": {"enabled": False}},
    "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large"],
})

app = create_app(token=TOKEN, passphrase=PASSPHRASE)
schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=CONFIG)


@pytest.fixture(scope="module")
def fuzz_home(embedded_template, tmp_path_factory):
    """One copy of the sandbox for the whole module (the operations only read it or fail)."""
    home = tmp_path_factory.mktemp("api-schema") / "home"
    shutil.copytree(embedded_template, home)
    return home


@pytest.fixture(autouse=True)
def use_fuzz_home(steward_home, fuzz_home, monkeypatch):
    monkeypatch.setenv("STEWARD_HOME", str(fuzz_home))
    return fuzz_home


@schema.parametrize()
def test_api_conforms_to_its_spec(case):
    case.call_and_validate(checks=CHECKS)


def test_fuzzing_signed_nothing(fuzz_home, embedded_template):
    # Runs after the operations above (file order): generated requests never reach a signature.
    built = Journal(embedded_template / "journal.sqlite").entries(limit=100_000)
    after = Journal(fuzz_home / "journal.sqlite").entries(limit=100_000)
    assert [e.tx_hash for e in after] == [e.tx_hash for e in built]
