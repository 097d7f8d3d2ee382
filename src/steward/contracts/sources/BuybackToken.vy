# pragma version 0.4.3
# pragma evm-version cancun
"""
@title Buyback token: an AI company's fixed-supply ERC-20 whose holders can burn
@notice The whole supply is minted to the deployer in the constructor and nothing can ever
        mint more: there is no owner and no mint function. `burn` destroys the caller's own
        tokens: totalSupply really decreases, and it logs Transfer(holder, 0x0) and Burned.
        A FeeRouter buys the token back with revenue and burns what it bought this way.
"""

event Transfer:
    sender: indexed(address)
    receiver: indexed(address)
    value: uint256

event Approval:
    owner: indexed(address)
    spender: indexed(address)
    value: uint256

event Burned:
    burner: indexed(address)
    amount: uint256

name: public(String[64])
symbol: public(String[32])
decimals: public(constant(uint8)) = 18
totalSupply: public(uint256)
balanceOf: public(HashMap[address, uint256])
allowance: public(HashMap[address, HashMap[address, uint256]])


@deploy
def __init__(name_: String[64], symbol_: String[32], supply: uint256):
    assert supply > 0, "empty supply"
    self.name = name_
    self.symbol = symbol_
    self.totalSupply = supply
    self.balanceOf[msg.sender] = supply
    log Transfer(sender=empty(address), receiver=msg.sender, value=supply)


@external
def burn(amount: uint256):
    """@notice Destroy `amount` of the caller's tokens: the supply shrinks by exactly that."""
    balance: uint256 = self.balanceOf[msg.sender]
    assert balance >= amount, "burn exceeds balance"
    self.balanceOf[msg.sender] = balance - amount
    self.totalSupply -= amount
    log Transfer(sender=msg.sender, receiver=empty(address), value=amount)
    log Burned(burner=msg.sender, amount=amount)


@internal
def _transfer(sender: address, receiver: address, amount: uint256):
    assert receiver != empty(address), "transfer to the zero address: use burn"
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
