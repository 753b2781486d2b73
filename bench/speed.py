"""Seconds per GRPO step: our loop (train.py), and TRL's GRPOTrainer on the same model and data when TRL is installed.

The README's Speed section comes from this script. For each image size it
  1. builds the tiny Qwen2.5-VL exactly as `accelerate launch train.py` does (its corpus and seed, once),
  2. writes the prompts to time at that image size as a dataset folder (metadata.jsonl + images/): --prompt demo,
     the default run's one-word 4x4 Snake board (a short prompt); snake, ViGaL's own Snake prompt as snake.py
     writes it for the vigal preset (10x10 board, think / best / worst answer: a long prompt, ~1,400 tiny-tokenizer
     tokens); rotation, ViGaL's four-image Rotation prompt,
  3. runs train.py on that folder: one prompt a step, G completions of free text (no --answer-words, no
     entropy bonus) of at most --max-completion-length tokens, beta 0, images not shrunk (max_pixels = side²),
     and reads its logged seconds/step after two warm-up steps,
  4. if `trl` is importable, trains TRL's GRPOTrainer on the same model folder and dataset folder with the same
     settings and the same reward (rewards.score), timing each step with a callback, after two warm-up steps.
     Gradient checkpointing is off on both sides (TRL turns it on by default; train.py only with the papers'
     presets).
Both sides sample with temperature 1 until EOS or the length limit; the random tiny model mostly runs into the
limit, so both do about the same work (completion tokens per step are printed beside the times).

Besides the medians it prints our step's phases (sampling, log-prob passes, update) and the useful-token fraction
of the update pass: the tokens it runs (each prompt once, then its completions, padded to the longest)
over the tokens of the step (the prompt once and every completion's own tokens), against the same fraction when
every completion carries its own copy of the prompt, as TRL's step does.

TRL is a peer to measure against, never a requirement of this project. To include it, use an environment of its
own that also has TRL (e.g. `python -m venv ../peer && ../peer/bin/pip install -r requirements.txt trl`), then
run this script with that environment's python, from the repository root:

    python bench/speed.py                                   # 224 and 448 px, 12 timed steps each
    python bench/speed.py --prompt snake                    # ViGaL's Snake prompt
    python bench/speed.py --prompt rotation --image-sizes 224
    python bench/speed.py --image-sizes 448 --steps 20 --no-trl
"""
import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from config import Config  # noqa: E402
from data import make_sampler  # noqa: E402
from config import PRESETS  # noqa: E402
from model import build_tiny_model  # noqa: E402
from records import load_images, read_dataset, write_dataset  # noqa: E402
from train import tiny_model_corpus  # noqa: E402

WARMUP = 2  # first steps: allocator and kernel warm-up on both sides, not counted


def run_train(*flags):
    """train.py in a subprocess from the repository root, as a user runs it; its output only on failure."""
    p = subprocess.run([sys.executable, os.path.join(ROOT, "train.py"), *flags], cwd=ROOT, capture_output=True,
                       text=True)
    if p.returncode != 0:
        sys.exit(f"bench/speed.py: train.py {' '.join(flags)} failed:\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}")


def tiny_model(work):
    """The folder of the tiny model the default run builds: train.py's corpus and seed, built once per --work."""
    path = os.path.join(work, "default-run", "tiny-model")
    if not os.path.isdir(path):
        build_tiny_model(path, tiny_model_corpus(make_sampler(Config())), seed=Config.seed)
    return path


PROMPTS = {  # the Config of the samples each --prompt times: the default run's, or the vigal preset's games
    "demo": {},
    "snake": {k: PRESETS["vigal"][k] for k in ("board_size", "num_apples", "max_snake_length", "answer_format")},
    "rotation": {"games": "rotation", "rotation_level": PRESETS["vigal"].get("rotation_level", "mixed")},
}


def prompt_folder(work, prompt, image_size, n):
    """n samples of --prompt, rendered at image_size px, as a dataset folder."""
    folder = os.path.join(work, f"{prompt}-{image_size}px")
    sample_at = make_sampler(Config(image_size=image_size, **PROMPTS[prompt]))
    write_dataset((sample_at(i) for i in range(n)), folder)
    return folder


def token_fractions(model_dir, data_dir, image_size, G, completion_tokens, max_tokens):
    """(tokens run / tokens of the step) of the update pass, with each prompt once and with G copies of it.

    Tokens of the step: the prompt once and the G completions' own tokens (their mean from the run). The shared
    pass runs the prompt and G completion rows as wide as the longest completion (taken as the limit: the random
    tiny model mostly runs into it); repeated rows run G x (prompt + that width)."""
    import grpo
    from model import load_processor
    processor = load_processor(model_dir, Config.min_pixels, image_size * image_size)
    sample = read_dataset(data_dir)[0]
    P = grpo.encode_prompts(processor, [{**sample, "images": load_images(sample)}])["input_ids"].size(1)
    unique = P + completion_tokens
    return (P + G * max_tokens) / unique, G * (P + max_tokens) / unique, P


def ours(model_dir, data_dir, image_size, args):
    """(seconds of each step, mean completion tokens a step, median seconds of each phase) of train.py, after
    the warm-up steps."""
    out = os.path.join(os.path.dirname(data_dir), f"ours-{args.prompt}-{image_size}px")
    steps = WARMUP + args.steps
    run_train("--data", data_dir, "--model", model_dir, "--out-dir", out, "--prompts-per-step", "1",
              "--num-generations", str(args.num_generations),
              "--max-completion-length", str(args.max_completion_length), "--beta", "0", "--max-steps", str(steps),
              "--save-every", str(steps), "--eval-samples", "0", "--max-pixels", str(image_size * image_size),
              "--answer-words", "", "--entropy-coef", "0", "--overwrite")  # the bench's own folder, rerun as is
    rows = [json.loads(line) for line in open(os.path.join(out, "metrics.jsonl"))][WARMUP:]
    phases = {k: statistics.median(m[f"seconds/{k}"] for m in rows) for k in ("generate", "logps", "update")
              if f"seconds/{k}" in rows[0]}
    return [m["seconds/step"] for m in rows], statistics.mean(m["completion_tokens"] for m in rows), phases


def trl(model_dir, data_dir, image_size, args):
    """(seconds of each step, mean completion tokens a step) of TRL's GRPOTrainer, after the warm-up steps."""
    import torch
    from datasets import Dataset
    from transformers import PrinterCallback, TrainerCallback
    from trl import GRPOConfig, GRPOTrainer

    import rewards
    from model import load_model, load_processor

    class StepClock(TrainerCallback):
        def __init__(self):
            self.seconds, self.start = [], None

        def on_step_begin(self, args, state, control, **kwargs):
            self.start = time.perf_counter()

        def on_step_end(self, args, state, control, **kwargs):
            self.seconds.append(time.perf_counter() - self.start)

    def reward(completions, sample, **kwargs):  # TRL hands each dataset column over as a list, one per completion
        texts = [c[-1]["content"] if isinstance(c, list) else c for c in completions]
        return [float(rewards.score(text, json.loads(s))["reward"]) for text, s in zip(texts, sample)]

    samples = read_dataset(data_dir)
    rows = [{"prompt": [{"role": "user", "content": [{"type": "image"} for _ in s["images"]] +
                         [{"type": "text", "text": s["prompt"]}]}],
             "images": [image.convert("RGB") for image in load_images(s)],
             "sample": json.dumps({k: v for k, v in s.items() if k != "images"})} for s in samples]
    steps, G = WARMUP + args.steps, args.num_generations
    torch.manual_seed(0)
    config = GRPOConfig(output_dir=os.path.join(os.path.dirname(data_dir), f"trl-{args.prompt}-{image_size}px"), use_vllm=False,
                        use_cpu=not torch.cuda.is_available(), bf16=False, report_to="none", save_strategy="no",
                        per_device_train_batch_size=G, num_generations=G, max_steps=steps, logging_steps=1,
                        max_completion_length=args.max_completion_length, temperature=1.0, beta=0.0,
                        learning_rate=Config.learning_rate, lr_scheduler_type="constant", shuffle_dataset=False,
                        dataloader_num_workers=0, seed=0, disable_tqdm=True,
                        gradient_checkpointing=False)  # TRL's default is on; train.py's is off: compare like with like
    clock = StepClock()
    trainer = GRPOTrainer(model=load_model(model_dir), reward_funcs=reward, args=config,
                          train_dataset=Dataset.from_list(rows[:steps]), callbacks=[clock],
                          processing_class=load_processor(model_dir, Config.min_pixels, image_size * image_size))
    trainer.remove_callback(PrinterCallback)  # its per-step log lines; the numbers are read from log_history
    trainer.train()
    lengths = [h["completions/mean_length"] for h in trainer.state.log_history if "completions/mean_length" in h]
    return clock.seconds[WARMUP:], statistics.mean(lengths[WARMUP:]) * G


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--prompt", choices=sorted(PROMPTS), default="demo", help="the prompts to time: demo (the default "
                   "run's short one-word board), snake (ViGaL's Snake prompt), rotation (ViGaL's 4-image prompt)")
    p.add_argument("--image-sizes", default="224,448", help="comma-separated image sides in px (default 224,448)")
    p.add_argument("--steps", type=int, default=12, help=f"timed steps on each side, after {WARMUP} warm-up steps")
    p.add_argument("--num-generations", type=int, default=8, help="G: completions of the one prompt of a step")
    p.add_argument("--max-completion-length", type=int, default=64, help="max new tokens per completion")
    p.add_argument("--no-trl", action="store_true", help="time only our loop, even if trl is installed")
    p.add_argument("--work", default=None, help="folder for the model, data and runs (default: a new temp folder)")
    args = p.parse_args(argv)
    with_trl = not args.no_trl and importlib.util.find_spec("trl") is not None
    work = args.work or tempfile.mkdtemp(prefix="speed-")
    trl_note = "yes" if with_trl else "skipped" if args.no_trl else "not installed, skipped"
    print(f"work folder: {work}; TRL: {trl_note}")
    model_dir = tiny_model(work)
    table = ["| prompt, image | ours: median (fastest) s/step | TRL: median (fastest) s/step | ours / TRL, medians "
             "(fastest) | completion tokens/step, ours / TRL |", "|---|---|---|---|---|"]
    details = []
    for size in (int(s) for s in args.image_sizes.split(",")):
        data_dir = prompt_folder(work, args.prompt, size, WARMUP + args.steps)
        tokens = (size // 28) ** 2  # Qwen2.5-VL: one token per 28 x 28 pixels after the 2 x 2 patch merge
        ours_s, ours_tokens, phases = ours(model_dir, data_dir, size, args)
        shared, repeated, P = token_fractions(model_dir, data_dir, size, args.num_generations, ours_tokens,
                                              args.max_completion_length)
        details.append(f"{args.prompt} {size} px: prompt {P} tokens; our phases (median s) "
                       + ", ".join(f"{k} {v:.3f}" for k, v in phases.items())
                       + f"; update pass runs {shared:.2f}x the step's tokens (each prompt once), "
                       f"{repeated:.2f}x with a copy of the prompt per completion")
        row = (f"| {args.prompt}, {size} px ({tokens} image tokens each) | {statistics.median(ours_s):.3f} "
               f"({min(ours_s):.3f}) |")
        if with_trl:
            trl_s, trl_tokens = trl(model_dir, data_dir, size, args)
            row += (f" {statistics.median(trl_s):.3f} ({min(trl_s):.3f}) | "
                    f"{statistics.median(ours_s) / statistics.median(trl_s):.2f}x ({min(ours_s) / min(trl_s):.2f}x) | "
                    f"{ours_tokens:.0f} / {trl_tokens:.0f} |")
        else:
            row += f" | | {ours_tokens:.0f} / |"
        table.append(row)
        print(row, flush=True)
    print(f"\nseconds per step over {args.steps} steps after {WARMUP} warm-up steps (the fastest step: the least "
          f"disturbed by other load); one prompt a step, G = {args.num_generations}, at most "
          f"{args.max_completion_length} completion tokens, beta 0\n")
    print("\n".join(table))
    print("\n" + "\n".join(details))


if __name__ == "__main__":
    main()
