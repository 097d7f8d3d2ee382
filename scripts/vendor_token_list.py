"""Write src/steward/chains/data/uniswap-default-tokenlist.json from the npm package
@uniswap/default-token-list: the tokens of the five preset chains (chain id, checksummed address,
symbol, name, decimals) and the list's version.

Run after `make setup-tools` when the package version changes:
`.venv/bin/python scripts/vendor_token_list.py`.
"""

import json
import sys
from pathlib import Path

from steward.chains import token_list
from steward.chains.presets import PRESETS
from steward.contracts.uniswap import node_modules

package = node_modules() / token_list.PACKAGE
version = json.loads((package / "package.json").read_text())["version"]
if version != token_list.PACKAGE_VERSION:
    sys.exit(f"{token_list.PACKAGE} is {version} in {package}, expected "
             f"{token_list.PACKAGE_VERSION}; run `make setup-tools`")
raw = json.loads((package / token_list.PACKAGE_FILE).read_text(encoding="utf-8"))
document = token_list.from_npm(raw, (preset.chain_id for preset in PRESETS.values()))
if document["version"] != version:
    sys.exit(f"the list says version {document['version']}, its package {version}")
out = Path(__file__).resolve().parents[1] / "src" / "steward" / "chains" / "data"
out.mkdir(exist_ok=True)
path = out / token_list.DATA_FILE
# One token a line: a new list version reads as a short diff.
head = {key: value for key, value in document.items() if key != "tokens"}
lines = [json.dumps(token, ensure_ascii=False) for token in document["tokens"]]
text = json.dumps(head, ensure_ascii=False)[:-1] + ', "tokens": [\n' + ",\n".join(lines) + "\n]}\n"
assert json.loads(text) == document
path.write_text(text, encoding="utf-8")
print(f"wrote {path} ({len(document['tokens'])} tokens, list {document['version']})")
