"""SMS length: characters, encoding and segments, and fitting a text into at most three segments.

GSM 03.38: 160 characters in one message, 153 per segment when concatenated; the extension table
(€, [, ], {, }, ~, ^, |, \\) costs two. One character outside the GSM set switches the whole text to
UCS-2: 70 in one message, 67 per segment. Typographic quotes and the no-break space in "€ 1.234,56"
are replaced by their plain forms first, so a Dutch amount does not cost half the message.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_SEGMENTS = 3
GSM_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = "^{}\\[~]|€\f"
PLAIN_FORMS = str.maketrans(
    {
        "\N{NO-BREAK SPACE}": " ",
        "\N{NARROW NO-BREAK SPACE}": " ",
        "\N{LEFT SINGLE QUOTATION MARK}": "'",
        "\N{RIGHT SINGLE QUOTATION MARK}": "'",
        "\N{LEFT DOUBLE QUOTATION MARK}": '"',
        "\N{RIGHT DOUBLE QUOTATION MARK}": '"',
        "\N{EN DASH}": "-",
        "\N{EM DASH}": "-",
        "\N{HORIZONTAL ELLIPSIS}": "...",
    }
)


@dataclass(frozen=True)
class SmsLength:
    characters: int  # in GSM units (an extension character counts two) or UCS-2 characters
    segments: int
    unicode: bool

    @property
    def fits(self) -> bool:
        return self.segments <= MAX_SEGMENTS


def sms_plain(text: str) -> str:
    """One paragraph of plain characters: what an SMS should be."""
    return " ".join(text.translate(PLAIN_FORMS).split())


def sms_length(text: str) -> SmsLength:
    if all(char in GSM_BASIC or char in GSM_EXTENSION for char in text):
        units = sum(2 if char in GSM_EXTENSION else 1 for char in text)
        single, multi, unicode = 160, 153, False
    else:
        units = len(text.encode("utf-16-le")) // 2  # characters outside the BMP take two
        single, multi, unicode = 70, 67, True
    segments = 0 if units == 0 else 1 if units <= single else -(-units // multi)
    return SmsLength(units, segments, unicode)


def sms_fit(text: str, max_segments: int = MAX_SEGMENTS) -> str:
    """``text`` shortened at a word boundary (ending in "...") until it fits ``max_segments``.

    Validation keeps templates well inside the limit with sample data; this only guards against an
    unusually long name or reference at sending time.
    """
    if sms_length(text).segments <= max_segments:
        return text
    words = text.split(" ")
    while len(words) > 1:
        words.pop()
        candidate = " ".join(words).rstrip(",;:") + "..."
        if sms_length(candidate).segments <= max_segments:
            return candidate
    return text[: 67 * max_segments]
