# pragma version 0.4.3
# pragma evm-version cancun
"""
@title Model registry: a model's revenue split among its contributors
@notice An owner registers a model (`model_hash`: what identifies its weights
        and how it was trained), the ERC-20 it is paid in, the data task it was
        trained on (0 if none) and its contributors with integer weights. The
        record is immutable: nobody, the owner included, can change who shares
        the revenue afterwards.

        Anyone pays a model with `pay`. A payment raising the model's revenue
        from R to R' = R + amount credits contributor i
            share_i = R' * w_i // W - R * w_i // W,
        so over the model's life contributor i has been credited exactly
        floor(R * w_i / W): never more than it earned, less by under one unit.
        What the floors leave over is the model's `carry` (R minus everything
        credited, always fewer units than contributors); it is not lost but
        paid out by later payments, as the cumulative floors catch up. At all
        times Σ credited + carry == Σ paid.

        Why cumulative rather than share_i = (amount + carry) * w_i // W: that
        form hands the carry out by weight whoever's rounding made it, so a
        light contributor can lose its fraction every time to a heavy one
        (weights 1 and 2, paid 1 unit at a time: the first never gets a unit,
        the second gets every one). Both forms give the same shares on a
        model's first payment.

        Shares are credited, not sent: each contributor pulls everything it is
        owed in a token, across models, with `claim` (which reverts with
        "nothing owed" when there is nothing). There is no owner power and no
        fee. A model has at most 64 contributors.
"""

interface IToken:
    def balanceOf(account: address) -> uint256: view
    def transfer(receiver: address, amount: uint256) -> bool: nonpayable
    def transferFrom(sender: address, receiver: address, amount: uint256) -> bool: nonpayable

MAX_CONTRIBUTORS: constant(uint256) = 64

struct Model:
    owner: address
    model_hash: bytes32
    token: address
    task_id: uint256
    total_weight: uint256
    carry: uint256
    revenue: uint256

event ModelRegistered:
    model_id: indexed(uint256)
    owner: indexed(address)
    model_hash: bytes32
    task_id: uint256

event RevenuePaid:
    model_id: indexed(uint256)
    payer: indexed(address)
    amount: uint256

event Credited:
    model_id: indexed(uint256)
    contributor: indexed(address)
    amount: uint256

event Claimed:
    account: indexed(address)
    token: indexed(address)
    amount: uint256

models: HashMap[uint256, Model]
next_model_id: public(uint256)
_contributors: HashMap[uint256, DynArray[address, MAX_CONTRIBUTORS]]
_weights: HashMap[uint256, DynArray[uint256, MAX_CONTRIBUTORS]]
# account -> token -> amount it can claim
_owed: HashMap[address, HashMap[address, uint256]]


@deploy
def __init__():
    self.next_model_id = 1


# ---------------------------------------------------------------- views

@external
@view
def model(model_id: uint256) -> Model:
    """The model's record; an unknown id reads as an empty owner."""
    return self.models[model_id]


@external
@view
def contributors(model_id: uint256) -> DynArray[address, MAX_CONTRIBUTORS]:
    return self._contributors[model_id]


@external
@view
def weights(model_id: uint256) -> DynArray[uint256, MAX_CONTRIBUTORS]:
    """The contributors' weights, in the order of `contributors`."""
    return self._weights[model_id]


@external
@view
def owed(account: address, token: address) -> uint256:
    """What `account` can claim now in `token`, summed over models (0 once claimed)."""
    return self._owed[account][token]


# ---------------------------------------------------------------- owner

@external
def register(
    model_hash: bytes32,
    token: address,
    contributors: DynArray[address, MAX_CONTRIBUTORS],
    weights: DynArray[uint256, MAX_CONTRIBUTORS],
    task_id: uint256,
) -> uint256:
    """
    @notice Record a model and how its revenue is split; the caller is its
            owner. Weights are positive; a contributor appears once.
    """
    assert model_hash != empty(bytes32), "empty model hash"
    assert token != empty(address), "empty token"
    n: uint256 = len(contributors)
    assert n > 0, "no contributors"
    assert len(weights) == n, "length mismatch"
    total: uint256 = 0
    for i: uint256 in range(n, bound=MAX_CONTRIBUTORS):
        assert contributors[i] != empty(address), "empty contributor"
        assert weights[i] > 0, "zero weight"
        for j: uint256 in range(i, bound=MAX_CONTRIBUTORS):
            assert contributors[j] != contributors[i], "duplicate contributor"
        total += weights[i]
    model_id: uint256 = self.next_model_id
    self.next_model_id = model_id + 1
    self.models[model_id] = Model(
        owner=msg.sender,
        model_hash=model_hash,
        token=token,
        task_id=task_id,
        total_weight=total,
        carry=0,
        revenue=0,
    )
    self._contributors[model_id] = contributors
    self._weights[model_id] = weights
    log ModelRegistered(model_id=model_id, owner=msg.sender, model_hash=model_hash, task_id=task_id)
    return model_id


# ---------------------------------------------------------------- anyone

@external
@nonreentrant
def pay(model_id: uint256, amount: uint256):
    """
    @notice Pay `amount` of the model's token (approved to this contract) and
            credit the contributors what it brings each one's cumulative
            share of the revenue up to.
    """
    model: Model = self.models[model_id]
    assert model.owner != empty(address), "no such model"
    assert amount > 0, "zero amount"
    members: DynArray[address, MAX_CONTRIBUTORS] = self._contributors[model_id]
    weights: DynArray[uint256, MAX_CONTRIBUTORS] = self._weights[model_id]
    revenue: uint256 = model.revenue + amount
    credited: uint256 = 0
    shares: DynArray[uint256, MAX_CONTRIBUTORS] = []
    for i: uint256 in range(len(members), bound=MAX_CONTRIBUTORS):
        # what i has earned in all, less what earlier payments credited it
        earned: uint256 = revenue * weights[i] // model.total_weight
        share: uint256 = earned - model.revenue * weights[i] // model.total_weight
        shares.append(share)
        credited += share
        if share > 0:
            self._owed[members[i]][model.token] += share
    self.models[model_id].carry = model.carry + amount - credited
    self.models[model_id].revenue = revenue
    before: uint256 = staticcall IToken(model.token).balanceOf(self)
    assert extcall IToken(model.token).transferFrom(msg.sender, self, amount, default_return_value=True), "transferFrom failed"
    assert staticcall IToken(model.token).balanceOf(self) - before == amount, "fee-on-transfer token"
    log RevenuePaid(model_id=model_id, payer=msg.sender, amount=amount)
    for i: uint256 in range(len(members), bound=MAX_CONTRIBUTORS):
        if shares[i] > 0:
            log Credited(model_id=model_id, contributor=members[i], amount=shares[i])


@external
@nonreentrant
def claim(token: address) -> uint256:
    """
    @notice Pay the caller everything it is owed in `token`; reverts with
            "nothing owed" when that is 0.
    """
    amount: uint256 = self._owed[msg.sender][token]
    assert amount > 0, "nothing owed"
    self._owed[msg.sender][token] = 0
    assert extcall IToken(token).transfer(msg.sender, amount, default_return_value=True), "transfer failed"
    log Claimed(account=msg.sender, token=token, amount=amount)
    return amount
