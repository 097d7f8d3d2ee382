"""A test hook: die at a named point, to prove crash consistency with a real kill -9.

With `STEWARD_FAILPOINT=<name>` in the environment, `failpoint(name)` sends SIGKILL to the
current process: no `finally`, no atexit, no flush — exactly what a crash or `kill -9` does.
The crash tests (tests/redteam/test_rt_crash.py) use it; nothing sets it in normal use, and an
unknown name does nothing.

Points: `after_journal_pending` (the transaction is signed and journalled as pending, not yet
broadcast), `after_broadcast` (the node has it), `after_journal_success` (the journal says
success), `after_proposal_step_signing` (a proposal's step is marked as being signed),
`after_payment_signed` (an x402 payment is signed and in the ledger, not yet sent) and
`after_payment_sent` (the merchant answered the paid request; the answer is not yet recorded).
"""

from __future__ import annotations

import os
import signal

ENV = "STEWARD_FAILPOINT"


def failpoint(name: str) -> None:
    if os.environ.get(ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
