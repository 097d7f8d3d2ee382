"""`steward chains …`: the chain registry; real chains are added from presets, never by typing
addresses.

`steward chains add ethereum --rpc-url URL` takes the preset's chain id, native coin, canonical
tokens and protocol contracts, checks that the URL serves that chain id and that every token's
`decimals()` there matches the Uniswap default token list, and only then writes the chain to
`config.toml`. Extra tokens (`--token LINK`) come from the same list, by symbol or address.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Optional
from urllib.parse import urlsplit

import typer
from pydantic import BaseModel, ValidationError
from rich.table import Table

from steward import chains as chain_registry
from steward.chains.config import (
    SANDBOX_CHAINS,
    ChainConfig,
    _config_lock,  # one read-modify-write for `remove`
    load_config,
    save_config,
    update_chain,
)
from steward.chains.presets import PRESETS, ChainPreset, preset
from steward.cli.render import JsonOption, console, err_console, print_json
from steward.display import safe
from steward.errors import ChainConnectionError, StewardError

if TYPE_CHECKING:
    from web3 import Web3

# The token list, the chain backends and the protocol adapters load web3 and eth-utils: each is
# imported by the command that uses it, so that `steward` starts fast for every other command.

chains_app = typer.Typer(help="The chain registry: list, add a real chain from a preset, remove.",
                         no_args_is_help=False, invoke_without_command=True)

# What a token symbol from the list must look like to become a registry name (it is typed in
# requests and mandates): a short plain word. The list is outside text, so this is checked.
REGISTRY_SYMBOL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+_-]{0,19}$")


class NewToken(BaseModel):
    """A token `chains add` registers: its symbol in the registry, address and the decimals the
    token list gives it; `trusted` for the preset's canonical tokens."""

    symbol: str
    address: str
    decimals: int
    trusted: bool


# --- the work ------------------------------------------------------------------------------
def preset_tokens(chain: ChainPreset, extra: list[str]) -> list[NewToken]:
    """The preset's canonical tokens, then each `--token` (symbol or address) from the list."""
    from steward.chains import token_list

    found: dict[str, NewToken] = {}
    for symbol, address in chain.tokens.items():
        entry = token_list.listed(chain.chain_id, address)
        if entry is None:  # the presets are checked against the list in tests
            raise StewardError(f"the {chain.name} preset's {symbol} ({address}) is not in the "
                               "Uniswap default token list; cannot check its decimals")
        found[symbol] = NewToken(symbol=symbol, address=address, decimals=entry.decimals,
                                 trusted=True)
    for wanted in extra:
        known = next((t for t in found.values() if wanted.upper() in (t.symbol.upper(),
                                                                       t.address.upper())), None)
        if known is not None:
            continue
        entry = token_list.listed(chain.chain_id, wanted)
        if entry is None:
            raise StewardError(f"'{wanted}' is not in the Uniswap default token list for "
                               f"{chain.name} (chain id {chain.chain_id}); use its symbol "
                               "there or its address")
        if any(t.address == entry.address for t in found.values()):
            continue
        if not REGISTRY_SYMBOL.match(entry.symbol):
            raise StewardError(f"the list's symbol for {entry.address} ('{entry.symbol}') is not "
                               "a plain name Steward can register")
        if entry.symbol.upper() in {s.upper() for s in found} | {chain.native_symbol.upper()}:
            raise StewardError(f"{entry.address} is listed as '{entry.symbol}', a symbol already "
                               f"taken on {chain.name}; not registered")
        found[entry.symbol] = NewToken(symbol=entry.symbol, address=entry.address,
                                       decimals=entry.decimals, trusted=False)
    return list(found.values())


def check_free(chain: ChainPreset, chain_id: int) -> None:
    """Refuse a chain whose name, an alias or chain id another configured chain already has."""
    config = load_config()
    if chain.name in config.chains:
        raise StewardError(f"{chain.name} is already configured; `steward chains remove "
                           f"{chain.name}` first to add it again")
    for other in config.chains.values():
        names = {other.name, *(alias.lower() for alias in other.aliases)}
        taken = names & {chain.name, *chain.aliases}
        if taken:
            raise StewardError(f"{', '.join(sorted(taken))} already names chain {other.name}")
        if other.chain_id == chain_id:
            raise StewardError(f"chain id {chain_id} is already configured as {other.name}")


def read_decimals(w3: Web3, token: NewToken) -> int:
    """`decimals()` as the node answers it; a token without code or answer is an error."""
    from steward.protocols.erc20 import DECIMALS_CALL, decode_decimals

    if not w3.eth.get_code(token.address):
        raise StewardError(f"{token.symbol} ({token.address}) has no contract code on this node; "
                           "is the URL a node of this chain?")
    try:
        raw = w3.eth.call({"to": token.address, "data": "0x" + DECIMALS_CALL.hex()})
    except Exception:  # a revert or an RPC error: either way no decimals
        raw = None
    decimals = decode_decimals(raw)
    if decimals is None:
        raise StewardError(f"{token.symbol} ({token.address}) does not answer decimals() on "
                           "this node")
    return decimals


def connect_checked(chain: ChainPreset, rpc_url: str, chain_id: int) -> Web3:
    """A connection to `rpc_url`, which must serve `chain_id`; messages show the URL without
    what may be a key in it."""
    where = f"{chain.name} at {shown_url(rpc_url)}"
    try:
        w3 = chain_registry.connect_rpc(rpc_url)
        served = w3.eth.chain_id
    except ChainConnectionError as exc:  # its text quotes the whole URL: only the reason kept
        reason = re.search(r"\((\w+)\)$", str(exc))
        raise ChainConnectionError(f"cannot reach the RPC endpoint {where}"
                                   + (f" ({reason.group(1)})" if reason else "")
                                   + "; nothing was written") from None
    if served != chain_id:
        raise ChainConnectionError(
            f"the RPC endpoint {where} serves chain id {served}, but {chain.name}'s chain id is "
            f"{chain_id}; nothing was written (a URL of another network?)")
    return w3


def add_chain(name: str, rpc_url: str, extra_tokens: list[str],
              chain_id_override: int | None = None) -> tuple[ChainConfig, list[NewToken]]:
    """Check everything, then write the chain; nothing is written when a check fails."""
    chain = preset(name)
    if urlsplit(rpc_url).scheme not in ("http", "https"):
        raise StewardError(f"--rpc-url must be an http:// or https:// JSON-RPC URL, not "
                           f"{shown_url(rpc_url)}")
    chain_id = chain.chain_id if chain_id_override is None else chain_id_override
    tokens = preset_tokens(chain, extra_tokens)
    check_free(chain, chain_id)
    w3 = connect_checked(chain, rpc_url, chain_id)
    for token in tokens:
        served = read_decimals(w3, token)
        if served != token.decimals:
            raise StewardError(
                f"{token.symbol} ({token.address}) answers {served} decimals on this node, but "
                f"the Uniswap default token list says {token.decimals}; nothing was written")
    venues = deployed_venues(w3, chain)
    check_free(chain, chain_id)  # again: the checks above talk to the network
    try:
        added = update_chain(
            chain.name, chain_id=chain_id, native_symbol=chain.native_symbol, rpc_url=rpc_url,
            aliases=list(chain.aliases), tokens={t.symbol: t.address for t in tokens},
            token_decimals={t.symbol: t.decimals for t in tokens},
            trusted_tokens=[t.symbol for t in tokens if t.trusted],
            contracts={**venues, "weth": chain.tokens[chain.wrapped_native]},
        )
    except ValidationError as exc:
        raise StewardError(f"{chain.name} cannot be added: {exc.errors()[0]['msg']}") from None
    return added, tokens


def deployed_venues(w3, chain: ChainPreset) -> dict[str, str]:
    """The registered venues' contracts on this chain, as config keys — only venues whose every
    contract has code on this node (a fork or a mirror may lack some)."""
    from steward.protocols import registry

    found: dict[str, str] = {}
    for adapter in registry.ADAPTERS:
        roles = adapter.deployments.get(chain.chain_id, {})
        if roles and all(w3.eth.get_code(address) for address in roles.values()):
            found |= {f"{adapter.name}:{role}": address for role, address in roles.items()}
    return found


def remove_chain(name: str) -> ChainConfig:
    with _config_lock():
        config = load_config()
        chain = config.chain(name)
        if chain.name in SANDBOX_CHAINS:
            raise StewardError(f"{chain.name} is a sandbox chain and cannot be removed; "
                               "`steward sandbox reset` deletes its state instead")
        del config.chains[chain.name]
        save_config(config)
    chain_registry.forget_connections()
    return chain


def shown_url(url: str) -> str:
    """An RPC URL without what may be a secret: credentials, path and query (API keys live
    there at hosted providers)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    rest = "/…" if parts.path.strip("/") or parts.query else ""
    return f"{parts.scheme}://{host}{rest}" if parts.scheme else "(not a URL)"


# --- the commands ---------------------------------------------------------------------------
def chains_table(chains: list[ChainConfig]) -> Table:
    from steward.chains.backend import EmbeddedBackend, backend_for

    table = Table(title="Chains")
    for column in ("Name", "Chain id", "Native", "Backend", "Aliases", "Tokens"):
        table.add_column(column)
    for c in chains:
        backend = "embedded" if isinstance(backend_for(c), EmbeddedBackend) \
            else shown_url(c.rpc_url or "")
        table.add_row(safe(c.name), str(c.chain_id), safe(c.native_symbol), safe(backend),
                      safe(", ".join(c.aliases)), safe(", ".join(c.tokens)))
    return table


def list_chains(as_json: bool) -> None:
    config = load_config()
    if as_json:
        print_json([c.model_dump() for c in config.chains.values()])
        return
    console.print(chains_table(list(config.chains.values())))


@chains_app.callback()
def chains_root(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """The chain registry (`steward chains` alone lists it)."""
    if ctx.invoked_subcommand is None:
        list_chains(as_json)


@chains_app.command("list")
def chains_list(as_json: JsonOption = False) -> None:
    """The configured chains."""
    list_chains(as_json)


@chains_app.command("presets")
def chains_presets(as_json: JsonOption = False) -> None:
    """The real chains `steward chains add` knows, with their canonical tokens."""
    from steward.protocols import registry

    if as_json:
        print_json([p.model_dump() | {"contracts": registry.contracts_on(p.chain_id)}
                    for p in PRESETS.values()])
        return
    table = Table(title="Chain presets (`steward chains add NAME --rpc-url URL`)")
    for column in ("Name", "Chain id", "Native", "Aliases", "Tokens", "Protocols"):
        table.add_column(column)
    for p in PRESETS.values():
        protocols = sorted({role.split(":")[0] for role in registry.contracts_on(p.chain_id)})
        table.add_row(p.name, str(p.chain_id), p.native_symbol, ", ".join(p.aliases),
                      ", ".join(p.tokens), ", ".join(protocols))
    console.print(table)


@chains_app.command("add")
def chains_add(
    name: Annotated[str, typer.Argument(help="A preset name or alias (`steward chains presets`).")],
    rpc_url: Annotated[str, typer.Option("--rpc-url",
                                         help="The chain's JSON-RPC URL (http/https).")],
    token: Annotated[Optional[list[str]], typer.Option(
        "--token", help="Another token from the Uniswap default token list, by symbol or "
                        "address (repeat for more).")] = None,
    chain_id_override: Annotated[Optional[int], typer.Option(
        "--chain-id-override", hidden=True, min=1,
        help="Tests only: a local node mirroring the chain under another chain id.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Add a real chain from a preset; its chain id and token decimals are checked first."""
    from steward.chains import token_list
    from steward.protocols import registry

    if chain_id_override is not None:
        err_console.print(
            f"[bold red]WARNING:[/] --chain-id-override: the chain is stored with chain id "
            f"{chain_id_override}, not its real one. This is only for a local test node that "
            "mirrors the chain's contracts; never use it with a real network.",
            highlight=False, soft_wrap=True)
    added, tokens = add_chain(name, rpc_url, token or [], chain_id_override)
    if as_json:
        print_json(added.model_dump())
        return
    table = Table(title=f"Added {safe(added.name)} (chain id {added.chain_id}) at "
                        f"{safe(shown_url(rpc_url))}")
    for column in ("Token", "Address", "Decimals", "Trusted"):
        table.add_column(column)
    for t in tokens:
        table.add_row(safe(t.symbol), t.address, str(t.decimals), "yes" if t.trusted else "no")
    console.print(table)
    console.print(f"contracts: {safe(', '.join(added.contracts))}", highlight=False,
                  soft_wrap=True)
    missing = [a.label for a in registry.ADAPTERS
               if a.deployments.get(preset(name).chain_id) and not a.available(added)]
    if missing:
        console.print(f"not on this node (left out): {safe(', '.join(missing))}",
                      highlight=False, soft_wrap=True)
    console.print(f"tokens and decimals checked against {token_list.token_list().source} "
                  "and the node", highlight=False, soft_wrap=True)


@chains_app.command("remove")
def chains_remove(name: Annotated[str, typer.Argument(help="Chain name or alias.")]) -> None:
    """Remove a chain from the registry (its wallets and journal are kept)."""
    removed = remove_chain(name)
    console.print(f"removed {safe(removed.name)} (chain id {removed.chain_id})", highlight=False)


__all__ = ["add_chain", "chains_app", "preset_tokens", "remove_chain", "shown_url"]
