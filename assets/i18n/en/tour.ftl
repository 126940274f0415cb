# The default tour's captions (assets/tours/default.ron asks for them as "@tour-N" and "@tour-N.text").
# Rules (checked by a test): first sentence at most 20 words, whole caption at most 50, every term explained
# before it is used, numbers about the model only from the arguments:
# $layers $heads $width $ffn $context $vocab $params.

tour-title = How a transformer picks the next word

tour-1 = 1. Words become tokens
    .text = Your text arrives here and is cut into tokens: whole words, pieces of words or punctuation. Each crate carries one token and its number in the model's vocabulary of { $vocab } tokens.

tour-2 = 2. Each token gets a vector
    .text = At the press, each token picks its own row from a learned table. The row is a list of { $width } numbers, a vector, laid on the floor: amber cells are positive, cyan negative, brighter is larger.

tour-3 = 3. A map of every token
    .text = Every token in the vocabulary has such a row. Here each row is a point, placed along the three directions in which the rows differ most. Tokens the model uses alike sit close together. Amber blocks are your tokens.

tour-4 = 4. Where is each token?
    .text = Word order matters, so a second learned row is added for each slot in the text. The same word in another place now gets a different vector.

tour-5 = 5. The position table
    .text = These are the learned position rows as a picture, one line per slot. Beside them: the fixed sine waves of the original transformer, and how alike each pair of slots is. Neighbouring slots look alike.

tour-6 = 6. The norm gate
    .text = Layer 0 begins. The norm gate evens out each vector: it shifts its numbers to average 0 and stretches or shrinks them to the same spread, then adjusts them by amounts learned in training. This keeps the numbers in a workable range.

tour-7 = 7. Queries, keys and values
    .text = In an attention booth, each token makes three vectors from its own. A query says what it looks for, a key what it offers, a value what it passes on. Each query is compared with every earlier key.

tour-8 = 8. Softmax and the causal mask
    .text = The comparisons become weights that add up to 1 for each token, a step called softmax. A token may only look back, so later tokens get no weight. Brighter beams carry more weight; the faintest are hidden.

tour-9 = 9. Many heads, many questions
    .text = Each layer has { $heads } booths, one per attention head, each with its own learned matrices. Compare their beams: does one look at the previous token, another at the first? Click a booth to see its grid.

tour-10 = 10. Merge and the residual belt
    .text = The heads' results are joined, mixed by one more matrix and added to each token's vector instead of replacing it. This running sum is the residual stream: every layer reads it and adds to it.

tour-11 = 11. The FFN machine
    .text = Next, each token passes alone through a small network, the feed-forward network. It widens the vector to { $ffn } numbers, bends them with a curve called GELU and narrows them back. Each lamp is one of those { $ffn } neurons, lit relative to its wall's strongest.

tour-12 = 12. Stacking layers
    .text = The same block repeats: this model stacks { $layers } layers, GPT-2 small 12, GPT-3 96. This tower shows every head of every layer at once, a storey per layer, each window a head's grid. Later layers build on what earlier ones added.

tour-role = 13. A head's habit
    .text = Measured over many texts, a head has habits of its own. This booth's head, { $role }. The words under the tower's windows and each booth's sign say the same; a head with no clear habit is called mixed.

tour-13 = 14. From vector to token scores
    .text = After a final norm gate, the last token's vector is compared with every row of the embedding table. That gives one score per vocabulary token. Turned into probabilities under the sampling settings, the scores become these bars.

tour-14 = 15. Temperature
    .text = Temperature divides the scores before they become probabilities. Low temperature lets the favourite win almost always; high temperature spreads the chances out. Watch the bars flatten.

tour-15 = 16. Sampling: top-k and top-p
    .text = The next token is drawn at random from the bars. First top-k keeps only the k likeliest tokens; then top-p keeps the smallest set whose chances reach at least p. A fixed seed repeats the draw.

tour-16 = 17. The loop and its cache
    .text = The drawn token rides back to the start and goes through alone. The earlier tokens' keys and values wait in a cache, so only the new crate is computed, yet it still looks back at all of them.

tour-17 = 18. Why long texts cost more
    .text = Each token is compared with every earlier one, so the comparisons grow as the square of the length. The rest of the work grows in step with the length. The window shows where the square takes over, and the cache's size.

tour-18 = 19. How it learned
    .text = No number here was set by hand. In training, the model guessed each next token of a long text, and every guess nudged its { $params } parameters to make the right token likelier.

tour-19 = 20. Watching it learn
    .text = Training saved the model along the way. At step 0 its numbers are random and its guesses noise. Drag the slider in the window to run the same prompt at each step and watch the bars turn into words.

tour-learn = 21. Learning, backwards
    .text = Now the model learns the true next word at every position. Its surprise is measured at the dock, and the gradient rides back to the start. Crimson ink: raising that number would raise the surprise; navy ink: it would lower it. Then every weight steps against its gradient.

tour-20 = 22. How big is big?
    .text = Each block's volume is its model's number of parameters. This model's { $params } make the small block on the left; GPT-2 small stands beside it, and the wall to their right is GPT-3, with 175 billion.

tour-game = 23. Your turn
    .text = Can you guess the next word as the model does? Here the true word is picked for you, and the model's chance for each choice appears. Touch Game to play five rounds yourself.
