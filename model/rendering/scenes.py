"""What a photo of a condition may look like: pens, inks, frame sizes, and the scenes.

A `Scene` holds the ranges each property of a photo is drawn from; every condition
changes a few of them from a mild default.
"""

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Pen:
    width: tuple[float, float]  # stroke width / the digit's height
    opacity: tuple[float, float]
    grain: float = 0.0  # 0: even ink; 1: broken up by the surface's texture (pencil, chalk)
    ragged: float = 0.0  # unevenness of the stroke's edges, in stroke radii
    opaque: bool = False  # covers the surface (chalk, paint) instead of tinting it like ink


PENS = {
    "ballpoint": Pen(width=(0.022, 0.036), opacity=(0.82, 0.95)),
    "pencil": Pen(width=(0.02, 0.032), opacity=(0.55, 0.75), grain=0.8, ragged=0.15),
    "felt": Pen(width=(0.055, 0.08), opacity=(0.9, 0.97)),
    "marker": Pen(width=(0.11, 0.15), opacity=(0.95, 1.0)),
    "chalk": Pen(width=(0.05, 0.08), opacity=(0.75, 0.92), grain=0.7, ragged=0.3, opaque=True),
    "brush": Pen(width=(0.04, 0.09), opacity=(1.0, 1.0), opaque=True),
}

# Albedo (share of light reflected) per RGB channel.
INKS = {
    "black": (0.11, 0.11, 0.14),
    "blue": (0.14, 0.22, 0.58),
    "red": (0.78, 0.16, 0.17),
    "green": (0.12, 0.38, 0.22),
    "graphite": (0.36, 0.36, 0.39),
    "chalk": (0.9, 0.9, 0.86),
    "yellow-chalk": (0.93, 0.87, 0.52),
    "paint": (0.0, 0.0, 0.0),
}

# (width, height, weight): Telegram's photo mode sends 1280 or 2560 px on the long side.
PHONE_SIZES = (
    (960, 1280, 0.38), (1280, 960, 0.26), (720, 1280, 0.08), (1280, 720, 0.08),
    (1920, 2560, 0.12), (2560, 1920, 0.08),
)
DOCUMENT_SIZES = ((4000, 3000, 0.3), (3000, 4000, 0.3), (4032, 3024, 0.2), (3024, 4032, 0.2))
CANVAS_SIZES = ((1080, 1080, 0.3), (800, 600, 0.25), (1024, 768, 0.25), (1080, 1920, 0.2))


@dataclass(frozen=True)
class Scene:
    """Ranges the photo's properties are drawn from; a condition changes a few of them."""

    surface: str = "plain"  # plain | ruled | squared | any-paper | board | screen | canvas | object
    pens: tuple[str, ...] = ("ballpoint",)
    inks: tuple[str, ...] = ("black", "blue")
    height: tuple[float, float] = (0.3, 0.5)  # the digit's ink height / the frame's height
    place: str = "centre"  # centre | edge | cut
    tilt: tuple[float, float] = (0.0, 5.0)  # |rotation of the page in the photo|, degrees
    keystone: float = 0.03  # perspective: corner displacement / frame side
    gradient: tuple[float, float] = (0.05, 0.25)  # light falloff across the frame
    vignette: tuple[float, float] = (0.0, 0.15)
    shadow: str = "soft"  # none | soft | cast | any
    lens_blur: tuple[float, float] = (0.4, 0.9)  # Gaussian sigma, pixels
    defocus: bool = False
    sharpen: tuple[float, float] = (0.2, 0.6)
    noise: tuple[float, float] = (1.5, 3.5)  # sensor noise sigma, grey levels
    quality: tuple[int, int] = (70, 92)  # JPEG quality
    sizes: tuple[tuple[int, int, float], ...] = PHONE_SIZES
    long_side: int | None = None  # scaled down to this long side before encoding
    show_through: float = 0.0  # chance of writing showing through from the back of the page
    table: float = 0.0  # chance that the page's edge and the table around it are in the frame
    file: str = "jpeg"  # jpeg | png | original (a camera's own file, with EXIF orientation)


MILD = Scene()
SCENES = {
    "clean-white-paper": replace(
        MILD, inks=("black",), height=(0.35, 0.45), tilt=(0, 2), gradient=(0, 0.08),
        vignette=(0, 0.05), shadow="none",
    ),
    "blue-ballpoint": replace(MILD, inks=("blue",)),
    "red-ballpoint": replace(MILD, inks=("red",)),
    "pencil": replace(MILD, pens=("pencil",), inks=("graphite",)),
    "felt-pen": replace(MILD, pens=("felt",), inks=("black", "blue", "green")),
    "marker": replace(MILD, pens=("marker",), inks=("black", "blue")),
    "ruled-paper": replace(MILD, surface="ruled"),
    "squared-paper": replace(MILD, surface="squared"),
    "uneven-light": replace(MILD, gradient=(0.4, 0.6), vignette=(0.25, 0.45), noise=(3, 6)),
    "shadow": replace(MILD, shadow="cast"),
    "small-digit": replace(MILD, height=(0.1, 0.15)),
    "large-digit": replace(MILD, height=(0.7, 0.9)),
    "off-centre": replace(MILD, place="edge"),
    "rotated": replace(MILD, tilt=(10, 20)),
    "blurred": replace(MILD, defocus=True, sharpen=(0, 0.1)),
    "low-jpeg": replace(MILD, quality=(20, 40), long_side=640),
    "show-through": replace(MILD, show_through=1.0),
    "paper-edge": replace(MILD, table=1.0, tilt=(2, 12), surface="any-paper"),
    "chalkboard": replace(
        MILD, surface="board", pens=("chalk",), inks=("chalk", "chalk", "yellow-chalk"),
        noise=(2.5, 5),
    ),
    "paint-app": replace(
        MILD, surface="canvas", pens=("brush",), inks=("paint",), height=(0.3, 0.7),
        sizes=CANVAS_SIZES, file="png",
    ),
    "screen": replace(
        MILD, surface="screen", pens=("brush",), inks=("paint",), gradient=(0, 0.1),
        vignette=(0.1, 0.3), shadow="none", keystone=0.05,
    ),
    "document-12mp": replace(MILD, sizes=DOCUMENT_SIZES, quality=(90, 96), file="original"),
}
NEGATIVE_SCENES = {
    "blank-page": replace(MILD, surface="any-paper", shadow="any", show_through=0.25, table=0.3),
    "blank-board": replace(SCENES["chalkboard"], shadow="any"),
    "non-digit-object": replace(MILD, surface="object", tilt=(0, 2), keystone=0.01),
    "cut-off-digit": replace(
        MILD, surface="any-paper", place="cut", pens=("ballpoint", "felt", "marker"),
        height=(0.35, 0.6), tilt=(0, 4),
    ),
}

CONDITIONS: tuple[str, ...] = tuple(SCENES)
NEGATIVE_CONDITIONS: tuple[str, ...] = tuple(NEGATIVE_SCENES)



def scene_of(condition: str) -> Scene:
    scene = SCENES.get(condition) or NEGATIVE_SCENES.get(condition)
    if scene is None:
        raise ValueError(f"unknown condition {condition!r}")
    return scene
