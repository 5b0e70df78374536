"""Chunked top-k search against the plain full-matrix answer."""

from __future__ import annotations

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


def test_knn_mean_pads_missing_neighbours_with_zero() -> None:
    a = _vecs(1)
    r = sim.knn_mean(sim.topk(a, a, k=4), k=4)
    assert float(r[0]) == pytest.approx(0.25, abs=1e-5)


def test_numpy_input_is_accepted() -> None:
    x = np.eye(3, dtype=np.float64)
    t = sim.as_tensor(x)
    assert t.dtype == torch.float32 and t.is_contiguous()
