"""Small real images for the tests: a photo and drawn or blank signatures, made with Pillow."""

from __future__ import annotations

import base64
import io

from PIL import Image, ImageDraw


def png_photo(color: tuple[int, int, int] = (200, 30, 30), size: tuple[int, int] = (64, 48)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


def jpeg_photo() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (80, 60), (20, 120, 40)).save(buf, "JPEG", quality=80)
    return buf.getvalue()


def signature_url(*, blank: bool = False) -> str:
    """A PNG data URL as the form's canvas sends it: transparent, with a dark stroke unless blank."""
    img = Image.new("RGBA", (900, 270), (255, 255, 255, 0))
    if not blank:
        ImageDraw.Draw(img).line(
            [(60, 200), (200, 60), (340, 210), (520, 80)], fill=(17, 17, 17, 255), width=4
        )
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
