"""What a proposal does, established from its calldata and a simulation, never from its words.

1. **Decode** every action (target, value, calldata) with the ABIs of the contracts Steward knows
   at that address (the DAO's own, the registry's tokens); a selector no known ABI has is an
   `unknown_call`.
2. **Simulate** the execution as the timelock performs it: each action called from the timelock,
   in order, with its value, on a throwaway copy of the chain (nothing persists). The queue and
   the delay are read from the chain: whether the Governor routes execution through a timelock,
   and its minimum delay.
3. **Effects** from what the simulation did, not from what the actions are called: ERC-20 and
   ETH leaving the DAO (the timelock and the contracts it owns) with their USD value and share of
   the treasury and whether the recipient was paid by the DAO before; minted tokens; roles
   granted (a `MINTER_ROLE` is `adds_minter`) and revoked; ownership moved; ERC-1967 upgrades with
   whether the new code is code Steward knows (verified) or not; delegatecalls; Governor and
   timelock parameter changes; new contracts; reverts.
4. **The description checked against the effects** (`mismatches`): an effect of a kind the text
   never mentions (a minter added under "routine maintenance"), a transfer amount the text states
   differently, a transfer the text promises that does not happen.
"""

from __future__ import annotations

import re
from decimal import Decimal

from eth_utils import keccak
from pydantic import BaseModel
from web3 import Web3

from steward.chains.backend import backend_for
from steward.chains.throwaway import PROBE
from steward.contracts import abi
from steward.dao.governor import Governance, Proposal
from steward.plans import Call
from steward.protocols import erc20
from steward.protocols.pricing import PriceSource
from steward.units import format_units

TRANSFER = "0x" + keccak(text="Transfer(address,address,uint256)").hex()
ROLE_GRANTED = "0x" + keccak(text="RoleGranted(bytes32,address,address)").hex()
ROLE_REVOKED = "0x" + keccak(text="RoleRevoked(bytes32,address,address)").hex()
OWNERSHIP = "0x" + keccak(text="OwnershipTransferred(address,address)").hex()
UPGRADED = "0x" + keccak(text="Upgraded(address)").hex()
MINTER_ROLE = keccak(text="MINTER_ROLE")
ZERO = "0x" + "00" * 20
PARAMETER_FUNCTIONS = {"updateQuorumNumerator", "setVotingDelay", "setVotingPeriod",
                       "setProposalThreshold", "updateDelay", "updateTimelock",
                       "setLateQuorumVoteExtension"}
DELEGATECALL_FUNCTIONS = {"delegateExecute"}
# the words that mention each kind of effect in a proposal's description
MENTIONS = {
    "mint": r"\bmint",
    "adds_minter": r"\bminter|\bminting (?:right|role|power)|mint(?:ing)? role",
    "role_change": r"\brole|permission|access|admin|keeper|guardian|operator|revok",
    "ownership_change": r"\bowner",
    "upgrade": r"upgrad|implementation|\bv\d\b|migrat",
    "delegatecall": r"delegatecall|delegate call|module|execute (?:a |the )?(?:script|payload)",
    "parameter_change": r"quorum|voting (?:period|delay)|threshold|timelock delay|\bdelay\b|"
                        r"parameter",
    "new_contract": r"deploy|new contract|create",
    "weakens_governance": r"shorten|lower|reduc|decreas|replace the timelock|new timelock",
}
# kinds the description must name in words; payments are held to their stated amounts instead
# (a vault called "grants vault" mentions "grant" without paying anyone)
MATERIAL = ("mint", "adds_minter", "role_change", "ownership_change", "upgrade", "delegatecall",
            "parameter_change", "new_contract", "weakens_governance")
_AMOUNT = re.compile(r"(?P<amount>\d[\d,]*(?:\.\d+)?)\s*(?P<unit>k|m|thousand|million)?\s*"
                     r"(?P<symbol>[A-Za-z][A-Za-z0-9]{1,9})\b")


class ActionView(BaseModel):
    index: int
    target: str
    target_name: str | None
    value: int
    function: str | None
    args: dict[str, str]
    text: str


class Effect(BaseModel):
    kind: str
    summary: str
    action: int | None = None
    usd: Decimal | None = None
    treasury_pct: Decimal | None = None
    recipient: str | None = None
    recipient_history: bool | None = None
    verified: bool | None = None
    token: str | None = None
    amount: int | None = None
    decimals: int | None = None


class Analysis(BaseModel):
    proposal_id: int
    title: str
    description: str
    state: str
    actions: list[ActionView]
    effects: list[Effect]
    timelocked: bool
    timelock_delay_seconds: int
    simulated: bool
    simulation_note: str
    treasury_usd: Decimal | None
    mismatches: list[str]


class Analyzer:
    def __init__(self, governance: Governance):
        self.g = governance
        self.chain = governance.chain
        self.w3 = governance.w3
        self.prices = PriceSource(self.w3, self.chain)
        self.known = self._known_contracts()
        self.dao_owned = {self.g.timelock_address.lower(),
                          self.g.addresses["vault"].lower()}
        self._paid: set[str] | None = None
        self._voters: list[str] | None = None

    # ---- what Steward knows --------------------------------------------------------------------
    def _known_contracts(self) -> dict[str, tuple[str, list]]:
        from steward.sandbox.dao import CONTRACTS

        shown = {"token": "SDAO", "governor": "the Governor", "timelock": "the timelock",
                 "vault": "the grants vault"}
        known = {self.g.addresses[key].lower(): (shown[key], abi(name))
                 for key, name in CONTRACTS.items()}
        for symbol, address in self.chain.tokens.items():
            known.setdefault(address.lower(), (symbol, abi("ERC20")))
        return known

    def verified(self, address: str) -> bool:
        """Code Steward can match: the DAO's contracts, the registry's tokens and every contract
        the chain config records (the sandbox's deployments)."""
        recorded = {a.lower() for a in self.chain.contracts.values()}
        return address.lower() in self.known or address.lower() in recorded

    def name_of(self, address: str) -> str:
        if address.lower() == self.g.timelock_address.lower():
            return "the DAO treasury (timelock)"
        found = self.known.get(address.lower())
        return found[0] if found else address

    # ---- decoding ------------------------------------------------------------------------------
    def decode(self, index: int, target: str, value: int, data: bytes) -> ActionView:
        candidates = [self.known[target.lower()]] if target.lower() in self.known else []
        candidates += [(name, entries) for name, entries in self.known.values()]
        for name, entries in candidates:
            contract = self.w3.eth.contract(abi=entries)
            try:
                function, args = contract.decode_function_input(data)
            except ValueError:
                continue
            shown = {key: _show(val) for key, val in args.items()}
            where = self.name_of(target)
            text = f"{where}.{function.fn_name}(" + ", ".join(
                f"{k}={v}" for k, v in shown.items()) + ")"
            if value:
                text += f" with {format_units(value, 18)} ETH"
            return ActionView(index=index, target=target, target_name=where if where != target
                              else None, value=value, function=function.fn_name, args=shown,
                              text=text)
        if not data and value:
            return ActionView(index=index, target=target, target_name=None, value=value,
                              function=None, args={},
                              text=f"send {format_units(value, 18)} ETH to {self.name_of(target)}")
        selector = "0x" + data[:4].hex() if data else "(no calldata)"
        return ActionView(index=index, target=target, target_name=None, value=value,
                          function=None, args={},
                          text=f"call {selector} on {target}" + (
                              f" with {format_units(value, 18)} ETH" if value else ""))

    # ---- the treasury --------------------------------------------------------------------------
    def treasury_usd(self) -> Decimal | None:
        total, priced = 0, False
        for holder in self.dao_owned:
            for symbol, token in self.chain.tokens.items():
                amount = erc20.balance_of(self.w3, token, Web3.to_checksum_address(holder))
                value = self.prices.usdc_value(token, amount) if amount else 0
                if value:
                    total, priced = total + value, True
            eth = self.w3.eth.get_balance(Web3.to_checksum_address(holder))
            value = self.prices.usdc_value(None, eth) if eth else 0
            if value:
                total, priced = total + value, True
        return Decimal(total) / 10**6 if priced else None

    def paid_before(self, recipient: str) -> bool:
        """Whether the DAO (its timelock or vault) sent this address tokens before."""
        if self._paid is None:
            latest = self.w3.eth.block_number
            self._paid = {to for _, sender, to, _ in
                          backend_for(self.chain).transfer_logs(self.g.start_block, latest)
                          if sender in self.dao_owned}
        return recipient.lower() in self._paid

    def weakens(self, action: ActionView) -> str | None:
        """Why a parameter change weakens the DAO's defences (a shorter timelock or voting
        period, a lower quorum, another timelock), or None."""
        governor, function = self.g.governor.functions, action.function
        value = next(iter(action.args.values()), None)
        if function == "updateTimelock":
            return f"replaces the timelock with {value}: execution stops waiting for this one"
        current = {"updateDelay": lambda: self.g.min_delay(),
                   "updateQuorumNumerator": lambda: governor.quorumNumerator().call(),
                   "setVotingPeriod": lambda: governor.votingPeriod().call()}.get(function)
        if current is None or value is None or not value.isdigit():
            return None
        now = current()
        if int(value) < now:
            what = {"updateDelay": "the timelock delay", "updateQuorumNumerator": "the quorum",
                    "setVotingPeriod": "the voting period"}[function]
            return f"lowers {what} from {now} to {value}"
        return None

    # ---- simulation ----------------------------------------------------------------------------
    def analyze(self, proposal: Proposal) -> Analysis:
        actions = [self.decode(i, t, v, d) for i, (t, v, d) in
                   enumerate(zip(proposal.targets, proposal.values, proposal.calldatas))]
        treasury = self.treasury_usd()
        effects, simulated, note = self._simulate(proposal, treasury)
        for action in actions:
            if action.function is None and action.value and action.text.startswith("send "):
                continue  # a plain ETH payment: its effect is the outflow the simulation saw
            if action.function is None:
                effects.append(Effect(kind="unknown_call", action=action.index,
                                      summary=f"action {action.index + 1}: {action.text}: no "
                                              "known ABI has this function", verified=False))
            elif action.function in PARAMETER_FUNCTIONS:
                effects.append(Effect(kind="parameter_change", action=action.index,
                                      summary=f"changes a governance parameter: {action.text}"))
                weaker = self.weakens(action)
                if weaker:
                    effects.append(Effect(kind="weakens_governance", action=action.index,
                                          summary=weaker))
            elif action.function in DELEGATECALL_FUNCTIONS:
                target = action.args.get("target", "")
                effects.append(Effect(kind="delegatecall", action=action.index,
                                      verified=self.verified(target) if target else False,
                                      summary=f"delegatecall from {self.name_of(action.target)} "
                                              f"into {target} ("
                                              + ("known code" if target and self.verified(target)
                                                 else "unverified code") + ")"))
        delay = self.g.min_delay()
        timelocked = self.g.timelock_address.lower() != ZERO and delay > 0
        return Analysis(proposal_id=proposal.proposal_id, title=proposal.title,
                        description=proposal.description, state=proposal.state, actions=actions,
                        effects=effects, timelocked=timelocked, timelock_delay_seconds=delay,
                        simulated=simulated, simulation_note=note, treasury_usd=treasury,
                        mismatches=mismatches(proposal.description, effects))

    def _simulate(self, proposal: Proposal,
                  treasury: Decimal | None) -> tuple[list[Effect], bool, str]:
        """The proposal's whole path on a throwaway copy of the chain: every delegate with votes
        votes for it, the voting period ends, it is queued in the timelock, the delay passes and
        it is executed — the effects are what that execution did."""
        from steward.simulation.reverts import describe

        with backend_for(self.chain).throwaway(describe=describe) as state:
            failed = self._pass_and_queue(state, proposal)
            if failed:
                return [Effect(kind="reverts", summary=failed)], False, failed
            outcome = self._governor_step(state, "execute", proposal)
            if not outcome.success:
                note = f"the proposal's execution reverts: {outcome.revert_reason}"
                return [Effect(kind="reverts", summary=note)], True, note
            effects = self._from_logs(None, outcome.logs, treasury)
            effects += self._from_transfers(None, outcome.transfers, treasury)
            if outcome.created:
                effects.append(Effect(kind="new_contract", verified=False,
                                      summary=f"deploys a new contract at {outcome.created}"))
        delay = self.g.min_delay()
        return effects, True, (f"voted through, queued, {delay // 3600} h timelock delay waited "
                               "out and executed on a throwaway copy of the chain")

    def _governor_step(self, state, function: str, proposal: Proposal, sender: str = PROBE):
        args = [proposal.targets, proposal.values, proposal.calldatas,
                keccak(text=proposal.description)]
        data = self.g.governor.encode_abi(function, args=args)
        return state.apply(sender, Call(to=self.g.governor.address, data=data,
                                        description=f"{function} the proposal"), lend_gas=True)

    def _pass_and_queue(self, state, proposal: Proposal) -> str | None:
        """Vote the proposal through and queue it; the reason it cannot be, or None."""
        governor = self.g.governor
        pid = proposal.proposal_id
        snapshot = governor.functions.proposalSnapshot(pid).call()
        deadline = governor.functions.proposalDeadline(pid).call()
        if proposal.state in ("pending", "active"):
            state.warp(max(state.timestamp, snapshot + 1))
            for voter in self.voters():  # one with no votes (or voted already) is refused
                if self.g.has_voted(pid, voter):
                    continue
                vote = Call(to=governor.address, description="vote for",
                            data=governor.encode_abi("castVote", args=[pid, 1]))
                state.apply(voter, vote, lend_gas=True)
            state.warp(max(state.timestamp, deadline + 1))
        elif proposal.state not in ("succeeded", "queued"):
            return f"the proposal is {proposal.state}: it can no longer execute"
        if proposal.state != "queued":
            queued = self._governor_step(state, "queue", proposal)
            if not queued.success:
                return ("even with every remaining vote for it the proposal cannot be queued "
                        f"({queued.revert_reason}); nothing after that was simulated")
        eta = int.from_bytes(state.read(governor.address, bytes.fromhex(
            governor.encode_abi("proposalEta", args=[pid])[2:])) or b"", "big")
        state.warp(max(state.timestamp, eta + 1))
        return None

    def voters(self) -> list[str]:
        """Every address votes were ever delegated to (the token's DelegateVotesChanged)."""
        if self._voters is None:
            logs = self.g.logs(self.g.token.events.DelegateVotesChanged)
            self._voters = list(dict.fromkeys(Web3.to_checksum_address(log.args.delegate)
                                              for log in logs))
        return self._voters

    def _outflow(self, index: int | None, token: str | None, sender: str, to: str, amount: int,
                 treasury: Decimal | None) -> Effect:
        symbol = "ETH" if token is None else (self.chain.token_symbol(token) or
                                              self.known.get(token.lower(), (token,))[0])
        decimals = 18 if token is None else erc20.token_info(self.w3, token).decimals
        usd_raw = self.prices.usdc_value(token, amount)
        usd = Decimal(usd_raw) / 10**6 if usd_raw is not None else None
        pct = (usd / treasury * 100).quantize(Decimal("0.01")) if usd is not None and treasury \
            else None
        history = self.paid_before(to)
        kind = "grant"
        shown = f"{format_units(amount, decimals)} {symbol}"
        return Effect(kind=kind, action=index, usd=usd, treasury_pct=pct, recipient=to,
                      recipient_history=history, token=symbol, amount=amount, decimals=decimals,
                      summary=f"{self.name_of(sender)} pays {shown}"
                              + (f" (≈ ${usd:,.2f}, {pct}% of the treasury)" if usd is not None
                                 and pct is not None else "")
                              + f" to {to} (" + ("paid by the DAO before" if history
                                                 else "never paid by the DAO before") + ")")

    def _from_logs(self, index: int | None, logs, treasury) -> list[Effect]:
        found: list[Effect] = []
        for log in logs:
            topic = log.topics[0] if log.topics else None
            words = [t for t in log.topics[1:]]
            if topic == TRANSFER and len(words) == 2:
                sender, to = _addr(words[0]), _addr(words[1])
                amount = int(log.data, 16) if log.data not in ("0x", "") else 0
                if sender.lower() == ZERO:
                    symbol = self.name_of(log.address)
                    found.append(Effect(kind="mint", action=index, recipient=to, amount=amount,
                                        summary=f"mints {amount} base units of {symbol} to {to}"))
                elif sender.lower() in self.dao_owned and to.lower() not in self.dao_owned:
                    found.append(self._outflow(index, log.address, sender, to, amount, treasury))
            elif topic in (ROLE_GRANTED, ROLE_REVOKED) and len(words) >= 2:
                role, account = bytes.fromhex(words[0][2:]), _addr(words[1])
                granted = topic == ROLE_GRANTED
                if granted and role == MINTER_ROLE:
                    found.append(Effect(kind="adds_minter", action=index, recipient=account,
                                        summary=f"grants MINTER_ROLE on {self.name_of(log.address)}"
                                                f" to {account}: it can mint without limit"))
                else:
                    found.append(Effect(kind="role_change", action=index, recipient=account,
                                        summary=f"{'grants' if granted else 'revokes'} role "
                                                f"0x{role.hex()[:8]}… on "
                                                f"{self.name_of(log.address)} "
                                                f"{'to' if granted else 'from'} {account}"))
            elif topic == OWNERSHIP and len(words) == 2:
                found.append(Effect(kind="ownership_change", action=index,
                                    recipient=_addr(words[1]),
                                    summary=f"moves ownership of {self.name_of(log.address)} "
                                            f"to {_addr(words[1])}"))
            elif topic == UPGRADED and len(words) == 1:
                implementation = _addr(words[0])
                verified = self.verified(implementation)
                found.append(Effect(kind="upgrade", action=index, verified=verified,
                                    recipient=implementation,
                                    summary=f"upgrades {self.name_of(log.address)} to "
                                            f"{implementation} ("
                                            + ("known code" if verified else "unverified code")
                                            + ")"))
        return found

    def _from_transfers(self, index: int | None, transfers, treasury) -> list[Effect]:
        return [self._outflow(index, None, t.sender, t.to, t.value, treasury)
                for t in transfers if t.value and t.sender.lower() in self.dao_owned
                and t.to.lower() not in self.dao_owned]


def _addr(topic: str) -> str:
    return Web3.to_checksum_address("0x" + topic[-40:])


def _show(value) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return str(value)


def claimed_amounts(description: str) -> dict[str, list[Decimal]]:
    """Amounts the text states, by upper-case symbol ("10,000 USDC", "5k USDC")."""
    found: dict[str, list[Decimal]] = {}
    for match in _AMOUNT.finditer(description):
        unit = (match["unit"] or "").lower()
        amount = Decimal(match["amount"].replace(",", "")) * {
            "k": 1000, "thousand": 1000, "m": 10**6, "million": 10**6}.get(unit, 1)
        found.setdefault(match["symbol"].upper(), []).append(amount)
    return found


def mismatches(description: str, effects: list[Effect]) -> list[str]:
    """Where the description and what the calldata does disagree."""
    text = description.lower()
    problems = []
    kinds = {effect.kind for effect in effects}
    for kind in MATERIAL:
        if kind in kinds and not re.search(MENTIONS[kind], text):
            example = next(e.summary for e in effects if e.kind == kind)
            problems.append(f"the description never mentions that it {example}")
    claims = claimed_amounts(description)
    for effect in effects:
        if effect.kind != "grant" or effect.token is None:
            continue
        if effect.token.upper() not in claims:
            problems.append(f"the description states no amount of {effect.token}, yet in the "
                            f"calldata {effect.summary}")
            continue
        stated = claims[effect.token.upper()]
        moved = (Decimal(effect.amount) / Decimal(10) ** effect.decimals
                 if effect.amount is not None and effect.decimals is not None else None)
        if moved is not None and all(abs(moved - amount) > Decimal("0.000001") for amount in stated):
            problems.append(f"the description states {', '.join(f'{a:,}' for a in stated)} "
                            f"{effect.token}, the calldata moves {moved:,} {effect.token}")
    named = {a.lower() for a in re.findall(r"0x[0-9a-fA-F]{40}", description)}
    for effect in effects:
        if named and effect.kind == "grant" and effect.recipient and \
                effect.recipient.lower() not in named:
            problems.append(f"the description names {', '.join(sorted(named))}, the calldata "
                            f"pays {effect.recipient}")
    promised = re.search(r"\b(?:grant|transfer|pay|send)\w*\b", text)
    if promised and claims and not any(e.kind == "grant" for e in effects) and \
            any(symbol in {"USDC", "USDT", "ETH", "WETH", "DAI"} for symbol in claims):
        problems.append("the description promises a payment the calldata does not make")
    return problems


__all__ = ["ActionView", "Analysis", "Analyzer", "Effect", "claimed_amounts", "mismatches"]
