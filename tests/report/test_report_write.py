"""Writing reports: HTML and Markdown files, atomic replacement, clear errors for bad paths."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from _report_helpers import save_run, store_at

import tradetalks.report as rp
from tradetalks._errors import InputError
from tradetalks.report import _write
from tradetalks.report._write import infer_format


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> rp.Report:
    store = store_at(tmp_path_factory.mktemp("write-store"))
    return rp.build_report(store.get_run(save_run(store, "analyze")))


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".part"))


def test_html_file(report: rp.Report, tmp_path: Path) -> None:
    written = rp.write_report(report, tmp_path / "page.html")
    assert written.images == ()
    text = written.path.read_text(encoding="utf-8")
    assert text == rp.render_html(report)
    assert oct(written.path.stat().st_mode & 0o777) == oct(0o644)
    assert leftovers(tmp_path) == []


def test_markdown_writes_its_plots_beside_it(report: rp.Report, tmp_path: Path) -> None:
    written = rp.write_report(report, tmp_path / "out.md")
    assert {p.name for p in written.images} == {f"out-{f.slug}.svg" for f in report.figures}
    text = written.path.read_text(encoding="utf-8")
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert sorted(links) == sorted(p.name for p in written.images)
    for figure in report.figures:
        assert (tmp_path / f"out-{figure.slug}.svg").read_text(encoding="utf-8") == figure.svg
    assert "## The talks" in text and "| issue |" in text
    assert "> No concession curves" in text  # an analyze run says what it lacks
    assert leftovers(tmp_path) == []


def test_format_inference() -> None:
    assert infer_format(Path("a.md"), None) == "md"
    assert infer_format(Path("a.html"), None) == "html"
    assert infer_format(Path("a.txt"), None) == "html"
    assert infer_format(None, None) == "html"
    assert infer_format(Path("a.md"), "html") == "html"
    with pytest.raises(InputError, match="unknown report format 'pdf'"):
        infer_format(None, "pdf")


def test_missing_directory_is_a_clear_input_error(report: rp.Report, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"directory .*nowhere does not exist"):
        rp.write_report(report, tmp_path / "nowhere" / "r.html")
    with pytest.raises(InputError, match="is a directory"):
        rp.write_report(report, tmp_path)


def test_failed_render_leaves_no_file(
    report: rp.Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "r.html"
    target.write_text("old report")

    def broken(_: rp.Report) -> str:
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(_write, "render_html", broken)
    with pytest.raises(RuntimeError):
        rp.write_report(report, target)
    assert target.read_text() == "old report"
    assert leftovers(tmp_path) == []


def test_interrupted_write_keeps_the_old_file(
    report: rp.Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write cut short (Ctrl-C, disk full) leaves the old report whole and no temp file."""
    target = tmp_path / "r.html"
    target.write_text("old report")
    real_fsync = os.fsync
    calls: list[int] = []

    def interrupted(fd: int) -> None:
        calls.append(fd)
        raise KeyboardInterrupt

    monkeypatch.setattr(_write.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        rp.write_report(report, target)
    assert calls, "the write went through fsync"
    assert target.read_text() == "old report"
    assert leftovers(tmp_path) == []

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_write.os, "fsync", disk_full)
    with pytest.raises(InputError, match="No space left on device"):
        rp.write_report(report, target)
    assert target.read_text() == "old report"
    assert leftovers(tmp_path) == []
    monkeypatch.setattr(_write.os, "fsync", real_fsync)
    rp.write_report(report, target)
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_unwritable_directory_is_an_input_error(
    report: rp.Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def denied(**_: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(_write.tempfile, "mkstemp", denied)
    with pytest.raises(InputError, match="cannot write the report: Permission denied"):
        rp.write_report(report, tmp_path / "r.html")
    assert list(tmp_path.iterdir()) == []
