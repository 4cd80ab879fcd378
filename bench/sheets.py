"""How long the distribution sheet PDF takes to build, against WeasyPrint alone.

For each size (100, 500 and 2000 members, or `--members N` for one), creates a
distribution in a throwaway SQLite database (two farms, three products each
member books, a basket contract with shared baskets, absences, baskets given
away and to the solidarity pool, unpaid instalments, a shift), then measures:

    members        the number of members on the sheet
    seconds        median time of `build_document(kind=SHEET, fmt="pdf")`,
                   from the database to the PDF bytes
    queries        the queries that build made
    floor_seconds  median time, in the same run, of WeasyPrint alone
                   rendering a plain HTML table with the same rows and
                   columns (the same text in each cell, no style)

and prints a JSON list, one object per size.

    .venv/bin/python bench/sheets.py [--members 500] [--runs 3]

The database lives in a temporary directory, deleted at the end; tables are
created straight from the models (no migrations) to start quickly.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = (100, 500, 2000)
SETTINGS_MODULE = "sheets_bench_settings"
SETTINGS_SOURCE = """\
from amap.settings import *  # noqa: F403


class _NoMigrations:
    def __contains__(self, app):
        return True

    def __getitem__(self, app):
        return None


MIGRATION_MODULES = _NoMigrations()
"""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, help="one size only")
    parser.add_argument("--runs", type=int, default=3, help="runs per measure")
    return parser.parse_args()


def set_up_django(directory: str) -> None:
    Path(directory, f"{SETTINGS_MODULE}.py").write_text(SETTINGS_SOURCE)
    sys.path[:0] = [directory, str(ROOT)]
    os.environ.update(
        DATABASE_URL=f"sqlite:///{Path(directory) / 'bench.sqlite3'}",
        DEBUG="0",
        SECRET_KEY="bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEF",
        DJANGO_SETTINGS_MODULE=SETTINGS_MODULE,
        GEOCODER="fake",
    )
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", run_syncdb=True, verbosity=0)


def plain_table(sheet) -> str:
    """The sheet's rows and columns as a bare HTML table."""
    cells = [
        (
            row.name,
            row.baskets_text,
            row.products_text,
            "" if row.order_total is None else f"{row.order_total} €",
            f"{row.amount_due} €",
            "",
        )
        for row in sheet.rows
    ]
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>"
        for row in cells
    )
    return f"<!DOCTYPE html><html><body><table>{body}</table></body></html>"


def median_seconds(function, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return round(statistics.median(times), 3)


def measure(size: int, runs: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from weasyprint import HTML

    from amap.orders.sheet_exports import SHEET, build_document
    from amap.orders.sheets import distribution_sheet
    from tests.factories import CollectiveFactory
    from tests.orders.sheet_data import big_distribution

    distribution = big_distribution(collective=CollectiveFactory(), count=size)

    def build():
        return build_document(distribution=distribution, kind=SHEET, fmt="pdf")

    with CaptureQueriesContext(connection) as queries:
        build()
    html = plain_table(distribution_sheet(distribution))
    return {
        "members": size,
        "seconds": median_seconds(build, runs),
        "queries": len(queries),
        "floor_seconds": median_seconds(lambda: HTML(string=html).write_pdf(), runs),
    }


def main():
    args = parse_args()
    sizes = [args.members] if args.members else list(SIZES)
    with tempfile.TemporaryDirectory(prefix="amap-sheets-bench-") as directory:
        set_up_django(directory)
        from django.utils import translation
        from weasyprint import HTML

        HTML(string="<p>warm-up</p>").write_pdf()  # fonts load once
        with translation.override("fr"):
            results = [measure(size, args.runs) for size in sizes]
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
