"""Find a Chinese (CJK) font installed on this machine; nothing is downloaded.

The PDF renderer embeds the font, and reportlab embeds only TrueType outlines (a "glyf" table),
not the CFF outlines of the OpenType Noto/Source Han fonts; so a TrueType font is required.
The project's set-up installs one from Debian: fonts-wqy-microhei (WenQuanYi Micro Hei).
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

DEBIAN_PACKAGE = "fonts-wqy-microhei"

# Known TrueType CJK fonts, best first: (path, face index in a .ttc, family).
KNOWN_FONTS: tuple[tuple[str, int, str], ...] = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0, "WenQuanYi Micro Hei"),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0, "WenQuanYi Zen Hei"),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0, "Droid Sans Fallback"),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0, "AR PL UMing CN"),
    ("/usr/share/fonts/truetype/arphic/ukai.ttc", 0, "AR PL UKai CN"),
)

# Glyphs every report needs: the 食 of 食品安全, a full-width comma, and digits.
_PROBE = "食品安全监督抽检合格率，1"


class FontNotFoundError(RuntimeError):
    pass


@dataclass(frozen=True)
class FontInfo:
    path: str
    family: str
    subfont_index: int = 0


@functools.cache
def cjk_font() -> FontInfo:
    """The CJK TrueType font the renderers use; found once per process.

    Raises FontNotFoundError, naming the Debian package to install, when there is none.
    """
    for info in _candidates():
        if _usable(info):
            return info
    raise FontNotFoundError(
        "No Chinese TrueType font found on this machine, so reports cannot render Chinese. "
        f"Install one: apt-get install {DEBIAN_PACKAGE}"
    )


def _candidates() -> list[FontInfo]:
    found = [FontInfo(path, family, index) for path, index, family in KNOWN_FONTS if Path(path).is_file()]
    # fc-list knows fonts in other places (~/.fonts, /usr/local/share/fonts); the known ones,
    # checked first, are preferred because their hinting and coverage are known to be good.
    known_paths = {f.path for f in found}
    found += [f for f in _fc_list() if f.path not in known_paths]
    return found


def _fc_list() -> list[FontInfo]:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    try:
        out = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [fc_list, "-f", "%{file}|%{index}|%{family}|%{fontformat}\n", ":lang=zh"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    fonts = []
    for line in sorted(out.splitlines()):
        parts = line.split("|")
        if len(parts) != 4 or parts[3] != "TrueType":
            continue
        path, index, families, _ = parts
        fonts.append(FontInfo(path, families.split(",")[0], int(index or 0)))
    return fonts


def _usable(info: FontInfo) -> bool:
    """True if the font file has TrueType outlines and the glyphs of _PROBE."""
    from fontTools.ttLib import TTFont  # fontTools comes with matplotlib

    try:
        font = TTFont(info.path, fontNumber=info.subfont_index, lazy=True)
    except Exception:  # an unreadable or odd font file is just not a candidate
        return False
    try:
        if "glyf" not in font:
            return False
        cmap = font.getBestCmap() or {}
        return all(ord(ch) in cmap for ch in _PROBE)
    finally:
        font.close()
