"""Security: hostile names make safe files and display as text, parameters cannot inject code into
notebooks, and a run makes no network request (nor does its HTML when opened)."""

from __future__ import annotations

import csv
import html
import json
import os
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from conftest import TINY_FILES, assert_consistent, formula_cells, made_run, run_folder, run_rar, write_tiny
from devtools_page import Page
from rar_protocol.report.pdf import find_browser

DISTRICT = 'Ünïon "Dist" <b>x</b> ../../etc/passwd'
BUILDING = 'Cedar / ..\\..\\Élémentaire "O\'Neil"\nSecond line <script>alert(1)</script>'


def _hostile_names(config: Path) -> None:
    buildings = config.parent / "buildings.csv"
    text = buildings.read_text().replace("Tiny District", '"' + DISTRICT.replace('"', '""') + '"')
    text = text.replace("Cedar Elementary", '"' + BUILDING.replace('"', '""') + '"')
    buildings.write_text(text, encoding="utf-8")


def test_hostile_building_and_district_names_stay_inside_the_run_folder_and_display_escaped(guarded_run):
    review, out, _, _ = guarded_run
    folder = run_folder(out)
    manifest = assert_consistent(folder)  # every listed path resolves inside the run folder
    assert manifest["district_name"] == DISTRICT
    # Nothing was written outside the output folder, and no file or folder name carries a separator or newline.
    assert {path.name for path in review.iterdir()} == {"out", *TINY_FILES, "review.yaml"}
    for path in out.rglob("*"):
        assert path.resolve().is_relative_to(out.resolve()) and "\n" not in path.name and "\\" not in path.name and ".." not in path.name, path
    building = next(r for r in manifest["reports"] if r["building_code"] == "00003")
    assert building["status"] == "ok" and building["data_objects"]
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert html.escape(DISTRICT) in index and "<b>x</b>" not in index
    page = (folder / building["html"]).read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page and "Élémentaire" in page


# Names a spreadsheet would run as formulas (CSV injection): every export must hold them as text.
FORMULA_NAMES = ['=HYPERLINK("http://x","y")', "+SUM(1,2)", "-2+3", "@SUM(A1)", "\t=1+1", "=1+1"]
FORMULA_DISTRICT = '=HYPERLINK("http://example.invalid","District")'


def _formula_names(config: Path) -> None:
    """The sample's building names and district name made hostile in its copy."""
    path = config.parent / "data" / "buildings.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for number, row in enumerate(rows):
        row["building_name"] = f"{FORMULA_NAMES[number % len(FORMULA_NAMES)]} {row['building_code']}"
        row["district_name"] = FORMULA_DISTRICT
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    config.write_text(config.read_text(encoding="utf-8").replace("district_name: Lakeshore Example Public Schools (fictional)", f"district_name: '{FORMULA_DISTRICT}'"), encoding="utf-8")


def test_exports_of_a_run_with_formula_names_hold_no_formula(sample_copy, tmp_path):
    """Every CSV cell and every cell of every XLSX sheet of the run folder: no formula, no text beginning
    with = + - @ tab or CR unquoted; the hostile names are there, quoted, and negative numbers stay numbers."""
    _formula_names(sample_copy)
    folder = made_run(tmp_path / "out", str(sample_copy), "--building", "90041", "--formats", "html")
    exports = sorted(folder.rglob("*.csv")) + sorted(folder.rglob("*.xlsx"))
    assert len(exports) > 10, exports
    assert formula_cells(folder) == []
    text = "\n".join(path.read_text(encoding="utf-8-sig") for path in folder.rglob("*.csv"))
    assert "'=HYPERLINK(" in text and "'@SUM(A1) 90" in text
    numbers = pd.concat([pd.read_csv(path, encoding="utf-8-sig").select_dtypes("number") for path in folder.rglob("*.csv")], axis=1)
    assert (numbers < 0).any().any(), "no negative number left in any export: were numbers quoted too?"


def test_parameter_values_cannot_inject_code(tiny_review, tmp_path):
    marker = tmp_path / "INJECTED"
    # Would create the marker if it ever ran as code (the kernel gets RAR_* variables); has no "/".
    payload = '"; open(__import__("os").environ["RAR_TEST_MARKER"], "w").close(); x = "'
    environment = {"RAR_TEST_MARKER": str(marker)}
    sources = [path for path in tiny_review.parent.iterdir() if path.is_file()]
    # The review's path (injected into every notebook as config_path and output_folder) carries the payload.
    folder = tmp_path / ("review" + payload + "\nend")
    folder.mkdir()
    for path in sources:
        (folder / path.name).write_bytes(path.read_bytes())
    completed = run_rar("run", str(folder / "review.yaml"), "--out", str(folder / "out"), "--formats", "html", env=environment)
    assert completed.returncode == 0, completed.stderr
    assert not marker.exists()
    # A building code is a value from validated data; given through YAML or --building it is refused.
    with_code = folder / "review.yaml"
    with_code.write_text(with_code.read_text() + "buildings: [" + json.dumps("00003" + payload) + "]\n")
    refused = run_rar("run", str(with_code), "--out", str(tmp_path / "out2"), "--formats", "html", env=environment)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    refused = run_rar("run", str(tiny_review), "--building", "00003" + payload, "--out", str(tmp_path / "out3"), "--formats", "html", env=environment)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert not marker.exists() and not (tmp_path / "out2").exists() and not (tmp_path / "out3").exists()


SITECUSTOMIZE = '''
"""Loaded by every Python process of the run: refuse and record any connection off this machine."""
import os, socket

LOG = os.environ["RAR_TEST_NETWORK_LOG"]


def _record(what):
    with open(LOG, "a", encoding="utf-8") as log:
        log.write(f"{os.getpid()} {what}\\n")


def _allowed(address):
    if isinstance(address, (str, bytes)):  # a Unix socket path
        return True
    host = str(address[0])
    return host in ("127.0.0.1", "::1", "localhost") or host.startswith("127.")


_connect, _connect_ex, _create_connection = socket.socket.connect, socket.socket.connect_ex, socket.create_connection


def connect(self, address):
    if not _allowed(address):
        _record(f"BLOCKED connect {address!r}")
        raise OSError("network blocked by test")
    return _connect(self, address)


def connect_ex(self, address):
    if not _allowed(address):
        _record(f"BLOCKED connect_ex {address!r}")
        raise OSError("network blocked by test")
    return _connect_ex(self, address)


def create_connection(address, *args, **kwargs):
    if not _allowed(address):
        _record(f"BLOCKED create_connection {address!r}")
        raise OSError("network blocked by test")
    return _create_connection(address, *args, **kwargs)


socket.socket.connect, socket.socket.connect_ex, socket.create_connection = connect, connect_ex, create_connection
_record("loaded")
'''


@pytest.fixture(scope="module")
def guarded_run(tmp_path_factory):
    """One run of the tiny review with hostile building and district names, in processes that refuse
    and record any connection off the machine (HTML, and PDF where a browser is found).
    Returns (review folder, output folder, completed process, network log)."""
    review = tmp_path_factory.mktemp("hostile")
    _hostile_names(write_tiny(review))
    hooks = tmp_path_factory.mktemp("hooks")
    (hooks / "sitecustomize.py").write_text(textwrap.dedent(SITECUSTOMIZE))
    log = hooks / "network.log"
    environment = {
        "PYTHONPATH": os.pathsep.join(filter(None, [str(hooks), os.environ.get("PYTHONPATH")])),
        "RAR_TEST_NETWORK_LOG": str(log),
        # A proxy setting must not send anything off the machine either.
        "HTTP_PROXY": "http://proxy.invalid:3128",
        "HTTPS_PROXY": "http://proxy.invalid:3128",
    }
    formats = "html,pdf" if find_browser() else "html"
    out = review / "out"
    completed = run_rar("run", str(review / "review.yaml"), "--out", str(out), "--formats", formats, env=environment)
    assert completed.returncode == 0, completed.stderr
    return review, out, completed, log


def test_a_run_makes_no_network_request_and_its_html_loads_nothing_remote(guarded_run):
    _, out, _, log = guarded_run
    lines = log.read_text().splitlines()
    assert len({line.split()[0] for line in lines if line.endswith("loaded")}) >= 2  # the command and its kernel server
    assert [line for line in lines if "BLOCKED" in line] == []
    folder = run_folder(out)
    if find_browser() is None:
        pytest.skip("no Chromium-family browser to open the HTML report with")
    page = Page(find_browser())
    try:
        for document in [folder / "index.html", *sorted((folder / "reports").glob("*.html"))]:
            page.open(document)
            urls = page.requested_urls()
            assert urls and all(url.startswith(("file:", "data:")) for url in urls), (document.name, urls)
    finally:
        page.close()
