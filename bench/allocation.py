"""How long the group-purchase allocation takes, pure Python, no database.

For each size (1,000, 10,000 and 100,000 pledges spread over 50 items, or
`--pledges N` for one size), builds random but reproducible pledges (1 to 12
units, a tolerance of 0 to 4 for one pledge in two, cases of 6 to 24 units,
three price tiers, a stock limit on one item in five) and times
`allocate(items, policy)` for both policies, then prints a JSON list, one
object per size:

    pledges              the number of pledges
    items                the number of items
    seconds              median of `--runs` runs (default 5), fair share (the
                         slower policy, and the default)
    seconds_first_come   the same for first come, first served

    .venv/bin/python bench/allocation.py [--pledges 10000] [--runs 5]
"""

import argparse
import json
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from amap.groupbuy.allocation import (  # noqa: E402
    ItemInput,
    PledgeInput,
    Policy,
    Tier,
    allocate,
)

SIZES = (1_000, 10_000, 100_000)
ITEMS = 50
START = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def build_items(pledges: int, items: int, seed: int = 48) -> list[ItemInput]:
    rng = random.Random(seed)
    per_item = [[] for _ in range(items)]
    for key in range(pledges):
        per_item[key % items].append(
            PledgeInput(
                key=key,
                quantity=rng.randint(1, 12),
                tolerance=rng.choice((0, 0, 1, 2, 3, 4)),
                pledged_at=START + timedelta(seconds=rng.randint(0, 14 * 86400)),
            )
        )
    result = []
    for index, found in enumerate(per_item):
        case_size = rng.choice((6, 10, 12, 24))
        base = sum(p.quantity for p in found) // case_size
        result.append(
            ItemInput(
                key=index,
                case_size=case_size,
                pledges=tuple(found),
                max_cases=max(1, base * 4 // 5) if index % 5 == 0 else None,
                tiers=(
                    Tier(0, Decimal("2.40")),
                    Tier(10, Decimal("2.10")),
                    Tier(25, Decimal("1.95")),
                ),
            )
        )
    return result


def median_seconds(inputs: list[ItemInput], policy: Policy, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        allocate(inputs, policy)
        times.append(time.perf_counter() - started)
    return round(statistics.median(times), 4)


def measure(pledges: int, items: int, runs: int) -> dict:
    inputs = build_items(pledges, items)
    return {
        "pledges": pledges,
        "items": items,
        "seconds": median_seconds(inputs, Policy.FAIR_SHARE, runs),
        "seconds_first_come": median_seconds(inputs, Policy.FIRST_COME, runs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pledges", type=int, help="one size instead of three")
    parser.add_argument("--items", type=int, default=ITEMS)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    sizes = (args.pledges,) if args.pledges else SIZES
    results = [measure(size, args.items, args.runs) for size in sizes]
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
