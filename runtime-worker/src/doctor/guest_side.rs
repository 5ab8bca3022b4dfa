//! Failures that never reached the host. wasi-libc and Rust's standard
//! library match every path against the directories they saw preopened at
//! start-up (`fd_prestat_get` / `fd_prestat_dir_name`) and give up inside the
//! guest when none covers it ("failed to find a pre-opened file
//! descriptor…", `ENOTCAPABLE` in older wasi-libc); Go resolves relative
//! paths from `/`. Those are recognised from the preopens the guest saw, its
//! output, and the paths it did (or did not) pass to the host.

use std::path::{Path, PathBuf};

use super::case::Case;
use super::finding::{Finding, Fix};
use crate::wasi::capability::Capability;

/// Failures that never reached the host.
pub(super) fn findings(case: &Case<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    let output = &case.output;

    // Rust's standard library (and newer wasi-libc) when no preopen matches.
    for path in quoted_after(output, "failed to find a pre-opened file descriptor through which ") {
        findings.push(no_preopen_for(case, &path, "Rust's standard library"));
    }

    // Go resolves relative paths from "/".
    if case.language.is_some_and(|l| l.starts_with("Go")) {
        for path in go_open_failures(output) {
            if !path.starts_with('/') && !case.evidence.preopens_seen.iter().any(|p| p == "/") {
                let (fix, where_now) = match case.profile.mounts.first() {
                    Some(mount) => (
                        Fix::RemountAs { guest: mount.guest.clone(), new_guest: "/".into() },
                        format!("The folder is mounted at `{}`: mount it at `/` instead.", mount.guest),
                    ),
                    None => (
                        Fix::Mount { host: None, guest: "/".into(), read_only: true },
                        "Nothing is mounted: grant the folder that holds it at `/`.".to_string(),
                    ),
                };
                findings.push(Finding {
                    capability: Some(Capability::Files),
                    headline: format!("Go looked for `{path}` at `/{path}`, and nothing is mounted at `/`."),
                    detail: format!(
                        "Go resolves a relative path against its working directory, which under WASI is `/`, so \
                         `{path}` means `/{path}` — unlike Rust or C, which look for a directory preopened as `.`. \
                         {where_now}"
                    ),
                    fix: Some(fix),
                });
            }
        }
    }

    // wasi-libc refusing a path inside the guest ("Capabilities insufficient"
    // from older wasi-libc; "No such file or directory" from newer ones), for
    // paths that never reached the host.
    for (path, message) in libc_path_failures(output) {
        let covered = case.evidence.preopens_seen.iter().any(|p| covers(p, &path));
        let reached_host = case.evidence.host_paths.iter().any(|h| path.ends_with(h.trim_start_matches("./")));
        if covered || reached_host {
            continue;
        }
        findings.push(no_preopen_for(case, &path, &format!("wasi-libc (\"{message}\")")));
    }

    // A variable the program says is missing, while others are granted.
    if !case.profile.env.is_empty() {
        for name in wanted_variables(case) {
            if !case.profile.env.vars.iter().any(|(n, _)| *n == name) && !case.profile.env.inherit_host {
                findings.push(Finding {
                    capability: Some(Capability::EnvArgs),
                    headline: format!("The program looked for {name}, which is not among the variables granted."),
                    detail: "Only the listed variables reach the guest; the host's others stay on the host.".into(),
                    fix: Some(Fix::grant_env(&name)),
                });
            }
        }
    }
    findings
}

/// A path no preopen covered, refused inside the guest by `who`.
fn no_preopen_for(case: &Case<'_>, path: &str, who: &str) -> Finding {
    let seen = if case.evidence.preopens_seen.is_empty() {
        "No folder was granted".to_string()
    } else {
        format!(
            "The guest was given {}",
            case.evidence.preopens_seen.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ")
        )
    };
    let (headline, fix) = if path.starts_with('/') {
        let dir = parent(path);
        let host = PathBuf::from(&dir);
        (
            format!("The program asked for `{path}`, and no folder it was given covers that path."),
            Fix::Mount { host: host.is_dir().then_some(host), guest: dir, read_only: true },
        )
    } else if let Some(mount) = case.profile.mounts.first().filter(|m| m.guest != ".") {
        (
            format!("The program opened `{path}` relative to `.`, but its folder is mounted at `{}`.", mount.guest),
            Fix::RemountAs { guest: mount.guest.clone(), new_guest: ".".into() },
        )
    } else {
        (
            format!("The program looked for a folder through which to open `{path}` and found none."),
            Fix::Mount { host: None, guest: ".".into(), read_only: true },
        )
    };
    Finding {
        capability: Some(Capability::Files),
        headline,
        detail: format!(
            "{seen}. {who} matches each path against the directories preopened at start-up and gives up inside the \
             guest when none covers it, so the host never saw a path_open for `{path}`. A relative path resolves \
             only through a directory preopened as `.`."
        ),
        fix: Some(fix),
    }
}

/// Variable names the program's output says are missing:
/// "GREETING is not set", "environment variable not found: HOME", …
pub(super) fn wanted_variables(case: &Case<'_>) -> Vec<String> {
    let output = &case.output;
    let mut names = Vec::new();
    for line in output.lines() {
        let words: Vec<&str> = line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).collect();
        for (i, word) in words.iter().enumerate() {
            let is_name = word.len() >= 2
                && word.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                && word.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
            let said_missing = line.contains("not set") || line.contains("not found") || line.contains("missing");
            if is_name && said_missing && !names.iter().any(|n| n == word) && i < words.len() {
                names.push(word.to_string());
            }
        }
    }
    names
}

/// The quoted texts following `prefix`: `"x"`, or `\"x\"` as a Rust panic
/// message prints a quoted string inside a `Debug` of the error.
fn quoted_after(text: &str, prefix: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(prefix) {
        rest = &rest[at + prefix.len()..];
        let (opening, closing) = if rest.starts_with("\\\"") { ("\\\"", "\\\"") } else { ("\"", "\"") };
        let Some(inner) = rest.strip_prefix(opening) else { continue };
        if let Some(end) = inner.find(closing) {
            let path = inner[..end].to_string();
            if !found.contains(&path) {
                found.push(path);
            }
        }
    }
    found
}

/// Paths in Go's "open PATH: …" errors.
fn go_open_failures(text: &str) -> Vec<String> {
    let mut paths = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.trim().strip_prefix("open ")
            && let Some((path, _)) = rest.split_once(": ")
            && !paths.iter().any(|p| p == path)
        {
            paths.push(path.to_string());
        }
    }
    paths
}

/// "PATH: Capabilities insufficient" and "PATH: No such file or directory"
/// in a program's output, for absolute paths.
fn libc_path_failures(text: &str) -> Vec<(String, &'static str)> {
    let mut failures = Vec::new();
    for message in ["Capabilities insufficient", "No such file or directory"] {
        for line in text.lines() {
            let Some(before) = line.split(&format!(": {message}")).next().filter(|_| line.contains(message)) else {
                continue;
            };
            let Some(path) = before.split_whitespace().last().filter(|p| p.starts_with('/')) else { continue };
            if !failures.iter().any(|(p, _)| p == path) {
                failures.push((path.to_string(), message));
            }
        }
    }
    failures
}

fn covers(preopen: &str, path: &str) -> bool {
    let preopen = preopen.trim_end_matches('/');
    preopen.is_empty() || path == preopen || path.starts_with(&format!("{preopen}/"))
}

pub(super) fn parent(path: &str) -> String {
    match Path::new(path).parent().map(|p| p.display().to_string()) {
        Some(dir) if !dir.is_empty() => dir,
        _ => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_is_read_for_what_the_guest_wanted() {
        assert_eq!(quoted_after("through which \"hello.txt\" could be opened", "through which "), ["hello.txt"]);
        assert_eq!(quoted_after(r#"error: "through which \"a b.txt\" could", "#, "through which "), ["a b.txt"]);
        assert_eq!(go_open_failures("open hello.txt: Bad file number\n"), ["hello.txt"]);
        assert_eq!(
            libc_path_failures("blocked /etc/passwd: Capabilities insufficient\n"),
            [("/etc/passwd".to_string(), "Capabilities insufficient")]
        );
        assert!(covers("/data", "/data/x") && covers("/", "/x") && !covers("/data", "/database"));
    }
}
