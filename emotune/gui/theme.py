"""The app's look: the ttk theme (Sun Valley light/dark when ``sv-ttk`` is installed, else a
tidied "clam"), the palette, the fonts panels share (each mood's emoji: ``glyphs``), and the style
of the status bar's menu buttons and their marks.

Only appearance lives here; no panel logic. Colours are chosen to read on both light and dark
backgrounds (mid-saturation, with white text on top).
"""

from __future__ import annotations

import tkinter as tk
from dataclasses import dataclass
from tkinter import font as tkfont
from tkinter import ttk

from emotune.resources import resource_path


@dataclass(frozen=True)
class Palette:
    background: str
    foreground: str
    muted: str
    video_background: str
    bar_track: str  # the flat, quiet background of a score bar
    body_font: str = "TkDefaultFont"  # the named font of ordinary text (canvases use it too)


LIGHT = Palette(
    background="#fafafa", foreground="#1c1c1c", muted="#6b6b6b", video_background="#202124", bar_track="#e6e6e6"
)
DARK = Palette(
    background="#1c1c1c", foreground="#fafafa", muted="#a0a0a0", video_background="#101010", bar_track="#333333"
)
SV_BODY_FONT = "SunValleyBodyFont"


def set_window_icon(root: tk.Tk) -> tk.PhotoImage | None:
    """The app's icon on the window and its dialogs; the image, which must be kept alive."""
    icon = resource_path("assets", "icon.png")
    if not icon.is_file():
        return None
    image = tk.PhotoImage(master=root, file=str(icon))
    root.iconphoto(True, image)
    return image


def ui_scale(root: tk.Misc) -> float:
    """How much larger than a 96-dpi screen things must be drawn (1.0 to about 2.0)."""
    return max(1.0, float(root.winfo_fpixels("1i")) / 96.0)


def _scale_pixel_fonts(root: tk.Tk, factor: float) -> None:
    # sv-ttk sizes its fonts in pixels (negative sizes), which Tk does not scale with the screen's
    # dpi the way it scales point sizes: scale them once per window, or text stays tiny at 200 %.
    if getattr(root, "_emotune_fonts_scaled", False) or factor < 1.05:
        return
    for name in tkfont.names(root):
        if name.startswith("SunValley"):
            named = tkfont.nametofont(name, root)
            size = int(named.cget("size"))
            if size < 0:
                named.configure(size=round(size * factor))
    setattr(root, "_emotune_fonts_scaled", True)  # noqa: B010 (a Tk object, no such attribute declared)


def apply_theme(root: tk.Tk, name: str) -> Palette:
    """Switch the whole app to the light or dark theme; returns the palette panels use."""
    dark = name == "dark"
    base = DARK if dark else LIGHT
    style = ttk.Style(root)
    try:
        import sv_ttk

        sv_ttk.set_theme("dark" if dark else "light", root)
    except ImportError:  # sv-ttk is a plain dependency, but the app must still start without it
        style.theme_use("clam")
        style.configure(".", background=base.background, foreground=base.foreground)
        style.configure("Treeview", fieldbackground=base.background, background=base.background)
        root.configure(background=base.background)
    factor = ui_scale(root)
    _scale_pixel_fonts(root, factor)
    body = SV_BODY_FONT if SV_BODY_FONT in tkfont.names(root) else "TkDefaultFont"
    body_font = tkfont.nametofont(body, root)
    palette = Palette(
        background=str(style.lookup(".", "background") or base.background),
        foreground=str(style.lookup(".", "foreground") or base.foreground),
        muted=base.muted,
        video_background=base.video_background,
        bar_track=base.bar_track,
        body_font=body,
    )
    style.configure("Treeview", rowheight=body_font.metrics("linespace") + round(6 * factor))
    # The selected row is what Enter, L and D act on: the accent, never the theme's pale grey.
    style.map("Treeview", background=[("selected", ACCENT)], foreground=[("selected", "#ffffff")])
    style.configure("Muted.TLabel", foreground=palette.muted)
    # Derived sizes keep the body font's unit (points or pixels), so they scale along with it.
    family, size = body_font.cget("family"), int(body_font.cget("size"))
    style.configure("Mood.TLabel", font=(family, size * 2, "bold"))
    style.configure("Heading.TLabel", font=(family, round(size * 1.2), "bold"))
    theme_menus(root, palette)
    return palette


ACCENT = "#3a78c2"  # selection in menus and the list's focus ring, readable on light and dark


def theme_menus(root: tk.Tk, palette: Palette) -> None:
    """Plain Tk menus (the source menu, the context menu) in the theme's colours: through the
    option database for menus made later, and directly for the ones that exist."""
    colours = {
        "background": palette.background,
        "foreground": palette.foreground,
        "activeBackground": ACCENT,
        "activeForeground": "#ffffff",
        "selectColor": palette.foreground,
    }
    for option, value in colours.items():
        root.option_add(f"*Menu.{option}", value)
    root.option_add("*Menu.relief", "flat")
    root.option_add("*Menu.font", palette.body_font)
    pending: list[tk.Misc] = [root]
    while pending:
        widget = pending.pop()
        pending.extend(widget.winfo_children())
        if isinstance(widget, tk.Menu):
            widget.configure(
                background=palette.background,
                foreground=palette.foreground,
                activebackground=ACCENT,
                activeforeground="#ffffff",
                selectcolor=palette.foreground,
                relief="flat",
            )


# The status bar's menu buttons ("Your face", "Genres"): a flat style, marks that show.

MENU_STYLE = "Status.TMenubutton"


def flat_style(widget: tk.Misc) -> None:
    """A menu button as tall as the status bar's text (a framed button would make the bar taller,
    taking rows from the playlist): label, arrow and the focus ring, no button frame."""
    style = ttk.Style(widget)
    style.layout(
        MENU_STYLE,
        [
            (
                "Menubutton.focus",
                {
                    "sticky": "nswe",
                    "children": [
                        (
                            "Menubutton.padding",
                            {
                                "sticky": "nswe",
                                "children": [
                                    ("Menubutton.label", {"side": "left"}),
                                    ("Menubutton.indicator", {"side": "right"}),
                                ],
                            },
                        )
                    ],
                },
            )
        ],
    )
    style.configure(MENU_STYLE, padding=(4, 0))


def visible_marks(menu: tk.Menu) -> None:
    """Draw ``menu``'s radio and check marks in its text colour. Sun Valley colours menus on each
    theme change with the selection's text colour for the marks: white, on a light grey menu."""

    def recolour() -> None:
        if menu.winfo_exists():
            menu.configure(selectcolor=menu.cget("foreground"))

    menu.bind("<<ThemeChanged>>", lambda _e: menu.after_idle(recolour), add="+")  # after Sun Valley's
    recolour()
