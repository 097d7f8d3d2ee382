"""A thief with a guarded wallet's stolen agent key (`make demo` runs this after `steward demo`).

It is deliberately not Steward: it unlocks the agent keystore of the demo home and signs
`execute([USDC.transfer(thief, 6,000 USDC)])` to the wallet's guarded account with web3.py alone
— no guard, no simulation, no gas estimate — and sends it. The chain itself must refuse it: the
script fails loudly if the transaction succeeds or any USDC leaves.

    STEWARD_HOME=.steward-demo STEWARD_PASSPHRASE=... .venv/bin/python scripts/stolen_agent_key.py
"""

from __future__ import annotations

import sys

from rich.console import Console
from rich.rule import Rule

from steward.chains import end_all_sessions
from steward.errors import StewardError

THEFT_USDC = 6_000


def attempt(amount: int) -> str:
    """Sign `execute([USDC.transfer(thief, amount)])` with the agent key through web3.py alone —
    no guard, no estimate — and send it; return how the chain answered."""
    from eth_account import Account

    from steward.accounts import contract
    from steward.accounts.store import guarded_account, unlock_agent
    from steward.chains import chain_config, connect
    from steward.chains.embedded import persist
    from steward.plans import Call
    from steward.protocols import erc20
    from steward.simulation.reverts import revert_text
    from steward.wallets import WalletStore, read_passphrase

    wallet = WalletStore().resolve(None)
    chain = chain_config("l1")
    w3 = connect(chain)
    record = guarded_account(wallet, chain.name)
    agent = unlock_agent(wallet, read_passphrase())
    thief = Account.create().address
    usdc = chain.tokens["USDC"]
    before = erc20.balance_of(w3, usdc, record.address)
    call = Call(to=usdc, data=erc20.encode(w3, usdc, "ERC20", "transfer", thief, amount),
                description="drain")
    nonce = contract.at(w3, record.address).functions.nonce().call()
    base = w3.eth.get_block("latest")["baseFeePerGas"]
    signed = agent.sign_transaction({
        "to": record.address, "data": contract.execute_data([call], nonce), "value": 0,
        "gas": 400_000, "maxFeePerGas": 2 * base, "maxPriorityFeePerGas": 1,
        "nonce": w3.eth.get_transaction_count(agent.address), "chainId": chain.chain_id})
    receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(signed.raw_transaction))
    persist(w3)
    try:
        w3.eth.call({"from": agent.address, "to": record.address,
                     "data": contract.execute_data([call], nonce)}, receipt["blockNumber"] - 1)
        reason = "no reason given"
    except Exception as exc:  # noqa: BLE001 — the revert, decoded
        reason = revert_text(exc)
    after = erc20.balance_of(w3, usdc, record.address)
    if receipt["status"] != 0 or after != before:
        raise StewardError("the guarded account let a stolen agent key take more than its limit")
    return (f"transaction {receipt['transactionHash'].hex()[:10]}… status 0 ({reason}); "
            f"the wallet still holds {before // 10**6:,} USDC")



def main() -> None:
    console = Console()
    console.print(Rule("[bold]19. A thief with the stolen agent key skips Steward and asks the "
                       f"chain for {THEFT_USDC:,} USDC"))
    try:
        outcome = attempt(THEFT_USDC * 10**6)
    finally:
        end_all_sessions()
    console.print(f"[bold green]reverted on chain, as it should be:[/] {outcome}", highlight=False)


if __name__ == "__main__":
    try:
        main()
    except StewardError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
