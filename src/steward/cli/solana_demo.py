"""The demo's Solana part: a Phantom-style key beside the MetaMask-style one, a transfer, a
bridge each way and a risky SPL mint refused — all through the same guard."""

from __future__ import annotations

from steward.cli import app as cli
from steward.cli.check_cmd import check_token


def solana_demo(step, expect_refusal) -> None:
    step("13. Phantom beside MetaMask: one wallet name, an EVM and a Solana address "
         "(m/44'/501'/0'/0', as Phantom derives it)")
    cli.wallet_list()
    cli.balance(hide_zero=True, chain=["sandbox-sol"])
    step('14. "send 5 USDC to alice on solana": her token account is opened first (rent shown)')
    cli.ask("send 5 USDC to alice on solana", yes=True)
    step('15. "bridge 100 USDC to solana": locked on sandbox-l1, minted on the Solana sandbox')
    cli.ask("bridge 100 USDC to solana", yes=True)  # only sandbox-l1 has the route
    step('16. "bridge 40 USDC from solana to l1": burned on Solana, released on sandbox-l1')
    cli.ask("bridge 40 USDC from solana to l1", yes=True)
    step("17. A risky SPL mint: ZDELEGATE's issuer can take anyone's tokens (permanent delegate)")
    check_token("ZDELEGATE", chain="sandbox-sol")
    expect_refusal("send 10 ZDELEGATE to bob on solana", "a transfer of a permanent-delegate token")
    step("18. One portfolio across both families")
    cli.balance(hide_zero=True)


__all__ = ["solana_demo"]
