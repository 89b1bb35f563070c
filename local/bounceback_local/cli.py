"""The `bounceback` command: `bounceback local` runs the stack, `bounceback demo` shows it off."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from bounceback_local.stack import DataDirBusy, LocalStack


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bounceback", description="Bounceback on this machine.")
    commands = parser.add_subparsers(dest="command", required=True)
    local = commands.add_parser("local", help="run the whole service locally (no AWS account)")
    local.add_argument("--port", type=int, default=3000, help="HTTP port (default 3000)")
    local.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
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
    return parser


def run_local(args: argparse.Namespace) -> int:
    stack = LocalStack(
        host=args.host,
        port=args.port,
        clock_mode=args.clock,
        data_dir=args.data_dir,
        quiet=args.quiet,
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
    url = stack.url
    if args.clock == "manual":
        schedule = (
            'manual: POST /_local/clock {"now": ...} moves it, POST /_local/tick runs the schedule'
        )
    else:
        schedule = "real: the schedule runs as template.yaml says"
    print(
        f"Bounceback is running at {url}/\n"
        f"  Outbox:  {url}/_local/outbox  (JSON; open it in a browser to read the e-mails)\n"
        f"  Log in:  open {url}/ and sign in with any e-mail address, or\n"
        f'           curl -s -X POST {url}/_local/login -d \'{{"email": "you@example.com"}}\'\n'
        f"           and send the token as 'Authorization: Bearer <token>'\n"
        f"  Clock:   {schedule}\n"
        f"  Data:    {stack.restore_report}\n"
        f"Press Ctrl-C to stop.",
        flush=True,
    )
    while not stopping.wait(0.5):
        pass
    print("Stopping: finishing running work and saving the data...", flush=True)
    stack.stop()
    print("Stopped.", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "local":
        return run_local(args)
    from bounceback_local.demo import run_demo

    return run_demo(port=args.port)


if __name__ == "__main__":
    sys.exit(main())
