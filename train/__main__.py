"""`python -m train`: argparse -> TrainConfig and RunOptions -> training.run(); nothing else."""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys
from pathlib import Path

from mnist_draw.cli import HelpFormatter
from mnist_draw.config import ARTIFACTS_DIR, DATA_DIR_ENV, DEFAULT_MODEL_PATH, MNIST_ONLY_MODEL_PATH
from mnist_draw.pendigits import PEN_DATA_ENV
from train import distribute, interrupt
from train.config import RunOptions, TrainConfig

DEFAULTS = TrainConfig()
MNIST_TRAINING_IMAGES = 60_000


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m train",
        formatter_class=HelpFormatter,
        description=(
            "Train the digit CNN on MNIST mixed with real pen digits drawn as on the page (augmented,\n"
            "cosine learning rate, early stopping) and write mnist.keras, metrics.json, history.csv and\n"
            "plots/*.png into --out, for `python -m export` and the Streamlit app. Six pen writers are\n"
            "never trained on: the run reports its accuracy on their drawn digits next to MNIST's.\n"
            "A full run (16 epochs) takes about 35 minutes on 2 idle CPU cores (the first also renders\n"
            "the pen digits, a minute, then cached) and reaches about 99.55% on the MNIST test digits\n"
            "and 99.35% on the held-out writers' drawn digits.\n"
            "\n"
            "The four files replace the previous ones together or not at all: they are built in a\n"
            "staging folder in --out and swapped in at the end, so Ctrl+C or a crash at any moment\n"
            "leaves the previous set (the next run tidies up). A model clearly worse than the one it\n"
            "would replace is not swapped in: MNIST test accuracy more than 0.5 points lower, or, when\n"
            "both are measured on the held-out writers, drawn-digit accuracy more than 1 point lower.\n"
            "Its set goes to --out/rejected-<time>/ instead and the exit code is 1 (--force replaces)."
        ),
        epilog=(
            "examples:\n"
            "  python -m train --epochs 1 --limit 2000 --out /tmp/smoke   # smoke run, under a minute\n"
            "  python -m train --data ~/data/mnist                        # full run from local IDX files\n"
            "  python -m train --fine-tune --drawings drawings/           # teach it people's drawings, minutes\n"
            "\n"
            "strategies (--strategy):\n"
            "  default      one device: this machine's CPU, or its first GPU\n"
            "  mirrored     every GPU of this machine (or --cpu-replicas N logical CPUs, to try the\n"
            "               distributed path: no faster); use it on one machine with several GPUs\n"
            "  multiworker  several machines, each running this same command with $TF_CONFIG naming the\n"
            "               cluster and its own task; the chief (worker 0) writes --out, the others\n"
            "               nothing. Use it when one machine is not enough; a worker that dies fails the run.\n"
            "  --batch-size is the global batch, split evenly over the replicas; the learning rate is\n"
            "  that of the global batch, so it is not scaled with the number of replicas (to grow the\n"
            "  batch with more machines, raise --batch-size and --learning-rate together).\n"
            "\n"
            "exit codes: 0 saved, 1 error or model refused as clearly worse, 2 bad arguments, 130 Ctrl+C, 143 kill (SIGTERM)\n"
            "test hooks: $MNIST_TRAIN_PAUSE_BEFORE_SWAP=S and $MNIST_TRAIN_PAUSE_MID_SWAP=S pause S seconds\n"
            "  with the new set staged, or with only the model swapped in, so tests can kill the run there"
        ),
    )
    parser.add_argument(
        "--data",
        metavar="DIR",
        default=None,
        help=f"folder with the four MNIST IDX .gz files (also ${DATA_DIR_ENV}); default: Keras's download and cache",
    )
    parser.add_argument(
        "--out", metavar="DIR", default=str(ARTIFACTS_DIR), help="where the model, metrics and plots are written"
    )
    parser.add_argument(
        "--epochs",
        metavar="N",
        type=int,
        default=None,
        help=f"maximum epochs; early stopping may end sooner (default: {DEFAULTS.epochs}; {DEFAULTS.fine_tune_epochs} with --fine-tune)",
    )
    parser.add_argument(
        "--batch-size",
        metavar="N",
        type=int,
        default=DEFAULTS.batch_size,
        help="images per gradient step, in all: split over the replicas of --strategy",
    )
    parser.add_argument(
        "--learning-rate",
        metavar="LR",
        type=float,
        default=None,
        help=f"peak learning rate of the cosine schedule, in (0, 1] (default: {DEFAULTS.learning_rate:g}; {DEFAULTS.fine_tune_learning_rate:g} with --fine-tune)",
    )
    parser.add_argument(
        "--limit",
        metavar="N",
        type=int,
        default=None,
        help="use only the first N MNIST training images, and N pen digits of the training and of the held-out writers, for smoke runs (default: all)",
    )
    parser.add_argument(
        "--validation-size",
        metavar="N",
        type=int,
        default=DEFAULTS.validation_size,
        help=f"training images held out for early stopping and checkpoints, 1 to {MNIST_TRAINING_IMAGES - 1}",
    )
    parser.add_argument(
        "--patience",
        metavar="N",
        type=int,
        default=DEFAULTS.patience,
        help="epochs without val_loss improvement before early stopping, 0 or more",
    )
    parser.add_argument(
        "--seed",
        metavar="N",
        type=int,
        default=DEFAULTS.seed,
        help="seed for Python, NumPy and TensorFlow, 0 to 2**32-1",
    )
    parser.add_argument(
        "--no-augment",
        action="store_true",
        help="train on the plain images (no rotation, shift, zoom, slant, warp, stroke width)",
    )
    parser.add_argument(
        "--dropout",
        metavar="P",
        type=float,
        default=DEFAULTS.dropout_rate,
        help="dropout rate after each convolutional block, in [0, 0.9] (default: %(default)g)",
    )
    parser.add_argument(
        "--zoom",
        metavar="F",
        type=float,
        default=DEFAULTS.zoom_fraction,
        help="augmentation: random zoom in or out by up to F, in [0, 0.5] (default: %(default)g)",
    )
    parser.add_argument(
        "--shift",
        metavar="F",
        type=float,
        default=DEFAULTS.shift_fraction,
        help="augmentation: random shift by up to F of the 28 pixels each way, in [0, 0.5] (default: %(default)g)",
    )
    parser.add_argument(
        "--slant",
        metavar="S",
        type=float,
        default=DEFAULTS.slant,
        help="augmentation: random horizontal shear up to +-S (pixels sideways per pixel of height), in [0, 1]; 0 turns it off",
    )
    parser.add_argument(
        "--elastic",
        metavar="PX",
        type=float,
        default=DEFAULTS.elastic_pixels,
        help="augmentation: a smooth random warp moving pixels up to PX of 28, in [0, 4]; 0 turns it off",
    )
    parser.add_argument(
        "--pen-data",
        metavar="DIR",
        default=None,
        help=f"folder with the UCI pen digits file pendigits-orig.tra(.gz) (also ${PEN_DATA_ENV}); default: download and cache",
    )
    parser.add_argument(
        "--pen-share",
        metavar="F",
        type=float,
        default=DEFAULTS.pen_share,
        help="share of training images that are drawn pen digits, in [0, 1)",
    )
    parser.add_argument(
        "--pen-renders",
        metavar="N",
        type=int,
        default=DEFAULTS.pen_renders,
        help="how often each training writer's digit is drawn (random size, place, pen)",
    )
    parser.add_argument(
        "--no-pen", action="store_true", help="train on MNIST alone (same as --pen-share 0); no held-out writer report"
    )
    parser.add_argument(
        "--baseline",
        metavar="MODEL",
        default=None,
        help="another .keras model to measure on the same MNIST test and held-out writers, for comparison",
    )
    parser.add_argument(
        "--drawings",
        metavar="PATH",
        nargs="+",
        default=None,
        help="people's labelled drawings to train on: stroke files, or folders of *.json stroke files (the app saves them in drawings/); a bad file is skipped with a warning naming it",
    )
    parser.add_argument(
        "--drawing-share",
        metavar="F",
        type=float,
        default=DEFAULTS.drawing_share,
        help="share of each epoch's images that are the drawings, in (0, 1): they are cycled to fill it, so a few dozen count",
    )
    parser.add_argument(
        "--drawing-renders",
        metavar="N",
        type=int,
        default=DEFAULTS.drawing_renders,
        help="how often each drawing is drawn (random size, place, pen)",
    )
    parser.add_argument(
        "--correction-weight",
        metavar="N",
        type=int,
        default=None,
        help=f"with --fine-tune: renders of the drawings that the start model misreads, the person's corrections, count N times; 1 weighs every render alike (default: {DEFAULTS.correction_weight})",
    )
    parser.add_argument(
        "--fine-tune",
        action="store_true",
        help=f"start from --model instead of random weights: {DEFAULTS.fine_tune_epochs} epochs at a low learning rate on {DEFAULTS.fine_tune_images:,} MNIST images with the pen digits and --drawings, BatchNorm statistics frozen and, but for the drawings, the start model's outputs as targets (--distill), softened (--temperature), so it keeps what the model knew; minutes on 2 CPU cores; saved like a normal run",
    )
    parser.add_argument(
        "--model",
        metavar="PATH",
        default=None,
        help=f"the model --fine-tune starts from (default: {DEFAULT_MODEL_PATH})",
    )
    parser.add_argument(
        "--distill",
        metavar="F",
        type=float,
        default=None,
        help=f"with --fine-tune or --mnist-teacher: how much the targets are a teacher's outputs instead of labels, in [0, 1]: a fine-tune's start model teaches MNIST and pen digits, --mnist-teacher MNIST; people's drawings keep their labels, so a fine-tune changes the model where they disagree with it and little elsewhere (default: {DEFAULTS.fine_tune_distill:g}; 0 trains on labels alone)",
    )
    parser.add_argument(
        "--temperature",
        metavar="T",
        type=float,
        default=None,
        help=f"with --fine-tune or --mnist-teacher: the teacher's and the student's probabilities are softened by T where a teacher teaches (a softmax of the logits over T), so the student keeps how near each digit is to the other classes, not only its top guess; 1 keeps them as they are (default: {DEFAULTS.fine_tune_temperature:g} with --fine-tune, else {DEFAULTS.temperature:g})",
    )
    parser.add_argument(
        "--mnist-teacher",
        metavar="MODEL",
        default=None,
        help=f"MNIST images take their targets from this model, trained on MNIST alone (`--no-pen`, as {MNIST_ONLY_MODEL_PATH.relative_to(ARTIFACTS_DIR.parent)}): in a fresh run instead of their labels, in a --fine-tune instead of the start model's outputs, which still teach the pen digits (--distill sets the share, default 1; a fine-tune's default: none, the start model teaches MNIST too)",
    )
    parser.add_argument(
        "--pen-labels",
        action="store_true",
        help="with --fine-tune: pen digits learn their labels instead of the start model's outputs, for a start model that never saw them (the MNIST-only model); MNIST images still learn the start model's (or --mnist-teacher's)",
    )
    parser.add_argument(
        "--blend-start",
        metavar="F",
        type=float,
        default=DEFAULTS.blend_start,
        help="with --fine-tune: the saved weights are F of the start model's plus 1 - F of the fine-tuned ones, in [0, 1); a blend of the two keeps more of what the start model did best (default: %(default)g)",
    )
    parser.add_argument(
        "--fine-tune-images",
        metavar="N",
        type=int,
        default=DEFAULTS.fine_tune_images,
        help="MNIST training images a --fine-tune sees, a random subsample",
    )
    parser.add_argument(
        "--strategy",
        choices=distribute.STRATEGIES,
        default="default",
        help="how training is spread over devices and machines (see below)",
    )
    parser.add_argument(
        "--cpu-replicas",
        metavar="N",
        type=int,
        default=None,
        help="with --strategy mirrored: split the CPU into N logical devices instead of using GPUs",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="continue an interrupted run from its last finished epoch (kept in --out/checkpoints/resume), with the same flags",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace the model in --out even when the new one is clearly worse (see above)",
    )
    return parser


def check_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """parser.error (one line, exit 2) for any number out of range or flags that do not go together."""
    at_least = {
        "epochs": 1,
        "batch_size": 1,
        "limit": 1,
        "validation_size": 1,
        "patience": 0,
        "pen_renders": 1,
        "drawing_renders": 1,
        "correction_weight": 1,
        "fine_tune_images": 1,
        "cpu_replicas": 1,
        "seed": 0,
    }
    for name, low in at_least.items():
        if getattr(args, name) is not None and getattr(args, name) < low:
            parser.error(f"--{name.replace('_', '-')} must be at least {low}, got {getattr(args, name)}")
    bounded = (("--dropout", args.dropout, 0.9), ("--zoom", args.zoom, 0.5), ("--shift", args.shift, 0.5))
    for flag, value, high in (*bounded, ("--slant", args.slant, 1.0), ("--elastic", args.elastic, 4.0)):
        if not (math.isfinite(value) and 0 <= value <= high):
            parser.error(f"{flag} must be in [0, {high:g}], got {value}")
    if args.validation_size >= MNIST_TRAINING_IMAGES:
        parser.error(
            f"--validation-size must be below MNIST's {MNIST_TRAINING_IMAGES:,} training images, got {args.validation_size}"
        )
    if args.seed >= 2**32:
        parser.error(f"--seed must be below 2**32, got {args.seed}")
    if args.learning_rate is not None and not (math.isfinite(args.learning_rate) and 0 < args.learning_rate <= 1):
        parser.error(f"--learning-rate must be a positive number up to 1, got {args.learning_rate}")
    if not 0 <= args.pen_share < 1:
        parser.error(f"--pen-share must be in [0, 1), got {args.pen_share}")
    if not 0 < args.drawing_share < 1:
        parser.error(f"--drawing-share must be in (0, 1), got {args.drawing_share}")
    if args.distill is not None and not (math.isfinite(args.distill) and 0 <= args.distill <= 1):
        parser.error(f"--distill must be in [0, 1], got {args.distill}")
    if args.distill is not None and not (args.fine_tune or args.mnist_teacher):
        parser.error("--distill sets how much a teacher's outputs are the targets: add --fine-tune or --mnist-teacher")
    if args.temperature is not None and not (math.isfinite(args.temperature) and 0 < args.temperature <= 100):
        parser.error(f"--temperature must be a positive number up to 100, got {args.temperature}")
    if args.temperature is not None and (not (args.fine_tune or args.mnist_teacher) or args.distill == 0):
        parser.error(
            "--temperature softens a teacher's outputs: add --fine-tune or --mnist-teacher, and no --distill 0"
        )
    if args.mnist_teacher is not None and args.distill == 0:
        parser.error("--mnist-teacher gives MNIST images its outputs as targets: --distill 0 would ignore it")
    if args.pen_labels and not args.fine_tune:
        parser.error("--pen-labels makes a fine-tune's pen digits learn their labels: add --fine-tune")
    if args.pen_labels and args.distill == 0:
        parser.error("--pen-labels leaves MNIST to a teacher: --distill 0 would leave nothing but labels")
    if not (math.isfinite(args.blend_start) and 0 <= args.blend_start < 1):
        parser.error(f"--blend-start must be in [0, 1), got {args.blend_start}")
    if args.correction_weight is not None and not args.fine_tune:
        parser.error("--correction-weight weighs what a fine-tune's start model misreads: add --fine-tune")
    if args.blend_start and not args.fine_tune:
        parser.error("--blend-start blends a fine-tune with the model it started from: add --fine-tune")
    if args.model is not None and not args.fine_tune:
        parser.error("--model names the model --fine-tune starts from: add --fine-tune")
    if args.cpu_replicas is not None and args.strategy != "mirrored":
        parser.error("--cpu-replicas goes with --strategy mirrored")
    try:
        distribute.cluster_task(args.strategy)
    except distribute.ClusterError as error:
        parser.error(str(error))


def config_from(args: argparse.Namespace) -> TrainConfig:
    """The checked arguments -> the run's hyperparameters; a fine-tune's defaults where none was given."""
    return dataclasses.replace(
        DEFAULTS,
        epochs=args.epochs or (DEFAULTS.fine_tune_epochs if args.fine_tune else DEFAULTS.epochs),
        batch_size=args.batch_size,
        learning_rate=args.learning_rate
        or (DEFAULTS.fine_tune_learning_rate if args.fine_tune else DEFAULTS.learning_rate),
        limit=args.limit,
        validation_size=args.validation_size,
        patience=args.patience,
        seed=args.seed,
        augment=not args.no_augment,
        dropout_rate=args.dropout,
        zoom_fraction=args.zoom,
        shift_fraction=args.shift,
        slant=args.slant,
        elastic_pixels=args.elastic,
        pen_share=0.0 if args.no_pen else args.pen_share,
        pen_renders=args.pen_renders,
        drawing_share=args.drawing_share,
        drawing_renders=args.drawing_renders,
        correction_weight=args.correction_weight or DEFAULTS.correction_weight,
        fine_tune=args.fine_tune,
        fine_tune_images=args.fine_tune_images,
        pen_labels=args.pen_labels,
        blend_start=args.blend_start,
        distill=(DEFAULTS.fine_tune_distill if args.distill is None else args.distill)
        if args.fine_tune or args.mnist_teacher
        else 0.0,
        temperature=args.temperature or (DEFAULTS.fine_tune_temperature if args.fine_tune else DEFAULTS.temperature),
    )


def options_from(args: argparse.Namespace) -> RunOptions:
    """The checked arguments -> where the run reads and writes and how it is carried out."""
    return RunOptions(
        out=Path(args.out),
        data=args.data and Path(args.data),
        pen_data=args.pen_data and Path(args.pen_data),
        baseline=args.baseline and Path(args.baseline),
        drawings=tuple(map(Path, args.drawings or ())),
        start_model=Path(args.model or DEFAULT_MODEL_PATH) if args.fine_tune else None,
        mnist_teacher=args.mnist_teacher and Path(args.mnist_teacher),
        strategy=args.strategy,
        cpu_replicas=args.cpu_replicas,
        resume=args.resume,
        force=args.force,
    )


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    check_arguments(parser, args)
    config, options = config_from(args), options_from(args)
    settings = [f"{key}={value}" for key, value in config.to_dict().items()]
    settings += [
        f"out={args.out}",
        f"data={args.data or 'auto'}",
        f"pen_data={args.pen_data or 'auto'}",
        f"strategy={args.strategy}",
    ]
    settings += [f"model={options.start_model}"] * args.fine_tune + ["resume"] * args.resume + ["force"] * args.force
    settings += [f"mnist_teacher={options.mnist_teacher}"] * bool(options.mnist_teacher)
    print("config: " + ", ".join(settings), flush=True)
    interrupt.install()
    try:
        from mnist_draw.inference import ModelError
        from mnist_draw.mnist import DataError
        from mnist_draw.pendigits import PenDataError
        from train import artifacts, drawings, resume, training  # TensorFlow loads here: errors above stay instant
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return interrupt.exit_code()
    expected = (DataError, PenDataError, ModelError, ValueError, OSError, artifacts.OutputError)
    expected += (drawings.DrawingsError, resume.ResumeError, training.TrainingError, training.Rejected)
    try:
        training.run(config, options)
    except training.Interrupted as error:
        print(error, file=sys.stderr)
        return interrupt.exit_code()
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return interrupt.exit_code()
    except expected as error:
        described = isinstance(error, OSError) and error.strerror and error.filename
        print(f"error: {f'{error.filename}: {error.strerror}' if described else error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
