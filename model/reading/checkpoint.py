"""Where trained weights live and what is recorded beside them.

A checkpoint is three files: `NAME.weights.h5` (Keras weights, for training),
`NAME.tflite` (the same network exported for LiteRT, which the bot serves) and
`NAME.json` (metadata: architecture, test accuracy, date, versions, the preprocessing
fingerprint of `model.reading.fingerprint`, how it was trained and exported). The bot
reads the `.json` and the `.tflite` only; `model.training.weights` saves and loads the
Keras weights.
"""

import json
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[2]
DEFAULT_CHECKPOINT = PROJECT / "checkpoints" / "digitnet.weights.h5"
WEIGHTS_SUFFIX = ".weights.h5"
SERVED_SUFFIX = ".tflite"
DEFAULT_SERVED_MODEL = DEFAULT_CHECKPOINT.with_name("digitnet" + SERVED_SUFFIX)


class CheckpointError(ValueError):
    """The checkpoint is missing or unusable."""


def _name(path: Path) -> str:
    """`digitnet.weights.h5` or `digitnet.tflite` -> `digitnet`."""
    return path.name.removesuffix(WEIGHTS_SUFFIX).removesuffix(SERVED_SUFFIX)


def metadata_path(path: Path) -> Path:
    """`digitnet.weights.h5` (or `digitnet.tflite`) -> `digitnet.json`."""
    return path.with_name(_name(path) + ".json")


def served_model_path(path: Path) -> Path:
    """`digitnet.weights.h5` (or `digitnet.tflite`) -> `digitnet.tflite`."""
    return path.with_name(_name(path) + SERVED_SUFFIX)


def weights_path(path: Path) -> Path:
    """`digitnet.tflite` (or `digitnet.weights.h5`) -> `digitnet.weights.h5`."""
    return path.with_name(_name(path) + WEIGHTS_SUFFIX)


def read_metadata(checkpoint: Path) -> dict[str, Any]:
    path = metadata_path(checkpoint)
    try:
        metadata = json.loads(path.read_text())
    except FileNotFoundError:
        raise CheckpointError(f"no metadata beside the weights: {path} is missing") from None
    except json.JSONDecodeError as error:
        raise CheckpointError(f"{path} is not valid JSON: {error}") from None
    if not isinstance(metadata, dict):
        raise CheckpointError(f"{path} must hold a JSON object, not {type(metadata).__name__}")
    return metadata
