"""The `bounceback` command: `bounceback local` runs the stack, `bounceback demo` shows it off.

The stack is imported when it runs, not with this module: the functions' worker
processes import the program's main module again (as multiprocessing does), and they
need none of it.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

_EXPOSED = """\
**********************************************************************
WARNING: --expose: Bounceback listens on {host}:{port}, where other machines
can reach it. Nothing here is hardened for a network: no TLS, and its tokens
are signed by a key in the data directory.
The local-only routes are OFF (/_local/login, /_local/clock, /_local/tick,
/_local/outbox): nobody can sign in here or read the outbox.
Stop it with Ctrl-C as soon as you are done.
**********************************************************************"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bounceback", description="Bounceback on this machine.")
    commands = parser.add_subparsers(dest="command", required=True)
    local = commands.add_parser("local", help="run the whole service locally (no AWS account)")
    local.add_argument("--port", type=int, default=3000, help="HTTP port (default 3000)")
    local.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1; others only with --expose)",
    )
    local.add_argument(
        "--expose",
        action="store_true",
        help="allow a --host other machines can reach; turns the /_local/* routes off",
    )
    local.add_argument(
        "--clock",
        choices=("real", "manual"),
        default="real",
        help="real: the schedule runs at the template's rate; "
        "manual: the clock moves by POST /_local/clock, POST /_local/tick runs the schedule",
    )
    local.add_argument(
        "--data-dir",
        type=Path,
        default=Path(".bounceback"),
        help="where data is kept (default .bounceback)",
    )
    local.add_argument("--quiet", action="store_true", help="do not log each HTTP request")
    demo = commands.add_parser(
        "demo", help="a rejection, a break and a quiet week, on a manual clock"
    )
    demo.add_argument("--port", type=int, default=0, help="HTTP port (default: any free one)")
    demo.add_argument(
        "--out",
        type=Path,
        default=None,
        help="folder for the e-mails as .html and .txt (default: a new temporary folder)",
    )
    return parser


def run_local(args: argparse.Namespace) -> int:
    from bounceback_local.gateway import is_loopback
    from bounceback_local.workers import start_fork_server

    if not is_loopback(args.host) and not args.expose:
        print(
            f"bounceback: refusing to listen on {args.host}: other machines could reach it, "
            "and /_local/login signs anyone in as any address.\n"
            "  Use the default 127.0.0.1, or add --expose (the /_local/* routes are then off).",
            file=sys.stderr,
        )
        return 2
    # The workers' fork server boots on the other core while the stack is imported.
    start_fork_server()
    from bounceback_local.stack import DataDirBusy, LocalStack

    stack = LocalStack(
        host=args.host,
        port=args.port,
        clock_mode=args.clock,
        data_dir=args.data_dir,
        quiet=args.quiet,
        expose=args.expose,
    )
    # Installed first: a signal during start stops the stack cleanly once it is up.
    stopping = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        stack.start()
    except DataDirBusy as exc:
        print(f"bounceback: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"bounceback: cannot start on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    try:
        stack.wait_for_workers()
    except Exception as exc:
        print(f"bounceback: a function failed to start: {exc}", file=sys.stderr, flush=True)
        stack.stop()
        return 1
    url = stack.url
    if args.expose:
        print(_EXPOSED.format(host=args.host, port=stack.server.port), file=sys.stderr, flush=True)
        print(
            f"Bounceback is running at {url}/ (exposed; local-only routes off)\n"
            f"  Data:    {stack.restore_report}\n"
            f"Press Ctrl-C to stop.",
            flush=True,
        )
    else:
        _print_welcome(url, args.clock, stack.restore_report)
    while not stopping.wait(0.5):
        pass
    print("Stopping: finishing running work and saving the data...", flush=True)
    stack.stop()
    print("Stopped.", flush=True)
    return 0


def _print_welcome(url: str, clock: str, restore_report: str) -> None:
    if clock == "manual":
        schedule = (
            'manual: POST /_local/clock {"now": ...} moves it, POST /_local/tick runs the schedule'
        )
    else:
        schedule = "real: the schedule runs as template.yaml says"
    print(
        f"Bounceback is running at {url}/\n"
        f"  Outbox:  {url}/_local/outbox  (JSON; open it in a browser to read the e-mails)\n"
        f"  Log in:  open {url}/ and sign in with any e-mail address, or\n"
        f"           curl -s -X POST {url}/_local/login -H 'Content-Type: application/json' \\\n"
        f'             -d \'{{"email": "you@example.com"}}\'\n'
        f"           and send the token as 'Authorization: Bearer <token>'\n"
        f"  Clock:   {schedule}\n"
        f"  Data:    {restore_report}\n"
        f"Press Ctrl-C to stop.",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "local":
        return run_local(args)
    from bounceback_local.demo import run_demo

    return run_demo(port=args.port, out=args.out)


if __name__ == "__main__":
    sys.exit(main())
