"""Pictures as files: PNG and GIF writing, captions, contact sheets, and image sizes.

Both renderers (OpenGL and the CPU rasterizer) return an image as a numpy array of shape
(height, width, 4), uint8 RGBA, top row first; this module turns such arrays into files a slide can
use. Pillow does the encoding; nothing here knows how the picture was drawn.

Every file is written through :func:`affine3d.fileio.atomic_write` (a temporary file renamed over
the target), so a command killed while it saves leaves the old picture or the new one, whole. An
animated GIF is streamed (:class:`GifWriter`): one frame in memory at a time, however long it is.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np

from .errors import UsageError, shown
from .i18n import _
from .fileio import atomic_write, shown_path

__all__ = ["save_png", "save_image", "png_bytes", "GifWriter", "parse_size", "check_size", "caption", "wrap_text",
           "contact_sheet", "ContactSheet", "font", "curve_points", "loss_inset", "MAX_SIZE"]

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
    text = str(text)
    match = re.fullmatch(r"\s*(\d{1,9})\s*[xX×]\s*(\d{1,9})\s*", text)
    if not match:
        shown = text if len(text) <= 40 else f"{text[:18]}...{text[-18:]} ({len(text):,} characters)"
        raise UsageError(_("size: expected WIDTHxHEIGHT like 800x600, got {shown}").format(shown=repr(shown)))
    return check_size((int(match.group(1)), int(match.group(2))))


def check_size(size) -> tuple[int, int]:
    """``size`` as ``(width, height)`` ints in ``1 .. MAX_SIZE``, else :class:`UsageError`."""
    try:
        width, height = (_pixels(v) for v in size)
    except (TypeError, ValueError, OverflowError):
        raise UsageError(_("size: expected (width, height), two whole numbers of pixels, got {size}").format(
            size=shown(size))) from None
    if not (1 <= width <= MAX_SIZE and 1 <= height <= MAX_SIZE):
        raise UsageError(_("size: expected width and height in 1..{limit} pixels, got {width}x{height}").format(
            limit=MAX_SIZE, width=width, height=height))
    return width, height


def _pixels(value) -> int:
    """A whole number of pixels (an int, or a float like 640.0); anything else is a ValueError."""
    if isinstance(value, bool):
        raise ValueError(value)
    number = int(value)
    if number != value:
        raise ValueError(value)
    return number


def _pil_image(image: np.ndarray):
    from PIL import Image

    image = np.asarray(image)
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] not in (3, 4):
        raise UsageError(_("image: expected (H, W, 3 or 4) uint8, got {shape} {dtype}").format(
            shape=image.shape, dtype=image.dtype))
    return Image.fromarray(image, "RGBA" if image.shape[2] == 4 else "RGB")


def save_png(image: np.ndarray, path, what: str = "path", *, replace: bool = True) -> Path:
    """Write an (H, W, 4) or (H, W, 3) uint8 image (top row first) to a PNG file; returns the path.

    Written through a temporary file and a rename (:func:`affine3d.fileio.atomic_write`): the old file
    stays whole until the new one is. ``what`` names the option that gave the path, for messages;
    ``replace=False`` refuses to replace an existing file.
    """
    return save_image(_pil_image(image), path, what, replace=replace)


def save_image(image, path, what: str = "path", *, format: str = "PNG", replace: bool = True) -> Path:
    """Write the PIL ``image`` to ``path`` (``format``: "PNG", ...) through a temporary file; returns the path."""
    with atomic_write(path, what, replace=replace) as f:
        image.save(f, format=format)
    return Path(path)


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


class GifWriter:
    """An animated GIF written one frame at a time: memory for one frame, however many frames.

    Pillow's ``save(save_all=True)`` keeps every frame until the end; this writes each frame's
    image block as it comes, with its own 256-colour palette (a solid turning orange half-way keeps
    its colour), and renames the finished file over ``path`` on :meth:`close` (so a killed run
    leaves the old GIF). Use it as a context manager; if the block raises, nothing is written.

    Parameters
    ----------
    path : path
    loop : int
        How many times viewers repeat it (0: forever).
    what : str
        The option that named the path, for messages.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from PIL import Image
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "two.gif"
    >>> with GifWriter(path) as gif:
    ...     gif.add(Image.new("RGB", (4, 4), (255, 0, 0)), 100)
    ...     gif.add(Image.new("RGB", (4, 4), (0, 0, 255)), 200)
    >>> Image.open(path).n_frames
    2
    """

    def __init__(self, path, *, loop: int = 0, what: str = "path"):
        self.path = Path(path)
        self.loop = int(loop)
        self.what = what
        self.frames = 0
        self._size = None
        self._pending = None  # (P image, duration): held back so that the last duration can still change
        self._context = None
        self._file = None

    def __enter__(self) -> "GifWriter":
        self._context = atomic_write(self.path, self.what)
        self._file = self._context.__enter__()
        return self

    def add(self, image, duration_ms: int) -> None:
        """Append a frame (a PIL image, any mode, all frames one size) shown for ``duration_ms``."""
        if self._file is None:
            raise UsageError(_("GifWriter: use it in a with block"))
        frame = image.convert("RGB").convert("P", palette=_adaptive_palette())
        if self._size is None:
            self._size = frame.size
        elif frame.size != self._size:
            raise UsageError(_("GIF frame {frames}: expected {size}x{size2}, got {size3}x{size4}").format(
                frames=self.frames, size=self._size[0], size2=self._size[1], size3=frame.size[0], size4=frame.size[1]))
        self._flush()
        self._pending = (frame, max(0, int(duration_ms)))
        self.frames += 1

    def set_last_duration(self, duration_ms: int) -> None:
        """Show the last frame added for ``duration_ms`` instead (linger on the result before the loop restarts)."""
        if self._pending is not None:
            self._pending = (self._pending[0], max(0, int(duration_ms)))

    def _flush(self) -> None:
        from PIL import GifImagePlugin

        if self._pending is None:
            return
        frame, duration = self._pending
        self._pending = None
        if self.frames == 1:  # the first frame: the file header with its palette and the loop count
            header, _unused = GifImagePlugin.getheader(frame, info={"loop": self.loop, "duration": duration})
            for block in header:
                self._file.write(block)
            chunks = GifImagePlugin.getdata(frame, duration=duration)
        else:
            chunks = GifImagePlugin.getdata(frame, duration=duration, include_color_table=True)
        for chunk in chunks:
            self._file.write(chunk)

    def __exit__(self, kind, exc, tb) -> bool:
        context, self._context = self._context, None
        try:
            if kind is None:
                if self.frames == 0:
                    raise UsageError(_("{what}: a GIF needs at least one frame: {path}").format(
                        what=self.what, path=shown_path(self.path)))
                self._flush()
                self._file.write(b";")  # the GIF trailer
        except BaseException as error:
            if not context.__exit__(type(error), error, error.__traceback__):
                raise
            return False
        finally:
            self._file = None
        return bool(context.__exit__(kind, exc, tb))


def _adaptive_palette():
    from PIL import Image

    return Image.Palette.ADAPTIVE


class ContactSheet:
    """A grid of pictures filled one at a time, so the pictures need not all be in memory.

    ``count`` tiles of ``tile_size`` (width, height), ``columns`` wide; tiles are shrunk (keeping
    their shape) when the sheet would be wider or taller than ``max_side`` pixels.
    """

    def __init__(self, count: int, tile_size, columns: int = 5, gap: int = 4, background=(255, 255, 255),
                 max_side: int = MAX_SIZE):
        from PIL import Image

        self.columns = max(1, min(int(columns), int(count)))
        self.rows = -(-int(count) // self.columns)
        width, height = tile_size
        scale = min(1.0, (max_side - (self.columns - 1) * gap) / (self.columns * width),
                    (max_side - (self.rows - 1) * gap) / (self.rows * height))
        self.tile = (max(1, int(width * scale)), max(1, int(height * scale)))
        self.gap = gap
        self.background = background
        self.image = Image.new("RGB", (self.columns * self.tile[0] + (self.columns - 1) * gap,
                                       self.rows * self.tile[1] + (self.rows - 1) * gap), background)
        self.count = 0

    def add(self, picture) -> None:
        """Put the PIL ``picture`` in the next free tile, row by row."""
        k = self.count
        tile = picture.convert("RGB")
        if tile.size != self.tile:
            tile = tile.resize(self.tile)
        self.image.paste(tile, ((k % self.columns) * (self.tile[0] + self.gap), (k // self.columns) * (self.tile[1] + self.gap)))
        self.count += 1

    def finished(self, footer: str | None = None):
        """The sheet as a PIL image; ``footer``: a line of text in a band under the grid, as :func:`contact_sheet` writes it."""
        if not footer:
            return self.image
        from PIL import Image, ImageDraw

        size = max(10, self.tile[1] // 22)  # the captions' size
        band = round(size * 1.8)
        sheet = Image.new("RGB", (self.image.width, self.image.height + band), self.background)
        sheet.paste(self.image, (0, 0))
        ImageDraw.Draw(sheet).text((size // 2, sheet.height - band + (band - size) // 2), footer, fill=(0, 0, 0),
                                   font=_font(size))
        return sheet
