"""Pictures of passes and reading QR codes from photos. CPU work: callers run it off the event loop
(``run``), in a small thread pool — zbar and Pillow release the GIL while they work.

No aiogram and no database here.
"""

from __future__ import annotations

import asyncio
import io
import zipfile
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

ZBAR_PACKAGE = "libzbar0"  # Debian/Ubuntu; "zbar" on Fedora, Alpine and Homebrew
FONT_CANDIDATES = (  # a font with Cyrillic; Pillow's own default has none
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:/Windows/Fonts/arial.ttf",
)
MAX_PIXELS = 40_000_000  # a photo bigger than this is refused rather than decoded
WORKERS = 2

_pool: ThreadPoolExecutor | None = None


class ScannerMissing(RuntimeError):
    """pyzbar is installed but the zbar shared library is not: name the package to install."""

    def __init__(self, detail: str):
        super().__init__(f"the zbar library is missing ({detail}); install it: apt-get install {ZBAR_PACKAGE} "
                         f"(the package is called 'zbar' on Fedora, Alpine and Homebrew)")


class NotAnImage(ValueError):
    pass


def _executor() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="qr")
    return _pool


async def run(func: Callable[..., Any], *args: Any) -> Any:
    """``func(*args)`` in the QR thread pool: the event loop keeps answering other users meanwhile."""
    return await asyncio.get_running_loop().run_in_executor(_executor(), func, *args)


def shutdown() -> None:
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=False, cancel_futures=True)
        _pool = None


# ------------------------------------------------------------------------------------------- decoding

def _zbar_decode():
    try:
        from pyzbar import pyzbar
    except ImportError as exc:  # pyzbar raises ImportError when libzbar cannot be loaded
        raise ScannerMissing(str(exc)) from None
    return pyzbar.decode


def scanner_problem() -> str | None:
    """None when photos can be decoded here, else what to install."""
    try:
        _zbar_decode()
    except ScannerMissing as exc:
        return str(exc)
    return None


HALF_FIRST_MIN_SIDE = 1000  # photos at least this large are tried at half size first


def decode(data: bytes, prefer: str | None = None) -> list[str]:
    """Every QR payload found in an image (JPEG, PNG, ...), as text. ``NotAnImage`` if it is none.
    With ``prefer``, a read that found only codes not starting with it (a poster's URL behind the
    pass) goes on to the next attempt, and everything found is returned.

    zbar copes with rotation, perspective and scale by itself. A phone photo is first read at half
    size (a 200-px QR still has ~2.5 px per module there; a third of the time of the full photo),
    then at full size, then a contrast-stretched, sharpened copy for dim or blurred shots."""
    from PIL import Image, ImageFilter, ImageOps

    decode_ = _zbar_decode()
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.width * img.height > MAX_PIXELS:
                raise NotAnImage("too large")
            gray = ImageOps.exif_transpose(img).convert("L")
    except NotAnImage:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever Pillow cannot read is "not an image" to the desk
        raise NotAnImage(str(exc)) from exc
    from pyzbar.pyzbar import ZBarSymbol

    def attempts():
        if max(gray.size) >= HALF_FIRST_MIN_SIDE:
            yield gray.reduce(2)
        yield gray
        yield ImageOps.autocontrast(gray, cutoff=2).filter(ImageFilter.SHARPEN)

    seen: list[str] = []
    for attempt in attempts():
        found = [r.data.decode("utf-8", "replace") for r in decode_(attempt, symbols=[ZBarSymbol.QRCODE])]
        seen += [f for f in found if f not in seen]
        if found and (prefer is None or any(f.startswith(prefer) for f in found)):
            return seen
    return seen


# ------------------------------------------------------------------------------------------ rendering

@dataclass(frozen=True)
class PassPicture:
    """What is printed on a pass: the QR payload and three lines under it."""

    payload: str
    event_title: str
    name: str
    code: str


@lru_cache(maxsize=8)
def _font(size: int):
    from PIL import ImageFont

    for path in FONT_CANDIDATES:
        if Path(path).is_file():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size)


def _fit(draw, text: str, size: int, width: int):
    """The text and a font that fits ``width`` (shrinking, then cutting with an ellipsis)."""
    while size > 12 and draw.textlength(text, font=_font(size)) > width:
        size -= 2
    font = _font(size)
    while len(text) > 1 and draw.textlength(text, font=font) > width:
        text = text[:-2] + "…"
    return text, font


def qr_image(payload: str, box: int = 10):
    """The QR as a grayscale image, ``box`` pixels per module with the standard 4-module margin.

    Built from the module matrix in one step (bytes → image → nearest-neighbour scale) rather than
    through qrcode's image factory, which draws every module as a rectangle: that saved more than
    the text under the QR costs."""
    import qrcode
    from PIL import Image

    # Error correction M: 15% of the code may be damaged (a crease, a glare) and it still reads.
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    qr.add_data(payload)
    qr.make(fit=True)
    matrix = qr.get_matrix()  # includes the margin
    side = len(matrix)
    raw = bytes(0 if dark else 255 for row in matrix for dark in row)
    return Image.frombytes("L", (side, side), raw).resize((side * box, side * box), Image.NEAREST)


def pass_image(picture: PassPicture):
    """The pass as a Pillow image: the QR with the event, the person and the short code under it."""
    from PIL import Image, ImageDraw

    code = qr_image(picture.payload)
    width = max(code.width, 480)
    canvas = Image.new("L", (width, code.height + 170), 255)
    canvas.paste(code, ((width - code.width) // 2, 0))
    draw = ImageDraw.Draw(canvas)
    y = code.height - 10
    for text, size in ((picture.event_title, 26), (picture.name, 34), (picture.code, 30)):
        text, font = _fit(draw, text, size, width - 40)
        draw.text((width // 2, y), text, fill=0, font=font, anchor="ma")
        y += size + 18
    return canvas


_FOUR_GRAYS = [min(3, (v + 42) // 85) for v in range(256)]  # 0..255 → palette index 0..3
_FOUR_GRAYS_PALETTE = [0, 0, 0, 85, 85, 85, 170, 170, 170, 255, 255, 255]


def pass_png(picture: PassPicture) -> bytes:
    """The pass as a 2-bit PNG: black modules, white paper and two grays for the text's smooth
    edges. A quarter of the bytes of 8-bit gray, so zlib has a quarter of the work; fast level."""
    from PIL import Image

    image = pass_image(picture)
    indexed = Image.frombytes("P", image.size, image.point(_FOUR_GRAYS).tobytes())
    indexed.putpalette(_FOUR_GRAYS_PALETTE)
    out = io.BytesIO()
    indexed.save(out, format="PNG", bits=2, compress_level=1)
    return out.getvalue()


def passes_pdf(pictures: Iterable[PassPicture]) -> bytes:
    """One pass per page, for printing badges."""
    pages = [pass_image(p).convert("RGB") for p in pictures]
    if not pages:
        raise ValueError("no passes to print")
    out = io.BytesIO()
    pages[0].save(out, format="PDF", save_all=True, append_images=pages[1:], resolution=150)
    return out.getvalue()


def passes_zip(pictures: Iterable[tuple[str, PassPicture]]) -> bytes:
    """``(file name, pass)`` pairs as a ZIP of PNG files."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:  # PNGs are compressed already
        for name, picture in pictures:
            archive.writestr(name, pass_png(picture))
    return out.getvalue()
