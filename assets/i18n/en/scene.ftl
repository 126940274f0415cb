# Text in the 3D scene and its rooms: dock and lens signs, board captions, room signs.

## Vector boards on the floor: what a board shows (the inspector names the board so)

board-tok-emb = token embedding (row of wte)
board-embed = token + position embedding
board-layernorm = after LayerNorm
board-resid-attn = residual stream after attention
board-resid-ffn = residual stream after the FFN

## The logit-lens sign at each layer's exit (the guesses themselves follow on the next line)

lens-sign = its guesses if it stopped after layer { $layer }:

## The embedding room's sign

room-embedding-title = Embedding room: the { $tokens } tokens as points; near = used alike

## The scale room: its sign and each block's sign (model names stay as they are)

room-scale-title = Scale room: volume = number of parameters
room-scale-ours = this model
room-scale-params = { $name }: { $params } parameters
room-scale-shape = { $layers } layers × { $heads } heads, { $width } wide, context { $context }
room-scale-trained = trained on { $tokens } tokens
room-scale-tokens-unknown = training tokens: unknown (no train_state.json)
room-scale-tokens-unpublished = training tokens: not published

## The layer overview tower: its sign (two lines) and the names of its storeys and columns

overview-title = Layer overview: every head's attention, layer by layer
overview-title-windows = in each window: rows = the token reading, columns = the tokens it reads
overview-title-roles = a word on a window: what its head looks at in general, over many texts
overview-layer = layer { $layer }
overview-head = head { $head }

## the station signs in plain words: the name, then what the station does
sign-dock = Receiving dock
sign-dock-does = the text is cut into word pieces (tokens)
sign-embedding = Embedding press
sign-embedding-does = each token gets its list of numbers
sign-position = Position stamp
sign-position-does = adds where in the text each token stands
sign-norm = Norm gate, layer { $layer }
sign-norm-does = keeps the numbers in range (the white bars beside: each word's spread, before and after)
sign-booth = Attention booth, layer { $layer }, head { $head }
sign-booth-does = each word reads earlier words: what they carry flows along the arrows into it
sign-merge = Merge, layer { $layer }
sign-merge-does = what the heads found is added to each word's numbers
sign-ffn = Pattern machine (FFN), layer { $layer }
sign-ffn-does = each lamp checks the word for one pattern
sign-final-norm = Final norm gate
sign-final-norm-does = one last rescaling before the guess
sign-shipping = Shipping dock
sign-shipping-does = how likely each next word (or piece of one) is

## a booth's head's role in general, measured over the model's held-out text (factory heads)
role-previous = in general: looks at the previous word ({ $score } of its attention)
role-first = in general: looks at the first word ({ $score } of its attention)
role-self = in general: looks at the word itself ({ $score } of its attention)
role-induction = in general: continues repeated patterns ({ $score })
role-local = in general: looks at the last few words ({ $score } of its attention)
role-mixed = in general: no one habit (where it looks depends on the words)
role-unmeasured = its habit in general is not measured for this model (factory heads --json > heads.json in its folder)
role-tag-previous = previous
role-tag-first = first
role-tag-self = itself
role-tag-induction = patterns
role-tag-local = nearby
dock-winner = most likely next word: “{ $word }”
dock-winner-does = { $p } % likely: the tallest bar
dock-drawn = drawn: “{ $word }”
dock-drawn-does = it rides back to the start and joins the sentence
booth-plate = head { $head }
part-bar = this head: { $part } toward “{ $word }”
