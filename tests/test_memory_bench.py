"""Memory accounting and the measuring tools behind Chapter 1's cost claims."""
import time

import pytest

from ssmcourse import bench, memory


def test_kv_cache_bytes_formula_and_state_bytes():
    assert memory.kv_cache_bytes(32, 8, 128, 4096) == 2 * 32 * 8 * 128 * 4096 * 2
    assert memory.ssm_state_bytes(64, 8192, 128) == 64 * 8192 * 128 * 4
    assert memory.kv_cache_bytes(0, 8, 128, 4096) == 0


@pytest.mark.parametrize("kwargs, message", [
    (dict(n_attn_layers=1, n_kv_heads=0, head_dim=1, seq_len=1), "n_kv_heads: expected an int >= 1, got 0"),
    (dict(n_attn_layers=1, n_kv_heads=1, head_dim=1.5, seq_len=1), "head_dim: expected an int, got float"),
    (dict(n_attn_layers=1, n_kv_heads=1, head_dim=1, seq_len=-3), "seq_len: expected an int >= 0, got -3"),
])
def test_kv_cache_bytes_rejects_bad_input(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        memory.kv_cache_bytes(**kwargs)


def test_decode_workloads_reject_negative_lengths():
    with pytest.raises(ValueError, match="T: expected an int >= 0, got -1"):
        memory.decode_ssm(-1)
    with pytest.raises(ValueError, match="T: expected an int >= 0, got -1"):
        memory.decode_kv_cache(-1)


def test_measured_kv_cache_matches_prediction_and_ssm_state_is_flat():
    Ts = [2048, 8192]
    kv = bench.peak_memory_growth("ssmcourse.memory:decode_kv_cache", Ts)
    predicted = [memory.kv_cache_bytes(1, 8, 128, T, bytes_per_elem=4) for T in Ts]
    assert all(abs(k - p) < 0.1 * p for k, p in zip(kv, predicted)), (kv, predicted)
    ssm = bench.peak_memory_growth("ssmcourse.memory:decode_ssm", [256, 4096])
    assert max(ssm) < 2 ** 20, ssm


def test_measure_and_loglog_slope():
    assert bench.measure(lambda: time.sleep(0.01), repeat=3) >= 0.009
    assert bench.loglog_slope([1, 2, 4, 8], [3, 12, 48, 192]) == pytest.approx(2.0)
    with pytest.raises(ValueError, match="repeat: got 0"):
        bench.measure(lambda: None, repeat=0)
    with pytest.raises(ValueError, match="xs, ys"):
        bench.loglog_slope([1], [1])


def test_doctor_reports_versions(capsys):
    import ssmcourse
    info = ssmcourse.doctor()
    assert info["torch"] and info["python"] and "torch:" in capsys.readouterr().out


def test_crossover_needs_a_lasting_win():
    assert bench.crossover([1, 2, 4, 8], [5, 5, 5, 5], [6, 4, 6, 4]) == 8   # one lucky win is not enough
    assert bench.crossover([1, 2], [1, 1], [2, 2]) is None
    with pytest.raises(ValueError, match="lengths, slow, fast"):
        bench.crossover([1, 2], [1], [1, 2])
