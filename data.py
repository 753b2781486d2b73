"""The run's samples: sample i of a run is a pure function of i, generated on the fly or read from a folder.

Because a sample depends on nothing but its index (and the run's seed), the data of a step is the same whatever
the number of processes, and a resumed run sees exactly the samples it would have seen. Training draws from the
`train` split of each game's seeded stream; held-out evaluation from `test`, a stream training never sees.
"""
import functools
import random

import gameqa
import rotation
import snake
from records import load_data, with_images

GAMES = {"snake": snake, "rotation": rotation, "gameqa": gameqa}  # each has sample_at(index, seed, split, ...)


def game_settings(cfg, game):
    """The keyword arguments of the game module's sample_at, from the run's config."""
    if game == "snake":
        return {"cfg": snake.SnakeConfig(width=cfg.board_size, height=cfg.board_size, num_apples=cfg.num_apples,
                                         image_size=cfg.image_size, max_length=cfg.max_snake_length,
                                         answer_format=cfg.answer_format)}
    if game == "rotation":
        return {"cfg": rotation.RotationConfig(image_size=cfg.image_size, level=cfg.rotation_level)}
    names = cfg.gameqa_games.split(",")
    return {"games": gameqa.game_names(names[0]) if names[0] in ("all", "in-domain", "out-of-domain") else names}


def make_sampler(cfg, split="train"):
    """index -> sample record, a pure function of the index, which makes resuming and changing the number of
    processes exact. On the fly: sample i draws its game by `game_weights` (seeded by i) and is sample i
    of that game's seeded `split` stream. From --data (training only; records.load_data reads our folders and the
    released datasets): a fresh seeded shuffle each epoch, each record's images opened when it is drawn."""
    if cfg.data and split == "train":
        dataset = load_data(cfg.data)

        @functools.lru_cache(maxsize=2)
        def epoch_order(epoch):
            order = list(range(len(dataset)))
            random.Random(f"{cfg.seed}:{epoch}").shuffle(order)
            return order

        def from_folder(i):
            epoch, j = divmod(i, len(dataset))
            return with_images(dataset[epoch_order(epoch)[j]])
        return from_folder
    games = cfg.games.split(",")
    weights = [float(w) for w in cfg.game_weights.split(",")] if cfg.game_weights else [1.0] * len(games)
    settings = {g: game_settings(cfg, g) for g in games}

    def on_the_fly(i):
        game = random.Random(f"mix:{split}:{cfg.seed}:{i}").choices(games, weights)[0] if len(games) > 1 else games[0]
        return GAMES[game].sample_at(i, cfg.seed, split, **settings[game])
    return on_the_fly
