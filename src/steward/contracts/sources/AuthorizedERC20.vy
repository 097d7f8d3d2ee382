# pragma version 0.4.3
# pragma evm-version cancun
"""
@title Steward ERC-20 with EIP-3009 transfer authorizations
@notice The sandbox ERC-20 (``ERC20.vy``: an owner and a set of minters; the
        deployer is the owner and the first minter; holders can burn their own
        balance) plus EIP-3009 as USDC's FiatToken v2 implements it: a holder
        signs an EIP-712 ``TransferWithAuthorization`` /
        ``ReceiveWithAuthorization`` message off-chain and anyone (or, for
        ``receiveWithAuthorization``, only the payee) submits it. Each
        authorization carries a random 32-byte nonce that is used up once, and
        a validity window ``validAfter < block.timestamp < validBefore``.
        EIP-712 domain: ``name()`` (the token's name), version ``"2"``,
        ``chainId``, ``verifyingContract``.
@dev The ERC-20 core is copied from ``ERC20.vy`` (keep them in step). Vyper reserves
     ``from`` and ``value``, so the ABI names those parameters ``from_`` and ``value_``;
     the selectors (and so every EIP-3009 client) are unaffected.
"""

event Transfer:
    sender: indexed(address)
    receiver: indexed(address)
    value: uint256

event Approval:
    owner: indexed(address)
    spender: indexed(address)
    value: uint256

event MinterSet:
    account: indexed(address)
    allowed: bool

event OwnershipTransferred:
    previous_owner: indexed(address)
    new_owner: indexed(address)

event AuthorizationUsed:
    authorizer: indexed(address)
    nonce: indexed(bytes32)

event AuthorizationCanceled:
    authorizer: indexed(address)
    nonce: indexed(bytes32)

name: public(String[64])
symbol: public(String[32])
decimals: public(uint8)
totalSupply: public(uint256)
balanceOf: public(HashMap[address, uint256])
allowance: public(HashMap[address, HashMap[address, uint256]])
owner: public(address)
minters: public(HashMap[address, bool])

# EIP-3009: authorizer -> nonce -> used or canceled
_authorization_states: HashMap[address, HashMap[bytes32, bool]]

version: public(constant(String[1])) = "2"

EIP712_DOMAIN_TYPEHASH: constant(bytes32) = keccak256(
    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
)
TRANSFER_WITH_AUTHORIZATION_TYPEHASH: public(constant(bytes32)) = keccak256(
    "TransferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)"
)
RECEIVE_WITH_AUTHORIZATION_TYPEHASH: public(constant(bytes32)) = keccak256(
    "ReceiveWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)"
)
CANCEL_AUTHORIZATION_TYPEHASH: public(constant(bytes32)) = keccak256(
    "CancelAuthorization(address authorizer,bytes32 nonce)"
)
# secp256k1n / 2: signatures with a larger s are the malleable twin (EIP-2)
HALF_N: constant(uint256) = 57896044618658097711785492504343953926418782139537452191302581570759080747168  # 0x7FFF...FFFF5D576E7357A4501DDFE92F46681B20A0


@deploy
def __init__(name_: String[64], symbol_: String[32], decimals_: uint8):
    self.name = name_
    self.symbol = symbol_
    self.decimals = decimals_
    self.owner = msg.sender
    self.minters[msg.sender] = True
    log OwnershipTransferred(previous_owner=empty(address), new_owner=msg.sender)
    log MinterSet(account=msg.sender, allowed=True)


# ---------------------------------------------------------------- ERC-20 core (as ERC20.vy)


@internal
def _transfer(sender: address, receiver: address, amount: uint256):
    assert receiver != empty(address), "transfer to zero address"
    balance: uint256 = self.balanceOf[sender]
    assert balance >= amount, "insufficient balance"
    self.balanceOf[sender] = balance - amount
    self.balanceOf[receiver] += amount
    log Transfer(sender=sender, receiver=receiver, value=amount)


@external
def transfer(receiver: address, amount: uint256) -> bool:
    self._transfer(msg.sender, receiver, amount)
    return True


@external
def transferFrom(sender: address, receiver: address, amount: uint256) -> bool:
    allowed: uint256 = self.allowance[sender][msg.sender]
    if allowed != max_value(uint256):
        assert allowed >= amount, "insufficient allowance"
        self.allowance[sender][msg.sender] = allowed - amount
    self._transfer(sender, receiver, amount)
    return True


@external
def approve(spender: address, amount: uint256) -> bool:
    self.allowance[msg.sender][spender] = amount
    log Approval(owner=msg.sender, spender=spender, value=amount)
    return True


@external
def mint(receiver: address, amount: uint256):
    assert self.minters[msg.sender], "not a minter"
    assert receiver != empty(address), "mint to zero address"
    self.totalSupply += amount
    self.balanceOf[receiver] += amount
    log Transfer(sender=empty(address), receiver=receiver, value=amount)


@external
def burn(amount: uint256):
    balance: uint256 = self.balanceOf[msg.sender]
    assert balance >= amount, "insufficient balance"
    self.balanceOf[msg.sender] = balance - amount
    self.totalSupply -= amount
    log Transfer(sender=msg.sender, receiver=empty(address), value=amount)


@external
def set_minter(account: address, allowed: bool):
    assert msg.sender == self.owner, "not the owner"
    self.minters[account] = allowed
    log MinterSet(account=account, allowed=allowed)


@external
def transfer_ownership(new_owner: address):
    assert msg.sender == self.owner, "not the owner"
    assert new_owner != empty(address), "new owner is the zero address"
    log OwnershipTransferred(previous_owner=self.owner, new_owner=new_owner)
    self.owner = new_owner


# ---------------------------------------------------------------- EIP-712 / EIP-3009


@internal
@view
def _domain_separator() -> bytes32:
    # computed on every call, so it follows the chain id across a fork
    return keccak256(abi_encode(
        EIP712_DOMAIN_TYPEHASH,
        keccak256(self.name),
        keccak256(version),
        chain.id,
        self,
    ))


@external
@view
def DOMAIN_SEPARATOR() -> bytes32:
    return self._domain_separator()


@external
@view
def authorizationState(authorizer: address, nonce: bytes32) -> bool:
    """@notice True once `nonce` of `authorizer` has been used or canceled."""
    return self._authorization_states[authorizer][nonce]


@internal
@view
def _recover(struct_hash: bytes32, v: uint8, r: bytes32, s: bytes32) -> address:
    assert convert(s, uint256) <= HALF_N, "invalid signature 's' value"
    assert v == 27 or v == 28, "invalid signature 'v' value"
    digest: bytes32 = keccak256(concat(b"\x19\x01", self._domain_separator(), struct_hash))
    signer: address = ecrecover(digest, v, r, s)
    assert signer != empty(address), "invalid signature"
    return signer


@internal
def _use_authorization(
    typehash: bytes32,
    sender: address,
    receiver: address,
    amount: uint256,
    valid_after: uint256,
    valid_before: uint256,
    nonce: bytes32,
    v: uint8,
    r: bytes32,
    s: bytes32,
):
    assert block.timestamp > valid_after, "authorization is not yet valid"
    assert block.timestamp < valid_before, "authorization is expired"
    assert not self._authorization_states[sender][nonce], "authorization is used or canceled"
    struct_hash: bytes32 = keccak256(abi_encode(
        typehash, sender, receiver, amount, valid_after, valid_before, nonce
    ))
    assert self._recover(struct_hash, v, r, s) == sender, "invalid signature"
    self._authorization_states[sender][nonce] = True
    log AuthorizationUsed(authorizer=sender, nonce=nonce)
    self._transfer(sender, receiver, amount)


@external
def transferWithAuthorization(
    from_: address,
    to: address,
    value_: uint256,
    validAfter: uint256,
    validBefore: uint256,
    nonce: bytes32,
    v: uint8,
    r: bytes32,
    s: bytes32,
):
    """@notice Move `value_` from `from_` to `to` on `from_`'s EIP-712 signature; anyone may submit."""
    self._use_authorization(TRANSFER_WITH_AUTHORIZATION_TYPEHASH, from_, to, value_,
                            validAfter, validBefore, nonce, v, r, s)


@external
def receiveWithAuthorization(
    from_: address,
    to: address,
    value_: uint256,
    validAfter: uint256,
    validBefore: uint256,
    nonce: bytes32,
    v: uint8,
    r: bytes32,
    s: bytes32,
):
    """@notice As transferWithAuthorization, but only the payee `to` may submit (no front-running)."""
    assert msg.sender == to, "caller must be the payee"
    self._use_authorization(RECEIVE_WITH_AUTHORIZATION_TYPEHASH, from_, to, value_,
                            validAfter, validBefore, nonce, v, r, s)


@external
def cancelAuthorization(authorizer: address, nonce: bytes32, v: uint8, r: bytes32, s: bytes32):
    """@notice Burn an unused nonce of `authorizer` on their signature, so it can never be used."""
    assert not self._authorization_states[authorizer][nonce], "authorization is used or canceled"
    struct_hash: bytes32 = keccak256(abi_encode(CANCEL_AUTHORIZATION_TYPEHASH, authorizer, nonce))
    assert self._recover(struct_hash, v, r, s) == authorizer, "invalid signature"
    self._authorization_states[authorizer][nonce] = True
    log AuthorizationCanceled(authorizer=authorizer, nonce=nonce)
