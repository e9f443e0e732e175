# SPDX-License-Identifier: MIT
"""The kernel's channel and streams: frames written whole to the private fd (cut to the
host's limit), sys.stdout/sys.stderr proxies, the drains of fd 1 and fd 2, and the
stdin that refuses to be read.

Loaded by runner.py from its own directory (or from the source the host embedded in it),
never imported through sys.path; see runner.load_module. Standard library only.
"""
import _signal  # signal's C half: no enum conversions on the per-cell path
import codecs
import json
import os
import select
import threading

MAX_FRAME = 64 * 1024 * 1024  # bytes per frame line until a request says otherwise
MARKER = "\n... [truncated: {} bytes omitted]"
FLUSH_AT = 8 * 1024  # a stream proxy flushes on newline or at this many characters
INPUT_ERROR = (
    "input() is not available in the Deskpack runner: the kernel has no terminal and "
    "its stdin carries the control channel. Pass data in the code or read a file instead."
)


class Channel:
    """Writes whole frames to the private fd; a frame is never torn by a signal.

    A held frame (`started`) goes out with the next frame in one write, or by the
    flusher thread when the cell takes longer: a trivial cell costs the host one
    wake-up instead of two."""

    def __init__(self, fd):
        self.fd = fd
        self.lock = threading.Lock()
        self.main = threading.get_ident()
        self.interruptible = False  # a cell runs with the KeyboardInterrupt handler
        self.held = b""
        self.max_frame = MAX_FRAME  # the host's limit on a line, '\n' excluded

    @staticmethod
    def dump(frame):
        text = json.dumps(frame, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        return (text + "\n").encode("utf-8", "replace")  # lone surrogates become '?'

    def encode(self, frame):
        try:
            data = self.dump(frame)
            if len(data) - 1 > self.max_frame:
                data = self.fit(frame)
        except Exception as exc:  # not serialisable, too deep (RecursionError), ...
            data = self.dump({"type": "protocolError", "id": frame.get("id"),
                              "message": f"cannot encode a {frame.get('type')} frame: {exc}"})
        return data

    def fit(self, frame):
        """The frame shortened to the host's limit (docs/runner.md, "Oversized frames"):
        `truncated: true`; a result or display first loses its other representations
        (largest first, listed with their sizes in `omitted`) and keeps text/plain;
        then the longest strings are cut, each ending in MARKER with what it lost."""
        limit = self.max_frame
        frame = dict(frame, truncated=True)
        rich = frame.get("type") in ("result", "display")
        if rich:
            data = dict(frame.get("data") or {})
            omitted = {}
            sizes = sorted(((len(self.dump(v)), m) for m, v in data.items() if m != "text/plain"),
                           reverse=True)
            frame["data"] = data
            for size, mime in sizes:
                if len(self.dump(frame)) - 1 <= limit:
                    break
                del data[mime]
                omitted[mime] = size
                frame["omitted"] = omitted
            if len(self.dump(frame.get("metadata") or {})) > limit // 4:
                frame["metadata"] = {}
        elif frame.get("type") == "error":  # keep both the message and the traceback's end
            for key in ("evalue", "traceback"):
                if key not in frame:
                    continue
                value = frame[key]
                items = value if isinstance(value, list) else [value]
                cut = [self._cut(v, len(v) - limit // 4) if isinstance(v, str) and
                       len(v) > limit // 4 else v for v in items]
                frame[key] = cut if isinstance(value, list) else cut[0]
        # Room for the marker that lists the dropped representations, added at the end.
        note = MARKER.format(sum(omitted.values())) if rich and omitted else ""
        plain = frame["data"].get("text/plain") if rich else None
        if not isinstance(plain, str):
            note = ""
        for _ in range(32):
            line = self.dump(frame)
            excess = len(line) - 1 - limit + len(note.encode())
            if excess <= 0:
                if note:
                    frame["data"]["text/plain"] += note
                    line = self.dump(frame)
                return line
            found = self._longest_string(frame)
            if found is None or len(found[2]) <= 64:
                break
            holder, key, text = found
            holder[key] = self._cut(text, excess)
        # Nothing long enough left to cut: the bare frame, which always fits.
        bare = {k: frame[k] for k in ("type", "id", "executionCount", "status") if k in frame}
        bare["truncated"] = True
        if rich:
            bare["data"], bare["metadata"] = {"text/plain": MARKER.format(len(line)).lstrip()}, {}
        return self.dump(bare)

    @staticmethod
    def _longest_string(frame):
        """(container, key, text) of the longest string inside the frame, copying the
        containers on the way so the caller's objects are not changed."""
        best = None
        stack = [frame]
        while stack:
            holder = stack.pop()
            keys = holder.keys() if isinstance(holder, dict) else range(len(holder))
            for key in keys:
                value = holder[key]
                if isinstance(value, str):
                    if key != "type" and (best is None or len(value) > len(best[2])):
                        best = (holder, key, value)
                elif isinstance(value, (dict, list)):
                    holder[key] = value = dict(value) if isinstance(value, dict) else list(value)
                    stack.append(value)
        return best

    def _cut(self, text, excess):
        """`text` at least `excess` bytes (as JSON) shorter, MARKER included."""
        encoded = len(self.dump(text))
        need = excess + len(MARKER) + 24  # the marker's digits and some slack
        keep = int(len(text) * max(0, encoded - need) / encoded)
        keep = min(keep, len(text) - len(text) // 10 - 1)  # always progress
        keep = max(0, keep)
        lost = len(text[keep:].encode("utf-8", "replace"))
        return text[:keep] + MARKER.format(lost)

    def hold(self, frame):
        data = self.encode(frame)
        with self.lock:
            self.held += data

    def release(self):
        with self.lock:
            if self.held:
                self._write(b"")

    def send(self, frame):
        data = self.encode(frame)
        with self.lock:
            self._write(data)

    def _write(self, data):
        if self.held:
            data, self.held = self.held + data, b""
        # While a cell can be interrupted, SIGINT is blocked around the write: a
        # KeyboardInterrupt lands before or after it, never between two partial writes.
        masked = self.interruptible and threading.get_ident() == self.main
        if masked:
            mask = _signal.pthread_sigmask(_signal.SIG_BLOCK, (_signal.SIGINT,))
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(self.fd, view):]
        finally:
            if masked:  # restore, not unblock: a cell may block SIGINT itself
                _signal.pthread_sigmask(_signal.SIG_SETMASK, mask)


class StreamProxy:
    """sys.stdout / sys.stderr: one object for the kernel's life (so logging handlers
    created in one cell keep working in the next); text goes to the request running
    when it is flushed: at FLUSH_AT characters, or by the flusher thread soon after a
    newline (at once when the cell waits, within the 5 ms GIL switch interval when it
    computes), so a loop of print() costs a frame per 8 KiB, not per line."""

    encoding = "utf-8"
    errors = "replace"

    def __init__(self, kernel, name, fd):
        self._kernel, self.name, self._fd = kernel, name, fd
        self._parts, self._size = [], 0
        self._lock = threading.RLock()
        self.buffer = _BinaryProxy(self)

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if text:
            other = self.other
            if other._parts:  # keep stdout and stderr in the order they were written
                other.flush()
            with self._lock:
                self._parts.append(text)
                self._size += len(text)
                if self._size >= FLUSH_AT:
                    self._flush_locked()
                elif "\n" in text and not self._kernel.flush_wanted.is_set():
                    self._kernel.flush_wanted.set()
        return len(text)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        with self._lock:
            self._flush_locked()

    def _flush_locked(self):
        if self._parts:
            text, self._parts, self._size = "".join(self._parts), [], 0
            self._kernel.emit_stream(self.name, text)

    def fileno(self):
        return self._fd

    def isatty(self):
        return False

    def readable(self):
        return False

    def writable(self):
        return True

    def seekable(self):
        return False

    @property
    def closed(self):
        return False

    def close(self):
        self.flush()


class _BinaryProxy:
    def __init__(self, text):
        self._text = text
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")

    def write(self, data):
        self._text.write(self._decoder.decode(bytes(data)))
        return len(data)

    def flush(self):
        self._text.flush()


class NoInput:
    """sys.stdin: reading it fails with a message saying why."""

    encoding = "utf-8"
    closed = False

    def _fail(self, *args, **kwargs):
        raise RuntimeError(INPUT_ERROR)

    read = readline = readlines = __iter__ = __next__ = _fail

    def fileno(self):
        return 0

    def isatty(self):
        return False

    def readable(self):
        return True


def blocked_input(prompt=""):
    raise RuntimeError(INPUT_ERROR)


class FdDrain:
    """Drains the pipe that fd 1 or fd 2 now points at (children, C code, os.write)
    into stdout/stderr frames. The drain thread and the main thread's end-of-cell
    flush share a lock, so everything written before a cell ends lands in that cell."""

    def __init__(self, kernel, name, rfd):
        self.kernel, self.name, self.rfd = kernel, name, rfd
        self.lock = threading.Lock()
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")
        os.set_blocking(rfd, False)
        threading.Thread(target=self._run, name=f"deskpack-{name}", daemon=True).start()

    def _run(self):
        while True:
            select.select([self.rfd], [], [])
            with self.lock:
                if not self._read_once():
                    return

    def _read_once(self):
        try:
            data = os.read(self.rfd, 65536)
        except BlockingIOError:
            return True  # the main thread's flush took it
        if not data:
            return False
        text = self.decoder.decode(data)
        if text:
            self.kernel.emit_stream(self.name, text)
        return True

    def flush_locked(self):
        while True:
            try:
                data = os.read(self.rfd, 65536)
            except BlockingIOError:
                return
            if not data:
                return
            text = self.decoder.decode(data)
            if text:
                self.kernel.emit_stream(self.name, text)
