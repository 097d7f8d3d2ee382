"""The "Always on" page and its JSON API, on a worker store filled directly (no chain): the peg
chart (a line broken where readings failed closed, $1.00 dashed, decision markers whose tooltip
is the reason), the decisions table with links to the proposal queue, the standing orders, the
bearer token on every route, stable error codes, and outside text escaped everywhere."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from fractions import Fraction

import pytest
from fastapi.testclient import TestClient

from steward.api import create_app
from steward.api.charts import Marker, PegPoint, peg_svg, runs
from steward.chains.config import load_config, save_config
from steward.standing.orders import orders_path, write_sample_orders
from steward.standing.store import DecisionRecord, Store, forget_connections
from steward.wallets import WalletStore
from conftest import PASSPHRASE

TOKEN = "always-on-token-5e1d2c"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SVG = "{http://www.w3.org/2000/svg}"
T0 = 1_800_000_000  # a fixed moment (2027-01-15): the tests never read a clock
HOSTILE = '<script>alert("x")</script><b onmouseover="steal()">USDT</b> & co'


@dataclass(frozen=True)
class FakeSource:
    kind: str
    chain: str
    label: str
    usd: Fraction | None
    problem: str | None = None


@dataclass(frozen=True)
class FakeReading:
    """What `Store.record_observation` reads of a `signals.PegReading`."""
    at: int
    symbol: str
    price: Fraction | None
    problem: str | None
    depth_usd: int
    sources: tuple[FakeSource, ...]


def reading(at: int, symbol: str, price: str | None, problem: str | None = None) -> FakeReading:
    usd = None if price is None else Fraction(price)
    sources = (FakeSource("feed", "sandbox-l1", f"sandbox-l1 {symbol}/USD feed", usd, problem),
               FakeSource("twap", "sandbox-l1", f"sandbox-l1 uniswap-v2 {symbol}/USDC TWAP",
                          usd))
    return FakeReading(at, symbol, usd, problem, 250_000_000_000, sources)


# USDT: 6 readings a minute apart, the 4th failed closed (stale feed); then a depeg.
USDT_PRICES = ["1", "0.998", "0.991", None, "0.985", "0.984"]
USDC_PRICES = ["1", "1.0001", "0.9999"]


def fill_store() -> Store:
    store = Store()
    for index, price in enumerate(USDT_PRICES):
        store.record_observation(reading(
            T0 + 60 * index, "USDT", price,
            "stale: sandbox-l1 USDT/USD feed answered 2 h ago" if price is None else None))
    for index, price in enumerate(USDC_PRICES):
        store.record_observation(reading(T0 + 60 * index, "USDC", price))
    decisions = [
        (T0 + 30, "usdt-depeg", "skipped", "USDT at 0.998, not below 0.99", None),
        (T0 + 150, "usdt-depeg", "alert", "USDT's peg cannot be trusted now (stale feed); "
                                          "no action", None),
        (T0 + 240, "usdt-depeg", "acted", "USDT held below 0.99 for 30 min: 1000 USDT → USDC",
         "p-00000000a1"),
        (T0 + 270, "usdt-depeg", "waiting", "USDT below 0.99: 500 USDT → USDC waits for a person",
         "p-00000000b2"),
        (T0 + 290, "usdt-depeg", "blocked", HOSTILE, "p-00000000c3"),
        (T0 + 100, "weekly-eth", "acted", "DCA: 50 USDC → ETH", "p-00000000d4"),
    ]
    for at, order_id, outcome, reason, proposal_id in decisions:
        store.record_decision(DecisionRecord(at=at, wallet="main", order_id=order_id,
                                             outcome=outcome, reason=reason,
                                             numbers={"price": 0.985, "below": 0.99},
                                             proposal_id=proposal_id))
    store.record_decision(DecisionRecord(at=T0 + 200, wallet="other", order_id="theirs",
                                         outcome="acted", reason="another wallet's USDT order"))
    return store


@pytest.fixture
def filled(steward_home):
    WalletStore().create("main", PASSPHRASE)  # the default wallet (no chain needed)
    fill_store()
    yield steward_home
    forget_connections()


@pytest.fixture
def api_client(filled):
    with TestClient(create_app(token=TOKEN, passphrase=PASSPHRASE), headers=AUTH) as client:
        yield client


@pytest.fixture
def page_client(filled):
    """Signed in to the dashboard like a browser (a session cookie, not the token)."""
    with TestClient(create_app(token=TOKEN, passphrase=PASSPHRASE),
                    base_url="http://127.0.0.1:8000") as client:
        signed = client.get("/login", params={"token": TOKEN}, follow_redirects=False)
        assert signed.status_code == 303
        yield client


def svg_of(page: str, symbol: str) -> ElementTree.Element:
    """The chart of `symbol` on the page, parsed as XML (a parse error fails the test)."""
    block = re.search(rf'<div class="peg" data-symbol="{symbol}".*?(<svg.*?</svg>)', page,
                      re.DOTALL)
    assert block, f"no {symbol} chart on the page"
    return ElementTree.fromstring(block.group(1))


def polyline_points(svg: ElementTree.Element) -> list[list[tuple[float, float]]]:
    return [[tuple(float(v) for v in pair.split(",")) for pair in line.get("points").split()]
            for line in svg.iter(f"{SVG}polyline")]


def markers(svg: ElementTree.Element) -> list[ElementTree.Element]:
    return [g for g in svg.iter(f"{SVG}g") if "marker" in (g.get("class") or "").split()]


# ---- the chart, alone ---------------------------------------------------------------------------

def test_always_on_chart_breaks_the_line_where_readings_failed():
    points = [PegPoint(T0, 1.0), PegPoint(T0 + 60, 0.99), PegPoint(T0 + 120, None, "stale feed"),
              PegPoint(T0 + 180, None, "stale feed"), PegPoint(T0 + 240, 0.98),
              PegPoint(T0 + 300, 0.97), PegPoint(T0 + 360, None, "conflicting: feed 1.00 vs "
                                                                  "TWAP 0.95")]
    priced, failed = runs(points)
    assert [len(run) for run in priced] == [2, 2] and [len(run) for run in failed] == [2, 1]
    svg = ElementTree.fromstring(str(peg_svg(points, width=600, height=200)))
    lines = polyline_points(svg)
    assert [len(line) for line in lines] == [2, 2]
    # Time runs left to right; a lower price is lower on the chart (larger y).
    (first, second), (third, fourth) = lines
    assert first[0] < second[0] < third[0] < fourth[0]
    assert first[1] < second[1] < third[1] < fourth[1]
    bands = [g for g in svg.iter(f"{SVG}g") if g.get("class") == "peg-failed"]
    assert [band.get("data-count") for band in bands] == ["2", "1"]
    assert "2 readings failed closed" in bands[0].find(f"{SVG}title").text
    assert "conflicting: feed 1.00 vs TWAP 0.95" in bands[1].find(f"{SVG}title").text
    # The dashed $1.00 line sits exactly where the first reading (price 1.0) was drawn.
    one = next(line for line in svg.iter(f"{SVG}line") if line.get("class") == "peg-one")
    assert one.get("stroke-dasharray") and float(one.get("y1")) == pytest.approx(first[1])


def test_always_on_chart_marks_decisions_and_escapes_their_reasons():
    points = [PegPoint(T0 + 60 * i, price) for i, price in enumerate([1.0, 0.99, 0.98, 0.97])]
    decisions = [Marker(T0 + 90, "acted", "moved 1000 USDT", "usdt-depeg", "p-1"),
                 Marker(T0 + 100, "waiting", HOSTILE, "usdt-depeg", 'p-"><script>'),
                 Marker(T0 + 120, "skipped", "not below", "usdt-depeg"),     # not marked
                 Marker(T0 - 60, "blocked", "before the first reading"),     # outside the span
                 Marker(T0 + 180, "alert", "stale", "usdt-depeg")]
    text = str(peg_svg(points, decisions))
    assert "<script>" not in text and "onmouseover=" not in text.replace("onmouseover=&#34;", "")
    svg = ElementTree.fromstring(text)  # well-formed: every outside text was escaped
    found = markers(svg)
    assert [m.get("data-outcome") for m in found] == ["acted", "waiting", "alert"]
    tips = [m.find(f".//{SVG}title").text for m in found]
    assert tips[1].endswith(f": {HOSTILE}") and "usdt-depeg" in tips[1]
    # The acted marker sits on the line at the price read before it (0.99, the 2nd point).
    circle = found[0].find(f".//{SVG}circle")
    second_point = polyline_points(svg)[0][1]
    assert float(circle.get("cy")) == pytest.approx(second_point[1])
    assert float(second_point[0]) < float(circle.get("cx")) < polyline_points(svg)[0][2][0]
    links = [a.get("href") for a in svg.iter(f"{SVG}a")]
    assert links == ["/proposals/p-1", '/proposals/p-"><script>']  # an attribute, not markup
    assert peg_svg([], decisions) == ""


def test_always_on_chart_hides_control_characters_in_tooltips():
    override = "USDT fine\u202e000,01 lost"
    svg = ElementTree.fromstring(str(peg_svg([PegPoint(T0, 0.99)],
                                             [Marker(T0, "alert", override)])))
    tip = markers(svg)[0].find(f".//{SVG}title").text
    assert "\u202e" not in tip and "<U+202E>" in tip
    # One reading: no line to draw, so the reading is a dot.
    assert [c.get("class") for c in svg.iter(f"{SVG}circle")][0] == "peg-dot"


# ---- the JSON API -------------------------------------------------------------------------------

def test_always_on_api_needs_the_token(filled):
    client = TestClient(create_app(token=TOKEN, passphrase=PASSPHRASE))
    for path in ("/api/standing/decisions", "/api/standing/peg/USDT", "/api/standing/orders"):
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
            response = client.get(path, headers=headers)
            assert response.status_code == 401, (path, headers)
            assert response.json()["error"]["code"] == "unauthorized"
            assert "USDT" not in response.text and "usdt-depeg" not in response.text


def test_always_on_api_decisions_newest_first_and_filtered(api_client):
    everything = api_client.get("/api/standing/decisions").json()
    assert len(everything) == 7
    moments = [d["at"] for d in everything]
    assert moments == sorted(moments, reverse=True)
    assert {d["wallet"] for d in everything} == {"main", "other"}
    waiting = api_client.get("/api/standing/decisions",
                             params={"outcome": "waiting", "wallet": "main"}).json()
    assert [(d["order_id"], d["proposal_id"]) for d in waiting] == [("usdt-depeg",
                                                                     "p-00000000b2")]
    assert waiting[0]["numbers"] == {"below": 0.99, "price": 0.985}
    assert waiting[0]["at"].startswith("2027-01-15T08:04:30")
    newest = api_client.get("/api/standing/decisions", params={"limit": 2}).json()
    assert [d["outcome"] for d in newest] == ["blocked", "waiting"]
    assert newest[0]["reason"] == HOSTILE  # JSON carries the text as it is; pages escape it
    WalletStore().create("other", PASSPHRASE)
    theirs = api_client.get("/api/standing/decisions", params={"wallet": "other"}).json()
    assert [d["order_id"] for d in theirs] == ["theirs"]


def test_always_on_api_peg_history_oldest_first(api_client):
    usdt = api_client.get("/api/standing/peg/USDT").json()
    assert [p["price"] for p in usdt] == [None if p is None else float(Fraction(p))
                                          for p in USDT_PRICES]
    failed = usdt[3]
    assert failed["price"] is None and failed["problem"].startswith("stale:")
    assert [s["kind"] for s in usdt[0]["sources"]] == ["feed", "twap"]
    assert usdt[0]["sources"][0]["label"] == "sandbox-l1 USDT/USD feed"
    assert [p["price"] for p in api_client.get("/api/standing/peg/usdt",
                                               params={"limit": 2}).json()] == [0.985, 0.984]
    assert len(api_client.get("/api/standing/peg/USDC").json()) == 3


def test_always_on_api_bad_input_gets_stable_codes(api_client):
    unknown = api_client.get("/api/standing/peg/DAI")
    assert unknown.status_code == 400
    error = unknown.json()["error"]
    assert error["code"] == "unknown_name" and "USDC, USDT" in error["message"]
    hostile = api_client.get("/api/standing/peg/%3Cscript%3E")
    assert hostile.status_code == 400 and hostile.json()["error"]["code"] == "unknown_name"
    outcome = api_client.get("/api/standing/decisions", params={"outcome": "won"})
    assert outcome.status_code == 400 and outcome.json()["error"]["code"] == "invalid_input"
    assert "acted, skipped, blocked" in outcome.json()["error"]["message"]
    too_many = api_client.get("/api/standing/decisions", params={"limit": 100_000})
    assert too_many.status_code == 422 and too_many.json()["error"]["code"] == "invalid_input"
    wallet = api_client.get("/api/standing/decisions", params={"wallet": "nobody"})
    assert wallet.status_code == 400 and wallet.json()["error"]["code"] in ("unknown_name",
                                                                           "wallet_error")
    assert "nobody" in wallet.json()["error"]["message"]


def test_always_on_api_is_in_the_spec_with_bearer_auth(api_client):
    paths = api_client.get("/openapi.json").json()["paths"]
    for path in ("/api/standing/decisions", "/api/standing/peg/{symbol}",
                 "/api/standing/orders"):
        operation = paths[path]["get"]
        assert operation["security"] == [{"bearer": []}] and "401" in operation["responses"]
        assert "400" in operation["responses"] and operation["tags"] == ["always on"]
    assert "/always-on" not in paths


# ---- the page -----------------------------------------------------------------------------------

def test_always_on_page_needs_signing_in(filled):
    client = TestClient(create_app(token=TOKEN, passphrase=PASSPHRASE))
    response = client.get("/always-on")
    assert response.status_code == 401 and 'id="login"' in response.text
    assert "usdt-depeg" not in response.text and "<svg" not in response.text
    # The bearer token alone does not open a page: the dashboard takes a signed-in session.
    assert client.get("/always-on", headers=AUTH).status_code == 401


def test_always_on_page_charts_each_stablecoin(page_client):
    response = page_client.get("/always-on")
    assert response.status_code == 200, response.text
    assert "default-src 'none'" in response.headers["content-security-policy"]
    page = response.text
    assert '<a href="/always-on" class="here">Always on</a>' in page
    usdt = svg_of(page, "USDT")
    priced = [p for p in USDT_PRICES if p is not None]
    assert sum(len(line) for line in polyline_points(usdt)) == len(priced)
    assert [len(line) for line in polyline_points(usdt)] == [3, 2]  # broken at the failure
    bands = [g for g in usdt.iter(f"{SVG}g") if g.get("class") == "peg-failed"]
    assert len(bands) == 1 and "stale: sandbox-l1 USDT/USD feed" in bands[0].find(
        f"{SVG}title").text
    # Markers: USDT decisions of wallet main that acted, alerted, waited or were blocked; not
    # the skip, not the DCA (USDC), not the other wallet's.
    found = markers(usdt)
    assert [m.get("data-outcome") for m in found] == ["alert", "acted", "waiting", "blocked"]
    assert found[-1].find(f".//{SVG}title").text.endswith(HOSTILE)  # escaped, parsed back
    usdc = svg_of(page, "USDC")
    assert sum(len(line) for line in polyline_points(usdc)) == len(USDC_PRICES)
    assert [m.get("data-outcome") for m in markers(usdc)] == ["acted"]  # the DCA spends USDC
    assert 'data-symbol="USDT" data-points="6" data-failed="1" data-markers="4"' in page


def test_always_on_page_lists_decisions_escaped_with_links(page_client):
    page = page_client.get("/always-on").text
    assert "<script>" not in page and "<b onmouseover" not in page
    assert page.count("&lt;script&gt;alert(") == 2  # the table and the chart's tooltip
    rows = re.findall(r'<tr class="decision" data-outcome="([a-z-]+)" data-order="([a-z0-9-]+)"',
                      page)
    assert rows == [("blocked", "usdt-depeg"), ("waiting", "usdt-depeg"),
                    ("acted", "usdt-depeg"), ("alert", "usdt-depeg"),
                    ("acted", "weekly-eth"), ("skipped", "usdt-depeg")]  # wallet main only
    assert "another wallet" not in page
    assert 'href="/proposals/p-00000000b2#actions">approve or reject</a>' in page
    assert page.count("approve or reject") == 1  # only the waiting one asks for a person
    assert 'href="/proposals/p-00000000a1"' in page
    assert html.unescape(page).count("USDT held below 0.99 for 30 min") == 2  # table + tooltip


def test_always_on_page_for_another_wallet_and_an_unknown_one(page_client):
    WalletStore().create("other", PASSPHRASE)
    other = page_client.get("/always-on", params={"wallet": "other"}).text
    assert re.findall(r'data-order="([a-z0-9-]+)"', other) == ["theirs"]
    unknown = page_client.get("/always-on", params={"wallet": "<nobody>"})
    assert unknown.status_code == 400 and "&lt;nobody&gt;" in unknown.text
    assert "<nobody>" not in unknown.text


def test_always_on_page_with_no_history_yet(steward_home):
    WalletStore().create("main", PASSPHRASE)
    with TestClient(create_app(token=TOKEN, passphrase=PASSPHRASE)) as client:
        client.get("/login", params={"token": TOKEN}, follow_redirects=False)
        response = client.get("/always-on")
    forget_connections()
    assert response.status_code == 200
    assert 'id="no-pegs"' in response.text and 'id="no-decisions"' in response.text
    assert "<svg" not in response.text.split('id="pegs"')[1]


# ---- the standing orders ------------------------------------------------------------------------

@pytest.fixture
def registry(filled):
    """The sandbox chains' token registry, as `sandbox up` records it (the orders file is
    checked against it; nothing here reads a chain)."""
    config = load_config()
    for index, name in enumerate(("sandbox-l1", "sandbox-l2")):
        chain = config.chains[name]
        chain.tokens = {"USDC": f"0x{index + 1:040x}", "USDT": f"0x{index + 3:040x}"}
        chain.token_decimals = {"USDC": 6, "USDT": 6}
    save_config(config)
    return config


def test_always_on_orders_in_the_api_and_on_the_page(registry, api_client, page_client):
    path = write_sample_orders("main")
    listed = api_client.get("/api/standing/orders").json()
    assert listed["wallet"] == "main" and listed["exists"] and listed["source"] == str(path)
    assert sorted(o["kind"] for o in listed["orders"]) == ["dca", "mix", "risk", "sweep"]
    assert all(o["summary"] for o in listed["orders"])
    page = page_client.get("/always-on").text
    rows = re.findall(r'<tr class="order" data-id="([a-z0-9-]+)" data-kind="([a-z]+)"', page)
    assert rows == [(o["id"], o["kind"]) for o in listed["orders"]]
    for order in listed["orders"]:
        assert html.escape(order["summary"], quote=False) in page


def test_always_on_hostile_orders_file_is_refused_and_shown_escaped(registry, api_client,
                                                                    page_client):
    orders_path("main").write_text('[[order]]\nid = "<img src=x onerror=alert(1)>"\n'
                                   'kind = "dca"\n')
    refused = api_client.get("/api/standing/orders")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "invalid_input"
    assert "order[0].id" in refused.json()["error"]["message"]
    page = page_client.get("/always-on")
    assert page.status_code == 200  # the pegs and decisions still show
    assert 'id="orders-error"' in page.text and "<img src=x" not in page.text
    error = page.text.split('id="orders-error">')[1].split("</div>")[0]
    assert "order[0].id" in error and "&lt;img src=x onerror=alert(1)&gt;" in error
    assert 'data-symbol="USDT"' in page.text and 'class="decision"' in page.text
