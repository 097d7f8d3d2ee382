# pragma version 0.4.3
# pragma evm-version cancun
"""
@title Guarded account: the owner's mandate enforced on chain
@notice Two authorities. The owner (a cold key) sets the policy: tightening takes effect at
        once, loosening only after `delay` seconds (schedule the change's exact calldata
        hash, then apply it), pausing at once. The agent (the key Steward holds day to day)
        may only `execute` batches, atomically, and only within the policy:
        - every call's (target, selector) is on the allowlist; calls that carry native value
          need the entry's VALUE flag; plain value transfers (empty calldata) need
          `native_sends` or the target's entry for empty calldata; a call to the account
          itself is refused;
        - `approve(spender, amount)` in a batch must be used up (allowance back to 0) by the
          end of that batch;
        - after the batch, each tracked token's (and the native coin's, tracked as the zero
          address) loss is added to what it lost in the current window and must stay within
          its limit; the losses valued at the owner's stated USD rates must stay within the
          per-batch and per-window USD limits. Gains never offset losses.
        Windows are fixed: window k is [k * period, (k + 1) * period) in block time. A batch
        names the account's next nonce, so a batch is executed at most once.
        Works deployed (constructor sets the owner) or as an EIP-7702 delegate of the owner's
        own address (storage empty: only the address itself may initialize, and is the owner).
"""

interface IERC20:
    def balanceOf(account: address) -> uint256: view
    def allowance(owner: address, spender: address) -> uint256: view

MAX_CALLS: constant(uint256) = 8
MAX_DATA: constant(uint256) = 2048
MAX_TOKENS: constant(uint256) = 16
MAX_ENTRIES: constant(uint256) = 96
MAX_RETURN: constant(uint256) = 1024
MAX_DELAY: constant(uint256) = 365 * 86400  # a longer timelock could lock the owner out for good
RATE_SCALE: constant(uint256) = 10**18  # usd_rate: USD micros per 10**18 base units
WINDOW_SHIFT: constant(uint256) = 192
AMOUNT_MASK: constant(uint256) = (1 << 192) - 1
ALLOWED: constant(uint8) = 1
VALUE: constant(uint8) = 2
APPROVE: constant(bytes4) = 0x095ea7b3
NATIVE: constant(address) = empty(address)

struct Call:
    target: address
    value: uint256
    data: Bytes[MAX_DATA]

event Initialized:
    owner: indexed(address)
    agent: indexed(address)
    period: uint256
    delay: uint256

event Executed:
    agent: indexed(address)
    nonce: uint256
    calls: uint256
    usd_micros: uint256

event Spent:
    token: indexed(address)
    amount: uint256
    window: uint256
    window_total: uint256

event Scheduled:
    change: indexed(bytes32)
    eta: uint256

event Cancelled:
    change: indexed(bytes32)

event PolicyChanged:
    what: String[32]
    subject: indexed(address)
    selector: bytes4
    amount: uint256

event Paused:
    paused: bool

owner: public(address)
agent: public(address)
initialized: public(bool)
paused: public(bool)
nonce: public(uint256)
period: public(uint256)
delay: public(uint256)

tracked: public(DynArray[address, MAX_TOKENS])
is_tracked: public(HashMap[address, bool])
token_limit: public(HashMap[address, uint256])
usd_rate: public(HashMap[address, uint256])
# window << 192 | lost in that window: one slot per token, so a batch writes each once
token_used: public(HashMap[address, uint256])

window_usd_limit: public(uint256)
batch_usd_limit: public(uint256)
usd_used: public(uint256)  # window << 192 | USD micros lost in that window

permission: public(HashMap[address, HashMap[bytes4, uint8]])
native_sends: public(bool)

scheduled: public(HashMap[bytes32, uint256])


@deploy
def __init__(owner: address):
    # A deployed account names its owner; the EIP-7702 implementation is deployed with no
    # owner, and a delegating address starts with empty storage (see `initialize`).
    self.owner = owner


@external
@payable
def __default__():
    pass


@external
def initialize(agent: address, period: uint256, delay: uint256,
               tokens: DynArray[address, MAX_TOKENS], limits: DynArray[uint256, MAX_TOKENS],
               rates: DynArray[uint256, MAX_TOKENS], window_usd_limit: uint256,
               batch_usd_limit: uint256, targets: DynArray[address, MAX_ENTRIES],
               selectors: DynArray[bytes4, MAX_ENTRIES], flags: DynArray[uint8, MAX_ENTRIES],
               native_sends: bool):
    assert not self.initialized, "policy: already initialized"
    if self.owner == empty(address):
        # EIP-7702: only the delegating address itself (its own key) may claim it.
        assert msg.sender == self, "policy: only the address itself may initialize it"
        self.owner = self
    else:
        assert msg.sender == self.owner, "policy: only the owner"
    assert period > 0, "policy: the window period must be positive"
    assert delay <= MAX_DELAY, "policy: the timelock may be at most 365 days"
    assert len(tokens) == len(limits) and len(tokens) == len(rates), "policy: token lists differ in length"
    assert len(targets) == len(selectors) and len(targets) == len(flags), "policy: allowlist lists differ in length"
    self.initialized = True
    self.agent = agent
    self.period = period
    self.delay = delay
    for i: uint256 in range(len(tokens), bound=MAX_TOKENS):
        self._track(tokens[i], limits[i], rates[i])
    self.window_usd_limit = window_usd_limit
    self.batch_usd_limit = batch_usd_limit
    for i: uint256 in range(len(targets), bound=MAX_ENTRIES):
        assert targets[i] != self, "policy: the account itself cannot be allowed"
        self.permission[targets[i]][selectors[i]] = flags[i]
    self.native_sends = native_sends
    log Initialized(owner=self.owner, agent=agent, period=period, delay=delay)


# ---- the agent ------------------------------------------------------------------------------

@external
@nonreentrant
def execute(calls: DynArray[Call, MAX_CALLS], batch_nonce: uint256):
    assert msg.sender == self.agent and msg.sender != empty(address), "policy: only the agent key may execute"
    assert self.initialized, "policy: not initialized"
    assert not self.paused, "policy: the account is paused"
    assert batch_nonce == self.nonce, "policy: stale or replayed batch (nonce)"
    self.nonce = batch_nonce + 1
    before: DynArray[uint256, MAX_TOKENS] = self._balances()
    tokens: DynArray[address, MAX_CALLS] = []
    spenders: DynArray[address, MAX_CALLS] = []
    for c: Call in calls:
        self._check_call(c)
        if len(c.data) >= 4 and convert(slice(c.data, 0, 4), bytes4) == APPROVE:
            # a token that does not check its calldata's length reads a short approve as
            # zero-padded: it would grant an allowance that is never checked below
            assert len(c.data) >= 68, "policy: malformed approval"
            spender: address = empty(address)
            amount: uint256 = 0
            spender, amount = abi_decode(slice(c.data, 4, 64), (address, uint256))
            tokens.append(c.target)
            spenders.append(spender)
        raw_call(c.target, c.data, value=c.value)
    for i: uint256 in range(len(tokens), bound=MAX_CALLS):
        assert staticcall IERC20(tokens[i]).allowance(self, spenders[i]) == 0, "policy: an approval was not used up within the batch"
    usd: uint256 = self._charge(before)
    log Executed(agent=msg.sender, nonce=batch_nonce, calls=len(calls), usd_micros=usd)


@internal
@view
def _check_call(c: Call):
    assert c.target != self, "policy: a batch may not call the account itself"
    if len(c.data) == 0:
        plain: uint8 = self.permission[c.target][empty(bytes4)]
        assert self.native_sends or plain & ALLOWED != 0, "policy: plain value transfers are not allowed"
        # an entry for empty calldata carries coin only with its VALUE flag, like any other
        assert self.native_sends or c.value == 0 or plain & VALUE != 0, "policy: this call may not carry native value"
        return
    assert len(c.data) >= 4, "policy: malformed calldata"
    entry: uint8 = self.permission[c.target][convert(slice(c.data, 0, 4), bytes4)]
    assert entry & ALLOWED != 0, "policy: this contract or function is not on the allowlist"
    if c.value != 0:
        assert entry & VALUE != 0, "policy: this call may not carry native value"


@internal
@view
def _balance(token: address) -> uint256:
    if token == NATIVE:
        return self.balance
    return staticcall IERC20(token).balanceOf(self)


@internal
@view
def _balances() -> DynArray[uint256, MAX_TOKENS]:
    out: DynArray[uint256, MAX_TOKENS] = []
    for token: address in self.tracked:
        out.append(self._balance(token))
    return out


@internal
@pure
def _add_used(used: uint256, window: uint256, amount: uint256) -> uint256:
    """What was used in `window` after adding `amount` (a record from an older window is 0)."""
    total: uint256 = amount
    if used >> WINDOW_SHIFT == window:
        total += used & AMOUNT_MASK
    assert total <= AMOUNT_MASK, "policy: amount out of range"
    return total


@internal
def _charge(before: DynArray[uint256, MAX_TOKENS]) -> uint256:
    window: uint256 = block.timestamp // self.period
    usd: uint256 = 0
    for i: uint256 in range(len(before), bound=MAX_TOKENS):
        was: uint256 = before[i]
        if was == 0:
            continue  # nothing to lose
        token: address = self.tracked[i]
        now: uint256 = self._balance(token)
        if now >= was:
            continue
        loss: uint256 = was - now
        total: uint256 = self._add_used(self.token_used[token], window, loss)
        assert total <= self.token_limit[token], "policy: over this token's limit for the window"
        self.token_used[token] = window << WINDOW_SHIFT | total
        # rounded up: a loss is never valued below its rate
        usd += (loss * self.usd_rate[token] + RATE_SCALE - 1) // RATE_SCALE
        log Spent(token=token, amount=loss, window=window, window_total=total)
    if usd != 0:
        assert usd <= self.batch_usd_limit, "policy: over the per-batch USD limit"
        total_usd: uint256 = self._add_used(self.usd_used, window, usd)
        assert total_usd <= self.window_usd_limit, "policy: over the USD limit for the window"
        self.usd_used = window << WINDOW_SHIFT | total_usd
    return usd


# ---- the owner ------------------------------------------------------------------------------

@internal
@view
def _only_owner():
    assert msg.sender == self.owner and msg.sender != empty(address), "policy: only the owner"


@internal
def _loosen(change: bytes32):
    # `change` is keccak256 of this call's exact calldata: what was scheduled is what is applied.
    eta: uint256 = self.scheduled[change]
    assert eta != 0, "policy: loosening the policy must be scheduled first"
    assert block.timestamp >= eta, "policy: the timelock has not passed"
    self.scheduled[change] = 0


@external
def schedule(change: bytes32) -> uint256:
    """@notice Start the timelock for a loosening change: keccak256 of its exact calldata."""
    self._only_owner()
    eta: uint256 = block.timestamp + self.delay
    self.scheduled[change] = eta
    log Scheduled(change=change, eta=eta)
    return eta


@external
def cancel(change: bytes32):
    self._only_owner()
    self.scheduled[change] = 0
    log Cancelled(change=change)


@internal
def _track(token: address, limit: uint256, rate: uint256):
    if not self.is_tracked[token]:
        self.tracked.append(token)  # reverts past MAX_TOKENS: never silently unchecked
        self.is_tracked[token] = True
    self.token_limit[token] = limit
    self.usd_rate[token] = rate


@external
def set_token_limit(token: address, limit: uint256, usd_rate: uint256):
    """@notice A token's limit per window and its USD rate. Tracking a new token, a lower
       limit or a higher rate is immediate; a higher limit or lower rate waits for the delay."""
    self._only_owner()
    if self.is_tracked[token] and (limit > self.token_limit[token] or usd_rate < self.usd_rate[token]):
        self._loosen(keccak256(concat(method_id("set_token_limit(address,uint256,uint256)", output_type=Bytes[4]), abi_encode(token, limit, usd_rate))))
    self._track(token, limit, usd_rate)
    log PolicyChanged(what="token limit", subject=token, selector=empty(bytes4), amount=limit)


@external
def set_usd_limits(window_usd_limit: uint256, batch_usd_limit: uint256):
    self._only_owner()
    if window_usd_limit > self.window_usd_limit or batch_usd_limit > self.batch_usd_limit:
        self._loosen(keccak256(concat(method_id("set_usd_limits(uint256,uint256)", output_type=Bytes[4]), abi_encode(window_usd_limit, batch_usd_limit))))
    self.window_usd_limit = window_usd_limit
    self.batch_usd_limit = batch_usd_limit
    log PolicyChanged(what="usd limits", subject=empty(address), selector=empty(bytes4), amount=window_usd_limit)


@external
def set_permission(target: address, selector: bytes4, flags: uint8):
    """@notice Allow (flags 1, or 3 with native value) or forbid (0) a target's function;
       granting anything not granted now waits for the delay."""
    self._only_owner()
    assert target != self, "policy: the account itself cannot be allowed"
    if flags | self.permission[target][selector] != self.permission[target][selector]:
        self._loosen(keccak256(concat(method_id("set_permission(address,bytes4,uint8)", output_type=Bytes[4]), abi_encode(target, selector, flags))))
    self.permission[target][selector] = flags
    log PolicyChanged(what="permission", subject=target, selector=selector, amount=convert(flags, uint256))


@external
def set_native_sends(allowed: bool):
    self._only_owner()
    if allowed and not self.native_sends:
        self._loosen(keccak256(concat(method_id("set_native_sends(bool)", output_type=Bytes[4]), abi_encode(allowed))))
    self.native_sends = allowed
    log PolicyChanged(what="native sends", subject=empty(address), selector=empty(bytes4), amount=convert(allowed, uint256))


@external
def set_agent(agent: address):
    """@notice Revoking the agent (the zero address) is immediate; a new agent key waits."""
    self._only_owner()
    if agent != empty(address):
        self._loosen(keccak256(concat(method_id("set_agent(address)", output_type=Bytes[4]), abi_encode(agent))))
    self.agent = agent
    log PolicyChanged(what="agent", subject=agent, selector=empty(bytes4), amount=0)


@external
def set_delay(delay: uint256):
    self._only_owner()
    assert delay <= MAX_DELAY, "policy: the timelock may be at most 365 days"
    if delay < self.delay:
        self._loosen(keccak256(concat(method_id("set_delay(uint256)", output_type=Bytes[4]), abi_encode(delay))))
    self.delay = delay
    log PolicyChanged(what="delay", subject=empty(address), selector=empty(bytes4), amount=delay)


@external
def pause():
    self._only_owner()
    self.paused = True
    log Paused(paused=True)


@external
def unpause():
    self._only_owner()
    self._loosen(keccak256(method_id("unpause()", output_type=Bytes[4])))
    self.paused = False
    log Paused(paused=False)


@external
@payable
def owner_call(target: address, amount: uint256, data: Bytes[MAX_DATA]) -> Bytes[MAX_RETURN]:
    """@notice The owner's own unrestricted call from the account (a deployed account's way to
       move what it holds; an EIP-7702 owner can also simply send from its address)."""
    self._only_owner()
    return raw_call(target, data, value=amount, max_outsize=MAX_RETURN)
