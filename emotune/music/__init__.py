"""Music for a mood: the bundled catalog, Spotify search, and opening a track.

Nothing here imports tkinter: the GUI calls these functions from worker threads and gets plain
frozen dataclasses back (``Track``, ``Recommendation``). Backend objects (spotipy clients, the
catalog's numpy arrays) stay private to their modules.
"""
