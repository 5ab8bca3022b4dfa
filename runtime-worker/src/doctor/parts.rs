//! Findings in a composed component run part by part, where a part was given
//! capabilities of its own (`PartProfile`, `--part`): what the run grants,
//! that part may still lack. A finding whose grant the run already has is
//! about such a part; it is said of that part, and its fix grants it there
//! (`Fix::InPart`), not to the run, where it would change nothing.

use super::evidence::Evidence;
use super::finding::{Finding, Fix};
use crate::boundary::profile::{Mount, PartProfile, SandboxProfile};

/// The findings, each about the part it happened in where that part's own
/// capabilities are what is missing.
pub(super) fn in_parts(findings: Vec<Finding>, evidence: &Evidence, profile: &SandboxProfile) -> Vec<Finding> {
    if profile.parts.is_empty() {
        return findings;
    }
    findings.into_iter().map(|finding| in_part(finding, evidence, profile)).collect()
}

fn in_part(finding: Finding, evidence: &Evidence, profile: &SandboxProfile) -> Finding {
    let Some(fix) = finding.fix.as_ref().and_then(|fix| granted_by_run(fix, profile)) else { return finding };
    let lacking: Vec<&PartProfile> = profile.parts.iter().filter(|part| changes(&fix, &part.profile)).collect();
    let part = match lacking.as_slice() {
        [one] => *one,
        // Several parts lack it: the one the evidence points at.
        several => {
            let clue = clue_of(&fix);
            let implicated: Vec<&&PartProfile> = several
                .iter()
                .filter(|part| {
                    evidence.denied_parts.iter().any(|label| part.names(label))
                        || evidence.crossings.iter().any(|(callee, result)| {
                            part.names(callee) && clue.as_deref().is_some_and(|clue| result.contains(clue))
                        })
                })
                .collect();
            match implicated.as_slice() {
                [one] => **one,
                _ => return finding,
            }
        }
    };
    let mut headline = finding.headline.chars();
    let first = headline.next().map(|c| c.to_lowercase().to_string()).unwrap_or_default();
    Finding {
        headline: format!("In the part `{}`, {first}{}", part.part, headline.as_str()),
        detail: format!(
            "{} The run has that grant, but this part was given capabilities of its own (`--part`) without it.",
            finding.detail
        ),
        fix: Some(Fix::InPart { part: part.part.clone(), fix: Box::new(fix) }),
        ..finding
    }
}

/// `fix` as the run already grants it, or `None` when the run does not
/// (then the fix is the run's). A folder the person would have to pick is
/// the run's mount that covers it.
fn granted_by_run(fix: &Fix, profile: &SandboxProfile) -> Option<Fix> {
    let concrete = match fix {
        Fix::Mount { host: None, guest, .. } => {
            let mount = profile.mounts.iter().find(|m| covers(&m.guest, guest))?;
            let Mount { host, guest, read_only } = mount.clone();
            Fix::Mount { host: Some(host), guest, read_only }
        }
        Fix::InPart { .. } => return None,
        other => other.clone(),
    };
    let run = SandboxProfile { parts: Vec::new(), ..profile.clone() };
    (!changes(&concrete, &run)).then_some(concrete)
}

/// Whether `fix` would change `profile` (that is, grants it something).
fn changes(fix: &Fix, profile: &SandboxProfile) -> bool {
    let mut changed = profile.clone();
    match fix {
        // A mount already there, however ordered, is granted.
        Fix::Mount { host: Some(host), guest, read_only } => {
            !profile.mounts.iter().any(|m| m.host == *host && m.guest == *guest && m.read_only == *read_only)
        }
        _ => fix.apply(&mut changed).is_err() || changed != *profile,
    }
}

/// What would show in a part's results if the error came from it: the
/// folder's guest path, the variable's name.
fn clue_of(fix: &Fix) -> Option<String> {
    match fix {
        Fix::Mount { guest, .. } => Some(guest.clone()),
        Fix::GrantEnv { name, .. } => Some(name.clone()),
        Fix::AllowAddress { addr } => Some(addr.clone()),
        _ => None,
    }
}

fn covers(mount: &str, path: &str) -> bool {
    let mount = mount.trim_end_matches('/');
    mount.is_empty() || path == mount || path.starts_with(&format!("{mount}/"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wasi::capability::Capability;

    fn missing_folder() -> Finding {
        Finding {
            capability: Some(Capability::Files),
            headline: "The program asked for `/data/users.csv`, and no folder it was given covers that path.".into(),
            detail: "No folder was granted.".into(),
            fix: Some(Fix::Mount { host: None, guest: "/data".into(), read_only: true }),
        }
    }

    fn run_with_parts(parts: &[(&str, SandboxProfile)]) -> SandboxProfile {
        SandboxProfile {
            mounts: vec![Mount::read_only("/srv/data", "/data")],
            parts: parts
                .iter()
                .map(|(part, profile)| PartProfile { part: part.to_string(), profile: profile.clone() })
                .collect(),
            ..SandboxProfile::default()
        }
    }

    #[test]
    fn a_folder_the_run_grants_is_granted_to_the_part_that_lacks_it() {
        let with_data = SandboxProfile { mounts: vec![Mount::read_only("/srv/data", "/data")], ..Default::default() };
        let profile = run_with_parts(&[("database-connector", SandboxProfile::default()), ("command", with_data)]);
        let found = in_parts(vec![missing_folder()], &Evidence::default(), &profile);
        let fix = Fix::InPart {
            part: "database-connector".into(),
            fix: Box::new(Fix::Mount { host: Some("/srv/data".into()), guest: "/data".into(), read_only: true }),
        };
        assert_eq!(found[0].fix, Some(fix.clone()));
        assert_eq!(
            found[0].headline,
            "In the part `database-connector`, the program asked for `/data/users.csv`, and no folder it was \
             given covers that path."
        );
        let mut fixed = profile.clone();
        fix.apply(&mut fixed).unwrap();
        assert_eq!(fixed.parts[0].profile.mounts, profile.mounts, "the part gets the run's mount");
        assert_eq!(fixed.mounts, profile.mounts, "the run is unchanged");
    }

    #[test]
    fn with_several_parts_lacking_it_the_evidence_names_the_one() {
        let profile = run_with_parts(&[("#0", SandboxProfile::default()), ("#1", SandboxProfile::default())]);
        let mut evidence = Evidence::default();
        evidence.crossings.push((
            "#0 database-connector".into(),
            r#"[{id: 0, payload: "error: cannot open /data/users.csv"}]"#.into(),
        ));
        let found = in_parts(vec![missing_folder()], &evidence, &profile);
        assert!(matches!(&found[0].fix, Some(Fix::InPart { part, .. }) if part == "#0"), "{:?}", found[0].fix);

        // Nothing tells them apart: the finding stays the run's.
        let found = in_parts(vec![missing_folder()], &Evidence::default(), &profile);
        assert_eq!(found[0], missing_folder());
    }

    #[test]
    fn what_the_run_lacks_is_the_runs_to_grant() {
        let profile = SandboxProfile {
            parts: vec![PartProfile { part: "command".into(), profile: SandboxProfile::default() }],
            ..SandboxProfile::default()
        };
        assert_eq!(in_parts(vec![missing_folder()], &Evidence::default(), &profile), vec![missing_folder()]);
    }
}
