"""Parity fixtures: what Keras does with a model, written for `keras2tfjs verify` (TypeScript)."""

from keras2tfjs.parity.export import export_parity_fixture

__all__ = ["export_parity_fixture"]
