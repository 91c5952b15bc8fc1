//! The `server` command line: no arguments serves Flow; `server user create …` adds a
//! dashboard user (how a tenant's first admin is made); `server webhooks reprocess` applies
//! stored webhook events that could not be applied.

use crate::auth::Role;

/// How to use the command line.
pub const USAGE: &str = "usage:
  server                      serve Flow (configuration from the environment)
  server user create --tenant-id N --email E [--password P] --role admin|viewer
                              add a dashboard user; without --password it is read from
                              FLOW_USER_PASSWORD (keeps it out of the process list)
  server webhooks reprocess   apply now every stored webhook event that could not be applied
                              (the server also retries them by itself)";

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    /// Serve Flow.
    Serve,
    /// Create a dashboard user.
    CreateUser {
        /// The user's tenant.
        tenant_id: i64,
        /// Login email.
        email: String,
        /// Password, if given on the command line.
        password: Option<String>,
        /// Role.
        role: Role,
    },
    /// Apply every unprocessed webhook event now.
    ReprocessWebhooks,
}

/// Reads the arguments after the program name.
pub fn parse(args: &[String]) -> Result<Command, String> {
    match args {
        [] => Ok(Command::Serve),
        [a, b, rest @ ..] if a == "user" && b == "create" => parse_create_user(rest),
        [a, b] if a == "webhooks" && b == "reprocess" => Ok(Command::ReprocessWebhooks),
        _ => Err(USAGE.to_string()),
    }
}

fn parse_create_user(args: &[String]) -> Result<Command, String> {
    let (mut tenant_id, mut email, mut password, mut role) = (None, None, None, None);
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        match flag.as_str() {
            "--tenant-id" => {
                tenant_id = Some(
                    value
                        .parse::<i64>()
                        .map_err(|_| format!("--tenant-id must be a number, not {value:?}"))?,
                )
            }
            "--email" => email = Some(value.clone()),
            "--password" => password = Some(value.clone()),
            "--role" => {
                role = Some(
                    Role::parse(value)
                        .ok_or_else(|| format!("--role must be admin or viewer, not {value:?}"))?,
                )
            }
            other => return Err(format!("unknown option {other}\n{USAGE}")),
        }
    }
    Ok(Command::CreateUser {
        tenant_id: tenant_id.ok_or_else(|| format!("--tenant-id is required\n{USAGE}"))?,
        email: email.ok_or_else(|| format!("--email is required\n{USAGE}"))?,
        password,
        role: role.ok_or_else(|| format!("--role is required\n{USAGE}"))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn no_arguments_serve() {
        assert_eq!(parse(&[]), Ok(Command::Serve));
    }

    #[test]
    fn user_create_reads_every_flag() {
        let cmd = parse(&args(
            "user create --tenant-id 3 --email a@b.c --password secret123 --role viewer",
        ))
        .unwrap();
        assert_eq!(
            cmd,
            Command::CreateUser {
                tenant_id: 3,
                email: "a@b.c".into(),
                password: Some("secret123".into()),
                role: Role::Viewer,
            }
        );
    }

    #[test]
    fn bad_input_is_explained() {
        assert!(parse(&args("user create --tenant-id x")).is_err());
        assert!(parse(&args("user create --tenant-id 1 --email a@b --role boss")).is_err());
        assert!(parse(&args("frobnicate")).is_err());
        assert!(parse(&args("webhooks reprocess now")).is_err());
    }

    #[test]
    fn webhooks_reprocess() {
        assert_eq!(
            parse(&args("webhooks reprocess")),
            Ok(Command::ReprocessWebhooks)
        );
    }
}
