"""An SMTP sink in its own process (aiosmtpd) that counts what it receives, per recipient.

    python -m scripts.bench.sink   # prints "ready <port>", then answers one JSON line per command on stdin:
                                   # stats, recipients, sample, reset
The driver talks to it through `Sink`. Its own process, so receiving mail never competes with the sender
for one interpreter.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import threading
import time
from collections import Counter
from typing import Any

from scripts.bench.serve import ROOT, free_port


class Counting:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.recipients: Counter[str] = Counter()
            self.count = self.bytes = 0
            self.first_at = self.last_at = 0.0
            self.sample = b""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        now = time.monotonic()  # CLOCK_MONOTONIC: comparable with the driver's clock on the same machine
        with self.lock:
            self.recipients.update(envelope.rcpt_tos)
            self.count += 1
            self.bytes += len(envelope.original_content)
            self.first_at = self.first_at or now
            self.last_at = now
            self.sample = self.sample or envelope.original_content
        return "250 OK"

    def answer(self, command: str) -> object:
        with self.lock:
            if command == "stats":
                return {"count": self.count, "bytes": self.bytes, "first_at": self.first_at, "last_at": self.last_at}
            if command == "recipients":
                return dict(self.recipients)
            if command == "sample":
                return base64.b64encode(self.sample).decode()
        if command == "reset":
            self.reset()
            return "ok"
        return {"error": f"unknown command {command!r}"}


def serve() -> None:
    from aiosmtpd.controller import Controller

    handler = Counting()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    print(f"ready {port}", flush=True)
    try:
        for line in sys.stdin:
            print(json.dumps(handler.answer(line.strip())), flush=True)
    finally:
        controller.stop()


class Sink:
    """The driver's handle on the sink process."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "scripts.bench.sink"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        ready = self.proc.stdout.readline().split()
        if not ready or ready[0] != "ready":
            raise SystemExit("the SMTP sink did not start")
        self.port = int(ready[1])

    def ask(self, command: str) -> Any:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def stats(self) -> dict[str, Any]:
        return dict(self.ask("stats"))

    def sample(self) -> bytes:
        return base64.b64decode(self.ask("sample"))

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


if __name__ == "__main__":
    serve()
