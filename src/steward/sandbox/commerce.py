"""Agent commerce on the sandbox: the identity registry, the job escrow, the alliance pool and
payment-backed reputation, deployed on sandbox-l1 by the operator through the one door.

They are recorded in the chain registry's `contracts` (agent_registry, job_escrow,
alliance_pool, reputation), so a mandate with `contracts = "known"` lets agents call them and
the guard names them in previews. `deploy_commerce` deploys only what is missing (no code at
the recorded address); Reputation reads the registry and the escrow it was built with, so it is
redeployed whenever either of them is.
"""

from __future__ import annotations

from collections.abc import Callable

from steward import chains as chain_registry
from steward.chains.config import ChainConfig, load_config, update_chain
from steward.chains.embedded import dev_account

# The platform's cut of every completed job, in basis points, paid to the treasury below.
PLATFORM_FEE_BPS = 100
# A development account that only ever receives platform fees (contacts use indices 1 to 3).
TREASURY_INDEX = 9
COMMERCE_CONTRACTS = ("agent_registry", "job_escrow", "alliance_pool", "reputation")


def treasury_address() -> str:
    return dev_account(TREASURY_INDEX).address


def deploy_commerce(builder, chain: ChainConfig,
                    progress: Callable[[str], None] = lambda message: None) -> ChainConfig:
    w3 = chain_registry.connect(chain)
    known = dict(chain.contracts)

    def present(role: str) -> bool:
        return role in known and bool(w3.eth.get_code(known[role]))

    deployed: dict[str, str] = {}
    if not present("agent_registry"):
        deployed["agent_registry"] = builder.deploy(chain, "AgentRegistry")
    if not present("job_escrow"):
        deployed["job_escrow"] = builder.deploy(chain, "JobEscrow", treasury_address(),
                                                PLATFORM_FEE_BPS)
    if not present("alliance_pool"):
        deployed["alliance_pool"] = builder.deploy(chain, "AlliancePool")
    known |= deployed
    if not present("reputation") or {"agent_registry", "job_escrow"} & set(deployed):
        deployed["reputation"] = builder.deploy(chain, "Reputation", known["agent_registry"],
                                                known["job_escrow"])
    if not deployed:
        return chain
    # Re-read: the zoo and others may have recorded entries since `chain` was loaded.
    current = load_config().chain(chain.name)
    chain = update_chain(chain.name, contracts=current.contracts | deployed)
    progress(f"{chain.name}: agent commerce ready (registry, escrow with a "
             f"{PLATFORM_FEE_BPS / 100:g}% platform fee, pool, reputation)")
    return chain


__all__ = ["COMMERCE_CONTRACTS", "PLATFORM_FEE_BPS", "deploy_commerce", "treasury_address"]
