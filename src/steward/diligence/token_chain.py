"""Chain data for a token report: holders from Transfer logs, the creator, pools and the
creator's other tokens."""

from __future__ import annotations

from typing import Literal

from eth_utils import to_checksum_address
from web3 import Web3

from steward.chains.history import first_block
from steward.diligence.token_lab import (
    BURN_ADDRESSES,
    CAUTION_TAX,
    CREATION_SEARCH_TXS,
    CREATOR_NONCES,
    DANGER_TAX,
    HOLDER_LOG_BLOCKS,
    MAX_HOLDERS_READ,
    ZERO,
    Lab,
    calldata,
    create_address,
    pct,
    quote_tokens,
    simulate,
)
from steward.diligence.token_models import Holder, PoolReport, Verdict
from steward.protocols import amm
from steward.protocols.pricing import PriceSource
from steward.simulation import TRANSFER_TOPIC

# ------------------------------------------------------------------------------- chain data

_TransferIndex = dict[str, list[tuple[str, str, int]]]
_indexes: dict[tuple[int, str], tuple[_TransferIndex, int]] = {}


def _transfer_index(w3: Web3) -> tuple[_TransferIndex, int]:
    """Every Transfer(from, to, value) log of the latest HOLDER_LOG_BLOCKS blocks, by emitting
    contract (lower-case), and the first block read. One pass serves the token and its pools;
    it is kept per chain head, so repeated reports on an unchanged chain do not re-read it."""
    latest = w3.eth.get_block("latest")
    key = (w3.eth.chain_id, bytes(latest["hash"]).hex())
    if key in _indexes:
        return _indexes[key]
    start = max(0, latest["number"] - HOLDER_LOG_BLOCKS)
    index: _TransferIndex = {}
    topic = int(TRANSFER_TOPIC, 16)
    embedded = getattr(w3.provider, "embedded_chain", None)
    if embedded is not None:  # straight from py-evm's receipts: eth-tester's get_logs is O(txs²)
        chain = embedded.backend.chain
        for number in range(start, latest["number"] + 1):
            header = chain.get_canonical_block_header_by_number(number)
            builder = chain.get_vm_class(header).get_receipt_builder()
            for receipt in chain.chaindb.get_receipts(header, builder):
                for log in receipt.logs:
                    if len(log.topics) == 3 and log.topics[0] == topic:
                        index.setdefault("0x" + log.address.hex(), []).append((
                            "0x" + log.topics[1].to_bytes(32, "big")[-20:].hex(),
                            "0x" + log.topics[2].to_bytes(32, "big")[-20:].hex(),
                            int.from_bytes(log.data[:32], "big")))
    else:
        for log in w3.eth.get_logs({"fromBlock": start, "toBlock": latest["number"],
                                    "topics": [TRANSFER_TOPIC]}):
            if len(log["topics"]) != 3:
                continue
            index.setdefault(log["address"].lower(), []).append((
                "0x" + bytes(log["topics"][1])[-20:].hex(), "0x" + bytes(log["topics"][2])[-20:].hex(),
                int.from_bytes(bytes(log["data"])[:32], "big")))
    if len(_indexes) > 8:
        _indexes.clear()
    _indexes[key] = (index, start)
    return index, start


def read_holders(lab: Lab, token: str, supply: int, notes: list[str]) -> tuple[list[Holder], int]:
    index, start = _transfer_index(lab.w3)
    if start:
        notes.append(f"holders of {token} from Transfer logs of the last {HOLDER_LOG_BLOCKS} "
                     "blocks only")
    logs = index.get(token.lower(), [])
    net: dict[str, int] = {}
    for sender, receiver, value in logs:
        net[sender] = net.get(sender, 0) - value
        net[receiver] = net.get(receiver, 0) + value
    seen = sorted(net, key=lambda a: -net[a])
    if len(seen) > MAX_HOLDERS_READ:
        notes.append(f"balances read for the {MAX_HOLDERS_READ} largest of {len(seen)} addresses "
                     "seen in the logs")
    holders = []
    for address in seen[:MAX_HOLDERS_READ]:
        if address == ZERO:
            continue
        balance = lab.balance(to_checksum_address(address), token)
        if balance > 0:
            holders.append(Holder(address=to_checksum_address(address), balance=balance,
                                  share=balance / supply if supply else 0.0, kind="eoa"))
    holders.sort(key=lambda h: -h.balance)
    count = len(holders)
    for holder in holders[:20]:
        if holder.address.lower() in BURN_ADDRESSES:
            holder.kind = "burn"
        elif lab.w3.eth.get_code(holder.address):
            holder.kind = "contract"
    return holders, count


def find_creator(w3: Web3, token: str, notes: list[str]) -> tuple[str | None, str, bytes]:
    """(creator, how, the deployment's input when the creator deployed it directly): binary
    search for the first block holding the token's code, then the transaction in that block
    that created it. A creator that cannot be established is None
    with the reason ("unknown: ..."), never a guess: code placed by the node (a genesis
    allocation, a development node's setCode) has no creating transaction at all."""
    latest = w3.eth.block_number
    try:
        if not w3.eth.get_code(token, block_identifier=latest):
            return None, "unknown: no code at the latest block", b""
        low = first_block(latest,
                          lambda number: bool(w3.eth.get_code(token, block_identifier=number)))
    except Exception:
        notes.append("the node keeps no historical state: the creator was not looked up")
        return None, "unknown: the node keeps no historical state to find it", b""
    block = w3.eth.get_block(low, full_transactions=True)
    txs = list(block["transactions"])[:CREATION_SEARCH_TXS]
    for tx in txs:
        if not tx.get("to") and create_address(tx["from"], tx["nonce"]).lower() == token.lower():
            return (tx["from"], f"deployed it directly in block {low}",
                    bytes(tx.get("input") or b""))
    calls = [tx for tx in txs if tx.get("to")]
    return (*_creating_call(w3, token, low, calls), b"")


def _traced_creation(w3: Web3, tx_hash, token: str) -> bool | None:
    """Whether the transaction's call trace creates `token` (CREATE/CREATE2 anywhere in it);
    None when the node gives no call traces."""
    try:
        answer = w3.provider.make_request(
            "debug_traceTransaction", ["0x" + bytes(tx_hash).hex(), {"tracer": "callTracer"}])
    except Exception:
        return None
    result = answer.get("result") if isinstance(answer, dict) else None
    if not isinstance(result, dict):
        return None
    frames = [result]
    while frames:
        frame = frames.pop()
        if (str(frame.get("type", "")).upper().startswith("CREATE")
                and str(frame.get("to", "")).lower() == token.lower()):
            return True
        frames.extend(f for f in frame.get("calls") or [] if isinstance(f, dict))
    return False


def _creating_call(w3: Web3, token: str, block: int, calls: list) -> tuple[str | None, str]:
    """The sender of the call in `block` through which a contract created `token`: the one
    whose call trace shows the creation, or the block's only call when the node gives no
    traces; otherwise the creator is unknown."""
    placed = (f"unknown: its code appeared in block {block} without any transaction creating "
              "it (placed by the node itself, as at genesis or on a development node)")
    if not calls:
        return None, placed
    for tx in calls:
        created = _traced_creation(w3, tx["hash"], token)
        if created is None:
            break  # the node gives no call traces
        if created:
            return tx["from"], (f"sent the transaction in block {block} through which "
                                f"contract {tx['to']} created it (call trace)")
    else:
        return None, placed  # every call was traced and none created it
    if len(calls) == 1:
        tx = calls[0]
        return tx["from"], (f"sent the only contract call in block {block} (to {tx['to']}); "
                            "the node gives no call traces to confirm it created the token")
    return None, (f"unknown: its code appeared in block {block} among {len(calls)} "
                  "transactions, and the node gives no call traces to tell which created it")


def read_pools(lab: Lab, prices: PriceSource, token: str, owner: str | None,
           creator: str | None) -> list[PoolReport]:
    w3, factory = lab.w3, lab.factory
    reports = []
    if not factory:
        return reports
    interested = {a.lower() for a in (owner, creator) if a}
    for symbol, quote in quote_tokens(lab.chain).items():
        if quote.lower() == token.lower():
            continue
        info = amm.pool(w3, factory, token, quote)
        if info is None:
            continue
        reserves = lab.pair_reserves(info.address, token) or (0, 0)
        usd = prices.usdc_value(quote, reserves[1])
        lp_supply = lab.uint(info.address, calldata("totalSupply()", ())) or 0
        lp_holders, _ = read_holders(lab, info.address, lp_supply, [])
        for holder in lp_holders:
            if holder.address.lower() in interested:
                holder.kind = "owner" if owner and holder.address.lower() == owner.lower() else "creator"
        burned = sum(h.share for h in lp_holders if h.kind == "burn")
        owned = sum(h.share for h in lp_holders if h.address.lower() in interested)
        reports.append(PoolReport(
            pair=info.address, quote_symbol=symbol, quote_token=quote, token_reserve=reserves[0],
            quote_reserve=reserves[1], liquidity_usd=None if usd is None else 2 * usd / 10**6,
            lp_total_supply=lp_supply, lp_holders=lp_holders[:10], lp_burned_share=burned,
            lp_owner_share=owned))
    return reports


def created_by(w3: Web3, creator: str, exclude: str) -> list[str]:
    if w3.eth.get_code(creator):
        return []
    nonce = w3.eth.get_transaction_count(creator)
    addresses = [create_address(creator, n) for n in range(max(0, nonce - CREATOR_NONCES), nonce)]
    addresses = [a for a in addresses if a.lower() != exclude.lower()]
    return [a for a, code in zip(addresses, _codes(w3, addresses)) if code]


def _codes(w3: Web3, addresses: list[str]) -> list[bytes]:
    """The code at each address: one JSON-RPC batch on a node (a creator's 64 latest
    deployments are one round trip, not 64), one call each where batches are not offered."""
    if not addresses:
        return []
    if getattr(w3.provider, "embedded_chain", None) is None:
        try:
            with w3.batch_requests() as batch:
                for address in addresses:
                    batch.add(w3.eth.get_code(address))
                return [bytes(code) for code in batch.execute()]
        except Exception:  # a provider or node without batches: one at a time
            pass
    return [bytes(w3.eth.get_code(address)) for address in addresses]


quick_verdicts: dict[tuple[int, str, str], tuple[str, str]] = {}


def quick_verdict(lab: Lab) -> tuple[Verdict | Literal["unrated"], str]:
    sim = simulate(lab, [], full=False)
    if not sim.route and not sim.buy_ok:
        return "unrated", "no pool to trade it in"
    if not sim.buy_ok:
        return "danger", f"cannot be bought ({sim.buy_reason})"
    if sim.honeypot:
        return "danger", f"honeypot: cannot be sold ({sim.sell_reason})"
    taxes = [t for t in (sim.buy_tax, sim.sell_tax, sim.transfer_tax) if t is not None]
    worst = max(taxes, default=0.0)
    if worst >= DANGER_TAX or sim.inconsistent:
        return "danger", f"tax {pct(worst)}" if worst >= DANGER_TAX else "lying balanceOf"
    if worst >= CAUTION_TAX or sim.cannot_sell_all:
        return "caution", f"tax {pct(worst)}" + (", cannot sell all" if sim.cannot_sell_all else "")
    return "safe", "bought, transferred and sold back with no tax"


