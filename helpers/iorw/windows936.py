"""Chinese Windows' own GBK (code page 936), the encoding Excel on a Chinese Windows saves a CSV in:
GBK, plus the euro sign as the single byte 0x80. Python's gbk and gb18030 have no 0x80, so an export
with one price in euros could not be read at all, even with `encoding: gbk` named in the mapping.

Importing this module registers the codec under NAME; `windows_936` turns the name gbk into it."""
from __future__ import annotations

import codecs

NAME = "windows-936"
_GBK = codecs.lookup("gbk")


def _euro_for_0x80(exc):
    """A lone 0x80 (never a lead byte in GBK) is code page 936's euro sign; any other error stays one."""
    if isinstance(exc, UnicodeDecodeError) and exc.object[exc.start:exc.start + 1] == b"\x80":
        return "\u20ac", exc.start + 1
    raise exc


codecs.register_error(NAME, _euro_for_0x80)


def _errors(errors: str) -> str:
    return NAME if errors == "strict" else errors


def _decode(data, errors="strict"):
    return _GBK.decode(data, _errors(errors))


class _IncrementalDecoder(_GBK.incrementaldecoder):
    def __new__(cls, errors="strict"):  # the C decoder takes its error handler when made, not in __init__
        return super().__new__(cls, _errors(errors))

    def __init__(self, errors="strict"):
        super().__init__(_errors(errors))


class _StreamReader(_GBK.streamreader):
    def __new__(cls, stream, errors="strict"):
        return super().__new__(cls, stream, _errors(errors))

    def __init__(self, stream, errors="strict"):
        super().__init__(stream, _errors(errors))


def _search(name: str):
    if name.replace("_", "-") == NAME:
        return codecs.CodecInfo(_GBK.encode, _decode, incrementalencoder=_GBK.incrementalencoder,
                                incrementaldecoder=_IncrementalDecoder, streamreader=_StreamReader,
                                streamwriter=_GBK.streamwriter, name=NAME)
    return None


codecs.register(_search)


def windows_936(encoding: str) -> str:
    """The codec to read a file in `encoding` (a codecs.lookup name) with: GBK as Windows writes it."""
    return NAME if encoding == "gbk" else encoding


def shown(encoding: str) -> str:
    """An encoding's name as a user knows it (Windows' GBK is what a user calls gbk)."""
    return "gbk" if encoding == NAME else encoding
