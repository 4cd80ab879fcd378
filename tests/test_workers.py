"""`manage.py run_workers` stops within a bounded time of SIGTERM, even with a
task still running, and leaves no process behind."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django_q.conf import Conf
from django_q.tasks import async_task

GRACE = 2
STOPPED_WITHIN = GRACE + 8


def busy_task(path: str) -> None:
    """Run by a worker: says which process it is, then holds it for long."""
    Path(path).write_text(str(os.getpid()))
    time.sleep(120)


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return "postgres://{USER}:{PASSWORD}@{HOST}:{PORT}/{NAME}".format(
        **{key: db[key] or "" for key in ("USER", "PASSWORD", "HOST", "PORT", "NAME")}
    )


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rpartition(")")[2].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    """Running, or a zombie nobody reaped."""
    try:
        return bool(Path(f"/proc/{pid}/stat").read_text())
    except OSError:
        return False


@pytest.mark.slow  # About 25 s: Django starts twice, then the cluster.
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
# Restores the schedules the migrations created once the tables are flushed.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_workers_stop_within_the_grace_period_with_a_task_running(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(Conf, "SYNC", False)  # Queued in the test database.
    marker = tmp_path / "worker.pid"
    async_task("tests.test_workers.busy_task", str(marker))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "amap.settings",
        "DATABASE_URL": _database_url(),
        "SECRET_KEY": settings.SECRET_KEY,  # Tasks are signed with it.
        "Q_WORKERS": "2",
    }
    env.pop("REDIS_URL", None)
    process = subprocess.Popen(
        [sys.executable, "manage.py", "run_workers", "--grace", str(GRACE)],
        cwd=settings.BASE_DIR,
        env=env,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 40
        while not marker.exists() and time.monotonic() < deadline:
            assert process.poll() is None, "the workers exited on their own"
            time.sleep(0.2)
        assert marker.exists(), "no worker took the task"
        family = _descendants(process.pid)
        assert int(marker.read_text()) in family

        asked = time.monotonic()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=STOPPED_WITHIN)
        took = time.monotonic() - asked

        assert process.returncode == 0
        assert took < STOPPED_WITHIN
        time.sleep(0.2)
        assert [pid for pid in family if _alive(pid)] == []
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
