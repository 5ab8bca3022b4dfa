//! A diagnosis fix spelled as the command-line flags that grant it: the
//! engine says what to grant, the app says how its command line writes it,
//! beside the flags themselves (`flags.rs`), so that the two cannot drift.

use runtime_worker::doctor::Fix;

/// The flags that grant what `fix` grants, as `wasmscope run` reads them
/// (`--dir-readonly FOLDER::/data`). A fix that changes a flag already given
/// says which one it replaces, in parentheses.
pub fn fix_flags(fix: &Fix) -> String {
    match fix {
        Fix::Mount { host, guest, read_only } => {
            let flag = if *read_only { "--dir-readonly" } else { "--dir" };
            let host = host.as_ref().map_or("FOLDER".to_string(), |h| h.display().to_string());
            format!("{flag} {host}::{guest}")
        }
        Fix::MakeWritable { guest } => format!("--dir HOST::{guest} (instead of --dir-readonly)"),
        Fix::RemountAs { guest, new_guest } => format!("--dir HOST::{new_guest} (instead of HOST::{guest})"),
        Fix::GrantEnv { name, value } if value.is_empty() => format!("--env {name}"),
        Fix::GrantEnv { name, value } => format!("--env {name}={value}"),
        Fix::AllowClocks => "--clock real".to_string(),
        Fix::EnableNetwork => "--inherit-network".to_string(),
        Fix::AllowAddress { addr } => format!("--allow-net {addr}"),
        Fix::AllowDns { network_on: false } => "--allow-ip-name-lookup".to_string(),
        Fix::AllowDns { network_on: true } => "--allow-ip-name-lookup --allow-net localhost:*".to_string(),
        Fix::RaiseMemory { bytes } => format!("--max-memory {}M", bytes >> 20),
        Fix::RaiseFuel { fuel } => format!("--fuel {fuel}"),
        Fix::RaiseTimeout { seconds } => format!("--timeout {seconds}"),
        // The part's other flags stay as they are (`…`).
        Fix::InPart { part, fix } => format!("--part '{part}=… {}'", fix_flags(fix)),
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use clap::Parser;
    use runtime_worker::{NetworkPolicy, SandboxProfile};

    use super::*;
    use crate::sandbox_flags::flags::SandboxFlags;

    /// The sandbox flags alone, parsed by clap as `wasmscope run` parses them.
    #[derive(Parser)]
    struct Command {
        #[command(flatten)]
        sandbox: SandboxFlags,
    }

    /// The profile a command line of sandbox flags describes.
    fn parse(words: &str) -> SandboxProfile {
        let argv = std::iter::once("wasmscope").chain(words.split_whitespace());
        let command = Command::try_parse_from(argv).unwrap_or_else(|e| panic!("`{words}` does not parse: {e}"));
        command.sandbox.to_profile(&[], None).unwrap_or_else(|e| panic!("`{words}` is not a profile: {e}"))
    }

    /// The flags a fix gives, without the note on which flag they replace.
    fn flags_of(fix: &Fix) -> String {
        let text = fix_flags(fix);
        match text.split_once(" (instead of ") {
            Some((flags, _)) => flags.to_string(),
            None => text,
        }
    }

    /// Loopback as the flags write it (`--allow-net localhost:*`) and as a
    /// fix sets it (`NetworkPolicy::Loopback`) grant the same addresses.
    fn as_granted(network: NetworkPolicy) -> NetworkPolicy {
        match network {
            NetworkPolicy::AllowList(list) if list == ["localhost:*"] => NetworkPolicy::Loopback,
            other => other,
        }
    }

    struct Case {
        /// The flags of the profile the fix is for; the fix's own flags
        /// replace them.
        before: &'static str,
        fix: Fix,
        spelled: &'static str,
    }

    /// Every kind of fix (`fix_flags` matches on each), as a person reads it.
    fn every_kind_of_fix() -> Vec<Case> {
        let case = |before, fix, spelled| Case { before, fix, spelled };
        let data = || Some(PathBuf::from("/srv/data"));
        vec![
            case(
                "",
                Fix::Mount { host: data(), guest: "/data".into(), read_only: true },
                "--dir-readonly /srv/data::/data",
            ),
            case("", Fix::Mount { host: data(), guest: "/out".into(), read_only: false }, "--dir /srv/data::/out"),
            case("", Fix::Mount { host: None, guest: ".".into(), read_only: true }, "--dir-readonly FOLDER::."),
            case(
                "--dir-readonly HOST::/out",
                Fix::MakeWritable { guest: "/out".into() },
                "--dir HOST::/out (instead of --dir-readonly)",
            ),
            case(
                "--dir HOST::/data",
                Fix::RemountAs { guest: "/data".into(), new_guest: ".".into() },
                "--dir HOST::. (instead of HOST::/data)",
            ),
            case("", Fix::GrantEnv { name: "GREETING".into(), value: "hi".into() }, "--env GREETING=hi"),
            case(
                "",
                Fix::GrantEnv { name: "WASMSCOPE_FIX_FLAGS_TEST".into(), value: String::new() },
                "--env WASMSCOPE_FIX_FLAGS_TEST",
            ),
            case("--clock deny", Fix::AllowClocks, "--clock real"),
            case("", Fix::EnableNetwork, "--inherit-network"),
            case("", Fix::AllowAddress { addr: "127.0.0.1:8080".into() }, "--allow-net 127.0.0.1:8080"),
            case("", Fix::AllowDns { network_on: false }, "--allow-ip-name-lookup"),
            case("", Fix::AllowDns { network_on: true }, "--allow-ip-name-lookup --allow-net localhost:*"),
            case("", Fix::RaiseMemory { bytes: 64 << 20 }, "--max-memory 64M"),
            case("", Fix::RaiseFuel { fuel: 5_000_000 }, "--fuel 5000000"),
            case("", Fix::RaiseTimeout { seconds: 30 }, "--timeout 30"),
        ]
    }

    #[test]
    fn a_grant_to_one_part_is_spelled_inside_its_part_flag() {
        let fix = Fix::InPart {
            part: "database-connector".into(),
            fix: Box::new(Fix::Mount { host: Some("/srv/data".into()), guest: "/data".into(), read_only: true }),
        };
        assert_eq!(fix_flags(&fix), "--part 'database-connector=… --dir-readonly /srv/data::/data'");
    }

    #[test]
    fn each_fix_is_spelled_as_a_person_types_it() {
        for Case { fix, spelled, .. } in every_kind_of_fix() {
            assert_eq!(fix_flags(&fix), spelled, "{fix:?}");
        }
    }

    #[test]
    fn each_fix_spelled_as_flags_grants_what_the_fix_grants() {
        // A variable granted without a value is the host's: give it one.
        // SAFETY: test-only variable, set before it is read.
        unsafe { std::env::set_var("WASMSCOPE_FIX_FLAGS_TEST", "from-host") };
        for Case { before, fix, .. } in every_kind_of_fix() {
            let mut expected = parse(before);
            match &fix {
                // The person picks the folder; the flags call it FOLDER.
                Fix::Mount { host: None, .. } => fix.apply_with_folder(&mut expected, PathBuf::from("FOLDER")),
                Fix::GrantEnv { name, value } if value.is_empty() => {
                    expected.env.vars.push((name.clone(), "from-host".into()))
                }
                _ => fix.apply(&mut expected).unwrap_or_else(|e| panic!("{fix:?} needs a folder: {e:?}")),
            }
            let flags = flags_of(&fix);
            let mut granted = parse(&flags);
            granted.network = as_granted(granted.network);
            assert_eq!(granted, expected, "{fix:?} as `{flags}`");
        }
    }
}
