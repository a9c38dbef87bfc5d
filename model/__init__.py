"""The digit reader: photos in, numbers out; and the network's data, training and evaluation.

A photo flows one way: `decode` -> `ink` (the writing) -> `layout` (its characters, in
reading order) -> `normalise` (28x28, as MNIST) -> `classifier` (the network) -> `policy`
(read or refuse) -> a `reading.Reading`. `reader` runs that flow.

Nothing in this package knows about Telegram; the bot imports it, never the reverse.
"""
