"""Command line: `portrait demo | new-study | run`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from portrait.config import skeleton
from portrait.errors import PortraitError

DEMO = Path("data/raw/demo")
# Bundled studies, generated deterministically: name -> (generator module, its build function).
BUNDLED = {"demo": ("portrait.demo", "build_demo"), "coffee": ("portrait.coffee", "build_study")}


def _parse_parameter(text: str) -> tuple[str, object]:
    if "=" not in text:
        raise PortraitError(f"parameter {text!r} is not key=value; write for example -p seed=7.")
    key, value = text.split("=", 1)
    # YAML gives numbers, booleans and lists their types: -p k_range=[3,8] -p weighting=false.
    return key.strip(), yaml.safe_load(value)


def ensure_demo(path: Path = DEMO, seed: int | None = None, force: bool = False, say=print,
                bundled: str = "demo", wave: int | None = 1) -> Path:
    """Build a bundled study (the demo, or another of BUNDLED) into `path` unless it is already there.

    `wave` (the demo only): 1 is the study as first delivered, 2 and 3 later waves; None keeps the wave already
    built (a run of the study does not turn wave 3 back into wave 1)."""
    import importlib

    module, build = BUNDLED[bundled]
    demo = importlib.import_module(module)
    seed = demo.DEFAULT_SEED if seed is None else seed
    stamp = path / ".portrait-demo"
    built = stamp.read_text().split() if stamp.exists() else []
    if wave is None:
        wave = int(built[3]) if len(built) == 4 and built[2] == "wave" and built[3].isdigit() else 1
    # The stamp records the seed, the generator's own source and the wave, so a changed generator rebuilds.
    signature = f"{seed} {demo.generator_digest()}" + (f" wave {wave}" if wave != 1 else "")
    if not force and " ".join(built) == signature:
        say(f"{bundled} study already built in {path} (seed {seed}{f', wave {wave}' if wave != 1 else ''})")
        return path
    say(f"building the {bundled} study in {path} (seed {seed}{f', wave {wave}' if wave != 1 else ''}) …")
    if wave != 1:
        if bundled != "demo":
            raise PortraitError(f"--wave: only the demo study has later waves, not {bundled}.")
        getattr(demo, build)(path, seed=seed, wave=wave)
    else:
        getattr(demo, build)(path, seed=seed)
    stamp.write_text(f"{signature}\n")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="portrait", description="Customer portraits from raw study data.")
    sub = parser.add_subparsers(dest="command", required=True)

    p_demo = sub.add_parser("demo", help="write a bundled study to data/raw/<name> (skipped when already built)")
    p_demo.add_argument("name", nargs="?", default="demo", choices=sorted(BUNDLED),
                        help="demo (the bundled retail study, en/uk/ru) or coffee (a coffee-shop chain, uk, SPSS survey)")
    p_demo.add_argument("--path", type=Path, default=None)
    p_demo.add_argument("--seed", type=int, default=None)
    p_demo.add_argument("--force", action="store_true", help="rebuild even if it exists")
    p_demo.add_argument("--wave", type=int, default=1, choices=[1, 2, 3],
                        help="a later wave of the demo: 2 brings planted drift, 3 none (default 1, the first delivery)")

    p_new = sub.add_parser("new-study", help="write a commented study skeleton to data/raw/NAME")
    p_new.add_argument("name")
    p_new.add_argument("--raw", type=Path, default=Path("data/raw"))

    p_run = sub.add_parser("run", help="run the pipeline notebooks for a study")
    p_run.add_argument("--study", default=str(DEMO))
    p_run.add_argument("--steps", default=None, help="comma-separated step prefixes, e.g. 01,02")
    p_run.add_argument("-p", "--parameter", action="append", default=[], metavar="KEY=VALUE")
    p_run.add_argument("--reports", type=Path, default=Path("reports"))
    p_run.add_argument("--kernel", default="portrait")
    p_run.add_argument("--no-progress", action="store_true")

    p_classify = sub.add_parser("classify", help="assign a new survey wave to segments with the typing tool")
    p_classify.add_argument("wave", type=Path, help="the new wave's export (CSV or Excel)")
    p_classify.add_argument("--study", default=str(DEMO))
    p_classify.add_argument("--out", type=Path, default=None, help="CSV to write (default: beside the study's outputs)")

    args = parser.parse_args(argv)
    try:
        if args.command == "demo":
            ensure_demo(args.path or Path("data/raw") / args.name, args.seed, args.force, bundled=args.name,
                        wave=args.wave)
        elif args.command == "new-study":
            folder = skeleton.write_skeleton(args.raw / args.name, args.name)
            print(f"wrote {folder / 'study.yml'}; put the raw files beside it and edit the sources.")
        elif args.command == "run":
            from portrait import pipeline

            for name in BUNDLED:  # a bundled study is built on first use
                if Path(args.study).resolve() == (Path("data/raw") / name).resolve():
                    ensure_demo(Path("data/raw") / name, bundled=name, wave=None)
            parameters = dict(_parse_parameter(p) for p in args.parameter)
            steps = args.steps.split(",") if args.steps else None
            result = pipeline.run(args.study, Path.cwd(), steps, parameters, args.reports, args.kernel,
                                  progress=not args.no_progress)
            print(f"report: {result.run_dir / 'index.html'}")
        elif args.command == "classify":
            from portrait.io import atomic
            from portrait.config.study import Study
            from portrait.segments.typing_tool import classify_wave

            study = Study.load(args.study)
            segments = classify_wave(study, args.wave)
            out = args.out or study.processed / f"{args.wave.stem}_segments.csv"
            atomic.write_csv(segments, out)
            counts = segments["segment"].value_counts().to_dict()
            print(f"classified {len(segments)} respondents {counts}; wrote {out}")
    except PortraitError as exc:
        print(f"portrait: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # Ctrl-C: the runner has already said what it kept; no traceback
        print("portrait: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
