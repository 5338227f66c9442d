//! The crawl benchmark's simulated web: `HOSTS` council sites of `PAGES`
//! pages each (one of them a notice PDF), all on one 127.0.0.1 port told
//! apart by the `Host` header. Prints a crawl plan for
//! `examples/crawl_seeds.rs` (seeds and DNS overrides) on standard output,
//! then serves until killed. Used by `benches/crawl.sh`.
//!
//! ```text
//! crawl_web HOSTS PAGES
//! ```

use std::io::Write;
use std::net::TcpListener;
use std::process::ExitCode;
use std::sync::Arc;

use sopncheck::demo::{Reply, serve};

fn main() -> ExitCode {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let (Some(&hosts), Some(&pages)) = (args.first(), args.get(1)) else {
        eprintln!("usage: crawl_web HOSTS PAGES");
        return ExitCode::from(2);
    };
    let pages = pages.max(2);
    let Ok(listener) = TcpListener::bind("127.0.0.1:0") else {
        eprintln!("crawl_web: cannot listen on 127.0.0.1");
        return ExitCode::from(2);
    };
    let Ok(addr) = listener.local_addr() else {
        return ExitCode::from(2);
    };
    let pdf: Arc<[u8]> = Arc::from(&b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"[..]);
    let served = serve(
        listener,
        Arc::new(move |head| {
            // Page k links to pages 2k and 2k+1 (a binary tree over 1..pages-1)
            // and page 1 also to the notice, so every page is reachable.
            let target = head.target.as_str();
            if target == "/sopn.pdf" {
                return Reply::ok("application/pdf", Arc::clone(&pdf)).conditional(head);
            }
            let number = match target {
                "/" => 1,
                other => match other.strip_prefix("/page/").and_then(|n| n.parse().ok()) {
                    Some(n) if (1..pages).contains(&n) => n,
                    _ => return Reply::status(404),
                },
            };
            let mut body = format!(
                "<!DOCTYPE html><html><head><title>Page {number}</title></head><body><h1>Council page {number}</h1><p>{}</p><ul>",
                "Information about council services. ".repeat(20)
            );
            if number == 1 {
                body.push_str(
                    "<li><a href=\"/sopn.pdf\">Statement of persons nominated (PDF)</a></li>",
                );
            }
            for child in [2 * number, 2 * number + 1] {
                if child < pages {
                    body.push_str(&format!(
                        "<li><a href=\"/page/{child}\">Elections page {child}</a></li>"
                    ));
                }
            }
            body.push_str("</ul></body></html>");
            Reply::ok("text/html; charset=utf-8", Arc::from(body.into_bytes())).conditional(head)
        }),
    );
    let Ok(_served) = served else {
        eprintln!("crawl_web: cannot start the server");
        return ExitCode::from(2);
    };
    let mut plan = String::new();
    for i in 0..hosts {
        let host = format!("c{i:04}.sim.test");
        plan.push_str(&format!("seed C{i:04} http://{host}:{}/\n", addr.port()));
        plan.push_str(&format!("resolve {host} {addr}\n"));
    }
    let mut stdout = std::io::stdout();
    if stdout
        .write_all(plan.as_bytes())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        return ExitCode::from(2);
    }
    // Serve until killed.
    loop {
        std::thread::park();
    }
}
