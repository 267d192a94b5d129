"""Pictures as files: PNG and GIF writing, captions, contact sheets, and image sizes.

Both renderers (OpenGL and the CPU rasterizer) return an image as a numpy array of shape
(height, width, 4), uint8 RGBA, top row first; this module turns such arrays into files a slide can
use. Pillow does the encoding; nothing here knows how the picture was drawn.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np

from .errors import UsageError

__all__ = ["save_png", "png_bytes", "parse_size", "check_size", "caption", "wrap_text", "contact_sheet", "font",
           "curve_points", "loss_inset", "MAX_SIZE"]

MAX_SIZE = 16384
"""The largest width or height, in pixels, of a picture (OpenGL's usual framebuffer limit)."""


def parse_size(text: str) -> tuple[int, int]:
    """``"800x600"`` -> ``(800, 600)`` (width, height in pixels).

    Raises
    ------
    UsageError
        ``size: expected WIDTHxHEIGHT like 800x600, got '800'``, or a size out of range.

    Examples
    --------
    >>> parse_size("320x240")
    (320, 240)
    """
    match = re.fullmatch(r"\s*(\d+)\s*[xX×]\s*(\d+)\s*", str(text))
    if not match:
        raise UsageError(f"size: expected WIDTHxHEIGHT like 800x600, got {text!r}")
    return check_size((int(match.group(1)), int(match.group(2))))


def check_size(size) -> tuple[int, int]:
    """``size`` as ``(width, height)`` ints in ``1 .. MAX_SIZE``, else :class:`UsageError`."""
    try:
        width, height = (int(v) for v in size)
    except (TypeError, ValueError):
        raise UsageError(f"size: expected (width, height) in pixels, got {size!r}") from None
    if not (1 <= width <= MAX_SIZE and 1 <= height <= MAX_SIZE):
        raise UsageError(f"size: expected width and height in 1..{MAX_SIZE} pixels, got {width}x{height}")
    return width, height


def _pil_image(image: np.ndarray):
    from PIL import Image

    image = np.asarray(image)
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] not in (3, 4):
        raise UsageError(f"image: expected (H, W, 3 or 4) uint8, got {image.shape} {image.dtype}")
    return Image.fromarray(image, "RGBA" if image.shape[2] == 4 else "RGB")


def save_png(image: np.ndarray, path) -> Path:
    """Write an (H, W, 4) or (H, W, 3) uint8 image (top row first) to a PNG file; returns the path."""
    path = Path(path)
    _pil_image(image).save(path, format="PNG")
    return path


def png_bytes(image: np.ndarray) -> bytes:
    """An (H, W, 4) or (H, W, 3) uint8 image (top row first) as the bytes of a PNG file."""
    buffer = io.BytesIO()
    _pil_image(image).save(buffer, format="PNG")
    return buffer.getvalue()


def font(size: int, bold: bool = False):
    """A font for text in pictures, ``size`` pixels: DejaVu Sans where the system has it (it has Greek letters
    and sub/superscripts), else Pillow's default (scalable since Pillow 10.1; else its small bitmap font)."""
    from PIL import ImageFont

    try:
        return ImageFont.truetype("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf", size)
    except OSError:
        pass
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1
        return ImageFont.load_default()


_font = font


def wrap_text(text: str, font, width: float) -> list[str]:
    """``text`` broken into lines no wider than ``width`` pixels in ``font``, at spaces (a word longer than a line
    stands alone on its line)."""
    lines: list[str] = []
    for paragraph in str(text).split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if line and font.getlength(candidate) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


def caption(image, text: str, footer: str | None = None):
    """``image`` (PIL) with ``text`` in its top-left corner (and ``footer`` in its bottom-left), light on a dark
    outline (readable on any background). A text wider than the image is wrapped onto more lines, never cut."""
    from PIL import ImageDraw

    size = max(10, image.height // 22)
    font = _font(size)
    margin = size // 2
    draw = ImageDraw.Draw(image)
    style = dict(fill=(240, 240, 240), font=font, stroke_width=max(1, size // 8), stroke_fill=(0, 0, 0))
    step = round(size * 1.25)
    for k, line in enumerate(wrap_text(text, font, image.width - 2 * margin)):
        draw.text((margin, size // 3 + k * step), line, **style)
    if footer:
        lines = wrap_text(footer, font, image.width - 2 * margin)
        for k, line in enumerate(lines):
            draw.text((margin, image.height - margin - (len(lines) - k) * step), line, **style)
    return image


def contact_sheet(images, columns: int = 5, gap: int = 4, background=(255, 255, 255), footer: str | None = None):
    """The PIL ``images`` (all one size) in a grid, ``columns`` wide, row by row; ``footer``: a line of text under it."""
    from PIL import Image, ImageDraw

    columns = max(1, min(columns, len(images)))
    rows = -(-len(images) // columns)
    width, height = images[0].size
    size = max(10, height // 22)  # the captions' size
    band = round(size * 1.8) if footer else 0
    sheet = Image.new("RGB", (columns * width + (columns - 1) * gap, rows * height + (rows - 1) * gap + band), background)
    for k, image in enumerate(images):
        sheet.paste(image.convert("RGB"), ((k % columns) * (width + gap), (k // columns) * (height + gap)))
    if footer:
        draw = ImageDraw.Draw(sheet)
        draw.text((size // 2, sheet.height - band + (band - size) // 2), footer, fill=(0, 0, 0), font=_font(size))
    return sheet


def curve_points(losses, n: int = 120) -> np.ndarray:
    """A loss curve in the unit square: epochs across, log10(loss) up; shape (k, 2), k <= n.

    The epochs are cut into at most ``n`` equal bins, each shown by its last loss; ``y`` spans the
    smallest to the largest log-loss so far (a flat curve sits in the middle). The viewer's training
    panel and the learning GIF of ``affine3d render --train`` both draw it.

    Examples
    --------
    >>> curve_points([1.0, 0.1, 0.01]).tolist()
    [[0.0, 1.0], [0.5, 0.5], [1.0, 0.0]]
    """
    losses = np.asarray(losses, dtype=np.float64)
    if len(losses) == 0:
        return np.zeros((0, 2))
    ends = np.unique(np.ceil(np.linspace(0, len(losses), min(n, len(losses)) + 1)[1:]).astype(int)) - 1
    values = np.log10(np.maximum(losses[ends], 1e-300))
    x = ends / max(len(losses) - 1, 1)
    low, high = float(values.min()), float(values.max())
    y = (values - low) / (high - low) if high > low else np.full(len(values), 0.5)
    return np.column_stack([x, y])


def loss_inset(image, losses, done: int | None = None):
    """``image`` (PIL) with a small loss curve in its bottom-right corner, on a dark box.

    ``losses``: the mean loss of every epoch of a whole training run; ``done``: how many of them are
    done at this picture (default all). The axes are the whole run's, so across the frames of a GIF
    the curve grows from left to right against fixed axes.
    """
    from PIL import ImageDraw

    losses = list(losses)
    done = len(losses) if done is None else int(done)
    width, height = image.size
    box_w, box_h = max(80, width // 4), max(40, height // 7)
    x0, y0 = width - box_w - 8, height - box_h - 8
    draw = ImageDraw.Draw(image, "RGBA")
    draw.rectangle([x0, y0, x0 + box_w, y0 + box_h], fill=(0, 0, 0, 170))
    size = max(8, height // 45)
    font = _font(size)
    if done >= 2:
        points = curve_points(losses)
        points = points[points[:, 0] <= (done - 1) / max(len(losses) - 1, 1) + 1e-12]
        x, y, w, h = x0 + 6, y0 + size + 6, box_w - 12, box_h - size - 12
        if len(points) >= 2:
            draw.line([(x + px * w, y + (1 - py) * h) for px, py in points], fill=(120, 200, 255, 255), width=2)
    text = f"loss {losses[done - 1]:.2e} (log scale)" if done else "loss (log scale)"
    draw.text((x0 + 6, y0 + 3), text, fill=(220, 220, 220, 255), font=font)
    return image
