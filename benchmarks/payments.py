"""Pay per request (x402) on the embedded sandbox: what a paid check costs over the same check
run in-process, how long a payment whose facilitator answered too late takes to end delivered,
and the gas of a settlement and of a buyback.

One embedded sandbox is built in a temporary STEWARD_HOME (never ~/.steward). Wallet "main" pays
from its own USDC on sandbox-l1 within a `[payments]` mandate written for the merchants' origins
(their ports are picked first); Steward's checks are sold by `sandbox_merchant` (a seller and a
loopback facilitator in this process) to a fresh address (`dev_account(8)`).

(a) Latency: for each product (token check, address check, link check), N paid requests with
    `steward.service.payments.pay`, timed with the wall clock around `pay()` (the first request,
    the 402, the guard's review, the EIP-3009 signature, the paid request, the facilitator's
    verify and settle, the check and the delivery), taking turns with the baseline: the same
    check called directly (`steward.service.checks`) inside `chain_turn()`, i.e. the work
    without HTTP and payment. One untimed warm-up of each first, then N rounds over the three
    products (each settlement adds a block, so the chain grows alike for all). Reported: paid
    median and p95, baseline median, paid ÷ baseline and paid − baseline (ms); gas per
    settlement from the delivered payments' receipts. The payer's USDC must fall by exactly the
    prices paid and the merchant's rise by the same, or the run fails.
(b) x402 #1062: a second merchant whose facilitator settles on chain and answers 4 s later,
    while the seller waits only 2 s. K payments; each must end "delivered" with the payer's
    USDC down by exactly the price, once (the payer reconciles from the chain and asks again
    with the same authorization). Reported: the median wall time to the reconciled delivery.
(c) Gas per buyback: the AI company's project (AIC, its USDC pool, its fee router) deployed,
    revenue paid into the router (`pay_fee`), then three buybacks of 10, 50 and 100 USDC, the
    chain's clock advanced a TWAP window before each (a buyback resets the router's observation).
    Run last: advancing the clock puts the chain ahead of the payer's, which then refuses to sign.

Run:  .venv/bin/python benchmarks/payments.py [--quick] [--requests N] [--lost K] [--json]
Exit code: 0 when measured; 1 if a scenario went wrong (a paid request not delivered, balances
that do not add up, a #1062 payment paid twice or not delivered, a buyback refused).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time

from rich.console import Console
from rich.table import Table

from _world import fresh_sandbox

PASSPHRASE = "correct horse battery staple"
L1 = "sandbox-l1"
PAY_TO_INDEX = 8  # a dev account nothing else in the sandbox uses: the merchant's revenue
USD6 = 10**6
SETTLE_DELAY, FACILITATOR_TIMEOUT = 4.0, 2.0  # (b): the answer comes after the seller gave up
BUYBACKS_USDC = (10, 50, 100)
LINK = "https://app.uniswap.org"


class ScenarioFailure(Exception):
    """Something the figures cannot stand on."""


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def ms(seconds: float) -> float:
    return round(1000 * seconds, 1)


# --- the world -----------------------------------------------------------------------------
def two_ports() -> tuple[int, int]:
    from steward.payments.loopback import free_port

    first = free_port()
    second = free_port()
    while second == first:
        second = free_port()
    return first, second


def write_payments_mandate(wallet: str, origins: list[str], pay_to: str) -> None:
    """Wallet's [payments] table: USDC on sandbox-l1 to these origins, paid to `pay_to` only."""
    from steward.guard.payment_mandate import MerchantRule, PaymentsMandate
    from steward.guard.payment_mandate import write_payments_mandate as write

    rule = MerchantRule(max_per_period_usd=10 * 10**6, period="day", pay_to=pay_to)
    write(wallet, PaymentsMandate(networks=[L1], assets=["USDC"], max_per_payment_usd=50_000,
                                  max_validity_seconds=300,
                                  merchants={origin: rule for origin in origins}))


def usdc_balance(address: str) -> int:
    from steward import chains
    from steward.chains.config import load_config
    from steward.payments import chain_turn
    from steward.protocols import erc20

    with chain_turn():
        chain = load_config().chain(L1)
        return erc20.balance_of(chains.connect(chain), chain.tokens["USDC"], address)


def settlement_gas(tx_hash: str) -> int:
    from steward import chains
    from steward.chains.config import load_config
    from steward.payments import chain_turn

    with chain_turn():
        w3 = chains.connect(load_config().chain(L1))
        return int(w3.eth.get_transaction_receipt(tx_hash)["gasUsed"])


def products(pay_to: str) -> list[dict]:
    """The three checks for sale: path, price, and the same work called in-process."""
    from steward.service import checks
    from steward.service.payments import CHECK_PRICES

    def price(pattern: str) -> int:
        return CHECK_PRICES[pattern][0]

    return [
        {"name": "token check", "path": f"/checks/token/USDC?chain={L1}",
         "price": price("GET /checks/token/*"),
         "direct": lambda: checks.check_token("USDC", L1)},
        {"name": "address check", "path": f"/checks/address/{pay_to}?chain={L1}",
         "price": price("GET /checks/address/*"),
         "direct": lambda: checks.check_address(pay_to, L1)},
        {"name": "link check", "path": f"/checks/link?url={LINK}",
         "price": price("GET /checks/link"),
         "direct": lambda: checks.check_url(LINK)},
    ]


# --- (a) latency ---------------------------------------------------------------------------
def paid_request(url: str, passphrase: str):
    from steward.service.payments import pay

    began = time.perf_counter()
    outcome = pay(url, passphrase)
    elapsed = time.perf_counter() - began
    if outcome.status != "delivered":
        raise ScenarioFailure(f"{url}: the paid request ended {outcome.status!r}, not delivered "
                              f"({outcome.note})")
    return outcome, elapsed


def direct_check(product: dict) -> float:
    from steward.payments import chain_turn

    began = time.perf_counter()
    with chain_turn():
        product["direct"]()
    return time.perf_counter() - began


def block_number() -> int:
    from steward import chains
    from steward.chains.config import load_config
    from steward.payments import chain_turn

    with chain_turn():
        return int(chains.connect(load_config().chain(L1)).eth.block_number)


def latency(merchant, passphrase: str, payer: str, requests: int, advance_bar) -> dict:
    pay_to = merchant.pay_to
    items = products(pay_to)
    payer_before, merchant_before = usdc_balance(payer), usdc_balance(pay_to)
    spent, first_gas = 0, None
    for product in items:  # warm-up, untimed: the first call of each fills caches
        direct_check(product)
        outcome, _ = paid_request(merchant.url + product["path"], passphrase)
        spent += product["price"]
        if first_gas is None and outcome.tx_hash:
            first_gas = settlement_gas(outcome.tx_hash)  # the merchant's first USDC ever
    first_block = block_number()
    samples = {p["name"]: {"paid": [], "payer": [], "baseline": [], "gas": []} for p in items}
    # Rounds over the products, so the chain's growth (a block per settlement) falls on each
    # alike; within a round the paid request and the baseline take turns going first.
    for index in range(requests):
        for product in items:
            url, got = merchant.url + product["path"], samples[product["name"]]
            if index % 2:
                outcome, elapsed = paid_request(url, passphrase)
                got["baseline"].append(direct_check(product))
            else:
                got["baseline"].append(direct_check(product))
                outcome, elapsed = paid_request(url, passphrase)
            spent += product["price"]
            got["paid"].append(elapsed)
            if outcome.seconds is not None:
                got["payer"].append(outcome.seconds)
            if not outcome.tx_hash:
                raise ScenarioFailure(f"{url}: delivered without a settlement transaction")
            got["gas"].append(settlement_gas(outcome.tx_hash))
            advance_bar()
    rows = [summarise_product(product, samples[product["name"]], requests) for product in items]
    payer_paid = payer_before - usdc_balance(payer)
    merchant_got = usdc_balance(pay_to) - merchant_before
    if payer_paid != spent or merchant_got != spent:
        raise ScenarioFailure(f"the books do not add up: prices {spent}, payer paid "
                              f"{payer_paid}, merchant received {merchant_got} (USDC base units)")
    return {"products": rows, "first_settlement_gas": first_gas, "usdc_paid": spent / USD6,
            "blocks": [first_block, block_number()]}


def summarise_product(product: dict, got: dict, requests: int) -> dict:
    paid_median, base_median = statistics.median(got["paid"]), statistics.median(got["baseline"])
    return {
        "product": product["name"], "price_usdc": product["price"] / USD6, "requests": requests,
        "paid_median_ms": ms(paid_median), "paid_p95_ms": ms(percentile(got["paid"], 0.95)),
        # The payer's own figure: first request to paid response (no unlock, no ledger reads).
        "payer_first_request_to_response_median_ms":
            ms(statistics.median(got["payer"])) if got["payer"] else None,
        "baseline_median_ms": ms(base_median),
        "ratio": round(paid_median / base_median, 2),
        "overhead_ms": ms(paid_median - base_median),
        "gas_per_settlement_median": int(statistics.median(got["gas"])),
        "gas_per_settlement_min": min(got["gas"]), "gas_per_settlement_max": max(got["gas"]),
        # Every sample, in order (even rounds: the baseline went first; odd: the paid request).
        "paid_ms": [ms(x) for x in got["paid"]], "baseline_ms": [ms(x) for x in got["baseline"]],
    }


# --- (b) x402 #1062 ------------------------------------------------------------------------
def lost_answers(merchant, passphrase: str, payer: str, count: int, advance_bar) -> dict:
    from steward.service.payments import pay

    merchant.facilitator_app.state.signer.settle_delay = SETTLE_DELAY
    product = products(merchant.pay_to)[0]
    url = merchant.url + product["path"]
    runs = []
    for index in range(count):
        payer_before, merchant_before = usdc_balance(payer), usdc_balance(merchant.pay_to)
        began = time.perf_counter()
        outcome = pay(url, passphrase)
        elapsed = time.perf_counter() - began
        payer_paid = payer_before - usdc_balance(payer)
        merchant_got = usdc_balance(merchant.pay_to) - merchant_before
        runs.append({"payment": index + 1, "status": outcome.status, "seconds": round(elapsed, 3),
                     "payer_paid": payer_paid, "merchant_received": merchant_got,
                     "reconciled": "delivered when asked again" in outcome.note,
                     "note": outcome.note})
        if outcome.status != "delivered":
            raise ScenarioFailure(f"#1062 payment {index + 1} ended {outcome.status!r}, not "
                                  f"delivered ({outcome.note})")
        if payer_paid != product["price"] or merchant_got != product["price"]:
            raise ScenarioFailure(f"#1062 payment {index + 1}: the price is {product['price']} "
                                  f"but the payer paid {payer_paid} and the merchant received "
                                  f"{merchant_got} (USDC base units)")
        advance_bar()
    # The facilitator's late answers are still sleeping; let them finish before the merchant stops.
    time.sleep(SETTLE_DELAY)
    seconds = [r["seconds"] for r in runs]
    return {"payments": count, "settle_delay_s": SETTLE_DELAY,
            "facilitator_timeout_s": FACILITATOR_TIMEOUT, "price_usdc": product["price"] / USD6,
            "median_to_delivery_s": round(statistics.median(seconds), 3),
            "max_to_delivery_s": max(seconds),
            "reconciled": sum(r["reconciled"] for r in runs), "runs": runs}


# --- (c) gas per buyback -------------------------------------------------------------------
def buybacks(advance_bar) -> dict:
    from steward.chains.config import load_config
    from steward.errors import StewardError
    from steward.payments import chain_turn
    from steward.sandbox.market import advance_time
    from steward.tokenomics.deploy import TWAP_WINDOW, buyback, deploy_project, pay_fee

    with chain_turn():
        project = deploy_project(L1, "AIC")
        chain = load_config().chain(L1)
        fee = pay_fee(project, sum(BUYBACKS_USDC) * USD6)
        steps = []
        for amount in BUYBACKS_USDC:
            advance_time(chain, TWAP_WINDOW + 1)  # the router's observation must be a window old
            try:
                step = buyback(project, amount * USD6)
            except StewardError as exc:
                raise ScenarioFailure(f"the buyback of {amount} USDC was refused: {exc}") from None
            steps.append({"usdc": amount, "gas_used": step.gas_used, "tx": step.tx_hash})
            advance_bar()
    return {"pay_fee_usdc": sum(BUYBACKS_USDC), "pay_fee_gas": fee.gas_used, "buybacks": steps}


# --- output --------------------------------------------------------------------------------
def print_report(result: dict, console: Console) -> None:
    a = result["latency"]
    table = Table(title=f"(a) A paid check vs the same check in-process "
                        f"({a['products'][0]['requests']} requests each, wall clock around pay())")
    for column in ("product", "price", "paid median", "paid p95", "baseline median",
                   "paid ÷ baseline", "overhead", "gas / settlement"):
        table.add_column(column, justify="left" if column == "product" else "right")
    for r in a["products"]:
        table.add_row(r["product"], f"${r['price_usdc']:.3f}", f"{r['paid_median_ms']:.1f} ms",
                      f"{r['paid_p95_ms']:.1f} ms", f"{r['baseline_median_ms']:.1f} ms",
                      f"{r['ratio']:.2f}×", f"+{r['overhead_ms']:.1f} ms",
                      f"{r['gas_per_settlement_median']:,}")
    console.print(table)
    console.print(f"The merchant's first settlement (its USDC balance written from zero): "
                  f"{a['first_settlement_gas']:,} gas. Paid in all: {a['usdc_paid']:.3f} USDC, "
                  "and exactly that reached the merchant. The chain went from block "
                  f"{a['blocks'][0]:,} to {a['blocks'][1]:,} over the timed requests.")
    b = result["lost_answers"]
    table = Table(title=f"(b) x402 #1062: the facilitator settles, answers {b['settle_delay_s']:g} s "
                        f"later; the seller waits {b['facilitator_timeout_s']:g} s")
    for column in ("payment", "status", "to delivery", "payer paid", "merchant received",
                   "path"):
        table.add_column(column, justify="right" if column != "path" else "left")
    for r in b["runs"]:
        table.add_row(str(r["payment"]), r["status"], f"{r['seconds']:.2f} s",
                      f"{r['payer_paid'] / USD6:.3f} USDC",
                      f"{r['merchant_received'] / USD6:.3f} USDC",
                      "reconciled from the chain" if r["reconciled"] else r["note"] or "direct")
    console.print(table)
    console.print(f"Median time to the reconciled delivery: {b['median_to_delivery_s']:.2f} s "
                  f"(max {b['max_to_delivery_s']:.2f} s); each paid the price "
                  f"({b['price_usdc']:.3f} USDC) once.")
    c = result["buybacks"]
    table = Table(title="(c) Gas of the AIC fee router (TWAP-guarded buyback and burn)")
    table.add_column("step")
    table.add_column("gas used", justify="right")
    table.add_row(f"pay_fee {c['pay_fee_usdc']} USDC of revenue", f"{c['pay_fee_gas']:,}")
    for index, step in enumerate(c["buybacks"]):
        note = " (the router's first: its totals written from zero)" if index == 0 else ""
        table.add_row(f"buyback {step['usdc']} USDC{note}", f"{step['gas_used']:,}")
    console.print(table)
    console.print(f"[dim]{result['wall_s']:.0f} s of wall time in all"
                  f"{' (--quick)' if result['quick'] else ''}[/]")


def measure(args, err: Console, passphrase: str) -> dict:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
    from rich.progress import TimeElapsedColumn

    from steward.chains.embedded import dev_account
    from steward.service.payments import sandbox_merchant
    from steward.wallets import WalletStore

    payer = WalletStore().get("main").address
    pay_to = dev_account(PAY_TO_INDEX).address
    port, late_port = two_ports()
    write_payments_mandate("main", [f"http://127.0.0.1:{port}",
                                    f"http://127.0.0.1:{late_port}"], pay_to)
    result = {"quick": args.quick}
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("(a) paid requests", total=3 * args.requests)
        with sandbox_merchant(pay_to, L1, port=port) as merchant:
            result["latency"] = latency(merchant, passphrase, payer, args.requests,
                                        lambda: progress.advance(task))
        task = progress.add_task("(b) x402 #1062", total=args.lost)
        with sandbox_merchant(pay_to, L1, port=late_port,
                              facilitator_timeout=FACILITATOR_TIMEOUT) as merchant:
            result["lost_answers"] = lost_answers(merchant, passphrase, payer, args.lost,
                                                  lambda: progress.advance(task))
        task = progress.add_task("(c) buybacks", total=len(BUYBACKS_USDC))
        result["buybacks"] = buybacks(lambda: progress.advance(task))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 requests per product")
    parser.add_argument("--requests", type=int, default=None,
                        help="paid requests per product (default 10; 3 with --quick)")
    parser.add_argument("--lost", type=int, default=3, help="#1062 payments (default 3)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    args = parser.parse_args(argv)
    args.requests = args.requests or (3 if args.quick else 10)
    if args.requests < 1 or args.lost < 1:
        parser.error("--requests and --lost must be at least 1")
    # Before anything imports steward: a cheap keystore cost and the passphrase of the sandbox.
    os.environ["STEWARD_PASSPHRASE"] = PASSPHRASE
    os.environ["STEWARD_KEYSTORE_SCRYPT_N"] = "1024"
    began = time.perf_counter()
    err = Console(stderr=True)
    passphrase = fresh_sandbox("payments", err)
    home = os.environ["STEWARD_HOME"]
    try:
        result = measure(args, err, passphrase)
    except ScenarioFailure as failure:
        err.print(f"[red]{failure}[/]")
        return 1
    finally:
        from steward.chains.embedded import close_all

        close_all()
        shutil.rmtree(home, ignore_errors=True)
    result["wall_s"] = round(time.perf_counter() - began, 1)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        # Wide enough for the tables when the output goes to a file or a pipe.
        print_report(result, Console() if sys.stdout.isatty() else Console(width=130))
    return 0


if __name__ == "__main__":
    sys.exit(main())
