"""A socket read against a clock: each read may wait at most `timeout` seconds, and no read
starts or lasts past the deadline.

A per-read timeout alone lets a server that drips one byte a second hold a reader for as long as
it likes; here every read's timeout is the smaller of `timeout` and what is left before the
deadline, so the whole conversation (status line, headers, body) ends by the deadline.
"""

from __future__ import annotations

import io
import socket
import time


class DeadlinePassed(TimeoutError):
    """The overall deadline passed (as opposed to one read waiting too long)."""


class Deadline:
    def __init__(self, seconds: float, timeout: float, at: float | None = None):
        now = time.monotonic()
        self.at = now + seconds if at is None else min(at, now + seconds)  # `at`: an earlier end (a whole check's)
        self.seconds = seconds if self.at == now + seconds else round(self.at - now, 1)
        self.timeout = timeout  # each operation

    def remaining(self) -> float:
        return self.at - time.monotonic()

    def arm(self, sock: socket.socket) -> None:
        """Give the next operation on `sock` the time it may take; DeadlinePassed when none is left."""
        remaining = self.remaining()
        if remaining <= 0:
            raise DeadlinePassed
        sock.settimeout(min(self.timeout, remaining))

    def passed(self) -> bool:
        return self.remaining() <= 0.01


class DeadlineReader(io.RawIOBase):
    """The receiving side of a socket as a raw stream whose every read is armed by `deadline`
    (wrap it in io.BufferedReader). A deadline of None means reads wait `idle` seconds each."""

    def __init__(self, sock: socket.socket, deadline: Deadline | None, idle: float | None = None):
        super().__init__()
        self.sock = sock
        self.deadline = deadline
        self.idle = idle

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.deadline is not None:
            self.deadline.arm(self.sock)
        else:
            self.sock.settimeout(self.idle)
        try:
            return self.sock.recv_into(buffer)
        except TimeoutError:
            if self.deadline is not None and self.deadline.passed():
                raise DeadlinePassed from None
            raise
