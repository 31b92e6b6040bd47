"""The HTTP session every Spotify call goes through: no retries, and a whole-exchange deadline.

A ``requests`` timeout bounds each socket read, not the call: a server that sends one byte every
two seconds holds a call for minutes. ``session(total_s)`` gives a plain ``requests.Session`` whose
every exchange, body included, ends within ``total_s``; ``command_deadline(seconds)`` caps all the
exchanges of one command together.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3 import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.connection import HTTPConnection, HTTPSConnection

MAX_TIMEOUT_S = 5.0  # the longest any one exchange may take, whatever the settings say

# How: each exchange runs on a short-lived worker thread that the caller waits for at most the
# deadline; when it passes, the caller raises ReadTimeout and
# shuts down the sockets the exchange used, which ends the worker's blocked read at once, so no
# thread stays behind on a server that never finishes. The sockets are noted in the worker's
# thread-local exchange by the connection classes of the adapter's pools, as they connect and
# send: the socket itself, because http.client drops ``connection.sock`` once it has read the
# headers of a "Connection: close" answer, while the body is still being read from it.

_exchange_of_thread = threading.local()

# A deadline (time.monotonic()) for every exchange of a whole command, however many it makes
# (``command_deadline``): a token refresh and the request after it share one budget. Process-wide
# on purpose: a command's helper threads (a search) count against it too. The window never sets it.
_command_deadline: float | None = None
_command_seconds: float | None = None  # the budget that deadline was set with, for messages


@contextlib.contextmanager
def command_deadline(seconds: float) -> Iterator[None]:
    """Within the block, all Spotify exchanges together end within ``seconds`` (command lines)."""
    global _command_deadline, _command_seconds
    before = _command_deadline, _command_seconds
    _command_deadline, _command_seconds = time.monotonic() + seconds, seconds
    try:
        yield
    finally:
        _command_deadline, _command_seconds = before


def waited_at_most(total_s: float) -> float:
    """How long an exchange with ``total_s`` of its own could wait under the command's budget."""
    budget = _command_seconds
    return total_s if budget is None else min(total_s, budget)


def _time_left(total_s: float) -> float:
    deadline = _command_deadline
    return total_s if deadline is None else max(0.0, min(total_s, deadline - time.monotonic()))


class _Exchange:
    """The connections and sockets one exchange uses, so that a caller giving up can shut them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._watched: set[Any] = set()
        self.abandoned = False

    def watch(self, thing: Any) -> None:
        with self._lock:
            if not self.abandoned:
                self._watched.add(thing)
                return
        _shut_down(thing)  # the caller has already given up: fail this step at once

    def abandon(self) -> None:
        with self._lock:
            self.abandoned = True
            watched = list(self._watched)
        for thing in watched:
            _shut_down(thing)


def _shut_down(thing: Any) -> None:
    sock = thing if isinstance(thing, socket.socket) else getattr(thing, "sock", None)
    if not isinstance(sock, socket.socket):
        return
    # socket.socket.shutdown, not SSLSocket.shutdown: the latter also drops the TLS object under
    # the worker's feet; shutting the TCP socket is enough to end its blocked read with EOF. A
    # socket closed meanwhile has no descriptor any more (EBADF), so nothing else is hit.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _watch_in_current_exchange(connection: Any) -> None:
    exchange = getattr(_exchange_of_thread, "exchange", None)
    if exchange is not None:
        exchange.watch(connection)
        if connection.sock is not None:
            exchange.watch(connection.sock)


class _WatchedHTTPConnection(HTTPConnection):
    def connect(self) -> None:
        _watch_in_current_exchange(self)  # given up while connecting: shut as soon as it exists
        super().connect()
        _watch_in_current_exchange(self)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _watch_in_current_exchange(self)  # a kept-alive connection, reused
        super().request(*args, **kwargs)
        _watch_in_current_exchange(self)  # connected on the way


class _WatchedHTTPSConnection(HTTPSConnection):
    def connect(self) -> None:
        _watch_in_current_exchange(self)
        super().connect()
        _watch_in_current_exchange(self)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _watch_in_current_exchange(self)
        super().request(*args, **kwargs)
        _watch_in_current_exchange(self)


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_WATCHED_POOLS: dict[str, type[HTTPConnectionPool]] = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


class _DeadlineAdapter(HTTPAdapter):
    """An HTTP adapter without retries whose every exchange, body included, ends within ``total_s``.

    (A caller asking to ``stream`` reads the body itself, outside the deadline; spotipy never does.)
    """

    def __init__(self, total_s: float) -> None:
        self.total_s = total_s
        super().__init__(max_retries=0)

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any) -> None:
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        self.poolmanager.pool_classes_by_scheme = _WATCHED_POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        # SOCKS managers bring their own connection classes: there the deadline still frees the
        # caller, but the worker ends only with the server or the per-read timeout.
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = _WATCHED_POOLS
        return manager

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: bool | str = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        wait_s = _time_left(self.total_s)
        if wait_s <= 0:
            raise requests.exceptions.ReadTimeout("the command's deadline has passed", request=request)
        exchange = _Exchange()
        outcome: list[requests.Response | BaseException] = []
        done = threading.Event()

        def run() -> None:
            _exchange_of_thread.exchange = exchange
            try:
                response = HTTPAdapter.send(
                    self, request, stream=stream, timeout=timeout, verify=verify, cert=cert, proxies=proxies
                )
                if not stream:
                    _ = response.content  # read the body here, under the deadline, not in Session.send
                outcome.append(response)
            except BaseException as exc:  # handed to the caller, who re-raises it
                outcome.append(exc)
            finally:
                _exchange_of_thread.exchange = None
                done.set()

        threading.Thread(target=run, name="emotune-spotify-http", daemon=True).start()
        try:
            finished = done.wait(wait_s)
        except BaseException:  # Ctrl+C while waiting: free the worker too
            exchange.abandon()
            raise
        if not finished:
            exchange.abandon()
            raise requests.exceptions.ReadTimeout(f"no complete answer within {wait_s:g} s", request=request)
        result = outcome[0]
        if isinstance(result, BaseException):
            raise result
        return result


def session(total_s: float = MAX_TIMEOUT_S) -> requests.Session:
    """A plain session, no retries, every exchange ending within ``total_s`` (or the command's deadline).

    Hand this to spotipy (``requests_session=``) so that spotipy's own retrying session is never
    built: with it, even at retries=0, urllib3 turns a 500 or a 429 into a RetryError that spotipy
    reports as a 429 without headers, losing the status and Retry-After (docs/spotify.md).
    """
    plain = requests.Session()
    adapter = _DeadlineAdapter(total_s)
    plain.mount("http://", adapter)
    plain.mount("https://", adapter)
    return plain
