"""README "Prove your own model", run as written: its Python block exports a parity fixture on
each Keras backend (as the user's own script, in its own folder and process), its
`keras2tfjs verify` line checks the saved model against it (the built command, package.json's
bin, as `npx keras2tfjs` runs it): every check passes, exit 0; a model trained again by the same
script (other random weights) fails with the rows that differ, exit 1. The pip line names an
extra per backend that python/pyproject.toml defines.

`npm test` builds dist/ first; without it this test fails (it is never skipped).
"""

import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
SECTION = "## Prove your own model"
CLI = ROOT / "dist" / "cli" / "keras2tfjs.js"


def section_blocks():
    """The fenced blocks of the README section, as (language, text)."""
    text = README.read_text()
    start = text.index(SECTION)
    end = text.index("\n## ", start + len(SECTION))
    return re.findall(r"```(\w*)\n(.*?)```", text[start:end], re.S)


def block(language, containing):
    found = [body for lang, body in section_blocks() if lang == language and containing in body]
    assert len(found) == 1, f"the README section has {len(found)} {language} block(s) with {containing!r}"
    return found[0]


def export(folder, backend):
    """The README's Python block, verbatim, as the user's script on `backend`."""
    folder.mkdir()
    (folder / "export.py").write_text(block("python", "export_parity_fixture"))
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3",
           # what `pip install ./python[...]` provides: the package from this repository
           "PYTHONPATH": os.pathsep.join([str(ROOT / "python"), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([sys.executable, "export.py"], cwd=folder, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]


def verify_line():
    """The README's verify command as argv, with `npx keras2tfjs` being the package's bin."""
    line = next(l for l in block("sh", "keras2tfjs verify").splitlines() if "keras2tfjs verify" in l)
    argv = shlex.split(line.split("#")[0])
    assert argv[:3] == ["npx", "keras2tfjs", "verify"]
    return argv[3:]


def verify(cwd, *args):
    assert CLI.is_file(), f"{CLI} is missing: run `npm run build` (npm test does) first"
    return subprocess.run(["node", str(CLI), "verify", *args], cwd=cwd, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "KERAS2TFJS_BACKEND": ""})


def test_the_pip_line_names_a_backend_extra_the_package_defines():
    line = block("sh", "pip install")
    extras = tomllib.loads((ROOT / "python" / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    named = re.findall(r"\[(\w+)\]", line)
    assert named and set(named) <= {"tensorflow", "jax"}
    assert {"tensorflow", "jax"} <= set(extras)
    assert 'pip install "./python[' in line


@pytest.mark.parametrize("backend", ["tensorflow", "jax"])
def test_readme_commands_pass_and_a_different_model_fails(tmp_path, backend):
    export(tmp_path / "user", backend)
    args = verify_line()
    assert args == ["model.keras", "parity_fixture"]
    passed = verify(tmp_path / "user", *args)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    lines = passed.stdout.strip().splitlines()
    assert re.fullmatch(rf"model\.keras against the parity fixture parity_fixture \(Keras [\d.]+ on {backend} [\d.]+, .+\)", lines[0])
    rows = lines[2:-1]
    kinds = {row.split(":")[0].strip().rsplit(" ", 1)[0] for row in rows}
    assert kinds == {"inference", "mask call", "training call", "resume"}
    assert all(row.endswith(" pass") for row in rows)
    assert lines[-1] == f"All {len(rows)} checks pass."

    # The same script run again trains other random weights: the fixture must fail that model.
    export(tmp_path / "again", backend)
    failed = verify(tmp_path, str(tmp_path / "again" / "model.keras"), str(tmp_path / "user" / "parity_fixture"))
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert re.search(r"\n  inference: dense_1 +\d\.\d\de-\d+ +1\.00e-5 +FAIL  largest at \[\d+, 0\]: TypeScript ", failed.stdout)
    assert re.search(r"\n\d+ of \d+ checks FAIL\.\n$", failed.stdout)
