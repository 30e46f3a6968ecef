"""Phone-like photos of a pass, made from the PNG the bot sent: scaled so the QR is ~200 px,
rotated, placed in a noisy 1280×960 scene and JPEG-compressed."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageFilter, ImageOps


def _scene(seed: int) -> Image.Image:
    rnd = random.Random(seed)
    scene = Image.effect_noise((1280, 960), 35).convert("RGB")
    draw = ImageDraw.Draw(scene)
    for _ in range(12):  # a table, a hand, a badge lanyard: shapes that are not a QR
        x, y = rnd.randrange(1280), rnd.randrange(960)
        draw.rectangle((x, y, x + rnd.randrange(40, 300), y + rnd.randrange(40, 200)),
                       fill=tuple(rnd.randrange(256) for _ in range(3)))
    return scene


def phone_photo(png: bytes, angle: float = 0.0, qr_px: int = 200, seed: int = 1, quality: int = 70,
                poster: bytes | None = None) -> bytes:
    """The pass in ``png`` (QR on top, as our passes are) shot by a phone: its QR ``qr_px`` wide.
    ``poster``: another QR picture on the wall behind, twice as large, left of the pass."""
    rnd = random.Random(seed)
    card = Image.open(io.BytesIO(png)).convert("RGB")
    left, top, right, bottom = ImageOps.invert(card.convert("L")).crop((0, 0, card.width, card.width)).getbbox()
    scale = qr_px / (right - left)  # the QR's modules (quiet zone excluded) end up qr_px wide
    card = card.resize((round(card.width * scale), round(card.height * scale)), Image.LANCZOS)
    card = card.rotate(angle, expand=True, resample=Image.BICUBIC, fillcolor=(90, 100, 110))
    scene = _scene(seed)
    if poster is not None:
        scene.paste(Image.open(io.BytesIO(poster)).convert("RGB").resize((450, 450)), (30, 200))
        scene.paste(card, (rnd.randrange(560, 1280 - card.width - 40), rnd.randrange(40, 960 - card.height - 40)))
    else:
        scene.paste(card, (rnd.randrange(40, 1280 - card.width - 40), rnd.randrange(40, 960 - card.height - 40)))
    noise = Image.effect_noise(scene.size, 18).convert("RGB")
    scene = Image.blend(scene, noise, 0.12).filter(ImageFilter.GaussianBlur(0.6))
    out = io.BytesIO()
    scene.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def qr_png(payload: str) -> bytes:
    import qrcode

    out = io.BytesIO()
    qrcode.make(payload).save(out)
    return out.getvalue()


def photo_without_qr() -> bytes:
    out = io.BytesIO()
    _scene(7).save(out, format="JPEG", quality=70)
    return out.getvalue()
