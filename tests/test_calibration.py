"""Temperature scaling: softer confidence, the same answers, fitted to held-out labels."""

import numpy as np

from model.reading.calibration import fit_temperature, soften


def test_softening_keeps_the_answer_and_lowers_the_confidence():
    probabilities = np.array([[0.97, 0.02, 0.01], [0.2, 0.7, 0.1]], np.float32)
    softer = soften(probabilities, 2.0)
    assert (softer.argmax(axis=1) == probabilities.argmax(axis=1)).all()
    assert (softer.max(axis=1) < probabilities.max(axis=1)).all()
    np.testing.assert_allclose(softer.sum(axis=1), 1, atol=1e-6)
    assert soften(probabilities, 1.0) is probabilities


def test_an_overconfident_network_gets_a_temperature_above_one():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, 400)
    # Sure (0.98) of every answer, but right only 70% of the time.
    answers = np.where(rng.random(400) < 0.7, labels, (labels + 1) % 3)
    probabilities = np.full((400, 3), 0.01, np.float32)
    probabilities[np.arange(400), answers] = 0.98
    temperature = fit_temperature(probabilities, labels)
    assert temperature > 2
    right = soften(probabilities, temperature).max(axis=1).mean()
    assert 0.6 < right < 0.8  # stated confidence now near the 70% observed


def test_a_well_calibrated_network_keeps_a_temperature_near_one():
    rng = np.random.default_rng(1)
    confidence = rng.uniform(0.5, 1.0, 2000)
    labels = np.zeros(2000, int)
    answers = np.where(rng.random(2000) < confidence, 0, 1)
    probabilities = np.stack([np.where(answers == 0, confidence, 1 - confidence),
                              np.where(answers == 0, 1 - confidence, confidence)], axis=1)
    assert 0.8 < fit_temperature(probabilities, labels) < 1.25
