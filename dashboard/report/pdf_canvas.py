"""What every page of the PDF is drawn with: fpdf2's core fonts (Windows-1252), where characters
they cannot show are replaced, never an error (:func:`pdf_safe`); the colours; the page with its
footer; and lines wrapped to a width (:func:`wrap`)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from fpdf import FPDF

# What the core fonts' Windows-1252 cannot show, mapped to what it can; anything else left over
# after Unicode decomposition becomes "?".
_PDF_FALLBACK = {
    "\u2212": "-", "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2015": "-",
    "\u2009": " ", "\u200a": " ", "\u202f": " ", "\u2007": " ", "\u2002": " ", "\u2003": " ",
    "\u200b": "", "\u200c": "", "\u200d": "", "\ufeff": "", "\u2060": "",
    "\u2264": "<=", "\u2265": ">=", "\u2192": "->", "\u2190": "<-", "\u00b1": "\u00b1",
    "\u2032": "'", "\u2033": '"', "\u201b": "'", "\u201f": '"', "\u2044": "/",
    # letters without a Unicode decomposition
    "\u0141": "L", "\u0142": "l", "\u0110": "D", "\u0111": "d", "\u0131": "i", "\u0127": "h", "\u0126": "H",
}


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200d\u2060\ufeff]")


def pdf_safe(text: str) -> str:
    """``text`` with every character the core fonts (Windows-1252) cannot show replaced."""
    text = str(text)
    if not _CONTROL.search(text):
        try:
            text.encode("cp1252")
            return text
        except UnicodeEncodeError:
            pass
    out = []
    for ch in str(text):
        if ch in ("\n", "\t"):
            out.append(ch)
            continue
        if unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn"):
            continue
        try:
            ch.encode("cp1252")
            out.append(ch)
            continue
        except UnicodeEncodeError:
            pass
        if ch in _PDF_FALLBACK:
            out.append(_PDF_FALLBACK[ch])
            continue
        if unicodedata.category(ch).startswith("Z"):
            out.append(" ")
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        try:
            base.encode("cp1252")
            out.append(base if base else "?")
        except UnicodeEncodeError:
            out.append("?")
    return "".join(out)


_RGB = {
    "ink": (27, 27, 27), "muted": (85, 85, 85), "line": (200, 200, 200), "grid": (228, 228, 228),
    "history": (31, 78, 121), "target": (164, 38, 44), "axis": (119, 119, 119),
    "good": (30, 123, 52), "warning": (138, 83, 0), "bad": (164, 38, 44), "neutral": (85, 85, 85),
}


class _PDF(FPDF):
    footer_text = ""
    page_text: Callable[[int], str] = staticmethod(lambda n: str(n))

    def normalize_text(self, text: str) -> str:
        # Every piece of text passes here before the font encodes it.
        return super().normalize_text(pdf_safe(text))

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("helvetica", size=8)
        self.set_text_color(*_RGB["muted"])
        room = self.w - self.l_margin - self.r_margin - 35  # the page number's place on the right
        text = self.footer_text
        if self.get_string_width(text) > room:
            while text and self.get_string_width(text + " …") > room:
                text = text[:-1]
            text = text.rstrip() + " …"
        self.cell(0, 5, text, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, self.page_text(self.page_no()), align="R")


def wrap(pdf: FPDF, text: str, width: float) -> list[str]:
    """``text`` broken into lines that fit ``width`` in the current font (greedy, at spaces; a
    word wider than a line is broken between characters). Much faster than fpdf2's multi_cell,
    which measures every line again for every character."""
    room = width - 2 * pdf.c_margin
    space = pdf.get_string_width(" ")
    lines: list[str] = []
    for paragraph in str(text).split("\n"):
        line, used = "", 0.0
        for word in paragraph.split(" "):
            w = pdf.get_string_width(word)
            if line and used + space + w <= room:
                line, used = f"{line} {word}", used + space + w
                continue
            if line:
                lines.append(line)
            while w > room and len(word) > 1:  # no space to break at: break between characters
                cut = len(word) - 1
                while cut > 1 and pdf.get_string_width(word[:cut]) > room:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
                w = pdf.get_string_width(word)
            line, used = word, w
        lines.append(line)
    return lines
