"""The run's configuration: the papers' presets field by field against the papers' settings (the README's
"Presets beside the papers" table), and the command line train.py makes from Config (defaults < preset < flags)."""
import dataclasses

import pytest

import train
from config import PRESETS, Config


def test_presets_match_the_papers_settings():
    vigal, gamerl = PRESETS["vigal"], PRESETS["gamerl"]
    assert {k: vigal[k] for k in ("model", "advantage_estimator", "whiten_advantages", "beta", "epsilon", "epsilon_high",
                                  "delta", "num_generations", "prompts_per_step", "steps_per_rollout", "temperature",
                                  "learning_rate", "lr_scheduler", "min_lr_ratio", "warmup_ratio",
                                  "max_completion_length", "freeze_vision", "max_pixels", "fsdp")} == dict(
        model="Qwen/Qwen2.5-VL-7B-Instruct", advantage_estimator="rloo", whiten_advantages=True, beta=0.0, epsilon=0.2,
        epsilon_high=0.2, delta=3.0, num_generations=6, prompts_per_step=120, steps_per_rollout=1, temperature=1.0,
        learning_rate=1e-6, lr_scheduler="cosine", min_lr_ratio=0.1, warmup_ratio=0.03, max_completion_length=3000,
        freeze_vision=True, max_pixels=640 * 28 * 28, fsdp=True)
    assert {k: gamerl[k] for k in ("model", "games", "gameqa_games", "advantage_estimator", "scale_rewards", "beta",
                                   "kl_estimator", "epsilon", "epsilon_high", "num_generations", "prompts_per_step",
                                   "temperature", "top_p", "top_k", "learning_rate", "lr_scheduler", "warmup_ratio",
                                   "max_completion_length", "freeze_vision", "max_pixels", "fsdp")} == dict(
        model="Qwen/Qwen2.5-VL-7B-Instruct", games="gameqa", gameqa_games="in-domain", advantage_estimator="grpo",
        scale_rewards="group", beta=0.04, kl_estimator="k3", epsilon=0.2, epsilon_high=0.2, num_generations=12,
        prompts_per_step=2, temperature=1.0, top_p=0.85, top_k=50, learning_rate=5e-7, lr_scheduler="constant",
        warmup_ratio=0.05, max_completion_length=2048, freeze_vision=True, max_pixels=1280 * 28 * 28, fsdp=True)
    for preset in (vigal, gamerl):  # every preset field is a real Config field and passes validation's choices
        assert set(preset) <= {f for f in Config.__dataclass_fields__}


def test_each_preset_undoes_the_default_runs_demo_choices():
    """Config's defaults are the tiny demo (one-word answers from four words, an entropy bonus, held-out boards);
    a paper's run must not inherit any of that."""
    for name in PRESETS:
        cfg = train.parse_config(["--preset", name])
        assert (cfg.preset, cfg.answer_words, cfg.answer_format, cfg.entropy_coef, cfg.eval_samples) == \
            (name, "", "vigal", 0.0, 0), name


def test_flags_win_over_the_preset_and_the_preset_over_the_defaults():
    assert train.parse_config([]) == Config()                             # a plain run is the dataclass as written
    cfg = train.parse_config(["--preset", "vigal", "--max-steps", "600", "--fsdp", "false", "--blind"])
    assert cfg.max_steps == 600 == Config.max_steps                       # a flag equal to the default still wins
    assert (cfg.fsdp, cfg.blind, cfg.learning_rate) == (False, True, PRESETS["vigal"]["learning_rate"])
    assert train.parse_config(["--no-freeze-vision", "--max_steps", "3"]).freeze_vision is False


def test_help_lists_every_field_with_its_metadata_help_and_the_presets_defaults(capsys):
    with pytest.raises(SystemExit):
        train.parse_config(["--help"])
    squeeze = lambda text: "".join(text.split())          # argparse wraps lines, also after a hyphen
    text = squeeze(capsys.readouterr().out)
    for f in dataclasses.fields(Config):
        assert f"--{f.name.replace('_', '-')}" in text and squeeze(f.metadata["help"]) in text, f.name
    assert squeeze("optimizer steps to run (default: 600)") in text
    with pytest.raises(SystemExit):
        train.parse_config(["--preset", "vigal", "--help"])
    assert squeeze("optimizer steps to run (default: 1800)") in squeeze(capsys.readouterr().out)
