"""Seconds of one update pass over one group, each prompt computed once (grpo.SharedPrompt) vs repeated.

The update pass of a training step is a forward and backward of grpo.completion_logps over the step's rows, in
micro-batches. This script times it on the same rows both ways: `shared`, as train.update_step runs it, the
prompt once for all the micro-batches of its block (grpo.micro_batch_blocks) and every completion against its
stored keys and values, and `repeated`, every completion with its own copy of the prompt (what
completion_logps did before, and what TRL does). It builds one group the way a vigal step does: one prompt of
--game from the vigal preset's generator, G completions of random non-special tokens whose lengths are spread
over [C/2, C], and the vision features stored (the tower frozen, as in both papers). Weights in float32.

Use it on the real widths (a random-weight Qwen2.5-VL of the real shape, built offline, no download):

    python bench/update_pass.py --model MODEL_DIR --game rotation --num-generations 6 --completion-tokens 256
    python bench/update_pass.py --model MODEL_DIR --micro-batch-sizes 2,6 --repeats 2

Each (micro-batch size, mode) runs in a process of its own. Memory is given twice: what the passes hold above
the loaded model and batch (resident memory sampled every 10 ms while they run: activations, gradients,
temporaries), and the process's lifetime peak, which also counts loading and the rollout that built the batch.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def one_group(model, processor, game, G, C, seed=0):
    """A rollout batch of G completions of one vigal-preset prompt of `game`, completions drawn at random."""
    import torch

    import grpo
    from config import PRESETS, Config
    from data import make_sampler
    vigal = PRESETS["vigal"]
    cfg = Config(**{k: vigal[k] for k in ("board_size", "num_apples", "max_snake_length", "answer_format",
                                          "image_size", "min_pixels", "max_pixels") if k in vigal}, games=game)
    batch = grpo.rollout(model, processor, [make_sampler(cfg)(seed)], G, 1, keep_image_features=True)
    g = torch.Generator().manual_seed(seed)
    special = set(processor.tokenizer.all_special_ids) | set(grpo.vision_token_ids(processor))
    vocab = torch.tensor([i for i in range(len(processor.tokenizer)) if i not in special])
    batch["completion_ids"] = vocab[torch.randint(len(vocab), (G, C), generator=g)]
    lengths = torch.randint(C // 2, C + 1, (G,), generator=g)
    batch["completion_mask"] = (torch.arange(C)[None, :] < lengths[:, None]).long()
    return batch


class ResidentMemory:
    """The most resident memory this process holds above what it held when created, sampled every 10 ms by a
    thread until stop(), in GB: the update passes' own memory (activations, gradients, temporaries), without
    the model and the rollout that built the batch, which the process's lifetime peak would also count."""

    def __init__(self):
        import threading
        self.start, self.peak, self.done = self.resident(), 0, threading.Event()
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()

    @staticmethod
    def resident():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    def sample(self):
        while not self.done.wait(0.01):
            self.peak = max(self.peak, self.resident())

    def stop(self):
        self.done.set()
        self.thread.join()
        return max(0, self.peak - self.start) / 2 ** 30


def time_pass(args):
    """The child: build the group, then time forward + backward of the update pass in micro-batches."""
    import torch

    import grpo
    from config import PRESETS
    from model import load_model, load_processor
    torch.manual_seed(0)
    processor = load_processor(args.model, PRESETS["vigal"].get("min_pixels"), PRESETS["vigal"].get("max_pixels"))
    model = load_model(args.model)
    model.model.visual.requires_grad_(False)
    batch = one_group(model.eval(), processor, args.game, args.num_generations, args.completion_tokens)
    model.train()
    seconds, clock_seconds = [], []
    resident = ResidentMemory()                     # sampled while the passes run
    for _ in range(args.repeats):
        model.zero_grad(set_to_none=True)
        start, clock_start = time.perf_counter(), time.time()
        for _, micro, prompt, _ in grpo.micro_batches(model, batch, args.micro_batch_size, args.num_generations):
            logps = grpo.completion_logps(model, micro, prompt=prompt, share_prompt=args.mode == "shared")
            (logps * micro["completion_mask"]).sum().backward()
        seconds.append(time.perf_counter() - start)
        clock_seconds.append(time.time() - clock_start)
    above_gb = resident.stop()
    # two clocks for one interval: a sandbox that suspends or migrates the process can make one of them jump
    if any(abs(a - b) > 0.05 * max(a, b) for a, b in zip(seconds, clock_seconds)):
        sys.exit(f"the clocks disagree ({seconds} vs {clock_seconds} s): a pause or a clock jump; run it again")
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2 ** 20
    print(json.dumps({"seconds": seconds, "peak_gb": peak_gb, "update_gb": above_gb, "prompt_tokens": batch["prompt_ids"].size(1),
                      "completion_tokens": int(batch["completion_mask"].sum())}))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True, help="model folder (a real-shape Qwen2.5-VL, or any Qwen2.5-VL)")
    p.add_argument("--game", choices=["snake", "rotation"], default="rotation", help="the prompt's game (vigal preset)")
    p.add_argument("--num-generations", type=int, default=6, help="G: completions of the prompt (vigal: 6)")
    p.add_argument("--completion-tokens", type=int, default=256, help="C: completions have C/2..C tokens")
    p.add_argument("--micro-batch-sizes", default="2,6", help="comma-separated rows per micro-batch (vigal: 2)")
    p.add_argument("--repeats", type=int, default=2, help="timed passes per setting (the first also warms up)")
    p.add_argument("--mode", choices=["shared", "repeated"], help=argparse.SUPPRESS)   # the child's setting
    p.add_argument("--micro-batch-size", type=int, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.mode:
        return time_pass(args)
    print("| micro-batch | prompts | median s (fastest) | memory of the passes GB | process peak GB | "
          "prompt / completion tokens |")
    print("|---|---|---|---|---|---|")
    for mb in (int(m) for m in args.micro_batch_sizes.split(",")):
        for mode in ("repeated", "shared"):
            child = subprocess.run([sys.executable, os.path.abspath(__file__), "--model", args.model, "--game",
                                    args.game, "--num-generations", str(args.num_generations), "--completion-tokens",
                                    str(args.completion_tokens), "--repeats", str(args.repeats), "--mode", mode,
                                    "--micro-batch-size", str(mb)], capture_output=True, text=True, cwd=ROOT)
            if child.returncode != 0:
                sys.exit(f"bench/update_pass.py: the {mode} run failed:\n{child.stderr[-3000:]}")
            r = json.loads(child.stdout.strip().splitlines()[-1])
            print(f"| {mb} | {mode} | {statistics.median(r['seconds']):.1f} ({min(r['seconds']):.1f}) | "
                  f"{r['update_gb']:.2f} | {r['peak_gb']:.1f} | {r['prompt_tokens']} / {r['completion_tokens']} |",
                  flush=True)


if __name__ == "__main__":
    main()
