"""The run folder on disk: what it holds, which checkpoint a resume continues from, and the rules that keep a
run's data from being lost. train.py writes the folder; this file decides what may be written where.

A run folder (--out-dir) holds config.json, metrics.jsonl (one line a step), held_out.json, report.md,
curve.png, rollouts/, and checkpoint-NNNNNN/ folders. Each checkpoint is a Hugging Face model folder (the
weights, written once) plus train_config.json, train_state.json, state/ (optimizer, scheduler, every process's
RNG) and a copy of the run's metrics up to its step. The rules:

    1. A new run never destroys another: a folder that holds a run is refused, with a message that offers
       --resume, a new --out-dir, or --overwrite (which deletes the earlier run's outputs and the tiny model it
       built, nothing else).
    2. A resume writes where it was pointed: the run folder given, or the one holding the checkpoint given,
       or an explicit --out-dir (a new folder: the run continues there, its metrics copied from the checkpoint).
    3. A checkpoint is written to checkpoint-N.tmp and renamed when whole (train_state.json last), so a folder
       named checkpoint-N is always complete; a kill during a save leaves a .tmp folder, which is ignored.
    4. The newest *consistent* checkpoint wins: its own copy of the metrics must agree with the run's
       metrics.jsonl, so a checkpoint left by a timeline that a resume from an older checkpoint abandoned is
       never picked. Such later checkpoints are moved, with the metrics they belong to, to abandoned-K/ when the
       resume starts: set aside, not deleted. The resumed run's metrics.jsonl is the checkpoint's own copy.
    5. Only the newest --save-total-limit checkpoints are kept (each deleted by renaming it first).
"""
import json
import math
import os
import re
import shutil
import zipfile

from config import ConfigError
from model import ModelError, check_model_path, read_json
from records import output_folder_problem

CHECKPOINT = re.compile(r"checkpoint-(\d+)")
UNFINISHED = re.compile(r"checkpoint-\d+\.(tmp|deleting)")  # a save or a deletion that a kill cut short
RUN_OUTPUTS = re.compile(r"metrics\.jsonl|config\.json|held_out\.json|report\.md|curve\.png|rollouts|game-rl|"
                         r"checkpoint-\d+(\.\w+)?|abandoned-\d+")  # what a run writes; game-rl/: tensorboard logs


def run_outputs(folder):
    """The names in `folder` that a run wrote (RUN_OUTPUTS), sorted; [] for a folder without a run in it (the
    default run's tiny-model/ alone is not a run: it is its starting point). A config.json counts only when it is
    a run's (it has out_dir): a model folder given as --out-dir by mistake keeps its own."""
    if not os.path.isdir(folder):
        return []
    return sorted(n for n in os.listdir(folder) if RUN_OUTPUTS.fullmatch(n) and (n != "config.json" or run_config(
        os.path.join(folder, n))))


def run_config(path):
    try:
        return "out_dir" in read_json(path)
    except (ModelError, TypeError):
        return False


def checkpoints(folder, complete=True):
    """{step: path} of the checkpoint-N folders in `folder`, oldest first; only the complete ones (those with
    train_state.json, written last) unless complete=False."""
    found = {}
    for name in os.listdir(folder) if os.path.isdir(folder) else []:
        match = CHECKPOINT.fullmatch(name)
        if match and (not complete or os.path.isfile(os.path.join(folder, name, "train_state.json"))):
            found[int(match.group(1))] = os.path.join(folder, name)
    return dict(sorted(found.items()))


def metric_lines(path, last_step=math.inf):
    """The lines of a metrics.jsonl, as written, whose step is <= last_step. A line cut short by a kill while it
    was being written (no newline, or not JSON) is dropped."""
    if not os.path.isfile(path):
        return []
    kept = []
    for line in open(path, encoding="utf-8", errors="replace"):
        try:
            step = json.loads(line)["step"] if line.endswith("\n") else None
        except (ValueError, KeyError, TypeError):
            step = None
        if step is not None and step <= last_step:
            kept.append(line)
    return kept


def write_atomically(path, lines):
    """Replace a file in one step: a kill leaves either the old file or the new one, never a truncated one."""
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.writelines(lines)
    os.replace(path + ".tmp", path)


# ---------------------------------------------------------------------------------------------------------
# Which checkpoint a resume continues from


def step_of(checkpoint):
    return read_json(os.path.join(checkpoint, "train_state.json"))["step"]


def consistent(checkpoint, run_dir):
    """Whether `run_dir`'s metrics.jsonl agrees with the copy the checkpoint was saved with, up to its step. A
    checkpoint of an abandoned timeline has other lines (at the least, other timings); one saved after the
    run's last metrics line has lines the run lacks. With either copy missing there is nothing to compare."""
    own, run = os.path.join(checkpoint, "metrics.jsonl"), os.path.join(run_dir, "metrics.jsonl")
    if not os.path.isfile(own) or not os.path.isfile(run):
        return True
    return metric_lines(run, step_of(checkpoint)) == metric_lines(own)


def find_checkpoint(path):
    """A checkpoint folder itself, or the newest complete and consistent checkpoint-N of a run folder."""
    if os.path.isfile(os.path.join(path, "train_state.json")):
        return path
    if not os.path.isdir(path):
        raise ConfigError(f"--resume: {path!r} does not exist")
    found = checkpoints(path)
    if not found:
        unfinished = sorted(n for n in os.listdir(path) if UNFINISHED.fullmatch(n) or CHECKPOINT.fullmatch(n))
        raise ConfigError(f"--resume: no complete checkpoint-* folder in {path!r}"
                          + (f" ({', '.join(unfinished)} never finished saving)" if unfinished else ""))
    for folder in reversed(found.values()):
        try:
            if consistent(folder, path):
                return folder
        except ModelError as e:  # an unreadable train_state.json
            raise ConfigError(f"--resume: {e}") from None
    raise ConfigError(f"--resume: no checkpoint in {path!r} agrees with its metrics.jsonl (edited by hand?); point "
                      f"--resume at the checkpoint folder to continue from, e.g. --resume {list(found.values())[-1]}")


def check_checkpoint(checkpoint):
    """The step a checkpoint was saved at, once every file a resume reads is known to be whole: the JSON files,
    the weights (model.check_model_path), and the torch.save archives (optimizer, scheduler, RNG, stored rollout),
    which are zip files whose directory sits at the end, so a copy cut short loses it. Checked before the model
    loads, with the file named."""
    try:
        check_model_path(checkpoint)
        step = step_of(checkpoint)
        read_json(os.path.join(checkpoint, "train_config.json"))
    except ModelError as e:
        raise ConfigError(f"--resume: {e}") from None
    for root, _, files in os.walk(checkpoint):
        for name in files:
            path = os.path.join(root, name)
            if name.endswith((".bin", ".pt", ".pkl")) and not zipfile.is_zipfile(path):
                raise ConfigError(f"--resume: {path} is cut short or damaged (not the zip archive torch.save writes); "
                                  f"resume from an earlier checkpoint")
    return step


def run_folder_of(checkpoint):
    """The run folder a checkpoint belongs to: its parent when it is named checkpoint-N, else None."""
    head, name = os.path.split(os.path.normpath(checkpoint))
    return (head or ".") if CHECKPOINT.fullmatch(name) else None


def same_folder(a, b):
    return a is not None and b is not None and os.path.realpath(a) == os.path.realpath(b)


# ---------------------------------------------------------------------------------------------------------
# Before the run: refuse what would lose data (every process, before anything loads), then set the folder up


def check_run_folder(out_dir, checkpoint, overwrite):
    """ConfigError when --out-dir cannot take this run: a file, a folder that cannot be written, or one that
    holds another run (a new run would empty its metrics and leave its checkpoints for a later --resume to pick
    up), unless --overwrite. Resuming in the checkpoint's own run folder is the one case where a run is expected."""
    problem = output_folder_problem(out_dir)
    if problem:
        raise ConfigError(f"--out-dir: {problem}")
    continuing = checkpoint is not None and same_folder(run_folder_of(checkpoint), out_dir)
    if continuing and overwrite:
        raise ConfigError(f"--overwrite would delete {out_dir}, the run that --resume continues; drop --overwrite")
    held = run_outputs(out_dir)
    if held and not continuing and not overwrite:
        shown = ", ".join(held[:4]) + (", ..." if len(held) > 4 else "")
        raise ConfigError(f"--out-dir {out_dir} already holds a run ({shown}): continue it with --resume {out_dir}, "
                          f"choose another --out-dir, or pass --overwrite to delete that run")


def prepare_run_folder(out_dir, checkpoint, start_step, overwrite, tiny_model):
    """Set out_dir up for the run (main process only, after check_run_folder passed on every process); returns
    the lines to tell the user.
    --overwrite: the earlier run's outputs are deleted, and the tiny model it built (rebuilt from the seed, it gives
        the rerun the very random stream the first run had).
    A resume: metrics.jsonl becomes the checkpoint's own copy (the run logs its later steps again); checkpoints after
    it, of a timeline this resume abandons, are moved with that timeline's metrics to abandoned-K/; a resume into
    a new folder brings the default run's tiny-model/ along (the reference model when beta > 0).
    Unfinished saves and deletions (checkpoint-N.tmp, .deleting) are removed."""
    said = []
    os.makedirs(out_dir, exist_ok=True)
    if overwrite and run_outputs(out_dir):
        for name in run_outputs(out_dir) + ["tiny-model"]:
            path = os.path.join(out_dir, name)
            if os.path.isdir(path):
                shutil.rmtree(path)
            elif os.path.exists(path):
                os.remove(path)
        said.append(f"--overwrite: deleted the earlier run in {out_dir}")
    for name in os.listdir(out_dir):
        if UNFINISHED.fullmatch(name):
            shutil.rmtree(os.path.join(out_dir, name))
    if checkpoint is None:
        return said
    metrics, source = os.path.join(out_dir, "metrics.jsonl"), run_folder_of(checkpoint)
    if os.path.isfile(os.path.join(checkpoint, "metrics.jsonl")):
        own = metric_lines(os.path.join(checkpoint, "metrics.jsonl"))
    else:  # a checkpoint saved before checkpoints kept their metrics
        own = metric_lines(os.path.join(source or out_dir, "metrics.jsonl"), start_step)
    later = [path for step, path in checkpoints(out_dir, complete=False).items() if step > start_step]
    if later:  # in this order, so that a kill between any two steps leaves a folder the next resume reads right
        aside = next(os.path.join(out_dir, f"abandoned-{k}") for k in range(1, 1 << 20)
                     if not os.path.exists(os.path.join(out_dir, f"abandoned-{k}")))
        os.makedirs(aside)
        if os.path.isfile(metrics):
            shutil.copyfile(metrics, os.path.join(aside, "metrics.jsonl"))
        write_atomically(metrics, own)
        for path in later:
            os.replace(path, os.path.join(aside, os.path.basename(path)))
        said.append(f"resuming from step {start_step}: the later checkpoints "
                    f"({', '.join(os.path.basename(p) for p in later)}) and their metrics were moved to {aside}/ "
                    f"(delete it when you no longer need it)")
    else:
        write_atomically(metrics, own)
    tiny = os.path.join(out_dir, "tiny-model")
    if tiny_model and source and not same_folder(source, out_dir) and not os.path.isdir(tiny):
        shutil.copytree(os.path.join(source, "tiny-model"), tiny)
    return said


# ---------------------------------------------------------------------------------------------------------
# After each save


def prune_checkpoints(out_dir, keep):
    """Delete all but the newest `keep` complete checkpoints (keep 0: none deleted). Each is renamed before it is
    deleted, so a kill in the middle never leaves a half-deleted folder under a checkpoint's name."""
    if keep:
        for path in list(checkpoints(out_dir).values())[:-keep]:
            os.replace(path, path + ".deleting")
            shutil.rmtree(path + ".deleting")
