"""Where trained weights live and what is recorded beside them.

A checkpoint is three files: `NAME.weights.h5` (Keras weights, for training),
`NAME.tflite` (the same network exported for LiteRT, which the bot serves) and
`NAME.json` (metadata: architecture, test accuracy, date, versions, how it was trained
and exported). The metadata names the architecture, so loading needs only the weights'
path; the bot reads the `.json` and the `.tflite` only.
"""

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import keras

DEFAULT_CHECKPOINT = Path(__file__).resolve().parent.parent / "checkpoints" / "digitnet.weights.h5"
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


def save(model: "keras.Model", weights: Path, metadata: dict[str, Any]) -> None:
    """Write the weights and their metadata sidecar."""
    if not weights.name.endswith(WEIGHTS_SUFFIX):
        raise CheckpointError(f"{weights}: Keras weights files must end in {WEIGHTS_SUFFIX}")
    weights.parent.mkdir(parents=True, exist_ok=True)
    model.save_weights(weights)
    metadata_path(weights).write_text(json.dumps(metadata, indent=2) + "\n")


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


def require_preprocessing(checkpoint: Path, version: int) -> None:
    """Refuse a network trained for another preprocessing than the reader's `version`."""
    trained_for = read_metadata(checkpoint).get("preprocessing_version")
    if trained_for != version:
        raise CheckpointError(
            f"{checkpoint.name} was trained for preprocessing version {trained_for}, but this"
            f" reader makes version {version}: retrain it (python -m model.train) or use"
            " the checkpoint that came with this version"
        )


def load(weights: Path) -> tuple["keras.Model", dict[str, Any]]:
    """The network named in the metadata, with the trained weights restored."""
    from model import network  # imported here: reading settings must not load TensorFlow

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
