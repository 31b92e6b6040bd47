"""What the video area says when the camera gives no picture, in the words of the system in use:
where its camera privacy switch is, and what to do about a camera macOS has not been allowed to
use. Plain text and ``SourceProblem`` values; no toolkit.
"""

from __future__ import annotations

from emotune.controller.view import SourceProblem
from emotune.platforms import Platform, is_macos, is_windows
from emotune.vision.camera_access import AccessStatus, privacy_page

MOOD_BY_HAND = "You can still pick a mood by hand above and get songs for it."
MACOS_SETTINGS = "System Settings > Privacy & Security > Camera"
WINDOWS_SETTINGS = "Settings > Privacy & security > Camera"


def camera_hint(platform: Platform) -> str:
    """What to check when a camera cannot be opened or gives no frames, on ``platform``."""
    if is_windows(platform):
        return (
            "Check that a camera is connected and that Windows lets apps use it: in "
            f"{WINDOWS_SETTINGS}, turn on “Camera access” and “Let desktop apps access your camera”. "
            "Close other programs that may be using the camera, then retry. "
        )
    if is_macos(platform):
        return (
            f"Check that a camera is connected and that Emotune may use it: in {MACOS_SETTINGS}, turn "
            "on Emotune (or the Terminal it runs from). Close other programs that may be using the "
            "camera, then retry. "
        )
    return (
        "Check that a camera is connected, that your user may use it (a member of the “video” "
        "group) and that no other program holds it, then retry. "
    )


def no_camera(platform: Platform, text: str) -> SourceProblem:
    return SourceProblem(
        "no camera",
        "No picture from the camera",
        f"{text}\n\n{camera_hint(platform)}{MOOD_BY_HAND}",
        "Retry",
        privacy_page(platform),
    )


def waiting_for_access(platform: Platform) -> SourceProblem:
    return SourceProblem(
        "waiting for access",
        "May Emotune use the camera?",
        "macOS is asking whether Emotune may use the camera: choose “Allow” (or “OK”) in its "
        f"window, and the picture starts by itself.\n\n{MOOD_BY_HAND}",
        "Retry",
        privacy_page(platform),
    )


def access_refused(platform: Platform, status: AccessStatus) -> SourceProblem:
    """The problem for a camera the system does not let the app use ("denied" or "restricted")."""
    if status == "restricted":
        why = "This Mac does not let apps use the camera (a profile or Screen Time restricts it)."
    else:
        why = f"Emotune is not allowed to use the camera. Turn it on in {MACOS_SETTINGS}, then retry."
    return SourceProblem(
        "no camera access", "Camera access is off", f"{why}\n\n{MOOD_BY_HAND}", "Retry", privacy_page(platform)
    )
