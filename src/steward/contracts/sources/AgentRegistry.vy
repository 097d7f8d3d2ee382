# pragma version 0.4.3
# pragma evm-version cancun
"""
@title Agent identity registry (ERC-8004 style)
@notice Each agent is an id (from 1) owned by the address that registered it,
        with a URI (its registration file) and an optional agent wallet. The
        owner may set the wallet only with an EIP-712 signature made by that
        wallet over AgentWallet(agentId, wallet, nonce, deadline), so nobody
        can claim a wallet they do not control. Nonces are per wallet; a used
        signature cannot be replayed. Transferring an agent clears its wallet.
"""

event Registered:
    agentId: indexed(uint256)
    owner: indexed(address)
    agentURI: String[256]

event URIUpdated:
    agentId: indexed(uint256)
    agentURI: String[256]
    updatedBy: indexed(address)

event AgentWalletSet:
    agentId: indexed(uint256)
    wallet: indexed(address)
    setBy: address

event OwnershipTransferred:
    agentId: indexed(uint256)
    previousOwner: indexed(address)
    newOwner: indexed(address)

# secp256k1 group order / 2: signatures with s above this are malleable twins
SECP256K1_HALF_N: constant(uint256) = 57896044618658097711785492504343953926418782139537452191302581570759080747168

EIP712_DOMAIN_TYPEHASH: constant(bytes32) = keccak256(
    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
)
AGENT_WALLET_TYPEHASH: constant(bytes32) = keccak256(
    "AgentWallet(uint256 agentId,address wallet,uint256 nonce,uint256 deadline)"
)
NAME_HASH: constant(bytes32) = keccak256("Steward AgentRegistry")
VERSION_HASH: constant(bytes32) = keccak256("1")

_owners: HashMap[uint256, address]
_uris: HashMap[uint256, String[256]]
_wallets: HashMap[uint256, address]
nonces: public(HashMap[address, uint256])
totalAgents: public(uint256)


@deploy
def __init__():
    pass


@internal
@view
def _ownerOf(agentId: uint256) -> address:
    owner: address = self._owners[agentId]
    assert owner != empty(address), "unknown agent"
    return owner


@external
@view
def ownerOf(agentId: uint256) -> address:
    """Reverts for an unknown id."""
    return self._ownerOf(agentId)


@external
@view
def exists(agentId: uint256) -> bool:
    return self._owners[agentId] != empty(address)


@external
@view
def agentURI(agentId: uint256) -> String[256]:
    self._ownerOf(agentId)
    return self._uris[agentId]


@external
@view
def agentWallet(agentId: uint256) -> address:
    """empty(address) when none is set; reverts for an unknown id."""
    self._ownerOf(agentId)
    return self._wallets[agentId]


@internal
@view
def _domainSeparator() -> bytes32:
    return keccak256(abi_encode(EIP712_DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH, chain.id, self))


@external
@view
def DOMAIN_SEPARATOR() -> bytes32:
    return self._domainSeparator()


@internal
@view
def _digest(agentId: uint256, wallet: address, nonce: uint256, deadline: uint256) -> bytes32:
    struct_hash: bytes32 = keccak256(abi_encode(AGENT_WALLET_TYPEHASH, agentId, wallet, nonce, deadline))
    return keccak256(concat(b"\x19\x01", self._domainSeparator(), struct_hash))


@external
@view
def agentWalletDigest(agentId: uint256, wallet: address, nonce: uint256, deadline: uint256) -> bytes32:
    """The EIP-712 digest the wallet must sign (for off-chain checks)."""
    return self._digest(agentId, wallet, nonce, deadline)


@external
def register(agentURI: String[256]) -> uint256:
    agentId: uint256 = self.totalAgents + 1
    self.totalAgents = agentId
    self._owners[agentId] = msg.sender
    self._uris[agentId] = agentURI
    log Registered(agentId=agentId, owner=msg.sender, agentURI=agentURI)
    log OwnershipTransferred(agentId=agentId, previousOwner=empty(address), newOwner=msg.sender)
    return agentId


@external
def setAgentURI(agentId: uint256, agentURI: String[256]):
    assert msg.sender == self._ownerOf(agentId), "not the agent owner"
    self._uris[agentId] = agentURI
    log URIUpdated(agentId=agentId, agentURI=agentURI, updatedBy=msg.sender)


@external
def transferAgent(agentId: uint256, newOwner: address):
    owner: address = self._ownerOf(agentId)
    assert msg.sender == owner, "not the agent owner"
    assert newOwner != empty(address), "empty owner"
    self._owners[agentId] = newOwner
    log OwnershipTransferred(agentId=agentId, previousOwner=owner, newOwner=newOwner)
    if self._wallets[agentId] != empty(address):
        # the wallet vouched for the old owner's agent, not the new one's
        self._wallets[agentId] = empty(address)
        log AgentWalletSet(agentId=agentId, wallet=empty(address), setBy=msg.sender)


@external
def setAgentWallet(agentId: uint256, wallet: address, deadline: uint256, signature: Bytes[65]):
    assert msg.sender == self._ownerOf(agentId), "not the agent owner"
    assert wallet != empty(address), "empty wallet"
    assert block.timestamp <= deadline, "signature expired"
    assert len(signature) == 65, "bad signature length"
    r: uint256 = extract32(signature, 0, output_type=uint256)
    s: uint256 = extract32(signature, 32, output_type=uint256)
    v: uint256 = convert(slice(signature, 64, 1), uint256)
    assert v == 27 or v == 28, "bad signature v"
    assert s != 0 and s <= SECP256K1_HALF_N, "bad signature s"
    nonce: uint256 = self.nonces[wallet]
    signer: address = ecrecover(self._digest(agentId, wallet, nonce, deadline), v, r, s)
    assert signer != empty(address) and signer == wallet, "bad signature"
    self.nonces[wallet] = nonce + 1
    self._wallets[agentId] = wallet
    log AgentWalletSet(agentId=agentId, wallet=wallet, setBy=msg.sender)


@external
def unsetAgentWallet(agentId: uint256):
    assert msg.sender == self._ownerOf(agentId), "not the agent owner"
    self._wallets[agentId] = empty(address)
    log AgentWalletSet(agentId=agentId, wallet=empty(address), setBy=msg.sender)
