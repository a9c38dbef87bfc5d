"""Read the digits in image files from the command line.

    python -m model.reading.predict photo.jpg [more.png ...] [--json] [--checkpoint WEIGHTS]

For each file it prints the number (or digit) and how sure the reader is, then each
digit's most likely readings; `--json` prints one JSON object per file instead. A file
that cannot be read gets a one-line error; the others are still read, and the exit
status is 1 if any file could not be read.
"""

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from model.reading import checkpoint
from model.reading.errors import PreprocessingError
from model.reading.reader import Reader
from model.reading.result import Reading

TOP = 3  # readings shown per digit


def describe(reading: Reading) -> dict[str, Any]:
    """A reading as plain data: the number, its confidence, each digit's top readings."""
    return {
        "number": reading.number or None,
        "confidence": round(reading.confidence, 4),
        "refusal": reading.refusal.value if reading.refusal else None,
        "digits": [
            {
                "digit": character.digit,
                "top": [[d, round(float(character.probabilities[d]), 4)]
                        for d in character.ranked[:TOP]],
                "box": [character.box.x, character.box.y, character.box.width,
                        character.box.height],
            }
            for character in reading.digits
        ],
    }


def as_text(name: str, result: dict[str, Any]) -> str:
    if "error" in result:
        return f"{name}: error: {result['error']}"
    if result["number"] is None:
        return f"{name}: no number ({result['refusal']})"
    lines = [f"{name}: {result['number']} — {result['confidence']:.1%} sure"]
    for digit in result["digits"]:
        lines.append("  " + ", ".join(f"{d} {p:.1%}" for d, p in digit["top"]))
    return "\n".join(lines)


def read_file(reader: Reader, path: Path) -> dict[str, Any]:
    try:
        return describe(reader.read(path.read_bytes()))
    except (OSError, PreprocessingError) as error:
        return {"error": str(error) or type(error).__name__}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("images", nargs="+", type=Path, help="image files to read")
    parser.add_argument("--json", action="store_true", help="one JSON object per file")
    parser.add_argument(
        "--checkpoint", type=Path,
        default=os.environ.get("CHECKPOINT") or checkpoint.DEFAULT_SERVED_MODEL,
    )
    args = parser.parse_args(argv)
    try:
        reader = Reader.load(args.checkpoint)
    except checkpoint.CheckpointError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    failed = False
    for path in args.images:
        result = read_file(reader, path)
        failed |= "error" in result
        if args.json:
            print(json.dumps({"file": str(path), **result}, ensure_ascii=False))
        else:
            print(as_text(str(path), result))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
