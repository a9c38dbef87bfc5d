"""Training the network the reader serves: TensorFlow and Keras.

`network` (the architectures), `negatives` (pictures that are not digits, the 11th
class), `redraw` and `augment` (digits as other pens and hands would write them),
`train` (the command: `python -m model.training.train`), `weights` (Keras weights and
their metadata on disk) and `export` (to LiteRT, checked against Keras). It reads MNIST
and the preprocessing from `model.reading`, and may use `model.rendering`.
"""
