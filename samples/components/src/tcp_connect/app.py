"""tcp_connect: a WASI 0.2 command component, written in Python.

Usage: tcp_connect.wasm HOST:PORT   (for example 127.0.0.1:8080 or [::1]:8080)

Opens a TCP connection (wasi:sockets/tcp through wasi-libc's socket layer),
sends "hello from wasm\\n", waits up to 5 seconds for a reply, prints what
happened and exits 0. On any error it prints a clear message on stderr and
exits nonzero; without a network grant, that is an access-denied error.
"""

import errno
import ipaddress
import socket
import sys

from wit_world import exports

MESSAGE = b"hello from wasm\n"
REPLY_TIMEOUT_SECONDS = 5.0


def parse_address(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise ValueError(f"expected HOST:PORT, got {text!r}")
    host = host.strip("[]")
    ipaddress.ip_address(host)  # only literal IPs: no DNS needed
    return host, int(port)


def describe(error: OSError) -> str:
    if error.errno in (errno.EACCES, errno.EPERM):
        return f"access denied ({error.strerror}): the host did not grant network access"
    if error.errno == errno.ECONNREFUSED:
        return "connection refused: nothing is listening there"
    return f"{error.strerror or error} (errno {error.errno})"


def connect_and_talk(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    print(f"connecting to {host}:{port} ...")
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.connect((host, port))
        print(f"connected: local {sock.getsockname()[:2]}, peer {sock.getpeername()[:2]}")
        sock.sendall(MESSAGE)
        print(f"sent {len(MESSAGE)} bytes: {MESSAGE!r}")
        sock.settimeout(REPLY_TIMEOUT_SECONDS)
        try:
            reply = sock.recv(1024)
        except TimeoutError:
            print(f"no reply within {REPLY_TIMEOUT_SECONDS:g} s")
        else:
            if reply:
                print(f"received {len(reply)} bytes: {reply!r}")
            else:
                print("peer closed the connection without replying")
    finally:
        sock.close()
        print("closed")


class Run(exports.Run):
    def run(self) -> None:
        args = sys.argv[1:]
        if len(args) != 1:
            print("usage: tcp_connect.wasm HOST:PORT   e.g. 127.0.0.1:8080", file=sys.stderr)
            sys.exit(2)
        try:
            host, port = parse_address(args[0])
        except ValueError as error:
            print(f"tcp_connect: bad address: {error}", file=sys.stderr)
            sys.exit(2)
        try:
            connect_and_talk(host, port)
        except OSError as error:
            print(f"tcp_connect: {host}:{port}: {describe(error)}", file=sys.stderr)
            sys.exit(1)
