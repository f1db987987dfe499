"""`pharmagarde serve`: the production web server (gunicorn), and optionally the worker.

Alone, the command replaces itself with gunicorn, so that signals from systemd reach it
directly. With --with-worker it supervises two children, gunicorn and the task worker:
SIGINT or SIGTERM stops both gracefully, and if either dies the other is stopped too, so a
half-running installation never goes unnoticed.
"""

import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand

# Long enough for a PDF report, short enough to free a worker stuck on a slow client.
TIMEOUT = 60
GRACEFUL_TIMEOUT = 30
THREADS = 4


def default_workers():
    """One process per CPU (at least 2, at most 8), each with THREADS threads.

    WEB_CONCURRENCY, the usual convention, overrides it.
    """
    if os.environ.get("WEB_CONCURRENCY"):
        return int(os.environ["WEB_CONCURRENCY"])
    try:
        cpus = len(os.sched_getaffinity(0))  # the CPUs this container may really use
    except AttributeError:
        cpus = os.cpu_count() or 1
    return max(2, min(cpus, 8))


def bind_address(host, port):
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def gunicorn_argv(*, host, port, workers, threads=THREADS):
    return [
        sys.executable, "-m", "gunicorn", "pharmagarde.wsgi:application",
        "--bind", bind_address(host, port),
        "--workers", str(workers),
        "--worker-class", "gthread",
        "--threads", str(threads),
        "--timeout", str(TIMEOUT),
        "--graceful-timeout", str(GRACEFUL_TIMEOUT),
        "--keep-alive", "5",
        # Recycle workers now and then: bounds the memory any leak can take.
        "--max-requests", "2000",
        "--max-requests-jitter", "200",
        "--access-logfile", "-",
        "--error-logfile", "-",
        # The control socket defaults to one path per user, shared by every instance;
        # we do not use it, so it is one less local entry point.
        "--no-control-socket",
    ]


def worker_argv():
    return [sys.executable, "-m", "pharmagarde.cli", "worker"]


def is_listening(host, port):
    """True once something accepts connections on host:port (0.0.0.0 is tried locally)."""
    import socket

    local = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)  # noqa: S104
    try:
        with socket.create_connection((local, int(port)), timeout=0.5):
            return True
    except OSError:
        return False


def supervise(commands, *, ready_check=None, on_ready=None, poll=0.2):
    """Run the commands as children until one exits or we are asked to stop.

    Children get their own process group, so a Ctrl+C in the terminal reaches them once,
    through us, as a SIGTERM (a second signal makes the worker abandon its current task).
    `ready_check` is polled until it succeeds, then `on_ready` runs once: `up` prints the
    address only when the server answers. Returns the exit status: 0 after a requested
    stop, else the status of the child that stopped first.
    """
    stop = {"signal": None}

    def request_stop(signum, frame):
        stop["signal"] = signum

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    children, exited = [], None
    try:
        children = [subprocess.Popen(argv, process_group=0) for argv in commands]  # noqa: S603
        exited = _wait(children, stop, ready_check, on_ready, poll)
    finally:
        _stop_all(children)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if exited is None:
        return 0
    # A child stopping on its own is a failure even with status 0: the service is gone.
    code = exited.returncode
    return (128 - code if code < 0 else code) or 1


def _wait(children, stop, ready_check, on_ready, poll):
    """Wait for a stop request (returns None) or a child's exit (returns that child)."""
    ready = ready_check is None
    while stop["signal"] is None:
        exited = next((child for child in children if child.poll() is not None), None)
        if exited is not None:
            return exited
        if not ready and ready_check():
            ready = True
            if on_ready:
                on_ready()
        time.sleep(poll)
    return None


def _stop_all(children):
    for child in children:
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + GRACEFUL_TIMEOUT + 5
    for child in children:
        try:
            child.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


class Command(BaseCommand):
    help = "Démarre le serveur web de production (gunicorn) ; --with-worker ajoute le worker."

    def add_arguments(self, parser):
        parser.add_argument("--with-worker", action="store_true",
                            help="Démarre aussi le worker des tâches de fond (une seule machine).")
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"),
                            help="Adresse d'écoute (variable HOST, défaut 127.0.0.1).")
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"),
                            help="Port d'écoute (variable PORT, défaut 8000).")
        parser.add_argument("--workers", type=int, default=None,
                            help="Processus web (variable WEB_CONCURRENCY ; défaut : un par "
                                 "processeur, entre 2 et 8).")

    def handle(self, *args, with_worker, host, port, workers, **options):
        web = gunicorn_argv(host=host, port=port, workers=workers or default_workers())
        if not with_worker:
            sys.stdout.flush()
            os.execv(web[0], web)  # noqa: S606
        status = supervise([web, worker_argv()])
        if status:
            sys.exit(status)
