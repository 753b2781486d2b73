"""What a run is: one dataclass whose defaults are the default run, and the papers' presets as overrides.

`accelerate launch train.py` is Config() as written here: a tiny Qwen2.5-VL built in code learns a 4x4 Snake
board from the reward alone, on a CPU, in minutes (the README's first command). `--preset vigal` and
`--preset gamerl` are the papers' runs: plain dicts of the fields they change. train.py turns every field into
a --flag (its help is the field's metadata) and saves the resolved Config beside every checkpoint;
evaluate.py reads it back to ask a checkpoint the questions it was trained on.
"""
import dataclasses
import math
from dataclasses import dataclass, field
from importlib.util import find_spec

import gameqa
from data import GAMES, game_settings


@dataclass
class Config:
    # --- run
    preset: str = field(default="", metadata={"help": "a paper's run to apply over these defaults: vigal or gamerl"})
    out_dir: str = field(default="runs/tiny", metadata={
        "help": "run folder: metrics.jsonl, config.json, checkpoint-*/"})
    seed: int = field(default=0, metadata={"help": "seeds data, sampling and initialisation"})
    max_steps: int = field(default=600, metadata={"help": "optimizer steps to run"})
    save_every: int = field(default=100, metadata={"help": "save a checkpoint every N steps (and always at the end)"})
    save_total_limit: int = field(default=2, metadata={
        "help": "keep only the newest N checkpoints, deleting older ones after each save; 0 = keep all"})
    resume: str = field(default="", metadata={
        "help": "run folder (its newest checkpoint) or checkpoint folder to continue from (model, optimizer, "
                "scheduler, RNG, step, metrics); the run goes on in that run folder unless --out-dir says otherwise"})
    overwrite: bool = field(default=False, metadata={
        "help": "let a new run delete the earlier run in --out-dir (its metrics, report, checkpoints and the tiny "
                "model it built); without it, a folder that holds a run is refused"})
    report_to: str = field(default="", metadata={
        "help": "also log to 'tensorboard' or 'wandb' through Accelerate's trackers (if installed)"})
    # --- model
    model: str = field(default="tiny", metadata={
        "help": "hub name or folder; 'tiny' builds a small random Qwen2.5-VL in out_dir/tiny-model first"})
    dtype: str = field(default="float32", metadata={
        "help": "compute dtype, float32 or bfloat16; the trained weights stay float32 either way (master copy)"})
    gradient_checkpointing: bool = field(default=False, metadata={
        "help": "recompute activations in backward to save memory (real model sizes)"})
    fsdp: bool = field(default=False, metadata={
        "help": "shard weights, gradients and optimizer state over the processes (FSDP2 via Accelerate; GPUs)"})
    freeze_vision: bool = field(default=True, metadata={"help": "freeze the vision tower (both papers do)"})
    min_pixels: int = field(default=4 * 28 * 28, metadata={
        "help": "smallest image area fed to the model (Qwen2.5-VL resizes to multiples of 28)"})
    max_pixels: int = field(default=112 * 112, metadata={"help": "largest image area (ViGaL: 640*28*28)"})
    # --- data
    games: str = field(default="snake", metadata={
        "help": "comma-separated games to generate on the fly: snake, rotation, gameqa (ignored with data)"})
    gameqa_games: str = field(default="in-domain", metadata={
        "help": "GameQA games to train on: in-domain, out-of-domain, all, or names (sokoban,maze)"})
    game_weights: str = field(default="", metadata={
        "help": "comma-separated mixing weights for games, e.g. '1,1'; empty = equal"})
    data: str = field(default="", metadata={
        "help": "dataset folder (metadata.jsonl + images/) to train on instead of on-the-fly samples"})
    board_size: int = field(default=4, metadata={"help": "Snake board width and height (ViGaL: 10)"})
    num_apples: int = field(default=1, metadata={"help": "Snake apples on the board (ViGaL: 5)"})
    max_snake_length: int = field(default=1, metadata={
        "help": "Snake difficulty: the controlled snake's length is drawn from 1..this (ViGaL: 5)"})
    image_size: int = field(default=112, metadata={"help": "rendered image side in pixels"})
    rotation_level: str = field(default="mixed", metadata={
        "help": "Rotation objects: easy, medium, hard (adds counter-clockwise 90) or mixed"})
    answer_format: str = field(default="move", metadata={
        "help": "Snake answer: 'move' (one word, no coordinates in the prompt) or 'vigal' (the paper's tags)"})
    answer_words: str = field(default="UP,DOWN,LEFT,RIGHT", metadata={
        "help": "constrained decoding: the completion is one of these comma-separated one-token words; "
                "empty = free text"})
    system_prompt: str = field(default="", metadata={"help": "optional system turn before every prompt"})
    blind: bool = field(default=False, metadata={
        "help": "replace every image with a blank one (the no-vision control)"})
    eval_samples: int = field(default=256, metadata={
        "help": "held-out test samples graded before and after training; 0 = skip"})
    eval_temperature: float = field(default=0.0, metadata={
        "help": "decoding temperature for evaluation: 0 = greedy (ViGaL); Game-RL used 0.2"})
    # --- GRPO (names as in TRL's GRPOConfig; the formulas are in grpo.py's docstring)
    prompts_per_step: int = field(default=32, metadata={"help": "prompts per optimizer step, over all processes"})
    steps_per_rollout: int = field(default=1, metadata={
        "help": "optimizer steps (mini-batches) per rollout; a rollout samples this many x prompts_per_step prompts"})
    num_iterations: int = field(default=1, metadata={
        "help": "passes over each rollout (PPO epochs); >1 reuses it with stored old log-probs"})
    num_generations: int = field(default=8, metadata={"help": "G: completions sampled per prompt"})
    micro_batch_size: int = field(default=256, metadata={
        "help": "completions per forward/backward on each process (gradient accumulation)"})
    max_completion_length: int = field(default=1, metadata={"help": "max new tokens per completion"})
    temperature: float = field(default=1.0, metadata={
        "help": "sampling temperature (log-probs use logits / temperature)"})
    top_p: float = field(default=1.0, metadata={"help": "nucleus sampling"})
    top_k: int = field(default=0, metadata={"help": "top-k sampling, 0 = off"})
    advantage_estimator: str = field(default="grpo", metadata={
        "help": "grpo (group mean/std) or rloo (leave-one-out, ViGaL)"})
    scale_rewards: str = field(default="none", metadata={
        "help": "grpo: divide by the std of the group, the batch, or none (Dr. GRPO)"})
    whiten_advantages: bool = field(default=False, metadata={
        "help": "whiten advantages over all valid tokens of the rollout batch (ViGaL)"})
    loss_type: str = field(default="dapo", metadata={
        "help": "grpo, bnpo, dr_grpo or dapo: how per-token losses are averaged"})
    epsilon: float = field(default=0.2, metadata={"help": "lower clip range of the ratio"})
    epsilon_high: float = field(default=0.2, metadata={"help": "upper clip range of the ratio"})
    delta: float = field(default=0.0, metadata={
        "help": "cap on the ratio for negative advantages (dual clip; ViGaL: 3); 0 = off"})
    beta: float = field(default=0.0, metadata={"help": "KL coefficient; 0 loads no reference model"})
    entropy_coef: float = field(default=0.1, metadata={
        "help": "entropy bonus per token (not in either paper; keeps a tiny policy exploring); 0 = off"})
    kl_estimator: str = field(default="k3", metadata={"help": "k1 or k3"})
    mask_truncated_completions: bool = field(default=False, metadata={
        "help": "drop completions that hit the length limit without EOS"})
    filter_low: float = field(default=0.0, metadata={
        "help": "drop groups whose mean accuracy is below this (MM-EUREKA: 0.1); 0 = keep all"})
    filter_high: float = field(default=1.0, metadata={
        "help": "drop groups whose mean accuracy is above this (MM-EUREKA: 0.9); 1 = keep all"})
    # --- optimizer
    learning_rate: float = field(default=3e-4, metadata={"help": "peak learning rate"})
    lr_scheduler: str = field(default="constant", metadata={
        "help": "constant (after warm-up) or cosine (down to min_lr_ratio)"})
    warmup_ratio: float = field(default=0.0, metadata={"help": "fraction of max_steps spent warming up linearly"})
    min_lr_ratio: float = field(default=0.1, metadata={"help": "cosine floor, as a fraction of the peak"})
    weight_decay: float = field(default=0.0, metadata={"help": "AdamW weight decay"})
    max_grad_norm: float = field(default=1.0, metadata={"help": "gradient clipping (global L2 norm)"})


# The defaults above are the demo (its measured numbers are in the README): a tiny random Qwen2.5-VL on a 4x4 Snake
# board learns, from the reward alone, to read the best move off the image. The answer is one of the four move
# words (constrained decoding), so step 0 is a guess; a small entropy bonus keeps the policy exploring; no std
# scaling keeps single lucky groups from swinging it; the tower is frozen. Each paper's preset below sets every
# field it needs, the demo's choices undone included (free text, the paper's answer format, no entropy bonus).
PRESETS = {
    # ViGaL's Snake + Rotation run (ViGaL, arXiv 2506.08011): RLOO + token whitening, no KL, dual clip 3, cosine
    # to 0.1x, one update per rollout of 120 prompts, 6x A100-80G. A 7B full fine-tune needs sharding: FSDP2 and
    # gradient checkpointing.
    "vigal": dict(model="Qwen/Qwen2.5-VL-7B-Instruct", out_dir="runs/vigal", games="snake,rotation", dtype="bfloat16",
                  gradient_checkpointing=True, fsdp=True, freeze_vision=True,
                  board_size=10, num_apples=5, max_snake_length=5, image_size=448, max_pixels=640 * 28 * 28,
                  answer_format="vigal", answer_words="", eval_samples=0,
                  prompts_per_step=120, steps_per_rollout=1, num_iterations=1, num_generations=6, micro_batch_size=2,
                  max_completion_length=3000, temperature=1.0, advantage_estimator="rloo", whiten_advantages=True,
                  scale_rewards="group", loss_type="dapo", epsilon=0.2, epsilon_high=0.2, delta=3.0, beta=0.0,
                  entropy_coef=0.0, learning_rate=1e-6, lr_scheduler="cosine", warmup_ratio=0.03, min_lr_ratio=0.1,
                  max_steps=1800, save_every=25),  # 3 passes over 36K Snake + 36K Rotation at 120 prompts a step
    # Game-RL's GRPO on GameQA (Game-RL, arXiv 2505.13886): in-domain games only, KL 0.04 to the initial model, 4 GPUs.
    # Its Snake fields are ViGaL's board, for when the checkpoint is evaluated on Snake.
    "gamerl": dict(model="Qwen/Qwen2.5-VL-7B-Instruct", out_dir="runs/gamerl", games="gameqa", gameqa_games="in-domain",
                   dtype="bfloat16", gradient_checkpointing=True, fsdp=True, freeze_vision=True,
                   max_pixels=1280 * 28 * 28, board_size=10, num_apples=5, max_snake_length=5, image_size=448,
                   answer_format="vigal", answer_words="", eval_samples=0, system_prompt=gameqa.GAME_RL_SYSTEM_PROMPT,
                   prompts_per_step=2, steps_per_rollout=1, num_iterations=1, num_generations=12, micro_batch_size=2,
                   max_completion_length=2048, temperature=1.0, top_p=0.85, top_k=50, advantage_estimator="grpo",
                   scale_rewards="group", loss_type="grpo", epsilon=0.2, epsilon_high=0.2, beta=0.04,
                   kl_estimator="k3", entropy_coef=0.0, learning_rate=5e-7, lr_scheduler="constant",
                   warmup_ratio=0.05, max_steps=2500, save_every=250, eval_temperature=0.2),  # 5K samples, 1 epoch
}


class ConfigError(ValueError):
    """A bad flag, preset, path or combination: reported as one line, without a traceback."""


# The range of every number a run takes, as (lowest, highest, what the bound means); None = unbounded. A value
# outside is refused before anything loads: most of these would run without an error and train nothing (a
# temperature of 0 samples one answer per group, so every advantage is 0; a learning rate of 0 or NaN).
BOUNDS = {
    "max_steps": (1, None, ""), "save_every": (1, None, ""), "save_total_limit": (0, None, "0 keeps all"),
    "seed": (0, 2**32 - 1 - 1024, "numpy's seed range, less one per process"),
    "min_pixels": (1, None, ""), "max_pixels": (1, None, ""),
    "board_size": (1, None, ""), "num_apples": (1, None, ""), "max_snake_length": (1, None, ""),
    "image_size": (16, None, ""), "eval_samples": (0, None, "0 skips the held-out evaluation"),
    "eval_temperature": (0.0, None, "0 is greedy"),
    "prompts_per_step": (1, None, ""), "steps_per_rollout": (1, None, ""), "num_iterations": (1, None, ""),
    "num_generations": (2, None, "advantages compare completions within a group"), "micro_batch_size": (1, None, ""),
    "max_completion_length": (1, None, ""), "top_k": (0, None, "0 is off"),
    "epsilon": (0.0, 0.999, "the ratio's lower clip is 1 - epsilon"), "epsilon_high": (0.0, None, ""),
    "delta": (0.0, None, "0 is off"), "beta": (0.0, None, ""), "entropy_coef": (0.0, None, "0 is off"),
    "warmup_ratio": (0.0, 1.0, "a fraction of --max-steps"), "min_lr_ratio": (0.0, 1.0, "a fraction of the peak"),
    "weight_decay": (0.0, None, ""),
}


def check_ranges(cfg):
    """Every number finite and inside BOUNDS, and the few bounds that are open intervals."""
    def fail(name, expected, why=""):
        raise ConfigError(f"--{name.replace('_', '-')} must be {expected}, got {getattr(cfg, name)!r}"
                          + (f" ({why})" if why else ""))
    for f in dataclasses.fields(cfg):
        if isinstance(getattr(cfg, f.name), float) and not math.isfinite(getattr(cfg, f.name)):
            fail(f.name, "a finite number")
    for name, (low, high, why) in BOUNDS.items():
        value = getattr(cfg, name)
        if value < low or (high is not None and value > high):
            fail(name, f"at least {low}" if high is None else f"between {low} and {high}", why)
    if cfg.temperature <= 0:
        fail("temperature", "above 0 in training", "log-probs divide by it, and at 0 a group's completions are all "
                                                   "the same, so every advantage is 0; --eval-temperature 0 is greedy")
    if not 0 < cfg.top_p <= 1:
        fail("top_p", "in (0, 1]", "the share of probability sampled from; 1 is off")
    if cfg.learning_rate <= 0:
        fail("learning_rate", "above 0")
    if cfg.max_grad_norm <= 0:
        fail("max_grad_norm", "above 0", "the gradient's L2 norm is clipped to it")
    if cfg.delta and cfg.delta <= 1 + cfg.epsilon_high:
        fail("delta", f"0 (off) or above 1 + --epsilon-high = {1 + cfg.epsilon_high}",
             "ViGaL: 3; a lower cap clips ratios inside the clip range")


def validate(cfg):
    """Checks of a resolved Config, in one place, with messages that say what to change. Returns cfg."""
    choices = dict(advantage_estimator=("grpo", "rloo"), scale_rewards=("group", "batch", "none"),
                   loss_type=("grpo", "bnpo", "dr_grpo", "dapo"), kl_estimator=("k1", "k3"),
                   lr_scheduler=("constant", "cosine"), dtype=("float32", "bfloat16"),
                   report_to=("", "tensorboard", "wandb"))
    for name, allowed in choices.items():
        if getattr(cfg, name) not in allowed:
            raise ConfigError(f"--{name.replace('_', '-')} must be one of {', '.join(a or repr(a) for a in allowed)}, "
                              f"got {getattr(cfg, name)!r}")
    if cfg.report_to and find_spec(cfg.report_to) is None:
        raise ConfigError(f"--report-to {cfg.report_to} needs the {cfg.report_to} package: pip install {cfg.report_to}")
    check_ranges(cfg)
    if cfg.min_pixels > cfg.max_pixels:
        raise ConfigError(f"--min-pixels ({cfg.min_pixels}) must not exceed --max-pixels ({cfg.max_pixels})")
    if cfg.answer_words and cfg.max_completion_length != 1:
        raise ConfigError(f"--answer-words makes each completion one word, a single token: it needs "
                          f"--max-completion-length 1, got {cfg.max_completion_length}")
    if not 0 <= cfg.filter_low <= cfg.filter_high <= 1:
        raise ConfigError(f"need 0 <= --filter-low <= --filter-high <= 1, got {cfg.filter_low} and {cfg.filter_high}")
    for game in cfg.games.split(","):
        if game not in GAMES:
            raise ConfigError(f"unknown game {game!r} in --games; available: {', '.join(GAMES)}")
    if cfg.game_weights:
        try:
            weights = [float(w) for w in cfg.game_weights.split(",")]
        except ValueError:
            raise ConfigError(f"--game-weights must be comma-separated numbers, got {cfg.game_weights!r}") from None
        if len(weights) != len(cfg.games.split(",")) or not all(0 <= w < math.inf for w in weights) \
                or sum(weights) <= 0:
            raise ConfigError(f"--game-weights {cfg.game_weights!r} needs one non-negative weight per game in "
                              f"--games {cfg.games!r}, not all zero")
    for game in cfg.games.split(","):  # the game's own checks (board too small for the snake, unknown level, ...)
        try:
            GAMES[game].sample_at(0, cfg.seed, "train", **game_settings(cfg, game))
        except ValueError as e:
            raise ConfigError(f"--games {game}: {e}") from None
    return cfg
