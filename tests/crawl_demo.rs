//! The crawl of the bundled demo web (`fixtures/sites`): every notice
//! found and stored, no decoy and no robots-disallowed file requested, and
//! a second crawl answered from the store or by `304` (which moves only
//! each document's check time).

use std::sync::Mutex;
use std::time::Duration;

use sopncheck::crawl::{self, EventKind};
use sopncheck::demo::{DemoServer, Expect};
use sopncheck::store::{Store, StoredDocument};

#[test]
fn demo_crawl_finds_every_notice_and_no_decoy() {
    let demo = DemoServer::start_bundled().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let config = demo.crawl_config();
    let events = Mutex::new(Vec::new());
    let summary =
        crawl::crawl(&config, &store, &|e| events.lock().unwrap().push(e.clone())).unwrap();
    let events = events.into_inner().unwrap();
    let documents = store.documents().unwrap();
    for expected in demo.documents() {
        let url = demo.seed_url(&expected.url);
        let stored = documents.iter().find(|d| d.url == url);
        match expected.expect {
            Expect::Found => {
                let stored = stored.unwrap_or_else(|| panic!("not found: {url}\n{events:#?}"));
                assert_eq!(stored.council, expected.council, "{url}");
                assert!(!store.read(stored).unwrap().is_empty());
            }
            Expect::NotFetched => {
                assert!(stored.is_none(), "stored: {url}");
                assert_eq!(demo.hits(&expected.url), 0, "requested: {url}");
            }
        }
    }
    let found = demo
        .documents()
        .iter()
        .filter(|d| d.expect == Expect::Found)
        .count();
    assert_eq!(documents.len(), found, "{documents:#?}");
    assert!(
        events
            .iter()
            .any(|e| e.kind == EventKind::Skipped(crawl::Skip::Robots))
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e.kind, EventKind::Redirect { .. }))
    );
    assert_eq!(summary.councils.len(), 4);
    for council in &summary.councils {
        assert_eq!(council.failed, 0, "{council:?}\n{events:#?}");
        assert!(council.documents >= 3, "{council:?}");
    }

    // Crawled again at once: everything comes from the store.
    let before: u32 = demo.documents().iter().map(|d| demo.hits(&d.url)).sum();
    let again = crawl::crawl(&config, &store, &|_| {}).unwrap();
    let after: u32 = demo.documents().iter().map(|d| demo.hits(&d.url)).sum();
    assert_eq!(before, after);
    // Only redirects (which are not stored) are requested again.
    for council in &again.councils {
        assert_eq!((council.pages, council.documents), (0, 0), "{council:?}");
        assert!(council.requests <= 1, "{council:?}");
    }

    // Crawled again with revisiting on: conditional requests, all `304`.
    let mut revisit = config.clone();
    revisit.revisit_after = Duration::ZERO;
    let third = crawl::crawl(&revisit, &store, &|_| {}).unwrap();
    for council in &third.councils {
        assert_eq!(council.documents, 0, "{council:?}");
        assert_eq!(council.pages, 0, "{council:?}");
        assert!(council.unchanged > 0);
    }
    // The same documents, found online again: only their check time moves.
    let revisited = store.documents().unwrap();
    assert_eq!(revisited.len(), documents.len());
    for (now, before) in revisited.iter().zip(&documents) {
        assert!(now.checked_at >= before.checked_at, "{}", now.url);
    }
    let unchecked = |documents: Vec<StoredDocument>| -> Vec<StoredDocument> {
        documents
            .into_iter()
            .map(|d| StoredDocument { checked_at: 0, ..d })
            .collect()
    };
    assert_eq!(unchecked(revisited), unchecked(documents));
}
