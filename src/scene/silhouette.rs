//! One machine alone (`factory --station N --silhouette --screenshot F`): the station's machine
//! lit on the hall's floor, with no crates, boards, beams, signs, other stations or
//! overlay, for the README's silhouette sheet and for judging whether a machine is named by its
//! shape. What is painted on a machine (the stamp's numbered tags, a cabin's head plate) stays:
//! it is part of the machine; so do a norm gate's spread bars, the shipping dock's bars and a
//! booth's part gauge (each machine's visible working, set again each frame by their own systems),
//! and an FFN machine's lamp wall (its face).

use bevy::prelude::*;

use super::parts::{
    Board, Crate, CurrentLayout, FloorRoot, StationNode, SurpriseGauge, WorldLabel,
};

/// Show station `.0`'s machine alone.
#[derive(Resource, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Silhouette(pub usize);

/// The hidden: every other station, the crates, and in the station shown what is data or text.
type Hidden = Or<(
    With<Crate>,
    With<Board>,
    With<WorldLabel>,
    With<SurpriseGauge>,
)>;

/// Hides all but the machine of the station asked for, each time the floor is built, lays the
/// hall's floor under the belt where the boards would lie (the belt is left out there), and turns
/// the beams off (no weight reaches the threshold).
pub(crate) fn show_the_machine_alone(
    (silhouette, kit): (Option<Res<Silhouette>>, Option<Res<super::kit::Kit>>),
    layout: Option<Res<CurrentLayout>>,
    stations: Query<(Entity, &StationNode), Added<StationNode>>,
    data: Query<Entity, (Hidden, Without<StationNode>)>,
    roots: Query<Entity, With<FloorRoot>>,
    mut beams: ResMut<super::beams::BeamSettings>,
    mut commands: Commands,
) {
    let (Some(alone), Some(kit), Some(layout)) = (silhouette, kit, layout) else {
        return;
    };
    if stations.is_empty() {
        return;
    }
    beams.threshold = f32::INFINITY;
    let (length, width) = (layout.0.length(), layout.0.width());
    for root in &roots {
        commands.spawn((
            Name::new("Floor under the belt"),
            Mesh3d(kit.cube.clone()),
            MeshMaterial3d(kit.floor.clone()),
            Transform::from_xyz(length / 2.0, -0.15, 0.0).with_scale(Vec3::new(length, 0.1, width)),
            ChildOf(root),
        ));
    }
    for (e, node) in &stations {
        if node.0 != alone.0 {
            commands.entity(e).insert(Visibility::Hidden);
        }
    }
    for e in &data {
        commands.entity(e).insert(Visibility::Hidden);
    }
}
