//! One customer as a row of a list: name, status, phone, owner, last touch.

use super::pool::ClaimButton;
use super::status_msg;
use crate::api::ApiError;
use crate::format;
use crate::i18n::{Msg, tr, use_i18n};
use leptos::prelude::*;
use rapport_shared::customer::{Customer, CustomerKind};

/// `selection`, when given, adds a checkbox for bulk actions (reassigning).
/// A customer in the shared pool shows how long it has been there and, with
/// `on_claimed`, a Claim button instead of the call button.
#[component]
pub fn CustomerCard(
    customer: Customer,
    #[prop(optional)] selection: Option<RwSignal<std::collections::BTreeSet<uuid::Uuid>>>,
    #[prop(optional)] on_claimed: Option<Callback<Result<Customer, ApiError>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let href = format!("/customers/{}", customer.id);
    let phone = customer.phones.first().cloned();
    let pooled = customer.pooled_at;
    let touched = pooled.unwrap_or(customer.last_touch_at);
    let id = customer.id;
    let status = customer.status;
    let initial = customer.name.chars().next().map(|c| c.to_uppercase().to_string()).unwrap_or_default();
    // Round for a person, square for a company (`.avatar.company`).
    let kind_class = if customer.kind == CustomerKind::Company { "avatar company" } else { "avatar" };
    view! {
        <li class="customer-card">
            {selection.map(|chosen| {
                let id = customer.id;
                view! {
                    <input type="checkbox" class="select-box" aria-label=format!("Select {}", customer.name)
                        prop:checked=move || chosen.with(|c| c.contains(&id))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            chosen.update(|c| { if on { c.insert(id); } else { c.remove(&id); } });
                        }/>
                }
            })}
            <a class="customer-link" href=href>
                <span class=kind_class aria-hidden="true">{initial}</span>
                <span class="customer-main">
                    <span class="customer-name">{customer.name.clone()}</span>
                    <span class="customer-meta muted">
                        <span class=format!("badge status-{}", status.as_str())>{tr(status_msg(status))}</span>
                        " "{if pooled.is_some() { i18n.t(Msg::InSharedPool).to_owned() } else { customer.owner.name.clone() }}" · "
                        {move || format::relative(touched, format::now(), i18n.language())}
                    </span>
                </span>
            </a>
            {match (pooled, on_claimed) {
                (Some(_), Some(on_done)) => view! { <ClaimButton customer_id=id on_done/> }.into_any(),
                _ => phone.map(|p| view! {
                <a class="call-button" href=format!("tel:{p}") aria-label=format!("Call {p}")>
                    <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M6.6 10.8a15 15 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25 11.4 11.4 0 0 0 3.6.57 1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 2.45.57 3.57a1 1 0 0 1-.25 1z"></path></svg>
                </a>
                }).into_any(),
            }}
        </li>
    }
}
