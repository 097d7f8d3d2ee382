"""`steward payments demo`: pay per request, and the seller's revenue bought back and burned.

On the embedded sandbox (built if the home has none), unattended:

1. the AI company's token AIC, its USDC pool and its fee router are deployed (once);
2. Steward's checks go on sale per request (x402) on sandbox-l1, paid in USDC to the wallet
   "checks-seller", through a facilitator on loopback;
3. the agent (the default wallet) gets a `[payments]` mandate naming that merchant with a daily
   cap, and buys checks: each one 402 → guard → EIP-3009 signature → paid response;
4. one purchase's facilitator answers too late (the chain settled, its client timed out: x402
   #1062): the agent reconciles from the chain and gets the report without paying twice;
5. a purchase over the day's cap and one from a merchant not in the mandate are refused before
   anything is signed; a replay of a spent payment is refused by the seller;
6. the seller forwards its revenue into the fee router (through the guard), a keeper buys back
   AIC at the TWAP-guarded price and burns it, and `check tokenomics AIC` verifies from the
   chain that what came in was bought back and burned.

Figures: latency from the first request to the paid response (median and worst), gas per
settlement, gas per buyback, and the seller's revenue against what the payer's balance lost.
"""

from __future__ import annotations

import statistics
import time
from decimal import Decimal

import httpx
from rich.rule import Rule
from rich.table import Table

from steward import chains as chain_registry
from steward import sandbox
from steward.chains.config import load_config
from steward.cli.render import console, err_console, print_json
from steward.display import safe
from steward.errors import StewardError
from steward.sandbox import DEFAULT_WALLET, L1, market
from steward.units import format_units

SELLER = "checks-seller"
SYMBOL = "AIC"
USD6 = 10**6


def _say(message: str) -> None:
    err_console.print(f"[dim]•[/] {safe(message)}")


def _passphrase() -> str:
    from steward.wallets import read_passphrase

    return read_passphrase()


def _ensure_world(passphrase: str):
    from steward.tokenomics.deploy import deploy_project, load_project
    from steward.wallets import WalletStore

    chains = load_config().chains
    if L1 not in chains or not sandbox.SandboxBuilder().is_deployed(chains[L1]):
        sandbox.up(progress=_say)
    store = WalletStore()
    if not store.exists(SELLER):
        from steward.guard.mandate import write_default_mandate

        info = store.create(SELLER, passphrase)
        write_default_mandate(SELLER)
        sandbox.SandboxBuilder().top_up(load_config().chain(L1), info.address, SELLER)
        _say(f"created wallet '{SELLER}' (the checks' seller), with ETH for gas")
    try:
        project = load_project(L1, SYMBOL)
    except StewardError:
        project = deploy_project(L1, SYMBOL, "AI Company")
        _say(f"deployed {SYMBOL}, its USDC pool and its fee router {project.router}")
    return project


def _write_payments_mandate(wallet: str, origin: str, cap: Decimal) -> None:
    """Pay Steward's checks seller, nothing else: USDC on the L1, at most `cap` dollars a day."""
    from steward.guard.payment_mandate import MerchantRule, PaymentsMandate, write_payments_mandate

    write_payments_mandate(wallet, PaymentsMandate(
        networks=[L1], assets=["USDC"], max_per_payment_usd=USD6 // 20, max_validity_seconds=300,
        merchants={origin: MerchantRule(max_per_period_usd=int(cap * USD6), period="day")}))


def _price(path: str) -> int:
    from steward.service.payments import CHECK_PRICES

    kind = path.split("/")[2].split("?")[0]
    return next(amount for pattern, (amount, _) in CHECK_PRICES.items()
                if pattern.split()[1].split("/")[2] == kind)


def _usdc(address: str) -> int:
    from steward.protocols import erc20

    chain = load_config().chain(L1)
    return erc20.balance_of(chain_registry.connect(chain), chain.tokens["USDC"], address)


def _buy(rows, url: str, what: str, passphrase: str, **kwargs):
    from steward.service.payments import pay

    try:
        out = pay(url, passphrase, **kwargs)
    except StewardError as exc:
        rows.append((what, "refused", "", "", str(exc)))
        return None
    repeated = "nothing was paid again" in out.note
    rows.append((what, "not paid again" if repeated else out.status,
                 "" if repeated else out.amount or "",
                 f"{out.seconds:.2f} s" if out.seconds else "", out.note))
    return out


def _receipt_gas(tx_hash: str) -> int:
    w3 = chain_registry.connect(load_config().chain(L1))
    return int(w3.eth.get_transaction_receipt(tx_hash)["gasUsed"])


def run_demo(checks: int = 6, as_json: bool = False) -> None:
    from steward.payments import chain_turn
    from steward.payments.loopback import free_port
    from steward.service.payments import sandbox_merchant
    from steward.service.wallets import wallet_address

    passphrase = _passphrase()
    with chain_turn():
        project = _ensure_world(passphrase)
    buyer, seller = wallet_address(DEFAULT_WALLET), wallet_address(SELLER)
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    targets = [("token", f"/checks/token/USDC?chain={L1}"),
               ("token", f"/checks/token/{SYMBOL}?chain={L1}"),
               ("address", f"/checks/address/{seller}?chain={L1}"),
               ("link", "/checks/link?url=https://app.uniswap.org"),
               ("link", "/checks/link?url=https://uniswap-claim.app/airdrop")]
    # The day's cap covers exactly the purchases planned below, so one more is over it.
    planned = [_price(targets[i % len(targets)][1]) for i in range(checks - 1)]
    cap = Decimal(sum(planned) + _price(targets[0][1])) / USD6
    _write_payments_mandate(DEFAULT_WALLET, origin, cap)
    _say(f"the agent '{DEFAULT_WALLET}' may pay {origin} at most ${cap} a day in USDC")
    with chain_turn():
        buyer_before, seller_before = _usdc(buyer), _usdc(seller)
    rows: list[tuple[str, str, str, str, str]] = []
    delivered = []
    with sandbox_merchant(seller, L1, port=port, facilitator_timeout=3.0) as merchant:
        if not as_json:
            console.print(Rule(f"Steward's checks for sale at {merchant.url} (x402, USDC on "
                               f"{L1})"))
        signer = merchant.facilitator_app.state.signer
        for i in range(checks - 1):
            what, path = targets[i % len(targets)]
            out = _buy(rows, merchant.url + path, f"{what} check", passphrase)
            if out is not None and out.status == "delivered":
                delivered.append(out)
        # x402 #1062: the chain settles, the facilitator's answer comes after the seller gave up.
        signer.settle_delay = 4.0
        lost_id = f"demo-lost-answer-{int(time.time())}"
        out = _buy(rows, merchant.url + targets[0][1], "token check (answer lost)", passphrase,
                   payment_id=lost_id)
        signer.settle_delay = 0.0
        if out is not None and out.status == "delivered":
            delivered.append(out)
        again = _buy(rows, merchant.url + targets[0][1], "the same payment id again", passphrase,
                     payment_id=lost_id)
        _buy(rows, merchant.url + targets[0][1], "one more (over the day's cap)", passphrase)
        _buy(rows, f"http://localhost:{port}" + targets[0][1], "another merchant (not listed)",
             passphrase)
        replay = _replay(merchant.url + targets[0][1], delivered)
        rows.append(("a replayed payment header", replay, "", "", "refused by the seller"
                     if replay == "HTTP 402" else "NOT refused"))
    if not as_json:
        _table(rows)
    with chain_turn():
        buyer_after, seller_after = _usdc(buyer), _usdc(seller)
        settlements = [_receipt_gas(o.tx_hash) for o in delivered if o.tx_hash]
        revenue = seller_after - seller_before
        burn = _buy_back(project, revenue, passphrase)
    figures = _figures(delivered, settlements, buyer_before - buyer_after, revenue, burn, again)
    if as_json:
        print_json({**figures, "report": figures["report"].model_dump(mode="json"),
                    "requests": [dict(zip(("request", "outcome", "paid", "seconds", "note"), row))
                                 for row in rows]})
    else:
        _print_figures(figures)
    if buyer_before - buyer_after != revenue or burn["share_burned"] != "100%":
        raise StewardError("the demo's books do not balance: see the figures above")


def _replay(url: str, delivered) -> str:
    """Send a spent payment's header again, as an eavesdropper would."""
    from steward.payments.ledger import PaymentLedger
    from x402.http import PAYMENT_SIGNATURE_HEADER

    if not delivered:
        return "no payment to replay"
    header = PaymentLedger().get(delivered[0].payment_id).header
    response = httpx.get(url, headers={PAYMENT_SIGNATURE_HEADER: header}, timeout=30)
    return f"HTTP {response.status_code}"


def _buy_back(project, revenue: int, passphrase: str) -> dict:
    """The seller's revenue into the fee router, then a keeper's buyback and the verifier."""
    from steward.execution import Executor
    from steward.guard import approve, review
    from steward.plans import Call, Plan
    from steward.protocols import erc20
    from steward.service.checks import check_tokenomics
    from steward.tokenomics.deploy import TWAP_WINDOW, buyback

    chain = load_config().chain(L1)
    w3 = chain_registry.connect(chain)
    executor = Executor.unlock(SELLER, passphrase)
    router = w3.eth.contract(address=project.router, abi=_router_abi(project.contract))
    usdc = erc20.registry_token(w3, chain, "USDC")
    plan = Plan(chain=L1, sender=executor.address, summary=f"pay revenue into {SYMBOL}'s router",
                calls=[erc20.approve_call(w3, usdc, project.router, revenue,
                                          f"approve {format_units(revenue, 6)} USDC"),
                       Call(to=project.router, data=router.encode_abi("pay_fee", [revenue]),
                            description=f"pay {format_units(revenue, 6)} USDC of revenue",
                            gas_hint=120_000)])
    verdict = review(plan, SELLER)
    if verdict.decision == "deny":
        raise StewardError(f"the guard refused the seller's revenue payment: "
                           f"{verdict.explanation}")
    if verdict.decision == "confirm":  # the seller's owner is the person running the demo
        _say(f"the seller's owner approves: {verdict.explanation}")
        verdict = approve(verdict, by="the demo's seller (sandbox)")
    executor.execute(plan, verdict)
    _say(f"the seller paid {format_units(revenue, 6)} USDC of revenue into the fee router")
    market.advance_time(chain, TWAP_WINDOW + 1)  # the router's TWAP needs a full window
    step = buyback(project, revenue)
    _say(f"a keeper bought back {SYMBOL} with it and burned it (gas {step.gas_used})")
    report = check_tokenomics(project.token, L1)
    bps = report.burned_share_bps
    return {"gas_per_buyback": step.gas_used,
            "share_burned": "n/a" if bps is None else f"{bps / 100:g}%", "report": report}


def _router_abi(contract: str):
    from steward.contracts import abi

    return abi(contract)


def _table(rows) -> None:
    table = Table(title="What the agent bought")
    for column in ("Request", "Outcome", "Paid", "402 → response", "Note"):
        table.add_column(column, overflow="fold")
    for what, status, paid, seconds, note in rows:
        style = {"delivered": "green", "refused": "red"}.get(status, "yellow")
        table.add_row(safe(what), f"[{style}]{safe(status)}[/]", safe(paid), safe(seconds),
                      safe(note))
    console.print(table)


def _figures(delivered, settlements, buyer_paid, revenue, burn, again) -> dict:
    seconds = [o.seconds for o in delivered if o.seconds is not None]
    report = burn["report"]
    return {
        "paid_requests": len(delivered),
        "latency_median_s": round(statistics.median(seconds), 3) if seconds else None,
        "latency_max_s": round(max(seconds), 3) if seconds else None,
        "gas_per_settlement": round(statistics.mean(settlements)) if settlements else None,
        "payer_paid_usdc": format_units(buyer_paid, 6),
        "seller_received_usdc": format_units(revenue, 6),
        "same_payment_id_again": again.status if again is not None else "refused",
        "gas_per_buyback": burn["gas_per_buyback"],
        "share_burned": burn["share_burned"],
        "verdict": report.verdict,
        "report": report,
    }


def _print_figures(figures: dict) -> None:
    console.print(Rule("The books"))
    console.print(f"paid requests: {figures['paid_requests']} · 402 → paid response: median "
                  f"{figures['latency_median_s']} s, worst {figures['latency_max_s']} s · gas per "
                  f"settlement {figures['gas_per_settlement']}")
    console.print(f"the agent paid {figures['payer_paid_usdc']} USDC; the seller received "
                  f"{figures['seller_received_usdc']} USDC (the lost answer was paid once)")
    console.print(f"buyback gas {figures['gas_per_buyback']} · burned "
                  f"{figures['share_burned']} of what came in")
    from steward.cli.check_cmd import print_tokenomics  # the same view as `steward check`

    print_tokenomics(figures["report"])
