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
import json
import os
import select
import signal
import threading
import types

PROTOCOL = 1
CHUNK_CHARS = 64 * 1024  # text per stdout/stderr frame at most
MIN_FRAME = 4096  # a request's maxFrameBytes below this is raised to it
CELL_PREFIX = "<cell-"
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
# The host fills this in when it passes this file with -c, where there is no directory
# to load the kernel's other modules from: {name: their source as hex}.
EMBEDDED_MODULES = {}


def load_module(name):
    """One of the kernel's own modules, from this file's directory or EMBEDDED_MODULES,
    never through sys.path: a user's file of the same name in the working directory or
    the app must not stand in for it. Compiled from source, as runner.py itself is: no
    .pyc is written into a bundle."""
    source = EMBEDDED_MODULES.get(name)
    if source is not None:
        path, source = f"<deskpack {name}>", bytes.fromhex(source)
    else:
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), f"{name}.py")
        with open(path, "rb") as file:
            source = file.read()
    module = types.ModuleType(name)
    module.__file__ = path
    exec(compile(source, path, "exec", dont_inherit=True), module.__dict__)
    return module


runner_io = load_module("deskpack_runner_io")
# A frame running in these is the kernel's, not the cell's (report drops it).
RUNNER_GLOBALS = (globals(), runner_io.__dict__)


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
        self.channel = runner_io.Channel(os.dup(1))
        self.diagnostics = os.dup(2)
        signal.pthread_sigmask(signal.SIG_BLOCK, (signal.SIGINT,))  # threads inherit it
        self.drains = []
        for fd, name in ((1, "stdout"), (2, "stderr")):
            rfd, wfd = os.pipe()
            os.dup2(wfd, fd)
            os.close(wfd)
            self.drains.append(runner_io.FdDrain(self, name, rfd))
        self.parent = os.getppid()
        threading.Thread(target=self._watch_parent, name="deskpack-parent", daemon=True).start()
        signal.pthread_sigmask(signal.SIG_UNBLOCK, (signal.SIGINT,))
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        import faulthandler

        faulthandler.enable(file=os.fdopen(self.diagnostics, "w", closefd=False))
        self.stdout = runner_io.StreamProxy(self, "stdout", 1)
        self.stderr = runner_io.StreamProxy(self, "stderr", 2)
        self.stdout.other, self.stderr.other = self.stderr, self.stdout
        self.flush_wanted = threading.Event()
        signal.pthread_sigmask(signal.SIG_BLOCK, (signal.SIGINT,))
        threading.Thread(target=self._flusher, name="deskpack-flush", daemon=True).start()
        signal.pthread_sigmask(signal.SIG_UNBLOCK, (signal.SIGINT,))
        sys.stdout, sys.stderr, sys.stdin = self.stdout, self.stderr, runner_io.NoInput()
        builtins.input = runner_io.blocked_input
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
            if not any(tb.tb_frame.f_globals is g for g in RUNNER_GLOBALS):  # blocked_input
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
