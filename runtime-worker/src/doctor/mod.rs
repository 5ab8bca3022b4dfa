//! "Why did it fail?": a finished run's denials and guest-side failures as
//! plain sentences — what the guest asked for, which capability was missing,
//! and the exact change to the profile that grants it.
//!
//! Two kinds of failure are read. Denials reached the host and are in the
//! trace. Others never reach it: wasi-libc and Rust's standard library match
//! every path against the directories they saw preopened at start-up
//! (`fd_prestat_get` / `fd_prestat_dir_name`) and give up inside the guest
//! when none covers it ("failed to find a pre-opened file descriptor…",
//! `ENOTCAPABLE` in older wasi-libc); Go resolves relative paths from `/`.
//! Those are recognised from the preopens the guest saw, its output, and the
//! paths it did (or did not) pass to the host.
//!
//! A run's events are gathered into `Evidence` as they pass; `diagnose`
//! reads it with the profile the run had.

mod case;
mod denials;
mod evidence;
mod finding;
mod guest_side;
mod parts;

use crate::boundary::event::{RunOutcome, TrapKind};
use crate::boundary::profile::SandboxProfile;

pub use evidence::Evidence;
pub use finding::{Finding, Fix, NeedsFolder};

use case::Case;

/// The findings for a finished run: its denials, failures inside the guest,
/// and limits it ran into, each once, with the least grant that lifts it.
/// `language`: the module's source language (from its `producers` section).
pub fn diagnose(evidence: &Evidence, profile: &SandboxProfile, language: Option<&str>) -> Vec<Finding> {
    let case = Case::new(evidence, profile, language);
    let mut findings: Vec<Finding> = Vec::new();
    let core_denials = evidence.denied_calls.iter().filter_map(|call| denials::from_call(&case, call));
    let all = denials::from_host_calls(&evidence.denied_host_calls)
        .into_iter()
        .chain(core_denials)
        .chain(guest_side::findings(&case))
        .chain(limits(evidence, profile));
    for finding in all {
        if !findings.iter().any(|f| f.headline == finding.headline) {
            findings.push(finding);
        }
    }
    parts::in_parts(findings, evidence, profile)
}

fn limits(evidence: &Evidence, profile: &SandboxProfile) -> Vec<Finding> {
    let mut findings = Vec::new();
    if let Some((requested, cap)) = evidence.memory_refused {
        let bytes = (requested.max(cap) * 4).next_power_of_two().min(4 << 30);
        findings.push(Finding {
            capability: None,
            headline: format!(
                "The program asked to grow its memory to {}, more than the {} cap allows.",
                mebibytes(requested),
                mebibytes(cap)
            ),
            detail: "memory.grow failed, as the guest's allocator saw it: malloc returns nothing and most programs \
                     stop there."
                .to_string(),
            fix: Some(Fix::RaiseMemory { bytes }),
        });
    }
    match &evidence.outcome {
        Some(RunOutcome::Trapped(trap)) if trap.kind == TrapKind::OutOfFuel => {
            let fuel = profile.limits.fuel.unwrap_or(1_000_000).saturating_mul(10);
            findings.push(Finding {
                capability: None,
                headline: "The program used up its fuel before it finished.".to_string(),
                detail: "Fuel counts instructions; the run ends when it reaches zero.".to_string(),
                fix: Some(Fix::RaiseFuel { fuel }),
            });
        }
        Some(RunOutcome::TimedOut) => {
            let seconds = profile.limits.timeout.map_or(10, |t| t.as_secs().max(1) * 4);
            findings.push(Finding {
                capability: None,
                headline: "The program was still running when its time ran out.".to_string(),
                detail: "The wall-clock timeout ends the run wherever the guest is. If it loops forever, more time \
                         will not help."
                    .to_string(),
                fix: Some(Fix::RaiseTimeout { seconds }),
            });
        }
        _ => {}
    }
    findings
}

/// `16 MiB`, `16.06 MiB`: whole mebibytes when exact, else two decimals.
fn mebibytes(bytes: u64) -> String {
    if bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{:.2} MiB", bytes as f64 / f64::from(1 << 20))
    }
}
