"""/accuracy's evaluation on MNIST's test set: one at a time, yielding to photos, and
done once per network.

The served network does not change while the bot runs, so neither does its accuracy on
a fixed test set: it is evaluated once, at start-up when MNIST is on disk (MNIST_PATH, or
Keras' cache), else at the first /accuracy, and the report is kept for every /accuracy
after, in the shared state: with REDIS_URL, one replica evaluates (holding a lock) and the
others use its report. Admins asking while it runs share it. It runs in a thread of its
own at the lowest CPU priority, with the network's own threads, so that photos arriving
meanwhile are read first.
"""

import asyncio
import base64
import concurrent.futures
import hashlib
import json
import logging
import os
import secrets
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import numpy as np

from bot import metrics
from bot.shared_state import STATE_ERRORS
from bot.state import BotData
from model.reading.evaluate import Report, confusion_matrix_png, evaluate_on_mnist
from model.reading.mnist import KERAS_SHA256, keras_cache

logger = logging.getLogger(__name__)

LOWEST_PRIORITY = 19  # the niceness of the evaluation's thread (and the threads it starts)
LOCK_SECONDS = 30.0  # a replica that died evaluating holds the lock at most this long
# (one alive renews it every third of that)
FORMAT = "v1"  # of the kept report: a report kept by another version is evaluated anew
WAIT_SECONDS = 0.5  # how often a replica waiting for another's report looks for it

T = TypeVar("T")


def mnist_on_disk(shared: BotData) -> bool:
    """Whether evaluating needs no download."""
    path = shared.settings.mnist_path
    return path.is_file() if path is not None else keras_cache().is_file()


async def evaluate_ahead(shared: BotData) -> None:
    """At start-up: the report, so that the first /accuracy need not wait for it."""
    try:
        await report(shared)
    except Exception as error:  # /accuracy will try again, and say what went wrong
        logger.warning("Could not evaluate the network at start-up: %s", error)


async def report(shared: BotData) -> tuple[Report, bytes]:
    """The report and its confusion-matrix picture: kept, under way, or evaluated now."""
    if shared.accuracy_report is None:
        shared.accuracy_report = await _kept(shared, await _key(shared))
    if shared.accuracy_report is not None:
        return shared.accuracy_report
    running = shared.evaluation
    if running is None:
        running = shared.evaluation = asyncio.ensure_future(_evaluate(shared))
        running.add_done_callback(lambda _: setattr(shared, "evaluation", None))
    return await asyncio.shield(running)  # one asker cancelled must not cancel the rest


async def _evaluate(shared: BotData) -> tuple[Report, bytes]:
    """Evaluate, unless another replica is at it: then wait for its report."""
    key = await _key(shared)
    lock, token = key + ":evaluating", secrets.token_bytes(8)
    while not await _try(shared.state.put_new(lock, token, LOCK_SECONDS), default=True):
        kept = await _kept(shared, key)
        if kept is not None:
            shared.accuracy_report = kept
            return kept
        await asyncio.sleep(WAIT_SECONDS)
    renewing = asyncio.ensure_future(_renew(shared, lock, token))
    try:
        kept = await _kept(shared, key)  # by a replica that held the lock just before
        if kept is not None:
            shared.accuracy_report = kept
            return kept
        metrics.ACCURACY_RUNS.inc()
        result = await in_background(_evaluate_and_draw, shared)
        logger.info("Evaluated on %d MNIST test images: %.4f", result[0].images,
                    result[0].accuracy)
        shared.accuracy_report = result
        await _try(shared.state.put(key, _dumps(result)))
    finally:
        renewing.cancel()
        await _try(shared.state.delete(lock, token))  # if it is still ours
    return result


async def _renew(shared: BotData, lock: str, token: bytes) -> None:
    """Keep the lock while evaluating; if it lapsed (Redis was out of reach for its whole
    lifetime) and another replica took it, leave it to that one."""
    while True:
        await asyncio.sleep(LOCK_SECONDS / 3)
        if not await _try(shared.state.renew(lock, token, LOCK_SECONDS), default=True):
            logger.warning("Another replica took /accuracy's lock; evaluating on regardless")
            return


async def _key(shared: BotData) -> str:
    """Where the report is kept: per network, preprocessing and test set."""
    if shared.mnist_digest is None:
        path = shared.settings.mnist_path
        shared.mnist_digest = (await asyncio.to_thread(_digest, path) if path is not None
                               else KERAS_SHA256[:16])  # Keras' file is checked against it
    return f"accuracy:{FORMAT}:{shared.reader.version}:{shared.mnist_digest}"


def _digest(path: Path) -> str:
    try:
        with path.open("rb") as file:
            return hashlib.file_digest(file, "sha256").hexdigest()[:16]
    except OSError:
        return "unreadable"  # the evaluation will say why


async def _kept(shared: BotData, key: str) -> tuple[Report, bytes] | None:
    """The report of this network that a replica (or this process) kept, if any."""
    kept = await _try(shared.state.get(key))
    if not kept:
        return None
    try:
        return _loads(kept)
    except (ValueError, KeyError, TypeError) as error:  # not what this version writes
        logger.warning("A kept /accuracy report is unreadable (%s): evaluating again", error)
        return None


async def _try(call: Awaitable[T], default: T | None = None) -> T | None:
    """A call on the shared state; `default` if it fails (the evaluation goes on alone)."""
    try:
        return await call
    except STATE_ERRORS as error:
        logger.warning("Could not share /accuracy's evaluation (%s)", error)
        return default


def _dumps(result: tuple[Report, bytes]) -> bytes:
    report, picture = result
    return json.dumps({"accuracy": report.accuracy, "per_digit": report.per_digit,
                       "confusion": report.confusion.tolist(), "images": report.images,
                       "seconds": report.seconds,
                       "picture": base64.b64encode(picture).decode()}).encode()


def _loads(data: bytes) -> tuple[Report, bytes]:
    fields = json.loads(data)
    picture = base64.b64decode(fields.pop("picture"))
    fields["confusion"] = np.array(fields["confusion"], dtype=np.int64)
    return Report(**fields), picture


def _evaluate_and_draw(shared: BotData) -> tuple[Report, bytes]:
    evaluated = evaluate_on_mnist(shared.reader.classifier, shared.settings.mnist_path)
    return evaluated, confusion_matrix_png(evaluated)


async def in_background(function: Callable[..., T], *args: object) -> T:
    """`function(*args)` in a new thread at the lowest CPU priority. (Not in asyncio's
    worker threads: a thread's priority, once lowered, cannot be raised again without
    privileges, and those threads read photos.)"""
    done: concurrent.futures.Future[T] = concurrent.futures.Future()

    def run() -> None:
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), LOWEST_PRIORITY)
        except (AttributeError, OSError) as error:  # not Linux: at the usual priority
            logger.debug("Could not lower the evaluation's priority: %s", error)
        try:
            done.set_result(function(*args))
        except BaseException as error:  # handed to the awaiting coroutine
            done.set_exception(error)

    threading.Thread(target=run, name="evaluation", daemon=True).start()
    return await asyncio.wrap_future(done)
