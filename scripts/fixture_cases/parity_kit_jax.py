"""parity_kit_jax: parity_kit_tf's model and fixture on the JAX backend (masks from Threefry).

Usage (fixture protocol): python scripts/fixture_cases/parity_kit_jax.py <out_root>
"""

from parity_kit_tf import main

if __name__ == "__main__":
    main("parity_kit_jax", "jax")
