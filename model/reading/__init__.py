"""The reading path: an image file in, a `result.Reading` out. What the bot serves.

A photo flows one way: `decode` -> `preprocess` (`ink`: the writing; `layout`: its
characters in reading order; `normalise`: each made 28x28 as MNIST's digits were) ->
`classifier` (the network, on LiteRT) -> `policy` (every read or refuse decision) -> a
`result.Reading`. `reader.Reader` runs that flow; `pictures` draws what it found.

Beside it: `digits` (the sizes everything shares), `checkpoint` (where the networks are,
what their metadata says), `fingerprint` (which preprocessing a network was trained
for), `mnist` (the data set, for `evaluate` and `/accuracy`), `predict` (the command
line). Nothing here imports TensorFlow, Keras, `model.training` or `model.rendering`.
"""
