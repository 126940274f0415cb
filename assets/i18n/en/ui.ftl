# The factory's visitor-facing text in English: panels, signs, help, kiosk screens.
# Every message here must exist in every other language with the same { $arguments }
# (a test checks). Numbers arrive as arguments, already formatted where precision matters.

app-name = Transformer Factory

## The control panel

panel-unfold = » Controls
panel-fold-tip = fold the panel (U hides every panel)
panel-promise = Every number here is the model's own.
prompt = Prompt
run-prompt = Run prompt
prompt-refused = Let's keep the wall friendly: please try other words.
model-working = the model is working
problem = Problem: { $what }
model-failed = The model failed: { $what }
playback = Playback
pause = ⏸ Pause
play = ▶ Play
step = Step ⏭
step-tip = N: one station
generate = Generate
generate-tip = G: one token
tokens = tokens
speed = stations / s
beam-threshold = beam threshold
beams-lit = { $n ->
    [one] { $n } beam lit
   *[other] { $n } beams lit
}
beams-lit-of = { $n } of { $all } beams lit
beams-cap-tip = At most { $max } beams are drawn at once: the strongest. Raise the threshold or select a token to see fewer.
positions = Positions
positions-tip = P: the position tables
cost = Cost
cost-tip = C: why long contexts cost (n² against n)
compare = A/B
compare-tip = two prompts side by side: next token, logit lens, attention
compare-title = Two prompts side by side (A/B)
compare-intro = A is the prompt on the floor; B runs on the same model with the same parts switched off. Change a word, or the order of the words, and see what changes.
compare-a = A: { $text }
compare-a-patched = A is now the floor: B with one piece of A put in (the tables below compare it with B): { $text }
compare-run = Run B
compare-busy = B is being computed...
compare-ablated = both sides with the parts switched off that the floor has
compare-next = Next token (after temperature, top-k, top-p), each token's change marked
compare-token = token
compare-lens = Logit lens: each layer's top guess
compare-lens-raw = raw probabilities (temperature 1, nothing cut), unlike the table above
compare-differs = differs
compare-attention = Attention of head
compare-attention-change = largest change: token { $q } reading token { $k }, { $a } in A, { $b } in B
all-heads = All heads
all-heads-tip = V: every head's weights as a thumbnail
sampling = Sampling
temperature = temperature
seed = seed
colour = colour:
legend = − 0 +
legend-note = brightness = size; a dot marks a negative cell
legend-surprise = pink on a crate: how surprised the model was by that token
help-hint = F1 / H: keys and help
save-stop = Save view as tour stop
save-stop-tip = K: the station, camera angle, selection and room open now become one more stop in { $file }
export = Export the numbers (JSON, CSV)
export-tip = the floor's tokens with their surprise, every head's attention, the logit lens and the next token's logits, as `factory trace --json` writes them, to factory-floor-<time>.json; and as three tables (tokens, attention, lens) in factory-floor-<time>-*.csv

## The help window (F1)

help-title = Keys and help
help-story = Crates are tokens. They ride from the receiving dock through every layer: a norm gate, one booth per attention head (beams show what each token looks at; brighter and thicker = more weight; future tokens are masked and never lit), the merge and residual belt, a second norm gate and the FFN machine (one lamp per neuron). At the shipping dock the bars show the next-token probabilities; the sampled token rides back to the start and the loop goes on, using the key/value cache so only the new crate is computed.
help-rooms = Rooms: M flies to the embedding room (every token of the vocabulary as a point; click one for its nearest neighbours, try vector arithmetic), B to the scale room (this model beside GPT-2 and GPT-3). P, C and L open the position table, the cost of long contexts and the training time-lapse. Home comes back.
help-learn = Game (in the bar) plays "guess the next word" against the model. Learn this sentence (under More) shows one step of learning: at every word the true next word, its probability as loaded and now, and Step to nudge a copy of the weights; closing it forgets. Its switch Show the backward pass sends the crates back from the dock to the start: every board, lamp and beam they pass shows its gradient in ink on paper (crimson: raising the number raises the surprise, navy: lowers it); point at one for the chain-rule step that made it.
help-patch = A/B (under More) runs a second prompt beside the floor's; when both have the same number of word pieces, "Patch every place" shows where in the model the difference between them is decided.

## Keys (the help's table: the keys as written, and .does)

key-mouse = left drag
    .does = orbit
key-mouse-2 = right / middle drag
    .does = pan
key-mouse-3 = wheel
    .does = zoom
key-fly-forward = W A S D, Q E
    .does = fly (Shift: faster)
key-station = 1 2 3
    .does = receiving dock, embedding press, position stamp
key-station-2 = 4 to 9
    .does = layers 0 to 5
key-station-3 = 0
    .does = shipping dock
key-prev-station = Page Up / Down
    .does = previous / next station
key-prev-layer = - / +
    .does = previous / next layer (every layer)
key-home = Home
    .does = reset the view
key-follow = F
    .does = follow the riding crates
key-mouse-4 = click
    .does = select a beam, crate, booth, board cell or lamp and fly to it
key-clear-selection = Esc
    .does = clear the selection
key-play-pause = Space
    .does = play / pause
key-step = N or .
    .does = step one station
key-generate-one = G
    .does = generate one token
key-slower = [ ]
    .does = slower / faster
key-tour = T
    .does = start / stop the guided tour
key-mouse-5 = Space (in the tour)
    .does = pause the tour
key-tour-back = left / right arrows
    .does = previous / next tour stop
key-screenshot = F12
    .does = save a screenshot
key-save-stop = K
    .does = save this view (station, angle, selection, room) as a stop in my-tour.ron (or --save-tour)
key-model-view = V
    .does = every head's attention as a thumbnail (click one to fly there)
key-hide-ui = U
    .does = hide / show every panel (clean pictures)
key-cost-view = C
    .does = the cost of context: n² against n, cache sizes, measured times
key-positions-view = P
    .does = positions: the learned table, the sinusoidal one, how alike positions are
key-embedding-room = M
    .does = the embedding room: every token as a point, neighbours, king - man + woman
key-scale-room = B
    .does = the scale room: this model beside GPT-2 and GPT-3
key-overview-room = O
    .does = the layer overview: every head's attention, a storey per layer
key-training-view = L
    .does = training time-lapse: the same prompt on the model as it learned
key-routes-view = R
    .does = routes into the last word: the parts that carry it, lit in the hall (a slider for the smallest share)
key-mouse-6 = pointer on a route line
    .does = which part it is and its share of the stream where it arrives
key-mouse-7 = A/B: Patch every place, click a cell
    .does = B runs on the floor with that one piece of A put in; the hall lights where patching matters
key-help = F1 or H
    .does = this help

## The tour's caption

tour-problem = Tour file problem
tour-problem-hint = The factory runs without a tour. Fix the file and restart to use it.
tour-stop-of = stop { $stop } of { $n }
tour-back = < back
tour-resume = resume
tour-pause = pause
tour-next = next >
tour-end = end tour
tour-keys = (T, Space, left / right arrows)

## Numbers in words, the title card of a recording

decimal-mark = .
unit-thousand = thousand
unit-million = million
unit-billion = billion
title-card-default = A walk through a transformer
title-card-sub = Transformer Factory · { $model }, { $params } parameters

## Station signs: the station's name and what happens there

station-dock = Receiving dock: text -> tokens
station-embedding = Embedding press: token id -> vector (wte)
station-position = Position stamp: + position vector (wpe)
station-norm-attn = Layer { $layer } · norm gate (ln_1)
station-booth = Layer { $layer } · head { $head } · attention booth
station-merge = Layer { $layer } · merge heads + residual belt
station-norm-ffn = Layer { $layer } · norm gate (ln_2)
station-ffn = Layer { $layer } · FFN machine: expand, GELU, contract
station-final-norm = Final norm gate (ln_f)
station-shipping = Shipping dock: next-token probabilities
hall-map = the hall: { $stations } stations, { $layers } layers (click to go there)
hall-key-here = you are here
hall-key-docks = docks
hall-key-press = press, stamp
hall-key-norms = norm gates
hall-key-booths = attention
hall-key-merge = merges
hall-key-ffn = pattern machines

## The kiosk: its own panel, the on-screen keyboard and the attract loop's call to action

kiosk-promise = A real language model at work. Every number is its own.
kiosk-choose = Choose a sentence:
kiosk-own-words = Type your own words
kiosk-keyboard-close = Close the keyboard
kiosk-next-word = Next word
kiosk-temperature = Guesses: safe … daring (temperature)
kiosk-temperature-tip = Low: always the likeliest word. High: bolder choices.
kiosk-touch = Touch to start
kiosk-demo = This is a demo: a real language model writes the next word.
kiosk-type-here = Type here…
kiosk-chars-left = { $n ->
    [one] { $n } character left
   *[other] { $n } characters left
}
kiosk-shift = Capital
kiosk-space = Space
kiosk-delete = Delete
kiosk-run = Run
kiosk-english-only = (This model learned English only.)
kiosk-tour = Take the guided tour

## The inspector (top right)

inspector = Details
inspector-waiting = waiting for the model...
inspector-tokens = { $n } tokens ({ $prompt } from the prompt) · crates riding: { $riding }
inspector-at = at: { $station }
inspector-hint = Click a crate, booth, board or lamp to inspect it.
inspector-token = token { $t }: { $text }  (id { $id })
inspector-first-token = the first token: nothing before it to predict it
inspector-surprise = surprise { $nats } nats: the model gave it p = { $p } % after the tokens before it (-ln p)
inspector-surprise-whole = ; with nothing switched off
inspector-surprise-failed = surprise: could not be computed
inspector-surprise-waiting = surprise: being computed...
inspector-embedding = embedding: mean { $mean }, spread { $spread }
inspector-layer-stream = layer { $layer }: stream mean { $mean } spread { $spread }, after ln_2 mean { $mean2 } spread { $spread2 }
inspector-head = layer { $layer }, head { $head }
inspector-looks-at = what token { $t } { $text } looks at:
inspector-part = its direct part in the top guess { $token }'s logit (last token): { $part } of { $logit }; by size { $rank } of { $heads } heads. What it writes into the stream, read through the final norm at its actual scale and that token's unembedding row; what later layers make of it is theirs.
inspector-part-waiting = its direct part in the top guess: being computed...
inspector-neuron = layer { $layer }, FFN neuron { $neuron }
inspector-neuron-outputs = its GELU output for each token:
inspector-token-formula = token { $t }: { $formula }
inspector-cell = { $board }: dimension { $d } of token { $t } = { $value }
tip-cell-added = added here: dimension { $d } of token { $t } = { $value }
inspector-lamps-show = FFN lamps show token { $t } { $text }
inspector-next = next token (after temperature, top-k, top-p)
inspector-ablated = with { $parts } switched off (before -> after)
inspector-last-sampled = last sampled: { $token }
inspector-lens = logit lens: the guess if the model stopped after each layer
inspector-lens-raw = raw probabilities (temperature 1, nothing cut), unlike the bars above
inspector-lens-layer = after layer { $layer }: { $guesses }
inspector-clear = Clear selection (Esc)
why-bar = why { $token } gets { $p }%:
why-bar-greedy = temperature 0: the token with the highest logit ({ $logit }) is taken outright; no other token can be drawn.
why-bar-kept = Σ runs over the { $kept } tokens kept: top-k kept { $topk } of { $vocab }, then top-p kept the most likely of those until together they reached p; { $cut } tokens are cut (probability 0).
why-bar-logit = logit = the last token's ln_f output · this token's row of wte (the unembedding)

## Formulas' words (the numbers and symbols around them stay as written)

explain-norm = x: this dimension of the stream coming in; mean and var over its { $n } numbers; gain and shift learned for this dimension
explain-wte = row { $id } of the learned token table, one row per vocabulary token
explain-no-wpe = the positions are switched off: no wpe row added
explain-wte-wpe = token row + position row
explain-resid-attn = stream in + attention out (the heads' merged output, added, not replacing)
explain-resid-no-ffn = stream after attention + 0 (this layer's FFN is switched off: it adds nothing)
explain-resid-ffn = stream after attention + FFN out (the lamps' values · c_proj's column + bias)
explain-neuron-off = switched off: its GELU output is set to 0 (p = { $p } would have lit it)
explain-gelu = this neuron's weighted sum of the token's normalised vector

## Switching parts off, the model card, the beam under the pointer

ablate = Switch parts off
ablate-n = Switch parts off ({ $n } off)
ablate-positions = position embeddings
ablate-ffn-of = FFN of layer
ablate-head = head { $head } (selected)
ablate-neuron = neuron { $neuron } (selected)
ablate-hint = Unticked parts are switched off. Select a head or a lamp to switch it.
ablate-off = off: { $parts }
ablate-all-on = Switch everything on
model-card = Model card
card-layers = layers
card-heads = heads
card-dims = dims
card-params = params
card-context = context { $context } tokens (GPT-2: 1024, GPT-3: 2048) · vocabulary { $vocab } tokens
card-folder = folder { $folder }
beam-reads = token { $q } { $qtext } reads token { $k } { $ktext }
beam-weight = attention weight { $w } (its row of weights adds up to 1)
beam-click = click: this head and this token

## Notices and saving

filter-masked = { $n ->
    [one] the word filter masked { $n } token the model wanted to write here
   *[other] the word filter masked { $n } tokens the model wanted to write here
}
model = Model
saved-stop = tour stop { $n } saved to { $file } (play it: --tour { $file })
saved-stop-failed = the stop was not saved: { $why }
saved-numbers = the numbers saved to { $path }
saved-numbers-failed = could not write { $path }: { $why }
saving-numbers = saving the numbers to { $path }: step { $step } of { $steps }
saved-numbers-too-big = not saved: these numbers would fill about { $size } MB of files, more than the { $limit } MB an export may write; export a shorter prompt
saved-screenshot = screenshot saved: { $path }
saving-screenshot = saving the screenshot to { $path } ...
saved-screenshot-failed = the screenshot was not saved to { $path }: { $why }
tip-crate-tag = the pink bar along the top of its crate fills with the surprise; full = { $full } nats, the surprise of a blind guess among { $vocab } tokens
tip-booth = every token reads the tokens before it here; a beam runs from the token read to the one reading, brighter for more weight.
tip-lamp-switch-off = right-click: switch this neuron off
tip-lamp-switch-on = switched off; right-click: switch it on again
spread-before = before
spread-after = after
tip-spread-title = { $norm }: token { $t } { $text }
tip-spread = spread (standard deviation over its { $n } numbers): { $before } coming in (the bar on the receiving dock's side), { $after } going out (the bar on the shipping dock's side). The norm subtracts the mean, divides by √(var + ε), then scales each dimension by its gain γ and adds β: every token leaves the gate at about one size.
tip-click-pin = click: pin it in Details (the side panel)
inspector-go = where it comes from: { $station }
switch-on = switch for { $part }: on (click to switch it off)
switch-off = switch for { $part }: off (click to switch it on again)
switch-meaning = a head switched off adds nothing before c_proj; an FFN switched off adds nothing to the stream; with the positions off no wpe row is added; the whole floor runs again
part-head = layer { $layer }, head { $head }
part-neuron = layer { $layer }, neuron { $neuron }
part-mlp = layer { $layer }, FFN
computing = computing ...
bar-more = More »
bar-more-tip = every control: sampling (top-k, top-p, seed), the beams, switching parts off, A/B, the rooms, the model, export
bar-next-word = Next word
bar-next-word-tip = the model picks one more word from its guesses at the shipping dock, and it rides the hall again (G)
bar-step = One station ⏭
bar-play-tip = the crates ride through the machines, station by station (Space)
layout-reset = Reset layout
layout-reset-tip = forget the remembered layout: the next start (and this one) shows the first screen's slim bar again
layout-damaged = the layout file { $path } could not be read ({ $why }); it is ignored

## plain words first: the sentence that leads each tooltip and inspector entry
word-quoted = “{ $w }”
word-space = a space
plain-cell = One of the numbers that describe { $word } at this station: amber above zero, blue below, brighter for larger.
plain-cell-added = One of the numbers this station added to those of { $word }: amber above zero, blue below, brighter for larger.
plain-bar = How likely the model thinks { $word } comes next.
plain-switch = A switch: turn this part of the model off and see what changes.
plain-lamp = One neuron of the FFN machine: it lights up when { $word } matches a pattern it has learned.
plain-crate = A crate carries one piece of the text, { $word }, through the factory.
plain-spread = The norm gate brings every word's numbers to the same size before the next machine.
plain-booth = An attention head: here each word looks back at earlier words and takes in what they carry.
plain-beam = { $q } looks back at { $k }: the brighter the beam, the more it takes from it.
inspector-numbers = The numbers
inspector-plain-text = The text so far: the model reads all of it and guesses the word that comes next.
inspector-plain-token = This crate carries { $word }, piece { $n } of { $all } of the text.
inspector-plain-head = Booth { $head } of layer { $layer } is an attention head: each word looks back at earlier words and takes in what they carry. Where { $word } looks:
inspector-plain-neuron = Lamp { $neuron } of layer { $layer }'s FFN machine: it lights up (above zero) when a word matches a pattern it has learned.
inspector-plain-next = The model's guesses for the next word, the most likely first.
inspector-plain-lens = What the model would guess if it stopped after each layer: watch the answer take shape.
show-ids = token ids on the crates
show-ids-tip = Each crate's label gives its token's number in the vocabulary under its text
show-added = tiles: what each station added
show-added-tip = At the position stamp, the merges and the pattern machines (FFN), the tiles show what that station added to each word's numbers, not the numbers after it (the press's and the norm gates' tiles stay as they are)
inspector-no-roles = What this head does in general is not measured for this model: factory heads --model { $dir } --json > { $dir }/heads.json
lamp-lights-most = In general this lamp lights most for (the model's held-out text, the word in [brackets]):
lamp-no-cards = Where this lamp lights in general is not measured for this model: factory lamps --model { $dir }

## the guessing game (ui/game.rs)
tab-game = Game
game-title = Guess the next word: you against the model
bar-game = Game: you vs the model
bar-game-tip = A game: guess the hidden next word, then see what the model guessed
game-intro = Which word comes next? Pick one, then see how likely the model found each.
game-english-only = The model learned English only: the sentences stay English.
game-round = Round { $n } of { $of }
game-pick = Touch the word you think comes next.
game-right = Right: the next word is “{ $word }”.
game-wrong = Not this time: the next word is “{ $word }”.
game-model-thought = The model's top guess: “{ $word }” ({ $p }).
game-raw-note = These are the model's own chances; the bars at the dock show them after the "Guesses: safe … daring" setting and the cut of unlikely words.
game-truth = The next word is “{ $word }”.
game-tour-invite = Your turn: touch “Game” and play five rounds against the model.
game-score = You { $you }, the model { $model }
game-next = Next sentence
game-again = Play again
kiosk-game = Play: guess the next word
kiosk-invite-game = …or play: can you guess the next word better than the model?
bar-boldness = Guesses: safe
bar-boldness-end = daring
bar-boldness-tip = The temperature ({ $value }): low picks the likeliest words, high dares less likely ones
banner-patched = patched run: A's piece ({ $place }) put into this sentence (the A/B window)
banner-surprise = pink bar on a crate: how much that word surprised the model (the first has none)
banner-tiles = tiles on the floor: the numbers that describe each word at that station (amber above zero, blue below with a dark dot, brighter = larger)
banner-tiles-added = tiles on the floor: what each station added to each word's numbers; at a norm gate: what it gives out (amber above zero, blue below with a dark dot)
banner-tiles-gradient = tiles now: each number's gradient (crimson: raising it raises the surprise, navy: lowers it)
banner-far-bars = farther off, each word's tiles become one bar, as long as the spread of its numbers
