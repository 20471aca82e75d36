"""The `portal` command: serve, migrate, seed, worker, dev (the portal and its companions), check-settings, forms,
report."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys

from portal.settings import Settings


def serve(settings: Settings) -> None:
    """Serve with granian: no reload, no debug; what people measure."""
    args = [
        sys.executable, "-m", "granian",
        "--interface", "asgi",
        "--factory", "portal.app:app_factory",
        "--host", settings.host,
        "--port", str(settings.port),
        "--workers", str(settings.web_workers),
        "--no-ws",
        "--log-level", "warning",
    ]  # fmt: skip
    os.execv(sys.executable, args)  # noqa: S606 - our own interpreter, fixed arguments


def migrate(settings: Settings) -> None:
    from portal.db.migrate import upgrade

    if settings.is_sqlite:
        settings.var_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.database_url)
    print("The database is at the newest schema.")


def seed(settings: Settings) -> None:
    """Dev and test data that lives in the portal's own database: the personas' mandates."""
    import asyncio

    from portal.db.engine import create_engine, session_factory
    from portal.representation.seed import load_personas, seed_mandates

    if settings.is_production:
        sys.exit("portal seed puts synthetic people in the database: it does not run in production.")

    personas = load_personas()

    async def run() -> int:
        engine = create_engine(settings.database_url)
        try:
            async with session_factory(engine)() as db, db.begin():
                return await seed_mandates(db, personas)
        finally:
            await engine.dispose()

    created = asyncio.run(run())
    print(f"Seeded {created} mandate(s) from sandbox/personas.yaml.")


def check_settings(settings: Settings) -> None:
    problems = settings.production_problems()
    for problem in problems:
        print(problem, file=sys.stderr)
    sys.exit(1 if problems else 0)


def forms_check(settings: Settings) -> None:
    """Exit 1 with one "file:line: problem" line per problem in the definitions, so CI and editors can jump there."""
    from portal.catalogue.definitions import DefinitionsInvalid, load_definitions

    try:
        definitions = load_definitions(settings.forms_dir)
    except DefinitionsInvalid as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        sys.exit(1)
    print(f"{len(definitions)} definition(s) in {settings.forms_dir} are valid.")


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: write YYYY-MM-DD") from error


def report_satisfaction(settings: Settings, since: dt.date | None, as_csv: bool) -> None:
    """Per service: how many answered, the mean score and how many gave each score, from the anonymous responses."""
    import asyncio
    import csv

    from portal.applications.satisfaction import SCORES, satisfaction_report
    from portal.db.engine import create_engine, session_factory

    async def run() -> list[tuple[str, int, str, list[int]]]:
        engine = create_engine(settings.database_url)
        try:
            async with session_factory(engine)() as db:
                report = await satisfaction_report(db, since)
        finally:
            await engine.dispose()
        # No service: the survey was opened other than from a confirmation page.
        return [(r.service or "-", r.answers, str(r.mean), [r.counts[s] for s in SCORES]) for r in report]

    rows = asyncio.run(run())
    if as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["service", "answers", "mean", *(f"score_{s}" for s in SCORES)])
        writer.writerows([service, answers, mean, *counts] for service, answers, mean, counts in rows)
        return
    if not rows:
        print("No satisfaction answers" + (f" since {since.isoformat()}." if since else "."))
        return
    width = max(len("service"), *(len(service) for service, *_ in rows))
    print(f"{'service':<{width}}  answers  mean  " + "  ".join(f"{s:>4}" for s in SCORES))
    for service, answers, mean, counts in rows:
        print(f"{service:<{width}}  {answers:>7}  {mean:>4}  " + "  ".join(f"{c:>4}" for c in counts))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="portal", description="Latvia's e-service portal")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="serve the portal with granian")
    commands.add_parser("migrate", help="bring the database to the newest schema")
    commands.add_parser("seed", help="dev/test only: put the personas' mandates in the database (idempotent)")
    commands.add_parser("dev", help="migrate and seed, then start the portal and its companions as one process group")
    commands.add_parser("worker", help="run the worker (outbox delivery, sync) until SIGTERM or SIGINT")
    commands.add_parser("check-settings", help="exit 1 and say why when production settings are unsafe")
    forms = commands.add_parser("forms", help="e-service definitions in forms/ (PORTAL_FORMS_DIR)")
    forms.add_subparsers(dest="forms_command", required=True).add_parser(
        "check", help="exit 1 with file:line messages when a definition is bad"
    )
    report = commands.add_parser("report", help="reports for staff")
    satisfaction = report.add_subparsers(dest="report_command", required=True).add_parser(
        "satisfaction", help="per service: answers, mean score and the distribution of scores 1-5"
    )
    satisfaction.add_argument("--since", type=_day, help="only answers from this business day on (YYYY-MM-DD)")
    satisfaction.add_argument("--csv", action="store_true", help="comma-separated values with a header row")
    args = parser.parse_args(argv)
    settings = Settings()
    if args.command == "serve":
        serve(settings)
    elif args.command == "migrate":
        migrate(settings)
    elif args.command == "seed":
        seed(settings)
    elif args.command == "dev":
        from portal.devserver import run_all

        migrate(settings)
        seed(settings)
        sys.exit(run_all(settings))
    elif args.command == "worker":
        from portal.worker.main import main as run_worker

        run_worker(settings)
    elif args.command == "check-settings":
        check_settings(settings)
    elif args.command == "forms":
        forms_check(settings)
    elif args.command == "report":
        report_satisfaction(settings, args.since, args.csv)
