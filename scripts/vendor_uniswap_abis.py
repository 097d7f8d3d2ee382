"""Write the ABIs of the Uniswap artifacts Steward uses into src/steward/contracts/abis/.

Run after `make setup-tools` when PACKAGES changes: `.venv/bin/python scripts/vendor_uniswap_abis.py`.
"""

import json
from pathlib import Path

from steward.contracts import uniswap

out = Path(__file__).resolve().parents[1] / "src" / "steward" / "contracts" / "abis"
out.mkdir(exist_ok=True)
for name in uniswap.names():
    path = out / (name.replace("/", "-") + ".json")
    path.write_text(json.dumps(uniswap.artifact(name)["abi"], indent=1) + "\n")
    print(f"wrote {path.name}")
