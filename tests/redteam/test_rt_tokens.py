"""Red team, issue 21 classes 6 and 7: tokens are known by address, and their metadata comes
from the state that was simulated, checked against the chain registry.

6. A contract that calls itself "USDC" is not USDC: the mandate's `allow.tokens = ["ETH",
   "USDC"]` means the registry's USDC address, and an imitator is named an impostor.
7. An RPC that lies about decimals cannot make a preview say "5 USDC" while 500 are sent.
"""

from __future__ import annotations

import pytest
from web3 import Web3

from steward import chains
from steward.chains.config import load_config, update_chain
from steward.contacts import resolve_recipient
from steward.errors import StewardError
from steward.execution import Executor
from steward.guard import GuardRefusal, approve, review
from steward.guard.mandate import default_mandate_toml, mandate_path
from steward.journal import Journal
from steward.planning import Call, Plan
from steward.planning.builders import transfer_plan
from steward.protocols import amm, erc20
from steward.protocols.amm import deadline
from steward.sandbox import SandboxBuilder
from steward.wallets import WalletStore

from conftest import PASSPHRASE
from rpc_proxy import JsonRpcProxy

L1 = "sandbox-l1"
USDC = 10**6
DECIMALS_SELECTOR = "0x313ce567"


def write_mandate(**allow: str) -> None:
    text = default_mandate_toml("main")
    for key, value in allow.items():
        lines = [line for line in text.splitlines() if line.startswith(f"{key} = ")]
        text = text.replace(lines[0], f"{key} = {value}")
    mandate_path("main").write_text(text)


def main_txs(main: str) -> int:
    return len([e for e in Journal().entries(limit=10_000) if e.sender.lower() == main.lower()])


def setup(symbol: str):
    chain = load_config().chain(L1)
    w3 = chains.connect(chain)
    main = WalletStore().get("main").address
    builder = SandboxBuilder()
    fake = builder.deploy(chain, "ERC20", "USD Coin", symbol, 6, label="impostor")
    return chain, w3, main, builder, fake


def deny_rules(verdict) -> set[str]:
    return {r.rule for r in verdict.reasons if r.decision == "deny"}


# --- 6. tokens by address --------------------------------------------------------------------

def test_a_token_calling_itself_usdc_is_not_usdc_under_an_allowlist(embedded_world):
    chain, w3, main, builder, fake = setup("USDC")
    assert chain.token_decimals["USDC"] == 6  # recorded by `sandbox up`
    builder.call(chain, fake, "ERC20", "mint", main, 1_000 * USDC)
    # Contracts "any": the owner lets plans call any contract, but moves only ETH and USDC.
    write_mandate(tokens='["ETH", "USDC"]', contracts='"any"')
    bob = resolve_recipient("bob").address
    data = erc20.encode(w3, fake, "ERC20", "transfer", bob, 100 * USDC)
    plan = Plan(chain=L1, sender=main, summary="pay bob",
                calls=[Call(to=fake, data=data, description="send 100 USDC to bob")])
    verdict = review(plan, "main", own_wallets={"main": main})

    assert verdict.decision == "deny", verdict.explanation
    assert "allow.tokens" in deny_rules(verdict)
    assert "impostor_token" in {f.code for f in verdict.findings}
    [sent] = verdict.preview.sends
    assert sent.symbol.startswith("USDC? (impostor, ") and fake[-4:] in sent.symbol
    assert "100 USDC " not in verdict.preview.text and "100 USDC." not in verdict.preview.text
    # Signing is refused and nothing moves.
    before = (erc20.balance_of(w3, fake, main), erc20.balance_of(w3, fake, bob), main_txs(main))
    executor = Executor(WalletStore().unlock("main", PASSPHRASE), "main")
    with pytest.raises(GuardRefusal):
        executor.execute(plan, verdict)
    assert (erc20.balance_of(w3, fake, main), erc20.balance_of(w3, fake, bob),
            main_txs(main)) == before

    # The registry's USDC, by its address, is still allowed under the same mandate.
    real = review(transfer_plan(chain, main, "USDC", "5", resolve_recipient("bob")), "main",
                  own_wallets={"main": main})
    assert "allow.tokens" not in deny_rules(real) and real.decision != "deny", real.explanation
    assert "impostor_token" not in {f.code for f in real.findings}
    # An explicit address in the allowlist admits that contract (still named an impostor).
    write_mandate(tokens=f'["ETH", "USDC", "{fake}"]', contracts='"any"')
    listed = review(plan, "main", own_wallets={"main": main})
    assert "allow.tokens" not in deny_rules(listed)
    assert "impostor_token" in {f.code for f in listed.findings}


def test_buying_a_look_alike_usdc_is_denied_under_any_mandate(embedded_world):
    # Cyrillic "Ѕ" and a zero-width space: reads as USDC, is not USDC.
    chain, w3, main, builder, fake = setup("U\u0405\u200bDC")
    usdc, router = chain.tokens["USDC"], chain.contracts["uniswap-v2:router"]
    op = builder.operator.address
    builder.call(chain, fake, "ERC20", "mint", op, 100_000 * USDC)
    builder.call(chain, usdc, "ERC20", "mint", op, 100_000 * USDC)
    for token in (fake, usdc):
        builder.call(chain, token, "ERC20", "approve", router, 100_000 * USDC)
    builder.call(chain, router, "uniswap/UniswapV2Router02", "addLiquidity", fake, usdc,
                 100_000 * USDC, 100_000 * USDC, 0, 0, op, deadline(w3))
    write_mandate(contracts='"any"')  # tokens = "any": the default
    amount = 50 * USDC
    quoted = amm.router(w3, router).functions.getAmountsOut(amount, [usdc, fake]).call()[-1]
    approval = erc20.encode(w3, usdc, "ERC20", "approve", router, amount)
    swap = erc20.encode(w3, router, "uniswap/UniswapV2Router02", "swapExactTokensForTokens",
                        amount, amm.min_out(quoted, 50), [usdc, fake], main, deadline(w3))
    plan = Plan(chain=L1, sender=main, summary="buy USDC", calls=[
        Call(to=usdc, data=approval, description="approve"),
        Call(to=router, data=swap, description="swap 50 USDC for USDC")])
    verdict = review(plan, "main", own_wallets={"main": main})

    assert verdict.decision == "deny", verdict.explanation
    assert "impostor_token" in deny_rules(verdict)
    [received] = verdict.preview.receives
    assert received.symbol.startswith("USDC? (impostor, ")
    assert "\u0405" not in verdict.preview.text and "\u200b" not in verdict.preview.text


# --- 7. metadata from the simulated state -----------------------------------------------------

def _decimals_of(token: str, claimed: int):
    """An `on_answer` for a JSON-RPC proxy that answers `decimals()` of `token` with `claimed`."""
    token = token.lower()

    def rewrite(asked: dict, answer: dict) -> dict:
        if asked.get("method") == "eth_call" and "result" in answer:
            call = asked["params"][0]
            data = (call.get("data") or call.get("input") or "").lower()
            if (call.get("to") or "").lower() == token and data.startswith(DECIMALS_SELECTOR):
                return answer | {"result": "0x" + claimed.to_bytes(32, "big").hex()}
        return answer

    return rewrite


@pytest.mark.anvil
def test_an_rpc_lying_about_decimals_cannot_forge_the_amount(anvil_world):
    chain = load_config().chain(L1)
    honest = Web3(Web3.HTTPProvider(chain.rpc_url))
    usdc = chain.tokens["USDC"]
    proxy = JsonRpcProxy(chain.rpc_url, on_answer=_decimals_of(usdc, 8))
    try:
        update_chain(L1, rpc_url=proxy.url)
        chains.forget_connections()
        chain = load_config().chain(L1)
        lied = chains.connect(chain)
        assert erc20.token_contract(lied, usdc).functions.decimals().call() == 8  # it lies
        main = WalletStore().get("main").address
        alice = resolve_recipient("alice").address
        before = (erc20.balance_of(honest, usdc, main), erc20.balance_of(honest, usdc, alice))
        nonce = honest.eth.get_transaction_count(main)
        try:
            plan = transfer_plan(chain, main, "USDC", "5", resolve_recipient("alice"))
        except StewardError as exc:  # refusing for the mismatch is also an honest answer
            assert "decimals" in str(exc)
            assert honest.eth.get_transaction_count(main) == nonce
            return
        sent = erc20.token_contract(honest, usdc).decode_function_input(plan.calls[0].data)[1]
        assert sent["amount"] == 5 * USDC  # from the registry's 6 decimals, not the RPC's 8
        verdict = review(plan, "main", own_wallets={"main": main})
        [movement] = verdict.preview.sends
        if verdict.decision == "deny":  # refused for the metadata: nothing may move
            assert "token_metadata" in deny_rules(verdict)
            assert honest.eth.get_transaction_count(main) == nonce
            return
        assert (movement.amount, movement.symbol) == ("5", "USDC")
        assert "5 USDC" in verdict.preview.text
        executor = Executor(WalletStore().unlock("main", PASSPHRASE), "main")
        executor.execute(plan, approve(verdict, by="test"))
        after = (erc20.balance_of(honest, usdc, main), erc20.balance_of(honest, usdc, alice))
        assert after == (before[0] - 5 * USDC, before[1] + 5 * USDC)  # exactly what was shown
    finally:
        proxy.close()
