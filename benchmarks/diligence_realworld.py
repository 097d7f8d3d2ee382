"""Due diligence on a real-world-style development set: public sources of scam and ordinary tokens.

`benchmarks/data/realworld_tokens/manifest.json` lists each token: its Solidity source as found in
a public repository (cited by repo, path and commit; only trimmed to what compiles), the solc
version its pragma needs, its constructor arguments and the launch steps a real deployer takes
(add liquidity, openTrading, renounce…), the capability fields it truly has (labels, each with the
line of code that gives it) and whether it is malicious, and its split: "dev" (looked at while the
scanner is tuned) or "heldout" (never tuned on; a fixed rule on sha256 of the name).

For every token the script compiles the source with the npm solc of that version (installed into
.tools/realworld by `make setup-realworld`; artifacts cached under .tools/cache/realworld), deploys
it from its own fresh deployer (funded by the sandbox operator, so no token shares a creator with
another or with the zoo), runs the launch steps, then scans it with `token_report` and scores the
verdicts per category and overall for dev and held-out (see `_diligence_score`). A token that
does not compile or deploy is a setup failure, reported apart from scanner crashes.

The token-level positive class is a rug capability, derived from the labels by one rule
(`RUG_FIELDS`): a token whose code lets someone trap holders or take what they have (a honeypot,
a trapping tax, a blacklist, a pause, balances rewritten, tokens moved, the pool drained, a
hidden owner, ownership retaken, a settable tax) is positive whatever its authors meant — the
zoo's convention, and the issue's ("tokens with a known rug capability"). A visible owner's mint
or an anti-whale limit alone is not (a centralised issuer, a launch limit). The manifest keeps
its author's reading of intent as `malicious`; the scores do not use it.

Run:  .venv/bin/python benchmarks/diligence_realworld.py [--node embedded|anvil] [--repeat N]
      [--split dev|heldout|all] [--only NAME ...] [--json]
It uses a temporary STEWARD_HOME (a fresh sandbox), never ~/.steward. On anvil every token is
scanned once untimed first, so the timed scans measure a warm node.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
import tempfile
from fractions import Fraction
from pathlib import Path

from _diligence_score import (
    Scan,
    as_json,
    close_world,
    open_world,
    print_scores,
    print_tokens,
    scan,
    score,
)
from rich.console import Console

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data" / "realworld_tokens"
TOOLS = ROOT / ".tools" / "realworld"
CACHE = ROOT / ".tools" / "cache" / "realworld"
ETH = 10**18
DEPLOYER_FUNDS = 60 * ETH  # gas plus the liquidity a launch adds
DEADLINE = 2**40
SPLITS = ("dev", "heldout")
_IMPORT = re.compile(r"""^\s*import\s+(?:[^'"]*\sfrom\s+)?["']([^"']+)["']""", re.MULTILINE)


class SetupFailure(Exception):
    """The token could not be compiled, deployed or launched: not the scanner's fault."""


# ------------------------------------------------------------------------------------ data

def load_manifest() -> dict:
    return json.loads((DATA / "manifest.json").read_text())


def split_of(name: str, heldout_share: float) -> str:
    """The fixed split rule: the first two bytes of sha256(name) as a fraction of 65536."""
    value = int.from_bytes(hashlib.sha256(name.encode()).digest()[:2], "big") / 65536
    return "heldout" if value < heldout_share else "dev"


# ------------------------------------------------------------------------------------ compile

def solc_package(version: str) -> Path:
    """The npm package solc of `version`: .tools/realworld/solc-<version>, or the project's own."""
    for candidate in (TOOLS / f"solc-{version}" / "node_modules" / "solc",
                      ROOT / ".tools" / "node_modules" / "solc"):
        package = candidate / "package.json"
        if package.is_file() and json.loads(package.read_text())["version"] == version:
            return candidate
    raise SetupFailure(f"no solc {version}: run `make setup-realworld`")


def _resolve(unit: str, importer: str, remappings: dict[str, str]) -> str:
    """The source unit an import names: an exact remapping (a verified file's sibling that is a
    published package file), else relative to the importer, else a prefix remapping."""
    if unit in remappings:
        return remappings[unit]
    if unit.startswith("."):
        base = importer.rsplit("/", 1)[0] if "/" in importer else ""
        parts: list[str] = []
        for piece in f"{base}/{unit}".split("/"):
            if piece == "..":
                parts.pop()
            elif piece not in ("", "."):
                parts.append(piece)
        return "/".join(parts)
    for prefix, target in remappings.items():
        if prefix.endswith("/") and unit.startswith(prefix):
            return target + unit[len(prefix):]
    return unit


def gather_sources(entry: dict) -> dict[str, str]:
    """The token's files and every package file they import (read from .tools/realworld's
    node_modules, never copied into the repository), unit name -> text."""
    remappings = entry.get("remappings", {})
    pending = {f: (DATA / f).read_text(encoding="utf-8") for f in entry["files"]}
    sources: dict[str, str] = {}
    while pending:
        unit, text = pending.popitem()
        if unit in sources:
            continue
        rewritten = text
        for target in _IMPORT.findall(text):
            resolved = _resolve(target, unit, remappings)
            if resolved != target:  # solc resolves the import by its literal text
                rewritten = rewritten.replace(f'"{target}"', f'"{resolved}"').replace(
                    f"'{target}'", f"'{resolved}'")
            if resolved in sources or resolved in pending:
                continue
            local = DATA / resolved
            package = TOOLS / "node_modules" / resolved
            path = local if local.is_file() else package
            if not path.is_file():
                raise SetupFailure(f"{unit} imports {target}: not found (run `make setup-realworld`)")
            pending[resolved] = path.read_text(encoding="utf-8")
        sources[unit] = rewritten
    return sources


def compile_token(entry: dict) -> tuple[list, bytes]:
    """(abi, initcode) of the token's contract, compiled with its solc; cached by content."""
    sources = gather_sources(entry)
    version = entry["solc"]
    settings: dict = {"optimizer": {"enabled": True, "runs": 200},
                      "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object"]}}}
    request = {"language": "Solidity", "settings": settings,
               "sources": {unit: {"content": text} for unit, text in sorted(sources.items())}}
    key = hashlib.sha256(json.dumps([version, request], sort_keys=True).encode()).hexdigest()
    cached = CACHE / f"{key}.json"
    if cached.is_file():
        out = json.loads(cached.read_text())
    else:
        out = _run_solcjs(solc_package(version), request)
        CACHE.mkdir(parents=True, exist_ok=True)
        cached.write_text(json.dumps(out))
    errors = [e for e in out.get("errors", []) if e.get("severity") == "error"]
    if errors:
        raise SetupFailure("solc: " + "; ".join(e.get("message", "") for e in errors)[:400])
    try:
        contract = out["contracts"][entry["files"][0]][entry["contract"]]
    except KeyError:
        raise SetupFailure(f"{entry['files'][0]} defines no contract {entry['contract']}") from None
    return contract["abi"], bytes.fromhex(contract["evm"]["bytecode"]["object"])


# solc-js's standard-JSON entry point: `compile` since 0.5, `compileStandardWrapper` before.
_SOLCJS_RUN = """
const solc = require(process.argv[1]);
const input = require('fs').readFileSync(0, 'utf8');
const run = solc.compileStandardWrapper || solc.compile;
process.stdout.write(run(input));
"""


def _run_solcjs(package: Path, request: dict) -> dict:
    # Through files, not pipes: readFileSync on a pipe not yet filled fails (see steward.contracts).
    with tempfile.TemporaryFile("w+", encoding="utf-8") as request_file, \
            tempfile.TemporaryFile("w+", encoding="utf-8") as answer_file:
        json.dump(request, request_file)
        request_file.seek(0)
        done = subprocess.run(["node", "-e", _SOLCJS_RUN, str(package)], stdin=request_file,
                              stdout=answer_file, stderr=subprocess.PIPE, text=True, timeout=300,
                              check=False)
        answer_file.seek(0)
        text = answer_file.read()
    try:
        return json.loads(text[text.index("{"):])
    except ValueError:
        raise SetupFailure(f"solc failed: {(done.stderr or text)[-400:]}") from None


# ------------------------------------------------------------------------------------ deploy

class Launch:
    """One token's deployer on the sandbox chain: deploys it and takes its launch steps."""

    def __init__(self, w3, chain, builder, name: str):
        from eth_account import Account
        from eth_utils import keccak

        self.w3, self.chain, self.builder = w3, chain, builder
        self.account = Account.from_key(keccak(text=f"steward-realworld-deployer:{name}"))
        self.router = chain.contracts["uniswap-v2:router"]
        self.weth = chain.tokens["WETH"]
        self.token: str | None = None

    def fund(self) -> None:
        from steward.plans import Call

        self.builder.send(self.chain, Call(to=self.account.address, value=DEPLOYER_FUNDS,
                                           description="fund a real-world token's deployer"))

    def send(self, to: str | None, data: bytes, value: int = 0, what: str = "") -> dict:
        from web3.exceptions import ContractLogicError, Web3RPCError

        from steward.execution import fees_and_balance
        from steward.simulation.reverts import revert_text

        tx = {"from": self.account.address, "value": value, "data": "0x" + data.hex(),
              "chainId": self.chain.chain_id}
        if to:
            tx["to"] = to
        try:
            gas = self.w3.eth.estimate_gas(tx)
        except (ContractLogicError, Web3RPCError) as exc:  # the launch step reverts as written
            raise SetupFailure(f"{what} reverts: {revert_text(exc)}") from None
        fees, _ = fees_and_balance(self.w3, self.account.address)
        tx.update(gas=gas * 6 // 5, nonce=self.w3.eth.get_transaction_count(self.account.address),
                  **fees.fields())
        del tx["from"]
        signed = self.account.sign_transaction(tx)
        receipt = self.w3.eth.wait_for_transaction_receipt(
            self.w3.eth.send_raw_transaction(signed.raw_transaction))
        if receipt["status"] != 1:
            raise SetupFailure(f"{what} failed on chain")
        return receipt

    def value_of(self, arg, kind: str):
        """A manifest argument: a literal, or a placeholder for a launch-time value."""
        from steward.protocols import erc20

        if isinstance(arg, str) and arg.startswith("$"):
            places = {"$router": self.router, "$weth": self.weth, "$deployer": self.account.address,
                      "$token": self.token, "$dead": "0x000000000000000000000000000000000000dEaD",
                      "$zero": "0x0000000000000000000000000000000000000000",
                      "$factory": self.chain.contracts["uniswap-v2:factory"]}
            if arg in places:
                return places[arg]
            if arg == "$pair":
                return self._pair()
            if arg == "$deadline":
                return DEADLINE
            if arg.startswith("$balance"):  # "$balance" or "$balance*0.5"
                share = Fraction(arg.split("*")[1]) if "*" in arg else Fraction(1)
                # exact: a float share would round a large balance up past what the deployer has
                return int(erc20.balance_of(self.w3, self.token, self.account.address) * share)
            if arg == "$supply":
                return erc20.token_contract(self.w3, self.token).functions.totalSupply().call()
            raise SetupFailure(f"unknown placeholder {arg}")
        if kind.startswith(("uint", "int")) and isinstance(arg, str):
            return int(arg)
        return arg

    def _pair(self) -> str:
        from steward.protocols import amm

        info = amm.pool(self.w3, self.chain.contracts["uniswap-v2:factory"], self.token, self.weth)
        if info is None:
            raise SetupFailure("no pair yet for $pair")
        return info.address

    def deploy(self, abi: list, initcode: bytes, args: list) -> str:
        from eth_abi import encode

        inputs = next((item["inputs"] for item in abi if item["type"] == "constructor"), [])
        types = [i["type"] for i in inputs]
        values = [self.value_of(a, t) for a, t in zip(args, types)]
        receipt = self.send(None, initcode + encode(types, values), what="deployment")
        self.token = receipt["contractAddress"]
        return self.token

    def step(self, step: dict) -> None:
        """One launch step: {"call": "fn(types)", "args": [...], "eth": n, "to": "$router"},
        {"liquidity": {"eth": n, "tokens": "$balance"}} or {"eth_to_token": n}."""
        from eth_abi import encode
        from eth_utils import function_signature_to_4byte_selector

        if "eth_to_token" in step:
            self.send(self.token, b"", int(step["eth_to_token"] * ETH), what="ETH to the token")
            return
        if "liquidity" in step:
            spec = step["liquidity"]
            amount = self.value_of(spec.get("tokens", "$balance"), "uint256")
            self.step({"call": "approve(address,uint256)", "args": ["$router", str(amount)]})
            self.step({"call": "addLiquidityETH(address,uint256,uint256,uint256,address,uint256)",
                       "to": "$router", "eth": spec["eth"],
                       "args": ["$token", str(amount), "0", "0", "$deployer", "$deadline"]})
            return
        signature = step["call"]
        types = [t for t in signature[signature.index("(") + 1:-1].split(",") if t]
        values = [self.value_of(a, t) for a, t in zip(step.get("args", []), types)]
        to = self.value_of(step.get("to", "$token"), "address")
        data = function_signature_to_4byte_selector(signature) + encode(types, values)
        self.send(to, data, int(step.get("eth", 0) * ETH), what=signature)


def launch(w3, chain, builder, entry: dict) -> str:
    abi, initcode = compile_token(entry)
    deployer = Launch(w3, chain, builder, entry["name"])
    deployer.fund()
    token = deployer.deploy(abi, initcode, entry.get("constructor", []))
    for step in entry.get("launch", []):
        deployer.step(step)
    from steward.chains.embedded import persist

    persist(w3)
    return token


# ------------------------------------------------------------------------------------ run

RUG_FIELDS = {
    "is_honeypot", "sell_tax", "buy_tax", "cannot_sell_all", "hidden_owner", "owner_change_balance",
    "is_blacklisted", "transfer_pausable", "trading_cooldown", "slippage_modifiable",
    "can_take_back_ownership", "owner_can_move_holder_tokens", "owner_can_drain_pool",
}


def rug_capable(entry: dict) -> bool:
    return bool(RUG_FIELDS & set(entry["labels"]))


def run(args, entries: list[dict], err: Console) -> list[Scan]:
    from steward import chains
    from steward.chains.config import load_config
    from steward.errors import StewardError
    from steward.sandbox import SandboxBuilder

    chain = load_config().chain("sandbox-l1")
    w3 = chains.connect(chain)
    builder = SandboxBuilder()
    scans = []
    with err.status("deploying and scanning the real-world tokens…") as status:
        for entry in entries:
            record = Scan(entry["name"], rug_capable(entry), set(entry["labels"]),
                          split=entry["split"])
            scans.append(record)
            status.update(f"{entry['name']}: compiling and launching on {args.node}…")
            try:
                token = launch(w3, chain, builder, entry)
            except (SetupFailure, StewardError) as exc:
                record.setup_failure = str(exc)[:300]
                continue
            status.update(f"{entry['name']}: scanning on {args.node}…")
            scan(w3, chain, token, record, args.repeat, warm_up=args.node == "anvil")
    return scans


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--node", choices=("embedded", "anvil"), default="embedded")
    parser.add_argument("--repeat", type=int, default=2, help="timed scans per token")
    parser.add_argument("--split", choices=(*SPLITS, "all"), default="all")
    parser.add_argument("--only", nargs="*", help="only these token names")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    err = Console(stderr=True)
    manifest = load_manifest()
    entries = [e for e in manifest["tokens"]
               if (args.split == "all" or e["split"] == args.split)
               and (not args.only or e["name"] in args.only)]
    for entry in entries:
        expected = split_of(entry["name"], manifest["heldout_share"])
        if entry["split"] != expected:
            err.print(f"[red]{entry['name']}: manifest split {entry['split']} but the rule says "
                      f"{expected}[/]")
            return 2
    nodes = open_world(args.node, "diligence-realworld", err)
    try:
        scans = run(args, entries, err)
    finally:
        close_world(nodes)
    splits = [s for s in SPLITS if any(e["split"] == s for e in entries)]
    scores = score(scans, splits)
    if args.json:
        print(json.dumps({"node": args.node, "tokens": as_json(scans), "scores": scores},
                         indent=2))
        return 0
    console = Console()
    print_tokens(console, f"Real-world tokens on {args.node}", scans)
    print_scores(console, f"Real-world tokens on {args.node}", scores)
    for s in scans:
        if s.crash or s.setup_failure:
            console.print(f"{s.name}: " + (f"[bold red]crash[/] {s.crash}" if s.crash else
                                            f"setup failure: {s.setup_failure}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
