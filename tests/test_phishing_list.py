"""The installed phishing list (MetaMask's eth-phishing-detect): install from a package or a
file, strict validation, MetaMask's order (whitelist, blacklist, fuzzylist), and reports that
name the list and its version/date — or say there is none."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from steward.cli.app import app
from steward.diligence import phishing_list
from steward.diligence.links import check_url
from steward.errors import StewardError

LIST = {
    "version": 2,
    "tolerance": 2,
    "fuzzylist": ["metamask.io", "myetherwallet.com"],
    # whitelisted hosts that look like brands (MetaMask's hard negatives)
    "whitelist": ["metamask.io", "metamasks.com", "uniswap.vision", "opensea.ru",
                  "www.metamesk.tv"],
    "blacklist": ["free-eth-drop.xyz", "harmless-looking.net", "eth-drop.uniswap.vision",
                  "203.0.113.9"],
}


@pytest.fixture(autouse=True)
def no_package(monkeypatch):
    """No package in .tools and no $STEWARD_PHISHING_LIST unless a test puts one there."""
    monkeypatch.setattr(phishing_list, "package_roots", lambda: [])
    monkeypatch.delenv(phishing_list.LIST_ENV, raising=False)


def make_package(root, config=LIST, version="1.2.0", extra=None):
    folder = root / "node_modules" / "eth-phishing-detect"
    (folder / "src").mkdir(parents=True)
    (folder / "package.json").write_text(json.dumps(
        {"name": "eth-phishing-detect", "version": version, **(extra or {})}))
    (folder / "src" / "config.json").write_text(json.dumps(config))
    return folder


def codes(report):
    return [f.code for f in report.findings]


def test_installed_from_a_package_on_first_use_and_named_in_reports(tmp_path, monkeypatch):
    make_package(tmp_path / ".tools", extra={"time": {"1.2.0": "2023-09-14T10:00:00.000Z"}})
    monkeypatch.setattr(phishing_list, "package_roots", lambda: [tmp_path / ".tools"])
    report = check_url("https://claim.free-eth-drop.xyz/x")
    assert report.verdict == "danger" and codes(report)[0] == "blacklisted"
    assert report.phishing_list.package_version == "1.2.0"
    assert report.phishing_list.published == "2023-09-14"
    label = "eth-phishing-detect 1.2.0 (list v2, published 2023-09-14)"
    assert label in report.findings[0].how and label in report.findings[0].message
    assert report.reasons[-1] == (f"phishing list: {label}: 4 blacklisted, 5 whitelisted, "
                                  "2 fuzzy-matched hosts; installed from "
                                  f"{tmp_path / '.tools/node_modules/eth-phishing-detect'}")
    info = phishing_list.installed_info()
    assert info.sha256 == phishing_list.hashlib.sha256(
        (tmp_path / ".tools/node_modules/eth-phishing-detect/src/config.json").read_bytes()
    ).hexdigest()
    assert (phishing_list.list_dir() / phishing_list.LIST_FILE).stat().st_mode & 0o077 == 0


def test_installed_from_a_file_via_the_environment(tmp_path, monkeypatch):
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(LIST))
    monkeypatch.setenv(phishing_list.LIST_ENV, str(path))
    report = check_url("harmless-looking.net")
    assert report.verdict == "danger" and report.phishing_list.source == str(path)
    assert report.phishing_list.package_version is None
    assert "eth-phishing-detect list v2 (installed " in report.phishing_list_line


def test_no_list_installed_says_so_in_every_report():
    for url in ("app.uniswap.org", "harmless-looking.net", "uniswap.org.evil.xyz"):
        report = check_url(url)
        assert report.phishing_list is None
        assert report.reasons[-1] == "phishing list: none installed; run `steward lists update`"
    assert check_url("harmless-looking.net").verdict == "caution"  # not blacklisted without it


def test_the_whitelist_beats_every_heuristic(tmp_path):
    phishing_list.install_from_package(make_package(tmp_path))
    for host in ("metamasks.com", "uniswap.vision", "www.opensea.ru", "app.uniswap.vision",
                 "https://www.metamesk.tv/"):  # the list names the www. host itself
        off = check_url(host, use_list=False)
        report = check_url(host)
        assert report.verdict == "safe" and codes(report)[0] == "whitelisted", (host, codes(report))
        assert "eth-phishing-detect 1.2.0" in report.findings[0].how
        assert off.verdict != "safe"  # the heuristics alone would not have cleared it
    # a subdomain the list blacklists under a host it whitelists: the narrower entry decides
    narrow = check_url("https://eth-drop.uniswap.vision/claim")
    assert narrow.verdict == "danger" and codes(narrow)[0] == "blacklisted"
    ip = check_url("http://203.0.113.9/wallet")  # a blacklisted IP address
    assert ip.verdict == "danger" and "blacklisted" in codes(ip)


def test_fuzzylist_follows_metamasks_rule(tmp_path):
    phishing_list.install_from_package(make_package(tmp_path))
    near = check_url("metamusk.io")  # 1 edit from metamask, not whitelisted
    assert near.verdict == "danger" and "fuzzylisted" in codes(near)
    assert "tolerance 2 of eth-phishing-detect 1.2.0" in near.findings[0].how
    other_tld = check_url("metamask.app")  # distance 0 without the TLD: MetaMask blocks it
    assert "fuzzylisted" in codes(other_tld)
    far = check_url("metabase.com.evil.org")  # MetaMask compares the host minus its TLD only
    assert "fuzzylisted" not in codes(far)
    assert check_url("metamask.io").verdict == "safe"  # whitelisted before the fuzzylist
    assert "fuzzylisted" in codes(check_url("www.metamesk.com"))  # www. dropped, as MetaMask


def test_a_malformed_list_is_refused_and_the_old_one_kept(tmp_path):
    phishing_list.install_from_package(make_package(tmp_path))
    before = phishing_list.installed_info()
    bad = tmp_path / "bad.json"
    cases = [
        ("{not json", "not a readable JSON phishing list"),
        (json.dumps([1, 2]), "expected a JSON object"),
        (json.dumps({k: v for k, v in LIST.items() if k != "blacklist"}), "it has no 'blacklist'"),
        (json.dumps({**LIST, "tolerance": True}), "'tolerance' is bool"),
        (json.dumps({**LIST, "tolerance": 99}), "tolerance must be 0 to 10"),
        (json.dumps({**LIST, "blacklist": ["ok.com", "bad host.com"]}),
         "blacklist[1] is not a host name"),
        (json.dumps({**LIST, "whitelist": ["[red]x[/red].com"]}), "whitelist[0] is not a host"),
        (json.dumps({**LIST, "fuzzylist": [7]}), "fuzzylist[0] is not a host name"),
        (json.dumps({**LIST, "blacklist": []}), "its blacklist is empty"),
        (json.dumps({**LIST, "version": "<b>2</b>"}), "not a plain version number"),
    ]
    for text, why in cases:
        bad.write_text(text)
        with pytest.raises(StewardError, match=str(bad)) as raised:
            phishing_list.update(from_file=str(bad))
        assert why in str(raised.value), (why, str(raised.value))
        assert phishing_list.installed_info() == before
    assert check_url("free-eth-drop.xyz").verdict == "danger"  # the old list still decides
    with pytest.raises(StewardError, match="is not the eth-phishing-detect package"):
        other = tmp_path / "other"
        other.mkdir()
        (other / "package.json").write_text(json.dumps({"name": "left-pad", "version": "1.0.0"}))
        phishing_list.update(from_package=str(other))
    with pytest.raises(StewardError, match="give --from or --from-package, not both"):
        phishing_list.update(from_file="a", from_package="b")


def test_a_tampered_list_is_not_believed(tmp_path):
    phishing_list.install_from_package(make_package(tmp_path))
    path = phishing_list.list_dir() / phishing_list.LIST_FILE
    path.write_text(json.dumps({**LIST, "whitelist": ["free-eth-drop.xyz"]}))
    with pytest.raises(StewardError, match="does not match the sha256"):
        check_url("free-eth-drop.xyz")


def test_lists_cli_update_show_and_markup_shown_escaped(tmp_path, monkeypatch):
    runner = CliRunner()
    shown = runner.invoke(app, ["lists", "show"])
    assert shown.exit_code == 0 and "none installed" in shown.output
    path = tmp_path / "[bold red]evil.json"  # a list's name is text, never markup
    path.write_text(json.dumps(LIST))
    done = runner.invoke(app, ["lists", "update", "--from", str(path)])
    assert done.exit_code == 0, done.output
    said = " ".join(done.output.split())  # rich wraps at the terminal's width
    assert "2 whitelisted" not in said and "5 whitelisted, 4 blacklisted, 2 fuzzy" in said \
        and "list v2" in said
    from steward.cli import render

    monkeypatch.setattr(render.console, "width", 400)  # the path on one line, at any COLUMNS
    report = runner.invoke(app, ["check", "url", "free-eth-drop.xyz"])
    assert "[bold red]evil.json" in report.output and "DANGER" in report.output
    as_json = json.loads(runner.invoke(app, ["lists", "show", "--json"]).output)
    assert as_json["source"] == str(path) and as_json["blacklist"] == 4
    url_json = json.loads(runner.invoke(app, ["check", "url", "metamasks.com", "--json"]).output)
    assert url_json["verdict"] == "safe" and url_json["phishing_list"]["list_version"] == 2
    off = json.loads(runner.invoke(app, ["check", "url", "metamasks.com", "--json",
                                         "--no-list"]).output)
    assert off["phishing_list"] is None and off["verdict"] == "caution"
    assert off["phishing_list_line"].startswith("phishing list: off")


def test_the_real_package_when_setup_tools_unpacked_it():
    package = phishing_list._REPO_ROOT / ".tools" / "node_modules" / "eth-phishing-detect"
    if not (package / "package.json").is_file():
        pytest.skip("make setup-tools has not unpacked eth-phishing-detect")
    info = phishing_list.install_from_package(package)
    assert (info.package_version, info.list_version, info.tolerance) == ("1.2.0", 2, 2)
    assert (info.fuzzylist, info.whitelist, info.blacklist) == (15, 1138, 13752)
    assert check_url("myetherwallet.com").verdict == "safe"
    assert check_url("opensky.com").verdict == "safe"  # whitelisted hard negative
    assert check_url("yearnson.finance").verdict == "danger"
