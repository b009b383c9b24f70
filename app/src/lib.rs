//! Rapport's web app (Leptos 0.8): server-rendered with `ssr`, hydrated in
//! the browser with `hydrate`.
//!
//! Data during server rendering: the server renders the frame and skeletons;
//! the browser fetches from `/api/v1` after hydration through [`api`], pages
//! through [`load::Load`]. There is one path to the data, the same API
//! integrations use.

// Without `--cfg erase_components` (which cargo-leptos and the Makefile always
// pass; a plain `cargo build` does not) the nested view types of the bigger
// pages exceed the default depth of 128.
#![recursion_limit = "256"]

pub mod api;
pub mod browser;
pub mod components;
pub mod format;
pub mod i18n;
pub mod load;
pub mod outbox;
pub mod pages;
pub mod session;

use components::layout::AppShell;
use i18n::{InitialLanguage, provide_i18n};
use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;
use pages::agenda::Agenda;
use pages::customers::detail::CustomerDetail;
use pages::customers::form::{CustomerEdit, CustomerNew};
use pages::customers::list::CustomerList;
use pages::dashboard::Dashboard;
use pages::deal::DealPage;
use pages::invite::Invite;
use pages::login::Login;
use pages::not_found::NotFound;
use pages::pipeline::PipelineBoard;
use pages::quick::QuickEntry;
use pages::settings::Settings;
use pages::setup::Setup;
use pages::team::TeamPage;
use session::provide_session;

/// A small inline icon (no extra request): a blue rounded square with an "R".
const FAVICON: &str = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E%3Crect width='32' height='32' rx='7' fill='%231f5eff'/%3E%3Ctext x='16' y='23' font-size='20' font-family='sans-serif' font-weight='700' text-anchor='middle' fill='white'%3ER%3C/text%3E%3C/svg%3E";

/// The HTML document around the app (server side).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = use_context::<InitialLanguage>().map(|l| l.0).unwrap_or_default();
    view! {
        <!DOCTYPE html>
        <html lang=lang.tag()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover"/>
                <meta name="color-scheme" content="light dark"/>
                <meta name="theme-color" content="#1f5eff"/>
                <link rel="icon" href=FAVICON/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The routes and the providers every page uses.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_i18n();
    provide_session();
    outbox::provide_outbox();
    // A marker for end-to-end tests: clicks before hydration do nothing.
    Effect::new(|_| mark_hydrated());
    view! {
        <Stylesheet id="leptos" href="/pkg/rapport.css"/>
        <Title text="Rapport"/>
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/login") view=Login/>
                <Route path=path!("/setup") view=Setup/>
                <Route path=path!("/invite/:token") view=Invite/>
                <ParentRoute path=path!("") view=AppShell>
                    <Route path=path!("") view=Dashboard/>
                    <Route path=path!("customers") view=CustomerList/>
                    <Route path=path!("customers/new") view=CustomerNew/>
                    <Route path=path!("customers/:id") view=CustomerDetail/>
                    <Route path=path!("customers/:id/edit") view=CustomerEdit/>
                    <Route path=path!("pipeline") view=PipelineBoard/>
                    <Route path=path!("deals/:id") view=DealPage/>
                    <Route path=path!("quick") view=QuickEntry/>
                    <Route path=path!("agenda") view=Agenda/>
                    <Route path=path!("settings") view=Settings/>
                    <Route path=path!("team") view=TeamPage/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}

fn mark_hydrated() {
    #[cfg(feature = "hydrate")]
    if let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}

/// The browser entry point.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}
