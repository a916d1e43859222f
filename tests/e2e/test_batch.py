"""Batch runs across reviews: several review files make an ISD run; --resume needs a run folder.

(One report's failure and --resume finishing the job are in test_faults.py.)"""

import shutil

from conftest import run_rar


def test_resume_needs_a_run_folder(tmp_path):
    completed = run_rar("run", "--resume", str(tmp_path))
    assert completed.returncode == 2 and "not a run folder" in completed.stderr


def test_several_reviews_get_an_isd_index(tiny_review, tmp_path):
    second = tmp_path / "second"
    second.mkdir()
    for path in tiny_review.parent.glob("*.*"):
        shutil.copy(path, second / path.name)
    (second / "review.yaml").write_text((second / "review.yaml").read_text().replace('"01234"', '"04321"'))
    (second / "buildings.csv").write_text((second / "buildings.csv").read_text().replace("01234,Tiny District", "04321,Second District"))
    out = tmp_path / "isd"
    completed = run_rar("run", str(tiny_review), str(second / "review.yaml"), "--out", str(out), "--formats", "html")
    assert completed.returncode == 0, completed.stderr
    index = (out / "index.html").read_text()
    assert "01234/" in index and "04321/" in index and "Second District" in index
