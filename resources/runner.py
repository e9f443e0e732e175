# SPDX-License-Identifier: MIT
"""Deskpack's Python kernel: NDJSON requests on stdin, frames on a private dup of fd 1.

Protocol, state machine and escalation: docs/runner.md. Standard library only, and
imports stay lazy (asyncio, traceback, base64) so a cold start costs one interpreter
start-up and little more.
"""
import sys

# The kernel imports only its own modules. The interpreter prepended one entry to
# sys.path before this line ran: '' (the working directory) for -c, this script's
# directory otherwise; -P and -I would not have, but -P needs 3.11 and -I would also
# drop PYTHONUTF8 and the manifest's PYTHON* variables. So it goes now, before any
# import that is not built in; the working directory comes back for user code only,
# after the standard library (add_working_directory).
if sys.path and not (sys.flags.isolated or getattr(sys.flags, "safe_path", False)):
    del sys.path[0]

import _signal  # signal's C half: no enum conversions on the per-cell path
import ast
import builtins
import codecs
import json
import os
import select
import signal
import threading
import types

PROTOCOL = 1
CHUNK_CHARS = 64 * 1024  # text per stdout/stderr frame at most
MAX_FRAME = 64 * 1024 * 1024  # bytes per frame line until a request says otherwise
MIN_FRAME = 4096  # a request's maxFrameBytes below this is raised to it
MARKER = "\n... [truncated: {} bytes omitted]"
FLUSH_AT = 8 * 1024  # a stream proxy flushes on newline or at this many characters
CELL_PREFIX = "<cell-"
RUNNER_GLOBALS = globals()
RICH_REPRS = (
    ("text/html", "_repr_html_"),
    ("text/markdown", "_repr_markdown_"),
    ("image/svg+xml", "_repr_svg_"),
    ("image/png", "_repr_png_"),
    ("image/jpeg", "_repr_jpeg_"),
    ("text/latex", "_repr_latex_"),
    ("application/json", "_repr_json_"),
    ("application/javascript", "_repr_javascript_"),
    ("application/pdf", "_repr_pdf_"),
)
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


class Kernel:
    def __init__(self):
        self.count = 0
        self.current = None  # the running request's id
        self.output_budget = None  # characters left for the running request, None: no cap
        self.truncated = False
        self.loop = None
        # Requests arrive on a private duplicate of fd 0; fd 0 itself becomes the null
        # device so user subprocesses never see (or read) the control pipe.
        self.in_fd = os.dup(0)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        # Frames leave on a private duplicate of fd 1; fd 1 and fd 2 become pipes that
        # are drained, so nothing else can write into the channel.
        self.channel = Channel(os.dup(1))
        self.diagnostics = os.dup(2)
        signal.pthread_sigmask(signal.SIG_BLOCK, (signal.SIGINT,))  # threads inherit it
        self.drains = []
        for fd, name in ((1, "stdout"), (2, "stderr")):
            rfd, wfd = os.pipe()
            os.dup2(wfd, fd)
            os.close(wfd)
            self.drains.append(FdDrain(self, name, rfd))
        self.parent = os.getppid()
        threading.Thread(target=self._watch_parent, name="deskpack-parent", daemon=True).start()
        signal.pthread_sigmask(signal.SIG_UNBLOCK, (signal.SIGINT,))
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        import faulthandler

        faulthandler.enable(file=os.fdopen(self.diagnostics, "w", closefd=False))
        self.stdout = StreamProxy(self, "stdout", 1)
        self.stderr = StreamProxy(self, "stderr", 2)
        self.stdout.other, self.stderr.other = self.stderr, self.stdout
        self.flush_wanted = threading.Event()
        signal.pthread_sigmask(signal.SIG_BLOCK, (signal.SIGINT,))
        threading.Thread(target=self._flusher, name="deskpack-flush", daemon=True).start()
        signal.pthread_sigmask(signal.SIG_UNBLOCK, (signal.SIGINT,))
        sys.stdout, sys.stderr, sys.stdin = self.stdout, self.stderr, NoInput()
        builtins.input = blocked_input
        builtins.display = self.display
        main = types.ModuleType("__main__")
        main.__dict__["__builtins__"] = builtins
        sys.modules["__main__"] = main
        self.ns = main.__dict__
        plugin_site = os.environ.get("DESKPACK_PLUGIN_SITE_PACKAGES")
        if plugin_site and os.path.isdir(plugin_site) and plugin_site not in sys.path:
            sys.path.append(plugin_site)  # last, so a core module always wins

    # -- output -------------------------------------------------------------------------
    def emit_stream(self, name, text):
        rid = self.current
        budget = self.output_budget
        if budget is not None and rid is not None:
            if self.truncated:
                return
            if len(text) > budget:
                self.truncated = True
                text = text[:budget]
            self.output_budget = budget - len(text)
        # A character costs at most 6 bytes in a frame (an escaped control character).
        chunk = max(1, min(CHUNK_CHARS, (self.channel.max_frame - 256) // 6))
        for start in range(0, len(text), chunk):
            self.channel.send({"type": name, "id": rid, "text": text[start:start + chunk]})
        if self.truncated and budget is not None:
            self.channel.send({"type": name, "id": rid, "text": "", "truncated": True})

    def flush_output(self):
        self.stdout.flush()
        self.stderr.flush()
        out, err = self.drains
        with out.lock, err.lock:  # one poll for both pipes; the drain thread waits
            ready, _, _ = select.select([out.rfd, err.rfd], [], [], 0)
            for drain in (out, err):
                if drain.rfd in ready:
                    drain.flush_locked()

    def display(self, *objects, metadata=None):
        """display(obj, ...): sends each object's rich representation as a display frame."""
        for obj in objects:
            self.flush_output()
            data, meta = self.bundle(obj)
            self.channel.send({"type": "display", "id": self.current, "data": data,
                               "metadata": metadata or meta})

    def bundle(self, obj):
        data, metadata = {"text/plain": repr(obj)}, {}
        if isinstance(obj, type):
            return data, metadata
        mimebundle = getattr(obj, "_repr_mimebundle_", None)
        if callable(mimebundle):
            found = mimebundle()
            if isinstance(found, tuple) and len(found) == 2:
                found, extra = found
                metadata.update(extra or {})
            for mime, value in (found or {}).items():
                self._add_rich(data, mime, value)
        for mime, name in RICH_REPRS:
            method = getattr(obj, name, None)
            if not callable(method) or mime in data:
                continue
            try:
                value = method()
            except NotImplementedError:
                continue
            if isinstance(value, tuple) and len(value) == 2:
                value, metadata[mime] = value
            self._add_rich(data, mime, value)
        return data, metadata

    @staticmethod
    def _add_rich(data, mime, value):
        if value is None:
            return
        if isinstance(value, (bytes, bytearray)):
            import base64

            value = base64.b64encode(bytes(value)).decode("ascii")
        elif mime == "application/json" or mime.endswith("+json"):
            try:
                json.dumps(value, allow_nan=False)
            except (TypeError, ValueError):
                return
        elif not isinstance(value, str):
            value = str(value)
        data[mime] = value

    # -- execution ----------------------------------------------------------------------
    def execute(self, request):
        rid = request.get("id")
        code = request.get("code")
        limit = request.get("maxOutputChars")
        max_frame = request.get("maxFrameBytes")
        if isinstance(max_frame, int) and not isinstance(max_frame, bool) and max_frame > 0:
            self.channel.max_frame = max(MIN_FRAME, max_frame)
        self.count += 1
        count = self.count
        self.flush_output()  # whatever arrived while idle is not this request's
        self.current = rid
        self.output_budget = limit if isinstance(limit, int) and limit > 0 else None
        self.truncated = False
        self.channel.hold({"type": "started", "id": rid, "executionCount": count})
        self.flush_wanted.set()  # the flusher sends it if the cell takes a while
        status, cancelled = "ok", False
        try:
            try:
                if not isinstance(code, str):
                    raise TypeError("the request's 'code' must be a string")
                _signal.signal(_signal.SIGINT, signal.default_int_handler)
                self.channel.interruptible = True
                try:
                    has_value, value = self.run_cell(code, count)
                    if has_value and value is not None:
                        self.ns["_"] = value
                        data, metadata = self.bundle(value)
                        self.flush_output()
                        self.channel.send({"type": "result", "id": rid, "executionCount": count,
                                           "data": data, "metadata": metadata})
                finally:
                    _signal.signal(_signal.SIGINT, _signal.SIG_IGN)
                    self.channel.interruptible = False
            except KeyboardInterrupt as exc:
                status, cancelled = "error", True
                self.report(rid, exc)
            except BaseException as exc:  # SystemExit too: the kernel outlives the cell
                status = "error"
                self.report(rid, exc)
        except KeyboardInterrupt:  # a late interrupt landing while reporting
            status, cancelled = "error", True
        self.finish(rid, status, count, cancelled)

    def finish(self, rid, status, count, cancelled):
        while True:
            try:
                self.flush_output()
                break
            except KeyboardInterrupt:
                continue
        self.current = None
        self.output_budget = None
        self.channel.send({"type": "done", "id": rid, "status": status,
                           "executionCount": count, "cancelled": cancelled})

    def run_cell(self, code, count):
        import linecache

        filename = f"{CELL_PREFIX}{count}>"
        linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
        tree = ast.parse(code, filename, "exec")
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = ast.Expression(tree.body.pop().value)
        flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
        body = compile(tree, filename, "exec", flags, dont_inherit=True) if tree.body else None
        tail = compile(last, filename, "eval", flags, dont_inherit=True) if last else None
        if body is not None:
            self.run_code(body)
        if tail is None:
            return False, None
        return True, self.run_code(tail)

    def run_code(self, code):
        if code.co_flags & 0x80:  # CO_COROUTINE: the cell awaits at top level
            import asyncio

            if self.loop is None or self.loop.is_closed():
                self.loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self.loop)
            return self.loop.run_until_complete(eval(code, self.ns))
        return eval(code, self.ns)

    def report(self, rid, exc):
        import traceback

        tb = exc.__traceback__
        while tb is not None and not tb.tb_frame.f_code.co_filename.startswith(CELL_PREFIX):
            tb = tb.tb_next  # the runner's (and asyncio's) frames above the cell
        kept = []
        while tb is not None:
            if tb.tb_frame.f_globals is not RUNNER_GLOBALS:  # e.g. blocked_input
                kept.append(tb)
            tb = tb.tb_next
        for frame, following in zip(kept, kept[1:] + [None]):
            frame.tb_next = following
        tb = kept[0] if kept else None
        lines = traceback.format_exception(type(exc), exc.with_traceback(tb), tb)
        self.flush_output()
        self.channel.send({"type": "error", "id": rid, "ename": type(exc).__name__,
                           "evalue": str(exc), "traceback": lines})

    # -- the request loop ---------------------------------------------------------------
    def serve(self):
        import platform

        self.channel.send({"type": "ready", "protocol": PROTOCOL, "pid": os.getpid(),
                           "python": platform.python_version(), "executable": sys.executable})
        pending = b""
        while True:
            newline = pending.find(b"\n")
            if newline < 0:
                # Read only while idle: no thread ever sits on stdin while user code runs.
                data = os.read(self.in_fd, 65536)
                if not data:
                    return
                pending += data
                continue
            line, pending = pending[:newline], pending[newline + 1:]
            try:
                if line.strip() and not self.handle(line):
                    return
            except KeyboardInterrupt:  # an interrupt that raced the end of a cell
                continue

    def handle(self, line):
        try:
            request = json.loads(line)
        except ValueError as exc:
            self.channel.send({"type": "protocolError", "message": f"request is not JSON: {exc}"})
            return True
        if not isinstance(request, dict):
            self.channel.send({"type": "protocolError", "message": "request is not an object"})
            return True
        kind = request.get("type", "execute")
        if kind == "exit":
            return False
        if kind == "execute":
            self.execute(request)
        else:
            rid = request.get("id")
            self.channel.send({"type": "protocolError", "id": rid,
                               "message": f"unknown request type {kind!r}"})
            if rid is not None:
                self.channel.send({"type": "done", "id": rid, "status": "error",
                                   "executionCount": self.count, "cancelled": False})
        return True

    def _flusher(self):
        while True:
            self.flush_wanted.wait()
            self.flush_wanted.clear()
            self.stdout.flush()
            self.stderr.flush()
            self.channel.release()

    def _watch_parent(self):
        import time

        while True:
            time.sleep(0.5)
            if os.getppid() != self.parent:  # orphaned: take the cell's children along
                if os.getpgrp() == os.getpid():
                    os.killpg(os.getpid(), signal.SIGKILL)
                os._exit(1)


def add_working_directory():
    """User code can import the modules of its working directory, as in a notebook, but
    the directory is searched after the standard library and site-packages (before the
    plugin site-packages, which stay last): a project's json.py or queue.py can shadow
    neither the kernel's lazy imports nor the user's own `import json`."""
    try:
        cwd = os.getcwd()
    except OSError:  # the directory was removed under us
        return
    if any(os.path.abspath(entry or os.curdir) == cwd for entry in sys.path):
        return  # a bundle's app directory, already first
    plugin_site = os.environ.get("DESKPACK_PLUGIN_SITE_PACKAGES")
    at = len(sys.path)
    if at and plugin_site and sys.path[-1] == plugin_site:
        at -= 1
    sys.path.insert(at, cwd)


def main():
    args = sys.argv[1:]
    if len(args) == 2 and args[0] == "--app-dir":  # a bundle: the app first on sys.path
        sys.path.insert(0, args[1])
    del sys.argv[1:]
    kernel = Kernel()
    add_working_directory()
    kernel.serve()
    try:
        import atexit

        kernel.flush_output()
        atexit._run_exitfuncs()
        kernel.flush_output()
    finally:
        os._exit(0)  # user threads must not keep a finished kernel alive


if __name__ == "__main__":
    main()
