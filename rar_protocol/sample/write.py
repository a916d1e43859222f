"""Writing the tables: one CSV file a table, each written whole or not at all; ``main`` regenerates the sample district."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from rar_protocol.data import schema
from rar_protocol.files import write_atomically
from rar_protocol.sample.simulate import generate_district


def write_tables(tables: dict[str, pd.DataFrame], folder: Path) -> list[Path]:
    """Write ``<table>.csv`` for each table (UTF-8, no index); return the paths written.

    Codes stay text, money is rounded to cents, whole-number counts are written without ".0",
    and each file appears complete or not at all (written beside, then renamed).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in tables.items():
        out = frame.copy()
        spec = schema.TABLES.get(name)
        kinds = {column.name: column.kind for column in spec.columns} if spec else {}
        for column in out.columns:
            kind = kinds.get(column)
            if kind == schema.MONEY:
                out[column] = out[column].round(2)
            elif kind in (schema.COUNT, schema.NUMBER) and pd.api.types.is_float_dtype(out[column]):
                values = out[column].dropna()
                if len(values) and (values == values.round()).all():
                    out[column] = out[column].astype("Int64")
        written.append(write_atomically(folder / f"{name}.csv", out.to_csv(index=False, lineterminator="\n").encode("utf-8")))
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Regenerate the sample district's CSV files (default: data/sample)."""
    parser = argparse.ArgumentParser(prog="python -m rar_protocol.sample", description=main.__doc__)
    parser.add_argument("--buildings", type=int, default=12, help="number of buildings (at least 6)")
    parser.add_argument("--out", type=Path, default=Path("data/sample"), help="folder to write the CSV files into")
    parser.add_argument("--seed", type=int, default=2024, help="random seed; the same seed gives the same files")
    arguments = parser.parse_args(argv)
    tables = generate_district(buildings=arguments.buildings, seed=arguments.seed)
    for path in write_tables(tables, arguments.out):
        print(f"wrote {path} ({len(tables[path.stem]):,} rows)")
    return 0
