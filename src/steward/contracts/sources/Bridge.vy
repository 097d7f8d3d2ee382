# pragma version 0.4.3
# pragma evm-version cancun
"""
@title Lock-and-mint bridge (one instance per chain)
@notice Canonical tokens are locked here and released back; wrapped tokens
        (representations of tokens from other chains) are minted and burned by
        this bridge, which must be a minter on them. A trusted relayer carries
        Locked/Burned events from one chain into mint/release on the other.
        Each (source chain id, source nonce) is processed at most once.

        A Solana route (a canonical token ↔ an SPL mint on a Solana cluster, named by
        the number Steward gives it as a chain id) is one-way lock/release here: tokens
        locked toward Solana are minted there by the relayer (the mint authority), and
        an SPL burn on Solana is released here once per (cluster, burn id). Releases
        toward a route never exceed what was locked toward it, so tokens minted on
        Solana by anyone else cannot drain what other routes locked.
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

event LockedToSolana:
    nonce: indexed(uint256)
    token: indexed(address)
    mint: bytes32
    sender: indexed(address)
    recipient: bytes32
    amount: uint256
    dest_chain_id: uint256

event ReleasedFromSolana:
    src_chain_id: indexed(uint256)
    burn_id: indexed(bytes32)
    token: address
    recipient: address
    amount: uint256

event SolanaTokenRegistered:
    local_token: indexed(address)
    solana_chain_id: indexed(uint256)
    mint: bytes32

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
# local token -> Solana chain id -> the SPL mint (32 bytes) it is minted as there
solana_mint: public(HashMap[address, HashMap[uint256, bytes32]])
# local token -> Solana chain id -> locked toward that route and not yet released back
solana_outstanding: public(HashMap[address, HashMap[uint256, uint256]])

# Solana burn ids are claimed in `processed` under their own domain, so a burn id can never
# collide with an EVM (chain id, nonce) key.
SOLANA_BURN_DOMAIN: constant(bytes32) = keccak256("steward-bridge:solana-burn")


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
    assert self.solana_mint[local_token][remote_chain_id] == empty(bytes32), "chain id is a Solana route"
    self.remote_token[local_token][remote_chain_id] = remote_token
    self.is_wrapped[local_token] = wrapped
    log TokenRegistered(
        local_token=local_token,
        remote_chain_id=remote_chain_id,
        remote_token=remote_token,
        wrapped=wrapped,
    )


@external
def register_solana_token(local_token: address, solana_chain_id: uint256, mint: bytes32):
    """Route `local_token` to the SPL `mint` on `solana_chain_id`; an empty mint closes the
    route for new locks (releases of what is still outstanding go on)."""
    assert msg.sender == self.owner, "not the owner"
    assert local_token != empty(address), "empty local token"
    assert not self.is_wrapped[local_token], "token is wrapped"
    assert self.remote_token[local_token][solana_chain_id] == empty(address), "chain id is an EVM route"
    self.solana_mint[local_token][solana_chain_id] = mint
    log SolanaTokenRegistered(local_token=local_token, solana_chain_id=solana_chain_id, mint=mint)


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


@external
@nonreentrant
def lock_to_solana(token: address, amount: uint256, recipient: bytes32, dest_chain_id: uint256) -> uint256:
    """Lock `token` for the Solana account `recipient` (its 32-byte public key)."""
    assert not self.is_wrapped[token], "token is wrapped"
    mint: bytes32 = self.solana_mint[token][dest_chain_id]
    assert mint != empty(bytes32), "token not registered for chain"
    assert amount > 0, "zero amount"
    assert recipient != empty(bytes32), "empty recipient"
    received: uint256 = self._pull(token, amount)
    self.solana_outstanding[token][dest_chain_id] += received
    nonce: uint256 = self.next_nonce
    self.next_nonce = nonce + 1
    log LockedToSolana(
        nonce=nonce,
        token=token,
        mint=mint,
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


@external
@nonreentrant
def release_from_solana(src_chain_id: uint256, burn_id: bytes32, token: address, recipient: address, amount: uint256):
    """Release what an SPL burn on `src_chain_id` sent back; each burn id once."""
    assert msg.sender == self.relayer, "not the relayer"
    assert not self.is_wrapped[token], "token is wrapped"
    assert self.solana_mint[token][src_chain_id] != empty(bytes32) or self.solana_outstanding[token][src_chain_id] > 0, "token not registered for chain"
    assert burn_id != empty(bytes32), "empty burn id"
    self._check_send(amount, recipient)
    assert amount <= self.solana_outstanding[token][src_chain_id], "more than was locked"
    key: bytes32 = keccak256(abi_encode(SOLANA_BURN_DOMAIN, src_chain_id, burn_id))
    assert not self.processed[key], "already processed"
    self.processed[key] = True
    self.solana_outstanding[token][src_chain_id] -= amount
    assert extcall IToken(token).transfer(recipient, amount, default_return_value=True), "transfer failed"
    log ReleasedFromSolana(
        src_chain_id=src_chain_id,
        burn_id=burn_id,
        token=token,
        recipient=recipient,
        amount=amount,
    )
