# The detail windows: heatmap, booth, cost, training, positions, embedding.

## The attention heatmap and the model view (every head as a thumbnail)

heatmap-title = Attention: layer { $layer }, head { $head }
heatmap-all-heads = All heads (click one)
heatmap-roles-legend = Under a head: what it looks at in general, over many texts (point at it for the share).
heatmap-masked = token { $q } { $query } cannot read token { $k } { $key }: it comes later (masked)
heatmap-reads = token { $q } { $query } reads token { $k } { $key } with weight { $weight }
heatmap-score = score = query · key / sqrt({ $size }) = { $score } (highest in this row: { $top })
heatmap-weight-formula = weight = e^(score - highest) / sum over the { $n } keys up to token { $q }
heatmap-layer = layer { $layer }
heatmap-head = layer { $layer }, head { $head }

## Inside the booth: query, keys, values, scores and weights of one head for one token

booth-title = Inside the booth: layer { $layer }, head { $head }
booth-query = query of { $token } ({ $n } numbers):
booth-explain = Each earlier token offers a key; q·k says how well it answers, ÷ sqrt({ $size }) keeps the numbers moderate, softmax over the { $n } keys up to { $token } gives the weights (later tokens are masked: no weight).
booth-col-token = token
booth-col-key = key
booth-col-weight = weight
booth-col-value = value
booth-listed = { $shown } of { $all } keys listed (the strongest); the sum uses them all.
booth-out = leaves the booth: Σ weight · value =
booth-ablated = This head is switched off: what leaves it is set to 0 before c_proj.

## The cost of context (C)

cost-title = The cost of context
cost-intro = Every token's query meets every earlier token's key: n² attention scores per head. The projections and the FFN do the same work for each token: it grows only as n.
cost-slider = tokens in the context
cost-scores = { $scores } attention scores per head ({ $heads } heads × { $layers } layers); multiply-adds: { $square } growing as n², { $linear } growing as n.
cost-grid-explain = One head's scores for { $n } tokens: a row per query, a column per key. Amber scores are used; grey ones (the future) are computed and masked. Twice the tokens, four times the cells.
cost-crossover-beyond = The square takes over at n = 6 × width = { $x } tokens; this model's context ends at { $context }, so here the linear work always dominates (the dashed line).
cost-crossover = The square takes over at n = 6 × width = { $x } tokens.
cost-col-crossover = n² takes over at
cost-col-cache = key/value cache at n
cost-this-model = this model
cost-tokens = { $n } tokens
cost-cache-note = (the cache: 2 × layers × n × width numbers; f32 here, 16-bit for GPT-3)
cost-measured = measured on this machine, this model
cost-full-run = a full run of { $n } tokens: { $ms } ms
cost-full-run-none = a full run: not yet measured
cost-cached-step = one cached step (token { $token }, earlier keys and values reused): { $ms } ms
cost-cached-step-none = one cached step: generate a token (G) to measure it
cost-cell-block = each cell: { $n }×{ $n } scores
cost-plot-square = n² (attention)
cost-plot-linear = n (projections, FFN)

## The training time-lapse (L)

training-title = Training time-lapse
training-no-snapshots = This model has no training snapshots. `factory train --snapshot-every N` saves the model as it learns, in OUT/snapshots/; the default model (factory-everyday) ships some.
training-intro = The same prompt, run by the model as it was at each step of its training: at step 0 its weights are random and its guesses noise; drag to watch words appear.
training-step-of = step { $step } of { $last }
training-step-zero = Step 0: the weights as initialised, before any training.
training-loss = Loss near step { $step }: { $loss } nats per token on training text.
training-loss-held-out = Loss near step { $step }: { $loss } nats per token on training text, { $held } on held-out text.
training-plot-legend = loss per token: training (grey), held-out text (amber); steps on a square-root scale
training-no-log = no train_log.csv
training-step = step { $step }

## The positions window (P)

positions-title = Positions
positions-intro = Attention alone cannot tell word order, so each position p adds its own row of { $d } numbers (wpe) to the token's vector. This model learned its { $n } rows; the original Transformer used fixed sines and cosines instead.
positions-learned = learned (wpe): row = position
positions-sines = sinusoidal (the 2017 paper)
positions-cosine = learned: cosine between positions
positions-legend = Amber positive, cyan negative. In the cosine map the bright diagonal band says that nearby positions look alike.

## The embedding room's window (M) and its pointer

embedding-win-map-pending = the map is still being made
embedding-win-no-row = token { $id } has no row in this model's table
embedding-win-cosine = cosine { $value }
embedding-win-hover = { $token } id { $id }
embedding-win-title = Embedding room
embedding-win-making = Making the map of the vocabulary...
embedding-win-intro = Each of the { $count } tokens starts as one row of wte: { $width } numbers. Here every row is a point, placed along the three directions in which the rows differ most (principal components; they show { $share } % of the spread). Tokens the model uses alike end up near each other. Brighter points stand nearer to you.
embedding-win-legend = Amber: this prompt's tokens. Click a point to see its nearest neighbours.
embedding-win-nearest = { $token } (id { $id }): nearest by cosine over all { $width } numbers
embedding-win-arithmetic = Vector arithmetic
embedding-win-expect = expect
embedding-win-compute = Compute
embedding-win-lands = { $expr } lands at the white marker; nearest tokens (its words left out):
embedding-win-expected = { $token } comes { $place } of { $of } (cosine { $cosine }). A model this small learns such directions only roughly.
# the mark after a place number (1st, 2nd, 3rd, 4th): chosen in the code by the number's last digits
embedding-win-ordinal-one = st
embedding-win-ordinal-two = nd
embedding-win-ordinal-few = rd
embedding-win-ordinal-other = th

## the side panel's tabs (ui/dock.rs)
tab-inspector = Details
tab-head = Attention grid
tab-booth = Inside the booth
tab-model-view = All heads
tab-compare = A/B
tab-cost = Cost
tab-positions = Positions
tab-embedding = Embedding
tab-training = Training
tab-close = Close this window
dock-hide = Put the side panel away (the scene gets the room)
dock-show = Open the side panel: what you picked, with its real numbers

## learning one sentence (ui/learn.rs, model/learn.rs)
learn-open = Learn this sentence
learn-open-tip = Watch the model learn: it is told the true next word at every position of the sentence on the floor, and its numbers are nudged toward it
tab-learn = Learn
learn-title = Learning this sentence
learn-intro = At every word the model is told the true next word; Step nudges all its numbers so that those words get more likely.
learn-loss = Surprise (loss): { $before } nats as loaded, { $now } now (steps taken: { $steps })
learn-curve = surprise after each step (top: { $top } nats)
learn-col-word = word
learn-col-next = true next word
learn-col-before = as loaded
learn-col-now = now
learn-step = Step
learn-step-tip = One update: every weight moves a little against its gradient, then the floor runs again on the new weights
learn-forget = Forget
learn-forget-tip = Back to the model on disk (what was learned is dropped; the file is never written)
learn-rate = Learning rate
learn-rate-tip = How far each step moves the weights: too small learns slowly, too large overshoots and the surprise grows again
learn-sgd = SGD (plain steps)
learn-adam = Adam (steps scaled per weight)
learn-other = Another sentence, not learned:
learn-other-guess = its next-word guess: { $before } as loaded, { $now } now
learn-other-bad = (this sentence cannot be read: type one of a few words)
learn-copy-note = Only a copy in memory learns; the model on disk stays as it was. Closing this tab forgets.

## activation patching in the A/B window (ui/patching.rs, model/patch.rs)
patch-title = Where is the difference decided? (patching)
patch-intro = B runs again with one piece of A's run put in, for every layer and word: a bright cell is a place that carries what makes A's guess.
patch-lengths = Patching needs A and B of the same length in tokens (A has { $a }, B has { $b }): change one word for one word.
patch-resid-pre = the stream into a layer
patch-attn-out = attention's output
patch-mlp-out = the FFN's output
patch-head = one head (every word)
patch-prob = how likely “{ $word }” is
patch-diff = “{ $a }” against “{ $b }” (logits)
patch-run = Patch every place
patch-run-tip = Runs B once per layer and word (or head), each time with that piece from A's run; off the main thread
patch-cancel = Cancel
patch-ends = A: { $clean }, B: { $corrupt } (a cell: B with that piece from A)
patch-layer = layer { $layer }
patch-cell = layer { $layer }, word { $position } “{ $word }”
patch-cell-head = layer { $layer }, head { $head }
patch-cell-value = B's metric with it: { $value } ({ $share } % of the way from B to A)
patch-hall = In the hall: a violet strip across a lane at the station where taking that activation from A moves B at least a quarter of the way (brighter: further; a head: across its whole booth). The floor shows A; click a cell to see that patched run on the floor.
patch-cell-click = Click: run B with this piece from A on the floor.
patch-on-floor = The floor shows B with A's piece ({ $place }) put in (its cell outlined): the stations show that patched run (at the patched place a formula's parts are B's own, so they do not add up to A's piece; the crates' surprise bars stay the intact model's, as with parts switched off; each head's part in the guess is not shown).
patch-kept-stale = The grid was made before the model or its switched-off parts changed: Back to A and patch again.
patch-back = Back to A
routes = Routes
routes-tip = Follow what reaches the last word: the parts of the model that carry it, lit in the hall
tab-routes = Routes
routes-title = Routes into the last word
routes-intro = Which parts carry what reaches the last word? Each lime line in the hall is one part that makes up more than the slider's share of the stream where it arrives, followed back from the guess for the next word.
routes-threshold = smallest share drawn
routes-threshold-tip = Lower: more and fainter lines; higher: only the main road
routes-intact = Routes are traced on the whole model: switch every part back on (and go back to A after patching) to see one.
routes-count = { $n } lines: { $heads } through heads, { $ffn } through FFNs, { $kept } where a word's stream goes on in its lane
routes-no-heads = No head carries this much between words here: lower the slider to see them.
routes-strongest = Strongest lines through heads
routes-legend = Straight along a lane: the word's stream goes on. Over a machine: its FFN adds to it. Across a booth: that head carries one word into another's lane. Thicker: a larger share. Point at a line for its number.
routes-method = A part's share: how close it brings the stream to where it arrives, over all the parts there (Ferrando and Voita 2024, "Information Flow Routes").
routes-edge-head = layer { $layer }, head { $head } carries { $from } to { $to }: { $share } % of the stream there
routes-edge-ffn = layer { $layer }'s FFN at { $word }: { $share } % of the stream after it
routes-edge-kept-attn = the stream of { $word } goes on past layer { $layer }'s heads: { $share } %
routes-edge-kept-ffn = the stream of { $word } goes on past layer { $layer }'s FFN: { $share } %
routes-share-means = The share is how much of the stream where it arrives this part makes up (all the parts there add up to 100 %).
routes-edge-head-self = layer { $layer }, head { $head } reads { $word } itself: { $share } % of the stream there
routes-fly = fly over this layer's heads: its route seen from above
routes-map = Seen from above, layer:
routes-map-tip = fly over layer { $layer }: its route through the heads seen from above, from the norm gate to the merge, the first word's lane at the top
learn-working = Learning… { $done } of { $total } passes measured
learn-backward = Show the backward pass in the hall
learn-backward-tip = The crates ride back from the shipping dock to the press; every board, lamp and beam they pass shows its gradient: how fast the surprise (loss) changes when that one number changes
grad-key-positive = crimson ink: raising this number would raise the surprise
grad-key-zero = bare paper: no effect
grad-key-negative = navy ink: raising it would lower the surprise
grad-key-note = Gradients are ink on paper, values glow in the dark: the two never look alike. Darker ink = a larger gradient. Each machine's sign gives the size of its weights' gradient. The beams' arrows point back now: from each word to the words it read, coloured by the gradient of that attention weight.
grad-title = Gradient { $value }
grad-meaning = how fast the surprise (loss) changes per unit this number changes
grad-computing = (working out the chain rule…)
grad-skip = { $value }  the stream goes on: the same number one station later
grad-branch = { $value }  back through the norm gate it also feeds
grad-total = = { $value }
grad-feeds-qkv = it feeds the heads' { $n } queries, keys and values: Σ weight × their gradient
grad-feeds-neurons = it feeds the FFN's { $n } neurons: Σ weight × their gradient
grad-feeds-words = it feeds the score of each of the { $n } words: Σ weight × (probability − 1 if the true next word) ÷ positions
grad-feeds-stream = it feeds the { $n } numbers the FFN adds to the stream: Σ weight × their gradient
grad-feeds-values = the head reads the earlier word's { $n } value numbers: Σ value × the head output's gradient
grad-largest = largest terms (input: factor × gradient = part):
grad-gauge = { $station } · weights' gradient { $norm } ({ $share } of the largest)
learn-dock-line = next: “{ $word }” { $before } as loaded, { $now } now
