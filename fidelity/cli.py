"""Command line: ``fidelity check SOURCE TARGET`` and ``fidelity batch INPUT -o OUTDIR``.

Only wiring lives here. torch and sentence-transformers are imported inside the commands, so
``fidelity --help`` answers at once. Errors the user can fix print one line on stderr and exit 2.
"""

from __future__ import annotations

import os
import shutil
import sys
import warnings
from pathlib import Path

import click

from . import __version__
from .errors import FidelityError
from .exitcodes import exit_code
from .types import FINDING_TYPES

FORMATS = ("table", "json", "html")


def _err(message: str) -> None:
    click.echo(f"fidelity: {message}", err=True)


def _quiet_warnings(quiet: bool) -> None:
    """Warnings as one line on stderr (or none with --quiet)."""
    if quiet:
        warnings.simplefilter("ignore")
        return

    def show(message, category, filename, lineno, file=None, line=None):  # noqa: ANN001
        _err(f"warning: {message}")

    warnings.showwarning = show


def _silence_libraries() -> None:
    """Keep third-party chatter (hub, transformers) off the user's terminal."""
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_ETAG_TIMEOUT", "3")
    os.environ.setdefault("HF_HUB_DOWNLOAD_TIMEOUT", "10")
    import logging

    for name in ("sentence_transformers", "transformers", "huggingface_hub", "torch"):
        logging.getLogger(name).setLevel(logging.ERROR)


def parse_fail_on(value: str) -> frozenset[str]:
    kinds = frozenset(v.strip() for v in value.split(",") if v.strip())
    bad = kinds - set(FINDING_TYPES)
    if bad or not kinds:
        raise click.BadParameter(f"expected a comma-separated subset of {','.join(FINDING_TYPES)}, got {value!r}")
    return kinds


def _default_format(output: str | None) -> str:
    if output:
        suffix = Path(output).suffix.lower()
        if suffix in (".html", ".htm"):
            return "html"
        if suffix == ".json":
            return "json"
        return "table"
    return "table" if sys.stdout.isatty() else "json"


def model_options(f):
    """Options shared by check and batch."""
    f = click.option("--batch-size", type=click.IntRange(1, 1 << 16), default=256, show_default=True,
                     help="Sentences per embedding batch.")(f)
    f = click.option("--device", type=click.Choice(["auto", "cpu", "cuda", "mps"]), default="auto",
                     show_default=True, help="Where to embed and search (auto: cuda, then mps, then cpu).")(f)
    f = click.option("--model", default=None, metavar="NAME_OR_PATH",
                     help="sentence-transformers model: a local folder or a hub name "
                          "[default: the shipped models/fidelity-en-id-static].")(f)
    f = click.option("--target-lang", default="id", show_default=True, help="Language of TARGET.")(f)
    f = click.option("--source-lang", default="en", show_default=True, help="Language of SOURCE.")(f)
    f = click.option("--presplit", is_flag=True, help="Input has one sentence per line: do not split sentences.")(f)
    f = click.option("--no-language-check", is_flag=True,
                     help="Do not verify that each side is in its declared language.")(f)
    f = click.option("--tau", type=float, default=None,
                     help="Fixed alignment threshold on the margin score [default: derived per document].")(f)
    return f


def build_settings(source_lang, target_lang, model, device, batch_size, presplit, no_language_check, tau):
    from .align import AlignParams
    from .pipeline import Settings

    return Settings(source_lang=source_lang, target_lang=target_lang, model=model, device=device,
                    batch_size=batch_size, presplit=presplit, check_language=not no_language_check,
                    align=AlignParams(tau=tau))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="fidelity")
def main() -> None:
    """Find what a translation omitted, added or changed, sentence by sentence."""


@main.command()
@click.argument("source")
@click.argument("target")
@model_options
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="Report format [default: table on a terminal, json in a pipe; from -o's suffix].")
@click.option("-o", "--output", default=None, metavar="FILE", help="Write the report to FILE (atomically).")
@click.option("--fail-on", default="omission,addition,drift", show_default=True,
              help="Finding types that make the exit code 1.")
@click.option("-q", "--quiet", is_flag=True, help="No warnings or progress on stderr.")
def check(source, target, source_lang, target_lang, model, device, batch_size, presplit,
          no_language_check, tau, fmt, output, fail_on, quiet):
    """Check TARGET as a translation of SOURCE ('-' reads one side from stdin).

    Exit status: 0 faithful, 1 issues or unrelated, 2 bad usage or bad input.
    """
    _quiet_warnings(quiet)
    _silence_libraries()
    fail = parse_fail_on(fail_on)
    if source == "-" and target == "-":
        raise click.UsageError("only one side can be read from stdin")
    fmt = fmt or _default_format(output)
    try:
        from .pipeline import Checker
        from .report import render, write_atomic
        from .textio import read_text

        src_text = read_text(source)
        tgt_text = read_text(target)
        settings = build_settings(source_lang, target_lang, model, device, batch_size, presplit,
                                  no_language_check, tau)
        from .pipeline import prepare

        pair = prepare(src_text, tgt_text, settings, None if source == "-" else source,
                       None if target == "-" else target)
        checker = Checker(settings, progress=None if not quiet else False)
        report = checker.check_pair(pair)
        width = shutil.get_terminal_size().columns if (fmt == "table" and not output and sys.stdout.isatty()) else None
        text = render(report, fmt, width=width)
        if output:
            write_atomic(output, text)
            if not quiet:
                _err(f"{report.summary.verdict}: wrote {fmt} report to {output}")
        else:
            click.echo(text, nl=not text.endswith("\n"))
    except FidelityError as exc:
        _err(f"error: {exc}")
        sys.exit(exc.exit_code)
    sys.exit(exit_code(report.summary.verdict, {f.type for f in report.findings}, fail))


@main.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(exists=True))
@click.option("-o", "--outdir", required=True, metavar="OUTDIR",
              help="Folder for the reports, results.jsonl, summary.json and index.html.")
@model_options
@click.option("--source-suffix", default=".en.txt", show_default=True,
              help="File name ending of a story's source in an INPUT folder.")
@click.option("--target-suffix", default=".id.txt", show_default=True,
              help="File name ending of a story's translation in an INPUT folder.")
@click.option("--workers", type=click.IntRange(0, 256), default=None,
              help="Worker processes for segmentation and alignment; 0 runs all in this "
                   "process [default: the CPU count].")
@click.option("--window", type=click.IntRange(1, 4096), default=64, show_default=True,
              help="Pairs whose sentences are embedded together in one batch.")
@click.option("--force", is_flag=True, help="Redo every pair, even those whose report is up to date.")
@click.option("--fail-on", default="omission,addition,drift", show_default=True,
              help="Finding types that make the exit code 1.")
@click.option("--progress", is_flag=True, help="Show the progress bar even when stderr is not a terminal.")
@click.option("-q", "--quiet", is_flag=True, help="No warnings or progress on stderr.")
def batch(input_path, outdir, source_lang, target_lang, model, device, batch_size, presplit,
          no_language_check, tau, source_suffix, target_suffix, workers, window, force, fail_on,
          progress, quiet):
    """Check every pair of INPUT, writing one report per pair into OUTDIR.

    INPUT is a folder of <story>.en.txt / <story>.id.txt files, or a manifest (.csv or .jsonl)
    with 'source', 'target' and optional 'id' columns (paths relative to the manifest).
    Re-running skips pairs whose inputs and settings are unchanged.

    Exit status: 0 all faithful, 1 any issues or unrelated, 2 bad usage, 3 any pair failed.
    """
    _quiet_warnings(quiet)
    _silence_libraries()
    fail = parse_fail_on(fail_on)
    try:
        from .batch import BatchOptions, run_batch, summary_text

        settings = build_settings(source_lang, target_lang, model, device, batch_size, presplit,
                                  no_language_check, tau)
        totals, stats = run_batch(BatchOptions(
            input=input_path, outdir=outdir, settings=settings, source_suffix=source_suffix,
            target_suffix=target_suffix, workers=workers, window=window, force=force,
            progress=False if quiet else (True if progress else None), fail_on=fail))
    except FidelityError as exc:
        _err(f"error: {exc}")
        sys.exit(exc.exit_code)
    click.echo(summary_text(totals, stats), nl=False)
    if not quiet:
        _err(f"{totals.pairs} pairs: records in {Path(outdir) / 'results.jsonl'}, "
             f"overview in {Path(outdir) / 'index.html'}")
    sys.exit(totals.exit_code)


def run() -> None:  # pragma: no cover - console entry used by python -m
    main(prog_name="fidelity")
