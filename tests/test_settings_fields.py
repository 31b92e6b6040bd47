"""The Settings dialog's checks of the Spotify fields, without a window."""

from __future__ import annotations

import pytest

from emotune.controller.settings_fields import client_id_problem, redirect_uri_problem


@pytest.mark.parametrize("value", ["", "0123456789abcdef0123456789ABCDEF", " 0123456789abcdef0123456789abcdef "])
def test_a_client_id_of_32_hex_characters_or_none_is_fine(value: str) -> None:
    assert client_id_problem(value) == ""


def test_a_client_id_says_what_is_wrong_with_it() -> None:
    assert "0-9" in client_id_problem("my-app-name")
    assert client_id_problem("0123456789abcdef") == "A client ID is 32 characters long; this one has 16"


@pytest.mark.parametrize(
    "value", ["http://127.0.0.1:8765/callback", "http://[::1]:8888/callback", "http://127.0.0.1:9/"]
)
def test_a_loopback_redirect_with_a_port_is_fine(value: str) -> None:
    assert redirect_uri_problem(value) == ""


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("http://localhost:8888/callback", "does not accept localhost"),
        ("https://127.0.0.1:8888/callback", "this computer's address"),
        ("http://example.com:8888/callback", "this computer's address"),
        ("http://127.0.0.1/callback", "Give a port"),
        ("http://127.0.0.1:99999/callback", "Give a port"),
        ("", "needs a redirect URI"),
    ],
)
def test_a_redirect_spotify_or_emotune_cannot_use_says_why(value: str, said: str) -> None:
    assert said in redirect_uri_problem(value)


def test_without_a_client_id_no_redirect_is_needed() -> None:
    assert redirect_uri_problem("", client_id="") == ""
