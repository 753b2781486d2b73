"""Word Search, a GameQA game (Game-RL, arXiv 2505.13886): Game-RL folder `word_search`, multi-step reasoning,
in-domain.

The game. An n×n grid of capital letters A-Z (n = 5 on Easy, 6 or 7 on Medium, 8 on Hard), each drawn uniformly
at random. A word is hidden along a straight line of consecutive cells, reading in one of 8 directions, named as
seen on the image: right (column + 1), left (column − 1), down (row + 1), up (row − 1), diagonal-right-down,
diagonal-right-up, diagonal-left-down and diagonal-left-up (one row and one column at a time). A hidden word lies
wholly inside the grid and overwrites the letters in its cells. Cells are written (row, column), 1-based from the
top left: rows 1..n from top to bottom and columns 1..n from left to right, as the labels on the image show, so
"up" is towards row 1. The state is the grid (`size`, `grid`) plus the question's own parameters, 1-based as the
text writes them: the cell of task 0, the letter of task 1, and the word, its start and its direction for tasks
2 and 3.

The tasks are Game-RL's (its question ids and levels), each 8-option multiple choice, all Target Perception:
  0 the letter in a cell (Easy)                      1 how often a letter occurs (Medium)
  2 the direction a word reads from a given start (Medium)
  3 the start and direction of a word (Hard): in Game-RL's code but not in its released data (see deviation 6)

Deviations from Game-RL:
  1. The dictionary is ours: 391 common English words of 3-7 letters, no palindromes, written for this module
     (WORDS below). Game-RL reads a words.txt of 96,916 words, which is another project's file and not ours to
     ship. A small list repeats its words across samples more often; its lengths 3, 4, 5, 6 and 7 number
     94, 46, 146, 73 and 32 words.
  2. When no word of the list can be placed so that it occurs exactly once, or the placement search runs past
     its step budget, the state is redrawn (GiveUp). Game-RL silently emits a task-0 question instead, labelled
     as task 0, so a task-2 request changed task.
  3. The placement search tries the fitting (start, direction) pairs of a word in random order and keeps the
     first one after which the word occurs exactly once in the whole grid (every start, all 8 directions).
     Game-RL tries them all and picks a random survivor: the same distribution, with far fewer checks (the
     first placement passes in 99 % of grids). The uniqueness check is what makes task 2's direction and
     task 3's placement the only right answers.
  4. Task 1's options are the 8 consecutive counts 8k..8k+7 that hold the gold (0..7 in all but about one
     sample in a thousand, three in a thousand on Hard), shuffled. Game-RL draws its wrong counts from small
     numbers, so a large count stood out; the nearest integers around the gold would put it in the middle of
     the sorted list instead. Here the list depends on the block k alone, so it says nothing about which count
     is right.
  5. Task 0's options are written "letter Q", not "Q": the engine labels options A, B, …, and an option text
     that is itself a capital letter would read as another option's label.
  6. Task 3 is in Game-RL's code (template 3, find_word_location) but not in its released data, and not counted
     in its 158 tasks; we include it because its code draws all four templates evenly. Its distractors are
     distinct (start, direction) pairs from cells that hold the word's first letter, those along which the word
     fits inside the grid first; none spells the word, since it occurs once. Game-RL's fall back to random
     triples that may repeat the gold.
  7. The picture closes the grid (Game-RL draws no right or bottom border) and centres each letter in its cell
     (Game-RL draws them at the top left); the labels 1..n sit in the top and left bands, outside the grid
     lines, which Game-RL runs across the whole image. Its size is Game-RL's, (n + 1)·50 pixels a side.
  8. The questions say that every direction is as seen on the image, with up towards row 1, and list all 8
     direction names; Game-RL's task-2 rule text lists them loosely ("right, down, diagonal, up, or left").
     Options are shuffled and lettered by the engine (Game-RL numbers them 1-8). Texts and analyses are ours.
"""
from PIL import Image, ImageDraw

from gameqa_games.common import QA, Task, Budget, GiveUp, font

SIZES = {"Easy": (5,), "Medium": (6, 7), "Hard": (8,)}  # n is uniform in 5..8 in Game-RL; the level follows n
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
OPTIONS = 8
PLACEMENT_BUDGET = 4_000  # uniqueness checks per sample; 99 % need 1, the most in 3,000 grids was 37

# (row, column) steps, in the fixed order the analyses walk them.
DIRECTIONS = {"right": (0, 1), "left": (0, -1), "down": (1, 0), "up": (-1, 0),
              "diagonal-right-down": (1, 1), "diagonal-right-up": (-1, 1),
              "diagonal-left-down": (1, -1), "diagonal-left-up": (-1, -1)}

# Our dictionary (deviation 1): common English words, 3-7 letters, no palindromes, by length.
WORDS = tuple("""
ant arm art bag bat bed bee box boy bus cab cap car cat cow cry cup day den dog dry ear egg elf elm fan fig fin
fly fog fox fun gas gem hat hen hop ice ink jam jar jet joy key kid kit lab leg lid lip log map mat mix mud net
nut oak oil owl pan pen pet pie pig pin pot rag ram rat red rib rod rug run sad sea sky sun tea ten tie tin toe
top toy tub van vet web wig win yak zip
bird boat bone book boot bowl cake card chef cold crab desk drum duck farm fire foam frog goat gold kite lake lamp
lion milk moon nest plum pond rain road roof rope rose salt sand shoe snow soap sock sofa soup star tree wolf wood
acorn actor adult album angel anger apple apron arrow badge baker beach beard bench berry blank blaze block bloom
board brain brave bread brick bride broom brush cabin cable camel candy canoe chain chair chalk charm chess chest
chief child cliff clock cloud coast coral couch crane crown dance dream drink eagle earth easel fairy feast fence
field flame flour flute frost fruit ghost giant glass globe glove grape grass green happy heart honey horse house
jelly jewel juice knife lemon light lunch magic mango maple melon money month mouse music night north ocean olive
onion otter paint panda paper party peach pearl piano pilot plant plate puppy queen quiet radio river robot ruler
 salad scarf shark sheep shell shirt skate sleep smile snake spoon stone storm sugar swing table tiger toast
tooth towel tower train truck tulip uncle wagon water whale wheat wheel world zebra
animal autumn basket bottle bridge butter button camera candle carpet carrot castle cheese cherry circle coffee
cookie cotton donkey dragon engine family farmer finger flower forest garden guitar hammer helmet island jacket
jungle kettle kitten ladder letter lizard market meadow mirror monkey orange parrot pencil pepper pillow planet
pocket potato puzzle rabbit rocket school silent silver sister spider spring stream summer tomato tunnel turtle
valley velvet violin wallet walnut window winner winter yellow
balloon blanket cabbage captain chicken dolphin feather giraffe holiday iceberg kitchen lantern library morning
mustard orchard peacock penguin picture pumpkin rainbow sandals station teacher thunder tractor trumpet unicorn
village volcano weather whistle
""".upper().split())


# ---------------------------------------------------------------------------------------------------------
# The game: a letter grid, and writing a word into it

def walk(start, direction, length):
    """The `length` cells from `start` (1-based) along `direction`."""
    dr, dc = DIRECTIONS[direction]
    return [(start[0] + k * dr, start[1] + k * dc) for k in range(length)]


class WordGrid:
    def __init__(self, grid):
        self.grid = [list(row) for row in grid]
        self.size = len(self.grid)

    def inside(self, cell):
        return 1 <= cell[0] <= self.size and 1 <= cell[1] <= self.size

    def letter(self, cell):
        return self.grid[cell[0] - 1][cell[1] - 1]

    def cells(self):
        return [(r, c) for r in range(1, self.size + 1) for c in range(1, self.size + 1)]

    def fits(self, word, start, direction):
        return self.inside(walk(start, direction, len(word))[-1])

    def reads(self, word, start, direction):
        return self.fits(word, start, direction) and all(
            self.letter(cell) == ch for cell, ch in zip(walk(start, direction, len(word)), word))

    def occurrences(self, word):
        """Every (start, direction) along which `word` reads."""
        return [(cell, d) for cell in self.cells() if self.letter(cell) == word[0]
                for d in DIRECTIONS if self.reads(word, cell, d)]

    def move(self, word, start, direction):
        """The grid with `word` written from `start` along `direction`, over the letters that were there."""
        after = WordGrid(self.grid)
        for (r, c), ch in zip(walk(start, direction, len(word)), word):
            after.grid[r - 1][c - 1] = ch
        return after

    def to_json(self):
        return {"size": self.size, "grid": [list(row) for row in self.grid]}


def new_state(rng, plot_level):
    n = rng.choice(SIZES[plot_level])
    return WordGrid([[rng.choice(ALPHABET) for _ in range(n)] for _ in range(n)])


def place_unique_word(rng, state):
    """Game-RL's placement (deviation 3): words in random order; for the first word that can be placed so that it
    occurs exactly once in the grid, a random such placement. Returns (grid after, word, start, direction)."""
    budget = Budget(PLACEMENT_BUDGET)
    words = [w for w in WORDS if len(w) <= state.size]
    rng.shuffle(words)
    for word in words:
        placements = [(cell, d) for cell in state.cells() for d in DIRECTIONS if state.fits(word, cell, d)]
        rng.shuffle(placements)
        for start, direction in placements:
            budget.tick()
            after = state.move(word, start, direction)
            if after.occurrences(word) == [(start, direction)]:
                return after, word, start, direction
    raise GiveUp("no word of the list occurs exactly once after placement")  # deviation 2


# ---------------------------------------------------------------------------------------------------------
# The image: Game-RL's layout, (n + 1)·50 pixels a side, a 50-pixel band of labels on top and on the left,
# black letters centred in closed 50-pixel cells (deviation 7).

CELL = 50


def render(state):
    n = state.size
    side = (n + 1) * CELL
    image = Image.new("RGB", (side, side), "white")
    draw = ImageDraw.Draw(image)
    for k in range(n + 1):
        p = min((k + 1) * CELL, side - 1)  # the closing line on the right and at the bottom stays inside
        draw.line((p, CELL, p, side - 1), fill="black", width=1)
        draw.line((CELL, p, side - 1, p), fill="black", width=1)
    labels, letters = font(24), font(32)
    for k in range(1, n + 1):
        middle = k * CELL + CELL / 2
        draw.text((middle, CELL / 2), str(k), fill="black", font=labels, anchor="mm")  # column k, on top
        draw.text((CELL / 2, middle), str(k), fill="black", font=labels, anchor="mm")  # row k, on the left
    for r, c in state.cells():
        draw.text((c * CELL + CELL / 2, r * CELL + CELL / 2), state.letter((r, c)), fill="black", font=letters,
                  anchor="mm")
    return image


# ---------------------------------------------------------------------------------------------------------
# The tasks

def intro(state):
    n = state.size
    names = ", ".join(DIRECTIONS)
    return (f"This is a word search puzzle: a grid of capital letters with {n} rows and {n} columns. A hidden word "
            "reads along a straight line of neighbouring cells, one letter per cell, in one of 8 directions: "
            + names + ". Directions "
            f"are as seen on the image: up is towards row 1 at the top, down towards row {n} at the bottom, left "
            f"towards column 1 and right towards column {n}; a diagonal direction moves one row and one column per "
            "letter, so diagonal-right-up goes one column right and one row up.\n"
            f"Cells are written (row, column): rows are numbered from 1 at the top to {n} at the bottom and columns "
            f"from 1 on the left to {n} on the right, as the labels on the image show.\n\n")


def at(cell):
    return f"({cell[0]}, {cell[1]})"


def cell_letter(rng, state):
    cell = rng.choice(state.cells())
    gold = state.letter(cell)
    wrong = rng.sample([ch for ch in ALPHABET if ch != gold], OPTIONS - 1)
    question = intro(state) + f"Which letter is in the cell at row {cell[0]}, column {cell[1]}?"
    analysis = f"Row {cell[0]}, column {cell[1]} holds the letter {gold}."
    return QA(question, analysis, f"letter {gold}", [f"letter {ch}" for ch in wrong], {"cell": list(cell)})


def letter_count(rng, state):
    letter = rng.choice(ALPHABET)
    lines = [f"Scanning the grid row by row for {letter}:"]
    found = []
    for r in range(1, state.size + 1):
        here = [(r, c) for c in range(1, state.size + 1) if state.letter((r, c)) == letter]
        found += here
        lines.append(f"Row {r}: " + (", ".join(at(cell) for cell in here) if here else "none") + ".")
    lines.append(f"In total {letter} occurs {len(found)} time{'' if len(found) == 1 else 's'}.")
    block = len(found) // OPTIONS * OPTIONS  # deviation 4: the options depend on the block alone
    wrong = [str(v) for v in range(block, block + OPTIONS) if v != len(found)]
    question = intro(state) + f"How many times does the letter {letter} occur in the grid?"
    return QA(question, "\n".join(lines), str(len(found)), wrong, {"letter": letter})


def trace(state, word, start, direction):
    """One analysis line: the letters read from `start` along `direction` until the word is spelled, a letter
    differs, or the grid ends."""
    read = []
    for cell, ch in zip(walk(start, direction, len(word)), word):
        if not state.inside(cell):
            return f"{direction}: {' '.join(read)}, then the grid ends: no."
        if state.letter(cell) != ch:
            return f"{direction}: {' '.join(read)}, then {at(cell)} holds {state.letter(cell)}, not {ch}: no."
        read.append(f"{ch}{at(cell)}")
    return f"{direction}: {' '.join(read)}: it reads {word}."


def hidden_word(rng, state):
    """Task 2 and 3's state: the grid after the placement. It replaces the drawn grid of `state`, which the
    engine renders and records, so the image and the state show the word."""
    after, word, start, direction = place_unique_word(rng, state)
    state.grid = after.grid
    return word, start, direction


def word_direction(rng, state):
    word, start, direction = hidden_word(rng, state)
    lines = [f"Walking from {at(start)}, which holds {word[0]}, in each of the 8 directions:"]
    lines += [trace(state, word, start, d) for d in DIRECTIONS]
    lines.append(f"Only {direction} spells {word}.")
    question = (intro(state) + f"The word {word} is hidden in the grid exactly once, and its first letter is in the "
                f"cell at row {start[0]}, column {start[1]}. In which direction does it read from there?")
    wrong = [d for d in DIRECTIONS if d != direction]
    return QA(question, "\n".join(lines), direction, wrong,
              {"word": word, "start": list(start), "direction": direction})


def location_text(start, direction):
    return f"Row {start[0]}, Column {start[1]}, Direction: {direction}"


def find_word_location(rng, state):
    word, start, direction = hidden_word(rng, state)
    firsts = [cell for cell in state.cells() if state.letter(cell) == word[0]]
    lines = [f"Cells holding {word[0]}, the first letter of {word}: {', '.join(at(cell) for cell in firsts)}."]
    for cell in firsts:
        # A direction can only work if the next cell along it holds the second letter.
        leads = [d for d in DIRECTIONS if state.inside(walk(cell, d, 2)[1])
                 and state.letter(walk(cell, d, 2)[1]) == word[1]]
        if not leads:
            lines.append(f"From {at(cell)}: no neighbouring cell holds {word[1]}.")
            continue
        lines.append(f"From {at(cell)}: {word[1]} is next to it going {', '.join(leads)}.")
        lines += ["  " + trace(state, word, cell, d) for d in leads]
    lines.append(f"{word} starts at {at(start)} and reads {direction}.")
    # Deviation 6: wrong pairs from first-letter cells, the ones along which the word fits first.
    pairs = [(cell, d) for cell in firsts for d in DIRECTIONS if (cell, d) != (start, direction)]
    fitting = [p for p in pairs if state.fits(word, *p)]
    rest = [p for p in pairs if not state.fits(word, *p)]
    picks = rng.sample(fitting, min(OPTIONS - 1, len(fitting)))
    picks += rng.sample(rest, OPTIONS - 1 - len(picks))  # a first-letter cell has 8 pairs: never too few
    question = (intro(state) + f"The word {word} is hidden in the grid exactly once. In which cell does it start, "
                "and in which direction does it read?")
    return QA(question, "\n".join(lines), location_text(start, direction), [location_text(*p) for p in picks],
              {"word": word, "start": list(start), "direction": direction})


TASKS = [
    Task(0, "cell_letter", "Target Perception", "Easy", cell_letter),
    Task(1, "letter_count", "Target Perception", "Medium", letter_count),
    Task(2, "word_direction", "Target Perception", "Medium", word_direction),
    Task(3, "find_word_location", "Target Perception", "Hard", find_word_location),
]
