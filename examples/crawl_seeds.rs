//! Crawls the seeds listed in a file into a store, then prints one summary
//! line. The kill-and-resume test (`tests/store_kill.rs`) runs it as a
//! child process and kills it mid-crawl; the crawl benchmark
//! (`benches/crawl.sh`) times it against a simulated web.
//!
//! ```text
//! crawl_seeds STORE_DIR PLAN_FILE [POLITENESS_MS] [CONCURRENCY]
//! ```
//!
//! Plan lines: `seed CODE URL`, `resolve HOST ADDR:PORT`, `allow CODE HOST`;
//! blank lines and `#` comments are skipped. Exit status 2 on a bad plan.

use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use sopncheck::crawl::{self, AllowedHost, CrawlConfig, Seed};
use sopncheck::store::Store;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(store_dir), Some(plan)) = (args.first(), args.get(1)) else {
        eprintln!("usage: crawl_seeds STORE_DIR PLAN_FILE [POLITENESS_MS] [CONCURRENCY]");
        return ExitCode::from(2);
    };
    let config = match read_plan(Path::new(plan), &args[2..]) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("crawl_seeds: {e}");
            return ExitCode::from(2);
        }
    };
    let store = match Store::open(Path::new(store_dir)) {
        Ok(store) => store,
        Err(e) => {
            eprintln!("crawl_seeds: {e}");
            return ExitCode::from(2);
        }
    };
    match crawl::crawl(&config, &store, &|_| {}) {
        Ok(summary) => {
            let sum = |f: fn(&crawl::CouncilSummary) -> usize| -> usize {
                summary.councils.iter().map(f).sum()
            };
            let max_requests = summary
                .councils
                .iter()
                .map(|c| c.requests)
                .max()
                .unwrap_or(0);
            println!(
                "councils={} requests={} max_requests_per_council={} pages={} documents={} unchanged={} failed={} elapsed_ms={}",
                summary.councils.len(),
                sum(|c| c.requests),
                max_requests,
                sum(|c| c.pages),
                sum(|c| c.documents),
                sum(|c| c.unchanged),
                sum(|c| c.failed),
                summary.elapsed.as_millis()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("crawl_seeds: {e}");
            ExitCode::from(2)
        }
    }
}

fn read_plan(path: &Path, options: &[String]) -> Result<CrawlConfig, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut config = CrawlConfig::new(Vec::new());
    config.budgets.max_pages = 1_000;
    for line in text.lines().map(str::trim) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields.as_slice() {
            [] => {}
            [comment, ..] if comment.starts_with('#') => {}
            ["seed", code, url] => config.seeds.push(Seed::new(code, url)),
            ["resolve", host, addr] => {
                let addr: SocketAddr = addr.parse().map_err(|_| format!("bad address {addr}"))?;
                config.resolve.push(((*host).to_owned(), addr));
            }
            ["allow", code, host] => config.allowed_hosts.push(AllowedHost {
                council: Some((*code).to_owned()),
                pattern: (*host).to_owned(),
            }),
            _ => return Err(format!("bad plan line: {line}")),
        }
    }
    if let Some(ms) = options.first() {
        let ms: u64 = ms.parse().map_err(|_| format!("bad politeness {ms}"))?;
        config.politeness = Duration::from_millis(ms);
    }
    if let Some(n) = options.get(1) {
        config.concurrency = n.parse().map_err(|_| format!("bad concurrency {n}"))?;
    }
    Ok(config)
}
