"""The decision brief of every command: the answer first, self-contained, prints on a few
pages with nothing clipped.

Each brief is made through the CLI on small settings; the browser checks print it to PDF
with headless Chromium (counting pages) and lay it out at A4 width in print media
(nothing wider than the page). Without chromium the browser checks skip, or fail under
CSSIM_REQUIRE_BROWSER (as in tests/test_outputs.py).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from simulator.cli import cli

pytestmark = pytest.mark.xdist_group("brief")  # one worker makes the briefs once

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "scenarios" / "default.yaml"
SIX = ROOT / "scenarios" / "cfo_six.yaml"
HISTORY = ROOT / "scenarios" / "data" / "history"
TOP = ["--set", "segments.mid=null", "--set", "segments.smb=null", "-j", "1", "-q"]

COMMANDS: dict[str, list[str]] = {
    "run": ["run", str(DEFAULT), "-n", "2", "--frontier", *TOP],
    "compare": ["compare", str(DEFAULT), str(SIX), "-n", "2", *TOP],
    "decide": [
        "decide",
        str(DEFAULT),
        str(SIX),
        "--draws",
        "4",
        "--sensitivity-replications",
        "1",
        *TOP,
    ],
    "solve": ["solve", str(DEFAULT), "-n", "2", *TOP],
    "tradeoff": [
        "tradeoff",
        str(DEFAULT),
        "--team",
        "top",
        "--csms",
        "6",
        "-n",
        "2",
        "--max-replications",
        "2",
        *TOP,
    ],
    "hire": ["hire", str(DEFAULT), "-q"],
    "backtest": [
        "backtest",
        str(HISTORY / "customers.csv"),
        "--activities",
        str(HISTORY / "activities.csv"),
        "--as-of",
        "2025-10-31",
        "--list-date",
        "2026-10-31",
        "-n",
        "20",
        "--horizon-days",
        "90",
        "-j",
        "2",
        "-q",
    ],
}
"""Each command on settings small enough for the suite."""

MAX_PAGES = {
    "run": 6,
    "compare": 5,
    "decide": 4,
    "solve": 4,
    "tradeoff": 5,
    "hire": 5,
    "backtest": 4,
}
"""Printed pages (A4 or Letter) each brief may take."""

ANSWER = {
    "run": "net value over the plan",
    "compare": "CFO offer - top tier at 6 CSMs vs Default plan (worked example), top: saves",
    "decide": "expected net value",
    "solve": "top: hire",
    "tradeoff": "6 CSMs saves",
    "hire": "requisition",
    "backtest": "90% intervals held",
}
"""A phrase of each command's headline that must come before the first chart."""


@pytest.fixture(scope="module")
def briefs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("briefs")
    pages = {}
    for name, args in COMMANDS.items():
        page = out / f"{name}.html"
        res = CliRunner().invoke(cli, [*args, "--html", str(page)])
        assert res.exit_code == 0, (name, res.output)
        pages[name] = page
    return pages


@pytest.mark.parametrize("name", list(COMMANDS))
def test_brief_leads_with_the_answer(briefs: dict[str, Path], name: str) -> None:
    text = briefs[name].read_text(encoding="utf-8")
    first_chart = text.find("<figure")
    assert first_chart > 0, "the brief shows a chart"
    head = text[:first_chart]
    assert ANSWER[name] in head, f"{name}: the answer is not before the first chart"
    assert head.index('class="lead"') < head.index('class="numbers"')
    assert "<script" not in text.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text), "external reference"
    assert not re.search(r"url\(\s*['\"]?(?!#)", text), "url() to anything but an in-page id"
    assert "@media print" in text and "break-before: page" in text
    details = [x.strip() for x in re.findall(r"<details[^>]*>\s*<summary>([^<]*)", text)]
    if name not in ("hire", "backtest"):
        assert "Assumptions" in details, f"{name}: assumptions not collapsed ({details})"
        tail = text[text.index("<details") :]
        assert "Assumptions" in tail and "<table" in tail


def test_html_output_is_checked_before_any_simulation(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "brief.html"
    for args in (
        ["run", str(DEFAULT), "-n", "2", "--html", str(missing)],
        ["solve", str(DEFAULT), "-n", "2", "-o", str(missing)],
        ["compare", str(DEFAULT), str(SIX), "--html", str(tmp_path / "brief.txt")],
        ["decide", str(DEFAULT), str(SIX), "-o", str(missing)],
        ["tradeoff", "--team", "top", "--csms", "6", "--html", str(missing)],
        ["hire", "--html", str(DEFAULT)],
    ):
        res = CliRunner().invoke(cli, args)
        assert res.exit_code != 0, args
        assert "replications" not in res.output.lower() or "error" in res.output.lower()
        assert not missing.exists()
    # -o FILE.html writes the same brief as --html
    page = tmp_path / "hire.html"
    res = CliRunner().invoke(cli, ["hire", str(DEFAULT), "-q", "-o", str(page)])
    assert res.exit_code == 0, res.output
    assert "when to hire" in page.read_text(encoding="utf-8")


def _chromium() -> str | None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        if os.environ.get("CSSIM_REQUIRE_BROWSER"):
            pytest.fail("chromium is not installed (make test installs Debian's chromium)")
        pytest.skip("chromium not installed; make test installs it")
    return browser


def pdf_pages(pdf: bytes) -> int:
    """Pages of a PDF: its ``/Type /Page`` objects (not ``/Pages``)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-z])", pdf))


def print_to_pdf(browser: str, page: Path, pdf: Path) -> int:
    """Print ``page`` with headless Chromium (A4-ish default paper) and count the pages."""
    subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return pdf_pages(pdf.read_bytes())


_CLIPPED = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll('table, figure svg, .numbers, p, li')) {
    const r = el.getBoundingClientRect();
    if (r.right > width + 1 || el.scrollWidth > el.clientWidth + 1 && el.tagName !== 'svg')
      out.push(el.tagName + ':' + (el.textContent || '').slice(0, 40));
  }
  if (document.documentElement.scrollWidth > width + 1) out.push('page wider than paper');
  return out;
}"""


_BROKEN_WORDS = """() => {
  const out = [];
  for (const el of document.querySelectorAll('th, td.n')) {
    const node = el.firstChild;
    if (!node || node.nodeType !== 3) continue;
    const re = /[^\\s-]+/g;
    let m;
    while ((m = re.exec(node.textContent))) {
      const r = document.createRange();
      r.setStart(node, m.index);
      r.setEnd(node, m.index + m[0].length);
      const tops = new Set([...r.getClientRects()].map((x) => Math.round(x.top)));
      if (tops.size > 1) out.push(el.tagName + ':' + m[0]);
    }
  }
  return out;
}"""
"""Words of table headers and numbers split over two lines (a header breaks only between
words, or after a hyphen; a number never)."""


def test_wide_tables_print_small_and_headers_break_between_words() -> None:
    from simulator.report.brief_css import BRIEF_CSS
    from simulator.report.html import WIDE, table_html
    from simulator.report.layout import Block, Col

    th = re.search(r"\bth \{([^}]*)\}", BRIEF_CSS)
    assert th is not None and "overflow-wrap: normal" in th.group(1)
    assert "hyphens: manual" in th.group(1)
    assert re.search(r"table\.wide \{ font-size: [0-9.]+pt", BRIEF_CSS)
    cols = [Col(f"c{i}", f"Column number {i}", "num0") for i in range(WIDE)]
    wide = table_html(Block("", cols, [{f"c{i}": i for i in range(WIDE)}]), "USD")
    assert '<table class="wide">' in wide
    narrow = table_html(Block("", cols[:3], [{"c0": "a" * 30}]), "USD")
    assert '<table class="long">' in narrow  # a 30-letter word may break anywhere


def test_briefs_print_on_a_few_pages_with_nothing_clipped(
    briefs: dict[str, Path], tmp_path: Path
) -> None:
    browser = _chromium()
    assert browser is not None
    from playwright.sync_api import sync_playwright

    pages = {
        name: print_to_pdf(browser, page, tmp_path / f"{name}.pdf") for name, page in briefs.items()
    }
    for name, n in pages.items():
        assert 1 <= n <= MAX_PAGES[name], f"{name}: {n} printed pages"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=browser, args=["--no-sandbox", "--disable-gpu"])
        try:
            for name, page in briefs.items():
                # the first screen: the answer and the key numbers within 1400 x 900
                tab = b.new_page(viewport={"width": 1400, "height": 900})
                requests: list[str] = []
                tab.on("request", lambda r, seen=requests: seen.append(r.url))
                tab.goto(page.as_uri())
                lead = tab.evaluate("document.querySelector('p.lead').getBoundingClientRect().top")
                numbers = tab.evaluate(
                    "document.querySelector('.numbers').getBoundingClientRect().top"
                )
                assert lead < 200 and numbers < 900, (name, lead, numbers)
                assert requests == [page.as_uri()], f"{name} loaded something besides itself"
                # printed on A4 (794 px at 96 dpi less 12 mm margins): nothing wider
                tab.set_viewport_size({"width": 703, "height": 1000})
                tab.emulate_media(media="print")
                clipped = tab.evaluate(_CLIPPED)
                assert clipped == [], (name, clipped[:5])
                broken = tab.evaluate(_BROKEN_WORDS)
                assert broken == [], (name, broken[:8])
                tab.close()
        finally:
            b.close()
