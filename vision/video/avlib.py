"""PyAV, configured once for use from several threads. Import `av` from here, not directly.

PyAV routes FFmpeg's log lines through a Python callback, so FFmpeg's own decoder threads need
the GIL to log; they can deadlock against a Python thread that holds it while waiting for them
(seen here as a hung test; PyAV issues #751 and #2276). FFmpeg's native C callback needs no GIL.
Its level is PANIC: failures reach users as one-line `VideoError`s, not FFmpeg log lines.
"""
import av
import av.logging

av.logging.restore_default_callback()
av.logging.set_libav_level(av.logging.PANIC)

__all__ = ["av"]
