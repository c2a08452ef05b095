"""Memory accounting at inference: an attention layer's KV cache grows with the sequence,
an SSM layer's state does not. Chapter 1 measures both."""
from __future__ import annotations

import torch

from . import _validate as v
from . import recurrence


def kv_cache_bytes(n_attn_layers: int, n_kv_heads: int, head_dim: int, seq_len: int,
                   bytes_per_elem: int = 2) -> int:
    """Bytes of the keys and values one sequence keeps: ``2 · layers · heads · head_dim · l · bytes``."""
    for name, value, low in (("n_attn_layers", n_attn_layers, 0), ("n_kv_heads", n_kv_heads, 1),
                             ("head_dim", head_dim, 1), ("seq_len", seq_len, 0),
                             ("bytes_per_elem", bytes_per_elem, 1)):
        v.integer(value, name, low)
    return 2 * n_attn_layers * n_kv_heads * head_dim * seq_len * bytes_per_elem


def ssm_state_bytes(n_ssm_layers: int, n_channels: int, state_size: int,
                    bytes_per_elem: int = 4) -> int:
    """Bytes of the recurrent state one sequence keeps: ``layers · channels · n · bytes``,
    independent of the sequence length (states are kept in fp32 by default)."""
    for name, value, low in (("n_ssm_layers", n_ssm_layers, 0), ("n_channels", n_channels, 1),
                             ("state_size", state_size, 1), ("bytes_per_elem", bytes_per_elem, 1)):
        v.integer(value, name, low)
    return n_ssm_layers * n_channels * state_size * bytes_per_elem


# Workloads that Chapter 1 measures with ssmcourse.bench.peak_memory_growth (fp32, one sequence).

def decode_ssm(T: int, n: int = 256, d: int = 16) -> torch.Tensor:
    """Generate ``T`` steps with a diagonal SSM of state size ``n`` on ``d`` channels, keeping
    only the state (``recurrence.step``); returns the last output ``(1, d)``."""
    T = v.integer(T, "T", 0)
    g = torch.Generator().manual_seed(0)
    Ab = torch.rand(n, generator=g) * 0.5 + 0.49
    Bb, C = torch.randn(n, d, generator=g) / n ** 0.5, torch.randn(d, n, generator=g) / n ** 0.5
    h, y = torch.zeros(1, n), torch.zeros(1, d)
    for _ in range(T):
        y, h = recurrence.step(Ab, Bb, C, h, y)  # feed the output back in, as in generation
    return y


def decode_kv_cache(T: int, n_kv_heads: int = 8, head_dim: int = 128) -> torch.Tensor:
    """Generate ``T`` steps of one attention layer's cache: each step appends its key and value
    (``2 · n_kv_heads · head_dim`` fp32 numbers), which attention must keep to attend later."""
    T = v.integer(T, "T", 0)
    cache = torch.empty(2, T, n_kv_heads, head_dim)
    kv = torch.ones(2, n_kv_heads, head_dim)
    for t in range(T):
        cache[:, t] = kv * t
    return cache[:, -1]
