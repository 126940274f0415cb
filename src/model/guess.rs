//! The guessing game's rounds: a sentence from a curated list with its next word hidden, four
//! choices (the true next word, the model's top guess, two others the model finds plausible), and
//! after the visitor's pick the model's probability for each (softmax at temperature 1, nothing
//! cut, at the position before the hidden word).
//!
//! A sentence is written `words before | the next word` (one per line; `#` starts a comment). Every
//! choice is one token of the model's vocabulary with a space before it; a sentence whose next word
//! is not is skipped, and said.

use super::error::Result;
use super::{Gpt, KvCache, ModelError, Tokenizer};

/// One curated sentence: the words before, and the word that really comes next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    /// The words shown.
    pub before: String,
    /// The hidden next word (no space).
    pub next: String,
}

/// Reads a sentence list: `before | next` per line, blank lines and `#` comments skipped; a line
/// without `|` is an error naming it.
pub fn parse_sentences(text: &str) -> std::result::Result<Vec<Sentence>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((before, next)) = line.rsplit_once('|') else {
            return Err(format!("line {}: no \"|\" before the hidden word", i + 1));
        };
        let (before, next) = (before.trim(), next.trim());
        if before.is_empty() || next.is_empty() || next.contains(' ') {
            return Err(format!(
                "line {}: want \"words before | one next word\"",
                i + 1
            ));
        }
        out.push(Sentence {
            before: before.into(),
            next: next.into(),
        });
    }
    Ok(out)
}

/// The game's sentence list for a language code (`en`, `de`; anything else: English), built into
/// the binary from `assets/game/<code>.txt`. The model reads English only, so every list holds
/// English sentences.
pub fn built_in(code: &str) -> Vec<Sentence> {
    let text = match code {
        "de" => include_str!("../../assets/game/de.txt"),
        _ => include_str!("../../assets/game/en.txt"),
    };
    parse_sentences(text).unwrap_or_default()
}

/// A round ready to play.
#[derive(Debug, Clone, PartialEq)]
pub struct Round {
    /// The sentence.
    pub sentence: Sentence,
    /// Its words before, as token ids.
    pub ids: Vec<u32>,
    /// The four choices, token ids, in the order shown.
    pub choices: [u32; 4],
    /// Which choice is the true next word.
    pub truth: usize,
    /// Which choice is the model's top guess (the same as `truth` when the model knows).
    pub model_pick: usize,
    /// The model's probability for each choice (temperature 1, nothing cut).
    pub probs: [f32; 4],
}

/// The one token `" word"` is, if it is one.
fn word_token(tok: &Tokenizer, word: &str) -> Option<u32> {
    match tok.encode(&format!(" {word}")).ok()?[..] {
        [id] => Some(id),
        _ => None,
    }
}

/// A word-like token: a space, then letters only (the other choices must read as words).
fn is_word(tok: &Tokenizer, id: u32) -> bool {
    let t = tok.token_text(id);
    t.starts_with(' ') && t.len() > 2 && t[1..].chars().all(char::is_alphabetic)
}

/// Makes the round for `sentence`: the choices are the true word, the model's most likely next
/// word-like token, and the next most likely word-like tokens until there are four; shown in an
/// order shuffled by `seed`.
pub fn make_round(gpt: &Gpt, tok: &Tokenizer, sentence: &Sentence, seed: u64) -> Result<Round> {
    let truth_id = word_token(tok, &sentence.next).ok_or_else(|| {
        ModelError::Prompt(format!(
            "\"{}\" is not one word of this model's vocabulary",
            sentence.next
        ))
    })?;
    let ids = tok.encode(&sentence.before)?;
    let logits = gpt.next_logits(&ids, &mut KvCache::new())?;
    let probs = super::trace::softmax(&logits);
    let mut order: Vec<u32> = (0..probs.len() as u32).collect();
    order.sort_by(|&a, &b| {
        probs[b as usize]
            .total_cmp(&probs[a as usize])
            .then(a.cmp(&b))
    });
    let top = order[0];
    let mut picked = vec![truth_id];
    for id in order
        .into_iter()
        .filter(|&id| is_word(tok, id) || id == top)
    {
        if picked.len() == 4 {
            break;
        }
        if !picked.contains(&id) {
            picked.push(id);
        }
    }
    // a fixed shuffle (Fisher-Yates on SplitMix64 from `seed`): no place gives the answer away
    let mut state = seed;
    for i in (1..picked.len()).rev() {
        let j = (super::heads::splitmix64(&mut state) % (i as u64 + 1)) as usize;
        picked.swap(i, j);
    }
    let choices: [u32; 4] = picked.try_into().map_err(|_| {
        ModelError::Prompt("the vocabulary has fewer than four words to choose from".into())
    })?;
    let at = |id: u32| choices.iter().position(|&c| c == id).unwrap_or(0);
    Ok(Round {
        sentence: sentence.clone(),
        ids,
        truth: at(truth_id),
        model_pick: at(top),
        probs: choices.map(|c| probs[c as usize]),
        choices,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_are_read_and_bad_lines_named() {
        let s = parse_sentences("# a comment\n\nThe cat sat on the | mat\n").unwrap();
        assert_eq!(
            s,
            vec![Sentence {
                before: "The cat sat on the".into(),
                next: "mat".into()
            }]
        );
        assert!(
            parse_sentences("no bar here")
                .unwrap_err()
                .contains("line 1")
        );
        assert!(
            parse_sentences("ok | two words")
                .unwrap_err()
                .contains("line 1")
        );
    }
}
