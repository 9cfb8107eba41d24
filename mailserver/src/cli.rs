//! The command line: `mailserver [--data DIR | --config FILE] [COMMAND]`.
//!
//! Without a command the server runs. The commands are scriptable: they print plain
//! lines, read passwords from standard input with `--password-stdin`, and exit
//! non-zero with a message on standard error when something is wrong.

use std::io::BufRead;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::Config;
use crate::data::DataDir;
use crate::users::{Directory, password};
use crate::{dkim_keys, provision};

/// A complete mail server: SMTP, submission, IMAP, POP3, outbound queue, admin API.
#[derive(Debug, Parser)]
#[command(name = "mailserver", version)]
pub struct Cli {
    /// The data folder (users, mailboxes, queue, keys); default ./data.
    #[arg(long, global = true, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// A TOML configuration file (see mailserver.example.toml); without it the
    /// embedded default runs on 127.0.0.1 high ports.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// What to do; nothing runs the server.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (the default).
    Serve,
    /// Users: add, del, passwd, list.
    #[command(subcommand)]
    User(UserCommand),
    /// Aliases: add, del, list.
    #[command(subcommand)]
    Alias(AliasCommand),
    /// Domains: add (makes DKIM keys, prints DNS records), list.
    #[command(subcommand)]
    Domain(DomainCommand),
    /// The outbound queue of the running server: list, retry, delete.
    #[command(subcommand)]
    Queue(QueueCommand),
}

/// User commands.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user; prints a generated password unless --password-stdin.
    Add {
        /// The address, in one of our domains.
        address: String,
        /// Where the password comes from.
        #[command(flatten)]
        password: PasswordSource,
        /// Storage quota, like 1G or 500M.
        #[arg(long)]
        quota: Option<String>,
    },
    /// Delete a user (the mailbox stays on disk).
    Del {
        /// The address.
        address: String,
    },
    /// Change a user's password.
    Passwd {
        /// The address.
        address: String,
        /// Where the password comes from.
        #[command(flatten)]
        password: PasswordSource,
    },
    /// List users, of one domain or all.
    List {
        /// Only this domain.
        domain: Option<String>,
    },
}

/// Where a password comes from.
#[derive(Debug, Args)]
pub struct PasswordSource {
    /// Read the password from the first line of standard input.
    #[arg(long)]
    pub password_stdin: bool,
}

/// Alias commands.
#[derive(Debug, Subcommand)]
pub enum AliasCommand {
    /// Mail to SOURCE (name@domain, or @domain for a catch-all) goes to the user TARGET.
    Add {
        /// The alias.
        source: String,
        /// The user.
        target: String,
    },
    /// Remove an alias (only to TARGET when given).
    Del {
        /// The alias.
        source: String,
        /// The user.
        target: Option<String>,
    },
    /// List aliases.
    List,
}

/// Domain commands.
#[derive(Debug, Subcommand)]
pub enum DomainCommand {
    /// Add a domain, make its DKIM keys and print the DNS records to publish.
    Add {
        /// The domain.
        domain: String,
    },
    /// List domains with their DNS records.
    List,
    /// Remove a domain with its users and aliases (mailboxes stay on disk).
    Del {
        /// The domain.
        domain: String,
    },
}

/// Queue commands (they ask the running server through its admin API).
#[derive(Debug, Subcommand)]
pub enum QueueCommand {
    /// List queued messages.
    List,
    /// Try a message (or every message with --all) again now.
    Retry {
        /// The queue id.
        id: Option<String>,
        /// Every message.
        #[arg(long)]
        all: bool,
    },
    /// Delete a message from the queue without a bounce.
    Delete {
        /// The queue id.
        id: String,
    },
}

/// Loads the configuration the options name.
///
/// # Errors
/// The configuration's message.
pub fn load_config(cli: &Cli) -> Result<Config, String> {
    match &cli.config {
        Some(path) => Config::load(path, cli.data.clone()).map_err(|e| e.to_string()),
        None => Ok(Config::embedded(
            cli.data.clone().unwrap_or_else(|| PathBuf::from("data")),
        )),
    }
}

fn read_password(source: &PasswordSource) -> Result<(String, bool), String> {
    if !source.password_stdin {
        return Ok((password::generate(), true));
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password: {e}"))?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        return Err("the password on standard input is empty".into());
    }
    Ok((password, false))
}

/// Runs a user, alias or domain command against the data folder.
///
/// # Errors
/// A message for standard error.
pub fn run_offline(config: &Config, command: Command) -> Result<(), String> {
    let data = DataDir::open(&config.data_dir)
        .map_err(|e| format!("{}: {e}", config.data_dir.display()))?;
    let directory = Directory::open(&data.users_db()).map_err(|e| e.to_string())?;
    let store = provision::store(config, &data);
    if !config.demo {
        provision::ensure_domains(config, &data, &directory).map_err(|e| e.to_string())?;
    }
    match command {
        Command::Serve | Command::Queue(_) => Err("not an offline command".into()),
        Command::User(UserCommand::Add {
            address,
            password,
            quota,
        }) => {
            let quota = quota
                .map(|q| crate::config::parse_size(&q).map_err(|e| format!("--quota: {e}")))
                .transpose()?;
            let (password, generated) = read_password(&password)?;
            let user = provision::add_user(&directory, &store, &address, &password, quota)
                .map_err(|e| e.to_string())?;
            if generated {
                println!("{} {password}", user.address);
            } else {
                println!("{}", user.address);
            }
            Ok(())
        }
        Command::User(UserCommand::Del { address }) => {
            directory.remove_user(&address).map_err(|e| e.to_string())
        }
        Command::User(UserCommand::Passwd { address, password }) => {
            let (password, generated) = read_password(&password)?;
            directory
                .set_password(&address, &password)
                .map_err(|e| e.to_string())?;
            if generated {
                println!("{password}");
            }
            Ok(())
        }
        Command::User(UserCommand::List { domain }) => {
            for user in directory
                .users(domain.as_deref())
                .map_err(|e| e.to_string())?
            {
                println!("{}", user.address);
            }
            Ok(())
        }
        Command::Alias(AliasCommand::Add { source, target }) => directory
            .add_alias(&source, &target)
            .map(|_| ())
            .map_err(|e| e.to_string()),
        Command::Alias(AliasCommand::Del { source, target }) => directory
            .remove_alias(&source, target.as_deref())
            .map_err(|e| e.to_string()),
        Command::Alias(AliasCommand::List) => {
            for alias in directory.aliases().map_err(|e| e.to_string())? {
                println!("{} {}", alias.source, alias.target);
            }
            Ok(())
        }
        Command::Domain(DomainCommand::Add { domain }) => {
            let records = provision::add_domain(config, &data, &directory, &domain)
                .map_err(|e| e.to_string())?;
            println!("; DNS records to publish for {domain}:");
            for record in records {
                println!("{record}");
            }
            Ok(())
        }
        Command::Domain(DomainCommand::List) => {
            for domain in directory.domains().map_err(|e| e.to_string())? {
                println!("{}", domain.name);
                let keys = dkim_keys::load(&data.dkim(), &domain.name, &config.dkim.algorithms)
                    .map_err(|e| e.to_string())?;
                for record in dkim_keys::dns_records(&config.hostname, &domain.name, &keys) {
                    println!("    {record}");
                }
            }
            Ok(())
        }
        Command::Domain(DomainCommand::Del { domain }) => {
            directory.remove_domain(&domain).map_err(|e| e.to_string())
        }
    }
}
