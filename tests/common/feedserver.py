#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A static HTTP server for an update feed that misbehaves on cue.

    python3 feedserver.py FEED_DIR [--control-file FILE]

Listens on 127.0.0.1, port chosen by the system; the first line on stdout is
`PORT <n>` (flushed), so a test reads the port and starts talking. Serves the
files under FEED_DIR (GET and HEAD; no listings; nothing outside the
directory), with single byte ranges (`Range: bytes=A-B`, `A-`, `-N`) answered
206 with Content-Range, and 416 (`Content-Range: bytes */SIZE`) for a range
that starts past the end.

Faults, by path (relative to the feed, fnmatch patterns allowed), each for
`times` requests (default 1; 0 = until cleared):

    POST /__fault  {"path": "packages/x.tar.zst", "mode": "drop-after", "bytes": 1000}
    POST /__reset  clears every fault and the request log
    GET  /__requests  the log as JSON: [{"method", "path", "range", "status", "fault"}]

  drop-after    headers as usual, then `bytes` bytes of the body, then the connection is closed
  corrupt       the body with one byte flipped (at `bytes`, default the middle)
  status        answers `status` (404, 500, 503, ...) with no file; modes "404", "500",
                "503" are shorthands
  slow          sleeps `delay` seconds (default 0.05) after every `chunk` bytes (default 16384)
  ignore-range  answers 200 with the whole body whatever Range asks

With --control-file, that JSON file (a fault object or a list of them) is read
again whenever it changes, for scripts that cannot POST. Every request is
logged on stderr with its range and what was done.
"""

import argparse
import fnmatch
import json
import os
import re
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

MODES = {'drop-after', 'corrupt', 'status', 'slow', 'ignore-range'}


class Faults:
    """The faults in force and the request log, shared by the handler threads."""

    def __init__(self, control_file=None):
        self.lock = threading.Lock()
        self.faults = []
        self.log = []
        self.control_file = control_file
        self.control_stamp = None

    @staticmethod
    def normalise(fault):
        if not isinstance(fault, dict) or not isinstance(fault.get('path'), str):
            raise ValueError('a fault is {"path": ..., "mode": ...}')
        fault = dict(fault)
        mode = str(fault.get('mode', ''))
        if mode.isdigit():
            fault['status'], mode = int(mode), 'status'
        if mode not in MODES:
            raise ValueError('unknown mode %r (one of %s)' % (mode, ', '.join(sorted(MODES))))
        fault['mode'] = mode
        fault['path'] = fault['path'].lstrip('/')
        fault['times'] = int(fault.get('times', 1))
        return fault

    def add(self, fault):
        with self.lock:
            self.faults.append(self.normalise(fault))

    def reset(self):
        with self.lock:
            self.faults, self.log = [], []

    def reload_control_file(self):
        if not self.control_file:
            return
        try:
            stat = os.stat(self.control_file)
        except OSError:
            return
        stamp = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if stamp == self.control_stamp:
            return
        try:
            with open(self.control_file, encoding='utf-8') as f:
                loaded = json.load(f)
            faults = [self.normalise(x) for x in (loaded if isinstance(loaded, list) else [loaded])]
        except (OSError, ValueError) as e:
            sys.stderr.write('feedserver: %s: %s\n' % (self.control_file, e))
            return
        with self.lock:
            self.control_stamp = stamp
            self.faults = faults

    def take(self, path):
        """The fault for `path` (one use of it), or None."""
        self.reload_control_file()
        with self.lock:
            for fault in self.faults:
                if fnmatch.fnmatchcase(path, fault['path']):
                    if fault['times'] > 0:
                        fault['times'] -= 1
                        if fault['times'] == 0:
                            self.faults.remove(fault)
                    return dict(fault)
        return None

    def record(self, entry):
        with self.lock:
            self.log.append(entry)


def parse_range(header, size):
    """(start, end) inclusive, 'unsatisfiable', or None for no usable range."""
    m = re.fullmatch(r'bytes=(\d*)-(\d*)', (header or '').strip())
    if not m or (not m.group(1) and not m.group(2)):
        return None
    if not m.group(1):  # the last N bytes
        n = int(m.group(2))
        return (max(0, size - n), size - 1) if n > 0 and size > 0 else 'unsatisfiable'
    start = int(m.group(1))
    end = int(m.group(2)) if m.group(2) else size - 1
    if start >= size:
        return 'unsatisfiable'
    if end < start:
        return None
    return start, min(end, size - 1)


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'deskpack-feedserver'

    def log_message(self, fmt, *args):  # the log below replaces http.server's
        pass

    def note(self, path, status, fault=None, rng=None):
        self.server.faults.record({'method': self.command, 'path': path, 'range': rng,
                                   'status': status, 'fault': fault['mode'] if fault else None})
        sys.stderr.write('feedserver: %s /%s range=%s -> %s%s\n' % (
            self.command, path, rng or '-', status, ' (fault %s)' % fault['mode'] if fault else ''))
        sys.stderr.flush()

    def send_plain(self, status, body=b'', content_type='text/plain; charset=utf-8', extra=()):
        self.send_response(status)
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(body)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(body)

    def resolve(self, path):
        root = self.server.root
        full = os.path.realpath(os.path.join(root, path))
        if not path or '\0' in path or not full.startswith(root + os.sep) or not os.path.isfile(full):
            return None
        return full

    # --- control endpoints ---
    def do_POST(self):
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else b''
        path = self.path.split('?', 1)[0]
        try:
            if path == '/__fault':
                loaded = json.loads(body.decode('utf-8'))
                for fault in loaded if isinstance(loaded, list) else [loaded]:
                    self.server.faults.add(fault)
            elif path == '/__reset':
                self.server.faults.reset()
            else:
                self.send_plain(404, b'unknown control endpoint\n')
                return
        except ValueError as e:
            self.send_plain(400, ('%s\n' % e).encode())
            return
        self.send_plain(200, b'ok\n')

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        path = unquote(self.path.split('?', 1)[0]).lstrip('/')
        if path == '__requests':
            with self.server.faults.lock:
                body = json.dumps(self.server.faults.log).encode()
            self.send_plain(200, body, 'application/json')
            return
        rng = self.headers.get('Range')
        fault = self.server.faults.take(path)
        if fault and fault['mode'] == 'status':
            status = int(fault.get('status', 500))
            self.note(path, status, fault, rng)
            self.send_plain(status, ('fault: %d\n' % status).encode())
            return
        full = self.resolve(path)
        if full is None:
            self.note(path, 404, fault, rng)
            self.send_plain(404, b'not found\n')
            return
        with open(full, 'rb') as f:
            data = f.read()
        self.send_file(path, data, rng, fault)

    def send_file(self, path, data, rng, fault):
        size = len(data)
        wanted = None if fault and fault['mode'] == 'ignore-range' else parse_range(rng, size)
        if wanted == 'unsatisfiable':
            self.note(path, 416, fault, rng)
            self.send_plain(416, b'', extra=[('Content-Range', 'bytes */%d' % size)])
            return
        status, start, end = (206, wanted[0], wanted[1]) if wanted else (200, 0, size - 1)
        body = bytearray(data[start:end + 1])
        if fault and fault['mode'] == 'corrupt' and body:
            at = int(fault.get('bytes', len(body) // 2))
            body[min(max(at, 0), len(body) - 1)] ^= 0xFF
        self.note(path, status, fault, rng)
        self.send_response(status)
        content_type = 'application/json' if path.endswith('.json') else 'application/octet-stream'
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(body)))
        self.send_header('Accept-Ranges', 'bytes')
        if status == 206:
            self.send_header('Content-Range', 'bytes %d-%d/%d' % (start, end, size))
        self.end_headers()
        if self.command != 'HEAD':
            self.write_body(bytes(body), fault)

    def write_body(self, body, fault):
        mode = fault['mode'] if fault else None
        if mode == 'drop-after':
            self.wfile.write(body[:int(fault.get('bytes', 0))])
            self.wfile.flush()
            # An abrupt close mid-body, as a dropped connection looks to the client.
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        if mode == 'slow':
            chunk = max(1, int(fault.get('chunk', 16384)))
            delay = float(fault.get('delay', 0.05))
            for at in range(0, len(body), chunk):
                self.wfile.write(body[at:at + chunk])
                self.wfile.flush()
                time.sleep(delay)
            return
        self.wfile.write(body)


def main():
    parser = argparse.ArgumentParser(description='Serve an update feed on 127.0.0.1, with faults on cue.')
    parser.add_argument('feed', help='the feed directory')
    parser.add_argument('--control-file', help='a JSON file of faults, read again when it changes')
    args = parser.parse_args()
    server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    server.daemon_threads = True
    server.root = os.path.realpath(args.feed)
    server.faults = Faults(args.control_file)
    sys.stdout.write('PORT %d\n' % server.server_address[1])
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == '__main__':
    main()
