//! The loaded model's head roles (`model/heads.rs`), read from its folder's `heads.json` when the
//! model changes: the booths' signs name each head's role. A folder without the file still opens
//! (the signs keep their general line; the inspector says how to make the file).

use std::sync::Arc;

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
    /// The model they were read for.
    model: usize,
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
    let key = Arc::as_ptr(&engine.0) as usize;
    if roles.model == key {
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
    roles.model = key;
}
