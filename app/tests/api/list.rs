//! GET /api/comment/list/{content_id}: oldest first, bounded, pageable with a cursor.

use serde_json::Value;

use crate::helpers::{Backend, TestApp, comment, spawn_app};
use crate::on_both_databases;

on_both_databases!(
    pages_follow_the_cursor_until_the_end,
    default_limit_bounds_an_unparameterised_list,
    comments_of_other_content_never_leak,
    an_unchanged_page_answers_304_until_a_comment_arrives,
);

async fn seed(app: &TestApp, content_id: i64, count: usize) -> Vec<i64> {
    let mut ids = Vec::with_capacity(count);
    for n in 0..count {
        let body: Value = app
            .post_comment(&comment(
                &format!("user{n}@example.com"),
                &format!("comment {n}"),
                content_id,
            ))
            .await
            .json()
            .await
            .unwrap();
        ids.push(body["id"].as_i64().unwrap());
    }
    ids
}

async fn pages_follow_the_cursor_until_the_end(backend: Backend) {
    let app = spawn_app(backend).await;
    let ids = seed(&app, 7, 12).await;

    let mut seen = Vec::new();
    let mut query = "limit=5".to_owned();
    let mut pages = 0;
    loop {
        pages += 1;
        assert!(pages <= 5, "pagination does not end");
        let resp = app.list_comments("7", &query).await;
        assert_eq!(resp.status().as_u16(), 200);
        let next = resp
            .headers()
            .get("x-next-cursor")
            .map(|v| v.to_str().unwrap().to_owned());
        let link = resp
            .headers()
            .get("link")
            .map(|v| v.to_str().unwrap().to_owned());
        let page: Vec<Value> = resp.json().await.unwrap();
        seen.extend(page.iter().map(|c| c["id"].as_i64().unwrap()));
        match next {
            Some(cursor) => {
                assert_eq!(page.len(), 5);
                let link = link.expect("a Link header with the cursor");
                assert!(
                    link.contains(&format!("cursor={cursor}")) && link.ends_with("rel=\"next\""),
                    "{link}"
                );
                query = format!("limit=5&cursor={cursor}");
            }
            None => {
                assert!(link.is_none());
                break;
            }
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, ids, "every comment once, oldest first");

    // A page after the last one is empty, not 404: the content exists.
    let last = ids.last().unwrap();
    let resp = app.list_comments("7", &format!("cursor={last}")).await;
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.json::<Vec<Value>>().await.unwrap().len(), 0);
}

async fn default_limit_bounds_an_unparameterised_list(backend: Backend) {
    let app = spawn_app(backend).await;
    seed(&app, 3, 101).await;
    let resp = app.list_comments("3", "").await;
    assert_eq!(resp.status().as_u16(), 200);
    assert!(resp.headers().contains_key("x-next-cursor"));
    let page: Vec<Value> = resp.json().await.unwrap();
    assert_eq!(page.len(), 100, "the default page size");

    let all: Vec<Value> = app
        .list_comments("3", "limit=500")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all.len(), 101);
}

async fn comments_of_other_content_never_leak(backend: Backend) {
    let app = spawn_app(backend).await;
    seed(&app, 1, 2).await;
    seed(&app, 2, 3).await;
    let one: Vec<Value> = app.list_comments("1", "").await.json().await.unwrap();
    let two: Vec<Value> = app.list_comments("2", "").await.json().await.unwrap();
    assert_eq!((one.len(), two.len()), (2, 3));
    assert!(
        one.iter().all(|c| c.get("fingerprint").is_none()),
        "internal columns stay inside"
    );
}

async fn list_if_none_match(app: &TestApp, path: &str, etag: &str) -> reqwest::Response {
    app.client
        .get(format!("{}/api/comment/list/{path}", app.address))
        .header("If-None-Match", etag)
        .send()
        .await
        .expect("GET /api/comment/list")
}

async fn an_unchanged_page_answers_304_until_a_comment_arrives(backend: Backend) {
    let app = spawn_app(backend).await;
    seed(&app, 4, 3).await;
    let first = app.list_comments("4", "limit=2").await;
    assert_eq!(first.status().as_u16(), 200);
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();

    let same = list_if_none_match(&app, "4?limit=2", &etag).await;
    assert_eq!(same.status().as_u16(), 304);
    assert_eq!(same.headers()["etag"].to_str().unwrap(), etag);
    assert!(same.bytes().await.unwrap().is_empty(), "304 has no body");
    // A list of tags, a weak form and `*` match too; another tag does not.
    for header in [format!("\"2.0.0\", W/{etag}"), "*".to_owned()] {
        let resp = list_if_none_match(&app, "4?limit=2", &header).await;
        assert_eq!(resp.status().as_u16(), 304, "{header}");
    }
    assert_eq!(
        list_if_none_match(&app, "4?limit=2", "\"2.0.0\"")
            .await
            .status()
            .as_u16(),
        200
    );
    // A tag of another page (different limit) does not match this one.
    let whole = app.list_comments("4", "").await;
    let whole_tag = whole.headers()["etag"].to_str().unwrap().to_owned();
    assert_ne!(whole_tag, etag);

    // A new comment changes the page it lands on, and only that one: the first page of two (which
    // already had a next page) stays the same.
    seed_one(&app, 4, "late").await;
    assert_eq!(
        list_if_none_match(&app, "4?limit=2", &etag)
            .await
            .status()
            .as_u16(),
        304
    );
    let whole_after = list_if_none_match(&app, "4", &whole_tag).await;
    assert_eq!(whole_after.status().as_u16(), 200);
    let body: Vec<Value> = whole_after.json().await.unwrap();
    assert_eq!(body.len(), 4);
    // Nothing exists for content 5: a tag never turns a 404 into a 304.
    assert_eq!(
        list_if_none_match(&app, "5", "*").await.status().as_u16(),
        404
    );
}

async fn seed_one(app: &TestApp, content_id: i64, text: &str) {
    let resp = app
        .post_comment(&comment("late@example.com", text, content_id))
        .await;
    assert_eq!(resp.status().as_u16(), 201);
}
