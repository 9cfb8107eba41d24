//! `mailserver`: runs the reference mail server, or one of its scriptable commands.
//! See the package README for the ports, the configuration and the commands.

use std::process::ExitCode;

use clap::Parser;
use mailwright_server::cli::{self, Cli, Command};
use mailwright_server::server;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match cli::load_config(&cli) {
        Ok(config) => config,
        Err(message) => {
            eprintln!("mailserver: {message}");
            return ExitCode::from(2);
        }
    };
    let result = match cli.command {
        None | Some(Command::Serve) => server::run(config),
        Some(Command::Queue(command)) => server::queue_command(&config, command),
        Some(command) => cli::run_offline(&config, command),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("mailserver: {message}");
            ExitCode::FAILURE
        }
    }
}
