//! The machines of the layer's middle stations, over the belt (`machines.rs` places them): the
//! merge (the heads' pipes into a manifold, a funnel over each crate) and the pattern machine (FFN:
//! a cabinet whose face is the lamp wall, narrow at its ends, a duct from over the belt into each).

use super::blocks::{
    Block, CABIN_OUTSIDE, CRATE_TOP, Form, SIDE, TAPER_NARROW, Tint, block, moving,
};

/// The merge's machine, over the belt on two legs: the heads' violet pipes (one per head, at most
/// 12: past 12 heads, from the 12 booths nearest the merge), each from its own booth's cabin (a
/// stub out of the cabin's side into it), come along the hall beside the belt into the end of a
/// violet manifold across it, and under the manifold a pink funnel over each crate's lane (a
/// trough for more than [`FUNNELS`] lanes) whose spout comes down when the crates arrive: what the
/// heads found is poured into every word.
pub(crate) fn merge(depth: f32, half_width: f32, (heads, tokens): (usize, usize)) -> Vec<Block> {
    use Tint::{Accent, Body, Heads};
    let belt = -(half_width + SIDE);
    // beyond the sign frame's posts, which stand at the station's centre
    let x = 0.7;
    let pipe_y = 3.3;
    // the pipes come along the hall beside the belt, beyond the sign frame's post (over the belt
    // they hid the crates from the station's camera), side by side, into the manifold's end; the
    // first head's outermost, so that no cabin's stub crosses a pipe passing by
    let n = heads.clamp(1, 12);
    let cabin_side = belt + half_width + CABIN_OUTSIDE;
    // (pipe k comes from booth heads - n + k: past 12 heads, the 12 nearest the merge)
    let pipe_z = |k: usize| cabin_side + 0.35 + (n - 1 - k) as f32 * 0.22;
    let (near, far) = (belt - half_width - 0.4, pipe_z(0) + 0.15);
    let mut b = vec![block(
        [x, pipe_y, (near + far) / 2.0],
        [0.3, 0.3, far - near],
        Heads,
    )];
    for side in [-1.0, 1.0] {
        let z = belt + side * (half_width + 0.25);
        b.push(block([x, pipe_y / 2.0, z], [0.3, pipe_y, 0.3], Body));
    }
    for k in 0..n {
        // from the centre of its head's booth (the booths stand in a row just before the merge)
        let start = -booth_behind(depth, heads.max(1), heads.max(1) - n + k);
        b.push(block(
            [(start + x) / 2.0, pipe_y, pipe_z(k)],
            [x - start, 0.16, 0.16],
            Heads,
        ));
        b.push(block(
            [start, pipe_y, (cabin_side + pipe_z(k)) / 2.0],
            [0.16, 0.16, pipe_z(k) - cabin_side],
            Heads,
        ));
    }
    let spout_y = 2.3;
    let drop = spout_y - 0.175 - (CRATE_TOP + 0.5);
    if tokens > FUNNELS {
        b.push(block([x, 2.95, belt], [1.2, 0.4, 2.0 * half_width], Accent));
    }
    for i in 0..tokens {
        let z = belt + super::layout::lane_z(i, tokens);
        if tokens <= FUNNELS {
            b.push(Block {
                form: Form::Funnel,
                ..block([x, 2.78, z], [1.0, 0.74, 1.0], Accent)
            });
        }
        b.push(moving([x, spout_y, z], [0.24, 0.35, 0.24], Accent, drop));
    }
    b
}

/// How far along the hall before the merge's centre (of length `depth`) head `h`'s booth has its
/// centre, for `heads` booths in a row just before the merge.
fn booth_behind(depth: f32, heads: usize, h: usize) -> f32 {
    use super::layout::{GAP, StationKind};
    let booth = StationKind::Booth(0, 0).depth();
    depth / 2.0 + GAP + (heads - 1 - h) as f32 * (booth + GAP) + booth / 2.0
}

/// The merge has a funnel per crate's lane up to this many lanes, a trough across the belt beyond.
const FUNNELS: usize = 24;

/// How wide the FFN's lamp wall is along the hall (`build::stations` spawns it; the cabinet
/// around it is [`ffn`]'s).
pub(crate) const LAMP_WALL_WIDTH: f32 = 8.0;

/// The pattern machine (FFN), narrow in, wide in the middle (four times as many neurons as a
/// word has numbers), narrow out: a cabinet behind the lamp wall, the wall its face (the wall is
/// `build::stations`' and stands 1.2 beyond the belt's edge: this machine's z = -1.2), capped in
/// the station's colour; at each end it tapers to a short narrow throat, and into each throat a
/// duct comes down from over the belt: the one at the station's start takes the crates' numbers
/// in, the one at its end brings the result back out.
pub(crate) fn ffn(half_width: f32) -> Vec<Block> {
    use Tint::{Accent, Body};
    let belt = -(half_width + SIDE);
    let (face, back) = (-1.15, 1.0);
    let (middle, thick) = ((face + back) / 2.0, back - face);
    let (height, mid_y, duct_y) = (3.1, 1.55, 3.3);
    let wide = LAMP_WALL_WIDTH / 2.0 + 0.05;
    // (the throats' ends halfway into the gaps to the neighbours, not beyond: a test)
    let (taper, throat, narrow) = (0.6, 0.35, height * TAPER_NARROW);
    let mut b = vec![
        block([0.0, mid_y, middle], [2.0 * wide, height, thick], Body),
        block(
            [0.0, 3.2, middle],
            [2.0 * wide + 0.2, 0.2, thick + 0.2],
            Accent,
        ),
    ];
    for side in [-1.0f32, 1.0] {
        // the taper, wide against the cabinet, narrow outward
        b.push(Block {
            form: Form::Taper,
            turn: if side < 0.0 {
                std::f32::consts::PI
            } else {
                0.0
            },
            ..block(
                [side * (wide + taper / 2.0), mid_y, middle],
                [taper, height, thick],
                Body,
            )
        });
        let x = side * (wide + taper + throat / 2.0);
        b.push(block([x, mid_y, middle], [throat, narrow, thick], Accent));
        // the duct: across from over the belt's centre to above the throat (dark, as the
        // cabinet: in the station's pale colour it read as a frame hiding a crate), down into it
        let across = middle - belt;
        b.push(block(
            [x, duct_y, belt + across / 2.0],
            [0.35, 0.3, across],
            Body,
        ));
        let (top, bottom) = (duct_y - 0.15, mid_y + narrow / 2.0);
        b.push(block(
            [x, (top + bottom) / 2.0, middle],
            [0.35, top - bottom, 0.35],
            Body,
        ));
        // and its nozzle, a short one toward the crates (a long one hid a crate from the
        // station's camera)
        b.push(moving(
            [x, duct_y - 0.3, belt],
            [0.35, 0.3, 0.35],
            Accent,
            0.3,
        ));
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_merge_pours_into_every_crate() {
        use crate::scene::layout::lane_z;
        let half_width = 4.5;
        let belt = -(half_width + SIDE);
        for (heads, tokens) in [(4, 6), (12, 3), (16, 3), (2, 30)] {
            let b = merge(4.0, half_width, (heads, tokens));
            // a spout over each crate's lane that comes down, under the manifold
            let spouts: Vec<&Block> = b.iter().filter(|x| x.drop > 0.0).collect();
            assert_eq!(spouts.len(), tokens);
            let manifold = b
                .iter()
                .find(|x| x.tint == Tint::Heads && x.size.z > 2.0 * half_width)
                .expect("a manifold across the belt");
            for (i, s) in spouts.iter().enumerate() {
                assert!(
                    (s.at.z - (belt + lane_z(i, tokens))).abs() < 1e-4,
                    "spout {i}"
                );
                assert!(s.at.y + s.size.y / 2.0 < manifold.at.y - manifold.size.y / 2.0);
            }
            // a funnel over each spout up to FUNNELS lanes, one trough beyond
            let pink = b.iter().filter(|x| x.tint == Tint::Accent).count() - tokens;
            assert_eq!(pink, if tokens <= FUNNELS { tokens } else { 1 });
            let funnels = b.iter().filter(|x| x.form == Form::Funnel).count();
            assert_eq!(funnels, if tokens <= FUNNELS { tokens } else { 0 });
            // a pipe per head along the hall into the manifold (besides the manifold itself),
            // beside the belt, not over the crates, from its own booth's centre (the layout's)
            let pipes: Vec<&Block> = (b.iter())
                .filter(|x| x.tint == Tint::Heads && x.size.x > 1.0)
                .collect();
            assert_eq!(pipes.len(), heads.min(12));
            let layout = crate::scene::layout::Layout::new(
                crate::scene::layout::Shape {
                    n_layer: 1,
                    n_head: heads,
                },
                tokens,
            );
            let at = |k| layout.index_of(k).map(|i| layout.stations[i].x).unwrap();
            let merge_x = at(crate::scene::layout::StationKind::Merge(0));
            for (k, p) in pipes.iter().enumerate() {
                let h = heads - heads.min(12) + k;
                assert!(
                    p.at.z - p.size.z / 2.0 > belt + half_width,
                    "a pipe over the belt"
                );
                assert!(p.at.z + p.size.z / 2.0 < manifold.at.z + manifold.size.z / 2.0);
                let booth_x = at(crate::scene::layout::StationKind::Booth(0, h));
                let start = p.at.x - p.size.x / 2.0;
                assert!(
                    (start - (booth_x - merge_x)).abs() < 1e-3,
                    "pipe {h} at {start}"
                );
            }
            // each with a stub out of its cabin's side, crossing no other pipe on its way
            let stubs: Vec<&Block> = (b.iter())
                .filter(|x| x.tint == Tint::Heads && x.size.x < 0.2)
                .collect();
            assert_eq!(stubs.len(), heads.min(12));
            for (h, s) in stubs.iter().enumerate() {
                let (inner, outer) = (s.at.z - s.size.z / 2.0, s.at.z + s.size.z / 2.0);
                for (g, p) in pipes.iter().enumerate() {
                    let passes = p.at.x - p.size.x / 2.0 < s.at.x - 1e-3;
                    assert!(
                        !(passes && p.at.z > inner && p.at.z < outer - 0.1),
                        "head {h}'s stub crosses head {g}'s pipe"
                    );
                }
            }
        }
    }

    #[test]
    fn the_ffn_narrows_at_its_ends_and_its_ducts_come_down_into_them() {
        let half_width = 4.5;
        let belt = -(half_width + SIDE);
        // the FFN's two ducts end in nozzles over the belt's centre, at its start and its end
        let b = ffn(half_width);
        let nozzles: Vec<&Block> = b.iter().filter(|x| x.drop > 0.0).collect();
        assert_eq!(nozzles.len(), 2);
        assert!(nozzles.iter().all(|n| (n.at.z - belt).abs() < 1e-4));
        assert!(nozzles[0].at.x < -2.0 && nozzles[1].at.x > 2.0);
        // within its stretch and half the gaps either side (the neighbours' machines have the rest)
        use crate::scene::layout::{GAP, StationKind};
        let reach = StationKind::Ffn(0).depth() / 2.0 + GAP / 2.0;
        for x in &b {
            assert!(x.at.x.abs() + x.size.x / 2.0 <= reach + 1e-4, "{:?}", x.at);
        }
        // narrow in, wide, narrow out: the cabinet (the widest dark block: the lid over it is
        // wider) around the lamp wall; at each end a taper, wide against the cabinet and narrow
        // outward, then a throat as tall as the taper's narrow end, into whose top a duct comes
        // down at the nozzle's x
        let top = |x: &Block| x.at.y + x.size.y / 2.0;
        let cabinet = b
            .iter()
            .filter(|x| x.tint == Tint::Body)
            .max_by(|p, q| p.size.x.total_cmp(&q.size.x))
            .unwrap();
        assert!(cabinet.size.x > LAMP_WALL_WIDTH && cabinet.size.x < LAMP_WALL_WIDTH + 1.0);
        let tapers: Vec<&Block> = b.iter().filter(|x| x.form == Form::Taper).collect();
        assert_eq!(tapers.len(), 2);
        for (t, n) in tapers.iter().zip(&nozzles) {
            let outward = n.at.x.signum();
            // a taper's wide end is its local −x: turned half round at the start's end
            let wide_end = t.at.x - outward * t.size.x / 2.0;
            assert!((wide_end.abs() - cabinet.size.x / 2.0).abs() < 1e-4);
            assert!((t.size.y - cabinet.size.y).abs() < 1e-4);
            assert_eq!(t.turn != 0.0, outward < 0.0, "the narrow end outward");
            let throat = b
                .iter()
                .find(|x| {
                    x.tint == Tint::Accent && (x.at.x - n.at.x).abs() < 1e-4 && x.size.y > 0.5
                })
                .expect("a throat at the nozzle's x");
            assert!((throat.size.y - t.size.y * TAPER_NARROW).abs() < 1e-4);
            assert!(throat.size.y < cabinet.size.y / 3.0);
            let down = b
                .iter()
                .find(|x| x.tint == Tint::Body && (x.at.x - n.at.x).abs() < 1e-4 && x.size.y > 0.5)
                .expect("a duct down into the throat");
            assert!((down.at.y - down.size.y / 2.0 - top(throat)).abs() < 1e-4);
        }
    }
}
