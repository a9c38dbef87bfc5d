"""The feedback loop, whole: users correct a bot's wrong answers on real-train's photos, the
corrections are exported, and the fine-tune command trains on them.

    python -m benchmarks.corrections [--init checkpoints/digitnet-mnist.weights.h5]
        [--every-photo] [--real-train DIR] [--real-dev DIR] [--mnist-path MNIST.npz]
        [--epochs 1] [--learning-rate 2e-4] [--head-only]

The bot being corrected serves `--init` (by default the network that never saw a real
photo, so that it makes mistakes worth correcting). Each real-train source plays one
user; every photo it reads wrong (a wrong number, a refusal of a digit, a digit named on
a photo with none) is corrected with the photo's label, through the same store the bot
writes (`model/feedback/corrections.py`); with `--every-photo`, every photo is, as if
users told the bot what each shows. Then, as a self-hoster would:

    python -m model.feedback export DATA_DIR corrections.npz
    python -m model.training.train --init INIT --extra corrections.npz --real-dev DIR ...

which prints the new network beside `--init` on MNIST, real-dev and the corrections of
the users held back, and writes it only if it is no worse. Nothing is written under
`checkpoints/`: the new network goes to a temporary folder.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from model.feedback.corrections import NO_DIGIT, Correction, Corrections
from model.feedback.export import STORE
from model.reading import checkpoint
from model.reading.errors import PreprocessingError
from model.reading.reader import Reader
from model.training.real_photos import read_manifest, source_of

PROJECT = Path(__file__).resolve().parent.parent
SHARED = PROJECT.parent / "shared" / "data"
MNIST_ONLY = checkpoint.DEFAULT_CHECKPOINT.with_name("digitnet-mnist.weights.h5")


def correct_answers(reader: Reader, real_train: Path, store: Corrections,
                    every_photo: bool = False) -> int:
    """Each source a user who corrects every answer the reader got wrong (or every
    answer); how many corrections."""
    users: dict[str, int] = {}
    corrected = 0
    for k, row in enumerate(read_manifest(real_train)):
        user = users.setdefault(source_of(row["file"]), len(users) + 1)
        try:
            reading = reader.read((real_train / row["file"]).read_bytes())
        except PreprocessingError:
            continue
        label = NO_DIGIT if row["set"] == "negatives" else row["label"]
        if reading.number == ("" if label == NO_DIGIT else label) and not every_photo:
            continue
        store.add(Correction(
            answer=store.answer_key(user, k), user=store.user_key(user),
            answered=reading.number, refusal=reading.refusal.name if reading.refusal else "",
            confidence=reading.confidence, corrected=label,
            pictures=[character.image for character in reading.characters],
            checkpoint=reader.metadata.get("served_model", {}).get("file", "?"),
            reader=reader.version))
        corrected += 1
    return corrected


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--init", type=Path, default=MNIST_ONLY)
    parser.add_argument("--head-only", action="store_true",
                        help="fine-tune only the dense layers (model.training.train --head-only)")
    parser.add_argument("--every-photo", action="store_true",
                        help="correct every photo, not only those read wrong")
    parser.add_argument("--real-train", type=Path, default=SHARED / "real-train")
    parser.add_argument("--real-dev", type=Path, default=SHARED / "real-dev")
    parser.add_argument("--mnist-path", type=Path,
                        default=Path(os.environ.get("MNIST_PATH") or SHARED / "mnist.npz"))
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--learning-rate", type=float, default=2e-4)
    args = parser.parse_args(argv)

    started = time.monotonic()
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        store = Corrections(data_dir / STORE)
        count = correct_answers(Reader.load(args.init), args.real_train, store,
                                args.every_photo)
        store.close()
        print(f"{count} answers of {args.init.name} on real-train's photos corrected by"
              f" their users{' (every photo)' if args.every_photo else ''}", flush=True)
        extra = data_dir / "corrections.npz"
        commands = [
            ["-m", "model.feedback", "export", str(data_dir), str(extra)],
            ["-m", "model.training.train", "--init", str(args.init), "--extra", str(extra),
             "--real-dev", str(args.real_dev), "--mnist-path", str(args.mnist_path),
             "--epochs", str(args.epochs), "--learning-rate", str(args.learning_rate),
             *(["--head-only"] if args.head_only else []),
             "--output", str(data_dir / "new.weights.h5")],
        ]
        for command in commands:
            print("$ python " + " ".join(command), flush=True)
            done = subprocess.run([sys.executable, *command], cwd=PROJECT, check=False,
                                  env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
            if done.returncode:
                print(f"exit code {done.returncode}")
                return done.returncode
    print(f"[{time.monotonic() - started:.0f} s]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
