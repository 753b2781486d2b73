"""Kill -9 training runs at random moments, resume them, and check each ends with the uninterrupted run's metrics.

    python bench/kill_resume.py                    # 20 trials, a few minutes a trial on a 2-core CPU
    python bench/kill_resume.py --trials 5 --seed 1

A reference run of the tiny model trains to the end untouched. Each trial then runs the same command in a new folder
and SIGKILLs it one to three times, each time at a moment drawn from:
    random   a time drawn uniformly over the reference run's wall time (loading, rollout, update, logging, ...)
    save     the moment a checkpoint-N.tmp folder appears: in the middle of writing a checkpoint
    prune    in the middle of deleting an old checkpoint (the process kills itself there, one file deleted: too
             short a moment to hit from outside)
    older    a resume of the *finished* run from its oldest kept checkpoint (the newer ones are then set aside),
             killed a random moment after it has set the folder up: the two-timelines case
After each kill the trial does what the run's own last message says: `--resume FOLDER`, or, when no checkpoint
was complete yet, start again with --overwrite. The last start runs to the end. The trial passes when metrics.jsonl
then holds exactly the reference's steps with the same numbers (all keys but seconds/*, within 1e-6 relative).

The settings put checkpoints inside rollouts (steps_per_rollout 3, a save every 2 steps) and use beta > 0, so the
stored rollout and the reference model are resumed too; --save-total-limit 3 makes every save from the 4th prune.
"""
import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARGS = ["--max-steps", "12", "--save-every", "2", "--save-total-limit", "3", "--steps-per-rollout", "3",
        "--prompts-per-step", "2", "--num-generations", "4", "--micro-batch-size", "3", "--beta", "0.04",
        "--eval-samples", "0"]
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false", "OMP_NUM_THREADS": "1"}
MOMENTS = ("random", "save", "prune", "older")


# train.py, but the process SIGKILLs itself in the middle of deleting an old checkpoint (one file of it gone): a
# moment too short (a millisecond on the tiny model) for a kill from outside to hit by chance
KILLED_IN_PRUNE = f"""
import os, shutil, signal, sys
sys.path.insert(0, {ROOT!r})
import train
real_rmtree = shutil.rmtree
def rmtree(path, *args, **kwargs):
    if str(path).endswith(".deleting"):
        os.remove(next(os.path.join(r, f) for r, _, files in os.walk(path) for f in files))
        os.kill(os.getpid(), signal.SIGKILL)
    return real_rmtree(path, *args, **kwargs)
shutil.rmtree = rmtree
train.main(sys.argv[1:])
"""


def start(*flags, killed_in_prune=False):
    script = ["-c", KILLED_IN_PRUNE] if killed_in_prune else [os.path.join(ROOT, "train.py")]
    return subprocess.Popen([sys.executable, *script, *ARGS, *flags], cwd=ROOT, env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish(p):
    out, _ = p.communicate(timeout=900)
    return p.returncode, out


def metrics(folder):
    return [{k: v for k, v in json.loads(line).items() if not k.startswith("seconds/")}
            for line in open(os.path.join(folder, "metrics.jsonl"))]


def same(got, expected):
    if [m["step"] for m in got] != [m["step"] for m in expected]:
        return f"steps {[m['step'] for m in got]}"
    for a, b in zip(got, expected):
        for key in b:
            if key not in a or abs(a[key] - b[key]) > 1e-6 * max(1.0, abs(b[key])):
                return f"step {b['step']} {key}: {a.get(key)} != {b[key]}"
    return ""


def names(folder):
    return os.listdir(folder) if os.path.isdir(folder) else []


def wait_for(p, condition, deadline):
    """Poll every 5 ms until condition() holds (True) or the run has ended (False)."""
    while p.poll() is None and time.time() < deadline:
        if condition():
            return True
        time.sleep(0.005)
    return False


def complete_checkpoint(run):
    return any(n.startswith("checkpoint-") and os.path.isfile(os.path.join(run, n, "train_state.json"))
               for n in names(run))


def kill_at(p, run, moment, rng, ref_seconds):
    """SIGKILL p at the drawn moment; returns what the folder held when it died (or that the run ended first)."""
    deadline = time.time() + 600
    unfinished = lambda: {n for n in names(run) if n.startswith("checkpoint-") and n.endswith(".tmp")}
    stale = unfinished()  # left by the last kill: the run removes them first
    wait_for(p, lambda: not stale & unfinished(), deadline)
    saving = lambda: bool(unfinished())  # (not tiny-model.tmp, the model being built, nor metrics.jsonl.tmp)
    if moment == "random":
        at = time.time() + rng.uniform(0.5, ref_seconds)
        hit = wait_for(p, lambda: time.time() >= at, deadline)
    elif moment == "save":  # the 1st or 2nd save of this start
        nth = rng.randint(1, 2)
        for i in range(nth):
            hit = wait_for(p, saving, deadline)
            if i < nth - 1:
                wait_for(p, lambda: not saving(), deadline)
    elif moment == "prune":  # the process kills itself (KILLED_IN_PRUNE)
        p.wait()
        killed = p.returncode == -signal.SIGKILL
        seen = sorted(n for n in names(run) if n.startswith(("checkpoint-", "abandoned-")))
        return f"prune: {'killed itself' if killed else 'the run ended first'} with {', '.join(seen)}"
    else:  # older: a random moment after the resume has set the folder up (the newer checkpoints moved aside)
        hit = wait_for(p, lambda: any(n.startswith("abandoned-") for n in names(run)), deadline)
        at = time.time() + rng.uniform(0.0, 1.0)
        wait_for(p, lambda: time.time() >= at, deadline)
    if p.poll() is not None:
        return f"{moment}: the run ended before the kill"
    seen = sorted(n for n in names(run) if n.startswith(("checkpoint-", "abandoned-")))
    p.send_signal(signal.SIGKILL)
    p.wait()
    return f"{moment}: killed with {', '.join(seen) or 'no checkpoint'}" + ("" if hit else " (moment not reached)")


def trial(k, rng, reference, ref_seconds, work):
    """One trial: 1 to 3 kills at drawn moments, then a last start that runs to the end. (kills, outcome)"""
    run = os.path.join(work, f"trial-{k:03d}")
    moments = [rng.choice(MOMENTS) for _ in range(rng.randint(1, 3))]
    if "older" in moments:  # it starts from the finished run; any other kills then hit the resumed run
        moments = ["older"] + [m for m in moments if m != "older"]
        shutil.copytree(reference, run)
        older = sorted(n for n in names(run) if n.startswith("checkpoint-"))[0]
        flags = ["--resume", os.path.join(run, older)]
    else:  # the run builds its tiny model, as the reference did (building it draws from the random stream)
        flags = ["--out-dir", run]
    kills = []
    for moment in moments:
        kills.append(kill_at(start(*flags, killed_in_prune=moment == "prune"), run, moment, rng, ref_seconds))
        # what the run's own message says: resume, or, with no checkpoint complete yet, start again
        flags = ["--resume", run] if complete_checkpoint(run) else ["--out-dir", run, "--overwrite"]
    code, out = finish(start(*flags))
    if code != 0:
        return kills, f"FAILED: exit {code}: {out[-1500:]}"  # the folder is kept
    problem = same(metrics(run), metrics(reference))
    if not problem:
        shutil.rmtree(run)  # kept only when something is wrong, to look at
    return kills, ("identical" if not problem else f"DIFFERENT: {problem}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=20, help="number of trials (default 20)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the kill moments")
    parser.add_argument("--work", default=None, help="folder for the runs (default: a new temp folder)")
    args = parser.parse_args(argv)
    if args.trials < 1:
        parser.error(f"--trials must be at least 1, got {args.trials}")
    work = args.work or tempfile.mkdtemp(prefix="kill-resume-")
    reference = os.path.join(work, "reference")
    t0 = time.time()
    code, out = finish(start("--out-dir", reference, "--overwrite"))
    if code != 0:
        sys.exit(f"bench/kill_resume.py: the reference run failed:\n{out[-2000:]}")
    ref_seconds = time.time() - t0
    print(f"work folder {work}; reference run {ref_seconds:.1f} s; train.py {' '.join(ARGS)}", flush=True)
    rng = random.Random(args.seed)
    results = []
    for k in range(args.trials):
        kills, outcome = trial(k, rng, reference, ref_seconds, work)
        results.append(outcome)
        print(f"trial {k:3d}: {outcome:10s} after {len(kills)} kill(s): {'; '.join(kills)}", flush=True)
    passed = sum(r == "identical" for r in results)
    print(f"\n{passed} of {len(results)} trials ended with the uninterrupted run's metrics")
    sys.exit(0 if passed == len(results) else 1)


if __name__ == "__main__":
    main()
