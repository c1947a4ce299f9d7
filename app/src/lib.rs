#![recursion_limit = "256"]
//! The console: routes, pages, components, and the thin server functions behind them.

pub mod api;
pub mod bundle;
pub mod components;
pub mod error;
pub mod pages;
pub mod routes;
#[cfg(feature = "ssr")]
pub mod ssr;
#[cfg(feature = "ssr")]
pub mod switched;

use leptos::prelude::*;
use leptos_meta::MetaTags;

pub use bundle::Bundle;
pub use routes::*;

/// The name the build gives the wasm bundle, script and stylesheet under `/pkg`.
pub const OUTPUT_NAME: &str = "iam-console";

/// Keeps what a person does before the wasm arrives (see the script).
const EVENT_REPLAY: &str = include_str!("scripts/event_replay.js");

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let options = bundle_for_page(options);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="data:," />
                <script inner_html=EVENT_REPLAY></script>
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Which bundle hydrates the page being rendered.
#[cfg_attr(not(feature = "ssr"), allow(unused_mut))]
fn bundle_for_page(mut options: LeptosOptions) -> LeptosOptions {
    #[cfg(feature = "ssr")]
    {
        if let Some(parts) = use_context::<axum::http::request::Parts>() {
            let name = Bundle::for_path(parts.uri.path()).output_name();
            // A build that made only the console's bundle (cargo-leptos) still serves every page.
            let built = std::path::Path::new(&*options.site_root)
                .join(&*options.site_pkg_dir)
                .join(format!("{name}.wasm"))
                .exists();
            if built {
                options.output_name = name.into();
            }
        }
    }
    options
}
