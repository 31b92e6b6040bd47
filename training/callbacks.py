"""Keras callbacks of a training run (kept apart so train.py can import Keras late)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import keras


class RunState(keras.callbacks.Callback):  # type: ignore[misc]
    """Saves last.keras + state.json every epoch (for --resume) and redraws curves.png."""

    def __init__(self, run_dir: Path) -> None:
        super().__init__()
        self.run_dir = run_dir

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        tmp = self.run_dir / "last.tmp.keras"
        self.model.save(tmp)  # write then rename: an interrupted save never replaces a good file
        tmp.replace(self.run_dir / "last.keras")
        (self.run_dir / "state.json").write_text(json.dumps({"epoch": epoch + 1}) + "\n")
        plot_curves(self.run_dir / "log.csv", self.run_dir / "curves.png")


def plot_curves(log_csv: Path, png: Path) -> None:
    """Loss and accuracy per epoch, train and val, from the CSV log."""
    # matplotlib only when a plot is drawn: importing it costs a second at start-up.
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with log_csv.open() as fh:
        rows = list(csv.DictReader(fh))
    if not rows:
        return
    epochs = [int(r["epoch"]) + 1 for r in rows]
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
    for key, ax in (("loss", ax_loss), ("accuracy", ax_acc)):
        for prefix, style in (("", "-"), ("val_", "--")):
            if prefix + key in rows[0]:
                ax.plot(epochs, [float(r[prefix + key]) for r in rows], style, label=(prefix or "train_") + key)
        ax.set_xlabel("epoch")
        ax.set_title(key)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(png, dpi=100)
    plt.close(fig)
