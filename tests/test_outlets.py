"""Outlet names rendered word by word in a translation ("Waktu New York")."""

from __future__ import annotations

import pytest

from fidelity.findings import find
from fidelity.outlets import outlets, translated_outlets
from fidelity.segment import segment_document
from fidelity.types import Link


def test_outlet_names_are_found_in_credits_and_bylines() -> None:
    text = ("The harbour reopened on Monday.\n\nPhoto: Ana Lim/The Manila Times\n\n"
            "Ana Lim reports for The Manila Times. Additional reporting by The Jakarta Post.\n")
    assert [o.original for o in outlets(text)] == ["The Manila Times", "The Jakarta Post"]


@pytest.mark.parametrize("target,rendered", [
    ("Artikel ini pertama kali terbit di Waktu Manila.", "Waktu Manila"),
    ("Hal itu dilaporkan oleh Jakarta Pos pada Senin.", "Jakarta Pos"),
    ("Menurut Jurnal Wall Street, pembicaraan itu gagal.", "Jurnal Wall Street"),
])
def test_a_translated_masthead_is_found(target: str, rendered: str) -> None:
    source = ("The Manila Times and The Jakarta Post reported the talks, "
              "as did The Wall Street Journal.")
    found = translated_outlets(source, target)
    assert [t.rendered for t in found] == [rendered]
    assert target[found[0].start:found[0].end] == rendered


@pytest.mark.parametrize("target", [
    "Artikel ini pertama kali terbit di The Manila Times.",  # the name kept: correct
    "Hal itu dilaporkan harian The Jakarta Post pada Senin.",
    "Di Kota New York, wali kota mengatakan hal itu.",  # a city, not an outlet
    "Warga Manila kali ini tidak mengungsi.",  # "kali ini" = "this time", lower case
    "Pemain Waktu Manilaan itu menang.",  # the name words inside a longer word
    "Pemain BerWaktu Manila itu menang.",  # the masthead word inside a longer word
    "Pemain ManilaWaktu itu menang.",
])
def test_a_kept_name_or_an_ordinary_word_is_not_flagged(target: str) -> None:
    source = "The Manila Times and The Jakarta Post reported that New York City was calm."
    assert translated_outlets(source, target) == []


def test_an_added_closing_line_names_the_translated_outlet() -> None:
    src = segment_document("The port reopened on Monday.\n\nAna Lim reports for The Manila Times.\n", "en")
    tgt = segment_document("Pelabuhan dibuka kembali pada Senin.\n\n"
                           "Artikel ini pertama kali terbit di Waktu Manila.\n", "id")
    links = [Link((0,), (0,), 0.5), Link((1,), ()), Link((), (1,))]
    findings, _ = find(src, tgt, links)
    added = [f for f in findings if f.type == "addition"]
    assert len(added) == 1
    assert "outlet name translated word by word: The Manila Times -> Waktu Manila" in added[0].message
