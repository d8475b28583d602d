"""A feed's body as the server encoded it (Content-Encoding), decoded within a size cap.

gzip, and deflate either as RFC 1950 says (zlib-wrapped) or raw (RFC 1951, a common server bug
that browsers and curl accept). A body that stops before its compressed stream ends is cut
short, never read as far as it goes. A gzip body may hold several members one after the other
(RFC 1952 2.2, what `cat a.gz b.gz` makes): all are read, as gzip(1) and browsers read them.
"""

from __future__ import annotations

import zlib

from ...errors import size

GZIP = 16 + zlib.MAX_WBITS
ZLIB = zlib.MAX_WBITS
RAW_DEFLATE = -zlib.MAX_WBITS
MAX_MEMBERS = 100  # gzip members in one body: each one's rest is copied, so their number is bounded


class BodyError(Exception):
    """The body cannot be used; the message says why, in a few words."""


def decode_body(raw: bytes, encoding: str, limit: int) -> bytes:
    """`raw` decoded as `encoding` (a Content-Encoding header's value), at most `limit` bytes."""
    codings = [c.strip().lower() for c in encoding.split(",") if c.strip() and c.strip().lower() != "identity"]
    if not codings:
        return raw
    if len(codings) > 1 or codings[0] not in ("gzip", "x-gzip", "deflate"):
        raise BodyError(f"feed is sent as {encoding.strip()[:40]!r}, an encoding rameau does not read")
    coding = codings[0]
    wbits = GZIP if "gzip" in coding else ZLIB if _zlib_header(raw) else RAW_DEFLATE
    parts: list[bytes] = []
    rest, member, total = raw, 0, 0
    while True:
        member += 1
        inflater = zlib.decompressobj(wbits)
        try:
            parts.append(inflater.decompress(rest, limit + 1 - total))
        except zlib.error:
            what = f"its gzip member {member}" if member > 1 else "it"
            raise BodyError(f"feed is sent as {coding} but {what} cannot be decompressed") from None
        total += len(parts[-1])
        if total > limit:
            raise BodyError(f"feed expands to over {size(limit)}; refused")
        if not inflater.eof:
            raise BodyError(f"feed is sent as {coding} but cut short; the download is incomplete")
        rest = inflater.unused_data
        if wbits == GZIP and rest.startswith(b"\x1f\x8b"):
            if member == MAX_MEMBERS:
                raise BodyError(f"feed is sent as gzip in over {MAX_MEMBERS} pieces (members); refused")
            continue
        if wbits != GZIP or not rest.strip(b"\0"):  # zero bytes after the last member: padding, as gzip(1) allows
            return b"".join(parts)
        raise BodyError(f"feed is sent as {coding}, followed by {size(len(rest))} that are not gzip; refused")


def _zlib_header(data: bytes) -> bool:
    """Whether `data` starts with a zlib header (RFC 1950: deflate method, and a checksum of the
    first two bytes divisible by 31); raw deflate data almost never does."""
    return len(data) >= 2 and data[0] & 0x0F == 8 and data[0] >> 4 <= 7 and (data[0] << 8 | data[1]) % 31 == 0
