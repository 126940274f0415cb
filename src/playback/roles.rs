//! What the loaded model's folder says about its parts in general, read when the model changes:
//! the head roles (`model/heads.rs`, `heads.json`: the booths' signs name each head's role) and
//! the lamp cards (`model/lamps.rs`, `lamps.json`: where each lamp lights most). A folder without
//! them still opens (the signs keep their general line; the inspector says how to make the files).

use bevy::prelude::*;

use crate::inference::Engine;
use crate::model::heads::{HeadRole, load_roles};

/// The roles of the model now loaded, when its folder has them.
#[derive(Resource, Debug, Default, Clone)]
pub struct HeadRoles {
    /// One per head, layer-major (empty without a file).
    pub roles: Vec<HeadRole>,
    /// Why the file could not be used, when it is there but broken.
    pub problem: Option<String>,
    /// The model folder they were read from (the learning step's copies share it: no new read).
    model: Option<std::path::PathBuf>,
}

impl HeadRoles {
    /// The role of (`layer`, `head`), when known.
    pub fn of(&self, layer: usize, head: usize) -> Option<&HeadRole> {
        self.roles
            .iter()
            .find(|r| r.layer == layer && r.head == head)
    }
}

/// Reads the roles again when another model is loaded.
pub(super) fn load_head_roles(engine: Option<Res<Engine>>, mut roles: ResMut<HeadRoles>) {
    let Some(engine) = engine else { return };
    if roles.model.as_deref() == Some(engine.0.dir.as_path()) {
        return;
    }
    let n_heads = engine.0.config.n_layer * engine.0.config.n_head;
    *roles = match load_roles(&engine.0.dir) {
        None => HeadRoles::default(),
        Some(Ok(r)) if r.len() == n_heads => HeadRoles {
            roles: r,
            ..HeadRoles::default()
        },
        Some(Ok(r)) => HeadRoles {
            problem: Some(format!(
                "{} heads in heads.json, {n_heads} in the model",
                r.len()
            )),
            ..HeadRoles::default()
        },
        Some(Err(why)) => HeadRoles {
            problem: Some(why),
            ..HeadRoles::default()
        },
    };
    if let Some(why) = &roles.problem {
        warn!(
            "the head roles in {} are not used: {why}",
            engine.0.dir.display()
        );
    }
    roles.model = Some(engine.0.dir.clone());
}

/// The loaded model's lamp cards (`model/lamps.rs`), read from its folder's `lamps.json` when the
/// model changes; none without the file (the cards then say how to make it).
#[derive(Resource, Debug, Default, Clone)]
pub struct LampCardsRes {
    /// The cards, when the folder has them.
    pub cards: Option<crate::model::lamps::LampCards>,
    /// Why the file could not be used, when it is there but broken.
    pub problem: Option<String>,
    /// The model folder they were read from (the learning step's copies share it: no new read).
    model: Option<std::path::PathBuf>,
}

impl LampCardsRes {
    /// Lamp (`layer`, `neuron`)'s card, the strongest place first.
    pub fn of(&self, layer: usize, neuron: usize) -> Option<&[crate::model::lamps::Lit]> {
        let card = self.cards.as_ref()?.lamps.get(layer)?.get(neuron)?;
        Some(card.as_slice())
    }
}

/// Reads the lamp cards again when another model is loaded (about 2.4 MB of JSON for the default
/// model: a few tens of milliseconds, once).
pub(super) fn load_lamp_cards(engine: Option<Res<Engine>>, mut cards: ResMut<LampCardsRes>) {
    let Some(engine) = engine else { return };
    if cards.model.as_deref() == Some(engine.0.dir.as_path()) {
        return;
    }
    let cfg = &engine.0.config;
    *cards = match crate::model::lamps::load_cards(&engine.0.dir) {
        None => LampCardsRes::default(),
        Some(Ok(c))
            if c.lamps.len() == cfg.n_layer && c.lamps.iter().all(|l| l.len() == cfg.n_inner) =>
        {
            LampCardsRes {
                cards: Some(c),
                ..LampCardsRes::default()
            }
        }
        Some(Ok(_)) => LampCardsRes {
            problem: Some("its lamps do not match the model's".into()),
            ..LampCardsRes::default()
        },
        Some(Err(why)) => LampCardsRes {
            problem: Some(why),
            ..LampCardsRes::default()
        },
    };
    if let Some(why) = &cards.problem {
        warn!(
            "the lamp cards in {} are not used: {why}",
            engine.0.dir.display()
        );
    }
    cards.model = Some(engine.0.dir.clone());
}
