"""The command line: parse options, call the library, turn its errors into one line and an
exit code. Exit codes: 0 done; 1 done but some rows had problems; 2 usage or configuration
error; 3 the source (or mail server) could not be read or written."""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import click

from sheets_sync import __version__
from sheets_sync.cli_help import ExamplesLastGroup
from sheets_sync.collector import collector_paused, frozen_at_exit
from sheets_sync.config import Config, load_config
from sheets_sync.digests import keep_openssl_out
from sheets_sync.errors import EXIT_OK, EXIT_PROBLEMS, EXIT_SOURCE, SheetsSyncError
from sheets_sync.pipe_safe import pipe_safe_stdout

keep_openssl_out()  # before anything imports hashlib: see sheets_sync.digests

# No claim about the workbook here: the failure may come after a successful write (while printing).
UNEXPECTED = ("unexpected failure ({kind}: {detail}); the run stopped there. Set SHEETS_SYNC_DEBUG=1 to see "
              "details, and please report it.")


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Library errors become 'Error: ...' on stderr and their exit code, never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with pipe_safe_stdout():  # `| head` stopping early is no failure
                return func(*args, **kwargs)
        except SheetsSyncError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("Error: interrupted; the run stopped there (a workbook is never left half-written)", err=True)
            sys.exit(EXIT_SOURCE)
        except Exception as exc:
            if os.environ.get("SHEETS_SYNC_DEBUG"):
                raise
            # A file or folder the system refused (a read-only folder, a full disk) is no bug.
            if isinstance(exc, OSError) and exc.filename is not None:
                click.echo("Error: " + os_error_line(exc), err=True)
            else:
                click.echo("Error: " + UNEXPECTED.format(kind=type(exc).__name__, detail=str(exc)[:200]), err=True)
            sys.exit(EXIT_SOURCE)

    return wrapper


def os_error_line(exc: OSError) -> str:
    """One line for a file or folder the system refused: which, why, what to do. No claim
    about the workbook: the refusal may come after a successful write."""
    reason = (exc.strerror or str(exc)).lower()
    fix = ("make its folder writable for this user (the outbox can go elsewhere: --outbox DIR)"
           if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS) else "fix that and run again")
    return f"{exc.filename}: {reason}; sheets-sync could not create or write it and the run stopped there: {fix}"


class IsoDay(click.DateTime):
    """click's DateTime for %Y-%m-%d that reads a plain YYYY-MM-DD itself: the first strptime
    of a process imports _strptime and compiles its patterns (about 2 ms of every run).
    Anything else (a bad date, one-digit months) goes to click, for its result and its message."""

    def __init__(self) -> None:
        super().__init__(formats=["%Y-%m-%d"])

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """The day at midnight, as click.DateTime gives it."""
        if (isinstance(value, str) and len(value) == 10 and value[4] == value[7] == "-"
                and (digits := value[:4] + value[5:7] + value[8:]).isascii() and digits.isdigit()):
            try:
                return dt.datetime(int(value[:4]), int(value[5:7]), int(value[8:]))
            except ValueError:
                pass
        return super().convert(value, param, ctx)


def today_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """--today YYYY-MM-DD: the day to plan for (default: the real today)."""
    return click.option("--today", "today", type=IsoDay(), default=None,
                        help="Plan as if today were this date (YYYY-MM-DD).")(func)


def config_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """--config FILE."""
    return click.option("--config", "config_path", type=click.Path(path_type=Path), default=None,
                         help="Config file (default: sheets-sync.toml beside the workbook, then the user config folder).")(func)


def json_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """--json."""
    return click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of tables.")(func)


def day(value: dt.datetime | None = None) -> dt.date:
    """The --today value, or the real date: every command reads the wall clock here, and
    only here."""
    return value.date() if value else dt.date.today()


def emit_json(obj: dict[str, Any]) -> None:
    """Print one JSON object to stdout."""
    click.echo(json.dumps(obj, indent=2, default=str))


@click.group(cls=ExamplesLastGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sheets-sync")
def cli() -> None:
    """Run your team's follow-ups from the spreadsheet you already use.

    SOURCE is an Excel workbook (.xlsx/.xlsm), a Google Sheets address, or gsheet:<key>.

    \b
    Examples:
      sheets-sync init clients.xlsx --sample
      sheets-sync due clients.xlsx
      sheets-sync sync clients.xlsx --dry-run
    """
    from sheets_sync.signin.env_file import apply_env_file

    try:  # every run reads the 0600 environment file (a headless server's secrets) first
        apply_env_file()
    except SheetsSyncError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(exc.exit_code)


@cli.command(short_help="Create or adopt a follow-up workbook.")
@click.argument("path", type=click.Path(path_type=Path), required=False)
@click.option("--sample", is_flag=True, help="Fill the new workbook with the demo agency's clients.")
@click.option("--into", "into", type=click.Path(path_type=Path), default=None,
              help="Add the missing sheets and columns to this existing workbook instead.")
@click.option("--google", "google_title", default=None, help="Create a new Google spreadsheet with this title.")
@click.option("--google-key", default=None, help="Add the missing sheets and columns to this Google spreadsheet.")
@click.option("--share-with", multiple=True, metavar="EMAIL",
              help="With --google: make this person an Editor (repeatable; default: [google] share_with).")
@today_option
@config_option
@handle_errors
def init(path: Path | None, sample: bool, into: Path | None, google_title: str | None, google_key: str | None,
         share_with: tuple[str, ...], today: dt.datetime | None, config_path: Path | None) -> None:
    """Create a new follow-up workbook at PATH (refuses to overwrite), or adopt an existing one.

    \b
    Examples:
      sheets-sync init clients.xlsx --sample
      sheets-sync init --into "Our clients.xlsx"
      sheets-sync init --google "Follow-ups" --share-with maria@agency.example
    """
    from sheets_sync import init as init_lib

    chosen = [x for x in (path, into, google_title, google_key) if x]
    if len(chosen) != 1:
        raise click.UsageError("give exactly one of PATH, --into FILE, --google TITLE or --google-key KEY")
    if share_with and not google_title:
        raise click.UsageError("--share-with goes with --google TITLE")
    config = load_config(config_path, str(path or into or ""))
    if path:
        created = init_lib.create(path, sample=sample, today=day(today))
        click.echo(init_lib.created_message(str(created), sample))
    elif into:
        adopted = init_lib.adopt_and_map(str(into), config=config, today=day(today))
        click.echo("\n".join([f"Updated {into}: {adopted.added}", *adopted.mapping]))
    elif google_title:
        key = init_lib.create_google(google_title, config=config, sample=sample, today=day(today),
                                     share_with=list(share_with) or None)
        click.echo(f"Created Google spreadsheet {key}: https://docs.google.com/spreadsheets/d/{key}/edit\n"
                   f"Run: sheets-sync sync gsheet:{key}")
    else:
        adopted = init_lib.adopt_and_map(f"gsheet:{google_key}", config=config, today=day(today))
        click.echo("\n".join([f"Updated gsheet:{google_key}: {adopted.added}", *adopted.mapping]))


@cli.command(short_help="Send what is due and write it back.")
@click.argument("source")
@today_option
@click.option("--dry-run", is_flag=True, help="Send nothing, write nothing: print the plan with reasons.")
@click.option("--outbox", type=click.Path(path_type=Path), default=None,
              help="Write emails as .eml files into this folder instead of sending them.")
@click.option("--wait", type=float, default=0, show_default=True,
              help="If the workbook is open in Excel or LibreOffice, retry for this many seconds.")
@click.option("--quiet", is_flag=True,
              help="For scheduled runs: nothing on stdout on success, one line per problem on stderr.")
@click.option("--yes", is_flag=True, help="Do not ask before a book's first sync at a terminal.")
@json_option
@config_option
@handle_errors
@collector_paused()  # from the command's imports on: they and the run build what lives to its end
def sync(source: str, today: dt.datetime | None, dry_run: bool, outbox: Path | None, wait: float, quiet: bool,
         yes: bool, as_json: bool, config_path: Path | None) -> None:
    """Send the follow-ups due today and write the bookkeeping back into SOURCE.

    \b
    Examples:
      sheets-sync sync clients.xlsx --dry-run
      sheets-sync sync clients.xlsx --outbox outbox
      sheets-sync sync gsheet:1aBcD2eFgH --quiet
    """
    frozen_at_exit()
    from sheets_sync import report
    from sheets_sync.health.progress import shown, wanted
    from sheets_sync.health.watch import alarms, print_quiet, run_config
    from sheets_sync.sync import run_sync

    config = run_config(config_path, source)  # a bad file is logged in the user folder: no alarms without it
    if not (dry_run or yes or as_json or quiet) and sys.stdin.isatty() and sys.stdout.isatty():
        confirm_first_run(source, day(today), config, outbox, wait)
    with alarms(config, source, day(today)), shown(wanted(as_json, quiet)):  # [alerts]; progress at a terminal
        result = run_sync(source, day(today), config=config, dry_run=dry_run, outbox=outbox, wait=wait)
    if as_json:
        emit_json(result.to_json())
    elif quiet:
        print_quiet(result.problems)
    else:
        report.print_sync(result)
    sys.exit(EXIT_PROBLEMS if result.problems else EXIT_OK)


def confirm_first_run(source: str, today: dt.date, config: Config, outbox: Path | None, wait: float) -> None:
    """On a book's first sync, show what it would send and go on only if the person says yes
    (no: exit 0, nothing sent or written)."""
    from sheets_sync import first_run
    from sheets_sync.backends import open_source
    from sheets_sync.sync import run_sync

    backend = open_source(source, config=config, wait=wait)
    if not first_run.is_first_run(backend):
        return
    preview = run_sync(backend, today, config=config, dry_run=True, outbox=outbox)
    if not first_run.has_messages(preview):
        return
    click.echo("\n".join(first_run.summary(preview)))
    if not click.confirm("Send them and write the sheet now?", default=False):
        click.echo(first_run.DECLINED.format(source=source))
        sys.exit(EXIT_OK)


@cli.command(short_help="Run sync every business morning, unattended.")
@click.argument("source")
@click.option("--at", "at", default="07:30", show_default=True, help="Time of day, HH:MM, this computer's time.")
@click.option("--days", default="mon-fri", show_default=True, help="Days to run: mon-fri, mon,wed,fri, daily.")
@click.option("--install", "action", flag_value="install", help="Install it for the current user.")
@click.option("--show", "action", flag_value="show", help="List what sheets-sync installed here.")
@click.option("--remove", "action", flag_value="remove", help="Remove this source's scheduled run.")
@click.option("--systemd", "use_systemd", is_flag=True, help="On Linux: a systemd user timer instead of cron.")
@click.option("--print", "print_for", type=click.Choice(["cron", "systemd", "launchd", "schtasks", "github"]),
              default=None, help="Print the artifact for this system (github: a workflow file) and install nothing.")
@config_option
@handle_errors
def schedule(source: str, at: str, days: str, action: str | None, use_systemd: bool, print_for: str | None,
             config_path: Path | None) -> None:
    """Schedule `sheets-sync sync SOURCE --quiet` on this computer (or print it). Without
    --install it prints what it would install, and how.

    \b
    Examples:
      sheets-sync schedule clients.xlsx --at 07:30 --install
      sheets-sync schedule clients.xlsx --show
      sheets-sync schedule gsheet:1aBcD2eFgH --at 07:30 --print github
    """
    from sheets_sync.schedule.command import run_schedule

    load_config(config_path, source)  # a broken config file is said now, not at 07:30
    for line in run_schedule(source, at, days, action, use_systemd, print_for):
        click.echo(line)


@cli.command(short_help="Read the mailbox: replies, out-of-office, bounces, unsubscribes.")
@click.argument("source")
@today_option
@click.option("--dry-run", is_flag=True, help="Read and match, write nothing (the next run reads the same mail).")
@json_option
@config_option
@handle_errors
def inbox(source: str, today: dt.datetime | None, dry_run: bool, as_json: bool, config_path: Path | None) -> None:
    """Read what arrived in the mailbox ([imap] in the config) since the last run and log it in
    SOURCE: replies and automatic replies as Touches rows, bounces and unsubscribes in the
    Email Status column. sync does this first by itself; this command does only that part.

    \b
    Examples:
      sheets-sync inbox clients.xlsx --dry-run
      sheets-sync inbox clients.xlsx --json
    """
    from sheets_sync.inbox.act import summary_lines
    from sheets_sync.inbox.command import run_inbox

    done = run_inbox(source, day(today), load_config(config_path, source), dry_run=dry_run)
    if as_json:
        emit_json(done.to_json())
    else:
        for line in summary_lines(done.result):
            click.echo(line)
        if dry_run:
            click.echo("Dry run: nothing written.")
        else:
            click.echo(f"Sheet: {done.write.rows_updated} row(s) updated, {done.write.rows_appended} touch row(s) added.")
    sys.exit(EXIT_OK)


@cli.command(short_help="Show today's calls and emails, per person.")
@click.argument("source")
@today_option
@click.option("--owner", default=None, help="Only this staff member's list (their email address).")
@json_option
@config_option
@handle_errors
@collector_paused()
def due(source: str, today: dt.datetime | None, owner: str | None, as_json: bool, config_path: Path | None) -> None:
    """Show each staff member today's calls and emails, without changing anything.

    \b
    Examples:
      sheets-sync due clients.xlsx
      sheets-sync due clients.xlsx --owner maria@agency.example
      sheets-sync due clients.xlsx --today 2026-11-30 --json
    """
    frozen_at_exit()
    from sheets_sync import due_list
    from sheets_sync.load import load

    loaded = load(source, day(today), load_config(config_path, source), render=False)  # due prints the plan, not the emails
    unknown = due_list.unknown_owner(loaded, owner) if owner is not None else None
    if unknown is not None:
        click.echo(f"Error: {unknown}", err=True)
        sys.exit(EXIT_PROBLEMS)
    if as_json:
        emit_json(due_list.due_json(loaded, owner))
    else:
        from sheets_sync import report  # rich: only for the tables

        report.print_due(loaded, owner)
    sys.exit(EXIT_PROBLEMS if loaded.book.problems else EXIT_OK)


@cli.command(short_help="List the problems and the set-up left to do.")
@click.argument("source")
@json_option
@config_option
@handle_errors
@collector_paused()
def check(source: str, as_json: bool, config_path: Path | None) -> None:
    """List every problem in the workbook, by cell, and the set-up left to do (Business name,
    From address, the owners' names). Exit 1 when there are any.

    \b
    Examples:
      sheets-sync check clients.xlsx
      sheets-sync check gsheet:1aBcD2eFgH --json
    """
    frozen_at_exit()
    from sheets_sync.load import load
    from sheets_sync.readiness import set_up_problems, setup_lines

    config = load_config(config_path, source)
    loaded = load(source, day(), config)
    problems = loaded.book.problems + loaded.composed.problems
    setup = set_up_problems(loaded.book, config)
    if as_json:
        emit_json({"source": loaded.backend.label, "problems": [p.to_json() for p in problems],
                   "left_alone": [n.to_json() for n in loaded.book.notes], "setup": [p.to_json() for p in setup]})
    else:
        from sheets_sync import report  # rich: only for the text

        report.print_problems(problems, loaded.backend.label)
        report.print_notes(loaded.book.notes)
        for line in setup_lines(setup):
            click.echo(line)
    sys.exit(EXIT_PROBLEMS if problems or setup else EXIT_OK)


@cli.command(short_help="Retention, attrition and who is at risk.")
@click.argument("source")
@today_option
@click.option("--period", type=click.Choice(["month", "quarter", "year"]), default="month", show_default=True,
              help="Length of each period in the table.")
@json_option
@config_option
@handle_errors
def stats(source: str, today: dt.datetime | None, period: str, as_json: bool, config_path: Path | None) -> None:
    """Retention, attrition, who is at risk, and whether "one more" works for this team.

    \b
    Examples:
      sheets-sync stats clients.xlsx
      sheets-sync stats clients.xlsx --period quarter
      sheets-sync stats clients.xlsx --today 2026-12-31 --json
    """
    from sheets_sync.load import load_book
    from sheets_sync.report import console
    from sheets_sync.stats.figures import compute_stats
    from sheets_sync.stats.report import print_report

    book, label = load_book(source, load_config(config_path, source))
    result = compute_stats(book, day(today), period)
    if as_json:
        emit_json(result.to_json())
    else:
        print_report(result, console())
    sys.exit(EXIT_PROBLEMS if book.problems else EXIT_OK)


@cli.command(short_help="Sign in to the mail server once.")
@click.argument("source")
@config_option
@handle_errors
def login(source: str, config_path: Path | None) -> None:
    """Sign in to the mail server once, so that every later run (a scheduled one too) signs in
    by itself. With auth = "oauth2": Microsoft 365 shows a code to enter at a sign-in address
    (on any device), Google opens the browser; the refresh token is kept in the system keyring,
    else in a 0600 file in the user config folder. With a password: it asks for it (hidden)
    and stores it in the keyring, else in the 0600 environment file.

    \b
    Examples:
      sheets-sync login clients.xlsx
      sheets-sync login clients.xlsx --config office.toml
    """
    from sheets_sync.errors import ConfigError
    from sheets_sync.mail.config import resolve_mail_settings
    from sheets_sync.signin.login import sign_in
    from sheets_sync.signin.prompt import ask_secret

    settings = resolve_mail_settings(load_config(config_path, source), source=source, need_password=False)
    if settings is None:
        raise ConfigError("no mail server is configured: set SHEETS_SYNC_SMTP_HOST or host in the [smtp] "
                          "table of the config file (see docs/email.md)")
    done = sign_in(settings, lambda: ask_secret("SMTP password"), click.echo, source=source)
    click.echo(done)


@cli.command("test-email", short_help="Send a sample message to test the mail setup.")
@click.argument("source")
@click.option("--to", "to", required=True, help="Send the sample message to this address.")
@config_option
@handle_errors
def test_email(source: str, to: str, config_path: Path | None) -> None:
    """Send one sample message through the configured mail server, to check the setup.

    \b
    Examples:
      sheets-sync test-email clients.xlsx --to me@agency.example
      sheets-sync test-email clients.xlsx --to me@agency.example --config my.toml
    """
    from sheets_sync.errors import ConfigError
    from sheets_sync.mail.config import resolve_mail_settings
    from sheets_sync.mail.smtp import send_test_email

    settings = resolve_mail_settings(load_config(config_path, source), source=source)
    if settings is None:
        raise ConfigError("no mail server is configured: set SHEETS_SYNC_SMTP_HOST or host in the [smtp] "
                          "table of the config file (see docs/email.md)")
    delivery = send_test_email(settings, to)
    if delivery.status != "sent":
        click.echo(f"Error: the test message to {to} was not sent: {delivery.detail}", err=True)
        sys.exit(EXIT_PROBLEMS)
    click.echo(f"Sent a test message to {to} through {settings.describe()}, signed in with {settings.sign_in()}.")
