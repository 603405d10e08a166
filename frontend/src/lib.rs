//! The browser bundle: takes over the server-rendered page. Everything else lives in `app`.

// The future that hydrates the whole app holds the app's view type, which is deep.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // A page split out of the main bundle (app/src/pages/lazy.rs) is fetched first, then the
    // whole page hydrates; hence asynchronously.
    wasm_bindgen_futures::spawn_local(async {
        let app = leptos::mount::hydrate_from_async(leptos::tachys::dom::body(), app::App).await;
        // The page lives as long as the tab.
        app.forget();
        // Lets tests (and curious people) tell a hydrated page from a server-rendered one.
        if let Some(body) = leptos::prelude::document().body() {
            let _ = body.set_attribute("data-hydrated", "");
        }
    });
}
