"""Photo benchmark: how well the bot reads real and rendered photos, against the seed.

    python -m benchmarks.photos [--per-condition 40] [--numbers-per-condition 10]
        [--negatives 40] [--seed 2026] [--real-dev DIR] [--mnist-path MNIST.npz]
        [--checkpoint W] [--baseline-checkpoint W] [--misses] [--check]

Six sets of photos, each read by two pipelines, one photo at a time:

- real-dev (`../shared/data/real-dev`, never trained on): single digits, numbers, and
  handwriting with no digit, by writers the project has never seen;
- rendered (`model.rendering`, from MNIST's *test* digits, which training never sees):
  single digits under 22 conditions, numbers of 2 to 6 digits under the same
  conditions, and photos with no digit (blank pages and boards, things, cut-off digits).

Pipelines: "ours" is the bot's `Reader`; "baseline" is the seed tutorial's: the whole
picture squashed to 28x28, inverted, and the seed CNN, which always names one digit.

It prints each set's score per pipeline (numbers must be read exactly; for sets with no
digit, the share answered with one), real-dev singles per source, the share of photos
answered wrongly with at least 90% confidence, both networks' MNIST test accuracy, the
time to read a 1280 px photo, and the issue's goals. `--misses` lists every real-dev photo
read wrong. The exit code is 0 unless --check is given and a goal is missed.
"""

import argparse
import csv
import io
import itertools
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from model import rendering
from model.reading import checkpoint
from model.reading.classifier import Classifier
from model.reading.digits import SIDE
from model.reading.errors import PreprocessingError
from model.reading.evaluate import evaluate
from model.reading.mnist import load_mnist_test
from model.reading.reader import Reader

PROJECT = Path(__file__).resolve().parent.parent
SEED_CHECKPOINT = PROJECT / "checkpoints" / "seed.weights.h5"
DEFAULT_MNIST = PROJECT.parent / "shared" / "data" / "mnist.npz"
DEFAULT_REAL_DEV = PROJECT.parent / "shared" / "data" / "real-dev"
DEFAULT_REAL_TRAIN = PROJECT.parent / "shared" / "data" / "real-train"
SURE_AND_WRONG = 0.90  # an answer this confident that is wrong is the worst kind
TIMED_SIDE = 1280  # the goal's time is for photos of this long side (Telegram's photos)

SETS = ("real single", "real numbers", "real no digit", "real-train single",
        "real-train numbers", "real-train no digit", "rendered single", "rendered numbers",
        "rendered no digit")


@dataclass(frozen=True)
class Sample:
    set: str  # one of SETS
    name: str  # a real photo's file, or a rendered photo's condition
    data: bytes
    label: str | None  # the digits to read, or None when there are none

    @property
    def source(self) -> str:
        """A real photo's source tag (`7_ujwal_3.jpg` -> ujwal), else the condition."""
        parts = Path(self.name).stem.split("_")
        return parts[1] if len(parts) == 3 else self.name


@dataclass(frozen=True)
class Answer:
    text: str  # the digits given, "" for none
    confidence: float
    seconds: float


Pipeline = Callable[[bytes], tuple[str, float]]


# --------------------------------------------------------------------------------------
# The photos


def real_photos(folder: Path, prefix: str = "real") -> list[Sample]:
    """Every photo listed in a real set's manifest, labelled with what it shows."""
    sets = {"single": f"{prefix} single", "numbers": f"{prefix} numbers",
            "negatives": f"{prefix} no digit"}
    with (folder / "manifest.csv").open() as manifest:
        rows = list(csv.DictReader(manifest))
    return [
        Sample(sets[row["set"]], Path(row["file"]).name, (folder / row["file"]).read_bytes(),
               None if row["set"] == "negatives" else row["label"])
        for row in rows
    ]


def rendered(
    images: np.ndarray, labels: np.ndarray, per_condition: int, numbers_per_condition: int,
    negatives: int, seed: int,
) -> list[Sample]:
    """Rendered photos of MNIST test digits: singles, numbers of 2-6 digits, and no digit."""
    samples = [
        Sample("rendered no digit" if s.label is None else "rendered single", s.condition,
               s.data, None if s.label is None else str(s.label))
        for s in rendering.photo_set(images, labels, per_condition, negatives, seed)
    ]
    rng = np.random.default_rng([seed, 1])
    for condition in rendering.CONDITIONS:
        for k in range(numbers_per_condition):
            picked = rng.integers(0, len(images), size=2 + k % 5)
            number = rendering.compose_number(images[picked, ..., 0], rng)
            data = rendering.render(number, condition, rng)
            text = "".join(str(int(label)) for label in labels[picked])
            samples.append(Sample("rendered numbers", condition, data, text))
    return samples


# --------------------------------------------------------------------------------------
# The two pipelines


def ours(reader: Reader) -> Pipeline:
    """The bot's reader: the number read (empty when it refuses) and its confidence."""

    def read(data: bytes) -> tuple[str, float]:
        try:
            reading = reader.read(data)
        except PreprocessingError:
            return "", 0.0
        return reading.number, reading.confidence

    return read


def baseline(seed: Classifier) -> Pipeline:
    """The seed tutorial's pipeline: the whole picture squashed to 28x28, inverted."""

    def read(data: bytes) -> tuple[str, float]:
        image = Image.open(io.BytesIO(data)).convert("L").resize((SIDE, SIDE))
        pixels = (255 - np.asarray(image, np.float32)) / 255
        probabilities = seed.predict(pixels[np.newaxis])[0]
        return str(int(probabilities.argmax())), float(probabilities.max())

    return read


def run(samples: Sequence[Sample], read: Pipeline) -> list[Answer]:
    """Each photo through `read`, timed one by one as the bot would meet them."""
    answers = []
    for sample in samples:
        started = time.perf_counter()
        text, confidence = read(sample.data)
        answers.append(Answer(text, confidence, time.perf_counter() - started))
    return answers


# --------------------------------------------------------------------------------------
# Scores and goals


def right(sample: Sample, answer: Answer) -> bool:
    return answer.text == (sample.label or "")


def score(samples: Sequence[Sample], answers: Sequence[Answer], which: str) -> float:
    """Digit sets: the share read exactly right. No-digit sets: the share given digits."""
    pairs = [(s, a) for s, a in zip(samples, answers, strict=True) if s.set == which]
    if not pairs:
        return float("nan")
    if which.endswith("no digit"):
        return sum(bool(a.text) for _, a in pairs) / len(pairs)
    return sum(right(s, a) for s, a in pairs) / len(pairs)


def sure_and_wrong(samples: Sequence[Sample], answers: Sequence[Answer]) -> float:
    """Share of all photos answered with digits that are wrong, at >= 90% confidence."""
    bad = sum(
        bool(a.text) and not right(s, a) and a.confidence >= SURE_AND_WRONG
        for s, a in zip(samples, answers, strict=True)
    )
    return bad / len(samples)


def timings(samples: Sequence[Sample], answers: Sequence[Answer]) -> tuple[float, float]:
    """Median and 95th percentile, in ms, over the photos whose long side is 1280 px."""
    seconds = [
        a.seconds for s, a in zip(samples, answers, strict=True)
        if max(Image.open(io.BytesIO(s.data)).size) == TIMED_SIDE
    ]
    if not seconds:
        return float("nan"), float("nan")
    return float(np.median(seconds) * 1000), float(np.percentile(seconds, 95) * 1000)


@dataclass(frozen=True)
class Goal:
    what: str
    value: float
    target: float
    higher_is_better: bool
    unit: str = "%"

    @property
    def met(self) -> bool:
        return self.value >= self.target if self.higher_is_better else self.value <= self.target

    def line(self) -> str:
        def shown(value: float) -> str:
            if self.unit != "%":
                return f"{value:.1f} {self.unit}"
            return f"{value:.2%}" if self.target > 0.99 else f"{value:.1%}"

        sign = ">=" if self.higher_is_better else "<="
        return (f"  {'PASS' if self.met else 'FAIL'}  {self.what:<52}"
                f"{shown(self.value):>9}  (goal {sign} {shown(self.target)})")


def goals(scores: dict[str, float], wrong: float, mnist: float, ms: tuple[float, float]
          ) -> list[Goal]:
    """Issue 18's goals. `wrong`: real-dev photos answered wrongly at >= 90%."""
    return [
        Goal("real-dev single digits read right", scores["real single"], 0.99, True),
        Goal("real-dev numbers read exactly", scores["real numbers"], 0.95, True),
        Goal("real-dev no-digit pictures answered with a digit", scores["real no digit"],
             0.03, False),
        Goal("rendered single digits read right", scores["rendered single"], 0.98, True),
        Goal("rendered numbers of 2-6 digits read exactly", scores["rendered numbers"],
             0.92, True),
        Goal("rendered no-digit pictures answered with a digit", scores["rendered no digit"],
             0.02, False),
        Goal("real-dev photos answered wrongly at >= 90%", wrong, 0.01, False),
        Goal("MNIST test accuracy of the served network", mnist, 0.995, True),
        Goal("time to read a 1280 px photo, median", ms[0], 20.0, False, "ms"),
        Goal("time to read a 1280 px photo, 95th percentile", ms[1], 50.0, False, "ms"),
    ]


# --------------------------------------------------------------------------------------
# The report


def report(
    samples: Sequence[Sample], answers: dict[str, list[Answer]], mnist: dict[str, float]
) -> tuple[str, list[Goal]]:
    """The fixed-width report and the goals, for pipelines named in `answers` (ours first)."""
    names = list(answers)
    head = f"{'set':<30}{'photos':>7}" + "".join(f"{name:>10}" for name in names)
    lines = [head, "-" * len(head)]
    scores = {name: {which: score(samples, answers[name], which) for which in SETS}
              for name in names}
    for which in SETS:
        count = sum(s.set == which for s in samples)
        if count:
            cells = "".join(f"{scores[name][which]:>10.1%}" for name in names)
            note = "  (share answered with digits)" if which.endswith("no digit") else ""
            lines.append(f"{which:<30}{count:>7}{cells}{note}")
    lines.append("Real single digits, per source")
    singles = [s for s in samples if s.set == "real single"]
    for source in sorted({s.source for s in singles}):
        picked = [i for i, s in enumerate(samples) if s.set == "real single"
                  and s.source == source]
        cells = "".join(
            f"{sum(right(samples[i], answers[name][i]) for i in picked) / len(picked):>10.1%}"
            for name in names
        )
        lines.append(f"  {source:<28}{len(picked):>7}{cells}")
    lines.append("-" * len(head))
    wrong = {name: sure_and_wrong(samples, answers[name]) for name in names}
    lines.append(f"{'sure (>= 90%) and wrong, all':<30}{len(samples):>7}"
                 + "".join(f"{wrong[name]:>10.1%}" for name in names))
    lines.append(f"{'MNIST test set (10,000)':<37}"
                 + "".join(f"{mnist[name]:>10.2%}" for name in names))
    times = {name: timings(samples, answers[name]) for name in names}
    for label, index in (("median", 0), ("95th percentile", 1)):
        lines.append(f"{f'ms per {TIMED_SIDE} px photo, {label}':<37}"
                     + "".join(f"{times[name][index]:>10.1f}" for name in names))
    ours_name = names[0]
    real_dev = [i for i, sample in enumerate(samples) if sample.set.startswith("real ")]
    real_wrong = {name: sure_and_wrong([samples[i] for i in real_dev],
                                       [answers[name][i] for i in real_dev]) for name in names}
    lines.append(f"{'real-dev: sure and wrong':<30}{len(real_dev):>7}"
                 + "".join(f"{real_wrong[name]:>10.1%}" for name in names))
    checks = goals(scores[ours_name], real_wrong[ours_name], mnist[ours_name], times[ours_name])
    lines += ["", f"Goals ({ours_name})", *(goal.line() for goal in checks)]
    return "\n".join(lines), checks


RELIABILITY_BINS = (0.0, 0.5, 0.8, 0.9, 0.95, 0.99, 1.0001)


def reliability(samples: Sequence[Sample], answers: Sequence[Answer], prefix: str) -> str:
    """Stated confidence against observed accuracy, for the answers given to real photos
    of a set (`prefix`: "real" for real-dev, "real-train")."""
    given = [(s, a) for s, a in zip(samples, answers, strict=True)
             if s.set.split(" ")[0] == prefix and a.text]
    lines = [f"Reliability, {'real-dev' if prefix == 'real' else prefix} (answers given:"
             f" stated confidence against how often they were right)",
             f"  {'stated':<14}{'answers':>8}{'right':>8}{'mean stated':>13}"]
    for low, high in itertools.pairwise(RELIABILITY_BINS):
        picked = [(s, a) for s, a in given if low <= a.confidence < high]
        if not picked:
            continue
        right_share = sum(right(s, a) for s, a in picked) / len(picked)
        stated = sum(a.confidence for _, a in picked) / len(picked)
        label = f"{low:.0%}-{min(high, 1):.0%}"
        lines.append(f"  {label:<14}{len(picked):>8}{right_share:>8.1%}{stated:>13.1%}")
    return "\n".join(lines)


def misses(samples: Sequence[Sample], answers: Sequence[Answer]) -> str:
    """Every real photo read wrong: file, what it shows, what was read."""
    lines = ["Real photos read wrong (file: shows -> read, confidence)"]
    for sample, answer in zip(samples, answers, strict=True):
        if sample.set.startswith("real") and not right(sample, answer):
            lines.append(f"  {sample.name}: {sample.label or 'no digit'} ->"
                         f" {answer.text or 'no digit'} ({answer.confidence:.0%})")
    return "\n".join(lines)


def write_answers(path: Path, samples: Sequence[Sample], answers: Sequence[Answer]) -> None:
    """One row per photo: set, name, label, the digits given and the confidence."""
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["set", "name", "label", "answer", "confidence"])
        for sample, answer in zip(samples, answers, strict=True):
            writer.writerow([sample.set, sample.name, sample.label or "", answer.text,
                             f"{answer.confidence:.4f}"])


# --------------------------------------------------------------------------------------


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-condition", type=int, default=40,
                        help="rendered single-digit photos per condition")
    parser.add_argument("--numbers-per-condition", type=int, default=10,
                        help="rendered numbers per condition")
    parser.add_argument("--negatives", type=int, default=40,
                        help="rendered photos per no-digit condition")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--real-dev", type=Path, default=DEFAULT_REAL_DEV)
    parser.add_argument("--real-train", type=Path, default=DEFAULT_REAL_TRAIN)
    parser.add_argument("--answers", type=Path,
                        help="write each photo's answer to this CSV (to compare two runs)")
    parser.add_argument("--mnist-path", type=Path,
                        default=Path(os.environ.get("MNIST_PATH") or DEFAULT_MNIST))
    parser.add_argument("--checkpoint", type=Path, default=checkpoint.DEFAULT_CHECKPOINT)
    parser.add_argument("--baseline-checkpoint", type=Path, default=SEED_CHECKPOINT)
    parser.add_argument("--misses", action="store_true", help="list every real photo missed")
    parser.add_argument("--check", action="store_true", help="exit 1 if a goal is missed")
    return parser.parse_args(argv)


def _progress(message: str, started: float) -> None:
    print(f"[{time.perf_counter() - started:6.1f} s] {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    started = time.perf_counter()
    test = load_mnist_test(args.mnist_path)
    reader = Reader.load(args.checkpoint)
    seed = Classifier.load(args.baseline_checkpoint)
    samples = real_photos(args.real_dev) + real_photos(args.real_train, "real-train") + rendered(
        test.images, test.labels, args.per_condition, args.numbers_per_condition,
        args.negatives, args.seed,
    )
    _progress(f"{len(samples)} photos ready", started)
    answers = {"ours": run(samples, ours(reader))}
    _progress("ours read them", started)
    answers["baseline"] = run(samples, baseline(seed))
    _progress("baseline read them", started)
    mnist = {"ours": evaluate(reader.classifier, test).accuracy,
             "baseline": evaluate(seed, test).accuracy}
    text, checks = report(samples, answers, mnist)
    print(f"Photo benchmark, seed {args.seed}: ours = {args.checkpoint.name}, baseline ="
          f" {args.baseline_checkpoint.name} with the seed tutorial's pipeline\n")
    print(text)
    for prefix in ("real", "real-train"):
        print("\n" + reliability(samples, answers["ours"], prefix))
    if args.misses:
        print("\n" + misses(samples, answers["ours"]))
    if args.answers:
        write_answers(args.answers, samples, answers["ours"])
    _progress("done", started)
    return 1 if args.check and not all(goal.met for goal in checks) else 0


if __name__ == "__main__":
    sys.exit(main())
