# pragma version 0.4.3
# pragma evm-version cancun
"""
@title Lock-and-mint bridge (one instance per chain)
@notice Canonical tokens are locked here and released back; wrapped tokens
        (representations of tokens from other chains) are minted and burned by
        this bridge, which must be a minter on them. A trusted relayer carries
        Locked/Burned events from one chain into mint/release on the other.
        Each (source chain id, source nonce) is processed at most once.
"""

interface IToken:
    def balanceOf(account: address) -> uint256: view
    def transfer(receiver: address, amount: uint256) -> bool: nonpayable
    def transferFrom(sender: address, receiver: address, amount: uint256) -> bool: nonpayable
    def mint(receiver: address, amount: uint256): nonpayable
    def burn(amount: uint256): nonpayable

event Locked:
    nonce: indexed(uint256)
    token: indexed(address)
    remote_token: address
    sender: indexed(address)
    recipient: address
    amount: uint256
    dest_chain_id: uint256

event Burned:
    nonce: indexed(uint256)
    token: indexed(address)
    remote_token: address
    sender: indexed(address)
    recipient: address
    amount: uint256
    dest_chain_id: uint256

event Minted:
    src_chain_id: indexed(uint256)
    src_nonce: indexed(uint256)
    token: address
    recipient: address
    amount: uint256

event Released:
    src_chain_id: indexed(uint256)
    src_nonce: indexed(uint256)
    token: address
    recipient: address
    amount: uint256

event TokenRegistered:
    local_token: indexed(address)
    remote_chain_id: indexed(uint256)
    remote_token: address
    wrapped: bool

event RelayerSet:
    relayer: indexed(address)

event OwnershipTransferred:
    previous_owner: indexed(address)
    new_owner: indexed(address)

owner: public(address)
relayer: public(address)
remote_token: public(HashMap[address, HashMap[uint256, address]])
is_wrapped: public(HashMap[address, bool])
processed: public(HashMap[bytes32, bool])
next_nonce: public(uint256)


@deploy
def __init__():
    self.owner = msg.sender
    self.relayer = msg.sender
    log OwnershipTransferred(previous_owner=empty(address), new_owner=msg.sender)
    log RelayerSet(relayer=msg.sender)


# ---------------------------------------------------------------- admin

@external
def register_token(local_token: address, remote_chain_id: uint256, remote_token: address, wrapped: bool):
    assert msg.sender == self.owner, "not the owner"
    assert local_token != empty(address), "empty local token"
    self.remote_token[local_token][remote_chain_id] = remote_token
    self.is_wrapped[local_token] = wrapped
    log TokenRegistered(
        local_token=local_token,
        remote_chain_id=remote_chain_id,
        remote_token=remote_token,
        wrapped=wrapped,
    )


@external
def set_relayer(relayer: address):
    assert msg.sender == self.owner, "not the owner"
    self.relayer = relayer
    log RelayerSet(relayer=relayer)


@external
def transfer_ownership(new_owner: address):
    assert msg.sender == self.owner, "not the owner"
    assert new_owner != empty(address), "empty owner"
    log OwnershipTransferred(previous_owner=self.owner, new_owner=new_owner)
    self.owner = new_owner


# ---------------------------------------------------------------- helpers

@internal
def _pull(token: address, amount: uint256) -> uint256:
    """Pull `amount` from the caller; return what actually arrived."""
    before: uint256 = staticcall IToken(token).balanceOf(self)
    assert extcall IToken(token).transferFrom(msg.sender, self, amount, default_return_value=True), "transferFrom failed"
    received: uint256 = staticcall IToken(token).balanceOf(self) - before
    assert received > 0, "nothing received"
    return received


@internal
def _claim(src_chain_id: uint256, src_nonce: uint256):
    key: bytes32 = keccak256(abi_encode(src_chain_id, src_nonce))
    assert not self.processed[key], "already processed"
    self.processed[key] = True


@internal
def _check_send(amount: uint256, recipient: address):
    assert amount > 0, "zero amount"
    assert recipient != empty(address), "empty recipient"


# ---------------------------------------------------------------- outbound

@external
@nonreentrant
def lock(token: address, amount: uint256, recipient: address, dest_chain_id: uint256) -> uint256:
    assert not self.is_wrapped[token], "token is wrapped; use burn"
    remote: address = self.remote_token[token][dest_chain_id]
    assert remote != empty(address), "token not registered for chain"
    self._check_send(amount, recipient)
    received: uint256 = self._pull(token, amount)
    nonce: uint256 = self.next_nonce
    self.next_nonce = nonce + 1
    log Locked(
        nonce=nonce,
        token=token,
        remote_token=remote,
        sender=msg.sender,
        recipient=recipient,
        amount=received,
        dest_chain_id=dest_chain_id,
    )
    return nonce


@external
@nonreentrant
def burn(token: address, amount: uint256, recipient: address, dest_chain_id: uint256) -> uint256:
    assert self.is_wrapped[token], "token is not wrapped; use lock"
    remote: address = self.remote_token[token][dest_chain_id]
    assert remote != empty(address), "token not registered for chain"
    self._check_send(amount, recipient)
    received: uint256 = self._pull(token, amount)
    extcall IToken(token).burn(received)
    nonce: uint256 = self.next_nonce
    self.next_nonce = nonce + 1
    log Burned(
        nonce=nonce,
        token=token,
        remote_token=remote,
        sender=msg.sender,
        recipient=recipient,
        amount=received,
        dest_chain_id=dest_chain_id,
    )
    return nonce


# ---------------------------------------------------------------- inbound (relayer)

@external
@nonreentrant
def mint(src_chain_id: uint256, src_nonce: uint256, token: address, recipient: address, amount: uint256):
    assert msg.sender == self.relayer, "not the relayer"
    assert self.is_wrapped[token], "token is not wrapped"
    assert self.remote_token[token][src_chain_id] != empty(address), "token not registered for chain"
    self._check_send(amount, recipient)
    self._claim(src_chain_id, src_nonce)
    extcall IToken(token).mint(recipient, amount)
    log Minted(
        src_chain_id=src_chain_id,
        src_nonce=src_nonce,
        token=token,
        recipient=recipient,
        amount=amount,
    )


@external
@nonreentrant
def release(src_chain_id: uint256, src_nonce: uint256, token: address, recipient: address, amount: uint256):
    assert msg.sender == self.relayer, "not the relayer"
    assert not self.is_wrapped[token], "token is wrapped"
    assert self.remote_token[token][src_chain_id] != empty(address), "token not registered for chain"
    self._check_send(amount, recipient)
    self._claim(src_chain_id, src_nonce)
    assert extcall IToken(token).transfer(recipient, amount, default_return_value=True), "transfer failed"
    log Released(
        src_chain_id=src_chain_id,
        src_nonce=src_nonce,
        token=token,
        recipient=recipient,
        amount=amount,
    )
