"""The README's result tables, written from artifacts/metrics.json so the numbers there are the model's.

    uv run python -m bench.readme           # print the tables
    uv run python -m bench.readme --write   # put them into README.md, between the markers
    uv run python -m bench.readme --check   # exit 1 if README.md's tables are not this model's

Each table sits in README.md between `<!-- results:NAME -->` and `<!-- /results:NAME -->`
(NAME: drawn, mnist, and pen from the stroke model's stroke/metrics.json). tests/test_committed_model.py runs the check, so a new model cannot be
committed beside the old model's numbers.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from digit_data.pendigits import VALIDATION_WRITERS, writer_name
from mnist_draw.cli import HelpFormatter
from mnist_draw.config import ARTIFACTS_DIR, PROJECT_ROOT, STROKE_DIR_NAME
from mnist_draw.report import load_metrics

README_PATH = PROJECT_ROOT / "README.md"
PLACEMENT_NAMES = {"centred": "centred", "small_top_left": "small top left", "large_thick": "large thick"}


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.2%}"


def drawn_table(metrics: dict) -> str:
    """Held-out writers' drawn digits, this model beside the baseline (when the run measured one)."""
    mine = metrics["held_out_writers"]
    baseline = metrics.get("baseline") or {}
    theirs = baseline.get("held_out_writers") or {}

    def overall(report: dict) -> str:
        return f"{percent(report['accuracy'])} ({report['errors']} errors)" if report else "-"

    def worst(report: dict) -> str:
        return f"{percent(report['worst_writer']['accuracy'])} ({report['worst_writer']['writer']})" if report else "-"

    rows = [
        (f"all {mine['digits']:,} drawings", overall(mine), overall(theirs)),
        ("worst writer", worst(mine), worst(theirs)),
    ]
    for key, name in PLACEMENT_NAMES.items():
        rows.append(
            (
                f"placement: {name}",
                percent(mine["per_placement"].get(key)),
                percent((theirs.get("per_placement") or {}).get(key)),
            )
        )
    for number in VALIDATION_WRITERS:
        writer = writer_name(number)
        rows.append(
            (
                f"writer {writer}",
                percent(mine["per_writer"].get(writer)),
                percent((theirs.get("per_writer") or {}).get(writer)),
            )
        )
    rows.append(("MNIST test", percent(metrics["test_accuracy"]), percent(baseline.get("test_accuracy"))))
    # The baseline is the model the run started from, whichever stage made it (the shipped recipe's
    # last image stage starts from the pen stage's model): say which, never a fixed name.
    start = (metrics.get("fine_tuned_from") or {}).get("model")
    named = f"start model (`{start}`)" if start else "baseline"
    lines = [f"| | this model | {named} |", "|---|---|---|"]
    return "\n".join(lines + [f"| {' | '.join(row)} |" for row in rows])


def mnist_table(metrics: dict) -> str:
    """scikit-learn's classification report on the MNIST test set, as a table."""
    report = metrics["classification_report"]
    lines = ["| digit | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    for name in [str(digit) for digit in range(10)] + ["macro avg"]:
        row = report[name]
        lines.append(
            f"| {name} | {row['precision']:.4f} | {row['recall']:.4f} | {row['f1-score']:.4f} | {row['support']:.0f} |"
        )
    return "\n".join(lines)


def pen_table(stroke_metrics: dict) -> str:
    """The same writers read by the picture model, the pen-path model and their fusion (stroke/metrics.json)."""
    validation = stroke_metrics["validation"]
    parts = [validation[name] for name in ("image_alone", "stroke_alone", "fused")]
    lines = ["| | picture alone | pen path alone | fused |", "|---|---|---|---|"]
    lines.append(
        f"| all {parts[0]['digits']:,} drawings | "
        + " | ".join(f"{percent(p['accuracy'])} ({p['errors']} errors)" for p in parts)
        + " |"
    )
    lines.append(
        "| worst writer | "
        + " | ".join(f"{percent(p['worst_writer']['accuracy'])} ({p['worst_writer']['writer']})" for p in parts)
        + " |"
    )
    lines.append(f"| fusion weight of the pen path | | | {validation['stroke_weight']:.2f} |")
    return "\n".join(lines)


def tables(metrics: dict, stroke_metrics: dict | None = None) -> dict[str, str]:
    found = {"drawn": drawn_table(metrics), "mnist": mnist_table(metrics)}
    if stroke_metrics is not None:
        found["pen"] = pen_table(stroke_metrics)
    return found


def marked(name: str) -> re.Pattern:
    return re.compile(rf"(<!-- results:{name} -->\n)(.*?)(\n<!-- /results:{name} -->)", re.DOTALL)


def with_tables(readme: str, new: dict[str, str]) -> str:
    """README text -> the same text with each marked table replaced; ValueError naming a missing marker."""
    for name, table in new.items():
        pattern = marked(name)
        if not pattern.search(readme):
            raise ValueError(f"README.md has no <!-- results:{name} --> ... <!-- /results:{name} --> block")
        readme = pattern.sub(lambda match, table=table: match.group(1) + table + match.group(3), readme)
    return readme


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.readme", description=__doc__.split("\n\n")[0], formatter_class=HelpFormatter
    )
    parser.add_argument("--artifacts", type=Path, default=ARTIFACTS_DIR, metavar="DIR", help="where metrics.json is")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--write", action="store_true", help="replace the tables in README.md")
    action.add_argument("--check", action="store_true", help="exit 1 when README.md's tables differ")
    args = parser.parse_args(argv)

    metrics = load_metrics(args.artifacts)
    if metrics is None:
        print(f"error: no metrics.json in {args.artifacts}: train a model first", file=sys.stderr)
        return 1
    new = tables(metrics, load_metrics(args.artifacts / STROKE_DIR_NAME))
    if not (args.write or args.check):
        print("\n\n".join(new.values()))
        return 0
    readme = README_PATH.read_text()
    try:
        updated = with_tables(readme, new)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if args.check:
        if updated != readme:
            print(
                "error: README.md's result tables are not those of artifacts/metrics.json: run python -m bench.readme --write",
                file=sys.stderr,
            )
            return 1
        return 0
    README_PATH.write_text(updated)
    print(f"wrote the {', '.join(new)} tables into {README_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
