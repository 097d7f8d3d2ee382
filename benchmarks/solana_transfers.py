"""SPL and SOL transfers per second on the embedded Solana chain (LiteSVM), three ways, in one run:

* raw LiteSVM: `LiteSVM.send_transaction` in memory, nothing persisted (the baseline: the
  runtime's own speed here);
* the embedded chain: `EmbeddedSolana.send` (the same transaction, every touched account and
  the transaction written to SQLite with synchronous=FULL before it returns, the file lock);
* Steward's signing path: `Executor.execute(plan, verdict)` (verdict check, limits re-checked
  under the wallet's budget and spend locks, journal rows before and after, signing, the
  embedded send). The guard's verdicts are made before the clock starts (the guard's own cost is
  printed apart, per plan).

Each way pays its own fresh recipients 1 base unit of USDC; at the end every recipient's balance
must be exactly what was sent, or the script exits 1 and prints no rate.

Run:  .venv/bin/python benchmarks/solana_transfers.py [--transfers N] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time

os.environ.setdefault("STEWARD_HOME", tempfile.mkdtemp(prefix="steward-bench-sol-"))
os.environ.setdefault("STEWARD_KEYSTORE_SCRYPT_N", "2")
os.environ.setdefault("STEWARD_PASSPHRASE", "benchmark passphrase 1")

from solders.keypair import Keypair  # noqa: E402
from solders.litesvm import LiteSVM  # noqa: E402
from solders.pubkey import Pubkey  # noqa: E402
from spl.token.constants import TOKEN_PROGRAM_ID  # noqa: E402

from steward.chains.config import load_config  # noqa: E402
from steward.execution import Executor  # noqa: E402
from steward.guard import approve, review  # noqa: E402
from steward.guard.mandate import unrestricted_mandate  # noqa: E402
from steward.sandbox import solana as sol_sandbox  # noqa: E402
from steward.solana import solana_chain  # noqa: E402
from steward.solana.plans import token_transfer_plan, transaction  # noqa: E402
from steward.solana.spl import (  # noqa: E402
    associated_address,
    create_associated_idempotent,
    mint_info,
    token_balance,
)
from steward.wallets import WalletStore  # noqa: E402

PASSPHRASE = os.environ["STEWARD_PASSPHRASE"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--transfers", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    n = args.transfers
    store = WalletStore()
    store.create("bench", PASSPHRASE)
    sender = Pubkey.from_string(store.get("bench").solana_address)
    config = sol_sandbox.up()
    _, chain = sol_sandbox.sandbox_chain()
    sol_sandbox.top_up(chain, config, sender)
    mint = mint_info(chain, Pubkey.from_string(config.tokens["USDC"]))
    key = store.unlock_solana("bench", PASSPHRASE)
    recipients = {way: [Keypair().pubkey() for _ in range(n)] for way in ("raw", "embedded",
                                                                          "steward")}
    # Recipients' token accounts exist first, so every way times the same one-instruction plan.
    for way in recipients:
        for owner in recipients[way]:
            sol_sandbox.sign_and_send(chain, [sol_sandbox.operator()], [
                create_associated_idempotent(sol_sandbox.operator().pubkey(), owner, mint)])
    plans = {way: [token_transfer_plan(chain, config.name, sender, owner, mint, "USDC", 1, "x")
                   for owner in recipients[way]] for way in recipients}

    # raw LiteSVM: the same accounts loaded into a fresh in-memory VM
    svm = LiteSVM()
    for owner in [sender, *recipients["raw"]]:
        for address in (owner, associated_address(owner, mint.address, TOKEN_PROGRAM_ID)):
            account = chain.get_account(address)
            if account is not None:
                svm.set_account(address, account)
    svm.set_account(mint.address, chain.get_account(mint.address))
    start = time.perf_counter()
    for plan in plans["raw"]:
        result = svm.send_transaction(transaction(plan, svm.latest_blockhash(), [key]))
        svm.expire_blockhash()
        if hasattr(result, "err"):
            print(f"raw transfer failed: {result.err()}", file=sys.stderr)
            return 1
    raw = n / (time.perf_counter() - start)

    start = time.perf_counter()
    for plan in plans["embedded"]:
        if not chain.send(transaction(plan, chain.latest_blockhash(), [key])).success:
            return 1
    embedded = n / (time.perf_counter() - start)

    mandate = unrestricted_mandate("bench")
    start = time.perf_counter()
    verdicts = [review(plan, "bench", mandate=mandate) for plan in plans["steward"]]
    guard_ms = (time.perf_counter() - start) * 1000 / n
    executor = Executor.unlock("bench", PASSPHRASE, store)
    start = time.perf_counter()
    for plan, verdict in zip(plans["steward"], verdicts):
        executor.execute(plan, approve(verdict, by="benchmark"))
    steward = n / (time.perf_counter() - start)

    for way in ("embedded", "steward"):
        got = [token_balance(chain, owner, mint) for owner in recipients[way]]
        if got != [1] * n:
            print(f"{way}: recipients hold {sum(got)} base units, not {n}", file=sys.stderr)
            return 1
    figures = {"transfers": n, "raw_litesvm_tx_per_s": round(raw, 1),
               "embedded_chain_tx_per_s": round(embedded, 1),
               "steward_execute_tx_per_s": round(steward, 1),
               "guard_ms_per_plan": round(guard_ms, 2),
               "embedded_vs_raw": round(embedded / raw, 3),
               "steward_vs_embedded": round(steward / embedded, 3)}
    if args.json:
        print(json.dumps(figures))
    else:
        for name, value in figures.items():
            print(f"{name:>26}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
