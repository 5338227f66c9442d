//! A crawl killed with SIGKILL at several moments, then resumed: the index
//! stays sound, every row names a complete object, nothing stored is
//! fetched again, and the resumed crawl finishes the job.
//!
//! The crawl runs in a child process (this test binary again, running only
//! [`child_crawl`]) against the demo web served from this process. A
//! crawl run under `strace` shows each object synced to disk before it is
//! renamed into place.

mod tools_support;

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use sopncheck::demo::{DemoServer, Expect};
use sopncheck::store::Store;

/// Set in the child: `STORE_DIR|PLAN_FILE`.
const CHILD_ENV: &str = "SOPNCHECK_KILL_TEST_CHILD";

/// The crawl the parent test kills; does nothing unless run as its child.
#[test]
fn child_crawl() {
    let Ok(job) = std::env::var(CHILD_ENV) else {
        return;
    };
    let (store_dir, plan) = job.split_once('|').unwrap();
    let mut config = sopncheck::crawl::CrawlConfig::new(Vec::new());
    for line in std::fs::read_to_string(plan).unwrap().lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields.as_slice() {
            ["seed", code, url] => config.seeds.push(sopncheck::crawl::Seed::new(code, url)),
            ["resolve", host, addr] => config
                .resolve
                .push((host.to_string(), addr.parse().unwrap())),
            ["allow", code, host] => config.allowed_hosts.push(sopncheck::crawl::AllowedHost {
                council: Some(code.to_string()),
                pattern: host.to_string(),
            }),
            _ => panic!("bad plan line {line}"),
        }
    }
    config.politeness = Duration::from_millis(250);
    let store = Store::open(Path::new(store_dir)).unwrap();
    sopncheck::crawl::crawl(&config, &store, &|_| {}).unwrap();
}

fn write_plan(demo: &DemoServer, path: &Path) {
    let config = demo.crawl_config();
    let mut plan = String::new();
    for seed in &config.seeds {
        plan.push_str(&format!("seed {} {}\n", seed.council, seed.url));
    }
    for (host, addr) in &config.resolve {
        plan.push_str(&format!("resolve {host} {addr}\n"));
    }
    for allowed in &config.allowed_hosts {
        let council = allowed.council.as_deref().unwrap_or_default();
        plan.push_str(&format!("allow {council} {}\n", allowed.pattern));
    }
    std::fs::write(path, plan).unwrap();
}

fn object_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            if path.is_dir() {
                object_files(&path)
            } else {
                1
            }
        })
        .sum()
}

/// Checks the store after a kill; returns each stored URL's hit count at
/// this moment (URLs without the port, as the demo counts them).
fn check_store(dir: &Path, demo: &DemoServer) -> HashMap<String, u32> {
    let index = rusqlite::Connection::open(dir.join("index.sqlite")).unwrap();
    let verdict: String = index
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap();
    assert_eq!(verdict, "ok");
    drop(index);
    let store = Store::open(dir).unwrap();
    let records = store.records().unwrap();
    let mut hashes = BTreeSet::new();
    for record in &records {
        let bytes = store.read_object(&record.sha256).unwrap();
        assert_eq!(bytes.len() as u64, record.size, "{}", record.url);
        hashes.insert(record.sha256.clone());
    }
    // At most one object can be orphaned: written and renamed, killed
    // before its row.
    let files = object_files(&dir.join("objects"));
    assert!(
        files == hashes.len() || files == hashes.len() + 1,
        "{files} files, {} hashes",
        hashes.len()
    );
    let port = format!(":{}", demo.addr().port());
    records
        .iter()
        .map(|r| {
            let url = r.url.replacen(&port, "", 1);
            let hits = demo.hits(&url);
            (url, hits)
        })
        .collect()
}

/// The crawl child, started with the plan written for `demo` and the
/// store at `store_dir`, under `wrapper` (a command and its arguments,
/// the child's command line appended) when given.
fn crawl_child(demo: &DemoServer, work: &Path, store_dir: &Path, wrapper: &[&str]) -> Command {
    let plan = work.join("plan.txt");
    write_plan(demo, &plan);
    let job = format!("{}|{}", store_dir.display(), plan.display());
    let test_binary = std::env::current_exe().unwrap();
    let mut command = match wrapper {
        [program, args @ ..] => {
            let mut command = Command::new(program);
            command.args(args).arg(test_binary);
            command
        }
        [] => Command::new(test_binary),
    };
    command
        .args(["--exact", "child_crawl", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, job)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

#[test]
fn objects_are_synced_before_they_are_named() {
    let installed = Command::new("strace").arg("-V").output().is_ok();
    if tools_support::skip_without(installed, "strace") {
        return;
    }
    let demo = DemoServer::start_bundled().unwrap();
    let work = tempfile::tempdir().unwrap();
    let store_dir = work.path().join("store");
    let log = work.path().join("strace.log");
    let log_arg = log.to_str().unwrap();
    let output = crawl_child(
        &demo,
        work.path(),
        &store_dir,
        &[
            "strace",
            "-f",
            "-qq",
            "-e",
            "trace=openat,fsync,fdatasync,rename,renameat,renameat2",
            "-o",
            log_arg,
        ],
    )
    .output()
    .unwrap();
    assert!(output.status.success(), "{output:?}");
    // Each temporary file in the store's tmp/ is opened (fd), synced
    // (fsync of that fd) and renamed into objects/; fds are reused, so
    // the log is read in order.
    let text = std::fs::read_to_string(&log).unwrap();
    let tmp_dir = format!("{}/tmp/", store_dir.display());
    let objects_dir = format!("{}/objects/", store_dir.display());
    let quoted = |line: &str| -> Vec<String> {
        line.split('"')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect()
    };
    let mut open: HashMap<String, String> = HashMap::new();
    let mut synced: BTreeSet<String> = BTreeSet::new();
    let mut renamed = 0;
    for line in text.lines() {
        // "PID syscall(args) = result"; strace pads the PID to five
        // columns, so a short PID is followed by more than one space.
        let call = line
            .split_once(' ')
            .map_or(line, |(_, call)| call)
            .trim_start();
        let result = call.rsplit_once(" = ").map(|(_, r)| r.trim());
        if call.starts_with("openat(") {
            if let (Some(path), Some(fd)) = (quoted(call).first(), result)
                && path.starts_with(&tmp_dir)
                && fd.parse::<u32>().is_ok()
            {
                open.insert(fd.to_owned(), path.clone());
            }
        } else if call.starts_with("fsync(") || call.starts_with("fdatasync(") {
            let fd = call[call.find('(').unwrap() + 1..]
                .split(')')
                .next()
                .unwrap();
            if let Some(path) = open.get(fd) {
                synced.insert(path.clone());
            }
        } else if call.starts_with("rename") {
            let paths = quoted(call);
            if let [from, to] = paths.as_slice()
                && to.starts_with(&objects_dir)
            {
                assert!(
                    synced.contains(from),
                    "{from} renamed to {to} unsynced:\n{text}"
                );
                renamed += 1;
            }
        }
    }
    let store = Store::open(&store_dir).unwrap();
    let objects: BTreeSet<String> = store
        .records()
        .unwrap()
        .into_iter()
        .map(|r| r.sha256)
        .collect();
    assert!(!objects.is_empty());
    assert_eq!(
        renamed,
        objects.len(),
        "every object renamed into place once:\n{text}"
    );
}

#[test]
fn killed_crawls_resume_without_refetching_or_corruption() {
    let demo = DemoServer::start_bundled().unwrap();
    let work = tempfile::tempdir().unwrap();
    let store_dir = work.path().join("store");
    let crawl = || {
        crawl_child(&demo, work.path(), &store_dir, &[])
            .spawn()
            .unwrap()
    };
    let mut stored_at_kills: Vec<HashMap<String, u32>> = Vec::new();
    for delay_ms in [300, 600, 900] {
        let mut child = crawl();
        std::thread::sleep(Duration::from_millis(delay_ms));
        // Child::kill sends SIGKILL on Unix.
        let _ = child.kill();
        let status = child.wait().unwrap();
        assert!(
            !status.success(),
            "the crawl finished before the kill at {delay_ms} ms"
        );
        stored_at_kills.push(check_store(&store_dir, &demo));
    }
    assert!(
        stored_at_kills.last().is_some_and(|s| !s.is_empty()),
        "nothing stored before the kills"
    );
    let finish = crawl().wait_with_output().unwrap();
    assert!(
        finish.status.success(),
        "{}",
        String::from_utf8_lossy(&finish.stderr)
    );

    let final_hits = check_store(&store_dir, &demo);
    let store = Store::open(&store_dir).unwrap();
    let records = store.records().unwrap();
    let hashes: BTreeSet<&str> = records.iter().map(|r| r.sha256.as_str()).collect();
    assert_eq!(object_files(&store_dir.join("objects")), hashes.len());
    // Nothing stored before a kill was requested again afterwards.
    for stored in &stored_at_kills {
        for (url, hits) in stored {
            assert_eq!(final_hits.get(url), Some(hits), "{url} fetched again");
        }
    }
    // The resumed crawl found every notice.
    let documents: Vec<String> = store
        .documents()
        .unwrap()
        .into_iter()
        .map(|d| d.url)
        .collect();
    for expected in demo
        .documents()
        .iter()
        .filter(|d| d.expect == Expect::Found)
    {
        assert!(
            documents.contains(&demo.seed_url(&expected.url)),
            "{}",
            expected.url
        );
    }
}
