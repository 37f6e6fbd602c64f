"""Reading images by their content: Pillow when it is installed (it comes with matplotlib), else
the magic bytes and the plain-Python PNG reader of rules.py. No file name or declared content
type is trusted."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from django.utils.translation import gettext as _

from . import rules

try:
    from PIL import Image, ImageChops
except ImportError:  # pragma: no cover - Pillow is installed with matplotlib
    Image = None  # type: ignore[assignment]  # the fallback below reads magic bytes only
    ImageChops = None  # type: ignore[assignment]  # idem


@dataclass(frozen=True)
class PhotoInfo:
    kind: str
    width: int | None
    height: int | None


def inspect_photo(*, data: bytes, name: str, limits: rules.MediaLimits) -> PhotoInfo:
    """Validate a photo's bytes; raise rules.InspectionRuleError with a sentence naming the file."""
    kind = rules.check_photo(name=name, size=len(data), head=data[:16], limits=limits)
    if Image is None:
        return PhotoInfo(kind=kind, width=None, height=None)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                width, height = img.size
                rules.check_photo_pixels(name=name, width=width, height=height, limits=limits)
                fmt = (img.format or "").lower()
                img.verify()
    except rules.InspectionRuleError:
        raise
    except Exception:  # any decoder error means "not a readable image"
        raise rules.InspectionRuleError(
            _("照片“%(name)s”已损坏或不是有效的图片文件") % {"name": name}
        ) from None
    if fmt != kind:
        raise rules.InspectionRuleError(_("照片“%(name)s”的内容与其格式不符") % {"name": name})
    return PhotoInfo(kind=kind, width=width, height=height)


def signature_ink_pixels(png: bytes, *, limits: rules.MediaLimits) -> int:
    """Inked pixels of a signature PNG (opaque and dark), the same measure with or without Pillow."""
    if Image is None:
        return rules.png_ink_pixels(png, max_pixels=limits.signature_max_pixels)
    try:
        with Image.open(io.BytesIO(png)) as img:
            width, height = img.size
            if width * height > limits.signature_max_pixels or not width or not height:
                raise rules.InspectionRuleError(
                    _("签名图像尺寸 %(width)s×%(height)s 无效或过大") % {"width": width, "height": height}
                )
            rgba = img.convert("RGBA")
    except rules.InspectionRuleError:
        raise
    except Exception:  # any decoder error means "not a readable image"
        raise rules.InspectionRuleError(_("签名图像无法识别，请清除后重新签名")) from None
    grey = rgba.convert("L")
    alpha = rgba.getchannel("A")
    # ink = opaque enough (alpha ≥ 64) and dark enough (grey < 160), as in rules.png_ink_pixels.
    dark = grey.point(lambda v: 255 if v < 160 else 0)
    opaque = alpha.point(lambda v: 255 if v >= 64 else 0)
    both = ImageChops.multiply(dark, opaque)
    return int(both.histogram()[255])
