"""The desktop app (Tkinter). The only package of Emotune that imports tkinter."""
