"""Running django-q2's `qcluster` so that it stops within a bounded time.

On SIGTERM `qcluster` waits for every task its workers hold (a PDF, a batch
of emails) and its timeout guard no longer runs while it stops, so a stop
could take minutes, and a supervisor's SIGKILL of the main process alone left
its children behind. `run_workers` starts `qcluster` in its own process group,
passes SIGTERM (and Ctrl-C) on to it, and after `grace` seconds kills the
whole group. On Linux it is also the subreaper of what it starts, so children
orphaned by the kill are reaped, not left as zombies.

Killing a task in the middle is safe: documents are claimed with a lease that
lapses, emails are recorded as sent in the transaction that sends them, and
the sweeper queues again what was lost (docs/operations.md).
"""

import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import time

from django.conf import settings

logger = logging.getLogger(__name__)

PR_SET_CHILD_SUBREAPER = 36


def _become_subreaper() -> None:
    """Orphaned descendants are re-parented to this process (Linux), which
    reaps them. Elsewhere, init does."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        logger.warning("Could not become the subreaper of the workers.")


def _reap() -> dict[int, int]:
    """Reap every child that has exited; their exit statuses by pid."""
    statuses = {}
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return statuses
        if pid == 0:
            return statuses
        statuses[pid] = os.waitstatus_to_exitcode(status)


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def run_workers(*, grace: float, poll: float = 0.1) -> int:
    """Run `qcluster` until it exits or this process is told to stop; return
    the exit code. Stops within `grace` seconds (plus a few tenths) of SIGTERM
    or SIGINT, with no process left behind."""
    _become_subreaper()
    child = subprocess.Popen(
        [sys.executable, "-m", "django", "qcluster"],
        cwd=settings.BASE_DIR,
        start_new_session=True,
    )
    stop_asked: list[float] = []

    def ask_to_stop(signum, frame):
        if not stop_asked:
            stop_asked.append(time.monotonic())
            logger.info("Stopping the workers (at most %s s).", grace)
            with contextlib.suppress(ProcessLookupError):
                os.kill(child.pid, signal.SIGTERM)

    previous = {
        sig: signal.signal(sig, ask_to_stop) for sig in (signal.SIGTERM, signal.SIGINT)
    }
    code = None
    try:
        while code is None:
            code = _reap().get(child.pid)
            late = stop_asked and time.monotonic() - stop_asked[0] > grace
            if code is None and late:
                logger.warning("Workers still busy after %s s: killed.", grace)
                _kill_group(child.pid)
            if code is None:
                time.sleep(poll)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        # What the cluster left running, then every orphan re-parented here.
        _kill_group(child.pid)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            _reap()
            try:
                os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            time.sleep(poll)
        child.returncode = code
    if stop_asked:
        return 0
    return code or 0
