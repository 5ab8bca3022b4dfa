//! `Name`: the interface or function name a component host call carries.
//!
//! A traced guest makes a host call every few hundred nanoseconds, and each
//! call names its interface and function. Shared names (`Arc<str>`) cost two
//! atomic increments per call on the guest's thread, and two decrements
//! wherever the call is dropped: a fifth of what recording a stream write
//! cost. The names the engine knows in advance (the shadowed hot functions,
//! `wasi:http`'s handler) are `'static` and cost nothing to copy; names made
//! at run time (a crossing's import, a callsite's name) are shared.

use std::borrow::Borrow;
use std::collections::BTreeSet;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::{Arc, Mutex, PoisonError};

/// A name: a `str` that is either `'static` or shared.
#[derive(Clone)]
pub struct Name(Repr);

#[derive(Clone)]
enum Repr {
    Static(&'static str),
    Shared(Arc<str>),
}

impl Name {
    /// A name known when the engine was built: copied without counting.
    pub const fn from_static(name: &'static str) -> Name {
        Name(Repr::Static(name))
    }

    /// The name `name`, kept for the rest of the process and copied without
    /// counting from then on. Only for names from a set fixed by the
    /// binary, such as the host functions of wasmtime-wasi's bindings (one
    /// per callsite): each distinct name is kept once, never freed.
    pub(crate) fn interned(name: &str) -> Name {
        static KEPT: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());
        let mut kept = KEPT.lock().unwrap_or_else(PoisonError::into_inner);
        let name = match kept.get(name) {
            Some(name) => *name,
            None => {
                let leaked: &'static str = Box::leak(Box::from(name));
                kept.insert(leaked);
                leaked
            }
        };
        Name::from_static(name)
    }

    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Static(name) => name,
            Repr::Shared(name) => name,
        }
    }
}

impl Deref for Name {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for Name {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl From<Arc<str>> for Name {
    fn from(name: Arc<str>) -> Name {
        Name(Repr::Shared(name))
    }
}

impl From<&str> for Name {
    fn from(name: &str) -> Name {
        Name(Repr::Shared(Arc::from(name)))
    }
}

impl From<String> for Name {
    fn from(name: String) -> Name {
        Name(Repr::Shared(Arc::from(name)))
    }
}

impl PartialEq for Name {
    fn eq(&self, other: &Name) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Name {}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Hash for Name {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl PartialOrd for Name {
    fn partial_cmp(&self, other: &Name) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Name {
    fn cmp(&self, other: &Name) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_and_shared_names_compare_hash_and_print_as_their_text() {
        use std::collections::HashSet;
        let fixed = Name::from_static("wasi:io/streams");
        let shared = Name::from(String::from("wasi:io/streams"));
        assert_eq!(fixed, shared);
        assert_eq!(fixed, "wasi:io/streams");
        assert_eq!(&*shared, "wasi:io/streams");
        assert_eq!(format!("{fixed} {shared:?}"), "wasi:io/streams \"wasi:io/streams\"");
        let set: HashSet<Name> = [fixed, shared].into_iter().collect();
        assert_eq!(set.len(), 1);
        assert!(set.contains("wasi:io/streams"));
        let (a, b) = (Name::from("a"), Name::from_static("b"));
        assert!(a < b);
        let interned = Name::interned("wasi:clocks/monotonic-clock");
        assert_eq!(interned, "wasi:clocks/monotonic-clock");
        let again = Name::interned(&String::from("wasi:clocks/monotonic-clock"));
        assert!(std::ptr::eq(interned.as_str(), again.as_str()), "kept once");
    }
}
