"""mask_streams_jax: mask_streams_tf's streams on Keras 3's JAX backend (Threefry2x32, key [seed, n]).

case.json records the JAX version and jax_threefry_partitionable (the bit layout); a few
streams are repeated with jax_threefry_partitionable=False (JAX < 0.5's layout), files *_original.

Usage (fixture protocol): python scripts/fixture_cases/mask_streams_jax.py <out_root>
"""

from mask_streams_tf import main

if __name__ == "__main__":
    main("mask_streams_jax", "jax")
