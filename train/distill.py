"""What a distilling run learns from: label and teacher targets side by side, and the loss on them.

A distilling run's training batches carry (B, 2C) targets for a model of C outputs (10, or 11
with "not a digit"): columns 0..C-1 are the label part, (1 - w) times the one-hot label, and
columns C..2C-1 the teacher part, w times the teacher's
probabilities, where w in [0, 1] is that image's teacher share (0 for people's drawings,
--distill for the rest; train/data.py). `DistillationLoss` is the cross-entropy with the label
part plus w times T² times the KL divergence from the teacher's to the student's probabilities,
both softened by the temperature T (Hinton, Vinyals and Dean, "Distilling the knowledge in a
neural network", 2015). At T = 1 its gradients are exactly those of the cross-entropy with the
mixed target (1 - w) one-hot + w teacher; the values differ by w times the teacher's entropy,
which no weight changes, and a student equal to its teacher scores 0 on the teacher part.

Why a temperature: a teacher sure of a digit gives it 0.999 and its other nine classes almost
nothing, so at T = 1 a student can shrink its margin on every such digit without paying for it,
and the held-out digits that sit nearer a boundary flip. Softened, the small probabilities,
which say how close a digit is to each other class, weigh in, and the student keeps its
teacher's margins too. T² keeps the soft part's gradients as large as at T = 1.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from mnist_draw.config import NUM_CLASSES

SMALLEST_PROBABILITY = 1e-30  # floor before a logarithm: float32 softmax outputs can underflow to 0


def pack_targets(one_hot: tf.Tensor, taught: tf.Tensor, share: tf.Tensor) -> tf.Tensor:
    """(B, C) one-hot labels, (B, C) teacher probabilities, (B, 1) teacher shares in [0, 1] -> (B, 2C) targets."""
    return tf.concat([(1.0 - share) * one_hot, share * taught], axis=-1)


def widen(probabilities: tf.Tensor, classes: int) -> tf.Tensor:
    """(B, C) probabilities -> (B, classes), the missing classes 0: a ten-digit teacher of a model
    that also learns "not a digit" says every image it teaches is a digit, which it is."""
    missing = classes - probabilities.shape[-1]
    return probabilities if missing == 0 else tf.pad(probabilities, [[0, 0], [0, missing]])


def label_targets(labels: tf.Tensor, classes: int = NUM_CLASSES) -> tf.Tensor:
    """(B,) int labels -> (B, 2 * classes) targets of the labels alone (teacher share 0), for evaluation."""
    one_hot = tf.one_hot(labels, classes)
    return tf.concat([one_hot, tf.zeros_like(one_hot)], axis=-1)


def halves(targets: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """(B, 2C) targets -> their label part and teacher part, (B, C) each."""
    classes = targets.shape[-1] // 2
    return targets[:, :classes], targets[:, classes:]


def mixed_targets(targets: tf.Tensor) -> tf.Tensor:
    """(B, 2C) targets -> (B, C): (1 - w) one-hot + w teacher, the distribution they stand for."""
    label_part, teacher_part = halves(targets)
    return label_part + teacher_part


def soften(probabilities: tf.Tensor, temperature: float) -> tf.Tensor:
    """(B, 10) probabilities -> (B, 10) log-probabilities at `temperature`: log softmax(logits / T).

    The model ends in a softmax, so log p is the logits up to a per-row constant, which the
    softmax cancels.
    """
    log_p = tf.math.log(tf.maximum(probabilities, SMALLEST_PROBABILITY))
    return tf.nn.log_softmax(log_p / temperature, axis=-1)


class DistillationLoss(keras.losses.Loss):
    """(B, 2C) targets (see the module docstring) and (B, C) predicted probabilities -> (B,) losses."""

    def __init__(self, temperature: float = 1.0, name: str = "distillation"):
        super().__init__(name=name)
        if not temperature > 0:
            raise ValueError(f"temperature must be positive, got {temperature}")
        self.temperature = float(temperature)

    def call(self, y_true, y_pred):
        y_true, y_pred = tf.cast(y_true, tf.float32), tf.cast(y_pred, tf.float32)
        label_part, teacher_part = halves(y_true)
        from_labels = -tf.reduce_sum(label_part * soften(y_pred, 1.0), axis=-1)
        share = tf.reduce_sum(teacher_part, axis=-1)
        teacher = teacher_part / tf.maximum(share, SMALLEST_PROBABILITY)[:, tf.newaxis]
        temperature = self.temperature
        log_teacher = soften(teacher, temperature)
        divergence = tf.exp(log_teacher) * (log_teacher - soften(y_pred, temperature))
        from_teacher = tf.reduce_sum(divergence, axis=-1)
        return from_labels + share * temperature**2 * from_teacher

    def get_config(self) -> dict:
        return {"temperature": self.temperature, "name": self.name}


def target_accuracy(y_true, y_pred):
    """(B, 20) targets, (B, 10) probabilities -> (B,) 1.0 where the prediction's top digit is the targets'."""
    hits = tf.argmax(mixed_targets(y_true), axis=-1) == tf.argmax(y_pred, axis=-1)
    return tf.cast(hits, tf.float32)


def accuracy_metric() -> keras.metrics.Metric:
    """The share of images whose top digit is their targets' top digit, logged as "accuracy"."""
    return keras.metrics.MeanMetricWrapper(target_accuracy, name="accuracy")
