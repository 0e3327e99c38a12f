"""A minimal FastCGI client (records straight to a unix socket), for the
tests that speak to voicepactd without nginx: stalled or malformed peers,
inherited sockets, a body cut by a signal."""

import socket
import struct

BEGIN, END, PARAMS, STDIN, STDOUT = 1, 3, 4, 5, 6


def record(rtype, content, req=1):
    """One record (no padding) of type rtype."""
    return struct.pack(">BBHHBB", 1, rtype, req, len(content), 0, 0) + content


def nv(name, value):
    """One name-value pair of FCGI_PARAMS (str or bytes)."""
    if isinstance(name, str):
        name = name.encode()
    if isinstance(value, str):
        value = value.encode()

    def ln(n):
        return bytes([n]) if n < 128 else struct.pack(">I", n | 0x80000000)
    return ln(len(name)) + ln(len(value)) + name + value


def begin():
    """FCGI_BEGIN_REQUEST, responder role, connection not kept."""
    return record(BEGIN, struct.pack(">HB5x", 1, 0))


def params(pairs):
    """The params stream of pairs, ended by an empty record."""
    return record(PARAMS, b"".join(nv(k, v) for k, v in pairs)) + \
        record(PARAMS, b"")


def connect(path, timeout=30):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(path)
    return s


def read_stdout(s):
    """Reads records until FCGI_END_REQUEST or EOF; the stdout bytes."""
    out = b""
    buf = b""
    while True:
        while len(buf) >= 8:
            _, rtype, _, clen, plen, _ = struct.unpack(">BBHHBB", buf[:8])
            if len(buf) < 8 + clen + plen:
                break
            if rtype == STDOUT:
                out += buf[8:8 + clen]
            buf = buf[8 + clen + plen:]
            if rtype == END:
                return out
        chunk = s.recv(65536)
        if not chunk:
            return out
        buf += chunk


def request(path, pairs, body=b"", stdin_end=True, timeout=30):
    """One whole request on the socket at path; the stdout bytes."""
    s = connect(path, timeout)
    try:
        data = begin() + params(pairs)
        if body:
            data += record(STDIN, body)
        if stdin_end:
            data += record(STDIN, b"")
        s.sendall(data)
        return read_stdout(s)
    finally:
        s.close()
