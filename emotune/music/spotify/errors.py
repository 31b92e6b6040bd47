"""What can go wrong talking to Spotify: one exception class per kind, each message a one-line
status ready to show ("Spotify is rate limiting us: retry in 2 min")."""

from __future__ import annotations

from emotune.errors import EmotuneError

__all__ = [
    "NO_ACTIVE_DEVICE_MESSAGE",
    "PREMIUM_REQUIRED_MESSAGE",
    "SIGN_IN_EXPIRED_MESSAGE",
    "SpotifyAuthError",
    "SpotifyBadResponseError",
    "SpotifyError",
    "SpotifyNoActiveDeviceError",
    "SpotifyPremiumRequiredError",
    "SpotifyRateLimitedError",
    "SpotifyRequestError",
    "SpotifySignInExpiredError",
    "SpotifyTimeoutError",
    "SpotifyUnavailableError",
]


class SpotifyError(EmotuneError):
    """Spotify could not answer; ``str()`` is a one-line status for the user."""


class SpotifyAuthError(SpotifyError):
    """Credentials or token refused (401/403, invalid client), or not signed in."""


class SpotifySignInExpiredError(SpotifyAuthError):
    """The refresh token was refused (``invalid_grant``): the user must sign in again."""


class SpotifyRateLimitedError(SpotifyError):
    """429: ``retry_after`` seconds until Spotify takes requests again."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class SpotifyUnavailableError(SpotifyError):
    """5xx, connection refused, or any other transport failure."""


class SpotifyTimeoutError(SpotifyUnavailableError):
    """No complete answer within the timeout."""


class SpotifyBadResponseError(SpotifyError):
    """An answer that is not what Spotify documents (not JSON, wrong shape)."""


class SpotifyRequestError(SpotifyError):
    """Spotify refused the request itself (400 and other 4xx)."""


class SpotifyNoActiveDeviceError(SpotifyRequestError):
    """404 ``NO_ACTIVE_DEVICE``: no Spotify app is open to play on."""


class SpotifyPremiumRequiredError(SpotifyRequestError):
    """403 ``PREMIUM_REQUIRED``: playback control needs a Premium account."""


NO_ACTIVE_DEVICE_MESSAGE = "No active Spotify device: open Spotify on a phone or computer first"
PREMIUM_REQUIRED_MESSAGE = "Playback needs Spotify Premium"
SIGN_IN_EXPIRED_MESSAGE = "Spotify sign-in has expired; sign in again"
