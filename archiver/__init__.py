"""archiver: WARC captures and validated JSON records of China Daily and Global Times."""

from __future__ import annotations

__version__ = "0.1.0"
