//! What closing a deal asks for: the amount when winning (if the deal has
//! none), a reason from the org's list when losing. Used on the deal page and
//! as the dialog of a drop on a won / lost column.

use crate::components::field::TextField;
use crate::format;
use crate::i18n::{Msg, tr, use_i18n};
use leptos::prelude::*;
use rapport_shared::pipeline::StageKind;

/// The fields the server needs to close a deal.
#[derive(Debug, Clone, PartialEq)]
pub struct Closing {
    pub amount_minor: Option<i64>,
    pub lost_reason: Option<String>,
}

#[component]
pub fn CloseDealForm(
    kind: StageKind,
    /// The deal's amount, offered for editing when winning.
    amount: Option<i64>,
    reasons: Vec<String>,
    /// A message from the caller (the server refused, offline…).
    #[prop(into)]
    error: Signal<Option<Msg>>,
    on_submit: Callback<Closing>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let amount_text = RwSignal::new(amount.map(format::main_units).unwrap_or_default());
    let amount_error = RwSignal::new(None::<Msg>);
    let reason = RwSignal::new(reasons.first().cloned().unwrap_or_default());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let closing = match kind {
            StageKind::Won => match format::parse_amount(&amount_text.get_untracked()) {
                Some(a) => Closing { amount_minor: Some(a), lost_reason: None },
                None => {
                    amount_error.set(Some(Msg::ErrInvalid));
                    return;
                }
            },
            _ => Closing { amount_minor: None, lost_reason: Some(reason.get_untracked()) },
        };
        amount_error.set(None);
        on_submit.run(closing);
    };
    // Keyboard users land in the field the dialog asks for.
    let form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if let Some(form) = form.get()
            && let Ok(Some(first)) = form.query_selector("input, select")
        {
            #[cfg(feature = "hydrate")]
            {
                use wasm_bindgen::JsCast;
                if let Ok(el) = first.dyn_into::<web_sys::HtmlElement>() {
                    let _ = el.focus();
                }
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = first;
        }
    });
    view! {
        <form class="card form close-deal" node_ref=form on:submit=submit novalidate
            on:keydown=move |ev| if ev.key() == "Escape" { on_cancel.run(()) }>
            <h2>{tr(if kind == StageKind::Won { Msg::Win } else { Msg::Lose })}</h2>
            {match kind {
                StageKind::Won => view! {
                    <TextField label=Msg::Amount value=amount_text error=amount_error name="won_amount" inputmode="decimal" required=true/>
                }.into_any(),
                _ => view! {
                    <div class="field">
                        <label for="lost-reason">{tr(Msg::LostReason)}</label>
                        <select id="lost-reason" class="input" prop:value=move || reason.get()
                            on:change=move |ev| reason.set(event_target_value(&ev))>
                            {reasons.into_iter().map(|r| view! { <option value=r.clone()>{r.clone()}</option> }).collect_view()}
                        </select>
                    </div>
                }.into_any(),
            }}
            <p class="form-error" role="alert">{move || error.get().map(|m| i18n.t(m))}</p>
            <div class="actions">
                <button class="btn" type="button" on:click=move |_| on_cancel.run(())>{tr(Msg::Cancel)}</button>
                <button class="btn primary" type="submit">{tr(Msg::Save)}</button>
            </div>
        </form>
    }
}
