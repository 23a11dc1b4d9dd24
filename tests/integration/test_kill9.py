# SPDX-License-Identifier: MIT
"""kill -9 in the middle of a burst of settings changes, 20 times in a
row: after each restart the state file is complete JSON and holds the
last acknowledged change (or the one in flight when the kill landed)."""
import json
import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from convergd_test import Checks, Console, Daemon  # noqa: E402

ROUNDS = 20
results = Checks()
check = results.check


def burst(daemon, round_no, acked, errors):
    """Send LOCROOM changes and gains until the connection dies; a wrong
    reply is recorded in `errors` (an exception in a thread is lost)."""
    try:
        con = Console(daemon.port)
        n = 0
        while True:
            n += 1
            reply = con.command(f"#H0 LOCROOM room-{round_no}-{n}")
            if reply.upper() != f"OK> #H0 LOCROOM ROOM-{round_no}-{n}":
                raise AssertionError(reply)
            acked[0] = n
            con.command(f"#H0 GAIN 1 M {-(n % 60)} A")
    except (ConnectionError, OSError, TimeoutError):
        pass
    except AssertionError as e:
        errors.append(str(e))


def main():
    rng = random.Random(int(os.environ.get("KILL9_SEED", time.time())))
    seed_note = os.environ.get("KILL9_SEED", "time")
    print(f"# seed: {seed_note}")
    daemon = Daemon()
    try:
        daemon.start()
        for round_no in range(1, ROUNDS + 1):
            acked = [0]
            errors = []
            t = threading.Thread(target=burst,
                                 args=(daemon, round_no, acked, errors))
            t.start()
            # kill at a random moment of the burst, once it is under way
            # (login is slow under sanitizers)
            deadline = time.monotonic() + 20
            while acked[0] == 0 and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(rng.uniform(0.05, 0.3))
            daemon.kill9()
            t.join(15)
            check(f"round {round_no}: every reply was the expected one",
                  not errors, errors[:1])
            last = acked[0]
            with open(daemon.state) as f:
                text = f.read()
            try:
                json.loads(text)
                complete = True
            except ValueError:
                complete = False
            check(f"round {round_no}: state file is complete JSON", complete)
            daemon.start()
            con = Console(daemon.port)
            room = con.command("#H0 LOCROOM").split(" ", 3)[3].lower()
            con.close()
            ok_values = {f"room-{round_no}-{last}", f"room-{round_no}-{last + 1}"}
            check(f"round {round_no}: last acknowledged change kept "
                  f"({last} acked, found {room})",
                  last > 0 and room in ok_values)
        status = daemon.stop()
        check("final SIGTERM exits 0", status == 0)
    finally:
        daemon.cleanup()
    return results.finish()


if __name__ == "__main__":
    sys.exit(main())
