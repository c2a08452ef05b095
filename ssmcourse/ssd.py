"""Chapter 3: SSD — state space models are structured attention (Mamba-2, Dao & Gu 2024).

With a scalar decay per head (state matrix ``a_t I``, ``a_t = exp(A_t)`` for the log-decay
``A_t = Δ_t·A ≤ 0``, where ``A < 0`` is the per-head parameter) the recurrence
``h_t = a_t h_{t-1} + x_t B_tᵀ``, ``y_t = h_t C_t`` maps a whole sequence as ``Y = M X`` with the
n-semiseparable matrix (every block on or below the diagonal has rank ≤ n)

    M = L ∘ (C Bᵀ),   L[i, j] = a_{j+1} ··· a_i = exp(A_{j+1} + … + A_i)  (j ≤ i), 0 above,

whose mask ``L`` alone is 1-semiseparable (those blocks have rank 1).

The same ``M`` is computed three ways: a loop over time (:func:`ssd_recurrent`, linear time,
constant state), masked attention (:func:`ssd_quadratic`, quadratic, matmul friendly) and the
chunked algorithm (:func:`ssd_chunked`, linear time *and* matmuls). With ``a_t = 1`` it is causal
linear attention (:func:`causal_linear_attention`).

Shapes (the paper's letters): ``b`` batch, ``l`` length, ``h`` heads, ``p`` head dim,
``n`` state size, ``q`` chunk length, ``c`` the index of a chunk. ``X (b,l,h,p)``, ``A (b,l,h)``,
``B, C (b,l,h,n)``, states ``(b,h,p,n)``.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from . import _validate as v

FORMS = ("recurrent", "quadratic", "chunked")


def segsum(x: torch.Tensor) -> torch.Tensor:
    """Segment sums ``(..., l) -> (..., l, l)``: ``out[..., i, j] = x[j+1] + … + x[i]`` for
    ``j ≤ i`` (0 on the diagonal), ``-inf`` above it, so that ``exp(segsum(A))`` is ``L``.

    Stable: each entry is a cumulative sum of exactly the terms it contains, never the
    difference of two long cumulative sums (which cancels catastrophically in fp32).
    """
    v.tensor(x, "x")
    if x.dim() < 1:
        raise ValueError(f"x: expected a tensor of shape (..., l), got shape {tuple(x.shape)}")
    l = x.shape[-1]
    x = x[..., None].expand(*x.shape, l)                 # (..., l, l): entry [k, j] = x[k]
    below = torch.tril(torch.ones(l, l, dtype=torch.bool, device=x.device), diagonal=-1)
    x = x.masked_fill(~below, 0)                         # keep x[k] for k > j only
    out = torch.cumsum(x, dim=-2)                        # [i, j] = sum_{j < k <= i} x[k]
    causal = torch.tril(torch.ones(l, l, dtype=torch.bool, device=x.device))
    return out.masked_fill(~causal, -torch.inf)


def _check_log_decay(A: torch.Tensor) -> None:
    """Raise unless every log-decay ``A_t = Δ_t·A`` is ≤ 0 (``a_t = exp(A_t) ≤ 1``)."""
    if A.is_complex():
        raise TypeError(f"A: expected a real log-decay, got {A.dtype}")
    if bool((A > 0).any()):
        raise ValueError(f"A: expected log-decays <= 0 (a_t = exp(A_t) <= 1), got max "
                         f"{float(A.max()):.3g}; pass Δ·A with A < 0, e.g. -softplus(·)")


def _check_ssd(X, A, B, C, initial_state=None) -> torch.dtype:
    """Validate the SSD arguments; return the compute dtype (at least float32)."""
    v.tensor(X, "X", ndim=4)
    b, l, h, _ = X.shape
    v.tensor(A, "A", ndim=3)
    if A.is_complex():
        raise TypeError(f"A: expected a real log-decay, got {A.dtype}")
    if tuple(A.shape) != (b, l, h):
        raise ValueError(f"A: expected shape {(b, l, h)} (batch, length, heads of X), "
                         f"got {tuple(A.shape)}")
    v.tensor(B, "B", ndim=4)
    if tuple(B.shape[:3]) != (b, l, h):
        raise ValueError(f"B: expected shape {(b, l, h)} + (n,) (batch, length, heads of X), "
                         f"got {tuple(B.shape)}")
    v.tensor(C, "C", ndim=4)
    if C.shape != B.shape:
        raise ValueError(f"C: expected shape {tuple(B.shape)} (the shape of B), got {tuple(C.shape)}")
    _check_log_decay(A)
    dtype = torch.promote_types(torch.promote_types(X.dtype, A.dtype),
                                torch.promote_types(B.dtype, C.dtype))
    dtype = torch.promote_types(dtype, torch.float32)
    if initial_state is not None:
        v.tensor(initial_state, "initial_state", ndim=4)
        want = (b, h, X.shape[3], B.shape[3])
        if tuple(initial_state.shape) != want:
            raise ValueError(f"initial_state: expected shape {want} (b, h, p, n), "
                             f"got {tuple(initial_state.shape)}")
        dtype = torch.promote_types(dtype, initial_state.dtype)
    return dtype


def ssd_recurrent(X: torch.Tensor, A: torch.Tensor, B: torch.Tensor, C: torch.Tensor,
                  initial_state: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """The ground truth, a plain loop over time: ``h_t = exp(A_t) h_{t-1} + x_t B_tᵀ``,
    ``y_t = h_t C_t``, from ``h_{-1} = initial_state`` (zeros by default).

    ``X (b,l,h,p)``, ``A (b,l,h)`` log-decays ≤ 0, ``B, C (b,l,h,n)`` →
    ``(Y (b,l,h,p), final_state (b,h,p,n))``. Time O(l), state memory O(1) in ``l``.
    """
    dtype = _check_ssd(X, A, B, C, initial_state)
    X, A, B, C = (t.to(dtype) for t in (X, A, B, C))
    b, l, h, p = X.shape
    n = B.shape[-1]
    state = (torch.zeros(b, h, p, n, dtype=dtype, device=X.device) if initial_state is None
             else initial_state.to(dtype))
    a = torch.exp(A)                                                     # (b, l, h)
    Y = torch.empty(b, l, h, p, dtype=dtype, device=X.device)
    for t in range(l):
        state = a[:, t, :, None, None] * state + X[:, t, :, :, None] * B[:, t, :, None, :]
        Y[:, t] = (state @ C[:, t, :, :, None])[..., 0]                  # (b, h, p)
    return Y, state


def ssd_matrix(A: torch.Tensor, B: torch.Tensor, C: torch.Tensor) -> torch.Tensor:
    """The semiseparable matrix ``M = L ∘ (C Bᵀ)`` of every head: ``(b,h,l,l)``.

    ``A (b,l,h)`` log-decays, ``B, C (b,l,h,n)``. ``M[..., i, j] = exp(A_{j+1}+…+A_i) C_i·B_j``
    for ``j ≤ i`` and 0 above the diagonal (``exp(-inf) = 0``: the mask comes before ``exp``).
    """
    v.tensor(A, "A", ndim=3)
    v.tensor(B, "B", ndim=4)
    v.tensor(C, "C", ndim=4)
    if tuple(B.shape[:3]) != tuple(A.shape) or C.shape != B.shape:
        raise ValueError(f"B, C: expected shape {tuple(A.shape)} + (n,) (the shape of A), "
                         f"got {tuple(B.shape)} and {tuple(C.shape)}")
    _check_log_decay(A)
    L = torch.exp(segsum(A.transpose(1, 2)))                             # (b, h, l, l)
    CB = C.transpose(1, 2) @ B.permute(0, 2, 3, 1)                       # (b, h, l, l)
    return L * CB.to(L.dtype)


def ssd_quadratic(X: torch.Tensor, A: torch.Tensor, B: torch.Tensor,
                  C: torch.Tensor) -> torch.Tensor:
    """SSD as masked attention: ``Y = M X`` with ``M = L ∘ (C Bᵀ)`` materialised, ``(b,h,l,l)``.

    Same arguments as :func:`ssd_recurrent` (no initial state) → ``Y (b,l,h,p)``.
    Time O(l²), memory O(l²): the attention form, all matmuls.
    """
    dtype = _check_ssd(X, A, B, C)
    M = ssd_matrix(A.to(dtype), B.to(dtype), C.to(dtype))               # (b, h, l, l)
    return (M @ X.to(dtype).transpose(1, 2)).transpose(1, 2)             # (b, l, h, p)


def causal_linear_attention(Q: torch.Tensor, K: torch.Tensor, V: torch.Tensor) -> torch.Tensor:
    """Causal linear attention, unnormalised, identity feature map: ``y_i = Σ_{j≤i} (q_i·k_j) v_j``.

    ``Q, K (b,l,h,n)``, ``V (b,l,h,p)`` → ``(b,l,h,p)``. Computed in the attention form
    ``(Q Kᵀ ∘ causal mask) V``; SSD with every ``a_t = 1`` (``A_t = 0``) is exactly this.
    """
    v.tensor(V, "V", ndim=4)
    for name, t in (("Q", Q), ("K", K)):
        v.tensor(t, name, ndim=4)
        if tuple(t.shape[:3]) != tuple(V.shape[:3]):
            raise ValueError(f"{name}: expected shape {tuple(V.shape[:3])} + (n,) (batch, length, "
                             f"heads of V), got {tuple(t.shape)}")
    if K.shape != Q.shape:
        raise ValueError(f"K: expected shape {tuple(Q.shape)} (the shape of Q), got {tuple(K.shape)}")
    l = V.shape[1]
    scores = Q.transpose(1, 2) @ K.permute(0, 2, 3, 1)                   # (b, h, l, l)
    causal = torch.tril(torch.ones(l, l, dtype=torch.bool, device=V.device))
    scores = scores.masked_fill(~causal, 0)
    return (scores @ V.transpose(1, 2).to(scores.dtype)).transpose(1, 2)


def _chunk(t: torch.Tensor, q: int) -> torch.Tensor:
    """``(b, c·q, h, ...) -> (b, h, c, q, ...)``: heads first, then time split into chunks."""
    b, l, h = t.shape[:3]
    return t.transpose(1, 2).reshape(b, h, l // q, q, *t.shape[3:]).contiguous()


def _four_steps(X: torch.Tensor, A: torch.Tensor, B: torch.Tensor, C: torch.Tensor,
               chunk_size: int, state: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The four steps of chunked SSD on one stretch of the sequence, from ``state``.

    ``X (b,l,h,p)``, ``A (b,l,h)``, ``B, C (b,l,h,n)``, ``state (b,h,p,n)`` (all one dtype,
    already checked) → ``(Y (b,l,h,p), final_state)``. Pads ``l`` to whole chunks with
    ``A = 0`` and zero inputs: a padded step keeps the state and adds nothing.
    """
    q = chunk_size
    b, l, h, p = X.shape
    pad = -l % q
    if pad:
        X, A, B, C = (F.pad(t, (0, 0) * (t.dim() - 2) + (0, pad)) for t in (X, A, B, C))
    X, A, B, C = (_chunk(t, q) for t in (X, A, B, C))        # (b, h, c, q, [p | n])
    A_cumsum = torch.cumsum(A, dim=-1)                        # Σ_{k ≤ t} A_k within a chunk

    # The four steps of the Mamba-2 paper's block decomposition of M:
    # 1. Diagonal blocks: inside each chunk, a small masked attention (L ∘ C Bᵀ) X.
    L = torch.exp(segsum(A))                                  # (b, h, c, q, q)
    Y_diag = ((C @ B.transpose(-1, -2)) * L) @ X              # (b, h, c, q, p)

    # 2. Chunk states (the B factor of every off-diagonal block): the state each chunk
    #    would end with if it had started from zero.
    A_next = F.pad(A[..., 1:], (0, 1))                        # A_{t+1}; 0 after the end
    A_to_end = A_next.flip(-1).cumsum(-1).flip(-1)            # Σ_{k > t} A_k within a chunk
    states = (X * torch.exp(A_to_end)[..., None]).transpose(-1, -2) @ B  # (b, h, c, p, n)

    # 3. State passing (the decay factor between chunks): carry the true state across each
    #    chunk boundary, one chunk after another, so the work is linear in their number.
    chunk_decay = torch.exp(A_cumsum[..., -1])                # (b, h, c)
    entering = []                                             # the state before each chunk
    for c in range(states.shape[2]):                          # c: the index of a chunk
        entering.append(state)
        state = chunk_decay[:, :, c, None, None] * state + states[:, :, c]
    entering = torch.stack(entering, dim=2)                   # (b, h, c, p, n)

    # 4. State to output (the C factor): each step of a chunk reads the state that entered
    #    the chunk, decayed up to that step.
    Y_off = (C @ entering.transpose(-1, -2)) * torch.exp(A_cumsum)[..., None]  # (b,h,c,q,p)

    Y = (Y_diag + Y_off).reshape(b, h, l + pad, p)[:, :, :l]
    return Y.transpose(1, 2), state


GROUP_ELEMENTS = 1 << 19  # entries of each (q × q) temporary per group: a few MiB, cache sized


def ssd_chunked(X: torch.Tensor, A: torch.Tensor, B: torch.Tensor, C: torch.Tensor,
                chunk_size: int = 64,
                initial_state: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """The chunked SSD algorithm: ``M`` split into ``chunk_size × chunk_size`` blocks.

    Diagonal blocks are small masked attentions; off-diagonal blocks have rank ≤ n and are
    computed through the chunk states, passed from chunk to chunk by a linear-time loop
    (:func:`_four_steps`). Same arguments and results as :func:`ssd_recurrent`; any ``l``
    (padded with ``A = 0`` and zero inputs, which change nothing), any ``chunk_size ≥ 1``.

    The chunks are processed in groups of about :data:`GROUP_ELEMENTS` ``(q × q)`` entries,
    carrying the state from group to group, so temporaries stay cache sized whatever ``l``:
    time O(l·q·(n+p) + l·n·p), memory O(l·(p+n)) for inputs and output, no ``l × l`` tensor.
    """
    dtype = _check_ssd(X, A, B, C, initial_state)
    q = v.integer(chunk_size, "chunk_size", 1)
    b, l, h, p = X.shape
    n = B.shape[-1]
    X, A, B, C = (t.to(dtype) for t in (X, A, B, C))
    state = (torch.zeros(b, h, p, n, dtype=dtype, device=X.device) if initial_state is None
             else initial_state.to(dtype))
    span = q * max(1, GROUP_ELEMENTS // (b * h * q * q))     # tokens per group: whole chunks
    Y = torch.empty(b, l, h, p, dtype=dtype, device=X.device)
    for start in range(0, l, span):
        t = slice(start, start + span)
        Y[:, t], state = _four_steps(X[:, t], A[:, t], B[:, t], C[:, t], q, state)
    return Y, state


def ssd_flops(form: str, b: int, l: int, h: int, p: int, n: int, chunk_size: int = 64) -> int:
    """Multiply-add work (2 FLOPs per multiply-add) of one SSD evaluation, by ``form``.

    * ``"recurrent"``: per step and head, decay and update the ``p×n`` state and read it out:
      ``5·p·n`` — elementwise work, no matmul;
    * ``"quadratic"``: ``C Bᵀ`` and ``M X`` over the full ``l × l`` matrix: ``2·l²·(n+p)``;
    * ``"chunked"``: step 1 ``2·q²·(n+p)`` per chunk, steps 2 and 4 ``2·q·p·n`` each, step 3
      ``2·p·n`` per chunk — linear in ``l`` for a fixed ``q``.
    """
    if form not in FORMS:
        raise ValueError(f"form: got {form!r}, expected one of {FORMS}")
    if form == "recurrent":
        per_head = 5 * l * p * n
    elif form == "quadratic":
        per_head = 2 * l * l * (n + p)
    else:
        q = v.integer(chunk_size, "chunk_size", 1)
        chunks = -(-l // q)
        per_head = chunks * (2 * q * q * (n + p) + 4 * q * p * n + 2 * p * n)
    return b * h * per_head
