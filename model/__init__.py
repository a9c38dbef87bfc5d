"""Everything about digits, and nothing about Telegram (the bot imports this, never the
reverse). Four packages, each with one concern:

- `model.reading`: photos in, numbers out. What the bot and `python -m
  model.reading.predict` run: LiteRT and no TensorFlow. It imports nothing from the
  other two.
- `model.training`: the networks, their data and augmentation, training and the export
  to LiteRT (TensorFlow and Keras). It may import `reading` and `rendering`.
- `model.feedback`: users' corrections: the store the bot writes and their export as
  training pictures. It imports only `model.reading`.
- `model.rendering`: phone photos of handwriting rendered from MNIST digits, for
  training and the benchmarks. It imports only `model.reading.digits`.
"""
