"""Run Home Assistant and start it again whenever it asks for a restart.

Home Assistant's restart (Settings -> Restart, ``homeassistant.restart``) stops
the process with exit code 100 and leaves starting it again to whatever runs
it: the container's and the supervisor's runners do. This is that runner for
the development instance. Any other exit code ends it (and is returned);
SIGTERM and SIGINT are passed on to Home Assistant, which then stops for good.

Usage: supervise.py [--quiet] COMMAND [ARG...]
(--quiet: the command's own output is dropped; Home Assistant writes its log
file anyway; the restart notices are still printed.)
"""

from __future__ import annotations

import signal
import subprocess
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from types import FrameType

RESTART_EXIT_CODE = 100  # homeassistant.const.RESTART_EXIT_CODE


def supervise(command: list[str], *, quiet: bool = False) -> int:
    """Run ``command`` until it exits with anything but the restart code."""
    child: subprocess.Popen[bytes] | None = None
    stopping = False

    def _forward(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        if child is not None and child.poll() is None:
            child.send_signal(signum)

    signal.signal(signal.SIGTERM, _forward)
    signal.signal(signal.SIGINT, _forward)
    while True:
        output = subprocess.DEVNULL if quiet else None
        child = subprocess.Popen(command, stdout=output, stderr=output)
        code = child.wait()
        if code != RESTART_EXIT_CODE or stopping:
            return code
        print("==> Restarting Home Assistant", flush=True)


if __name__ == "__main__":
    args = sys.argv[1:]
    quiet = bool(args) and args[0] == "--quiet"
    if quiet:
        args = args[1:]
    if not args:
        sys.exit(__doc__)
    sys.exit(supervise(args, quiet=quiet))
