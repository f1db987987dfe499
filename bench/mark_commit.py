"""The window in which a killed sending worker loses a message: the commit that marks a row
sent (awareness/sending.py, step 2), with and without `sending.short_marks`' settings.

    python -m bench.mark_commit [--updates 2000] [--rounds 2]

A worker killed while it waits for that commit has the row marked sent and the message never
ended (a signal takes effect when the process comes back from the database). Measured here:
the time of one single-row UPDATE in autocommit, the mark's shape, on PostgreSQL at
127.0.0.1:5432 (a scratch database, created and dropped) with synchronous_commit on, then
off; on SQLite (WAL, synchronous=NORMAL, as the settings) with the automatic checkpoint,
then without. Both settings of a pair in the same round, alternating; printed as times and
as the ratio of the means. Numbers are printed, never asserted.
"""

import argparse
import os
import sqlite3
import statistics
import subprocess
import tempfile
import time


def timed(execute, count):
    times = []
    for i in range(1, count + 1):
        started = time.perf_counter()
        execute(i)
        times.append(time.perf_counter() - started)
    return sorted(times)


def postgres(name, setting, count):
    import psycopg

    with psycopg.connect(f"host=127.0.0.1 user=postgres dbname={name}",
                         autocommit=True) as connection:
        connection.execute(f"SET synchronous_commit TO {setting}")
        return timed(lambda i: connection.execute(
            "UPDATE marks SET sent = sent + 1 WHERE id = %s", (i,)), count)


def sqlite(path, checkpoint, count):
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA synchronous = NORMAL")
    connection.execute(f"PRAGMA wal_autocheckpoint = {checkpoint}")
    try:
        return timed(lambda i: connection.execute(
            "UPDATE marks SET sent = sent + 1 WHERE id = ?", (i * 7 % 20000 + 1,)), count)
    finally:
        connection.close()


def show(name, times):
    print(f"  {name:34} moyenne {statistics.mean(times) * 1e3:6.3f} ms  "
          f"p50 {times[len(times) // 2] * 1e3:6.3f}  p99 {times[int(len(times) * .99)] * 1e3:6.3f}"
          f"  max {times[-1] * 1e3:6.2f} ms")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    name = f"bench_mark_{os.getpid()}"
    server = ["-h", "127.0.0.1", "-U", "postgres"]
    subprocess.run(["createdb", *server, name], check=True)
    directory = tempfile.TemporaryDirectory()
    path = os.path.join(directory.name, "marks.sqlite3")
    try:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 user=postgres dbname={name}",
                             autocommit=True) as connection:
            connection.execute("CREATE TABLE marks (id int PRIMARY KEY, sent int, pad text)")
            connection.execute("INSERT INTO marks SELECT g, 0, repeat('x', 300) "
                               "FROM generate_series(1, 20000) g")
        lite = sqlite3.connect(path, isolation_level=None)
        lite.execute("PRAGMA journal_mode = WAL")
        lite.execute("CREATE TABLE marks (id integer PRIMARY KEY, sent int, pad text)")
        lite.execute("CREATE INDEX marks_sent ON marks (sent)")
        lite.executemany("INSERT INTO marks VALUES (?, 0, ?)",
                         [(i, "x" * 300) for i in range(1, 20001)])
        lite.close()
        for number in range(1, args.rounds + 1):
            print(f"Tour {number} : {args.updates} UPDATE d'une ligne, chacun validé seul")
            on = postgres(name, "on", args.updates)
            off = postgres(name, "off", args.updates)
            show("PostgreSQL, synchronous_commit on", on)
            show("PostgreSQL, synchronous_commit off", off)
            print(f"    fenêtre ÷ {statistics.mean(on) / statistics.mean(off):.1f} (moyennes)")
            auto = sqlite(path, 1000, args.updates)
            none = sqlite(path, 0, args.updates)
            show("SQLite, checkpoint automatique", auto)
            show("SQLite, sans checkpoint", none)
            print(f"    fenêtre ÷ {statistics.mean(auto) / statistics.mean(none):.1f} "
                  f"(moyennes), le pire ÷ {auto[-1] / none[-1]:.1f}")
    finally:
        directory.cleanup()
        subprocess.run(["dropdb", *server, "--force", name], check=False)


if __name__ == "__main__":
    main()
