"""`steward market demo`: agents hiring agents on the sandbox, printed as a timeline.

Four agent wallets (two clients, a provider and an evaluator), each with its own mandate and
guard: registration, a negotiated job (offer, counter-offer, acceptance) escrowed, delivered,
verified and paid out, the client's payment-backed rating, a client refusing a counter-offer above
its mandate, and a pool of the two clients whose job is rejected and refunded pro rata.
"""

from __future__ import annotations

from rich.rule import Rule
from rich.table import Table

from steward import sandbox
from steward.cli.render import console, err_console, print_json
from steward.commerce import Agent, CommerceMandate, Market, MarketEvent, OutsideMandate, Spec
from steward.commerce.mandate import commerce_toml
from steward.commerce.work import Deliverable
from steward.display import safe
from steward.sandbox.agents import ensure_agent_wallets
from steward.sandbox.commerce import treasury_address
from steward.units import format_units
from steward.wallets import read_passphrase

USDC = 10**6
CLIENT, CLIENT2, PROVIDER, EVALUATOR = ("market-client", "market-client2", "market-provider",
                                        "market-evaluator")
MANDATES = {
    CLIENT: CommerceMandate(max_budget_usd=100 * USDC, tokens=["USDC"]),
    # a cautious owner: 45 USD a job, providers need a rated job behind them
    CLIENT2: CommerceMandate(max_budget_usd=45 * USDC, tokens=["USDC"], min_jobs=1,
                             min_reputation=60),
    PROVIDER: CommerceMandate(max_budget_usd=100 * USDC, tokens=["USDC"]),
    EVALUATOR: CommerceMandate(max_budget_usd=100 * USDC, tokens=["USDC"]),
}
ASKING_PRICE = 50 * USDC
FIRST_SPEC = Spec(kind="factorise", n=1_000_003 * 998_244_353 * 7)
POOL_SPEC = Spec(kind="pow", data="steward market pool job", difficulty_bits=16)
POOL_SHARES = {CLIENT: 30 * USDC, CLIENT2: 45 * USDC}


def _usdc(amount: int) -> str:
    return f"{format_units(amount, 6)} USDC"


class Timeline:
    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.events: list[MarketEvent] = []

    def __call__(self, event: MarketEvent) -> None:
        self.events.append(event)
        if self.quiet:
            return
        gas = f" [dim]({event.gas_used:,} gas)[/]" if event.gas_used else ""
        # agents' names and details come from other agents' offers and cards: outside text
        console.print(f"[bold cyan]{safe(f'{event.actor:>16}')}[/] [bold]{safe(event.action)}[/] "
                      f"{safe(event.detail)}{gas}", highlight=False)

    def step(self, title: str) -> None:
        if not self.quiet:
            console.print(Rule(f"[bold]{title}"))

    def note(self, text: str, style: str = "") -> None:
        if not self.quiet:
            shown = f"[{style}]{safe(text)}[/]" if style else safe(text)
            console.print(f"{'':>16} {shown}", highlight=False)


def run_market_demo(as_json: bool = False) -> dict:
    def progress(message: str) -> None:
        if not as_json:
            err_console.print(f"[dim]•[/] {safe(message)}")

    timeline = Timeline(quiet=as_json)
    timeline.step("1. The sandbox, and four agents with their own wallets and mandates")
    sandbox.up(progress=progress)
    passphrase = read_passphrase()
    addresses = ensure_agent_wallets({n: commerce_toml(m) for n, m in MANDATES.items()},
                                     passphrase, progress)
    market = Market()
    agents = {name: Agent.from_wallet(name, passphrase, market=market, on_event=timeline)
              for name in MANDATES}
    client, client2 = agents[CLIENT], agents[CLIENT2]
    provider, evaluator = agents[PROVIDER], agents[EVALUATOR]
    provider.asking_price = ASKING_PRICE
    for agent in agents.values():
        agent.agent_id = market.agent_owned_by(agent.address) or agent.register(
            f"steward://sandbox/{agent.wallet}")
        timeline.note(f"{agent.wallet}: agent #{agent.agent_id} at {agent.address}; "
                      f"mandate {agent.mandate.describe()}")
    usdc = market.token("USDC").address
    watched = {**addresses, "treasury": treasury_address()}
    before = {name: market.balance(usdc, address) for name, address in watched.items()}
    standing_before = market.standing(provider.agent_id, provider.address)

    timeline.step("2. Negotiation: a signed offer, a counter-offer, acceptance")
    offer = client.propose(provider.card, evaluator.card, FIRST_SPEC, "USDC", 40 * USDC)
    answer = provider.consider(offer, client.card)
    agreed = client.respond(answer, offer, provider.card)

    timeline.step("3. Escrow, delivery, evaluation, payout")
    job_id = client.open_job(agreed)
    provider.check_job(job_id, agreed)
    provider.deliver(job_id, FIRST_SPEC)
    accepted, _ = evaluator.evaluate(job_id, FIRST_SPEC)
    payout, evaluator_fee, platform_fee = market.fees(agreed.price, agreed.evaluator_fee_bps)
    timeline.note(f"paid out: provider {_usdc(payout)}, evaluator {_usdc(evaluator_fee)}, "
                  f"platform {_usdc(platform_fee)}")

    timeline.step("4. Reputation: the client that paid rates the provider")
    client.rate(job_id, provider.card, 90, "correct factorisation, on time")
    standing = market.standing(provider.agent_id, provider.address)
    timeline.note(f"{provider.wallet}: {standing.describe()}")

    timeline.step("5. A cautious client refuses a counter-offer above its mandate")
    refused = None
    cautious = client2.propose(provider.card, evaluator.card, POOL_SPEC, "USDC", 40 * USDC)
    counter = provider.consider(cautious, client2.card)
    try:
        client2.respond(counter, cautious, provider.card)
    except OutsideMandate as refusal:
        refused = str(refusal)
        timeline.note(f"refused, nothing signed: {refusal}", style="green")

    timeline.step("6. A pool: two clients fund one job together; the deliverable fails, "
                  "refunds pro rata")
    target = sum(POOL_SHARES.values())
    pool_id = client.create_pool("USDC", target)
    for name, share in POOL_SHARES.items():
        agents[name].contribute(pool_id, share)
    pool_offer = client.propose(provider.card, evaluator.card, POOL_SPEC, "USDC", target)
    pool_terms = client.respond(provider.consider(pool_offer, client.card), pool_offer,
                                provider.card)
    pool_job = client.fund_pool_job(pool_id, pool_terms)
    provider.check_job(pool_job, pool_terms, pool_id=pool_id)
    timeline.note("the provider hurries and submits a nonce it never checked")
    provider.deliver(pool_job, POOL_SPEC, Deliverable(spec_hash=POOL_SPEC.hash, nonce=1))
    pool_accepted, _ = evaluator.evaluate(pool_job, POOL_SPEC)
    refunds = client2.settle_pool(pool_id)
    names = {address: name for name, address in addresses.items()}
    timeline.note("refunds: " + ", ".join(f"{names.get(a, a)} {_usdc(v)}" for a, v in refunds.items()))

    after = {name: market.balance(usdc, address) for name, address in watched.items()}
    result = {
        "chain": market.chain.name,
        "contracts": market.addresses,
        "agents": {a.wallet: {"address": a.address, "agent_id": a.agent_id} for a in agents.values()},
        "job": {"job_id": job_id, "state": market.job(job_id).state, "accepted": accepted,
                "price": agreed.price, "offered": offer.offer.price,
                "provider_payout": payout, "evaluator_fee": evaluator_fee,
                "platform_fee": platform_fee},
        "reputation": {"agent_id": provider.agent_id, "jobs_before": standing_before.jobs,
                       "jobs": standing.jobs, "average_x100": standing.average_x100},
        "refused_counter_offer": refused,
        "pool": {"pool_id": pool_id, "job_id": pool_job, "job_state": market.job(pool_job).state,
                 "accepted": pool_accepted, "state": market.pool_info(pool_id).state,
                 "contributions": {addresses[n]: v for n, v in POOL_SHARES.items()},
                 "refunds": refunds},
        "balance_changes": {name: after[name] - before[name] for name in watched},
        "timeline": [event.model_dump() for event in timeline.events],
    }
    if as_json:
        print_json(result)
    else:
        _summary(result)
    return result


def _summary(result: dict) -> None:
    console.print(Rule("[bold]7. Where the money went (USDC)"))
    table = Table()
    table.add_column("Party")
    table.add_column("Change", justify="right")
    for name, change in result["balance_changes"].items():
        table.add_row(safe(name), ("+" if change > 0 else "") + format_units(change, 6))
    console.print(table)
    gas = Table(title="Gas per phase")
    gas.add_column("Phase")
    gas.add_column("Gas", justify="right")
    for event in result["timeline"]:
        if event["phase"]:
            gas.add_row(safe(f"{event['phase']} ({event['actor']})"), f"{event['gas_used']:,}")
    console.print(gas)
