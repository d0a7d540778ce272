#!/usr/bin/env python3
"""Regenerates fixtures/ from real Python Keras, deterministically. One command:

    python scripts/export_fixtures.py            # rebuild fixtures/ (atomic swap at the end)
    python scripts/export_fixtures.py --check    # rebuild in a temp folder, compare byte for byte
    python scripts/export_fixtures.py --only seed_lambda,mask_streams_tf   # some cases only

Each case is a script scripts/fixture_cases/<case>.py run as a subprocess with KERAS_BACKEND
set per case (the backend is fixed when Keras is imported), writing only <out_root>/<case>/.
Then fixtures/MANIFEST.json records the versions, each case's description and backend, and
the path, sha256 and size of every file. fixtures/README.md is written by hand and kept.
"""

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import fixture_compare

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
CASES_DIR = REPO / "scripts" / "fixture_cases"
# Hand-written or generated last: never listed in MANIFEST.json's files.
NOT_IN_MANIFEST = {"MANIFEST.json", "README.md"}

# Every case, in order, with the Keras backend it runs on. Cases marked optional are written
# by other owners; they run when their script exists.
CASES = [
    ("imdb_synthetic", "tensorflow", False),
    ("npy_formats", "tensorflow", False),
    ("seed_lambda", "tensorflow", False),
    ("seed_lambda_tfkeras", "tensorflow", False),
    ("manual_dropout_tf", "tensorflow", False),
    ("manual_dropout_jax", "jax", False),
    ("builtin_dropout", "tensorflow", False),
    ("mask_streams_tf", "tensorflow", False),
    ("mask_streams_jax", "jax", False),
    ("imdb_npz", "tensorflow", True),
    ("trajectories", "tensorflow", True),
    ("resume_state", "tensorflow", False),
    ("parity_kit_tf", "tensorflow", False),
    ("parity_kit_jax", "jax", False),
]


def case_environment(backend):
    env = dict(os.environ)
    python_path = [str(REPO / "python"), str(REPO / "scripts")]
    if env.get("PYTHONPATH"):
        python_path.append(env["PYTHONPATH"])
    env.update(
        KERAS_BACKEND=backend,
        PYTHONHASHSEED="0",
        TF_DETERMINISTIC_OPS="1",
        CUDA_VISIBLE_DEVICES="",
        PYTHONPATH=os.pathsep.join(python_path),
        # Plain Eigen kernels instead of oneDNN's, whose results depend on the CPU's ISA.
        TF_ENABLE_ONEDNN_OPTS="0",
        TF_CPP_MIN_LOG_LEVEL="3",
    )
    return env


def run_case(python, case, backend, out_root, log_dir):
    script = CASES_DIR / f"{case}.py"
    started = time.monotonic()
    log = log_dir / f"{case}.log"
    with open(log, "w") as log_file:
        result = subprocess.run(
            [python, str(script), str(out_root)],
            cwd=REPO,
            env=case_environment(backend),
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    return case, result.returncode, time.monotonic() - started, log


def selected_cases(only):
    table = []
    names = {name for name, _, _ in CASES}
    wanted = set(only) if only else None
    if wanted and not wanted <= names:
        raise SystemExit(f"unknown case(s): {sorted(wanted - names)}; known: {sorted(names)}")
    for name, backend, optional in CASES:
        if wanted is not None and name not in wanted:
            continue
        if not (CASES_DIR / f"{name}.py").exists():
            if optional:
                print(f"  note: scripts/fixture_cases/{name}.py is absent; case {name} skipped")
                continue
            raise SystemExit(f"scripts/fixture_cases/{name}.py is missing")
        table.append((name, backend))
    return table


def run_cases(python, cases, out_root, jobs):
    before = {p.name for p in out_root.iterdir()}
    log_dir = Path(tempfile.mkdtemp(prefix="fixture-logs-"))
    failed = []
    try:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            futures = [pool.submit(run_case, python, name, backend, out_root, log_dir) for name, backend in cases]
            for future in futures:
                case, code, seconds, log = future.result()
                status = "ok" if code == 0 else f"FAILED (exit {code})"
                print(f"  {case:<22} {seconds:6.1f} s  {status}", flush=True)
                if code != 0:
                    failed.append(case)
                    tail = log.read_text(errors="replace").splitlines()[-25:]
                    print("    | " + "\n    | ".join(tail))
    finally:
        shutil.rmtree(log_dir, ignore_errors=True)
    if failed:
        raise SystemExit(f"case(s) failed: {', '.join(failed)}; fixtures/ left unchanged")
    stray = sorted(p.name for p in out_root.iterdir() if p.name not in before | {n for n, _ in cases})
    if stray:
        raise SystemExit(f"cases wrote outside their folder: {stray}")
    for name, backend in cases:
        check_case_json(out_root / name, name, backend)


def check_case_json(folder, name, backend):
    path = folder / "case.json"
    if not path.is_file():
        raise SystemExit(f"case {name} wrote no case.json")
    case = json.loads(path.read_text())
    for key in ("description", "backend", "files"):
        if key not in case:
            raise SystemExit(f"{name}/case.json lacks '{key}'")
    if case["backend"] != backend:
        raise SystemExit(f"{name}/case.json says backend {case['backend']!r}, ran with {backend!r}")


def versions_and_cpu(python):
    """Versions of everything that shapes the bytes, and this machine's CPU (through the
    keras2tfjs package, which parity fixtures record it with), read in a subprocess like the cases."""
    code = (
        "import json, sys\n"
        "from importlib.metadata import version\n"
        "import jax\n"
        "from keras2tfjs.parity.environment import made_on\n"
        "v = {'python': sys.version.split()[0]}\n"
        "for name in ('numpy', 'tensorflow', 'keras', 'tf_keras', 'jax', 'h5py'):\n"
        "    v[name] = version(name)\n"
        "v['jax_threefry_partitionable'] = bool(jax.config.jax_threefry_partitionable)\n"
        "print(json.dumps({'versions': v, 'made_on': made_on()}))\n"
    )
    out = subprocess.run(
        [python, "-c", code], cwd=REPO, env=case_environment("jax"),
        capture_output=True, text=True, check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def listed_files(root):
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and p.relative_to(root).as_posix() not in NOT_IN_MANIFEST
    )


def write_manifest(root, python):
    cases = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        case = json.loads((folder / "case.json").read_text())
        cases[folder.name] = {"description": case["description"], "backend": case["backend"]}
    found = versions_and_cpu(python)
    manifest = {
        # The CPU decides the last bits of TensorFlow's floats (scripts/fixture_compare.py).
        "made_on": found["made_on"],
        "versions": found["versions"],
        "cases": cases,
        "files": [
            {"path": rel, "sha256": sha256(root / rel), "bytes": (root / rel).stat().st_size}
            for rel in listed_files(root)
        ],
    }
    (root / "MANIFEST.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


def compare(committed, fresh, case_names):
    """Every file of the given cases: byte for byte, or by content within the float tolerance
    for the files a case declares CPU-dependent (scripts/fixture_compare.py says why)."""
    def in_cases(rel):
        return rel.split("/")[0] in case_names

    old = {rel for rel in listed_files(committed) if in_cases(rel)}
    new = {rel for rel in listed_files(fresh) if in_cases(rel)}
    problems = [f"missing from fixtures/ (new file): {rel}" for rel in sorted(new - old)]
    problems += [f"no longer generated: {rel}" for rel in sorted(old - new)]
    same, within = 0, []
    for rel in sorted(old & new):
        if (committed / rel).read_bytes() == (fresh / rel).read_bytes():
            same += 1
            continue
        case, _, rel_in_case = rel.partition("/")
        patterns = fixture_compare.cpu_dependent_patterns(committed / case / "case.json")
        if not fixture_compare.is_cpu_dependent(rel_in_case, patterns):
            problems.append(f"differs: {rel} (must be byte-identical: no CPU changes it)")
            continue
        try:
            fixture_compare.compare_by_content(committed / rel, fresh / rel)
            within.append(rel)
        except fixture_compare.Mismatch as mismatch:
            problems.append(f"differs: {rel}: {mismatch}")
    return same, within, problems


def compare_manifests(committed, fresh, tolerated):
    """MANIFEST.json: versions, cases and file list exactly; a file's hash and size may differ
    only for files that matched within the tolerance. `made_on` is a record, not compared."""
    old = json.loads((committed / "MANIFEST.json").read_text())
    new = json.loads((fresh / "MANIFEST.json").read_text())
    problems = []
    for key in ("versions", "cases"):
        if old.get(key) != new.get(key):
            problems.append(f"MANIFEST.json: '{key}' differs")
    old_files = {f["path"]: f for f in old.get("files", [])}
    new_files = {f["path"]: f for f in new.get("files", [])}
    if sorted(old_files) != sorted(new_files):
        problems.append("MANIFEST.json: the list of files differs")
    for path in sorted(set(old_files) & set(new_files)):
        if old_files[path] != new_files[path] and path not in tolerated:
            problems.append(f"MANIFEST.json: the entry of {path} differs")
    return problems


def describe_cpu(made_on):
    if not made_on:
        return "an unrecorded CPU"
    isa = ", ".join(made_on.get("isa", [])) or "no AVX"
    return f"{made_on.get('cpu', '?')} ({made_on.get('machine', '?')}; {isa})"


def version_drift(committed, fresh):
    try:
        old = json.loads((committed / "MANIFEST.json").read_text())["versions"]
    except (OSError, KeyError, ValueError):
        return ["fixtures/MANIFEST.json is missing or unreadable"]
    new = json.loads((fresh / "MANIFEST.json").read_text())["versions"]
    return [f"{k}: committed {old.get(k)} vs here {new.get(k)}" for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="regenerate into a temp folder and compare with fixtures/")
    parser.add_argument("--only", default="", help="comma-separated case names (default: all)")
    parser.add_argument("--jobs", type=int, default=2, help="cases run in parallel (default 2)")
    parser.add_argument("--python", default=sys.executable, help="Python with the pinned packages")
    args = parser.parse_args()
    only = [c for c in args.only.split(",") if c]
    cases = selected_cases(only)
    started = time.monotonic()
    print(f"fixtures: {len(cases)} case(s), {args.jobs} at a time, python {args.python}")

    staging = Path(tempfile.mkdtemp(prefix=".fixtures-staging-", dir=None if args.check else REPO))
    staging.chmod(0o755)  # mkdtemp makes it private; it becomes fixtures/
    try:
        if only and not args.check:
            # Keep the other cases' committed files; only the selected ones are rebuilt.
            for folder in FIXTURES.iterdir():
                if folder.is_dir() and folder.name not in {n for n, _ in cases}:
                    shutil.copytree(folder, staging / folder.name)
        run_cases(args.python, cases, staging, args.jobs)
        write_manifest(staging, args.python)
        names = {n for n, _ in cases}
        if args.check:
            drift = version_drift(FIXTURES, staging)
            same, within, problems = compare(FIXTURES, staging, names)
            if not only:
                manifest_problems = compare_manifests(FIXTURES, staging, set(within))
                same += not manifest_problems
                problems += manifest_problems
            elapsed = time.monotonic() - started
            committed_cpu = describe_cpu(json.loads((FIXTURES / "MANIFEST.json").read_text()).get("made_on"))
            here_cpu = describe_cpu(json.loads((staging / "MANIFEST.json").read_text()).get("made_on"))
            if drift:
                print("versions differ from the ones the fixtures were made with (reproduction is only "
                      "promised for python/requirements.txt):\n  " + "\n  ".join(drift))
            if problems:
                print(f"--check FAILED after {elapsed:.0f} s: {same} file(s) identical, {len(within)} within "
                      f"the float tolerance, {len(problems)} problem(s):")
                print("  " + "\n  ".join(problems))
                print(f"The fixtures were made on {committed_cpu}; this machine is {here_cpu}. Files a case "
                      f"declares cpu_dependent may differ within {fixture_compare.TOLERANCE_TEXT}; every other "
                      "file must be byte-identical on any CPU.")
                print("Regenerate with `python scripts/export_fixtures.py` if the change is intended.")
                raise SystemExit(1)
            print(f"--check passed in {elapsed:.0f} s: {same} file(s) byte-identical to fixtures/, {len(within)} "
                  f"CPU-dependent file(s) within {fixture_compare.TOLERANCE_TEXT} (made on {committed_cpu}; "
                  f"checked on {here_cpu})")
            return
        readme = FIXTURES / "README.md"
        if readme.exists():
            shutil.copy2(readme, staging / "README.md")
        swap_into_place(staging)
        staging = None
        total = sum(p.stat().st_size for p in FIXTURES.rglob("*") if p.is_file())
        print(f"fixtures/ rebuilt in {time.monotonic() - started:.0f} s: {total / 1e6:.2f} MB")
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)


def swap_into_place(staging):
    """fixtures/ is replaced only after every case succeeded: rename, rename, delete."""
    old = REPO / ".fixtures-old"
    shutil.rmtree(old, ignore_errors=True)
    if FIXTURES.exists():
        os.rename(FIXTURES, old)
    os.rename(staging, FIXTURES)
    shutil.rmtree(old, ignore_errors=True)


if __name__ == "__main__":
    main()
