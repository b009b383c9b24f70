//! The "one person's" filter as a pressed chip: whose customers or deals
//! are shown (the team dashboard links them so), and a tap to show all again.

use crate::api;
use crate::i18n::{Msg, use_i18n};
use crate::load::Load;
use leptos::prelude::*;
use uuid::Uuid;

#[component]
pub fn OwnerChip(owner: Uuid, on_clear: impl Fn() + Send + Sync + 'static) -> impl IntoView {
    let i18n = use_i18n();
    let people = Load::new(api::users);
    // "…" until the list answers, or where this person is not in it.
    let name = move || {
        people.get().and_then(Result::ok).and_then(|list| list.into_iter().find(|u| u.id == owner).map(|u| u.name))
    };
    view! {
        <button type="button" class="chip owner-chip" aria-pressed="true" on:click=move |_| on_clear()>
            {move || format!("{}: {} ✕", i18n.t(Msg::Owner), name().unwrap_or_else(|| "…".into()))}
        </button>
    }
}
