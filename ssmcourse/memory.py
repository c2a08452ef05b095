"""Memory accounting at inference: an attention layer's KV cache grows with the sequence,
an SSM layer's state does not. (Chapter 1 measures both; Chapter 5 reproduces Jamba's table.)"""
from __future__ import annotations

from . import _validate as v


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
