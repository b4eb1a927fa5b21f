"""Instructions the app executes per registration through the HTML pages: a measure of the
app's cost that a shared, noisy machine does not move (issue 17).

CPU time per flow (``registration_pages.py``) moved by a quarter between runs of the same code
on the same machine as its neighbours' load changed, more than most single cuts are worth.
Valgrind's callgrind counts the instructions executed instead: the same code, data and
environment give the same count whatever else the machine does (two runs of one tree here
differ by well under 1 %). Instructions are not time (a cache miss or a system call costs
more than an add), but a cut that removes work removes instructions, and the count tells by
how much.

The script drives ``registration_pages.one_flow`` (the same requests, forms and assets as a
phone's browser), or with ``--flow api`` ``registration_flow.one_flow`` (the sign-in pages,
then the JSON API, as ``registration_flow.py`` measures it), against the database
``registration_pages.py`` leaves behind (``prakerja_bench_pages``, 1,000,000 registrations),
calling the WSGI application in this process instead of over HTTP: every middleware, view,
template, query and Redis command, and none of the server's or the load generator's work. It
runs under ``valgrind --tool=callgrind`` with counting switched on only inside the
application's calls (a client request from a small C helper compiled at run time into
``bench/results/``), after ``--warmup`` flows.

``--root`` measures another checkout with its own ``bench/`` and ``.venv`` (an old commit in a
worktree, with its own database: ``--database``), which is how the old code's count below was
taken. Needs valgrind, its headers (Debian's ``valgrind``) and gcc.

Usage: .venv/bin/python bench/registration_instructions.py [--flows 10] [--warmup 5]
       [--flow pages|api] [--root PATH] [--database NAME]
"""

from __future__ import annotations

import argparse
import ctypes
import io
import json
import os
import re
import subprocess
import sys
import time
from collections import defaultdict
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
HELPER_SOURCE = """#include <valgrind/callgrind.h>
void toggle_collect(void) { CALLGRIND_TOGGLE_COLLECT; }
"""
UNDER_VALGRIND = "PRAKERJA_BENCH_UNDER_CALLGRIND"


def helper_build() -> Path:
    RESULTS.mkdir(exist_ok=True)
    source = RESULTS / "callgrind_toggle.c"
    library = RESULTS / "callgrind_toggle.so"
    source.write_text(HELPER_SOURCE)
    subprocess.run(["gcc", "-O2", "-shared", "-fPIC", "-o", str(library), str(source)], check=True)
    return library


class InProcessBrowser:
    """``registration_flow.Browser``'s interface, answered by the WSGI application in this
    process; counting is on only inside the application's call."""

    def __init__(self, application: Any, toggle: Any) -> None:
        self.application = application
        self.toggle = toggle
        self.counting = False
        self.cookies: dict[str, str] = {}
        self.address = ""
        self.timings: dict[str, list[float]] = defaultdict(list)
        self.retries = 0
        self.reconnects = 0

    def request(
        self, step: str, method: str, path: str, body: bytes | None = None, **headers: str
    ) -> tuple[int, dict[str, str], bytes]:
        headers = {"X-Forwarded-For": self.address, "Host": "127.0.0.1", **headers}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        route, _sep, query = path.partition("?")
        environ: dict[str, Any] = {
            "REQUEST_METHOD": method,
            "PATH_INFO": route,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body or b""),
            "wsgi.errors": sys.stderr,
            "CONTENT_LENGTH": str(len(body or b"")),
        }
        for name, value in headers.items():
            key = name.upper().replace("-", "_")
            environ[key if key == "CONTENT_TYPE" else f"HTTP_{key}"] = value
        answer: dict[str, Any] = {}

        def start_response(status: str, response_headers: list[tuple[str, str]], *_: Any) -> None:
            answer["status"] = int(status.split()[0])
            answer["headers"] = response_headers

        started = time.perf_counter()
        if self.counting:
            self.toggle()
        result = self.application(environ, start_response)
        data = b"".join(result)
        if hasattr(result, "close"):
            result.close()
        if self.counting:
            self.toggle()
        self.timings[step].append(time.perf_counter() - started)
        for name, value in answer["headers"]:
            if name.lower() == "set-cookie":
                for cookie, morsel in SimpleCookie(value).items():
                    self.cookies[cookie] = morsel.value
        return answer["status"], {k.lower(): v for k, v in answer["headers"]}, data


def measure(
    root: Path, database: str, flows: int, warmup: int, helper: Path, kind: str = "pages"
) -> None:
    """Under valgrind: warm up, switch instrumentation on, count ``flows`` flows."""
    sys.path.insert(0, str(root / "bench"))
    sys.path.insert(0, str(root))
    os.chdir(root)
    import random

    import registration_flow as flow  # the bench folder is not a package
    import registration_pages as pages
    import registration_surge as surge

    url = f"postgres://postgres@127.0.0.1:5432/{database}"
    surge.DB_NAME = database
    surge.DB_URL = url
    os.environ.update(surge.app_env())
    os.environ["AXES_PROXY_COUNT"] = "1"  # each phone's X-Forwarded-For is its address
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from config.wsgi import application

    toggle = ctypes.CDLL(str(helper)).toggle_collect
    outbox = flow.Outbox()
    districts = [
        row[0]
        for row in outbox.execute(
            "SELECT code FROM regions_district WHERE code LIKE '35%%' ORDER BY code", []
        )
    ]
    seed = int(time.time())
    ids = pages.Identities(random.Random(seed).choice(districts), seed)

    class Counted(InProcessBrowser, flow.Browser):  # type: ignore[misc]
        """This process's application, with the checkout's own ``form`` and ``api``."""

    browser = Counted(application, toggle)
    if kind == "api":
        answers = {
            str(question): int(correct)
            for question, correct in outbox.execute(
                "SELECT q.id, coalesce(q.correct_choice, 0) FROM registry_testquestion q "
                "JOIN registry_programme p ON p.id = q.programme_id "
                "WHERE q.is_active AND p.code = 'prakerja-jatim'",
                [],
            )
        }

        def one() -> None:
            flow.one_flow(browser, outbox, ids, answers)
    else:
        phone = pages.Phone(browser, outbox)

        def one() -> None:
            pages.one_flow(phone, ids)

    for _ in range(warmup):
        one()
    subprocess.run(["callgrind_control", "-i", "on", str(os.getpid())], check=True)
    before = sum(len(times) for times in browser.timings.values())
    browser.counting = True
    for _ in range(flows):
        one()
    browser.counting = False
    requests = sum(len(times) for times in browser.timings.values()) - before
    print(json.dumps({"requests": requests}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flows", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--flow", choices=("pages", "api"), default="pages")
    parser.add_argument("--root", type=Path, default=HERE.parent)
    parser.add_argument("--database", default="prakerja_bench_pages")
    parser.add_argument(
        "--keep", action="store_true", help="keep callgrind's output (for callgrind_annotate)"
    )
    parser.add_argument("--helper", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    root = args.root.resolve()
    if os.environ.get(UNDER_VALGRIND):
        measure(root, args.database, args.flows, args.warmup, args.helper, args.flow)
        return
    exists = subprocess.run(
        [
            "psql",
            "postgresql://postgres@127.0.0.1:5432/postgres",
            "-Atc",
            f"SELECT 1 FROM pg_database WHERE datname = '{args.database}'",
        ],
        capture_output=True,
        text=True,
    ).stdout.strip()
    if exists != "1":
        sys.exit(
            f"no database {args.database}: run bench/registration_pages.py once first "
            "(it generates the 1,000,000 registrations)"
        )
    helper = helper_build()
    out = RESULTS / f"callgrind-{int(time.time())}.out"
    command = [
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        "--collect-atstart=no",
        f"--callgrind-out-file={out}",
        str(root / ".venv" / "bin" / "python"),
        str(Path(__file__).resolve()),
        "--flows",
        str(args.flows),
        "--warmup",
        str(args.warmup),
        "--flow",
        args.flow,
        "--root",
        str(root),
        "--database",
        args.database,
        "--helper",
        str(helper),
    ]
    started = time.monotonic()
    run = subprocess.run(
        command, capture_output=True, text=True, env={**os.environ, UNDER_VALGRIND: "1"}
    )
    counted = re.search(r"^totals: (\d+)", out.read_text(), re.M) if out.exists() else None
    reported = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    if run.returncode != 0 or counted is None or not reported:
        sys.exit(f"the run failed:\n{run.stdout[-2000:]}\n{run.stderr[-3000:]}")
    instructions = int(counted.group(1))
    commit = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    result = {
        "root": str(root),
        "commit": commit,
        "database": args.database,
        "flow": args.flow,
        "flows": args.flows,
        "requests_per_flow": reported[0]["requests"] / args.flows,
        "instructions_per_flow": instructions // args.flows,
        "seconds": round(time.monotonic() - started),
    }
    (RESULTS / f"registration_instructions-{int(time.time())}.json").write_text(
        json.dumps(result, indent=2)
    )
    if args.keep:
        print(f"callgrind output: {out}")
    else:
        out.unlink()
    print(json.dumps(result))
    print(
        f"{commit}: {result['instructions_per_flow'] / 1e6:.1f} M instructions per registration "
        f"through the {'API' if args.flow == 'api' else 'HTML pages'} "
        f"({result['requests_per_flow']:.1f} requests), {args.flows} flows"
    )


if __name__ == "__main__":
    main()
