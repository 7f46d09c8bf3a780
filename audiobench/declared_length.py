"""What an audio file's header says its samples fill, against what the file holds.

libsndfile reads a file whose samples stop before its header says up to where they stop, without
a word; a cut-off copy would then be measured as if it were the recording. Every container it
reads that declares a length is parsed here — RIFF/RIFX WAVE (and WAVE_FORMAT_EXTENSIBLE), RF64
and BW64 (the 64-bit size in ``ds64``), Sony Wave64, AIFF/AIFC, Sun/NeXT AU, Apple CAF, and FLAC
(``STREAMINFO``'s total samples, compared with the frames that decode) — so :mod:`user_audio` can
refuse a truncated file whatever its container. Ogg and MP3 declare no total length; they are
read as they are.

A writer streaming to a pipe cannot seek back to fill the sizes in and leaves a placeholder: an
all-ones field, or a value just under 2³¹ or 2³² (sox writes 0x7FFFF000, others 2³²−1−36). Such
a size is *open*: libsndfile reads the file to its end and the note says so (a zero size is not
open: libsndfile reads no frames from it, and so does audiobench). A 32-bit size is taken
as a placeholder from 2³¹ − 2¹² up: a truncated file that really declared two gigabytes of
samples is then read as open, which the note makes visible.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

OPEN_32_FROM = 0x7FFF_F000
"""32-bit sizes from here up are streaming placeholders (see the module docstring)."""
OPEN_64 = (0, 0xFFFF_FFFF_FFFF_FFFF)
W64_RIFF = bytes.fromhex("72696666 2e91 cf11 a5d6 28db04c10000".replace(" ", ""))
W64_DATA = bytes.fromhex("64617461 f3ac d311 8cd1 00c04f8edb8a".replace(" ", ""))


@dataclass(frozen=True)
class Declared:
    """A container's declared sample data against what the file holds."""

    container: str
    unit: str
    """``bytes`` of sample data, or ``frames`` (FLAC)."""
    declared: int | None
    """None where the writer left the size open."""
    present: int
    placeholder: int | None = None
    """The raw size field, where it was a placeholder."""

    @property
    def truncated(self) -> bool:
        """Whether the file holds fewer bytes than its header declares."""
        return self.declared is not None and self.present < self.declared


def _open32(size: int) -> bool:
    # 0 is not open: libsndfile reads a zero-sized data chunk as no frames, whatever follows.
    return size >= OPEN_32_FROM


def _riff(f: BinaryIO, total: int, big: bool) -> Declared | None:
    """RIFF (little-endian) or RIFX (big-endian) WAVE: the ``data`` chunk's size."""
    order = ">" if big else "<"
    while len(head := f.read(8)) == 8:
        (size,) = struct.unpack(order + "I", head[4:])
        if head[:4] == b"data":
            present = total - f.tell()
            if _open32(size):
                return Declared("WAVE", "bytes", None, present, size)
            return Declared("WAVE", "bytes", size, present)
        f.seek(size + (size & 1), 1)  # chunks are padded to an even length
    return None


def _rf64(f: BinaryIO, total: int, kind: str) -> Declared | None:
    """RF64/BW64: ``ds64`` holds the 64-bit data size the ``data`` chunk's 0xFFFFFFFF defers to."""
    data64: int | None = None
    while len(head := f.read(8)) == 8:
        (size,) = struct.unpack("<I", head[4:])
        if head[:4] == b"ds64":
            body = f.read(size)
            if len(body) >= 16:
                data64 = struct.unpack("<Q", body[8:16])[0]
            if size & 1:
                f.seek(1, 1)
            continue
        if head[:4] == b"data":
            present = total - f.tell()
            declared = data64 if size == 0xFFFF_FFFF and data64 is not None else size
            if (size == 0xFFFF_FFFF and declared in OPEN_64) or (size != 0xFFFF_FFFF and _open32(size)):
                return Declared(kind, "bytes", None, present, declared)
            return Declared(kind, "bytes", declared, present)
        f.seek(size + (size & 1), 1)
    return None


def _w64(f: BinaryIO, total: int) -> Declared | None:
    """Sony Wave64: 16-byte GUIDs, 64-bit sizes that include the 24-byte chunk header, 8-byte aligned."""
    f.seek(40)  # riff GUID + size + wave GUID
    while len(head := f.read(24)) == 24:
        (size,) = struct.unpack("<Q", head[16:])
        if head[:16] == W64_DATA:
            present = total - f.tell()
            if size in OPEN_64 or size < 24:
                return Declared("Wave64", "bytes", None, present, size)
            return Declared("Wave64", "bytes", size - 24, present)
        if size < 24:
            return None
        f.seek(size - 24 + (-size % 8), 1)
    return None


def _aiff(f: BinaryIO, total: int) -> Declared | None:
    """AIFF/AIFC: the ``SSND`` chunk's size, less its 8-byte offset/block-size header."""
    while len(head := f.read(8)) == 8:
        (size,) = struct.unpack(">I", head[4:])
        if head[:4] == b"SSND":
            present = total - f.tell() - 8
            if _open32(size) or size < 8:
                return Declared("AIFF", "bytes", None, present, size)
            return Declared("AIFF", "bytes", size - 8, present)
        f.seek(size + (size & 1), 1)
    return None


def _au(f: BinaryIO, total: int) -> Declared | None:
    """Sun/NeXT AU: a data offset and a data size (0xFFFFFFFF: unknown) in the header."""
    f.seek(4)
    offset, size = struct.unpack(">II", f.read(8))
    present = max(0, total - offset)
    if size == 0xFFFF_FFFF:
        return Declared("AU", "bytes", None, present, size)
    return Declared("AU", "bytes", size, present)


def _caf(f: BinaryIO, total: int) -> Declared | None:
    """Apple CAF: 64-bit signed chunk sizes; the ``data`` chunk's includes a 4-byte edit count,
    and −1 means "to the end of the file"."""
    f.seek(8)
    while len(head := f.read(12)) == 12:
        (size,) = struct.unpack(">q", head[4:])
        if head[:4] == b"data":
            present = total - f.tell() - 4
            if size == -1 or size < 4:
                return Declared("CAF", "bytes", None, present, size)
            return Declared("CAF", "bytes", size - 4, present)
        if size < 0:
            return None
        f.seek(size, 1)
    return None


def _flac(f: BinaryIO, path: Path) -> Declared | None:
    """FLAC: STREAMINFO's total samples per channel (36 bits; 0: unknown) against the frames
    that decode."""
    head = f.read(4 + 4 + 34)
    if len(head) < 42 or head[4] & 0x7F != 0:  # the first block must be STREAMINFO
        return None
    info = head[8:]
    total = ((info[13] & 0x0F) << 32) | int.from_bytes(info[14:18], "big")
    decoded = _decoded_frames(path)
    if total == 0:
        return Declared("FLAC", "frames", None, decoded, 0)
    return Declared("FLAC", "frames", total, decoded)


def _decoded_frames(path: Path) -> int:
    import soundfile

    frames = 0
    try:
        with soundfile.SoundFile(str(path)) as sf:
            for block in sf.blocks(blocksize=1 << 16, dtype="float32", always_2d=True):
                frames += block.shape[0]
    except Exception:  # a decoder stopping mid-stream: what decoded so far is what is there
        pass
    return frames


def declared(path: Path) -> Declared | None:
    """The declared and present sample data of ``path``; None for containers that declare no
    length (Ogg, MP3, raw) or a header this reader cannot follow (libsndfile judges those)."""
    try:
        return _declared(path)
    except (struct.error, ValueError, OSError):
        return None


def _declared(path: Path) -> Declared | None:
    total = path.stat().st_size
    with path.open("rb") as f:
        magic = f.read(12)
        if len(magic) < 12:
            return None
        if magic[:4] in (b"RIFF", b"RIFX") and magic[8:] == b"WAVE":
            return _riff(f, total, big=magic[:4] == b"RIFX")
        if magic[:4] in (b"RF64", b"BW64") and magic[8:] == b"WAVE":
            return _rf64(f, total, magic[:4].decode())
        if magic[:4] == b"FORM" and magic[8:] in (b"AIFF", b"AIFC"):
            return _aiff(f, total)
        if magic[:4] == b".snd":
            return _au(f, total)
        if magic[:4] == b"caff":
            return _caf(f, total)
        if magic[:4] == b"fLaC":
            f.seek(0)
            return _flac(f, path)
        f.seek(0)
        if f.read(16) == W64_RIFF:
            return _w64(f, total)
    return None
