"""Builds the coverage cases with real Keras and saves each in every format its framework writes.

  python coverage/build_models.py <cache dir> [--ci] [--only REGEX]

Keras 3.15 (TensorFlow backend) writes .keras and legacy .h5 (kept only where Keras reloads it
itself); tf_keras 2.21 writes .h5 and a SavedModel. Each case lands in
<cache>/<framework>/<case id>/ (see common.py) and is rebuilt only when its builder or a
library version changed. <cache>/cases.json lists every case for the TypeScript side.
`--ci` builds the subset CI runs: every layer, activation and operation case, and the
applications whose files stay under 100 MB (cases_apps.CI_APPLICATIONS).
"""
import argparse
import gc
import json
import os
import re
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import common  # noqa: E402
import cases_apps  # noqa: E402
import cases_layers  # noqa: E402
import cases_ops  # noqa: E402


def case_id(kind, name):
    return f"{kind}-{re.sub(r'[^A-Za-z0-9]+', '_', name).strip('_')}"


def all_cases(ci):
    """(kind, name, builder(K) → (model, inputs), fingerprint objects)."""
    out = []
    for name, side in cases_apps.APPLICATIONS:
        if ci and name not in cases_apps.CI_APPLICATIONS:
            continue
        out.append(("application", name, lambda K, n=name, s=side: cases_apps.build_application(K, n, s), [cases_apps.build_application, name, side]))
    for name, build in cases_layers.LAYERS.items():
        out.append(("layer", name, build, [build]))
    for name in cases_layers.ACTIVATIONS:
        out.append(("activation", name, cases_layers.activation_case(name), [cases_layers.activation_case, cases_layers.functional, name]))
    for name, build in cases_ops.OPERATIONS.items():
        out.append(("operations", name, build, [build]))
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("cache")
    parser.add_argument("--ci", action="store_true")
    parser.add_argument("--only", default=None)
    opts = parser.parse_args()
    import keras
    import tensorflow as tf
    import tf_keras

    frameworks = {"keras3": keras, "tf_keras": tf_keras}
    listed = []
    cases = all_cases(opts.ci)
    if opts.only:
        cases = [c for c in cases if re.search(opts.only, f"{c[0]}-{c[1]}")]
    for kind, name, build, fp_parts in cases:
        cid = case_id(kind, name)
        for framework, K in frameworks.items():
            folder = os.path.join(opts.cache, framework, cid)
            fp = common.fingerprint(common.save_case, *fp_parts)
            meta = common.cached(folder, fp)
            if meta is None:
                print(f"build {framework:8s} {kind:11s} {name}", flush=True)
                try:
                    model, xs = build(K)
                except cases_layers.NotInFramework as e:
                    meta = common.failure(folder, framework, fp, e, "absent")
                    meta["absent"] = str(e)
                    with open(os.path.join(folder, "meta.json"), "w") as f:
                        json.dump(meta, f, indent=1)
                except Exception as e:  # noqa: BLE001 - the framework itself cannot build it
                    meta = common.failure(folder, framework, fp, e, "build")
                else:
                    try:
                        meta = common.save_case(folder, framework, model, xs, common.FORMATS[framework], fp)
                    except Exception as e:  # noqa: BLE001
                        meta = common.failure(folder, framework, fp, e, "predict/save")
                    del model
                K.backend.clear_session()
                tf.keras.backend.clear_session()
                gc.collect()
            listed.append({"id": cid, "kind": kind, "name": name, "framework": framework, "dir": os.path.relpath(folder, opts.cache), "meta": meta})
    aliases = {a: t for a, t in cases_layers.ALIASES.items()}
    with open(os.path.join(opts.cache, "cases.json"), "w") as f:
        json.dump({
            "cases": listed,
            "aliases": aliases,
            "notAtInference": cases_layers.NOT_AT_INFERENCE,
            "dataPipeline": cases_layers.DATA_PIPELINE,
            "versions": {"keras": keras.__version__, "tf_keras": tf_keras.__version__, "tensorflow": tf.__version__},
            "ci": opts.ci,
        }, f, indent=1)


if __name__ == "__main__":
    main()
