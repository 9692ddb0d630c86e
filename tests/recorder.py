"""A listener on a free 127.0.0.1 port that records every connection made to it.

Tests point SERVICE, FROM, LOAD, owl:imports … at ``recorder.url`` and then assert that
``recorder.connections`` stayed empty: nothing was fetched.
"""

from __future__ import annotations

import socket
import threading
import time


class ConnectionRecorder:
    def __init__(self) -> None:
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(16)
        self._socket.settimeout(0.1)
        self.port = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        #: The first bytes each connection sent (its request line, for messages).
        self.connections: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="connection-recorder", daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._socket.accept()
            except (TimeoutError, OSError):
                continue
            with conn:
                conn.settimeout(0.5)
                try:
                    first = conn.recv(200)
                except OSError:
                    first = b""
                self.connections.append(first or b"(connected, sent nothing)")

    def settle(self, seconds: float = 0.2) -> list[bytes]:
        """The connections recorded after waiting ``seconds`` for late ones."""
        time.sleep(seconds)
        return list(self.connections)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._socket.close()
