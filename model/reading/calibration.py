"""Confidence that means what it says: temperature scaling of the network's probabilities.

A network trained to be right is often surer than it should be on pictures unlike its
training data. Dividing its log-probabilities by a temperature above 1 softens every
answer alike, without changing which class is likeliest; the temperature is fitted on
pictures the network never trained on (`fit_temperature`) and recorded in the
checkpoint's metadata (`calibration`), which the classifier applies.
"""

import numpy as np

TEMPERATURES = np.exp(np.linspace(np.log(0.5), np.log(8.0), 400))  # the candidates tried


def soften(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    """Probabilities (n, classes) rescaled by `temperature`; rows still sum to 1."""
    if temperature == 1.0 or len(probabilities) == 0:
        return probabilities
    logits = np.log(np.clip(probabilities, 1e-12, 1.0)) / temperature
    logits -= logits.max(axis=1, keepdims=True)
    scaled = np.exp(logits)
    return (scaled / scaled.sum(axis=1, keepdims=True)).astype(np.float32)


def fit_temperature(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """The temperature that makes `probabilities` most likely to have given `labels`
    (least negative log-likelihood), from `TEMPERATURES`."""
    rows = np.arange(len(labels))
    losses = [-np.log(np.clip(soften(probabilities, t)[rows, labels], 1e-12, 1)).mean()
              for t in TEMPERATURES]
    return float(TEMPERATURES[int(np.argmin(losses))])
