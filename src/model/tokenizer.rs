//! Text to token ids and back, with the Hugging Face `tokenizers` crate (byte-level BPE for GPT-2).

use std::path::Path;

use super::error::{ModelError, Result};

/// A loaded `tokenizer.json`.
#[derive(Clone)]
pub struct Tokenizer {
    inner: tokenizers::Tokenizer,
}

impl std::fmt::Debug for Tokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tokenizer({} tokens)", self.vocab_size())
    }
}

impl Tokenizer {
    /// Reads a `tokenizer.json`.
    pub fn from_file(path: &Path) -> Result<Self> {
        if !path.exists() {
            return Err(ModelError::MissingFile {
                path: path.to_owned(),
                hint: "; the model folder needs the tokenizer it was trained with".into(),
            });
        }
        let inner = tokenizers::Tokenizer::from_file(path).map_err(|e| ModelError::Tokenizer {
            path: path.to_owned(),
            problem: format!("not a readable tokenizer.json ({e})"),
        })?;
        Ok(Self { inner })
    }

    /// Wraps an already-built tokenizer.
    pub fn from_inner(inner: tokenizers::Tokenizer) -> Self {
        Self { inner }
    }

    /// The underlying tokenizers-crate object.
    pub fn inner(&self) -> &tokenizers::Tokenizer {
        &self.inner
    }

    /// Number of tokens, special tokens included.
    pub fn vocab_size(&self) -> usize {
        self.inner.get_vocab_size(true)
    }

    /// Splits text into token ids (no special tokens added).
    pub fn encode(&self, text: &str) -> Result<Vec<u32>> {
        let enc = self
            .inner
            .encode(text, false)
            .map_err(|e| ModelError::Prompt(format!("could not tokenize the prompt: {e}")))?;
        Ok(enc.get_ids().to_vec())
    }

    /// Turns ids back into text.
    pub fn decode(&self, ids: &[u32]) -> Result<String> {
        self.inner
            .decode(ids, false)
            .map_err(|e| ModelError::Prompt(format!("could not decode tokens: {e}")))
    }

    /// The text of one token as a person would read it (a partial UTF-8 byte shows as �).
    pub fn token_text(&self, id: u32) -> String {
        self.inner.decode(&[id], false).unwrap_or_default()
    }

    /// The id of a special token such as `<|endoftext|>`, if the vocabulary has it.
    pub fn token_id(&self, token: &str) -> Option<u32> {
        self.inner.token_to_id(token)
    }
}

/// A token as a label: its piece with spaces made visible (see [`shown_piece`]), or `[id N]` for an
/// id the tokenizer has no text for (a vocabulary padded beyond the tokenizer's, as GPT-2's is).
pub fn shown_token(text: &str, id: u32) -> String {
    if text.is_empty() {
        format!("[id {id}]")
    } else {
        shown_piece(text)
    }
}

/// A token's text with spaces, newlines and tabs made visible (`·`, `\n`, `\t`), for labels.
pub fn shown_piece(text: &str) -> String {
    text.replace(' ', "·")
        .replace('\n', "\\n")
        .replace('\t', "\\t")
}

/// The end-of-text token GPT-2 uses between documents.
pub const END_OF_TEXT: &str = "<|endoftext|>";

/// Trains a GPT-2-style byte-level BPE tokenizer on `texts` with at most `vocab_size` tokens.
///
/// Byte-level means every byte is in the vocabulary, so any text can be encoded. `<|endoftext|>` is
/// added as a special token.
pub fn train_bpe<I, S>(texts: I, vocab_size: usize) -> std::result::Result<Tokenizer, String>
where
    I: Iterator<Item = S> + Send,
    S: AsRef<str> + Send,
{
    use tokenizers::models::bpe::{BPE, BpeTrainerBuilder};
    use tokenizers::models::{ModelWrapper, TrainerWrapper};
    use tokenizers::pre_tokenizers::byte_level::ByteLevel;
    use tokenizers::{AddedToken, DecoderWrapper, PostProcessorWrapper, PreTokenizerWrapper};

    let alphabet = ByteLevel::alphabet();
    if vocab_size < alphabet.len() + 1 {
        return Err(format!(
            "the vocabulary must hold at least {} tokens (256 bytes + <|endoftext|>)",
            alphabet.len() + 1
        ));
    }
    let mut tok = tokenizers::Tokenizer::new(ModelWrapper::BPE(BPE::default()));
    let byte_level = ByteLevel::new(false, true, true);
    tok.with_pre_tokenizer(Some(PreTokenizerWrapper::ByteLevel(byte_level)));
    tok.with_decoder(Some(DecoderWrapper::ByteLevel(byte_level)));
    tok.with_post_processor(Some(PostProcessorWrapper::ByteLevel(byte_level)));
    let mut trainer = TrainerWrapper::BpeTrainer(
        BpeTrainerBuilder::new()
            .vocab_size(vocab_size)
            .min_frequency(2)
            .show_progress(false)
            .special_tokens(vec![AddedToken::from(END_OF_TEXT, true)])
            .initial_alphabet(alphabet.into_iter().collect())
            .build(),
    );
    tok.train(&mut trainer, texts)
        .map_err(|e| format!("tokenizer training failed: {e}"))?;
    Ok(Tokenizer::from_inner(tok))
}

impl Tokenizer {
    /// Writes `tokenizer.json`.
    pub fn save(&self, path: &Path) -> Result<()> {
        self.inner
            .save(path, false)
            .map_err(|e| ModelError::Tokenizer {
                path: path.to_owned(),
                problem: format!("could not write: {e}"),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "To be, or not to be, that is the question:\n\
        Whether 'tis nobler in the mind to suffer\n\
        The slings and arrows of outrageous fortune,\n\
        Or to take arms against a sea of troubles";

    #[test]
    fn trained_tokenizer_round_trips_any_text() {
        let tok = train_bpe(TEXT.lines(), 300).unwrap();
        assert!(tok.vocab_size() <= 300 && tok.vocab_size() > 257);
        for text in [
            TEXT,
            "  odd   spacing\tand\nnewlines ",
            "naïve café ☕ 日本語",
            "<|endoftext|> after",
        ] {
            let ids = tok.encode(text).unwrap();
            assert_eq!(tok.decode(&ids).unwrap(), text);
        }
        let eot = tok.token_id(END_OF_TEXT).unwrap();
        assert_eq!(
            tok.encode("a<|endoftext|>b")
                .unwrap()
                .iter()
                .filter(|&&i| i == eot)
                .count(),
            1
        );
        // merges learned: a frequent word is fewer tokens than bytes
        assert!(tok.encode(" the").unwrap().len() < 4);
    }

    #[test]
    fn too_small_vocabulary_is_refused() {
        assert!(train_bpe(TEXT.lines(), 10).is_err());
    }
}
