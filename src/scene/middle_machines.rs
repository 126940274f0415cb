//! The machines of the layer's middle stations, over the belt (`machines.rs` places them): the
//! merge (the heads' pipes into a manifold, a funnel over each crate) and the pattern machine (FFN:
//! a cabinet whose face is the lamp wall, a duct over the belt at each end).

use super::blocks::{Block, CABIN_OUTSIDE, CRATE_TOP, Form, SIDE, Tint, block, moving};

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

/// The pattern machine (FFN): a cabinet behind the lamp wall, the wall its face (the wall is
/// `build::stations`' and stands 1.2 beyond the belt's edge: this machine's z = -1.2), capped in
/// the station's colour, and two ducts over the belt: one at the station's start that takes the
/// crates' numbers up into the cabinet, one at its end that brings the result back down: narrow
/// in, wide in the middle (four times as many neurons), narrow out.
pub(crate) fn ffn(depth: f32, half_width: f32) -> Vec<Block> {
    use Tint::{Accent, Body};
    let belt = -(half_width + SIDE);
    let (face, back) = (-1.15, 1.0);
    let middle = (face + back) / 2.0;
    let duct_y = 3.3;
    let mut b = vec![
        block([0.0, 1.55, middle], [9.4, 3.1, back - face], Body),
        block([0.0, 3.2, middle], [9.6, 0.2, back - face + 0.2], Accent),
    ];
    let ends = depth / 2.0 - 0.6;
    for x in [-ends, ends] {
        // the duct across, from over the belt's centre into the cabinet's top (dark, as the
        // cabinet: in the station's pale colour it read as a frame hiding a crate)
        let across = middle - belt;
        b.push(block(
            [x, duct_y, belt + across / 2.0],
            [0.35, 0.3, across],
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
    fn the_merge_pours_into_every_crate_and_the_ffn_reaches_over_the_belt() {
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
        // the FFN's two ducts end in nozzles over the belt's centre, at its start and its end
        let b = ffn(8.0, half_width);
        let nozzles: Vec<&Block> = b.iter().filter(|x| x.drop > 0.0).collect();
        assert_eq!(nozzles.len(), 2);
        assert!(nozzles.iter().all(|n| (n.at.z - belt).abs() < 1e-4));
        assert!(nozzles[0].at.x < -2.0 && nozzles[1].at.x > 2.0);
    }
}
