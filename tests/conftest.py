"""Fixtures shared by the test modules."""
import socket

import pytest


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to resolve a host or open a connection fails, as on an offline machine."""
    def refuse(*args, **kwargs):
        raise OSError("network disabled in tests")
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
