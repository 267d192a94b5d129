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
           "MAX_SIZE"]

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
