"""Phone photos of handwritten digits and numbers, made from MNIST digits.

The benchmark renders MNIST's *test* digits; anything trained on rendered photos uses
the *training* digits, so the two never share a digit.

A digit becomes pen strokes along its centre line (a ballpoint draws thin lines and a marker
thick ones, whatever MNIST's own pen was), written on a surface (plain, ruled or squared
paper, a chalkboard, a monitor, a drawing app's canvas) that a phone then photographs:
perspective and rotation, uneven light and shadows, lens blur and sharpening, sensor noise,
JPEG at the sizes Telegram sends. Each condition changes one thing of a mild default scene.
Negative conditions are photos the bot must not answer with a digit: blank pages and
boards, photos of other things, and digits mostly outside the frame.

    from model.rendering import photo_set
    samples = photo_set(mnist.test.images, mnist.test.labels, per_condition=20)

Training and the benchmarks import this package; the reading path (`model.reading`) never
does; it imports only `model.reading.digits`. One concern a module: `scenes` (what each
condition varies), `strokes` (a digit as a pen writes it), `framing` (where the phone
looks, where the digit lies), `surfaces` and `things` (what is in the picture), `camera`
(light, lens, sensor, file), `photos` (whole photos and sets), `noise` and `thinning`
(shared tools).

Everything is whole-array numpy and OpenCV: a 1280x960 photo takes 50-100 ms on one core.
"""

from model.rendering.photos import (
    Sample,
    compose_number,
    frame_sizes,
    photo_set,
    render,
    render_negative,
)
from model.rendering.scenes import CONDITIONS, NEGATIVE_CONDITIONS

__all__ = [
    "CONDITIONS", "NEGATIVE_CONDITIONS", "Sample", "compose_number", "frame_sizes", "photo_set",
    "render", "render_negative",
]
