"""Where the phone looks and where the digit lies in its frame.

`View` maps the photo's pixels to the page's (rotation and perspective); `place` picks
the digit's centre and height in the frame, whole or cut off by an edge.
"""

import math
from dataclasses import dataclass

import cv2
import numpy as np

from model.rendering.noise import uniform
from model.rendering.scenes import Scene
from model.rendering.strokes import Shape


@dataclass(frozen=True)
class View:
    """Where the phone looks: a homography from frame pixels to page pixels."""

    width: int
    height: int
    tilt: float  # degrees
    frame_to_page: np.ndarray
    page_to_frame: np.ndarray

    @classmethod
    def random(cls, w: int, h: int, scene: Scene, rng: np.random.Generator) -> "View":
        tilt = uniform(rng, scene.tilt) * rng.choice([-1.0, 1.0])
        angle = math.radians(tilt)
        rotation = np.array([[math.cos(angle), math.sin(angle)],
                             [-math.sin(angle), math.cos(angle)]])
        corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float64)
        middle = np.array([w / 2, h / 2])
        quad = (corners - middle) @ rotation.T
        quad += rng.uniform(-1, 1, (4, 2)) * scene.keystone * min(w, h)
        # Shrink the quad about the middle until it lies on the page: no border in sight.
        room = np.array([w / 2 - 1, h / 2 - 1])
        shrink = min(1.0, float(np.min(room / np.maximum(np.abs(quad), 1e-6))))
        quad = quad * shrink + middle
        frame_to_page = cv2.getPerspectiveTransform(
            corners.astype(np.float32), quad.astype(np.float32)
        )
        return cls(w, h, tilt, frame_to_page, np.linalg.inv(frame_to_page))

    def to_page(self, point: tuple[float, float]) -> tuple[float, float]:
        return tuple(transform(self.frame_to_page, np.array([point]))[0])

    def scale_at(self, point: tuple[float, float]) -> float:
        """Page pixels per frame pixel around `point`."""
        step = np.array([point, (point[0], point[1] + 10.0)])
        mapped = transform(self.frame_to_page, step)
        return float(np.linalg.norm(mapped[1] - mapped[0]) / 10.0)

    def ink_in_frame(
        self, shape: "Shape", centre: tuple[float, float], ink_height: float
    ) -> np.ndarray:
        """Where the digit's ink pixels land in the frame, (n, 2)."""
        page_centre = np.array(self.to_page(centre))
        page_points = page_centre + shape.points * ink_height * self.scale_at(centre)
        return transform(self.page_to_frame, page_points)

    def frame_box(
        self, shape: "Shape", centre: tuple[float, float], ink_height: float
    ) -> tuple[float, float, float, float]:
        points = self.ink_in_frame(shape, centre, ink_height)
        (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
        return float(x0), float(y0), float(x1), float(y1)

    def outside_share(
        self, shape: "Shape", centre: tuple[float, float], ink_height: float
    ) -> float:
        """The share of the digit's ink that falls outside the frame."""
        x, y = self.ink_in_frame(shape, centre, ink_height).T
        inside = (x >= 0) & (x < self.width) & (y >= 0) & (y < self.height)
        return 1.0 - float(inside.mean())


def transform(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
    return cv2.perspectiveTransform(points.reshape(-1, 1, 2).astype(np.float64), matrix)[:, 0]



def place(
    shape: Shape, view: View, scene: Scene, rng: np.random.Generator
) -> tuple[tuple[float, float], float]:
    """The digit's centre in the frame and its ink height in frame pixels."""
    w, h = view.width, view.height
    ink_height = uniform(rng, scene.height) * h
    if scene.place == "cut":
        return place_cut(shape, view, ink_height, rng), ink_height
    margin = 0.025 * min(w, h)
    for _ in range(40):
        angle = math.radians(abs(view.tilt))
        half_w = (shape.aspect * math.cos(angle) + math.sin(angle)) * ink_height / 2
        half_h = (shape.aspect * math.sin(angle) + math.cos(angle)) * ink_height / 2
        room_x, room_y = w / 2 - half_w - margin, h / 2 - half_h - margin
        if room_x > 0 and room_y > 0:
            break
        ink_height *= 0.95  # too big to fit at this tilt: write it a little smaller
    if scene.place == "edge":  # near one edge or a corner, still whole
        x = rng.choice([-1.0, 1.0]) * room_x * rng.uniform(0.85, 1.0)
        y = rng.choice([-1.0, 1.0]) * room_y * rng.uniform(0.85, 1.0)
        if rng.random() < 0.5:  # an edge, not a corner
            if rng.random() < 0.5:
                x = rng.uniform(-0.5, 0.5) * room_x
            else:
                y = rng.uniform(-0.5, 0.5) * room_y
    else:
        x = rng.uniform(-1, 1) * min(room_x, 0.15 * w)
        y = rng.uniform(-1, 1) * min(room_y, 0.15 * h)
    centre = (w / 2 + x, h / 2 + y)
    # Perspective can push a corner of the digit out: pull it back in.
    for _ in range(5):
        x0, y0, x1, y1 = view.frame_box(shape, centre, ink_height)
        dx = max(margin - x0, 0) - max(x1 - (w - margin), 0)
        dy = max(margin - y0, 0) - max(y1 - (h - margin), 0)
        if dx == 0 and dy == 0:
            break
        centre = (centre[0] + dx, centre[1] + dy)
    return centre, ink_height


def place_cut(
    shape: Shape, view: View, ink_height: float, rng: np.random.Generator
) -> tuple[float, float]:
    """A centre that leaves 50-75% of the digit's ink outside the frame, past one edge."""
    w, h = view.width, view.height
    target = rng.uniform(0.5, 0.75)
    # Left, right, top, bottom; a narrow digit (a 1) is cut across, not along its stroke.
    side = int(rng.integers(2, 4) if shape.aspect < 0.6 else rng.integers(4))
    along = rng.uniform(0.3, 0.7) * (h if side < 2 else w)
    outward = np.array([[-1, 0], [1, 0], [0, -1], [0, 1]][side], np.float64)
    middle = np.array([w / 2, h / 2])
    middle[1 if side < 2 else 0] = along  # the position along the chosen edge
    reach = (w if side < 2 else h) / 2 + ink_height  # far enough to be wholly outside
    low, high = 0.0, reach
    for _ in range(24):  # bisect on how far out the centre is
        mid = (low + high) / 2
        centre = tuple(middle + outward * mid)
        if view.outside_share(shape, centre, ink_height) < target:
            low = mid
        else:
            high = mid
    return tuple(middle + outward * high)
