"""Deploy-and-call helpers for contract tests on a plain eth-tester chain (unlocked accounts)."""

from __future__ import annotations

import pytest
from eth_tester.exceptions import TransactionFailed
from web3 import Web3
from web3.exceptions import ContractLogicError

import steward.contracts as contracts

REVERTS = (ContractLogicError, TransactionFailed)


def deploy(w3: Web3, name: str, *args, sender=None):
    tx = {"from": sender or w3.eth.accounts[0], "data": contracts.initcode(name, *args)}
    receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_transaction(tx))
    assert receipt.status == 1
    return w3.eth.contract(address=receipt.contractAddress, abi=contracts.abi(name))


def send(fn, sender):
    receipt = fn.w3.eth.wait_for_transaction_receipt(fn.transact({"from": sender}))
    assert receipt.status == 1
    return receipt


def reverts(fn, sender, match: str):
    with pytest.raises(REVERTS) as info:
        fn.transact({"from": sender})
    assert match in str(info.value), str(info.value)


def now(w3) -> int:
    return w3.eth.get_block("latest").timestamp
