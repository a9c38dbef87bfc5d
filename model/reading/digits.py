"""What the network reads and names: 28x28 pictures, the ten digits, and "not a digit".

Defined once here, without Keras, for the reader, the network's definition and the tools.
"""

SIDE = 28  # MNIST's pictures are 28x28 pixels, and so is everything the network reads
DIGITS = 10  # the classes 0-9
NOT_A_DIGIT = DIGITS  # digitnet's 11th class: letters, marks, blots
