//! Why a component could not be linked, in a sentence that names the
//! interface, instead of wasmtime's linker text.
//!
//! wasmtime reports only the first import it could not satisfy, as
//! ``component imports instance `wasi:cli/environment@0.4.0`, but a matching
//! implementation was not found in the linker: instance export
//! `get-arguments` has the wrong type: function implementation is missing``.
//! What the user needs to know is one of three things: the component wants an
//! interface no host here has (`example:db/connector`), a WASI interface at a
//! release wasmtime 48 does not implement (`@0.4.0`), or a WASI interface at a
//! release we have but with a function or type that release does not define
//! (a draft, or a newer revision built with other bindings).

use wasmtime::component::Component;

/// The packages the component linker provides, each at the WASI releases it
/// implements (`run::component`'s linker: wasmtime-wasi's p2 and p3 hosts and
/// wasmtime-wasi-http's 0.2 and 0.3). A 0.x import links with any release of
/// the same minor version (wasmtime matches versions by semver).
const PROVIDED: [&str; 7] =
    ["wasi:cli", "wasi:clocks", "wasi:filesystem", "wasi:io", "wasi:random", "wasi:sockets", "wasi:http"];
const RELEASES: [&str; 2] = ["0.2", "0.3"];

/// Explains why `component` does not link, given the linker's `error`.
pub(crate) fn explain(component: &Component, engine: &wasmtime::Engine, error: &wasmtime::Error) -> String {
    let imports: Vec<String> = component.component_type().imports(engine).map(|(name, _)| name.to_string()).collect();
    explain_names(&imports, &format!("{error:#}"))
}

pub(crate) fn explain_names(imports: &[String], linker_text: &str) -> String {
    let unknown: Vec<&String> = imports.iter().filter(|name| package_of(name).is_none()).collect();
    if !unknown.is_empty() {
        return format!(
            "the component imports {}, which Wasmscope does not provide: it links the WASI 0.2 and 0.3 \
             interfaces wasi:cli, clocks, filesystem, io, random, sockets and http only",
            quoted(&unknown)
        );
    }
    let other_release: Vec<&String> =
        imports.iter().filter(|name| version_of(name).is_some_and(|v| release_of(v).is_none())).collect();
    if !other_release.is_empty() {
        let candidates = if other_release.iter().any(|name| name.contains('-')) {
            " (release candidates are not linked: rebuild against the final release)"
        } else {
            ""
        };
        return format!(
            "the component imports {}: Wasmscope (wasmtime 48) implements these interfaces for WASI 0.2 \
             and 0.3 only, so it was built for a WASI release this host does not have{candidates}",
            quoted(&other_release)
        );
    }
    // A release we implement, but the import's contents differ from it.
    if let Some((interface, function, why)) = wrong_member(linker_text) {
        let release = version_of(&interface).and_then(release_of).unwrap_or("this release");
        return if why.contains("implementation is missing") {
            format!(
                "the component imports `{function}` from `{interface}`, but WASI {release} as wasmtime 48 \
                 implements it has no such function: the component was built against another revision \
                 (a draft) of that interface"
            )
        } else {
            format!(
                "the component imports `{function}` from `{interface}` with a different type than WASI \
                 {release} gives it ({why}): the component was built against another revision (a draft) \
                 of that interface"
            )
        };
    }
    linker_text.to_string()
}

/// `wasi:cli` of `wasi:cli/environment@0.2.0`, when it is a package we provide.
fn package_of(import: &str) -> Option<&'static str> {
    let package = import.split('/').next()?;
    PROVIDED.iter().copied().find(|p| *p == package)
}

/// `0.2.0` of `wasi:cli/environment@0.2.0`.
fn version_of(import: &str) -> Option<&str> {
    import.split_once('@').map(|(_, version)| version)
}

/// The release of ours that `version` links with (`0.2` for `0.2.3`), if any.
fn release_of(version: &str) -> Option<&'static str> {
    // A pre-release (`0.3.0-rc-2025-09-16`) matches only itself, and the
    // hosts here implement final releases.
    if version.contains('-') {
        return None;
    }
    let mut parts = version.split('.');
    let major_minor = format!("{}.{}", parts.next()?, parts.next()?);
    RELEASES.iter().copied().find(|r| *r == major_minor)
}

/// From wasmtime's text: the interface, the member whose type did not match,
/// and wasmtime's reason.
fn wrong_member(text: &str) -> Option<(String, String, String)> {
    let interface = between(text, "component imports instance `", "`")?;
    let rest = text.split_once("instance export `")?.1;
    let (member, rest) = rest.split_once('`')?;
    let why = rest.split_once("has the wrong type: ").map_or("", |(_, why)| why);
    Some((interface.to_string(), member.to_string(), why.trim().to_string()))
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let after = text.split_once(start)?.1;
    after.split_once(end).map(|(inside, _)| inside)
}

fn quoted(names: &[&String]) -> String {
    names.iter().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(imports: &[&str], linker_text: &str, expected: &str) {
        let imports: Vec<String> = imports.iter().map(|s| s.to_string()).collect();
        assert_eq!(explain_names(&imports, linker_text), expected);
    }

    #[test]
    fn an_interface_no_host_here_has() {
        check(
            &["wasi:cli/stdout@0.2.0", "example:db/connector@1.0.0"],
            "component imports instance `example:db/connector@1.0.0`, but a matching implementation was not found",
            "the component imports `example:db/connector@1.0.0`, which Wasmscope does not provide: it links the \
             WASI 0.2 and 0.3 interfaces wasi:cli, clocks, filesystem, io, random, sockets and http only",
        );
    }

    #[test]
    fn a_wasi_release_wasmtime_48_lacks() {
        check(
            &["wasi:cli/environment@0.4.0", "wasi:cli/stdout@0.2.3"],
            "component imports instance `wasi:cli/environment@0.4.0`, but a matching implementation was not \
             found in the linker: instance export `get-arguments` has the wrong type: function implementation \
             is missing",
            "the component imports `wasi:cli/environment@0.4.0`: Wasmscope (wasmtime 48) implements these \
             interfaces for WASI 0.2 and 0.3 only, so it was built for a WASI release this host does not have",
        );
    }

    #[test]
    fn a_function_the_release_does_not_define() {
        check(
            &["wasi:cli/environment@0.2.0"],
            "component imports instance `wasi:cli/environment@0.2.0`, but a matching implementation was not \
             found in the linker: instance export `get-nope` has the wrong type: function implementation is \
             missing",
            "the component imports `get-nope` from `wasi:cli/environment@0.2.0`, but WASI 0.2 as wasmtime 48 \
             implements it has no such function: the component was built against another revision (a draft) \
             of that interface",
        );
    }

    #[test]
    fn a_release_candidate() {
        check(
            &["wasi:clocks/monotonic-clock@0.3.0-rc-2025-09-16"],
            "component imports instance `wasi:clocks/monotonic-clock@0.3.0-rc-2025-09-16`, but a matching \
             implementation was not found in the linker: instance export `now` has the wrong type: function \
             implementation is missing",
            "the component imports `wasi:clocks/monotonic-clock@0.3.0-rc-2025-09-16`: Wasmscope (wasmtime 48) \
             implements these interfaces for WASI 0.2 and 0.3 only, so it was built for a WASI release this \
             host does not have (release candidates are not linked: rebuild against the final release)",
        );
    }

    #[test]
    fn a_function_with_another_type() {
        check(
            &["wasi:cli/environment@0.3.0"],
            "component imports instance `wasi:cli/environment@0.3.0`, but a matching \
             implementation was not found in the linker: instance export `get-arguments` has the wrong type: \
             type mismatch with results: expected `list` found `u32`",
            "the component imports `get-arguments` from `wasi:cli/environment@0.3.0` with a \
             different type than WASI 0.3 gives it (type mismatch with results: expected `list` found `u32`): \
             the component was built against another revision (a draft) of that interface",
        );
    }

    #[test]
    fn anything_else_keeps_wasmtimes_text() {
        check(&["wasi:cli/stdout@0.2.0"], "some other failure", "some other failure");
    }
}
