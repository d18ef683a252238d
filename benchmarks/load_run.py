"""A bounded load run: gunicorn in production mode on 127.0.0.1, wrk against the public
pages (home, articles, sections, tags, the English edition) for 60 s at 64 connections.

Passes when there are no errors (no 5xx or other non-2xx/3xx answers, no connect, read,
write or time-out errors) and the server's memory stays flat (resident memory of the
gunicorn master and workers after a warm-up and after the run). Prints a table.

    .venv/bin/python benchmarks/load_run.py [--seconds 60] [--connections 64]

Needs `wrk`. Uses a throw-away database: a temporary SQLite file, or, when DATABASE_URL
names PostgreSQL, a temporary database on that server (dropped afterwards). Set REDIS_URL
to run with the shared cache. Nothing is timed against a threshold: latency is reported.
"""

import argparse
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
MAX_SECONDS = 120
MAX_CONNECTIONS = 256
MEMORY_GROWTH_LIMIT = 0.20  # "flat": less than 20 % more resident memory after the run

LUA = r"""
local paths = {%s}
local counter = 0
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) server_errors = 0; counter = 0 end
function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
function response(status, headers, body)
  if status >= 500 then server_errors = server_errors + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("server_errors") end
  io.write(string.format("server_errors %%d\n", total))
  for _, p in ipairs({50, 90, 99}) do
    io.write(string.format("latency_p%%d_us %%d\n", p, latency:percentile(p)))
  end
end
"""


def run(args, env, **kwargs):
    return subprocess.run(args, cwd=ROOT, env=env, check=True, **kwargs)


def rss_kib(master_pid):
    """Resident memory of the gunicorn master and all its workers, in KiB."""
    pids = [master_pid]
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    if children.exists():
        pids += [int(pid) for pid in children.read_text().split()]
    total = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except FileNotFoundError:
            continue
        total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
    return total, len(pids) - 1


def wait_until_up(url, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server did not answer {url}")


def wrk(base, script, seconds, connections):
    threads = min(connections, os.cpu_count() or 2, 8)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    command += ["--timeout", "10s", "-s", str(script), base + "/"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30)
    if "Requests/sec" not in result.stdout:
        raise SystemExit(f"wrk failed:\n{result.stdout}\n{result.stderr}")
    return parse_wrk(result.stdout)


def parse_wrk(output):
    def number(pattern, default=0):
        match = re.search(pattern, output)
        return int(match.group(1)) if match else default

    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return {
        "requests": number(r"(\d+) requests in"),
        "non_2xx_3xx": number(r"Non-2xx or 3xx responses: (\d+)"),
        "server_errors": number(r"server_errors (\d+)"),
        "connect": int(socket.group(1)) if socket else 0,
        "read": int(socket.group(2)) if socket else 0,
        "write": int(socket.group(3)) if socket else 0,
        "timeout": int(socket.group(4)) if socket else 0,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": number(r"latency_p50_us (\d+)") / 1000,
        "p90_ms": number(r"latency_p90_us (\d+)") / 1000,
        "p99_ms": number(r"latency_p99_us (\d+)") / 1000,
    }


def throwaway_database(workdir):
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{workdir / 'load.sqlite3'}", None
    import psycopg2

    name = f"newsroom_loadrun_{secrets.token_hex(4)}"
    server = url.rsplit("/", 1)[0]
    admin = psycopg2.connect(server + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()

    return f"{server}/{name}", drop


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--port", type=int, default=8791)
    options = parser.parse_args()
    seconds = max(1, min(options.seconds, MAX_SECONDS))
    connections = max(1, min(options.connections, MAX_CONNECTIONS))
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")

    workdir = Path(tempfile.mkdtemp(prefix="newsroom-load-"))
    database_url, drop_database = throwaway_database(workdir)
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",  # plain HTTP on the loopback, no TLS proxy here
        DJANGO_LOG_LEVEL="WARNING",
        MEDIA_ROOT=str(workdir / "media"),
    )
    server = None
    try:
        quiet = {"stdout": subprocess.DEVNULL}
        run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env)
        run([PYTHON, "manage.py", "loaddemo", "--no-users"], env, **quiet)
        run(
            [PYTHON, "manage.py", "generate_articles", "--count", str(options.articles)],
            env,
            **quiet,
        )
        run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env)
        listing = run(
            [PYTHON, "manage.py", "shell", "-v0", "-c", PATHS_CODE],
            env,
            capture_output=True,
            text=True,
        ).stdout.split()
        listing = [path for path in listing if path.startswith("/")]
        paths = ", ".join(f'"{path}"' for path in listing)
        script = workdir / "paths.lua"
        script.write_text(LUA % paths)

        base = f"http://127.0.0.1:{options.port}"
        server = subprocess.Popen(
            [str(Path(PYTHON).parent / "gunicorn"), "newsroom.wsgi", "--workers",
             str(options.workers), "--bind", f"127.0.0.1:{options.port}"],
            cwd=ROOT, env=env, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=open(workdir / "gunicorn.log", "w"),
        )  # fmt: skip
        wait_until_up(base + "/")
        warm = wrk(base, script, min(10, seconds), connections)
        before, workers = rss_kib(server.pid)
        result = wrk(base, script, seconds, connections)
        after, _workers = rss_kib(server.pid)
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        if drop_database:
            drop_database()
        log = workdir / "gunicorn.log"
        errors = log.read_text() if log.exists() else ""
        shutil.rmtree(workdir, ignore_errors=True)

    growth = (after - before) / before if before else 0
    socket_errors = result["connect"] + result["write"] + result["timeout"]
    rows = [
        ("pages in rotation", len(listing)),
        ("gunicorn workers", workers),
        ("duration, connections", f"{seconds} s, {connections}"),
        ("warm-up requests", warm["requests"]),
        ("requests", result["requests"]),
        ("requests/s", f"{result['rps']:.0f}"),
        ("latency p50 / p90 / p99", f"{result['p50_ms']:.1f} / {result['p90_ms']:.1f} / "
                                    f"{result['p99_ms']:.1f} ms"),
        ("5xx answers", result["server_errors"]),
        ("non-2xx/3xx answers", result["non_2xx_3xx"]),
        ("socket errors (connect/read/write/timeout)",
         f"{result['connect']}/{result['read']}/{result['write']}/{result['timeout']}"),
        ("memory before / after (RSS, all processes)",
         f"{before / 1024:.1f} / {after / 1024:.1f} MiB ({growth:+.1%})"),
    ]  # fmt: skip
    print("load run (gunicorn, production settings)")
    for label, value in rows:
        print(f"  {label:<44} {value}")
    failed = []
    if result["requests"] == 0:
        failed.append("no requests")
    if result["server_errors"] or result["non_2xx_3xx"]:
        failed.append("error answers")
    if socket_errors:
        failed.append("socket errors")
    if growth > MEMORY_GROWTH_LIMIT:
        failed.append(f"memory grew by more than {MEMORY_GROWTH_LIMIT:.0%}")
    if "Traceback" in errors:
        failed.append("server errors in the gunicorn log")
    print(f"load run: {'FAILED (' + ', '.join(failed) + ')' if failed else 'ok'}")
    return 1 if failed else 0


PATHS_CODE = """
from articles.models import Article, Section, Tag
paths = ["/", "/en/"]
paths += [s.get_absolute_url() for s in Section.objects.all()]
paths += [t.get_absolute_url() for t in Tag.objects.all()[:20]]
paths += [a.get_absolute_url() for a in Article.objects.public().select_related("section")[:200]]
paths += [a.get_absolute_url().replace("/", "/en/", 1) for a in
          Article.objects.public("en").select_related("section")[:20]]
print("\\n".join(p for p in paths))
"""

if __name__ == "__main__":
    sys.exit(main())
