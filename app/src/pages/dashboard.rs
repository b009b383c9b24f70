//! The start page: who was touched lately and who has waited longest.

use crate::api;
use crate::components::states::{Empty, ErrorView, Skeleton};
use crate::i18n::{Msg, tr};
use crate::pages::customers::card::CustomerCard;
use crate::session::use_session;
use leptos::prelude::*;
use rapport_shared::customer::{CustomerQuery, CustomerSort};

#[component]
pub fn Dashboard() -> impl IntoView {
    let session = use_session();
    let name = move || session.user().map(|u| u.name).unwrap_or_default();
    view! {
        <div class="page-head">
            <h1>{tr(Msg::Welcome)}", "{name}</h1>
            <a class="btn primary" href="/customers/new">{tr(Msg::NewCustomer)}</a>
        </div>
        <div class="grid-2">
            <ShortList title=Msg::RecentlyTouched sort=CustomerSort::LastTouch/>
            <ShortList title=Msg::WaitingLongest sort=CustomerSort::LastTouchAsc/>
        </div>
    }
}

/// Five customers in the given order, with a link to the full list.
#[component]
fn ShortList(title: Msg, sort: CustomerSort) -> impl IntoView {
    let data = LocalResource::new(move || async move {
        api::customers(&CustomerQuery { sort: Some(sort), limit: Some(5), ..Default::default() }).await
    });
    let all_href =
        format!("/customers?sort={}", if sort == CustomerSort::LastTouch { "last_touch" } else { "last_touch_asc" });
    view! {
        <section class="card">
            <div class="section-head">
                <h2>{tr(title)}</h2>
                <a href=all_href>{tr(Msg::ViewAll)}</a>
            </div>
            {move || match data.get() {
                None => view! { <Skeleton rows=5/> }.into_any(),
                Some(Err(e)) => view! { <ErrorView error=e retry=move |_| data.refetch()/> }.into_any(),
                Some(Ok(page)) if page.items.is_empty() => view! {
                    <Empty title=Msg::NoCustomers hint=Msg::NoCustomersHint>
                        <a class="btn primary" href="/customers/new">{tr(Msg::NewCustomer)}</a>
                    </Empty>
                }.into_any(),
                Some(Ok(page)) => view! {
                    <ul class="customer-list">
                        {page.items.into_iter().map(|c| view! { <CustomerCard customer=c/> }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </section>
    }
}
