"""What a parity fixture was made with: package versions and the CPU.

The CPU matters because TensorFlow's and XLA's CPU kernels pick code paths by instruction set
(AVX2, AVX-512, AMX): a float they compute may differ in its last bits between two CPUs. The
fixture records it so a difference can be traced; the tolerances are set for it.

No Keras or TensorFlow import here: scripts/export_fixtures.py reads the CPU through this module.
"""

import platform
import sys
from importlib import metadata
from pathlib import Path

# Instruction-set extensions that change which float kernels TensorFlow and XLA run.
_ISA_FLAGS = (("avx2", "AVX2"), ("fma", "FMA"), ("avx512f", "AVX-512"), ("avx512_bf16", "AVX512-BF16"), ("amx_tile", "AMX"))


def made_on():
    """This machine's CPU: {cpu, machine, isa}, read from /proc/cpuinfo where there is one."""
    model, flags = platform.processor() or platform.machine(), set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name":
                model = value.strip()
            elif key.strip() == "flags":
                flags = set(value.split())
                break
    except OSError:
        pass
    return {"cpu": model, "machine": platform.machine(), "isa": [name for flag, name in _ISA_FLAGS if flag in flags]}


def versions(backend):
    """Versions of what computed the fixture's numbers (installed distributions only)."""
    from keras2tfjs import __version__  # the package may run from a source folder, uninstalled

    names = ["keras", "numpy", "h5py"]
    names += ["tensorflow"] if backend == "tensorflow" else ["jax", "jaxlib"] if backend == "jax" else []
    found = {"python": sys.version.split()[0], "keras2tfjs": __version__}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    if backend == "jax":
        import jax

        # Which Threefry bit layout the masks use (the default since JAX 0.5).
        found["jax_threefry_partitionable"] = bool(jax.config.jax_threefry_partitionable)
    return found
