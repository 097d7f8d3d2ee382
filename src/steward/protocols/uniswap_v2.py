"""Uniswap V2 (and any fork with its router ABI): quotes, swap calls, its own calldata decoded.

The pool math and reads live in `steward.protocols.amm`; this module is the adapter the
registry knows. Contracts: config keys "uniswap-v2:factory" and "uniswap-v2:router".
"""

from __future__ import annotations

from web3 import Web3

from steward.chains.config import ChainConfig
from steward.contacts import short
from steward.errors import NoRouteError
from steward.plans import Call
from steward.protocols import amm, contract_answered, oracle
from steward.protocols.adapter import (DexAdapter, Exact, Permit, SwapEffect, SwapOrder, SwapRoute,
                                      selectors)

# Router function → (exact, native in, native out). The fee-on-transfer variants swap exactly
# what arrives, so they are exact-input swaps like the plain ones.
_SWAPS = {
    "swapExactTokensForTokens": ("in", False, False),
    "swapExactETHForTokens": ("in", True, False),
    "swapExactTokensForETH": ("in", False, True),
    "swapExactTokensForTokensSupportingFeeOnTransferTokens": ("in", False, False),
    "swapExactETHForTokensSupportingFeeOnTransferTokens": ("in", True, False),
    "swapExactTokensForETHSupportingFeeOnTransferTokens": ("in", False, True),
    "swapTokensForExactTokens": ("out", False, False),
    "swapETHForExactTokens": ("out", True, False),
    "swapTokensForExactETH": ("out", False, True),
}


class UniswapV2(DexAdapter):
    name = "uniswap-v2"
    label = "Uniswap V2"
    roles = ("factory", "router")
    deployments = {  # docs.uniswap.org/contracts/v2/reference/smart-contracts/v2-deployments
        1: {"factory": "0x5C69bEe701ef814a2B6a3EDD4B1652CB9cc5aA6f",
            "router": "0x7a250d5630B4cF539739dF2C5dAcb4c659F2488D"},
        10: {"factory": "0x0c3c1c532F1e39EdF36BE9Fe0bE1410313E074Bf",
             "router": "0x4A7b5Da61326A6379179b40d00F57E5bbDC962c2"},
        42161: {"factory": "0xf1D7CC64Fb4452F05c498126312eBE29f30Fbcf9",
                "router": "0x4752ba5DBc23f44D87826276BF6Fd6b1C372aD24"},
        8453: {"factory": "0x8909Dc15e40173Ff4699343b6eB8132c65e18eC6",
               "router": "0x4752ba5DBc23f44D87826276BF6Fd6b1C372aD24"},
        137: {"factory": "0x9e5A52f57b3038F1B8EeE45F28b3C1967e22799C",
              "router": "0xedf6066a2b290C185783862C7F4776A2C8077AD1"},
    }

    def forget(self) -> None:
        amm.forget_pools()

    def quote(self, w3: Web3, chain: ChainConfig, token_in: str, token_out: str, amount: int,
              exact: Exact, hubs: list[str]) -> SwapRoute | None:
        found = self.addresses(chain)
        if exact == "in":
            try:
                route = amm.best_route(w3, found["router"], found["factory"], token_in, token_out,
                                       amount, hubs)
            except NoRouteError:
                return None
            return SwapRoute(venue=self.name, path=route.path, exact="in",
                             amount_in=amount, amount_out=route.amount_out)
        best: SwapRoute | None = None
        for path in amm.candidate_paths(token_in, token_out, hubs):
            # None: this path's pools cannot give it; an RPC failure raises (never "no route").
            needed = amm.amount_in_for(w3, found["router"], amount, path)
            if needed is not None and (best is None or needed < best.amount_in):
                best = SwapRoute(venue=self.name, path=path, exact="out", amount_in=needed,
                                 amount_out=amount)
        return best

    def spender(self, chain: ChainConfig) -> str:
        return self.addresses(chain)["router"]

    def permissions(self, chain: ChainConfig) -> list[Permit]:
        found = selectors("uniswap/UniswapV2Router02", list(_SWAPS))
        return [Permit(target=self.spender(chain), selector=found[name], value=shape[1])
                for name, shape in _SWAPS.items()]

    def swap_calls(self, w3: Web3, chain: ChainConfig, order: SwapOrder,
                   description: str) -> list[Call]:
        router = amm.router(w3, self.spender(chain))
        route, to, until = order.route, order.recipient, order.deadline
        hops = len(route.path) - 1
        gas = 150_000 + 60_000 * hops
        if route.exact == "in":
            if order.native_in:
                data = router.encode_abi("swapExactETHForTokens",
                                         args=[order.limit, route.path, to, until])
                return [Call(to=router.address, data=data, value=route.amount_in,
                             description=description, gas_hint=gas)]
            function = "swapExactTokensForETH" if order.native_out else "swapExactTokensForTokens"
            data = router.encode_abi(function, args=[route.amount_in, order.limit, route.path, to,
                                                     until])
            return [Call(to=router.address, data=data, description=description, gas_hint=gas)]
        if order.native_in:  # the router refunds what the maximum did not need
            data = router.encode_abi("swapETHForExactTokens",
                                     args=[route.amount_out, route.path, to, until])
            return [Call(to=router.address, data=data, value=order.limit,
                         description=description, gas_hint=gas)]
        function = "swapTokensForExactETH" if order.native_out else "swapTokensForExactTokens"
        data = router.encode_abi(function, args=[route.amount_out, order.limit, route.path, to,
                                                 until])
        return [Call(to=router.address, data=data, description=description, gas_hint=gas)]

    def decode(self, w3: Web3, chain: ChainConfig, call: Call) -> SwapEffect | None:
        router_address = self.addresses(chain).get("router")
        if not router_address or not call.to or call.to.lower() != router_address.lower():
            return None
        try:
            function, args = amm.router(w3, router_address).decode_function_input(call.data)
        except ValueError:
            return None
        shape = _SWAPS.get(function.fn_name)
        if shape is None:
            return None
        exact, native_in, native_out = shape
        path = [Web3.to_checksum_address(token) for token in args["path"]]
        unexplained = []
        if call.value and not native_in:
            unexplained.append(f"{function.fn_name} is sent with {call.value} wei of the native "
                               "coin it does not use")
        if exact == "in":
            amount_in = call.value if native_in else args["amountIn"]
            amount_out = args["amountOutMin"]
        else:
            amount_in = call.value if native_in else args["amountInMax"]
            amount_out = args["amountOut"]
        return SwapEffect(venue=self.name, function=function.fn_name, exact=exact,
                          token_in=None if native_in else path[0],
                          token_out=None if native_out else path[-1], path=path,
                          amount_in=amount_in, amount_out=amount_out,
                          payee=Web3.to_checksum_address(args["to"]), unexplained=unexplained)

    def requote(self, w3: Web3, chain: ChainConfig, effect: SwapEffect) -> int | None:
        router = amm.router(w3, self.spender(chain))
        try:
            if effect.exact == "in":
                return router.functions.getAmountsOut(effect.amount_in, effect.path).call()[-1]
            return router.functions.getAmountsIn(effect.amount_out, effect.path).call()[0]
        except Exception as exc:
            if contract_answered(exc):
                return None
            raise amm.could_not_establish("a swap quote", exc) from None

    def owns(self, w3: Web3, chain: ChainConfig, address: str) -> str | None:
        label = super().owns(w3, chain, address)
        if label:
            return label
        tokens = amm.pair_tokens(w3, self.addresses(chain)["factory"], address)
        if tokens is None:
            return None
        names = "/".join(chain.token_symbol(token) or short(token) for token in tokens)
        return f"{self.label} {names} pool"

    def pair_prices(self, w3: Web3, chain: ChainConfig, base: str, quote: str,
                    head: tuple[int, int], window_seconds: int):
        try:
            info = amm.pool(w3, self.addresses(chain)["factory"], base, quote)
        except Exception as exc:
            if contract_answered(exc):  # a factory that is not one offers no price
                return None
            raise amm.could_not_establish("a pool price", exc) from None
        if info is None:
            return None
        prices = oracle.pair_prices(w3, info.address, head[0], head[1], window_seconds)
        if prices is None:
            return None
        return prices, info.token0.lower() == base.lower()


__all__ = ["UniswapV2"]
