"""scripts/fixture_compare.py: CPU-dependent fixture files pass within the float tolerance, and
nothing else does (a check that could not fail would let a broken fixture through)."""

import io
import json
import sys
import zipfile
from pathlib import Path

import h5py
import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))
import fixture_compare as fc  # noqa: E402

FIXTURES = REPO / "fixtures"


def npy(path, array):
    np.save(path, np.asarray(array), allow_pickle=False)
    return path


def test_last_bit_float_differences_pass(tmp_path):
    values = np.linspace(-3, 3, 101, dtype=np.float32)
    nudged = np.nextafter(values, np.float32(np.inf))  # one ulp: what another CPU may give
    assert fc.compare_by_content(npy(tmp_path / "a.npy", values), npy(tmp_path / "b.npy", nudged)) is None


@pytest.mark.parametrize("delta", [1e-3, 1e-5])
def test_float_differences_beyond_the_tolerance_fail(tmp_path, delta):
    values = np.ones(8, np.float32) * 0.5
    changed = values.copy()
    changed[3] += delta
    with pytest.raises(fc.Mismatch, match="max |Δ|"):
        fc.compare_by_content(npy(tmp_path / "a.npy", values), npy(tmp_path / "b.npy", changed))


def test_integers_shapes_and_dtypes_must_match_exactly(tmp_path):
    a = npy(tmp_path / "a.npy", np.arange(6, dtype=np.int32))
    with pytest.raises(fc.Mismatch, match="values differ"):
        fc.compare_by_content(a, npy(tmp_path / "b.npy", np.arange(6, dtype=np.int32) + np.eye(1, 6, 2, dtype=np.int32)[0]))
    with pytest.raises(fc.Mismatch, match="became"):
        fc.compare_by_content(a, npy(tmp_path / "c.npy", np.arange(6, dtype=np.int64)))
    f = npy(tmp_path / "f.npy", np.zeros((2, 3), np.float32))
    with pytest.raises(fc.Mismatch, match="became"):
        fc.compare_by_content(f, npy(tmp_path / "g.npy", np.zeros((3, 2), np.float32)))


def test_json_floats_within_tolerance_strings_and_ints_exactly(tmp_path):
    base = {"loss": [0.733464, 0.70161], "epochs": 4, "name": "seed"}
    (tmp_path / "a.json").write_text(json.dumps(base))
    (tmp_path / "b.json").write_text(json.dumps({**base, "loss": [0.733465, 0.70161]}))
    assert fc.compare_by_content(tmp_path / "a.json", tmp_path / "b.json") is None
    for changed in ({**base, "epochs": 5}, {**base, "name": "other"}, {**base, "loss": [0.74, 0.70161]}):
        (tmp_path / "c.json").write_text(json.dumps(changed))
        with pytest.raises(fc.Mismatch):
            fc.compare_by_content(tmp_path / "a.json", tmp_path / "c.json")


def rewrite_keras_weights(source, target, change):
    """Copies a .keras archive, letting `change(h5file)` edit model.weights.h5."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = old.read(info.filename)
            if info.filename == "model.weights.h5":
                buffer = io.BytesIO(data)
                with h5py.File(buffer, "r+") as h5:
                    change(h5)
                data = buffer.getvalue()
            new.writestr(info, data)
    return target


def test_made_on_records_the_cpu_and_is_not_compared(tmp_path):
    """A parity fixture's parity.json names the CPU that made it (`made_on`, like MANIFEST.json):
    another CPU writes another name there; everything beside it is still compared."""
    base = {"made_on": {"cpu": "AMD EPYC", "isa": ["AVX2"]}, "backend": "tensorflow", "rows": 16}
    (tmp_path / "a.json").write_text(json.dumps(base))
    (tmp_path / "b.json").write_text(json.dumps({**base, "made_on": {"cpu": "Intel Xeon", "isa": ["AVX2", "AMX"]}}))
    assert fc.compare_by_content(tmp_path / "a.json", tmp_path / "b.json") is None
    (tmp_path / "c.json").write_text(json.dumps({**base, "rows": 17}))
    with pytest.raises(fc.Mismatch, match="rows"):
        fc.compare_by_content(tmp_path / "a.json", tmp_path / "c.json")


def test_keras_archive_weights_compared_by_value(tmp_path):
    source = FIXTURES / "seed_lambda" / "model.keras"

    def nudge(h5):
        kernel = h5["layers/dense_1/vars/0"]
        kernel[...] = np.nextafter(kernel[()], np.float32(np.inf))

    def damage(h5):
        kernel = h5["layers/dense_1/vars/0"]
        kernel[0, 0] = kernel[0, 0] + 0.01

    def rename(h5):
        h5["layers/dense_1/vars"].attrs["extra"] = 1

    assert fc.compare_by_content(source, rewrite_keras_weights(source, tmp_path / "a.keras", nudge)) is None
    with pytest.raises(fc.Mismatch, match="dense_1/vars/0"):
        fc.compare_by_content(source, rewrite_keras_weights(source, tmp_path / "b.keras", damage))
    with pytest.raises(fc.Mismatch, match="attributes"):
        fc.compare_by_content(source, rewrite_keras_weights(source, tmp_path / "c.keras", rename))


def test_every_cpu_dependent_pattern_of_the_fixtures_names_files_that_exist():
    declared = 0
    for case_json in sorted(FIXTURES.glob("*/case.json")):
        patterns = fc.cpu_dependent_patterns(case_json)
        files = [p.relative_to(case_json.parent).as_posix() for p in case_json.parent.rglob("*") if p.is_file()]
        for pattern in patterns:
            assert any(fc.is_cpu_dependent(f, [pattern]) for f in files), (case_json, pattern)
            declared += 1
        # Masks and inputs never depend on the CPU: they must stay byte-exact.
        for f in files:
            if f.startswith("mask") or f == "x.npy":
                assert not fc.is_cpu_dependent(f, patterns), (case_json, f)
    assert declared >= 20


def test_the_streams_cases_declare_nothing_cpu_dependent():
    for case in ("mask_streams_tf", "mask_streams_jax", "imdb_synthetic", "npy_formats", "imdb_npz"):
        assert fc.cpu_dependent_patterns(FIXTURES / case / "case.json") == [], case


def test_a_weight_the_parity_fixture_declares_not_comparable_is_checked_for_shape_and_finiteness_only(tmp_path):
    folder = FIXTURES / "parity_kit_tf" / "bias_before_bn"
    noisy = folder / "resume" / "weights" / "0001.npy"  # dense/bias, right before BatchNormalization
    assert "BatchNormalization" in fc.not_comparable_reason(noisy)
    assert fc.not_comparable_reason(folder / "resume" / "weights" / "0000.npy") is None
    values = np.load(noisy)
    assert fc.compare_by_content(noisy, npy(tmp_path / "far.npy", values + 1.0)) is None
    with pytest.raises(fc.Mismatch):
        fc.compare_by_content(noisy, npy(tmp_path / "short.npy", values[:1]))
    with pytest.raises(fc.Mismatch):
        fc.compare_by_content(noisy, npy(tmp_path / "nan.npy", values * np.nan))
