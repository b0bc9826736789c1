"""Checks on evidence files sent by the public: size, count and what the bytes really are.

A file is taken only if its first bytes are those of an image (PNG, JPEG, WebP) or a PDF,
whatever its name or declared type says; a file named ``.jpg`` that is not a JPEG is a
"fake image" and is refused, as is anything else (HTML, scripts, archives, executables).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

MAX_FILE = 8 * 1024 * 1024
MAX_FILES = 6
KINDS = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp", "pdf": "application/pdf"}
EXTENSIONS = {"png": ("png",), "jpeg": ("jpg", "jpeg"), "webp": ("webp",), "pdf": ("pdf",)}


class UploadError(ValueError):
    """A file that is not taken, with why (shown to the person uploading it)."""


@dataclass(frozen=True)
class Upload:
    name: str
    kind: str
    size: int
    sha256: str


def sniff(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff") and data.rstrip(b"\x00").endswith(b"\xff\xd9"):
        return "jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.startswith(b"%PDF-"):
        return "pdf"
    return None


def check(name: str, declared: str | None, data: bytes) -> Upload:
    shown = name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:100] or "file"
    if len(data) == 0:
        raise UploadError(f"{shown} is empty")
    if len(data) > MAX_FILE:
        raise UploadError(f"{shown} is larger than {MAX_FILE // (1024 * 1024)} MB")
    kind = sniff(data)
    if kind is None:
        raise UploadError(f"{shown} is not a photo (PNG, JPEG, WebP) or a PDF")
    ext = shown.rsplit(".", 1)[-1].lower() if "." in shown else ""
    if ext and ext not in EXTENSIONS[kind]:
        raise UploadError(f"{shown} is named .{ext} but is a {kind.upper()} file")
    if declared and declared not in ("application/octet-stream", KINDS[kind]):
        raise UploadError(f"{shown} says it is {declared} but is a {kind.upper()} file")
    return Upload(name=shown, kind=kind, size=len(data), sha256=hashlib.sha256(data).hexdigest())
