//! The scale room: the loaded model, GPT-2 small and GPT-3 as blocks whose volumes are in
//! proportion to their parameter counts (this model's block is one unit on a side), each with a
//! sign of its layers, heads, width, context and training tokens.

use std::sync::Arc;

use bevy::prelude::*;

use super::SCALE_FRONT;
use crate::i18n::{Lang, count_words};
use crate::inference::Engine;
use crate::model::LoadedModel;
use crate::model::scale::{ModelSize, OURS, block_side, of_model, published};
use crate::scene::kit::Kit;
use crate::scene::{Localized, WorldLabel};
use crate::tr;

/// One block of the scale room.
#[derive(Component, Debug, Clone, PartialEq)]
pub struct ScaleBlock {
    /// The model it stands for.
    pub size: ModelSize,
    /// Its side in world units.
    pub side: f32,
}

/// The blocks made for this model (rebuilt when another model is loaded).
#[derive(Default)]
pub(super) struct Built {
    made_for: Option<Arc<LoadedModel>>,
    root: Option<Entity>,
}

/// A block's sign in `l`: name, parameters, shape and training tokens.
pub fn sign_text(m: &ModelSize, l: Lang) -> String {
    let tokens = m.trained_tokens.map_or(
        if m.name == OURS {
            tr!(l, "room-scale-tokens-unknown")
        } else {
            tr!(l, "room-scale-tokens-unpublished")
        },
        |t| tr!(l, "room-scale-trained", tokens = count_words(l, t)),
    );
    let name = if m.name == OURS {
        tr!(l, "room-scale-ours")
    } else {
        m.name.clone()
    };
    let params = tr!(
        l,
        "room-scale-params",
        name = name,
        params = count_words(l, m.params)
    );
    let shape = tr!(
        l,
        "room-scale-shape",
        layers = m.layers,
        heads = m.heads,
        width = m.width,
        context = m.context
    );
    format!("{params}\n{shape}\n{tokens}")
}

/// Builds the blocks for the loaded model.
pub(super) fn build_blocks(
    mut commands: Commands,
    engine: Option<Res<Engine>>,
    kit: Option<Res<Kit>>,
    lang: Res<Lang>,
    mut built: Local<Built>,
) {
    let (Some(engine), Some(kit)) = (engine, kit) else {
        return;
    };
    if built
        .made_for
        .as_ref()
        .is_some_and(|m| Arc::ptr_eq(m, &engine.0))
    {
        return;
    }
    if let Some(e) = built.root.take() {
        commands.entity(e).despawn();
    }
    let l = *lang;
    let ours = of_model(&engine.0.config, &engine.0.dir);
    let [g2, g3] = published();
    let root = commands
        .spawn((
            Name::new("Scale room"),
            Transform::IDENTITY,
            Visibility::default(),
            crate::rooms::InYard,
        ))
        .id();
    spawn_room_sign(&mut commands, root, l);
    // side by side toward +x (left to right as the room's view sees them), front faces on one
    // line, two units apart
    let mut x = SCALE_FRONT.x;
    for (m, material) in [
        (ours.clone(), kit.crate_selected.clone()),
        (g2, kit.crate_prompt.clone()),
        (g3, kit.machine.clone()),
    ] {
        let side = block_side(m.params, ours.params);
        spawn_block(&mut commands, &kit, root, l, m, material, (x, side));
        x += side + 2.0;
    }
    built.root = Some(root);
    built.made_for = Some(engine.0.clone());
}

/// The room's title sign, over the blocks.
fn spawn_room_sign(commands: &mut Commands, root: Entity, l: Lang) {
    commands.spawn((
        Name::new("Scale room sign"),
        Transform::from_translation(SCALE_FRONT + Vec3::new(2.0, 12.5, 1.0)),
        Visibility::default(),
        WorldLabel {
            text: tr!(l, "room-scale-title"),
            size: 40.0,
            lift: 0.0,
            weight: 3.0,
        },
        Localized::new(|l| tr!(l, "room-scale-title")),
        ChildOf(root),
    ));
}

/// Model `m`'s block, `side` units on a side with its left edge at `x0` and its front face on the
/// room's front line, and its sign.
fn spawn_block(
    commands: &mut Commands,
    kit: &Kit,
    root: Entity,
    l: Lang,
    m: ModelSize,
    material: Handle<StandardMaterial>,
    (x0, side): (f32, f32),
) {
    let centre = Vec3::new(x0 + side / 2.0, side / 2.0, SCALE_FRONT.z - side / 2.0);
    commands.spawn((
        Name::new(format!("Scale block: {}", m.name)),
        Mesh3d(kit.cube.clone()),
        MeshMaterial3d(material),
        Transform::from_translation(centre).with_scale(Vec3::splat(side)),
        Visibility::default(),
        ScaleBlock {
            size: m.clone(),
            side,
        },
        ChildOf(root),
    ));
    // the sign stands before the block's left part at eye height, not on top of a 47-unit cube
    commands.spawn((
        Name::new(format!("Scale sign: {}", m.name)),
        Transform::from_translation(if side > 12.0 {
            // on a block too big to see whole: on its face, near its left edge
            Vec3::new(x0 + 4.5, 9.0, SCALE_FRONT.z + 1.0)
        } else {
            Vec3::new(centre.x, side + 0.8, SCALE_FRONT.z + 1.0)
        }),
        Visibility::default(),
        WorldLabel {
            text: sign_text(&m, l),
            size: 30.0,
            lift: 0.0,
            weight: 2.5,
        },
        Localized::new(move |l| sign_text(&m, l)),
        ChildOf(root),
    ));
}
