"""The trained network as the bot serves it: the checkpoint's LiteRT export
(`NAME.tflite`, see `model.training.export`), reading batches of 28x28 digits.

LiteRT (`ai-edge-litert`) is TensorFlow's runtime for deployment: it loads in
milliseconds and needs neither TensorFlow nor Keras. An interpreter must not be used by
two threads at once, so each thread that reads gets its own.
"""

import hashlib
import threading
from pathlib import Path
from typing import Any

import numpy as np
from ai_edge_litert.interpreter import Interpreter

from model.reading import checkpoint
from model.reading.digits import SIDE

# Images per network call. MNIST's test set is read as fast in 32s as in 256s (2 threads:
# 1.06 s against 1.15 s), with 38 MB less memory at the peak (163 against 201 MB).
BATCH_SIZE = 32


class Classifier:
    """Class probabilities for MNIST-style digits: 0-9, and (digitnet) "not a digit"."""

    def __init__(self, model: bytes, metadata: dict[str, Any] | None = None,
                 threads: int = 1) -> None:
        self.model = model
        self.metadata = metadata or {}
        self.threads = threads  # CPU threads each interpreter may use
        self._local = threading.local()
        runner = self._runner()
        self._input = next(iter(runner.get_input_details()))
        self.classes = int(next(iter(runner.get_output_details().values()))["shape"][-1])
        # How much to soften the probabilities said to users: fitted on real photos the
        # network did not train on (model/reading/calibration.py); `predict` does not.
        self.temperature = float(self.metadata.get("calibration", {}).get("temperature", 1.0))

    @classmethod
    def load(cls, path: Path = checkpoint.DEFAULT_SERVED_MODEL, threads: int = 1
             ) -> "Classifier":
        """The exported network `NAME.tflite` (`path` may name its `NAME.weights.h5`),
        checked against what its metadata records."""
        served = checkpoint.served_model_path(Path(path))
        weights = checkpoint.weights_path(served)
        if not served.is_file():
            raise checkpoint.CheckpointError(
                f"checkpoint not found: {served} (export one with python -m model.training.export)"
            )
        metadata = checkpoint.read_metadata(served)
        model = served.read_bytes()
        recorded = metadata.get("served_model", {}).get("sha256")
        if hashlib.sha256(model).hexdigest() != recorded:
            raise checkpoint.CheckpointError(
                f"{served.name} is not the export its metadata records:"
                f" export it again with python -m model.training.export {weights}"
            )
        return cls(model, metadata, threads)

    def with_threads(self, threads: int) -> "Classifier":
        """The same network, each interpreter using `threads` CPU threads (for big batches)."""
        return Classifier(self.model, self.metadata, threads)

    def _runner(self) -> Any:
        """This thread's signature runner (built on first use)."""
        runner = getattr(self._local, "runner", None)
        if runner is None:
            interpreter = Interpreter(model_content=self.model, num_threads=self.threads)
            runner = self._local.runner = interpreter.get_signature_runner()
        return runner

    def predict(self, images: np.ndarray, batch_size: int = BATCH_SIZE) -> np.ndarray:
        """Class probabilities, (n, classes), for (n, 28, 28) or (n, 28, 28, 1) digits."""
        images = np.asarray(images, np.float32).reshape(-1, SIDE, SIDE, 1)
        if len(images) == 0:
            return np.zeros((0, self.classes), np.float32)
        runner = self._runner()
        return np.concatenate([
            next(iter(runner(**{self._input: images[i : i + batch_size]}).values()))
            for i in range(0, len(images), batch_size)
        ])
