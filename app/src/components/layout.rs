//! The signed-in frame: a sidebar on wide screens, a bottom bar on phones,
//! and the page in between. Sends signed-out visitors to sign-in or setup.

use crate::components::bell::{Bell, provide_live};
use crate::components::states::Skeleton;
use crate::i18n::{Msg, tr};
use crate::session::{SessionState, use_session};
use leptos::prelude::*;
use leptos_router::components::{A, Outlet};
use leptos_router::hooks::{use_location, use_navigate};

#[component]
pub fn AppShell() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let location = use_location();
    Effect::new(move |_| match session.state.get() {
        SessionState::SignedOut => {
            let here = location.pathname.get_untracked();
            let next = if here == "/" { String::new() } else { format!("?next={here}") };
            navigate(&format!("/login{next}"), Default::default());
        }
        SessionState::NeedsSetup => navigate("/setup", Default::default()),
        _ => {}
    });
    let org = move || session.user().map(|u| u.org_name).unwrap_or_default();
    let live = provide_live();
    let supervises = move || session.user().is_some_and(|u| u.role != rapport_shared::auth::Role::Rep);
    view! {
        <div class="shell">
            <header class="topbar">
                <A href="/" attr:class="brand">{tr(Msg::AppName)}</A>
                <span class="org muted">{org}</span>
                <Show when=move || session.user().is_some()><Bell/></Show>
            </header>
            <nav class="nav" aria-label="Main">
                <NavLink href="/" label=Msg::Dashboard icon=ICON_HOME exact=true/>
                <NavLink href="/customers" label=Msg::Customers icon=ICON_PEOPLE exact=false/>
                <NavLink href="/pipeline" label=Msg::Pipeline icon=ICON_BOARD exact=false/>
                <NavLink href="/agenda" label=Msg::Agenda icon=ICON_CLOCK exact=false
                    badge=Signal::derive(move || { let c = live.counts.get(); c.overdue + c.due_today })/>
                <NavLink href="/quick" label=Msg::QuickEntry icon=ICON_PLUS exact=false/>
                <Show when=supervises>
                    <NavLink href="/team" label=Msg::TeamDashboard icon=ICON_TEAM exact=false wide_only=true/>
                </Show>
                <NavLink href="/settings" label=Msg::Settings icon=ICON_GEAR exact=false/>
            </nav>
            <main class="page">
                {move || match session.state.get() {
                    SessionState::SignedIn(_) => view! { <Outlet/> }.into_any(),
                    SessionState::Unreachable => view! {
                        <div class="error-state" role="alert">
                            <p>{tr(Msg::Offline)}</p>
                            <button class="btn" on:click=move |_| session.recheck()>{tr(Msg::Retry)}</button>
                        </div>
                    }.into_any(),
                    _ => view! { <Skeleton rows=6/> }.into_any(),
                }}
            </main>
        </div>
    }
}

const ICON_CLOCK: &str = "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm1 5v5.4l3.6 2.1-1 1.7L11 13.5V7z";
const ICON_HOME: &str = "M3 11l9-8 9 8v10a1 1 0 0 1-1 1h-5v-7h-6v7H4a1 1 0 0 1-1-1z";
const ICON_PEOPLE: &str = "M16 11a4 4 0 1 0-8 0 4 4 0 0 0 8 0zM4 21a8 8 0 0 1 16 0z";
const ICON_BOARD: &str = "M3 4h5v16H3zm6.5 0h5v11h-5zM16 4h5v7h-5z";
const ICON_PLUS: &str = "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm1 5v4h4v2h-4v4h-2v-4H7v-2h4V7z";
const ICON_TEAM: &str = "M9 11a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7zm7 0a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM2 20a7 7 0 0 1 14 0zm14.5 0a8.5 8.5 0 0 0-2.6-6.1A6 6 0 0 1 22 20z";
const ICON_GEAR: &str = "M12 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8zm9 4l-2.1 1.2.2 2.4-2.3.7-1 2.2-2.3-.8L12 20l-1.5-1.3-2.3.8-1-2.2-2.3-.7.2-2.4L3 12l2.1-1.2-.2-2.4 2.3-.7 1-2.2 2.3.8L12 4l1.5 1.3 2.3-.8 1 2.2 2.3.7-.2 2.4z";

/// A navigation entry, marked current when its section is open.
#[component]
fn NavLink(
    href: &'static str,
    label: Msg,
    icon: &'static str,
    exact: bool,
    #[prop(optional, into)] badge: Option<Signal<u32>>,
    /// Left out of the phone's bottom bar (reached from the dashboard there).
    #[prop(optional)]
    wide_only: bool,
) -> impl IntoView {
    let location = use_location();
    let current = move || {
        let path = location.pathname.get();
        if exact { path == href } else { path == href || path.starts_with(&format!("{href}/")) }
    };
    view! {
        <a href=href class="nav-link" class:wide-only=wide_only aria-current=move || current().then_some("page")>
            <svg viewBox="0 0 24 24" aria-hidden="true"><path d=icon></path></svg>
            <span>{tr(label)}</span>
            {move || badge.map(|b| b.get()).filter(|n| *n > 0).map(|n| view! { <span class="nav-badge">{n}</span> })}
        </a>
    }
}
