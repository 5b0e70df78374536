"""The HTML report and the batch overview as people see them: opened in headless Chromium.

Each page is loaded from a file (no server, no network) with Debian's ``chromium``; the test
reads the DOM after the page's scripts ran (``--dump-dom``) and the browser's console log
(``--enable-logging=stderr``: every console message, an uncaught exception included, is a line
``INFO:CONSOLE...``; these pages log nothing, so any such line is a fault), and saves a
screenshot under the test's temporary folder. What a check needs the page to compute (the
position of the two sides of a row, the order after a click on a column heading) is measured
by a small probe script appended to a copy of the page, which writes its answer into the DOM.

Skipped, saying why, where Chromium is not installed (``.ci/run`` installs it with apt-get).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest

from fidelity.report import render_html
from fidelity.segment import segment_document
from fidelity.types import Change, Finding, Link, Report, Summary

CHROMIUM = next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed "
                                "(Debian: apt-get install chromium); the browser checks need it")
CONSOLE = re.compile(r":CONSOLE[^\]]*\]\s*(.*)")
PROBE = re.compile(r'<pre id="probe">(.*?)</pre>', re.S)


def chromium(page: Path, tmp: Path, shot: str | None = None) -> tuple[str, list[str]]:
    """Load ``page`` headless (and save a screenshot named ``shot`` in ``tmp``); the DOM after
    its scripts ran, and the console messages."""
    args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", f"--user-data-dir={tmp / 'profile'}",
            "--enable-logging=stderr", "--v=0", "--window-size=1280,1600", "--dump-dom"]
    if shot:
        args.append(f"--screenshot={tmp / shot}")
    done = subprocess.run(args + [page.as_uri()], capture_output=True, text=True, timeout=90,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr[-2000:]
    if shot:
        png = (tmp / shot).read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000, "no screenshot"
    return done.stdout, [m.group(1) for m in CONSOLE.finditer(done.stderr)]


def with_probe(html: str, script: str) -> str:
    """The page with a script run after its own, writing its answer into ``<pre id=probe>``."""
    probe = ('<pre id="probe"></pre><script>(function(){var out=document.getElementById("probe");'
             f'try {{ out.textContent = JSON.stringify((function(){{{script}}})()); }}'
             ' catch (e) { out.textContent = JSON.stringify({error: String(e)}); }})();</script>')
    assert html.count("</body>") == 1
    return html.replace("</body>", probe + "</body>")


def probe_answer(dom: str):
    import html as _html

    found = PROBE.search(dom)
    assert found, "the probe wrote nothing"
    return json.loads(_html.unescape(found.group(1)))


def sample_report() -> Report:
    """A small report with one finding of every kind the page draws (a terminology one too)."""
    pairs = [("Iran Told U.S. It Is Not Trying to Kill Trump", "Iran Memberi Tahu AS Tidak Berusaha Membunuh Trump"),
             ("The message was sent in October through an intermediary.",
              "Pesan itu dikirim pada bulan Oktober melalui perantara."),
             ("The meeting took place at a secret location in Manhattan.",
              "Pertemuan berlangsung di lokasi rahasia di New York."),
             ("Officials spoke on condition of anonymity.", "Memuat"),
             ("The embassy declined to comment.", "Kantor itu menolak berkomentar.")]
    source = segment_document("\n\n".join(p[0] for p in pairs), "en", "story.en.txt", presplit=True)
    target = segment_document("\n\n".join(p[1] for p in pairs), "id", "story.id.txt", presplit=True)
    links = [Link((0,), (0,), 0.61), Link((1,), (1,), 0.72), Link((2,), (2,), 0.55), Link((3,), ()),
             Link((), (3,)), Link((4,), (4,), 0.5)]
    s2, t2 = source.sentences[2], target.sentences[2]
    m, n = s2.start + s2.text.index("Manhattan"), t2.start + t2.text.index("New York")
    s4 = source.sentences[4]
    e = s4.start + s4.text.index("embassy")
    findings = [
        Finding("drift", "body", (2,), (2,), 0.55, "name changed: Manhattan -> New York",
                (Change("name", "Manhattan", "New York", ((m, m + 9),), ((n, n + 8),)),)),
        Finding("omission", "body", (3,), (), 0.1, "1 sentence not translated"),
        Finding("addition", "boilerplate", (), (3,), 0.0, "1 sentence with no source", severity="minor"),
        Finding("drift", "terminology", (4,), (4,), 0.5, 'term "embassy" not rendered as "kedutaan besar"',
                (Change("term", "embassy", "kedutaan besar", ((e, e + 7),)),), "minor"),
    ]
    return Report("0.1.0", "fidelity:0.1.0|test", source, target, links, findings,
                  Summary("issues", 5, 5, 0.8, 0.8, 1, 1, 2), {"tau": 0.3})


def test_console_errors_are_caught(tmp_path: Path) -> None:
    """The console check is not blind: a page whose script throws is caught."""
    page = tmp_path / "bad.html"
    page.write_text('<!doctype html><html><body><p id="x">a</p><script>'
                    'document.getElementById("x").textContent = "b"; notAFunction();</script></body></html>')
    dom, console = chromium(page, tmp_path)
    assert '<p id="x">b</p>' in dom
    assert any("Uncaught ReferenceError: notAFunction is not defined" in line for line in console)


def test_report_renders_without_console_errors(tmp_path: Path) -> None:
    report = sample_report()
    page = tmp_path / "report.html"
    page.write_text(render_html(report), encoding="utf-8")
    dom, console = chromium(page, tmp_path, "report.png")
    assert console == []
    assert "Side by side" in dom and "Manhattan" in dom and "kedutaan besar" in dom
    assert dom.count('<tr id="list-finding-') == len(report.findings)


def test_report_side_by_side_rows_line_up(tmp_path: Path) -> None:
    """The page does not claim synchronised scrolling: the two sides are the cells of one
    table row, so they scroll together by construction. Checked as rendered: each row's
    source and target cells start at the same height, in document order, after a scroll too."""
    page = tmp_path / "report.html"
    page.write_text(with_probe(render_html(sample_report()), """
        var rows = document.querySelectorAll("table.align tbody tr");
        window.scrollTo(0, 400);
        var out = [];
        rows.forEach(function (tr) {
          var s = tr.querySelector("td.src"), t = tr.querySelector("td.tgt");
          out.push([s.getBoundingClientRect().top, t.getBoundingClientRect().top]);
        });
        return {rows: out, scripts: document.scripts.length};
    """), encoding="utf-8")
    dom, console = chromium(page, tmp_path, "report-scrolled.png")
    assert console == []
    answer = probe_answer(dom)
    assert answer["scripts"] == 1  # the probe: the report itself has no script
    tops = answer["rows"]
    assert len(tops) == len(sample_report().links)
    assert all(abs(s - t) < 1 for s, t in tops)
    assert [s for s, _ in tops] == sorted(s for s, _ in tops)


def _records():
    from fidelity.batch.records import Record

    rows = [("bi-rate-cut", "issues", 7, 0.9), ("cebu-floods", "faithful", 0, 1.0),
            ("helioframe-trial", "issues", 3, 0.8), ("reef-bleaching", "unrelated", 12, 0.2)]
    out = []
    for slug, verdict, n, cov in rows:
        counts = {"omissions": n, "additions": 0, "drifts": 0, "partials": 0, "source_sentences": 20,
                  "target_sentences": 18}
        out.append(Record(slug, f"{slug}.en.txt", f"{slug}.id.txt", verdict, counts,
                          {"source": cov, "target": cov}, {"omission": {"major": n}} if n else {},
                          seconds=0.5, html=f"{slug}.html"))
    out.append(Record("broken", "broken.en.txt", "broken.id.txt", error="broken.en.txt: not UTF-8 text"))
    return out


def test_batch_index_sorts_by_a_column(tmp_path: Path) -> None:
    from fidelity.batch.summary import render_index

    summary = defaultdict(int, {"pairs": 5, "faithful": 1, "issues": 2, "unrelated": 1, "failed": 1,
                                "checked": 5, "reused": 0, "input": "pairs.tsv", "signature": "fidelity:test",
                                "ranking": "Ranked by severity."})
    html = render_index(_records(), summary)
    probed = tmp_path / "index-probe.html"
    probed.write_text(with_probe(html, """
        var table = document.getElementById("pairs");
        var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
        var col = heads.findIndex(function (h) { return h.textContent.trim() === "omissions"; });
        function order() {
          return Array.prototype.map.call(table.tBodies[0].rows, function (r) {
            return r.cells[0].getAttribute("data-sort"); });
        }
        var before = order();
        heads[col].click();
        var up = order(), upSort = heads[col].getAttribute("aria-sort");
        heads[col].click();
        return {col: col, before: before, up: up, upSort: upSort, down: order(),
                downSort: heads[col].getAttribute("aria-sort")};
    """), encoding="utf-8")
    dom, console = chromium(probed, tmp_path, "index.png")
    assert console == []  # the page's own sorting script ran (twice) without an error
    answer = probe_answer(dom)
    assert answer["col"] >= 0 and len(answer["before"]) == 5
    omissions = {"bi-rate-cut": 7, "cebu-floods": 0, "helioframe-trial": 3, "reef-bleaching": 12, "broken": -1}
    assert answer["upSort"] == "ascending" and answer["downSort"] == "descending"
    assert [omissions[s] for s in answer["up"]] == sorted(omissions.values())
    assert [omissions[s] for s in answer["down"]] == sorted(omissions.values(), reverse=True)
