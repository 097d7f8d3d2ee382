"""Uniswap V3: quotes through QuoterV2, swaps through SwapRouter (or SwapRouter02), its own
calldata decoded for the guard, its pools recognised, and pool prices (spot and a TWAP).

Contracts: config keys "uniswap-v3:factory", "uniswap-v3:quoter" and "uniswap-v3:swap_router"
(the original router, whose structs carry a deadline) or, where only that is deployed (Base),
"uniswap-v3:swap_router02" (structs without a deadline; the deadline goes in
`multicall(uint256 deadline, bytes[] data)`).

Round trips: reads go as one JSON-RPC batch of `eth_call`s over HTTP (a revert answers only its
own read); a node that refuses batches, and in-process chains, are asked one read at a time. A
revert is the contract's answer (that pool cannot fill it); a node that does not answer raises
`amm.could_not_establish` — never "no route".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from web3 import Web3
from web3.contract import Contract

from steward.chains.config import ChainConfig
from steward.contacts import short
from steward.errors import StewardError
from steward.plans import Call
from steward.protocols import contract_at, oracle
from steward.protocols.adapter import (DexAdapter, Exact, Permit, SwapEffect, SwapOrder, SwapRoute,
                                      selectors)
from steward.protocols.amm import ZERO
from steward.protocols.batch import Read, failed, read_all

FEE_TIERS = (100, 500, 3000, 10000)
# Where Uniswap deployed V3 with the original SwapRouter at the same addresses on each chain.
_V3_CANONICAL = {"factory": "0x1F98431c8aD98523631AE4a59f267346ea31F984",
                 "swap_router": "0xE592427A0AEce92De3Edee1F18E0157C05861564",
                 "quoter": "0x61fFE014bA17989E743c5F6cB21bF9697530B21e",
                 "position_manager": "0xC36442b4a4522E871399CD717aBDD847Ab11FE88"}
MIN_SQRT_RATIO = 4295128739
MAX_SQRT_RATIO = 1461446703485210103287273052203988822378723970342
MAX_TICK = 887272
Q96 = 2**96
# SwapRouter02's recipient placeholders (Constants.MSG_SENDER / ADDRESS_THIS).
MSG_SENDER = "0x0000000000000000000000000000000000000001"
ADDRESS_THIS = "0x0000000000000000000000000000000000000002"
GAS_SWAP, GAS_PER_HOP, GAS_UNWRAP, GAS_REFUND = 200_000, 80_000, 40_000, 20_000

_ROUTER_ABI = {"swap_router": "uniswap/SwapRouter", "swap_router02": "uniswap/SwapRouter02"}
_SWAPS: dict[str, tuple[Exact, bool]] = {  # function → (exact, single pool)
    "exactInputSingle": ("in", True), "exactInput": ("in", False),
    "exactOutputSingle": ("out", True), "exactOutput": ("out", False)}
_VIEWS = {"WETH9", "factory", "factoryV2", "positionManager", "checkOracleSlippage"}

# Facts that never change, read once per process (never "no pool": a pool may be created).
_pools: dict[tuple[int, str, str, str, int], str] = {}  # (chain id, factory, a, b, fee) → pool
_owned: dict[tuple[int, str, str], str | None] = {}  # (chain id, factory, address) → label
_token0: dict[tuple[int, str], str] = {}  # (chain id, pool) → token0
_weth9: dict[tuple[int, str], str] = {}  # (chain id, router) → its WETH9


def forget() -> None:
    _pools.clear()
    _owned.clear()
    _token0.clear()
    _weth9.clear()


# --- exact math ---------------------------------------------------------------------------

_TICK_FACTORS = (
    0xfff97272373d413259a46990580e213a, 0xfff2e50f5f656932ef12357cf3c7fdcc,
    0xffe5caca7e10e4e61c3624eaa0941cd0, 0xffcb9843d60f6159c9db58835c926644,
    0xff973b41fa98c081472e6896dfb254c0, 0xff2ea16466c96a3843ec78b326b52861,
    0xfe5dee046a99a2a811c461f1969c3053, 0xfcbe86c7900a88aedcffc83b479aa3a4,
    0xf987a7253ac413176f2b074cf7815e54, 0xf3392b0822b70005940c7a398e4b70f3,
    0xe7159475a2c29b7443b29c7fa6e889d9, 0xd097f3bdfd2022b8845ad8f792aa5825,
    0xa9f746462d870fdf8a65dc1f90e061e5, 0x70d869a156d2a1b890bb3df62baf32f7,
    0x31be135f97d08fd981231505542fcfa6, 0x9aa508b5b7a84e1c677de54f3e99bc9,
    0x5d6af8dedb81196699c329225ee604, 0x2216e584f5fa1ea926041bedfe98,
    0x48a170391f7dc42444e8fa2)


def sqrt_ratio_at_tick(tick: int) -> int:
    """sqrt(1.0001 ** tick) * 2**96, exactly as the pools' TickMath.getSqrtRatioAtTick."""
    absolute = abs(tick)
    if absolute > MAX_TICK:
        raise ValueError(f"tick {tick} is out of range")
    ratio = 0xfffcb933bd6fad37aa2d162d1a594001 if absolute & 1 else 1 << 128
    for bit, factor in enumerate(_TICK_FACTORS, start=1):
        if absolute & (1 << bit):
            ratio = (ratio * factor) >> 128
    if tick > 0:
        ratio = (2**256 - 1) // ratio
    return (ratio >> 32) + (1 if ratio % (1 << 32) else 0)


def price_of_sqrt(sqrt_price_x96: int) -> Fraction:
    """token1 base units per token0 base unit."""
    return Fraction(sqrt_price_x96 * sqrt_price_x96, Q96 * Q96)


def encode_path(tokens: list[str], fees: list[int]) -> bytes:
    """token, fee (uint24), token, … as the routers and QuoterV2 read it."""
    if len(tokens) != len(fees) + 1 or not fees:
        raise StewardError("a V3 path needs one fee per hop")
    out = bytes.fromhex(tokens[0][2:])
    for fee, token in zip(fees, tokens[1:]):
        out += fee.to_bytes(3, "big") + bytes.fromhex(token[2:])
    return out


def decode_path(path: bytes) -> tuple[list[str], list[int]]:
    if len(path) < 43 or (len(path) - 20) % 23:
        raise ValueError(f"a {len(path)}-byte path is not token(, fee, token)+")
    tokens = [Web3.to_checksum_address(path[:20])]
    fees = []
    for at in range(20, len(path), 23):
        fees.append(int.from_bytes(path[at:at + 3], "big"))
        tokens.append(Web3.to_checksum_address(path[at + 3:at + 23]))
    return tokens, fees


def _fee_text(fee: int) -> str:
    return f"{fee / 10_000:g}%"


def _same(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and a.lower() == b.lower()


# --- decoding helpers ----------------------------------------------------------------------

@dataclass
class _Swap:
    function: str
    exact: Exact
    path: list[str]
    fees: list[int]
    amount: int  # exact in: amountIn; exact out: amountOut
    limit: int  # exact in: amountOutMinimum; exact out: amountInMaximum
    recipient: str
    price_limit: int = 0


@dataclass
class _Reading:
    """What the inner calls of one router call do."""

    swaps: list[_Swap] = field(default_factory=list)
    unwraps: list[tuple[int, str]] = field(default_factory=list)  # (minimum, recipient)
    sweeps: list[tuple[str, int, str]] = field(default_factory=list)  # (token, minimum, recipient)
    refunds: int = 0
    notes: list[str] = field(default_factory=list)


def _swap_of(name: str, args: dict) -> _Swap:
    exact, single = _SWAPS[name]
    p = dict(args["params"])
    if single:
        path, fees = [Web3.to_checksum_address(p["tokenIn"]),
                      Web3.to_checksum_address(p["tokenOut"])], [p["fee"]]
    else:
        path, fees = decode_path(bytes(p["path"]))
        if exact == "out":  # exact-output paths run from the output back to the input
            path, fees = path[::-1], fees[::-1]
    if exact == "in":
        amount, limit = p["amountIn"], p["amountOutMinimum"]
    else:
        amount, limit = p["amountOut"], p["amountInMaximum"]
    return _Swap(name, exact, path, fees, amount, limit, Web3.to_checksum_address(p["recipient"]),
                 p.get("sqrtPriceLimitX96", 0))


def _read_inner(contract: Contract, data: bytes, reading: _Reading) -> None:
    try:
        function, args = contract.decode_function_input(data)
    except Exception:  # noqa: BLE001 — whatever it is, it is not accounted for
        reading.notes.append(f"an inner call Steward cannot decode ({bytes(data[:4]).hex()})")
        return
    name = function.fn_name
    if name in _SWAPS:
        try:
            reading.swaps.append(_swap_of(name, args))
        except ValueError as exc:
            reading.notes.append(f"{name} with a malformed path ({exc})")
    elif name == "unwrapWETH9":
        reading.unwraps.append((args["amountMinimum"],
                                Web3.to_checksum_address(args.get("recipient", MSG_SENDER))))
    elif name == "sweepToken":
        reading.sweeps.append((Web3.to_checksum_address(args["token"]), args["amountMinimum"],
                               Web3.to_checksum_address(args.get("recipient", MSG_SENDER))))
    elif name == "refundETH":
        reading.refunds += 1
    else:
        reading.notes.append(f"an inner call to {name}, which Steward does not account for")


class UniswapV3(DexAdapter):
    name = "uniswap-v3"
    label = "Uniswap V3"
    roles = ("factory", "quoter")
    deployments = {  # docs.uniswap.org/contracts/v3/reference/deployments
        **{chain_id: dict(_V3_CANONICAL) for chain_id in (1, 10, 42161, 137)},
        # Base has V3 only with SwapRouter02 (its structs carry no deadline).
        8453: {"factory": "0x33128a8fC17869897dcE68Ed026d694621f6FDfD",
               "swap_router02": "0x2626664c2603336E57B271c5C0b26F421741e481",
               "quoter": "0x3d4e44Eb1374240CE5F1B871ab261CD16335B76a",
               "position_manager": "0x03a520b32C04BF3bEEf7BEb72E919cf822Ed34f1"},
    }

    def forget(self) -> None:
        forget()

    # --- contracts ------------------------------------------------------------------------
    def available(self, chain: ChainConfig) -> bool:
        return super().available(chain) and self._router(chain) is not None

    def _router(self, chain: ChainConfig) -> tuple[str, str] | None:
        """(address, role): the original SwapRouter where configured, else SwapRouter02."""
        found = self.addresses(chain)
        for role in ("swap_router", "swap_router02"):
            if role in found:
                return found[role], role
        return None

    def _router_contract(self, w3: Web3, chain: ChainConfig) -> tuple[Contract, str]:
        found = self._router(chain)
        if found is None:
            raise StewardError(f"{chain.name} has no {self.label} swap router configured")
        return contract_at(w3, found[0], _ROUTER_ABI[found[1]]), found[1]

    def _weth(self, w3: Web3, chain: ChainConfig) -> str:
        """The router's own WETH9 (the token it wraps and unwraps the coin as), read once."""
        router, _ = self._router_contract(w3, chain)
        key = (chain.chain_id, router.address.lower())
        if key not in _weth9:
            answer = read_all(w3, [Read(router, "WETH9")], "the swap router's WETH9")[0]
            if failed(answer):
                raise StewardError(f"{router.address} does not answer WETH9() like a "
                                   f"{self.label} router")
            _weth9[key] = Web3.to_checksum_address(answer)
        return _weth9[key]

    def spender(self, chain: ChainConfig) -> str:
        found = self._router(chain)
        if found is None:
            raise StewardError(f"{chain.name} has no {self.label} swap router configured")
        return found[0]

    # --- pools ----------------------------------------------------------------------------
    def pools(self, w3: Web3, chain: ChainConfig,
              pairs: list[tuple[str, str]]) -> dict[tuple[str, str], dict[int, str]]:
        """Existing pools per pair (lower-cased, sorted) and fee tier, in one batch."""
        factory = contract_at(w3, self.addresses(chain)["factory"], "uniswap/UniswapV3Factory")
        found: dict[tuple[str, str], dict[int, str]] = {}
        asks: list[tuple[tuple, Read]] = []
        for a, b in pairs:
            pair = tuple(sorted((a.lower(), b.lower())))
            found.setdefault(pair, {})
            for fee in FEE_TIERS:
                key = (chain.chain_id, factory.address.lower(), *pair, fee)
                if key in _pools:
                    found[pair][fee] = _pools[key]
                elif not any(k == key for k, _ in asks):
                    asks.append((key, Read(factory, "getPool", (Web3.to_checksum_address(a),
                                                                  Web3.to_checksum_address(b),
                                                                  fee))))
        answers = read_all(w3, [read for _, read in asks], "the pools of a swap route")
        for (key, _), answer in zip(asks, answers):
            if not failed(answer) and answer != ZERO:
                _pools[key] = Web3.to_checksum_address(answer)
                found[(key[2], key[3])][key[4]] = _pools[key]
        return {pair: dict(sorted(tiers.items())) for pair, tiers in found.items()}

    @staticmethod
    def _tiers(pools: dict, a: str, b: str) -> list[int]:
        return list(pools.get(tuple(sorted((a.lower(), b.lower()))), {}))

    # --- quotes ---------------------------------------------------------------------------
    def _quote_read(self, quoter: Contract, path: list[str], fees: list[int], amount: int,
                    exact: Exact) -> Read:
        if len(fees) == 1:
            params = {"tokenIn": path[0], "tokenOut": path[1], "fee": fees[0],
                      "sqrtPriceLimitX96": 0, "amountIn" if exact == "in" else "amount": amount}
            function = "quoteExactInputSingle" if exact == "in" else "quoteExactOutputSingle"
            return Read(quoter, function, (params,))
        if exact == "in":
            return Read(quoter, "quoteExactInput", (encode_path(path, fees), amount))
        return Read(quoter, "quoteExactOutput", (encode_path(path[::-1], fees[::-1]), amount))

    @staticmethod
    def _quoted(answer: Any) -> int | None:
        """The quoted amount, or None when the pools cannot fill it: a revert, nothing, or a
        pool that ran out of liquidity (its price ended at the bound: a partial fill)."""
        if failed(answer):
            return None
        amount, after = answer[0], answer[1]
        for price in (after if isinstance(after, (list, tuple)) else [after]):
            if price <= MIN_SQRT_RATIO + 1 or price >= MAX_SQRT_RATIO - 1:
                return None
        return amount or None

    def quote(self, w3: Web3, chain: ChainConfig, token_in: str, token_out: str, amount: int,
              exact: Exact, hubs: list[str]) -> SwapRoute | None:
        if _same(token_in, token_out) or amount <= 0:
            return None
        hubs = [h for h in dict.fromkeys(Web3.to_checksum_address(h) for h in hubs)
                if not _same(h, token_in) and not _same(h, token_out)]
        pairs = [(token_in, token_out)]
        for hub in hubs:
            pairs += [(token_in, hub), (hub, token_out)]
        pools = self.pools(w3, chain, pairs)
        candidates: list[tuple[list[str], list[int]]] = [
            ([token_in, token_out], [fee]) for fee in self._tiers(pools, token_in, token_out)]
        for hub in hubs:
            for first in self._tiers(pools, token_in, hub):
                for second in self._tiers(pools, hub, token_out):
                    candidates.append(([token_in, hub, token_out], [first, second]))
        if not candidates:
            return None
        quoter = contract_at(w3, self.addresses(chain)["quoter"], "uniswap/QuoterV2")
        answers = read_all(w3, [self._quote_read(quoter, path, fees, amount, exact)
                                for path, fees in candidates], "a swap route")
        best: SwapRoute | None = None
        for (path, fees), answer in zip(candidates, answers):
            quoted = self._quoted(answer)
            if quoted is None:
                continue
            route = SwapRoute(venue=self.name, path=[Web3.to_checksum_address(t) for t in path],
                              fees=fees, exact=exact,
                              amount_in=amount if exact == "in" else quoted,
                              amount_out=quoted if exact == "in" else amount)
            if best is None or (route.amount_out > best.amount_out if exact == "in"
                                else route.amount_in < best.amount_in):
                best = route
        return best

    def requote(self, w3: Web3, chain: ChainConfig, effect: SwapEffect) -> int | None:
        if len(effect.path) < 2 or len(effect.fees) != len(effect.path) - 1:
            return None
        quoter = contract_at(w3, self.addresses(chain)["quoter"], "uniswap/QuoterV2")
        amount = effect.amount_in if effect.exact == "in" else effect.amount_out
        if amount <= 0:
            return None
        read = self._quote_read(quoter, effect.path, effect.fees, amount, effect.exact)
        return self._quoted(read_all(w3, [read], "a swap quote")[0])

    # --- swap calls -----------------------------------------------------------------------
    def _swap_data(self, router: Contract, kind: str, route: SwapRoute, recipient: str,
                   limit: int, deadline: int) -> str:
        if len(route.fees) != len(route.path) - 1 or not route.fees:
            raise StewardError("a Uniswap V3 route needs one fee tier per hop")
        params: dict[str, Any] = {"recipient": recipient, "deadline": deadline}
        if route.exact == "in":
            params |= {"amountIn": route.amount_in, "amountOutMinimum": limit}
        else:
            params |= {"amountOut": route.amount_out, "amountInMaximum": limit}
        if len(route.fees) == 1:
            params |= {"tokenIn": route.path[0], "tokenOut": route.path[1], "fee": route.fees[0],
                       "sqrtPriceLimitX96": 0}
            function = "exactInputSingle" if route.exact == "in" else "exactOutputSingle"
        else:
            params["path"] = (encode_path(route.path, route.fees) if route.exact == "in" else
                              encode_path(route.path[::-1], route.fees[::-1]))
            function = "exactInput" if route.exact == "in" else "exactOutput"
        if kind == "swap_router02":
            del params["deadline"]
        return router.encode_abi(function, args=[params])

    def permissions(self, chain: ChainConfig) -> list[Permit]:
        found = self._router(chain)
        if found is None:
            return []
        address, kind = found
        # SwapRouter02's calls are one multicall(deadline, data); the original router's are a
        # swap, or a multicall of a swap and an unwrap or refund (the router calls itself).
        wanted = (["multicall(uint256,bytes[])"] if kind == "swap_router02"
                  else list(_SWAPS) + ["multicall"])
        return [Permit(target=address, selector=selector, value=True)
                for selector in selectors(_ROUTER_ABI[kind], wanted).values()]

    def swap_calls(self, w3: Web3, chain: ChainConfig, order: SwapOrder,
                   description: str) -> list[Call]:
        router, kind = self._router_contract(w3, chain)
        route, weth = order.route, self._weth(w3, chain)
        if order.native_in and not _same(route.path[0], weth):
            raise StewardError("a swap of the native coin must start at the wrapped native token")
        if order.native_out and not _same(route.path[-1], weth):
            raise StewardError("a swap to the native coin must end at the wrapped native token")
        to = router.address if order.native_out else order.recipient
        inner = [self._swap_data(router, kind, route, to, order.limit, order.deadline)]
        gas = GAS_SWAP + GAS_PER_HOP * (len(route.fees) - 1)
        if order.native_out:
            least = order.limit if route.exact == "in" else route.amount_out
            inner.append(router.encode_abi("unwrapWETH9(uint256,address)",
                                           args=[least, order.recipient]))
            gas += GAS_UNWRAP
        value = 0
        if order.native_in:
            value = route.amount_in if route.exact == "in" else order.limit
            if route.exact == "out":  # the router sends back what the maximum did not need
                inner.append(router.encode_abi("refundETH", args=[]))
                gas += GAS_REFUND
        if kind == "swap_router02":
            data = router.encode_abi("multicall(uint256,bytes[])", args=[order.deadline, inner])
        elif len(inner) == 1:
            data = inner[0]
        else:
            data = router.encode_abi("multicall", args=[inner])
        return [Call(to=router.address, data=data, value=value, description=description,
                     gas_hint=gas)]

    # --- decoding -------------------------------------------------------------------------
    def decode(self, w3: Web3, chain: ChainConfig, call: Call) -> SwapEffect | None:
        found = self._router(chain)
        if found is None or not call.to or not _same(call.to, found[0]):
            return None
        router, kind = contract_at(w3, found[0], _ROUTER_ABI[found[1]]), found[1]
        try:
            function, args = router.decode_function_input(call.data)
        except Exception:  # noqa: BLE001
            return self._opaque(router.address, call, "calldata that is no function of the "
                                                      f"{self.label} router")
        name = function.fn_name
        if name in _VIEWS and not call.value:
            return None
        reading = _Reading()
        if name == "multicall":
            for inner in args["data"]:
                _read_inner(router, inner, reading)
        else:
            _read_inner(router, call.data, reading)
        label = name if name != "multicall" else "multicall(" + ", ".join(
            s.function for s in reading.swaps) + ")"
        if not reading.swaps:
            paid = [recipient for _, recipient in reading.unwraps] + [
                recipient for _, _, recipient in reading.sweeps]
            return self._opaque(paid[0] if paid else router.address, call,
                                *(reading.notes or [f"{name} moves value without a swap"]))
        return self._effect(w3, chain, kind, router.address, call, label, reading)

    def _opaque(self, payee: str, call: Call, *notes: str) -> SwapEffect:
        """A call to the router that is not a swap Steward can account for (no path; the
        payee is whoever an unwrap or sweep pays, else the router)."""
        return SwapEffect(venue=self.name, function="unknown", exact="in", token_in=None,
                          token_out=None, path=[], amount_in=call.value, amount_out=0,
                          payee=payee, unexplained=list(notes))

    def _effect(self, w3: Web3, chain: ChainConfig, kind: str, router: str, call: Call,
                label: str, reading: _Reading) -> SwapEffect:
        notes = list(reading.notes)
        swap = reading.swaps[0]
        if len(reading.swaps) > 1:
            notes.append(f"{len(reading.swaps)} swaps in one call; Steward accounts for one")
        weth = self._weth(w3, chain)
        if swap.price_limit:
            notes.append("a price limit (sqrtPriceLimitX96) that can make the swap fill only "
                         "part of the amount")
        if swap.exact == "in" and swap.amount == 0:
            notes.append("an input amount of 0 (SwapRouter02: whatever the router holds)")
        recipient = swap.recipient
        if kind == "swap_router02" and _same(recipient, ADDRESS_THIS):
            recipient = router
        payee, token_out = self._payee(recipient, router, swap, reading, weth, notes)
        token_in: str | None = swap.path[0]
        amount_in = swap.amount if swap.exact == "in" else swap.limit
        if call.value:
            if not _same(swap.path[0], weth):
                notes.append(f"{call.value} wei of the native coin sent with a token-in swap "
                             "(it stays in the router, where anyone can take it)")
            else:
                token_in = None
                if call.value != amount_in:
                    notes.append(f"sends {call.value} wei but the swap is for {amount_in}")
                if swap.exact == "out" and not reading.refunds:
                    notes.append("no refundETH: the unspent coin stays in the router, where "
                                 "anyone can take it")
        if _same(payee, MSG_SENDER):
            notes.append("pays SwapRouter02's 'caller' placeholder rather than an address")
        return SwapEffect(venue=self.name, function=label, exact=swap.exact, token_in=token_in,
                          token_out=token_out, path=swap.path, fees=swap.fees,
                          amount_in=amount_in,
                          amount_out=swap.limit if swap.exact == "in" else swap.amount,
                          payee=payee, unexplained=notes)

    @staticmethod
    def _payee(recipient: str, router: str, swap: _Swap, reading: _Reading, weth: str,
               notes: list[str]) -> tuple[str, str | None]:
        """Who ends up with the output, and which token (None: the native coin)."""
        last = swap.path[-1]
        if not _same(recipient, router):
            if reading.unwraps or reading.sweeps:
                notes.append("unwraps or sweeps the router's own balance besides the swap")
            return recipient, last
        if len(reading.unwraps) + len(reading.sweeps) > 1:
            notes.append("pays the router's balance out more than once")
        if reading.unwraps:
            minimum, payee = reading.unwraps[0]
            if not _same(last, weth):
                notes.append("unwraps WETH although the swap buys another token (the output "
                             "stays in the router)")
                return payee, last
            return payee, None
        if reading.sweeps:
            token, minimum, payee = reading.sweeps[0]
            if not _same(token, last):
                notes.append(f"sweeps {token}, not the token the swap buys (the output stays "
                             "in the router)")
            return payee, last
        notes.append("the output is left in the router, where anyone can take it")
        return router, last

    # --- what it owns ---------------------------------------------------------------------
    def owns(self, w3: Web3, chain: ChainConfig, address: str) -> str | None:
        label = super().owns(w3, chain, address)
        if label or "factory" not in self.addresses(chain):
            return label
        factory_address = self.addresses(chain)["factory"]
        key = (chain.chain_id, factory_address.lower(), address.lower())
        if key not in _owned:
            try:
                _owned[key] = self._pool_label(w3, chain, factory_address, address)
            except StewardError:
                return None  # the node did not answer: not a known pool, and not remembered
        return _owned[key]

    def _pool_label(self, w3: Web3, chain: ChainConfig, factory_address: str,
                    address: str) -> str | None:
        pool = contract_at(w3, address, "uniswap/UniswapV3Pool")
        what = "whether an address is a Uniswap V3 pool"
        answers = read_all(w3, [Read(pool, name) for name in ("factory", "token0", "token1",
                                                                "fee")], what)
        if any(failed(a) for a in answers) or not _same(answers[0], factory_address):
            return None
        _, token0, token1, fee = answers
        token0, token1 = Web3.to_checksum_address(token0), Web3.to_checksum_address(token1)
        factory = contract_at(w3, factory_address, "uniswap/UniswapV3Factory")
        listed = read_all(w3, [Read(factory, "getPool", (token0, token1, fee))], what)[0]
        if failed(listed) or not _same(listed, address):
            return None
        names = "/".join(chain.token_symbol(t) or short(Web3.to_checksum_address(t))
                         for t in (token0, token1))
        return f"{self.label} {names} {_fee_text(fee)} pool"

    # --- prices ---------------------------------------------------------------------------
    def pair_prices(self, w3: Web3, chain: ChainConfig, base: str, quote: str,
                    head: tuple[int, int], window_seconds: int):
        """Spot (slot0), TWAP (observe over `window_seconds`; None when the pool's
        observations do not reach back that far) and the pool's token balances, from the fee
        tier with the most in-range liquidity; (PairPrices, base is token0)."""
        tiers = self.pools(w3, chain, [(base, quote)])[tuple(sorted((base.lower(),
                                                                      quote.lower())))]
        if not tiers:
            return None
        what, block = "a pool price", head[0]
        pools = {fee: contract_at(w3, address, "uniswap/UniswapV3Pool")
                 for fee, address in tiers.items()}
        depths = read_all(w3, [Read(p, "liquidity") for p in pools.values()], what, block)
        ranked = [(d, fee) for fee, d in zip(pools, depths) if not failed(d) and d > 0]
        if not ranked:
            return None
        pool = pools[max(ranked)[1]]
        token0 = self._pool_token0(w3, chain, pool, what)
        token1 = quote if _same(token0, base) else base
        erc20 = [contract_at(w3, token, "ERC20") for token in (token0, token1)]
        slot0, observed, balance0, balance1 = read_all(w3, [
            Read(pool, "slot0"), Read(pool, "observe", ([window_seconds, 0],)),
            Read(erc20[0], "balanceOf", (pool.address,)),
            Read(erc20[1], "balanceOf", (pool.address,))], what, block)
        if failed(slot0) or not slot0[0] or failed(balance0) or failed(balance1):
            return None
        twap = None
        if not failed(observed) and window_seconds > 0:
            mean_tick = (observed[0][1] - observed[0][0]) // window_seconds  # rounds down
            twap = price_of_sqrt(sqrt_ratio_at_tick(mean_tick))
        prices = oracle.PairPrices(spot=price_of_sqrt(slot0[0]), twap=twap,
                                   reserve0=balance0, reserve1=balance1)
        return prices, _same(token0, base)

    @staticmethod
    def _pool_token0(w3: Web3, chain: ChainConfig, pool: Contract, what: str) -> str:
        key = (chain.chain_id, pool.address.lower())
        if key not in _token0:
            answer = read_all(w3, [Read(pool, "token0")], what)[0]
            if failed(answer):
                raise StewardError(f"{pool.address} does not answer token0() like a pool")
            _token0[key] = Web3.to_checksum_address(answer)
        return _token0[key]


__all__ = ["FEE_TIERS", "UniswapV3", "decode_path", "encode_path", "forget", "price_of_sqrt",
           "read_all", "sqrt_ratio_at_tick"]
