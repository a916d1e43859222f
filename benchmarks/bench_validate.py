"""Benchmark: what `rar validate` costs on the sample review (with its determination file), and
how many matplotlib figures it makes. Prints figures; asserts nothing.

    python benchmarks/bench_validate.py [CONFIG] [--repeat 3]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402

PROJECT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("config", nargs="?", type=Path, default=PROJECT / "parameters" / "sample.yaml")
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    from rar_protocol.cli import main as rar

    made = [0]
    original = Figure.__init__

    def counting(self, *args, **kwargs):
        made[0] += 1
        original(self, *args, **kwargs)

    Figure.__init__ = counting
    seconds = []
    for _ in range(arguments.repeat):
        made[0] = 0
        start = time.process_time()
        with contextlib.redirect_stdout(io.StringIO()):
            code = rar(["validate", str(arguments.config)])
        seconds.append(time.process_time() - start)
    print(f"rar validate {arguments.config.name}: exit {code}, {statistics.median(seconds):.2f} CPU-seconds (median of {arguments.repeat}), {made[0]} figures made")


if __name__ == "__main__":
    main()
