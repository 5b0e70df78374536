"""Tests of fidelity.report: the table, the JSON contract, the HTML page and atomic writes."""

from __future__ import annotations

import json
import os
import re
import stat
from html.parser import HTMLParser
from importlib import resources

import pytest

from fidelity import report as rep
from fidelity.types import Change, Document, Finding, Link, Report, Sentence, Summary

SCRIPT_EN = 'Investigators said the embassy site had been altered to load <script>alert("pwned")</script> code.'
SCRIPT_ID = 'Penyelidik mengatakan situs kedutaan telah diubah untuk memuat kode <script>alert("pwned")</script>.'

EN_PARAGRAPHS = [
    ["Iran Told U.S. That It’s Not Trying to Kill Trump"],
    ["Advertisement"],
    ["Iran sent a message to the Biden administration in October saying that it was not trying "
     "to kill Donald J. Trump.",
     "The message was sent to Washington through an intermediary.",
     "The officials interviewed for this story spoke on condition of anonymity to discuss "
     "sensitive diplomatic messages."],
    ["The United States and Iran have had no formal diplomatic relations since the 1979 "
     "revolution, when 52 Americans were taken hostage at the U.S. Embassy in Tehran.",
     "The meeting with Ambassador Amir Saeid Iravani took place at a secret location in Manhattan.",
     SCRIPT_EN],
]
ID_PARAGRAPHS = [
    ["Iran Memberi Tahu AS Bahwa Mereka Tidak Berusaha Membunuh Trump"],
    ["Iran mengirim pesan melalui perantara kepada pemerintahan Biden pada bulan Oktober yang "
     "mengatakan bahwa mereka tidak berusaha membunuh Donald J. Trump.",
     "Memuat"],
    ["AS dan Iran belum memiliki hubungan diplomatik resmi sejak revolusi 1979, ketika 25 orang "
     "Amerika disandera di Kedutaan Besar AS di Teheran.",
     "Pertemuan dengan Duta Besar Amir Saeid Iravani berlangsung di lokasi rahasia di New York.",
     SCRIPT_ID],
]
CONTRACT_KEYS = ["fidelity_version", "signature", "source", "target", "links", "findings", "summary"]
SIGNATURE = ("fidelity:0.1.0|model:fidelity-en-id-static#ab12cd34|seg:punkt-en,punkt-id|"
             "tau:0.42|device:cpu")


def make_doc(paragraphs: list[list[str]], lang: str, path: str | None) -> Document:
    """A Document whose sentences carry true offsets into its text (paragraphs split by a blank line)."""
    text = ""
    sentences: list[Sentence] = []
    for p, sents in enumerate(paragraphs):
        if p:
            text += "\n\n"
        for k, sent in enumerate(sents):
            if k:
                text += " "
            sentences.append(Sentence(len(sentences), sent, p, len(text), len(text) + len(sent)))
            text += sent
    return Document(text, lang, sentences, path)


def make_report() -> Report:
    source = make_doc(EN_PARAGRAPHS, "en", "articles/iran-trump.en.txt")
    target = make_doc(ID_PARAGRAPHS, "id", "articles/iran-trump.id.txt")
    links = [Link((0,), (0,), 0.912), Link((1,), ()), Link((2, 3), (1,), 0.8437), Link((4,), ()),
             Link((), (2,)), Link((5,), (3,), 0.8811), Link((6,), (4,), 0.7902),
             Link((7,), (5,), 0.8633)]
    findings = [
        Finding("omission", "body", (4,), (), 0.3104,
                "1 source sentence(s) not translated (body); best match scored 0.31"),
        Finding("addition", "boilerplate", (), (2,), 0.1207,
                "1 target sentence(s) with no source (boilerplate); best match scored 0.12"),
        Finding("drift", "body", (5,), (3,), 0.8811, "number changed: 52 -> 25"),
        Finding("drift", "body", (6,), (4,), 0.7902, "name changed: Manhattan -> New York"),
    ]
    summary = Summary("issues", 8, 6, 6 / 8, 5 / 6, 1, 1, 2)
    return Report("0.1.0", SIGNATURE, source, target, links, findings, summary,
                  {"model": "fidelity-en-id-static", "tau": 0.42})


def make_faithful_report() -> Report:
    source = make_doc([["The ceasefire held overnight.", "Aid trucks entered the city at dawn."]], "en", None)
    target = make_doc([["Gencatan senjata bertahan semalam.", "Truk bantuan memasuki kota saat fajar."]], "id", None)
    links = [Link((0,), (0,), 0.93), Link((1,), (1,), 0.9)]
    return Report("0.1.0", SIGNATURE, source, target, links, [],
                  Summary("faithful", 2, 2, 1.0, 1.0, 0, 0, 0))


@pytest.fixture(scope="module")
def report() -> Report:
    return make_report()


# --------------------------------------------------------------------------- helpers

def test_excerpt_flattens_and_shortens_on_a_word_boundary():
    text = "The officials interviewed for this story\nspoke on condition of anonymity to discuss it."
    short = rep.excerpt(text, 40)
    assert len(short) <= 40 and short.endswith("…")
    assert "\n" not in short
    assert short == "The officials interviewed for this…"
    assert rep.excerpt("Short one.", 40) == "Short one."
    assert rep.excerpt("x" * 50, 10) == "x" * 9 + "…"


def test_excerpt_drops_control_characters():
    assert rep.excerpt("Clear\x1b[2J screen\x07 now", 60) == "Clear[2J screen now"


def test_finding_rows_join_whole_passages(report):
    rows = rep.finding_rows(report)
    assert [r.number for r in rows] == [1, 2, 3, 4]
    assert rows[0].source_text == EN_PARAGRAPHS[2][2] and rows[0].target_text == ""
    assert rows[1].target_text == "Memuat" and rows[1].category == "boilerplate"
    assert rows[3].source_text == EN_PARAGRAPHS[3][1] and rows[3].target_text == ID_PARAGRAPHS[2][1]
    assert rows[2].score == "0.88"


def test_drift_terms_parse_finding_messages():
    assert rep.drift_terms("name changed: Manhattan -> New York") == (["Manhattan"], ["New York"])
    assert rep.drift_terms("number changed: 52, 1,000 -> 25; name spelled differently: Saied -> Saeid") \
        == (["52", "1,000", "Saied"], ["25", "Saeid"])
    assert rep.drift_terms("number missing in translation: 52") == (["52"], [])


def test_mark_terms_escapes_and_marks_whole_words_only():
    html = rep.mark_terms("In 1952, 52 <b>hostages</b> & more", ["52"])
    assert str(html) == "In 1952, <mark>52</mark> &lt;b&gt;hostages&lt;/b&gt; &amp; more"


# --------------------------------------------------------------------------- table

def _table_rows(text: str) -> list[str]:
    """The head line of each finding in a table."""
    return [line for line in text.splitlines()
            if re.match(r"\s*\d+\s{2}(omission|addition|partial|drift)\s{2}", line)]


def _finding_blocks(text: str) -> list[list[str]]:
    """Each finding's lines: its head line and the lines under it, up to the next one."""
    heads = set(_table_rows(text))
    blocks: list[list[str]] = []
    lines = text.splitlines()
    start = next(k for k, line in enumerate(lines) if line.split()[:2] == ["#", "type"]) + 1
    for line in lines[start:lines.index("", start)]:
        if line in heads:
            blocks.append([line])
        elif blocks:
            blocks[-1].append(line)
    return blocks


def test_table_has_one_head_line_per_finding_with_its_passages_under_it(report):
    text = rep.render_table(report)
    rows = _table_rows(text)
    assert [r.split()[1:4] for r in rows] == [["omission", "major", "body"], ["addition", "major", "boilerplate"],
                                              ["drift", "major", "body"], ["drift", "major", "body"]]
    blocks = _finding_blocks(text)
    assert len(blocks) == 4
    first = " ".join(line.strip() for line in blocks[0])
    # The whole omitted sentence, wrapped, not cut to an excerpt; no target line for an omission.
    assert "The officials interviewed for this story spoke on condition of anonymity to discuss " \
           "sensitive diplomatic messages." in first
    assert not any(line.lstrip().startswith("id ") for line in blocks[0])
    assert any(line.lstrip().startswith("id  Memuat") for line in blocks[1])
    assert "0.31" in rows[0] and "0.12" in rows[1]
    assert "number changed: 52 -> 25" in rows[2]
    assert "name changed: Manhattan -> New York" in rows[3]
    assert "\x1b" not in text
    assert text.splitlines()[2].split() == ["#", "type", "severity", "category", "score", "what"]


def test_table_summary_score_line_and_signature_only_when_verbose(report):
    text = rep.render_table(report, width=200)
    assert ("verdict: issues | source coverage 75% of 8 sentences | target coverage 83% of 6 "
            "sentences | 1 omission, 1 addition, 0 partials, 2 drifts") in text
    assert rep.SCORE_LINE in text.splitlines()
    assert "signature" not in text and SIGNATURE not in text
    verbose = rep.render_table(report, verbose=True)
    assert verbose.rstrip().endswith(f"signature: {SIGNATURE}")
    assert verbose.startswith(text.split("verdict:")[0][:40])
    assert text.splitlines()[0] == "articles/iran-trump.en.txt [en] -> articles/iran-trump.id.txt [id]"


@pytest.mark.parametrize("width", [60, 80, 100, 120, 200])
def test_table_fits_the_width_and_loses_nothing(report, width):
    text = rep.render_table(report, width=width)
    assert max(len(line) for line in text.splitlines()) <= width
    blocks = _finding_blocks(text)
    assert len(blocks) == 4
    words = lambda s: " ".join(s.split())  # noqa: E731
    joined = [words(" ".join(line.strip() for line in block)) for block in blocks]
    # Every note appears whole, whatever the width; so does every passage of up to three
    # lines (these sentences' longest takes three lines at 80 columns, four at 60).
    assert "number changed: 52 -> 25" in joined[2] and "name changed: Manhattan -> New York" in joined[3]
    if width < 80:
        return
    for block, finding in zip(joined, report.findings):
        for i in finding.source:
            assert words(report.source.sentences[i].text) in block
        for j in finding.target:
            assert words(report.target.sentences[j].text) in block


def test_table_at_80_and_120_columns_through_the_command_line_width():
    """What ``fidelity check`` prints in an 80- and a 120-column terminal: no line longer,
    every note present, the long passages wrapped onto a few lines each."""
    report = make_report()
    narrow, wide = rep.render_table(report, width=80), rep.render_table(report, width=120)
    assert len(narrow.splitlines()) > len(wide.splitlines())
    for text, width in ((narrow, 80), (wide, 120)):
        assert max(len(line) for line in text.splitlines()) <= width
        assert "number changed: 52 -> 25" in text and "1 source sentence(s) not translated" in text


def test_long_passages_are_cut_after_a_few_lines():
    long_en = " ".join(f"Sentence number {k} says something about the budget." for k in range(40))
    source = make_doc([[long_en]], "en", None)
    target = make_doc([["Anggaran."]], "id", None)
    report = Report("0.1.0", SIGNATURE, source, target, [Link((0,), ()), Link((), (0,))],
                    [Finding("omission", "body", (0,), (), 0.1, "1 sentence not translated", severity="critical")],
                    Summary("issues", 1, 1, 0.0, 0.0, 1, 0, 0))
    block = _finding_blocks(rep.render_table(report, width=80))[0]
    assert "critical" in block[0]
    passage = [line for line in block[1:] if line.startswith(" " * 4)]
    assert len(passage) == rep.PASSAGE_LINES and passage[-1].endswith("…")


def test_table_notes_lead_with_what_changed():
    """The score and category columns already say what the remarks in parentheses say; a
    change the message names last (an outlet translated word by word) comes first."""
    assert rep.table_note("1 sentence not translated (closest target sentence scored 0.03)") \
        == "1 sentence not translated"
    assert rep.table_note("1 sentence with no source (page furniture or scrape junk) (closest source "
                          "sentence scored -0.29); outlet name translated word by word: The New York "
                          "Times -> Waktu New York") \
        == ("outlet name translated word by word: The New York Times -> Waktu New York; "
            "1 sentence with no source")
    assert rep.table_note("name changed: Manhattan -> New York") == "name changed: Manhattan -> New York"


def test_table_colour_only_on_request(report):
    text = rep.render_table(report, color=True)
    assert "\x1b[31momission\x1b[0m" in text and "\x1b[34mdrift\x1b[0m" in text
    plain = re.sub(r"\x1b\[\d+m", "", text)
    assert len(_table_rows(plain)) == 4 and plain == rep.render_table(report)


def test_table_without_findings_says_so():
    text = rep.render_table(make_faithful_report())
    assert "No findings: nothing omitted, added or changed." in text
    assert "verdict: faithful" in text
    assert _table_rows(text) == []


# --------------------------------------------------------------------------- json

def test_json_round_trips_the_contract(report):
    text = rep.render_json(report)
    assert text.endswith("}\n")
    data = json.loads(text)
    assert data == report.to_dict()
    assert list(data) == CONTRACT_KEYS
    assert "It’s" in text  # UTF-8 kept, not \u escapes
    assert data["links"][1] == {"source": [1], "target": [], "score": None}
    assert data["findings"][3]["message"] == "name changed: Manhattan -> New York"


# --------------------------------------------------------------------------- html

class _AlignmentParser(HTMLParser):
    """Collects the rows of the alignment table: id, classes, ids inside, and each cell's text/classes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: dict[str, dict] = {}
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.tags: set[str] = set()
        self._row: dict | None = None
        self._cell: dict | None = None
        self._in_number = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.add(tag)
        if "id" in a:
            self.ids.append(a["id"])
        if "href" in a:
            self.hrefs.append(a["href"])
        if tag == "tr" and a.get("id", "").startswith("link-"):
            self._row = {"class": a.get("class", "").split(), "cells": [], "ids": []}
            self.rows[a["id"]] = self._row
        elif self._row is not None:
            if "id" in a:
                self._row["ids"].append(a["id"])
            if tag == "td":
                self._cell = {"class": a.get("class", "").split(), "text": "", "sentences": []}
                self._row["cells"].append(self._cell)
            elif tag == "span" and a.get("class") == "n":
                self._in_number += 1
            elif tag == "span" and a.get("class") == "s" and self._cell is not None:
                self._cell["sentences"].append("")

    def handle_endtag(self, tag):
        if tag == "tr":
            self._row = None
        elif tag == "td":
            self._cell = None
        elif tag == "span" and self._in_number:
            self._in_number -= 1

    def handle_data(self, data):
        if self._cell is not None:
            self._cell["text"] += data
            if self._cell["sentences"] and not self._in_number:
                self._cell["sentences"][-1] += data


@pytest.fixture(scope="module")
def page(report) -> str:
    return rep.render_html(report)


@pytest.fixture(scope="module")
def parsed(page) -> _AlignmentParser:
    parser = _AlignmentParser()
    parser.feed(page)
    return parser


def test_html_shows_every_sentence_once_in_the_alignment(report, parsed):
    shown = [s.strip() for row in parsed.rows.values() for cell in row["cells"] for s in cell["sentences"]]
    expected = [s.text for s in report.source.sentences] + [s.text for s in report.target.sentences]
    assert sorted(shown) == sorted(expected)
    assert len(parsed.rows) == len(report.links)


def test_html_escapes_user_text(page):
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;" in page
    assert "It’s" in page


def test_html_escapes_text_in_the_findings_list_and_messages():
    source = make_doc([[SCRIPT_EN]], "en", "<img src=x onerror=alert(1)>.txt")
    target = make_doc([["Teks lain <b>sama sekali</b>."]], "id", None)
    report = Report("0.1.0", SIGNATURE, source, target, [Link((0,), ()), Link((), (0,))],
                    [Finding("omission", "body", (0,), (), None, "1 source sentence(s) not translated (body)"),
                     Finding("addition", "body", (), (0,), None, "<i>1</i> target sentence(s) with no source")],
                    Summary("unrelated", 1, 1, 0.0, 0.0, 1, 1, 0))
    page = rep.render_html(report)
    for raw in ("<script", "<img", "<b>sama sekali</b>", "<i>1</i>"):
        assert raw not in page
    assert "&lt;img src=x onerror=alert(1)&gt;.txt" in page
    assert page.count("&lt;script&gt;") == 2  # the findings list and the alignment row
    assert "&lt;i&gt;1&lt;/i&gt; target sentence(s)" in page


def test_html_is_self_contained(page, parsed):
    assert "http://" not in page and "https://" not in page
    assert "@import" not in page and "url(" not in page
    assert not {"script", "link", "img", "iframe"} & parsed.tags
    assert all(h.startswith("#") for h in parsed.hrefs)


def test_html_highlights_rows_by_finding_type(parsed):
    classes = {rid: set(row["class"]) for rid, row in parsed.rows.items()}
    assert {"is-omission", "has-finding"} <= classes["link-3"]
    assert {"is-addition", "has-finding"} <= classes["link-4"]
    assert {"is-drift", "has-finding"} <= classes["link-5"] and "is-drift" in classes["link-6"]
    assert "is-unreported" in classes["link-1"] and "has-finding" not in classes["link-1"]
    for rid in ("link-0", "link-2", "link-7"):
        assert not {c for c in classes[rid] if c.startswith("is-")}
    omission_src, _, omission_tgt = parsed.rows["link-3"]["cells"]
    assert "officials interviewed" in omission_src["text"] and "omission" in omission_src["text"]
    assert "not translated" in omission_tgt["text"]
    addition_tgt = parsed.rows["link-4"]["cells"][2]
    assert "Memuat" in addition_tgt["text"] and "boilerplate" in addition_tgt["text"]


def test_html_drift_badge_message_and_marks(page, parsed):
    row = parsed.rows["link-6"]
    assert "name changed: Manhattan -&gt; New York" in page
    assert "name changed: Manhattan -> New York" in row["cells"][2]["text"]
    assert "<mark>Manhattan</mark>" in page and "<mark>New York</mark>" in page
    assert "<mark>52</mark>" in page and "<mark>25</mark>" in page
    assert "0.79" in row["cells"][1]["text"]


def make_typed_report() -> Report:
    """One link with a drift (a number and a name, typed changes with offsets) and a partial
    (a missing span that holds markup-like text)."""
    en = "Officials said 52 people died in Manhattan on <Monday> after the storm."
    idn = "Pejabat mengatakan 25 orang tewas di New York setelah badai."
    source = make_doc([["Storm toll rises."], [en]], "en", None)
    target = make_doc([["Korban badai bertambah."], [idn]], "id", None)
    s0, t0 = source.sentences[1].start, target.sentences[1].start

    def span(doc_text: str, base: int, word: str) -> tuple[int, int]:
        k = doc_text.index(word, base)
        return (k, k + len(word))

    drift = Finding("drift", "body", (1,), (1,), 0.71, "number changed: 52 -> 25; name changed: Manhattan -> New York",
                    changes=(Change("number", "52", "25", (span(source.text, s0, "52"),), (span(target.text, t0, "25"),)),
                             Change("name", "Manhattan", "New York", (span(source.text, s0, "Manhattan"),),
                                    (span(target.text, t0, "New York"),))),
                    severity="critical")
    partial = Finding("partial", "body", (1,), (1,), 0.71, "left out: on <Monday>",
                      changes=(Change("missing", "on <Monday>", "", (span(source.text, s0, "on <Monday>"),)),),
                      severity="minor")
    links = [Link((0,), (0,), 0.9), Link((1,), (1,), 0.71)]
    summary = Summary("issues", 2, 2, 1.0, 1.0, 0, 0, 1, partials=1)
    return Report("0.1.0", SIGNATURE, source, target, links, [drift, partial], summary)


def test_html_marks_typed_changes_by_their_offsets_with_a_class_per_kind():
    page = rep.render_html(make_typed_report())
    assert '<mark class="chg chg-number" title="number: 52 -&gt; 25">52</mark>' in page
    assert '<mark class="chg chg-number" title="number: 52 -&gt; 25">25</mark>' in page
    assert '<mark class="chg chg-name" title="name: Manhattan -&gt; New York">Manhattan</mark>' in page
    assert '<mark class="chg chg-name" title="name: Manhattan -&gt; New York">New York</mark>' in page
    assert ('<mark class="chg chg-missing" title="missing: on &lt;Monday&gt;">on &lt;Monday&gt;</mark>'
            in page)
    assert "<Monday>" not in page
    parser = _AlignmentParser()
    parser.feed(page)
    assert {"is-drift", "is-partial", "has-finding"} <= set(parser.rows["link-1"]["class"])
    assert not any(c.startswith("is-") for c in parser.rows["link-0"]["class"])
    assert '<span class="sev sev-critical">critical</span>' in page and '<span class="sev sev-minor">minor</span>' in page
    assert re.search(r"<dt>Partials</dt><dd>1</dd>", page)


def test_mark_spans_clips_to_the_sentence_and_skips_overlaps():
    sentence = Sentence(0, "a <b> c d", 0, 10, 19)
    marks = [(12, 15, "name", "x"), (13, 17, "number", "overlaps"), (18, 40, "missing", "runs past")]
    html = str(rep.mark_spans(sentence, marks))
    assert html == ('a <mark class="chg chg-name" title="x">&lt;b&gt;</mark> c '
                    '<mark class="chg chg-missing" title="runs past">d</mark>')
    assert str(rep.mark_spans(sentence, [])) == "a &lt;b&gt; c d"


def test_table_shows_severity_and_partials():
    text = rep.render_table(make_typed_report(), width=80)
    rows = _table_rows(text)
    assert [r.split()[1:3] for r in rows] == [["drift", "critical"], ["partial", "minor"]]
    assert "left out: on <Monday>" in text and "1 partial" in text


def test_html_findings_list_links_to_rows(parsed):
    for n, rid in zip(range(1, 5), ("link-3", "link-4", "link-5", "link-6")):
        assert f"#finding-{n}" in parsed.hrefs
        assert f"finding-{n}" in parsed.rows[rid]["ids"]
        assert f"#list-finding-{n}" in parsed.hrefs and f"list-finding-{n}" in parsed.ids
    assert len(parsed.ids) == len(set(parsed.ids))


def test_html_marks_paragraph_breaks_per_side(parsed):
    def breaks(side: int) -> list[str]:
        return [rid for rid, row in parsed.rows.items() if "pbreak" in row["cells"][side]["class"]]

    assert breaks(0) == ["link-1", "link-2", "link-5"]  # source paragraphs 0|1|2|3
    assert breaks(2) == ["link-2", "link-5"]  # target paragraphs 0|1|2


def test_html_header_has_verdict_counts_and_signature(page):
    assert 'class="verdict verdict-issues"' in page
    assert SIGNATURE in page
    assert "75%" in page and "83%" in page
    assert re.search(r"<dt>Drifts</dt><dd>2</dd>", page)
    assert "iran-trump.en.txt" in page and "iran-trump.id.txt" in page


def test_html_without_findings_says_so():
    page = rep.render_html(make_faithful_report())
    assert "No findings: nothing was omitted, added or changed." in page
    assert "verdict-faithful" in page
    parser = _AlignmentParser()
    parser.feed(page)
    assert len(parser.rows) == 2
    assert not any(c.startswith(("is-", "has-")) for row in parser.rows.values() for c in row["class"])


def test_template_ships_as_package_data():
    assert resources.files("fidelity").joinpath("templates/report.html.j2").is_file()


# --------------------------------------------------------------------------- render / write_atomic

def test_render_dispatches_on_format(report):
    assert rep.render(report, "json") == rep.render_json(report)
    assert rep.render(report, "table") == rep.render_table(report)
    assert rep.render(report, "table", width=90, color=True) == rep.render_table(report, width=90, color=True)
    assert rep.render(report, "html") == rep.render_html(report)
    with pytest.raises(ValueError, match="csv"):
        rep.render(report, "csv")


def test_write_atomic_creates_and_replaces(tmp_path):
    path = tmp_path / "report.json"
    rep.write_atomic(path, "first ‘one’\n")
    assert path.read_text(encoding="utf-8") == "first ‘one’\n"
    os.chmod(path, 0o640)
    rep.write_atomic(str(path), "second\r\n")
    assert path.read_bytes() == b"second\r\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_write_atomic_failure_keeps_old_file_and_no_temp(tmp_path):
    path = tmp_path / "report.html"
    path.write_text("old", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):
        rep.write_atomic(path, "half \ud800 written")  # a lone surrogate cannot be encoded
    assert path.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]
