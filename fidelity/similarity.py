"""Batched cosine-similarity search: the critical core of the aligner.

All functions take row-normalised embeddings (or embeddings with extra, already weighted
feature columns) and compute dot products as matrix products in torch on the chosen device,
one block of rows at a time, so a 50,000 x 50,000 search never holds the full matrix. On a CPU
a block is cut into tiles small enough to stay in the cache (:data:`CPU_TILE_COLS`): the
product writes a tile, the top-k selections read it there, and each tile's best rows and
columns are merged into running top-k lists.

The search is the one quadratic cost of a check, so it does as few FLOPs as the hardware
allows without changing its answer (:data:`METHODS`): on a plain CPU the dense embedding
columns are multiplied in fp32 and the sparse evidence columns (a few non-zeros a row) are
added from an inverted index (``split``: 600 instead of 1,112 columns for the shipped
model); on a GPU, or a CPU with bf16 hardware, candidates come from a half-precision product
and are rescored exactly in fp32, with a rigorous rounding bound deciding which rows must be
searched again in fp32. Every method returns fp32 dot products and the same neighbours.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch

#: Default budget for one chunk of the score matrix (bytes). 64 MiB keeps peak memory flat
#: and is large enough for the matrix product to run near the machine's peak.
DEFAULT_CHUNK_BYTES = 64 * 1024 * 1024


def as_tensor(x: np.ndarray | torch.Tensor, device: str | torch.device = "cpu",
              dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """A contiguous tensor on ``device`` (no copy when it already is one)."""
    t = torch.as_tensor(x)
    return t.to(device=device, dtype=dtype).contiguous()


def l2_normalize(x: torch.Tensor, eps: float = 1e-12) -> torch.Tensor:
    """Rows scaled to unit length; all-zero rows stay zero."""
    return x / x.norm(dim=-1, keepdim=True).clamp_min(eps)


def chunk_rows_for(n_cols: int, dtype: torch.dtype = torch.float32,
                   budget_bytes: int = DEFAULT_CHUNK_BYTES) -> int:
    """How many query rows fit in one chunk of ``budget_bytes`` against ``n_cols`` targets."""
    itemsize = torch.empty((), dtype=dtype).element_size()
    return max(1, int(budget_bytes // max(1, n_cols * itemsize)))


@dataclass
class TopK:
    """For each query row: the ``k`` best target rows (descending) and their scores."""

    values: torch.Tensor  # (n, k) float32
    indices: torch.Tensor  # (n, k) int64

    @property
    def k(self) -> int:
        return int(self.values.shape[1])


#: Below this many multiply-adds a CPU product runs on one thread: waking a thread pool costs
#: more than the work (measured: 11 ms vs 0.06 ms for a 49 x 20 x 768 product on a busy
#: 2-core machine), which matters when a batch checks thousands of short articles.
SMALL_WORK = 32_000_000


@contextmanager
def _threads_for(work: int, device: torch.device):
    if device.type != "cpu" or work >= SMALL_WORK or torch.get_num_threads() == 1:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


#: Search methods: ``exact`` (one fp32 product over all columns), ``split`` (fp32 product over
#: the dense columns plus the sparse evidence columns added from an inverted index: the same
#: sums, fewer FLOPs), ``float16`` / ``bfloat16`` (candidates from a half-precision product,
#: rescored exactly in fp32, any row whose candidates cannot be proven complete searched again
#: in fp32), ``auto`` (see :func:`auto_method`).
METHODS = ("auto", "exact", "split", "float16", "bfloat16")

#: The sparse block: trailing columns each non-zero in at most half the rows of both sides (an
#: embedding column is non-zero in every row) that together are at most 5 % non-zero (the
#: hashed evidence block: about 0.5 %; a common name can fill one of its columns in a short text).
SPARSE_COLUMN_DENSITY = 0.5
SPARSE_BLOCK_DENSITY = 0.05
#: The sparse block must be at least this wide to be worth splitting off.
MIN_SPARSE_COLUMNS = 32
#: Rows copied at a time when indexing the sparse block (bounds the temporaries).
SCAN_ROWS = 8192
#: Rows (evenly spaced) looked at when finding the sparse block: where it starts changes how
#: fast the search is, never its answer (a dense column in it only makes the pair lists
#: overflow, and those tiles are multiplied densely), so a sample decides it in a few ms.
SAMPLE_ROWS = 2048
#: Below this many multiply-adds saved a search stays ``exact``: building the sparse index costs
#: about 0.1 s on a busy 2-core machine, which pays off from about 4,000 sentences a side.
MIN_SPLIT_WORK = 2 ** 34
#: A chunk adds its sparse products from pair lists only while they have at most 1/PAIR_CAP
#: pairs per score cell (28 bytes a pair: under the block's own bytes); a denser chunk
#: multiplies its sparse columns densely. The evidence block meets in about 1.6 % of cells.
PAIR_CAP = 32
#: On a CPU the fp32 score matrix is made in tiles of this many target columns and as many
#: query rows as fit in CPU_TILE_BYTES (16 MiB: 4,096 rows), so each tile is still in the cache
#: when its rows' and columns' top k are taken; a whole row block (64 MiB) is written to memory
#: by the product and read back by every selection. Measured at 12,430 x 12,343 (with the
#: column candidates of :func:`_merge_columns`): the search in 2.7-2.8 s instead of 4.6 s;
#: 1,024 x 8-32 MiB and 768 x 12 MiB tiles did about as well. A GPU takes whole row blocks.
CPU_TILE_COLS = 1024
CPU_TILE_BYTES = 16 * 1024 * 1024
#: Extra candidates a half-precision search keeps per row beyond ``k`` before rescoring.
EXTRA_CANDIDATES = 12


@lru_cache(maxsize=1)
def cpu_has_fast_bf16() -> bool:
    """Whether this CPU multiplies bfloat16 in hardware (AMX or AVX512-BF16); elsewhere a
    bf16 product is emulated and slower than fp32 (3-5x on an AVX2 machine)."""
    for probe in ("_is_amx_tile_supported", "_is_avx512_bf16_supported"):
        fn = getattr(torch.cpu, probe, None)
        try:
            if fn is not None and fn():
                return True
        except Exception:  # pragma: no cover - private API changed
            pass
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    return bool(flags & {"amx_bf16", "avx512_bf16"})
    except OSError:
        pass
    return False


def auto_method(device: torch.device | str) -> str:
    """The fastest exact-result method for ``device``: ``float16`` on a GPU (tensor cores),
    ``bfloat16`` on a CPU with bf16 hardware, else ``split`` on a CPU (which is ``exact`` when
    the vectors have no sparse block or are small) and ``exact`` elsewhere (mps)."""
    device = torch.device(device)
    if device.type == "cuda":
        return "float16"
    if device.type != "cpu":
        return "exact"
    return "bfloat16" if cpu_has_fast_bf16() else "split"


def sparse_tail_start(*mats: torch.Tensor, density: float = SPARSE_COLUMN_DENSITY,
                      block_density: float = SPARSE_BLOCK_DENSITY,
                      min_cols: int = MIN_SPARSE_COLUMNS) -> int:
    """First column of the widest trailing block that is sparse in every matrix of ``mats``
    (see :data:`SPARSE_COLUMN_DENSITY`, judged on :data:`SAMPLE_ROWS` rows of each); the
    column count when there is none of at least ``min_cols`` columns."""
    d = int(mats[0].shape[1])
    if d == 0 or any(m.shape[0] == 0 for m in mats):
        return d
    counts, sizes = [], []
    sparse = torch.ones(d, dtype=torch.bool, device=mats[0].device)
    for m in mats:
        if m.shape[0] > SAMPLE_ROWS:  # evenly spaced rows: a split point only changes the cost
            m = m.index_select(0, torch.linspace(0, m.shape[0] - 1, SAMPLE_ROWS, device=m.device).long())
        nonzero = (m != 0).sum(dim=0)
        sparse &= nonzero <= density * m.shape[0]
        counts.append(nonzero)
        sizes.append(m.shape[0])
    dense_cols = torch.nonzero(~sparse).flatten()
    start = int(dense_cols[-1]) + 1 if dense_cols.numel() else 0
    if d - start < min_cols:
        return d
    for size, nonzero in zip(sizes, counts):
        if int(nonzero[start:].sum()) > block_density * size * (d - start):
            return d
    return start


@dataclass
class _SparseBlock:
    """The non-zeros of a column block, both by row (to walk a chunk of query rows) and grouped
    by column (an inverted index: which target rows have each column, with which value).

    All gathers use ``index_select``: on a busy CPU, advanced indexing of a few thousand
    elements wakes the thread pool and costs milliseconds, ``index_select`` microseconds.
    """

    width: int
    row_ptr: torch.Tensor  # (n + 1,) int64: row r's entries are row_ptr[r]:row_ptr[r+1]
    row_cols: torch.Tensor  # (nnz,) int64, row-major order
    row_vals: torch.Tensor  # (nnz,) float32
    col_ptr: torch.Tensor  # (width + 1,) int64: column c's entries are col_ptr[c]:col_ptr[c+1]
    col_rows: torch.Tensor  # (nnz,) int64
    col_vals: torch.Tensor  # (nnz,) float32

    @staticmethod
    def of(block: torch.Tensor) -> "_SparseBlock":
        n, width = block.shape
        parts_r, parts_c, parts_v = [], [], []
        for start in range(0, n, SCAN_ROWS):  # a strided block is copied a slice at a time
            flat = block[start:start + SCAN_ROWS].reshape(-1)
            nz = torch.nonzero(flat).flatten()  # row-major order
            parts_v.append(flat.index_select(0, nz).float())
            r = torch.div(nz, width, rounding_mode="floor")
            parts_c.append(nz - r * width)
            parts_r.append(r + start)
        rows, cols, vals = torch.cat(parts_r), torch.cat(parts_c), torch.cat(parts_v)
        row_ptr = torch.zeros(n + 1, dtype=torch.long, device=block.device)
        row_ptr[1:] = torch.cumsum(torch.bincount(rows, minlength=n), 0)
        order = torch.argsort(cols, stable=True)
        col_ptr = torch.zeros(width + 1, dtype=torch.long, device=block.device)
        col_ptr[1:] = torch.cumsum(torch.bincount(cols, minlength=width), 0)
        return _SparseBlock(width, row_ptr, cols, vals, col_ptr, rows.index_select(0, order),
                            vals.index_select(0, order))

    def col_counts(self) -> torch.Tensor:
        return self.col_ptr[1:] - self.col_ptr[:-1]

    def row_tiles(self, size: int) -> list["_SparseBlock"]:
        """This index cut into blocks of ``size`` rows (each numbered from 0): what
        :meth:`of` gives for each block of the dense rows, cut from the index instead of
        scanning the rows again. A column's entries are in row order, so each block keeps a run
        of them."""
        n = self.row_ptr.shape[0] - 1
        device = self.row_ptr.device
        col_of = torch.repeat_interleave(torch.arange(self.width, device=device), self.col_counts())
        tiles = []
        for first in range(0, n, size):
            last = min(n, first + size)
            a, b = int(self.row_ptr[first]), int(self.row_ptr[last])
            keep = torch.nonzero((self.col_rows >= first) & (self.col_rows < last)).flatten()
            col_ptr = torch.zeros(self.width + 1, dtype=torch.long, device=device)
            col_ptr[1:] = torch.cumsum(torch.bincount(col_of.index_select(0, keep), minlength=self.width), 0)
            tiles.append(_SparseBlock(self.width, self.row_ptr[first:last + 1] - a, self.row_cols[a:b],
                                      self.row_vals[a:b], col_ptr, self.col_rows.index_select(0, keep) - first,
                                      self.col_vals.index_select(0, keep)))
        return tiles


def _add_sparse_products(out: torch.Tensor, q: _SparseBlock, start: int, stop: int,
                         t: _SparseBlock, max_pairs: int) -> bool:
    """``out += q_tail[start:stop] @ t_tail.T`` over the pairs of non-zeros that meet; False
    (``out`` untouched) when there are more than ``max_pairs`` (a dense product is cheaper)."""
    a, b = int(q.row_ptr[start]), int(q.row_ptr[stop])
    if a == b:
        return True
    cols = q.row_cols[a:b]
    counts = t.col_counts().index_select(0, cols)
    total = int(counts.sum())
    if total > max_pairs:
        return False
    if total == 0:
        return True
    rows = torch.repeat_interleave(torch.arange(start, stop, device=out.device) - start,
                                   q.row_ptr[start + 1:stop + 1] - q.row_ptr[start:stop])
    # Pair e belongs to query non-zero rep[e] and is target entry col_ptr[col] + e - first.
    rep = torch.repeat_interleave(counts)
    first = torch.cumsum(counts, 0) - counts
    pos = torch.arange(total, device=out.device) + (t.col_ptr.index_select(0, cols) - first).index_select(0, rep)
    flat = rows.index_select(0, rep) * out.shape[1] + t.col_rows.index_select(0, pos)
    vals = q.row_vals[a:b].index_select(0, rep) * t.col_vals.index_select(0, pos)
    out.view(-1).index_add_(0, flat, vals)
    return True


@dataclass
class _Operand:
    """A matrix prepared for the search: a fp32 view of its dense head, the inverted index of
    its sparse tail (``split``), or its half-precision copy (``float16``/``bfloat16``)."""

    full: torch.Tensor
    method: str
    head: torch.Tensor
    tail: torch.Tensor | None = None
    index: _SparseBlock | None = None
    low: torch.Tensor | None = None
    norms: torch.Tensor | None = None  # row norms, for the half-precision error bound
    norm_max: float = 0.0


def _prepare(x: torch.Tensor, method: str, split_at: int) -> _Operand:
    if method == "split" and split_at < x.shape[1]:
        tail = x[:, split_at:]
        return _Operand(x, method, x[:, :split_at], tail, _SparseBlock.of(tail))
    if method in ("float16", "bfloat16"):
        low = x.to(getattr(torch, method)).contiguous()
        norms = x.norm(dim=1)
        return _Operand(x, method, x, low=low, norms=norms,
                        norm_max=float(norms.max()) if norms.numel() else 0.0)
    return _Operand(x, "exact", x)


#: Unit roundoff of each half type (the error of rounding one value is at most u * |value|).
_UNIT_ROUNDOFF = {"float16": 2.0 ** -11, "bfloat16": 2.0 ** -8}


def _lowp_block(q: _Operand, t: _Operand, start: int, stop: int, k: int,
                values: torch.Tensor, indices: torch.Tensor) -> None:
    """Candidates from the half-precision product, rescored in fp32; rows whose k-th exact
    score does not clear the best score any non-candidate could have are searched in fp32."""
    m = t.full.shape[0]
    kc = min(m, k + EXTRA_CANDIDATES)
    low = q.low[start:stop] @ t.low.T
    cand_v, cand_i = torch.topk(low, kc, dim=1, largest=True, sorted=True)
    del low
    qs = q.full[start:stop]
    exact = torch.einsum("rd,rkd->rk", qs, t.full[cand_i])
    v, order = torch.sort(exact, dim=1, descending=True)
    i = torch.gather(cand_i, 1, order)
    v, i = v[:, :k], i[:, :k]
    if kc < m:
        # |half score - exact score| <= (2u + u^2 + d 2^-24) |q| |t| + u |half score| (inputs
        # and output rounded, fp32 accumulation); a non-candidate's half score is <= the last
        # candidate's, so its exact score is below that plus the bound.
        u = _UNIT_ROUNDOFF[q.method]
        d = qs.shape[1]
        bound = (2 * u + u * u + d * 2.0 ** -24) * q.norms[start:stop] * t.norm_max \
            + u * cand_v[:, -1].abs().float()
        unsure = torch.nonzero(cand_v[:, -1].float() + bound >= v[:, -1]).flatten()
        if unsure.numel():
            redo = qs[unsure] @ t.full.T
            rv, ri = torch.topk(redo, k, dim=1, largest=True, sorted=True)
            v[unsure], i[unsure] = rv, ri
    values[start:stop] = v
    indices[start:stop] = i


def topk(queries: torch.Tensor, targets: torch.Tensor, k: int,
         chunk_rows: int | None = None, method: str = "auto") -> TopK:
    """Top-``k`` dot products of each query row against all target rows, chunked over queries.

    ``k`` is clipped to the number of targets. Empty inputs give empty results. ``method``
    (:data:`METHODS`) changes the cost, not the result: every method returns fp32 dot
    products and the same neighbours (up to fp32 rounding on exact ties).
    """
    q, t = _operands(queries, targets, method)
    return _topk(q, t, k, chunk_rows)


def _operands(source: torch.Tensor, target: torch.Tensor, method: str) -> tuple[_Operand, _Operand]:
    if method not in METHODS:
        raise ValueError(f"unknown search method {method!r}; expected one of {', '.join(METHODS)}")
    if method == "auto":
        method = auto_method(source.device)
    d = source.shape[1]
    split_at = d
    if method == "split" and source.shape[0] * target.shape[0] * d >= MIN_SPLIT_WORK:
        split_at = sparse_tail_start(source, target)
        if source.shape[0] * target.shape[0] * (d - split_at) < MIN_SPLIT_WORK // 2:
            split_at = d
    return _prepare(source, method, split_at), _prepare(target, method, split_at)


def _tiling(q: _Operand, t: _Operand, chunk_rows: int | None) -> tuple[int, int]:
    """Rows and columns of one score tile (see :data:`CPU_TILE_COLS`)."""
    m = t.full.shape[0]
    if q.full.device.type == "cpu":
        cols = min(m, CPU_TILE_COLS)
        return chunk_rows or max(1, CPU_TILE_BYTES // (4 * cols)), cols
    return chunk_rows or chunk_rows_for(m, torch.float32), m


def _tiles(q: _Operand, t: _Operand, rows: int, cols: int):
    """fp32 score tiles (``exact`` or ``split``): yields ``(start, stop, first, last, tile)``
    where ``tile`` holds the scores of query rows start:stop against target rows first:last.
    The tile is one reused buffer, valid until the next one is made."""
    n, m = q.full.shape[0], t.full.shape[0]
    buf = torch.empty(min(n, rows) * min(m, cols), dtype=torch.float32, device=q.full.device)
    # The target's inverted index, one per column tile (each tile's pairs are added apart).
    t_index = [t.index] if t.index is None or cols >= m else t.index.row_tiles(cols)
    for start in range(0, n, rows):
        stop = min(n, start + rows)
        for tile_no, first in enumerate(range(0, m, cols)):
            last = min(m, first + cols)
            tile = buf[:(stop - start) * (last - first)].view(stop - start, last - first)
            torch.mm(q.head[start:stop], t.head[first:last].T, out=tile)
            if q.index is not None and t.index is not None:
                # The pair lists take up to 28 bytes a pair: cap them below the tile's own size.
                if not _add_sparse_products(tile, q.index, start, stop, t_index[tile_no],
                                            tile.numel() // PAIR_CAP):
                    tile.addmm_(q.tail[start:stop], t.tail[first:last].T)
            yield start, stop, first, last, tile


def _merge_columns(best_v: torch.Tensor, best_i: torch.Tensor, tile: torch.Tensor,
                   start: int, first: int) -> None:
    """Merge a tile's scores into the running top k of its columns (``best_v``/``best_i``:
    (k, m), descending), in place.

    Once every column has k scores, only cells above their column's k-th best can enter:
    after the first row block those are a few per column (about k x block rows / rows seen),
    so they are found with one comparison pass over the tile and merged on their own, where
    a top k along the tile's columns (a strided selection) costs three times as much.
    """
    k = best_v.shape[0]
    last = first + tile.shape[1]
    kth = best_v[k - 1, first:last]
    if bool(torch.isinf(kth).any()):  # columns not yet full: a plain top k of the tile
        cv, ci = torch.topk(tile, min(k, tile.shape[0]), dim=0, largest=True, sorted=True)
        mv = torch.cat([best_v[:, first:last], cv], 0)
        mi = torch.cat([best_i[:, first:last], ci + start], 0)
        bv, pos = torch.topk(mv, k, dim=0, largest=True, sorted=True)
        best_v[:, first:last], best_i[:, first:last] = bv, torch.gather(mi, 0, pos)
        return
    flat = torch.nonzero((tile > kth).view(-1)).flatten()
    if flat.numel() == 0:
        return
    width = tile.shape[1]
    r = torch.div(flat, width, rounding_mode="floor")
    c = flat - r * width
    order = torch.argsort(c, stable=True)  # group the hits by column
    c, r = c.index_select(0, order), r.index_select(0, order)
    v = tile.view(-1).index_select(0, flat.index_select(0, order))
    cols, counts = torch.unique_consecutive(c, return_counts=True)
    depth, ncols = int(counts.max()), cols.shape[0]
    # Hit e goes to slot (its rank within its column, its column's position in ``cols``).
    which = torch.repeat_interleave(torch.arange(ncols, device=tile.device), counts)
    slot = torch.arange(c.shape[0], device=tile.device) - (torch.cumsum(counts, 0) - counts).index_select(0, which)
    cell = slot * ncols + which
    pad_v = torch.full((depth * ncols,), float("-inf"), dtype=best_v.dtype, device=tile.device)
    pad_i = torch.zeros((depth * ncols,), dtype=torch.long, device=tile.device)
    pad_v.index_copy_(0, cell, v)
    pad_i.index_copy_(0, cell, r + start)
    at = cols + first
    mv = torch.cat([best_v.index_select(1, at), pad_v.view(depth, ncols)], 0)
    mi = torch.cat([best_i.index_select(1, at), pad_i.view(depth, ncols)], 0)
    bv, pos = torch.topk(mv, k, dim=0, largest=True, sorted=True)
    best_v.index_copy_(1, at, bv)
    best_i.index_copy_(1, at, torch.gather(mi, 0, pos))


def _scan(q: _Operand, t: _Operand, k_rows: int, k_cols: int,
          chunk_rows: int | None) -> tuple[TopK, TopK | None]:
    """The ``k_rows`` best targets of every query row and, when ``k_cols`` > 0, the ``k_cols``
    best queries of every target, from one pass over the fp32 score tiles: each tile's top k
    is merged into the running best of its rows and of its columns."""
    n, m = q.full.shape[0], t.full.shape[0]
    device = q.full.device
    rows, cols = _tiling(q, t, chunk_rows)
    fwd_v = torch.empty((n, k_rows), dtype=torch.float32, device=device)
    fwd_i = torch.empty((n, k_rows), dtype=torch.long, device=device)
    bwd_v = torch.full((k_cols, m), float("-inf"), dtype=torch.float32, device=device)
    bwd_i = torch.zeros((k_cols, m), dtype=torch.long, device=device)
    row_v: list[torch.Tensor] = []
    row_i: list[torch.Tensor] = []
    with _threads_for(n * m * q.full.shape[1], device):
        for start, stop, first, last, tile in _tiles(q, t, rows, cols):
            v, i = torch.topk(tile, min(k_rows, last - first), dim=1, largest=True, sorted=True)
            row_v.append(v)
            row_i.append(i + first)
            if last == m:  # the row block is complete: merge its tiles' candidates
                v, i = torch.cat(row_v, 1), torch.cat(row_i, 1)
                if len(row_v) > 1:
                    v, pos = torch.topk(v, k_rows, dim=1, largest=True, sorted=True)
                    i = torch.gather(i, 1, pos)
                fwd_v[start:stop], fwd_i[start:stop] = v, i
                row_v, row_i = [], []
            if k_cols:
                _merge_columns(bwd_v, bwd_i, tile, start, first)
    forward = TopK(fwd_v, fwd_i)
    return forward, (TopK(bwd_v.T.contiguous(), bwd_i.T.contiguous()) if k_cols else None)


def _topk(q: _Operand, t: _Operand, k: int, chunk_rows: int | None) -> TopK:
    queries, targets = q.full, t.full
    n, m = queries.shape[0], targets.shape[0]
    k = max(0, min(k, m))
    device = queries.device
    if n == 0 or k == 0:
        return TopK(torch.zeros((n, k), device=device), torch.zeros((n, k), dtype=torch.long, device=device))
    if q.low is None:
        return _scan(q, t, k, 0, chunk_rows)[0]
    chunk = chunk_rows or chunk_rows_for(m, q.low.dtype)
    values = torch.empty((n, k), dtype=torch.float32, device=device)
    indices = torch.empty((n, k), dtype=torch.long, device=device)
    with _threads_for(n * m * queries.shape[1], device):
        for start in range(0, n, chunk):
            _lowp_block(q, t, start, min(n, start + chunk), k, values, indices)
    return TopK(values, indices)


def search_plan(source: torch.Tensor, target: torch.Tensor, method: str = "auto") -> dict:
    """What :func:`neighbourhood` will do for these inputs: the method, the columns it
    multiplies densely and how many passes over the score matrix it makes (for the roofline:
    the FLOPs actually executed are ``2 * passes * n * m * dense_cols``)."""
    q, _ = _operands(source, target, method)
    passes = 2 if q.low is not None else 1  # fp32 methods take both directions from one pass
    return {"method": q.method, "dense_cols": int(q.head.shape[1]), "cols": int(source.shape[1]),
            "passes": passes}


def knn_mean(result: TopK, k: int) -> torch.Tensor:
    """Mean of each row's ``k`` best scores (the CSLS neighbourhood density r(x)).

    When the other side has fewer than ``k`` sentences, the missing neighbours count as
    unrelated (score 0), so a one-line side is not scored against itself alone.
    """
    k = max(1, k)
    if result.values.shape[0] == 0 or result.k == 0:
        return torch.zeros(result.values.shape[0], device=result.values.device)
    return result.values[:, :k].sum(dim=1) / k


@dataclass
class Neighbourhood:
    """Both directions of a top-k search and the CSLS densities they give."""

    forward: TopK  # source -> target
    backward: TopK  # target -> source
    r_source: torch.Tensor  # (n,) mean similarity of each source row to its k nearest targets
    r_target: torch.Tensor  # (m,)

    def margin(self, i: torch.Tensor, j: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
        """CSLS-style margin of raw scores at cells (i, j): score - (r_s[i] + r_t[j]) / 2."""
        return scores - 0.5 * (self.r_source[i] + self.r_target[j])


def neighbourhood(source: torch.Tensor, target: torch.Tensor, k: int = 4,
                  search_k: int | None = None, chunk_rows: int | None = None,
                  method: str = "auto") -> Neighbourhood:
    """Top-k search in both directions and the CSLS densities (mean of the ``k`` best).

    Both directions share the prepared operands (sparse index or half-precision copy); an fp32
    method computes each score block once and takes the top k of its rows (forward) and of its
    columns (backward, merged chunk by chunk), half the FLOPs of two passes."""
    sk = max(k, search_k or k)
    q, t = _operands(source, target, method)
    n, m = source.shape[0], target.shape[0]
    if q.low is None and n and m:  # both directions from one pass over the fp32 score tiles
        fwd, bwd = _scan(q, t, min(sk, m), min(sk, n), chunk_rows)
    else:
        fwd = _topk(q, t, sk, chunk_rows)
        bwd = _topk(t, q, sk, chunk_rows)
    return Neighbourhood(fwd, bwd, knn_mean(fwd, k), knn_mean(bwd, k))


def distinct_rows(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(first, inverse)`` of the distinct rows of ``x`` (equal bit for bit): ``first[u]`` is
    where distinct row ``u`` first occurs, ``inverse[i]`` which distinct row row ``i`` is; in
    order of first occurrence, so ``first`` is increasing."""
    n = x.shape[0]
    if n == 0 or x.ndim != 2 or x.shape[1] == 0:
        return np.arange(n), np.arange(n)
    # Rows that differ almost always differ in their first columns: when those are all
    # distinct, so are the rows (a quick sort of 64-byte keys instead of whole rows: 0.7 s
    # for 62,000 rows of 1,112 columns).
    head = np.ascontiguousarray(x[:, :16])
    if np.unique(head.view(np.dtype((np.void, head.dtype.itemsize * head.shape[1]))).ravel()).shape[0] == n:
        return np.arange(n), np.arange(n)
    x = np.ascontiguousarray(x)
    rows = x.view(np.dtype((np.void, x.dtype.itemsize * x.shape[1]))).ravel()
    _, first, inverse = np.unique(rows, return_index=True, return_inverse=True)
    order = np.argsort(first)  # distinct rows in order of first occurrence
    rank = np.empty_like(order)
    rank[order] = np.arange(order.shape[0])
    return first[order], rank[inverse.ravel()]


def expand(nb: Neighbourhood, first_s: np.ndarray, inv_s: np.ndarray, first_t: np.ndarray,
           inv_t: np.ndarray) -> Neighbourhood:
    """A :class:`Neighbourhood` of distinct rows (:func:`distinct_rows` of each side) as one of
    all rows: each row gets its distinct row's neighbours and density, and a neighbour is named
    by its first occurrence. A sentence repeated 50 times has one neighbour, not 50 equal ones
    filling its top k (which would make its density equal its best score and every margin 0)."""
    def topk(t: TopK, inv: np.ndarray, first_other: np.ndarray) -> TopK:
        rows = torch.as_tensor(inv, device=t.indices.device)
        names = torch.as_tensor(first_other, device=t.indices.device)
        return TopK(t.values[rows], names[t.indices[rows]])

    s_rows = torch.as_tensor(inv_s, device=nb.r_source.device)
    t_rows = torch.as_tensor(inv_t, device=nb.r_target.device)
    return Neighbourhood(topk(nb.forward, inv_s, first_t), topk(nb.backward, inv_t, first_s),
                         nb.r_source[s_rows], nb.r_target[t_rows])


def mutual_best(nb: Neighbourhood) -> list[tuple[int, int, float]]:
    """Pairs (i, j, margin) where j is i's best target and i is j's best source."""
    if nb.forward.k == 0 or nb.backward.k == 0:
        return []
    best_t = nb.forward.indices[:, 0]
    best_s = nb.backward.indices[:, 0]
    rows = torch.arange(best_t.shape[0], device=best_t.device)
    mutual = best_s[best_t] == rows
    i = rows[mutual]
    j = best_t[mutual]
    m = nb.margin(i, j, nb.forward.values[mutual, 0])
    return [(int(a), int(b), float(c)) for a, b, c in zip(i.tolist(), j.tolist(), m.tolist())]


def full_matrix(source: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """The whole score matrix in one product: for small inputs and as a benchmark baseline."""
    return source @ target.T
