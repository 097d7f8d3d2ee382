# pragma version 0.4.3
# pragma evm-version cancun
"""
@title Reentrant token (guarded account tests only)
@notice An ERC-20 whose `transfer` first replays every armed payload (calls to a guarded
        account's `execute` and owner setters) and counts the ones that succeeded in
        `reentries`; its `balanceOf` tries the first payload too (the account reads balances
        by STATICCALL, so nothing there can change state). It can also act as a contract
        agent (`act`), which is how the account's reentrancy lock itself is exercised.
"""

event Transfer:
    sender: indexed(address)
    receiver: indexed(address)
    value: uint256

event Approval:
    owner: indexed(address)
    spender: indexed(address)
    value: uint256

allowance: public(HashMap[address, HashMap[address, uint256]])
balances: HashMap[address, uint256]
target: public(address)
payloads: DynArray[Bytes[1024], 8]
reentries: public(uint256)


@external
def arm(target: address, payloads: DynArray[Bytes[1024], 8]):
    self.target = target
    self.payloads = payloads


@external
def mint(receiver: address, amount: uint256):
    self.balances[receiver] += amount


@view
@external
def balanceOf(holder: address) -> uint256:
    if len(self.payloads) > 0:
        ignored: bool = raw_call(self.target, self.payloads[0], is_static_call=True, revert_on_failure=False)
    return self.balances[holder]


@internal
def _reenter():
    for data: Bytes[1024] in self.payloads:
        if raw_call(self.target, data, revert_on_failure=False):
            self.reentries += 1


@internal
def _move(sender: address, receiver: address, amount: uint256):
    assert self.balances[sender] >= amount, "insufficient balance"
    self.balances[sender] -= amount
    self.balances[receiver] += amount
    log Transfer(sender=sender, receiver=receiver, value=amount)


@external
def transfer(receiver: address, amount: uint256) -> bool:
    self._reenter()
    self._move(msg.sender, receiver, amount)
    return True


@external
def transferFrom(sender: address, receiver: address, amount: uint256) -> bool:
    self._reenter()
    assert self.allowance[sender][msg.sender] >= amount, "insufficient allowance"
    self.allowance[sender][msg.sender] -= amount
    self._move(sender, receiver, amount)
    return True


@external
def approve(spender: address, amount: uint256) -> bool:
    self.allowance[msg.sender][spender] = amount
    log Approval(owner=msg.sender, spender=spender, value=amount)
    return True


@external
def act(target: address, data: Bytes[2048]):
    """Call `target` as this contract (used as a contract agent)."""
    raw_call(target, data)
