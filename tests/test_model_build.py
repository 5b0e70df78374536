"""The shipped English-Indonesian model and the script that builds it (models/build.py)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import fidelity

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

# Written for this test (not taken from any data set): each English sentence with its Indonesian
# translation, on different topics so that every sentence has one clear partner.
PAIRS = [
    ("The new bridge over the river will open to traffic next month.",
     "Jembatan baru di atas sungai itu akan dibuka untuk lalu lintas bulan depan."),
    ("My grandmother grows tomatoes and chillies in her small garden.",
     "Nenek saya menanam tomat dan cabai di kebunnya yang kecil."),
    ("The football team lost the final match after a penalty shoot-out.",
     "Tim sepak bola itu kalah dalam pertandingan final setelah adu penalti."),
    ("Heavy rain caused flooding in several villages on Tuesday night.",
     "Hujan deras menyebabkan banjir di beberapa desa pada Selasa malam."),
    ("The central bank raised interest rates to slow down inflation.",
     "Bank sentral menaikkan suku bunga untuk memperlambat inflasi."),
    ("Students must wear a uniform when they go to school.",
     "Para siswa harus memakai seragam ketika pergi ke sekolah."),
]


@pytest.fixture(scope="module")
def shipped_model():
    """The shipped model, loaded the way any sentence-transformers folder is loaded."""
    from sentence_transformers import SentenceTransformer

    path = fidelity.default_model_path()
    assert (path / "modules.json").is_file(), f"no shipped model at {path}"
    return SentenceTransformer(str(path), device="cpu")


def _cosines(model, english: list[str], indonesian: list[str]) -> np.ndarray:
    en = np.asarray(model.encode(english), dtype=np.float32)
    ind = np.asarray(model.encode(indonesian), dtype=np.float32)
    en /= np.linalg.norm(en, axis=1, keepdims=True)
    ind /= np.linalg.norm(ind, axis=1, keepdims=True)
    return en @ ind.T


def test_shipped_model_pairs_translations(shipped_model) -> None:
    english = [en for en, _ in PAIRS]
    indonesian = [ind for _, ind in PAIRS]
    cos = _cosines(shipped_model, english, indonesian)
    # Every English sentence is nearest to its own translation, and the other way round.
    assert list(cos.argmax(axis=1)) == list(range(len(PAIRS)))
    assert list(cos.argmax(axis=0)) == list(range(len(PAIRS)))


def test_shipped_model_dimension_matches_its_build_record(shipped_model) -> None:
    vectors = shipped_model.encode(["A short sentence.", "Kalimat pendek."])
    record = json.loads((fidelity.default_model_path() / "fidelity_build.json").read_text(encoding="utf-8"))
    dim = record["train_config"]["dim"]
    assert shipped_model.get_embedding_dimension() == dim
    assert vectors.shape == (2, dim)
    assert np.isfinite(np.asarray(vectors, dtype=np.float32)).all()
    assert record["limit"] is None, "the shipped model must be trained on all the data, not a --limit slice"


def test_shipped_model_is_small_enough() -> None:
    path = fidelity.default_model_path()
    size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    assert size <= 20 * 1024 * 1024, f"{path} holds {size / 2**20:.1f} MiB (limit 20 MiB)"


@pytest.mark.slow
@pytest.mark.skipif(not (DATA / "parallel").is_dir(), reason=f"public training data not found at {DATA}")
def test_build_script_on_a_tiny_slice(tmp_path: Path) -> None:
    from sentence_transformers import SentenceTransformer

    from models.build import main

    out = tmp_path / "tiny-model"
    assert main(["--data", str(DATA), "--out", str(out), "--limit", "200", "--epochs", "2", "--quiet"]) == 0
    record = json.loads((out / "fidelity_build.json").read_text(encoding="utf-8"))
    assert record["sentence_pairs"] <= 200 and record["word_pairs"] <= 200
    model = SentenceTransformer(str(out), device="cpu")
    vectors = model.encode(["The river is long.", "Sungai itu panjang."])
    assert vectors.shape == (2, record["train_config"]["dim"])
    assert np.isfinite(np.asarray(vectors, dtype=np.float32)).all()
