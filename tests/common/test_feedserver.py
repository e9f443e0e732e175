#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Keeps feedserver.py honest: ranges, HEAD, 416, and every fault mode."""

import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
BODY = bytes(range(256)) * 400  # 102400 bytes


class FeedServerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        os.makedirs(os.path.join(cls.dir.name, 'packages'))
        with open(os.path.join(cls.dir.name, 'packages', 'app.tar.zst'), 'wb') as f:
            f.write(BODY)
        with open(os.path.join(cls.dir.name, 'outside.txt'), 'w') as f:
            f.write('x')
        cls.control = os.path.join(cls.dir.name, 'faults.json')
        cls.server = subprocess.Popen(
            [sys.executable, os.path.join(HERE, 'feedserver.py'),
             os.path.join(cls.dir.name, 'packages'), '--control-file', cls.control],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = cls.server.stdout.readline()
        assert line.startswith('PORT '), line
        cls.port = int(line.split()[1])

    @classmethod
    def tearDownClass(cls):
        cls.server.terminate()
        cls.server.communicate(timeout=10)
        cls.dir.cleanup()

    def setUp(self):
        if os.path.exists(self.control):
            os.remove(self.control)
        self.request('POST', '/__reset')

    def request(self, method, path, headers=None, body=None):
        conn = http.client.HTTPConnection('127.0.0.1', self.port, timeout=10)
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        try:
            data = response.read()
        except http.client.IncompleteRead as e:
            data = ('incomplete', e.partial)
        conn.close()
        return response, data

    def fault(self, **fault):
        r, _ = self.request('POST', '/__fault', body=json.dumps(fault).encode())
        self.assertEqual(r.status, 200)

    def test_whole_file_and_head(self):
        r, data = self.request('GET', '/app.tar.zst')
        self.assertEqual((r.status, data), (200, BODY))
        self.assertEqual(r.getheader('Accept-Ranges'), 'bytes')
        r, data = self.request('HEAD', '/app.tar.zst')
        self.assertEqual((r.status, data, r.getheader('Content-Length')), (200, b'', str(len(BODY))))

    def test_ranges(self):
        r, data = self.request('GET', '/app.tar.zst', {'Range': 'bytes=100-199'})
        self.assertEqual((r.status, data), (206, BODY[100:200]))
        self.assertEqual(r.getheader('Content-Range'), 'bytes 100-199/%d' % len(BODY))
        r, data = self.request('GET', '/app.tar.zst', {'Range': 'bytes=102000-'})
        self.assertEqual((r.status, data), (206, BODY[102000:]))
        r, data = self.request('GET', '/app.tar.zst', {'Range': 'bytes=-10'})
        self.assertEqual((r.status, data), (206, BODY[-10:]))
        r, data = self.request('GET', '/app.tar.zst', {'Range': 'bytes=%d-' % len(BODY)})
        self.assertEqual(r.status, 416)
        self.assertEqual(r.getheader('Content-Range'), 'bytes */%d' % len(BODY))

    def test_nothing_outside_the_feed(self):
        for path in ('/../outside.txt', '/%2e%2e/outside.txt', '/', '/missing'):
            r, _ = self.request('GET', path)
            self.assertEqual(r.status, 404, path)

    def test_drop_after(self):
        self.fault(path='app.tar.zst', mode='drop-after', bytes=1000)
        r, data = self.request('GET', '/app.tar.zst')
        self.assertEqual(r.status, 200)
        self.assertEqual(data, ('incomplete', BODY[:1000]))
        # Once only: the resumed request gets the rest.
        r, data = self.request('GET', '/app.tar.zst', {'Range': 'bytes=1000-'})
        self.assertEqual((r.status, data), (206, BODY[1000:]))
        log = json.loads(self.request('GET', '/__requests')[1])
        self.assertEqual([(e['range'], e['fault']) for e in log if e['path'] == 'app.tar.zst'],
                         [(None, 'drop-after'), ('bytes=1000-', None)])

    def test_corrupt(self):
        self.fault(path='*.zst', mode='corrupt', bytes=5)
        _, data = self.request('GET', '/app.tar.zst')
        self.assertEqual(len(data), len(BODY))
        self.assertEqual([i for i in range(len(BODY)) if data[i] != BODY[i]], [5])
        self.assertEqual(self.request('GET', '/app.tar.zst')[1], BODY)

    def test_status(self):
        self.fault(path='app.tar.zst', mode='503', times=2)
        self.assertEqual(self.request('GET', '/app.tar.zst')[0].status, 503)
        self.assertEqual(self.request('GET', '/app.tar.zst')[0].status, 503)
        self.assertEqual(self.request('GET', '/app.tar.zst')[0].status, 200)
        self.fault(path='app.tar.zst', mode='status', status=404)
        self.assertEqual(self.request('GET', '/app.tar.zst')[0].status, 404)

    def test_slow(self):
        self.fault(path='app.tar.zst', mode='slow', chunk=25600, delay=0.05)
        start = time.monotonic()
        _, data = self.request('GET', '/app.tar.zst')
        self.assertEqual(data, BODY)
        self.assertGreaterEqual(time.monotonic() - start, 0.15)

    def test_ignore_range(self):
        self.fault(path='app.tar.zst', mode='ignore-range')
        r, data = self.request('GET', '/app.tar.zst', {'Range': 'bytes=100-'})
        self.assertEqual((r.status, data), (200, BODY))

    def test_bad_fault_is_refused(self):
        r, _ = self.request('POST', '/__fault', body=b'{"path": "x", "mode": "explode"}')
        self.assertEqual(r.status, 400)

    def test_control_file(self):
        with open(self.control, 'w') as f:
            json.dump([{'path': 'app.tar.zst', 'mode': '500', 'times': 0}], f)
        self.assertEqual(self.request('GET', '/app.tar.zst')[0].status, 500)
        self.assertEqual(self.request('GET', '/app.tar.zst')[0].status, 500)  # times 0: until cleared
        with open(self.control, 'w') as f:
            json.dump([], f)
            f.write('\n')  # another size, so the change is seen within one mtime tick
        self.assertEqual(self.request('GET', '/app.tar.zst')[0].status, 200)


if __name__ == '__main__':
    unittest.main()
