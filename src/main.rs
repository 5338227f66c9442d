//! The `sopncheck` binary: parse the command line, run the library, map the
//! outcome to an exit status (0 clean, 1 findings at or above `--fail-on`,
//! 2 usage or fatal error).

use std::process::ExitCode;

/// mimalloc: a scan makes and frees many small strings on every thread,
/// which it serves faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    sopncheck::cli::main()
}
