//! Quick entry, built for a phone on the road: find the customer (search as
//! you type, most recently touched first), tap the kind and outcome, add a
//! note, pick the next follow-up, save. Works offline through the outbox.

use crate::api;
use crate::components::composer::Composer;
use crate::components::states::{ErrorView, Skeleton};
use crate::i18n::{Msg, tr};
use crate::load::Load;
use crate::outbox::use_outbox;
use leptos::prelude::*;
use rapport_shared::customer::{Customer, CustomerQuery, CustomerSort};
use std::time::Duration;

#[component]
pub fn QuickEntry() -> impl IntoView {
    let outbox = use_outbox();
    let chosen = RwSignal::new(None::<Customer>);
    let typed = RwSignal::new(String::new());
    let q = RwSignal::new(String::new());
    let results = Load::new(move || {
        let q = q.get();
        async move {
            let query = CustomerQuery {
                q: Some(q).filter(|s| !s.trim().is_empty()),
                sort: Some(CustomerSort::LastTouch),
                limit: Some(8),
                ..Default::default()
            };
            api::customers(&query).await
        }
    });
    let on_search = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        typed.set(value.clone());
        set_timeout(
            move || {
                if typed.get_untracked() == value {
                    q.set(value);
                }
            },
            Duration::from_millis(250),
        );
    };
    let waiting = move || outbox.pending.with(|p| p.len());

    view! {
        <div class="page-head"><h1>{tr(Msg::QuickEntry)}</h1></div>
        <Show when=move || { waiting() > 0 }>
            <p class="banner" role="status">{move || waiting()}" · "{tr(Msg::WaitingToSend)}</p>
        </Show>
        {move || match chosen.get() {
            Some(c) => {
                let phone = c.phones.first().cloned();
                view! {
                    <section class="card">
                        <div class="section-head">
                            <div>
                                <h2>{c.name.clone()}</h2>
                                {phone.map(|p| view! { <a class="tel" href=format!("tel:{p}")>{p.clone()}</a> })}
                            </div>
                            <button class="btn small" on:click=move |_| chosen.set(None)>{tr(Msg::ChangeCustomer)}</button>
                        </div>
                        <Composer customer_id=c.id customer_name=c.name.clone()/>
                    </section>
                }
                .into_any()
            }
            None => view! {
                <section class="card">
                    <label class="label" for="quick-search">{tr(Msg::ChooseCustomer)}</label>
                    <input id="quick-search" class="search" type="search" placeholder=tr(Msg::SearchPlaceholder)
                        aria-label=tr(Msg::Search) prop:value=move || typed.get() on:input=on_search/>
                    <p class="muted small-print">{move || if q.get().trim().is_empty() { Some(tr(Msg::RecentCustomers)()) } else { None }}</p>
                    {move || match results.get() {
                        None => view! { <Skeleton rows=4/> }.into_any(),
                        Some(Err(e)) => view! { <ErrorView error=e retry=move |_| results.refetch()/> }.into_any(),
                        Some(Ok(page)) if page.items.is_empty() => view! { <p class="muted">{tr(Msg::NoMatches)}</p> }.into_any(),
                        Some(Ok(page)) => view! {
                            <ul class="pick-list">
                                {page.items.into_iter().map(|c| {
                                    let name = c.name.clone();
                                    view! {
                                        <li><button class="pick" on:click=move |_| chosen.set(Some(c.clone()))>{name}</button></li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                    }}
                </section>
            }
            .into_any(),
        }}
    }
}
