//! The access-control matrix: every route of the OpenAPI document, called by
//! every kind of caller, answers the status the policy below says. The
//! policy is written by hand from the rules (a rep sees their own records, a
//! manager their team's, an admin the org's; another org's records do not
//! exist; admin-only settings are 403 for others), never recorded from the
//! server. A route missing from the table fails the test.
//!
//! Each call gets fresh records (owned by the rep, in the manager's team),
//! so a call that changes or deletes something cannot affect the next one.

use crate::helpers::{Login, PASSWORD, TestApp, spawn_app};
use rapport_server::domain::scheduler;
use rapport_server::entity::customer;
use rapport_shared::auth::Role;
use reqwest::{Method, StatusCode};
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// Callers, in the order of each row's statuses.
const CALLERS: [&str; 6] =
    ["admin", "manager of the rep's team", "the rep (owner)", "a rep of no team", "another org's admin", "anonymous"];

/// (method, path, statuses for each caller in `CALLERS`).
const POLICY: &[(&str, &str, [u16; 6])] = &[
    // Sessions and first run are public; refresh needs its cookie.
    ("post", "/api/v1/auth/login", [200, 200, 200, 200, 200, 200]),
    ("post", "/api/v1/auth/refresh", [401, 401, 401, 401, 401, 401]),
    ("post", "/api/v1/auth/logout", [204, 204, 204, 204, 204, 204]),
    ("post", "/api/v1/auth/accept-invite", [422, 422, 422, 422, 422, 422]),
    ("get", "/api/v1/setup", [200, 200, 200, 200, 200, 200]),
    ("post", "/api/v1/setup", [409, 409, 409, 409, 409, 409]),
    // One's own profile, calendar feed, keys and notifications.
    ("get", "/api/v1/me", [200, 200, 200, 200, 200, 401]),
    ("patch", "/api/v1/me", [200, 200, 200, 200, 200, 401]),
    // Anyone signed in may change their own password; the matrix sends a
    // wrong current one (a right one would end the callers' sessions).
    ("post", "/api/v1/me/password", [422, 422, 422, 422, 422, 401]),
    ("get", "/api/v1/me/calendar", [200, 200, 200, 200, 200, 401]),
    ("post", "/api/v1/me/calendar", [201, 201, 201, 201, 201, 401]),
    ("delete", "/api/v1/me/calendar", [204, 204, 204, 204, 204, 401]),
    ("get", "/api/v1/calendar/{secret}", [200, 200, 200, 200, 200, 200]),
    ("get", "/api/v1/api-keys", [200, 200, 200, 200, 200, 401]),
    ("post", "/api/v1/api-keys", [201, 201, 201, 201, 201, 401]),
    ("delete", "/api/v1/api-keys/{id}", [404, 404, 204, 404, 404, 401]),
    ("get", "/api/v1/notifications", [200, 200, 200, 200, 200, 401]),
    ("post", "/api/v1/notifications/{id}/read", [404, 404, 204, 404, 404, 401]),
    ("post", "/api/v1/notifications/read-all", [204, 204, 204, 204, 204, 401]),
    ("get", "/api/v1/notifications/stream", [200, 200, 200, 200, 200, 401]),
    // Customers and what hangs off them: owner, team manager and admin.
    ("get", "/api/v1/customers", [200, 200, 200, 200, 200, 401]),
    ("post", "/api/v1/customers", [201, 201, 201, 201, 201, 401]),
    ("get", "/api/v1/customers/{id}", [200, 200, 200, 404, 404, 401]),
    ("patch", "/api/v1/customers/{id}", [200, 200, 200, 404, 404, 401]),
    ("delete", "/api/v1/customers/{id}", [204, 204, 204, 404, 404, 401]),
    ("post", "/api/v1/customers/{id}/claim", [200, 200, 200, 200, 404, 401]),
    ("post", "/api/v1/customers/reassign", [200, 200, 403, 403, 422, 401]),
    ("get", "/api/v1/customers/{id}/contacts", [200, 200, 200, 404, 404, 401]),
    ("post", "/api/v1/customers/{id}/contacts", [201, 201, 201, 404, 404, 401]),
    ("patch", "/api/v1/contacts/{id}", [200, 200, 200, 404, 404, 401]),
    ("delete", "/api/v1/contacts/{id}", [204, 204, 204, 404, 404, 401]),
    ("post", "/api/v1/customers/{id}/activities", [201, 201, 201, 404, 404, 401]),
    // An activity is changed by its author or an admin.
    ("patch", "/api/v1/activities/{id}", [200, 403, 200, 404, 404, 401]),
    ("delete", "/api/v1/activities/{id}", [204, 403, 204, 404, 404, 401]),
    ("get", "/api/v1/customers/{id}/timeline", [200, 200, 200, 404, 404, 401]),
    ("get", "/api/v1/customers/{id}/playbooks", [200, 200, 200, 404, 404, 401]),
    ("post", "/api/v1/customers/{id}/playbooks", [201, 201, 201, 404, 404, 401]),
    ("post", "/api/v1/playbook-runs/{id}/stop", [200, 200, 200, 404, 404, 401]),
    // Deals follow their owner; a deal on a customer one cannot see is a bad field.
    ("get", "/api/v1/deals", [200, 200, 200, 200, 200, 401]),
    ("post", "/api/v1/deals", [201, 201, 201, 422, 422, 401]),
    ("get", "/api/v1/deals/{id}", [200, 200, 200, 404, 404, 401]),
    ("patch", "/api/v1/deals/{id}", [200, 200, 200, 404, 404, 401]),
    ("delete", "/api/v1/deals/{id}", [204, 204, 204, 404, 404, 401]),
    ("post", "/api/v1/deals/{id}/move", [200, 200, 200, 404, 404, 401]),
    // Reminders follow their assignee.
    ("get", "/api/v1/reminders", [200, 200, 200, 200, 200, 401]),
    ("post", "/api/v1/reminders", [201, 201, 201, 201, 201, 401]),
    ("get", "/api/v1/reminders/counts", [200, 200, 200, 200, 200, 401]),
    ("get", "/api/v1/reminders/{id}", [200, 200, 200, 404, 404, 401]),
    ("patch", "/api/v1/reminders/{id}", [200, 200, 200, 404, 404, 401]),
    ("delete", "/api/v1/reminders/{id}", [204, 204, 204, 404, 404, 401]),
    // The sales process: everyone reads, admins change (another org's is not there).
    ("get", "/api/v1/pipelines", [200, 200, 200, 200, 200, 401]),
    ("post", "/api/v1/pipelines", [201, 403, 403, 403, 201, 401]),
    ("patch", "/api/v1/pipelines/{id}", [200, 403, 403, 403, 404, 401]),
    ("delete", "/api/v1/pipelines/{id}", [204, 403, 403, 403, 404, 401]),
    ("post", "/api/v1/pipelines/{id}/stages", [201, 403, 403, 403, 404, 401]),
    ("post", "/api/v1/pipelines/{id}/stages/reorder", [200, 403, 403, 403, 404, 401]),
    ("patch", "/api/v1/stages/{id}", [200, 403, 403, 403, 404, 401]),
    ("delete", "/api/v1/stages/{id}", [204, 403, 403, 403, 404, 401]),
    ("get", "/api/v1/pipelines/{id}/board", [200, 200, 200, 200, 404, 401]),
    ("get", "/api/v1/lost-reasons", [200, 200, 200, 200, 200, 401]),
    ("get", "/api/v1/playbooks", [200, 200, 200, 200, 200, 401]),
    ("post", "/api/v1/playbooks", [201, 403, 403, 403, 201, 401]),
    ("patch", "/api/v1/playbooks/{id}", [200, 403, 403, 403, 404, 401]),
    ("delete", "/api/v1/playbooks/{id}", [204, 403, 403, 403, 404, 401]),
    ("get", "/api/v1/org/settings", [200, 200, 200, 200, 200, 401]),
    ("patch", "/api/v1/org/settings", [200, 403, 403, 403, 200, 401]),
    // People: admins manage; a manager deactivates their team's reps.
    ("get", "/api/v1/users", [200, 200, 200, 200, 200, 401]),
    ("post", "/api/v1/users", [201, 403, 403, 403, 201, 401]),
    ("patch", "/api/v1/users/{id}", [200, 403, 403, 403, 404, 401]),
    ("post", "/api/v1/users/{id}/deactivate", [200, 200, 403, 403, 404, 401]),
    ("get", "/api/v1/teams", [200, 200, 200, 200, 200, 401]),
    ("post", "/api/v1/teams", [201, 403, 403, 403, 201, 401]),
    ("patch", "/api/v1/teams/{id}", [200, 403, 403, 403, 404, 401]),
    ("get", "/api/v1/team/dashboard", [200, 200, 403, 403, 200, 401]),
    ("get", "/api/v1/audit", [200, 403, 403, 403, 200, 401]),
];

struct World {
    app: TestApp,
    admin: Login,
    manager: Login,
    rep: Login,
    callers: Vec<Option<Login>>,
    team: String,
    pipeline: Value,
}

fn unique(prefix: &str) -> String {
    format!("{prefix} {}", uuid::Uuid::now_v7().simple())
}

impl World {
    async fn new() -> Self {
        let app = spawn_app().await;
        let admin = app.setup_admin().await;
        let manager = app.user(admin.org_id, Role::Manager).await;
        let rep = app.user(admin.org_id, Role::Rep).await;
        let loner = app.user(admin.org_id, Role::Rep).await;
        let stranger = app.other_org_admin().await;
        let team: Value = app.post("/api/v1/teams", &admin.token, json!({"name": "Team"})).await.json().await.unwrap();
        let team = team["id"].as_str().unwrap().to_owned();
        for who in [&manager, &rep] {
            let res =
                app.patch(&format!("/api/v1/users/{}", who.user_id), &admin.token, json!({"team_id": team})).await;
            assert_eq!(res.status(), StatusCode::OK);
        }
        let pipelines: Value = app.get("/api/v1/pipelines", &admin.token).await.json().await.unwrap();
        let callers =
            vec![Some(admin.clone()), Some(manager.clone()), Some(rep.clone()), Some(loner), Some(stranger), None];
        World { app, admin, manager, rep, callers, team, pipeline: pipelines[0].clone() }
    }

    async fn post(&self, who: &Login, path: &str, body: Value) -> Value {
        let res = self.app.post(path, &who.token, body).await;
        assert!(res.status().is_success(), "fixture {path}: {}", res.status());
        res.json().await.unwrap()
    }

    async fn customer(&self) -> String {
        let c = self.post(&self.rep, "/api/v1/customers", json!({"kind": "company", "name": unique("Customer")})).await;
        c["id"].as_str().unwrap().to_owned()
    }

    async fn playbook(&self) -> String {
        let body =
            json!({"name": unique("Playbook"), "steps": [{"day_offset": 1, "channel": "call", "title": "Call"}]});
        self.post(&self.admin, "/api/v1/playbooks", body).await["id"].as_str().unwrap().to_owned()
    }

    async fn fresh_rep_in_team(&self) -> String {
        let body = json!({"email": format!("{}@example.com", uuid::Uuid::now_v7().simple()), "name": "Fresh Rep",
            "role": "rep", "team_id": self.team, "password": PASSWORD});
        self.post(&self.admin, "/api/v1/users", body).await["user"]["id"].as_str().unwrap().to_owned()
    }

    fn stage(&self, i: usize) -> String {
        self.pipeline["stages"][i]["id"].as_str().unwrap().to_owned()
    }

    /// Fresh records for one call: the path with its parameters filled in, and the body.
    async fn prepare(&self, method: &str, path: &str) -> (String, Option<Value>) {
        let fill = |id: &str| path.replace("{id}", id).replace("{secret}", id);
        let pid = self.pipeline["id"].as_str().unwrap().to_owned();
        match (method, path) {
            ("post", "/api/v1/auth/login") => (fill(""), Some(json!({"email": self.rep.email, "password": PASSWORD}))),
            ("post", "/api/v1/auth/accept-invite") => {
                (fill(""), Some(json!({"token": "not-an-invitation", "password": "a good long password"})))
            }
            ("post", "/api/v1/setup") => (
                fill(""),
                Some(json!({"org_name": "Second", "name": "Sid", "email": "sid@example.com", "password": PASSWORD})),
            ),
            ("patch", "/api/v1/me") => (fill(""), Some(json!({"language": "en"}))),
            ("post", "/api/v1/me/password") => (
                fill(""),
                Some(json!({"current_password": "not the password", "new_password": "a good long password"})),
            ),
            ("get", "/api/v1/calendar/{secret}") => {
                let feed = self.post(&self.rep, "/api/v1/me/calendar", json!({})).await;
                (feed["path"].as_str().unwrap().to_owned(), None)
            }
            ("post", "/api/v1/api-keys") => (fill(""), Some(json!({"name": "ERP", "scope": "read"}))),
            ("delete", "/api/v1/api-keys/{id}") => {
                let key = self.post(&self.rep, "/api/v1/api-keys", json!({"name": "ERP", "scope": "read"})).await;
                (fill(key["key"]["id"].as_str().unwrap()), None)
            }
            ("post", "/api/v1/notifications/{id}/read") => {
                let due = chrono::Utc::now() - chrono::Duration::minutes(1);
                let r = self.post(&self.rep, "/api/v1/reminders", json!({"title": unique("Due"), "due": due})).await;
                scheduler::run_pass(&self.app.db, chrono::Utc::now()).await.unwrap();
                let list: Value =
                    self.app.get("/api/v1/notifications?limit=200", &self.rep.token).await.json().await.unwrap();
                let mine = list["items"].as_array().unwrap().iter().find(|n| n["reminder_id"] == r["id"]).unwrap();
                (fill(mine["id"].as_str().unwrap()), None)
            }
            ("post", "/api/v1/customers") => (fill(""), Some(json!({"kind": "company", "name": unique("New")}))),
            ("post", "/api/v1/customers/{id}/claim") => {
                let id = self.customer().await;
                let row =
                    customer::Entity::find_by_id(id.parse::<uuid::Uuid>().unwrap()).one(&self.app.db).await.unwrap();
                let mut model = row.unwrap().into_active_model();
                model.pooled_at = Set(Some(chrono::Utc::now()));
                model.update(&self.app.db).await.unwrap();
                (fill(&id), None)
            }
            ("post", "/api/v1/customers/reassign") => {
                let id = self.customer().await;
                (fill(""), Some(json!({"customer_ids": [id], "owner_id": self.manager.user_id})))
            }
            ("patch", "/api/v1/customers/{id}") => (fill(&self.customer().await), Some(json!({"industry": "Retail"}))),
            ("post", "/api/v1/customers/{id}/contacts") => (fill(&self.customer().await), Some(json!({"name": "Pat"}))),
            ("patch" | "delete", "/api/v1/contacts/{id}") => {
                let cid = self.customer().await;
                let c =
                    self.post(&self.rep, &format!("/api/v1/customers/{cid}/contacts"), json!({"name": "Pat"})).await;
                (fill(c["id"].as_str().unwrap()), Some(json!({"title": "Buyer"})))
            }
            ("post", "/api/v1/customers/{id}/activities") => {
                (fill(&self.customer().await), Some(json!({"kind": "note", "body": "Met at the fair"})))
            }
            ("patch" | "delete", "/api/v1/activities/{id}") => {
                let cid = self.customer().await;
                let path_a = format!("/api/v1/customers/{cid}/activities");
                let a = self.post(&self.rep, &path_a, json!({"kind": "call", "body": "Called"})).await;
                (fill(a["id"].as_str().unwrap()), Some(json!({"body": "Called back"})))
            }
            ("post", "/api/v1/customers/{id}/playbooks") => {
                (fill(&self.customer().await), Some(json!({"playbook_id": self.playbook().await})))
            }
            ("post", "/api/v1/playbook-runs/{id}/stop") => {
                let (cid, book) = (self.customer().await, self.playbook().await);
                let run = self
                    .post(&self.rep, &format!("/api/v1/customers/{cid}/playbooks"), json!({"playbook_id": book}))
                    .await;
                (fill(run["id"].as_str().unwrap()), None)
            }
            (_, "/api/v1/customers/{id}" | "/api/v1/customers/{id}/contacts" | "/api/v1/customers/{id}/timeline")
            | (_, "/api/v1/customers/{id}/playbooks") => (fill(&self.customer().await), None),
            ("post", "/api/v1/deals") => {
                (fill(""), Some(json!({"customer_id": self.customer().await, "title": unique("Deal")})))
            }
            (_, "/api/v1/deals/{id}" | "/api/v1/deals/{id}/move") => {
                let cid = self.customer().await;
                let d =
                    self.post(&self.rep, "/api/v1/deals", json!({"customer_id": cid, "title": unique("Deal")})).await;
                let body = if path.ends_with("move") {
                    json!({"stage_id": self.stage(1)})
                } else {
                    json!({"title": "Renamed"})
                };
                (fill(d["deal"]["id"].as_str().unwrap()), Some(body))
            }
            ("post", "/api/v1/reminders") => {
                (fill(""), Some(json!({"title": unique("Reminder"), "due": "2030-01-01T09:00:00Z"})))
            }
            (_, "/api/v1/reminders/{id}") => {
                let body = json!({"title": unique("Reminder"), "due": "2030-01-01T09:00:00Z"});
                let r = self.post(&self.rep, "/api/v1/reminders", body).await;
                (fill(r["id"].as_str().unwrap()), Some(json!({"priority": "high"})))
            }
            ("post", "/api/v1/pipelines") => (fill(""), Some(json!({"name": unique("Pipeline")}))),
            ("patch", "/api/v1/pipelines/{id}") => (fill(&pid), Some(json!({"name": "Sales"}))),
            ("delete", "/api/v1/pipelines/{id}") => {
                let p = self.post(&self.admin, "/api/v1/pipelines", json!({"name": unique("Spare")})).await;
                (fill(p["id"].as_str().unwrap()), None)
            }
            ("post", "/api/v1/pipelines/{id}/stages") => {
                (fill(&pid), Some(json!({"name": unique("Stage"), "probability": 50})))
            }
            ("post", "/api/v1/pipelines/{id}/stages/reorder") => {
                let now: Value = self.app.get("/api/v1/pipelines", &self.admin.token).await.json().await.unwrap();
                let ids: Vec<Value> = now[0]["stages"].as_array().unwrap().iter().map(|s| s["id"].clone()).collect();
                (fill(&pid), Some(json!({"stage_ids": ids})))
            }
            ("patch", "/api/v1/stages/{id}") => (fill(&self.stage(0)), Some(json!({"probability": 10}))),
            ("delete", "/api/v1/stages/{id}") => {
                let body = json!({"name": unique("Spare stage"), "probability": 50});
                let s = self.post(&self.admin, &format!("/api/v1/pipelines/{pid}/stages"), body).await;
                (fill(s["id"].as_str().unwrap()), None)
            }
            ("get", "/api/v1/pipelines/{id}/board") => (fill(&pid), None),
            ("post", "/api/v1/playbooks") => (
                fill(""),
                Some(
                    json!({"name": unique("Playbook"), "steps": [{"day_offset": 0, "channel": "call", "title": "Call"}]}),
                ),
            ),
            ("patch" | "delete", "/api/v1/playbooks/{id}") => {
                (fill(&self.playbook().await), Some(json!({"name": unique("Renamed")})))
            }
            ("patch", "/api/v1/org/settings") => (fill(""), Some(json!({"stale_after_days": 14}))),
            ("post", "/api/v1/users") => (
                fill(""),
                Some(
                    json!({"email": format!("{}@example.com", uuid::Uuid::now_v7().simple()), "name": "New", "role": "rep", "password": PASSWORD}),
                ),
            ),
            ("patch", "/api/v1/users/{id}") => {
                (fill(&self.fresh_rep_in_team().await), Some(json!({"name": "Renamed"})))
            }
            ("post", "/api/v1/users/{id}/deactivate") => {
                (fill(&self.fresh_rep_in_team().await), Some(json!({"handover_to": self.manager.user_id})))
            }
            ("post", "/api/v1/teams") => (fill(""), Some(json!({"name": unique("Team")}))),
            ("patch", "/api/v1/teams/{id}") => (fill(&self.team), Some(json!({"name": "Team"}))),
            ("post", _) => (fill(""), Some(json!({}))),
            _ => (fill(""), None),
        }
    }
}

#[tokio::test]
async fn every_route_answers_every_caller_as_the_policy_says() {
    let world = World::new().await;
    let app = &world.app;

    // The table covers the documented API exactly.
    let doc: Value = app.client.get(app.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert((method.clone(), path.clone()));
        }
    }
    let covered: BTreeSet<(String, String)> = POLICY.iter().map(|(m, p, _)| (m.to_string(), p.to_string())).collect();
    let missing: Vec<_> = documented.difference(&covered).collect();
    assert!(missing.is_empty(), "routes without a policy row: {missing:?}");
    let stale: Vec<_> = covered.difference(&documented).collect();
    assert!(stale.is_empty(), "policy rows for routes that do not exist: {stale:?}");

    let mut wrong = Vec::new();
    for (method, path, expected) in POLICY {
        for (i, caller) in world.callers.iter().enumerate() {
            let (url, body) = world.prepare(method, path).await;
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let mut req = app.client.request(method.clone(), app.url(&url));
            if let Some(who) = caller {
                // Signing out ends the session of the token: sign out a throwaway one.
                let token = if *path == "/api/v1/auth/logout" {
                    app.login(&who.email, PASSWORD).await.token
                } else {
                    who.token.clone()
                };
                req = req.bearer_auth(token);
            }
            if let Some(body) = body {
                req = req.json(&body);
            }
            // Only the status matters (the event stream's body never ends).
            let status = req.send().await.unwrap().status();
            if status != StatusCode::from_u16(expected[i]).unwrap() {
                wrong.push(format!("{method} {path} as {}: expected {}, got {status}", CALLERS[i], expected[i]));
            }
        }
    }
    assert!(wrong.is_empty(), "{} answers differ from the policy:\n{}", wrong.len(), wrong.join("\n"));
}
