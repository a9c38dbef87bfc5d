"""Photo benchmark: how well the bot reads phone photos of handwritten digits, vs. the seed.

    python -m benchmarks.photos [--per-condition 40] [--negatives 40] [--seed 2026]
        [--mnist-path MNIST.npz] [--checkpoint W] [--baseline-checkpoint W]
        [--save-examples DIR] [--check]

It renders MNIST *test* digits as phone photos under each condition of
`benchmarks.photoset` (pens, papers, boards, screens, light, shadows, blur, JPEG, sizes up
to 12 MP), plus photos that must get no digit (blank pages and boards, other things, digits
mostly cut off), then runs two pipelines on the very same files:

- ours: `Recogniser.read` with the project's preprocessing and `--checkpoint`; a
  `PreprocessingError`, or a reading whose `answered` is False, means "no digit".
- baseline: the seed tutorial's pipeline: Pillow, convert("L"), resize to 28x28, invert,
  the seed CNN (`--baseline-checkpoint`). It always answers a digit.

It prints per condition the share of photos read right (digit conditions; "no digit" is
wrong) or answered with a digit at all (negatives; lower is better), the totals, both
models' accuracy on MNIST's 10,000 test images, the time per photo (decoding, preprocessing
and the network), and whether the goals are met. The exit code is 0 unless --check is given
and a goal is missed. MNIST comes from --mnist-path, else $MNIST_PATH, else
../shared/data/mnist.npz beside the project.
"""

import argparse
import io
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from benchmarks.photoset import CONDITIONS, NEGATIVE_CONDITIONS, Sample, photo_set
from model import checkpoint
from model.data import load_mnist
from model.evaluate import evaluate
from model.preprocessing import PreprocessingError
from model.recogniser import Recogniser

PROJECT = Path(__file__).resolve().parent.parent
SEED_CHECKPOINT = PROJECT / "checkpoints" / "seed.weights.h5"
DEFAULT_MNIST = PROJECT.parent / "shared" / "data" / "mnist.npz"

GOAL_DIGIT_ACCURACY = 0.97  # at least this share of digit photos read right
GOAL_NEGATIVES_ANSWERED = 0.05  # at most this share of non-digit photos answered with a digit

Reader = Callable[[bytes], int | None]  # a photo file to a digit, or None for "no digit"


@dataclass(frozen=True)
class Outcome:
    answer: int | None
    seconds: float


@dataclass(frozen=True)
class Row:
    condition: str
    negative: bool  # a condition with no digit to read
    photos: int
    ours: float  # digit conditions: share read right; negatives: share answered with a digit
    baseline: float
    ours_declined: float  # share of photos ours said "no digit" to


@dataclass(frozen=True)
class Summary:
    digit_photos: int
    negative_photos: int
    digit_accuracy: tuple[float, float]  # (ours, baseline)
    negatives_answered: tuple[float, float]
    declined: float  # share of digit photos ours said "no digit" to
    median_ms: tuple[float, float]
    p95_ms: tuple[float, float]
    mnist_accuracy: tuple[float, float] | None = None


@dataclass(frozen=True)
class Goal:
    description: str
    passed: bool
    detail: str


# --------------------------------------------------------------------------------------
# The two pipelines


def baseline_reader(recogniser: Recogniser) -> Reader:
    """The seed tutorial's pipeline: the whole picture squashed to 28x28, inverted."""

    def read(data: bytes) -> int:
        image = Image.open(io.BytesIO(data)).convert("L").resize((28, 28))
        pixels = (255 - np.asarray(image, np.float32)) / 255
        return int(recogniser.predict(pixels[np.newaxis])[0].argmax())

    return read


def our_reader(recogniser: Recogniser) -> Reader:
    """The bot's pipeline: `Recogniser.read`, which may decline to answer."""

    def read(data: bytes) -> int | None:
        try:
            reading = recogniser.read(data)
        except PreprocessingError:
            return None
        if not getattr(reading, "answered", True):
            return None
        return int(reading.digit)

    return read


def run(samples: Sequence[Sample], read: Reader) -> list[Outcome]:
    """Each photo through `read`, timed one by one as the bot would meet them."""
    outcomes = []
    for sample in samples:
        started = time.perf_counter()
        answer = read(sample.data)
        outcomes.append(Outcome(answer, time.perf_counter() - started))
    return outcomes


# --------------------------------------------------------------------------------------
# Scores


def _score(samples: Sequence[Sample], outcomes: Sequence[Outcome]) -> float:
    """Digit photos: the share read right. Negatives: the share answered with a digit."""
    if not samples:
        return float("nan")
    if samples[0].label is None:
        hits = sum(outcome.answer is not None for outcome in outcomes)
    else:
        pairs = zip(samples, outcomes, strict=True)
        hits = sum(outcome.answer == sample.label for sample, outcome in pairs)
    return hits / len(samples)


def _declined(outcomes: Sequence[Outcome]) -> float:
    return sum(o.answer is None for o in outcomes) / len(outcomes) if outcomes else float("nan")


def table_rows(
    samples: Sequence[Sample], ours: Sequence[Outcome], baseline: Sequence[Outcome]
) -> list[Row]:
    """One row per condition present, digit conditions first, in the generator's order."""
    rows = []
    for condition in (*CONDITIONS, *NEGATIVE_CONDITIONS):
        picked = [i for i, sample in enumerate(samples) if sample.condition == condition]
        if not picked:
            continue
        chosen = [samples[i] for i in picked]
        our_outcomes = [ours[i] for i in picked]
        rows.append(Row(
            condition=condition,
            negative=chosen[0].label is None,
            photos=len(picked),
            ours=_score(chosen, our_outcomes),
            baseline=_score(chosen, [baseline[i] for i in picked]),
            ours_declined=_declined(our_outcomes),
        ))
    return rows


def summarise(
    samples: Sequence[Sample],
    ours: Sequence[Outcome],
    baseline: Sequence[Outcome],
    mnist_accuracy: tuple[float, float] | None = None,
) -> Summary:
    digits = [i for i, sample in enumerate(samples) if sample.label is not None]
    negatives = [i for i, sample in enumerate(samples) if sample.label is None]

    def share(indices: list[int], outcomes: Sequence[Outcome]) -> float:
        return _score([samples[i] for i in indices], [outcomes[i] for i in indices])

    def milliseconds(outcomes: Sequence[Outcome], percentile: float) -> float:
        return float(np.percentile([o.seconds for o in outcomes], percentile) * 1000)

    return Summary(
        digit_photos=len(digits),
        negative_photos=len(negatives),
        digit_accuracy=(share(digits, ours), share(digits, baseline)),
        negatives_answered=(share(negatives, ours), share(negatives, baseline)),
        declined=_declined([ours[i] for i in digits]),
        median_ms=(milliseconds(ours, 50), milliseconds(baseline, 50)),
        p95_ms=(milliseconds(ours, 95), milliseconds(baseline, 95)),
        mnist_accuracy=mnist_accuracy,
    )


def goals(summary: Summary) -> list[Goal]:
    accuracy = summary.digit_accuracy[0]
    answered = summary.negatives_answered[0]
    checks = [
        Goal(
            f"ours reads >= {GOAL_DIGIT_ACCURACY:.0%} of digit photos right",
            accuracy >= GOAL_DIGIT_ACCURACY,
            f"{accuracy:.1%}",
        ),
        Goal(
            f"ours answers <= {GOAL_NEGATIVES_ANSWERED:.0%} of non-digit photos with a digit",
            answered <= GOAL_NEGATIVES_ANSWERED,
            f"{answered:.1%}",
        ),
    ]
    if summary.mnist_accuracy is not None:
        ours, seed = summary.mnist_accuracy
        checks.append(Goal(
            "ours is at least as accurate on MNIST's test set as the seed",
            ours >= seed,
            f"{ours:.2%} vs {seed:.2%}",
        ))
    return checks


# --------------------------------------------------------------------------------------
# The report


def format_table(rows: Sequence[Row], summary: Summary) -> str:
    """The plain-text, fixed-width report: per condition, totals, MNIST, times, goals."""
    head = f"{'condition':<28}{'photos':>7}{'ours':>9}{'baseline':>10}{'ours: no digit':>17}"
    lines = [head, "-" * len(head)]

    def row_line(name: str, photos: int, ours: float, base: float, declined: str) -> str:
        return f"{name:<28}{photos:>7}{ours:>9.1%}{base:>10.1%}{declined:>17}"

    for negative, title in (
        (False, "Digit photos: share read right"),
        (True, "Not digits: share answered with a digit (lower is better)"),
    ):
        picked = [row for row in rows if row.negative == negative]
        if not picked:
            continue
        lines.append(title)
        for row in picked:
            declined = "" if negative else f"{row.ours_declined:.1%}"
            lines.append(row_line(f"  {row.condition}", row.photos, row.ours, row.baseline,
                                  declined))
    lines.append("-" * len(head))
    s = summary
    if s.digit_photos:
        lines.append(row_line("All digit photos", s.digit_photos, *s.digit_accuracy,
                              f"{s.declined:.1%}"))
    if s.negative_photos:
        lines.append(row_line("All non-digit photos", s.negative_photos, *s.negatives_answered, ""))
    if s.mnist_accuracy is not None:
        ours, seed = s.mnist_accuracy
        lines.append(f"{'MNIST test set (10,000)':<35}{ours:>9.2%}{seed:>10.2%}")
    for name, (ours, seed) in (
        ("Time per photo, median (ms)", s.median_ms), ("Time per photo, 95th pct (ms)", s.p95_ms)
    ):
        lines.append(f"{name:<35}{ours:>9.1f}{seed:>10.1f}")
    lines += ["", "Goals"]
    lines += [
        f"  {'PASS' if goal.passed else 'FAIL'}  {goal.description} ({goal.detail})"
        for goal in goals(summary)
    ]
    return "\n".join(lines)


def save_examples(samples: Sequence[Sample], directory: Path, per_condition: int = 3) -> int:
    """Write the first few photos of each condition as files; returns how many."""
    directory.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for sample in samples:
        k = counts.get(sample.condition, 0)
        if k >= per_condition:
            continue
        counts[sample.condition] = k + 1
        suffix = "png" if sample.data.startswith(b"\x89PNG") else "jpg"
        label = "none" if sample.label is None else str(sample.label)
        (directory / f"{sample.condition}-{k + 1}-{label}.{suffix}").write_bytes(sample.data)
    return sum(counts.values())


# --------------------------------------------------------------------------------------


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-condition", type=int, default=40, help="photos per digit condition")
    parser.add_argument("--negatives", type=int, default=40, help="photos per negative condition")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--mnist-path", type=Path,
                        default=Path(os.environ.get("MNIST_PATH") or DEFAULT_MNIST))
    parser.add_argument("--checkpoint", type=Path, default=checkpoint.DEFAULT_CHECKPOINT)
    parser.add_argument("--baseline-checkpoint", type=Path, default=SEED_CHECKPOINT)
    parser.add_argument("--save-examples", type=Path, metavar="DIR",
                        help="write a few photos of each condition to DIR")
    parser.add_argument("--check", action="store_true", help="exit 1 if a goal is missed")
    return parser.parse_args(argv)


def _progress(message: str, started: float) -> None:
    print(f"[{time.perf_counter() - started:6.1f} s] {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    started = time.perf_counter()
    mnist = load_mnist(args.mnist_path)
    ours_model = Recogniser.load(args.checkpoint)
    seed_model = Recogniser.load(args.baseline_checkpoint)
    _progress(f"models loaded: {args.checkpoint.name}, {args.baseline_checkpoint.name}", started)

    test = mnist.test  # test digits only: the models never saw them in training
    samples = photo_set(test.images, test.labels, args.per_condition, args.negatives, args.seed)
    _progress(f"rendered {len(samples)} photos", started)
    if args.save_examples:
        saved = save_examples(samples, args.save_examples)
        _progress(f"saved {saved} examples to {args.save_examples}", started)

    ours = run(samples, our_reader(ours_model))
    _progress("ours read them", started)
    baseline = run(samples, baseline_reader(seed_model))
    _progress("baseline read them", started)
    mnist_accuracy = (evaluate(ours_model, test).accuracy, evaluate(seed_model, test).accuracy)
    _progress("MNIST test set evaluated", started)

    rows = table_rows(samples, ours, baseline)
    summary = summarise(samples, ours, baseline, mnist_accuracy)
    print(f"Photo benchmark, seed {args.seed}: ours = {args.checkpoint.name},"
          f" baseline = {args.baseline_checkpoint.name} with the seed tutorial's pipeline\n")
    print(format_table(rows, summary))
    _progress("done", started)
    failed = not all(goal.passed for goal in goals(summary))
    return 1 if args.check and failed else 0


if __name__ == "__main__":
    sys.exit(main())
