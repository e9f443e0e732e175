# SPDX-License-Identifier: MIT
"""The peer half of bench_runner: jupyter_client + ipykernel (Debian packages) measured
the same way as the Deskpack kernel.

Cold start: KernelManager.start_kernel() until the first trivial cell's reply.
Writes one JSON object to --out.
Round trip: execute_interactive(CODE) on a warm kernel (request to reply and idle).
Streaming: a cell printing LINES lines of 99 characters, until its reply.
"""
import argparse
import json
import time

from jupyter_client.manager import KernelManager

TRIVIAL = "x = 1"


def start():
    manager = KernelManager(kernel_name="python3")
    manager.start_kernel()
    client = manager.client()
    client.start_channels()
    client.wait_for_ready(timeout=60)
    return manager, client


def stop(manager, client):
    client.stop_channels()
    manager.shutdown_kernel(now=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--round-trips", type=int, default=500)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--out", required=True, help="where the JSON goes (the kernels "
                        "share our stdout)")
    args = parser.parse_args()

    cold = []
    for _ in range(args.starts):
        began = time.perf_counter()
        manager, client = start()
        client.execute_interactive("1", timeout=60)
        cold.append((time.perf_counter() - began) * 1000)
        stop(manager, client)

    manager, client = start()
    for _ in range(50):
        client.execute_interactive(TRIVIAL, timeout=60)
    trips = []
    for _ in range(args.round_trips):
        began = time.perf_counter()
        client.execute_interactive(TRIVIAL, timeout=60)
        trips.append((time.perf_counter() - began) * 1e6)

    received = 0

    def hook(message):
        nonlocal received
        if message["msg_type"] == "stream":
            received += len(message["content"]["text"])

    began = time.perf_counter()
    client.execute_interactive(f"for i in range({args.lines}): print('x' * 99)",
                               output_hook=hook, timeout=600)
    seconds = time.perf_counter() - began
    stop(manager, client)
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump({"coldStartMs": cold, "roundTripUs": trips,
                   "streamChars": received, "streamSeconds": seconds}, out)


if __name__ == "__main__":
    main()
