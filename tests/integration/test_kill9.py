# SPDX-License-Identifier: MIT
"""kill -9 in the middle of a run of settings writes (LOCROOM and eight
channel labels in turn, each saved before it is acknowledged, with a gain
change between them), KILL9_ROUNDS times (20): after each restart the
state file is complete JSON and every setting holds its last acknowledged
value (or the one in flight when the kill landed): 0 acknowledged
settings lost. The kill lands after a random number of acknowledged
writes out of KILL9_WRITES (100 here; bench/soak/kill9.sh runs 1000)."""
import json
import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from convergd_test import Checks, Console, Daemon  # noqa: E402

ROUNDS = int(os.environ.get("KILL9_ROUNDS", "20"))
WRITES = int(os.environ.get("KILL9_WRITES", "100"))
KEYS = ["LOCROOM"] + [f"LABEL {ch} I" for ch in range(1, 9)]
results = Checks()
check = results.check


class Burst:
    """Writes in a thread until the connection dies or WRITES are done;
    `acked` maps each key to its last acknowledged value, `inflight` is
    the write sent and not yet answered."""

    def __init__(self, daemon, round_no):
        self.daemon, self.round_no = daemon, round_no
        self.acked, self.count, self.inflight = {}, 0, None
        self.errors = []
        self.thread = threading.Thread(target=self.run)
        self.thread.start()

    def run(self):
        try:
            con = Console(self.daemon.port)
            for n in range(1, WRITES + 1):
                key = KEYS[n % len(KEYS)]
                value = f"r{self.round_no}n{n}"
                self.inflight = (key, value)
                reply = con.command(f"#H0 {key} {value}")
                if reply.upper() != f"OK> #H0 {key} {value}".upper():
                    raise AssertionError(reply)
                self.acked[key] = value
                self.inflight = None
                self.count = n
                con.command(f"#H0 GAIN 1 M {-(n % 60)} A")
        except (ConnectionError, OSError, TimeoutError):
            pass
        except AssertionError as e:
            self.errors.append(str(e))


def lost(daemon, burst):
    """The acknowledged writes the restarted daemon does not have."""
    con = Console(daemon.port)
    missing = []
    for key, value in burst.acked.items():
        got = con.command(f"#H0 {key}")[len(f"OK> #H0 {key} "):]
        if got.lower() != value.lower() and \
                burst.inflight != (key, got.lower()):
            missing.append((key, value, got))
    con.close()
    return missing


def one_round(daemon, round_no, rng):
    target = rng.randint(1, WRITES)
    burst = Burst(daemon, round_no)
    deadline = time.monotonic() + 60
    while burst.count < target and burst.thread.is_alive() and \
            time.monotonic() < deadline:
        time.sleep(0.001)
    daemon.kill9()
    burst.thread.join(15)
    check(f"round {round_no}: every reply was the expected one",
          not burst.errors, burst.errors[:1])
    with open(daemon.state) as f:
        text = f.read()
    try:
        json.loads(text)
        complete = True
    except ValueError:
        complete = False
    check(f"round {round_no}: state file is complete JSON", complete)
    daemon.start()
    missing = lost(daemon, burst)
    check(f"round {round_no}: killed after {burst.count} of {WRITES} "
          f"writes (aimed at {target}); 0 acknowledged settings lost",
          burst.count > 0 and not missing, missing[:3])
    return burst.count


def main():
    seed = int(os.environ.get("KILL9_SEED", time.time()))
    rng = random.Random(seed)
    print(f"# seed: {seed}, {ROUNDS} rounds of up to {WRITES} writes")
    daemon = Daemon()
    total = 0
    try:
        daemon.start()
        for round_no in range(1, ROUNDS + 1):
            total += one_round(daemon, round_no, rng)
        status = daemon.stop()
        check("final SIGTERM exits 0", status == 0)
    finally:
        daemon.cleanup()
    print(f"# {total} acknowledged writes checked over {ROUNDS} kills")
    return results.finish()


if __name__ == "__main__":
    sys.exit(main())
