"""`python -m train`: argparse -> a recipe's stages and RunOptions -> recipe.run(); nothing else."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from digit_data.pendigits import PEN_DATA_ENV
from mnist_draw.cli import HelpFormatter
from mnist_draw.config import ARTIFACTS_DIR, DATA_DIR_ENV, DEFAULT_MODEL_PATH
from train import distribute, interrupt, recipe
from train.config import RunOptions


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m train",
        formatter_class=HelpFormatter,
        description=(
            "Train the digit CNN and write mnist.keras, metrics.json, history.csv and plots/*.png into\n"
            "--out, for `python -m export` and the Streamlit app. With no options it makes the model the\n"
            "project ships (the recipe train/recipes/shipped.toml): a CNN on MNIST alone, kept in\n"
            "--out/mnist-only/ and reused from there, then taught real pen digits without forgetting\n"
            "MNIST, then the stroke model (it reads the pen path, and is fused with the CNN by a weight chosen\n"
            "on held-out writers) into --out/stroke/. Six pen writers are never trained on by the CNN: every\n"
            "run reports their drawn digits' accuracy.\n"
            "\n"
            "Each stage's files replace the previous ones together or not at all, so Ctrl+C or a crash\n"
            "keeps the previous set. A model clearly worse than the one it would replace (MNIST 0.5 points\n"
            "or held-out writers 1 point lower) goes to --out/rejected-<time>/ instead, exit code 1."
        ),
        epilog=(
            "examples:\n"
            "  python -m train                                    # the shipped model, from the kept MNIST-only one\n"
            "  python -m train --from-scratch                     # both stages from random weights\n"
            "  python -m train --fine-tune --drawings drawings/   # teach it people's drawings\n"
            "  python -m train --epochs 1 --limit 2000 --out /tmp/smoke   # a smoke run\n"
            "  python -m train --set list                         # every setting --set takes\n"
            "\n"
            "strategies: default (this machine's CPU or first GPU), mirrored (every GPU of this machine),\n"
            "multiworker (several machines, each running this command with $TF_CONFIG naming the cluster\n"
            "and its own task; the chief writes --out). --batch-size is the global batch. docs/training.md\n"
            "says more, and lists the test hooks ($MNIST_TRAIN_*).\n"
            "exit codes: 0 saved, 1 error or model refused as clearly worse, 2 bad arguments, 130 Ctrl+C, 143 SIGTERM"
        ),
    )
    data = parser.add_argument_group("data")
    data.add_argument(
        "--data",
        metavar="DIR",
        help=f"folder with the four MNIST IDX .gz files (also ${DATA_DIR_ENV}); default: Keras's download",
    )
    data.add_argument(
        "--pen-data",
        metavar="DIR",
        help=f"folder with the UCI pen digits file pendigits-orig.tra(.gz) (also ${PEN_DATA_ENV}); default: download",
    )
    data.add_argument("--out", metavar="DIR", default=str(ARTIFACTS_DIR), help="where the model set is written")
    data.add_argument(
        "--limit", metavar="N", type=int, help="only the first N MNIST images and N pen digits (smoke runs)"
    )

    training = parser.add_argument_group("training")
    training.add_argument(
        "--recipe",
        metavar="NAME|FILE",
        help=f"the stages and settings to train with: {', '.join(recipe.builtin_names())}, or a .toml file (default: {recipe.SHIPPED})",
    )
    training.add_argument(
        "--from-scratch", action="store_true", help="train again the stages whose kept model would be reused"
    )
    training.add_argument(
        "--epochs", metavar="N", type=int, help="maximum epochs of every stage (default: the recipe's)"
    )
    training.add_argument("--batch-size", metavar="N", type=int, help="images per gradient step, over all replicas")
    training.add_argument("--learning-rate", metavar="LR", type=float, help="peak learning rate, in (0, 1]")
    training.add_argument("--seed", metavar="N", type=int, help="seed for Python, NumPy and TensorFlow")
    training.add_argument(
        "--set",
        metavar="KEY=VALUE",
        action="append",
        dest="settings",
        help="change one recipe setting in every stage (STAGE.KEY=VALUE: in one); `--set list` shows them",
    )
    training.add_argument(
        "--resume", action="store_true", help="continue an interrupted run from its last finished epoch"
    )
    training.add_argument(
        "--force", action="store_true", help="replace the model even when the new one is clearly worse"
    )

    teach = parser.add_argument_group("teach it")
    teach.add_argument(
        "--fine-tune",
        action="store_true",
        help=f"start from --model and learn --drawings, keeping what it knew (the {recipe.FINE_TUNE} recipe)",
    )
    teach.add_argument(
        "--model", metavar="PATH", help=f"the model a fine-tune starts from (default: {DEFAULT_MODEL_PATH})"
    )
    teach.add_argument(
        "--drawings",
        metavar="PATH",
        nargs="+",
        help="people's labelled stroke files, or folders of them (the app's drawings/); bad files are skipped",
    )

    distribution = parser.add_argument_group("distribution")
    distribution.add_argument(
        "--strategy", choices=distribute.STRATEGIES, default="default", help="how training is spread over devices"
    )
    return parser


def stages_from(parser: argparse.ArgumentParser, args: argparse.Namespace) -> tuple[recipe.Stage, ...]:
    """The recipe the arguments name with every setting applied, checked; parser.error (exit 2) if unusable."""
    if args.fine_tune and args.recipe not in (None, recipe.FINE_TUNE):
        parser.error(f"--fine-tune runs the {recipe.FINE_TUNE} recipe: leave out --recipe {args.recipe}")
    name = recipe.FINE_TUNE if args.fine_tune else (args.recipe or recipe.SHIPPED)
    shorthands = {
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "learning_rate": args.learning_rate,
        "seed": args.seed,
        "limit": args.limit,
    }
    settings = [f"{key}={value}" for key, value in shorthands.items() if value is not None] + (args.settings or [])
    try:
        stages = recipe.with_settings(recipe.load(name), settings)
    except recipe.RecipeError as error:
        message = str(error)
        for key in shorthands:  # name the flag the person typed, not the setting behind it
            message = message.replace(f"--set '{key}=", f"--{key.replace('_', '-')} '")
            message = re.sub(rf"^stage [\w-]+: {key} ", f"--{key.replace('_', '-')} ", message)
        parser.error(message)
    if args.model is not None and not any(stage.config.fine_tune and not stage.start for stage in stages):
        parser.error("--model names the model a fine-tune starts from: add --fine-tune")
    try:
        distribute.cluster_task(args.strategy)
        if args.strategy == "mirrored":
            distribute.cpu_replicas()
    except distribute.ClusterError as error:
        parser.error(str(error))
    return stages


def options_from(args: argparse.Namespace) -> RunOptions:
    """The checked arguments -> where the run reads and writes and how it is carried out."""
    return RunOptions(
        out=Path(args.out),
        data=args.data and Path(args.data),
        pen_data=args.pen_data and Path(args.pen_data),
        drawings=tuple(map(Path, args.drawings or ())),
        start_model=Path(args.model or DEFAULT_MODEL_PATH),
        strategy=args.strategy,
        resume=args.resume,
        force=args.force,
    )


def print_plan(stages: tuple[recipe.Stage, ...], options: RunOptions, args: argparse.Namespace) -> None:
    """One line per stage of its settings, and one of where the run reads and writes, before TensorFlow loads."""
    for stage in stages:
        settings = ", ".join(f"{key}={value}" for key, value in stage.config.to_dict().items())
        print(f"config {stage.name}: {settings}", flush=True)
    places = [f"out={options.out}", f"data={args.data or 'auto'}", f"pen_data={args.pen_data or 'auto'}"]
    places += [f"strategy={options.strategy}"] + ["resume"] * options.resume + ["force"] * options.force
    print("run: " + ", ".join(places), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.settings == ["list"]:
        print(recipe.describe_settings())
        return 0
    stages = stages_from(parser, args)
    options = options_from(args)
    # The chief trains stroke stages alone, so only image stages count.
    image_stages = [
        stage for stage in recipe.to_train(stages, options, args.from_scratch) if stage.model == recipe.IMAGE
    ]
    if options.strategy == "multiworker" and len(image_stages) > 1:
        parser.error(
            "multiworker trains one stage at a time: run the first with --recipe mnist-only --out DIR/mnist-only"
        )
    print_plan(stages, options, args)
    interrupt.install()
    try:
        from digit_data.mnist import DataError
        from digit_data.pendigits import PenDataError
        from mnist_draw.inference import ModelError
        from train import (  # TensorFlow loads here: errors above stay instant
            artifacts,
            kept_drawings,
            publish,
            resume,
            training,
        )
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return interrupt.exit_code()
    expected = (DataError, PenDataError, ModelError, ValueError, OSError, artifacts.OutputError)
    expected += (kept_drawings.DrawingsError, resume.ResumeError, training.TrainingError, publish.Rejected)
    try:
        recipe.run(stages, options, args.from_scratch)
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
