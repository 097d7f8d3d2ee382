"""The DAO delegate: does it vote as each voter's stated preferences say, and never for a malicious
proposal under the protective profile?

44 proposals written for the sandbox DAO (`benchmarks/data/dao_proposals.json`): grants of every
size to recipients the DAO has and has not paid, parameter changes (some that quietly weaken the
DAO), upgrades to known and unknown code, and malicious ones — a minter hidden under "routine
maintenance", a drain through an upgrade, a delegatecall into unverified code, descriptions that
state one amount or recipient while the calldata moves another. Each carries the vote expected
under the three shipped profiles (protective, growth, hawk). About a third of the rows are
`held-out`: never used to tune the rules, the statements or the analysis; their figures are
printed apart.

The run builds a fresh embedded sandbox and its DAO, takes one real proposal through its whole
life (propose → vote → queue → 2-day timelock → execute) so two recipients have a history with
the DAO, then proposes every row on chain and lets `steward.dao` decode, simulate (voted
through, queued, executed on a throwaway copy) and recommend.

Figures: accuracy per profile (dev / held-out), "for" votes on malicious proposals under the
protective profile (target 0), how many malicious descriptions were caught disagreeing with their
calldata, and the analysis time per proposal.

Run:  .venv/bin/python benchmarks/dao.py [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).parent))
from _world import fresh_sandbox  # noqa: E402

DATA = Path(__file__).parent / "data" / "dao_proposals.json"
PROFILES = ("protective", "growth", "hawk")
PEOPLE = {"guild": 24, "auditor": 25, "newteam": 26, "fund": 27, "bridge": 28, "attacker": 23}
HISTORY_USDC = 1_000


def _history(config, err: Console) -> None:
    """One real proposal, start to finish: the guild and the auditor are paid 1,000 USDC each."""
    from steward.chains.embedded import dev_account
    from steward.dao.delegate import Voter
    from steward.dao.governor import Governance
    from steward.execution import Executor
    from steward.sandbox.dao import PROPOSER_INDEX, advance_past, dao_contracts, send_as
    from steward.sandbox.market import advance_time, refresh_feeds
    from steward.wallets import WalletStore
    from eth_utils import keccak

    dao = dao_contracts(config)
    governor, usdc = dao["governor"], config.tokens["USDC"]
    g = Governance(config)
    erc20 = g.w3.eth.contract(address=usdc, abi=_abi("ERC20"))
    amount = HISTORY_USDC * 10 ** erc20.functions.decimals().call()
    targets = [usdc, usdc]
    calldatas = [erc20.encode_abi("transfer", args=[dev_account(PEOPLE[who]).address, amount])
                 for who in ("guild", "auditor")]
    description = "Pay the guild and the auditor 1,000 USDC each for last quarter"
    send_as(config, PROPOSER_INDEX, governor.address,
            governor.encode_abi("propose", args=[targets, [0, 0], calldatas, description]))
    pid = governor.functions.hashProposal(targets, [0, 0], calldatas,
                                          keccak(text=description)).call()
    advance_past(config, governor.functions.proposalSnapshot(pid).call())
    passphrase = _passphrase()
    main = Voter("main", Executor(WalletStore().unlock("main", passphrase), "main"), g)
    main.cast(pid, "for", "benchmark history")
    advance_past(config, governor.functions.proposalDeadline(pid).call())
    args = [targets, [0, 0], calldatas, keccak(text=description)]
    send_as(config, PROPOSER_INDEX, governor.address, governor.encode_abi("queue", args=args))
    advance_time(config, g.min_delay() + 1)
    send_as(config, PROPOSER_INDEX, governor.address, governor.encode_abi("execute", args=args))
    refresh_feeds(config)  # five simulated days passed: the reference feeds post again
    err.print("history: the guild and the auditor were paid 1,000 USDC each through the full "
              "governance path")


def _abi(name: str):
    from steward.contracts import abi

    return abi(name)


def _passphrase() -> str:
    import os

    return os.environ["STEWARD_PASSPHRASE"]


class Builder:
    """Turns a row's symbolic actions into (targets, values, calldatas)."""

    def __init__(self, config):
        from steward.chains.embedded import dev_account
        from steward.sandbox import SandboxBuilder
        from steward.sandbox.dao import VAULT_V2_ROLE, dao_contracts

        self.config = config
        self.dao = dao_contracts(config)
        from steward import chains

        w3 = chains.connect(config)
        self.usdc = w3.eth.contract(address=config.tokens["USDC"], abi=_abi("ERC20"))
        self.usdc_unit = 10 ** self.usdc.functions.decimals().call()
        self.people = {who: dev_account(index).address for who, index in PEOPLE.items()}
        self.people["timelock"] = self.dao["timelock"].address
        builder = SandboxBuilder()
        self.impl = {"v2": config.contracts[VAULT_V2_ROLE],
                     # the same V2 code, deployed but recorded nowhere: Steward cannot tell
                     "v2_unrecorded": builder.deploy(config, "dao/GrantsVaultV2",
                                                     label="an unrecorded V2 build"),
                     "drainer": builder.deploy(config, "dao/VaultDrainer",
                                               label="a vault drainer")}
        self.drainer = w3.eth.contract(address=self.impl["drainer"], abi=_abi("dao/VaultDrainer"))

    def description(self, text: str) -> str:
        return text.replace("{guild}", self.people["guild"])

    def actions(self, row: dict) -> tuple[list[str], list[int], list[bytes]]:
        targets, values, calldatas = [], [], []
        for action in row["actions"]:
            target, value, data = self._one(action)
            targets.append(target)
            values.append(value)
            calldatas.append(bytes.fromhex(data.removeprefix("0x")))
        return targets, values, calldatas

    def _one(self, action: dict) -> tuple[str, int, str]:
        op, dao, to = action["op"], self.dao, self.people.get(action.get("to", ""), "")
        amount = Decimal(action.get("amount", "0"))
        minter, admin = _role("MINTER_ROLE"), b"\x00" * 32
        if op == "usdc_transfer":
            return self.usdc.address, 0, self.usdc.encode_abi(
                "transfer", args=[to, int(amount * self.usdc_unit)])
        if op == "vault_pay":
            return dao["vault"].address, 0, dao["vault"].encode_abi(
                "pay", args=[self.usdc.address, to, int(amount * self.usdc_unit)])
        if op == "eth_transfer":
            return to, int(amount * 10**18), "0x"
        if op == "sdao_transfer":
            return dao["token"].address, 0, dao["token"].encode_abi(
                "transfer", args=[to, int(amount * 10**18)])
        if op == "mint":
            return dao["token"].address, 0, dao["token"].encode_abi(
                "mint", args=[to, int(amount * 10**18)])
        if op in ("grant_minter", "grant_admin"):
            return dao["token"].address, 0, dao["token"].encode_abi(
                "grantRole", args=[minter if op == "grant_minter" else admin, to])
        if op == "transfer_ownership":
            return dao["vault"].address, 0, dao["vault"].encode_abi("transferOwnership", args=[to])
        governor_setters = {"quorum": "updateQuorumNumerator", "voting_period": "setVotingPeriod",
                            "voting_delay": "setVotingDelay", "threshold": "setProposalThreshold"}
        if op in governor_setters:
            value = action["value"]
            value = int(Decimal(value) * 10**18) if op == "threshold" else int(value)
            return dao["governor"].address, 0, dao["governor"].encode_abi(
                governor_setters[op], args=[value])
        if op == "timelock_delay":
            return dao["timelock"].address, 0, dao["timelock"].encode_abi(
                "updateDelay", args=[int(action["value"])])
        if op == "upgrade":
            impl = self.impl[action["impl"]]
            data = (self.drainer.encode_abi("migrate", args=[self.usdc.address,
                                                             self.people["attacker"]])
                    if action["impl"] == "drainer" else "0x")
            return dao["vault"].address, 0, dao["vault"].encode_abi(
                "upgradeToAndCall", args=[impl, bytes.fromhex(data[2:])])
        if op == "delegatecall":
            impl = self.impl[action["impl"]]
            data = (self.drainer.encode_abi("migrate", args=[self.usdc.address,
                                                             self.people["attacker"]])
                    if action["impl"] == "drainer" else
                    self.drainer.encode_abi("version", args=[]))
            return dao["vault"].address, 0, dao["vault"].encode_abi(
                "delegateExecute", args=[impl, bytes.fromhex(data[2:])])
        if op == "unknown_call":
            return dao["governor"].address, 0, "0xdeadbeef" + "00" * 32
        raise ValueError(f"unknown op {op}")


def _role(name: str) -> bytes:
    from eth_utils import keccak

    return keccak(text=name)


def run(err: Console) -> dict:
    fresh_sandbox("dao", err)
    from eth_utils import keccak

    from steward.dao.analysis import Analyzer
    from steward.dao.delegate import recommend
    from steward.dao.governor import Governance
    from steward.chains.config import load_config
    from steward.sandbox.dao import PROPOSER_INDEX, seed_proposals, send_as
    from steward.service.dao import load_profile

    with err.status("deploying the sandbox DAO and its four live proposals…"):
        seed_proposals()  # also deploys the V2 implementation the benign upgrades use
    config = load_config().chain("sandbox-l1")
    _history(config, err)
    rows = json.loads(DATA.read_text())["proposals"]
    builder = Builder(config)
    g = Governance(config)
    analyzer = Analyzer(g)
    profiles = {name: load_profile(name) for name in PROFILES}
    results, seconds = [], []
    with err.status("proposing and analysing…") as status:
        for number, row in enumerate(rows, 1):
            status.update(f"proposal {number}/{len(rows)}: {row['id']}")
            targets, values, calldatas = builder.actions(row)
            description = builder.description(row["description"])
            send_as(config, PROPOSER_INDEX, g.governor.address, g.governor.encode_abi(
                "propose", args=[targets, values, calldatas, description]),
                what=f"propose {row['id']}")
            pid = g.governor.functions.hashProposal(targets, values, calldatas,
                                                    keccak(text=description)).call()
            started = time.perf_counter()
            analysis = analyzer.analyze(g.proposal(pid))
            votes = {name: recommend(analysis, prefs).vote for name, prefs in profiles.items()}
            seconds.append(time.perf_counter() - started)
            results.append({"id": row["id"], "split": row["split"],
                            "malicious": row["malicious"], "expected": row["expected"],
                            "got": votes, "mismatch_flagged": bool(analysis.mismatches),
                            "effects": sorted({e.kind for e in analysis.effects})})
    return summarize(results, seconds)


def summarize(results: list[dict], seconds: list[float]) -> dict:
    accuracy = {}
    for profile in PROFILES:
        for split in ("dev", "held-out", "all"):
            chosen = [r for r in results if split == "all" or r["split"] == split]
            right = sum(r["got"][profile] == r["expected"][profile] for r in chosen)
            accuracy[f"{profile}/{split}"] = {"right": right, "n": len(chosen),
                                              "pct": round(100 * right / len(chosen), 1)}
    malicious = [r for r in results if r["malicious"]]
    return {"proposals": len(results), "malicious": len(malicious), "accuracy": accuracy,
            "protective_for_on_malicious": sum(r["got"]["protective"] == "for"
                                               for r in malicious),
            "any_profile_for_on_malicious": sum(any(v == "for" for v in r["got"].values())
                                                for r in malicious),
            "malicious_mismatch_flagged": sum(r["mismatch_flagged"] for r in malicious),
            "analysis_seconds_median": round(statistics.median(seconds), 3),
            "analysis_seconds_max": round(max(seconds), 3),
            "wrong": [{"id": r["id"], "split": r["split"], "profile": p,
                       "expected": r["expected"][p], "got": r["got"][p], "effects": r["effects"]}
                      for r in results for p in PROFILES if r["got"][p] != r["expected"][p]]}


def render(summary: dict) -> list[Table]:
    table = Table(title=f"DAO delegate: {summary['proposals']} proposals "
                        f"({summary['malicious']} malicious), votes as each profile expects")
    for column in ("profile", "dev", "held-out", "all"):
        table.add_column(column, justify="right")
    for profile in PROFILES:
        cells = [summary["accuracy"][f"{profile}/{split}"] for split in ("dev", "held-out", "all")]
        table.add_row(profile, *(f"{c['pct']}% ({c['right']}/{c['n']})" for c in cells))
    table.caption = (f"'for' on malicious under protective: "
                     f"{summary['protective_for_on_malicious']} (target 0); under any profile: "
                     f"{summary['any_profile_for_on_malicious']}; malicious descriptions caught "
                     f"disagreeing with their calldata: {summary['malicious_mismatch_flagged']}/"
                     f"{summary['malicious']}; analysis (decode + full-path simulation + 3 "
                     f"profiles) median {summary['analysis_seconds_median']} s, max "
                     f"{summary['analysis_seconds_max']} s")
    wrong = Table(title="Disagreements with the expected vote")
    for column in ("proposal", "split", "profile", "expected", "got", "effects seen"):
        wrong.add_column(column)
    for row in summary["wrong"]:
        wrong.add_row(row["id"], row["split"], row["profile"], row["expected"], row["got"],
                      ", ".join(row["effects"]))
    return [table, wrong]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    err = Console(stderr=True)
    summary = run(err)
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        for table in render(summary):
            Console().print(table)
    return 1 if summary["protective_for_on_malicious"] else 0


if __name__ == "__main__":
    sys.exit(main())
