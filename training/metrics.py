"""Classification figures from labels and predictions: plain numpy, used by export and evaluate."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from emotune.labels import EMOTIONS


def confusion_matrix(labels: NDArray[np.int64], predicted: NDArray[np.int64]) -> NDArray[np.int64]:
    """Rows: true class, columns: predicted class, in EMOTIONS order."""
    k = len(EMOTIONS)
    return np.bincount(labels * k + predicted, minlength=k * k).reshape(k, k).astype(np.int64)


def report(labels: NDArray[np.int64], predicted: NDArray[np.int64]) -> dict[str, Any]:
    """``{"accuracy", "n", "per_class": {label: {precision, recall, f1, support}}, "macro_f1",
    "confusion"}``; classes absent from the data get support 0 and recall/F1 null."""
    cm = confusion_matrix(labels, predicted)
    per_class: dict[str, dict[str, float | int | None]] = {}
    f1s = []
    for i, name in enumerate(EMOTIONS):
        tp = int(cm[i, i])
        support = int(cm[i].sum())
        predicted_n = int(cm[:, i].sum())
        precision = tp / predicted_n if predicted_n else None
        recall = tp / support if support else None
        f1 = None
        if support:
            f1 = 2 * tp / (support + predicted_n)
            f1s.append(f1)
        per_class[name] = {"precision": precision, "recall": recall, "f1": f1, "support": support}
    n = len(labels)
    return {
        "accuracy": float(cm.trace() / n) if n else 0.0,
        "n": n,
        "macro_f1": float(np.mean(f1s)) if f1s else None,
        "per_class": per_class,
        "confusion": cm.tolist(),
    }


def format_report(result: dict[str, Any]) -> str:
    """The report as a readable table plus the confusion matrix."""

    def cell(v: float | None) -> str:
        return "   -  " if v is None else f"{v:6.3f}"

    lines = [
        f"accuracy {result['accuracy']:.4f} on {result['n']} images"
        + (f", macro F1 {result['macro_f1']:.4f}" if result.get("macro_f1") is not None else ""),
        "",
        f"{'class':<10}{'precision':>10}{'recall':>9}{'f1':>9}{'support':>9}",
    ]
    for name, m in result["per_class"].items():
        lines.append(f"{name:<10}{cell(m['precision']):>10}{cell(m['recall']):>9}{cell(m['f1']):>9}{m['support']:>9}")
    lines += ["", "confusion (rows true, columns predicted)", " " * 10 + "".join(f"{name[:7]:>8}" for name in EMOTIONS)]
    for name, row in zip(EMOTIONS, result["confusion"], strict=True):
        lines.append(f"{name:<10}" + "".join(f"{v:>8}" for v in row))
    return "\n".join(lines)


def plot_confusion(result: dict[str, Any], png: str) -> None:
    # matplotlib only when a plot is drawn: importing it costs a second at start-up.
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cm = np.asarray(result["confusion"], dtype=np.float64)
    rows = cm.sum(axis=1, keepdims=True)
    norm = np.divide(cm, rows, out=np.zeros_like(cm), where=rows > 0)
    fig, ax = plt.subplots(figsize=(6.5, 5.5))
    im = ax.imshow(norm, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(EMOTIONS)), EMOTIONS, rotation=45, ha="right")
    ax.set_yticks(range(len(EMOTIONS)), EMOTIONS)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    for i in range(len(EMOTIONS)):
        for j in range(len(EMOTIONS)):
            ax.text(
                j,
                i,
                str(int(cm[i, j])),
                ha="center",
                va="center",
                fontsize=8,
                color="white" if norm[i, j] > 0.5 else "black",
            )
    ax.set_title(f"accuracy {result['accuracy']:.3f} (n={result['n']})")
    fig.colorbar(im, ax=ax, fraction=0.046)
    fig.tight_layout()
    fig.savefig(png, dpi=100)
    plt.close(fig)
