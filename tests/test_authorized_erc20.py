"""AuthorizedERC20 (the sandbox ERC-20 plus EIP-3009) on an in-process eth-tester chain (py-evm)."""

from __future__ import annotations

import os

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak
from web3 import EthereumTesterProvider, Web3
from web3.logs import DISCARD

from contract_helpers import deploy, now, reverts, send

NAME, SYMBOL, DECIMALS = "USD Coin", "USDC", 6
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
ZERO = "0x" + "00" * 20
HOUR = 3600

AUTH_FIELDS = [
    {"name": "from", "type": "address"},
    {"name": "to", "type": "address"},
    {"name": "value", "type": "uint256"},
    {"name": "validAfter", "type": "uint256"},
    {"name": "validBefore", "type": "uint256"},
    {"name": "nonce", "type": "bytes32"},
]
TYPES = {
    "EIP712Domain": [
        {"name": "name", "type": "string"},
        {"name": "version", "type": "string"},
        {"name": "chainId", "type": "uint256"},
        {"name": "verifyingContract", "type": "address"},
    ],
    "TransferWithAuthorization": AUTH_FIELDS,
    "ReceiveWithAuthorization": AUTH_FIELDS,
    "CancelAuthorization": [
        {"name": "authorizer", "type": "address"},
        {"name": "nonce", "type": "bytes32"},
    ],
}

# fixed keys: signers hold tokens but no ETH (a relayer submits for them)
PAYER = Account.from_key(b"\x11" * 32)
OTHER = Account.from_key(b"\x22" * 32)


@pytest.fixture(scope="module")
def w3():
    return Web3(EthereumTesterProvider())


@pytest.fixture(scope="module")
def token(w3):
    t = deploy(w3, "AuthorizedERC20", NAME, SYMBOL, DECIMALS)
    send(t.functions.mint(PAYER.address, 10**12), w3.eth.accounts[0])
    send(t.functions.mint(OTHER.address, 10**12), w3.eth.accounts[0])
    return t


@pytest.fixture(scope="module")
def payee(w3):
    return w3.eth.accounts[1]


@pytest.fixture(scope="module")
def relayer(w3):
    return w3.eth.accounts[2]


def typed(token, primary: str, message: dict) -> dict:
    return {
        "types": {"EIP712Domain": TYPES["EIP712Domain"], primary: TYPES[primary]},
        "primaryType": primary,
        "domain": {"name": NAME, "version": "2", "chainId": token.w3.eth.chain_id,
                   "verifyingContract": token.address},
        "message": message,
    }


def authorize(token, signer, to, value, *, valid_after=0, valid_before=None, nonce=None,
              primary="TransferWithAuthorization", sender=None):
    """(args for transfer/receiveWithAuthorization) signed by `signer` (for `sender`, default
    `signer`: sign for someone else's address to forge)."""
    nonce = nonce or os.urandom(32)
    if valid_before is None:
        valid_before = now(token.w3) + HOUR
    frm = sender or signer.address
    message = {"from": frm, "to": to, "value": value, "validAfter": valid_after,
               "validBefore": valid_before, "nonce": nonce}
    sig = Account.sign_typed_data(signer.key, full_message=typed(token, primary, message))
    return [frm, to, value, valid_after, valid_before, nonce, sig.v,
            sig.r.to_bytes(32, "big"), sig.s.to_bytes(32, "big")]


def cancel_args(token, signer, nonce):
    message = {"authorizer": signer.address, "nonce": nonce}
    sig = Account.sign_typed_data(signer.key, full_message=typed(token, "CancelAuthorization", message))
    return [signer.address, nonce, sig.v, sig.r.to_bytes(32, "big"), sig.s.to_bytes(32, "big")]


def bal(token, who) -> int:
    return token.functions.balanceOf(who).call()


# ---------------------------------------------------------------- domain and type hashes


def test_domain_separator_matches_eth_account(token):
    signable = encode_typed_data(full_message=typed(token, "CancelAuthorization",
                                                    {"authorizer": ZERO, "nonce": b"\0" * 32}))
    assert token.functions.DOMAIN_SEPARATOR().call() == signable.header
    assert token.functions.version().call() == "2"
    assert token.functions.name().call() == NAME


def test_type_hashes_are_eip3009s(token):
    f = token.functions
    assert f.TRANSFER_WITH_AUTHORIZATION_TYPEHASH().call() == keccak(
        text="TransferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,"
             "uint256 validBefore,bytes32 nonce)")
    assert f.RECEIVE_WITH_AUTHORIZATION_TYPEHASH().call() == keccak(
        text="ReceiveWithAuthorization(address from,address to,uint256 value,uint256 validAfter,"
             "uint256 validBefore,bytes32 nonce)")
    assert f.CANCEL_AUTHORIZATION_TYPEHASH().call() == keccak(
        text="CancelAuthorization(address authorizer,bytes32 nonce)")
    # the published constants (as in USDC's FiatToken v2)
    assert f.TRANSFER_WITH_AUTHORIZATION_TYPEHASH().call().hex() == (
        "7c7c6cdb67a18743f49ec6fa9b35f50d52ed05cbed4cc592e13b44501c1a2267")
    assert f.RECEIVE_WITH_AUTHORIZATION_TYPEHASH().call().hex() == (
        "d099cc98ef71107a616c4f0f941f04c322d8e254fe26b3c6668db87aae413de8")
    assert f.CANCEL_AUTHORIZATION_TYPEHASH().call().hex() == (
        "158b0a9edf7a828aad02f63cd515c68ef2f50ba807396f6d12842833a1597429")


def test_erc20_behaviour_as_the_sandbox_token(w3, token, payee):
    owner = w3.eth.accounts[0]
    assert token.functions.owner().call() == owner and token.functions.minters(owner).call()
    assert token.functions.decimals().call() == DECIMALS and token.functions.symbol().call() == SYMBOL
    reverts(token.functions.mint(payee, 1), payee, "not a minter")
    send(token.functions.mint(payee, 5), owner)
    send(token.functions.transfer(owner, 5), payee)


# ---------------------------------------------------------------- transferWithAuthorization


def test_valid_transfer_moves_exactly_value(w3, token, payee, relayer):
    args = authorize(token, PAYER, payee, 1_234_567)
    nonce = args[5]
    before_from, before_to = bal(token, PAYER.address), bal(token, payee)
    supply = token.functions.totalSupply().call()
    assert not token.functions.authorizationState(PAYER.address, nonce).call()
    receipt = send(token.functions.transferWithAuthorization(*args), relayer)
    assert bal(token, PAYER.address) == before_from - 1_234_567
    assert bal(token, payee) == before_to + 1_234_567
    assert bal(token, relayer) == 0 and token.functions.totalSupply().call() == supply
    assert token.functions.authorizationState(PAYER.address, nonce).call()
    used = token.events.AuthorizationUsed().process_receipt(receipt, errors=DISCARD)
    assert [(e.args.authorizer, e.args.nonce) for e in used] == [(PAYER.address, nonce)]
    moved = token.events.Transfer().process_receipt(receipt, errors=DISCARD)
    assert [(e.args.sender, e.args.receiver, e.args.value) for e in moved] == [
        (PAYER.address, payee, 1_234_567)]


def test_replayed_nonce_reverts(token, payee, relayer):
    args = authorize(token, PAYER, payee, 10)
    send(token.functions.transferWithAuthorization(*args), relayer)
    before = bal(token, payee)
    reverts(token.functions.transferWithAuthorization(*args), relayer, "authorization is used or canceled")
    # a fresh signature over the same nonce is still spent
    again = authorize(token, PAYER, payee, 99, nonce=args[5])
    reverts(token.functions.transferWithAuthorization(*again), relayer, "authorization is used or canceled")
    assert bal(token, payee) == before


def test_canceled_nonce_cannot_be_used(token, payee, relayer):
    args = authorize(token, PAYER, payee, 10)
    nonce = args[5]
    receipt = send(token.functions.cancelAuthorization(*cancel_args(token, PAYER, nonce)), relayer)
    canceled = token.events.AuthorizationCanceled().process_receipt(receipt, errors=DISCARD)
    assert [(e.args.authorizer, e.args.nonce) for e in canceled] == [(PAYER.address, nonce)]
    assert token.functions.authorizationState(PAYER.address, nonce).call()
    reverts(token.functions.transferWithAuthorization(*args), relayer, "authorization is used or canceled")
    # nor canceled twice, nor canceled by someone else's signature
    reverts(token.functions.cancelAuthorization(*cancel_args(token, PAYER, nonce)), relayer,
            "authorization is used or canceled")
    fresh = os.urandom(32)
    forged = cancel_args(token, OTHER, fresh)
    forged[0] = PAYER.address
    reverts(token.functions.cancelAuthorization(*forged), relayer, "invalid signature")
    assert not token.functions.authorizationState(PAYER.address, fresh).call()


def test_used_nonce_cannot_be_canceled(token, payee, relayer):
    args = authorize(token, PAYER, payee, 1)
    send(token.functions.transferWithAuthorization(*args), relayer)
    reverts(token.functions.cancelAuthorization(*cancel_args(token, PAYER, args[5])), relayer,
            "authorization is used or canceled")


def test_before_valid_after_reverts(token, payee, relayer):
    args = authorize(token, PAYER, payee, 10, valid_after=now(token.w3) + HOUR,
                     valid_before=now(token.w3) + 2 * HOUR)
    reverts(token.functions.transferWithAuthorization(*args), relayer, "authorization is not yet valid")
    assert not token.functions.authorizationState(PAYER.address, args[5]).call()


def test_after_valid_before_reverts(w3, token, payee, relayer):
    t = now(w3)
    args = authorize(token, PAYER, payee, 10, valid_before=t + 100)
    w3.provider.ethereum_tester.time_travel(t + 200)
    reverts(token.functions.transferWithAuthorization(*args), relayer, "authorization is expired")
    # the window's ends are exclusive: validBefore == now is expired too
    at = now(w3) + 1  # the next block's timestamp
    args = authorize(token, PAYER, payee, 10, valid_before=at)
    w3.provider.ethereum_tester.time_travel(at)
    reverts(token.functions.transferWithAuthorization(*args), relayer, "authorization is expired")


def test_signature_by_someone_else_reverts(token, payee, relayer):
    before = bal(token, PAYER.address)
    forged = authorize(token, OTHER, payee, 10, sender=PAYER.address)
    reverts(token.functions.transferWithAuthorization(*forged), relayer, "invalid signature")
    # a signature whose message was altered (value raised) recovers someone else, too
    args = authorize(token, PAYER, payee, 10)
    args[2] = 11
    reverts(token.functions.transferWithAuthorization(*args), relayer, "invalid signature")
    assert bal(token, PAYER.address) == before


def test_signature_for_another_token_reverts(w3, token, payee, relayer):
    twin = deploy(w3, "AuthorizedERC20", NAME, SYMBOL, DECIMALS)
    send(twin.functions.mint(PAYER.address, 100), w3.eth.accounts[0])
    args = authorize(token, PAYER, payee, 10)  # domain: `token`, not `twin`
    reverts(twin.functions.transferWithAuthorization(*args), relayer, "invalid signature")


def test_high_s_signature_reverts(token, payee, relayer):
    args = authorize(token, PAYER, payee, 10)
    v, s = args[6], int.from_bytes(args[8], "big")
    # the malleable twin: (v ^ 1, n - s) recovers the same signer
    twin = args[:6] + [55 - v, args[7], (SECP256K1_N - s).to_bytes(32, "big")]
    reverts(token.functions.transferWithAuthorization(*twin), relayer, "invalid signature 's' value")
    send(token.functions.transferWithAuthorization(*args), relayer)  # the low-s original is fine


def test_bad_v_reverts(token, payee, relayer):
    args = authorize(token, PAYER, payee, 10)
    args[6] = 29
    reverts(token.functions.transferWithAuthorization(*args), relayer, "invalid signature 'v' value")


def test_ecrecover_zero_is_rejected(token, payee, relayer):
    # r = s = 0 makes ecrecover return the zero address; were it accepted, anyone could
    # "authorize" transfers from address(0) (a zero-value one would succeed)
    args = [ZERO, payee, 0, 0, now(token.w3) + HOUR, os.urandom(32), 27, b"\0" * 32, b"\0" * 32]
    reverts(token.functions.transferWithAuthorization(*args), relayer, "invalid signature")
    reverts(token.functions.cancelAuthorization(ZERO, args[5], 27, b"\0" * 32, b"\0" * 32), relayer,
            "invalid signature")


# ---------------------------------------------------------------- receiveWithAuthorization


def test_receive_by_payee_moves_value(token, payee):
    args = authorize(token, PAYER, payee, 500, primary="ReceiveWithAuthorization")
    before = bal(token, payee)
    send(token.functions.receiveWithAuthorization(*args), payee)
    assert bal(token, payee) == before + 500
    assert token.functions.authorizationState(PAYER.address, args[5]).call()
    reverts(token.functions.receiveWithAuthorization(*args), payee, "authorization is used or canceled")


def test_receive_by_third_party_reverts(token, payee, relayer):
    args = authorize(token, PAYER, payee, 500, primary="ReceiveWithAuthorization")
    reverts(token.functions.receiveWithAuthorization(*args), relayer, "caller must be the payee")
    assert not token.functions.authorizationState(PAYER.address, args[5]).call()


def test_authorization_types_do_not_cross(token, payee, relayer):
    # a receive-authorization cannot be front-run through transferWithAuthorization, and vice versa
    receive = authorize(token, PAYER, payee, 7, primary="ReceiveWithAuthorization")
    reverts(token.functions.transferWithAuthorization(*receive), relayer, "invalid signature")
    transfer = authorize(token, PAYER, payee, 7)
    reverts(token.functions.receiveWithAuthorization(*transfer), payee, "invalid signature")
