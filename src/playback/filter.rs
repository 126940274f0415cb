//! The word filter of the museum floor: a plain, editable list of words that may not appear on the
//! wall. A typed prompt containing one is refused; a generated token that would spell one is
//! masked (drawn again without it) and the factory says so. Off unless the kiosk turns it on.

use std::collections::HashSet;
use std::path::Path;

use bevy::prelude::*;

/// The blocked words, lower case.
#[derive(Resource, Debug, Clone, Default, PartialEq)]
pub struct WordFilter {
    words: HashSet<String>,
}

/// The words of a text: runs of letters and digits (any script), lower case.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

impl WordFilter {
    /// A filter of these words (whatever their case).
    pub fn new<S: AsRef<str>>(list: impl IntoIterator<Item = S>) -> Self {
        Self {
            words: list
                .into_iter()
                .flat_map(|w| words(w.as_ref()).collect::<Vec<_>>())
                .collect(),
        }
    }

    /// Reads a list: one word per line, `#` starts a comment line.
    pub fn load(path: &Path) -> std::io::Result<Self> {
        let text = std::fs::read_to_string(path)?;
        Ok(Self::new(
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#')),
        ))
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// True when the list is empty.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The first blocked word in `text`, if any.
    pub fn blocked_word(&self, text: &str) -> Option<String> {
        words(text).find(|w| self.words.contains(w))
    }

    /// True when appending `piece` to `before` completes or continues a blocked word at the end
    /// (so a word spelled over several tokens is caught at each of its tokens).
    pub fn blocks_continuation(&self, before: &str, piece: &str) -> bool {
        if piece.chars().all(|c| !c.is_alphanumeric()) {
            return false;
        }
        let joined = format!("{before}{piece}");
        let last: String = joined
            .chars()
            .rev()
            .take_while(|c| c.is_alphanumeric())
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<String>()
            .to_lowercase();
        !last.is_empty()
            && self
                .words
                .iter()
                .any(|w| w.starts_with(&last) && last.len() * 2 >= w.len())
            || self.words.contains(&last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_found_whole_and_as_they_are_spelled() {
        let f = WordFilter::new(["Darn", "heck"]);
        assert_eq!(f.blocked_word("Well, DARN it."), Some("darn".into()));
        assert_eq!(f.blocked_word("darned"), None, "whole words only");
        assert_eq!(f.blocked_word("a heck!"), Some("heck".into()));
        assert!(f.blocks_continuation("oh da", "rn"));
        assert!(
            f.blocks_continuation("oh", " dar"),
            "most of the word is spelled"
        );
        assert!(
            !f.blocks_continuation("oh", " d"),
            "one letter is not yet the word"
        );
        assert!(
            !f.blocks_continuation("darn", "."),
            "punctuation after it is not new"
        );
        assert!(!f.blocks_continuation("the", " cat"));
    }
}
