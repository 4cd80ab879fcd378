"""The minute a cycle opens: many members booking the last units at once, over HTTP.

Starts the app under gunicorn (2 workers, 127.0.0.1, a free port) on PostgreSQL,
migrates the database and creates its own data (a collective, an open cycle, a
distribution, one offer with --stock units and --clients member accounts), then
each client, in its own thread: GET the login page, POST the login form with
its CSRF token, wait for the others, GET the booking page and POST a booking of
one more unit (--requests times). It also measures a trivial view (robots.txt)
in the same run, for comparison. Prints one JSON object:

    attempts        booking POSTs sent
    booked          the offer's booked quantity at the end (from the database)
    available       the offer's stock (--stock)
    refused         POSTs answered "only N left"
    server_errors   5xx answers and connection errors
    p50_ms, p95_ms  latency of the booking POSTs
    rps             booking POSTs per second during the rush
    hello_rps       robots.txt requests per second

    .venv/bin/python bench/order_rush.py [--clients 40] [--requests 1] [--stock 10]

DATABASE_URL chooses the database (default
postgres://postgres@127.0.0.1:5432/amap_bench; created if missing). gunicorn
runs with DEBUG=0, a SECRET_KEY, ALLOWED_HOSTS=127.0.0.1 and
SECURE_SSL_REDIRECT=0, through a settings module generated in a temporary
directory that only turns off allauth's login rate limit (all clients share one
IP address) and the static files manifest (no collectstatic needed).
"""

import argparse
import contextlib
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/amap_bench"
PASSWORD = "bench-pass-4821-rush"
SETTINGS_MODULE = "order_rush_settings"
SETTINGS_SOURCE = """\
from amap.settings import *  # noqa: F403

# Every client logs in from 127.0.0.1: allauth's per-IP login limit would
# refuse most of them.
ACCOUNT_RATE_LIMITS = False
# No collectstatic before a bench: plain storage instead of the manifest.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
"""
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=40)
    parser.add_argument("--requests", type=int, default=1, help="bookings per client")
    parser.add_argument("--stock", type=int, default=10)
    parser.add_argument(
        "--hello-seconds", type=float, default=3.0, help="duration of robots.txt run"
    )
    return parser.parse_args()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def server_environment(database_url: str, settings_dir: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DEBUG="0",
        SECRET_KEY="bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEF",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        DJANGO_SETTINGS_MODULE=SETTINGS_MODULE,
        PYTHONPATH=os.pathsep.join(
            [settings_dir, str(ROOT), env.get("PYTHONPATH", "")]
        ).rstrip(os.pathsep),
        GEOCODER="fake",
    )
    return env


def create_data(*, clients: int, stock: int) -> dict:
    """A fresh collective, cycle, distribution, offer and members for this run."""
    import django

    django.setup()
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from amap.distribution.models import Distribution, OrderCycle, PickupPoint
    from amap.members.models import Collective, Membership, User
    from amap.producers.models import Offer, Partnership, Producer, Product

    run = timezone.now().strftime("%Y%m%d%H%M%S%f")
    now = timezone.now()
    collective = Collective.objects.create(name=f"AMAP bench {run}", slug=f"b-{run}")
    point = PickupPoint.objects.create(
        collective=collective,
        name=f"Salle bench {run}",
        street="1 rue du Banc",
        postcode="44000",
        town="Nantes",
    )
    cycle = OrderCycle.objects.create(
        collective=collective,
        name=f"Rush {run}",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=1),
    )
    distribution = Distribution.objects.create(
        cycle=cycle,
        pickup_point=point,
        date=timezone.localdate() + timedelta(days=2),
        starts_at="18:00",
        ends_at="19:30",
    )
    farm = Producer.objects.create(
        name=f"Ferme bench {run}",
        slug=f"ferme-{run}",
        street="La Noë",
        postcode="44190",
        town="Clisson",
    )
    Partnership.objects.create(producer=farm, collective=collective)
    product = Product.objects.create(
        producer=farm, name="Fraises", unit=Product.Unit.PIECE, price=Decimal("3.50")
    )
    offer = Offer.objects.create(
        product=product,
        cycle=cycle,
        quantity_available=Decimal(stock),
        price=product.price,
    )
    password = make_password(PASSWORD)
    users = User.objects.bulk_create(
        User(email=f"rush-{run}-{i}@example.org", password=password, first_name="R")
        for i in range(clients)
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, verified=True, primary=True)
        for user in users
    )
    Membership.objects.bulk_create(
        Membership(
            user=user,
            collective=collective,
            status=Membership.Status.ACTIVE,
            joined_on=timezone.localdate(),
        )
        for user in users
    )
    return {
        "emails": [user.email for user in users],
        "distribution": distribution.pk,
        "offer": offer.pk,
    }


def final_booked(offer_pk: int) -> Decimal:
    from django.db import connections

    from amap.producers.models import Offer

    connections.close_all()
    return Offer.objects.get(pk=offer_pk).booked


def start_server(env: dict, port: int, log) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "amap.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def wait_until_up(base: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited before answering")
        try:
            if requests.get(f"{base}/robots.txt", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer in time")


class LoopbackSession(requests.Session):
    """DEBUG=0 marks the session and CSRF cookies Secure; this is plain HTTP on
    the loopback, so the client keeps sending them back anyway."""

    def request(self, *args, **kwargs):
        response = super().request(*args, **kwargs)
        for cookie in self.cookies:
            cookie.secure = False
        return response


def new_session() -> requests.Session:
    return LoopbackSession()


class Client:
    def __init__(self, base: str, email: str, data: dict, barrier, repeats: int):
        self.base = base
        self.email = email
        self.data = data
        self.barrier = barrier
        self.repeats = repeats
        self.session = new_session()
        self.mine = 0
        self.latencies: list[float] = []
        self.booked = self.refused = self.errors = self.other = 0

    def log_in(self) -> bool:
        page = self.session.get(f"{self.base}/compte/login/", timeout=60)
        token = CSRF_RE.search(page.text)
        if page.status_code != 200 or not token:
            return False
        response = self.session.post(
            f"{self.base}/compte/login/",
            data={
                "login": self.email,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token.group(1),
            },
            timeout=60,
            allow_redirects=False,
        )
        return response.status_code == 302

    def book(self) -> None:
        url = f"{self.base}/commandes/distribution/{self.data['distribution']}/"
        page = self.session.get(url, timeout=60)
        token = CSRF_RE.search(page.text)
        if page.status_code >= 500 or not token:
            self.errors += 1
            return
        started = time.perf_counter()
        response = self.session.post(
            url,
            data={
                f"offer_{self.data['offer']}": str(self.mine + 1),
                "csrfmiddlewaretoken": token.group(1),
            },
            timeout=60,
            allow_redirects=False,
        )
        self.latencies.append((time.perf_counter() - started) * 1000)
        if response.status_code >= 500:
            self.errors += 1
        elif response.status_code == 302:
            self.mine += 1
            self.booked += 1
        elif "data-refused" in response.text:
            self.refused += 1
        else:
            self.other += 1

    def run(self) -> None:
        try:
            logged_in = self.log_in()
        except requests.RequestException:
            logged_in = False
        if not logged_in:
            self.errors += 1
        with contextlib.suppress(threading.BrokenBarrierError):
            self.barrier.wait(timeout=120)
        if not logged_in:
            return
        for _ in range(self.repeats):
            try:
                self.book()
            except requests.RequestException:
                self.errors += 1


def hello_rps(base: str, threads: int, seconds: float) -> float:
    stop = time.monotonic() + seconds
    counts = []

    def hammer():
        session = requests.Session()
        done = 0
        while time.monotonic() < stop:
            if session.get(f"{base}/robots.txt", timeout=30).status_code == 200:
                done += 1
        counts.append(done)

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        for _ in range(threads):
            pool.submit(hammer)
    return sum(counts) / (time.perf_counter() - started)


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(share * 100) - 1]


def main() -> int:
    args = parse_args()
    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    ensure_database(database_url)
    with tempfile.TemporaryDirectory(prefix="order-rush-") as settings_dir:
        Path(settings_dir, f"{SETTINGS_MODULE}.py").write_text(SETTINGS_SOURCE)
        env = server_environment(database_url, settings_dir)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        os.environ.update({k: v for k, v in env.items() if k != "PYTHONPATH"})
        sys.path[:0] = [settings_dir, str(ROOT)]
        data = create_data(clients=args.clients, stock=args.stock)

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = open(Path(settings_dir, "gunicorn.log"), "w")  # noqa: SIM115
        server = start_server(env, port, log)
        try:
            wait_until_up(base, server)
            barrier = threading.Barrier(args.clients + 1)
            clients = [
                Client(base, email, data, barrier, args.requests)
                for email in data["emails"]
            ]
            threads = [threading.Thread(target=client.run) for client in clients]
            for thread in threads:
                thread.start()
            barrier.wait(timeout=120)  # everyone logged in: the cycle "opens"
            rush_started = time.perf_counter()
            for thread in threads:
                thread.join()
            rush_seconds = time.perf_counter() - rush_started
            hello = hello_rps(base, min(args.clients, 16), args.hello_seconds)
        except Exception:
            log.flush()
            sys.stderr.write(Path(settings_dir, "gunicorn.log").read_text()[-4000:])
            raise
        finally:
            stop_server(server)
            log.close()

    latencies = [ms for client in clients for ms in client.latencies]
    attempts = sum(len(client.latencies) for client in clients)
    result = {
        "attempts": attempts,
        "booked": _number(final_booked(data["offer"])),
        "available": args.stock,
        "refused": sum(client.refused for client in clients),
        "server_errors": sum(client.errors for client in clients),
        "p50_ms": round(percentile(latencies, 0.50), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "rps": round(attempts / rush_seconds, 1) if rush_seconds else 0.0,
        "hello_rps": round(hello, 1),
    }
    unexpected = sum(client.other for client in clients)
    if unexpected:
        result["unexpected_answers"] = unexpected
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
