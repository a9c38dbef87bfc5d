"""Keras weights on disk: saved with their metadata sidecar, restored into the network
the metadata names (see `model.reading.checkpoint` for the files and the metadata)."""

import json
from pathlib import Path
from typing import Any

import keras

from model.reading.checkpoint import (
    WEIGHTS_SUFFIX,
    CheckpointError,
    metadata_path,
    read_metadata,
)
from model.training import network


def save_weights(model: keras.Model, weights: Path, metadata: dict[str, Any]) -> None:
    """Write the weights and their metadata sidecar."""
    if not weights.name.endswith(WEIGHTS_SUFFIX):
        raise CheckpointError(f"{weights}: Keras weights files must end in {WEIGHTS_SUFFIX}")
    weights.parent.mkdir(parents=True, exist_ok=True)
    model.save_weights(weights)
    metadata_path(weights).write_text(json.dumps(metadata, indent=2) + "\n")


def load_weights(weights: Path) -> tuple[keras.Model, dict[str, Any]]:
    """The network named in the metadata, with the trained weights restored."""
    weights = Path(weights)
    if not weights.is_file():
        raise CheckpointError(f"checkpoint not found: {weights}")
    metadata = read_metadata(weights)
    try:
        model = network.build(metadata.get("arch", "digitnet"))
    except ValueError as error:
        raise CheckpointError(f"{metadata_path(weights).name}: {error}") from None
    try:
        model.load_weights(weights)
    except (OSError, ValueError) as error:
        raise CheckpointError(f"{weights} does not fit the {model.name} network: {error}") from None
    return model, metadata
