//! The `roost` binary: starts logging (`roost::logging`), parses the command line,
//! runs the command.

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    if let Err(error) = roost::logging::init() {
        eprintln!("roost: {error}");
        return std::process::ExitCode::FAILURE;
    }
    let cli = roost::cli::Cli::parse();
    match roost::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("roost: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
