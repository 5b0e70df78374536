"""Command line: ``fidelity check SOURCE TARGET`` and ``fidelity batch INPUT -o OUTDIR``.

Only wiring lives here. torch and sentence-transformers are imported inside the commands, so
``fidelity --help`` answers at once. Errors the user can fix print one line on stderr and exit 2;
Ctrl-C exits 130 (:mod:`fidelity.exitcodes` holds every status).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import click

from . import DEVICES, MAX_BATCH_SIZE, __version__, make_settings
from .errors import FidelityError
from .exitcodes import INTERRUPTED, USAGE, FailOn
from .types import FINDING_TYPES, SEVERITIES

FORMATS = ("table", "json", "html")
#: Bilingual formats of CAT tools (:mod:`fidelity.export`; need the ``cat`` extra).
CAT_FORMATS = ("tmx", "xliff")


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


#: What ``--fail-on`` counts when not given: every finding, whatever its severity.
DEFAULT_FAIL_ON = ",".join(FINDING_TYPES)
FAIL_ON_HELP = ("Findings that make the exit status 1: a comma-separated list of finding types "
                f"({', '.join(FINDING_TYPES)}) and at most one severity ({', '.join(SEVERITIES)}: that "
                "severity or worse), e.g. 'major' or 'omission,partial,critical'; 'none': no finding "
                "does (an unrelated translation still exits 1).")


def parse_fail_on(value: str) -> FailOn:
    """``--fail-on``'s value as a :class:`FailOn`, or :class:`click.BadParameter`.

    Terms are finding types and at most one severity; types alone count every severity, a
    severity alone every type; ``none`` (alone) counts nothing."""
    terms = [v.strip().lower() for v in value.split(",") if v.strip()]
    expected = (f"expected 'none' or a comma-separated list of finding types "
                f"({','.join(FINDING_TYPES)}) and at most one severity ({','.join(SEVERITIES)})")
    if terms == ["none"]:
        return FailOn()
    bad = [t for t in terms if t not in FINDING_TYPES and t not in SEVERITIES]
    severities = [t for t in terms if t in SEVERITIES]
    if not terms or bad or len(severities) > 1:
        raise click.BadParameter(f"{expected}, got {value!r}")
    types = [t for t in terms if t in FINDING_TYPES] or list(FINDING_TYPES)
    return FailOn(types, severities[0] if severities else None)


def _fail_on_option(ctx, param, value: str) -> FailOn:  # noqa: ANN001 - click callback
    return parse_fail_on(value)


def _default_format(output: str | None) -> str:
    if output:
        suffix = Path(output).suffix.lower()
        if suffix in (".html", ".htm"):
            return "html"
        if suffix == ".json":
            return "json"
        if suffix == ".tmx":
            return "tmx"
        if suffix in (".xlf", ".xliff"):
            return "xliff"
        return "table"
    return "table" if sys.stdout.isatty() else "json"


class ExpertOption(click.Option):
    """An option listed under "Expert options" in ``--help``, after the everyday ones."""


class SectionedCommand(click.Command):
    """A command whose ``--help`` lists the everyday options first and :class:`ExpertOption`
    ones under their own heading, so ``--format`` and ``-o`` come before ``--tau``."""

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        common: list[tuple[str, str]] = []
        expert: list[tuple[str, str]] = []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is not None and not isinstance(param, click.Argument):
                (expert if isinstance(param, ExpertOption) else common).append(record)
        for title, records in (("Options", common), ("Expert options", expert)):
            if records:
                with formatter.section(title):
                    formatter.write_dl(records)


def input_options(f):
    """Options about the input texts, shared by check and batch."""
    f = click.option("--no-language-check", is_flag=True,
                     help="Do not verify that each side is in its declared language.")(f)
    f = click.option("--strict-names", is_flag=True,
                     help="Also report a name dropped among freely rendered words, or written fewer "
                          "times than the source writes it (more findings on free translations).")(f)
    f = click.option("--presplit", is_flag=True, help="Input has one sentence per line: do not split sentences.")(f)
    f = click.option("--target-lang", default="id", show_default=True, help="Language of TARGET.")(f)
    f = click.option("--source-lang", default="en", show_default=True,
                     help="Language of SOURCE (the segmenter knows en and id; 'EN', 'en-US' read as en).")(f)
    return f


def model_options(f):
    """Expert options of the embedding model and the aligner, shared by check and batch."""
    f = click.option("--tau", type=float, default=None, cls=ExpertOption,
                     help="Fixed alignment threshold on the margin score [default: derived per document].")(f)
    f = click.option("--batch-size", type=click.IntRange(1, MAX_BATCH_SIZE), default=256, show_default=True,
                     cls=ExpertOption, help="Sentences per embedding batch.")(f)
    f = click.option("--device", type=click.Choice(DEVICES), default="auto", cls=ExpertOption,
                     show_default=True, help="Where to embed and search (auto: cuda, then mps, then cpu).")(f)
    f = click.option("--model", default=None, metavar="NAME_OR_PATH", cls=ExpertOption,
                     help="sentence-transformers model: a local folder or a hub name "
                          "[default: the shipped models/fidelity-en-id-static].")(f)
    return f


def build_settings(source_lang, target_lang, model, device, batch_size, presplit, no_language_check, tau,
                   strict_names=False):
    """The pipeline settings for the command-line options, validated as the API validates
    them (:func:`fidelity.make_settings`): an unsupported language is one line, exit 2."""
    return make_settings(source_lang=source_lang, target_lang=target_lang, model=model, device=device,
                         batch_size=batch_size, presplit=presplit, check_language=not no_language_check,
                         tau=tau, strict_names=strict_names)


class Main(click.Group):
    """The ``fidelity`` group: Ctrl-C in any command exits 130 with one line, not click's
    "Aborted!" and 1, so a script can tell an interrupted run from one that found issues."""

    def invoke(self, ctx: click.Context):
        if _is_the_program():
            with contextlib.suppress(ValueError):  # not the main thread
                signal.signal(signal.SIGINT, _stop_once)
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            _err("interrupted")
            if _is_the_program():
                _exit_now(INTERRUPTED)
            raise click.exceptions.Exit(INTERRUPTED) from None


@click.group(cls=Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="fidelity")
def main() -> None:
    """Find what a translation omitted, added or changed, sentence by sentence."""


def _is_the_program() -> bool:
    """Whether this process is ``fidelity`` itself (the console script or ``python -m
    fidelity``), not a test or an application calling the command in process, whose signal
    handlers are its own."""
    return getattr(sys.modules.get("__main__"), "main", None) is main


def _exit_now(status: int) -> None:
    """End the process with ``status`` once its own clean-up has run (temporary files, the
    batch lock and workers are handled where they were made), without the interpreter's
    shutdown: a Ctrl-C that lands while torch is being imported leaves it half initialised,
    and tearing that down let the process die by SIGINT (-2 to the caller) about one time
    in three instead of exiting 130. ``check`` gets here from :class:`Main`, ``batch`` from
    its :class:`~fidelity.batch.common.Interrupted`; a batch's multiprocessing exit hook
    runs first, as a normal exit would run it."""
    if "multiprocessing" in sys.modules:  # batch: what its atexit hook does (stop children,
        from multiprocessing import util  # unlink semaphores), or the tracker warns of leaks

        with contextlib.suppress(Exception):
            util._exit_function()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(status)


def _stop_once(signum, frame) -> None:  # noqa: ANN001 - a signal handler
    """The first Ctrl-C (or SIGTERM) stops the run; more of them while it stops are ignored,
    so they cannot turn exit status 130 into a death by signal (-2 to the caller)."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)
    raise KeyboardInterrupt


def _raise_interrupt(signum, frame) -> None:  # noqa: ANN001 - a signal handler
    raise KeyboardInterrupt


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """While ``check`` runs, SIGTERM stops it as Ctrl-C does (temporary file removed, one
    line, exit 130); the previous handler is back afterwards (the command may run in-process)."""
    handler = _stop_once if _is_the_program() else _raise_interrupt
    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # pragma: no cover - not the main thread (an embedding application)
        previous = None
    try:
        yield
    finally:  # unless _stop_once has ignored further signals meanwhile
        if previous is not None and signal.getsignal(signal.SIGTERM) is handler:
            signal.signal(signal.SIGTERM, previous)


def _echo_report(text: str) -> None:
    """Print the report; a reader that stops early (``| head``) is no error: the exit status
    still says what the check found."""
    try:
        click.echo(text, nl=not text.endswith("\n"))
        sys.stdout.flush()
    except BrokenPipeError:
        # Python would report the broken pipe again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _terminal_width() -> int:
    """Columns for the table: the terminal's (or ``$COLUMNS``), else 100."""
    return max(40, shutil.get_terminal_size((100, 24)).columns)


@main.command(cls=SectionedCommand)
@click.argument("source")
@click.argument("target", required=False)
@click.option("--format", "fmt", type=click.Choice(FORMATS + CAT_FORMATS), default=None,
              help="Report format; tmx writes the alignment as a translation memory, xliff an "
                   "XLIFF 2 file with the findings as ITS quality issues "
                   "[default: table on a terminal, json in a pipe; from -o's suffix].")
@click.option("-o", "--output", default=None, metavar="FILE",
              help="Write the report to FILE (atomically); its folder must exist.")
@click.option("--fail-on", default=DEFAULT_FAIL_ON, show_default=True, callback=_fail_on_option,
              metavar="LIST", help=FAIL_ON_HELP)
@click.option("--glossary", default=None, metavar="FILE",
              help="House glossary (CSV en,id[,forms] or TBX): a term whose required translation "
                   "is missing from the aligned sentence is a finding.")
@click.option("-v", "--verbose", is_flag=True, help="End the table with the signature (JSON and HTML always carry it).")
@click.option("-q", "--quiet", is_flag=True, help="No warnings or progress on stderr.")
@input_options
@model_options
def check(source, target, fmt, output, fail_on, glossary, verbose, quiet, source_lang, target_lang,
          presplit, strict_names, no_language_check, model, device, batch_size, tau):
    """Check TARGET as a translation of SOURCE ('-' reads one side from stdin), or one
    bilingual file (XLIFF 1.2/2.x or TMX: the units' source and target, in order).

    \b
    Exit status: 0 faithful (or no finding that --fail-on counts),
                 1 issues that --fail-on counts, or an unrelated translation,
                 2 bad usage or bad input (one line on stderr),
                 130 interrupted (Ctrl-C or SIGTERM).
    """
    _quiet_warnings(quiet)
    _silence_libraries()
    if source == "-" and target == "-":
        raise click.UsageError("only one side can be read from stdin")
    fmt = fmt or _default_format(output)
    with _sigterm_as_interrupt():
        try:
            if output is not None:
                from .report import check_output_path

                check_output_path(output)  # before the expensive work
            settings = build_settings(source_lang, target_lang, model, device, batch_size, presplit,
                                      no_language_check, tau, strict_names)
            terms = _load_glossary(glossary, settings)
            if target is None:
                report, inlines = _check_bilingual(source, settings, quiet, terms)
            else:
                report, inlines = _check_files(source, target, settings, quiet, terms), None
        except FidelityError as exc:
            _err(f"error: {exc}")
            sys.exit(exc.exit_code)
        _write_report(report, fmt, output, verbose, quiet, inlines)
    sys.exit(fail_on.exit_code(report.summary.verdict, report.findings))


def _load_glossary(path: str | None, settings):  # noqa: ANN001, ANN202 - Settings -> Glossary | None
    if path is None:
        return None
    from .glossary import load_glossary

    return load_glossary(path, settings.source_lang, settings.target_lang)


def _check_files(source: str, target: str, settings, quiet: bool, glossary=None):  # noqa: ANN001
    """Read both sides ('-' is stdin), segment, embed, align, find: the report."""
    from .pipeline import Checker, prepare
    from .textio import read_text

    src_text = read_text(source)
    tgt_text = read_text(target)
    pair = prepare(src_text, tgt_text, settings, None if source == "-" else source,
                   None if target == "-" else target)
    report = Checker(settings, progress=None if not quiet else False).check_pair(pair)
    if glossary is not None:
        from .glossary import apply_glossary

        report = apply_glossary(report, glossary)
    return report


def _check_bilingual(path: str, settings, quiet: bool, glossary=None):  # noqa: ANN001, ANN202
    """One XLIFF/TMX file: its units checked (:func:`fidelity.bilingual.check_bilingual`); the
    report and the inline tags to put back into an XLIFF/TMX export."""
    from .bilingual import check_bilingual, is_bilingual, read_bilingual
    from .pipeline import Checker

    if path == "-" or not is_bilingual(path):
        raise click.UsageError("one argument is a bilingual file (.xlf, .xliff, .sdlxliff, .mqxliff, "
                               ".tmx); text needs SOURCE and TARGET")
    bil = read_bilingual(path)
    report = check_bilingual(bil, Checker(settings, progress=None if not quiet else False), settings,
                             glossary)
    return report, {"source": bil.inlines("source"), "target": bil.inlines("target")}


def _write_report(report, fmt: str, output: str | None, verbose: bool, quiet: bool,  # noqa: ANN001
                  inlines: dict | None = None) -> None:
    """Render ``report`` to ``output`` (atomically) or stdout; a write that fails is one line, exit 2."""
    from .report import render, write_atomic

    if fmt in CAT_FORMATS:
        from .export import render as render_cat

        try:
            text = render_cat(report, fmt, inlines)
        except FidelityError as exc:  # translate-toolkit missing: the [cat] extra
            _err(f"error: {exc}")
            sys.exit(exc.exit_code)
    else:
        text = render(report, fmt, width=None if output else _terminal_width(), verbose=verbose)
    if not output:
        _echo_report(text)
        return
    try:
        write_atomic(output, text)
    except OSError as exc:  # disk full, folder removed meanwhile, file system gone read-only...
        _err(f"error: {output}: cannot write the report ({exc.strerror or exc})")
        sys.exit(USAGE)
    if not quiet:
        _err(f"{report.summary.verdict}: wrote {fmt} report to {output}")


def _input_location(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """INPUT: an existing local path, or a URL (a manifest for --engine ray)."""
    from .storage import is_url

    if not is_url(value) and not os.path.exists(value):
        raise click.BadParameter(f"Path {value!r} does not exist.")
    return value


@main.command(cls=SectionedCommand)
@click.argument("input_path", metavar="INPUT", callback=_input_location)
@click.option("-o", "--outdir", required=True, metavar="OUTDIR",
              help="Folder for the reports, results.jsonl, summary.json and index.html.")
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
@click.option("--engine", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="Check the pairs in worker processes here, or on Ray (pip install "
                   "'fidelity[ray]'; INPUT and OUTDIR may then be fsspec URLs).")
@click.option("--ray-address", metavar="ADDRESS", default=None,
              help="With --engine ray: join this cluster ('auto' or ray://HOST:PORT) "
                   "[default: a local Ray instance of --workers CPUs].")
@click.option("--fail-on", default=DEFAULT_FAIL_ON, show_default=True, callback=_fail_on_option,
              metavar="LIST", help=FAIL_ON_HELP)
@click.option("--glossary", default=None, metavar="FILE",
              help="House glossary (CSV en,id[,forms] or TBX; a path or URL) applied to every "
                   "pair, text and XLIFF/TMX, as check --glossary does; a re-run redoes the "
                   "pairs when its terms change.")
@click.option("--progress", is_flag=True, help="Show the progress bar even when stderr is not a terminal.")
@click.option("-q", "--quiet", is_flag=True, help="No warnings or progress on stderr.")
@input_options
@model_options
def batch(input_path, outdir, source_suffix, target_suffix, workers, window, force, engine,
          ray_address, fail_on, glossary, progress, quiet, source_lang, target_lang, presplit,
          strict_names, no_language_check, model, device, batch_size, tau):
    """Check every pair of INPUT, writing one report per pair into OUTDIR.

    INPUT is a folder of <story>.en.txt / <story>.id.txt files, or a manifest (.csv or .jsonl)
    with 'source', 'target' and optional 'id' columns (paths relative to the manifest). A
    bilingual file (.xlf, .xliff, .sdlxliff, .mqxliff, .tmx) in the folder, or as a manifest
    'source' with an empty 'target', is one pair of its own.
    Re-running skips pairs whose inputs and settings are unchanged.

    \b
    Exit status: 0 all faithful (or no finding that --fail-on counts),
                 1 any issues that --fail-on counts, or an unrelated pair,
                 2 bad usage, 3 any pair failed,
                 130 interrupted (run the same command again to resume).
    """
    _quiet_warnings(quiet)
    _silence_libraries()
    fail = fail_on
    try:
        from .batch import BatchOptions, run_batch, summary_text
        from .storage import is_url

        settings = build_settings(source_lang, target_lang, model, device, batch_size, presplit,
                                  no_language_check, tau, strict_names)
        opts = BatchOptions(
            input=input_path, outdir=outdir, settings=settings, source_suffix=source_suffix,
            target_suffix=target_suffix, workers=workers, window=window, force=force,
            progress=False if quiet else (True if progress else None), fail_on=fail,
            glossary=glossary)
        if engine == "ray":
            from .batch.ray_engine import run_ray

            totals, stats = run_ray(opts, address=ray_address)
        elif ray_address is not None:
            raise click.UsageError("--ray-address goes with --engine ray")
        elif is_url(input_path) or is_url(outdir):
            raise click.UsageError("a URL as INPUT or OUTDIR needs --engine ray")
        else:
            totals, stats = run_batch(opts)
    except FidelityError as exc:
        _err(f"error: {exc}")
        if exc.exit_code == INTERRUPTED and _is_the_program():
            _exit_now(INTERRUPTED)  # as Main does for check: a Ctrl-C during torch's import
        sys.exit(exc.exit_code)
    click.echo(summary_text(totals, stats), nl=False)
    if not quiet:
        from .storage import join

        _err(f"{totals.pairs} pairs: records in {join(outdir, 'results.jsonl')}, "
             f"overview in {join(outdir, 'index.html')}")
    sys.exit(totals.exit_code)
