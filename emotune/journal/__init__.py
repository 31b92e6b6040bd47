"""The mood journal: what the user's moods and songs were, kept only on this machine.

``store`` is the SQLite database in the user data folder (schema, migrations, queries, forgetting),
``writer`` the background thread the window records through, ``export`` the CSV and PNG files,
``words`` times and durations as people read them, ``cli`` the ``journal`` command; ``series``
the 30-s face series and the lists begun, ``helped`` (and ``helped_cli``) "did the music help?"
read from them. Nothing here
imports music (song feedback is ``emotune.music.feedback_store``'s), tkinter, cv2 or
onnxruntime, stores images or per-frame readings, or sends anything over the network.
"""
