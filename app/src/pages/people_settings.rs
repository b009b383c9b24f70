//! People and teams in settings. Admins add people (with a password, or an
//! invitation link shown once), change roles and teams, and create teams; a
//! manager sees their team. Deactivating someone hands their customers,
//! deals and reminders to a colleague (or round-robin in the team) first.

use crate::api::{self, ApiError};
use crate::browser;
use crate::i18n::{Msg, role_msg, tr, use_i18n};
use crate::load::Load;
use crate::pages::settings::web_origin;
use crate::session::use_session;
use leptos::prelude::*;
use rapport_shared::ErrorCode;
use rapport_shared::auth::{Role, User};
use rapport_shared::team::{Deactivate, HandoverMode, NewUserRequest, Team, TeamInput, UserPatch};
use uuid::Uuid;

const ROLES: [Role; 3] = [Role::Rep, Role::Manager, Role::Admin];

fn fail(e: &ApiError) -> Msg {
    match e {
        ApiError::Network => Msg::Offline,
        _ if e.code() == Some(ErrorCode::Conflict) => Msg::PeopleConflict,
        _ if e.code() == Some(ErrorCode::ValidationFailed) => Msg::ErrInvalid,
        _ => Msg::SomethingWrong,
    }
}

#[component]
pub fn PeopleSettings() -> impl IntoView {
    let i18n = use_i18n();
    let me = use_session().user_untracked();
    let is_admin = me.as_ref().is_some_and(|u| u.role == Role::Admin);
    let my_id = me.as_ref().map(|u| u.id);
    let people = Load::new(api::users);
    let teams = Load::new(api::teams);
    let message = RwSignal::new(None::<String>);
    let reload = move || {
        people.refetch();
        teams.refetch();
    };
    let team_list = move || teams.get().and_then(Result::ok).unwrap_or_default();
    let report = move |text: String| message.set(Some(text));

    view! {
        <section class="card people">
            <h2>{tr(Msg::People)}</h2>
            <p class="form-status" role="status">{move || message.get()}</p>
            {is_admin.then(|| view! { <AddPerson teams=Signal::derive(team_list) on_done=move |text| { report(text); reload(); }/> })}
            {move || match people.get() {
                None => view! { <p class="muted">{tr(Msg::Loading)}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="form-error">{i18n.t(fail(&e))}</p> }.into_any(),
                Some(Ok(list)) => {
                    let everyone = list.clone();
                    view! {
                        <ul class="people-list">
                            {list.into_iter().map(|u| {
                                let others: Vec<User> = everyone.iter().filter(|o| o.id != u.id && o.active).cloned().collect();
                                let can_deactivate = u.active && Some(u.id) != my_id && (is_admin || u.role == Role::Rep);
                                view! { <PersonRow user=u others can_deactivate is_admin teams=Signal::derive(team_list)
                                    on_done=move |text| { report(text); reload(); }/> }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
        </section>
        {is_admin.then(|| view! { <Teams teams=Signal::derive(team_list) on_done=move |text| { report(text); reload(); }/> })}
    }
}

#[component]
fn AddPerson(teams: Signal<Vec<Team>>, on_done: impl Fn(String) + Copy + Send + Sync + 'static) -> impl IntoView {
    let i18n = use_i18n();
    let email = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let role = RwSignal::new("rep".to_string());
    let team = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let invite = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<Msg>);
    // A new person starts in the zone of the admin who adds them (a team is
    // usually in one place); an invited person's browser has the last word.
    let zone = use_session().user_untracked().map(|u| u.time_zone);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let pw = password.get_untracked();
        let input = NewUserRequest {
            email: email.get_untracked(),
            name: name.get_untracked(),
            role: Role::parse(&role.get_untracked()).unwrap_or(Role::Rep),
            team_id: Uuid::parse_str(&team.get_untracked()).ok(),
            time_zone: zone.clone(),
            language: None,
            password: (!pw.is_empty()).then_some(pw),
        };
        if input.validate().is_err() {
            error.set(Some(Msg::FixErrors));
            return;
        }
        error.set(None);
        leptos::task::spawn_local(async move {
            match api::create_user(&input).await {
                Ok(created) => {
                    invite.set(created.invite_path.map(|p| format!("{}{p}", web_origin())));
                    for s in [email, name, password] {
                        s.set(String::new());
                    }
                    on_done(format!("{} ✓", created.user.name));
                }
                Err(e) => error.set(Some(fail(&e))),
            }
        });
    };
    view! {
        <form class="person-add" on:submit=submit novalidate>
            <input class="input" type="email" aria-label=tr(Msg::Email) placeholder=move || i18n.t(Msg::Email) bind:value=email/>
            <input class="input" aria-label=tr(Msg::YourName) placeholder=move || i18n.t(Msg::PersonName) bind:value=name/>
            <select class="input" aria-label=tr(Msg::Role) prop:value=move || role.get() on:change=move |ev| role.set(event_target_value(&ev))>
                {ROLES.iter().map(|r| view! { <option value=r.as_str()>{tr(role_msg(*r))}</option> }).collect_view()}
            </select>
            <select class="input" aria-label=tr(Msg::Team) prop:value=move || team.get() on:change=move |ev| team.set(event_target_value(&ev))>
                <option value="">{tr(Msg::NoTeam)}</option>
                {move || teams.get().into_iter().map(|t| view! { <option value=t.id.to_string()>{t.name}</option> }).collect_view()}
            </select>
            <input class="input" type="password" autocomplete="new-password" aria-label=tr(Msg::PasswordOptional)
                placeholder=move || i18n.t(Msg::PasswordOptional) bind:value=password/>
            <button class="btn primary" type="submit">{tr(Msg::AddPerson)}</button>
            <p class="form-error" role="alert">{move || error.get().map(|m| i18n.t(m))}</p>
            {move || invite.get().map(|link| view! {
                <label class="field invite-link"><span>{tr(Msg::InviteLinkHint)}</span>
                    <input class="input" readonly prop:value=link/>
                </label>
            })}
        </form>
    }
}

#[component]
fn PersonRow(
    user: User,
    others: Vec<User>,
    can_deactivate: bool,
    is_admin: bool,
    teams: Signal<Vec<Team>>,
    on_done: impl Fn(String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = user.id;
    let handing = RwSignal::new(false);
    let receiver = RwSignal::new(String::new());
    let patch = move |p: UserPatch| {
        leptos::task::spawn_local(async move {
            match api::update_user(id, &p).await {
                Ok(u) => on_done(format!("{} ✓", u.name)),
                Err(e) => on_done(i18n.t(fail(&e)).to_owned()),
            }
        });
    };
    let deactivate = move |_| {
        let choice = receiver.get_untracked();
        let input = if choice == "round_robin" {
            Deactivate { handover_to: None, handover: Some(HandoverMode::RoundRobin) }
        } else {
            match Uuid::parse_str(&choice) {
                Ok(to) => Deactivate { handover_to: Some(to), handover: None },
                Err(_) => return on_done(i18n.t(Msg::ChooseReceiver).to_owned()),
            }
        };
        if !browser::confirm(i18n.t(Msg::ConfirmDeactivate)) {
            return;
        }
        leptos::task::spawn_local(async move {
            match api::deactivate_user(id, &input).await {
                Ok(m) => on_done(format!(
                    "{}: {} {}, {} {}, {} {}",
                    i18n.t(Msg::HandedOver),
                    m.customers,
                    i18n.t(Msg::Customers),
                    m.deals,
                    i18n.t(Msg::Deals),
                    m.reminders,
                    i18n.t(Msg::FilterReminders)
                )),
                Err(e) => on_done(i18n.t(fail(&e)).to_owned()),
            }
        });
    };
    let role_label = role_msg(user.role);
    view! {
        <li class="person" class:inactive=!user.active data-user-id=id.to_string()>
            <div class="person-main">
                <strong>{user.name.clone()}</strong>
                <span class="muted">{user.email.clone()}</span>
                {(!user.active).then(|| view! { <span class="badge">{tr(Msg::Deactivated)}</span> })}
            </div>
            {if is_admin && user.active {
                let current_team = user.team_id;
                view! {
                    <div class="person-edit">
                        <select class="input small" aria-label=tr(Msg::Role) prop:value=user.role.as_str()
                            on:change=move |ev| patch(UserPatch { role: Role::parse(&event_target_value(&ev)), ..UserPatch::default() })>
                            {ROLES.iter().map(|r| view! { <option value=r.as_str()>{tr(role_msg(*r))}</option> }).collect_view()}
                        </select>
                        <select class="input small" aria-label=tr(Msg::Team)
                            on:change=move |ev| patch(UserPatch { team_id: Some(Uuid::parse_str(&event_target_value(&ev)).ok()), ..UserPatch::default() })>
                            <option value="" selected=current_team.is_none()>{tr(Msg::NoTeam)}</option>
                            // `selected` on the option: the teams arrive after the select is drawn.
                            {move || teams.get().into_iter().map(|t| view! {
                                <option value=t.id.to_string() selected=Some(t.id) == current_team>{t.name}</option>
                            }).collect_view()}
                        </select>
                    </div>
                }.into_any()
            } else {
                view! { <span class="badge">{tr(role_label)}</span> }.into_any()
            }}
            {can_deactivate.then(|| view! {
                <button class="btn small danger" type="button" on:click=move |_| handing.update(|h| *h = !*h)>{tr(Msg::Deactivate)}</button>
            })}
            <Show when=move || handing.get()>
                <div class="handover">
                    <select class="input small" aria-label=tr(Msg::HandOverTo) prop:value=move || receiver.get()
                        on:change=move |ev| receiver.set(event_target_value(&ev))>
                        <option value="">{tr(Msg::HandOverTo)}"…"</option>
                        {user.team_id.is_some().then(|| view! { <option value="round_robin">{tr(Msg::RoundRobin)}</option> })}
                        {others.iter().map(|o| view! { <option value=o.id.to_string()>{o.name.clone()}</option> }).collect_view()}
                    </select>
                    <button class="btn small danger" type="button" on:click=deactivate>{tr(Msg::DeactivateAndHandOver)}</button>
                </div>
            </Show>
        </li>
    }
}

#[component]
fn Teams(teams: Signal<Vec<Team>>, on_done: impl Fn(String) + Copy + Send + Sync + 'static) -> impl IntoView {
    let i18n = use_i18n();
    let name = RwSignal::new(String::new());
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = TeamInput { name: name.get_untracked() };
        if input.validate().is_err() {
            return on_done(i18n.t(Msg::ErrRequired).to_owned());
        }
        leptos::task::spawn_local(async move {
            match api::create_team(&input).await {
                Ok(t) => {
                    name.set(String::new());
                    on_done(format!("{} ✓", t.name));
                }
                Err(e) => on_done(i18n.t(fail(&e)).to_owned()),
            }
        });
    };
    view! {
        <section class="card">
            <h2>{tr(Msg::Teams)}</h2>
            <p class="muted small-print">{tr(Msg::TeamsHint)}</p>
            <ul class="contact-list">
                {move || teams.get().into_iter().map(|t| view! {
                    <li class="contact"><strong>{t.name}</strong><span class="muted">{t.members}" "{tr(Msg::Members)}</span></li>
                }).collect_view()}
            </ul>
            <form class="inline-form" on:submit=add novalidate>
                <input class="input" aria-label=tr(Msg::TeamName) placeholder=move || i18n.t(Msg::TeamName) bind:value=name/>
                <button class="btn" type="submit">{tr(Msg::AddTeam)}</button>
            </form>
        </section>
    }
}
