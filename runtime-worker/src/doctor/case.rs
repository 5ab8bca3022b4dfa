//! One diagnosis in progress: the evidence, with the profile the run had
//! and the guest's language, and its output as text once.

use crate::boundary::event::Stream;
use crate::boundary::profile::SandboxProfile;

use super::evidence::Evidence;

pub(super) struct Case<'a> {
    pub evidence: &'a Evidence,
    pub profile: &'a SandboxProfile,
    /// The source language, from the module's `producers` section: it tells
    /// how the guest resolves paths.
    pub language: Option<&'a str>,
    /// Both output streams' ends, stdout first.
    pub output: String,
}

impl<'a> Case<'a> {
    pub fn new(evidence: &'a Evidence, profile: &'a SandboxProfile, language: Option<&'a str>) -> Case<'a> {
        let output = format!("{}\n{}", evidence.output_tail(Stream::Stdout), evidence.output_tail(Stream::Stderr));
        Case { evidence, profile, language, output }
    }
}
