"""manual_dropout_jax: manual_dropout_tf's model and fixtures on the JAX backend (.keras only).

The masks come from Keras' JAX stream (Threefry2x32, key [seed, n]); case.json records the
JAX version and jax_threefry_partitionable, which decides the bit layout.

Usage (fixture protocol): python scripts/fixture_cases/manual_dropout_jax.py <out_root>
"""

from manual_dropout_tf import main

if __name__ == "__main__":
    main("manual_dropout_jax", "jax")
