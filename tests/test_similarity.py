"""Chunked top-k search against the plain full-matrix answer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from fidelity import similarity as sim


def _vecs(n: int, d: int = 32, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return sim.l2_normalize(torch.randn(n, d, generator=g))


@pytest.mark.parametrize("chunk", [1, 7, 64, None])
def test_chunked_topk_equals_full_matrix(chunk: int | None) -> None:
    a, b = _vecs(150, seed=1), _vecs(90, seed=2)
    got = sim.topk(a, b, k=5, chunk_rows=chunk)
    full = sim.full_matrix(a, b)
    want_v, want_i = torch.topk(full, 5, dim=1)
    assert torch.allclose(got.values, want_v, atol=1e-5)
    assert torch.equal(got.indices, want_i)


def test_k_is_clipped_and_empty_inputs_work() -> None:
    a, b = _vecs(4), _vecs(2, seed=3)
    assert sim.topk(a, b, k=10).values.shape == (4, 2)
    assert sim.topk(a[:0], b, k=3).values.shape == (0, 2)
    assert sim.topk(a, b[:0], k=3).values.shape == (4, 0)


def test_chunk_budget_bounds_the_block() -> None:
    rows = sim.chunk_rows_for(50_000, torch.float32, budget_bytes=64 * 1024 * 1024)
    assert rows * 50_000 * 4 <= 64 * 1024 * 1024
    assert rows >= 1


def test_margin_prefers_the_translation_over_a_hub() -> None:
    """CSLS: a target close to everything (a hub) loses to the true, specific partner."""
    torch.manual_seed(0)
    src = _vecs(20, seed=4)
    tgt = sim.l2_normalize(src + 0.1 * torch.randn(20, 32))
    hub = sim.l2_normalize(src.mean(0, keepdim=True) * 3 + 0.05 * torch.randn(1, 32))
    tgt = torch.cat([tgt, hub])
    nb = sim.neighbourhood(src, tgt, k=4)
    pairs = sim.mutual_best(nb)
    assert len(pairs) >= 18
    assert all(i == j for i, j, _ in pairs)
    assert all(m > 0 for _, _, m in pairs)


@pytest.mark.parametrize("chunk", [1, 4, 100])
def test_one_pass_backward_equals_a_second_pass(chunk: int) -> None:
    """Both directions from one pass over the blocks give what two separate searches give,
    including a side shorter than k and chunks shorter than k."""
    a, b = _vecs(37, seed=8), _vecs(3, seed=9)
    for x, y in ((a, b), (b, a)):
        nb = sim.neighbourhood(x, y, k=4, chunk_rows=chunk, method="exact")
        back = sim.topk(y, x, k=4, chunk_rows=chunk, method="exact")
        assert torch.equal(nb.backward.indices, back.indices)
        assert torch.allclose(nb.backward.values, back.values, atol=1e-6)
        assert nb.backward.values.shape == (y.shape[0], min(4, x.shape[0]))


def test_knn_mean_pads_missing_neighbours_with_zero() -> None:
    a = _vecs(1)
    r = sim.knn_mean(sim.topk(a, a, k=4), k=4)
    assert float(r[0]) == pytest.approx(0.25, abs=1e-5)


def test_numpy_input_is_accepted() -> None:
    x = np.eye(3, dtype=np.float64)
    t = sim.as_tensor(x)
    assert t.dtype == torch.float32 and t.is_contiguous()


# --- fast search methods against the exact fp32 search -------------------------------------

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="module")
def real_sides():
    """Both sides' aligner matrices for all fixture pairs in one document each, with the
    shipped model: unit embeddings plus the sparse weighted evidence block, as align() sees them."""
    from fidelity.pipeline import Checker, Settings
    from fidelity.segment import segment_document

    checker = Checker(Settings(device="cpu"), progress=False)
    en = "\n".join(p.read_text(encoding="utf-8") for p in sorted(FIXTURES.glob("*.en.txt")))
    idn = "\n".join(p.read_text(encoding="utf-8") for p in sorted(FIXTURES.glob("*.id.txt")))
    src = checker.side(segment_document(en, "en"))
    tgt = checker.side(segment_document(idn, "id"))
    return _distinct(sim.as_tensor(src.sent)), _distinct(sim.as_tensor(tgt.sent)), checker.encoder.dim


def _distinct(x: torch.Tensor) -> torch.Tensor:
    """Rows without repeats (the fixtures repeat page furniture), so no two scores tie exactly
    and neighbour indices can be compared one for one."""
    seen: dict[tuple, int] = {}
    for i, row in enumerate(x.tolist()):
        seen.setdefault(tuple(row), i)
    return x[sorted(seen.values())]


def _assert_same_search(got: sim.Neighbourhood, want: sim.Neighbourhood) -> None:
    for g, w in ((got.forward, want.forward), (got.backward, want.backward)):
        assert torch.allclose(g.values, w.values, atol=1e-5)
        assert torch.equal(g.indices, w.indices)
    assert torch.allclose(got.r_source, want.r_source, atol=1e-5)
    assert torch.allclose(got.r_target, want.r_target, atol=1e-5)
    got_pairs, want_pairs = sim.mutual_best(got), sim.mutual_best(want)
    assert [(i, j) for i, j, _ in got_pairs] == [(i, j) for i, j, _ in want_pairs]
    assert [c for _, _, c in got_pairs] == pytest.approx([c for _, _, c in want_pairs], abs=1e-5)


def test_real_vectors_have_a_sparse_evidence_block(real_sides, monkeypatch) -> None:
    s, t, dim = real_sides
    assert s.shape[0] > 100 and t.shape[0] > 100
    assert sim.sparse_tail_start(s, t) == dim  # the 512 hashed columns, not the embedding
    monkeypatch.setattr(sim, "MIN_SPLIT_WORK", 0)
    assert sim.search_plan(s, t, "split") == {"method": "split", "dense_cols": dim, "cols": s.shape[1],
                                              "passes": 1}
    assert sim.search_plan(s, t, "float16")["passes"] == 2
    # Dense vectors have no sparse block: split is the plain product.
    assert sim.search_plan(_vecs(50, 64), _vecs(40, 64, seed=5), "split")["method"] == "exact"


@pytest.mark.parametrize("method", ["split", "float16", "bfloat16"])
@pytest.mark.parametrize("chunk", [13, None])
def test_fast_methods_give_the_exact_neighbours_and_margins(real_sides, method, chunk, monkeypatch) -> None:
    s, t, _ = real_sides
    monkeypatch.setattr(sim, "MIN_SPLIT_WORK", 0)  # small inputs would otherwise stay exact
    want = sim.neighbourhood(s, t, k=4, search_k=4, chunk_rows=chunk, method="exact")
    full = sim.full_matrix(s, t)
    ref_v, ref_i = torch.topk(full, 4, dim=1)
    assert torch.equal(want.forward.indices, ref_i)
    assert torch.allclose(want.forward.values, ref_v, atol=1e-5)
    # The backward top-k comes from the same blocks' columns, merged across chunks.
    col_v, col_i = torch.topk(full.T, 4, dim=1)
    assert torch.equal(want.backward.indices, col_i)
    assert torch.allclose(want.backward.values, col_v, atol=1e-5)
    got = sim.neighbourhood(s, t, k=4, search_k=4, chunk_rows=chunk, method=method)
    _assert_same_search(got, want)


@pytest.mark.parametrize("cols,rows,pair_cap", [(7, 5, sim.PAIR_CAP), (24, None, sim.PAIR_CAP),
                                               (30, 16, 10 ** 9)])
def test_score_tiles_give_the_full_matrix_answer(real_sides, cols, rows, pair_cap, monkeypatch) -> None:
    """Tiles narrower than the target side: each row's best targets merged across column tiles,
    each column's best sources merged across row blocks (after the first, from the cells above
    the column's k-th best), with the sparse evidence added per tile from pair lists or, when
    the lists would be too long (a huge PAIR_CAP), densely."""
    s, t, _ = real_sides
    monkeypatch.setattr(sim, "MIN_SPLIT_WORK", 0)
    monkeypatch.setattr(sim, "CPU_TILE_COLS", cols)
    monkeypatch.setattr(sim, "CPU_TILE_BYTES", 4 * cols * 32)  # 32-row blocks unless rows is given
    monkeypatch.setattr(sim, "PAIR_CAP", pair_cap)
    full = sim.full_matrix(s, t)
    ref_v, ref_i = torch.topk(full, 4, dim=1)
    col_v, col_i = torch.topk(full.T, 4, dim=1)
    assert t.shape[0] > 3 * cols and t.shape[0] % cols  # several tiles, the last one narrower
    for method in ("exact", "split"):
        nb = sim.neighbourhood(s, t, k=4, search_k=4, chunk_rows=rows, method=method)
        assert torch.equal(nb.forward.indices, ref_i)
        assert torch.allclose(nb.forward.values, ref_v, atol=1e-5)
        assert torch.equal(nb.backward.indices, col_i)
        assert torch.allclose(nb.backward.values, col_v, atol=1e-5)
        one = sim.topk(s, t, k=4, chunk_rows=rows, method=method)
        assert torch.equal(one.indices, ref_i)


@pytest.mark.parametrize("method", ["float16", "bfloat16"])
def test_half_precision_rows_that_cannot_be_proven_are_searched_exactly(method) -> None:
    """Targets closer together than half precision can tell: the candidates alone would get
    the order wrong, so every row falls back to fp32, and the answer is still the exact one."""
    g = torch.Generator().manual_seed(7)
    base = sim.l2_normalize(torch.randn(1, 64, generator=g))
    targets = sim.l2_normalize(base + 1e-4 * torch.randn(60, 64, generator=g))
    queries = sim.l2_normalize(base + 1e-4 * torch.randn(9, 64, generator=g))
    want = sim.topk(queries, targets, k=4, method="exact")
    got = sim.topk(queries, targets, k=4, method=method)
    assert torch.equal(got.indices, want.indices)
    assert torch.allclose(got.values, want.values, atol=1e-6)


def test_sparse_products_equal_the_dense_product() -> None:
    g = torch.Generator().manual_seed(3)
    a = (torch.rand(70, 40, generator=g) < 0.05) * torch.rand(70, 40, generator=g)
    b = (torch.rand(55, 40, generator=g) < 0.05) * torch.rand(55, 40, generator=g)
    qa, tb = sim._SparseBlock.of(a), sim._SparseBlock.of(b)
    out = torch.zeros(30, 55)
    assert sim._add_sparse_products(out, qa, 20, 50, tb, max_pairs=10 ** 6)
    assert torch.allclose(out, a[20:50] @ b.T, atol=1e-6)
    # The index cut into row tiles is the index of each tile's rows.
    for first, tile in zip(range(0, 55, 16), tb.row_tiles(16)):
        want = sim._SparseBlock.of(b[first:first + 16])
        for name in ("row_ptr", "row_cols", "row_vals", "col_ptr", "col_rows", "col_vals"):
            assert torch.equal(getattr(tile, name), getattr(want, name)), name
    # Too many pairs: nothing is added and the caller multiplies densely instead.
    untouched = torch.zeros(30, 55)
    assert not sim._add_sparse_products(untouched, qa, 20, 50, tb, max_pairs=1)
    assert torch.count_nonzero(untouched) == 0


def test_auto_method_per_device(monkeypatch) -> None:
    assert sim.auto_method("cuda") == "float16"
    monkeypatch.setattr(sim, "cpu_has_fast_bf16", lambda: True)
    assert sim.auto_method("cpu") == "bfloat16"
    monkeypatch.setattr(sim, "cpu_has_fast_bf16", lambda: False)
    assert sim.auto_method("cpu") == "split"
    with pytest.raises(ValueError, match="unknown search method"):
        sim.topk(_vecs(3), _vecs(3), k=1, method="int8")


def test_chunks_bound_the_score_block_and_the_pair_lists() -> None:
    """At 62,500 x 62,500 (50,000 generated units a side) one chunk of scores stays within the
    64 MiB budget in every precision, and the sparse pair lists of a chunk (28 bytes a pair,
    at most one pair per PAIR_CAP cells) within the block's own size."""
    m = 62_500
    budget = sim.DEFAULT_CHUNK_BYTES
    for dtype, size in ((torch.float32, 4), (torch.float16, 2), (torch.bfloat16, 2)):
        rows = sim.chunk_rows_for(m, dtype)
        assert rows * m * size <= budget < (rows + 1) * m * size
    rows = sim.chunk_rows_for(m, torch.float32)
    max_pairs = rows * m // sim.PAIR_CAP  # the cap _exact_block passes
    assert max_pairs * (8 + 8 + 8 + 4) <= budget
    # A half-precision chunk's rescoring gathers (rows x (k + extra) x d) fp32 candidates.
    half_rows = sim.chunk_rows_for(m, torch.float16)
    assert half_rows * (4 + sim.EXTRA_CANDIDATES) * 1112 * 4 <= budget
