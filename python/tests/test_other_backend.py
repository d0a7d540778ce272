"""The same tests on the other Keras backend (tensorflow <-> jax).

The backend is fixed when keras is first imported, so the other one needs its own
process: this runs test_manual_dropout.py and test_parity_export.py there and fails with
their output.
"""

import os
import subprocess
import sys
from pathlib import Path

import keras

TESTS = [Path(__file__).with_name(name) for name in ("test_manual_dropout.py", "test_parity_export.py")]
OTHER = {"tensorflow": "jax", "jax": "tensorflow"}


def test_manual_dropout_and_parity_export_suites_pass_on_the_other_backend():
    other = OTHER[keras.backend.backend()]
    env = {**os.environ, "KERAS_BACKEND": other, "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *map(str, TESTS)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, f"KERAS_BACKEND={other}:\n{result.stdout[-4000:]}"
