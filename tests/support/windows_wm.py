"""A stand-in for the maximised state of the Windows (and macOS) window manager, on X11 Tk.

Tk on Windows and macOS maximises with ``wm state W zoomed`` and answers "zoomed" to
``wm state W``; Tk on X11 refuses that state. ``install(root)`` wraps Tcl's ``wm`` so that, as
on Windows, "zoomed" fills the screen and is reported back, and "normal" gives back the size the
window had; every other use goes to the real ``wm``.
"""

from __future__ import annotations

import tkinter as tk

_WRAPPER = r"""
rename ::wm ::emotune_x11_wm
proc ::wm {args} {
    if {[lindex $args 0] eq "geometry" && [llength $args] == 3} {
        # Windows keeps the size and place a window un-maximises to, even before it is shown.
        set ::emotune_normal([lindex $args 1]) [lindex $args 2]
    }
    if {[lindex $args 0] ne "state" || [llength $args] < 2} {
        return [uplevel 1 [list ::emotune_x11_wm {*}$args]]
    }
    set w [lindex $args 1]
    if {[llength $args] == 2} {
        if {[info exists ::emotune_zoomed($w)]} { return zoomed }
        return [::emotune_x11_wm state $w]
    }
    set state [lindex $args 2]
    if {$state eq "zoomed"} {
        if {![info exists ::emotune_zoomed($w)]} {
            if {[winfo ismapped $w] || ![info exists ::emotune_normal($w)]} {
                set ::emotune_zoomed($w) [::emotune_x11_wm geometry $w]
            } else {
                set ::emotune_zoomed($w) $::emotune_normal($w)
            }
        }
        ::emotune_x11_wm geometry $w [winfo screenwidth $w]x[winfo screenheight $w]+0+0
        return
    }
    if {[info exists ::emotune_zoomed($w)]} {
        ::emotune_x11_wm geometry $w $::emotune_zoomed($w)
        unset ::emotune_zoomed($w)
    }
    return [::emotune_x11_wm state $w $state]
}
"""


def install(root: tk.Tk) -> None:
    root.tk.eval(_WRAPPER)
