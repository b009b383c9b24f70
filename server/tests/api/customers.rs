use crate::helpers::{Login, TestApp, assert_error, spawn_app};
use rapport_server::domain::search_sample;
use rapport_shared::auth::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::sync::Arc;

#[tokio::test]
async fn a_new_customer_is_normalised_and_owned_by_its_creator() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let c = app
        .customer(
            &admin,
            json!({"kind": "company", "name": "  Huaxin Foods ", "phones": ["+86 138-0013-8000"],
                   "emails": ["Sales@Huaxin.CN"], "tags": ["vip"], "source_channel": "referral",
                   "custom_fields": {"credit_limit": 5000}}),
        )
        .await;
    assert_eq!(c["name"], "Huaxin Foods");
    assert_eq!(c["phones"], json!(["+8613800138000"]));
    assert_eq!(c["emails"], json!(["sales@huaxin.cn"]));
    assert_eq!(c["status"], "lead");
    assert_eq!(c["owner"]["id"], admin.user_id.to_string());
    assert_eq!(c["owner"]["name"], "Ada Admin");
    assert_eq!(c["custom_fields"]["credit_limit"], 5000);
    let id = c["id"].as_str().unwrap();
    let fetched: Value = app.get(&format!("/api/v1/customers/{id}"), &admin.token).await.json().await.unwrap();
    assert_eq!(fetched, c);
}

#[tokio::test]
async fn invalid_fields_are_all_reported_and_nothing_is_created() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let res = app
        .post(
            "/api/v1/customers",
            &admin.token,
            json!({"kind": "person", "name": " ", "emails": ["ok@example.com", "broken@"], "phones": ["call me"]}),
        )
        .await;
    let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let fields = &body["error"]["fields"];
    assert!(fields["name"].is_string() && fields["emails[1]"].is_string() && fields["phones[0]"].is_string(), "{body}");
    let list: Value = app.get("/api/v1/customers", &admin.token).await.json().await.unwrap();
    assert_eq!(list["items"], json!([]));
}

#[tokio::test]
async fn patch_changes_only_what_it_names_and_null_clears() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let c =
        app.customer(&admin, json!({"kind": "company", "name": "Acme", "region": "East", "industry": "Retail"})).await;
    let path = format!("/api/v1/customers/{}", c["id"].as_str().unwrap());
    let res = app.patch(&path, &admin.token, json!({"status": "prospect", "region": null, "tags": ["a", "b"]})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let updated: Value = res.json().await.unwrap();
    assert_eq!(updated["status"], "prospect");
    assert_eq!(updated["region"], Value::Null);
    assert_eq!(updated["industry"], "Retail");
    assert_eq!(updated["tags"], json!(["a", "b"]));

    let res = app.patch(&path, &admin.token, json!({"name": "", "status": "lost"})).await;
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let after: Value = app.get(&path, &admin.token).await.json().await.unwrap();
    assert_eq!(after["status"], "prospect", "a rejected patch changes nothing");
}

#[tokio::test]
async fn delete_archives_and_archived_customers_are_hidden_unless_asked_for() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let keep = app.customer(&admin, json!({"kind": "person", "name": "Keep"})).await;
    let gone = app.customer(&admin, json!({"kind": "person", "name": "Gone"})).await;
    let path = format!("/api/v1/customers/{}", gone["id"].as_str().unwrap());
    assert_eq!(app.delete(&path, &admin.token).await.status(), StatusCode::NO_CONTENT);

    let names = |v: Value| -> Vec<String> {
        v["items"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_owned()).collect()
    };
    let default: Value = app.get("/api/v1/customers", &admin.token).await.json().await.unwrap();
    assert_eq!(names(default), vec!["Keep"]);
    let all: Value = app.get("/api/v1/customers?archived=true", &admin.token).await.json().await.unwrap();
    assert_eq!(names(all), vec!["Gone", "Keep"]);
    let only: Value = app.get("/api/v1/customers?archived=only", &admin.token).await.json().await.unwrap();
    assert_eq!(names(only), vec!["Gone"]);
    let archived: Value = app.get(&path, &admin.token).await.json().await.unwrap();
    assert_eq!(archived["archived"], true);
    assert_eq!(keep["archived"], false);
}

#[tokio::test]
async fn pages_cover_every_customer_once_in_order() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    // Same name twice: the id breaks the tie, so nothing is skipped or repeated.
    for name in ["delta", "Alpha", "charlie", "Bravo", "echo", "echo", "foxtrot"] {
        app.customer(&admin, json!({"kind": "person", "name": name})).await;
    }
    for sort in ["name", "last_touch", "last_touch_asc"] {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let mut path = format!("/api/v1/customers?limit=3&sort={sort}");
            if let Some(c) = &cursor {
                path.push_str(&format!("&cursor={c}"));
            }
            let page: Value = app.get(&path, &admin.token).await.json().await.unwrap();
            pages += 1;
            for item in page["items"].as_array().unwrap() {
                seen.push((item["id"].as_str().unwrap().to_owned(), item["name"].as_str().unwrap().to_owned()));
            }
            match page["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => break,
            }
        }
        assert_eq!(pages, 3, "{sort}");
        assert_eq!(seen.len(), 7, "{sort}");
        assert_eq!(seen.iter().map(|(id, _)| id).collect::<HashSet<_>>().len(), 7, "{sort}: no repeats");
        if sort == "name" {
            let names: Vec<&str> = seen.iter().map(|(_, n)| n.as_str()).collect();
            assert_eq!(names, ["Alpha", "Bravo", "charlie", "delta", "echo", "echo", "foxtrot"]);
        }
    }
}

#[tokio::test]
async fn a_cursor_that_was_not_issued_is_a_400() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let res = app.get("/api/v1/customers?cursor=bogus", &admin.token).await;
    assert_error(res, StatusCode::BAD_REQUEST, "bad_request").await;
    let res = app.get("/api/v1/customers?limit=many", &admin.token).await;
    assert_error(res, StatusCode::BAD_REQUEST, "bad_request").await;
    let res = app.get("/api/v1/customers?sort=sideways", &admin.token).await;
    assert_error(res, StatusCode::BAD_REQUEST, "bad_request").await;
}

#[tokio::test]
async fn search_finds_by_name_phone_and_email_in_any_format() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    app.customer(&admin, json!({"kind": "company", "name": "Jade Dragon Tea", "phones": ["+86 21 5555 0101"]})).await;
    app.customer(&admin, json!({"kind": "person", "name": "Emma Smith", "emails": ["emma@smith.example"]})).await;
    app.customer(&admin, json!({"kind": "person", "name": "100% Real_Name"})).await;
    app.customer(&admin, json!({"kind": "person", "name": "Ada Lovelace", "emails": ["ada.lovelace@acme.example"]}))
        .await;
    app.customer(&admin, json!({"kind": "person", "name": "Bob Stone", "emails": ["bob@acme.example"]})).await;
    app.customer(&admin, json!({"kind": "company", "name": "Tea@Acme Cafe"})).await;
    let hits = |q: &'static str| {
        let app = &app;
        let token = admin.token.clone();
        async move {
            let url = format!("/api/v1/customers?q={}", urlencode(q));
            let page: Value = app.get(&url, &token).await.json().await.unwrap();
            page["items"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_owned()).collect::<Vec<_>>()
        }
    };
    assert_eq!(hits("dragon").await, ["Jade Dragon Tea"]);
    assert_eq!(hits("2155550101").await, ["Jade Dragon Tea"]);
    assert_eq!(hits("21-5555-0101").await, ["Jade Dragon Tea"]);
    assert_eq!(hits("EMMA@SMITH").await, ["Emma Smith"]);
    assert_eq!(hits("100%").await, ["100% Real_Name"], "LIKE wildcards are literal");
    // An address is looked up by its local part, then matched whole.
    assert_eq!(hits("Ada.Lovelace@Acme.example").await, ["Ada Lovelace"]);
    assert_eq!(hits("ace@acme.example").await, ["Ada Lovelace"], "a substring of the address");
    assert_eq!(hits("bob@acme").await, ["Bob Stone"]);
    assert!(hits("bob@acme.test").await.is_empty(), "the whole address must match");
    assert_eq!(hits("@acme.example").await, ["Ada Lovelace", "Bob Stone"]);
    assert_eq!(hits("ACME.EXAMPLE").await, ["Ada Lovelace", "Bob Stone"], "no @: names and addresses");
    // With an `@` and no spaces, a query is part of an address: names are not searched.
    assert!(hits("tea@acme").await.is_empty());
    assert!(hits("a@acme").await.is_empty());
    assert_eq!(hits("tea@acme cafe").await, ["Tea@Acme Cafe"]);
    assert_eq!(hits("lovelace@").await, ["Ada Lovelace"]);
    assert!(hits("zzz").await.is_empty());
    // Short queries scan; longer ones go through the trigram index, where
    // search syntax must stay literal text.
    assert_eq!(hits("em").await, ["Emma Smith"]);
    assert_eq!(hits("a smi").await, ["Emma Smith"], "a substring across words");
    assert_eq!(hits("jade dragon t").await, ["Jade Dragon Tea"]);
    assert!(hits("dragon jade").await.is_empty(), "words in the query's order");
    for syntax in ["\"emma", "emma*", "emma OR jade", "NEAR(emma)", "a\"b\"c", "(((", "emma AND"] {
        assert!(hits(syntax).await.is_empty(), "{syntax} is text, not syntax");
    }
    // Renamed and archived customers follow in the index.
    let page: Value = app.get("/api/v1/customers?q=emma", &admin.token).await.json().await.unwrap();
    let emma = page["items"][0]["id"].as_str().unwrap().to_owned();
    let res = app.patch(&format!("/api/v1/customers/{emma}"), &admin.token, json!({"name": "Olivia Brown"})).await;
    assert_eq!(res.status(), 200);
    assert!(hits("emma smith").await.is_empty());
    assert_eq!(hits("olivia").await, ["Olivia Brown"]);
}

/// The demo data, sampled by `ANALYZE` on PostgreSQL, then three customers
/// with a word the sample cannot hold; with the admin's login, the sample
/// and every customer's id, lower-cased name and search text.
async fn sampled_demo() -> (TestApp, Login, Arc<search_sample::Sampled>, Vec<(String, String, String)>) {
    use rapport_server::domain::demo;
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let app = spawn_app().await;
    assert_eq!(demo::create(&app.db, "demo-password").await.unwrap(), 200);
    let backend = app.db.get_database_backend();
    if backend == DbBackend::Postgres {
        app.db.execute_unprepared("ANALYZE customers, customer_search").await.unwrap();
    }
    let sample = search_sample::SearchSample::default().get(&app.db).await.unwrap();
    assert_eq!(
        sample.texts_sampled() >= search_sample::ENOUGH,
        backend == DbBackend::Postgres,
        "{} sampled",
        sample.texts_sampled()
    );
    let admin = app.login(&format!("admin@{}", demo::DEMO_DOMAIN), "demo-password").await;
    // Written after `ANALYZE`: no sampled text holds `quokka`.
    for name in ["Quokka Logistics", "Blue Quokka Foods", "Quokkas United"] {
        app.customer(&admin, json!({"kind": "company", "name": name})).await;
    }
    let rows = app
        .db
        // What the list answers: the customers outside the shared pool (the demo's lost ones are in it).
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT id, name, search_text FROM customers WHERE pooled_at IS NULL",
        ))
        .await
        .unwrap();
    let customers = rows
        .iter()
        .map(|r| {
            (
                r.try_get::<uuid::Uuid>("", "id").unwrap().to_string(),
                r.try_get::<String>("", "name").unwrap().to_lowercase(),
                r.try_get("", "search_text").unwrap(),
            )
        })
        .collect();
    (app, admin, sample, customers)
}

/// On PostgreSQL, once `ANALYZE` has sampled the search texts, a word the
/// sample never holds is looked up alone and the whole query checked on
/// what it finds, and a word whose customers the name order reaches late is
/// read first: the same customers as reading every search text.
#[tokio::test]
async fn search_by_a_rare_or_late_word_finds_what_reading_every_row_finds() {
    let (app, admin, sample, customers) = sampled_demo().await;
    let mut queries: Vec<String> = customers
        .iter()
        .step_by(3)
        .flat_map(|(_, name, _)| [name.clone(), name[name.len() / 3..].trim().to_owned()])
        .collect();
    // Each name's first word: the customers of those late in the alphabet
    // lie far along the name order.
    let mut first_words: Vec<String> =
        customers.iter().filter_map(|(_, name, _)| name.split_whitespace().next().map(String::from)).collect();
    first_words.sort();
    first_words.dedup();
    queries.extend(first_words);
    queries.extend(["quokka logistics", "blue quokka", "quokkas united", "okka lo", "quokka"].map(String::from));
    let (mut looked_up_alone, mut read_first) = (Vec::new(), Vec::new());
    for q in &queries {
        let words: Vec<&str> = q.split_whitespace().filter(|w| w.chars().count() >= 3 && w != q).collect();
        if search_sample::rare_part(&words, &sample).is_some() {
            looked_up_alone.push(q.as_str());
        }
        if search_sample::matches_lie_far(q, admin.org_id, None, &sample) {
            read_first.push(q.as_str());
        }
        let page: Value = app
            .get(&format!("/api/v1/customers?limit=200&q={}", urlencode(q)), &admin.token)
            .await
            .json()
            .await
            .unwrap();
        let found: HashSet<&str> =
            page["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
        let expected: HashSet<&str> =
            customers.iter().filter(|(_, _, text)| text.contains(q.as_str())).map(|(id, _, _)| id.as_str()).collect();
        assert_eq!(found, expected, "{q}");
        assert!(!found.is_empty(), "{q}");
    }
    if sample.texts_sampled() >= search_sample::ENOUGH {
        for q in ["quokka logistics", "blue quokka", "quokkas united"] {
            assert!(looked_up_alone.contains(&q), "{q} by its rare word: {looked_up_alone:?}");
        }
        assert!(read_first.len() >= 3, "words read first: {read_first:?}");
    }
}

/// A word whose customers are read first pages through them in name order,
/// each once, whichever way each page is read.
#[tokio::test]
async fn pages_of_a_late_word_follow_the_name_order() {
    let (app, admin, sample, customers) = sampled_demo().await;
    let mut late_words: Vec<&str> = customers
        .iter()
        .filter_map(|(_, name, _)| name.split_whitespace().next())
        .filter(|word| search_sample::matches_lie_far(word, admin.org_id, None, &sample))
        .collect();
    late_words.sort_unstable();
    late_words.dedup();
    if sample.texts_sampled() >= search_sample::ENOUGH {
        assert!(!late_words.is_empty(), "no word lies far in the sample");
    } else {
        // SQLite: the same pages, the one way it reads them, for the commonest first word.
        let mut counts = std::collections::HashMap::<&str, usize>::new();
        for word in customers.iter().filter_map(|(_, name, _)| name.split_whitespace().next()) {
            *counts.entry(word).or_default() += 1;
        }
        late_words.extend(counts.into_iter().max_by_key(|&(word, n)| (n, word)).map(|(word, _)| word));
    }
    let ids = |page: &Value| -> Vec<String> {
        page["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_owned()).collect()
    };
    let mut pages_of_more = 0;
    for word in late_words {
        let list = format!("/api/v1/customers?q={}", urlencode(word));
        let whole: Value = app.get(&format!("{list}&limit=200"), &admin.token).await.json().await.unwrap();
        let whole = ids(&whole);
        let expected: HashSet<&str> =
            customers.iter().filter(|(_, _, text)| text.contains(word)).map(|(id, _, _)| id.as_str()).collect();
        assert_eq!(whole.iter().map(String::as_str).collect::<HashSet<_>>(), expected, "{word}");
        assert!(!whole.is_empty(), "{word}");
        pages_of_more += usize::from(whole.len() > 2);
        let mut paged = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let after = cursor.as_deref().map(|c| format!("&cursor={}", urlencode(c))).unwrap_or_default();
            let page: Value = app.get(&format!("{list}&limit=2{after}"), &admin.token).await.json().await.unwrap();
            paged.extend(ids(&page));
            cursor = page["next_cursor"].as_str().map(String::from);
            if cursor.is_none() {
                break;
            }
        }
        assert_eq!(paged, whole, "{word}: pages of two in the order of one page");
    }
    assert!(pages_of_more > 0, "no word with more than one page");
}

/// A word many customers hold is read along the names from where its
/// matches can begin (`search_grams`): page by page, the same customers in
/// the same order as the database finds reading every row, for an admin,
/// a manager and a rep, with pages the walk fills and pages it gives to
/// the index; a customer renamed or created under an earlier name is found
/// first.
#[tokio::test]
async fn a_common_word_pages_like_reading_every_row() {
    use rapport_server::domain::{customers, scale_data, search_grams};
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let app = spawn_app().await;
    scale_data::create(&app.db, scale_data::Scale::Tiny, "scale-password").await.unwrap();
    let domain = scale_data::SCALE_DOMAIN;
    let admin = app.login(&format!("admin@{domain}"), "scale-password").await;
    let rep = app.login(&format!("rep1@{domain}"), "scale-password").await;
    let manager = app.login(&format!("manager1@{domain}"), "scale-password").await;
    let backend = app.db.get_database_backend();
    let team_sql = match backend {
        DbBackend::Postgres => "SELECT id FROM users WHERE team_id = (SELECT team_id FROM users WHERE id = $1)",
        _ => "SELECT id FROM users WHERE team_id = (SELECT team_id FROM users WHERE id = ?)",
    };
    let team: HashSet<uuid::Uuid> = app
        .db
        .query_all_raw(Statement::from_sql_and_values(backend, team_sql, [manager.user_id.into()]))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get("", "id").unwrap())
        .collect();
    assert!(team.len() > 1, "the manager's team: {team:?}");
    let every_row = |word: String, owners: Option<HashSet<uuid::Uuid>>| {
        let db = &app.db;
        async move {
            let sql = match backend {
                DbBackend::Postgres => {
                    "SELECT id, owner_id FROM customers WHERE strpos(search_text, $1) > 0 \
                                        ORDER BY sort_name, id"
                }
                _ => "SELECT id, owner_id FROM customers WHERE instr(search_text, ?) > 0 ORDER BY sort_name, id",
            };
            let rows = db.query_all_raw(Statement::from_sql_and_values(backend, sql, [word.into()])).await.unwrap();
            rows.iter()
                .filter(|r| owners.as_ref().is_none_or(|o| o.contains(&r.try_get("", "owner_id").unwrap())))
                .map(|r| r.try_get::<uuid::Uuid>("", "id").unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    let paged = |word: &'static str, limit: u32, who: &Login| {
        let (app, token) = (&app, who.token.clone());
        async move {
            let (mut ids, mut cursor) = (Vec::new(), None::<String>);
            loop {
                let after = cursor.as_deref().map(|c| format!("&cursor={}", urlencode(c))).unwrap_or_default();
                let url = format!("/api/v1/customers?q={word}&limit={limit}{after}");
                let page: Value = app.get(&url, &token).await.json().await.unwrap();
                let items = page["items"].as_array().unwrap();
                assert!(items.len() <= limit as usize, "{word}");
                ids.extend(items.iter().map(|c| c["id"].as_str().unwrap().to_owned()));
                cursor = page["next_cursor"].as_str().map(String::from);
                if cursor.is_none() {
                    return ids;
                }
            }
        }
    };
    // `contact` and `example` are in every text, `ct1` in over half;
    // `trading` in one in twelve: a page of 50 fills within the walk, one
    // of 200 does not.
    for word in ["contact", "example", "ct1", "trading"] {
        let bounds = search_grams::bounds(&app.db, admin.org_id, word).await.unwrap().unwrap();
        assert!(bounds.at_most >= customers::WALK_FROM, "{word} is walked: {bounds:?}");
        let all = every_row(word.into(), None).await;
        assert!(all.len() > 100, "{word}");
        for limit in [50, 200] {
            assert_eq!(paged(word, limit, &admin).await, all, "{word}, pages of {limit}");
        }
        let mine = every_row(word.into(), Some(HashSet::from([rep.user_id]))).await;
        assert!(!mine.is_empty(), "{word}");
        assert_eq!(paged(word, 50, &rep).await, mine, "{word}, the rep's");
        let teams = every_row(word.into(), Some(team.clone())).await;
        assert!(!teams.is_empty(), "{word}");
        assert_eq!(paged(word, 50, &manager).await, teams, "{word}, the manager's team's");
    }
    // Renamed and created under names before every other: the floors follow.
    let zenith: Value = app.get("/api/v1/customers?q=zenith&limit=1", &admin.token).await.json().await.unwrap();
    let renamed = zenith["items"][0]["id"].as_str().unwrap().to_owned();
    let res =
        app.patch(&format!("/api/v1/customers/{renamed}"), &admin.token, json!({"name": "Aardvark Trading"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let first_two = || async {
        let page: Value = app.get("/api/v1/customers?q=trading&limit=2", &admin.token).await.json().await.unwrap();
        page["items"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_owned()).collect::<Vec<_>>()
    };
    assert_eq!(first_two().await[0], "Aardvark Trading");
    app.customer(&admin, json!({"kind": "company", "name": "Aardman Trading"})).await;
    assert_eq!(first_two().await, ["Aardman Trading", "Aardvark Trading"]);
    assert_eq!(paged("trading", 50, &admin).await, every_row("trading".into(), None).await);
}

#[tokio::test]
async fn filters_by_status_tag_and_owner() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let rep = app.user(admin.org_id, Role::Rep).await;
    app.customer(&admin, json!({"kind": "person", "name": "A", "status": "customer", "tags": ["vip"]})).await;
    app.customer(&admin, json!({"kind": "person", "name": "B", "status": "lead", "tags": ["vip"]})).await;
    app.customer(&rep, json!({"kind": "person", "name": "C", "status": "customer"})).await;
    let names = |page: Value| -> Vec<String> {
        page["items"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_owned()).collect()
    };
    let by_status: Value = app.get("/api/v1/customers?status=customer", &admin.token).await.json().await.unwrap();
    assert_eq!(names(by_status), ["A", "C"]);
    let by_tag: Value = app.get("/api/v1/customers?tag=vip", &admin.token).await.json().await.unwrap();
    assert_eq!(names(by_tag), ["A", "B"]);
    let by_owner: Value =
        app.get(&format!("/api/v1/customers?owner={}", rep.user_id), &admin.token).await.json().await.unwrap();
    assert_eq!(names(by_owner), ["C"]);
}

#[tokio::test]
async fn a_rep_sees_only_their_own_customers() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let rep = app.user(admin.org_id, Role::Rep).await;
    let other_rep = app.user(admin.org_id, Role::Rep).await;
    let mine = app.customer(&rep, json!({"kind": "person", "name": "Mine"})).await;
    let theirs = app.customer(&other_rep, json!({"kind": "person", "name": "Theirs"})).await;

    let list: Value = app.get("/api/v1/customers", &rep.token).await.json().await.unwrap();
    let ids: Vec<&str> = list["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [mine["id"].as_str().unwrap()]);

    let path = format!("/api/v1/customers/{}", theirs["id"].as_str().unwrap());
    assert_error(app.get(&path, &rep.token).await, StatusCode::NOT_FOUND, "not_found").await;
    assert_error(app.patch(&path, &rep.token, json!({"name": "Stolen"})).await, StatusCode::NOT_FOUND, "not_found")
        .await;
    assert_error(app.delete(&path, &rep.token).await, StatusCode::NOT_FOUND, "not_found").await;

    let admin_view: Value = app.get("/api/v1/customers", &admin.token).await.json().await.unwrap();
    assert_eq!(admin_view["items"].as_array().unwrap().len(), 2, "the admin sees the whole org");
}

#[tokio::test]
async fn another_orgs_customers_do_not_exist() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let outsider = app.other_org_admin().await;
    let c = app.customer(&admin, json!({"kind": "person", "name": "Private"})).await;
    let path = format!("/api/v1/customers/{}", c["id"].as_str().unwrap());
    assert_error(app.get(&path, &outsider.token).await, StatusCode::NOT_FOUND, "not_found").await;
    assert_error(app.patch(&path, &outsider.token, json!({"name": "x"})).await, StatusCode::NOT_FOUND, "not_found")
        .await;
    assert_error(app.delete(&path, &outsider.token).await, StatusCode::NOT_FOUND, "not_found").await;
    let list: Value = app.get("/api/v1/customers", &outsider.token).await.json().await.unwrap();
    assert_eq!(list["items"], json!([]));
    let unchanged: Value = app.get(&path, &admin.token).await.json().await.unwrap();
    assert_eq!(unchanged["name"], "Private");
    assert_eq!(unchanged["archived"], false);
}

#[tokio::test]
async fn only_an_admin_may_choose_another_owner_and_only_within_the_org() {
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let rep = app.user(admin.org_id, Role::Rep).await;
    let outsider = app.other_org_admin().await;

    let given = app.customer(&admin, json!({"kind": "person", "name": "Given", "owner_id": rep.user_id})).await;
    assert_eq!(given["owner"]["id"], rep.user_id.to_string());

    let res = app
        .post("/api/v1/customers", &rep.token, json!({"kind": "person", "name": "X", "owner_id": admin.user_id}))
        .await;
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    let res = app
        .post("/api/v1/customers", &admin.token, json!({"kind": "person", "name": "X", "owner_id": outsider.user_id}))
        .await;
    let body = assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(body["error"]["fields"]["owner_id"].is_string());
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
