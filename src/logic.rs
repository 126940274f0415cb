//! The factory's logic, with or without a renderer: inference → playback → scene and the tour,
//! composed in frame order ([`crate::schedule`]). Tests and benchmarks run it headless.

use std::sync::Arc;

use bevy::prelude::*;

use crate::inference::Engine;
use crate::model::LoadedModel;
use crate::schedule;

/// The logic every build of the factory has, with or without a window (tests use this alone).
pub fn core_plugin(app: &mut App) {
    schedule::configure(app);
    app.init_resource::<crate::i18n::Lang>();
    app.add_plugins((
        crate::inference::plugin,
        crate::playback::plugin,
        crate::scene::plugin,
        crate::rooms::plugin,
        crate::tour::plugin,
    ));
}

/// The factory's logic without a window or renderer: `MinimalPlugins`, assets, the core plugin and
/// the model. For tests and the scene benchmark.
pub fn headless_app(model: Arc<LoadedModel>) -> App {
    let mut app = App::new();
    app.add_plugins((MinimalPlugins, AssetPlugin::default()))
        .init_asset::<Mesh>()
        .init_asset::<StandardMaterial>()
        .init_asset::<crate::scene::flat::FlatMaterial>()
        .init_asset::<crate::scene::flat::FlatTexture>()
        .init_asset::<Image>()
        .add_plugins(core_plugin)
        .insert_resource(Engine(model));
    app
}
