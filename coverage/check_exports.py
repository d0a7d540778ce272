"""Step 3 of the coverage run: Keras 3 loads every model keras2tfjs exported back (exportKeras)
and must predict what tfjs predicted (ts_y<k>.npy) on the same inputs, within the run's one
tolerance (coverage/tolerance.ts: 1e-4 + 1e-4·|value|). Results go into results.json as
`export` = {status, maxAbs | message}.

  python coverage/check_exports.py <cache dir> <results.json>
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402

ATOL = 1e-4
RTOL = 1e-4


def main():
    cache, results_file = sys.argv[1], sys.argv[2]
    import keras

    try:
        import keras2tfjs  # noqa: F401 - registers ManualDropout when installed
    except ImportError:
        pass
    with open(results_file) as f:
        rows = json.load(f)
    for row in rows:
        result = row.get("result") or {}
        exported = result.get("exported")
        if not exported:
            continue
        case = row["case"]
        folder = os.path.join(cache, case["dir"])
        xs = [np.load(os.path.join(folder, f"x{k}.npy")) for k in range(case["meta"]["inputs"])]
        try:
            model = keras.saving.load_model(os.path.join(exported, "model.keras"), compile=False)
            ys = model.predict(xs if len(xs) > 1 else xs[0], verbose=0, batch_size=len(xs[0]))
            ys = list(ys) if isinstance(ys, (list, tuple)) else [ys]
            worst, ok = 0.0, True
            for k, y in enumerate(ys):
                ts = np.load(os.path.join(exported, f"ts_y{k}.npy"))
                y = np.asarray(y, dtype=np.float32)
                if y.shape != ts.shape:
                    ok, worst = False, float("inf")
                    continue
                d = np.abs(y - ts)
                finite = np.isfinite(d)
                worst = max(worst, float(d[finite].max()) if finite.any() else 0.0)
                ok = ok and bool(np.all(d[finite] <= ATOL + RTOL * np.abs(ts[finite])))
            result["export"] = {"status": "pass" if ok else "mismatch", "maxAbs": worst}
        except Exception as e:  # noqa: BLE001 - reported in COVERAGE.md
            result["export"] = {"status": "error", "message": f"{type(e).__name__}: {e}".replace("\n", " ")[:300]}
        keras.backend.clear_session()
        print(f"export {result['export']['status']:8s} {case['framework']:8s} {row['format']:10s} {case['id']}", flush=True)
    with open(results_file, "w") as f:
        json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
