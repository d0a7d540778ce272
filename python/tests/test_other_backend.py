"""The same tests on the other Keras backend (tensorflow <-> jax).

The backend is fixed when keras is first imported, so the other one needs its own
process: this runs test_manual_dropout.py there and fails with its output.
"""

import os
import subprocess
import sys
from pathlib import Path

import keras

TESTS = Path(__file__).with_name("test_manual_dropout.py")
OTHER = {"tensorflow": "jax", "jax": "tensorflow"}


def test_manual_dropout_suite_passes_on_the_other_backend():
    other = OTHER[keras.backend.backend()]
    env = {**os.environ, "KERAS_BACKEND": other, "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(TESTS)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, f"KERAS_BACKEND={other}:\n{result.stdout[-4000:]}"
