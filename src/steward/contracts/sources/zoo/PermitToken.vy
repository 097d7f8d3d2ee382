# pragma version 0.4.3
# pragma evm-version cancun
"""
@title Permit token (scam zoo, legitimate)
@notice A fixed-supply ERC-20 with EIP-2612 permit (gasless approvals signed by the holder).
"""

event Transfer:
    sender: indexed(address)
    receiver: indexed(address)
    value: uint256

event Approval:
    owner: indexed(address)
    spender: indexed(address)
    value: uint256

name: public(String[64])
symbol: public(String[32])
decimals: public(uint8)
totalSupply: public(uint256)
balanceOf: public(HashMap[address, uint256])
allowance: public(HashMap[address, HashMap[address, uint256]])
nonces: public(HashMap[address, uint256])

EIP712_TYPEHASH: constant(bytes32) = keccak256(
    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")
PERMIT_TYPEHASH: constant(bytes32) = keccak256(
    "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)")
VERSION: constant(String[8]) = "1"
NAME_HASH: immutable(bytes32)


@deploy
def __init__(name_: String[64], symbol_: String[32], supply: uint256):
    self.name = name_
    self.symbol = symbol_
    self.decimals = 18
    self.totalSupply = supply
    self.balanceOf[msg.sender] = supply
    log Transfer(sender=empty(address), receiver=msg.sender, value=supply)
    NAME_HASH = keccak256(name_)


@view
@internal
def _domain_separator() -> bytes32:
    return keccak256(abi_encode(EIP712_TYPEHASH, NAME_HASH, keccak256(VERSION), chain.id, self))


@view
@external
def DOMAIN_SEPARATOR() -> bytes32:
    return self._domain_separator()


@external
def permit(owner: address, spender: address, amount: uint256, deadline: uint256, v: uint8,
           r: bytes32, s: bytes32):
    assert owner != empty(address), "invalid owner"
    assert block.timestamp <= deadline, "permit expired"
    nonce: uint256 = self.nonces[owner]
    digest: bytes32 = keccak256(concat(
        b"\x19\x01",
        self._domain_separator(),
        keccak256(abi_encode(PERMIT_TYPEHASH, owner, spender, amount, nonce, deadline)),
    ))
    assert ecrecover(digest, v, r, s) == owner, "invalid signature"
    self.nonces[owner] = nonce + 1
    self.allowance[owner][spender] = amount
    log Approval(owner=owner, spender=spender, value=amount)


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
