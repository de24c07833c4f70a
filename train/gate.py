"""Never replace a model with a clearly worse one.

"Clearly worse" is measured against the model the run would replace (--out's mnist.keras),
evaluated now on exactly the digits the new model was: the new model is refused when its MNIST
test accuracy is more than MNIST_TOLERANCE below, or, when both were measured on the held-out
pen writers' drawn digits, its accuracy there is more than DRAWN_TOLERANCE below. Smaller
differences are seed noise (a few test digits either way), not a worse model. `--force`
replaces anyway; a refused set is kept in --out/rejected-<time>/ (train/artifacts.py).
"""

from __future__ import annotations

MNIST_TOLERANCE = 0.005  # 0.5 points of MNIST test accuracy: 50 of the 10,000 test digits
DRAWN_TOLERANCE = 0.01  # 1 point on the held-out writers' drawn digits (fewer digits, noisier)


def clearly_worse(new: dict, incumbent: dict) -> str | None:
    """Both: {"test_accuracy": float, "held_out_writers": {"accuracy": float} | None} -> why the new one is clearly worse, or None."""
    reasons = []
    drop = incumbent["test_accuracy"] - new["test_accuracy"]
    if drop > MNIST_TOLERANCE:
        reasons.append(
            f"MNIST test accuracy {new['test_accuracy']:.4f} vs {incumbent['test_accuracy']:.4f}, {100 * drop:.2f} points lower (more than {100 * MNIST_TOLERANCE:g} allowed)"
        )
    new_drawn, old_drawn = new.get("held_out_writers"), incumbent.get("held_out_writers")
    if new_drawn and old_drawn:
        drop = old_drawn["accuracy"] - new_drawn["accuracy"]
        if drop > DRAWN_TOLERANCE:
            reasons.append(
                f"held-out writers' drawn accuracy {new_drawn['accuracy']:.4f} vs {old_drawn['accuracy']:.4f}, {100 * drop:.2f} points lower (more than {100 * DRAWN_TOLERANCE:g} allowed)"
            )
    return "; ".join(reasons) or None
